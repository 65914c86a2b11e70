//! The teams page: each team's services and levels.

use crate::book::Evaluated;
use serde::Serialize;

use super::*;

/// A team and its services.
#[derive(Debug, Serialize)]
pub(crate) struct TeamView<'a> {
    pub(crate) name: &'a str,
    pub(crate) anchor: String,
    pub(crate) services: Vec<ServiceRow<'a>>,
    pub(crate) assessed: usize,
    pub(crate) meeting_required: usize,
    pub(crate) failing_checks: usize,
}

pub(crate) fn teams(evaluated: &Evaluated) -> Vec<TeamView<'_>> {
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
