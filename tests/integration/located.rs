//! Located results: every check result cites the line that decided it, in the JSON, the
//! text report, the service page, and the CI formats (GitHub annotations, SARIF).

use std::path::Path;

use crate::harness::{TODAY, check, json_report, opsbook, service, stderr, stdout, write_file};

const API: &str = "\
---
service: api
tier: 2
repository: https://github.com/acme/api
owner:
  team: core
  email: core@example.com
monitoring:
  dashboard: grafana-somewhere
  alerts:
    - { name: Errors, level: observed }
    - name: Latency
      level: important
logs:
  location: stdout
depends_on:
  - { external: stripe }
  - old-db
waivers:
  - { check: runbooks.recovery, reason: written next sprint, until: 2099-01-01 }
---
# API

Serves the public API.

## Architecture

```dot
digraph { api -> db }
```
";

const OLD_DB: &str = "---\nservice: old-db\ntier: 2\nlifecycle: deprecated\n---\n";

/// A book of `api` and a deprecated `old-db`, with `[[source]]` telling where it lives on
/// GitHub, so pages can link each line.
fn book() -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    write_file(
        &book.path().join("book.toml"),
        "[book]\ntitle = \"Located\"\nsrc = []\n\n[[source]]\npath = \"services\"\nrepository = \"https://github.com/acme/api\"\n",
    );
    write_file(&book.path().join("services/api/service.md"), API);
    write_file(&book.path().join("services/old-db/service.md"), OLD_DB);
    // A git work tree, so the source knows its path inside the repository.
    std::fs::create_dir_all(book.path().join(".git")).unwrap();
    book
}

/// The 1-based line of `api`'s service.md that starts with `prefix` (after indentation).
fn line_of(prefix: &str) -> usize {
    let lines: Vec<usize> = API
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with(prefix))
        .map(|(index, _)| index + 1)
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "`{prefix}` must name one line of the fixture"
    );
    lines[0]
}

/// The line each check of `api` is expected to cite, found by the text of that line.
fn expected_lines() -> Vec<(&'static str, usize)> {
    vec![
        // A field that passes: its own line.
        ("owner.team", line_of("team: core")),
        // A field set to a wrong value: its own line.
        ("monitoring.dashboard", line_of("dashboard:")),
        // A list missing a value: the list.
        ("monitoring.alerts", line_of("alerts:")),
        // A missing field: its closest written ancestor.
        ("logs.central", line_of("logs:")),
        ("owner.phone", line_of("owner:")),
        // Nothing of it written at all: the doc's `service:` line.
        ("testing.unit", line_of("service: api")),
        // A waived check: where the missing field belongs (no `runbooks` at all).
        ("runbooks.recovery", line_of("service: api")),
        // Passing through a code block: the fence.
        ("docs.architecture", line_of("```dot")),
        // A graph finding: the `depends_on` entry that causes it.
        ("deps.lifecycle", line_of("- old-db")),
    ]
}

#[test]
fn the_json_report_cites_the_line_that_decided_each_result() {
    let book = book();
    let report = json_report(book.path(), &[]);
    let api = service(&report, "api");
    for (id, line) in expected_lines() {
        let location = &check(api, id)["location"];
        assert_eq!(location["path"], "services/api/service.md", "{id}");
        assert_eq!(location["line"], line, "{id}: {location}");
    }
    // Every result has a location, passing or not.
    for result in api["checks"].as_array().unwrap() {
        assert!(
            result["location"]["line"].as_u64().unwrap() >= 2,
            "{result}"
        );
    }
}

#[test]
fn the_text_report_says_where_each_gap_is() {
    let book = book();
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    let text = stdout(&output);
    let dashboard = text
        .lines()
        .skip_while(|l| !l.starts_with("FAIL api "))
        .skip_while(|l| !l.contains("monitoring.dashboard (missing)"))
        .nth(1)
        .unwrap_or_else(|| panic!("no dashboard gap in:\n{text}"));
    assert_eq!(
        dashboard.trim(),
        format!("at services/api/service.md:{}", line_of("dashboard:"))
    );
}

#[test]
fn the_service_page_links_each_gap_to_its_line_on_the_forge() {
    let book = book();
    let built = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = std::fs::read_to_string(book.path().join("site/services/api/index.html")).unwrap();
    let gap = gap_item(&page, "monitoring.dashboard");
    let line = line_of("dashboard:");
    assert!(
        gap.contains(&format!(
            "from <a href=\"https://github.com/acme/api/blob/HEAD/services/api/service.md#L{line}\">service.md:{line}</a>"
        )),
        "{gap}"
    );
    let waived = gap_item(&page, "runbooks.recovery");
    assert!(
        waived.contains(&format!("service.md:{}", line_of("service: api"))),
        "{waived}"
    );
}

/// The `<li>` of the gap report for check `id`.
fn gap_item<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!("id=\"gap-{id}\""))
        .unwrap_or_else(|| panic!("no gap {id} on the page"));
    let end = page[start..].find("</li>").unwrap() + start;
    &page[start..end]
}

#[test]
fn github_format_annotates_each_gap_on_its_line_relative_to_the_work_tree() {
    let book = book();
    // Run from a subfolder of the work tree: annotations still name files from its top.
    let output = opsbook(
        &book.path().join("services"),
        &["check", "..", "--format", "github", "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let dashboard = annotation(&text, "monitoring.dashboard");
    assert!(
        dashboard.starts_with(&format!(
            "::error file=services/api/service.md,line={},title=monitoring.dashboard (bronze)%3A ",
            line_of("dashboard:")
        )),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("::api is below bronze and needs silver: `monitoring.dashboard` is `grafana-somewhere`, not an http(s) URL. Fix: "),
        "{dashboard}"
    );
    // Above the required level: a warning; waived: a notice that says until when.
    assert!(annotation(&text, "monitoring.slo").starts_with("::warning "));
    let waived = annotation(&text, "runbooks.recovery");
    assert!(waived.starts_with("::notice "), "{waived}");
    assert!(waived.contains("Waived until 2099-01-01: written next sprint"));
    // Passing checks are not annotated.
    let api_lines = || text.lines().filter(|l| l.contains("file=services/api/"));
    assert!(
        api_lines().all(|l| !l.contains("title=owner.team (")),
        "{text}"
    );
    assert!(api_lines().count() > 10, "{text}");
}

/// The annotation of `api`'s result of `check`.
fn annotation<'t>(text: &'t str, check: &str) -> &'t str {
    let marker = format!("title={check} (");
    text.lines()
        .filter(|line| line.contains("file=services/api/service.md,"))
        .find(|line| line.contains(&marker))
        .unwrap_or_else(|| panic!("no annotation for {check} in:\n{text}"))
}

#[test]
fn github_format_annotates_problems_in_files_at_their_column() {
    let book = book();
    write_file(
        &book.path().join("services/bad/service.md"),
        "---\nservice: bad\nownr:\n  team: x\n---\n",
    );
    let output = opsbook(
        book.path(),
        &["check", "--format", "github", "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let problem = text
        .lines()
        .find(|l| l.contains("services/bad/service.md"))
        .unwrap_or_else(|| panic!("no annotation for the bad file in:\n{text}"));
    assert!(
        problem.starts_with("::warning file=services/bad/service.md,line=3,col=1,title=opsbook OB0305%3A doc-unknown-key::unknown key `ownr` is ignored"),
        "{problem}"
    );
    assert!(problem.contains("did you mean `owner`"), "{problem}");
}

#[test]
fn sarif_is_valid_for_the_sarif_multitool_and_github() {
    let book = book();
    let output = opsbook(
        book.path(),
        &["check", "--format", "sarif", "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let dashboard_rule = rules
        .iter()
        .position(|r| r["id"] == "monitoring.dashboard")
        .unwrap();
    assert_eq!(
        rules[dashboard_rule]["properties"]["readinessLevel"],
        "bronze"
    );
    assert!(
        rules[dashboard_rule]["help"]["text"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );
    let results = run["results"].as_array().unwrap();
    let dashboard = results
        .iter()
        .find(|r| r["ruleId"] == "monitoring.dashboard")
        .unwrap();
    assert_eq!(dashboard["ruleIndex"], dashboard_rule);
    assert_eq!(dashboard["level"], "error");
    let location = &dashboard["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "services/api/service.md"
    );
    assert_eq!(location["region"]["startLine"], line_of("dashboard:"));
    let waived = results
        .iter()
        .find(|r| r["ruleId"] == "runbooks.recovery")
        .unwrap();
    assert_eq!(waived["suppressions"][0]["kind"], "inSource");

    let file = book.path().join("report.sarif");
    std::fs::write(&file, &output.stdout).unwrap();
    assert_eq!(multitool_findings(&file, "Sarif;Gh"), Vec::<String>::new());
}

/// Each kind of problem in a file is its own SARIF rule, named by its code, so code scanning
/// can group and filter them; the log stays valid.
#[test]
fn sarif_makes_each_problem_code_a_rule() {
    let book = book();
    write_file(
        &book.path().join("services/bad/service.md"),
        "---\nservice: bad\nownr:\n  team: x\ntier: 9\n---\nSee [the runbook](runbok.md).\n",
    );
    let output = opsbook(
        book.path(),
        &["check", "--format", "sarif", "--today", TODAY],
    );
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let problems: Vec<(&str, &str)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("OB"))
        .map(|r| {
            let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], r["ruleId"], "the index leads to another rule");
            (rule["id"].as_str().unwrap(), rule["name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("OB0305", "DocUnknownKey"),
            ("OB0306", "DocInvalidValue"),
            ("OB0501", "BrokenLink")
        ]
    );
    let file = book.path().join("report.sarif");
    std::fs::write(&file, &output.stdout).unwrap();
    assert_eq!(multitool_findings(&file, "Sarif;Gh"), Vec::<String>::new());
}

/// Errors and warnings Microsoft's SARIF multitool reports for `file` with the rule kinds
/// given, except SARIF2005 (no `informationUri`: opsbook has no public home page to name).
pub fn multitool_findings(file: &Path, rule_kinds: &str) -> Vec<String> {
    let tool = crate::harness::repo_root()
        .join("target/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        tool.exists(),
        "the SARIF multitool is missing: scripts/test installs it ({})",
        tool.display()
    );
    let findings = file.with_extension("validation.sarif");
    let output = std::process::Command::new(&tool)
        .args(["validate", "--rule-kind", rule_kinds, "--output"])
        .arg(&findings)
        .arg(file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&findings).unwrap()).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] != "note" && r["ruleId"] != "SARIF2005")
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .take(10)
        .collect()
}
