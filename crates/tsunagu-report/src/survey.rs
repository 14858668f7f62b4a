//! The counts of the city's yearly 通いの場 return to the national survey
//! (介護予防・日常生活支援総合事業の実施状況に関する調査): places counted per
//! venue, meeting at least once a month, by main activity, by operator and
//! by how often they meet, read from the directory's parsed schedules.
//!
//! The year is a 年度 (April to March). A place counts when it was running
//! at the year's end as far as the directory knows (active now, or paused
//! or closed only after the year ended) and first entered the directory by
//! then. Records whose schedule does not say how often they meet are
//! listed for a coordinator to fix, never guessed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use tsunagu_model::{Category, Kind, OrgType, ScheduleKnowledge, Status, TimeSlot};
use unicode_normalization::UnicodeNormalization;

use crate::resource::ResourceFacts;

/// How often a place meets, in the survey's classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// 週1回以上
    WeeklyOrMore,
    /// 月2回以上4回未満
    TwoToFourMonthly,
    /// 月1回以上2回未満
    Monthly,
    /// 月1回未満: not a 通いの場 for the survey.
    LessThanMonthly,
}

impl Frequency {
    pub const COUNTED: [Frequency; 3] = [
        Frequency::WeeklyOrMore,
        Frequency::TwoToFourMonthly,
        Frequency::Monthly,
    ];

    pub fn label_ja(self) -> &'static str {
        match self {
            Frequency::WeeklyOrMore => "週1回以上",
            Frequency::TwoToFourMonthly => "月2回以上4回未満",
            Frequency::Monthly => "月1回以上2回未満",
            Frequency::LessThanMonthly => "月1回未満",
        }
    }

    fn of_times(per_month: f64) -> Frequency {
        if per_month >= 4.0 {
            Frequency::WeeklyOrMore
        } else if per_month >= 2.0 {
            Frequency::TwoToFourMonthly
        } else if per_month >= 1.0 {
            Frequency::Monthly
        } else {
            Frequency::LessThanMonthly
        }
    }
}

/// Why a record's frequency cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undetermined {
    /// No schedule published.
    NoSchedule,
    /// 不定期・随時・要相談.
    Irregular,
    /// Schedule text not understood.
    Unparsed,
    /// Slots without days (a time only).
    NoDays,
}

impl Undetermined {
    pub fn label_ja(self) -> &'static str {
        match self {
            Undetermined::NoSchedule => "日程の記載がありません",
            Undetermined::Irregular => "不定期・随時など、回数が書かれていません",
            Undetermined::Unparsed => "日程の文を読み取れませんでした",
            Undetermined::NoDays => "曜日や日付の記載がありません",
        }
    }
}

/// Meetings a month of a schedule, or why it cannot be said. A weekday of
/// every week is 4 a month (the survey's 週1回), every other week 2, each
/// listed week of the month 1; a fifth week does not come every month and
/// is not counted; days of the month count one each.
pub fn times_per_month(schedule: &ScheduleKnowledge) -> Result<f64, Undetermined> {
    let slots = match schedule {
        ScheduleKnowledge::Slots(slots) => slots,
        ScheduleKnowledge::Irregular => return Err(Undetermined::Irregular),
        ScheduleKnowledge::Unparsed => return Err(Undetermined::Unparsed),
        ScheduleKnowledge::None => return Err(Undetermined::NoSchedule),
    };
    // Two slots of one day (morning and afternoon) are one meeting day.
    let mut days: Vec<(u8, u8)> = Vec::new();
    let mut total = 0.0;
    let mut any = false;
    for slot in slots {
        let TimeSlot {
            weekdays,
            weeks,
            days: month_days,
            every_other_week,
            ..
        } = slot;
        for d in month_days {
            any = true;
            if !days.contains(&(0, *d)) {
                days.push((0, *d));
                total += 1.0;
            }
        }
        for w in weekdays {
            any = true;
            let code = *w as u8 + 1;
            if weeks.is_empty() {
                let key = (code, if *every_other_week { 200 } else { 100 });
                if !days.contains(&key) && !days.contains(&(code, 100)) {
                    days.push(key);
                    total += if *every_other_week { 2.0 } else { 4.0 };
                }
            } else {
                for week in weeks.iter().filter(|k| (1..=4).contains(*k)) {
                    let key = (code, *week);
                    if !days.contains(&key) && !days.contains(&(code, 100)) {
                        days.push(key);
                        total += 1.0;
                    }
                }
            }
        }
    }
    if !any {
        return Err(Undetermined::NoDays);
    }
    Ok(total)
}

/// The survey's main activities, from a place's first category.
pub fn activity_ja(category: Option<Category>) -> &'static str {
    match category {
        Some(Category::Exercise) => "体操（運動）",
        Some(Category::Meal) => "会食",
        Some(Category::Salon) => "茶話会",
        Some(Category::DementiaPrevention) => "認知症予防",
        Some(Category::Hobby) => "趣味活動",
        Some(Category::Farming) => "農作業",
        Some(Category::Learning) => "生涯学習",
        Some(Category::Volunteer) => "ボランティア活動",
        Some(Category::Work) => "就労的活動",
        Some(Category::Intergenerational) => "多世代交流",
        // 認知症カフェ and service codes have no activity of their own.
        _ => "その他",
    }
}

pub const ACTIVITIES: [&str; 11] = [
    "体操（運動）",
    "会食",
    "茶話会",
    "認知症予防",
    "趣味活動",
    "農作業",
    "生涯学習",
    "ボランティア活動",
    "就労的活動",
    "多世代交流",
    "その他",
];

/// The survey's operators, from the organizer type.
pub fn operator_ja(org: Option<OrgType>) -> &'static str {
    match org {
        Some(OrgType::Residents) => "住民団体",
        Some(OrgType::SeniorClub) => "老人クラブ",
        Some(OrgType::Council) => "社会福祉協議会",
        Some(OrgType::SocialWelfare) => "社会福祉法人",
        Some(OrgType::Npo) => "NPO法人",
        Some(OrgType::Company) => "民間企業",
        Some(OrgType::Coop) => "協同組合",
        Some(OrgType::City) => "市町村直営",
        Some(OrgType::Other) | None => "その他",
    }
}

pub const OPERATORS: [&str; 9] = [
    "住民団体",
    "老人クラブ",
    "社会福祉協議会",
    "社会福祉法人",
    "NPO法人",
    "民間企業",
    "協同組合",
    "市町村直営",
    "その他",
];

#[derive(Debug, Clone, Serialize)]
pub struct KayoiSurvey {
    /// The 年度 (its April's year) and its first and last day.
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Venues meeting at least once a month.
    pub places: u64,
    pub by_activity: Vec<Count>,
    pub by_operator: Vec<Count>,
    pub by_frequency: Vec<Count>,
    /// Venues that meet less than once a month (not counted).
    pub less_than_monthly: u64,
    /// Records whose frequency cannot be read, for a coordinator to fix.
    pub undetermined: Vec<UndeterminedRecord>,
    pub method_ja: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UndeterminedRecord {
    pub id: String,
    pub name: String,
    pub centre: Option<String>,
    pub reason: Undetermined,
    pub reason_ja: &'static str,
}

pub const SURVEY_METHOD_JA: &str = "年度末（3月31日）に活動していた通いの場を、会場（所在地）ごとに1か所と数えました。同じ会場の複数の活動は、最も回数の多い活動で分類します。回数は掲載された日程から数え（毎週の曜日は月4回、隔週は月2回、第n週は月1回、第5週は数えません）、回数が読めない記録は一覧にしました（推計はしません）。";

/// Where a place meets: its address as written (normalised), else its
/// point, else the record itself.
fn venue_key(r: &ResourceFacts) -> String {
    if let Some(a) = r.address.as_deref() {
        let key: String = a.nfkc().filter(|c| !c.is_whitespace()).collect();
        if !key.is_empty() {
            return format!("a:{key}");
        }
    }
    if let Some((lat, lon)) = r.point {
        return format!("p:{lat:.5},{lon:.5}");
    }
    format!("id:{}", r.id)
}

/// Counts the survey for a 年度.
pub fn kayoi_survey(year: i32, resources: &[ResourceFacts]) -> Option<KayoiSurvey> {
    let from = NaiveDate::from_ymd_opt(year, 4, 1)?;
    let to = NaiveDate::from_ymd_opt(year + 1, 3, 31)?;
    let running = |r: &ResourceFacts| {
        r.kind == Kind::Kayoi
            && r.first_imported.is_none_or(|d| d <= to)
            && (r.status == Status::Active || r.last_changed.is_some_and(|d| d > to))
    };
    // Per venue: the most frequent of its places.
    let mut venues: BTreeMap<String, (f64, &ResourceFacts)> = BTreeMap::new();
    let mut undetermined = Vec::new();
    for r in resources.iter().filter(|r| running(r)) {
        match times_per_month(&r.schedule) {
            Ok(times) => {
                let key = venue_key(r);
                let better = venues
                    .get(&key)
                    .is_none_or(|(t, other)| times > *t || (times == *t && r.id < other.id));
                if better {
                    venues.insert(key, (times, r));
                }
            }
            Err(reason) => undetermined.push(UndeterminedRecord {
                id: r.id.clone(),
                name: r.name.clone(),
                centre: r.centre.clone(),
                reason,
                reason_ja: reason.label_ja(),
            }),
        }
    }
    undetermined.sort_by(|a, b| a.centre.cmp(&b.centre).then(a.id.cmp(&b.id)));
    let mut by_activity: BTreeMap<&str, u64> = ACTIVITIES.iter().map(|a| (*a, 0)).collect();
    let mut by_operator: BTreeMap<&str, u64> = OPERATORS.iter().map(|a| (*a, 0)).collect();
    let mut by_frequency: BTreeMap<Frequency, u64> =
        Frequency::COUNTED.iter().map(|f| (*f, 0)).collect();
    let mut places = 0;
    let mut less_than_monthly = 0;
    for (times, r) in venues.values() {
        let frequency = Frequency::of_times(*times);
        if frequency == Frequency::LessThanMonthly {
            less_than_monthly += 1;
            continue;
        }
        places += 1;
        *by_frequency.entry(frequency).or_default() += 1;
        *by_activity
            .entry(activity_ja(r.categories.first().copied()))
            .or_default() += 1;
        *by_operator
            .entry(operator_ja(r.organizer_type))
            .or_default() += 1;
    }
    let ordered = |labels: &[&str], counts: &BTreeMap<&str, u64>| {
        labels
            .iter()
            .map(|l| Count {
                label: l.to_string(),
                count: counts.get(l).copied().unwrap_or(0),
            })
            .collect::<Vec<_>>()
    };
    Some(KayoiSurvey {
        year,
        from,
        to,
        places,
        by_activity: ordered(&ACTIVITIES, &by_activity),
        by_operator: ordered(&OPERATORS, &by_operator),
        by_frequency: Frequency::COUNTED
            .iter()
            .map(|f| Count {
                label: f.label_ja().to_string(),
                count: by_frequency.get(f).copied().unwrap_or(0),
            })
            .collect(),
        less_than_monthly,
        undetermined,
        method_ja: SURVEY_METHOD_JA,
    })
}
