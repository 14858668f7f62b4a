//! What coordinators and the city read about records beyond search: one
//! record as stored (with its placement and change number), its history,
//! the audit log, records not confirmed for a year, and the unmet-needs
//! counts.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tsunagu_model::{Kind, Record, Status};
use tsunagu_store::{AuditEntry, StoredRecord};

use crate::{Directory, EngineError};

/// A record as a coordinator edits it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RecordView {
    pub record: Record,
    pub placement: tsunagu_model::Placement,
    /// Send back as `expected_seq` (or `If-Match`) to refuse an edit when
    /// someone else changed the record in between.
    pub seq: u64,
    pub first_imported: String,
    pub last_changed: String,
}

/// A record not confirmed for a long time.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StaleRecord {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    /// Never confirmed when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_on: Option<NaiveDate>,
}

/// Unmet needs of one centre, need and month (consultations counted once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UnmetCount {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_id: Option<String>,
    pub need: String,
    /// `YYYY-MM`.
    pub month: String,
    pub count: u64,
}

impl Directory {
    /// A record with everything stored about it (internal fields included:
    /// callers check the caller may read them).
    pub fn record_view(&self, id: &str) -> Result<Option<RecordView>, EngineError> {
        Ok(self.store.get(id)?.map(view))
    }

    /// Changes to one record, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<AuditEntry>, EngineError> {
        Ok(self.store.record_history(id)?)
    }

    /// The audit log after entry `after_id`, at most `limit` entries.
    pub fn audit_log(&self, after_id: u64, limit: usize) -> Result<Vec<AuditEntry>, EngineError> {
        crate::limits::check_limit("limit", limit)?;
        Ok(self.store.audit_log(after_id, limit)?)
    }

    /// Records (active or paused) whose `verified_on` is before `cutoff` or
    /// missing, in one centre's area or everywhere, oldest first. Closed
    /// records need no confirming.
    pub fn stale_records(
        &self,
        centre: Option<&str>,
        cutoff: NaiveDate,
    ) -> Result<Vec<StaleRecord>, EngineError> {
        let mut out = Vec::new();
        self.store.for_each_since(0, |s| {
            let r = &s.record;
            let in_area = centre.is_none_or(|c| s.placement.center_id.as_deref() == Some(c));
            let stale = r.verified_on.is_none_or(|d| d < cutoff);
            if in_area && stale && r.status != Status::Closed {
                out.push(StaleRecord {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    kind: r.kind,
                    status: r.status,
                    center_id: s.placement.center_id.clone(),
                    ward: s.placement.ward.map(|w| w.name().to_string()),
                    organizer: r.organizer.as_ref().map(|o| o.name.clone()),
                    verified_on: r.verified_on,
                });
            }
            Ok(())
        })?;
        out.sort_by(|a, b| a.verified_on.cmp(&b.verified_on).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Unmet needs by centre, need and month, between two days (inclusive),
    /// for one centre or all.
    pub fn unmet_counts(
        &self,
        centre: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<UnmetCount>, EngineError> {
        let mut counts: BTreeMap<(Option<String>, String, String), u64> = BTreeMap::new();
        for (day, center_id, need) in self.store.unmet_log()? {
            let Ok(date) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
                continue;
            };
            if from.is_some_and(|f| date < f) || to.is_some_and(|t| date > t) {
                continue;
            }
            if centre.is_some_and(|c| center_id.as_deref() != Some(c)) {
                continue;
            }
            let month = format!("{:04}-{:02}", date.year(), date.month());
            *counts.entry((center_id, need, month)).or_default() += 1;
        }
        Ok(counts
            .into_iter()
            .map(|((center_id, need, month), count)| UnmetCount {
                center_id,
                need,
                month,
                count,
            })
            .collect())
    }

    /// Whether a record exists at all (any visibility).
    pub fn exists(&self, id: &str) -> Result<bool, EngineError> {
        Ok(self.store.get(id)?.is_some())
    }
}

fn view(s: StoredRecord) -> RecordView {
    RecordView {
        record: s.record,
        placement: s.placement,
        seq: s.seq,
        first_imported: s.first_imported,
        last_changed: s.last_changed,
    }
}
