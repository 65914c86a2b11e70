//! Views: the typed data each template receives, built from the evaluated book.
//!
//! Views decide nothing about readiness: they present the report's verdicts. URLs in views
//! are relative to the site root; templates prefix them with `root`.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis;
use crate::book::Evaluated;
use crate::catalog::{Catalog, Service};
use crate::checklist::Check;
use crate::markdown;
use crate::model::{Evidence, Level, ServiceDoc, Target};
use crate::report::{CheckResult, ServiceReport, Status};
use crate::site::badge;
use crate::site::drawings::{self, Drawings};
use crate::site::history::HistoryView;
use crate::site::search;
use crate::site::url::{self, SourceMap};

/// What every page knows about the site.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub evaluated_on: String,
    pub version: &'static str,
    pub levels: [&'static str; 4],
    /// The content security policy every page carries in a `<meta>` element; none when the
    /// book keeps raw HTML, whose own scripts it would stop.
    pub content_policy: Option<&'static str>,
    /// The general pages' index, when the book has general pages.
    pub docs_url: Option<&'static str>,
}

/// One line of the services table.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: String,
    pub kind: &'static str,
    pub team: Option<&'a str>,
    /// Root-relative link to the team's section of the teams page.
    pub team_url: Option<String>,
    pub system: Option<&'a str>,
    pub tier: u8,
    pub lifecycle: &'static str,
    pub level: Level,
    pub required: Level,
    pub assessed: bool,
    pub meets_required: bool,
    /// Levels below the required level (0 when meeting it).
    pub shortfall: usize,
    pub score_percent: u32,
    pub failing: Vec<&'a str>,
}

pub fn service_row<'a>(evaluated: &'a Evaluated, report: &'a ServiceReport) -> ServiceRow<'a> {
    let doc = &evaluated.catalog.services[report.service].source.doc;
    ServiceRow {
        id: doc.service.as_str(),
        title: doc.title_or_id(),
        url: url::service_page(doc.service.as_str()),
        kind: doc.kind.as_str(),
        team: team_of(doc),
        team_url: team_of(doc).map(|team| format!("teams/index.html#{}", team_anchor(team))),
        system: doc.system.as_deref(),
        tier: doc.tier_or_default().number(),
        lifecycle: doc.lifecycle.as_str(),
        level: report.level,
        required: report.required,
        assessed: report.assessed,
        meets_required: report.meets_required(),
        shortfall: report.shortfall(),
        score_percent: (report.score * 100.0).round() as u32,
        failing: report
            .failing()
            .map(|r| evaluated.checklist.checks[r.check].id.as_str())
            .collect(),
    }
}

pub fn team_of(doc: &ServiceDoc) -> Option<&str> {
    doc.owner.as_ref().and_then(|o| o.team.as_deref())
}

#[derive(Debug, Serialize)]
pub struct LevelCount {
    pub level: Level,
    pub count: usize,
}

/// A service on the risk ranking, with the reason in one line.
#[derive(Debug, Serialize)]
pub struct RiskRow<'a> {
    pub service: ServiceRow<'a>,
    pub risk: f64,
    pub reason: String,
}

fn risk_row<'a>(evaluated: &'a Evaluated, report: &'a ServiceReport) -> RiskRow<'a> {
    let blast = &evaluated.analysis.of(report.service).blast_radius;
    let tier_one = blast.by_tier[0];
    let mut parts = Vec::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    parts.push(match (blast.count, tier_one) {
        (0, _) => "takes no other service down".to_string(),
        (n, 0) => format!("takes {n} service{} down", plural(n)),
        (n, t) if t == n => format!("takes {n} tier-1 service{} down", plural(n)),
        (n, t) => format!("takes {n} service{} down, {t} of them tier 1", plural(n)),
    });
    if report.shortfall() > 0 {
        parts.push(format!(
            "{} level{} below {}",
            report.shortfall(),
            if report.shortfall() == 1 { "" } else { "s" },
            report.required
        ));
    }
    let failing = report.failing().count();
    parts.push(format!(
        "{failing} failing check{}",
        if failing == 1 { "" } else { "s" }
    ));
    RiskRow {
        service: service_row(evaluated, report),
        risk: report.risk,
        reason: parts.join(" · "),
    }
}

/// The ten riskiest services, riskiest first.
fn top_risks(evaluated: &Evaluated) -> Vec<RiskRow<'_>> {
    evaluated
        .report
        .riskiest()
        .into_iter()
        .take(10)
        .map(|s| risk_row(evaluated, s))
        .collect()
}

/// The index page.
#[derive(Debug, Serialize)]
pub struct IndexView<'a> {
    pub services: usize,
    pub assessed: usize,
    pub meeting_required: usize,
    pub by_level: Vec<LevelCount>,
    pub furthest_below: Vec<ServiceRow<'a>>,
    /// The ten riskiest services, riskiest first.
    pub risks: Vec<RiskRow<'a>>,
    pub rows: Vec<ServiceRow<'a>>,
    pub teams: Vec<&'a str>,
    /// The organisation over the last commits, when the build samples history.
    pub history: Option<HistoryView>,
}

pub fn index(evaluated: &Evaluated) -> IndexView<'_> {
    let report = &evaluated.report;
    let summary = report.summary();
    let rows: Vec<ServiceRow> = report
        .services
        .iter()
        .map(|s| service_row(evaluated, s))
        .collect();
    let tier_of = |i: usize| {
        evaluated.catalog.services[i]
            .source
            .doc
            .tier_or_default()
            .number()
    };
    let mut teams: Vec<&str> = rows.iter().filter_map(|r| r.team).collect();
    teams.sort_unstable();
    teams.dedup();
    IndexView {
        services: summary.services,
        assessed: summary.assessed,
        meeting_required: summary.meeting_required,
        by_level: summary
            .by_level
            .iter()
            .rev()
            .map(|(level, count)| LevelCount {
                level: *level,
                count: *count,
            })
            .collect(),
        furthest_below: report
            .furthest_below(tier_of)
            .into_iter()
            .take(10)
            .map(|s| service_row(evaluated, s))
            .collect(),
        risks: top_risks(evaluated),
        rows,
        teams,
        history: None,
    }
}

/// A check result as a service page shows it.
#[derive(Debug, Serialize)]
pub struct GapView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub category: &'a str,
    pub level: Level,
    pub status: &'static str,
    pub message: &'a str,
    pub why: &'a str,
    pub fix: &'a str,
    pub waiver_reason: Option<&'a str>,
    pub waiver_until: Option<String>,
    /// The check must pass for the service to reach its required level.
    pub blocking: bool,
    /// The line that decided the result: `path:line` in full, the file name and line as
    /// shown, and the line on the forge when the doc's repository is known.
    pub location: String,
    pub location_label: String,
    pub location_url: Option<String>,
}

/// `doc_url`: the service doc on its forge, when known; lines of other files get no link.
fn gap<'a>(
    check: &'a Check,
    result: &'a CheckResult,
    required: Level,
    doc: (&Path, Option<&str>),
) -> GapView<'a> {
    let location = &result.location;
    let (doc_path, doc_url) = doc;
    let file_name = location
        .path
        .file_name()
        .unwrap_or(location.path.as_os_str());
    GapView {
        location: location.to_string(),
        location_label: format!("{}:{}", file_name.to_string_lossy(), location.line),
        location_url: doc_url
            .filter(|_| &*location.path == doc_path)
            .map(|url| format!("{url}#L{}", location.line)),
        id: &check.id,
        title: &check.title,
        category: &check.category,
        level: check.level,
        status: result.status.as_str(),
        message: &result.message,
        why: &check.why,
        fix: &check.fix,
        waiver_reason: result.waiver.as_ref().map(|w| w.reason.as_str()),
        waiver_until: result.waiver.as_ref().map(|w| w.until.to_string()),
        blocking: check.level <= required,
    }
}

#[derive(Debug, Serialize)]
pub struct Link<'a> {
    pub label: &'a str,
    /// Root-relative for pages of the site, absolute for the rest; `None` when unknown.
    pub url: Option<String>,
    pub note: Option<String>,
}

/// One labelled fact of the front matter, shown in the "at a glance" tables.
#[derive(Debug, Default, Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    pub url: Option<String>,
    /// A command or path, shown as code.
    pub code: bool,
    /// For lists: the items, shown one per line (`value` then says "none" when empty).
    pub items: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FactGroup {
    pub title: &'static str,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Serialize)]
pub struct AlertView<'a> {
    pub name: &'a str,
    pub level: &'static str,
    pub condition: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ContactView<'a> {
    pub name: &'a str,
    pub role: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub chat: Option<&'a str>,
}

/// A service's page.
#[derive(Debug, Serialize)]
pub struct ServiceView<'a> {
    pub row: ServiceRow<'a>,
    pub description: Option<&'a str>,
    pub repository: Option<&'a str>,
    pub reviewed: Option<String>,
    pub source: String,
    /// The doc on its repository's web site ("edit this page").
    pub edit_url: Option<String>,
    /// Built from a cached copy of its repository that could not be refreshed: fetched when.
    pub stale_since: Option<&'a str>,
    /// What came from a Backstage catalog entity.
    pub catalog: Option<CatalogView<'a>>,
    pub owner: Option<ContactView<'a>>,
    pub contacts: Vec<ContactView<'a>>,
    pub gaps: Vec<GapView<'a>>,
    pub waived: Vec<GapView<'a>>,
    pub passed: usize,
    pub applicable: usize,
    pub depends_on: Vec<Link<'a>>,
    pub dependents: Vec<Link<'a>>,
    pub facts: Vec<FactGroup>,
    pub alerts: Vec<AlertView<'a>>,
    pub pages: Vec<Link<'a>>,
    pub body_html: String,
    /// Its dependencies and dependents, drawn (inline SVG).
    pub neighbourhood_svg: Option<&'a str>,
    /// Its `architecture:` block, drawn (inline SVG).
    pub architecture_svg: Option<&'a str>,
    /// Root-relative URL of its system's page.
    pub system_url: String,
    pub graph: GraphFacts<'a>,
    /// Its readiness badge, for assessed services.
    pub badge: Option<BadgeView>,
    /// Its level and failing checks over the last commits, when the build samples history.
    pub history: Option<HistoryView>,
}

/// Where a service's fields came from, when a Backstage catalog describes it.
#[derive(Debug, Serialize)]
pub struct CatalogView<'a> {
    pub file: String,
    pub line: usize,
    pub fields: &'a [String],
    pub merged_with_doc: bool,
}

/// A service's badge and the Markdown that shows it in a README.
#[derive(Debug, Serialize)]
pub struct BadgeView {
    /// Root-relative.
    pub path: String,
    pub markdown: String,
    /// The Markdown's links are full URLs (`site-url` is one), not paths on the site's host.
    pub absolute: bool,
}

fn badge_view(evaluated: &Evaluated, report: &ServiceReport) -> Option<BadgeView> {
    if !report.assessed {
        return None;
    }
    let id = evaluated.catalog.services[report.service].id().as_str();
    let site_url = &evaluated.config.site_url;
    let base = site_url.absolute().unwrap_or(site_url.path());
    let path = badge::badge_path(id);
    let page = url::service_page(id);
    let page = page.strip_suffix("index.html").unwrap_or(&page);
    Some(BadgeView {
        markdown: format!("[![readiness of {id}]({base}{path})]({base}{page})"),
        path,
        absolute: site_url.absolute().is_some(),
    })
}

/// The dependency figures of a service.
#[derive(Debug, Serialize)]
pub struct GraphFacts<'a> {
    /// How many services fail when this one fails.
    pub blast_radius: usize,
    /// The most critical of them (lowest tier first), at most [`BLAST_RADIUS_NAMED`].
    pub blast_radius_named: Vec<Link<'a>>,
    /// How many services this one needs, directly or not.
    pub stands_on: usize,
    pub depth: usize,
    pub risk: f64,
}

/// A service page names this many of the services that fail with it, most critical first:
/// a hub's blast radius can hold thousands, which no one reads in a sentence.
pub const BLAST_RADIUS_NAMED: usize = 24;

// The analysis lists at least the most critical this many of every blast radius.
const _: () = assert!(BLAST_RADIUS_NAMED <= analysis::LISTED_PER_SERVICE);

fn graph_facts<'a>(evaluated: &'a Evaluated, report: &'a ServiceReport) -> GraphFacts<'a> {
    let graph = evaluated.analysis.of(report.service);
    let services = &evaluated.catalog.services;
    let mut named = graph.blast_radius.listed.clone();
    named.sort_by_key(|&i| (services[i].source.doc.tier_or_default(), services[i].id()));
    named.truncate(BLAST_RADIUS_NAMED);
    GraphFacts {
        blast_radius: graph.blast_radius.count,
        blast_radius_named: named.iter().map(|&i| service_link(evaluated, i)).collect(),
        stands_on: graph.stands_on.count,
        depth: graph.depth,
        risk: report.risk,
    }
}

fn service_link(evaluated: &Evaluated, index: usize) -> Link<'_> {
    let doc = &evaluated.catalog.services[index].source.doc;
    Link {
        label: doc.title_or_id(),
        url: Some(url::service_page(doc.service.as_str())),
        note: None,
    }
}

/// Builds a service page's view; `resolve` maps a link in the service doc to a root-relative URL.
pub fn service<'a>(
    evaluated: &'a Evaluated,
    drawings: &'a Drawings,
    report: &'a ServiceReport,
    body_html: String,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> ServiceView<'a> {
    let catalog = &evaluated.catalog;
    let service = &catalog.services[report.service];
    let doc = &service.source.doc;
    let checks = &evaluated.checklist.checks;
    let origin_source = &evaluated.config.sources[service.source.origin.source_index];
    let edit_url = origin_source
        .file_in_repository(&service.source.origin.relative)
        .and_then(|file| file.web_url);
    let doc_file = (&*service.source.origin.display_path, edit_url.as_deref());
    let gap_of = |r: &'a CheckResult| gap(&checks[r.check], r, report.required, doc_file);
    let mut gaps: Vec<GapView> = report.failing().map(gap_of).collect();
    gaps.sort_by_key(|g| (!g.blocking, g.level));
    ServiceView {
        row: service_row(evaluated, report),
        description: doc.description.as_deref(),
        repository: doc.repository.as_deref(),
        reviewed: doc.reviewed.map(|d| d.to_string()),
        source: crate::diag::display_path(&service.source.origin.display_path),
        edit_url: edit_url.clone(),
        stale_since: origin_source.stale_since.as_deref(),
        catalog: service.source.catalog.as_ref().map(|c| CatalogView {
            file: crate::diag::display_path(&c.file),
            line: c.line,
            fields: &c.fields,
            merged_with_doc: c.merged_with_doc,
        }),
        owner: doc.owner.as_ref().map(|o| ContactView {
            name: o.team.as_deref().unwrap_or("(no team named)"),
            role: None,
            email: o.email.as_deref(),
            phone: o.phone.as_deref(),
            chat: o.chat.as_deref(),
        }),
        contacts: doc
            .contacts
            .iter()
            .flatten()
            .map(|c| ContactView {
                name: &c.name,
                role: c.role.as_deref(),
                email: c.email.as_deref(),
                phone: c.phone.as_deref(),
                chat: c.chat.as_deref(),
            })
            .collect(),
        gaps,
        waived: report.waived().map(gap_of).collect(),
        passed: report
            .results
            .iter()
            .filter(|r| r.status == Status::Pass)
            .count(),
        applicable: report
            .results
            .iter()
            .filter(|r| r.status != Status::NotApplicable)
            .count(),
        depends_on: dependencies(evaluated, service),
        dependents: evaluated
            .analysis
            .of(report.service)
            .dependents
            .iter()
            .copied()
            .map(|i| {
                let other = &catalog.services[i].source.doc;
                Link {
                    label: other.title_or_id(),
                    url: Some(url::service_page(other.service.as_str())),
                    note: None,
                }
            })
            .collect(),
        facts: facts(doc, resolve),
        alerts: doc
            .monitoring
            .iter()
            .flat_map(|m| m.alerts.iter().flatten())
            .map(|a| AlertView {
                name: &a.name,
                level: alert_level(a.level),
                condition: a.condition.as_deref(),
            })
            .collect(),
        pages: pages(service),
        body_html,
        neighbourhood_svg: drawings.neighbourhood(evaluated, report.service),
        architecture_svg: drawings.architecture(evaluated, report.service),
        system_url: drawings::system_page(drawings::system_of(catalog, report.service)),
        graph: graph_facts(evaluated, report),
        badge: badge_view(evaluated, report),
        history: None,
    }
}

fn alert_level(level: crate::model::AlertLevel) -> &'static str {
    match level {
        crate::model::AlertLevel::Observed => "observed",
        crate::model::AlertLevel::Important => "important",
        crate::model::AlertLevel::Emergency => "emergency",
    }
}

fn dependencies<'a>(evaluated: &'a Evaluated, service: &'a Service) -> Vec<Link<'a>> {
    let catalog = &evaluated.catalog;
    service
        .source
        .doc
        .dependencies()
        .iter()
        .map(|dependency| {
            let resolved = catalog
                .resolve(dependency)
                .map(|i| &catalog.services[i].source.doc);
            let name = match &dependency.target {
                Target::Service(id) => id.as_str(),
                Target::External(name) => name.as_str(),
            };
            let mut note = vec![dependency.kind.as_str().to_string()];
            if let Some(via) = &dependency.via {
                note.push(format!("via {via}"));
            }
            match (resolved, &dependency.target) {
                (Some(doc), _) if doc.lifecycle == crate::model::Lifecycle::Deprecated => {
                    note.push("deprecated".into())
                }
                (None, Target::Service(_)) => note.push("not documented".into()),
                (None, Target::External(_)) => note.push("external".into()),
                _ => {}
            }
            Link {
                label: resolved.map_or(name, ServiceDoc::title_or_id),
                url: resolved.map(|doc| url::service_page(doc.service.as_str())),
                note: Some(note.join(", ")),
            }
        })
        .collect()
}

fn pages(service: &Service) -> Vec<Link<'_>> {
    let id = service.id().as_str();
    service
        .pages
        .iter()
        .map(|page| Link {
            label: page.source.title(),
            url: Some(url::service_file(id, &page.path_in_service)),
            note: Some(page.path_in_service.clone()),
        })
        .collect()
}

fn fact(label: &'static str, value: Option<&str>) -> Option<Fact> {
    value.map(|v| Fact {
        label,
        value: v.to_string(),
        ..Fact::default()
    })
}

fn command(label: &'static str, value: Option<&str>) -> Option<Fact> {
    fact(label, value).map(|f| Fact { code: true, ..f })
}

fn link_fact(label: &'static str, value: Option<&str>) -> Option<Fact> {
    fact(label, value).map(|f| Fact {
        url: is_web_url(&f.value).then(|| f.value.clone()),
        ..f
    })
}

fn is_web_url(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

fn flag(label: &'static str, value: Option<bool>) -> Option<Fact> {
    fact(label, value.map(|v| if v { "yes" } else { "no" }))
}

fn evidence(label: &'static str, value: Option<&Evidence>) -> Option<Fact> {
    match value? {
        Evidence::Flag(v) => flag(label, Some(*v)),
        Evidence::Link(link) => link_fact(label, Some(link)),
    }
}

fn list(label: &'static str, value: Option<&Vec<String>>) -> Option<Fact> {
    value.map(|items| Fact {
        label,
        value: if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        },
        items: items.clone(),
        ..Fact::default()
    })
}

/// How a serde enum is spelt in a service doc (`fat-jar`, `json`).
fn spelling<T: Serialize>(value: T) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// The front matter, grouped as the checklist is, for the "at a glance" section.
fn facts(doc: &ServiceDoc, resolve: &dyn Fn(&str) -> Option<String>) -> Vec<FactGroup> {
    let monitoring = doc.monitoring.as_ref();
    let logs = doc.logs.as_ref();
    let operations = doc.operations.as_ref();
    let testing = doc.testing.as_ref();
    let scaling = doc.scaling.as_ref();
    let runtime = doc.runtime.as_ref();
    let owner = doc.owner.as_ref();
    let slo = monitoring.and_then(|m| m.slo.as_ref()).map(slo_text);
    let multiplier = scaling
        .and_then(|s| s.tested_multiplier)
        .map(|m| format!("{m}x expected peak"));
    let groups = vec![
        (
            "Contacts",
            vec![link_fact(
                "On call",
                owner.and_then(|o| o.oncall.as_deref()),
            )],
        ),
        (
            "Monitoring",
            vec![
                link_fact("Dashboard", monitoring.and_then(|m| m.dashboard.as_deref())),
                list("Metrics shown", monitoring.and_then(|m| m.metrics.as_ref())),
                fact("SLO", slo.as_deref()),
            ],
        ),
        (
            "Logs",
            vec![
                command("Location", logs.and_then(|l| l.location.as_deref())),
                fact(
                    "Format",
                    logs.and_then(|l| l.format).and_then(spelling).as_deref(),
                ),
                flag("Rotated", logs.and_then(|l| l.rotated)),
                link_fact("Central", logs.and_then(|l| l.central.as_deref())),
            ],
        ),
        (
            "Operations",
            vec![
                command("Start", operations.and_then(|o| o.start.as_deref())),
                command("Stop", operations.and_then(|o| o.stop.as_deref())),
                list(
                    "Performance config",
                    operations.and_then(|o| o.performance_config.as_ref()),
                ),
            ],
        ),
        ("Runbooks", runbook_facts(doc, resolve)),
        (
            "Testing",
            vec![
                evidence("Unit", testing.and_then(|t| t.unit.as_ref())),
                evidence("Integration", testing.and_then(|t| t.integration.as_ref())),
                evidence("UAT", testing.and_then(|t| t.uat.as_ref())),
                evidence("Load", testing.and_then(|t| t.load.as_ref())),
                evidence("Performance", testing.and_then(|t| t.performance.as_ref())),
                evidence("Stress", testing.and_then(|t| t.stress.as_ref())),
            ],
        ),
        (
            "Scaling",
            vec![
                fact("Strategy", scaling.and_then(|s| s.strategy.as_deref())),
                fact("Load tested at", multiplier.as_deref()),
            ],
        ),
        (
            "Runtime",
            vec![
                fact(
                    "Delivery",
                    runtime
                        .and_then(|r| r.delivery)
                        .and_then(spelling)
                        .as_deref(),
                ),
                flag(
                    "Config from environment",
                    runtime.and_then(|r| r.config_from_env),
                ),
                fact(
                    "Health endpoint",
                    runtime.and_then(|r| r.health_endpoint.as_deref()),
                ),
                list("Metrics", runtime.and_then(|r| r.metrics.as_ref())),
                link_fact(
                    "Test components",
                    runtime.and_then(|r| r.test_components.as_deref()),
                ),
            ],
        ),
    ];
    groups
        .into_iter()
        .map(|(title, facts)| FactGroup {
            title,
            facts: facts.into_iter().flatten().collect(),
        })
        .filter(|group| !group.facts.is_empty())
        .collect()
}

fn runbook_facts(doc: &ServiceDoc, resolve: &dyn Fn(&str) -> Option<String>) -> Vec<Option<Fact>> {
    let Some(runbooks) = doc.runbooks.as_ref() else {
        return Vec::new();
    };
    let link_of = |link: Option<&String>| {
        link.and_then(|l| resolve(l).or_else(|| is_web_url(l).then(|| l.clone())))
    };
    let mut facts: Vec<Option<Fact>> = Vec::new();
    for task in runbooks.routine.iter().flatten() {
        let cadence = task.cadence.as_deref().unwrap_or("no cadence");
        facts.push(Some(Fact {
            label: "Routine",
            value: format!("{} ({cadence})", task.task),
            url: link_of(task.link.as_ref()),
            ..Fact::default()
        }));
    }
    for procedure in runbooks.recovery.iter().flatten() {
        facts.push(Some(Fact {
            label: "Recovery",
            value: procedure.failure.clone(),
            url: link_of(procedure.link.as_ref()),
            ..Fact::default()
        }));
    }
    facts.push(link_fact(
        "Unknown failures",
        runbooks.unknown_failures.as_deref(),
    ));
    facts
}

fn slo_text(slo: &serde_json::Value) -> String {
    match slo {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}: {}",
                    k.replace('_', " "),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An extra page of a service.
#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub service: ServiceRow<'a>,
    pub source: String,
    pub pages: Vec<Link<'a>>,
    pub body_html: String,
}

pub fn page<'a>(
    evaluated: &'a Evaluated,
    report: &'a ServiceReport,
    page: &'a crate::catalog::Page,
    body_html: String,
) -> PageView<'a> {
    let service = &evaluated.catalog.services[report.service];
    PageView {
        title: page.source.title(),
        service: service_row(evaluated, report),
        source: crate::diag::display_path(&page.source.origin.display_path),
        pages: pages(service),
        body_html,
    }
}

/// A check on the checks page, with who fails it.
#[derive(Debug, Serialize)]
pub struct CheckView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub category: &'a str,
    pub level: Level,
    pub why: &'a str,
    pub fix: &'a str,
    pub applies_to: Vec<&'static str>,
    pub failing: Vec<Link<'a>>,
    pub waived: usize,
    pub passing: usize,
}

#[derive(Debug, Serialize)]
pub struct CategoryView<'a> {
    pub name: &'a str,
    pub checks: Vec<CheckView<'a>>,
}

pub fn checks(evaluated: &Evaluated) -> Vec<CategoryView<'_>> {
    let checklist = &evaluated.checklist;
    let report = &evaluated.report;
    checklist
        .categories()
        .into_iter()
        .map(|category| CategoryView {
            name: category,
            checks: checklist
                .checks
                .iter()
                .enumerate()
                .filter(|(_, c)| c.category == category)
                .map(|(index, check)| {
                    let statuses = || {
                        report
                            .services
                            .iter()
                            .map(move |s| (s, s.results[index].status))
                    };
                    CheckView {
                        id: &check.id,
                        title: &check.title,
                        category: &check.category,
                        level: check.level,
                        why: &check.why,
                        fix: &check.fix,
                        applies_to: check.applies_to.iter().map(|k| k.as_str()).collect(),
                        failing: statuses()
                            .filter(|(_, status)| status.is_failing())
                            .map(|(s, status)| {
                                let doc = &evaluated.catalog.services[s.service].source.doc;
                                Link {
                                    label: doc.service.as_str(),
                                    url: Some(url::service_page(doc.service.as_str())),
                                    note: (status == Status::ExpiredWaiver)
                                        .then(|| "waiver expired".to_string()),
                                }
                            })
                            .collect(),
                        waived: statuses().filter(|(_, s)| *s == Status::Waived).count(),
                        passing: statuses().filter(|(_, s)| *s == Status::Pass).count(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A team and its services.
#[derive(Debug, Serialize)]
pub struct TeamView<'a> {
    pub name: &'a str,
    pub anchor: String,
    pub services: Vec<ServiceRow<'a>>,
    pub assessed: usize,
    pub meeting_required: usize,
    pub failing_checks: usize,
}

pub fn teams(evaluated: &Evaluated) -> Vec<TeamView<'_>> {
    let rows: Vec<ServiceRow> = evaluated
        .report
        .services
        .iter()
        .map(|s| service_row(evaluated, s))
        .collect();
    let mut names: Vec<&str> = rows.iter().map(|r| r.team.unwrap_or(NO_TEAM)).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let services: Vec<ServiceRow> = rows
                .iter()
                .filter(|r| r.team.unwrap_or(NO_TEAM) == name)
                .cloned()
                .collect();
            TeamView {
                name,
                anchor: team_anchor(name),
                assessed: services.iter().filter(|s| s.assessed).count(),
                meeting_required: services
                    .iter()
                    .filter(|s| s.assessed && s.meets_required)
                    .count(),
                failing_checks: services.iter().map(|s| s.failing.len()).sum(),
                services,
            }
        })
        .collect()
}

pub const NO_TEAM: &str = "(no team)";

pub fn team_anchor(name: &str) -> String {
    format!("team-{}", crate::markdown::slug(name))
}

/// One cell of the gaps matrix: a service's results in one check category.
#[derive(Debug, Serialize)]
pub struct GapCell {
    pub applicable: usize,
    pub failing: usize,
    /// `ok`, `partial`, `bad` or `na`, for colouring.
    pub state: &'static str,
}

#[derive(Debug, Serialize)]
pub struct GapRow<'a> {
    pub service: ServiceRow<'a>,
    pub cells: Vec<GapCell>,
}

#[derive(Debug, Serialize)]
pub struct GapsView<'a> {
    pub categories: Vec<&'a str>,
    pub rows: Vec<GapRow<'a>>,
}

pub fn gaps(evaluated: &Evaluated) -> GapsView<'_> {
    let checklist = &evaluated.checklist;
    let categories = checklist.categories();
    let rows = evaluated
        .report
        .services
        .iter()
        .filter(|s| s.assessed)
        .map(|report| GapRow {
            service: service_row(evaluated, report),
            cells: categories
                .iter()
                .map(|category| {
                    let in_category = report.results.iter().filter(|r| {
                        checklist.checks[r.check].category == *category
                            && r.status != Status::NotApplicable
                    });
                    let applicable = in_category.clone().count();
                    let failing = in_category.filter(|r| r.status.is_failing()).count();
                    let state = match (applicable, failing) {
                        (0, _) => "na",
                        (_, 0) => "ok",
                        (a, f) if f < a => "partial",
                        _ => "bad",
                    };
                    GapCell {
                        applicable,
                        failing,
                        state,
                    }
                })
                .collect(),
        })
        .collect();
    GapsView { categories, rows }
}

/// A system on the graph page.
#[derive(Debug, Serialize)]
pub struct SystemSummary<'a> {
    pub name: &'a str,
    pub url: String,
    pub services: usize,
    pub meeting_required: usize,
}

/// The organisation graph page.
#[derive(Debug, Serialize)]
pub struct GraphView<'a> {
    pub svg: Option<&'a str>,
    /// The drawing shows systems (the organisation is too large to draw every service).
    pub by_system: bool,
    pub systems: Vec<SystemSummary<'a>>,
    pub risks: Vec<RiskRow<'a>>,
}

pub fn graph<'a>(evaluated: &'a Evaluated, drawings: &'a Drawings) -> GraphView<'a> {
    GraphView {
        svg: drawings.organisation(evaluated),
        by_system: drawings::organisation_by_system(&evaluated.catalog),
        systems: systems(evaluated)
            .into_iter()
            .map(|system| SystemSummary {
                name: system.name,
                url: drawings::system_page(system.name),
                services: system.rows.len(),
                meeting_required: system
                    .rows
                    .iter()
                    .filter(|r| r.assessed && r.meets_required)
                    .count(),
            })
            .collect(),
        risks: top_risks(evaluated),
    }
}

/// A system's page.
#[derive(Debug, Serialize)]
pub struct SystemView<'a> {
    pub name: &'a str,
    pub svg: Option<&'a str>,
    pub rows: Vec<ServiceRow<'a>>,
}

/// Every system, by name, without its drawing.
pub fn systems(evaluated: &Evaluated) -> Vec<SystemView<'_>> {
    let catalog = &evaluated.catalog;
    let mut by_name: BTreeMap<&str, Vec<ServiceRow>> = BTreeMap::new();
    for report in &evaluated.report.services {
        by_name
            .entry(drawings::system_of(catalog, report.service))
            .or_default()
            .push(service_row(evaluated, report));
    }
    by_name
        .into_iter()
        .map(|(name, rows)| SystemView {
            name,
            svg: None,
            rows,
        })
        .collect()
}

/// The name of every system, sorted.
pub fn system_names(catalog: &Catalog) -> Vec<&str> {
    let mut names: Vec<&str> = (0..catalog.services.len())
        .map(|i| drawings::system_of(catalog, i))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// One system's page, with its drawing.
pub fn system<'a>(
    evaluated: &'a Evaluated,
    drawings: &'a Drawings,
    name: &'a str,
) -> SystemView<'a> {
    SystemView {
        name,
        svg: drawings.system(evaluated, name),
        rows: drawings
            .members(name)
            .iter()
            .map(|&i| service_row(evaluated, &evaluated.report.services[i]))
            .collect(),
    }
}

/// What the search box can find: every service (with its doc's text), every extra page,
/// check and team, in that order. Services are read in parallel: stripping every doc's
/// Markdown is most of the cost.
pub fn search_documents(evaluated: &Evaluated, sources: &SourceMap) -> Vec<search::Document> {
    let per_service: Vec<Vec<search::Document>> = evaluated
        .report
        .services
        .par_iter()
        .map(|report| service_documents(evaluated, report))
        .collect();
    let mut documents: Vec<search::Document> = per_service.into_iter().flatten().collect();
    documents.extend(
        evaluated
            .checklist
            .checks
            .iter()
            .map(|check| search::Document {
                kind: search::Kind::Check,
                title: check.title.clone(),
                url: format!("checks/index.html#{}", check.id),
                context: check.id.clone(),
                keywords: format!("{} {} {}", check.id, check.category, check.level.as_str()),
                body: check.why.clone(),
            }),
    );
    let mut teams: BTreeMap<&str, usize> = BTreeMap::new();
    for service in &evaluated.catalog.services {
        *teams
            .entry(team_of(&service.source.doc).unwrap_or(NO_TEAM))
            .or_default() += 1;
    }
    documents.extend(teams.into_iter().map(|(name, count)| search::Document {
        kind: search::Kind::Team,
        title: name.to_string(),
        url: format!("teams/index.html#{}", team_anchor(name)),
        context: format!("{count} service{}", if count == 1 { "" } else { "s" }),
        keywords: String::new(),
        body: String::new(),
    }));
    documents.extend(general_documents(evaluated, sources));
    documents
}

/// The book's general pages, as search documents: each under the folder that holds it.
fn general_documents(evaluated: &Evaluated, sources: &SourceMap) -> Vec<search::Document> {
    let general = &evaluated.catalog.general;
    general
        .pages
        .par_iter()
        .filter_map(|page| {
            let origin = &page.origin;
            Some(search::Document {
                kind: search::Kind::Page,
                title: page.title().to_string(),
                url: sources
                    .output(origin.source_index, &origin.relative)?
                    .to_string(),
                context: general
                    .folder_title(origin.source_index, origin.folder())
                    .to_string(),
                keywords: origin.relative.clone(),
                body: markdown::plain_text(&page.body),
            })
        })
        .collect()
}

/// A service and its extra pages, as search documents.
fn service_documents(evaluated: &Evaluated, report: &ServiceReport) -> Vec<search::Document> {
    let service = &evaluated.catalog.services[report.service];
    let doc = &service.source.doc;
    let id = doc.service.as_str();
    let title = doc.title_or_id();
    let team = team_of(doc).unwrap_or(NO_TEAM);
    let mut keywords = vec![
        team.to_string(),
        format!("tier {}", doc.tier_or_default().number()),
        doc.kind.as_str().to_string(),
    ];
    keywords.extend(doc.system.clone());
    keywords.extend(doc.description.clone());
    if report.assessed {
        keywords.push(report.level.as_str().to_string());
    }
    keywords.extend(doc.contacts.iter().flatten().map(|c| c.name.clone()));
    let mut documents = vec![search::Document {
        kind: search::Kind::Service,
        title: title.to_string(),
        url: url::service_page(id),
        context: team.to_string(),
        keywords: format!("{id} {}", keywords.join(" ")),
        body: markdown::plain_text(&service.source.body),
    }];
    documents.extend(service.pages.iter().map(|page| search::Document {
        kind: search::Kind::Page,
        title: page.source.title().to_string(),
        url: url::service_file(id, &page.path_in_service),
        context: title.to_string(),
        keywords: format!("{id} {title} {}", page.path_in_service),
        body: markdown::plain_text(&page.source.body),
    }));
    documents
}
