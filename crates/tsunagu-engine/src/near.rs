//! "What is near here": text search restricted to a radius (plus services
//! whose service area covers the place), ranked by relevance and distance
//! together or by distance alone, and `nearest`.
//!
//! Combined score (docs/search.md): `text × 1 / (1 + d / 1000 m)`, where d is
//! the walking-straight-line distance, 0 for a service whose area covers the
//! place; a record without a point counts half. Distance sort orders by d,
//! then by text score.

use serde::Serialize;
use tsunagu_geo::{Level, Place, distance_m, walking_minutes};
use tsunagu_index::{Restriction, SearchQuery, area_keys};
use tsunagu_model::Kind;

use crate::search::SearchResults;
use crate::{Directory, EngineError};

/// Where the senior (or the coordinator's question) is.
#[derive(Debug, Clone)]
pub enum Location {
    Point(f64, f64),
    Address(String),
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
#[derive(Debug, Clone, Serialize)]
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
/// Score factor for a record whose distance is unknown.
const UNKNOWN_DISTANCE_FACTOR: f32 = 0.5;

impl Directory {
    /// Resolves a location to a point and place, or says why it cannot.
    pub fn resolve_location(
        &self,
        location: &Location,
    ) -> Result<(Place, (f64, f64)), EngineError> {
        let place = match location {
            Location::Point(lat, lon) => self.locator.locate_point(*lat, *lon),
            Location::Address(a) => self.locator.locate_address(a),
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
    fn place_keys(place: &Place) -> Vec<String> {
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
        let (place, here) = self.resolve_location(&near.location)?;
        let keys = Self::place_keys(&place);
        let restrict = match near.within_m {
            Some(m) => Some(Restriction {
                ids: self
                    .point_index()?
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
        let q = SearchQuery {
            limit: wanted.max(CANDIDATES),
            offset: 0,
            restrict,
            ..query.clone()
        };
        let mut results = self.search(&q)?;
        for r in &mut results.results {
            let covered = r.record.kind == Kind::Service
                && area_keys(&r.record.service_area)
                    .iter()
                    .any(|k| keys.contains(k));
            let d = r.point.map(|p| distance_m(here, p));
            r.in_service_area = covered;
            r.distance_m = d.map(|d| d.round() as u32);
            r.walking_min = d.map(walking_minutes);
            let effective = if covered { Some(0.0) } else { d };
            r.score = match effective {
                Some(d) => r.score / (1.0 + d as f32 / 1000.0),
                None => r.score * UNKNOWN_DISTANCE_FACTOR,
            };
        }
        if let Some(m) = near.within_m {
            results.results.retain(|r| {
                r.in_service_area || r.distance_m.is_some_and(|d| f64::from(d) <= m + 0.5)
            });
        }
        match near.sort {
            NearSort::Relevance => results.results.sort_by(|a, b| b.score.total_cmp(&a.score)),
            NearSort::Distance => results.results.sort_by(|a, b| {
                let da = if a.in_service_area {
                    Some(0)
                } else {
                    a.distance_m
                };
                let db = if b.in_service_area {
                    Some(0)
                } else {
                    b.distance_m
                };
                match (da, db) {
                    (Some(x), Some(y)) => x.cmp(&y).then(b.score.total_cmp(&a.score)),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => b.score.total_cmp(&a.score),
                }
            }),
        }
        results.results = results
            .results
            .into_iter()
            .skip(query.offset)
            .take(query.limit.max(1))
            .collect();
        Ok(results)
    }

    /// The `k` nearest records passing the query's filters (text optional),
    /// services covering the place first.
    pub fn nearest(
        &self,
        query: &SearchQuery,
        location: &Location,
        k: usize,
    ) -> Result<(LocatedPlace, SearchResults), EngineError> {
        let (place, here) = self.resolve_location(location)?;
        let keys = Self::place_keys(&place);
        let index = self.point_index()?;
        let near = NearQuery {
            location: location.clone(),
            within_m: None,
            sort: NearSort::Distance,
        };
        let mut n = 64usize;
        loop {
            let ids: Vec<String> = index
                .nearest(here.0, here.1)
                .take(n)
                .map(|(id, _)| id)
                .collect();
            let restrict = Restriction {
                ids,
                area_keys: keys.clone(),
            };
            let q = SearchQuery {
                limit: k,
                offset: 0,
                ..query.clone()
            };
            let results = self.ranked_near(&q, Some(restrict), here, &keys, &near)?;
            if results.results.len() >= k || n >= index.len() {
                return Ok((self.located(&place, here), results));
            }
            n *= 4;
        }
    }
}
