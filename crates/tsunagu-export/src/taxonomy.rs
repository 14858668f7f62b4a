//! The tsunagu taxonomy: the terms HSDS `attribute`s point at.
//!
//! HSDS 3.0 has no field for a record's kind, its categories, features,
//! organizer type, reading (よみ), capacity, internal notes or for our own
//! record id. Its extension point is the `attribute`: a link from an
//! object to a `taxonomy_term`, with an optional `value`. Every term here
//! has a stable UUID ([`crate::ids::object_id`] of `taxonomy_term` and its
//! code), so a consumer can rely on ids across exports, and the HSDS reader
//! recognises a term by its id or, failing that, by its code.
//!
//! Codes are `group:name`:
//!
//! | group | terms | link | value |
//! | --- | --- | --- | --- |
//! | `kind` | `kind:kayoi`, `kind:service` | service | — |
//! | `category` | `category:exercise` … (21; parent: their list's kind) | service | — |
//! | `feature` | `feature:wheelchair` … (6) | service | — |
//! | `organizer_type` | `organizer_type:npo` … (9) | organization | — |
//! | `visibility` | `visibility:internal` | service | — |
//! | `field` | `field:record_id`, `field:name_kana`, `field:address`, `field:capacity`, `field:notes_internal`, `field:email`, `field:url`, `field:extra` | service | the record's value, as text |
//! | `marker` | `marker:located_from_address` (location), `marker:derived` (schedule, cost option) | as named | — |
//!
//! `marker:derived` flags what the engine read out of the published text
//! (schedule slots from `schedule_text`, a price from `fee_text`): shown
//! to consumers, skipped by the reader, which derives them again.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use tsunagu_model::{Category, Feature, Kind, OrgType};
use uuid::Uuid;

use crate::ids::object_id;

/// The taxonomy's name, as `taxonomy_term.taxonomy` says it.
pub const TAXONOMY_NAME: &str = "tsunagu";

/// The taxonomy's id.
pub fn taxonomy_id() -> Uuid {
    object_id("taxonomy", TAXONOMY_NAME)
}

/// What a term is about, as `attribute.link_type` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Kind,
    Category,
    Feature,
    OrganizerType,
    Visibility,
    Field,
    Marker,
}

impl Group {
    pub fn code(self) -> &'static str {
        match self {
            Group::Kind => "kind",
            Group::Category => "category",
            Group::Feature => "feature",
            Group::OrganizerType => "organizer_type",
            Group::Visibility => "visibility",
            Group::Field => "field",
            Group::Marker => "marker",
        }
    }
}

/// A record key carried as an attribute's `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    RecordId,
    NameKana,
    Address,
    Capacity,
    NotesInternal,
    Email,
    Url,
    Extra,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::RecordId,
        Field::NameKana,
        Field::Address,
        Field::Capacity,
        Field::NotesInternal,
        Field::Email,
        Field::Url,
        Field::Extra,
    ];

    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Field::RecordId => (
                "record_id",
                "tsunagu の資源ID",
                "The record's own id in tsunagu (value), so an import maps the service back to it.",
            ),
            Field::NameKana => (
                "name_kana",
                "名称の読み",
                "名称の読み (the name's reading in kana), exactly as stored (value).",
            ),
            Field::Address => (
                "address",
                "所在地（記載どおり）",
                "所在地 exactly as the provider wrote it (value); the address object splits it for other systems.",
            ),
            Field::Capacity => ("capacity", "定員", "定員 (capacity), an integer (value)."),
            Field::NotesInternal => (
                "notes_internal",
                "内部メモ",
                "Coordinators' internal notes (value); never in a public export.",
            ),
            Field::Email => (
                "email",
                "メールアドレス（記載どおり）",
                "The contact e-mail as written, when it is not an address the HSDS email format accepts (value).",
            ),
            Field::Url => (
                "url",
                "URL（記載どおり）",
                "The contact URL as written, when it is not an absolute http(s) URI the HSDS uri format accepts (value).",
            ),
            Field::Extra => (
                "extra",
                "その他の項目",
                "Keys the tsunagu record format does not define, kept from the source, as a JSON object (value).",
            ),
        }
    }

    pub fn code(self) -> String {
        format!("field:{}", self.parts().0)
    }
}

/// A marker without a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// The location's point was found from its address by tsunagu.
    LocatedFromAddress,
    /// Read by tsunagu from the published text; not part of the record.
    Derived,
}

impl Marker {
    pub const ALL: [Marker; 2] = [Marker::LocatedFromAddress, Marker::Derived];

    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Marker::LocatedFromAddress => (
                "located_from_address",
                "住所から推定した位置",
                "The point was located by tsunagu from the address (町丁目 representative point); the record itself gives none.",
            ),
            Marker::Derived => (
                "derived",
                "記載から読み取った情報",
                "Read by tsunagu from the published text (schedule_text, fee_text); the text is authoritative.",
            ),
        }
    }

    pub fn code(self) -> String {
        format!("marker:{}", self.parts().0)
    }
}

/// What a term means to tsunagu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meaning {
    Kind(Kind),
    Category(Category),
    Feature(Feature),
    OrganizerType(OrgType),
    Internal,
    Field(Field),
    Marker(Marker),
}

impl Meaning {
    pub fn group(self) -> Group {
        match self {
            Meaning::Kind(_) => Group::Kind,
            Meaning::Category(_) => Group::Category,
            Meaning::Feature(_) => Group::Feature,
            Meaning::OrganizerType(_) => Group::OrganizerType,
            Meaning::Internal => Group::Visibility,
            Meaning::Field(_) => Group::Field,
            Meaning::Marker(_) => Group::Marker,
        }
    }

    /// `group:name`.
    pub fn code(self) -> String {
        match self {
            Meaning::Kind(k) => format!("kind:{}", k.code()),
            Meaning::Category(c) => format!("category:{}", c.code()),
            Meaning::Feature(f) => format!("feature:{}", f.code()),
            Meaning::OrganizerType(o) => format!("organizer_type:{}", o.code()),
            Meaning::Internal => "visibility:internal".into(),
            Meaning::Field(f) => f.code(),
            Meaning::Marker(m) => m.code(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Meaning::Kind(k) => k.label_ja(),
            Meaning::Category(c) => c.label_ja(),
            Meaning::Feature(f) => f.label_ja(),
            Meaning::OrganizerType(o) => o.label_ja(),
            Meaning::Internal => "内部（コーディネーターのみ）",
            Meaning::Field(f) => f.parts().1,
            Meaning::Marker(m) => m.parts().1,
        }
    }

    fn description(self) -> String {
        match self {
            Meaning::Kind(k) => format!(
                "tsunagu の種別 {}（{}）: kayoi = 通いの場・交流の場, service = 生活支援サービス",
                k.code(),
                k.label_ja()
            ),
            Meaning::Category(c) => format!("tsunagu の分類 {}（{}）", c.code(), c.label_ja()),
            Meaning::Feature(f) => format!("tsunagu の特徴 {}（{}）", f.code(), f.label_ja()),
            Meaning::OrganizerType(o) => {
                format!("tsunagu の運営主体の種別 {}（{}）", o.code(), o.label_ja())
            }
            Meaning::Internal => {
                "For coordinators only (visibility internal); never in a public export".into()
            }
            Meaning::Field(f) => f.parts().2.into(),
            Meaning::Marker(m) => m.parts().2.into(),
        }
    }

    fn parent(self) -> Option<Meaning> {
        match self {
            Meaning::Category(c) => Some(Meaning::Kind(c.home_kind())),
            _ => None,
        }
    }

    pub fn term_id(self) -> Uuid {
        object_id("taxonomy_term", &self.code())
    }

    /// Every term of the taxonomy.
    pub fn all() -> Vec<Meaning> {
        let mut out: Vec<Meaning> = Kind::ALL.iter().map(|k| Meaning::Kind(*k)).collect();
        out.extend(Category::ALL.iter().map(|c| Meaning::Category(*c)));
        out.extend(Feature::ALL.iter().map(|f| Meaning::Feature(*f)));
        out.extend(OrgType::ALL.iter().map(|o| Meaning::OrganizerType(*o)));
        out.push(Meaning::Internal);
        out.extend(Field::ALL.iter().map(|f| Meaning::Field(*f)));
        out.extend(Marker::ALL.iter().map(|m| Meaning::Marker(*m)));
        out
    }

    /// The term for an id or a code, if it is one of ours.
    pub fn lookup(id_or_code: &str) -> Option<Meaning> {
        static INDEX: OnceLock<HashMap<String, Meaning>> = OnceLock::new();
        let index = INDEX.get_or_init(|| {
            let mut map = HashMap::new();
            for m in Meaning::all() {
                map.insert(m.term_id().to_string(), m);
                map.insert(m.code(), m);
            }
            map
        });
        index.get(id_or_code).copied()
    }

    /// The HSDS `taxonomy_term` object, in full (for a listing of the
    /// taxonomy).
    pub fn term(self) -> TaxonomyTerm {
        TaxonomyTerm {
            id: self.term_id().to_string(),
            code: self.code(),
            name: self.name().to_string(),
            description: self.description(),
            parent_id: self.parent().map(|p| p.term_id().to_string()),
            taxonomy: TAXONOMY_NAME,
            taxonomy_id: Some(taxonomy_id().to_string()),
            language: Some("ja"),
        }
    }

    /// The term as each attribute carries it: its id, code and name, and
    /// the code again as its (required) description. An export repeats it
    /// in every attribute, so it is kept short; [`Meaning::term`] has the
    /// rest.
    pub fn inline_term(self) -> TaxonomyTerm {
        let code = self.code();
        TaxonomyTerm {
            id: self.term_id().to_string(),
            description: format!("{TAXONOMY_NAME} {code}"),
            code,
            name: self.name().to_string(),
            parent_id: None,
            taxonomy: TAXONOMY_NAME,
            taxonomy_id: None,
            language: None,
        }
    }
}

/// An HSDS `taxonomy_term` (schema `taxonomy_term.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxonomyTerm {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    pub taxonomy: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxonomy_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'static str>,
}

/// The HSDS `taxonomy` object of the tsunagu taxonomy.
pub fn taxonomy() -> serde_json::Value {
    serde_json::json!({
        "id": taxonomy_id().to_string(),
        "name": TAXONOMY_NAME,
        "description": "tsunagu（千葉市 生活支援体制整備事業の地域資源ディレクトリ）の種別・分類・特徴・運営主体の種別、および HSDS に項目のない値（資源ID・読み・定員など）",
        "version": "1",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_has_a_distinct_id_and_code_and_is_found_by_both() {
        let all = Meaning::all();
        assert_eq!(all.len(), 2 + 21 + 6 + 9 + 1 + 8 + 2);
        let mut ids = std::collections::HashSet::new();
        for m in &all {
            assert!(ids.insert(m.term_id()), "{m:?}");
            assert_eq!(Meaning::lookup(&m.code()), Some(*m));
            assert_eq!(Meaning::lookup(&m.term_id().to_string()), Some(*m));
        }
        assert_eq!(Meaning::lookup("category:nope"), None);
        let term = Meaning::Category(Category::Garbage).term();
        assert_eq!(term.name, "ごみ出し");
        assert_eq!(
            term.parent_id,
            Some(Meaning::Kind(Kind::Service).term_id().to_string())
        );
    }
}
