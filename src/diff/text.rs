//! The diff for terminals: a summary line, then each kind of change under its own heading,
//! services newly below their required level first.

use std::fmt::Write;

use crate::diff::{Diff, EntryChange, Movement, describe, headline, standing};

/// The whole diff as text.
pub(crate) fn render(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "readiness: {} -> {}",
        describe(&diff.old),
        describe(&diff.new)
    );
    if diff.is_empty() {
        let _ = writeln!(out, "no readiness changes");
        return out;
    }
    let _ = writeln!(out, "{}", headline(diff).join(", "));
    section(
        &mut out,
        "newly below their required level",
        below_lines(diff),
    );
    section(&mut out, "levels", level_lines(diff));
    section(
        &mut out,
        "newly failing checks",
        check_lines(&diff.checks.newly_failing),
    );
    section(
        &mut out,
        "newly passing checks",
        check_lines(&diff.checks.newly_passing),
    );
    section(&mut out, "services", service_lines(diff));
    section(&mut out, "dependencies", dependency_lines(diff));
    section(&mut out, "waivers", waiver_lines(diff));
    out
}

fn section(out: &mut String, title: &str, lines: Vec<String>) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}:");
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
}

fn below_lines(diff: &Diff) -> Vec<String> {
    let dropped = diff
        .levels
        .iter()
        .filter(|l| l.change == Movement::DroppedBelowRequired)
        .map(|l| format!("{:<24} {} -> {}", l.id, l.from, standing(l.to, l.required)));
    let arrived = diff
        .services
        .added
        .iter()
        .filter(|s| !s.meets_required)
        .map(|s| format!("{:<24} new, {}", s.id, standing(s.level, s.required)));
    dropped.chain(arrived).collect()
}

fn level_lines(diff: &Diff) -> Vec<String> {
    diff.levels
        .iter()
        .map(|l| {
            let arrow = match l.change {
                Movement::DroppedBelowRequired | Movement::Down => "down",
                Movement::RoseToRequired | Movement::Up => "up  ",
                Movement::RequiredChanged => "req ",
            };
            let required = if l.old_required == l.required {
                format!("needs {}", l.required)
            } else {
                format!("needed {}, needs {}", l.old_required, l.required)
            };
            let verdict = if l.meets_required {
                "meets it"
            } else {
                "below it"
            };
            format!(
                "{arrow} {:<24} {} -> {} ({required}; {verdict})",
                l.id, l.from, l.to
            )
        })
        .collect()
}

fn check_lines(changes: &[crate::diff::CheckChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let at = c
                .location
                .as_ref()
                .map_or(String::new(), |l| format!(" (at {l})"));
            format!(
                "{:<24} {} [{}] {} -> {}: {}{at}",
                c.service,
                c.check,
                c.level,
                c.from.as_deref().unwrap_or("absent"),
                c.to,
                c.message
            )
        })
        .collect()
}

fn service_lines(diff: &Diff) -> Vec<String> {
    diff.services
        .all()
        .map(|(change, s)| {
            format!(
                "{} {:<22} {}, tier {}, {}, {} failing check{}",
                sign(change),
                s.id,
                s.kind,
                s.tier,
                standing(s.level, s.required),
                s.failing,
                if s.failing == 1 { "" } else { "s" }
            )
        })
        .collect()
}

fn dependency_lines(diff: &Diff) -> Vec<String> {
    diff.dependencies
        .all()
        .map(|(change, e)| {
            let external = if e.external { ", external" } else { "" };
            format!(
                "{} {} -> {} ({}{external})",
                sign(change),
                e.from,
                e.to,
                e.kind_change("->")
            )
        })
        .collect()
}

fn sign(change: EntryChange) -> char {
    match change {
        EntryChange::Added => '+',
        EntryChange::Removed => '-',
        EntryChange::Changed => '~',
    }
}

fn waiver_lines(diff: &Diff) -> Vec<String> {
    diff.waivers
        .iter()
        .map(|w| {
            let until = match &w.was_until {
                Some(was) => format!("until {was} -> {}", w.until),
                None => format!("until {}", w.until),
            };
            format!(
                "{:<8} {:<24} {} ({until}): {}",
                w.change.as_str(),
                w.service,
                w.check,
                w.reason
            )
        })
        .collect()
}
