//! Near search and services that serve a place from afar: a service whose
//! service area covers the place (the city, its ward) is in reach wherever
//! it is based and says so (`in_service_area`); one serving another ward is
//! not, and without a radius it is listed by its distance.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use tsunagu_engine::{
    Audience, Directory, DirectoryConfig, Location, NearQuery, NearSort, SearchQuery,
};
use tsunagu_ingest::read_jsonl;

// The place is 稲毛区小仲台 (35.6384, 140.1002); "near" is 300 m from it, every
// other record 8 km or more away.
const RECORDS: &str = r#"{"id":"near","kind":"service","name":"配食サービス近所","categories":["meal_delivery"],"lat":35.6400,"lon":140.1030}
{"id":"city","kind":"service","name":"配食サービス市内全域","categories":["meal_delivery"],"service_area":["千葉市"],"lat":35.5600,"lon":140.2600}
{"id":"ward","kind":"service","name":"配食サービス稲毛","categories":["meal_delivery"],"service_area":["千葉市稲毛区"],"lat":35.5700,"lon":140.2500}
{"id":"town","kind":"service","name":"配食サービス小仲台","categories":["meal_delivery"],"service_area":["稲毛区小仲台"],"lat":35.5650,"lon":140.2550}
{"id":"other","kind":"service","name":"配食サービス美浜","categories":["meal_delivery"],"service_area":["美浜区"],"lat":35.5800,"lon":140.2400}
{"id":"none","kind":"service","name":"配食サービス遠方","categories":["meal_delivery"],"lat":35.5750,"lon":140.2450}
"#;

/// (id, in_service_area) of a near search for 配食, sorted by id.
fn near(dir: &Directory, within_m: Option<f64>) -> Vec<(String, bool)> {
    let query = SearchQuery {
        text: "配食".into(),
        audience: Audience::Coordinator,
        limit: 20,
        ..SearchQuery::default()
    };
    let near = NearQuery {
        location: Location::Point(35.6384, 140.1002),
        within_m,
        sort: NearSort::Distance,
    };
    let (_, results) = dir.search_near(&query, &near).unwrap();
    let mut out: Vec<(String, bool)> = results
        .results
        .into_iter()
        .map(|r| (r.id, r.in_service_area))
        .collect();
    out.sort();
    out
}

#[test]
fn services_covering_the_place_are_in_reach_and_marked() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = Directory::open(&DirectoryConfig::new(tmp.path())).unwrap();
    let report = dir
        .import_lines(
            "n.jsonl",
            read_jsonl(Cursor::new(RECORDS.as_bytes()), "n.jsonl"),
        )
        .unwrap();
    assert_eq!(report.accepted, 6, "{:?}", report.rejections);
    let s = |id: &str, covered: bool| (id.to_string(), covered);
    assert_eq!(
        near(&dir, Some(1_000.0)),
        [
            s("city", true),
            s("near", false),
            s("town", true),
            s("ward", true)
        ]
    );
    assert_eq!(
        near(&dir, None),
        [
            s("city", true),
            s("near", false),
            s("none", false),
            s("other", false),
            s("town", true),
            s("ward", true)
        ]
    );
}
