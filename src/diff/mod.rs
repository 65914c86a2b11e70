//! Diff: what changed in readiness between two reports. A pure function of two
//! `Snapshot`s (JSON reports read back), whatever made them: a file, or a revision of the
//! book evaluated by `revision`. The result is plain data; each format is a pure function of
//! it (`text` for terminals, `markdown` for pull requests, `render_json` for tools).
//!
//! Every change is reported once: a check whose waiver was added, removed or expired is a
//! waiver change, not also a newly failing or passing check.

pub(crate) mod input;
pub(crate) mod markdown;
pub(crate) mod text;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::Level;
use crate::report::snapshot::{Snapshot, SnapshotCheck, SnapshotLocation, SnapshotService};

/// The contract version of the JSON diff (docs/diff.md).
pub(crate) const VERSION: u32 = 1;

/// One side of a comparison: where its report came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Side {
    /// As given on the command line: a file or a revision.
    pub(crate) label: String,
    /// The commit, when the side is a revision.
    pub(crate) commit: Option<String>,
    pub(crate) evaluated_on: String,
    /// Errors in the book on that side: services in broken files are missing from it.
    pub(crate) errors: usize,
}

/// Everything that changed between two reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Diff {
    pub(crate) version: u32,
    pub(crate) old: Side,
    pub(crate) new: Side,
    pub(crate) summary: DiffSummary,
    /// Services that were at or above their required level (or did not exist) and are below
    /// it now: what `--fail-on newly-below-required` fails on.
    pub(crate) newly_below_required: Vec<String>,
    /// Services on both sides whose level, or required level, changed; worst news first.
    pub(crate) levels: Vec<LevelChange>,
    pub(crate) checks: CheckChanges,
    pub(crate) services: ServiceChanges,
    pub(crate) dependencies: DependencyChanges,
    pub(crate) waivers: Vec<WaiverChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DiffSummary {
    pub(crate) newly_below_required: usize,
    pub(crate) level_changes: usize,
    pub(crate) newly_failing: usize,
    pub(crate) newly_passing: usize,
    pub(crate) services_added: usize,
    pub(crate) services_removed: usize,
    pub(crate) dependencies_added: usize,
    pub(crate) dependencies_removed: usize,
    pub(crate) waiver_changes: usize,
}

/// How a service's standing changed, from the worst news to the best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Movement {
    /// It met its required level and no longer does.
    DroppedBelowRequired,
    /// It lost a level, and was below its required level already or is still above it.
    Down,
    /// Its level stayed; its required level changed (its tier or lifecycle did).
    RequiredChanged,
    /// It was below its required level and now meets it.
    RoseToRequired,
    /// It gained a level, and is still below its required level or was above it already.
    Up,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LevelChange {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) tier: u8,
    pub(crate) change: Movement,
    pub(crate) from: Level,
    pub(crate) to: Level,
    pub(crate) old_required: Level,
    pub(crate) required: Level,
    pub(crate) was_meeting_required: bool,
    pub(crate) meets_required: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct CheckChanges {
    /// Checks that count against a service now and did not before (services on both sides).
    pub(crate) newly_failing: Vec<CheckChange>,
    /// Checks that failed (waived or not) and pass now, or no longer apply.
    pub(crate) newly_passing: Vec<CheckChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CheckChange {
    pub(crate) service: String,
    pub(crate) check: String,
    pub(crate) level: Level,
    /// The check's status before; `null` when the old checklist did not have it.
    pub(crate) from: Option<String>,
    pub(crate) to: String,
    /// What the new report says: what is missing, or what satisfied the check.
    pub(crate) message: String,
    /// The line of the new side that decided it, when its report says.
    pub(crate) location: Option<SnapshotLocation>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ServiceChanges {
    pub(crate) added: Vec<ServiceEntry>,
    pub(crate) removed: Vec<ServiceEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ServiceEntry {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) kind: String,
    pub(crate) tier: u8,
    pub(crate) level: Level,
    pub(crate) required: Level,
    pub(crate) meets_required: bool,
    pub(crate) failing: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DependencyChanges {
    pub(crate) added: Vec<Edge>,
    pub(crate) removed: Vec<Edge>,
    /// Edges on both sides whose kind changed (`was` is the old kind).
    pub(crate) changed: Vec<Edge>,
}

/// Whether an entry of a diff arrived, went, or changed between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryChange {
    Added,
    Removed,
    Changed,
}

impl DependencyChanges {
    /// Added, then removed, then changed edges.
    pub(crate) fn all(&self) -> impl Iterator<Item = (EntryChange, &Edge)> {
        let tag = |change| move |edge| (change, edge);
        (self.added.iter().map(tag(EntryChange::Added)))
            .chain(self.removed.iter().map(tag(EntryChange::Removed)))
            .chain(self.changed.iter().map(tag(EntryChange::Changed)))
    }
}

impl ServiceChanges {
    /// Added, then removed services.
    pub(crate) fn all(&self) -> impl Iterator<Item = (EntryChange, &ServiceEntry)> {
        let tag = |change| move |service| (change, service);
        (self.added.iter().map(tag(EntryChange::Added)))
            .chain(self.removed.iter().map(tag(EntryChange::Removed)))
    }
}

impl Edge {
    /// `hard`, or `soft -> hard` for an edge whose kind changed, with `arrow` between.
    pub(crate) fn kind_change(&self, arrow: &str) -> String {
        match &self.was {
            Some(was) => format!("{was} {arrow} {}", self.kind),
            None => self.kind.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Edge {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) kind: String,
    pub(crate) external: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) was: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum WaiverMovement {
    /// A waiver that covered the check has expired: the check counts against the service.
    Expired,
    /// The waiver is gone and the check fails.
    Removed,
    /// A failing (or newly failing) check is now covered by a waiver.
    Added,
    /// The waiver's date or reason changed, or an expired one was given a new date.
    Renewed,
}

impl WaiverMovement {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WaiverMovement::Expired => "expired",
            WaiverMovement::Removed => "removed",
            WaiverMovement::Added => "added",
            WaiverMovement::Renewed => "renewed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct WaiverChange {
    pub(crate) service: String,
    pub(crate) check: String,
    pub(crate) change: WaiverMovement,
    pub(crate) reason: String,
    pub(crate) until: String,
    /// The old waiver's date, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) was_until: Option<String>,
}

/// Compares two reports.
pub(crate) fn diff(old_side: Side, old: &Snapshot, new_side: Side, new: &Snapshot) -> Diff {
    let olds: BTreeMap<&str, &SnapshotService> =
        old.services.iter().map(|s| (s.id.as_str(), s)).collect();
    let news: BTreeMap<&str, &SnapshotService> =
        new.services.iter().map(|s| (s.id.as_str(), s)).collect();
    let both: Vec<(&SnapshotService, &SnapshotService)> = news
        .iter()
        .filter_map(|(id, n)| olds.get(id).map(|o| (*o, *n)))
        .collect();
    let mut levels: Vec<LevelChange> = both
        .iter()
        .filter_map(|(o, n)| level_change(o, n))
        .collect();
    levels.sort_by(|a, b| (a.change, a.tier, &a.id).cmp(&(b.change, b.tier, &b.id)));
    let added = entries(news.iter().filter(|(id, _)| !olds.contains_key(*id)));
    let removed = entries(olds.iter().filter(|(id, _)| !news.contains_key(*id)));
    let mut checks = CheckChanges::default();
    let mut waivers = Vec::new();
    for (o, n) in &both {
        compare_checks(o, n, &mut checks, &mut waivers);
    }
    waivers.sort_by(|a, b| (a.change, &a.service, &a.check).cmp(&(b.change, &b.service, &b.check)));
    let newly_below_required = newly_below(&levels, &added);
    let dependencies = dependency_changes(old, new);
    let summary = DiffSummary {
        newly_below_required: newly_below_required.len(),
        level_changes: levels.len(),
        newly_failing: checks.newly_failing.len(),
        newly_passing: checks.newly_passing.len(),
        services_added: added.len(),
        services_removed: removed.len(),
        dependencies_added: dependencies.added.len(),
        dependencies_removed: dependencies.removed.len(),
        waiver_changes: waivers.len(),
    };
    Diff {
        version: VERSION,
        old: old_side,
        new: new_side,
        summary,
        newly_below_required,
        levels,
        checks,
        services: ServiceChanges { added, removed },
        dependencies,
        waivers,
    }
}

impl Diff {
    /// Whether nothing readiness-related changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.summary == DiffSummary::default() && self.dependencies.changed.is_empty()
    }
}

/// The JSON diff (docs/diff.md), pretty-printed, with a trailing newline.
pub(crate) fn render_json(diff: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(diff).unwrap_or_default();
    text.push('\n');
    text
}

/// The counts of a diff in words, most important first, leaving out what did not change:
/// `["1 service newly below its required level", "2 newly failing checks"]`.
pub(crate) fn headline(diff: &Diff) -> Vec<String> {
    let s = &diff.summary;
    let counts = [
        (
            s.newly_below_required,
            "service newly below its required level",
            "services newly below their required level",
        ),
        (s.level_changes, "level change", "level changes"),
        (
            s.newly_failing,
            "newly failing check",
            "newly failing checks",
        ),
        (
            s.newly_passing,
            "newly passing check",
            "newly passing checks",
        ),
        (s.services_added, "service added", "services added"),
        (s.services_removed, "service removed", "services removed"),
        (
            s.dependencies_added,
            "dependency added",
            "dependencies added",
        ),
        (
            s.dependencies_removed,
            "dependency removed",
            "dependencies removed",
        ),
        (
            diff.dependencies.changed.len(),
            "dependency changed kind",
            "dependencies changed kind",
        ),
        (s.waiver_changes, "waiver change", "waiver changes"),
    ];
    counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect()
}

/// How a side is named in a format: `v1 (9a0e294, evaluated 2026-11-28)`.
pub(crate) fn describe(side: &Side) -> String {
    let short = side.commit.as_deref().map(|c| &c[..c.len().min(7)]);
    match short {
        Some(short) if !side.label.starts_with(short) => {
            format!("{} ({short}, evaluated {})", side.label, side.evaluated_on)
        }
        _ => format!("{} (evaluated {})", side.label, side.evaluated_on),
    }
}

/// Where a service stands, in words: `silver, needs gold`.
pub(crate) fn standing(level: Level, required: Level) -> String {
    format!("{level}, needs {required}")
}

fn level_change(old: &SnapshotService, new: &SnapshotService) -> Option<LevelChange> {
    if !new.is_assessed() || (old.level == new.level && old.required == new.required) {
        return None;
    }
    let (was, now) = (old.meets_required, new.meets_required);
    let change = match (was, now) {
        (true, false) => Movement::DroppedBelowRequired,
        (false, true) => Movement::RoseToRequired,
        _ if new.level < old.level => Movement::Down,
        _ if new.level > old.level => Movement::Up,
        _ => Movement::RequiredChanged,
    };
    Some(LevelChange {
        id: new.id.clone(),
        title: new.title.clone(),
        tier: new.tier,
        change,
        from: old.level,
        to: new.level,
        old_required: old.required,
        required: new.required,
        was_meeting_required: was,
        meets_required: now,
    })
}

fn entries<'a>(
    services: impl Iterator<Item = (&'a &'a str, &'a &'a SnapshotService)>,
) -> Vec<ServiceEntry> {
    services
        .map(|(_, s)| ServiceEntry {
            id: s.id.clone(),
            title: s.title.clone(),
            kind: s.kind.clone(),
            tier: s.tier,
            level: s.level,
            required: s.required,
            meets_required: s.meets_required,
            failing: s.failing_count(),
        })
        .collect()
}

/// Services that dropped below their required level, then new services that arrive below it.
fn newly_below(levels: &[LevelChange], added: &[ServiceEntry]) -> Vec<String> {
    let dropped = levels
        .iter()
        .filter(|l| l.change == Movement::DroppedBelowRequired)
        .map(|l| l.id.clone());
    let arrived = added
        .iter()
        .filter(|s| !s.meets_required)
        .map(|s| s.id.clone());
    dropped.chain(arrived).collect()
}

/// What happened to one check between the two reports.
enum CheckMovement {
    Failing,
    Passing,
    Waiver(WaiverMovement),
    Same,
}

fn movement(old: Option<&SnapshotCheck>, new: &SnapshotCheck) -> CheckMovement {
    let before = old.map_or("not-applicable", |c| c.status.as_str());
    match (before, new.status.as_str()) {
        ("waived", "expired-waiver") => CheckMovement::Waiver(WaiverMovement::Expired),
        ("waived" | "expired-waiver", "fail") => CheckMovement::Waiver(WaiverMovement::Removed),
        ("fail" | "pass" | "not-applicable", "waived") => {
            CheckMovement::Waiver(WaiverMovement::Added)
        }
        ("expired-waiver", "waived") => CheckMovement::Waiver(WaiverMovement::Renewed),
        ("waived", "waived") | ("expired-waiver", "expired-waiver")
            if old.and_then(|c| c.waiver.as_ref()) != new.waiver.as_ref() =>
        {
            CheckMovement::Waiver(WaiverMovement::Renewed)
        }
        (b, _) if new.is_failing() && !matches!(b, "fail" | "expired-waiver") => {
            CheckMovement::Failing
        }
        ("fail" | "expired-waiver", _) | ("waived", "pass") if !new.is_failing() => {
            CheckMovement::Passing
        }
        _ => CheckMovement::Same,
    }
}

fn compare_checks(
    old: &SnapshotService,
    new: &SnapshotService,
    checks: &mut CheckChanges,
    waivers: &mut Vec<WaiverChange>,
) {
    for check in &new.checks {
        let before = old.checks.iter().find(|c| c.id == check.id);
        let change = || CheckChange {
            service: new.id.clone(),
            check: check.id.clone(),
            level: check.level,
            from: before.map(|c| c.status.clone()),
            to: check.status.clone(),
            message: check.message.clone(),
            location: check.location.clone(),
        };
        match movement(before, check) {
            CheckMovement::Failing => checks.newly_failing.push(change()),
            CheckMovement::Passing => checks.newly_passing.push(change()),
            CheckMovement::Waiver(movement) => {
                waivers.push(waiver_change(&new.id, before, check, movement));
            }
            CheckMovement::Same => {}
        }
    }
}

fn waiver_change(
    service: &str,
    old: Option<&SnapshotCheck>,
    new: &SnapshotCheck,
    change: WaiverMovement,
) -> WaiverChange {
    let old_waiver = old.and_then(|c| c.waiver.as_ref());
    // A removed waiver is described by what it was; the others by what they are now.
    let shown = new.waiver.as_ref().or(old_waiver);
    let was_until = old_waiver
        .filter(|o| {
            change == WaiverMovement::Renewed
                && Some(o.until.as_str()) != shown.map(|s| s.until.as_str())
        })
        .map(|o| o.until.clone());
    WaiverChange {
        service: service.to_string(),
        check: new.id.clone(),
        change,
        reason: shown.map(|w| w.reason.clone()).unwrap_or_default(),
        until: shown.map(|w| w.until.clone()).unwrap_or_default(),
        was_until,
    }
}

fn edges(snapshot: &Snapshot) -> BTreeMap<(String, String), (String, bool)> {
    snapshot
        .services
        .iter()
        .flat_map(|s| {
            s.depends_on
                .iter()
                .map(|d| ((s.id.clone(), d.id.clone()), (d.kind.clone(), d.external)))
        })
        .collect()
}

fn dependency_changes(old: &Snapshot, new: &Snapshot) -> DependencyChanges {
    let (olds, news) = (edges(old), edges(new));
    let edge = |(from, to): &(String, String), (kind, external): &(String, bool), was| Edge {
        from: from.clone(),
        to: to.clone(),
        kind: kind.clone(),
        external: *external,
        was,
    };
    let keys: BTreeSet<&(String, String)> = olds.keys().chain(news.keys()).collect();
    let mut changes = DependencyChanges::default();
    for key in keys {
        match (olds.get(key), news.get(key)) {
            (None, Some(n)) => changes.added.push(edge(key, n, None)),
            (Some(o), None) => changes.removed.push(edge(key, o, None)),
            (Some(o), Some(n)) if o.0 != n.0 => {
                changes.changed.push(edge(key, n, Some(o.0.clone())));
            }
            _ => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::snapshot::{SnapshotDependency, SnapshotWaiver};

    fn check(id: &str, status: &str, until: Option<&str>) -> SnapshotCheck {
        SnapshotCheck {
            id: id.into(),
            level: Level::Bronze,
            status: status.into(),
            message: format!("{id} is {status}"),
            waiver: until.map(|u| SnapshotWaiver {
                reason: "later".into(),
                until: u.into(),
            }),
            location: None,
        }
    }

    fn service(
        id: &str,
        level: Level,
        required: Level,
        checks: Vec<SnapshotCheck>,
    ) -> SnapshotService {
        SnapshotService {
            id: id.into(),
            title: id.into(),
            kind: "service".into(),
            tier: 2,
            level,
            required,
            meets_required: level >= required,
            checks,
            depends_on: Vec::new(),
        }
    }

    fn snapshot(services: Vec<SnapshotService>) -> Snapshot {
        Snapshot {
            version: 1,
            evaluated_on: "2026-11-28".into(),
            services,
            problems: Vec::new(),
        }
    }

    fn side(label: &str) -> Side {
        Side {
            label: label.into(),
            commit: None,
            evaluated_on: "2026-11-28".into(),
            errors: 0,
        }
    }

    fn compare(old: Vec<SnapshotService>, new: Vec<SnapshotService>) -> Diff {
        diff(side("old"), &snapshot(old), side("new"), &snapshot(new))
    }

    #[test]
    fn the_same_report_has_no_changes() {
        let services = vec![service(
            "a",
            Level::Gold,
            Level::Silver,
            vec![check("x", "pass", None)],
        )];
        assert!(compare(services.clone(), services).is_empty());
    }

    #[test]
    fn a_drop_below_the_required_level_comes_first_and_is_newly_below() {
        let old = vec![
            service("a", Level::Gold, Level::Silver, vec![]),
            service("b", Level::Silver, Level::Bronze, vec![]),
        ];
        let new = vec![
            service("a", Level::Silver, Level::Silver, vec![]),
            service("b", Level::None, Level::Bronze, vec![]),
            service("c", Level::None, Level::Bronze, vec![]),
        ];
        let diff = compare(old, new);
        let moves: Vec<(&str, Movement)> = diff
            .levels
            .iter()
            .map(|l| (l.id.as_str(), l.change))
            .collect();
        assert_eq!(
            moves,
            [("b", Movement::DroppedBelowRequired), ("a", Movement::Down)]
        );
        assert_eq!(diff.newly_below_required, ["b", "c"]);
        assert_eq!(diff.services.added[0].id, "c");
    }

    #[test]
    fn each_check_change_is_reported_once() {
        let old = vec![service(
            "a",
            Level::Bronze,
            Level::Bronze,
            vec![
                check("fails", "pass", None),
                check("passes", "fail", None),
                check("expires", "waived", Some("2026-12-01")),
                check("waived", "fail", None),
                check("unwaived", "waived", Some("2026-12-31")),
            ],
        )];
        let new = vec![service(
            "a",
            Level::Bronze,
            Level::Bronze,
            vec![
                check("fails", "fail", None),
                check("passes", "pass", None),
                check("expires", "expired-waiver", Some("2026-12-01")),
                check("waived", "waived", Some("2027-01-31")),
                check("unwaived", "fail", None),
            ],
        )];
        let diff = compare(old, new);
        let ids = |changes: &[CheckChange]| -> Vec<String> {
            changes.iter().map(|c| c.check.clone()).collect()
        };
        assert_eq!(ids(&diff.checks.newly_failing), ["fails"]);
        assert_eq!(ids(&diff.checks.newly_passing), ["passes"]);
        let waivers: Vec<(&str, WaiverMovement, &str)> = diff
            .waivers
            .iter()
            .map(|w| (w.check.as_str(), w.change, w.until.as_str()))
            .collect();
        assert_eq!(
            waivers,
            [
                ("expires", WaiverMovement::Expired, "2026-12-01"),
                ("unwaived", WaiverMovement::Removed, "2026-12-31"),
                ("waived", WaiverMovement::Added, "2027-01-31"),
            ]
        );
    }

    #[test]
    fn dependencies_are_compared_as_edges() {
        let with = |deps: &[(&str, &str)]| {
            let mut a = service("a", Level::Gold, Level::Gold, vec![]);
            a.depends_on = deps
                .iter()
                .map(|(id, kind)| SnapshotDependency {
                    id: (*id).into(),
                    kind: (*kind).into(),
                    external: false,
                })
                .collect();
            vec![a]
        };
        let diff = compare(
            with(&[("b", "hard"), ("c", "soft")]),
            with(&[("c", "hard"), ("d", "soft")]),
        );
        let to = |edges: &[Edge]| -> Vec<String> { edges.iter().map(|e| e.to.clone()).collect() };
        assert_eq!(to(&diff.dependencies.added), ["d"]);
        assert_eq!(to(&diff.dependencies.removed), ["b"]);
        assert_eq!(diff.dependencies.changed[0].was.as_deref(), Some("soft"));
    }

    #[test]
    fn long_lists_are_folded_in_markdown_and_the_drops_never_are() {
        let checks = |status: &str| {
            (0..6)
                .map(|i| check(&format!("c{i}"), status, None))
                .collect()
        };
        let old = vec![service("a", Level::Gold, Level::Gold, checks("pass"))];
        let new = vec![service("a", Level::None, Level::Gold, checks("fail"))];
        let text = markdown::render(&compare(old, new));
        assert!(text.starts_with("**❌ Readiness: 1 service below its required level** · 1 level change · 6 newly failing checks\n"), "{text}");
        assert!(
            text.contains("### ❌ Now below their required level"),
            "{text}"
        );
        assert!(
            text.contains("<details><summary><b>Newly failing checks</b> (6)</summary>"),
            "{text}"
        );
    }
}
