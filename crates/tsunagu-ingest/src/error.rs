//! Per-line and per-file errors of the readers.

use thiserror::Error;
use tsunagu_model::FieldError;

/// Why one line (record) of a file was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LineError {
    #[error("the line is not valid UTF-8 (byte {valid_up_to})")]
    Utf8 { valid_up_to: usize },
    #[error("the line is not valid JSON: {message}")]
    Json { message: String },
    #[error("the line is a JSON {found}, not an object")]
    NotObject { found: &'static str },
    #[error("the CSV row cannot be read: {message}")]
    Csv { message: String },
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
}

impl LineError {
    /// The keys at fault (empty when the whole line is unreadable).
    pub fn fields(&self) -> Vec<String> {
        match self {
            LineError::Fields(errors) => errors.iter().map(|e| e.field.clone()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            LineError::Utf8 { .. } => "UTF-8 として読めない文字が含まれています".into(),
            LineError::Json { message } => format!("JSON として読めません（{message}）"),
            LineError::NotObject { found } => {
                format!("1行に1つの JSON オブジェクトが必要ですが、{found} でした")
            }
            LineError::Csv { message } => format!("CSV の行を読めません（{message}）"),
            LineError::Fields(errors) => errors
                .iter()
                .map(|e| e.message_ja())
                .collect::<Vec<_>>()
                .join("／"),
        }
    }
}

/// A problem with a whole file.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the CSV header cannot be read: {message}")]
    CsvHeader { message: String },
    #[error("the CSV has no column for the required key {key}")]
    MissingColumn { key: &'static str },
    #[error("unknown encoding {0:?}; use utf-8, shift_jis or cp932")]
    UnknownEncoding(String),
}

impl IngestError {
    pub fn message_ja(&self) -> String {
        match self {
            IngestError::Io { path, source } => format!("{path} を読めません（{source}）"),
            IngestError::CsvHeader { message } => {
                format!("CSV の見出し行を読めません（{message}）")
            }
            IngestError::MissingColumn { key } => {
                format!("CSV に必須の列 {key} がありません")
            }
            IngestError::UnknownEncoding(e) => {
                format!("文字コード「{e}」は使えません（utf-8, shift_jis, cp932）")
            }
        }
    }
}
