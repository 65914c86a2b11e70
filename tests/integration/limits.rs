//! Inputs built to exhaust a machine: each fails with a located message instead of hanging,
//! overflowing the stack or eating memory.

use std::time::{Duration, Instant};

use crate::harness::{TODAY, json_report, opsbook, opsbook_within, stderr, write_file};

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
        message.contains("bomb/service.md:2:1: error[OB0303]: invalid YAML in the front matter: repetition limit exceeded"),
        "{message}"
    );
    // Past 255 levels of `[`, yaml-rust2 stops where it counted the 256th.
    assert!(
        message.contains("deep/service.md:3:262: error[OB0303]: invalid YAML in the front matter: mappings and lists nest deeper than 64 levels\n  help: opsbook reads YAML nested at most 64 levels deep: flatten the structure"),
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
            "huge/service.md: error[OB0203]: the file is 10.0 MB; opsbook reads files of up to 10 MB\n  help: split it into pages beside the service doc"
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

#[test]
fn a_fifty_megabyte_file_is_refused_without_being_read() {
    let book = book_with(&[("fine/service.md", "---\nservice: fine\n---\n".into())]);
    let huge = book.path().join("huge/service.md");
    std::fs::create_dir_all(huge.parent().unwrap()).unwrap();
    // Sparse: 50 MB on paper, nothing on disk, so the test is quick whatever opsbook does.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(50_000_000)
        .unwrap();
    // 60 MB of address space (two worker threads): a build of two small files fits, the
    // 50 MB file read whole would not.
    let output = crate::harness::opsbook_under(
        "export RAYON_NUM_THREADS=2; ulimit -v 60000",
        book.path(),
        &["check", "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(
            "huge/service.md: error[OB0203]: the file is 50.0 MB; opsbook reads files of up to 10 MB\n"
        ),
        "{}",
        stderr(&output)
    );
}

/// A ```dot block of `edges` (`a -> b` lines) in a service doc, the fence on line 6.
fn dot_book(edges: impl Iterator<Item = String>) -> tempfile::TempDir {
    let mut doc = String::from("---\nservice: drawn\n---\n# Drawn\n\n```dot\ndigraph {\n");
    for edge in edges {
        doc.push_str(&edge);
        doc.push('\n');
    }
    doc.push_str("}\n```\n");
    book_with(&[("drawn/service.md", doc)])
}

/// Builds `book` within 60 s of CPU time; the warning about its diagram (with its help
/// line), and the time taken.
fn diagram_warning(book: &tempfile::TempDir) -> (String, Duration) {
    let started = Instant::now();
    let output = opsbook_within(60, book.path(), &["build", "-o", "site", "--today", TODAY]);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(book.path().join("site/services/drawn/index.html")).unwrap();
    assert!(
        !page.contains("class=\"diagram dot\""),
        "the block is shown as code, not drawn"
    );
    let message = stderr(&output);
    let start = message
        .find("drawn/service.md:")
        .unwrap_or_else(|| panic!("no warning: {message}"));
    // The warning and its help line.
    let warning = message[start..]
        .lines()
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    (warning, took)
}

#[test]
fn a_dot_block_of_fifty_thousand_nodes_is_refused_quickly() {
    let book = dot_book((0..50_000).map(|n| format!("  n{n} -> n{};", n + 1)));
    let (warning, took) = diagram_warning(&book);
    assert_eq!(
        warning,
        "drawn/service.md:7:1: warning[OB0509]: this diagram is shown as code: the diagram has 50001 nodes; at most 150 can be drawn\n  help: split it into smaller diagrams, each of the part that matters"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_dot_block_of_few_nodes_and_long_edges_is_refused_quickly() {
    // 150 nodes, under the node limit; edges from each of the first 75 to its mirror image
    // skip up to 148 levels each, which layout-rs takes minutes over.
    let chain = (0..149).map(|n| format!("  n{n} -> n{};", n + 1));
    let mirrors = (0..75).map(|n| format!("  n{n} -> n{};", 149 - n));
    let book = dot_book(chain.chain(mirrors));
    let (warning, took) = diagram_warning(&book);
    assert!(
        warning.starts_with("drawn/service.md:7:1: warning[OB0509]: this diagram is shown as code: the diagram's 150 nodes and 224 edges make ")
            && warning.ends_with(" pieces to lay out (edges that skip levels count once a level); at most 2000 can be drawn\n  help: split it into smaller diagrams, each of the part that matters"),
        "{warning}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_dot_block_of_many_paths_is_refused_quickly() {
    // A ladder of 30 diamonds (91 nodes) and ten edges into its top: layout-rs's search for
    // cycles walks each of the ladder's billion paths for every one of those edges.
    let ladder = (0..30).map(|n| {
        format!(
            "  d{n} -> a{n}; d{n} -> b{n}; a{n} -> d{m}; b{n} -> d{m};",
            m = n + 1
        )
    });
    let into_top = (0..10).map(|n| format!("  x{n} -> d0;"));
    let book = dot_book(ladder.chain(into_top));
    let (warning, took) = diagram_warning(&book);
    assert_eq!(
        warning,
        "drawn/service.md:7:1: warning[OB0509]: this diagram is shown as code: the diagram's 101 nodes and 130 edges join up in so many ways that the layout engine would take more than 5000000 steps to find their cycles\n  help: drop edges that a longer path already shows, or split it into smaller diagrams"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_doc_of_countless_links_and_tags_is_read_in_linear_time() {
    // The position of each link and each `<style>` was found from the start of the body:
    // a 1 MB doc of links took 14 s, and one of 10 MB would have taken half an hour.
    let links = "[top](#drawn) ".repeat(200_000);
    let styles = "<style></style>\n".repeat(20_000);
    let doc = format!("---\nservice: drawn\n---\n# Drawn\n\n{links}\n\n{styles}");
    let book = book_with(&[("drawn/service.md", doc)]);
    let started = Instant::now();
    let output = opsbook_within(60, book.path(), &["check", "--today", TODAY]);
    let took = started.elapsed();
    let message = stderr(&output);
    assert!(
        message.starts_with(
            "drawn/service.md:8:1: warning[OB0506]: `<style>` is left out of the page"
        ),
        "{message}"
    );
    assert_eq!(message.matches("is left out of the page").count(), 20_000);
    assert!(
        message.contains("drawn/service.md:20007:1: warning[OB0506]: `<style>`"),
        "the last one, at its line"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_hundred_thousand_files_build_in_seconds() {
    // A monorepo's worth of files in the sources: 10 services, each with a runbook, among
    // 99,000 files that are not Markdown (never read: no doc links to them) and 980 Markdown
    // notes outside any service folder (general pages).
    let book = tempfile::tempdir().unwrap();
    let root = book.path().join("repo");
    for n in 0..10 {
        write_file(
            &root.join(format!("svc-{n}/service.md")),
            &format!("---\nservice: svc-{n}\n---\n# Service {n}\n"),
        );
        write_file(&root.join(format!("svc-{n}/runbook.md")), "# Runbook\n");
    }
    for folder in 0..100 {
        let dir = root.join(format!("code/pkg-{folder:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for file in 0..990 {
            std::fs::write(dir.join(format!("f{file}.go")), "package x\n").unwrap();
        }
        let notes = if folder < 98 { 10 } else { 0 };
        for note in 0..notes {
            std::fs::write(dir.join(format!("note{note}.md")), "# Note\n").unwrap();
        }
    }
    let files = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(files, 100_000);
    write_file(&book.path().join("book.toml"), "[book]\nsrc = \"repo\"\n");

    // How fast is the benchmark's business (bench/); the limit here only stops a hang.
    let output = opsbook_within(120, book.path(), &["build", "-o", "site", "--today", TODAY]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(
        log.contains("for 10 services") && log.contains("980 of them general pages"),
        "{log}"
    );
    let report = json_report(book.path(), &[]);
    assert_eq!(report["services"].as_array().unwrap().len(), 10);
}

/// Runs `opsbook` with every thread on the smallest stack opsbook ever runs on: 2 MiB, what
/// its worker threads (rayon's, tokio's, `serve`'s watcher) get; only the main thread has more,
/// 8 MiB on Linux. Killed by a signal (a stack overflow aborts), the test fails.
fn opsbook_on_smallest_stack(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let output = crate::harness::opsbook_under(
        "ulimit -t 60; ulimit -s 2048; export RUST_MIN_STACK=2097152",
        dir,
        args,
    );
    assert!(
        output.status.code().is_some(),
        "opsbook was killed: {}",
        stderr(&output)
    );
    output
}

/// A ```dot block whose braces nest `depth` deep, an edge in the innermost subgraph.
fn nested_dot_block(depth: usize) -> String {
    format!(
        "```dot\ndigraph {{\n{}a -> b\n{}}}\n```\n",
        "subgraph {\n".repeat(depth - 1),
        "}\n".repeat(depth - 1)
    )
}

#[test]
fn dot_nesting_past_the_limit_is_a_located_warning_even_on_the_smallest_stack() {
    // The deepest block allowed (64 levels) is drawn; 10,000 levels (130 KB) overflowed the
    // main thread's 8 MiB, and 3,000 a worker's 2 MiB, before a limit was checked.
    let doc = format!(
        "---\nservice: deep\n---\n# Deep\n\n{}{}",
        nested_dot_block(64),
        nested_dot_block(10_000)
    );
    let book = book_with(&[("deep/service.md", doc)]);
    let warning = "deep/service.md:202:10: warning[OB0508]: invalid DOT: subgraphs nest deeper than 64 levels of `{`\n  help: the page shows the block as code until it parses";
    let check = opsbook_within(60, book.path(), &["check", "--today", TODAY]);
    assert!(stderr(&check).contains(warning), "{}", stderr(&check));
    let build = opsbook_on_smallest_stack(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    assert!(stderr(&build).contains(warning), "{}", stderr(&build));
    let page = std::fs::read_to_string(book.path().join("site/services/deep/index.html")).unwrap();
    assert_eq!(
        page.matches("class=\"diagram dot\"").count(),
        1,
        "the allowed block is drawn"
    );
}

#[test]
fn deep_yaml_is_refused_in_linear_time_and_the_deepest_allowed_builds_on_the_smallest_stack() {
    // libyaml re-examined every open level at each token: 200,000 `[` took 110 s to refuse,
    // a 100,000-deep `{a: ` mapping 51 s. yaml-rust2, which reads first now, counts flow
    // levels in a byte and stops at the 256th `[` (where it has not yet told where the 65th
    // level was: whether the first `[` opens a key is not known till then).
    let lists = format!(
        "---\nservice: lists\nmonitoring: {}\n---\n",
        "[".repeat(200_000)
    );
    let maps = format!(
        "---\nservice: maps\nmonitoring: {}\n---\n",
        "{a: ".repeat(100_000)
    );
    let book = book_with(&[("lists/service.md", lists), ("maps/service.md", maps)]);
    let output = opsbook_on_smallest_stack(book.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let too_deep = "error[OB0303]: invalid YAML in the front matter: mappings and lists nest deeper than 64 levels\n  help: opsbook reads YAML nested at most 64 levels deep: flatten the structure";
    for at in ["lists/service.md:3:268", "maps/service.md:3:265"] {
        assert!(
            stderr(&output).contains(&format!("{at}: {too_deep}")),
            "{}",
            stderr(&output)
        );
    }

    // 64 levels: the document's mapping, `monitoring`, and 62 lists in `slo`.
    let deepest = format!(
        "---\nservice: deepest\nmonitoring:\n  slo: {}1{}\n---\n",
        "[".repeat(62),
        "]".repeat(62)
    );
    let book = book_with(&[("deepest/service.md", deepest)]);
    let output = opsbook_on_smallest_stack(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json_report(book.path(), &[]);
    let deepest = crate::harness::service(&report, "deepest");
    assert_eq!(
        crate::harness::check(deepest, "monitoring.slo")["status"],
        "pass"
    );
}

/// A service doc whose body is `body`, with a tag of HTML after it: that is what makes a
/// doc go through the sanitiser, nested Markdown as much as nested HTML.
fn doc_with_html(service: &str, body: &str) -> String {
    format!("---\nservice: {service}\n---\n# Nested\n\n{body}\n\n<b>raw</b>\n")
}

#[test]
fn html_nested_past_the_limit_is_flattened_in_linear_time_with_a_located_warning() {
    // The sanitiser's tree builder walked down every element open at each tag: 200,000 nested
    // `<div>` took it 200 s, and the other bodies here minutes more together.
    let book = book_with(&[
        (
            "divs/service.md",
            doc_with_html("divs", &"<div>".repeat(200_000)),
        ),
        (
            "items/service.md",
            doc_with_html("items", &"<ul><li>".repeat(100_000)),
        ),
        (
            "quotes/service.md",
            doc_with_html("quotes", &">".repeat(100_000)),
        ),
        (
            "lists/service.md",
            doc_with_html("lists", &("- ".repeat(100_000) + "item")),
        ),
    ]);
    let limit =
        "more than 512 elements deep: the page leaves out the start tags that would go deeper";
    for command in [
        &["check", "--today", TODAY][..],
        &["build", "-o", "site", "--today", TODAY],
    ] {
        let output = opsbook_within(60, book.path(), command);
        let message = stderr(&output);
        for (service, column, tags) in [
            // The `<p><b>` after the body too: nothing closes what the body opens.
            ("divs", 2561, 199_490),
            ("items", 2049, 199_490),
            ("quotes", 513, 99_488),
            ("lists", 513, 199_488),
        ] {
            let warning = format!(
                "{service}/service.md:6:{column}: warning[OB0507]: HTML here nests {limit} ({tags} of them)"
            );
            assert!(message.contains(&warning), "{warning}\n{message}");
        }
    }
    let page = std::fs::read_to_string(book.path().join("site/services/divs/index.html")).unwrap();
    assert_eq!(
        page.matches("<div>").count(),
        512,
        "the doc's divs, 512 deep"
    );
}

#[test]
fn thousands_of_located_problems_are_reported_in_linear_time() {
    // Each problem was located by reading the whole front matter again: 5,000 dependencies
    // on undocumented services took 16 s, 20,000 would have taken four minutes.
    let dependencies: String = (0..20_000)
        .map(|n| format!("  - undocumented-{n}\n"))
        .collect();
    let doc = format!("---\nservice: many\ndepends_on:\n{dependencies}---\n");
    let book = book_with(&[("many/service.md", doc)]);
    let output = opsbook_within(60, book.path(), &["check", "--today", TODAY]);
    let message = stderr(&output);
    assert!(
        message.contains("many/service.md:20003:5: warning[OB0402]: `many` depends on `undocumented-19999`, which no service doc declares"),
        "{message}"
    );
}

#[test]
fn formatting_elements_left_open_do_not_multiply_the_page() {
    // Each paragraph closes the 300 `<b>` left open and the next opens them all again: the
    // page had 3 million elements, 50 MB (and the build took 800 MB).
    let open: String = (0..300).map(|i| format!("<b id=b{i}>")).collect();
    let body = format!("<p>{open}</p>{}", "<p>x</p>".repeat(10_000));
    let book = book_with(&[("bold/service.md", doc_with_html("bold", &body))]);
    let output = opsbook_within(60, book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("bold/service.md:6:3234: warning[OB0507]: from here the page shows this doc as text, without its tags (19995 of them): formatting elements left open"),
        "{message}"
    );
    let page = std::fs::read_to_string(book.path().join("site/services/bold/index.html")).unwrap();
    assert!(page.len() < 2_000_000, "the page is {} bytes", page.len());
    let doc = &page[page.find("id=\"nested\"").unwrap()..page.find("</article>").unwrap()];
    assert_eq!(
        doc.matches('x').count(),
        10_000,
        "every paragraph's text is kept"
    );
}
