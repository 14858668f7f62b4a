//! Import through the real binary: every kind of bad input is rejected with
//! line, id, field and reason, the good lines of the same file still import,
//! and nothing stored before is lost or changed.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

const BASE: &str = r#"{"id":"base-1","kind":"kayoi","name":"小仲台ふれあいサロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目","description":"お茶を飲みながらおしゃべり"}
{"id":"base-2","kind":"service","name":"高洲買い物お手伝い","categories":["shopping"],"address":"千葉市美浜区高洲1丁目","service_area":["美浜区"]}
{"id":"base-3","kind":"kayoi","name":"都賀いきいき百歳体操","categories":["exercise"],"lat":35.629,"lon":140.141}"#;

const GOOD: &str = r#"{"id":"good-1","kind":"kayoi","name":"検見川囲碁クラブ","categories":["hobby"],"address":"千葉市花見川区検見川町1丁目"}"#;

/// A data directory with the three base records.
fn base() -> (tempfile::TempDir, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("base.jsonl");
    std::fs::write(&file, BASE).unwrap();
    let out = tsunagu(
        &dir.path().join("data"),
        &["import", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stored(dir.path(), &["base-1", "base-2", "base-3"]);
    (dir, shown)
}

/// The records as `show` prints them, for before/after comparison.
fn stored(dir: &Path, ids: &[&str]) -> Vec<Value> {
    ids.iter()
        .map(|id| {
            let out = tsunagu(&data(dir), &["show", id, "--audience", "coordinator"]);
            assert!(out.status.success(), "show {id}: {}", stderr(&out));
            json(&out)
        })
        .collect()
}

fn assert_base_intact(dir: &Path, before: &[Value]) {
    assert_eq!(
        stored(dir, &["base-1", "base-2", "base-3"]),
        before,
        "base records changed"
    );
    let out = tsunagu(&data(dir), &["search", "サロン", "--format", "json"]);
    assert!(
        result_ids(&json(&out)).contains(&"base-1".to_string()),
        "base-1 no longer found"
    );
}

#[test]
fn bad_lines_are_rejected_precisely_and_good_lines_still_import() {
    let (dir, before) = base();
    // (name, content, expected rejections (line, id, field that must be named))
    type Expect = Vec<(u64, Option<&'static str>, Option<&'static str>)>;
    let cases: Vec<(&str, String, Expect)> = vec![
        (
            "malformed.jsonl",
            format!("{GOOD}\n{{\"id\": \"bad-1\", \"kind\": \n"),
            vec![(2, None, None)],
        ),
        (
            "missing.jsonl",
            format!("{GOOD}\n{{\"id\":\"m-1\",\"kind\":\"kayoi\"}}\n"),
            vec![(2, Some("m-1"), Some("name"))],
        ),
        (
            "types.jsonl",
            format!(
                "{{\"id\":\"t-1\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":\"salon\",\"address\":\"千葉市\"}}\n{GOOD}\n{{\"id\":\"t-2\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"salon\"],\"address\":\"千葉市\",\"fee_yen\":\"300\"}}\n"
            ),
            vec![
                (1, Some("t-1"), Some("categories")),
                (3, Some("t-2"), Some("fee_yen")),
            ],
        ),
        (
            "codes.jsonl",
            format!(
                "{GOOD}\n{{\"id\":\"c-1\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"karaoke\"],\"address\":\"千葉市\"}}\n{{\"id\":\"c-2\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"salon\"],\"features\":[\"wifi\"],\"address\":\"千葉市\"}}\n{{\"id\":\"c-3\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"salon\"],\"organizer\":{{\"name\":\"会\",\"type\":\"club\"}},\"address\":\"千葉市\"}}\n"
            ),
            vec![
                (2, Some("c-1"), Some("categories[0]")),
                (3, Some("c-2"), Some("features[0]")),
                (4, Some("c-3"), Some("organizer.type")),
            ],
        ),
        (
            "range.jsonl",
            format!(
                "{{\"id\":\"r-1\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"salon\"],\"lat\":135.6,\"lon\":140.1}}\n{{\"id\":\"r-2\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"salon\"],\"lat\":35.6,\"lon\":-190}}\n{GOOD}\n"
            ),
            vec![(1, Some("r-1"), Some("lat")), (2, Some("r-2"), Some("lon"))],
        ),
        (
            "not_object.jsonl",
            format!("[1,2,3]\n{GOOD}\n"),
            vec![(1, None, None)],
        ),
    ];
    for (name, content, expect) in cases {
        let (code, report) = import(dir.path(), name, content.as_bytes(), &[]);
        assert_eq!(code, 1, "{name}: exit status must be non-zero: {report:#}");
        assert_eq!(
            report["rejected"],
            json!(expect.len()),
            "{name}: {report:#}"
        );
        assert_eq!(
            report["accepted"],
            json!(1),
            "{name}: the good line imports: {report:#}"
        );
        let got = rejections(&report);
        for (line, id, field) in &expect {
            let hit = got.iter().find(|(l, _, _)| l == line);
            let Some((_, got_id, fields)) = hit else {
                panic!("{name}: no rejection at line {line}: {got:?}");
            };
            assert_eq!(got_id.as_deref(), *id, "{name} line {line}");
            if let Some(field) = field {
                assert!(
                    fields.contains(&field.to_string()),
                    "{name} line {line}: {fields:?} lacks {field}"
                );
            }
        }
        let r = &report["files"][0]["rejections"][0];
        assert!(
            !r["message_ja"].as_str().unwrap().is_empty()
                && !r["message_en"].as_str().unwrap().is_empty()
        );
        assert_base_intact(dir.path(), &before);
        assert!(
            tsunagu(&data(dir.path()), &["show", "good-1"])
                .status
                .success(),
            "{name}: good-1 stored"
        );
    }
}

#[test]
fn messages_name_line_id_field_and_reason_in_both_languages() {
    let (dir, _) = base();
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, "{\"id\":\"c-9\",\"kind\":\"kayoi\",\"name\":\"n\",\"categories\":[\"karaoke\"],\"address\":\"千葉市\"}\n").unwrap();
    let out = tsunagu(&data(dir.path()), &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("1行目 id=c-9: categories[0]: 「karaoke」は定義されていないコードです"),
        "{text}"
    );
    assert!(
        text.contains("line 1 id=c-9: categories[0]: unknown category code \"karaoke\""),
        "{text}"
    );
    assert!(text.contains("却下 1件"), "{text}");
}

#[test]
fn duplicate_ids_in_one_file_last_wins_and_is_reported() {
    let (dir, before) = base();
    let content = "{\"id\":\"d-1\",\"kind\":\"kayoi\",\"name\":\"最初の名前\",\"categories\":[\"salon\"],\"address\":\"千葉市\"}\n{\"id\":\"d-1\",\"kind\":\"kayoi\",\"name\":\"後の名前\",\"categories\":[\"salon\"],\"address\":\"千葉市\"}\n";
    let (code, report) = import(dir.path(), "dup.jsonl", content.as_bytes(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["files"][0]["duplicates"],
        json!([{"id": "d-1", "line": 2, "earlier_line": 1}])
    );
    let shown = stored(dir.path(), &["d-1"]);
    assert_eq!(shown[0]["record"]["name"], "後の名前");
    assert_base_intact(dir.path(), &before);
}

#[test]
fn reimport_replaces_keeps_first_imported_and_counts_unchanged() {
    let (dir, before) = base();
    let (code, report) = import(dir.path(), "again.jsonl", BASE.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["unchanged"], json!(3), "{report:#}");
    let changed = BASE.replace("小仲台ふれあいサロン", "小仲台ふれあいサロン（新）");
    let (_, report) = import(dir.path(), "changed.jsonl", changed.as_bytes(), &[]);
    assert_eq!(report["replaced"], json!(1), "{report:#}");
    let after = stored(dir.path(), &["base-1"]);
    assert_eq!(after[0]["record"]["name"], "小仲台ふれあいサロン（新）");
    assert_eq!(after[0]["first_imported"], before[0]["first_imported"]);
    let out = tsunagu(
        &data(dir.path()),
        &["search", "ふれあいサロン", "--format", "json"],
    );
    let v = json(&out);
    assert_eq!(
        v["results"][0]["name"], "小仲台ふれあいサロン（新）",
        "index follows the store"
    );
}

#[test]
fn empty_invalid_utf8_and_unreadable_files_lose_nothing() {
    let (dir, before) = base();
    let (code, report) = import(dir.path(), "empty.jsonl", b"", &[]);
    assert_eq!(code, 1);
    assert!(
        report["files"][0]["file_error"]["message_ja"]
            .as_str()
            .unwrap()
            .contains("レコードがありません")
    );
    assert_base_intact(dir.path(), &before);

    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(b"\n{\"id\":\"u-1\",\"kind\":\"kayoi\",\"name\":\"\xff\xfe\",\"categories\":[\"salon\"],\"address\":\"x\"}\n");
    let (code, report) = import(dir.path(), "utf8.jsonl", &bytes, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["accepted"], json!(1));
    assert_eq!(rejections(&report)[0].0, 2);
    assert!(
        report["files"][0]["rejections"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    assert_base_intact(dir.path(), &before);

    let (code, report) = import(
        dir.path(),
        "garbage.csv",
        &[0u8, 159, 146, 150, 10, 1, 2, 3],
        &[],
    );
    assert_eq!(code, 1, "{report:#}");
    assert!(report["files"][0]["file_error"].is_object(), "{report:#}");
    assert_base_intact(dir.path(), &before);

    let missing = dir.path().join("nope.jsonl");
    let out = tsunagu(
        &data(dir.path()),
        &["import", "--format", "json", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_base_intact(dir.path(), &before);
}

#[test]
fn a_ten_megabyte_line_is_rejected_without_harm() {
    // Lines are bounded (1 MiB): a 10 MB line is rejected on its own line
    // and the file's other lines still import.
    let (dir, before) = base();
    let sentence = "地域の皆さんが気軽に集まれる場所です。";
    let long = sentence.repeat(10 * 1024 * 1024 / sentence.len() + 1);
    assert!(long.len() >= 10 * 1024 * 1024);
    let content = format!(
        "{{\"id\":\"big-1\",\"kind\":\"kayoi\",\"name\":\"大きな説明のサロン\",\"categories\":[\"salon\"],\"address\":\"千葉市\",\"description\":\"{long}\"}}\n{GOOD}\n"
    );
    let (code, report) = import(dir.path(), "big.jsonl", content.as_bytes(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["accepted"], json!(1));
    assert_eq!(rejections(&report)[0].0, 1);
    // The longest description allowed (20,000 characters) imports and is found.
    let desc: String = sentence.repeat(20_000 / sentence.chars().count());
    let content = format!(
        "{{\"id\":\"big-2\",\"kind\":\"kayoi\",\"name\":\"大きな説明のサロン\",\"categories\":[\"salon\"],\"address\":\"千葉市\",\"description\":\"{desc}\"}}\n"
    );
    let (code, report) = import(dir.path(), "big2.jsonl", content.as_bytes(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let out = tsunagu(
        &data(dir.path()),
        &["search", "大きな説明", "--format", "json"],
    );
    assert_eq!(
        result_ids(&json(&out)).first().map(String::as_str),
        Some("big-2")
    );
    assert_base_intact(dir.path(), &before);
}

const CSV_JA: &str = "ID,種別,名称,名称_カナ,分類,住所,特徴,費用,状態,担当者\n\
csv-1,通いの場,千城台フラダンス教室,チシロダイフラダンスキョウシツ,趣味活動;体操・運動,千葉市若葉区千城台北1丁目,見学・体験可,300,活動中,鈴木\n\
csv-2,生活支援サービス,若松町ゴミ出し応援,,ごみ出し,千葉市若葉区若松町,pickup,無料,,\n\
csv-3,通いの場,分類の誤り,,カラオケ,千葉市若葉区都賀1丁目,,,,\n";

#[test]
fn cp932_csv_is_detected_and_can_be_forced() {
    let (dir, before) = base();
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(CSV_JA);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must really be CP932"
    );
    for extra in [&[][..], &["--encoding", "cp932"][..]] {
        let (code, report) = import(dir.path(), "sjis.csv", &bytes, extra);
        assert_eq!(code, 1, "csv-3 has an unknown category: {report:#}");
        assert_eq!(report["accepted"], json!(2), "{report:#}");
        let got = rejections(&report);
        assert_eq!(got[0].0, 4);
        assert_eq!(got[0].1.as_deref(), Some("csv-3"));
        assert_eq!(got[0].2, vec!["分類 (categories[0])".to_string()]);
    }
    let shown = stored(dir.path(), &["csv-1"]);
    assert_eq!(shown[0]["record"]["name"], "千城台フラダンス教室");
    assert_eq!(
        shown[0]["record"]["categories"],
        json!(["hobby", "exercise"])
    );
    assert_eq!(shown[0]["record"]["fee_yen"], json!(300));
    let out = tsunagu(
        &data(dir.path()),
        &["search", "フラダンス", "--format", "json"],
    );
    assert_eq!(result_ids(&json(&out)), vec!["csv-1"]);
    assert_base_intact(dir.path(), &before);
}

#[test]
fn csv_and_jsonl_with_bom_import() {
    let (dir, before) = base();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(CSV_JA.as_bytes());
    let (_, report) = import(dir.path(), "bom.csv", &bytes, &[]);
    assert_eq!(
        report["accepted"],
        json!(2),
        "the BOM must not hide the ID column: {report:#}"
    );
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(GOOD.as_bytes());
    let (code, report) = import(dir.path(), "bom.jsonl", &bytes, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["accepted"], json!(1));
    assert_base_intact(dir.path(), &before);
}

#[test]
fn the_index_catches_up_after_it_is_deleted() {
    let (dir, _) = base();
    std::fs::remove_dir_all(data(dir.path()).join("index")).unwrap();
    let out = tsunagu(&data(dir.path()), &["search", "サロン", "--format", "json"]);
    assert!(result_ids(&json(&out)).contains(&"base-1".to_string()));
    let out = tsunagu(&data(dir.path()), &["reindex"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("reindexed 3 records"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn empty_query_gets_a_clear_message_not_a_panic() {
    let (dir, _) = base();
    for q in ["", "   ", "の", "、。！"] {
        let out = tsunagu(&data(dir.path()), &["search", q]);
        assert_eq!(out.status.code(), Some(2), "{q:?}");
        let err = stderr(&out);
        assert!(err.contains("検索できる語がありません"), "{q:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// 分類, 特徴 and 状態 as municipal files write them, and 確認日 in 和暦.
const CSV_WORDS: &str = "ID,種別,名称,分類,特徴,住所,状態,確認日\n\
j-1,通いの場,都賀ふれあい茶話会,茶話会・体操,\"送迎有、車椅子OK、見学・体験可\",千葉市若葉区都賀3丁目,休止,令和６年４月１日\n\
j-2,生活支援サービス,小仲台お助け隊,ゴミ出し／電球交換,予約制,千葉市稲毛区小仲台2丁目,廃止,H31.4.30\n\
j-3,通いの場,日付の誤り,サロン,,千葉市若葉区都賀1丁目,活動中,平成31年5月1日\n\
j-4,通いの場,特徴の誤り,認知症カフェ,送迎なし,千葉市若葉区都賀1丁目,,2024/4/1\n";

#[test]
fn csv_cells_with_everyday_labels_and_japanese_era_dates_import() {
    let (dir, before) = base();
    let (code, report) = import(dir.path(), "words.csv", CSV_WORDS.as_bytes(), &[]);
    assert_eq!(code, 1, "j-3 and j-4 are rejected: {report:#}");
    assert_eq!(report["accepted"], json!(2), "{report:#}");
    assert_eq!(
        rejections(&report),
        vec![
            (4, Some("j-3".into()), vec!["確認日 (verified_on)".into()]),
            (5, Some("j-4".into()), vec!["特徴 (features[0])".into()]),
        ]
    );
    let date_error = &report["files"][0]["rejections"][0];
    assert!(
        date_error["message_ja"]
            .as_str()
            .unwrap()
            .contains("平成31年5月1日 は範囲外です（平成元年1月8日 (1989-01-08)〜平成31年4月30日 (2019-04-30)）"),
        "{date_error:#}"
    );
    assert!(
        date_error["message_en"]
            .as_str()
            .unwrap()
            .contains("平成31年5月1日 is out of range"),
        "{date_error:#}"
    );
    let feature_error = &report["files"][0]["rejections"][1];
    assert!(
        feature_error["message_ja"]
            .as_str()
            .unwrap()
            .contains("「送迎なし」は定義されていないコードです"),
        "{feature_error:#}"
    );

    let shown = stored(dir.path(), &["j-1", "j-2"]);
    let j1 = &shown[0]["record"];
    assert_eq!(j1["categories"], json!(["salon", "exercise"]), "{j1:#}");
    assert_eq!(
        j1["features"],
        json!(["pickup", "wheelchair", "trial"]),
        "{j1:#}"
    );
    assert_eq!(j1["status"], json!("paused"));
    assert_eq!(j1["verified_on"], json!("2024-04-01"));
    let j2 = &shown[1]["record"];
    assert_eq!(j2["kind"], json!("service"));
    assert_eq!(j2["categories"], json!(["garbage", "small_help"]), "{j2:#}");
    assert_eq!(j2["features"], json!(["reservation"]));
    assert_eq!(j2["status"], json!("closed"));
    assert_eq!(j2["verified_on"], json!("2019-04-30"));
    assert_base_intact(dir.path(), &before);
}

/// `import --merge`: a sheet of ID + 確認日 + 状態 (or JSON Lines of ids and
/// keys) changes only those keys; bad rows are named by line and field and
/// change nothing; every change is in the record's history.
#[test]
fn merge_files_change_only_the_keys_they_name() {
    let (dir, before) = base();
    let sheet = dir.path().join("checked.csv");
    std::fs::write(
        &sheet,
        "ID,確認日,状態\n\
         base-1,令和8年4月1日,休止中\n\
         no-such-record,2026-01-01,\n\
         base-3,2026-13-01,\n\
         base-2,,廃止\n",
    )
    .unwrap();
    let out = tsunagu(
        &data(dir.path()),
        &[
            "import",
            "--merge",
            sheet.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = &json(&out)["files"][0];
    assert_eq!(report["replaced"], json!(2), "{report}");
    assert_eq!(report["rejected"], json!(2), "{report}");
    let lines: Vec<u64> = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4]);
    assert!(
        report["rejections"][1]["fields"][0]
            .as_str()
            .unwrap()
            .contains("verified_on"),
        "{report}"
    );
    let after = stored(dir.path(), &["base-1", "base-2", "base-3"]);
    assert_eq!(after[0]["record"]["verified_on"], json!("2026-04-01"));
    assert_eq!(after[0]["record"]["status"], json!("paused"));
    assert_eq!(
        after[0]["record"]["description"],
        before[0]["record"]["description"]
    );
    assert_eq!(after[1]["record"]["status"], json!("closed"));
    assert_eq!(
        after[1]["record"]["service_area"],
        before[1]["record"]["service_area"]
    );
    assert_eq!(after[2], before[2], "a bad row changes nothing");

    // JSON Lines: nested objects merge key by key.
    let lines = dir.path().join("phones.jsonl");
    std::fs::write(
        &lines,
        "{\"id\": \"base-3\", \"contact\": {\"phone\": \"043-111-2222\"}}\n\
         {\"id\": \"base-3\", \"contact\": {\"person\": \"山田\"}}\n\
         {\"id\": \"base-2\", \"nmae\": \"typo\"}\n",
    )
    .unwrap();
    let out = tsunagu(
        &data(dir.path()),
        &[
            "import",
            "--merge",
            lines.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let report = &json(&out)["files"][0];
    assert_eq!(
        (report["replaced"].as_u64(), report["rejected"].as_u64()),
        (Some(2), Some(1)),
        "{report}"
    );
    let base3 = &stored(dir.path(), &["base-3"])[0]["record"];
    assert_eq!(
        base3["contact"],
        json!({"phone": "043-111-2222", "person": "山田"})
    );
    // The history says it was a merge of that file.
    let store =
        tsunagu_store::Store::open_read_only(&data(dir.path()).join("tsunagu.sqlite3")).unwrap();
    let history = store.record_history("base-1").unwrap();
    assert!(
        history
            .iter()
            .any(|e| e.action == "update" && e.via.starts_with("merge:")),
        "{history:?}"
    );
}
