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
}

#[derive(Debug, Error, PartialEq)]
pub enum RequestError {
    #[error("the request is not valid JSON: {0}")]
    Json(String),
    #[error("{field}: {message}")]
    Field { field: String, message: String },
}

impl RequestError {
    pub fn message_ja(&self) -> String {
        match self {
            RequestError::Json(m) => format!("依頼の JSON を読めません（{m}）"),
            RequestError::Field { field, message } => format!("{field}: {message}"),
        }
    }
}

fn field(field: &str, message: impl Into<String>) -> RequestError {
    RequestError::Field {
        field: field.into(),
        message: message.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocation {
    lat: Option<f64>,
    lon: Option<f64>,
    address: Option<String>,
}

#[derive(Deserialize)]
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
}

/// Default `max_distance_m` of the spec.
pub const DEFAULT_MAX_DISTANCE_M: f64 = 1000.0;
/// Default `limit_per_need` of the spec.
pub const DEFAULT_LIMIT: usize = 5;

impl MatchRequest {
    pub fn from_json(text: &str) -> Result<MatchRequest, RequestError> {
        let raw: RawRequest =
            serde_json::from_str(text).map_err(|e| RequestError::Json(e.to_string()))?;
        let location = match raw.location {
            None => {
                return Err(field(
                    "location",
                    "必須です（{\"lat\",\"lon\"} か {\"address\"}）",
                ));
            }
            Some(RawLocation {
                lat: Some(lat),
                lon: Some(lon),
                ..
            }) => {
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(field("location", "緯度・経度が範囲外です"));
                }
                RequestLocation::Point { lat, lon }
            }
            Some(RawLocation {
                address: Some(a), ..
            }) if !a.trim().is_empty() => RequestLocation::Address(a),
            Some(_) => return Err(field("location", "lat と lon、または address が必要です")),
        };
        let codes = |name: &str, list: &[String], parse: fn(&str) -> Option<Category>| {
            list.iter()
                .enumerate()
                .map(|(i, c)| {
                    parse(c).ok_or_else(|| {
                        field(
                            &format!("{name}[{i}]"),
                            format!("「{c}」は定義されていない分類コードです"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let needs = codes("needs", &raw.needs, Category::from_code)?;
        let needs_text = raw.needs_text.filter(|t| !t.trim().is_empty());
        if needs.is_empty() && needs_text.is_none() {
            return Err(field("needs", "needs か needs_text のどちらかが必要です"));
        }
        let mut available = Vec::new();
        for (i, s) in raw.available.iter().enumerate() {
            let weekdays = s
                .weekdays
                .iter()
                .map(|w| {
                    Weekday::from_code(w).ok_or_else(|| {
                        field(
                            &format!("available[{i}].weekdays"),
                            format!("「{w}」は曜日コードではありません"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let time = |t: &Option<String>, k: &str| match t {
                None => Ok(None),
                Some(t) => TimeOfDay::parse(t).map(Some).ok_or_else(|| {
                    field(
                        &format!("available[{i}].{k}"),
                        format!("「{t}」は HH:MM ではありません"),
                    )
                }),
            };
            available.push(Availability {
                weekdays,
                start: time(&s.start, "start")?,
                end: time(&s.end, "end")?,
            });
        }
        let requires = raw
            .requires
            .iter()
            .enumerate()
            .map(|(i, f)| {
                Feature::from_code(f).ok_or_else(|| {
                    field(
                        &format!("requires[{i}]"),
                        format!("「{f}」は定義されていない特徴コードです"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let kinds = raw
            .kinds
            .iter()
            .enumerate()
            .map(|(i, k)| {
                Kind::from_code(k).ok_or_else(|| {
                    field(
                        &format!("kinds[{i}]"),
                        format!("「{k}」は kayoi か service です"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let audience = match raw.audience.as_deref() {
            None => Audience::Public,
            Some(a) => Audience::from_code(a)
                .ok_or_else(|| field("audience", "public か coordinator です"))?,
        };
        let max_distance_m = raw.max_distance_m.unwrap_or(DEFAULT_MAX_DISTANCE_M);
        if !(max_distance_m.is_finite() && max_distance_m >= 0.0) {
            return Err(field("max_distance_m", "0 以上の数値です"));
        }
        let max_fee_yen = match raw.max_fee_yen {
            Some(f) if f < 0 => return Err(field("max_fee_yen", "0 以上の整数です")),
            Some(f) => Some(f as u64),
            None => None,
        };
        let limit_per_need = match raw.limit_per_need {
            Some(n) if !(1..=100).contains(&n) => {
                return Err(field("limit_per_need", "1〜100 の整数です"));
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
        })
    }
}
