//! Printing import summaries and search results as tables or JSON.

use std::io::Write;

use anyhow::Result;
use tsunagu_engine::{ImportReport, SearchResults};

/// Standard output for people: every control character except the line
/// feeds the table is made of is shown escaped (`\u{1b}`), so a record's
/// name or id can never move the cursor, rewrite a line or retitle the
/// terminal. JSON output is escaped by serde_json itself.
struct SafeOut<W: Write> {
    inner: W,
}

fn out() -> SafeOut<std::io::StdoutLock<'static>> {
    SafeOut {
        inner: std::io::stdout().lock(),
    }
}

impl<W: Write> Write for SafeOut<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Control characters are ASCII or C1 (U+0080–U+009F, two bytes in
        // UTF-8): rewrite only when one is present.
        let text = String::from_utf8_lossy(buf);
        if !text.chars().any(|c| c.is_control() && c != '\n') {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut escaped = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c.is_control() && c != '\n' {
                escaped.extend(c.escape_default());
            } else {
                escaped.push(c);
            }
        }
        self.inner.write_all(escaped.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn print_import(reports: &[ImportReport], json: bool) -> Result<()> {
    let mut out = out();
    if json {
        let total = |f: fn(&ImportReport) -> u64| reports.iter().map(f).sum::<u64>();
        let value = serde_json::json!({
            "files": reports,
            "accepted": total(|r| r.accepted),
            "inserted": total(|r| r.inserted),
            "replaced": total(|r| r.replaced),
            "unchanged": total(|r| r.unchanged),
            "rejected": total(|r| r.rejected),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    for r in reports {
        writeln!(
            out,
            "{}: 受付 {}件（新規 {}・置換 {}・変更なし {}）、却下 {}件 / accepted {} (new {}, replaced {}, unchanged {}), rejected {}",
            r.file,
            r.accepted,
            r.inserted,
            r.replaced,
            r.unchanged,
            r.rejected,
            r.accepted,
            r.inserted,
            r.replaced,
            r.unchanged,
            r.rejected
        )?;
        if !r.unparsed_schedules.is_empty() {
            writeln!(
                out,
                "  日時を読み取れなかった記録 {}件（文章のまま保存） / {} schedule texts not parsed",
                r.unparsed_schedules.len(),
                r.unparsed_schedules.len()
            )?;
            for u in r.unparsed_schedules.iter().take(5) {
                writeln!(out, "    {}行目 id={}: 「{}」", u.line, u.id, u.text)?;
            }
        }
        if let Some(e) = &r.file_error {
            writeln!(
                out,
                "  ファイルのエラー: {}\n  file error: {}",
                e.message_ja, e.message_en
            )?;
        }
        for d in &r.duplicates {
            writeln!(
                out,
                "  {}行目 id={}: {}行目と同じ id です。後の行で置き換えました / line {}: id {} repeats line {}; the later line wins",
                d.line, d.id, d.earlier_line, d.line, d.id, d.earlier_line
            )?;
        }
        for w in &r.warnings {
            writeln!(out, "  {}行目 id={}: 注意: {}", w.line, w.id, w.message_ja)?;
            writeln!(
                out,
                "    line {} id={}: warning: {}",
                w.line, w.id, w.message_en
            )?;
        }
        for x in &r.rejections {
            let id =
                x.id.as_deref()
                    .map(|i| format!(" id={i}"))
                    .unwrap_or_default();
            writeln!(out, "  {}行目{}: {}", x.line, id, x.message_ja)?;
            writeln!(out, "    line {}{}: {}", x.line, id, x.message_en)?;
        }
    }
    Ok(())
}

/// `<mark>` → 【】 and HTML entities back to text, for a terminal.
fn plain_snippet(html: &str) -> String {
    html.replace("<mark>", "【")
        .replace("</mark>", "】")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

pub fn print_search(
    query: &str,
    searched: &tsunagu_engine::UnderstoodSearch,
    json: bool,
) -> Result<()> {
    let mut out = out();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(searched)?)?;
        return Ok(());
    }
    let results = &searched.results;
    let u = &searched.understanding;
    if !u.understood.is_empty() {
        let words = if u.text.is_empty() {
            String::new()
        } else {
            format!("「{}」を ", u.text)
        };
        writeln!(out, "{words}{} として探しました", u.summary_ja())?;
    }
    if results.results.is_empty() {
        writeln!(
            out,
            "「{query}」に合う資源は見つかりませんでした / no results"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{}件中 {}件を表示{} / {} results",
        results.total,
        results.results.len(),
        if results.relaxed {
            "（一部の語を含まないものも表示）"
        } else {
            ""
        },
        results.total
    )?;
    for (i, r) in results.results.iter().enumerate() {
        let labels: Vec<&str> = r.categories.iter().map(|c| c.label_ja()).collect();
        writeln!(
            out,
            "{:>2}. {}  [{}] {}  ({}, score {:.2})",
            i + 1,
            r.name,
            r.kind.label_ja(),
            r.ward.as_deref().unwrap_or("区不明"),
            r.id,
            r.score
        )?;
        writeln!(out, "    {}", labels.join(" / "))?;
        let snippet = plain_snippet(&r.snippet);
        if !snippet.is_empty() {
            writeln!(out, "    {}", snippet)?;
        }
    }
    let facets: Vec<String> = results
        .facets
        .category
        .iter()
        .map(|f| {
            let label = tsunagu_model::Category::from_code(&f.value)
                .map(|c| c.label_ja())
                .unwrap_or(&f.value);
            format!("{label} {}", f.count)
        })
        .collect();
    if !facets.is_empty() {
        writeln!(out, "  分類: {}", facets.join(", "))?;
    }
    let wards: Vec<String> = results
        .facets
        .ward
        .iter()
        .map(|f| format!("{} {}", f.value, f.count))
        .collect();
    if !wards.is_empty() {
        writeln!(out, "  区: {}", wards.join(", "))?;
    }
    Ok(())
}

/// Search results around a place, with distance and walking time.
pub fn print_near(
    query: &str,
    place: &tsunagu_engine::LocatedPlace,
    results: &SearchResults,
    json: bool,
) -> Result<()> {
    let mut out = out();
    if json {
        let v = serde_json::json!({ "place": place, "total": results.total, "results": results.results, "facets": results.facets });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "基準地点: {}{} ({:.5}, {:.5})",
        place.ward.as_deref().unwrap_or(""),
        place.town.as_deref().unwrap_or(""),
        place.lat,
        place.lon
    )?;
    if results.results.is_empty() {
        writeln!(
            out,
            "「{query}」に合う資源は近くに見つかりませんでした / no results nearby"
        )?;
        return Ok(());
    }
    for (i, r) in results.results.iter().enumerate() {
        let distance = if r.in_service_area {
            "対応地域内".to_string()
        } else {
            match (r.distance_m, r.walking_min) {
                (Some(d), Some(m)) => format!("徒歩約{m}分（{d}m）"),
                _ => "距離不明".to_string(),
            }
        };
        writeln!(
            out,
            "{:>2}. {}  [{}] {}  {}  ({})",
            i + 1,
            r.name,
            r.kind.label_ja(),
            r.ward.as_deref().unwrap_or("区不明"),
            distance,
            r.id
        )?;
    }
    Ok(())
}

/// Where an address or point is.
pub fn print_place(
    locator: &tsunagu_geo::Locator,
    p: &tsunagu_geo::Place,
    json: bool,
) -> Result<()> {
    let mut out = out();
    let center = match &p.center {
        tsunagu_geo::CenterAssignment::Center(i) => locator
            .centers()
            .center(*i)
            .map(|c| (c.id.clone(), c.name.clone())),
        _ => None,
    };
    let undecided: Vec<String> = match &p.center {
        tsunagu_geo::CenterAssignment::Undecided(list) => list
            .iter()
            .filter_map(|i| locator.centers().center(*i).map(|c| c.name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    if json {
        let v = serde_json::json!({
            "level": p.level,
            "ward": p.ward.map(|w| w.name()),
            "ward_method": p.ward_method,
            "town": p.town,
            "oaza": p.oaza,
            "chome": p.chome,
            "center_id": center.as_ref().map(|c| c.0.clone()),
            "center_name": center.as_ref().map(|c| c.1.clone()),
            "center_candidates": undecided,
            "lat": p.point.map(|x| x.0),
            "lon": p.point.map(|x| x.1),
            "inside_city": p.inside_city,
            "candidates": p.candidates,
            "note": p.note,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
    let level = match p.level {
        tsunagu_geo::Level::Chome => "丁目まで特定",
        tsunagu_geo::Level::Town => "町まで特定",
        tsunagu_geo::Level::Ward => "区まで特定",
        tsunagu_geo::Level::None => "特定できません",
    };
    writeln!(out, "{level} / level: {:?}", p.level)?;
    if let Some(w) = p.ward {
        let how = match p.ward_method {
            Some(tsunagu_geo::WardMethod::Polygon) => "区域ポリゴン",
            Some(tsunagu_geo::WardMethod::NearestTown) => "最寄りの町丁目の代表点",
            _ => "住所の記載",
        };
        writeln!(out, "区: {}（{how}による）", w.name())?;
    }
    if let Some(t) = p.town.as_ref().or(p.oaza.as_ref()) {
        writeln!(out, "町丁目: {t}")?;
    }
    match (&center, undecided.is_empty()) {
        (Some((id, name)), _) => writeln!(out, "あんしんケアセンター: {name} ({id})")?,
        (None, false) => writeln!(
            out,
            "あんしんケアセンター: 丁目により {} のいずれか",
            undecided.join("・")
        )?,
        _ => {}
    }
    if let Some((lat, lon)) = p.point {
        writeln!(out, "地点: {lat:.6}, {lon:.6}")?;
    }
    if let Some(note) = &p.note {
        writeln!(out, "注意: {note}")?;
    }
    if !p.candidates.is_empty() {
        writeln!(out, "候補: {}", p.candidates.join("、"))?;
    }
    Ok(())
}

/// A match answer for a coordinator to read out.
pub fn print_match(answer: &tsunagu_engine::MatchAnswer, json: bool) -> Result<()> {
    let mut out = out();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(answer)?)?;
        return Ok(());
    }
    if !answer.derived_needs.is_empty() {
        writeln!(out, "ことばから読み取ったニーズ:")?;
        for d in &answer.derived_needs {
            writeln!(out, "  {}（「{}」から）", d.code.label_ja(), d.from)?;
        }
    }
    if !answer.suggestions.is_empty() {
        writeln!(out, "条件の提案（自動では適用していません）:")?;
        for s in &answer.suggestions {
            writeln!(out, "  {}（「{}」から）", s.label, s.from)?;
        }
    }
    for need in &answer.needs {
        writeln!(out, "\n■ {}", need.label)?;
        if need.matches.is_empty() {
            writeln!(out, "  条件に合う資源は見つかりませんでした")?;
        }
        for (i, m) in need.matches.iter().enumerate() {
            writeln!(out, "  {}. {}  ({}, {:.2})", i + 1, m.name, m.id, m.score)?;
            writeln!(out, "     {}", m.reasons.join(" / "))?;
        }
    }
    if !answer.unmet_needs.is_empty() {
        let labels: Vec<&str> = answer.unmet_needs.iter().map(|c| c.label_ja()).collect();
        writeln!(
            out,
            "\n満たせなかったニーズ（資源開発の記録に残しました）: {}",
            labels.join("、")
        )?;
    }
    Ok(())
}
