//! Schedules as Japanese listings publish them, turned into slots:
//! 毎週火曜 10:00～11:30 · 第1・第3木曜日 午後1時半から3時 · 月2回（第2・第4月曜）·
//! 毎月15日 · 平日 9時～17時 · 土日祝 · 火・金 午前中 · 隔週水曜 · 不定期.
//!
//! The text is cut into segments at 、，; and line breaks. A segment names
//! days (weekdays, 第n weeks, days of the month, 平日/毎日/土日祝, 隔週) and/or a
//! time range; a time with no days applies to the days before it, and days
//! with no time take the next time given. What cannot be read is reported
//! as unparsed, never guessed. In particular:
//!
//! * a time range must end after it starts. 午後 written on the start carries
//!   to an end hour written without it (午後1時半から3時 = 13:30–15:00); no other
//!   repair is made (12:00～10:00 is unparsed, not 12:00–22:00);
//! * hours run 0–24 (24:00 only as an end), minutes 0–59, 午前 hours 0–11 and
//!   午後 hours 0–12, weeks 第1–第5, days of the month 1–31; anything else is
//!   unparsed, never clamped or dropped;
//! * every part of a segment must be understood. What is left over after the
//!   days and the time are read may only be harmless words (まで, 頃, 程度,
//!   要予約, a place, a meal, 祝日休み/年末年始休み, a duration such as
//!   1時間程度); a left-over digit, time word, weekday, 第, 週, negation or
//!   condition (除く, ただし, または, 休み, 中止, 以降, 不定期, 相談 …) makes
//!   the whole text unparsed (or irregular when it says 不定期/随時/要相談);
//! * a 祝日休み remark right after a day (日曜・祝日休み) closes that day too, so
//!   it is not harmless; 祝日 counts as a day only when listed with the days
//!   (土日祝, 日曜・祝日), not as a remark (火曜（祝日も開催）); は/も after a day
//!   (祝日は水曜, 木曜は午後) and the same weekday twice are conditions;
//! * 第n applies to the weekdays written right after it: one group of weeks
//!   per segment (not 第1火曜・第3木曜, 火曜・第2木曜), not with 平日 or 祝日;
//!   毎週 with 第n or 隔週, a weekday with a date, 金〜月: unparsed;
//! * 月n回 and 週n回 must agree with the days named (月2回 with 第2・第4月曜);
//! * texts longer than [`MAX_SCHEDULE_CHARS`] are unparsed without being read.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use tsunagu_model::{TimeOfDay, Weekday};
use unicode_normalization::UnicodeNormalization;

pub use tsunagu_model::{ScheduleKnowledge as ScheduleParse, TimeSlot as ParsedSlot};

/// Schedule texts longer than this many characters are unparsed without
/// being read. Published schedules are a line or two; the bound keeps the
/// cost of a hostile or broken `schedule_text` (say 1 MB) at nothing.
pub const MAX_SCHEDULE_CHARS: usize = 500;

/// A part of the text that could only be read by guessing.
#[derive(Debug)]
struct Unreadable;

type Read<T> = Result<T, Unreadable>;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

const WEEKDAY_CHARS: [(char, Weekday); 7] = [
    ('月', Weekday::Mon),
    ('火', Weekday::Tue),
    ('水', Weekday::Wed),
    ('木', Weekday::Thu),
    ('金', Weekday::Fri),
    ('土', Weekday::Sat),
    ('日', Weekday::Sun),
];

fn weekday_of(c: char) -> Option<Weekday> {
    WEEKDAY_CHARS.iter().find(|(k, _)| *k == c).map(|(_, w)| *w)
}

fn weekday_index(w: Weekday) -> usize {
    Weekday::ALL.iter().position(|x| *x == w).unwrap_or(0)
}

fn kanji_to_digits(text: &str) -> String {
    // 十時 → 10時, 二十日 → 20日, 三時 → 3時 (only before 時/日/週/回/分).
    static KANJI: LazyLock<Regex> =
        LazyLock::new(|| regex(r"([〇一二三四五六七八九十]+)(時|日|週|回|分)"));
    KANJI
        .replace_all(text, |c: &Captures<'_>| {
            let k = &c[1];
            let d = |ch: char| {
                "〇一二三四五六七八九"
                    .chars()
                    .position(|x| x == ch)
                    .unwrap_or(0) as u32
            };
            let chars: Vec<char> = k.chars().collect();
            let n = match chars.as_slice() {
                ['十'] => 10,
                ['十', b] if *b != '十' => 10 + d(*b),
                [a, '十'] if *a != '十' => d(*a) * 10,
                [a, '十', b] if *a != '十' && *b != '十' => d(*a) * 10 + d(*b),
                [a] => d(*a),
                // Anything else (十十時, 一二三日) stays as written and is
                // reported as unparsed later.
                _ => return c[0].to_string(),
            };
            format!("{n}{}", &c[2])
        })
        .into_owned()
}

/// Holiday closing remarks in parentheses: （祝日休み）, （祝日の場合は休み）,
/// （祝日を除く）, （年末年始を除く）. Only the whole parenthesised remark, so
/// that 「（第3週と祝日は休み）」 is not swallowed with it.
const CLOSING: &str = r"(?:祝祭日|祝日|年末年始)(?:(?:・|、|及び|と|や)(?:祝祭日|祝日|年末年始))*(?:は|の場合は|の場合|を|も)?(?:お休み|休み|休館|休業|休|除く)";

fn normalize(text: &str) -> String {
    let t: String = text
        .nfkc()
        .map(|c| match c {
            '〜' | '～' | '~' | '∼' | '〰' => '〜',
            '−' | '‐' | '–' | '—' | '―' => '-',
            other => other,
        })
        .collect();
    let t = kanji_to_digits(&t);
    // 第三 → 第3
    static NTH: LazyLock<Regex> = LazyLock::new(|| regex(r"第([一二三四五])"));
    let t = NTH
        .replace_all(&t, |c: &Captures<'_>| {
            let n = "一二三四五"
                .chars()
                .position(|x| c[1].starts_with(x))
                .unwrap_or(0)
                + 1;
            format!("第{n}")
        })
        .into_owned();
    // 月曜～土曜, 月曜日から金曜日まで → 月〜土曜
    static RANGE: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"([月火水木金土日])曜(?:日)?\s*(?:〜|から|-)\s*([月火水木金土日])曜(?:日)?(?:まで)?")
    });
    let t = RANGE.replace_all(&t, "$1〜$2曜").into_owned();
    // Remarks that only close the schedule on holidays: （祝日除く）, （祝日の場合は休み）.
    static CLOSED: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"[(（]\s*{CLOSING}\s*[)）]")));
    let mut t = CLOSED.replace_all(&t, "").into_owned();
    // 「月〜金 9時〜17時（土日祝休み）」: a remark closing the weekend and
    // holidays repeats what 平日 / 月〜金 already say, and only then is it
    // dropped; after any other days it is a condition and stays (unparsed).
    static WEEKEND_CLOSED: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"[(（]\s*土\s*[・、]?\s*日(?:曜)?\s*[・、]?\s*(?:祝日|祝祭日|祝)\s*(?:は|の)?(?:お休み|休み|休業|休館|休)\s*[)）]",
        )
    });
    if t.contains("平日") || t.contains("月〜金") {
        let rest = WEEKEND_CLOSED.replace_all(&t, "").into_owned();
        if !rest.contains('土') && !rest.contains("日曜") {
            t = rest;
        }
    }
    // 「日曜・祝日を除く毎日」: every day but those named, when the words before
    // 除く毎日 name nothing but weekdays and holidays.
    if let Some(i) = t.find("除く毎日") {
        let from = t[..i]
            .char_indices()
            .rfind(|(_, c)| matches!(c, ' ' | '、' | ',' | ';' | '/' | '\n' | '(' | ')' | '，'))
            .map(|(j, c)| j + c.len_utf8())
            .unwrap_or(0);
        let excluded = t
            .get(from..i)
            .and_then(|prefix| take_days(prefix).ok())
            .and_then(|d| d.slot)
            .filter(|s| {
                s.weeks.is_empty()
                    && s.days.is_empty()
                    && !s.every_other_week
                    && !s.weekdays.is_empty()
            });
        if let Some(excluded) = excluded {
            let kept: String = WEEKDAY_CHARS
                .iter()
                .filter(|(_, w)| !excluded.weekdays.contains(w))
                .map(|(c, _)| c.to_string())
                .collect::<Vec<_>>()
                .join("・");
            let end = i + "除く毎日".len();
            t = format!("{}{kept}曜{}", &t[..from], &t[end..]);
        }
    }
    t = t.replace("年中無休", "毎日");
    // A 、 inside a list of days belongs to the list: 月、木曜 · 第2、第4 · 10日、20日.
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let prev2 = i.checked_sub(2).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let in_list = c == '、'
            && ((prev.and_then(weekday_of).is_some() && next.and_then(weekday_of).is_some())
                || (prev == Some('日')
                    && prev2.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit()))
                || (prev.is_some_and(|p| p.is_ascii_digit())
                    && prev2 == Some('第')
                    && next == Some('第')));
        out.push(if in_list { '・' } else { c });
    }
    out
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?x)
        (?P<ap1>午前|午後|AM|PM|am|pm)?\s*
        (?:(?P<noon1>正午)|(?P<h1>[0-9]+)(?::(?P<m1>[0-9]+)|時(?:(?P<half1>半)|(?P<mm1>[0-9]+)分)?))
        \s*(?:〜|から|-|より)\s*
        (?P<ap2>午前|午後|AM|PM|am|pm)?\s*
        (?:(?P<noon2>正午)|(?P<h2>[0-9]+)(?::(?P<m2>[0-9]+)|時(?:(?P<half2>半)|(?P<mm2>[0-9]+)分)?))?
    ",
    )
});

static SINGLE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?P<ap1>午前|午後|AM|PM|am|pm)?\s*(?P<h1>[0-9]+)(?::(?P<m1>[0-9]+)|時(?:(?P<half1>半)|(?P<mm1>[0-9]+)分)?)",
    )
});

/// A number of at most `digits` ASCII digits.
fn small(text: &str, digits: usize) -> Read<u16> {
    if text.is_empty() || text.len() > digits {
        return Err(Unreadable);
    }
    text.parse().map_err(|_| Unreadable)
}

fn is_pm(ap: &str) -> bool {
    matches!(ap, "午後" | "PM" | "pm")
}

/// The time of day written in group `n` (1 = start, 2 = end) in minutes
/// after midnight; `None` when the group is absent. `ap` is 午前/午後 as
/// written on this time, or carried from the start when `carried`.
fn time_at(c: &Captures<'_>, n: &str, ap: Option<&str>, carried: bool) -> Read<Option<u16>> {
    if c.name(&format!("noon{n}")).is_some() {
        // 「午後正午」 says noon twice; only an unwritten (carried) 午前/午後 is fine.
        if ap.is_some() && !carried {
            return Err(Unreadable);
        }
        return Ok(Some(12 * 60));
    }
    let Some(h) = c.name(&format!("h{n}")) else {
        return Ok(None);
    };
    let h = small(h.as_str(), 2)?;
    let m = if c.name(&format!("half{n}")).is_some() {
        30
    } else if let Some(m) = c.name(&format!("m{n}")) {
        if m.as_str().len() != 2 {
            return Err(Unreadable);
        }
        small(m.as_str(), 2)?
    } else if let Some(m) = c.name(&format!("mm{n}")) {
        small(m.as_str(), 2)?
    } else {
        0
    };
    if m >= 60 {
        return Err(Unreadable);
    }
    let h = match ap {
        // 午後13時 and 午前15時 are not times; 午前12時 is noon to some and
        // midnight to others.
        Some(ap) if !carried && (h > 12 || (h == 12 && !is_pm(ap))) => return Err(Unreadable),
        Some(ap) if is_pm(ap) && h < 12 => h + 12,
        _ => h,
    };
    if h > 24 || (h == 24 && m != 0) {
        return Err(Unreadable);
    }
    Ok(Some(h * 60 + m))
}

/// Start and end in minutes after midnight.
type TimeRange = (u16, Option<u16>);

/// Cuts `range` out of `seg`, leaving a space so the words on either side
/// stay apart.
fn cut(seg: &str, range: std::ops::Range<usize>) -> String {
    format!("{} {}", &seg[..range.start], &seg[range.end..])
}

/// The time range in a segment, if any, and the text without it.
fn take_time(seg: &str) -> Read<(Option<TimeRange>, String)> {
    if let Some(c) = TIME.captures(seg) {
        let ap1 = c.name("ap1").map(|m| m.as_str());
        let start = time_at(&c, "1", ap1, false)?.ok_or(Unreadable)?;
        if start >= 24 * 60 {
            return Err(Unreadable);
        }
        // 午後 written on the start carries to an end written without it.
        let (ap2, carried) = match c.name("ap2") {
            Some(m) => (Some(m.as_str()), false),
            None => (ap1, true),
        };
        let end = time_at(&c, "2", ap2, carried)?;
        if c.name("ap2").is_some() && end.is_none() {
            return Err(Unreadable);
        }
        if end.is_some_and(|e| e <= start) {
            return Err(Unreadable);
        }
        let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
        return Ok((Some((start, end)), cut(seg, whole)));
    }
    if let Some(c) = SINGLE_TIME.captures(seg) {
        let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
        // 「1時間」 is a duration and 「10日」 a date: not a time of day. Left
        // in the text, their digits make the segment unreadable.
        if !seg[whole.end..].starts_with(['間', '日', '回', '週']) {
            let ap = c.name("ap1").map(|m| m.as_str());
            let start = time_at(&c, "1", ap, false)?.ok_or(Unreadable)?;
            if start >= 24 * 60 {
                return Err(Unreadable);
            }
            return Ok((Some((start, None)), cut(seg, whole)));
        }
        return Ok((None, seg.to_string()));
    }
    let am = seg.find("午前");
    let pm = seg.find("午後");
    match (am, pm) {
        (Some(i), None) => {
            let len = if seg[i..].starts_with("午前中") {
                "午前中".len()
            } else {
                "午前".len()
            };
            Ok((Some((9 * 60, Some(12 * 60))), cut(seg, i..i + len)))
        }
        (None, Some(i)) => Ok((
            Some((13 * 60, Some(17 * 60))),
            cut(seg, i..i + "午後".len()),
        )),
        // Both, or neither: what is left is checked with the days.
        _ => Ok((None, seg.to_string())),
    }
}

/// What one segment says about days.
#[derive(Debug, Default)]
struct Days {
    slot: Option<ParsedSlot>,
    /// 月n回
    per_month: Option<u16>,
    /// 週n回
    per_week: Option<u16>,
}

/// The bytes of a segment already read.
struct Scan<'a> {
    s: &'a str,
    used: Vec<bool>,
    /// Bytes read as 第n or n週 (a weekday may follow them directly).
    nth: Vec<bool>,
    /// Bytes read as days (weekdays, 第n, dates, 祝日, 毎日 …).
    day: Vec<bool>,
    /// Bytes read as a weekday.
    weekday: Vec<bool>,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan {
            s,
            used: vec![false; s.len()],
            nth: vec![false; s.len()],
            weekday: vec![false; s.len()],
            day: vec![false; s.len()],
        }
    }

    fn is_free(&self, r: &std::ops::Range<usize>) -> bool {
        self.used.get(r.clone()).is_some_and(|u| !u.contains(&true))
    }

    fn take(&mut self, r: std::ops::Range<usize>) {
        if let Some(u) = self.used.get_mut(r) {
            u.fill(true);
        }
    }

    fn take_weekday(&mut self, r: std::ops::Range<usize>) {
        for mask in [&mut self.used, &mut self.weekday, &mut self.day] {
            if let Some(m) = mask.get_mut(r.clone()) {
                m.fill(true);
            }
        }
    }

    /// Calls `f` on each match of `re` over text not yet read; the match is
    /// marked read, and marked as days when `days`.
    fn each(
        &mut self,
        re: &Regex,
        days: bool,
        mut f: impl FnMut(&Captures<'_>, &mut Self) -> Read<()>,
    ) -> Read<()> {
        let s = self.s;
        for c in re.captures_iter(s) {
            let Some(m) = c.get(0) else { continue };
            let r = m.range();
            if r.is_empty() || !self.is_free(&r) {
                continue;
            }
            f(&c, self)?;
            if days && let Some(d) = self.day.get_mut(r.clone()) {
                d.fill(true);
            }
            self.take(r);
        }
        Ok(())
    }

    /// The text not read, with a space for each part read.
    fn rest(&self) -> String {
        let mut out = String::new();
        let mut gap = false;
        for (b, c) in self.s.char_indices() {
            if self.used[b] {
                if !gap {
                    out.push(' ');
                }
                gap = true;
            } else {
                out.push(c);
                gap = false;
            }
        }
        out
    }
}

/// Words in a left-over that change what the schedule means.
const MEANINGFUL_WORDS: [&str; 25] = [
    "無し",
    "ただし",
    "但し",
    "または",
    "又は",
    "もしくは",
    "若しくは",
    "場合",
    "以降",
    "以前",
    "以上",
    "以下",
    "未満",
    "以外",
    "なし",
    "ない",
    "など",
    "相談",
    "予定",
    "限り",
    "限定",
    "交互",
    "確認",
    "のぞ",
    "ほか",
];

/// Characters in a left-over that change what the schedule means: numbers,
/// weekdays and calendar words, times of day, negation and conditions.
const MEANINGFUL_CHARS: &str = "〇一二三四五六七八九十百千万月火水木金土日曜週第隔時半朝昼夜夕晩午正除外休不非止雨変延振替期季夏冬春秋年末旬奇偶翌祭盆最等他〜-?？";

fn meaningful(rest: &str) -> bool {
    crate::leftover::meaningful(rest, MEANINGFUL_CHARS, &MEANINGFUL_WORDS)
}

/// Days named in a segment (time already removed). Every part of the
/// segment must be read or harmless.
fn take_days(seg: &str) -> Read<Days> {
    let s = seg.replace("曜日", "曜");
    let mut scan = Scan::new(&s);
    let mut slot = ParsedSlot::default();
    let mut days = Days::default();
    let mut any = false;
    let mut weekly = false;
    // 毎日, 平日, 週末: weekdays not written one by one.
    let mut weekday_words = false;
    // Where 第n / n週 and the weekdays were read.
    let mut nth_spans: Vec<std::ops::Range<usize>> = Vec::new();
    let mut weekday_spans: Vec<std::ops::Range<usize>> = Vec::new();
    let mut word_spans: Vec<std::ops::Range<usize>> = Vec::new();
    let mut holiday_spans: Vec<std::ops::Range<usize>> = Vec::new();

    // Harmless words that contain a weekday or calendar character.
    static HARMLESS: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"開催日|実施日|活動日|日時|日程|日にち|当日|毎回|昼食|夕食|朝食|昼ごはん|夕ごはん")
    });
    scan.each(&HARMLESS, false, |_, _| Ok(()))?;
    // 祝日休み, 年末年始は休み (read_slots has made sure they close no day
    // named before them).
    static CLOSING_WORDS: LazyLock<Regex> = LazyLock::new(|| regex(CLOSING));
    scan.each(&CLOSING_WORDS, false, |_, _| Ok(()))?;
    // 月2回, 毎月1回, 週1回
    static PER_MONTH: LazyLock<Regex> =
        LazyLock::new(|| regex(r"毎?月に?\s*([0-9]+)\s*回(?:程度)?"));
    scan.each(&PER_MONTH, true, |c, _| {
        let n = small(&c[1], 2)?;
        if n == 0 || days.per_month.is_some_and(|m| m != n) {
            return Err(Unreadable);
        }
        days.per_month = Some(n);
        Ok(())
    })?;
    static PER_WEEK: LazyLock<Regex> =
        LazyLock::new(|| regex(r"毎?週に?\s*([0-9]+)\s*回(?:程度)?"));
    scan.each(&PER_WEEK, true, |c, _| {
        let n = small(&c[1], 2)?;
        if n == 0 || n > 7 || days.per_week.is_some_and(|m| m != n) {
            return Err(Unreadable);
        }
        days.per_week = Some(n);
        Ok(())
    })?;
    static WORDS: LazyLock<Regex> =
        LazyLock::new(|| regex(r"毎日|平日|週末|隔週|毎週|毎月|祝祭日|祝日|祝"));
    scan.each(&WORDS, true, |c, _| {
        match &c[0] {
            "毎日" => slot.weekdays.extend(Weekday::ALL),
            "平日" => slot.weekdays.extend(&Weekday::ALL[..5]),
            "週末" => slot.weekdays.extend(&Weekday::ALL[5..]),
            "隔週" => slot.every_other_week = true,
            "毎週" => weekly = true,
            "毎月" => {}
            _ => {
                slot.holidays = true;
                holiday_spans.extend(c.get(0).map(|m| m.range()));
            }
        }
        if !matches!(&c[0], "隔週" | "毎週" | "毎月") {
            any = true;
        }
        if matches!(&c[0], "毎日" | "平日" | "週末") {
            weekday_words = true;
            word_spans.extend(c.get(0).map(|m| m.range()));
        }
        Ok(())
    })?;
    // 第1・第3, 第1・3, 第2、4, 第3週の
    static WEEKS: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"第\s*([0-9]+)((?:\s*[・,、及と]\s*第?\s*[0-9]+)*)\s*(?:週目?の?)?")
    });
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"[0-9]+"));
    let mut weeks_from = |c: &Captures<'_>, scan: &mut Scan<'_>| -> Read<()> {
        for n in NUMBER.find_iter(&c[0]) {
            let w = small(n.as_str(), 1)?;
            if !(1..=5).contains(&w) {
                return Err(Unreadable);
            }
            slot.weeks.push(w as u8);
        }
        if let Some(m) = c.get(0) {
            if let Some(nth) = scan.nth.get_mut(m.range()) {
                nth.fill(true);
            }
            nth_spans.push(m.range());
        }
        Ok(())
    };
    scan.each(&WEEKS, true, &mut weeks_from)?;
    // 「1・3週の木曜日」
    static WEEKS_SHU: LazyLock<Regex> = LazyLock::new(|| regex(r"[0-9]+(?:・[0-9]+)*週目?の?"));
    scan.each(&WEEKS_SHU, true, &mut weeks_from)?;
    slot.weeks.sort_unstable();
    slot.weeks.dedup();
    // 毎月15日, 15日・30日 (not 「3日曜」, which is left over and unreadable).
    static DAYS: LazyLock<Regex> = LazyLock::new(|| regex(r"([0-9]+)日(曜)?"));
    scan.each(&DAYS, true, |c, _| {
        if c.get(2).is_some() {
            return Err(Unreadable);
        }
        let d = small(&c[1], 2)?;
        if !(1..=31).contains(&d) {
            return Err(Unreadable);
        }
        slot.days.push(d as u8);
        any = true;
        Ok(())
    })?;
    // Weekday characters: 火曜, (火), 火・金, 月〜金, 土日.
    let mut written: Vec<Weekday> = Vec::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (b, c) = chars[k];
        let Some(w) = weekday_of(c) else {
            k += 1;
            continue;
        };
        if scan.used[b] {
            k += 1;
            continue;
        }
        let prev = k.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(k + 1).map(|x| x.1);
        let prev_nth = prev.is_some_and(|(pb, _)| scan.nth[pb]);
        let prev_weekday = prev.is_some_and(|(pb, pc)| {
            weekday_of(pc).is_some() && (!scan.used[pb] || scan.weekday[pb])
        });
        let prev = prev.map(|p| p.1);
        let digit_before = prev.is_some_and(|p| p.is_ascii_digit()) && !prev_nth;
        // 11月 is a month, 月2回 a frequency, 10日 a date.
        let date = matches!(c, '月' | '日') && digit_before && next != Some('曜');
        let frequency = c == '月' && next.is_some_and(|n| n.is_ascii_digit() || n == '回');
        let is_day_context = !(date || frequency);
        let after_sep = matches!(
            next,
            Some('曜' | '・' | ')' | '(' | '〜' | '-' | '、' | ' ' | '祝' | '/' | 'と') | None
        ) || next.and_then(weekday_of).is_some()
            || matches!(prev, Some('・' | '(' | '〜' | '毎'))
            || prev_weekday
            || prev_nth
            || next.is_some_and(|n| n.is_ascii_digit());
        if !(is_day_context && after_sep) {
            k += 1;
            continue;
        }
        // Range 月〜金 (also 月-金).
        if matches!(next, Some('〜' | '-'))
            && let Some(&(eb, ec)) = chars.get(k + 2)
            && let Some(end) = weekday_of(ec)
            && !scan.used[eb]
        {
            let (a, z) = (weekday_index(w), weekday_index(end));
            if a >= z {
                // 金〜月 wraps the week, 月〜月 is no range: unreadable.
                return Err(Unreadable);
            }
            for d in &Weekday::ALL[a..=z] {
                if written.contains(d) {
                    return Err(Unreadable);
                }
                written.push(*d);
            }
            slot.weekdays.extend(&Weekday::ALL[a..=z]);
            let mut last = k + 2;
            if chars.get(k + 3).is_some_and(|x| x.1 == '曜') {
                last = k + 3;
            }
            let stop = chars.get(last + 1).map(|x| x.0).unwrap_or(s.len());
            scan.take_weekday(b..stop);
            weekday_spans.push(b..stop);
            any = true;
            k = last + 1;
            continue;
        }
        // 「毎週火曜・木曜（木曜は午後）」: the same weekday twice is a condition.
        if written.contains(&w) {
            return Err(Unreadable);
        }
        written.push(w);
        slot.weekdays.push(w);
        let mut last = k;
        if next == Some('曜') {
            last = k + 1;
        }
        let stop = chars.get(last + 1).map(|x| x.0).unwrap_or(s.len());
        scan.take_weekday(b..stop);
        weekday_spans.push(b..stop);
        any = true;
        k = last + 1;
    }
    if meaningful(&scan.rest()) {
        return Err(Unreadable);
    }
    // 「（祝日は水曜）」, 「木曜は午後」, 「祝日も開催」: は/も after a day makes
    // a condition.
    for (b, c) in s.char_indices() {
        if matches!(c, 'は' | 'も') && !scan.used[b] {
            let prev = s[..b].trim_end_matches(' ').char_indices().next_back();
            if prev.is_some_and(|(pb, _)| scan.day[pb]) {
                return Err(Unreadable);
            }
        }
    }
    // 祝日 is a day when it is listed with the days (土日祝, 日曜・祝日); after
    // them as a remark (火曜（祝日開催）) it says the weekday is kept on
    // holidays, not that every holiday is a day.
    let joined =
        |gap: Option<&str>| gap.is_some_and(|g| g.chars().all(|c| " ・、と及び".contains(c)));
    for h in &holiday_spans {
        let listed = weekday_spans.is_empty() && word_spans.is_empty()
            || weekday_spans
                .iter()
                .chain(&word_spans)
                .any(|w| joined(s.get(w.end..h.start)) || joined(s.get(h.end..w.start)));
        if !listed {
            return Err(Unreadable);
        }
    }
    // 「第1・第3月・金曜」 names weeks of the weekdays right after it. Two
    // groups of weeks (第1火曜・第3木曜), a weekday before the weeks (火曜・第2木曜),
    // or weeks of 平日/祝日 cannot be told apart: unreadable.
    if let Some(nth) = nth_spans.first() {
        if nth_spans.len() > 1 || weekday_words || slot.holidays {
            return Err(Unreadable);
        }
        // 「第2木曜・火曜」: is Tuesday weekly or in the 2nd week too?
        let n = weekday_spans.len();
        if weekday_spans
            .iter()
            .take(n.saturating_sub(1))
            .any(|r| s.get(r.clone()).is_some_and(|w| w.contains('曜')))
        {
            return Err(Unreadable);
        }
        let mut pos = nth.end;
        for span in &weekday_spans {
            let gap = s.get(pos..span.start).ok_or(Unreadable)?;
            if !gap.chars().all(|c| " ・()、と及び".contains(c)) {
                return Err(Unreadable);
            }
            pos = span.end;
        }
    }
    slot.weekdays.sort_by_key(|w| weekday_index(*w));
    slot.weekdays.dedup();
    slot.days.sort_unstable();
    slot.days.dedup();
    let has_days = any || !slot.weeks.is_empty() || slot.every_other_week;
    if weekly && (!slot.weeks.is_empty() || !slot.days.is_empty() || slot.every_other_week) {
        // 毎週第2火曜, 毎週隔週: which one?
        return Err(Unreadable);
    }
    days.slot = has_days.then_some(slot);
    Ok(days)
}

/// 「月・水・金 9時～12時 火・木 13時～16時」: a space before a new group of
/// days, after a time, separates two slots.
fn split_day_groups(text: &str) -> String {
    let parts: Vec<&str> = text.split(' ').filter(|p| !p.is_empty()).collect();
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            let prev = parts[i - 1];
            let prev_has_time = prev.contains('時') || prev.contains(':');
            let starts_days = p
                .chars()
                .next()
                .is_some_and(|c| weekday_of(c).is_some() || c == '第' || c == '毎');
            out.push(if prev_has_time && starts_days {
                '、'
            } else {
                ' '
            });
        }
        out.push_str(p);
    }
    out
}

fn with_time(mut slot: ParsedSlot, (start, end): TimeRange) -> Read<ParsedSlot> {
    slot.start = Some(TimeOfDay::from_minutes(start).ok_or(Unreadable)?);
    slot.end = match end {
        Some(e) => Some(TimeOfDay::from_minutes(e).ok_or(Unreadable)?),
        None => None,
    };
    Ok(slot)
}

/// Every segment read into slots, or the reason it cannot be.
fn read_slots(text: &str) -> Read<Vec<ParsedSlot>> {
    // 「（1回1時間程度）」: a duration inside the given hours, not a time of day.
    static DURATION: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?P<pre>^|[^0-9時:])[(]?\s*(?:1回)?\s*[0-9]{1,2}\s*(?:時間半?|分)\s*(?:程度|くらい|ぐらい)\s*[)]?",
        )
    });
    // 「日曜・祝日休み」 closes Sundays too: a closing remark right after a
    // day is not harmless.
    static CLOSING_WORDS: LazyLock<Regex> = LazyLock::new(|| regex(CLOSING));
    for m in CLOSING_WORDS.find_iter(text) {
        let before = text[..m.start()].trim_end_matches(' ').chars().next_back();
        if before.is_some_and(|p| weekday_of(p).is_some() || "曜・と、,，及びや".contains(p))
        {
            return Err(Unreadable);
        }
    }
    // 「第2火曜日と第4金曜日」: two slots; 「第1と第3」: one list of weeks.
    static AND_NTH: LazyLock<Regex> = LazyLock::new(|| regex(r"(?P<pre>[^0-9])と第"));
    let spaced = split_day_groups(
        &AND_NTH
            .replace_all(text, "${pre}、第")
            .replace("と第", "・第"),
    );
    let segments: Vec<String> = spaced
        .split(['、', ',', ';', '/', '\n', '，'])
        .map(|s| {
            // Parenthesised remarks that only close the schedule are dropped.
            let s = s
                .replace("(祝日休み)", "")
                .replace("(祝日は休み)", "")
                .replace("(祝日を除く)", "");
            DURATION.replace_all(s.trim(), "${pre} ").trim().to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let mut slots: Vec<ParsedSlot> = Vec::new();
    let mut pending_days: Vec<ParsedSlot> = Vec::new();
    let mut last_days: Option<ParsedSlot> = None;
    let mut per_month: Option<u16> = None;
    let mut per_week: Option<u16> = None;
    for seg in &segments {
        let (time, rest) = take_time(seg)?;
        let days = take_days(&rest)?;
        for (have, got) in [
            (&mut per_month, days.per_month),
            (&mut per_week, days.per_week),
        ] {
            if let Some(n) = got {
                if have.is_some_and(|h| h != n) {
                    return Err(Unreadable);
                }
                *have = Some(n);
            }
        }
        match (days.slot, time) {
            (Some(d), Some(time)) => {
                for p in pending_days.drain(..) {
                    slots.push(with_time(p, time)?);
                }
                last_days = Some(d.clone());
                slots.push(with_time(d, time)?);
            }
            (Some(d), None) => {
                last_days = Some(d.clone());
                pending_days.push(d);
            }
            (None, Some(time)) => {
                if !pending_days.is_empty() {
                    for p in pending_days.drain(..) {
                        slots.push(with_time(p, time)?);
                    }
                } else if let Some(d) = last_days.clone() {
                    // 「火曜 10時～12時、14時～16時」: same days, another time.
                    slots.push(with_time(d, time)?);
                } else {
                    return Err(Unreadable);
                }
            }
            (None, None) => {}
        }
    }
    slots.append(&mut pending_days);
    for s in &slots {
        let consistent = (!s.weekdays.is_empty() || !s.days.is_empty() || s.holidays)
            // 第2 with no weekday, a weekday and a date in one slot, 隔週 with
            // 第n or a date: unreadable.
            && (s.weeks.is_empty() || !s.weekdays.is_empty())
            && (s.weekdays.is_empty() || s.days.is_empty())
            && !(s.every_other_week && (!s.weeks.is_empty() || !s.days.is_empty()))
            && s.weeks.iter().all(|w| (1..=5).contains(w))
            && s.days.iter().all(|d| (1..=31).contains(d))
            && match (s.start, s.end) {
                (Some(a), Some(b)) => a < b,
                (None, Some(_)) => false,
                _ => true,
            };
        if !consistent {
            return Err(Unreadable);
        }
    }
    if per_month.is_some() && per_week.is_some() {
        return Err(Unreadable);
    }
    // 「月2回（第2・第4月曜）」: the count must be what the days give.
    if let Some(n) = per_month {
        let mut dates = BTreeSet::new();
        for s in &slots {
            if s.every_other_week || s.holidays {
                return Err(Unreadable);
            }
            if !s.weeks.is_empty() {
                for w in &s.weeks {
                    for d in &s.weekdays {
                        dates.insert((*w, weekday_index(*d) as u8));
                    }
                }
            } else if !s.days.is_empty() {
                dates.extend(s.days.iter().map(|d| (0, *d)));
            } else {
                // 「月1回 土曜日」: the week is not given.
                return Err(Unreadable);
            }
        }
        if dates.len() != usize::from(n) {
            return Err(Unreadable);
        }
    }
    // 「週2回（火・金）」
    if let Some(n) = per_week {
        let mut weekdays = BTreeSet::new();
        for s in &slots {
            if s.every_other_week || s.holidays || !s.weeks.is_empty() || !s.days.is_empty() {
                return Err(Unreadable);
            }
            weekdays.extend(s.weekdays.iter().copied());
        }
        if weekdays.len() != usize::from(n) {
            return Err(Unreadable);
        }
    }
    Ok(slots)
}

/// Parses a published schedule.
pub fn parse_schedule(text: &str) -> ScheduleParse {
    if text.chars().nth(MAX_SCHEDULE_CHARS).is_some() {
        return ScheduleParse::Unparsed;
    }
    let t = normalize(text);
    let trimmed = t.trim();
    if trimmed.is_empty() {
        return ScheduleParse::Unparsed;
    }
    const IRREGULAR: [&str; 6] = [
        "不定期",
        "随時",
        "要相談",
        "応相談",
        "お問い合わせ",
        "問い合わせ",
    ];
    match read_slots(trimmed) {
        Ok(slots) if !slots.is_empty() => ScheduleParse::Slots(slots),
        _ if IRREGULAR.iter().any(|w| trimmed.contains(w)) => ScheduleParse::Irregular,
        _ => ScheduleParse::Unparsed,
    }
}

/// What is known of a record's schedule: its structured `schedule` when
/// given, else its parsed `schedule_text`.
pub fn schedule_of(record: &tsunagu_model::Record) -> ScheduleParse {
    if let Some(slots) = &record.schedule {
        return ScheduleParse::Slots(
            slots
                .iter()
                .map(|s| ParsedSlot {
                    weekdays: s.weekdays.clone(),
                    weeks: s.weeks.clone(),
                    start: s.start,
                    end: s.end,
                    ..ParsedSlot::default()
                })
                .collect(),
        );
    }
    match record.schedule_text.as_deref() {
        Some(text) => parse_schedule(text),
        None => ScheduleParse::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> String {
        match parse_schedule(text) {
            ScheduleParse::Slots(s) => serde_json::to_string(&s).unwrap_or_default(),
            ScheduleParse::Irregular => "irregular".into(),
            ScheduleParse::Unparsed => "unparsed".into(),
            ScheduleParse::None => "none".into(),
        }
    }

    #[test]
    fn issue_examples() {
        let table = [
            (
                "毎週火曜 10:00～11:30",
                r#"[{"weekdays":["tue"],"start":"10:00","end":"11:30"}]"#,
            ),
            (
                "第1・第3木曜日 午後1時半から3時",
                r#"[{"weekdays":["thu"],"weeks":[1,3],"start":"13:30","end":"15:00"}]"#,
            ),
            (
                "月2回（第2・第4月曜）",
                r#"[{"weekdays":["mon"],"weeks":[2,4]}]"#,
            ),
            ("毎月15日", r#"[{"days":[15]}]"#),
            (
                "平日 9時～17時",
                r#"[{"weekdays":["mon","tue","wed","thu","fri"],"start":"09:00","end":"17:00"}]"#,
            ),
            ("土日祝", r#"[{"weekdays":["sat","sun"],"holidays":true}]"#),
            (
                "火・金 午前中",
                r#"[{"weekdays":["tue","fri"],"start":"09:00","end":"12:00"}]"#,
            ),
            (
                "隔週水曜",
                r#"[{"weekdays":["wed"],"every_other_week":true}]"#,
            ),
            ("不定期", "irregular"),
            (
                "毎週火曜日 十時～正午",
                r#"[{"weekdays":["tue"],"start":"10:00","end":"12:00"}]"#,
            ),
        ];
        for (text, want) in table {
            assert_eq!(json(text), want, "{text}");
        }
    }

    #[test]
    fn probe_findings_are_unparsed() {
        for text in [
            "毎週火曜 12:00～10:00",
            "第99木曜日 午後99時半から3時",
            "毎週火曜 10時～12時 ただし第3週を除く",
            "月曜 10時～ または 水曜 13時～",
        ] {
            assert_eq!(json(text), "unparsed", "{text}");
        }
    }

    #[test]
    fn huge_texts_are_not_read() {
        let text = "毎週火曜 10:00～11:30、".repeat(100_000);
        assert_eq!(json(&text), "unparsed");
    }
}
