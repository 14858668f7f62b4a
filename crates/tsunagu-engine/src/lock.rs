//! The data directory's writer lock: one writer (import, reindex, gazetteer
//! import, the server) at a time, many readers.
//!
//! An advisory lock (flock) on `writer.lock`: the kernel releases it when the
//! process ends, kill -9 included, so a crashed writer never leaves the
//! directory locked. Readers never take it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
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
                Ok(()) => {
                    let mut lock = WriterLock { _file: file };
                    lock.say_holder("tsunagu");
                    return Ok(lock);
                }
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(EngineError::WriterBusy {
                        path: data_dir.to_path_buf(),
                        waited: wait,
                        holder: holder_of(&path),
                    });
                }
                Err(TryLockError::Error(source)) => {
                    return Err(EngineError::DataDir { path, source });
                }
            }
        }
    }
}

impl WriterLock {
    /// Writes who holds the lock into the lock file (`serve 1234`), so a
    /// command refused the lock can say who has it. Best effort: the lock
    /// itself is the flock, not this text.
    pub fn say_holder(&mut self, what: &str) {
        let text = format!("{what} {}\n", std::process::id());
        let file = &mut self._file;
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.flush());
        if let Err(e) = written {
            tracing::debug!(error = %e, "cannot note the lock holder");
        }
    }
}

/// What the holder wrote into the lock file (at most a short line).
fn holder_of(path: &Path) -> Option<String> {
    let mut text = String::new();
    File::open(path)
        .ok()?
        .take(200)
        .read_to_string(&mut text)
        .ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
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
