//! Reports as CSV for spreadsheets: one long table (section, area, item,
//! value) so every section fits one sheet and a pivot table can turn it
//! around. UTF-8 with a BOM, so Excel opens it as UTF-8.

use std::io::Write;

use crate::area::AreaReport;
use crate::survey::KayoiSurvey;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn number(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The area report as rows of 区分, 地域種別, 地域, 項目, 値.
pub fn area_report_csv(report: &AreaReport, out: impl Write) -> Result<(), csv::Error> {
    let mut out = out;
    out.write_all(BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["区分", "地域種別", "地域ID", "地域", "項目", "値"])?;
    let kind_ja = |k: &str| match k {
        "ward" => "区",
        "centre" => "あんしんケアセンター",
        _ => "市",
    };
    for a in &report.areas {
        let k = kind_ja(a.kind);
        let mut row = |item: &str, value: String| {
            w.write_record(["資源数", k, &a.id, &a.label, item, &value])
        };
        row("通いの場", a.kayoi.to_string())?;
        row("生活支援サービス", a.service.to_string())?;
        for (code, n) in &a.by_category {
            let label =
                tsunagu_model::Category::from_code(code).map_or(code.as_str(), |c| c.label_ja());
            row(label, n.to_string())?;
        }
        if let Some(p) = &a.population {
            if let Some(n) = p.total {
                row("人口", n.to_string())?;
            }
            if let Some(n) = p.aged_65 {
                row("65歳以上人口", n.to_string())?;
            }
            if let Some(n) = p.aged_75 {
                row("75歳以上人口", n.to_string())?;
            }
        }
        if let Some(x) = a.kayoi_per_1000_65 {
            row("通いの場（65歳以上1,000人あたり）", number(x))?;
        }
        if let Some(x) = a.kayoi_per_1000_75 {
            row("通いの場（75歳以上1,000人あたり）", number(x))?;
        }
        if let Some(x) = a.service_per_1000_65 {
            row("生活支援サービス（65歳以上1,000人あたり）", number(x))?;
        }
    }
    let scope = &report.scope;
    for r in std::iter::once(&report.reach.any).chain(&report.reach.by_activity) {
        for (i, radius) in report.reach.radii_m.iter().enumerate() {
            let item = format!("{}・{}m以内の町丁目の割合", r.label, radius);
            w.write_record([
                "到達",
                kind_ja(scope.kind),
                &scope.id,
                &scope.label,
                &item,
                &number(r.share[i]),
            ])?;
            if let Some(s) = r.share_65 {
                let item = format!("{}・{}m以内に住む65歳以上の割合", r.label, radius);
                w.write_record([
                    "到達",
                    kind_ja(scope.kind),
                    &scope.id,
                    &scope.label,
                    &item,
                    &number(s[i]),
                ])?;
            }
        }
    }
    for t in &report.reach.towns_without {
        w.write_record([
            "通いの場が1km以内にない町丁目",
            "町丁目",
            &format!("{}{}", t.ward, t.town),
            &t.town,
            "最寄りの通いの場まで（m）",
            &t.nearest_m.map(|m| m.to_string()).unwrap_or_default(),
        ])?;
    }
    for g in &report.gaps {
        for c in &g.categories {
            w.write_record([
                "空白",
                kind_ja(g.area_kind),
                &g.area,
                &g.label,
                c.label,
                "0",
            ])?;
        }
    }
    for u in &report.unmet.rows {
        w.write_record([
            "見つからなかった困りごと",
            "あんしんケアセンター",
            u.centre.as_deref().unwrap_or("-"),
            u.ward.as_deref().unwrap_or(""),
            &format!("{} {}", u.month, u.label),
            &u.count.to_string(),
        ])?;
    }
    for s in &report.freshness.by_area {
        w.write_record([
            "確認から12か月以上",
            "あんしんケアセンター",
            &s.key,
            &s.label,
            &format!("{}件中", s.total),
            &s.stale.to_string(),
        ])?;
    }
    for s in &report.freshness.by_organizer {
        w.write_record([
            "確認から12か月以上",
            "運営主体",
            &s.key,
            &s.label,
            &format!("{}件中", s.total),
            &s.stale.to_string(),
        ])?;
    }
    for (section, list) in [
        ("追加", &report.changes.added),
        ("廃止", &report.changes.closed),
    ] {
        for c in list {
            w.write_record([
                section,
                "資源",
                &c.id,
                &c.name,
                "日付",
                &c.on.map(|d| d.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The survey's counts as rows of 区分, 項目, 件数, then the records to fix.
pub fn kayoi_survey_csv(survey: &KayoiSurvey, out: impl Write) -> Result<(), csv::Error> {
    let mut out = out;
    out.write_all(BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["区分", "項目", "件数"])?;
    w.write_record(["合計", "通いの場（月1回以上）", &survey.places.to_string()])?;
    for (section, counts) in [
        ("主な活動内容", &survey.by_activity),
        ("運営主体", &survey.by_operator),
        ("開催頻度", &survey.by_frequency),
    ] {
        for c in counts {
            w.write_record([section, &c.label, &c.count.to_string()])?;
        }
    }
    w.write_record([
        "参考",
        "月1回未満（数えていません）",
        &survey.less_than_monthly.to_string(),
    ])?;
    for u in &survey.undetermined {
        w.write_record([
            "回数が読めない記録",
            &format!("{} {}", u.id, u.name),
            u.reason_ja,
        ])?;
    }
    w.flush()?;
    Ok(())
}
