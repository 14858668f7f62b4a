//! The record store: SQLite in WAL mode, the source of truth.
//!
//! Every change gets a sequence number (`seq`) from one counter. The index
//! records in each of its commits the `seq` it has caught up to, so after a
//! crash between a store commit and an index commit the engine re-indexes
//! exactly the records changed since. One writer, many readers: SQLite's WAL
//! lets readers run while the single writer commits.

use std::path::Path;

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;
use tsunagu_model::{Placement, Record};

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
}

const SCHEMA_VERSION: i64 = 1;

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

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
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
        // WAL: readers never block the writer. synchronous=FULL: a commit the
        // caller was told about survives kill -9 and power loss alike.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        known_version(&conn, &path)?;
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
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Store { conn, path })
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
    /// Returns the effect on each record, in order.
    pub fn write_batch(&mut self, batch: &[RecordWrite]) -> Result<Vec<WriteEffect>, StoreError> {
        let tx = self.conn.transaction()?;
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
                let effect = match existing {
                    Some((old_body, old_placement))
                        if old_body == body
                            && old_placement.as_deref() == Some(placement.as_str()) =>
                    {
                        WriteEffect::Unchanged
                    }
                    Some(_) => WriteEffect::Replaced,
                    None => WriteEffect::Inserted,
                };
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
}
