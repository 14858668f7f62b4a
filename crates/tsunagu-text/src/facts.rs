//! What a listing says of itself in its own words (「駐車場あり」「車いすの方も
//! どうぞ」「女性限定」「予約不要」), read at import into [`ListingFact`]s, each
//! with the phrase it came from so a coordinator can check it.
//!
//! The text is normalised as for search (NFKC, case, ヶ; skipped when every
//! character is one normalising leaves alone, which is most listings),
//! katakana folded to hiragana (車イス meets 車いす) and cut into clauses at
//! 。、．！？, line breaks, 「」, `/`, ※ and bullets, and at a clause-joining
//! が (ありますが, ないが) or けれど/けど/ただし. A parenthesis is a clause of its
//! own and is lifted out of the clause around it, so 「駐車場（無料）あり」
//! still reads 駐車場…あり and 「送迎あり（予約不要）」 keeps its 不要 to itself.
//!
//! Each clause is scanned once for the words of [`RULES`] (longest word
//! first at each place). A rule grants its fact when one of its keys
//! (駐車場) is followed, within a few characters, by one of its grant words
//! (あり), or when a key needs no grant word (バリアフリー, 要予約). **A
//! denial never grants**: a denial word (ない, なし, ません, 不可, 難しい,
//! 遠慮, 対象外 …) anywhere after the key, up to the end of the clause or to
//! the key of another fact that follows the grant word, cancels the fact
//! (「駐車場はありません」, 「認知症の方はご遠慮ください」, 「男性不可」). Words
//! that look like a key or a denial but are neither (無料, 車いす用トイレ,
//! 一人でも多く, 遠慮なく) are read as themselves first. A mention without a
//! grant word grants nothing (「駐車場が少ないので公共交通機関で」, 「女性が多い」).
//!
//! The vocabulary is a table in this file rather than a dictionary file:
//! rules pair keys with grant words and gaps, which a one-word-per-line file
//! would not express, and changing it changes stored placements, which only
//! a re-import recomputes.

use std::collections::HashMap;
use std::sync::LazyLock;

use tsunagu_model::{Fact, Feature, ListingFact, Record, Who};

use crate::normalize::{Normalized, fold_kana, normalize};

/// Longest phrase kept with a fact, in characters of the clause.
pub const MAX_PHRASE_CHARS: usize = 40;

/// Longest clause read, in characters. Listings say a fact in a few words
/// between punctuation; a longer run without any is not a clause to read,
/// and the bound keeps the work on one clause small whatever a text holds.
pub const MAX_CLAUSE_CHARS: usize = 400;

/// One way listings say a fact: a key, then (unless `grants` is empty) one
/// of the grant words at most `max_gap` characters after it.
pub struct Rule {
    pub fact: Fact,
    pub keys: &'static [&'static str],
    pub grants: &'static [&'static [&'static str]],
    pub max_gap: usize,
}

const fn rule(
    fact: Fact,
    keys: &'static [&'static str],
    grants: &'static [&'static [&'static str]],
    max_gap: usize,
) -> Rule {
    Rule {
        fact,
        keys,
        grants,
        max_gap,
    }
}

/// A key that grants by itself.
const fn phrase(fact: Fact, keys: &'static [&'static str]) -> Rule {
    rule(fact, keys, &[], 0)
}

use Fact::{Feature as F, Who as W};

// Grant words. Table words are written as people write them; they are
// normalised and folded like the text before use.

/// Something is there: 駐車場あり, 送迎有.
const THERE: &[&str] = &[
    "あり",
    "あります",
    "ございます",
    "有",
    "完備",
    "用意",
    "○",
    "◯",
];
/// Someone may: 車いすでも参加できます, 見学歓迎, 初めての方もお気軽に.
const MAY: &[&str] = &[
    "可",
    "可能",
    "ok",
    "オーケー",
    "オッケー",
    "でき",
    "いただけ",
    "どうぞ",
    "歓迎",
    "大歓迎",
    "大丈夫",
    "かまいません",
    "構いません",
    "かまわない",
    "問題ありません",
    "問題ない",
    "問題なく",
    "差し支えありません",
    "心配いりません",
    "心配ありません",
    "心配ない",
    "遠慮なく",
    "気兼ねなく",
    "気軽",
    "受け入れ",
    "受入",
    "お待ち",
];
/// A pickup is offered: 送迎します, お迎えに伺います.
const FETCH: &[&str] = &[
    "します",
    "いたします",
    "致します",
    "対応",
    "付き",
    "つき",
    "付",
    "込み",
    "込",
    "実施",
    "運行",
    "行って",
    "行い",
    "に伺",
    "にうかが",
    "に上が",
    "にあが",
    "に行き",
    "にいき",
    "に参り",
    "にまいり",
];
/// Only these people: 女性限定, 女性のみ.
const ONLY: &[&str] = &[
    "限定",
    "のみ",
    "専用",
    "だけ",
    "に限ります",
    "に限る",
    "に限り",
];
/// Booking needed: 予約が必要, お申し込みください.
const NEEDED: &[&str] = &[
    "必要",
    "必須",
    "ください",
    "下さい",
    "願います",
    "お願い",
    "お願いします",
    "お願いいたします",
    "の上",
    "のうえ",
    "制",
];
/// Booking not needed: 予約は不要, 申し込みはいりません.
const NOT_NEEDED: &[&str] = &[
    "不要",
    "不用",
    "いりません",
    "いらない",
    "必要ありません",
    "必要はありません",
    "必要ない",
    "必要なし",
    "なしで",
    "なし",
    "なくても",
];

const WHEELCHAIR: &[&str] = &[
    "車いす",
    "車椅子",
    "くるまいす",
    "車いすの方",
    "車いす利用者",
    "車いす使用者",
    "車いすをご利用の方",
];
const PICKUP: &[&str] = &["送迎", "送り迎え", "お迎え"];
const PARKING: &[&str] = &["駐車場", "駐車スペース", "駐車"];
const DEMENTIA: &[&str] = &[
    "認知症の方",
    "認知症の方々",
    "認知症のある方",
    "認知症がある方",
    "認知症の人",
    "認知症のある人",
    "認知症の本人",
    "認知症の当事者",
];
const BOOKING: &[&str] = &[
    "予約",
    "ご予約",
    "事前予約",
    "事前の予約",
    "申込",
    "申込み",
    "申し込み",
    "お申込",
    "お申込み",
    "お申し込み",
    "事前申込",
    "事前の申し込み",
    "事前の申込",
];
const CARE_NEEDS: &[&str] = &[
    "要介護",
    "要介護認定",
    "要介護状態",
    "介護が必要な方",
    "介護の必要な方",
    "介護が必要な人",
    "介護認定を受けている方",
];
const BEGINNERS: &[&str] = &[
    "初心者",
    "初心者の方",
    "初めての方",
    "はじめての方",
    "初めての人",
    "はじめての人",
    "初めて参加される方",
    "初めての参加",
    "初参加の方",
    "未経験",
    "未経験者",
    "未経験の方",
    "経験のない方",
    "経験がない方",
    "経験の浅い方",
];
const TRIAL: &[&str] = &["見学", "見学会", "体験", "体験会", "体験入会", "お試し"];

/// The rules, one line each: fact, keys, grant words, largest gap.
#[rustfmt::skip]
pub static RULES: &[Rule] = &[
    rule(F(Feature::Wheelchair), WHEELCHAIR, &[MAY, &["対応", "のまま", "入れ"]], 8),
    phrase(F(Feature::Wheelchair), &["バリアフリー"]),
    rule(F(Feature::Pickup), PICKUP, &[THERE, MAY, FETCH], 4),
    rule(F(Feature::Parking), PARKING, &[THERE, MAY, &["使え", "停め", "止め", "とめ", "無料"]], 6),
    rule(F(Feature::Parking), &["p"], &[THERE], 1),
    rule(F(Feature::DementiaFriendly), DEMENTIA, &[MAY, &["ご一緒", "一緒に", "いっしょに", "共に", "ともに"]], 8),
    phrase(F(Feature::DementiaFriendly), &["認知症カフェ", "オレンジカフェ"]),
    rule(F(Feature::Reservation), BOOKING, &[NEEDED], 5),
    rule(F(Feature::Reservation), BOOKING, &[&["までに"]], 10),
    phrase(F(Feature::Reservation), &[
        "要予約", "予約制", "完全予約制", "事前予約制", "要申込", "要申込み", "要申し込み",
        "要事前申込", "要事前申し込み", "申込制", "申し込み制", "事前申込制", "登録制", "要登録",
    ]),
    rule(F(Feature::Trial), TRIAL, &[MAY, THERE, &["自由", "受付", "参加"]], 4),
    phrase(F(Feature::Trial), &["無料体験", "体験参加", "お試し参加", "お試し利用", "お試し入会"]),
    rule(W(Who::MenWelcome), &["男性", "男性の方", "男の方"], &[MAY, ONLY, &["募集", "向け", "中心"]], 4),
    rule(W(Who::WomenOnly), &["女性", "女性の方", "女の方"], &[ONLY], 3),
    rule(W(Who::CareNeedsOk), CARE_NEEDS, &[MAY], 10),
    rule(W(Who::BeginnersWelcome), BEGINNERS, &[MAY, &["安心", "向け", "コース", "クラス", "講座", "丁寧", "手ほどき"]], 6),
    rule(W(Who::BeginnersWelcome), BEGINNERS, &[&["も", "でも", "から"]], 0),
    phrase(W(Who::BeginnersWelcome), &["経験不問"]),
    phrase(W(Who::AloneOk), &[
        "お一人でも", "おひとりでも", "お一人様でも", "おひとりさまでも", "お一人での参加",
        "おひとりでの参加", "お一人で参加", "おひとりで参加",
    ]),
    rule(W(Who::AloneOk), &["一人でも", "ひとりでも", "1人でも"], &[MAY, &["安心", "参加"]], 4),
    rule(W(Who::NoReservation), BOOKING, &[NOT_NEEDED], 3),
    phrase(W(Who::NoReservation), &[
        "予約不要", "予約なし", "予約不用", "申込不要", "申込み不要", "申し込み不要",
        "お申込み不要", "お申し込み不要", "事前申込不要", "事前予約不要", "当日受付",
        "出入り自由", "飛び入り参加",
    ]),
    rule(W(Who::NoReservation), &["当日参加", "当日の参加", "飛び入り"], &[MAY], 2),
];

/// Words after a key that take the fact back: 駐車場はありません, 男性不可,
/// 車いすでの参加は難しい, 送迎できない場合があります.
const DENIALS: &[&str] = &[
    "ない",
    "なく",
    "なし",
    "無",
    "ません",
    "できず",
    "おらず",
    "ならず",
    "不可",
    "不可能",
    "不要",
    "不用",
    "難しい",
    "難しく",
    "困難",
    "遠慮",
    "お断り",
    "断り",
    "対象外",
    "除く",
    "除き",
    "除いて",
    "禁止",
    "かねます",
    "かねる",
    "×",
    "✕",
    "✖",
    "だめ",
    "場合",
    "予定",
    "検討",
    "準備中",
    "休止",
    "中止",
    "停止",
    "終了",
];

/// Words read as themselves so that no key or denial is seen inside them:
/// 無料 is not 無, 遠慮なく is not 遠慮, 車いす用トイレ is not 車いす.
const NEUTRAL: &[&str] = &[
    "無料",
    "無償",
    "無休",
    "年中無休",
    "問わず",
    "関係なく",
    "おもてなし",
    "おはなし",
    "あんない",
    "掃除",
    "除草",
    "除雪",
    "一人でも多く",
    "ひとりでも多く",
    "1人でも多く",
    "お一人でも多く",
    "一人暮らし",
    "ひとり暮らし",
    "独り暮らし",
    "一人ひとり",
    "一人一人",
    "車いす用",
    "車いすトイレ",
    "車いす対応トイレ",
    "車いす駐車",
    "車いすの貸出",
    "車いすの貸し出し",
    "車いす貸出",
    "車いす貸し出し",
    "車いすの貸与",
    "車いす貸与",
    "車いすマーク",
    "バリアフリートイレ",
    "認知症予防",
    "認知症サポーター",
    "コインパーキング",
    "女性スタッフ",
    "男性スタッフ",
    "女性職員",
    "工場見学",
    "社会見学",
    "体験談",
    "体験学習",
    "農業体験",
    "農作業体験",
    "戦争体験",
];

/// Spellings folded into one before matching. Each pair has the same length
/// in bytes, so offsets into the folded text stay offsets into the
/// normalised one.
const SPELLINGS: &[(&str, &str)] = &[
    ("車椅子", "車いす"),
    ("有り", "あり"),
    ("無し", "なし"),
    ("出来", "でき"),
];

/// What a character does to clauses. One `match`, because this runs for
/// every character of every text imported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharRole {
    /// 。、．！？, line breaks, 「」, `/`, ※ and bullets end a clause.
    End,
    /// A parenthesis opens a clause of its own…
    Open,
    /// …and closing it returns to the clause around it.
    Close,
    /// May begin one of [`CLAUSE_WORDS`].
    WordStart,
    /// May be a clause-joining が.
    Ga,
    Plain,
}

fn char_role(c: char) -> CharRole {
    match c {
        '。' | '.' | '!' | '?' | '\n' | '\r' | '\t' | '、' | ',' | '「' | '」' | '『' | '』'
        | ';' | '/' | '|' | '※' | '■' | '□' | '●' | '◆' | '◇' | '★' | '☆' | '♪' => {
            CharRole::End
        }
        '(' | '[' | '{' | '【' | '〔' | '〈' | '《' => CharRole::Open,
        ')' | ']' | '}' | '】' | '〕' | '〉' | '》' => CharRole::Close,
        'け' | 'も' | 'た' | '但' => CharRole::WordStart,
        'が' => CharRole::Ga,
        _ => CharRole::Plain,
    }
}

/// Words that end a clause and belong to neither side (each begins with a
/// [`CharRole::WordStart`] character).
const CLAUSE_WORDS: &[&str] = &["けれども", "けれど", "けど", "ものの", "ただし", "但し"];
/// Endings after which が joins two clauses (ありますが, ないが).
const BEFORE_JOINING_GA: &[&str] = &["ます", "です", "せん", "ない", "ある", "だ"];

/// Listing facts of a record, from its description, target, fee and
/// schedule texts and name, in that order; each fact once, with the first
/// phrase that grants it.
pub fn facts_of(record: &Record) -> Vec<ListingFact> {
    let fields = [
        ("description", record.description.as_deref()),
        ("target", record.target.as_deref()),
        ("fee_text", record.fee_text.as_deref()),
        ("schedule_text", record.schedule_text.as_deref()),
        ("name", Some(record.name.as_str())),
    ];
    let mut out = Vec::new();
    for (field, text) in fields {
        if let Some(text) = text {
            read_into(field, text, &mut out);
        }
    }
    out
}

/// Listing facts of one text, as [`facts_of`] reads each field.
pub fn facts_in(field: &str, text: &str) -> Vec<ListingFact> {
    let mut out = Vec::new();
    read_into(field, text, &mut out);
    out
}

/// Normalises and folds a text for matching against the vocabulary.
fn fold(normalized: &str) -> String {
    let mut folded = fold_kana(normalized);
    for (from, to) in SPELLINGS {
        if folded.contains(from) {
            folded = folded.replace(from, to);
        }
    }
    folded
}

struct Term {
    text: String,
    chars: usize,
    /// ASCII words (ok, p) match only between non-ASCII-alphanumerics.
    ascii: bool,
    denies: bool,
    key_of: Vec<usize>,
    grant_of: Vec<usize>,
}

struct Vocabulary {
    terms: Vec<Term>,
    /// The first characters of terms, sorted, and for each the ids of the
    /// terms starting with it, longest first. A sorted list is searched
    /// faster than a SipHash map for the few dozen characters there are.
    first_chars: Vec<char>,
    by_first: Vec<Vec<usize>>,
    /// Bit `c % 128` set for every first character: most characters of a
    /// text are ruled out by one AND.
    first_mask: u128,
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::build);

impl Vocabulary {
    fn build() -> Vocabulary {
        let mut terms: Vec<Term> = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut id = |word: &str, terms: &mut Vec<Term>| -> usize {
            let text = fold(&normalize(word).text);
            *ids.entry(text.clone()).or_insert_with(|| {
                terms.push(Term {
                    chars: text.chars().count(),
                    ascii: text.is_ascii(),
                    text,
                    denies: false,
                    key_of: Vec::new(),
                    grant_of: Vec::new(),
                });
                terms.len() - 1
            })
        };
        for (r, rule) in RULES.iter().enumerate() {
            for key in rule.keys {
                let t = id(key, &mut terms);
                terms[t].key_of.push(r);
            }
            for word in rule.grants.iter().flat_map(|g| g.iter()) {
                let t = id(word, &mut terms);
                if !terms[t].grant_of.contains(&r) {
                    terms[t].grant_of.push(r);
                }
            }
        }
        for word in DENIALS {
            let t = id(word, &mut terms);
            terms[t].denies = true;
        }
        for word in NEUTRAL {
            id(word, &mut terms);
        }
        let mut first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, term) in terms.iter().enumerate() {
            if let Some(c) = term.text.chars().next() {
                first.entry(c).or_default().push(i);
            }
        }
        let mut first: Vec<(char, Vec<usize>)> = first.into_iter().collect();
        first.sort_unstable_by_key(|(c, _)| *c);
        for (_, list) in &mut first {
            list.sort_by_key(|&i| std::cmp::Reverse(terms[i].text.len()));
        }
        let first_mask = first
            .iter()
            .fold(0u128, |mask, (c, _)| mask | 1 << (*c as u32 % 128));
        let (first_chars, by_first) = first.into_iter().unzip();
        Vocabulary {
            terms,
            first_chars,
            by_first,
            first_mask,
        }
    }

    fn starting_with(&self, c: char) -> &[usize] {
        if self.first_mask & 1 << (c as u32 % 128) == 0 {
            return &[];
        }
        match self.first_chars.binary_search(&c) {
            Ok(i) => &self.by_first[i],
            Err(_) => &[],
        }
    }

    fn keys_other_fact(&self, term: usize, fact: Fact) -> bool {
        self.terms[term]
            .key_of
            .iter()
            .any(|&r| RULES[r].fact != fact)
    }
}

/// One clause: its folded text and, per character, where that character
/// starts in the folded text of the field.
#[derive(Default)]
struct Clause {
    text: String,
    starts: Vec<usize>,
}

/// A vocabulary word found in a clause, in characters of the clause.
struct Token {
    term: usize,
    start: usize,
    end: usize,
}

/// Characters [`normalize`] leaves as they are whatever surrounds them: no
/// width, case, wave, dash or ヶ variant, and nothing that attaches to a
/// neighbour. Most listings are written in these alone, and normalising
/// them would cost more than everything else done here.
fn unchanged_by_normalize(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{3096}' // hiragana
        | '\u{30A1}'..='\u{30F4}' // katakana up to ヴ; not ヵ ヶ
        | 'ー' | '・'
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '々' | '、' | '。' | '〜' | '「'..='】' | '※'
        | 'a'..='z' | '0'..='9' | ' ' | '\n' | '\t'
        | '.' | ',' | ':' | ';' | '/' | '(' | ')' | '!' | '?' | '%' | '&' | '+' | '=')
}

/// Where the characters of the matched text are in the text as written.
enum Written {
    /// The text needed no normalising: offsets are the same.
    Same,
    Normalized(Normalized),
}

impl Written {
    fn original_offset(&self, at: usize) -> usize {
        match self {
            Written::Same => at,
            Written::Normalized(n) => n.original_offset(at),
        }
    }
}

fn read_into(field: &str, text: &str, out: &mut Vec<ListingFact>) {
    let written = if text.chars().all(unchanged_by_normalize) {
        Written::Same
    } else {
        Written::Normalized(normalize(text))
    };
    let folded = fold(match &written {
        Written::Same => text,
        Written::Normalized(n) => &n.text,
    });
    let mut tokens = Vec::new();
    for_each_clause(&folded, |clause| {
        if clause.starts.len() > MAX_CLAUSE_CHARS {
            return;
        }
        scan(&clause.text, &mut tokens);
        for (fact, (a, b)) in grants(&tokens) {
            if out.iter().any(|f| f.fact == fact) {
                continue;
            }
            out.push(ListingFact {
                fact,
                phrase: phrase_of(text, &written, &folded, clause, a, b),
                field: field.to_string(),
                decision: None,
            });
        }
    });
}

/// Cuts the folded text into clauses and hands each to `read`: each
/// parenthesis is a clause of its own (read when it closes), and the text
/// around it one clause. The clause buffers are reused, because this runs
/// for every text imported.
fn for_each_clause(folded: &str, mut read: impl FnMut(&Clause)) {
    // The open clause at each parenthesis depth; those above `depth` are
    // spare buffers.
    let mut open: Vec<Clause> = vec![Clause::default()];
    let mut depth = 0;
    let mut finish = |clause: &mut Clause| {
        if !clause.text.trim().is_empty() {
            read(clause);
        }
        clause.text.clear();
        clause.starts.clear();
    };
    let mut skip_to = 0;
    for (at, c) in folded.char_indices() {
        if at < skip_to {
            continue;
        }
        let ends = match char_role(c) {
            CharRole::Plain => false,
            CharRole::End => true,
            CharRole::WordStart => {
                let rest = &folded[at..];
                match CLAUSE_WORDS.iter().find(|w| rest.starts_with(*w)) {
                    Some(word) => {
                        skip_to = at + word.len();
                        true
                    }
                    None => false,
                }
            }
            CharRole::Ga => BEFORE_JOINING_GA.iter().any(|e| folded[..at].ends_with(e)),
            CharRole::Open => {
                depth += 1;
                if open.len() <= depth {
                    open.push(Clause::default());
                }
                continue;
            }
            CharRole::Close if depth > 0 => {
                finish(&mut open[depth]);
                depth -= 1;
                continue;
            }
            // An unmatched closer ends the clause.
            CharRole::Close => true,
        };
        let clause = &mut open[depth];
        if ends {
            finish(clause);
        } else {
            clause.text.push(c);
            clause.starts.push(at);
        }
    }
    for clause in open[..=depth].iter_mut().rev() {
        finish(clause);
    }
}

/// The vocabulary words of a clause, longest first at each place, left to
/// right without overlap.
fn scan(text: &str, tokens: &mut Vec<Token>) {
    let v = &*VOCABULARY;
    tokens.clear();
    let mut at = 0;
    let mut chars = 0;
    'outer: while let Some(c) = text[at..].chars().next() {
        for &t in v.starting_with(c) {
            let term = &v.terms[t];
            let end = at + term.text.len();
            if text[at..].starts_with(&term.text) && (!term.ascii || ascii_word(text, at, end)) {
                tokens.push(Token {
                    term: t,
                    start: chars,
                    end: chars + term.chars,
                });
                at = end;
                chars += term.chars;
                continue 'outer;
            }
        }
        at += c.len_utf8();
        chars += 1;
    }
}

/// Whether `text[start..end]` stands between characters that are not ASCII
/// letters or digits (so `p` in 「P有」 is a key and in 「shop」 is not).
fn ascii_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The facts a clause grants, each with the character span from its key to
/// its grant word.
fn grants(tokens: &[Token]) -> Vec<(Fact, (usize, usize))> {
    let v = &*VOCABULARY;
    let mut found: Vec<(Fact, (usize, usize))> = Vec::new();
    for (k, key) in tokens.iter().enumerate() {
        for &r in &v.terms[key.term].key_of {
            let rule = &RULES[r];
            if found.iter().any(|(f, _)| *f == rule.fact) {
                continue;
            }
            let grant = if rule.grants.is_empty() {
                Some(k)
            } else {
                tokens[k + 1..]
                    .iter()
                    .take_while(|t| t.start - key.end <= rule.max_gap)
                    .position(|t| v.terms[t.term].grant_of.contains(&r))
                    .map(|p| k + 1 + p)
            };
            let Some(g) = grant else { continue };
            // A denial speaks of the key before it, up to the key of another
            // fact that comes after the grant word.
            let scope_end = tokens[g + 1..]
                .iter()
                .position(|t| v.keys_other_fact(t.term, rule.fact))
                .map_or(tokens.len(), |p| g + 1 + p);
            let denied = (k..scope_end).any(|j| j != g && v.terms[tokens[j].term].denies);
            if !denied {
                found.push((rule.fact, (key.start, tokens[g].end)));
            }
        }
    }
    found
}

/// The words of the clause around a match, as written in the original text:
/// the whole clause when short, else a window of [`MAX_PHRASE_CHARS`]
/// around the key and grant word.
fn phrase_of(
    original: &str,
    written: &Written,
    folded: &str,
    clause: &Clause,
    a: usize,
    b: usize,
) -> String {
    let n = clause.starts.len();
    let (lo, hi) = if n <= MAX_PHRASE_CHARS {
        (0, n)
    } else if b - a >= MAX_PHRASE_CHARS {
        (a, a + MAX_PHRASE_CHARS)
    } else {
        let room = MAX_PHRASE_CHARS - (b - a);
        let left = a.min(room / 2);
        let right = (n - b).min(room - left);
        let left = a.min(room - right);
        (a - left, b + right)
    };
    let span = |lo: usize, hi: usize| -> Option<&str> {
        let start = *clause.starts.get(lo)?;
        let last = *clause.starts.get(hi.checked_sub(1)?)?;
        let end = last + folded[last..].chars().next()?.len_utf8();
        let (s, e) = (written.original_offset(start), written.original_offset(end));
        original.get(s..e.max(s))
    };
    let trim = |s: &str| {
        s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '・' | ':' | '：'))
            .to_string()
    };
    match span(lo, hi) {
        // A parenthesis inside the window can make the written text long.
        Some(s) if s.chars().count() <= 2 * MAX_PHRASE_CHARS => trim(s),
        _ => {
            // Key and grant word can stand around a long parenthesis too:
            // then the phrase is the start of what lies between them.
            let s = trim(span(a, b).unwrap_or_default());
            match s.char_indices().nth(2 * MAX_PHRASE_CHARS) {
                Some((cut, _)) => trim(&s[..cut]),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(field: &str, text: &str) -> Vec<&'static str> {
        let mut c: Vec<_> = facts_in(field, text)
            .iter()
            .map(|f| f.fact.code())
            .collect();
        c.sort_unstable();
        c
    }

    /// Every character of the shortcut, alone, after katakana and before a
    /// character that could attach, is what `normalize` would give.
    #[test]
    fn the_shortcut_leaves_only_what_normalize_would_leave() {
        let ranges = [
            ('\u{0}', '\u{7F}'),
            ('\u{3000}', '\u{30FF}'),
            ('\u{4E00}', '\u{9FFF}'),
        ];
        let mut checked = 0;
        for c in ranges.iter().flat_map(|(a, b)| *a..=*b) {
            if !unchanged_by_normalize(c) {
                continue;
            }
            checked += 1;
            for text in [
                format!("{c}"),
                format!("ア{c}"),
                format!("{c}ア"),
                format!("{c}{c}"),
            ] {
                assert_eq!(normalize(&text).text, text, "{c:?} (U+{:04X})", c as u32);
            }
        }
        assert!(checked > 20_000, "{checked}");
    }

    #[test]
    fn spellings_keep_byte_offsets() {
        for (from, to) in SPELLINGS {
            assert_eq!(from.len(), to.len(), "{from} → {to}");
        }
    }

    #[test]
    fn every_rule_word_survives_folding() {
        for rule in RULES {
            assert!(!rule.keys.is_empty());
            for word in rule
                .keys
                .iter()
                .chain(rule.grants.iter().flat_map(|g| g.iter()))
            {
                assert!(!fold(&normalize(word).text).is_empty(), "{word}");
            }
        }
    }

    #[test]
    fn phrases_are_the_clause_as_written() {
        let f = facts_in(
            "description",
            "毎週体操をしています。駐車場（無料）有り、送迎は行っていません",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].fact, Fact::Feature(Feature::Parking));
        assert_eq!(f[0].phrase, "駐車場（無料）有り");
        assert_eq!(f[0].field, "description");
        let f = facts_in("target", "ＰＡＲＫＩＮＧなし、Ｐ有");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].phrase, "Ｐ有");
    }

    #[test]
    fn long_clauses_give_a_window_around_the_match() {
        let text = format!(
            "{}車いすの方も参加できます{}",
            "あ".repeat(100),
            "い".repeat(100)
        );
        let f = facts_in("description", &text);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].phrase.contains("車いすの方も参加でき"),
            "{}",
            f[0].phrase
        );
        assert_eq!(f[0].phrase.chars().count(), MAX_PHRASE_CHARS);
    }

    /// Found by the property test: a key and its grant word on either side
    /// of a long parenthesis gave a phrase longer than any kept.
    #[test]
    fn a_long_parenthesis_between_key_and_grant_keeps_the_phrase_short() {
        let text = format!(
            "認知症の方(要予約{})駐車場駐車場可駐車場",
            "駐車場".repeat(26)
        );
        for f in facts_in("description", &text) {
            assert!(!f.phrase.is_empty() && text.contains(&f.phrase));
            assert!(
                f.phrase.chars().count() <= 2 * MAX_PHRASE_CHARS,
                "{}",
                f.phrase
            );
        }
    }

    #[test]
    fn each_fact_once_with_its_first_phrase() {
        let record: Record = serde_json::from_value(serde_json::json!({
            "id": "x", "kind": "kayoi", "name": "女性限定ヨガ", "categories": ["exercise"],
            "description": "送迎あり。女性のみの教室です。送迎もします",
            "target": "初心者歓迎",
        }))
        .unwrap();
        let f = facts_of(&record);
        let got: Vec<(&str, &str, &str)> = f
            .iter()
            .map(|f| (f.fact.code(), f.phrase.as_str(), f.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("pickup", "送迎あり", "description"),
                ("women_only", "女性のみの教室です", "description"),
                ("beginners_welcome", "初心者歓迎", "target"),
            ]
        );
    }

    #[test]
    fn a_denial_speaks_only_of_its_own_clause_and_key() {
        assert_eq!(codes("d", "駐車場はありませんが、送迎します"), ["pickup"]);
        assert_eq!(codes("d", "駐車場はありませんが送迎します"), ["pickup"]);
        assert_eq!(codes("d", "送迎あり 駐車場なし"), ["pickup"]);
        assert_eq!(codes("d", "駐車場・送迎はありません"), Vec::<&str>::new());
        assert_eq!(codes("d", "女性限定で男性不可"), ["women_only"]);
        assert_eq!(
            codes("d", "送迎あり（予約不要）"),
            ["no_reservation", "pickup"]
        );
    }

    #[test]
    fn unbalanced_and_nested_brackets_do_not_panic() {
        for text in [
            "))送迎あり((",
            "((((駐車場あり",
            "送迎)あり(",
            "（（（）））",
            "】【",
            "",
        ] {
            let _ = facts_in("d", text);
        }
        assert_eq!(codes("d", "駐車場（広い（50台））あり"), ["parking"]);
    }

    #[test]
    fn hostile_texts_cost_little() {
        let texts = [
            format!("{}ない", "駐車場あり".repeat(4_000)),
            format!("{}ない", "駐車場あり、".repeat(3_000)),
            "駐車場あり男性".repeat(2_800),
            "(".repeat(20_000),
            "駐車場(".repeat(5_000),
        ];
        let started = std::time::Instant::now();
        for text in &texts {
            let _ = facts_in("description", text);
        }
        // Debug builds included; quadratic work would take minutes.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // A run without punctuation longer than a clause is not read.
        assert!(facts_in("d", &format!("{}駐車場あり", "あ".repeat(MAX_CLAUSE_CHARS))).is_empty());
        assert_eq!(
            codes(
                "d",
                &format!("{}、駐車場あり", "あ".repeat(MAX_CLAUSE_CHARS))
            ),
            ["parking"]
        );
    }

    #[test]
    fn ascii_keys_need_word_edges() {
        assert_eq!(codes("d", "P有"), ["parking"]);
        assert_eq!(codes("d", "shop有"), Vec::<&str>::new());
        assert_eq!(codes("d", "見学OK"), ["trial"]);
        assert_eq!(codes("d", "見学book"), Vec::<&str>::new());
    }
}
