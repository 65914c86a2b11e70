//! docs/diagnostics.md is true: every example in it is built as a book, and the build prints
//! what the page says it prints. An example is a section's code blocks with `file=PATH` in
//! their info string; what it prints is the block marked `output`.

use crate::book::Book;
use crate::harness::{TODAY, repo_root};

/// One `## OBxxxx name` section of the page.
struct Section {
    code: String,
    files: Vec<(String, String)>,
    output: Vec<String>,
    not_run: bool,
}

fn sections() -> Vec<Section> {
    let page = std::fs::read_to_string(repo_root().join("docs/diagnostics.md")).unwrap();
    let mut sections: Vec<Section> = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("## OB") {
            sections.push(Section {
                code: format!("OB{}", heading.split(' ').next().unwrap_or_default()),
                files: Vec::new(),
                output: Vec::new(),
                not_run: false,
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        section.not_run |= line.starts_with("<!-- not run:");
        let fence_length = line.len() - line.trim_start_matches('`').len();
        if fence_length < 3 {
            continue;
        }
        let fence = &line[..fence_length];
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != fence).collect();
        let info = &line[fence_length..];
        if let Some(path) = info.split(' ').find_map(|word| word.strip_prefix("file=")) {
            let mut text = body.join("\n");
            text.push('\n');
            section.files.push((path.to_string(), text));
        } else if info.split(' ').any(|word| word == "output") {
            section.output = body.iter().map(|l| l.to_string()).collect();
        }
    }
    sections
}

#[test]
fn every_example_prints_what_the_page_shows() {
    let sections = sections();
    assert!(sections.len() > 50, "found only {} codes", sections.len());
    let mut run = 0;
    for section in &sections {
        let code = &section.code;
        let shown = format!("[{code}]: ");
        assert!(
            section.output.first().is_some_and(|l| l.contains(&shown)),
            "{code}: the page shows no output with the code"
        );
        if section.files.is_empty() {
            assert!(section.not_run, "{code}: no example, and no word why");
            continue;
        }
        assert!(!section.not_run, "{code}: an example marked not run");
        let book = section
            .files
            .iter()
            .fold(Book::new(), |book, (path, text)| book.file(path, text));
        let printed = book
            .run(&["build", "-o", "site", "--offline", "--today", TODAY])
            .stderr();
        // A message may name the book's folder, which is a new temporary one each run.
        let root = book.path().canonicalize().unwrap();
        let printed = printed.replace(root.to_str().unwrap(), "/path/to/book");
        for line in &section.output {
            assert!(
                printed.lines().any(|l| l == line),
                "{code}: the page shows\n{line}\nbut the build printed\n{printed}"
            );
        }
        run += 1;
    }
    assert!(run > 40, "ran only {run} examples");
}

#[test]
fn explain_prints_a_codes_section_and_lists_every_code() {
    let book = Book::new();
    book.run(&["explain", "ob0305"])
        .exits(0)
        .stdout_has("## OB0305 doc-unknown-key")
        .stdout_has("did you mean `owner`?");
    book.run(&["explain"])
        .exits(0)
        .stdout_has("OB0101  book-unreadable")
        .stdout_has("OB0905  book-folder-removed");
    book.run(&["explain", "OB9999"])
        .exits(2)
        .stderr_has("`OB9999` is not a code opsbook uses");
}
