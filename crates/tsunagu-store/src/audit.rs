//! The audit log: who changed which record or account, when, through what,
//! and each field before and after. Append-only: no statement of this crate
//! updates or deletes a row, and triggers refuse any that tries.
//!
//! Row ids come from the `counters` table inside the writing transaction,
//! as the change sequence does, so ids are in commit order on any backend
//! that serialises writers on the counter row (a reader paging with
//! `audit_log(after_id, …)` never skips a row committed late).

use rusqlite::{CachedStatement, Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Store, StoreError};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    via         TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    changes     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_target ON audit(target_kind, target_id, id);
INSERT OR IGNORE INTO counters(name, value) VALUES ('audit', 0);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Who made a change and through which door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditActor {
    /// An account's login, or `system`.
    pub login: String,
    /// `cli`, `api`, `import:FILE`, `console`…
    pub via: String,
}

impl AuditActor {
    /// The login of changes no account made (imports from the command line,
    /// start-up tasks). Account logins can never be `system`.
    pub const SYSTEM: &'static str = "system";

    pub fn system(via: impl Into<String>) -> AuditActor {
        AuditActor {
            login: Self::SYSTEM.to_string(),
            via: via.into(),
        }
    }

    pub fn new(login: impl Into<String>, via: impl Into<String>) -> AuditActor {
        AuditActor {
            login: login.into(),
            via: via.into(),
        }
    }
}

/// One field's value before and after a change (`None`: absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u64,
    /// RFC 3339 UTC.
    pub at: String,
    pub actor: String,
    pub via: String,
    pub action: String,
    /// `record` or `account`.
    pub target_kind: String,
    pub target_id: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetKind {
    Record,
    Account,
}

impl TargetKind {
    fn code(self) -> &'static str {
        match self {
            TargetKind::Record => "record",
            TargetKind::Account => "account",
        }
    }
}

/// Appends audit rows inside a caller's transaction; `finish` stores the
/// counter. Dropped without `finish`, the caller's transaction must not
/// commit (it never does: every caller finishes before committing).
pub(crate) struct Appender<'c> {
    insert: CachedStatement<'c>,
    conn: &'c Connection,
    next: i64,
}

impl<'c> Appender<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Result<Appender<'c>, StoreError> {
        let last: i64 = conn
            .query_row("SELECT value FROM counters WHERE name = 'audit'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0);
        let insert = conn.prepare_cached(
            "INSERT INTO audit(id, at, actor, via, action, target_kind, target_id, changes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        Ok(Appender {
            insert,
            conn,
            next: last + 1,
        })
    }

    pub(crate) fn append(
        &mut self,
        at: &str,
        actor: &AuditActor,
        action: &str,
        kind: TargetKind,
        target_id: &str,
        changes: &[FieldChange],
    ) -> Result<u64, StoreError> {
        let changes = serde_json::to_string(changes).map_err(StoreError::EncodeAudit)?;
        let id = self.next;
        self.insert.execute(params![
            id,
            at,
            actor.login,
            actor.via,
            action,
            kind.code(),
            target_id,
            changes
        ])?;
        self.next += 1;
        Ok(id.max(0) as u64)
    }

    pub(crate) fn finish(self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE counters SET value = ?1 WHERE name = 'audit'",
            params![self.next - 1],
        )?;
        Ok(())
    }
}

/// The top-level fields that differ between two stored bodies of one
/// record, in key order. `extra` keys are top-level in the body, so they
/// count as fields of their own.
pub(crate) fn record_changes(
    id: &str,
    old_body: &str,
    new_body: &str,
) -> Result<Vec<FieldChange>, StoreError> {
    let parse = |body: &str| -> Result<serde_json::Map<String, Value>, StoreError> {
        match serde_json::from_str(body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Ok(serde_json::Map::new()),
            Err(source) => Err(StoreError::Decode {
                id: id.to_string(),
                source,
            }),
        }
    };
    let old = parse(old_body)?;
    let new = parse(new_body)?;
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            before: old.get(k).cloned(),
            after: new.get(k).cloned(),
        })
        .collect())
}

const ENTRY_COLUMNS: &str = "id, at, actor, via, action, target_kind, target_id, changes";

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, [String; 6], String)> {
    Ok((
        r.get(0)?,
        [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ],
        r.get(7)?,
    ))
}

fn decode_entry(
    (id, [at, actor, via, action, target_kind, target_id], changes): (i64, [String; 6], String),
) -> Result<AuditEntry, StoreError> {
    let id = id.max(0) as u64;
    let changes =
        serde_json::from_str(&changes).map_err(|source| StoreError::DecodeAudit { id, source })?;
    Ok(AuditEntry {
        id,
        at,
        actor,
        via,
        action,
        target_kind,
        target_id,
        changes,
    })
}

impl Store {
    /// Every audit row about one record, oldest first.
    pub fn record_history(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        self.history(TargetKind::Record, id)
    }

    /// Every audit row about one account (its creation, end, password and
    /// token changes), oldest first. Changes the account made to records
    /// carry its login as `actor` instead.
    pub fn account_history(&self, login: &str) -> Result<Vec<AuditEntry>, StoreError> {
        self.history(TargetKind::Account, login)
    }

    fn history(&self, kind: TargetKind, target_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![kind.code(), target_id], entry)?;
        rows.map(|r| decode_entry(r?)).collect()
    }

    /// At most `limit` audit rows with ids after `after_id`, oldest first
    /// (page with the last id seen).
    pub fn audit_log(&self, after_id: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))?;
        let after = i64::try_from(after_id).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![after, limit], entry)?;
        rows.map(|r| decode_entry(r?)).collect()
    }
}
