//! Parse: one source file -> a service doc, an extra page, an asset, or nothing.
//!
//! Pure: decodes UTF-8, splits front matter, deserializes it into the typed model and reads
//! the Markdown facts. Every problem becomes a located diagnostic; a file with problems still
//! yields what could be read, so later stages can report their own problems too.

pub(crate) mod decode;
pub(crate) mod frontmatter;
pub(crate) mod positions;
pub(crate) mod yaml;

use self::frontmatter::SplitError;
use self::positions::Positions;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::asset_policy;
use crate::config::ImportFormat;
use crate::deserialize::{ProblemCodes, Segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Position, Severity};
use crate::markdown::{self, Facts};
use crate::model::ServiceDoc;
use crate::source::{FileKind, SourceFile};

/// The codes of problems found by reading a service doc's front matter into its structs.
const SERVICE_DOC_CODES: ProblemCodes = ProblemCodes {
    unknown_key: Code::DocUnknownKey,
    invalid_value: Code::DocInvalidValue,
};

/// Where a parsed file came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub(crate) display_path: PathBuf,
    pub(crate) source_index: usize,
    /// Relative to its source folder, `/`-separated.
    pub(crate) relative: String,
}

impl Origin {
    /// Where `file` is from.
    pub(crate) fn of(file: &SourceFile) -> Origin {
        Origin {
            display_path: file.display_path.clone(),
            source_index: file.source_index,
            relative: file.relative.clone(),
        }
    }

    /// The folder of the file, relative to its source folder ("" at the top).
    pub(crate) fn folder(&self) -> &str {
        self.relative
            .rsplit_once('/')
            .map_or("", |(folder, _)| folder)
    }
}

/// A service doc: typed front matter plus its Markdown body.
#[derive(Debug, Clone)]
pub struct ServiceSource {
    pub(crate) origin: Origin,
    pub(crate) doc: ServiceDoc,
    /// The front matter text, kept for a Backstage entity to be merged into.
    pub(crate) yaml: String,
    pub(crate) yaml_first_line: usize,
    /// Where each front-matter field is written, so diagnostics and results can cite them.
    pub(crate) positions: Positions,
    pub(crate) body: String,
    pub(crate) facts: Facts,
    /// The files of other tools its fields were taken from (see [`crate::import`]), in the
    /// order they were read.
    pub(crate) imported: Vec<Provenance>,
    /// Where the files that describe it say different things of one field.
    pub(crate) disagreements: Vec<Disagreement>,
    /// What the files it runs from (Docker Compose) show it depends on.
    pub(crate) discovered: Vec<Discovered>,
    /// What is worked out from this doc alone (see [`Derived`]).
    pub(crate) derived: Derived,
}

/// What is worked out from a doc alone, made on first use and kept with its parse, so `serve`
/// does not make it again for docs that did not change. A clone starts empty: a copy is made
/// to be changed (a Backstage entity merged into a doc), and must not keep what was worked
/// out from the doc it was copied from.
#[derive(Debug, Default)]
pub(crate) struct Derived {
    /// The front matter as the model serializes it (see [`ServiceSource::fields`]).
    fields: OnceLock<serde_json::Value>,
    /// Front-matter addresses no page may link to (see `links::check`).
    pub(crate) address_problems: OnceLock<Diagnostics>,
}

impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived::default()
    }
}

impl ServiceSource {
    /// The front matter as rules read it: validated, normalised, serialized. Made once per
    /// parsed doc, so `serve` does not make it again for docs that did not change.
    pub(crate) fn fields(&self) -> &serde_json::Value {
        self.derived
            .fields
            .get_or_init(|| serde_json::to_value(&self.doc).unwrap_or_default())
    }

    /// File position of a value (or key) of the front matter.
    pub fn locate(&self, path: &[Segment], at_key: bool) -> Position {
        shift(self.positions.locate(path, at_key), self.yaml_first_line)
    }

    /// The file and position of a value, in whichever file it came from: the doc, or the
    /// file of another tool that supplied it.
    pub(crate) fn place_of(&self, path: &[Segment]) -> (&std::path::Path, Position) {
        let dotted = crate::deserialize::path_to_string(path);
        let imported = self
            .imported
            .iter()
            .find_map(|p| Some((p.file.as_path(), p.line_of(&dotted)?)));
        match imported {
            Some((file, line)) => (file, Position::new(line, 1)),
            None => (&self.origin.display_path, self.locate(path, false)),
        }
    }
}

/// Which fields of a service came from a file of another tool (see [`crate::import`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// Whose file it is.
    pub(crate) format: ImportFormat,
    /// The foreign file, as displayed.
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
    /// Dotted paths of the fields taken from it (`owner.team`, `depends_on`).
    pub(crate) fields: Vec<String>,
    /// The line of each field taken whose line is known; the others are at `line`.
    pub(crate) lines: BTreeMap<String, usize>,
    /// A service doc supplied the rest.
    pub(crate) merged_with_doc: bool,
}

/// Two files that describe one service and give one field different values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Disagreement {
    /// The front-matter path: `tier`, `owner.team`, `lifecycle`, `depends_on`.
    pub(crate) field: &'static str,
    /// The value the service has, and where it is written.
    pub(crate) kept: Claim,
    /// What another file says instead.
    pub(crate) other: Claim,
}

/// A dependency a file the service runs from shows (a Compose service's `depends_on`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Discovered {
    /// The id of the service depended on.
    pub(crate) service: String,
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
}

/// A value of a field, as a file writes it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claim {
    pub(crate) value: String,
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
}

impl Provenance {
    /// Whether the value at `path` (`owner.team`, `depends_on.2`) came from this file.
    pub(crate) fn supplies(&self, path: &str) -> bool {
        self.field_of(path).is_some()
    }

    /// The line the value at `path` is written on in the file, when it came from it.
    pub(crate) fn line_of(&self, path: &str) -> Option<usize> {
        let field = self.field_of(path)?;
        Some(self.lines.get(field).copied().unwrap_or(self.line))
    }

    /// The field taken from this file that holds the value at `path`.
    fn field_of(&self, path: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|taken| {
                path.strip_prefix(taken.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            })
            .map(String::as_str)
    }
}

/// A Markdown file without `service:` front matter: an extra page of the service whose folder
/// holds it (or that claims it), otherwise a general page of the book.
#[derive(Debug, Clone)]
pub struct PageSource {
    pub(crate) origin: Origin,
    pub(crate) body: String,
    pub(crate) facts: Facts,
    /// What the page's own front matter says of it, read from the keys other tools share.
    pub(crate) meta: PageMeta,
}

/// The keys opsbook reads from a page's front matter: those that Hugo, Jekyll, mdBook-style
/// tools and Docusaurus give the same meaning. Every other key is another tool's business and
/// is left alone, without a warning.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageMeta {
    /// `title:`.
    pub(crate) title: Option<String>,
    /// `weight:` (Hugo) or `sidebar_position:` (Docusaurus) or `nav_order:` (Jekyll themes):
    /// lower comes first among the pages of a folder.
    pub(crate) weight: Option<f64>,
}

impl PageMeta {
    /// What a front matter of another tool says, whatever else it holds.
    fn from_tree(tree: &serde_json::Value) -> PageMeta {
        let text = |key: &str| {
            tree.get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        PageMeta {
            title: text("title"),
            weight: ["weight", "sidebar_position", "nav_order"]
                .iter()
                .find_map(|key| tree.get(*key)?.as_f64()),
        }
    }
}

impl PageSource {
    /// The page's title: its front matter's `title:`, else its first heading, else its file
    /// name without the extension.
    pub(crate) fn title(&self) -> &str {
        self.meta
            .title
            .as_deref()
            .or_else(|| self.facts.title())
            .unwrap_or_else(|| {
                let stem = file_stem(&self.origin.relative);
                // `docs/setup/index.md` is the page of `setup`.
                match crate::links::folder_page_rank(&self.origin.relative) {
                    Some(_) if !self.origin.folder().is_empty() => {
                        let folder = self.origin.folder();
                        folder.rsplit('/').next().unwrap_or(folder)
                    }
                    _ => stem,
                }
            })
    }
}

/// The last part of a `/`-separated path, without its extension.
pub(crate) fn file_stem(relative: &str) -> &str {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// An image or other file beside the docs, as the site publishes it (see [`asset_policy`]).
#[derive(Debug, Clone)]
pub struct AssetSource {
    pub(crate) origin: Origin,
    pub(crate) bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
/// Shared, not copied: `serve` keeps each file's parse between rebuilds and hands the same
/// one to every new catalog.
pub enum Parsed {
    Service(Arc<ServiceSource>),
    Page(Arc<PageSource>),
    Asset(Arc<AssetSource>),
    /// A file the site does not publish (refused by [`asset_policy`], too large, unreadable):
    /// its problem is reported on its own, and a link to it says so.
    Withheld(Origin),
}

/// Parses one file, pushing its problems into `diagnostics`.
pub fn parse(file: &SourceFile, diagnostics: &mut Diagnostics) -> Option<Parsed> {
    let origin = Origin::of(file);
    if matches!(
        file.kind,
        FileKind::Asset | FileKind::Linked | FileKind::Other
    ) {
        let bytes =
            asset_policy::admit(&file.display_path, &file.relative, &file.bytes, diagnostics)?;
        return Some(Parsed::Asset(Arc::new(AssetSource { origin, bytes })));
    }
    let path = &file.display_path;
    let text = read_text(file, diagnostics)?;
    let text = text.as_ref();
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::DocEmpty, path, "the file is empty").with_help(
                "write the service doc (`opsbook new <id>` starts one), or delete the file",
            ),
        );
        return None;
    }
    let split = match frontmatter::split(text) {
        Ok(split) => split,
        Err(SplitError::Unclosed) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::FrontMatterUnclosed,
                    path,
                    "front matter opened with `---` is never closed",
                )
                .at(Position::START)
                .with_help("add a line with only `---` after the last front matter line"),
            );
            return None;
        }
    };
    let body = split.body.to_string();
    let facts = markdown::analyze(&body, split.body_first_line);
    let page = |meta: PageMeta| {
        Some(Parsed::Page(Arc::new(PageSource {
            origin: origin.clone(),
            body: body.clone(),
            facts: facts.clone(),
            meta,
        })))
    };
    if let Some(toml_text) = split.toml {
        // Another tool's front matter: what it says of the page, if it can be read at all.
        let tree = toml::from_str::<serde_json::Value>(toml_text).unwrap_or_default();
        return page(PageMeta::from_tree(&tree));
    }
    let Some(yaml_text) = split.yaml else {
        return page(PageMeta::default());
    };
    match yaml::read(yaml_text) {
        Ok(document) if document.tree.get("service").is_none() => {
            page(PageMeta::from_tree(&document.tree))
        }
        Ok(document) => {
            let typed = yaml::typed::<ServiceDoc>(document);
            for problem in &typed.problems {
                // Unknown keys in a service doc are warnings: the rest of the doc still counts.
                diagnostics.push(problem.diagnostic(
                    path,
                    SERVICE_DOC_CODES,
                    Severity::Warning,
                    |at, at_key| shift(typed.positions.locate(at, at_key), split.yaml_first_line),
                ));
            }
            Some(Parsed::Service(Arc::new(ServiceSource {
                origin,
                doc: typed.value?,
                yaml: yaml_text.to_string(),
                yaml_first_line: split.yaml_first_line,
                positions: typed.positions,
                derived: Derived::default(),
                body,
                facts,
                imported: Vec::new(),
                disagreements: Vec::new(),
                discovered: Vec::new(),
            })))
        }
        Err(error) => {
            let error = error.in_file(split.yaml_first_line);
            let message = format!("invalid YAML in the front matter: {}", error.message());
            // Front matter of another tool (Hugo, Jekyll) that we cannot read is not ours to
            // fail on; a service doc's is.
            let diagnostic = if yaml::mentions_top_level_key(yaml_text, "service") {
                Diagnostic::error(Code::FrontMatterSyntax, path, message)
            } else {
                Diagnostic::warning(Code::FrontMatterSyntax, path, message)
            };
            diagnostics.push(Diagnostic {
                help: error.help(),
                ..diagnostic.at(error.position)
            });
            None
        }
    }
}

/// The text of a doc, or a located error saying why it has none.
pub(crate) fn read_text<'f>(
    file: &'f SourceFile,
    diagnostics: &mut Diagnostics,
) -> Option<std::borrow::Cow<'f, str>> {
    match decode::text(&file.bytes) {
        Ok(text) => Some(text),
        Err(unreadable) => {
            diagnostics.push(
                Diagnostic::error(Code::DocNotText, &file.display_path, unreadable.message)
                    .at_opt(unreadable.position)
                    .with_help(unreadable.help),
            );
            None
        }
    }
}

/// Turns a position in the front matter into a position in the file.
fn shift(position: Position, first_line: usize) -> Position {
    Position::new(position.line + first_line - 1, position.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_of_a_doc_does_not_keep_what_was_worked_out_from_the_original() {
        let derived = Derived::default();
        derived
            .fields
            .get_or_init(|| serde_json::json!({"service": "old"}));
        derived.address_problems.get_or_init(Diagnostics::new);
        let copy = derived.clone();
        assert_eq!(copy.fields.get(), None);
        assert!(copy.address_problems.get().is_none());
    }
}
