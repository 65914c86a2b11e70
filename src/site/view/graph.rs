//! The graph page and the system pages.

use crate::book::Evaluated;
use crate::catalog::Catalog;
use crate::site::drawings::{self, Drawings};
use serde::Serialize;
use std::collections::BTreeMap;

use super::*;

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
