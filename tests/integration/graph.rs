//! Dependency analysis on a fixture whose answers are counted by hand:
//!
//! ```text
//! a -> b -> c -> a                       a cycle of three
//! top -> left, right -> bottom -> db     a diamond standing on db
//! web ~> top                             soft: web degrades, it does not fail
//! gateway (1) -> api (1) -> cache (3)    a tier inversion two hops from gateway
//! api -> db, reports ~> db               db's blast radius: api, gateway, bottom, left, right, top
//! billing ~> legacy (deprecated)
//! ```

use serde_json::Value;

use crate::harness::{TODAY, check, fixture, json_report, opsbook, service};

fn report() -> Value {
    json_report(&fixture("graph"), &[])
}

fn ids(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn the_blast_radius_follows_hard_edges_only() {
    let report = report();
    assert_eq!(
        ids(&service(&report, "db")["blast_radius"]),
        ["api", "bottom", "gateway", "left", "right", "top"]
    );
    assert_eq!(
        ids(&service(&report, "bottom")["blast_radius"]),
        ["left", "right", "top"]
    );
    assert!(
        ids(&service(&report, "top")["blast_radius"]).is_empty(),
        "web depends on top softly"
    );
    assert_eq!(
        ids(&service(&report, "db")["dependents"]),
        ["api", "bottom", "reports"]
    );
}

#[test]
fn what_a_service_stands_on_and_its_depth() {
    let report = report();
    let top = service(&report, "top");
    assert_eq!(ids(&top["stands_on"]), ["bottom", "db", "left", "right"]);
    assert_eq!(top["depth"], 3, "top -> left -> bottom -> db");
    assert!(ids(&service(&report, "web")["stands_on"]).is_empty());
    assert_eq!(service(&report, "gateway")["depth"], 2);
}

#[test]
fn every_member_of_a_cycle_of_three_fails_acyclic_naming_the_cycle() {
    let report = report();
    for (id, cycle) in [
        ("a", "`a` -> `b` -> `c` -> `a`"),
        ("b", "`b` -> `c` -> `a` -> `b`"),
        ("c", "`c` -> `a` -> `b` -> `c`"),
    ] {
        let result = check(service(&report, id), "deps.acyclic");
        assert_eq!(result["status"], "fail");
        assert_eq!(
            result["message"],
            format!("in a cycle of hard dependencies: {cycle}")
        );
    }
    for id in ["top", "left", "bottom", "db"] {
        assert_eq!(
            check(service(&report, id), "deps.acyclic")["status"],
            "pass",
            "{id}: a diamond is no cycle"
        );
    }
}

#[test]
fn a_tier_inversion_two_hops_away_names_the_path() {
    let report = report();
    let gateway = check(service(&report, "gateway"), "deps.tier");
    assert_eq!(gateway["status"], "fail");
    assert_eq!(
        gateway["message"],
        "tier 1, but hard-depends on `cache` (tier 3) via `api`"
    );
    let api = check(service(&report, "api"), "deps.tier");
    assert_eq!(
        api["message"],
        "tier 1, but hard-depends on `cache` (tier 3)"
    );
    assert_eq!(
        check(service(&report, "web"), "deps.tier")["status"],
        "pass",
        "soft edges cap nothing"
    );
}

#[test]
fn a_soft_dependency_on_a_deprecated_service_still_counts() {
    let report = report();
    let billing = check(service(&report, "billing"), "deps.lifecycle");
    assert_eq!(billing["status"], "fail");
    assert_eq!(billing["message"], "depends on deprecated `legacy`");
}

#[test]
fn risk_grows_with_blast_radius_and_distance_from_ready() {
    let report = report();
    let risk = |id: &str| service(&report, id)["risk"].as_f64().unwrap();
    // db and cache are equally unready; db takes six services down with it, cache two.
    assert!(
        risk("db") > risk("cache"),
        "db {} vs cache {}",
        risk("db"),
        risk("cache")
    );
    assert!(risk("reports") < risk("db"));
}

fn graph_export(args: &[&str]) -> std::process::Output {
    let mut all = vec!["graph"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--today", TODAY]);
    opsbook(&fixture("graph"), &all)
}

#[test]
fn the_graph_exports_as_dot_that_layout_rs_reads() {
    let output = graph_export(&["--format", "dot"]);
    assert_eq!(output.status.code(), Some(0));
    let dot = String::from_utf8(output.stdout).unwrap();
    assert!(dot.contains("\"web\" -> \"top\" [style=dashed];"), "{dot}");
    assert!(dot.contains("\"gateway\" -> \"api\";"));
    opsbook::diagram::check_dot(&dot).expect("the exported DOT parses");
}

#[test]
fn a_neighbourhood_exports_as_json_to_the_depth_asked() {
    let output = graph_export(&["--format", "json", "--service", "db", "--depth", "1"]);
    let graph: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut nodes: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    nodes.sort_unstable();
    assert_eq!(nodes, ["api", "bottom", "db", "reports"]);
    let soft = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "reports")
        .unwrap();
    assert_eq!(soft["kind"], "soft");
}

#[test]
fn a_service_exports_as_standalone_svg() {
    let output = graph_export(&["--format", "svg", "--service", "gateway"]);
    assert_eq!(output.status.code(), Some(0));
    let svg = String::from_utf8(output.stdout).unwrap();
    let document = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let links: Vec<&str> = document
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(links.contains(&"services/api/index.html"), "{links:?}");
    assert!(
        svg.contains("<style>"),
        "styled without the site's stylesheet"
    );
}

#[test]
fn an_unknown_service_gets_a_suggestion() {
    let output = graph_export(&["--service", "gatway"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("no service `gatway`; did you mean `gateway`?")
    );
}

#[test]
fn a_hub_page_names_its_most_critical_dependents_and_counts_the_rest() {
    // 30 dependents: the two of tier 1 sort last by id, so only tier decides they are named.
    let book = crate::harness::hub_book(30);
    let out = book.path().join("site");
    let page = std::fs::read_to_string(out.join("services/hub/index.html")).unwrap();
    let facts = page.split("class=\"graph-facts").nth(1).unwrap();
    let facts = facts.split("</p>").next().unwrap();
    assert!(facts.contains("<strong>30</strong> services fail with it, the most critical first"));
    assert!(facts.contains("and 6 more."), "{facts}");
    let named = facts.matches("services/user-").count();
    assert_eq!(named, 24);
    let first = facts
        .find("user-28")
        .expect("the tier-1 dependents are named");
    assert!(first < facts.find("user-00").unwrap(), "tier 1 first");
}
