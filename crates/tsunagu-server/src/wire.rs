//! JSON shapes shared by the API and the command line's `--format json`,
//! so both say the same thing the same way.

use serde_json::{Value, json};
use tsunagu_engine::{LocatedPlace, SearchResults, Understanding};
use tsunagu_geo::{CenterAssignment, Locator, Place};

/// Near-search and nearest JSON: `{place, total, results, facets}` (plus
/// `understanding` for a near search), each result with `in_service_area`
/// said even when false (plain search results leave the key out, having
/// no place).
pub fn near_json(
    place: &LocatedPlace,
    results: &SearchResults,
    understanding: Option<&Understanding>,
) -> Result<Value, serde_json::Error> {
    let mut listed = serde_json::to_value(&results.results)?;
    if let Some(list) = listed.as_array_mut() {
        for r in list.iter_mut().filter_map(|r| r.as_object_mut()) {
            r.entry("in_service_area").or_insert(Value::Bool(false));
        }
    }
    let mut v = json!({
        "place": place,
        "total": results.total,
        "results": listed,
        "facets": results.facets,
    });
    if let (Some(u), Some(o)) = (understanding, v.as_object_mut()) {
        o.insert("understanding".into(), serde_json::to_value(u)?);
    }
    Ok(v)
}

/// Where an address or point is: ward, 町丁目, あんしんケアセンター.
pub fn place_json(locator: &Locator, p: &Place) -> Value {
    let center = match &p.center {
        CenterAssignment::Center(i) => locator
            .centers()
            .center(*i)
            .map(|c| (c.id.clone(), c.name.clone())),
        _ => None,
    };
    let undecided: Vec<String> = match &p.center {
        CenterAssignment::Undecided(list) => list
            .iter()
            .filter_map(|i| locator.centers().center(*i).map(|c| c.name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "level": p.level,
        "ward": p.ward.map(|w| w.name()),
        "ward_method": p.ward_method,
        "town": p.town,
        "oaza": p.oaza,
        "chome": p.chome,
        "center_id": center.as_ref().map(|c| c.0.clone()),
        "center_name": center.as_ref().map(|c| c.1.clone()),
        "center_candidates": undecided,
        "lat": p.point.map(|x| x.0),
        "lon": p.point.map(|x| x.1),
        "inside_city": p.inside_city,
        "candidates": p.candidates,
        "note": p.note,
    })
}
