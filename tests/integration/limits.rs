//! Inputs built to exhaust a machine: each fails with a located message instead of hanging,
//! overflowing the stack or eating memory.

use crate::harness::{TODAY, opsbook, stderr, write_file};

fn book_with(files: &[(&str, String)]) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write_file(&book.path().join(path), text);
    }
    book
}

#[test]
fn yaml_alias_bombs_and_deep_nesting_are_located_errors() {
    let mut bomb =
        String::from("---\nservice: bomb\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        bomb.push_str(&format!(
            "x{level}: &a{level} [{}]\n",
            vec![previous; 9].join(", ")
        ));
    }
    bomb.push_str("---\n");
    let deep = format!(
        "---\nservice: deep\nnest: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let book = book_with(&[("bomb/service.md", bomb), ("deep/service.md", deep)]);
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("bomb/service.md:2:1: error: invalid YAML in the front matter: repetition limit exceeded"),
        "{message}"
    );
    assert!(
        message.contains("deep/service.md:3:")
            && message
                .contains("error: invalid YAML in the front matter: recursion limit exceeded"),
        "{message}"
    );
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let huge = format!("---\nservice: huge\n---\n{}", "x".repeat(10_000_001));
    let book = book_with(&[("huge/service.md", huge)]);
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "huge/service.md: error: the file is 10.0 MB; opsbook reads files of up to 10 MB"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_ten_megabyte_line_builds() {
    let long = format!(
        "---\nservice: long\n---\n# Long\n\n{}\n",
        "word ".repeat(1_900_000)
    );
    let book = book_with(&[("long/service.md", long)]);
    let output = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
