//! The Sudachi 同義語辞書 (WorksApplications/SudachiDict,
//! `src/main/text/synonyms.txt`, Apache-2.0) as an optional second synonym
//! source beside `dictionaries/synonyms.tsv`.
//!
//! The file is never part of this repository: a deployer places it at
//! `dictionaries/sudachi/synonyms.txt` (ignored by git) or points
//! [`SUDACHI_ENV`] at it, and keeps the dictionary's LICENSE and NOTICE
//! beside it (docs/synonyms.md).
//!
//! The general-purpose dictionary knows ~25,000 groups; most would only add
//! noise to a directory of local resources, so a group is kept only when it
//! is about words this directory already cares about:
//!
//! 1. members that are not nouns (体言/用言フラグ ≠ 1), deleted members
//!    (展開制御フラグ 2), spellings made only of ASCII (`summary`), words of
//!    one character, proper names (分野 人名, 企業名, 地名…, see
//!    [`PROPER_NAME_FIELDS`]) and the words of [`NEVER_EXPAND`] are dropped;
//! 2. a group keeps what is left only when one of its members that may
//!    start an expansion (flag 0) is a word of the domain dictionaries
//!    (synonyms.tsv, categories.tsv, needs.tsv, user.csv) or of a vocabulary
//!    the caller gives, compared by [`vocabulary_key`];
//! 3. and when at least two members remain.
//!
//! A member with flag 1 never starts an expansion (a query word equal to it
//! does not expand that group) but is added when another member does.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::TextError;
use crate::normalize::{fold_kana, normalize};

/// Environment variable naming the Sudachi synonyms file. When set it wins
/// over `dictionaries/sudachi/synonyms.txt`, and the file must be readable.
pub const SUDACHI_ENV: &str = "TSUNAGU_SUDACHI_SYNONYMS";

/// Where a deployer may place the file, relative to the dictionaries
/// directory.
pub const SUDACHI_FILE: &str = "sudachi/synonyms.txt";

/// Weight of a Sudachi synonym relative to the word the user typed (1.0):
/// below the domain's own synonyms ([`DOMAIN_SYNONYM_WEIGHT`]), since a
/// general dictionary's sense of a word is less often this domain's sense.
pub const SUDACHI_SYNONYM_WEIGHT: f32 = 0.6;

/// Weight of a `synonyms.tsv` synonym relative to the word the user typed.
pub const DOMAIN_SYNONYM_WEIGHT: f32 = 0.8;

/// Words that never expand and are never added by an expansion: generic
/// words that occur in most listings (a synonym of 支援 would match nearly
/// every record), and words whose general sense is not this domain's (介護
/// and 看護 are different services; 所在 in a group with 居場所 would match
/// every 所在地). Compared by [`vocabulary_key`].
pub const NEVER_EXPAND: &[&str] = &[
    // generic in every listing
    "支援",
    "サポート",
    "援助",
    "話",
    "はなし",
    "お話",
    "お話し",
    "会話",
    "お金",
    "金",
    "エリア",
    "地域",
    "地区",
    "サービス",
    "活動",
    "場所",
    "人",
    "方",
    "会",
    "時間",
    "日",
    "センター",
    "施設",
    "教室",
    "事業",
    "参加",
    "情報",
    "案内",
    "問い合わせ",
    "家族",
    "生活",
    "仕事",
    "業務",
    "作業",
    "趣味",
    "健康",
    "福祉",
    "住民",
    "市民",
    "会員",
    "団体",
    "費用",
    "料金",
    "利用",
    "使用",
    "利用者",
    "対象者",
    "当事者",
    "本人",
    "個人",
    "自分",
    "自己",
    "自身",
    "相談",
    "予約",
    "申し込み",
    "申込み",
    "申込",
    "申請",
    "連絡",
    "確認",
    "準備",
    "用意",
    "方法",
    "手段",
    "仕方",
    "機会",
    "経験",
    "予防",
    "関係",
    "関連",
    "一般",
    "通常",
    "基本",
    "開始",
    "状態",
    "担当",
    "中心",
    "中央",
    "周辺",
    "付近",
    "事前",
    "直接",
    "同時",
    "問題",
    "名前",
    "名称",
    "番号",
    "住所",
    "希望",
    "特徴",
    "部屋",
    "家庭",
    "ホーム",
    "いえ",
    // this domain's sense differs from the dictionary's
    "高齢者",
    "老人",
    "介護",
    "看護",
    "所在",
    "主人",
    "フリー",
    "精力",
    "歩行",
    "楊柳",
    // 庭木の手入れ is garden care, not 修理 (repair)
    "手入れ",
];

/// 分野情報 of proper names: a synonym dictionary's idea of a company, a
/// person or a place would match unrelated records, and place names belong
/// to the gazetteer.
pub const PROPER_NAME_FIELDS: &[&str] = &[
    "人名",
    "キャラ",
    "国名",
    "地名",
    "観光",
    "店名",
    "企業名",
    "旧企業名",
    "大学名",
    "不快",
];

/// 展開制御フラグ of a kept member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expansion {
    /// 0 (or omitted): a query word equal to it expands the group.
    Source,
    /// 1: never starts an expansion, but is added when another member does.
    TargetOnly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SudachiMember {
    /// The headword as written in the file.
    pub word: String,
    pub expansion: Expansion,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SudachiGroup {
    /// The file's group number (6 digits), for messages.
    pub number: String,
    pub members: Vec<SudachiMember>,
}

/// What loading read, dropped and kept: reported in logs and docs/synonyms.md.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SudachiStats {
    /// Non-blank lines.
    pub lines: usize,
    /// Lines that are not a CSV row of at least 9 fields with a numeric
    /// group number; skipped.
    pub malformed_lines: usize,
    pub groups_read: usize,
    /// Members dropped as 用言 or without the 体言 flag.
    pub dropped_not_noun: usize,
    /// Members dropped as deleted (展開制御フラグ 2).
    pub dropped_deleted: usize,
    /// Members dropped as ASCII-only spellings or single characters.
    pub dropped_spelling: usize,
    /// Members dropped as proper names.
    pub dropped_proper_name: usize,
    /// Members dropped by [`NEVER_EXPAND`].
    pub dropped_never_expand: usize,
    pub groups_kept: usize,
    pub members_kept: usize,
}

/// The kept groups of a Sudachi synonyms file.
#[derive(Debug, Clone, Default)]
pub struct SudachiSynonyms {
    /// Where the file came from, for messages.
    pub origin: String,
    pub groups: Vec<SudachiGroup>,
    pub stats: SudachiStats,
}

/// The form in which words are compared with the vocabulary and the stop
/// list: normalised (NFKC, lower case, long vowels) and kana folded, so
/// ゴミ, ごみ and ｺﾞﾐ are one word.
pub fn vocabulary_key(word: &str) -> String {
    // Most words are kanji and kana that normalisation leaves as they are;
    // loading the dictionary asks this of ~50,000 words.
    let unchanged = word.chars().all(|c| {
        matches!(c,
            '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30F4}' | 'ー' | '\u{4E00}'..='\u{9FFF}' | '々')
    });
    if unchanged {
        fold_kana(word)
    } else {
        fold_kana(&normalize(word).text)
    }
}

/// A member as read from one line, before filtering; borrows the line
/// unless a field was quoted.
struct RawMember<'a> {
    word: Cow<'a, str>,
    noun: bool,
    flag: u8,
    fields: Cow<'a, str>,
}

impl SudachiSynonyms {
    /// Reads and filters the file at `path`.
    pub fn load(path: &Path, vocabulary: &HashSet<String>) -> Result<SudachiSynonyms, TextError> {
        let started = std::time::Instant::now();
        let text = std::fs::read_to_string(path).map_err(|source| TextError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let synonyms = Self::parse(&path.display().to_string(), &text, vocabulary);
        tracing::info!(
            path = %path.display(),
            groups_read = synonyms.stats.groups_read,
            groups_kept = synonyms.stats.groups_kept,
            members_kept = synonyms.stats.members_kept,
            malformed_lines = synonyms.stats.malformed_lines,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Sudachi synonyms loaded"
        );
        if synonyms.stats.malformed_lines > 0 {
            tracing::warn!(
                path = %path.display(),
                malformed_lines = synonyms.stats.malformed_lines,
                "Sudachi synonyms: lines that are not CSV rows of at least 9 fields were skipped"
            );
        }
        Ok(synonyms)
    }

    /// Parses the text of a synonyms file and keeps the groups that pass
    /// the filter of the module documentation. `vocabulary` holds
    /// [`vocabulary_key`]s of the words a group must touch. Malformed lines
    /// are skipped and counted: the file is third-party data, and one odd
    /// line should not take search down.
    pub fn parse(origin: &str, text: &str, vocabulary: &HashSet<String>) -> SudachiSynonyms {
        let mut stats = SudachiStats::default();
        // Groups are identified by their number; the blank lines between
        // them are optional in the format.
        let mut raw: Vec<(Cow<'_, str>, Vec<RawMember<'_>>)> = Vec::new();
        let mut by_number: HashMap<Cow<'_, str>, usize> = HashMap::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            stats.lines += 1;
            let Some(mut fields) = split_csv_row(line) else {
                stats.malformed_lines += 1;
                continue;
            };
            if fields.len() < 9 {
                stats.malformed_lines += 1;
                continue;
            }
            let flag = match fields[2].trim() {
                "" | "0" => 0,
                "1" => 1,
                "2" => 2,
                _ => {
                    stats.malformed_lines += 1;
                    continue;
                }
            };
            let number = trimmed(std::mem::take(&mut fields[0]));
            let word = trimmed(std::mem::take(&mut fields[8]));
            if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || word.is_empty() {
                stats.malformed_lines += 1;
                continue;
            }
            let member = RawMember {
                word,
                noun: fields[1].trim() == "1",
                flag,
                fields: trimmed(std::mem::take(&mut fields[7])),
            };
            // Rows of a group are consecutive in practice: skip the lookup.
            if let Some((last, members)) = raw.last_mut()
                && *last == number
            {
                members.push(member);
                continue;
            }
            match by_number.get(&number) {
                Some(&i) => raw[i].1.push(member),
                None => {
                    by_number.insert(number.clone(), raw.len());
                    raw.push((number, vec![member]));
                }
            }
        }
        stats.groups_read = raw.len();

        let never: HashSet<String> = NEVER_EXPAND.iter().map(|w| vocabulary_key(w)).collect();
        let mut groups = Vec::new();
        for (number, members) in raw {
            let mut kept: Vec<SudachiMember> = Vec::new();
            let mut keys: Vec<String> = Vec::new();
            for m in members {
                // The cheap checks first: most of the file is dropped here.
                if !m.noun {
                    stats.dropped_not_noun += 1;
                    continue;
                }
                if m.flag == 2 {
                    stats.dropped_deleted += 1;
                    continue;
                }
                if is_proper_name(&m.fields) {
                    stats.dropped_proper_name += 1;
                    continue;
                }
                if !has_japanese_letter(&m.word) {
                    stats.dropped_spelling += 1;
                    continue;
                }
                let key = vocabulary_key(&m.word);
                if key.chars().count() < 2 {
                    stats.dropped_spelling += 1;
                } else if never.contains(&key) {
                    stats.dropped_never_expand += 1;
                } else if let Some(i) = keys.iter().position(|k| *k == key) {
                    // The same word folded (ごみ/ゴミ): a source spelling
                    // makes the word a source.
                    if m.flag == 0 {
                        kept[i].expansion = Expansion::Source;
                    }
                } else {
                    keys.push(key);
                    kept.push(SudachiMember {
                        word: m.word.into_owned(),
                        expansion: if m.flag == 0 {
                            Expansion::Source
                        } else {
                            Expansion::TargetOnly
                        },
                    });
                }
            }
            let touches_vocabulary = kept
                .iter()
                .zip(&keys)
                .any(|(m, key)| m.expansion == Expansion::Source && vocabulary.contains(key));
            if kept.len() >= 2 && touches_vocabulary {
                stats.members_kept += kept.len();
                groups.push(SudachiGroup {
                    number: number.into_owned(),
                    members: kept,
                });
            }
        }
        stats.groups_kept = groups.len();
        SudachiSynonyms {
            origin: origin.to_string(),
            groups,
            stats,
        }
    }
}

/// Whether a word has kana or a kanji: spellings in the Latin alphabet
/// (`summary`, `co・op`) are the original-language forms of loan words,
/// which a Japanese listing writes in katakana, and short ones are
/// abbreviations that collide with unrelated words.
fn has_japanese_letter(word: &str) -> bool {
    word.chars().any(|c| {
        matches!(c,
            '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{FF66}'..='\u{FF9D}'
            | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '々')
    })
}

fn trimmed(field: Cow<'_, str>) -> Cow<'_, str> {
    match field {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// Whether a 分野情報 such as `(企業名/交通)` names a proper-name field.
fn is_proper_name(fields: &str) -> bool {
    fields
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split('/')
        .any(|f| PROPER_NAME_FIELDS.contains(&f.trim()))
}

/// Splits one RFC 4180 row (quoted fields with `""` escapes); `None` when a
/// quote is left open or stray text follows a closing quote. Rows of the
/// file never span lines. Fields borrow the line unless quoted.
fn split_csv_row(line: &str) -> Option<Vec<Cow<'_, str>>> {
    if !line.contains('"') {
        return Some(line.split(',').map(Cow::Borrowed).collect());
    }
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    c => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(Cow::Owned(field));
                    return Some(fields);
                }
                Some(',') => fields.push(Cow::Owned(field)),
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(Cow::Owned(field));
                        return Some(fields);
                    }
                    Some(',') => {
                        fields.push(Cow::Owned(field));
                        break;
                    }
                    Some(c) => field.push(c),
                }
            }
        }
    }
}

/// Which Sudachi file to load for a dictionaries directory (`None` for the
/// built-in copies): the [`SUDACHI_ENV`] path when set and not empty, else
/// `DIR/sudachi/synonyms.txt` when that file exists, else none.
pub fn locate_file(dictionaries: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(SUDACHI_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = dictionaries?.join(SUDACHI_FILE);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A sample in the format of docs/synonyms.md of SudachiDict, written for
    // these tests.
    const SAMPLE: &str = "\
100001,1,0,1,0,0,0,(),散歩,,
100001,1,0,1,0,0,2,(),さんぽ,,
100001,1,0,2,0,0,0,(),散策,,
100001,1,1,3,0,0,0,(),そぞろ歩き,,
100001,1,0,4,0,0,1,(),walk,,
100001,2,0,5,0,0,0,(),歩く,,

100002,1,0,1,0,0,0,(),遊具,,
100002,1,0,2,0,0,0,(),玩具,,

100003,1,1,1,0,0,0,(),囲碁,,
100003,1,0,2,0,0,0,(),碁,,
100003,1,0,3,0,0,0,(),烏鷺,,
100004,1,0,1,0,0,0,(),支援,,
100004,1,0,2,0,0,0,(),後押し,,
100004,1,0,3,0,0,0,(),手助け,,

100005,1,0,1,0,0,0,(企業名),ささえ商事,,
100005,1,0,1,0,2,0,(企業名),ささえ,,
100005,1,0,1,0,0,0,(),手助け,,
100006,1,2,1,0,0,0,(),散歩,,
100006,1,0,2,0,0,0,(),ぶらぶら,,
";

    fn vocab(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| vocabulary_key(w)).collect()
    }

    #[test]
    fn keeps_nouns_of_groups_that_touch_the_vocabulary() {
        let s = SudachiSynonyms::parse("t", SAMPLE, &vocab(&["さんぽ", "手助け", "囲碁"]));
        let words: Vec<Vec<(&str, Expansion)>> = s
            .groups
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .map(|m| (m.word.as_str(), m.expansion))
                    .collect()
            })
            .collect();
        assert_eq!(
            words,
            vec![
                // walk (ASCII) and 歩く (用言) dropped; そぞろ歩き stays a target.
                vec![
                    ("散歩", Expansion::Source),
                    ("さんぽ", Expansion::Source),
                    ("散策", Expansion::Source),
                    ("そぞろ歩き", Expansion::TargetOnly),
                ],
                // 支援 never expands; the rest touches 手助け.
                vec![("後押し", Expansion::Source), ("手助け", Expansion::Source)],
            ]
        );
        // 100003: 囲碁 is in the vocabulary but flag 1, and 碁 is one
        // character, so no source touches it. 100005: the company name goes,
        // one member is left. 100006: 散歩 is a deleted entry there.
        assert_eq!(s.stats.groups_read, 6);
        assert_eq!(s.stats.groups_kept, 2);
        assert_eq!(s.stats.members_kept, 6);
        assert_eq!(s.stats.dropped_not_noun, 1);
        assert_eq!(s.stats.dropped_deleted, 1);
        assert_eq!(s.stats.dropped_spelling, 2);
        assert_eq!(s.stats.dropped_proper_name, 2);
        assert_eq!(s.stats.dropped_never_expand, 1);
        assert_eq!(s.stats.malformed_lines, 0);
    }

    #[test]
    fn nothing_is_kept_without_a_vocabulary_word() {
        let s = SudachiSynonyms::parse("t", SAMPLE, &HashSet::new());
        assert!(s.groups.is_empty());
        assert_eq!(s.stats.groups_read, 6);
    }

    #[test]
    fn vocabulary_is_compared_folded_and_normalised() {
        // Half-width katakana ｻﾝﾎﾟ meets the member さんぽ.
        let s = SudachiSynonyms::parse("t", SAMPLE, &vocab(&["ｻﾝﾎﾟ"]));
        assert_eq!(s.groups.len(), 1);
        assert_eq!(s.groups[0].number, "100001");
    }

    #[test]
    fn malformed_rows_are_counted_and_skipped() {
        let text = "\
100010,1,0,1,0,0,0,(),\"見守り\",,
100010,1,0,2,0,0,0,(),\"安否\"\"確認\",,
100010,1,0,3,0,0,0,(),\"開いたまま,,
100010,1,0,4,0,0,0,(),\"閉じた\"後,,
abc,1,0,1,0,0,0,(),見回り,,
100010,1,0,5
100010,1,7,6,0,0,0,(),巡回,,
100010,1,,7,0,0,0,(),声かけ,,
";
        let s = SudachiSynonyms::parse("t", text, &vocab(&["見守り"]));
        assert_eq!(s.stats.lines, 8);
        assert_eq!(s.stats.malformed_lines, 5);
        let words: Vec<&str> = s.groups[0]
            .members
            .iter()
            .map(|m| m.word.as_str())
            .collect();
        assert_eq!(words, ["見守り", "安否\"確認", "声かけ"]);
        // An omitted flag means 0.
        assert_eq!(s.groups[0].members[2].expansion, Expansion::Source);
    }

    #[test]
    fn csv_rows_split_like_rfc_4180() {
        let split = |line| {
            split_csv_row(line).map(|f| f.into_iter().map(Cow::into_owned).collect::<Vec<_>>())
        };
        assert_eq!(
            split("a,\"b,c\",,\"d\"\"e\""),
            Some(vec!["a".into(), "b,c".into(), String::new(), "d\"e".into()])
        );
        assert_eq!(split("\"open"), None);
        assert_eq!(split("x,"), Some(vec!["x".into(), String::new()]));
        assert_eq!(
            split("1,,2"),
            Some(vec!["1".into(), String::new(), "2".into()])
        );
    }

    #[test]
    fn proper_name_fields_are_recognised_in_compound_fields() {
        assert!(is_proper_name("(企業名/交通)"));
        assert!(is_proper_name("(地名)"));
        assert!(!is_proper_name("(医療)"));
        assert!(!is_proper_name("()"));
    }

    #[test]
    fn the_key_shortcut_agrees_with_normalisation() {
        for word in [
            "散歩",
            "さんぽ",
            "サンポ",
            "ウォーキング",
            "人々",
            "ｻﾝﾎﾟ",
            "ＡＢＣ",
            "ヶ丘",
            "カフェ―",
        ] {
            assert_eq!(
                vocabulary_key(word),
                fold_kana(&normalize(word).text),
                "{word}"
            );
        }
    }

    #[test]
    fn latin_only_spellings_are_not_japanese_words() {
        assert!(!has_japanese_letter("summary"));
        assert!(!has_japanese_letter("co・op"));
        assert!(has_japanese_letter("eメール"));
        assert!(has_japanese_letter("人々"));
    }
}
