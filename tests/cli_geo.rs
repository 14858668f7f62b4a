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
    let v = json(&tsunagu(
        data.path(),
        &["locate", "--point", "35.6384,140.1002", "--format", "json"],
    ));
    assert_eq!(
        (v["ward"].as_str(), v["ward_method"].as_str()),
        (Some("稲毛区"), Some("nearest_town"))
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
    let d: Vec<u64> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            if r["in_service_area"].as_bool().unwrap_or(false) {
                0
            } else {
                r["distance_m"].as_u64().unwrap()
            }
        })
        .collect();
    assert_eq!(d.len(), 5);
    assert!(
        d.windows(2).all(|w| w[0] <= w[1]),
        "sorted by distance: {d:?}"
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
