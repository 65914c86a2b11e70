//! Views: the typed data each template receives, built from the evaluated book, one file per
//! page (`index`, `service`, `page`, `docs`, `checks`, `teams`, `gaps`, `graph`), with the
//! facts tables and the search documents apart. What several pages show (a service's row, a
//! link) is here.
//!
//! Views decide nothing about readiness: they present the report's verdicts. URLs in views
//! are relative to the site root; templates prefix them with `root`.

use serde::Serialize;

use crate::book::Evaluated;
use crate::model::{Level, ServiceDoc};
use crate::report::ServiceReport;
use crate::site::url::{self};

mod checks;
pub(crate) mod docs;
mod facts;
mod gaps;
mod graph;
mod index;
mod page;
mod search_documents;
mod service;
mod teams;

pub(crate) use checks::*;
pub(crate) use facts::*;
pub(crate) use gaps::*;
pub(crate) use graph::*;
pub(crate) use index::*;
pub(crate) use page::*;
pub(crate) use search_documents::*;
pub(crate) use service::*;
pub(crate) use teams::*;

/// What every page knows about the site.
#[derive(Debug, Serialize)]
pub(crate) struct SiteView<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: Option<&'a str>,
    pub(crate) evaluated_on: String,
    pub(crate) version: &'static str,
    pub(crate) levels: [&'static str; 4],
    /// The content security policy every page carries in a `<meta>` element; none when the
    /// book keeps raw HTML, whose own scripts it would stop.
    pub(crate) content_policy: Option<&'static str>,
    /// The general pages' index, when the book has general pages.
    pub(crate) docs_url: Option<&'static str>,
}

/// One line of the services table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) kind: &'static str,
    pub(crate) team: Option<&'a str>,
    /// Root-relative link to the team's section of the teams page.
    pub(crate) team_url: Option<String>,
    pub(crate) system: Option<&'a str>,
    pub(crate) tier: u8,
    pub(crate) lifecycle: &'static str,
    pub(crate) level: Level,
    pub(crate) required: Level,
    pub(crate) assessed: bool,
    pub(crate) meets_required: bool,
    /// Levels below the required level (0 when meeting it).
    pub(crate) shortfall: usize,
    pub(crate) score_percent: u32,
    pub(crate) failing: Vec<&'a str>,
}

pub(crate) fn service_row<'a>(
    evaluated: &'a Evaluated,
    report: &'a ServiceReport,
) -> ServiceRow<'a> {
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

pub(crate) fn team_of(doc: &ServiceDoc) -> Option<&str> {
    doc.owner.as_ref().and_then(|o| o.team.as_deref())
}

#[derive(Debug, Serialize)]
pub(crate) struct Link<'a> {
    pub(crate) label: &'a str,
    /// Root-relative for pages of the site, absolute for the rest; `None` when unknown.
    pub(crate) url: Option<String>,
    pub(crate) note: Option<String>,
}

fn service_link(evaluated: &Evaluated, index: usize) -> Link<'_> {
    let doc = &evaluated.catalog.services[index].source.doc;
    Link {
        label: doc.title_or_id(),
        url: Some(url::service_page(doc.service.as_str())),
        note: None,
    }
}

pub(crate) const NO_TEAM: &str = "(no team)";

pub(crate) fn team_anchor(name: &str) -> String {
    format!("team-{}", crate::markdown::slug(name))
}
