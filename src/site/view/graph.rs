//! The graph page and the system pages.

use crate::analysis::selection;
use crate::book::Evaluated;
use crate::catalog::Catalog;
use crate::site::drawings::{self, Drawings};
use serde::Serialize;
use std::collections::BTreeMap;

use super::*;

/// A system on the graph page.
#[derive(Debug, Serialize)]
pub(crate) struct SystemSummary<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
    pub(crate) services: usize,
    pub(crate) meeting_required: usize,
}

/// The organisation graph page.
#[derive(Debug, Serialize)]
pub(crate) struct GraphView<'a> {
    pub(crate) svg: Option<&'a str>,
    /// The drawing shows systems (the organisation is too large to draw every service).
    pub(crate) by_system: bool,
    pub(crate) systems: Vec<SystemSummary<'a>>,
    pub(crate) risks: Vec<RiskRow<'a>>,
}

pub(crate) fn graph<'a>(evaluated: &'a Evaluated, drawings: &'a Drawings) -> GraphView<'a> {
    GraphView {
        svg: drawings.organisation(evaluated),
        by_system: selection::organisation_by_system(&evaluated.catalog),
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
pub(crate) struct SystemView<'a> {
    pub(crate) name: &'a str,
    pub(crate) svg: Option<&'a str>,
    pub(crate) rows: Vec<ServiceRow<'a>>,
}

/// Every system, by name, without its drawing.
pub(crate) fn systems(evaluated: &Evaluated) -> Vec<SystemView<'_>> {
    let catalog = &evaluated.catalog;
    let mut by_name: BTreeMap<&str, Vec<ServiceRow>> = BTreeMap::new();
    for report in &evaluated.report.services {
        by_name
            .entry(selection::system_of(catalog, report.service))
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
pub(crate) fn system_names(catalog: &Catalog) -> Vec<&str> {
    let mut names: Vec<&str> = (0..catalog.services.len())
        .map(|i| selection::system_of(catalog, i))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// One system's page, with its drawing.
pub(crate) fn system<'a>(
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
