//! `opsbook diff`: two revisions of a book in a real git repository (see `git_book`), report
//! files, the three formats, `--fail-on` and the errors.

use std::path::Path;

use serde_json::{Value, json};

use crate::git_book::{git, shop};
use crate::harness::{TODAY, files_in, opsbook, stderr, stdout, write_file};

/// `opsbook diff` run in the book (`ops/`), as of `TODAY` unless `extra` says otherwise.
fn diff(repository: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["diff"];
    args.extend_from_slice(extra);
    if !extra.contains(&"--today") {
        args.extend(["--today", TODAY]);
    }
    opsbook(&repository.join("ops"), &args)
}

fn json_diff(repository: &Path, extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.extend(["--format", "json"]);
    let output = diff(repository, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("diff --format json prints JSON")
}

fn lines(output: &std::process::Output) -> Vec<String> {
    stdout(output).lines().map(str::to_string).collect()
}

#[test]
fn a_service_losing_its_alerts_drops_below_its_required_level() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let output = diff(&repository, &["v1", "v2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = lines(&output);
    let short = |tag: &str| git(&repository, &["rev-parse", "--short=7", tag]);
    assert_eq!(
        text[0],
        format!(
            "readiness: v1 ({}, evaluated {TODAY}) -> v2 ({}, evaluated {TODAY})",
            short("v1"),
            short("v2")
        )
    );
    assert_eq!(
        text[1],
        "1 service newly below its required level, 1 level change, 1 newly failing check"
    );
    let expected = [
        "newly below their required level:",
        "  checkout                 silver -> bronze, needs silver",
        "levels:",
        "  down checkout                 silver -> bronze (needs silver; below it)",
        "newly failing checks:",
        // Cited at the `service:` line: the doc no longer has any `monitoring`.
        "  checkout                 alerts [silver] pass -> fail: `monitoring.alerts` is not set (at services/checkout/service.md:2)",
    ];
    for line in expected {
        assert!(
            text.iter().any(|l| l == line),
            "no line {line:?} in\n{}",
            text.join("\n")
        );
    }
}

#[test]
fn fail_on_newly_below_required_exits_1_only_when_a_service_falls_below() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let fail = ["--fail-on", "newly-below-required"];
    let dropped = diff(&repository, &["v1", "v2", fail[0], fail[1]]);
    assert_eq!(dropped.status.code(), Some(1), "{}", stderr(&dropped));
    let arrived = diff(&repository, &["v2", "v3", fail[0], fail[1]]);
    assert_eq!(
        arrived.status.code(),
        Some(1),
        "a new service below its level"
    );
    let unchanged = diff(&repository, &["v3", "v4", fail[0], fail[1]]);
    assert_eq!(unchanged.status.code(), Some(0), "{}", stderr(&unchanged));
    assert_eq!(lines(&unchanged)[1], "no readiness changes");
    let improved = diff(&repository, &["v2", "v1", fail[0], fail[1]]);
    assert_eq!(improved.status.code(), Some(0), "rising is no failure");
    assert_eq!(diff(&repository, &["v1", "v2"]).status.code(), Some(0));
}

#[test]
fn services_and_dependencies_added_and_removed_are_in_the_json() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let report = json_diff(&repository, &["v2", "v3"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["old"]["label"], "v2");
    assert_eq!(
        report["old"]["commit"],
        git(&repository, &["rev-parse", "v2"]).as_str()
    );
    assert_eq!(report["new"]["evaluated_on"], TODAY);
    assert_eq!(report["newly_below_required"], json!(["search"]));
    assert_eq!(
        report["services"]["added"],
        json!([{
            "id": "search", "title": "search", "kind": "service", "tier": 2, "level": "none",
            "required": "silver", "meets_required": false, "failing": 3
        }])
    );
    assert_eq!(report["services"]["removed"][0]["id"], "legacy");
    assert_eq!(
        report["dependencies"]["added"],
        json!([{ "from": "checkout", "to": "search", "kind": "hard", "external": false }])
    );
    assert_eq!(report["dependencies"]["removed"], json!([]));
    assert_eq!(report["summary"]["services_added"], 1);
    assert_eq!(report["summary"]["services_removed"], 1);
    assert_eq!(report["levels"], json!([]), "checkout stays bronze");
}

#[test]
fn the_markdown_opens_with_the_verdict() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let markdown = |from: &str, to: &str| {
        let output = diff(&repository, &[from, to, "--format", "markdown"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    let dropped = markdown("v1", "v2");
    assert_eq!(
        dropped.lines().next().unwrap(),
        "**❌ Readiness: 1 service below its required level** · 1 level change · 1 newly failing check"
    );
    assert!(dropped.contains("### ❌ Now below their required level\n\n| service | tier | level | required |\n|---|---|---|---|\n| **checkout** | 2 | silver → bronze | silver |\n"), "{dropped}");
    assert!(
        dropped.contains("- **checkout** `alerts` (silver): `monitoring.alerts` is not set · `services/checkout/service.md:2`\n"),
        "{dropped}"
    );
    assert_eq!(
        markdown("v2", "v1").lines().next().unwrap(),
        "**✅ Readiness: no service drops below its required level** · 1 level change · 1 newly passing check"
    );
    assert_eq!(
        markdown("v3", "v4").lines().next().unwrap(),
        "**✅ Readiness: no changes**"
    );
}

#[test]
fn an_expired_waiver_is_a_waiver_change_between_a_report_file_and_a_revision() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let ops = repository.join("ops");
    let before = opsbook(
        &ops,
        &["check", "--format", "json", "--today", "2026-11-28"],
    );
    let file = root.path().join("before.json");
    std::fs::write(&file, &before.stdout).unwrap();
    let file = file.to_str().unwrap();
    let report = json_diff(&repository, &[file, "HEAD", "--today", "2026-12-15"]);
    assert_eq!(report["old"]["commit"], Value::Null);
    assert_eq!(report["old"]["evaluated_on"], "2026-11-28");
    assert_eq!(report["new"]["evaluated_on"], "2026-12-15");
    assert_eq!(
        report["waivers"],
        json!([{
            "service": "cart", "check": "runbook", "change": "expired",
            "reason": "runbooks move to the wiki", "until": "2026-12-01"
        }])
    );
    assert_eq!(
        report["checks"]["newly_failing"],
        json!([]),
        "reported once, as a waiver"
    );
    assert_eq!(report["newly_below_required"], json!(["cart"]));
    let text = stdout(&diff(&repository, &[file, "HEAD", "--today", "2026-12-15"]));
    assert!(
        text.contains("\nwaivers:\n  expired  cart                     runbook (until 2026-12-01): runbooks move to the wiki\n"),
        "{text}"
    );
}

#[test]
fn two_report_files_are_compared_without_git() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let ops = repository.join("ops");
    let write_report = |today: &str| {
        let output = opsbook(&ops, &["check", "--format", "json", "--today", today]);
        let path = root.path().join(format!("{today}.json"));
        std::fs::write(&path, &output.stdout).unwrap();
        path
    };
    let (old, new) = (write_report("2026-11-28"), write_report("2026-12-15"));
    let elsewhere = tempfile::tempdir().unwrap();
    let output = opsbook(
        elsewhere.path(),
        &[
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["waivers"][0]["change"], "expired");
    assert_eq!(report["levels"][0]["id"], "cart");
    assert_eq!(report["levels"][0]["change"], "dropped-below-required");
}

#[test]
fn the_working_tree_and_the_index_are_left_exactly_as_they_were() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    // Work in progress: a staged change and an unstaged one.
    write_file(
        &repository.join("ops/services/cart/service.md"),
        "---\nservice: cart\n---\n",
    );
    git(&repository, &["add", "ops/services/cart/service.md"]);
    write_file(
        &repository.join("ops/services/search/service.md"),
        "---\nservice: search\n---\n",
    );
    let status = || git(&repository, &["status", "--porcelain"]);
    let status_before = status();
    // Read after `git status`, which may refresh the index; nothing but opsbook runs between.
    let files_before = files_in(&repository);
    for format in ["text", "json", "markdown"] {
        let output = diff(&repository, &["v1", "v3", "--format", format]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let files_after = files_in(&repository);
    assert!(
        files_before == files_after,
        "a file of the working tree or .git changed"
    );
    assert_eq!(
        status_before,
        "M  ops/services/cart/service.md\n M ops/services/search/service.md"
    );
    assert_eq!(status(), status_before);
}

#[test]
fn a_bad_revision_or_a_folder_outside_git_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let output = diff(&repository, &["no-such-branch", "HEAD"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(
            "error: `no-such-branch` is neither a report file nor a commit of the repository at "
        ),
        "{message}"
    );
    assert!(message.contains("help: give a report file"), "{message}");
    let loose = tempfile::tempdir().unwrap();
    let output = opsbook(loose.path(), &["diff", "main", "HEAD"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not inside a git repository"),
        "{}",
        stderr(&output)
    );
    let not_a_report = root.path().join("notes.json");
    std::fs::write(&not_a_report, "{\"hello\": 1}").unwrap();
    let output = diff(&repository, &[not_a_report.to_str().unwrap(), "HEAD"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is JSON but not an opsbook report"),
        "{}",
        stderr(&output)
    );
}
