//! Needs from words: 「買い物に行けなくなった。人と話す機会もない」 →
//! shopping, conversation, with the words that produced each.
//!
//! The text is cut into clauses (at 。、！？ and at clause-joining particles
//! が・けど・けれど・のに・し), each clause is segmented and every word reduced
//! to its base form (行けなくなった → 行ける ない なる た). A pattern of
//! `dictionaries/needs.tsv` matches a clause when its words appear in it in
//! order. A negation cue (「娘がしてくれる」, 「自分でできる」, 「困っていない」)
//! cancels the needs of its clause. Constraints the words imply (歩けない →
//! near, pickup) are returned as suggestions, never applied.

use serde::Serialize;
use tsunagu_model::Category;
use tsunagu_text::normalize::{fold_kana, normalize_str};
use tsunagu_text::{AnalyzedToken, Analyzer, TextError};

/// A constraint the words suggest; the coordinator decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suggestion {
    /// A short distance (歩けない, 膝が悪い).
    Near,
    /// 送迎あり.
    Pickup,
    Wheelchair,
    DementiaFriendly,
    /// Help brought home rather than a place to go.
    Home,
}

impl Suggestion {
    fn parse(code: &str) -> Option<Suggestion> {
        match code {
            "near" => Some(Suggestion::Near),
            "pickup" => Some(Suggestion::Pickup),
            "wheelchair" => Some(Suggestion::Wheelchair),
            "dementia_friendly" => Some(Suggestion::DementiaFriendly),
            "home" => Some(Suggestion::Home),
            _ => None,
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Suggestion::Near => "近くのもの（歩く距離を短く）",
            Suggestion::Pickup => "送迎あり",
            Suggestion::Wheelchair => "車いすで利用できる",
            Suggestion::DementiaFriendly => "認知症の方も利用できる",
            Suggestion::Home => "自宅に来てくれるサービス",
        }
    }
}

#[derive(Debug, Clone)]
struct NeedPattern {
    words: Vec<String>,
    codes: Vec<Category>,
    suggest: Vec<Suggestion>,
    negate: bool,
}

/// The compiled `needs.tsv`.
#[derive(Debug, Clone, Default)]
pub struct NeedsLexicon {
    patterns: Vec<NeedPattern>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DerivedNeed {
    pub code: Category,
    /// The clause that produced it, as written.
    pub from: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DerivedSuggestion {
    pub constraint: Suggestion,
    pub label: &'static str,
    pub from: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NeedsFromText {
    pub needs: Vec<DerivedNeed>,
    pub suggestions: Vec<DerivedSuggestion>,
}

/// A line of needs.tsv that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsLineError {
    pub line: usize,
    pub message: String,
}

fn word_key(w: &str) -> String {
    fold_kana(&normalize_str(w))
}

impl NeedsLexicon {
    /// Parses needs.tsv (`pattern<TAB>codes<TAB>suggest<TAB>note`).
    pub fn parse(text: &str) -> Result<NeedsLexicon, Vec<NeedsLineError>> {
        let mut patterns = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let t = line.trim_end();
            if t.trim().is_empty() || t.starts_with('#') || t.starts_with("pattern\t") {
                continue;
            }
            let cols: Vec<&str> = t.split('\t').collect();
            let err = |m: String| NeedsLineError {
                line: line_no,
                message: m,
            };
            if cols.len() < 2 {
                errors.push(err("expected pattern<TAB>codes[<TAB>suggest]".into()));
                continue;
            }
            let words: Vec<String> = cols[0].split_whitespace().map(word_key).collect();
            if words.is_empty() {
                errors.push(err("empty pattern".into()));
                continue;
            }
            let mut codes = Vec::new();
            let mut negate = false;
            for c in cols[1]
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && *c != "-")
            {
                if c == "!negate" {
                    negate = true;
                } else if let Some(cat) = Category::from_code(c) {
                    codes.push(cat);
                } else {
                    errors.push(err(format!("unknown category code {c:?}")));
                }
            }
            let mut suggest = Vec::new();
            for s in cols
                .get(2)
                .unwrap_or(&"-")
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && *c != "-")
            {
                match Suggestion::parse(s) {
                    Some(x) => suggest.push(x),
                    None => errors.push(err(format!("unknown suggestion {s:?}"))),
                }
            }
            patterns.push(NeedPattern {
                words,
                codes,
                suggest,
                negate,
            });
        }
        if errors.is_empty() {
            Ok(NeedsLexicon { patterns })
        } else {
            Err(errors)
        }
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Derives needs and suggestions from the senior's or coordinator's words.
    pub fn derive(&self, analyzer: &Analyzer, text: &str) -> Result<NeedsFromText, TextError> {
        let tokens = analyzer.tokens(text)?;
        let mut out = NeedsFromText::default();
        for clause in clauses(&tokens) {
            let keys: Vec<Vec<String>> = clause
                .iter()
                .map(|t| {
                    let mut k = vec![t.term.clone()];
                    if let Some(b) = &t.base {
                        k.push(b.clone());
                    }
                    k
                })
                .collect();
            let surfaces: Vec<&str> = clause.iter().map(|t| t.term.as_str()).collect();
            let matched: Vec<&NeedPattern> = self
                .patterns
                .iter()
                .filter(|p| matches_in_order(&p.words, &keys, &surfaces))
                .collect();
            if matched.iter().any(|p| p.negate) {
                continue;
            }
            let from = clause_text(text, clause);
            for p in matched {
                for c in &p.codes {
                    if !out.needs.iter().any(|n| n.code == *c) {
                        out.needs.push(DerivedNeed {
                            code: *c,
                            from: from.clone(),
                        });
                    }
                }
                for s in &p.suggest {
                    if !out.suggestions.iter().any(|x| x.constraint == *s) {
                        out.suggestions.push(DerivedSuggestion {
                            constraint: *s,
                            label: s.label_ja(),
                            from: from.clone(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Clause boundaries: punctuation, and particles that join two clauses.
fn clauses(tokens: &[AnalyzedToken]) -> Vec<&[AnalyzedToken]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let punct = matches!(
            t.surface.as_str(),
            "。" | "、" | "!" | "?" | "！" | "？" | "." | "," | "\n" | "；" | ";"
        );
        let joiner = t.pos == "助詞"
            && t.pos_sub == "接続助詞"
            && matches!(
                t.surface.as_str(),
                "が" | "けど" | "けれど" | "けれども" | "のに" | "し"
            );
        if punct || joiner {
            if i > start {
                out.push(&tokens[start..i]);
            }
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(&tokens[start..]);
    }
    out
}

/// The original text of a clause.
fn clause_text(text: &str, clause: &[AnalyzedToken]) -> String {
    match (clause.first(), clause.last()) {
        (Some(a), Some(b)) if a.offset_from <= b.offset_to && b.offset_to <= text.len() => {
            text[a.offset_from..b.offset_to].trim().to_string()
        }
        _ => String::new(),
    }
}

/// Whether `words` occur in order among the clause's tokens; a word may also
/// span two or three consecutive tokens (ごみ + 出し = ごみ出し).
fn matches_in_order(words: &[String], keys: &[Vec<String>], surfaces: &[&str]) -> bool {
    let mut at = 0;
    'words: for w in words {
        while at < keys.len() {
            if keys[at].iter().any(|k| k == w) {
                at += 1;
                continue 'words;
            }
            for span in 2..=3 {
                if at + span <= surfaces.len() && surfaces[at..at + span].concat() == *w {
                    at += span;
                    continue 'words;
                }
            }
            at += 1;
        }
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported() {
        let err =
            NeedsLexicon::parse("買い物\tkaraoke\t-\n\tshopping\n歩く ない\t-\tfly\n").unwrap_err();
        assert_eq!(err.len(), 3);
        assert_eq!(err[0].line, 1);
        let ok =
            NeedsLexicon::parse("pattern\tcodes\tsuggest\tnote\n買い物\tshopping\t-\tx\n").unwrap();
        assert_eq!(ok.len(), 1);
    }

    #[test]
    fn order_matters_and_spans_join() {
        let keys = |v: &[&str]| v.iter().map(|s| vec![s.to_string()]).collect::<Vec<_>>();
        let k = keys(&["買い物", "に", "行ける", "ない"]);
        let s = ["買い物", "に", "行ける", "ない"];
        assert!(matches_in_order(&["買い物".into(), "ない".into()], &k, &s));
        assert!(!matches_in_order(&["ない".into(), "買い物".into()], &k, &s));
        let k = keys(&["ごみ", "出し"]);
        assert!(matches_in_order(
            &["ごみ出し".into()],
            &k,
            &["ごみ", "出し"]
        ));
    }
}
