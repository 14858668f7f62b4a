//! The Sudachi 同義語辞書 as a second synonym source: a small sample in its
//! format (written for these tests) through the real analyzer and the
//! domain dictionaries, and, when a deployer's copy of the real file is
//! present (`TSUNAGU_SUDACHI_SYNONYMS` or dictionaries/sudachi/synonyms.txt),
//! the invariants of the filter over it. Without the file those tests say
//! so and pass: the repository never holds it.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use tsunagu_text::analyzer::{QueryConcept, SynonymSource};
use tsunagu_text::sudachi::{self, Expansion, NEVER_EXPAND, vocabulary_key};
use tsunagu_text::system_dictionary::DictionaryLocation;
use tsunagu_text::{Analyzer, Lexicon};

fn dictionaries() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../dictionaries")
}

/// Groups in the Sudachi source format. 散歩 and ウォーキング are one
/// synonyms.tsv group; おしゃべり and 雑談 are members of another; 話, 会話,
/// 介護 and 看護 are on the stop list; ご相談 analyses to the stop word 相談.
const SAMPLE: &str = "\
900001,1,0,1,0,0,0,(),散歩,,
900001,1,0,2,0,0,0,(),散策,,
900001,1,0,3,0,0,0,(スポーツ),ウォーキング,,
900001,1,1,4,0,0,0,(),そぞろ歩き,,
900001,2,0,5,0,0,0,(),歩く,,

900002,1,0,1,0,0,0,(),会話,,
900002,1,0,1,0,0,2,(),話,,
900002,1,0,2,0,0,0,(),おしゃべり,,
900002,1,0,3,0,0,0,(),雑談,,
900002,1,0,4,0,0,0,(),トーク,,
900002,1,0,5,0,0,0,(),ご相談,,

900003,1,0,1,0,0,0,(医療),介護,,
900003,1,0,2,0,0,0,(医療),看護,,
900003,1,1,3,0,0,0,(医療),介助,,

900004,1,0,1,0,0,0,(),盆栽,,
900004,1,0,2,0,0,0,(),はちうえ,,
";

fn analyzer_with(sample: Option<&str>) -> Analyzer {
    let mut lexicon = Lexicon::from_dir(&dictionaries()).unwrap();
    if let Some(text) = sample {
        lexicon.parse_sudachi("sample", text, &HashSet::new());
    }
    Analyzer::load(&DictionaryLocation::from_env(), lexicon).unwrap()
}

fn sampled() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| analyzer_with(Some(SAMPLE)))
}

fn concept(analyzer: &Analyzer, query: &str) -> QueryConcept {
    let mut concepts = analyzer.query_concepts(query).unwrap();
    assert_eq!(concepts.len(), 1, "{query}: {concepts:?}");
    concepts.remove(0)
}

/// Every Sudachi alternative of a concept, each as its terms joined.
fn sudachi_words(c: &QueryConcept) -> Vec<String> {
    c.weighted
        .iter()
        .inspect(|s| assert_eq!(s.source, SynonymSource::Sudachi))
        .flat_map(|s| s.alternatives.iter().map(|a| a.concat()))
        .collect()
}

#[test]
fn the_filter_keeps_groups_that_touch_the_domain_dictionaries() {
    let lexicon = sampled().lexicon();
    let s = lexicon.sudachi.as_ref().unwrap();
    let numbers: Vec<&str> = s.groups.iter().map(|g| g.number.as_str()).collect();
    // 900003 keeps only 介助, a target; 盆栽 and はちうえ are no domain words.
    assert_eq!(numbers, ["900001", "900002"]);
    assert_eq!(s.stats.groups_read, 4);
    assert_eq!(s.stats.dropped_not_noun, 1);
    // 話 is one character; 会話, 介護, 看護 are stop words.
    assert_eq!(s.stats.dropped_spelling, 1);
    assert_eq!(s.stats.dropped_never_expand, 3);
    assert_eq!(s.stats.members_kept, 8);
    assert_eq!(sampled().sudachi_group_count(), 2);
}

#[test]
fn a_source_word_expands_below_the_domain_synonyms() {
    let a = sampled();
    // 散歩 has the domain group (ウォーキング…) and gains 散策 and the
    // flag-1 そぞろ歩き; ウォーキング is not repeated.
    let c = concept(a, "散歩");
    assert!(!c.groups.is_empty(), "{c:?}");
    assert_eq!(sudachi_words(&c), ["散策", "そぞろ歩き"]);
    // 散策 is in no domain group: the Sudachi group brings the domain words.
    let c = concept(a, "散策");
    let words = sudachi_words(&c);
    assert!(words.contains(&"散歩".to_string()), "{words:?}");
    assert!(words.contains(&"うぉーきんぐ".to_string()), "{words:?}");
    assert!(!c.alternatives.iter().any(|alt| alt.concat() == "散歩"));
    // Weights: the user's word 1.0 > domain > Sudachi.
    assert!(SynonymSource::Domain.weight() < 1.0);
    assert!(SynonymSource::Sudachi.weight() < SynonymSource::Domain.weight());
}

#[test]
fn flag_one_members_and_stop_words_do_not_expand() {
    let a = sampled();
    for query in ["そぞろ歩き", "会話", "話", "介護", "看護", "介助", "盆栽"] {
        for c in a.query_concepts(query).unwrap() {
            assert!(c.weighted.is_empty(), "{query}: {c:?}");
        }
    }
    // トーク expands, but never to a stop word, spelled as such (話) or
    // analysed to one (ご相談 → 相談).
    let words = sudachi_words(&concept(a, "トーク"));
    assert_eq!(words, ["おしゃべり", "雑談"]);
}

#[test]
fn alternatives_are_never_repeated() {
    let a = sampled();
    for query in [
        "散歩",
        "散策",
        "トーク",
        "おしゃべり",
        "ウォーキング",
        "雑談",
    ] {
        for c in a.query_concepts(query).unwrap() {
            let mut seen: Vec<&Vec<String>> = c.alternatives.iter().collect();
            for s in &c.weighted {
                for alt in &s.alternatives {
                    assert!(!seen.contains(&alt), "{query}: {alt:?} twice in {c:?}");
                    seen.push(alt);
                }
            }
        }
    }
}

#[test]
fn the_sudachi_source_leaves_the_index_fingerprint_and_analysis_alone() {
    let plain = analyzer_with(None);
    let a = sampled();
    assert_eq!(plain.lexicon().fingerprint(), a.lexicon().fingerprint());
    let text = "散策とおしゃべりの会。トークも雑談も歓迎";
    let tokens = a.content_tokens(text).unwrap();
    assert_eq!(tokens, plain.content_tokens(text).unwrap());
    assert_eq!(a.index_groups(&tokens), plain.index_groups(&tokens));
    // Without the source nothing is weighted.
    assert!(concept(&plain, "散策").weighted.is_empty());
}

#[test]
fn a_file_in_the_dictionaries_directory_is_found() {
    if std::env::var_os(sudachi::SUDACHI_ENV).is_some_and(|v| !v.is_empty()) {
        eprintln!("skipped: {} is set and wins", sudachi::SUDACHI_ENV);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(sudachi::locate_file(Some(dir.path())), None);
    assert_eq!(sudachi::locate_file(None), None);
    std::fs::create_dir(dir.path().join("sudachi")).unwrap();
    let path = dir.path().join(sudachi::SUDACHI_FILE);
    std::fs::write(&path, SAMPLE).unwrap();
    assert_eq!(sudachi::locate_file(Some(dir.path())), Some(path.clone()));
    let mut lexicon = Lexicon::from_dir(&dictionaries()).unwrap();
    lexicon.load_sudachi(&path, &HashSet::new()).unwrap();
    assert_eq!(lexicon.sudachi.unwrap().stats.groups_kept, 2);
    let missing = Lexicon::from_dir(&dictionaries())
        .unwrap()
        .load_sudachi(&dir.path().join("absent.txt"), &HashSet::new());
    assert!(missing.is_err());
}

#[test]
fn a_caller_vocabulary_widens_the_filter() {
    let mut lexicon = Lexicon::from_dir(&dictionaries()).unwrap();
    // Any spelling that normalises and folds alike: full-width katakana.
    let extra: HashSet<String> = ["ハチウエ".to_string()].into();
    lexicon.parse_sudachi("sample", SAMPLE, &extra);
    let s = lexicon.sudachi.unwrap();
    assert!(s.groups.iter().any(|g| g.number == "900004"), "{s:?}");
}

/// The deployer's copy of the real dictionary, when there is one.
fn real_file() -> Option<PathBuf> {
    sudachi::locate_file(Some(&dictionaries()))
}

#[test]
fn the_real_dictionary_passes_the_filter_invariants() {
    let Some(path) = real_file() else {
        eprintln!("skipped: no Sudachi synonyms file (see docs/synonyms.md)");
        return;
    };
    let mut lexicon = Lexicon::from_dir(&dictionaries()).unwrap();
    lexicon.load_sudachi(&path, &HashSet::new()).unwrap();
    let vocabulary = lexicon.domain_vocabulary();
    let never: HashSet<String> = NEVER_EXPAND.iter().map(|w| vocabulary_key(w)).collect();
    let s = lexicon.sudachi.clone().unwrap();
    eprintln!("{}: {:?}", path.display(), s.stats);
    assert!(s.stats.groups_read > 1000, "{:?}", s.stats);
    assert!(s.stats.groups_kept > 0, "{:?}", s.stats);
    // Kept groups are a small part of the general dictionary.
    assert!(
        s.stats.groups_kept * 20 < s.stats.groups_read,
        "{:?}",
        s.stats
    );
    for g in &s.groups {
        assert!(g.members.len() >= 2, "{g:?}");
        assert!(
            g.members.iter().any(|m| m.expansion == Expansion::Source
                && vocabulary.contains(&vocabulary_key(&m.word))),
            "{g:?} touches no domain word through a source"
        );
        for m in &g.members {
            let key = vocabulary_key(&m.word);
            assert!(!never.contains(&key), "{g:?}");
            assert!(key.chars().count() >= 2 && !key.is_ascii(), "{g:?}");
        }
    }
    // Some domain word gains Sudachi alternatives, and no concept repeats
    // an alternative.
    let analyzer = Analyzer::load(&DictionaryLocation::from_env(), lexicon).unwrap();
    let mut expanded = 0;
    for g in &s.groups {
        for m in g
            .members
            .iter()
            .filter(|m| m.expansion == Expansion::Source)
        {
            for c in analyzer.query_concepts(&m.word).unwrap() {
                let sudachi: Vec<&Vec<String>> =
                    c.weighted.iter().flat_map(|w| &w.alternatives).collect();
                if !sudachi.is_empty() {
                    expanded += 1;
                }
                for alt in &sudachi {
                    assert!(!c.alternatives.contains(alt), "{}: {c:?}", m.word);
                }
            }
        }
    }
    assert!(expanded > 0);
}
