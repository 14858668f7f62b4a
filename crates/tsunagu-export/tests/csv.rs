//! CSV: an export reads back through tsunagu's own CSV importer as the
//! same records; CP932 refuses what Shift_JIS cannot hold, naming the
//! record, the column and the character.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::json;
use tsunagu_export::{Encoding, ExportError, ExportOptions, Format};
use tsunagu_ingest::{CsvEncoding, read_csv};
use tsunagu_model::{Audience, Placement, Record, record_from_json};

fn read_back(bytes: &[u8], encoding: CsvEncoding) -> Vec<Record> {
    read_csv(bytes, encoding)
        .unwrap()
        .into_iter()
        .map(|l| {
            l.outcome
                .unwrap_or_else(|e| panic!("line {} ({:?}): {}", l.line, l.id, e.message_ja()))
        })
        .collect()
}

fn assert_same(items: &[(Record, Placement)], back: &[Record], what: &str) {
    assert_eq!(back.len(), items.len(), "{what}");
    for ((want, _), got) in items.iter().zip(back) {
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn csv_export_reads_back_as_the_same_records() {
    for seed in 0..30 {
        let items = random_items(300 + seed, 40, Texts::Csv);
        for audience in [Audience::Coordinator, Audience::Public] {
            let items = projected(audience, &items);
            let bytes = export(Format::Csv, options(audience), &items);
            assert!(
                bytes.starts_with(b"\xEF\xBB\xBF"),
                "UTF-8 with a BOM by default"
            );
            assert_same(
                &items,
                &read_back(&bytes, CsvEncoding::Detect),
                &format!("seed {seed} {audience:?}"),
            );
        }
    }
}

#[test]
fn seed_data_reads_back_from_csv() {
    let seed: Vec<(Record, Placement)> = seed_records()
        .into_iter()
        .map(|r| (r, Placement::default()))
        .collect();
    let bytes = export(Format::Csv, options(Audience::Coordinator), &seed);
    assert_same(&seed, &read_back(&bytes, CsvEncoding::Detect), "seed");
    let public = projected(Audience::Public, &seed);
    let bytes = export(Format::Csv, options(Audience::Public), &public);
    assert_same(
        &public,
        &read_back(&bytes, CsvEncoding::Detect),
        "seed, public",
    );
}

#[test]
fn cp932_export_reads_back_when_every_character_fits() {
    let cp932 = ExportOptions {
        audience: Audience::Coordinator,
        encoding: Encoding::Cp932,
    };
    for seed in 0..20 {
        let items = random_items(400 + seed, 40, Texts::Cp932);
        let bytes = try_export(Format::Csv, cp932, &items).unwrap();
        assert!(std::str::from_utf8(&bytes).is_err(), "Shift_JIS bytes");
        assert_same(
            &items,
            &read_back(&bytes, CsvEncoding::Cp932),
            &format!("seed {seed}"),
        );
        // Detection finds it too.
        assert_same(
            &items,
            &read_back(&bytes, CsvEncoding::Detect),
            &format!("seed {seed}"),
        );
    }
}

fn record(id: &str, name: &str) -> Record {
    record_from_json(
        json!({"id": id, "kind": "kayoi", "name": name, "categories": ["salon"],
               "address": "千葉市稲毛区小仲台2丁目", "schedule_text": "毎週火曜 10時〜12時"})
        .as_object()
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn cp932_names_the_record_the_column_and_the_character_it_cannot_hold() {
    let cp932 = ExportOptions {
        audience: Audience::Coordinator,
        encoding: Encoding::Cp932,
    };
    // JIS X 0208 exports and reads back.
    let mut ok = record("ok-1", "高橋さんと山崎さんのサロン").clone();
    ok.schedule_text = Some("毎週火曜 10時～12時".into());
    let bytes = try_export(Format::Csv, cp932, &[(ok.clone(), Placement::default())]).unwrap();
    assert_eq!(read_back(&bytes, CsvEncoding::Cp932), vec![ok.clone()]);

    // 髙 is CP932's IBM extension, not Shift_JIS: the record and its
    // name column are named.
    let bad = record("taka-7", "髙橋サロン");
    let err = try_export(
        Format::Csv,
        cp932,
        &[
            (ok.clone(), Placement::default()),
            (bad, Placement::default()),
        ],
    )
    .unwrap_err();
    match &err {
        ExportError::Unencodable {
            id,
            column,
            key,
            character,
            ..
        } => {
            assert_eq!(
                (id.as_str(), *column, *key, *character),
                ("taka-7", "名称", "name", '髙')
            );
        }
        other => panic!("{other}"),
    }
    let ja = err.message_ja();
    assert!(
        ja.contains("taka-7") && ja.contains("名称") && ja.contains("髙") && ja.contains("高"),
        "{ja}"
    );
    assert!(err.to_string().contains("U+9AD9"), "{err}");
    let far = record("yoshi-7", "𠮷野サロン");
    let err = try_export(Format::Csv, cp932, &[(far, Placement::default())]).unwrap_err();
    assert!(err.to_string().contains("U+20BB7"), "{err}");

    // 〜 (U+301C, the JIS wave dash) is JIS X 0208's own character: it is
    // written as 0x8160, which Windows reads as ～ (U+FF5E).
    let wave = record("wave-1", "サロン");
    let bytes = try_export(Format::Csv, cp932, &[(wave.clone(), Placement::default())]).unwrap();
    let back = read_back(&bytes, CsvEncoding::Cp932);
    assert_eq!(
        back[0].schedule_text,
        wave.schedule_text.map(|t| t.replace('〜', "～"))
    );
}

#[test]
fn every_header_fits_cp932_and_maps_to_its_key() {
    for c in tsunagu_export::table::COLUMNS {
        assert_eq!(
            tsunagu_export::table::cp932_problem(c.header),
            None,
            "{}",
            c.header
        );
    }
    // The public CSV leaves the coordinators' columns out altogether.
    let public: Vec<&str> = tsunagu_export::table::columns(Audience::Public)
        .iter()
        .map(|c| c.header)
        .collect();
    for coordinators in ["担当者", "内部メモ", "公開区分"] {
        assert!(!public.contains(&coordinators));
    }
}

#[test]
fn json_formats_refuse_cp932() {
    let cp932 = ExportOptions {
        audience: Audience::Public,
        encoding: Encoding::Cp932,
    };
    for format in [Format::Hsds, Format::GeoJson] {
        assert!(matches!(
            try_export(format, cp932, &[]),
            Err(ExportError::EncodingNotForFormat { .. })
        ));
    }
}
