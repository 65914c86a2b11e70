//! Compass: `compass.yml` (or `compass.yaml`), Atlassian Compass's config-as-code file
//! (`configVersion: 1`), one component per file. Its dependencies name other components by
//! their Atlassian resource identifier (ARI, `id:`), which the book's other `compass.yml`
//! files resolve to service ids (see `import::resolve`). docs/formats.md maps every field.

use serde_json::{Value, json};

use crate::config::{ImportFormat, ImportSettings};
use crate::diag::Diagnostics;
use crate::import::{
    Document, Draft, LinkUse, Record, not_recognised, read_documents, typed_links,
};
use crate::source::SourceFile;

/// The record of a `compass.yml`, when its component is one that runs.
pub(crate) fn read(
    file: &SourceFile,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Vec<Record> {
    read_documents(file, diagnostics, |document, diagnostics| {
        if document.get("configVersion").is_none() && document.get("typeId").is_none() {
            diagnostics.push(not_recognised(
                document,
                "",
                "a Compass component file (it has neither `configVersion` nor `typeId`)",
                "Compass reads `configVersion: 1` with the component's `name` and `typeId`",
            ));
            return None;
        }
        component(document, settings, diagnostics)
    })
}

/// Component types that describe no running thing: nothing to assess.
const NOT_RUNNING: &[&str] = &["LIBRARY", "CAPABILITY", "UI_ELEMENT"];
/// Component types that are resources a service uses.
const RESOURCES: &[&str] = &["CLOUD_RESOURCE", "DATA_PIPELINE"];

fn component(
    document: &Document,
    settings: &ImportSettings,
    diagnostics: &mut Diagnostics,
) -> Option<Record> {
    let kind = document
        .text_at("typeId")
        .unwrap_or("SERVICE")
        .to_ascii_uppercase()
        .replace(' ', "_");
    if NOT_RUNNING.contains(&kind.as_str()) {
        return None;
    }
    let mut draft = Draft::named(document, "name", diagnostics)?;
    if RESOURCES.contains(&kind.as_str()) {
        draft.set("kind", json!("resource"), "typeId");
    }
    draft.text("title", "name");
    draft.text("description", "description");
    draft.tier("fields.tier", settings, diagnostics);
    draft.lifecycle("fields.lifecycle", settings, diagnostics);
    links(&mut draft);
    // Compass has no language field; its docs' examples label components `language:go`.
    if let Some(Value::Array(labels)) = document.get("labels") {
        let languages: Vec<&str> = labels
            .iter()
            .filter_map(|label| label.as_str()?.strip_prefix("language:"))
            .collect();
        if !languages.is_empty() {
            draft.set("languages", json!(languages), "labels");
        }
    }
    let mut record = draft.finish(ImportFormat::Compass);
    if let Some(id) = document.text_at("id") {
        record.aliases.push(id.to_string());
    }
    if let Some(Value::Array(dependencies)) = document.get("relationships.DEPENDS_ON") {
        for (index, dependency) in dependencies.iter().enumerate() {
            if let Some(component) = dependency.as_str() {
                let line = document
                    .position(&format!("relationships.DEPENDS_ON.{index}"))
                    .line;
                record.references.push((component.to_string(), line));
            }
        }
    }
    Some(record)
}

/// `links` by type: the first dashboard, repository, on-call schedule and chat channel.
fn links(draft: &mut Draft) {
    typed_links(draft, "links", "type", |kind| match kind {
        "dashboard" => Some(LinkUse::First("monitoring.dashboard")),
        "repository" => Some(LinkUse::First("repository")),
        "on_call" => Some(LinkUse::First("owner.oncall")),
        "chat_channel" => Some(LinkUse::First("owner.chat")),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{fixture_record, read_for_test};

    fn read_text(text: &str) -> (Vec<Record>, Vec<String>) {
        read_for_test(ImportFormat::Compass, "cart/compass.yml", text)
    }

    #[test]
    fn a_component_maps_its_fields_links_and_names_its_dependencies_by_ari() {
        let record = fixture_record(ImportFormat::Compass, "three-formats/cart/compass.yml");
        assert_eq!(
            Value::Object(record.fields.clone()),
            json!({
                "service": "cart",
                "title": "cart",
                "description": "Keeps each customer's shopping cart.",
                "tier": 1,
                "lifecycle": "production",
                "languages": ["go"],
                "monitoring": { "dashboard": "https://grafana.example.com/d/cart-compass" },
                "repository": "https://github.com/example/cart",
                "owner": {
                    "oncall": "https://example.pagerduty.com/schedules/PWEB999",
                    "chat": "https://example.slack.com/archives/C0WEB",
                },
            })
        );
        assert_eq!(
            record.aliases,
            [
                "ari:cloud:compass:1a2b3c4d-0000-4000-8000-000000000001:component/5e6f7a8b-0000-4000-8000-000000000002/0c0a0000-0000-4000-8000-00000000ca27"
            ]
        );
        assert_eq!(
            record.references,
            [(
                "ari:cloud:compass:1a2b3c4d-0000-4000-8000-000000000001:component/5e6f7a8b-0000-4000-8000-000000000002/0c0a0000-0000-4000-8000-0000000ca7a1".to_string(),
                34
            )]
        );
    }

    #[test]
    fn libraries_are_passed_over_and_other_files_noted() {
        let (records, problems) = read_text("configVersion: 1\nname: ui-kit\ntypeId: LIBRARY\n");
        assert!(records.is_empty() && problems.is_empty(), "{problems:?}");
        let (records, problems) = read_text("name: cart\nsteps: []\n");
        assert!(records.is_empty());
        assert_eq!(
            problems,
            [
                "cart/compass.yml:1:1: warning[OB0810]: this is not a Compass component file (it has neither `configVersion` nor `typeId`); skipped\n  help: Compass reads `configVersion: 1` with the component's `name` and `typeId`"
            ]
        );
    }
}
