//! Sources beyond the book's own folder: `[[source]]` entries naming local folders and git
//! repositories (real ones, made with the git command line in temporary folders and fetched
//! by `file://` URL), the cache, `--offline`, `--allow-stale` and `opsbook fetch`.

use std::path::Path;
use std::process::Command;

use crate::harness::{TODAY, json_report, opsbook, stderr, write_file};

fn git(folder: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(folder)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
}

fn doc(id: &str) -> String {
    format!("---\nservice: {id}\ntier: 3\nowner: {{ team: payments }}\n---\n# {id}\n")
}

/// A repository with `payments` on `main`, and `refunds` too on the branch `next`; its docs
/// are under `docs/readiness`, beside code opsbook must not read.
fn payments_repository(root: &Path) -> std::path::PathBuf {
    let repository = root.join("payments");
    std::fs::create_dir_all(&repository).unwrap();
    git(&repository, &["init", "--quiet", "--initial-branch=main"]);
    write_file(
        &repository.join("docs/readiness/payments/service.md"),
        &doc("payments"),
    );
    write_file(
        &repository.join("src/notes.md"),
        "---\nservice: not-a-doc\n---\n",
    );
    git(&repository, &["add", "-A"]);
    git(&repository, &["commit", "--quiet", "-m", "payments"]);
    git(&repository, &["checkout", "--quiet", "-b", "next"]);
    write_file(
        &repository.join("docs/readiness/refunds/service.md"),
        &doc("refunds"),
    );
    git(&repository, &["add", "-A"]);
    git(&repository, &["commit", "--quiet", "-m", "refunds"]);
    git(&repository, &["checkout", "--quiet", "main"]);
    repository
}

fn book_with_source(root: &Path, source: &str) -> std::path::PathBuf {
    let book = root.join("book");
    write_file(
        &book.join("book.toml"),
        &format!("[book]\ntitle = \"Org\"\nsrc = []\n\n[[source]]\n{source}\n"),
    );
    book
}

fn ids(book: &Path, extra: &[&str]) -> Vec<String> {
    let report = json_report(book, extra);
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn a_git_source_is_read_at_the_branch_it_names_and_only_below_its_dir() {
    let root = tempfile::tempdir().unwrap();
    let repository = payments_repository(root.path());
    let url = file_url(&repository);
    let book = book_with_source(
        root.path(),
        &format!("git = \"{url}\"\nrev = \"next\"\ndir = \"docs/readiness\""),
    );
    assert_eq!(ids(&book, &[]), ["payments", "refunds"]);
    std::fs::write(
        book.join("book.toml"),
        format!("[book]\nsrc = []\n\n[[source]]\ngit = \"{url}\"\ndir = \"docs/readiness\"\n"),
    )
    .unwrap();
    assert_eq!(ids(&book, &[]), ["payments"], "the default branch");
    let ignore = std::fs::read_to_string(book.join(".opsbook/.gitignore")).unwrap();
    assert!(
        ignore.lines().any(|l| l == "*"),
        "the cache is kept out of git"
    );
}

#[test]
fn the_report_and_the_page_say_where_the_doc_lives_in_its_repository() {
    let root = tempfile::tempdir().unwrap();
    let repository = payments_repository(root.path());
    let book = book_with_source(
        root.path(),
        &format!(
            "git = \"{}\"\nrev = \"next\"\ndir = \"docs/readiness\"\nrepository = \"https://github.com/acme/payments\"",
            file_url(&repository)
        ),
    );
    let report = json_report(&book, &[]);
    let refunds = crate::harness::service(&report, "refunds");
    assert_eq!(
        refunds["source_repository"],
        serde_json::json!({
            "repository": "https://github.com/acme/payments",
            "path": "docs/readiness/refunds/service.md",
            "rev": "next",
            "web_url": "https://github.com/acme/payments/blob/next/docs/readiness/refunds/service.md",
        })
    );
    let out = root.path().join("site");
    let built = opsbook(
        &book,
        &["build", "-o", out.to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page = std::fs::read_to_string(out.join("services/refunds/index.html")).unwrap();
    assert!(page.contains(
        r#"href="https://github.com/acme/payments/blob/next/docs/readiness/refunds/service.md">Edit this page"#
    ));
}

#[test]
fn offline_builds_use_the_cache_and_a_lost_repository_fails_unless_stale_is_allowed() {
    let root = tempfile::tempdir().unwrap();
    let repository = payments_repository(root.path());
    let book = book_with_source(
        root.path(),
        &format!(
            "git = \"{}\"\nrev = \"next\"\ndir = \"docs/readiness\"",
            file_url(&repository)
        ),
    );
    let offline_first = opsbook(&book, &["check", "--offline", "--today", TODAY]);
    assert_eq!(offline_first.status.code(), Some(2));
    assert!(
        stderr(&offline_first).contains("book.toml:5:1: error[OB0208]: source `payments`")
            && stderr(&offline_first).contains("is not in the cache"),
        "{}",
        stderr(&offline_first)
    );
    assert_eq!(ids(&book, &[]), ["payments", "refunds"]);
    std::fs::rename(&repository, root.path().join("moved")).unwrap();
    assert_eq!(ids(&book, &["--offline"]), ["payments", "refunds"]);

    let lost = opsbook(&book, &["check", "--today", TODAY]);
    assert_eq!(lost.status.code(), Some(2));
    let message = stderr(&lost);
    assert!(
        message.contains("book.toml:5:1: error[OB0210]: cannot fetch source `payments`")
            && message.contains("--allow-stale"),
        "{message}"
    );

    let out = root.path().join("site");
    let stale = opsbook(
        &book,
        &[
            "build",
            "--allow-stale",
            "-o",
            out.to_str().unwrap(),
            "--today",
            TODAY,
        ],
    );
    assert_eq!(stale.status.code(), Some(0), "{}", stderr(&stale));
    assert!(stderr(&stale).contains("warning[OB0209]: could not fetch source `payments`"));
    let page = std::fs::read_to_string(out.join("services/refunds/index.html")).unwrap();
    assert!(
        page.contains("could not be fetched for this build"),
        "{page}"
    );
}

#[test]
fn a_missing_revision_or_repository_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let repository = payments_repository(root.path());
    let book = book_with_source(
        root.path(),
        &format!(
            "git = \"{}\"\nrev = \"no-such-branch\"",
            file_url(&repository)
        ),
    );
    let output = opsbook(&book, &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("book.toml:5:1: error[OB0210]: cannot fetch source `payments` (file://")
            && stderr(&output).contains("rev no-such-branch"),
        "{}",
        stderr(&output)
    );
    let missing = root.path().join("nowhere");
    std::fs::write(
        book.join("book.toml"),
        format!(
            "[book]\nsrc = []\n\n[[source]]\ngit = \"{}\"\n",
            file_url(&missing)
        ),
    )
    .unwrap();
    let output = opsbook(&book, &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot fetch source `nowhere`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fetch_refreshes_the_cache_for_offline_builds() {
    let root = tempfile::tempdir().unwrap();
    let repository = payments_repository(root.path());
    let book = book_with_source(
        root.path(),
        &format!(
            "git = \"{}\"\ndir = \"docs/readiness\"",
            file_url(&repository)
        ),
    );
    assert_eq!(ids(&book, &[]), ["payments"]);
    write_file(
        &repository.join("docs/readiness/ledger/service.md"),
        &doc("ledger"),
    );
    git(&repository, &["add", "-A"]);
    git(&repository, &["commit", "--quiet", "-m", "ledger"]);
    assert_eq!(
        ids(&book, &["--offline"]),
        ["payments"],
        "offline: the old copy"
    );
    let fetched = opsbook(&book, &["fetch"]);
    assert_eq!(fetched.status.code(), Some(0), "{}", stderr(&fetched));
    assert_eq!(ids(&book, &["--offline"]), ["ledger", "payments"]);
}

#[test]
fn a_local_folder_source_reads_only_what_include_names() {
    let root = tempfile::tempdir().unwrap();
    let other = root.path().join("other");
    write_file(&other.join("a/service.md"), &doc("alpha"));
    write_file(&other.join("b/service.md"), &doc("beta"));
    write_file(&other.join("b/draft.md"), "---\nservice: draft\n---\n");
    let book = book_with_source(
        root.path(),
        "path = \"../other\"\ninclude = [\"*/service.md\"]",
    );
    assert_eq!(ids(&book, &[]), ["alpha", "beta"]);
}

#[test]
fn bad_source_entries_are_located_errors() {
    let root = tempfile::tempdir().unwrap();
    for (entry, wanted) in [
        (
            "path = \"x\"\ngit = \"https://example.com/x.git\"",
            "book.toml:7:1: error[OB0105]: a source has either `path` or `git`, not both",
        ),
        (
            "path = \"x\"\nrev = \"main\"",
            "book.toml:7:1: error[OB0105]: `rev` is for git sources",
        ),
        (
            "git = \"https://example.com/x.git\"\ndir = \"../up\"",
            "book.toml:7:1: error[OB0105]: \"../up\" leaves the repository",
        ),
        (
            "git = \"https://example.com/x.git\"\nrev = \"--upload-pack=evil\"",
            "is not a branch, tag or commit",
        ),
        (
            "path = \"x\"\ninclude = [\"a[\"]",
            "book.toml:7:1: error[OB0105]: \"a[\" is not a glob",
        ),
        ("pth = \"x\"", "did you mean `path`?"),
    ] {
        let book = book_with_source(root.path(), entry);
        let output = opsbook(&book, &["check", "--offline", "--today", TODAY]);
        assert_eq!(output.status.code(), Some(2), "{entry}");
        assert!(
            stderr(&output).contains(wanted),
            "{entry}: {}",
            stderr(&output)
        );
    }
}
