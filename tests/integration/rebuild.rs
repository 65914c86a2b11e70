//! Rebuilding with nothing changed: the build stops early, says so, repeats the last build's
//! warnings, and leaves the site untouched; any change to what the site is made from builds.

use std::path::Path;

use crate::harness::{TODAY, copy_of, files_in, fixture, opsbook, stderr, write_file};

fn build(book: &Path, today: &str) -> String {
    let output = opsbook(book, &["build", "-o", "site", "--today", today]);
    assert!(output.status.success(), "{}", stderr(&output));
    stderr(&output)
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_build_with_nothing_changed_leaves_the_site_alone_and_repeats_its_warnings() {
    let book = copy_of(&fixture("graph"));
    let first = build(book.path(), TODAY);
    assert!(
        first.contains("warning"),
        "the fixture should warn: {first}"
    );
    let site = book.path().join("site");
    let before = files_in(&site);
    let index_time = modified(&site.join("index.html"));

    let second = build(book.path(), TODAY);
    let (first_problems, _) = first.rsplit_once("built ").unwrap();
    let (second_problems, last_line) = second.rsplit_once("up to date: ").unwrap();
    assert_eq!(second_problems, first_problems);
    assert!(
        last_line.ends_with("; nothing they are made from has changed\n"),
        "{last_line}"
    );
    assert_eq!(files_in(&site), before);
    assert_eq!(modified(&site.join("index.html")), index_time);
}

#[test]
fn any_change_to_what_the_site_is_made_from_builds_again() {
    let book = copy_of(&fixture("graph"));
    build(book.path(), TODAY);
    let rebuilt = |why: &str| {
        let said = build(book.path(), TODAY);
        assert!(
            said.contains("\nbuilt ") || said.starts_with("built "),
            "{why}: {said}"
        );
    };
    let doc = walkdir::WalkDir::new(book.path())
        .into_iter()
        .map(Result::unwrap)
        .find(|e| e.file_name() == "service.md")
        .unwrap()
        .into_path();
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, format!("{text}\nA new paragraph.\n")).unwrap();
    rebuilt("an edited doc");
    write_file(&book.path().join("services/extra/notes.md"), "# Notes\n");
    rebuilt("a new file");
    let toml = book.path().join("book.toml");
    let config = std::fs::read_to_string(&toml).unwrap_or_default();
    std::fs::write(&toml, format!("{config}\n# a comment\n")).unwrap();
    rebuilt("an edited book.toml");
    write_file(&book.path().join("theme/assets/extra.css"), "body {}\n");
    rebuilt("a theme override");
    let said = build(book.path(), "2030-01-01");
    assert!(said.contains("built "), "another day: {said}");
    std::fs::remove_file(book.path().join("site/index.html")).unwrap();
    std::fs::write(
        book.path().join("site/.opsbook"),
        "written by an older opsbook\n",
    )
    .unwrap();
    let said = build(book.path(), "2030-01-01");
    assert!(said.contains("built "), "a marker without a record: {said}");
    assert!(book.path().join("site/index.html").exists());
}
