//! History: how readiness changed over the last commits that touched the book, as plain data
//! for the site to draw.
//!
//! Each sampled commit is evaluated with `revision` (never checked out) as of its own commit
//! date, so a point shows readiness as it stood then: a waiver still valid that day counts.
//! That makes a commit's report a fixed fact, kept in the cache as the compact JSON report
//! (`<cache>/history/<sha>.json`): a rebuild evaluates only commits it has not seen. The cache
//! belongs to one opsbook version; another version's checklist may judge differently, so a
//! version change empties it.
//!
//! Everything here decides nothing about readiness: the points are the reports' own verdicts.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::config::{self, Config, Every, HistorySettings};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{Date, Level};
use crate::report::json;
use crate::report::snapshot::Snapshot;
use crate::revision::{CommitInfo, Repository};

/// Readiness at each sampled commit, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct History {
    pub(crate) points: Vec<Point>,
    /// Why there are fewer points than asked for, when it is known (a shallow clone).
    pub(crate) note: Option<String>,
}

/// Readiness at one commit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    pub(crate) commit: Commit,
    pub(crate) organisation: OrganisationPoint,
    /// By service id; a service missing here did not exist at the commit.
    pub(crate) services: BTreeMap<String, ServicePoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    /// The committer's date, YYYY-MM-DD: the day the commit was evaluated as of.
    pub(crate) date: String,
    pub(crate) subject: String,
    /// The commit on its forge's web site, when the repository's address is known.
    pub(crate) url: Option<String>,
}

impl Commit {
    pub(crate) fn short(&self) -> &str {
        &self.sha[..self.sha.len().min(7)]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServicePoint {
    pub(crate) level: Level,
    pub(crate) required: Level,
    pub(crate) failing: usize,
}

/// The organisation at one commit: assessed services only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrganisationPoint {
    pub(crate) assessed: usize,
    pub(crate) meeting_required: usize,
    /// Failing checks over every service.
    pub(crate) failing: usize,
    /// Services at each level, indexed as [`Level::ALL`].
    pub(crate) by_level: [usize; 4],
}

/// The history settings in force: book.toml's `[history]`, with `--history N` (when given)
/// setting the number of commits; 0 turns history off.
pub(crate) fn settings(config: &Config, commits: Option<usize>) -> Option<HistorySettings> {
    let settings = match (commits, &config.history) {
        (Some(commits), history) => HistorySettings {
            commits,
            ..history.clone().unwrap_or_default()
        },
        (None, Some(history)) => history.clone(),
        (None, None) => return None,
    };
    (settings.commits > 0).then_some(settings)
}

/// Reads the history of the book of `config`. Problems (no repository, a shallow clone, a
/// commit that cannot be read) are warnings at book.toml: the site is built without what
/// cannot be had.
pub(crate) fn collect(
    config: &Config,
    settings: &HistorySettings,
    diagnostics: &mut Diagnostics,
) -> History {
    let book = config.display(&config.book_file);
    let warn = |diagnostics: &mut Diagnostics, message: String, help: &str| {
        diagnostics
            .push(Diagnostic::warning(Code::HistoryUnavailable, &book, message).with_help(help));
    };
    let repository = match Repository::discover(&config.root) {
        Ok(repository) => repository,
        Err(problem) => {
            warn(
                diagnostics,
                format!("history was asked for, but {problem}"),
                "build from a clone of the book's repository, or leave out --history and [history]",
            );
            return History::default();
        }
    };
    let paths = repository.versioned_paths(config);
    let limit = (settings.every == Every::Commit).then_some(settings.commits);
    let commits = match repository.log(&paths, limit) {
        Ok(commits) => sample(commits, settings.every, settings.commits),
        Err(problem) => {
            warn(
                diagnostics,
                format!("cannot read the history of the book's repository: {problem}"),
                "check that the repository has at least one commit",
            );
            return History::default();
        }
    };
    let note = (repository.is_shallow() && commits.len() < settings.commits).then(|| {
        let note = format!(
            "the repository is a shallow clone: history shows the {} commit{} it holds",
            commits.len(),
            if commits.len() == 1 { "" } else { "s" }
        );
        warn(
            diagnostics,
            note.clone(),
            "clone with full history (in GitHub Actions: `fetch-depth: 0` on actions/checkout)",
        );
        note
    });
    let web = settings
        .repository
        .clone()
        .or_else(|| repository.web_address());
    let reports = reports(&repository, config, &commits);
    let mut points = Vec::with_capacity(commits.len());
    for (info, report) in commits.into_iter().zip(reports) {
        match report {
            Ok(snapshot) => points.push(point(commit(info, web.as_deref()), &snapshot)),
            Err(problem) => warn(
                diagnostics,
                format!("history leaves out commit {}: {problem}", info.sha),
                "the other commits are drawn",
            ),
        }
    }
    History { points, note }
}

fn commit(info: CommitInfo, web: Option<&str>) -> Commit {
    Commit {
        url: web.map(|web| config::forge_url(web, "commit", &info.sha)),
        sha: info.sha,
        date: info.date,
        subject: info.subject,
    }
}

/// Keeps the newest commit of each period, at most `max` of them, oldest first.
/// `commits` come newest first, as git logs them.
pub(crate) fn sample(commits: Vec<CommitInfo>, every: Every, max: usize) -> Vec<CommitInfo> {
    let mut kept: Vec<CommitInfo> = Vec::new();
    let mut last_period = None;
    for commit in commits {
        let period = period(&commit.date, every);
        if every != Every::Commit && period.is_some() && period == last_period {
            continue;
        }
        last_period = period;
        kept.push(commit);
        if kept.len() == max {
            break;
        }
    }
    kept.reverse();
    kept
}

/// The day, ISO week or month a date falls in, as a comparable key.
fn period(date: &str, every: Every) -> Option<(i16, i16)> {
    let date: jiff::civil::Date = date.parse().ok()?;
    Some(match every {
        Every::Commit | Every::Day => (date.year(), date.day_of_year()),
        Every::Week => {
            let week = date.iso_week_date();
            (week.year(), i16::from(week.week()))
        }
        Every::Month => (date.year(), i16::from(date.month())),
    })
}

/// Each commit's report: from the cache, else evaluated (in parallel) and cached.
fn reports(
    repository: &Repository,
    config: &Config,
    commits: &[CommitInfo],
) -> Vec<Result<Snapshot, String>> {
    let folder = config.cache_dir.join("history");
    prepare_cache(&folder);
    commits
        .par_iter()
        .map(|commit| {
            let file = folder.join(format!("{}.json", commit.sha));
            if let Ok(text) = std::fs::read_to_string(&file)
                && let Ok(snapshot) = Snapshot::parse(&text, "the cached report")
            {
                return Ok(snapshot);
            }
            let today: Date = commit.date.parse()?;
            let evaluated = repository.evaluate_at(&commit.sha, today, &config.cache_dir)?;
            let text = json::render_compact(&json::build(&evaluated));
            // A cache that cannot be written costs time on the next build, nothing else.
            let _ = std::fs::write(&file, &text);
            Snapshot::parse(&text, "the report")
        })
        .collect()
}

/// Makes the cache folder, emptied when another opsbook version filled it.
fn prepare_cache(folder: &Path) {
    let stamp = folder.join("opsbook-version");
    let version = env!("CARGO_PKG_VERSION");
    if std::fs::read_to_string(&stamp).is_ok_and(|v| v.trim() == version) {
        return;
    }
    let _ = std::fs::remove_dir_all(folder);
    if std::fs::create_dir_all(folder).is_ok() {
        let _ = std::fs::write(&stamp, version);
    }
    crate::fetch::ignore_cache_in_git(folder.parent().unwrap_or(folder));
}

/// A commit's point, from its report.
pub(crate) fn point(commit: Commit, snapshot: &Snapshot) -> Point {
    let mut organisation = OrganisationPoint::default();
    let mut services = BTreeMap::new();
    for service in &snapshot.services {
        let failing = service.failing_count();
        organisation.failing += failing;
        if service.is_assessed() {
            organisation.assessed += 1;
            organisation.meeting_required += usize::from(service.meets_required);
            organisation.by_level[service.level as usize] += 1;
        }
        services.insert(
            service.id.clone(),
            ServicePoint {
                level: service.level,
                required: service.required,
                failing,
            },
        );
    }
    Point {
        commit,
        organisation,
        services,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commits(dates: &[&str]) -> Vec<CommitInfo> {
        dates
            .iter()
            .enumerate()
            .map(|(i, date)| CommitInfo {
                sha: format!("{i:040}"),
                date: (*date).into(),
                subject: format!("commit {i}"),
            })
            .collect()
    }

    fn dates(kept: &[CommitInfo]) -> Vec<&str> {
        kept.iter().map(|c| c.date.as_str()).collect()
    }

    #[test]
    fn sampling_keeps_the_newest_commit_of_each_period_oldest_first() {
        let log = commits(&[
            "2026-11-30",
            "2026-11-30",
            "2026-11-25",
            "2026-11-24",
            "2026-10-02",
        ]);
        assert_eq!(
            dates(&sample(log.clone(), Every::Commit, 3)),
            ["2026-11-25", "2026-11-30", "2026-11-30"]
        );
        assert_eq!(
            dates(&sample(log.clone(), Every::Day, 10)),
            ["2026-10-02", "2026-11-24", "2026-11-25", "2026-11-30"]
        );
        // 2026-11-24 and -25 are both in the week starting Monday 2026-11-23.
        assert_eq!(
            dates(&sample(log.clone(), Every::Week, 10)),
            ["2026-10-02", "2026-11-25", "2026-11-30"]
        );
        assert_eq!(sample(log.clone(), Every::Month, 10)[1].sha, log[0].sha);
    }
}
