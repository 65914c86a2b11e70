//! The readiness report: the result of evaluating every service against the checklist. The
//! data types are plain and carry no presentation; [`crate::report`] formats them.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Date, Level, Waiver};

/// Everything evaluation found, in catalog order (services sorted by id).
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// The day the report was evaluated on (waivers and review dates depend on it).
    pub(crate) today: Date,
    pub(crate) services: Vec<ServiceReport>,
}

/// How one service fares.
#[derive(Debug, Clone)]
pub(crate) struct ServiceReport {
    /// Index into `Catalog::services`.
    pub(crate) service: usize,
    pub(crate) level: Level,
    pub(crate) required: Level,
    /// Whether the service was assessed at all (externals are not).
    pub(crate) assessed: bool,
    /// Passed or waived checks over applicable checks, 0.0 to 1.0.
    pub(crate) score: f64,
    /// One result per check of the checklist, in checklist order.
    pub(crate) results: Vec<CheckResult>,
    /// Impact of its failure times its distance from ready (see `evaluate::risk`); 0 when it
    /// is ready or not assessed.
    pub(crate) risk: f64,
}

impl ServiceReport {
    pub(crate) fn meets_required(&self) -> bool {
        self.level >= self.required
    }

    /// How many levels below its required level the service is (0 when it meets it).
    pub(crate) fn shortfall(&self) -> usize {
        self.level.steps_below(self.required)
    }

    /// Results that count against the service: failures and expired waivers.
    pub(crate) fn failing(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.status.is_failing())
    }

    pub(crate) fn waived(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.status == Status::Waived)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Status {
    Pass,
    Fail,
    /// Failing, but covered by a waiver that has not expired.
    Waived,
    /// Failing, and the waiver that covered it has expired.
    ExpiredWaiver,
    /// The check does not apply to this kind of service.
    NotApplicable,
}

impl Status {
    pub(crate) fn is_failing(self) -> bool {
        matches!(self, Status::Fail | Status::ExpiredWaiver)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Waived => "waived",
            Status::ExpiredWaiver => "expired-waiver",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// The result of one check for one service.
#[derive(Debug, Clone)]
pub(crate) struct CheckResult {
    /// Index into `Checklist::checks`.
    pub(crate) check: usize,
    pub(crate) status: Status,
    /// What was found: what is missing when failing, what satisfied the check when passing.
    pub(crate) message: String,
    /// The waiver that covers (or covered) this check.
    pub(crate) waiver: Option<Waiver>,
    /// The line that decided the result: the field that satisfied the check, or where the
    /// missing one belongs (the closest written ancestor, else the doc's `service:` line).
    pub(crate) location: Location,
    /// Other lines that decided it: where the files that disagree with `location` say
    /// otherwise (empty for most results).
    pub(crate) also: Vec<Location>,
}

/// A line of a user's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// As displayed in diagnostics: relative to the book root, or as the user gave it.
    pub(crate) path: Arc<Path>,
    pub(crate) line: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// Counts for the organisation. Externals are listed but not assessed, so the meeting and
/// per-level counts are over assessed services only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Summary {
    pub(crate) services: usize,
    pub(crate) assessed: usize,
    pub(crate) meeting_required: usize,
    /// Count of assessed services per level, every level present.
    pub(crate) by_level: std::collections::BTreeMap<Level, usize>,
}

impl Report {
    pub(crate) fn summary(&self) -> Summary {
        let mut by_level: std::collections::BTreeMap<Level, usize> =
            Level::ALL.iter().map(|l| (*l, 0)).collect();
        let assessed: Vec<&ServiceReport> = self.services.iter().filter(|s| s.assessed).collect();
        for service in &assessed {
            *by_level.entry(service.level).or_default() += 1;
        }
        Summary {
            services: self.services.len(),
            assessed: assessed.len(),
            meeting_required: assessed.iter().filter(|s| s.meets_required()).count(),
            by_level,
        }
    }

    pub(crate) fn all_meet_required(&self) -> bool {
        self.services.iter().all(ServiceReport::meets_required)
    }

    /// Services with a risk above zero, riskiest first.
    pub(crate) fn riskiest(&self) -> Vec<&ServiceReport> {
        let mut risky: Vec<&ServiceReport> =
            self.services.iter().filter(|s| s.risk > 0.0).collect();
        risky.sort_by(|a, b| b.risk.total_cmp(&a.risk).then(a.service.cmp(&b.service)));
        risky
    }

    /// Services below their required level, furthest below first (then by tier, then score).
    pub(crate) fn furthest_below(&self, tier_of: impl Fn(usize) -> u8) -> Vec<&ServiceReport> {
        let mut below: Vec<&ServiceReport> = self
            .services
            .iter()
            .filter(|s| !s.meets_required())
            .collect();
        below.sort_by(|a, b| {
            b.shortfall()
                .cmp(&a.shortfall())
                .then(tier_of(a.service).cmp(&tier_of(b.service)))
                .then(a.score.total_cmp(&b.score))
        });
        below
    }
}
