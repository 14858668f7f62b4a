//! The schedule and fee parsers against the data tables in tests/cases/,
//! and properties that hold for any input: no panic, and nothing produced
//! that a published text could not mean (a slot ending before it starts, an
//! hour past 24, a 6th week, a negative or absurd fee).
//!
//! In the tables, `unparsed` (schedules) and `-` with `unknown` (fees) are
//! the expected answers for texts that cannot be read without guessing. The
//! fee table's `minutes` column is the length of one priced unit of a fee
//! priced by time (`-` for any other).

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use tsunagu_text::fee::{FeeUnit, MAX_FEE_YEN, ParsedFee, parse_fee};
use tsunagu_text::schedule::{MAX_SCHEDULE_CHARS, ScheduleParse, parse_schedule};

fn table(name: &str) -> String {
    std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../tests/cases")
        .join(name),
    )
    .unwrap()
}

#[test]
fn schedule_expressions_parse_to_the_expected_slots() {
    let text = table("schedule_cases.tsv");
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 2 {
            continue;
        }
        n += 1;
        let got = match parse_schedule(c[0]) {
            ScheduleParse::Slots(s) => serde_json::to_string(&s).unwrap(),
            ScheduleParse::Irregular => "irregular".into(),
            ScheduleParse::Unparsed => "unparsed".into(),
            ScheduleParse::None => "none".into(),
        };
        if got != c[1] {
            failures.push(format!(
                "line {}: {:?}\n    want {}\n    got  {got}",
                i + 1,
                c[0],
                c[1]
            ));
        }
    }
    assert!(n >= 80, "at least 80 cases, found {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} schedule cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fee_expressions_parse_to_yen_and_unit() {
    let text = table("fee_cases.tsv");
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 4 {
            continue;
        }
        n += 1;
        let want_yen = c[1].parse::<u64>().ok();
        let want_unit: FeeUnit = serde_json::from_str(&format!("\"{}\"", c[2])).unwrap();
        let want_minutes = c[3].parse::<u16>().ok();
        assert!(
            want_minutes.is_some() || c[3] == "-",
            "line {}: minutes {:?}",
            i + 1,
            c[3]
        );
        let got = parse_fee(c[0]);
        if got.yen != want_yen || got.unit != want_unit || got.minutes != want_minutes {
            failures.push(format!(
                "line {}: {:?}: want {:?} {:?} {:?} min, got {:?} {:?} {:?} min",
                i + 1,
                c[0],
                want_yen,
                want_unit,
                want_minutes,
                got.yen,
                got.unit,
                got.minutes
            ));
        }
    }
    assert!(n >= 130, "at least 130 cases, found {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} fee cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Pieces of published schedules and fees, and the characters probes use to
/// break them, so that generated strings reach deep into both grammars.
const PIECES: &[&str] = &[
    "毎週",
    "毎月",
    "隔週",
    "第",
    "週",
    "曜",
    "曜日",
    "日",
    "月",
    "火",
    "水",
    "木",
    "金",
    "土",
    "祝",
    "祝日",
    "平日",
    "毎日",
    "週末",
    "年中無休",
    "を除く毎日",
    "除く",
    "休み",
    "ただし",
    "または",
    "と",
    "・",
    "、",
    ",",
    "/",
    "\n",
    " ",
    "　",
    "（",
    "）",
    "(",
    ")",
    "時",
    "時半",
    "分",
    "半",
    ":",
    "：",
    "～",
    "〜",
    "~",
    "-",
    "－",
    "−",
    "から",
    "まで",
    "より",
    "午前",
    "午後",
    "午前中",
    "正午",
    "AM",
    "PM",
    "回",
    "月2回",
    "週1回",
    "程度",
    "頃",
    "不定期",
    "要相談",
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "9",
    "12",
    "13",
    "24",
    "25",
    "30",
    "59",
    "60",
    "99",
    "１",
    "３",
    "一",
    "三",
    "十",
    "二十",
    "百",
    "千",
    "万",
    "円",
    "無料",
    "実費",
    "1回",
    "月額",
    "年会費",
    "1時間",
    "30分",
    "15分",
    "60分",
    "あたり",
    "毎",
    "延長",
    "時給",
    "1食",
    "初回",
    "以降",
    "▲",
    "△",
    "マイナス",
    "ー",
    "コーヒー",
    ",000",
    "999999999",
    "18446744073709551616",
    "..",
    "٣",
    "ﾞ",
    "\u{301}",
    "🙂",
    "é",
];

fn soup(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..max).prop_map(|p| p.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        soup(12),
        soup(60),
        "[0-9第曜時～:午後円,-]{0,40}"
    ]
}

fn check_schedule(text: &str) -> Result<(), TestCaseError> {
    if let ScheduleParse::Slots(slots) = parse_schedule(text) {
        prop_assert!(!slots.is_empty(), "empty slots for {text:?}");
        for s in &slots {
            let start = s.start.map(|t| t.minutes());
            let end = s.end.map(|t| t.minutes());
            if let Some(a) = start {
                prop_assert!(a < 24 * 60, "start {a} for {text:?}");
            }
            if let Some(b) = end {
                prop_assert!(b <= 24 * 60, "end {b} for {text:?}");
                prop_assert!(start.is_some(), "end without start for {text:?}");
            }
            if let (Some(a), Some(b)) = (start, end) {
                prop_assert!(a < b, "{a}..{b} for {text:?}");
            }
            prop_assert!(
                s.weeks.iter().all(|w| (1..=5).contains(w)),
                "weeks {:?} for {text:?}",
                s.weeks
            );
            prop_assert!(
                s.days.iter().all(|d| (1..=31).contains(d)),
                "days {:?} for {text:?}",
                s.days
            );
            prop_assert!(
                !s.weekdays.is_empty() || !s.days.is_empty() || s.holidays,
                "a slot with no day for {text:?}"
            );
        }
    }
    Ok(())
}

fn check_fee(text: &str) -> Result<(), TestCaseError> {
    let ParsedFee { yen, unit, minutes } = parse_fee(text);
    prop_assert_eq!(
        minutes.is_some(),
        unit == FeeUnit::PerHour,
        "{:?} minutes with {:?} for {:?}",
        minutes,
        unit,
        text
    );
    if let Some(m) = minutes {
        prop_assert!([15, 30, 60].contains(&m), "{m} minutes for {text:?}");
    }
    if let Some(y) = yen {
        prop_assert!(y <= MAX_FEE_YEN, "{y} yen for {text:?}");
    }
    prop_assert_eq!(
        yen.is_none(),
        unit == FeeUnit::Unknown,
        "{:?} {:?} for {:?}",
        yen,
        unit,
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_schedule_text_gives_possible_slots_or_unparsed(text in any_text()) {
        check_schedule(&text)?;
    }

    #[test]
    fn any_fee_text_gives_a_possible_fee_or_unknown(text in any_text()) {
        check_fee(&text)?;
    }
}

#[test]
fn long_texts_are_unparsed_without_being_read() {
    let long = "毎週火曜 10:00～11:30、".repeat(MAX_SCHEDULE_CHARS);
    assert_eq!(parse_schedule(&long), ScheduleParse::Unparsed);
    assert_eq!(parse_fee(&"300円".repeat(1 << 18)).unit, FeeUnit::Unknown);
    // Just under the bound, a text of the worst pieces is still read quickly.
    let worst: String = PIECES.concat().chars().take(MAX_SCHEDULE_CHARS).collect();
    let started = std::time::Instant::now();
    for _ in 0..20 {
        check_schedule(&worst).unwrap();
        check_fee(&worst).unwrap();
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
