//! Every YAML call of opsbook: parsing front matter and checklist files, and finding the
//! line and column of a path inside a YAML text.
//!
//! Positions here are relative to the YAML text; callers shift them to file lines.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value as Json;

use crate::deserialize::{self, Problem, Segment};
use crate::diag::Position;

/// A YAML syntax error with its position in the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub position: Position,
    pub message: String,
}

/// A typed document (if one could be made) and every problem met on the way.
pub type Parsed<T> = (Option<T>, Vec<Problem>);

/// Parses YAML into typed `T`, reporting every problem (see [`deserialize::collect`]).
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<Parsed<T>, SyntaxError> {
    Ok(deserialize::collect(tree(text)?))
}

/// Like [`parse`], but only for documents that are a mapping with `key` at the top: others
/// give `Ok(None)`. Front matter of other tools (Hugo, Jekyll) passes through this way.
pub fn parse_if_key<T: DeserializeOwned>(
    text: &str,
    key: &str,
) -> Result<Option<Parsed<T>>, SyntaxError> {
    let value = tree(text)?;
    let has_key = value.as_object().is_some_and(|map| map.contains_key(key));
    Ok(has_key.then(|| deserialize::collect(value)))
}

/// Whether a text that failed to parse looks like it meant to have `key` at the top level.
pub fn mentions_top_level_key(text: &str, key: &str) -> bool {
    text.lines().any(|line| {
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// The generic tree that typed deserialization retries on (see [`deserialize::collect`]).
pub fn tree(text: &str) -> Result<Json, SyntaxError> {
    serde_yaml::from_str(text).map_err(|error| syntax_error(text, &error))
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
    if let Some(rest) = message.strip_prefix("found character that cannot start any token") {
        let line = text
            .lines()
            .nth(position.line.saturating_sub(1))
            .unwrap_or("");
        if line.trim_start_matches(' ').starts_with('\t') {
            message = format!("a tab indents this line; YAML allows only spaces{rest}");
        }
    }
    SyntaxError { position, message }
}

/// Finds where `path` is in `text`: the key itself when `at_key` (for unknown keys), else the
/// value. Falls back to the key of the closest ancestor that exists, then to the start.
pub fn locate(text: &str, path: &[Segment], at_key: bool) -> Position {
    (0..=path.len())
        .rev()
        .find_map(|len| locate_exact(text, &path[..len], at_key || len < path.len()))
        .unwrap_or(Position::START)
}

/// The YAML deserializer attaches the position of the node being read to any error raised
/// while reading it. So we walk down to the node and fail on purpose: the error tells us where
/// the node is. Nothing else in the YAML library exposes positions.
fn locate_exact(text: &str, path: &[Segment], at_key: bool) -> Option<Position> {
    if path.is_empty() {
        return None;
    }
    let deserializer = serde_yaml::Deserializer::from_str(text);
    let error = Finder { path, at_key }.deserialize(deserializer).err()?;
    if error.to_string().contains(FOUND) {
        error
            .location()
            .map(|l| Position::new(l.line(), l.column()))
    } else {
        None
    }
}

const FOUND: &str = "opsbook-found";

struct Finder<'p> {
    path: &'p [Segment],
    at_key: bool,
}

#[derive(Debug)]
struct NotFound;

impl<'de> DeserializeSeed<'de> for Finder<'_> {
    type Value = NotFound;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<NotFound, D::Error> {
        if self.path.is_empty() {
            // Fail inside a visitor, so the error carries the node's own position.
            return deserializer.deserialize_any(Found);
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Finder<'_> {
    type Value = NotFound;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping or sequence")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NotFound, A::Error> {
        let Some((Segment::Key(wanted), rest)) = self.path.split_first() else {
            return Ok(NotFound);
        };
        let key_is_target = self.at_key && rest.is_empty();
        while let Some(key) = map.next_key_seed(KeyFinder {
            wanted,
            fail_on_match: key_is_target,
        })? {
            if key {
                return map
                    .next_value_seed(Finder {
                        path: rest,
                        at_key: self.at_key,
                    })
                    .map(|_| NotFound);
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(NotFound)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NotFound, A::Error> {
        let Some((Segment::Index(wanted), rest)) = self.path.split_first() else {
            return Ok(NotFound);
        };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(NotFound);
            }
        }
        seq.next_element_seed(Finder {
            path: rest,
            at_key: self.at_key,
        })?;
        Ok(NotFound)
    }

    fn visit_str<E>(self, _: &str) -> Result<NotFound, E> {
        Ok(NotFound)
    }
    fn visit_bool<E>(self, _: bool) -> Result<NotFound, E> {
        Ok(NotFound)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NotFound, E> {
        Ok(NotFound)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NotFound, E> {
        Ok(NotFound)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NotFound, E> {
        Ok(NotFound)
    }
    fn visit_unit<E>(self) -> Result<NotFound, E> {
        Ok(NotFound)
    }
}

/// Fails on whatever node it is given.
struct Found;

impl<'de> Visitor<'de> for Found {
    type Value = NotFound;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any node")
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<NotFound, A::Error> {
        Err(de::Error::custom(FOUND))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<NotFound, A::Error> {
        Err(de::Error::custom(FOUND))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<NotFound, E> {
        Err(E::custom(FOUND))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<NotFound, E> {
        Err(E::custom(FOUND))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<NotFound, E> {
        Err(E::custom(FOUND))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<NotFound, E> {
        Err(E::custom(FOUND))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<NotFound, E> {
        Err(E::custom(FOUND))
    }
    fn visit_unit<E: de::Error>(self) -> Result<NotFound, E> {
        Err(E::custom(FOUND))
    }
}

/// Reads one mapping key; says whether it is the wanted one, or fails there when the key
/// itself is what we are looking for.
struct KeyFinder<'w> {
    wanted: &'w str,
    fail_on_match: bool,
}

impl<'de> DeserializeSeed<'de> for KeyFinder<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyFinder<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        match key == self.wanted {
            true if self.fail_on_match => Err(E::custom(FOUND)),
            matched => Ok(matched),
        }
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_string())
    }

    const DOC: &str =
        "service: a\nmonitoring:\n  dashboard: x\n  alerts:\n    - name: e\n      level: urgent\n";

    #[test]
    fn locates_values_and_keys() {
        let path = [
            key("monitoring"),
            key("alerts"),
            Segment::Index(0),
            key("level"),
        ];
        assert_eq!(locate(DOC, &path, false), Position::new(6, 14));
        assert_eq!(
            locate(DOC, &[key("monitoring"), key("dashboard")], true),
            Position::new(3, 3)
        );
    }

    #[test]
    fn falls_back_to_the_closest_ancestor() {
        assert_eq!(
            locate(DOC, &[key("monitoring"), key("nothing")], true),
            Position::new(2, 1)
        );
        assert_eq!(locate(DOC, &[key("nothing")], true), Position::START);
    }

    #[test]
    fn tab_indentation_gets_a_plain_message() {
        let error = parse::<Json>("owner:\n\tteam: a\n").unwrap_err();
        assert_eq!(error.position.line, 2);
        assert!(error.message.contains("tab"), "{}", error.message);
    }
}
