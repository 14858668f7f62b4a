//! The IPADIC system dictionary: built from Debian's `mecab-ipadic` CSV source
//! (EUC-JP) by whatever first needs it, cached outside the repository, loaded
//! with `load_fs_dictionary`.
//!
//! Lindera's `embed-*` features download dictionaries at build time, which
//! this project's machines cannot do; building from the distribution's source
//! takes about two seconds and needs no network.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lindera::dictionary::{Dictionary, load_fs_dictionary};
use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::{DICTIONARY_FORMAT_VERSION, Metadata};

use crate::error::TextError;

/// Where Debian's `mecab-ipadic` package puts the CSV source.
pub const DEFAULT_IPADIC_SOURCE: &str = "/usr/share/mecab/dic/ipadic";

/// Written last into a finished build; its absence marks a partial one.
const STAMP_FILE: &str = "tsunagu-built";

/// IPADIC's layout as lindera describes it, with the encoding of Debian's
/// source files (EUC-JP).
const IPADIC_METADATA: &str = r#"{
  "name": "ipadic",
  "encoding": "EUC-JP",
  "default_word_cost": -10000,
  "default_left_context_id": 0,
  "default_right_context_id": 0,
  "default_field_value": "*",
  "flexible_csv": true,
  "skip_invalid_cost_or_id": false,
  "normalize_details": true,
  "dictionary_schema": { "fields": [
    "surface", "left_context_id", "right_context_id", "cost",
    "part_of_speech", "part_of_speech_subcategory_1", "part_of_speech_subcategory_2",
    "part_of_speech_subcategory_3", "conjugation_form", "conjugation_type",
    "base_form", "reading", "pronunciation" ] },
  "user_dictionary_schema": { "fields": ["surface", "part_of_speech", "reading"] }
}"#;

/// The metadata used both to build the system dictionary and to compile the
/// user dictionary against it.
pub fn ipadic_metadata() -> Result<Metadata, TextError> {
    serde_json::from_str(IPADIC_METADATA).map_err(|e| TextError::UserDictionary {
        message: format!("built-in IPADIC metadata is invalid: {e}"),
    })
}

/// Where the source and the built dictionary live.
#[derive(Debug, Clone)]
pub struct DictionaryLocation {
    pub source: PathBuf,
    pub cache: PathBuf,
}

impl DictionaryLocation {
    /// `TSUNAGU_IPADIC_SRC` or Debian's path; `TSUNAGU_DICT_CACHE`, else
    /// `$XDG_CACHE_HOME/tsunagu`, else `$HOME/.cache/tsunagu`, else the temp dir.
    pub fn from_env() -> Self {
        let source = std::env::var_os("TSUNAGU_IPADIC_SRC")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_IPADIC_SOURCE));
        let cache_root = std::env::var_os("TSUNAGU_DICT_CACHE")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("tsunagu"))
            })
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("tsunagu"))
            })
            .unwrap_or_else(|| std::env::temp_dir().join("tsunagu-cache"));
        DictionaryLocation {
            source,
            cache: cache_root.join(format!("ipadic-lindera-f{DICTIONARY_FORMAT_VERSION}")),
        }
    }
}

/// Returns the built dictionary directory, building it first if needed.
///
/// Safe to call from several processes at once (parallel tests): each builds
/// into its own temporary directory and the first rename wins.
pub fn ensure_built(location: &DictionaryLocation) -> Result<PathBuf, TextError> {
    let target = &location.cache;
    if target.join(STAMP_FILE).is_file() {
        return Ok(target.clone());
    }
    if !location.source.join("matrix.def").is_file() {
        return Err(TextError::IpadicSourceMissing {
            path: location.source.clone(),
        });
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| TextError::Io {
        path: parent.to_path_buf(),
        source,
    })?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = parent.join(format!(".build-{}-{nanos}", std::process::id()));
    let build_err = |message: String| TextError::DictionaryBuild {
        source_dir: location.source.clone(),
        target: target.clone(),
        message,
    };
    let started = std::time::Instant::now();
    DictionaryBuilder::new(ipadic_metadata()?)
        .build_dictionary(&location.source, &tmp)
        .map_err(|e| build_err(e.to_string()))?;
    std::fs::write(tmp.join(STAMP_FILE), env!("CARGO_PKG_VERSION")).map_err(|source| {
        TextError::Io {
            path: tmp.clone(),
            source,
        }
    })?;
    if target.exists() && !target.join(STAMP_FILE).is_file() {
        // A partial directory from an interrupted older layout; replace it.
        let _ = std::fs::remove_dir_all(target);
    }
    match std::fs::rename(&tmp, target) {
        Ok(()) => {
            tracing::info!(
                target = %target.display(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "built IPADIC system dictionary"
            );
        }
        Err(_) if target.join(STAMP_FILE).is_file() => {
            // Another process finished first; use theirs.
            let _ = std::fs::remove_dir_all(&tmp);
        }
        Err(e) => return Err(build_err(format!("rename {}: {e}", tmp.display()))),
    }
    Ok(target.clone())
}

/// Builds if needed, then loads.
pub fn load(location: &DictionaryLocation) -> Result<Dictionary, TextError> {
    let dir = ensure_built(location)?;
    load_fs_dictionary(&dir).map_err(|e| TextError::DictionaryLoad {
        path: dir,
        message: e.to_string(),
    })
}
