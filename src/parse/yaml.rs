//! Every YAML call of opsbook: parsing front matter, catalog files and checklists.
//!
//! A text is read twice, each time in linear time: first by [`Positions::scan`], which refuses
//! what is too deep or ambiguous to deserialize and notes where each field is written; then
//! by serde_yaml into the tree that typed deserialization works on. Positions here are
//! relative to the YAML text; callers shift them to file lines.

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::deserialize::{self, Problem};
use crate::diag::Position;
use crate::parse::positions::Positions;
pub(crate) use crate::parse::positions::SyntaxError;

/// A YAML text read: the generic tree that typed deserialization works on (see
/// [`deserialize::collect`]), and where each of its fields is written.
pub(crate) struct Document {
    pub(crate) tree: Json,
    pub(crate) positions: Positions,
}

/// A typed document (if one could be made), every problem met on the way, and where each
/// field is written (to locate the problems).
pub(crate) struct Typed<T> {
    pub(crate) value: Option<T>,
    pub(crate) problems: Vec<Problem>,
    pub(crate) positions: Positions,
}

/// Parses YAML into typed `T`, reporting every problem (see [`deserialize::collect`]).
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<Typed<T>, SyntaxError> {
    read(text).map(typed)
}

/// The typed `T` a read document makes, with every problem met on the way.
pub(crate) fn typed<T: DeserializeOwned>(document: Document) -> Typed<T> {
    let (value, problems) = deserialize::collect(document.tree);
    Typed {
        value,
        problems,
        positions: document.positions,
    }
}

/// Whether a text that failed to parse looks like it meant to have `key` at the top level.
pub(crate) fn mentions_top_level_key(text: &str, key: &str) -> bool {
    text.lines().any(|line| {
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Reads a YAML text: scanned first (see [`Positions::scan`]), so what serde_yaml reads is
/// never deeper than it can read quickly, nor has a key it would silently overwrite.
pub(crate) fn read(text: &str) -> Result<Document, SyntaxError> {
    let positions = Positions::scan(text).map_err(|error| plain_words(text, error))?;
    let tree = serde_yaml::from_str(text).map_err(|error| syntax_error(text, &error))?;
    Ok(Document { tree, positions })
}

fn syntax_error(text: &str, error: &serde_yaml::Error) -> SyntaxError {
    let position = error
        .location()
        .map(|l| Position::new(l.line(), l.column()))
        .unwrap_or(Position::START);
    let mut message = error.to_string();
    if let Some(index) = message.find(" at line ") {
        message.truncate(index);
    }
    plain_words(text, SyntaxError::parser(position, &message))
}

/// A parser's message in words a person can act on, where there are better ones.
fn plain_words(text: &str, error: SyntaxError) -> SyntaxError {
    if !error.is_parser_error() {
        return error;
    }
    let line = text
        .lines()
        .nth(error.position.line.saturating_sub(1))
        .unwrap_or("");
    let spaces = line.len() - line.trim_start_matches(' ').len();
    if line[spaces..].starts_with('\t') {
        let tab = Position::new(error.position.line, spaces + 1);
        return SyntaxError::parser(tab, "a tab indents this line; YAML allows only spaces");
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_indentation_gets_a_plain_message() {
        let error = read("owner:\n\tteam: a\n").err().unwrap();
        assert_eq!(error.position.line, 2);
        assert!(
            error.message().starts_with("a tab indents"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn errors_move_to_the_lines_of_their_file() {
        let error = read("a: 1\nb: 2\na: 3\n").err().unwrap().in_file(2);
        assert_eq!(error.position, Position::new(4, 1));
        assert_eq!(
            error.message(),
            "key `a` is written twice; the first is on line 2"
        );
    }
}
