//! Docker Compose: what runs says what calls what. A compose file's services name their
//! dependencies (`depends_on`, short or long form, and `links`); the default project of a
//! folder is its first base file (`compose.yaml`, `compose.yml`, `docker-compose.yml`,
//! `docker-compose.yaml`, in compose's order) with its first override file, merged as compose
//! merges them (dependencies are a union). These are evidence, not claims: the `deps.declared`
//! check compares them with each service's `depends_on`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::Value;

use crate::diag::Diagnostics;
use crate::import::{Document, not_recognised, read_documents_with};
use crate::parse::{Discovered, Origin};
use crate::source::SourceFile;

/// Base file names, in the order compose looks for them.
const BASE: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];
/// Override file names, in the order compose looks for them.
const OVERRIDE: &[&str] = &[
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The services of a compose file and what each depends on.
#[derive(Debug)]
pub struct ComposeFile {
    pub(crate) origin: Origin,
    /// Service name -> (dependency name, line of the entry).
    services: BTreeMap<String, Vec<(String, usize)>>,
}

/// Reads a compose file; a file without `services:` is skipped with a note.
pub(crate) fn read(file: &SourceFile, diagnostics: &mut Diagnostics) -> Option<ComposeFile> {
    let mut services = BTreeMap::new();
    let origin = read_documents_with(file, diagnostics, |document, diagnostics| {
        let Some(Value::Object(defined)) = document.get("services") else {
            diagnostics.push(not_recognised(
                document,
                "",
                "a Compose file (it has no `services:`)",
                "Compose reads a mapping of `services:`, each with its `image` or `build`",
            ));
            return;
        };
        for (name, service) in defined {
            let dependencies = dependencies(document, name, service);
            services.insert(name.clone(), dependencies);
        }
    })?;
    Some(ComposeFile { origin, services })
}

/// A service's `depends_on` (a list of names, or a mapping from name to options) and
/// `links` (`name` or `name:alias`), each with its line.
fn dependencies(document: &Document, name: &str, service: &Value) -> Vec<(String, usize)> {
    let at = |key: &str| format!("services.{name}.{key}");
    let line = |path: &str| document.position(path).line;
    let mut found = Vec::new();
    match service.get("depends_on") {
        Some(Value::Array(names)) => {
            for (index, target) in names.iter().enumerate() {
                if let Some(target) = target.as_str() {
                    found.push((
                        target.to_string(),
                        line(&format!("{}.{index}", at("depends_on"))),
                    ));
                }
            }
        }
        Some(Value::Object(targets)) => {
            for target in targets.keys() {
                let key = format!("{}.{target}", at("depends_on"));
                found.push((target.clone(), document.key_position(&key).line));
            }
        }
        _ => {}
    }
    if let Some(Value::Array(links)) = service.get("links") {
        for (index, link) in links.iter().enumerate() {
            if let Some(link) = link.as_str() {
                let target = link.split(':').next().unwrap_or(link);
                found.push((
                    target.to_string(),
                    line(&format!("{}.{index}", at("links"))),
                ));
            }
        }
    }
    found
}

/// What the compose files of the book show each service (by id) depends on: per folder,
/// the project's files (`project`, by name, in order; else compose's default base and
/// override files), dependencies united.
pub(crate) fn discovered<'f>(
    files: impl IntoIterator<Item = &'f ComposeFile>,
    project: &[String],
) -> HashMap<String, Vec<Discovered>> {
    let mut by_folder: BTreeMap<(usize, String), Vec<&ComposeFile>> = BTreeMap::new();
    for file in files {
        by_folder
            .entry((file.origin.source_index, file.origin.folder().to_string()))
            .or_default()
            .push(file);
    }
    let mut found: HashMap<String, Vec<Discovered>> = HashMap::new();
    for files in by_folder.values() {
        let named = |names: &[&str]| {
            names.iter().find_map(|name| {
                files
                    .iter()
                    .find(|f| f.origin.relative.rsplit('/').next() == Some(name))
            })
        };
        let in_project: Vec<&&ComposeFile> = match project.is_empty() {
            true => named(BASE).into_iter().chain(named(OVERRIDE)).collect(),
            false => project
                .iter()
                .filter_map(|name| named(&[name.as_str()]))
                .collect(),
        };
        for file in in_project {
            for (service, dependencies) in &file.services {
                let entry = found.entry(super::values::service_id(service)).or_default();
                for (target, line) in dependencies {
                    let dependency = Discovered {
                        service: super::values::service_id(target),
                        file: PathBuf::from(&file.origin.display_path),
                        line: *line,
                    };
                    super::add_discovered(entry, dependency);
                }
            }
        }
    }
    found
}
