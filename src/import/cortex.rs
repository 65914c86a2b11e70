//! Cortex: `cortex.yaml` / `cortex.yml`, Cortex's entity descriptor: an OpenAPI 3 document
//! whose `info` holds Cortex's extensions (`x-cortex-tag`, `x-cortex-owners`,
//! `x-cortex-oncall`, `x-cortex-link`, `x-cortex-dependency`...). Cortex has no tier or
//! lifecycle field; organisations keep them in `x-cortex-custom-metadata` or as groups
//! (`tier-1`), and both are read. docs/formats.md maps every field.

use serde_json::{Value, json};

use crate::config::{ImportFormat, ImportSettings};
use crate::diag::Diagnostics;
use crate::import::{
    Document, Draft, LinkUse, Record, dependencies, not_recognised, read_documents, typed_links,
};
use crate::source::SourceFile;

/// The record of a Cortex descriptor, when it describes a service or a resource.
pub(crate) fn read(
    file: &SourceFile,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Vec<Record> {
    read_documents(file, diagnostics, |document, diagnostics| {
        if document.get("info.x-cortex-tag").is_none() {
            diagnostics.push(not_recognised(
                document,
                "info",
                "a Cortex entity descriptor (its `info` has no `x-cortex-tag`)",
                "Cortex reads an OpenAPI document whose `info` has `title` and `x-cortex-tag`",
            ));
            return None;
        }
        entity(document, settings, diagnostics)
    })
}

fn entity(
    document: &Document,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Option<Record> {
    // Domains and teams are Cortex entities, not services.
    let kind = document.text_at("info.x-cortex-type").unwrap_or("service");
    if matches!(kind.to_ascii_lowercase().as_str(), "domain" | "team") {
        return None;
    }
    let mut draft = Draft::new(document, "info.x-cortex-tag", diagnostics)?;
    if !kind.eq_ignore_ascii_case("service") {
        draft.set("kind", json!("resource"), "info.x-cortex-type");
    }
    draft.text("title", "info.title");
    draft.text("description", "info.description");
    owners(&mut draft);
    oncall(&mut draft);
    links(&mut draft);
    draft.text(
        "monitoring.dashboard",
        "info.x-cortex-dashboards.embeds.0.url",
    );
    git(&mut draft);
    let tag = |item: &Value| Some(item.get("tag")?.as_str()?.to_string());
    dependencies(
        &mut draft,
        "info.x-cortex-dependency",
        tag,
        Some("description"),
    );
    tier_and_lifecycle(&mut draft, settings, diagnostics);
    Some(draft.finish(ImportFormat::Cortex))
}

/// `x-cortex-owners`: the first group is the team, the first email the owner's email, the
/// first Slack channel the owner's chat.
fn owners(draft: &mut Draft) {
    let list = "info.x-cortex-owners";
    let Some(Value::Array(owners)) = draft.document.get(list).cloned() else {
        return;
    };
    for (index, owner) in owners.iter().enumerate() {
        let at = |key: &str| format!("{list}.{index}.{key}");
        match owner
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("group") => draft.text("owner.team", &at("name")),
            Some("email") => draft.text("owner.email", &at("email")),
            Some("slack") => {
                if let Some(channel) = owner.get("channel").and_then(Value::as_str) {
                    let channel = format!("#{}", channel.trim_start_matches('#'));
                    draft.set("owner.chat", json!(channel), &at("channel"));
                }
            }
            _ => {}
        }
    }
}

/// `x-cortex-oncall`: PagerDuty's service, schedule or escalation policy, else Opsgenie's
/// schedule, as the address of its page.
fn oncall(draft: &mut Draft) {
    for (tool, address) in [
        ("pagerduty", "https://app.pagerduty.com"),
        ("opsgenie", "https://app.opsgenie.com"),
    ] {
        let at = format!("info.x-cortex-oncall.{tool}");
        let Some(id) = draft.document.text_at(&format!("{at}.id")) else {
            continue;
        };
        let kind = draft
            .document
            .text_at(&format!("{at}.type"))
            .unwrap_or("SERVICE");
        let page = match (tool, kind.to_ascii_uppercase().as_str()) {
            ("pagerduty", "SCHEDULE") => format!("{address}/schedules/{id}"),
            ("pagerduty", "ESCALATION_POLICY") => format!("{address}/escalation_policies/{id}"),
            ("pagerduty", _) => format!("{address}/service-directory/{id}"),
            _ => format!("{address}/schedule/whoisoncall/{id}"),
        };
        draft.set("owner.oncall", json!(page), &format!("{at}.id"));
    }
}

/// `x-cortex-link` (or `x-cortex-links`) by type: the first dashboard (or metrics) and logs
/// link, and every runbook.
fn links(draft: &mut Draft) {
    for list in ["info.x-cortex-link", "info.x-cortex-links"] {
        typed_links(draft, list, "type", |kind| match kind {
            "dashboard" | "metrics" => Some(LinkUse::First("monitoring.dashboard")),
            "logs" => Some(LinkUse::First("logs.central")),
            "runbook" => Some(LinkUse::Runbook),
            _ => None,
        });
    }
}

/// `x-cortex-git`: the repository on GitHub, GitLab or Bitbucket.
fn git(draft: &mut Draft) {
    for (provider, host) in [
        ("github", "github.com"),
        ("gitlab", "gitlab.com"),
        ("bitbucket", "bitbucket.org"),
    ] {
        let at = format!("info.x-cortex-git.{provider}.repository");
        if let Some(repository) = draft.document.text_at(&at) {
            let url = format!("https://{host}/{}", repository.trim_matches('/'));
            draft.set("repository", json!(url), &at);
        }
    }
}

/// Tier and lifecycle: `x-cortex-custom-metadata` keys `tier` and `lifecycle` (or `stage`),
/// a value or `{value, description}`; else a group named like a tier (`tier-1`).
fn tier_and_lifecycle(draft: &mut Draft, settings: &ImportSettings, diagnostics: &mut Diagnostics) {
    let metadata = "info.x-cortex-custom-metadata";
    let value_at = |key: &str| {
        let at = format!("{metadata}.{key}");
        match draft.document.get(&at) {
            Some(Value::Object(described)) if described.contains_key("value") => {
                Some(format!("{at}.value"))
            }
            Some(_) => Some(at),
            None => None,
        }
    };
    if let Some(at) = value_at("tier") {
        draft.tier(&at, settings, diagnostics);
    } else if let Some(Value::Array(groups)) = draft.document.get("info.x-cortex-groups") {
        let tier_group = groups.iter().position(|group| {
            group
                .as_str()
                .is_some_and(|g| g.to_ascii_lowercase().starts_with("tier"))
        });
        if let Some(index) = tier_group {
            draft.tier(
                &format!("info.x-cortex-groups.{index}"),
                settings,
                diagnostics,
            );
        }
    }
    if let Some(at) = value_at("lifecycle").or_else(|| value_at("stage")) {
        draft.lifecycle(&at, settings, diagnostics);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{fixture_record, read_for_test};

    fn read_text(text: &str) -> (Vec<Record>, Vec<String>) {
        read_for_test(ImportFormat::Cortex, "cart/cortex.yaml", text)
    }

    #[test]
    fn a_descriptor_maps_owners_oncall_links_git_dependencies_and_custom_metadata() {
        let record = fixture_record(ImportFormat::Cortex, "three-formats/cart/cortex.yaml");
        assert_eq!(
            Value::Object(record.fields.clone()),
            json!({
                "service": "cart",
                "title": "Cart",
                "description": "Shopping carts, anonymous and logged in.",
                "owner": {
                    "team": "web-team",
                    "email": "web@example.com",
                    "chat": "#team-web",
                    "oncall": "https://app.pagerduty.com/schedules/PWEB123",
                },
                "monitoring": { "dashboard": "https://grafana.example.com/d/cart-cortex" },
                "logs": { "central": "https://kibana.example.com/app/discover#cart" },
                "runbooks": { "recovery": [
                    { "failure": "Cart is down", "link": "https://wiki.example.com/cart/down" },
                ]},
                "repository": "https://github.com/example/cart",
                "depends_on": [
                    { "service": "catalog", "via": "prices" },
                    { "service": "inventory" },
                ],
                "tier": 2,
                "lifecycle": "production",
            })
        );
    }

    #[test]
    fn tiers_come_from_groups_and_other_documents_are_passed_over_or_noted() {
        let (records, _) = read_text(
            "openapi: 3.0.0\ninfo:\n  title: Cart\n  x-cortex-tag: cart\n  x-cortex-groups: [web, tier-1]\n",
        );
        assert_eq!(records[0].fields["tier"], json!(1));
        let (records, problems) = read_text(
            "openapi: 3.0.0\ninfo:\n  title: Web\n  x-cortex-tag: web\n  x-cortex-type: team\n",
        );
        assert!(records.is_empty() && problems.is_empty(), "{problems:?}");
        let (records, problems) = read_text("openapi: 3.0.0\ninfo:\n  title: Some API\n");
        assert!(records.is_empty());
        assert_eq!(
            problems,
            [
                "cart/cortex.yaml:3:3: warning[OB0810]: this is not a Cortex entity descriptor (its `info` has no `x-cortex-tag`); skipped\n  help: Cortex reads an OpenAPI document whose `info` has `title` and `x-cortex-tag`"
            ]
        );
    }
}
