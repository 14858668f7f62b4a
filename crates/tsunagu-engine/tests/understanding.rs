//! The understanding table (tests/cases/understanding_cases.tsv): each query
//! → what is understood (kind:value, in order) → the words left to search.
//! Run on the built-in gazetteer and dictionaries, through
//! `Directory::understand`, the function search uses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::path::PathBuf;

use tsunagu_engine::{Directory, DirectoryConfig};

fn root() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..")
}

#[test]
fn understanding_table() {
    let text = std::fs::read_to_string(root().join("tests/cases/understanding_cases.tsv")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut config = DirectoryConfig::new(tmp.path().to_path_buf());
    config.dictionaries = Some(root().join("dictionaries"));
    let dir = Directory::open(&config).unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 3, "line {}: query, understood, text", i + 1);
        rows += 1;
        let kinds: Vec<tsunagu_model::Kind> = match cols.get(4).map(|k| k.trim()) {
            Some("kayoi") => vec![tsunagu_model::Kind::Kayoi],
            Some("service") => vec![tsunagu_model::Kind::Service],
            _ => Vec::new(),
        };
        let u = dir.understand(cols[0], &kinds).unwrap();
        let got: Vec<String> = u
            .understood
            .iter()
            .map(|x| format!("{}:{}", x.kind.code(), x.value))
            .collect();
        let want: Vec<String> = match cols[1].trim() {
            "-" => Vec::new(),
            list => list.split('|').map(String::from).collect(),
        };
        let want_text = match cols[2].trim() {
            "-" => "",
            t => t,
        };
        if got != want || u.text != want_text {
            failures.push(format!(
                "line {} {:?}: understood {:?} text {:?}; expected {:?} text {:?}",
                i + 1,
                cols[0],
                got,
                u.text,
                want,
                want_text
            ));
        }
    }
    assert!(rows >= 100, "at least 100 rows, found {rows}");
    assert!(
        failures.is_empty(),
        "{} of {rows} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
