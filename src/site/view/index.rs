//! The overview page: levels across the organisation, the services furthest below their
//! required level, where the files that describe a service disagree, and the table of every
//! service.

use crate::book::Evaluated;
use crate::model::Level;
use crate::report::ServiceReport;
use crate::site::history::HistoryView;
use serde::Serialize;

use super::*;

#[derive(Debug, Serialize)]
pub(crate) struct LevelCount {
    pub(crate) level: Level,
    pub(crate) count: usize,
}

/// A service on the risk ranking, with the reason in one line.
#[derive(Debug, Serialize)]
pub(crate) struct RiskRow<'a> {
    pub(crate) service: ServiceRow<'a>,
    pub(crate) risk: f64,
    pub(crate) reason: String,
}

pub(crate) fn risk_row<'a>(evaluated: &'a Evaluated, report: &'a ServiceReport) -> RiskRow<'a> {
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
pub(crate) fn top_risks(evaluated: &Evaluated) -> Vec<RiskRow<'_>> {
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
pub(crate) struct IndexView<'a> {
    pub(crate) services: usize,
    pub(crate) assessed: usize,
    pub(crate) meeting_required: usize,
    pub(crate) by_level: Vec<LevelCount>,
    pub(crate) furthest_below: Vec<ServiceRow<'a>>,
    /// The ten riskiest services, riskiest first.
    pub(crate) risks: Vec<RiskRow<'a>>,
    pub(crate) rows: Vec<ServiceRow<'a>>,
    pub(crate) teams: Vec<&'a str>,
    /// Services whose files disagree, by team (at most [`DRIFT_ROWS`] services).
    pub(crate) drift: Vec<DriftTeam<'a>>,
    /// Services whose files disagree beyond those listed.
    pub(crate) drift_more: usize,
    /// The organisation over the last commits, when the build samples history.
    pub(crate) history: Option<HistoryView>,
}

/// The overview lists at most this many services whose files disagree: the page must not
/// grow with the square of a book whose every file disagrees.
pub(crate) const DRIFT_ROWS: usize = 100;

/// A team's services whose files disagree.
#[derive(Debug, Serialize)]
pub(crate) struct DriftTeam<'a> {
    pub(crate) team: &'a str,
    pub(crate) services: Vec<DriftRow<'a>>,
}

/// A service whose files disagree, and on which fields.
#[derive(Debug, Serialize)]
pub(crate) struct DriftRow<'a> {
    pub(crate) service: ServiceRow<'a>,
    pub(crate) fields: Vec<&'static str>,
}

/// The services whose files disagree, grouped by team (teams by name, `(no team)` last).
fn drift(evaluated: &Evaluated) -> (Vec<DriftTeam<'_>>, usize) {
    let drifting: Vec<&ServiceReport> = evaluated
        .report
        .services
        .iter()
        .filter(|s| {
            !evaluated.catalog.services[s.service]
                .source
                .disagreements
                .is_empty()
        })
        .collect();
    let more = drifting.len().saturating_sub(DRIFT_ROWS);
    let mut by_team: std::collections::BTreeMap<(bool, &str), Vec<DriftRow>> = Default::default();
    for report in drifting.into_iter().take(DRIFT_ROWS) {
        let service = service_row(evaluated, report);
        let mut fields: Vec<&'static str> = evaluated.catalog.services[report.service]
            .source
            .disagreements
            .iter()
            .map(|d| d.field)
            .collect();
        fields.dedup();
        let team = service.team;
        by_team
            .entry((team.is_none(), team.unwrap_or("(no team)")))
            .or_default()
            .push(DriftRow { service, fields });
    }
    let teams = by_team
        .into_iter()
        .map(|((_, team), services)| DriftTeam { team, services })
        .collect();
    (teams, more)
}

pub(crate) fn index(evaluated: &Evaluated) -> IndexView<'_> {
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
    let (drift, drift_more) = drift(evaluated);
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
        drift,
        drift_more,
        history: None,
    }
}
