//! The one writer: a thread that owns the writable [`Directory`] and takes
//! jobs from a queue. Edits that arrive together are applied together:
//! each is committed to the store on its own, the index once for all of
//! them, and each caller is answered after that. A caller is never told
//! "saved" before the store has committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{mpsc, oneshot};
use tsunagu_engine::{
    Directory, EditError, EditOutcome, EditRequest, EngineError, ImportOptions, ImportReport,
};

/// The most edits applied under one index commit.
const MAX_EDITS_PER_COMMIT: usize = 256;

pub type EditResults = Vec<Result<EditOutcome, EditError>>;

enum Job {
    Edits {
        edits: Vec<EditRequest>,
        reply: oneshot::Sender<Result<EditResults, WriteFailed>>,
    },
    Import {
        name: String,
        bytes: Vec<u8>,
        options: ImportOptions,
        reply: oneshot::Sender<Result<ImportReport, EngineError>>,
    },
}

/// The handle request handlers use to reach the writer.
#[derive(Clone)]
pub struct WriterHandle {
    jobs: mpsc::Sender<Job>,
    queued: Arc<AtomicUsize>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriterGone {
    #[error("the writer has stopped")]
    Stopped,
}

/// The store or index failed under a batch of edits (logged in full by the
/// writer). Edits committed before the failure stay committed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("writing failed: {0}")]
pub struct WriteFailed(pub String);

impl WriterHandle {
    /// Starts the writer thread on a directory opened as its writer.
    pub fn start(
        mut dir: Directory,
    ) -> std::io::Result<(WriterHandle, std::thread::JoinHandle<()>)> {
        let (tx, mut rx) = mpsc::channel::<Job>(1024);
        let queued = Arc::new(AtomicUsize::new(0));
        let counter = queued.clone();
        let thread = std::thread::Builder::new()
            .name("tsunagu-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    counter.fetch_sub(1, Ordering::Relaxed);
                    match first {
                        import @ Job::Import { .. } => run_import(&mut dir, import),
                        Job::Edits { edits, reply } => {
                            // Gather what else is waiting, up to a bound.
                            let mut batch = vec![(edits, reply)];
                            let mut n = batch[0].0.len();
                            let mut pending_import = None;
                            while n < MAX_EDITS_PER_COMMIT {
                                match rx.try_recv() {
                                    Ok(Job::Edits { edits, reply }) => {
                                        counter.fetch_sub(1, Ordering::Relaxed);
                                        n += edits.len();
                                        batch.push((edits, reply));
                                    }
                                    Ok(import @ Job::Import { .. }) => {
                                        counter.fetch_sub(1, Ordering::Relaxed);
                                        pending_import = Some(import);
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                            apply_batch(&mut dir, batch);
                            if let Some(import) = pending_import {
                                run_import(&mut dir, import);
                            }
                        }
                    }
                }
                tracing::info!("writer stopped: every queued job is done");
            });
        Ok((WriterHandle { jobs: tx, queued }, thread?))
    }

    /// Jobs waiting for the writer (a metric).
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    pub async fn edit(
        &self,
        edits: Vec<EditRequest>,
    ) -> Result<Result<EditResults, WriteFailed>, WriterGone> {
        let (reply, answer) = oneshot::channel();
        self.queued.fetch_add(1, Ordering::Relaxed);
        self.jobs
            .send(Job::Edits { edits, reply })
            .await
            .map_err(|_| WriterGone::Stopped)?;
        answer.await.map_err(|_| WriterGone::Stopped)
    }

    /// Imports an uploaded file's bytes.
    pub async fn import_bytes(
        &self,
        name: String,
        bytes: Vec<u8>,
        options: ImportOptions,
    ) -> Result<Result<ImportReport, EngineError>, WriterGone> {
        let (reply, answer) = oneshot::channel();
        self.queued.fetch_add(1, Ordering::Relaxed);
        self.jobs
            .send(Job::Import {
                name,
                bytes,
                options,
                reply,
            })
            .await
            .map_err(|_| WriterGone::Stopped)?;
        answer.await.map_err(|_| WriterGone::Stopped)
    }
}

/// An upload, imported whole and answered.
fn run_import(dir: &mut Directory, job: Job) {
    if let Job::Import {
        name,
        bytes,
        options,
        reply,
    } = job
    {
        let _ = reply.send(dir.import_bytes(&name, &bytes, &options));
    }
}

type Waiting = (
    Vec<EditRequest>,
    oneshot::Sender<Result<EditResults, WriteFailed>>,
);

/// One `apply_edits` for every waiting caller, answers split back out.
fn apply_batch(dir: &mut Directory, batch: Vec<Waiting>) {
    let sizes: Vec<usize> = batch.iter().map(|(e, _)| e.len()).collect();
    let (all, replies): (Vec<Vec<EditRequest>>, Vec<_>) = batch.into_iter().unzip();
    let all: Vec<EditRequest> = all.into_iter().flatten().collect();
    match dir.apply_edits(&all) {
        Ok(outcomes) => {
            let mut outcomes = outcomes.into_iter();
            for (reply, size) in replies.into_iter().zip(sizes) {
                let mine: EditResults = outcomes.by_ref().take(size).collect();
                let _ = reply.send(Ok(mine));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "applying edits failed");
            let failed = WriteFailed(e.to_string());
            for reply in replies {
                let _ = reply.send(Err(failed.clone()));
            }
        }
    }
}
