//! The directory engine: store, index and geography behind one API that the
//! CLI (and later the HTTP server) use.
//!
//! Invariants kept here:
//! * the store commits before the index; the index's commit payload says
//!   which store change it has caught up to, and [`Directory::open`] brings
//!   it up to date, so a crash between the two loses nothing;
//! * every record handed out passes through [`Audience::project`];
//! * a bad record never stops the good ones of a file, and never touches
//!   what is stored.

mod import;
mod search;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;
use tsunagu_index::{IndexDoc, IndexError, SearchIndex};
use tsunagu_store::{Store, StoreError};
use tsunagu_text::system_dictionary::DictionaryLocation;
use tsunagu_text::{Analyzer, Lexicon, TextError};

pub use import::{ImportOptions, ImportProgress, ImportReport, NoProgress, Rejection};
pub use search::{SearchResult, SearchResults, ShownRecord};
pub use tsunagu_index::{FacetCount, SearchQuery};
pub use tsunagu_ingest::{CsvEncoding, FileFormat};
pub use tsunagu_model::Audience;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Ingest(#[from] tsunagu_ingest::IngestError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot tell the format of {path}: use .jsonl or .csv, or --format")]
    UnknownFormat { path: PathBuf },
}

impl EngineError {
    /// The message shown to a coordinator.
    pub fn message_ja(&self) -> String {
        match self {
            EngineError::Index(IndexError::EmptyQuery) => {
                "検索できる語がありません。探したいことばを入力してください（例: 体操、買い物 付き添い）".into()
            }
            EngineError::Ingest(e) => e.message_ja(),
            EngineError::UnknownFormat { path } => format!(
                "{} の形式がわかりません。拡張子を .jsonl か .csv にするか、--format を指定してください",
                path.display()
            ),
            EngineError::Text(TextError::IpadicSourceMissing { .. }) => {
                "日本語辞書（mecab-ipadic）が見つかりません。README の手順で準備してください".into()
            }
            EngineError::DataDir { path, .. } => {
                format!("データディレクトリ {} を作成できません", path.display())
            }
            other => format!("処理できませんでした（{other}）"),
        }
    }
}

/// Where the engine keeps its data and finds its dictionaries.
#[derive(Debug, Clone)]
pub struct DirectoryConfig {
    pub data_dir: PathBuf,
    /// `dictionaries/` to use instead of the default resolution.
    pub dictionaries: Option<PathBuf>,
}

/// Loads the analyzer as configured (IPADIC built on first use).
pub fn load_analyzer(dictionaries: Option<&Path>) -> Result<Arc<Analyzer>, EngineError> {
    let lexicon = Lexicon::locate(dictionaries)?;
    Ok(Arc::new(Analyzer::load(
        &DictionaryLocation::from_env(),
        lexicon,
    )?))
}

pub struct Directory {
    store: Store,
    index: SearchIndex,
    analyzer: Arc<Analyzer>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("store", &self.store)
            .field("index", &self.index)
            .finish()
    }
}

pub const STORE_FILE: &str = "tsunagu.sqlite3";
pub const INDEX_DIR: &str = "index";

impl Directory {
    /// Opens (or creates) the data directory and brings the index up to date
    /// with the store.
    pub fn open(config: &DirectoryConfig) -> Result<Directory, EngineError> {
        let analyzer = load_analyzer(config.dictionaries.as_deref())?;
        Self::open_with(config, analyzer)
    }

    pub fn open_with(
        config: &DirectoryConfig,
        analyzer: Arc<Analyzer>,
    ) -> Result<Directory, EngineError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| EngineError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let store = Store::open(&config.data_dir.join(STORE_FILE))?;
        let index =
            SearchIndex::open_or_create(&config.data_dir.join(INDEX_DIR), analyzer.clone())?;
        let mut dir = Directory {
            store,
            index,
            analyzer,
        };
        dir.catch_up()?;
        Ok(dir)
    }

    /// A directory entirely in memory (tests, benchmarks).
    pub fn in_memory(analyzer: Arc<Analyzer>) -> Result<Directory, EngineError> {
        Ok(Directory {
            store: Store::open_in_memory()?,
            index: SearchIndex::create_in_ram(analyzer.clone())?,
            analyzer,
        })
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    pub fn record_count(&self) -> Result<u64, EngineError> {
        Ok(self.store.count()?)
    }

    /// Re-indexes what the store changed since the index's last commit.
    fn catch_up(&mut self) -> Result<u64, EngineError> {
        let store_seq = self.store.max_seq()?;
        let index_seq = self.index.store_seq()?;
        if index_seq == store_seq {
            return Ok(0);
        }
        if index_seq > store_seq {
            // The store was replaced by an older one: rebuild everything.
            return self.reindex();
        }
        tracing::info!(index_seq, store_seq, "index behind the store; catching up");
        self.index_from_store(index_seq, false)
    }

    /// Rebuilds the whole index from the store. Returns the records indexed.
    pub fn reindex(&mut self) -> Result<u64, EngineError> {
        self.index_from_store(0, true)
    }

    fn index_from_store(&mut self, since: u64, clear: bool) -> Result<u64, EngineError> {
        let store_seq = self.store.max_seq()?;
        let mut writer = self.index.writer()?;
        if clear {
            writer.clear()?;
        }
        let mut n = 0;
        let mut failure = None;
        self.store.for_each_since(since, |stored| {
            n += 1;
            if let Err(e) = writer.upsert(IndexDoc {
                record: &stored.record,
                ward: stored.ward,
            }) {
                failure.get_or_insert(e);
            }
            Ok(())
        })?;
        if let Some(e) = failure {
            // Dropping the writer without commit leaves the index as it was.
            return Err(e.into());
        }
        writer.commit(store_seq)?;
        Ok(n)
    }
}
