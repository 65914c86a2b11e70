//! Scaffolding: `opsbook init` (a new book) and `opsbook new` (a new service doc).
//!
//! Never overwrites a file: people run these in folders that already hold work.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::{self, BOOK_FILE};
use crate::diag::Diagnostics;
use crate::model::ServiceId;

const NEW_SERVICE: &str = include_str!("new-service.md");

/// The service doc `opsbook new` writes: every readiness field as a commented TODO.
pub(crate) fn service_doc(id: &ServiceId, today: &str) -> String {
    let title = title_case(id.as_str());
    NEW_SERVICE
        .replace("{id}", id.as_str())
        .replace("{title}", &title)
        .replace("{today}", today)
}

fn title_case(id: &str) -> String {
    id.split('-')
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const GITHUB_PAGES_WORKFLOW: &str = include_str!("github-pages.yml");

/// Where `init --github-pages` writes its workflow, below the repository's root.
pub(crate) const WORKFLOW_PATH: &str = ".github/workflows/opsbook.yml";

/// Creates `dir/book.toml` and one service doc under `dir/services/`; with `github_pages`,
/// also a GitHub Actions workflow that builds the book and publishes it on GitHub Pages.
pub(crate) fn init(dir: &Path, github_pages: bool) -> Result<Vec<PathBuf>> {
    let book = dir.join(BOOK_FILE);
    if book.exists() {
        bail!(
            "{} already exists; opsbook init never overwrites it",
            book.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Refuse before writing anything, so a second run does not leave half a book.
    let workflow = github_pages
        .then(|| github_pages_workflow(dir))
        .transpose()?;
    if let Some((path, _)) = &workflow
        && path.exists()
    {
        bail!("{} already exists; it was left as it is", path.display());
    }
    let title = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map(|name| format!("{} readiness", title_case(&name)))
        .unwrap_or_else(|| "Service readiness".to_string());
    write_new(&book, &config::starter_book_toml(&title))?;
    let mut created = vec![book];
    created.extend(new_service("my-service", Some(&dir.join("services")))?);
    if let Some((path, text)) = workflow {
        write_new(&path, &text)?;
        created.push(path);
    }
    Ok(created)
}

/// The workflow and where it goes: at the root of the git repository holding `dir` (or in
/// `dir` when it is in none), building the book from its place in the repository.
fn github_pages_workflow(dir: &Path) -> Result<(PathBuf, String)> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot find {}", dir.display()))?;
    let repository = dir
        .ancestors()
        .find(|folder| folder.join(".git").exists())
        .unwrap_or(&dir);
    let book = match dir.strip_prefix(repository) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside.to_string_lossy().replace('\\', "/"),
        _ => ".".to_string(),
    };
    let workflow = GITHUB_PAGES_WORKFLOW
        .replace("{version}", env!("CARGO_PKG_VERSION"))
        .replace("{book}", &book);
    Ok((repository.join(WORKFLOW_PATH), workflow))
}

/// Creates `<dir>/<id>/service.md`; `dir` defaults to the first source folder of the book
/// in the current folder.
pub(crate) fn new_service(id: &str, dir: Option<&Path>) -> Result<Vec<PathBuf>> {
    let id = ServiceId::try_from(id.to_string()).map_err(|message| anyhow::anyhow!("{message}"))?;
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => {
            let config = config::load(Path::new("."), &mut Diagnostics::new());
            config
                .sources
                .first()
                .map(|source| source.folder.clone())
                .unwrap_or_else(|| PathBuf::from("."))
        }
    };
    let path = dir.join(id.as_str()).join("service.md");
    let today = jiff::Zoned::now().date().to_string();
    write_new(&path, &service_doc(&id, &today))?;
    Ok(vec![path])
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if path.exists() {
        bail!("{} already exists; it was left as it is", path.display());
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
