//! Broken files: each problem is reported with its file, line and column, all in one run,
//! without a panic; a failed build leaves the previous site exactly as it was.

use crate::book::Book;
use crate::harness::{TODAY, copy_of, files_in, fixture, opsbook, stderr};

/// Every diagnostic of the broken fixture book, one run.
fn broken_diagnostics() -> String {
    let output = opsbook(&fixture("broken"), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2), "errors exit with 2");
    stderr(&output)
}

#[track_caller]
fn assert_reports(diagnostics: &str, expected: &str) {
    assert!(
        diagnostics.contains(expected),
        "expected `{expected}` in:\n{diagnostics}"
    );
}

#[test]
fn every_bad_input_is_located_in_one_run() {
    let d = broken_diagnostics();
    assert!(!d.contains("panicked"), "{d}");
    assert_reports(
        &d,
        "services/unclosed.md:1:1: error[OB0302]: front matter opened with `---` is never closed",
    );
    assert_reports(
        &d,
        "services/bad-yaml.md:5:1: error[OB0303]: invalid YAML in the front matter",
    );
    assert_reports(
        &d,
        "services/tabs.md:4:1: error[OB0303]: invalid YAML in the front matter: a tab indents this line",
    );
    assert_reports(
        &d,
        "services/wrong-type.md:3:7: error[OB0306]: `tier`: invalid type: string \"high\", expected a tier from 1 (most critical) to 4",
    );
    assert_reports(
        &d,
        "services/tier-seven.md:4:7: error[OB0306]: `tier`: tier `7` is out of range",
    );
    assert_reports(
        &d,
        "services/bad-date.md:3:11: error[OB0306]: `reviewed`: `2026-13-45` is not a date: expected YYYY-MM-DD",
    );
    assert_reports(
        &d,
        "services/unknown-key.md:3:1: warning[OB0305]: unknown key `monitorng` is ignored\n  help: did you mean `monitoring`?",
    );
    assert_reports(
        &d,
        "services/dup-b.md:2:10: error[OB0401]: duplicate service id `dup`: `services/dup-a.md` declares it too",
    );
    assert_reports(
        &d,
        "services/unknown-waiver.md:4:14: error[OB0308]: waiver of unknown check `testing.strss`\n  help: did you mean `testing.stress`?",
    );
    assert_reports(&d, "services/empty.md: warning[OB0301]: the file is empty");
    assert_reports(
        &d,
        "services/latin1.md:3:11: error[OB0304]: the file is not UTF-8 text",
    );
}

#[test]
fn crlf_line_endings_keep_line_numbers_right() {
    assert_reports(
        &broken_diagnostics(),
        "services/crlf.md:4:7: error[OB0306]: `tier`: tier `9` is out of range",
    );
}

#[test]
fn a_file_with_several_problems_reports_all_of_them() {
    let d = broken_diagnostics();
    assert_reports(&d, "services/many-problems.md:3:7: error[OB0306]: `tier`");
    assert_reports(
        &d,
        "services/many-problems.md:4:11: error[OB0306]: `reviewed`: `soon` is not a date",
    );
    assert_reports(
        &d,
        "services/many-problems.md:5:12: error[OB0306]: `lifecycle`: unknown variant `retired`",
    );
    assert_reports(
        &d,
        "services/many-problems.md:6:1: warning[OB0305]: unknown key `ownr` is ignored\n  help: did you mean `owner`?",
    );
}

#[test]
fn a_byte_order_mark_is_not_a_problem() {
    let output = opsbook(
        &fixture("broken"),
        &["check", "--format", "json", "--today", TODAY],
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"bom"), "{ids:?}");
    assert!(!broken_diagnostics().contains("bom.md"));
}

#[test]
fn problems_are_in_the_json_report_too() {
    let output = opsbook(
        &fixture("broken"),
        &["check", "--format", "json", "--today", TODAY],
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let tier = problems
        .iter()
        .find(|p| p["path"] == "services/tier-seven.md")
        .unwrap();
    assert_eq!(
        (tier["line"].as_u64(), tier["column"].as_u64()),
        (Some(4), Some(7))
    );
    assert_eq!(tier["severity"], "error");
    assert_eq!(
        tier["code"], "OB0306",
        "the kind of problem, as docs/diagnostics.md names it"
    );
    assert!(problems.iter().filter(|p| p["severity"] == "error").count() >= 12);
}

#[test]
fn warnings_fail_only_when_denied() {
    let book = copy_of(&fixture("levels"));
    let doc = book.path().join("services/bronze-ok/service.md");
    let text = std::fs::read_to_string(&doc)
        .unwrap()
        .replace("tier: 3", "tier: 3\nsytem: shop");
    std::fs::write(&doc, text).unwrap();
    let relaxed = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_eq!(relaxed.status.code(), Some(1), "{}", stderr(&relaxed));
    assert!(stderr(&relaxed).contains("did you mean `system`?"));
    let strict = opsbook(book.path(), &["check", "--deny-warnings", "--today", TODAY]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn a_failed_build_leaves_the_previous_site_byte_for_byte() {
    let book = copy_of(&fixture("levels"));
    let good = opsbook(book.path(), &["build", "--today", TODAY]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let before = files_in(&book.path().join("book"));
    assert!(before.contains_key("index.html"));
    std::fs::write(
        book.path().join("services/waived/service.md"),
        "---\nservice: waived\ntier: high\n---\n",
    )
    .unwrap();
    let bad = opsbook(book.path(), &["build", "--today", TODAY]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("previous site"), "{}", stderr(&bad));
    assert_eq!(files_in(&book.path().join("book")), before);
    let leftovers: Vec<String> = std::fs::read_dir(book.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("opsbook-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left behind: {leftovers:?}"
    );
}

#[test]
fn a_folder_opsbook_did_not_write_is_never_replaced() {
    let book = copy_of(&fixture("levels"));
    let precious = book.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "mine").unwrap();
    let output = opsbook(book.path(), &["build", "-o", "precious", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not written by opsbook"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn book_toml_problems_are_located_with_suggestions() {
    let book = copy_of(&fixture("levels"));
    std::fs::write(
        book.path().join("book.toml"),
        "[book]\nsrc = \"services\"\n\n[output]\ndri = \"out\"\n",
    )
    .unwrap();
    let output = opsbook(book.path(), &["build", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "book.toml:5:1: error[OB0103]: unknown key `output.dri`\n  help: did you mean `dir`?"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_missing_source_folder_is_an_error() {
    let book = tempfile::tempdir().unwrap();
    std::fs::write(book.path().join("book.toml"), "[book]\nsrc = \"nowhere\"\n").unwrap();
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("source folder `nowhere` does not exist"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed_forever() {
    let book = copy_of(&fixture("levels"));
    std::os::unix::fs::symlink("..", book.path().join("services/bronze-ok/loop")).unwrap();
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("symlink loop"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_build_killed_midway_leaves_the_previous_site_whole() {
    let book = tempfile::tempdir().unwrap();
    let write_services = |title: &str| {
        for n in 0..400 {
            let folder = book.path().join(format!("services/s{n:04}"));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join("service.md"),
                format!("---\nservice: s{n:04}\n---\n# {title} {n}\n\nSome text.\n"),
            )
            .unwrap();
        }
    };
    write_services("First");
    let site = book.path().join("site");
    let first = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = files_in(&site);
    write_services("Second");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["build", "-o", "site", "--today", TODAY])
        .current_dir(book.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it renders and writes (the build takes seconds at this size).
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    let finished = child.wait().unwrap().success();
    let after = files_in(&site);
    if finished {
        eprintln!("the build finished before it could be killed; nothing to check");
        return;
    }
    assert!(after == before, "the previous site is exactly as it was");
    let retry = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert!(retry.status.success(), "{}", stderr(&retry));
    let page = std::fs::read_to_string(site.join("services/s0001/index.html")).unwrap();
    assert!(page.contains("Second 1"));
}

#[test]
fn a_key_written_twice_is_an_error_at_the_second_naming_the_first() {
    // Read into a tree, the last of the two won without a word.
    let help =
        "\n  help: keep one of them: a key means one thing in its mapping, so YAML allows it once";
    Book::new()
        .toml("[book]\nsrc = []\n\n[[source]]\npath = \"services\"\n\n[[source]]\npath = \"catalog\"\nformat = \"backstage\"\n")
        .file("services/a/service.md", "---\nservice: a\nservice: b\n---\n")
        .file(
            "services/n/service.md",
            "---\nservice: n\nowner:\n  team: x\n  'team': y\n---\n",
        )
        .file(
            "catalog/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\n  annotations:\n    github.com/project-slug: acme/c\n    github.com/project-slug: acme/other\n",
        )
        .check()
        .exits(2)
        .stderr_has(&format!("services/a/service.md:3:1: error[OB0303]: invalid YAML in the front matter: key `service` is written twice; the first is on line 2{help}"))
        .stderr_has(&format!("services/n/service.md:5:3: error[OB0303]: invalid YAML in the front matter: key `team` is written twice; the first is on line 4{help}"))
        .stderr_has(&format!("catalog/catalog-info.yaml:7:5: error[OB0801]: invalid YAML: key `github.com/project-slug` is written twice; the first is on line 6{help}"));
}

#[test]
fn an_invalid_id_is_one_error_that_says_what_is_wrong_and_never_echoes_a_long_value() {
    let long = "a".repeat(100_000);
    let mut book = Book::new();
    for (name, id) in [
        ("zero-width", "pay\u{200b}ments"),
        ("bidi", "pay\u{202e}ments"),
        ("cyrillic", "p\u{0430}yments"),
        ("long", long.as_str()),
    ] {
        book = book.file(
            &format!("{name}/service.md"),
            &format!("---\nservice: {id}\n---\n"),
        );
    }
    let use_instead = "use lowercase letters, digits and '-' (for example `payments`)";
    let run = book
        .build()
        .exits(2)
        .stderr_has(&format!("zero-width/service.md:2:10: error[OB0306]: `service`: `pay\\u{{200b}}ments` is not a valid id: it contains U+200B ZERO WIDTH SPACE; {use_instead}\n"))
        .stderr_has(&format!("bidi/service.md:2:10: error[OB0306]: `service`: `pay\\u{{202e}}ments` is not a valid id: it contains U+202E RIGHT-TO-LEFT OVERRIDE; {use_instead}\n"))
        .stderr_has("cyrillic/service.md:2:10: error[OB0306]: `service`: `pаyments` is not a valid id: it contains U+0430 CYRILLIC SMALL LETTER A; use lowercase letters, digits and '-' (for example `p-yments`)\n")
        .stderr_has(&format!("long/service.md:2:10: error[OB0306]: `service`: `{}…` is not a valid id: it is 100000 characters long; an id has at most 127\n", &long[..80]))
        .stderr_lacks("missing field");
    let d = run.stderr();
    assert!(d.len() < 2_000, "no value echoed whole: {} bytes", d.len());
}

#[test]
fn docs_in_other_encodings_and_line_endings_are_read_or_refused_with_a_reason() {
    // Each was silently no service at all: CR-only line endings and UTF-16 without a byte
    // order mark (its ASCII reads as UTF-8 with a NUL every other byte) alike.
    let doc = |id: &str, newline: &str| {
        format!(
            "---{newline}service: {id}{newline}owner: {{ team: t }}{newline}tier: 9{newline}---{newline}# {id}{newline}"
        )
    };
    let utf16 = |text: &str, bom: bool, unit: fn(u16) -> [u8; 2]| -> Vec<u8> {
        let bom = if bom { vec![0xFEFF] } else { vec![] };
        bom.into_iter()
            .chain(text.encode_utf16())
            .flat_map(unit)
            .collect()
    };
    let book = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("mac", doc("mac", "\r").into_bytes()),
        ("le", utf16(&doc("le", "\n"), true, u16::to_le_bytes)),
        ("be", utf16(&doc("be", "\r\n"), true, u16::to_be_bytes)),
        (
            "no-bom",
            utf16(&doc("no-bom", "\n"), false, u16::to_le_bytes),
        ),
    ] {
        let path = book.path().join(format!("{name}/service.md"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let output = opsbook(book.path(), &["check", "--today", TODAY]);
    let d = stderr(&output);
    for read in ["mac", "le", "be"] {
        // Read, and located on the right line.
        assert_reports(
            &d,
            &format!("{read}/service.md:4:7: error[OB0306]: `tier`: tier `9` is out of range"),
        );
    }
    assert_reports(
        &d,
        "no-bom/service.md: error[OB0304]: the file looks like UTF-16 (little-endian) without a byte order mark; opsbook reads UTF-8\n  help: save it as UTF-8, for example with `iconv -f UTF-16LE -t UTF-8` or your editor's \"encoding\" setting",
    );
}
