//! The 地域診断 report and the 協議体 agenda as pages: short enough to print
//! on one A4 sheet for an area, with a map and bar charts drawn as SVG
//! here (no script, no inline style: the attributes SVG presents with are
//! not CSS, so the pages keep the strict Content-Security-Policy).
//!
//! The same templates serve the console (the stylesheet linked) and the
//! command line's `--format html` (the stylesheet inlined, so the file
//! opens on its own).

use std::fmt::Write as _;

use askama::Template;
use tsunagu_report::AreaReport;
use tsunagu_report::survey::KayoiSurvey;

use crate::escape;

/// How a report page gets its stylesheet.
#[derive(Debug, Clone)]
pub enum Css {
    Href(String),
    /// The stylesheet's text, for a file that opens on its own.
    Inline(String),
}

impl Css {
    /// The stylesheet's address, when linked.
    pub fn href(&self) -> Option<&str> {
        match self {
            Css::Href(h) => Some(h),
            Css::Inline(_) => None,
        }
    }

    /// The stylesheet's text, when inlined.
    pub fn text(&self) -> Option<&str> {
        match self {
            Css::Inline(t) => Some(t),
            Css::Href(_) => None,
        }
    }
}

/// What the map draws beside the report's own numbers.
#[derive(Debug, Clone, Default)]
pub struct MapInput {
    /// Ward outlines as rings of (lat, lon), outer ring first.
    pub outlines: Vec<tsunagu_report::area::WardOutline>,
    /// Active 通いの場 of the scope.
    pub points: Vec<(f64, f64)>,
    /// The scope's 町丁目 points, to frame the map.
    pub frame: Vec<(f64, f64)>,
}

/// Lines shown per list before 「ほか N 件」.
const LIST_LINES: usize = 6;
/// Beyond this many points the map draws counts per grid cell instead.
const MAX_MAP_POINTS: usize = 1_500;

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A horizontal bar chart: one bar per row, labelled, the value written at
/// its end. `max` fixes the scale (shares use 1.0).
pub fn bar_chart(title: &str, rows: &[(String, f64, String)], max: Option<f64>) -> String {
    let max = max
        .unwrap_or_else(|| rows.iter().map(|r| r.1).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let (label_w, bar_w, row_h) = (150.0, 220.0, 16.0);
    let height = row_h * rows.len() as f64 + 4.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        w = label_w + bar_w + 60.0,
        t = escape(title)
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        let w = (value / max).clamp(0.0, 1.0) * bar_w;
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" font-size="11" text-anchor="end" fill="#1a1a1c">{l}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="{bh}" fill="#0017c1"/><text x="{vx:.1}" y="{ty}" font-size="11" fill="#1a1a1c">{v}</text>"##,
            lx = label_w - 4.0,
            ty = y + 11.0,
            l = escape(label),
            bh = row_h - 4.0,
            vx = label_w + w + 4.0,
            v = escape(text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The scope's map: ward outlines, 通いの場 (blue dots, or counts per cell
/// when there are many) and the 町丁目 with none within reach (red squares).
pub fn area_map(input: &MapInput, out_of_reach: &[(f64, f64)]) -> String {
    let frame: Vec<(f64, f64)> = if input.frame.is_empty() {
        input.points.clone()
    } else {
        input.frame.clone()
    };
    if frame.is_empty() {
        return String::new();
    }
    let (mut s, mut n, mut w, mut e) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for (lat, lon) in &frame {
        s = s.min(*lat);
        n = n.max(*lat);
        w = w.min(*lon);
        e = e.max(*lon);
    }
    // A margin of about 500 m, and never a frame of zero size.
    let (pad_lat, pad_lon) = (0.0045, 0.0055);
    let (s, n, w, e) = (s - pad_lat, n + pad_lat, w - pad_lon, e + pad_lon);
    let k = ((s + n) / 2.0).to_radians().cos();
    let width = 400.0;
    let height = (width * (n - s) / ((e - w) * k)).clamp(120.0, 520.0);
    let x = |lon: f64| (lon - w) / (e - w) * width;
    let y = |lat: f64| (n - lat) / (n - s) * height;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="area-map" viewBox="0 0 {width} {height:.0}" overflow="hidden" role="img" aria-label="地図: 通いの場（青）と1km以内に通いの場がない町丁目（赤）" xmlns="http://www.w3.org/2000/svg"><title>地図: 通いの場（青）と1km以内に通いの場がない町丁目（赤）</title><rect width="{width}" height="{height:.0}" fill="#f8f8f8"/>"##
    );
    for (_, rings) in &input.outlines {
        let mut d = String::new();
        // Rings wholly outside the frame draw nothing but weigh a lot.
        let touches = |ring: &Vec<(f64, f64)>| {
            let (mut rs, mut rn, mut rw, mut re) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
            for (lat, lon) in ring {
                rs = rs.min(*lat);
                rn = rn.max(*lat);
                rw = rw.min(*lon);
                re = re.max(*lon);
            }
            rs <= n && rn >= s && rw <= e && re >= w
        };
        for ring in rings.iter().filter(|r| touches(r)) {
            let mut last: Option<(f64, f64)> = None;
            for (lat, lon) in ring {
                let p = (x(*lon), y(*lat));
                // Vertices closer than half a unit add nothing at this size.
                if last.is_some_and(|l| (l.0 - p.0).abs() < 0.5 && (l.1 - p.1).abs() < 0.5) {
                    continue;
                }
                let _ = write!(
                    d,
                    "{}{:.1} {:.1}",
                    if last.is_none() { "M" } else { "L" },
                    p.0,
                    p.1
                );
                last = Some(p);
            }
            d.push('Z');
        }
        if !d.is_empty() {
            let _ = write!(
                svg,
                r##"<path d="{d}" fill="none" stroke="#767676" stroke-width="0.8"/>"##
            );
        }
    }
    let inside = |p: &(f64, f64)| p.0 >= s && p.0 <= n && p.1 >= w && p.1 <= e;
    let points: Vec<&(f64, f64)> = input.points.iter().filter(|p| inside(p)).collect();
    if points.len() <= MAX_MAP_POINTS {
        for (lat, lon) in points {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="2.2" fill="#0017c1" fill-opacity="0.7"/>"##,
                x(*lon),
                y(*lat)
            );
        }
    } else {
        // Counts per 10-unit cell, drawn as circles whose area follows the count.
        let mut cells: std::collections::BTreeMap<(i64, i64), u32> = Default::default();
        for (lat, lon) in points {
            *cells
                .entry(((x(*lon) / 10.0) as i64, (y(*lat) / 10.0) as i64))
                .or_default() += 1;
        }
        let most = cells.values().copied().max().unwrap_or(1) as f64;
        for ((cx, cy), count) in cells {
            let r = 1.5 + 4.5 * (f64::from(count) / most).sqrt();
            let _ = write!(
                svg,
                r##"<circle cx="{}" cy="{}" r="{r:.1}" fill="#0017c1" fill-opacity="0.6"/>"##,
                cx * 10 + 5,
                cy * 10 + 5
            );
        }
    }
    for (lat, lon) in out_of_reach.iter().filter(|p| inside(p)) {
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="5" height="5" fill="#b00000"/>"##,
            x(*lon) - 2.5,
            y(*lat) - 2.5
        );
    }
    svg.push_str("</svg>");
    svg
}

/// An area as the report's table shows it.
#[derive(Debug, Clone)]
pub struct AreaLine {
    pub label: String,
    pub kayoi: u64,
    pub service: u64,
    pub aged_65: String,
    pub kayoi_per_65: String,
    pub kayoi_per_75: String,
}

#[derive(Debug, Clone)]
pub struct ReachLine {
    pub label: String,
    pub within_500: String,
    pub within_1000: String,
    pub people_1000: String,
}

/// Shared by the report and the agenda: the scope and its period.
#[derive(Debug, Clone)]
pub struct ReportHead {
    pub css: Css,
    pub back_href: Option<String>,
    pub scope: String,
    pub generated_on: String,
    pub period: String,
    pub since: String,
    pub population: String,
    pub audience: String,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub title: String,
    pub head: ReportHead,
    pub map_svg: String,
    pub areas: Vec<AreaLine>,
    pub areas_chart: String,
    pub reach_method: String,
    pub reach: Vec<ReachLine>,
    pub reach_chart: String,
    pub out_of_reach: Vec<String>,
    pub out_of_reach_more: usize,
    pub gaps: Vec<(String, String)>,
    pub unmet: Vec<(String, u64)>,
    pub unmet_total: u64,
    pub stale: Vec<(String, u64, u64)>,
    pub stale_records: Vec<String>,
    pub stale_more: usize,
    pub added: Vec<String>,
    pub added_more: usize,
    pub closed: Vec<String>,
    pub closed_more: usize,
    /// Agenda pages of the areas shown (console only).
    pub agenda_links: Vec<(String, String)>,
    /// Downloads of the same report (console only).
    pub downloads: Vec<(String, String)>,
}

fn head_of(report: &AreaReport, css: Css, back_href: Option<String>) -> ReportHead {
    let period = match (report.period.from, report.period.to) {
        (Some(f), Some(t)) => format!("{f} 〜 {t}"),
        (Some(f), None) => format!("{f} 〜"),
        (None, Some(t)) => format!("〜 {t}"),
        (None, None) => "記録のすべて".into(),
    };
    let population = match &report.population {
        Some(p) => format!(
            "人口: {}（{}）",
            p.source,
            p.as_of.as_deref().unwrap_or("時点の記載なし")
        ),
        None => "人口表が取り込まれていないため、人口あたりの数は出していません。".into(),
    };
    ReportHead {
        css,
        back_href,
        scope: report.scope.label.clone(),
        generated_on: report.generated_on.to_string(),
        period,
        since: report.period.since.to_string(),
        population,
        audience: if report.audience == "public" {
            "公開用（公開の資源のみ）".into()
        } else {
            "内部用（非公開の資源を含む）".into()
        },
    }
}

/// The areas a report's tables show: a city's wards, a ward's centres, a
/// centre itself.
fn shown_areas(report: &AreaReport) -> Vec<&tsunagu_report::area::AreaRow> {
    let want = match report.scope.kind {
        "city" => "ward",
        _ => "centre",
    };
    report.areas.iter().filter(|a| a.kind == want).collect()
}

fn more<T: Clone>(list: &[T], n: usize) -> (Vec<T>, usize) {
    (
        list.iter().take(n).cloned().collect(),
        list.len().saturating_sub(n),
    )
}

impl ReportPage {
    pub fn new(
        report: &AreaReport,
        map: &MapInput,
        css: Css,
        back_href: Option<String>,
    ) -> ReportPage {
        let shown = shown_areas(report);
        let areas: Vec<AreaLine> = shown
            .iter()
            .map(|a| AreaLine {
                label: a.label.clone(),
                kayoi: a.kayoi,
                service: a.service,
                aged_65: a
                    .population
                    .and_then(|p| p.aged_65)
                    .map_or_else(|| "—".into(), thousands),
                kayoi_per_65: a.kayoi_per_1000_65.map_or_else(|| "—".into(), number),
                kayoi_per_75: a.kayoi_per_1000_75.map_or_else(|| "—".into(), number),
            })
            .collect();
        let with_ratio = shown.iter().all(|a| a.kayoi_per_1000_65.is_some());
        let areas_chart = if with_ratio {
            bar_chart(
                "65歳以上1,000人あたりの通いの場",
                &shown
                    .iter()
                    .map(|a| {
                        let v = a.kayoi_per_1000_65.unwrap_or(0.0);
                        (chart_label(&a.label), v, number(v))
                    })
                    .collect::<Vec<_>>(),
                None,
            )
        } else {
            bar_chart(
                "通いの場の数",
                &shown
                    .iter()
                    .map(|a| (chart_label(&a.label), a.kayoi as f64, a.kayoi.to_string()))
                    .collect::<Vec<_>>(),
                None,
            )
        };
        let reach_rows: Vec<&tsunagu_report::area::ReachRow> = std::iter::once(&report.reach.any)
            .chain(report.reach.by_activity.iter())
            .collect();
        let reach = reach_rows
            .iter()
            .map(|r| ReachLine {
                label: r.label.clone(),
                within_500: percent(r.share[0]),
                within_1000: percent(r.share[1]),
                people_1000: r.share_65.map_or_else(|| "—".into(), |s| percent(s[1])),
            })
            .collect();
        let reach_chart = bar_chart(
            "1km以内に通いの場がある町丁目の割合",
            &reach_rows
                .iter()
                .map(|r| (short_label(&r.label), r.share[1], percent(r.share[1])))
                .collect::<Vec<_>>(),
            Some(1.0),
        );
        let out: Vec<String> = report
            .reach
            .towns_without
            .iter()
            .map(|t| {
                let mut s = format!("{}{}", t.ward, t.town);
                match (t.aged_65, t.nearest_m) {
                    (Some(p), Some(m)) => {
                        let _ = write!(
                            s,
                            "（65歳以上{}人・最寄り{:.1}km）",
                            thousands(p),
                            f64::from(m) / 1000.0
                        );
                    }
                    (None, Some(m)) => {
                        let _ = write!(s, "（最寄り{:.1}km）", f64::from(m) / 1000.0);
                    }
                    (Some(p), None) => {
                        let _ = write!(s, "（65歳以上{}人）", thousands(p));
                    }
                    (None, None) => {}
                }
                s
            })
            .collect();
        let (out_of_reach, out_of_reach_more) = more(&out, LIST_LINES * 2);
        let map_svg = area_map(
            map,
            &report
                .reach
                .towns_without
                .iter()
                .map(|t| t.point)
                .collect::<Vec<_>>(),
        );
        let shown_ids: Vec<&str> = shown.iter().map(|a| a.id.as_str()).collect();
        let gaps = report
            .gaps
            .iter()
            .filter(|g| shown_ids.contains(&g.area.as_str()))
            .map(|g| {
                (
                    g.label.clone(),
                    g.categories
                        .iter()
                        .map(|c| short_label(c.label))
                        .collect::<Vec<_>>()
                        .join("、"),
                )
            })
            .collect();
        let unmet = report
            .unmet
            .by_need
            .iter()
            .take(LIST_LINES)
            .map(|n| (short_label(&n.label), n.count))
            .collect();
        let stale = report
            .freshness
            .by_area
            .iter()
            .filter(|s| report.scope.kind == "city" || shown_ids.contains(&s.key.as_str()))
            .map(|s| (s.label.clone(), s.stale, s.total))
            .collect();
        let stale_names: Vec<String> = report
            .freshness
            .records
            .iter()
            .map(|r| {
                format!(
                    "{}（{}）",
                    r.name,
                    r.verified_on
                        .map_or_else(|| "確認日なし".into(), |d| format!("確認 {d}"))
                )
            })
            .collect();
        let (stale_records, stale_more) = more(&stale_names, LIST_LINES);
        let name_on = |c: &tsunagu_report::area::Change| {
            format!(
                "{}（{}）",
                c.name,
                c.on.map(|d| d.to_string()).unwrap_or_default()
            )
        };
        let added_all: Vec<String> = report.changes.added.iter().map(name_on).collect();
        let closed_all: Vec<String> = report.changes.closed.iter().map(name_on).collect();
        let (added, added_more) = more(&added_all, LIST_LINES);
        let (closed, closed_more) = more(&closed_all, LIST_LINES);
        ReportPage {
            title: format!("地域診断: {}", report.scope.label),
            head: head_of(report, css, back_href),
            map_svg,
            areas,
            areas_chart,
            reach_method: report.reach.method_ja.to_string(),
            reach,
            reach_chart,
            out_of_reach,
            out_of_reach_more,
            gaps,
            unmet,
            unmet_total: report.unmet.total,
            stale,
            stale_records,
            stale_more,
            added,
            added_more,
            closed,
            closed_more,
            agenda_links: Vec::new(),
            downloads: Vec::new(),
        }
    }
}

/// An area's name short enough for a chart's label: a centre without
/// 「千葉市あんしんケアセンター」.
fn chart_label(label: &str) -> String {
    label
        .strip_prefix("千葉市あんしんケアセンター")
        .filter(|rest| !rest.is_empty())
        .unwrap_or(label)
        .to_string()
}

/// A category's label without its parenthesis (「買い物支援」).
fn short_label(label: &str) -> String {
    label.split(['（', '(']).next().unwrap_or(label).to_string()
}

/// The one-page agenda for a 協議体 meeting about one area.
#[derive(Template)]
#[template(path = "agenda.html")]
pub struct AgendaPage {
    pub title: String,
    pub head: ReportHead,
    pub gaps: Vec<String>,
    pub unmet: Vec<(String, u64)>,
    pub unmet_total: u64,
    pub stale_count: u64,
    pub stale_records: Vec<String>,
    pub stale_more: usize,
    pub added: Vec<String>,
    pub added_more: usize,
    pub closed: Vec<String>,
    pub closed_more: usize,
    pub reach_any: String,
    pub out_of_reach: Vec<String>,
    pub out_of_reach_more: usize,
}

impl AgendaPage {
    /// From a report of one area (a ward or a centre).
    pub fn new(report: &AreaReport, css: Css, back_href: Option<String>) -> AgendaPage {
        let page = ReportPage::new(report, &MapInput::default(), css.clone(), None);
        let own = report.areas.first();
        let gaps = report
            .gaps
            .iter()
            .filter(|g| own.is_some_and(|a| a.id == g.area))
            .flat_map(|g| g.categories.iter().map(|c| short_label(c.label)))
            .collect();
        let stale_count = report.freshness.records.len() as u64;
        AgendaPage {
            title: format!("協議体 資料: {}", report.scope.label),
            head: head_of(report, css, back_href),
            gaps,
            unmet: page.unmet,
            unmet_total: page.unmet_total,
            stale_count,
            stale_records: page.stale_records,
            stale_more: page.stale_more,
            added: page.added,
            added_more: page.added_more,
            closed: page.closed,
            closed_more: page.closed_more,
            reach_any: format!(
                "町丁目の{}（{}のうち{}）に、1km以内に通いの場があります。",
                percent(report.reach.any.share[1]),
                report.reach.towns,
                report.reach.any.towns_within[1]
            ),
            out_of_reach: page.out_of_reach.into_iter().take(LIST_LINES).collect(),
            out_of_reach_more: report.reach.towns_without.len().saturating_sub(LIST_LINES),
        }
    }
}

/// The 通いの場 survey's counts as a page.
#[derive(Template)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    pub title: String,
    pub css: Css,
    pub back_href: Option<String>,
    pub survey: KayoiSurvey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_escapes_its_labels_and_scales_to_the_largest() {
        let svg = bar_chart(
            "t<",
            &[
                ("a<b".into(), 2.0, "2".into()),
                ("c".into(), 1.0, "1".into()),
            ],
            None,
        );
        assert!(svg.contains("a&lt;b") && !svg.contains("a<b"));
        assert!(
            svg.contains(r#"width="220.0""#),
            "the largest fills the bar"
        );
        assert!(svg.contains(r#"width="110.0""#));
        assert!(!svg.contains("style="), "no inline style under the CSP");
    }

    #[test]
    fn a_map_without_anything_to_frame_is_empty_and_many_points_are_counted_per_cell() {
        assert_eq!(area_map(&MapInput::default(), &[]), "");
        let points: Vec<(f64, f64)> = (0..3_000)
            .map(|i| {
                (
                    35.6 + f64::from(i % 50) * 0.001,
                    140.1 + f64::from(i / 50) * 0.001,
                )
            })
            .collect();
        let svg = area_map(
            &MapInput {
                points: points.clone(),
                ..MapInput::default()
            },
            &[(35.62, 140.12)],
        );
        assert!(
            svg.matches("<circle").count() < 1_500,
            "cells, not 3,000 dots"
        );
        assert_eq!(
            svg.matches("<rect").count(),
            2,
            "background and one red square"
        );
    }
}
