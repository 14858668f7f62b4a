//! The schedule and fee parsers against the data tables in tests/cases/.

#![allow(clippy::unwrap_used)] // tests may unwrap

use tsunagu_text::fee::{FeeUnit, parse_fee};
use tsunagu_text::schedule::{ScheduleParse, parse_schedule};

fn table(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
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
        if c.len() < 3 {
            continue;
        }
        n += 1;
        let want_yen = c[1].parse::<u64>().ok();
        let want_unit: FeeUnit = serde_json::from_str(&format!("\"{}\"", c[2])).unwrap();
        let got = parse_fee(c[0]);
        if got.yen != want_yen || got.unit != want_unit {
            failures.push(format!(
                "line {}: {:?}: want {:?} {:?}, got {:?} {:?}",
                i + 1,
                c[0],
                want_yen,
                want_unit,
                got.yen,
                got.unit
            ));
        }
    }
    assert!(n >= 30, "at least 30 cases, found {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} fee cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
