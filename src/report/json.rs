//! The JSON report, contract version 1 (docs/json-report.md). Tools and CI parse it:
//! fields may be added, never renamed or removed, without a new version.

use crate::config::RepositoryFile;
use serde::Serialize;

use crate::analysis::Reach;
use crate::book::Evaluated;
use crate::diag::{Diagnostics, Severity, display_path};
use crate::model::{Level, Target};
use crate::report::{Location, ServiceReport, Summary};

pub(crate) const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub(crate) struct JsonReport<'a> {
    pub(crate) version: u32,
    pub(crate) evaluated_on: String,
    pub(crate) summary: Summary,
    pub(crate) services: Vec<JsonService<'a>>,
    pub(crate) problems: Vec<JsonProblem>,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonService<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) tier: u8,
    pub(crate) lifecycle: &'a str,
    pub(crate) team: Option<&'a str>,
    pub(crate) system: Option<&'a str>,
    pub(crate) level: Level,
    pub(crate) required: Level,
    pub(crate) meets_required: bool,
    pub(crate) score: f64,
    pub(crate) source: String,
    /// Where the doc lives in its repository, when the source says (git sources always do).
    pub(crate) source_repository: Option<RepositoryFile>,
    /// The files of other tools its fields came from, and which fields (none: omitted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) imported: Vec<JsonImported<'a>>,
    pub(crate) checks: Vec<JsonCheck<'a>>,
    pub(crate) depends_on: Vec<JsonDependency<'a>>,
    pub(crate) dependents: Vec<&'a str>,
    /// Every service that fails when this one fails (transitive, over hard dependencies);
    /// only the most critical when the book's lists would be too long.
    pub(crate) blast_radius: Vec<&'a str>,
    /// How many services `blast_radius` would name, when it names fewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) blast_radius_count: Option<usize>,
    /// Every service this one needs (transitive, over hard dependencies); only the most
    /// critical when the book's lists would be too long.
    pub(crate) stands_on: Vec<&'a str>,
    /// How many services `stands_on` would name, when it names fewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stands_on_count: Option<usize>,
    /// Hard dependency steps in the longest chain below this service.
    pub(crate) depth: usize,
    pub(crate) risk: f64,
}

/// A file of another tool that supplied some of a service's fields.
#[derive(Debug, Serialize)]
pub(crate) struct JsonImported<'a> {
    /// `backstage`, `datadog`, `opslevel`, `cortex`, `compass` or `codeowners`.
    pub(crate) format: &'static str,
    pub(crate) path: String,
    /// Where the service's entry starts in it.
    pub(crate) line: usize,
    /// Dotted paths of the fields taken from it (`owner.team`, `depends_on`).
    pub(crate) fields: &'a [String],
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonCheck<'a> {
    pub(crate) id: &'a str,
    pub(crate) category: &'a str,
    pub(crate) level: Level,
    pub(crate) status: &'static str,
    pub(crate) message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) waiver: Option<JsonWaiver<'a>>,
    /// The line that decided the result.
    pub(crate) location: JsonLocation,
    /// Other lines that decided it (a disagreement's other values); omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) also: Vec<JsonLocation>,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonLocation {
    pub(crate) path: String,
    pub(crate) line: usize,
}

impl JsonLocation {
    fn of(location: &Location) -> JsonLocation {
        JsonLocation {
            path: display_path(&location.path),
            line: location.line,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonWaiver<'a> {
    pub(crate) reason: &'a str,
    pub(crate) until: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonDependency<'a> {
    pub(crate) id: &'a str,
    pub(crate) kind: &'static str,
    pub(crate) external: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonProblem {
    pub(crate) path: String,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) severity: Severity,
    /// The stable code of the kind of problem (`OB0103`), explained in docs/diagnostics.md.
    pub(crate) code: &'static str,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) help: Option<String>,
}

/// Builds the versioned report from evaluation results.
pub(crate) fn build(evaluated: &Evaluated) -> JsonReport<'_> {
    let report = &evaluated.report;
    JsonReport {
        version: VERSION,
        evaluated_on: report.today.to_string(),
        summary: report.summary(),
        services: report
            .services
            .iter()
            .map(|s| service(evaluated, s))
            .collect(),
        problems: problems(&evaluated.diagnostics),
    }
}

pub(crate) fn problems(diagnostics: &Diagnostics) -> Vec<JsonProblem> {
    diagnostics
        .sorted()
        .into_iter()
        .map(|d| JsonProblem {
            path: display_path(&d.path),
            line: d.position.map(|p| p.line),
            column: d.position.map(|p| p.column),
            severity: d.severity,
            code: d.code.id(),
            message: d.message.clone(),
            help: d.help.clone(),
        })
        .collect()
}

fn service<'a>(evaluated: &'a Evaluated, result: &'a ServiceReport) -> JsonService<'a> {
    let Evaluated {
        catalog,
        analysis,
        checklist,
        ..
    } = evaluated;
    let source = &catalog.services[result.service].source;
    let doc = &source.doc;
    let graph = analysis.of(result.service);
    let ids = |indices: &[usize]| -> Vec<&'a str> {
        indices
            .iter()
            .map(|&i| catalog.services[i].id().as_str())
            .collect()
    };
    JsonService {
        id: doc.service.as_str(),
        title: doc.title_or_id(),
        kind: doc.kind.as_str(),
        tier: doc.tier_or_default().number(),
        lifecycle: doc.lifecycle.as_str(),
        team: doc.owner.as_ref().and_then(|o| o.team.as_deref()),
        system: doc.system.as_deref(),
        level: result.level,
        required: result.required,
        meets_required: result.meets_required(),
        score: (result.score * 1000.0).round() / 1000.0,
        source: display_path(&source.origin.display_path),
        source_repository: evaluated.config.sources[source.origin.source_index]
            .file_in_repository(&source.origin.relative),
        imported: source
            .imported
            .iter()
            .map(|p| JsonImported {
                format: p.format.name(),
                path: display_path(&p.file),
                line: p.line,
                fields: &p.fields,
            })
            .collect(),
        checks: result
            .results
            .iter()
            .map(|r| {
                let check = &checklist.checks[r.check];
                JsonCheck {
                    id: &check.id,
                    category: &check.category,
                    level: check.level,
                    status: r.status.as_str(),
                    message: &r.message,
                    waiver: r.waiver.as_ref().map(|w| JsonWaiver {
                        reason: &w.reason,
                        until: w.until.to_string(),
                    }),
                    location: JsonLocation::of(&r.location),
                    also: r.also.iter().map(JsonLocation::of).collect(),
                }
            })
            .collect(),
        depends_on: doc
            .dependencies()
            .iter()
            .map(|d| match &d.target {
                Target::Service(id) => JsonDependency {
                    id: id.as_str(),
                    kind: d.kind.as_str(),
                    external: false,
                },
                Target::External(name) => JsonDependency {
                    id: name,
                    kind: d.kind.as_str(),
                    external: true,
                },
            })
            .collect(),
        dependents: ids(&graph.dependents),
        blast_radius: ids(&graph.blast_radius.listed),
        blast_radius_count: count_if_cut(&graph.blast_radius),
        stands_on: ids(&graph.stands_on.listed),
        stands_on_count: count_if_cut(&graph.stands_on),
        depth: graph.depth,
        risk: result.risk,
    }
}

/// The full count of a list that names fewer: whole lists, the rule, carry no count, so the
/// report of a book whose lists fit is as it was before lists could be cut.
fn count_if_cut(reach: &Reach) -> Option<usize> {
    (!reach.is_complete()).then_some(reach.count)
}

/// The JSON text, pretty-printed, with a trailing newline.
pub(crate) fn render(report: &JsonReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// The report on one line, for files machines read: at 10,000 services the indentation
/// alone is a third of the file.
pub(crate) fn render_compact(report: &JsonReport) -> String {
    let mut text = serde_json::to_string(report).unwrap_or_default();
    text.push('\n');
    text
}
