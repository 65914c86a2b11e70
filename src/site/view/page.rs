//! An extra page of a service.

use crate::book::Evaluated;
use crate::report::ServiceReport;
use serde::Serialize;

use super::*;

/// An extra page of a service.
#[derive(Debug, Serialize)]
pub(crate) struct PageView<'a> {
    pub(crate) title: &'a str,
    pub(crate) service: ServiceRow<'a>,
    pub(crate) source: String,
    pub(crate) pages: Vec<Link<'a>>,
    pub(crate) body_html: String,
}

pub(crate) fn page<'a>(
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
