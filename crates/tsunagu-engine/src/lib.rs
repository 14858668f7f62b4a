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

pub mod backup;
pub mod describe;
pub mod edit;
pub mod export;
mod import;
pub mod limits;
mod lock;
mod matching;
mod merge;
mod near;
mod place;
pub mod records;
pub mod report;
mod search;
pub mod understand;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;
use tsunagu_geo::{Gazetteer, Locator, PointIndex, WardBoundaries};
use tsunagu_index::{IndexDoc, SearchIndex};
use tsunagu_store::{RecordWrite, Store, StoreError};
use tsunagu_text::system_dictionary::DictionaryLocation;
use tsunagu_text::{Analyzer, Lexicon, TextError};

pub use describe::{InWords, distance_ja, distance_ja_of, schedule_ja};
pub use edit::{Actor, EditEffect, EditError, EditOutcome, EditRequest, EditScope, RecordEdit};
pub use export::{ExportRecord, RecordSource};
pub use import::{
    ImportOptions, ImportProgress, ImportReport, MAX_IMPORT_FILE_BYTES, MAX_REPORTED_REJECTIONS,
    NoProgress, Rejection, Warning,
};
pub use limits::InputError;
pub use lock::{LOCK_FILE, WriterLock};
pub use near::{LocatedPlace, Location, NearQuery, NearSort};
pub use place::{PlacementWarning, place};
pub use records::{RecordView, StaleRecord, UnmetCount};
pub use report::{PopulationImport, PopulationImportError, UnmatchedTown};
pub use search::{
    Facets, SearchResult, SearchResults, ShownRecord, UnderstoodSearch, apply_understanding,
};
pub use tsunagu_index::{FacetCount, IndexError, Restriction, SearchQuery};
pub use tsunagu_ingest::{CsvEncoding, FileFormat};
pub use tsunagu_match::request::MAX_REQUEST_BYTES;
pub use tsunagu_match::{MatchAnswer, MatchRequest, RequestError};
pub use tsunagu_model::Audience;
pub use understand::{Understanding, Understood, UnderstoodKind};

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
    #[error(transparent)]
    Geo(#[from] tsunagu_geo::GeoError),
    #[error("cannot read the input file {path}")]
    InputFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid need phrases: {0}")]
    Needs(String),
    #[error("invalid query vocabulary: {0}")]
    QueryVocabulary(String),
    #[error("cannot locate the place: {message} (candidates: {candidates:?})")]
    CannotLocate {
        message: String,
        candidates: Vec<String>,
    },
    #[error("cannot tell the format of {path}: use .jsonl or .csv, or --input-format")]
    UnknownFormat { path: PathBuf },
    #[error(
        "the data directory {path} does not exist (nothing imported yet, or a mistyped --data-dir)"
    )]
    NoDataDir { path: PathBuf },
    #[error("another writer ({}) is working on {path}; waited {waited:?}", holder.as_deref().unwrap_or("unknown"))]
    WriterBusy {
        path: PathBuf,
        waited: std::time::Duration,
        /// What the holder wrote into the lock file (`serve 1234`).
        holder: Option<String>,
    },
    #[error("this directory was opened for reading; {0} needs the writer")]
    ReadOnly(&'static str),
    /// Only ever returned with the indexer's own error reported instead.
    #[error("the import's indexer stopped before the end of the file")]
    IndexerStopped,
    #[error(transparent)]
    Input(#[from] InputError),
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
                "{} の形式がわかりません。拡張子を .jsonl か .csv にするか、--input-format jsonl|csv を指定してください（何も取り込んでいません）",
                tsunagu_model::cut_for_message(&path.display().to_string())
            ),
            EngineError::NoDataDir { path } => format!(
                "データディレクトリ {} がありません。まだ取り込みをしていないか、--data-dir の指定が違います",
                path.display()
            ),
            EngineError::WriterBusy {
                holder: Some(holder),
                ..
            } if holder.starts_with("serve") => "サーバー（tsunagu serve）がこのデータディレクトリを使っています。\
                 取り込みや編集はサーバー経由で行うか（POST /api/v1/imports）、\
                 サーバーを止めてから実行してください。検索はサーバー動作中もそのまま使えます"
                .into(),
            EngineError::WriterBusy { waited, .. } => format!(
                "別の取り込みが実行中です（{}秒待ちました）。終わってからもう一度実行してください",
                waited.as_secs()
            ),
            EngineError::ReadOnly(what) => {
                format!("読み取り専用で開いたため {what} はできません")
            }
            EngineError::Input(e) => e.message_ja(),
            EngineError::Store(tsunagu_store::StoreError::NeedsUpgrade { .. }) => {
                "データの形式が古いため、先に tsunagu reindex を実行してください".into()
            }
            EngineError::Text(TextError::IpadicSourceMissing { .. }) => {
                "日本語辞書（mecab-ipadic）が見つかりません。README の手順で準備してください".into()
            }
            EngineError::DataDir { path, .. } => {
                format!("データディレクトリ {} を作成できません", path.display())
            }
            EngineError::InputFile { path, source }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                format!(
                    "ファイル {} がありません（何も変更していません）",
                    tsunagu_model::cut_for_message(&path.display().to_string())
                )
            }
            EngineError::InputFile { path, source } => format!(
                "ファイル {} を読めません（{source}）（何も変更していません）",
                tsunagu_model::cut_for_message(&path.display().to_string())
            ),
            EngineError::CannotLocate { message, candidates } if candidates.is_empty() => {
                format!("場所を特定できません: {message}")
            }
            EngineError::CannotLocate { message, candidates } => {
                format!("場所を特定できません: {message}（候補: {}）", candidates.join("、"))
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
    /// How long a writer waits for another writer before giving up.
    pub writer_wait: std::time::Duration,
}

impl DirectoryConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> DirectoryConfig {
        DirectoryConfig {
            data_dir: data_dir.into(),
            dictionaries: None,
            writer_wait: DEFAULT_WRITER_WAIT,
        }
    }
}

/// How long a second writer waits by default.
pub const DEFAULT_WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Problems in a needs.tsv text, as `needs.tsv:LINE: message` (empty when fine).
/// Problems in a query.tsv text, as `query.tsv:LINE: message`.
pub fn check_query_vocabulary(text: &str) -> Vec<String> {
    match understand::QueryVocabulary::parse(text) {
        Ok(v) if v.is_empty() => vec!["query.tsv: no phrases".into()],
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| format!("query.tsv:{}: {}", e.line, e.message))
            .collect(),
    }
}

pub fn check_needs(text: &str) -> Vec<String> {
    match tsunagu_match::NeedsLexicon::parse(text) {
        Ok(l) if l.is_empty() => vec!["needs.tsv: no patterns".into()],
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| format!("needs.tsv:{}: {}", e.line, e.message))
            .collect(),
    }
}

/// Loads the analyzer as configured (IPADIC built on first use).
pub fn load_analyzer(dictionaries: Option<&Path>) -> Result<Arc<Analyzer>, EngineError> {
    let lexicon = Lexicon::locate(dictionaries)?;
    Ok(Arc::new(Analyzer::load(
        &DictionaryLocation::from_env(),
        lexicon,
    )?))
}

/// Record points as an R-tree (radius, nearest) and by id (re-ranking).
pub(crate) type RecordPoints = (PointIndex<String>, HashMap<String, (f64, f64)>);

/// What a writer and its reader handles ([`Directory::reader`]) share: the
/// spatial index of record points and the lexicons built on first use.
#[derive(Default)]
pub(crate) struct Shared {
    /// Built on the first spatial query; a writer updates it in place after
    /// small writes and drops it after large ones (rebuilt on next use).
    /// Readers take a snapshot (`Arc`) for the length of one query.
    points: std::sync::RwLock<Option<Arc<RecordPoints>>>,
    /// need phrases, compiled on first match.
    needs: std::sync::OnceLock<tsunagu_match::NeedsLexicon>,
    /// query understanding (query.tsv + the gazetteer), built on first use.
    understander: std::sync::OnceLock<understand::Understander>,
}

pub struct Directory {
    data_dir: PathBuf,
    /// Held by a writer for as long as the directory is open; `None` for a
    /// reader (and in memory).
    writer_lock: Option<WriterLock>,
    /// Readers serve searches but refuse every write.
    read_only: bool,
    store: Store,
    /// Shared with reader handles: a writer's index commit (which reloads
    /// the reader) is visible to them at once.
    index: Arc<SearchIndex>,
    analyzer: Arc<Analyzer>,
    locator: Arc<Locator>,
    shared: Arc<Shared>,
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
/// An imported gazetteer (tsunagu CSV); absent → the built-in official one.
pub const GAZETTEER_FILE: &str = "gazetteer.csv";
/// Imported ward polygons (GeoJSON); absent → the built-in ones.
pub const WARDS_FILE: &str = "wards.geojson";

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    // Write then rename, so a crash never leaves half a gazetteer.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| EngineError::DataDir {
            path: path.to_path_buf(),
            source,
        })
}

/// The gazetteer and ward polygons of a data directory, or the built-in
/// ones (the official 505 町丁目 and the 国土数値情報 ward polygons).
pub fn load_locator(data_dir: &Path) -> Result<Locator, EngineError> {
    let gazetteer = std::fs::read(data_dir.join(GAZETTEER_FILE)).ok();
    let wards = std::fs::read_to_string(data_dir.join(WARDS_FILE)).ok();
    Ok(Locator::load(gazetteer.as_deref(), wards.as_deref())?)
}

/// Checks that a file given to a command exists and can be opened, before
/// anything is created or changed.
pub fn check_input_file(path: &Path) -> Result<(), EngineError> {
    let fail = |source| EngineError::InputFile {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(fail)?;
    if meta.is_dir() {
        return Err(fail(std::io::Error::other("is a directory, not a file")));
    }
    std::fs::File::open(path).map(drop).map_err(fail)
}
pub const INDEX_DIR: &str = "index";

/// A record written, and where it now is.
pub(crate) type PointChange = (String, Option<(f64, f64)>);

/// Above this many changed records a write drops the spatial index rather
/// than updating it in place.
const POINT_UPDATES_IN_PLACE: usize = 2_000;

impl Directory {
    /// Opens (or creates) the data directory as its one writer: takes the
    /// writer lock (waiting at most `writer_wait`), rebuilds an unusable
    /// index and brings the index up to date with the store.
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
        let lock = WriterLock::acquire(&config.data_dir, config.writer_wait)?;
        let store = Store::open(&config.data_dir.join(STORE_FILE))?;
        let index_dir = config.data_dir.join(INDEX_DIR);
        let (index, rebuilt) = SearchIndex::open_writable(&index_dir, analyzer.clone())?;
        if let Some(reason) = &rebuilt {
            tracing::warn!(dir = %index_dir.display(), %reason,
                "search index unusable; rebuilding it from the store");
        }
        // The one-line schema file of earlier versions; the stamp now lives
        // in the index's own commit.
        let _ = std::fs::remove_file(index_dir.join("tsunagu-schema-version"));
        let locator = load_locator(&config.data_dir)?;
        let mut dir = Directory {
            data_dir: config.data_dir.clone(),
            writer_lock: Some(lock),
            read_only: false,
            store,
            index: Arc::new(index),
            analyzer,
            locator: Arc::new(locator),
            shared: Arc::new(Shared::default()),
        };
        dir.catch_up()?;
        Ok(dir)
    }

    /// Opens an existing data directory for reading: search, show, nearest,
    /// locate and match. Nothing in the directory is created, truncated or
    /// deleted, and no lock a writer needs is taken, so readers run while
    /// an import works and see its last committed state. When the on-disk
    /// index cannot serve (missing, damaged, built with other dictionaries)
    /// the reader builds a temporary one in memory from the store and says
    /// so in the log; `tsunagu reindex` repairs the one on disk.
    pub fn open_reader(config: &DirectoryConfig) -> Result<Directory, EngineError> {
        let store_path = config.data_dir.join(STORE_FILE);
        if !store_path.is_file() {
            return Err(EngineError::NoDataDir {
                path: config.data_dir.clone(),
            });
        }
        let analyzer = load_analyzer(config.dictionaries.as_deref())?;
        let store = Store::open_read_only(&store_path)?;
        let index_dir = config.data_dir.join(INDEX_DIR);
        let store_seq = store.max_seq()?;
        let (index, in_memory) = match SearchIndex::open_read_only(&index_dir, analyzer.clone()) {
            Ok(index) => match index.store_seq() {
                Ok(seq) if seq == 0 && store_seq > 0 && index.num_docs() == 0 => {
                    // Created but never filled (a writer is rebuilding it).
                    (SearchIndex::create_in_ram(analyzer.clone())?, true)
                }
                Ok(seq) => {
                    if seq < store_seq && !lock::writer_active(&config.data_dir) {
                        tracing::warn!(
                            index_seq = seq,
                            store_seq,
                            "the search index lacks the store's latest changes and no writer is \
                             running (an interrupted import?); run `tsunagu reindex`"
                        );
                    }
                    (index, false)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "search index unusable; searching a temporary index built from the store");
                    (SearchIndex::create_in_ram(analyzer.clone())?, true)
                }
            },
            Err(e) => {
                tracing::warn!(error = %e,
                    "searching a temporary in-memory index built from the store; \
                     run `tsunagu reindex` to rebuild the one on disk");
                (SearchIndex::create_in_ram(analyzer.clone())?, true)
            }
        };
        let locator = load_locator(&config.data_dir)?;
        let mut dir = Directory {
            data_dir: config.data_dir.clone(),
            writer_lock: None,
            read_only: true,
            store,
            index: Arc::new(index),
            analyzer,
            locator: Arc::new(locator),
            shared: Arc::new(Shared::default()),
        };
        if in_memory {
            dir.fill_index(0, true)?;
        }
        Ok(dir)
    }

    /// A directory entirely in memory (tests, benchmarks).
    pub fn in_memory(analyzer: Arc<Analyzer>) -> Result<Directory, EngineError> {
        Ok(Directory {
            data_dir: PathBuf::new(),
            writer_lock: None,
            read_only: false,
            store: Store::open_in_memory()?,
            index: Arc::new(SearchIndex::create_in_ram(analyzer.clone())?),
            analyzer,
            locator: Arc::new(Locator::seed()?),
            shared: Arc::new(Shared::default()),
        })
    }

    /// Refuses a write on a directory opened for reading.
    fn writable(&self, what: &'static str) -> Result<(), EngineError> {
        if self.read_only {
            return Err(EngineError::ReadOnly(what));
        }
        Ok(())
    }

    /// Whether this directory holds the writer lock (false for readers and
    /// in-memory directories).
    pub fn is_writer(&self) -> bool {
        self.writer_lock.is_some()
    }

    /// Notes in the writer lock who holds it (`serve`), so a command that
    /// cannot take it says so.
    pub fn say_lock_holder(&mut self, what: &str) {
        if let Some(lock) = self.writer_lock.as_mut() {
            lock.say_holder(what);
        }
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    pub fn locator(&self) -> &Locator {
        &self.locator
    }

    /// A snapshot of the record points: an R-tree and the same points by
    /// id (built on first use, from the store).
    pub(crate) fn spatial(&self) -> Result<Arc<RecordPoints>, EngineError> {
        if let Some(p) = self
            .shared
            .points
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            return Ok(p.clone());
        }
        let points = self.store.points()?;
        let by_id = points
            .iter()
            .map(|(id, a, b)| (id.clone(), (*a, *b)))
            .collect();
        let built = Arc::new((PointIndex::new(points), by_id));
        let mut slot = self
            .shared
            .points
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(slot.get_or_insert(built).clone())
    }

    /// After a write: moves the changed records' points in the spatial
    /// index (if it was built). Many changes drop it instead; the next
    /// spatial query rebuilds it from the store, which is faster than
    /// thousands of R-tree updates.
    pub(crate) fn points_changed(&self, changed: &[PointChange]) {
        let mut slot = self
            .shared
            .points
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if changed.len() > POINT_UPDATES_IN_PLACE {
            *slot = None;
            return;
        }
        let Some(points) = slot.as_mut() else {
            return;
        };
        // Copies the tree only while a reader still holds the old snapshot.
        let (tree, by_id) = Arc::make_mut(points);
        for (id, point) in changed {
            if let Some((lat, lon)) = by_id.remove(id) {
                tree.remove(id, lat, lon);
            }
            if let Some((lat, lon)) = *point {
                tree.insert(id.clone(), lat, lon);
                by_id.insert(id.clone(), (lat, lon));
            }
        }
    }

    /// Drops everything built from the store or the gazetteer (after a
    /// gazetteer import or a rebuild).
    fn forget_derived(&mut self) {
        self.shared = Arc::new(Shared::default());
    }

    /// Another handle on this directory for reading, sharing its index,
    /// spatial index and lexicons, with a read-only store connection of its
    /// own. A server keeps one writer and a pool of these: the writer's
    /// commits are visible to every handle at once, and the handles never
    /// write. Not for in-memory directories (their store has no file).
    pub fn reader(&self) -> Result<Directory, EngineError> {
        let path = self.data_dir.join(STORE_FILE);
        if !path.is_file() {
            return Err(EngineError::NoDataDir {
                path: self.data_dir.clone(),
            });
        }
        Ok(Directory {
            data_dir: self.data_dir.clone(),
            writer_lock: None,
            read_only: true,
            store: Store::open_read_only(&path)?,
            index: self.index.clone(),
            analyzer: self.analyzer.clone(),
            locator: self.locator.clone(),
            shared: self.shared.clone(),
        })
    }

    /// The newest store change this handle's connection sees.
    pub fn store_seq(&self) -> Result<u64, EngineError> {
        Ok(self.store.max_seq()?)
    }

    /// The store change the searchable index has caught up to.
    pub fn index_seq(&self) -> Result<u64, EngineError> {
        Ok(self.index.store_seq()?)
    }

    /// Searchable records per status (for monitoring).
    pub fn status_counts(&self) -> Result<Vec<(tsunagu_model::Status, u64)>, EngineError> {
        Ok(self.index.count_by_status()?)
    }

    /// The data directory this handle works on.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
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
    /// Works whatever state the index on disk is in: an index that cannot
    /// even be opened was already replaced when the writer opened it.
    pub fn reindex(&mut self) -> Result<u64, EngineError> {
        self.writable("reindex")?;
        self.index_from_store(0, true)
    }

    /// Replaces the gazetteer (and ward polygons), then places every stored
    /// record again and re-indexes. Returns a summary for people.
    pub fn import_gazetteer(
        &mut self,
        file: Option<&Path>,
        wards: Option<&Path>,
    ) -> Result<String, EngineError> {
        self.writable("gazetteer import")?;
        let mut lines = Vec::new();
        let data_dir = self.data_dir.clone();
        if let Some(file) = file {
            let bytes = std::fs::read(file).map_err(|source| EngineError::InputFile {
                path: file.to_path_buf(),
                source,
            })?;
            let imported = Gazetteer::import_csv(&bytes)?;
            lines.push(format!(
                "町丁目 {}件を読み込みました（形式 {:?}、千葉市外 {}件を除外、読めない行 {}件） / {} rows",
                imported.rows,
                imported.format,
                imported.skipped_other_city,
                imported.rejected.len(),
                imported.rows
            ));
            write_file(
                &data_dir.join(GAZETTEER_FILE),
                imported.gazetteer.to_csv().as_bytes(),
            )?;
        }
        if let Some(wards) = wards {
            let text = std::fs::read_to_string(wards).map_err(|source| EngineError::InputFile {
                path: wards.to_path_buf(),
                source,
            })?;
            WardBoundaries::from_geojson(&text)?;
            write_file(&data_dir.join(WARDS_FILE), text.as_bytes())?;
            lines.push("区域ポリゴンを読み込みました / ward polygons imported".into());
        }
        self.locator = Arc::new(load_locator(&data_dir)?);
        self.forget_derived();
        let mut all = Vec::new();
        self.store.for_each_since(0, |s| {
            all.push(s.record);
            Ok(())
        })?;
        let decisions = place::DecisionsByRecord::load(&self.store)?;
        let writes: Vec<RecordWrite> = all
            .into_iter()
            .map(|record| {
                let (placement, _) = place::place(&self.locator, &record, decisions.of(&record.id));
                RecordWrite { record, placement }
            })
            .collect();
        let effects = self.store.write_batch(&writes)?;
        let changed = effects
            .iter()
            .filter(|e| **e != tsunagu_store::WriteEffect::Unchanged)
            .count();
        self.forget_derived();
        self.catch_up()?;
        lines.push(format!(
            "資源 {}件の位置を更新しました / {changed} records re-placed",
            changed
        ));
        Ok(lines.join("\n"))
    }

    fn index_from_store(&mut self, since: u64, clear: bool) -> Result<u64, EngineError> {
        self.fill_index(since, clear)
    }

    /// Indexes the store's records changed after `since` (all when 0) and
    /// commits. Also fills a reader's temporary in-memory index.
    fn fill_index(&mut self, since: u64, clear: bool) -> Result<u64, EngineError> {
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
                placement: &stored.placement,
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
