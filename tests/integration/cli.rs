//! The commands a newcomer runs first: help, init, new.

use crate::book::Book;
use crate::harness::{TODAY, opsbook, stderr};

#[test]
fn every_command_has_help_with_exit_codes() {
    let book = Book::new();
    for command in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["check", "--help"],
        vec!["init", "--help"],
        vec!["new", "--help"],
    ] {
        book.run(&command)
            .exits(0)
            .stdout_has("Exit codes:")
            .stdout_has("1  check: some service is below its required level");
    }
}

#[test]
fn init_makes_a_book_that_builds() {
    let book = Book::new();
    book.run(&["init"]).exits(0);
    assert!(book.path().join("book.toml").exists());
    assert!(book.path().join("services/my-service/service.md").exists());
    book.run(&["build", "--today", TODAY]).exits(0);
    assert!(
        book.path()
            .join("book/services/my-service/index.html")
            .exists()
    );
    // init never overwrites
    book.run(&["init"]).exits(2);
}

#[test]
fn a_new_service_doc_shows_every_gap_and_every_field_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    assert!(opsbook(dir.path(), &["init"]).status.success());
    let new = opsbook(dir.path(), &["new", "billing"]);
    assert!(new.status.success(), "{}", stderr(&new));
    let doc_path = dir.path().join("services/billing/service.md");
    let report: serde_json::Value = serde_json::from_slice(
        &opsbook(dir.path(), &["check", "--format", "json", "--today", TODAY]).stdout,
    )
    .unwrap();
    let billing = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "billing")
        .unwrap()
        .clone();
    let failing: Vec<&str> = billing["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    // What a lone new doc cannot fail: the graph's questions, and agreement with other files.
    let graph_checks = [
        "deps.resolved",
        "deps.acyclic",
        "deps.tier",
        "deps.lifecycle",
        "deps.declared",
        "metadata.consistent",
    ];
    assert_eq!(
        failing.len(),
        40 - graph_checks.len(),
        "every field is still a TODO: {failing:?}"
    );

    // Uncommenting every field gives a doc with no unknown keys and no invalid values.
    let text = std::fs::read_to_string(&doc_path).unwrap();
    let uncommented: String = text
        .lines()
        .map(|line| line.strip_prefix("# ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&doc_path, uncommented).unwrap();
    let output = opsbook(dir.path(), &["check", "--today", TODAY]);
    let problems = stderr(&output);
    // The placeholder runbook links name runbooks still to be written: the link check says
    // so, as it does of any link that leads nowhere, with a warning.
    assert!(!problems.contains(": error:"), "{problems}");
    let stale: Vec<&str> = problems
        .lines()
        .filter(|line| {
            line.ends_with(
                "warning[OB0501]: links to `runbooks/TODO.md`, which is not among the book's files",
            )
        })
        .collect();
    assert_eq!(stale.len(), 2, "{problems}");
    assert!(!problems.contains("unknown key"), "{problems}");
}

#[test]
fn new_refuses_a_bad_id_and_an_existing_doc() {
    let book = Book::new();
    book.run(&["new", "Billing Service", "--dir", "."])
        .exits(2)
        .stderr_has("`billing-service`");
    book.run(&["new", "billing", "--dir", "."]).exits(0);
    book.run(&["new", "billing", "--dir", "."]).exits(2);
}

#[test]
fn a_theme_folder_overrides_templates_and_adds_assets() {
    let book = crate::harness::copy_of(&crate::harness::fixture("levels"));
    let templates = book.path().join("theme/templates");
    std::fs::create_dir_all(&templates).unwrap();
    // Service pages link to each team's anchor, so the override keeps them.
    let teams = "{% extends \"base.html\" %}{% block content %}<p id=\"ours\">{{ page | length }} teams</p>{% for team in page %}<span id=\"{{ team.anchor }}\"></span>{% endfor %}{% endblock content %}";
    std::fs::write(templates.join("teams.html"), teams).unwrap();
    std::fs::create_dir_all(book.path().join("theme/assets")).unwrap();
    std::fs::write(
        book.path().join("theme/assets/brand.css"),
        "body { color: teal }",
    )
    .unwrap();
    let output = opsbook(book.path(), &["build", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(book.path().join("book/teams/index.html")).unwrap();
    assert!(page.contains("<p id=\"ours\">2 teams</p>"), "{page}");
    assert!(
        page.contains("assets/opsbook.css"),
        "the built-in base template is still used"
    );
    assert!(book.path().join("book/assets/brand.css").exists());
}

#[test]
fn a_broken_theme_template_is_reported_and_nothing_is_written() {
    let book = crate::harness::copy_of(&crate::harness::fixture("levels"));
    let templates = book.path().join("theme/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("teams.html"), "{% if %}").unwrap();
    let output = opsbook(book.path(), &["build", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("theme/templates/teams.html:1:7: error[OB0902]: Found `%}` but expected"),
        "{}",
        stderr(&output)
    );
    assert!(!book.path().join("book").exists());
}
