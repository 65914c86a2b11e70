//! Write: puts the rendered site on disk, atomically.
//!
//! The site is written to a fresh folder beside the output folder and swapped into place at
//! the end, so a failed or interrupted build leaves the previous site exactly as it was.
//! A marker file tells opsbook which folders it may replace: it refuses to replace a
//! non-empty folder it did not write. Whatever `--force` says, the output folder never is,
//! nor holds, the book or one of its sources, and never lies inside the cache.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use crate::fingerprint::Record;

use crate::config::SITE_MARKER as MARKER;

/// A folder of the book's that a build must never replace: its own folder, a source, the cache.
pub(crate) struct Kept<'a> {
    /// What people call it in the error: "the book's folder", "the source folder `services`".
    pub(crate) name: String,
    pub(crate) folder: &'a Path,
    /// Whether, and how, the output may lie inside it.
    pub(crate) inside: Inside,
}

/// What an output folder inside a [`Kept`] folder may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inside {
    /// Anything the usual rules allow (the book's folder).
    Allowed,
    /// Only a folder opsbook wrote, or an empty one: anything else there is a source's doc.
    Unforced,
    /// Nothing (the cache, which holds checkouts of sources).
    Refused,
}

/// Refuses an output folder that is, or holds, one of `kept` (replacing it would delete the
/// book), or lies inside one that may not hold it. Inside a source, a folder opsbook did not
/// write holds docs of that source: `force` does not replace it.
pub(crate) fn check_placement(out_dir: &Path, kept: &[Kept], force: bool) -> Result<()> {
    let out = resolve(out_dir);
    for folder in kept {
        let inner = resolve(folder.folder);
        let clash = if inner == out {
            "is"
        } else if inner.starts_with(&out) {
            "holds"
        } else if !out.starts_with(&inner) {
            continue;
        } else if folder.inside == Inside::Refused {
            "is inside"
        } else if folder.inside == Inside::Unforced && force && !is_replaceable(out_dir)? {
            bail!(
                "{} is inside {} and holds files opsbook did not write: they are part of the book, and --force does not replace them; choose another output folder (-o, or `dir` in [output] of book.toml)",
                out_dir.display(),
                folder.name
            );
        } else {
            continue;
        };
        bail!(
            "the output folder {} {clash} {}: building there would replace the book's own files; choose an output folder outside it (-o, or `dir` in [output] of book.toml)",
            out_dir.display(),
            folder.name
        );
    }
    Ok(())
}

/// `path` made absolute with every symlink and `..` resolved, also where it does not exist yet:
/// the existing part is resolved by the file system, the rest by its names.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        let next = resolved.join(component);
        resolved = match next.canonicalize() {
            Ok(real) => real,
            Err(_) if component == std::path::Component::ParentDir => {
                resolved.pop();
                resolved
            }
            Err(_) => next,
        };
    }
    resolved
}

/// A site being written, file by file and from any thread, into a fresh folder beside the
/// output folder. [`Staging::finish`] swaps it into place; dropped unfinished (an error, a
/// failed check), it is deleted and the output folder is left as it was.
pub(crate) struct Staging {
    folder: tempfile::TempDir,
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    /// Folders already created: most files share one, and each check is a system call.
    created: Mutex<HashSet<PathBuf>>,
    /// Held until the site is in place: while it is, no other build writes beside it, and
    /// staging folders found beside it belong to builds that died.
    _lock: Option<fs::File>,
}

impl Staging {
    pub(crate) fn new(out_dir: &Path, force: bool) -> Result<Staging> {
        if !force {
            check_replaceable(out_dir)?;
        }
        let parent = parent_of(out_dir);
        if let Some(file) = parent.ancestors().find(|p| p.is_file()) {
            bail!(
                "cannot create the output folder {}: {} is a file, not a folder; choose another output folder (-o, or `dir` in [output] of book.toml)",
                out_dir.display(),
                file.display()
            );
        }
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let lock = lock_folder(&parent);
        if lock.is_some() {
            remove_abandoned(&parent, &name);
        }
        let folder = tempfile::Builder::new()
            .prefix(&format!(".{name}.opsbook-new-"))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
        Ok(Staging {
            folder,
            out_dir: out_dir.to_path_buf(),
            parent,
            name,
            created: Mutex::new(HashSet::new()),
            _lock: lock,
        })
    }

    /// Writes one file of the site; `path` is relative to the site's root. A failure names
    /// the file by its place in the site, and says what to do when the disk is full.
    pub(crate) fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.write(path, bytes).map_err(|error| {
            anyhow::anyhow!(
                "cannot write {path} of the new site (in {}): {error}{}",
                self.parent.display(),
                storage_help(&error)
            )
        })
    }

    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.folder.path().join(path);
        if let Some(folder) = target.parent() {
            let known = self
                .created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(folder);
            if !known {
                fs::create_dir_all(folder)?;
                self.created
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(folder.to_path_buf());
            }
        }
        fs::write(&target, bytes)
    }

    /// Marks the site as opsbook's, with the record the next build compares its inputs to
    /// (when the inputs could be fingerprinted), and swaps it into place.
    pub(crate) fn finish(self, record: Option<&Record>) -> Result<()> {
        let mut marker = MARKER_NOTE.to_string();
        if let Some(record) = record {
            marker.push_str(&serde_json::to_string(record)?);
            marker.push('\n');
        }
        self.put(MARKER, marker.as_bytes())?;
        swap_into_place(self.folder, &self.out_dir, &self.parent, &self.name)
    }
}

const MARKER_NOTE: &str = "This folder is generated by opsbook; it is replaced on every build.\n";

/// The record the last build left in `out_dir`'s marker, if it left one.
pub(crate) fn read_record(out_dir: &Path) -> Option<Record> {
    let marker = fs::read_to_string(out_dir.join(MARKER)).ok()?;
    let record = marker.strip_prefix(MARKER_NOTE)?;
    serde_json::from_str(record).ok()
}

/// What to do about a write that failed for want of room.
fn storage_help(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "; the disk is full: free some space and build again"
        }
        std::io::ErrorKind::FileTooLarge => {
            "; a limit on file size (`ulimit -f`) stops opsbook writing it: raise the limit and build again"
        }
        _ => "",
    }
}

fn parent_of(out_dir: &Path) -> PathBuf {
    match out_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Locks the folder the site is staged in, waiting for a build that holds it to finish. A
/// lock dies with its process, so holding it proves that no build is using what lies there.
/// `None` where the file system cannot lock a folder.
fn lock_folder(parent: &Path) -> Option<fs::File> {
    let folder = fs::File::open(parent).ok()?;
    folder.lock().ok()?;
    Some(folder)
}

/// A build that was killed leaves its staging folder (or the previous site it was about to
/// delete) beside the output. Under the lock they are provably abandoned and removed; without
/// one (a file system that cannot lock) they are left, since they may be a running build's.
fn remove_abandoned(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.opsbook-new-"),
        format!(".{name}.opsbook-old-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            fs::remove_dir_all(entry.path()).ok();
        }
    }
}

fn check_replaceable(out_dir: &Path) -> Result<()> {
    if !is_replaceable(out_dir)? {
        bail!(
            "{} is not empty and was not written by opsbook (it has no {MARKER} file); refusing to replace it: choose another folder with -o, or give --force to replace it and everything in it",
            out_dir.display()
        );
    }
    Ok(())
}

/// Whether a build may replace `out_dir` without `--force`: it is missing, empty, or opsbook's.
fn is_replaceable(out_dir: &Path) -> Result<bool> {
    if !out_dir.exists() {
        return Ok(true);
    }
    if !out_dir.is_dir() {
        bail!(
            "{} exists and is not a folder; choose another output folder",
            out_dir.display()
        );
    }
    let empty = fs::read_dir(out_dir)
        .with_context(|| format!("cannot read {}", out_dir.display()))?
        .next()
        .is_none();
    Ok(empty || out_dir.join(MARKER).exists())
}

/// Renames the old site aside, the new one in, then deletes the old one. Between the two
/// renames the output folder is missing for an instant, never half-written.
fn swap_into_place(
    staging: tempfile::TempDir,
    out_dir: &Path,
    parent: &Path,
    name: &str,
) -> Result<()> {
    let staged = staging.keep();
    if !out_dir.exists() {
        return fs::rename(&staged, out_dir)
            .with_context(|| format!("cannot move the new site to {}", out_dir.display()));
    }
    let old = tempfile::Builder::new()
        .prefix(&format!(".{name}.opsbook-old-"))
        .tempdir_in(parent)
        .context("cannot create a temporary folder")?
        .keep();
    fs::remove_dir(&old).ok();
    fs::rename(out_dir, &old)
        .with_context(|| format!("cannot move the previous site {} aside", out_dir.display()))?;
    if let Err(error) = fs::rename(&staged, out_dir) {
        // Put the previous site back so nothing is lost.
        fs::rename(&old, out_dir).ok();
        fs::remove_dir_all(&staged).ok();
        return Err(error)
            .with_context(|| format!("cannot move the new site to {}", out_dir.display()));
    }
    fs::remove_dir_all(&old).ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(pairs: &[(&str, &str)], out_dir: &Path) -> Result<()> {
        let staging = Staging::new(out_dir, false)?;
        for (path, text) in pairs {
            staging.put(path, text.as_bytes())?;
        }
        staging.finish(None)
    }

    #[test]
    fn replaces_a_previous_site_completely() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        write(&[("index.html", "one"), ("a/old.html", "x")], &out).unwrap();
        write(&[("index.html", "two")], &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("a/old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary folders were left behind");
    }

    #[test]
    fn an_unfinished_site_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        write(&[("index.html", "one")], &out).unwrap();
        let staging = Staging::new(&out, false).unwrap();
        staging.put("index.html", b"two").unwrap();
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "the staging folder was left behind");
    }

    #[test]
    fn refuses_to_replace_a_folder_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let error = write(&[("index.html", "x")], dir.path()).unwrap_err();
        assert!(
            error.to_string().contains("not written by opsbook"),
            "{error}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn folders_left_by_builds_that_died_are_removed_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join(".book.opsbook-new-killed");
        let aside = dir.path().join(".book.opsbook-old-killed");
        let unrelated = dir.path().join(".other.opsbook-new-killed");
        for folder in [&staged, &aside, &unrelated] {
            fs::create_dir(folder).unwrap();
            fs::write(folder.join("index.html"), "a page").unwrap();
        }
        write(&[("index.html", "x")], &dir.path().join("book")).unwrap();
        assert!(!staged.exists(), "a dead build's staging folder is removed");
        assert!(!aside.exists(), "a dead build's previous site is removed");
        assert!(
            unrelated.exists(),
            "another output's folders are left alone"
        );
    }

    #[test]
    fn a_build_waits_for_the_one_writing_beside_it_and_leaves_its_folder_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let first = Staging::new(&out, false).unwrap();
        first.put("index.html", b"first").unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        let second_out = out.clone();
        let second = std::thread::spawn(move || {
            write(&[("index.html", "second")], &second_out).unwrap();
            done.send(()).unwrap();
        });
        let waited = finished.recv_timeout(std::time::Duration::from_millis(300));
        assert!(waited.is_err(), "the second build did not wait");
        assert_eq!(
            fs::read(first.folder.path().join("index.html")).unwrap(),
            b"first"
        );
        first.finish(None).unwrap();
        second.join().unwrap();
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "second"
        );
    }
}
