//! Coordinators' decisions on facts read from listings: a rejected reading
//! stops granting its feature at once (search filter), a confirmed one is
//! kept, both survive a provider's re-import of the same words and a
//! gazetteer-free reopen, new words are read afresh, and each decision is
//! one audited change.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use chrono::NaiveDate;
use tsunagu_engine::{
    Actor, Audience, Directory, DirectoryConfig, EditEffect, EditError, EditRequest, EditScope,
    RecordEdit, SearchQuery,
};
use tsunagu_ingest::read_jsonl;
use tsunagu_model::{FactVerdict, Feature};

const PARK: &str = r#"{"id":"park","kind":"kayoi","name":"朝の体操","categories":["exercise"],"description":"駐車場あり。女性限定の体操です。","lat":35.6,"lon":140.1}
{"id":"other","kind":"kayoi","name":"昼の体操","categories":["exercise"],"features":["parking"],"lat":35.6,"lon":140.1}
"#;

fn import(dir: &mut Directory, text: &str) {
    let report = dir
        .import_lines(
            "f.jsonl",
            read_jsonl(Cursor::new(text.as_bytes()), "f.jsonl"),
        )
        .unwrap();
    assert_eq!(report.rejected, 0, "{:?}", report.rejections);
}

fn with_parking(dir: &Directory) -> Vec<String> {
    let q = SearchQuery {
        text: "体操".into(),
        features: vec![Feature::Parking],
        audience: Audience::Coordinator,
        limit: 20,
        ..SearchQuery::default()
    };
    let mut ids: Vec<String> = dir
        .search(&q)
        .unwrap()
        .results
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

fn decide(
    dir: &mut Directory,
    fact: &str,
    phrase: &str,
    verdict: Option<FactVerdict>,
    scope: EditScope,
) -> Result<tsunagu_engine::EditOutcome, EditError> {
    let edit = RecordEdit::DecideFact {
        id: "park".into(),
        fact: fact.into(),
        field: "description".into(),
        phrase: phrase.into(),
        verdict,
        on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
    };
    dir.apply_edits(&[EditRequest {
        edit,
        actor: Actor::new("hanako", "test"),
        scope,
    }])
    .unwrap()
    .remove(0)
}

fn verdict_of(dir: &Directory, fact: &str) -> Option<FactVerdict> {
    let view = dir.record_view("park").unwrap().unwrap();
    view.placement
        .facts
        .iter()
        .find(|f| f.fact.key() == fact)
        .unwrap()
        .decision
        .map(|d| d.verdict)
}

#[test]
fn a_decision_changes_what_the_fact_grants_and_follows_its_words() {
    let tmp = tempfile::tempdir().unwrap();
    let config = DirectoryConfig::new(tmp.path());
    let mut dir = Directory::open(&config).unwrap();
    import(&mut dir, PARK);
    assert_eq!(with_parking(&dir), ["other", "park"]);

    let seq_before = dir.record_view("park").unwrap().unwrap().seq;
    let rejected = decide(
        &mut dir,
        "feature:parking",
        "駐車場あり",
        Some(FactVerdict::Rejected),
        EditScope::Everything,
    )
    .unwrap();
    assert_eq!(rejected.effect, EditEffect::Updated);
    assert!(
        rejected.seq > seq_before,
        "a decision is a change of its own"
    );
    assert_eq!(with_parking(&dir), ["other"], "rejected: no longer granted");
    assert_eq!(
        verdict_of(&dir, "feature:parking"),
        Some(FactVerdict::Rejected)
    );
    // The record's own words did not change.
    let record = dir.record_view("park").unwrap().unwrap().record;
    assert!(record.features.is_empty());

    // Deciding the same again stores nothing.
    let again = decide(
        &mut dir,
        "feature:parking",
        "駐車場あり",
        Some(FactVerdict::Rejected),
        EditScope::Everything,
    )
    .unwrap();
    assert_eq!(again.effect, EditEffect::Unchanged);

    // The provider re-imports the same words: the decision holds.
    import(&mut dir, PARK);
    assert_eq!(with_parking(&dir), ["other"]);
    drop(dir);
    let mut dir = Directory::open(&config).unwrap();
    dir.reindex().unwrap();
    assert_eq!(with_parking(&dir), ["other"], "kept through a reindex");

    // Confirmed: granted again, and said so.
    decide(
        &mut dir,
        "feature:parking",
        "駐車場あり",
        Some(FactVerdict::Confirmed),
        EditScope::Everything,
    )
    .unwrap();
    assert_eq!(with_parking(&dir), ["other", "park"]);
    assert_eq!(
        verdict_of(&dir, "feature:parking"),
        Some(FactVerdict::Confirmed)
    );

    // Taken back: undecided.
    decide(
        &mut dir,
        "feature:parking",
        "駐車場あり",
        None,
        EditScope::Everything,
    )
    .unwrap();
    assert_eq!(verdict_of(&dir, "feature:parking"), None);

    // Rejected, then the provider changes the words: read afresh, undecided.
    decide(
        &mut dir,
        "feature:parking",
        "駐車場あり",
        Some(FactVerdict::Rejected),
        EditScope::Everything,
    )
    .unwrap();
    import(&mut dir, &PARK.replace("駐車場あり。", "駐車場あります。"));
    assert_eq!(with_parking(&dir), ["other", "park"]);
    let view = dir.record_view("park").unwrap().unwrap();
    let parking = view
        .placement
        .facts
        .iter()
        .find(|f| f.fact.key() == "feature:parking")
        .unwrap();
    assert_eq!(parking.phrase, "駐車場あります");
    assert!(parking.decision.is_none());

    // A phrase the record no longer reads is refused, naming why.
    let stale = decide(
        &mut dir,
        "feature:parking",
        "駐車場あり",
        Some(FactVerdict::Confirmed),
        EditScope::Everything,
    )
    .unwrap_err();
    assert!(matches!(stale, EditError::NoSuchFact { .. }), "{stale:?}");
    assert!(stale.message_ja().contains("開き直して"));

    // The history has each decision with its before and after.
    let history = dir.history("park").unwrap();
    let decisions: Vec<_> = history.iter().filter(|h| h.action == "fact").collect();
    assert_eq!(decisions.len(), 4, "{history:?}");
    assert_eq!(decisions[0].actor, "hanako");
    assert_eq!(decisions[0].changes[0].field, "facts.feature:parking");
    assert!(decisions[0].changes[0].before.is_none());
    assert_eq!(
        decisions[0].changes[0].after.as_ref().unwrap()["verdict"],
        "rejected"
    );
}

#[test]
fn a_decision_outside_the_coordinators_area_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = Directory::open(&DirectoryConfig::new(tmp.path())).unwrap();
    import(&mut dir, PARK);
    let refused = decide(
        &mut dir,
        "who:women_only",
        "女性限定の体操です",
        Some(FactVerdict::Rejected),
        EditScope::Centres(vec!["AC99".into()]),
    )
    .unwrap_err();
    assert!(matches!(refused, EditError::Forbidden { .. }));
    assert_eq!(verdict_of(&dir, "who:women_only"), None);
    let missing = dir
        .apply_edits(&[EditRequest {
            edit: RecordEdit::DecideFact {
                id: "nothing".into(),
                fact: "feature:parking".into(),
                field: "description".into(),
                phrase: "駐車場あり".into(),
                verdict: Some(FactVerdict::Confirmed),
                on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            },
            actor: Actor::new("hanako", "test"),
            scope: EditScope::Everything,
        }])
        .unwrap()
        .remove(0)
        .unwrap_err();
    assert!(matches!(missing, EditError::NotFound { .. }));
}
