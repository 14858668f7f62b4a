//! Search with hydration: the index finds ids, the store supplies records,
//! and `Audience::project` decides what of each the caller may see.

use serde::Serialize;
use tsunagu_index::{FacetCount, SearchQuery};
use tsunagu_model::{Category, Kind, Record};

use crate::describe::InWords;
use crate::{Directory, EngineError};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// Its town, schedule and fee in words (additive JSON keys `town`,
    /// `when_ja`, `fee_ja`).
    #[serde(flatten)]
    pub in_words: InWords,
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

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Facets {
    pub category: Vec<FacetCount>,
    pub ward: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
            let in_words = InWords::of(&record, &s.placement);
            results.push(SearchResult {
                id: record.id.clone(),
                name: record.name.clone(),
                kind: record.kind,
                categories: record.categories.clone(),
                ward: s.placement.ward.map(|w| w.name().to_string()),
                score: hit.score,
                snippet,
                record,
                in_words,
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ShownRecord {
    pub record: Record,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    /// Its town, schedule and fee in words (additive JSON keys).
    #[serde(flatten)]
    pub in_words: InWords,
    pub first_imported: String,
    pub last_changed: String,
    /// Where the record is (its point or its located address).
    #[serde(skip)]
    pub point: Option<(f64, f64)>,
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
            in_words: InWords::of(&record, &stored.placement),
            record,
            ward: stored.placement.ward.map(|w| w.name().to_string()),
            first_imported: stored.first_imported,
            last_changed: stored.last_changed,
            point: stored.placement.point(),
        }))
    }
}

/// A search whose query was understood first.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UnderstoodSearch {
    /// What was taken out of the query (empty with `--literal`).
    pub understanding: crate::Understanding,
    #[serde(flatten)]
    pub results: SearchResults,
}

impl Directory {
    /// The query understander (query.tsv and this directory's gazetteer).
    pub fn understander(&self) -> Result<&crate::understand::Understander, EngineError> {
        if let Some(u) = self.shared.understander.get() {
            return Ok(u);
        }
        let vocabulary = crate::understand::QueryVocabulary::parse(
            &self.analyzer.lexicon().query_tsv,
        )
        .map_err(|errors| {
            EngineError::QueryVocabulary(
                errors
                    .iter()
                    .map(|e| format!("dictionaries/query.tsv:{}: {}", e.line, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let understander =
            crate::understand::Understander::new(vocabulary, self.locator.gazetteer());
        Ok(self.shared.understander.get_or_init(|| understander))
    }

    /// What a query asks for: places, days and times, cost, features, who,
    /// and situations (through needs.tsv, like matching), and the words left.
    /// `kinds` (asked for, or empty) turns a situation into needs of that
    /// kind, as matching does (寂しい → サロン for 通いの場).
    pub fn understand(
        &self,
        query: &str,
        kinds: &[tsunagu_model::Kind],
    ) -> Result<crate::Understanding, EngineError> {
        let understander = self.understander()?;
        // A situation sentence is read whole first: in 「夜ひとりで不安」 the
        // 夜 is part of the worry, not a time to search. Its clause is
        // masked before the constraints are read, unless it names a place
        // (「中央区でごみを出すのが大変」 keeps its ward).
        let mut masked = query.to_string();
        let mut whole_situations: Vec<(Category, String)> = Vec::new();
        for need in self
            .needs_lexicon()?
            .derive_for(&self.analyzer, query, kinds)?
            .needs
        {
            let situation = need.why == tsunagu_match::NeedEvidence::Situation;
            if !situation || !self.is_sentence(&need.from)? {
                continue;
            }
            let inside = understander.understand(&need.from);
            let constrained = inside
                .understood
                .iter()
                .any(|x| x.kind != crate::UnderstoodKind::Place);
            let placed = inside
                .understood
                .iter()
                .any(|x| x.kind == crate::UnderstoodKind::Place);
            if constrained
                && !placed
                && let Some(at) = masked.find(need.from.as_str())
            {
                masked.replace_range(at..at + need.from.len(), &" ".repeat(need.from.len()));
                whole_situations.push((need.code, need.from.clone()));
            }
        }
        let mut u = understander.understand(&masked);
        for (code, from) in whole_situations {
            if !u.situations.contains(&code) {
                u.situations.push(code);
            }
            u.understood.push(crate::Understood {
                kind: crate::UnderstoodKind::Situation,
                value: code.code().to_string(),
                label: code.label_ja().to_string(),
                from: from.clone(),
            });
            u.optional_text = format!("{} {from}", u.optional_text).trim().to_string();
        }
        if u.text.is_empty() {
            return Ok(u);
        }
        let kinds: Vec<tsunagu_model::Kind> = if kinds.is_empty() {
            u.kinds.clone()
        } else {
            kinds.to_vec()
        };
        // A sentence that says a need (「蛍光灯が替えられない」) points to
        // categories; its words then only add to the score. A named
        // activity (「囲碁がしたい」) keeps its words as the text.
        let derived = self
            .needs_lexicon()?
            .derive_for(&self.analyzer, &u.text, &kinds)?;
        let mut text = u.text.clone();
        let mut optional = vec![u.optional_text.clone()];
        for need in &derived.needs {
            if !self.is_sentence(&need.from)? {
                continue;
            }
            let Some(at) = text.find(need.from.as_str()) else {
                continue;
            };
            let named = need.why == tsunagu_match::NeedEvidence::Named && !need.keywords.is_empty();
            let replacement = if named {
                format!(" {} ", need.keywords.join(" "))
            } else {
                " ".to_string()
            };
            text.replace_range(at..at + need.from.len(), &replacement);
            optional.push(need.from.clone());
            if named {
                continue;
            }
            if !u.situations.contains(&need.code) {
                u.situations.push(need.code);
            }
            u.understood.push(crate::Understood {
                kind: crate::UnderstoodKind::Situation,
                value: need.code.code().to_string(),
                label: need.code.label_ja().to_string(),
                from: need.from.clone(),
            });
        }
        u.text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        u.optional_text = optional.join(" ").trim().to_string();
        Ok(u)
    }

    /// Whether words say something happens (a verb, an adjective, a
    /// negation), not just name a thing: 「配食」 stays a word,
    /// 「布団が干せない」 is a situation.
    fn is_sentence(&self, text: &str) -> Result<bool, EngineError> {
        // A predicate tied to something by a particle or an auxiliary:
        // 「夜間見守り」 (見守り read as a verb) names a service.
        let tokens = self.analyzer.tokens(text)?;
        let predicate = tokens.iter().any(|t| {
            matches!(t.pos.as_str(), "動詞" | "形容詞")
                || t.pos_sub == "形容動詞語幹"
                || (t.pos_sub == "サ変接続" && t.term == "心配")
        });
        let tied = tokens
            .iter()
            .any(|t| matches!(t.pos.as_str(), "助詞" | "助動詞"));
        Ok(predicate && tied)
    }

    /// Understands the query, then searches with what it understood: the
    /// ward as a filter (records in it or serving it), a known schedule
    /// that never overlaps the time or a known fee over the cost left out,
    /// and the rest ordered by how well each record is known to fit.
    pub fn search_understood(
        &self,
        query: &SearchQuery,
        literal: bool,
    ) -> Result<UnderstoodSearch, EngineError> {
        crate::limits::check_search(query)?;
        if literal {
            return Ok(UnderstoodSearch {
                understanding: crate::Understanding {
                    text: query.text.clone(),
                    ..Default::default()
                },
                results: self.search(query)?,
            });
        }
        let u = self.understand(&query.text, &query.kinds)?;
        let q = apply_understanding(query, &u);
        Ok(UnderstoodSearch {
            understanding: u,
            results: self.search(&q)?,
        })
    }
}

/// The search an understanding asks for, on top of the caller's filters
/// (which stay as they are: a `--feature` is still required).
pub fn apply_understanding(query: &SearchQuery, u: &crate::Understanding) -> SearchQuery {
    let mut q = query.clone();
    q.text = u.text.clone();
    q.optional_text = u.optional_text.clone();
    for w in &u.wards {
        if !q.serving_wards.contains(w) {
            q.serving_wards.push(*w);
        }
    }
    if let Some(max) = u.max_fee_yen {
        q.max_fee_yen = Some(q.max_fee_yen.map_or(max, |m| m.min(max)));
        q.prefs.fee_known_first = true;
    }
    for c in &u.situations {
        if !q.situation_categories.contains(c) {
            q.situation_categories.push(*c);
        }
    }
    if q.kinds.is_empty() {
        q.kinds = u.kinds.clone();
    }
    q.prefs.when = u.when;
    q.prefs.features = u.features.clone();
    q.prefs.who = u.who.clone();
    q.prefs.place = u.place.clone();
    q
}
