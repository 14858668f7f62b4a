//! Helpers shared by the integration tests: run the real binary against a
//! temporary data directory.

#![allow(dead_code, clippy::unwrap_used)]

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (tests live in its tests/ directory).
pub fn root() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..")
}

pub fn seed_files() -> Vec<PathBuf> {
    let dir = root().join("seed-data/records");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed-data/records exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("jsonl" | "csv")
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `tsunagu --data-dir DATA args…` from the workspace root.
pub fn tsunagu(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsunagu"))
        .current_dir(root())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run tsunagu")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses stdout as JSON, with the output in the panic message if it is not.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// A fresh data directory holding the seed data.
pub fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = seed_files();
    let mut args = vec!["import", "--format", "json"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = tsunagu(dir.path(), &args);
    assert!(
        out.status.success(),
        "seed import failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    dir
}

/// Ids of a search's JSON results.
pub fn result_ids(v: &serde_json::Value) -> Vec<String> {
    v["results"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `DIR/data`: the data directory inside a test's temporary directory.
pub fn data(dir: &Path) -> PathBuf {
    dir.join("data")
}

/// Writes `bytes` to `DIR/name` and imports it into `DIR/data`; returns the
/// exit code and the JSON report.
pub fn import(dir: &Path, name: &str, bytes: &[u8], extra: &[&str]) -> (i32, serde_json::Value) {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let mut args = vec!["import", "--format", "json", file.to_str().unwrap()];
    args.extend(extra);
    let out = tsunagu(&data(dir), &args);
    (out.status.code().unwrap_or(-1), json(&out))
}

/// (line, id, fields) of each rejection of the first file of a report.
pub fn rejections(report: &serde_json::Value) -> Vec<(u64, Option<String>, Vec<String>)> {
    report["files"][0]["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["id"].as_str().map(String::from),
                r["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}
