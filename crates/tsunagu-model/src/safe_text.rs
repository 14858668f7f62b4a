//! Text that leaves the program toward a person: messages that quote what a
//! user sent, and values printed to a terminal.

/// Longest quote of a user's value in a message, in characters.
pub const MESSAGE_QUOTE_CHARS: usize = 50;

/// `value` cut to [`MESSAGE_QUOTE_CHARS`] characters (with "…" and the full
/// length when cut), with control characters escaped: a 100,000-character
/// id is not echoed back whole, and an escape sequence never reaches a
/// terminal through an error message.
pub fn cut_for_message(value: &str) -> String {
    let total = value.chars().count();
    let head: String = value.chars().take(MESSAGE_QUOTE_CHARS).collect();
    let head = escape_controls(&head);
    if total > MESSAGE_QUOTE_CHARS {
        format!("{head}…（全{total}文字）")
    } else {
        head
    }
}

/// Whether `c` is a C0/C1 control character or DEL (tab, LF and CR
/// included; callers that allow them check first).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Control characters as visible escapes (`\u{1b}`), everything else as is.
/// Used for table output: a record's name can never move the cursor, clear
/// the screen or set a terminal title.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_long_values_cut() {
        assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_controls("改行\nあり"), "改行\\nあり");
        assert_eq!(escape_controls("ふつう"), "ふつう");
        let long = "x".repeat(100_000);
        let cut = cut_for_message(&long);
        assert!(cut.chars().count() < 70, "{cut}");
        assert!(cut.contains("100000"), "{cut}");
        assert_eq!(cut_for_message("短い"), "短い");
    }
}
