//! A JSON report read back: the part of contract version 1 (docs/json-report.md) that
//! comparisons need, as plain owned data.
//!
//! `diff` and `history` compare reports made at different times, possibly by other opsbook
//! versions, so they read the published contract rather than the evaluator's internal types:
//! a `readiness.json` from last week and a revision evaluated now look the same here. Fields
//! added to the contract later are ignored; fields this needs are never removed within a version.

use serde::{Deserialize, Serialize};

use crate::book::Evaluated;
use crate::model::Level;
use crate::report::json;

/// A readiness report as the JSON contract states it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub(crate) struct Snapshot {
    pub(crate) version: u32,
    pub(crate) evaluated_on: String,
    pub(crate) services: Vec<SnapshotService>,
    #[serde(default)]
    pub(crate) problems: Vec<SnapshotProblem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub(crate) struct SnapshotService {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) kind: String,
    pub(crate) tier: u8,
    pub(crate) level: Level,
    pub(crate) required: Level,
    pub(crate) meets_required: bool,
    pub(crate) checks: Vec<SnapshotCheck>,
    #[serde(default)]
    pub(crate) depends_on: Vec<SnapshotDependency>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub(crate) struct SnapshotCheck {
    pub(crate) id: String,
    pub(crate) level: Level,
    pub(crate) status: String,
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) waiver: Option<SnapshotWaiver>,
    /// The line that decided the result (absent from reports older than locations).
    #[serde(default)]
    pub(crate) location: Option<SnapshotLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct SnapshotLocation {
    pub(crate) path: String,
    pub(crate) line: usize,
}

impl std::fmt::Display for SnapshotLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct SnapshotWaiver {
    pub(crate) reason: String,
    pub(crate) until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct SnapshotDependency {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct SnapshotProblem {
    /// `error` or `warning`.
    pub(crate) severity: String,
}

impl SnapshotCheck {
    /// Counts against the service: failing, or covered by a waiver that has expired.
    pub(crate) fn is_failing(&self) -> bool {
        matches!(self.status.as_str(), "fail" | "expired-waiver")
    }
}

impl SnapshotService {
    pub(crate) fn is_assessed(&self) -> bool {
        self.kind != "external"
    }

    pub(crate) fn failing_count(&self) -> usize {
        self.checks.iter().filter(|c| c.is_failing()).count()
    }
}

impl Snapshot {
    /// The snapshot of a book just evaluated, through the same JSON a file would hold.
    pub(crate) fn of(evaluated: &Evaluated) -> Snapshot {
        let value = serde_json::to_value(json::build(evaluated)).unwrap_or_default();
        serde_json::from_value(value).unwrap_or_else(|_| Snapshot::empty(evaluated))
    }

    /// Only reached if the report could not be read back, which its own types rule out.
    fn empty(evaluated: &Evaluated) -> Snapshot {
        Snapshot {
            version: json::VERSION,
            evaluated_on: evaluated.report.today.to_string(),
            services: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Reads a JSON report's text; `name` says where it came from in the error.
    pub(crate) fn parse(text: &str, name: &str) -> Result<Snapshot, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("{name} is not JSON ({e}); expected an opsbook JSON report"))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if version == u64::from(json::VERSION) => {}
            Some(version) => {
                return Err(format!(
                    "{name} is a version {version} report; this opsbook reads version {}",
                    json::VERSION
                ));
            }
            None => {
                return Err(format!(
                    "{name} is JSON but not an opsbook report: it has no `version`"
                ));
            }
        }
        serde_json::from_value(value)
            .map_err(|e| format!("{name} is not a complete opsbook report: {e}"))
    }

    /// How many problems of the run were errors.
    pub(crate) fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == "error")
            .count()
    }
}
