//! A fluent builder for the books a test needs, in the style of just's and mdBook's test
//! builders: write the files, run a command, then say what the run must have printed.
//!
//! ```ignore
//! Book::new()
//!     .file("services/a/service.md", "---\nservice: a\n---\n")
//!     .check()
//!     .exits(1)
//!     .stderr_has("read 1 service docs");
//! ```

use std::path::Path;
use std::process::Output;

use crate::harness::{TODAY, opsbook, stderr, stdout, write_file};

/// A book in a temporary folder, removed when the book is dropped.
pub struct Book {
    dir: tempfile::TempDir,
}

impl Book {
    /// An empty folder: a book of its own Markdown files until it has a book.toml.
    pub fn new() -> Book {
        Book {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The book with its `book.toml`.
    pub fn toml(self, text: &str) -> Book {
        self.file("book.toml", text)
    }

    /// The book with a file at `path` (folders made as needed).
    pub fn file(self, path: &str, text: &str) -> Book {
        write_file(&self.dir.path().join(path), text);
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `opsbook ARGS` run in the book's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        Run {
            output: opsbook(self.path(), args),
        }
    }

    /// `opsbook check`, as of the tests' date.
    pub fn check(&self) -> Run {
        self.run(&["check", "--today", TODAY])
    }

    /// `opsbook build` into the book's `site/`, as of the tests' date.
    pub fn build(&self) -> Run {
        self.run(&["build", "-o", "site", "--today", TODAY])
    }
}

/// What a run printed, and how it exited.
pub struct Run {
    pub output: Output,
}

impl Run {
    #[track_caller]
    pub fn exits(self, code: i32) -> Run {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "stderr:\n{}",
            self.stderr()
        );
        self
    }

    /// Asserts that stderr (where problems are printed) has `text`.
    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Run {
        let printed = self.stderr();
        assert!(printed.contains(text), "expected `{text}` in:\n{printed}");
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, text: &str) -> Run {
        let printed = self.stderr();
        assert!(
            !printed.contains(text),
            "did not expect `{text}` in:\n{printed}"
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Run {
        let printed = stdout(&self.output);
        assert!(printed.contains(text), "expected `{text}` in:\n{printed}");
        self
    }

    pub fn stderr(&self) -> String {
        stderr(&self.output)
    }
}
