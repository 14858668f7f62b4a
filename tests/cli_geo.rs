//! Geography through the real binary: locate, near search, nearest, and the
//! placement warnings of import.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::*;

#[test]
fn locate_reports_level_centre_and_refuses_to_guess() {
    let data = tempfile::tempdir().unwrap();
    let v = json(&tsunagu(
        data.path(),
        &["locate", "千葉市花見川区柏井4丁目5-6", "--format", "json"],
    ));
    assert_eq!(
        (v["level"].as_str(), v["center_id"].as_str()),
        (Some("chome"), Some("AC06"))
    );
    let out = tsunagu(data.path(), &["locate", "美浜区高浜", "--format", "json"]);
    let v = json(&out);
    assert_eq!(v["level"], "town");
    assert!(
        v["center_id"].is_null(),
        "split town without 丁目: no guess"
    );
    assert_eq!(v["center_candidates"].as_array().unwrap().len(), 2);
    let out = tsunagu(data.path(), &["locate", "船橋市本町1-2-3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("千葉市外"), "{}", stdout(&out));
    // The built-in ward polygons place points by default.
    let v = json(&tsunagu(
        data.path(),
        &["locate", "--point", "35.6384,140.1002", "--format", "json"],
    ));
    assert_eq!(
        (v["ward"].as_str(), v["ward_method"].as_str()),
        (Some("稲毛区"), Some("polygon"))
    );
    // Tokyo Bay off 美浜区: inside the old bounding box, outside every ward.
    let v = json(&tsunagu(
        data.path(),
        &["locate", "--point", "35.60,140.03", "--format", "json"],
    ));
    assert_eq!(v["inside_city"], false, "{v:#}");
}

/// One row of seed-data/gazetteer.csv, read here without tsunagu's own
/// importer so that the test does not lean on the code it checks.
struct BundledRow {
    ward: String,
    town: String,
    oaza: String,
    chome: Option<u32>,
    point: Option<(f64, f64)>,
}

fn bundled_rows() -> Vec<BundledRow> {
    let text = std::fs::read_to_string(root().join("seed-data/gazetteer.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("ward_code,lg_code,ward,town,oaza,chome,lat,lng,has_point")
    );
    lines
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            BundledRow {
                ward: c[2].to_string(),
                town: c[3].to_string(),
                oaza: c[4].to_string(),
                chome: c[5].parse().ok(),
                point: c[6].parse().ok().zip(c[7].parse().ok()),
            }
        })
        .collect()
}

/// Every town of the bundled gazetteer resolves to itself through `locate`:
/// with 千葉市 and the ward, with the ward alone, and with the 丁目 in arabic
/// numerals (小仲台2丁目) — the same ward, 町丁目, level and point, read
/// whole (no note, nothing unread), and a centre. The 5 rows without a point
/// (都町四〜八丁目) say that the town's mean point stands in.
#[test]
fn every_bundled_town_resolves_to_itself_through_locate() {
    let rows = bundled_rows();
    assert_eq!(rows.len(), 505);
    assert_eq!(rows.iter().filter(|r| r.point.is_none()).count(), 5);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("none");
    let check = |row: &BundledRow, address: String| -> Option<String> {
        let out = tsunagu(&data, &["locate", &address, "--format", "json"]);
        let v = json(&out);
        let level = if row.chome.is_some() { "chome" } else { "town" };
        let got = (
            v["ward"].as_str(),
            v["town"].as_str(),
            v["oaza"].as_str(),
            v["level"].as_str(),
        );
        let want = (
            Some(row.ward.as_str()),
            Some(row.town.as_str()),
            Some(row.oaza.as_str()),
            Some(level),
        );
        if got != want || out.status.code() != Some(0) || !v["center_id"].is_string() {
            return Some(format!("{address}: got {got:?}, centre {}", v["center_id"]));
        }
        let point = v["lat"].as_f64().zip(v["lon"].as_f64());
        match row.point {
            Some((lat, lon)) => {
                let same =
                    point.is_some_and(|(a, b)| (a - lat).abs() < 1e-9 && (b - lon).abs() < 1e-9);
                if !same || !v["note"].is_null() {
                    return Some(format!("{address}: point {point:?} note {}", v["note"]));
                }
            }
            None => {
                let says = v["note"]
                    .as_str()
                    .is_some_and(|n| n.contains("代表点がない"));
                if point.is_none() || !says {
                    return Some(format!("{address}: no-point row: {point:?} {}", v["note"]));
                }
            }
        }
        None
    };
    let mut jobs: Vec<(&BundledRow, String)> = Vec::new();
    for row in &rows {
        jobs.push((row, format!("千葉市{}{}", row.ward, row.town)));
        jobs.push((row, format!("{}{}", row.ward, row.town)));
        if let Some(n) = row.chome {
            jobs.push((row, format!("千葉市{}{}{n}丁目", row.ward, row.oaza)));
        }
    }
    // Two workers: each run starts the binary afresh.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let half = jobs.len() / 2;
        let (a, b) = jobs.split_at(half);
        let workers: Vec<_> = [a, b]
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|(row, address)| check(row, address.clone()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(jobs.len(), 505 * 2 + 361);
    assert!(
        failures.is_empty(),
        "{} of {} addresses did not resolve to their own row:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

/// Addresses as coordinators write them, through the binary: the ward
/// without 区, a postal code first, a kana reading, words left unread.
#[test]
fn locate_reads_addresses_as_coordinators_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("none");
    let locate = |address: &str| json(&tsunagu(&data, &["locate", address, "--format", "json"]));
    let v = locate("〒263-0043 稲毛小仲台2丁目5-3");
    assert_eq!(
        (
            v["ward"].as_str(),
            v["town"].as_str(),
            v["center_id"].as_str()
        ),
        (Some("稲毛区"), Some("小仲台二丁目"), Some("AC15")),
        "{v:#}"
    );
    assert!(
        v["note"].as_str().unwrap().contains("稲毛区と読みました"),
        "{v:#}"
    );
    let v = locate("おゆみの中央3丁目");
    assert_eq!(
        (v["ward"].as_str(), v["town"].as_str()),
        (Some("緑区"), Some("おゆみ野中央三丁目")),
        "{v:#}"
    );
    // A split town read from kana still says its centre needs the 丁目.
    let v = locate("あさひがおか");
    assert_eq!(v["oaza"], "朝日ケ丘", "{v:#}");
    let note = v["note"].as_str().unwrap();
    assert!(
        note.contains("「あさひがおか」を「朝日ケ丘」と読みました") && note.contains("丁目を指定"),
        "{v:#}"
    );
    let v = locate("千葉市稲毛区稲毛 小仲台公民館");
    assert_eq!(v["oaza"], "稲毛", "{v:#}");
    assert!(
        v["note"]
            .as_str()
            .unwrap()
            .contains("「小仲台公民館」は住所として読んでいません"),
        "words thrown away are said: {v:#}"
    );
}

/// `gazetteer import` of a file that does not exist says so, exits 2 like
/// other input errors, and creates nothing (not even the data directory).
#[test]
fn gazetteer_import_of_a_missing_file_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    for args in [
        vec!["gazetteer", "import", "/no/such/file.csv"],
        vec![
            "gazetteer",
            "import",
            "/no/such/file.csv",
            "--wards",
            "/no/such/wards.geojson",
        ],
    ] {
        let out = tsunagu(&data, &args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("ファイル /no/such/file.csv がありません"),
            "{err}"
        );
        assert!(err.contains("cannot read the input file"), "{err}");
        assert!(!err.contains("作成できません"), "{err}");
        assert!(!data.exists(), "nothing created");
    }
    let towns = root().join("seed-data/gazetteer.csv");
    let out = tsunagu(
        &data,
        &[
            "gazetteer",
            "import",
            towns.to_str().unwrap(),
            "--wards",
            "/no/such/wards.geojson",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("wards.geojson がありません"));
    assert!(
        !data.exists(),
        "a missing polygon file stops the import too"
    );
}

#[test]
fn near_search_keeps_to_the_radius_or_the_service_area() {
    let data = seeded();
    let out = tsunagu(
        data.path(),
        &[
            "search",
            "体操",
            "--near",
            "千葉市稲毛区小仲台2丁目",
            "--within",
            "1000",
            "--format",
            "json",
            "--limit",
            "50",
        ],
    );
    let v = json(&out);
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{v:#}");
    for r in results {
        let inside = r["in_service_area"].as_bool().unwrap_or(false)
            || r["distance_m"].as_u64().is_some_and(|d| d <= 1000);
        assert!(inside, "{} is outside the radius: {r:#}", r["id"]);
        if let (Some(d), Some(m)) = (r["distance_m"].as_u64(), r["walking_min"].as_u64()) {
            assert_eq!(m, d.div_ceil(80), "walking minutes at 80 m/min, rounded up");
        }
    }
    let out = tsunagu(
        data.path(),
        &[
            "nearest",
            "--near",
            "35.6384,140.1002",
            "-k",
            "5",
            "--format",
            "json",
        ],
    );
    let v = json(&out);
    let results = v["results"].as_array().unwrap();
    // Services whose area covers the place come first (at most k), then
    // the k nearest of the others, each part by distance.
    let covering: Vec<&serde_json::Value> = results
        .iter()
        .take_while(|r| r["in_service_area"].as_bool().unwrap())
        .collect();
    let nearby: Vec<u64> = results[covering.len()..]
        .iter()
        .map(|r| {
            assert_eq!(r["in_service_area"], false, "{r:#}");
            r["distance_m"].as_u64().unwrap()
        })
        .collect();
    assert!(
        !covering.is_empty() && covering.len() <= 5,
        "{}",
        covering.len()
    );
    assert_eq!(nearby.len(), 5, "{v:#}");
    assert!(
        nearby.windows(2).all(|w| w[0] <= w[1]),
        "sorted by distance: {nearby:?}"
    );
    let office: Vec<u64> = covering
        .iter()
        .filter_map(|r| r["distance_m"].as_u64())
        .collect();
    assert!(
        office.windows(2).all(|w| w[0] <= w[1]),
        "covering services by office distance: {office:?}"
    );
}

#[test]
fn import_warns_on_disagreeing_and_outside_records_but_keeps_them() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("geo.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"far","kind":"kayoi","name":"離れたサロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目","lat":35.58,"lon":140.17}"#, "\n",
            r#"{"id":"out","kind":"service","name":"船橋の配食","categories":["meal_delivery"],"address":"船橋市本町1-2-3"}"#, "\n",
            r#"{"id":"ok","kind":"kayoi","name":"近いサロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目"}"#, "\n",
        ),
    )
    .unwrap();
    let out = tsunagu(
        &data.path().join("d"),
        &["import", "--format", "json", file.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail the import"
    );
    let v = json(&out);
    assert_eq!(v["accepted"], 3);
    let warnings = v["files"][0]["warnings"].as_array().unwrap();
    let ids: Vec<&str> = warnings.iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"far") && ids.contains(&"out") && !ids.contains(&"ok"),
        "{warnings:#?}"
    );
    let shown = json(&tsunagu(&data.path().join("d"), &["show", "ok"]));
    assert_eq!(shown["ward"], "稲毛区");
}

/// With ../shared/ext/geo present: importing the real town file and ward
/// polygons re-places the seed records, and points are then assigned by
/// polygon. Skips (saying so) without ../shared.
#[test]
fn real_gazetteer_and_polygons_import_and_replace_records() {
    let ext = root().join("../shared/ext/geo");
    let (towns, wards) = (
        ext.join("chiba_city_machi_gazetteer.csv"),
        ext.join("chiba_city_wards.geojson"),
    );
    if !towns.is_file() || !wards.is_file() {
        eprintln!(
            "skipping: {} not found (../shared is absent)",
            ext.display()
        );
        return;
    }
    let data = seeded();
    let out = tsunagu(
        data.path(),
        &[
            "gazetteer",
            "import",
            towns.to_str().unwrap(),
            "--wards",
            wards.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("505"), "{}", stdout(&out));
    let v = json(&tsunagu(
        data.path(),
        &["locate", "--point", "35.6384,140.1002", "--format", "json"],
    ));
    assert_eq!(
        (v["ward"].as_str(), v["ward_method"].as_str()),
        (Some("稲毛区"), Some("polygon"))
    );
    // Every seed record of a ward file still sits in that ward.
    for (id, ward) in [
        ("inage-k-001", "稲毛区"),
        ("mihama-k-022", "美浜区"),
        ("chuo-k-001", "中央区"),
    ] {
        let shown = json(&tsunagu(data.path(), &["show", id]));
        assert_eq!(shown["ward"], ward, "{id}");
    }
    let v = json(&tsunagu(
        data.path(),
        &["locate", "千葉市中央区都町六丁目", "--format", "json"],
    ));
    assert_eq!(
        v["level"], "chome",
        "a row without a point still resolves: {v:#}"
    );
}
