//! What a person sees, checked in a real browser: headless Chromium driven through
//! chromedriver (Debian's `chromium` and `chromium-driver`; `scripts/test` installs them).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::harness::build_example_site;

/// A chromedriver process and a browser session; both end when dropped or closed.
struct Browser {
    client: Client,
    driver: Child,
    /// chromedriver's port, for the browser log (not part of the WebDriver standard).
    port: u16,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start(width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (scripts/test installs chromium and chromium-driver)");
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        let mut options = json!({
            "binary": chromium(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                format!("--user-data-dir={}", profile.path().display()),
                format!("--window-size={width},{height}"),
            ]
        });
        // Chromium's windows are at least 500 pixels wide: narrower screens are emulated.
        if width < 500 {
            options["mobileEmulation"] =
                json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2 } });
        }
        capabilities.insert("goog:chromeOptions".into(), options);
        capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) if Instant::now() > deadline => panic!("no browser session: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            port,
            _profile: profile,
        }
    }

    async fn open(&self, site: &Path, page: &str) {
        let url = format!("file://{}/{page}", site.display());
        self.client.goto(&url).await.unwrap();
    }

    async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Ids of the services table's rows, in display order, that are not filtered out.
    async fn visible_rows(&self) -> Vec<String> {
        let ids = self
            .run("return Array.from(document.querySelectorAll('#services-table tbody tr')).filter(r => !r.hidden && r.offsetParent !== null).map(r => r.dataset.id)")
            .await;
        serde_json::from_value(ids).unwrap()
    }

    /// Errors the pages have logged to the console (script errors, failed loads) since the
    /// last call: chromedriver hands each log entry out once.
    async fn console_errors(&self) -> Vec<String> {
        let session = self.client.session_id().await.unwrap().unwrap();
        let url = format!("http://127.0.0.1:{}/session/{session}/se/log", self.port);
        let entries: Value = tokio::task::spawn_blocking(move || {
            let body = ureq::post(&url)
                .header("content-type", "application/json")
                .send(r#"{"type":"browser"}"#)
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            serde_json::from_str(&body).unwrap()
        })
        .await
        .unwrap();
        entries["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Scrolls the element into view and clicks it, as a person would.
    async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'})",
                vec![serde_json::to_value(&element).unwrap()],
            )
            .await
            .unwrap();
        element.click().await.unwrap();
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Checkout's neighbourhood diagram links to Payments through this node.
const PAYMENTS_NODE: &str = "svg.neighbourhood a[href$='payments/index.html']";

fn chromium() -> &'static str {
    "/usr/bin/chromium"
}

fn chromedriver() -> &'static str {
    "/usr/bin/chromedriver"
}

/// The example site, built into a temporary folder, and its JSON report.
fn example_site() -> (tempfile::TempDir, PathBuf, Value) {
    let (guard, site) = build_example_site();
    let report =
        serde_json::from_slice(&std::fs::read(site.join("readiness.json")).unwrap()).unwrap();
    (guard, site, report)
}

fn ids_where(report: &Value, keep: impl Fn(&Value) -> bool) -> Vec<String> {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| keep(s))
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn the_services_table_filters_by_team_and_by_level_gap() {
    let (_guard, site, report) = example_site();
    let browser = Browser::start(1280, 900).await;
    browser.open(&site, "index.html").await;
    assert_eq!(
        browser.visible_rows().await.len(),
        report["services"].as_array().unwrap().len()
    );

    let team = browser
        .client
        .find(Locator::Css("form.filters select[name=team]"))
        .await
        .unwrap();
    team.select_by_value("payments").await.unwrap();
    let payments = ids_where(&report, |s| s["team"] == "payments");
    assert_eq!(sorted(browser.visible_rows().await), sorted(payments));

    team.select_by_value("").await.unwrap();
    browser
        .client
        .find(Locator::Css("form.filters input[name=below]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let below = ids_where(&report, |s| s["meets_required"] == false);
    assert_eq!(sorted(browser.visible_rows().await), sorted(below));

    let text = browser
        .client
        .find(Locator::Css("form.filters input[name=q]"))
        .await
        .unwrap();
    text.send_keys("shipp").await.unwrap();
    assert_eq!(browser.visible_rows().await, ["shipping"]);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_column_header_sorts_the_services() {
    let (_guard, site, report) = example_site();
    let browser = Browser::start(1280, 900).await;
    browser.open(&site, "index.html").await;
    let failing_header = browser
        .client
        .find(Locator::XPath(
            "//table[@id='services-table']//th[normalize-space()='Failing']",
        ))
        .await
        .unwrap();
    failing_header.click().await.unwrap();
    let failing_count = |id: &str| {
        let service = report["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        let checks = service["checks"].as_array().unwrap();
        checks
            .iter()
            .filter(|c| c["status"] == "fail" || c["status"] == "expired-waiver")
            .count()
    };
    let order = browser.visible_rows().await;
    let counts: Vec<usize> = order.iter().map(|id| failing_count(id)).collect();
    let mut descending = counts.clone();
    descending.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        counts, descending,
        "first click sorts most failing first: {order:?}"
    );
    assert_eq!(order[0], "recommendations");

    failing_header.click().await.unwrap();
    let reversed = browser.visible_rows().await;
    assert_ne!(
        reversed[0], "recommendations",
        "a second click reverses the order"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_fit_a_phone_screen_without_sideways_scrolling() {
    let (_guard, site, _) = example_site();
    let browser = Browser::start(390, 844).await;
    for page in [
        "index.html",
        "services/checkout/index.html",
        "services/recommendations/index.html",
        "checks/index.html",
        "teams/index.html",
    ] {
        browser.open(&site, page).await;
        let overflow = browser
            .run("return document.documentElement.scrollWidth - window.innerWidth")
            .await;
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{page} scrolls sideways by {overflow}px on a phone"
        );
        let wide_tables = browser
            .run("return Array.from(document.querySelectorAll('.table-wrap')).filter(w => w.scrollWidth > w.clientWidth + 1).length")
            .await;
        assert_eq!(
            wide_tables, 0,
            "{page} has a table wider than a phone screen"
        );
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gap_links_to_its_check_and_a_dependency_to_its_page() {
    let (_guard, site, _) = example_site();
    let browser = Browser::start(1280, 900).await;
    browser.open(&site, "services/storefront/index.html").await;
    let gap = browser
        .client
        .find(Locator::Css("a[href$='checks/index.html#deps.tier']"))
        .await
        .unwrap();
    gap.click().await.unwrap();
    let target = browser.run("return document.getElementById('deps.tier') !== null && location.pathname.endsWith('/checks/index.html')").await;
    assert_eq!(target, true);
    let failing = browser
        .run("return document.getElementById('deps.tier').textContent")
        .await;
    assert!(
        failing.as_str().unwrap().contains("storefront"),
        "the check names the service that fails it"
    );

    browser.open(&site, "services/catalog/index.html").await;
    let legacy = browser
        .client
        .find(Locator::Css("a[href$='legacy-pricing/index.html']"))
        .await
        .unwrap();
    legacy.click().await.unwrap();
    let title = browser
        .run("return document.querySelector('h1').textContent")
        .await;
    assert!(
        title.as_str().unwrap().contains("Legacy pricing"),
        "{title}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_node_of_a_diagram_opens_that_service() {
    let (_guard, site, _) = example_site();
    let browser = Browser::start(1280, 900).await;
    browser.open(&site, "services/checkout/index.html").await;
    browser.click(PAYMENTS_NODE).await;
    let title = browser
        .run("return document.querySelector('h1').textContent")
        .await;
    assert!(title.as_str().unwrap().contains("Payments"), "{title}");
    browser.close().await;
}

#[cfg(feature = "serve")]
#[tokio::test(flavor = "multi_thread")]
async fn a_served_page_follows_edits_without_a_manual_reload() {
    let book = crate::harness::copy_of(&crate::harness::fixture("levels"));
    let server = crate::serve::Server::start(book.path());
    let browser = Browser::start(1280, 900).await;
    browser
        .client
        .goto(&format!("{}services/waived/", server.url))
        .await
        .unwrap();
    let doc = book.path().join("services/waived/service.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, text.replace("# waived", "# Edited while open")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = browser
            .run("return document.body ? document.body.innerText : ''")
            .await;
        if body.as_str().unwrap_or("").contains("Edited while open") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the open page never showed the edit"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await;
}

/// A static file server (Python's, as on any CI machine) over `root`, on a free port.
struct FileServer {
    child: Child,
    port: u16,
}

impl FileServer {
    fn start(root: &Path) -> FileServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the file server never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        FileServer { child, port }
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_loads_without_console_errors_under_a_sub_path_and_from_disk() {
    let root = tempfile::tempdir().unwrap();
    let server = FileServer::start(root.path());
    let site = root.path().join("shop");
    let site_url = format!("http://127.0.0.1:{}/shop/", server.port);
    let built = crate::harness::opsbook(
        &crate::harness::repo_root(),
        &[
            "build",
            "-o",
            site.to_str().unwrap(),
            "--site-url",
            &site_url,
            "--today",
            crate::harness::TODAY,
        ],
    );
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        crate::harness::stderr(&built)
    );
    let pages: Vec<String> = crate::harness::files_in(&site)
        .into_keys()
        .filter(|p| p.ends_with(".html") && p != "404.html")
        .collect();
    assert!(pages.len() > 40);
    let browser = Browser::start(1280, 900).await;
    for base in [site_url.clone(), format!("file://{}/", site.display())] {
        for page in &pages {
            browser.client.goto(&format!("{base}{page}")).await.unwrap();
            let errors = browser.console_errors().await;
            assert!(errors.is_empty(), "{base}{page}: {errors:?}");
        }
    }
    // A diagram's node leads to its service over HTTP as well.
    browser
        .client
        .goto(&format!("{site_url}services/checkout/"))
        .await
        .unwrap();
    browser.click(PAYMENTS_NODE).await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(
        url.as_str(),
        format!("{site_url}services/payments/index.html")
    );
    browser.close().await;
}

/// Served, every page runs under serve's content security policy, which lets no inline script
/// run: none of the site's own may need one.
#[cfg(feature = "serve")]
#[tokio::test(flavor = "multi_thread")]
async fn every_served_page_loads_without_console_errors() {
    let (_built, site) = build_example_site();
    let pages: Vec<String> = crate::harness::files_in(&site)
        .into_keys()
        .filter(|p| p.ends_with(".html") && p != "404.html")
        .collect();
    let book = tempfile::tempdir().unwrap();
    let root = crate::harness::repo_root();
    std::fs::copy(root.join("book.toml"), book.path().join("book.toml")).unwrap();
    crate::harness::copy_dir(
        &root.join("example-services"),
        &book.path().join("example-services"),
    );
    let server = crate::serve::Server::start(book.path());
    let browser = Browser::start(1280, 900).await;
    for page in &pages {
        let url = format!("{}{page}", server.url);
        browser.client.goto(&url).await.unwrap();
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "{url}: {errors:?}");
    }
    browser.close().await;
}

/// Starts collecting the page's script errors; [`Browser::script_errors`] reads them back.
async fn collect_script_errors(browser: &Browser) {
    browser
        .run(
            "window.__errors = []; \
             window.addEventListener('error', e => window.__errors.push(String(e.message))); \
             const original = console.error; \
             console.error = (...args) => { window.__errors.push(args.join(' ')); original(...args); };",
        )
        .await;
}

impl Browser {
    async fn script_errors(&self) -> Vec<String> {
        serde_json::from_value(self.run("return window.__errors || []").await).unwrap()
    }

    /// Types `query` into the header's search box and waits for its results: (title, kind,
    /// href) of each, in order.
    async fn search(&self, query: &str) -> Vec<(String, String, String)> {
        let input = self
            .client
            .find(Locator::Css(".site-search input"))
            .await
            .unwrap();
        input.clear().await.unwrap();
        input.send_keys(query).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self
                .run(
                    "return Array.from(document.querySelectorAll('#search-results [role=option] a')).map(a => [a.querySelector('.search-title').textContent, a.querySelector('.search-kind').textContent, a.href])",
                )
                .await;
            let found: Vec<(String, String, String)> = serde_json::from_value(found).unwrap();
            if !found.is_empty() {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no search results for {query:?}: {}",
                self.run("return document.querySelector('.search-status').textContent")
                    .await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens the first result of the search shown.
    async fn open_first_result(&self) {
        self.client
            .find(Locator::Css("#search-results [role=option] a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn wait_for_path(&self, suffix: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self
            .client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with(suffix)
        {
            assert!(
                Instant::now() < deadline,
                "never reached {suffix}: at {}",
                self.client.current_url().await.unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Each service of the example's report, by (id, title).
fn services_of(report: &Value) -> Vec<(String, String)> {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["id"].as_str().unwrap().to_string();
            let title = s["title"].as_str().unwrap_or(&id).to_string();
            (id, title)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_a_service_name_finds_it_and_enter_opens_it() {
    let (_guard, site, report) = example_site();
    let services = services_of(&report);
    let browser = Browser::start(1280, 900).await;
    browser.open(&site, "index.html").await;
    collect_script_errors(&browser).await;

    for (id, title) in &services {
        let results = browser.search(title).await;
        let (first_title, kind, href) = &results[0];
        assert_eq!(
            (first_title, kind.as_str()),
            (title, "service"),
            "searching {title:?} finds {results:?}"
        );
        assert!(
            href.ends_with(&format!("/services/{id}/index.html")),
            "{href}"
        );
    }

    // "/" focuses the box from anywhere on the page; ArrowDown and Enter open the result.
    let (id, title) = &services[services.len() / 2];
    browser.run("document.activeElement.blur()").await;
    let body = browser.client.find(Locator::Css("body")).await.unwrap();
    body.send_keys("/").await.unwrap();
    let focused = browser
        .run("return document.activeElement === document.querySelector('.site-search input')")
        .await;
    assert_eq!(focused, true, "/ focuses the search box");
    let results = browser.search(title).await;
    assert!(!results.is_empty());
    let input = browser
        .client
        .find(Locator::Css(".site-search input"))
        .await
        .unwrap();
    input.send_keys("\u{E015}").await.unwrap(); // ArrowDown
    let selected = browser
        .run("const i = document.querySelector('.site-search input'); const o = document.getElementById(i.getAttribute('aria-activedescendant')); return [i.getAttribute('aria-expanded'), o && o.getAttribute('aria-selected')]")
        .await;
    assert_eq!(
        selected,
        json!(["true", "true"]),
        "ArrowDown selects the first result"
    );
    assert_eq!(browser.script_errors().await, Vec::<String>::new());
    input.send_keys("\u{E007}").await.unwrap(); // Enter
    browser
        .wait_for_path(&format!("/services/{id}/index.html"))
        .await;
    let heading = browser
        .run("return document.querySelector('h1').textContent")
        .await;
    assert!(
        heading.as_str().unwrap().contains(title.as_str()),
        "{heading}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_results_link_correctly_from_a_nested_page() {
    let (_guard, site, report) = example_site();
    let services = services_of(&report);
    // A runbook two folders below its service's page, as the example's files have it.
    let (from, runbook) = services
        .iter()
        .find_map(|(id, _)| {
            let folder = crate::harness::repo_root()
                .join("example-services")
                .join(id)
                .join("runbooks");
            let first = std::fs::read_dir(folder).ok()?.flatten().next()?;
            let stem = first.path().file_stem()?.to_string_lossy().into_owned();
            Some((id.clone(), format!("services/{id}/runbooks/{stem}.html")))
        })
        .expect("the example has a runbook");
    let (target, title) = services.iter().find(|(id, _)| *id != from).unwrap();

    let browser = Browser::start(1280, 900).await;
    browser.open(&site, &runbook).await;
    collect_script_errors(&browser).await;
    let results = browser.search(title).await;
    assert_eq!(results[0].0, *title, "{results:?}");
    browser.open_first_result().await;
    browser
        .wait_for_path(&format!("/services/{target}/index.html"))
        .await;
    let heading = browser
        .run("return document.querySelector('h1').textContent")
        .await;
    assert!(
        heading.as_str().unwrap().contains(title.as_str()),
        "{heading}"
    );

    // Escape closes the results without leaving the page.
    browser.open(&site, &runbook).await;
    collect_script_errors(&browser).await;
    browser.search(title).await;
    let input = browser
        .client
        .find(Locator::Css(".site-search input"))
        .await
        .unwrap();
    input.send_keys("\u{E00C}").await.unwrap(); // Escape
    let closed = browser
        .run("return document.getElementById('search-results').hidden")
        .await;
    assert_eq!(closed, true, "Escape closes the results");
    assert_eq!(browser.script_errors().await, Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_title_is_shown_as_text_in_search_results() {
    let book = crate::harness::copy_of(&crate::harness::fixture("graph"));
    let output = crate::harness::opsbook(book.path(), &["build", "--today", crate::harness::TODAY]);
    assert!(
        output.status.success(),
        "{}",
        crate::harness::stderr(&output)
    );
    let title = "<script>alert('x')</script> & \"Friends\"";
    let browser = Browser::start(1280, 900).await;
    browser.open(&book.path().join("book"), "index.html").await;
    collect_script_errors(&browser).await;
    let results = browser.search("friends").await;
    assert_eq!(results[0].0, title, "{results:?}");
    let markup = browser
        .run("return document.querySelectorAll('#search-results .search-title *').length")
        .await;
    assert_eq!(markup, 0, "the title became markup");
    assert_eq!(browser.script_errors().await, Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_results_fit_a_phone_screen() {
    let (_guard, site, report) = example_site();
    let (id, title) = services_of(&report).remove(0);
    let browser = Browser::start(390, 844).await;
    browser
        .open(&site, &format!("services/{id}/index.html"))
        .await;
    // One letter: as many results as the list shows.
    let results = browser.search(&title[..1]).await;
    assert!(results.len() > 1, "{results:?}");
    let overflow = browser
        .run("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "open search results scroll the page sideways by {overflow}px"
    );
    let inside = browser
        .run("const r = document.getElementById('search-results').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth")
        .await;
    assert_eq!(inside, true, "the results stick out of the screen");
    browser.close().await;
}

/// Waits until `script` returns `true` on the open page, or fails saying `what` never came.
async fn wait_until(browser: &Browser, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while browser.run(script).await != true {
        assert!(Instant::now() < deadline, "waited 20 s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_works_on_a_page_with_an_element_named_like_the_search_index() {
    // An element's id is a global of the page until a script sets one of that name.
    let book = tempfile::tempdir().unwrap();
    let doc = |id: &str, title: &str, body: &str| {
        crate::harness::write_file(
            &book.path().join(format!("services/{id}/service.md")),
            &format!("---\nservice: {id}\ntitle: {title}\n---\n{body}\n"),
        );
    };
    doc(
        "raw",
        "Raw clobber",
        "# Raw\n\n<a id=\"opsbookSearchIndex\">x</a>\n",
    );
    doc(
        "heading",
        "Heading clobber",
        "# Heading {#opsbookSearchIndex}\n",
    );
    doc("ledger", "Zanzibar ledger", "# Ledger\n");
    let built = crate::harness::opsbook(book.path(), &["build", "--today", crate::harness::TODAY]);
    assert!(built.status.success(), "{}", crate::harness::stderr(&built));
    let browser = Browser::start(1280, 900).await;
    for page in ["services/raw/index.html", "services/heading/index.html"] {
        browser.open(&book.path().join("book"), page).await;
        let clobbered = browser
            .run("return document.getElementById('opsbookSearchIndex') !== null")
            .await;
        assert_eq!(clobbered, true, "{page} has the element");
        collect_script_errors(&browser).await;
        let results = browser.search("zanzibar").await;
        assert_eq!(results[0].0, "Zanzibar ledger", "{page}: {results:?}");
        assert_eq!(browser.script_errors().await, Vec::<String>::new());
    }
    browser.close().await;
}

/// An SVG opened on its own is a page of the site: what a doc's folder holds must not run.
#[tokio::test(flavor = "multi_thread")]
async fn a_published_svg_runs_no_script_and_a_drawing_looks_as_drawn() {
    use crate::published_files::{DRAWING, EVIL, book_with};
    let book = book_with(&[
        ("evil.svg", EVIL.as_bytes()),
        ("drawing.svg", DRAWING.as_bytes()),
    ]);
    let built = crate::harness::opsbook(book.path(), &["build", "--today", crate::harness::TODAY]);
    assert!(built.status.success(), "{}", crate::harness::stderr(&built));
    let (sources, site) = (
        book.path().join("services/a"),
        book.path().join("book/services/a"),
    );
    let browser = Browser::start(400, 300).await;
    browser.open(&site, "evil.svg").await;
    let shape = browser
        .run("return document.querySelectorAll('rect').length")
        .await;
    assert_eq!(shape, 1, "the image is shown");
    assert_ne!(browser.run("return document.title").await, "pwned");

    browser.open(&sources, "drawing.svg").await;
    let drawn = browser.client.screenshot().await.unwrap();
    browser.open(&site, "drawing.svg").await;
    let published = browser.client.screenshot().await.unwrap();
    assert!(drawn == published, "the published drawing looks different");
    browser.close().await;
}

#[cfg(feature = "serve")]
#[tokio::test(flavor = "multi_thread")]
async fn the_overlay_shows_a_problem_with_markup_in_it_and_reloading_still_works() {
    let book = crate::harness::copy_of(&crate::harness::fixture("levels"));
    let server = crate::serve::Server::start(book.path());
    let browser = Browser::start(1280, 900).await;
    let page = format!("{}services/waived/", server.url);
    browser.client.goto(&page).await.unwrap();
    let doc = book.path().join("services/waived/service.md");
    let good = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, good.replace("tier: 3", "tier: \"<!--<script>\"")).unwrap();
    let overlay_shows_it = "const o = document.getElementById('opsbook-problems'); \
         return !!o && o.textContent.includes('<!--<script>') \
         && o.textContent.includes('error[OB0306]')";
    wait_until(
        &browser,
        "the overlay to show the problem",
        overlay_shows_it,
    )
    .await;
    // A page loaded while the build is broken carries the problem from the start.
    browser.client.goto(&page).await.unwrap();
    wait_until(&browser, "the reloaded page's overlay", overlay_shows_it).await;
    std::fs::write(&doc, good.replace("# waived", "# Fixed while open")).unwrap();
    wait_until(
        &browser,
        "the page to reload with the fix",
        "return document.body.innerText.includes('Fixed while open') && !document.getElementById('opsbook-problems')",
    )
    .await;
    browser.close().await;
}

/// A built page says what it may run, for hosts that send no policy: a script that got into
/// a page by any way (a hole in the sanitiser) does not run, the site's own scripts do; a
/// book that keeps raw HTML keeps its scripts.
#[tokio::test(flavor = "multi_thread")]
async fn a_script_that_got_into_a_built_page_does_not_run_unless_the_book_keeps_raw_html() {
    let browser = Browser::start(1280, 900).await;
    for raw in [false, true] {
        let book = tempfile::tempdir().unwrap();
        crate::harness::write_file(
            &book.path().join("book.toml"),
            &format!("[output]\nallow-raw-html = {raw}\n"),
        );
        crate::harness::write_file(
            &book.path().join("services/a/service.md"),
            "---\nservice: a\n---\n# a\n\n<script>document.body.dataset.doc = 'ran'</script>\n",
        );
        let built =
            crate::harness::opsbook(book.path(), &["build", "--today", crate::harness::TODAY]);
        assert!(built.status.success(), "{}", crate::harness::stderr(&built));
        let page = book.path().join("book/services/a/index.html");
        let html = std::fs::read_to_string(&page).unwrap();
        // What a hole in the sanitiser would let through, written where it would land.
        let injected = html.replacen(
            "</main>",
            "<script>document.body.dataset.injected = 'ran'</script></main>",
            1,
        );
        std::fs::write(&page, injected).unwrap();
        browser
            .open(&book.path().join("book"), "services/a/index.html")
            .await;
        let ran = browser
            .run("return [document.body.dataset.injected || '', document.body.dataset.doc || '', !document.querySelector('.site-search').hidden]")
            .await;
        let expected = if raw {
            json!(["ran", "ran", true])
        } else {
            json!(["", "", true])
        };
        assert_eq!(ran, expected, "allow-raw-html = {raw}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_general_page_is_found_by_search_and_its_tree_leads_through_the_folders() {
    let (_guard, site, _) = crate::general_pages::built_runbook_org();

    let browser = Browser::start(1280, 900).await;
    browser
        .open(&site, "docs/runbooks/general/paging.html")
        .await;
    collect_script_errors(&browser).await;
    let results = browser.search("fail over").await;
    assert_eq!(results[0].0, "Fail over the database", "{results:?}");
    assert_eq!(results[0].1, "page", "{results:?}");
    browser.open_first_result().await;
    browser
        .wait_for_path("/docs/runbooks/database/failover.html")
        .await;
    let current = browser
        .run("return document.querySelector('.doc-tree [aria-current=page]').textContent")
        .await;
    assert_eq!(current, "Fail over the database");

    // Up the tree to the folder's page, which lists what the folder holds.
    browser
        .click(".doc-tree a[href$='database/index.html']")
        .await;
    browser
        .wait_for_path("/docs/runbooks/database/index.html")
        .await;
    let listed = browser
        .run("return Array.from(document.querySelectorAll('.doc-listing a')).map(a => a.textContent)")
        .await;
    assert_eq!(
        listed,
        json!(["Back up the database", "Fail over the database"])
    );
    assert_eq!(browser.script_errors().await, Vec::<String>::new());
    browser.close().await;
}
