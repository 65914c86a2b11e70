//! Other tools' files found in a book of docs by their names (tests/fixtures/datadog: one
//! Datadog file per schema version, and an opsbook doc for one of their services): read
//! without any setting, merged with the doc that wins, every result citing its line.

use serde_json::Value;

use crate::book::Book;
use crate::harness::{
    TODAY, check, copy_of, dependency_ids, fixture, json_report, opsbook, service, stderr, stdout,
};

fn location(check: &Value) -> (String, u64) {
    let at = &check["location"];
    (
        at["path"].as_str().unwrap().to_string(),
        at["line"].as_u64().unwrap(),
    )
}

#[test]
fn datadog_files_are_read_wherever_they_are_and_every_version_becomes_services() {
    let report = json_report(&fixture("datadog"), &[]);
    let summary: Vec<(String, String, u64, String, String)> = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
                s["tier"].as_u64().unwrap(),
                s["lifecycle"].as_str().unwrap().to_string(),
                s["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |id: &str, kind: &str, tier: u64, lifecycle: &str, source: &str| {
        (
            id.to_string(),
            kind.to_string(),
            tier,
            lifecycle.to_string(),
            source.to_string(),
        )
    };
    assert_eq!(
        summary,
        [
            row(
                "cart",
                "service",
                2,
                "production",
                "cart/service.datadog.yaml"
            ),
            row(
                "checkout",
                "service",
                1,
                "production",
                "checkout/service.md"
            ),
            row(
                "legacy-search",
                "service",
                3,
                "production",
                "legacy-search/service.datadog.yaml"
            ),
            row(
                "order-events",
                "resource",
                3,
                "production",
                "shop/entity.datadog.yaml"
            ),
            row(
                "orders-db",
                "resource",
                1,
                "production",
                "shop/entity.datadog.yaml"
            ),
            row(
                "payments",
                "service",
                1,
                "experimental",
                "payments/service.datadog.yaml"
            ),
        ]
    );
}

#[test]
fn a_doc_wins_and_the_datadog_entity_fills_the_rest_each_result_citing_its_file_and_line() {
    let report = json_report(&fixture("datadog"), &[]);
    let checkout = service(&report, "checkout");
    assert_eq!(
        checkout["team"], "checkout",
        "the doc's team, not Datadog's"
    );
    assert_eq!(checkout["tier"], 1, "the doc's tier, not Datadog's tier_2");
    assert_eq!(checkout["system"], "shop", "from the entity's componentOf");
    let dependencies = dependency_ids(checkout);
    assert_eq!(
        dependencies,
        ["cart", "payments", "orders-db", "order-events"]
    );
    assert_eq!(
        location(check(checkout, "owner.team")),
        ("checkout/service.md".into(), 5)
    );
    assert_eq!(
        location(check(checkout, "monitoring.dashboard")),
        ("shop/entity.datadog.yaml".into(), 25),
        "the line of the dashboard link's URL"
    );
    assert_eq!(
        location(check(checkout, "deps.resolved")),
        ("shop/entity.datadog.yaml".into(), 34),
        "the first dependency"
    );
    let cart = service(&report, "cart");
    assert_eq!(
        location(check(cart, "runbooks.recovery")),
        ("cart/service.datadog.yaml".into(), 30)
    );
}

#[test]
fn the_service_page_says_which_fields_came_from_which_file() {
    let book = copy_of(&fixture("datadog"));
    let built = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page =
        std::fs::read_to_string(book.path().join("site/services/checkout/index.html")).unwrap();
    assert!(
        page.contains("From the Datadog service definition (<code class=\"path\">shop/entity.datadog.yaml:11</code>): "),
        "{}",
        &page[page.find("provenance").unwrap_or(0)..][..600.min(page.len())]
    );
    assert!(page.contains("<code>monitoring.dashboard</code>"));
    assert!(
        page.contains("<dt>Languages</dt><dd>java</dd>"),
        "the entity's spec.languages"
    );
    assert!(page.contains("Everything else is from the doc."));
}

#[test]
fn import_can_be_restricted_to_some_formats_or_turned_off_for_a_source() {
    let datadog = "schema-version: v2.2\ndd-service: cart\nteam: web\n";
    let backstage = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: search\nspec:\n  owner: search\n";
    let ids = |book: &Book| -> Vec<String> {
        json_report(book.path(), &[])["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    let opslevel = "version: 1\nservice:\n  name: Web Shop\n  owner: web\n";
    let files = |book: Book| {
        book.file("services/cart/service.datadog.yaml", datadog)
            .file("services/search/catalog-info.yaml", backstage)
            .file("services/web/opslevel.yml", opslevel)
    };
    let all = files(Book::new().toml("[book]\nsrc = \"services\"\n"));
    assert_eq!(ids(&all), ["cart", "search", "web-shop"]);
    let only_datadog = files(
        Book::new().toml("[book]\nsrc = \"services\"\n\n[import]\nformats = [\"datadog\"]\n"),
    );
    assert_eq!(ids(&only_datadog), ["cart"]);
    let off = files(
        Book::new().toml("[book]\nsrc = []\n\n[[source]]\npath = \"services\"\nimport = false\n"),
    );
    assert_eq!(ids(&off), Vec::<String>::new());
}

#[test]
fn a_malformed_datadog_file_is_an_error_of_that_file_only() {
    Book::new()
        .file(
            "a/service.datadog.yaml",
            "schema-version: v2.2\ndd-service: a\ndescription: \"open\n",
        )
        .file(
            "b/service.datadog.yaml",
            "schema-version: v2.2\ndd-service: b\nteam: web\n",
        )
        .check()
        .exits(2)
        .stderr_has("a/service.datadog.yaml:3:14: error[OB0809]: invalid YAML")
        .stderr_has("read 1 service doc");
}

#[test]
fn one_service_described_by_three_tools_is_one_service_with_each_field_from_its_file() {
    let report = json_report(&fixture("three-formats"), &[]);
    let cart = service(&report, "cart");
    assert_eq!(
        cart["source"], "cart/compass.yml",
        "the first file read is where it is from"
    );
    assert_eq!(cart["tier"], 1, "the Compass component's `fields.tier`");
    assert_eq!(
        cart["team"], "web-team",
        "Compass names no team a reader can use; the Cortex descriptor does"
    );
    let dependencies = dependency_ids(cart);
    assert_eq!(dependencies, ["catalog"], "Compass's ARI, resolved");
    assert_eq!(
        location(check(cart, "owner.team")),
        ("cart/cortex.yaml".into(), 9)
    );
    assert_eq!(
        location(check(cart, "monitoring.dashboard")),
        ("cart/compass.yml".into(), 13),
        "the line of the URL"
    );
    assert_eq!(
        location(check(cart, "logs.central")),
        ("cart/cortex.yaml".into(), 26)
    );
}

#[test]
fn codeowners_names_the_team_of_a_service_whose_files_name_none() {
    let book = Book::new()
        .file(
            ".github/CODEOWNERS",
            "*                 @acme/platform\n/services/pay/    @acme/payments @alice\n",
        )
        .file(
            "CODEOWNERS",
            "*  @acme/ignored-because-github-reads-.github-first\n",
        )
        .file("services/pay/service.md", "---\nservice: pay\n---\n")
        .file(
            "services/cart/service.md",
            "---\nservice: cart\nowner:\n  team: web\n---\n",
        )
        .file(
            "services/search/service.datadog.yaml",
            "schema-version: v2.2\ndd-service: search\n",
        );
    let report = json_report(book.path(), &[]);
    let pay = service(&report, "pay");
    assert_eq!(
        pay["team"], "payments",
        "the last matching rule's first team"
    );
    assert_eq!(
        location(check(pay, "owner.team")),
        (".github/CODEOWNERS".into(), 2)
    );
    assert_eq!(service(&report, "cart")["team"], "web", "the doc wins");
    assert_eq!(service(&report, "search")["team"], "platform");
    let off = Book::new()
        .toml("[import]\nformats = [\"datadog\"]\n")
        .file(".github/CODEOWNERS", "*  @acme/platform\n")
        .file("services/pay/service.md", "---\nservice: pay\n---\n");
    assert_eq!(
        service(&json_report(off.path(), &[]), "pay")["team"],
        Value::Null
    );
}

#[test]
fn the_json_report_says_which_fields_came_from_which_file() {
    let report = json_report(&fixture("three-formats"), &[]);
    let imported: Vec<(String, String, u64)> = service(&report, "cart")["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["format"].as_str().unwrap().to_string(),
                file["path"].as_str().unwrap().to_string(),
                file["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let file = |format: &str, path: &str, line: u64| (format.to_string(), path.to_string(), line);
    assert_eq!(
        imported,
        [
            file("compass", "cart/compass.yml", 1),
            file("cortex", "cart/cortex.yaml", 1),
            file("opslevel", "cart/opslevel.yml", 1),
            file("codeowners", ".github/CODEOWNERS", 2),
        ],
        "every file that describes it, even one that supplies nothing the others do not say"
    );
    let cortex = &service(&report, "cart")["imported"][1];
    assert!(
        cortex["fields"]
            .as_array()
            .unwrap()
            .contains(&Value::from("owner.team")),
        "{cortex}"
    );
    let alone = json_report(&fixture("levels"), &[]);
    assert!(
        alone["services"][0].get("imported").is_none(),
        "no key for a service of docs alone"
    );
}

/// The planted disagreements of tests/fixtures/three-formats (its README lists them): each is
/// reported by `metadata.consistent` with both values and both lines, and nothing else is.
#[test]
fn every_planted_disagreement_is_reported_with_both_lines_and_nothing_else() {
    let report = json_report(&fixture("three-formats"), &[]);
    let consistent = |id: &str| {
        let check = check(service(&report, id), "metadata.consistent");
        (
            check["status"].as_str().unwrap().to_string(),
            check["message"]
                .as_str()
                .unwrap()
                .split("; ")
                .map(str::to_string)
                .collect::<Vec<_>>(),
            location(check),
        )
    };
    assert_eq!(
        consistent("cart"),
        (
            "fail".to_string(),
            vec![
                "`tier` is 1 at `cart/compass.yml:8`, but 2 at `cart/cortex.yaml:46`".to_string(),
                "`owner.team` is web-team at `cart/cortex.yaml:9`, but platform at `.github/CODEOWNERS:2`".to_string(),
                "`depends_on` is [catalog] at `cart/compass.yml:34`, but [catalog, inventory] at `cart/cortex.yaml:37`".to_string(),
                "`depends_on` is [catalog] at `cart/compass.yml:34`, but [auth, catalog] at `cart/opslevel.yml:39`".to_string(),
            ],
            ("cart/cortex.yaml".to_string(), 46),
        )
    );
    assert_eq!(
        consistent("catalog"),
        (
            "fail".to_string(),
            vec![
                "`owner.team` is catalog at `catalog/service.md:7`, but pricing at `.github/CODEOWNERS:3`".to_string(),
                "`lifecycle` is deprecated at `catalog/service.md:5`, but production at `catalog/compass.yml:8`".to_string(),
            ],
            (".github/CODEOWNERS".to_string(), 3),
        )
    );
}

#[test]
fn a_service_one_file_describes_is_consistent() {
    let report = json_report(&fixture("levels"), &[]);
    let first = &report["services"][0];
    let consistent = check(first, "metadata.consistent");
    assert_eq!(consistent["status"], "pass");
    assert_eq!(consistent["message"], "one file describes it");
}

/// A disagreement is put on every line that takes part: in JSON (`also`), as SARIF's
/// related locations, and as a GitHub annotation on each line.
#[test]
fn a_disagreement_is_annotated_on_both_lines() {
    let report = json_report(&fixture("three-formats"), &[]);
    let catalog = check(service(&report, "catalog"), "metadata.consistent");
    let also: Vec<(String, u64)> = catalog["also"]
        .as_array()
        .unwrap()
        .iter()
        .map(location_of)
        .collect();
    assert_eq!(
        also,
        [
            ("catalog/service.md".to_string(), 7),
            ("catalog/service.md".to_string(), 5),
            ("catalog/compass.yml".to_string(), 8),
        ]
    );
    let github = opsbook(
        &fixture("three-formats"),
        &["check", "--format", "github", "--today", TODAY],
    );
    let annotated: Vec<String> = stdout(&github)
        .lines()
        .filter(|l| l.contains("title=metadata.consistent") && l.contains("::catalog is "))
        .map(|l| l.split(",title=").next().unwrap().to_string())
        .collect();
    assert_eq!(
        annotated.len(),
        4,
        "one annotation per line that takes part: {annotated:#?}"
    );
    let sarif = opsbook(
        &fixture("three-formats"),
        &["check", "--format", "sarif", "--today", TODAY],
    );
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "metadata.consistent" && r["properties"]["service"] == "catalog")
        .unwrap();
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 3);
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("drift.sarif");
    std::fs::write(&file, &sarif.stdout).unwrap();
    assert_eq!(
        crate::located::multitool_findings(&file, "Sarif;Gh"),
        Vec::<String>::new(),
        "still valid SARIF for GitHub"
    );
}

fn location_of(at: &Value) -> (String, u64) {
    (
        at["path"].as_str().unwrap().to_string(),
        at["line"].as_u64().unwrap(),
    )
}

#[test]
fn the_overview_lists_by_team_the_services_whose_files_disagree() {
    let book = copy_of(&fixture("three-formats"));
    let built = opsbook(book.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let index = std::fs::read_to_string(book.path().join("site/index.html")).unwrap();
    let section = &index[index.find("id=\"drift-h\"").expect("a drift section")..];
    let section = &section[..section.find("</section>").unwrap()];
    let compact: String = section.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        compact.contains("<h3>catalog</h3> <ul class=\"drift-list\"> <li><a href=\"services/catalog/index.html\">Catalog</a> <span class=\"muted small\">owner.team, lifecycle</span></li> </ul>"),
        "{compact}"
    );
    assert!(
        compact.contains("<h3>web-team</h3> <ul class=\"drift-list\"> <li><a href=\"services/cart/index.html\">cart</a> <span class=\"muted small\">tier, owner.team, depends_on</span></li> </ul>"),
        "{compact}"
    );
    let agreeing = copy_of(&fixture("levels"));
    let built = opsbook(agreeing.path(), &["build", "-o", "site", "--today", TODAY]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let index = std::fs::read_to_string(agreeing.path().join("site/index.html")).unwrap();
    assert!(
        !index.contains("drift-h"),
        "no section when every service's files agree"
    );
}

/// Compose's default project of a folder: its base file with its override file, their
/// dependencies united; each one `depends_on` leaves out fails `deps.declared` at its line.
#[test]
fn dependencies_compose_shows_must_be_declared() {
    let book = Book::new()
        .file(
            "shop/compose.yaml",
            "services:\n  cart:\n    image: cart\n    depends_on:\n      - catalog\n      - redis\n  catalog:\n    image: catalog\n    depends_on:\n      postgres:\n        condition: service_healthy\n  redis:\n    image: redis\n  postgres:\n    image: postgres\n",
        )
        .file(
            "shop/compose.override.yaml",
            "services:\n  cart:\n    links:\n      - \"auth:login\"\n",
        )
        .file("shop/docker-compose.yml", "services:\n  cart:\n    depends_on: [ignored]\n")
        .file(
            "services/cart/service.md",
            "---\nservice: cart\ndepends_on: [catalog, { external: stripe }]\n---\n",
        )
        .file(
            "services/catalog/service.md",
            "---\nservice: catalog\ndepends_on: [{ service: postgres, kind: hard }]\n---\n",
        );
    let report = json_report(book.path(), &[]);
    let cart = check(service(&report, "cart"), "deps.declared");
    assert_eq!(cart["status"], "fail");
    assert_eq!(
        cart["message"],
        "`depends_on` does not name `redis` (at `shop/compose.yaml:6`), `auth` (at `shop/compose.override.yaml:4`), which the files it runs from show; declared, but no file it runs from shows: `stripe`"
    );
    assert_eq!(location(cart), ("shop/compose.yaml".into(), 6));
    let catalog = check(service(&report, "catalog"), "deps.declared");
    assert_eq!(catalog["status"], "pass");
    assert_eq!(
        catalog["message"],
        "declares every dependency the files it runs from show"
    );
}

#[test]
fn a_problem_in_an_imported_value_is_located_at_its_line_in_its_file() {
    Book::new()
        .file("pay/service.md", "---\nservice: pay\n---\n")
        .file(
            "pay/service.datadog.yaml",
            "schema-version: v2.2\ndd-service: pay\nlinks:\n  - name: Overview\n    type: dashboard\n    url: \"javascript:alert(1)\"\n",
        )
        .check()
        .exits(2)
        .stderr_has("pay/service.datadog.yaml:6:1: error[OB0307]: `monitoring.dashboard` is a `javascript:` address");
}

#[test]
fn other_tools_files_a_doc_links_to_are_published_as_any_file_is() {
    let book = Book::new()
        .file(
            "pay/service.md",
            "---\nservice: pay\n---\nSee [compose](compose.yaml), [Datadog](service.datadog.yaml) and [owners](../CODEOWNERS).\n",
        )
        .file("pay/compose.yaml", "services:\n  pay:\n    image: pay\n")
        .file("pay/service.datadog.yaml", "schema-version: v2.2\ndd-service: pay\n")
        .file("CODEOWNERS", "* @acme/payments\n");
    book.build()
        .exits(0)
        .stderr_lacks("warning[")
        .stderr_lacks("error[");
    for published in [
        "site/services/pay/compose.yaml",
        "site/services/pay/service.datadog.yaml",
        "site/docs/CODEOWNERS",
    ] {
        assert!(book.path().join(published).is_file(), "{published}");
    }
}

/// A workload's `*_ADDR`, `*_HOST` and `*_URL` variables that name a Service of the book's
/// manifests are dependencies it runs with; other YAML is passed over without a word.
#[test]
fn dependencies_kubernetes_variables_name_must_be_declared() {
    let manifests = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\nspec:\n  template:\n    spec:\n      containers:\n        - name: server\n          env:\n            - name: CART_SERVICE_ADDR\n              value: \"cart:7070\"\n            - name: PAYMENT_URL\n              value: \"http://payment.shop.svc.cluster.local/charge\"\n            - name: LOG_LEVEL\n              value: info\n            - name: STRIPE_HOST\n              value: api.stripe.com\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: payment\n";
    let book = Book::new()
        .file("deploy/checkout.yaml", manifests)
        .file(
            "deploy/values.yaml",
            "replicas: 3\nimage: { tag: latest }\n",
        )
        .file("deploy/broken.yaml", "apiVersion: v1\nkind: [unclosed\n")
        .file(
            "services/checkout/service.md",
            "---\nservice: checkout\ndepends_on: [cart]\n---\n",
        );
    let report = json_report(book.path(), &[]);
    let checkout = check(service(&report, "checkout"), "deps.declared");
    assert_eq!(
        checkout["message"],
        "`depends_on` does not name `payment` (at `deploy/checkout.yaml:14`), which the files it runs from show"
    );
    book.check()
        .stderr_lacks("values.yaml")
        .stderr_lacks("broken.yaml");
}

/// A project layered of several files (compose's `-f`) is named in book.toml: its files,
/// merged in that order, replace compose's default base and override files.
#[test]
fn a_compose_project_of_named_files_is_read_as_compose_merges_them() {
    let base = "services:\n  cart:\n    image: cart\n    depends_on: [redis]\n  redis:\n    image: redis\n";
    let overlay = "services:\n  cart:\n    depends_on:\n      collector:\n        condition: service_started\n  collector:\n    image: otel\n";
    let doc = "---\nservice: cart\ndepends_on: [redis]\n---\n";
    let named = Book::new()
        .toml("[import]\ncompose-files = [\"compose.yaml\", \"compose.observability.yaml\"]\n")
        .file("shop/compose.yaml", base)
        .file("shop/compose.observability.yaml", overlay)
        .file("services/cart/service.md", doc);
    let cart = check(
        service(&json_report(named.path(), &[]), "cart"),
        "deps.declared",
    )
    .clone();
    assert_eq!(
        cart["message"],
        "`depends_on` does not name `collector` (at `shop/compose.observability.yaml:4`), which the files it runs from show"
    );
    let default = Book::new()
        .file("shop/compose.yaml", base)
        .file("shop/compose.observability.yaml", overlay)
        .file("services/cart/service.md", doc);
    let cart = check(
        service(&json_report(default.path(), &[]), "cart"),
        "deps.declared",
    )
    .clone();
    assert_eq!(
        cart["status"], "pass",
        "compose reads no overlay it is not told of"
    );
}
