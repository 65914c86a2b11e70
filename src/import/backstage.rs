//! Backstage: reads `catalog-info.yaml` entities as service docs, so a team that already has
//! a Backstage catalog gets its readiness site without writing a line.
//!
//! Two steps. [`parse_file`] reads one file's YAML documents into entities, with located
//! problems. [`into_services`] then needs every entity of the book at once: a `Component`
//! becomes a service and a `Resource` a resource; consuming an `API` is depending on the
//! components that provide it; a `Group` lends its email to the services it owns. A service
//! doc with the same id as an entity is merged with it: the doc wins where both say something,
//! and the page lists what came from the catalog.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::config::ImportFormat;
use crate::deserialize::{self, ProblemCodes, Segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Position, Severity};
use crate::import::Record;
use crate::model::ServiceId;
use crate::parse::Origin;
use crate::parse::positions::Positions;
use crate::parse::yaml;
use crate::source::SourceFile;

/// The codes of problems found by reading a Backstage entity, and the service doc made of
/// it, into their structs. Backstage's schema lets entities carry keys of any name, so no
/// key is unknown; a value can still be one opsbook cannot read.
pub(super) const ENTITY_CODES: ProblemCodes = ProblemCodes {
    unknown_key: Code::BackstageInvalidValue,
    invalid_value: Code::BackstageInvalidValue,
};

/// The entities of one catalog file.
#[derive(Debug, Clone)]
pub struct CatalogFile {
    pub(crate) origin: Origin,
    pub(crate) entities: Vec<EntityDoc>,
}

/// One entity and the YAML document it was read from.
#[derive(Debug, Clone)]
pub(crate) struct EntityDoc {
    pub(crate) entity: Entity,
    pub(crate) yaml: String,
    /// Line of the file where the document starts.
    pub(crate) first_line: usize,
    /// Where each field of the document is written.
    pub(crate) positions: Positions,
}

impl EntityDoc {
    fn locate(&self, path: &[Segment]) -> Position {
        let position = self.positions.locate(path, true);
        Position::new(position.line + self.first_line - 1, position.column)
    }
}

/// The fields of an entity opsbook reads; Backstage allows many more, which are ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entity {
    /// Never read, but required: an entity without one is not read as an entity.
    #[allow(dead_code)]
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) metadata: Metadata,
    #[serde(default)]
    pub(crate) spec: Spec,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Metadata {
    /// Required by Backstage; checked by opsbook itself, to say so in one located message.
    pub(crate) name: Option<String>,
    pub(crate) namespace: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) links: Vec<EntityLink>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct EntityLink {
    pub(crate) url: String,
    pub(crate) title: Option<String>,
    pub(crate) icon: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Spec {
    pub(crate) lifecycle: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) system: Option<String>,
    #[serde(default)]
    pub(crate) depends_on: Vec<String>,
    #[serde(default)]
    pub(crate) consumes_apis: Vec<String>,
    #[serde(default)]
    pub(crate) provides_apis: Vec<String>,
    /// A Group's contact details.
    pub(crate) profile: Option<Profile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Profile {
    pub(crate) email: Option<String>,
}

/// Kinds Backstage defines that are not services: read for what they say about services
/// (APIs, Groups) or skipped without a word.
const OTHER_KNOWN_KINDS: &[&str] = &[
    "API", "Group", "User", "System", "Domain", "Location", "Template",
];

/// Reads every YAML document of a catalog file.
pub(crate) fn parse_file(
    file: &SourceFile,
    diagnostics: &mut Diagnostics,
) -> Option<Arc<CatalogFile>> {
    let origin = Origin::of(file);
    let file_text = crate::parse::read_text(file, diagnostics)?;
    let mut entities = Vec::new();
    for (first_line, text) in super::documents(&file_text) {
        let located =
            |position: Position| Position::new(position.line + first_line - 1, position.column);
        // Catalogs sit beside other YAML (OpenAPI definitions, manifests): a document that
        // does not say what kind of entity it is, is not one.
        let is_entity = |tree: &serde_json::Value| {
            tree.get("apiVersion").is_some() && tree.get("kind").is_some()
        };
        let document = match yaml::read(text) {
            Ok(read) => read,
            Err(error) => {
                let error = error.in_file(first_line);
                let diagnostic = Diagnostic::error(
                    Code::BackstageSyntax,
                    &file.display_path,
                    format!("invalid YAML: {}", error.message()),
                )
                .at(error.position);
                diagnostics.push(Diagnostic {
                    help: error.help(),
                    ..diagnostic
                });
                continue;
            }
        };
        if !is_entity(&document.tree) {
            continue;
        }
        let (entity, problems) = deserialize::collect::<Entity>(document.tree);
        for problem in &problems {
            diagnostics.push(problem.diagnostic(
                &file.display_path,
                ENTITY_CODES,
                Severity::Error,
                |path, at_key| located(document.positions.locate(path, at_key)),
            ));
        }
        if let Some(entity) = entity {
            entities.push(EntityDoc {
                entity,
                yaml: text.to_string(),
                first_line,
                positions: document.positions,
            });
        }
    }
    Some(Arc::new(CatalogFile { origin, entities }))
}

/// What the entities of `catalogs` say of each service and resource, in the order read.
pub(crate) fn records(catalogs: &[Arc<CatalogFile>], diagnostics: &mut Diagnostics) -> Vec<Record> {
    let entities: Vec<(&Origin, &EntityDoc)> = catalogs
        .iter()
        .flat_map(|file| file.entities.iter().map(move |e| (&file.origin, e)))
        .collect();
    let index = Index::new(&entities);
    let mut records = Vec::new();
    for (origin, entity_doc) in &entities {
        let entity = &entity_doc.entity;
        let kind = entity.kind.as_str();
        if kind != "Component" && kind != "Resource" {
            if !OTHER_KNOWN_KINDS.contains(&kind) {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::BackstageKindSkipped,
                        &origin.display_path,
                        format!("entity kind `{kind}` is not one opsbook reads; skipped"),
                    )
                    .at(entity_doc.locate(&[Segment::Key("kind".into())])),
                );
            }
            continue;
        }
        if let Some(fields) = fields_of(entity_doc, &index, origin, diagnostics) {
            records.push(Record {
                format: ImportFormat::Backstage,
                origin: (*origin).clone(),
                first_line: entity_doc.first_line,
                text: entity_doc.yaml.clone(),
                fields,
                lines: BTreeMap::new(),
                aliases: Vec::new(),
                references: Vec::new(),
            });
        }
    }
    records
}

/// What the entities of the book say about each other.
struct Index {
    /// Components providing each API, by API key (`namespace/name`).
    providers: HashMap<String, Vec<String>>,
    /// Each Group's email, by group key.
    group_emails: HashMap<String, String>,
}

impl Index {
    fn new(entities: &[(&Origin, &EntityDoc)]) -> Index {
        let mut providers: HashMap<String, Vec<String>> = HashMap::new();
        let mut group_emails = HashMap::new();
        for (_, doc) in entities {
            let entity = &doc.entity;
            let namespace = entity.metadata.namespace.as_deref();
            let Some(name) = entity.metadata.name.as_deref() else {
                continue;
            };
            match entity.kind.as_str() {
                "Component" => {
                    let id = service_id(namespace, name);
                    for api in &entity.spec.provides_apis {
                        let api = Ref::parse(api, "api", namespace);
                        providers.entry(api.key()).or_default().push(id.clone());
                    }
                }
                "Group" => {
                    if let Some(email) = entity.spec.profile.as_ref().and_then(|p| p.email.clone())
                    {
                        let key = Ref::parse(name, "group", namespace).key();
                        group_emails.insert(key, email);
                    }
                }
                _ => {}
            }
        }
        Index {
            providers,
            group_emails,
        }
    }
}

/// An entity reference: `[kind:][namespace/]name`.
struct Ref {
    kind: String,
    namespace: String,
    name: String,
}

impl Ref {
    fn parse(text: &str, default_kind: &str, default_namespace: Option<&str>) -> Ref {
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (kind.to_ascii_lowercase(), rest),
            None => (default_kind.to_string(), text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((namespace, name)) => (namespace.to_string(), name.to_string()),
            None => (
                default_namespace.unwrap_or("default").to_string(),
                rest.to_string(),
            ),
        };
        Ref {
            kind,
            namespace,
            name,
        }
    }

    fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name).to_ascii_lowercase()
    }

    fn service_id(&self) -> String {
        service_id(Some(&self.namespace), &self.name)
    }
}

/// The service id of an entity: its name, lowercased, with its namespace in front unless it
/// is `default`; characters an id cannot hold become `-`.
fn service_id(namespace: Option<&str>, name: &str) -> String {
    let full = match namespace {
        Some(namespace) if !namespace.eq_ignore_ascii_case("default") => {
            format!("{namespace}-{name}")
        }
        _ => name.to_string(),
    };
    full.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

const BACKSTAGE_NAMES: &str = "Backstage names are 1 to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (namespaces: lowercase, digits and `-`); anything else becomes `-` in a service id";

/// Whether Backstage itself accepts `name` as an entity name.
fn is_backstage_name(name: &str) -> bool {
    let inner = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(inner)
}

/// Whether Backstage itself accepts `namespace` (a DNS label).
fn is_backstage_namespace(namespace: &str) -> bool {
    is_backstage_name(namespace)
        && namespace
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A `dependsOn` ref whose name Backstage would refuse is read as a service id all the same
/// (`resource:default/<b>` as `b`): a warning at the ref says what it became.
fn warn_of_renamed_dependencies(doc: &EntityDoc, origin: &Origin, diagnostics: &mut Diagnostics) {
    let namespace = doc.entity.metadata.namespace.as_deref();
    for (index, text) in doc.entity.spec.depends_on.iter().enumerate() {
        let target = Ref::parse(text, "component", namespace);
        if is_backstage_name(&target.name) && is_backstage_namespace(&target.namespace) {
            continue;
        }
        let at = [
            Segment::Key("spec".into()),
            Segment::Key("dependsOn".into()),
            Segment::Index(index),
        ];
        diagnostics.push(
            Diagnostic::warning(
                Code::BackstageBadReference,
                &origin.display_path,
                format!(
                    "`{text}` does not name a valid Backstage entity; read as a dependency on `{}`",
                    target.service_id()
                ),
            )
            .at(doc.locate(&at))
            .with_help(BACKSTAGE_NAMES),
        );
    }
}

/// The service-doc fields an entity gives, as the front matter would hold them.
fn fields_of(
    doc: &EntityDoc,
    index: &Index,
    origin: &Origin,
    diagnostics: &mut Diagnostics,
) -> Option<Map<String, Value>> {
    let entity = &doc.entity;
    let metadata = &entity.metadata;
    let namespace = metadata.namespace.as_deref();
    let Some(name) = metadata.name.as_deref() else {
        diagnostics.push(
            Diagnostic::error(
                Code::BackstageUnnamed,
                &origin.display_path,
                "the entity has no `metadata.name`",
            )
            .at(doc.locate(&[Segment::Key("metadata".into())]))
            .with_help("every Backstage entity needs a name: add `name:` under `metadata`"),
        );
        return None;
    };
    let id = service_id(namespace, name);
    let name_at = [Segment::Key("metadata".into()), Segment::Key("name".into())];
    if let Err(reason) = ServiceId::try_from(id.clone()) {
        diagnostics.push(
            Diagnostic::error(
                Code::BackstageNameNotId,
                &origin.display_path,
                format!("`{name}` cannot be a service id"),
            )
            .at(doc.locate(&name_at))
            .with_help(match id.is_empty() {
                true => "names need at least one letter or digit".to_string(),
                false => reason,
            }),
        );
        return None;
    }
    let renamed = |what: &str, at: &[Segment]| {
        Diagnostic::warning(
            Code::BackstageNameAdjusted,
            &origin.display_path,
            format!("{what} is not a valid Backstage name; read as service `{id}`"),
        )
        .at(doc.locate(at))
        .with_help(BACKSTAGE_NAMES)
    };
    if !is_backstage_name(name) {
        diagnostics.push(renamed(&format!("entity name `{name}`"), &name_at));
    }
    if let Some(namespace) = namespace.filter(|n| !is_backstage_namespace(n)) {
        let at = [
            Segment::Key("metadata".into()),
            Segment::Key("namespace".into()),
        ];
        diagnostics.push(renamed(&format!("namespace `{namespace}`"), &at));
    }
    warn_of_renamed_dependencies(doc, origin, diagnostics);
    let mut fields = Map::new();
    fields.insert("service".into(), json!(id));
    let kind = if entity.kind == "Resource" {
        "resource"
    } else {
        "service"
    };
    fields.insert("kind".into(), json!(kind));
    insert_some(&mut fields, "title", metadata.title.clone());
    insert_some(&mut fields, "description", metadata.description.clone());
    if let Some(lifecycle) = entity.spec.lifecycle.as_deref() {
        match lifecycle {
            "experimental" | "production" | "deprecated" => {
                fields.insert("lifecycle".into(), json!(lifecycle));
            }
            other => diagnostics.push(
                Diagnostic::warning(
                    Code::BackstageLifecycleUnknown,
                    &origin.display_path,
                    format!("lifecycle `{other}` is not one opsbook knows; read as production"),
                )
                .at(doc.locate(&[
                    Segment::Key("spec".into()),
                    Segment::Key("lifecycle".into()),
                ]))
                .with_help("opsbook knows experimental, production and deprecated"),
            ),
        }
    }
    if let Some(system) = &entity.spec.system {
        fields.insert(
            "system".into(),
            json!(
                Ref::parse(system, "system", namespace)
                    .name
                    .to_ascii_lowercase()
            ),
        );
    }
    if let Some(owner) = &entity.spec.owner {
        let owner = Ref::parse(owner, "group", namespace);
        let mut team = Map::new();
        // Backstage compares names without case: `Circulation` is the group `circulation`.
        team.insert("team".into(), json!(owner.name.to_ascii_lowercase()));
        insert_some(
            &mut team,
            "email",
            index.group_emails.get(&owner.key()).cloned(),
        );
        insert_some(&mut team, "oncall", oncall(metadata));
        fields.insert("owner".into(), Value::Object(team));
    }
    insert_some(&mut fields, "repository", repository(metadata));
    if let Some(dashboard) = dashboard(metadata) {
        fields.insert("monitoring".into(), json!({ "dashboard": dashboard }));
    }
    let dependencies = dependencies(entity, index, namespace);
    if !dependencies.is_empty() {
        fields.insert("depends_on".into(), Value::Array(dependencies));
    }
    Some(fields)
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(value) = value {
        map.insert(key.into(), Value::String(value));
    }
}

/// `dependsOn` refs, and the providers of every consumed API (an API nobody in the catalog
/// provides is an external dependency of that name).
fn dependencies(entity: &Entity, index: &Index, namespace: Option<&str>) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    let mut dependencies = Vec::new();
    let mut add = |dependency: Value| {
        if seen.insert(dependency.to_string()) {
            dependencies.push(dependency);
        }
    };
    let targets = entity
        .spec
        .depends_on
        .iter()
        .map(|target| Ref::parse(target, "component", namespace))
        .chain(
            entity
                .spec
                .consumes_apis
                .iter()
                .map(|api| Ref::parse(api, "api", namespace)),
        );
    for target in targets {
        if target.kind != "api" {
            add(json!({ "service": target.service_id() }));
            continue;
        }
        match index.providers.get(&target.key()) {
            Some(providers) => {
                for provider in providers {
                    add(json!({ "service": provider }));
                }
            }
            None => add(json!({ "external": target.name })),
        }
    }
    dependencies
}

/// The source repository, from the annotations Backstage's own plugins use.
fn repository(metadata: &Metadata) -> Option<String> {
    let annotations = &metadata.annotations;
    if let Some(location) = annotations.get("backstage.io/source-location") {
        let url = location.strip_prefix("url:").unwrap_or(location);
        if url.starts_with("http") {
            return Some(url.trim_end_matches('/').to_string());
        }
    }
    annotations
        .get("github.com/project-slug")
        .map(|slug| format!("https://github.com/{slug}"))
}

/// The on-call schedule: a PagerDuty service, or a link that says it is one.
fn oncall(metadata: &Metadata) -> Option<String> {
    if let Some(id) = metadata.annotations.get("pagerduty.com/service-id") {
        return Some(format!("https://app.pagerduty.com/service-directory/{id}"));
    }
    link_where(metadata, |title, _| {
        title.contains("on-call") || title.contains("oncall") || title.contains("pagerduty")
    })
}

/// The health dashboard: Grafana's overview dashboard annotation, or a dashboard link.
fn dashboard(metadata: &Metadata) -> Option<String> {
    metadata
        .annotations
        .get("grafana/overview-dashboard")
        .filter(|url| url.starts_with("http"))
        .cloned()
        .or_else(|| {
            link_where(metadata, |title, icon| {
                icon == "dashboard" || title.contains("dashboard")
            })
        })
}

fn link_where(metadata: &Metadata, wanted: impl Fn(&str, &str) -> bool) -> Option<String> {
    metadata
        .links
        .iter()
        .find(|link| {
            let title = link
                .title
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase();
            wanted(&title, link.icon.as_deref().unwrap_or_default())
        })
        .map(|link| link.url.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_take_kind_and_namespace_from_context_when_missing() {
        let full = Ref::parse("component:shop/cart", "api", None);
        assert_eq!(
            (full.kind.as_str(), full.key()),
            ("component", "shop/cart".into())
        );
        let bare = Ref::parse("cart", "api", Some("shop"));
        assert_eq!(
            (bare.kind.as_str(), bare.key()),
            ("api", "shop/cart".into())
        );
        assert_eq!(
            Ref::parse("resource:artists-db", "x", None).service_id(),
            "artists-db"
        );
        assert_eq!(service_id(Some("Shop"), "Cart_API"), "shop-cart-api");
    }

    #[test]
    fn backstage_names_are_checked_as_backstage_checks_them() {
        for valid in ["cart", "Cart_API", "a.b-c", "x"] {
            assert!(is_backstage_name(valid), "{valid}");
        }
        for invalid in ["../../etc", "<b>", "-a", "a-", "", &"a".repeat(64)] {
            assert!(!is_backstage_name(invalid), "{invalid}");
        }
        assert!(is_backstage_namespace("shop-2"));
        assert!(!is_backstage_namespace("Shop"));
    }
}
