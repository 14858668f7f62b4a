//! Readers for request handlers: a fixed set of [`Directory`] handles that
//! share the writer's index and spatial index, each with its own read-only
//! store connection. Searches are CPU work; they run on tokio's blocking
//! threads, at most one per handle, so the pool size bounds the work in
//! flight and the rest of the requests wait their turn.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Semaphore;
use tsunagu_engine::{Directory, EngineError};

use crate::error::ApiError;

pub struct ReaderPool {
    free: Mutex<Vec<Directory>>,
    permits: Semaphore,
    size: usize,
}

impl ReaderPool {
    /// `size` handles on the writer's directory.
    pub fn new(writer: &Directory, size: usize) -> Result<ReaderPool, EngineError> {
        let size = size.max(1);
        let mut free = Vec::with_capacity(size);
        for _ in 0..size {
            free.push(writer.reader()?);
        }
        Ok(ReaderPool {
            free: Mutex::new(free),
            permits: Semaphore::new(size),
            size,
        })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `f` with a reader on a blocking thread. A panic in `f` (a bug)
    /// becomes a 500 and the handle goes back to the pool.
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Directory) -> Result<T, ApiError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::internal("reader pool closed", &e))?;
        let dir = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| ApiError::internal("reader pool", &"no free reader under a permit"))?;
        let pool = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| f(&dir)));
            pool.free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(dir);
            out
        })
        .await;
        match joined {
            Ok(Ok(out)) => out,
            Ok(Err(_panic)) => Err(ApiError::internal(
                "request handler panicked",
                &"see the panic message above",
            )),
            Err(e) => Err(ApiError::internal("reader task failed", &e)),
        }
    }
}
