//! Diagnostics: problems found in a user's files (book.toml, service docs, checklists).
//!
//! Every stage pushes into one [`Diagnostics`] collector instead of stopping at the first
//! problem, so a build reports everything at once. The library never prints; the CLI decides
//! how and where diagnostics are shown.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod code;

pub(crate) use code::{Code, code_list, explanation, fix};

/// How bad a problem is. Errors fail a build; warnings only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A 1-based line and column inside a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Position {
    pub(crate) const START: Position = Position { line: 1, column: 1 };

    pub(crate) fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }

    /// The line and column (counted in characters) of a byte offset into `text`.
    pub(crate) fn of_offset(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position::new(
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        )
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    /// What kind of problem it is; stable across versions.
    pub(crate) code: Code,
    /// Path relative to the book root (or as the user gave it).
    pub(crate) path: PathBuf,
    pub(crate) position: Option<Position>,
    /// One sentence, lower-case, offending value in backticks, what was expected.
    pub(crate) message: String,
    /// How to fix it, when there is something better to say than the message.
    pub(crate) help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(code: Code, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            path: path.into(),
            position: None,
            message: tidy(&message.into()),
            help: None,
        }
    }

    pub(crate) fn warning(
        code: Code,
        path: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(Severity::Warning, code, path, message)
    }

    /// A problem whose severity a setting decides.
    pub(crate) fn new(
        severity: Severity,
        code: Code,
        path: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            ..Diagnostic::error(code, path, message)
        }
    }

    pub(crate) fn at(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    pub(crate) fn at_opt(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(tidy(&help.into()));
        self
    }

    /// `path:line:col` as editors and terminals understand it.
    pub(crate) fn location(&self) -> String {
        let path = display_path(&self.path);
        match self.position {
            Some(p) => format!("{path}:{}:{}", p.line, p.column),
            None => path,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location(),
            self.severity,
            self.code.id(),
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// How many characters of a value a message shows. Messages quote what they found, and a
/// value can be anything up to the 10 MB a file may hold: a 100,000-character id came back
/// whole in three messages.
pub(crate) const MAX_SHOWN: usize = 80;

/// The longest message or help line, whatever it quotes.
const MAX_MESSAGE: usize = 1000;

/// `value` as a message shows it: characters that do not print (zero-width, bidi and other
/// control characters, which could hide or reorder what a terminal shows) escaped as
/// `\u{200b}`, and a long value cut to its first [`MAX_SHOWN`] characters and a `…`.
pub(crate) fn shown(value: &str) -> String {
    let mut out = String::new();
    for (count, c) in value.chars().enumerate() {
        if count == MAX_SHOWN {
            out.push('…');
            break;
        }
        push_printable(&mut out, c);
    }
    out
}

fn push_printable(out: &mut String, c: char) {
    match c == '\n' || prints(c) {
        true => out.push(c),
        false => out.extend(c.escape_debug()),
    }
}

/// Whether a character shows as something: not a control character, nor one Rust's own
/// `escape_debug` spells out by code point (zero-width, bidi and other format characters).
pub(crate) fn prints(c: char) -> bool {
    let mut escaped = c.escape_debug().take(2);
    let by_code_point = escaped.next() == Some('\\') && escaped.next() == Some('u');
    !c.is_control() && !by_code_point
}

/// A message as it is kept: every span quoted in backticks or double quotes (where messages
/// put values, theirs or serde's) [`shown`], and the whole cut at [`MAX_MESSAGE`] characters.
fn tidy(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE));
    let mut delimiters = message.matches(['`', '"']);
    let mut quoted = false;
    for span in message.split(['`', '"']) {
        match quoted {
            true => out.push_str(&shown(span)),
            false => span.chars().for_each(|c| push_printable(&mut out, c)),
        }
        if let Some(delimiter) = delimiters.next() {
            out.push_str(delimiter);
        }
        quoted = !quoted;
    }
    match out.char_indices().nth(MAX_MESSAGE) {
        Some((end, _)) => format!("{}…", &out[..end]),
        None => out,
    }
}

/// Paths are shown with forward slashes on every platform so reports are stable.
pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Collects every problem of a build.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub(crate) fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The diagnostics pushed after the first `count`, in the order they came.
    pub(crate) fn after(&self, count: usize) -> &[Diagnostic] {
        self.items.get(count..).unwrap_or_default()
    }

    /// Sorted by file, then position, so output is stable whatever order stages ran in.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| {
            (&a.path, a.position, a.severity, &a.message, a.code)
                .cmp(&(&b.path, b.position, b.severity, &b.message, b.code))
        });
        items
    }
}

/// The closest known name to a misspelt one, if any is close enough to be a likely typo:
/// a couple of edits away (transpositions count as one), or sharing most of its letters.
pub(crate) fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let allowed_edits = if input.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|candidate| {
            let edits = strsim::damerau_levenshtein(input, candidate);
            let similarity = strsim::jaro_winkler(input, candidate);
            (edits, similarity, candidate)
        })
        .filter(|(edits, similarity, _)| *edits <= allowed_edits || *similarity > 0.9)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, candidate)| candidate)
}

/// A `help:` line for a misspelt name: the suggestion, or the list of valid names.
pub(crate) fn suggestion_help(input: &str, candidates: &[&str]) -> String {
    match did_you_mean(input, candidates.iter().copied()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        assert_eq!(
            did_you_mean("monitorng", ["monitoring", "logs", "owner"]),
            Some("monitoring")
        );
        assert_eq!(did_you_mean("dri", ["dir", "site-url"]), Some("dir"));
        assert_eq!(
            did_you_mean("testing.strss", ["testing.stress", "testing.uat"]),
            Some("testing.stress")
        );
        assert_eq!(did_you_mean("zzz", ["monitoring", "logs"]), None);
    }

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let text = "a: 1\nbé: 2\n";
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 9), Position::new(2, 4));
        assert_eq!(
            Position::of_offset(text, 7),
            Position::new(2, 2),
            "inside a character"
        );
        assert_eq!(Position::of_offset(text, 99), Position::new(3, 1));
    }

    #[test]
    fn long_values_are_cut_and_invisible_characters_shown() {
        let id = "a".repeat(100_000);
        let message = tidy(&format!("`{id}` is not a valid id: it has \"{id}\""));
        assert_eq!(
            message,
            format!(
                "`{0}…` is not a valid id: it has \"{0}…\"",
                "a".repeat(MAX_SHOWN)
            )
        );
        assert_eq!(
            tidy("`pay\u{200b}ments\u{202e}` is wrong"),
            "`pay\\u{200b}ments\\u{202e}` is wrong"
        );
        assert_eq!(tidy(&"word ".repeat(1000)).chars().count(), MAX_MESSAGE + 1);
        assert_eq!(tidy("`café` naïve"), "`café` naïve", "what prints is kept");
    }

    #[test]
    fn displays_location_message_and_help() {
        let d = Diagnostic::error(
            Code::DocInvalidValue,
            "svc/service.md",
            "`tier` must be 1 to 4, found `7`",
        )
        .at(Position::new(4, 7))
        .with_help("use 1 for the most critical services");
        assert_eq!(
            d.to_string(),
            "svc/service.md:4:7: error[OB0306]: `tier` must be 1 to 4, found `7`\n  help: use 1 for the most critical services"
        );
    }
}
