//! Column names the CSV reader gives a meaning beyond the alias table, and
//! which tsunagu's own CSV export writes (`tsunagu-export` takes them from
//! here, so the two cannot drift apart).
//!
//! The export restates for people and other programs what the record
//! already says or what the engine derives: the municipality, category
//! codes beside their labels, where the record was placed (区, 町丁目,
//! あんしんケアセンター) and the schedule as weekdays and times. Read back,
//! such a column is ignored when the file also has a column it restates
//! ([`RESTATEMENTS`]), so an export imports as the records it came from;
//! in a file without that column it is kept as an extra key like any
//! column the reader does not know.

use unicode_normalization::UnicodeNormalization;

/// 全国地方公共団体コード (121002 for 千葉市).
pub const MUNICIPALITY_CODE: &str = "全国地方公共団体コード";
/// 地方公共団体名 (千葉県千葉市).
pub const MUNICIPALITY_NAME: &str = "地方公共団体名";
/// The category codes beside the labels of カテゴリ.
pub const CATEGORY_CODES: &str = "カテゴリ_コード";
/// The ward the engine placed the record in.
pub const WARD: &str = "区";
/// The 町丁目 the engine placed the record in.
pub const TOWN: &str = "町丁目";
/// The あんしんケアセンター whose area the record is in (AC01…).
pub const CENTRE: &str = "あんしんケアセンター";
/// The days of each slot (「第2・第4水曜」), `;` between slots.
pub const DAYS: &str = "曜日";
/// The start time of each slot, `;` between slots.
pub const START: &str = "開始時間";
/// The end time of each slot, `;` between slots.
pub const END: &str = "終了時間";

/// Where the row's 緯度/経度 come from: [`POINT_GIVEN`] or [`POINT_LOCATED`].
pub const POINT_SOURCE: &str = "位置の出典";
/// The record's own point.
pub const POINT_GIVEN: &str = "登録";
/// Located from the address; the reader does not take it as the record's
/// point (the importer locates the address again).
pub const POINT_LOCATED: &str = "住所から推定";

/// Keys outside the record format (`extra`), as one JSON object.
pub const EXTRA_JSON: &str = "追加項目";

/// Each restating column and the record keys whose columns make it
/// redundant (any one of them present is enough).
pub const RESTATEMENTS: &[(&str, &[&str])] = &[
    (MUNICIPALITY_CODE, &["address", "lat"]),
    (MUNICIPALITY_NAME, &["address", "lat"]),
    (CATEGORY_CODES, &["categories"]),
    (WARD, &["address", "lat"]),
    (TOWN, &["address", "lat"]),
    (CENTRE, &["address", "lat"]),
    (DAYS, &["schedule_text", "schedule"]),
    (START, &["schedule_text", "schedule"]),
    (END, &["schedule_text", "schedule"]),
];

/// The keys that make `header` redundant, if it is a restating column
/// (compared after NFKC, without blanks).
pub fn restated_by(header: &str) -> Option<&'static [&'static str]> {
    let h: String = header.nfkc().filter(|c| !c.is_whitespace()).collect();
    RESTATEMENTS
        .iter()
        .find(|(name, _)| *name == h)
        .map(|(_, keys)| *keys)
}
