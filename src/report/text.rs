//! The gap report for terminals: services below their required level first, each with the
//! checks that keep it there and how to fix them.

use std::fmt::Write;

use crate::book::Evaluated;
use crate::catalog::Catalog;
use crate::checklist::Checklist;
use crate::report::{CheckResult, ServiceReport, Status};

/// The whole report as text.
pub(crate) fn render(evaluated: &Evaluated) -> String {
    let Evaluated {
        config,
        catalog,
        checklist,
        report,
        ..
    } = evaluated;
    let title = &config.title;
    let summary = report.summary();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{title}: {} of {} assessed services meet their required level (evaluated {})",
        summary.meeting_required, summary.assessed, report.today
    );
    let counts: Vec<String> = summary
        .by_level
        .iter()
        .rev()
        .map(|(level, n)| format!("{level} {n}"))
        .collect();
    let _ = writeln!(out, "levels: {}\n", counts.join(", "));
    let tier_of = |i: usize| catalog.services[i].source.doc.tier_or_default().number();
    let below = report.furthest_below(tier_of);
    for service in &below {
        write_service(&mut out, catalog, checklist, service);
    }
    let meeting: Vec<&ServiceReport> = report
        .services
        .iter()
        .filter(|s| s.meets_required())
        .collect();
    if !meeting.is_empty() {
        let _ = writeln!(out, "meeting their required level:");
        for service in meeting {
            let doc = &catalog.services[service.service].source.doc;
            let line = if service.assessed {
                format!(
                    "{} (needs {}), {} gaps above it",
                    service.level,
                    service.required,
                    service.failing().count()
                )
            } else {
                format!("{}, not assessed", doc.kind.as_str())
            };
            let _ = writeln!(
                out,
                "  ok  {:<24} tier {}  {line}",
                doc.service,
                doc.tier_or_default()
            );
        }
    }
    out
}

fn write_service(
    out: &mut String,
    catalog: &Catalog,
    checklist: &Checklist,
    service: &ServiceReport,
) {
    let source = &catalog.services[service.service].source;
    let doc = &source.doc;
    let _ = writeln!(
        out,
        "FAIL {}  tier {}  {} -> needs {}  ({})",
        doc.service,
        doc.tier_or_default(),
        service.level,
        service.required,
        crate::diag::display_path(&source.origin.display_path)
    );
    let (blocking, later): (Vec<&CheckResult>, Vec<&CheckResult>) = service
        .failing()
        .partition(|r| checklist.checks[r.check].level <= service.required);
    for result in blocking {
        let check = &checklist.checks[result.check];
        let status = if result.status == Status::ExpiredWaiver {
            "expired waiver"
        } else {
            "missing"
        };
        let _ = writeln!(
            out,
            "     [{}] {} ({status}): {}",
            check.level, check.id, result.message
        );
        let _ = writeln!(out, "        at {}", result.location);
        let _ = writeln!(out, "        fix: {}", check.fix);
        if let Some(waiver) = &result.waiver {
            let _ = writeln!(
                out,
                "        waiver expired {}: {}",
                waiver.until, waiver.reason
            );
        }
    }
    if !later.is_empty() {
        let ids: Vec<&str> = later
            .iter()
            .map(|r| checklist.checks[r.check].id.as_str())
            .collect();
        let _ = writeln!(out, "     above {}: {}", service.required, ids.join(", "));
    }
    out.push('\n');
}
