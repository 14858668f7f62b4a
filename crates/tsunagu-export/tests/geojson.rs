//! GeoJSON parses, and has one Point feature per record with a point.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;
use tsunagu_export::Format;
use tsunagu_model::Audience;

#[test]
fn one_feature_per_located_record() {
    for seed in 0..10 {
        let items = random_items(500 + seed, 60, Texts::Any);
        let bytes = export(Format::GeoJson, options(Audience::Coordinator), &items);
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["type"], "FeatureCollection");
        let features = doc["features"].as_array().unwrap();
        let located: Vec<_> = items
            .iter()
            .filter_map(|(r, p)| r.point().or(p.point()).map(|pt| (r, pt)))
            .collect();
        assert!(located.len() < items.len(), "some records have no point");
        assert_eq!(features.len(), located.len());
        for (f, (r, (lat, lon))) in features.iter().zip(&located) {
            assert_eq!(f["type"], "Feature");
            assert_eq!(f["geometry"]["type"], "Point");
            assert_eq!(f["geometry"]["coordinates"][0].as_f64(), Some(*lon));
            assert_eq!(f["geometry"]["coordinates"][1].as_f64(), Some(*lat));
            let props = &f["properties"];
            assert_eq!(props["id"], r.id.as_str());
            assert_eq!(props["located_from_address"], r.point().is_none());
            let codes: Vec<&str> = r.categories.iter().map(|c| c.code()).collect();
            assert_eq!(props["categories"], codes.join(";"));
            let labels: Vec<&str> = r.categories.iter().map(|c| c.label_ja()).collect();
            assert_eq!(props["categories_ja"], labels.join(";"));
        }
        // Every feature has the same properties, for one attribute table.
        let keys: Vec<Vec<&String>> = features
            .iter()
            .map(|f| f["properties"].as_object().unwrap().keys().collect())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }
}

#[test]
fn an_empty_export_is_still_a_feature_collection() {
    let bytes = export(Format::GeoJson, options(Audience::Public), &[]);
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["features"].as_array().map(Vec::len), Some(0));
    let bytes = export(Format::Hsds, options(Audience::Public), &[]);
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc, Value::Array(vec![]));
}
