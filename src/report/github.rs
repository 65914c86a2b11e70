//! The gap report as GitHub Actions workflow commands: each gap becomes an annotation on the
//! line that decided it, so a pull request shows it where the doc is edited.
//!
//! Format: <https://docs.github.com/actions/reference/workflow-commands-for-github-actions>.

use std::fmt::Write;

use crate::book::Evaluated;
use crate::diag;
use crate::report::annotations::{self, Severity, Workspace};

pub(crate) fn render(evaluated: &Evaluated, workspace: &Workspace) -> String {
    let mut out = String::new();
    for problem in evaluated.diagnostics.sorted() {
        let command = match problem.severity {
            diag::Severity::Error => "error",
            diag::Severity::Warning => "warning",
        };
        let mut properties = vec![("file", workspace.path(&problem.path))];
        if let Some(position) = problem.position {
            properties.push(("line", position.line.to_string()));
            properties.push(("col", position.column.to_string()));
        }
        let code = problem.code;
        properties.push(("title", format!("opsbook {}: {}", code.id(), code.name())));
        command_line(
            &mut out,
            command,
            &properties,
            &annotations::problem_text(problem),
        );
    }
    for gap in annotations::gaps(evaluated) {
        let command = match gap.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        // A result some lines decide together (a disagreement) is annotated on each.
        for location in std::iter::once(&gap.result.location).chain(&gap.result.also) {
            let properties = [
                ("file", workspace.path(&location.path)),
                ("line", location.line.to_string()),
                ("title", gap.title()),
            ];
            command_line(&mut out, command, &properties, &gap.message());
        }
    }
    let summary = evaluated.report.summary();
    let _ = writeln!(
        out,
        "{} of {} assessed services meet their required level (evaluated {}).",
        summary.meeting_required, summary.assessed, evaluated.report.today
    );
    out
}

/// `::error file=a.md,line=3,title=T::message`, escaped as the runner decodes it.
fn command_line(out: &mut String, command: &str, properties: &[(&str, String)], message: &str) {
    let properties: Vec<String> = properties
        .iter()
        .map(|(name, value)| format!("{name}={}", escape_property(value)))
        .collect();
    let _ = writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    );
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_the_runner_decodes_them() {
        let mut out = String::new();
        command_line(
            &mut out,
            "error",
            &[("file", "a,b:c.md".into()), ("line", "3".into())],
            "100% broken\nsecond line",
        );
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac.md,line=3::100%25 broken%0Asecond line\n"
        );
    }
}
