//! The search index, derived from the store and rebuildable from it.
//!
//! * [`schema`]: every tantivy field name lives here and nowhere else.
//! * [`tokenizer`]: the adapter from [`tsunagu_text::Analyzer`] to tantivy,
//!   registered on every open (tantivy does not persist tokenizers).
//! * [`SearchIndex`]: open/create, apply changes with the store sequence
//!   number in the commit payload, and search.

pub mod error;
pub mod facets;
pub mod prefs;
pub mod schema;
pub mod search;
pub mod tokenizer;

mod any_term;
mod id_map;
mod index;

pub use error::IndexError;
pub use index::{CommitStamp, IndexDoc, IndexWriterHandle, PreparedDoc, SearchIndex};
pub use prefs::{PlaceWanted, Preferences, RankKey, WhenWanted, town_key};
pub use search::{FacetCount, IndexHit, Restriction, SearchOutcome, SearchQuery, Snippets};
pub use tsunagu_model::area_keys;
