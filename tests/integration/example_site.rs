//! The bundled example organisation, built and checked as a newcomer would.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::harness::{
    TODAY, build_example_site, files_in, links_in, opsbook, repo_root, service, stderr, stdout,
};

fn check_json() -> Value {
    let output = opsbook(
        &repo_root(),
        &["check", "--format", "json", "--today", TODAY],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "some example services are below their level"
    );
    serde_json::from_slice(&output.stdout).expect("check --format json prints JSON")
}

fn ids_with_status(service: &Value, statuses: &[&str]) -> BTreeSet<String> {
    service["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| statuses.contains(&c["status"].as_str().unwrap()))
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// (id, level, required, failing checks, waived checks).
type Expectation = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Expected gaps, written by reading each service doc against docs/checklist.md (not by
/// copying output).
const EXPECTED: &[Expectation] = &[
    ("payments", "gold", "gold", &[], &[]),
    ("auth", "gold", "gold", &[], &[]),
    ("orders-db", "gold", "gold", &[], &[]),
    (
        "checkout",
        "silver",
        "gold",
        &["monitoring.slo", "twelve-factor"],
        &["testing.stress"],
    ),
    (
        "storefront",
        "bronze",
        "gold",
        &["deps.tier", "scaling.tested-10x", "runtime.test-components"],
        &[],
    ),
    (
        "cart",
        "silver",
        "silver",
        &[
            "testing.performance",
            "testing.stress",
            "scaling.tested-10x",
            "twelve-factor",
        ],
        &["runtime.test-components"],
    ),
    (
        "search",
        "silver",
        "silver",
        &["runbooks.unknown-failures", "testing.uat"],
        &[],
    ),
    (
        "catalog",
        "bronze",
        "silver",
        &[
            "deps.lifecycle",
            "docs.performance-config",
            "monitoring.slo",
            "runbooks.unknown-failures",
            "testing.stress",
            "scaling.tested-10x",
            "runtime.test-components",
        ],
        &[],
    ),
    (
        "inventory",
        "bronze",
        "silver",
        &[
            "deps.acyclic",
            "testing.performance",
            "testing.stress",
            "runtime.test-components",
            "twelve-factor",
        ],
        &[],
    ),
    (
        "events",
        "silver",
        "gold",
        &["docs.performance-config", "monitoring.slo"],
        &[],
    ),
    (
        "shipping",
        "none",
        "silver",
        &[
            "deps.resolved",
            "deps.acyclic",
            "review.fresh",
            "owner.alternates",
            "docs.architecture",
            "docs.performance-config",
            "monitoring.metrics",
            "monitoring.alerts",
            "monitoring.slo",
            "runbooks.routine",
            "runbooks.unknown-failures",
            "testing.load",
            "testing.uat",
            "testing.performance",
            "testing.stress",
            "scaling.strategy",
            "scaling.tested-10x",
            "runtime.metrics",
            "runtime.test-components",
            "twelve-factor",
        ],
        &[],
    ),
    (
        "notifications",
        "bronze",
        "bronze",
        &[
            "owner.phone",
            "docs.architecture",
            "docs.performance-config",
            "monitoring.alerts",
            "monitoring.slo",
            "logs.structured",
            "runbooks.routine",
            "runbooks.unknown-failures",
            "testing.load",
            "testing.uat",
            "testing.performance",
            "testing.stress",
            "scaling.strategy",
            "scaling.tested-10x",
            "runtime.metrics",
            "runtime.test-components",
            "twelve-factor",
        ],
        &[],
    ),
];

#[test]
fn named_services_fail_exactly_the_checks_their_docs_deserve() {
    let report = check_json();
    for (id, level, required, failing, waived) in EXPECTED {
        let service = service(&report, id);
        assert_eq!(service["level"], *level, "{id} level");
        assert_eq!(service["required"], *required, "{id} required level");
        assert_eq!(
            ids_with_status(service, &["fail", "expired-waiver"]),
            set(failing),
            "{id} failing checks"
        );
        assert_eq!(
            ids_with_status(service, &["waived"]),
            set(waived),
            "{id} waived checks"
        );
    }
}

#[test]
fn expired_waivers_deprecations_and_barely_documented_services_show() {
    let report = check_json();
    assert_eq!(
        ids_with_status(service(&report, "storefront"), &["expired-waiver"]),
        set(&["deps.tier"])
    );
    assert_eq!(
        ids_with_status(service(&report, "legacy-pricing"), &["expired-waiver"]),
        set(&["runtime.delivery"])
    );
    assert_eq!(
        service(&report, "legacy-pricing")["lifecycle"],
        "deprecated"
    );
    assert_eq!(
        service(&report, "legacy-pricing")["dependents"],
        serde_json::json!(["catalog"])
    );
    let recommendations = service(&report, "recommendations");
    assert_eq!(recommendations["level"], "none");
    let passing = ids_with_status(recommendations, &["pass"]);
    assert_eq!(
        passing,
        set(&[
            "owner.team",
            "deps.resolved",
            "deps.acyclic",
            "deps.tier",
            "deps.lifecycle",
            "deps.declared",
            "metadata.consistent"
        ])
    );
    let stripe = service(&report, "stripe");
    assert_eq!(stripe["kind"], "external");
    assert_eq!(
        ids_with_status(stripe, &["not-applicable"]).len(),
        stripe["checks"].as_array().unwrap().len()
    );
}

#[test]
fn the_unknown_dependency_is_a_located_warning_not_an_error() {
    let report = check_json();
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["severity"], "warning");
    assert_eq!(problems[0]["path"], "example-services/shipping/service.md");
    assert!(problems[0]["line"].as_u64().unwrap() > 1);
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("`fraud-check`")
    );
}

#[test]
fn the_json_report_follows_contract_version_1() {
    let report = check_json();
    assert_eq!(report["version"], 1);
    let summary = &report["summary"];
    let services = report["services"].as_array().unwrap();
    assert_eq!(summary["services"], services.len());
    let assessed: Vec<&Value> = services
        .iter()
        .filter(|s| s["kind"] != "external")
        .collect();
    assert_eq!(summary["assessed"], assessed.len());
    let meeting = assessed
        .iter()
        .filter(|s| s["meets_required"] == true)
        .count();
    assert_eq!(summary["meeting_required"], meeting);
    let by_level: BTreeMap<String, u64> =
        serde_json::from_value(summary["by_level"].clone()).unwrap();
    assert_eq!(by_level.values().sum::<u64>(), assessed.len() as u64);
    for (level, count) in &by_level {
        let at_level = assessed
            .iter()
            .filter(|s| s["level"] == level.as_str())
            .count();
        assert_eq!(at_level as u64, *count, "{level}");
    }
    for service in services {
        for key in [
            "id",
            "title",
            "kind",
            "tier",
            "lifecycle",
            "team",
            "level",
            "required",
            "score",
            "source",
            "depends_on",
            "dependents",
        ] {
            assert!(
                service.get(key).is_some(),
                "service lacks `{key}`: {service}"
            );
        }
        let score = service["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        for check in service["checks"].as_array().unwrap() {
            for key in ["id", "category", "level", "status", "message"] {
                assert!(check.get(key).is_some(), "check lacks `{key}`");
            }
        }
        for dependency in service["depends_on"].as_array().unwrap() {
            assert!(dependency["kind"] == "hard" || dependency["kind"] == "soft");
            assert!(dependency["external"].is_boolean());
        }
    }
}

#[test]
fn the_built_site_has_every_page_and_no_broken_links() {
    let (_guard, site) = build_example_site();
    let files = files_in(&site);
    let report = check_json();
    for service in report["services"].as_array().unwrap() {
        let page = format!("services/{}/index.html", service["id"].as_str().unwrap());
        let html =
            String::from_utf8_lossy(files.get(&page).unwrap_or_else(|| panic!("no page {page}")));
        assert!(
            html.contains(service["title"].as_str().unwrap()),
            "{page} shows the title"
        );
    }
    for expected in [
        "index.html",
        "checks/index.html",
        "teams/index.html",
        "gaps/index.html",
        "readiness.json",
        "services/checkout/runbooks/payments-down.html",
        "services/checkout/adr/0003-cart-snapshot.html",
        "services/storefront/architecture.svg",
    ] {
        assert!(files.contains_key(expected), "the site lacks {expected}");
    }
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for link in links_in(&html) {
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("tel:") {
                continue;
            }
            let (target, fragment) = match link.split_once('#') {
                Some((target, fragment)) => (target, Some(fragment)),
                None => (link.as_str(), None),
            };
            let target = target.split('?').next().unwrap();
            let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
            let mut resolved = if target.is_empty() {
                path.clone()
            } else {
                normalize(&format!("{folder}/{}", target.replace("%20", " ")))
            };
            if !files.contains_key(&resolved) {
                resolved = normalize(&format!("{resolved}/index.html"));
            }
            let Some(page) = files.get(&resolved) else {
                panic!("{path} links to {link}, which does not exist ({resolved})");
            };
            if let Some(fragment) = fragment.filter(|_| resolved.ends_with(".html")) {
                let page = String::from_utf8_lossy(page);
                assert!(
                    page.contains(&format!("id=\"{fragment}\"")),
                    "{path} links to {link}, but {resolved} has no id `{fragment}`"
                );
            }
        }
    }
}

#[test]
fn the_example_site_builds_without_link_problems() {
    let out = tempfile::tempdir().unwrap();
    let output = opsbook(
        &repo_root(),
        &[
            "build",
            "-o",
            out.path().join("site").to_str().unwrap(),
            "--today",
            TODAY,
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let problems = stderr(&output);
    assert!(!problems.contains("links to"), "{problems}");
}

#[test]
fn the_index_counts_match_the_json() {
    let (_guard, site) = build_example_site();
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("readiness.json")).unwrap())
            .unwrap();
    let summary = &json["summary"];
    let headline = format!(
        "<strong>{}</strong> of {}",
        summary["meeting_required"], summary["assessed"]
    );
    assert!(index.contains(&headline), "index shows `{headline}`");
    for service in json["services"].as_array().unwrap() {
        let row = format!("data-id=\"{}\"", service["id"].as_str().unwrap());
        assert!(
            index.contains(&row),
            "index has a table row for {}",
            service["id"]
        );
    }
}

#[test]
fn text_and_markdown_reports_name_the_gaps() {
    let text = stdout(&opsbook(&repo_root(), &["check", "--today", TODAY]));
    assert!(text.contains("FAIL storefront"), "{text}");
    assert!(text.contains("deps.tier (expired waiver)"), "{text}");
    let markdown = stdout(&opsbook(
        &repo_root(),
        &["check", "--format", "markdown", "--today", TODAY],
    ));
    assert!(markdown.contains("| service | tier | level | required | score | failing checks |"));
    assert!(markdown.contains("## storefront"), "{markdown}");
}

fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[test]
fn two_builds_of_the_same_book_are_identical() {
    let (_first_guard, first) = build_example_site();
    let (_second_guard, second) = build_example_site();
    assert!(
        files_in(&first) == files_in(&second),
        "parallel work must not change the output"
    );
}
