//! Phone numbers and kana words in queries: `phone_digits` against the table
//! in tests/cases/phone_cases.tsv, the fewest-pieces split of a kana word
//! against a term set, and how `query_concepts` marks both.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::HashSet;
use std::sync::OnceLock;

use tsunagu_text::Analyzer;
use tsunagu_text::analyzer::{
    MAX_SEGMENTED_KANA_CHARS, phone_digits, reading_segmentations, segment_into_terms,
};

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| {
        let dir = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../dictionaries");
        let lexicon = tsunagu_text::Lexicon::from_dir(&dir).unwrap();
        Analyzer::load(
            &tsunagu_text::system_dictionary::DictionaryLocation::from_env(),
            lexicon,
        )
        .unwrap()
    })
}

#[test]
fn phone_numbers_reduce_to_their_digits() {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/cases/phone_cases.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 2 {
            continue;
        }
        n += 1;
        let want = (c[1] != "-").then(|| c[1].to_string());
        let got = phone_digits(c[0]);
        if got != want {
            failures.push(format!(
                "line {}: {:?} want {want:?} got {got:?}",
                i + 1,
                c[0]
            ));
        }
    }
    assert!(n >= 15, "at least 15 cases, found {n}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn terms(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn kana_words_split_into_the_fewest_known_terms() {
    let known = terms(&[
        "にんち",
        "にんちしょう",
        "しょう",
        "かふぇ",
        "ひゃく",
        "ひゃくさい",
        "さい",
        "たいそう",
    ]);
    let split = |w: &str| segment_into_terms(w, |p| known.contains(p));
    assert_eq!(
        split("にんちしょうかふぇ").unwrap(),
        ["にんちしょう", "かふぇ"]
    );
    assert_eq!(
        split("ひゃくさいたいそう").unwrap(),
        ["ひゃくさい", "たいそう"]
    );
    assert_eq!(split("かふぇ").unwrap(), ["かふぇ"]);
    assert_eq!(
        split("かふぇでぃすこ"),
        None,
        "an unknown rest leaves no split"
    );
    assert_eq!(split(""), None);
    let long = "かふぇ".repeat(MAX_SEGMENTED_KANA_CHARS / 3 + 1);
    assert_eq!(split(&long), None, "longer than the bound is not tried");
}

#[test]
fn each_substring_is_looked_up_at_most_once() {
    let mut asked: Vec<String> = Vec::new();
    let word = "ひゃくさいたいそう";
    let _ = segment_into_terms(word, |p| {
        asked.push(p.to_string());
        false
    });
    let distinct: HashSet<&String> = asked.iter().collect();
    assert_eq!(distinct.len(), asked.len(), "{asked:?}");
    let n = word.chars().count();
    assert!(asked.len() <= n * (n + 1) / 2);
}

#[test]
fn splits_skip_the_whole_word_and_try_without_an_honorific_prefix() {
    // The whole word may be a term (a name_kana kept as one unknown word);
    // the split into several terms is what most records hold.
    let known = terms(&["にんちしょうかふぇ", "にんちしょう", "かふぇ"]);
    assert_eq!(
        reading_segmentations("にんちしょうかふぇ", |p| known.contains(p)),
        vec![vec!["にんちしょう".to_string(), "かふぇ".to_string()]]
    );
    // お is not indexed (接頭詞), so おはなしあいて is tried as はなしあいて.
    let known = terms(&["はなしあいて", "はなし", "あいて"]);
    let splits = reading_segmentations("おはなしあいて", |p| known.contains(p));
    assert!(
        splits.contains(&vec!["はなしあいて".to_string()]),
        "{splits:?}"
    );
    assert!(
        splits.contains(&vec!["はなし".to_string(), "あいて".to_string()]),
        "{splits:?}"
    );
    assert!(reading_segmentations("かふぇ", |_| false).is_empty());
}

#[test]
fn query_chunks_mark_phone_numbers_and_kana_words() {
    let concepts = analyzer()
        .query_concepts("０４３－２２５－８６１８ にんちしょうかふぇ ﾆﾝﾁｼｮｳｶﾌｪ 認知症カフェ")
        .unwrap();
    assert_eq!(
        concepts[0].alternatives,
        vec![vec!["0432258618".to_string()]]
    );
    assert!(concepts[0].readings.is_empty());
    assert_eq!(
        concepts[1].kana_reading.as_deref(),
        Some("にんちしょうかふぇ")
    );
    assert_eq!(
        concepts[2].kana_reading.as_deref(),
        Some("にんちしょうかふぇ"),
        "half width"
    );
    assert!(
        concepts[3..].iter().all(|c| c.kana_reading.is_none()),
        "{concepts:?}"
    );
    // A kana chunk IPADIC splits into several words stays word by word.
    let parts = analyzer().query_concepts("ポールウォーキング").unwrap();
    assert!(
        parts.len() > 1 && parts.iter().all(|c| c.kana_reading.is_none()),
        "{parts:?}"
    );
}
