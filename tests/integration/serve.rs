//! `opsbook serve`: live preview of a temporary copy of a fixture book. Waits are bounded
//! and fail with what was expected; nothing sleeps for a fixed time.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::harness::{TODAY, copy_of, fixture};

const WAIT: Duration = Duration::from_secs(20);

/// A running `opsbook serve`; stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    /// What it prints on its standard output, line by line, after the address.
    lines: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start(book: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_opsbook"))
            .args(["serve", ".", "--port", "0", "--today", TODAY])
            .current_dir(book)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let line = wait_for(&receiver, "the line with the server's address", |l| {
            l.contains(" at http://")
        });
        let url = line.rsplit(" at ").next().unwrap().trim().to_string();
        Server {
            child,
            url,
            lines: receiver,
        }
    }

    /// The address's host and port (`127.0.0.1:40123`).
    fn authority(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    /// The status line and headers of a GET of `path` sent with `Host: host`, as a browser
    /// sends it for whatever name it reached the server by.
    fn head_as(&self, host: &str, path: &str) -> String {
        let mut stream = TcpStream::connect(self.authority()).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut head = String::new();
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if line.is_empty() {
                break;
            }
            head.push_str(&line.to_ascii_lowercase());
            head.push('\n');
        }
        head
    }

    /// The reload script a served page loads: what it shows and when it reloads.
    fn reload_script_of(&self, page: &str) -> String {
        let start = page
            .find("/__opsbook/live-reload.js?")
            .expect("the page loads the reload script");
        let end = start + page[start..].find('"').unwrap();
        self.get(&page[start + 1..end]).1
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(&format!("{}{path}", self.url)).call().unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }

    /// The server-sent events, as (event, data) pairs, from now on.
    fn events(&self) -> Receiver<(String, String)> {
        let response = ureq::get(&format!("{}__opsbook/events", self.url))
            .call()
            .unwrap();
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in BufReader::new(response.into_body().into_reader())
                .lines()
                .map_while(Result::ok)
            {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_string();
                } else if let Some(data) = line.strip_prefix("data: ")
                    && sender.send((event.clone(), data.to_string())).is_err()
                {
                    return;
                }
            }
        });
        receiver
    }
}

/// The first item that satisfies `wanted`, or a failure naming what never came.
fn wait_for<T: std::fmt::Debug>(
    receiver: &Receiver<T>,
    what: &str,
    wanted: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match receiver.recv_timeout(left) {
            Ok(item) if wanted(&item) => return item,
            Ok(item) => seen.push(item),
            Err(_) => break,
        }
    }
    panic!("waited {WAIT:?} for {what}; got only {seen:?}");
}

/// Waits through `reload` events until `done` holds: one change can arrive as several bursts of
/// file events, and so as several rebuilds.
fn reload_until(events: &Receiver<(String, String)>, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_else(|| panic!("waited {WAIT:?} for {what}"));
        match events.recv_timeout(left) {
            Ok(_) => {}
            Err(_) => panic!("waited {WAIT:?} for {what}"),
        }
    }
}

fn edit(book: &Path, file: &str, from: &str, to: &str) {
    let path = book.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks `{from}`");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// Changes the heading of the waived service's doc from `# from` to `# to`, and waits for its
/// page to show the new one.
fn retitle(
    server: &Server,
    events: &Receiver<(String, String)>,
    book: &Path,
    (from, to): (&str, &str),
    what: &str,
) {
    edit(book, DOC, &format!("# {from}"), &format!("# {to}"));
    reload_until(events, what, || {
        server.get("services/waived/").1.contains(to)
    });
}

const DOC: &str = "services/waived/service.md";

#[test]
fn serves_pages_with_the_reload_script_and_its_own_404() {
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let (status, page) = server.get("services/waived/");
    assert_eq!(status, 200);
    assert!(
        server
            .reload_script_of(&page)
            .contains(r#""/__opsbook/events""#),
        "the reload script is added while serving"
    );
    let (status, missing) = server.get("services/nothing/here.html");
    assert_eq!(status, 404);
    assert!(missing.contains("Page not found"), "{missing}");
    assert!(
        missing.contains(r#"href="/assets/opsbook.css""#),
        "the 404 page links from the root, whatever the depth: {missing}"
    );
    assert!(
        !std::fs::read_dir(book.path())
            .unwrap()
            .any(|e| e.unwrap().file_name() == "book"),
        "serve writes nothing"
    );
}

#[test]
fn an_edit_reloads_and_the_page_shows_the_change() {
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    edit(book.path(), DOC, "# waived", "# Waived, now edited");
    reload_until(&events, "the served page to show the edit", || {
        server
            .get("services/waived/index.html")
            .1
            .contains("Waived, now edited")
    });
}

#[test]
fn a_save_that_renames_a_new_file_over_the_doc_reloads() {
    // Many editors save safely: write a temporary file beside the doc, rename it over it.
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    let doc = book.path().join(DOC);
    let text = std::fs::read_to_string(&doc).unwrap();
    let temporary = doc.with_file_name("service.md.new-4913");
    std::fs::write(
        &temporary,
        text.replace("# waived", "# Waived, saved safely"),
    )
    .unwrap();
    std::fs::rename(&temporary, &doc).unwrap();
    reload_until(&events, "the served page to show the save", || {
        server
            .get("services/waived/index.html")
            .1
            .contains("Waived, saved safely")
    });
}

#[test]
fn an_address_problem_stays_reported_while_other_docs_are_saved() {
    // Each doc's front-matter addresses are checked once per parse: a rebuild for another
    // doc's save must still report the problem of the doc that was not saved again.
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    let doc = book.path().join(DOC);
    let text = std::fs::read_to_string(&doc).unwrap();
    let sneaky = text.replacen("---\n", "---\nrepository: \"javascript:alert(1)\"\n", 1);
    std::fs::write(&doc, sneaky).unwrap();
    let is_address_problem = |(event, data): &(String, String)| {
        event == "problems" && data.contains("is a `javascript:` address")
    };
    wait_for(&events, "the address problem", is_address_problem);
    edit(
        book.path(),
        "services/expired/service.md",
        "# expired",
        "# Expired, edited",
    );
    wait_for(
        &events,
        "the problem again after another save",
        is_address_problem,
    );
}

#[test]
fn a_broken_save_keeps_the_old_site_and_shows_the_located_error_until_fixed() {
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    let good = std::fs::read_to_string(book.path().join(DOC)).unwrap();
    std::fs::write(
        book.path().join(DOC),
        "---\nservice: waived\ntier: high\n---\n# Broken\n",
    )
    .unwrap();
    let (_, data) = wait_for(&events, "the problems of the broken save", |(event, _)| {
        event == "problems"
    });
    let message: serde_json::Value = serde_json::from_str(&data).unwrap();
    let problem = &message["problems"][0];
    assert_eq!(
        (
            problem["path"].as_str(),
            problem["line"].as_u64(),
            problem["column"].as_u64()
        ),
        (Some(DOC), Some(3), Some(7))
    );
    let (status, page) = server.get("services/waived/index.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("<h1") && !page.contains("# Broken"),
        "the last good page is still served"
    );
    assert!(
        server
            .reload_script_of(&page)
            .contains("invalid type: string \\\"high\\\""),
        "a reloaded page carries the overlay's problems"
    );

    std::fs::write(
        book.path().join(DOC),
        good.replace("# waived", "# Waived again"),
    )
    .unwrap();
    reload_until(&events, "the fixed page", || {
        server
            .get("services/waived/index.html")
            .1
            .contains("Waived again")
    });
    let (_, page) = server.get("services/waived/index.html");
    assert!(
        server.reload_script_of(&page).ends_with(", []);\n"),
        "the overlay is cleared"
    );
}

#[test]
fn new_and_deleted_services_appear_and_disappear() {
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    let folder = book.path().join("services/brand-new");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("service.md"),
        "---\nservice: brand-new\n---\n# Brand new\n",
    )
    .unwrap();
    reload_until(&events, "the new service's page", || {
        server.get("services/brand-new/").0 == 200
    });
    std::fs::remove_dir_all(book.path().join("services/bronze-ok")).unwrap();
    reload_until(&events, "the deleted service's page to go", || {
        server.get("services/bronze-ok/").0 == 404
    });
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let book = copy_of(&fixture("levels"));
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["serve", ".", "--port", &port])
        .current_dir(book.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is in use")),
        "{stderr}"
    );
}

#[test]
fn a_missing_book_folder_is_a_clear_error() {
    let place = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["serve", "no-such-book", "--port", "0"])
        .current_dir(place.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: there is no book folder no-such-book"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_stops_cleanly() {
    let book = copy_of(&fixture("levels"));
    let mut server = Server::start(book.path());
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn book_toml_moving_the_sources_is_followed() {
    let book = copy_of(&fixture("levels"));
    let elsewhere = book.path().join("elsewhere/moved");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(
        elsewhere.join("service.md"),
        "---\nservice: moved\ntitle: Moved here\n---\n# Moved\n",
    )
    .unwrap();
    let server = Server::start(book.path());
    let events = server.events();
    assert_eq!(server.get("services/moved/").0, 404);
    std::fs::write(
        book.path().join("book.toml"),
        "[book]\nsrc = \"elsewhere\"\n",
    )
    .unwrap();
    reload_until(&events, "the moved source's page", || {
        server.get("services/moved/").1.contains("Moved here")
    });
    assert_eq!(
        server.get("services/waived/").0,
        404,
        "the old source folder is no longer read"
    );
    std::fs::write(
        elsewhere.join("service.md"),
        "---\nservice: moved\ntitle: Edited in the new place\n---\n",
    )
    .unwrap();
    reload_until(&events, "the edit in the new source folder", || {
        server
            .get("services/moved/")
            .1
            .contains("Edited in the new place")
    });
}

#[test]
fn an_edit_is_seen_even_when_size_and_modification_time_stay_the_same() {
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    let path = book.path().join(DOC);
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    // Same length, and the old modification time put back, as a coarse clock would leave it.
    edit(book.path(), DOC, "# waived", "# WAIVED");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(before)
        .unwrap();
    reload_until(&events, "the page to show the same-size edit", || {
        server
            .get("services/waived/index.html")
            .1
            .contains("WAIVED")
    });
}

#[test]
fn diagrams_follow_an_edit_of_the_dependencies() {
    let book = copy_of(&fixture("graph"));
    let server = Server::start(book.path());
    let neighbourhood = |page: &str| {
        let html = server.get(page).1;
        let start = html.find("<svg").expect("the page has a diagram");
        html[start..].split("</svg>").next().unwrap().to_string()
    };
    assert!(!neighbourhood("services/web/").contains("../legacy/index.html"));
    let events = server.events();
    edit(
        book.path(),
        "services/web/service.md",
        "depends_on: [{ service: top, kind: soft }]",
        "depends_on: [{ service: top, kind: soft }, legacy]",
    );
    reload_until(&events, "web's diagram to show its new dependency", || {
        neighbourhood("services/web/").contains("../legacy/index.html")
    });
    assert!(
        neighbourhood("services/legacy/").contains("../web/index.html"),
        "legacy's page draws its new dependent"
    );
}

#[test]
fn a_deeply_nested_dot_block_saved_while_serving_is_shown_as_code_and_the_server_lives() {
    // 3,000 nested subgraphs (39 KB) overflowed the 2 MiB stack of the thread that rebuilds
    // and killed the server.
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let events = server.events();
    let nested = format!(
        "# waived\n\n```dot\ndigraph {{\n{}a -> b\n{}}}\n```\n",
        "subgraph {\n".repeat(3_000),
        "}\n".repeat(3_000)
    );
    edit(book.path(), DOC, "# waived", &nested);
    reload_until(&events, "the page to show the block as code", || {
        let (status, page) = server.get("services/waived/index.html");
        status == 200 && page.contains("subgraph {")
    });
}

#[test]
fn every_answer_forbids_sniffing_and_inline_script_and_a_published_svg_runs_nothing() {
    let book = copy_of(&fixture("levels"));
    std::fs::write(
        book.path().join("services/waived/evil.svg"),
        crate::published_files::EVIL,
    )
    .unwrap();
    let server = Server::start(book.path());
    let host = server.authority().to_string();
    let page = server.head_as(&host, "/services/waived/");
    assert!(page.starts_with("http/1.1 200"), "{page}");
    assert!(
        page.contains("content-security-policy: default-src 'self'; script-src 'self';"),
        "pages run only the site's own scripts: {page}"
    );
    let svg = server.head_as(&host, "/services/waived/evil.svg");
    assert!(svg.starts_with("http/1.1 200"), "{svg}");
    assert!(
        svg.contains("content-security-policy: default-src 'none';") && svg.contains("sandbox"),
        "a file opened on its own runs nothing, in an origin of its own: {svg}"
    );
    let (_, body) = server.get("services/waived/evil.svg");
    assert!(!body.contains("pwned"), "{body}");
    for path in [
        "/services/waived/",
        "/services/waived/evil.svg",
        "/assets/opsbook.js",
        "/no/such/page.html",
        "/__opsbook/live-reload.js?generation=1",
    ] {
        let head = server.head_as(&host, path);
        assert!(
            head.contains("x-content-type-options: nosniff")
                && head.contains("content-security-policy: "),
            "{path}: {head}"
        );
    }
}

#[test]
fn requests_for_another_name_are_refused_as_dns_rebinding() {
    let book = copy_of(&fixture("levels"));
    let server = Server::start(book.path());
    let port = server.authority().rsplit(':').next().unwrap().to_string();
    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let head = server.head_as(&host, "/services/waived/");
        assert!(head.starts_with("http/1.1 200"), "{host}: {head}");
    }
    for path in [
        "/services/waived/",
        "/__opsbook/events",
        "/assets/opsbook.js",
    ] {
        for host in [format!("evil.example:{port}"), "evil.example".to_string()] {
            let head = server.head_as(&host, path);
            assert!(head.starts_with("http/1.1 403"), "{host}{path}: {head}");
        }
    }
}

#[test]
fn a_deleted_book_folder_is_reported_and_followed_when_it_comes_back() {
    let holder = tempfile::tempdir().unwrap();
    let book = holder.path().join("book");
    crate::harness::copy_dir(&fixture("levels"), &book);
    let server = Server::start(&book);
    let events = server.events();
    std::fs::remove_dir_all(&book).unwrap();
    let removed = "was removed; waiting for it to come back";
    wait_for(&server.lines, "the terminal to say the book is gone", |l| {
        l.contains(removed)
    });
    wait_for(
        &events,
        "the overlay to say the book is gone",
        |(event, data)| event == "problems" && data.contains(removed),
    );
    let (status, page) = server.get("services/waived/");
    assert_eq!(status, 200, "the last good site is still served");
    assert!(server.reload_script_of(&page).contains(removed));

    crate::harness::copy_dir(&fixture("levels"), &book);
    retitle(
        &server,
        &events,
        &book,
        ("waived", "Waived, back again"),
        "the book to be read again",
    );
    retitle(
        &server,
        &events,
        &book,
        ("Waived, back again", "Waived, and watched"),
        "an edit in the folder that came back",
    );
}

#[test]
fn a_book_folder_deleted_and_made_again_at_once_is_still_followed() {
    // As `rm -r book && cp -r backup book` does: one burst of events, a new folder.
    let holder = tempfile::tempdir().unwrap();
    let book = holder.path().join("book");
    crate::harness::copy_dir(&fixture("levels"), &book);
    let server = Server::start(&book);
    let events = server.events();
    std::fs::remove_dir_all(&book).unwrap();
    crate::harness::copy_dir(&fixture("levels"), &book);
    retitle(
        &server,
        &events,
        &book,
        ("waived", "Waived, in the new folder"),
        "the new folder to be read",
    );
    retitle(
        &server,
        &events,
        &book,
        ("Waived, in the new folder", "Waived, edited there"),
        "an edit in the new folder",
    );
}

#[test]
fn general_pages_and_linked_files_are_served_as_a_static_host_would() {
    let book = copy_of(&fixture("runbook-org"));
    let server = Server::start(book.path());
    let host = server.authority().to_string();
    let (status, page) = server.get("docs/runbooks/general/paging.html");
    assert_eq!(status, 200);
    assert!(page.contains("Paging the right team"), "{page}");
    for (path, content_type) in [
        (
            "/services/gitaly/layout.pdf",
            "content-type: application/pdf",
        ),
        (
            "/docs/runbooks/general/alerts.yaml",
            "content-type: text/plain; charset=utf-8",
        ),
    ] {
        let head = server.head_as(&host, path);
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains(content_type), "{path}: {head}");
        assert!(
            head.contains("x-content-type-options: nosniff") && head.contains("sandbox"),
            "{path}: {head}"
        );
    }
}
