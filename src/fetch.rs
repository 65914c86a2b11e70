//! Fetch: brings every git source of a book into the cache before the sources are walked.
//!
//! Uses the `git` command-line client, run with an argument list (never a shell) and without
//! prompts: it needs no build-time dependency, and it uses the credentials and configuration
//! people already have. Each source is a shallow fetch of one revision into its own folder of
//! the cache (sparse when the source names a `dir`), checked out detached. Sources are fetched
//! in parallel, a few at a time.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{Config, GitSource, Source};
use crate::diag::{Code, Diagnostic, Diagnostics};

/// How a build may use the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Network {
    /// Fetch every git source (a commit already in the cache is not fetched again).
    #[default]
    Fetch,
    /// Fetch, but build from the cache when fetching fails (the pages say how old it is).
    AllowStale,
    /// Use only what the cache holds.
    Offline,
}

/// At most this many fetches run at once: enough to hide network latency, few enough not
/// to look like an attack to a git server.
const PARALLEL_FETCHES: usize = 4;

/// What the cache knows about a checkout, kept beside it.
#[derive(Debug, Serialize, Deserialize)]
struct Fetched {
    url: String,
    rev: Option<String>,
    commit: String,
    /// When, as an RFC 3339 timestamp.
    at: String,
}

/// Fetches the git sources of `config` as `network` allows. A source that cannot be had is
/// an error naming it (and is marked unavailable); one built from a stale cache is a warning
/// and is marked with the time it was fetched.
pub(crate) fn fetch_sources(config: &mut Config, network: Network, diagnostics: &mut Diagnostics) {
    if !config.sources.iter().any(|s| s.git.is_some()) {
        return;
    }
    if network != Network::Offline
        && let Err(problem) = crate::git::available()
    {
        diagnostics.push(Diagnostic::error(
            Code::GitUnavailable,
            config.display(&config.book_file),
            format!("this book has git sources, but {problem}"),
        ));
        for source in config.sources.iter_mut().filter(|s| s.git.is_some()) {
            source.unavailable = true;
        }
        return;
    }
    ignore_cache_in_git(&config.cache_dir);
    let book = config.display(&config.book_file);
    let progress = std::io::stderr().is_terminal();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(PARALLEL_FETCHES)
        .build();
    let fetch_all = |sources: &mut Vec<Source>| {
        sources
            .par_iter_mut()
            .filter(|s| s.git.is_some())
            .filter_map(|source| prepare(source, network, progress, &book))
            .collect::<Vec<_>>()
    };
    let problems = match &pool {
        Ok(pool) => pool.install(|| fetch_all(&mut config.sources)),
        Err(_) => fetch_all(&mut config.sources),
    };
    for problem in problems {
        diagnostics.push(problem);
    }
}

/// Refreshes every git source of the book in `dir`: `opsbook fetch`.
pub(crate) fn refresh(dir: &Path) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let mut config = crate::config::load(dir, &mut diagnostics);
    if !diagnostics.has_errors() {
        fetch_sources(&mut config, Network::Fetch, &mut diagnostics);
    }
    diagnostics
}

/// Brings one git source into the cache as `network` allows; a problem is reported at the
/// source's entry in `book` (book.toml).
fn prepare(
    source: &mut Source,
    network: Network,
    progress: bool,
    book: &Path,
) -> Option<Diagnostic> {
    let git = source.git.as_ref()?;
    let at = |diagnostic: Diagnostic, help: &str| {
        Some(diagnostic.at_opt(source.declared_at).with_help(help))
    };
    let cached = read_fetched(git);
    let pinned = cached
        .as_ref()
        .is_some_and(|c| git.rev.as_deref() == Some(c.commit.as_str()));
    if network == Network::Offline || pinned {
        if cached.is_some() {
            return None;
        }
        source.unavailable = true;
        let message = format!(
            "source `{}` ({}) is not in the cache, and the build is offline",
            source.name, git.url
        );
        return at(
            Diagnostic::error(Code::SourceNotCached, book, message),
            "run `opsbook fetch` once while online",
        );
    }
    let started = Instant::now();
    if progress {
        eprintln!("fetching {} ({})", source.name, describe_rev(git));
    }
    match fetch(git) {
        Ok(commit) => {
            if progress {
                eprintln!(
                    "fetched {} at {} in {:.1} s",
                    source.name,
                    &commit[..commit.len().min(12)],
                    started.elapsed().as_secs_f64()
                );
            }
            None
        }
        Err(error) => match cached {
            Some(cached) if network == Network::AllowStale => {
                let message = format!(
                    "could not fetch source `{}` ({}): {error}; building from the copy fetched {}",
                    source.name, git.url, cached.at
                );
                source.stale_since = Some(cached.at);
                at(
                    Diagnostic::warning(Code::SourceStale, book, message),
                    "the pages of its services say how old they are",
                )
            }
            cached => {
                source.unavailable = true;
                let help = if cached.is_some() {
                    "check the URL and `rev`, or give --allow-stale to build from the cached copy"
                } else {
                    "check the URL, `rev` and your access to the repository"
                };
                let message = format!(
                    "cannot fetch source `{}` ({}, {}): {error}",
                    source.name,
                    git.url,
                    describe_rev(git)
                );
                at(
                    Diagnostic::error(Code::SourceFetchFailed, book, message),
                    help,
                )
            }
        },
    }
}

fn describe_rev(git: &GitSource) -> String {
    match &git.rev {
        Some(rev) => format!("rev {rev}"),
        None => "its default branch".into(),
    }
}

/// Fetches `git.rev` into the checkout and checks it out; returns the commit.
fn fetch(git: &GitSource) -> Result<String, String> {
    let checkout = &git.checkout;
    std::fs::create_dir_all(checkout).map_err(|e| format!("cannot create the cache: {e}"))?;
    if !checkout.join(".git").exists() {
        crate::git::run(checkout, &["init", "--quiet"])?;
        crate::git::run(checkout, &["remote", "add", "origin", "--", &git.url])?;
    }
    match &git.dir {
        Some(dir) => crate::git::run(checkout, &["sparse-checkout", "set", "--", dir])?,
        None => crate::git::run(checkout, &["sparse-checkout", "disable"])?,
    };
    let rev = git.rev.as_deref().unwrap_or("HEAD");
    crate::git::run(
        checkout,
        &[
            "fetch",
            "--quiet",
            "--depth=1",
            "--filter=blob:none",
            "--no-tags",
            "origin",
            rev,
        ],
    )?;
    crate::git::run(
        checkout,
        &["checkout", "--quiet", "--force", "--detach", "FETCH_HEAD"],
    )?;
    let commit = crate::git::run(checkout, &["rev-parse", "HEAD"])?;
    let fetched = Fetched {
        url: git.url.clone(),
        rev: git.rev.clone(),
        commit: commit.clone(),
        at: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string()),
    };
    let text = serde_json::to_string_pretty(&fetched).map_err(|e| e.to_string())?;
    std::fs::write(fetched_file(git), text).map_err(|e| format!("cannot write the cache: {e}"))?;
    Ok(commit)
}

/// What the cache says about this source's checkout, if it holds this URL and revision.
fn read_fetched(git: &GitSource) -> Option<Fetched> {
    let text = std::fs::read_to_string(fetched_file(git)).ok()?;
    let fetched: Fetched = serde_json::from_str(&text).ok()?;
    (fetched.url == git.url && fetched.rev == git.rev && git.checkout.join(".git").exists())
        .then_some(fetched)
}

fn fetched_file(git: &GitSource) -> std::path::PathBuf {
    git.checkout.with_extension("json")
}

/// The cache is never something to commit: a `.gitignore` of `*` at its top says so.
pub(crate) fn ignore_cache_in_git(cache_dir: &Path) {
    let top = cache_dir.parent().filter(|p| p.ends_with(".opsbook"));
    let folder = top.unwrap_or(cache_dir);
    let ignore = folder.join(".gitignore");
    if !ignore.exists() && std::fs::create_dir_all(folder).is_ok() {
        let _ = std::fs::write(ignore, "# opsbook's cache of git sources\n*\n");
    }
}
