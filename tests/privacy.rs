//! The public/internal split: no public search result or `show` ever carries
//! an internal record, `notes_internal` or `contact.person`; coordinators see
//! them (the positive control that proves the test can fail).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::*;
use tsunagu_ingest::{CsvEncoding, read_csv, read_jsonl};
use tsunagu_model::{Category, Record, Visibility};

fn seed_records() -> Vec<Record> {
    let mut out = Vec::new();
    for file in seed_files() {
        let bytes = std::fs::read(&file).unwrap();
        let lines: Vec<_> = if file.extension().and_then(|e| e.to_str()) == Some("csv") {
            read_csv(&bytes, CsvEncoding::Detect).unwrap()
        } else {
            read_jsonl(&bytes[..], "seed").map(|l| l.unwrap()).collect()
        };
        out.extend(
            lines
                .into_iter()
                .map(|l| l.outcome.expect("seed records are valid")),
        );
    }
    out
}

#[test]
fn public_output_never_contains_internal_records_or_fields() {
    let records = seed_records();
    let internal: Vec<&Record> = records
        .iter()
        .filter(|r| r.visibility == Visibility::Internal)
        .collect();
    let secrets: BTreeSet<String> = records
        .iter()
        .flat_map(|r| {
            [
                r.notes_internal.clone(),
                r.contact.as_ref().and_then(|c| c.person.clone()),
            ]
        })
        .flatten()
        .filter(|s| s.chars().count() >= 3)
        .collect();
    assert!(
        internal.len() >= 5 && secrets.len() >= 20,
        "seed data must exercise the split"
    );

    // Queries that reach everything: category labels, internal names, words
    // from internal notes, and generic words.
    let mut queries: Vec<String> = Category::ALL
        .iter()
        .map(|c| c.label_ja().to_string())
        .collect();
    queries.extend(internal.iter().map(|r| r.name.clone()));
    queries.extend(
        [
            "見守り",
            "名簿",
            "民生委員",
            "ボランティア",
            "サロン",
            "体操",
            "支援",
        ]
        .map(String::from),
    );

    let data = seeded();
    let mut coordinator_saw_internal = false;
    for q in &queries {
        let public = tsunagu(
            data.path(),
            &[
                "search",
                q,
                "--format",
                "json",
                "--limit",
                "200",
                "--include-inactive",
            ],
        );
        let text = stdout(&public);
        let v = json(&public);
        for r in v["results"].as_array().unwrap() {
            assert_eq!(r["record"]["visibility"], "public", "{q}: {}", r["id"]);
            assert!(
                r["record"].get("notes_internal").is_none(),
                "{q}: {}",
                r["id"]
            );
            assert!(
                r["record"]["contact"].get("person").is_none(),
                "{q}: {}",
                r["id"]
            );
        }
        for rec in &internal {
            assert!(
                !text.contains(&format!("\"{}\"", rec.id)),
                "{q}: internal {} leaked",
                rec.id
            );
        }
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{q}: secret {s:?} leaked");
        }
        let coord = tsunagu(
            data.path(),
            &[
                "search",
                q,
                "--format",
                "json",
                "--limit",
                "200",
                "--audience",
                "coordinator",
            ],
        );
        let ids = result_ids(&json(&coord));
        coordinator_saw_internal |= internal.iter().any(|r| ids.contains(&r.id));
    }
    assert!(
        coordinator_saw_internal,
        "positive control: coordinators must see internal records"
    );

    for rec in &internal {
        let out = tsunagu(data.path(), &["show", &rec.id]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "public show of internal {}",
            rec.id
        );
        let out = tsunagu(data.path(), &["show", &rec.id, "--audience", "coordinator"]);
        assert!(out.status.success());
    }
    let with_person = records
        .iter()
        .find(|r| {
            r.visibility == Visibility::Public
                && r.contact.as_ref().is_some_and(|c| c.person.is_some())
        })
        .expect("a public record with a contact person");
    let public = stdout(&tsunagu(data.path(), &["show", &with_person.id]));
    let person = with_person
        .contact
        .as_ref()
        .and_then(|c| c.person.clone())
        .unwrap();
    assert!(!public.contains(&person), "person shown publicly");
    let coord = stdout(&tsunagu(
        data.path(),
        &["show", &with_person.id, "--audience", "coordinator"],
    ));
    assert!(
        coord.contains(&person),
        "positive control: coordinators see the person"
    );
}
