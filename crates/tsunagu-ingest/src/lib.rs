//! Reading resource files into validated records.
//!
//! Each reader yields one [`SourceLine`] per record in the file, good or bad,
//! with its line number, so the caller can store the good ones and report the
//! bad ones precisely. Nothing here touches the store.
//!
//! Both readers are total (no input makes them panic) and bounded: a JSON
//! line or a CSV record longer than [`MAX_LINE_BYTES`] /
//! [`MAX_RECORD_BYTES`] is rejected on its line, and the JSON Lines reader
//! never holds more than that in memory. Every non-blank line of a file
//! ends up in exactly one accepted or rejected [`SourceLine`] (or inside a
//! multi-line cell of one): nothing is dropped without saying so.

pub mod csv_columns;
mod csv_reader;
mod dates;
mod error;
mod jsonl;
mod strict_json;

use std::path::Path;

pub use csv_reader::{
    CsvEncoding, CsvPatches, CsvRecords, MAX_RECORD_BYTES, PatchLine, column_for_key, csv_patches,
    csv_records, read_csv,
};
pub use dates::{iso_date, parse_date_text};
pub use error::{IngestError, LineError};
pub use jsonl::{MAX_LINE_BYTES, read_jsonl};

/// Parses one JSON text as the readers do: duplicate keys refused
/// ([`LineError::DuplicateKey`] naming the path), anything else that is
/// not JSON a [`LineError::Json`]. For other readers of JSON documents
/// (the HSDS reader of `tsunagu-export`).
pub fn parse_json_strict(text: &str) -> Result<serde_json::Value, LineError> {
    strict_json::parse(text).map_err(|e| match e {
        strict_json::StrictError::Duplicate(key) => LineError::DuplicateKey {
            key: tsunagu_model::cut_for_message(&key),
        },
        strict_json::StrictError::Json(e) => LineError::Json {
            message: e.to_string(),
        },
    })
}

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

/// The `id` to report for a record: as written when it is a valid id, else
/// cut and with control characters escaped (a rejected 100,000-character id
/// is not repeated whole).
pub(crate) fn reported_id(raw: &str) -> String {
    if tsunagu_model::validate::id_problem(raw).is_none() {
        raw.to_string()
    } else {
        tsunagu_model::cut_for_message(raw)
    }
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
