//! "What is near here": text search restricted to a radius (plus services
//! whose service area covers the place), ranked by relevance and distance
//! together or by distance alone, and `nearest`.
//!
//! Combined score (docs/search.md): `text × 1 / (1 + d / 1000 m)`, where d is
//! the walking-straight-line distance, 0 for a service whose area covers the
//! place; a record without a point counts half. Distance sort orders by d,
//! then by text score.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tsunagu_geo::{Level, Place, distance_m, walking_minutes};
use tsunagu_index::{Restriction, SearchQuery, area_keys};

use crate::search::SearchResults;
use crate::{Directory, EngineError, limits};

/// Where the senior (or the coordinator's question) is.
#[derive(Debug, Clone)]
pub enum Location {
    Point(f64, f64),
    Address(String),
}

impl Location {
    /// `35.65,140.10` (also with a full-width comma) is a point; anything
    /// else an address. A pair of numbers is a point even when it is not a
    /// valid one (`NaN,NaN`, `140.1,35.6`): resolving it then says why.
    pub fn parse(text: &str) -> Location {
        let parts: Vec<&str> = text.split([',', '，']).map(str::trim).collect();
        if let [a, b] = parts.as_slice()
            && let (Ok(lat), Ok(lon)) = (a.parse::<f64>(), b.parse::<f64>())
        {
            return Location::Point(lat, lon);
        }
        Location::Address(text.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NearSort {
    #[default]
    Relevance,
    Distance,
}

#[derive(Debug, Clone)]
pub struct NearQuery {
    pub location: Location,
    pub within_m: Option<f64>,
    pub sort: NearSort,
}

/// The place a location resolved to, as shown to people.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LocatedPlace {
    pub lat: f64,
    pub lon: f64,
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_id: Option<String>,
}

/// Text scores for re-ranking come from at most this many best text hits.
const CANDIDATES: usize = 500;
/// Distance steps of the relevance order: within one step the text decides.
const RELEVANCE_STEP_M: f64 = 500.0;
/// Most records `nearest` sets apart as covering the place (far more than
/// any city has services).
const MAX_COVERING: usize = 10_000;
/// Score factor for a record whose distance is unknown.
const UNKNOWN_DISTANCE_FACTOR: f32 = 0.5;

impl Directory {
    /// Resolves a location to a point and place, or says why it cannot.
    pub fn resolve_location(
        &self,
        location: &Location,
    ) -> Result<(Place, (f64, f64)), EngineError> {
        let place = match location {
            Location::Point(lat, lon) => {
                limits::check_point(*lat, *lon)?;
                self.locator.locate_point(*lat, *lon)
            }
            Location::Address(a) => {
                limits::check_len("address", a, limits::MAX_ADDRESS_CHARS)?;
                self.locator.locate_address(a)
            }
        };
        match place.point {
            Some(p) => Ok((place, p)),
            None => Err(EngineError::CannotLocate {
                message: place
                    .note
                    .clone()
                    .unwrap_or_else(|| "位置を特定できません".into()),
                candidates: place.candidates.clone(),
            }),
        }
    }

    fn located(&self, place: &Place, point: (f64, f64)) -> LocatedPlace {
        LocatedPlace {
            lat: point.0,
            lon: point.1,
            level: place.level,
            ward: place.ward.map(|w| w.name().to_string()),
            town: place.town.clone().or_else(|| place.oaza.clone()),
            center_id: self.locator.center_id(&place.center).map(String::from),
        }
    }

    /// The service-area keys that cover a place: the city, its ward, its town.
    pub(crate) fn place_keys(place: &Place) -> Vec<String> {
        let mut keys = Vec::new();
        if place.inside_city {
            keys.push("千葉市".to_string());
        }
        if let Some(w) = place.ward {
            keys.push(w.name().to_string());
            if let Some(o) = &place.oaza {
                keys.extend(area_keys(&[format!("{}{o}", w.name())]));
            }
        }
        keys
    }

    pub fn search_near(
        &self,
        query: &SearchQuery,
        near: &NearQuery,
    ) -> Result<(LocatedPlace, SearchResults), EngineError> {
        limits::check_search(query)?;
        if let Some(m) = near.within_m {
            limits::check_distance("within", m)?;
        }
        let (place, here) = self.resolve_location(&near.location)?;
        let keys = Self::place_keys(&place);
        let restrict = match near.within_m {
            Some(m) => Some(Restriction {
                ids: self
                    .spatial()?
                    .0
                    .within(here.0, here.1, m)
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
                area_keys: keys.clone(),
            }),
            None => None,
        };
        let results = self.ranked_near(query, restrict, here, &keys, near)?;
        Ok((self.located(&place, here), results))
    }

    fn ranked_near(
        &self,
        query: &SearchQuery,
        restrict: Option<Restriction>,
        here: (f64, f64),
        keys: &[String],
        near: &NearQuery,
    ) -> Result<SearchResults, EngineError> {
        let wanted = query.offset + query.limit.max(1);
        let candidates = wanted.max(CANDIDATES);
        // The index marks the candidates that serve the place (their
        // service area has one of its keys) in the same pass.
        let q = SearchQuery {
            limit: candidates,
            offset: 0,
            restrict,
            mark_area_keys: keys.to_vec(),
            ..query.clone()
        };
        let outcome = self.index.search(&q)?;
        let spatial = self.spatial()?;
        let points = &spatial.1;
        struct Ranked {
            hit: tsunagu_index::IndexHit,
            covered: bool,
            distance: Option<f64>,
        }
        let mut ranked: Vec<Ranked> = outcome
            .hits
            .into_iter()
            .map(|mut hit| {
                let covered = hit.in_area;
                let distance = points.get(&hit.id).map(|p| distance_m(here, *p));
                let effective = if covered { Some(0.0) } else { distance };
                hit.score = match effective {
                    Some(d) => hit.score / (1.0 + d as f32 / 1000.0),
                    None => hit.score * UNKNOWN_DISTANCE_FACTOR,
                };
                Ranked {
                    hit,
                    covered,
                    distance,
                }
            })
            .filter(|r| match near.within_m {
                Some(m) => r.covered || r.distance.is_some_and(|d| d <= m),
                None => true,
            })
            .collect();
        let key = |r: &Ranked| if r.covered { Some(0.0) } else { r.distance };
        // Relevance: what is known to fit the understood wishes first, then
        // nearness in steps (a place a few km away never outranks a close
        // one on wording alone), then the text within a step.
        let step = |r: &Ranked| match key(r) {
            Some(d) => (d / RELEVANCE_STEP_M).floor() as i64,
            None => i64::MAX,
        };
        match near.sort {
            NearSort::Relevance => ranked.sort_by(|a, b| {
                b.hit
                    .fit
                    .cmp(&a.hit.fit)
                    .then(step(a).cmp(&step(b)))
                    .then(b.hit.score.total_cmp(&a.hit.score))
            }),
            NearSort::Distance => ranked.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y).then(b.hit.score.total_cmp(&a.hit.score)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => b.hit.score.total_cmp(&a.hit.score),
            }),
        }
        let page: Vec<Ranked> = ranked
            .into_iter()
            .skip(query.offset)
            .take(query.limit.max(1))
            .collect();
        let hits: Vec<tsunagu_index::IndexHit> = page.iter().map(|r| r.hit.clone()).collect();
        let mut results = self.hydrate(query, &hits, &outcome.snippets)?;
        for (r, p) in results.iter_mut().zip(&page) {
            r.in_service_area = p.covered;
            r.distance_m = p.distance.map(|d| d.round() as u32);
            r.walking_min = p.distance.map(walking_minutes);
        }
        Ok(SearchResults {
            total: outcome.total,
            results,
            facets: crate::search::Facets {
                category: outcome.facets_category,
                ward: outcome.facets_ward,
            },
            relaxed: outcome.relaxed,
        })
    }

    /// Records near a place passing the query's filters (text optional):
    /// the services whose service area covers the place (up to `k`, flagged
    /// `in_service_area`, nearest office first), then the `k` nearest of
    /// the others. The two are chosen apart so that services covering the
    /// whole city or ward never crowd the places nearby out of the answer.
    pub fn nearest(
        &self,
        query: &SearchQuery,
        location: &Location,
        k: usize,
    ) -> Result<(LocatedPlace, SearchResults), EngineError> {
        limits::check_limit("k", k)?;
        limits::check_len("query", &query.text, limits::MAX_QUERY_CHARS)?;
        let (place, here) = self.resolve_location(location)?;
        let keys = Self::place_keys(&place);
        let spatial = self.spatial()?;
        let index = &spatial.0;
        let near = NearQuery {
            location: location.clone(),
            within_m: None,
            sort: NearSort::Distance,
        };
        // Without keys for the ranking, results are ordered by the real
        // distance of their point (a covering service's office included).
        let no_keys: &[String] = &[];
        let (area, covering) = if keys.is_empty() {
            (None, HashSet::new())
        } else {
            let restrict = Restriction {
                ids: Arc::from([]),
                area_keys: keys.clone(),
            };
            // Every covering record, ids only, so none of them is listed
            // again among the places nearby.
            let all = SearchQuery {
                limit: MAX_COVERING,
                offset: 0,
                restrict: Some(restrict.clone()),
                ..query.clone()
            };
            let covering: HashSet<String> = match self.index.search(&all) {
                Ok(o) => o.hits.into_iter().map(|h| h.id).collect(),
                Err(tsunagu_index::IndexError::EmptyQuery) => HashSet::new(),
                Err(e) => return Err(e.into()),
            };
            let q = SearchQuery {
                limit: k,
                offset: 0,
                ..query.clone()
            };
            let mut found = self.ranked_near(&q, Some(restrict), here, no_keys, &near)?;
            for r in &mut found.results {
                r.in_service_area = true;
            }
            (Some(found), covering)
        };
        let q = SearchQuery {
            limit: k,
            offset: 0,
            ..query.clone()
        };
        let mut n = 64usize;
        let nearby = loop {
            let ids: Vec<String> = index
                .nearest(here.0, here.1)
                .take(n)
                .map(|(id, _)| id)
                .filter(|id| !covering.contains(id))
                .collect();
            let restrict = Restriction {
                ids: ids.into(),
                area_keys: Vec::new(),
            };
            let found = self.ranked_near(&q, Some(restrict), here, no_keys, &near)?;
            if found.results.len() >= k || n >= index.len() {
                break found;
            }
            n *= 4;
        };
        let results = match area {
            None => nearby,
            Some(mut area) => {
                area.total += nearby.total;
                area.results.extend(nearby.results);
                merge_facets(&mut area.facets, nearby.facets);
                area.relaxed |= nearby.relaxed;
                area
            }
        };
        Ok((self.located(&place, here), results))
    }
}

/// Facet counts of two disjoint result sets (covering and nearby), added
/// value by value.
fn merge_facets(into: &mut crate::search::Facets, other: crate::search::Facets) {
    fn add(into: &mut Vec<tsunagu_index::FacetCount>, other: Vec<tsunagu_index::FacetCount>) {
        for f in other {
            match into.iter_mut().find(|g| g.value == f.value) {
                Some(g) => g.count += f.count,
                None => into.push(f),
            }
        }
        into.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    }
    add(&mut into.category, other.category);
    add(&mut into.ward, other.ward);
}
