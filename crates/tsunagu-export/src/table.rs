//! CSV in the style of the 自治体標準オープンデータセット (デジタル庁), one row per
//! record, which tsunagu's own CSV importer reads back as the same records.
//!
//! Columns, in order ([`columns`]; 担当者, 公開区分 and 内部メモ only for
//! coordinators):
//!
//! | column | from | read back by the importer |
//! | --- | --- | --- |
//! | 全国地方公共団体コード | 121002 (千葉市) | ignored (restates the city) |
//! | ID | `id` | `id` |
//! | 地方公共団体名 | 千葉県千葉市 | ignored |
//! | 名称 / 名称_カナ | `name` / `name_kana` | the same |
//! | 種別 | `kind` as its label (通いの場・交流の場, 生活支援サービス) | `kind` |
//! | カテゴリ | `categories` as labels, `;` between | `categories` |
//! | カテゴリ_コード | `categories` as codes | ignored (restates カテゴリ) |
//! | 説明 | `description` | `description` |
//! | 運営主体 / 運営主体種別 | `organizer.name` / `.type` as its label | the same |
//! | 所在地_連結表記 | `address` | `address` |
//! | 区 / 町丁目 / あんしんケアセンター | where the engine placed it | ignored (derived again) |
//! | 緯度 / 経度 | the record's point, or the one located from the address | `lat` / `lon`, unless 位置の出典 says 住所から推定 |
//! | 位置の出典 | 登録 (the record's own point) or 住所から推定 | decides the line above |
//! | 対応地域 | `service_area`, `;` between | `service_area` |
//! | 曜日 / 開始時間 / 終了時間 | the slots (published or read from the text), `;` between slots | ignored (restate the schedule) |
//! | 利用可能日時特記事項 | `schedule_text` | `schedule_text` |
//! | スケジュール | `schedule` as JSON, when the record has slots of its own | `schedule` |
//! | 料金 / 料金_円 | `fee_text` / `fee_yen` | the same |
//! | 対象者 / 定員 | `target` / `capacity` | the same |
//! | 特徴 | `features` as labels, `;` between | `features` |
//! | 電話番号 / メールアドレス / URL | `contact.phone` / `.email` / `.url` | the same |
//! | 担当者 | `contact.person` | the same |
//! | 公開区分 | `visibility` (公開, 内部) | the same |
//! | 内部メモ | `notes_internal` | the same |
//! | 状態 | `status` (活動中, 休止中, 廃止) | the same |
//! | 確認日 | `verified_on` (YYYY-MM-DD) | the same |
//! | 追加項目 | keys outside the record format, as a JSON object | the same keys |
//!
//! Lines end in CRLF; cells with `,`, `"` or line breaks are quoted (RFC
//! 4180). UTF-8 with a BOM by default (Excel needs it); CP932 on request,
//! where a character Shift_JIS cannot hold — or would not give back as
//! itself, like `¥`, which comes back as `\` — stops the export with an
//! error naming the record, the column and the character.
//!
//! # What does not round-trip
//!
//! The importer trims cells and drops empty ones, so a value with blanks at
//! either end comes back trimmed and an empty string comes back absent; a
//! `\r\n` inside a cell comes back as `\n`; a `service_area` entry holding
//! `;` comes back as two entries; a bare number in 料金 with no 料金_円 comes
//! back as `fee_yen` too (the importer's rule for hand-written files); an
//! empty `schedule` array is written as `[]` and comes back as it was.

use std::io::Write;

use encoding_rs::SHIFT_JIS;
use tsunagu_ingest::csv_columns;
use tsunagu_model::{Audience, ScheduleKnowledge, TimeSlot};

use crate::schedule::days_ja;
use crate::{Encoding, ExportError, ExportItem, ExportOptions, ExportSummary};

/// 全国地方公共団体コード of 千葉市 (with its check digit).
pub const CITY_CODE: &str = "121002";
/// 地方公共団体名 as the dataset writes it.
pub const CITY_NAME: &str = "千葉県千葉市";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One column: its header, the record key its cell comes from (for
/// messages), whether only coordinators get it, and how its cell is made.
pub struct Column {
    pub header: &'static str,
    pub key: &'static str,
    pub coordinators_only: bool,
    cell: fn(&ExportItem<'_>) -> String,
}

fn joined<T>(items: &[T], f: impl Fn(&T) -> &str) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(";")
}

fn text(v: Option<&str>) -> String {
    v.unwrap_or_default().to_string()
}

fn point(item: &ExportItem<'_>) -> Option<(f64, f64)> {
    item.record.point().or(item.placement.point())
}

fn slots<'a>(item: &ExportItem<'a>) -> &'a [TimeSlot] {
    match &item.placement.schedule {
        ScheduleKnowledge::Slots(slots) => slots,
        _ => &[],
    }
}

fn slot_times(
    item: &ExportItem<'_>,
    f: fn(&TimeSlot) -> Option<tsunagu_model::TimeOfDay>,
) -> String {
    let slots = slots(item);
    if slots.iter().all(|s| f(s).is_none()) {
        return String::new();
    }
    slots
        .iter()
        .map(|s| f(s).map(|t| t.to_string()).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(";")
}

macro_rules! column {
    ($header:expr, $key:literal, $coord:literal, $cell:expr) => {
        Column {
            header: $header,
            key: $key,
            coordinators_only: $coord,
            cell: $cell,
        }
    };
}

/// Every column, in order.
pub static COLUMNS: &[Column] = &[
    column!(csv_columns::MUNICIPALITY_CODE, "(city)", false, |_| {
        CITY_CODE.into()
    }),
    column!("ID", "id", false, |i| i.record.id.clone()),
    column!(csv_columns::MUNICIPALITY_NAME, "(city)", false, |_| {
        CITY_NAME.into()
    }),
    column!("名称", "name", false, |i| i.record.name.clone()),
    column!("名称_カナ", "name_kana", false, |i| text(
        i.record.name_kana.as_deref()
    )),
    column!("種別", "kind", false, |i| i.record.kind.label_ja().into()),
    column!("カテゴリ", "categories", false, |i| joined(
        &i.record.categories,
        |c| c.label_ja()
    )),
    column!(
        csv_columns::CATEGORY_CODES,
        "categories",
        false,
        |i| joined(&i.record.categories, |c| c.code())
    ),
    column!("説明", "description", false, |i| text(
        i.record.description.as_deref()
    )),
    column!("運営主体", "organizer.name", false, |i| {
        text(i.record.organizer.as_ref().map(|o| o.name.as_str()))
    }),
    column!("運営主体種別", "organizer.type", false, |i| {
        text(
            i.record
                .organizer
                .as_ref()
                .and_then(|o| o.org_type)
                .map(|t| t.label_ja()),
        )
    }),
    column!("所在地_連結表記", "address", false, |i| text(
        i.record.address.as_deref()
    )),
    column!(csv_columns::WARD, "(placement)", false, |i| {
        text(i.placement.ward.map(|w| w.name()))
    }),
    column!(csv_columns::TOWN, "(placement)", false, |i| text(
        i.placement.town.as_deref()
    )),
    column!(csv_columns::CENTRE, "(placement)", false, |i| {
        text(i.placement.center_id.as_deref())
    }),
    column!("緯度", "lat", false, |i| point(i)
        .map(|p| p.0.to_string())
        .unwrap_or_default()),
    column!("経度", "lon", false, |i| point(i)
        .map(|p| p.1.to_string())
        .unwrap_or_default()),
    column!(csv_columns::POINT_SOURCE, "lat", false, |i| {
        match (i.record.point(), point(i)) {
            (Some(_), _) => csv_columns::POINT_GIVEN.into(),
            (None, Some(_)) => csv_columns::POINT_LOCATED.into(),
            (None, None) => String::new(),
        }
    }),
    column!("対応地域", "service_area", false, |i| joined(
        &i.record.service_area,
        |a| a.as_str()
    )),
    column!(csv_columns::DAYS, "(placement)", false, |i| {
        slots(i).iter().map(days_ja).collect::<Vec<_>>().join(";")
    }),
    column!(csv_columns::START, "(placement)", false, |i| slot_times(
        i,
        |s| s.start
    )),
    column!(csv_columns::END, "(placement)", false, |i| slot_times(
        i,
        |s| s.end
    )),
    column!(
        "利用可能日時特記事項",
        "schedule_text",
        false,
        |i| { text(i.record.schedule_text.as_deref()) }
    ),
    column!("スケジュール", "schedule", false, |i| {
        i.record
            .schedule
            .as_ref()
            .and_then(|s| serde_json::to_string(s).ok())
            .unwrap_or_default()
    }),
    column!("料金", "fee_text", false, |i| text(
        i.record.fee_text.as_deref()
    )),
    column!("料金_円", "fee_yen", false, |i| {
        i.record.fee_yen.map(|y| y.to_string()).unwrap_or_default()
    }),
    column!("対象者", "target", false, |i| text(
        i.record.target.as_deref()
    )),
    column!("定員", "capacity", false, |i| {
        i.record.capacity.map(|c| c.to_string()).unwrap_or_default()
    }),
    column!("特徴", "features", false, |i| joined(
        &i.record.features,
        |f| f.label_ja()
    )),
    column!("電話番号", "contact.phone", false, |i| {
        text(i.record.contact.as_ref().and_then(|c| c.phone.as_deref()))
    }),
    column!("メールアドレス", "contact.email", false, |i| {
        text(i.record.contact.as_ref().and_then(|c| c.email.as_deref()))
    }),
    column!("URL", "contact.url", false, |i| {
        text(i.record.contact.as_ref().and_then(|c| c.url.as_deref()))
    }),
    column!("担当者", "contact.person", true, |i| {
        text(i.record.contact.as_ref().and_then(|c| c.person.as_deref()))
    }),
    column!("公開区分", "visibility", true, |i| i
        .record
        .visibility
        .label_ja()
        .into()),
    column!("内部メモ", "notes_internal", true, |i| {
        text(i.record.notes_internal.as_deref())
    }),
    column!("状態", "status", false, |i| i
        .record
        .status
        .label_ja()
        .into()),
    column!("確認日", "verified_on", false, |i| {
        i.record
            .verified_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }),
    column!(csv_columns::EXTRA_JSON, "(extra)", false, |i| {
        if i.record.extra.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&i.record.extra).unwrap_or_default()
        }
    }),
];

/// The columns an audience gets.
pub fn columns(audience: Audience) -> Vec<&'static Column> {
    COLUMNS
        .iter()
        .filter(|c| audience == Audience::Coordinator || !c.coordinators_only)
        .collect()
}

/// Lead bytes of the CP932 code points outside JIS X 0208: the NEC
/// specials (row 13: ①, ㈱, Ⅰ), the NEC-selected IBM extensions and the
/// IBM extensions (髙, 﨑, ⅰ). Windows has them; a file read as Shift_JIS
/// anywhere else shows other characters or none, so an open-data file in
/// Shift_JIS must not carry them.
const EXTENSION_LEADS: [u8; 6] = [0x87, 0xED, 0xEE, 0xFA, 0xFB, 0xFC];

/// Whether one character has a Shift_JIS (JIS X 0208) code that reads back
/// as itself (or as its Windows twin, the same JIS character).
fn fits_shift_jis(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let c = cp932_twin(c).unwrap_or(c);
    let mut buf = [0u8; 4];
    let one: &str = c.encode_utf8(&mut buf);
    let (bytes, _, unmappable) = SHIFT_JIS.encode(one);
    !unmappable
        && !bytes.first().is_some_and(|b| EXTENSION_LEADS.contains(b))
        && SHIFT_JIS.decode_without_bom_handling(&bytes).0 == one
}

/// The first character of `text` that Shift_JIS (JIS X 0208, as CP932
/// writes it) cannot hold or would not give back: characters outside JIS
/// X 0208 (𠮷, 鷗) and the vendor extensions CP932 adds to it (髙, 﨑,
/// ①). The JIS forms of the 波ダッシュ characters (〜 U+301C…) are held:
/// they are written as the same JIS character, which Windows reads as
/// its fullwidth twin (～ U+FF5E).
pub fn cp932_problem(text: &str) -> Option<char> {
    if text.is_ascii() {
        return None;
    }
    text.chars().find(|c| !fits_shift_jis(*c))
}

/// The text as it is encoded: JIS forms replaced by the twins CP932 codes
/// them with.
fn to_cp932_forms(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(|c| cp932_twin(c).is_some()) {
        std::borrow::Cow::Owned(text.chars().map(|c| cp932_twin(c).unwrap_or(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Where the csv crate writes a row: held until the row is complete, then
/// written to the output in the export's encoding (the output itself is
/// flushed only at the end).
struct RowSink<W: Write> {
    out: W,
    pending: Vec<u8>,
    encoding: Encoding,
}

impl<W: Write> Write for RowSink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.encoding {
            Encoding::Cp932 => {
                // Every cell was checked before the row was written.
                let text = String::from_utf8_lossy(&self.pending);
                let forms = to_cp932_forms(&text);
                let (encoded, _, _) = SHIFT_JIS.encode(&forms);
                self.out.write_all(&encoded)?;
            }
            Encoding::Utf8 | Encoding::Utf8Bom => self.out.write_all(&self.pending)?,
        }
        self.pending.clear();
        Ok(())
    }
}

/// The CP932 character Windows uses where JIS has `c` (the 波ダッシュ
/// problem): the same JIS X 0208 code, so the export writes `c` with it.
pub fn cp932_twin(c: char) -> Option<char> {
    Some(match c {
        '〜' => '～',
        '−' => '－',
        '—' => '―',
        '‖' => '∥',
        '¢' => '￠',
        '£' => '￡',
        '¬' => '￢',
        _ => return None,
    })
}

/// Writes one row per record.
pub struct CsvWriter<W: Write> {
    row: csv::Writer<RowSink<W>>,
    columns: Vec<&'static Column>,
    encoding: Encoding,
    summary: ExportSummary,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(mut out: W, options: ExportOptions) -> Result<Self, ExportError> {
        if options.encoding == Encoding::Utf8Bom {
            out.write_all(UTF8_BOM)?;
        }
        let row = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(RowSink {
                out,
                pending: Vec::new(),
                encoding: options.encoding,
            });
        let mut w = CsvWriter {
            row,
            columns: columns(options.audience),
            encoding: options.encoding,
            summary: ExportSummary::default(),
        };
        let headers: Vec<&str> = w.columns.iter().map(|c| c.header).collect();
        w.row.write_record(&headers)?;
        w.row.flush()?;
        Ok(w)
    }

    pub fn write(&mut self, item: &ExportItem<'_>) -> Result<(), ExportError> {
        let cells: Vec<String> = self.columns.iter().map(|c| (c.cell)(item)).collect();
        if self.encoding == Encoding::Cp932 {
            for (column, cell) in self.columns.iter().zip(&cells) {
                if let Some(character) = cp932_problem(cell) {
                    return Err(ExportError::Unencodable {
                        id: item.record.id.clone(),
                        column: column.header,
                        key: column.key,
                        character,
                        encoding: Encoding::Cp932.name(),
                    });
                }
            }
        }
        self.row.write_record(&cells)?;
        self.row.flush()?;
        self.summary.records += 1;
        self.summary.written += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<(W, ExportSummary), ExportError> {
        let mut sink = self
            .row
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        sink.out.flush()?;
        Ok((sink.out, self.summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_shift_jis_can_hold() {
        // JIS X 0208 and its fullwidth forms; the JIS forms of the 波ダッシュ
        // characters are written with the code Windows reads as the twin.
        for ok in [
            "高橋",
            "山崎",
            "10時～12時",
            "10時〜12時",
            "－",
            "−5",
            "A—B",
            "‖∥",
            "￠￡￢",
            "¢£¬",
            "ｱｲｳ",
            "abc~\\",
        ] {
            assert_eq!(cp932_problem(ok), None, "{ok}");
        }
        // CP932's vendor extensions (髙 FBFC, 﨑 FAB1, ⅰ FA40, ① 8740,
        // ㈱ 878D, Ⅰ 8754): other systems read other characters there.
        // Outside JIS X 0208 altogether: 𠮷, 剝, 鷗, emoji. Coming back as
        // another character: ¥ as \, ‾ as ~.
        for (text, bad) in [
            ("髙橋", '髙'),
            ("山﨑", '﨑'),
            ("ⅰ", 'ⅰ'),
            ("①", '①'),
            ("㈱", '㈱'),
            ("Ⅰ", 'Ⅰ'),
            ("𠮷野家", '𠮷'),
            ("剝製", '剝'),
            ("森鷗外", '鷗'),
            ("😀", '😀'),
            ("100¥", '¥'),
            ("‾", '‾'),
        ] {
            assert_eq!(cp932_problem(text), Some(bad), "{text}");
        }
    }

    #[test]
    fn jis_forms_are_written_as_the_same_jis_character() {
        let forms = to_cp932_forms("10時〜12時");
        let (bytes, _, _) = SHIFT_JIS.encode(&forms);
        assert_eq!(
            bytes.as_ref(),
            SHIFT_JIS.encode("10時～12時").0.as_ref(),
            "〜 U+301C is JIS 1-33, 0x8160"
        );
    }
}
