//! Dependency graphs built to exhaust a machine: long chains and cycles, where every service
//! reaches thousands of others. Each is checked under limits of memory and CPU time that the
//! answers fit in many times over, and that anything kept per pair of services would not.

use std::path::Path;

use serde_json::Value;

use crate::harness::{TODAY, check, opsbook_under, service, stderr, stdout, write_file};

/// Services `s0000`, `s0001`, ... each hard-depending on the one before, the first on the
/// last when `closed`; tiers cycle 1, 2, 3, 4 from `s0000`.
fn chain_book(services: usize, closed: bool) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    write_file(
        &book.path().join("book.toml"),
        "[book]\ntitle = \"Chain\"\nsrc = \"services\"\n",
    );
    for n in 0..services {
        let before = match n {
            0 if closed => format!("s{:04}", services - 1),
            0 => String::new(),
            _ => format!("s{:04}", n - 1),
        };
        write_file(
            &book.path().join(format!("services/s{n:04}/service.md")),
            &format!(
                "---\nservice: s{n:04}\ntier: {}\ndepends_on: [{before}]\n---\n",
                n % 4 + 1
            ),
        );
    }
    book
}

/// Runs `opsbook` in `dir` within 1 GB of address space and 120 s of CPU time, on two
/// threads: the old analysis kept a path per pair of services and needed 5.6 GB for a chain
/// of 2,000.
fn opsbook_limited(dir: &Path, args: &[&str]) -> std::process::Output {
    let output = opsbook_under(
        "export RAYON_NUM_THREADS=2; ulimit -v 1000000; ulimit -t 120",
        dir,
        args,
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    output
}

fn json_report_limited(dir: &Path) -> Value {
    let output = opsbook_limited(dir, &["check", "--format", "json", "--today", TODAY]);
    serde_json::from_slice(&output.stdout).expect("check --format json prints JSON")
}

#[test]
fn a_long_chain_names_three_tier_inversions_and_counts_the_rest() {
    let book = chain_book(2000, false);
    let report = json_report_limited(book.path());
    // s1996 is tier 1 and stands on the 1,996 services before it, 1,497 of them tier 2 to 4.
    assert_eq!(
        check(service(&report, "s1996"), "deps.tier")["message"],
        "tier 1, but hard-depends on `s1995` (tier 4), `s1991` (tier 4) via `s1995` -> \
         `s1994` -> `s1993` -> `s1992`, `s1987` (tier 4) via `s1995` -> `s1994` -> `s1993` -> \
         `s1992` -> `s1991` -> `s1990` -> `s1989` -> `s1988` and 1494 more"
    );
}

#[test]
fn a_long_chain_lists_the_most_critical_of_each_blast_radius_and_counts_them_all() {
    let book = chain_book(2000, false);
    let report = json_report_limited(book.path());
    let first = service(&report, "s0000");
    assert_eq!(first["blast_radius_count"], 1999);
    let listed: Vec<&str> = first["blast_radius"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    // The lists would name 1,000 per service, more than 200: each names its 200 most
    // critical, here the first 200 of the 499 tier-1 services it takes down, by id.
    let tier_one: Vec<String> = (1..201).map(|n| format!("s{:04}", n * 4)).collect();
    assert_eq!(listed, tier_one);
    let last = service(&report, "s1999");
    assert_eq!(last["stands_on_count"], 1999);
    assert_eq!(last["stands_on"].as_array().unwrap().len(), 200);
    // A list of 200 or fewer is whole, and carries no count, as before lists could be cut.
    let near_end = service(&report, "s1800");
    assert_eq!(near_end["blast_radius"].as_array().unwrap().len(), 199);
    assert!(near_end.get("blast_radius_count").is_none(), "{near_end}");
}

#[test]
fn a_cycle_of_two_thousand_is_named_by_its_ends() {
    let book = chain_book(2000, true);
    let output = opsbook_limited(book.path(), &["check", "--today", TODAY]);
    let text = stdout(&output);
    let expected = "in a cycle of hard dependencies: `s0000` -> `s1999` -> `s1998` -> \
                    `s1997` -> `s1996` -> ... 1991 more ... -> `s0004` -> `s0003` -> `s0002` -> \
                    `s0001` -> `s0000`";
    assert!(text.contains(expected), "{}", &text[..text.len().min(4000)]);
}

#[test]
fn a_neighbourhood_beside_a_service_that_depends_on_thousands_exports_its_edges() {
    // `all` depends on 3,000 services; `s0000` hard, the others soft. `s0000` depends on `base`.
    let book = tempfile::tempdir().unwrap();
    let write = |id: &str, depends: &str| {
        let doc = format!("---\nservice: {id}\ndepends_on: [{depends}]\n---\n");
        write_file(&book.path().join(format!("{id}/service.md")), &doc);
    };
    let soft: Vec<String> = (1..3000)
        .map(|n| format!("{{ service: s{n:04}, kind: soft }}"))
        .collect();
    write("all", &format!("s0000, {}", soft.join(", ")));
    write("base", "");
    write("s0000", "base");
    for n in 1..3000 {
        write(&format!("s{n:04}"), "");
    }
    let export = |args: &[&str]| -> Value {
        let mut all = vec!["graph", "--format", "json"];
        all.extend_from_slice(args);
        let output = opsbook_under("ulimit -t 60", book.path(), &all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let edges = |graph: &Value| -> Vec<(String, String, String)> {
        graph["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let text = |key: &str| e[key].as_str().unwrap().to_string();
                (text("from"), text("to"), text("kind"))
            })
            .collect()
    };
    let around = export(&["--service", "s0000", "--depth", "1"]);
    let edge = |from: &str, to: &str, kind: &str| (from.into(), to.into(), kind.into());
    assert_eq!(
        edges(&around),
        [edge("s0000", "base", "hard"), edge("all", "s0000", "hard")]
    );
    let whole = edges(&export(&[]));
    assert_eq!(whole.len(), 3001);
    assert!(whole.contains(&edge("all", "s2999", "soft")));
}

#[test]
fn thousands_of_undocumented_dependencies_are_checked_and_the_first_get_suggestions() {
    // `api-0000` ... `api-2999`, each depending on a misspelling of itself, `apj-NNNN`: the
    // old check compared every misspelling with every id, 9 million comparisons, about a
    // minute of CPU time in a debug build; this one stops at half a million.
    let book = tempfile::tempdir().unwrap();
    for n in 0..3000 {
        write_file(
            &book.path().join(format!("api-{n:04}/service.md")),
            &format!("---\nservice: api-{n:04}\ndepends_on: [apj-{n:04}]\n---\n"),
        );
    }
    let output = opsbook_under("ulimit -t 30", book.path(), &["check", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let warnings = stderr(&output);
    assert!(
        warnings.contains(
            "warning[OB0402]: `api-0000` depends on `apj-0000`, which no service doc declares\n  \
             help: did you mean `api-0000`?"
        ),
        "{}",
        &warnings[..warnings.len().min(2000)]
    );
    // Past the book's comparisons, the help says what to do without a suggestion.
    assert!(warnings.contains(
        "warning[OB0402]: `api-2999` depends on `apj-2999`, which no service doc declares\n  \
         help: document `apj-2999`, or write `{ external: apj-2999 }` if it is a third party"
    ));
}

#[test]
fn a_hub_that_hundreds_depend_on_lists_them_all_when_the_book_fits() {
    // 300 services depend on `hub`: 300 names in one list, 301 in all, far within 200 a service.
    let book = crate::harness::hub_book(300);
    let report = crate::harness::json_report(book.path(), &[]);
    let hub = service(&report, "hub");
    assert_eq!(hub["blast_radius"].as_array().unwrap().len(), 300);
    assert!(hub.get("blast_radius_count").is_none(), "{hub}");
}
