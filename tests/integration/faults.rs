//! Faults of the machine during a build: a full disk (a file-size limit stands in for it),
//! an output folder that cannot be created, sources that vanish while they are read. Each
//! ends with a message saying what happened, exit code 2, and the previous site exactly as it
//! was; never a signal death or a panic.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::{TODAY, listing, opsbook, opsbook_under, stderr, write_file};

/// A book of `services` services, each with a runbook, built once into `<book>/site`.
fn built_book(services: usize) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    for n in 0..services {
        let folder = book.path().join(format!("services/svc-{n:05}"));
        write_file(
            &folder.join("service.md"),
            &format!(
                "---\nservice: svc-{n:05}\ntier: 2\n---\n# Service {n}\n\nSee [the runbook](runbook.md).\n"
            ),
        );
        write_file(&folder.join("runbook.md"), "# Runbook\n\nRestart it.\n");
    }
    write_file(
        &book.path().join("book.toml"),
        "[book]\nsrc = \"services\"\n",
    );
    let built = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    book
}

/// Everything in the book's folder but what the test changes (the sources, book.toml): the
/// site, and anything a build left beside it (staging folders must not survive a failure).
fn outputs(book: &Path) -> BTreeMap<String, (usize, u64)> {
    listing(book)
        .into_iter()
        .filter(|(path, _)| !path.starts_with("services/") && path != "book.toml")
        .collect()
}

fn folder_names(book: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(book)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_full_disk_stops_the_build_with_a_message_and_keeps_the_previous_site() {
    let book = built_book(3);
    let before = outputs(book.path());
    let names = folder_names(book.path());
    // The next build would change every page.
    write_file(
        &book.path().join("book.toml"),
        "[book]\ntitle = \"Renamed\"\nsrc = \"services\"\n",
    );
    // 8 blocks of 512 bytes: every page of the site is larger.
    let output = opsbook_under(
        "ulimit -f 8",
        book.path(),
        &["build", "-o", "site", "--today", TODAY],
    );
    let message = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a clean exit, not death by SIGXFSZ: {message}"
    );
    assert!(message.starts_with("error: cannot write "), "{message}");
    assert!(
        message.contains(" of the new site (in ")
            && message.contains("File too large (os error 27); a limit on file size (`ulimit -f`) stops opsbook writing it: raise the limit and build again\nthe previous site, if any, was left as it was\n"),
        "{message}"
    );
    assert_eq!(
        outputs(book.path()),
        before,
        "the previous site is untouched"
    );
    assert_eq!(
        folder_names(book.path()),
        names,
        "no staging folder is left"
    );
}

#[test]
fn an_output_folder_that_cannot_be_created_is_a_clear_error_and_changes_nothing() {
    // Permissions do not stop root (CI runs as root); a file where a folder should be does.
    let book = built_book(2);
    std::fs::write(book.path().join("notes.txt"), "not a folder").unwrap();
    let before = listing(book.path());
    let output = opsbook(
        book.path(),
        &["build", "-o", "notes.txt/site", "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: cannot create the output folder notes.txt/site: notes.txt is a file, not a folder; choose another output folder (-o, or `dir` in [output] of book.toml)\nthe previous site, if any, was left as it was\n"
    );
    assert_eq!(listing(book.path()), before, "nothing was written or moved");
}

#[test]
fn sources_deleted_during_a_build_end_in_a_build_or_a_clean_error() {
    // The walk, the reads and the rendering of 1,000 services take long enough for the
    // deletion to land in one of them; which one varies, so every outcome is allowed except
    // a panic, a signal, or a damaged previous site.
    let book = built_book(1000);
    let before = outputs(book.path());
    // Another day, so the build is not up to date and reads every file again.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["build", "-o", "site", "--today", "2026-11-29"])
        .current_dir(book.path())
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    std::fs::remove_dir_all(book.path().join("services")).unwrap();
    let output = child.wait_with_output().unwrap();
    let message = stderr(&output);
    eprintln!(
        "exit {:?}: {}",
        output.status.code(),
        message.lines().next().unwrap_or("")
    );
    assert!(!message.contains("panicked"), "{message}");
    match output.status.code() {
        Some(0) => assert!(message.contains("built "), "{message}"),
        Some(2) => {
            assert!(
                message.contains("cannot read the file: No such file or directory")
                    || message.contains("cannot read this folder")
                    || message.contains("source folder `services` does not exist"),
                "{message}"
            );
            assert_eq!(
                outputs(book.path()),
                before,
                "the previous site is untouched"
            );
        }
        other => panic!("exit {other:?}: {message}"),
    }
    let staging = folder_names(book.path())
        .into_iter()
        .filter(|name| name.contains("opsbook-new"))
        .count();
    assert_eq!(staging, 0, "no staging folder is left");
}
