//! What the engine reads out of a record's published text at import: its
//! schedule as slots and its fee with a unit. Kept beside the record; the
//! record itself stays as the provider sent it.

use serde::{Deserialize, Serialize};

use crate::codes::Weekday;
use crate::record::TimeOfDay;

/// One recurring time. The spec's slot plus days of the month, every other
/// week and public holidays, which published schedules use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeSlot {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<Weekday>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weeks: Vec<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<u8>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub every_other_week: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub holidays: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<TimeOfDay>,
}

/// What is known of when a resource runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "slots", rename_all = "snake_case")]
pub enum ScheduleKnowledge {
    /// From `schedule`, or parsed from `schedule_text`.
    Slots(Vec<TimeSlot>),
    /// 不定期, 随時, 要相談.
    Irregular,
    /// `schedule_text` given but not understood.
    Unparsed,
    /// Nothing published.
    #[default]
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeUnit {
    PerVisit,
    PerMonth,
    PerYear,
    PerHour,
    PerMeal,
    Unknown,
}

/// What is known of the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeKnowledge {
    pub yen: Option<u64>,
    pub unit: FeeUnit,
}

impl Default for FeeKnowledge {
    fn default() -> Self {
        FeeKnowledge {
            yen: None,
            unit: FeeUnit::Unknown,
        }
    }
}

impl FeeKnowledge {
    /// Yen per visit or use, when known (a monthly fee says nothing per visit).
    pub fn per_visit(&self) -> Option<u64> {
        match self.unit {
            FeeUnit::PerVisit | FeeUnit::PerMeal => self.yen,
            _ => None,
        }
    }
}
