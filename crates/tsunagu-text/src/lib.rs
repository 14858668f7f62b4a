//! Japanese text analysis: everything between a string a person typed and
//! the terms that go into or come out of the index.
//!
//! * [`normalize`]: NFKC, case, long-vowel and wave-dash variants, kana folding,
//!   with a map back to the original offsets for highlighting.
//! * [`system_dictionary`]: builds IPADIC from Debian's `mecab-ipadic` CSV
//!   source on first use and caches it outside the repository.
//! * [`analyzer`]: lindera segmentation plus our filters, yielding surface,
//!   base-form and reading terms.
//! * [`facts`]: features and who-facts read from a listing's own words
//!   (「駐車場あり」「女性限定」), with the phrase each came from.
//! * [`lexicon`]: the data files of `dictionaries/` (user dictionary, synonyms,
//!   category keywords), loaded from disk or from the copies built into the
//!   binary, and checked by `tsunagu dict check`.
//! * [`sudachi`]: the optional second synonym source, the Sudachi 同義語辞書,
//!   read from outside the repository and filtered to this domain.

pub mod analyzer;
pub mod error;
pub mod facts;
pub mod fee;
pub mod highlight;
mod leftover;
pub mod lexicon;
pub mod normalize;
pub mod schedule;
pub mod sudachi;
pub mod system_dictionary;

pub use analyzer::{AnalyzedToken, Analyzer, Piece, TermRole};
pub use error::TextError;
pub use highlight::Highlighter;
pub use lexicon::{Lexicon, LexiconIssue, SynonymGroups};
