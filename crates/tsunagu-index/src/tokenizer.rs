//! Adapter from our analyzer to tantivy's tokenizer API.
//!
//! Written here instead of using lindera-tantivy so that normalisation,
//! kana folding, base forms and readings are exactly the ones the query side
//! uses, and so that a segmentation failure yields no tokens (logged) instead
//! of a panic inside the indexer.

use std::sync::Arc;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tsunagu_text::{Analyzer, TermRole};

pub const JA: &str = "tsunagu_ja";
pub const JA_READING: &str = "tsunagu_ja_reading";

#[derive(Clone)]
pub struct JaTokenizer {
    analyzer: Arc<Analyzer>,
    role: TermRole,
    tokens: Vec<Token>,
}

impl JaTokenizer {
    pub fn new(analyzer: Arc<Analyzer>, role: TermRole) -> Self {
        JaTokenizer {
            analyzer,
            role,
            tokens: Vec::new(),
        }
    }
}

pub struct JaTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    /// One past the current token; 0 before the first `advance`.
    index: usize,
}

/// Analyses `text` once into surface tokens (terms and base forms) and
/// reading tokens. Segmentation failure yields no tokens (logged).
pub fn analyze(analyzer: &Analyzer, text: &str) -> (Vec<Token>, Vec<Token>) {
    let analyzed = match analyzer.content_tokens(text) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "segmentation failed; text indexed without tokens");
            Vec::new()
        }
    };
    let groups = analyzer.index_groups(&analyzed);
    let mut surface = Vec::with_capacity(analyzed.len() * 2);
    let mut reading = Vec::with_capacity(analyzed.len());
    for (t, groups) in analyzed.iter().zip(groups) {
        let token = |term: &str| Token {
            offset_from: t.offset_from,
            offset_to: t.offset_to,
            position: t.position,
            text: term.to_string(),
            position_length: 1,
        };
        surface.push(token(&t.term));
        if let Some(base) = &t.base {
            surface.push(token(base));
        }
        for g in groups {
            surface.push(token(&tsunagu_text::analyzer::group_token(g)));
        }
        if let Some(r) = &t.reading {
            reading.push(token(r));
        }
    }
    (surface, reading)
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = JaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JaTokenStream<'a> {
        let (surface, reading) = analyze(&self.analyzer, text);
        self.tokens = match self.role {
            TermRole::Surface => surface,
            TermRole::Reading => reading,
        };
        JaTokenStream {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

// Like tantivy's own streams, `token()` is only valid after `advance()`
// returned true; tantivy's indexer and snippet generator keep that contract.
impl TokenStream for JaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}
/// Registers both tokenizers on an index. Must be called on every open.
pub fn register(index: &tantivy::Index, analyzer: &Arc<Analyzer>) {
    index.tokenizers().register(
        JA,
        TextAnalyzer::from(JaTokenizer::new(analyzer.clone(), TermRole::Surface)),
    );
    index.tokenizers().register(
        JA_READING,
        TextAnalyzer::from(JaTokenizer::new(analyzer.clone(), TermRole::Reading)),
    );
}
