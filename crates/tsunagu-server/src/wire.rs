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

/// `GET /api/v1/locate` and `tsunagu locate --format json`.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct LocateAnswer {
    pub level: tsunagu_geo::Level,
    pub ward: Option<&'static str>,
    pub ward_method: Option<tsunagu_geo::WardMethod>,
    pub town: Option<String>,
    pub oaza: Option<String>,
    pub chome: Option<u32>,
    pub center_id: Option<String>,
    pub center_name: Option<String>,
    /// Centres a split town without 丁目 may belong to (never guessed).
    pub center_candidates: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub inside_city: bool,
    /// Town names a misspelt address may have meant.
    pub candidates: Vec<String>,
    pub note: Option<String>,
}

/// `GET /api/v1/categories`: each category with its label, home kind and
/// the number of active public records.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct CategoryCount {
    pub code: tsunagu_model::Category,
    pub label: &'static str,
    pub kind: tsunagu_model::Kind,
    pub count: u64,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct CategoriesAnswer {
    pub categories: Vec<CategoryCount>,
}

/// `GET /api/v1/wards`.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct WardCount {
    /// 12101…12106.
    pub code: &'static str,
    /// 全国地方公共団体コード (six digits).
    pub lg_code: &'static str,
    pub name: &'static str,
    pub count: u64,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct WardsAnswer {
    pub wards: Vec<WardCount>,
}

/// Where an address or point is: ward, 町丁目, あんしんケアセンター.
pub fn place_json(locator: &Locator, p: &Place) -> Value {
    serde_json::to_value(locate_answer(locator, p)).unwrap_or(Value::Null)
}

pub fn locate_answer(locator: &Locator, p: &Place) -> LocateAnswer {
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
    LocateAnswer {
        level: p.level,
        ward: p.ward.map(|w| w.name()),
        ward_method: p.ward_method,
        town: p.town.clone(),
        oaza: p.oaza.clone(),
        chome: p.chome,
        center_id: center.as_ref().map(|c| c.0.clone()),
        center_name: center.as_ref().map(|c| c.1.clone()),
        center_candidates: undecided,
        lat: p.point.map(|x| x.0),
        lon: p.point.map(|x| x.1),
        inside_city: p.inside_city,
        candidates: p.candidates.clone(),
        note: p.note.clone(),
    }
}
