//! CSV with a header row, as municipal open-data sets publish them.
//!
//! Encoding: UTF-8 with or without BOM, or Shift_JIS/CP932, detected or as
//! the caller says. Decoding is by physical line, so a bad byte costs its
//! own line (record), never the file: see [`CsvEncoding::Detect`].
//!
//! Headers: the spec's English keys, or Japanese column names in the style
//! of the 自治体標準オープンデータセット (名称, 住所, 緯度…); see
//! `docs/import.md`. The header is the first non-blank line. Two columns for
//! one key (the same header twice, or `名称` and `name`) fail the file.
//! 対応地域 cells are separated by `;`; 分類 and 特徴 cells also by `、`, `,`,
//! `/`, `・` and spaces, read as labels people write (see [`label_cell`]).
//! 状態 accepts everyday words (「休止」), and 確認日 dates in 西暦 or 和暦
//! ([`crate::parse_date_text`]). Each row is then mapped onto the spec's
//! keys and validated by the same code as JSON Lines, so what a cell
//! means is decided here and what a record may hold is decided there.
//!
//! # Grammar
//!
//! That of the `csv` crate's defaults: cells separated by `,`; a cell that
//! starts with `"` is quoted, `""` inside it is one `"`, and it may hold
//! line breaks; text after a closing quote is appended to the cell; a `"`
//! anywhere else is an ordinary character. A record ends at the end of a
//! physical line (`\n`, with a `\r` before it dropped) that is not inside a
//! quoted cell; a line break inside a cell is stored as `\n`. Every record
//! must have exactly as many cells as the header, else
//! [`LineError::FieldCount`], and at most [`MAX_RECORD_BYTES`], else
//! [`LineError::TooLong`]. Blank lines, and single-line rows whose cells
//! are all blank (`,,,`), are skipped. The parser is ours (below) rather
//! than the `csv` crate's because the rules for stray quotes need to read a
//! line both as the start of a record and as the continuation of a quoted
//! cell, which that crate cannot be asked to do.
//!
//! # Quotes that do not close
//!
//! One stray `"` at the start of a cell would otherwise make the following
//! rows part of that cell. A record whose quoted cell runs over several
//! physical lines, from line L to line M, is taken as one record only if:
//!
//! 1. the quote closes before the end of the file and within
//!    [`MAX_RECORD_BYTES`] of the start of line L, else
//!    [`LineError::UnclosedQuote`];
//! 2. no line L+1..=M, read on its own from its start, forms a complete row
//!    with the header's number of cells (on one line or, through a quoted
//!    cell of its own that closes without an odd quote as below, on
//!    several); and on each line L+1..=M the quote that closes the open
//!    cell sits between the cell's text and a `,` or the line end (blanks
//!    allowed before them): a closing quote right after a `,` is really
//!    the opening quote of a row's own cell, and one followed by more text
//!    (`"id-2,…` at a line start) is the stray quote of a row of its own.
//!    Else [`LineError::QuoteSwallowsRows`];
//! 3. it has the header's number of cells, else [`LineError::FieldCount`]
//!    with `to_line`.
//!
//! When one of these fails, line L alone is rejected and reading starts
//! again at line L+1, so the rows a stray quote would swallow are read on
//! their own: every non-blank line ends up in exactly one accepted or
//! rejected record (or in a multi-line cell of one). A record that passes
//! them but spans a line the encoding cannot read is rejected as a whole
//! ([`LineError::InRecord`]). Line numbers are always the physical line
//! (1-based) where a record starts.
//!
//! A legitimate multi-line cell (a 説明 over several lines) passes all
//! three unless one of its lines is itself a full row of cells separated by
//! `,`, or its last line ends in `,` right before the closing quote, or
//! text other than blanks follows the closing quote (`"…説明" 追記,` —
//! which RFC 4180 does not allow either). Such a record is rejected loudly,
//! never read wrongly in silence.
//!
//! # Cost
//!
//! Each physical line is scanned once (its structure read from both
//! states, and decoded once to check its bytes), every rule above is
//! decided with running totals and memos in amortised constant time, and
//! each line is parsed into cells at most once: reading is linear in the
//! size of the file. Only the lines around the current record are kept
//! (never more than about twice [`MAX_RECORD_BYTES`] of them), and
//! [`csv_records`] yields records one at a time, so memory does not grow
//! with the file.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

use encoding_rs::{DecoderResult, SHIFT_JIS};
use serde_json::{Map, Value};
use tsunagu_model::{
    Category, Feature, FieldError, FieldErrorKind, Kind, OrgType, Status, Visibility,
    cut_for_message, record_from_json,
};
use unicode_normalization::UnicodeNormalization;

use crate::csv_columns;
use crate::dates::{iso_date, parse_date_text};
use crate::error::{IngestError, LineError};
use crate::{SourceLine, reported_id};

/// Longest CSV record, in bytes of the file, all of its physical lines and
/// their line breaks counted (1 MiB, as for a JSON line). A longer record
/// is rejected with [`LineError::TooLong`]; a longer header fails the file.
pub const MAX_RECORD_BYTES: usize = crate::MAX_LINE_BYTES;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 when the file has a UTF-8 BOM, or when its non-ASCII text is
    /// mostly UTF-8 (the valid non-ASCII UTF-8 characters of the whole file
    /// are at least as many as its invalid UTF-8 sequences); else CP932.
    /// Lines the chosen encoding cannot read are rejected on their own
    /// ([`LineError::Utf8`], [`LineError::Cp932`]), and so is a line that
    /// is UTF-8 in a file read as CP932 ([`LineError::MixedEncoding`]).
    Detect,
    /// UTF-8; a line that is not is rejected ([`LineError::Utf8`]).
    Utf8,
    /// Shift_JIS as Windows writes it (CP932; WHATWG's Shift_JIS is CP932);
    /// a line with bytes it cannot map is rejected ([`LineError::Cp932`]).
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    /// A top-level key of the spec.
    Key(&'static str),
    OrganizerName,
    OrganizerType,
    Contact(&'static str),
    /// Not a spec key: kept in `extra` under the header as written.
    Extra(String),
    /// A column that restates what other columns of the file say (see
    /// [`csv_columns::RESTATEMENTS`]): not read.
    Restated(String),
    /// 位置の出典: 住所から推定 means the 緯度/経度 of the row were located
    /// from its address, so they are not taken as the record's own point.
    PointSource,
    /// 追加項目: keys outside the record format, as a JSON object.
    ExtraJson,
    /// A column without a header: its cells must be empty.
    Unnamed,
}

impl Target {
    /// The key a column fills, for messages.
    fn key_name(&self) -> String {
        match self {
            Target::Key(k) => (*k).to_string(),
            Target::OrganizerName => "organizer.name".into(),
            Target::OrganizerType => "organizer.type".into(),
            Target::Contact(c) => format!("contact.{c}"),
            Target::Extra(h) | Target::Restated(h) => cut_for_message(h),
            Target::PointSource => csv_columns::POINT_SOURCE.into(),
            Target::ExtraJson => csv_columns::EXTRA_JSON.into(),
            Target::Unnamed => String::new(),
        }
    }
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
            "利用可能日時特記事項",
            "開催日時特記事項",
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

/// Header aliases that fill a spec key only when no column of [`ALIASES`]
/// (or an earlier fallback) does; otherwise they are kept as extra columns.
/// A file with both 確認日 and 更新日 stays readable, with 確認日 as the
/// `verified_on`.
const FALLBACK_ALIASES: &[(&str, &[&str])] = &[(
    "verified_on",
    &["更新日", "最終更新日", "情報更新日", "更新年月日"],
)];

/// The key a fallback alias fills, if `header` is one.
fn fallback_key(header: &str) -> Option<&'static str> {
    let h = header_key(header).to_ascii_lowercase();
    FALLBACK_ALIASES.iter().find_map(|(key, aliases)| {
        aliases
            .iter()
            .any(|a| header_key(a).to_ascii_lowercase() == h)
            .then_some(*key)
    })
}

fn header_key(header: &str) -> String {
    header
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
}

/// Each spec key with the lower-cased [`header_key`] of its aliases,
/// computed once.
fn alias_keys() -> &'static [(&'static str, Vec<String>)] {
    static KEYS: OnceLock<Vec<(&'static str, Vec<String>)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        ALIASES
            .iter()
            .map(|(key, aliases)| {
                (
                    *key,
                    aliases
                        .iter()
                        .map(|a| header_key(a).to_ascii_lowercase())
                        .collect(),
                )
            })
            .collect()
    })
}

fn target_for(header: &str) -> Target {
    let h = header_key(header);
    if h.is_empty() {
        return Target::Unnamed;
    }
    let lower = h.to_ascii_lowercase();
    if h == csv_columns::POINT_SOURCE {
        return Target::PointSource;
    }
    if h == csv_columns::EXTRA_JSON {
        return Target::ExtraJson;
    }
    for (key, aliases) in alias_keys() {
        if *key == lower || aliases.contains(&lower) {
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

/// Most separator-delimited pieces one label spans: 「買い物支援（付き添い・
/// 代行・移動販売）」 is one piece (separators inside parentheses do not
/// split), 「見学・体験可」 two. Bounds the work per piece of a cell.
const MAX_PIECES_PER_LABEL: usize = 4;

/// Separators that always end an item of a 分類 or 特徴 cell.
fn is_item_separator(c: char) -> bool {
    matches!(c, ';' | '；' | ',' | '，' | '、' | '､' | '/' | '／')
}

/// Separators that may also sit inside a label (「見学・体験可」, 「体操 運動」).
fn is_label_separator(c: char) -> bool {
    matches!(c, '・' | '･') || c.is_whitespace()
}

/// The pieces of a cell between separators outside parentheses, as byte
/// ranges, grouped by the item separators around them.
fn cell_pieces(cell: &str) -> Vec<Vec<(usize, usize)>> {
    let mut groups: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    for (at, c) in cell.char_indices() {
        let item = is_item_separator(c);
        if depth == 0 && (item || is_label_separator(c)) {
            if let Some(s) = start.take()
                && let Some(group) = groups.last_mut()
            {
                group.push((s, at));
            }
            if item && groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
            continue;
        }
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        start.get_or_insert(at);
    }
    if let (Some(s), Some(group)) = (start, groups.last_mut()) {
        group.push((s, cell.len()));
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// A 分類 or 特徴 cell as the codes it names. Within each item, the longest
/// run of pieces that reads as a label wins, so 「見学・体験可」 is one
/// feature and 「体操・運動・会食」 is `exercise` and `meal`. A piece that
/// is no label is kept as written, for validation to report as an unknown
/// code; a code named twice is kept once.
fn label_cell<T: Copy>(
    cell: &str,
    parse: fn(&str) -> Option<T>,
    code: fn(T) -> &'static str,
) -> Value {
    let mut items: Vec<Value> = Vec::new();
    // Codes seen, to keep each once; at most one per code of the set, so
    // the check stays cheap however many pieces the cell has.
    let mut seen: Vec<&'static str> = Vec::new();
    for group in cell_pieces(cell) {
        let mut i = 0;
        while let Some(&(start, end)) = group.get(i) {
            let longest = (i + 1..=group.len().min(i + MAX_PIECES_PER_LABEL))
                .rev()
                .find_map(|j| {
                    let (_, last_end) = group[j - 1];
                    parse(&cell[start..last_end]).map(|v| (j, v))
                });
            match longest {
                Some((j, v)) => {
                    let code = code(v);
                    if !seen.contains(&code) {
                        seen.push(code);
                        items.push(Value::from(code));
                    }
                    i = j;
                }
                None => {
                    items.push(Value::from(&cell[start..end]));
                    i += 1;
                }
            }
        }
    }
    Value::Array(items)
}

/// The spec object of one row, and errors for cells that cannot be mapped
/// (a value under a column without a header, a date that does not exist),
/// named by spec key.
fn row_to_object(targets: &[Target], row: &[String]) -> (Map<String, Value>, Vec<FieldError>) {
    let mut obj = Map::new();
    let mut organizer = Map::new();
    let mut contact = Map::new();
    let mut errors = Vec::new();
    let mut point_located = false;
    let has_fee_yen_column = targets.contains(&Target::Key("fee_yen"));
    let mut extra_json: Option<&str> = None;
    for (position, (target, cell)) in targets.iter().zip(row).enumerate() {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match target {
            Target::Restated(_) => {}
            Target::PointSource => {
                point_located = header_key(cell) == csv_columns::POINT_LOCATED;
            }
            Target::ExtraJson => extra_json = Some(cell),
            Target::Unnamed => {
                let n = position + 1;
                errors.push(FieldError::new(
                    format!("列{n} (column {n})"),
                    FieldErrorKind::UnnamedColumn,
                ));
            }
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
            Target::Key("verified_on") => match parse_date_text(cell) {
                Ok(date) => {
                    obj.insert("verified_on".into(), Value::from(iso_date(date)));
                }
                Err(kind) => errors.push(FieldError::new("verified_on", kind)),
            },
            Target::Key(key) => {
                let value = match *key {
                    "kind" => Value::String(kind_cell(cell)),
                    "categories" => label_cell(cell, Category::from_user_text, Category::code),
                    "features" => label_cell(cell, Feature::from_user_text, Feature::code),
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
                        Status::from_user_text(cell)
                            .map(|v| v.code().to_string())
                            .unwrap_or_else(|| cell.to_string()),
                    ),
                    // JSON in a cell, with duplicate keys refused as in JSON
                    // Lines; anything else stays text for validation to name.
                    "schedule" => crate::strict_json::parse(cell).unwrap_or_else(|_| cell.into()),
                    _ => Value::String(cell.to_string()),
                };
                if *key == "fee_text" && !has_fee_yen_column {
                    // A bare number in the fee column is the fee per visit,
                    // in a file with no column of its own for it (where an
                    // empty cell there says there is none).
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
    if point_located {
        // Located by whoever wrote the file: the record has no point of
        // its own, and the importer locates the address again.
        obj.remove("lat");
        obj.remove("lon");
    }
    if let Some(cell) = extra_json {
        let bad = |found: &str| {
            FieldError::new(
                csv_columns::EXTRA_JSON,
                FieldErrorKind::BadFormat {
                    expected: "a JSON object of keys outside the record format",
                    found: cut_for_message(found),
                },
            )
        };
        match crate::strict_json::parse(cell) {
            Ok(Value::Object(keys)) => {
                for (key, value) in keys {
                    if tsunagu_model::KNOWN_KEYS.contains(&key.as_str()) {
                        errors.push(bad(&key));
                    } else if !obj.contains_key(&key) {
                        obj.insert(key, value);
                    }
                }
            }
            _ => errors.push(bad(cell)),
        }
    }
    (obj, errors)
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
            Target::Extra(_)
            | Target::Restated(_)
            | Target::PointSource
            | Target::ExtraJson
            | Target::Unnamed => false,
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

/// The encoding a file is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    Cp932 {
        /// Chosen by detection (then a UTF-8 line is a mix-up, not CP932).
        detected: bool,
    },
}

impl Enc {
    fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "UTF-8",
            Enc::Cp932 { .. } => "Shift_JIS (CP932)",
        }
    }

    fn choose(bytes: &[u8], had_bom: bool, asked: CsvEncoding) -> Enc {
        match asked {
            CsvEncoding::Utf8 => Enc::Utf8,
            CsvEncoding::Cp932 => Enc::Cp932 { detected: false },
            CsvEncoding::Detect if had_bom => Enc::Utf8,
            CsvEncoding::Detect => {
                let mut valid = 0usize;
                let mut invalid = 0usize;
                for chunk in bytes.utf8_chunks() {
                    valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
                    invalid += usize::from(!chunk.invalid().is_empty());
                }
                if invalid > valid {
                    Enc::Cp932 { detected: true }
                } else {
                    Enc::Utf8
                }
            }
        }
    }

    /// One physical line, strictly.
    fn decode(self, raw: &[u8]) -> Result<Cow<'_, str>, LineError> {
        if let Ok(ascii) = std::str::from_utf8(raw)
            && (self == Enc::Utf8 || ascii.is_ascii())
        {
            return Ok(Cow::Borrowed(ascii));
        }
        match self {
            Enc::Utf8 => match std::str::from_utf8(raw) {
                Ok(t) => Ok(Cow::Borrowed(t)),
                Err(e) => Err(LineError::Utf8 {
                    valid_up_to: e.valid_up_to(),
                }),
            },
            Enc::Cp932 { detected } => {
                if detected && std::str::from_utf8(raw).is_ok() {
                    return Err(LineError::MixedEncoding);
                }
                SHIFT_JIS
                    .decode_without_bom_handling_and_without_replacement(raw)
                    .ok_or_else(|| LineError::Cp932 {
                        byte: first_bad_cp932(raw),
                    })
            }
        }
    }

    /// One physical line, with U+FFFD for what cannot be read (only to find
    /// the id of a record rejected for its bytes).
    fn decode_lossy(self, raw: &[u8]) -> Cow<'_, str> {
        match self {
            Enc::Cp932 { .. } if std::str::from_utf8(raw).is_err() => {
                SHIFT_JIS.decode_without_bom_handling(raw).0
            }
            _ => String::from_utf8_lossy(raw),
        }
    }
}

/// Byte offset of the first sequence CP932 cannot map.
fn first_bad_cp932(raw: &[u8]) -> usize {
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(raw.len())
        .unwrap_or(raw.len().saturating_mul(3));
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(raw, &mut out, true);
    match result {
        DecoderResult::Malformed(bad, after) => {
            read.saturating_sub(usize::from(bad) + usize::from(after))
        }
        _ => 0,
    }
}

/// Where the tokenizer is within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    CellStart,
    /// In an unquoted cell, or after the closing quote of a quoted one.
    Cell,
    Quoted,
    /// A `"` inside a quoted cell: an escaped quote or the closing one.
    QuoteInQuoted,
}

/// The structure of one physical line read from a given state.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// The line ends inside a quoted cell.
    open: bool,
    /// Cell separators outside quotes.
    seps: usize,
    /// The first quote that closes a quoted cell directly follows a `,`, or
    /// is followed by text other than blanks before the next `,` or the line
    /// end (only read for lines starting inside a quote).
    odd_close: bool,
}

/// Reads the structure of a line: only `"` and `,` matter, and both are
/// ASCII bytes that never occur inside a multi-byte character of UTF-8 or
/// Shift_JIS, so raw bytes give the same answer as decoded text.
fn shape(line: &[u8], in_quote: bool) -> Shape {
    let mut at = if in_quote { At::Quoted } else { At::CellStart };
    let mut seps = 0usize;
    let mut quote_at = 0usize;
    let mut first_close: Option<bool> = None;
    // A closing quote is odd when a `,` is right before it, or when
    // anything but blanks and then a `,` or the line end follows it.
    let odd = |q: usize| {
        let before = q > 0 && line.get(q - 1) == Some(&b',');
        let after = line
            .get(q + 1..)
            .unwrap_or_default()
            .iter()
            .find(|&&b| b != b' ' && b != b'\t');
        before || after.is_some_and(|&b| b != b',')
    };
    for (i, &b) in line.iter().enumerate() {
        at = match at {
            At::CellStart => match b {
                b'"' => At::Quoted,
                b',' => {
                    seps += 1;
                    At::CellStart
                }
                _ => At::Cell,
            },
            At::Cell => {
                if b == b',' {
                    seps += 1;
                    At::CellStart
                } else {
                    At::Cell
                }
            }
            At::Quoted => {
                if b == b'"' {
                    quote_at = i;
                    At::QuoteInQuoted
                } else {
                    At::Quoted
                }
            }
            At::QuoteInQuoted => match b {
                b'"' => At::Quoted,
                _ => {
                    first_close.get_or_insert_with(|| odd(quote_at));
                    if b == b',' {
                        seps += 1;
                        At::CellStart
                    } else {
                        At::Cell
                    }
                }
            },
        };
    }
    if at == At::QuoteInQuoted {
        first_close.get_or_insert_with(|| odd(quote_at));
    }
    Shape {
        open: at == At::Quoted,
        seps,
        odd_close: first_close == Some(true),
    }
}

/// Cells of one record, fed one decoded physical line at a time; the same
/// automaton as [`shape`].
struct Cells {
    cells: Vec<String>,
    cell: String,
    at: At,
}

impl Cells {
    fn new() -> Self {
        Cells {
            cells: Vec::new(),
            cell: String::new(),
            at: At::CellStart,
        }
    }

    fn end_cell(&mut self) {
        self.cells.push(std::mem::take(&mut self.cell));
    }

    fn line(&mut self, text: &str) {
        for c in text.chars() {
            self.at = match self.at {
                At::CellStart => match c {
                    '"' => At::Quoted,
                    ',' => {
                        self.end_cell();
                        At::CellStart
                    }
                    _ => {
                        self.cell.push(c);
                        At::Cell
                    }
                },
                At::Cell => {
                    if c == ',' {
                        self.end_cell();
                        At::CellStart
                    } else {
                        self.cell.push(c);
                        At::Cell
                    }
                }
                At::Quoted => {
                    if c == '"' {
                        At::QuoteInQuoted
                    } else {
                        self.cell.push(c);
                        At::Quoted
                    }
                }
                At::QuoteInQuoted => match c {
                    '"' => {
                        self.cell.push('"');
                        At::Quoted
                    }
                    ',' => {
                        self.end_cell();
                        At::CellStart
                    }
                    _ => {
                        self.cell.push(c);
                        At::Cell
                    }
                },
            };
        }
        if self.at == At::Quoted {
            self.cell.push('\n');
        } else {
            self.at = At::CellStart;
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.end_cell();
        self.cells
    }
}

/// One physical line of the file, as far as records are concerned.
struct Meta {
    /// Byte range in the file, without the `\n` and a `\r` before it.
    start: usize,
    end: usize,
    blank: bool,
    error: Option<Box<LineError>>,
    /// Read from its start as the first line of a record.
    fresh: Shape,
    /// Separators of all lines up to and including this one, each read as
    /// a continuation (a running total: sums over a range are differences).
    cont_through: usize,
    /// Lines up to and including this one that, read as continuations,
    /// close the cell with an odd quote (running total).
    odd_through: usize,
    /// Memo: the first line `j >= this` that, read as a continuation, ends
    /// the record.
    close: Option<usize>,
    /// Memo: whether this line starts a complete row on its own.
    row: Option<bool>,
}

/// The lines of the file around the record being read. Lines are scanned
/// once, on demand, and forgotten once reading has passed them; the window
/// never reaches more than about [`MAX_RECORD_BYTES`] past the start of the
/// current record (twice that while looking whether a line starts a row),
/// so memory is bounded whatever the file.
struct Window<'a> {
    bytes: &'a [u8],
    enc: Enc,
    /// Where the next line to scan starts.
    next_start: usize,
    /// Index (0-based line number) of `metas[0]`.
    base: usize,
    metas: VecDeque<Meta>,
    cont_total: usize,
    odd_total: usize,
    /// First line of the run of continuation-open lines whose `close` is
    /// not known yet.
    open_from: usize,
    /// Lines before this one (from the last query on) start no row.
    row_next: usize,
    /// The header's number of cells, once read.
    width: usize,
}

impl<'a> Window<'a> {
    fn new(bytes: &'a [u8], asked: CsvEncoding) -> Self {
        let had_bom = bytes.starts_with(BOM);
        let body_start = if had_bom { BOM.len() } else { 0 };
        Window {
            bytes,
            enc: Enc::choose(&bytes[body_start..], had_bom, asked),
            next_start: body_start,
            base: 0,
            metas: VecDeque::new(),
            cont_total: 0,
            odd_total: 0,
            open_from: 0,
            row_next: 0,
            width: 0,
        }
    }

    /// Lines scanned so far.
    fn scanned(&self) -> usize {
        self.base + self.metas.len()
    }

    fn meta(&self, k: usize) -> &Meta {
        &self.metas[k - self.base]
    }

    fn meta_mut(&mut self, k: usize) -> &mut Meta {
        &mut self.metas[k - self.base]
    }

    /// Scans the next line; false at the end of the file.
    fn scan_one(&mut self) -> bool {
        let bytes = self.bytes;
        let start = self.next_start;
        if start >= bytes.len() {
            return false;
        }
        let nl = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        let mut end = nl;
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        self.next_start = nl + 1;
        let raw = &bytes[start..end];
        let (blank, error) = if raw.len() > MAX_RECORD_BYTES {
            // Never part of a record, so never decoded.
            (raw.iter().all(u8::is_ascii_whitespace), None)
        } else {
            match self.enc.decode(raw) {
                Ok(text) => (text.trim().is_empty(), None),
                Err(e) => (false, Some(Box::new(e))),
            }
        };
        let cont = shape(raw, true);
        self.cont_total += cont.seps;
        self.odd_total += usize::from(cont.odd_close);
        let index = self.scanned();
        self.metas.push_back(Meta {
            start,
            end,
            blank,
            error,
            fresh: shape(raw, false),
            cont_through: self.cont_total,
            odd_through: self.odd_total,
            close: None,
            row: None,
        });
        if !cont.open {
            for k in self.open_from.max(self.base)..=index {
                self.meta_mut(k).close = Some(index);
            }
            self.open_from = index + 1;
        }
        true
    }

    /// Makes line `k` available; false when the file has fewer lines.
    fn ensure(&mut self, k: usize) -> bool {
        while self.scanned() <= k {
            if !self.scan_one() {
                return false;
            }
        }
        true
    }

    /// Forgets the lines before line `k`.
    fn forget_before(&mut self, k: usize) {
        while self.base < k && !self.metas.is_empty() {
            self.metas.pop_front();
            self.base += 1;
        }
    }

    /// The first line `j >= a` that ends a record whose quoted cell is open
    /// at the start of line `a`, if it ends within [`MAX_RECORD_BYTES`] of
    /// byte `from`.
    fn close_from(&mut self, a: usize, from: usize) -> Option<usize> {
        loop {
            if !self.ensure(a) {
                return None;
            }
            if let Some(j) = self.meta(a).close {
                return (self.meta(j).end - from <= MAX_RECORD_BYTES).then_some(j);
            }
            // Lines a.. scanned so far all stay open.
            let last = self.scanned() - 1;
            if self.meta(last).end - from > MAX_RECORD_BYTES || !self.scan_one() {
                return None;
            }
        }
    }

    /// The last line of the record that starts on line `k`, read on its own.
    fn record_end(&mut self, k: usize) -> Option<usize> {
        if self.meta(k).fresh.open {
            let from = self.meta(k).start;
            self.close_from(k + 1, from)
        } else {
            Some(k)
        }
    }

    /// Cells of the record on lines `k..=m` (`m` ends it).
    fn cells_in(&self, k: usize, m: usize) -> usize {
        1 + self.meta(k).fresh.seps + self.meta(m).cont_through - self.meta(k).cont_through
    }

    /// Whether a line of `k+1..=m` closes the open cell with an odd quote.
    fn odd_in(&self, k: usize, m: usize) -> bool {
        self.meta(m).odd_through > self.meta(k).odd_through
    }

    /// Whether line `k`, read on its own, starts a complete row of the
    /// header's width: on one line, or through a quoted cell of its own
    /// that closes without an odd quote (else a legitimate cell's last
    /// line, `",…`, would "start a row" ending at some later stray quote).
    fn starts_row(&mut self, k: usize) -> bool {
        if let Some(row) = self.meta(k).row {
            return row;
        }
        let row = !self.meta(k).blank
            && self
                .record_end(k)
                .is_some_and(|m| self.cells_in(k, m) == self.width && !self.odd_in(k, m));
        self.meta_mut(k).row = Some(row);
        row
    }

    /// Rule 2 of the module documentation for the record on lines `k..=m`.
    /// Queries come with `k` never decreasing, so each line is looked at
    /// once.
    fn swallows_rows(&mut self, k: usize, m: usize) -> bool {
        if self.odd_in(k, m) {
            return true;
        }
        self.row_next = self.row_next.max(k + 1);
        while self.row_next <= m {
            if self.starts_row(self.row_next) {
                return true;
            }
            self.row_next += 1;
        }
        false
    }

    fn raw(&self, k: usize) -> &'a [u8] {
        let bytes: &'a [u8] = self.bytes;
        let meta = self.meta(k);
        &bytes[meta.start..meta.end]
    }

    fn record_bytes(&self, k: usize, m: usize) -> usize {
        self.meta(m).end - self.meta(k).start
    }

    /// Cells of lines `k..=m`, all readable.
    fn cells(&self, k: usize, m: usize) -> Vec<String> {
        let mut cells = Cells::new();
        for j in k..=m {
            match self.enc.decode(self.raw(j)) {
                Ok(text) => cells.line(&text),
                Err(_) => cells.line(&self.enc.decode_lossy(self.raw(j))),
            }
        }
        cells.finish()
    }

    /// Cells of lines `k..=m` with U+FFFD where bytes cannot be read.
    fn cells_lossy(&self, k: usize, m: usize) -> Vec<String> {
        let mut cells = Cells::new();
        for j in k..=m {
            match self.meta(j).error.as_deref() {
                // A UTF-8 line in a CP932 file: its UTF-8 reading.
                Some(LineError::MixedEncoding) => {
                    cells.line(&String::from_utf8_lossy(self.raw(j)));
                }
                _ => cells.line(&self.enc.decode_lossy(self.raw(j))),
            }
        }
        cells.finish()
    }

    /// The first unreadable line of lines `k..=m` and why, as the error of
    /// a record starting on line `k`.
    fn encoding_error(&self, k: usize, m: usize) -> Option<LineError> {
        (k..=m).find_map(|j| {
            let e = self.meta(j).error.as_deref()?;
            Some(if j == k {
                e.clone()
            } else {
                LineError::InRecord {
                    line: j + 1,
                    cause: Box::new(e.clone()),
                }
            })
        })
    }
}

/// The header's columns and what they map to.
struct Header {
    columns: Vec<(String, Target)>,
    targets: Vec<Target>,
    id_column: Option<usize>,
}

impl Header {
    /// Reads the header from the first non-blank line; returns it with the
    /// index of the line after it.
    /// `partial`: a file of partial records needs only the id column.
    fn read(window: &mut Window, partial: bool) -> Result<(Header, usize), IngestError> {
        let mut h = 0;
        loop {
            if !window.ensure(h) {
                return Err(IngestError::MissingColumn { key: "id" });
            }
            window.forget_before(h);
            if !window.meta(h).blank {
                break;
            }
            h += 1;
        }
        let line = h + 1;
        if window.record_bytes(h, h) > MAX_RECORD_BYTES {
            return Err(IngestError::HeaderTooLong {
                line,
                max: MAX_RECORD_BYTES,
            });
        }
        let m = window
            .record_end(h)
            .ok_or(IngestError::HeaderUnclosedQuote { line })?;
        if let Some((k, e)) = (h..=m).find_map(|k| Some((k, window.meta(k).error.as_deref()?))) {
            let byte = match e {
                LineError::Utf8 { valid_up_to } => *valid_up_to,
                LineError::Cp932 { byte } => *byte,
                _ => 0,
            };
            return Err(IngestError::HeaderEncoding {
                encoding: window.enc.name(),
                line: k + 1,
                byte,
            });
        }
        let mut columns: Vec<(String, Target)> = window
            .cells(h, m)
            .iter()
            .map(|h| (h.trim().to_string(), target_for(h)))
            .collect();
        for position in 0..columns.len() {
            if let Some(key) = fallback_key(&columns[position].0)
                && !columns.iter().any(|(_, t)| *t == Target::Key(key))
            {
                columns[position].1 = Target::Key(key);
            }
        }
        for position in 0..columns.len() {
            if let Target::Extra(header) = &columns[position].1
                && let Some(covers) = csv_columns::restated_by(header)
                && columns
                    .iter()
                    .any(|(_, t)| covers.iter().any(|k| *t == Target::Key(k)))
            {
                columns[position].1 = Target::Restated(header.clone());
            }
        }
        let mut seen: HashMap<&Target, usize> = HashMap::new();
        for (position, (header, target)) in columns.iter().enumerate() {
            if *target == Target::Unnamed {
                continue;
            }
            if let Some(&first) = seen.get(target) {
                return Err(IngestError::DuplicateColumn {
                    key: target.key_name(),
                    first: first + 1,
                    first_header: cut_for_message(&columns[first].0),
                    second: position + 1,
                    second_header: cut_for_message(header),
                });
            }
            seen.insert(target, position);
        }
        let required: &[&'static str] = if partial { &["id"] } else { &["id", "name"] };
        for &required in required {
            if !columns.iter().any(|(_, t)| *t == Target::Key(required)) {
                return Err(IngestError::MissingColumn { key: required });
            }
        }
        let targets: Vec<Target> = columns.iter().map(|(_, t)| t.clone()).collect();
        let id_column = targets.iter().position(|t| *t == Target::Key("id"));
        Ok((
            Header {
                columns,
                targets,
                id_column,
            },
            m + 1,
        ))
    }

    fn width(&self) -> usize {
        self.columns.len()
    }

    /// The id of a row whose bytes could not all be read, when its id cell
    /// could.
    fn id_of(&self, cells: &[String]) -> Option<String> {
        if cells.len() != self.width() {
            return None;
        }
        let id = cells.get(self.id_column?)?.trim();
        (!id.is_empty() && !id.contains('\u{FFFD}')).then(|| reported_id(id))
    }

    /// The outcome of a record's cells: `None` for a row of empty cells
    /// (skipped like a blank line), a `FieldCount` error when the row is not
    /// the header's width (`to_line` is where a multi-line record ended),
    /// else the validated record.
    fn complete(
        &self,
        line: usize,
        cells: Vec<String>,
        to_line: Option<usize>,
    ) -> Option<SourceLine> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        if cells.len() != self.width() {
            return Some(SourceLine {
                line,
                id: None,
                outcome: Err(LineError::FieldCount {
                    expected: self.width(),
                    found: cells.len(),
                    to_line,
                }),
            });
        }
        Some(self.record(line, &cells))
    }

    /// Validates one row of the header's width.
    fn record(&self, line: usize, cells: &[String]) -> SourceLine {
        let (obj, cell_errors) = row_to_object(&self.targets, cells);
        let mut errors: Vec<FieldError> = cell_errors
            .into_iter()
            .map(|e| with_column(e, &self.columns))
            .collect();
        let id = obj.get("id").and_then(Value::as_str).map(reported_id);
        let outcome = match record_from_json(&obj) {
            Ok(record) if errors.is_empty() => Ok(record),
            Ok(_) => Err(LineError::Fields(errors)),
            Err(more) => {
                errors.extend(more.into_iter().map(|e| with_column(e, &self.columns)));
                Err(LineError::Fields(errors))
            }
        };
        SourceLine { line, id, outcome }
    }
}

/// One row of a partial file (`tsunagu import --merge`): the record's id
/// and the keys its cells give, read cell by cell as import reads them
/// (labels, dates, numbers) but not validated as a whole record; the
/// record it changes is, once merged.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchLine {
    pub line: usize,
    pub id: Option<String>,
    /// The keys to change, `id` included.
    pub outcome: Result<Map<String, Value>, LineError>,
}

/// The rows of a partial CSV file, one [`PatchLine`] at a time.
pub struct CsvPatches<'a>(CsvRecords<'a>);

/// Reads the header of a partial CSV file (an `id` column and the columns
/// to change, e.g. ID + 確認日 or ID + 状態).
pub fn csv_patches(bytes: &[u8], encoding: CsvEncoding) -> Result<CsvPatches<'_>, IngestError> {
    Ok(CsvPatches(open_csv(bytes, encoding, true)?))
}

impl Iterator for CsvPatches<'_> {
    type Item = PatchLine;

    fn next(&mut self) -> Option<PatchLine> {
        loop {
            let (line, cells, to_line) = match self.0.next_row()? {
                Row::Rejected(rejected) => {
                    let outcome = match rejected.outcome {
                        Err(e) => Err(e),
                        Ok(_) => continue,
                    };
                    return Some(PatchLine {
                        line: rejected.line,
                        id: rejected.id,
                        outcome,
                    });
                }
                Row::Cells {
                    line,
                    cells,
                    to_line,
                } => (line, cells, to_line),
            };
            let header = &self.0.header;
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if cells.len() != header.width() {
                return Some(PatchLine {
                    line,
                    id: None,
                    outcome: Err(LineError::FieldCount {
                        expected: header.width(),
                        found: cells.len(),
                        to_line,
                    }),
                });
            }
            let (obj, cell_errors) = row_to_object(&header.targets, &cells);
            let mut errors: Vec<FieldError> = cell_errors
                .into_iter()
                .map(|e| with_column(e, &header.columns))
                .collect();
            let id = obj.get("id").and_then(Value::as_str).map(reported_id);
            if id.is_none() {
                errors.push(with_column(
                    FieldError::new("id", FieldErrorKind::Missing),
                    &header.columns,
                ));
            }
            let outcome = if errors.is_empty() {
                Ok(obj)
            } else {
                Err(LineError::Fields(errors))
            };
            return Some(PatchLine { line, id, outcome });
        }
    }
}

/// The records of a CSV file, one [`SourceLine`] at a time, in file order
/// (see [`csv_records`]).
pub struct CsvRecords<'a> {
    window: Window<'a>,
    header: Header,
    /// The line where the next record may start.
    next: usize,
}

/// Reads the header of a CSV file and returns its records as an iterator.
/// Header problems fail the file; every other problem is reported on the
/// line where its record starts (see the module documentation for the
/// rules). Memory stays bounded by the current record, whatever the file.
pub fn csv_records(bytes: &[u8], encoding: CsvEncoding) -> Result<CsvRecords<'_>, IngestError> {
    open_csv(bytes, encoding, false)
}

fn open_csv(
    bytes: &[u8],
    encoding: CsvEncoding,
    partial: bool,
) -> Result<CsvRecords<'_>, IngestError> {
    let mut window = Window::new(bytes, encoding);
    let (header, next) = Header::read(&mut window, partial)?;
    window.width = header.width();
    Ok(CsvRecords {
        window,
        header,
        next,
    })
}

/// Reads a whole CSV file: [`csv_records`], collected.
pub fn read_csv(bytes: &[u8], encoding: CsvEncoding) -> Result<Vec<SourceLine>, IngestError> {
    Ok(csv_records(bytes, encoding)?.collect())
}

impl Iterator for CsvRecords<'_> {
    type Item = SourceLine;

    fn next(&mut self) -> Option<SourceLine> {
        loop {
            match self.next_row()? {
                Row::Rejected(line) => return Some(*line),
                Row::Cells {
                    line,
                    cells,
                    to_line,
                } => {
                    if let Some(record) = self.header.complete(line, cells, to_line) {
                        return Some(record);
                    }
                }
            }
        }
    }
}

/// One record's cells, or a line rejected before its cells could be read.
enum Row {
    Cells {
        line: usize,
        cells: Vec<String>,
        to_line: Option<usize>,
    },
    Rejected(Box<SourceLine>),
}

impl CsvRecords<'_> {
    /// The next record's cells in file order (blank lines skipped), or the
    /// rejection of a line whose structure or encoding is broken.
    fn next_row(&mut self) -> Option<Row> {
        let width = self.header.width();
        let reject = |line: usize, id: Option<String>, e: LineError| {
            Row::Rejected(Box::new(SourceLine {
                line,
                id,
                outcome: Err(e),
            }))
        };
        loop {
            let i = self.next;
            let w = &mut self.window;
            if !w.ensure(i) {
                return None;
            }
            w.forget_before(i);
            let line = i + 1;
            if w.meta(i).blank {
                self.next += 1;
                continue;
            }
            if !w.meta(i).fresh.open {
                // A record on one line.
                self.next += 1;
                if w.record_bytes(i, i) > MAX_RECORD_BYTES {
                    return Some(reject(
                        line,
                        None,
                        LineError::TooLong {
                            max: MAX_RECORD_BYTES,
                        },
                    ));
                }
                if let Some(e) = w.encoding_error(i, i) {
                    return Some(reject(line, self.header.id_of(&w.cells_lossy(i, i)), e));
                }
                return Some(Row::Cells {
                    line,
                    cells: w.cells(i, i),
                    to_line: None,
                });
            }
            // A quoted cell runs past the end of the line: rules 1–3.
            let from = w.meta(i).start;
            let structural = match w.close_from(i + 1, from) {
                None => Err(LineError::UnclosedQuote),
                Some(m) if w.swallows_rows(i, m) => {
                    Err(LineError::QuoteSwallowsRows { to_line: m + 1 })
                }
                Some(m) if w.cells_in(i, m) != width => Err(LineError::FieldCount {
                    expected: width,
                    found: w.cells_in(i, m),
                    to_line: Some(m + 1),
                }),
                Some(m) => Ok(m),
            };
            let m = match structural {
                Ok(m) => m,
                Err(e) => {
                    // Line i alone is rejected; the next line starts afresh.
                    self.next += 1;
                    let own = w.meta(i).error.as_deref().cloned();
                    return Some(reject(line, None, own.unwrap_or(e)));
                }
            };
            self.next = m + 1;
            if let Some(e) = w.encoding_error(i, m) {
                return Some(reject(line, self.header.id_of(&w.cells_lossy(i, m)), e));
            }
            // For a multi-line record the automaton of `shape` already
            // checked the width; `complete` checks it again as a guard.
            return Some(Row::Cells {
                line,
                cells: w.cells(i, m),
                to_line: Some(m + 1),
            });
        }
    }
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

    fn codes(v: Value) -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn every_label_and_word_alone_in_a_cell_is_its_code() {
        let categories = Category::ALL
            .iter()
            .flat_map(|c| [(*c, c.code()), (*c, c.label_ja())])
            .chain(Category::everyday_words());
        for (c, text) in categories {
            assert_eq!(
                codes(label_cell(text, Category::from_user_text, Category::code)),
                vec![c.code()],
                "{text}"
            );
        }
        let features = Feature::ALL
            .iter()
            .flat_map(|f| [(*f, f.code()), (*f, f.label_ja())])
            .chain(Feature::everyday_words());
        for (f, text) in features {
            assert_eq!(
                codes(label_cell(text, Feature::from_user_text, Feature::code)),
                vec![f.code()],
                "{text}"
            );
        }
    }

    #[test]
    fn list_cells_split_on_separators_and_match_longest_labels_first() {
        let category =
            |cell: &str| codes(label_cell(cell, Category::from_user_text, Category::code));
        let feature = |cell: &str| codes(label_cell(cell, Feature::from_user_text, Feature::code));
        let table: [(&str, Vec<String>, &[&str]); 17] = [
            ("体操・運動", category("体操・運動"), &["exercise"]),
            ("体操・会食", category("体操・会食"), &["exercise", "meal"]),
            (
                "体操・運動・会食",
                category("体操・運動・会食"),
                &["exercise", "meal"],
            ),
            (
                "茶話会、体操",
                category("茶話会、体操"),
                &["salon", "exercise"],
            ),
            (
                "salon, exercise",
                category("salon, exercise"),
                &["salon", "exercise"],
            ),
            (
                "茶話会／脳トレ",
                category("茶話会／脳トレ"),
                &["salon", "dementia_prevention"],
            ),
            (
                "サロン 体操",
                category("サロン　体操"),
                &["salon", "exercise"],
            ),
            ("repeated", category("体操;運動;exercise"), &["exercise"]),
            (
                "label with parentheses",
                category("買い物支援（付き添い・代行・移動販売）;見守り・安否確認"),
                &["shopping", "watching"],
            ),
            (
                "space before parenthesis",
                category("買い物支援 （付き添い・代行・移動販売）"),
                &["shopping"],
            ),
            (
                "separator inside unknown parentheses",
                category("家事援助（掃除、洗濯）・配食"),
                &["家事援助（掃除、洗濯）", "meal_delivery"],
            ),
            (
                "unknown kept",
                category("体操・カラオケ"),
                &["exercise", "カラオケ"],
            ),
            (
                "認知症カフェ stays whole",
                category("認知症カフェ・サロン"),
                &["dementia_cafe", "salon"],
            ),
            ("見学・体験可", feature("見学・体験可"), &["trial"]),
            (
                "送迎あり・見学可",
                feature("送迎あり・見学可"),
                &["pickup", "trial"],
            ),
            (
                "車椅子OK、P",
                feature("車椅子OK、P"),
                &["wheelchair", "parking"],
            ),
            ("送迎なし", feature("送迎なし"), &["送迎なし"]),
        ];
        for (name, got, want) in table {
            assert_eq!(got, want, "{name}");
        }
        assert!(category(" ; ・ ").is_empty());
        // Long cells are read piece by piece, never in quadratic time.
        let long = "体操・".repeat(50_000);
        assert_eq!(category(&long), vec!["exercise"]);
        let unknown: String = (0..100_000).map(|i| format!("x{i};")).collect();
        assert_eq!(category(&unknown).len(), 100_000);
    }

    #[test]
    fn status_and_date_cells_read_everyday_forms_and_name_bad_dates() {
        let csv = "ID,名称,種別,分類,住所,状態,確認日\n\
                   d-1,サロン,kayoi,茶話会,千葉市,休止,令和6年4月1日\n\
                   d-2,サロン,kayoi,salon,千葉市,廃止,R06.04.01\n\
                   d-3,サロン,kayoi,salon,千葉市,,平成31年5月1日\n\
                   d-4,サロン,kayoi,salon,千葉市,未定,2024/2/30\n";
        let lines = read_csv(csv.as_bytes(), CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(r.status, Status::Paused);
        assert_eq!(r.categories, vec![Category::Salon]);
        assert_eq!(
            r.verified_on.map(|d| d.to_string()).as_deref(),
            Some("2024-04-01")
        );
        assert_eq!(lines[1].outcome.as_ref().unwrap().status, Status::Closed);
        let e = lines[2].outcome.as_ref().unwrap_err();
        assert_eq!(e.fields(), vec!["確認日 (verified_on)".to_string()]);
        let e = lines[3].outcome.as_ref().unwrap_err();
        assert_eq!(
            e.fields(),
            vec![
                "確認日 (verified_on)".to_string(),
                "状態 (status)".to_string()
            ]
        );
    }

    #[test]
    fn columns_of_an_export_are_read_as_the_export_means_them() {
        // Restating columns are not read when the file has what they restate.
        let csv = "ID,名称,種別,カテゴリ,カテゴリ_コード,所在地_連結表記,区,町丁目,曜日,開始時間,利用可能日時特記事項,緯度,経度,位置の出典,料金,料金_円,追加項目\n\
                   e-1,サロン,通いの場・交流の場,茶話会・サロン,salon,千葉市稲毛区小仲台2丁目,稲毛区,小仲台二丁目,毎週火曜,10:00,毎週火曜 10時から,35.64,140.1,住所から推定,300,,\"{\"\"備考\"\":\"\"x\"\",\"\"n\"\":1}\"\n\
                   e-2,サロン,kayoi,salon,,千葉市,,,,,,35.64,140.1,登録,300円,100,\n";
        let lines = read_csv(csv.as_bytes(), CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(r.point(), None, "a located point is not the record's own");
        assert_eq!(
            r.fee_yen, None,
            "料金_円 is empty: no fee_yen, whatever 料金 says"
        );
        assert_eq!(r.fee_text.as_deref(), Some("300"));
        assert_eq!(r.schedule_text.as_deref(), Some("毎週火曜 10時から"));
        let extra: Vec<&str> = r.extra.keys().map(String::as_str).collect();
        assert_eq!(extra, vec!["n", "備考"], "only the keys of 追加項目");
        let r = lines[1].outcome.as_ref().unwrap();
        assert_eq!(r.point(), Some((35.64, 140.1)));
        assert_eq!(r.fee_yen, Some(100));
        // Without the column they restate, they are extra keys as before.
        let csv =
            "ID,名称,種別,分類,緯度,経度,曜日,区\nx-1,サロン,kayoi,salon,35.6,140.1,火曜,稲毛区\n";
        let lines = read_csv(csv.as_bytes(), CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(r.extra.get("曜日"), Some(&Value::from("火曜")));
        assert_eq!(r.extra.get("区"), None, "緯度 makes the ward a restatement");
        // 追加項目 must be an object of keys outside the record format.
        let csv = "ID,名称,種別,分類,住所,追加項目\n\
                   j-1,サロン,kayoi,salon,千葉市,[1]\n\
                   j-2,サロン,kayoi,salon,千葉市,\"{\"\"notes_internal\"\":\"\"x\"\"}\"\n";
        let lines = read_csv(csv.as_bytes(), CsvEncoding::Detect).unwrap();
        for l in &lines {
            let e = l.outcome.as_ref().unwrap_err();
            assert_eq!(e.fields(), vec!["追加項目".to_string()], "line {}", l.line);
        }
    }

    #[test]
    fn update_date_column_is_verified_on_unless_a_confirmation_column_exists() {
        let alone = "ID,名称,種別,分類,住所,更新日\nu-1,サロン,kayoi,salon,千葉市,2024/4/1\n";
        let lines = read_csv(alone.as_bytes(), CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(
            r.verified_on.map(|d| d.to_string()).as_deref(),
            Some("2024-04-01")
        );
        let both = "ID,名称,種別,分類,住所,更新日,確認日,最終更新日\nu-1,サロン,kayoi,salon,千葉市,2024/4/1,2025/1/2,2023/3/3\n";
        let lines = read_csv(both.as_bytes(), CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(
            r.verified_on.map(|d| d.to_string()).as_deref(),
            Some("2025-01-02")
        );
        assert_eq!(r.extra.get("更新日"), Some(&Value::from("2024/4/1")));
        assert_eq!(r.extra.get("最終更新日"), Some(&Value::from("2023/3/3")));
        let two_fallbacks = "ID,名称,種別,分類,住所,更新日,最終更新日\nu-1,サロン,kayoi,salon,千葉市,2024/4/1,2023/3/3\n";
        let lines = read_csv(two_fallbacks.as_bytes(), CsvEncoding::Detect).unwrap();
        let r = lines[0].outcome.as_ref().unwrap();
        assert_eq!(
            r.verified_on.map(|d| d.to_string()).as_deref(),
            Some("2024-04-01")
        );
        assert_eq!(r.extra.get("最終更新日"), Some(&Value::from("2023/3/3")));
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
    fn the_window_of_lines_stays_bounded() {
        // Blank lines, an unclosed quote followed by 3 MiB of line breaks,
        // then rows: the reader never keeps more lines than a record may
        // span.
        let mut text = String::from("ID,名称,種別,分類,住所\n");
        text.push_str(&"\n".repeat(2_000_000));
        text.push_str("a-1,\"迷子の引用符,kayoi,salon,千葉市\n");
        text.push_str(&"\n".repeat(3 << 20));
        text.push_str(&"a-2,サロン,kayoi,salon,千葉市\n".repeat(1000));
        let mut records = csv_records(text.as_bytes(), CsvEncoding::Detect).unwrap();
        let mut most = 0;
        let mut got = Vec::new();
        while let Some(line) = records.next() {
            most = most.max(records.window.metas.len());
            got.push(line);
        }
        assert!(most <= MAX_RECORD_BYTES + 2, "{most} lines held");
        assert_eq!(got.len(), 1001);
        assert_eq!(got[0].line, 2_000_002);
        assert_eq!(got[0].outcome, Err(LineError::UnclosedQuote));
        assert_eq!(got[1].line, 2_000_003 + (3 << 20));
        assert!(got[1..].iter().all(|l| l.outcome.is_ok()));
    }

    #[test]
    fn missing_id_column_fails_the_file() {
        let err =
            read_csv("名称,住所\nサロン,千葉市\n".as_bytes(), CsvEncoding::Detect).unwrap_err();
        assert!(matches!(err, IngestError::MissingColumn { key: "id" }));
    }
}
