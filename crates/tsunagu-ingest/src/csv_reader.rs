//! CSV with a header row, as municipal open-data sets publish them.
//!
//! Encoding: UTF-8 with or without BOM, or Shift_JIS/CP932 (detected: a file
//! that is not valid UTF-8 is read as CP932), or as the caller says.
//! Headers: the spec's English keys, or Japanese column names in the style of
//! the 自治体標準オープンデータセット (名称, 住所, 緯度…); see `docs/import.md`.
//! Multi-valued cells are separated by `;`. Each row is mapped onto the
//! spec's keys and then validated by the same code as JSON Lines, so both
//! formats accept and reject exactly the same records.

use encoding_rs::{SHIFT_JIS, UTF_8};
use serde_json::{Map, Value};
use tsunagu_model::{
    Category, Feature, FieldError, Kind, OrgType, Status, Visibility, record_from_json,
};
use unicode_normalization::UnicodeNormalization;

use crate::SourceLine;
use crate::error::{IngestError, LineError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 if the bytes are valid UTF-8 (BOM or not), else CP932.
    Detect,
    Utf8,
    /// Shift_JIS as Windows writes it (CP932; WHATWG's Shift_JIS is CP932).
    Cp932,
}

impl CsvEncoding {
    pub fn parse(name: &str) -> Result<CsvEncoding, IngestError> {
        match name.to_ascii_lowercase().replace('-', "_").as_str() {
            "auto" | "detect" => Ok(CsvEncoding::Detect),
            "utf8" | "utf_8" => Ok(CsvEncoding::Utf8),
            "shift_jis" | "sjis" | "cp932" | "windows_31j" | "ms932" => Ok(CsvEncoding::Cp932),
            _ => Err(IngestError::UnknownEncoding(name.to_string())),
        }
    }
}

/// Where a CSV column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A top-level key of the spec.
    Key(&'static str),
    OrganizerName,
    OrganizerType,
    Contact(&'static str),
    /// Not a spec key: kept in `extra` under the header as written.
    Extra(String),
}

/// Header aliases → spec keys. The first alias of each row is the name used
/// in messages. English spec keys are accepted as themselves.
const ALIASES: &[(&str, &[&str])] = &[
    ("id", &["ID", "識別子", "No", "NO", "番号", "#property"]),
    ("kind", &["種別", "区分", "資源種別"]),
    ("name", &["名称", "名前", "施設名", "団体名称"]),
    (
        "name_kana",
        &[
            "名称_カナ",
            "名称カナ",
            "名称（ふりがな）",
            "名称(ふりがな)",
            "ふりがな",
            "フリガナ",
            "名称_よみ",
            "よみがな",
        ],
    ),
    (
        "categories",
        &["分類", "カテゴリ", "カテゴリー", "活動分類", "サービス分類"],
    ),
    (
        "description",
        &["説明", "概要", "活動内容", "内容", "サービス内容"],
    ),
    (
        "organizer.name",
        &[
            "運営主体",
            "運営団体",
            "実施主体",
            "運営者",
            "法人名称",
            "organizer_name",
        ],
    ),
    (
        "organizer.type",
        &[
            "運営主体種別",
            "運営主体_種別",
            "団体種別",
            "organizer_type",
        ],
    ),
    (
        "address",
        &[
            "住所",
            "所在地",
            "所在地_連結表記",
            "所在地（都道府県から番地まで）",
            "所在地(都道府県から番地まで)",
        ],
    ),
    ("lat", &["緯度", "latitude"]),
    ("lon", &["経度", "longitude", "lng"]),
    (
        "service_area",
        &[
            "対応地域",
            "対象地域",
            "対象エリア",
            "サービス提供地域",
            "提供地域",
        ],
    ),
    (
        "schedule_text",
        &[
            "開催日時",
            "開催日",
            "活動日時",
            "利用可能日時",
            "実施日時",
            "曜日・時間",
            "日時",
        ],
    ),
    ("schedule", &["スケジュール"]),
    (
        "fee_text",
        &["費用", "料金", "参加費", "料金体系", "利用料"],
    ),
    ("fee_yen", &["費用_円", "料金_円", "参加費_円"]),
    ("target", &["対象者", "対象"]),
    ("capacity", &["定員"]),
    ("features", &["特徴", "設備", "設備・特徴", "配慮"]),
    (
        "contact.phone",
        &[
            "電話番号",
            "電話",
            "TEL",
            "telephoneNumber",
            "contact_phone",
        ],
    ),
    (
        "contact.email",
        &[
            "メールアドレス",
            "メール",
            "Email",
            "E-mail",
            "contact_email",
        ],
    ),
    (
        "contact.url",
        &[
            "URL",
            "ホームページ",
            "ウェブサイト",
            "referenceObject",
            "contact_url",
        ],
    ),
    ("contact.person", &["担当者", "担当者名", "contact_person"]),
    ("visibility", &["公開区分", "公開"]),
    (
        "notes_internal",
        &["内部メモ", "内部備考", "備考（内部）", "備考(内部)"],
    ),
    ("status", &["状態", "ステータス", "活動状況"]),
    ("verified_on", &["確認日", "情報確認日", "最終確認日"]),
];

fn header_key(header: &str) -> String {
    header
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
}

fn target_for(header: &str) -> Target {
    let h = header_key(header);
    let lower = h.to_ascii_lowercase();
    for (key, aliases) in ALIASES {
        let matches = *key == lower
            || aliases
                .iter()
                .any(|a| header_key(a) == h || header_key(a).to_ascii_lowercase() == lower);
        if matches {
            return match *key {
                "organizer.name" => Target::OrganizerName,
                "organizer.type" => Target::OrganizerType,
                k if k.starts_with("contact.") => Target::Contact(&k["contact.".len()..]),
                k => Target::Key(k),
            };
        }
    }
    Target::Extra(header.trim().to_string())
}

/// The Japanese column name documented for a spec key (for messages).
pub fn column_for_key(key: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, a)| a.first().copied())
}

fn decode(bytes: &[u8], encoding: CsvEncoding) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let use_utf8 = match encoding {
        CsvEncoding::Utf8 => true,
        CsvEncoding::Cp932 => false,
        CsvEncoding::Detect => std::str::from_utf8(bytes).is_ok(),
    };
    let enc = if use_utf8 { UTF_8 } else { SHIFT_JIS };
    let (text, _, _) = enc.decode(bytes);
    text.into_owned()
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split([';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// A number cell: digits with optional separators and unit, else the text
/// itself so validation reports the column.
fn uint_cell(cell: &str) -> Value {
    let t: String = cell.nfkc().collect();
    let digits = t
        .trim()
        .trim_end_matches(['名', '人', '円'])
        .replace(',', "");
    match digits.parse::<u64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(cell.to_string()),
    }
}

fn float_cell(cell: &str) -> Value {
    let t: String = cell.nfkc().collect();
    match t.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => serde_json::Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(cell.to_string())),
        _ => Value::String(cell.to_string()),
    }
}

fn kind_cell(cell: &str) -> String {
    let t = cell.trim();
    if let Some(k) = Kind::from_code_or_label(t) {
        return k.code().into();
    }
    match t {
        "通いの場" | "交流の場" | "居場所" => Kind::Kayoi.code().into(),
        "生活支援" | "サービス" | "生活支援サービス等" => {
            Kind::Service.code().into()
        }
        other => other.into(),
    }
}

fn date_cell(cell: &str) -> String {
    let t: String = cell.nfkc().collect();
    let parts: Vec<&str> = t.trim().split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(m), Ok(d)) => format!("{y}-{m:02}-{d:02}"),
            _ => cell.to_string(),
        },
        _ => cell.to_string(),
    }
}

fn code_cells(cell: &str, parse: fn(&str) -> Option<String>) -> Value {
    Value::Array(
        split_list(cell)
            .into_iter()
            .map(|item| Value::String(parse(&item).unwrap_or(item)))
            .collect(),
    )
}

fn row_to_object(targets: &[Target], row: &csv::StringRecord) -> Map<String, Value> {
    let mut obj = Map::new();
    let mut organizer = Map::new();
    let mut contact = Map::new();
    for (target, cell) in targets.iter().zip(row.iter()) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match target {
            Target::OrganizerName => {
                organizer.insert("name".into(), cell.into());
            }
            Target::OrganizerType => {
                let code = OrgType::from_code_or_label(cell)
                    .map(|o| o.code().to_string())
                    .unwrap_or_else(|| cell.to_string());
                organizer.insert("type".into(), code.into());
            }
            Target::Contact(k) => {
                contact.insert((*k).into(), cell.into());
            }
            Target::Extra(header) => {
                obj.insert(header.clone(), cell.into());
            }
            Target::Key(key) => {
                let value = match *key {
                    "kind" => Value::String(kind_cell(cell)),
                    "categories" => code_cells(cell, |s| {
                        Category::from_code_or_label(s).map(|c| c.code().to_string())
                    }),
                    "features" => code_cells(cell, |s| {
                        Feature::from_code_or_label(s).map(|c| c.code().to_string())
                    }),
                    "service_area" => {
                        Value::Array(split_list(cell).into_iter().map(Value::from).collect())
                    }
                    "lat" | "lon" => float_cell(cell),
                    "capacity" | "fee_yen" => uint_cell(cell),
                    "visibility" => Value::String(
                        Visibility::from_code_or_label(cell)
                            .map(|v| v.code().to_string())
                            .unwrap_or_else(|| cell.to_string()),
                    ),
                    "status" => Value::String(
                        Status::from_code_or_label(cell)
                            .map(|v| v.code().to_string())
                            .unwrap_or_else(|| cell.to_string()),
                    ),
                    "verified_on" => Value::String(date_cell(cell)),
                    "schedule" => serde_json::from_str(cell).unwrap_or_else(|_| cell.into()),
                    _ => Value::String(cell.to_string()),
                };
                if *key == "fee_text" && !obj.contains_key("fee_yen") {
                    // A bare number in the fee column is the fee per visit.
                    if let Value::Number(n) = uint_cell(cell) {
                        obj.insert("fee_yen".into(), Value::Number(n));
                    }
                }
                obj.insert((*key).to_string(), value);
            }
        }
    }
    if !organizer.is_empty() {
        obj.insert("organizer".into(), Value::Object(organizer));
    }
    if !contact.is_empty() {
        obj.insert("contact".into(), Value::Object(contact));
    }
    obj
}

/// Names the CSV column in a field error: `lat` → `緯度 (lat)`.
fn with_column(mut e: FieldError, headers: &[(String, Target)]) -> FieldError {
    let key = e.field.split(['[', '.']).next().unwrap_or("").to_string();
    let full = e.field.split('[').next().unwrap_or("").to_string();
    let header = headers.iter().find_map(|(h, t)| {
        let matches = match t {
            Target::Key(k) => *k == key,
            Target::OrganizerName => {
                full == "organizer.name" || (key == "organizer" && full == "organizer")
            }
            Target::OrganizerType => full == "organizer.type",
            Target::Contact(c) => full == format!("contact.{c}"),
            Target::Extra(_) => false,
        };
        matches.then(|| h.clone())
    });
    if let Some(h) = header
        && h != key
    {
        e.field = format!("{h} ({})", e.field);
    }
    e
}

/// Reads a whole CSV file. Header problems fail the file; row problems are
/// per row.
pub fn read_csv(bytes: &[u8], encoding: CsvEncoding) -> Result<Vec<SourceLine>, IngestError> {
    let text = decode(bytes, encoding);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| IngestError::CsvHeader {
            message: e.to_string(),
        })?
        .clone();
    let columns: Vec<(String, Target)> = headers
        .iter()
        .map(|h| (h.trim().to_string(), target_for(h)))
        .collect();
    for required in ["id", "name"] {
        if !columns.iter().any(|(_, t)| *t == Target::Key(required)) {
            return Err(IngestError::MissingColumn { key: required });
        }
    }
    let targets: Vec<Target> = columns.iter().map(|(_, t)| t.clone()).collect();
    let mut out = Vec::new();
    for row in reader.records() {
        match row {
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                out.push(SourceLine {
                    line,
                    id: None,
                    outcome: Err(LineError::Csv {
                        message: e.to_string(),
                    }),
                });
            }
            Ok(row) => {
                let line = row.position().map(|p| p.line() as usize).unwrap_or(0);
                if row.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let obj = row_to_object(&targets, &row);
                let id = obj.get("id").and_then(Value::as_str).map(String::from);
                let outcome = record_from_json(&obj).map_err(|errors| {
                    LineError::Fields(
                        errors
                            .into_iter()
                            .map(|e| with_column(e, &columns))
                            .collect(),
                    )
                });
                out.push(SourceLine { line, id, outcome });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_map_to_spec_keys() {
        let table = [
            ("名称", Target::Key("name")),
            ("名称_カナ", Target::Key("name_kana")),
            ("名称（ふりがな）", Target::Key("name_kana")),
            (" 緯度 ", Target::Key("lat")),
            ("ｌａｔ", Target::Key("lat")),
            ("longitude", Target::Key("lon")),
            ("運営主体", Target::OrganizerName),
            ("運営主体種別", Target::OrganizerType),
            ("電話番号", Target::Contact("phone")),
            ("担当者", Target::Contact("person")),
            ("fee_yen", Target::Key("fee_yen")),
            ("categories", Target::Key("categories")),
            ("#property", Target::Key("id")),
            ("備考", Target::Extra("備考".into())),
        ];
        for (header, want) in table {
            assert_eq!(target_for(header), want, "{header}");
        }
    }

    #[test]
    fn cells_convert() {
        assert_eq!(uint_cell("２０名"), Value::from(20));
        assert_eq!(uint_cell("1,000円"), Value::from(1000));
        assert_eq!(uint_cell("実費"), Value::from("実費"));
        assert_eq!(date_cell("2026/4/1"), "2026-04-01");
        assert_eq!(kind_cell("通いの場"), "kayoi");
        assert_eq!(kind_cell("生活支援サービス"), "service");
    }

    #[test]
    fn japanese_csv_reads_with_labels_and_lists() {
        let csv = "ID,種別,名称,分類,住所,特徴,費用,状態,確認日,担当者,備考\n\
                   w-1,通いの場,若葉サロン,茶話会・サロン;exercise,千葉市若葉区都賀1丁目,送迎あり;trial,100,休止中,2026/4/1,田中,雨天中止\n\
                   w-2,通いの場,,salon,千葉市若葉区都賀1丁目,,,,,,\n";
        let lines = read_csv(csv.as_bytes(), CsvEncoding::Detect).unwrap();
        assert_eq!(lines.len(), 2);
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(r.categories, vec![Category::Salon, Category::Exercise]);
        assert_eq!(r.features, vec![Feature::Pickup, Feature::Trial]);
        assert_eq!(r.fee_yen, Some(100));
        assert_eq!(r.fee_text.as_deref(), Some("100"));
        assert_eq!(r.status, Status::Paused);
        assert_eq!(
            r.contact.as_ref().and_then(|c| c.person.as_deref()),
            Some("田中")
        );
        assert_eq!(r.extra.get("備考"), Some(&Value::from("雨天中止")));
        assert_eq!(lines[0].line, 2);
        let err = lines[1].outcome.as_ref().unwrap_err();
        assert_eq!(lines[1].line, 3);
        assert_eq!(err.fields(), vec!["名称 (name)".to_string()]);
    }

    #[test]
    fn cp932_is_detected() {
        let csv = "ID,種別,名称,分類,住所\ns-1,生活支援サービス,買い物お手伝い,買い物支援,千葉市稲毛区小仲台2丁目\n";
        let (bytes, _, _) = SHIFT_JIS.encode(csv);
        assert!(std::str::from_utf8(&bytes).is_err());
        let lines = read_csv(&bytes, CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(r.name, "買い物お手伝い");
        assert_eq!(r.categories, vec![Category::Shopping]);
    }

    #[test]
    fn missing_id_column_fails_the_file() {
        let err =
            read_csv("名称,住所\nサロン,千葉市\n".as_bytes(), CsvEncoding::Detect).unwrap_err();
        assert!(matches!(err, IngestError::MissingColumn { key: "id" }));
    }
}
