//! Needs from words: tests/cases/needs_cases.tsv against dictionaries/needs.tsv
//! with the real analyzer (IPADIC + user dictionary).

#![allow(clippy::unwrap_used)] // tests may unwrap

use tsunagu_match::NeedsLexicon;
use tsunagu_text::Analyzer;
use tsunagu_text::system_dictionary::DictionaryLocation;

#[test]
fn sentences_yield_the_expected_needs_and_suggestions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let lexicon = tsunagu_text::Lexicon::from_dir(&root.join("dictionaries")).unwrap();
    let needs = NeedsLexicon::parse(&lexicon.needs_tsv).unwrap();
    let analyzer = Analyzer::load(&DictionaryLocation::from_env(), lexicon).unwrap();
    let text = std::fs::read_to_string(root.join("tests/cases/needs_cases.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 3 || line.starts_with('#') {
            continue;
        }
        n += 1;
        let got = needs.derive(&analyzer, c[0]).unwrap();
        let mut codes: Vec<&str> = got.needs.iter().map(|d| d.code.code()).collect();
        codes.sort_unstable();
        let mut suggest: Vec<String> = got
            .suggestions
            .iter()
            .map(|s| {
                serde_json::to_value(s.constraint)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        suggest.sort();
        let want_codes: Vec<&str> = if c[1] == "-" {
            Vec::new()
        } else {
            c[1].split(',').collect()
        };
        let want_suggest: Vec<String> = if c[2] == "-" {
            Vec::new()
        } else {
            c[2].split(',').map(String::from).collect()
        };
        let mut want_codes = want_codes;
        want_codes.sort_unstable();
        let mut want_suggest = want_suggest;
        want_suggest.sort();
        if codes != want_codes || suggest != want_suggest {
            failures.push(format!(
                "line {}: {:?}: want {want_codes:?} {want_suggest:?}, got {codes:?} {suggest:?}",
                i + 1,
                c[0]
            ));
        }
        for d in &got.needs {
            assert!(
                c[0].contains(d.from.trim()),
                "{:?}: `from` {:?} is not from the text",
                c[0],
                d.from
            );
        }
    }
    assert!(n >= 50, "at least 50 sentences, found {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} needs cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
