//! Reviewed snapshots (insta) of what people read on a terminal: the text report and the
//! problems of a broken book, whole. A change to either shows as a diff to review
//! (`cargo insta review`, or `INSTA_UPDATE=always` and read the `.snap` files' diff).

use crate::book::Book;
use crate::harness::{TODAY, fixture, opsbook, repo_root, stderr, stdout};

#[test]
fn the_text_report_of_the_example_organisation() {
    let output = opsbook(&repo_root(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!("example_text_report", stdout(&output));
}

#[test]
fn every_problem_of_a_broken_book_in_one_run() {
    let output = opsbook(&fixture("broken"), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("broken_book_problems", stderr(&output));
}

#[test]
fn a_stale_link_and_an_unknown_key_as_a_newcomer_sees_them() {
    let run = Book::new()
        .file(
            "checkout/service.md",
            "---\nservice: checkout\nownr: { team: payments }\n---\n# Checkout\n\nSee the [runbook](runbooks/restart.md).\n",
        )
        .file("checkout/runbooks/restrat.md", "# Restart\n")
        .check()
        .exits(1)
        .stdout_has("FAIL checkout");
    insta::assert_snapshot!("newcomer_problems", run.stderr());
}
