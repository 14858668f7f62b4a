//! Matching (spec/match.md): a senior's needs, place, days and budget →
//! resources, with reasons a coordinator can read out.
//!
//! Pure and synchronous: the engine finds candidates near the place and hands
//! them over; this crate applies the hard rules, scores, writes reasons, and
//! derives needs from words. It knows nothing of storage, indexes or HTTP.

pub mod evaluate;
pub mod needs;
pub mod request;

use chrono::NaiveDate;
use serde::Serialize;
use tsunagu_model::Category;

pub use evaluate::{Candidate, Excluded, Keyword, Match, SeniorPlace, TimeFit, Wording, evaluate};
pub use needs::{
    DerivedNeed, DerivedSuggestion, NeedEvidence, NeedsFromText, NeedsLexicon, Suggestion,
};
pub use request::{Availability, MatchRequest, RequestError, RequestLocation};

/// The matches for one need.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NeedMatches {
    pub code: Category,
    pub label: &'static str,
    pub matches: Vec<Match>,
}

/// Where the request was placed (no finer than the senior needs to see).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AnswerLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_id: Option<String>,
}

/// The answer of spec/match.md, plus `refused_needs`, `suggestions` and
/// `location`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MatchAnswer {
    pub derived_needs: Vec<DerivedNeed>,
    /// Needs the senior's words refuse (「体操は嫌い」); not answered unless
    /// another clause or `needs` asks for them.
    pub refused_needs: Vec<DerivedNeed>,
    pub needs: Vec<NeedMatches>,
    pub unmet_needs: Vec<Category>,
    pub suggestions: Vec<DerivedSuggestion>,
    pub location: AnswerLocation,
}

/// The needs to answer: the request's codes, then those derived from words
/// (refused ones are not in `derived.needs`).
pub fn all_needs(request: &MatchRequest, derived: &NeedsFromText) -> Vec<Category> {
    let mut needs = request.needs.clone();
    for d in &derived.needs {
        if !needs.contains(&d.code) {
            needs.push(d.code);
        }
    }
    needs
}

/// Evaluates every candidate for a need and keeps the best `limit_per_need`.
///
/// Order: candidates that mention an activity the senior named for this
/// need come first (「囲碁がしたい」 → the 囲碁 club before the 麻雀 one), those
/// that mention an activity the senior refused come last, and a schedule
/// that fits the senior's free time only in part comes after every other;
/// within that, score, then distance, then id (a stable order for the same
/// data).
pub fn rank(
    need: Category,
    candidates: &[Candidate<'_>],
    request: &MatchRequest,
    place: &SeniorPlace,
    today: NaiveDate,
    wording: &Wording,
) -> NeedMatches {
    let mut matches: Vec<Match> = candidates
        .iter()
        .filter_map(|c| evaluate(c, need, request, place, today, wording).ok())
        .collect();
    let tiers = |m: &Match| {
        (
            !wording.keywords.is_empty() && m.keywords.is_empty(),
            !m.refused_keywords.is_empty(),
            m.time_fit == TimeFit::Partial,
        )
    };
    matches.sort_by(|a, b| {
        tiers(a)
            .cmp(&tiers(b))
            .then(b.score.total_cmp(&a.score))
            .then(
                a.distance_m
                    .unwrap_or(u32::MAX)
                    .cmp(&b.distance_m.unwrap_or(u32::MAX)),
            )
            .then(a.id.cmp(&b.id))
    });
    matches.truncate(request.limit_per_need);
    NeedMatches {
        code: need,
        label: need.label_ja(),
        matches,
    }
}
