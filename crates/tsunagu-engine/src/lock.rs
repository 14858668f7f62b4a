//! The data directory's writer lock: one writer (import, reindex, gazetteer
//! import, the server) at a time, many readers.
//!
//! An advisory lock (flock) on `writer.lock`: the kernel releases it when the
//! process ends, kill -9 included, so a crashed writer never leaves the
//! directory locked. Readers never take it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::EngineError;

pub const LOCK_FILE: &str = "writer.lock";

/// Held while a writer works; dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Takes the lock, waiting at most `wait` for another writer to finish.
    pub fn acquire(data_dir: &Path, wait: Duration) -> Result<WriterLock, EngineError> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| EngineError::DataDir {
                path: path.clone(),
                source,
            })?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WriterLock { _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(EngineError::WriterBusy {
                        path: data_dir.to_path_buf(),
                        waited: wait,
                    });
                }
                Err(TryLockError::Error(source)) => {
                    return Err(EngineError::DataDir { path, source });
                }
            }
        }
    }
}

/// Whether some process holds the writer lock right now (for log messages;
/// the answer may change the moment it is given). Opens the lock file
/// read-only and never creates it.
pub fn writer_active(data_dir: &Path) -> bool {
    let path: PathBuf = data_dir.join(LOCK_FILE);
    let Ok(file) = File::open(&path) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}
