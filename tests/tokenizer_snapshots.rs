//! Snapshots of the analyzer on domain sentences: user-dictionary words,
//! width/kana/okurigana variants, compounds and their parts, and how queries
//! expand through synonyms. A change to dictionaries/ shows up here as a
//! snapshot diff to review.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::sync::OnceLock;

use tsunagu_text::Analyzer;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| {
        let dir = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../dictionaries");
        let lexicon = tsunagu_text::Lexicon::from_dir(&dir).expect("dictionaries/");
        Analyzer::load(
            &tsunagu_text::system_dictionary::DictionaryLocation::from_env(),
            lexicon,
        )
        .expect("IPADIC (run scripts/test, which installs mecab-ipadic)")
    })
}

/// One line per content token: term, base form, reading, part of speech,
/// and how it stands among compounds.
fn show(text: &str) -> String {
    analyzer()
        .content_tokens(text)
        .expect("analyze")
        .iter()
        .map(|t| {
            format!(
                "{} | base={} | reading={} | {}/{} | {:?}",
                t.term,
                t.base.as_deref().unwrap_or("-"),
                t.reading.as_deref().unwrap_or("-"),
                t.pos,
                t.pos_sub,
                t.piece
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn domain_sentences() {
    let sentences = [
        "通いの場でいきいき百歳体操を行っています",
        "あんしんケアセンター稲毛に相談しました",
        "認知症カフェ（オレンジカフェ）は毎月第2水曜日です",
        "シルバー人材センターと社会福祉協議会の配食サービス",
        "ｽﾄﾚｯﾁ教室　ＳＴＲＥＴＣＨ",
        "ゴミ捨て・ごみ出し・塵",
        "お買い物のお手伝い、買物代行、スーパーへの同行",
        "申し込み／申込み／申込",
        "毎週火曜 10:00～11:30、第1・第3木曜日 午後1時半から3時",
        "千葉市稲毛区小仲台2丁目5-3 小仲台公民館",
        "朝日ヶ丘と朝日ケ丘",
        "ポールウォーキングとノルディックウォーキング",
    ];
    let out: Vec<String> = sentences
        .iter()
        .map(|s| format!("## {s}\n{}", show(s)))
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

#[test]
fn query_expansion() {
    let queries = [
        "買い物 付き添い",
        "ゴミ捨て",
        "話し相手",
        "ぼっちゃ",
        "たいきょくけん",
        "ポールウォーキング",
        "オレンジカフェ",
    ];
    let out: Vec<String> = queries
        .iter()
        .map(|q| {
            let concepts = analyzer().query_concepts(q).expect("query");
            let lines: Vec<String> = concepts
                .iter()
                .map(|c| {
                    let alts: Vec<String> = c.alternatives.iter().map(|a| a.join(" ")).collect();
                    let readings: Vec<String> = c.readings.iter().map(|a| a.join(" ")).collect();
                    format!(
                        "- {} → [{}] readings [{}]",
                        c.text,
                        alts.join(" | "),
                        readings.join(" | ")
                    )
                })
                .collect();
            format!("## {q}\n{}", lines.join("\n"))
        })
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

#[test]
fn variants_meet_on_the_same_terms() {
    // Each pair must share at least one surface/base term or one reading.
    let pairs = [
        ("ゴミ", "ごみ"),
        ("買い物", "買物"),
        ("申し込み", "申込み"),
        ("ｽﾄﾚｯﾁ", "ストレッチ"),
        ("朝日ヶ丘", "朝日ケ丘"),
        ("ＳＴＲＥＴＣＨ", "stretch"),
    ];
    let terms = |s: &str| -> Vec<String> {
        analyzer()
            .content_tokens(s)
            .unwrap()
            .into_iter()
            .flat_map(|t| [Some(t.term), t.base, t.reading])
            .flatten()
            .collect()
    };
    for (a, b) in pairs {
        let (ta, tb) = (terms(a), terms(b));
        assert!(
            ta.iter().any(|t| tb.contains(t)),
            "{a} {ta:?} and {b} {tb:?} share nothing"
        );
    }
}
