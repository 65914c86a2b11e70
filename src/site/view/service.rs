//! A service's page: its gaps, facts, dependencies, pages and graph facts.

use crate::analysis;
use crate::analysis::selection;
use crate::book::Evaluated;
use crate::catalog::Service;
use crate::checklist::Check;
use crate::model::{Level, ServiceDoc, Target};
use crate::report::{CheckResult, ServiceReport, Status};
use crate::site::badge;
use crate::site::drawings::{self, Drawings};
use crate::site::history::HistoryView;
use crate::site::url::{self};
use serde::Serialize;
use std::path::Path;

use super::*;

/// A check result as a service page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct GapView<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) category: &'a str,
    pub(crate) level: Level,
    pub(crate) status: &'static str,
    pub(crate) message: &'a str,
    pub(crate) why: &'a str,
    pub(crate) fix: &'a str,
    pub(crate) waiver_reason: Option<&'a str>,
    pub(crate) waiver_until: Option<String>,
    /// The check must pass for the service to reach its required level.
    pub(crate) blocking: bool,
    /// The line that decided the result: `path:line` in full, the file name and line as
    /// shown, and the line on the forge when the doc's repository is known.
    pub(crate) location: String,
    pub(crate) location_label: String,
    pub(crate) location_url: Option<String>,
}

/// `doc_url`: the service doc on its forge, when known; lines of other files get no link.
pub(crate) fn gap<'a>(
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

/// A service's page.
#[derive(Debug, Serialize)]
pub(crate) struct ServiceView<'a> {
    pub(crate) row: ServiceRow<'a>,
    pub(crate) description: Option<&'a str>,
    pub(crate) repository: Option<&'a str>,
    /// The languages it is written in, as the doc (or another tool's file) lists them.
    pub(crate) languages: &'a [String],
    pub(crate) reviewed: Option<String>,
    pub(crate) source: String,
    /// The doc on its repository's web site ("edit this page").
    pub(crate) edit_url: Option<String>,
    /// Built from a cached copy of its repository that could not be refreshed: fetched when.
    pub(crate) stale_since: Option<&'a str>,
    /// The files of other tools its fields came from.
    pub(crate) imported: Vec<ImportedView<'a>>,
    pub(crate) owner: Option<ContactView<'a>>,
    pub(crate) contacts: Vec<ContactView<'a>>,
    pub(crate) gaps: Vec<GapView<'a>>,
    pub(crate) waived: Vec<GapView<'a>>,
    pub(crate) passed: usize,
    pub(crate) applicable: usize,
    pub(crate) depends_on: Vec<Link<'a>>,
    pub(crate) dependents: Vec<Link<'a>>,
    pub(crate) facts: Vec<FactGroup>,
    pub(crate) alerts: Vec<AlertView<'a>>,
    pub(crate) pages: Vec<Link<'a>>,
    pub(crate) body_html: String,
    /// Its dependencies and dependents, drawn (inline SVG).
    pub(crate) neighbourhood_svg: Option<&'a str>,
    /// Its `architecture:` block, drawn (inline SVG).
    pub(crate) architecture_svg: Option<&'a str>,
    /// Root-relative URL of its system's page.
    pub(crate) system_url: String,
    pub(crate) graph: GraphFacts<'a>,
    /// Its readiness badge, for assessed services.
    pub(crate) badge: Option<BadgeView>,
    /// Its level and failing checks over the last commits, when the build samples history.
    pub(crate) history: Option<HistoryView>,
}

/// A file of another tool that a service's fields came from.
#[derive(Debug, Serialize)]
pub(crate) struct ImportedView<'a> {
    /// What the file is: "the Backstage catalog".
    pub(crate) label: &'static str,
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) fields: &'a [String],
    pub(crate) merged_with_doc: bool,
}

/// A service's badge and the Markdown that shows it in a README.
#[derive(Debug, Serialize)]
pub(crate) struct BadgeView {
    /// Root-relative.
    pub(crate) path: String,
    pub(crate) markdown: String,
    /// The Markdown's links are full URLs (`site-url` is one), not paths on the site's host.
    pub(crate) absolute: bool,
}

pub(crate) fn badge_view(evaluated: &Evaluated, report: &ServiceReport) -> Option<BadgeView> {
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
pub(crate) struct GraphFacts<'a> {
    /// How many services fail when this one fails.
    pub(crate) blast_radius: usize,
    /// The most critical of them (lowest tier first), at most [`BLAST_RADIUS_NAMED`].
    pub(crate) blast_radius_named: Vec<Link<'a>>,
    /// How many services this one needs, directly or not.
    pub(crate) stands_on: usize,
    pub(crate) depth: usize,
    pub(crate) risk: f64,
}

/// A service page names this many of the services that fail with it, most critical first:
/// a hub's blast radius can hold thousands, which no one reads in a sentence.
pub(crate) const BLAST_RADIUS_NAMED: usize = 24;

// The analysis lists at least the most critical this many of every blast radius.
const _: () = assert!(BLAST_RADIUS_NAMED <= analysis::LISTED_PER_SERVICE);

pub(crate) fn graph_facts<'a>(
    evaluated: &'a Evaluated,
    report: &'a ServiceReport,
) -> GraphFacts<'a> {
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

/// Builds a service page's view; `resolve` maps a link in the service doc to a root-relative URL.
pub(crate) fn service<'a>(
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
        languages: doc.languages.as_deref().unwrap_or_default(),
        reviewed: doc.reviewed.map(|d| d.to_string()),
        source: crate::diag::display_path(&service.source.origin.display_path),
        edit_url: edit_url.clone(),
        stale_since: origin_source.stale_since.as_deref(),
        imported: service
            .source
            .imported
            .iter()
            .map(|p| ImportedView {
                label: p.format.label(),
                file: crate::diag::display_path(&p.file),
                line: p.line,
                fields: &p.fields,
                merged_with_doc: p.merged_with_doc,
            })
            .collect(),
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
        system_url: drawings::system_page(selection::system_of(catalog, report.service)),
        graph: graph_facts(evaluated, report),
        badge: badge_view(evaluated, report),
        history: None,
    }
}

pub(crate) fn dependencies<'a>(evaluated: &'a Evaluated, service: &'a Service) -> Vec<Link<'a>> {
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

pub(crate) fn pages(service: &Service) -> Vec<Link<'_>> {
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
