//! Typed deserialization that finds every problem in a document, not just the first.
//!
//! serde stops at the first error. To report all of them, the document is first parsed into
//! a generic value tree (YAML or TOML); then we deserialize the typed struct from that tree,
//! and on each error record it, cut the offending part out of the tree and try again. Unknown
//! keys (every struct denies them) are recorded with the names that were expected there, so
//! callers can suggest the right spelling. Locating a problem in the file is the caller's job:
//! each problem carries its path inside the document.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diag::{Code, Diagnostic, Position, Severity, suggestion_help};

/// One step of a path inside a document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path inside a document, e.g. `monitoring.alerts[1].level`.
pub(crate) type DocPath = Vec<Segment>;

pub(crate) fn path_to_string(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// What went wrong at one place of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    /// A key no struct at that place knows; `expected` lists the keys that are allowed there.
    UnknownKey { key: String, expected: Vec<String> },
    /// A value of the wrong type or outside its allowed values.
    Invalid { message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// For an unknown key: the path of the key itself. Otherwise: the path of the bad value.
    pub(crate) path: DocPath,
    pub(crate) kind: ProblemKind,
}

/// The codes of a kind of file's problems: a key it does not know, a value it cannot take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProblemCodes {
    pub(crate) unknown_key: Code,
    pub(crate) invalid_value: Code,
}

impl Problem {
    /// The problem as a diagnostic of the file at `file`. `locate` finds a path in the file
    /// (the key itself when asked for, else the value); unknown keys get `unknown_key`
    /// severity and a did-you-mean.
    pub(crate) fn diagnostic(
        &self,
        file: &Path,
        codes: ProblemCodes,
        unknown_key: Severity,
        locate: impl Fn(&[Segment], bool) -> Position,
    ) -> Diagnostic {
        let path = path_to_string(&self.path);
        match &self.kind {
            ProblemKind::UnknownKey { key, expected } => {
                let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
                let message = match unknown_key {
                    Severity::Warning => format!("unknown key `{path}` is ignored"),
                    Severity::Error => format!("unknown key `{path}`"),
                };
                Diagnostic::new(unknown_key, codes.unknown_key, file, message)
                    .at(locate(&self.path, true))
                    .with_help(suggestion_help(key, &expected))
            }
            ProblemKind::Invalid { message } => {
                Diagnostic::error(codes.invalid_value, file, format!("`{path}`: {message}"))
                    .at(locate(&self.path, false))
            }
        }
    }
}

/// Removes the entry at `path` from `tree`; false when there was nothing to remove.
fn remove(tree: &mut Value, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = tree;
    for segment in parents {
        let next = match segment {
            Segment::Key(key) => node.get_mut(key.as_str()),
            Segment::Index(index) => node.get_mut(*index),
        };
        match next {
            Some(child) => node = child,
            None => return false,
        }
    }
    match (last, node) {
        (Segment::Key(key), Value::Object(map)) => map.remove(key).is_some(),
        (Segment::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

/// Deserializes `T` from `tree`, collecting every problem. Returns `None` only when the
/// document could not be made into a `T` even after cutting out every bad part (for example
/// when a required key is missing or the root is not a mapping).
/// The tree is a JSON value whatever the source format: it reads enums written as single-key
/// mappings (`{ present: owner.team }`) the way YAML text does, which the YAML library's own
/// value type does not.
pub(crate) fn collect<T: DeserializeOwned>(mut tree: Value) -> (Option<T>, Vec<Problem>) {
    // Each round removes one part of the tree, so this terminates; the cap guards against a
    // deserializer that reports an error we fail to cut out.
    const MAX_ROUNDS: usize = 200;
    let mut problems = Vec::new();
    let mut cut: Vec<DocPath> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        // Read from a borrowed tree: a copy a round cost as much as the reading.
        let error = match serde_path_to_error::deserialize::<_, T>(&tree) {
            Ok(value) => return (Some(value), problems),
            Err(error) => error,
        };
        let path = convert_path(error.path());
        let message = strip_location(&error.inner().to_string());
        if is_missing(&path, &message, &cut) {
            // A required value we cut out for being wrong, already reported.
            return (None, problems);
        }
        let problem = classify(path, message);
        let target = match &problem.kind {
            ProblemKind::UnknownKey { .. } => problem.path.clone(),
            ProblemKind::Invalid { .. } => removal_target(&problem.path),
        };
        problems.push(problem);
        if !remove(&mut tree, &target) {
            return (None, problems);
        }
        cut.push(target);
    }
    (None, problems)
}

/// Whether an error says that a value at one of the `cut` paths is missing.
fn is_missing(path: &[Segment], message: &str, cut: &[DocPath]) -> bool {
    let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field)
    else {
        return false;
    };
    cut.iter().any(|removed| {
        removed.split_last().is_some_and(|(last, parent)| {
            parent == path && *last == Segment::Key(field.to_string())
        })
    })
}

fn convert_path(path: &serde_path_to_error::Path) -> DocPath {
    use serde_path_to_error::Segment as S;
    path.iter()
        .filter_map(|segment| match segment {
            S::Seq { index } => Some(Segment::Index(*index)),
            S::Map { key } => Some(Segment::Key(key.clone())),
            S::Enum { .. } | S::Unknown => None,
        })
        .collect()
}

/// Deserializers from a value tree have no position; some still append one. Drop it: the
/// caller locates the problem in the original text.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// serde reports an unknown key as "unknown field `x`, expected one of `a`, `b`" with the
/// path of the containing struct; turn that into a problem at the key itself.
fn classify(path: DocPath, message: String) -> Problem {
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once('`')
    {
        // The path usually ends at the key already; some deserializers stop at its parent.
        let mut key_path = path;
        if key_path.last() != Some(&Segment::Key(key.to_string())) {
            key_path.push(Segment::Key(key.to_string()));
        }
        return Problem {
            path: key_path,
            kind: ProblemKind::UnknownKey {
                key: key.to_string(),
                expected: backticked(expected),
            },
        };
    }
    Problem {
        path,
        kind: ProblemKind::Invalid { message },
    }
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Removing an element from a sequence would shift the indices of later problems, so a bad
/// value inside a sequence takes the whole sequence with it.
fn removal_target(path: &[Segment]) -> DocPath {
    match path.iter().position(|s| matches!(s, Segment::Index(_))) {
        Some(first_index) => path[..first_index].to_vec(),
        None => path.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_message_becomes_a_located_key() {
        let problem = classify(
            vec![Segment::Key("owner".into())],
            "unknown field `emial`, expected one of `team`, `email`".into(),
        );
        assert_eq!(
            problem,
            Problem {
                path: vec![Segment::Key("owner".into()), Segment::Key("emial".into())],
                kind: ProblemKind::UnknownKey {
                    key: "emial".into(),
                    expected: vec!["team".into(), "email".into()]
                }
            }
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        id: u8,
        name: Option<String>,
    }

    #[test]
    fn a_required_value_cut_out_for_being_wrong_is_not_also_missing() {
        let (doc, problems) = collect::<Doc>(serde_json::json!({ "id": "x", "nmae": "a" }));
        assert!(doc.is_none());
        let paths: Vec<String> = problems.iter().map(|p| path_to_string(&p.path)).collect();
        assert_eq!(
            paths,
            ["id", "nmae"],
            "no `missing field id` after them: {problems:?}"
        );
        let (_, problems) = collect::<Doc>(serde_json::json!({ "name": "a" }));
        assert!(
            matches!(&problems[..], [Problem { kind: ProblemKind::Invalid { message }, .. }] if message == "missing field `id`"),
            "a value never written is still missing: {problems:?}"
        );
    }

    #[test]
    fn a_bad_sequence_element_removes_the_sequence() {
        let path = vec![
            Segment::Key("monitoring".into()),
            Segment::Key("alerts".into()),
            Segment::Index(2),
            Segment::Key("level".into()),
        ];
        assert_eq!(path_to_string(&path), "monitoring.alerts[2].level");
        assert_eq!(path_to_string(&removal_target(&path)), "monitoring.alerts");
    }
}
