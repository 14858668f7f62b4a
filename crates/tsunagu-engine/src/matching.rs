//! Answering a match request: needs (given and from words), candidates
//! near the place from the index, the hard rules and ranking of
//! tsunagu-match, and the anonymous record of unmet needs.

use chrono::NaiveDate;
use tsunagu_index::{Restriction, SearchQuery};
use tsunagu_match::{
    AnswerLocation, Candidate, MatchAnswer, MatchRequest, NeedsFromText, NeedsLexicon,
    RequestLocation, SeniorPlace, all_needs, rank,
};

use crate::near::Location;
use crate::{Directory, EngineError};

/// Most candidates read per need (all records within reach in practice).
const MAX_CANDIDATES: usize = 5_000;

impl Directory {
    /// The unmet-needs log takes one short transaction; a reader, whose
    /// store connection is read-only, writes it through a connection of its
    /// own, so recording a consultation never needs the writer lock.
    fn log_unmet(
        &self,
        today: NaiveDate,
        center_id: Option<&str>,
        unmet: &[tsunagu_model::Category],
    ) -> Result<(), EngineError> {
        if self.read_only {
            tsunagu_store::Store::append_unmet(
                &self.data_dir.join(crate::STORE_FILE),
                today,
                center_id,
                unmet,
            )?;
        } else {
            self.store.log_unmet(today, center_id, unmet)?;
        }
        Ok(())
    }

    pub(crate) fn needs_lexicon(&self) -> Result<&NeedsLexicon, EngineError> {
        if let Some(l) = self.shared.needs.get() {
            return Ok(l);
        }
        let lexicon =
            NeedsLexicon::parse(&self.analyzer.lexicon().needs_tsv).map_err(|errors| {
                EngineError::Needs(
                    errors
                        .iter()
                        .map(|e| format!("dictionaries/needs.tsv:{}: {}", e.line, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
        Ok(self.shared.needs.get_or_init(|| lexicon))
    }

    /// Answers spec/match.md and, when the request says `record`, counts
    /// its unmet needs as one consultation. `today` dates the freshness of
    /// `verified_on` and the unmet-needs log.
    pub fn match_request(
        &self,
        req: &MatchRequest,
        today: NaiveDate,
    ) -> Result<MatchAnswer, EngineError> {
        let derived = match &req.needs_text {
            Some(text) => self
                .needs_lexicon()?
                .derive_for(&self.analyzer, text, &req.kinds)?,
            None => NeedsFromText::default(),
        };
        let needs = all_needs(req, &derived);
        let location = match &req.location {
            RequestLocation::Point { lat, lon } => Location::Point(*lat, *lon),
            RequestLocation::Address(a) => Location::Address(a.clone()),
        };
        let (place, here) = self.resolve_location(&location)?;
        let area_keys = Self::place_keys(&place);
        let senior = SeniorPlace {
            lat: here.0,
            lon: here.1,
            area_keys: area_keys.clone(),
        };
        let in_reach: std::sync::Arc<[String]> = self
            .spatial()?
            .0
            .within(here.0, here.1, req.max_distance_m)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let text_terms: Vec<String> = match &req.needs_text {
            Some(t) => self
                .analyzer
                .content_tokens(t)?
                .into_iter()
                .filter(|t| t.piece.in_query() && t.term.chars().count() >= 2)
                .map(|t| t.term)
                .collect(),
            None => Vec::new(),
        };
        let mut answers = Vec::with_capacity(needs.len());
        for need in &needs {
            let q = SearchQuery {
                categories: vec![*need],
                kinds: req.kinds.clone(),
                audience: req.audience,
                limit: MAX_CANDIDATES,
                restrict: Some(Restriction {
                    ids: in_reach.clone(),
                    area_keys: area_keys.clone(),
                }),
                ..SearchQuery::default()
            };
            let outcome = self.index.search(&q)?;
            let ids: Vec<String> = outcome.hits.into_iter().map(|h| h.id).collect();
            let stored = self.store.get_many(&ids)?;
            let candidates: Vec<Candidate<'_>> = stored
                .iter()
                .map(|s| Candidate {
                    record: &s.record,
                    placement: &s.placement,
                })
                .collect();
            let mut ranked = rank(
                *need,
                &candidates,
                req,
                &senior,
                today,
                &derived.wording(*need, &text_terms),
            );
            // What leaves passes the audience projection, like every output.
            ranked.matches.retain(|m| {
                stored
                    .iter()
                    .find(|s| s.record.id == m.id)
                    .is_some_and(|s| req.audience.may_see(&s.record))
            });
            answers.push(ranked);
        }
        let unmet: Vec<_> = answers
            .iter()
            .filter(|a| a.matches.is_empty())
            .map(|a| a.code)
            .collect();
        let center_id = self.locator.center_id(&place.center).map(String::from);
        if req.record && !unmet.is_empty() {
            self.log_unmet(today, center_id.as_deref(), &unmet)?;
        }
        Ok(MatchAnswer {
            derived_needs: derived.needs,
            refused_needs: derived.refused,
            needs: answers,
            unmet_needs: unmet,
            suggestions: derived.suggestions,
            location: AnswerLocation {
                ward: place.ward.map(|w| w.name().to_string()),
                town: place.oaza.clone(),
                center_id,
            },
        })
    }
}
