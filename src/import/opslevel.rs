//! OpsLevel: `opslevel.yml`, OpsLevel's config-as-code file (`version: 1`), describing a
//! service under `service:` or, in OpsLevel's newer docs, a component of `type: service`
//! under `component:`. Owner, tier and lifecycle are aliases of the OpsLevel account; tools
//! are links by category. A `repository:` file describes a repository, not a service, and is
//! passed over. docs/formats.md maps every field.

use serde_json::{Value, json};

use crate::config::{ImportFormat, ImportSettings};
use crate::diag::Diagnostics;
use crate::import::{
    Document, Draft, LinkUse, Record, dependencies, not_recognised, read_documents, typed_links,
};
use crate::source::SourceFile;

/// The record of an `opslevel.yml`, when it describes a service.
pub(crate) fn read(
    file: &SourceFile,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Vec<Record> {
    read_documents(file, diagnostics, |document, diagnostics| {
        let entry = ["service", "component"]
            .into_iter()
            .find(|key| document.get(key).is_some_and(Value::is_object));
        match entry {
            Some(entry) if is_service(document, entry) => {
                service(document, entry, settings, diagnostics)
            }
            Some(_) => None,
            None if document.get("repository").is_some() => None,
            None => {
                diagnostics.push(not_recognised(
                    document,
                    "",
                    "an OpsLevel service file (it has no `service:` or `component:`)",
                    "OpsLevel reads `version: 1` with a `service:` (or `component:`) mapping",
                ));
                None
            }
        }
    })
}

/// A `service:` entry, or a `component:` of type service (the type defaults to service).
fn is_service(document: &Document, entry: &str) -> bool {
    document
        .text_at(&format!("{entry}.type"))
        .is_none_or(|kind| kind.eq_ignore_ascii_case("service"))
}

fn service(
    document: &Document,
    entry: &str,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Option<Record> {
    let at = |key: &str| format!("{entry}.{key}");
    // OpsLevel identifies a service by an alias: the first one written, else the one it
    // makes of the name.
    let mut draft = match document.get(&at("aliases.0")) {
        Some(Value::String(_)) => Draft::new(document, &at("aliases.0"), diagnostics)?,
        _ => Draft::named(document, &at("name"), diagnostics)?,
    };
    draft.text("title", &at("name"));
    draft.text("description", &at("description"));
    draft.text("owner.team", &at("owner"));
    draft.text("system", &at("system"));
    draft.tier(&at("tier"), settings, diagnostics);
    draft.lifecycle(&at("lifecycle"), settings, diagnostics);
    if let Some(language) = document.text_at(&at("language")) {
        draft.set("languages", json!([language]), &at("language"));
    }
    tools(&mut draft, &at("tools"));
    repositories(&mut draft, &at("repositories"));
    // `{alias, notes}` items, or bare aliases.
    let alias = |item: &Value| match item {
        Value::String(alias) => Some(alias.clone()),
        other => Some(other.get("alias")?.as_str()?.to_string()),
    };
    dependencies(&mut draft, &at("dependencies"), alias, Some("notes"));
    Some(draft.finish(ImportFormat::OpsLevel))
}

/// `tools` by category: the first dashboard (`metrics`, `observability`), logs, incident
/// tool and code link, and every runbook.
fn tools(draft: &mut Draft, list: &str) {
    typed_links(draft, list, "category", |category| match category {
        "metrics" | "observability" => Some(LinkUse::First("monitoring.dashboard")),
        "logs" => Some(LinkUse::First("logs.central")),
        "incidents" => Some(LinkUse::First("owner.oncall")),
        "code" => Some(LinkUse::First("repository")),
        "runbooks" => Some(LinkUse::Runbook),
        _ => None,
    });
}

/// The first repository, when its provider's web address is known (`name: org/repo`).
fn repositories(draft: &mut Draft, list: &str) {
    let Some(Value::Array(repositories)) = draft.document.get(list).cloned() else {
        return;
    };
    for (index, repository) in repositories.iter().enumerate() {
        let host = match repository.get("provider").and_then(Value::as_str) {
            Some("github") => "github.com",
            Some("gitlab") => "gitlab.com",
            Some("bitbucket") => "bitbucket.org",
            _ => continue,
        };
        if let Some(name) = repository.get("name").and_then(Value::as_str) {
            let url = format!("https://{host}/{}", name.trim_matches('/'));
            draft.set("repository", json!(url), &format!("{list}.{index}.name"));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{fixture_record, read_for_test};

    fn read_text(text: &str) -> (Vec<Record>, Vec<String>) {
        read_for_test(ImportFormat::OpsLevel, "cart/opslevel.yml", text)
    }

    #[test]
    fn a_service_maps_its_aliases_tools_repositories_and_dependencies() {
        let record = fixture_record(ImportFormat::OpsLevel, "three-formats/cart/opslevel.yml");
        assert_eq!(
            Value::Object(record.fields.clone()),
            json!({
                "service": "cart",
                "title": "Shopping Cart",
                "description": "Keeps each customer's shopping cart.",
                "owner": {
                    "team": "web_team",
                    "oncall": "https://example.pagerduty.com/service-directory/PCART01",
                },
                "system": "shop",
                "tier": 1,
                "lifecycle": "production",
                "languages": ["Go"],
                "monitoring": { "dashboard": "https://grafana.example.com/d/cart" },
                "logs": { "central": "https://kibana.example.com/app/discover#cart" },
                "runbooks": { "recovery": [
                    { "failure": "Cart is slow", "link": "https://wiki.example.com/cart/slow" },
                ]},
                "repository": "https://github.com/example/cart",
                "depends_on": [
                    { "service": "catalog", "via": "prices when a line is added" },
                    { "service": "auth" },
                ],
            })
        );
    }

    #[test]
    fn a_component_of_type_service_is_read_and_other_shapes_are_passed_over() {
        let (records, problems) =
            read_text("version: 1\ncomponent:\n  name: Cart\n  type: service\n  owner: web\n");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(records[0].id(), "cart");
        let (records, problems) =
            read_text("version: 1\ncomponent:\n  name: Docs site\n  type: website\n");
        assert!(records.is_empty() && problems.is_empty(), "{problems:?}");
        let (records, problems) = read_text("version: 1\nrepository:\n  owner: web\n");
        assert!(records.is_empty() && problems.is_empty(), "{problems:?}");
        let (records, problems) = read_text("name: cart\n");
        assert!(records.is_empty());
        assert_eq!(
            problems,
            [
                "cart/opslevel.yml:1:1: warning[OB0810]: this is not an OpsLevel service file (it has no `service:` or `component:`); skipped\n  help: OpsLevel reads `version: 1` with a `service:` (or `component:`) mapping"
            ]
        );
    }
}
