//! The record store: SQLite in WAL mode, the source of truth.
//!
//! Every change gets a sequence number (`seq`) from one counter. The index
//! records in each of its commits the `seq` it has caught up to, so after a
//! crash between a store commit and an index commit the engine re-indexes
//! exactly the records changed since. One writer, many readers: SQLite's WAL
//! lets readers run while the single writer commits.

mod accounts;
mod audit;
mod facts;

use std::path::Path;

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use thiserror::Error;
use tsunagu_model::{Placement, Record};

pub use accounts::{AccountRow, SessionRow, TokenRow};
pub use audit::{AuditActor, AuditEntry, FieldChange};
pub use facts::{FactKey, StoredFactDecision};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored record {id} cannot be decoded: {source}")]
    Decode {
        id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("record {id} cannot be encoded: {source}")]
    Encode {
        id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "the store {path} uses an older layout; run an import or `tsunagu reindex` to upgrade it"
    )]
    NeedsUpgrade { path: String },
    #[error(
        "the data directory {path} was written by a newer tsunagu (schema {found}, this build knows {known})"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("audit entry {id} cannot be decoded: {source}")]
    DecodeAudit {
        id: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("audit changes cannot be encoded: {0}")]
    EncodeAudit(#[source] serde_json::Error),
    #[error("an account with login {login:?} already exists")]
    AccountExists { login: String },
    #[error("no account with login {login:?}")]
    NoAccount { login: String },
    #[error("no record with id {id:?}")]
    NoRecord { id: String },
}

/// 2: accounts, sessions, API tokens and the audit log.
/// 3: coordinators' decisions on facts read from listings.
const SCHEMA_VERSION: i64 = 3;

/// A record with what the store knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub record: Record,
    /// Where the engine placed it (derived: ward, town, centre, point).
    pub placement: Placement,
    /// RFC 3339 UTC.
    pub first_imported: String,
    pub last_changed: String,
    pub seq: u64,
}

/// What a write should store for one record.
#[derive(Debug, Clone)]
pub struct RecordWrite {
    pub record: Record,
    pub placement: Placement,
}

/// What happened to each record of a batch, in input order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteEffect {
    Inserted,
    Replaced,
    /// Identical to what was stored; nothing changed, no new `seq`.
    Unchanged,
}

pub struct Store {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The store's layout version, refused when a newer tsunagu wrote it.
fn known_version(conn: &Connection, path: &str) -> Result<i64, StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_string(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

/// The one text form of times in the store (RFC 3339, UTC, milliseconds,
/// `Z`): fixed width, so text order is time order.
pub fn format_time(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn now() -> String {
    format_time(Utc::now())
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        Self::init(conn, path.display().to_string())
    }

    /// Opens an existing store for short writes of its own (accounts,
    /// tokens) beside a running writer: never creates the file, takes no
    /// lock beyond SQLite's own for each transaction, and upgrades an older
    /// layout as any writer does.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::init(conn, path.display().to_string())
    }

    /// Opens an existing store for reading only: no schema change, no
    /// pragma that writes, and SQLite itself refuses any write. Readers use
    /// this while a writer imports (WAL lets both run).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let path = path.display().to_string();
        if known_version(&conn, &path)? < SCHEMA_VERSION {
            // Older layouts are upgraded by the next writer, never by a reader.
            return Err(StoreError::NeedsUpgrade { path });
        }
        Ok(Store { conn, path })
    }

    /// Appends to the unmet-needs log through a short-lived connection of
    /// its own, so a reader (which holds a read-only connection) can record
    /// a consultation without becoming the store's writer.
    pub fn append_unmet(
        path: &Path,
        day: chrono::NaiveDate,
        center_id: Option<&str>,
        needs: &[tsunagu_model::Category],
    ) -> Result<(), StoreError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let store = Store {
            conn,
            path: path.display().to_string(),
        };
        store.log_unmet(day, center_id, needs)
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?, ":memory:".into())
    }

    fn init(conn: Connection, path: String) -> Result<Store, StoreError> {
        // First, so that opening beside another connection's transaction
        // waits instead of failing.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL: readers never block the writer. synchronous=FULL: a commit the
        // caller was told about survives kill -9 and power loss alike.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version = known_version(&conn, &path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS records (
                 id             TEXT PRIMARY KEY,
                 body           TEXT NOT NULL,
                 ward           TEXT,
                 first_imported TEXT NOT NULL,
                 last_changed   TEXT NOT NULL,
                 seq            INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS records_by_seq ON records(seq);

             CREATE TABLE IF NOT EXISTS counters (
                 name  TEXT PRIMARY KEY,
                 value INTEGER NOT NULL
             );
             INSERT OR IGNORE INTO counters(name, value) VALUES ('seq', 0);
             -- Needs no resource met, for 資源開発: need code, centre area and
             -- date only. No person, no free text, nothing finer than the area.
             CREATE TABLE IF NOT EXISTS unmet_needs (
                 id        INTEGER PRIMARY KEY,
                 day       TEXT NOT NULL,
                 center_id TEXT,
                 need      TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS import_runs (
                 id        INTEGER PRIMARY KEY,
                 at        TEXT NOT NULL,
                 source    TEXT NOT NULL,
                 accepted  INTEGER NOT NULL,
                 inserted  INTEGER NOT NULL,
                 replaced  INTEGER NOT NULL,
                 unchanged INTEGER NOT NULL,
                 rejected  INTEGER NOT NULL
             );",
        )?;
        // Placement columns (added with geography); older stores gain them.
        let has_placement: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('records') WHERE name = 'placement'")?
            .exists([])?;
        if !has_placement {
            conn.execute_batch(
                "ALTER TABLE records ADD COLUMN placement TEXT;
                 ALTER TABLE records ADD COLUMN lat REAL;
                 ALTER TABLE records ADD COLUMN lon REAL;",
            )?;
        }
        conn.execute_batch(accounts::SCHEMA)?;
        conn.execute_batch(audit::SCHEMA)?;
        conn.execute_batch(facts::SCHEMA)?;
        if version != SCHEMA_VERSION {
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        Ok(Store { conn, path })
    }

    /// Copies the whole database to `dest` with SQLite's online backup: a
    /// consistent snapshot even while another connection writes.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        let mut target = Connection::open(dest)?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
        }
        target.pragma_update(None, "journal_mode", "WAL")?;
        Ok(())
    }

    /// The newest change sequence number (0 for an empty store).
    pub fn max_seq(&self) -> Result<u64, StoreError> {
        let v: i64 =
            self.conn
                .query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
                    r.get(0)
                })?;
        Ok(v.max(0) as u64)
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        let v: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
        Ok(v.max(0) as u64)
    }

    /// Writes a batch in one transaction: all of it is stored, or none.
    /// Returns the effect on each record, in order. Audited as the system
    /// acting through the command line.
    pub fn write_batch(&mut self, batch: &[RecordWrite]) -> Result<Vec<WriteEffect>, StoreError> {
        self.write_batch_audited(batch, &AuditActor::system("cli"), None)
    }

    /// As [`Store::write_batch`], plus one audit row per record that
    /// changed, in the same transaction: an inserted record gets `create`
    /// with no field changes (its first state is its body minus the later
    /// diffs, which keeps large imports cheap), a replaced one `update` with
    /// each top-level field that differs. `action_override` names the
    /// action of every row of the batch instead (`confirm`, `status`). A record whose body is the
    /// same and only its derived placement moved (a new gazetteer) gets no
    /// row: nobody changed it.
    pub fn write_batch_audited(
        &mut self,
        batch: &[RecordWrite],
        actor: &AuditActor,
        action_override: Option<&str>,
    ) -> Result<Vec<WriteEffect>, StoreError> {
        // IMMEDIATE: the write lock is taken (or waited for) up front, so a
        // short writer of another process (accounts, the unmet-needs log)
        // between our read of the counters and our first write cannot make
        // the upgrade fail with SQLITE_BUSY.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut effects = Vec::with_capacity(batch.len());
        {
            let mut seq: i64 =
                tx.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
                    r.get(0)
                })?;
            let mut select =
                tx.prepare_cached("SELECT body, placement FROM records WHERE id = ?1")?;
            // One statement for new and replaced records; a replacement keeps
            // its first_imported.
            let mut upsert = tx.prepare_cached(
                "INSERT INTO records(id, body, ward, first_imported, last_changed, seq, placement, lat, lon)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET body = excluded.body, ward = excluded.ward,
                     last_changed = excluded.last_changed, seq = excluded.seq,
                     placement = excluded.placement, lat = excluded.lat, lon = excluded.lon",
            )?;
            let at = now();
            let mut audit = audit::Appender::new(&tx)?;
            for w in batch {
                let body =
                    serde_json::to_string(&w.record).map_err(|source| StoreError::Encode {
                        id: w.record.id.clone(),
                        source,
                    })?;
                let ward = w.placement.ward.map(|w| w.name());
                let placement =
                    serde_json::to_string(&w.placement).map_err(|source| StoreError::Encode {
                        id: w.record.id.clone(),
                        source,
                    })?;
                let (lat, lon) = (w.placement.lat, w.placement.lon);
                let existing: Option<(String, Option<String>)> = select
                    .query_row(params![w.record.id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let (effect, audited) = match &existing {
                    Some((old_body, old_placement))
                        if *old_body == body
                            && old_placement.as_deref() == Some(placement.as_str()) =>
                    {
                        (WriteEffect::Unchanged, None)
                    }
                    Some((old_body, _)) if *old_body == body => (WriteEffect::Replaced, None),
                    Some((old_body, _)) => (
                        WriteEffect::Replaced,
                        Some((
                            "update",
                            audit::record_changes(&w.record.id, old_body, &body)?,
                        )),
                    ),
                    None => (WriteEffect::Inserted, Some(("create", Vec::new()))),
                };
                if let Some((action, changes)) = audited {
                    audit.append(
                        &at,
                        actor,
                        action_override.unwrap_or(action),
                        audit::TargetKind::Record,
                        &w.record.id,
                        &changes,
                    )?;
                }
                if effect != WriteEffect::Unchanged {
                    seq += 1;
                    upsert.execute(params![
                        w.record.id,
                        body,
                        ward,
                        at,
                        seq,
                        placement,
                        lat,
                        lon
                    ])?;
                }
                effects.push(effect);
            }
            tx.execute(
                "UPDATE counters SET value = ?1 WHERE name = 'seq'",
                params![seq],
            )?;
            audit.finish()?;
        }
        tx.commit()?;
        Ok(effects)
    }

    /// Logs one finished import (counts only; no record content).
    pub fn log_import(&self, source: &str, counts: [u64; 5]) -> Result<(), StoreError> {
        let [accepted, inserted, replaced, unchanged, rejected] = counts.map(|c| c as i64);
        self.conn.execute(
            "INSERT INTO import_runs(at, source, accepted, inserted, replaced, unchanged, rejected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                now(),
                source,
                accepted,
                inserted,
                replaced,
                unchanged,
                rejected
            ],
        )?;
        Ok(())
    }

    /// Records needs that found no match: codes, centre area, date.
    pub fn log_unmet(
        &self,
        day: chrono::NaiveDate,
        center_id: Option<&str>,
        needs: &[tsunagu_model::Category],
    ) -> Result<(), StoreError> {
        let day = day.format("%Y-%m-%d").to_string();
        // One consultation, one transaction: all its needs or none.
        let tx = self.conn.unchecked_transaction()?;
        for need in needs {
            tx.execute(
                "INSERT INTO unmet_needs(day, center_id, need) VALUES (?1, ?2, ?3)",
                params![day, center_id, need.code()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every row of the unmet-needs log as (day, centre, need), oldest first.
    pub fn unmet_log(&self) -> Result<Vec<(String, Option<String>, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT day, center_id, need FROM unmet_needs ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn get(&self, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, body, placement, first_imported, last_changed, seq FROM records WHERE id = ?1",
        )?;
        let row = stmt.query_row(params![id], raw_row).optional()?;
        row.map(decode).transpose()
    }

    /// Records with these ids, in the given order; unknown ids are skipped.
    pub fn get_many(&self, ids: &[String]) -> Result<Vec<StoredRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.get(id)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Every located record's id and point, for the spatial index.
    pub fn points(&self) -> Result<Vec<(String, f64, f64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, lat, lon FROM records WHERE lat IS NOT NULL AND lon IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `f` for every record changed after `seq`, in `seq` order.
    pub fn for_each_since(
        &self,
        seq: u64,
        mut f: impl FnMut(StoredRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, body, placement, first_imported, last_changed, seq FROM records
             WHERE seq > ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![seq as i64], raw_row)?;
        for row in rows {
            f(decode(row?)?)?;
        }
        Ok(())
    }
}

type RawRow = (String, String, Option<String>, String, String, i64);

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn decode(
    (id, body, placement, first_imported, last_changed, seq): RawRow,
) -> Result<StoredRecord, StoreError> {
    let placement: Placement = match placement {
        Some(p) => serde_json::from_str(&p).map_err(|source| StoreError::Decode {
            id: id.clone(),
            source,
        })?,
        None => Placement::default(),
    };
    let record: Record =
        serde_json::from_str(&body).map_err(|source| StoreError::Decode { id, source })?;
    Ok(StoredRecord {
        record,
        placement,
        first_imported,
        last_changed,
        seq: seq.max(0) as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagu_model::{Ward, record_from_json};

    fn record(id: &str, name: &str) -> Record {
        let v = serde_json::json!({"id": id, "kind": "kayoi", "name": name,
            "categories": ["salon"], "address": "千葉市稲毛区小仲台2丁目"});
        record_from_json(v.as_object().unwrap()).unwrap()
    }

    fn write(store: &mut Store, id: &str, name: &str) -> WriteEffect {
        store
            .write_batch(&[RecordWrite {
                record: record(id, name),
                placement: Placement {
                    ward: Some(Ward::Inage),
                    lat: Some(35.65),
                    lon: Some(140.1),
                    ..Placement::default()
                },
            }])
            .unwrap()[0]
    }

    #[test]
    fn insert_replace_unchanged_and_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        assert_eq!(write(&mut store, "a", "サロン"), WriteEffect::Inserted);
        assert_eq!(write(&mut store, "b", "体操"), WriteEffect::Inserted);
        let first = store.get("a").unwrap().unwrap();
        assert_eq!(write(&mut store, "a", "サロン"), WriteEffect::Unchanged);
        assert_eq!(store.max_seq().unwrap(), 2);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(write(&mut store, "a", "新サロン"), WriteEffect::Replaced);
        let a = store.get("a").unwrap().unwrap();
        assert_eq!(a.record.name, "新サロン");
        assert_eq!(a.first_imported, first.first_imported);
        assert_ne!(a.last_changed, first.last_changed);
        assert_eq!(a.seq, 3);
        let mut since = Vec::new();
        store
            .for_each_since(2, |r| {
                since.push(r.record.id);
                Ok(())
            })
            .unwrap();
        assert_eq!(since, vec!["a"]);
        assert_eq!(store.count().unwrap(), 2);
        drop(store);
        let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        assert_eq!(
            store.get("b").unwrap().unwrap().placement.ward,
            Some(Ward::Inage)
        );
        assert_eq!(store.points().unwrap().len(), 2);
    }

    fn write_record(store: &mut Store, r: Record, action: Option<&str>) -> WriteEffect {
        store
            .write_batch_audited(
                &[RecordWrite {
                    record: r,
                    placement: Placement::default(),
                }],
                &AuditActor::new("tanaka", "api"),
                action,
            )
            .unwrap()[0]
    }

    #[test]
    fn audit_rows_per_changed_record_with_field_diffs() {
        let mut store = Store::open_in_memory().unwrap();
        let mut r = record("a", "サロン");
        r.description = Some("お茶会".into());
        assert_eq!(
            write_record(&mut store, r.clone(), None),
            WriteEffect::Inserted
        );
        assert_eq!(
            write_record(&mut store, r.clone(), None),
            WriteEffect::Unchanged
        );
        let mut renamed = r.clone();
        renamed.name = "新サロン".into();
        renamed.description = None;
        renamed.fee_yen = Some(100);
        assert_eq!(
            write_record(&mut store, renamed.clone(), None),
            WriteEffect::Replaced
        );
        let mut confirmed = renamed.clone();
        confirmed.verified_on = chrono::NaiveDate::from_ymd_opt(2025, 4, 1);
        assert_eq!(
            write_record(&mut store, confirmed, Some("confirm")),
            WriteEffect::Replaced
        );
        // Another record's rows do not show in this one's history.
        write_record(&mut store, record("b", "体操"), None);

        let history = store.record_history("a").unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["create", "update", "confirm"]);
        assert!(history.windows(2).all(|w| w[0].id < w[1].id));
        assert!(history[0].changes.is_empty());
        assert_eq!(history[0].actor, "tanaka");
        assert_eq!(history[0].via, "api");
        assert_eq!(history[0].target_kind, "record");
        let change = |e: &AuditEntry, f: &str| {
            e.changes
                .iter()
                .find(|c| c.field == f)
                .cloned()
                .unwrap_or_else(|| panic!("no change of {f} in {e:?}"))
        };
        let update = &history[1];
        assert_eq!(update.changes.len(), 3, "{update:?}");
        assert_eq!(
            change(update, "name"),
            FieldChange {
                field: "name".into(),
                before: Some("サロン".into()),
                after: Some("新サロン".into())
            }
        );
        let description = change(update, "description");
        assert_eq!(description.before, Some("お茶会".into()));
        assert_eq!(description.after, None);
        let fee = change(update, "fee_yen");
        assert_eq!((fee.before, fee.after), (None, Some(100.into())));
        assert_eq!(history[2].changes.len(), 1);
        assert_eq!(
            change(&history[2], "verified_on").after,
            Some("2025-04-01".into())
        );

        // The whole log pages by id.
        let all = store.audit_log(0, 100).unwrap();
        assert_eq!(all.len(), 4);
        let page = store.audit_log(all[1].id, 2).unwrap();
        assert_eq!(
            page.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![all[2].id, all[3].id]
        );
        assert!(store.audit_log(all[3].id, 10).unwrap().is_empty());
        // write_batch is the system through the command line.
        store
            .write_batch(&[RecordWrite {
                record: record("c", "囲碁"),
                placement: Placement::default(),
            }])
            .unwrap();
        let last = store.record_history("c").unwrap();
        assert_eq!(
            (last[0].actor.as_str(), last[0].via.as_str()),
            ("system", "cli")
        );
    }

    #[test]
    fn placement_only_change_is_not_audited() {
        let mut store = Store::open_in_memory().unwrap();
        write(&mut store, "a", "サロン");
        let moved = RecordWrite {
            record: record("a", "サロン"),
            placement: Placement {
                ward: Some(Ward::Mihama),
                ..Placement::default()
            },
        };
        assert_eq!(
            store.write_batch(&[moved]).unwrap(),
            vec![WriteEffect::Replaced]
        );
        assert_eq!(store.record_history("a").unwrap().len(), 1);
    }

    #[test]
    fn a_failing_batch_leaves_no_audit_row() {
        let mut store = Store::open_in_memory().unwrap();
        write(&mut store, "a", "サロン");
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON records WHEN NEW.id = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )
            .unwrap();
        let batch = [
            RecordWrite {
                record: record("a", "改名サロン"),
                placement: Placement::default(),
            },
            RecordWrite {
                record: record("x", "新しい"),
                placement: Placement::default(),
            },
            RecordWrite {
                record: record("boom", "失敗"),
                placement: Placement::default(),
            },
        ];
        assert!(store.write_batch(&batch).is_err());
        assert_eq!(store.audit_log(0, 100).unwrap().len(), 1);
        assert!(store.get("x").unwrap().is_none());
        assert_eq!(store.get("a").unwrap().unwrap().record.name, "サロン");
        // The counter did not move either: the next row follows the first.
        write(&mut store, "y", "次");
        let ids: Vec<u64> = store
            .audit_log(0, 100)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec![1, 2]);
    }

    #[test]
    fn the_audit_log_refuses_updates_and_deletes() {
        let mut store = Store::open_in_memory().unwrap();
        write(&mut store, "a", "サロン");
        assert!(
            store
                .conn
                .execute("UPDATE audit SET actor = 'x'", [])
                .is_err()
        );
        assert!(store.conn.execute("DELETE FROM audit", []).is_err());
        assert_eq!(store.audit_log(0, 10).unwrap()[0].actor, "system");
    }

    fn account(login: &str) -> AccountRow {
        AccountRow {
            login: login.into(),
            role: "coordinator".into(),
            name: "千葉 花子".into(),
            title: Some("生活支援コーディネーター".into()),
            organization: Some("社会福祉法人つなぐ会".into()),
            center_id: Some("AC05".into()),
            appointed_on: Some("2025-04-01".into()),
            appointed_reason: Some("委託".into()),
            valid_from: "2025-04-01".into(),
            valid_until: Some("2026-03-31".into()),
            ended_on: None,
            ended_reason: None,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn accounts_tokens_and_sessions() {
        let mut store = Store::open_in_memory().unwrap();
        let admin = AuditActor::system("cli");
        let stored = store
            .insert_account(&account("hanako"), &admin, &[])
            .unwrap();
        assert!(!stored.created_at.is_empty());
        assert_eq!(store.account("hanako").unwrap(), Some(stored.clone()));
        assert!(matches!(
            store.insert_account(&account("hanako"), &admin, &[]),
            Err(StoreError::AccountExists { .. })
        ));
        assert!(!format!("{stored:?}").contains("argon2"));
        let ended = AccountRow {
            ended_on: Some("2025-09-30".into()),
            ended_reason: Some("異動".into()),
            ..stored.clone()
        };
        let after = store
            .update_account(&ended, &admin, "account.end", &[])
            .unwrap();
        assert_eq!(after.ended_on.as_deref(), Some("2025-09-30"));
        assert_eq!(after.created_at, stored.created_at);
        assert!(matches!(
            store.update_account(&account("nobody"), &admin, "account.end", &[]),
            Err(StoreError::NoAccount { .. })
        ));
        let history = store.account_history("hanako").unwrap();
        assert_eq!(
            history
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["account.add", "account.end"]
        );
        assert_eq!(history[0].target_kind, "account");

        let t1 = store.insert_token("hanako", "h1", "集計", &admin).unwrap();
        let t2 = store.insert_token("hanako", "h2", "", &admin).unwrap();
        assert_eq!((t1.id, t2.id), (1, 2));
        assert!(matches!(
            store.insert_token("nobody", "h3", "", &admin),
            Err(StoreError::NoAccount { .. })
        ));
        assert_eq!(store.token_by_hash("h2").unwrap(), Some(t2.clone()));
        let revoked = store.revoke_token(1, &admin).unwrap().unwrap();
        assert!(revoked.revoked_at.is_some());
        let again = store.revoke_token(1, &admin).unwrap().unwrap();
        assert_eq!(again.revoked_at, revoked.revoked_at);
        assert!(store.revoke_token(99, &admin).unwrap().is_none());
        assert_eq!(store.tokens(Some("hanako")).unwrap().len(), 2);
        assert_eq!(store.tokens(None).unwrap().len(), 2);
        assert!(store.tokens(Some("other")).unwrap().is_empty());
        let actions: Vec<String> = store
            .account_history("hanako")
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "account.add",
                "account.end",
                "token.create",
                "token.create",
                "token.revoke"
            ]
        );
        // Token hashes never reach the log.
        let log = serde_json::to_string(&store.audit_log(0, 100).unwrap()).unwrap();
        assert!(!log.contains("\"h1\""), "{log}");

        let session = SessionRow {
            id_hash: "s1".into(),
            login: "hanako".into(),
            csrf_token: "c".into(),
            created_at: "2025-05-01T00:00:00.000Z".into(),
            expires_at: "2025-05-01T08:00:00.000Z".into(),
            last_seen_at: "2025-05-01T00:00:00.000Z".into(),
        };
        store.insert_session(&session).unwrap();
        store
            .touch_session("s1", "2025-05-01T01:00:00.000Z")
            .unwrap();
        assert_eq!(
            store.session("s1").unwrap().unwrap().last_seen_at,
            "2025-05-01T01:00:00.000Z"
        );
        assert_eq!(
            store
                .delete_expired_sessions("2025-05-01T07:59:59.999Z")
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .delete_expired_sessions("2025-05-01T08:00:00.000Z")
                .unwrap(),
            1
        );
        assert!(!store.delete_session("s1").unwrap());
        // A session of an unknown account is refused by the foreign key.
        assert!(
            store
                .insert_session(&SessionRow {
                    login: "nobody".into(),
                    ..session
                })
                .is_err()
        );
    }

    #[test]
    fn a_version_1_store_is_upgraded_by_a_writer_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE records (id TEXT PRIMARY KEY, body TEXT NOT NULL, ward TEXT,
                     first_imported TEXT NOT NULL, last_changed TEXT NOT NULL, seq INTEGER NOT NULL,
                     placement TEXT, lat REAL, lon REAL);
                 CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                 INSERT INTO counters VALUES ('seq', 0);
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        assert!(matches!(
            Store::open_read_only(&path),
            Err(StoreError::NeedsUpgrade { .. })
        ));
        let mut store = Store::open_existing(&path).unwrap();
        store
            .insert_account(&account("hanako"), &AuditActor::system("cli"), &[])
            .unwrap();
        drop(store);
        let reader = Store::open_read_only(&path).unwrap();
        assert_eq!(reader.accounts().unwrap().len(), 1);
        assert_eq!(reader.account_history("hanako").unwrap().len(), 1);
    }

    #[test]
    fn open_existing_never_creates_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite3");
        assert!(Store::open_existing(&path).is_err());
        assert!(!path.exists());
    }
}
