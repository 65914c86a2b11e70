//! Merge: what other tools' files say of a service ([`Record`]s), and its service doc, made
//! into one service. The doc wins wherever it says something; records fill what it leaves
//! unsaid, in the order they were read; each field remembers the file it came from, so the
//! service page can list them and every result can cite the file and line that decided it.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::deserialize::{self, path_to_string};
use crate::diag::{Diagnostics, Position, Severity};
use crate::import::Record;
use crate::import::drift::{self, Said};
use crate::markdown::Facts;
use crate::model::ServiceDoc;
use crate::parse::positions::Positions;
use crate::parse::yaml;
use crate::parse::{Derived, Parsed, Provenance, ServiceSource};

/// `others` with the services the records describe: each record of an id that a service doc
/// declares is merged into the doc; the others of one id become one service, made of the
/// first and filled from the rest. Two records of one format with the same id describe two
/// services (and the catalog reports the duplicate id), as two docs would.
pub(crate) fn into_services(
    records: Vec<Record>,
    mut others: Vec<Parsed>,
    diagnostics: &mut Diagnostics,
) -> Vec<Parsed> {
    if records.is_empty() {
        return others;
    }
    let mut docs: HashMap<String, usize> = HashMap::new();
    for (position, parsed) in others.iter().enumerate() {
        if let Parsed::Service(source) = parsed {
            docs.insert(source.doc.service.as_str().to_string(), position);
        }
    }
    for group in groups(records) {
        let id = group[0].id().to_string();
        match docs.get(&id) {
            Some(&position) => {
                if let Parsed::Service(doc) = &others[position]
                    && let Some(merged) = into_doc(doc, &group, diagnostics)
                {
                    others[position] = Parsed::Service(merged);
                }
            }
            None => {
                if let Some(service) = from_records(&group, diagnostics) {
                    others.push(Parsed::Service(service));
                }
            }
        }
    }
    others
}

/// The records in groups that make one service each: of one id, at most one of each format,
/// in the order the first of each group was read.
fn groups(records: Vec<Record>) -> Vec<Vec<Record>> {
    let mut groups: Vec<Vec<Record>> = Vec::new();
    let mut open: HashMap<String, Vec<usize>> = HashMap::new();
    for record in records {
        let candidates = open.entry(record.id().to_string()).or_default();
        let joins = candidates
            .iter()
            .copied()
            .find(|&g| groups[g].iter().all(|r| r.format != record.format));
        match joins {
            Some(group) => groups[group].push(record),
            None => {
                candidates.push(groups.len());
                groups.push(vec![record]);
            }
        }
    }
    groups
}

/// The service doc `doc`, with what the records say that the doc does not.
fn into_doc(
    doc: &ServiceSource,
    records: &[Record],
    diagnostics: &mut Diagnostics,
) -> Option<Arc<ServiceSource>> {
    let written = yaml::read(&doc.yaml).ok()?.tree;
    let fields: Vec<Value> = records
        .iter()
        .map(|r| Value::Object(r.fields.clone()))
        .collect();
    let said: Vec<Said> = std::iter::once(Said::by_doc(doc, &written))
        .chain(
            records
                .iter()
                .zip(&fields)
                .map(|(r, f)| Said::by_record(r, f)),
        )
        .collect();
    let disagreements = drift::disagreements(&said);
    let (merged, imported) = fill(written.clone(), records, true);
    let typed = typed(merged, records, &imported, diagnostics)?;
    Some(Arc::new(ServiceSource {
        doc: typed,
        imported,
        disagreements,
        ..doc.clone()
    }))
}

/// A service no doc describes, from its records alone: the first is where it is from.
fn from_records(records: &[Record], diagnostics: &mut Diagnostics) -> Option<Arc<ServiceSource>> {
    let (first, rest) = records.split_first()?;
    let fields: Vec<Value> = records
        .iter()
        .map(|r| Value::Object(r.fields.clone()))
        .collect();
    let said: Vec<Said> = records
        .iter()
        .zip(&fields)
        .map(|(r, f)| Said::by_record(r, f))
        .collect();
    let disagreements = drift::disagreements(&said);
    let base = Value::Object(first.fields.clone());
    let mut imported = vec![provenance(first, leaf_paths(&base), false)];
    let (merged, filled) = fill(base, rest, false);
    imported.extend(filled);
    let doc = typed(merged, records, &imported, diagnostics)?;
    Some(Arc::new(ServiceSource {
        origin: first.origin.clone(),
        doc,
        yaml: first.text.clone(),
        yaml_first_line: first.first_line,
        // The record's keys are another tool's, not ours: every result cites its first line.
        positions: Positions::default(),
        derived: Derived::default(),
        body: String::new(),
        facts: Facts::default(),
        imported,
        disagreements,
        discovered: Vec::new(),
    }))
}

/// `base` filled from each record in turn, and what each supplied.
fn fill(mut base: Value, records: &[Record], with_doc: bool) -> (Value, Vec<Provenance>) {
    let mut imported = Vec::new();
    for record in records {
        let fields = Value::Object(record.fields.clone());
        let taken: Vec<String> = leaf_paths(&fields)
            .into_iter()
            .filter(|path| !has_path(&base, path))
            .collect();
        let mut merged = fields;
        overlay(&mut merged, base);
        base = merged;
        imported.push(provenance(record, taken, with_doc));
    }
    (base, imported)
}

fn provenance(record: &Record, fields: Vec<String>, merged_with_doc: bool) -> Provenance {
    let lines = fields
        .iter()
        .filter_map(|field| Some((field.clone(), *record.lines.get(field)?)))
        .collect();
    Provenance {
        format: record.format,
        file: record.origin.display_path.clone(),
        line: record.first_line,
        fields,
        lines,
        merged_with_doc,
    }
}

/// `top` laid over `base`: mappings merge key by key, anything else in `top` wins.
fn overlay(base: &mut Value, top: Value) {
    match (base, top) {
        (Value::Object(base), Value::Object(top)) => {
            for (key, value) in top {
                match base.get_mut(&key) {
                    Some(existing) => overlay(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, top) => *base = top,
    }
}

/// Dotted paths of the values in a mapping, down to the second level (`owner.team`).
fn leaf_paths(value: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    if let Value::Object(map) = value {
        for (key, inner) in map {
            match inner {
                Value::Object(inner) if key != "service" => {
                    paths.extend(inner.keys().map(|k| format!("{key}.{k}")));
                }
                _ if key == "service" || key == "kind" => {}
                _ => paths.push(key.clone()),
            }
        }
    }
    paths
}

fn has_path(value: &Value, path: &str) -> bool {
    path.split('.')
        .try_fold(value, |value, key| value.get(key))
        .is_some()
}

/// The merged fields as a typed service doc. A problem is the record's that supplied the
/// field (the first record's when none did), at its first line, with its format's codes.
fn typed(
    fields: Value,
    records: &[Record],
    imported: &[Provenance],
    diagnostics: &mut Diagnostics,
) -> Option<ServiceDoc> {
    let (doc, problems) = deserialize::collect::<ServiceDoc>(fields);
    for problem in problems {
        let path = path_to_string(&problem.path);
        let blamed = imported
            .iter()
            .position(|p| p.supplies(&path))
            .unwrap_or_default();
        let record = records.get(blamed).unwrap_or(&records[0]);
        let line = imported
            .get(blamed)
            .and_then(|p| p.line_of(&path))
            .unwrap_or(record.first_line);
        diagnostics.push(problem.diagnostic(
            &record.origin.display_path,
            record.format.problem_codes(),
            Severity::Error,
            |_, _| Position::new(line, 1),
        ));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_doc_wins_and_the_records_fill_the_gaps() {
        let mut base =
            json!({ "owner": { "team": "a", "email": "a@x" }, "lifecycle": "experimental" });
        overlay(&mut base, json!({ "owner": { "team": "b" }, "tier": 1 }));
        assert_eq!(
            base,
            json!({ "owner": { "team": "b", "email": "a@x" }, "lifecycle": "experimental", "tier": 1 })
        );
    }
}
