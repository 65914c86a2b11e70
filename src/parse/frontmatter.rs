//! Splits a Markdown file into front matter and body.
//!
//! Front matter is a block between `---` lines (YAML) or, as Hugo also writes it, between
//! `+++` lines (TOML), at the very start of the file (after an optional UTF-8 byte order
//! mark). Only the start counts: a `---` later on is a Markdown thematic break. Line numbers
//! are kept so YAML positions can be shifted to file lines.

/// A file's parts, borrowed from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The YAML between the fences, if the file has YAML front matter.
    pub(crate) yaml: Option<&'a str>,
    /// The TOML between `+++` fences, if the file has TOML front matter (a service doc's is
    /// YAML; other tools' pages may have either).
    pub(crate) toml: Option<&'a str>,
    /// File line number (1-based) of the first YAML line.
    pub(crate) yaml_first_line: usize,
    pub(crate) body: &'a str,
    /// File line number (1-based) of the first body line.
    pub(crate) body_first_line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// The opening `---` has no closing line.
    Unclosed,
}

const BOM: char = '\u{feff}';

/// Splits `text`; a file that does not start with `---` or `+++` is all body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let no_front_matter = Split {
        yaml: None,
        toml: None,
        yaml_first_line: 1,
        body: text,
        body_first_line: 1,
    };
    let (fence, after_open) = match (strip_fence_line(text, "---"), strip_fence_line(text, "+++")) {
        (Some(after), _) => ("---", after),
        (None, Some(after)) => ("+++", after),
        (None, None) => return Ok(no_front_matter),
    };
    let mut offset = 0;
    for (line, raw_line) in (2..).zip(after_open.split_inclusive('\n')) {
        let content = raw_line.trim_end_matches(['\n', '\r']);
        if content == fence || (fence == "---" && content == "...") {
            let front_matter = Some(&after_open[..offset]);
            let (yaml, toml) = if fence == "---" {
                (front_matter, None)
            } else {
                (None, front_matter)
            };
            return Ok(Split {
                yaml,
                toml,
                yaml_first_line: 2,
                body: &after_open[offset + raw_line.len()..],
                body_first_line: line + 1,
            });
        }
        offset += raw_line.len();
    }
    if fence == "+++" {
        // Hugo's TOML fence is no Markdown syntax: one never closed is text, not a mistake.
        return Ok(no_front_matter);
    }
    Err(SplitError::Unclosed)
}

/// The rest of the text after a first line that is exactly `fence`.
fn strip_fence_line<'t>(text: &'t str, fence: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(fence)?;
    if let Some(rest) = rest.strip_prefix("\r\n") {
        return Some(rest);
    }
    rest.strip_prefix('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let split = split("---\nservice: a\n---\n# Title\n").unwrap();
        assert_eq!(split.yaml, Some("service: a\n"));
        assert_eq!(split.body, "# Title\n");
        assert_eq!(split.body_first_line, 4);
    }

    #[test]
    fn handles_bom_and_crlf() {
        let split = split("\u{feff}---\r\nservice: a\r\n---\r\nbody").unwrap();
        assert_eq!(split.yaml, Some("service: a\r\n"));
        assert_eq!(split.body, "body");
    }

    #[test]
    fn a_rule_later_in_the_file_is_not_front_matter() {
        let split = split("# Title\n\n---\n\ntext\n").unwrap();
        assert_eq!(split.yaml, None);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert_eq!(
            split("---\nservice: a\n# Title\n"),
            Err(SplitError::Unclosed)
        );
    }

    #[test]
    fn hugo_writes_front_matter_in_toml_too() {
        let split = split("+++\ntitle = \"Setup\"\n+++\n# Setup\n").unwrap();
        assert_eq!(split.toml, Some("title = \"Setup\"\n"));
        assert_eq!(split.yaml, None);
        assert_eq!(split.body, "# Setup\n");
        assert_eq!(split.body_first_line, 4);
    }

    #[test]
    fn empty_front_matter_and_empty_body() {
        let split = split("---\n---\n").unwrap();
        assert_eq!(split.yaml, Some(""));
        assert_eq!(split.body, "");
    }
}
