//! Long lines in a failure message. A result or event of 64 KiB that
//! differs in one character must not print 200 KB: a long line is shown as
//! a window around its first difference, with that difference's position.

/// Lines up to this many characters are shown whole.
const WIDE: usize = 300;
/// Characters shown on each side of the first difference.
const SIDE: usize = 60;

/// Whether a line is long enough to be windowed.
pub fn is_wide(line: &str) -> bool {
    line.chars().nth(WIDE).is_some()
}

/// The index of the first character where `a` and `b` differ; the shorter
/// one's length when one is a prefix of the other.
pub fn first_difference(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// `line` cut to the characters around index `at`, with what was left out
/// said in brackets: `…[4000 characters]abc…[60000 more]`.
pub fn around(line: &str, at: usize) -> String {
    let total = line.chars().count();
    if total <= WIDE {
        return line.to_string();
    }
    let start = at.saturating_sub(SIDE).min(total.saturating_sub(2 * SIDE));
    let end = (start + 2 * SIDE).min(total);
    let mut out = String::new();
    if start > 0 {
        out.push_str(&format!("…[{start} characters]"));
    }
    out.extend(line.chars().skip(start).take(end - start));
    if end < total {
        out.push_str(&format!("…[{} more]", total - end));
    }
    out
}

/// The pair as shown: whole when both are short, else each cut to a window
/// around their first difference, and a note saying where that is.
pub fn pair(expected: &str, actual: &str) -> (String, String, Option<String>) {
    if !is_wide(expected) && !is_wide(actual) {
        return (expected.to_string(), actual.to_string(), None);
    }
    let at = first_difference(expected, actual);
    let note = format!(
        "first differing character is #{} of the line; the expected line has {} characters, the actual one {}",
        at + 1,
        expected.chars().count(),
        actual.chars().count()
    );
    (around(expected, at), around(actual, at), Some(note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_shows_a_window_around_the_difference() {
        let expected = "a".repeat(65536);
        let mut actual = expected.clone();
        actual.replace_range(40000..40001, "b");
        let (e, a, note) = pair(&expected, &actual);
        assert!(e.len() < 200 && a.len() < 200, "{e}\n{a}");
        assert!(a.contains("…[39940 characters]") && a.contains('b'), "{a}");
        assert!(note.unwrap().contains("#40001"));
    }

    #[test]
    fn short_lines_and_ends_are_kept() {
        assert_eq!(pair("abc", "abd"), ("abc".into(), "abd".into(), None));
        // A difference at the very end still shows a full window.
        let long = "x".repeat(1000);
        let shown = around(&long, 1000);
        assert_eq!(shown.chars().filter(|&c| c == 'x').count(), 2 * SIDE);
        assert!(shown.starts_with("…[880 characters]"));
        // Multi-byte characters are counted, never split.
        let wide = "é".repeat(500);
        assert!(around(&wide, 250).contains("é…[190 more]"));
    }
}
