//! Categories, features and statuses as people write them: the wire code,
//! the spec's label (whole, or its head before the parenthesis), or one of
//! the everyday words in the tables below (「茶話会」, 「送迎有」, 「休止」).
//!
//! Used for `--category` / `--feature` arguments and for the 分類, 特徴 and
//! 状態 cells of CSV files. JSON Lines stays strict (codes only) and does
//! not come here.
//!
//! Text and table words are compared by [`label_key`]: NFKC (full-width
//! letters and digits, half-width katakana), no whitespace or 「・」, katakana
//! as hiragana (so 「ゴミ出し」 meets 「ごみ出し」 and 「車イス」 meets 「車いす」),
//! 「ヶ」 as 「ケ」, 「々」 as the character it repeats, ASCII in lower case.
//! A text must equal a word as a whole: 「認知症カフェ」 is `dementia_cafe`,
//! never `salon` by way of 「カフェ」, and 「送迎なし」 is nothing at all.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::codes::{Category, Feature, Status, label_head};

/// Longest text looked up, in characters: every label and word is far
/// shorter, so a longer text is unknown without normalising it.
pub const MAX_LABEL_INPUT_CHARS: usize = 100;

/// Everyday words per category, besides its code and spec label.
/// 「送迎」 is left out on purpose: it is the `pickup` feature, and as a
/// category it would say nothing about which service is meant.
const CATEGORY_WORDS: &[(Category, &[&str])] = &[
    (
        Category::Exercise,
        &[
            "体操",
            "運動",
            "筋トレ",
            "筋力トレーニング",
            "ウォーキング",
            "健康体操",
        ],
    ),
    (Category::Meal, &["会食", "食事会", "会食会"]),
    (
        Category::Salon,
        &["茶話会", "サロン", "お茶会", "カフェ", "サロン活動"],
    ),
    (
        Category::DementiaPrevention,
        &["認知症予防", "脳トレ", "脳トレーニング"],
    ),
    (Category::DementiaCafe, &["認知症カフェ", "オレンジカフェ"]),
    (Category::Hobby, &["趣味", "趣味活動"]),
    (
        Category::Farming,
        &["農作業", "園芸", "畑", "農園", "家庭菜園"],
    ),
    (
        Category::Learning,
        &["生涯学習", "教養", "学習", "講座", "勉強会"],
    ),
    (Category::Volunteer, &["ボランティア", "ボランティア活動"]),
    (Category::Work, &["就労", "就労的活動"]),
    (
        Category::Intergenerational,
        &["多世代交流", "世代間交流", "多世代"],
    ),
    (
        Category::Shopping,
        &[
            "買い物",
            "買物",
            "買い物支援",
            "買物支援",
            "移動販売",
            "買い物代行",
            "買物代行",
            "買い物付き添い",
        ],
    ),
    (
        Category::MealDelivery,
        &["配食", "弁当配達", "配食サービス", "宅配弁当"],
    ),
    (Category::Watching, &["見守り", "安否確認", "声かけ"]),
    (
        Category::Housework,
        &["家事援助", "家事", "家事支援", "掃除", "洗濯", "調理"],
    ),
    (Category::Garbage, &["ごみ出し", "ゴミ出し", "ごみ出し支援"]),
    (
        Category::Transport,
        &[
            "外出支援",
            "移動支援",
            "外出・移動支援",
            "通院付き添い",
            "通院の付き添い",
            "通院介助",
        ],
    ),
    (Category::Conversation, &["話し相手", "傾聴"]),
    (
        Category::Garden,
        &["草取り", "庭の手入れ", "草刈り", "草むしり", "庭木の手入れ"],
    ),
    (
        Category::SmallHelp,
        &[
            "ちょっとした困りごと",
            "困りごと",
            "電球交換",
            "家具移動",
            "ちょっとした手伝い",
        ],
    ),
    (
        Category::Digital,
        &[
            "スマホ",
            "スマートフォン",
            "デジタル",
            "デジタル機器",
            "スマホ支援",
        ],
    ),
];

/// Everyday words per feature. Only words that say the feature is there:
/// 「予約不要」 or 「送迎なし」 are unknown, never a feature.
const FEATURE_WORDS: &[(Feature, &[&str])] = &[
    (
        Feature::Wheelchair,
        &[
            "車いす",
            "車椅子",
            "車イス",
            "車いす可",
            "車椅子可",
            "車イス可",
            "車いすOK",
            "車椅子OK",
            "車いす対応",
            "車椅子対応",
            "バリアフリー",
        ],
    ),
    (
        Feature::Pickup,
        &["送迎", "送迎あり", "送迎有", "送迎有り", "送迎付き"],
    ),
    (
        Feature::Parking,
        &[
            "駐車場",
            "駐車場あり",
            "駐車場有",
            "駐車場有り",
            "P",
            "駐車可",
        ],
    ),
    (
        Feature::DementiaFriendly,
        &[
            "認知症",
            "認知症の方も",
            "認知症対応",
            "認知症の方も可",
            "認知症の方も参加できる",
        ],
    ),
    (
        Feature::Reservation,
        &["要予約", "予約制", "予約", "事前予約", "予約必要"],
    ),
    (
        Feature::Trial,
        &[
            "見学",
            "体験",
            "見学可",
            "体験可",
            "見学・体験可",
            "見学OK",
            "体験OK",
            "見学歓迎",
            "体験歓迎",
        ],
    ),
];

/// Everyday words per status.
const STATUS_WORDS: &[(Status, &[&str])] = &[
    (Status::Active, &["活動中", "実施中", "開催中", "運営中"]),
    (
        Status::Paused,
        &["休止", "休止中", "一時休止", "活動休止", "休会中"],
    ),
    (
        Status::Closed,
        &["廃止", "終了", "閉鎖", "活動終了", "廃止済み"],
    ),
];

/// A code set that can be read from what people write.
trait Vocabulary: Copy + Eq + std::hash::Hash + 'static {
    const WORDS: &'static [(Self, &'static [&'static str])];
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn index_cell() -> &'static OnceLock<HashMap<String, Self>>;

    /// Every accepted spelling's key → value, built once. Codes and spec
    /// labels go in first, so a table word can never take them over (the
    /// tests check that no key is claimed twice anyway).
    fn index() -> &'static HashMap<String, Self> {
        Self::index_cell().get_or_init(|| {
            let mut index = HashMap::new();
            for &v in Self::all() {
                for text in [v.code(), v.label(), label_head(v.label())] {
                    if let Some(key) = label_key(text) {
                        index.entry(key).or_insert(v);
                    }
                }
            }
            for (v, words) in Self::WORDS {
                for word in *words {
                    if let Some(key) = label_key(word) {
                        index.entry(key).or_insert(*v);
                    }
                }
            }
            index
        })
    }

    fn lookup(text: &str) -> Option<Self> {
        let key = label_key(text)?;
        Self::index().get(&key).copied()
    }

    fn codes_with_labels() -> String {
        Self::all()
            .iter()
            .map(|v| format!("{}（{}）", v.code(), v.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! vocabulary {
    ($name:ident, $words:ident) => {
        impl Vocabulary for $name {
            const WORDS: &'static [(Self, &'static [&'static str])] = $words;
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label_ja(self)
            }
            fn index_cell() -> &'static OnceLock<HashMap<String, Self>> {
                static INDEX: OnceLock<HashMap<String, $name>> = OnceLock::new();
                &INDEX
            }
        }

        impl $name {
            /// Reads what a person wrote: the wire code, the spec label
            /// (whole or before its parenthesis), or an everyday word of the
            /// table in `labels.rs`, compared after [`label_key`]. `None`
            /// for anything else; the caller says which texts are accepted
            /// (see `codes_with_labels_joined`).
            pub fn from_user_text(text: &str) -> Option<$name> {
                <$name as Vocabulary>::lookup(text)
            }

            /// `code（label）` of every value, for messages that list what
            /// is accepted.
            pub fn codes_with_labels_joined() -> String {
                <$name as Vocabulary>::codes_with_labels()
            }

            /// Every word of the table for this set beyond codes and labels,
            /// with its value (for documentation and tests).
            pub fn everyday_words() -> impl Iterator<Item = ($name, &'static str)> {
                $words
                    .iter()
                    .flat_map(|(v, words)| words.iter().map(move |w| (*v, *w)))
            }
        }
    };
}

vocabulary!(Category, CATEGORY_WORDS);
vocabulary!(Feature, FEATURE_WORDS);
vocabulary!(Status, STATUS_WORDS);

/// The form in which labels are compared: NFKC, whitespace and 「・」
/// removed, katakana as hiragana, 「ヶ」/「ヵ」 as 「け」/「か」, 「々」 as the
/// character before it, ASCII letters in lower case. `None` for a text
/// longer than [`MAX_LABEL_INPUT_CHARS`].
pub fn label_key(text: &str) -> Option<String> {
    if text.chars().nth(MAX_LABEL_INPUT_CHARS).is_some() {
        return None;
    }
    let mut key = String::with_capacity(text.len());
    let mut previous: Option<char> = None;
    for c in text.nfkc() {
        if c.is_whitespace() || c == '・' {
            continue;
        }
        let c = match (fold_char(c), previous) {
            ('々', Some(p)) => p,
            (c, _) => c,
        };
        key.push(c);
        previous = Some(c);
    }
    Some(key)
}

fn fold_char(c: char) -> char {
    let c = match c {
        // Katakana ァ..ヶ sit 0x60 above hiragana ぁ..ゖ.
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    };
    match c {
        'ゕ' => 'か',
        'ゖ' => 'け',
        _ => c.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn table() -> String {
        std::fs::read_to_string(
            std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR")
                    .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
            )
            .join("../../tests/cases/label_cases.tsv"),
        )
        .unwrap()
    }

    fn parse(set: &str, text: &str) -> Option<&'static str> {
        match set {
            "category" => Category::from_user_text(text).map(Category::code),
            "feature" => Feature::from_user_text(text).map(Feature::code),
            "status" => Status::from_user_text(text).map(Status::code),
            other => panic!("unknown set {other:?} in label_cases.tsv"),
        }
    }

    /// tests/cases/label_cases.tsv: set, text, expected code (`-` for
    /// unknown), note.
    #[test]
    fn label_table() {
        let text = table();
        let mut failures = Vec::new();
        let mut n = 0;
        for (i, line) in text.lines().enumerate().skip(1) {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() < 3 {
                continue;
            }
            n += 1;
            let want = (c[2] != "-").then_some(c[2]);
            let got = parse(c[0], c[1]);
            if got != want {
                failures.push(format!(
                    "line {}: {} {:?}: want {want:?}, got {got:?}",
                    i + 1,
                    c[0],
                    c[1]
                ));
            }
        }
        assert!(n >= 60, "at least 60 cases, found {n}");
        assert!(
            failures.is_empty(),
            "{} of {n} label cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// No spelling may mean two values: a word of one value that folds to
    /// another value's code, label or word would silently pick one.
    fn no_key_claimed_twice<T: Vocabulary + std::fmt::Debug>() {
        let mut owner: HashMap<String, (T, &str)> = HashMap::new();
        let spellings = T::all()
            .iter()
            .flat_map(|&v| [(v, v.code()), (v, v.label()), (v, label_head(v.label()))])
            .chain(
                T::WORDS
                    .iter()
                    .flat_map(|(v, ws)| ws.iter().map(move |w| (*v, *w))),
            );
        for (v, text) in spellings {
            let key = label_key(text).unwrap();
            assert!(!key.is_empty(), "{text:?} folds to nothing");
            if let Some((other, other_text)) = owner.get(&key) {
                assert_eq!(
                    *other, v,
                    "{text:?} ({v:?}) and {other_text:?} ({other:?}) fold to the same key"
                );
            }
            owner.insert(key, (v, text));
            assert_eq!(T::lookup(text), Some(v), "{text:?}");
        }
    }

    #[test]
    fn every_spelling_means_one_value_and_reads_back() {
        no_key_claimed_twice::<Category>();
        no_key_claimed_twice::<Feature>();
        no_key_claimed_twice::<Status>();
    }

    /// docs/import.md lists every everyday word on its code's row.
    fn documented<T: Vocabulary>(docs: &str) {
        for (v, words) in T::WORDS {
            let row = format!("| `{}` |", v.code());
            let line = docs
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("docs/import.md has no row {row}"));
            for word in *words {
                assert!(line.contains(word), "docs/import.md row {row} lacks {word}");
            }
        }
    }

    #[test]
    fn the_import_docs_list_every_word() {
        let docs = std::fs::read_to_string(
            std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR")
                    .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
            )
            .join("../../docs/import.md"),
        )
        .unwrap();
        documented::<Category>(&docs);
        documented::<Feature>(&docs);
    }

    #[test]
    fn keys_fold_width_space_kana_and_iteration_marks() {
        for (a, b) in [
            ("ゴミ出し", "ごみ出し"),
            ("ｻﾛﾝ", "サロン"),
            ("体操 ・ 運動", "体操運動"),
            ("ＥＸＥＲＣＩＳＥ", "exercise"),
            ("ヶ", "ケ"),
            ("色々", "色色"),
            ("車イス　ＯＫ", "車いすok"),
        ] {
            assert_eq!(label_key(a), label_key(b), "{a} / {b}");
        }
        assert_eq!(label_key(&"あ".repeat(MAX_LABEL_INPUT_CHARS + 1)), None);
        assert_eq!(Category::from_user_text(&"体操".repeat(500)), None);
    }

    #[test]
    fn accepted_lists_name_codes_and_labels() {
        let list = Feature::codes_with_labels_joined();
        assert!(list.starts_with("wheelchair（車いすで参加・利用できる）, pickup（送迎あり）"));
        assert_eq!(
            Category::codes_with_labels_joined().matches('（').count(),
            Category::ALL.len()
                + Category::ALL
                    .iter()
                    .filter(|c| c.label_ja().contains('（'))
                    .count(),
            "one per value, plus the labels' own parentheses"
        );
    }
}
