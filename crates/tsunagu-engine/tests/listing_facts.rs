//! Listing facts and time-priced fees through import, store and index: the
//! store keeps the facts read at import with their phrase, a feature filter
//! finds records whose text grants the feature, and a max-fee filter compares
//! the least one use costs (one priced unit of time included).

#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use tsunagu_engine::{Audience, Directory, DirectoryConfig, STORE_FILE, SearchQuery};
use tsunagu_ingest::read_jsonl;
use tsunagu_model::{Fact, Feature, FeeUnit, Who};

const RECORDS: &str = r#"{"id":"park","kind":"kayoi","name":"朝の体操","categories":["exercise"],"description":"駐車場あり。女性限定の体操です。","fee_text":"1回300円","lat":35.6,"lon":140.1}
{"id":"nopark","kind":"kayoi","name":"昼の体操","categories":["exercise"],"description":"駐車場はありません。","fee_text":"30分300円","lat":35.6,"lon":140.1}
{"id":"hourly","kind":"service","name":"家事の手伝い","categories":["housework"],"description":"送迎します","fee_text":"1時間 600円（以降30分毎300円）","lat":35.6,"lon":140.1}
{"id":"monthly","kind":"kayoi","name":"夜の体操","categories":["exercise"],"features":["parking"],"fee_text":"月額1,000円","lat":35.6,"lon":140.1}
"#;

fn ids(dir: &Directory, query: &SearchQuery) -> Vec<String> {
    let mut ids: Vec<String> = dir
        .search(query)
        .unwrap()
        .results
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

fn query() -> SearchQuery {
    SearchQuery {
        text: "体操 手伝い".into(),
        audience: Audience::Coordinator,
        limit: 20,
        ..SearchQuery::default()
    }
}

fn check_filters(dir: &Directory) {
    let parking = SearchQuery {
        features: vec![Feature::Parking],
        ..query()
    };
    // Published (monthly) or read from the text (park); never a denial.
    assert_eq!(ids(dir, &parking), ["monthly", "park"]);
    let pickup = SearchQuery {
        features: vec![Feature::Pickup],
        ..query()
    };
    assert_eq!(ids(dir, &pickup), ["hourly"]);
    let budget = SearchQuery {
        max_fee_yen: Some(500),
        ..query()
    };
    // 1時間600円 costs at least 600; 30分300円 at least 300; a monthly fee
    // says nothing per use and is kept.
    assert_eq!(ids(dir, &budget), ["monthly", "nopark", "park"]);
}

#[test]
fn facts_are_stored_with_their_phrase_and_found_by_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let config = DirectoryConfig::new(tmp.path());
    {
        let mut dir = Directory::open(&config).unwrap();
        let report = dir
            .import_lines(
                "f.jsonl",
                read_jsonl(Cursor::new(RECORDS.as_bytes()), "f.jsonl"),
            )
            .unwrap();
        assert_eq!(report.accepted, 4, "{:?}", report.rejections);
        check_filters(&dir);
        // Rebuilt from what the store holds: the facts survived it.
        dir.reindex().unwrap();
        check_filters(&dir);
    }
    let store = tsunagu_store::Store::open_read_only(&tmp.path().join(STORE_FILE)).unwrap();
    let park = store.get("park").unwrap().unwrap().placement;
    let facts: Vec<(Fact, &str, &str)> = park
        .facts
        .iter()
        .map(|f| (f.fact, f.phrase.as_str(), f.field.as_str()))
        .collect();
    assert_eq!(
        facts,
        [
            (Fact::Feature(Feature::Parking), "駐車場あり", "description"),
            (
                Fact::Who(Who::WomenOnly),
                "女性限定の体操です",
                "description"
            ),
        ]
    );
    assert!(park.has_feature(
        &store.get("park").unwrap().unwrap().record,
        Feature::Parking
    ));
    assert!(
        store
            .get("nopark")
            .unwrap()
            .unwrap()
            .placement
            .facts
            .is_empty()
    );
    let hourly = store.get("hourly").unwrap().unwrap().placement.fee;
    assert_eq!(
        (hourly.yen, hourly.unit, hourly.minutes),
        (Some(600), FeeUnit::PerHour, Some(60))
    );
    assert_eq!(hourly.least_per_use(), Some(600));
}
