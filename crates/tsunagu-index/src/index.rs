//! Opening, writing and committing the index.
//!
//! The store is the source of truth and commits first; each index commit
//! carries the store's change sequence number in its payload, so on open the
//! engine knows exactly which changes the index still lacks.

use std::path::Path;
use std::sync::Arc;

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

const VERSION_FILE: &str = "tsunagu-schema-version";
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

impl SearchIndex {
    /// Opens the index in `dir`, creating it (empty) when absent or when it
    /// was written by another schema version. An empty index has store
    /// sequence 0, so the engine refills it from the store.
    pub fn open_or_create(dir: &Path, analyzer: Arc<Analyzer>) -> Result<SearchIndex, IndexError> {
        let io = |source| IndexError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let version_path = dir.join(VERSION_FILE);
        // The schema version and the dictionaries' fingerprint: user words,
        // synonym groups and category keywords all shape the indexed terms.
        let wanted = format!("{SCHEMA_VERSION}:{}", analyzer.lexicon().fingerprint());
        let current = std::fs::read_to_string(&version_path).ok();
        if current.as_deref().map(str::trim) != Some(wanted.as_str()) && dir.exists() {
            tracing::info!(dir = %dir.display(), ?current, %wanted,
                "index schema or dictionaries changed; rebuilding from the store");
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema)?;
        std::fs::write(&version_path, &wanted).map_err(io)?;
        Self::wrap(index, fields, analyzer)
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
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
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
            category_terms,
        })
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// The store sequence number the last commit covered (0 for none).
    pub fn store_seq(&self) -> Result<u64, IndexError> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| p.trim().parse::<u64>().ok())
            .unwrap_or(0))
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
        for feature in &r.features {
            d.add_text(f.feature, feature.code());
        }
        d.add_text(f.status, r.status.code());
        d.add_text(f.visibility, r.visibility.code());
        let fee = r
            .fee_yen
            .map(|y| i64::try_from(y).unwrap_or(i64::MAX))
            .unwrap_or(-1);
        d.add_i64(f.fee, fee);
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
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&store_seq.to_string());
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reload()
    }
}
