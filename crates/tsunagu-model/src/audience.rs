//! The one place that decides what each audience may see.
//!
//! Every path that hands a record to the outside (CLI output, API, exports,
//! handouts) goes through [`Audience::project`]. The public never sees an
//! `internal` record, `notes_internal`, or `contact.person`.

use serde::{Deserialize, Serialize};

use crate::record::Record;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Seniors, families, anyone: public records, public fields.
    #[default]
    Public,
    /// An authenticated coordinator: everything.
    Coordinator,
}

impl Audience {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "public" => Some(Audience::Public),
            "coordinator" => Some(Audience::Coordinator),
            _ => None,
        }
    }

    /// Whether this audience may see the record at all.
    pub fn may_see(self, record: &Record) -> bool {
        match self {
            Audience::Public => record.is_public(),
            Audience::Coordinator => true,
        }
    }

    /// The record as this audience may see it, or `None` when it may not.
    pub fn project(self, record: &Record) -> Option<Record> {
        if !self.may_see(record) {
            return None;
        }
        let mut shown = record.clone();
        if self == Audience::Public {
            shown.notes_internal = None;
            if let Some(contact) = shown.contact.as_mut() {
                contact.person = None;
            }
            if shown.contact.as_ref().is_some_and(|c| c.is_empty()) {
                shown.contact = None;
            }
        }
        Some(shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Visibility;
    use crate::record::Contact;
    use crate::validate::record_from_json;
    use serde_json::json;

    fn record(visibility: &str) -> Record {
        let v = json!({"id": "x", "kind": "service", "name": "見守り", "categories": ["watching"],
            "address": "千葉市美浜区高洲1丁目", "visibility": visibility,
            "notes_internal": "長男と連絡済み", "contact": {"person": "佐藤 一郎"}});
        record_from_json(v.as_object().unwrap()).unwrap()
    }

    #[test]
    fn public_never_sees_internal_records_or_fields() {
        assert_eq!(Audience::Public.project(&record("internal")), None);
        let shown = Audience::Public.project(&record("public")).unwrap();
        assert_eq!(shown.notes_internal, None);
        assert_eq!(
            shown.contact, None,
            "a contact holding only a person is dropped"
        );
        let json = serde_json::to_string(&shown).unwrap();
        assert!(!json.contains("佐藤") && !json.contains("長男"));
    }

    #[test]
    fn coordinators_see_everything() {
        let r = record("internal");
        let shown = Audience::Coordinator.project(&r).unwrap();
        assert_eq!(shown.visibility, Visibility::Internal);
        assert_eq!(
            shown.contact,
            Some(Contact {
                person: Some("佐藤 一郎".into()),
                ..Contact::default()
            })
        );
    }
}
