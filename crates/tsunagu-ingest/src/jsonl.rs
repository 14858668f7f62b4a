//! JSON Lines: one object per line, UTF-8, blank lines ignored, a BOM at the
//! start accepted. Read line by line so a 10 MB line or a bad byte spoils
//! only its own line.

use std::io::BufRead;

use serde_json::Value;
use tsunagu_model::record_from_json;

use crate::SourceLine;
use crate::error::{IngestError, LineError};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads every record of a JSON Lines stream. I/O errors end the stream.
pub fn read_jsonl<R: BufRead>(
    mut reader: R,
    path: &str,
) -> impl Iterator<Item = Result<SourceLine, IngestError>> {
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    let path = path.to_string();
    std::iter::from_fn(move || {
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    return Some(Err(IngestError::Io {
                        path: path.clone(),
                        source,
                    }));
                }
            }
            line_no += 1;
            let mut bytes: &[u8] = &buf;
            if line_no == 1 {
                bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(parse_line(line_no, bytes)));
        }
    })
}

fn parse_line(line: usize, bytes: &[u8]) -> SourceLine {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return SourceLine {
                line,
                id: None,
                outcome: Err(LineError::Utf8 {
                    valid_up_to: e.valid_up_to(),
                }),
            };
        }
    };
    let value: Value = match serde_json::from_str(text.trim_end_matches(['\r', '\n'])) {
        Ok(v) => v,
        Err(e) => {
            return SourceLine {
                line,
                id: None,
                outcome: Err(LineError::Json {
                    message: e.to_string(),
                }),
            };
        }
    };
    let Value::Object(map) = value else {
        let found = match value {
            Value::Array(_) => "array",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            _ => "null",
        };
        return SourceLine {
            line,
            id: None,
            outcome: Err(LineError::NotObject { found }),
        };
    };
    let id = map.get("id").and_then(Value::as_str).map(String::from);
    SourceLine {
        line,
        id,
        outcome: record_from_json(&map).map_err(LineError::Fields),
    }
}
