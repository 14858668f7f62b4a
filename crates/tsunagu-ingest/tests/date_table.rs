//! Dates of CSV cells (tests/cases/date_cases.tsv): 西暦 and 和暦 forms to
//! `YYYY-MM-DD`, dates that do not exist or lie outside their era to an
//! out-of-range error with the valid range, anything else to a format
//! error. The table's expected column is the date, `bad_format`, or
//! `out_of_range MIN..MAX`.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use tsunagu_ingest::{iso_date, parse_date_text};
use tsunagu_model::FieldErrorKind;

fn outcome(text: &str) -> String {
    match parse_date_text(text) {
        Ok(date) => iso_date(date),
        Err(FieldErrorKind::BadFormat { .. }) => "bad_format".into(),
        Err(FieldErrorKind::OutOfRange { min, max, .. }) => format!("out_of_range {min}..{max}"),
        Err(other) => format!("unexpected {other:?}"),
    }
}

#[test]
fn date_table() {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../tests/cases/date_cases.tsv"),
    )
    .unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    let mut invalid = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 2 {
            continue;
        }
        n += 1;
        invalid += usize::from(!c[1].starts_with(|ch: char| ch.is_ascii_digit()));
        let got = outcome(c[0]);
        if got != c[1] {
            failures.push(format!(
                "line {}: {:?}\n    want {}\n    got  {got}",
                i + 1,
                c[0],
                c[1]
            ));
        }
    }
    assert!(n >= 30, "at least 30 cases, found {n}");
    assert!(invalid >= 10, "at least 10 invalid cases, found {invalid}");
    assert!(
        failures.is_empty(),
        "{} of {n} date cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_quote_the_cell_in_both_languages() {
    let e = parse_date_text("平成31年5月1日").unwrap_err();
    assert_eq!(
        e.message_ja(),
        "平成31年5月1日 は範囲外です（平成元年1月8日 (1989-01-08)〜平成31年4月30日 (2019-04-30)）"
    );
    assert!(e.message_en().starts_with("平成31年5月1日 is out of range"));
    let e = parse_date_text("来年の春").unwrap_err();
    assert_eq!(
        e.message_ja(),
        "「来年の春」は日付（YYYY-MM-DD）の形式ではありません"
    );
}

proptest! {
    /// Any text: no panic, and a date that is returned prints back to
    /// itself in the spec's form.
    #[test]
    fn any_text_is_a_date_or_an_error(text in "\\PC{0,30}") {
        if let Ok(date) = parse_date_text(&text) {
            let iso = iso_date(date);
            prop_assert_eq!(parse_date_text(&iso), Ok(date));
        }
    }

    /// Every real day from 1989 on reads back from its 和暦 and slash forms.
    #[test]
    fn real_days_read_in_every_form(days in 0i64..20_000) {
        let date = chrono::NaiveDate::from_ymd_opt(1989, 1, 8).unwrap() + chrono::Duration::days(days);
        let iso = iso_date(date);
        let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
        let slash = format!("{}/{}/{}", y, m.trim_start_matches('0'), d.trim_start_matches('0'));
        prop_assert_eq!(parse_date_text(&slash), Ok(date));
        let year: i32 = y.parse().unwrap();
        let era = if iso.as_str() >= "2019-05-01" { ("令和", year - 2018) } else { ("平成", year - 1988) };
        let wareki = format!("{}{}年{}月{}日", era.0, era.1, m, d);
        prop_assert_eq!(parse_date_text(&wareki), Ok(date));
    }
}
