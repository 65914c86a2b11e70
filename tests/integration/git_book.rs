//! A small book in a real git repository, built commit by commit with the git command line,
//! for `diff` and history. The book is a sub-folder (`ops/`) and one of its sources sits beside
//! it (`platform/`), as in a monorepo. Its own checklist keeps the levels easy to follow:
//!
//! | check   | level  | passes when                 |
//! |---------|--------|-----------------------------|
//! | team    | bronze | `owner.team` is set         |
//! | runbook | bronze | `runbooks.recovery` is set  |
//! | alerts  | silver | `monitoring.alerts` is set  |
//! | slo     | gold   | `monitoring.slo` is set     |
//!
//! The commits, tagged:
//!
//! - `v1` (2026-11-01): checkout (tier 2, silver), cart (tier 3, bronze with its runbook
//!   waived until 2026-12-01), legacy (tier 3, bronze), auth (tier 2, gold, in `platform/`);
//! - `v2` (2026-11-10): checkout loses its alerts and drops to bronze, below silver;
//! - `v3` (2026-11-20): search arrives (tier 2, level none), legacy is deleted, checkout
//!   depends on search;
//! - `v4` (2026-11-25): only the README, outside the book;
//! - `v5` (2026-12-05): auth's doc changes; by this date cart's waiver has expired.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{stderr, write_file};

const CHECKLIST: &str = r#"checks:
  - { id: team, category: owner, level: bronze, applies-to: [service], title: Team, why: w, fix: "Set owner.team.", rule: { present: owner.team } }
  - { id: runbook, category: runbooks, level: bronze, applies-to: [service], title: Runbook, why: w, fix: "Set runbooks.recovery.", rule: { present: runbooks.recovery } }
  - { id: alerts, category: monitoring, level: silver, applies-to: [service], title: Alerts, why: w, fix: "Set monitoring.alerts.", rule: { present: monitoring.alerts } }
  - { id: slo, category: monitoring, level: gold, applies-to: [service], title: SLO, why: w, fix: "Set monitoring.slo.", rule: { present: monitoring.slo } }
"#;

const RUNBOOK: &str =
    "runbooks: { recovery: [{ failure: down, link: \"https://wiki.example.com/r\" }] }";
const ALERTS: &str =
    "monitoring: { alerts: [{ name: Errors, level: emergency, condition: \"5xx > 1%\" }] }";
const ALERTS_AND_SLO: &str = "monitoring: { alerts: [{ name: Errors, level: emergency }], slo: { availability: \"99.9%\" } }";

/// Runs git in `folder` as a test user, committing at `date` (so history has fixed dates).
pub fn git_at(folder: &Path, date: &str, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(folder)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

pub fn git(folder: &Path, args: &[&str]) -> String {
    git_at(folder, "2026-11-01T12:00:00+00:00", args)
}

fn doc(id: &str, tier: u8, fields: &[&str]) -> String {
    format!(
        "---\nservice: {id}\ntier: {tier}\nowner: {{ team: shop }}\n{}\n---\n# {id}\n",
        fields.join("\n")
    )
}

fn commit(repository: &Path, date: &str, tag: &str, message: &str) {
    let date = format!("{date}T12:00:00+00:00");
    git_at(repository, &date, &["add", "-A"]);
    git_at(repository, &date, &["commit", "--quiet", "-m", message]);
    git_at(repository, &date, &["tag", tag]);
}

/// The repository (in `root`/shop), with every commit above; returns its folder. The book is
/// `ops/` inside it.
pub fn shop(root: &Path) -> PathBuf {
    let repository = root.join("shop");
    std::fs::create_dir_all(&repository).unwrap();
    git(&repository, &["init", "--quiet"]);
    let ops = repository.join("ops");
    let service = |id: &str| ops.join("services").join(id).join("service.md");
    write_file(
        &ops.join("book.toml"),
        "[book]\ntitle = \"Shop\"\nsrc = [\"services\", \"../platform\"]\n\n[checklist]\nfile = \"checklist.yaml\"\nmode = \"replace\"\n",
    );
    write_file(&ops.join("checklist.yaml"), CHECKLIST);
    write_file(&ops.join(".gitignore"), "/book\n");
    write_file(&repository.join("README.md"), "# Shop\n");
    write_file(
        &service("checkout"),
        &doc("checkout", 2, &["depends_on: [cart]", RUNBOOK, ALERTS]),
    );
    let cart_waiver =
        "waivers: [{ check: runbook, reason: \"runbooks move to the wiki\", until: 2026-12-01 }]";
    write_file(
        &service("cart"),
        &doc("cart", 3, &["depends_on: []", cart_waiver]),
    );
    write_file(
        &service("legacy"),
        &doc("legacy", 3, &["depends_on: []", RUNBOOK]),
    );
    let auth = |description: &str| {
        let description = format!("description: {description}");
        doc(
            "auth",
            2,
            &[&description, "depends_on: []", RUNBOOK, ALERTS_AND_SLO],
        )
    };
    write_file(
        &repository.join("platform/auth/service.md"),
        &auth("Sign-in"),
    );
    commit(&repository, "2026-11-01", "v1", "Shop readiness");

    write_file(
        &service("checkout"),
        &doc("checkout", 2, &["depends_on: [cart]", RUNBOOK]),
    );
    commit(&repository, "2026-11-10", "v2", "checkout: drop the alerts");

    write_file(&service("search"), &doc("search", 2, &["depends_on: []"]));
    std::fs::remove_dir_all(ops.join("services/legacy")).unwrap();
    write_file(
        &service("checkout"),
        &doc("checkout", 2, &["depends_on: [cart, search]", RUNBOOK]),
    );
    commit(
        &repository,
        "2026-11-20",
        "v3",
        "search arrives, legacy retires",
    );

    write_file(&repository.join("README.md"), "# Shop\n\nOur shop.\n");
    commit(&repository, "2026-11-25", "v4", "README: say what this is");

    write_file(
        &repository.join("platform/auth/service.md"),
        &auth("Sign-in for everyone"),
    );
    commit(&repository, "2026-12-05", "v5", "auth: describe it");
    repository
}
