//! Backstage catalogs as sources: the team's own catalog (Backstage's own example catalog is
//! read by the corpus suite, tests/corpora), merging with service docs, and malformed entities.

use std::path::PathBuf;

use crate::book::Book;
use crate::catalog_reading::assert_catalog_read_faithfully;
use crate::harness::{TODAY, dependency_ids, json_report, opsbook, service, stderr, write_file};

/// The team's own catalog, written after Backstage's published descriptor format.
fn fixture_catalog() -> PathBuf {
    crate::harness::fixture("backstage-catalog")
}

#[test]
fn a_backstage_catalog_becomes_services_with_owners_and_dependencies() {
    assert_catalog_read_faithfully(&fixture_catalog(), "catalogue-search");
}

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    email: payments@example.com
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: From the catalog
  annotations:
    github.com/project-slug: acme/checkout
spec:
  type: service
  lifecycle: experimental
  owner: group:default/payments
  system: shop
  consumesApis: [api:payments-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
spec:
  type: service
  lifecycle: production
  owner: payments
  providesApis: [payments-api]
";

#[test]
fn a_doc_and_an_entity_of_the_same_name_merge_and_the_doc_wins() {
    let root = tempfile::tempdir().unwrap();
    write_file(&root.path().join("catalog/catalog-info.yaml"), CATALOG);
    write_file(
        &root.path().join("docs/checkout/service.md"),
        "---\nservice: checkout\ntier: 1\ndescription: From the doc\nowner:\n  phone: \"+1 555 0100\"\n---\n# Checkout\n",
    );
    write_file(
        &root.path().join("book.toml"),
        "[book]\nsrc = \"docs\"\n\n[[source]]\npath = \"catalog\"\nformat = \"backstage\"\n",
    );
    let report = json_report(root.path(), &[]);
    let checkout = service(&report, "checkout");
    assert_eq!(checkout["tier"], 1, "from the doc");
    assert_eq!(checkout["lifecycle"], "experimental", "from the catalog");
    assert_eq!(checkout["team"], "payments", "from the catalog");
    assert_eq!(checkout["system"], "shop");
    assert_eq!(checkout["source"], "docs/checkout/service.md");
    let dependencies = dependency_ids(checkout);
    assert_eq!(
        dependencies,
        ["payments"],
        "through the API payments provides"
    );

    let out = root.path().join("site");
    let built = opsbook(
        root.path(),
        &["build", "-o", out.to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page = std::fs::read_to_string(out.join("services/checkout/index.html")).unwrap();
    assert!(page.contains("From the doc") && !page.contains("From the catalog"));
    assert!(page.contains("payments@example.com"), "the group's email");
    assert!(page.contains("+1 555 0100"), "the doc's phone beside it");
    let provenance = page
        .split("class=\"provenance")
        .nth(1)
        .expect("the page says where fields came from");
    let provenance = provenance.split("</p>").next().unwrap();
    for field in [
        "owner.team",
        "owner.email",
        "lifecycle",
        "system",
        "depends_on",
        "repository",
    ] {
        assert!(
            provenance.contains(&format!("<code>{field}</code>")),
            "{field}: {provenance}"
        );
    }
    assert!(
        !provenance.contains("<code>description</code>"),
        "the doc's description won: {provenance}"
    );
}

/// A book of one Backstage catalog file, and no service docs.
fn catalog_book(catalog: &str) -> Book {
    Book::new()
        .toml("[book]\nsrc = []\n\n[[source]]\npath = \"catalog\"\nformat = \"backstage\"\n")
        .file("catalog/catalog-info.yaml", catalog)
}

#[test]
fn malformed_entities_are_located_and_unknown_kinds_are_noted() {
    catalog_book("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: fine\nspec:\n  owner: a\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: no name\nspec:\n  dependsOn: component:fine\n---\napiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n")
        .check()
        .exits(2)
        .stderr_has("catalog/catalog-info.yaml:10:1: error[OB0805]: the entity has no `metadata.name`")
        .stderr_lacks("missing field `metadata`") // no knock-on error
        .stderr_has("catalog/catalog-info.yaml:13:14: error[OB0802]: `spec.dependsOn`")
        .stderr_has("catalog/catalog-info.yaml:16:1: warning[OB0803]: entity kind `Gizmo` is not one opsbook reads; skipped");
}

#[test]
fn a_name_backstage_would_refuse_is_a_warning_saying_what_it_became() {
    // Both were renamed without a word: `../../etc` to `etc`, `<b>` to `b`.
    let help = "\n  help: Backstage names are 1 to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (namespaces: lowercase, digits and `-`); anything else becomes `-` in a service id";
    let run = catalog_book("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ../../etc\nspec:\n  owner: a\n  dependsOn:\n    - component:default/fine\n    - resource:default/<b>\n")
        .check()
        .stderr_has(&format!("catalog/catalog-info.yaml:4:3: warning[OB0807]: entity name `../../etc` is not a valid Backstage name; read as service `etc`{help}"))
        .stderr_has(&format!("catalog/catalog-info.yaml:9:7: warning[OB0804]: `resource:default/<b>` does not name a valid Backstage entity; read as a dependency on `b`{help}"));
    let message = run.stderr();
    assert_eq!(
        message.matches("not a valid Backstage").count()
            + message.matches("does not name a valid").count(),
        2,
        "{message}"
    );
}
