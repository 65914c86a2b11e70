//! Drift: where the files that describe one service say different things of its tier, team,
//! lifecycle or dependencies. The service keeps the first value (its doc's, else the first
//! file's, see `merge`); every other file that says something else is a [`Disagreement`],
//! with both values and both lines, for the `metadata.consistent` check to report.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::import::Record;
use crate::parse::{Claim, Disagreement, ServiceSource};

/// The fields compared, as front-matter paths.
const COMPARED: &[&str] = &["tier", "owner.team", "lifecycle", "depends_on"];

/// What one file says of the compared fields, and where.
pub(super) struct Said<'a> {
    tree: &'a Value,
    file: &'a Path,
    line_of: Box<dyn Fn(&str) -> usize + 'a>,
}

impl<'a> Said<'a> {
    /// What a service doc says: its front matter, each field at its line.
    pub(super) fn by_doc(doc: &'a ServiceSource, written: &'a Value) -> Said<'a> {
        Said {
            tree: written,
            file: &doc.origin.display_path,
            line_of: Box::new(move |field| {
                doc.positions
                    .line_of(field)
                    .map_or(doc.yaml_first_line, |line| line + doc.yaml_first_line - 1)
            }),
        }
    }

    /// What another tool's file says, each field at its line when known.
    pub(super) fn by_record(record: &'a Record, fields: &'a Value) -> Said<'a> {
        Said {
            tree: fields,
            file: &record.origin.display_path,
            line_of: Box::new(move |field| {
                record
                    .lines
                    .get(field)
                    .copied()
                    .unwrap_or(record.first_line)
            }),
        }
    }

    fn claim(&self, field: &str) -> Option<(String, Claim)> {
        let value = field
            .split('.')
            .try_fold(self.tree, |value, key| value.get(key))?;
        let (shown, compared) = shown_and_compared(field, value)?;
        let claim = Claim {
            value: shown,
            file: self.file.to_path_buf(),
            line: (self.line_of)(field),
        };
        Some((compared, claim))
    }
}

/// Every value that differs from the first said of the same field.
pub(super) fn disagreements(said: &[Said]) -> Vec<Disagreement> {
    let mut found = Vec::new();
    for field in COMPARED {
        let mut claims = said.iter().filter_map(|s| s.claim(field));
        let Some((kept_key, kept)) = claims.next() else {
            continue;
        };
        for (key, other) in claims {
            if key != kept_key {
                found.push(Disagreement {
                    field,
                    kept: kept.clone(),
                    other,
                });
            }
        }
    }
    found
}

/// A value as a message shows it, and as it is compared: names folded as tier and lifecycle
/// spellings are (`Web_Team` is `web-team`), dependencies as a set.
fn shown_and_compared(field: &str, value: &Value) -> Option<(String, String)> {
    match (field, value) {
        ("depends_on", Value::Array(items)) => {
            let names: BTreeSet<String> = items.iter().filter_map(dependency_name).collect();
            let shown = names.iter().cloned().collect::<Vec<_>>().join(", ");
            let compared = names
                .iter()
                .map(|n| super::values::fold(n))
                .collect::<Vec<_>>()
                .join(",");
            Some((format!("[{shown}]"), compared))
        }
        (_, Value::String(text)) => Some((text.clone(), super::values::fold(text))),
        (_, Value::Number(number)) => Some((number.to_string(), number.to_string())),
        _ => None,
    }
}

/// The service or external a `depends_on` entry names (`cart`, `{service: cart}`,
/// `{external: stripe}`).
fn dependency_name(entry: &Value) -> Option<String> {
    match entry {
        Value::String(name) => Some(name.clone()),
        Value::Object(map) => map
            .get("service")
            .or_else(|| map.get("external"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn said<'a>(tree: &'a Value, file: &'a Path, line: usize) -> Said<'a> {
        Said {
            tree,
            file,
            line_of: Box::new(move |_| line),
        }
    }

    #[test]
    fn values_that_differ_are_disagreements_and_spellings_of_one_name_are_not() {
        let doc = json!({ "tier": 1, "owner": { "team": "web-team" }, "depends_on": ["cart", { "external": "stripe" }] });
        let datadog = json!({ "tier": 2, "owner": { "team": "Web_Team" }, "lifecycle": "production",
                              "depends_on": [{ "service": "cart" }, { "service": "stripe" }] });
        let compass = json!({ "lifecycle": "experimental", "depends_on": [{ "service": "cart" }] });
        let found = disagreements(&[
            said(&doc, Path::new("a/service.md"), 3),
            said(&datadog, Path::new("a/service.datadog.yaml"), 7),
            said(&compass, Path::new("a/compass.yml"), 9),
        ]);
        let shown: Vec<String> = found
            .iter()
            .map(|d| {
                format!(
                    "{}: {} at {}:{} vs {} at {}:{}",
                    d.field,
                    d.kept.value,
                    d.kept.file.display(),
                    d.kept.line,
                    d.other.value,
                    d.other.file.display(),
                    d.other.line
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "tier: 1 at a/service.md:3 vs 2 at a/service.datadog.yaml:7",
                "lifecycle: production at a/service.datadog.yaml:7 vs experimental at a/compass.yml:9",
                "depends_on: [cart, stripe] at a/service.md:3 vs [cart] at a/compass.yml:9",
            ]
        );
    }
}
