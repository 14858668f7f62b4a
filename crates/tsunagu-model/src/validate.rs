//! Turns one JSON object into a validated [`Record`], collecting every field
//! error rather than stopping at the first, so a provider can fix a line in one
//! pass.
//!
//! Written by hand instead of `#[derive(Deserialize)]` because serde's messages
//! do not reliably name the key at fault, and the spec requires they do.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::codes::{Category, Feature, Kind, OrgType, Status, Visibility, Weekday};
use crate::error::{FieldError, FieldErrorKind};
use crate::record::{Contact, Organizer, Record, ScheduleSlot, TimeOfDay};

/// Longest `id` the spec allows, in characters.
pub const MAX_ID_CHARS: usize = 128;

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
        .and_then(|n| v.non_blank("name", n));
    let name_kana = v.optional_string("name_kana");
    let categories = v.categories();
    let description = v.optional_string("description");
    let organizer = v.organizer();
    let address = v
        .optional_string("address")
        .filter(|a| !a.trim().is_empty());
    let (lat, lon) = v.point();
    if address.is_none() && lat.is_none() && lon.is_none() && v.field_ok("lat") {
        v.errors
            .push(FieldError::new("address", FieldErrorKind::AddressOrPoint));
    }
    let service_area = v.string_array("service_area");
    let schedule = v.schedule();
    let schedule_text = v.optional_string("schedule_text");
    let fee_yen = v.optional_uint("fee_yen");
    let fee_text = v.optional_string("fee_text");
    let target = v.optional_string("target");
    let capacity = v.optional_uint("capacity");
    let features = v.code_array::<Feature>("features", Feature::from_code, Feature::codes_joined);
    let contact = v.contact();
    let visibility = v
        .optional_code::<Visibility>(
            "visibility",
            Visibility::from_code,
            Visibility::codes_joined,
        )
        .unwrap_or_default();
    let notes_internal = v.optional_string("notes_internal");
    let status = v
        .optional_code::<Status>("status", Status::from_code, Status::codes_joined)
        .unwrap_or_default();
    let verified_on = v.optional_date("verified_on");

    let extra = obj
        .iter()
        .filter(|(k, val)| !KNOWN_KEYS.contains(&k.as_str()) && !val.is_null())
        .map(|(k, val)| (k.clone(), val.clone()))
        .collect();

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
        let chars = id.chars().count();
        if id.trim().is_empty() {
            self.errors
                .push(FieldError::new("id", FieldErrorKind::Empty));
            None
        } else if chars > MAX_ID_CHARS {
            self.errors.push(FieldError::new(
                "id",
                FieldErrorKind::TooLong {
                    max_chars: MAX_ID_CHARS,
                    found: chars,
                },
            ));
            None
        } else {
            Some(id)
        }
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
                            value: s.clone(),
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

    fn code_array<T: SetName + PartialEq>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        allowed: fn() -> String,
    ) -> Vec<T> {
        let mut out = Vec::new();
        match self.get(key) {
            None => {}
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

    fn string_array(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
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
                        found: text,
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
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
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
                        Some(Value::String(s)) => *slot = Some(s.clone()),
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
                                found: w.to_string(),
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
                            found: s.clone(),
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
