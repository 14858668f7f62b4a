//! Query-string parameters: repeated keys and comma-separated lists both
//! give several values; an unknown key, a value that does not parse, or a
//! key given twice where one value is expected is refused with the
//! parameter named, in Japanese.

use std::collections::BTreeMap;

use tsunagu_model::{Category, Feature, Kind, Ward};

use crate::error::ApiError;

/// The longest query string read at all.
pub const MAX_QUERY_STRING: usize = 8 * 1024;

#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, Vec<String>>,
}

impl Params {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let raw = raw.unwrap_or_default();
        if raw.len() > MAX_QUERY_STRING {
            return Err(ApiError::bad_request(
                "query",
                format!("検索条件が長すぎます（{MAX_QUERY_STRING}バイトまで）"),
            ));
        }
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                let key = tsunagu_model::cut_for_message(&k);
                return Err(ApiError::bad_request(
                    &key,
                    format!(
                        "「{key}」という条件はありません。使える条件: {}",
                        allowed.join(", ")
                    ),
                ));
            }
            values
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        Ok(Params { values })
    }

    /// At most one value.
    pub fn one(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.values.get(key).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([v]) => Ok(Some(v.as_str())),
            Some(_) => Err(ApiError::bad_request(
                key,
                format!("「{key}」は一つだけ指定してください"),
            )),
        }
    }

    /// Every value, repeated keys and comma-separated lists alike, each
    /// read by `parse` (empty items skipped).
    pub fn list<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: impl Fn() -> String,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        for value in self.values.get(key).into_iter().flatten() {
            for item in value.split([',', '，', '、']).map(str::trim) {
                if item.is_empty() {
                    continue;
                }
                match parse(item) {
                    Some(v) => out.push(v),
                    None => {
                        let item = tsunagu_model::cut_for_message(item);
                        return Err(ApiError::bad_request(
                            key,
                            format!("{key}「{item}」がわかりません。使える値: {}", expected()),
                        ));
                    }
                }
            }
        }
        Ok(out)
    }

    pub fn number<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, ApiError> {
        match self.one(key)? {
            None => Ok(None),
            Some(v) => v.trim().parse::<T>().map(Some).map_err(|_| {
                let v = tsunagu_model::cut_for_message(v);
                ApiError::bad_request(key, format!("{key} は数で指定してください（「{v}」）"))
            }),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.one(key)? {
            None => Ok(false),
            Some("" | "1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(v) => {
                let v = tsunagu_model::cut_for_message(v);
                Err(ApiError::bad_request(
                    key,
                    format!("{key} は true か false です（「{v}」）"),
                ))
            }
        }
    }

    pub fn kinds(&self) -> Result<Vec<Kind>, ApiError> {
        self.list("kind", Kind::from_code_or_label, Kind::codes_joined)
    }

    pub fn categories(&self) -> Result<Vec<Category>, ApiError> {
        self.list("category", Category::from_user_text, || {
            Category::codes_with_labels_joined()
        })
    }

    pub fn wards(&self) -> Result<Vec<Ward>, ApiError> {
        self.list("ward", Ward::parse, || {
            Ward::ALL
                .iter()
                .map(|w| w.name())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    pub fn features(&self) -> Result<Vec<Feature>, ApiError> {
        self.list("feature", Feature::from_user_text, || {
            Feature::codes_with_labels_joined()
        })
    }

    pub fn centres(&self) -> Result<Vec<String>, ApiError> {
        self.list("centre", parse_centre, || "AC01〜AC28".to_string())
    }
}

/// AC01…AC28, any case.
pub fn parse_centre(s: &str) -> Option<String> {
    let id = s.trim().to_ascii_uppercase();
    let ok = id.len() == 4
        && id.starts_with("AC")
        && id[2..].parse::<u8>().is_ok_and(|n| (1..=28).contains(&n));
    ok.then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_separated_values_both_list() {
        let p = Params::parse(
            Some("kind=kayoi&category=exercise,salon&category=体操"),
            &["kind", "category"],
        )
        .unwrap();
        assert_eq!(p.kinds().unwrap(), vec![Kind::Kayoi]);
        assert_eq!(p.categories().unwrap().len(), 3);
    }

    #[test]
    fn unknown_keys_bad_values_and_repeats_name_the_parameter() {
        let e = Params::parse(Some("qq=1"), &["q"]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("qq"));
        let p =
            Params::parse(Some("limit=x&q=a&q=b&ward=新宿区"), &["limit", "q", "ward"]).unwrap();
        assert_eq!(
            p.number::<usize>("limit").unwrap_err().field.as_deref(),
            Some("limit")
        );
        assert_eq!(p.one("q").unwrap_err().field.as_deref(), Some("q"));
        assert_eq!(p.wards().unwrap_err().field.as_deref(), Some("ward"));
        let long = "q=".to_string() + &"a".repeat(MAX_QUERY_STRING);
        assert!(Params::parse(Some(&long), &["q"]).is_err());
    }

    #[test]
    fn centres_are_ac01_to_ac28() {
        assert_eq!(parse_centre("ac05").as_deref(), Some("AC05"));
        assert_eq!(parse_centre("AC29"), None);
        assert_eq!(parse_centre("AC0"), None);
    }
}
