//! Sources: find the Markdown files of a book and read them.
//!
//! One of the two stages that touch the disk (the other writes the site). Walks every source
//! folder named in book.toml, skipping hidden folders, `target`, `node_modules` and the output
//! folder. Symlinks are not followed: one that leads out of its source is refused with a
//! warning, one that stays inside is skipped (the walk reaches its target at its own path), and
//! one that cannot be resolved (broken, or naming itself) is a warning. Files are read as
//! bytes: the parse stage decides what they mean.

use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::config::{Config, ImportFormat, Source, SourceFormat};
use crate::diag::{Code, Diagnostic, Diagnostics, display_path};

/// One Markdown file or asset found in a source folder.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path shown to people: relative to the book root.
    pub display_path: PathBuf,
    /// Which source folder it came from (index into `Config::sources`).
    pub source_index: usize,
    /// Path relative to its source folder, with `/` separators: decides URLs.
    pub relative: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// Markdown is parsed; assets (images beside the docs) are published as `asset_policy` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Markdown,
    Asset,
    /// A file of another tool that describes services: every YAML file of a Backstage
    /// source, and the files other sources hold under the names their tools look for.
    Foreign(ImportFormat),
    /// Any other file: read, and published as `asset_policy` says, only once a doc links to
    /// it ([`FileKind::Linked`]).
    Other,
    /// A file of another type that a doc links to.
    Linked,
}

const ASSET_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "svgz", "webp", "avif"];

const SKIPPED_FOLDERS: &[&str] = &["target", "node_modules"];

/// GitHub's folder of a repository, hidden like every folder whose name starts with a dot,
/// but holding the CODEOWNERS GitHub reads first: only that file is taken from it.
const GITHUB: &str = ".github";

/// Larger files are not read: a service doc or an image of this size is a mistake (a log, a
/// dump, a video), and reading many of them would exhaust memory.
pub(crate) const MAX_FILE_BYTES: u64 = 10_000_000;

/// A file found by the walk, not read yet.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) path: PathBuf,
    pub(crate) source_index: usize,
    /// Relative to its source folder, `/`-separated.
    pub(crate) relative: String,
    pub(crate) kind: FileKind,
    /// Modification time and size: a file whose stamp did not change need not be read again.
    pub(crate) stamp: Option<(std::time::SystemTime, u64)>,
}

/// Finds every Markdown file and asset of the book, in a stable order, without reading them.
pub(crate) fn find(config: &Config, diagnostics: &mut Diagnostics) -> Vec<Found> {
    let output = config.output_dir.canonicalize().ok();
    let mut found = Vec::new();
    for (source_index, source) in config.sources.iter().enumerate() {
        if source.unavailable {
            continue;
        }
        if !source.folder.is_dir() {
            diagnostics.push(missing_folder(config, source));
            continue;
        }
        walk(
            config,
            source,
            source_index,
            output.as_deref(),
            &mut found,
            diagnostics,
        );
    }
    found.sort_by(|a, b| (a.source_index, &a.relative).cmp(&(b.source_index, &b.relative)));
    found
}

fn missing_folder(config: &Config, source: &Source) -> Diagnostic {
    let folder = display_path(&config.display(&source.folder));
    match &source.git {
        Some(git) => Diagnostic::error(
            Code::SourceFolderMissing,
            config.display(&config.book_file),
            format!(
                "source `{}`: the repository has no folder `{}` at {}",
                source.name,
                git.dir.as_deref().unwrap_or("."),
                git.rev.as_deref().unwrap_or("its default branch")
            ),
        )
        .with_help("fix `dir` of this [[source]]"),
        None => Diagnostic::error(
            Code::SourceFolderMissing,
            config.display(&config.book_file),
            format!("source folder `{folder}` does not exist"),
        )
        .with_help("fix `src` in [book] or `path` of the [[source]], or create the folder"),
    }
}

/// Reads a found file, never more than [`MAX_FILE_BYTES`] of it: the size is taken from the
/// open file, and the read stops past the limit even if the file grows meanwhile.
pub(crate) fn read(config: &Config, found: &Found) -> Result<SourceFile, Diagnostic> {
    let display_path = config.display(&found.path);
    let cannot_read = |error: std::io::Error| {
        Diagnostic::error(
            Code::FileUnreadable,
            &display_path,
            format!("cannot read the file: {error}"),
        )
        .with_help("if it was deleted or moved during the build, build again")
    };
    let too_large = |size: u64| {
        Diagnostic::error(
            Code::FileTooLarge,
            &display_path,
            format!(
                "the file is {:.1} MB; opsbook reads files of up to {} MB",
                size as f64 / 1e6,
                MAX_FILE_BYTES / 1_000_000
            ),
        )
        .with_help(
            "split it into pages beside the service doc, or move large images out of the sources",
        )
    };
    let root = &config.sources[found.source_index].folder;
    let file = open_beneath(root, &found.path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > MAX_FILE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(SourceFile {
        display_path,
        source_index: found.source_index,
        relative: found.relative.clone(),
        kind: found.kind,
        bytes,
    })
}

/// Opens the regular file at `path` inside the source folder `root`, following no symlink on
/// the way: the walk saw a file there, but it may since have been swapped for a link that
/// leads out of the sources (a race that published secrets). Each folder is opened by the
/// one before it, so no name can be redirected between the check and the read.
#[cfg(unix)]
fn open_beneath(root: &Path, path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    let beneath = path
        .strip_prefix(root)
        .map_err(|_| std::io::ErrorKind::InvalidInput)?;
    let mut opened = openat(
        CWD,
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = beneath.components().peekable();
    while let Some(component) = names.next() {
        let std::path::Component::Normal(name) = component else {
            return Err(std::io::ErrorKind::InvalidInput.into());
        };
        // The last name must be a file; NONBLOCK keeps a FIFO put there from hanging the open.
        let kind = match names.peek() {
            Some(_) => OFlags::DIRECTORY,
            None => OFlags::NONBLOCK,
        };
        opened = openat(
            &opened,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | kind,
            Mode::empty(),
        )
        .map_err(|errno| match errno {
            rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => std::io::Error::other(
                "it became a symlink after it was found, and symlinks are not followed",
            ),
            errno => errno.into(),
        })?;
    }
    let file = std::fs::File::from(opened);
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is no longer a regular file"));
    }
    Ok(file)
}

#[cfg(not(unix))]
fn open_beneath(_root: &Path, path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is no longer a regular file"));
    }
    Ok(file)
}

fn walk(
    config: &Config,
    source: &Source,
    source_index: usize,
    output: Option<&Path>,
    found: &mut Vec<Found>,
    diagnostics: &mut Diagnostics,
) {
    let root = source.folder.as_path();
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let formats: &[ImportFormat] = match source.import {
        true => &config.import.formats,
        false => &[],
    };
    // GitHub reads CODEOWNERS in `.github/` first: the one hidden folder worth entering.
    let github = formats.contains(&ImportFormat::CodeOwners);
    let mut escapes = Vec::new();
    let mut old_sites = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let github_folder = github && entry.depth() == 1 && entry.file_name() == GITHUB;
            if entry.depth() == 0 || (is_skipped(entry, output) && !github_folder) {
                return entry.depth() == 0;
            }
            if is_site(entry) {
                old_sites.push(entry.path().to_path_buf());
                return false;
            }
            // A symlink may lead anywhere on the machine: what is outside the source folder
            // is neither read nor published. What is inside it the walk reaches at its own
            // path: followed, it would be read twice (every service a duplicate), or forever.
            if entry.path_is_symlink()
                && let Ok(target) = entry.path().canonicalize()
            {
                if !target.starts_with(&real_root) {
                    escapes.push((entry.path().to_path_buf(), target));
                }
                return false;
            }
            true
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let relative = relative_slash_path(root, entry.path());
                let in_github = relative.starts_with(".github/");
                let compose_files = &config.import.compose_files;
                if let Some(kind) = file_kind(
                    entry.path(),
                    &relative,
                    source.format,
                    formats,
                    compose_files,
                )
                .filter(|kind| !in_github || *kind == FileKind::Foreign(ImportFormat::CodeOwners))
                    && source.includes(&relative)
                {
                    let stamp = entry
                        .metadata()
                        .ok()
                        .and_then(|m| Some((m.modified().ok()?, m.len())));
                    found.push(Found {
                        path: entry.into_path(),
                        source_index,
                        relative,
                        kind,
                        stamp,
                    });
                }
            }
            Ok(_) => {}
            Err(error) => diagnostics.push(walk_problem(config, root, &error)),
        }
    }
    for site in old_sites {
        diagnostics.push(
            Diagnostic::warning(Code::BuiltSiteSkipped,
                config.display(&site),
                "this folder is a site opsbook built (it has a `.opsbook` marker); its pages were not read as docs",
            )
            .with_help("delete it, or build into a folder outside the sources"),
        );
    }
    for (link, target) in escapes {
        // A warning: one repository's stray link must not stop everyone's build.
        diagnostics.push(
            Diagnostic::warning(
                Code::SymlinkOutsideSource,
                config.display(&link),
                format!(
                    "this symlink leads outside the source folder, to `{}`; it was not read",
                    target.display()
                ),
            )
            .with_help("copy the file into the source folder, or add its folder as a [[source]]"),
        );
    }
}

fn walk_problem(config: &Config, root: &Path, error: &walkdir::Error) -> Diagnostic {
    let path = error.path().unwrap_or(root);
    let message = match error.loop_ancestor() {
        Some(ancestor) => format!(
            "symlink loop: this folder links back to `{}`; it was skipped",
            display_path(&config.display(ancestor))
        ),
        None => format!("cannot read this folder: {error}; it was skipped"),
    };
    Diagnostic::warning(Code::FolderUnreadable, config.display(path), message)
}

fn is_skipped(entry: &DirEntry, output: Option<&Path>) -> bool {
    let name = entry.file_name().to_string_lossy();
    if name.starts_with('.') {
        return true;
    }
    if !entry.file_type().is_dir() {
        return false;
    }
    // Resolving a path costs a system call per folder: only for folders named like the output.
    SKIPPED_FOLDERS.contains(&name.as_ref())
        || output.is_some_and(|out| {
            out.file_name() == Some(entry.file_name())
                && entry.path().canonicalize().is_ok_and(|p| p == out)
        })
}

/// A site opsbook wrote, other than the current output: read as docs, its pages would be
/// published again inside the new site, one more level deep with every build.
fn is_site(entry: &DirEntry) -> bool {
    entry.file_type().is_dir() && entry.path().join(crate::config::SITE_MARKER).is_file()
}

/// What the file at `path` (`relative` to its source folder) is, in a source of `format`
/// that reads the other tools' files of `imports` (and the Compose files `compose_files`
/// names).
fn file_kind(
    path: &Path,
    relative: &str,
    format: SourceFormat,
    imports: &[ImportFormat],
    compose_files: &[String],
) -> Option<FileKind> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if format == SourceFormat::Backstage {
        return (extension == "yaml" || extension == "yml")
            .then_some(FileKind::Foreign(ImportFormat::Backstage));
    }
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if imports.contains(&ImportFormat::Compose) && compose_files.iter().any(|f| f == name) {
        return Some(FileKind::Foreign(ImportFormat::Compose));
    }
    if let Some(foreign) = ImportFormat::of_file(relative, imports) {
        return Some(FileKind::Foreign(foreign));
    }
    if extension == "md" || extension == "markdown" {
        Some(FileKind::Markdown)
    } else if ASSET_EXTENSIONS.contains(&extension.as_str()) {
        Some(FileKind::Asset)
    } else {
        Some(FileKind::Other)
    }
}

fn relative_slash_path(root: &Path, path: &Path) -> String {
    crate::links::slash_path(path.strip_prefix(root).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_deleted_between_the_walk_and_the_read_is_a_located_error() {
        let book = tempfile::tempdir().unwrap();
        let folder = book.path().join("services/gone");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("service.md"), "---\nservice: gone\n---\n").unwrap();
        let mut diagnostics = Diagnostics::new();
        let config = crate::config::load(book.path(), &mut diagnostics);
        let found = find(&config, &mut diagnostics);
        assert_eq!(found.len(), 1);
        std::fs::remove_dir_all(book.path().join("services")).unwrap();
        let error = read(&config, &found[0]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "services/gone/service.md: error[OB0202]: cannot read the file: No such file or directory (os error 2)\n  help: if it was deleted or moved during the build, build again"
        );
        assert!(diagnostics.is_empty());
    }

    /// A book whose walk found `services/a/runbook.md`, and a secret outside its sources.
    fn found_runbook() -> (tempfile::TempDir, Config, Found) {
        let book = tempfile::tempdir().unwrap();
        let folder = book.path().join("services/a");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("service.md"), "---\nservice: a\n---\n").unwrap();
        std::fs::write(folder.join("runbook.md"), "# Runbook\n").unwrap();
        std::fs::create_dir(book.path().join("private")).unwrap();
        std::fs::write(book.path().join("private/runbook.md"), "SECRET").unwrap();
        let mut diagnostics = Diagnostics::new();
        let mut config = crate::config::load(book.path(), &mut diagnostics);
        config.sources[0].folder = book.path().join("services");
        let found = find(&config, &mut diagnostics);
        let runbook = found
            .into_iter()
            .find(|f| f.relative == "a/runbook.md")
            .unwrap();
        (book, config, runbook)
    }

    #[cfg(unix)]
    fn assert_not_followed(config: &Config, runbook: &Found) {
        let error = read(config, runbook).unwrap_err();
        assert!(
            error
                .message
                .contains("it became a symlink after it was found"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_swapped_for_a_symlink_after_the_walk_is_not_read() {
        let (book, config, runbook) = found_runbook();
        std::fs::remove_file(&runbook.path).unwrap();
        std::os::unix::fs::symlink(book.path().join("private/runbook.md"), &runbook.path).unwrap();
        assert_not_followed(&config, &runbook);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_swapped_for_a_symlink_after_the_walk_is_not_followed() {
        let (book, config, runbook) = found_runbook();
        std::fs::remove_dir_all(book.path().join("services/a")).unwrap();
        std::os::unix::fs::symlink(book.path().join("private"), book.path().join("services/a"))
            .unwrap();
        assert_not_followed(&config, &runbook);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_put_in_place_of_a_file_is_refused_without_waiting_for_a_writer() {
        let (_book, config, runbook) = found_runbook();
        std::fs::remove_file(&runbook.path).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&runbook.path)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read(&config, &runbook).unwrap_err();
        assert!(
            error.message.contains("it is no longer a regular file"),
            "{error}"
        );
    }
}
