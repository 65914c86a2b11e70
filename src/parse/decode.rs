//! A doc's bytes as text. Service docs and catalog files are UTF-8, with or without a byte
//! order mark. Two other shapes are read, as what they unambiguously are:
//!
//! - UTF-16 with a byte order mark (what Windows tools call "Unicode"): the mark says how;
//! - lone CR line endings (classic Mac OS): YAML and CommonMark both define a lone CR as a
//!   line break, but everything here counts lines by LF. Each lone CR becomes an LF, which
//!   keeps every offset, so lines and columns stay right.
//!
//! Anything else is refused, saying what the file looks like and how to convert it: UTF-16
//! without a byte order mark (plain text in it reads as valid UTF-8 with a NUL every other
//! byte, which once made the doc silently no service at all), other NUL bytes, and bytes
//! that are not UTF-8.

use std::borrow::Cow;

use crate::diag::Position;

/// Why a file cannot be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreadable {
    pub(crate) position: Option<Position>,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// The text of a doc, or why there is none.
pub(crate) fn text(bytes: &[u8]) -> Result<Cow<'_, str>, Unreadable> {
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => Cow::Owned(utf16(rest, u16::from_le_bytes)?),
        [0xFE, 0xFF, rest @ ..] => Cow::Owned(utf16(rest, u16::from_be_bytes)?),
        _ => {
            if let Some(nul) = bytes.iter().position(|&b| b == 0) {
                return Err(with_nul(bytes, nul));
            }
            Cow::Borrowed(std::str::from_utf8(bytes).map_err(|error| not_utf8(bytes, error))?)
        }
    };
    Ok(match text.contains('\r') {
        true => Cow::Owned(lone_cr_as_lf(&text)),
        false => text,
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, Unreadable> {
    let units = bytes.chunks(2).map(|pair| match pair {
        [a, b] => unit([*a, *b]),
        // Half a unit at the end: not a character.
        _ => 0xDC00,
    });
    let mut text = String::with_capacity(bytes.len());
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(Unreadable {
                    position: Some(Position::of_offset(&text, text.len())),
                    message: "the file is UTF-16 (it starts with a byte order mark) but is not valid UTF-16 here".to_string(),
                    help: SAVE_AS_UTF8.to_string(),
                });
            }
        }
    }
    Ok(text)
}

const SAVE_AS_UTF8: &str = "save it as UTF-8 (most editors offer this under \"encoding\")";

/// A file with a NUL byte is no UTF-8 text. If most NULs are every other byte, it is UTF-16
/// without its byte order mark: ASCII text in it has a NUL beside every character.
fn with_nul(bytes: &[u8], first: usize) -> Unreadable {
    let nuls_at = |parity: usize| {
        bytes
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (nuls_at(0), nuls_at(1));
    let half = bytes.len() / 2;
    let order = match () {
        _ if odd * 4 >= half && even * 8 < odd => Some(("little-endian", "UTF-16LE")),
        _ if even * 4 >= half && odd * 8 < even => Some(("big-endian", "UTF-16BE")),
        _ => None,
    };
    match order {
        Some((order, name)) => Unreadable {
            position: None,
            message: format!(
                "the file looks like UTF-16 ({order}) without a byte order mark; opsbook reads UTF-8"
            ),
            help: format!(
                "save it as UTF-8, for example with `iconv -f {name} -t UTF-8` or your editor's \"encoding\" setting"
            ),
        },
        None => Unreadable {
            position: Some(position_in_bytes(bytes, first)),
            message: "the file contains a NUL byte, which no text file has".to_string(),
            help: "remove it, or move the file out of the sources if it is not a doc".to_string(),
        },
    }
}

fn not_utf8(bytes: &[u8], error: std::str::Utf8Error) -> Unreadable {
    Unreadable {
        position: Some(position_in_bytes(bytes, error.valid_up_to())),
        message: "the file is not UTF-8 text".to_string(),
        help: SAVE_AS_UTF8.to_string(),
    }
}

/// The position of byte `offset`, counting what comes before it as text.
fn position_in_bytes(bytes: &[u8], offset: usize) -> Position {
    let before = String::from_utf8_lossy(&bytes[..offset]);
    Position::of_offset(&before, before.len())
}

fn lone_cr_as_lf(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c == '\r' && chars.peek() != Some(&'\n') {
            true => out.push('\n'),
            false => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\nservice: é\n---\n";

    fn utf16(text: &str, bom: bool, unit: fn(u16) -> [u8; 2]) -> Vec<u8> {
        let mut bytes = match bom {
            true => unit(0xFEFF).to_vec(),
            false => Vec::new(),
        };
        bytes.extend(text.encode_utf16().flat_map(unit));
        bytes
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        assert_eq!(text(&utf16(DOC, true, u16::to_le_bytes)).unwrap(), DOC);
        assert_eq!(text(&utf16(DOC, true, u16::to_be_bytes)).unwrap(), DOC);
    }

    #[test]
    fn utf16_without_one_is_named_with_its_byte_order() {
        let little = text(&utf16(DOC, false, u16::to_le_bytes)).unwrap_err();
        assert!(
            little.message.contains("UTF-16 (little-endian)"),
            "{little:?}"
        );
        assert!(little.help.contains("iconv -f UTF-16LE"), "{little:?}");
        let big = text(&utf16(DOC, false, u16::to_be_bytes)).unwrap_err();
        assert!(big.message.contains("UTF-16 (big-endian)"), "{big:?}");
    }

    #[test]
    fn a_stray_nul_or_bad_utf8_is_located() {
        let nul = text(b"---\nservice: a\x00\n---\n").unwrap_err();
        assert_eq!(nul.position, Some(Position::new(2, 11)));
        assert!(nul.message.contains("NUL"), "{nul:?}");
        let latin1 = text(b"---\nservice: caf\xe9\n").unwrap_err();
        assert_eq!(latin1.position, Some(Position::new(2, 13)));
    }

    #[test]
    fn a_lone_cr_is_a_line_break_and_crlf_stays() {
        assert_eq!(text(b"a\rb\r\nc\r").unwrap(), "a\nb\r\nc\n");
        assert!(matches!(text(b"a\nb").unwrap(), Cow::Borrowed(_)));
    }
}
