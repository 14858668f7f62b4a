//! The 地域診断 report: what each ward and あんしんケアセンター area has, per
//! senior population when a population table is known; which 町丁目 have a
//! 通いの場 of each activity within reach; the category × area cells with
//! nothing; the needs that found nothing; what has gone stale; and what
//! was added or closed since a day.
//!
//! Every number comes from the records, the gazetteer, the population
//! table and the unmet-needs log handed in; nothing is estimated. Without
//! a population table the ratios are absent, never invented.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use tsunagu_geo::PointIndex;
use tsunagu_model::{Category, Kind, Ward};

use crate::population::{Population, PopulationTable};
use crate::resource::ResourceFacts;

/// The radii reach is measured at, in metres (straight line).
pub const REACH_RADII_M: [u32; 2] = [500, 1_000];
/// Records not confirmed for this many months are stale.
pub const STALE_MONTHS: u32 = 12;
/// How reach is measured, said in every report.
pub const REACH_METHOD_JA: &str =
    "町丁目の代表点からの直線距離（道のりではありません）。活動中の通いの場のみ。";

/// Points as (lat, lon).
pub type Points = Vec<(f64, f64)>;

/// A ward's outline: its polygons' rings of (lat, lon), outer ring first.
pub type WardOutline = (Ward, Vec<Points>);

/// Which part of the city a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    City,
    Ward(Ward),
    /// あんしんケアセンター area (AC01…).
    Centre(String),
}

/// A centre as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreInfo {
    pub id: String,
    pub ward: Ward,
    pub name: String,
}

/// A 町丁目 of the gazetteer with its representative point and centre.
#[derive(Debug, Clone, PartialEq)]
pub struct TownInfo {
    pub ward: Ward,
    pub name: String,
    pub point: Option<(f64, f64)>,
    pub centre: Option<String>,
}

/// One row of the unmet-needs log: day, centre, need code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmetRow {
    pub day: NaiveDate,
    pub centre: Option<String>,
    pub need: String,
}

/// What a report is asked.
#[derive(Debug, Clone)]
pub struct AreaReportRequest {
    pub scope: ReportScope,
    /// The unmet needs counted are those logged between these days.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Resources added or closed on or after this day (default: `from`,
    /// else three months before `today`).
    pub since: Option<NaiveDate>,
    pub today: NaiveDate,
    /// Only public records (the public report), or every record.
    pub public_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaReport {
    pub scope: ScopeView,
    pub generated_on: NaiveDate,
    pub audience: &'static str,
    pub period: Period,
    /// The population table's date and source, when one was imported.
    pub population: Option<PopulationInfo>,
    pub areas: Vec<AreaRow>,
    pub reach: Reach,
    pub gaps: Vec<Gap>,
    pub unmet: Unmet,
    pub freshness: Freshness,
    pub changes: Changes,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeView {
    /// `city`, `ward` or `centre`.
    pub kind: &'static str,
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub since: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct PopulationInfo {
    pub as_of: Option<String>,
    pub source: String,
}

/// One ward or centre area.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRow {
    /// `ward` or `centre`.
    pub kind: &'static str,
    pub id: String,
    pub label: String,
    /// Active resources placed in the area.
    pub kayoi: u64,
    pub service: u64,
    /// Active resources by category code (every category, zeros included).
    pub by_category: BTreeMap<String, u64>,
    /// Residents of the area's 町丁目, when the population table is known.
    pub population: Option<Population>,
    /// Active 通いの場 per 1,000 residents aged 65+ and 75+.
    pub kayoi_per_1000_65: Option<f64>,
    pub kayoi_per_1000_75: Option<f64>,
    pub service_per_1000_65: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    pub method_ja: &'static str,
    pub radii_m: [u32; 2],
    /// 町丁目 of the scope with a representative point.
    pub towns: u64,
    /// Any active 通いの場, then each activity.
    pub any: ReachRow,
    pub by_activity: Vec<ReachRow>,
    /// 町丁目 with no active 通いの場 within the larger radius.
    pub towns_without: Vec<TownOutOfReach>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReachRow {
    /// Category code, or `any`.
    pub activity: String,
    pub label: String,
    /// 町丁目 within each radius.
    pub towns_within: [u64; 2],
    /// Their share of the scope's 町丁目 (0–1).
    pub share: [f64; 2],
    /// The share of residents aged 65+ living in those 町丁目, when the
    /// population of every 町丁目 of the scope is known.
    pub share_65: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TownOutOfReach {
    pub ward: String,
    pub town: String,
    pub centre: Option<String>,
    pub point: (f64, f64),
    /// Metres to the nearest active 通いの場 (straight line), if any.
    pub nearest_m: Option<u32>,
    pub aged_65: Option<u64>,
}

/// A category with no active resource in an area.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub area_kind: &'static str,
    pub area: String,
    pub label: String,
    pub categories: Vec<CategoryRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryRef {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unmet {
    /// Counts by centre, need and month (`YYYY-MM`).
    pub rows: Vec<UnmetCount>,
    /// Per need over the period, most frequent first.
    pub by_need: Vec<NeedCount>,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnmetCount {
    pub centre: Option<String>,
    pub ward: Option<String>,
    pub need: String,
    pub label: String,
    pub month: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeedCount {
    pub need: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Freshness {
    /// Records not confirmed since this day (or never) are stale.
    pub cutoff: NaiveDate,
    pub by_area: Vec<StaleCount>,
    pub by_organizer: Vec<StaleCount>,
    /// The stale records, oldest confirmation first (never confirmed first).
    pub records: Vec<StaleRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaleCount {
    pub key: String,
    pub label: String,
    pub stale: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaleRecord {
    pub id: String,
    pub name: String,
    pub organizer: Option<String>,
    pub centre: Option<String>,
    pub verified_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub since: NaiveDate,
    pub added: Vec<Change>,
    pub closed: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: String,
    pub name: String,
    pub on: Option<NaiveDate>,
}

/// Everything a report is computed from.
pub struct ReportData<'a> {
    pub resources: &'a [ResourceFacts],
    pub towns: &'a [TownInfo],
    pub centres: &'a [CentreInfo],
    pub population: Option<&'a PopulationTable>,
    pub unmet: &'a [UnmetRow],
}

fn per_1000(count: u64, people: Option<u64>) -> Option<f64> {
    match people {
        Some(p) if p > 0 => Some(round2(count as f64 * 1000.0 / p as f64)),
        _ => None,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl ReportScope {
    fn holds_ward(&self, ward: Option<Ward>, centres: &[CentreInfo], centre: Option<&str>) -> bool {
        match self {
            ReportScope::City => true,
            ReportScope::Ward(w) => {
                ward == Some(*w)
                    || centre.is_some_and(|c| centres.iter().any(|x| x.id == c && x.ward == *w))
            }
            ReportScope::Centre(id) => centre == Some(id.as_str()),
        }
    }
}

/// Computes the report.
pub fn area_report(request: &AreaReportRequest, data: &ReportData<'_>) -> AreaReport {
    let centres = data.centres;
    let in_scope =
        |ward: Option<Ward>, centre: Option<&str>| request.scope.holds_ward(ward, centres, centre);
    let resources: Vec<&ResourceFacts> = data
        .resources
        .iter()
        .filter(|r| !request.public_only || r.is_public())
        .filter(|r| in_scope(r.ward, r.centre.as_deref()))
        .collect();
    let towns: Vec<&TownInfo> = data
        .towns
        .iter()
        .filter(|t| in_scope(Some(t.ward), t.centre.as_deref()))
        .collect();
    let pop_of = |t: &TownInfo| data.population.and_then(|p| p.get(t.ward, &t.name));

    // Areas: the wards and centres the scope covers.
    let mut area_keys: Vec<(&'static str, String, String)> = Vec::new();
    match &request.scope {
        ReportScope::City => {
            for w in Ward::ALL {
                area_keys.push(("ward", w.name().to_string(), w.name().to_string()));
            }
            for c in centres {
                area_keys.push(("centre", c.id.clone(), c.name.clone()));
            }
        }
        ReportScope::Ward(w) => {
            area_keys.push(("ward", w.name().to_string(), w.name().to_string()));
            for c in centres.iter().filter(|c| c.ward == *w) {
                area_keys.push(("centre", c.id.clone(), c.name.clone()));
            }
        }
        ReportScope::Centre(id) => {
            let label = centres
                .iter()
                .find(|c| &c.id == id)
                .map_or_else(|| id.clone(), |c| c.name.clone());
            area_keys.push(("centre", id.clone(), label));
        }
    }
    let area_of = |kind: &str, id: &str, ward: Option<Ward>, centre: Option<&str>| match kind {
        "ward" => ward.is_some_and(|w| w.name() == id),
        _ => centre == Some(id),
    };
    let population_complete = data.population.is_some();
    let areas: Vec<AreaRow> = area_keys
        .iter()
        .map(|(kind, id, label)| {
            let mut by_category: BTreeMap<String, u64> = Category::ALL
                .iter()
                .map(|c| (c.code().to_string(), 0))
                .collect();
            let (mut kayoi, mut service) = (0u64, 0u64);
            for r in resources
                .iter()
                .filter(|r| r.is_active() && area_of(kind, id, r.ward, r.centre.as_deref()))
            {
                match r.kind {
                    Kind::Kayoi => kayoi += 1,
                    Kind::Service => service += 1,
                }
                for c in &r.categories {
                    *by_category.entry(c.code().to_string()).or_default() += 1;
                }
            }
            let population = if population_complete {
                let mut sum = Population::default();
                let mut any = false;
                for t in towns
                    .iter()
                    .filter(|t| area_of(kind, id, Some(t.ward), t.centre.as_deref()))
                {
                    if let Some(p) = pop_of(t) {
                        sum.add(p);
                        any = true;
                    }
                }
                any.then_some(sum)
            } else {
                None
            };
            AreaRow {
                kind,
                id: id.clone(),
                label: label.clone(),
                kayoi,
                service,
                by_category,
                kayoi_per_1000_65: per_1000(kayoi, population.as_ref().and_then(|p| p.aged_65)),
                kayoi_per_1000_75: per_1000(kayoi, population.as_ref().and_then(|p| p.aged_75)),
                service_per_1000_65: per_1000(service, population.as_ref().and_then(|p| p.aged_65)),
                population,
            }
        })
        .collect();

    let reach = reach(&resources, &towns, &pop_of);

    // Gaps: categories of each kind with nothing active in an area.
    let gaps = areas
        .iter()
        .filter_map(|a| {
            let missing: Vec<CategoryRef> = Category::ALL
                .iter()
                .filter(|c| a.by_category.get(c.code()).copied().unwrap_or(0) == 0)
                .map(|c| CategoryRef {
                    code: c.code(),
                    label: c.label_ja(),
                })
                .collect();
            (!missing.is_empty()).then(|| Gap {
                area_kind: a.kind,
                area: a.id.clone(),
                label: a.label.clone(),
                categories: missing,
            })
        })
        .collect();

    let unmet = unmet(request, data);
    let freshness = freshness(request, &resources, centres);
    let since = request
        .since
        .or(request.from)
        .unwrap_or_else(|| request.today - Months::new(3));
    let mut added: Vec<Change> = resources
        .iter()
        .filter(|r| r.first_imported.is_some_and(|d| d >= since))
        .map(|r| Change {
            id: r.id.clone(),
            name: r.name.clone(),
            on: r.first_imported,
        })
        .collect();
    added.sort_by(|a, b| a.on.cmp(&b.on).then(a.id.cmp(&b.id)));
    let mut closed: Vec<Change> = resources
        .iter()
        .filter(|r| r.status == tsunagu_model::Status::Closed)
        .filter(|r| r.last_changed.is_some_and(|d| d >= since))
        .map(|r| Change {
            id: r.id.clone(),
            name: r.name.clone(),
            on: r.last_changed,
        })
        .collect();
    closed.sort_by(|a, b| a.on.cmp(&b.on).then(a.id.cmp(&b.id)));

    AreaReport {
        scope: scope_view(&request.scope, centres),
        generated_on: request.today,
        audience: if request.public_only {
            "public"
        } else {
            "coordinator"
        },
        period: Period {
            from: request.from,
            to: request.to,
            since,
        },
        population: data.population.map(|p| PopulationInfo {
            as_of: p.as_of.clone(),
            source: p.source.clone(),
        }),
        areas,
        reach,
        gaps,
        unmet,
        freshness,
        changes: Changes {
            since,
            added,
            closed,
        },
    }
}

/// What a map of the report draws: the active 通いの場 of the scope (as
/// the report counted them) and the scope's 町丁目 points to frame it.
pub fn map_points(request: &AreaReportRequest, data: &ReportData<'_>) -> (Points, Points) {
    let centres = data.centres;
    let points = data
        .resources
        .iter()
        .filter(|r| !request.public_only || r.is_public())
        .filter(|r| r.is_active() && r.kind == Kind::Kayoi)
        .filter(|r| {
            request
                .scope
                .holds_ward(r.ward, centres, r.centre.as_deref())
        })
        .filter_map(|r| r.point)
        .collect();
    let frame = data
        .towns
        .iter()
        .filter(|t| {
            request
                .scope
                .holds_ward(Some(t.ward), centres, t.centre.as_deref())
        })
        .filter_map(|t| t.point)
        .collect();
    (points, frame)
}

pub fn scope_view(scope: &ReportScope, centres: &[CentreInfo]) -> ScopeView {
    match scope {
        ReportScope::City => ScopeView {
            kind: "city",
            id: "121002".into(),
            label: "千葉市".into(),
        },
        ReportScope::Ward(w) => ScopeView {
            kind: "ward",
            id: w.code().to_string(),
            label: w.name().to_string(),
        },
        ReportScope::Centre(id) => ScopeView {
            kind: "centre",
            id: id.clone(),
            label: centres
                .iter()
                .find(|c| &c.id == id)
                .map_or_else(|| id.clone(), |c| c.name.clone()),
        },
    }
}

fn reach<'a>(
    resources: &[&ResourceFacts],
    towns: &[&TownInfo],
    pop_of: &dyn Fn(&TownInfo) -> Option<&'a Population>,
) -> Reach {
    let kayoi: Vec<&&ResourceFacts> = resources
        .iter()
        .filter(|r| r.is_active() && r.kind == Kind::Kayoi && r.point.is_some())
        .collect();
    let index_of = |filter: &dyn Fn(&ResourceFacts) -> bool| {
        PointIndex::new(kayoi.iter().filter(|r| filter(r)).filter_map(|r| {
            let (lat, lon) = r.point?;
            Some(((), lat, lon))
        }))
    };
    let located: Vec<(&TownInfo, (f64, f64))> = towns
        .iter()
        .filter_map(|t| t.point.map(|p| (*t, p)))
        .collect();
    let n = located.len() as u64;
    // The 65+ share needs every town's count: a share over the towns whose
    // count is known would misstate the rest.
    let pops: Option<Vec<u64>> = located
        .iter()
        .map(|(t, _)| pop_of(t).and_then(|p| p.aged_65))
        .collect();
    let all_65: Option<u64> = pops.as_ref().map(|p| p.iter().sum());
    let row = |activity: String, label: String, index: &PointIndex<()>| {
        let mut within = [0u64; 2];
        let mut people = [0u64; 2];
        for (i, (_, (lat, lon))) in located.iter().enumerate() {
            let nearest = index.nearest(*lat, *lon).next().map(|(_, d)| d);
            for (k, radius) in REACH_RADII_M.iter().enumerate() {
                if nearest.is_some_and(|d| d <= f64::from(*radius)) {
                    within[k] += 1;
                    if let Some(p) = &pops {
                        people[k] += p[i];
                    }
                }
            }
        }
        let share = |x: u64, of: u64| {
            if of == 0 {
                0.0
            } else {
                round4(x as f64 / of as f64)
            }
        };
        ReachRow {
            activity,
            label,
            towns_within: within,
            share: [share(within[0], n), share(within[1], n)],
            share_65: all_65
                .filter(|t| *t > 0)
                .map(|t| [share(people[0], t), share(people[1], t)]),
        }
    };
    let any_index = index_of(&|_| true);
    let any = row("any".into(), "通いの場（すべて）".into(), &any_index);
    let by_activity = Category::ALL
        .iter()
        .filter(|c| c.home_kind() == Kind::Kayoi)
        .map(|c| {
            let index = index_of(&|r| r.categories.contains(c));
            row(c.code().to_string(), c.label_ja().to_string(), &index)
        })
        .collect();
    let larger = f64::from(REACH_RADII_M[1]);
    let mut towns_without: Vec<TownOutOfReach> = located
        .iter()
        .filter_map(|(t, (lat, lon))| {
            let nearest = any_index.nearest(*lat, *lon).next().map(|(_, d)| d);
            if nearest.is_some_and(|d| d <= larger) {
                return None;
            }
            Some(TownOutOfReach {
                ward: t.ward.name().to_string(),
                town: t.name.clone(),
                centre: t.centre.clone(),
                point: (*lat, *lon),
                nearest_m: nearest.map(|d| d.round() as u32),
                aged_65: pop_of(t).and_then(|p| p.aged_65),
            })
        })
        .collect();
    towns_without.sort_by(|a, b| {
        b.aged_65
            .cmp(&a.aged_65)
            .then(a.ward.cmp(&b.ward))
            .then(a.town.cmp(&b.town))
    });
    Reach {
        method_ja: REACH_METHOD_JA,
        radii_m: REACH_RADII_M,
        towns: n,
        any,
        by_activity,
        towns_without,
    }
}

fn unmet(request: &AreaReportRequest, data: &ReportData<'_>) -> Unmet {
    let ward_of = |centre: Option<&str>| {
        centre.and_then(|c| data.centres.iter().find(|x| x.id == c).map(|x| x.ward))
    };
    let mut counts: BTreeMap<(Option<String>, String, String), u64> = BTreeMap::new();
    let mut by_need: HashMap<String, u64> = HashMap::new();
    let mut total = 0;
    for row in data.unmet {
        if request.from.is_some_and(|f| row.day < f) || request.to.is_some_and(|t| row.day > t) {
            continue;
        }
        let ward = ward_of(row.centre.as_deref());
        if !request
            .scope
            .holds_ward(ward, data.centres, row.centre.as_deref())
        {
            continue;
        }
        let month = format!("{:04}-{:02}", row.day.year(), row.day.month());
        *counts
            .entry((row.centre.clone(), row.need.clone(), month))
            .or_default() += 1;
        *by_need.entry(row.need.clone()).or_default() += 1;
        total += 1;
    }
    let label = |code: &str| {
        Category::from_code(code).map_or_else(|| code.to_string(), |c| c.label_ja().to_string())
    };
    let rows = counts
        .into_iter()
        .map(|((centre, need, month), count)| UnmetCount {
            ward: ward_of(centre.as_deref()).map(|w| w.name().to_string()),
            centre,
            label: label(&need),
            need,
            month,
            count,
        })
        .collect();
    let mut by_need: Vec<NeedCount> = by_need
        .into_iter()
        .map(|(need, count)| NeedCount {
            label: label(&need),
            need,
            count,
        })
        .collect();
    by_need.sort_by(|a, b| b.count.cmp(&a.count).then(a.need.cmp(&b.need)));
    Unmet {
        rows,
        by_need,
        total,
    }
}

fn freshness(
    request: &AreaReportRequest,
    resources: &[&ResourceFacts],
    centres: &[CentreInfo],
) -> Freshness {
    let cutoff = request.today - Months::new(STALE_MONTHS);
    // Closed records need no confirming.
    let live: Vec<&&ResourceFacts> = resources
        .iter()
        .filter(|r| r.status != tsunagu_model::Status::Closed)
        .collect();
    let is_stale = |r: &ResourceFacts| r.verified_on.is_none_or(|d| d < cutoff);
    let mut by_area: BTreeMap<String, (String, u64, u64)> = BTreeMap::new();
    let mut by_organizer: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &live {
        let stale = u64::from(is_stale(r));
        let (key, label) = match &r.centre {
            Some(c) => (
                c.clone(),
                centres
                    .iter()
                    .find(|x| &x.id == c)
                    .map_or_else(|| c.clone(), |x| x.name.clone()),
            ),
            None => ("-".to_string(), "センター未定（区または市外）".to_string()),
        };
        let e = by_area.entry(key).or_insert((label, 0, 0));
        e.1 += stale;
        e.2 += 1;
        let o = by_organizer
            .entry(
                r.organizer
                    .clone()
                    .unwrap_or_else(|| "（運営主体の記載なし）".into()),
            )
            .or_default();
        o.0 += stale;
        o.1 += 1;
    }
    let mut records: Vec<StaleRecord> = live
        .iter()
        .filter(|r| is_stale(r))
        .map(|r| StaleRecord {
            id: r.id.clone(),
            name: r.name.clone(),
            organizer: r.organizer.clone(),
            centre: r.centre.clone(),
            verified_on: r.verified_on,
        })
        .collect();
    records.sort_by(|a, b| a.verified_on.cmp(&b.verified_on).then(a.id.cmp(&b.id)));
    let mut by_organizer: Vec<StaleCount> = by_organizer
        .into_iter()
        .filter(|(_, (stale, _))| *stale > 0)
        .map(|(name, (stale, total))| StaleCount {
            key: name.clone(),
            label: name,
            stale,
            total,
        })
        .collect();
    by_organizer.sort_by(|a, b| b.stale.cmp(&a.stale).then(a.key.cmp(&b.key)));
    Freshness {
        cutoff,
        by_area: by_area
            .into_iter()
            .map(|(key, (label, stale, total))| StaleCount {
                key,
                label,
                stale,
                total,
            })
            .collect(),
        by_organizer,
        records,
    }
}
