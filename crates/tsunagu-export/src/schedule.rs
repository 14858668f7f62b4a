//! Schedule slots as iCalendar-style recurrence rules (HSDS `schedule`) and
//! back, and as the short day words of the CSV's 曜日 column.
//!
//! A slot `{weekdays: [wed], weeks: [2, 4], start: 10:00, end: 12:00}`
//! (第2・第4水曜 10時〜12時) is `freq=MONTHLY, byday=2WE,4WE,
//! opens_at=10:00+09:00, closes_at=12:00+09:00, timezone=9`; a slot without
//! weeks is `freq=WEEKLY, byday=WE`. Times carry their UTC offset, as the
//! HSDS field guidance asks.

use tsunagu_model::{ScheduleSlot, TimeOfDay, TimeSlot, Weekday};

/// Japan's offset from UTC, in hours (HSDS `schedule.timezone`).
pub const TIMEZONE_HOURS: i32 = 9;

/// One recurrence, in HSDS's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub freq: Option<&'static str>,
    pub byday: Option<String>,
    pub bymonthday: Option<String>,
    pub interval: Option<u32>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    /// What the rule cannot say (祝日).
    pub notes: Option<String>,
}

pub fn rrule_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn day_of_rrule(code: &str) -> Option<Weekday> {
    Weekday::ALL
        .iter()
        .copied()
        .find(|d| rrule_day(*d).eq_ignore_ascii_case(code))
}

/// `10:00+09:00` (24:00 stays 24:00, the end of the day).
pub fn hsds_time(t: TimeOfDay) -> String {
    format!("{t}+09:00")
}

/// `byday` for weekdays in the given weeks of the month (day by day, so
/// the reader meets the days in the order the slot lists them).
fn byday(weekdays: &[Weekday], weeks: &[u8]) -> String {
    let mut parts = Vec::with_capacity(weekdays.len() * weeks.len().max(1));
    for day in weekdays {
        if weeks.is_empty() {
            parts.push(rrule_day(*day).to_string());
        } else {
            for week in weeks {
                parts.push(format!("{week}{}", rrule_day(*day)));
            }
        }
    }
    parts.join(",")
}

/// The rule of a slot of the record's own `schedule`.
pub fn rule_of_slot(slot: &ScheduleSlot) -> Rule {
    Rule {
        freq: Some(if slot.weeks.is_empty() {
            "WEEKLY"
        } else {
            "MONTHLY"
        }),
        byday: Some(byday(&slot.weekdays, &slot.weeks)),
        opens_at: slot.start.map(hsds_time),
        closes_at: slot.end.map(hsds_time),
        ..Rule::default()
    }
}

/// The rules of a slot the engine read from the published text. Days of
/// the month and weekdays in one slot are two rules (one rule with both
/// would mean only the days that are both); every other week is
/// `interval=2`; public holidays cannot be said (HSDS issue #440) and go to
/// `notes`.
pub fn rules_of_time_slot(slot: &TimeSlot) -> Vec<Rule> {
    let times = Rule {
        opens_at: slot.start.map(hsds_time),
        closes_at: slot.end.map(hsds_time),
        notes: slot.holidays.then(|| "祝日".to_string()),
        ..Rule::default()
    };
    let mut rules = Vec::new();
    if !slot.weekdays.is_empty() {
        let monthly = !slot.weeks.is_empty();
        rules.push(Rule {
            freq: Some(if monthly { "MONTHLY" } else { "WEEKLY" }),
            byday: Some(byday(&slot.weekdays, &slot.weeks)),
            interval: (slot.every_other_week && !monthly).then_some(2),
            ..times.clone()
        });
    }
    if !slot.days.is_empty() {
        rules.push(Rule {
            freq: Some("MONTHLY"),
            bymonthday: Some(
                slot.days
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ..times.clone()
        });
    }
    if rules.is_empty() {
        // Only holidays, or only a time: no recurrence to state.
        rules.push(times);
    }
    rules
}

/// A slot's weekdays and weeks, as read from a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Days {
    pub weekdays: Vec<Weekday>,
    pub weeks: Vec<u8>,
}

/// Why a rule is not a slot of the record format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleProblem {
    /// Well-formed, but more than a slot can say (days of the month, every
    /// other week, the last week): skipped, its description kept.
    Unsupported(String),
    /// Not a rule at all (a `byday` token that means nothing): the
    /// service is rejected, naming the field.
    Malformed { field: &'static str, found: String },
}

/// The slots a rule means: weekdays grouped by the weeks they run in.
/// `None` when the rule states no days at all (a schedule object that is
/// only a description).
pub fn days_of_rule(
    freq: Option<&str>,
    byday: Option<&str>,
    bymonthday: Option<&str>,
    interval: Option<f64>,
) -> Result<Option<Vec<Days>>, RuleProblem> {
    if bymonthday.is_some_and(|d| !d.trim().is_empty()) {
        return Err(RuleProblem::Unsupported("bymonthday".into()));
    }
    if interval.is_some_and(|i| i != 1.0) {
        return Err(RuleProblem::Unsupported("interval".into()));
    }
    let Some(byday) = byday.map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let freq = freq.map(str::to_ascii_uppercase);
    // (day, weeks); empty weeks = every week.
    let mut by_day: Vec<(Weekday, Vec<u8>, bool)> = Vec::new();
    for token in byday.split(',').map(str::trim) {
        let split = token
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(token.len());
        let (ordinal, code) = token.split_at(split);
        let Some(day) = day_of_rrule(code) else {
            return Err(RuleProblem::Malformed {
                field: "byday",
                found: token.to_string(),
            });
        };
        let week = match ordinal {
            "" => None,
            n => match n.trim_start_matches('+').parse::<i32>() {
                Ok(w @ 1..=5) => Some(w as u8),
                Ok(_) => return Err(RuleProblem::Unsupported(format!("byday {token}"))),
                Err(_) => {
                    return Err(RuleProblem::Malformed {
                        field: "byday",
                        found: token.to_string(),
                    });
                }
            },
        };
        if week.is_some() && freq.as_deref() == Some("WEEKLY") {
            return Err(RuleProblem::Malformed {
                field: "byday",
                found: format!("{token} with freq WEEKLY"),
            });
        }
        let entry = match by_day.iter_mut().position(|(d, _, _)| *d == day) {
            Some(i) => &mut by_day[i],
            None => {
                by_day.push((day, Vec::new(), false));
                let last = by_day.len() - 1;
                &mut by_day[last]
            }
        };
        match week {
            None => entry.2 = true,
            Some(w) if !entry.1.contains(&w) => entry.1.push(w),
            Some(_) => {}
        }
    }
    if let Some(f) = freq.as_deref()
        && f != "WEEKLY"
        && f != "MONTHLY"
    {
        return Err(RuleProblem::Unsupported(format!("freq {f}")));
    }
    let mut groups: Vec<Days> = Vec::new();
    for (day, mut weeks, every) in by_day {
        if every {
            weeks.clear();
        }
        weeks.sort_unstable();
        match groups.iter_mut().find(|g| g.weeks == weeks) {
            Some(g) => g.weekdays.push(day),
            None => groups.push(Days {
                weekdays: vec![day],
                weeks,
            }),
        }
    }
    Ok(Some(groups))
}

/// Reads an HSDS time (`10:00`, `10:00:00`, `10:00+09:00`, `01:00:00Z`) as a
/// time of day in Japan. A time with an offset is moved to +09:00; one
/// without is taken in `timezone` (hours from UTC), or in Japan when the
/// schedule gives none.
pub fn parse_hsds_time(text: &str, timezone: Option<f64>) -> Option<TimeOfDay> {
    let t = text.trim();
    let (clock, offset_min) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, Some(0))
    } else if let Some(i) = t.rfind(['+', '-']) {
        let (c, off) = t.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let m: i32 = digits[2..].parse().ok()?;
        (c, Some(sign * (h * 60 + m)))
    } else {
        (t, None)
    };
    let mut parts = clock.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    if let Some(s) = parts.next() {
        // Seconds (and fractions) are read and dropped.
        let whole = s.split('.').next()?;
        if whole.len() != 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    if parts.next().is_some() {
        return None;
    }
    let local = TimeOfDay::parse(&format!("{h}:{m}"))?;
    let offset = match offset_min {
        Some(o) => o,
        None => match timezone {
            Some(tz) if tz.is_finite() && tz.abs() <= 14.0 => (tz * 60.0).round() as i32,
            _ => TIMEZONE_HOURS * 60,
        },
    };
    if offset == TIMEZONE_HOURS * 60 {
        return Some(local);
    }
    let japan = (i32::from(local.minutes()) - offset + TIMEZONE_HOURS * 60).rem_euclid(24 * 60);
    TimeOfDay::from_minutes(u16::try_from(japan).ok()?)
}

/// A slot's days in short words for the CSV's 曜日 column: 「毎週月・水曜」
/// 「第2・第4水曜」「隔週金曜」「毎月15日」「祝日」.
pub fn days_ja(slot: &TimeSlot) -> String {
    let mut parts = Vec::new();
    if !slot.weekdays.is_empty() {
        let days: Vec<&str> = slot.weekdays.iter().map(|d| d.label_ja()).collect();
        let prefix = if !slot.weeks.is_empty() {
            slot.weeks
                .iter()
                .map(|w| format!("第{w}"))
                .collect::<Vec<_>>()
                .join("・")
        } else if slot.every_other_week {
            "隔週".to_string()
        } else {
            "毎週".to_string()
        };
        parts.push(format!("{prefix}{}曜", days.join("・")));
    }
    if !slot.days.is_empty() {
        let days: Vec<String> = slot.days.iter().map(u8::to_string).collect();
        parts.push(format!("毎月{}日", days.join("・")));
    }
    if slot.holidays {
        parts.push("祝日".to_string());
    }
    parts.join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<TimeOfDay> {
        TimeOfDay::parse(s)
    }

    #[test]
    fn second_and_fourth_wednesday_is_a_monthly_rule() {
        let slot = ScheduleSlot {
            weekdays: vec![Weekday::Wed],
            weeks: vec![2, 4],
            start: t("10:00"),
            end: t("12:00"),
        };
        let rule = rule_of_slot(&slot);
        assert_eq!(rule.freq, Some("MONTHLY"));
        assert_eq!(rule.byday.as_deref(), Some("2WE,4WE"));
        assert_eq!(rule.opens_at.as_deref(), Some("10:00+09:00"));
        assert_eq!(rule.closes_at.as_deref(), Some("12:00+09:00"));
        let days = days_of_rule(Some("MONTHLY"), rule.byday.as_deref(), None, None);
        assert_eq!(
            days,
            Ok(Some(vec![Days {
                weekdays: vec![Weekday::Wed],
                weeks: vec![2, 4]
            }]))
        );
    }

    #[test]
    fn rules_group_days_by_their_weeks() {
        let days = days_of_rule(Some("MONTHLY"), Some("2WE,2FR,4WE,4FR,1MO"), None, None);
        assert_eq!(
            days,
            Ok(Some(vec![
                Days {
                    weekdays: vec![Weekday::Wed, Weekday::Fri],
                    weeks: vec![2, 4]
                },
                Days {
                    weekdays: vec![Weekday::Mon],
                    weeks: vec![1]
                },
            ]))
        );
        assert_eq!(
            days_of_rule(Some("WEEKLY"), Some("MO,TU"), None, Some(1.0)),
            Ok(Some(vec![Days {
                weekdays: vec![Weekday::Mon, Weekday::Tue],
                weeks: vec![]
            }]))
        );
        assert!(matches!(
            days_of_rule(Some("MONTHLY"), Some("-1FR"), None, None),
            Err(RuleProblem::Unsupported(_))
        ));
        assert!(matches!(
            days_of_rule(Some("WEEKLY"), Some("MO"), None, Some(2.0)),
            Err(RuleProblem::Unsupported(_))
        ));
        assert!(matches!(
            days_of_rule(Some("MONTHLY"), None, Some("15"), None),
            Err(RuleProblem::Unsupported(_))
        ));
        assert!(matches!(
            days_of_rule(Some("WEEKLY"), Some("XX"), None, None),
            Err(RuleProblem::Malformed { .. })
        ));
        assert_eq!(days_of_rule(None, None, None, None), Ok(None));
    }

    #[test]
    fn times_are_read_in_japan() {
        assert_eq!(parse_hsds_time("10:00+09:00", None), t("10:00"));
        assert_eq!(parse_hsds_time("10:00", None), t("10:00"));
        assert_eq!(parse_hsds_time("10:00:00", Some(9.0)), t("10:00"));
        assert_eq!(parse_hsds_time("01:00:00Z", None), t("10:00"));
        assert_eq!(parse_hsds_time("01:00", Some(0.0)), t("10:00"));
        assert_eq!(parse_hsds_time("24:00+09:00", None), t("24:00"));
        assert_eq!(parse_hsds_time("9am", None), None);
        assert_eq!(parse_hsds_time("10:00+0900", None), t("10:00"));
    }

    #[test]
    fn parsed_slots_say_what_rules_cannot() {
        let slot = TimeSlot {
            weekdays: vec![Weekday::Fri],
            days: vec![15],
            every_other_week: true,
            holidays: true,
            start: t("13:30"),
            ..TimeSlot::default()
        };
        let rules = rules_of_time_slot(&slot);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].interval, Some(2));
        assert_eq!(rules[1].bymonthday.as_deref(), Some("15"));
        assert_eq!(rules[0].notes.as_deref(), Some("祝日"));
        assert_eq!(days_ja(&slot), "隔週金曜、毎月15日、祝日");
    }
}
