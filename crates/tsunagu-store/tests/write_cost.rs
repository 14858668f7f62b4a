//! The cost of a store write on a large import, measured on a real corpus
//! (`tsunagu bench --work-dir DIR` leaves one in DIR/corpus.jsonl):
//!
//! TSUNAGU_BENCH_CORPUS=DIR/corpus.jsonl cargo test -p tsunagu-store --test write_cost -- --ignored --nocapture

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::time::Instant;

use tsunagu_model::{Placement, record_from_json};
use tsunagu_store::{RecordWrite, Store};

#[test]
#[ignore = "timing; needs TSUNAGU_BENCH_CORPUS"]
fn import_and_rewrite_cost() {
    let path = std::env::var("TSUNAGU_BENCH_CORPUS").unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let writes: Vec<RecordWrite> = text
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let record = record_from_json(v.as_object()?).ok()?;
            Some(RecordWrite {
                record,
                placement: Placement::default(),
            })
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let started = Instant::now();
    for batch in writes.chunks(2_000) {
        store.write_batch(batch).unwrap();
    }
    let insert = started.elapsed();
    let changed: Vec<RecordWrite> = writes
        .iter()
        .map(|w| {
            let mut w = w.clone();
            w.record.name.push('改');
            w
        })
        .collect();
    let started = Instant::now();
    for batch in changed.chunks(2_000) {
        store.write_batch(batch).unwrap();
    }
    let replace = started.elapsed();
    println!(
        "store: {} records inserted in {insert:.2?}, all replaced in {replace:.2?}",
        writes.len()
    );
}
