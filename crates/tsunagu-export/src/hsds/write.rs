//! Writing records as HSDS services (see the module above for the shape
//! and the mapping).

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;
use tsunagu_model::{Placement, Record, ScheduleKnowledge, Visibility};

use crate::ids::{object_id, service_id};
use crate::schedule::{Rule, TIMEZONE_HOURS, rule_of_slot, rules_of_time_slot};
use crate::taxonomy::{Field, Marker, Meaning, TaxonomyTerm};
use crate::{ExportError, ExportItem, ExportSummary};

/// Writes a JSON array of services, one per line.
pub struct HsdsWriter<W: Write> {
    out: W,
    summary: ExportSummary,
}

impl<W: Write> HsdsWriter<W> {
    pub fn new(mut out: W) -> Result<Self, ExportError> {
        out.write_all(b"[")?;
        Ok(HsdsWriter {
            out,
            summary: ExportSummary::default(),
        })
    }

    pub fn write(&mut self, item: &ExportItem<'_>) -> Result<(), ExportError> {
        let sep: &[u8] = if self.summary.written == 0 {
            b"\n"
        } else {
            b",\n"
        };
        self.out.write_all(sep)?;
        serde_json::to_writer(&mut self.out, &service(item))?;
        self.summary.records += 1;
        self.summary.written += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(W, ExportSummary), ExportError> {
        self.out.write_all(b"\n]\n")?;
        self.out.flush()?;
        Ok((self.out, self.summary))
    }
}

/// One record as an HSDS service object (what [`HsdsWriter`] writes).
pub fn service_json(item: &ExportItem<'_>) -> serde_json::Value {
    serde_json::to_value(service(item)).unwrap_or(serde_json::Value::Null)
}

#[derive(Serialize)]
struct Service<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<String>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    alternate_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fees_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eligibility_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assured_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_modified: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Organization<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    service_at_locations: Vec<ServiceAtLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    service_areas: Vec<ServiceArea<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    schedules: Vec<Schedule<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cost_options: Vec<CostOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<Phone<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contacts: Vec<Contact<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

#[derive(Serialize)]
struct Organization<'a> {
    id: String,
    name: &'a str,
    /// Required by HSDS; tsunagu knows only the organizer's type.
    description: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

#[derive(Serialize)]
struct ServiceAtLocation<'a> {
    id: String,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    id: String,
    location_type: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    longitude: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<Address<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

#[derive(Serialize)]
struct Address<'a> {
    id: String,
    address_1: &'a str,
    city: String,
    state_province: &'static str,
    postal_code: String,
    country: &'static str,
    address_type: &'static str,
}

#[derive(Serialize)]
struct ServiceArea<'a> {
    id: String,
    name: &'a str,
}

#[derive(Serialize)]
struct Schedule<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    freq: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bymonthday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opens_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closes_at: Option<String>,
    timezone: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

#[derive(Serialize)]
struct CostOption {
    id: String,
    option: String,
    currency: &'static str,
    amount: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

#[derive(Serialize)]
struct Phone<'a> {
    id: String,
    number: &'a str,
}

#[derive(Serialize)]
struct Contact<'a> {
    id: String,
    name: &'a str,
}

#[derive(Serialize)]
struct Attribute {
    id: String,
    link_id: String,
    link_type: &'static str,
    link_entity: &'static str,
    taxonomy_term_id: String,
    taxonomy_term: Cow<'static, TaxonomyTerm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

/// Each term as attributes carry it, made once: an export repeats them in
/// every record.
fn inline_term(meaning: Meaning) -> Cow<'static, TaxonomyTerm> {
    static TERMS: std::sync::OnceLock<std::collections::HashMap<Meaning, TaxonomyTerm>> =
        std::sync::OnceLock::new();
    let terms = TERMS.get_or_init(|| {
        Meaning::all()
            .into_iter()
            .map(|m| (m, m.inline_term()))
            .collect()
    });
    match terms.get(&meaning) {
        Some(term) => Cow::Borrowed(term),
        // Every meaning is in Meaning::all(); one that is not is made here.
        None => Cow::Owned(meaning.inline_term()),
    }
}

fn attribute(
    link_id: &str,
    link_entity: &'static str,
    meaning: Meaning,
    value: Option<String>,
) -> Attribute {
    let term = inline_term(meaning);
    Attribute {
        id: object_id("attribute", &format!("{link_id}\u{1f}{}", term.code)).to_string(),
        link_id: link_id.to_string(),
        link_type: meaning.group().code(),
        link_entity,
        taxonomy_term_id: term.id.clone(),
        taxonomy_term: term,
        value,
    }
}

/// Whether the HSDS `email` format (RFC 5321, as jsonschema checks it)
/// surely accepts `text`: a plain ASCII `local@host.domain`.
pub(crate) fn is_plain_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    local_ok && is_hostname(domain) && domain.contains('.')
}

fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `text` is an absolute http(s) URI that the HSDS `uri` format
/// surely accepts: a plain host name, an optional port, and only URI
/// characters after it (a `%` followed by two hex digits).
pub(crate) fn is_plain_uri(text: &str) -> bool {
    let rest = match text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    {
        Some(r) => r,
        None => return false,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if !is_hostname(host)
        || port
            .is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let bytes = tail.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#@!$&'()*+,;=".contains(&b);
        if !allowed {
            return false;
        }
        i += 1;
    }
    // A second `#` is not a URI.
    tail.matches('#').count() <= 1
}

/// The address as the HSDS address object splits it: the postal code,
/// 千葉県 and the city (千葉市 and the ward) taken from the front when
/// written there, else the city from the placement; `address_1` is the rest.
pub(crate) struct SplitAddress<'a> {
    pub postal_code: String,
    pub state_province: &'static str,
    pub city: String,
    pub address_1: &'a str,
}

pub(crate) fn split_address<'a>(text: &'a str, placement: &Placement) -> SplitAddress<'a> {
    let mut rest = text.trim_start();
    let mut postal_code = String::new();
    let after_mark = rest.strip_prefix('〒').map(str::trim_start);
    let candidate = after_mark.unwrap_or(rest);
    let digits: Vec<u8> = candidate
        .bytes()
        .take(8)
        .take_while(|b| b.is_ascii_digit() || *b == b'-')
        .collect();
    let plain: Vec<u8> = digits.iter().copied().filter(u8::is_ascii_digit).collect();
    let next_is_digit = candidate
        .as_bytes()
        .get(digits.len())
        .is_some_and(u8::is_ascii_digit);
    let next_is_blank = candidate[digits.len()..]
        .chars()
        .next()
        .is_some_and(char::is_whitespace);
    let shaped = (digits.len() == 8 && digits[3] == b'-')
        || (digits.len() == 7 && (after_mark.is_some() || next_is_blank));
    if shaped && plain.len() == 7 && !next_is_digit {
        postal_code = format!(
            "{}-{}",
            String::from_utf8_lossy(&plain[..3]),
            String::from_utf8_lossy(&plain[3..])
        );
        rest = candidate[digits.len()..].trim_start();
    }
    let mut state_province = "";
    if let Some(r) = rest.strip_prefix("千葉県") {
        state_province = "千葉県";
        rest = r.trim_start();
    }
    let mut city = String::new();
    if let Some(r) = rest.strip_prefix("千葉市") {
        city.push_str("千葉市");
        rest = r.trim_start();
        state_province = "千葉県";
    }
    if let Some(ward) = tsunagu_model::Ward::ALL
        .iter()
        .find(|w| rest.starts_with(w.name()))
    {
        if city.is_empty() {
            city.push_str("千葉市");
        }
        city.push_str(ward.name());
        rest = rest[ward.name().len()..].trim_start();
        state_province = "千葉県";
    }
    if city.is_empty()
        && state_province.is_empty()
        && let Some(ward) = placement.ward
    {
        city = format!("千葉市{}", ward.name());
        state_province = "千葉県";
    }
    SplitAddress {
        postal_code,
        state_province,
        city,
        address_1: rest,
    }
}

fn service<'a>(item: &ExportItem<'a>) -> Service<'a> {
    let r: &'a Record = item.record;
    let p: &'a Placement = item.placement;
    let sid = service_id(&r.id).to_string();
    let key = r.id.as_str();

    let mut attributes = vec![attribute(
        &sid,
        "service",
        Meaning::Field(Field::RecordId),
        Some(r.id.clone()),
    )];
    attributes.push(attribute(&sid, "service", Meaning::Kind(r.kind), None));
    for c in &r.categories {
        attributes.push(attribute(&sid, "service", Meaning::Category(*c), None));
    }
    for f in &r.features {
        attributes.push(attribute(&sid, "service", Meaning::Feature(*f), None));
    }
    let mut field = |f: Field, value: Option<String>| {
        if let Some(v) = value {
            attributes.push(attribute(&sid, "service", Meaning::Field(f), Some(v)));
        }
    };
    field(Field::NameKana, r.name_kana.clone());
    field(Field::Address, r.address.clone());
    field(Field::Capacity, r.capacity.map(|c| c.to_string()));
    field(Field::NotesInternal, r.notes_internal.clone());
    let contact = r.contact.as_ref();
    let email = contact.and_then(|c| c.email.as_deref());
    let url = contact.and_then(|c| c.url.as_deref());
    field(
        Field::Email,
        email.filter(|e| !is_plain_email(e)).map(String::from),
    );
    field(
        Field::Url,
        url.filter(|u| !is_plain_uri(u)).map(String::from),
    );
    if !r.extra.is_empty() {
        field(Field::Extra, serde_json::to_string(&r.extra).ok());
    }
    if r.visibility == Visibility::Internal {
        attributes.push(attribute(&sid, "service", Meaning::Internal, None));
    }

    let organization = r.organizer.as_ref().map(|o| {
        let id = object_id("organization", &o.name).to_string();
        let attributes = o
            .org_type
            .map(|t| {
                vec![attribute(
                    &id,
                    "organization",
                    Meaning::OrganizerType(t),
                    None,
                )]
            })
            .unwrap_or_default();
        Organization {
            description: o.org_type.map(|t| t.label_ja()).unwrap_or(""),
            id,
            name: &o.name,
            attributes,
        }
    });

    let mut service_at_locations = Vec::new();
    if r.address.is_some() || p.point().is_some() || r.point().is_some() {
        let location_id = object_id("location", key).to_string();
        let (latitude, longitude) = match r.point().or(p.point()) {
            Some((lat, lon)) => (Some(lat), Some(lon)),
            None => (None, None),
        };
        let mut location_attributes = Vec::new();
        if r.point().is_none() && latitude.is_some() {
            location_attributes.push(attribute(
                &location_id,
                "location",
                Meaning::Marker(Marker::LocatedFromAddress),
                None,
            ));
        }
        let addresses = r
            .address
            .as_deref()
            .map(|a| {
                let split = split_address(a, p);
                vec![Address {
                    id: object_id("address", key).to_string(),
                    address_1: split.address_1,
                    city: split.city,
                    state_province: split.state_province,
                    postal_code: split.postal_code,
                    country: "JP",
                    address_type: "physical",
                }]
            })
            .unwrap_or_default();
        service_at_locations.push(ServiceAtLocation {
            id: object_id("service_at_location", key).to_string(),
            location: Location {
                id: location_id,
                location_type: "physical",
                name: &r.name,
                latitude,
                longitude,
                addresses,
                attributes: location_attributes,
            },
        });
    }

    let service_areas = r
        .service_area
        .iter()
        .enumerate()
        .map(|(i, name)| ServiceArea {
            id: object_id("service_area", &format!("{key}\u{1f}{i}")).to_string(),
            name,
        })
        .collect();

    let text = r.schedule_text.as_deref();
    let schedule_of = |i: usize, rule: Rule, derived: bool| {
        let id = object_id(
            "schedule",
            &format!("{key}\u{1f}{}{i}", if derived { "d" } else { "" }),
        )
        .to_string();
        let attributes = if derived {
            vec![attribute(
                &id,
                "schedule",
                Meaning::Marker(Marker::Derived),
                None,
            )]
        } else {
            Vec::new()
        };
        Schedule {
            id,
            freq: rule.freq,
            interval: rule.interval,
            byday: rule.byday,
            bymonthday: rule.bymonthday,
            opens_at: rule.opens_at,
            closes_at: rule.closes_at,
            timezone: TIMEZONE_HOURS,
            description: text,
            notes: rule.notes,
            attributes,
        }
    };
    let mut schedules: Vec<Schedule<'a>> = match (&r.schedule, &p.schedule) {
        (Some(slots), _) => slots
            .iter()
            .enumerate()
            .map(|(i, s)| schedule_of(i, rule_of_slot(s), false))
            .collect(),
        (None, ScheduleKnowledge::Slots(slots)) => slots
            .iter()
            .flat_map(rules_of_time_slot)
            .enumerate()
            .map(|(i, rule)| schedule_of(i, rule, true))
            .collect(),
        _ => Vec::new(),
    };
    if schedules.is_empty() && text.is_some() {
        schedules.push(schedule_of(0, Rule::default(), false));
    }

    let mut cost_options = Vec::new();
    if let Some(yen) = r.fee_yen {
        cost_options.push(CostOption {
            id: object_id("cost_option", key).to_string(),
            option: "1回あたり".to_string(),
            currency: "JPY",
            amount: yen,
            attributes: Vec::new(),
        });
    } else if let (Some(yen), Some(price)) = (p.fee.yen, p.fee.describe_ja()) {
        let id = object_id("cost_option", &format!("{key}\u{1f}d")).to_string();
        cost_options.push(CostOption {
            attributes: vec![attribute(
                &id,
                "cost_option",
                Meaning::Marker(Marker::Derived),
                None,
            )],
            id,
            option: price,
            currency: "JPY",
            amount: yen,
        });
    }

    let phones = contact
        .and_then(|c| c.phone.as_deref())
        .map(|number| {
            vec![Phone {
                id: object_id("phone", key).to_string(),
                number,
            }]
        })
        .unwrap_or_default();
    let contacts = contact
        .and_then(|c| c.person.as_deref())
        .map(|name| {
            vec![Contact {
                id: object_id("contact", key).to_string(),
                name,
            }]
        })
        .unwrap_or_default();

    Service {
        organization_id: organization.as_ref().map(|o| o.id.clone()),
        id: sid,
        name: &r.name,
        alternate_name: r.name_kana.as_deref(),
        description: r.description.as_deref(),
        url: url.filter(|u| is_plain_uri(u)),
        email: email.filter(|e| is_plain_email(e)),
        status: super::status_code(r.status),
        fees_description: r.fee_text.as_deref(),
        eligibility_description: r.target.as_deref(),
        assured_date: r.verified_on.map(|d| d.format("%Y-%m-%d").to_string()),
        last_modified: item
            .last_changed
            .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
        organization,
        service_at_locations,
        service_areas,
        schedules,
        cost_options,
        phones,
        contacts,
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_emails_and_uris() {
        for ok in ["a@example.jp", "first.last+tag@mail.city.chiba.jp"] {
            assert!(is_plain_email(ok), "{ok}");
        }
        for bad in [
            "a@b",
            "@example.jp",
            "a..b@example.jp",
            "山田@example.jp",
            "a@-x.jp",
            "a b@x.jp",
        ] {
            assert!(!is_plain_email(bad), "{bad}");
        }
        for ok in [
            "https://www.city.chiba.jp/",
            "http://example.jp:8080/a?b=c#d",
            "https://example.jp/%E3%81%82",
        ] {
            assert!(is_plain_uri(ok), "{ok}");
        }
        for bad in [
            "www.example.jp",
            "https://例え.jp/",
            "https://example.jp/あ",
            "https://example.jp/a b",
            "https://example.jp/%zz",
            "https://:80/",
            "ftp://example.jp/",
            "https://example.jp/#a#b",
        ] {
            assert!(!is_plain_uri(bad), "{bad}");
        }
    }

    #[test]
    fn addresses_split_into_postal_code_prefecture_city_and_the_rest() {
        let p = Placement::default();
        let s = split_address("〒263-0043 千葉県千葉市稲毛区小仲台2丁目", &p);
        assert_eq!(
            (
                s.postal_code.as_str(),
                s.state_province,
                s.city.as_str(),
                s.address_1
            ),
            ("263-0043", "千葉県", "千葉市稲毛区", "小仲台2丁目")
        );
        let s = split_address("稲毛区小仲台2丁目", &p);
        assert_eq!(
            (s.city.as_str(), s.address_1),
            ("千葉市稲毛区", "小仲台2丁目")
        );
        let placed = Placement {
            ward: Some(tsunagu_model::Ward::Mihama),
            ..Placement::default()
        };
        let s = split_address("高洲1丁目", &placed);
        assert_eq!(
            (s.city.as_str(), s.address_1),
            ("千葉市美浜区", "高洲1丁目")
        );
        let s = split_address("2630043 千葉市中央区", &p);
        assert_eq!((s.postal_code.as_str(), s.address_1), ("263-0043", ""));
    }
}
