//! ふりがな: readings over the kanji of a text, from the readings the
//! analyser already gives each token (IPADIC's, in hiragana).
//!
//! Only the kanji carry ruby: 「替えられない」 reads かえられない, and the ruby
//! goes over 替 alone (か), the kana that the surface and the reading share
//! being anchors. When the reading cannot be aligned with the surface that
//! way, the whole word carries the whole reading; a token without a reading
//! (a name the dictionary does not know) carries none rather than a guess.

use tsunagu_text::AnalyzedToken;
use tsunagu_text::analyzer::Piece;

use crate::escape;

/// `text` as HTML (escaped) with `<ruby>` over the kanji of each token.
/// `tokens` are the analyser's tokens of this very text (their offsets are
/// byte offsets into it).
pub fn ruby_html(text: &str, tokens: &[AnalyzedToken]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0usize;
    let mut ordered: Vec<&AnalyzedToken> = tokens
        .iter()
        // Parts of a compound overlap the compound itself.
        .filter(|t| !matches!(t.piece, Piece::UserPart | Piece::UnknownPart))
        .collect();
    ordered.sort_by_key(|t| (t.offset_from, std::cmp::Reverse(t.offset_to)));
    for token in ordered {
        let (from, to) = (token.offset_from, token.offset_to);
        if from < at || to <= from || to > text.len() {
            continue;
        }
        let (Some(before), Some(segment)) = (text.get(at..from), text.get(from..to)) else {
            continue;
        };
        out.push_str(&escape(before));
        match token.reading.as_deref() {
            Some(reading) if segment.chars().any(is_kanji) => {
                out.push_str(&ruby_word(segment, &to_hiragana(reading)));
            }
            _ => out.push_str(&escape(segment)),
        }
        at = to;
    }
    out.push_str(&escape(text.get(at..).unwrap_or_default()));
    out
}

/// One word with ruby over its kanji runs.
fn ruby_word(surface: &str, reading: &str) -> String {
    let runs = runs(surface);
    if let Some(parts) = align(&runs, reading) {
        let mut out = String::new();
        for (run, part) in runs.iter().zip(parts) {
            if run.kanji {
                out.push_str(&format!(
                    "<ruby>{}<rt>{}</rt></ruby>",
                    escape(&run.text),
                    escape(part)
                ));
            } else {
                out.push_str(&escape(&run.text));
            }
        }
        return out;
    }
    if to_hiragana(surface) == reading {
        return escape(surface);
    }
    format!(
        "<ruby>{}<rt>{}</rt></ruby>",
        escape(surface),
        escape(reading)
    )
}

struct Run {
    text: String,
    kanji: bool,
}

fn runs(surface: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for c in surface.chars() {
        let kanji = is_kanji(c);
        match out.last_mut() {
            Some(run) if run.kanji == kanji => run.text.push(c),
            _ => out.push(Run {
                text: c.to_string(),
                kanji,
            }),
        }
    }
    out
}

/// The part of `reading` under each run: kana runs must appear in the
/// reading as they are (as hiragana), kanji runs take at least one
/// character between them. Leftmost match; `None` when it does not fit.
fn align<'r>(runs: &[Run], reading: &'r str) -> Option<Vec<&'r str>> {
    let mut parts = Vec::with_capacity(runs.len());
    let mut rest = reading;
    let mut i = 0;
    while i < runs.len() {
        let run = &runs[i];
        if !run.kanji {
            let kana = to_hiragana(&run.text);
            let stripped = rest.strip_prefix(kana.as_str())?;
            parts.push(&rest[..kana.len()]);
            rest = stripped;
            i += 1;
            continue;
        }
        // A kanji run: up to the next kana run's first occurrence after at
        // least one character, or everything left for the last run.
        match runs.get(i + 1) {
            None => {
                if rest.is_empty() {
                    return None;
                }
                parts.push(rest);
                rest = "";
            }
            Some(next) => {
                let kana = to_hiragana(&next.text);
                let first = rest.chars().next()?;
                let skip = first.len_utf8();
                let found = rest.get(skip..)?.find(kana.as_str())? + skip;
                parts.push(&rest[..found]);
                rest = &rest[found..];
            }
        }
        i += 1;
    }
    rest.is_empty().then_some(parts)
}

fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}' | '々' | '〆' | 'ヶ')
}

/// Katakana to hiragana; everything else as it is.
fn to_hiragana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// surface, reading → HTML of the word.
    const WORDS: &[(&str, &str, &str)] = &[
        ("体操", "たいそう", "<ruby>体操<rt>たいそう</rt></ruby>"),
        ("替え", "かえ", "<ruby>替<rt>か</rt></ruby>え"),
        (
            "取り扱い",
            "とりあつかい",
            "<ruby>取<rt>と</rt></ruby>り<ruby>扱<rt>あつか</rt></ruby>い",
        ),
        ("お茶", "おちゃ", "お<ruby>茶<rt>ちゃ</rt></ruby>"),
        ("サロン", "さろん", "サロン"),
        ("千葉市", "チバシ", "<ruby>千葉市<rt>ちばし</rt></ruby>"),
        // Does not align (the reading lacks the kana): whole word, whole reading.
        ("見守り", "みまもる", "<ruby>見守り<rt>みまもる</rt></ruby>"),
        ("<b>", "", "&lt;b&gt;"),
    ];

    #[test]
    fn words() {
        for (surface, reading, want) in WORDS {
            let got = if surface.chars().any(is_kanji) {
                ruby_word(surface, &to_hiragana(reading))
            } else {
                escape(surface)
            };
            assert_eq!(&got, want, "{surface} / {reading}");
        }
    }

    fn token(text: &str, surface: &str, reading: Option<&str>, piece: Piece) -> AnalyzedToken {
        let from = text.find(surface).expect("surface in text");
        AnalyzedToken {
            surface: surface.into(),
            term: surface.into(),
            base: None,
            reading: reading.map(String::from),
            pos: "名詞".into(),
            pos_sub: "一般".into(),
            offset_from: from,
            offset_to: from + surface.len(),
            position: 0,
            content: true,
            piece,
        }
    }

    #[test]
    fn text_with_tokens_gaps_and_compounds() {
        let text = "いきいき百歳体操＆お茶<会>";
        let tokens = vec![
            token(text, "いきいき百歳体操", None, Piece::UserCompound),
            token(text, "百歳", Some("ひゃくさい"), Piece::UserPart),
            token(text, "お茶", Some("オチャ"), Piece::Whole),
            token(text, "会", Some("カイ"), Piece::Whole),
        ];
        assert_eq!(
            ruby_html(text, &tokens),
            "いきいき百歳体操＆お<ruby>茶<rt>ちゃ</rt></ruby>&lt;<ruby>会<rt>かい</rt></ruby>&gt;"
        );
    }
}
