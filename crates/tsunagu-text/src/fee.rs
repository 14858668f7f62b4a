//! Fees as published, turned into yen and a unit: 無料 → 0 per visit;
//! 1回300円（お茶代込み） → 300 per visit; 月額1,000円 → 1,000 per month (the fee
//! per visit is then unknown: the unit is kept, never divided); 1食450円 →
//! per meal; 実費, 要相談 → unknown.
//!
//! A fee priced by time is per hour with the minutes one priced unit lasts
//! and that unit's price, which is the least one use costs: 1時間600円 and
//! 60分600円 → 600 for 60 minutes, 30分300円 → 300 for 30 minutes (never
//! converted to an hourly rate). An extension rate after it is read and
//! left aside: 1時間600円（以降30分毎300円）, 1時間600円、延長30分300円 → 600
//! for 60 minutes. Only 15, 30 and 60 minutes (1時間) are read; 2時間,
//! 1時間30分, 90分 stay unknown, as does a wage (時給, 日給), which is paid to
//! the participant, not by them.
//!
//! What cannot be read without guessing is unknown (`yen: None`, unit
//! `unknown`), never an amount:
//!
//! * negative amounts (-300円, −300円, ▲300円, △300円, マイナス300円, ー300円);
//! * amounts above [`MAX_FEE_YEN`], numbers too long to be a price, badly
//!   grouped thousands (1,00円), decimals, and 万/千/百 mixed with digits
//!   (5千円, 2万5千円);
//! * two different amounts that are not a range or a time fee's extension
//!   rate (1回300円、2回目以降500円,
//!   初乗り710円＋介助料500円), an open range (1,500円～), or two units
//!   (年会費1,200円＋1時間800円);
//! * left-over words that change the price: ＋, 別, 実費, 以上, 以降, 割引,
//!   片道, 謝礼, 負担, 会員 …, and digits nothing read (1点500円, 2時間1,000円);
//! * 無料 said only of a part (灯油代のみ（配達料無料）, 初回無料).
//!
//! Harmless remarks stay ignored: お茶代込み, （食事代）, （要予約）, 程度, 約.
//! Texts longer than [`MAX_FEE_CHARS`] are unknown without being read.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use unicode_normalization::UnicodeNormalization;

pub use tsunagu_model::{FeeKnowledge as ParsedFee, FeeUnit};

/// Fee texts longer than this many characters are unknown without being
/// read: a published fee is a few words, and the bound keeps the cost of a
/// hostile `fee_text` at nothing.
pub const MAX_FEE_CHARS: usize = 500;

/// The largest amount read as a fee. Above it (a misplaced digit, a year
/// written as yen) the fee is unknown.
pub const MAX_FEE_YEN: u64 = 1_000_000;

const UNKNOWN: ParsedFee = ParsedFee {
    yen: None,
    unit: FeeUnit::Unknown,
    minutes: None,
};

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

const KANJI_DIGITS: &str = "〇一二三四五六七八九";
const KANJI_NUMERALS: &str = "〇一二三四五六七八九十百千万億";

/// 百円 → 100円, 五百円 → 500円, 千円 → 1000円, 三千円 → 3000円. `None` when
/// a kanji amount is not one of these forms (三千五円, 5百円, 一万五千円).
fn kanji_yen(text: &str) -> Option<String> {
    static K: LazyLock<Regex> =
        LazyLock::new(|| regex(r"([一二三四五六七八九]?)(千)?([一二三四五六七八九]?)(百)?円"));
    let d = |s: &str| {
        KANJI_DIGITS
            .chars()
            .position(|x| s.starts_with(x))
            .map(|n| n as u64)
    };
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for c in K.captures_iter(text) {
        let m = c.get(0)?;
        if c.get(2).is_none() && c.get(4).is_none() {
            continue;
        }
        let before = text[..m.start()].chars().next_back();
        if before.is_some_and(|b| b.is_numeric() || KANJI_NUMERALS.contains(b) || b == ',') {
            return None;
        }
        let n = match (&c[1], c.get(2).is_some(), &c[3], c.get(4).is_some()) {
            // 千円, 三千円, 三千五百円, 千百円
            (a, true, b, hundreds) => {
                let thousands = if a.is_empty() { 1 } else { d(a)? };
                let h = match (b, hundreds) {
                    ("", false) => 0,
                    ("", true) => 1,
                    (b, true) => d(b)?,
                    // 三千五円
                    (_, false) => return None,
                };
                1000 * thousands + 100 * h
            }
            // 百円, 三百円
            (a, false, "", true) => 100 * if a.is_empty() { 1 } else { d(a)? },
            _ => return None,
        };
        out.push_str(&text[last..m.start()]);
        out.push_str(&format!("{n}円"));
        last = m.end();
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// What is known of a record's fee: `fee_yen` (per visit) when given, else
/// its parsed `fee_text`.
pub fn fee_of(record: &tsunagu_model::Record) -> ParsedFee {
    if let Some(yen) = record.fee_yen {
        return ParsedFee {
            yen: Some(yen),
            unit: FeeUnit::PerVisit,
            minutes: None,
        };
    }
    record.fee_text.as_deref().map(parse_fee).unwrap_or(UNKNOWN)
}

/// Reads a published fee; unknown when it cannot be read without guessing.
pub fn parse_fee(text: &str) -> ParsedFee {
    read_fee(text).unwrap_or(UNKNOWN)
}

/// Yen written with ASCII digits and thousands separators.
fn yen(digits: &str) -> Option<u64> {
    let mut groups = digits.split(',');
    let first = groups.next()?;
    if first.is_empty() {
        return None;
    }
    let rest: Vec<&str> = groups.collect();
    if !rest.is_empty() && (first.len() > 3 || rest.iter().any(|g| g.len() != 3)) {
        return None;
    }
    let plain: String = digits.chars().filter(|c| *c != ',').collect();
    // Seven digits hold every amount up to the cap; more cannot be a fee
    // (and could overflow).
    if plain.is_empty() || plain.len() > 7 {
        return None;
    }
    let n: u64 = plain.parse().ok()?;
    (n <= MAX_FEE_YEN).then_some(n)
}

/// Signs that make the amount after them negative.
fn negative_before(before: &str) -> bool {
    let mut rev = before.chars().rev();
    match rev.next() {
        Some('-' | '▲' | '△' | '▼') => true,
        // ー after katakana is a long vowel (コーヒー300円), else a minus.
        Some('ー') => !rev.next().is_some_and(is_katakana),
        _ => before.ends_with("マイナス"),
    }
}

/// Words left over that change the price.
const MEANINGFUL_WORDS: [&str; 44] = [
    "マイナス",
    "プラス",
    "実費",
    "別",
    "以上",
    "以下",
    "以降",
    "未満",
    "から",
    "より",
    "目",
    "初",
    "割",
    "引",
    "半額",
    "増",
    "追加",
    "加算",
    "負担",
    "謝礼",
    "寄付",
    "寄附",
    "任意",
    "往復",
    "片道",
    "距離",
    "異な",
    "応じ",
    "により",
    "による",
    "変動",
    "会員",
    "非",
    "各自",
    "場合",
    "ただし",
    "但",
    "または",
    "又は",
    "もしくは",
    "除",
    "見積",
    "相談",
    "日額",
];

/// Characters left over that change the price: numbers, signs and open
/// ranges.
const MEANINGFUL_CHARS: &str = "〇一二三四五六七八九十百千万億円+-▲△▼〜?";

fn meaningful(rest: &str) -> bool {
    crate::leftover::meaningful(rest, MEANINGFUL_CHARS, &MEANINGFUL_WORDS)
}

fn is_katakana(c: char) -> bool {
    ('ァ'..='ヺ').contains(&c)
}

/// 「ー300」: a long-vowel mark not after katakana, before a digit, is a minus.
fn has_minus_bar(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    chars.windows(2).enumerate().any(|(i, w)| {
        w[0] == 'ー'
            && w[1].is_ascii_digit()
            && !i.checked_sub(1).is_some_and(|j| is_katakana(chars[j]))
    })
}

fn read_fee(text: &str) -> Option<ParsedFee> {
    if text.chars().nth(MAX_FEE_CHARS).is_some() {
        return None;
    }
    let t: String = text
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〜' | '~' | '∼' | '〰' => '〜',
            '−' | '‐' | '‑' | '–' | '—' | '―' | '⁻' | '₋' => '-',
            '＋' | '⁺' | '₊' => '+',
            '？' => '?',
            other => other,
        })
        .collect();
    let t = kanji_yen(&t)?.replace("ワンコイン", "500円");
    if t.is_empty() {
        return None;
    }
    const UNKNOWN_WORDS: [&str; 14] = [
        "実費",
        "要相談",
        "応相談",
        "による",
        "により",
        "問い合わせ",
        "お問合せ",
        "未定",
        // Money paid to the participant (就労的活動), not a fee.
        "時給",
        "日給",
        "給与",
        "給料",
        "賃金",
        "報酬",
    ];
    if UNKNOWN_WORDS.iter().any(|w| t.contains(w)) || has_minus_bar(&t) {
        return None;
    }
    // An extension rate after a time fee (（以降30分毎300円）, 延長1時間500円)
    // does not change what one use costs at least; it is read here and the
    // fee must then be priced by time.
    static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"[(]?(?:以降|以後|延長|超過分?)(?:は)?(?:(?:15|30|60)分|(?:1|一)時間)(?:毎|ごと|につき|あたり)?(?:に)?[0-9][0-9,]*円[)]?",
        )
    });
    let extended = EXTENSION.is_match(&t);
    let t = if extended {
        EXTENSION.replace_all(&t, "").into_owned()
    } else {
        t
    };
    let mut used = vec![false; t.len()];
    let take = |used: &mut Vec<bool>, r: std::ops::Range<usize>| {
        if let Some(u) = used.get_mut(r) {
            u.fill(true);
        }
    };
    // Amounts: 300円, 1,000円, 1万円, and ranges 100円〜300円, 200〜500円.
    static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?P<a>[0-9][0-9,]*)円?[〜-](?P<b>[0-9][0-9,]*)円|(?P<man>[0-9]+)万円|(?P<n>[0-9][0-9,]*)円",
        )
    });
    let mut amounts: Vec<(usize, u64)> = Vec::new();
    for c in AMOUNT.captures_iter(&t) {
        let m = c.get(0)?;
        let before = &t[..m.start()];
        // 1.5円, 5千1000円, a minus sign.
        if before
            .chars()
            .next_back()
            .is_some_and(|b| b.is_numeric() || KANJI_NUMERALS.contains(b) || ".,".contains(b))
            || negative_before(before)
        {
            return None;
        }
        let y = amount(&c)?;
        amounts.push((m.start(), y));
        take(&mut used, m.range());
    }
    // Units and phrases with digits that are read, and harmless words.
    static READ: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"初回(?:は)?無料[、,・]?(?:2回目以降|2回目から|以降)|初回(?:は)?無料|(?:1|一)回(?:あたり|につき)?|/回|(?:1|一)時間(?:あたり|につき|ごと|毎)?|(?:15|30|60)分(?:あたり|につき|ごと|毎)?|(?:1|一)食|1[かヶカケ]月|(?:お)?(?:1|一)人(?:様)?(?:あたり|につき)?|一律",
        )
    });
    let mut free_read = vec![false; t.len()];
    for m in READ.find_iter(&t) {
        if used.get(m.range()).is_some_and(|u| u.contains(&true)) {
            continue;
        }
        if m.as_str().starts_with("初回") {
            // 初回無料 says nothing of the regular fee, and is not 無料.
            take(&mut free_read, m.range());
        }
        take(&mut used, m.range());
    }
    let rest: String = t
        .char_indices()
        .map(|(b, c)| if used[b] { ' ' } else { c })
        .collect();
    if meaningful(&rest) {
        return None;
    }
    // Parenthesis depth at each byte.
    let mut depth = vec![0u32; t.len()];
    let mut d = 0u32;
    for (b, c) in t.char_indices() {
        if c == ')' {
            d = d.saturating_sub(1);
        }
        depth[b] = d;
        if c == '(' {
            d = d.saturating_add(1);
        }
    }
    // 「無料」 outside parentheses (灯油代のみ（配達料無料） frees only the delivery).
    static FREE: LazyLock<Regex> = LazyLock::new(|| regex(r"無料|無償|タダ"));
    let free = FREE
        .find_iter(&t)
        .any(|m| depth[m.start()] == 0 && !free_read[m.start()]);
    let mut values: Vec<u64> = amounts.iter().map(|(_, y)| *y).collect();
    values.sort_unstable();
    values.dedup();
    let yen = match values.as_slice() {
        [] if free => {
            return Some(ParsedFee {
                yen: Some(0),
                unit: FeeUnit::PerVisit,
                minutes: None,
            });
        }
        [] => return None,
        // 「無料（お茶代のみ50円）」: what is paid is in the remark;
        // 「参加費100円（初回無料）」, 「大人300円・子ども無料」: the fee counts.
        [y] => *y,
        // Two prices: which one applies is not known.
        _ => return None,
    };
    let units = [
        (
            FeeUnit::PerMonth,
            t.contains("月額")
                || t.contains("月会費")
                || t.contains("/月")
                || t.contains("ひと月")
                || t.starts_with('月')
                || t.contains("会費月")
                || t.contains("毎月")
                || t.contains("1か月")
                || t.contains("1ヶ月")
                || t.contains("1カ月")
                || t.contains("1ケ月"),
        ),
        (
            FeeUnit::PerYear,
            t.contains("年会費") || t.contains("年額") || t.contains("/年"),
        ),
        (
            FeeUnit::PerHour,
            t.contains("時間") || t.contains("30分") || t.contains("15分") || t.contains("60分"),
        ),
        (
            FeeUnit::PerMeal,
            t.contains("1食")
                || t.contains("食分")
                || t.contains("食あたり")
                || t.contains("弁当")
                || t.contains("一食"),
        ),
    ];
    let mut named = units.iter().filter(|(_, named)| *named).map(|(u, _)| *u);
    let unit = match (named.next(), named.next()) {
        (None, _) => FeeUnit::PerVisit,
        (Some(u), None) => u,
        // 年会費1,200円＋1時間800円: two units, one amount.
        (Some(_), Some(_)) => return None,
    };
    if extended && unit != FeeUnit::PerHour {
        // 1回500円（延長30分毎200円）: which price is meant is not known.
        return None;
    }
    // The length of one priced unit: 30分250円 → 30. 「1時間30分」 is neither.
    let minutes = match unit {
        FeeUnit::PerHour => {
            let said: Vec<u16> = [("15分", 15), ("30分", 30), ("60分", 60)]
                .into_iter()
                .filter(|(w, _)| t.contains(w))
                .map(|(_, m)| m)
                .collect();
            match (said.as_slice(), t.contains("時間")) {
                ([], true) => Some(60),
                ([m], false) => Some(*m),
                _ => return None,
            }
        }
        _ => None,
    };
    (yen <= MAX_FEE_YEN).then_some(ParsedFee {
        yen: Some(yen),
        unit,
        minutes,
    })
}

/// The yen of one amount match; a range counts as its upper bound so a
/// budget check does not under-estimate.
fn amount(c: &Captures<'_>) -> Option<u64> {
    if let (Some(a), Some(b)) = (c.name("a"), c.name("b")) {
        let (a, b) = (yen(a.as_str())?, yen(b.as_str())?);
        return (a < b).then_some(b);
    }
    if let Some(man) = c.name("man") {
        let n: u64 = if man.as_str().len() <= 3 {
            man.as_str().parse().ok()?
        } else {
            return None;
        };
        let y = n.checked_mul(10_000)?;
        return (y <= MAX_FEE_YEN).then_some(y);
    }
    yen(c.name("n")?.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_examples() {
        let table = [
            ("無料", Some(0), FeeUnit::PerVisit),
            ("参加費100円", Some(100), FeeUnit::PerVisit),
            ("1回300円（お茶代込み）", Some(300), FeeUnit::PerVisit),
            ("月額1,000円", Some(1000), FeeUnit::PerMonth),
            ("実費", None, FeeUnit::Unknown),
            ("参加費100円（初回無料）", Some(100), FeeUnit::PerVisit),
            ("百円", Some(100), FeeUnit::PerVisit),
        ];
        for (text, yen, unit) in table {
            assert_eq!(
                parse_fee(text),
                ParsedFee {
                    yen,
                    unit,
                    minutes: None
                },
                "{text}"
            );
        }
    }

    #[test]
    fn time_fees_keep_one_unit_and_its_price() {
        let table = [
            ("1時間600円", 600, 60),
            ("30分300円", 300, 30),
            ("1時間あたり800円", 800, 60),
            ("60分500円", 500, 60),
            ("1時間 600円（以降30分毎300円）", 600, 60),
        ];
        for (text, yen, minutes) in table {
            let fee = parse_fee(text);
            assert_eq!(
                fee,
                ParsedFee {
                    yen: Some(yen),
                    unit: FeeUnit::PerHour,
                    minutes: Some(minutes)
                },
                "{text}"
            );
            assert_eq!(fee.least_per_use(), Some(yen), "{text}");
            assert_eq!(fee.per_visit(), None, "{text}");
        }
        assert_eq!(
            parse_fee("30分300円").describe_ja().as_deref(),
            Some("30分300円")
        );
        assert_eq!(
            parse_fee("1時間あたり1,200円").describe_ja().as_deref(),
            Some("1時間1,200円")
        );
    }

    #[test]
    fn monthly_and_yearly_fees_keep_their_yen_but_say_nothing_per_use() {
        for (text, yen, unit, words) in [
            ("月額1,000円", 1000, FeeUnit::PerMonth, "月1,000円"),
            ("年会費2,000円", 2000, FeeUnit::PerYear, "年2,000円"),
        ] {
            let fee = parse_fee(text);
            assert_eq!((fee.yen, fee.unit, fee.minutes), (Some(yen), unit, None));
            assert_eq!(fee.least_per_use(), None);
            assert_eq!(fee.describe_ja().as_deref(), Some(words));
        }
    }

    #[test]
    fn an_extension_rate_needs_a_time_fee_before_it() {
        for text in [
            "延長30分300円",
            "1回500円（延長30分毎200円）",
            "月額1,000円（以降30分毎300円）",
        ] {
            assert_eq!(parse_fee(text), UNKNOWN, "{text}");
        }
    }

    #[test]
    fn probe_findings_are_unknown() {
        for text in [
            "-300円",
            "1回300円、2回目以降500円",
            "99999999999999999999999円",
        ] {
            assert_eq!(parse_fee(text), UNKNOWN, "{text}");
        }
    }

    #[test]
    fn huge_texts_are_not_read() {
        assert_eq!(parse_fee(&"1回300円".repeat(200_000)), UNKNOWN);
    }
}
