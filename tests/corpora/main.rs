//! The corpus suite: opsbook on real third-party data (see the corpora folder's README for
//! what each corpus is and its licence). The data is not part of this repository: the suite
//! runs when `OPSBOOK_CORPORA` names the folder that holds it (`.ci/run` sets it where CI
//! keeps the corpora); otherwise it lists every test as ignored and says why.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Trial};

#[allow(dead_code)]
#[path = "../integration/harness.rs"]
mod harness;

#[path = "../integration/catalog_reading.rs"]
mod catalog_reading;

#[path = "../integration/docs_tree.rs"]
mod docs_tree;

mod running;

/// A corpus test: given the corpora folder, it panics on a failure.
type CorpusTest = fn(&Path);

/// Every corpus test, by name.
const TESTS: &[(&str, CorpusTest)] = &[
    (
        "backstage_example_catalog_becomes_services_with_owners_and_dependencies",
        backstage_example_catalog,
    ),
    (
        "a_hugo_docs_tree_of_five_languages_publishes_every_page",
        opentelemetry_docs,
    ),
    (
        "a_runbook_repository_publishes_every_runbook_and_finds_one_by_its_title",
        openshift_runbooks,
    ),
    (
        "compose_projects_show_the_dependencies_their_files_declare",
        compose_projects,
    ),
    (
        "kubernetes_manifests_show_the_dependencies_their_variables_name",
        online_boutique,
    ),
];

/// Online Boutique's services find each other by `*_ADDR` variables naming Services.
fn online_boutique(corpora: &Path) {
    let found = running::assert_manifest_dependencies_found(
        &corpora.join("online-boutique/kubernetes-manifests"),
    );
    assert!(found > 10, "Online Boutique shows {found} dependencies");
    eprintln!("kubernetes: Online Boutique shows {found} dependencies");
}

/// eShopOnContainers declares its dependencies in its compose files (a base and an override,
/// which declares none); Sock Shop declares none at all.
fn compose_projects(corpora: &Path) {
    let eshop = running::assert_project_dependencies_found(
        &corpora.join("eshoponcontainers/src"),
        &["docker-compose.yml", "docker-compose.override.yml"],
        false,
    );
    assert!(eshop > 10, "eShopOnContainers shows {eshop} dependencies");
    let sock_shop = running::assert_project_dependencies_found(
        &corpora.join("sock-shop/deploy/docker-compose"),
        &["docker-compose.yml"],
        false,
    );
    assert_eq!(sock_shop, 0, "Sock Shop declares no dependencies");
    eprintln!("compose: eShopOnContainers shows {eshop} dependencies, Sock Shop {sock_shop}");
}

fn backstage_example_catalog(corpora: &Path) {
    catalog_reading::assert_catalog_read_faithfully(
        &corpora.join("backstage-examples/packages/catalog-model/examples"),
        "wayback-search",
    );
}

/// Builds the docs tree at `book` as a book of its own (it has no book.toml) into a
/// temporary folder: no errors, every Markdown file a page, every link between pages leading
/// to its page. Returns the site (kept while the guard lives) and its folder.
fn build_docs_tree(book: &Path) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let started = std::time::Instant::now();
    let output = harness::opsbook(book, &["build", ".", "-o", site.to_str().unwrap()]);
    let took = started.elapsed();
    let log = harness::stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("0 error(s)"), "{log}");
    let pages = docs_tree::assert_every_markdown_file_published(book, &site);
    let published = docs_tree::pages_by_source(&site);
    let files = docs_tree::markdown_files(book);
    let links = docs_tree::links_between_pages(book, &files);
    let followed = docs_tree::assert_links_lead_between_pages(&site, &published, &links);
    eprintln!(
        "{}: {pages} Markdown files published, {followed} links between pages followed, built in {:.2} s",
        book.display(),
        took.as_secs_f64()
    );
    (out, site)
}

fn opentelemetry_docs(corpora: &Path) {
    let book = corpora.join("opentelemetry-io-docs");
    let (_guard, site) = build_docs_tree(&book);
    let index =
        std::fs::read_to_string(site.join("docs/content/en/docs/concepts/index.html")).unwrap();
    assert!(
        index.contains("<h1>OpenTelemetry Concepts</h1>"),
        "a Hugo section page takes its title from its front matter"
    );
}

fn openshift_runbooks(corpora: &Path) {
    let book = corpora.join("openshift-runbooks");
    let (_guard, site) = build_docs_tree(&book);
    let runbook = "alerts/cluster-dns-operator/CoreDNSErrorsHigh.md";
    let text = std::fs::read_to_string(book.join(runbook)).unwrap();
    let title = text
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .unwrap()
        .trim();
    let page = &docs_tree::pages_by_source(&site)[runbook];
    let index = std::fs::read_to_string(site.join("search-index.js")).unwrap();
    assert!(
        index.contains(&format!(r#""{title}","{page}""#)),
        "the search index has {title} at {page}"
    );
}

fn main() {
    let arguments = Arguments::from_args();
    let corpora = std::env::var_os("OPSBOOK_CORPORA").map(PathBuf::from);
    match &corpora {
        Some(folder) => eprintln!(
            "corpus suite: {} corpus tests on the data in {}",
            TESTS.len(),
            folder.display()
        ),
        None => eprintln!(
            "corpus suite: {} corpus tests skipped: OPSBOOK_CORPORA is not set (set it to the folder of corpora to run them)",
            TESTS.len()
        ),
    }
    let trials = TESTS
        .iter()
        .map(|&(name, test)| {
            let folder = corpora.clone().unwrap_or_default();
            Trial::test(name, move || {
                if !folder.is_dir() {
                    return Err(
                        format!("OPSBOOK_CORPORA: {} is not a folder", folder.display()).into(),
                    );
                }
                test(&folder);
                Ok(())
            })
            .with_ignored_flag(corpora.is_none())
        })
        .collect();
    libtest_mimic::run(&arguments, trials).exit();
}
