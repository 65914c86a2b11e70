//! Paths that leave the sources: symlinks to files and folders elsewhere on the machine are
//! refused with a warning at the link, never read or published; symlinks inside a source are
//! not followed (their targets are read where they are); symlinks that loop end the
//! walk of their folder with a warning.

use crate::harness::{TODAY, opsbook, stderr};

#[test]
fn symlinks_out_of_the_sources_are_neither_read_nor_published() {
    let root = tempfile::tempdir().unwrap();
    let secret = root.path().join("elsewhere");
    std::fs::create_dir_all(secret.join("stolen")).unwrap();
    std::fs::write(
        secret.join("stolen/service.md"),
        "---\nservice: stolen\n---\nSECRET-FOLDER\n",
    )
    .unwrap();
    std::fs::write(secret.join("notes.md"), "SECRET-FILE\n").unwrap();
    let book = root.path().join("book");
    let services = book.join("services");
    std::fs::create_dir_all(services.join("fine")).unwrap();
    std::fs::write(
        services.join("fine/service.md"),
        "---\nservice: fine\n---\n# Fine\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(secret.join("stolen"), services.join("stolen")).unwrap();
    std::os::unix::fs::symlink(secret.join("notes.md"), services.join("fine/notes.md")).unwrap();
    std::fs::write(book.join("book.toml"), "[book]\nsrc = \"services\"\n").unwrap();

    let output = opsbook(&book, &["build", "-o", "site", "--today", TODAY]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{message}");
    for link in ["services/stolen", "services/fine/notes.md"] {
        assert!(
            message.contains(&format!(
                "{link}: warning[OB0205]: this symlink leads outside the source folder"
            )),
            "{link}: {message}"
        );
    }
    let site = crate::harness::files_in(&book.join("site"));
    assert!(
        !site
            .keys()
            .any(|path| path.contains("stolen") || path.contains("notes"))
    );
    assert!(
        !site
            .values()
            .any(|bytes| String::from_utf8_lossy(bytes).contains("SECRET")),
        "nothing from outside the sources is published"
    );
}

#[test]
fn symlinks_inside_a_source_are_not_walked_twice_and_cannot_loop() {
    // `x/to-y` leads to `y`, whose `to-x` leads back to `x`; `again` leads to the folder of
    // service `a`; `self` names itself. Followed blindly, the first never ends, the second
    // reads `a` twice (a duplicate id), and the third cannot be opened.
    let book = tempfile::tempdir().unwrap();
    let services = book.path().join("services");
    crate::harness::write_file(
        &services.join("a/service.md"),
        "---\nservice: a\n---\n# A\n",
    );
    crate::harness::write_file(&services.join("x/notes.md"), "# X\n");
    crate::harness::write_file(&services.join("y/notes.md"), "# Y\n");
    std::os::unix::fs::symlink("../y", services.join("x/to-y")).unwrap();
    std::os::unix::fs::symlink("../x", services.join("y/to-x")).unwrap();
    std::os::unix::fs::symlink("a", services.join("again")).unwrap();
    std::os::unix::fs::symlink("self", services.join("self")).unwrap();
    std::fs::write(
        book.path().join("book.toml"),
        "[book]\nsrc = \"services\"\n",
    )
    .unwrap();

    let output =
        crate::harness::opsbook_within(30, book.path(), &["build", "-o", "site", "--today", TODAY]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{message}");
    assert!(!message.contains("duplicate"), "{message}");
    assert!(!message.contains("symlink loop"), "{message}");
    assert!(
        message.contains("services/self: warning[OB0206]: cannot read this folder: ")
            && message.contains("Too many levels of symbolic links (os error 40); it was skipped"),
        "{message}"
    );
    assert!(message.contains("0 error(s), 1 warning(s)"), "{message}");
    assert!(message.contains("for 1 services"), "{message}");
    assert!(!book.path().join("site/services/again").exists());
}

/// The race of a hostile repository: a runbook flips between a file and a symlink to a secret
/// outside the sources while builds run. No build may publish the secret.
#[cfg(unix)]
#[test]
fn a_runbook_flipping_to_a_symlink_during_builds_never_publishes_its_target() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("secret.txt"), "SECRET-RACE\n").unwrap();
    let book = root.path().join("book");
    let folder = book.join("services/a");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(book.join("book.toml"), "[book]\nsrc = \"services\"\n").unwrap();
    std::fs::write(
        folder.join("service.md"),
        "---\nservice: a\n---\nSee [the runbook](runbook.md).\n",
    )
    .unwrap();
    let runbook = folder.join("runbook.md");
    let stop = AtomicBool::new(false);
    let mut published_secret = Vec::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let link = folder.join("runbook.link");
            let file = folder.join("runbook.file");
            while !stop.load(Ordering::Relaxed) {
                std::fs::write(&file, "# Runbook\n").unwrap();
                std::fs::rename(&file, &runbook).unwrap();
                std::os::unix::fs::symlink(root.path().join("secret.txt"), &link).unwrap();
                std::fs::rename(&link, &runbook).unwrap();
            }
        });
        // A build that met the symlink fails or warns; one that met the file builds. Either
        // way, nothing it wrote may hold the secret.
        for round in 0..40 {
            let out = format!("site-{round}");
            opsbook(&book, &["build", "-o", &out, "--today", TODAY]);
            let site = book.join(&out);
            if site.exists()
                && crate::harness::files_in(&site)
                    .values()
                    .any(|bytes| String::from_utf8_lossy(bytes).contains("SECRET-RACE"))
            {
                published_secret.push(round);
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert!(
        published_secret.is_empty(),
        "builds {published_secret:?} published the secret"
    );
}
