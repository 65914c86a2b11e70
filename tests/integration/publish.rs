//! Publishing: the example site built for GitHub project pages (`site-url` with a path), the
//! files publishing needs (.nojekyll, 404, sitemap, badges, JSON), a docs folder inside
//! another repository, and the workflow `init --github-pages` writes.

use std::path::Path;

use url::Url;

use crate::harness::{TODAY, files_in, links_in, opsbook, repo_root, stderr, stdout};

const SITE_URL: &str = "https://example.github.io/shop/";

fn build_for_pages() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = opsbook(
        &repo_root(),
        &[
            "build",
            "-o",
            site.to_str().unwrap(),
            "--site-url",
            SITE_URL,
            "--today",
            TODAY,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (out, site)
}

/// The file a URL of the published site is served from, if it is one of the site's.
fn served_file(url: &Url) -> Option<String> {
    let path = url.as_str().strip_prefix(SITE_URL)?;
    let path = path.split(['#', '?']).next().unwrap_or_default();
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    Some(
        percent_encoding::percent_decode_str(&path)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

#[test]
fn every_link_stays_under_the_project_path_and_resolves() {
    let (_guard, site) = build_for_pages();
    let files = files_in(&site);
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        // GitHub Pages serves the 404 page at whatever address was missing, at any depth.
        let served_at = if path == "404.html" {
            format!("{SITE_URL}no/such/deep/page.html")
        } else {
            format!("{SITE_URL}{path}")
        };
        let page = Url::parse(&served_at).unwrap();
        for link in links_in(&String::from_utf8_lossy(bytes)) {
            let elsewhere = ["http:", "https:", "mailto:", "tel:", "#"];
            if elsewhere.iter().any(|prefix| link.starts_with(prefix)) {
                continue;
            }
            let target = page.join(&link).unwrap();
            let file = served_file(&target)
                .unwrap_or_else(|| panic!("{path}: `{link}` leaves {SITE_URL}: {target}"));
            assert!(
                files.contains_key(&file),
                "{path}: `{link}` points to {file}, which the site lacks"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

#[test]
fn pages_needs_no_jekyll_a_404_page_a_favicon_and_a_sitemap_of_every_page() {
    let (_guard, site) = build_for_pages();
    let files = files_in(&site);
    assert!(files.contains_key(".nojekyll"));
    assert!(files.contains_key("404.html"));
    let base = String::from_utf8_lossy(&files["index.html"]).into_owned();
    assert!(base.contains(r#"rel="icon" href="assets/favicon.svg""#));
    roxmltree::Document::parse(std::str::from_utf8(&files["assets/favicon.svg"]).unwrap())
        .expect("the favicon is valid SVG");

    let sitemap = String::from_utf8(files["sitemap.xml"].clone()).unwrap();
    let document = roxmltree::Document::parse(&sitemap).unwrap();
    let locations: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    let pages = files
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .count();
    assert_eq!(locations.len(), pages, "one entry per page but the 404");
    for location in locations {
        let file = served_file(&Url::parse(location).unwrap())
            .unwrap_or_else(|| panic!("{location} is not under {SITE_URL}"));
        assert!(files.contains_key(&file), "{location}: no {file}");
    }
}

#[test]
fn no_sitemap_without_a_full_site_url() {
    let (_guard, site) = crate::harness::build_example_site();
    assert!(site.join(".nojekyll").exists());
    assert!(!site.join("sitemap.xml").exists());
}

#[test]
fn every_assessed_service_has_a_badge_of_its_level_and_its_page_shows_the_markdown() {
    let (_guard, site) = build_for_pages();
    let report = crate::harness::json_report(&repo_root(), &[]);
    let mut badges = 0;
    for service in report["services"].as_array().unwrap() {
        let id = service["id"].as_str().unwrap();
        let badge = site.join(format!("badges/{id}.svg"));
        if service["kind"] == "external" {
            assert!(!badge.exists(), "{id} is not assessed: no badge");
            continue;
        }
        let svg = std::fs::read_to_string(&badge).unwrap();
        let document = roxmltree::Document::parse(&svg).expect("a badge is valid SVG");
        let text: String = document
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .filter_map(|n| n.text())
            .collect();
        let level = service["level"].as_str().unwrap();
        assert!(text.contains(level), "{id}: {text}");
        if !service["meets_required"].as_bool().unwrap() {
            let required = service["required"].as_str().unwrap();
            assert!(text.contains(&format!("needs {required}")), "{id}: {text}");
        }
        let page = std::fs::read_to_string(site.join(format!("services/{id}/index.html"))).unwrap();
        let markdown =
            format!("[![readiness of {id}]({SITE_URL}badges/{id}.svg)]({SITE_URL}services/{id}/)");
        assert!(page.contains(&markdown), "{id}'s page lacks {markdown}");
        badges += 1;
    }
    assert!(badges >= 10);
}

#[test]
fn the_json_files_match_what_the_commands_print() {
    let (_guard, site) = build_for_pages();
    let published: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("readiness.json")).unwrap()).unwrap();
    assert_eq!(published, crate::harness::json_report(&repo_root(), &[]));
    let graph = opsbook(
        &repo_root(),
        &["graph", "--format", "json", "--today", TODAY],
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout(&graph)).unwrap();
    let published: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("graph.json")).unwrap()).unwrap();
    assert_eq!(published, printed);
}

#[test]
fn a_docs_folder_inside_another_repository_keeps_its_neighbours() {
    let repository = tempfile::tempdir().unwrap();
    let docs = repository.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("index.md"), "the project's own docs").unwrap();
    let output_dir = docs.join("readiness");
    let build = |extra: &[&str]| {
        let mut args = vec![
            "build",
            "-o",
            output_dir.to_str().unwrap(),
            "--today",
            TODAY,
        ];
        args.extend_from_slice(extra);
        opsbook(&repo_root(), &args)
    };
    assert_eq!(build(&[]).status.code(), Some(0));
    assert_eq!(
        build(&[]).status.code(),
        Some(0),
        "a rebuild replaces its own folder"
    );
    assert_eq!(
        std::fs::read_to_string(docs.join("index.md")).unwrap(),
        "the project's own docs"
    );
    assert!(output_dir.join("index.html").exists());
    let siblings: Vec<_> = std::fs::read_dir(&docs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(siblings.len(), 2, "nothing left beside it: {siblings:?}");
}

#[test]
fn force_replaces_a_folder_opsbook_did_not_write() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("notes.txt"), "old").unwrap();
    let target = out.path().to_str().unwrap();
    let refused = opsbook(&repo_root(), &["build", "-o", target, "--today", TODAY]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    let forced = opsbook(
        &repo_root(),
        &["build", "-o", target, "--force", "--today", TODAY],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(!out.path().join("notes.txt").exists());
    assert!(out.path().join("index.html").exists());
}

#[test]
fn init_github_pages_writes_a_workflow_whose_build_step_works() {
    let repository = tempfile::tempdir().unwrap();
    std::fs::create_dir(repository.path().join(".git")).unwrap();
    let init = opsbook(repository.path(), &["init", "--github-pages", "readiness"]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let path = repository.path().join(".github/workflows/opsbook.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let workflow: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let steps = |job: &str| workflow["jobs"][job]["steps"].as_array().unwrap().clone();
    let uses: Vec<String> = steps("build")
        .iter()
        .chain(steps("deploy").iter())
        .filter_map(|s| {
            s["uses"]
                .as_str()
                .map(|u| u.split('@').next().unwrap().to_string())
        })
        .collect();
    for action in [
        "actions/checkout",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ] {
        assert!(
            uses.iter().any(|u| u == action),
            "{action} missing: {uses:?}"
        );
    }
    assert_eq!(workflow["permissions"]["pages"], "write");
    assert_eq!(workflow["permissions"]["id-token"], "write");

    // Run the build step as the runner would, from the repository's root.
    let build_step = steps("build")
        .into_iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.starts_with("opsbook build"))
        })
        .expect("a build step");
    let command = build_step["run"]
        .as_str()
        .unwrap()
        .replace(
            "${{ steps.pages.outputs.base_url }}",
            "https://example.github.io/repo",
        )
        .replacen("opsbook", env!("CARGO_BIN_EXE_opsbook"), 1);
    let ran = std::process::Command::new("sh")
        .args(["-c", &command])
        .current_dir(repository.path())
        .output()
        .unwrap();
    assert_eq!(ran.status.code(), Some(0), "{command}: {}", stderr(&ran));
    let artifact = steps("build")
        .into_iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact"))
        })
        .find_map(|s| s["with"]["path"].as_str().map(String::from))
        .expect("an upload step with a path");
    let published = repository.path().join(artifact);
    assert!(published.join("index.html").exists());
    let not_found = std::fs::read_to_string(published.join("404.html")).unwrap();
    assert!(
        not_found.contains(r#"href="/repo/assets/opsbook.css""#),
        "{not_found}"
    );
    assert!(published.join("sitemap.xml").exists());
}

#[test]
fn init_github_pages_never_overwrites_a_workflow() {
    let repository = tempfile::tempdir().unwrap();
    let workflow = repository.path().join(".github/workflows/opsbook.yml");
    std::fs::create_dir_all(workflow.parent().unwrap()).unwrap();
    std::fs::write(&workflow, "mine").unwrap();
    let init = opsbook(repository.path(), &["init", "--github-pages"]);
    assert_eq!(init.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&workflow).unwrap(), "mine");
    assert!(
        !Path::new(&repository.path().join("book.toml")).exists(),
        "nothing half-written"
    );
}
