//! Reports through the real binary on the seed data: the area report in
//! each format and scope, the population import it is read against (the
//! city's CSV layout, CP932, unknown towns reported, bad files refused
//! without touching the stored table), the 協議体 agenda, the public report
//! without internal records, and the 通いの場 survey.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::*;

/// The seed gazetteer's 町丁目 of a ward.
fn towns_of(ward: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("seed-data/gazetteer.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells.get(2) == Some(&ward)).then(|| cells[3].to_string())
        })
        .collect()
}

/// Internal records of the seed's JSON Lines files: (id, name).
fn internal_records() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in seed_files() {
        if file.extension().is_some_and(|e| e == "jsonl") {
            for line in std::fs::read_to_string(&file).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                if v["visibility"] == "internal" {
                    out.push((
                        v["id"].as_str().unwrap().to_string(),
                        v["name"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    out
}

/// 全角 digits for 「一丁目」…, as some tables write them (穴川１丁目).
fn arabic_chome(town: &str) -> String {
    const KANJI: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const WIDE: [&str; 9] = ["１", "２", "３", "４", "５", "６", "７", "８", "９"];
    for (k, w) in KANJI.iter().zip(WIDE) {
        if let Some(head) = town.strip_suffix(&format!("{k}丁目")) {
            return format!("{head}{w}丁目");
        }
    }
    town.to_string()
}

#[test]
fn the_area_report_with_and_without_a_population_table() {
    let dir = seeded();
    let d = dir.path();
    let v = json(&tsunagu(d, &["report", "area", "--format", "json"]));
    assert_eq!(v["scope"]["label"], "千葉市");
    assert!(v["population"].is_null());
    let areas = v["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 6 + 28, "six wards and 28 centres");
    assert!(
        areas.iter().all(|a| a["kayoi_per_1000_65"].is_null()),
        "no population, no ratio"
    );
    assert!(v["reach"]["towns"].as_u64().unwrap() >= 500);

    // The city's table: title lines, a 区名 column, bands, CP932; some
    // towns written with full-width digits; one town that does not exist.
    let towns = towns_of("稲毛区");
    let mut csv = String::from(
        "町丁別年齢別人口（住民基本台帳）,,,,,\r\n令和8年9月末日現在,,,,,\r\n区名,町丁名,総数,0～64歳,65～74歳,75歳以上\r\n",
    );
    let mut aged_65 = 0u64;
    for (i, town) in towns.iter().enumerate() {
        let (young, old, older) = (100 + i as u64, 20 + (i as u64 % 7), 10 + (i as u64 % 5));
        aged_65 += old + older;
        let name = if i % 2 == 0 {
            arabic_chome(town)
        } else {
            town.clone()
        };
        csv.push_str(&format!(
            "稲毛区,{name},\"{}\",{young},{old},{older}\r\n",
            young + old + older
        ));
    }
    csv.push_str("稲毛区,架空町,10,5,3,2\r\n稲毛区計,,,,,\r\n");
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(&csv);
    assert!(!bad);
    let file = d.join("population.csv");
    std::fs::write(&file, &bytes).unwrap();
    let out = tsunagu(
        d,
        &[
            "population",
            "import",
            file.to_str().unwrap(),
            "--as-of",
            "2026-09-30",
        ],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(said.contains(&format!("{}町丁目", towns.len())), "{said}");
    assert!(said.contains("cp932"), "{said}");
    assert!(
        said.contains("「稲毛区架空町」は町丁目の一覧にありません"),
        "{said}"
    );

    let v = json(&tsunagu(
        d,
        &["report", "area", "--ward", "稲毛区", "--format", "json"],
    ));
    assert_eq!(v["population"]["as_of"], "2026-09-30");
    let inage = v["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "稲毛区")
        .unwrap()
        .clone();
    assert_eq!(inage["population"]["aged_65"].as_u64(), Some(aged_65));
    let kayoi = inage["kayoi"].as_u64().unwrap();
    let want = (kayoi as f64 * 1000.0 / aged_65 as f64 * 100.0).round() / 100.0;
    assert_eq!(inage["kayoi_per_1000_65"].as_f64(), Some(want));
    // Every 町丁目 of the ward has its count, so reach is weighted too.
    assert!(
        v["reach"]["any"]["share_65"].is_array(),
        "{}",
        v["reach"]["any"]
    );
    // Another ward's towns are not in the table: no ratio there.
    let city = json(&tsunagu(d, &["report", "area", "--format", "json"]));
    let chuo = city["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "中央区")
        .unwrap();
    assert!(chuo["kayoi_per_1000_65"].is_null());

    // A band straddling 65 is refused and the stored table stays.
    let straddling = d.join("bad.csv");
    std::fs::write(&straddling, "町丁名,60～69歳,70歳以上\n穴川町,1,2\n").unwrap();
    let out = tsunagu(d, &["population", "import", straddling.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("65歳をまたぐ"), "{}", stderr(&out));
    let shown = stdout(&tsunagu(d, &["population", "show"]));
    assert!(shown.contains("population.csv（2026-09-30）"), "{shown}");
}

#[test]
fn csv_html_and_agenda_files() {
    let dir = seeded();
    let d = dir.path();
    let csv = tsunagu(
        d,
        &["report", "area", "--centre", "AC15", "--format", "csv"],
    );
    assert!(csv.status.success());
    assert!(csv.stdout.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = stdout(&csv);
    assert!(text.contains("区分,地域種別,地域ID,地域,項目,値"));
    assert!(text.contains("資源数,あんしんケアセンター,AC15"));

    let page = d.join("ac15.html");
    let out = tsunagu(
        d,
        &[
            "report",
            "area",
            "--centre",
            "ac15",
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("地域診断: 千葉市あんしんケアセンター小仲台"));
    assert!(html.contains("<style>"), "the file opens on its own");
    assert!(html.contains("class=\"area-map\"") && html.contains("class=\"chart\""));
    assert!(!html.contains("<script"), "no script");

    let agenda = d.join("agenda.html");
    let out = tsunagu(
        d,
        &[
            "report",
            "area",
            "--centre",
            "AC15",
            "--format",
            "html",
            "--agenda",
            "-o",
            agenda.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&agenda)
            .unwrap()
            .contains("協議体 資料")
    );
    let refused = tsunagu(d, &["report", "area", "--agenda", "--format", "html"]);
    assert_eq!(refused.status.code(), Some(2), "an agenda needs an area");
    let refused = tsunagu(d, &["report", "area", "--centre", "AC99"]);
    assert!(!refused.status.success());
}

#[test]
fn the_public_report_holds_no_internal_record() {
    let dir = seeded();
    let d = dir.path();
    let internal = internal_records();
    assert!(!internal.is_empty(), "the seed has internal records");
    let coordinator = stdout(&tsunagu(
        d,
        &[
            "report",
            "area",
            "--format",
            "json",
            "--audience",
            "coordinator",
        ],
    ));
    // Public is the default.
    let public = stdout(&tsunagu(d, &["report", "area", "--format", "json"]));
    assert!(
        internal
            .iter()
            .any(|(id, _)| coordinator.contains(&format!("\"{id}\""))),
        "the coordinators' report lists internal records (so the check below can fail)"
    );
    for (id, name) in &internal {
        assert!(
            !public.contains(&format!("\"{id}\"")),
            "{id} in the public report"
        );
        assert!(
            !public.contains(name.as_str()),
            "{name} in the public report"
        );
    }
    let v: serde_json::Value = serde_json::from_str(&public).unwrap();
    assert_eq!(v["audience"], "public");
}

#[test]
fn the_kayoi_survey_counts_and_lists_what_it_cannot_read() {
    let dir = seeded();
    let d = dir.path();
    let v = json(&tsunagu(
        d,
        &[
            "report",
            "kayoi-survey",
            "--year",
            "2026",
            "--format",
            "json",
        ],
    ));
    let places = v["places"].as_u64().unwrap();
    assert!(places > 50, "{places}");
    let sum = |key: &str| -> u64 {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum("by_frequency"), places);
    assert_eq!(sum("by_activity"), places);
    assert_eq!(sum("by_operator"), places);
    let undetermined = v["undetermined"].as_array().unwrap();
    assert!(!undetermined.is_empty());
    assert!(undetermined.iter().all(|u| u["reason_ja"].is_string()));
    let csv = stdout(&tsunagu(
        d,
        &[
            "report",
            "kayoi-survey",
            "--year",
            "2026",
            "--format",
            "csv",
        ],
    ));
    assert!(csv.contains("開催頻度,週1回以上,"));
}
