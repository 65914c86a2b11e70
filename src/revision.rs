//! Revision: the book as it was at a commit of its git repository, evaluated without touching
//! the working tree, the index or any ref.
//!
//! The files the book reads at that commit (its book.toml, local source folders and checklist,
//! all found relative to the repository's top, so the book may be a sub-folder and its sources
//! may sit beside it) are read with `git ls-tree` and `git cat-file --batch` into a temporary
//! folder, and the book there is evaluated like any other. Git reads only its object store, so
//! this works while someone edits or stages files, and leaves nothing behind.
//!
//! What the repository does not hold cannot be had at a commit: git sources are read from the
//! book's cache as it is now (offline), and files outside the repository as they are on disk.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;

use crate::book::{self, Evaluated};
use crate::config::{self, Config};
use crate::diag::Diagnostics;
use crate::fetch::Network;
use crate::git;
use crate::model::Date;

/// The git repository holding a book.
#[derive(Debug, Clone)]
pub(crate) struct Repository {
    /// The top of the working tree.
    pub(crate) root: PathBuf,
    /// The book's folder, inside `root`.
    pub(crate) book_dir: PathBuf,
}

/// A commit, as history and messages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitInfo {
    pub(crate) sha: String,
    /// The committer's date, YYYY-MM-DD.
    pub(crate) date: String,
    pub(crate) subject: String,
}

impl Repository {
    /// The repository holding the book in `book_dir`.
    pub(crate) fn discover(book_dir: &Path) -> Result<Repository, String> {
        git::available()?;
        let book_dir = book_dir
            .canonicalize()
            .map_err(|e| format!("cannot open the book folder {}: {e}", book_dir.display()))?;
        let root = git::run(&book_dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            format!(
                "{} is not inside a git repository, so it has no revisions to read",
                book_dir.display()
            )
        })?;
        let root = PathBuf::from(root)
            .canonicalize()
            .map_err(|e| format!("cannot open the repository's folder: {e}"))?;
        Ok(Repository { root, book_dir })
    }

    /// The full commit id `rev` names.
    pub(crate) fn resolve(&self, rev: &str) -> Result<String, String> {
        if rev.is_empty() || rev.starts_with('-') {
            return Err(format!("`{rev}` is not a revision"));
        }
        let spec = format!("{rev}^{{commit}}");
        git::run(
            &self.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        )
        .ok()
        .filter(|sha| !sha.is_empty())
        .ok_or_else(|| {
            let shallow = if self.is_shallow() {
                " (this is a shallow clone: older commits are not here)"
            } else {
                ""
            };
            format!(
                "`{rev}` is neither a report file nor a commit of the repository at {}{shallow}",
                self.root.display()
            )
        })
    }

    /// Whether the repository is a shallow clone, holding only the latest commits.
    pub(crate) fn is_shallow(&self) -> bool {
        git::run(&self.root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true")
    }

    /// The repository's web address on GitHub or GitLab, from its `origin` remote.
    pub(crate) fn web_address(&self) -> Option<String> {
        let url = git::run(&self.root, &["remote", "get-url", "origin"]).ok()?;
        config::web_address(&url)
    }

    /// The latest `max` commits reachable from HEAD that changed one of `paths` (relative to
    /// the top of the repository), newest first.
    pub(crate) fn log(
        &self,
        paths: &[String],
        max: Option<usize>,
    ) -> Result<Vec<CommitInfo>, String> {
        let max = max.map(|n| format!("--max-count={n}"));
        let mut args = vec!["--literal-pathspecs", "log", "--format=%H%x1f%cI%x1f%s%x1e"];
        args.extend(max.as_deref());
        args.extend(["HEAD", "--"]);
        args.extend(paths.iter().map(String::as_str));
        let text = git::run(&self.root, &args)?;
        Ok(text
            .split('\u{1e}')
            .filter_map(|record| {
                let mut fields = record.trim_start_matches('\n').split('\u{1f}');
                let (sha, date, subject) = (fields.next()?, fields.next()?, fields.next()?);
                (!sha.is_empty()).then(|| CommitInfo {
                    sha: sha.to_string(),
                    date: date.chars().take(10).collect(),
                    subject: subject.to_string(),
                })
            })
            .collect())
    }

    /// The book's inputs that git versions: book.toml, local source folders and the
    /// checklist file, relative to the top of the repository.
    pub(crate) fn versioned_paths(&self, config: &Config) -> Vec<String> {
        inputs(config, &self.book_dir)
            .into_iter()
            .filter_map(|path| inside(&self.root, &path))
            .collect()
    }

    /// Evaluates the book as it was at `commit`, as of `today`. `cache_dir` is the book's
    /// cache now, where its git sources are read from.
    pub(crate) fn evaluate_at(
        &self,
        commit: &str,
        today: Date,
        cache_dir: &Path,
    ) -> Result<Evaluated, String> {
        let temp =
            tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
        let top = temp
            .path()
            .canonicalize()
            .map_err(|e| format!("cannot open the temporary folder: {e}"))?;
        let book_in_repo = inside(&self.root, &self.book_dir).unwrap_or_default();
        let book = top.join(&book_in_repo);
        std::fs::create_dir_all(&book)
            .map_err(|e| format!("cannot write {}: {e}", book.display()))?;
        self.extract(commit, &[join(&book_in_repo, config::BOOK_FILE)], &top)?;
        let mut diagnostics = Diagnostics::new();
        let mut config = config::load(&book, &mut diagnostics);
        let wanted: Vec<String> = inputs(&config, &book)
            .iter()
            .filter_map(|path| inside(&top, path))
            .collect();
        self.extract(commit, &wanted, &top)?;
        self.relocate(&mut config, &book, cache_dir);
        Ok(book::evaluate_config(
            config,
            diagnostics,
            today,
            Network::Offline,
        ))
    }

    /// Points what the commit cannot hold at where it is now: paths outside the repository
    /// at the disk, git sources at the book's cache.
    fn relocate(&self, config: &mut Config, book: &Path, cache_dir: &Path) {
        let now = |path: &Path| match path.strip_prefix(book) {
            Ok(relative)
                if inside(&self.root, &normalize(&self.book_dir.join(relative))).is_none() =>
            {
                Some(self.book_dir.join(relative))
            }
            _ => None,
        };
        for source in &mut config.sources {
            if let Some(git) = &mut source.git {
                if let Ok(rest) = git.checkout.strip_prefix(&config.cache_dir) {
                    git.checkout = cache_dir.join(rest);
                }
                if let Ok(rest) = source.folder.strip_prefix(&config.cache_dir) {
                    source.folder = cache_dir.join(rest);
                }
            } else if let Some(folder) = now(&source.folder) {
                source.folder = folder;
            }
        }
        if let Some(file) = config.checklist.file.as_ref().and_then(|f| now(f)) {
            config.checklist.file = Some(file);
        }
        config.cache_dir = cache_dir.to_path_buf();
    }

    /// Writes the regular files below `paths` at `commit` into `into`, at their paths in the
    /// repository. Symbolic links and submodules are left out: a link could point anywhere.
    fn extract(&self, commit: &str, paths: &[String], into: &Path) -> Result<(), String> {
        if paths.is_empty() {
            return Ok(());
        }
        let mut args = vec![
            "--literal-pathspecs",
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            commit,
        ];
        // An empty path is the top of the repository: the whole tree, which no pathspec names.
        if !paths.iter().any(String::is_empty) {
            args.push("--");
            args.extend(paths.iter().map(String::as_str));
        }
        let listing = git::run(&self.root, &args)?;
        let files: Vec<(&str, &str)> = listing
            .split('\0')
            .filter_map(|entry| {
                let (meta, path) = entry.split_once('\t')?;
                let mut meta = meta.split(' ');
                let (mode, kind, sha) = (meta.next()?, meta.next()?, meta.next()?);
                let regular = kind == "blob" && (mode == "100644" || mode == "100755");
                (regular && is_safe(path)).then_some((sha, path))
            })
            .collect();
        self.write_blobs(&files, into)
    }

    /// Reads every blob through one `git cat-file --batch` and writes it at its path.
    fn write_blobs(&self, files: &[(&str, &str)], into: &Path) -> Result<(), String> {
        if files.is_empty() {
            return Ok(());
        }
        let mut child = git::command(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
        let request: String = files.iter().map(|(sha, _)| format!("{sha}\n")).collect();
        // Written from another thread: git answers while it reads, and both pipes are finite.
        let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
        let stdout = child.stdout.take().ok_or("git cat-file has no output")?;
        let mut reader = BufReader::new(stdout);
        let result = files
            .iter()
            .try_for_each(|(_, path)| write_blob(&mut reader, &into.join(path)));
        drop(reader);
        let _ = writer.join();
        let _ = child.wait();
        result
    }
}

/// Copies the next object of a `cat-file --batch` answer to `target`.
fn write_blob(reader: &mut impl BufRead, target: &Path) -> Result<(), String> {
    let mut header = String::new();
    reader
        .read_line(&mut header)
        .map_err(|e| format!("cannot read from git: {e}"))?;
    let size: u64 = header
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("git cat-file answered {:?}", header.trim()))?;
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot write {}: {e}", folder.display()))?;
    }
    let mut file = std::fs::File::create(target)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    std::io::copy(&mut reader.take(size), &mut file)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    let mut newline = [0u8; 1];
    reader
        .read_exact(&mut newline)
        .map_err(|e| format!("cannot read from git: {e}"))
}

/// The files and folders a book reads that may be in its repository, as absolute paths.
fn inputs(config: &Config, book: &Path) -> Vec<PathBuf> {
    let mut paths = vec![book.join(config::BOOK_FILE)];
    paths.extend(
        config
            .sources
            .iter()
            .filter(|s| s.git.is_none())
            .map(|s| s.folder.clone()),
    );
    paths.extend(config.checklist.file.clone());
    paths
}

/// `path` relative to `top` (`/`-separated, empty for `top` itself), unless it leaves `top`.
fn inside(top: &Path, path: &Path) -> Option<String> {
    let normalized = normalize(path);
    Some(crate::links::slash_path(normalized.strip_prefix(top).ok()?))
}

/// `path` with its `.` and `..` steps taken, without asking the disk (what matters is how
/// the user wrote it, not where a symlink leads).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

fn join(folder: &str, file: &str) -> String {
    if folder.is_empty() {
        file.to_string()
    } else {
        format!("{folder}/{file}")
    }
}

/// A path from a git tree that stays where it is put.
fn is_safe(path: &str) -> bool {
    !path.starts_with('/')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && part != ".git")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_top_and_never_leave_it() {
        let top = Path::new("/repo");
        assert_eq!(
            inside(top, Path::new("/repo/book/../services")),
            Some("services".into())
        );
        assert_eq!(inside(top, Path::new("/repo")), Some(String::new()));
        assert_eq!(inside(top, Path::new("/repo/../elsewhere")), None);
        assert!(is_safe("docs/a.md"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "a//b", ".git/config"] {
            assert!(!is_safe(bad), "{bad}");
        }
    }
}
