//! Reading HSDS service documents back into records, one service at a
//! time, each good or rejected on its own like a line of JSON Lines.
//!
//! Accepted documents: a JSON array of services (what [`super::HsdsWriter`]
//! writes), an object whose `services` or `contents` member is one (the
//! field-guidance examples, the API's `Page`), or one service object
//! (`GET /services/{id}`). The structure of the whole document (where each
//! service starts and ends) is found first, in one pass that holds no
//! values, so a document broken at that level fails before any record is
//! imported; then each service's bytes are parsed alone. [`SourceLine::line`]
//! is the line where the service starts.

use serde_json::{Map, Value};
use tsunagu_ingest::{IngestError, LineError, MAX_LINE_BYTES, SourceLine, parse_json_strict};
use tsunagu_model::{
    Category, Feature, FieldError, FieldErrorKind, KNOWN_KEYS, Kind, Record, cut_for_message,
    record_from_json,
};

use crate::schedule::{RuleProblem, days_of_rule, parse_hsds_time};
use crate::taxonomy::{Field, Marker, Meaning};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const FORMAT: &str = "HSDS";

/// How much of a file [`looks_like_hsds`] wants to see: a JSON line may be
/// this long, so a first line that does not end within it is not one.
pub const SNIFF_BYTES: usize = MAX_LINE_BYTES + 1;

/// Whether a `.json` file holds an HSDS document rather than JSON Lines,
/// from its first [`SNIFF_BYTES`]: it starts with `[`, its first line is
/// not a whole JSON object (a pretty-printed document, or one longer than
/// a JSON line may be), or that object is a list of services (`services`,
/// `contents`) or one service (a UUID `id` and a `status`, and neither of
/// the record format's `kind` and `categories`).
pub fn looks_like_hsds(prefix: &[u8]) -> bool {
    let text = prefix.strip_prefix(BOM).unwrap_or(prefix);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    match text.first() {
        Some(b'[') => true,
        Some(b'{') => {
            let line = text.split(|b| *b == b'\n').next().unwrap_or(text);
            match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(o)) => {
                    o.contains_key("services")
                        || o.contains_key("contents")
                        || (o.contains_key("status")
                            && !o.contains_key("kind")
                            && !o.contains_key("categories")
                            && o.get("id")
                                .and_then(Value::as_str)
                                .is_some_and(crate::ids::is_uuid))
                }
                Ok(_) => false,
                // A line that is not a whole object: one that goes on.
                Err(e) => e.is_eof(),
            }
        }
        _ => false,
    }
}

/// Where one service's bytes are.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    line: usize,
}

/// The services of a document, read one at a time.
pub struct HsdsServices<'a> {
    bytes: &'a [u8],
    spans: std::vec::IntoIter<Span>,
}

impl Iterator for HsdsServices<'_> {
    type Item = SourceLine;

    fn next(&mut self) -> Option<SourceLine> {
        let span = self.spans.next()?;
        Some(read_service(span.line, &self.bytes[span.start..span.end]))
    }
}

/// Reads the structure of an HSDS document; its services follow as the
/// iterator is driven.
pub fn read(bytes: &[u8]) -> Result<HsdsServices<'_>, IngestError> {
    let mut scan = Scan {
        b: bytes,
        pos: 0,
        line: 1,
        counted: 0,
    };
    if bytes.starts_with(BOM) {
        scan.pos = BOM.len();
        scan.counted = BOM.len();
    }
    let spans = scan
        .document()
        .map_err(|(line, message)| IngestError::Document {
            format: FORMAT,
            line,
            message,
        })?;
    Ok(HsdsServices {
        bytes,
        spans: spans.into_iter(),
    })
}

type ScanError = (usize, String);

/// Finds the services' bytes without building any value: strings (with
/// their escapes) and brackets are followed, nothing else is checked (each
/// service is parsed properly on its own).
struct Scan<'a> {
    b: &'a [u8],
    pos: usize,
    line: usize,
    /// Newlines are counted up to here.
    counted: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// The line `pos` is on (positions asked for only grow).
    fn line_at(&mut self, pos: usize) -> usize {
        if pos > self.counted {
            let end = pos.min(self.b.len());
            self.line += self.b[self.counted..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.counted = end;
        }
        self.line
    }

    fn fail<T>(&mut self, message: impl Into<String>) -> Result<T, ScanError> {
        let pos = self.pos;
        Err((self.line_at(pos), message.into()))
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn skip_string(&mut self) -> Result<(), ScanError> {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            match b {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => self.pos += 1,
            }
        }
        self.pos = start;
        self.fail("a string that starts here never ends")
    }

    fn skip_value(&mut self) -> Result<(), ScanError> {
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'{' | b'[') => {
                let start = self.pos;
                let mut depth = 0usize;
                while let Some(b) = self.peek() {
                    match b {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                self.pos = start;
                self.fail("a value that starts here is never closed")
            }
            Some(_) => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| !b.is_ascii_whitespace() && !b",]}".contains(&b))
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    self.fail("a value was expected here")
                } else {
                    Ok(())
                }
            }
            None => self.fail("the document ends where a value was expected"),
        }
    }

    /// The elements of the array at `pos`.
    fn elements(&mut self, spans: &mut Vec<Span>) -> Result<(), ScanError> {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let start = self.pos;
            self.skip_value()?;
            let line = self.line_at(start);
            spans.push(Span {
                start,
                end: self.pos,
                line,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return self.fail("expected , or ] after a service"),
            }
        }
    }

    fn document(&mut self) -> Result<Vec<Span>, ScanError> {
        let mut spans = Vec::new();
        self.skip_ws();
        match self.peek() {
            Some(b'[') => self.elements(&mut spans)?,
            Some(b'{') => {
                let start = self.pos;
                let mut lists = false;
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b'"') => {}
                        _ => return self.fail("expected a key or }"),
                    }
                    let key_start = self.pos;
                    self.skip_string()?;
                    let key = &self.b[key_start + 1..self.pos - 1];
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return self.fail("expected : after a key");
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if matches!(key, b"services" | b"contents") && self.peek() == Some(b'[') {
                        lists = true;
                        self.elements(&mut spans)?;
                    } else {
                        self.skip_value()?;
                    }
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return self.fail("expected , or } after a value"),
                    }
                }
                if !lists {
                    // One service on its own.
                    let line = self.line_at(start);
                    spans.push(Span {
                        start,
                        end: self.pos,
                        line,
                    });
                }
            }
            _ => {
                return self.fail(
                    "an HSDS document is a JSON array of services, an object with `services` or `contents`, or one service",
                );
            }
        }
        self.skip_ws();
        if self.pos < self.b.len() {
            return self.fail("there is more after the end of the document");
        }
        Ok(spans)
    }
}

fn read_service(line: usize, bytes: &[u8]) -> SourceLine {
    let reject = |id, e| SourceLine {
        line,
        id,
        outcome: Err(e),
    };
    if bytes.len() > MAX_LINE_BYTES {
        return reject(
            None,
            LineError::TooLong {
                max: MAX_LINE_BYTES,
            },
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return reject(
                None,
                LineError::Utf8 {
                    valid_up_to: e.valid_up_to(),
                },
            );
        }
    };
    let value = match parse_json_strict(text) {
        Ok(v) => v,
        Err(e) => return reject(None, e),
    };
    let Value::Object(service) = value else {
        let found = match value {
            Value::Array(_) => "array",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            _ => "null",
        };
        return reject(None, LineError::NotObject { found });
    };
    let (id, outcome) = service_to_record(&service);
    SourceLine {
        line,
        id: id.map(|i| cut_for_message(&i)),
        outcome: outcome.map_err(LineError::Fields),
    }
}

/// A tsunagu term on an object, with its value.
struct Attr {
    meaning: Meaning,
    value: Option<String>,
    path: String,
}

struct Reader {
    errors: Vec<FieldError>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Reader {
    fn wrong_type(&mut self, path: String, expected: &'static str, found: &Value) {
        self.errors.push(FieldError::new(
            path,
            FieldErrorKind::WrongType {
                expected,
                found: type_name(found),
            },
        ));
    }

    /// The objects of an array member (absent or null: none).
    fn objects<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Vec<(String, &'v Map<String, Value>)> {
        let here = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        match obj.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(o) => out.push((format!("{here}[{i}]"), o)),
                        other => self.wrong_type(format!("{here}[{i}]"), "object", other),
                    }
                }
                out
            }
            Some(other) => {
                self.wrong_type(here, "array", other);
                Vec::new()
            }
        }
    }

    /// A string member (absent or null: `None`).
    fn string<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'v str> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                let at = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                self.wrong_type(at, "string", other);
                None
            }
        }
    }

    /// The tsunagu terms among an object's attributes (and, for other
    /// taxonomies, terms whose name is a tsunagu category or feature word).
    fn attributes(&mut self, obj: &Map<String, Value>, path: &str) -> Vec<Attr> {
        let mut out = Vec::new();
        for (at, a) in self.objects(obj, "attributes", path) {
            let term = match a.get("taxonomy_term") {
                Some(Value::Object(t)) => Some(t),
                None | Some(Value::Null) => None,
                Some(other) => {
                    self.wrong_type(format!("{at}.taxonomy_term"), "object", other);
                    None
                }
            };
            let id = a
                .get("taxonomy_term_id")
                .and_then(Value::as_str)
                .or_else(|| term.and_then(|t| t.get("id")).and_then(Value::as_str));
            let code = term.and_then(|t| t.get("code")).and_then(Value::as_str);
            let name = term.and_then(|t| t.get("name")).and_then(Value::as_str);
            let meaning = id
                .and_then(Meaning::lookup)
                .or_else(|| code.and_then(Meaning::lookup))
                .or_else(|| {
                    let name = name?;
                    Category::from_user_text(name)
                        .map(Meaning::Category)
                        .or_else(|| Feature::from_user_text(name).map(Meaning::Feature))
                });
            let Some(meaning) = meaning else { continue };
            let value = self.string(a, "value", &at).map(String::from);
            out.push(Attr {
                meaning,
                value,
                path: at,
            });
        }
        out
    }
}

fn field_value<'a>(attrs: &'a [Attr], field: Field, r: &mut Reader) -> Option<&'a str> {
    let attr = attrs.iter().find(|a| a.meaning == Meaning::Field(field))?;
    match attr.value.as_deref() {
        Some(v) => Some(v),
        None => {
            r.errors.push(FieldError::new(
                format!("{}.value", attr.path),
                FieldErrorKind::Missing,
            ));
            None
        }
    }
}

fn has_marker(attrs: &[Attr], marker: Marker) -> bool {
    attrs.iter().any(|a| a.meaning == Meaning::Marker(marker))
}

fn is_kana(text: &str) -> bool {
    !text.trim().is_empty()
        && text.chars().all(|c| {
            matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
                || c.is_whitespace()
        })
}

/// Address parts joined as Japanese addresses are written (no spaces
/// between Japanese parts, one between Latin ones).
fn join_address(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let latin_edge = out
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && part
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        if latin_edge {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// Where a record key lives in an HSDS service, for messages.
fn hsds_place(field: &str) -> Option<&'static str> {
    let key = field.split(['[', '.']).next().unwrap_or(field);
    Some(match key {
        "id" => "attributes field:record_id",
        "kind" => "attributes kind:…",
        "name_kana" => "attributes field:name_kana",
        "categories" => "attributes category:…",
        "features" => "attributes feature:…",
        "organizer" => "organization",
        "address" => "location.addresses",
        "lat" => "location.latitude",
        "lon" => "location.longitude",
        "service_area" => "service_areas",
        "schedule" => "schedules",
        "schedule_text" => "schedules.description",
        "fee_yen" => "cost_options.amount",
        "fee_text" => "fees_description",
        "target" => "eligibility_description",
        "capacity" => "attributes field:capacity",
        "contact" => match field {
            "contact.phone" => "phones.number",
            "contact.person" => "contacts.name",
            "contact.email" => "email",
            "contact.url" => "url",
            _ => "contact",
        },
        "notes_internal" => "attributes field:notes_internal",
        "verified_on" => "assured_date",
        _ => return None,
    })
}

/// The record a service describes, and the id to report it by.
fn service_to_record(s: &Map<String, Value>) -> (Option<String>, Result<Record, Vec<FieldError>>) {
    let mut r = Reader { errors: Vec::new() };
    let attrs = r.attributes(s, "");
    let mut obj = Map::new();

    let service_id = s.get("id").and_then(Value::as_str);
    let id = field_value(&attrs, Field::RecordId, &mut r).or(service_id);
    if let Some(id) = id {
        obj.insert("id".into(), id.into());
    }
    let reported = id.map(String::from);

    let categories: Vec<Value> = attrs
        .iter()
        .filter_map(|a| match a.meaning {
            Meaning::Category(c) => Some(c),
            _ => None,
        })
        .fold(Vec::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        })
        .into_iter()
        .map(|c| Value::from(c.code()))
        .collect();
    let kind = attrs
        .iter()
        .find_map(|a| match a.meaning {
            Meaning::Kind(k) => Some(k),
            _ => None,
        })
        .or_else(|| {
            let first = categories.first()?.as_str()?;
            Category::from_code(first).map(Category::home_kind)
        });
    if let Some(kind) = kind {
        obj.insert("kind".into(), Kind::code(kind).into());
    }
    if let Some(name) = s.get("name") {
        obj.insert("name".into(), name.clone());
    }
    match field_value(&attrs, Field::NameKana, &mut r) {
        Some(kana) => {
            obj.insert("name_kana".into(), kana.into());
        }
        None => {
            if let Some(alt) = r.string(s, "alternate_name", "").filter(|a| is_kana(a)) {
                obj.insert("name_kana".into(), alt.into());
            }
        }
    }
    if !categories.is_empty() {
        obj.insert("categories".into(), Value::Array(categories));
    }
    if let Some(d) = s.get("description") {
        obj.insert("description".into(), d.clone());
    }

    match s.get("organization") {
        None | Some(Value::Null) => {}
        Some(Value::Object(o)) => {
            let mut organizer = Map::new();
            if let Some(name) = o.get("name") {
                organizer.insert("name".into(), name.clone());
            }
            let org_attrs = r.attributes(o, "organization");
            if let Some(t) = org_attrs.iter().find_map(|a| match a.meaning {
                Meaning::OrganizerType(t) => Some(t),
                _ => None,
            }) {
                organizer.insert("type".into(), t.code().into());
            }
            obj.insert("organizer".into(), Value::Object(organizer));
        }
        Some(other) => r.wrong_type("organization".into(), "object", other),
    }

    // The first location (through service_at_locations).
    let mut location = None;
    let mut at_location_phones = Vec::new();
    let mut at_location_schedules = Vec::new();
    for (at, sal) in r.objects(s, "service_at_locations", "") {
        at_location_phones.extend(r.objects(sal, "phones", &at));
        at_location_schedules.extend(r.objects(sal, "schedules", &at));
        match sal.get("location") {
            None | Some(Value::Null) => {}
            Some(Value::Object(l)) => {
                if location.is_none() {
                    location = Some((format!("{at}.location"), l));
                }
            }
            Some(other) => r.wrong_type(format!("{at}.location"), "object", other),
        }
    }
    let address = field_value(&attrs, Field::Address, &mut r).map(String::from);
    let mut location_phones = Vec::new();
    if let Some((at, l)) = location {
        let located = has_marker(&r.attributes(l, &at), Marker::LocatedFromAddress);
        if !located {
            for (hsds, key) in [("latitude", "lat"), ("longitude", "lon")] {
                if let Some(v) = l.get(hsds).filter(|v| !v.is_null()) {
                    obj.insert(key.into(), v.clone());
                }
            }
        }
        if address.is_none()
            && let Some((aat, a)) = r.objects(l, "addresses", &at).into_iter().next()
        {
            let parts: Vec<&str> = ["state_province", "city", "address_1", "address_2"]
                .iter()
                .filter_map(|k| r.string(a, k, &aat))
                .collect();
            let joined = join_address(&parts);
            if !joined.is_empty() {
                obj.insert("address".into(), joined.into());
            }
        }
        location_phones = r.objects(l, "phones", &at);
    }
    if let Some(a) = address {
        obj.insert("address".into(), a.into());
    }

    let areas: Vec<Value> = r
        .objects(s, "service_areas", "")
        .into_iter()
        .filter_map(|(at, a)| r.string(a, "name", &at).map(Value::from))
        .collect();
    if !areas.is_empty() {
        obj.insert("service_area".into(), Value::Array(areas));
    }

    // Schedules: slots from the rules a slot can say; descriptions as text.
    let mut slots = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut schedules = r.objects(s, "schedules", "");
    schedules.extend(at_location_schedules);
    for (at, sc) in schedules {
        if let Some(d) = r.string(sc, "description", &at)
            && !d.trim().is_empty()
            && !texts.iter().any(|t| t == d)
        {
            texts.push(d.to_string());
        }
        if has_marker(&r.attributes(sc, &at), Marker::Derived) {
            continue;
        }
        let freq = r.string(sc, "freq", &at);
        let byday = r.string(sc, "byday", &at);
        let bymonthday = r.string(sc, "bymonthday", &at);
        let interval = sc.get("interval").and_then(Value::as_f64);
        let timezone = sc.get("timezone").and_then(Value::as_f64);
        let time = |key: &str, r: &mut Reader| -> Option<Value> {
            let text = r.string(sc, key, &at)?;
            match parse_hsds_time(text, timezone) {
                Some(t) => Some(Value::from(t.to_string())),
                None => {
                    r.errors.push(FieldError::new(
                        format!("{at}.{key}"),
                        FieldErrorKind::BadFormat {
                            expected: "a time such as 10:00+09:00",
                            found: cut_for_message(text),
                        },
                    ));
                    None
                }
            }
        };
        let start = time("opens_at", &mut r);
        let end = time("closes_at", &mut r);
        match days_of_rule(freq, byday, bymonthday, interval) {
            Ok(Some(groups)) => {
                for g in groups {
                    let mut slot = Map::new();
                    slot.insert(
                        "weekdays".into(),
                        g.weekdays.iter().map(|d| Value::from(d.code())).collect(),
                    );
                    if !g.weeks.is_empty() {
                        slot.insert(
                            "weeks".into(),
                            g.weeks.iter().map(|w| Value::from(*w)).collect(),
                        );
                    }
                    if let Some(s) = &start {
                        slot.insert("start".into(), s.clone());
                    }
                    if let Some(e) = &end {
                        slot.insert("end".into(), e.clone());
                    }
                    slots.push(Value::Object(slot));
                }
            }
            Ok(None) | Err(RuleProblem::Unsupported(_)) => {}
            Err(RuleProblem::Malformed { field, found }) => r.errors.push(FieldError::new(
                format!("{at}.{field}"),
                FieldErrorKind::BadFormat {
                    expected: "an RRULE byday such as MO,TU or 2WE,4WE",
                    found: cut_for_message(&found),
                },
            )),
        }
    }
    if !slots.is_empty() {
        obj.insert("schedule".into(), Value::Array(slots));
    }
    if !texts.is_empty() {
        obj.insert("schedule_text".into(), texts.join("／").into());
    }

    // Cost: the first amount in yen that tsunagu did not derive.
    let mut amount_text = None;
    for (at, co) in r.objects(s, "cost_options", "") {
        if amount_text.is_none() {
            amount_text = r.string(co, "amount_description", &at).map(String::from);
        }
        if obj.contains_key("fee_yen") || has_marker(&r.attributes(co, &at), Marker::Derived) {
            continue;
        }
        let currency = r.string(co, "currency", &at);
        if currency.is_some_and(|c| !c.eq_ignore_ascii_case("JPY")) {
            continue;
        }
        match co.get("amount") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                let whole = n.as_u64().or_else(|| {
                    n.as_f64()
                        .filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x < 9.0e15)
                        .map(|x| x as u64)
                });
                match whole {
                    Some(yen) => {
                        obj.insert("fee_yen".into(), yen.into());
                    }
                    None => r.errors.push(FieldError::new(
                        format!("{at}.amount"),
                        FieldErrorKind::BadFormat {
                            expected: "a whole number of yen, 0 or more",
                            found: n.to_string(),
                        },
                    )),
                }
            }
            Some(other) => r.wrong_type(format!("{at}.amount"), "number", other),
        }
    }
    match s.get("fees_description").filter(|v| !v.is_null()) {
        Some(f) => {
            obj.insert("fee_text".into(), f.clone());
        }
        None => {
            if let Some(t) = amount_text {
                obj.insert("fee_text".into(), t.into());
            }
        }
    }
    if let Some(t) = s.get("eligibility_description") {
        obj.insert("target".into(), t.clone());
    }
    if let Some(c) = field_value(&attrs, Field::Capacity, &mut r) {
        match c.trim().parse::<u64>() {
            Ok(n) => {
                obj.insert("capacity".into(), n.into());
            }
            Err(_) => r.errors.push(FieldError::new(
                "capacity",
                FieldErrorKind::BadFormat {
                    expected: "an integer",
                    found: cut_for_message(c),
                },
            )),
        }
    }
    let features: Vec<Value> = attrs
        .iter()
        .filter_map(|a| match a.meaning {
            Meaning::Feature(f) => Some(f),
            _ => None,
        })
        .fold(Vec::new(), |mut acc, f| {
            if !acc.contains(&f) {
                acc.push(f);
            }
            acc
        })
        .into_iter()
        .map(|f| Value::from(f.code()))
        .collect();
    if !features.is_empty() {
        obj.insert("features".into(), Value::Array(features));
    }

    let mut contact = Map::new();
    let mut phones = r.objects(s, "phones", "");
    phones.extend(at_location_phones);
    phones.extend(location_phones);
    if let Some(n) = phones.first().and_then(|(_, p)| p.get("number")) {
        contact.insert("phone".into(), n.clone());
    }
    match field_value(&attrs, Field::Email, &mut r) {
        Some(e) => {
            contact.insert("email".into(), e.into());
        }
        None => {
            if let Some(e) = s.get("email").filter(|v| !v.is_null()) {
                contact.insert("email".into(), e.clone());
            }
        }
    }
    match field_value(&attrs, Field::Url, &mut r) {
        Some(u) => {
            contact.insert("url".into(), u.into());
        }
        None => {
            if let Some(u) = s.get("url").filter(|v| !v.is_null()) {
                contact.insert("url".into(), u.clone());
            }
        }
    }
    if let Some((_, c)) = r.objects(s, "contacts", "").first()
        && let Some(n) = c.get("name").filter(|v| !v.is_null())
    {
        contact.insert("person".into(), n.clone());
    }
    if !contact.is_empty() {
        obj.insert("contact".into(), Value::Object(contact));
    }

    if attrs.iter().any(|a| a.meaning == Meaning::Internal) {
        obj.insert("visibility".into(), "internal".into());
    }
    if let Some(n) = field_value(&attrs, Field::NotesInternal, &mut r) {
        obj.insert("notes_internal".into(), n.into());
    }
    match r.string(s, "status", "") {
        None => {}
        Some("active") => {
            obj.insert("status".into(), "active".into());
        }
        Some("temporarily closed" | "inactive") => {
            obj.insert("status".into(), "paused".into());
        }
        Some("defunct") => {
            obj.insert("status".into(), "closed".into());
        }
        Some(other) => r.errors.push(FieldError::new(
            "status",
            FieldErrorKind::UnknownCode {
                set: "HSDS status",
                value: cut_for_message(other),
                allowed: "active, inactive, defunct, temporarily closed".into(),
            },
        )),
    }
    if let Some(d) = r.string(s, "assured_date", "") {
        // A date-time is read as its date.
        let date = match chrono::DateTime::parse_from_rfc3339(d) {
            Ok(t) => t.date_naive().format("%Y-%m-%d").to_string(),
            Err(_) => d.to_string(),
        };
        obj.insert("verified_on".into(), date.into());
    }
    if let Some(extra) = field_value(&attrs, Field::Extra, &mut r) {
        let at = "attributes field:extra";
        match parse_json_strict(extra) {
            Ok(Value::Object(keys)) => {
                for (k, v) in keys {
                    if KNOWN_KEYS.contains(&k.as_str()) {
                        r.errors.push(FieldError::new(
                            at,
                            FieldErrorKind::BadFormat {
                                expected: "keys outside the record format",
                                found: cut_for_message(&k),
                            },
                        ));
                    } else if !obj.contains_key(&k) {
                        obj.insert(k, v);
                    }
                }
            }
            _ => r.errors.push(FieldError::new(
                at,
                FieldErrorKind::BadFormat {
                    expected: "a JSON object",
                    found: cut_for_message(extra),
                },
            )),
        }
    }

    let outcome = match record_from_json(&obj) {
        Ok(record) if r.errors.is_empty() => Ok(record),
        Ok(_) => Err(r.errors),
        Err(more) => {
            let mut errors = r.errors;
            errors.extend(more.into_iter().map(|mut e| {
                if let Some(place) = hsds_place(&e.field) {
                    e.field = format!("{place} ({})", e.field);
                }
                e
            }));
            Err(errors)
        }
    };
    (reported, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(doc: &str) -> Vec<SourceLine> {
        read(doc.as_bytes())
            .map(Iterator::collect)
            .unwrap_or_default()
    }

    #[test]
    fn documents_of_every_shape_are_found() {
        let one = r#"{"id":"ac148810-d857-441c-9679-408f346de14b","name":"体操","status":"active","attributes":[{"id":"x","taxonomy_term":{"id":"y","name":"体操","description":""}}],"service_at_locations":[{"id":"z","location":{"id":"l","location_type":"physical","latitude":35.6,"longitude":140.1}}]}"#;
        for doc in [
            format!("[{one}]"),
            format!("{{\"services\": [\n{one},\n{one}]}}"),
            format!("{{\"total_items\": 1, \"contents\": [{one}], \"page_number\": 1}}"),
            one.to_string(),
        ] {
            let got = lines(&doc);
            assert!(!got.is_empty(), "{doc}");
            for l in got {
                let r = l.outcome.expect("a valid service");
                assert_eq!(r.id, "ac148810-d857-441c-9679-408f346de14b");
                assert_eq!(r.kind, Kind::Kayoi, "inferred from the category");
                assert_eq!(r.categories, vec![Category::Exercise]);
            }
        }
        let two = lines(&format!("{{\"services\": [\n{one},\n{one}]}}"));
        assert_eq!(two.iter().map(|l| l.line).collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn a_broken_structure_fails_the_document_and_a_bad_service_only_itself() {
        for bad in ["", "42", "[{\"a\": \"b}]", "[{}", "[{} {}]", "[] x"] {
            assert!(
                matches!(read(bad.as_bytes()), Err(IngestError::Document { .. })),
                "{bad}"
            );
        }
        let got = lines("[\n{\"name\": \"x\", \"name\": \"y\"},\n[1],\n{\"id\": \"a\"}\n]");
        assert_eq!(got.len(), 3);
        assert!(matches!(
            got[0].outcome,
            Err(LineError::DuplicateKey { .. })
        ));
        assert!(matches!(got[1].outcome, Err(LineError::NotObject { .. })));
        assert_eq!(got[2].line, 4);
        assert_eq!(got[2].id.as_deref(), Some("a"));
        let fields = got[2].outcome.as_ref().err().map(LineError::fields);
        let fields = fields.unwrap_or_default();
        assert!(
            fields.iter().any(|f| f.starts_with("attributes category:")),
            "{fields:?}"
        );
    }

    #[test]
    fn no_input_makes_the_reader_panic() {
        // Cut and mutated documents, and bytes at random.
        let doc = r#"[{"id":"a","name":"サロン","attributes":[{"taxonomy_term_id":"x","value":"\"}"}],"schedules":[{"byday":"2WE","opens_at":"10:00+09:00"}]},{"services":[1]}]"#;
        let bytes = doc.as_bytes();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        for cut in 0..bytes.len() {
            if let Ok(services) = read(&bytes[..cut]) {
                services.for_each(drop);
            }
        }
        let alphabet = b"[]{}\":,\\ ae0-";
        for _ in 0..5_000 {
            let mut v = bytes.to_vec();
            for _ in 0..1 + next() % 4 {
                let at = (next() % v.len() as u64) as usize;
                v[at] = alphabet[(next() % alphabet.len() as u64) as usize];
            }
            if let Ok(services) = read(&v) {
                services.for_each(drop);
            }
            let random: Vec<u8> = (0..next() % 40).map(|_| (next() & 0xff) as u8).collect();
            if let Ok(services) = read(&random) {
                services.for_each(drop);
            }
            let _ = looks_like_hsds(&v);
        }
    }

    #[test]
    fn sniffing_tells_hsds_from_json_lines() {
        assert!(looks_like_hsds(b"\xEF\xBB\xBF[\n{}"));
        assert!(looks_like_hsds(b"{\n  \"id\": 1"));
        assert!(looks_like_hsds(b"{\"services\": []}"));
        assert!(looks_like_hsds(
            b"{\"id\": \"ac148810-d857-441c-9679-408f346de14b\", \"status\": \"active\"}\n"
        ));
        // A JSON Lines record that lacks its kind is still JSON Lines.
        assert!(!looks_like_hsds(
            b"{\"id\": \"x\", \"status\": \"active\"}\n"
        ));
        assert!(!looks_like_hsds(
            b"{\"id\": \"x\", \"kind\": \"kayoi\", \"status\": \"active\"}\n{\"id\": \"y\"}"
        ));
        assert!(!looks_like_hsds(b"{\"id\": \"x\"}\n"));
        assert!(!looks_like_hsds(b"id,name\n"));
    }
}
