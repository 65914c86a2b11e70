//! book.toml text, read as `config::load` reads it once the file is open. book.toml is trusted
//! (SECURITY.md), but a typo in it must still be a located error, never a crash.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use opsbook::config;
use opsbook::diag::Diagnostics;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut diagnostics = Diagnostics::new();
    let config = config::from_text(Path::new("/nonexistent/book"), text, &mut diagnostics);
    for diagnostic in diagnostics.sorted() {
        let _ = diagnostic.to_string();
    }
    for source in &config.sources {
        let _ = source.includes("team/service.md");
    }
});
