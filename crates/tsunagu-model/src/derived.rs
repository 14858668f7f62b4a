//! What the engine reads out of a record's published text at import: its
//! schedule as slots and its fee with a unit. Kept beside the record; the
//! record itself stays as the provider sent it.

use serde::{Deserialize, Serialize};

use crate::codes::{Feature, Weekday, Who};
use crate::record::TimeOfDay;

/// One recurring time. The spec's slot plus days of the month, every other
/// week and public holidays, which published schedules use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FeeKnowledge {
    pub yen: Option<u64>,
    pub unit: FeeUnit,
    /// With [`FeeUnit::PerHour`]: the minutes one priced unit lasts
    /// (「30分300円」 → 30); absent means 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u16>,
}

impl Default for FeeKnowledge {
    fn default() -> Self {
        FeeKnowledge {
            yen: None,
            unit: FeeUnit::Unknown,
            minutes: None,
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

    /// The least one use costs, when known: the per-visit price, or one
    /// priced unit of time (「1時間600円」 costs at least 600 yen). This is
    /// what a budget or a 「無料」 is compared with.
    pub fn least_per_use(&self) -> Option<u64> {
        match self.unit {
            FeeUnit::PerVisit | FeeUnit::PerMeal | FeeUnit::PerHour => self.yen,
            _ => None,
        }
    }

    /// The price in words for reasons and tables: 「無料」「1回100円」
    /// 「1食500円」「1時間600円」「30分300円」「月500円」「年1,000円」.
    pub fn describe_ja(&self) -> Option<String> {
        let yen = self.yen?;
        if yen == 0 {
            return Some("無料".to_string());
        }
        let amount = format!("{}円", group_thousands(yen));
        Some(match self.unit {
            FeeUnit::PerVisit => format!("1回{amount}"),
            FeeUnit::PerMeal => format!("1食{amount}"),
            FeeUnit::PerHour => match self.minutes.unwrap_or(60) {
                60 => format!("1時間{amount}"),
                m if m.is_multiple_of(60) => format!("{}時間{amount}", m / 60),
                m => format!("{m}分{amount}"),
            },
            FeeUnit::PerMonth => format!("月{amount}"),
            FeeUnit::PerYear => format!("年{amount}"),
            FeeUnit::Unknown => amount,
        })
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A fact read out of a listing's own words (「駐車場あり」「女性限定」),
/// kept apart from the codes the provider published so a coordinator can
/// see where it came from and confirm or reject it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ListingFact {
    pub fact: Fact,
    /// The words it was read from, as written (at most a short clause).
    pub phrase: String,
    /// The record key the phrase is in: `description`, `target`,
    /// `fee_text`, `schedule_text` or `name`.
    pub field: String,
    /// A coordinator's decision on it, when one was made for this very
    /// phrase: a rejected fact grants nothing; a confirmed one is no longer
    /// said to need confirming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<FactDecision>,
}

impl ListingFact {
    /// Whether the fact counts: read from the text and not rejected.
    pub fn holds(&self) -> bool {
        self.decision
            .as_ref()
            .is_none_or(|d| d.verdict != FactVerdict::Rejected)
    }

    pub fn confirmed(&self) -> bool {
        self.decision
            .as_ref()
            .is_some_and(|d| d.verdict == FactVerdict::Confirmed)
    }
}

/// What a coordinator decided about a listing fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactVerdict {
    /// The listing does say so.
    Confirmed,
    /// A misreading: the fact is dropped from search and matching.
    Rejected,
}

impl FactVerdict {
    pub fn code(self) -> &'static str {
        match self {
            FactVerdict::Confirmed => "confirmed",
            FactVerdict::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<FactVerdict> {
        match code {
            "confirmed" => Some(FactVerdict::Confirmed),
            "rejected" => Some(FactVerdict::Rejected),
            _ => None,
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            FactVerdict::Confirmed => "確認済み",
            FactVerdict::Rejected => "誤りとして除外",
        }
    }
}

/// A decision with the day it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FactDecision {
    pub verdict: FactVerdict,
    pub on: chrono::NaiveDate,
}

/// What a listing fact says: a feature of the spec, or who is welcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
pub enum Fact {
    Feature(Feature),
    Who(Who),
}

impl Fact {
    pub fn code(self) -> &'static str {
        match self {
            Fact::Feature(f) => f.code(),
            Fact::Who(w) => w.code(),
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Fact::Feature(f) => f.label_ja(),
            Fact::Who(w) => w.label_ja(),
        }
    }

    /// One key for both sets (`feature:parking`, `who:women`), as decisions
    /// are stored and forms send them.
    pub fn key(self) -> String {
        match self {
            Fact::Feature(f) => format!("feature:{}", f.code()),
            Fact::Who(w) => format!("who:{}", w.code()),
        }
    }

    pub fn from_key(key: &str) -> Option<Fact> {
        let (set, code) = key.split_once(':')?;
        match set {
            "feature" => Feature::from_code(code).map(Fact::Feature),
            "who" => Who::from_code(code).map(Fact::Who),
            _ => None,
        }
    }
}
