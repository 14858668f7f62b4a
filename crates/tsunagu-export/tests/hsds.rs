//! HSDS: every exported service validates against the official HSDS 3.0
//! schemas (skipped, with a note, when ../shared is absent), and records
//! survive tsunagu → HSDS → tsunagu and HSDS → tsunagu → HSDS.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use tsunagu_export::taxonomy::{Meaning, taxonomy};
use tsunagu_export::{Format, hsds};
use tsunagu_ingest::SourceLine;
use tsunagu_model::{Audience, Placement, Record};

fn services(bytes: &[u8]) -> Vec<Value> {
    match serde_json::from_slice::<Value>(bytes).unwrap() {
        Value::Array(items) => items,
        other => panic!("not an array: {other}"),
    }
}

fn read_back(bytes: &[u8]) -> Vec<Record> {
    hsds::read(bytes)
        .unwrap()
        .map(|l: SourceLine| {
            l.outcome
                .unwrap_or_else(|e| panic!("line {} ({:?}): {e}", l.line, l.id))
        })
        .collect()
}

fn assert_valid(hsds: &Hsds, doc: &[Value]) {
    for s in doc {
        let errors = hsds.service_errors(s);
        assert!(
            errors.is_empty(),
            "{}\n{errors:#?}",
            serde_json::to_string_pretty(s).unwrap()
        );
    }
}

#[test]
fn seed_data_exports_validate_against_the_hsds_schemas() {
    let Some(hsds) = Hsds::load() else { return };
    let seed: Vec<(Record, Placement)> = seed_records()
        .into_iter()
        .map(|r| (r, Placement::default()))
        .collect();
    for audience in [Audience::Public, Audience::Coordinator] {
        let items = projected(audience, &seed);
        let doc = services(&export(Format::Hsds, options(audience), &items));
        assert_eq!(doc.len(), items.len());
        assert_valid(&hsds, &doc);
    }
}

#[test]
fn random_records_export_valid_hsds() {
    let Some(hsds) = Hsds::load() else { return };
    for seed in 0..20 {
        let items = random_items(seed, 50, Texts::Any);
        let doc = services(&export(
            Format::Hsds,
            options(Audience::Coordinator),
            &items,
        ));
        assert_valid(&hsds, &doc);
    }
}

#[test]
fn the_taxonomy_validates_and_a_broken_service_does_not() {
    let Some(hsds) = Hsds::load() else { return };
    assert!(hsds.taxonomy_errors(&taxonomy()).is_empty());
    for m in Meaning::all() {
        for term in [m.term(), m.inline_term()] {
            let term = serde_json::to_value(term).unwrap();
            assert!(hsds.term_errors(&term).is_empty(), "{term}");
        }
    }
    // The validator is wired: each breakage is caught, nested ones too.
    let items = random_items(7, 5, Texts::Any);
    let doc = services(&export(
        Format::Hsds,
        options(Audience::Coordinator),
        &items,
    ));
    let good = doc
        .iter()
        .find(|s| s["service_at_locations"].is_array() && s["schedules"].is_array())
        .expect("a service with a location and a schedule")
        .clone();
    assert!(hsds.service_errors(&good).is_empty());
    let mut breakages: Vec<(&str, Value)> = Vec::new();
    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("name");
    breakages.push(("no name", b));
    let mut b = good.clone();
    b["status"] = "open".into();
    breakages.push(("status not in the enum", b));
    let mut b = good.clone();
    b["id"] = "inage-k-001".into();
    breakages.push(("id not a UUID", b));
    let mut b = good.clone();
    b["schedules"][0]["freq"] = "DAILY".into();
    breakages.push(("schedule freq", b));
    let mut b = good.clone();
    b["service_at_locations"][0]["location"]["location_type"] = "home".into();
    breakages.push(("location type (through $ref)", b));
    let mut b = good.clone();
    b["url"] = "www.example.jp".into();
    breakages.push(("url format", b));
    for (what, broken) in breakages {
        assert!(
            !hsds.service_errors(&broken).is_empty(),
            "{what} passed validation"
        );
    }
}

#[test]
fn tsunagu_hsds_tsunagu_keeps_every_record() {
    for seed in 0..30 {
        let items = random_items(100 + seed, 40, Texts::Any);
        for audience in [Audience::Coordinator, Audience::Public] {
            let items = projected(audience, &items);
            let bytes = export(Format::Hsds, options(audience), &items);
            let back = read_back(&bytes);
            assert_eq!(back.len(), items.len());
            for ((want, _), got) in items.iter().zip(&back) {
                assert_eq!(got, want, "seed {seed}");
            }
        }
    }
    // The seed data too.
    let seed: Vec<(Record, Placement)> = seed_records()
        .into_iter()
        .map(|r| (r, Placement::default()))
        .collect();
    let back = read_back(&export(Format::Hsds, options(Audience::Coordinator), &seed));
    assert_eq!(back, seed.into_iter().map(|(r, _)| r).collect::<Vec<_>>());
}

#[test]
fn hsds_tsunagu_hsds_gives_the_same_document() {
    for seed in 0..30 {
        let items = random_items(200 + seed, 40, Texts::Any);
        let first = export(Format::Hsds, options(Audience::Coordinator), &items);
        let records = read_back(&first);
        // The engine derives the same placement from the same record.
        let again: Vec<(Record, Placement)> = records
            .into_iter()
            .zip(items.iter().map(|(_, p)| p.clone()))
            .collect();
        let second = export(Format::Hsds, options(Audience::Coordinator), &again);
        assert_eq!(
            String::from_utf8(second).unwrap(),
            String::from_utf8(first).unwrap(),
            "seed {seed}"
        );
    }
}

#[test]
fn what_the_engine_derived_is_shown_but_not_read_back() {
    let r: Record = tsunagu_model::record_from_json(
        json!({"id": "d-1", "kind": "kayoi", "name": "木曜サロン", "categories": ["salon"],
               "address": "千葉市稲毛区小仲台2丁目", "schedule_text": "毎週金曜 13時半から", "fee_text": "月500円"})
        .as_object()
        .unwrap(),
    )
    .unwrap();
    let p = Placement {
        ward: Some(tsunagu_model::Ward::Inage),
        lat: Some(35.64),
        lon: Some(140.1),
        located_from_address: true,
        inside_city: true,
        schedule: tsunagu_model::ScheduleKnowledge::Slots(vec![tsunagu_model::TimeSlot {
            weekdays: vec![tsunagu_model::Weekday::Fri],
            start: tsunagu_model::TimeOfDay::parse("13:30"),
            ..Default::default()
        }]),
        fee: tsunagu_model::FeeKnowledge {
            yen: Some(500),
            unit: tsunagu_model::FeeUnit::PerMonth,
            minutes: None,
        },
        ..Placement::default()
    };
    let bytes = export(
        Format::Hsds,
        options(Audience::Coordinator),
        &[(r.clone(), p)],
    );
    let doc = services(&bytes);
    let s = &doc[0];
    let location = &s["service_at_locations"][0]["location"];
    assert_eq!(location["latitude"], json!(35.64));
    assert_eq!(location["addresses"][0]["city"], "千葉市稲毛区");
    assert_eq!(location["addresses"][0]["address_1"], "小仲台2丁目");
    assert_eq!(s["schedules"][0]["byday"], "FR");
    assert_eq!(s["schedules"][0]["opens_at"], "13:30+09:00");
    assert_eq!(s["schedules"][0]["description"], "毎週金曜 13時半から");
    assert_eq!(s["cost_options"][0]["amount"], 500);
    assert_eq!(s["cost_options"][0]["option"], "月500円");
    let back = read_back(&bytes);
    assert_eq!(back, vec![r], "no point, slots or fee_yen of its own");
}

#[test]
fn a_document_written_elsewhere_is_read_as_far_as_the_format_allows() {
    let doc = r#"{"services": [
      {"id": "72422080-aa96-418c-9ef3-f77d3e60aed7", "name": "ふれあい食堂", "status": "inactive",
       "alternate_name": "フレアイショクドウ",
       "description": "月2回の会食会",
       "url": "https://example.jp/shokudo",
       "fees_description": "1食300円",
       "assured_date": "2024-05-01T09:00:00+09:00",
       "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "NPOまちの台所", "description": ""},
       "service_at_locations": [{"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765", "location": {
          "id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5", "location_type": "physical", "latitude": 35.6, "longitude": 140.1,
          "addresses": [{"id": "74706e55-df26-4b84-80fe-ecc30b5befb4", "address_1": "弁天1丁目", "city": "千葉市中央区",
                         "state_province": "千葉県", "postal_code": "260-0045", "country": "JP", "address_type": "physical"}]}}],
       "schedules": [
          {"id": "ceee812e-6ed2-4fe1-87d1-2c88c2d6b8b3", "freq": "MONTHLY", "byday": "2SA,4SA", "opens_at": "02:00:00Z", "closes_at": "04:00:00Z", "description": "第2・第4土曜 11時〜13時"},
          {"id": "887404d7-6479-48da-bb86-b1592da85aef", "freq": "MONTHLY", "bymonthday": "15", "description": "毎月15日"}],
       "cost_options": [{"id": "5c6b1d0e-2f3a-4b5c-8d7e-9f0a1b2c3d4e", "currency": "JPY", "amount": 300}],
       "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e", "number": "043-000-0000"}],
       "attributes": [{"id": "cb59e062-6e3f-451a-ab4f-5cc96bfdc172", "taxonomy_term": {"id": "8ba8f6d2-06d5-4a03-91c6-b87d99e3bbb9", "name": "会食", "description": "x"}},
                      {"id": "502b3383-de46-4b07-b110-76963acc4798", "taxonomy_term": {"id": "7856923f-2d44-4513-a239-29723b5350e5", "name": "WORKPLACE", "description": "y"}}]},
      {"id": "ae761ee1-73ba-44aa-b3d8-db7aa2d7394b", "name": "Puppy Time", "status": "active"}
    ]}"#;
    let lines: Vec<SourceLine> = hsds::read(doc.as_bytes()).unwrap().collect();
    assert_eq!(lines.len(), 2);
    let r = lines[0].outcome.as_ref().unwrap();
    assert_eq!(r.id, "72422080-aa96-418c-9ef3-f77d3e60aed7");
    assert_eq!(r.kind, tsunagu_model::Kind::Kayoi);
    assert_eq!(r.categories, vec![tsunagu_model::Category::Meal]);
    assert_eq!(r.name_kana.as_deref(), Some("フレアイショクドウ"));
    assert_eq!(r.status, tsunagu_model::Status::Paused);
    assert_eq!(r.address.as_deref(), Some("千葉県千葉市中央区弁天1丁目"));
    assert_eq!(r.point(), Some((35.6, 140.1)));
    assert_eq!(r.fee_yen, Some(300));
    assert_eq!(
        r.verified_on.map(|d| d.to_string()).as_deref(),
        Some("2024-05-01")
    );
    let slots = r.schedule.as_ref().unwrap();
    assert_eq!(slots.len(), 1, "the day-of-month rule is no slot");
    assert_eq!(slots[0].weeks, vec![2, 4]);
    assert_eq!(
        slots[0].start.map(|t| t.to_string()).as_deref(),
        Some("11:00")
    );
    assert_eq!(
        r.schedule_text.as_deref(),
        Some("第2・第4土曜 11時〜13時／毎月15日")
    );
    assert_eq!(
        r.contact.as_ref().and_then(|c| c.url.as_deref()),
        Some("https://example.jp/shokudo")
    );
    // A service with no category is rejected by itself, naming the field.
    assert_eq!(lines[1].line, 20);
    let fields = lines[1].outcome.as_ref().unwrap_err().fields();
    assert!(
        fields.iter().any(|f| f.contains("categories")),
        "{fields:?}"
    );
}

#[test]
fn the_official_examples_are_read_without_panicking_and_rejected_for_what_they_lack() {
    let Some(dir) = schema_dir() else { return };
    let examples = dir.join("../examples");
    for name in [
        "service_full.json",
        "service_list.json",
        "organization_full.json",
    ] {
        let bytes = std::fs::read(examples.join(name)).unwrap();
        let lines: Vec<SourceLine> = hsds::read(&bytes).unwrap().collect();
        assert!(!lines.is_empty(), "{name}");
        for l in lines {
            // English example services have no tsunagu category.
            let e = l.outcome.unwrap_err();
            assert!(
                e.fields().iter().any(|f| f.contains("categories")),
                "{name}: {e}"
            );
        }
    }
}
