//! The search cases of tests/cases/search_cases.tsv over the seed data,
//! through the real binary: each query's expected ids must be in the top 5
//! public results (or, for `-`, nothing may come back). Queries are worded
//! differently from the records (synonyms, kana/kanji, okurigana, width,
//! compounds), so this is what proves the analysis works.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::*;

struct Case {
    line: usize,
    query: String,
    expect: Option<Vec<String>>,
    filters: Vec<String>,
    note: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(root().join("tests/cases/search_cases.tsv")).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 3,
            "line {}: expected query, expect_top5, filters",
            i + 1
        );
        let expect = match cols[1].trim() {
            "-" => None,
            ids => Some(ids.split(',').map(|s| s.trim().to_string()).collect()),
        };
        let filters = match cols[2].trim() {
            "-" | "" => Vec::new(),
            f => f.split_whitespace().map(String::from).collect(),
        };
        out.push(Case {
            line: i + 1,
            query: cols[0].to_string(),
            expect,
            filters,
            note: cols.get(3).unwrap_or(&"").to_string(),
        });
    }
    out
}

#[test]
fn search_cases_find_the_expected_records() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "at least 40 cases, found {}",
        cases.len()
    );
    assert!(
        cases.iter().filter(|c| c.expect.is_none()).count() >= 5,
        "cases that must return nothing"
    );
    let data = seeded();
    let mut failures = Vec::new();
    for case in &cases {
        let mut args = vec![
            "search",
            case.query.as_str(),
            "--format",
            "json",
            "--limit",
            "5",
        ];
        args.extend(case.filters.iter().map(String::as_str));
        let out = tsunagu(data.path(), &args);
        if !out.status.success() {
            failures.push(format!(
                "line {} {:?}: exit {:?}: {}",
                case.line,
                case.query,
                out.status.code(),
                stderr(&out)
            ));
            continue;
        }
        let v = json(&out);
        let ids = result_ids(&v);
        match &case.expect {
            None if !ids.is_empty() => failures.push(format!(
                "line {} {:?} {:?}: expected nothing, got {ids:?} ({})",
                case.line, case.query, case.filters, case.note
            )),
            Some(want) => {
                let missing: Vec<&String> = want.iter().filter(|w| !ids.contains(w)).collect();
                if !missing.is_empty() {
                    failures.push(format!(
                        "line {} {:?} {:?}: missing {missing:?} from top 5 {ids:?} ({})",
                        case.line, case.query, case.filters, case.note
                    ));
                }
            }
            None => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} search cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// tests/cases/understood_search_cases.tsv: queries with a place, a day or
/// a cost (generated from the seed records by an oracle that does not use
/// the engine): the records that fit must be in the top 10 (the oracle
/// cannot read every schedule the engine reads, so records it leaves out
/// may rightly rank above), and records of
/// the same category known not to fit (another ward, a known schedule
/// without that day, a known fee over the limit) must not be in the top 10.
#[test]
fn understood_queries_rank_what_fits_and_leave_out_what_does_not() {
    let text =
        std::fs::read_to_string(root().join("tests/cases/understood_search_cases.tsv")).unwrap();
    let data = seeded();
    let mut failures = Vec::new();
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("query\t") || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 3,
            "line {}: query, expect_top5, not_top10",
            i + 1
        );
        count += 1;
        let out = tsunagu(
            data.path(),
            &["search", cols[0], "--format", "json", "--limit", "10"],
        );
        assert!(out.status.success(), "line {}: {}", i + 1, stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ids: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let list = |c: &str| -> Vec<String> {
            match c.trim() {
                "-" | "" => Vec::new(),
                l => l.split(',').map(String::from).collect(),
            }
        };
        let missing: Vec<String> = list(cols[1])
            .into_iter()
            .filter(|id| !ids.contains(id))
            .collect();
        let wrong: Vec<String> = list(cols[2])
            .into_iter()
            .filter(|id| ids.contains(id))
            .collect();
        if !missing.is_empty() || !wrong.is_empty() {
            failures.push(format!(
                "line {} {:?}: missing from top 10 {:?}, must not be in top 10 {:?}; got {:?}",
                i + 1,
                cols[0],
                missing,
                wrong,
                ids
            ));
        }
    }
    assert!(count >= 150, "at least 150 cases, found {count}");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
