//! Live edits of single records, as coordinators make them: create, a
//! partial update that changes only the fields it names, 「情報を確認しました」
//! (stamps `verified_on`), and pause / close / reopen.
//!
//! Every edit is validated exactly as an imported record is (the merged
//! record goes through `record_from_json`), placed again, and stored with
//! its audit row in one store transaction of its own, so each edit is
//! durable on its own before anything is said about it. The index follows
//! in one commit for the whole batch; a crash between the two is healed by
//! the index catching up to the store on the next open.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use thiserror::Error;
use tsunagu_index::IndexDoc;
use tsunagu_model::{
    FactDecision, FactVerdict, FieldError, Placement, Record, Status, record_from_json,
};
use tsunagu_store::{RecordWrite, WriteEffect};

use crate::{Directory, EngineError, PointChange};

/// One change to one record.
#[derive(Debug, Clone)]
pub enum RecordEdit {
    /// A new record, whole; refused when the id exists.
    Create { record: Map<String, Value> },
    /// Only the named keys change; a key records.md does not define is
    /// refused, so a typo never lands in the record (JSON Merge Patch, RFC 7386: objects
    /// such as `contact` merge key by key); `null` removes a key.
    /// `expected_seq`, when given, refuses the edit if the record changed
    /// since it was read (optimistic locking for two people editing).
    Patch {
        id: String,
        fields: Map<String, Value>,
        expected_seq: Option<u64>,
    },
    /// 「情報を確認しました」: the record was checked on `on`.
    Confirm { id: String, on: NaiveDate },
    /// 休止 (paused), 廃止 (closed), or back to 活動中 (active).
    SetStatus { id: String, status: Status },
    /// A coordinator's decision on a fact read from the listing's text:
    /// `fact` is its key (`feature:parking`), `field` and `phrase` say
    /// which reading; `verdict` `None` takes a decision back. The record's
    /// own words do not change.
    DecideFact {
        id: String,
        fact: String,
        field: String,
        phrase: String,
        verdict: Option<FactVerdict>,
        on: NaiveDate,
    },
}

impl RecordEdit {
    /// The record the edit is about (for a create, the id it asks for).
    pub fn id(&self) -> String {
        match self {
            RecordEdit::Create { record } => record
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            RecordEdit::Patch { id, .. }
            | RecordEdit::Confirm { id, .. }
            | RecordEdit::SetStatus { id, .. }
            | RecordEdit::DecideFact { id, .. } => id.clone(),
        }
    }

    /// The audit log's name for the edit.
    pub fn action(&self) -> &'static str {
        match self {
            RecordEdit::Create { .. } => "create",
            RecordEdit::Patch { .. } => "update",
            RecordEdit::Confirm { .. } => "confirm",
            RecordEdit::SetStatus { .. } => "status",
            RecordEdit::DecideFact { .. } => "fact",
        }
    }
}

/// Who makes a change, and through what (`api`, `console`, `cli`…), as
/// the audit log keeps it.
pub use tsunagu_store::AuditActor as Actor;

/// Which records an edit may touch. Who gets which scope is the accounts'
/// decision; the writer applies it to the record as it is when the edit is
/// made, before and after (a coordinator cannot move a record out of, or
/// into, another centre's area).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditScope {
    Everything,
    /// Records placed in one of these あんしんケアセンター areas.
    Centres(Vec<String>),
    Nothing,
}

impl Default for EditScope {
    /// The command line works as the data's owner.
    fn default() -> Self {
        EditScope::Everything
    }
}

impl EditScope {
    pub fn allows(&self, before: Option<&Placement>, after: &Placement) -> bool {
        match self {
            EditScope::Everything => true,
            EditScope::Nothing => false,
            EditScope::Centres(ids) => {
                let inside = |p: &Placement| {
                    p.center_id
                        .as_ref()
                        .is_some_and(|c| ids.iter().any(|id| id == c))
                };
                before.is_none_or(inside) && inside(after)
            }
        }
    }
}

/// An edit with who makes it and what they may touch.
#[derive(Debug, Clone)]
pub struct EditRequest {
    pub edit: RecordEdit,
    pub actor: Actor,
    pub scope: EditScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditEffect {
    Created,
    Updated,
    /// The edit asked for what the record already was; nothing stored.
    Unchanged,
}

/// What an accepted edit did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EditOutcome {
    pub id: String,
    pub effect: EditEffect,
    /// The store change number the record now carries.
    pub seq: u64,
    /// Placement notes (address not found, point outside the city…).
    pub warnings: Vec<EditWarning>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EditWarning {
    pub message_ja: String,
    pub message_en: String,
}

/// Why an edit was refused. Nothing of a refused edit is stored.
#[derive(Debug, Clone, Error)]
pub enum EditError {
    #[error("no record with id {id}")]
    NotFound { id: String },
    #[error("a record with id {id} already exists")]
    Exists { id: String },
    #[error("record {id} changed since it was read (expected change {expected}, now {current})")]
    Conflict {
        id: String,
        expected: u64,
        current: u64,
    },
    #[error("record {id}: {}", errors.iter().map(|e| format!("{}: {}", e.field, e.kind.message_en())).collect::<Vec<_>>().join("; "))]
    Invalid { id: String, errors: Vec<FieldError> },
    #[error("record {id}: unknown keys {}", keys.join(", "))]
    UnknownKeys { id: String, keys: Vec<String> },
    #[error("record {id}: the id of a record cannot change (to {to})")]
    IdChange { id: String, to: String },
    #[error("record {id}: not allowed for this account")]
    Forbidden { id: String },
    #[error("record {id}: no fact {fact} was read from {field} with that phrase")]
    NoSuchFact {
        id: String,
        fact: String,
        field: String,
    },
}

impl EditError {
    pub fn message_ja(&self) -> String {
        match self {
            EditError::NotFound { id } => format!("id「{id}」の資源はありません"),
            EditError::Exists { id } => format!("id「{id}」の資源はすでにあります"),
            EditError::Conflict { id, .. } => format!(
                "id「{id}」は読み込んだ後にほかの人が変更しました。開き直してから編集してください"
            ),
            EditError::Invalid { errors, .. } => errors
                .iter()
                // Each error's message already names its field.
                .map(|e| e.message_ja())
                .collect::<Vec<_>>()
                .join("、"),
            EditError::UnknownKeys { keys, .. } => {
                format!("知らない項目です: {}", keys.join("、"))
            }
            EditError::IdChange { .. } => "id は変更できません".into(),
            EditError::Forbidden { id } => {
                format!("id「{id}」の資源を編集する権限がありません")
            }
            EditError::NoSuchFact { id, .. } => format!(
                "id「{id}」の記述からその内容はもう読み取られていません（記述が変わった可能性があります。開き直してください）"
            ),
        }
    }

    /// Each field at fault with what is wrong with it, without the field's
    /// name (for forms that put the message at the field); other refusals
    /// give their fields with the whole message.
    pub fn field_messages(&self) -> Vec<(String, String)> {
        match self {
            EditError::Invalid { errors, .. } => errors
                .iter()
                .map(|e| (e.field.clone(), e.kind.message_ja()))
                .collect(),
            _ => {
                let message = self.message_ja();
                self.fields()
                    .into_iter()
                    .map(|f| (f, message.clone()))
                    .collect()
            }
        }
    }

    /// The fields at fault, for forms that mark them.
    pub fn fields(&self) -> Vec<String> {
        match self {
            EditError::Invalid { errors, .. } => errors.iter().map(|e| e.field.clone()).collect(),
            EditError::UnknownKeys { keys, .. } => keys.clone(),
            EditError::IdChange { .. } => vec!["id".into()],
            _ => Vec::new(),
        }
    }
}

impl Directory {
    /// Applies edits in order. Each accepted edit is committed to the store
    /// (with its audit row) on its own; then the index is brought up to
    /// date in one commit. Returns each edit's outcome in order. An error
    /// of the store or the index is returned as `Err` (edits stored before
    /// it stay stored and reach the index when it catches up).
    pub fn apply_edits(
        &mut self,
        edits: &[EditRequest],
    ) -> Result<Vec<Result<EditOutcome, EditError>>, EngineError> {
        self.writable("edit")?;
        let mut outcomes = Vec::with_capacity(edits.len());
        let mut written: Vec<RecordWrite> = Vec::new();
        for request in edits {
            let current = self.store.get(&request.edit.id())?;
            if let RecordEdit::DecideFact {
                id,
                fact,
                field,
                phrase,
                verdict,
                on,
            } = &request.edit
            {
                let key = tsunagu_store::FactKey {
                    record_id: id.clone(),
                    fact: fact.clone(),
                    field: field.clone(),
                    phrase: phrase.clone(),
                };
                match self.decide_fact(&key, *verdict, *on, current, request)? {
                    Ok((outcome, write)) => {
                        if outcome.effect != EditEffect::Unchanged {
                            written.extend(write);
                        }
                        outcomes.push(Ok(outcome));
                    }
                    Err(e) => outcomes.push(Err(e)),
                }
                continue;
            }
            let decisions = self.store.fact_decisions(&request.edit.id())?;
            let prepared =
                match self.prepare_edit(&request.edit, current, &request.scope, &decisions) {
                    Ok(p) => p,
                    Err(e) => {
                        outcomes.push(Err(e));
                        continue;
                    }
                };
            let (write, warnings) = prepared;
            let effects = self.store.write_batch_audited(
                std::slice::from_ref(&write),
                &request.actor,
                Some(request.edit.action()),
            )?;
            let effect = match effects.first() {
                Some(WriteEffect::Inserted) => EditEffect::Created,
                Some(WriteEffect::Replaced) => EditEffect::Updated,
                _ => EditEffect::Unchanged,
            };
            let seq = self
                .store
                .get(&write.record.id)?
                .map(|s| s.seq)
                .unwrap_or_default();
            outcomes.push(Ok(EditOutcome {
                id: write.record.id.clone(),
                effect,
                seq,
                warnings,
            }));
            if effect != EditEffect::Unchanged {
                written.push(write);
            }
        }
        if !written.is_empty() {
            self.index_writes(&written)?;
        }
        Ok(outcomes)
    }

    /// Stores a decision on one listing fact with the placement it gives
    /// (the fact granted or not), or says why not. The outer `Err` is the
    /// store's.
    #[allow(clippy::type_complexity)]
    fn decide_fact(
        &mut self,
        key: &tsunagu_store::FactKey,
        verdict: Option<FactVerdict>,
        on: NaiveDate,
        current: Option<tsunagu_store::StoredRecord>,
        request: &EditRequest,
    ) -> Result<Result<(EditOutcome, Option<RecordWrite>), EditError>, EngineError> {
        let id = key.record_id.clone();
        let Some(stored) = current else {
            return Ok(Err(EditError::NotFound { id }));
        };
        if !request
            .scope
            .allows(Some(&stored.placement), &stored.placement)
        {
            return Ok(Err(EditError::Forbidden { id }));
        }
        let mut placement = stored.placement.clone();
        let mut found = false;
        let mut unchanged = true;
        let decision = verdict.map(|verdict| FactDecision { verdict, on });
        for f in placement
            .facts
            .iter_mut()
            .filter(|f| f.fact.key() == key.fact && f.field == key.field && f.phrase == key.phrase)
        {
            found = true;
            if f.decision.map(|d| d.verdict) != verdict {
                unchanged = false;
            }
            f.decision = decision;
        }
        if !found {
            return Ok(Err(EditError::NoSuchFact {
                id,
                fact: key.fact.clone(),
                field: key.field.clone(),
            }));
        }
        if unchanged {
            return Ok(Ok((
                EditOutcome {
                    id,
                    effect: EditEffect::Unchanged,
                    seq: stored.seq,
                    warnings: Vec::new(),
                },
                None,
            )));
        }
        let write = RecordWrite {
            record: stored.record,
            placement,
        };
        let on_text = on.format("%Y-%m-%d").to_string();
        let seq = self.store.decide_fact(
            key,
            verdict.map(|v| (v.code(), on_text.as_str())),
            &write,
            &request.actor,
        )?;
        Ok(Ok((
            EditOutcome {
                id,
                effect: EditEffect::Updated,
                seq,
                warnings: Vec::new(),
            },
            Some(write),
        )))
    }

    /// The record an edit would store, validated and placed, or why not.
    fn prepare_edit(
        &self,
        edit: &RecordEdit,
        current: Option<tsunagu_store::StoredRecord>,
        scope: &EditScope,
        decisions: &[tsunagu_store::StoredFactDecision],
    ) -> Result<(RecordWrite, Vec<EditWarning>), EditError> {
        let id = edit.id();
        let record: Record = match edit {
            RecordEdit::Create { record } => {
                if current.is_some() {
                    return Err(EditError::Exists { id });
                }
                let unknown = unknown_keys(record);
                if !unknown.is_empty() {
                    return Err(EditError::UnknownKeys { id, keys: unknown });
                }
                record_from_json(record).map_err(|errors| EditError::Invalid {
                    id: id.clone(),
                    errors,
                })?
            }
            RecordEdit::Patch {
                fields,
                expected_seq,
                ..
            } => {
                let stored = current
                    .as_ref()
                    .ok_or_else(|| EditError::NotFound { id: id.clone() })?;
                if let Some(expected) = expected_seq
                    && *expected != stored.seq
                {
                    return Err(EditError::Conflict {
                        id,
                        expected: *expected,
                        current: stored.seq,
                    });
                }
                let unknown = unknown_keys(fields);
                if !unknown.is_empty() {
                    return Err(EditError::UnknownKeys { id, keys: unknown });
                }
                if let Some(to) = fields.get("id")
                    && to.as_str() != Some(id.as_str())
                {
                    return Err(EditError::IdChange {
                        id,
                        to: to.to_string(),
                    });
                }
                let mut merged = Value::Object(record_json(&stored.record));
                merge_patch(&mut merged, &Value::Object(fields.clone()));
                let Value::Object(merged) = merged else {
                    return Err(EditError::NotFound { id });
                };
                record_from_json(&merged).map_err(|errors| EditError::Invalid {
                    id: id.clone(),
                    errors,
                })?
            }
            RecordEdit::Confirm { on, .. } => {
                let stored = current
                    .as_ref()
                    .ok_or_else(|| EditError::NotFound { id: id.clone() })?;
                let mut record = stored.record.clone();
                record.verified_on = Some(*on);
                record
            }
            RecordEdit::SetStatus { status, .. } => {
                let stored = current
                    .as_ref()
                    .ok_or_else(|| EditError::NotFound { id: id.clone() })?;
                let mut record = stored.record.clone();
                record.status = *status;
                record
            }
            // Taken by `decide_fact` before any record is prepared.
            RecordEdit::DecideFact { .. } => {
                return Err(EditError::NoSuchFact {
                    id,
                    fact: String::new(),
                    field: String::new(),
                });
            }
        };
        let (placement, notes) = crate::place::place(&self.locator, &record, decisions);
        if !scope.allows(current.as_ref().map(|s| &s.placement), &placement) {
            return Err(EditError::Forbidden { id });
        }
        let warnings = notes
            .into_iter()
            .map(|w| EditWarning {
                message_ja: w.message_ja,
                message_en: w.message_en,
            })
            .collect();
        Ok((RecordWrite { record, placement }, warnings))
    }

    /// Indexes records just stored, commits the index with the store's
    /// change number and moves their points.
    fn index_writes(&mut self, written: &[RecordWrite]) -> Result<(), EngineError> {
        let store_seq = self.store.max_seq()?;
        let mut writer = self.index.writer()?;
        for w in written {
            writer.upsert(IndexDoc {
                record: &w.record,
                placement: &w.placement,
            })?;
        }
        writer.commit(store_seq)?;
        let moved: Vec<PointChange> = written
            .iter()
            .map(|w| (w.record.id.clone(), w.placement.point()))
            .collect();
        self.points_changed(&moved);
        Ok(())
    }
}

/// A stored record as the JSON object import reads (the same keys).
fn record_json(record: &Record) -> Map<String, Value> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// JSON Merge Patch (RFC 7386): objects merge key by key, so a change of
/// `contact.phone` keeps `contact.person`; `null` removes a key; anything
/// else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in changes {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

fn unknown_keys(fields: &Map<String, Value>) -> Vec<String> {
    fields
        .keys()
        .filter(|k| !tsunagu_model::KNOWN_KEYS.contains(&k.as_str()))
        .map(|k| tsunagu_model::cut_for_message(k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": {"b": "c", "d": "e"}}),
                json!({"a": {"b": "x"}}),
                json!({"a": {"b": "x", "d": "e"}}),
            ),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": null}}),
                json!({"a": {}}),
            ),
            (json!({"a": [1, 2]}), json!({"a": [3]}), json!({"a": [3]})),
            (
                json!({"a": "b"}),
                json!({"a": {"c": "d"}}),
                json!({"a": {"c": "d"}}),
            ),
        ];
        for (mut target, patch, want) in cases {
            merge_patch(&mut target, &patch);
            assert_eq!(target, want, "{patch}");
        }
    }
}
