//! Schedules as Japanese listings publish them, turned into slots:
//! 毎週火曜 10:00～11:30 · 第1・第3木曜日 午後1時半から3時 · 月2回（第2・第4月曜）·
//! 毎月15日 · 平日 9時～17時 · 土日祝 · 火・金 午前中 · 隔週水曜 · 不定期.
//!
//! The text is cut into segments at 、，; and line breaks. A segment names
//! days (weekdays, 第n weeks, days of the month, 平日/毎日/土日祝, 隔週) and/or a
//! time range; a time with no days applies to the days before it, and days
//! with no time take the next time given. What cannot be read is reported
//! as unparsed, never guessed.

use std::sync::LazyLock;

use regex::Regex;
use tsunagu_model::{TimeOfDay, Weekday};
use unicode_normalization::UnicodeNormalization;

pub use tsunagu_model::{ScheduleKnowledge as ScheduleParse, TimeSlot as ParsedSlot};

fn tod(minutes: Option<u16>) -> Option<TimeOfDay> {
    minutes.and_then(TimeOfDay::from_minutes)
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

fn kanji_to_digits(text: &str) -> String {
    // 十時 → 10時, 二十日 → 20日, 三時 → 3時 (only before 時/日/週/回/分).
    static KANJI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([〇一二三四五六七八九十]+)(時|日|週|回|分)").expect("static regex")
    });
    KANJI
        .replace_all(text, |c: &regex::Captures<'_>| {
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
                ['十', b] => 10 + d(*b),
                [a, '十'] => d(*a) * 10,
                [a, '十', b] => d(*a) * 10 + d(*b),
                [a] => d(*a),
                _ => return c[0].to_string(),
            };
            format!("{n}{}", &c[2])
        })
        .into_owned()
}

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
    static NTH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"第([一二三四五])").expect("static regex"));
    let t = NTH
        .replace_all(&t, |c: &regex::Captures<'_>| {
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
        Regex::new(
            r"([月火水木金土日])曜(?:日)?\s*(?:〜|から|-)\s*([月火水木金土日])曜(?:日)?(?:まで)?",
        )
        .expect("static regex")
    });
    let t = RANGE.replace_all(&t, "$1〜$2曜").into_owned();
    // Remarks that only close the schedule on holidays: （祝日除く）, （祝日の場合は休み）.
    static CLOSED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[(（][^)）]*祝[^)）]*(?:休|除)[^)）]*[)）]").expect("static regex")
    });
    let mut t = CLOSED.replace_all(&t, "").into_owned();
    // 「日曜・祝日を除く毎日」: every day but those named.
    if let Some(i) = t.find("除く毎日") {
        let excluded = take_days(&t[..i]).map(|d| d.weekdays).unwrap_or_default();
        let kept: String = WEEKDAY_CHARS
            .iter()
            .filter(|(_, w)| !excluded.contains(w))
            .map(|(c, _)| c.to_string())
            .collect::<Vec<_>>()
            .join("・");
        let end = i + "除く毎日".len();
        t = format!("{kept}曜{}", &t[end..]);
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
    Regex::new(r"(?x)
        (?P<ap1>午前|午後|AM|PM|am|pm)?\s*
        (?:(?P<noon1>正午)|(?P<h1>\d{1,2})(?::(?P<m1>\d{2})|時(?:(?P<half1>半)|(?P<mm1>\d{1,2})分)?))
        \s*(?:〜|から|-|より)\s*
        (?P<ap2>午前|午後|AM|PM|am|pm)?\s*
        (?:(?P<noon2>正午)|(?P<h2>\d{1,2})(?::(?P<m2>\d{2})|時(?:(?P<half2>半)|(?P<mm2>\d{1,2})分)?))?
    ").expect("static regex")
});

static SINGLE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<ap>午前|午後)?\s*(?:(?P<h>\d{1,2})(?::(?P<m>\d{2})|時(?:(?P<half>半)|(?P<mm>\d{1,2})分)?))\s*(?:〜|から|より)?")
        .expect("static regex")
});

fn hour(ap: Option<&str>, h: u16, after_noon_context: bool) -> u16 {
    match ap {
        Some("午後" | "PM" | "pm") if h < 12 => h + 12,
        Some(_) => h,
        None if after_noon_context && h < 12 => h + 12,
        None => h,
    }
}

fn minutes(c: &regex::Captures<'_>, n: &str, ap: Option<&str>, pm_context: bool) -> Option<u16> {
    if c.name(&format!("noon{n}")).is_some() {
        return Some(12 * 60);
    }
    let h: u16 = c.name(&format!("h{n}"))?.as_str().parse().ok()?;
    let m: u16 = if c.name(&format!("half{n}")).is_some() {
        30
    } else {
        c.name(&format!("m{n}"))
            .or_else(|| c.name(&format!("mm{n}")))
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(0)
    };
    let h = hour(ap, h, pm_context);
    (h <= 24 && m < 60).then_some(h * 60 + m)
}

/// Start and end in minutes after midnight.
type TimeRange = (Option<u16>, Option<u16>);

/// The time range in a segment, if any, and the text without it.
fn take_time(seg: &str) -> (Option<TimeRange>, String) {
    if let Some(c) = TIME.captures(seg) {
        let ap1 = c.name("ap1").map(|m| m.as_str());
        let start = minutes(&c, "1", ap1, false);
        let pm = start.is_some_and(|s| s >= 12 * 60);
        let ap2 = c.name("ap2").map(|m| m.as_str()).or(ap1);
        let mut end = minutes(&c, "2", ap2, false);
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
            && pm
            && e < 12 * 60
        {
            end = Some(e + 12 * 60);
        }
        if start.is_some() {
            let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
            let rest = format!("{}{}", &seg[..whole.start], &seg[whole.end..]);
            return (
                Some((start, end.filter(|e| start.is_some_and(|s| *e > s)))),
                rest,
            );
        }
    }
    if let Some(c) = SINGLE_TIME.captures(seg)
        && (c.name("ap").is_some()
            || seg[c.get(0).map(|m| m.end()).unwrap_or(0)..].is_empty()
            || c[0].contains('時')
            || c[0].contains(':'))
        && !seg[c.get(0).map(|m| m.end()).unwrap_or(0)..].starts_with(['日', '回', '週'])
    {
        let ap = c.name("ap").map(|m| m.as_str());
        let h: Option<u16> = c.name("h").and_then(|m| m.as_str().parse().ok());
        if let Some(h) = h {
            let m: u16 = if c.name("half").is_some() {
                30
            } else {
                c.name("m")
                    .or(c.name("mm"))
                    .and_then(|m| m.as_str().parse().ok())
                    .unwrap_or(0)
            };
            let h = hour(ap, h, false);
            if h <= 24 && m < 60 {
                let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
                let rest = format!("{}{}", &seg[..whole.start], &seg[whole.end..]);
                return (Some((Some(h * 60 + m), None)), rest);
            }
        }
    }
    if seg.contains("午前") {
        return (
            Some((Some(9 * 60), Some(12 * 60))),
            seg.replace("午前中", "").replace("午前", ""),
        );
    }
    if seg.contains("午後") {
        return (
            Some((Some(13 * 60), Some(17 * 60))),
            seg.replace("午後", ""),
        );
    }
    (None, seg.to_string())
}

/// Days named in a segment (time already removed).
fn take_days(seg: &str) -> Option<ParsedSlot> {
    let mut slot = ParsedSlot::default();
    let mut any = false;
    let s = seg.replace("曜日", "曜");
    if s.contains("毎日") {
        slot.weekdays = Weekday::ALL.to_vec();
        any = true;
    }
    if s.contains("平日") {
        slot.weekdays.extend([
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]);
        any = true;
    }
    if s.contains("週末") {
        slot.weekdays.extend([Weekday::Sat, Weekday::Sun]);
        any = true;
    }
    if s.contains('祝')
        && !s.contains("祝日休")
        && !s.contains("祝日を除")
        && !s.contains("祝日は休")
    {
        slot.holidays = true;
        any = true;
    }
    if s.contains("隔週") {
        slot.every_other_week = true;
    }
    // 第1・第3, 第1・3, 第2、4
    static WEEKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"第\s*([1-5])((?:\s*[・,、及と]\s*第?\s*[1-5])*)").expect("static regex")
    });
    for c in WEEKS.captures_iter(&s) {
        let mut w: Vec<u8> = c[0]
            .chars()
            .filter_map(|ch| ch.to_digit(10))
            .map(|d| d as u8)
            .collect();
        slot.weeks.append(&mut w);
    }
    // 「1・3週の木曜日」
    static WEEKS_SHU: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([1-5](?:・[1-5])*)週").expect("static regex"));
    for c in WEEKS_SHU.captures_iter(&s) {
        slot.weeks.extend(
            c[1].chars()
                .filter_map(|ch| ch.to_digit(10))
                .map(|d| d as u8),
        );
    }
    slot.weeks.sort_unstable();
    slot.weeks.dedup();
    // 毎月15日, 15日・30日
    static DAYS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d{1,2})日").expect("static regex"));
    for c in DAYS.captures_iter(&s) {
        let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
        let weekday_follows = s[whole.end..].starts_with('曜');
        let nth_before = s[..whole.start]
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '・')
            .ends_with('第');
        if weekday_follows || nth_before {
            continue;
        }
        if let Ok(d) = c[1].parse::<u8>()
            && (1..=31).contains(&d)
        {
            slot.days.push(d);
            any = true;
        }
    }
    // Weekday characters: 火曜, (火), 火・金, 月〜金, 土日.
    // Words that contain 月 or 日 without naming a weekday.
    let mut stripped = s.clone();
    for word in [
        "平日", "毎日", "祝日", "休日", "日時", "日程", "当日", "毎月", "月額", "ヶ月", "カ月",
        "か月", "年月",
    ] {
        stripped = stripped.replace(word, "");
    }
    let chars: Vec<char> = stripped.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        // Digits right before are a 第n (a weekday follows) or a date (月/日).
        let after_nth = {
            let mut j = i;
            while j > 0 && (chars[j - 1].is_ascii_digit() || chars[j - 1] == '・') {
                j -= 1;
            }
            j < i && j > 0 && chars[j - 1] == '第'
        };
        let digit_before = prev.is_some_and(|p| p.is_ascii_digit());
        let is_day_context = weekday_of(c).is_some()
            && !(c == '月' && digit_before && !after_nth && next != Some('曜'))
            && !(c == '月' && next.is_some_and(|n| n.is_ascii_digit() || n == '回'))
            && !(c == '日' && digit_before && !after_nth && next != Some('曜'));
        if is_day_context {
            let after_sep = matches!(
                next,
                Some('曜' | '・' | ')' | '(' | '〜' | '、' | ' ') | None
            ) || next.and_then(weekday_of).is_some()
                || matches!(prev, Some('・' | '(' | '〜' | '毎'))
                || prev.and_then(weekday_of).is_some()
                || after_nth
                || matches!(next, Some('祝' | '/' | 'と'))
                || next.is_some_and(|n| n.is_ascii_digit());
            if after_sep && let Some(w) = weekday_of(c) {
                // Range 月〜金
                if next == Some('〜')
                    && let Some(end) = chars.get(i + 2).copied().and_then(weekday_of)
                {
                    let a = Weekday::ALL.iter().position(|x| *x == w).unwrap_or(0);
                    let b = Weekday::ALL.iter().position(|x| *x == end).unwrap_or(0);
                    if a <= b {
                        slot.weekdays.extend(&Weekday::ALL[a..=b]);
                    }
                    i += 3;
                    any = true;
                    continue;
                }
                slot.weekdays.push(w);
                any = true;
            }
        }
        i += 1;
    }
    let mut seen = Vec::new();
    slot.weekdays.retain(|w| {
        let new = !seen.contains(w);
        seen.push(*w);
        new
    });
    slot.weekdays
        .sort_by_key(|w| Weekday::ALL.iter().position(|x| x == w));
    slot.days.sort_unstable();
    slot.days.dedup();
    if !slot.weekdays.is_empty() {
        // 「第2水曜」 is a weekday in some weeks; 「15日」 after a weekday is
        // not a day of the month here only when 毎月 is absent.
        if !s.contains("毎月") && !s.contains("月") {
            slot.days.clear();
        }
    }
    (any || !slot.weeks.is_empty()).then_some(slot)
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

/// Parses a published schedule.
pub fn parse_schedule(text: &str) -> ScheduleParse {
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
    let spaced = split_day_groups(&trimmed.replace("と第", "、第"));
    let segments: Vec<String> = spaced
        .split(['、', ',', ';', '/', '\n', '，'])
        .map(|s| {
            // Parenthesised remarks that only close the schedule are dropped.
            let s = s
                .replace("(祝日休み)", "")
                .replace("(祝日は休み)", "")
                .replace("(祝日を除く)", "");
            s.trim().to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let mut slots: Vec<ParsedSlot> = Vec::new();
    let mut pending_days: Vec<ParsedSlot> = Vec::new();
    let mut last_days: Option<ParsedSlot> = None;
    for seg in &segments {
        let (time, rest) = take_time(seg);
        let days = take_days(&rest);
        match (days, time) {
            (Some(mut d), Some((start, end))) => {
                for mut p in pending_days.drain(..) {
                    p.start = tod(start);
                    p.end = tod(end);
                    slots.push(p);
                }
                d.start = tod(start);
                d.end = tod(end);
                last_days = Some(d.clone());
                slots.push(d);
            }
            (Some(d), None) => {
                last_days = Some(d.clone());
                pending_days.push(d);
            }
            (None, Some((start, end))) => {
                if !pending_days.is_empty() {
                    for mut p in pending_days.drain(..) {
                        p.start = tod(start);
                        p.end = tod(end);
                        slots.push(p);
                    }
                } else if let Some(mut d) = last_days.clone() {
                    // 「火曜 10時～12時、14時～16時」: same days, another time.
                    d.start = tod(start);
                    d.end = tod(end);
                    slots.push(d);
                } else {
                    return ScheduleParse::Unparsed;
                }
            }
            (None, None) => {}
        }
    }
    slots.append(&mut pending_days);
    if slots.is_empty() {
        if IRREGULAR.iter().any(|w| trimmed.contains(w)) {
            return ScheduleParse::Irregular;
        }
        return ScheduleParse::Unparsed;
    }
    // 「月1回 土曜日」: the week is not given; a weekly slot would over-promise.
    static MONTHLY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"月\s*\d\s*回").expect("static regex"));
    if MONTHLY.is_match(trimmed)
        && slots
            .iter()
            .all(|s| s.weeks.is_empty() && s.days.is_empty())
    {
        return ScheduleParse::Unparsed;
    }
    // A lone 「第n」 with no weekday is unknown.
    if slots
        .iter()
        .any(|s| s.weekdays.is_empty() && s.days.is_empty() && !s.holidays)
    {
        return ScheduleParse::Unparsed;
    }
    ScheduleParse::Slots(slots)
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
}
