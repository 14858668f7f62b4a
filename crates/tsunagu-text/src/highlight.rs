//! Highlighted excerpts without re-segmenting: the query's terms (and every
//! member of its synonym groups) are searched literally in the normalised,
//! kana-folded text, and the matches mapped back to the original through the
//! normaliser's offset map. Cheaper than analysing each result again, and
//! the excerpt shows exactly what the provider wrote.

use crate::normalize::{fold_kana, normalize};

pub const MARK_OPEN: &str = "<mark>";
/// Only this prefix of a text is searched for matches (the same 64 KiB the
/// index analyses): highlighting costs the same for a 10 MB description as
/// for a 64 KiB one.
pub const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;

/// The longest prefix of `text` within [`MAX_HIGHLIGHT_BYTES`], on a char
/// boundary.
fn bounded(text: &str) -> &str {
    if text.len() <= MAX_HIGHLIGHT_BYTES {
        return text;
    }
    let mut end = MAX_HIGHLIGHT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
pub const MARK_CLOSE: &str = "</mark>";

#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    /// Folded terms, longest first so that 健康体操 wins over 体操.
    terms: Vec<String>,
}

impl Highlighter {
    pub fn new(terms: impl IntoIterator<Item = String>) -> Self {
        let mut terms: Vec<String> = terms
            .into_iter()
            .filter(|t| t.chars().count() >= 1 && t.chars().any(char::is_alphanumeric))
            .collect();
        terms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        terms.dedup();
        Highlighter { terms }
    }

    /// Byte ranges in `text` (original) that match a term, in order, not
    /// overlapping. Only the first [`MAX_HIGHLIGHT_BYTES`] are searched.
    /// Linear in the text for each term: a byte map of what is already
    /// marked replaces comparing every match with every other.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let n = normalize(bounded(text));
        let folded = fold_kana(&n.text);
        // fold_kana maps katakana to hiragana of the same UTF-8 length, so
        // byte offsets in `folded` are offsets in `n.text`.
        let mut found: Vec<(usize, usize)> = Vec::new();
        let mut marked = vec![false; folded.len()];
        for term in &self.terms {
            let mut from = 0;
            while let Some(i) = folded[from..].find(term.as_str()) {
                let start = from + i;
                let end = start + term.len();
                if !marked[start..end].iter().any(|&m| m) {
                    marked[start..end].iter_mut().for_each(|m| *m = true);
                    found.push((start, end));
                }
                from = end;
            }
        }
        found.sort_unstable();
        found
            .into_iter()
            .map(|(s, e)| (n.original_offset(s), n.original_offset(e)))
            .filter(|(s, e)| s < e)
            .collect()
    }

    /// An HTML-escaped excerpt of at most about `max_chars` characters around
    /// the first match (or the start), with matches in `<mark>`; empty when
    /// `text` is empty.
    pub fn snippet(&self, full: &str, max_chars: usize) -> String {
        let text = bounded(full);
        let ranges = self.ranges(text);
        let start = ranges
            .first()
            .map(|&(s, _)| back_chars(text, s, max_chars / 4))
            .unwrap_or(0);
        let end = forward_chars(text, start, max_chars);
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut at = start;
        for &(s, e) in ranges.iter().filter(|&&(s, e)| s >= start && e <= end) {
            escape_into(&mut out, &text[at..s]);
            out.push_str(MARK_OPEN);
            escape_into(&mut out, &text[s..e]);
            out.push_str(MARK_CLOSE);
            at = e;
        }
        escape_into(&mut out, &text[at..end]);
        if end < full.len() {
            out.push('…');
        }
        out
    }

    pub fn has_match(&self, text: &str) -> bool {
        !self.ranges(text).is_empty()
    }
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map(|(i, _)| from + i)
        .unwrap_or(text.len())
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(terms: &[&str]) -> Highlighter {
        Highlighter::new(terms.iter().map(|t| t.to_string()))
    }

    #[test]
    fn marks_matches_across_width_and_kana() {
        let s = h(&["すとれっち", "体操"]).snippet("ｽﾄﾚｯﾁと体操<b>", 50);
        assert_eq!(s, "<mark>ｽﾄﾚｯﾁ</mark>と<mark>体操</mark>&lt;b&gt;");
        let s = h(&["ごみ"]).snippet("ゴミ出しのお手伝い", 50);
        assert_eq!(s, "<mark>ゴミ</mark>出しのお手伝い");
    }

    #[test]
    fn longest_term_wins_and_windows_are_trimmed() {
        let s = h(&["体操", "健康体操"]).snippet("健康体操です", 50);
        assert_eq!(s, "<mark>健康体操</mark>です");
        let long = format!("{}見守り{}", "あ".repeat(100), "い".repeat(100));
        let s = h(&["見守り"]).snippet(&long, 40);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>見守り</mark>"));
        assert_eq!(h(&["x"]).snippet("", 10), "");
    }

    #[test]
    fn huge_texts_cost_what_their_bounded_prefix_costs() {
        // Overlapping terms on every character: the case that was quadratic.
        let text = "体操".repeat(2_000_000);
        let hl = h(&["体操", "操体", "体"]);
        let s = hl.snippet(&text, 60);
        assert!(s.starts_with("<mark>体操</mark>"), "{s}");
        assert!(s.ends_with('…'));
        let ranges = hl.ranges(&text);
        assert!(ranges.len() <= MAX_HIGHLIGHT_BYTES / 3, "{}", ranges.len());
        assert!(ranges.windows(2).all(|w| w[0].1 <= w[1].0), "overlapping");
    }
}
