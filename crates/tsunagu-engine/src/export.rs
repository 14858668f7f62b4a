//! Every record of the store, one at a time, as an audience may see it:
//! what exports (`tsunagu export`, `tsunagu-export`) stream from.
//!
//! Records come in the store's change order, read in one pass of one
//! statement (so one consistent snapshot, however long the export takes,
//! while a writer goes on), never all in memory. Paused and closed records
//! are included with their status; internal records only for coordinators.
//! Each record passes through [`Audience::project`], the one place that
//! decides what the public may see.

use tsunagu_model::{Audience, Placement, Record};
use tsunagu_store::Store;

use crate::describe::InWords;
use crate::{Directory, DirectoryConfig, EngineError, STORE_FILE};

/// One record for an export.
#[derive(Debug)]
pub struct ExportRecord<'a> {
    /// Projected for the export's audience.
    pub record: &'a Record,
    pub placement: &'a Placement,
    /// When the store last changed it (RFC 3339, UTC).
    pub last_changed: &'a str,
    /// Its place, schedule and fee in the words every output uses.
    pub words: InWords,
}

/// A data directory opened for exports: its store, read-only, and nothing
/// else (no index, no dictionaries, no lock). Like every reader it creates
/// nothing, and sees the last committed state while a writer works.
pub struct RecordSource {
    store: Store,
}

impl RecordSource {
    pub fn open(config: &DirectoryConfig) -> Result<RecordSource, EngineError> {
        let path = config.data_dir.join(STORE_FILE);
        if !path.is_file() {
            return Err(EngineError::NoDataDir {
                path: config.data_dir.clone(),
            });
        }
        Ok(RecordSource {
            store: Store::open_read_only(&path)?,
        })
    }

    /// Hands `f` each record the audience may see; see [`for_each_record`].
    pub fn for_each_record<E: From<EngineError>>(
        &self,
        audience: Audience,
        f: impl FnMut(&ExportRecord<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        for_each_record(&self.store, audience, f)
    }
}

impl Directory {
    /// Hands `f` each record the audience may see; see [`for_each_record`].
    pub fn for_each_record<E: From<EngineError>>(
        &self,
        audience: Audience,
        f: impl FnMut(&ExportRecord<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        for_each_record(&self.store, audience, f)
    }
}

/// Calls `f` for every record of the store the audience may see, projected,
/// in change order; returns how many it was handed. The first error of `f`
/// ends the export: later records are read past (the store's one pass
/// cannot be cut short from here) but `f` is not called again, and that
/// error is returned.
pub fn for_each_record<E: From<EngineError>>(
    store: &Store,
    audience: Audience,
    mut f: impl FnMut(&ExportRecord<'_>) -> Result<(), E>,
) -> Result<u64, E> {
    let mut handed = 0u64;
    let mut failed: Option<E> = None;
    store
        .for_each_since(0, |stored| {
            if failed.is_some() {
                return Ok(());
            }
            let Some(record) = audience.project(&stored.record) else {
                return Ok(());
            };
            let item = ExportRecord {
                words: InWords::of(&record, &stored.placement),
                record: &record,
                placement: &stored.placement,
                last_changed: &stored.last_changed,
            };
            match f(&item) {
                Ok(()) => handed += 1,
                Err(e) => failed = Some(e),
            }
            Ok(())
        })
        .map_err(|e| E::from(EngineError::from(e)))?;
    match failed {
        Some(e) => Err(e),
        None => Ok(handed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tsunagu_store::RecordWrite;

    fn record(id: &str, extra: serde_json::Value) -> Record {
        let mut v = serde_json::json!({"id": id, "kind": "kayoi", "name": "サロン",
            "categories": ["salon"], "address": "千葉市稲毛区小仲台2丁目",
            "notes_internal": "内部のメモ", "contact": {"person": "佐藤", "phone": "043"}});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        let o = v.as_object().cloned().unwrap_or_default();
        tsunagu_model::record_from_json(&o).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn store() -> Store {
        let mut store = Store::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let writes: Vec<RecordWrite> = [
            record("a", serde_json::json!({})),
            record("b", serde_json::json!({"visibility": "internal"})),
            record("c", serde_json::json!({"status": "paused"})),
            record("d", serde_json::json!({"status": "closed"})),
        ]
        .into_iter()
        .map(|record| RecordWrite {
            record,
            placement: Placement::default(),
        })
        .collect();
        store.write_batch(&writes).unwrap_or_else(|e| panic!("{e}"));
        store
    }

    fn seen(store: &Store, audience: Audience) -> Vec<Record> {
        let mut out = Vec::new();
        let n = for_each_record(store, audience, |item| {
            assert!(!item.last_changed.is_empty());
            out.push(item.record.clone());
            Ok::<(), EngineError>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n as usize, out.len());
        out
    }

    #[test]
    fn public_exports_get_projected_records_and_keep_paused_and_closed_ones() {
        let store = store();
        let public = seen(&store, Audience::Public);
        let ids: Vec<&str> = public.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "c", "d"], "internal b left out");
        for r in &public {
            assert_eq!(r.notes_internal, None);
            assert_eq!(r.contact.as_ref().and_then(|c| c.person.as_deref()), None);
        }
        let all = seen(&store, Audience::Coordinator);
        assert_eq!(all.len(), 4);
        assert_eq!(all[1].notes_internal.as_deref(), Some("内部のメモ"));
    }

    #[test]
    fn the_first_error_of_the_caller_ends_the_export() {
        let store = store();
        let mut calls = 0;
        let result = for_each_record(&store, Audience::Coordinator, |_| {
            calls += 1;
            if calls == 2 {
                Err(EngineError::ReadOnly("test"))
            } else {
                Ok(())
            }
        });
        assert!(matches!(result, Err(EngineError::ReadOnly("test"))));
        assert_eq!(calls, 2);
    }

    #[test]
    fn a_missing_data_directory_is_said_and_not_created() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let data = dir.path().join("none");
        let err = RecordSource::open(&DirectoryConfig::new(&data)).err();
        assert!(matches!(err, Some(EngineError::NoDataDir { .. })));
        assert!(!data.exists());
    }
}
