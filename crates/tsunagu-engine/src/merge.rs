//! `tsunagu import --merge` and uploads with `merge=true`: files of partial
//! records (an id and the keys to change — ID + 確認日, ID + 状態 …), each
//! row applied as a partial edit of the stored record, validated as the
//! whole merged record, audited like any edit.

use std::io::BufRead;

use serde_json::{Map, Value};
use tsunagu_ingest::{FileFormat, LineError, PatchLine, csv_patches};

use crate::edit::{EditEffect, EditRequest, RecordEdit};
use crate::import::{ImportOptions, ImportReport, MAX_REPORTED_REJECTIONS, Rejection};
use crate::{Directory, EngineError};

/// Rows applied under one index commit.
const MERGE_BATCH: usize = 500;

impl Directory {
    /// Applies a partial file (`format`: CSV or JSON Lines) as edits.
    pub fn merge_bytes(
        &mut self,
        name: &str,
        bytes: &[u8],
        format: FileFormat,
        options: &ImportOptions,
    ) -> Result<ImportReport, EngineError> {
        self.writable("merge")?;
        let mut report = ImportReport {
            file: name.to_string(),
            ..ImportReport::default()
        };
        let rows: Box<dyn Iterator<Item = PatchLine>> = match format {
            FileFormat::Csv => match csv_patches(bytes, options.encoding) {
                Ok(rows) => Box::new(rows),
                Err(e) => {
                    report.file_error = Some(crate::import::FileError {
                        message_ja: e.message_ja(),
                        message_en: e.to_string(),
                    });
                    return Ok(report);
                }
            },
            FileFormat::JsonLines => Box::new(jsonl_patches(bytes)),
        };
        let actor = options
            .actor
            .clone()
            .unwrap_or_else(|| crate::Actor::system(format!("merge:{name}")));
        let mut batch: Vec<(usize, EditRequest)> = Vec::new();
        let mut seen = false;
        for row in rows {
            seen = true;
            match row.outcome {
                Err(e) => reject(
                    &mut report,
                    name,
                    row.line,
                    row.id,
                    e.fields(),
                    e.message_ja(),
                    e.to_string(),
                ),
                Ok(mut fields) => {
                    let id = match fields.remove("id") {
                        Some(Value::String(id)) => id,
                        _ => {
                            reject(
                                &mut report,
                                name,
                                row.line,
                                None,
                                vec!["id".into()],
                                "id がありません".into(),
                                "the row has no id".into(),
                            );
                            continue;
                        }
                    };
                    batch.push((
                        row.line,
                        EditRequest {
                            edit: RecordEdit::Patch {
                                id,
                                fields,
                                expected_seq: None,
                            },
                            actor: actor.clone(),
                            scope: options.scope.clone(),
                        },
                    ));
                    if batch.len() >= MERGE_BATCH {
                        self.apply_merge_batch(&mut batch, &mut report, name)?;
                    }
                }
            }
        }
        self.apply_merge_batch(&mut batch, &mut report, name)?;
        // Rows refused while reading and rows refused when applied, in
        // file order.
        report.rejections.sort_by_key(|r| r.line);
        if !seen && report.file_error.is_none() {
            report.file_error = Some(crate::import::FileError {
                message_ja: "ファイルに行がありません".into(),
                message_en: "the file holds no rows".into(),
            });
        }
        Ok(report)
    }

    fn apply_merge_batch(
        &mut self,
        batch: &mut Vec<(usize, EditRequest)>,
        report: &mut ImportReport,
        name: &str,
    ) -> Result<(), EngineError> {
        if batch.is_empty() {
            return Ok(());
        }
        let requests: Vec<EditRequest> = batch.iter().map(|(_, r)| r.clone()).collect();
        let outcomes = self.apply_edits(&requests)?;
        for ((line, request), outcome) in batch.drain(..).zip(outcomes) {
            match outcome {
                Ok(o) => {
                    report.accepted += 1;
                    match o.effect {
                        EditEffect::Unchanged => report.unchanged += 1,
                        EditEffect::Updated => report.replaced += 1,
                        EditEffect::Created => report.inserted += 1,
                    }
                }
                Err(e) => reject(
                    report,
                    name,
                    line,
                    Some(request.edit.id()),
                    e.fields(),
                    e.message_ja(),
                    e.to_string(),
                ),
            }
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn reject(
    report: &mut ImportReport,
    file: &str,
    line: usize,
    id: Option<String>,
    fields: Vec<String>,
    message_ja: String,
    message_en: String,
) {
    report.rejected += 1;
    if report.rejections.len() < MAX_REPORTED_REJECTIONS {
        report.rejections.push(Rejection {
            file: file.to_string(),
            line,
            id,
            fields,
            message_ja,
            message_en,
        });
    }
}

/// JSON Lines of partial records: each non-blank line an object with `id`.
fn jsonl_patches(bytes: &[u8]) -> impl Iterator<Item = PatchLine> + '_ {
    std::io::BufReader::new(bytes)
        .split(b'\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let line_no = i + 1;
            // Reading from memory cannot fail.
            let raw = line.unwrap_or_default();
            let fail = |e: LineError| {
                Some(PatchLine {
                    line: line_no,
                    id: None,
                    outcome: Err(e),
                })
            };
            if raw.len() > tsunagu_ingest::MAX_LINE_BYTES {
                return fail(LineError::TooLong {
                    max: tsunagu_ingest::MAX_LINE_BYTES,
                });
            }
            let text = match std::str::from_utf8(&raw) {
                Ok(t) => t.trim(),
                Err(e) => {
                    return fail(LineError::Utf8 {
                        valid_up_to: e.valid_up_to(),
                    });
                }
            };
            if text.is_empty() {
                return None;
            }
            let outcome = match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Ok(map),
                Ok(other) => Err(LineError::NotObject {
                    found: match other {
                        Value::Array(_) => "array",
                        Value::String(_) => "string",
                        Value::Number(_) => "number",
                        Value::Bool(_) => "boolean",
                        _ => "null",
                    },
                }),
                Err(e) => Err(LineError::Json {
                    message: e.to_string(),
                }),
            };
            let id = outcome
                .as_ref()
                .ok()
                .and_then(|m: &Map<String, Value>| m.get("id"))
                .and_then(Value::as_str)
                .map(tsunagu_model::cut_for_message);
            Some(PatchLine {
                line: line_no,
                id,
                outcome,
            })
        })
}
