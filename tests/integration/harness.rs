//! A small harness: run the binary, copy fixture books, read generated sites.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The date every test evaluates on, so review ages and waivers never drift.
pub const TODAY: &str = "2026-11-28";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// Runs `opsbook` with `args` in `dir`.
pub fn opsbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the opsbook binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A copy of a fixture book in a temporary folder, so tests can change it.
pub fn copy_of(source: &Path) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    copy_dir(source, temp.path());
    temp
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file below `dir`, by `/`-separated relative path.
pub fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The values of every `href="..."` and `src="..."` attribute in an HTML text.
pub fn links_in(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let after = &rest[start + attribute.len()..];
            let end = after.find('"').unwrap_or(after.len());
            links.push(after[..end].replace("&amp;", "&"));
            rest = &after[end..];
        }
    }
    links
}

/// The example organisation's site, built into a temporary folder (kept alive by the
/// returned guard), with the path of the site folder.
pub fn build_example_site() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = opsbook(
        &repo_root(),
        &["build", "-o", site.to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (out, site)
}

/// `opsbook check --format json` of the book in `dir` (with `extra` arguments), parsed.
pub fn json_report(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", "--format", "json", "--today", TODAY];
    args.extend_from_slice(extra);
    let output = opsbook(dir, &args);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("check --format json prints JSON")
}

/// A service of a JSON report, by id.
pub fn service<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let services = report["services"].as_array().unwrap();
    services
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no service {id}"))
}

/// A check result of a service of a JSON report, by check id.
pub fn check<'a>(service: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let checks = service["checks"].as_array().unwrap();
    checks
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// A book of one tier-1 `hub` and `dependents` services depending on it, `user-00`, ...; the
/// last two are tier 1, the others tier 3. Built into `<book>/site`.
pub fn hub_book(dependents: usize) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    let write = |id: &str, tier: u8, depends: &str| {
        let folder = book.path().join("services").join(id);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("service.md"),
            format!("---\nservice: {id}\ntier: {tier}\ndepends_on: [{depends}]\n---\n"),
        )
        .unwrap();
    };
    write("hub", 1, "");
    for n in 0..dependents {
        let tier = if n + 2 >= dependents { 1 } else { 3 };
        write(&format!("user-{n:02}"), tier, "hub");
    }
    let built = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert!(built.status.success(), "{}", stderr(&built));
    book
}

/// Writes `text` to `path`, creating its folders.
pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `opsbook` with `args` in `dir` under `sh`, after `setup` (shell commands such as
/// `ulimit -f 8`), so a test can run it with limits a user's machine may impose.
pub fn opsbook_under(setup: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{setup}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_opsbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs the opsbook binary")
}

/// [`opsbook`], stopped after `seconds`: a test of an input built to hang fails (with
/// exit code 124 from `timeout`) instead of hanging the test run.
pub fn opsbook_within(seconds: u32, dir: &Path, args: &[&str]) -> Output {
    let output = opsbook_under(&format!("ulimit -t {seconds}"), dir, args);
    assert!(
        output.status.code().is_some(),
        "opsbook was stopped after {seconds} s of CPU time, or by a signal: {}",
        stderr(&output)
    );
    output
}

/// Every file below `dir` with its size and a hash of its bytes: compared before and after
/// a failed build, and short enough to read when the comparison fails.
pub fn listing(dir: &Path) -> BTreeMap<String, (usize, u64)> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    files_in(dir)
        .into_iter()
        .map(|(path, bytes)| {
            let mut hasher = DefaultHasher::new();
            bytes.hash(&mut hasher);
            (path, (bytes.len(), hasher.finish()))
        })
        .collect()
}

/// Makes every broken link of the book in `dir` an error (`[output] broken-links`).
pub fn broken_links_as_errors(dir: &Path) {
    let book_toml = dir.join("book.toml");
    let toml = std::fs::read_to_string(&book_toml).unwrap();
    std::fs::write(
        book_toml,
        format!("{toml}\n[output]\nbroken-links = \"error\"\n"),
    )
    .unwrap();
}

/// The ids a service of the JSON report depends on, in the order written.
pub fn dependency_ids(service: &serde_json::Value) -> Vec<&str> {
    service["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect()
}
