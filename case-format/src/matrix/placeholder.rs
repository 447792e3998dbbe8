//! The placeholders of a matrix file's strings: `${name}` for a
//! parameter's value, `${"text" * count}` for text repeated `count` times
//! (`chain`: once per chain entry; a number; or a parameter whose value is
//! one), and `$$` for a `$`. `$` starts them because WAVE gives it no
//! meaning outside strings, while `{name}` alone is WAVE's flags syntax.

use std::ops::Range;

/// Longest text one repeat placeholder may produce.
pub const MAX_REPEAT_BYTES: usize = 1 << 20;

/// A piece of a string value; ranges are byte offsets into the value.
#[derive(Debug, PartialEq)]
pub enum Piece {
    Text(Range<usize>),
    /// `$$`, which stands for one `$`.
    Dollar(Range<usize>),
    Param(String, Range<usize>),
    Repeat(String, Count, Range<usize>),
}

#[derive(Debug, PartialEq)]
pub enum Count {
    Chain,
    Number(usize),
    Param(String),
}

/// Split a string value into text and placeholders; `Err` is the offset of
/// the problem in the value and what it is.
pub fn parse(value: &str) -> Result<Vec<Piece>, (usize, String)> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = value.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'$' || !matches!(bytes.get(i + 1), Some(b'$' | b'{')) {
            i += 1;
            continue;
        }
        if text_start < i {
            pieces.push(Piece::Text(text_start..i));
        }
        if bytes[i + 1] == b'$' {
            pieces.push(Piece::Dollar(i..i + 2));
            i += 2;
        } else {
            let (piece, end) = placeholder(value, i)?;
            pieces.push(piece);
            i = end;
        }
        text_start = i;
    }
    if text_start < value.len() {
        pieces.push(Piece::Text(text_start..value.len()));
    }
    Ok(pieces)
}

/// The placeholder starting with `${` at `start`, and the offset after it.
fn placeholder(value: &str, start: usize) -> Result<(Piece, usize), (usize, String)> {
    let body_start = start + 2;
    let rest = &value[body_start..];
    let trimmed = rest.trim_start();
    if let Some(quoted) = trimmed.strip_prefix('"') {
        let mut text = String::new();
        let mut chars = quoted.char_indices();
        let close = loop {
            match chars.next() {
                None => return Err((start, "unclosed `${\"`: the repeated text needs its closing `\"`".into())),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, c @ ('"' | '\\'))) => text.push(c),
                    _ => return Err((start, "in repeated text, `\\` comes before `\"` or `\\` only".into())),
                },
                Some((_, c)) => text.push(c),
            }
        };
        let after = &quoted[close + 1..];
        let Some(count_and_end) = after.trim_start().strip_prefix('*') else {
            return Err((start, "repeated text is `${\"text\" * count}`: the `*` is missing".into()));
        };
        let Some(end) = count_and_end.find('}') else {
            return Err((start, "unclosed `${`: no `}` after the count".into()));
        };
        let word = count_and_end[..end].trim();
        let count = if word == super::CHAIN {
            Count::Chain
        } else if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
            Count::Number(word.parse().map_err(|_| (start, format!("the count `{word}` is too large")))?)
        } else if is_name(word) {
            Count::Param(word.to_string())
        } else {
            return Err((start, format!("the count `{word}` is not `chain`, a number or a parameter")));
        };
        let end_offset = value.len() - count_and_end.len() + end + 1;
        return Ok((Piece::Repeat(text, count, start..end_offset), end_offset));
    }
    let Some(end) = rest.find('}') else {
        return Err((start, "unclosed `${`: a placeholder is `${name}` (write `$$` for a `$`)".into()));
    };
    let name = rest[..end].trim();
    if !is_name(name) {
        return Err((
            start,
            format!(
                "`${{{name}}}` is not a placeholder: a parameter name is lower-case letters, digits and `-` (write `$$` for a `$`)"
            ),
        ));
    }
    let end_offset = body_start + end + 1;
    Ok((Piece::Param(name.to_string(), start..end_offset), end_offset))
}

fn is_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase())
        && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_params_repeats_and_dollars() {
        let pieces = parse(r#"a${x}b${" - y" * chain}$${z}${ "q\"" * 3 }"#).unwrap();
        assert_eq!(
            pieces,
            [
                Piece::Text(0..1),
                Piece::Param("x".into(), 1..5),
                Piece::Text(5..6),
                Piece::Repeat(" - y".into(), Count::Chain, 6..23),
                Piece::Dollar(23..25),
                Piece::Text(25..28),
                Piece::Repeat("q\"".into(), Count::Number(3), 28..42),
            ]
        );
    }

    #[test]
    fn a_lone_dollar_is_text_and_bad_placeholders_say_why() {
        assert_eq!(parse("$5 and $").unwrap(), [Piece::Text(0..8)]);
        assert!(parse("${x").unwrap_err().1.starts_with("unclosed `${`"));
        assert!(parse("${Root}").unwrap_err().1.contains("is not a placeholder"));
        assert!(parse(r#"${"x" chain}"#).unwrap_err().1.contains("the `*` is missing"));
        assert!(parse(r#"${"x" * many times}"#).unwrap_err().1.contains("is not `chain`"));
        assert_eq!(parse("ab${\"x\"").unwrap_err().0, 2);
    }
}
