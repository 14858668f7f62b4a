//! Placing records in Chiba City's wards.
//!
//! For now a record's ward comes from the ward name written in its address
//! or, failing that, in its service area. The gazetteer, あんしんケアセンター
//! areas and point lookup build on this (issue 3).

use tsunagu_model::{Record, Ward};
use unicode_normalization::UnicodeNormalization;

/// The ward named in an address such as 「千葉県千葉市稲毛区小仲台2丁目」 or
/// 「稲毛区小仲台」. An address in another city (船橋市…) has none.
pub fn ward_in_address(address: &str) -> Option<Ward> {
    let text: String = address.nfkc().filter(|c| !c.is_whitespace()).collect();
    let rest = text.strip_prefix("千葉県").unwrap_or(&text);
    let rest = rest.strip_prefix("千葉市").unwrap_or(rest);
    Ward::ALL.into_iter().find(|w| rest.starts_with(w.name()))
}

/// The ward a record belongs to: its address, else a single-ward service area.
pub fn ward_of_record(record: &Record) -> Option<Ward> {
    if let Some(w) = record.address.as_deref().and_then(ward_in_address) {
        return Some(w);
    }
    let mut wards = record
        .service_area
        .iter()
        .filter_map(|a| ward_in_address(a));
    let first = wards.next()?;
    wards.all(|w| w == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wards_from_addresses() {
        let table = [
            ("千葉県千葉市稲毛区小仲台2丁目5-3", Some(Ward::Inage)),
            ("千葉市美浜区高洲１丁目", Some(Ward::Mihama)),
            ("稲毛区小仲台2-3-1", Some(Ward::Inage)),
            ("千葉市 若葉区 都賀", Some(Ward::Wakaba)),
            ("千葉市緑区おゆみ野3丁目", Some(Ward::Midori)),
            ("船橋市本町1丁目", None),
            ("千葉県船橋市中央区", None),
            ("千葉市", None),
            ("", None),
        ];
        for (address, want) in table {
            assert_eq!(ward_in_address(address), want, "{address}");
        }
    }
}
