//! `tsunagu backup DEST` and `tsunagu restore SRC`.
//!
//! A backup is the store (through SQLite's online backup, so it is
//! consistent while a server writes) and the imported geography, if any.
//! The search index is not copied: the store is the source of truth, and a
//! restored directory rebuilds its index on open.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tsunagu_store::Store;

use crate::{EngineError, GAZETTEER_FILE, INDEX_DIR, STORE_FILE, WARDS_FILE, WriterLock};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BackupSummary {
    pub dir: PathBuf,
    pub records: u64,
    pub store_seq: u64,
    pub files: Vec<String>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::DataDir {
        path: path.to_path_buf(),
        source,
    }
}

/// Copies a data directory's store (consistently, while others read and
/// write) and geography into `dest`, which must not exist or be empty.
pub fn backup(data_dir: &Path, dest: &Path) -> Result<BackupSummary, EngineError> {
    let store_path = data_dir.join(STORE_FILE);
    if !store_path.is_file() {
        return Err(EngineError::NoDataDir {
            path: data_dir.to_path_buf(),
        });
    }
    if dest.exists() && std::fs::read_dir(dest).map_err(io(dest))?.next().is_some() {
        return Err(EngineError::DataDir {
            path: dest.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the backup directory is not empty",
            ),
        });
    }
    std::fs::create_dir_all(dest).map_err(io(dest))?;
    let source = Store::open_read_only(&store_path)?;
    let target = dest.join(STORE_FILE);
    source.backup_to(&target)?;
    let copy = Store::open_read_only(&target)?;
    let mut files = vec![STORE_FILE.to_string()];
    for name in [GAZETTEER_FILE, WARDS_FILE] {
        let from = data_dir.join(name);
        if from.is_file() {
            std::fs::copy(&from, dest.join(name)).map_err(io(&from))?;
            files.push(name.to_string());
        }
    }
    Ok(BackupSummary {
        dir: dest.to_path_buf(),
        records: copy.count()?,
        store_seq: copy.max_seq()?,
        files,
    })
}

/// Replaces a data directory's store and geography with a backup's, as
/// its writer (a running server must be stopped first), and removes the
/// index so the next open rebuilds it from the restored store.
pub fn restore(
    data_dir: &Path,
    src: &Path,
    writer_wait: std::time::Duration,
) -> Result<BackupSummary, EngineError> {
    let backup_store = src.join(STORE_FILE);
    if !backup_store.is_file() {
        return Err(EngineError::InputFile {
            path: backup_store,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a tsunagu backup (no store in it)",
            ),
        });
    }
    // Read it first: a damaged or foreign file is refused before anything
    // of the directory changes.
    let from = Store::open_read_only(&backup_store)?;
    let records = from.count()?;
    let store_seq = from.max_seq()?;
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let _lock = WriterLock::acquire(data_dir, writer_wait)?;
    let staged = data_dir.join(format!("{STORE_FILE}.restoring"));
    let _ = std::fs::remove_file(&staged);
    from.backup_to(&staged)?;
    drop(from);
    let store_path = data_dir.join(STORE_FILE);
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", store_path.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(io(&side))?;
        }
    }
    std::fs::rename(&staged, &store_path).map_err(io(&store_path))?;
    let mut files = vec![STORE_FILE.to_string()];
    for name in [GAZETTEER_FILE, WARDS_FILE] {
        let target = data_dir.join(name);
        match src.join(name) {
            p if p.is_file() => {
                std::fs::copy(&p, &target).map_err(io(&p))?;
                files.push(name.to_string());
            }
            _ if target.exists() => std::fs::remove_file(&target).map_err(io(&target))?,
            _ => {}
        }
    }
    let index = data_dir.join(INDEX_DIR);
    if index.exists() {
        std::fs::remove_dir_all(&index).map_err(io(&index))?;
    }
    Ok(BackupSummary {
        dir: data_dir.to_path_buf(),
        records,
        store_seq,
        files,
    })
}
