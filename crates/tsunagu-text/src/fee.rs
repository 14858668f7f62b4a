//! Fees as published, turned into yen and a unit: 無料 → 0 per visit;
//! 1回300円（お茶代込み） → 300 per visit; 月額1,000円 → 1,000 per month (the fee
//! per visit is then unknown: the unit is kept, never divided); 1時間500円 →
//! per hour; 1食450円 → per meal; 実費, 要相談 → unknown.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

pub use tsunagu_model::{FeeKnowledge as ParsedFee, FeeUnit};

const UNKNOWN: ParsedFee = ParsedFee {
    yen: None,
    unit: FeeUnit::Unknown,
};

fn kanji_yen(text: &str) -> String {
    // 百円 → 100円, 五百円 → 500円, 千円 → 1000円, 三千円 → 3000円.
    static K: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([一二三四五六七八九]?)(千)?([一二三四五六七八九]?)(百)?円")
            .expect("static regex")
    });
    K.replace_all(text, |c: &regex::Captures<'_>| {
        let d = |s: &str| {
            "〇一二三四五六七八九"
                .chars()
                .position(|x| s.starts_with(x))
                .unwrap_or(1) as u64
        };
        if c.get(2).is_none() && c.get(4).is_none() {
            return c[0].to_string();
        }
        let mut n = 0;
        if c.get(2).is_some() {
            n += 1000 * if c[1].is_empty() { 1 } else { d(&c[1]) };
            if c.get(4).is_some() {
                n += 100 * if c[3].is_empty() { 1 } else { d(&c[3]) };
            }
        } else if c.get(4).is_some() {
            // No 千: the digit before 百 is its multiplier (三百 = 300).
            let m = if !c[1].is_empty() {
                d(&c[1])
            } else if !c[3].is_empty() {
                d(&c[3])
            } else {
                1
            };
            n += 100 * m;
        }
        format!("{n}円")
    })
    .into_owned()
}

/// What is known of a record's fee: `fee_yen` (per visit) when given, else
/// its parsed `fee_text`.
pub fn fee_of(record: &tsunagu_model::Record) -> ParsedFee {
    if let Some(yen) = record.fee_yen {
        return ParsedFee {
            yen: Some(yen),
            unit: FeeUnit::PerVisit,
        };
    }
    record.fee_text.as_deref().map(parse_fee).unwrap_or(UNKNOWN)
}

pub fn parse_fee(text: &str) -> ParsedFee {
    let t: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    let t = kanji_yen(&t).replace("ワンコイン", "500円");
    if t.is_empty() {
        return UNKNOWN;
    }
    let has_free = t.contains("無料") || t.contains("無償") || t.contains("タダ");
    let has_unknown = [
        "実費",
        "要相談",
        "応相談",
        "による",
        "問い合わせ",
        "お問合せ",
        "未定",
    ]
    .iter()
    .any(|w| t.contains(w));
    static AMOUNT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d[\d,]*)円").expect("static regex"));
    let amounts: Vec<(usize, u64)> = AMOUNT
        .captures_iter(&t)
        .filter_map(|c| {
            let at = c.get(0)?.start();
            c[1].replace(',', "").parse::<u64>().ok().map(|n| (at, n))
        })
        .collect();
    // 「参加費100円（初回無料）」: a price outside the parentheses wins.
    let outside_parens = |at: usize| {
        let before = &t[..at];
        before.matches(['(', '（']).count() <= before.matches([')', '）']).count()
    };
    let main: Vec<u64> = amounts
        .iter()
        .filter(|(at, _)| outside_parens(*at))
        .map(|(_, n)| *n)
        .collect();
    if main.is_empty() {
        // 「無料（お茶代のみ50円）」: what is paid is in the remark.
        if has_free && !has_unknown && !amounts.is_empty() {
            return ParsedFee {
                yen: amounts.iter().map(|(_, n)| *n).max(),
                unit: FeeUnit::PerVisit,
            };
        }
        if amounts.is_empty() && has_free && !has_unknown {
            return ParsedFee {
                yen: Some(0),
                unit: FeeUnit::PerVisit,
            };
        }
        if amounts.is_empty() || has_unknown || has_free {
            return UNKNOWN;
        }
    }
    let candidates = if main.is_empty() {
        amounts.iter().map(|(_, n)| *n).collect()
    } else {
        main
    };
    // A range (100円〜300円): a budget check must not under-estimate.
    let yen = candidates.iter().copied().max();
    let unit = if t.contains("月額")
        || t.contains("月会費")
        || t.contains("/月")
        || t.contains("月500")
        || t.contains("ひと月")
        || t.starts_with("月")
        || t.contains("会費月")
        || t.contains("毎月")
        || t.contains("1か月")
        || t.contains("1ヶ月")
        || t.contains("1カ月")
    {
        FeeUnit::PerMonth
    } else if t.contains("年会費") || t.contains("年額") || t.contains("/年") {
        FeeUnit::PerYear
    } else if t.contains("時間")
        || t.contains("分") && (t.contains("30分") || t.contains("15分") || t.contains("60分"))
    {
        FeeUnit::PerHour
    } else if t.contains("1食")
        || t.contains("食分")
        || t.contains("食あたり")
        || t.contains("弁当")
        || t.contains("一食")
    {
        FeeUnit::PerMeal
    } else {
        FeeUnit::PerVisit
    };
    // 30分250円 → per hour.
    let yen = match (unit, yen) {
        (FeeUnit::PerHour, Some(y)) if t.contains("30分") && !t.contains("時間") => Some(y * 2),
        (FeeUnit::PerHour, Some(y)) if t.contains("15分") && !t.contains("時間") => Some(y * 4),
        _ => yen,
    };
    if has_unknown && candidates.is_empty() {
        return UNKNOWN;
    }
    ParsedFee { yen, unit }
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
            ("1時間500円", Some(500), FeeUnit::PerHour),
            ("参加費100円（初回無料）", Some(100), FeeUnit::PerVisit),
            ("百円", Some(100), FeeUnit::PerVisit),
        ];
        for (text, yen, unit) in table {
            assert_eq!(parse_fee(text), ParsedFee { yen, unit }, "{text}");
        }
    }
}
