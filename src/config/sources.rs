//! The `[[source]]` entries of book.toml: where docs are read from (a local folder, or a
//! folder of a git repository fetched into the cache), which files of it, in which format,
//! and where its files live on their forge's web site. Reading the files is `source`'s;
//! fetching is `fetch`'s.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::Position;

/// Where git sources are fetched to, below the book's folder, unless `[cache] dir` says.
pub(crate) const DEFAULT_CACHE_DIR: &str = ".opsbook/cache";

/// One place service docs are read from: a local folder, or a folder of a git repository
/// fetched into the cache.
#[derive(Debug, Clone)]
pub struct Source {
    /// What people call it in messages: the folder, or the repository's name.
    pub(crate) name: String,
    /// The folder walked: local, or the git source's folder in the cache.
    pub(crate) folder: PathBuf,
    pub(crate) git: Option<GitSource>,
    /// Only files matching one of these (relative to `folder`) are read; `None` reads all.
    pub(crate) include: Option<globset::GlobSet>,
    pub(crate) format: SourceFormat,
    /// The repository's web address, for "edit this page" links.
    pub(crate) repository: Option<String>,
    /// Fetching failed and the cache has nothing: the build reads nothing from it.
    pub(crate) unavailable: bool,
    /// Built from a cached copy that could not be refreshed: when it was fetched.
    pub(crate) stale_since: Option<String>,
    /// Where book.toml declares it, for messages about it.
    pub(crate) declared_at: Option<Position>,
    /// The folder's path inside its repository (`/`-separated, empty at the root), when known.
    pub(crate) path_in_repository: Option<String>,
    /// Whether other tools' files found in it by their names are read (`import = false`
    /// turns it off).
    pub(crate) import: bool,
}

/// Where a source file lives in its repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RepositoryFile {
    /// The repository: its web address when known, else the URL it is fetched from.
    pub(crate) repository: String,
    /// Path of the file inside the repository.
    pub(crate) path: String,
    /// The branch, tag or commit the site was built from, when the book names one.
    pub(crate) rev: Option<String>,
    /// The file on the forge's web site, when the repository's web address is known.
    pub(crate) web_url: Option<String>,
}

impl Source {
    pub(super) fn local(folder: PathBuf) -> Source {
        Source {
            name: folder.display().to_string(),
            folder,
            git: None,
            include: None,
            format: SourceFormat::Markdown,
            import: true,
            repository: None,
            unavailable: false,
            stale_since: None,
            declared_at: None,
            path_in_repository: None,
        }
    }

    /// Where the file at `relative` (to the folder) lives in its repository, when known.
    pub(crate) fn file_in_repository(&self, relative: &str) -> Option<RepositoryFile> {
        let folder = self.path_in_repository.as_deref()?;
        let path = if folder.is_empty() {
            relative.to_string()
        } else {
            format!("{folder}/{relative}")
        };
        let rev = self.git.as_ref().and_then(|g| g.rev.clone());
        let web_url = self.repository.as_ref().map(|web| {
            forge_url(
                web,
                "blob",
                &format!("{}/{path}", rev.as_deref().unwrap_or("HEAD")),
            )
        });
        let repository = self
            .repository
            .clone()
            .or_else(|| self.git.as_ref().map(|g| g.url.clone()))?;
        Some(RepositoryFile {
            repository,
            path,
            rev,
            web_url,
        })
    }

    /// Whether the file at `relative` (to the folder, `/`-separated) is one to read.
    pub fn includes(&self, relative: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|set| set.is_match(relative))
    }
}

/// A `git = "..."` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GitSource {
    pub(crate) url: String,
    /// Branch, tag or commit; `None` is the remote's default branch.
    pub(crate) rev: Option<String>,
    /// The sub-folder of the repository holding the docs (`/`-separated, no `..`).
    pub(crate) dir: Option<String>,
    /// The checkout in the cache.
    pub(crate) checkout: PathBuf,
}

/// A `[[source]]` entry.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSource {
    path: Option<String>,
    git: Option<String>,
    rev: Option<String>,
    dir: Option<String>,
    include: Option<Vec<String>>,
    #[serde(default)]
    format: SourceFormat,
    repository: Option<String>,
    name: Option<String>,
    import: Option<bool>,
}

/// How the files of a source are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SourceFormat {
    /// Service docs: Markdown with front matter.
    #[default]
    Markdown,
    /// Backstage `catalog-info.yaml` entities.
    Backstage,
}

/// Files of other tools that describe services (read by `import`), found in any source of
/// docs by their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportFormat {
    /// Backstage's `catalog-info.yaml`.
    Backstage,
    /// Datadog's service definitions, schema v2 to v2.2, and v3 entities.
    Datadog,
    /// OpsLevel's `opslevel.yml`.
    #[serde(rename = "opslevel")]
    OpsLevel,
    /// Cortex's `cortex.yaml` entity descriptors.
    Cortex,
    /// Atlassian Compass's `compass.yml`.
    Compass,
    /// GitHub's `CODEOWNERS`: who owns each folder.
    #[serde(rename = "codeowners")]
    CodeOwners,
    /// Docker Compose files: what each service depends on, as it runs.
    Compose,
    /// Kubernetes manifests, in any YAML file no other format claims by name.
    Kubernetes,
}

impl ImportFormat {
    pub(crate) const ALL: &[ImportFormat] = &[
        ImportFormat::Backstage,
        ImportFormat::Datadog,
        ImportFormat::OpsLevel,
        ImportFormat::Cortex,
        ImportFormat::Compass,
        ImportFormat::CodeOwners,
        ImportFormat::Compose,
        ImportFormat::Kubernetes,
    ];

    /// Its name in book.toml and the JSON report: `datadog`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ImportFormat::Backstage => "backstage",
            ImportFormat::Datadog => "datadog",
            ImportFormat::OpsLevel => "opslevel",
            ImportFormat::Cortex => "cortex",
            ImportFormat::Compass => "compass",
            ImportFormat::CodeOwners => "codeowners",
            ImportFormat::Compose => "compose",
            ImportFormat::Kubernetes => "kubernetes",
        }
    }

    /// The names its tool looks for.
    pub(crate) fn file_names(self) -> &'static [&'static str] {
        match self {
            ImportFormat::Backstage => &["catalog-info.yaml", "catalog-info.yml"],
            ImportFormat::Datadog => &[
                "service.datadog.yaml",
                "service.datadog.yml",
                "service.datadog.json",
                "entity.datadog.yaml",
                "entity.datadog.yml",
                "entity.datadog.json",
            ],
            // OpsLevel's docs: exactly this name; `opslevel.yaml` is not read.
            ImportFormat::OpsLevel => &["opslevel.yml"],
            ImportFormat::Cortex => &["cortex.yaml", "cortex.yml"],
            ImportFormat::Compass => &["compass.yml", "compass.yaml"],
            ImportFormat::CodeOwners => &["CODEOWNERS"],
            // Compose's default names, base then override files, in the order it looks.
            ImportFormat::Compose => &[
                "compose.yaml",
                "compose.yml",
                "docker-compose.yml",
                "docker-compose.yaml",
                "compose.override.yml",
                "compose.override.yaml",
                "docker-compose.override.yml",
                "docker-compose.override.yaml",
            ],
            // Manifests have no names of their own: see `of_file`.
            ImportFormat::Kubernetes => &[],
        }
    }

    /// Where in a source its files are read, when only some places count: GitHub reads
    /// CODEOWNERS in these three, first found first.
    pub(crate) fn places(self) -> Option<&'static [&'static str]> {
        match self {
            ImportFormat::CodeOwners => {
                Some(&[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"])
            }
            _ => None,
        }
    }

    /// The format of the file at `relative` (to its source folder), among `formats`: by its
    /// name, else any YAML file may hold Kubernetes manifests.
    pub(crate) fn of_file(relative: &str, formats: &[ImportFormat]) -> Option<ImportFormat> {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        let named = formats.iter().copied().find(|format| {
            format.file_names().contains(&name)
                && format
                    .places()
                    .is_none_or(|places| places.contains(&relative))
        });
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        named.or_else(|| {
            (yaml && formats.contains(&ImportFormat::Kubernetes))
                .then_some(ImportFormat::Kubernetes)
        })
    }
}

/// A problem with a `[[source]]` entry: the key it is at, the message, the help.
pub(super) type SourceProblem = (&'static str, String, String);

pub(super) fn source_of(
    root: &Path,
    cache_dir: &Path,
    raw: RawSource,
) -> Result<Source, SourceProblem> {
    let include = raw.include.as_deref().map(include_set).transpose()?;
    let (name, folder, git) = match (raw.path, raw.git) {
        (Some(path), None) => {
            if raw.rev.is_some() || raw.dir.is_some() {
                let key = if raw.rev.is_some() { "rev" } else { "dir" };
                return Err((
                    key,
                    format!("`{key}` is for git sources; this one is a local `path`"),
                    "remove it, or give `git = \"<url>\"` instead of `path`".into(),
                ));
            }
            (path.clone(), root.join(path), None)
        }
        (None, Some(url)) => {
            let git = git_source(cache_dir, url, raw.rev, raw.dir)?;
            let name = repository_name(&git.url);
            let folder = match &git.dir {
                Some(dir) => git.checkout.join(dir),
                None => git.checkout.clone(),
            };
            (name, folder, Some(git))
        }
        (Some(_), Some(_)) => {
            return Err((
                "git",
                "a source has either `path` or `git`, not both".into(),
                "split it into two [[source]] entries".into(),
            ));
        }
        (None, None) => {
            return Err((
                "source",
                "a [[source]] needs `path = \"<folder>\"` or `git = \"<url>\"`".into(),
                "add one of them".into(),
            ));
        }
    };
    let repository = raw
        .repository
        .or_else(|| git.as_ref().and_then(|g| web_address(&g.url)));
    let path_in_repository = match &git {
        Some(git) => Some(git.dir.clone().unwrap_or_default()),
        None if repository.is_some() => path_in_enclosing_repository(&folder),
        None => None,
    };
    Ok(Source {
        name: raw.name.unwrap_or(name),
        folder,
        git,
        include,
        format: raw.format,
        import: raw.import.unwrap_or(true),
        repository,
        unavailable: false,
        stale_since: None,
        declared_at: None,
        path_in_repository,
    })
}

fn git_source(
    cache_dir: &Path,
    url: String,
    rev: Option<String>,
    dir: Option<String>,
) -> Result<GitSource, SourceProblem> {
    // Values go to git as arguments: one that starts with `-` would be read as an option.
    if url.is_empty() || url.starts_with('-') {
        return Err((
            "git",
            format!("{url:?} is not a repository URL"),
            "give the URL you would clone, e.g. \"https://github.com/acme/payments.git\"".into(),
        ));
    }
    if let Some(rev) = &rev
        && (rev.is_empty() || rev.starts_with('-') || rev.contains(char::is_whitespace))
    {
        return Err((
            "rev",
            format!("{rev:?} is not a branch, tag or commit"),
            "give a branch (\"main\"), a tag (\"v1.2.0\") or a commit hash".into(),
        ));
    }
    if let Some(dir) = &dir
        && (dir.starts_with('/') || dir.split('/').any(|part| part == ".."))
    {
        return Err((
            "dir",
            format!("{dir:?} leaves the repository"),
            "give a folder inside the repository, e.g. \"docs/readiness\"".into(),
        ));
    }
    let key = crate::diagram::fingerprint(&(&url, &rev));
    let checkout = cache_dir.join(format!("{}-{}", repository_name(&url), &key[..12]));
    Ok(GitSource {
        url,
        rev,
        dir: dir.map(|d| d.trim_matches('/').to_string()),
        checkout,
    })
}

fn include_set(patterns: &[String]) -> Result<globset::GlobSet, SourceProblem> {
    let mut set = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| {
                (
                    "include",
                    format!("{pattern:?} is not a glob: {}", error.kind()),
                    "e.g. \"**/service.md\" or \"docs/**/*.md\"".to_string(),
                )
            })?;
        set.add(glob);
    }
    set.build().map_err(|error| {
        (
            "include",
            error.to_string(),
            "check the patterns".to_string(),
        )
    })
}

/// The last part of a repository URL without `.git`: `payments` for
/// `https://github.com/acme/payments.git`.
fn repository_name(url: &str) -> String {
    let last = url
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(url);
    let name = last.strip_suffix(".git").unwrap_or(last);
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "repository".into()
    } else {
        name
    }
}

/// A local folder's path inside the git repository holding it.
fn path_in_enclosing_repository(folder: &Path) -> Option<String> {
    let folder = folder.canonicalize().ok()?;
    let top = folder.ancestors().find(|f| f.join(".git").exists())?;
    Some(crate::links::slash_path(folder.strip_prefix(top).ok()?))
}

/// A page of a repository's web site: `kind` is `blob` (a file) or `commit`; GitLab puts
/// them under `-/`.
pub(crate) fn forge_url(web: &str, kind: &str, rest: &str) -> String {
    let web = web.trim_end_matches('/');
    let dash = if web.contains("gitlab") { "-/" } else { "" };
    format!("{web}/{dash}{kind}/{rest}")
}

/// The web address of a repository on a known forge, from the URL it is cloned by.
pub(crate) fn web_address(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(str::to_string)
        .or_else(|| url.strip_prefix("git@").map(|r| r.replacen(':', "/", 1)))
        .or_else(|| url.strip_prefix("ssh://git@").map(str::to_string))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let host = rest.split('/').next()?;
    ["github.com", "gitlab.com"]
        .contains(&host)
        .then(|| format!("https://{rest}"))
}
