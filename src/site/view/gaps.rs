//! The gaps page: every service against every check.

use crate::book::Evaluated;
use crate::report::Status;
use serde::Serialize;

use super::*;

/// One cell of the gaps matrix: a service's results in one check category.
#[derive(Debug, Serialize)]
pub(crate) struct GapCell {
    pub(crate) applicable: usize,
    pub(crate) failing: usize,
    /// `ok`, `partial`, `bad` or `na`, for colouring.
    pub(crate) state: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct GapRow<'a> {
    pub(crate) service: ServiceRow<'a>,
    pub(crate) cells: Vec<GapCell>,
}

#[derive(Debug, Serialize)]
pub(crate) struct GapsView<'a> {
    pub(crate) categories: Vec<&'a str>,
    pub(crate) rows: Vec<GapRow<'a>>,
}

pub(crate) fn gaps(evaluated: &Evaluated) -> GapsView<'_> {
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
