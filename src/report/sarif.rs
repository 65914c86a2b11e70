//! The gap report as SARIF 2.1.0, for code-scanning services (GitHub's among them): the
//! checklist's checks are the rules, with their why and fix text; each gap and waiver is a
//! result at the line that decided it; each kind of problem in users' files is a rule too,
//! named by its stable code (see docs/diagnostics.md).
//!
//! Schema: <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use url::Url;

use crate::book::Evaluated;
use crate::checklist::Check;
use crate::diag::{self, Code, Diagnostic};
use crate::report::annotations::{self, Gap, Severity, Workspace};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SOURCE_ROOT: &str = "SRCROOT";

/// The SARIF log, pretty-printed, with a trailing newline.
pub(crate) fn render(evaluated: &Evaluated, workspace: &Workspace) -> String {
    let checks = &evaluated.checklist.checks;
    let problems = evaluated.diagnostics.sorted();
    // Only the codes that occur become rules, after the checks, in the order of their codes.
    let codes: Vec<Code> = problems
        .iter()
        .map(|d| d.code)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rules: Vec<Value> = checks.iter().map(rule).collect();
    rules.extend(codes.iter().copied().map(code_rule));
    let rule_index = |code: Code| checks.len() + codes.binary_search(&code).unwrap_or_default();
    let mut results: Vec<Value> = problems
        .into_iter()
        .map(|d| problem_result(d, rule_index(d.code), workspace))
        .collect();
    results.extend(
        annotations::gaps(evaluated)
            .iter()
            .map(|gap| gap_result(gap, workspace)),
    );
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "opsbook",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": directory_uri(workspace.top())}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule(check: &Check) -> Value {
    json!({
        "id": check.id,
        "name": rule_name(&check.id),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.why},
        "help": {"text": check.fix, "markdown": check.fix},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "category": check.category,
            "readinessLevel": check.level,
            "tags": ["readiness", check.category, check.level.to_string()],
        },
    })
}

/// The rule of one kind of problem in users' files, with the fix docs/diagnostics.md gives;
/// each result's message carries the help for its own case.
fn code_rule(code: Code) -> Value {
    let explain = format!("Run `opsbook explain {}` for an example.", code.id());
    let help = match diag::fix(code) {
        Some(fix) => format!("{fix} {explain}"),
        None => explain,
    };
    json!({
        "id": code.id(),
        "name": rule_name(code.name()),
        "shortDescription": {"text": code.summary()},
        "fullDescription": {"text": code.summary()},
        "help": {"text": help},
        "properties": {"tags": ["opsbook-file-problem"]},
    })
}

/// SARIF wants rule names in PascalCase: `monitoring.alerts-emergency` -> `MonitoringAlertsEmergency`.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn gap_result(gap: &Gap, workspace: &Workspace) -> Value {
    let level = match gap.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    let location = &gap.result.location;
    let mut result = json!({
        "ruleId": gap.check.id,
        "ruleIndex": gap.result.check,
        "level": level,
        "message": {"text": gap.message()},
        "locations": [physical_location(&location.path, location.line, None, workspace)],
        "properties": {
            "service": gap.doc.service.as_str(),
            "status": gap.result.status.as_str(),
            "serviceLevel": gap.service.level,
            "requiredLevel": gap.service.required,
        },
    });
    if !gap.result.also.is_empty() {
        // The other lines that decide it: in a disagreement, the values it names.
        let related: Vec<Value> = gap
            .result
            .also
            .iter()
            .enumerate()
            .map(|(id, at)| {
                let mut related = physical_location(&at.path, at.line, None, workspace);
                related["id"] = json!(id + 1);
                related["message"] = json!({"text": "also decides this result"});
                related
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    if let (Severity::Note, Some(waiver)) = (gap.severity, &gap.result.waiver) {
        result["suppressions"] = json!([{
            "kind": "inSource",
            "justification": format!("waived until {}: {}", waiver.until, waiver.reason),
        }]);
    }
    result
}

fn problem_result(problem: &Diagnostic, rule_index: usize, workspace: &Workspace) -> Value {
    let level = match problem.severity {
        diag::Severity::Error => "error",
        diag::Severity::Warning => "warning",
    };
    let (line, column) = problem
        .position
        .map_or((1, None), |p| (p.line, Some(p.column)));
    json!({
        "ruleId": problem.code.id(),
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": annotations::problem_text(problem)},
        "locations": [physical_location(&problem.path, line, column, workspace)],
    })
}

fn physical_location(
    display: &Path,
    line: usize,
    column: Option<usize>,
    workspace: &Workspace,
) -> Value {
    let mut region = json!({"startLine": line.max(1)});
    if let Some(column) = column {
        region["startColumn"] = json!(column.max(1));
    }
    json!({"physicalLocation": {
        "artifactLocation": artifact(display, workspace),
        "region": region,
    }})
}

/// Relative to the work tree when inside it (as code scanning matches files), else absolute.
fn artifact(display: &Path, workspace: &Workspace) -> Value {
    let absolute = workspace.absolute(display);
    let file = Url::from_file_path(&absolute).ok();
    let top = Url::from_directory_path(workspace.top()).ok();
    match (file, top) {
        (Some(file), Some(top)) if absolute.starts_with(workspace.top()) => {
            let relative = top.make_relative(&file).unwrap_or_else(|| file.to_string());
            json!({"uri": relative, "uriBaseId": SOURCE_ROOT})
        }
        (Some(file), _) => json!({"uri": file.as_str()}),
        _ => json!({"uri": diag::display_path(display)}),
    }
}

fn directory_uri(folder: &Path) -> String {
    Url::from_directory_path(folder).map_or_else(|_| "file:///".to_string(), String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            rule_name("monitoring.alerts-emergency"),
            "MonitoringAlertsEmergency"
        );
        assert_eq!(rule_name("book-unknown-key"), "BookUnknownKey");
    }
}
