//! Levels, required levels, waivers and kinds, on a fixture book whose every service differs
//! from a bronze-passing one by one thing.

use serde_json::Value;

use crate::harness::{TODAY, check, fixture, json_report, opsbook, service};

fn report() -> Value {
    json_report(&fixture("levels"), &[])
}

fn status(service: &Value, id: &str) -> String {
    check(service, id)["status"].as_str().unwrap().to_string()
}

#[test]
fn a_service_passing_every_bronze_check_is_bronze() {
    let report = report();
    let ok = service(&report, "bronze-ok");
    assert_eq!(
        (ok["level"].as_str(), ok["required"].as_str()),
        (Some("bronze"), Some("bronze"))
    );
    assert_eq!(ok["meets_required"], true);
}

#[test]
fn an_unexpired_waiver_counts_as_passed() {
    let report = report();
    let waived = service(&report, "waived");
    assert_eq!(status(waived, "testing.unit"), "waived");
    assert_eq!(waived["level"], "bronze");
    let check = waived["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "testing.unit")
        .unwrap()
        .clone();
    assert_eq!(check["waiver"]["until"], "2027-01-31");
    assert_eq!(check["waiver"]["reason"], "suite being rewritten");
}

#[test]
fn an_expired_waiver_fails_and_drops_the_level() {
    let report = report();
    let expired = service(&report, "expired");
    assert_eq!(status(expired, "testing.unit"), "expired-waiver");
    assert_eq!(expired["level"], "none");
    assert_eq!(expired["meets_required"], false);
}

#[test]
fn a_waiver_is_valid_through_its_last_day() {
    let output = opsbook(
        &fixture("levels"),
        &["check", "--format", "json", "--today", "2026-11-27"],
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        status(service(&report, "expired"), "testing.unit"),
        "waived"
    );
}

#[test]
fn tier_one_requires_gold_and_experimental_requires_nothing() {
    let report = report();
    let needs_gold = service(&report, "needs-gold");
    assert_eq!(
        (
            needs_gold["level"].as_str(),
            needs_gold["required"].as_str()
        ),
        (Some("bronze"), Some("gold"))
    );
    assert_eq!(
        status(needs_gold, "testing.unit"),
        "pass",
        "a URL to the evidence counts"
    );
    let experiment = service(&report, "experiment");
    assert_eq!(
        (
            experiment["level"].as_str(),
            experiment["required"].as_str()
        ),
        (Some("none"), Some("none"))
    );
    assert_eq!(experiment["meets_required"], true);
}

#[test]
fn resources_get_only_owner_monitoring_docs_and_metadata_checks_and_externals_none() {
    let report = report();
    let database = service(&report, "database");
    for check in database["checks"].as_array().unwrap() {
        let category = check["category"].as_str().unwrap();
        let applies = ["owner", "monitoring", "docs", "metadata"].contains(&category);
        assert_eq!(check["status"] != "not-applicable", applies, "{check}");
    }
    assert_eq!(database["level"], "bronze");
    let vendor = service(&report, "vendor");
    assert!(
        vendor["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "not-applicable")
    );
    assert_eq!(vendor["meets_required"], true);
}

#[test]
fn required_levels_come_from_book_toml() {
    let book = crate::harness::copy_of(&fixture("levels"));
    let toml = "[book]\nsrc = \"services\"\n[checklist.required]\ntier-3 = \"silver\"\n";
    std::fs::write(book.path().join("book.toml"), toml).unwrap();
    let output = opsbook(
        book.path(),
        &["check", "--format", "json", "--today", TODAY],
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(service(&report, "bronze-ok")["required"], "silver");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_checklist_of_the_books_own_extends_the_default() {
    let book = crate::harness::copy_of(&fixture("levels"));
    let toml = "[book]\nsrc = \"services\"\n[checklist]\nfile = \"checklist.yaml\"\n";
    std::fs::write(book.path().join("book.toml"), toml).unwrap();
    let checklist = "checks:\n  - id: docs.handbook\n    category: docs\n    level: bronze\n    applies-to: [service]\n    title: An on-call handbook\n    why: People need it.\n    fix: Add a heading `On call`.\n    rule: { heading: { text: On call } }\n";
    std::fs::write(book.path().join("checklist.yaml"), checklist).unwrap();
    let output = opsbook(
        book.path(),
        &["check", "--format", "json", "--today", TODAY],
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ok = service(&report, "bronze-ok");
    assert_eq!(status(ok, "docs.handbook"), "fail");
    assert_eq!(
        status(ok, "testing.unit"),
        "pass",
        "the default checks are still there"
    );
    assert_eq!(ok["level"], "none");
}
