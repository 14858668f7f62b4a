//! Why an export stopped.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// Serialising failed for another reason than I/O (I/O errors are
    /// [`ExportError::Io`], so a closed pipe can be told apart).
    #[error("cannot write JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[source] csv::Error),
    /// A character the chosen encoding cannot hold, or would not give back
    /// as the same character (`¥` would come back as `\` from Shift_JIS).
    #[error(
        "record {id}: column {column} ({key}) holds {character:?} (U+{code:04X}), which {encoding} cannot hold; export in UTF-8, or change the record",
        code = code_point(.character)
    )]
    Unencodable {
        id: String,
        /// The CSV column, as its header says it.
        column: &'static str,
        /// The record key it comes from.
        key: &'static str,
        character: char,
        encoding: &'static str,
    },
    /// `--encoding cp932` asked of a format that is always UTF-8.
    #[error("{format} is always UTF-8; the encoding {encoding} applies to CSV only")]
    EncodingNotForFormat {
        format: &'static str,
        encoding: &'static str,
    },
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            ExportError::Io(e.into())
        } else {
            ExportError::Json(e)
        }
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        if e.is_io_error() {
            ExportError::Io(e.into())
        } else {
            ExportError::Csv(e)
        }
    }
}

fn code_point(c: &char) -> u32 {
    u32::from(*c)
}

impl ExportError {
    /// The message shown to a coordinator.
    pub fn message_ja(&self) -> String {
        match self {
            ExportError::Io(e) => format!("書き出せませんでした（{e}）"),
            ExportError::Json(e) => format!("JSON を書き出せませんでした（{e}）"),
            ExportError::Csv(e) => format!("CSV を書き出せませんでした（{e}）"),
            ExportError::Unencodable {
                id,
                column,
                key,
                character,
                encoding,
            } => {
                format!(
                    "資源ID「{}」の「{column}」（{key}）にある文字「{character}」（U+{:04X}）は {encoding} で表せません（JIS X 0208 にない字や、Windows だけの機種依存文字は、ほかの環境で別の字になります）。標準の字（「髙」なら「高」）に直すか、UTF-8 で書き出してください",
                    tsunagu_model::cut_for_message(id),
                    u32::from(*character)
                )
            }
            ExportError::EncodingNotForFormat { format, encoding } => format!(
                "{format} はいつも UTF-8 です。文字コード {encoding} は CSV にだけ指定できます"
            ),
        }
    }
}
