//! What a Backstage catalog must become, worked out from its YAML independently of opsbook:
//! shared by the integration tests (on the team's own catalog) and the corpus suite (on
//! Backstage's own example catalog).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::harness::{TODAY, json_report, opsbook, service, stderr};

pub fn book_reading(root: &Path, catalog: &Path) -> PathBuf {
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

/// Builds a book of the catalog in `folder` and asserts that every Component and Resource
/// became a service or resource with its owner and dependencies (API-mediated ones resolved to
/// their providers), and that `page_of`'s page says where its facts came from.
pub fn assert_catalog_read_faithfully(folder: &Path, page_of: &str) {
    let entities = entities_in(folder);
    let of_kind =
        |kind: &str| -> Vec<&Value> { entities.iter().filter(|e| e["kind"] == kind).collect() };
    let components = of_kind("Component");
    let resources = of_kind("Resource");
    assert!(
        !components.is_empty(),
        "{} has components",
        folder.display()
    );

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
    let book = book_reading(root.path(), folder);
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
    let page = std::fs::read_to_string(out.join(format!("services/{page_of}/index.html"))).unwrap();
    assert!(page.contains("Everything here is from the Backstage catalog"));
}
