//! Compose projects of real applications: the dependencies `deps.declared` finds are exactly
//! those the test reads from the files itself (every `depends_on`, list or mapping, and every
//! `links` entry of the project's base and override files).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness;

/// Builds a book of the project's compose `files` (copied from `folder`) and a doc for each
/// of its services that declares no dependency; checks that `deps.declared` names, for each
/// service, the dependencies the files show, and returns how many it found.
pub fn assert_project_dependencies_found(folder: &Path, files: &[&str]) -> usize {
    let expected = expected_dependencies(folder, files);
    let book = tempfile::tempdir().unwrap();
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
    for (service, dependencies) in &expected {
        let check = harness::check(harness::service(&report, service), "deps.declared");
        let message = check["message"].as_str().unwrap();
        let named: BTreeSet<String> = message
            .split("`depends_on` does not name ")
            .nth(1)
            .map(|rest| {
                rest.split(", which its Compose files show")
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
