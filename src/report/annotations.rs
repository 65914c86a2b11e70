//! What a code-review tool flags: each gap and waiver at the line that decided it, and every
//! problem in a user's file, with paths as the repository knows them. The `github` and
//! `sarif` formats are two spellings of this list.

use std::path::{Path, PathBuf};

use crate::book::Evaluated;
use crate::checklist::Check;
use crate::diag::{Diagnostic, display_path};
use crate::model::{Level, ServiceDoc};
use crate::report::{CheckResult, ServiceReport, Status};
use crate::revision::normalize;

/// How loudly a result is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// A failing check the service needs for its required level.
    Error,
    /// A failing check above the required level.
    Warning,
    /// A waived check: shown, but not counted against anyone.
    Note,
}

/// One check result worth showing on a pull request.
pub(crate) struct Gap<'a> {
    pub(crate) doc: &'a ServiceDoc,
    pub(crate) service: &'a ServiceReport,
    pub(crate) check: &'a Check,
    pub(crate) result: &'a CheckResult,
    pub(crate) severity: Severity,
}

impl Gap<'_> {
    /// One sentence a reviewer reads on the line: whose gap, what is wrong, how to fix it.
    pub(crate) fn message(&self) -> String {
        let waiver = match (&self.result.waiver, self.result.status) {
            (Some(w), Status::Waived) => format!(" Waived until {}: {}", w.until, w.reason),
            (Some(w), Status::ExpiredWaiver) => {
                format!(" The waiver expired {}: {}", w.until, w.reason)
            }
            _ => String::new(),
        };
        let level = match self.service.level {
            Level::None => "below bronze".to_string(),
            level => level.to_string(),
        };
        format!(
            "{} is {level} and needs {}: {}.{waiver} Fix: {}",
            self.doc.service, self.service.required, self.result.message, self.check.fix
        )
    }

    /// A short title: the check and the level it belongs to.
    pub(crate) fn title(&self) -> String {
        format!(
            "{} ({}): {}",
            self.check.id, self.check.level, self.check.title
        )
    }
}

/// Failing and waived results of every assessed service, in catalog then checklist order.
pub(crate) fn gaps(evaluated: &Evaluated) -> Vec<Gap<'_>> {
    let Evaluated {
        catalog,
        checklist,
        report,
        ..
    } = evaluated;
    let mut gaps = Vec::new();
    for service in report.services.iter().filter(|s| s.assessed) {
        let doc = &catalog.services[service.service].source.doc;
        for result in &service.results {
            let check = &checklist.checks[result.check];
            let severity = match result.status {
                Status::Waived => Severity::Note,
                status if status.is_failing() && check.level <= service.required => Severity::Error,
                status if status.is_failing() => Severity::Warning,
                _ => continue,
            };
            gaps.push(Gap {
                doc,
                service,
                check,
                result,
                severity,
            });
        }
    }
    gaps
}

/// A problem in a user's file as one line of text: the message, then its help.
pub(crate) fn problem_text(problem: &Diagnostic) -> String {
    match &problem.help {
        Some(help) => format!("{} Help: {help}", problem.message),
        None => problem.message.clone(),
    }
}

/// Turns the paths opsbook displays (relative to the book root, or absolute) into paths
/// relative to the repository being reviewed, which is what annotations are matched by.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    /// The book root, absolute.
    book_root: PathBuf,
    /// The top of the git work tree holding the book, or the current folder outside git.
    top: PathBuf,
}

impl Workspace {
    /// Finds the work tree around `book_root` (reads the file system, nothing else).
    pub(crate) fn find(book_root: &Path) -> Workspace {
        let book_root = std::path::absolute(book_root).unwrap_or_else(|_| book_root.into());
        let top = book_root
            .ancestors()
            .find(|folder| folder.join(".git").exists())
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| book_root.clone());
        Workspace { book_root, top }
    }

    /// `display` as the repository knows it, `/`-separated; paths outside it (a fetched
    /// source in the cache) are returned as displayed.
    pub(crate) fn path(&self, display: &Path) -> String {
        match self.absolute(display).strip_prefix(&self.top) {
            Ok(inside) => display_path(inside),
            Err(_) => display_path(display),
        }
    }

    /// The top of the work tree.
    pub(crate) fn top(&self) -> &Path {
        &self.top
    }

    /// `display` as an absolute path.
    pub(crate) fn absolute(&self, display: &Path) -> PathBuf {
        normalize(&self.book_root.join(display))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_to_the_work_tree() {
        let workspace = Workspace {
            book_root: PathBuf::from("/repo/docs"),
            top: PathBuf::from("/repo"),
        };
        assert_eq!(
            workspace.path(Path::new("services/a.md")),
            "docs/services/a.md"
        );
        assert_eq!(workspace.path(Path::new("../ops/b.md")), "ops/b.md");
        assert_eq!(workspace.path(Path::new("/repo/x/c.md")), "x/c.md");
        assert_eq!(
            workspace.path(Path::new("/elsewhere/d.md")),
            "/elsewhere/d.md"
        );
    }
}
