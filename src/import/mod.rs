//! Foreign formats: service metadata that other tools keep in files of their own, read into
//! service docs with provenance. One module per format, behind one interface: a file in
//! ([`read`]), and once every file of the book is read, [`Record`]s out, which `merge` makes
//! into services together with the service docs of the same id. The parser of service docs
//! knows none of them. Which files are whose is `config::ImportFormat`'s to say.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::{Config, ImportFormat, ImportSettings};
use crate::deserialize::{ProblemCodes, Segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Position};
use crate::model::ServiceId;
use crate::parse::positions::Positions;
use crate::parse::yaml;
use crate::parse::{Discovered, Origin, Parsed};
use crate::source::SourceFile;

pub(crate) mod backstage;
mod codeowners;
mod compass;
mod compose;
mod cortex;
mod datadog;
mod drift;
mod kubernetes;
mod merge;
mod opslevel;
mod values;

/// What a foreign file says, kept until every file of the book is read (a Backstage entity
/// needs the book's Groups and APIs to be read into a service).
#[derive(Debug, Clone)]
pub enum Foreign {
    /// A Backstage catalog file (`catalog-info.yaml`): its entities.
    Backstage(Arc<backstage::CatalogFile>),
    /// A file whose services are read from it alone.
    Records(Arc<[Record]>),
    /// A CODEOWNERS file: who owns each folder of its source.
    CodeOwners(Arc<codeowners::CodeOwners>),
    /// A Docker Compose file: what its services depend on.
    Compose(Arc<compose::ComposeFile>),
    /// Kubernetes manifests: what their workloads depend on.
    Kubernetes(Arc<kubernetes::Manifests>),
}

impl ImportFormat {
    /// How pages name where a service's fields came from: "From {label} (file:line)".
    pub(crate) fn label(self) -> &'static str {
        match self {
            ImportFormat::Backstage => "the Backstage catalog",
            ImportFormat::Datadog => "the Datadog service definition",
            ImportFormat::OpsLevel => "the OpsLevel service file",
            ImportFormat::Cortex => "the Cortex descriptor",
            ImportFormat::Compass => "the Compass component",
            ImportFormat::CodeOwners => "CODEOWNERS",
            ImportFormat::Compose => "the Compose file",
            ImportFormat::Kubernetes => "the Kubernetes manifests",
        }
    }

    /// The codes of problems in the fields a record of this format supplies.
    fn problem_codes(self) -> ProblemCodes {
        match self {
            ImportFormat::Backstage => backstage::ENTITY_CODES,
            _ => ProblemCodes {
                unknown_key: Code::ImportInvalidValue,
                invalid_value: Code::ImportInvalidValue,
            },
        }
    }
}

/// What one file of another tool says of one service, in a service doc's own shape: the
/// front-matter keys and values it supplies (`service` always).
#[derive(Debug, Clone)]
pub struct Record {
    pub(crate) format: ImportFormat,
    /// The foreign file.
    pub(crate) origin: Origin,
    /// Where the service's entry starts in it.
    pub(crate) first_line: usize,
    /// The entry's text.
    pub(crate) text: String,
    pub(crate) fields: Map<String, Value>,
    /// The line of each field it supplies whose line is known (`owner.team`, `tier`), for
    /// results to cite; the others cite `first_line`.
    pub(crate) lines: BTreeMap<String, usize>,
    /// Other names the tool's files give this service (a Compass component's ARI).
    pub(crate) aliases: Vec<String>,
    /// Services it depends on, named as its tool names them (by alias), with the line of
    /// each: made `depends_on` entries once every file is read (see [`resolve`]).
    pub(crate) references: Vec<(String, usize)>,
}

impl Record {
    /// The service id it describes.
    fn id(&self) -> &str {
        self.fields
            .get("service")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Reads a file of another tool, as `format` and the book's `[import]` settings say; its
/// problems are located diagnostics.
pub fn read(
    file: &SourceFile,
    format: ImportFormat,
    config: &Config,
    diagnostics: &mut Diagnostics,
) -> Option<Foreign> {
    match format {
        ImportFormat::Backstage => backstage::parse_file(file, diagnostics).map(Foreign::Backstage),
        ImportFormat::Datadog => records(datadog::read(file, &config.import, diagnostics)),
        ImportFormat::OpsLevel => records(opslevel::read(file, &config.import, diagnostics)),
        ImportFormat::Cortex => records(cortex::read(file, &config.import, diagnostics)),
        ImportFormat::Compass => records(compass::read(file, &config.import, diagnostics)),
        ImportFormat::CodeOwners => {
            codeowners::read(file, diagnostics).map(|read| Foreign::CodeOwners(Arc::new(read)))
        }
        ImportFormat::Compose => {
            compose::read(file, diagnostics).map(|read| Foreign::Compose(Arc::new(read)))
        }
        ImportFormat::Kubernetes => {
            kubernetes::read(file).map(|read| Foreign::Kubernetes(Arc::new(read)))
        }
    }
}

fn records(read: Vec<Record>) -> Option<Foreign> {
    (!read.is_empty()).then(|| Foreign::Records(read.into()))
}

/// The parsed docs with what the foreign files say merged in: fields of docs of the same id,
/// and services no doc describes.
pub(crate) fn into_services(
    config: &Config,
    parsed: Vec<Parsed>,
    foreign: &[Foreign],
    diagnostics: &mut Diagnostics,
) -> Vec<Parsed> {
    let catalogs: Vec<Arc<backstage::CatalogFile>> = foreign
        .iter()
        .filter_map(|file| match file {
            Foreign::Backstage(catalog) => Some(Arc::clone(catalog)),
            _ => None,
        })
        .collect();
    let mut records = backstage::records(&catalogs, diagnostics);
    for file in foreign {
        if let Foreign::Records(read) = file {
            records.extend(read.iter().cloned());
        }
    }
    resolve(&mut records, diagnostics);
    let owned = owned_by_codeowners(foreign, &parsed, &records);
    records.extend(owned);
    let mut services = merge::into_services(records, parsed, diagnostics);
    attach_discovered(config, foreign, &mut services);
    services
}

/// Adds `dependency` to `found` unless a file already showed the same one (the first line
/// that shows it is the one cited).
fn add_discovered(found: &mut Vec<Discovered>, dependency: Discovered) {
    if !found.iter().any(|d| d.service == dependency.service) {
        found.push(dependency);
    }
}

/// Gives each service what its Compose files and Kubernetes manifests show it depends on.
fn attach_discovered(config: &Config, foreign: &[Foreign], services: &mut [Parsed]) {
    let compose = foreign.iter().filter_map(|file| match file {
        Foreign::Compose(file) => Some(file.as_ref()),
        _ => None,
    });
    let manifests = foreign.iter().filter_map(|file| match file {
        Foreign::Kubernetes(file) => Some(file.as_ref()),
        _ => None,
    });
    let mut discovered = compose::discovered(compose, &config.import.compose_files);
    for (service, found) in kubernetes::discovered(manifests) {
        let entry = discovered.entry(service).or_default();
        found.into_iter().for_each(|d| add_discovered(entry, d));
    }
    if discovered.is_empty() {
        return;
    }
    for parsed in services {
        if let Parsed::Service(source) = parsed
            && let Some(found) = discovered.remove(source.doc.service.as_str())
        {
            Arc::make_mut(source).discovered = found;
        }
    }
}

/// For each service, the team its source's CODEOWNERS gives the file that describes it (the
/// doc, else the first file of another tool): records read last, so they fill only what
/// nothing else says.
fn owned_by_codeowners(foreign: &[Foreign], parsed: &[Parsed], records: &[Record]) -> Vec<Record> {
    let mut by_source: HashMap<usize, &codeowners::CodeOwners> = HashMap::new();
    let rank = |file: &codeowners::CodeOwners| {
        ImportFormat::CodeOwners
            .places()
            .and_then(|places| places.iter().position(|p| *p == file.origin.relative))
    };
    for file in foreign {
        if let Foreign::CodeOwners(file) = file {
            let slot = by_source.entry(file.origin.source_index).or_insert(file);
            if rank(file) < rank(slot) {
                *slot = file;
            }
        }
    }
    if by_source.is_empty() {
        return Vec::new();
    }
    let docs = parsed.iter().filter_map(|parsed| match parsed {
        Parsed::Service(source) => Some((source.doc.service.as_str(), &source.origin)),
        _ => None,
    });
    let described = docs.chain(records.iter().map(|r| (r.id(), &r.origin)));
    let mut seen = std::collections::HashSet::new();
    described
        .filter(|(id, _)| seen.insert(id.to_string()))
        .filter_map(|(id, origin)| {
            by_source
                .get(&origin.source_index)?
                .record(id, &origin.relative)
        })
        .collect()
}

/// Makes each record's references `depends_on` entries on the services their aliases
/// name; a reference no file of the book names is a warning at its line, and left out.
fn resolve(records: &mut [Record], diagnostics: &mut Diagnostics) {
    let ids: HashMap<String, String> = records
        .iter()
        .flat_map(|r| {
            r.aliases
                .iter()
                .map(|alias| (alias.clone(), r.id().to_string()))
        })
        .collect();
    for record in records.iter_mut() {
        for (alias, line) in std::mem::take(&mut record.references) {
            let Some(id) = ids.get(&alias) else {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::ImportUnknownReference,
                        &record.origin.display_path,
                        format!("depends on `{alias}`, which no file of the book describes; left out"),
                    )
                    .at(Position::new(line, 1))
                    .with_help("add the file that describes it to the book's sources, or write the dependency in a service doc by its id"),
                );
                continue;
            };
            let entry = serde_json::json!({ "service": id });
            match record.fields.get_mut("depends_on") {
                Some(Value::Array(items)) => items.push(entry),
                _ => {
                    record
                        .fields
                        .insert("depends_on".into(), Value::Array(vec![entry]));
                    record.lines.insert("depends_on".into(), line);
                }
            }
        }
    }
}

/// The YAML documents of a file, each with the line it starts on; empty ones are left out.
fn documents(text: &str) -> Vec<(usize, &str)> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut first_line = 1;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if bare == "---" || bare.starts_with("--- ") || bare == "..." {
            documents.push((first_line, &text[start..offset]));
            start = offset + line.len();
            first_line = index + 2;
        }
        offset += line.len();
    }
    documents.push((first_line, &text[start..]));
    documents.retain(|(_, document)| {
        document
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    });
    documents
}

/// The records `record` makes of each YAML document of `file` (a document it cannot read is a
/// located error; one that is not its tool's, the handler's to note).
fn read_documents(
    file: &SourceFile,
    diagnostics: &mut Diagnostics,
    mut record: impl FnMut(&Document, &mut Diagnostics) -> Option<Record>,
) -> Vec<Record> {
    let mut records = Vec::new();
    read_documents_with(file, diagnostics, |document, diagnostics| {
        records.extend(record(document, diagnostics));
    });
    records
}

/// Calls `each` with every YAML document of `file`; the file's origin, when it can be read.
fn read_documents_with(
    file: &SourceFile,
    diagnostics: &mut Diagnostics,
    mut each: impl FnMut(&Document, &mut Diagnostics),
) -> Option<Origin> {
    let text = crate::parse::read_text(file, diagnostics)?;
    let origin = Origin::of(file);
    for (first_line, part) in documents(&text) {
        if let Some(document) = Document::read(&origin, first_line, part, diagnostics) {
            each(&document, diagnostics);
        }
    }
    Some(origin)
}

/// A warning that a document is not one its tool reads (`what`, because `why`), and is
/// skipped; `help` says what the tool reads.
fn not_recognised(document: &Document, at: &str, what: &str, help: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::ImportNotRecognised,
        &document.origin.display_path,
        format!("this is not {what}; skipped"),
    )
    .at(document.position(at))
    .with_help(help)
}

/// What a typed link of another tool's file says of a service.
#[derive(Debug, Clone, Copy)]
enum LinkUse {
    /// The first such link's URL is the value of this front-matter field.
    First(&'static str),
    /// Every such link is a runbook: a recovery procedure named by the link.
    Runbook,
}

/// The links of the list at `list` (items with `type_key`, `url` and `name`), each used as
/// `used_as` says of its type.
fn typed_links(
    draft: &mut Draft,
    list: &str,
    type_key: &str,
    used_as: impl Fn(&str) -> Option<LinkUse>,
) {
    let Some(Value::Array(links)) = draft.document.get(list).cloned() else {
        return;
    };
    for (index, link) in links.iter().enumerate() {
        let at = format!("{list}.{index}.url");
        let (Some(kind), Some(url)) = (
            link.get(type_key).and_then(Value::as_str),
            link.get("url").and_then(Value::as_str),
        ) else {
            continue;
        };
        match used_as(&kind.to_ascii_lowercase()) {
            Some(LinkUse::First(field)) => draft.text(field, &at),
            Some(LinkUse::Runbook) => {
                let name = link.get("name").and_then(Value::as_str).unwrap_or(url);
                let procedure = serde_json::json!({ "failure": name, "link": url });
                draft.push("runbooks.recovery", procedure, &at);
            }
            None => {}
        }
    }
}

/// Each item of the list at `list` that names a service (by `name_of`), a hard dependency;
/// `via_key` names the item's key whose text says how.
fn dependencies(
    draft: &mut Draft,
    list: &str,
    name_of: impl Fn(&Value) -> Option<String>,
    via_key: Option<&str>,
) {
    let Some(Value::Array(items)) = draft.document.get(list).cloned() else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let id = values::service_id(&name_of(item).unwrap_or_default());
        if id.is_empty() {
            continue;
        }
        let mut dependency = serde_json::json!({ "service": id });
        if let Some(via) = via_key.and_then(|key| item.get(key)?.as_str()) {
            dependency["via"] = Value::String(via.to_string());
        }
        draft.push("depends_on", dependency, &format!("{list}.{index}"));
    }
}

/// One YAML document of a foreign file, read, with where its fields are in the file.
struct Document<'t> {
    origin: &'t Origin,
    text: &'t str,
    first_line: usize,
    tree: Value,
    positions: Positions,
}

impl Document<'_> {
    /// Reads the document starting at `first_line` of the file; a syntax error is located.
    fn read<'t>(
        origin: &'t Origin,
        first_line: usize,
        text: &'t str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Document<'t>> {
        match Document::parse(origin, first_line, text) {
            Ok(document) => Some(document),
            Err(error) => {
                let error = error.in_file(first_line);
                let diagnostic = Diagnostic::error(
                    Code::ImportSyntax,
                    &origin.display_path,
                    format!("invalid YAML: {}", error.message()),
                )
                .at(error.position);
                diagnostics.push(Diagnostic {
                    help: error.help(),
                    ..diagnostic
                });
                None
            }
        }
    }

    /// Reads the document starting at `first_line` of the file, or says why it cannot.
    fn parse<'t>(
        origin: &'t Origin,
        first_line: usize,
        text: &'t str,
    ) -> Result<Document<'t>, yaml::SyntaxError> {
        let read = yaml::read(text)?;
        Ok(Document {
            origin,
            text,
            first_line,
            tree: read.tree,
            positions: read.positions,
        })
    }

    /// The value at a dotted path of the document (`integrations.pagerduty.service-url`,
    /// `links.0.url`).
    fn get(&self, path: &str) -> Option<&Value> {
        path.split('.')
            .try_fold(&self.tree, |value, key| {
                match (value, key.parse::<usize>()) {
                    (Value::Array(items), Ok(index)) => items.get(index),
                    _ => value.get(key),
                }
            })
            .filter(|value| !value.is_null())
    }

    /// A string at `path`, when it is one and not empty.
    fn text_at(&self, path: &str) -> Option<&str> {
        self.get(path)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }

    /// Where the key at a dotted path is written in the file.
    fn key_position(&self, path: &str) -> Position {
        self.locate(path, true)
    }

    /// Where the value at a dotted path is written in the file.
    fn position(&self, path: &str) -> Position {
        self.locate(path, false)
    }

    fn locate(&self, path: &str, at_key: bool) -> Position {
        let segments: Vec<Segment> = path
            .split('.')
            .map(|key| match key.parse() {
                Ok(index) => Segment::Index(index),
                Err(_) => Segment::Key(key.to_string()),
            })
            .collect();
        let at = self.positions.locate(&segments, at_key);
        Position::new(at.line + self.first_line - 1, at.column)
    }
}

/// A record being made from a document: each field set once, by the first place that gives
/// it, and the line it came from noted.
struct Draft<'d, 't> {
    document: &'d Document<'t>,
    fields: Map<String, Value>,
    lines: BTreeMap<String, usize>,
}

impl<'d, 't> Draft<'d, 't> {
    /// A draft of the service the document names at `id_path`; `None`, and a located
    /// problem, when it names none that can be an id.
    fn new(
        document: &'d Document<'t>,
        id_path: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Draft<'d, 't>> {
        Draft::identified(document, id_path, true, diagnostics)
    }

    /// A draft of the service whose display name is at `name_path`, its id made from the name
    /// as its tool makes one (`Shopping Cart` is `shopping-cart`), without a word.
    fn named(
        document: &'d Document<'t>,
        name_path: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Draft<'d, 't>> {
        Draft::identified(document, name_path, false, diagnostics)
    }

    fn identified(
        document: &'d Document<'t>,
        id_path: &str,
        warn_if_adjusted: bool,
        diagnostics: &mut Diagnostics,
    ) -> Option<Draft<'d, 't>> {
        let origin = &document.origin.display_path;
        let Some(name) = document.text_at(id_path) else {
            diagnostics.push(
                Diagnostic::error(
                    Code::ImportNoId,
                    origin,
                    format!("`{id_path}` is missing, so this names no service"),
                )
                .at(document.position(""))
                .with_help(format!("add `{id_path}` with the service's name")),
            );
            return None;
        };
        let id = values::service_id(name);
        let at = document.position(id_path);
        if let Err(reason) = ServiceId::try_from(id.clone()) {
            diagnostics.push(
                Diagnostic::error(
                    Code::ImportNoId,
                    origin,
                    format!("`{name}` cannot be a service id"),
                )
                .at(at)
                .with_help(match id.is_empty() {
                    true => "names need at least one letter or digit".to_string(),
                    false => reason,
                }),
            );
            return None;
        }
        if warn_if_adjusted && id != name {
            diagnostics.push(
                Diagnostic::warning(
                    Code::ImportNameAdjusted,
                    origin,
                    format!("`{name}` is not a service id; read as service `{id}`"),
                )
                .at(at)
                .with_help("service ids are lowercase letters, digits and `-`: a doc or another file that names it must use that id"),
            );
        }
        let mut fields = Map::new();
        fields.insert("service".into(), Value::String(id));
        Some(Draft {
            document,
            fields,
            lines: BTreeMap::new(),
        })
    }

    /// Whether `target` (a front-matter path: `tier`, `owner.team`) is set.
    fn has(&self, target: &str) -> bool {
        target
            .split('.')
            .try_fold(&self.fields, |map, key| match map.get(key) {
                Some(Value::Object(inner)) => Some(inner),
                Some(_) => Some(map),
                None => None,
            })
            .is_some()
    }

    /// Sets `target` to `value`, read at `from` in the document, unless it is set already.
    fn set(&mut self, target: &str, value: Value, from: &str) {
        if self.has(target) {
            return;
        }
        let (parents, last) = target
            .rsplit_once('.')
            .map_or(("", target), |(p, l)| (p, l));
        let mut map = &mut self.fields;
        for key in parents.split('.').filter(|k| !k.is_empty()) {
            let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
            match entry {
                Value::Object(inner) => map = inner,
                _ => return,
            }
        }
        map.insert(last.to_string(), value);
        let line = self.document.position(from).line;
        self.lines.insert(target.to_string(), line);
    }

    /// Sets `target` to the text at `from`, when there is some. A value of another type is
    /// set as it is, for the service doc's types to say what is wrong with it.
    fn text(&mut self, target: &str, from: &str) {
        let value = match self.document.get(from) {
            Some(Value::String(text)) if text.trim().is_empty() => return,
            Some(Value::String(text)) => Value::String(text.trim().to_string()),
            Some(other) => other.clone(),
            None => return,
        };
        self.set(target, value, from);
    }

    /// Adds `item` to the list at `target`, read at `from`; the list cites its first item.
    fn push(&mut self, target: &str, item: Value, from: &str) {
        self.set(target, Value::Array(Vec::new()), from);
        let (parents, last) = target
            .rsplit_once('.')
            .map_or(("", target), |(p, l)| (p, l));
        let map =
            parents
                .split('.')
                .filter(|k| !k.is_empty())
                .try_fold(&mut self.fields, |map, key| match map.get_mut(key) {
                    Some(Value::Object(inner)) => Some(inner),
                    _ => None,
                });
        if let Some(Value::Array(items)) = map.and_then(|map| map.get_mut(last)) {
            items.push(item);
        }
    }

    /// The tier written at `from`, as opsbook's; a value it cannot map is a warning there.
    fn tier(&mut self, from: &str, settings: &ImportSettings, diagnostics: &mut Diagnostics) {
        let Some(value) = self.document.get(from) else {
            return;
        };
        match values::tier(value, settings) {
            Some(tier) => self.set("tier", Value::from(tier), from),
            None => self.unmapped(
                "tier",
                value,
                from,
                "the service gets the default tier, 3",
                diagnostics,
            ),
        }
    }

    /// The lifecycle written at `from`, as opsbook's; a value it cannot map is a warning.
    fn lifecycle(&mut self, from: &str, settings: &ImportSettings, diagnostics: &mut Diagnostics) {
        let Some(value) = self.document.get(from) else {
            return;
        };
        match values::lifecycle(value, settings) {
            Some(lifecycle) => self.set("lifecycle", Value::from(lifecycle.as_str()), from),
            None => self.unmapped(
                "lifecycle",
                value,
                from,
                "the service is read as in production",
                diagnostics,
            ),
        }
    }

    fn unmapped(
        &self,
        what: &str,
        value: &Value,
        from: &str,
        meaning: &str,
        diagnostics: &mut Diagnostics,
    ) {
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        let example = match what {
            "tier" => "1",
            _ => "\"production\"",
        };
        diagnostics.push(
            Diagnostic::warning(
                Code::ImportUnknownValue,
                &self.document.origin.display_path,
                format!("{what} `{shown}` is not one opsbook can map; {meaning}"),
            )
            .at(self.document.position(from))
            .with_help(format!(
                "say what it means in book.toml: `\"{shown}\" = {example}` under `[import.{what}s]`"
            )),
        );
    }

    fn finish(self, format: ImportFormat) -> Record {
        Record {
            format,
            origin: self.document.origin.clone(),
            first_line: self.document.first_line,
            text: self.document.text.to_string(),
            fields: self.fields,
            lines: self.lines,
            aliases: Vec::new(),
            references: Vec::new(),
        }
    }
}

/// The records and problems of a file of `format` at `path` holding `text`, read as a book
/// without settings reads it.
#[cfg(test)]
pub(crate) fn read_for_test(
    format: ImportFormat,
    path: &str,
    text: &str,
) -> (Vec<Record>, Vec<String>) {
    let file = SourceFile {
        display_path: path.into(),
        source_index: 0,
        relative: path.into(),
        kind: crate::source::FileKind::Foreign(format),
        bytes: text.as_bytes().to_vec(),
    };
    let mut diagnostics = Diagnostics::new();
    let config = crate::config::from_text(std::path::Path::new("/book"), "", &mut diagnostics);
    let records = match read(&file, format, &config, &mut diagnostics) {
        Some(Foreign::Records(records)) => records.to_vec(),
        _ => Vec::new(),
    };
    let problems = diagnostics.sorted().iter().map(|d| d.to_string()).collect();
    (records, problems)
}

/// The one record the fixture file at `relative` (of `format`) makes, which must read
/// without a problem.
#[cfg(test)]
pub(crate) fn fixture_record(format: ImportFormat, relative: &str) -> Record {
    let (records, problems) = read_for_test(format, relative, &fixture(relative));
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(records.len(), 1, "{records:?}");
    records.into_iter().next().unwrap()
}

/// The text of a file of the test fixtures.
#[cfg(test)]
pub(crate) fn fixture(relative: &str) -> String {
    let path = format!("{}/tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_start_after_each_separator_and_empty_ones_are_skipped() {
        let text = "# a comment\n---\nkind: A\n---\n\n---\nkind: B\nx: 1\n...\n";
        let found = documents(text);
        assert_eq!(found, vec![(3, "kind: A\n"), (7, "kind: B\nx: 1\n")]);
    }
}
