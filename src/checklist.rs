//! The checklist: readiness checks as data, and the rules they are written in.
//!
//! The default checklist is `checklist.yaml`, embedded in the binary. A book may bring a
//! checklist file of its own that extends it (same id replaces) or replaces it. Loading
//! validates the data and the waivers that name checks; evaluating is `evaluate`'s job.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::config::{ChecklistConfig, ChecklistMode, Config};
use crate::deserialize::{ProblemCodes, Segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity, did_you_mean};
use crate::model::{Kind, Level};
use crate::parse::yaml;

/// The codes of problems found by reading the checklist file into its structs.
const CHECKLIST_CODES: ProblemCodes = ProblemCodes {
    unknown_key: Code::ChecklistUnknownKey,
    invalid_value: Code::ChecklistInvalidValue,
};

const DEFAULT_CHECKLIST: &str = include_str!("checklist.yaml");

/// An ordered list of checks; ids are unique.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Checklist {
    pub(crate) checks: Vec<Check>,
}

/// One readiness check.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Check {
    /// Stable id: people waive checks by it and CI parses it.
    pub(crate) id: String,
    pub(crate) category: String,
    pub(crate) level: Level,
    pub(crate) applies_to: Vec<Kind>,
    pub(crate) title: String,
    /// Why the check matters, for the person who fails it.
    pub(crate) why: String,
    /// What to do to pass it.
    pub(crate) fix: String,
    pub(crate) rule: Rule,
}

/// How a check decides. Paths are dotted front-matter paths; `a[].b` reads field `b` of
/// every item of list `a`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) enum Rule {
    /// The value is set (an empty list counts: it says "none").
    Present(String),
    /// The value is an http(s) URL.
    IsUrl(String),
    /// The value is `true`.
    IsTrue(String),
    /// The value is `true` or an http(s) URL to the evidence.
    Evidence(String),
    OneOf(PathValues),
    /// The value (a list) holds every one of `values`.
    ContainsAll(PathValues),
    MinItems(MinItems),
    AtLeastNumber(AtLeastNumber),
    /// The value is a date no more than `days` before today.
    DateWithin(DateWithin),
    /// The Markdown body has a heading with this text.
    Heading(HeadingRule),
    /// The Markdown body has a fenced code block in this language.
    CodeBlock(String),
    /// A question for the dependency graph.
    Graph(GraphRule),
    /// The files that describe the service agree.
    Consistent(Consistency),
    /// What the files it runs from show is declared.
    Declared(Declared),
    Any(Vec<Rule>),
    All(Vec<Rule>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PathValues {
    pub(crate) path: String,
    pub(crate) values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct MinItems {
    pub(crate) path: String,
    pub(crate) count: usize,
    /// Only items that set at least one of these fields count.
    #[serde(default)]
    pub(crate) having_any: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AtLeastNumber {
    pub(crate) path: String,
    pub(crate) min: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DateWithin {
    pub(crate) path: String,
    pub(crate) days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct HeadingRule {
    pub(crate) text: String,
    /// The heading's section must also contain an image.
    #[serde(default)]
    pub(crate) with_image: bool,
}

/// What the service's `depends_on` must hold of what its running files show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Declared {
    /// Every dependency its Compose files show.
    Dependencies,
}

/// What the files that describe a service must agree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Consistency {
    /// Tier, team, lifecycle and dependencies, in its doc and in other tools' files.
    Metadata,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GraphRule {
    /// Every dependency names something documented, or is marked external.
    Resolved,
    /// The service is in no cycle of hard dependencies.
    Acyclic,
    /// No hard dependency on a less critical tier.
    Tier,
    /// No dependency on a deprecated service.
    Lifecycle,
}

impl Checklist {
    pub(crate) fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.checks.iter().map(|c| c.id.as_str())
    }

    /// Categories in the order their first check appears.
    pub(crate) fn categories(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for check in &self.checks {
            if !seen.contains(&check.category.as_str()) {
                seen.push(check.category.as_str());
            }
        }
        seen
    }
}

/// The built-in checklist.
pub(crate) fn default_checklist() -> Checklist {
    let typed =
        yaml::parse::<Checklist>(DEFAULT_CHECKLIST).expect("the built-in checklist is valid YAML");
    assert!(
        typed.problems.is_empty(),
        "the built-in checklist has problems: {:?}",
        typed.problems
    );
    typed.value.expect("the built-in checklist deserializes")
}

/// The checklist a book uses: the default, extended or replaced by the book's own file.
pub(crate) fn load(config: &Config, diagnostics: &mut Diagnostics) -> Checklist {
    let mut checklist = default_checklist();
    let ChecklistConfig {
        file: Some(file),
        mode,
        ..
    } = &config.checklist
    else {
        return checklist;
    };
    let display = config.display(file);
    let Some(own) = load_file(file, &display, diagnostics) else {
        return checklist;
    };
    if *mode == ChecklistMode::Replace {
        checklist.checks.clear();
    }
    for check in own.checks {
        match checklist.checks.iter_mut().find(|c| c.id == check.id) {
            Some(existing) => *existing = check,
            None => checklist.checks.push(check),
        }
    }
    checklist
}

fn load_file(file: &Path, display: &Path, diagnostics: &mut Diagnostics) -> Option<Checklist> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::ChecklistUnreadable,
                    display,
                    format!("cannot read the checklist file: {error}"),
                )
                .with_help("fix `file` in [checklist] of book.toml"),
            );
            return None;
        }
    };
    let typed = match yaml::parse::<Checklist>(&text) {
        Ok(typed) => typed,
        Err(error) => {
            let diagnostic = Diagnostic::error(
                Code::ChecklistSyntax,
                display,
                format!("invalid YAML: {}", error.message()),
            )
            .at(error.position);
            diagnostics.push(Diagnostic {
                help: error.help(),
                ..diagnostic
            });
            return None;
        }
    };
    let positions = &typed.positions;
    for problem in &typed.problems {
        diagnostics.push(problem.diagnostic(
            display,
            CHECKLIST_CODES,
            Severity::Error,
            |path, at_key| positions.locate(path, at_key),
        ));
    }
    let checklist = typed.value?;
    let mut seen = HashSet::new();
    for (index, check) in checklist.checks.iter().enumerate() {
        let at = |key: &str| {
            positions.locate(
                &[
                    Segment::Key("checks".into()),
                    Segment::Index(index),
                    Segment::Key(key.into()),
                ],
                false,
            )
        };
        if !seen.insert(check.id.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateCheck,
                    display,
                    format!("duplicate check id `{}`", check.id),
                )
                .at(at("id")),
            );
        }
        if check.level == Level::None {
            diagnostics.push(
                Diagnostic::error(
                    Code::CheckWithoutLevel,
                    display,
                    format!("check `{}` has level `none`", check.id),
                )
                .at(at("level"))
                .with_help("a check belongs to bronze, silver or gold"),
            );
        }
    }
    Some(checklist)
}

/// Every waiver must name a check of the checklist.
pub(crate) fn validate_waivers(
    catalog: &Catalog,
    checklist: &Checklist,
    diagnostics: &mut Diagnostics,
) {
    for service in &catalog.services {
        for (index, waiver) in service.source.doc.waivers.iter().enumerate() {
            if checklist.get(&waiver.check).is_some() {
                continue;
            }
            let path = [
                Segment::Key("waivers".into()),
                Segment::Index(index),
                Segment::Key("check".into()),
            ];
            let help = match did_you_mean(&waiver.check, checklist.ids()) {
                Some(id) => format!("did you mean `{id}`?"),
                None => "`opsbook check` lists every check id; see docs/checklist.md".to_string(),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::WaiverUnknownCheck,
                    &service.source.origin.display_path,
                    format!("waiver of unknown check `{}`", waiver.check),
                )
                .at(service.source.locate(&path, false))
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_checklist_loads_with_unique_ids() {
        let checklist = default_checklist();
        let ids: HashSet<&str> = checklist.ids().collect();
        assert_eq!(ids.len(), checklist.checks.len());
        assert!(checklist.checks.iter().all(|c| c.level != Level::None));
    }

    /// Every item of the seed checklist became a check; these ids are a public contract.
    #[test]
    fn the_default_checklist_covers_the_seed() {
        let checklist = default_checklist();
        for id in [
            "owner.team",
            "owner.contact",
            "owner.phone",
            "owner.alternates",
            "docs.dependencies",
            "docs.architecture",
            "docs.start-stop",
            "docs.performance-config",
            "monitoring.dashboard",
            "monitoring.metrics",
            "monitoring.alerts",
            "monitoring.slo",
            "logs.location",
            "logs.rotation",
            "logs.central",
            "logs.structured",
            "runbooks.routine",
            "runbooks.recovery",
            "runbooks.unknown-failures",
            "testing.unit",
            "testing.integration",
            "testing.load",
            "testing.uat",
            "testing.performance",
            "testing.stress",
            "scaling.strategy",
            "scaling.tested-10x",
            "runtime.delivery",
            "runtime.health",
            "runtime.config-env",
            "runtime.metrics",
            "runtime.test-components",
            "twelve-factor",
            "review.fresh",
            "deps.resolved",
            "deps.acyclic",
            "deps.tier",
            "deps.lifecycle",
            "deps.declared",
            "metadata.consistent",
        ] {
            assert!(checklist.get(id).is_some(), "missing check {id}");
        }
        assert_eq!(checklist.checks.len(), 40);
    }

    /// The reference page must not drift from the embedded checklist.
    #[test]
    fn the_checklist_page_lists_every_check_with_its_level() {
        let page = include_str!("../docs/checklist.md");
        for check in default_checklist().checks {
            let row = format!("| `{}` | {} |", check.id, check.level);
            assert!(
                page.contains(&row),
                "docs/checklist.md lacks the row `{row}`"
            );
        }
    }
}
