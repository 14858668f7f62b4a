//! Needs from words: tests/cases/needs_cases.tsv against dictionaries/needs.tsv
//! with the real analyzer (IPADIC + user dictionary).
//!
//! Columns: text, codes (the needs answered), suggest, refused (codes the
//! senior refused), keywords (activities named, as written, on needs
//! answered or refused), kinds (the
//! request's `kinds`, or - for both), note. Lists are comma-separated, `-`
//! for none, compared without order.

#![allow(clippy::unwrap_used)] // tests may unwrap

use tsunagu_match::{NeedEvidence, NeedsLexicon};
use tsunagu_model::{Category, Kind};
use tsunagu_text::Analyzer;
use tsunagu_text::system_dictionary::DictionaryLocation;

fn load() -> (NeedsLexicon, Analyzer) {
    let root = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..");
    let lexicon = tsunagu_text::Lexicon::from_dir(&root.join("dictionaries")).unwrap();
    let needs = NeedsLexicon::parse(&lexicon.needs_tsv).unwrap();
    let analyzer = Analyzer::load(&DictionaryLocation::from_env(), lexicon).unwrap();
    (needs, analyzer)
}

fn list(cell: &str) -> Vec<String> {
    let mut v: Vec<String> = if cell == "-" {
        Vec::new()
    } else {
        cell.split(',').map(|s| s.trim().to_string()).collect()
    };
    v.sort();
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[test]
fn sentences_yield_the_expected_needs_and_suggestions() {
    let (needs, analyzer) = load();
    let root = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..");
    let text = std::fs::read_to_string(root.join("tests/cases/needs_cases.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    let (mut refusals, mut with_keywords, mut with_kinds) = (0, 0, 0);
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        assert!(c.len() >= 6, "line {}: 6 columns and a note", i + 1);
        n += 1;
        let kinds: Vec<Kind> = list(c[5])
            .iter()
            .map(|k| Kind::from_code(k).unwrap())
            .collect();
        let got = needs.derive_for(&analyzer, c[0], &kinds).unwrap();
        let codes = sorted(
            got.needs
                .iter()
                .map(|d| d.code.code().to_string())
                .collect(),
        );
        let refused = sorted(
            got.refused
                .iter()
                .map(|d| d.code.code().to_string())
                .collect(),
        );
        let keywords = sorted(
            got.needs
                .iter()
                .chain(&got.refused)
                .flat_map(|d| d.keywords.iter().cloned())
                .collect(),
        );
        let suggest = sorted(
            got.suggestions
                .iter()
                .map(|s| {
                    serde_json::to_value(s.constraint)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect(),
        );
        let want = (list(c[1]), list(c[2]), list(c[3]), list(c[4]));
        refusals += usize::from(!want.2.is_empty());
        with_keywords += usize::from(!want.3.is_empty());
        with_kinds += usize::from(!kinds.is_empty());
        let have = (codes, suggest, refused, keywords);
        if have != want {
            failures.push(format!(
                "line {}: {:?}: want codes {:?} suggest {:?} refused {:?} keywords {:?}, \
                 got {:?} {:?} {:?} {:?}",
                i + 1,
                c[0],
                want.0,
                want.1,
                want.2,
                want.3,
                have.0,
                have.1,
                have.2,
                have.3
            ));
        }
        for d in got.needs.iter().chain(&got.refused) {
            assert!(
                c[0].contains(d.from.trim()),
                "{:?}: `from` {:?} is not from the text",
                c[0],
                d.from
            );
            for k in &d.keywords {
                assert!(d.from.contains(k.as_str()), "{:?}: keyword {k:?}", c[0]);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} needs cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(n >= 130, "at least 130 sentences, found {n}");
    assert!(
        refusals >= 10 && with_keywords >= 10 && with_kinds >= 8,
        "refusals {refusals}, keywords {with_keywords}, kinds {with_kinds}"
    );
}

/// What a caller that ranks or filters by certainty reads: named or read
/// from a situation, and the need a counterpart stands in for.
#[test]
fn readings_say_how_directly_each_need_was_said() {
    let (needs, analyzer) = load();
    let read = |text: &str, kinds: &[Kind]| needs.read(&analyzer, text, kinds).unwrap();

    let r = read("配食をお願いしたい。一人で寂しい", &[]);
    let why = |code: Category| r.iter().find(|d| d.code == code).map(|d| d.why);
    assert_eq!(why(Category::MealDelivery), Some(NeedEvidence::Named));
    assert_eq!(why(Category::Conversation), Some(NeedEvidence::Situation));
    assert!(NeedEvidence::Named.strength() > NeedEvidence::Situation.strength());

    let r = read("囲碁がしたい", &[]);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].code, r[0].why, r[0].keywords.clone()),
        (
            Category::Hobby,
            NeedEvidence::Named,
            vec!["囲碁".to_string()]
        )
    );

    // Refused needs come back flagged, after the needs to answer.
    let r = read("サロンには行きたくないが、話し相手がほしい", &[]);
    assert_eq!(
        r.iter().map(|d| (d.code, d.refused)).collect::<Vec<_>>(),
        vec![(Category::Conversation, false), (Category::Salon, true)]
    );
    // Places only: the salon is refused, so conversation has no counterpart
    // and stays (and is honestly unmet if no place has it).
    let r = read("サロンには行きたくないが、話し相手がほしい", &[Kind::Kayoi]);
    assert_eq!(r[0].code, Category::Conversation);
    assert!(r[0].instead_of.is_empty());

    let r = read("一人暮らしで話す相手がいなくて寂しい", &[Kind::Kayoi]);
    assert_eq!(
        r.iter()
            .map(|d| (d.code, d.instead_of.clone()))
            .collect::<Vec<_>>(),
        vec![(
            Category::Salon,
            vec![Category::Watching, Category::Conversation]
        )],
        "watching and conversation both answered by salon, once"
    );
    // Both kinds, or the need's own kind: nothing is replaced.
    let r = read("一人暮らしで話す相手がいなくて寂しい", &[Kind::Service]);
    assert!(r.iter().all(|d| d.instead_of.is_empty()));
    assert_eq!(r.len(), 2);
}
