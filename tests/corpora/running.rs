//! Real applications as they run: the dependencies `deps.declared` finds in their Compose
//! projects and Kubernetes manifests are exactly those the test reads from the files itself
//! (Compose: every `depends_on`, list or mapping, and `links` of the base and override files;
//! Kubernetes: every `*_ADDR`, `*_HOST` or `*_URL` variable whose host is one of the
//! manifests' Services).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::harness;

/// Builds a book of the project's compose `files` (copied from `folder`) and a doc for each
/// of its services that declares no dependency; checks that `deps.declared` names, for each
/// service, the dependencies the files show, and returns how many it found. `named`: the
/// book names the files as the project's (`[import] compose-files`, compose's `-f`) instead
/// of relying on compose's default names.
pub fn assert_project_dependencies_found(folder: &Path, files: &[&str], named: bool) -> usize {
    let expected = expected_dependencies(folder, files);
    let toml = named.then(|| {
        let names: Vec<String> = files.iter().map(|f| format!("{f:?}")).collect();
        format!("[import]\ncompose-files = [{}]\n", names.join(", "))
    });
    assert_declared_as_found(folder, files, toml.as_deref(), &expected)
}

/// Builds a book of the Kubernetes manifests in `folder` and a doc for each workload that
/// declares no dependency; checks what `deps.declared` names, as above.
pub fn assert_manifest_dependencies_found(folder: &Path) -> usize {
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".yaml") || name.ends_with(".yml"))
        .collect();
    files.sort();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let expected = expected_from_manifests(folder, &names);
    assert_declared_as_found(folder, &names, None, &expected)
}

/// Copies `files` of `folder` into a new book with a doc, declaring no dependency, for each
/// service of `expected`; asserts that `deps.declared` names exactly the expected ones.
fn assert_declared_as_found(
    folder: &Path,
    files: &[&str],
    book_toml: Option<&str>,
    expected: &BTreeMap<String, BTreeSet<String>>,
) -> usize {
    let book = tempfile::tempdir().unwrap();
    if let Some(toml) = book_toml {
        harness::write_file(&book.path().join("book.toml"), toml);
    }
    for file in files {
        std::fs::copy(folder.join(file), book.path().join(file)).unwrap();
    }
    for service in expected.keys() {
        harness::write_file(
            &book.path().join(format!("docs/{service}/service.md")),
            &format!("---\nservice: {service}\ndepends_on: []\n---\n"),
        );
    }
    let report = harness::json_report(book.path(), &[]);
    let mut found = 0;
    for (service, dependencies) in expected {
        let check = harness::check(harness::service(&report, service), "deps.declared");
        let message = check["message"].as_str().unwrap();
        let named: BTreeSet<String> = message
            .split("`depends_on` does not name ")
            .nth(1)
            .map(|rest| {
                rest.split(", which the files it runs from show")
                    .next()
                    .unwrap_or_default()
                    .split("), ")
                    .filter_map(|item| Some(item.split('`').nth(1)?.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(&named, dependencies, "{service}: {message}");
        assert_eq!(
            check["status"],
            if dependencies.is_empty() {
                "pass"
            } else {
                "fail"
            },
            "{service}"
        );
        found += named.len();
    }
    found
}

/// Workload id -> the ids of the Services its address variables name, read with a YAML
/// parser from every document of `files`.
fn expected_from_manifests(folder: &Path, files: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut documents = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(folder.join(file)).unwrap();
        for document in serde_yaml::Deserializer::from_str(&text) {
            if let Ok(value) = serde_yaml::Value::deserialize(document) {
                documents.push(value);
            }
        }
    }
    let kind = |d: &serde_yaml::Value| d.get("kind").and_then(|k| k.as_str()).map(str::to_string);
    let name = |d: &serde_yaml::Value| d.get("metadata")?.get("name")?.as_str().map(str::to_string);
    let services: BTreeSet<String> = documents
        .iter()
        .filter(|d| kind(d).as_deref() == Some("Service"))
        .filter_map(name)
        .collect();
    let mut expected = BTreeMap::new();
    for document in documents
        .iter()
        .filter(|d| kind(d).as_deref() == Some("Deployment"))
    {
        let mut dependencies = BTreeSet::new();
        let containers = document["spec"]["template"]["spec"]["containers"].as_sequence();
        for container in containers.into_iter().flatten() {
            for variable in container["env"].as_sequence().into_iter().flatten() {
                let variable_name = variable["name"].as_str().unwrap_or_default();
                let Some(value) = variable["value"].as_str() else {
                    continue;
                };
                if ["_ADDR", "_HOST", "_URL"]
                    .iter()
                    .any(|s| variable_name.ends_with(s))
                {
                    let host = value.split(':').next().unwrap_or_default();
                    if services.contains(host) {
                        dependencies.insert(id(host));
                    }
                }
            }
        }
        expected.insert(id(&name(document).unwrap()), dependencies);
    }
    expected
}

/// Service id -> the ids it depends on, read from the files with a YAML parser.
fn expected_dependencies(folder: &Path, files: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(folder.join(file)).unwrap();
        let compose: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let Some(services) = compose.get("services").and_then(|s| s.as_mapping()) else {
            continue;
        };
        for (name, service) in services {
            let name = id(name.as_str().unwrap());
            let entry = expected.entry(name).or_default();
            let mut add = |target: &str| {
                entry.insert(id(target.split(':').next().unwrap()));
            };
            match service.get("depends_on") {
                Some(serde_yaml::Value::Sequence(items)) => {
                    items.iter().filter_map(|i| i.as_str()).for_each(&mut add)
                }
                Some(serde_yaml::Value::Mapping(map)) => {
                    map.keys().filter_map(|k| k.as_str()).for_each(&mut add)
                }
                _ => {}
            }
            if let Some(serde_yaml::Value::Sequence(links)) = service.get("links") {
                links.iter().filter_map(|l| l.as_str()).for_each(&mut add);
            }
        }
    }
    expected
}

/// A compose name as an opsbook id: lower case, other characters `-`.
fn id(name: &str) -> String {
    let mut id = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}
