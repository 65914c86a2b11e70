//! The gap report as Markdown, for a pull request comment or a repository's docs folder.

use std::fmt::Write;

use crate::book::Evaluated;
use crate::report::Status;

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

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
    let _ = writeln!(out, "# {}\n", cell(title));
    let _ = writeln!(
        out,
        "**{} of {}** assessed services meet their required level (evaluated {}).\n",
        summary.meeting_required, summary.assessed, report.today
    );
    let _ = writeln!(
        out,
        "| service | tier | level | required | score | failing checks |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for service in &report.services {
        let doc = &catalog.services[service.service].source.doc;
        let mark = if service.meets_required() {
            "✅"
        } else {
            "❌"
        };
        let failing: Vec<String> = service
            .failing()
            .map(|r| format!("`{}`", checklist.checks[r.check].id))
            .collect();
        let _ = writeln!(
            out,
            "| {mark} {} | {} | {} | {} | {:.0}% | {} |",
            doc.service,
            doc.tier_or_default(),
            service.level,
            service.required,
            service.score * 100.0,
            failing.join(" ")
        );
    }
    let tier_of = |i: usize| catalog.services[i].source.doc.tier_or_default().number();
    for service in report.furthest_below(tier_of) {
        let doc = &catalog.services[service.service].source.doc;
        let _ = writeln!(
            out,
            "\n## {} — {} (needs {})\n",
            doc.service, service.level, service.required
        );
        for result in service.failing() {
            let check = &checklist.checks[result.check];
            let expired = if result.status == Status::ExpiredWaiver {
                " (waiver expired)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "- **{}** ({}){expired}: {}. *Fix:* {}",
                check.id,
                check.level,
                cell(&result.message),
                cell(&check.fix)
            );
        }
    }
    out
}
