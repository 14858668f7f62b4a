//! Property: an import of any mix of good and bad lines stores exactly the
//! good ones and reports exactly the bad ones, with their line numbers, and
//! what was stored before stays as it was.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use tsunagu_engine::{Audience, Directory};
use tsunagu_ingest::read_jsonl;
use tsunagu_text::Analyzer;

fn analyzer() -> Arc<Analyzer> {
    static A: OnceLock<Arc<Analyzer>> = OnceLock::new();
    A.get_or_init(|| tsunagu_engine::load_analyzer(None).unwrap())
        .clone()
}

#[derive(Debug, Clone)]
enum Line {
    Good,
    Blank,
    NotJson,
    NotObject,
    UnknownKind,
    MissingName,
    BadPoint,
    DuplicateKey,
    BadUtf8,
    ControlInName,
    ReplacementChar,
    NameTooLong,
}

impl Line {
    fn is_good(&self) -> bool {
        matches!(self, Line::Good)
    }
    fn counts(&self) -> bool {
        !matches!(self, Line::Blank)
    }
    fn bytes(&self, i: usize) -> Vec<u8> {
        let good = |extra: &str| {
            format!(
                r#"{{"id":"p-{i}","kind":"kayoi","name":"サロン{i}","categories":["salon"],"lat":35.6,"lon":140.1{extra}}}"#
            )
        };
        match self {
            Line::Good => good("").into_bytes(),
            Line::Blank => b"   ".to_vec(),
            Line::NotJson => format!(r#"{{"id":"p-{i}","kind":"#).into_bytes(),
            Line::NotObject => b"[1,2,3]".to_vec(),
            Line::UnknownKind => good("").replace("kayoi", "club").into_bytes(),
            Line::MissingName => good("")
                .replace(&format!(r#""name":"サロン{i}","#), "")
                .into_bytes(),
            Line::BadPoint => good("").replace("35.6", "135.6").into_bytes(),
            Line::DuplicateKey => good(r#","kind":"service""#).into_bytes(),
            Line::BadUtf8 => {
                let mut b = good("").into_bytes();
                b.insert(b.len() - 2, 0xFF);
                b
            }
            Line::ControlInName => good("").replace("サロン", "サロン\\u001b[2J").into_bytes(),
            Line::ReplacementChar => good("").replace("サロン", "サ\u{FFFD}ロン").into_bytes(),
            Line::NameTooLong => good("").replace("サロン", &"長".repeat(201)).into_bytes(),
        }
    }
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        6 => Just(Line::Good),
        1 => Just(Line::Blank),
        1 => Just(Line::NotJson),
        1 => Just(Line::NotObject),
        1 => Just(Line::UnknownKind),
        1 => Just(Line::MissingName),
        1 => Just(Line::BadPoint),
        1 => Just(Line::DuplicateKey),
        1 => Just(Line::BadUtf8),
        1 => Just(Line::ControlInName),
        1 => Just(Line::ReplacementChar),
        1 => Just(Line::NameTooLong),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn exactly_the_good_lines_are_stored(lines in prop::collection::vec(line(), 1..40)) {
        let mut dir = Directory::in_memory(analyzer()).unwrap();
        // A record stored before the import must survive it unchanged.
        let before = r#"{"id":"keep","kind":"service","name":"前からある記録","categories":["garbage"],"lat":35.6,"lon":140.1}"#;
        dir.import_lines("before.jsonl", read_jsonl(Cursor::new(before.as_bytes()), "before.jsonl")).unwrap();
        let kept = dir.get("keep", Audience::Coordinator).unwrap().unwrap();

        let mut file = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            file.extend(l.bytes(i));
            file.push(b'\n');
        }
        let report = dir
            .import_lines("mix.jsonl", read_jsonl(Cursor::new(file), "mix.jsonl"))
            .unwrap();
        let want_bad: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.counts() && !l.is_good())
            .map(|(i, _)| i + 1)
            .collect();
        let got_bad: Vec<usize> = report.rejections.iter().map(|r| r.line).collect();
        prop_assert_eq!(&got_bad, &want_bad, "{:?}", report.rejections);
        let good: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.is_good()).map(|(i, _)| i).collect();
        prop_assert_eq!(report.accepted as usize, good.len());
        prop_assert_eq!(report.rejected as usize, want_bad.len());
        prop_assert_eq!(dir.record_count().unwrap() as usize, good.len() + 1);
        for i in good {
            let id = format!("p-{i}");
            prop_assert!(dir.get(&id, Audience::Coordinator).unwrap().is_some(), "{} missing", id);
        }
        let after = dir.get("keep", Audience::Coordinator).unwrap().unwrap();
        prop_assert_eq!(after.record, kept.record);
        prop_assert_eq!(after.last_changed, kept.last_changed);
    }
}
