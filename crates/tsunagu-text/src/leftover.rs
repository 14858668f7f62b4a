//! What the schedule and fee parsers did not consume. A leftover that may
//! change the meaning makes the whole text unparsed: the parsers never
//! invent by ignoring what they could not read.

/// Whether `rest` holds a number, a Latin letter, one of `chars` or one of
/// `words` (each parser passes the ones that change its meaning).
pub(crate) fn meaningful(rest: &str, chars: &str, words: &[&str]) -> bool {
    rest.chars()
        .any(|c| c.is_numeric() || c.is_ascii_alphabetic() || chars.contains(c))
        || words.iter().any(|w| rest.contains(w))
}
