//! Search with hydration: the index finds ids, the store supplies records,
//! and `Audience::project` decides what of each the caller may see.

use serde::Serialize;
use tsunagu_index::{FacetCount, SearchQuery};
use tsunagu_model::{Category, Kind, Record};

use crate::{Directory, EngineError};

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub categories: Vec<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    pub score: f32,
    /// HTML-escaped excerpt with matches in `<mark>…</mark>`.
    pub snippet: String,
    /// The record as the audience may see it.
    pub record: Record,
    /// With a place: straight-line metres and walking minutes (80 m/min,
    /// rounded up), and whether the place is in the service's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walking_min: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_service_area: bool,
    /// Where the record is (its point or its located address).
    #[serde(skip)]
    pub point: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Facets {
    pub category: Vec<FacetCount>,
    pub ward: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub results: Vec<SearchResult>,
    pub facets: Facets,
    /// True when no record matched most of the words and fewer were required.
    pub relaxed: bool,
}

impl Directory {
    /// Records for index hits, projected for the audience, with snippets.
    pub(crate) fn hydrate(
        &self,
        query: &SearchQuery,
        hits: &[tsunagu_index::IndexHit],
        snippets: &tsunagu_index::Snippets,
    ) -> Result<Vec<SearchResult>, EngineError> {
        let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
        let stored = self.store.get_many(&ids)?;
        let mut results = Vec::with_capacity(stored.len());
        for (hit, s) in hits.iter().zip(stored) {
            // The index already filtered by audience; projecting again here is
            // what guarantees no internal field leaves, whatever the index says.
            let Some(record) = query.audience.project(&s.record) else {
                tracing::error!(id = %s.record.id, "index returned a record the audience may not see");
                continue;
            };
            let snippet =
                snippets.snippet(&record.name, record.description.as_deref().unwrap_or(""));
            results.push(SearchResult {
                id: record.id.clone(),
                name: record.name.clone(),
                kind: record.kind,
                categories: record.categories.clone(),
                ward: s.placement.ward.map(|w| w.name().to_string()),
                score: hit.score,
                snippet,
                record,
                distance_m: None,
                walking_min: None,
                in_service_area: false,
                point: s.placement.point(),
            });
        }
        Ok(results)
    }

    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, EngineError> {
        crate::limits::check_search(query)?;
        let t0 = std::time::Instant::now();
        let outcome = self.index.search(query)?;
        let t1 = t0.elapsed();
        let results = self.hydrate(query, &outcome.hits, &outcome.snippets)?;
        let t2 = t0.elapsed();
        tracing::debug!(
            index_us = t1.as_micros() as u64,
            hydrate_us = (t2 - t1).as_micros() as u64,
            total_us = t0.elapsed().as_micros() as u64,
            "search timings"
        );
        Ok(SearchResults {
            total: outcome.total,
            results,
            facets: Facets {
                category: outcome.facets_category,
                ward: outcome.facets_ward,
            },
            relaxed: outcome.relaxed,
        })
    }
}

/// One stored record as an audience may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownRecord {
    pub record: Record,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    pub first_imported: String,
    pub last_changed: String,
}

impl Directory {
    /// The record with this id, if it exists and the audience may see it.
    pub fn get(
        &self,
        id: &str,
        audience: tsunagu_model::Audience,
    ) -> Result<Option<ShownRecord>, EngineError> {
        let Some(stored) = self.store.get(id)? else {
            return Ok(None);
        };
        Ok(audience.project(&stored.record).map(|record| ShownRecord {
            record,
            ward: stored.placement.ward.map(|w| w.name().to_string()),
            first_imported: stored.first_imported,
            last_changed: stored.last_changed,
        }))
    }
}
