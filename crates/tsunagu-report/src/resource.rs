//! What a report needs of one record: kept small, since a city-wide report
//! holds one per record.

use chrono::NaiveDate;
use tsunagu_model::{
    Category, Kind, OrgType, Placement, Record, ScheduleKnowledge, Status, Visibility, Ward,
};

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceFacts {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub categories: Vec<Category>,
    pub status: Status,
    pub visibility: Visibility,
    pub organizer: Option<String>,
    pub organizer_type: Option<OrgType>,
    pub ward: Option<Ward>,
    pub centre: Option<String>,
    pub town: Option<String>,
    pub address: Option<String>,
    pub point: Option<(f64, f64)>,
    pub verified_on: Option<NaiveDate>,
    /// The day it first came into the directory, and the day it last changed.
    pub first_imported: Option<NaiveDate>,
    pub last_changed: Option<NaiveDate>,
    pub schedule: ScheduleKnowledge,
}

impl ResourceFacts {
    /// From a stored record; the times are the store's RFC 3339 stamps
    /// (only their day is kept).
    pub fn of(
        record: &Record,
        placement: &Placement,
        first_imported: &str,
        last_changed: &str,
    ) -> ResourceFacts {
        let day = |t: &str| NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").ok();
        ResourceFacts {
            id: record.id.clone(),
            name: record.name.clone(),
            kind: record.kind,
            categories: record.categories.clone(),
            status: record.status,
            visibility: record.visibility,
            organizer: record.organizer.as_ref().map(|o| o.name.clone()),
            organizer_type: record.organizer.as_ref().and_then(|o| o.org_type),
            ward: placement.ward,
            centre: placement.center_id.clone(),
            town: placement.town.clone(),
            address: record.address.clone(),
            point: placement.point(),
            verified_on: record.verified_on,
            first_imported: day(first_imported),
            last_changed: day(last_changed),
            schedule: placement.schedule.clone(),
        }
    }

    pub fn is_public(&self) -> bool {
        self.visibility == Visibility::Public
    }

    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
}
