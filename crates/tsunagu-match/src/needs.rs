//! Needs from words: 「買い物に行けなくなった。人と話す機会もない」 →
//! shopping, conversation, with the words that produced each.
//!
//! The text is cut into clauses (at 。、！？ and at clause-joining particles
//! が・けど・けれど・のに・し), each clause is segmented and every word reduced
//! to its base form (行けなくなった → 行ける ない なる た). A pattern of
//! `dictionaries/needs.tsv` matches a clause when its words appear in it in
//! order. A negation cue (「娘がしてくれる」, 「自分でできる」, 「困っていない」)
//! cancels the needs of its clause; a refusal (「体操は嫌い」, 「配食はいらない」)
//! refuses them, and the answer says so. A word written `[囲碁]` in a
//! pattern is an activity's name, kept with the need for ranking. When only
//! one kind of resource is asked for, a need of the other kind is answered
//! by its counterpart (`@kayoi conversation` → salon). Constraints the words
//! imply (歩けない → near, pickup) are returned as suggestions, never applied.

use serde::Serialize;
use tsunagu_model::{Category, Kind};
use tsunagu_text::normalize::{fold_kana, normalize_str};
use tsunagu_text::{AnalyzedToken, Analyzer, TextError};

use crate::evaluate::{Keyword, Wording};

/// A constraint the words suggest; the coordinator decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

/// What a cue row does to the needs of its clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// 「娘がしてくれる」「自分でできる」: the need is already met; the
    /// clause's needs are cancelled.
    Negate,
    /// 「体操は嫌い」「配食はいらない」: the senior does not want it; the
    /// clause's needs (of one kind, or all) are refused and reported so.
    Refuse(Option<Kind>),
}

#[derive(Debug, Clone)]
struct NeedPattern {
    words: Vec<String>,
    /// Indices into `words` of the activities the pattern names (`[囲碁]`),
    /// kept as keywords for ranking.
    keyword_words: Vec<usize>,
    codes: Vec<Category>,
    suggest: Vec<Suggestion>,
    cue: Option<Cue>,
    /// The words name the need (配食, 体操) rather than a situation it is
    /// inferred from (寂しい).
    named: bool,
}

/// `@kayoi conversation → salon`: when only places are asked for, a
/// situation read as a service need is answered by this kind of place.
#[derive(Debug, Clone)]
struct Counterpart {
    from: Category,
    kind: Kind,
    to: Vec<Category>,
}

/// The compiled `needs.tsv`.
#[derive(Debug, Clone, Default)]
pub struct NeedsLexicon {
    patterns: Vec<NeedPattern>,
    counterparts: Vec<Counterpart>,
}

/// How directly the words give a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NeedEvidence {
    /// The words name it: 「配食をお願いしたい」「囲碁がしたい」.
    Named,
    /// It is read from a situation: 「寂しい」 → conversation.
    Situation,
}

impl NeedEvidence {
    /// A weight in (0, 1] for callers that rank or filter by how sure the
    /// reading is (a named need is certain, a situation a likely reading).
    pub fn strength(self) -> f32 {
        match self {
            NeedEvidence::Named => 1.0,
            NeedEvidence::Situation => 0.6,
        }
    }
}

/// One need read from the words.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DerivedNeed {
    pub code: Category,
    /// The clause that produced it, as written.
    pub from: String,
    pub why: NeedEvidence,
    /// Activities named for it, as written (「囲碁」): candidates that
    /// mention one rank first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The senior does not want it (「体操は嫌い」「配食はいらない」).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
    /// The needs the words gave, when the requested `kinds` have no
    /// resource of those needs and this one answers them instead
    /// (watching, conversation → salon for places only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instead_of: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DerivedSuggestion {
    pub constraint: Suggestion,
    pub label: &'static str,
    pub from: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NeedsFromText {
    /// The needs to answer, in the order the words gave them.
    pub needs: Vec<DerivedNeed>,
    /// Needs the senior refused; a need both refused and given by another
    /// clause is in both lists (「見守りはいらないと言うが、一人暮らしで心配」).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<DerivedNeed>,
    pub suggestions: Vec<DerivedSuggestion>,
}

impl NeedsFromText {
    /// The senior's words for ranking one need's candidates: the content
    /// words of the text, the activities named for this need, and the
    /// activities refused (for any need: someone who dislikes 体操 dislikes
    /// it at a salon too).
    pub fn wording(&self, need: Category, terms: &[String]) -> Wording {
        let keywords: Vec<Keyword> = self
            .needs
            .iter()
            .filter(|d| d.code == need)
            .flat_map(|d| d.keywords.iter())
            .map(|k| Keyword::new(k))
            .collect();
        let mut avoid: Vec<Keyword> = Vec::new();
        for k in self.refused.iter().flat_map(|d| d.keywords.iter()) {
            let k = Keyword::new(k);
            if !keywords.contains(&k) && !avoid.contains(&k) {
                avoid.push(k);
            }
        }
        Wording {
            terms: terms.to_vec(),
            keywords,
            avoid,
        }
    }
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

/// Reads the pattern column: words, `[word]` marking an activity's name.
fn parse_words(column: &str) -> Result<(Vec<String>, Vec<usize>), String> {
    let mut words = Vec::new();
    let mut keyword_words = Vec::new();
    for w in column.split_whitespace() {
        let bracketed = w.strip_prefix('[').and_then(|w| w.strip_suffix(']'));
        let bare = bracketed.unwrap_or(w);
        if bare.is_empty() || bare.contains(['[', ']']) {
            return Err(format!(
                "bad word {w:?} (write [word] for an activity's name)"
            ));
        }
        if bracketed.is_some() {
            keyword_words.push(words.len());
        }
        words.push(word_key(bare));
    }
    if words.is_empty() {
        return Err("empty pattern".into());
    }
    Ok((words, keyword_words))
}

fn parse_kind(code: &str) -> Result<Kind, String> {
    Kind::from_code(code).ok_or_else(|| format!("unknown kind {code:?} (kayoi or service)"))
}

/// `@kind code<TAB>counterparts`: validated so that the counterpart really
/// is of the other kind.
fn parse_counterpart(directive: &str, codes: &str) -> Result<Counterpart, String> {
    let mut parts = directive.split_whitespace();
    let kind = parse_kind(parts.next().unwrap_or(""))?;
    let from = match (parts.next(), parts.next()) {
        (Some(c), None) => {
            Category::from_code(c).ok_or_else(|| format!("unknown category code {c:?}"))?
        }
        _ => return Err("expected @kind code<TAB>counterpart codes".into()),
    };
    if from.home_kind() == kind {
        return Err(format!(
            "{} is already a {} category; a counterpart is for the other kind",
            from.code(),
            kind.code()
        ));
    }
    let mut to = Vec::new();
    for c in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let cat = Category::from_code(c).ok_or_else(|| format!("unknown category code {c:?}"))?;
        if cat.home_kind() != kind {
            return Err(format!("{c} is not a {} category", kind.code()));
        }
        if !to.contains(&cat) {
            to.push(cat);
        }
    }
    if to.is_empty() {
        return Err("a counterpart row needs at least one code".into());
    }
    Ok(Counterpart { from, kind, to })
}

impl NeedsLexicon {
    /// Parses needs.tsv (`pattern<TAB>codes<TAB>suggest<TAB>note`; see the
    /// file's header for the syntax).
    pub fn parse(text: &str) -> Result<NeedsLexicon, Vec<NeedsLineError>> {
        let mut lexicon = NeedsLexicon::default();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let t = line.trim_end();
            if t.trim().is_empty() || t.starts_with('#') || t.starts_with("pattern\t") {
                continue;
            }
            let cols: Vec<&str> = t.split('\t').collect();
            let mut err = |m: String| {
                errors.push(NeedsLineError {
                    line: line_no,
                    message: m,
                })
            };
            if cols.len() < 2 {
                err("expected pattern<TAB>codes[<TAB>suggest]".into());
                continue;
            }
            if let Some(directive) = cols[0].strip_prefix('@') {
                match parse_counterpart(directive, cols[1]) {
                    Ok(c)
                        if lexicon
                            .counterparts
                            .iter()
                            .any(|x| x.from == c.from && x.kind == c.kind) =>
                    {
                        err(format!("a second @{} {} row", c.kind.code(), c.from.code()));
                    }
                    Ok(c) => lexicon.counterparts.push(c),
                    Err(m) => err(m),
                }
                continue;
            }
            let (words, keyword_words) = match parse_words(cols[0]) {
                Ok(w) => w,
                Err(m) => {
                    err(m);
                    continue;
                }
            };
            let mut codes = Vec::new();
            let mut cue = None;
            let mut named = !keyword_words.is_empty();
            for c in cols[1]
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && *c != "-")
            {
                let flag = match c {
                    "!negate" => Some(Cue::Negate),
                    "!refuse" => Some(Cue::Refuse(None)),
                    _ => match c.strip_prefix("!refuse:") {
                        Some(k) => match parse_kind(k) {
                            Ok(k) => Some(Cue::Refuse(Some(k))),
                            Err(m) => {
                                err(m);
                                continue;
                            }
                        },
                        None => None,
                    },
                };
                if let Some(f) = flag {
                    if cue.is_some() {
                        err("one cue per row".into());
                    }
                    cue = Some(f);
                } else if c == "!named" {
                    named = true;
                } else if let Some(cat) = Category::from_code(c) {
                    codes.push(cat);
                } else {
                    err(format!("unknown category code {c:?}"));
                }
            }
            if cue.is_some() && !codes.is_empty() {
                err("a cue row (!negate, !refuse) carries no category codes".into());
            }
            if named && codes.is_empty() {
                err("!named or [word] on a row without category codes".into());
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
                    None => err(format!("unknown suggestion {s:?}")),
                }
            }
            lexicon.patterns.push(NeedPattern {
                words,
                keyword_words,
                codes,
                suggest,
                cue,
                named,
            });
        }
        if errors.is_empty() {
            Ok(lexicon)
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

    /// Derives needs and suggestions from the senior's or coordinator's
    /// words, for resources of both kinds.
    pub fn derive(&self, analyzer: &Analyzer, text: &str) -> Result<NeedsFromText, TextError> {
        self.derive_for(analyzer, text, &[])
    }

    /// Every need read from the words, refused ones included (`refused`),
    /// each with the clause it came from, how directly it was said and the
    /// activities named for it. `kinds` are the kinds of resource asked for
    /// (empty: both); see [`NeedsLexicon::derive_for`].
    pub fn read(
        &self,
        analyzer: &Analyzer,
        text: &str,
        kinds: &[Kind],
    ) -> Result<Vec<DerivedNeed>, TextError> {
        let derived = self.derive_for(analyzer, text, kinds)?;
        let mut all = derived.needs;
        all.extend(derived.refused);
        Ok(all)
    }

    /// Derives needs, refusals and suggestions. When `kinds` holds one kind
    /// only, a need of the other kind that has a counterpart row
    /// (`@kayoi conversation → salon`) is answered by the counterpart, so a
    /// situation yields needs the requested kind can meet; a refused
    /// counterpart is never chosen.
    pub fn derive_for(
        &self,
        analyzer: &Analyzer,
        text: &str,
        kinds: &[Kind],
    ) -> Result<NeedsFromText, TextError> {
        let tokens = analyzer.tokens(text)?;
        let mut out = NeedsFromText::default();
        for clause in clauses(&tokens) {
            self.read_clause(text, clause, &mut out);
        }
        self.apply_kinds(&mut out, kinds);
        Ok(out)
    }

    fn read_clause(&self, text: &str, clause: &[AnalyzedToken], out: &mut NeedsFromText) {
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
        let matched: Vec<(&NeedPattern, Vec<(usize, usize)>)> = self
            .patterns
            .iter()
            .filter_map(|p| matches_in_order(&p.words, &keys, &surfaces).map(|at| (p, at)))
            .collect();
        let negated = matched.iter().any(|(p, _)| p.cue == Some(Cue::Negate));
        let refusals: Vec<Option<Kind>> = matched
            .iter()
            .filter_map(|(p, _)| match p.cue {
                Some(Cue::Refuse(scope)) => Some(scope),
                _ => None,
            })
            .collect();
        let refuses = |c: Category| {
            refusals
                .iter()
                .any(|scope| scope.is_none_or(|k| k == c.home_kind()))
        };
        // 「訪問には来てほしくない」 says no to help at home: not a wish for it.
        let refuses_visits = refusals
            .iter()
            .any(|scope| scope.is_none_or(|k| k == Kind::Service));
        let from = clause_text(text, clause);
        for (p, at) in &matched {
            let keywords: Vec<String> = p
                .keyword_words
                .iter()
                .filter_map(|&w| at.get(w))
                .map(|&(a, b)| span_text(text, &clause[a..b]))
                .filter(|k| !k.is_empty())
                .collect();
            let why = if p.named {
                NeedEvidence::Named
            } else {
                NeedEvidence::Situation
            };
            for c in &p.codes {
                let refused = refuses(*c);
                if negated && !refused {
                    continue;
                }
                let list = if refused {
                    &mut out.refused
                } else {
                    &mut out.needs
                };
                add_need(
                    list,
                    DerivedNeed {
                        code: *c,
                        from: from.clone(),
                        why,
                        keywords: keywords.clone(),
                        refused,
                        instead_of: Vec::new(),
                    },
                );
            }
            if negated {
                continue;
            }
            for s in p
                .suggest
                .iter()
                .filter(|s| !(**s == Suggestion::Home && refuses_visits))
            {
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

    fn apply_kinds(&self, out: &mut NeedsFromText, kinds: &[Kind]) {
        let [only] = kinds else {
            return;
        };
        let refused: Vec<Category> = out.refused.iter().map(|d| d.code).collect();
        let mut answered: Vec<DerivedNeed> = Vec::with_capacity(out.needs.len());
        for need in std::mem::take(&mut out.needs) {
            let instead: Vec<Category> = if need.code.home_kind() == *only {
                Vec::new()
            } else {
                self.counterparts
                    .iter()
                    .filter(|c| c.from == need.code && c.kind == *only)
                    .flat_map(|c| c.to.iter().copied())
                    .filter(|c| !refused.contains(c))
                    .collect()
            };
            if instead.is_empty() {
                add_need(&mut answered, need);
                continue;
            }
            for code in instead {
                add_need(
                    &mut answered,
                    DerivedNeed {
                        code,
                        from: need.from.clone(),
                        why: need.why,
                        // The words named the service, not this place.
                        keywords: Vec::new(),
                        refused: false,
                        instead_of: vec![need.code],
                    },
                );
            }
        }
        out.needs = answered;
    }
}

/// Adds a need, or merges it into the entry of the same code: keywords are
/// pooled, and a need named in a later clause takes that clause as its
/// source over a situation read earlier.
fn add_need(list: &mut Vec<DerivedNeed>, need: DerivedNeed) {
    match list.iter_mut().find(|d| d.code == need.code) {
        Some(d) => {
            for k in need.keywords {
                if !d.keywords.contains(&k) {
                    d.keywords.push(k);
                }
            }
            for c in need.instead_of {
                if !d.instead_of.contains(&c) {
                    d.instead_of.push(c);
                }
            }
            if d.why == NeedEvidence::Situation && need.why == NeedEvidence::Named {
                d.why = NeedEvidence::Named;
                d.from = need.from;
            }
        }
        None => list.push(need),
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
    span_text(text, clause)
}

/// The original text of consecutive tokens ("" if the offsets do not fit
/// the text, which the analyzer never produces).
fn span_text(text: &str, tokens: &[AnalyzedToken]) -> String {
    match (tokens.first(), tokens.last()) {
        (Some(a), Some(b)) if a.offset_from <= b.offset_to => text
            .get(a.offset_from..b.offset_to)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Where `words` occur in order among the clause's tokens: for each word,
/// the tokens `[from, to)` it matched; `None` when they do not all occur.
/// A word may also span two or three consecutive tokens (ごみ + 出し =
/// ごみ出し).
fn matches_in_order(
    words: &[String],
    keys: &[Vec<String>],
    surfaces: &[&str],
) -> Option<Vec<(usize, usize)>> {
    let mut found = Vec::with_capacity(words.len());
    let mut at = 0;
    'words: for w in words {
        while at < keys.len() {
            if keys[at].iter().any(|k| k == w) {
                found.push((at, at + 1));
                at += 1;
                continue 'words;
            }
            for span in 2..=3 {
                if at + span <= surfaces.len() && surfaces[at..at + span].concat() == *w {
                    found.push((at, at + span));
                    at += span;
                    continue 'words;
                }
            }
            at += 1;
        }
        return None;
    }
    Some(found)
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
    fn new_syntax_is_checked_line_by_line() {
        let bad = [
            "[囲碁\thobby",
            "[]\thobby",
            "嫌い\t!refuse,exercise",
            "嫌い\t!refuse:place",
            "嫌い\t!negate,!refuse",
            "趣味\t!named",
            "[囲碁]\t-",
            "@kayoi salon\tmeal",
            "@kayoi conversation\tshopping",
            "@both conversation\tsalon",
            "@kayoi conversation\t-",
            "@kayoi\tsalon",
        ];
        for line in bad {
            let err = NeedsLexicon::parse(line).unwrap_err();
            assert_eq!(err.len(), 1, "{line:?}: {err:?}");
        }
        let err = NeedsLexicon::parse("@kayoi conversation\tsalon\n@kayoi conversation\tmeal\n")
            .unwrap_err();
        assert_eq!(err[0].line, 2, "a second counterpart row for the same need");
        let ok = NeedsLexicon::parse(
            "[囲碁] する\thobby\n配食\tmeal_delivery,!named\n嫌い\t!refuse:kayoi\n\
             @kayoi conversation\tsalon,meal\n@service meal\tmeal_delivery\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok.counterparts.len(), 2);
        assert_eq!(ok.patterns[0].keyword_words, vec![0]);
        assert!(ok.patterns[0].named && ok.patterns[1].named);
        assert_eq!(ok.patterns[2].cue, Some(Cue::Refuse(Some(Kind::Kayoi))));
    }

    fn need(code: Category, why: NeedEvidence, keywords: &[&str]) -> DerivedNeed {
        DerivedNeed {
            code,
            from: format!("{}の文", code.code()),
            why,
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            refused: false,
            instead_of: Vec::new(),
        }
    }

    #[test]
    fn a_named_need_takes_over_a_situation_and_keywords_pool() {
        let mut list = Vec::new();
        add_need(
            &mut list,
            need(Category::Hobby, NeedEvidence::Situation, &[]),
        );
        let mut named = need(Category::Hobby, NeedEvidence::Named, &["囲碁"]);
        named.from = "囲碁がしたい".into();
        add_need(&mut list, named);
        add_need(
            &mut list,
            need(Category::Hobby, NeedEvidence::Situation, &["将棋", "囲碁"]),
        );
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].why, NeedEvidence::Named);
        assert_eq!(list[0].from, "囲碁がしたい");
        assert_eq!(list[0].keywords, ["囲碁", "将棋"]);
    }

    #[test]
    fn counterparts_apply_to_one_requested_kind_and_skip_refused_ones() {
        let lexicon = NeedsLexicon::parse(
            "@kayoi conversation\tsalon\n@kayoi watching\tsalon\n@service meal\tmeal_delivery\n",
        )
        .unwrap();
        let text = || NeedsFromText {
            needs: vec![
                need(Category::Watching, NeedEvidence::Situation, &[]),
                need(Category::Garbage, NeedEvidence::Named, &[]),
                need(Category::Conversation, NeedEvidence::Named, &["傾聴"]),
                need(Category::Meal, NeedEvidence::Situation, &[]),
            ],
            ..NeedsFromText::default()
        };
        let codes = |t: &NeedsFromText| {
            t.needs
                .iter()
                .map(|d| (d.code, d.instead_of.clone()))
                .collect::<Vec<_>>()
        };
        let mut t = text();
        lexicon.apply_kinds(&mut t, &[Kind::Kayoi]);
        assert_eq!(
            codes(&t),
            [
                (
                    Category::Salon,
                    vec![Category::Watching, Category::Conversation]
                ),
                (Category::Garbage, vec![]),
                (Category::Meal, vec![]),
            ],
            "watching and conversation both become one salon"
        );
        assert_eq!(
            t.needs[0].why,
            NeedEvidence::Named,
            "conversation was named"
        );
        assert!(t.needs[0].keywords.is_empty());
        let mut t = text();
        lexicon.apply_kinds(&mut t, &[Kind::Service]);
        assert_eq!(codes(&t)[3], (Category::MealDelivery, vec![Category::Meal]));
        let mut t = text();
        lexicon.apply_kinds(&mut t, &[Kind::Kayoi, Kind::Service]);
        assert_eq!(t, text());
        let mut t = text();
        t.refused = vec![DerivedNeed {
            refused: true,
            ..need(Category::Salon, NeedEvidence::Named, &[])
        }];
        lexicon.apply_kinds(&mut t, &[Kind::Kayoi]);
        assert_eq!(codes(&t)[0], (Category::Watching, vec![]));
    }

    #[test]
    fn wording_carries_this_needs_keywords_and_every_refused_one() {
        let t = NeedsFromText {
            needs: vec![
                need(Category::Hobby, NeedEvidence::Named, &["囲碁"]),
                need(Category::Exercise, NeedEvidence::Situation, &[]),
            ],
            refused: vec![
                DerivedNeed {
                    refused: true,
                    ..need(Category::Exercise, NeedEvidence::Named, &["体操"])
                },
                DerivedNeed {
                    refused: true,
                    ..need(Category::Hobby, NeedEvidence::Named, &["囲碁"])
                },
            ],
            ..NeedsFromText::default()
        };
        let w = t.wording(Category::Hobby, &["x".to_string()]);
        assert_eq!(w.terms, ["x"]);
        assert_eq!(w.keywords, [Keyword::new("囲碁")]);
        assert_eq!(
            w.avoid,
            [Keyword::new("体操")],
            "a word both wanted and refused is not avoided"
        );
        let w = t.wording(Category::Exercise, &[]);
        assert!(w.keywords.is_empty());
        assert_eq!(w.avoid.len(), 2);
    }

    #[test]
    fn order_matters_and_spans_join() {
        let keys = |v: &[&str]| v.iter().map(|s| vec![s.to_string()]).collect::<Vec<_>>();
        let k = keys(&["買い物", "に", "行ける", "ない"]);
        let s = ["買い物", "に", "行ける", "ない"];
        assert_eq!(
            matches_in_order(&["買い物".into(), "ない".into()], &k, &s),
            Some(vec![(0, 1), (3, 4)])
        );
        assert_eq!(
            matches_in_order(&["ない".into(), "買い物".into()], &k, &s),
            None
        );
        let k = keys(&["ごみ", "出し"]);
        assert_eq!(
            matches_in_order(&["ごみ出し".into()], &k, &["ごみ", "出し"]),
            Some(vec![(0, 2)])
        );
    }
}
