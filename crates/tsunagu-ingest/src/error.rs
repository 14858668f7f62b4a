//! Per-line and per-file errors of the readers.
//!
//! Every value from the input that a message repeats (a key, a header) is
//! cut with [`tsunagu_model::cut_for_message`] when the error is made, so no
//! message carries a huge value or a control character.

use thiserror::Error;
use tsunagu_model::FieldError;

/// Why one line (record) of a file was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LineError {
    /// `valid_up_to` is the byte offset in the line (after a BOM) where the
    /// first byte that is not UTF-8 sits.
    #[error("the line is not valid UTF-8 (at byte offset {valid_up_to})")]
    Utf8 { valid_up_to: usize },
    #[error("the line is not valid JSON: {message}")]
    Json { message: String },
    #[error("the line is a JSON {found}, not an object")]
    NotObject { found: &'static str },
    /// Kept for compatibility; the CSV reader reports the precise variants
    /// below instead.
    #[error("the CSV row cannot be read: {message}")]
    Csv { message: String },
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
    /// The line (JSON Lines) or record (CSV) is longer than `max` bytes. It
    /// was skipped without being held in memory.
    #[error("longer than the limit of {max} bytes; skipped")]
    TooLong { max: usize },
    /// The same key twice in one JSON object (`key` is its path, e.g.
    /// `organizer.name`).
    #[error("the key {key:?} appears more than once")]
    DuplicateKey { key: String },
    /// The line has bytes Shift_JIS (CP932) cannot map, from byte offset
    /// `byte`.
    #[error("the line is not valid Shift_JIS (CP932) (at byte offset {byte})")]
    Cp932 { byte: usize },
    /// A valid UTF-8 line in a file that is read as Shift_JIS (CP932)
    /// because most of its text is.
    #[error(
        "the line is UTF-8 but most of the file is Shift_JIS (CP932), so the file is read as Shift_JIS; save the whole file in one encoding"
    )]
    MixedEncoding,
    /// A CSV record continues on a later physical line that cannot be read.
    #[error("the record continues on line {line}, which cannot be read: {cause}")]
    InRecord { line: usize, cause: Box<LineError> },
    /// A CSV row with another number of cells than the header. `to_line`
    /// is set when a quoted cell made the row run over several lines; the
    /// lines after this one were then read on their own.
    #[error(
        "the row has {found} cells but the header has {expected}{}",
        to_line.map(|l| format!(" (a quoted cell makes it run to line {l}; the lines after this one were read on their own)")).unwrap_or_default()
    )]
    FieldCount {
        expected: usize,
        found: usize,
        to_line: Option<usize>,
    },
    /// A quote opened on this line is never closed, or not within
    /// [`crate::MAX_RECORD_BYTES`]. The line is rejected and the lines after
    /// it were read on their own.
    #[error(
        "a quoted cell starts on this line and is never closed (not within the {max} bytes a record may hold); the lines after it were read on their own",
        max = crate::MAX_RECORD_BYTES
    )]
    UnclosedQuote,
    /// A quote opened on this line closes only on `to_line` and would take
    /// in lines that are rows of their own. The line is rejected and the
    /// lines after it were read on their own.
    #[error(
        "a quoted cell starts on this line and runs to line {to_line}, taking in other rows; the lines after this one were read on their own"
    )]
    QuoteSwallowsRows { to_line: usize },
}

impl LineError {
    /// The keys at fault (empty when the whole line is unreadable).
    pub fn fields(&self) -> Vec<String> {
        match self {
            LineError::Fields(errors) => errors.iter().map(|e| e.field.clone()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            LineError::Utf8 { valid_up_to } => format!(
                "UTF-8 として読めないバイトがあります（行頭から{}バイト目）",
                valid_up_to + 1
            ),
            LineError::Json { message } => format!("JSON として読めません（{message}）"),
            LineError::NotObject { found } => {
                format!("1行に1つの JSON オブジェクトが必要ですが、{found} でした")
            }
            LineError::Csv { message } => format!("CSV の行を読めません（{message}）"),
            LineError::Fields(errors) => errors
                .iter()
                .map(|e| e.message_ja())
                .collect::<Vec<_>>()
                .join("／"),
            LineError::TooLong { max } => {
                format!("長すぎるため読み飛ばしました（上限 {max} バイト）")
            }
            LineError::DuplicateKey { key } => {
                format!("項目 {key} が2回以上あります。1回にしてください")
            }
            LineError::Cp932 { byte } => format!(
                "Shift_JIS（CP932）として読めないバイトがあります（行頭から{}バイト目）",
                byte + 1
            ),
            LineError::MixedEncoding => "この行は UTF-8 ですが、ファイルの大部分が Shift_JIS（CP932）なので Shift_JIS として読んでいます。ファイル全体を同じ文字コードで保存してください".into(),
            LineError::InRecord { line, cause } => format!(
                "このレコードの続きの {line} 行目を読めません（{}）",
                cause.message_ja()
            ),
            LineError::FieldCount {
                expected,
                found,
                to_line,
            } => {
                let mut m =
                    format!("セルの数が見出しと合いません（見出しは{expected}列、この行は{found}列）");
                if let Some(l) = to_line {
                    m.push_str(&format!(
                        "。引用符（\"）のため {l} 行目まで続いているので、次の行からは1行ずつ読み直しました"
                    ));
                }
                m
            }
            LineError::UnclosedQuote => format!(
                "この行で始まる引用符（\"）が閉じられていません（1レコードの上限 {} バイト以内に閉じていません）。次の行からは1行ずつ読み直しました",
                crate::MAX_RECORD_BYTES
            ),
            LineError::QuoteSwallowsRows { to_line } => format!(
                "この行で始まる引用符（\"）が {to_line} 行目まで閉じられず、ほかの行を取り込んでしまうため、この行を却下しました。次の行からは1行ずつ読み直しました"
            ),
        }
    }
}

/// A problem with a whole file.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Kept for compatibility; the CSV reader reports the precise header
    /// variants below instead.
    #[error("the CSV header cannot be read: {message}")]
    CsvHeader { message: String },
    #[error("the CSV has no column for the required key {key}")]
    MissingColumn { key: &'static str },
    /// A whole document (an HSDS JSON file) whose structure cannot be read,
    /// found before any of its records is imported.
    #[error("the {format} document cannot be read: {message} (line {line})")]
    Document {
        format: &'static str,
        line: usize,
        message: String,
    },
    #[error("unknown encoding {0:?}; use utf-8, shift_jis or cp932")]
    UnknownEncoding(String),
    /// The header row has bytes the file's encoding cannot read.
    #[error("the CSV header on line {line} is not valid {encoding} (at byte offset {byte})")]
    HeaderEncoding {
        encoding: &'static str,
        line: usize,
        byte: usize,
    },
    #[error("the CSV header on line {line} opens a quoted cell that is never closed")]
    HeaderUnclosedQuote { line: usize },
    #[error("the CSV header on line {line} is longer than the limit of {max} bytes")]
    HeaderTooLong { line: usize, max: usize },
    /// Two columns for one key: the same header twice, or two headers that
    /// mean the same key (`名称` and `name`). Positions count from 1.
    #[error(
        "columns {first} ({first_header:?}) and {second} ({second_header:?}) are both {key}; keep one"
    )]
    DuplicateColumn {
        key: String,
        first: usize,
        first_header: String,
        second: usize,
        second_header: String,
    },
}

impl IngestError {
    pub fn message_ja(&self) -> String {
        match self {
            IngestError::Io { path, source } => format!("{path} を読めません（{source}）"),
            IngestError::CsvHeader { message } => {
                format!("CSV の見出し行を読めません（{message}）")
            }
            IngestError::MissingColumn { key } => {
                format!("CSV に必須の列 {key} がありません")
            }
            IngestError::Document {
                format,
                line,
                message,
            } => format!(
                "{format} の文書として読めません（{line}行目: {message}）。何も取り込んでいません"
            ),
            IngestError::UnknownEncoding(e) => {
                format!("文字コード「{e}」は使えません（utf-8, shift_jis, cp932）")
            }
            IngestError::HeaderEncoding {
                encoding,
                line,
                byte,
            } => format!(
                "CSV の見出し行（{line}行目）を {encoding} として読めません（行頭から{}バイト目）",
                byte + 1
            ),
            IngestError::HeaderUnclosedQuote { line } => {
                format!("CSV の見出し行（{line}行目）の引用符（\"）が閉じられていません")
            }
            IngestError::HeaderTooLong { line, max } => {
                format!("CSV の見出し行（{line}行目）が長すぎます（上限 {max} バイト）")
            }
            IngestError::DuplicateColumn {
                key,
                first,
                first_header,
                second,
                second_header,
            } => format!(
                "{first}列目「{first_header}」と{second}列目「{second_header}」がどちらも {key} の列です。どちらか一方にしてください"
            ),
        }
    }
}
