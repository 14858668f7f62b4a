//! Opening, writing and committing the index.
//!
//! The store is the source of truth and commits first; each index commit
//! carries the store's change sequence number in its payload, so on open the
//! engine knows exactly which changes the index still lacks.

use std::path::Path;
use std::sync::Arc;

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tsunagu_model::{Record, Ward};
use tsunagu_text::Analyzer;

use crate::error::IndexError;
use crate::schema::{self, Fields, SCHEMA_VERSION};
use crate::tokenizer;

const VERSION_FILE: &str = "tsunagu-schema-version";
/// Memory for the indexing threads together; keeps a 100,000-record import
/// well under the 600 MB budget.
const WRITER_HEAP_BYTES: usize = 96 * 1024 * 1024;

/// A record as the index sees it: the record plus what the engine derived.
#[derive(Debug, Clone, Copy)]
pub struct IndexDoc<'a> {
    pub record: &'a Record,
    pub ward: Option<Ward>,
}

pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) analyzer: Arc<Analyzer>,
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
        let current = std::fs::read_to_string(&version_path)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok());
        if current != Some(SCHEMA_VERSION) && dir.exists() {
            tracing::info!(dir = %dir.display(), ?current, wanted = SCHEMA_VERSION,
                "index schema differs; rebuilding from the store");
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema)?;
        std::fs::write(&version_path, SCHEMA_VERSION.to_string()).map_err(io)?;
        Self::wrap(index, fields, analyzer)
    }

    /// An index in memory, for tests and benchmarks.
    pub fn create_in_ram(analyzer: Arc<Analyzer>) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema::build();
        Self::wrap(Index::create_in_ram(schema), fields, analyzer)
    }

    fn wrap(index: Index, fields: Fields, analyzer: Arc<Analyzer>) -> Result<Self, IndexError> {
        tokenizer::register(&index, &analyzer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            analyzer,
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

pub struct IndexWriterHandle<'a> {
    writer: IndexWriter,
    index: &'a SearchIndex,
}

impl IndexWriterHandle<'_> {
    /// Adds or replaces a record's document.
    pub fn upsert(&mut self, doc: IndexDoc<'_>) -> Result<(), IndexError> {
        let f = &self.index.fields;
        let r = doc.record;
        self.writer.delete_term(Term::from_field_text(f.id, &r.id));
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &r.id);
        d.add_text(f.name, &r.name);
        if let Some(kana) = &r.name_kana {
            d.add_text(f.name_kana, kana);
        }
        let lexicon = self.index.analyzer.lexicon();
        for c in &r.categories {
            d.add_text(f.category_text, lexicon.category_text(*c));
            d.add_text(f.category, c.code());
        }
        if let Some(desc) = &r.description {
            d.add_text(f.description, desc);
        }
        if let Some(org) = &r.organizer {
            d.add_text(f.organizer, &org.name);
        }
        if let Some(address) = &r.address {
            d.add_text(f.place, address);
        }
        for area in &r.service_area {
            d.add_text(f.place, area);
        }
        if let Some(ward) = doc.ward {
            d.add_text(f.place, ward.name());
            d.add_text(f.ward, ward.name());
        }
        for text in [&r.schedule_text, &r.fee_text, &r.target]
            .into_iter()
            .flatten()
        {
            d.add_text(f.details, text);
        }
        for text in [Some(&r.name), r.name_kana.as_ref(), r.description.as_ref()]
            .into_iter()
            .flatten()
        {
            d.add_text(f.reading, text);
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
        self.writer.add_document(d)?;
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
