//! A GeoJSON FeatureCollection (RFC 7946) of the records that have a point,
//! for QGIS and other GIS: one Point feature per record, `[lon, lat]` in
//! WGS84, written one feature per line as the records come.
//!
//! The point is the record's own, or the one the engine located from its
//! address (`located_from_address` says which). Every feature has the same
//! properties (absent values are `null`), so a GIS sees one attribute
//! table: lists are strings with `;` between items, as QGIS shows them.
//!
//! | property | what |
//! | --- | --- |
//! | `id`, `name`, `name_kana` | the record's |
//! | `kind`, `kind_ja` | `kayoi` / `service` and its label |
//! | `categories`, `categories_ja` | codes and labels, `;` between |
//! | `features`, `features_ja` | codes and labels, `;` between |
//! | `organizer`, `organizer_type` | the organizer's name and type code |
//! | `address`, `ward`, `town`, `centre` | as written; where the engine placed it (区, 町丁目, あんしんケアセンター id) |
//! | `located_from_address` | true when the point was located from the address |
//! | `service_area` | `;` between |
//! | `schedule`, `schedule_text` | the schedule in the engine's words (「毎週火曜 10:00〜11:30」), and as published |
//! | `fee`, `fee_text`, `fee_yen` | the fee in the engine's words (「1回100円」), as published, in yen |
//! | `target`, `capacity`, `description` | the record's |
//! | `phone`, `email`, `url` | the contact's |
//! | `status`, `status_ja`, `verified_on` | the record's |
//! | `visibility`, `contact_person`, `notes_internal` | coordinators' exports only |

use std::io::Write;

use serde_json::{Map, Value, json};
use tsunagu_model::Audience;

use crate::{ExportError, ExportItem, ExportOptions, ExportSummary};

pub struct GeoJsonWriter<W: Write> {
    out: W,
    audience: Audience,
    summary: ExportSummary,
}

fn joined<T>(items: &[T], f: impl Fn(&T) -> &str) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        items.iter().map(f).collect::<Vec<_>>().join(";").into()
    }
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// The feature of a record, or `None` when it has no point.
pub fn feature(item: &ExportItem<'_>, audience: Audience) -> Option<Value> {
    let r = item.record;
    let p = item.placement;
    let (lat, lon) = r.point().or(p.point())?;
    let contact = r.contact.as_ref();
    let mut props = Map::new();
    let mut put = |k: &str, v: Value| {
        props.insert(k.to_string(), v);
    };
    put("id", r.id.as_str().into());
    put("name", r.name.as_str().into());
    put("name_kana", opt(r.name_kana.as_deref()));
    put("kind", r.kind.code().into());
    put("kind_ja", r.kind.label_ja().into());
    put("categories", joined(&r.categories, |c| c.code()));
    put("categories_ja", joined(&r.categories, |c| c.label_ja()));
    put("features", joined(&r.features, |f| f.code()));
    put("features_ja", joined(&r.features, |f| f.label_ja()));
    put(
        "organizer",
        opt(r.organizer.as_ref().map(|o| o.name.as_str())),
    );
    put(
        "organizer_type",
        opt(r
            .organizer
            .as_ref()
            .and_then(|o| o.org_type)
            .map(|t| t.code())),
    );
    put("address", opt(r.address.as_deref()));
    put("ward", opt(p.ward.map(|w| w.name())));
    put("town", opt(p.town.as_deref()));
    put("centre", opt(p.center_id.as_deref()));
    put("located_from_address", r.point().is_none().into());
    put("service_area", joined(&r.service_area, |a| a.as_str()));
    put("schedule", opt(item.when_ja.or(r.schedule_text.as_deref())));
    put("schedule_text", opt(r.schedule_text.as_deref()));
    put("fee", opt(item.fee_ja.or(r.fee_text.as_deref())));
    put("fee_text", opt(r.fee_text.as_deref()));
    put("fee_yen", opt(r.fee_yen));
    put("target", opt(r.target.as_deref()));
    put("capacity", opt(r.capacity));
    put("description", opt(r.description.as_deref()));
    put("phone", opt(contact.and_then(|c| c.phone.as_deref())));
    put("email", opt(contact.and_then(|c| c.email.as_deref())));
    put("url", opt(contact.and_then(|c| c.url.as_deref())));
    put("status", r.status.code().into());
    put("status_ja", r.status.label_ja().into());
    put(
        "verified_on",
        opt(r.verified_on.map(|d| d.format("%Y-%m-%d").to_string())),
    );
    if audience == Audience::Coordinator {
        put("visibility", r.visibility.code().into());
        put(
            "contact_person",
            opt(contact.and_then(|c| c.person.as_deref())),
        );
        put("notes_internal", opt(r.notes_internal.as_deref()));
    }
    Some(json!({
        "type": "Feature",
        "id": r.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }))
}

impl<W: Write> GeoJsonWriter<W> {
    pub fn new(mut out: W, options: ExportOptions) -> Result<Self, ExportError> {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
        Ok(GeoJsonWriter {
            out,
            audience: options.audience,
            summary: ExportSummary::default(),
        })
    }

    pub fn write(&mut self, item: &ExportItem<'_>) -> Result<(), ExportError> {
        self.summary.records += 1;
        let Some(feature) = feature(item, self.audience) else {
            return Ok(());
        };
        let sep: &[u8] = if self.summary.written == 0 {
            b"\n"
        } else {
            b",\n"
        };
        self.out.write_all(sep)?;
        serde_json::to_writer(&mut self.out, &feature)?;
        self.summary.written += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(W, ExportSummary), ExportError> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok((self.out, self.summary))
    }
}
