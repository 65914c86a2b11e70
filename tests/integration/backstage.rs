//! Backstage catalogs as sources: Backstage's own example catalog (a real third-party corpus,
//! read in place), merging with service docs, and malformed entities.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::harness::{TODAY, json_report, opsbook, repo_root, service, stderr, write_file};

fn corpus() -> PathBuf {
    repo_root().join("../shared/corpora/backstage-examples/packages/catalog-model/examples")
}

fn book_reading(root: &Path, catalog: &Path) -> PathBuf {
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"Catalog\"\nsrc = []\n\n[[source]]\npath = {:?}\nformat = \"backstage\"\n",
            catalog.display().to_string()
        ),
    )
    .unwrap();
    root.to_path_buf()
}

/// Every YAML document of every file below `folder`, as JSON, read independently of opsbook.
fn entities_in(folder: &Path) -> Vec<Value> {
    let mut entities = Vec::new();
    for entry in walkdir::WalkDir::new(folder) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for document in serde_yaml::Deserializer::from_str(&text) {
            if let Ok(value) = Value::deserialize(document)
                && value.get("apiVersion").is_some()
                && value.get("kind").is_some()
            {
                entities.push(value);
            }
        }
    }
    entities
}

/// `kind:namespace/name` -> name (the example catalog uses the default namespace only).
fn name_of(reference: &str) -> String {
    let rest = reference.split_once(':').map_or(reference, |(_, r)| r);
    rest.rsplit('/').next().unwrap().to_lowercase()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_backstage_example_catalog_becomes_services_with_owners_and_dependencies() {
    let entities = entities_in(&corpus());
    let of_kind =
        |kind: &str| -> Vec<&Value> { entities.iter().filter(|e| e["kind"] == kind).collect() };
    let components = of_kind("Component");
    let resources = of_kind("Resource");
    assert!(components.len() >= 10, "the corpus has its components");

    // Who provides each API, then every component's expected dependencies.
    let mut providers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for component in &components {
        for api in strings(&component["spec"]["providesApis"]) {
            providers
                .entry(name_of(&api))
                .or_default()
                .push(component["metadata"]["name"].as_str().unwrap().to_string());
        }
    }
    let expected_dependencies = |component: &Value| -> BTreeSet<String> {
        let mut wanted: BTreeSet<String> = strings(&component["spec"]["dependsOn"])
            .iter()
            .map(|r| name_of(r))
            .collect();
        for api in strings(&component["spec"]["consumesApis"]) {
            match (api.split_once(':'), providers.get(&name_of(&api))) {
                (Some((kind, _)), _) if kind != "api" => {
                    wanted.insert(name_of(&api));
                }
                (_, Some(names)) => wanted.extend(names.iter().cloned()),
                (_, None) => {
                    wanted.insert(name_of(&api));
                }
            }
        }
        wanted
    };

    let root = tempfile::tempdir().unwrap();
    let book = book_reading(root.path(), &corpus());
    let report = json_report(&book, &[]);
    let services = report["services"].as_array().unwrap();
    assert_eq!(services.len(), components.len() + resources.len());
    let mut api_mediated = 0;
    for component in &components {
        let name = component["metadata"]["name"].as_str().unwrap();
        let found = service(&report, name);
        assert_eq!(found["kind"], "service", "{name}");
        assert_eq!(
            found["team"].as_str(),
            component["spec"]["owner"].as_str().map(name_of).as_deref(),
            "{name}'s owner"
        );
        let dependencies: BTreeSet<String> = found["depends_on"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(dependencies, expected_dependencies(component), "{name}");
        api_mediated += strings(&component["spec"]["consumesApis"]).len();
    }
    assert!(api_mediated > 0, "the corpus consumes APIs");
    for resource in &resources {
        let name = resource["metadata"]["name"].as_str().unwrap();
        assert_eq!(service(&report, name)["kind"], "resource");
    }

    let out = root.path().join("site");
    let built = opsbook(
        &book,
        &["build", "-o", out.to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page = std::fs::read_to_string(out.join("services/wayback-search/index.html")).unwrap();
    assert!(page.contains("Everything here is from the Backstage catalog"));
}

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    email: payments@example.com
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: From the catalog
  annotations:
    github.com/project-slug: acme/checkout
spec:
  type: service
  lifecycle: experimental
  owner: group:default/payments
  system: shop
  consumesApis: [api:payments-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
spec:
  type: service
  lifecycle: production
  owner: payments
  providesApis: [payments-api]
";

#[test]
fn a_doc_and_an_entity_of_the_same_name_merge_and_the_doc_wins() {
    let root = tempfile::tempdir().unwrap();
    write_file(&root.path().join("catalog/catalog-info.yaml"), CATALOG);
    write_file(
        &root.path().join("docs/checkout/service.md"),
        "---\nservice: checkout\ntier: 1\ndescription: From the doc\nowner:\n  phone: \"+1 555 0100\"\n---\n# Checkout\n",
    );
    write_file(
        &root.path().join("book.toml"),
        "[book]\nsrc = \"docs\"\n\n[[source]]\npath = \"catalog\"\nformat = \"backstage\"\n",
    );
    let report = json_report(root.path(), &[]);
    let checkout = service(&report, "checkout");
    assert_eq!(checkout["tier"], 1, "from the doc");
    assert_eq!(checkout["lifecycle"], "experimental", "from the catalog");
    assert_eq!(checkout["team"], "payments", "from the catalog");
    assert_eq!(checkout["system"], "shop");
    assert_eq!(checkout["source"], "docs/checkout/service.md");
    let dependencies: Vec<&str> = checkout["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        dependencies,
        ["payments"],
        "through the API payments provides"
    );

    let out = root.path().join("site");
    let built = opsbook(
        root.path(),
        &["build", "-o", out.to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page = std::fs::read_to_string(out.join("services/checkout/index.html")).unwrap();
    assert!(page.contains("From the doc") && !page.contains("From the catalog"));
    assert!(page.contains("payments@example.com"), "the group's email");
    assert!(page.contains("+1 555 0100"), "the doc's phone beside it");
    let provenance = page
        .split("class=\"provenance")
        .nth(1)
        .expect("the page says where fields came from");
    let provenance = provenance.split("</p>").next().unwrap();
    for field in [
        "owner.team",
        "owner.email",
        "lifecycle",
        "system",
        "depends_on",
        "repository",
    ] {
        assert!(
            provenance.contains(&format!("<code>{field}</code>")),
            "{field}: {provenance}"
        );
    }
    assert!(
        !provenance.contains("<code>description</code>"),
        "the doc's description won: {provenance}"
    );
}

#[test]
fn malformed_entities_are_located_and_unknown_kinds_are_noted() {
    let root = tempfile::tempdir().unwrap();
    write_file(
        &root.path().join("catalog/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: fine\nspec:\n  owner: a\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: no name\nspec:\n  dependsOn: component:fine\n---\napiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n",
    );
    write_file(
        &root.path().join("book.toml"),
        "[book]\nsrc = []\n\n[[source]]\npath = \"catalog\"\nformat = \"backstage\"\n",
    );
    let output = opsbook(root.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message
            .contains("catalog/catalog-info.yaml:10:1: error: the entity has no `metadata.name`"),
        "{message}"
    );
    assert!(
        !message.contains("missing field `metadata`"),
        "no knock-on error: {message}"
    );
    assert!(
        message.contains("catalog/catalog-info.yaml:13:14: error: `spec.dependsOn`"),
        "{message}"
    );
    assert!(
        message.contains(
            "catalog/catalog-info.yaml:16:1: warning: entity kind `Gizmo` is not one opsbook reads; skipped"
        ),
        "{message}"
    );
}

#[test]
fn a_name_backstage_would_refuse_is_a_warning_saying_what_it_became() {
    // Both were renamed without a word: `../../etc` to `etc`, `<b>` to `b`.
    let root = tempfile::tempdir().unwrap();
    write_file(
        &root.path().join("catalog/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ../../etc\nspec:\n  owner: a\n  dependsOn:\n    - component:default/fine\n    - resource:default/<b>\n",
    );
    write_file(
        &root.path().join("book.toml"),
        "[book]\nsrc = []\n\n[[source]]\npath = \"catalog\"\nformat = \"backstage\"\n",
    );
    let output = opsbook(root.path(), &["check", "--today", TODAY]);
    let message = stderr(&output);
    let help = "\n  help: Backstage names are 1 to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (namespaces: lowercase, digits and `-`); anything else becomes `-` in a service id";
    for expected in [
        "catalog/catalog-info.yaml:4:3: warning: entity name `../../etc` is not a valid Backstage name; read as service `etc`",
        "catalog/catalog-info.yaml:9:7: warning: `resource:default/<b>` does not name a valid Backstage entity; read as a dependency on `b`",
    ] {
        assert!(message.contains(&format!("{expected}{help}")), "{message}");
    }
    assert_eq!(
        message.matches("not a valid Backstage").count()
            + message.matches("does not name a valid").count(),
        2,
        "{message}"
    );
}
