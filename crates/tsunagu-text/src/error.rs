//! Errors of the text layer.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum TextError {
    #[error(
        "IPADIC source not found at {path}: install Debian's mecab-ipadic package \
         (apt-get install mecab-ipadic) or set TSUNAGU_IPADIC_SRC"
    )]
    IpadicSourceMissing { path: PathBuf },
    #[error("could not build the IPADIC dictionary from {source_dir} into {target}: {message}")]
    DictionaryBuild {
        source_dir: PathBuf,
        target: PathBuf,
        message: String,
    },
    #[error("could not load the IPADIC dictionary from {path}: {message}")]
    DictionaryLoad { path: PathBuf, message: String },
    #[error("invalid user dictionary: {message}")]
    UserDictionary { message: String },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("segmentation failed: {message}")]
    Segment { message: String },
    #[error("dictionaries/{file} line {line}: {message}")]
    Lexicon {
        file: &'static str,
        line: usize,
        message: String,
    },
}
