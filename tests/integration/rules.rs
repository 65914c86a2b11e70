//! The rule kinds that read the Markdown body, and `any` / `all`, through a checklist of the
//! book's own that replaces the default one.

use serde_json::Value;

use crate::harness::{TODAY, opsbook};

const CHECKLIST: &str = r#"
checks:
  - { id: body.runbook, category: docs, level: bronze, applies-to: [service], title: t, why: w, fix: f,
      rule: { heading: { text: Runbook } } }
  - { id: body.diagram, category: docs, level: bronze, applies-to: [service], title: t, why: w, fix: f,
      rule: { heading: { text: Architecture, with-image: true } } }
  - { id: body.dot, category: docs, level: silver, applies-to: [service], title: t, why: w, fix: f,
      rule: { code-block: dot } }
  - { id: either, category: docs, level: silver, applies-to: [service], title: t, why: w, fix: f,
      rule: { any: [ { present: system }, { code-block: dot } ] } }
  - { id: both, category: docs, level: gold, applies-to: [service], title: t, why: w, fix: f,
      rule: { all: [ { present: system }, { heading: { text: Runbook } } ] } }
"#;

/// Builds a book with the given service docs (id, body) under the checklist above.
fn evaluate(docs: &[(&str, &str, &str)]) -> Value {
    let book = tempfile::tempdir().unwrap();
    let toml =
        "[book]\nsrc = \"services\"\n[checklist]\nfile = \"checklist.yaml\"\nmode = \"replace\"\n";
    std::fs::write(book.path().join("book.toml"), toml).unwrap();
    std::fs::write(book.path().join("checklist.yaml"), CHECKLIST).unwrap();
    for (id, front_matter, body) in docs {
        let folder = book.path().join("services").join(id);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("service.md"),
            format!("---\nservice: {id}\n{front_matter}---\n{body}"),
        )
        .unwrap();
    }
    let output = opsbook(
        book.path(),
        &["check", "--format", "json", "--today", TODAY],
    );
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn statuses(report: &Value, id: &str) -> Vec<(String, String)> {
    let service = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap();
    service["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn body_rules_any_and_all_pass_when_the_doc_has_what_they_ask() {
    let body = "# Svc\n\n## Runbook\n\nSteps.\n\n## Architecture\n\n![diagram](https://diagrams.example/arch.png)\n\n```dot\ndigraph { a -> b }\n```\n";
    let report = evaluate(&[("full", "system: shop\n", body)]);
    assert_eq!(
        statuses(&report, "full"),
        pairs(&[
            ("body.runbook", "pass"),
            ("body.diagram", "pass"),
            ("body.dot", "pass"),
            ("either", "pass"),
            ("both", "pass")
        ])
    );
    let service = &report["services"][0];
    assert_eq!(service["level"], "gold");
    assert_eq!(
        service["checks"][1]["message"],
        "the doc has an image under `Architecture`"
    );
}

#[test]
fn body_rules_any_and_all_fail_with_what_is_missing() {
    let body = "# Svc\n\n## Architecture\n\nNo picture here.\n\n## Notes\n\n![elsewhere](https://diagrams.example/x.png)\n";
    let report = evaluate(&[("bare", "", body)]);
    assert_eq!(
        statuses(&report, "bare"),
        pairs(&[
            ("body.runbook", "fail"),
            ("body.diagram", "fail"),
            ("body.dot", "fail"),
            ("either", "fail"),
            ("both", "fail")
        ])
    );
    let checks = report["services"][0]["checks"].as_array().unwrap().clone();
    assert_eq!(checks[0]["message"], "the doc has no heading `Runbook`");
    assert_eq!(
        checks[1]["message"],
        "the doc has no image under the heading `Architecture`"
    );
    assert_eq!(
        checks[3]["message"],
        "`system` is not set and the doc has no ```dot block"
    );
    assert_eq!(
        checks[4]["message"],
        "`system` is not set; the doc has no heading `Runbook`"
    );
    assert_eq!(report["services"][0]["level"], "none");
}

#[test]
fn any_passes_on_one_alternative_and_all_fails_on_one_miss() {
    let report = evaluate(&[("half", "system: shop\n", "# Svc\n")]);
    let got = statuses(&report, "half");
    assert_eq!(got[3], ("either".to_string(), "pass".to_string()));
    assert_eq!(got[4], ("both".to_string(), "fail".to_string()));
    assert_eq!(
        report["services"][0]["checks"][4]["message"],
        "the doc has no heading `Runbook`"
    );
}
