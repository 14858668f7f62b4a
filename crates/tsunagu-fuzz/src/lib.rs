//! The fuzz targets' bodies. Each function takes arbitrary bytes, drives one
//! parser of user input the way the product does, and checks what must hold
//! whatever the input: no panic, and the invariants named in each function.
//! `fuzz/fuzz_targets/*.rs` call these under libFuzzer; `tests/replay.rs`
//! calls them on every file of the kept corpora (`fuzz/corpus/TARGET/`) in
//! the ordinary test suite, so a crash found once stays fixed.
//!
//! A broken invariant panics: that is how a fuzzer learns of it.

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use tsunagu_engine::{Directory, Location, SearchQuery};
use tsunagu_ingest::{CsvEncoding, read_jsonl};
use tsunagu_text::Analyzer;

/// A target's body: arbitrary bytes in, a panic when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target, by the name of its corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("jsonl_reader", jsonl_reader),
    ("csv_reader", csv_reader),
    ("schedule_parser", schedule_parser),
    ("fee_parser", fee_parser),
    ("address_parser", address_parser),
    ("query_parser", query_parser),
    ("match_request", match_request),
];

/// JSON Lines: every line is accounted for once, in increasing order, and
/// an accepted record passes the record rules it was checked against.
pub fn jsonl_reader(data: &[u8]) {
    let mut last = 0;
    for item in read_jsonl(Cursor::new(data), "fuzz.jsonl") {
        let Ok(line) = item else { break };
        assert!(line.line > last, "line numbers must increase");
        last = line.line;
        if let Ok(record) = &line.outcome {
            assert_valid(record);
        }
    }
}

/// CSV in the encoding chosen by the first byte: the same accounting.
pub fn csv_reader(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let encoding = match selector % 3 {
        0 => CsvEncoding::Detect,
        1 => CsvEncoding::Utf8,
        _ => CsvEncoding::Cp932,
    };
    let Ok(records) = tsunagu_ingest::csv_records(bytes, encoding) else {
        return;
    };
    let mut last = 0;
    for line in records {
        assert!(line.line > last, "line numbers must increase");
        last = line.line;
        if let Ok(record) = &line.outcome {
            assert_valid(record);
        }
    }
}

fn assert_valid(record: &tsunagu_model::Record) {
    assert!(!record.id.is_empty() && record.id.chars().count() <= 128);
    assert!(!record.name.contains('\u{FFFD}'), "U+FFFD stored");
    assert!(
        !record.name.chars().any(char::is_control),
        "control in name"
    );
    if let (Some(lat), Some(lon)) = (record.lat, record.lon) {
        assert!(lat.is_finite() && lon.is_finite());
    }
}

fn text(data: &[u8]) -> &str {
    match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Schedule text: slots that are read are sound (start before end, hours
/// within the day, weeks 1–5, days 1–31).
pub fn schedule_parser(data: &[u8]) {
    use tsunagu_model::ScheduleKnowledge;
    if let ScheduleKnowledge::Slots(slots) = tsunagu_text::schedule::parse_schedule(text(data)) {
        for s in &slots {
            if let (Some(a), Some(b)) = (s.start, s.end) {
                assert!(a < b, "slot ends before it starts");
            }
            assert!(s.weeks.iter().all(|w| (1..=5).contains(w)));
            assert!(s.days.iter().all(|d| (1..=31).contains(d)));
        }
    }
}

/// Fee text: a fee that is read is never above the cap, and a known amount
/// always has a known unit.
pub fn fee_parser(data: &[u8]) {
    let fee = tsunagu_text::fee::parse_fee(text(data));
    if let Some(yen) = fee.yen {
        assert!(yen <= tsunagu_text::fee::MAX_FEE_YEN);
    }
}

fn locator() -> &'static tsunagu_geo::Locator {
    static LOCATOR: OnceLock<tsunagu_geo::Locator> = OnceLock::new();
    LOCATOR.get_or_init(|| match tsunagu_geo::Locator::seed() {
        Ok(l) => l,
        Err(e) => panic!("seed gazetteer: {e}"),
    })
}

/// Addresses (and points): a place that is found has a finite point.
pub fn address_parser(data: &[u8]) {
    let t = text(data);
    let place = locator().locate_address(t);
    if let Some((lat, lon)) = place.point {
        assert!(lat.is_finite() && lon.is_finite());
    }
    if let Location::Point(lat, lon) = Location::parse(t)
        && tsunagu_engine::limits::check_point(lat, lon).is_ok()
    {
        let _ = locator().locate_point(lat, lon);
    }
}

thread_local! {
    /// A small in-memory directory, built once per thread (the store's
    /// connection is not shared between threads; libFuzzer uses one).
    static DIR: Directory = sample_directory();
}

fn sample_directory() -> Directory {
    let analyzer: Arc<Analyzer> = match tsunagu_engine::load_analyzer(None) {
        Ok(a) => a,
        Err(e) => panic!("analyzer: {e}"),
    };
    let mut dir = match Directory::in_memory(analyzer) {
        Ok(d) => d,
        Err(e) => panic!("directory: {e}"),
    };
    let lines = read_jsonl(Cursor::new(SAMPLE.as_bytes()), "sample.jsonl");
    match dir.import_lines("sample.jsonl", lines) {
        Ok(report) => assert_eq!(report.accepted, 4, "sample import: {report:?}"),
        Err(e) => panic!("sample import: {e}"),
    }
    dir
}

const SAMPLE: &str = r#"{"id":"f-1","kind":"kayoi","name":"小仲台ふれあいサロン","categories":["salon"],"lat":35.6497,"lon":140.1106,"description":"お茶を飲みながらおしゃべり。車いすの方もどうぞ","schedule_text":"毎週火曜 10:00～11:30","fee_text":"1回100円"}
{"id":"f-2","kind":"service","name":"稲毛買い物お手伝い","categories":["shopping"],"lat":35.64,"lon":140.1,"service_area":["稲毛区"],"schedule_text":"平日 9時～17時","fee_text":"1時間600円"}
{"id":"f-3","kind":"kayoi","name":"都賀いきいき百歳体操","categories":["exercise"],"lat":35.629,"lon":140.141,"features":["wheelchair","trial"]}
{"id":"f-4","kind":"service","name":"ごみ出し応援隊","categories":["garbage"],"address":"千葉市若葉区都賀1丁目","service_area":["千葉市"],"visibility":"internal","notes_internal":"内部"}"#;

/// A search box's text through analysis, query building, search and
/// highlighting; also near a place when the text names one.
pub fn query_parser(data: &[u8]) {
    let t = text(data);
    let q = SearchQuery {
        text: t.to_string(),
        limit: 10,
        ..SearchQuery::default()
    };
    DIR.with(|dir| {
        // Understood (places, times, costs, situations) and as written.
        for literal in [false, true] {
            if let Ok(searched) = dir.search_understood(&q, literal) {
                let results = &searched.results;
                assert!(results.results.len() <= 10);
                for r in &results.results {
                    assert_ne!(r.id, "f-4", "internal record in a public search");
                }
                for u in &searched.understanding.understood {
                    assert!(
                        searched.understanding.text.len() <= t.len() * 4 + 16,
                        "remaining text grew: {u:?}"
                    );
                }
            }
        }
    });
}

/// A match request body: read with field errors, and answered when valid.
pub fn match_request(data: &[u8]) {
    let Ok(req) = tsunagu_engine::MatchRequest::from_json(text(data)) else {
        return;
    };
    let mut req = req;
    req.record = false;
    let Some(today) = chrono::NaiveDate::from_ymd_opt(2026, 12, 1) else {
        return;
    };
    DIR.with(|dir| {
        if let Ok(answer) = dir.match_request(&req, today) {
            let codes: Vec<_> = answer.needs.iter().map(|n| n.code).collect();
            for (i, c) in codes.iter().enumerate() {
                assert!(!codes[..i].contains(c), "a need answered twice");
            }
            for need in &answer.needs {
                assert!(need.matches.len() <= req.limit_per_need);
            }
        }
    });
}
