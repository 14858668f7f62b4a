//! One candidate against one need: the hard rules of spec/match.md, then a
//! score in [0, 1] whose every part also writes the reason a coordinator
//! reads out. Score and reasons come from this one function; nothing is
//! reconstructed afterwards.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tsunagu_model::{
    Audience, Category, Fact, Feature, FeeKnowledge, FeeUnit, Kind, ListingFact, Placement, Record,
    ScheduleKnowledge, Status, TimeSlot, Weekday,
};
use tsunagu_text::normalize::{fold_kana, normalize_str};

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

/// A word of the senior's, as written (for reasons) and as compared with a
/// record's text (normalised and kana-folded, like the record's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    pub shown: String,
    key: String,
}

impl Keyword {
    pub fn new(shown: &str) -> Keyword {
        Keyword {
            shown: shown.to_string(),
            key: fold_kana(&normalize_str(shown)),
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The senior's words as ranking uses them for one need.
#[derive(Debug, Clone, Default)]
pub struct Wording {
    /// Content words of `needs_text` (already folded), for the text part of
    /// the score.
    pub terms: Vec<String>,
    /// Activities the senior named for this need (「囲碁がしたい」 → 囲碁): a
    /// candidate that mentions one ranks before every one that does not.
    pub keywords: Vec<Keyword>,
    /// Activities the senior refused (「体操は嫌い」 → 体操): a candidate that
    /// mentions one ranks after every one that does not.
    pub avoid: Vec<Keyword>,
}

impl Wording {
    /// Only the content words of `needs_text`: no activity named or refused.
    pub fn from_terms(terms: &[String]) -> Wording {
        Wording {
            terms: terms.to_vec(),
            ..Wording::default()
        }
    }
}

/// How the candidate's known schedule meets the senior's availability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeFit {
    /// No `available` in the request: any time is fine.
    #[default]
    Any,
    /// A slot fits as a whole (a place's session inside the senior's free
    /// time; a service's hours covering it or inside it).
    Full,
    /// Slots overlap the senior's free time only in part: the senior would
    /// arrive late or leave early.
    Partial,
    /// The schedule is not known (日時要確認).
    Unknown,
}

/// The parts of a score, each in [0, 1], with its weight.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScorePart {
    pub part: &'static str,
    pub value: f32,
    pub weight: f32,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// How its schedule meets `available`.
    pub time_fit: TimeFit,
    /// The senior's named activities it mentions (「囲碁」).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The activities the senior refused that it mentions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_keywords: Vec<String>,
}

const W_DISTANCE: f32 = 0.35;
const W_SCHEDULE: f32 = 0.20;
const W_COST: f32 = 0.15;
const W_FEATURES: f32 = 0.10;
const W_FRESH: f32 = 0.10;
const W_TEXT: f32 = 0.10;

/// Schedule part of a slot that fits only in part. The senior can still
/// go, arriving late or leaving early, so it is worth more than an unknown
/// schedule's 0.5; ranking puts it after every whole fit in any case.
const PARTIAL_FIT_VALUE: f32 = 0.6;

/// Minutes a slot with a start and no end is taken to last.
const SLOT_WITHOUT_END_MINUTES: u16 = 60;
const DAY_MINUTES: u16 = 24 * 60;

/// The minutes of the day a slot covers, [from, to).
fn slot_range(slot: &TimeSlot) -> (u16, u16) {
    match (slot.start, slot.end) {
        (Some(s), Some(e)) => (s.minutes(), e.minutes()),
        (Some(s), None) => (
            s.minutes(),
            (s.minutes() + SLOT_WITHOUT_END_MINUTES).min(DAY_MINUTES),
        ),
        (None, Some(e)) => (0, e.minutes()),
        (None, None) => (0, DAY_MINUTES),
    }
}

fn availability_range(a: &Availability) -> (u16, u16) {
    (
        a.start.map(|t| t.minutes()).unwrap_or(0),
        a.end.map(|t| t.minutes()).unwrap_or(DAY_MINUTES),
    )
}

/// How one slot meets one availability, or `None` when they never meet.
fn slot_fit(slot: &TimeSlot, a: &Availability, kind: Kind) -> Option<TimeFit> {
    let days_ok = if slot.weekdays.is_empty() {
        // Days of the month (毎月15日) may fall on any weekday.
        !slot.days.is_empty() || slot.holidays
    } else {
        a.weekdays.is_empty() || slot.weekdays.iter().any(|w| a.weekdays.contains(w))
    };
    if !days_ok {
        return None;
    }
    let times_known = slot.start.is_some() || slot.end.is_some();
    let avail_known = a.start.is_some() || a.end.is_some();
    if !times_known || !avail_known {
        return Some(TimeFit::Full);
    }
    let (s1, e1) = slot_range(slot);
    let (s2, e2) = availability_range(a);
    if !(s1 < e2 && s2 < e1) {
        return None;
    }
    let slot_inside = s2 <= s1 && e1 <= e2;
    // A place is a session the senior attends from start to end; a service
    // runs in hours within which a visit is arranged, so its hours may also
    // cover the senior's free time.
    let full = match kind {
        Kind::Kayoi => slot_inside,
        Kind::Service => slot_inside || (s1 <= s2 && e2 <= e1),
    };
    Some(if full {
        TimeFit::Full
    } else {
        TimeFit::Partial
    })
}

fn is_every_day(days: &[&Weekday]) -> bool {
    Weekday::ALL.iter().all(|w| days.contains(&w))
}

fn describe_slot(slot: &TimeSlot, within: Option<&Availability>) -> String {
    let mut days = String::new();
    let weekdays: Vec<&Weekday> = match within {
        Some(a) if !a.weekdays.is_empty() => slot
            .weekdays
            .iter()
            .filter(|w| a.weekdays.contains(w))
            .collect(),
        _ => slot.weekdays.iter().collect(),
    };
    let every_day = slot.weeks.is_empty() && !slot.every_other_week && is_every_day(&weekdays);
    if every_day {
        days.push_str("毎日");
    } else {
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
        if !weekdays.is_empty() {
            days.push_str(
                &weekdays
                    .iter()
                    .map(|w| w.label_ja())
                    .collect::<Vec<_>>()
                    .join("・"),
            );
            days.push('曜');
        }
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

/// 「参加できます」 for a place one goes to, 「利用できます」 for a service.
fn can_ja(kind: Kind) -> &'static str {
    match kind {
        Kind::Kayoi => "参加できます",
        Kind::Service => "利用できます",
    }
}

fn feature_reason(f: Feature, kind: Kind) -> String {
    match f {
        Feature::Wheelchair => format!("車いすで{}", can_ja(kind)),
        Feature::Pickup => "送迎あり".into(),
        Feature::Parking => "駐車場あり".into(),
        Feature::DementiaFriendly => format!("認知症の方も{}", can_ja(kind)),
        Feature::Reservation => "要予約".into(),
        Feature::Trial => "見学・体験できます".into(),
    }
}

/// The record key a listing fact was read from, as a coordinator names it.
fn field_ja(field: &str) -> &'static str {
    match field {
        "name" => "名称",
        "target" => "対象",
        "fee_text" => "費用欄",
        "schedule_text" => "日程欄",
        _ => "説明文",
    }
}

/// Longest phrase quoted in a reason, in characters.
const MAX_QUOTED_PHRASE_CHARS: usize = 24;

/// A feature only the listing's words grant: said with where and how it was
/// written, so the coordinator knows to confirm it.
fn derived_feature_reason(feature: Feature, fact: &ListingFact, kind: Kind) -> String {
    let label = feature_reason(feature, kind);
    let phrase = fact.phrase.trim();
    let field = field_ja(&fact.field);
    // A coordinator who confirmed it has made it the directory's word.
    let check = if fact.confirmed() {
        "確認済み"
    } else {
        "要確認"
    };
    if phrase.is_empty() {
        return format!("{label}（{field}より・{check}）");
    }
    let quoted: String = if phrase.chars().count() > MAX_QUOTED_PHRASE_CHARS {
        let mut cut: String = phrase.chars().take(MAX_QUOTED_PHRASE_CHARS).collect();
        cut.push('…');
        cut
    } else {
        phrase.to_string()
    };
    format!("{label}（{field}「{quoted}」より・{check}）")
}

/// The cost part: the hard rule on `max_fee_yen` and the price in words.
/// `Err` when the fee is known to be above the budget.
fn cost_part(
    fee: &FeeKnowledge,
    max_fee_yen: Option<u64>,
    reasons: &mut Vec<String>,
    unknowns: &mut Vec<String>,
) -> Result<f32, Excluded> {
    if fee.yen == Some(0) {
        reasons.push("無料".into());
        return Ok(1.0);
    }
    // A positive amount in any unit costs something per use, whatever the
    // number of uses it is spread over: above a budget of nothing.
    if max_fee_yen == Some(0) && fee.yen.is_some_and(|y| y > 0) {
        return Err(Excluded::Fee);
    }
    let price = fee.describe_ja();
    if let Some(least) = fee.least_per_use() {
        if max_fee_yen.is_some_and(|m| least > m) {
            return Err(Excluded::Fee);
        }
        reasons.push(price.unwrap_or_else(|| format!("{least}円")));
        let cap = max_fee_yen.unwrap_or(1000).max(1) as f32;
        return Ok((1.0 - least as f32 / cap * 0.5).clamp(0.0, 1.0));
    }
    // The amount is known but not what one use costs (月500円, 年1,000円, or
    // no unit): shown as it is, the per-use cost flagged unknown.
    unknowns.push("費用要確認".into());
    match (price, fee.unit) {
        (Some(p), FeeUnit::PerMonth | FeeUnit::PerYear) => {
            reasons.push(format!("{p}（1回あたりは不明）"));
            Ok(if fee.unit == FeeUnit::PerYear {
                0.6
            } else {
                0.5
            })
        }
        (Some(p), _) => {
            reasons.push(format!("{p}（単位は不明）"));
            Ok(0.5)
        }
        (None, _) => {
            reasons.push("費用要確認".into());
            Ok(0.5)
        }
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
    wording: &Wording,
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
    if request
        .requires
        .iter()
        .any(|f| !c.placement.has_feature(r, *f))
    {
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
    let (schedule_value, time_fit) = match &c.placement.schedule {
        ScheduleKnowledge::Slots(slots) if !slots.is_empty() => {
            if request.available.is_empty() {
                reasons.push(describe_slot(&slots[0], None));
                (0.8, TimeFit::Any)
            } else {
                let fits = slots.iter().flat_map(|s| {
                    request
                        .available
                        .iter()
                        .filter_map(move |a| slot_fit(s, a, r.kind).map(|f| (s, a, f)))
                });
                // A whole fit is worth more than the first partial one.
                let mut best = None;
                for fit in fits {
                    let whole = fit.2 == TimeFit::Full;
                    if best.is_none() || whole {
                        best = Some(fit);
                    }
                    if whole {
                        break;
                    }
                }
                match best {
                    Some((s, a, TimeFit::Full)) => {
                        reasons.push(format!(
                            "{} に{}",
                            describe_slot(s, Some(a)),
                            can_ja(r.kind)
                        ));
                        (1.0, TimeFit::Full)
                    }
                    Some((s, a, _)) => {
                        reasons.push(format!(
                            "{}（一部の時間のみ合います）",
                            describe_slot(s, Some(a))
                        ));
                        (PARTIAL_FIT_VALUE, TimeFit::Partial)
                    }
                    None => return Err(Excluded::Schedule),
                }
            }
        }
        _ => {
            unknowns.push("日時要確認".to_string());
            reasons.push("日時要確認".to_string());
            (0.5, TimeFit::Unknown)
        }
    };
    parts.push(ScorePart {
        part: "schedule",
        value: schedule_value,
        weight: W_SCHEDULE,
    });

    // Cost.
    let cost_value = cost_part(
        &c.placement.fee,
        request.max_fee_yen,
        &mut reasons,
        &mut unknowns,
    )?;
    parts.push(ScorePart {
        part: "cost",
        value: cost_value,
        weight: W_COST,
    });

    // Features the senior needs or that help: published ones first, then
    // those only the listing's words grant (worth half, and said so).
    let helpful = [
        Feature::Pickup,
        Feature::Wheelchair,
        Feature::DementiaFriendly,
        Feature::Trial,
    ];
    let wanted = |f: &Feature| request.requires.contains(f) || helpful.contains(f);
    let mut feature_points = 0.0f32;
    for f in r.features.iter().filter(|f| wanted(f)) {
        reasons.push(feature_reason(*f, r.kind));
        feature_points += 1.0;
    }
    let mut said: Vec<Feature> = Vec::new();
    for fact in c.placement.facts.iter().filter(|f| f.holds()) {
        if let Fact::Feature(f) = fact.fact
            && wanted(&f)
            && !r.features.contains(&f)
            && !said.contains(&f)
        {
            reasons.push(derived_feature_reason(f, fact, r.kind));
            said.push(f);
            feature_points += 0.5;
        }
    }
    let feature_value = (feature_points / 2.0).min(1.0);
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
    // Normalising the record's text costs more than the rest of a
    // candidate's evaluation: only when there are words to look for.
    let words_given =
        !(wording.terms.is_empty() && wording.keywords.is_empty() && wording.avoid.is_empty());
    let hay = if words_given {
        fold_kana(&normalize_str(&format!(
            "{} {}",
            r.name,
            r.description.as_deref().unwrap_or("")
        )))
    } else {
        String::new()
    };
    let text_value = if wording.terms.is_empty() {
        0.0
    } else {
        let hits = wording
            .terms
            .iter()
            .filter(|t| hay.contains(t.as_str()))
            .count();
        (hits as f32 / wording.terms.len() as f32).min(1.0)
    };
    parts.push(ScorePart {
        part: "text",
        value: text_value,
        weight: W_TEXT,
    });
    let mentioned = |words: &[Keyword]| -> Vec<String> {
        words
            .iter()
            .filter(|k| !k.key().is_empty() && hay.contains(k.key()))
            .map(|k| k.shown.clone())
            .collect()
    };
    let keywords = mentioned(&wording.keywords);
    // Why it ranks first, so said first.
    for (i, k) in keywords.iter().enumerate() {
        reasons.insert(i, format!("ご希望の「{k}」があります"));
    }
    let refused_keywords = mentioned(&wording.avoid);
    for k in &refused_keywords {
        reasons.push(format!("「{k}」は気が進まないとのこと（要確認）"));
    }

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
        time_fit,
        keywords,
        refused_keywords,
    })
}
