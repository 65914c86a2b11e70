//! Diagrams in the built site: present where a reader needs them, well-formed SVG, every
//! service node a working link, bad DOT reported and shown as code, hostile labels escaped.

use std::collections::BTreeMap;

use crate::harness::{TODAY, build_example_site, files_in, fixture, opsbook, stderr};

/// Every inline `<svg>...</svg>` of an HTML page.
fn svgs(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..]
            .find("</svg>")
            .map(|e| start + e + "</svg>".len())
            .unwrap();
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}

fn resolve(page: &str, link: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in link.split('#').next().unwrap().split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn html_pages(files: &BTreeMap<String, Vec<u8>>) -> impl Iterator<Item = (&String, String)> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8_lossy(b).into_owned()))
}

#[test]
fn every_diagram_is_valid_svg_whose_service_nodes_link_to_existing_pages() {
    let (_guard, site) = build_example_site();
    let files = files_in(&site);
    let mut diagrams = 0;
    for (page, html) in html_pages(&files) {
        for svg in svgs(&html) {
            diagrams += 1;
            let document = roxmltree::Document::parse(svg)
                .unwrap_or_else(|e| panic!("{page}: invalid SVG: {e}"));
            let links: Vec<&str> = document
                .descendants()
                .filter(|n| n.has_tag_name("a"))
                .map(|n| n.attribute("href").expect("a link has an href"))
                .collect();
            for link in &links {
                let target = resolve(page, link);
                assert!(
                    files.contains_key(&target),
                    "{page}: a diagram links to {link}, which does not exist"
                );
            }
            let assessed_nodes = document
                .descendants()
                .filter(|n| {
                    n.attribute("class")
                        .is_some_and(|c| c.contains("node") && c.contains("level-"))
                })
                .count();
            assert!(
                links.len() >= assessed_nodes,
                "{page}: {assessed_nodes} services drawn, {} links",
                links.len()
            );
        }
    }
    assert!(diagrams > 20, "only {diagrams} diagrams in the site");
}

#[test]
fn service_pages_systems_and_the_organisation_are_drawn() {
    let (_guard, site) = build_example_site();
    let files = files_in(&site);
    let report: serde_json::Value = serde_json::from_slice(&files["readiness.json"]).unwrap();
    for service in report["services"].as_array().unwrap() {
        let id = service["id"].as_str().unwrap();
        let html =
            String::from_utf8_lossy(&files[&format!("services/{id}/index.html")]).into_owned();
        assert!(
            html.contains(r#"class="diagram neighbourhood""#),
            "{id} has no neighbourhood diagram"
        );
        let own = format!(r#"class="shape node {}"#, service["kind"].as_str().unwrap());
        assert!(html.contains(&own), "{id}'s diagram lacks its own node");
    }
    let checkout = String::from_utf8_lossy(&files["services/checkout/index.html"]).into_owned();
    assert!(
        checkout.contains(r#"class="diagram architecture""#),
        "checkout's architecture block is drawn"
    );
    assert!(checkout.contains(">Order saga worker</tspan>"));
    assert!(
        checkout.contains(r#"class="diagram dot""#),
        "checkout's ```dot block is drawn"
    );
    for system in [
        "commerce",
        "discovery",
        "fulfilment",
        "identity",
        "platform",
        "storefront",
    ] {
        let page = format!("systems/{system}/index.html");
        let html = String::from_utf8_lossy(files.get(&page).unwrap_or_else(|| panic!("no {page}")))
            .into_owned();
        assert!(
            html.contains(r#"class="diagram system""#),
            "{page} has no diagram"
        );
    }
    let graph = String::from_utf8_lossy(&files["graph/index.html"]).into_owned();
    assert!(graph.contains(r#"class="diagram organisation""#));
}

#[test]
fn soft_edges_are_dashed_and_the_service_itself_is_highlighted() {
    let (_guard, site) = build_example_site();
    let html = std::fs::read_to_string(site.join("services/checkout/index.html")).unwrap();
    let neighbourhood = svgs(&html)
        .into_iter()
        .find(|s| s.contains("diagram neighbourhood"))
        .unwrap();
    assert!(
        neighbourhood.contains(r#"class="edge soft""#),
        "checkout depends on cart softly"
    );
    assert!(
        neighbourhood.contains(r#"class="edge""#),
        "and on payments hard"
    );
    assert_eq!(
        neighbourhood.matches(" focus\"").count(),
        1,
        "exactly one node is the service itself"
    );
}

#[test]
fn bad_dot_is_a_located_warning_and_the_page_shows_the_source() {
    let book = crate::harness::copy_of(&fixture("graph"));
    let output = opsbook(book.path(), &["build", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("services/drawn/service.md:29:1: warning[OB0508]: invalid DOT: expected a node name (at `c -> ;`)"),
        "{}",
        stderr(&output)
    );
    let html = std::fs::read_to_string(book.path().join("book/services/drawn/index.html")).unwrap();
    assert!(
        html.contains(r#"<figure class="diagram-error"><pre><code>digraph {"#),
        "{html}"
    );
    assert!(html.contains("c -&gt; ;"));
    assert!(
        html.contains(r#"class="diagram dot""#),
        "the valid block beside it is drawn"
    );
    let check = opsbook(book.path(), &["check", "--today", TODAY]);
    assert!(
        stderr(&check).contains("services/drawn/service.md:29:1: warning[OB0508]: invalid DOT"),
        "check reports it too"
    );
}

#[test]
fn hostile_labels_are_escaped_everywhere_they_are_drawn() {
    let book = crate::harness::copy_of(&fixture("graph"));
    assert!(
        opsbook(book.path(), &["build", "--today", TODAY])
            .status
            .success()
    );
    let site = files_in(&book.path().join("book"));
    for (page, html) in html_pages(&site) {
        for svg in svgs(&html) {
            assert!(!svg.contains("<script"), "{page}: raw markup in a diagram");
            roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{page}: {e}"));
        }
    }
    let drawn = String::from_utf8_lossy(&site["services/drawn/index.html"]).into_owned();
    assert!(
        drawn.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Friends&quot;"),
        "the title in the neighbourhood"
    );
    assert!(
        drawn.contains("API &lt;v2&gt; &amp; co"),
        "an architecture label"
    );
    assert!(drawn.contains("&lt;b&gt;bold&lt;/b&gt;"), "a DOT label");
    assert!(
        drawn.contains("ünïcödé &amp; co"),
        "non-ASCII stays legible"
    );
}

#[test]
fn an_architecture_link_to_an_unknown_component_is_located() {
    let output = opsbook(&fixture("graph"), &["check", "--today", TODAY]);
    assert!(
        stderr(&output).contains("services/drawn/service.md:12:13: warning[OB0403]: architecture link names unknown component `cache`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_hub_draws_a_few_neighbours_per_level_and_one_node_for_the_rest() {
    let book = crate::harness::hub_book(30);
    let page = std::fs::read_to_string(book.path().join("site/services/hub/index.html")).unwrap();
    let svg = svgs(&page)
        .into_iter()
        .find(|s| s.contains("class=\"diagram neighbourhood"))
        .expect("the hub's neighbourhood is drawn");
    let document = roxmltree::Document::parse(svg).unwrap();
    let shapes: Vec<_> = document
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.starts_with("shape node"))
        })
        .collect();
    assert_eq!(
        shapes.len(),
        1 + 8 + 1,
        "the hub, 8 dependents and one node for the rest"
    );
    let more = document
        .descendants()
        .find(|n| n.has_tag_name("a") && n.attribute("href") == Some("#dependents-h"))
        .expect("the rest links to the full list on the page");
    let tooltip = more
        .first_child()
        .and_then(|t| t.text())
        .unwrap_or_default();
    assert!(tooltip.starts_with("22 more dependents"), "{tooltip}");
    assert!(svg.contains(">+22 more<"));
    assert!(page.contains("id=\"dependents-h\""));
}
