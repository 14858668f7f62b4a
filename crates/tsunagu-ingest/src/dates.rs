//! Dates as municipal CSV files write them, in 西暦 or 和暦:
//! `2024-04-01`, `2024/4/1`, `2024.4.1`, `20240401`, `2024年4月1日`,
//! `令和6年4月1日`, `令和元年5月1日`, `R6.4.1`, `R06.04.01`, `H31/4/30`,
//! `令和六年四月一日`, in full or half width, spaces anywhere.
//!
//! A date that does not exist (2月30日) or that lies outside its era
//! (平成31年5月1日: 平成 ended on 2019-04-30) is an error saying the range
//! that would be valid, never a guess. Only the CSV reader uses this: JSON
//! Lines keeps the spec's `YYYY-MM-DD`.

use chrono::{Datelike, NaiveDate};
use tsunagu_model::{FieldErrorKind, cut_for_message};
use unicode_normalization::UnicodeNormalization;

/// Longest date text read, in characters; anything longer is not a date.
const MAX_DATE_CHARS: usize = 40;

/// Eras of the dates a directory may hold. 昭和 is kept for dates copied
/// from old registers.
struct Era {
    names: &'static [&'static str],
    /// The name in messages.
    name: &'static str,
    /// Gregorian year of the era's year 1, minus one.
    offset: i32,
    first: (i32, u32, u32),
    last: Option<(i32, u32, u32)>,
}

const ERAS: &[Era] = &[
    Era {
        names: &["令和", "r"],
        name: "令和",
        offset: 2018,
        first: (2019, 5, 1),
        last: None,
    },
    Era {
        names: &["平成", "h"],
        name: "平成",
        offset: 1988,
        first: (1989, 1, 8),
        last: Some((2019, 4, 30)),
    },
    Era {
        names: &["昭和", "s"],
        name: "昭和",
        offset: 1925,
        first: (1926, 12, 25),
        last: Some((1989, 1, 7)),
    },
];

impl Era {
    /// An era date for messages: `平成31年4月30日 (2019-04-30)`.
    fn describe(&self, (y, m, d): (i32, u32, u32)) -> String {
        let year = y - self.offset;
        let year = if year == 1 {
            "元".to_string()
        } else {
            year.to_string()
        };
        format!("{}{year}年{m}月{d}日 ({y:04}-{m:02}-{d:02})", self.name)
    }
}

/// Reads a date cell. Errors are [`FieldErrorKind::BadFormat`] for text that
/// is not a date in any accepted form, and [`FieldErrorKind::OutOfRange`]
/// (with the valid range) for a month, day or era year that does not exist.
pub fn parse_date_text(text: &str) -> Result<NaiveDate, FieldErrorKind> {
    let found = cut_for_message(text.trim());
    let bad = || FieldErrorKind::BadFormat {
        expected: "a date YYYY-MM-DD",
        found: found.clone(),
    };
    if text.chars().nth(MAX_DATE_CHARS * 4).is_some() {
        return Err(bad());
    }
    let t: String = text
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if t.chars().nth(MAX_DATE_CHARS).is_some() {
        return Err(bad());
    }
    let era = ERAS.iter().find_map(|e| {
        e.names
            .iter()
            .find_map(|n| t.strip_prefix(n))
            .map(|rest| (e, rest))
    });
    let (era, rest) = match era {
        Some((e, rest)) => (Some(e), rest),
        None => (None, t.as_str()),
    };
    let (year, month, day) = match era {
        None if rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_digit()) => {
            let n = |r: std::ops::Range<usize>| rest[r].parse::<u32>().map_err(|_| bad());
            (n(0..4)?, n(4..6)?, n(6..8)?)
        }
        _ => {
            let (year, digits, rest) = number(rest, era.is_some()).ok_or_else(bad)?;
            // 西暦 years are written with four digits (two-digit years are
            // ambiguous, three-digit ones typing slips); era years with two.
            let plausible = match era {
                None => digits == 4,
                Some(_) => year <= 99,
            };
            if !plausible {
                return Err(bad());
            }
            let (month, day) = month_and_day(rest).ok_or_else(bad)?;
            (year, month, day)
        }
    };
    let year = i32::try_from(year).map_err(|_| bad())? + era.map_or(0, |e| e.offset);
    if !(1..=12).contains(&month) {
        return Err(FieldErrorKind::OutOfRange {
            min: format!("{year:04}-01-01"),
            max: format!("{year:04}-12-31"),
            found,
        });
    }
    let last_day = days_in_month(year, month).ok_or_else(bad)?;
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(FieldErrorKind::OutOfRange {
        min: format!("{year:04}-{month:02}-01"),
        max: format!("{year:04}-{month:02}-{last_day:02}"),
        found: found.clone(),
    })?;
    if let Some(era) = era {
        let first = ymd(era.first).ok_or_else(bad)?;
        let last = era.last.and_then(ymd);
        if date < first || last.is_some_and(|last| date > last) {
            return Err(FieldErrorKind::OutOfRange {
                min: era.describe(era.first),
                max: era
                    .last
                    .map_or_else(|| "現在 (present)".to_string(), |l| era.describe(l)),
                found,
            });
        }
    }
    Ok(date)
}

/// A date as the spec writes it.
pub fn iso_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

fn ymd((y, m, d): (i32, u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    let next = NaiveDate::from_ymd_opt(next_year, next_month, 1)?;
    Some(next.pred_opt()?.day())
}

/// `年M月D日` or `<sep>M<sep>D` with one separator of `/`, `-`, `.`, after
/// the year has been read.
fn month_and_day(rest: &str) -> Option<(u32, u32)> {
    if let Some(rest) = rest.strip_prefix('年') {
        let (month, _, rest) = number(rest, false)?;
        let rest = rest.strip_prefix('月')?;
        let (day, _, rest) = number(rest, false)?;
        let rest = rest.strip_prefix('日').unwrap_or(rest);
        return rest.is_empty().then_some((month, day));
    }
    let sep = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '/' | '-' | '.'))?;
    let (month, _, rest) = number(&rest[sep.len_utf8()..], false)?;
    let rest = rest.strip_prefix(sep)?;
    let (day, _, rest) = number(rest, false)?;
    rest.is_empty().then_some((month, day))
}

/// A number at the start of `text`: ASCII digits (at most four), kanji
/// numerals (「十二」, 「三十一」, 「二〇二四」), or 「元」 for the first year of
/// an era. Returns the value, how many digits were written, and the rest.
fn number(text: &str, era_year: bool) -> Option<(u32, usize, &str)> {
    if era_year && let Some(rest) = text.strip_prefix('元') {
        return Some((1, 1, rest));
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        if digits > 4 {
            return None;
        }
        let value = text[..digits].parse().ok()?;
        return Some((value, digits, &text[digits..]));
    }
    let kanji: Vec<char> = text
        .chars()
        .take_while(|c| *c == '十' || kanji_digit(*c).is_some())
        .collect();
    if kanji.is_empty() || kanji.len() > 4 {
        return None;
    }
    let rest = &text[kanji.iter().map(|c| c.len_utf8()).sum::<usize>()..];
    let value = match kanji.iter().position(|c| *c == '十') {
        // 十, 十二, 二十, 三十一: at most one digit on either side.
        Some(at) => {
            let tens = match &kanji[..at] {
                [] => 1,
                [d] => kanji_digit(*d)?,
                _ => return None,
            };
            let ones = match &kanji[at + 1..] {
                [] => 0,
                [d] => kanji_digit(*d)?,
                _ => return None,
            };
            tens * 10 + ones
        }
        // Positional: 二〇二四.
        None => kanji
            .iter()
            .try_fold(0u32, |n, c| Some(n * 10 + kanji_digit(*c)?))?,
    };
    Some((value, kanji.len(), rest))
}

fn kanji_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .and_then(|p| u32::try_from(p).ok())
}
