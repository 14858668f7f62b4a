//! The address normalisation table (tests/cases/address_cases.tsv) against
//! the seed gazetteer and centre table: each input must resolve to the
//! expected ward, town, 丁目, level and あんしんケアセンター (`?` = the town is
//! split by 丁目 and none was given, so no centre may be guessed).

#![allow(clippy::unwrap_used)] // tests may unwrap

use tsunagu_geo::{CenterAssignment, Level, Locator};

fn level(s: &str) -> Level {
    match s {
        "chome" => Level::Chome,
        "town" => Level::Town,
        "ward" => Level::Ward,
        _ => Level::None,
    }
}

#[test]
fn address_cases_resolve_as_expected() {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/cases/address_cases.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let locator = Locator::seed().unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        n += 1;
        let c: Vec<&str> = line.split('\t').collect();
        let (input, ward, oaza, chome, lvl, center) = (c[0], c[1], c[2], c[3], c[4], c[5]);
        let p = locator.locate_address(input);
        let got_ward = p.ward.map(|w| w.name()).unwrap_or("-");
        let got_oaza = p.oaza.as_deref().unwrap_or("-");
        let got_chome = p.chome.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
        let got_center = match &p.center {
            CenterAssignment::Center(_) => locator.center_id(&p.center).unwrap_or("-").to_string(),
            CenterAssignment::Undecided(_) => "?".into(),
            CenterAssignment::Unknown => "-".into(),
        };
        let want = (ward, oaza, chome, level(lvl), center);
        let got = (
            got_ward,
            got_oaza,
            got_chome.as_str(),
            p.level,
            got_center.as_str(),
        );
        if want != got {
            failures.push(format!(
                "line {}: {input:?}: want {want:?}, got {got:?} ({})",
                i + 1,
                c.get(6).unwrap_or(&"")
            ));
        }
        if p.level == Level::None || (p.level == Level::Ward && !input.is_empty()) {
            // A failed resolution must say why.
            assert!(
                p.note.is_some(),
                "{input:?}: no note for level {:?}",
                p.level
            );
        }
    }
    assert!(n >= 80, "at least 80 cases, found {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} address cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_split_town_of_the_centre_table_is_covered_by_the_cases() {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../tests/cases/address_cases.tsv"),
    )
    .unwrap();
    for town in ["柏井", "宮野木台", "朝日ケ丘", "中瀬", "ひび野", "高浜"] {
        let with_chome = text
            .lines()
            .any(|l| l.split('\t').nth(2) == Some(town) && l.split('\t').nth(4) == Some("chome"));
        let without = text
            .lines()
            .any(|l| l.split('\t').nth(2) == Some(town) && l.split('\t').nth(5) == Some("?"));
        assert!(with_chome && without, "{town}: cases with and without 丁目");
    }
}

#[test]
fn unmatched_addresses_name_the_nearest_candidates() {
    let locator = Locator::seed().unwrap();
    let p = locator.locate_address("千葉市稲毛区小仲代2丁目");
    assert_eq!(p.level, Level::Ward);
    assert!(
        p.candidates.iter().any(|c| c.contains("小仲台")),
        "{:?}",
        p.candidates
    );
}
