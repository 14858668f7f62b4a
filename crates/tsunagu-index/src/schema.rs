//! The tantivy schema. Field names appear in this file only; everything else
//! goes through [`Fields`].

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::tokenizer::{JA, JA_READING};

/// Bump when the schema or the analysis changes in a way that needs a
/// rebuild; an index of another version is rebuilt from the store.
pub const SCHEMA_VERSION: u32 = 1;

/// Text fields searched by a query, with their boosts.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub field: Field,
    pub boost: f32,
}

#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub name: Field,
    pub name_kana: Field,
    pub category_text: Field,
    pub description: Field,
    pub organizer: Field,
    pub place: Field,
    pub details: Field,
    pub reading: Field,
    pub kind: Field,
    pub category: Field,
    pub ward: Field,
    pub feature: Field,
    pub status: Field,
    pub visibility: Field,
    /// Fee per visit in yen, −1 when unknown (so a max-fee filter keeps
    /// unknown fees, as match.md's hard rules do).
    pub fee: Field,
}

/// Field names used by the facet aggregation.
pub const CATEGORY_FIELD: &str = "category";
pub const WARD_FIELD: &str = "ward";

impl Fields {
    /// Surface-term fields and their boosts: the name weighs most, then the
    /// category labels, then the provider's description.
    pub fn text_fields(&self) -> [TextField; 7] {
        [
            TextField {
                field: self.name,
                boost: 3.0,
            },
            TextField {
                field: self.name_kana,
                boost: 2.0,
            },
            TextField {
                field: self.category_text,
                boost: 2.0,
            },
            TextField {
                field: self.description,
                boost: 1.0,
            },
            TextField {
                field: self.organizer,
                boost: 0.8,
            },
            TextField {
                field: self.place,
                boost: 1.0,
            },
            TextField {
                field: self.details,
                boost: 0.5,
            },
        ]
    }

    /// Weight of a match on readings only (kana/kanji/okurigana variants).
    pub const READING_BOOST: f32 = 0.6;
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JA)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let reading = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JA_READING)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        name: b.add_text_field("name", text.clone()),
        name_kana: b.add_text_field("name_kana", text.clone()),
        category_text: b.add_text_field("category_text", text.clone()),
        description: b.add_text_field("description", text.clone()),
        organizer: b.add_text_field("organizer", text.clone()),
        place: b.add_text_field("place", text.clone()),
        details: b.add_text_field("details", text),
        reading: b.add_text_field("reading", reading),
        kind: b.add_text_field("kind", STRING | FAST),
        category: b.add_text_field(CATEGORY_FIELD, STRING | FAST),
        ward: b.add_text_field(WARD_FIELD, STRING | FAST),
        feature: b.add_text_field("feature", STRING),
        status: b.add_text_field("status", STRING),
        visibility: b.add_text_field("visibility", STRING),
        fee: b.add_i64_field("fee", INDEXED | FAST),
    };
    (b.build(), fields)
}
