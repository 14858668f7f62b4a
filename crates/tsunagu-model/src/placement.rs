//! What the engine derived from a record at import: where it is (ward,
//! 町丁目, centre, point) and what its published schedule and fee mean. The
//! store keeps it beside the record; it is never part of the interchange
//! format.

use serde::{Deserialize, Serialize};

use crate::derived::{FeeKnowledge, ScheduleKnowledge};
use crate::ward::Ward;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<Ward>,
    /// Official 町丁目 name (「小仲台二丁目」) or town name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// あんしんケアセンター id (AC01…), when one centre covers the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_id: Option<String>,
    /// The record's own point, or the one located from its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// True when the point came from the address (the record had none).
    #[serde(default)]
    pub located_from_address: bool,
    /// False for resources outside Chiba City.
    #[serde(default = "yes")]
    pub inside_city: bool,
    #[serde(default)]
    pub schedule: ScheduleKnowledge,
    #[serde(default)]
    pub fee: FeeKnowledge,
}

fn yes() -> bool {
    true
}

impl Placement {
    pub fn point(&self) -> Option<(f64, f64)> {
        self.lat.zip(self.lon)
    }
}
