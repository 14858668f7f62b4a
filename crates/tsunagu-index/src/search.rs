//! Query building and search.
//!
//! A query is split into concepts (a word, or a synonym phrase), each with
//! every spelling that should match it. A concept matches a document when any
//! spelling appears in any text field (best field counts fully, others with a
//! tie-breaker), or when its reading appears in the reading field. Documents
//! must match most concepts (all but a third); if none do, at least half.
//! BM25 sums over concepts, so a document matching every word ranks first.

use std::collections::HashSet;
use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};
use tsunagu_model::{Audience, Category, Feature, Kind, Status, Visibility, Ward};
use tsunagu_text::Highlighter;
use tsunagu_text::analyzer::{QueryConcept, SynonymSource, reading_segmentations};

use crate::error::IndexError;
use crate::facets::FacetCollector;
use crate::id_map::{IdMaps, SegmentIds};
use crate::index::SearchIndex;
use crate::schema::Fields;

/// What to search for. Filters combine with AND; several values of one
/// filter combine with OR, except features, which must all be present.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub kinds: Vec<Kind>,
    pub categories: Vec<Category>,
    pub wards: Vec<Ward>,
    /// あんしんケアセンター ids (AC01…): records placed in their areas.
    pub centers: Vec<String>,
    pub features: Vec<Feature>,
    pub max_fee_yen: Option<u64>,
    pub include_inactive: bool,
    pub audience: Audience,
    pub limit: usize,
    pub offset: usize,
    /// Only records with these ids or serving one of these areas (a radius
    /// around a place, and the place's city/ward/town keys).
    pub restrict: Option<Restriction>,
    /// Only records in one of these wards or serving it (a service whose
    /// area is the whole city, the ward, or a town of the ward).
    pub serving_wards: Vec<Ward>,
    /// Words that add to the score without being required (the words a
    /// situation or a constraint was understood from).
    pub optional_text: String,
    /// Categories a situation in the query points to: one more required
    /// concept, matched by category, with a strong weight.
    pub situation_categories: Vec<Category>,
    /// Understood wishes that order the hits (and the time filter).
    pub prefs: crate::prefs::Preferences,
    /// Service-area keys to mark hits with ([`IndexHit::in_area`]): which
    /// hits serve a place, without a second search. Marks never filter.
    pub mark_area_keys: Vec<String>,
}

impl SearchQuery {
    /// Whether anything besides the text narrows the search, so that an
    /// empty text lists what passes (browsing a category, a ward…).
    pub fn has_constraints(&self) -> bool {
        self.restrict.is_some()
            || !self.kinds.is_empty()
            || !self.categories.is_empty()
            || !self.wards.is_empty()
            || !self.centers.is_empty()
            || !self.serving_wards.is_empty()
            || !self.features.is_empty()
            || self.max_fee_yen.is_some()
            || !self.situation_categories.is_empty()
            || !self.prefs.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Restriction {
    /// Shared: queries are cloned per pass, and a radius holds about a
    /// thousand ids.
    pub ids: Arc<[String]>,
    pub area_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexHit {
    pub id: String,
    pub score: f32,
    /// Minus the number of understood wishes not known to be met (0 when
    /// nothing was understood); see `prefs::RankKey`.
    pub fit: i32,
    /// The record's service area has one of `SearchQuery::mark_area_keys`.
    pub in_area: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Hits, totals and facets; the caller hydrates hits from the store and asks
/// [`Snippets`] for highlighted excerpts of the texts it shows.
pub struct SearchOutcome {
    pub total: usize,
    pub hits: Vec<IndexHit>,
    pub facets_category: Vec<FacetCount>,
    pub facets_ward: Vec<FacetCount>,
    /// The concepts the query was analysed into (for explanations).
    pub concepts: Vec<QueryConcept>,
    /// True when no document matched most words and the query was relaxed.
    pub relaxed: bool,
    pub snippets: Snippets,
}

/// Makes highlighted excerpts for one search.
pub struct Snippets {
    highlighter: Highlighter,
}

impl Snippets {
    /// An HTML-safe excerpt of `description` (or of `name` when the
    /// description has no match) with matches in `<mark>`.
    pub fn snippet(&self, name: &str, description: &str) -> String {
        let description = crate::index::indexed_prefix(description);
        // The description's excerpt when it matches (it says more), else
        // the name's when that matches; each text is searched once.
        let from_description = self.highlighter.snippet(description, SNIPPET_CHARS);
        if from_description.contains(tsunagu_text::highlight::MARK_OPEN) {
            return from_description;
        }
        let from_name = self.highlighter.snippet(name, SNIPPET_CHARS);
        if from_name.contains(tsunagu_text::highlight::MARK_OPEN) {
            return from_name;
        }
        from_description
    }
}

const SNIPPET_CHARS: usize = 120;
/// Weight of a synonyms.tsv synonym relative to the word the user typed.
const SYNONYM_WEIGHT: f32 = SynonymSource::Domain.weight();
/// How much the other fields add when the best field already matched.
const TIE_BREAKER: f32 = 0.2;
/// Words of a phrase may be this many positions apart (particles between).
const PHRASE_SLOP: u32 = 3;
/// A hit before hydration: text score, fit, address.
type ScoredDoc = (f32, i32, tantivy::DocAddress);

/// A text score at least this share of the best one is a good match.
const STRONG_SHARE: f32 = 0.5;
/// Weight of words that are not required (what a constraint or a situation
/// was understood from): enough to order equals, never to dominate.
const OPTIONAL_WEIGHT: f32 = 0.3;
/// Score of a record in a category a situation points to: above a word
/// found in a description, as a situation is the coordinator's real ask.
const SITUATION_SCORE: f32 = 4.0;

/// The concept of a situation: the record is in one of its categories.
fn situation_query(f: &Fields, categories: &[Category]) -> Box<dyn Query> {
    let terms: Vec<Term> = categories
        .iter()
        .map(|c| Term::from_field_text(f.category, c.code()))
        .collect();
    Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new_multiterms_query(terms)),
        SITUATION_SCORE,
    ))
}

impl SearchIndex {
    /// Indexed records per status (document frequencies of the status
    /// terms: deleted documents not yet merged away are not counted).
    pub fn count_by_status(&self) -> Result<Vec<(Status, u64)>, IndexError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(Status::ALL.len());
        for status in Status::ALL {
            let term = Term::from_field_text(self.fields.status, status.code());
            let n = searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?;
            out.push((*status, n as u64));
        }
        Ok(out)
    }

    pub fn search(&self, q: &SearchQuery) -> Result<SearchOutcome, IndexError> {
        let t0 = std::time::Instant::now();
        let concepts = self.analyzer.query_concepts(&q.text)?;
        let optional = if q.optional_text.trim().is_empty() {
            Vec::new()
        } else {
            self.analyzer.query_concepts(&q.optional_text)?
        };
        let t_analyze = t0.elapsed();
        // An empty query is an error, except with a filter or a place:
        // "everything near here", "every salon of 若葉区" are fair questions.
        if concepts.is_empty() && !q.has_constraints() {
            return Err(IndexError::EmptyQuery);
        }
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut concept_queries: Vec<Box<dyn Query>> = concepts
            .iter()
            .map(|c| concept_query(f, &self.category_terms, &searcher, c))
            .collect();
        if !q.situation_categories.is_empty() {
            concept_queries.push(situation_query(f, &q.situation_categories));
        }
        if concept_queries.is_empty() {
            concept_queries.push(Box::new(tantivy::query::AllQuery));
        }
        let optional_queries: Vec<Box<dyn Query>> = optional
            .iter()
            .map(|c| {
                Box::new(BoostQuery::new(
                    concept_query(f, &self.category_terms, &searcher, c),
                    OPTIONAL_WEIGHT,
                )) as Box<dyn Query>
            })
            .collect();
        let n = concept_queries.len();
        let strict = n - n / 3;
        let filters = filter_clauses(f, &self.id_maps, q);
        let limit = q.limit.max(1);

        // One pass collects the total, the top hits and both facets. With
        // understood wishes the hits are ordered by fit first (prefs.rs).
        let ranked = !q.prefs.is_empty();
        let run = |query: &BooleanQuery| -> tantivy::Result<(usize, Vec<ScoredDoc>, _)> {
            let top = TopDocs::with_limit(limit).and_offset(q.offset);
            if ranked {
                let ranker = crate::prefs::Ranker {
                    strong_min: 0.0,
                    prefs: q.prefs.clone(),
                    town_keys: q
                        .prefs
                        .place
                        .iter()
                        .flat_map(|p| p.towns.iter().map(|t| crate::prefs::town_key(t)))
                        .collect(),
                };
                if q.prefs.place.is_some() {
                    // Near a place, weak matches (a shared category word)
                    // are told from good ones by the best text score.
                    let (total, all, facets) = searcher.search(
                        query,
                        &(Count, crate::prefs::AllRanked(ranker), FacetCollector),
                    )?;
                    let top = crate::prefs::top_ranked(all, STRONG_SHARE, q.offset, limit);
                    return Ok((
                        total,
                        top.into_iter().map(|(k, a)| (k.text, k.fit, a)).collect(),
                        facets,
                    ));
                }
                let (total, top, facets) =
                    searcher.search(query, &(Count, top.tweak_score(ranker), FacetCollector))?;
                Ok((
                    total,
                    top.into_iter().map(|(k, a)| (k.text, k.fit, a)).collect(),
                    facets,
                ))
            } else {
                let (total, top, facets) = searcher.search(query, &(Count, top, FacetCollector))?;
                Ok((
                    total,
                    top.into_iter().map(|(s, a)| (s, 0, a)).collect(),
                    facets,
                ))
            }
        };
        let mut relaxed = false;
        let mut query = build(&concept_queries, strict, &optional_queries, &filters);
        let mut fruit = run(&query)?;
        let lenient = n.div_ceil(2);
        if fruit.0 == 0 && lenient < strict {
            relaxed = true;
            query = build(&concept_queries, lenient, &optional_queries, &filters);
            fruit = run(&query)?;
        }
        let (total, top_docs, facets) = fruit;
        let t_search = t0.elapsed();

        let in_area = mark_in_area(&searcher, f.area, &q.mark_area_keys, &top_docs)?;
        let mut hits = Vec::with_capacity(top_docs.len());
        let names = self.id_maps.names();
        let mut segment: Option<(u32, Option<Arc<SegmentIds>>)> = None;
        for ((score, fit, address), in_area) in top_docs.into_iter().zip(in_area) {
            if segment.as_ref().map(|(ord, _)| *ord) != Some(address.segment_ord) {
                let reader = searcher.segment_reader(address.segment_ord);
                segment = Some((address.segment_ord, self.id_maps.segment(reader)));
            }
            let mapped = segment
                .as_ref()
                .and_then(|(_, map)| map.as_ref())
                .zip(names.as_ref())
                .and_then(|(map, names)| names.id(map, address.doc_id))
                .map(String::from);
            let id = match mapped {
                Some(id) => Some(id),
                None => {
                    let doc: TantivyDocument = searcher.doc(address)?;
                    doc.get_first(f.id)
                        .and_then(|v| v.as_str())
                        .map(String::from)
                }
            };
            if let Some(id) = id {
                hits.push(IndexHit {
                    id,
                    score,
                    fit,
                    in_area,
                });
            }
        }
        let facets_category = sorted_counts(
            facets
                .category_counts()
                .into_iter()
                .map(|(c, n)| (c.code().to_string(), n)),
        );
        let facets_ward = sorted_counts(
            facets
                .ward_counts()
                .into_iter()
                .map(|(w, n)| (w.name().to_string(), n)),
        );

        let mut terms: Vec<String> = Vec::new();
        for c in concepts.iter().chain(&optional) {
            terms.extend(c.alternatives.iter().flatten().cloned());
            for g in &c.groups {
                terms.extend(self.analyzer.group_terms(*g).cloned());
            }
            for sourced in &c.weighted {
                terms.extend(sourced.alternatives.iter().flatten().cloned());
            }
        }
        let highlighter = Highlighter::new(terms);

        tracing::debug!(
            analyze_us = t_analyze.as_micros() as u64,
            search_us = (t_search - t_analyze).as_micros() as u64,
            rest_us = (t0.elapsed() - t_search).as_micros() as u64,
            "index search timings"
        );
        Ok(SearchOutcome {
            total,
            hits,
            facets_category,
            facets_ward,
            concepts,
            relaxed,
            snippets: Snippets { highlighter },
        })
    }
}

/// For each hit, whether its service area has one of `keys`: the area
/// terms' documents per segment, probed in document order.
fn mark_in_area(
    searcher: &Searcher,
    area: Field,
    keys: &[String],
    docs: &[(f32, i32, tantivy::DocAddress)],
) -> tantivy::Result<Vec<bool>> {
    let mut marks = vec![false; docs.len()];
    if keys.is_empty() || docs.is_empty() {
        return Ok(marks);
    }
    let weight =
        crate::any_term::AnyTermQuery::new(keys.iter().map(|k| Term::from_field_text(area, k)))
            .weight(tantivy::query::EnableScoring::disabled_from_searcher(
                searcher,
            ))?;
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_unstable_by_key(|&i| (docs[i].2.segment_ord, docs[i].2.doc_id));
    let mut segment: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let address = docs[i].2;
        if segment.as_ref().map(|(ord, _)| *ord) != Some(address.segment_ord) {
            let reader = searcher.segment_reader(address.segment_ord);
            segment = Some((address.segment_ord, weight.scorer(reader, 1.0)?));
        }
        if let Some((_, scorer)) = segment.as_mut() {
            marks[i] = tantivy::DocSet::seek(scorer.as_mut(), address.doc_id) == address.doc_id;
        }
    }
    Ok(marks)
}

fn sorted_counts(counts: impl Iterator<Item = (String, u64)>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

/// Filters are required clauses, except those whose excluded values are
/// rare (internal records, inactive ones): excluding a short posting list is
/// far cheaper than intersecting with one that holds almost every document.
enum Filter {
    Require(Box<dyn Query>),
    Exclude(Box<dyn Query>),
}

fn build(
    concepts: &[Box<dyn Query>],
    required: usize,
    optional: &[Box<dyn Query>],
    filters: &[Filter],
) -> BooleanQuery {
    let text: Box<dyn Query> = match concepts {
        [one] => one.box_clone(),
        many => Box::new(BooleanQuery::with_minimum_required_clauses(
            many.iter()
                .map(|c| (Occur::Should, c.box_clone()))
                .collect(),
            required,
        )),
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
    clauses.extend(optional.iter().map(|o| (Occur::Should, o.box_clone())));
    for filter in filters {
        match filter {
            Filter::Require(q) => clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)),
            )),
            Filter::Exclude(q) => clauses.push((Occur::MustNot, q.box_clone())),
        }
    }
    BooleanQuery::new(clauses)
}

fn term_or_phrase(field: Field, terms: &[String]) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, one),
            IndexRecordOption::WithFreqs,
        ))),
        many => Some(Box::new(PhraseQuery::new_with_offset_and_slop(
            many.iter()
                .enumerate()
                .map(|(i, t)| (i, Term::from_field_text(field, t)))
                .collect(),
            PHRASE_SLOP,
        ))),
    }
}

/// Whether `field` of any segment holds the term `text`.
fn has_term(searcher: &Searcher, field: Field, text: &str) -> bool {
    let term = Term::from_field_text(field, text);
    searcher.segment_readers().iter().any(|segment| {
        match segment
            .inverted_index(field)
            .and_then(|ii| Ok(ii.get_term_info(&term)?))
        {
            Ok(info) => info.is_some(),
            Err(e) => {
                tracing::warn!(error = %e, "term dictionary lookup failed; term treated as absent");
                false
            }
        }
    })
}

/// Phrases for a word the user wrote in kana: the word split into reading
/// terms the index holds, matched as a phrase in the reading field, and in a
/// surface field too where every piece is a term there (kana words such as
/// かふぇ are indexed in hiragana). A split into one piece that is the word
/// itself adds nothing: the concept's own reading clause already asks it.
fn kana_phrases(f: &Fields, searcher: &Searcher, concept: &QueryConcept) -> Vec<Box<dyn Query>> {
    let Some(word) = &concept.kana_reading else {
        return Vec::new();
    };
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let splits = reading_segmentations(word, |piece| has_term(searcher, f.reading, piece));
    tracing::debug!(?splits, word, "kana splits");
    for pieces in splits {
        if pieces.len() == 1 && pieces[0] == *word {
            continue;
        }
        if let Some(q) = term_or_phrase(f.reading, &pieces) {
            out.push(Box::new(BoostQuery::new(q, Fields::READING_BOOST)));
        }
        if pieces.len() < 2 {
            continue;
        }
        for tf in f.text_fields().iter().filter(|tf| tf.phrases) {
            if pieces.iter().all(|p| has_term(searcher, tf.field, p))
                && let Some(q) = term_or_phrase(tf.field, &pieces)
            {
                out.push(Box::new(BoostQuery::new(q, tf.boost)));
            }
        }
    }
    out
}

fn concept_query(
    f: &Fields,
    category_terms: &[(Category, HashSet<String>)],
    searcher: &Searcher,
    concept: &QueryConcept,
) -> Box<dyn Query> {
    let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
    let mut categories_hit: Vec<Category> = Vec::new();
    for (category, terms) in category_terms {
        let hit = concept
            .alternatives
            .iter()
            .any(|alt| !alt.is_empty() && alt.iter().all(|t| terms.contains(t)));
        if hit {
            categories_hit.push(*category);
            disjuncts.push(category_query(f, *category, Fields::CATEGORY_SCORE));
        }
    }
    let groups: Vec<String> = concept
        .groups
        .iter()
        .map(|&g| tsunagu_text::analyzer::group_token(g))
        .collect();
    // Synonyms of a secondary source have no group token: each is a term or
    // phrase clause. A rare synonym would outscore the user's own word on
    // its IDF alone, so its boost is also scaled by idf(user's word) /
    // idf(synonym) when that is below 1; a match then scores at most the
    // source's weight of what the user's word would score there.
    let user_wording = concept.alternatives.first();
    for sourced in &concept.weighted {
        let weight = sourced.source.weight();
        for alt in &sourced.alternatives {
            for (category, terms) in category_terms {
                if !categories_hit.contains(category) && alt.iter().all(|t| terms.contains(t)) {
                    categories_hit.push(*category);
                    disjuncts.push(category_query(
                        f,
                        *category,
                        Fields::CATEGORY_SCORE * weight,
                    ));
                }
            }
            for tf in f.text_fields() {
                if alt.len() > 1 && !tf.phrases {
                    continue;
                }
                let scale = user_wording
                    .and_then(|own| idf_ratio(searcher, tf.field, own, alt))
                    .unwrap_or(1.0)
                    .min(1.0);
                if let Some(q) = term_or_phrase(tf.field, alt) {
                    disjuncts.push(Box::new(BoostQuery::new(q, tf.boost * weight * scale)));
                }
            }
        }
    }
    for tf in f.text_fields() {
        for (i, alt) in concept.alternatives.iter().enumerate() {
            // The first alternative is the user's own wording. With groups,
            // every synonym (and a multi-word wording) is covered by the group
            // tokens below, which the index placed where each member occurs.
            if !groups.is_empty() && (i > 0 || alt.len() > 1) {
                continue;
            }
            if alt.len() > 1 && !tf.phrases {
                continue;
            }
            let weight = if i == 0 { 1.0 } else { SYNONYM_WEIGHT };
            if let Some(q) = term_or_phrase(tf.field, alt) {
                disjuncts.push(Box::new(BoostQuery::new(q, tf.boost * weight)));
            }
        }
        for g in &groups {
            if let Some(q) = term_or_phrase(tf.field, std::slice::from_ref(g)) {
                disjuncts.push(Box::new(BoostQuery::new(q, tf.boost * SYNONYM_WEIGHT)));
            }
        }
    }
    // Readings catch kanji/kana/okurigana variants; a word with synonym
    // groups has its variants in the group, so the reading clause would only
    // repeat the same matches at extra cost.
    let readings: &[Vec<String>] = if groups.is_empty() {
        &concept.readings
    } else {
        &[]
    };
    for reading in readings {
        if let Some(q) = term_or_phrase(f.reading, reading) {
            disjuncts.push(Box::new(BoostQuery::new(q, Fields::READING_BOOST)));
        }
    }
    disjuncts.extend(kana_phrases(f, searcher, concept));
    Box::new(DisjunctionMaxQuery::with_tie_breaker(
        disjuncts,
        TIE_BREAKER,
    ))
}

fn category_query(f: &Fields, category: Category, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(f.category, category.code()),
            IndexRecordOption::Basic,
        )),
        score,
    ))
}

/// BM25's IDF of a term or phrase in `field` (a phrase's is the sum of its
/// terms', as tantivy scores it); `None` when a lookup fails.
fn idf(searcher: &Searcher, field: Field, terms: &[String]) -> Option<f32> {
    let n = searcher.num_docs() as f32;
    let mut sum = 0.0;
    for t in terms {
        let df = match searcher.doc_freq(&Term::from_field_text(field, t)) {
            Ok(df) => df as f32,
            Err(e) => {
                tracing::warn!(error = %e, "document frequency lookup failed; synonym weight not scaled");
                return None;
            }
        };
        sum += (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
    }
    Some(sum)
}

/// idf(own) / idf(synonym) in `field`, when both are known and positive.
fn idf_ratio(searcher: &Searcher, field: Field, own: &[String], synonym: &[String]) -> Option<f32> {
    let own = idf(searcher, field, own)?;
    let synonym = idf(searcher, field, synonym)?;
    (own > 0.0 && synonym > 0.0).then(|| own / synonym)
}

fn any_of(field: Field, values: impl IntoIterator<Item = String>) -> Option<Box<dyn Query>> {
    let terms: Vec<Term> = values
        .into_iter()
        .map(|v| Term::from_field_text(field, &v))
        .collect();
    match terms.len() {
        0 => None,
        _ => Some(Box::new(BooleanQuery::new_multiterms_query(terms))),
    }
}

/// In one of the wards, or serving it: a service area of the whole city,
/// of the ward, or of a town in the ward (area keys start with the ward).
fn serving_wards_query(f: &Fields, wards: &[Ward]) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut exact: Vec<Term> = vec![Term::from_field_text(f.area, "千葉市")];
    for w in wards {
        exact.push(Term::from_field_text(f.ward, w.name()));
        let lower = Term::from_field_text(f.area, w.name());
        let upper = Term::from_field_text(f.area, &format!("{}\u{10FFFF}", w.name()));
        any.push((
            Occur::Should,
            Box::new(RangeQuery::new(
                Bound::Included(lower),
                Bound::Excluded(upper),
            )),
        ));
    }
    any.push((
        Occur::Should,
        Box::new(crate::any_term::AnyTermQuery::new(exact)),
    ));
    Box::new(BooleanQuery::new(any))
}

fn filter_clauses(f: &Fields, id_maps: &Arc<IdMaps>, q: &SearchQuery) -> Vec<Filter> {
    let mut out: Vec<Filter> = Vec::new();
    let mut require = |q: Option<Box<dyn Query>>| out.extend(q.map(Filter::Require));
    require(any_of(f.kind, q.kinds.iter().map(|k| k.code().to_string())));
    require(any_of(
        f.category,
        q.categories.iter().map(|c| c.code().to_string()),
    ));
    require(any_of(f.ward, q.wards.iter().map(|w| w.name().to_string())));
    require(any_of(f.center, q.centers.iter().cloned()));
    if !q.serving_wards.is_empty() {
        require(Some(serving_wards_query(f, &q.serving_wards)));
    }
    if let Some(when) = &q.prefs.when {
        let terms: Vec<Term> = crate::prefs::wanted_terms(when)
            .iter()
            .map(|t| Term::from_field_text(f.when, t))
            .collect();
        require(Some(Box::new(crate::any_term::AnyTermQuery::new(terms))));
    }
    for feature in &q.features {
        require(any_of(f.feature, [feature.code().to_string()]));
    }
    if let Some(max) = q.max_fee_yen {
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        require(Some(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(f.fee, -1)),
            Bound::Included(Term::from_field_i64(f.fee, max)),
        ))));
    }
    if let Some(r) = &q.restrict {
        let areas = r.area_keys.iter().map(|a| Term::from_field_text(f.area, a));
        require(Some(Box::new(
            crate::any_term::AnyTermQuery::new(areas).with_ids(
                f.id,
                r.ids.clone(),
                id_maps.clone(),
            ),
        )));
    }
    if q.audience == Audience::Public {
        out.extend(
            any_of(f.visibility, [Visibility::Internal.code().to_string()]).map(Filter::Exclude),
        );
    }
    if !q.include_inactive {
        let inactive = [Status::Paused, Status::Closed].map(|s| s.code().to_string());
        out.extend(any_of(f.status, inactive).map(Filter::Exclude));
    }
    out
}

#[cfg(test)]
mod sudachi_weight_tests {
    #![allow(clippy::unwrap_used)] // tests may unwrap

    use std::collections::HashSet;
    use std::sync::Arc;

    use tsunagu_model::{Placement, record_from_json};
    use tsunagu_text::system_dictionary::DictionaryLocation;
    use tsunagu_text::{Analyzer, Lexicon};

    use super::*;
    use crate::index::IndexDoc;

    /// 盆栽 and 鉢植え as one group of the Sudachi format (a sample written
    /// for this test; 盆栽 is made a vocabulary word by the caller).
    const SAMPLE: &str = "\
900100,1,0,1,0,0,0,(),盆栽,,
900100,1,0,2,0,0,0,(),鉢植え,,
";

    fn index(sudachi: bool, names: &[(&str, &str)]) -> SearchIndex {
        let dir = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../dictionaries");
        let mut lexicon = Lexicon::from_dir(&dir).unwrap();
        if sudachi {
            let vocabulary: HashSet<String> = ["盆栽".to_string()].into();
            lexicon.parse_sudachi("sample", SAMPLE, &vocabulary);
        }
        let analyzer = Analyzer::load(&DictionaryLocation::from_env(), lexicon).unwrap();
        let index = SearchIndex::create_in_ram(Arc::new(analyzer)).unwrap();
        let mut writer = index.writer().unwrap();
        for (id, name) in names {
            let v = serde_json::json!({"id": id, "kind": "kayoi", "name": name,
                "categories": ["salon"], "address": "千葉市稲毛区小仲台2丁目",
                "description": "月に一度、公民館で集まります。"});
            let record = record_from_json(v.as_object().unwrap()).unwrap();
            writer
                .upsert(IndexDoc {
                    record: &record,
                    placement: &Placement::default(),
                })
                .unwrap();
        }
        writer.commit(1).unwrap();
        index.reload().unwrap();
        index
    }

    fn ids(index: &SearchIndex, text: &str) -> Vec<String> {
        let q = SearchQuery {
            text: text.to_string(),
            limit: 10,
            ..SearchQuery::default()
        };
        index
            .search(&q)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    #[test]
    fn a_sudachi_synonym_matches_below_the_users_own_word() {
        // 盆栽 is in four names, 鉢植え in one: on IDF alone the rare synonym
        // would outscore the user's word, which the IDF scaling prevents.
        let names = [
            ("r-1", "盆栽の会 いち"),
            ("r-2", "盆栽の会 に"),
            ("r-3", "鉢植えの会"),
            ("r-4", "盆栽の会 さん"),
            ("r-5", "盆栽の会 よん"),
            ("r-6", "将棋の会"),
        ];
        let plain = index(false, &names);
        let mut own = ids(&plain, "盆栽");
        own.sort();
        assert_eq!(own, ["r-1", "r-2", "r-4", "r-5"]);

        let expanded = index(true, &names);
        let hits = ids(&expanded, "盆栽");
        assert_eq!(hits.len(), 5, "{hits:?}");
        assert_eq!(hits.last().map(String::as_str), Some("r-3"), "{hits:?}");
        // The synonym's own query finds the user's-word records as synonyms.
        assert_eq!(
            ids(&expanded, "鉢植え").first().map(String::as_str),
            Some("r-3")
        );
    }

    #[test]
    fn the_highlighter_marks_sudachi_synonyms() {
        let index = index(true, &[("r-1", "鉢植えの会")]);
        let q = SearchQuery {
            text: "盆栽".to_string(),
            limit: 10,
            ..SearchQuery::default()
        };
        let outcome = index.search(&q).unwrap();
        let snippet = outcome.snippets.snippet("鉢植えの会", "");
        assert!(snippet.contains("<mark>鉢植え</mark>"), "{snippet}");
    }
}
