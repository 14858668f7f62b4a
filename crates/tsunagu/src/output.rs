//! Printing import summaries and search results as tables or JSON.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use tsunagu_engine::{ImportReport, InWords, SearchResult, SearchResults, ShownRecord};
use tsunagu_model::{Kind, Record, Status, Visibility};

/// Entries of each list in an import summary table (rejections, warnings,
/// duplicates, unparsed schedules); the rest are counted as 「ほか N件」 and
/// `--format json` lists them all.
const LISTED_IN_TABLE: usize = 10;

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
            for u in r.unparsed_schedules.iter().take(LISTED_IN_TABLE) {
                writeln!(out, "    {}行目 id={}: 「{}」", u.line, u.id, u.text)?;
            }
            let n = r.unparsed_schedules.len();
            write_more(&mut out, "    ", n, LISTED_IN_TABLE, n)?;
        }
        if let Some(e) = &r.file_error {
            writeln!(
                out,
                "  ファイルのエラー: {}\n  file error: {}",
                e.message_ja, e.message_en
            )?;
        }
        for d in r.duplicates.iter().take(LISTED_IN_TABLE) {
            writeln!(
                out,
                "  {}行目 id={}: {}行目と同じ id です。後の行で置き換えました / line {}: id {} repeats line {}; the later line wins",
                d.line, d.id, d.earlier_line, d.line, d.id, d.earlier_line
            )?;
        }
        let n = r.duplicates.len();
        write_more(&mut out, "  ", n, LISTED_IN_TABLE, n)?;
        for w in r.warnings.iter().take(LISTED_IN_TABLE) {
            writeln!(out, "  {}行目 id={}: 注意: {}", w.line, w.id, w.message_ja)?;
            writeln!(
                out,
                "    line {} id={}: warning: {}",
                w.line, w.id, w.message_en
            )?;
        }
        let n = r.warnings.len();
        write_more(&mut out, "  ", n, LISTED_IN_TABLE, n)?;
        for x in r.rejections.iter().take(LISTED_IN_TABLE) {
            let id =
                x.id.as_deref()
                    .map(|i| format!(" id={i}"))
                    .unwrap_or_default();
            writeln!(out, "  {}行目{}: {}", x.line, id, x.message_ja)?;
            writeln!(out, "    line {}{}: {}", x.line, id, x.message_en)?;
        }
        // `rejected` counts every rejection, also those past the ones the
        // report describes.
        let rejected = usize::try_from(r.rejected).unwrap_or(usize::MAX);
        write_more(
            &mut out,
            "  ",
            rejected.max(r.rejections.len()),
            LISTED_IN_TABLE.min(r.rejections.len()),
            r.rejections.len(),
        )?;
    }
    Ok(())
}

/// 「ほか N件」 after a list of `total` entries of which `shown` were printed
/// and `in_json` are described in `--format json`.
fn write_more(
    out: &mut impl Write,
    indent: &str,
    total: usize,
    shown: usize,
    in_json: usize,
) -> Result<()> {
    if total <= shown {
        return Ok(());
    }
    let more = total - shown;
    if in_json >= total {
        writeln!(
            out,
            "{indent}ほか {more}件（すべては --format json で表示されます） / {more} more (all with --format json)"
        )?;
    } else {
        writeln!(
            out,
            "{indent}ほか {more}件（--format json では最初の {in_json}件を表示します） / {more} more (--format json lists the first {in_json})"
        )?;
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

/// 【内部】【休止中】【廃止】: what a coordinator must know before
/// referring anyone (the public view never holds internal records, and
/// paused or closed ones only with `--include-inactive`).
fn marks(record: &Record) -> String {
    let mut marks = String::new();
    if record.visibility == Visibility::Internal {
        marks.push_str("【内部】");
    }
    match record.status {
        Status::Paused => marks.push_str("【休止中】"),
        Status::Closed => marks.push_str("【廃止】"),
        Status::Active => {}
    }
    marks
}

/// 「参加できます」 for a place one goes to, 「利用できます」 for a service.
fn can_ja(kind: Kind) -> &'static str {
    match kind {
        Kind::Kayoi => "参加できます",
        Kind::Service => "利用できます",
    }
}

/// A resource whose area covers the senior's place, said as what it means.
fn covers_ja(kind: Kind) -> String {
    match kind {
        Kind::Kayoi => format!("お住まいの地域の方が{}", can_ja(kind)),
        Kind::Service => format!("お住まいの地域で{}", can_ja(kind)),
    }
}

/// Provider text on one line of a table.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Areas shown of a service's `service_area`; the rest are counted.
const AREAS_SHOWN: usize = 3;

/// 「千葉市全域」「稲毛区全域・花見川区小仲台」.
fn areas_ja(areas: &[String]) -> String {
    let mut said: Vec<String> = areas
        .iter()
        .take(AREAS_SHOWN)
        .map(|a| {
            let a = one_line(a);
            let in_city = a.strip_prefix("千葉市").filter(|x| !x.is_empty());
            match in_city.unwrap_or(&a) {
                whole if whole == "千葉市" || whole.ends_with('区') => format!("{whole}全域"),
                part => part.to_string(),
            }
        })
        .collect();
    if areas.len() > AREAS_SHOWN {
        said.push(format!("ほか{}地域", areas.len() - AREAS_SHOWN));
    }
    said.join("・")
}

/// One resource as a coordinator reads it out for a referral: kind and
/// categories, where it is (and how far, or that it serves the place),
/// when it runs, what it costs and the telephone number.
struct Entry<'a> {
    record: &'a Record,
    ward: Option<&'a str>,
    words: &'a InWords,
    /// 「徒歩約9分（711m）」「約3.4km」「お住まいの地域で利用できます」.
    reach: Option<String>,
}

impl Entry<'_> {
    fn write(&self, out: &mut impl Write, indent: &str) -> Result<()> {
        let r = self.record;
        let categories: Vec<&str> = r.categories.iter().map(|c| c.label_ja()).collect();
        writeln!(
            out,
            "{indent}{} ｜ {}",
            r.kind.label_ja(),
            categories.join(" / ")
        )?;
        let mut place = match (self.ward, self.words.town.as_deref()) {
            (Some(w), Some(t)) => format!("{w}{t}"),
            (Some(w), None) => w.to_string(),
            (None, Some(t)) => t.to_string(),
            (None, None) => "場所要確認".to_string(),
        };
        if let Some(reach) = &self.reach {
            place.push_str(" ｜ ");
            place.push_str(reach);
        }
        if r.kind == Kind::Service && !r.service_area.is_empty() {
            place.push_str(&format!(" ｜ 対応地域: {}", areas_ja(&r.service_area)));
        }
        writeln!(out, "{indent}場所: {place}")?;
        writeln!(out, "{indent}日時: {}", self.words.when_ja)?;
        let phone = r
            .contact
            .as_ref()
            .and_then(|c| c.phone.as_deref())
            .map(one_line)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "未登録".to_string());
        writeln!(out, "{indent}費用: {} ｜ 電話: {phone}", self.words.fee_ja)?;
        Ok(())
    }
}

/// How far a near-search result is, or that its area covers the place.
fn reach_of(r: &SearchResult) -> String {
    if r.in_service_area {
        return covers_ja(r.kind);
    }
    match (r.distance_m, r.walking_min) {
        (Some(d), Some(m)) => tsunagu_engine::distance_ja(d, m),
        _ => "距離不明".to_string(),
    }
}

fn entry_of(r: &SearchResult, reach: Option<String>) -> Entry<'_> {
    Entry {
        record: &r.record,
        ward: r.ward.as_deref(),
        words: &r.in_words,
        reach,
    }
}

/// A name and its marks: 「見守り訪問 なかよし 【休止中】」.
fn titled(name: &str, record: &Record) -> String {
    let marks = marks(record);
    if marks.is_empty() {
        name.to_string()
    } else {
        format!("{name} {marks}")
    }
}

/// One numbered result: its name with its marks, then its entry. Results
/// around a place (`reach` given) are ordered by distance as much as by
/// text, so their score is not shown.
fn write_result(
    out: &mut impl Write,
    n: usize,
    r: &SearchResult,
    reach: Option<String>,
) -> Result<()> {
    let title = titled(&r.name, &r.record);
    match reach {
        None => writeln!(out, "{n:>2}. {title}  ({}, score {:.2})", r.id, r.score)?,
        Some(_) => writeln!(out, "{n:>2}. {title}  ({})", r.id)?,
    }
    entry_of(r, reach).write(out, "    ")
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
    write_understood(&mut out, &searched.understanding)?;
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
        write_result(&mut out, i + 1, r, None)?;
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

/// 「「体操」を 緑区・200円まで として探しました」, when anything was understood.
fn write_understood(out: &mut impl Write, u: &tsunagu_engine::Understanding) -> Result<()> {
    if !u.understood.is_empty() {
        let words = if u.text.is_empty() {
            String::new()
        } else {
            format!("「{}」を ", u.text)
        };
        writeln!(out, "{words}{} として探しました", u.summary_ja())?;
    }
    Ok(())
}

/// The same JSON as the API's (`tsunagu_server::wire`).
fn near_json(
    place: &tsunagu_engine::LocatedPlace,
    results: &SearchResults,
    understanding: Option<&tsunagu_engine::Understanding>,
) -> Result<String> {
    let v = tsunagu_server::wire::near_json(place, results, understanding)?;
    Ok(serde_json::to_string_pretty(&v)?)
}

fn write_place_line(out: &mut impl Write, place: &tsunagu_engine::LocatedPlace) -> Result<()> {
    writeln!(
        out,
        "基準地点: {}{} ({:.5}, {:.5})",
        place.ward.as_deref().unwrap_or(""),
        place.town.as_deref().unwrap_or(""),
        place.lat,
        place.lon
    )?;
    Ok(())
}

/// Search results around a place, with distance (walking time up to 2 km)
/// or the service area that covers the place.
pub fn print_near(
    query: &str,
    understanding: &tsunagu_engine::Understanding,
    place: &tsunagu_engine::LocatedPlace,
    results: &SearchResults,
    json: bool,
) -> Result<()> {
    let mut out = out();
    if json {
        writeln!(out, "{}", near_json(place, results, Some(understanding))?)?;
        return Ok(());
    }
    write_place_line(&mut out, place)?;
    write_understood(&mut out, understanding)?;
    if results.results.is_empty() {
        writeln!(
            out,
            "「{query}」に合う資源は近くに見つかりませんでした / no results nearby"
        )?;
        return Ok(());
    }
    for (i, r) in results.results.iter().enumerate() {
        write_result(&mut out, i + 1, r, Some(reach_of(r)))?;
    }
    Ok(())
}

/// `nearest`: the places (and other resources) near the senior, then the
/// services whose area covers the place, in two sections so that services
/// for the whole ward or city are not mistaken for something nearby.
pub fn print_nearest(
    place: &tsunagu_engine::LocatedPlace,
    results: &SearchResults,
    json: bool,
) -> Result<()> {
    let mut out = out();
    if json {
        writeln!(out, "{}", near_json(place, results, None)?)?;
        return Ok(());
    }
    write_place_line(&mut out, place)?;
    let (covering, nearby): (Vec<&SearchResult>, Vec<&SearchResult>) =
        results.results.iter().partition(|r| r.in_service_area);
    for (title, list) in [
        ("近くの通いの場・資源", &nearby),
        ("この地域を対象とするサービス", &covering),
    ] {
        writeln!(out, "\n■ {title}")?;
        if list.is_empty() {
            writeln!(out, "  該当なし / none")?;
        }
        for (i, r) in list.iter().enumerate() {
            write_result(&mut out, i + 1, r, Some(reach_of(r)))?;
        }
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
    if json {
        let v = tsunagu_server::wire::place_json(locator, p);
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
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

/// The distance reason of tsunagu-match (「徒歩約N分（Mm）」 for the match's
/// own `distance_m`) said as the tables say distances: kilometres beyond
/// 2 km. Any other reason is kept as written.
fn reason_ja(reason: &str, distance_m: Option<u32>) -> String {
    let Some(d) = distance_m else {
        return reason.to_string();
    };
    let is_walk = reason
        .strip_prefix("徒歩約")
        .and_then(|rest| rest.strip_suffix(&format!("分（{d}m）")))
        .is_some_and(|minutes| !minutes.is_empty() && minutes.chars().all(|c| c.is_ascii_digit()));
    if is_walk {
        tsunagu_engine::distance_ja_of(d)
    } else {
        reason.to_string()
    }
}

/// A match answer for a coordinator to read out. `records` holds the
/// matched records (as the request's audience may see them) by id, for
/// where, when, cost and telephone; `recorded` says whether the unmet
/// needs were counted in the anonymous log.
pub fn print_match(
    answer: &tsunagu_engine::MatchAnswer,
    records: &HashMap<String, ShownRecord>,
    recorded: bool,
    json: bool,
) -> Result<()> {
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
    if !answer.refused_needs.is_empty() {
        writeln!(out, "望まないと話されたニーズ:")?;
        for d in &answer.refused_needs {
            // A need another clause or `needs` gives is answered anyway.
            let answered = answer.needs.iter().any(|n| n.code == d.code);
            let what = if answered {
                "ほかのことばから探しています"
            } else {
                "探していません"
            };
            writeln!(out, "  {}（「{}」から。{what}）", d.code.label_ja(), d.from)?;
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
            let shown = records.get(&m.id);
            let title = match shown {
                Some(s) => titled(&m.name, &s.record),
                None => m.name.clone(),
            };
            writeln!(out, "  {:>2}. {title}  ({}, {:.2})", i + 1, m.id, m.score)?;
            if let Some(s) = shown {
                Entry {
                    record: &s.record,
                    ward: s.ward.as_deref(),
                    words: &s.in_words,
                    reach: m.distance_m.map(tsunagu_engine::distance_ja_of),
                }
                .write(&mut out, "      ")?;
            }
            let reasons: Vec<String> = m
                .reasons
                .iter()
                .map(|r| reason_ja(r, m.distance_m))
                .collect();
            writeln!(out, "      理由: {}", reasons.join(" / "))?;
        }
    }
    if !answer.unmet_needs.is_empty() {
        let labels: Vec<&str> = answer.unmet_needs.iter().map(|c| c.label_ja()).collect();
        let note = if recorded {
            "資源開発の記録に残しました"
        } else {
            "記録するには --record"
        };
        writeln!(
            out,
            "\n満たせなかったニーズ（{note}）: {}",
            labels.join("、")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_reason_of_a_match_is_said_as_tables_say_distances() {
        let cases = [
            ("徒歩約9分（711m）", Some(711), "徒歩約9分（711m）"),
            ("徒歩約43分（3412m）", Some(3412), "約3.4km"),
            ("徒歩約146分（11606m）", Some(11606), "約11.6km"),
            ("徒歩約0分（0m）", Some(0), "すぐ近く"),
            // Another distance, another reason or no distance: as written.
            ("徒歩約43分（3412m）", Some(3000), "徒歩約43分（3412m）"),
            ("徒歩約分（3412m）", Some(3412), "徒歩約分（3412m）"),
            ("稲毛区全域に対応", Some(3412), "稲毛区全域に対応"),
            ("徒歩約43分（3412m）", None, "徒歩約43分（3412m）"),
        ];
        for (reason, d, want) in cases {
            assert_eq!(reason_ja(reason, d), want, "{reason} {d:?}");
        }
    }

    #[test]
    fn service_areas_read_as_wholes_and_parts() {
        let areas =
            |list: &[&str]| areas_ja(&list.iter().map(|a| a.to_string()).collect::<Vec<_>>());
        assert_eq!(areas(&["千葉市"]), "千葉市全域");
        assert_eq!(
            areas(&["稲毛区", "千葉市花見川区"]),
            "稲毛区全域・花見川区全域"
        );
        assert_eq!(areas(&["稲毛区小仲台"]), "稲毛区小仲台");
        assert_eq!(
            areas(&["中央区", "若葉区", "緑区", "美浜区", "稲毛区"]),
            "中央区全域・若葉区全域・緑区全域・ほか2地域"
        );
        assert_eq!(areas(&["稲毛区\n小仲台"]), "稲毛区 小仲台");
    }

    fn record(status: Status, visibility: Visibility) -> Record {
        let mut r: Record =
            serde_json::from_str(r#"{"id":"x","kind":"kayoi","name":"n","categories":["salon"]}"#)
                .unwrap();
        r.status = status;
        r.visibility = visibility;
        r
    }

    #[test]
    fn marks_say_internal_paused_and_closed() {
        assert_eq!(marks(&record(Status::Active, Visibility::Public)), "");
        assert_eq!(
            marks(&record(Status::Paused, Visibility::Public)),
            "【休止中】"
        );
        assert_eq!(
            marks(&record(Status::Closed, Visibility::Public)),
            "【廃止】"
        );
        assert_eq!(
            marks(&record(Status::Paused, Visibility::Internal)),
            "【内部】【休止中】"
        );
        assert_eq!(covers_ja(Kind::Service), "お住まいの地域で利用できます");
        assert_eq!(covers_ja(Kind::Kayoi), "お住まいの地域の方が参加できます");
    }
}
