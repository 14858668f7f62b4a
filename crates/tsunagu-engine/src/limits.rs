//! Documented maxima of everything a caller sends, checked where requests
//! enter the engine, so the CLI and the server share them. Each bound keeps
//! the work of one request proportional to its size, whatever it asks: no
//! allocation sized by a caller's number, no NaN reaching the R-tree.

use thiserror::Error;
use tsunagu_model::cut_for_message;

use crate::SearchQuery;

/// Longest search text, in characters. A consultation's key words fit many
/// times over; a pasted document does not belong in a search box.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most results on one page (`limit`, and `k` of nearest).
pub const MAX_LIMIT: usize = 1_000;
/// Deepest page start (`offset`): paging past this is never what a person
/// does, and the index collects `offset + limit` hits.
pub const MAX_OFFSET: usize = 10_000;
/// Widest radius (`within`, `max_distance_m`), in metres: Chiba City is
/// about 25 km across.
pub const MAX_DISTANCE_M: f64 = 100_000.0;
/// Longest address to locate, in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;

/// A request value outside its documented bounds.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InputError {
    #[error("{name} must be between {min} and {max}, got {value}")]
    OutOfRange {
        name: &'static str,
        value: String,
        min: String,
        max: String,
    },
    #[error("{name} is too long: {len} characters, at most {max}")]
    TooLong {
        name: &'static str,
        len: usize,
        max: usize,
    },
    #[error(
        "({lat}, {lon}) is not a point: latitude must be a finite number in -90..=90 and longitude in -180..=180"
    )]
    BadPoint { lat: String, lon: String },
}

impl InputError {
    pub fn message_ja(&self) -> String {
        match self {
            InputError::OutOfRange {
                name,
                value,
                min,
                max,
            } => format!(
                "{name} は {min}〜{max} で指定してください（指定された値: {}）",
                cut_for_message(value)
            ),
            InputError::TooLong { name, len, max } => {
                format!("{name} が長すぎます（{len}文字。{max}文字まで）")
            }
            InputError::BadPoint { lat, lon } => {
                let hint = match (lat.parse::<f64>(), lon.parse::<f64>()) {
                    (Ok(a), Ok(b))
                        if (120.0..=155.0).contains(&a) && (20.0..=50.0).contains(&b) =>
                    {
                        "。緯度と経度が逆ではありませんか（千葉市は 緯度35.6,経度140.1 付近）"
                    }
                    _ => "",
                };
                format!(
                    "地点「{},{}」は使えません。緯度は -90〜90、経度は -180〜180 の数値で指定してください{hint}",
                    cut_for_message(lat),
                    cut_for_message(lon)
                )
            }
        }
    }
}

fn range<T: PartialOrd + std::fmt::Display>(
    name: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<(), InputError> {
    if value >= min && value <= max {
        Ok(())
    } else {
        Err(InputError::OutOfRange {
            name,
            value: value.to_string(),
            min: min.to_string(),
            max: max.to_string(),
        })
    }
}

/// A text no longer than `max` characters (counted without reading past it).
pub fn check_len(name: &'static str, text: &str, max: usize) -> Result<(), InputError> {
    // Bytes bound characters from above: most texts skip the count.
    if text.len() > max && text.chars().nth(max).is_some() {
        return Err(InputError::TooLong {
            name,
            len: text.chars().count(),
            max,
        });
    }
    Ok(())
}

/// A WGS84 point: finite, latitude within ±90, longitude within ±180.
pub fn check_point(lat: f64, lon: f64) -> Result<(), InputError> {
    let ok = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon);
    if ok {
        Ok(())
    } else {
        Err(InputError::BadPoint {
            lat: lat.to_string(),
            lon: lon.to_string(),
        })
    }
}

/// A radius in metres: finite and within (0, [`MAX_DISTANCE_M`]].
pub fn check_distance(name: &'static str, metres: f64) -> Result<(), InputError> {
    if metres.is_finite() && metres > 0.0 && metres <= MAX_DISTANCE_M {
        Ok(())
    } else {
        Err(InputError::OutOfRange {
            name,
            value: metres.to_string(),
            min: "1".into(),
            max: MAX_DISTANCE_M.to_string(),
        })
    }
}

pub fn check_limit(name: &'static str, n: usize) -> Result<(), InputError> {
    range(name, n, 1, MAX_LIMIT)
}

/// The bounds of a search: text length, page size and depth.
pub fn check_search(q: &SearchQuery) -> Result<(), InputError> {
    check_len("query", &q.text, MAX_QUERY_CHARS)?;
    check_limit("limit", q.limit)?;
    range("offset", q.offset, 0, MAX_OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_must_be_finite_and_in_range() {
        assert!(check_point(35.6, 140.1).is_ok());
        for (lat, lon) in [
            (f64::NAN, f64::NAN),
            (f64::INFINITY, 140.0),
            (35.0, f64::NEG_INFINITY),
            (91.0, 181.0),
            (140.1, 35.6),
            (-90.5, 0.0),
        ] {
            assert!(check_point(lat, lon).is_err(), "{lat},{lon}");
        }
        let swapped = check_point(140.1, 35.6).unwrap_err().message_ja();
        assert!(swapped.contains("逆"), "{swapped}");
    }

    #[test]
    fn bounds_of_a_search() {
        let ok = SearchQuery {
            text: "体操".into(),
            limit: 10,
            ..SearchQuery::default()
        };
        assert!(check_search(&ok).is_ok());
        for bad in [
            SearchQuery {
                limit: 0,
                ..ok.clone()
            },
            SearchQuery {
                limit: MAX_LIMIT + 1,
                ..ok.clone()
            },
            SearchQuery {
                offset: 2_000_000_000,
                ..ok.clone()
            },
            SearchQuery {
                text: "あ".repeat(MAX_QUERY_CHARS + 1),
                ..ok.clone()
            },
        ] {
            assert!(check_search(&bad).is_err(), "{bad:?}");
        }
        assert!(check_distance("within", f64::NAN).is_err());
        assert!(check_distance("within", -1.0).is_err());
        assert!(check_distance("within", 0.0).is_err());
        assert!(check_distance("within", 500.0).is_ok());
        assert!(check_len("q", &"x".repeat(10), 10).is_ok());
        assert!(check_len("q", &"あ".repeat(10), 10).is_ok());
        assert!(check_len("q", &"x".repeat(11), 10).is_err());
    }
}
