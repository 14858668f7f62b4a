//! The readers say what they could not read, on the line where it starts,
//! and every input is bounded. One test (or table) per finding of the
//! hostile probe: unclosed quotes, ragged rows and duplicate headers,
//! encodings, bounds, duplicate JSON keys, line numbers.

use std::io::{BufReader, Read};
use std::time::{Duration, Instant};

use encoding_rs::SHIFT_JIS;
use tsunagu_ingest::{
    CsvEncoding, IngestError, LineError, MAX_LINE_BYTES, MAX_RECORD_BYTES, SourceLine, read_csv,
    read_jsonl,
};
use tsunagu_model::FieldErrorKind;

// ---------------------------------------------------------------- helpers

/// What a test expects of one record: accepted with this id, or rejected
/// with this kind of error.
#[derive(Debug, Clone, PartialEq)]
enum Want {
    Ok(&'static str),
    Err(LineError),
    /// Rejected with `LineError::Fields` naming this field.
    Field(&'static str),
}

use Want::{Err as Rej, Field, Ok as Acc};

fn check(name: &str, got: &[SourceLine], want: &[(usize, Want)]) {
    let got_lines: Vec<usize> = got.iter().map(|l| l.line).collect();
    let want_lines: Vec<usize> = want.iter().map(|(l, _)| *l).collect();
    assert_eq!(got_lines, want_lines, "{name}: line numbers; got {got:#?}");
    for (line, (_, w)) in got.iter().zip(want) {
        match (w, &line.outcome) {
            (Acc(id), Ok(r)) => assert_eq!(r.id, *id, "{name} line {}", line.line),
            (Rej(e), Err(got_e)) => assert_eq!(got_e, e, "{name} line {}", line.line),
            (Field(f), Err(got_e)) => assert!(
                got_e.fields().iter().any(|g| g == f),
                "{name} line {}: {:?} lacks {f}",
                line.line,
                got_e.fields()
            ),
            _ => panic!("{name} line {}: wanted {w:?}, got {line:#?}", line.line),
        }
    }
}

fn csv(text: &str) -> Vec<SourceLine> {
    read_csv(text.as_bytes(), CsvEncoding::Detect).expect("the header is fine")
}

fn jsonl(bytes: &[u8]) -> Vec<SourceLine> {
    read_jsonl(BufReader::new(bytes), "test.jsonl")
        .collect::<Result<Vec<_>, _>>()
        .expect("no I/O error")
}

const HEADER: &str = "ID,種別,名称,分類,住所,説明,担当者,内部メモ,公開区分";
const WIDTH: usize = 9;

/// A good row of [`HEADER`] with a description cell as written.
fn row(id: &str, description: &str) -> String {
    format!("{id},通いの場,サロン{id},茶話会・サロン,千葉市稲毛区小仲台2丁目,{description},,,")
}

fn internal_row(id: &str) -> String {
    format!(
        "{id},通いの場,内部の会{id},茶話会・サロン,千葉市稲毛区小仲台2丁目,集まりです,山田花子,合鍵は管理人室,内部"
    )
}

fn bad_category_row(id: &str) -> String {
    format!("{id},通いの場,サロン{id},カラオケ,千葉市稲毛区小仲台2丁目,,,,")
}

fn file(rows: &[String]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn accepted_descriptions(lines: &[SourceLine]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.outcome.as_ref().ok())
        .filter_map(|r| r.description.clone())
        .collect()
}

// ------------------------------------------------ finding 1: stray quotes

#[test]
fn an_unclosed_quote_costs_its_own_line_only() {
    // Header + 9 rows; row 3 (line 4) opens a quote in 説明 that never
    // closes. 9 records come back: line 4 rejected, the 8 others on their
    // own lines.
    let rows = vec![
        row("r-1", "ふつう"),
        row("r-2", "ふつう"),
        row("r-3", "\"閉じていない説明"),
        row("r-4", "ふつう"),
        internal_row("r-5"),
        row("r-6", "ふつう"),
        bad_category_row("r-7"),
        row("r-8", "ふつう"),
        row("r-9", "ふつう"),
    ];
    let got = csv(&file(&rows));
    check(
        "unclosed",
        &got,
        &[
            (2, Acc("r-1")),
            (3, Acc("r-2")),
            (4, Rej(LineError::UnclosedQuote)),
            (5, Acc("r-4")),
            (6, Acc("r-5")),
            (7, Acc("r-6")),
            (8, Field("分類 (categories[0])")),
            (9, Acc("r-8")),
            (10, Acc("r-9")),
        ],
    );
    for d in accepted_descriptions(&got) {
        assert!(!d.contains("合鍵") && !d.contains("山田"), "{d}");
    }
    let internal = got[4].outcome.as_ref().unwrap();
    assert!(!internal.is_public());
}

#[test]
fn a_stray_quote_never_swallows_rows_into_an_accepted_record() {
    // (name, rows, expectation from line 2 on)
    let quoted_name =
        "r-8,通いの場,\"サロン \"\"あおば\"\"\",茶話会・サロン,千葉市稲毛区小仲台2丁目,ふつう,,,"
            .to_string();
    let multi_line =
        "r-8,通いの場,サロンr-8,茶話会・サロン,千葉市稲毛区小仲台2丁目,\"一行目\n二行目\",,,"
            .to_string();
    type Case = (&'static str, Vec<String>, Vec<(usize, Want)>);
    let cases: Vec<Case> = vec![
        (
            // The probe's case: the quote closes on a later row's quoted
            // cell, and everything between would become one 説明.
            "closes on a later quoted cell",
            vec![
                row("r-1", "ふつう"),
                row("r-2", "ふつう"),
                row("r-3", "\"閉じていない説明"),
                row("r-4", "ふつう"),
                internal_row("r-5"),
                row("r-6", "ふつう"),
                row("r-7", "ふつう"),
                quoted_name,
                row("r-9", "ふつう"),
            ],
            vec![
                (2, Acc("r-1")),
                (3, Acc("r-2")),
                (4, Rej(LineError::QuoteSwallowsRows { to_line: 9 })),
                (5, Acc("r-4")),
                (6, Acc("r-5")),
                (7, Acc("r-6")),
                (8, Acc("r-7")),
                (9, Acc("r-8")),
                (10, Acc("r-9")),
            ],
        ),
        (
            "closes on the next row's multi-line cell",
            vec![
                row("r-1", "ふつう"),
                row("r-3", "\"閉じていない説明"),
                multi_line,
                internal_row("r-5"),
            ],
            vec![
                (2, Acc("r-1")),
                (3, Rej(LineError::QuoteSwallowsRows { to_line: 4 })),
                (4, Acc("r-8")),
                (6, Acc("r-5")),
            ],
        ),
        (
            // Two strays in the same column with a ragged row between: the
            // cell count of lines 3–5 happens to be right.
            "stray, ragged, stray",
            vec![
                row("s-1", "ふつう"),
                row("s-2", "\"迷子の引用符"),
                format!("{},余分", row("s-3", "ふつう")),
                row("s-4", "\"また迷子"),
                internal_row("s-5"),
            ],
            vec![
                (2, Acc("s-1")),
                (3, Rej(LineError::QuoteSwallowsRows { to_line: 5 })),
                (
                    4,
                    Rej(LineError::FieldCount {
                        expected: WIDTH,
                        found: WIDTH + 1,
                        to_line: None,
                    }),
                ),
                (5, Rej(LineError::UnclosedQuote)),
                (6, Acc("s-5")),
            ],
        ),
        (
            "strays at the start of two lines",
            vec![
                format!("\"{}", row("c-1", "ふつう")),
                format!("\"{}", row("c-2", "ふつう")),
                row("c-3", "ふつう"),
            ],
            vec![
                (2, Rej(LineError::QuoteSwallowsRows { to_line: 3 })),
                (3, Rej(LineError::UnclosedQuote)),
                (4, Acc("c-3")),
            ],
        ),
        (
            "a wrong cell count across lines",
            vec![
                row("w-1", "\"一行目"),
                "二行目\",余分,,,".to_string(),
                row("w-2", "ふつう"),
            ],
            vec![
                (
                    2,
                    Rej(LineError::FieldCount {
                        expected: WIDTH,
                        found: WIDTH + 1,
                        to_line: Some(3),
                    }),
                ),
                (
                    3,
                    Rej(LineError::FieldCount {
                        expected: WIDTH,
                        found: 5,
                        to_line: None,
                    }),
                ),
                (4, Acc("w-2")),
            ],
        ),
    ];
    for (name, rows, want) in cases {
        let got = csv(&file(&rows));
        check(name, &got, &want);
        for d in accepted_descriptions(&got) {
            assert!(
                !d.contains('\n') || d == "一行目\n二行目",
                "{name}: a row leaked into {d:?}"
            );
            assert!(!d.contains("合鍵") && !d.contains("山田"), "{name}: {d}");
        }
    }
}

#[test]
fn multi_line_cells_still_work_with_bom_and_crlf() {
    let text = format!(
        "\u{FEFF}{HEADER}\r\n{}\r\n\r\n{}\r\n{}\r\n{}",
        row(
            "m-1",
            "\"一行目\r\n二行目、\"\"引用\"\"も, 1,000円\r\n\r\n四行目\""
        ),
        row("m-2", "ふつう"),
        row("m-3", "\"最後が改行\r\n\""),
        row("m-4", "\"終わりの引用符の後に空白\" "),
    );
    let got = csv(&text);
    check(
        "multi-line",
        &got,
        &[
            (2, Acc("m-1")),
            (7, Acc("m-2")),
            (8, Acc("m-3")),
            (10, Acc("m-4")),
        ],
    );
    let d: Vec<_> = accepted_descriptions(&got);
    assert_eq!(d[0], "一行目\n二行目、\"引用\"も, 1,000円\n\n四行目");
    assert_eq!(d[2], "最後が改行");
    assert_eq!(d[3], "終わりの引用符の後に空白");
}

#[test]
fn every_non_blank_line_is_accounted_for() {
    let rows = vec![
        row("a-1", "\"複数行の\n説明\""),
        row("a-2", "\"閉じない"),
        String::new(),
        ",,,,,,,,".into(),
        row("a-3", "ふつう"),
        "ばらばら,な,行".into(),
    ];
    let text = file(&rows);
    let got = csv(&text);
    // Line 2–3: one record; 4: rejected; 5: blank; 6: blank cells; 7, 8.
    check(
        "accounted",
        &got,
        &[
            (2, Acc("a-1")),
            (4, Rej(LineError::UnclosedQuote)),
            (7, Acc("a-3")),
            (
                8,
                Rej(LineError::FieldCount {
                    expected: WIDTH,
                    found: 3,
                    to_line: None,
                }),
            ),
        ],
    );
}

// -------------------------------- finding 2: ragged rows, duplicate headers

#[test]
fn ragged_rows_are_rejected_on_their_line() {
    let rows = vec![
        format!("{},余分なセル", row("g-1", "ふつう")),
        row("g-2", "ふつう"),
        "g-3,通いの場,短い行,茶話会・サロン,千葉市".to_string(),
        format!("{},,", row("g-4", "ふつう")),
    ];
    check(
        "ragged",
        &csv(&file(&rows)),
        &[
            (
                2,
                Rej(LineError::FieldCount {
                    expected: WIDTH,
                    found: WIDTH + 1,
                    to_line: None,
                }),
            ),
            (3, Acc("g-2")),
            (
                4,
                Rej(LineError::FieldCount {
                    expected: WIDTH,
                    found: 5,
                    to_line: None,
                }),
            ),
            (
                5,
                Rej(LineError::FieldCount {
                    expected: WIDTH,
                    found: WIDTH + 2,
                    to_line: None,
                }),
            ),
        ],
    );
}

#[test]
fn duplicate_columns_fail_the_file_naming_both() {
    // (header, key, first position, first header, second position, second header)
    let table = [
        ("ID,名称,住所,名称", "name", 2, "名称", 4, "名称"),
        ("ID,名称,name,住所", "name", 2, "名称", 3, "name"),
        ("id,ID,名称", "id", 1, "id", 2, "ID"),
        ("ID,名称,電話,TEL", "contact.phone", 3, "電話", 4, "TEL"),
        ("ID,名称,備考,備考", "備考", 3, "備考", 4, "備考"),
        ("ID,名称,緯度,ｌａｔ", "lat", 3, "緯度", 4, "ｌａｔ"),
    ];
    for (header, key, p1, h1, p2, h2) in table {
        let text = format!("{header}\nx-1,サロン,a,b\n");
        match read_csv(text.as_bytes(), CsvEncoding::Detect) {
            Err(IngestError::DuplicateColumn {
                key: k,
                first,
                first_header,
                second,
                second_header,
            }) => {
                assert_eq!(
                    (
                        k.as_str(),
                        first,
                        first_header.as_str(),
                        second,
                        second_header.as_str()
                    ),
                    (key, p1, h1, p2, h2),
                    "{header}"
                );
            }
            other => panic!("{header}: {other:?}"),
        }
    }
    let e = read_csv("ID,名称,名称\n".as_bytes(), CsvEncoding::Detect).unwrap_err();
    assert!(
        e.message_ja().contains("2列目「名称」と3列目「名称」"),
        "{}",
        e.message_ja()
    );
}

#[test]
fn columns_without_header_must_stay_empty() {
    let text = "ID,種別,名称,分類,住所,,\n\
                u-1,通いの場,サロン,salon,千葉市,,\n\
                u-2,通いの場,サロン,salon,千葉市,,迷子の値\n";
    let got = csv(text);
    check(
        "unnamed",
        &got,
        &[(2, Acc("u-1")), (3, Field("列7 (column 7)"))],
    );
    assert_eq!(got[1].id.as_deref(), Some("u-2"));
}

// --------------------------------------------------- finding 3: encodings

fn utf8_rows_with_bad_byte() -> (Vec<u8>, usize) {
    let good = file(&[
        row("e-1", "ふつう"),
        row("e-2", "ふつう"),
        row("e-3", "ふつう"),
    ]);
    let mut bytes = good.into_bytes();
    // Put 0xFF in the middle of e-2's name (line 3).
    let at = bytes
        .windows(b"e-2".len())
        .position(|w| w == b"e-2")
        .expect("e-2 is there");
    let line_start = at;
    let name_at = line_start + "e-2,通いの場,サロ".len();
    bytes.insert(name_at, 0xFF);
    (bytes, name_at - line_start)
}

#[test]
fn a_bad_byte_in_utf8_costs_its_line_only() {
    let (bytes, offset) = utf8_rows_with_bad_byte();
    for encoding in [CsvEncoding::Detect, CsvEncoding::Utf8] {
        let got = read_csv(&bytes, encoding).unwrap();
        check(
            "utf-8 with a bad byte",
            &got,
            &[
                (2, Acc("e-1")),
                (
                    3,
                    Rej(LineError::Utf8 {
                        valid_up_to: offset,
                    }),
                ),
                (4, Acc("e-3")),
            ],
        );
        assert_eq!(got[1].id.as_deref(), Some("e-2"), "the id cell is readable");
        assert_eq!(got[2].outcome.as_ref().unwrap().name, "サロンe-3");
    }
}

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn cp932_lines_that_cannot_be_mapped_are_rejected_on_their_line() {
    // Line 3: 0xFD is no Shift_JIS byte; line 4: 0x85 0x40 is a lead and
    // trail in a row CP932 leaves undefined.
    let mut bytes = sjis(&format!("{HEADER}\n{}\n", row("s-1", "ふつう")));
    let line3 = sjis("s-2,通いの場,サロン");
    bytes.extend_from_slice(&line3);
    bytes.push(0xFD);
    bytes.extend_from_slice(&sjis(",茶話会・サロン,千葉市,,,,\n"));
    let line4 = sjis("s-3,通いの場,サロン");
    bytes.extend_from_slice(&line4);
    bytes.extend_from_slice(&[0x85, 0x40]);
    bytes.extend_from_slice(&sjis(",茶話会・サロン,千葉市,,,,\n"));
    bytes.extend_from_slice(&sjis(&format!("{}\n", row("s-4", "説明"))));
    for encoding in [CsvEncoding::Detect, CsvEncoding::Cp932] {
        let got = read_csv(&bytes, encoding).unwrap();
        check(
            "cp932",
            &got,
            &[
                (2, Acc("s-1")),
                (3, Rej(LineError::Cp932 { byte: line3.len() })),
                (4, Rej(LineError::Cp932 { byte: line4.len() })),
                (5, Acc("s-4")),
            ],
        );
        assert_eq!(got[3].outcome.as_ref().unwrap().name, "サロンs-4");
        assert_eq!(got[1].id.as_deref(), Some("s-2"));
    }
}

#[test]
fn a_utf8_line_in_a_cp932_file_is_a_mix_up() {
    let mut bytes = sjis(&file(&[row("x-1", "シフトJISの説明"), row("x-2", "説明")]));
    bytes.extend_from_slice(format!("{}\n", row("x-3", "UTF-8の説明")).as_bytes());
    bytes.extend_from_slice(&sjis(&format!("{}\n", row("x-4", "もう一度シフトJIS"))));
    let got = read_csv(&bytes, CsvEncoding::Detect).unwrap();
    check(
        "mixed",
        &got,
        &[
            (2, Acc("x-1")),
            (3, Acc("x-2")),
            (4, Rej(LineError::MixedEncoding)),
            (5, Acc("x-4")),
        ],
    );
    assert_eq!(got[2].id.as_deref(), Some("x-3"));
    assert_eq!(
        got[3].outcome.as_ref().unwrap().description.as_deref(),
        Some("もう一度シフトJIS")
    );
}

#[test]
fn a_record_spanning_a_bad_line_is_rejected() {
    let mut bytes = format!("{HEADER}\n{}\n", row("b-1", "\"一行目")).into_bytes();
    bytes.extend_from_slice(b"\xE3\x81");
    bytes.extend_from_slice(format!("二行目\",,,\n{}\n", row("b-2", "ふつう")).as_bytes());
    let got = read_csv(&bytes, CsvEncoding::Detect).unwrap();
    check(
        "spanning",
        &got,
        &[
            (
                2,
                Rej(LineError::InRecord {
                    line: 3,
                    cause: Box::new(LineError::Utf8 { valid_up_to: 0 }),
                }),
            ),
            (4, Acc("b-2")),
        ],
    );
    assert_eq!(got[0].id.as_deref(), Some("b-1"));
}

#[test]
fn an_unreadable_header_fails_the_file() {
    let mut bytes = b"ID,\xFF\xFE\n".to_vec();
    bytes.extend_from_slice(row("h-1", "").as_bytes());
    let e = read_csv(&bytes, CsvEncoding::Utf8).unwrap_err();
    assert!(
        matches!(
            e,
            IngestError::HeaderEncoding {
                line: 1,
                byte: 3,
                ..
            }
        ),
        "{e:?}"
    );
    let garbage = [0u8, 159, 146, 150, 10, 1, 2, 3];
    assert!(read_csv(&garbage, CsvEncoding::Detect).is_err());
    let e = read_csv(b"ID,\"name\n", CsvEncoding::Detect).unwrap_err();
    assert!(
        matches!(e, IngestError::HeaderUnclosedQuote { line: 1 }),
        "{e:?}"
    );
}

#[test]
fn replacement_characters_are_never_stored() {
    let got = csv(&file(&[
        row("f-1", "文字化け\u{FFFD}です"),
        row("f-2", "ふつう"),
    ]));
    check(
        "csv U+FFFD",
        &got,
        &[(2, Field("説明 (description)")), (3, Acc("f-2"))],
    );
    let Err(LineError::Fields(errors)) = &got[0].outcome else {
        panic!("{got:?}")
    };
    assert_eq!(errors[0].kind, FieldErrorKind::ReplacementChar { at: 5 });
    let line = r#"{"id":"f-3","kind":"kayoi","name":"サロン\ufffd","categories":["salon"],"address":"千葉市"}"#;
    check(
        "jsonl U+FFFD",
        &jsonl(line.as_bytes()),
        &[(1, Field("name"))],
    );
}

// ------------------------------------------------------ finding 4: bounds

#[test]
fn an_endless_json_line_is_rejected_without_holding_it() {
    let started = Instant::now();
    let endless = BufReader::new(std::io::repeat(b'x').take(50 << 20));
    let got: Vec<_> = read_jsonl(endless, "zero")
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    check(
        "endless",
        &got,
        &[(
            1,
            Rej(LineError::TooLong {
                max: MAX_LINE_BYTES,
            }),
        )],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    // A line that never ends (/dev/zero) is reported as soon as it passes
    // the maximum, not when it ends.
    let first = read_jsonl(BufReader::new(std::io::repeat(0)), "/dev/zero").next();
    let Some(Ok(first)) = first else {
        panic!("{first:?}")
    };
    assert_eq!(first.line, 1);
    assert_eq!(
        first.outcome.unwrap_err(),
        LineError::TooLong {
            max: MAX_LINE_BYTES
        }
    );
}

fn good_json(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"kayoi","name":"サロン","categories":["salon"],"address":"千葉市"}}"#
    )
}

#[test]
fn a_long_json_line_is_skipped_and_the_next_lines_import() {
    let exactly_max = {
        let g = good_json("l-0");
        format!("{g}{}", " ".repeat(MAX_LINE_BYTES - g.len()))
    };
    assert_eq!(exactly_max.len(), MAX_LINE_BYTES);
    let too_long = format!("{exactly_max} ");
    let text = format!(
        "{exactly_max}\n{too_long}\n{}\n{too_long}",
        good_json("l-2")
    );
    check(
        "long lines",
        &jsonl(text.as_bytes()),
        &[
            (1, Acc("l-0")),
            (
                2,
                Rej(LineError::TooLong {
                    max: MAX_LINE_BYTES,
                }),
            ),
            (3, Acc("l-2")),
            (
                4,
                Rej(LineError::TooLong {
                    max: MAX_LINE_BYTES,
                }),
            ),
        ],
    );
}

#[test]
fn a_long_csv_record_is_rejected() {
    let long = "あ".repeat(MAX_RECORD_BYTES / 3 + 1);
    let rows = vec![
        row("t-1", &long),
        row("t-2", "ふつう"),
        row("t-3", &format!("\"{long}\n{long}\"")),
        row("t-4", "ふつう"),
    ];
    check(
        "long csv",
        &csv(&file(&rows)),
        &[
            (
                2,
                Rej(LineError::TooLong {
                    max: MAX_RECORD_BYTES,
                }),
            ),
            (3, Acc("t-2")),
            // Not closed within the limit: rejected, and the next line read
            // on its own (itself too long).
            (4, Rej(LineError::UnclosedQuote)),
            (
                5,
                Rej(LineError::TooLong {
                    max: MAX_RECORD_BYTES,
                }),
            ),
            (6, Acc("t-4")),
        ],
    );
}

#[test]
fn huge_bad_values_are_not_echoed() {
    let id = format!("\u{1b}[2J{}", "x".repeat(100_000));
    let line = format!(
        r#"{{"id":"{}","kind":"{}","name":"n","categories":["salon"],"address":"千葉市","verified_on":"{}"}}"#,
        id.replace('\u{1b}', "\\u001b"),
        "k".repeat(100_000),
        "d".repeat(100_000)
    );
    let got = jsonl(line.as_bytes());
    let reported = got[0].id.as_deref().unwrap();
    assert!(reported.chars().count() < 80, "{reported}");
    assert!(!reported.contains('\u{1b}'), "{reported}");
    let e = got[0].outcome.as_ref().unwrap_err();
    assert!(e.to_string().len() < 2_000, "{}", e.to_string().len());
    assert!(e.message_ja().len() < 2_000, "{}", e.message_ja().len());
    assert!(!e.to_string().contains('\u{1b}') && !e.message_ja().contains('\u{1b}'));
}

#[test]
fn hostile_quote_patterns_are_read_in_linear_time() {
    // Lines that open a quote whether read on their own or inside one: a
    // reader that re-reads from every rejected line would be quadratic.
    for pattern in ["x\",\"y", "a,\"b", "\"", ",\"\"\"", "\"a\"b\""] {
        let mut text = String::from(HEADER);
        for _ in 0..100_000 {
            text.push('\n');
            text.push_str(pattern);
        }
        let started = Instant::now();
        let got = csv(&text);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{pattern}: {:?}",
            started.elapsed()
        );
        assert!(got.iter().all(|l| l.outcome.is_err()), "{pattern}");
    }
}

// --------------------------------------------- finding 5: duplicate keys

#[test]
fn duplicate_json_keys_are_rejected_naming_the_key() {
    let base = r#""kind":"kayoi","categories":["salon"],"address":"千葉市""#;
    // (line, id reported, key)
    let table: [(String, Option<&str>, &str); 4] = [
        (
            format!(r#"{{"id":"d-1","name":"A","name":"B",{base}}}"#),
            Some("d-1"),
            "name",
        ),
        (
            format!(r#"{{"id":"d-2","id":"d-3","name":"A",{base}}}"#),
            None,
            "id",
        ),
        (
            format!(
                r#"{{"id":"d-4","name":"A",{base},"organizer":{{"name":"会","name":"別の会"}}}}"#
            ),
            Some("d-4"),
            "organizer.name",
        ),
        (
            format!(
                r#"{{"id":"d-5","name":"A",{base},"schedule":[{{"weekdays":["mon"],"start":"10:00","start":"11:00"}}]}}"#
            ),
            Some("d-5"),
            "schedule[0].start",
        ),
    ];
    let mut text = String::new();
    for (line, _, _) in &table {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&good_json("d-6"));
    let got = jsonl(text.as_bytes());
    let mut want: Vec<(usize, Want)> = table
        .iter()
        .enumerate()
        .map(|(i, (_, _, key))| {
            (
                i + 1,
                Rej(LineError::DuplicateKey {
                    key: key.to_string(),
                }),
            )
        })
        .collect();
    want.push((5, Acc("d-6")));
    check("duplicate keys", &got, &want);
    for (got, (_, id, _)) in got.iter().zip(&table) {
        assert_eq!(got.id.as_deref(), *id);
    }
}

// ------------------------------------------------ finding 6: line numbers

#[test]
fn json_line_numbers_are_exact_with_bom_crlf_and_blank_lines() {
    let text = format!(
        "\u{FEFF}{}\r\n\r\n   \n{}\r\n[1]\n\n{}",
        good_json("n-1"),
        good_json("n-2"),
        good_json("n-3")
    );
    check(
        "json lines",
        &jsonl(text.as_bytes()),
        &[
            (1, Acc("n-1")),
            (4, Acc("n-2")),
            (5, Rej(LineError::NotObject { found: "array" })),
            (7, Acc("n-3")),
        ],
    );
}

#[test]
fn csv_line_numbers_are_exact_after_blank_lines_before_the_header() {
    let text = format!(
        "\u{FEFF}\r\n\r\n{HEADER}\r\n{}\r\n{}\r\n\r\n{}",
        row("k-1", "\"二行の\r\n説明\""),
        row("k-2", "\"閉じない"),
        row("k-3", "ふつう")
    );
    check(
        "csv lines",
        &csv(&text),
        &[
            (4, Acc("k-1")),
            (6, Rej(LineError::UnclosedQuote)),
            (8, Acc("k-3")),
        ],
    );
}
