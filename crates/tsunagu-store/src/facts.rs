//! Coordinators' decisions on facts read from a listing's text (「駐車場あり」
//! read from the description: confirmed, or rejected as a misreading).
//!
//! A decision is kept apart from the record, keyed by the very phrase it
//! was made on, so a provider's re-import of the same words keeps it and
//! changed words are read afresh. The engine applies the decisions each
//! time it places a record; this crate only keeps them, with the record's
//! new placement and the audit row, in one transaction.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::audit::{self, AuditActor, FieldChange};
use crate::{RecordWrite, Store, StoreError, now};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fact_decisions (
    record_id  TEXT NOT NULL,
    fact       TEXT NOT NULL,
    field      TEXT NOT NULL,
    phrase     TEXT NOT NULL,
    verdict    TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    PRIMARY KEY (record_id, fact, field, phrase)
);
";

/// Which fact of which record, as it was read: the fact's key
/// (`feature:parking`), the record key it is in and the phrase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FactKey {
    pub record_id: String,
    pub fact: String,
    pub field: String,
    pub phrase: String,
}

/// One stored decision: a verdict code (`confirmed`, `rejected`) and its
/// day (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFactDecision {
    pub key: FactKey,
    pub verdict: String,
    pub decided_on: String,
}

impl Store {
    /// The decisions on one record's facts.
    pub fn fact_decisions(&self, record_id: &str) -> Result<Vec<StoredFactDecision>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record_id, fact, field, phrase, verdict, decided_on FROM fact_decisions
             WHERE record_id = ?1 ORDER BY fact, field, phrase",
        )?;
        let rows = stmt.query_map(params![record_id], decision_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every decision, for placing many records at once (imports): the
    /// table holds what people decided by hand, so it stays small.
    pub fn all_fact_decisions(&self) -> Result<Vec<StoredFactDecision>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT record_id, fact, field, phrase, verdict, decided_on FROM fact_decisions
             ORDER BY record_id, fact, field, phrase",
        )?;
        let rows = stmt.query_map([], decision_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a decision (or, with `verdict` `None`, takes one back) with
    /// the record's placement that follows from it and an audit row
    /// (`fact`, the field `facts.KEY` before and after), in one
    /// transaction. The record gets a new change number; its body is as
    /// it was. Returns that number.
    pub fn decide_fact(
        &mut self,
        key: &FactKey,
        verdict: Option<(&str, &str)>,
        write: &RecordWrite,
        actor: &AuditActor,
    ) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<String> = tx
            .query_row(
                "SELECT verdict FROM fact_decisions
                 WHERE record_id = ?1 AND fact = ?2 AND field = ?3 AND phrase = ?4",
                params![key.record_id, key.fact, key.field, key.phrase],
                |r| r.get(0),
            )
            .optional()?;
        match verdict {
            Some((verdict, on)) => {
                tx.execute(
                    "INSERT INTO fact_decisions(record_id, fact, field, phrase, verdict, decided_on)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT(record_id, fact, field, phrase)
                     DO UPDATE SET verdict = excluded.verdict, decided_on = excluded.decided_on",
                    params![key.record_id, key.fact, key.field, key.phrase, verdict, on],
                )?;
            }
            None => {
                tx.execute(
                    "DELETE FROM fact_decisions
                     WHERE record_id = ?1 AND fact = ?2 AND field = ?3 AND phrase = ?4",
                    params![key.record_id, key.fact, key.field, key.phrase],
                )?;
            }
        }
        let placement =
            serde_json::to_string(&write.placement).map_err(|source| StoreError::Encode {
                id: write.record.id.clone(),
                source,
            })?;
        let seq: i64 = tx.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
            r.get(0)
        })?;
        let seq = seq + 1;
        let at = now();
        let updated = tx.execute(
            "UPDATE records SET placement = ?2, seq = ?3, last_changed = ?4 WHERE id = ?1",
            params![write.record.id, placement, seq, at],
        )?;
        if updated == 0 {
            return Err(StoreError::NoRecord {
                id: write.record.id.clone(),
            });
        }
        tx.execute(
            "UPDATE counters SET value = ?1 WHERE name = 'seq'",
            params![seq],
        )?;
        let describe = |v: Option<&str>| {
            v.map(|v| serde_json::json!({"verdict": v, "field": key.field, "phrase": key.phrase}))
        };
        let change = FieldChange {
            field: format!("facts.{}", key.fact),
            before: describe(before.as_deref()),
            after: describe(verdict.map(|v| v.0)),
        };
        {
            let mut appender = audit::Appender::new(&tx)?;
            appender.append(
                &at,
                actor,
                "fact",
                audit::TargetKind::Record,
                &key.record_id,
                std::slice::from_ref(&change),
            )?;
            appender.finish()?;
        }
        tx.commit()?;
        Ok(seq.max(0) as u64)
    }
}

fn decision_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFactDecision> {
    Ok(StoredFactDecision {
        key: FactKey {
            record_id: r.get(0)?,
            fact: r.get(1)?,
            field: r.get(2)?,
            phrase: r.get(3)?,
        },
        verdict: r.get(4)?,
        decided_on: r.get(5)?,
    })
}
