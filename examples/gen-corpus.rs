//! Generates a realistic, deterministic organisation of service docs for benchmarks.
//!
//! `cargo run --release --example gen-corpus -- --services 1000 --seed 7 --out /tmp/org`
//!
//! Tiers 1-4, systems of 10-30 services, a dependency DAG with about three dependencies per
//! service (hard and soft), a few hubs that hundreds depend on, a few cycles, readiness that
//! varies from none to gold, 2-5 KB Markdown bodies (headings, tables, lists, code, a ```dot
//! block in about a fifth of them) and 0-3 runbook pages per service.
//!
//! With `--peers DIR` it also writes the same pages as sources for the tools `bench/run.sh`
//! compares against: `DIR/hugo` (a Hugo site with minimal layouts), `DIR/mdbook` (a book whose
//! `src/SUMMARY.md` lists every page) and `DIR/mkdocs` (`mkdocs.yml` and `docs/`, no nav, so
//! MkDocs lists every page itself). The book in `--out` is the same with or without it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Parser;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Parser)]
struct Args {
    /// Number of services.
    #[arg(long, default_value_t = 1000)]
    services: usize,
    /// Seed: the same seed gives the same organisation.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder to write the book into (book.toml and services/).
    #[arg(long)]
    out: PathBuf,
    /// Also write the same pages for Hugo, mdBook and MkDocs into this folder.
    #[arg(long)]
    peers: Option<PathBuf>,
}

/// One service's pages, as written for opsbook, kept to write them again for the peers.
struct Pages {
    id: String,
    title: String,
    /// `service.md`: YAML front matter and Markdown body.
    doc: String,
    /// `runbooks/page-N.md`, in order.
    runbooks: Vec<String>,
}

const WORDS: &[&str] = &[
    "request",
    "latency",
    "queue",
    "cache",
    "replica",
    "shard",
    "deploy",
    "rollback",
    "timeout",
    "retry",
    "budget",
    "alert",
    "dashboard",
    "throughput",
    "partition",
    "consumer",
    "schema",
    "migration",
    "token",
    "session",
    "checkout",
    "inventory",
    "payment",
    "search",
    "index",
    "pipeline",
    "worker",
    "batch",
];

fn sentence(rng: &mut ChaCha8Rng, words: usize) -> String {
    let mut text = String::new();
    for i in 0..words {
        let word = WORDS[rng.random_range(0..WORDS.len())];
        if i == 0 {
            let mut chars = word.chars();
            text.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            text.push_str(chars.as_str());
        } else {
            text.push(' ');
            text.push_str(word);
        }
    }
    text.push('.');
    text
}

fn id(index: usize) -> String {
    format!("svc-{index:05}")
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let n = args.services;
    let services = args.out.join("services");
    std::fs::create_dir_all(&services)?;
    std::fs::write(
        args.out.join("book.toml"),
        format!("[book]\ntitle = \"Generated organisation ({n} services)\"\nsrc = \"services\"\n"),
    )?;
    // Kept only when the peers need them: the pages of 10,000 services are about 60 MB.
    let mut all_pages = Vec::new();
    let hubs = (n / 200).max(2);
    let mut system = 0;
    let mut left_in_system = 0;
    for index in 0..n {
        if left_in_system == 0 {
            system += 1;
            left_in_system = rng.random_range(10..=30);
        }
        left_in_system -= 1;
        let doc = service_doc(&mut rng, index, n, hubs, system);
        let folder = services.join(id(index));
        std::fs::create_dir_all(folder.join("runbooks"))?;
        let pages = rng.random_range(0..=3);
        let mut runbooks = Vec::new();
        // The doc's recovery runbook must exist, or the book has a dead link. Written without
        // the generator so every other file stays the same for a seed.
        if pages == 0 && doc.contains("runbooks/page-0.md") {
            let text = format!(
                "# Database down: {}\n\nFail over, then page the owner.\n",
                id(index)
            );
            std::fs::write(folder.join("runbooks/page-0.md"), &text)?;
            runbooks.push(text);
        }
        std::fs::write(folder.join("service.md"), &doc)?;
        for page in 0..pages {
            let mut text = format!("# Runbook {page} of {}\n\n", id(index));
            for step in 1..=6 {
                let _ = writeln!(text, "{step}. {}", sentence(&mut rng, 10));
            }
            let _ = writeln!(
                text,
                "\n```sh\nkubectl -n prod rollout restart deploy/{}\n```",
                id(index)
            );
            std::fs::write(
                folder.join("runbooks").join(format!("page-{page}.md")),
                &text,
            )?;
            runbooks.push(text);
        }
        if args.peers.is_some() {
            all_pages.push(Pages {
                id: id(index),
                title: format!("Service {index}"),
                doc,
                runbooks,
            });
        }
    }
    if let Some(peers) = &args.peers {
        write_hugo(&peers.join("hugo"), n, &all_pages)?;
        write_mdbook(&peers.join("mdbook"), n, &all_pages)?;
        write_mkdocs(&peers.join("mkdocs"), n, &all_pages)?;
    }
    Ok(())
}

/// The Markdown body of a service doc, without its front matter: for tools that would
/// otherwise print the YAML as text.
fn body_of(doc: &str) -> &str {
    doc.strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(doc, |(_, body)| body)
}

/// A Hugo site: the docs unchanged under `content/` (Hugo reads their YAML front matter and
/// keeps the fields it does not know as page parameters), the same folder layout as the book,
/// and the smallest layouts that make a page of every doc and a list of every section.
fn write_hugo(root: &std::path::Path, n: usize, pages: &[Pages]) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("layouts/_default"))?;
    std::fs::write(
        root.join("config.toml"),
        format!(
            "baseURL = \"https://example.org/\"\ntitle = \"Generated organisation ({n} services)\"\n\
             # No taxonomies: the docs have none, and opsbook builds none.\n\
             disableKinds = [\"taxonomy\", \"term\"]\n"
        ),
    )?;
    std::fs::write(
        root.join("layouts/_default/single.html"),
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{{ .Title }} | {{ .Site.Title }}</title></head>\n\
         <body><nav><a href=\"{{ \"/\" | relURL }}\">{{ .Site.Title }}</a></nav>\n\
         <main>{{ .Content }}</main></body></html>\n",
    )?;
    std::fs::write(
        root.join("layouts/_default/list.html"),
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{{ .Title }}</title></head>\n<body><h1>{{ .Title }}</h1><ul>\n\
         {{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>\n{{ end }}\
         </ul></body></html>\n",
    )?;
    for page in pages {
        let folder = root.join("content/services").join(&page.id);
        std::fs::create_dir_all(folder.join("runbooks"))?;
        std::fs::write(folder.join("service.md"), &page.doc)?;
        for (number, text) in page.runbooks.iter().enumerate() {
            std::fs::write(folder.join(format!("runbooks/page-{number}.md")), text)?;
        }
    }
    Ok(())
}

/// An mdBook book: mdBook renders front matter as text, so the service pages keep only their
/// body, and `src/SUMMARY.md` lists every page (mdBook builds only the pages it lists).
fn write_mdbook(root: &std::path::Path, n: usize, pages: &[Pages]) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("src"))?;
    std::fs::write(
        root.join("book.toml"),
        format!("[book]\ntitle = \"Generated organisation ({n} services)\"\nsrc = \"src\"\n"),
    )?;
    let mut summary = String::from("# Summary\n\n");
    for page in pages {
        let folder = root.join("src/services").join(&page.id);
        std::fs::create_dir_all(folder.join("runbooks"))?;
        std::fs::write(folder.join("service.md"), body_of(&page.doc))?;
        let _ = writeln!(
            summary,
            "- [{}](services/{}/service.md)",
            page.title, page.id
        );
        for (number, text) in page.runbooks.iter().enumerate() {
            std::fs::write(folder.join(format!("runbooks/page-{number}.md")), text)?;
            let _ = writeln!(
                summary,
                "  - [Runbook {number} of {}](services/{}/runbooks/page-{number}.md)",
                page.id, page.id
            );
        }
    }
    std::fs::write(root.join("src/SUMMARY.md"), summary)
}

/// An MkDocs project: the docs unchanged under `docs/` (MkDocs reads YAML front matter as page
/// metadata) and no `nav`, so MkDocs builds its navigation from the folders, the default.
fn write_mkdocs(root: &std::path::Path, n: usize, pages: &[Pages]) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::write(
        root.join("mkdocs.yml"),
        format!("site_name: Generated organisation ({n} services)\ndocs_dir: docs\n"),
    )?;
    // MkDocs wants a home page; the other tools make their own.
    std::fs::write(
        root.join("docs/index.md"),
        format!("# Generated organisation\n\n{n} services.\n"),
    )?;
    for page in pages {
        let folder = root.join("docs/services").join(&page.id);
        std::fs::create_dir_all(folder.join("runbooks"))?;
        std::fs::write(folder.join("service.md"), &page.doc)?;
        for (number, text) in page.runbooks.iter().enumerate() {
            std::fs::write(folder.join(format!("runbooks/page-{number}.md")), text)?;
        }
    }
    Ok(())
}

fn service_doc(rng: &mut ChaCha8Rng, index: usize, n: usize, hubs: usize, system: usize) -> String {
    let tier = [1, 2, 2, 3, 3, 3, 4][rng.random_range(0..7)];
    // How ready this service is: the chance that each readiness field is filled in.
    let maturity: f64 = rng.random_range(0.2..1.0);
    let has = |rng: &mut ChaCha8Rng| rng.random_bool(maturity);
    let mut doc = String::from("---\n");
    let _ = writeln!(doc, "service: {}", id(index));
    let _ = writeln!(
        doc,
        "title: Service {index}\ndescription: {}",
        sentence(rng, 12)
    );
    let _ = writeln!(doc, "tier: {tier}\nsystem: sys-{system:03}");
    if index.is_multiple_of(97) && index > 0 {
        doc.push_str("lifecycle: deprecated\n");
    }
    if has(rng) {
        doc.push_str("reviewed: 2026-10-01\n");
    }
    let _ = writeln!(doc, "owner:\n  team: team-{}", system % 40);
    if has(rng) {
        let _ = writeln!(
            doc,
            "  email: team-{}@example.com\n  oncall: https://oncall.example.com/{system}",
            system % 40
        );
    }
    if has(rng) {
        doc.push_str(
            "contacts:\n  - { name: Alex Example, email: alex@example.com, role: tech lead }\n",
        );
    }
    doc.push_str("depends_on:\n");
    for _ in 0..rng.random_range(0..=6) {
        if index == 0 {
            break;
        }
        let target = if rng.random_bool(0.15) {
            rng.random_range(0..hubs.min(index))
        } else {
            rng.random_range(0..index)
        };
        let kind = if rng.random_bool(0.7) { "hard" } else { "soft" };
        let _ = writeln!(doc, "  - {{ service: {}, kind: {kind} }}", id(target));
    }
    // A few cycles: an early service depending back on a later one.
    if index % 211 == 5 && index + 3 < n {
        let _ = writeln!(doc, "  - {{ service: {}, kind: hard }}", id(index + 3));
    }
    if rng.random_bool(0.1) {
        doc.push_str("  - { external: stripe, kind: hard }\n");
    }
    if has(rng) {
        doc.push_str("monitoring:\n  dashboard: https://grafana.example.com/d/x\n  metrics: [host, application, logs]\n  alerts:\n    - { name: Errors, level: emergency }\n    - { name: Latency, level: important }\n    - { name: Lag, level: observed }\n");
        if has(rng) {
            doc.push_str("  slo: { availability: \"99.9%\" }\n");
        }
    }
    if has(rng) {
        doc.push_str("logs: { location: stdout, format: json, rotated: true, central: https://logs.example.com }\n");
    }
    if has(rng) {
        doc.push_str("operations: { start: \"kubectl scale --replicas=3\", stop: \"kubectl scale --replicas=0\", performance_config: [] }\n");
    }
    if has(rng) {
        doc.push_str("runbooks:\n  routine: [{ task: Rotate keys, cadence: monthly }]\n  recovery: [{ failure: Database down, link: runbooks/page-0.md }]\n");
    }
    let flag = |rng: &mut ChaCha8Rng| {
        if rng.random_bool(maturity) {
            "true"
        } else {
            "false"
        }
    };
    let _ = writeln!(
        doc,
        "testing: {{ unit: {}, integration: {}, uat: {}, load: {}, performance: {}, stress: {} }}",
        flag(rng),
        flag(rng),
        flag(rng),
        flag(rng),
        flag(rng),
        flag(rng)
    );
    if has(rng) {
        let _ = writeln!(
            doc,
            "scaling: {{ strategy: autoscale on CPU, tested_multiplier: {} }}",
            rng.random_range(1..=20)
        );
    }
    if has(rng) {
        doc.push_str("runtime: { delivery: container, config_from_env: true, health_endpoint: /healthz, metrics: [counters, timers, gauges] }\n");
    }
    doc.push_str("---\n");
    body(rng, index, &mut doc);
    doc
}

fn body(rng: &mut ChaCha8Rng, index: usize, doc: &mut String) {
    let _ = writeln!(doc, "# Service {index}\n\n{}\n", sentence(rng, 40));
    for section in ["How it works", "Operations", "History"] {
        let _ = writeln!(doc, "## {section}\n");
        for _ in 0..rng.random_range(2..5) {
            let _ = writeln!(doc, "{}\n", sentence(rng, 30));
        }
        let _ = writeln!(
            doc,
            "- {}\n- {}\n- {}\n",
            sentence(rng, 8),
            sentence(rng, 8),
            sentence(rng, 8)
        );
    }
    doc.push_str("| metric | target | owner |\n|---|---|---|\n");
    for _ in 0..4 {
        let _ = writeln!(
            doc,
            "| {} | {} ms | team |",
            WORDS[rng.random_range(0..WORDS.len())],
            rng.random_range(10..900)
        );
    }
    let _ = writeln!(
        doc,
        "\n```yaml\nreplicas: {}\nmemory: 512Mi\n```\n",
        rng.random_range(2..12)
    );
    if rng.random_bool(0.2) {
        doc.push_str("## Architecture\n\n```dot\ndigraph {\n  api -> worker;\n  worker -> db;\n  api -> cache;\n}\n```\n");
    }
}
