//! Printing import summaries and search results as tables or JSON.

use std::io::Write;

use anyhow::Result;
use tsunagu_engine::{ImportReport, SearchResults};

pub fn print_import(reports: &[ImportReport], json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
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

pub fn print_search(query: &str, results: &SearchResults, json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(results)?)?;
        return Ok(());
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
        .map(|f| format!("{} {}", f.value, f.count))
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
