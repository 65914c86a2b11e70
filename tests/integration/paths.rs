//! Paths that leave the sources: symlinks to files and folders elsewhere on the machine are
//! refused with a warning at the link, never read or published.

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
                "{link}: warning: this symlink leads outside the source folder"
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
