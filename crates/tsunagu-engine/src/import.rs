//! Importing files: read, validate, place, store in batches (one transaction
//! each), then index what changed and commit the index last.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use serde::Serialize;
use tsunagu_index::{IndexDoc, PreparedDoc, SearchIndex};
use tsunagu_ingest::{CsvEncoding, FileFormat, IngestError, SourceLine, csv_records, read_jsonl};
use tsunagu_model::ScheduleKnowledge;
use tsunagu_store::{RecordWrite, WriteEffect};

use crate::{Directory, EngineError};

/// Records per store transaction.
const BATCH: usize = 2_000;
/// Text per batch, in bytes. Analysed documents take some 50 times their
/// text in memory until the index writer has them, so a batch of records
/// as long as the rules allow is cut early: 2,000 such records would need
/// 3.5 GB, this keeps a batch to a few hundred MB. Ordinary records (a few
/// hundred bytes) never reach it.
const BATCH_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// The bytes of text a record brings to analysis.
fn text_bytes(r: &tsunagu_model::Record) -> usize {
    [
        Some(&r.name),
        r.name_kana.as_ref(),
        r.description.as_ref(),
        r.address.as_ref(),
        r.schedule_text.as_ref(),
        r.fee_text.as_ref(),
        r.target.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::len)
    .sum()
}
/// Largest file one import reads, CSV or JSON Lines; 100,000 records are
/// about 60 MB. Without it `import /dev/zero` would read for ever.
pub const MAX_IMPORT_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Rejections described one by one in a report; past this they are only
/// counted (`rejected` stays exact), so a file of garbage lines cannot
/// make a report of millions of entries.
pub const MAX_REPORTED_REJECTIONS: usize = 1_000;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Overrides detection by extension.
    pub format: Option<FileFormat>,
    pub encoding: CsvEncoding,
    /// Records the importer may write: a record placed outside it (or
    /// replacing one outside it) is refused like a bad line.
    pub scope: crate::EditScope,
    /// Who imports, for the audit log (`None`: the command line).
    pub actor: Option<crate::Actor>,
    /// Rows are partial records (an id and the keys to change) applied to
    /// stored records, not whole records (`tsunagu import --merge`).
    pub merge: bool,
}

impl ImportOptions {
    /// The format a file will be read as, or why it cannot be told. The CLI
    /// asks this for every file before importing any, so a bad name never
    /// leaves half of a command's files imported.
    pub fn format_of(&self, path: &Path) -> Result<FileFormat, EngineError> {
        self.format
            .or_else(|| FileFormat::from_path(path))
            .ok_or_else(|| EngineError::UnknownFormat {
                path: path.to_path_buf(),
            })
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            encoding: CsvEncoding::Detect,
            scope: crate::EditScope::Everything,
            actor: None,
            merge: false,
        }
    }
}

/// Reports progress to whoever shows it (a progress bar on a terminal).
pub trait ImportProgress {
    fn begin(&self, _source: &str, _total_bytes: Option<u64>) {}
    fn advance_bytes(&self, _bytes: u64) {}
    fn finish(&self) {}
}

/// Shows nothing.
pub struct NoProgress;
impl ImportProgress for NoProgress {}

/// One rejected record.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Rejection {
    pub file: String,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Keys at fault (empty when the line could not be read at all).
    pub fields: Vec<String>,
    pub message_ja: String,
    pub message_en: String,
}

/// A schedule text the parser could not read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unparsed {
    pub line: usize,
    pub id: String,
    pub text: String,
}

/// An imported record with something to check.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Warning {
    pub file: String,
    pub line: usize,
    pub id: String,
    pub message_ja: String,
    pub message_en: String,
}

/// A record whose `id` appeared earlier in the same file (the later wins).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Duplicate {
    pub id: String,
    pub line: usize,
    pub earlier_line: usize,
}

/// What an import of one file did.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub file: String,
    /// Good records (new, replacing, or identical to what was stored).
    pub accepted: u64,
    pub inserted: u64,
    pub replaced: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub rejections: Vec<Rejection>,
    pub duplicates: Vec<Duplicate>,
    /// Imported records someone should look at (placement problems).
    pub warnings: Vec<Warning>,
    /// Records whose `schedule_text` could not be read into slots (kept as
    /// text; matching treats their schedule as unknown).
    pub unparsed_schedules: Vec<Unparsed>,
    /// A problem with the file as a whole (unreadable, empty, bad header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_error: Option<FileError>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FileError {
    pub message_ja: String,
    pub message_en: String,
}

impl ImportReport {
    /// Whether the import should end with a non-zero exit status.
    pub fn failed(&self) -> bool {
        self.rejected > 0 || self.file_error.is_some()
    }
}

impl Directory {
    /// Imports one file. Errors that stop the file are in the report's
    /// `file_error`; an `Err` means the store or index itself failed.
    pub fn import_file(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn ImportProgress,
    ) -> Result<ImportReport, EngineError> {
        self.writable("import")?;
        let name = path.display().to_string();
        let format = options.format_of(path)?;
        if options.merge {
            let bytes = match read_bounded(path) {
                Ok(b) => b,
                Err(e) => return Ok(file_failure(&name, e)),
            };
            return self.merge_bytes(&name, &bytes, format, options);
        }
        let io_error = |source| IngestError::Io {
            path: name.clone(),
            source,
        };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return Ok(file_failure(&name, io_error(e))),
        };
        let size = file.metadata().ok().map(|m| m.len());
        progress.begin(&name, size);
        let report = match format {
            FileFormat::JsonLines => {
                let reader = ProgressReader {
                    inner: BufReader::with_capacity(1 << 16, file),
                    progress,
                    read: 0,
                };
                self.import_lines_with(&name, read_jsonl(BufReader::new(reader), &name), options)?
            }
            FileFormat::Csv => {
                // Bounded: /dev/zero named as a CSV must not eat the memory.
                let mut bytes = Vec::new();
                let read = std::io::Read::read_to_end(
                    &mut std::io::Read::take(file, MAX_IMPORT_FILE_BYTES + 1),
                    &mut bytes,
                );
                if let Err(e) = read {
                    return Ok(file_failure(&name, io_error(e)));
                }
                if bytes.len() as u64 > MAX_IMPORT_FILE_BYTES {
                    return Ok(file_failure(
                        &name,
                        IngestError::Io {
                            path: name.clone(),
                            source: std::io::Error::other(format!(
                                "larger than {MAX_IMPORT_FILE_BYTES} bytes, the most a CSV may hold; split it"
                            )),
                        },
                    ));
                }
                progress.advance_bytes(bytes.len() as u64);
                match csv_records(&bytes, options.encoding) {
                    Ok(lines) => self.import_lines_with(&name, lines.map(Ok), options)?,
                    Err(e) => file_failure(&name, e),
                }
            }
        };
        progress.finish();
        Ok(report)
    }

    /// Imports records as read by one of the readers.
    pub fn import_lines(
        &mut self,
        source: &str,
        lines: impl Iterator<Item = Result<SourceLine, IngestError>>,
    ) -> Result<ImportReport, EngineError> {
        self.import_lines_with(source, lines, &ImportOptions::default())
    }

    /// A file's bytes (an upload), read as `options.format` says.
    pub fn import_bytes(
        &mut self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportReport, EngineError> {
        self.writable("import")?;
        if bytes.len() as u64 > MAX_IMPORT_FILE_BYTES {
            return Ok(file_failure(
                name,
                IngestError::Io {
                    path: name.to_string(),
                    source: std::io::Error::other(format!(
                        "larger than {MAX_IMPORT_FILE_BYTES} bytes, the most a file may hold; split it"
                    )),
                },
            ));
        }
        let format = match options
            .format
            .or_else(|| FileFormat::from_path(Path::new(name)))
        {
            Some(f) => f,
            None => {
                return Err(EngineError::UnknownFormat { path: name.into() });
            }
        };
        if options.merge {
            return self.merge_bytes(name, bytes, format, options);
        }
        match format {
            FileFormat::JsonLines => {
                self.import_lines_with(name, read_jsonl(BufReader::new(bytes), name), options)
            }
            FileFormat::Csv => match csv_records(bytes, options.encoding) {
                Ok(lines) => self.import_lines_with(name, lines.map(Ok), options),
                Err(e) => Ok(file_failure(name, e)),
            },
        }
    }

    /// Imports records as read by one of the readers, as `options` says
    /// (who imports, which records they may write).
    pub fn import_lines_with(
        &mut self,
        source: &str,
        lines: impl Iterator<Item = Result<SourceLine, IngestError>>,
        options: &ImportOptions,
    ) -> Result<ImportReport, EngineError> {
        self.writable("import")?;
        let mut report = ImportReport {
            file: source.to_string(),
            ..ImportReport::default()
        };
        let mut writer = self.index.writer()?;
        let mut batch: Vec<RecordWrite> = Vec::with_capacity(BATCH);
        let mut batch_text = 0usize;
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let decisions = crate::place::DecisionsByRecord::load(&self.store)?;
        let mut seen_any = false;
        // Changed records and their points, for the spatial index (kept
        // short: past the in-place limit it is dropped anyway).
        let mut moved: Vec<crate::PointChange> = Vec::new();
        let actor = options
            .actor
            .clone()
            .unwrap_or_else(|| crate::Actor::system(format!("import:{source}")));
        // Two stages: this thread reads, places and stores a batch while
        // the one before it is analysed (on every core) and handed to the
        // index writer. Analysis is most of an import's work.
        let (to_index, stored) = std::sync::mpsc::sync_channel::<Vec<RecordWrite>>(1);
        let index = &self.index;
        let writer_ref = &mut writer;
        let (read, indexed) = std::thread::scope(|scope| {
            let indexer = scope.spawn(move || -> Result<(), EngineError> {
                for changed in stored {
                    let refs: Vec<&RecordWrite> = changed.iter().collect();
                    for prepared in prepare_parallel(index, &refs) {
                        writer_ref.add(prepared)?;
                    }
                }
                Ok(())
            });
            let read = (|| -> Result<(), EngineError> {
                for item in lines {
                    let line = match item {
                        Ok(line) => line,
                        Err(e) => {
                            report.file_error = Some(FileError {
                                message_ja: e.message_ja(),
                                message_en: e.to_string(),
                            });
                            break;
                        }
                    };
                    seen_any = true;
                    match line.outcome {
                        Err(e) => {
                            report.rejected += 1;
                            if report.rejections.len() >= MAX_REPORTED_REJECTIONS {
                                continue;
                            }
                            report.rejections.push(Rejection {
                                file: source.to_string(),
                                line: line.line,
                                id: line.id,
                                fields: e.fields(),
                                message_ja: e.message_ja(),
                                message_en: e.to_string(),
                            });
                        }
                        Ok(record) => {
                            if let Some(earlier) = first_line.insert(record.id.clone(), line.line) {
                                report.duplicates.push(Duplicate {
                                    id: record.id.clone(),
                                    line: line.line,
                                    earlier_line: earlier,
                                });
                            }
                            let (placement, warnings) = crate::place::place(
                                &self.locator,
                                &record,
                                decisions.of(&record.id),
                            );
                            if options.scope != crate::EditScope::Everything {
                                let before = self.store.get(&record.id)?.map(|s| s.placement);
                                if !options.scope.allows(before.as_ref(), &placement) {
                                    report.rejected += 1;
                                    if report.rejections.len() < MAX_REPORTED_REJECTIONS {
                                        report.rejections.push(Rejection {
                                            file: source.to_string(),
                                            line: line.line,
                                            id: Some(record.id.clone()),
                                            fields: Vec::new(),
                                            message_ja: "担当地域の外の資源は取り込めません（管理者に依頼してください）".into(),
                                            message_en: "the record lies outside the importer's area".into(),
                                        });
                                    }
                                    continue;
                                }
                            }
                            if placement.schedule == ScheduleKnowledge::Unparsed {
                                report.unparsed_schedules.push(Unparsed {
                                    line: line.line,
                                    id: record.id.clone(),
                                    text: record.schedule_text.clone().unwrap_or_default(),
                                });
                            }
                            for w in warnings {
                                report.warnings.push(Warning {
                                    file: source.to_string(),
                                    line: line.line,
                                    id: record.id.clone(),
                                    message_ja: w.message_ja,
                                    message_en: w.message_en,
                                });
                            }
                            batch_text += text_bytes(&record);
                            batch.push(RecordWrite { record, placement });
                            if batch.len() >= BATCH || batch_text >= BATCH_TEXT_BYTES {
                                batch_text = 0;
                                flush(
                                    &mut self.store,
                                    &mut batch,
                                    &to_index,
                                    &mut report,
                                    &mut moved,
                                    &actor,
                                )?;
                            }
                        }
                    }
                }
                flush(
                    &mut self.store,
                    &mut batch,
                    &to_index,
                    &mut report,
                    &mut moved,
                    &actor,
                )?;
                Ok(())
            })();
            // Closing the channel ends the indexer once it has the rest.
            drop(to_index);
            let indexed = match indexer.join() {
                Ok(result) => result,
                // A panic in analysis is a bug; re-raise it where it belongs.
                Err(panic) => std::panic::resume_unwind(panic),
            };
            (read, indexed)
        });
        // The indexer's own error explains a reader that found it gone.
        indexed?;
        read?;
        writer.commit(self.store.max_seq()?)?;
        self.points_changed(&moved);
        if !seen_any && report.file_error.is_none() {
            report.file_error = Some(FileError {
                message_ja: "ファイルにレコードがありません".into(),
                message_en: "the file holds no records".into(),
            });
        }
        self.store.log_import(
            source,
            [
                report.accepted,
                report.inserted,
                report.replaced,
                report.unchanged,
                report.rejected,
            ],
        )?;
        Ok(report)
    }
}

/// Stores a batch (one transaction) and sends what changed to the indexer.
/// The caller commits the index after the last batch.
fn flush(
    store: &mut tsunagu_store::Store,
    batch: &mut Vec<RecordWrite>,
    to_index: &std::sync::mpsc::SyncSender<Vec<RecordWrite>>,
    report: &mut ImportReport,
    moved: &mut Vec<crate::PointChange>,
    actor: &crate::Actor,
) -> Result<(), EngineError> {
    if batch.is_empty() {
        return Ok(());
    }
    let effects = store.write_batch_audited(batch, actor, None)?;
    let mut changed: Vec<RecordWrite> = Vec::with_capacity(batch.len());
    for (w, effect) in batch.drain(..).zip(effects) {
        report.accepted += 1;
        match effect {
            WriteEffect::Inserted => report.inserted += 1,
            WriteEffect::Replaced => report.replaced += 1,
            WriteEffect::Unchanged => {
                report.unchanged += 1;
                continue;
            }
        }
        if moved.len() <= crate::POINT_UPDATES_IN_PLACE {
            moved.push((w.record.id.clone(), w.placement.point()));
        }
        changed.push(w);
    }
    if !changed.is_empty() && to_index.send(changed).is_err() {
        // The indexer stopped on an error, which the caller reports.
        return Err(EngineError::IndexerStopped);
    }
    Ok(())
}

/// Japanese analysis dominates indexing; split it over the machine's cores.
fn prepare_parallel(index: &SearchIndex, writes: &[&RecordWrite]) -> Vec<PreparedDoc> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let prepare = |w: &&RecordWrite| {
        index.prepare(IndexDoc {
            record: &w.record,
            placement: &w.placement,
        })
    };
    if threads == 1 || writes.len() < 64 {
        return writes.iter().map(prepare).collect();
    }
    let chunk = writes.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = writes
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(prepare).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(docs) => docs,
                // A panic in analysis is a bug; re-raise it where it belongs.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// A whole file, no larger than an import may be.
fn read_bounded(path: &Path) -> Result<Vec<u8>, IngestError> {
    let name = path.display().to_string();
    let io = |source| IngestError::Io {
        path: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_IMPORT_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(io)?;
    if bytes.len() as u64 > MAX_IMPORT_FILE_BYTES {
        return Err(io(std::io::Error::other(format!(
            "larger than {MAX_IMPORT_FILE_BYTES} bytes, the most a file may hold; split it"
        ))));
    }
    Ok(bytes)
}

pub(crate) fn file_failure(name: &str, e: IngestError) -> ImportReport {
    ImportReport {
        file: name.to_string(),
        file_error: Some(FileError {
            message_ja: e.message_ja(),
            message_en: e.to_string(),
        }),
        ..ImportReport::default()
    }
}

/// Counts bytes as the reader consumes them, and ends the file with an
/// error past [`MAX_IMPORT_FILE_BYTES`].
struct ProgressReader<'a, R> {
    inner: R,
    progress: &'a dyn ImportProgress,
    read: u64,
}

impl<R: std::io::Read> std::io::Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_IMPORT_FILE_BYTES {
            return Err(std::io::Error::other(format!(
                "larger than {MAX_IMPORT_FILE_BYTES} bytes, the most one import reads; split the file"
            )));
        }
        self.progress.advance_bytes(n as u64);
        Ok(n)
    }
}
