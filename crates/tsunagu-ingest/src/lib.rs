//! Reading resource files into validated records.
//!
//! Each reader yields one [`SourceLine`] per record in the file, good or bad,
//! with its line number, so the caller can store the good ones and report the
//! bad ones precisely. Nothing here touches the store.

mod csv_reader;
mod error;
mod jsonl;

use std::path::Path;

pub use csv_reader::{CsvEncoding, column_for_key, read_csv};
pub use error::{IngestError, LineError};
pub use jsonl::read_jsonl;

use tsunagu_model::Record;

/// One record of a file, as read.
#[derive(Debug, Clone)]
pub struct SourceLine {
    /// 1-based line where the record starts.
    pub line: usize,
    /// The `id`, when one could be read even if the record is bad.
    pub id: Option<String>,
    pub outcome: Result<Record, LineError>,
}

/// File formats the importer accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    JsonLines,
    Csv,
}

impl FileFormat {
    /// By extension: `.jsonl`/`.ndjson`/`.json` → JSON Lines, `.csv`/`.txt` → CSV.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Some(FileFormat::JsonLines),
            "csv" | "txt" => Some(FileFormat::Csv),
            _ => None,
        }
    }

    pub fn parse(name: &str) -> Option<FileFormat> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(FileFormat::JsonLines),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }
}
