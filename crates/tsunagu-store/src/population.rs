//! The population table reports are read against (residents, 65+ and 75+
//! per 町丁目), replaced whole by each import. Public statistics, so no
//! audit row; the table keeps where it came from and when.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{Store, StoreError, now};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS population (
    ward     TEXT NOT NULL,
    town     TEXT NOT NULL,
    total    INTEGER,
    aged_65  INTEGER,
    aged_75  INTEGER,
    PRIMARY KEY (ward, town)
);
CREATE TABLE IF NOT EXISTS population_source (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    source      TEXT NOT NULL,
    as_of       TEXT,
    imported_at TEXT NOT NULL
);
";

/// One town's counts as stored (`None`: not known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationRow {
    pub ward: String,
    pub town: String,
    pub total: Option<u64>,
    pub aged_65: Option<u64>,
    pub aged_75: Option<u64>,
}

/// Where the stored table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationSource {
    pub source: String,
    pub as_of: Option<String>,
    pub imported_at: String,
}

fn to_i64(n: Option<u64>) -> Option<i64> {
    n.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

impl Store {
    /// Replaces the whole table in one transaction.
    pub fn replace_population(
        &mut self,
        rows: &[PopulationRow],
        source: &str,
        as_of: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM population", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO population(ward, town, total, aged_65, aged_75) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(ward, town) DO UPDATE SET
                     total = total + excluded.total,
                     aged_65 = aged_65 + excluded.aged_65,
                     aged_75 = aged_75 + excluded.aged_75",
            )?;
            for r in rows {
                insert.execute(params![
                    r.ward,
                    r.town,
                    to_i64(r.total),
                    to_i64(r.aged_65),
                    to_i64(r.aged_75)
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO population_source(id, source, as_of, imported_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET source = excluded.source, as_of = excluded.as_of,
                 imported_at = excluded.imported_at",
            params![source, as_of, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The stored table and its source, or `None` when none was imported.
    pub fn population(&self) -> Result<Option<(PopulationSource, Vec<PopulationRow>)>, StoreError> {
        let source = self
            .conn
            .query_row(
                "SELECT source, as_of, imported_at FROM population_source WHERE id = 1",
                [],
                |r| {
                    Ok(PopulationSource {
                        source: r.get(0)?,
                        as_of: r.get(1)?,
                        imported_at: r.get(2)?,
                    })
                },
            )
            .optional()?;
        let Some(source) = source else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT ward, town, total, aged_65, aged_75 FROM population ORDER BY ward, town",
        )?;
        let count = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
        let rows = stmt
            .query_map([], |r| {
                Ok(PopulationRow {
                    ward: r.get(0)?,
                    town: r.get(1)?,
                    total: count(r.get(2)?),
                    aged_65: count(r.get(3)?),
                    aged_75: count(r.get(4)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((source, rows)))
    }
}
