//! JSON Lines: one object per line, UTF-8, blank lines ignored, a BOM at the
//! start accepted. Read line by line so a bad byte spoils only its own line,
//! and never more than [`MAX_LINE_BYTES`] of a line is held: a longer line
//! is rejected and the rest of it skipped as it streams past.

use std::io::{self, BufRead};

use serde_json::Value;
use tsunagu_model::{cut_for_message, record_from_json};

use crate::error::{IngestError, LineError};
use crate::strict_json::{self, StrictError};
use crate::{SourceLine, reported_id};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Longest JSON line, in bytes, not counting its `\n` (1 MiB). A record
/// within the field limits of `tsunagu_model::validate` is far shorter. A
/// longer line is rejected with [`LineError::TooLong`] and skipped without
/// being buffered; the lines after it are read as usual.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads every record of a JSON Lines stream. I/O errors end the stream.
pub fn read_jsonl<R: BufRead>(
    reader: R,
    path: &str,
) -> impl Iterator<Item = Result<SourceLine, IngestError>> {
    let mut lines = LineReader::new(reader, MAX_LINE_BYTES);
    let mut line_no = 0usize;
    let mut done = false;
    let path = path.to_string();
    std::iter::from_fn(move || {
        while !done {
            let read = match lines.next_line() {
                Ok(r) => r,
                Err(source) => {
                    done = true;
                    return Some(Err(IngestError::Io {
                        path: path.clone(),
                        source,
                    }));
                }
            };
            line_no += 1;
            match read {
                RawLine::Eof => done = true,
                RawLine::TooLong => {
                    return Some(Ok(SourceLine {
                        line: line_no,
                        id: None,
                        outcome: Err(LineError::TooLong {
                            max: MAX_LINE_BYTES,
                        }),
                    }));
                }
                RawLine::Line => {
                    let mut bytes: &[u8] = &lines.buf;
                    if line_no == 1 {
                        bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(Ok(parse_line(line_no, bytes)));
                }
            }
        }
        None
    })
}

/// What [`LineReader::next_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawLine {
    /// A line is in the buffer (without its `\n`).
    Line,
    /// A line longer than the maximum: said as soon as it passes the
    /// maximum, and the rest of it is skipped, unbuffered, on the next call
    /// (so an endless line is reported at once). The buffer is empty.
    TooLong,
    Eof,
}

/// `fill_buf`, retried when interrupted.
fn fill<R: BufRead>(reader: &mut R) -> io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    // Buffered now: this second call does no I/O.
    reader.fill_buf()
}

/// Splits a stream into lines, holding at most `max` bytes of one.
pub(crate) struct LineReader<R> {
    inner: R,
    pub(crate) buf: Vec<u8>,
    max: usize,
    /// Inside a line already reported as too long.
    skipping: bool,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        LineReader {
            inner,
            buf: Vec::new(),
            max,
            skipping: false,
        }
    }

    pub(crate) fn next_line(&mut self) -> io::Result<RawLine> {
        self.buf.clear();
        while self.skipping {
            let available = fill(&mut self.inner)?;
            if available.is_empty() {
                self.skipping = false;
                return Ok(RawLine::Eof);
            }
            let (used, ends) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            self.inner.consume(used);
            self.skipping = !ends;
        }
        let mut any = false;
        loop {
            let available = fill(&mut self.inner)?;
            if available.is_empty() {
                return Ok(if any { RawLine::Line } else { RawLine::Eof });
            }
            any = true;
            let (take, used, ends) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i, i + 1, true),
                None => (available.len(), available.len(), false),
            };
            let need = self.buf.len() + take;
            if need > self.max {
                self.inner.consume(used);
                self.buf.clear();
                self.skipping = !ends;
                return Ok(RawLine::TooLong);
            }
            if need > self.buf.capacity() {
                // Grow by doubling, but never past the maximum.
                let target = (self.buf.capacity() * 2).max(need).min(self.max);
                self.buf.reserve_exact(target - self.buf.len());
            }
            self.buf.extend_from_slice(&available[..take]);
            self.inner.consume(used);
            if ends {
                return Ok(RawLine::Line);
            }
        }
    }
}

fn parse_line(line: usize, bytes: &[u8]) -> SourceLine {
    let reject = |id, e| SourceLine {
        line,
        id,
        outcome: Err(e),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return reject(
                None,
                LineError::Utf8 {
                    valid_up_to: e.valid_up_to(),
                },
            );
        }
    };
    let text = text.trim_end_matches(['\r', '\n']);
    let value = match strict_json::parse(text) {
        Ok(v) => v,
        Err(StrictError::Duplicate(key)) => {
            // Name the record when its id is not the duplicate key itself.
            let id = if key == "id" {
                None
            } else {
                serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| v.get("id").and_then(Value::as_str).map(reported_id))
            };
            return reject(
                id,
                LineError::DuplicateKey {
                    key: cut_for_message(&key),
                },
            );
        }
        Err(StrictError::Json(e)) => {
            return reject(
                None,
                LineError::Json {
                    message: e.to_string(),
                },
            );
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
        return reject(None, LineError::NotObject { found });
    };
    match record_from_json(&map) {
        Ok(record) => SourceLine {
            line,
            id: Some(record.id.clone()),
            outcome: Ok(record),
        },
        Err(errors) => reject(
            map.get("id").and_then(Value::as_str).map(reported_id),
            LineError::Fields(errors),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_buffer_never_outgrows_the_maximum() {
        let max = 1000;
        let mut input = vec![b'x'; 10_000];
        input.push(b'\n');
        input.extend_from_slice(&[b'y'; 999]);
        input.push(b'\n');
        input.extend_from_slice(b"z");
        // A small BufReader makes the line arrive in many pieces.
        let mut lines = LineReader::new(io::BufReader::with_capacity(7, &input[..]), max);
        assert_eq!(lines.next_line().unwrap(), RawLine::TooLong);
        assert!(lines.buf.capacity() <= max);
        assert_eq!(lines.next_line().unwrap(), RawLine::Line);
        assert_eq!(lines.buf.len(), 999);
        assert!(lines.buf.capacity() <= max);
        assert_eq!(lines.next_line().unwrap(), RawLine::Line);
        assert_eq!(lines.buf, b"z");
        assert_eq!(lines.next_line().unwrap(), RawLine::Eof);
    }

    #[test]
    fn an_endless_line_is_skipped_within_the_maximum() {
        let endless = io::BufReader::new(io::repeat(b'x').take(50 << 20));
        let mut lines = LineReader::new(endless, MAX_LINE_BYTES);
        assert_eq!(lines.next_line().unwrap(), RawLine::TooLong);
        assert!(lines.buf.capacity() <= MAX_LINE_BYTES);
        // Said at once: most of the stream is still unread.
        assert_eq!(lines.next_line().unwrap(), RawLine::Eof);
        assert!(lines.buf.capacity() <= MAX_LINE_BYTES);
    }
}
