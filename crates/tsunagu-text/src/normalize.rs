//! Text normalisation before segmentation.
//!
//! NFKC (full/half width), lower case, and the variants that Japanese listings
//! mix freely: wave dashes (〜 ～ ~), long-vowel marks written as hyphens or
//! dashes after katakana (ｽﾄﾚｯﾁ, ストレッチ, スト−レッチ). Katakana→hiragana folding is
//! a separate step ([`fold_kana`]) applied to terms after segmentation,
//! because IPADIC segments katakana loan words better in katakana.
//!
//! [`Normalized`] keeps, for every byte of the normalised text, the byte
//! offset it came from, so highlights land on the text the provider wrote.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// Normalised text plus the map back to the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    /// `origin[i]` is the original byte offset of normalised byte `i`;
    /// `origin[text.len()]` is the original length.
    origin: Vec<usize>,
}

impl Normalized {
    /// Original byte offset of a normalised byte offset.
    pub fn original_offset(&self, normalized: usize) -> usize {
        self.origin
            .get(normalized)
            .copied()
            .unwrap_or_else(|| self.origin.last().copied().unwrap_or(0))
    }
}

const WAVE_DASH: char = '〜';
const LONG_VOWEL: char = 'ー';

/// A character that attaches to the one before it and must be normalised
/// together with it (half-width voiced marks, combining marks).
fn attaches(c: char) -> bool {
    matches!(c, '\u{FF9E}' | '\u{FF9F}' | '\u{3099}' | '\u{309A}')
        || canonical_combining_class(c) != 0
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | LONG_VOWEL)
}

fn is_dash_like(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{2500}'
            | '\u{30FC}'
            | '\u{FF70}'
    )
}

fn is_wave(c: char) -> bool {
    matches!(c, '〜' | '～' | '~' | '〰' | '∼')
}

/// Normalises `input` for segmentation and matching.
pub fn normalize(input: &str) -> Normalized {
    let mut text = String::with_capacity(input.len());
    let mut origin = Vec::with_capacity(input.len() + 1);
    let mut chars = input.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, c)) = chars.next() {
        cluster.clear();
        cluster.push(c);
        while let Some(&(_, next)) = chars.peek() {
            if attaches(next) {
                cluster.push(next);
                chars.next();
            } else {
                break;
            }
        }
        for n in cluster.nfkc() {
            for lower in n.to_lowercase() {
                let out = if is_wave(lower) {
                    WAVE_DASH
                } else if lower == 'ヶ' || lower == 'ヵ' {
                    // 松ヶ丘/松ケ丘, 3ヵ月/3カ月: IPADIC knows only the full-size forms.
                    if lower == 'ヶ' { 'ケ' } else { 'カ' }
                } else if is_dash_like(lower) && text.chars().next_back().is_some_and(is_katakana) {
                    LONG_VOWEL
                } else {
                    lower
                };
                let before = text.len();
                text.push(out);
                origin.extend(std::iter::repeat_n(start, text.len() - before));
            }
        }
    }
    origin.push(input.len());
    Normalized { text, origin }
}

/// Normalised text without the offset map.
pub fn normalize_str(input: &str) -> String {
    normalize(input).text
}

/// Folds katakana to hiragana (ゴミ → ごみ) so the two scripts meet.
pub fn fold_kana(term: &str) -> String {
    term.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// Whether a string is kana only (hiragana, katakana, long-vowel mark).
pub fn is_kana(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | LONG_VOWEL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_case_dashes_and_waves() {
        let table = [
            ("ｽﾄﾚｯﾁ", "ストレッチ"),
            ("ｶﾞｰﾃﾞﾆﾝｸﾞ", "ガーデニング"),
            ("ＳＴＲＥＴＣＨ体操", "stretch体操"),
            ("１０時～１２時", "10時〜12時"),
            ("10時~12時", "10時〜12時"),
            ("10時〜12時", "10時〜12時"),
            ("スト−レッチ", "ストーレッチ"),
            ("カフェ―", "カフェー"),
            ("2-3-1", "2-3-1"),
            ("小仲台２－３－１", "小仲台2-3-1"),
            ("㈱ささえあい", "(株)ささえあい"),
            ("ｶﾌｪ", "カフェ"),
            ("朝日ヶ丘", "朝日ケ丘"),
            ("3ヵ月", "3カ月"),
        ];
        for (input, want) in table {
            assert_eq!(normalize_str(input), want, "{input}");
        }
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let input = "ｽﾄﾚｯﾁ体操";
        let n = normalize(input);
        let start = n.text.find("体操").unwrap();
        let orig = n.original_offset(start);
        assert_eq!(&input[orig..], "体操");
        assert_eq!(n.original_offset(n.text.len()), input.len());
        // ｶﾞ is two input chars that become one; both map to the first.
        let n = normalize("ｶﾞ会");
        assert_eq!(n.text, "ガ会");
        assert_eq!(n.original_offset("ガ".len()), "ｶﾞ".len());
    }

    #[test]
    fn kana_folding() {
        assert_eq!(fold_kana("ゴミ出し"), "ごみ出し");
        assert_eq!(fold_kana("ヴァイオリン"), "ゔぁいおりん");
        assert_eq!(fold_kana("ケアセンター"), "けあせんたー");
        assert!(is_kana("ごみ"));
        assert!(!is_kana("塵"));
    }
}
