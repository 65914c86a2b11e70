//! Configuration: book.toml -> [`Config`]. What each `[[source]]` entry describes is in
//! `sources`.
//!
//! Keys are kebab-case; every unknown key is an error with a did-you-mean, and every problem
//! of the file is reported at once with its line and column. Paths in the result are absolute;
//! nothing else is read here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::deserialize::{self, Problem, ProblemCodes, Segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Position, Severity};
use crate::model::{Level, Lifecycle, Tier};

mod sources;

pub(crate) use sources::{
    DEFAULT_CACHE_DIR, GitSource, RepositoryFile, SourceFormat, forge_url, web_address,
};
pub use sources::{ImportFormat, Source};
use sources::{RawSource, source_of};

pub(crate) const BOOK_FILE: &str = "book.toml";

/// Present in every folder opsbook writes: a build replaces such a folder, and the walk of
/// the sources skips it.
pub(crate) const SITE_MARKER: &str = ".opsbook";

/// The validated configuration of one book.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder holding book.toml; displayed paths are relative to it.
    pub(crate) root: PathBuf,
    pub(crate) book_file: PathBuf,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    /// Where service docs are read from, in the order given: `src`, then each `[[source]]`.
    pub sources: Vec<Source>,
    /// Where git sources are fetched to.
    pub(crate) cache_dir: PathBuf,
    pub(crate) output_dir: PathBuf,
    pub(crate) site_url: SiteUrl,
    /// Keep HTML written in Markdown as it is, instead of sanitising it.
    pub(crate) allow_raw_html: bool,
    /// What a link in a doc to a file the book does not have is (`[output] broken-links`).
    pub(crate) broken_links: BrokenLinks,
    /// Folders of pages that belong to a service, `{service}` standing for its id
    /// (`[pages] attach`), relative to each source folder.
    pub(crate) attach: Vec<String>,
    pub(crate) checklist: ChecklistConfig,
    pub(crate) diagrams: DiagramSettings,
    /// Readiness over the last commits, drawn on the site; `None` (the default) draws none.
    pub(crate) history: Option<HistorySettings>,
    /// Which other tools' files are read, and what their values mean (`[import]`).
    pub(crate) import: ImportSettings,
}

/// The `[import]` table: which other tools' files are read, and what their values mean.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub(crate) struct ImportSettings {
    /// The formats read wherever their files are found (default: all).
    pub(crate) formats: Vec<ImportFormat>,
    /// Tier values of other tools and the tier each is (added to the common spellings).
    pub(crate) tiers: BTreeMap<String, Tier>,
    /// Lifecycle values of other tools and the lifecycle each is.
    pub(crate) lifecycles: BTreeMap<String, Lifecycle>,
    /// The Compose files of a project, in the order they are merged (compose's `-f`), by
    /// name in each folder; empty: compose's default base and override files.
    pub(crate) compose_files: Vec<String>,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            formats: ImportFormat::ALL.to_vec(),
            tiers: BTreeMap::new(),
            lifecycles: BTreeMap::new(),
            compose_files: Vec::new(),
        }
    }
}

/// The `[history]` table: which commits of the book's repository the site charts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub(crate) struct HistorySettings {
    /// At most this many points (commits) on each chart.
    pub(crate) commits: usize,
    /// At most one commit per period: the last commit of each day, week or month.
    pub(crate) every: Every,
    /// The repository's web address, for links to commits (default: from its `origin` remote).
    pub(crate) repository: Option<String>,
}

impl Default for HistorySettings {
    fn default() -> Self {
        HistorySettings {
            commits: 20,
            every: Every::Commit,
            repository: None,
        }
    }
}

/// How often history takes a point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Every {
    #[default]
    Commit,
    Day,
    Week,
    Month,
}

/// Where the site is published: a path on its host (`/`, `/shop/`) or a full URL
/// (`https://example.github.io/shop/`), always ending in `/`. Pages link to each other
/// relatively, so this matters only where a relative link cannot work: the 404 page (served
/// at any depth), `sitemap.xml` and badge snippets for other sites.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct SiteUrl(String);

impl SiteUrl {
    /// The path part, from the host's root: `/shop/`.
    pub(crate) fn path(&self) -> &str {
        match self.absolute() {
            Some(url) => {
                let after_scheme = &url[url.find("://").map_or(0, |i| i + 3)..];
                after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
            }
            None => &self.0,
        }
    }

    /// The full URL, when one was given.
    pub(crate) fn absolute(&self) -> Option<&str> {
        (!self.0.starts_with('/')).then_some(self.0.as_str())
    }
}

impl Default for SiteUrl {
    fn default() -> Self {
        SiteUrl("/".into())
    }
}

impl TryFrom<String> for SiteUrl {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let host = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .map(|rest| rest.split('/').next().unwrap_or_default());
        let valid = match host {
            Some(host) => !host.is_empty(),
            None => text.starts_with('/'),
        };
        if !valid || text.contains(['?', '#', ' ']) {
            return Err(format!(
                "expected a path such as \"/shop/\" or a full URL such as \"https://example.github.io/shop/\", found {text:?}"
            ));
        }
        let mut url = text;
        if !url.ends_with('/') {
            url.push('/');
        }
        Ok(SiteUrl(url))
    }
}

/// What a link written in a doc is when it leads to no file of the book: a warning (the page
/// still builds, and marks the link), or an error that stops the build. A stale link in one
/// team's runbook should not take every other team's site down, so warning is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum BrokenLinks {
    #[default]
    Warning,
    Error,
}

impl BrokenLinks {
    pub(crate) fn severity(self) -> Severity {
        match self {
            BrokenLinks::Warning => Severity::Warning,
            BrokenLinks::Error => Severity::Error,
        }
    }
}

/// How much of a service's surroundings its page draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub(crate) struct DiagramSettings {
    /// Levels of dependents drawn above a service.
    pub(crate) up: usize,
    /// Levels of dependencies drawn below a service.
    pub(crate) down: usize,
}

impl Default for DiagramSettings {
    fn default() -> Self {
        DiagramSettings { up: 2, down: 1 }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ChecklistConfig {
    /// A checklist file of the user's own (absolute path).
    pub(crate) file: Option<PathBuf>,
    pub(crate) mode: ChecklistMode,
    pub(crate) required: RequiredLevels,
}

/// Whether a user's checklist adds to the default one (same ids replace) or replaces it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ChecklistMode {
    #[default]
    Extend,
    Replace,
}

/// The level each tier must reach; experimental services must reach `experimental`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub(crate) struct RequiredLevels {
    pub(crate) tier_1: Level,
    pub(crate) tier_2: Level,
    pub(crate) tier_3: Level,
    pub(crate) tier_4: Level,
    pub(crate) experimental: Level,
}

impl Default for RequiredLevels {
    fn default() -> Self {
        RequiredLevels {
            tier_1: Level::Gold,
            tier_2: Level::Silver,
            tier_3: Level::Bronze,
            tier_4: Level::None,
            experimental: Level::None,
        }
    }
}

impl RequiredLevels {
    pub(crate) fn for_service(&self, tier: Tier, lifecycle: Lifecycle) -> Level {
        if lifecycle == Lifecycle::Experimental {
            return self.experimental;
        }
        match tier.number() {
            1 => self.tier_1,
            2 => self.tier_2,
            3 => self.tier_3,
            _ => self.tier_4,
        }
    }
}

impl Config {
    /// A path as people should see it: relative to the book root when inside it.
    pub(crate) fn display(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }

    /// The configuration used when a folder has no book.toml: its own files, default output.
    fn defaults(root: &Path) -> Config {
        Config {
            root: root.to_path_buf(),
            book_file: root.join(BOOK_FILE),
            title: "Service readiness".to_string(),
            description: None,
            sources: vec![Source::local(root.to_path_buf())],
            cache_dir: root.join(DEFAULT_CACHE_DIR),
            output_dir: root.join("book"),
            site_url: SiteUrl::default(),
            allow_raw_html: false,
            broken_links: BrokenLinks::default(),
            attach: Vec::new(),
            checklist: ChecklistConfig::default(),
            diagrams: DiagramSettings::default(),
            history: None,
            import: ImportSettings::default(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBookToml {
    #[serde(default)]
    book: RawBook,
    #[serde(default)]
    source: Vec<RawSource>,
    #[serde(default)]
    cache: RawCache,
    #[serde(default)]
    output: RawOutput,
    #[serde(default)]
    pages: RawPages,
    #[serde(default)]
    checklist: RawChecklist,
    #[serde(default)]
    diagrams: DiagramSettings,
    history: Option<HistorySettings>,
    #[serde(default)]
    import: ImportSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBook {
    title: Option<String>,
    description: Option<String>,
    src: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "a folder, or a list of folders")]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOutput {
    dir: Option<String>,
    site_url: Option<SiteUrl>,
    #[serde(default)]
    allow_raw_html: bool,
    #[serde(default)]
    broken_links: BrokenLinks,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPages {
    #[serde(default)]
    attach: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCache {
    dir: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawChecklist {
    file: Option<String>,
    #[serde(default)]
    mode: ChecklistMode,
    #[serde(default)]
    required: RequiredLevels,
}

/// Loads `dir/book.toml`. A folder without one is a book of its own Markdown files.
pub(crate) fn load(dir: &Path, diagnostics: &mut Diagnostics) -> Config {
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let book_file = root.join(BOOK_FILE);
    let text = match std::fs::read_to_string(&book_file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Config::defaults(&root);
        }
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                Code::BookUnreadable,
                BOOK_FILE,
                format!("cannot read book.toml: {error}"),
            ));
            return Config::defaults(&root);
        }
    };
    from_text(&root, &text, diagnostics)
}

/// The configuration that book.toml `text` gives the book at `root` (an absolute path):
/// `load` once the file is read. Taking the text, not the file, lets the fuzz target
/// `book_toml` call it with arbitrary input; problems are located diagnostics, never a panic.
pub fn from_text(root: &Path, text: &str, diagnostics: &mut Diagnostics) -> Config {
    let mut config = Config::defaults(root);
    let tree = match toml::from_str::<serde_json::Value>(text) {
        Ok(tree) => tree,
        Err(error) => {
            let position = error.span().map(|s| Position::of_offset(text, s.start));
            diagnostics.push(
                Diagnostic::error(
                    Code::BookSyntax,
                    BOOK_FILE,
                    error.message().trim().to_string(),
                )
                .at_opt(position),
            );
            return config;
        }
    };
    let (raw, problems) = deserialize::collect::<RawBookToml>(tree);
    for problem in &problems {
        diagnostics.push(toml_problem(text, problem));
    }
    apply(&mut config, raw.unwrap_or_default(), text, diagnostics);
    config
}

fn apply(config: &mut Config, raw: RawBookToml, text: &str, diagnostics: &mut Diagnostics) {
    let root = config.root.clone();
    if let Some(title) = raw.book.title {
        config.title = title;
    }
    config.description = raw.book.description;
    if let Some(src) = raw.book.src {
        let folders = match src {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        };
        config.sources = folders
            .iter()
            .map(|f| Source::local(root.join(f)))
            .collect();
    }
    if let Some(dir) = raw.cache.dir {
        config.cache_dir = root.join(dir);
    }
    for (index, entry) in raw.source.into_iter().enumerate() {
        match source_of(&root, &config.cache_dir, entry) {
            Ok(source) => config.sources.push(Source {
                declared_at: Some(locate(
                    text,
                    &[Segment::Key("source".into()), Segment::Index(index)],
                    true,
                )),
                ..source
            }),
            Err((key, message, help)) => {
                let path = [
                    Segment::Key("source".into()),
                    Segment::Index(index),
                    Segment::Key(key.into()),
                ];
                diagnostics.push(
                    Diagnostic::error(Code::SourceEntryInvalid, BOOK_FILE, message)
                        .at(locate(text, &path, true))
                        .with_help(help),
                );
            }
        }
    }
    if let Some(dir) = raw.output.dir {
        config.output_dir = root.join(dir);
    }
    if let Some(url) = raw.output.site_url {
        config.site_url = url;
    }
    config.allow_raw_html = raw.output.allow_raw_html;
    config.broken_links = raw.output.broken_links;
    config.attach = attach_patterns(raw.pages.attach, text, diagnostics);
    config.diagrams = raw.diagrams;
    config.history = raw.history;
    config.import = raw.import;
    config.checklist = ChecklistConfig {
        file: raw.checklist.file.map(|f| root.join(f)),
        mode: raw.checklist.mode,
        required: raw.checklist.required,
    };
}

/// The `[pages] attach` patterns that can match: each names `{service}` and is a valid glob.
fn attach_patterns(
    patterns: Vec<String>,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<String> {
    let mut valid = Vec::new();
    for (index, pattern) in patterns.into_iter().enumerate() {
        let problem = if !pattern.contains(SERVICE_PLACEHOLDER) {
            Some(format!(
                "`{pattern}` does not say where the service's id goes"
            ))
        } else {
            globset::Glob::new(&pattern.replace(SERVICE_PLACEHOLDER, "id"))
                .err()
                .map(|error| format!("`{pattern}` is not a valid pattern: {}", error.kind()))
        };
        match problem {
            None => valid.push(pattern),
            Some(message) => {
                let path = [
                    Segment::Key("pages".into()),
                    Segment::Key("attach".into()),
                    Segment::Index(index),
                ];
                diagnostics.push(
                    Diagnostic::error(Code::AttachPatternInvalid, BOOK_FILE, message)
                        .at(locate(text, &path, false))
                        .with_help("write the folder with `{service}` where each service's id goes, e.g. `docs/{service}/**`"),
                );
            }
        }
    }
    valid
}

/// Stands for a service's id in `[pages] attach` patterns.
pub(crate) const SERVICE_PLACEHOLDER: &str = "{service}";

/// The codes of problems found by reading book.toml into its structs.
const BOOK_CODES: ProblemCodes = ProblemCodes {
    unknown_key: Code::BookUnknownKey,
    invalid_value: Code::BookInvalidValue,
};

fn toml_problem(text: &str, problem: &Problem) -> Diagnostic {
    problem.diagnostic(
        Path::new(BOOK_FILE),
        BOOK_CODES,
        Severity::Error,
        |path, at_key| locate(text, path, at_key),
    )
}

/// Where `path` is in the TOML text (the key, or the value), else its closest ancestor.
/// Indices step into arrays of tables (`[[source]]`).
fn locate(text: &str, path: &[Segment], at_key: bool) -> Position {
    let Ok(document) = toml::de::DeTable::parse(text) else {
        return Position::START;
    };
    let mut best = Position::START;
    let mut table = document.get_ref();
    let mut segments = path.iter().enumerate().peekable();
    while let Some((depth, Segment::Key(wanted))) = segments.next() {
        let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == wanted) else {
            break;
        };
        let last = depth + 1 == path.len();
        let span = if last && !at_key {
            value.span()
        } else {
            key.span()
        };
        best = Position::of_offset(text, span.start);
        let mut value = value;
        if let Some((_, Segment::Index(index))) = segments.peek() {
            let Some(item) = value.get_ref().as_array().and_then(|a| a.get(*index)) else {
                break;
            };
            best = Position::of_offset(text, item.span().start);
            value = item;
            segments.next();
        }
        match value.get_ref().as_table() {
            Some(inner) => table = inner,
            None => break,
        }
    }
    best
}

/// The book.toml written by `opsbook init`.
pub(crate) fn starter_book_toml(title: &str) -> String {
    format!(
        "[book]\ntitle = {title:?}\ndescription = \"Production readiness of our services\"\nsrc = \"services\"\n\n[output]\ndir = \"book\"\nsite-url = \"/\"\n\n[checklist]\n# file = \"checklist.yaml\"   # checks of your own\n# mode = \"extend\"            # or \"replace\" the default checklist\n\n[checklist.required]\ntier-1 = \"gold\"\ntier-2 = \"silver\"\ntier-3 = \"bronze\"\ntier-4 = \"none\"\nexperimental = \"none\"\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Config, Diagnostics) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(BOOK_FILE), text).unwrap();
        let mut diagnostics = Diagnostics::new();
        let config = load(dir.path(), &mut diagnostics);
        (config, diagnostics)
    }

    #[test]
    fn reads_every_section() {
        let (config, diagnostics) = load_text(
            "[book]\ntitle = \"Shop\"\nsrc = [\"a\", \"b\"]\n[output]\ndir = \"site\"\nsite-url = \"/shop\"\n[checklist.required]\ntier-2 = \"gold\"\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(config.title, "Shop");
        assert_eq!(config.sources.len(), 2);
        assert!(config.output_dir.ends_with("site"));
        assert_eq!(config.site_url.path(), "/shop/");
        assert_eq!(config.checklist.required.tier_2, Level::Gold);
        assert_eq!(config.checklist.required.tier_1, Level::Gold);
    }

    #[test]
    fn every_unknown_key_is_an_located_error_with_a_suggestion() {
        let (_, diagnostics) = load_text("[book]\ntitel = \"x\"\n[ouput]\ndir = \"x\"\n");
        let lines: Vec<String> = diagnostics.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(
            lines,
            [
                "book.toml:2:1: error[OB0103]: unknown key `book.titel`\n  help: did you mean `title`?",
                "book.toml:3:2: error[OB0103]: unknown key `ouput`\n  help: did you mean `output`?",
            ]
        );
    }

    #[test]
    fn bad_values_are_located() {
        let (_, diagnostics) = load_text("[checklist.required]\ntier-1 = \"platinum\"\n");
        let d = diagnostics.sorted()[0].to_string();
        assert!(
            d.starts_with(
                "book.toml:2:10: error[OB0104]: `checklist.required.tier-1`: unknown variant `platinum`"
            ),
            "{d}"
        );
    }

    #[test]
    fn site_urls_are_paths_or_full_urls_and_end_in_a_slash() {
        let url = |text: &str| SiteUrl::try_from(text.to_string());
        let project = url("https://example.github.io/shop").unwrap();
        assert_eq!(project.absolute(), Some("https://example.github.io/shop/"));
        assert_eq!(project.path(), "/shop/");
        assert_eq!(url("https://example.com").unwrap().path(), "/");
        let path = url("/docs/readiness").unwrap();
        assert_eq!((path.path(), path.absolute()), ("/docs/readiness/", None));
        for bad in ["shop", "https://", "ftp://x/", "/a b/", "/a?b"] {
            assert!(url(bad).is_err(), "{bad} accepted");
        }
    }
}
