//! Errors of the index layer.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("text analysis: {0}")]
    Text(#[from] tsunagu_text::TextError),
    #[error("the query has no searchable words")]
    EmptyQuery,
    #[error("facet aggregation: {0}")]
    Facets(String),
    #[error("the index at {path} cannot be used: {reason}")]
    Unusable {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}
