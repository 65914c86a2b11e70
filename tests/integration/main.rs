//! Integration tests: whole books built and checked through the `opsbook` binary, as a
//! user runs it. Fixture books live in `tests/fixtures/`; the example organisation in
//! `example-services/`.

mod backstage;
mod bad_input;
mod browser;
mod cli;
mod diagrams;
mod example_site;
mod faults;
mod fuzz_regressions;
mod graph;
mod harness;
mod levels;
mod limits;
mod links;
mod paths;
mod publish;
mod raw_html;
mod rules;
#[cfg(feature = "serve")]
mod serve;
mod sources;
