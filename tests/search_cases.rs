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
