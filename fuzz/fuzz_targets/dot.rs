//! A ```dot block as a page draws it: checked (as `opsbook check` does), then parsed, laid out
//! and drawn. layout-rs panics on some input; opsbook must turn that into a `DrawError`.
//! Slow layouts count too: libFuzzer reports an input that takes longer than `-timeout`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::diagram::{self, DrawError};

/// Why a block was not parsed, if it was not.
fn unparsed(error: Option<&DrawError>) -> Option<&'static str> {
    match error? {
        DrawError::Syntax { .. } => Some("syntax"),
        DrawError::TooDeep { .. } => Some("too deep"),
        _ => None,
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return;
    };
    let checked = diagram::check_dot(source);
    let drawn = diagram::draw_dot(source, "fuzz");
    if let Err(error) = &drawn {
        let _ = error.to_string();
    }
    // The check and the drawing must agree on what does not parse and on what nests too
    // deep to parse: `check` warns about exactly the blocks the site shows as code.
    assert_eq!(
        unparsed(checked.as_ref().err()),
        unparsed(drawn.as_ref().err()),
        "check_dot: {checked:?}, draw_dot: {drawn:?}"
    );
    if let Ok(svg) = drawn {
        assert!(svg.starts_with("<svg"), "{svg}");
    }
});
