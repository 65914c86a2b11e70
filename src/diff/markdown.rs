//! The diff as Markdown, for a pull-request comment someone reads in ten seconds: the verdict
//! in the first line, services newly below their required level next (never folded away),
//! then the other changes, long lists folded into `<details>`.

use std::fmt::Write;

use crate::diff::{CheckChange, Diff, EntryChange, Movement, describe, headline, standing};

/// Lists longer than this are folded, so the comment stays short.
const FOLD_AFTER: usize = 5;

/// The whole diff as Markdown.
pub(crate) fn render(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", first_line(diff));
    let _ = writeln!(
        out,
        "<sub>{} → {}</sub>",
        inline(&describe(&diff.old)),
        inline(&describe(&diff.new))
    );
    if diff.is_empty() {
        return out;
    }
    below_table(&mut out, diff);
    section(&mut out, "Level changes", level_items(diff));
    section(
        &mut out,
        "Newly failing checks",
        check_items(&diff.checks.newly_failing),
    );
    section(
        &mut out,
        "Newly passing checks",
        check_items(&diff.checks.newly_passing),
    );
    section(&mut out, "Services", service_items(diff));
    section(&mut out, "Dependencies", dependency_items(diff));
    section(&mut out, "Waivers", waiver_items(diff));
    out
}

/// The verdict and the counts, in one line.
fn first_line(diff: &Diff) -> String {
    let parts = headline(diff);
    let verdict = match diff.summary.newly_below_required {
        0 if parts.is_empty() => return "**✅ Readiness: no changes**".into(),
        0 => "**✅ Readiness: no service drops below its required level**".to_string(),
        n => format!(
            "**❌ Readiness: {n} service{} below {} required level**",
            if n == 1 { "" } else { "s" },
            if n == 1 { "its" } else { "their" }
        ),
    };
    // The verdict already says how many services are newly below their required level.
    let rest = &parts[usize::from(diff.summary.newly_below_required > 0)..];
    if rest.is_empty() {
        verdict
    } else {
        format!("{verdict} · {}", rest.join(" · "))
    }
}

/// Text safe inside a Markdown line: no line breaks, no HTML, no table cell breaks.
fn inline(text: &str) -> String {
    text.replace('\n', " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

fn below_table(out: &mut String, diff: &Diff) {
    let dropped = diff
        .levels
        .iter()
        .filter(|l| l.change == Movement::DroppedBelowRequired)
        .map(|l| (&l.id, l.tier, format!("{} → {}", l.from, l.to), l.required));
    let arrived = diff
        .services
        .added
        .iter()
        .filter(|s| !s.meets_required)
        .map(|s| (&s.id, s.tier, format!("new: {}", s.level), s.required));
    let rows: Vec<String> = dropped
        .chain(arrived)
        .map(|(id, tier, level, required)| {
            format!("| **{}** | {tier} | {level} | {required} |", inline(id))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### ❌ Now below their required level\n");
    let _ = writeln!(
        out,
        "| service | tier | level | required |\n|---|---|---|---|"
    );
    for row in rows {
        let _ = writeln!(out, "{row}");
    }
}

/// A heading and a list, folded when long.
fn section(out: &mut String, title: &str, items: Vec<String>) {
    if items.is_empty() {
        return;
    }
    let list: String = items.iter().map(|i| format!("- {i}\n")).collect();
    if items.len() > FOLD_AFTER {
        let _ = write!(
            out,
            "\n<details><summary><b>{title}</b> ({})</summary>\n\n{list}\n</details>\n",
            items.len()
        );
    } else {
        let _ = write!(out, "\n### {title}\n\n{list}");
    }
}

fn level_items(diff: &Diff) -> Vec<String> {
    diff.levels
        .iter()
        .filter(|l| l.change != Movement::DroppedBelowRequired)
        .map(|l| {
            let mark = match l.change {
                Movement::Down | Movement::DroppedBelowRequired => "⬇️",
                Movement::Up | Movement::RoseToRequired => "⬆️",
                Movement::RequiredChanged => "↔️",
            };
            let now = if l.meets_required {
                "meets it"
            } else {
                "below it"
            };
            format!(
                "{mark} **{}** {} → {}, {now}",
                inline(&l.id),
                l.from,
                inline(&standing(l.to, l.required))
            )
        })
        .collect()
}

fn check_items(changes: &[CheckChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let at = c.location.as_ref().map_or(String::new(), |l| {
                format!(" · `{}`", l.to_string().replace('`', "'"))
            });
            format!(
                "**{}** `{}` ({}): {}{at}",
                inline(&c.service),
                c.check,
                c.level,
                inline(&c.message)
            )
        })
        .collect()
}

fn service_items(diff: &Diff) -> Vec<String> {
    diff.services
        .all()
        .map(|(change, s)| {
            format!(
                "{}: **{}**, tier {}, {}",
                word(change),
                inline(&s.id),
                s.tier,
                standing(s.level, s.required)
            )
        })
        .collect()
}

fn dependency_items(diff: &Diff) -> Vec<String> {
    diff.dependencies
        .all()
        .map(|(change, e)| {
            format!(
                "{}: **{}** → {} ({})",
                word(change),
                inline(&e.from),
                inline(&e.to),
                e.kind_change("→")
            )
        })
        .collect()
}

fn word(change: EntryChange) -> &'static str {
    match change {
        EntryChange::Added => "added",
        EntryChange::Removed => "removed",
        EntryChange::Changed => "changed",
    }
}

fn waiver_items(diff: &Diff) -> Vec<String> {
    diff.waivers
        .iter()
        .map(|w| {
            format!(
                "{}: **{}** `{}` until {}: {}",
                w.change.as_str(),
                inline(&w.service),
                w.check,
                w.until,
                inline(&w.reason)
            )
        })
        .collect()
}
