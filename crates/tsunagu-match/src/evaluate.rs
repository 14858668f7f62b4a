//! One candidate against one need: the hard rules of spec/match.md, then a
//! score in [0, 1] whose every part also writes the reason a coordinator
//! reads out. Score and reasons come from this one function; nothing is
//! reconstructed afterwards.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tsunagu_model::{
    Audience, Category, Feature, FeeUnit, Kind, Placement, Record, ScheduleKnowledge, Status,
    TimeSlot, Weekday,
};

use crate::request::{Availability, MatchRequest};

/// Why a candidate is excluded (for tests and explanations; never shown as
/// a match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    Inactive,
    Internal,
    Category,
    Kind,
    Distance,
    Schedule,
    Fee,
    Feature,
}

/// The place the senior is, as far as matching needs it.
#[derive(Debug, Clone)]
pub struct SeniorPlace {
    pub lat: f64,
    pub lon: f64,
    /// Service-area keys that cover the place (「千葉市」, ward, ward+town).
    pub area_keys: Vec<String>,
}

/// A candidate as the engine hands it over.
pub struct Candidate<'a> {
    pub record: &'a Record,
    pub placement: &'a Placement,
}

/// The parts of a score, each in [0, 1], with its weight.
#[derive(Debug, Clone, Serialize)]
pub struct ScorePart {
    pub part: &'static str,
    pub value: f32,
    pub weight: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    pub score: f32,
    pub reasons: Vec<String>,
    /// 日時要確認, 費用要確認, 場所要確認.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknowns: Vec<String>,
    pub score_parts: Vec<ScorePart>,
}

const W_DISTANCE: f32 = 0.35;
const W_SCHEDULE: f32 = 0.20;
const W_COST: f32 = 0.15;
const W_FEATURES: f32 = 0.10;
const W_FRESH: f32 = 0.10;
const W_TEXT: f32 = 0.10;

fn weekday_ja(w: Weekday) -> &'static str {
    w.label_ja()
}

fn slot_overlaps(slot: &TimeSlot, a: &Availability) -> bool {
    let days_ok = if slot.weekdays.is_empty() {
        // Days of the month (毎月15日) may fall on any weekday.
        !slot.days.is_empty() || slot.holidays
    } else {
        a.weekdays.is_empty() || slot.weekdays.iter().any(|w| a.weekdays.contains(w))
    };
    if !days_ok {
        return false;
    }
    match (slot.start, slot.end, a.start, a.end) {
        (Some(s1), e1, Some(s2), e2) => {
            let e1 = e1.map(|e| e.minutes()).unwrap_or(s1.minutes() + 60);
            let e2 = e2.map(|e| e.minutes()).unwrap_or(24 * 60);
            s1.minutes() < e2 && s2.minutes() < e1
        }
        (None, Some(e1), Some(s2), _) => s2.minutes() < e1.minutes(),
        (Some(s1), _, None, Some(e2)) => s1.minutes() < e2.minutes(),
        _ => true,
    }
}

fn describe_slot(slot: &TimeSlot, within: Option<&Availability>) -> String {
    let mut days = String::new();
    if !slot.weeks.is_empty() {
        days.push_str(&format!(
            "第{}",
            slot.weeks
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("・")
        ));
    } else if slot.every_other_week {
        days.push_str("隔週");
    } else if !slot.weekdays.is_empty() {
        days.push_str("毎週");
    }
    let weekdays: Vec<&Weekday> = match within {
        Some(a) if !a.weekdays.is_empty() => slot
            .weekdays
            .iter()
            .filter(|w| a.weekdays.contains(w))
            .collect(),
        _ => slot.weekdays.iter().collect(),
    };
    if !weekdays.is_empty() {
        days.push_str(
            &weekdays
                .iter()
                .map(|w| weekday_ja(**w))
                .collect::<Vec<_>>()
                .join("・"),
        );
        days.push('曜');
    }
    if !slot.days.is_empty() {
        days.push_str(&format!(
            "毎月{}日",
            slot.days
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("・")
        ));
    }
    if slot.holidays {
        days.push_str("・祝日");
    }
    match (slot.start, slot.end) {
        (Some(s), Some(e)) => format!("{days} {}〜{}", short(s), short(e)),
        (Some(s), None) => format!("{days} {}〜", short(s)),
        _ => days,
    }
}

fn short(t: tsunagu_model::TimeOfDay) -> String {
    format!("{}:{:02}", t.minutes() / 60, t.minutes() % 60)
}

fn yen(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}円")
}

fn feature_reason(f: Feature) -> &'static str {
    match f {
        Feature::Wheelchair => "車いすで利用できます",
        Feature::Pickup => "送迎あり",
        Feature::Parking => "駐車場あり",
        Feature::DementiaFriendly => "認知症の方も参加・利用できます",
        Feature::Reservation => "要予約",
        Feature::Trial => "見学・体験できます",
    }
}

/// Applies the hard rules and scores the candidate for `need`, or says which
/// rule excludes it.
pub fn evaluate(
    c: &Candidate<'_>,
    need: Category,
    request: &MatchRequest,
    place: &SeniorPlace,
    today: NaiveDate,
    text_terms: &[String],
) -> Result<Match, Excluded> {
    let r = c.record;
    if r.status != Status::Active {
        return Err(Excluded::Inactive);
    }
    if request.audience == Audience::Public && !r.is_public() {
        return Err(Excluded::Internal);
    }
    if !r.has_category(need) {
        return Err(Excluded::Category);
    }
    if !request.kinds.is_empty() && !request.kinds.contains(&r.kind) {
        return Err(Excluded::Kind);
    }
    if request.requires.iter().any(|f| !r.features.contains(f)) {
        return Err(Excluded::Feature);
    }
    let mut reasons = Vec::new();
    let mut unknowns = Vec::new();
    let mut parts = Vec::new();

    // Distance, or the service area that covers the senior.
    let distance = c
        .placement
        .point()
        .map(|p| tsunagu_geo::distance_m((place.lat, place.lon), p));
    let covering_area = if r.kind == Kind::Service {
        let keys = tsunagu_model::area_keys(&r.service_area);
        r.service_area
            .iter()
            .zip(keys)
            .find(|(_, k)| place.area_keys.contains(k))
            .map(|(a, _)| a.clone())
    } else {
        None
    };
    let beyond = distance.is_some_and(|d| d > request.max_distance_m);
    let area_applies = r.kind == Kind::Service && !r.service_area.is_empty();
    if beyond && !(area_applies && covering_area.is_some()) {
        return Err(Excluded::Distance);
    }
    let distance_value = match (&covering_area, distance) {
        (Some(area), _) => {
            let area = area
                .strip_prefix("千葉市")
                .filter(|a| !a.is_empty())
                .unwrap_or(area);
            let whole = if area.ends_with('区') || area == "千葉市" {
                "全域"
            } else {
                ""
            };
            reasons.push(format!("{area}{whole}に対応"));
            1.0
        }
        (None, Some(d)) => {
            let m = d.round() as u32;
            reasons.push(format!(
                "徒歩約{}分（{m}m）",
                tsunagu_geo::walking_minutes(d)
            ));
            (1.0 - (d / request.max_distance_m.max(1.0)) as f32).clamp(0.0, 1.0)
        }
        (None, None) => {
            unknowns.push("場所要確認".to_string());
            0.3
        }
    };
    parts.push(ScorePart {
        part: "distance",
        value: distance_value,
        weight: W_DISTANCE,
    });

    // Schedule.
    let schedule_value = match &c.placement.schedule {
        ScheduleKnowledge::Slots(slots) if !slots.is_empty() => {
            if request.available.is_empty() {
                reasons.push(describe_slot(&slots[0], None));
                0.8
            } else {
                let fit = slots.iter().find_map(|s| {
                    request
                        .available
                        .iter()
                        .find(|a| slot_overlaps(s, a))
                        .map(|a| (s, a))
                });
                match fit {
                    Some((s, a)) => {
                        reasons.push(format!("{} に参加できます", describe_slot(s, Some(a))));
                        1.0
                    }
                    None => return Err(Excluded::Schedule),
                }
            }
        }
        _ => {
            unknowns.push("日時要確認".to_string());
            reasons.push("日時要確認".to_string());
            0.5
        }
    };
    parts.push(ScorePart {
        part: "schedule",
        value: schedule_value,
        weight: W_SCHEDULE,
    });

    // Cost.
    let fee = c.placement.fee;
    let cost_value = match (fee.per_visit(), fee.unit, fee.yen) {
        (Some(0), _, _) => {
            reasons.push("無料".into());
            1.0
        }
        (Some(y), unit, _) => {
            if request.max_fee_yen.is_some_and(|m| y > m) {
                return Err(Excluded::Fee);
            }
            let per = if unit == FeeUnit::PerMeal {
                "1食"
            } else {
                "1回"
            };
            reasons.push(format!("{per}{}", yen(y)));
            let cap = request.max_fee_yen.unwrap_or(1000).max(1) as f32;
            (1.0 - y as f32 / cap * 0.5).clamp(0.0, 1.0)
        }
        (None, FeeUnit::PerMonth, Some(y)) => {
            reasons.push(format!("月額{}（1回あたり要確認）", yen(y)));
            unknowns.push("費用要確認".into());
            0.5
        }
        (None, FeeUnit::PerYear, Some(y)) => {
            reasons.push(format!("年額{}", yen(y)));
            0.6
        }
        (None, FeeUnit::PerHour, Some(y)) => {
            reasons.push(format!("1時間{}", yen(y)));
            unknowns.push("費用要確認".into());
            0.5
        }
        _ => {
            reasons.push("費用要確認".into());
            unknowns.push("費用要確認".into());
            0.5
        }
    };
    parts.push(ScorePart {
        part: "cost",
        value: cost_value,
        weight: W_COST,
    });

    // Features the senior needs or that help.
    let helpful = [
        Feature::Pickup,
        Feature::Wheelchair,
        Feature::DementiaFriendly,
        Feature::Trial,
    ];
    let mut shown = 0;
    for f in &r.features {
        if request.requires.contains(f) || helpful.contains(f) {
            reasons.push(feature_reason(*f).to_string());
            shown += 1;
        }
    }
    let feature_value = (shown as f32 / 2.0).min(1.0);
    parts.push(ScorePart {
        part: "features",
        value: feature_value,
        weight: W_FEATURES,
    });

    // How recently the information was confirmed.
    let fresh_value = match r.verified_on {
        Some(d) => {
            reasons.push(format!("情報確認: {}年{}月", d.year(), d.month()));
            let months = (today - d).num_days() as f32 / 30.4;
            if months <= 12.0 {
                1.0
            } else if months <= 24.0 {
                0.5
            } else {
                0.2
            }
        }
        None => 0.2,
    };
    parts.push(ScorePart {
        part: "verified",
        value: fresh_value,
        weight: W_FRESH,
    });

    // The senior's own words found in the record.
    let text_value = if text_terms.is_empty() {
        0.0
    } else {
        let hay = tsunagu_text::normalize::fold_kana(&tsunagu_text::normalize::normalize_str(
            &format!("{} {}", r.name, r.description.as_deref().unwrap_or("")),
        ));
        let hits = text_terms
            .iter()
            .filter(|t| hay.contains(t.as_str()))
            .count();
        (hits as f32 / text_terms.len() as f32).min(1.0)
    };
    parts.push(ScorePart {
        part: "text",
        value: text_value,
        weight: W_TEXT,
    });

    let score: f32 = parts.iter().map(|p| p.value * p.weight).sum();
    Ok(Match {
        id: r.id.clone(),
        name: r.name.clone(),
        kind: r.kind,
        distance_m: distance.map(|d| d.round() as u32),
        score: (score * 1000.0).round() / 1000.0,
        reasons,
        unknowns,
        score_parts: parts,
    })
}
