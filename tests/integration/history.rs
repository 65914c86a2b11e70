//! History on the site: `build --history N` and `[history]` chart readiness at the last
//! commits that changed the book (see `git_book`), each evaluated as of its own date, cached
//! per commit, without touching the working tree.

use std::path::{Path, PathBuf};

use crate::git_book::{git, shop};
use crate::harness::{TODAY, files_in, opsbook, stderr, write_file};

/// Builds the book in `repository`/ops with `args` into a folder outside the repository;
/// returns the site's folder and the build's stderr.
fn build(repository: &Path, out: &Path, args: &[&str]) -> (PathBuf, String) {
    let site = out.join("site");
    let mut all = vec!["build", "-o", site.to_str().unwrap(), "--today", TODAY];
    all.extend_from_slice(args);
    let output = opsbook(&repository.join("ops"), &all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (site, stderr(&output))
}

/// Every history chart of a page, as SVG text.
fn charts(page: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(page).unwrap();
    html.match_indices(r#"<svg class="history""#)
        .map(|(start, _)| {
            let end = html[start..].find("</svg>").unwrap() + start + "</svg>".len();
            html[start..end].to_string()
        })
        .collect()
}

/// A chart's points: (commit, CSS classes of its bars, tooltip), checked to be well-formed
/// SVG with a title.
fn points(svg: &str) -> Vec<(String, Vec<String>, String)> {
    let document = roxmltree::Document::parse(svg).expect("the chart is well-formed SVG");
    let root = document.root_element();
    let title = root.first_element_child().unwrap();
    assert_eq!(title.tag_name().name(), "title");
    assert_eq!(root.attribute("aria-labelledby"), title.attribute("id"));
    root.descendants()
        .filter(|n| n.attribute("class") == Some("history-point"))
        .map(|point| {
            let bars = point
                .descendants()
                .filter_map(|n| n.attribute("class"))
                .filter_map(|c| c.strip_prefix("bar "))
                .map(str::to_string)
                .collect();
            let tooltip = point
                .first_element_child()
                .unwrap()
                .text()
                .unwrap_or_default();
            (
                point.attribute("data-commit").unwrap().to_string(),
                bars,
                tooltip.to_string(),
            )
        })
        .collect()
}

fn shas(repository: &Path, tags: &[&str]) -> Vec<String> {
    tags.iter()
        .map(|tag| git(repository, &["rev-parse", tag]))
        .collect()
}

#[test]
fn a_service_page_charts_its_level_at_each_commit_that_changed_the_book() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let (site, _) = build(&repository, root.path(), &["--history", "10"]);
    let checkout = charts(&site.join("services/checkout/index.html"));
    assert_eq!(
        checkout.len(),
        2,
        "a level chart and a failing-checks chart"
    );
    let levels = points(&checkout[0]);
    let commits: Vec<String> = levels.iter().map(|p| p.0.clone()).collect();
    // v4 changed only the README, outside the book.
    assert_eq!(commits, shas(&repository, &["v1", "v2", "v3", "v5"]));
    let classes: Vec<&str> = levels.iter().map(|p| p.1[0].as_str()).collect();
    assert_eq!(
        classes,
        [
            "level-silver",
            "level-bronze",
            "level-bronze",
            "level-bronze"
        ]
    );
    let short = &commits[1][..7];
    assert_eq!(
        levels[1].2,
        format!("{short} · 2026-11-10 · checkout: drop the alerts\nbronze, needs silver")
    );
    let failing: Vec<String> = points(&checkout[1]).into_iter().map(|p| p.2).collect();
    assert!(
        failing[0].ends_with("\n1 failing check") && failing[1].ends_with("\n2 failing checks")
    );
    // Each commit is judged on its own date: cart's waiver ran out before v5 (2026-12-05).
    let cart = points(&charts(&site.join("services/cart/index.html"))[0]);
    let cart: Vec<&str> = cart.iter().map(|p| p.1[0].as_str()).collect();
    assert_eq!(
        cart,
        ["level-bronze", "level-bronze", "level-bronze", "level-none"]
    );
    let search = points(&charts(&site.join("services/search/index.html"))[0]);
    assert_eq!(search.len(), 2, "search exists since v3");
    let overview = points(&charts(&site.join("index.html"))[0]);
    assert_eq!(overview.len(), 4);
    // At v1: cart and legacy bronze, checkout silver, auth gold; stacked from the bottom.
    assert_eq!(
        overview[0].1,
        ["level-bronze", "level-silver", "level-gold"]
    );
    let page = std::fs::read_to_string(site.join("services/checkout/index.html")).unwrap();
    assert!(
        page.contains("<td>checkout: drop the alerts</td>"),
        "the table fallback"
    );
}

#[test]
fn without_history_there_are_no_charts_and_nothing_is_cached() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let (site, _) = build(&repository, root.path(), &[]);
    assert!(charts(&site.join("services/checkout/index.html")).is_empty());
    assert!(charts(&site.join("index.html")).is_empty());
    assert!(!repository.join("ops/.opsbook/cache/history").exists());
}

#[test]
fn reports_are_cached_per_commit_and_the_working_tree_is_untouched() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let before = files_in(&repository);
    let (site, _) = build(&repository, root.path(), &["--history", "10"]);
    let after: Vec<String> = files_in(&repository)
        .into_iter()
        .filter(|(path, bytes)| before.get(path) != Some(bytes))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(git(&repository, &["status", "--porcelain"]), "");
    let cache = repository.join("ops/.opsbook/cache/history");
    let mut expected: Vec<String> = shas(&repository, &["v1", "v2", "v3", "v5"])
        .iter()
        .map(|sha| format!("ops/.opsbook/cache/history/{sha}.json"))
        .collect();
    expected.extend(
        [
            "ops/.opsbook/.gitignore",
            "ops/.opsbook/cache/history/opsbook-version",
        ]
        .map(String::from),
    );
    expected.sort();
    assert_eq!(after, expected, "only the cache was written");
    assert_eq!(
        points(&charts(&site.join("services/checkout/index.html"))[0])[0].1,
        ["level-silver"]
    );
    // A cached report is used as it is: v1's, changed by hand, shows on the next build.
    let v1 = cache.join(format!("{}.json", git(&repository, &["rev-parse", "v1"])));
    let cached = std::fs::read_to_string(&v1).unwrap();
    let gold = cached.replacen(
        r#""id":"checkout","title":"checkout","kind":"service","tier":2,"lifecycle":"production","team":"shop","system":null,"level":"silver""#,
        r#""id":"checkout","title":"checkout","kind":"service","tier":2,"lifecycle":"production","team":"shop","system":null,"level":"gold""#,
        1,
    );
    assert_ne!(gold, cached);
    std::fs::write(&v1, gold).unwrap();
    let (site, _) = build(&repository, root.path(), &["--history", "10"]);
    assert_eq!(
        points(&charts(&site.join("services/checkout/index.html"))[0])[0].1,
        ["level-gold"]
    );
}

#[test]
fn book_toml_samples_the_last_commit_of_each_month_and_links_commits() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let book = repository.join("ops/book.toml");
    let toml = std::fs::read_to_string(&book).unwrap();
    write_file(&book, &format!("{toml}\n[history]\nevery = \"month\"\n"));
    git(
        &repository,
        &["remote", "add", "origin", "git@github.com:acme/shop.git"],
    );
    let (site, _) = build(&repository, root.path(), &[]);
    let svg = &charts(&site.join("services/checkout/index.html"))[0];
    let commits: Vec<String> = points(svg).into_iter().map(|p| p.0).collect();
    let expected = shas(&repository, &["v3", "v5"]);
    assert_eq!(commits, expected, "November's last commit, then December's");
    assert!(svg.contains(&format!(
        r#"<a href="https://github.com/acme/shop/commit/{}">"#,
        expected[0]
    )));
    let (site, _) = build(&repository, root.path(), &["--history", "1"]);
    assert_eq!(
        points(&charts(&site.join("index.html"))[0]).len(),
        1,
        "--history sets the count"
    );
    let (site, _) = build(&repository, root.path(), &["--history", "0"]);
    assert!(
        charts(&site.join("index.html")).is_empty(),
        "--history 0 turns it off"
    );
}

#[test]
fn a_shallow_clone_draws_what_it_holds_and_says_so() {
    let root = tempfile::tempdir().unwrap();
    let repository = shop(root.path());
    let shallow = root.path().join("shallow");
    let url = format!("file://{}", repository.display());
    git(
        root.path(),
        &[
            "clone",
            "--quiet",
            "--depth",
            "2",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    let (site, warnings) = build(&shallow, root.path(), &["--history", "10"]);
    assert!(
        warnings.contains(
            "warning[OB0904]: the repository is a shallow clone: history shows the 2 commits it holds"
        ),
        "{warnings}"
    );
    assert!(warnings.contains("fetch-depth: 0"), "{warnings}");
    assert_eq!(points(&charts(&site.join("index.html"))[0]).len(), 2);
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(page.contains("history shows the 2 commits it holds"));
}

#[test]
fn history_outside_a_git_repository_is_a_warning_and_the_site_is_built() {
    let book = tempfile::tempdir().unwrap();
    write_file(
        &book.path().join("services/a/service.md"),
        "---\nservice: a\n---\n",
    );
    let output = opsbook(
        book.path(),
        &["build", "-o", "site", "--history", "5", "--today", TODAY],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning[OB0904]: history was asked for, but ")
            && stderr(&output).contains("is not inside a git repository"),
        "{}",
        stderr(&output)
    );
    assert!(charts(&book.path().join("site/index.html")).is_empty());
    let denied = opsbook(
        book.path(),
        &[
            "build",
            "-o",
            "site",
            "--history",
            "5",
            "--deny-warnings",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(denied.status.code(), Some(2), "a warning like any other");
}
