//! What the tables say, through the real binary: each search, near-search,
//! nearest and match result with what a referral needs (category, town,
//! schedule, cost, telephone, distance), the marks of internal, paused and
//! closed records, distances in kilometres beyond 2 km, nearest's two
//! sections, and import summaries that count what they leave out.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::*;

const HERE: &str = "千葉市稲毛区小仲台2丁目";

/// Records whose every shown value is known, around 小仲台 and far from it.
const RECORDS: &str = concat!(
    r#"{"id":"o-near","kind":"kayoi","name":"つなぐ体操クラブ","categories":["exercise"],"address":"千葉市稲毛区小仲台2丁目","schedule_text":"毎週火曜 10:00～11:30","fee_text":"1回100円（お茶代）","contact":{"phone":"043-111-2222","person":"担当 花子"}}"#,
    "\n",
    r#"{"id":"o-area","kind":"service","name":"つなぐ見守り訪問","categories":["watching"],"address":"千葉市中央区春日2丁目","service_area":["稲毛区"],"schedule":[{"weekdays":["mon","tue","wed","thu","fri","sat","sun"],"start":"09:00","end":"17:00"}],"fee_yen":0,"contact":{"phone":"043-333-4444"}}"#,
    "\n",
    r#"{"id":"o-paused","kind":"kayoi","name":"つなぐ休みのサロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目","status":"paused","contact":{"phone":"043-555-6666"}}"#,
    "\n",
    r#"{"id":"o-closed","kind":"kayoi","name":"つなぐ閉じた体操","categories":["exercise"],"address":"千葉市稲毛区小仲台2丁目","status":"closed"}"#,
    "\n",
    r#"{"id":"o-internal","kind":"service","name":"つなぐ内部の見守り","categories":["watching"],"address":"千葉市稲毛区小仲台2丁目","visibility":"internal","notes_internal":"内部メモ"}"#,
    "\n",
    r#"{"id":"o-walk","kind":"kayoi","name":"つなぐ歩いて行くサロン","categories":["salon"],"address":"千葉市稲毛区小仲台6丁目"}"#,
    "\n",
    r#"{"id":"o-far","kind":"kayoi","name":"つなぐ遠くの体操","categories":["exercise"],"address":"千葉市緑区おゆみ野中央1丁目"}"#,
    "\n",
);

fn directory() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = import(dir.path(), "o.jsonl", RECORDS.as_bytes(), &[]);
    assert_eq!(code, 0, "{report:#}");
    dir
}

fn run_ok(dir: &std::path::Path, args: &[&str]) -> String {
    let out = tsunagu(&data(dir), args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The lines of one numbered result: its title line (found by the id in
/// it) and the lines indented under it.
fn entry<'a>(table: &'a str, id: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = table.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(&format!("({id}")))
        .unwrap_or_else(|| panic!("{id} not in the table:\n{table}"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[start]);
    let mut out = vec![lines[start]];
    out.extend(
        lines[start + 1..]
            .iter()
            .take_while(|l| !l.trim().is_empty() && indent(l) > own + 2)
            .copied(),
    );
    out
}

#[test]
fn search_table_says_category_town_when_cost_and_phone() {
    let dir = directory();
    let table = run_ok(dir.path(), &["search", "つなぐ", "--limit", "20"]);
    let near = entry(&table, "o-near").join("\n");
    for want in [
        "つなぐ体操クラブ",
        "通いの場・交流の場",
        "体操・運動",
        "稲毛区小仲台二丁目",
        "毎週火曜 10:00〜11:30",
        "1回100円",
        "043-111-2222",
    ] {
        assert!(near.contains(want), "{want} missing:\n{near}");
    }
    assert!(
        !table.contains("担当 花子"),
        "the contact person is not public"
    );
    let area = entry(&table, "o-area").join("\n");
    for want in [
        "生活支援サービス",
        "見守り・安否確認",
        "中央区春日二丁目",
        "対応地域: 稲毛区全域",
        "毎日 9:00〜17:00",
        "無料",
        "043-333-4444",
    ] {
        assert!(area.contains(want), "{want} missing:\n{area}");
    }
    // Nothing published: said as unknown, not left blank.
    let far = entry(&table, "o-far").join("\n");
    for want in ["日時要確認", "費用要確認", "電話: 未登録"] {
        assert!(far.contains(want), "{want} missing:\n{far}");
    }
    // The public never sees internal, paused or closed records, so no mark.
    for hidden in ["o-internal", "o-paused", "o-closed"] {
        assert!(!table.contains(hidden), "{hidden} shown:\n{table}");
    }
}

#[test]
fn the_coordinator_view_marks_internal_paused_and_closed_records() {
    let dir = directory();
    let table = run_ok(
        dir.path(),
        &[
            "search",
            "つなぐ",
            "--limit",
            "20",
            "--include-inactive",
            "--audience",
            "coordinator",
        ],
    );
    for (id, mark) in [
        ("o-paused", "【休止中】"),
        ("o-closed", "【廃止】"),
        ("o-internal", "【内部】"),
    ] {
        let title = entry(&table, id)[0];
        assert!(title.contains(mark), "{id}: {title}");
    }
    for id in ["o-near", "o-area", "o-far"] {
        let title = entry(&table, id)[0];
        assert!(!title.contains('【'), "{id} has no mark: {title}");
    }
    // The paused record still says what it is and how to call.
    let paused = entry(&table, "o-paused").join("\n");
    assert!(paused.contains("茶話会・サロン") && paused.contains("043-555-6666"));
}

/// The kilometres a table line says with one decimal (「約11.6km」), if any.
fn km_in(line: &str) -> Option<f64> {
    let end = line.find("km")?;
    let head = &line[..end];
    let at = head.rfind("約")?;
    let number = &head[at + "約".len()..];
    let (whole, tenths) = number.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !(digits(whole) && tenths.len() == 1 && digits(tenths)) {
        return None;
    }
    number.parse().ok()
}

#[test]
fn near_search_says_walks_up_to_2_km_and_kilometres_beyond() {
    let dir = directory();
    let args = ["search", "つなぐ", "--near", HERE, "--limit", "20"];
    let table = run_ok(dir.path(), &args);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v = json(&tsunagu(&data(dir.path()), &json_args));
    let distance = |id: &str| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["distance_m"].as_u64())
            .unwrap()
    };
    let far_m = distance("o-far");
    assert!(far_m > 2_000, "the far record is far: {far_m}");
    let far = entry(&table, "o-far").join("\n");
    assert!(
        !far.contains("徒歩"),
        "no walking minutes beyond 2 km:\n{far}"
    );
    let km = km_in(&far).unwrap_or_else(|| panic!("no km:\n{far}"));
    assert!(
        (km - far_m as f64 / 1000.0).abs() <= 0.05,
        "{km} km for {far_m} m"
    );
    let walk_m = distance("o-walk");
    assert!(walk_m > 0 && walk_m <= 2_000, "{walk_m}");
    let walk = entry(&table, "o-walk").join("\n");
    assert!(
        walk.contains(&format!("徒歩約{}分（{walk_m}m）", walk_m.div_ceil(80))),
        "{walk}"
    );
    // The same 町丁目 is the same point: no walk to speak of.
    assert_eq!(distance("o-near"), 0);
    assert!(entry(&table, "o-near").join("\n").contains("すぐ近く"));
    // A service whose area covers the place says so, as a service.
    let area = entry(&table, "o-area").join("\n");
    assert!(area.contains("お住まいの地域で利用できます"), "{area}");
    // Every result of a near search says whether it serves the place.
    for r in v["results"].as_array().unwrap() {
        assert!(r["in_service_area"].is_boolean(), "{r:#}");
        assert!(r["when_ja"].is_string() && r["fee_ja"].is_string(), "{r:#}");
    }
}

#[test]
fn nearest_lists_places_nearby_apart_from_services_for_the_area() {
    let dir = directory();
    let table = run_ok(dir.path(), &["nearest", "--near", HERE, "-k", "5"]);
    let nearby_at = table
        .find("■ 近くの通いの場・資源")
        .unwrap_or_else(|| panic!("{table}"));
    let area_at = table
        .find("■ この地域を対象とするサービス")
        .unwrap_or_else(|| panic!("{table}"));
    assert!(nearby_at < area_at, "{table}");
    let at = |id: &str| table.find(&format!("({id})")).unwrap();
    assert!(
        nearby_at < at("o-near") && at("o-near") < area_at,
        "{table}"
    );
    assert!(nearby_at < at("o-far") && at("o-far") < area_at, "{table}");
    assert!(at("o-area") > area_at, "{table}");
    assert!(
        !table[nearby_at..area_at].contains("(o-area)"),
        "a covering service is not listed as nearby"
    );
    let far = entry(&table, "o-far").join("\n");
    assert!(km_in(&far).is_some() && !far.contains("徒歩"), "{far}");

    let v = json(&tsunagu(
        &data(dir.path()),
        &["nearest", "--near", HERE, "-k", "5", "--format", "json"],
    ));
    let flags: Vec<(String, bool)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["in_service_area"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(flags.contains(&("o-area".into(), true)), "{flags:?}");
    assert!(flags.contains(&("o-near".into(), false)), "{flags:?}");
}

/// Many services covering the whole city do not push the places nearby out
/// of `nearest`: k of each.
#[test]
fn nearest_keeps_k_places_whatever_the_number_of_covering_services() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for i in 0..8 {
        lines.push_str(&format!(
            r#"{{"id":"city-{i}","kind":"service","name":"市内全域サービス{i}","categories":["shopping"],"address":"千葉市中央区春日2丁目","service_area":["千葉市"]}}"#
        ));
        lines.push('\n');
    }
    for i in 0..3 {
        lines.push_str(&format!(
            r#"{{"id":"place-{i}","kind":"kayoi","name":"近くのサロン{i}","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目"}}"#
        ));
        lines.push('\n');
    }
    let (code, report) = import(dir.path(), "many.jsonl", lines.as_bytes(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let v = json(&tsunagu(
        &data(dir.path()),
        &["nearest", "--near", HERE, "-k", "3", "--format", "json"],
    ));
    let ids = result_ids(&v);
    let places = ids.iter().filter(|i| i.starts_with("place-")).count();
    let services = ids.iter().filter(|i| i.starts_with("city-")).count();
    assert_eq!((places, services), (3, 3), "{ids:?}");
}

#[test]
fn match_table_says_where_when_cost_phone_and_far_distances_in_km() {
    let dir = directory();
    let request = dir.path().join("request.json");
    std::fs::write(
        &request,
        r#"{"location":{"address":"千葉市稲毛区小仲台2丁目"},"max_distance_m":20000,"needs":["exercise","watching","salon"],"audience":"coordinator"}"#,
    )
    .unwrap();
    let table = run_ok(
        dir.path(),
        &[
            "match",
            "--request",
            request.to_str().unwrap(),
            "--today",
            "2026-11-22",
        ],
    );
    let near = entry(&table, "o-near").join("\n");
    for want in [
        "体操・運動",
        "稲毛区小仲台二丁目",
        "毎週火曜 10:00〜11:30",
        "1回100円",
        "043-111-2222",
        "すぐ近く",
    ] {
        assert!(near.contains(want), "{want} missing:\n{near}");
    }
    let walk = entry(&table, "o-walk").join("\n");
    assert_eq!(
        walk.matches("徒歩約").count(),
        2,
        "place and reason:\n{walk}"
    );
    // The reasons say the distance as the table does: kilometres beyond 2 km.
    let far = entry(&table, "o-far").join("\n");
    assert!(!far.contains("徒歩"), "{far}");
    let reasons = far.lines().find(|l| l.contains("理由:")).unwrap();
    assert!(km_in(reasons).is_some(), "{reasons}");
    // The coordinator's internal service is marked; inactive ones never match.
    assert!(
        entry(&table, "o-internal")[0].contains("【内部】"),
        "{table}"
    );
    assert!(!table.contains("o-paused") && !table.contains("o-closed"));
    let area = entry(&table, "o-area").join("\n");
    assert!(
        area.contains("毎日 9:00〜17:00") && area.contains("043-333-4444"),
        "{area}"
    );
}

#[test]
fn import_summary_counts_what_it_does_not_list_and_json_lists_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    // 13 unlocatable records with an unreadable schedule (a warning and an
    // unparsed schedule each), and 13 bad lines.
    for i in 0..13 {
        lines.push_str(&format!(
            r#"{{"id":"u-{i}","kind":"kayoi","name":"サロン{i}","categories":["salon"],"address":"千葉市稲毛区","schedule_text":"未定"}}"#
        ));
        lines.push('\n');
        lines.push_str(&format!(
            r#"{{"id":"bad-{i}","kind":"kayoi","name":"悪い{i}","categories":["karaoke"],"address":"千葉市"}}"#
        ));
        lines.push('\n');
    }
    let file = dir.path().join("many.jsonl");
    std::fs::write(&file, &lines).unwrap();
    let out = tsunagu(&data(dir.path()), &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let table = stdout(&out);
    let more = table.matches("ほか 3件").count();
    assert_eq!(more, 3, "unparsed, warnings and rejections:\n{table}");
    assert_eq!(table.matches("は定義されていないコードです").count(), 10);
    assert!(table.contains("却下 13件"), "{table}");

    let out = tsunagu(
        &data(dir.path()),
        &["import", "--format", "json", file.to_str().unwrap()],
    );
    let v = json(&out);
    let file_report = &v["files"][0];
    for list in ["rejections", "warnings", "unparsed_schedules"] {
        assert_eq!(
            file_report[list].as_array().unwrap().len(),
            13,
            "{list}: {file_report:#}"
        );
    }
}
