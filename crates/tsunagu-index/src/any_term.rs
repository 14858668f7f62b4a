//! A filter that matches the documents holding any of a set of terms.
//!
//! tantivy's `TermSetQuery` compiles the terms into an FST for every query
//! (its builder allocates and clears a 20,000-cell node registry each time)
//! and then walks the term dictionary with it. Filters here are built per
//! search: the hours a query asks about, the wards it serves, the ids inside
//! a radius (about 800 at 1 km over 100,000 records). Looking each term up
//! directly and marking its documents in a bit set gives the same documents
//! for a fraction of the work.

use std::sync::Arc;

use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use crate::id_map::IdMaps;

/// Documents with at least one of the terms (of any fields), scored as a
/// constant.
#[derive(Debug, Clone)]
pub(crate) struct AnyTermQuery {
    /// Sorted (so by field first) and without duplicates; shared, as
    /// queries are cloned into every boolean query built from them.
    terms: Arc<[Term]>,
    /// Record ids, looked up in the segments' id maps (id_map.rs) rather
    /// than in their term dictionaries.
    ids: Option<IdTerms>,
}

#[derive(Debug, Clone)]
struct IdTerms {
    field: Field,
    ids: Arc<[String]>,
    /// The ids' interned numbers, looked up once for all segments.
    ords: Arc<[u32]>,
    maps: Arc<IdMaps>,
}

impl AnyTermQuery {
    pub(crate) fn new(terms: impl IntoIterator<Item = Term>) -> AnyTermQuery {
        let mut terms: Vec<Term> = terms.into_iter().collect();
        terms.sort_unstable();
        terms.dedup();
        AnyTermQuery {
            terms: terms.into(),
            ids: None,
        }
    }

    /// Also the documents of these record ids (of the id `field`).
    pub(crate) fn with_ids(mut self, field: Field, ids: Arc<[String]>, maps: Arc<IdMaps>) -> Self {
        self.ids = Some(IdTerms {
            field,
            ords: maps.ords(&ids).into(),
            ids,
            maps,
        });
        self
    }
}

impl Query for AnyTermQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AnyTermWeight {
            terms: self.terms.clone(),
            ids: self.ids.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in self.terms.iter() {
            visitor(term, false);
        }
    }
}

struct AnyTermWeight {
    terms: Arc<[Term]>,
    ids: Option<IdTerms>,
}

impl Weight for AnyTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = DocBits::new(reader.max_doc());
        let mut unmapped: Vec<Term> = Vec::new();
        if let Some(ids) = &self.ids {
            match ids.maps.segment(reader) {
                Some(map) => {
                    for &ord in ids.ords.iter() {
                        map.for_each_doc(ord, |doc| docs.insert(doc));
                    }
                }
                None => unmapped.extend(
                    ids.ids
                        .iter()
                        .map(|id| Term::from_field_text(ids.field, id)),
                ),
            }
        }
        let mut current: Option<(Field, Arc<tantivy::InvertedIndexReader>)> = None;
        for term in self.terms.iter().chain(unmapped.iter()) {
            let field = term.field();
            let index = match &current {
                Some((f, index)) if *f == field => index.clone(),
                _ => {
                    let index = reader.inverted_index(field)?;
                    current = Some((field, index.clone()));
                    index
                }
            };
            let Some(info) = index.get_term_info(term)? else {
                continue;
            };
            let mut postings =
                index.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            loop {
                let block = postings.docs();
                if block.is_empty() {
                    break;
                }
                for &doc in block {
                    docs.insert(doc);
                }
                postings.advance();
            }
        }
        docs.start();
        Ok(Box::new(ConstScorer::new(docs, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("AnyTermQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} holds none of the terms"
            )))
        }
    }
}

/// The matching documents of one segment as a bit set, iterated in order.
struct DocBits {
    words: Vec<u64>,
    doc: DocId,
    len: u32,
}

impl DocBits {
    fn new(max_doc: u32) -> DocBits {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
            doc: TERMINATED,
            len: 0,
        }
    }

    fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut((doc / 64) as usize) {
            let bit = 1u64 << (doc % 64);
            if *word & bit == 0 {
                *word |= bit;
                self.len += 1;
            }
        }
    }

    /// Positions on the first document.
    fn start(&mut self) {
        self.doc = self.first_from(0);
    }

    /// The first document at or after `from`.
    fn first_from(&self, from: DocId) -> DocId {
        let mut at = (from / 64) as usize;
        let Some(word) = self.words.get(at) else {
            return TERMINATED;
        };
        let mut bits = word & (u64::MAX << (from % 64));
        loop {
            if bits != 0 {
                return at as DocId * 64 + bits.trailing_zeros();
            }
            at += 1;
            match self.words.get(at) {
                Some(word) => bits = *word,
                None => return TERMINATED,
            }
        }
    }
}

impl DocSet for DocBits {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && self.doc < target {
            self.doc = self.first_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::TermSetQuery;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    #[test]
    fn doc_bits_iterate_and_seek_in_order() {
        let mut bits = DocBits::new(200);
        for d in [130, 0, 63, 64, 199, 64] {
            bits.insert(d);
        }
        bits.start();
        assert_eq!(bits.size_hint(), 5);
        let mut seen = vec![bits.doc()];
        while bits.advance() != TERMINATED {
            seen.push(bits.doc());
        }
        assert_eq!(seen, vec![0, 63, 64, 130, 199]);
        assert_eq!(bits.advance(), TERMINATED);

        let mut bits = DocBits::new(200);
        for d in [5, 70, 150] {
            bits.insert(d);
        }
        bits.start();
        assert_eq!(bits.seek(6), 70);
        assert_eq!(bits.seek(70), 70);
        assert_eq!(bits.seek(10), 70, "seeking backwards stays put");
        assert_eq!(bits.seek(151), TERMINATED);

        let mut empty = DocBits::new(0);
        empty.start();
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.advance(), TERMINATED);
    }

    /// Same documents as tantivy's TermSetQuery, over several segments and
    /// fields, with terms that match nothing and deleted documents.
    #[test]
    fn matches_what_term_set_query_matches() {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING);
        let area = builder.add_text_field("area", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..300u32 {
            writer
                .add_document(doc!(id => format!("r{i:04}"), area => format!("a{}", i % 7)))
                .unwrap();
            if i % 100 == 99 {
                writer.commit().unwrap();
            }
        }
        writer.delete_term(Term::from_field_text(id, "r0010"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let cases: Vec<Vec<Term>> = vec![
            vec![],
            vec![Term::from_field_text(id, "nothing")],
            (0..300)
                .step_by(13)
                .map(|i| Term::from_field_text(id, &format!("r{i:04}")))
                .collect(),
            vec![
                Term::from_field_text(area, "a3"),
                Term::from_field_text(id, "r0010"),
                Term::from_field_text(id, "r0299"),
                Term::from_field_text(id, "r0299"),
                Term::from_field_text(area, "zz"),
            ],
        ];
        for terms in cases {
            let ours = searcher
                .search(&AnyTermQuery::new(terms.clone()), &DocSetCollector)
                .unwrap();
            let theirs = searcher
                .search(&TermSetQuery::new(terms.clone()), &DocSetCollector)
                .unwrap();
            assert_eq!(ours, theirs, "terms {terms:?}");
        }
    }
}

#[cfg(test)]
mod id_tests {
    #![allow(clippy::unwrap_used)] // tests may unwrap

    use super::*;
    use std::collections::HashSet;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::TermSetQuery;
    use tantivy::schema::{STORED, STRING, Schema};
    use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, doc};

    /// Ids through the warmed id maps give the documents the id terms give,
    /// and every live document's id reads back, across commits, deletes and
    /// a record replaced inside one segment; unwarmed segments fall back to
    /// the term dictionary.
    #[test]
    fn ids_through_warmed_maps_match_the_terms() {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let area = builder.add_text_field("area", STRING);
        let index = Index::create_in_ram(builder.build());
        let maps = Arc::new(IdMaps::new(id));
        let warmer: std::sync::Weak<dyn tantivy::Warmer> = Arc::downgrade(&maps) as _;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![warmer])
            .try_into()
            .unwrap();
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..250u32 {
            writer
                .add_document(doc!(id => format!("r{i:04}"), area => format!("a{}", i % 5)))
                .unwrap();
            if i == 120 {
                // Replaced within the segment being written.
                writer.delete_term(Term::from_field_text(id, "r0007"));
                writer
                    .add_document(doc!(id => "r0007", area => "a9"))
                    .unwrap();
            }
            if i % 100 == 99 {
                writer.commit().unwrap();
            }
        }
        writer.delete_term(Term::from_field_text(id, "r0150"));
        writer.commit().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert!(searcher.segment_readers().len() > 1);

        let unwarmed = Arc::new(IdMaps::new(id));
        let ids: Vec<String> = (0..260)
            .step_by(7)
            .map(|i| format!("r{i:04}"))
            .chain(["r0150".to_string(), "none".to_string()])
            .collect();
        let areas = [Term::from_field_text(area, "a9")];
        let terms: Vec<Term> = ids
            .iter()
            .map(|i| Term::from_field_text(id, i))
            .chain(areas.iter().cloned())
            .collect();
        let theirs = searcher
            .search(&TermSetQuery::new(terms), &DocSetCollector)
            .unwrap();
        for maps in [&maps, &unwarmed] {
            let ours = searcher
                .search(
                    &AnyTermQuery::new(areas.iter().cloned()).with_ids(
                        id,
                        ids.clone().into(),
                        maps.clone(),
                    ),
                    &DocSetCollector,
                )
                .unwrap();
            assert_eq!(ours, theirs);
        }

        let mut seen = HashSet::new();
        for segment in searcher.segment_readers() {
            let map = maps.segment(segment).expect("warmed");
            assert!(unwarmed.segment(segment).is_none());
            let names = maps.names().unwrap();
            for doc in segment.doc_ids_alive() {
                let stored: TantivyDocument =
                    segment.get_store_reader(1).unwrap().get(doc).unwrap();
                let want = stored
                    .get_first(id)
                    .and_then(|v| tantivy::schema::Value::as_str(&v))
                    .map(String::from);
                let got = names.id(&map, doc).map(|s| s.to_string());
                assert_eq!(got, want, "doc {doc}");
                seen.insert(got.unwrap());
            }
        }
        assert_eq!(seen.len(), 249, "250 records, one deleted, one replaced");
        assert!(seen.contains("r0007") && !seen.contains("r0150"));
    }
}
