//! Configuration: book.toml -> [`Config`].
//!
//! Keys are kebab-case; every unknown key is an error with a did-you-mean, and every problem
//! of the file is reported at once with its line and column. Paths in the result are absolute;
//! nothing else is read here.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::deserialize::{self, Problem, Segment};
use crate::diag::{Diagnostic, Diagnostics, Position, Severity};
use crate::model::{Level, Lifecycle, Tier};

pub const BOOK_FILE: &str = "book.toml";

/// The validated configuration of one book.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder holding book.toml; displayed paths are relative to it.
    pub root: PathBuf,
    pub book_file: PathBuf,
    pub title: String,
    pub description: Option<String>,
    /// Absolute source folders, in the order given.
    pub sources: Vec<PathBuf>,
    pub output_dir: PathBuf,
    pub site_url: SiteUrl,
    pub checklist: ChecklistConfig,
    pub diagrams: DiagramSettings,
}

/// Where the site is published: a path on its host (`/`, `/shop/`) or a full URL
/// (`https://example.github.io/shop/`), always ending in `/`. Pages link to each other
/// relatively, so this matters only where a relative link cannot work: the 404 page (served
/// at any depth), `sitemap.xml` and badge snippets for other sites.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct SiteUrl(String);

impl SiteUrl {
    /// The path part, from the host's root: `/shop/`.
    pub fn path(&self) -> &str {
        match self.absolute() {
            Some(url) => {
                let after_scheme = &url[url.find("://").map_or(0, |i| i + 3)..];
                after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
            }
            None => &self.0,
        }
    }

    /// The full URL, when one was given.
    pub fn absolute(&self) -> Option<&str> {
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

/// How much of a service's surroundings its page draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct DiagramSettings {
    /// Levels of dependents drawn above a service.
    pub up: usize,
    /// Levels of dependencies drawn below a service.
    pub down: usize,
}

impl Default for DiagramSettings {
    fn default() -> Self {
        DiagramSettings { up: 2, down: 1 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChecklistConfig {
    /// A checklist file of the user's own (absolute path).
    pub file: Option<PathBuf>,
    pub mode: ChecklistMode,
    pub required: RequiredLevels,
}

/// Whether a user's checklist adds to the default one (same ids replace) or replaces it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecklistMode {
    #[default]
    Extend,
    Replace,
}

/// The level each tier must reach; experimental services must reach `experimental`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RequiredLevels {
    pub tier_1: Level,
    pub tier_2: Level,
    pub tier_3: Level,
    pub tier_4: Level,
    pub experimental: Level,
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
    pub fn for_service(&self, tier: Tier, lifecycle: Lifecycle) -> Level {
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
    pub fn display(&self, path: &Path) -> PathBuf {
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
            sources: vec![root.to_path_buf()],
            output_dir: root.join("book"),
            site_url: SiteUrl::default(),
            checklist: ChecklistConfig::default(),
            diagrams: DiagramSettings::default(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBookToml {
    #[serde(default)]
    book: RawBook,
    #[serde(default)]
    output: RawOutput,
    #[serde(default)]
    checklist: RawChecklist,
    #[serde(default)]
    diagrams: DiagramSettings,
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
pub fn load(dir: &Path, diagnostics: &mut Diagnostics) -> Config {
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut config = Config::defaults(&root);
    let text = match std::fs::read_to_string(&config.book_file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return config,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                BOOK_FILE,
                format!("cannot read book.toml: {error}"),
            ));
            return config;
        }
    };
    let tree = match toml::from_str::<serde_json::Value>(&text) {
        Ok(tree) => tree,
        Err(error) => {
            let position = error.span().map(|s| Position::of_offset(&text, s.start));
            diagnostics.push(
                Diagnostic::error(BOOK_FILE, error.message().trim().to_string()).at_opt(position),
            );
            return config;
        }
    };
    let (raw, problems) = deserialize::collect::<RawBookToml>(tree);
    for problem in &problems {
        diagnostics.push(toml_problem(&text, problem));
    }
    apply(&mut config, raw.unwrap_or_default());
    config
}

fn apply(config: &mut Config, raw: RawBookToml) {
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
        config.sources = folders.iter().map(|f| root.join(f)).collect();
    }
    if let Some(dir) = raw.output.dir {
        config.output_dir = root.join(dir);
    }
    if let Some(url) = raw.output.site_url {
        config.site_url = url;
    }
    config.diagrams = raw.diagrams;
    config.checklist = ChecklistConfig {
        file: raw.checklist.file.map(|f| root.join(f)),
        mode: raw.checklist.mode,
        required: raw.checklist.required,
    };
}

fn toml_problem(text: &str, problem: &Problem) -> Diagnostic {
    problem.diagnostic(Path::new(BOOK_FILE), Severity::Error, |path, at_key| {
        locate(text, path, at_key)
    })
}

/// Where `path` is in the TOML text (the key, or the value), else its closest ancestor.
fn locate(text: &str, path: &[Segment], at_key: bool) -> Position {
    let Ok(document) = toml::de::DeTable::parse(text) else {
        return Position::START;
    };
    let mut best = Position::START;
    let mut table = document.get_ref();
    for (depth, segment) in path.iter().enumerate() {
        let Segment::Key(wanted) = segment else { break };
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
        match value.get_ref().as_table() {
            Some(inner) => table = inner,
            None => break,
        }
    }
    best
}

/// The book.toml written by `opsbook init`.
pub fn starter_book_toml(title: &str) -> String {
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
                "book.toml:2:1: error: unknown key `book.titel`\n  help: did you mean `title`?",
                "book.toml:3:2: error: unknown key `ouput`\n  help: did you mean `output`?",
            ]
        );
    }

    #[test]
    fn bad_values_are_located() {
        let (_, diagnostics) = load_text("[checklist.required]\ntier-1 = \"platinum\"\n");
        let d = diagnostics.sorted()[0].to_string();
        assert!(
            d.starts_with(
                "book.toml:2:10: error: `checklist.required.tier-1`: unknown variant `platinum`"
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
