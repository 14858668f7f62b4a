//! Turns one JSON object into a validated [`Record`], collecting every field
//! error rather than stopping at the first, so a provider can fix a line in one
//! pass.
//!
//! Written by hand instead of `#[derive(Deserialize)]` because serde's messages
//! do not reliably name the key at fault, and the spec requires they do.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::codes::{Category, Feature, Kind, OrgType, Status, Visibility, Weekday};
use crate::error::{FieldError, FieldErrorKind};
use crate::record::{Contact, Organizer, Record, ScheduleSlot, TimeOfDay};
use crate::safe_text::{cut_for_message as echo, is_control};

/// Longest `id` the spec allows, in characters (and it must not be blank).
pub const MAX_ID_CHARS: usize = 128;
/// Longest `name` and `name_kana`, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest `description`, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Longest other text, in characters: `address`, `target`, `schedule_text`,
/// `fee_text`, `organizer.name`, each `contact.*`, `notes_internal` and each
/// `service_area` entry.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Most entries of `categories` (there are 21 codes).
pub const MAX_CATEGORIES: usize = 21;
/// Most entries of `features` (there are 6 codes).
pub const MAX_FEATURES: usize = 6;
/// Most entries of `service_area`.
pub const MAX_SERVICE_AREAS: usize = 100;
/// Most slots of `schedule`.
pub const MAX_SCHEDULE_SLOTS: usize = 50;
/// Most entries of a slot's `weekdays` (there are 7 days).
pub const MAX_SLOT_WEEKDAYS: usize = 7;
/// Most entries of a slot's `weeks` (weeks 1–5).
pub const MAX_SLOT_WEEKS: usize = 5;
/// Most unknown keys a record may carry into [`Record::extra`].
pub const MAX_EXTRA_KEYS: usize = 50;
/// Longest unknown key, in characters.
pub const MAX_EXTRA_KEY_CHARS: usize = 128;
/// Longest value of an unknown key, in characters (a string's own length,
/// or the length of the JSON text of any other value).
pub const MAX_EXTRA_VALUE_CHARS: usize = 2_000;

/// Which control characters a text field admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Controls {
    /// None at all (`id`, `name`, `name_kana`, unknown keys).
    None,
    /// Tab, line feed and carriage return; no other C0 or C1 control.
    Whitespace,
}

/// The first problem of a text value: too long, U+FFFD, or a control
/// character the field does not admit. One pass over the text.
fn text_problem(s: &str, max_chars: usize, controls: Controls) -> Option<FieldErrorKind> {
    let mut count = 0usize;
    let mut bad = None;
    for c in s.chars() {
        count += 1;
        if bad.is_some() {
            continue;
        }
        if c == '\u{FFFD}' {
            bad = Some(FieldErrorKind::ReplacementChar { at: count });
        } else if is_control(c)
            && !(controls == Controls::Whitespace && matches!(c, '\t' | '\n' | '\r'))
        {
            bad = Some(FieldErrorKind::ControlChar {
                code: c as u32,
                at: count,
            });
        }
    }
    if count > max_chars {
        Some(FieldErrorKind::TooLong {
            max_chars,
            found: count,
        })
    } else {
        bad
    }
}

/// What is wrong with an `id` (blank, too long, a control character, U+FFFD),
/// or `None` when it is a valid id. Readers use it to decide whether an id
/// may be repeated in full in a report.
pub fn id_problem(id: &str) -> Option<FieldErrorKind> {
    if id.trim().is_empty() {
        Some(FieldErrorKind::Empty)
    } else {
        text_problem(id, MAX_ID_CHARS, Controls::None)
    }
}

/// Keys defined by records.md; anything else goes to [`Record::extra`].
pub const KNOWN_KEYS: &[&str] = &[
    "id",
    "kind",
    "name",
    "name_kana",
    "categories",
    "description",
    "organizer",
    "address",
    "lat",
    "lon",
    "service_area",
    "schedule",
    "schedule_text",
    "fee_yen",
    "fee_text",
    "target",
    "capacity",
    "features",
    "contact",
    "visibility",
    "notes_internal",
    "status",
    "verified_on",
];

/// Validates one record object. `null` counts as absent.
pub fn record_from_json(obj: &Map<String, Value>) -> Result<Record, Vec<FieldError>> {
    let mut v = Validator {
        obj,
        errors: Vec::new(),
    };

    let id = v.required_string("id").and_then(|id| v.check_id(id));
    let kind = v.required_code::<Kind>("kind", Kind::from_code, Kind::codes_joined);
    let name = v
        .required_string("name")
        .and_then(|n| v.non_blank("name", n))
        .and_then(|n| v.text_ok("name", n, MAX_NAME_CHARS, Controls::None));
    let name_kana = v.optional_text("name_kana", MAX_NAME_CHARS, Controls::None);
    let categories = v.categories();
    let description = v.optional_text("description", MAX_DESCRIPTION_CHARS, Controls::Whitespace);
    let organizer = v.organizer();
    let address = v
        .optional_text("address", MAX_TEXT_CHARS, Controls::Whitespace)
        .filter(|a| !a.trim().is_empty());
    let (lat, lon) = v.point();
    if address.is_none()
        && lat.is_none()
        && lon.is_none()
        && v.field_ok("lat")
        && v.field_ok("address")
    {
        v.errors
            .push(FieldError::new("address", FieldErrorKind::AddressOrPoint));
    }
    let service_area = v.string_array("service_area", MAX_SERVICE_AREAS);
    let schedule = v.schedule();
    let schedule_text = v.optional_text("schedule_text", MAX_TEXT_CHARS, Controls::Whitespace);
    let fee_yen = v.optional_uint("fee_yen");
    let fee_text = v.optional_text("fee_text", MAX_TEXT_CHARS, Controls::Whitespace);
    let target = v.optional_text("target", MAX_TEXT_CHARS, Controls::Whitespace);
    let capacity = v.optional_uint("capacity");
    let features = v.code_array::<Feature>(
        "features",
        MAX_FEATURES,
        Feature::from_code,
        Feature::codes_joined,
    );
    let contact = v.contact();
    let visibility = v
        .optional_code::<Visibility>(
            "visibility",
            Visibility::from_code,
            Visibility::codes_joined,
        )
        .unwrap_or_default();
    let notes_internal = v.optional_text("notes_internal", MAX_TEXT_CHARS, Controls::Whitespace);
    let status = v
        .optional_code::<Status>("status", Status::from_code, Status::codes_joined)
        .unwrap_or_default();
    let verified_on = v.optional_date("verified_on");

    let extra = v.extra();

    if !v.errors.is_empty() {
        return Err(v.errors);
    }
    match (id, kind, name, categories) {
        (Some(id), Some(kind), Some(name), Some(categories)) => Ok(Record {
            id,
            kind,
            name,
            name_kana,
            categories,
            description,
            organizer,
            address,
            lat,
            lon,
            service_area,
            schedule,
            schedule_text,
            fee_yen,
            fee_text,
            target,
            capacity,
            features,
            contact,
            visibility,
            notes_internal,
            status,
            verified_on,
            extra,
        }),
        // Every `None` above pushed an error, so this arm is unreachable in
        // practice; answer with a precise error rather than panic.
        _ => Err(vec![FieldError::new("id", FieldErrorKind::Missing)]),
    }
}

struct Validator<'a> {
    obj: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl<'a> Validator<'a> {
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&mut self, field: &str, expected: &'static str, found: &Value) {
        self.errors.push(FieldError::new(
            field,
            FieldErrorKind::WrongType {
                expected,
                found: type_name(found),
            },
        ));
    }

    fn field_ok(&self, field: &str) -> bool {
        !self.errors.iter().any(|e| e.field == field)
    }

    fn required_string(&mut self, key: &str) -> Option<String> {
        match self.get(key) {
            None => {
                self.errors
                    .push(FieldError::new(key, FieldErrorKind::Missing));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong_type(key, "string", other);
                None
            }
        }
    }

    fn non_blank(&mut self, key: &str, s: String) -> Option<String> {
        if s.trim().is_empty() {
            self.errors
                .push(FieldError::new(key, FieldErrorKind::Empty));
            None
        } else {
            Some(s)
        }
    }

    fn check_id(&mut self, id: String) -> Option<String> {
        match id_problem(&id) {
            Some(kind) => {
                self.errors.push(FieldError::new("id", kind));
                None
            }
            None => Some(id),
        }
    }

    /// Keeps `s` when it is within `max_chars` and has no U+FFFD and no
    /// control character outside `controls`; else records why not.
    fn text_ok(
        &mut self,
        field: &str,
        s: String,
        max_chars: usize,
        controls: Controls,
    ) -> Option<String> {
        match text_problem(&s, max_chars, controls) {
            Some(kind) => {
                self.errors.push(FieldError::new(field, kind));
                None
            }
            None => Some(s),
        }
    }

    fn optional_text(&mut self, key: &str, max_chars: usize, controls: Controls) -> Option<String> {
        let s = self.optional_string(key)?;
        self.text_ok(key, s, max_chars, controls)
    }

    /// Unknown keys, kept verbatim when within the bounds.
    fn extra(&mut self) -> BTreeMap<String, Value> {
        let unknown: Vec<(&String, &Value)> = self
            .obj
            .iter()
            .filter(|(k, val)| !KNOWN_KEYS.contains(&k.as_str()) && !val.is_null())
            .collect();
        if unknown.len() > MAX_EXTRA_KEYS {
            self.errors.push(FieldError::new(
                "(unknown keys)",
                FieldErrorKind::TooManyUnknownKeys {
                    max: MAX_EXTRA_KEYS,
                    found: unknown.len(),
                },
            ));
            return BTreeMap::new();
        }
        let mut out = BTreeMap::new();
        for (key, value) in unknown {
            if let Some(kind) = text_problem(key, MAX_EXTRA_KEY_CHARS, Controls::None) {
                self.errors.push(FieldError::new(echo(key), kind));
                continue;
            }
            let problem = match value {
                Value::String(s) => text_problem(s, MAX_EXTRA_VALUE_CHARS, Controls::Whitespace),
                other => {
                    let chars = other.to_string().chars().count();
                    if chars > MAX_EXTRA_VALUE_CHARS {
                        Some(FieldErrorKind::TooLong {
                            max_chars: MAX_EXTRA_VALUE_CHARS,
                            found: chars,
                        })
                    } else {
                        nested_text_problem(other)
                    }
                }
            };
            match problem {
                Some(kind) => self.errors.push(FieldError::new(key.as_str(), kind)),
                None => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        out
    }

    fn optional_string(&mut self, key: &str) -> Option<String> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong_type(key, "string", other);
                None
            }
        }
    }

    fn parse_code<T>(
        &mut self,
        field: String,
        value: &Value,
        parse: fn(&str) -> Option<T>,
        set: &'static str,
        allowed: fn() -> String,
    ) -> Option<T> {
        match value {
            Value::String(s) => match parse(s) {
                Some(c) => Some(c),
                None => {
                    self.errors.push(FieldError::new(
                        field,
                        FieldErrorKind::UnknownCode {
                            set,
                            value: echo(s),
                            allowed: allowed(),
                        },
                    ));
                    None
                }
            },
            other => {
                self.wrong_type(&field, "string", other);
                None
            }
        }
    }

    fn required_code<T: SetName>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        allowed: fn() -> String,
    ) -> Option<T> {
        match self.get(key) {
            None => {
                self.errors
                    .push(FieldError::new(key, FieldErrorKind::Missing));
                None
            }
            Some(v) => self.parse_code(key.to_string(), v, parse, T::SET, allowed),
        }
    }

    fn optional_code<T: SetName>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        allowed: fn() -> String,
    ) -> Option<T> {
        let v = self.get(key)?;
        self.parse_code(key.to_string(), v, parse, T::SET, allowed)
    }

    /// Whether an array is within `max` entries; records the error if not.
    fn within(&mut self, field: &str, items: &[Value], max: usize) -> bool {
        if items.len() > max {
            self.errors.push(FieldError::new(
                field,
                FieldErrorKind::TooMany {
                    max,
                    found: items.len(),
                },
            ));
            false
        } else {
            true
        }
    }

    fn code_array<T: SetName + PartialEq>(
        &mut self,
        key: &str,
        max: usize,
        parse: fn(&str) -> Option<T>,
        allowed: fn() -> String,
    ) -> Vec<T> {
        let mut out = Vec::new();
        match self.get(key) {
            None => {}
            Some(Value::Array(items)) if !self.within(key, items, max) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(c) =
                        self.parse_code(format!("{key}[{i}]"), item, parse, T::SET, allowed)
                        && !out.contains(&c)
                    {
                        out.push(c);
                    }
                }
            }
            Some(other) => self.wrong_type(key, "array", other),
        }
        out
    }

    fn categories(&mut self) -> Option<Vec<Category>> {
        match self.get("categories") {
            None => {
                self.errors
                    .push(FieldError::new("categories", FieldErrorKind::Missing));
                None
            }
            Some(Value::Array(items)) if items.is_empty() => {
                self.errors
                    .push(FieldError::new("categories", FieldErrorKind::Empty));
                None
            }
            Some(Value::Array(_)) => {
                let before = self.errors.len();
                let cats = self.code_array::<Category>(
                    "categories",
                    MAX_CATEGORIES,
                    Category::from_code,
                    Category::codes_joined,
                );
                (self.errors.len() == before).then_some(cats)
            }
            Some(other) => {
                self.wrong_type("categories", "array", other);
                None
            }
        }
    }

    fn string_array(&mut self, key: &str, max: usize) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) if !self.within(key, items, max) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => {
                            let field = format!("{key}[{i}]");
                            if let Some(s) = self.text_ok(
                                &field,
                                s.trim().to_string(),
                                MAX_TEXT_CHARS,
                                Controls::Whitespace,
                            ) {
                                out.push(s);
                            }
                        }
                        Value::String(_) => self.errors.push(FieldError::new(
                            format!("{key}[{i}]"),
                            FieldErrorKind::Empty,
                        )),
                        other => self.wrong_type(&format!("{key}[{i}]"), "string", other),
                    }
                }
                out
            }
            Some(other) => {
                self.wrong_type(key, "array of strings", other);
                Vec::new()
            }
        }
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.get(key) {
            None => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(other) => {
                self.wrong_type(key, "number", other);
                None
            }
        }
    }

    fn point(&mut self) -> (Option<f64>, Option<f64>) {
        let lat = self.number("lat");
        let lon = self.number("lon");
        let lat = lat.filter(|&x| self.in_range("lat", x, -90.0, 90.0));
        let lon = lon.filter(|&x| self.in_range("lon", x, -180.0, 180.0));
        let lat_given = self.get("lat").is_some();
        let lon_given = self.get("lon").is_some();
        if lat_given != lon_given {
            let missing = if lat_given { "lon" } else { "lat" };
            self.errors
                .push(FieldError::new(missing, FieldErrorKind::HalfPoint));
            return (None, None);
        }
        (lat, lon)
    }

    fn in_range(&mut self, key: &str, x: f64, min: f64, max: f64) -> bool {
        if x.is_finite() && (min..=max).contains(&x) {
            true
        } else {
            self.errors.push(FieldError::new(
                key,
                FieldErrorKind::OutOfRange {
                    min: min.to_string(),
                    max: max.to_string(),
                    found: x.to_string(),
                },
            ));
            false
        }
    }

    fn optional_uint(&mut self, key: &str) -> Option<u64> {
        match self.get(key) {
            None => None,
            Some(Value::Number(n)) => {
                if let Some(u) = n.as_u64() {
                    Some(u)
                } else if n.as_i64().is_some() {
                    self.errors.push(FieldError::new(
                        key,
                        FieldErrorKind::OutOfRange {
                            min: "0".into(),
                            max: u64::MAX.to_string(),
                            found: n.to_string(),
                        },
                    ));
                    None
                } else {
                    self.errors.push(FieldError::new(
                        key,
                        FieldErrorKind::BadFormat {
                            expected: "an integer",
                            found: n.to_string(),
                        },
                    ));
                    None
                }
            }
            Some(other) => {
                self.wrong_type(key, "integer", other);
                None
            }
        }
    }

    fn optional_date(&mut self, key: &str) -> Option<NaiveDate> {
        let text = self.optional_string(key)?;
        let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) if ok => Some(d),
            _ => {
                self.errors.push(FieldError::new(
                    key,
                    FieldErrorKind::BadFormat {
                        expected: "a date YYYY-MM-DD",
                        found: echo(&text),
                    },
                ));
                None
            }
        }
    }

    fn organizer(&mut self) -> Option<Organizer> {
        match self.get("organizer") {
            None => None,
            Some(Value::Object(o)) => {
                let name = match o.get("name").filter(|v| !v.is_null()) {
                    Some(Value::String(s)) if !s.trim().is_empty() => self.text_ok(
                        "organizer.name",
                        s.clone(),
                        MAX_TEXT_CHARS,
                        Controls::Whitespace,
                    ),
                    Some(Value::String(_)) => {
                        self.errors
                            .push(FieldError::new("organizer.name", FieldErrorKind::Empty));
                        None
                    }
                    Some(other) => {
                        self.wrong_type("organizer.name", "string", other);
                        None
                    }
                    None => {
                        self.errors
                            .push(FieldError::new("organizer.name", FieldErrorKind::Missing));
                        None
                    }
                };
                let org_type = match o.get("type").filter(|v| !v.is_null()) {
                    None => None,
                    Some(v) => self.parse_code(
                        "organizer.type".into(),
                        v,
                        OrgType::from_code,
                        OrgType::SET_NAME,
                        OrgType::codes_joined,
                    ),
                };
                name.map(|name| Organizer { name, org_type })
            }
            Some(other) => {
                self.wrong_type("organizer", "object", other);
                None
            }
        }
    }

    fn contact(&mut self) -> Option<Contact> {
        match self.get("contact") {
            None => None,
            Some(Value::Object(o)) => {
                let mut c = Contact::default();
                for (key, slot) in [
                    ("phone", &mut c.phone),
                    ("email", &mut c.email),
                    ("url", &mut c.url),
                    ("person", &mut c.person),
                ] {
                    match o.get(key).filter(|v| !v.is_null()) {
                        None => {}
                        Some(Value::String(s)) => {
                            match text_problem(s, MAX_TEXT_CHARS, Controls::Whitespace) {
                                Some(kind) => self
                                    .errors
                                    .push(FieldError::new(format!("contact.{key}"), kind)),
                                None => *slot = Some(s.clone()),
                            }
                        }
                        Some(other) => {
                            self.errors.push(FieldError::new(
                                format!("contact.{key}"),
                                FieldErrorKind::WrongType {
                                    expected: "string",
                                    found: type_name(other),
                                },
                            ));
                        }
                    }
                }
                (!c.is_empty()).then_some(c)
            }
            Some(other) => {
                self.wrong_type("contact", "object", other);
                None
            }
        }
    }

    fn schedule(&mut self) -> Option<Vec<ScheduleSlot>> {
        let items = match self.get("schedule") {
            None => return None,
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.wrong_type("schedule", "array", other);
                return None;
            }
        };
        if !self.within("schedule", items, MAX_SCHEDULE_SLOTS) {
            return None;
        }
        let mut slots = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("schedule[{i}]");
            let Value::Object(o) = item else {
                self.wrong_type(&at, "object", item);
                continue;
            };
            if let Some(slot) = self.slot(&at, o) {
                slots.push(slot);
            }
        }
        Some(slots)
    }

    fn slot(&mut self, at: &str, o: &Map<String, Value>) -> Option<ScheduleSlot> {
        let before = self.errors.len();
        let mut weekdays = Vec::new();
        match o.get("weekdays").filter(|v| !v.is_null()) {
            None => self.errors.push(FieldError::new(
                format!("{at}.weekdays"),
                FieldErrorKind::Missing,
            )),
            Some(Value::Array(days)) if days.is_empty() => self.errors.push(FieldError::new(
                format!("{at}.weekdays"),
                FieldErrorKind::Empty,
            )),
            Some(Value::Array(days))
                if !self.within(&format!("{at}.weekdays"), days, MAX_SLOT_WEEKDAYS) => {}
            Some(Value::Array(days)) => {
                for (j, d) in days.iter().enumerate() {
                    if let Some(w) = self.parse_code(
                        format!("{at}.weekdays[{j}]"),
                        d,
                        Weekday::from_code,
                        Weekday::SET_NAME,
                        Weekday::codes_joined,
                    ) && !weekdays.contains(&w)
                    {
                        weekdays.push(w);
                    }
                }
            }
            Some(other) => self.wrong_type(&format!("{at}.weekdays"), "array", other),
        }
        let mut weeks = Vec::new();
        match o.get("weeks").filter(|v| !v.is_null()) {
            None => {}
            Some(Value::Array(ws)) if !self.within(&format!("{at}.weeks"), ws, MAX_SLOT_WEEKS) => {}
            Some(Value::Array(ws)) => {
                for (j, w) in ws.iter().enumerate() {
                    match w.as_u64() {
                        Some(n @ 1..=5) => {
                            let n = n as u8;
                            if !weeks.contains(&n) {
                                weeks.push(n);
                            }
                        }
                        _ => self.errors.push(FieldError::new(
                            format!("{at}.weeks[{j}]"),
                            FieldErrorKind::OutOfRange {
                                min: "1".into(),
                                max: "5".into(),
                                found: echo(&w.to_string()),
                            },
                        )),
                    }
                }
                weeks.sort_unstable();
            }
            Some(other) => self.wrong_type(&format!("{at}.weeks"), "array", other),
        }
        let start = self.time(&format!("{at}.start"), o.get("start"));
        let end = self.time(&format!("{at}.end"), o.get("end"));
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            self.errors.push(FieldError::new(
                format!("{at}.end"),
                FieldErrorKind::SlotOrder {
                    start: s.to_string(),
                    end: e.to_string(),
                },
            ));
        }
        (self.errors.len() == before).then_some(ScheduleSlot {
            weekdays,
            weeks,
            start,
            end,
        })
    }

    fn time(&mut self, field: &str, value: Option<&Value>) -> Option<TimeOfDay> {
        match value.filter(|v| !v.is_null()) {
            None => None,
            Some(Value::String(s)) => match TimeOfDay::parse(s) {
                Some(t) => Some(t),
                None => {
                    self.errors.push(FieldError::new(
                        field,
                        FieldErrorKind::BadFormat {
                            expected: "a time HH:MM",
                            found: echo(s),
                        },
                    ));
                    None
                }
            },
            Some(other) => {
                self.wrong_type(field, "string", other);
                None
            }
        }
    }
}

/// The first U+FFFD or control character (other than tab and line breaks)
/// in any string or key inside a JSON value.
fn nested_text_problem(value: &Value) -> Option<FieldErrorKind> {
    let check = |s: &str| text_problem(s, usize::MAX, Controls::Whitespace);
    match value {
        Value::String(s) => check(s),
        Value::Array(items) => items.iter().find_map(nested_text_problem),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| check(k).or_else(|| nested_text_problem(v))),
        _ => None,
    }
}

/// Gives the generic helpers the code set's name for messages.
trait SetName {
    const SET: &'static str;
}

macro_rules! set_name {
    ($($t:ty),+) => { $(impl SetName for $t { const SET: &'static str = <$t>::SET_NAME; })+ };
}
set_name!(
    Kind, Category, Feature, OrgType, Status, Visibility, Weekday
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value) -> Result<Record, Vec<FieldError>> {
        let Value::Object(map) = value else {
            panic!("test input must be an object")
        };
        record_from_json(&map)
    }

    fn fields(value: Value) -> Vec<String> {
        check(value)
            .expect_err("must be rejected")
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn minimal() -> Value {
        json!({"id": "a-1", "kind": "kayoi", "name": "サロン", "categories": ["salon"], "address": "千葉市稲毛区小仲台2丁目"})
    }

    fn with(key: &str, value: Value) -> Value {
        let mut v = minimal();
        v[key] = value;
        v
    }

    #[test]
    fn minimal_record_is_valid_with_defaults() {
        let r = check(minimal()).unwrap();
        assert_eq!(r.status, Status::Active);
        assert_eq!(r.visibility, Visibility::Public);
        assert!(r.extra.is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let table: Vec<(Value, &str)> = vec![
            (with("id", json!(12)), "id"),
            (with("id", json!("")), "id"),
            (with("id", json!("x".repeat(129))), "id"),
            (with("kind", json!("place")), "kind"),
            (with("name", json!("  ")), "name"),
            (with("categories", json!([])), "categories"),
            (with("categories", json!("salon")), "categories"),
            (
                with("categories", json!(["salon", "karaoke"])),
                "categories[1]",
            ),
            (with("features", json!(["wifi"])), "features[0]"),
            (
                with("organizer", json!({"name": "会", "type": "club"})),
                "organizer.type",
            ),
            (with("organizer", json!({"type": "npo"})), "organizer.name"),
            (with("lat", json!(95.0)), "lat"),
            (
                json!({"id": "a", "kind": "kayoi", "name": "n", "categories": ["salon"], "lat": 35.6, "lon": 200.0}),
                "lon",
            ),
            (
                json!({"id": "a", "kind": "kayoi", "name": "n", "categories": ["salon"], "lat": 35.6}),
                "lon",
            ),
            (
                json!({"id": "a", "kind": "kayoi", "name": "n", "categories": ["salon"]}),
                "address",
            ),
            (with("fee_yen", json!(-5)), "fee_yen"),
            (with("fee_yen", json!(1.5)), "fee_yen"),
            (with("fee_yen", json!("300")), "fee_yen"),
            (with("capacity", json!(true)), "capacity"),
            (with("verified_on", json!("2026/04/01")), "verified_on"),
            (with("verified_on", json!("2026-02-30")), "verified_on"),
            (with("status", json!("open")), "status"),
            (with("visibility", json!("private")), "visibility"),
            (with("contact", json!({"phone": 43})), "contact.phone"),
            (
                with("schedule", json!([{"weekdays": ["tuesday"]}])),
                "schedule[0].weekdays[0]",
            ),
            (
                with("schedule", json!([{"weekdays": ["tue"], "weeks": [6]}])),
                "schedule[0].weeks[0]",
            ),
            (
                with(
                    "schedule",
                    json!([{"weekdays": ["tue"], "start": "10:00", "end": "9:00"}]),
                ),
                "schedule[0].end",
            ),
            (
                with("schedule", json!([{"weekdays": ["tue"], "start": "10時"}])),
                "schedule[0].start",
            ),
            (with("service_area", json!("稲毛区")), "service_area"),
        ];
        for (input, field) in table {
            let got = fields(input.clone());
            assert!(
                got.contains(&field.to_string()),
                "{input} → {got:?}, wanted {field}"
            );
        }
    }

    #[test]
    fn several_errors_are_reported_together() {
        let got = fields(json!({"kind": "x", "categories": []}));
        for f in ["id", "kind", "name", "categories", "address"] {
            assert!(got.contains(&f.to_string()), "{got:?} lacks {f}");
        }
    }

    #[test]
    fn unknown_keys_are_kept_and_nulls_are_absent() {
        let mut v = minimal();
        v["source_system"] = json!("ayamu");
        v["description"] = Value::Null;
        let r = check(v).unwrap();
        assert_eq!(r.extra.get("source_system"), Some(&json!("ayamu")));
        assert_eq!(r.description, None);
    }

    #[test]
    fn full_record_round_trips_through_serde() {
        let v = json!({
            "id": "inage-s-1", "kind": "service", "name": "買い物お手伝い隊",
            "categories": ["shopping", "conversation"], "lat": 35.65, "lon": 140.08,
            "schedule": [{"weekdays": ["tue", "fri"], "weeks": [2, 4], "start": "09:00", "end": "12:00"}],
            "fee_yen": 300, "features": ["pickup"], "contact": {"phone": "043-000-0000", "person": "山田"},
            "visibility": "internal", "status": "paused", "verified_on": "2026-04-01",
            "organizer": {"name": "NPO", "type": "npo"}, "service_area": ["稲毛区"]
        });
        let r = check(v.clone()).unwrap();
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back, v);
    }

    fn kinds(value: Value) -> Vec<(String, FieldErrorKind)> {
        check(value)
            .expect_err("must be rejected")
            .into_iter()
            .map(|e| (e.field, e.kind))
            .collect()
    }

    fn many(n: usize, item: impl Fn(usize) -> Value) -> Value {
        Value::Array((0..n).map(item).collect())
    }

    #[test]
    fn lengths_and_counts_are_bounded() {
        let long = |n: usize| json!("あ".repeat(n));
        let too_long = |max: usize| FieldErrorKind::TooLong {
            max_chars: max,
            found: max + 1,
        };
        let too_many = |max: usize| FieldErrorKind::TooMany {
            max,
            found: max + 1,
        };
        let slot = json!({"weekdays": ["mon"]});
        // (key, value at the maximum, value past it, field, error)
        let table: Vec<(&str, Value, Value, &str, FieldErrorKind)> = vec![
            ("id", long(128), long(129), "id", too_long(MAX_ID_CHARS)),
            (
                "name",
                long(200),
                long(201),
                "name",
                too_long(MAX_NAME_CHARS),
            ),
            (
                "name_kana",
                long(200),
                long(201),
                "name_kana",
                too_long(MAX_NAME_CHARS),
            ),
            (
                "description",
                long(20_000),
                long(20_001),
                "description",
                too_long(MAX_DESCRIPTION_CHARS),
            ),
            (
                "address",
                long(2_000),
                long(2_001),
                "address",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "target",
                long(2_000),
                long(2_001),
                "target",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "schedule_text",
                long(2_000),
                long(2_001),
                "schedule_text",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "fee_text",
                long(2_000),
                long(2_001),
                "fee_text",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "notes_internal",
                long(2_000),
                long(2_001),
                "notes_internal",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "organizer",
                json!({"name": "あ".repeat(2_000)}),
                json!({"name": "あ".repeat(2_001)}),
                "organizer.name",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "contact",
                json!({"person": "あ".repeat(2_000)}),
                json!({"person": "あ".repeat(2_001)}),
                "contact.person",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "service_area",
                json!(["あ".repeat(2_000)]),
                json!(["あ".repeat(2_001)]),
                "service_area[0]",
                too_long(MAX_TEXT_CHARS),
            ),
            (
                "categories",
                many(21, |_| json!("salon")),
                many(22, |_| json!("salon")),
                "categories",
                too_many(MAX_CATEGORIES),
            ),
            (
                "features",
                many(6, |_| json!("trial")),
                many(7, |_| json!("trial")),
                "features",
                too_many(MAX_FEATURES),
            ),
            (
                "service_area",
                many(100, |i| json!(format!("区{i}"))),
                many(101, |i| json!(format!("区{i}"))),
                "service_area",
                too_many(MAX_SERVICE_AREAS),
            ),
            (
                "schedule",
                many(50, |_| slot.clone()),
                many(51, |_| slot.clone()),
                "schedule",
                too_many(MAX_SCHEDULE_SLOTS),
            ),
            (
                "schedule",
                json!([{"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}]),
                json!([{"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon"]}]),
                "schedule[0].weekdays",
                too_many(MAX_SLOT_WEEKDAYS),
            ),
            (
                "schedule",
                json!([{"weekdays": ["mon"], "weeks": [1, 2, 3, 4, 5]}]),
                json!([{"weekdays": ["mon"], "weeks": [1, 2, 3, 4, 5, 1]}]),
                "schedule[0].weeks",
                too_many(MAX_SLOT_WEEKS),
            ),
            (
                "extra_note",
                long(2_000),
                long(2_001),
                "extra_note",
                too_long(MAX_EXTRA_VALUE_CHARS),
            ),
        ];
        for (key, at_max, past, field, kind) in table {
            assert!(check(with(key, at_max)).is_ok(), "{key} at the maximum");
            assert_eq!(
                kinds(with(key, past)),
                vec![(field.to_string(), kind)],
                "{key} past the maximum"
            );
        }
    }

    #[test]
    fn unknown_keys_are_bounded() {
        let mut v = minimal();
        for i in 0..MAX_EXTRA_KEYS {
            v[format!("x{i}")] = json!(i);
        }
        assert_eq!(check(v.clone()).unwrap().extra.len(), MAX_EXTRA_KEYS);
        v["one_more"] = json!(1);
        assert_eq!(
            kinds(v),
            vec![(
                "(unknown keys)".to_string(),
                FieldErrorKind::TooManyUnknownKeys {
                    max: MAX_EXTRA_KEYS,
                    found: MAX_EXTRA_KEYS + 1
                }
            )]
        );
        let long_key = "k".repeat(MAX_EXTRA_KEY_CHARS + 1);
        let got = fields(with(&long_key, json!(1)));
        assert_eq!(got.len(), 1);
        assert!(got[0].chars().count() < 80, "{}", got[0]);
        let nested = with("meta", json!({"a": ["x", "\u{1b}[31m"]}));
        assert_eq!(fields(nested), vec!["meta".to_string()]);
        let big = with("meta", json!({"a": "あ".repeat(2_000)}));
        assert_eq!(fields(big), vec!["meta".to_string()]);
    }

    #[test]
    fn control_characters_and_replacement_marks_are_refused() {
        let control = |code: u32, at: usize| FieldErrorKind::ControlChar { code, at };
        // (key, value, error or None when accepted)
        let table: Vec<(&str, &str, Option<FieldErrorKind>)> = vec![
            ("id", "a\u{1b}[2J", Some(control(0x1b, 2))),
            ("id", "a\tb", Some(control(0x09, 2))),
            ("name", "サロン\n2", Some(control(0x0a, 4))),
            ("name", "サロン\u{85}", Some(control(0x85, 4))),
            ("name", "サロン\u{7f}", Some(control(0x7f, 4))),
            (
                "name",
                "サロン\u{FFFD}",
                Some(FieldErrorKind::ReplacementChar { at: 4 }),
            ),
            (
                "id",
                "\u{FFFD}",
                Some(FieldErrorKind::ReplacementChar { at: 1 }),
            ),
            ("description", "一行目\r\n二行目\tタブ", None),
            ("description", "色\u{1b}[31m", Some(control(0x1b, 2))),
            ("description", "\u{0}", Some(control(0, 1))),
            (
                "address",
                "千葉市\u{FFFD}",
                Some(FieldErrorKind::ReplacementChar { at: 4 }),
            ),
            ("notes_internal", "メモ\u{9b}", Some(control(0x9b, 3))),
            (
                "source",
                "外部\u{FFFD}",
                Some(FieldErrorKind::ReplacementChar { at: 3 }),
            ),
        ];
        for (key, value, want) in table {
            let v = with(key, json!(value));
            match want {
                None => assert!(check(v).is_ok(), "{key}={value:?}"),
                Some(kind) => {
                    assert_eq!(kinds(v), vec![(key.to_string(), kind)], "{key}={value:?}")
                }
            }
        }
        let v = with("contact", json!({"phone": "043\u{7}"}));
        assert_eq!(fields(v), vec!["contact.phone".to_string()]);
        let v = with("service_area", json!(["稲毛区\u{FFFD}"]));
        assert_eq!(fields(v), vec!["service_area[0]".to_string()]);
    }

    #[test]
    fn echoed_values_are_cut_and_escaped() {
        let huge = format!("\u{1b}]0;{}", "x".repeat(100_000));
        for (key, value) in [
            ("kind", json!(huge)),
            ("verified_on", json!(huge)),
            ("schedule", json!([{"weekdays": ["mon"], "start": huge}])),
            ("schedule", json!([{"weekdays": ["mon"], "weeks": [huge]}])),
            ("categories", json!([huge])),
        ] {
            for e in check(with(key, value)).expect_err("rejected") {
                for message in [e.to_string(), e.message_ja()] {
                    assert!(message.chars().count() < 400, "{key}: {}", message.len());
                    assert!(!message.contains('\u{1b}'), "{key}: {message}");
                }
            }
        }
        let id = "x".repeat(100_000);
        let e = &check(with("id", json!(id))).expect_err("rejected")[0];
        assert!(e.to_string().len() < 200 && e.message_ja().len() < 200);
    }

    #[test]
    fn error_messages_exist_in_both_languages() {
        let e = FieldError::new(
            "categories[1]",
            FieldErrorKind::UnknownCode {
                set: "category",
                value: "karaoke".into(),
                allowed: "salon".into(),
            },
        );
        assert!(e.message_ja().contains("定義されていないコード"));
        assert!(e.to_string().contains("unknown category code"));
    }
}
