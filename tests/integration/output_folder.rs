//! Where a site may be written: never over the book, its sources or the cache, whatever
//! `--force` says; and what builds killed before it leave behind.

use std::path::Path;

use crate::harness::{TODAY, listing, opsbook, stderr, write_file};

/// A book at `<temp>/b` with two services in `b/services`, and a note beside the book.
fn book_in_a_folder() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let book = temp.path().join("b");
    write_file(&book.join("book.toml"), "[book]\nsrc = \"services\"\n");
    for id in ["a", "b"] {
        write_file(
            &book.join(format!("services/{id}/service.md")),
            &format!("---\nservice: {id}\n---\n# {id}\n"),
        );
    }
    write_file(&temp.path().join("notes.txt"), "beside the book");
    temp
}

/// Builds with `args` in `dir` and asserts the build was refused, naming `clash`, with
/// every file under `temp` exactly as it was (no staging folder left either).
fn assert_refused(temp: &Path, dir: &Path, args: &[&str], clash: &str) {
    let before = listing(temp);
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--today", TODAY]);
    let output = opsbook(dir, &all);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains(clash), "{}", stderr(&output));
    assert_eq!(listing(temp), before, "the refused build changed files");
}

#[test]
fn forcing_the_output_onto_the_book_itself_is_refused_and_loses_nothing() {
    let temp = book_in_a_folder();
    assert_refused(
        temp.path(),
        temp.path(),
        &["b", "-o", "b", "--force"],
        "the output folder b is the book's folder (where book.toml is)",
    );
}

#[test]
fn forcing_the_output_onto_a_source_folder_is_refused() {
    let temp = book_in_a_folder();
    let book = temp.path().join("b");
    assert_refused(
        temp.path(),
        &book,
        &[".", "-o", "services", "--force"],
        "the output folder services is the source folder `services`",
    );
}

#[test]
fn an_output_folder_holding_the_book_is_refused_before_anything_is_copied() {
    let temp = book_in_a_folder();
    let book = temp.path().join("b");
    assert_refused(
        temp.path(),
        &book,
        &[".", "-o", "..", "--force"],
        "the output folder .. holds the book's folder",
    );
    assert_refused(
        temp.path(),
        &book,
        &[".", "-o", "services/..", "--force"],
        "the output folder services/.. is the book's folder",
    );
}

#[test]
fn the_output_may_not_lie_inside_the_cache() {
    let temp = book_in_a_folder();
    let book = temp.path().join("b");
    assert_refused(
        temp.path(),
        &book,
        &[".", "-o", ".opsbook/cache/site"],
        "the output folder .opsbook/cache/site is inside opsbook's cache `.opsbook/cache`",
    );
}

#[test]
fn inside_a_source_force_does_not_replace_a_folder_of_docs() {
    let temp = book_in_a_folder();
    let book = temp.path().join("b");
    assert_refused(
        temp.path(),
        &book,
        &[".", "-o", "services/a", "--force"],
        "services/a is inside the source folder `services` and holds files opsbook did not write",
    );
    // A folder of its own there is fine: the walk skips it.
    let built = opsbook(&book, &["build", "-o", "services/site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let again = opsbook(
        &book,
        &["build", "-o", "services/site", "--force", "--today", TODAY],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(book.join("services/site/services/a/index.html").exists());
}

#[test]
fn an_earlier_site_inside_the_sources_is_skipped_with_a_warning() {
    let temp = book_in_a_folder();
    let book = temp.path().join("b");
    let earlier = opsbook(&book, &["build", "-o", "services/old", "--today", TODAY]);
    assert_eq!(earlier.status.code(), Some(0), "{}", stderr(&earlier));
    assert!(book.join("services/old/badges/a.svg").exists());
    let built = opsbook(&book, &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(
        stderr(&built).contains(
            "services/old: warning[OB0204]: this folder is a site opsbook built (it has a `.opsbook` marker); its pages were not read as docs"
        ),
        "{}",
        stderr(&built)
    );
    let published: Vec<String> = listing(&book.join("site")).into_keys().collect();
    assert!(
        !published.iter().any(|path| path.contains("old/")),
        "the earlier site was published again: {published:?}"
    );
}
