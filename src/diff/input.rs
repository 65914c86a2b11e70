//! One side of `opsbook diff`: a JSON report file, or a revision of the book's repository
//! evaluated as of a given day.

use std::path::Path;

use crate::config;
use crate::diag::Diagnostics;
use crate::diff::Side;
use crate::model::Date;
use crate::report::snapshot::Snapshot;
use crate::revision::Repository;

/// A side read and ready to compare, with the problems its book had at that revision.
#[derive(Debug)]
pub(crate) struct Input {
    pub(crate) side: Side,
    pub(crate) snapshot: Snapshot,
    pub(crate) diagnostics: Diagnostics,
}

/// Reads `arg`: an existing file is a JSON report (as `check --format json` prints it, or a
/// site's `readiness.json`); anything else is a revision of the repository holding `book`.
pub(crate) fn read(arg: &str, book: &Path, today: Date) -> Result<Input, String> {
    let path = Path::new(arg);
    if path.is_file() {
        return read_file(arg, path);
    }
    let repository = Repository::discover(book).map_err(|problem| {
        format!("`{arg}` is not a file, and it cannot be a revision: {problem}")
    })?;
    let commit = repository.resolve(arg)?;
    let cache_dir = config::load(&repository.book_dir, &mut Diagnostics::new()).cache_dir;
    let evaluated = repository.evaluate_at(&commit, today, &cache_dir)?;
    Ok(Input {
        side: Side {
            label: arg.to_string(),
            commit: Some(commit),
            evaluated_on: today.to_string(),
            errors: evaluated.diagnostics.count(crate::diag::Severity::Error),
        },
        snapshot: Snapshot::of(&evaluated),
        diagnostics: evaluated.diagnostics,
    })
}

fn read_file(arg: &str, path: &Path) -> Result<Input, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {arg}: {e}"))?;
    let snapshot = Snapshot::parse(&text, arg)?;
    Ok(Input {
        side: Side {
            label: arg.to_string(),
            commit: None,
            evaluated_on: snapshot.evaluated_on.clone(),
            errors: snapshot.errors(),
        },
        snapshot,
        diagnostics: Diagnostics::new(),
    })
}
