//! Opening, writing and committing the index.
//!
//! The store is the source of truth and commits first; each index commit
//! carries the store's change sequence number in its payload, so on open the
//! engine knows exactly which changes the index still lacks.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use tantivy::directory::MmapDirectory;

use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tsunagu_model::Category;
use tsunagu_model::{Placement, Record, Ward};
use tsunagu_text::Analyzer;

use crate::error::IndexError;
use crate::schema::{self, Fields, SCHEMA_VERSION};
use crate::tokenizer;

/// Memory for the indexing threads together; keeps a 100,000-record import
/// well under the 600 MB budget.
const WRITER_HEAP_BYTES: usize = 96 * 1024 * 1024;

/// Longest prefix of one text value that is analysed and indexed. The store
/// keeps the full text; words past this point of a huge description are not
/// searchable, which keeps one pathological record from costing seconds.
pub const MAX_INDEXED_BYTES: usize = 64 * 1024;

/// The longest prefix of `text` within [`MAX_INDEXED_BYTES`], on a char boundary.
pub fn indexed_prefix(text: &str) -> &str {
    if text.len() <= MAX_INDEXED_BYTES {
        return text;
    }
    let mut end = MAX_INDEXED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A record as the index sees it: the record plus what the engine derived.
#[derive(Debug, Clone, Copy)]
pub struct IndexDoc<'a> {
    pub record: &'a Record,
    pub placement: &'a Placement,
}

pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) analyzer: Arc<Analyzer>,
    /// Kept alive here: the reader holds it weakly as its warmer.
    pub(crate) id_maps: Arc<crate::id_map::IdMaps>,
    /// Category → the terms of its label and keywords, analysed once per
    /// open; a query word among them matches the category.
    pub(crate) category_terms: Vec<(Category, HashSet<String>)>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.num_docs())
            .finish()
    }
}

/// What each index commit says about itself, in its payload: the store
/// change it has caught up to, and what shaped its terms. Kept in the commit
/// itself so that it can never disagree with the index it describes, and so
/// that checking it writes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitStamp {
    pub seq: u64,
    pub schema: u32,
    /// Fingerprint of `dictionaries/` (user words, synonyms, category
    /// keywords all change the indexed terms).
    pub dictionaries: String,
}

impl CommitStamp {
    fn wanted(analyzer: &Analyzer, seq: u64) -> CommitStamp {
        CommitStamp {
            seq,
            schema: SCHEMA_VERSION,
            dictionaries: analyzer.lexicon().fingerprint(),
        }
    }

    /// Whether an index with this stamp was built the way `analyzer` would
    /// build it now.
    fn fits(&self, analyzer: &Analyzer) -> bool {
        let wanted = Self::wanted(analyzer, self.seq);
        self.schema == wanted.schema && self.dictionaries == wanted.dictionaries
    }
}

/// The stamp of the last commit: `Ok(None)` when nothing was committed yet,
/// `Err(reason)` when the payload is not one this build wrote.
fn read_stamp(index: &Index) -> Result<Option<CommitStamp>, String> {
    let metas = index
        .load_metas()
        .map_err(|e| format!("meta.json cannot be read: {e}"))?;
    match metas.payload {
        None => Ok(None),
        Some(p) => serde_json::from_str(&p)
            .map(Some)
            .map_err(|_| format!("commit payload {p:?} is not a tsunagu stamp (older version)")),
    }
}

/// Opens an existing on-disk index without writing anything to it.
fn open_existing(dir: &Path) -> Result<Index, String> {
    if !dir.join("meta.json").is_file() {
        return Err("meta.json is missing".into());
    }
    let directory = MmapDirectory::open(dir).map_err(|e| format!("cannot open: {e}"))?;
    Index::open(directory).map_err(|e| format!("cannot open: {e}"))
}

impl SearchIndex {
    /// Opens the index for the single writer. An index that is missing,
    /// unreadable, damaged (checksums) or built with another schema or other
    /// dictionaries is replaced by an empty one; the reason is returned so
    /// the caller can log it, and the engine refills it from the store (an
    /// empty index has store sequence 0). The caller must hold the data
    /// directory's writer lock.
    pub fn open_writable(
        dir: &Path,
        analyzer: Arc<Analyzer>,
    ) -> Result<(SearchIndex, Option<String>), IndexError> {
        let io = |source| IndexError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let fresh = !dir.exists() || std::fs::read_dir(dir).map_err(io)?.next().is_none();
        let mut reason = None;
        if !fresh {
            match open_existing(dir) {
                Err(why) => reason = Some(why),
                Ok(index) => match read_stamp(&index) {
                    Err(why) => reason = Some(why),
                    Ok(Some(stamp)) if !stamp.fits(&analyzer) => {
                        reason = Some("schema or dictionaries changed since it was built".into())
                    }
                    Ok(_) => match index.validate_checksum() {
                        Err(e) => reason = Some(format!("cannot be checked: {e}")),
                        Ok(bad) if !bad.is_empty() => {
                            let mut files: Vec<String> =
                                bad.iter().map(|p| p.display().to_string()).collect();
                            files.sort();
                            reason = Some(format!("damaged files: {}", files.join(", ")))
                        }
                        Ok(_) => {
                            // A writer killed between writing a commit's
                            // files and its meta.json leaves files no commit
                            // names; the next commit of the same opstamp
                            // would find its delete file taken.
                            if let Err(e) = remove_leftovers(&index) {
                                reason = Some(format!("leftover files cannot be removed: {e}"));
                            } else {
                                let (_, fields) = schema::build();
                                match Self::wrap(index, fields, analyzer.clone()) {
                                    Ok(opened) => return Ok((opened, None)),
                                    Err(e) => {
                                        reason = Some(format!("segments cannot be read: {e}"))
                                    }
                                }
                            }
                        }
                    },
                },
            }
        }
        if !fresh {
            // Derived data: the store holds everything needed to rebuild it.
            match std::fs::remove_dir_all(dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        Ok((Self::wrap(index, fields, analyzer)?, reason))
    }

    /// Opens the index for reading only: nothing in `dir` is created,
    /// truncated or deleted. `Err(IndexError::Unusable)` says why the index
    /// cannot serve this build (missing, unreadable, another schema or other
    /// dictionaries); the caller decides what to do instead.
    pub fn open_read_only(dir: &Path, analyzer: Arc<Analyzer>) -> Result<SearchIndex, IndexError> {
        let unusable = |reason: String| IndexError::Unusable {
            path: dir.to_path_buf(),
            reason,
        };
        let index = open_existing(dir).map_err(unusable)?;
        match read_stamp(&index).map_err(unusable)? {
            Some(stamp) if !stamp.fits(&analyzer) => {
                return Err(unusable(
                    "built with another schema or other dictionaries".into(),
                ));
            }
            _ => {}
        }
        let (_, fields) = schema::build();
        Self::wrap(index, fields, analyzer)
            .map_err(|e| unusable(format!("segments cannot be read: {e}")))
    }

    /// An index in memory, for tests and benchmarks.
    pub fn create_in_ram(analyzer: Arc<Analyzer>) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema::build();
        Self::wrap(Index::create_in_ram(schema), fields, analyzer)
    }

    fn wrap(mut index: Index, fields: Fields, analyzer: Arc<Analyzer>) -> Result<Self, IndexError> {
        tokenizer::register(&index, &analyzer);
        // Search segments in parallel: a consultation waits on one query at
        // a time, so latency matters more than throughput per core.
        index.set_default_multithread_executor()?;
        let id_maps = Arc::new(crate::id_map::IdMaps::new(fields.id));
        let warmer: std::sync::Weak<dyn tantivy::Warmer> = Arc::downgrade(&id_maps) as _;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![warmer])
            .try_into()?;
        let category_terms = Category::ALL
            .iter()
            .map(|c| {
                let text = analyzer.lexicon().category_text(*c);
                let (tokens, _) = tokenizer::analyze(&analyzer, &text);
                (*c, tokens.into_iter().map(|t| t.text).collect())
            })
            .collect();
        Ok(SearchIndex {
            index,
            reader,
            fields,
            analyzer,
            id_maps,
            category_terms,
        })
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// The store sequence number the last commit covered (0 for none).
    pub fn store_seq(&self) -> Result<u64, IndexError> {
        Ok(self.stamp()?.map(|s| s.seq).unwrap_or(0))
    }

    /// What the last commit said about itself (`None` before the first).
    pub fn stamp(&self) -> Result<Option<CommitStamp>, IndexError> {
        read_stamp(&self.index).map_err(|reason| IndexError::Unusable {
            path: std::path::PathBuf::new(),
            reason,
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Makes the last commit visible to searches.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }

    /// The single writer. tantivy enforces one per index with a lock file.
    pub fn writer(&self) -> Result<IndexWriterHandle<'_>, IndexError> {
        let writer = self.index.writer(WRITER_HEAP_BYTES)?;
        Ok(IndexWriterHandle {
            writer,
            index: self,
        })
    }
}

/// Deletes the files of an index that no commit names (tantivy's garbage
/// collection, run once when a writer opens the index).
fn remove_leftovers(index: &Index) -> Result<(), IndexError> {
    let writer: IndexWriter = index.writer(WRITER_HEAP_BYTES)?;
    writer.garbage_collect_files().wait()?;
    Ok(())
}

/// A document analysed and ready for the writer. Preparing is the costly
/// part (Japanese analysis) and needs no writer, so callers may prepare on
/// several threads and add in order.
pub struct PreparedDoc {
    id: String,
    doc: TantivyDocument,
}

impl SearchIndex {
    /// Analyses a record into a document. Each text is segmented once; its
    /// surface terms, base forms and readings all come from that one pass.
    pub fn prepare(&self, doc: IndexDoc<'_>) -> PreparedDoc {
        let f = &self.fields;
        let r = doc.record;
        let mut d = TantivyDocument::default();
        let mut readings = Vec::new();
        d.add_text(f.id, &r.id);
        self.add_analyzed(&mut d, f.name, &r.name, Some(&mut readings));
        if let Some(kana) = &r.name_kana {
            let (_, reading) = tokenizer::analyze(&self.analyzer, indexed_prefix(kana));
            push_readings(&mut readings, reading);
        }
        let mut bits = 0u64;
        for c in &r.categories {
            d.add_text(f.category, c.code());
            if let Some(i) = Category::ALL.iter().position(|x| x == c) {
                bits |= 1 << i;
            }
        }
        let ward_ord = doc
            .placement
            .ward
            .and_then(|w| Ward::ALL.iter().position(|x| *x == w))
            .map(|i| i as u64)
            .unwrap_or(crate::schema::NO_WARD);
        d.add_u64(f.facet_key, bits | (ward_ord << 32));
        if let Some(desc) = &r.description {
            self.add_analyzed(&mut d, f.description, desc, Some(&mut readings));
        }
        let mut other: Vec<&str> = Vec::new();
        other.extend(r.organizer.as_ref().map(|o| o.name.as_str()));
        other.extend(r.address.as_deref());
        other.extend(r.service_area.iter().map(String::as_str));
        if let Some(ward) = doc.placement.ward {
            other.push(ward.name());
            d.add_text(f.ward, ward.name());
        }
        other.extend(
            [&r.schedule_text, &r.fee_text, &r.target]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
        for text in other {
            self.add_analyzed(&mut d, f.other, text, None);
        }
        // The phone as one digits-only term, however it is written, so that
        // a query of the number in any form (query_concepts) finds it.
        // contact.phone is public (Audience::project hides only the person).
        let phone = r.contact.as_ref().and_then(|c| c.phone.as_deref());
        if let Some(digits) = phone.and_then(tsunagu_text::analyzer::phone_digits) {
            d.add_pre_tokenized_text(
                f.other,
                PreTokenizedString {
                    text: String::new(),
                    tokens: vec![Token {
                        offset_from: 0,
                        offset_to: 0,
                        position: 0,
                        text: digits,
                        position_length: 1,
                    }],
                },
            );
        }
        if !readings.is_empty() {
            d.add_pre_tokenized_text(
                f.reading,
                PreTokenizedString {
                    text: String::new(),
                    tokens: readings,
                },
            );
        }
        for key in tsunagu_model::area_keys(&r.service_area) {
            d.add_text(f.area, &key);
        }
        d.add_text(f.kind, r.kind.code());
        // Published features and those read from the listing's text, so a
        // feature filter finds both; who-facts as `who:` terms beside them.
        let mut feature_terms: Vec<String> =
            r.features.iter().map(|x| x.code().to_string()).collect();
        for listing_fact in doc.placement.facts.iter().filter(|f| f.holds()) {
            feature_terms.push(match listing_fact.fact {
                tsunagu_model::Fact::Feature(x) => x.code().to_string(),
                tsunagu_model::Fact::Who(w) => format!("who:{}", w.code()),
            });
        }
        feature_terms.sort_unstable();
        feature_terms.dedup();
        for term in &feature_terms {
            d.add_text(f.feature, term);
        }
        d.add_text(f.status, r.status.code());
        d.add_text(f.visibility, r.visibility.code());
        // The least one use costs (a per-visit fee, or one priced unit of
        // time), or `fee_yen` for a placement stored before fees were
        // derived; −1 when not known, so a max-fee filter keeps it.
        let fee = doc
            .placement
            .fee
            .least_per_use()
            .or(r.fee_yen)
            .map(|y| i64::try_from(y).unwrap_or(i64::MAX))
            .unwrap_or(-1);
        d.add_i64(f.fee, fee);
        let facts = crate::prefs::DocFacts::of(r, doc.placement);
        for term in &facts.when_terms {
            d.add_text(f.when, term);
        }
        d.add_u64(f.facts, facts.facts);
        for (field, hours) in f.hours.iter().zip(facts.packed_hours()) {
            d.add_u64(*field, hours);
        }
        d.add_u64(f.town, facts.town_key);
        if let Some(center) = &doc.placement.center_id {
            d.add_text(f.center, center);
        }
        let (lat, lon) = doc.placement.point().unwrap_or((f64::NAN, f64::NAN));
        d.add_f64(f.lat, lat);
        d.add_f64(f.lon, lon);
        PreparedDoc {
            id: r.id.clone(),
            doc: d,
        }
    }

    /// Adds `text` to `field` as analysed tokens and collects its readings.
    fn add_analyzed(
        &self,
        d: &mut TantivyDocument,
        field: tantivy::schema::Field,
        text: &str,
        readings: Option<&mut Vec<Token>>,
    ) {
        let text = indexed_prefix(text);
        let (surface, reading) = tokenizer::analyze(&self.analyzer, text);
        if let Some(out) = readings {
            push_readings(out, reading);
        }
        d.add_pre_tokenized_text(
            field,
            PreTokenizedString {
                text: text.to_string(),
                tokens: surface,
            },
        );
    }
}

/// Readings of several values share one field; positions keep increasing
/// so that a phrase never joins two values.
fn push_readings(out: &mut Vec<Token>, reading: Vec<Token>) {
    let base = out.last().map(|t| t.position + 2).unwrap_or(0);
    out.extend(reading.into_iter().map(|mut t| {
        t.position += base;
        t
    }));
}

pub struct IndexWriterHandle<'a> {
    writer: IndexWriter,
    index: &'a SearchIndex,
}

impl IndexWriterHandle<'_> {
    /// Adds or replaces a record's document.
    pub fn upsert(&mut self, doc: IndexDoc<'_>) -> Result<(), IndexError> {
        let prepared = self.index.prepare(doc);
        self.add(prepared)
    }

    /// Adds or replaces a prepared document.
    pub fn add(&mut self, prepared: PreparedDoc) -> Result<(), IndexError> {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.id, &prepared.id));
        self.writer.add_document(prepared.doc)?;
        Ok(())
    }
    pub fn delete(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.id, id));
    }

    /// Removes every document (before a full rebuild).
    pub fn clear(&mut self) -> Result<(), IndexError> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Commits with the store sequence number this commit brings the index
    /// up to, then makes it visible to searches.
    pub fn commit(mut self, store_seq: u64) -> Result<(), IndexError> {
        let stamp = CommitStamp::wanted(&self.index.analyzer, store_seq);
        let payload = serde_json::to_string(&stamp).map_err(|e| IndexError::Unusable {
            path: std::path::PathBuf::new(),
            reason: format!("commit stamp cannot be encoded: {e}"),
        })?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reload()
    }
}
