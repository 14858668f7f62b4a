//! A record in the words a coordinator reads out for a referral: where it
//! is, when it runs, what it costs, how far it is. Every output (the CLI's
//! tables, later the server's pages) takes these from here so they say the
//! same thing the same way. Read-only: nothing here changes what is stored.

use serde::Serialize;
use tsunagu_model::{
    FeeKnowledge, Placement, Record, ScheduleKnowledge, TimeOfDay, TimeSlot, Weekday,
};

/// Up to this many metres a distance is said as a walk (「徒歩約9分
/// （711m）」); beyond it walking minutes stop meaning anything to a senior
/// and it is said in kilometres (「約3.4km」).
pub const WALK_UP_TO_M: u32 = 2_000;

/// Longest published schedule or fee text quoted in a line, in characters.
const MAX_QUOTED_CHARS: usize = 40;

/// Most slots said one by one; the rest are 「ほか」.
const MAX_SLOTS_SAID: usize = 3;

/// Where, when and how much, in words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct InWords {
    /// The 町丁目 (or town) the record was placed in: 「小仲台二丁目」.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// When it runs: the parsed slots (「毎週火曜 10:00〜11:30」, seven
    /// days 「毎日」), else the published text, else 「日時要確認」.
    pub when_ja: String,
    /// What it costs: the parsed fee (「1回100円」「無料」), else the
    /// published text, else 「費用要確認」.
    pub fee_ja: String,
}

impl InWords {
    /// The words for a record (as the audience may see it) and the placement
    /// the engine derived for it.
    pub fn of(record: &Record, placement: &Placement) -> InWords {
        InWords {
            town: placement.town.clone(),
            when_ja: schedule_ja(&placement.schedule, record.schedule_text.as_deref()),
            fee_ja: fee_ja(&placement.fee, record.fee_text.as_deref()),
        }
    }
}

/// 「徒歩約9分（711m）」 up to [`WALK_UP_TO_M`], 「約3.4km」 beyond, and
/// 「すぐ近く」 for no distance at all (two addresses read to the same
/// 町丁目 share its one point: 0 m says nothing about the walk).
pub fn distance_ja(distance_m: u32, walking_min: u32) -> String {
    if distance_m == 0 {
        "すぐ近く".to_string()
    } else if distance_m <= WALK_UP_TO_M {
        format!("徒歩約{walking_min}分（{distance_m}m）")
    } else {
        // Tenths of a kilometre rounded half up, in integers: the same
        // metres always read the same, whatever floating point would do.
        let tenths = (distance_m + 50) / 100;
        format!("約{}.{}km", tenths / 10, tenths % 10)
    }
}

/// [`distance_ja`] for a distance alone (walking minutes at 80 m/min).
pub fn distance_ja_of(distance_m: u32) -> String {
    distance_ja(
        distance_m,
        tsunagu_geo::walking_minutes(f64::from(distance_m)),
    )
}

/// When a resource runs, in words.
pub fn schedule_ja(schedule: &ScheduleKnowledge, text: Option<&str>) -> String {
    let published = text.map(one_line).filter(|t| !t.is_empty());
    match (schedule, published) {
        (ScheduleKnowledge::Slots(slots), _) if !slots.is_empty() => {
            let mut said: Vec<String> = slots
                .iter()
                .map(slot_ja)
                .filter(|s| !s.is_empty())
                .collect();
            if said.len() > MAX_SLOTS_SAID {
                let more = said.len() - MAX_SLOTS_SAID;
                said.truncate(MAX_SLOTS_SAID);
                said.push(format!("ほか{more}件"));
            }
            if said.is_empty() {
                return schedule_ja(&ScheduleKnowledge::None, text);
            }
            said.join("、")
        }
        (ScheduleKnowledge::Irregular, Some(t)) => t,
        (ScheduleKnowledge::Irregular, None) => "不定期".to_string(),
        // Text the parser could not read exactly is still what the provider
        // published; it is quoted, and flagged so nobody takes it as read.
        (_, Some(t)) => format!("{t}（日時要確認）"),
        (_, None) => "日時要確認".to_string(),
    }
}

/// What a resource costs, in words.
pub fn fee_ja(fee: &FeeKnowledge, text: Option<&str>) -> String {
    if let Some(price) = fee.describe_ja() {
        return price;
    }
    match text.map(one_line).filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => "費用要確認".to_string(),
    }
}

/// One slot: 「毎週火曜 10:00〜11:30」「第2・4水曜 13:30〜15:00」「毎日」
/// 「平日 9:00〜17:00」「毎月15日」.
pub fn slot_ja(slot: &TimeSlot) -> String {
    let every_week = slot.weeks.is_empty() && !slot.every_other_week;
    let has = |w: &Weekday| slot.weekdays.contains(w);
    let mut days = String::new();
    if every_week && Weekday::ALL.iter().all(has) {
        days.push_str("毎日");
    } else if every_week
        && slot.weekdays.len() == 5
        && [Weekday::Sat, Weekday::Sun].iter().all(|w| !has(w))
    {
        days.push_str("平日");
    } else if !slot.weekdays.is_empty() {
        if !slot.weeks.is_empty() {
            let weeks: Vec<String> = slot.weeks.iter().map(u8::to_string).collect();
            days.push_str(&format!("第{}", weeks.join("・")));
        } else if slot.every_other_week {
            days.push_str("隔週");
        } else {
            days.push_str("毎週");
        }
        // In the week's order, whatever order the source wrote them in.
        let labels: Vec<&str> = Weekday::ALL
            .iter()
            .filter(|w| has(w))
            .map(|w| w.label_ja())
            .collect();
        days.push_str(&labels.join("・"));
        days.push('曜');
    }
    if !slot.days.is_empty() {
        let list: Vec<String> = slot.days.iter().map(u8::to_string).collect();
        if !days.is_empty() {
            days.push('・');
        }
        days.push_str(&format!("毎月{}日", list.join("・")));
    }
    if slot.holidays {
        if !days.is_empty() {
            days.push('・');
        }
        days.push_str("祝日");
    }
    let times = match (slot.start, slot.end) {
        (Some(s), Some(e)) => format!("{}〜{}", clock(s), clock(e)),
        (Some(s), None) => format!("{}〜", clock(s)),
        (None, Some(e)) => format!("〜{}", clock(e)),
        (None, None) => String::new(),
    };
    match (days.is_empty(), times.is_empty()) {
        (_, true) => days,
        (true, false) => times,
        (false, false) => format!("{days} {times}"),
    }
}

/// 「9:05」, as people write times (no leading zero on the hour).
fn clock(t: TimeOfDay) -> String {
    format!("{}:{:02}", t.minutes() / 60, t.minutes() % 60)
}

/// Published text on one line (line breaks and runs of spaces become one
/// space) and no longer than a line can hold.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > MAX_QUOTED_CHARS {
        let mut cut: String = joined.chars().take(MAX_QUOTED_CHARS).collect();
        cut.push('…');
        cut
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagu_model::FeeUnit;

    fn t(text: &str) -> Option<TimeOfDay> {
        TimeOfDay::parse(text)
    }

    #[test]
    fn distances_walk_up_to_two_km_and_are_kilometres_beyond() {
        let cases = [
            (0, 0, "すぐ近く"),
            (1, 1, "徒歩約1分（1m）"),
            (711, 9, "徒歩約9分（711m）"),
            (2_000, 25, "徒歩約25分（2000m）"),
            (2_001, 26, "約2.0km"),
            (2_049, 26, "約2.0km"),
            (2_050, 26, "約2.1km"),
            (3_412, 43, "約3.4km"),
            (3_450, 44, "約3.5km"),
            (11_606, 146, "約11.6km"),
            (99_999, 1_250, "約100.0km"),
        ];
        for (m, min, want) in cases {
            assert_eq!(distance_ja(m, min), want, "{m} m");
        }
        assert_eq!(distance_ja_of(711), "徒歩約9分（711m）");
        assert_eq!(distance_ja_of(3_412), "約3.4km");
    }

    fn slot(weekdays: &[Weekday], weeks: &[u8], start: &str, end: &str) -> TimeSlot {
        TimeSlot {
            weekdays: weekdays.to_vec(),
            weeks: weeks.to_vec(),
            start: t(start),
            end: t(end),
            ..TimeSlot::default()
        }
    }

    #[test]
    fn slots_read_as_people_write_them() {
        use Weekday::*;
        let cases = [
            (slot(&[Tue], &[], "10:00", "11:30"), "毎週火曜 10:00〜11:30"),
            (
                slot(&[Wed], &[2, 4], "13:30", "15:00"),
                "第2・4水曜 13:30〜15:00",
            ),
            (slot(Weekday::ALL, &[], "", ""), "毎日"),
            (slot(Weekday::ALL, &[], "9:00", "17:00"), "毎日 9:00〜17:00"),
            (
                slot(&[Mon, Tue, Wed, Thu, Fri], &[], "9:00", "17:00"),
                "平日 9:00〜17:00",
            ),
            (slot(&[Fri, Tue], &[], "9:00", ""), "毎週火・金曜 9:00〜"),
            (slot(&[Sat, Sun], &[], "", "12:00"), "毎週土・日曜 〜12:00"),
            // Seven days but only some weeks is not every day.
            (
                slot(Weekday::ALL, &[1], "", ""),
                "第1月・火・水・木・金・土・日曜",
            ),
        ];
        for (s, want) in cases {
            assert_eq!(slot_ja(&s), want, "{s:?}");
        }
        let monthly = TimeSlot {
            days: vec![15],
            start: t("10:00"),
            ..TimeSlot::default()
        };
        assert_eq!(slot_ja(&monthly), "毎月15日 10:00〜");
        let holidays = TimeSlot {
            weekdays: vec![Sat, Sun],
            holidays: true,
            ..TimeSlot::default()
        };
        assert_eq!(slot_ja(&holidays), "毎週土・日曜・祝日");
        let every_other = TimeSlot {
            weekdays: vec![Wed],
            every_other_week: true,
            ..TimeSlot::default()
        };
        assert_eq!(slot_ja(&every_other), "隔週水曜");
    }

    #[test]
    fn schedules_say_slots_then_text_then_unknown() {
        let slots = ScheduleKnowledge::Slots(vec![slot(&[Weekday::Tue], &[], "10:00", "11:30")]);
        assert_eq!(
            schedule_ja(&slots, Some("毎週火曜日 午前10時～11時半")),
            "毎週火曜 10:00〜11:30"
        );
        let many = ScheduleKnowledge::Slots(vec![slot(&[Weekday::Mon], &[], "", ""); 5]);
        assert_eq!(
            schedule_ja(&many, None),
            "毎週月曜、毎週月曜、毎週月曜、ほか2件"
        );
        assert_eq!(
            schedule_ja(&ScheduleKnowledge::Irregular, Some("不定期（要相談）")),
            "不定期（要相談）"
        );
        assert_eq!(schedule_ja(&ScheduleKnowledge::Irregular, None), "不定期");
        assert_eq!(
            schedule_ja(&ScheduleKnowledge::Unparsed, Some("収集日の朝\n（要相談）")),
            "収集日の朝 （要相談）（日時要確認）"
        );
        assert_eq!(schedule_ja(&ScheduleKnowledge::None, None), "日時要確認");
        assert_eq!(
            schedule_ja(&ScheduleKnowledge::None, Some("  ")),
            "日時要確認"
        );
        let long = "あ".repeat(100);
        let said = schedule_ja(&ScheduleKnowledge::Unparsed, Some(&long));
        assert_eq!(said, format!("{}…（日時要確認）", "あ".repeat(40)));
    }

    #[test]
    fn fees_say_the_price_then_text_then_unknown() {
        let fee = |yen: Option<u64>, unit| FeeKnowledge {
            yen,
            unit,
            minutes: None,
        };
        assert_eq!(fee_ja(&fee(Some(0), FeeUnit::PerVisit), None), "無料");
        assert_eq!(
            fee_ja(
                &fee(Some(100), FeeUnit::PerVisit),
                Some("1回100円（お茶代）")
            ),
            "1回100円"
        );
        assert_eq!(
            fee_ja(&fee(Some(1000), FeeUnit::PerMonth), None),
            "月1,000円"
        );
        assert_eq!(fee_ja(&fee(None, FeeUnit::Unknown), Some("実費")), "実費");
        assert_eq!(fee_ja(&fee(None, FeeUnit::Unknown), None), "費用要確認");
        assert_eq!(fee_ja(&fee(None, FeeUnit::Unknown), Some("")), "費用要確認");
    }
}
