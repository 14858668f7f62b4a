//! Properties of both readers: any mix of good and bad lines (rows) gives
//! exactly the good ones accepted and exactly the bad ones rejected, each on
//! its own line; and no input makes a reader panic.

use std::io::BufReader;

use proptest::prelude::*;
use tsunagu_ingest::{CsvEncoding, LineError, MAX_LINE_BYTES, SourceLine, read_csv, read_jsonl};

/// What a line or row should come back as.
#[derive(Debug, Clone)]
enum Expect {
    Accepted(String),
    /// Rejected, with a check of the error.
    Rejected(fn(&LineError, usize) -> bool),
}

fn compare(
    got: &[SourceLine],
    want: &[(usize, Expect)],
    input: &[u8],
) -> Result<(), TestCaseError> {
    let got_lines: Vec<usize> = got.iter().map(|l| l.line).collect();
    let want_lines: Vec<usize> = want.iter().map(|(l, _)| *l).collect();
    prop_assert_eq!(
        &got_lines,
        &want_lines,
        "input {:?}\ngot {:#?}",
        String::from_utf8_lossy(input),
        got
    );
    for (g, (line, w)) in got.iter().zip(want) {
        match (w, &g.outcome) {
            (Expect::Accepted(id), Ok(r)) => prop_assert_eq!(&r.id, id),
            (Expect::Rejected(ok), Err(e)) => {
                prop_assert!(ok(e, *line), "line {}: unexpected {:?}", line, e)
            }
            _ => prop_assert!(
                false,
                "line {}: wanted {:?}, got {:?}\ninput {:?}",
                line,
                w,
                g.outcome,
                String::from_utf8_lossy(input)
            ),
        }
    }
    Ok(())
}

// ------------------------------------------------------------ JSON Lines

#[derive(Debug, Clone, Copy)]
enum JKind {
    Good,
    Blank,
    BadJson,
    NotObject,
    MissingName,
    BadUtf8,
    DuplicateKey,
    ControlInName,
    TooLong,
}

fn jkind() -> impl Strategy<Value = JKind> {
    prop_oneof![
        8 => Just(JKind::Good),
        2 => Just(JKind::Blank),
        2 => Just(JKind::BadJson),
        1 => Just(JKind::NotObject),
        2 => Just(JKind::MissingName),
        2 => Just(JKind::BadUtf8),
        2 => Just(JKind::DuplicateKey),
        1 => Just(JKind::ControlInName),
        1 => Just(JKind::TooLong),
    ]
}

fn json_line(kind: JKind, id: &str) -> (Vec<u8>, Option<Expect>) {
    let body = r#""kind":"kayoi","categories":["salon"],"address":"千葉市稲毛区""#;
    let good = format!(r#"{{"id":"{id}","name":"サロン{id}",{body}}}"#);
    match kind {
        JKind::Good => (good.into_bytes(), Some(Expect::Accepted(id.into()))),
        JKind::Blank => (b"  \t".to_vec(), None),
        JKind::BadJson => (
            format!(r#"{{"id":"{id}","name":"#).into_bytes(),
            Some(Expect::Rejected(|e, _| matches!(e, LineError::Json { .. }))),
        ),
        JKind::NotObject => (
            format!(r#"["{id}"]"#).into_bytes(),
            Some(Expect::Rejected(|e, _| {
                *e == LineError::NotObject { found: "array" }
            })),
        ),
        JKind::MissingName => (
            format!(r#"{{"id":"{id}",{body}}}"#).into_bytes(),
            Some(Expect::Rejected(|e, _| e.fields() == ["name"])),
        ),
        JKind::BadUtf8 => {
            let mut b = format!(r#"{{"id":"{id}","name":"サロン"#).into_bytes();
            b.extend_from_slice(b"\xC3\x28");
            b.extend_from_slice(format!(r#"",{body}}}"#).as_bytes());
            (
                b,
                Some(Expect::Rejected(|e, _| matches!(e, LineError::Utf8 { .. }))),
            )
        }
        JKind::DuplicateKey => (
            format!(r#"{{"id":"{id}","name":"A",{body},"name":"B"}}"#).into_bytes(),
            Some(Expect::Rejected(|e, _| {
                *e == LineError::DuplicateKey { key: "name".into() }
            })),
        ),
        JKind::ControlInName => (
            format!(r#"{{"id":"{id}","name":"サロン\u001b[2J",{body}}}"#).into_bytes(),
            Some(Expect::Rejected(|e, _| e.fields() == ["name"])),
        ),
        JKind::TooLong => {
            let mut b = good.into_bytes();
            b.resize(MAX_LINE_BYTES + 1, b' ');
            (
                b,
                Some(Expect::Rejected(|e, _| {
                    *e == LineError::TooLong {
                        max: MAX_LINE_BYTES,
                    }
                })),
            )
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn jsonl_good_lines_pass_and_bad_lines_are_named(
        lines in prop::collection::vec((jkind(), any::<bool>()), 0..30),
        bom in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let mut input = Vec::new();
        if bom {
            input.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let mut want = Vec::new();
        for (i, (kind, crlf)) in lines.iter().enumerate() {
            let (bytes, expect) = json_line(*kind, &format!("p-{i}"));
            input.extend_from_slice(&bytes);
            if i + 1 < lines.len() || final_newline {
                input.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
            }
            if let Some(e) = expect {
                want.push((i + 1, e));
            }
        }
        let got: Vec<SourceLine> = read_jsonl(BufReader::new(&input[..]), "p.jsonl")
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare(&got, &want, &input)?;
    }
}

// ------------------------------------------------------------------- CSV

const HEADER: &str = "ID,種別,名称,分類,住所,説明,担当者,内部メモ,公開区分";
const WIDTH: usize = 9;

#[derive(Debug, Clone)]
enum CKind {
    Good,
    GoodQuoted,
    /// A 説明 over several lines: (lines of prose, index into PROSE).
    GoodMultiLine(Vec<usize>),
    /// 説明 and 内部メモ both over several lines.
    GoodTwoMultiLine(Vec<usize>, Vec<usize>),
    BadCategory,
    /// Cells added (positive) or taken away (negative).
    Ragged(i8),
    /// A `"` at the start of this cell of an otherwise good row.
    Stray(usize),
    BadUtf8,
    /// A multi-line 説明 whose second line has a byte that is not UTF-8.
    MultiLineBadByte,
    Blank,
    BlankCells,
}

const PROSE: &[&str] = &[
    "毎週の体操です",
    "",
    "参加費は1,000円、材料費は500円",
    "彼は\"\"元気\"\"です",
    "\"\"引用\"\"から始まる行",
    "  字下げした行",
    "a, b, c",
];

fn ckind() -> impl Strategy<Value = CKind> {
    prop_oneof![
        6 => Just(CKind::Good),
        2 => Just(CKind::GoodQuoted),
        3 => prop::collection::vec(0..PROSE.len(), 2..5).prop_map(CKind::GoodMultiLine),
        1 => (
            prop::collection::vec(0..PROSE.len(), 2..4),
            prop::collection::vec(0..PROSE.len(), 2..4)
        )
            .prop_map(|(a, b)| CKind::GoodTwoMultiLine(a, b)),
        2 => Just(CKind::BadCategory),
        2 => prop_oneof![Just(1i8), Just(2), Just(-1), Just(-3)].prop_map(CKind::Ragged),
        3 => (0..WIDTH).prop_map(CKind::Stray),
        2 => Just(CKind::BadUtf8),
        1 => Just(CKind::MultiLineBadByte),
        1 => Just(CKind::Blank),
        1 => Just(CKind::BlankCells),
    ]
}

fn cells(id: &str, description: &str) -> Vec<String> {
    vec![
        id.into(),
        "通いの場".into(),
        format!("サロン{id}"),
        "茶話会・サロン".into(),
        "千葉市稲毛区小仲台2丁目".into(),
        description.into(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// The bytes of one row (its physical lines joined by `nl`), how many
/// physical lines it takes, and what should come back.
fn csv_row(kind: &CKind, id: &str, nl: &str) -> (Vec<u8>, usize, Option<Expect>) {
    let accepted = Some(Expect::Accepted(id.to_string()));
    match kind {
        CKind::Good => (cells(id, "ふつう").join(",").into_bytes(), 1, accepted),
        CKind::GoodQuoted => (
            cells(id, "\"説明, \"\"引用\"\"\"").join(",").into_bytes(),
            1,
            accepted,
        ),
        CKind::GoodMultiLine(prose) => {
            let text: Vec<&str> = prose.iter().map(|&i| PROSE[i]).collect();
            let description = format!("\"{}\"", text.join(nl));
            (
                cells(id, &description).join(",").into_bytes(),
                prose.len(),
                accepted,
            )
        }
        CKind::GoodTwoMultiLine(first, second) => {
            let quote = |p: &[usize]| {
                let text: Vec<&str> = p.iter().map(|&i| PROSE[i]).collect();
                format!("\"{}\"", text.join(nl))
            };
            let mut c = cells(id, &quote(first));
            c[7] = quote(second);
            (
                c.join(",").into_bytes(),
                first.len() + second.len() - 1,
                accepted,
            )
        }
        CKind::BadCategory => {
            let mut c = cells(id, "ふつう");
            c[3] = "カラオケ".into();
            (
                c.join(",").into_bytes(),
                1,
                Some(Expect::Rejected(|e, _| {
                    e.fields() == ["分類 (categories[0])"]
                })),
            )
        }
        CKind::Ragged(by) => {
            let mut c = cells(id, "ふつう");
            if *by > 0 {
                c.extend((0..*by).map(|_| "余分".to_string()));
            } else {
                c.truncate(WIDTH - by.unsigned_abs() as usize);
            }
            (
                c.join(",").into_bytes(),
                1,
                Some(Expect::Rejected(
                    |e, _| matches!(e, LineError::FieldCount { expected: WIDTH, to_line: None, found } if *found != WIDTH),
                )),
            )
        }
        CKind::Stray(column) => {
            let mut c = cells(id, "ふつう");
            c[*column].insert(0, '"');
            (
                c.join(",").into_bytes(),
                1,
                // Rejected whichever way; never accepted, never swallowing.
                Some(Expect::Rejected(|_, _| true)),
            )
        }
        CKind::BadUtf8 => {
            let mut c = cells(id, "ふつう");
            c[2] = "サロン\u{0}".into();
            let mut b = c.join(",").into_bytes();
            let at = b.iter().position(|&x| x == 0).unwrap_or(0);
            b[at] = 0xFF;
            (
                b,
                1,
                Some(Expect::Rejected(|e, _| matches!(e, LineError::Utf8 { .. }))),
            )
        }
        CKind::MultiLineBadByte => {
            let description = format!("\"一行目{nl}二行目\u{0}\"");
            let mut b = cells(id, &description).join(",").into_bytes();
            let at = b.iter().position(|&x| x == 0).unwrap_or(0);
            b[at] = 0xFF;
            (
                b,
                2,
                Some(Expect::Rejected(
                    |e, line| matches!(e, LineError::InRecord { line: l, cause } if *l == line + 1 && matches!(**cause, LineError::Utf8 { .. })),
                )),
            )
        }
        CKind::Blank => (Vec::new(), 1, None),
        CKind::BlankCells => (",,,,,,,,".as_bytes().to_vec(), 1, None),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn csv_good_rows_pass_and_bad_rows_are_named_on_their_line(
        rows in prop::collection::vec(ckind(), 0..25),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut input = Vec::new();
        if bom {
            input.extend_from_slice(b"\xEF\xBB\xBF");
        }
        input.extend_from_slice(HEADER.as_bytes());
        let mut line = 2;
        let mut want = Vec::new();
        for (i, kind) in rows.iter().enumerate() {
            let (bytes, lines, expect) = csv_row(kind, &format!("c-{i}"), nl);
            input.extend_from_slice(nl.as_bytes());
            input.extend_from_slice(&bytes);
            if let Some(e) = expect {
                want.push((line, e));
            }
            line += lines;
        }
        if final_newline {
            input.extend_from_slice(nl.as_bytes());
        }
        let got = read_csv(&input, CsvEncoding::Detect)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare(&got, &want, &input)?;
        // Nothing a stray quote swallowed reaches an accepted record.
        for r in got.iter().filter_map(|l| l.outcome.as_ref().ok()) {
            let d = r.description.as_deref().unwrap_or("");
            prop_assert!(!d.contains("通いの場") && !d.contains("c-"), "{:?}", d);
        }
    }
}

// -------------------------------------------------------------- totality

/// Bytes that matter to the readers, to reach their corners more often
/// than uniform bytes do.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"\"",
        b",",
        b"\n",
        b"\r",
        b"\"\"",
        b"a",
        b" ",
        "あ".as_bytes(),
        b"\xFF",
        b"\x81",
        b"\x85\x40",
        b"\xE3\x81",
        b"\xEF\xBB\xBF",
        b"{",
        b"}",
        b":",
        b"[",
        b"\\u0000",
        b"\x00",
        b"\x1b",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..200).prop_map(|p| p.concat())
}

fn check_total(input: &[u8]) -> Result<(), TestCaseError> {
    let physical = input.split(|&b| b == b'\n').count();
    for encoding in [CsvEncoding::Detect, CsvEncoding::Utf8, CsvEncoding::Cp932] {
        if let Ok(lines) = read_csv(input, encoding) {
            let numbers: Vec<usize> = lines.iter().map(|l| l.line).collect();
            prop_assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{:?}", numbers);
            prop_assert!(numbers.iter().all(|&n| n >= 1 && n <= physical));
        }
    }
    let lines: Vec<_> = read_jsonl(BufReader::new(input), "t")
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let numbers: Vec<usize> = lines.iter().map(|l| l.line).collect();
    prop_assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{:?}", numbers);
    prop_assert!(numbers.iter().all(|&n| n >= 1 && n <= physical));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_total(&bytes)?;
    }

    #[test]
    fn hostile_bytes_after_a_header_are_read_without_panic(tail in hostile_bytes()) {
        let mut input = b"id,name,kind\n".to_vec();
        input.extend_from_slice(&tail);
        check_total(&input)?;
        check_total(&tail)?;
    }
}
