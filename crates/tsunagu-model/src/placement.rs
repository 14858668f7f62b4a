//! What the engine derived from a record at import: where it is (ward,
//! 町丁目, centre, point) and what its published schedule and fee mean. The
//! store keeps it beside the record; it is never part of the interchange
//! format.

use serde::{Deserialize, Serialize};

use crate::codes::Feature;
use crate::derived::{Fact, FeeKnowledge, ListingFact, ScheduleKnowledge};
use crate::record::Record;
use crate::ward::Ward;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Features and who-facts read from the listing's text, each with the
    /// phrase it came from; never merged into the record's own `features`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<ListingFact>,
}

fn yes() -> bool {
    true
}

impl Placement {
    pub fn point(&self) -> Option<(f64, f64)> {
        self.lat.zip(self.lon)
    }

    /// Whether the record has this feature, published or read from its text.
    pub fn has_feature(&self, record: &Record, feature: Feature) -> bool {
        record.features.contains(&feature)
            || self
                .facts
                .iter()
                .any(|f| f.fact == Fact::Feature(feature) && f.holds())
    }

    /// The listing fact that grants this feature, when only the text does.
    pub fn derived_feature(&self, feature: Feature) -> Option<&ListingFact> {
        self.facts
            .iter()
            .find(|f| f.fact == Fact::Feature(feature) && f.holds())
    }

    /// Whether a who-fact the text gives holds (not rejected).
    pub fn has_who(&self, who: crate::Who) -> bool {
        self.facts
            .iter()
            .any(|f| f.fact == Fact::Who(who) && f.holds())
    }
}
