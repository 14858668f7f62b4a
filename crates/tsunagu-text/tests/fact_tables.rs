//! Listing facts against the table in tests/cases/fact_cases.tsv (text,
//! field, expected fact codes comma-separated or `-`, note), and properties
//! that hold for any input: no panic, every fact once, every phrase a part
//! of the text as written and short.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use tsunagu_model::Record;
use tsunagu_text::facts::{MAX_PHRASE_CHARS, facts_in, facts_of};

fn table(name: &str) -> String {
    std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../tests/cases")
        .join(name),
    )
    .unwrap()
}

/// A record with `text` in `field` and nothing else that could say a fact.
fn record_with(field: &str, text: &str) -> Record {
    let mut v = serde_json::json!({
        "id": "case", "kind": "kayoi", "name": "集い", "categories": ["salon"],
    });
    v[field] = serde_json::Value::String(text.to_string());
    serde_json::from_value(v).unwrap()
}

#[test]
fn listing_texts_give_the_expected_facts() {
    let text = table("fact_cases.tsv");
    let mut failures = Vec::new();
    let mut n = 0;
    let mut denials = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 3 {
            continue;
        }
        n += 1;
        let mut want: Vec<&str> = if c[2] == "-" {
            denials += 1;
            Vec::new()
        } else {
            c[2].split(',').collect()
        };
        want.sort_unstable();
        let facts = facts_of(&record_with(c[1], c[0]));
        let mut got: Vec<&str> = facts.iter().map(|f| f.fact.code()).collect();
        got.sort_unstable();
        let wrong_field = facts.iter().find(|f| f.field != c[1]);
        if got != want || wrong_field.is_some() {
            failures.push(format!(
                "line {}: {:?} ({}): want {:?}, got {:?}",
                i + 1,
                c[0],
                c[1],
                want,
                facts
                    .iter()
                    .map(|f| format!("{} «{}» {}", f.fact.code(), f.phrase, f.field))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(n >= 80, "at least 80 cases, found {n}");
    assert!(
        denials >= 30,
        "at least 30 texts that grant nothing, found {denials}"
    );
    assert!(
        failures.is_empty(),
        "{} of {n} fact cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Pieces of listings and the characters that cut or confuse them.
const PIECES: &[&str] = &[
    "駐車場",
    "送迎",
    "車いす",
    "車椅子",
    "バリアフリー",
    "認知症の方",
    "要介護",
    "見学",
    "体験",
    "予約",
    "要予約",
    "予約不要",
    "申し込み",
    "当日参加",
    "男性",
    "女性",
    "初めての方",
    "お一人でも",
    "一人でも多く",
    "P",
    "p",
    "ok",
    "あり",
    "有",
    "無",
    "無料",
    "可",
    "不可",
    "できます",
    "ません",
    "ない",
    "なし",
    "遠慮",
    "遠慮なく",
    "どうぞ",
    "歓迎",
    "限定",
    "のみ",
    "も",
    "の方",
    "が",
    "ますが",
    "けど",
    "、",
    "。",
    "・",
    "/",
    "（",
    "）",
    "(",
    ")",
    "【",
    "】",
    "「",
    "」",
    " ",
    "\n",
    "ｸﾙﾏｲｽ",
    "ﾞ",
    "\u{301}",
    "🙂",
    "㈱",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gives_each_fact_once_with_a_phrase_from_the_text(
        text in prop_oneof![any::<String>(), soup()]
    ) {
        let facts = facts_in("description", &text);
        for (i, f) in facts.iter().enumerate() {
            prop_assert!(facts[..i].iter().all(|g| g.fact != f.fact), "{:?} twice in {:?}", f.fact, text);
            prop_assert!(!f.phrase.is_empty(), "empty phrase in {:?}", text);
            prop_assert!(text.contains(&f.phrase), "{:?} not in {:?}", f.phrase, text);
            prop_assert!(f.phrase.chars().count() <= 2 * MAX_PHRASE_CHARS, "{:?}", f.phrase);
        }
    }
}

/// Best time per call of `f` over a few batches: the least disturbed by
/// other work on the machine.
fn best_time(mut f: impl FnMut()) -> std::time::Duration {
    (0..50)
        .map(|_| {
            let started = std::time::Instant::now();
            for _ in 0..200 {
                f();
            }
            started.elapsed() / 200
        })
        .min()
        .unwrap()
}

/// Import reads every record, so the facts of a typical record must cost
/// about what normalising its texts once costs (a few microseconds), not a
/// multiple of it. Compared with normalisation rather than a clock bound so
/// a busy machine does not fail it; timed in release builds only (a debug
/// build is 10–50× slower and says nothing of import).
#[test]
fn facts_of_a_typical_record_are_cheap() {
    let plain = record_with(
        "description",
        "毎週火曜日の午前中に公民館で体操とおしゃべりを楽しんでいます。初めての方も大歓迎です。\
         駐車場はありませんので公共交通機関でお越しください。車いすの方もどうぞ。参加費は1回100円です。",
    );
    let wide = Record {
        description: plain
            .description
            .as_ref()
            .map(|d| d.replace("100円です", "１００円（お茶代）")),
        target: Some("65歳以上の方（要介護の方もご相談ください）".into()),
        fee_text: Some("1回100円".into()),
        schedule_text: Some("毎週火曜 10:00～11:30".into()),
        ..plain.clone()
    };
    for record in [&plain, &wide] {
        let got: Vec<&str> = facts_of(record).iter().map(|f| f.fact.code()).collect();
        assert_eq!(got, ["beginners_welcome", "wheelchair"]);
    }
    if cfg!(debug_assertions) {
        return;
    }
    for record in [&plain, &wide] {
        let texts: Vec<&str> = [
            record.description.as_deref(),
            record.target.as_deref(),
            record.fee_text.as_deref(),
            record.schedule_text.as_deref(),
            Some(record.name.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let facts = best_time(|| {
            std::hint::black_box(facts_of(std::hint::black_box(record)));
        });
        let normalising = best_time(|| {
            for t in &texts {
                std::hint::black_box(tsunagu_text::normalize::normalize(std::hint::black_box(t)));
            }
        });
        eprintln!("facts_of: {facts:?} per record; normalising its texts: {normalising:?}");
        assert!(
            facts < normalising * 3,
            "facts_of {facts:?}, normalising the same texts {normalising:?}"
        );
    }
}
