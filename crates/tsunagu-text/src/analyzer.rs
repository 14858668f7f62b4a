//! The Japanese analyzer: normalise, segment with lindera (IPADIC + our user
//! dictionary), keep the content words, and give each its folded surface,
//! base form and reading.
//!
//! Index and query go through the same [`Analyzer::content_tokens`], which is
//! what makes ゴミ/ごみ (folding), 捨てる/捨て (base form) and 買い物/買物 or
//! ごみ/塵 (reading) meet. Synonym expansion happens only on the query side
//! ([`Analyzer::query_concepts`]), so changing `synonyms.tsv` needs no reindex.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use lindera::dictionary::Dictionary;
use lindera::mode::{Mode, Penalty};
use lindera::segmenter::Segmenter;
use lindera_dictionary::builder::DictionaryBuilder;

use crate::error::TextError;
use crate::lexicon::Lexicon;
use crate::normalize::{fold_kana, is_kana, normalize};
use crate::sudachi::{self, Expansion};
use crate::system_dictionary::{self, DictionaryLocation, ipadic_metadata};

/// Which kind of term a token contributes to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermRole {
    /// The folded surface and base form: matched with full weight.
    Surface,
    /// The hiragana reading: matched with a lower weight.
    Reading,
}

/// One token of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The normalised surface as segmented (not kana-folded).
    pub surface: String,
    /// The folded surface: the index term.
    pub term: String,
    /// The folded base form when it differs from `term` (捨て → 捨てる).
    pub base: Option<String>,
    /// The reading in hiragana, when known.
    pub reading: Option<String>,
    /// 品詞 and its first subcategory (名詞/一般, 動詞/自立…).
    pub pos: String,
    pub pos_sub: String,
    /// Byte offsets in the ORIGINAL text.
    pub offset_from: usize,
    pub offset_to: usize,
    /// Index among all tokens of the text (content or not).
    pub position: usize,
    /// Whether the content filter keeps it for search.
    pub content: bool,
    /// Where the token stands among compounds and their parts.
    pub piece: Piece,
}

/// Compounds are indexed whole and in parts, so that a part finds the whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// An ordinary token.
    Whole,
    /// A user-dictionary word that also has parts (いきいき百歳体操). Queries
    /// keep the word, a known term, and skip its parts.
    UserCompound,
    /// A part of the user-dictionary word before it.
    UserPart,
    /// A katakana run IPADIC does not know, followed by the known words it
    /// splits into (ポールウォーキング → ポール + ウォーキング). Queries use the
    /// parts, so the words need not stand together in a record.
    UnknownCompound,
    UnknownPart,
}

impl Piece {
    /// Whether a query uses this token as a concept.
    pub fn in_query(self) -> bool {
        matches!(
            self,
            Piece::Whole | Piece::UserCompound | Piece::UnknownPart
        )
    }
}

/// Unknown kana runs at least this long are tried as compounds.
const MIN_UNKNOWN_SPLIT_CHARS: usize = 5;

/// Base forms that carry no meaning for search.
const STOP_BASES: &[&str] = &[
    "する",
    "ある",
    "いる",
    "なる",
    "できる",
    "れる",
    "られる",
    "おる",
    "いう",
    "行う",
    "こと",
    "もの",
    "ため",
    "よう",
    "ほか",
    "など",
    "等",
    "くださる",
    "いただく",
    "です",
    "ます",
];

/// Whether IPADIC's part of speech marks a content word.
fn is_content(pos: &str, sub: &str) -> bool {
    match pos {
        "名詞" => !matches!(sub, "非自立" | "代名詞" | "接尾" | "特殊"),
        "動詞" | "形容詞" => sub == "自立",
        // Unknown words and user entries without a usable POS.
        "*" | "" | "未知語" | "UNK" => true,
        _ => false,
    }
}

/// A query word with every alternative spelling that should match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryConcept {
    /// What the user wrote (normalised), for messages and highlighting.
    pub text: String,
    /// Alternatives; each is a sequence of index terms (a phrase when > 1).
    pub alternatives: Vec<Vec<String>>,
    /// Readings of the user's own words, matched against the reading field.
    pub readings: Vec<Vec<String>>,
    /// True when the alternatives came from a synonym group.
    pub expanded: bool,
    /// Synonym groups of the concept: every single-term member is matched
    /// through the group token instead of one clause per member.
    pub groups: Vec<u32>,
    /// The chunk folded to hiragana when the user wrote one word in kana
    /// (にんちしょうかふぇ, ﾆﾝﾁｼｮｳｶﾌｪ). The index stores readings per token,
    /// so the searcher splits this into reading terms it holds
    /// ([`reading_segmentations`]) and matches them as a phrase.
    pub kana_reading: Option<String>,
    /// Synonyms from a secondary source (the Sudachi 同義語辞書), one entry
    /// per group, each weighted by its source. The index holds no group
    /// token for them, so each alternative is matched as a term or phrase.
    /// Never repeats an entry of `alternatives` or a member of `groups`.
    pub weighted: Vec<SourcedAlternatives>,
}

/// Where a synonym came from, which decides its weight relative to the
/// word the user typed (1.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynonymSource {
    /// `dictionaries/synonyms.tsv`, written for this domain.
    Domain,
    /// The Sudachi 同義語辞書, general-purpose ([`crate::sudachi`]).
    Sudachi,
}

impl SynonymSource {
    pub const fn weight(self) -> f32 {
        match self {
            SynonymSource::Domain => sudachi::DOMAIN_SYNONYM_WEIGHT,
            SynonymSource::Sudachi => sudachi::SUDACHI_SYNONYM_WEIGHT,
        }
    }
}

/// The alternatives one synonym group of a secondary source adds to a
/// concept; each is a sequence of index terms (a phrase when > 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedAlternatives {
    pub source: SynonymSource,
    pub alternatives: Vec<Vec<String>>,
}

/// The Sudachi groups compiled to term sequences. Query side only: nothing
/// of it reaches the index, so it needs no reindex and no group tokens.
#[derive(Debug, Default)]
struct SudachiIndex {
    /// Group → its members as term sequences.
    groups: Vec<Vec<Vec<String>>>,
    /// A member that may start an expansion (flag 0) → its groups.
    by_source: HashMap<Vec<String>, Vec<usize>>,
}

/// Synonym phrases compiled to term sequences.
#[derive(Debug, Default)]
struct SynonymIndex {
    /// Group → its alternatives as term sequences.
    groups: Vec<Vec<Vec<String>>>,
    /// First term of a phrase → (group, alternative) pairs starting with it.
    by_first: HashMap<String, Vec<(usize, usize)>>,
    /// A single-term alternative → the groups it belongs to. The index adds
    /// a group token for each at the term's position, so a query matches a
    /// whole group with one posting list and one IDF.
    single: HashMap<String, Vec<u32>>,
}

/// Prefix of group tokens; analysis never produces it from text (it is a
/// symbol, dropped by the content filter), so it cannot collide with words.
pub const GROUP_TOKEN_PREFIX: char = '≡';

/// The index token standing for synonym group `g`.
pub fn group_token(g: u32) -> String {
    format!("{GROUP_TOKEN_PREFIX}{g}")
}

pub struct Analyzer {
    segmenter: Segmenter,
    /// IPADIC alone in decompose mode, to split user-dictionary words and
    /// unknown katakana runs into their parts.
    plain: Segmenter,
    synonyms: SynonymIndex,
    sudachi: SudachiIndex,
    lexicon: Lexicon,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("lexicon", &self.lexicon.origin)
            .field("synonym_groups", &self.synonyms.groups.len())
            .field("sudachi_groups", &self.sudachi.groups.len())
            .finish()
    }
}

impl Analyzer {
    /// Loads IPADIC (building it on first use) and the given lexicon.
    pub fn load(location: &DictionaryLocation, lexicon: Lexicon) -> Result<Analyzer, TextError> {
        let dictionary = system_dictionary::load(location)?;
        Self::with_dictionary(dictionary, lexicon)
    }

    /// Loads with the default locations and lexicon resolution.
    pub fn from_env() -> Result<Analyzer, TextError> {
        Self::load(&DictionaryLocation::from_env(), Lexicon::locate(None)?)
    }

    pub fn with_dictionary(
        dictionary: Dictionary,
        lexicon: Lexicon,
    ) -> Result<Analyzer, TextError> {
        let user = DictionaryBuilder::new(ipadic_metadata()?)
            .build_user_dict_from_reader(detailed_user_csv(&lexicon).as_bytes())
            .map_err(|e| TextError::UserDictionary {
                message: e.to_string(),
            })?;
        let plain = Segmenter::new(
            Mode::Decompose(Penalty::default()),
            dictionary.clone(),
            None,
        );
        let segmenter = Segmenter::new(Mode::Normal, dictionary, Some(user));
        let mut analyzer = Analyzer {
            segmenter,
            plain,
            synonyms: SynonymIndex::default(),
            sudachi: SudachiIndex::default(),
            lexicon,
        };
        analyzer.synonyms = analyzer.compile_synonyms()?;
        analyzer.sudachi = analyzer.compile_sudachi()?;
        Ok(analyzer)
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Every token of `text`, content or not.
    pub fn tokens(&self, text: &str) -> Result<Vec<AnalyzedToken>, TextError> {
        let normalized = normalize(text);
        let segment_err = |e: lindera::error::LinderaError| TextError::Segment {
            message: e.to_string(),
        };
        let segmented = self
            .segmenter
            .segment(Cow::Borrowed(normalized.text.as_str()))
            .map_err(segment_err)?;
        let mut out = Vec::with_capacity(segmented.len());
        let mut position = 0;
        for mut token in segmented {
            let from_user = !token.word_id.is_system() && !token.word_id.is_unknown();
            let unknown = token.word_id.is_unknown();
            let (start, end) = (token.byte_start, token.byte_end);
            let Some(mut analyzed) = analyze_token(
                &mut token,
                position,
                normalized.original_offset(start),
                normalized.original_offset(end),
            ) else {
                continue;
            };
            position += 1;
            let splittable = analyzed.content
                && (from_user
                    || (unknown
                        && is_kana(&analyzed.surface)
                        && analyzed.surface.chars().count() >= MIN_UNKNOWN_SPLIT_CHARS));
            if !splittable {
                out.push(analyzed);
                continue;
            }
            let surface = analyzed.surface.clone();
            let parts = self
                .plain
                .segment(Cow::Borrowed(surface.as_str()))
                .map_err(segment_err)?;
            if parts.len() < 2 || (unknown && parts.iter().all(|p| p.word_id.is_unknown())) {
                out.push(analyzed);
                continue;
            }
            let (compound, part_piece) = if from_user {
                (Piece::UserCompound, Piece::UserPart)
            } else {
                (Piece::UnknownCompound, Piece::UnknownPart)
            };
            analyzed.piece = compound;
            out.push(analyzed);
            // Parts carry the compound's span: tantivy's highlighter needs
            // offsets that never go backwards.
            let (from, to) = (
                normalized.original_offset(start),
                normalized.original_offset(end),
            );
            for mut part in parts {
                if let Some(mut p) = analyze_token(&mut part, position, from, to)
                    && p.content
                {
                    p.piece = part_piece;
                    out.push(p);
                    position += 1;
                }
            }
        }
        Ok(out)
    }

    /// The tokens search uses.
    pub fn content_tokens(&self, text: &str) -> Result<Vec<AnalyzedToken>, TextError> {
        let mut tokens = self.tokens(text)?;
        tokens.retain(|t| t.content);
        Ok(tokens)
    }

    /// Index terms of a phrase (used to compile synonyms and keywords).
    fn phrase_terms(&self, text: &str) -> Result<Vec<String>, TextError> {
        Ok(self
            .content_tokens(text)?
            .into_iter()
            .filter(|t| t.piece.in_query())
            .map(|t| t.term)
            .collect())
    }

    fn compile_synonyms(&self) -> Result<SynonymIndex, TextError> {
        let mut index = SynonymIndex::default();
        for group in &self.lexicon.synonyms.groups {
            let mut alternatives: Vec<Vec<String>> = Vec::new();
            for term in group {
                let terms = self.phrase_terms(term)?;
                if !terms.is_empty() && !alternatives.contains(&terms) {
                    alternatives.push(terms);
                }
            }
            if alternatives.len() < 2 {
                continue;
            }
            let g = index.groups.len();
            for (a, alt) in alternatives.iter().enumerate() {
                index
                    .by_first
                    .entry(alt[0].clone())
                    .or_default()
                    .push((g, a));
                if let [one] = alt.as_slice() {
                    let groups = index.single.entry(one.clone()).or_default();
                    if !groups.contains(&(g as u32)) {
                        groups.push(g as u32);
                    }
                }
            }
            index.groups.push(alternatives);
        }
        Ok(index)
    }

    /// Compiles the kept Sudachi groups like synonyms.tsv: each member
    /// becomes the index terms of its analysis. A member is dropped when
    /// the analysis loses part of it (御数 → 数, おりがみ → おり+み, 食事会 →
    /// 食事: prefixes, particles and suffixes are not content words), as
    /// what is left is another word, or when it analyses to a word of
    /// [`sudachi::NEVER_EXPAND`] (ご相談 → 相談). A group is kept when two
    /// distinct members and a source remain.
    fn compile_sudachi(&self) -> Result<SudachiIndex, TextError> {
        let mut index = SudachiIndex::default();
        let Some(source) = &self.lexicon.sudachi else {
            return Ok(index);
        };
        let never: HashSet<String> = sudachi::NEVER_EXPAND
            .iter()
            .map(|w| sudachi::vocabulary_key(w))
            .collect();
        for group in &source.groups {
            let mut members: Vec<Vec<String>> = Vec::new();
            let mut sources: Vec<usize> = Vec::new();
            for member in &group.members {
                let terms = self.phrase_terms(&member.word)?;
                let whole = terms.concat() == sudachi::vocabulary_key(&member.word);
                if !whole || matches!(terms.as_slice(), [one] if never.contains(one)) {
                    continue;
                }
                let at = match members.iter().position(|m| *m == terms) {
                    Some(at) => at,
                    None => {
                        members.push(terms);
                        members.len() - 1
                    }
                };
                if member.expansion == Expansion::Source && !sources.contains(&at) {
                    sources.push(at);
                }
            }
            if members.len() < 2 || sources.is_empty() {
                continue;
            }
            let g = index.groups.len();
            for at in sources {
                let groups = index.by_source.entry(members[at].clone()).or_default();
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
            index.groups.push(members);
        }
        tracing::debug!(
            groups = index.groups.len(),
            "Sudachi synonym groups compiled"
        );
        Ok(index)
    }

    /// How many Sudachi groups survived compilation (for reports).
    pub fn sudachi_group_count(&self) -> usize {
        self.sudachi.groups.len()
    }

    /// The Sudachi alternatives of a concept whose user wording is one of
    /// `keys` (terms, base form): every member of each group a key is a
    /// source of, minus what the concept already matches through its own
    /// alternatives or its domain `groups`.
    fn sudachi_alternatives(
        &self,
        keys: &[Vec<String>],
        alternatives: &[Vec<String>],
        groups: &[u32],
    ) -> Vec<SourcedAlternatives> {
        let mut seen: Vec<&Vec<String>> = alternatives.iter().collect();
        for &g in groups {
            seen.extend(self.synonyms.groups.get(g as usize).into_iter().flatten());
        }
        let mut matched: Vec<usize> = Vec::new();
        for key in keys {
            for &g in self.sudachi.by_source.get(key).into_iter().flatten() {
                if !matched.contains(&g) {
                    matched.push(g);
                }
            }
        }
        let mut out = Vec::new();
        for g in matched {
            let mut added = Vec::new();
            for member in &self.sudachi.groups[g] {
                if !seen.contains(&member) {
                    seen.push(member);
                    added.push(member.clone());
                }
            }
            if !added.is_empty() {
                out.push(SourcedAlternatives {
                    source: SynonymSource::Sudachi,
                    alternatives: added,
                });
            }
        }
        out
    }

    /// The synonym groups a single index term belongs to.
    pub fn groups_of(&self, term: &str) -> &[u32] {
        self.synonyms
            .single
            .get(term)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every term of every member of synonym group `g` (for highlighting).
    pub fn group_terms(&self, g: u32) -> impl Iterator<Item = &String> {
        self.synonyms
            .groups
            .get(g as usize)
            .into_iter()
            .flatten()
            .flatten()
    }

    /// For each token, the synonym groups whose member starts there: a
    /// single-term member equal to the token (or its base form), or a
    /// multi-term member matching the query-side tokens from there on. The
    /// index emits a group token for each, so queries need no phrase clause
    /// for any synonym.
    pub fn index_groups(&self, tokens: &[AnalyzedToken]) -> Vec<Vec<u32>> {
        let mut out: Vec<Vec<u32>> = tokens
            .iter()
            .map(|t| {
                let mut groups = self.groups_of(&t.term).to_vec();
                if let Some(base) = &t.base {
                    for g in self.groups_of(base) {
                        if !groups.contains(g) {
                            groups.push(*g);
                        }
                    }
                }
                groups
            })
            .collect();
        let query_side: Vec<usize> = (0..tokens.len())
            .filter(|&i| tokens[i].piece.in_query())
            .collect();
        for (k, &i) in query_side.iter().enumerate() {
            let t = &tokens[i];
            for key in [Some(&t.term), t.base.as_ref()].into_iter().flatten() {
                let Some(entries) = self.synonyms.by_first.get(key) else {
                    continue;
                };
                for &(g, a) in entries {
                    let alt = &self.synonyms.groups[g][a];
                    if alt.len() < 2 || k + alt.len() > query_side.len() {
                        continue;
                    }
                    let matches = alt.iter().zip(&query_side[k..]).all(|(want, &j)| {
                        *want == tokens[j].term || tokens[j].base.as_ref() == Some(want)
                    });
                    if matches && !out[i].contains(&(g as u32)) {
                        out[i].push(g as u32);
                    }
                }
            }
        }
        out
    }

    /// Analyses a query into concepts: each query word (or multi-word synonym
    /// phrase) with all spellings that should match it.
    ///
    /// A whitespace-separated chunk written in kana with some hiragana
    /// (ぼっちゃ, たいきょくけん) is one concept: IPADIC shreds hiragana runs into
    /// fragments, but as a whole the chunk equals a katakana word folded to
    /// hiragana, or the reading of a kanji word. Katakana alone segments well.
    pub fn query_concepts(&self, query: &str) -> Result<Vec<QueryConcept>, TextError> {
        let mut concepts: Vec<QueryConcept> = Vec::new();
        for chunk in normalize(query).text.split_whitespace() {
            if let Some(digits) = phone_digits(chunk) {
                concepts.push(QueryConcept {
                    text: chunk.to_string(),
                    alternatives: vec![vec![digits]],
                    readings: Vec::new(),
                    expanded: false,
                    groups: Vec::new(),
                    kana_reading: None,
                    weighted: Vec::new(),
                });
                continue;
            }
            let has_hiragana = chunk.chars().any(|c| matches!(c, '\u{3041}'..='\u{3096}'));
            let kana_word = is_kana(chunk) && chunk.chars().count() >= 2;
            let mut chunk_concepts = if kana_word && has_hiragana {
                vec![self.kana_concept(chunk)?]
            } else {
                self.token_concepts(chunk)?
            };
            // A kana chunk that stayed one concept may still be several
            // indexed words (ニンチショウカフェ = 認知症 + カフェ). One split
            // into several concepts already matches word by word.
            if kana_word && let [one] = chunk_concepts.as_mut_slice() {
                one.kana_reading = Some(fold_kana(chunk));
            }
            concepts.extend(chunk_concepts);
        }
        Ok(concepts)
    }

    fn kana_concept(&self, chunk: &str) -> Result<QueryConcept, TextError> {
        let whole = fold_kana(chunk);
        let mut tokens = self.content_tokens(chunk)?;
        tokens.retain(|t| t.piece.in_query());
        let mut alternatives = vec![vec![whole.clone()]];
        let mut expanded = false;
        let (len, groups) = self.longest_synonym_at(&tokens);
        if len == tokens.len() {
            for &g in &groups {
                for alt in &self.synonyms.groups[g] {
                    if !alternatives.contains(alt) {
                        alternatives.push(alt.clone());
                        expanded = true;
                    }
                }
            }
        }
        let split: Vec<String> = tokens.iter().map(|t| t.term.clone()).collect();
        if split.len() > 1 && split.concat() == whole && !alternatives.contains(&split) {
            alternatives.push(split.clone());
        }
        let groups: Vec<u32> = if len == tokens.len() {
            groups.iter().map(|&g| g as u32).collect()
        } else {
            Vec::new()
        };
        let mut keys = vec![vec![whole.clone()]];
        if split.len() > 1 && split.concat() == whole {
            keys.push(split);
        }
        let weighted = self.sudachi_alternatives(&keys, &alternatives, &groups);
        Ok(QueryConcept {
            text: chunk.to_string(),
            alternatives,
            readings: vec![vec![whole]],
            expanded,
            groups,
            kana_reading: None,
            weighted,
        })
    }

    fn token_concepts(&self, chunk: &str) -> Result<Vec<QueryConcept>, TextError> {
        let mut tokens = self.content_tokens(chunk)?;
        tokens.retain(|t| t.piece.in_query());
        let mut concepts: Vec<QueryConcept> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let (len, groups) = self.longest_synonym_at(&tokens[i..]);
            let span = &tokens[i..i + len.max(1)];
            let text = span.iter().map(|t| t.surface.as_str()).collect::<String>();
            let mut alternatives: Vec<Vec<String>> = Vec::new();
            let mut push = |alt: Vec<String>| {
                if !alternatives.contains(&alt) {
                    alternatives.push(alt);
                }
            };
            push(span.iter().map(|t| t.term.clone()).collect());
            if len <= 1
                && let Some(base) = &tokens[i].base
            {
                push(vec![base.clone()]);
            }
            for &g in &groups {
                for alt in &self.synonyms.groups[g] {
                    push(alt.clone());
                }
            }
            // Sudachi expands the concept as the domain formed it: its
            // phrases never merge or split the user's words, which would
            // change what a record must match.
            let mut keys = vec![span.iter().map(|t| t.term.clone()).collect::<Vec<_>>()];
            if len <= 1
                && let Some(base) = &tokens[i].base
            {
                keys.push(vec![base.clone()]);
            }
            let reading: Option<Vec<String>> = span.iter().map(|t| t.reading.clone()).collect();
            let mut group_ids: Vec<u32> = groups.iter().map(|&g| g as u32).collect();
            if len <= 1 {
                // A single word also stands for the groups of its base form.
                let base = tokens[i].base.as_deref();
                for g in self
                    .groups_of(&tokens[i].term)
                    .iter()
                    .chain(base.map(|b| self.groups_of(b)).unwrap_or(&[]))
                {
                    if !group_ids.contains(g) {
                        group_ids.push(*g);
                    }
                }
            }
            let weighted = self.sudachi_alternatives(&keys, &alternatives, &group_ids);
            concepts.push(QueryConcept {
                text,
                alternatives,
                readings: reading.into_iter().collect(),
                expanded: !groups.is_empty(),
                groups: group_ids,
                kana_reading: None,
                weighted,
            });
            i += len.max(1);
        }
        Ok(concepts)
    }

    /// The longest synonym phrase starting at `tokens[0]`: its length in
    /// tokens and every group that contains it.
    fn longest_synonym_at(&self, tokens: &[AnalyzedToken]) -> (usize, Vec<usize>) {
        let Some(first) = tokens.first() else {
            return (0, Vec::new());
        };
        let mut best_len = 0;
        let mut best_groups: Vec<usize> = Vec::new();
        let candidates = [Some(&first.term), first.base.as_ref()];
        for key in candidates.into_iter().flatten() {
            let Some(entries) = self.synonyms.by_first.get(key) else {
                continue;
            };
            for &(g, a) in entries {
                let alt = &self.synonyms.groups[g][a];
                if alt.len() > tokens.len() {
                    continue;
                }
                let matches = alt
                    .iter()
                    .zip(tokens)
                    .all(|(want, tok)| *want == tok.term || tok.base.as_ref() == Some(want));
                if !matches {
                    continue;
                }
                if alt.len() > best_len {
                    best_len = alt.len();
                    best_groups.clear();
                }
                if alt.len() == best_len && !best_groups.contains(&g) {
                    best_groups.push(g);
                }
            }
        }
        (best_len, best_groups)
    }
}

/// Kana words longer than this are not split against the index: the split
/// looks up every substring, and no real query word is this long.
pub const MAX_SEGMENTED_KANA_CHARS: usize = 24;

/// Honorific prefixes IPADIC tags 接頭詞; the index drops them as non-content
/// (お話し相手 is indexed as 話し相手), so a query may drop them too.
const HONORIFIC_PREFIXES: [char; 2] = ['お', 'ご'];

/// Splits `word` into the fewest pieces for which `exists` holds (ties go to
/// the split whose earlier pieces are longer), or `None` when no split
/// covers the whole word or it is longer than [`MAX_SEGMENTED_KANA_CHARS`].
/// `exists` is asked about each substring at most once.
pub fn segment_into_terms(word: &str, mut exists: impl FnMut(&str) -> bool) -> Option<Vec<String>> {
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain([word.len()])
        .collect();
    let n = bounds.len() - 1;
    if n == 0 || n > MAX_SEGMENTED_KANA_CHARS {
        return None;
    }
    // best[j]: fewest pieces covering the first j chars, and where the last
    // piece starts. Filled from the end so that ties keep long first pieces.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[n] = Some((0, n));
    for i in (0..n).rev() {
        for j in (i + 1..=n).rev() {
            let Some((rest, _)) = best[j] else {
                continue;
            };
            if best[i].is_some_and(|(count, _)| count <= rest + 1) {
                continue;
            }
            if exists(&word[bounds[i]..bounds[j]]) {
                best[i] = Some((rest + 1, j));
            }
        }
    }
    best[0]?;
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < n {
        let (_, j) = best[i]?;
        pieces.push(word[bounds[i]..bounds[j]].to_string());
        i = j;
    }
    Some(pieces)
}

/// The splits of a hiragana word into index terms worth matching as a
/// phrase: its split into two or more terms (the word as one term is the
/// concept's own reading), and the same without a leading honorific prefix
/// (おはなしあいて → はなしあいて, whole or split). Each is distinct.
pub fn reading_segmentations(word: &str, mut exists: impl FnMut(&str) -> bool) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut push = |pieces: Vec<String>| {
        if !out.contains(&pieces) {
            out.push(pieces);
        }
    };
    // A reading term may equal the whole word (a name_kana that IPADIC kept
    // as one unknown word) while most records hold it as several words.
    if let Some(pieces) = segment_into_terms(word, |p| p != word && exists(p)) {
        push(pieces);
    }
    if let Some(first) = word.chars().next()
        && HONORIFIC_PREFIXES.contains(&first)
        && word.chars().count() > 2
    {
        let rest = &word[first.len_utf8()..];
        if let Some(pieces) = segment_into_terms(rest, &mut exists) {
            push(pieces);
        }
        if let Some(pieces) = segment_into_terms(rest, |p| p != rest && exists(p)) {
            push(pieces);
        }
    }
    out
}

/// Fewest and most digits of a Japanese phone number (fixed lines have 10,
/// mobiles and IP phones 11).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 10..=11;

/// The digits of a phone number written with dashes, parentheses or spaces
/// in any width (043-225-8618, 043(225)8618, ０４３－２２５－８６１８), or
/// `None` when `text` is not one. The index keeps a record's phone as this
/// one term, so every way of writing it meets.
pub fn phone_digits(text: &str) -> Option<String> {
    let normalized = normalize(text).text;
    let mut digits = String::new();
    for c in normalized.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '-' | '(' | ')' | ' ' | '\u{2010}'..='\u{2015}' | '\u{2212}' | 'ー' => {}
            _ => return None,
        }
    }
    let plausible = PHONE_DIGITS.contains(&digits.len()) && digits.starts_with('0');
    plausible.then_some(digits)
}

/// IPADIC's context id of 名詞,一般: user words connect to their neighbours
/// like ordinary nouns. (lindera's simple format uses context 0, BOS/EOS,
/// which changes how the words around a user word are split.)
const NOUN_CONTEXT_ID: u16 = 1285;
/// Low enough that a user word beats IPADIC's split of the same characters,
/// not so low that it swallows longer words around it.
const USER_WORD_COST: i16 = -3000;

/// The simple `surface,品詞,reading` rows of user.csv in IPADIC's 13-column
/// layout.
fn detailed_user_csv(lexicon: &Lexicon) -> String {
    let mut out = String::new();
    for w in &lexicon.user_words {
        out.push_str(&format!(
            "{s},{id},{id},{cost},{pos},一般,*,*,*,*,{s},{r},{r}\n",
            s = w.surface,
            id = NOUN_CONTEXT_ID,
            cost = USER_WORD_COST,
            pos = w.pos,
            r = w.reading,
        ));
    }
    out
}

/// Turns one lindera token into ours; `None` for whitespace.
fn analyze_token(
    token: &mut lindera::token::Token<'_>,
    position: usize,
    offset_from: usize,
    offset_to: usize,
) -> Option<AnalyzedToken> {
    let surface = token.surface.to_string();
    if surface.trim().is_empty() {
        return None;
    }
    let details = token.details();
    let field = |i: usize| details.get(i).copied().unwrap_or("*");
    let pos = field(0).to_string();
    let pos_sub = field(1).to_string();
    let base_raw = field(6);
    let reading_raw = field(7);
    let term = fold_kana(&surface);
    let base = (base_raw != "*" && !base_raw.is_empty())
        .then(|| fold_kana(&normalize(base_raw).text))
        .filter(|b| *b != term);
    let reading = if reading_raw != "*" && is_kana(reading_raw) {
        Some(fold_kana(reading_raw))
    } else if is_kana(&surface) {
        Some(term.clone())
    } else {
        None
    };
    let stop = STOP_BASES.contains(&base.as_deref().unwrap_or(&term));
    let content = !stop && is_content(&pos, &pos_sub) && has_word_char(&term);
    Some(AnalyzedToken {
        surface,
        term,
        base,
        reading,
        pos,
        pos_sub,
        offset_from,
        offset_to,
        position,
        content,
        piece: Piece::Whole,
    })
}

/// True when a term has a letter, digit or ideograph (not only symbols).
fn has_word_char(term: &str) -> bool {
    term.chars().any(char::is_alphanumeric)
}
