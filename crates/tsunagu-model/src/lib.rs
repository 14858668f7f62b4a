//! Domain types shared by every tsunagu crate: the resource record of
//! `spec/records.md`, its code tables, validation, and the one place where the
//! public/internal split is decided ([`audience`]).
//!
//! This crate does no I/O; parsers of files live in `tsunagu-ingest`.

pub mod area;
pub mod audience;
pub mod codes;
pub mod derived;
pub mod error;
pub mod labels;
pub mod placement;
pub mod record;
pub mod safe_text;
pub mod validate;
pub mod ward;

pub use area::area_keys;
pub use audience::Audience;
pub use codes::{Category, Feature, Kind, OrgType, Status, Visibility, Weekday, Who};
pub use derived::{
    Fact, FactDecision, FactVerdict, FeeKnowledge, FeeUnit, ListingFact, ScheduleKnowledge,
    TimeSlot,
};
pub use error::{FieldError, FieldErrorKind};
pub use placement::Placement;
pub use record::{Contact, Organizer, Record, ScheduleSlot, TimeOfDay};
pub use safe_text::{cut_for_message, escape_controls};
pub use validate::{KNOWN_KEYS, record_from_json};
pub use ward::Ward;
