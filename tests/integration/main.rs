//! Integration tests: whole books built and checked through the `opsbook` binary, as a
//! user runs it. Fixture books live in `tests/fixtures/`; the example organisation in
//! `example-services/`.

mod backstage;
mod bad_input;
mod book;
mod browser;
mod catalog_reading;
mod cli;
mod diagnostics_doc;
mod diagrams;
mod diff;
mod docs_tree;
mod example_site;
mod faults;
mod fuzz_regressions;
mod general_pages;
mod git_book;
mod graph;
mod graph_shapes;
mod harness;
mod history;
mod imports;
mod levels;
mod limits;
mod links;
mod located;
mod output_folder;
mod paths;
mod publish;
mod published_files;
mod raw_html;
mod rebuild;
mod rules;
#[cfg(feature = "serve")]
mod serve;
mod snapshots;
mod sources;
