//! Service areas (`service_area` of records.md): 「千葉市」, a ward, or a town in a
//! ward, compared through one normal form.

/// The normalised keys of service-area entries: 「千葉市」, a ward, or ward +
/// town (「稲毛区小仲台」 → 「稲毛区小仲台」; 「千葉市稲毛区」 → 「稲毛区」).
pub fn area_keys(entries: &[String]) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            let k: String = e.chars().filter(|c| !c.is_whitespace()).collect();
            let k = k.strip_prefix("千葉県").unwrap_or(&k).to_string();
            match k.strip_prefix("千葉市") {
                Some("") => "千葉市".to_string(),
                Some(rest) => rest.to_string(),
                None => k,
            }
        })
        .map(|k| k.replace(['ヶ', 'が'], "ケ"))
        .collect()
}
