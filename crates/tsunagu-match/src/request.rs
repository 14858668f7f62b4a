//! The request of spec/match.md, read with precise errors.

use serde::Deserialize;
use thiserror::Error;
use tsunagu_model::{Audience, Category, Feature, Kind, TimeOfDay, Weekday};

#[derive(Debug, Clone, PartialEq)]
pub enum RequestLocation {
    Point { lat: f64, lon: f64 },
    Address(String),
}

/// When the senior can take part (a slot without weeks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub weekdays: Vec<Weekday>,
    pub start: Option<TimeOfDay>,
    pub end: Option<TimeOfDay>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchRequest {
    pub location: RequestLocation,
    pub max_distance_m: f64,
    pub needs: Vec<Category>,
    pub needs_text: Option<String>,
    pub available: Vec<Availability>,
    pub max_fee_yen: Option<u64>,
    pub requires: Vec<Feature>,
    pub kinds: Vec<Kind>,
    pub audience: Audience,
    pub limit_per_need: usize,
    /// Whether this answer is a consultation to count in the unmet-needs
    /// log (資源開発). Trying several wordings of one consultation must not
    /// count its gaps several times, so only a request that says so is
    /// recorded.
    pub record: bool,
}

#[derive(Debug, Error, PartialEq)]
pub enum RequestError {
    #[error("the request is not valid JSON: {0}")]
    Json(String),
    #[error("the request is {len} bytes; at most {max} are read")]
    TooLarge { len: usize, max: usize },
    #[error("{field}: {en}")]
    Field {
        field: String,
        ja: String,
        en: String,
    },
}

impl RequestError {
    pub fn message_ja(&self) -> String {
        match self {
            RequestError::Json(m) => format!(
                "依頼の JSON を読めません（{}）",
                tsunagu_model::cut_for_message(m)
            ),
            RequestError::TooLarge { len, max } => {
                format!("依頼が大きすぎます（{len}バイト。{max}バイトまで）")
            }
            RequestError::Field { field, ja, .. } => format!("{field}: {ja}"),
        }
    }
}

/// Largest request body read, in bytes. A real request is well under 2 KiB.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// Longest `needs_text`, in characters: a consultation's summary, not a file.
pub const MAX_NEEDS_TEXT_CHARS: usize = 2_000;
/// Most `available` slots (every weekday split in several times fits).
pub const MAX_AVAILABLE_SLOTS: usize = 50;
/// Longest address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;
/// Widest `max_distance_m`, in metres (Chiba City is about 25 km across).
pub const MAX_DISTANCE_M: f64 = 100_000.0;
/// Most entries in one code list (`needs`, `requires`, `kinds`, weekdays);
/// duplicates are merged, so more than this is never meaningful.
pub const MAX_LIST_ENTRIES: usize = 100;

fn field(field: &str, ja: impl Into<String>, en: impl Into<String>) -> RequestError {
    RequestError::Field {
        field: field.into(),
        ja: ja.into(),
        en: en.into(),
    }
}

fn quote(value: &str) -> String {
    tsunagu_model::cut_for_message(value)
}

/// Appends `item` unless already present: duplicate codes are merged.
fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// A list of codes: bounded, each one known, duplicates merged.
fn codes<T: PartialEq>(
    name: &str,
    list: &[String],
    parse: fn(&str) -> Option<T>,
    what_ja: &str,
    what_en: &str,
) -> Result<Vec<T>, RequestError> {
    check_list_len(name, list.len())?;
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let code = parse(c).ok_or_else(|| {
            field(
                &format!("{name}[{i}]"),
                format!("「{}」は定義されていない{what_ja}です", quote(c)),
                format!("{:?} is not {what_en}", quote(c)),
            )
        })?;
        push_unique(&mut out, code);
    }
    Ok(out)
}

fn check_list_len(name: &str, len: usize) -> Result<(), RequestError> {
    if len > MAX_LIST_ENTRIES {
        return Err(field(
            name,
            format!("{len}個は多すぎます（{MAX_LIST_ENTRIES}個まで）"),
            format!("{len} entries; at most {MAX_LIST_ENTRIES}"),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocation {
    lat: Option<f64>,
    lon: Option<f64>,
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    #[serde(default)]
    weekdays: Vec<String>,
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
struct RawRequest {
    location: Option<RawLocation>,
    max_distance_m: Option<f64>,
    #[serde(default)]
    needs: Vec<String>,
    needs_text: Option<String>,
    #[serde(default)]
    available: Vec<RawSlot>,
    max_fee_yen: Option<i64>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    kinds: Vec<String>,
    audience: Option<String>,
    limit_per_need: Option<i64>,
    #[serde(default)]
    record: bool,
}

/// Default `max_distance_m` of the spec.
pub const DEFAULT_MAX_DISTANCE_M: f64 = 1000.0;
/// Default `limit_per_need` of the spec.
pub const DEFAULT_LIMIT: usize = 5;

impl MatchRequest {
    pub fn from_json(text: &str) -> Result<MatchRequest, RequestError> {
        if text.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::TooLarge {
                len: text.len(),
                max: MAX_REQUEST_BYTES,
            });
        }
        let raw: RawRequest =
            serde_json::from_str(text).map_err(|e| RequestError::Json(e.to_string()))?;
        let location = match raw.location {
            None => {
                return Err(field(
                    "location",
                    "必須です（{\"lat\",\"lon\"} か {\"address\"}）",
                    "required ({\"lat\",\"lon\"} or {\"address\"})",
                ));
            }
            Some(RawLocation {
                lat: Some(lat),
                lon: Some(lon),
                ..
            }) => {
                let ok = lat.is_finite()
                    && lon.is_finite()
                    && (-90.0..=90.0).contains(&lat)
                    && (-180.0..=180.0).contains(&lon);
                if !ok {
                    return Err(field(
                        "location",
                        "緯度は -90〜90、経度は -180〜180 の数値です",
                        "lat must be in -90..=90 and lon in -180..=180",
                    ));
                }
                RequestLocation::Point { lat, lon }
            }
            Some(RawLocation {
                address: Some(a), ..
            }) if !a.trim().is_empty() => {
                let n = a.chars().count();
                if n > MAX_ADDRESS_CHARS {
                    return Err(field(
                        "location.address",
                        format!("長すぎます（{n}文字。{MAX_ADDRESS_CHARS}文字まで）"),
                        format!("{n} characters; at most {MAX_ADDRESS_CHARS}"),
                    ));
                }
                RequestLocation::Address(a)
            }
            Some(_) => {
                return Err(field(
                    "location",
                    "lat と lon、または address が必要です",
                    "needs lat and lon, or address",
                ));
            }
        };
        let needs = codes(
            "needs",
            &raw.needs,
            Category::from_code,
            "分類コード",
            "a category code",
        )?;
        let needs_text = raw.needs_text.filter(|t| !t.trim().is_empty());
        if let Some(t) = &needs_text {
            let n = t.chars().count();
            if n > MAX_NEEDS_TEXT_CHARS {
                return Err(field(
                    "needs_text",
                    format!("長すぎます（{n}文字。{MAX_NEEDS_TEXT_CHARS}文字まで）"),
                    format!("{n} characters; at most {MAX_NEEDS_TEXT_CHARS}"),
                ));
            }
        }
        if needs.is_empty() && needs_text.is_none() {
            return Err(field(
                "needs",
                "needs か needs_text のどちらかが必要です",
                "give needs or needs_text",
            ));
        }
        if raw.available.len() > MAX_AVAILABLE_SLOTS {
            return Err(field(
                "available",
                format!(
                    "{}枠は多すぎます（{MAX_AVAILABLE_SLOTS}枠まで）",
                    raw.available.len()
                ),
                format!(
                    "{} slots; at most {MAX_AVAILABLE_SLOTS}",
                    raw.available.len()
                ),
            ));
        }
        let mut available = Vec::new();
        for (i, s) in raw.available.iter().enumerate() {
            available.push(availability(i, s)?);
        }
        let requires = codes(
            "requires",
            &raw.requires,
            Feature::from_code,
            "特徴コード",
            "a feature code",
        )?;
        let kinds = codes(
            "kinds",
            &raw.kinds,
            Kind::from_code,
            "種別（kayoi か service）",
            "kayoi or service",
        )?;
        let audience = match raw.audience.as_deref() {
            None => Audience::Public,
            Some(a) => Audience::from_code(a).ok_or_else(|| {
                field(
                    "audience",
                    "public か coordinator です",
                    "must be public or coordinator",
                )
            })?,
        };
        let max_distance_m = raw.max_distance_m.unwrap_or(DEFAULT_MAX_DISTANCE_M);
        if !(max_distance_m.is_finite() && (0.0..=MAX_DISTANCE_M).contains(&max_distance_m)) {
            return Err(field(
                "max_distance_m",
                format!("0〜{MAX_DISTANCE_M} の数値（メートル）です"),
                format!("must be a number of metres in 0..={MAX_DISTANCE_M}"),
            ));
        }
        let max_fee_yen = match raw.max_fee_yen {
            Some(f) if f < 0 => {
                return Err(field(
                    "max_fee_yen",
                    "0 以上の整数です",
                    "must be an integer >= 0",
                ));
            }
            Some(f) => Some(f as u64),
            None => None,
        };
        let limit_per_need = match raw.limit_per_need {
            Some(n) if !(1..=100).contains(&n) => {
                return Err(field(
                    "limit_per_need",
                    "1〜100 の整数です",
                    "must be an integer in 1..=100",
                ));
            }
            Some(n) => n as usize,
            None => DEFAULT_LIMIT,
        };
        Ok(MatchRequest {
            location,
            max_distance_m,
            needs,
            needs_text,
            available,
            max_fee_yen,
            requires,
            kinds,
            audience,
            limit_per_need,
            record: raw.record,
        })
    }
}

/// One `available` slot, held to the rules an imported schedule slot is
/// held to (records.md): at least one weekday, times as HH:MM, start before
/// end.
fn availability(i: usize, s: &RawSlot) -> Result<Availability, RequestError> {
    let at = format!("available[{i}]");
    if s.weekdays.is_empty() {
        return Err(field(
            &format!("{at}.weekdays"),
            "曜日を1つ以上指定してください",
            "at least one weekday is required",
        ));
    }
    check_list_len(&format!("{at}.weekdays"), s.weekdays.len())?;
    let mut weekdays = Vec::new();
    for (j, w) in s.weekdays.iter().enumerate() {
        let day = Weekday::from_code(w).ok_or_else(|| {
            field(
                &format!("{at}.weekdays[{j}]"),
                format!("「{}」は曜日コードではありません", quote(w)),
                format!("{:?} is not a weekday code (mon..sun)", quote(w)),
            )
        })?;
        push_unique(&mut weekdays, day);
    }
    let time = |t: &Option<String>, k: &str| match t {
        None => Ok(None),
        Some(t) => TimeOfDay::parse(t).map(Some).ok_or_else(|| {
            field(
                &format!("{at}.{k}"),
                format!("「{}」は HH:MM（00:00〜24:00）ではありません", quote(t)),
                format!("{:?} is not a time HH:MM in 00:00..=24:00", quote(t)),
            )
        }),
    };
    let start = time(&s.start, "start")?;
    let end = time(&s.end, "end")?;
    if let (Some(a), Some(b)) = (start, end)
        && a >= b
    {
        return Err(field(
            &format!("{at}.end"),
            format!("終了 {b} が開始 {a} より前か同じです"),
            format!("end {b} is not after start {a}"),
        ));
    }
    Ok(Availability {
        weekdays,
        start,
        end,
    })
}
