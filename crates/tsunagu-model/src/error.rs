//! Field-level validation errors, each with a Japanese message for people and
//! a precise English one for logs.

use thiserror::Error;

/// What is wrong with one key of one record.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{field}: {}", kind.message_en())]
pub struct FieldError {
    /// The key at fault, as the input named it (`categories[2]`, `緯度 (lat)`).
    pub field: String,
    pub kind: FieldErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldErrorKind {
    Missing,
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    Empty,
    TooLong {
        max_chars: usize,
        found: usize,
    },
    UnknownCode {
        set: &'static str,
        value: String,
        allowed: String,
    },
    OutOfRange {
        min: String,
        max: String,
        found: String,
    },
    BadFormat {
        expected: &'static str,
        found: String,
    },
    /// `address` is required when `lat`/`lon` are absent.
    AddressOrPoint,
    /// Only one of `lat` and `lon` was given.
    HalfPoint,
    /// `start` is not before `end` in a schedule slot.
    SlotOrder {
        start: String,
        end: String,
    },
    /// An array has more entries than the format allows.
    TooMany {
        max: usize,
        found: usize,
    },
    /// A control character that the field does not allow (`at` counts
    /// characters from 1).
    ControlChar {
        code: u32,
        at: usize,
    },
    /// U+FFFD, the mark a decoder leaves where it could not read the input
    /// (`at` counts characters from 1). Never stored: it means text was lost.
    ReplacementChar {
        at: usize,
    },
    /// More unknown keys than are kept in [`crate::Record::extra`].
    TooManyUnknownKeys {
        max: usize,
        found: usize,
    },
    /// A CSV cell under a column without a header.
    UnnamedColumn,
}

impl FieldError {
    pub fn new(field: impl Into<String>, kind: FieldErrorKind) -> Self {
        FieldError {
            field: field.into(),
            kind,
        }
    }

    /// The message shown to a coordinator.
    pub fn message_ja(&self) -> String {
        format!("{}: {}", self.field, self.kind.message_ja())
    }
}

impl FieldErrorKind {
    pub fn message_en(&self) -> String {
        match self {
            FieldErrorKind::Missing => "required key is missing".into(),
            FieldErrorKind::WrongType { expected, found } => {
                format!("expected {expected}, found {found}")
            }
            FieldErrorKind::Empty => "must not be empty".into(),
            FieldErrorKind::TooLong { max_chars, found } => {
                format!("too long: {found} characters, at most {max_chars}")
            }
            FieldErrorKind::UnknownCode {
                set,
                value,
                allowed,
            } => format!("unknown {set} code {value:?}; allowed: {allowed}"),
            FieldErrorKind::OutOfRange { min, max, found } => {
                format!("{found} is out of range {min}..={max}")
            }
            FieldErrorKind::BadFormat { expected, found } => {
                format!("{found:?} is not {expected}")
            }
            FieldErrorKind::AddressOrPoint => "either address or lat/lon is required".into(),
            FieldErrorKind::HalfPoint => "lat and lon must be given together".into(),
            FieldErrorKind::SlotOrder { start, end } => {
                format!("start {start} is not before end {end}")
            }
            FieldErrorKind::TooMany { max, found } => {
                format!("too many entries: {found}, at most {max}")
            }
            FieldErrorKind::ControlChar { code, at } => {
                format!("contains the control character U+{code:04X} at character {at}")
            }
            FieldErrorKind::ReplacementChar { at } => format!(
                "contains U+FFFD at character {at}, the mark of text that could not be decoded; check the encoding of the file"
            ),
            FieldErrorKind::TooManyUnknownKeys { max, found } => {
                format!("{found} keys the format does not define; at most {max} are kept")
            }
            FieldErrorKind::UnnamedColumn => {
                "the column has no header, so its value has nowhere to go".into()
            }
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            FieldErrorKind::Missing => "必須の項目がありません".into(),
            FieldErrorKind::WrongType { expected, found } => format!(
                "値の型が違います（{}が必要ですが{}でした）",
                type_ja(expected),
                type_ja(found)
            ),
            FieldErrorKind::Empty => "空にはできません".into(),
            FieldErrorKind::TooLong { max_chars, found } => {
                format!("長すぎます（{found}文字。{max_chars}文字以内）")
            }
            FieldErrorKind::UnknownCode { value, allowed, .. } => {
                format!("「{value}」は定義されていないコードです（使えるコード: {allowed}）")
            }
            FieldErrorKind::OutOfRange { min, max, found } => {
                format!("{found} は範囲外です（{min}〜{max}）")
            }
            FieldErrorKind::BadFormat { expected, found } => {
                format!("「{found}」は{}の形式ではありません", format_ja(expected))
            }
            FieldErrorKind::AddressOrPoint => {
                "住所（address）か緯度・経度（lat/lon）のどちらかが必要です".into()
            }
            FieldErrorKind::HalfPoint => "緯度と経度は両方そろえて指定してください".into(),
            FieldErrorKind::SlotOrder { start, end } => {
                format!("開始時刻 {start} が終了時刻 {end} より前になっていません")
            }
            FieldErrorKind::TooMany { max, found } => {
                format!("多すぎます（{found}件。{max}件まで）")
            }
            FieldErrorKind::ControlChar { code, at } => {
                format!("制御文字 U+{code:04X} が含まれています（{at}文字目）")
            }
            FieldErrorKind::ReplacementChar { at } => format!(
                "読めなかった文字の印（U+FFFD）が含まれています（{at}文字目）。元のファイルの文字コードを確認してください"
            ),
            FieldErrorKind::TooManyUnknownKeys { max, found } => {
                format!("定義されていない項目が多すぎます（{found}個。{max}個まで）")
            }
            FieldErrorKind::UnnamedColumn => {
                "見出しのない列に値があります。見出しを付けるか、値を消してください".into()
            }
        }
    }
}

fn type_ja(t: &str) -> &str {
    match t {
        "string" => "文字列",
        "integer" => "整数",
        "number" => "数値",
        "boolean" => "真偽値",
        "array" => "配列",
        "object" => "オブジェクト",
        "null" => "null",
        "array of strings" => "文字列の配列",
        other => other,
    }
}

fn format_ja(expected: &str) -> &str {
    match expected {
        "a date YYYY-MM-DD" => "日付（YYYY-MM-DD）",
        "a time HH:MM" => "時刻（HH:MM）",
        "an integer" => "整数",
        "a number" => "数値",
        other => other,
    }
}
