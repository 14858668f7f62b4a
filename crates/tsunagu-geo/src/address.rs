//! Normalising and splitting Chiba City addresses as people write them.
//!
//! 「千葉県千葉市稲毛区小仲台２丁目３番１号 サンハイツ201」, 「稲毛区小仲台2-3-1」,
//! 「小仲台二丁目」, 「朝日ヶ丘4-1-1」: prefecture and city optional, ward
//! optional (town names are unique city-wide), digits full- or half-width or
//! kanji, dashes of every shape, ヶ/ケ/が and 之/の variants, spaces anywhere,
//! building names after the 番地.

use unicode_normalization::UnicodeNormalization;

use tsunagu_model::Ward;

/// The comparison key of a town name: NFKC, no spaces, katakana folded to
/// hiragana, ヶ/ケ/が → け, 之 → の, ぢ → じ and づ → ず. Applied to
/// gazetteer names, readings and addresses alike; it maps one character to
/// one character (on text already in NFKC, as [`clean`] leaves it), so
/// prefix lengths carry over between a key and the text it came from.
///
/// Folding が with ケ is what lets 「朝日が丘」 meet 「朝日ケ丘」; it also folds
/// が inside readings (ながぬま), harmlessly, because both sides fold alike.
pub fn name_key(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(fold_key_char)
        .collect()
}

fn fold_key_char(c: char) -> char {
    // Katakana ァ..ヶ sit 0x60 above their hiragana (ヶ → ゖ, ヵ → ゕ).
    let c = if ('ァ'..='ヶ').contains(&c) {
        char::from_u32(c as u32 - 0x60).unwrap_or(c)
    } else {
        c
    };
    match c {
        'ゖ' | 'ゕ' | 'が' => 'け',
        '之' => 'の',
        'ぢ' => 'じ',
        'づ' => 'ず',
        other => other,
    }
}

/// The address with NFKC applied, spaces removed and every dash between
/// digits (ー − ‐ – — ―) turned into `-`.
pub fn clean(address: &str) -> String {
    let chars: Vec<char> = address.nfkc().filter(|c| !c.is_whitespace()).collect();
    let mut out = String::with_capacity(address.len());
    for (i, &c) in chars.iter().enumerate() {
        let dash = matches!(
            c,
            '-' | 'ー' | '−' | '‐' | '‑' | '–' | '—' | '―' | 'ｰ' | '─'
        );
        let after_digit = i > 0 && (chars[i - 1].is_ascii_digit() || is_kanji_digit(chars[i - 1]));
        if dash && after_digit {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

/// What precedes the town in an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressHead<'a> {
    pub ward: Option<Ward>,
    /// The text after prefecture, city, ward and 大字.
    pub rest: &'a str,
    /// A municipality other than Chiba City that may be named first
    /// (船橋市…). Only a candidate: 「古市場町」 is a Chiba town, so the caller
    /// decides after trying the town names.
    pub other_city: Option<String>,
}

/// A leading postal code (「〒263-0043」, 「〒2630043」, 「263-0043」) and what
/// follows it; the text unchanged when there is none. Without 〒 only the
/// dashed form counts, so a bare number is never taken for one.
pub fn strip_postal_code(cleaned: &str) -> &str {
    let (marked, body) = match cleaned.strip_prefix('〒') {
        Some(b) => (true, b),
        None => (false, cleaned),
    };
    let digits =
        |s: &str, n: usize| s.len() >= n && s.as_bytes()[..n].iter().all(u8::is_ascii_digit);
    if !digits(body, 3) {
        return cleaned;
    }
    let after3 = &body[3..];
    let (dashed, tail) = match after3.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, after3),
    };
    if !(marked || dashed) || !digits(tail, 4) {
        return cleaned;
    }
    let rest = &tail[4..];
    if rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return cleaned;
    }
    rest
}

/// Strips a postal code, 千葉県, 千葉市, the ward and 大字 from a cleaned
/// address.
pub fn split_head(cleaned: &str) -> AddressHead<'_> {
    let cleaned = strip_postal_code(cleaned);
    let mut rest = cleaned.strip_prefix("千葉県").unwrap_or(cleaned);
    let had_city = rest.starts_with("千葉市");
    rest = rest.strip_prefix("千葉市").unwrap_or(rest);
    let ward = Ward::ALL.into_iter().find(|w| rest.starts_with(w.name()));
    if let Some(w) = ward {
        rest = &rest[w.name().len()..];
    } else if !had_city
        && let Some(i) = rest.find(['市', '郡'])
        && rest[..i].chars().count() <= 6
        && !rest[..i].is_empty()
    {
        // 「船橋市本町」, 「印旛郡酒々井町」: perhaps another municipality.
        let end = i + '市'.len_utf8();
        let other = rest[..end].to_string();
        let rest = rest.strip_prefix("大字").unwrap_or(rest);
        return AddressHead {
            ward: None,
            rest,
            other_city: Some(other),
        };
    }
    rest = rest.strip_prefix("大字").unwrap_or(rest);
    AddressHead {
        ward,
        rest,
        other_city: None,
    }
}

fn is_kanji_digit(c: char) -> bool {
    matches!(
        c,
        '〇' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Parses kanji numerals up to 99 (二, 十, 十二, 二十三).
pub fn kanji_number(text: &str) -> Option<u32> {
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [] => None,
        [a] if *a == '十' => Some(10),
        [a] => digit(*a),
        ['十', b] => digit(*b).map(|b| 10 + b),
        [a, '十'] => digit(*a).map(|a| a * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// The 丁目 at the start of the text after the town, if one is written.
///
/// `town_has_chome` says whether the town is divided into 丁目: only then does
/// a leading number without 丁目 (「2-3-1」, 「2」) mean the 丁目; otherwise it
/// is the 番地 (「小中台町534」).
pub fn leading_chome(after_town: &str, town_has_chome: bool) -> Option<u32> {
    leading_chome_len(after_town, town_has_chome).map(|(n, _)| n)
}

/// [`leading_chome`] and the bytes of `after_town` it used (「2丁目」, or
/// 「2」 of 「2-3-1」; the dash stays for the 番地).
pub fn leading_chome_len(after_town: &str, town_has_chome: bool) -> Option<(u32, usize)> {
    let digits: String = after_town
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if !digits.is_empty() {
        let rest = &after_town[digits.len()..];
        let n: u32 = digits.parse().ok()?;
        if rest.starts_with("丁目") {
            return Some((n, digits.len() + "丁目".len()));
        }
        if town_has_chome
            && (rest.is_empty() || rest.starts_with('-') || rest.starts_with('の'))
            && !rest.starts_with("番")
        {
            return Some((n, digits.len()));
        }
        return None;
    }
    let kanji: String = after_town
        .chars()
        .take_while(|c| is_kanji_digit(*c))
        .collect();
    if !kanji.is_empty() && after_town[kanji.len()..].starts_with("丁目") {
        return kanji_number(&kanji).map(|n| (n, kanji.len() + "丁目".len()));
    }
    None
}

/// The bytes of a leading 番地 (「3-1」, 「-3-1」, 「3番地の1」, 「１６番２０号」
/// once cleaned, 「三番地」): digits, dashes, 番, 番地, 号 and の between
/// numbers. What follows is a building, a room, or words the address
/// resolution did not read.
pub fn leading_banchi_len(text: &str) -> usize {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut end = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let width = c.len_utf8();
        let next = chars.get(i + 1).map(|(_, n)| *n);
        let takes = match c {
            '0'..='9' | '-' | '番' | '号' => true,
            // 「番地」, and 「地番」 never starts one.
            '地' => i > 0 && chars[i - 1].1 == '番',
            // 「3番地の1」: の only between a number part and a digit.
            'の' => end > 0 && next.is_some_and(|n| n.is_ascii_digit() || is_kanji_digit(n)),
            // Kanji numerals only when they are a 番 or 号 number (「三番地」).
            k if is_kanji_digit(k) => chars[i..]
                .iter()
                .find(|(_, d)| !is_kanji_digit(*d))
                .is_some_and(|(_, d)| *d == '番' || *d == '号'),
            _ => false,
        };
        if !takes {
            break;
        }
        end = at + width;
        i += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_variants() {
        assert_eq!(name_key("朝日ヶ丘"), name_key("朝日ケ丘"));
        assert_eq!(name_key("朝日が丘"), name_key("朝日ケ丘"));
        assert_eq!(name_key("都賀之台"), name_key("都賀の台"));
        assert_eq!(name_key("ｱｽﾐ"), "あすみ");
        assert_eq!(name_key("オユミノ"), name_key("おゆみの"));
        assert_eq!(name_key("いかずち"), name_key("いかづち"));
        assert_eq!(
            name_key("朝日ヶ丘").chars().count(),
            "朝日ヶ丘".chars().count()
        );
    }

    #[test]
    fn postal_codes_are_skipped() {
        let table = [
            ("〒263-0043千葉市稲毛区", "千葉市稲毛区"),
            ("〒2630043千葉市", "千葉市"),
            ("263-0043千葉市", "千葉市"),
            ("〒263-0043", ""),
            // Not postal codes: a bare number, too many digits, a 番地.
            ("2630043千葉市", "2630043千葉市"),
            ("〒263-00431", "〒263-00431"),
            ("263-0043-1", "263-0043-1"),
            ("小仲台2-3-1", "小仲台2-3-1"),
        ];
        for (input, want) in table {
            assert_eq!(strip_postal_code(input), want, "{input}");
        }
        let cleaned = clean("〒２６３－００４３　千葉市稲毛区小仲台");
        let h = split_head(&cleaned);
        assert_eq!((h.ward, h.rest), (Some(Ward::Inage), "小仲台"));
    }

    #[test]
    fn banchi_forms() {
        let table = [
            ("-3-1サンハイツ", "-3-1"),
            ("3番地の1", "3番地の1"),
            ("16番20号小仲台第二集会所", "16番20号"),
            ("三番地", "三番地"),
            ("534小中台町団地", "534"),
            ("の台", ""),
            ("公民館", ""),
            ("二丁目", ""),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(&input[..leading_banchi_len(input)], want, "{input}");
        }
    }

    #[test]
    fn cleaning_dashes_and_width() {
        assert_eq!(clean("小仲台２ー３ー１"), "小仲台2-3-1");
        assert_eq!(clean("小仲台2−3−1"), "小仲台2-3-1");
        assert_eq!(clean("千葉市　稲毛区 小仲台"), "千葉市稲毛区小仲台");
        assert_eq!(clean("センター"), "センター");
    }

    #[test]
    fn heads() {
        let h = split_head("千葉県千葉市稲毛区小仲台2-3-1");
        assert_eq!((h.ward, h.rest), (Some(Ward::Inage), "小仲台2-3-1"));
        let h = split_head("小仲台2-3-1");
        assert_eq!((h.ward, h.rest), (None, "小仲台2-3-1"));
        let h = split_head("船橋市本町1-2-3");
        assert_eq!(h.other_city.as_deref(), Some("船橋市"));
        let h = split_head("古市場町100");
        assert_eq!(
            (h.other_city.as_deref(), h.rest),
            (Some("古市"), "古市場町100")
        );
        let h = split_head("千葉市若葉区大字中田町100");
        assert_eq!((h.ward, h.rest), (Some(Ward::Wakaba), "中田町100"));
    }

    #[test]
    fn chome_forms() {
        let table = [
            ("2丁目3-1", true, Some(2)),
            ("二丁目", true, Some(2)),
            ("十二丁目", true, Some(12)),
            ("2-3-1", true, Some(2)),
            ("2", true, Some(2)),
            ("2-3-1", false, None),
            ("534", false, None),
            ("3番地の1", true, None),
            ("", true, None),
            ("4丁目5-6", false, Some(4)),
        ];
        for (input, has, want) in table {
            assert_eq!(leading_chome(input, has), want, "{input}");
        }
        assert_eq!(
            leading_chome_len("2丁目3-1", true),
            Some((2, "2丁目".len()))
        );
        assert_eq!(leading_chome_len("2-3-1", true), Some((2, 1)));
        assert_eq!(
            leading_chome_len("十二丁目", true),
            Some((12, "十二丁目".len()))
        );
        assert_eq!(kanji_number("二十三"), Some(23));
        assert_eq!(kanji_number("十"), Some(10));
    }
}
