//! Open Referral HSDS 3.0 (Human Services Data Specification).
//!
//! # The document
//!
//! A JSON array of `service` objects, one per record, each complete in
//! itself: its `organization`, `service_at_locations` → `location` →
//! `addresses`, `schedules`, `cost_options`, `phones`, `contacts`,
//! `service_areas` and `attributes` nested inside it, as HSDS's API returns
//! `GET /services/{id}` and as `schema/compiled/service_with_definitions.json`
//! validates. One service per line:
//!
//! ```text
//! [
//! {"id":"…","name":"稲毛東脳いきいき教室",…},
//! {"id":"…",…}
//! ]
//! ```
//!
//! Why this shape: it can be written one record at a time with nothing held
//! back (the API's `Page` needs the total count before the first item; the
//! tabular form is one file per object type, so no single stream), and
//! read back one service at a time too ([`read`] finds each element's bytes
//! and parses them alone, so a bad service costs only itself). An
//! organization is repeated in each of its services; its id is the same
//! every time, so a consumer that loads the services into tables
//! de-duplicates it by id.
//!
//! # Mapping
//!
//! | record key | HSDS |
//! | --- | --- |
//! | `id` | `attribute` `field:record_id` (value); also the service `id` when the record id is a UUID, else the service id is UUID v5 of it ([`crate::ids`]) |
//! | `kind` | `attribute` `kind:kayoi` / `kind:service` |
//! | `name` | `name` (and `location.name`) |
//! | `name_kana` | `attribute` `field:name_kana` (value); also `alternate_name` |
//! | `categories` | one `attribute` per category, `category:…` (in order; the term's `name` is the Japanese label) |
//! | `description` | `description` |
//! | `organizer.name` / `.type` | `organization.name` / `organization.attributes` `organizer_type:…`; `organization.description` is the type's label |
//! | `address` | `attribute` `field:address` (value, as written); `location.addresses[0]` splits it: `postal_code`, `state_province` (千葉県), `city` (千葉市稲毛区), `address_1` (the rest), `country` JP |
//! | `lat`, `lon` | `location.latitude` / `longitude`. A point the engine located from the address is written too, with `marker:located_from_address` on the location, and not read back |
//! | `service_area` | `service_areas[].name`, in order |
//! | `schedule` | `schedules[]`, one per slot: `freq` WEEKLY/MONTHLY, `byday` (`2WE,4WE` = 第2・第4水曜), `opens_at`/`closes_at` `10:00+09:00`, `timezone` 9. Without a `schedule`, the slots the engine read from `schedule_text` are written with `marker:derived` (also days of the month as `bymonthday`, 隔週 as `interval` 2, 祝日 in `notes`) and not read back |
//! | `schedule_text` | `description` of every schedule object (one with no rule when there are no slots) |
//! | `fee_yen` | `cost_options[0].amount`, `currency` JPY, `option` 1回あたり. Without it, the price the engine read from `fee_text` is written with `marker:derived` and not read back |
//! | `fee_text` | `fees_description` |
//! | `target` | `eligibility_description` |
//! | `capacity` | `attribute` `field:capacity` (value) |
//! | `features` | one `attribute` per feature, `feature:…` |
//! | `contact.phone` | `phones[0].number` |
//! | `contact.email` | `email` when the HSDS `email` format accepts it, else `attribute` `field:email` |
//! | `contact.url` | `url` when it is an absolute http(s) URI, else `attribute` `field:url` |
//! | `contact.person` | `contacts[0].name` (coordinators only: the public projection has none) |
//! | `visibility` | `attribute` `visibility:internal` when internal (only in coordinators' exports) |
//! | `notes_internal` | `attribute` `field:notes_internal` (value; coordinators only) |
//! | `status` | `status`: active → `active`, paused (休止中) → `temporarily closed`, closed (廃止) → `defunct`. Read back: `inactive` is paused too |
//! | `verified_on` | `assured_date` |
//! | keys outside the spec (`extra`) | `attribute` `field:extra`, the keys as a JSON object (value) |
//! | — | `last_modified`: when the store last changed the record |
//!
//! # What does not round-trip
//!
//! tsunagu → HSDS → tsunagu gives the same record except that an empty
//! `schedule` array (`"schedule": []`) comes back absent, and so does any
//! other empty value (an empty string, an empty list). Everything above is
//! carried exactly, including text with line breaks and the record's order
//! of categories, features, slots and areas.
//!
//! HSDS → tsunagu keeps what the record format can hold. Of a document
//! written elsewhere it drops: programs, funding, languages, accessibility,
//! required documents, extra phones, contacts and locations beyond the
//! first, `alternate_name` unless it is kana, schedules a slot cannot say
//! (days of the month, every other week, the last week, `valid_from`…;
//! their description is kept in `schedule_text`), amounts in other
//! currencies, `metadata`, and terms of other taxonomies except those whose
//! name is one of tsunagu's category or feature words. A service needs at
//! least one category to become a record.

mod read;
mod write;

pub use read::{HsdsServices, SNIFF_BYTES, looks_like_hsds, read};
pub use write::{HsdsWriter, service_json};

/// HSDS `service.status` for a record's status.
pub fn status_code(status: tsunagu_model::Status) -> &'static str {
    use tsunagu_model::Status;
    match status {
        Status::Active => "active",
        Status::Paused => "temporarily closed",
        Status::Closed => "defunct",
    }
}
