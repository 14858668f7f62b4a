//! `tsunagu export` through the real binary on the seed data: every format
//! and audience, what the public may not see, exports that import back as
//! the same directory (HSDS and CSV), CP932 refusals that name the record,
//! and `tsunagu import` of HSDS documents.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

fn export(data: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["export"];
    all.extend(args);
    tsunagu(data, &all)
}

fn ok(out: &std::process::Output) -> &[u8] {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        stderr(out)
    );
    &out.stdout
}

/// The HSDS services of a data directory, by id, without `last_modified`
/// (when the store wrote them) — the directory's content in one value.
fn content(data: &Path) -> Vec<Value> {
    let out = export(data, &["--format", "hsds", "--audience", "coordinator"]);
    let mut services: Vec<Value> = serde_json::from_slice::<Value>(ok(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    for s in &mut services {
        s.as_object_mut().unwrap().remove("last_modified");
    }
    services.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    services
}

fn record_id(service: &Value) -> String {
    service["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["taxonomy_term"]["code"] == "field:record_id")
        .and_then(|a| a["value"].as_str())
        .unwrap()
        .to_string()
}

fn import_ok(data: &Path, file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["import", "--format", "json", file.to_str().unwrap()];
    args.extend(extra);
    let out = tsunagu(data, &args);
    let report = json(&out);
    assert!(out.status.success(), "{report:#}\n{}", stderr(&out));
    report
}

#[test]
fn exports_of_the_seed_data_in_every_format() {
    let seeded = seeded();
    let data = seeded.path();
    let all = content(data);
    let internal: BTreeSet<String> = all
        .iter()
        .filter(|s| {
            s["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["taxonomy_term"]["code"] == "visibility:internal")
        })
        .map(record_id)
        .collect();
    assert!(internal.len() >= 5, "the seed data has internal records");

    // HSDS: the public export has the public records, no contacts, no notes.
    let public: Vec<Value> =
        serde_json::from_slice(ok(&export(data, &["--format", "hsds"]))).unwrap();
    assert_eq!(public.len(), all.len() - internal.len());
    let text = serde_json::to_string(&public).unwrap();
    for id in &internal {
        assert!(
            !text.contains(&format!("\"{id}\"")),
            "internal {id} in the public HSDS"
        );
    }
    assert!(!text.contains("\"contacts\""));
    assert!(!text.contains("field:notes_internal"));
    assert!(public.iter().all(|s| s["last_modified"].is_string()));
    let coordinator = serde_json::to_string(&all).unwrap();
    assert!(coordinator.contains("\"contacts\"") && coordinator.contains("field:notes_internal"));

    // GeoJSON: one feature per located record (the HSDS locations with a point).
    let located = all
        .iter()
        .filter(|s| s["service_at_locations"][0]["location"]["latitude"].is_number())
        .count();
    let geo: Value = serde_json::from_slice(ok(&export(
        data,
        &["--format", "geojson", "--audience", "coordinator"],
    )))
    .unwrap();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), located);
    let f = &features[0];
    assert_eq!(f["geometry"]["type"], "Point");
    for key in ["ward", "town", "centre", "schedule", "fee", "categories_ja"] {
        assert!(f["properties"].get(key).is_some(), "{key}");
    }
    assert!(
        features.iter().any(|f| f["properties"]["ward"].is_string() && f["properties"]["schedule"].is_string()),
        "the engine's placement and words are in the properties"
    );
    let geo_public: Value =
        serde_json::from_slice(ok(&export(data, &["--format", "geojson"]))).unwrap();
    let geo_text = geo_public.to_string();
    for id in &internal {
        assert!(!geo_text.contains(&format!("\"{id}\"")));
    }

    // CSV: UTF-8 with a BOM, CRLF, one row per record; the public CSV has
    // no coordinators' columns.
    let csv = ok(&export(data, &["--format", "csv"])).to_vec();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.contains("全国地方公共団体コード") && header.contains("所在地_連結表記"));
    assert!(!header.contains("担当者") && !header.contains("内部メモ"));
    assert!(text.contains("\r\n"));
    let coord_csv = String::from_utf8(
        ok(&export(
            data,
            &[
                "--format",
                "csv",
                "--audience",
                "coordinator",
                "--encoding",
                "utf-8-no-bom",
            ],
        ))
        .to_vec(),
    )
    .unwrap();
    assert!(coord_csv.starts_with("全国地方公共団体コード"), "no BOM");
    assert!(coord_csv.lines().next().unwrap().contains("担当者"));
}

#[test]
fn hsds_and_csv_exports_import_back_as_the_same_directory() {
    let seeded = seeded();
    let before = content(seeded.path());
    for (format, name) in [("hsds", "export.json"), ("csv", "export.csv")] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        let out = export(
            seeded.path(),
            &[
                "--format",
                format,
                "--audience",
                "coordinator",
                "--output",
                file.to_str().unwrap(),
            ],
        );
        ok(&out);
        assert!(out.stdout.is_empty(), "--output leaves stdout alone");
        let fresh = dir.path().join("data");
        let report = import_ok(&fresh, &file, &[]);
        assert_eq!(report["files"][0]["rejected"], 0, "{report:#}");
        assert_eq!(content(&fresh), before, "{format} round trip");
        // Importing the same file again changes nothing.
        let report = import_ok(&fresh, &file, &[]);
        assert_eq!(
            report["files"][0]["unchanged"].as_u64(),
            Some(before.len() as u64),
            "{report:#}"
        );
    }
}

#[test]
fn cp932_exports_what_fits_and_names_what_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let records = concat!(
        r#"{"id":"sj-1","kind":"kayoi","name":"高橋さんの山崎サロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目","schedule_text":"毎週火曜 10時～12時","fee_text":"無料"}"#,
        "\n"
    );
    let (code, _) = import(dir.path(), "ok.jsonl", records.as_bytes(), &[]);
    assert_eq!(code, 0);
    let data = dir.path().join("data");
    let file = dir.path().join("sj.csv");
    ok(&export(
        &data,
        &[
            "--format",
            "csv",
            "--encoding",
            "cp932",
            "--output",
            file.to_str().unwrap(),
        ],
    ));
    let bytes = std::fs::read(&file).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "Shift_JIS, not UTF-8");
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad && text.contains("高橋さんの山崎サロン"));
    let fresh = dir.path().join("fresh");
    import_ok(&fresh, &file, &["--encoding", "cp932"]);
    assert_eq!(content(&fresh), content(&data));

    // 髙 is CP932's IBM extension, not Shift_JIS: the export stops, names the record, the column
    // and the character, and leaves no file behind.
    let bad = r#"{"id":"sj-2","kind":"kayoi","name":"髙橋サロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目"}"#;
    let (code, _) = import(dir.path(), "bad.jsonl", bad.as_bytes(), &[]);
    assert_eq!(code, 0);
    let target = dir.path().join("bad.csv");
    let out = export(
        &data,
        &[
            "--format",
            "csv",
            "--encoding",
            "cp932",
            "--output",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("sj-2")
            && err.contains("名称")
            && err.contains("髙")
            && err.contains("U+9AD9"),
        "{err}"
    );
    assert!(!target.exists(), "no partial file");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty());

    // JSON formats are UTF-8 only.
    let out = export(&data, &["--format", "geojson", "--encoding", "cp932"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_data_directory_is_said_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nothing");
    let out = export(&data, &["--format", "hsds"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("データディレクトリ"),
        "{}",
        stderr(&out)
    );
    assert!(!data.exists());
}

#[test]
fn hsds_documents_import_and_bad_services_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"services": [
  {"id": "72422080-aa96-418c-9ef3-f77d3e60aed7", "name": "ふれあい食堂", "status": "active",
   "attributes": [{"id": "cb59e062-6e3f-451a-ab4f-5cc96bfdc172", "taxonomy_term": {"id": "8ba8f6d2-06d5-4a03-91c6-b87d99e3bbb9", "name": "会食", "description": "x"}}],
   "service_at_locations": [{"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765", "location": {"id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5", "location_type": "physical",
     "addresses": [{"id": "74706e55-df26-4b84-80fe-ecc30b5befb4", "address_1": "弁天1丁目", "city": "千葉市中央区", "state_province": "千葉県", "postal_code": "", "country": "JP", "address_type": "physical"}]}}]},
  {"id": "ae761ee1-73ba-44aa-b3d8-db7aa2d7394b", "name": "Puppy Time", "status": "active"},
  {"id": "0a1b2c3d-0000-4000-8000-000000000000", "name": "見守り", "status": "open",
   "attributes": [{"id": "x", "taxonomy_term": {"id": "y", "name": "見守り", "description": ""}}], "service_areas": [{"id": "z", "name": "美浜区"}]}
]}"#;
    // Recognised as HSDS by its content, though it is a .json file.
    let (code, report) = import(dir.path(), "services.json", doc.as_bytes(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let file = &report["files"][0];
    assert_eq!(file["accepted"], 1, "{report:#}");
    let rejected = rejections(&report);
    assert_eq!(rejected.len(), 2, "{report:#}");
    assert_eq!(rejected[0].0, 6);
    assert_eq!(
        rejected[0].1.as_deref(),
        Some("ae761ee1-73ba-44aa-b3d8-db7aa2d7394b")
    );
    assert!(
        rejected[0].2.iter().any(|f| f.contains("categories")),
        "{rejected:?}"
    );
    assert_eq!(rejected[1].0, 7);
    assert!(rejected[1].2.iter().any(|f| f == "status"), "{rejected:?}");
    let data = dir.path().join("data");
    let shown = json(&tsunagu(
        &data,
        &["show", "72422080-aa96-418c-9ef3-f77d3e60aed7"],
    ));
    assert_eq!(
        shown["record"]["address"], "千葉県千葉市中央区弁天1丁目",
        "{shown:#}"
    );
    assert_eq!(shown["record"]["categories"], serde_json::json!(["meal"]));

    // --input-format hsds for another extension; --merge is refused.
    let other = dir.path().join("services.hsds");
    std::fs::write(&other, doc).unwrap();
    let out = tsunagu(
        &data,
        &[
            "import",
            "--format",
            "json",
            "--input-format",
            "hsds",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(json(&out)["files"][0]["unchanged"], 1, "{}", stdout(&out));
    let out = tsunagu(
        &data,
        &[
            "import",
            "--merge",
            "--input-format",
            "hsds",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));

    // A document broken as a whole imports nothing and says where.
    let (code, report) = import(
        dir.path(),
        "broken.json",
        b"[\n{\"id\": \"a\"},\n{\"id\": \"b",
        &[],
    );
    assert_eq!(code, 1);
    let message = report["files"][0]["file_error"]["message_ja"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("HSDS") && message.contains("3行目"),
        "{report:#}"
    );

    // JSON Lines in a .json file is still JSON Lines.
    let line =
        r#"{"id":"jl-1","kind":"kayoi","name":"サロン","categories":["salon"],"address":"千葉市"}"#;
    let (code, report) = import(
        dir.path(),
        "lines.json",
        format!("{line}\n").as_bytes(),
        &[],
    );
    assert_eq!(code, 0, "{report:#}");
}
