//! Kubernetes: what runs says what calls what. A workload's containers are told where their
//! dependencies are by environment variables (`CART_SERVICE_ADDR: "cartservice:7070"`); a
//! variable named `*_ADDR`, `*_HOST` or `*_URL` whose host is a Service of the book's
//! manifests is a dependency of the workload on it. These are evidence, as Compose's are, for
//! the `deps.declared` check. Any YAML file of a source may hold manifests: one that is not
//! Kubernetes (or not YAML) is none of this reader's business and is passed over silently.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use serde_json::Value;

use crate::import::{Document, documents};
use crate::parse::{Discovered, Origin};
use crate::source::SourceFile;

/// Kinds whose pod template runs containers, and where the template's pod spec is.
const WORKLOADS: &[(&str, &str)] = &[
    ("Deployment", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"),
    ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"),
    ("Pod", "spec"),
];

/// The suffixes of variables that say where a dependency is.
const ADDRESS_VARIABLES: &[&str] = &["_ADDR", "_HOST", "_URL"];

/// The manifests of one file: its workloads with the hosts their variables name, and its
/// Services.
#[derive(Debug)]
pub struct Manifests {
    pub(crate) origin: Origin,
    /// Workload name -> (host a variable names, line of its value).
    workloads: Vec<(String, Vec<(String, usize)>)>,
    services: Vec<String>,
}

/// The manifests of a YAML file; `None` when it holds none.
pub(crate) fn read(file: &SourceFile) -> Option<Manifests> {
    let text = crate::parse::decode::text(&file.bytes).ok()?;
    let origin = Origin::of(file);
    let mut manifests = Manifests {
        origin: origin.clone(),
        workloads: Vec::new(),
        services: Vec::new(),
    };
    for (first_line, part) in documents(&text) {
        // Kubernetes manifests say so first: skip other YAML without parsing all of it.
        if !(part.contains("apiVersion") && part.contains("kind")) {
            continue;
        }
        // Not YAML, or not ours: passed over silently (see the module's documentation).
        let Ok(document) = Document::parse(&origin, first_line, part) else {
            continue;
        };
        let (Some(kind), Some(name)) =
            (document.text_at("kind"), document.text_at("metadata.name"))
        else {
            continue;
        };
        if kind == "Service" {
            manifests.services.push(name.to_string());
            continue;
        }
        let Some((_, pod)) = WORKLOADS.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let mut hosts = Vec::new();
        let containers = document
            .get(&format!("{pod}.containers"))
            .and_then(Value::as_array);
        for (c, container) in containers.into_iter().flatten().enumerate() {
            let env = container.get("env").and_then(Value::as_array);
            for (e, variable) in env.into_iter().flatten().enumerate() {
                let (Some(variable_name), Some(value)) = (
                    variable.get("name").and_then(Value::as_str),
                    variable.get("value").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if !ADDRESS_VARIABLES.iter().any(|s| variable_name.ends_with(s)) {
                    continue;
                }
                let path = format!("{pod}.containers.{c}.env.{e}.value");
                hosts.push((host(value), document.position(&path).line));
            }
        }
        manifests.workloads.push((name.to_string(), hosts));
    }
    (!manifests.workloads.is_empty() || !manifests.services.is_empty()).then_some(manifests)
}

/// The Service a value's host names: `cartservice` of `cartservice:7070`,
/// `http://cart.shop.svc.cluster.local/api` or `redis-cart:6379`.
fn host(value: &str) -> String {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    host.split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// What the book's manifests show each workload (by id) depends on: the Services the hosts
/// of its address variables name.
pub(crate) fn discovered<'m>(
    files: impl IntoIterator<Item = &'m Manifests> + Clone,
) -> HashMap<String, Vec<Discovered>> {
    let services: BTreeSet<&str> = files
        .clone()
        .into_iter()
        .flat_map(|m| m.services.iter().map(String::as_str))
        .collect();
    let mut found: HashMap<String, Vec<Discovered>> = HashMap::new();
    for manifests in files {
        for (workload, hosts) in &manifests.workloads {
            let entry = found
                .entry(super::values::service_id(workload))
                .or_default();
            for (host, line) in hosts.iter().filter(|(h, _)| services.contains(h.as_str())) {
                let dependency = Discovered {
                    service: super::values::service_id(host),
                    file: PathBuf::from(&manifests.origin.display_path),
                    line: *line,
                };
                super::add_discovered(entry, dependency);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_the_first_label_of_what_the_value_points_at() {
        assert_eq!(host("cartservice:7070"), "cartservice");
        assert_eq!(host("http://cart.shop.svc.cluster.local/api"), "cart");
        assert_eq!(host("redis://user:secret@redis-cart:6379/0"), "redis-cart");
        assert_eq!(host("Checkout"), "checkout");
    }
}
