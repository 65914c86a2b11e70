//! Datadog: service definitions (`service.datadog.yaml`, `schema-version` v2, v2.1 and v2.2)
//! and v3 entities (`entity.datadog.yaml`, `apiVersion: v3`, kinds `service`, `datastore`
//! and `queue`), as Datadog's published schemas define them (github.com/DataDog/schema,
//! `service-catalog/`). A file may hold several YAML documents, or one JSON object.
//! docs/formats.md maps every field.

use serde_json::{Value, json};

use crate::config::{ImportFormat, ImportSettings};
use crate::diag::Diagnostics;
use crate::import::{
    Document, Draft, LinkUse, Record, dependencies, not_recognised, read_documents, typed_links,
};
use crate::source::SourceFile;

/// The records of a Datadog file: one per service, datastore or queue it defines.
pub(crate) fn read(
    file: &SourceFile,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Vec<Record> {
    read_documents(file, diagnostics, |document, diagnostics| {
        match shape(document) {
            Shape::Definition => definition(document, settings, diagnostics),
            Shape::Entity => entity(document, settings, diagnostics),
            Shape::OtherEntity => None,
            Shape::Unknown(why) => {
                diagnostics.push(not_recognised(
                    document,
                    "",
                    &format!("a Datadog service definition ({why})"),
                    "Datadog reads `schema-version: v2`, `v2.1` or `v2.2` with `dd-service`, or `apiVersion: v3` entities",
                ));
                None
            }
        }
    })
}

/// What a document is.
enum Shape {
    /// A service definition, schema v2 to v2.2.
    Definition,
    /// A v3 entity that is a service, a datastore or a queue.
    Entity,
    /// A v3 entity of another kind (a system, an API...): not a service.
    OtherEntity,
    /// Not a document Datadog reads, and why.
    Unknown(String),
}

fn shape(document: &Document) -> Shape {
    if let Some(version) = document.get("schema-version") {
        return match version.as_str() {
            Some("v2" | "v2.1" | "v2.2") => Shape::Definition,
            _ => Shape::Unknown(format!(
                "`schema-version: {}` is not one opsbook reads",
                plain(version)
            )),
        };
    }
    match (document.text_at("apiVersion"), document.text_at("kind")) {
        (Some("v3"), Some("service" | "datastore" | "queue")) => Shape::Entity,
        (Some("v3"), _) => Shape::OtherEntity,
        (Some(other), _) => {
            Shape::Unknown(format!("`apiVersion: {other}` is not one opsbook reads"))
        }
        (None, _) => Shape::Unknown("it has neither `schema-version` nor `apiVersion`".into()),
    }
}

/// A value as a message shows it: a string without its quotes.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// A v2, v2.1 or v2.2 service definition.
fn definition(
    document: &Document,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Option<Record> {
    let mut draft = Draft::new(document, "dd-service", diagnostics)?;
    draft.text("description", "description");
    draft.text("owner.team", "team");
    draft.text("owner.team", "dd-team");
    draft.text("system", "application");
    contacts(&mut draft, "contacts");
    oncall(&mut draft, "service-url");
    draft.tier("tier", settings, diagnostics);
    draft.lifecycle("lifecycle", settings, diagnostics);
    draft.text("languages", "languages");
    links(&mut draft, "links");
    if let Some(Value::Array(repos)) = document.get("repos")
        && let Some(index) = repos.iter().position(|r| r.get("url").is_some())
    {
        draft.text("repository", &format!("repos.{index}.url"));
    }
    Some(draft.finish(ImportFormat::Datadog))
}

/// A v3 entity of kind service, datastore or queue.
fn entity(
    document: &Document,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Option<Record> {
    let mut draft = Draft::new(document, "metadata.name", diagnostics)?;
    if document.text_at("kind") != Some("service") {
        draft.set("kind", json!("resource"), "kind");
    }
    draft.text("title", "metadata.displayName");
    draft.text("description", "metadata.description");
    draft.text("owner.team", "metadata.owner.name");
    draft.text("owner.team", "metadata.owner");
    contacts(&mut draft, "metadata.contacts");
    oncall(&mut draft, "serviceURL");
    draft.tier("spec.tier", settings, diagnostics);
    draft.lifecycle("spec.lifecycle", settings, diagnostics);
    draft.text("languages", "spec.languages");
    links(&mut draft, "metadata.links");
    if let Some(Value::Array(parents)) = document.get("spec.componentOf")
        && let Some(index) = parents.iter().position(|p| reference(p).0 == "system")
    {
        let (_, system) = reference(&parents[index]);
        draft.set(
            "system",
            json!(system),
            &format!("spec.componentOf.{index}"),
        );
    }
    dependencies(
        &mut draft,
        "spec.dependsOn",
        |item| Some(reference(item).1),
        None,
    );
    Some(draft.finish(ImportFormat::Datadog))
}

/// A v3 reference, `kind:name` or `kind:namespace/name` (or, as one of Datadog's own
/// examples writes it, a mapping `{kind: name}`): its kind and name.
fn reference(value: &Value) -> (String, String) {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Object(map) if map.len() == 1 => map
            .iter()
            .next()
            .map(|(kind, name)| format!("{kind}:{}", plain(name)))
            .unwrap_or_default(),
        _ => return (String::new(), String::new()),
    };
    let (kind, rest) = text.split_once(':').unwrap_or(("service", &text));
    let name = rest.rsplit('/').next().unwrap_or(rest).trim();
    (kind.trim().to_ascii_lowercase(), name.to_string())
}

/// `contacts` (v2.x) or `metadata.contacts` (v3): the first email is the owner's email, the
/// first Slack or Teams channel the owner's chat; the rest are contacts.
fn contacts(draft: &mut Draft, list: &str) {
    let Some(Value::Array(contacts)) = draft.document.get(list).cloned() else {
        return;
    };
    for (index, contact) in contacts.iter().enumerate() {
        let at = format!("{list}.{index}.contact");
        let (Some(kind), Some(address)) = (
            contact.get("type").and_then(Value::as_str),
            contact.get("contact").and_then(Value::as_str),
        ) else {
            continue;
        };
        let (owner_field, contact_field) = match kind.to_ascii_lowercase().as_str() {
            "email" => ("owner.email", "email"),
            "slack" | "microsoft-teams" => ("owner.chat", "chat"),
            _ => continue,
        };
        if !draft.has(owner_field) {
            draft.set(owner_field, json!(address), &at);
            continue;
        }
        let name = contact
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(address);
        draft.push(
            "contacts",
            json!({ "name": name, contact_field: address }),
            &at,
        );
    }
}

/// On-call: PagerDuty's service, else Opsgenie's. `url_key` is how the version names the
/// URL under each (`service-url`, or v3's `serviceURL`); v2 writes PagerDuty's as a string.
fn oncall(draft: &mut Draft, url_key: &str) {
    for tool in ["pagerduty", "opsgenie"] {
        let at = format!("integrations.{tool}");
        if draft.document.get(&at).is_some_and(Value::is_string) {
            draft.text("owner.oncall", &at);
        }
        draft.text("owner.oncall", &format!("{at}.{url_key}"));
    }
}

/// `links` by type: the first dashboard and repository, and every runbook.
fn links(draft: &mut Draft, list: &str) {
    typed_links(draft, list, "type", |kind| match kind {
        "dashboard" => Some(LinkUse::First("monitoring.dashboard")),
        "repo" => Some(LinkUse::First("repository")),
        "runbook" => Some(LinkUse::Runbook),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{fixture, read_for_test};
    use serde_json::Map;

    /// The records of the fixture file at `relative`, with the problems met.
    fn read_fixture(relative: &str) -> (Vec<Record>, Vec<String>) {
        read_text(relative, &fixture(&format!("datadog/{relative}")))
    }

    fn read_text(relative: &str, text: &str) -> (Vec<Record>, Vec<String>) {
        read_for_test(ImportFormat::Datadog, relative, text)
    }

    fn fields(record: &Record) -> Value {
        Value::Object(record.fields.clone())
    }

    #[test]
    fn schema_v2_maps_dd_team_pagerduty_as_a_string_links_and_repos() {
        let (records, problems) = read_fixture("legacy-search/service.datadog.yaml");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            fields(&records[0]),
            json!({
                "service": "legacy-search",
                "owner": {
                    "team": "search",
                    "email": "search-team@example.com",
                    "chat": "https://example.slack.com/archives/C0SEARCH",
                    "oncall": "https://example.pagerduty.com/service-directory/PSEARCH1",
                },
                "monitoring": { "dashboard": "https://app.datadoghq.com/dashboard/abc-search" },
                "runbooks": { "recovery": [
                    { "failure": "Reindex runbook", "link": "https://wiki.example.com/search/reindex" },
                ]},
                "repository": "https://github.com/example/legacy-search",
            })
        );
        assert_eq!(
            records[0].lines["owner.team"], 3,
            "cites the line of `dd-team`"
        );
        assert_eq!(records[0].lines["owner.oncall"], 10);
    }

    #[test]
    fn schema_v2_1_maps_opsgenie_tier_lifecycle_application_and_more_contacts() {
        let (records, problems) = read_fixture("payments/service.datadog.yaml");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            fields(&records[0]),
            json!({
                "service": "payments",
                "description": "Charges cards and refunds them.",
                "system": "shop",
                "tier": 1,
                "lifecycle": "experimental",
                "owner": {
                    "team": "payments",
                    "email": "payments@example.com",
                    "oncall": "https://example.app.opsgenie.com/service/123e4567-e89b-12d3-a456-426614174000",
                },
                "contacts": [ { "name": "Payments lead", "email": "lead.payments@example.com" } ],
                "repository": "https://github.com/example/payments",
                "runbooks": { "recovery": [
                    { "failure": "Card declines", "link": "https://wiki.example.com/payments/declines" },
                ]},
            })
        );
        assert_eq!(records[0].lines["tier"], 6);
        assert_eq!(records[0].lines["lifecycle"], 7);
    }

    #[test]
    fn schema_v2_2_maps_free_contact_and_link_types() {
        let (records, problems) = read_fixture("cart/service.datadog.yaml");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            fields(&records[0]),
            json!({
                "service": "cart",
                "description": "Keeps each customer's shopping cart.",
                "system": "shop",
                "tier": 2,
                "lifecycle": "production",
                "languages": ["go"],
                "owner": {
                    "team": "web",
                    "email": "web@example.com",
                    "chat": "https://example.slack.com/archives/C0WEB",
                    "oncall": "https://example.pagerduty.com/service-directory/PCART01",
                },
                "contacts": [
                    { "name": "Cart on-call chat", "chat": "https://teams.microsoft.com/l/channel/cart" },
                ],
                "monitoring": { "dashboard": "https://app.datadoghq.com/dashboard/abc-cart" },
                "runbooks": { "recovery": [
                    { "failure": "Cart is slow", "link": "https://wiki.example.com/cart/slow" },
                    { "failure": "Cart out of memory", "link": "https://wiki.example.com/cart/oom" },
                ]},
                "repository": "https://github.com/example/cart",
            })
        );
    }

    #[test]
    fn v3_entities_of_one_file_are_services_and_resources_with_dependencies() {
        let (records, problems) = read_fixture("shop/entity.datadog.yaml");
        assert_eq!(problems, Vec::<String>::new());
        let by_id: Map<String, Value> = records
            .iter()
            .map(|r| (r.id().to_string(), fields(r)))
            .collect();
        assert_eq!(
            by_id.keys().collect::<Vec<_>>(),
            ["checkout", "order-events", "orders-db"],
            "the system is not a service; the trailing `---` is nothing"
        );
        assert_eq!(
            by_id["checkout"],
            json!({
                "service": "checkout",
                "title": "Checkout",
                "description": "Turns a cart into an order.",
                "system": "shop",
                "tier": 2,
                "lifecycle": "production",
                "languages": ["java"],
                "owner": {
                    "team": "payments",
                    "chat": "https://example.slack.com/archives/C0CHECKOUT",
                    "oncall": "https://example.pagerduty.com/service-directory/PCHECK1",
                },
                "monitoring": { "dashboard": "https://app.datadoghq.com/dashboard/abc-checkout" },
                "depends_on": [
                    { "service": "cart" },
                    { "service": "payments" },
                    { "service": "orders-db" },
                    { "service": "order-events" },
                ],
            })
        );
        assert_eq!(
            by_id["orders-db"],
            json!({
                "service": "orders-db",
                "kind": "resource",
                "system": "shop",
                "tier": 1,
                "lifecycle": "production",
                "owner": { "team": "payments" },
            })
        );
        let checkout = records.iter().find(|r| r.id() == "checkout").unwrap();
        assert_eq!(checkout.first_line, 11, "the document after the system's");
        assert_eq!(checkout.lines["depends_on"], 34, "the first dependency");
    }

    #[test]
    fn a_v3_reference_may_name_a_namespace_or_be_written_as_a_mapping() {
        assert_eq!(
            reference(&json!("service:cart")),
            ("service".into(), "cart".into())
        );
        assert_eq!(
            reference(&json!("service:shop/cart")),
            ("service".into(), "cart".into())
        );
        assert_eq!(
            reference(&json!({ "datastore": "orders-db" })),
            ("datastore".into(), "orders-db".into())
        );
    }

    #[test]
    fn what_is_not_a_service_definition_is_skipped_with_a_located_warning() {
        let (records, problems) = read_text(
            "x/service.datadog.yaml",
            "name: not datadog\n---\nschema-version: v1\ndd-service: old\n",
        );
        assert!(records.is_empty());
        assert_eq!(
            problems,
            [
                "x/service.datadog.yaml:1:1: warning[OB0810]: this is not a Datadog service definition (it has neither `schema-version` nor `apiVersion`); skipped\n  help: Datadog reads `schema-version: v2`, `v2.1` or `v2.2` with `dd-service`, or `apiVersion: v3` entities",
                "x/service.datadog.yaml:3:1: warning[OB0810]: this is not a Datadog service definition (`schema-version: v1` is not one opsbook reads); skipped\n  help: Datadog reads `schema-version: v2`, `v2.1` or `v2.2` with `dd-service`, or `apiVersion: v3` entities",
            ]
        );
    }

    #[test]
    fn names_ids_and_values_it_cannot_map_are_located() {
        let (records, problems) = read_text(
            "x/service.datadog.yaml",
            "schema-version: v2.2\ndd-service: Shopping_Cart\ntier: gold\nlifecycle: paused\n---\nschema-version: v2.2\nteam: x\n",
        );
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].id(), "shopping-cart");
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].starts_with("x/service.datadog.yaml:2:13: warning[OB0813]: `Shopping_Cart` is not a service id; read as service `shopping-cart`"), "{problems:#?}");
        assert!(problems[1].starts_with("x/service.datadog.yaml:3:7: warning[OB0814]: tier `gold` is not one opsbook can map"), "{problems:#?}");
        assert!(
            problems[1].contains("`\"gold\" = 1` under `[import.tiers]`"),
            "{problems:#?}"
        );
        assert!(
            problems[2]
                .starts_with("x/service.datadog.yaml:4:12: warning[OB0814]: lifecycle `paused`"),
            "{problems:#?}"
        );
        assert!(
            problems[3]
                .starts_with("x/service.datadog.yaml:6:1: error[OB0812]: `dd-service` is missing"),
            "{problems:#?}"
        );
    }
}
