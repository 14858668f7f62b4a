//! The tantivy schema. Field names appear in this file only; everything else
//! goes through [`Fields`].

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::tokenizer::{JA, JA_READING};

/// Bump when the schema or the analysis changes in a way that needs a
/// rebuild; an index of another version is rebuilt from the store.
pub const SCHEMA_VERSION: u32 = 9;

/// Text fields searched by a query, with their boosts. Category labels are
/// matched through [`Fields::category`] instead (see `search.rs`).
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub field: Field,
    pub boost: f32,
    /// Whether multi-word synonym phrases are matched here (positions are
    /// costly; phrases matter in names and descriptions).
    pub phrases: bool,
}

#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub name: Field,
    pub description: Field,
    /// Organizer, address, service area, ward, schedule, fee and target
    /// text: one field, because each adds little alone and every text field
    /// multiplies the clauses of a query.
    pub other: Field,
    pub reading: Field,
    pub kind: Field,
    pub category: Field,
    pub ward: Field,
    pub feature: Field,
    /// Service-area keys (「千葉市」, 「稲毛区」, 「稲毛区小仲台」), normalised.
    pub area: Field,
    pub status: Field,
    pub visibility: Field,
    /// Facet key, dense, one read per document: categories as a bit set in
    /// the low 32 bits (bit = index in `Category::ALL`), the ward's index in
    /// `Ward::ALL` (or `NO_WARD`) in the high 32.
    pub facet_key: Field,
    /// Fee per visit in yen, −1 when unknown (so a max-fee filter keeps
    /// unknown fees, as match.md's hard rules do).
    pub fee: Field,
    /// Weekday-hour terms of the schedule (`d3h10`), `d3hx` for a day
    /// without times, `any` when the schedule is not known (see `prefs.rs`).
    pub when: Field,
    /// Packed facts for ranking: features (published or read from the
    /// text), who-facts, schedule knowledge, service-area wards.
    pub facts: Field,
    /// Hours of each weekday, 24 bits a day, two days a field.
    pub hours: [Field; 4],
    /// Key of the record's 町丁目 (`prefs::town_key`), 0 for none.
    pub town: Field,
    /// あんしんケアセンター id of the record's place (AC01…).
    pub center: Field,
    /// The record's point (NaN when it has none).
    pub lat: Field,
    pub lon: Field,
}

pub const CATEGORY_FIELD: &str = "category";
pub const WARD_FIELD: &str = "ward";
/// The fast field read by the facet collector.
pub const FACET_KEY_FIELD: &str = "facet_key";
/// Ward index of a record outside the six wards.
pub const NO_WARD: u64 = 31;
pub const FEE_FIELD: &str = "fee";
pub const FACTS_FIELD: &str = "facts";
pub const HOURS_FIELDS: [&str; 4] = [
    "hours_mon_tue",
    "hours_wed_thu",
    "hours_fri_sat",
    "hours_sun",
];
pub const TOWN_FIELD: &str = "town";
pub const LAT_FIELD: &str = "lat";
pub const LON_FIELD: &str = "lon";

impl Fields {
    /// Surface-term fields and their boosts: the name weighs most, then the
    /// category labels, then the provider's description.
    pub fn text_fields(&self) -> [TextField; 3] {
        [
            TextField {
                field: self.name,
                boost: 3.0,
                phrases: true,
            },
            TextField {
                field: self.description,
                boost: 1.0,
                phrases: true,
            },
            TextField {
                field: self.other,
                boost: 0.8,
                phrases: false,
            },
        ]
    }

    /// Weight of a match on readings only (kana/kanji/okurigana variants,
    /// and 名称_カナ, whose readings go to the same field).
    pub const READING_BOOST: f32 = 0.6;
    /// Score of a query word found in a record's category label or keywords
    /// (matched through the `category` keyword field: one posting list
    /// instead of the label analysed into every document).
    pub const CATEGORY_SCORE: f32 = 2.5;
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
        description: b.add_text_field("description", text.clone()),
        other: b.add_text_field("other", text),
        reading: b.add_text_field("reading", reading),
        kind: b.add_text_field("kind", STRING | FAST),
        category: b.add_text_field(CATEGORY_FIELD, STRING),
        ward: b.add_text_field(WARD_FIELD, STRING),
        feature: b.add_text_field("feature", STRING),
        area: b.add_text_field("area", STRING),
        status: b.add_text_field("status", STRING),
        visibility: b.add_text_field("visibility", STRING),
        fee: b.add_i64_field(FEE_FIELD, INDEXED | FAST),
        facet_key: b.add_u64_field(FACET_KEY_FIELD, FAST),
        when: b.add_text_field("when", STRING),
        facts: b.add_u64_field(FACTS_FIELD, FAST),
        hours: HOURS_FIELDS.map(|name| b.add_u64_field(name, FAST)),
        town: b.add_u64_field(TOWN_FIELD, FAST),
        center: b.add_text_field("center", STRING),
        lat: b.add_f64_field(LAT_FIELD, FAST),
        lon: b.add_f64_field(LON_FIELD, FAST),
    };
    (b.build(), fields)
}
