//! The checks page: every check by category, with who fails it.

use crate::book::Evaluated;
use crate::model::Level;
use crate::report::Status;
use crate::site::url::{self};
use serde::Serialize;

use super::*;

/// A check on the checks page, with who fails it.
#[derive(Debug, Serialize)]
pub(crate) struct CheckView<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) category: &'a str,
    pub(crate) level: Level,
    pub(crate) why: &'a str,
    pub(crate) fix: &'a str,
    pub(crate) applies_to: Vec<&'static str>,
    pub(crate) failing: Vec<Link<'a>>,
    pub(crate) waived: usize,
    pub(crate) passing: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct CategoryView<'a> {
    pub(crate) name: &'a str,
    pub(crate) checks: Vec<CheckView<'a>>,
}

pub(crate) fn checks(evaluated: &Evaluated) -> Vec<CategoryView<'_>> {
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
