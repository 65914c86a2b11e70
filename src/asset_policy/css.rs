//! CSS inside a published SVG (`<style>` elements, `style` attributes and presentation
//! attributes such as `fill="url(#g)"`): safe when it refers to nothing outside the image.
//!
//! CSS can load other files (`@import`, `url(...)`, `image-set("x.png")`, font `src`) and old
//! browsers ran script from it (`expression()`, `behavior`). Rather than list what is
//! dangerous, the check walks the tokens (cssparser decodes escapes and comments the way
//! browsers do, so `@\69mport` is still `@import`) and accepts only at-rules and functions
//! known to load nothing, and `url()` pointing inside the image (`#id`).

use cssparser::{ParseError, ParseErrorKind, Parser, Token};

/// Nesting of blocks and functions the check follows; real styles nest two or three deep.
/// The walk recurses, so deeper CSS is refused rather than followed.
const MAX_NESTING: usize = 32;

/// At-rules that load nothing. `@import` loads a style sheet; `@namespace` and the rest are
/// never needed inside an image.
const AT_RULES: &[&str] = &[
    "-webkit-keyframes",
    "charset",
    "container",
    "font-face",
    "keyframes",
    "layer",
    "media",
    "supports",
];

/// Functions that compute a value and load nothing. `url()` is checked on its own.
const FUNCTIONS: &[&str] = &[
    "blur",
    "brightness",
    "calc",
    "circle",
    "clamp",
    "color",
    "color-mix",
    "conic-gradient",
    "contrast",
    "counter",
    "counters",
    "cubic-bezier",
    "dir",
    "drop-shadow",
    "ellipse",
    "fit-content",
    "format",
    "grayscale",
    "has",
    "hsl",
    "hsla",
    "hue-rotate",
    "hwb",
    "inset",
    "invert",
    "is",
    "lab",
    "lang",
    "lch",
    "light-dark",
    "linear-gradient",
    "local",
    "matrix",
    "matrix3d",
    "max",
    "min",
    "minmax",
    "not",
    "nth-child",
    "nth-last-child",
    "nth-last-of-type",
    "nth-of-type",
    "oklab",
    "oklch",
    "opacity",
    "path",
    "perspective",
    "polygon",
    "radial-gradient",
    "rect",
    "repeat",
    "repeating-conic-gradient",
    "repeating-linear-gradient",
    "repeating-radial-gradient",
    "rgb",
    "rgba",
    "rotate",
    "rotate3d",
    "rotatex",
    "rotatey",
    "rotatez",
    "saturate",
    "scale",
    "scale3d",
    "scalex",
    "scaley",
    "scalez",
    "sepia",
    "skew",
    "skewx",
    "skewy",
    "steps",
    "tech",
    "translate",
    "translate3d",
    "translatex",
    "translatey",
    "translatez",
    "var",
    "where",
];

/// What in `css` could load another file or run script, described for a person; `None`
/// when it is safe to publish.
pub(crate) fn unsafe_part(css: &str) -> Option<String> {
    walk(&mut Parser::new(css), 0).err().map(describe)
}

type Unsafe = ParseError<String>;

fn unsafe_css(what: String) -> Unsafe {
    ParseError::custom(what)
}

fn describe(error: Unsafe) -> String {
    match error.kind {
        ParseErrorKind::Custom(what) => what,
        // A block the walk left unread; it reads every one.
        ParseErrorKind::Basic(_) => "CSS that cannot be read".into(),
    }
}

fn walk<'i>(parser: &mut Parser<'i>, depth: usize) -> Result<(), Unsafe> {
    while let Ok(token) = parser.next() {
        let token = token.clone();
        match token {
            Token::AtKeyword(name) if !AT_RULES.contains(&name.to_ascii_lowercase().as_str()) => {
                return Err(unsafe_css(format!("the CSS rule `@{name}`")));
            }
            Token::UnquotedUrl(url) => check_url(&url)?,
            Token::BadUrl(_) => {
                return Err(unsafe_css("a malformed CSS `url(`".to_string()));
            }
            Token::Function(name) => {
                let name = name.to_ascii_lowercase();
                if name == "url" {
                    nested(parser, depth, url_argument)?;
                } else if FUNCTIONS.contains(&name.as_str()) {
                    nested(parser, depth, walk)?;
                } else {
                    return Err(unsafe_css(format!("the CSS function `{name}()`")));
                }
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                nested(parser, depth, walk)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn nested<'i>(
    parser: &mut Parser<'i>,
    depth: usize,
    inside: fn(&mut Parser<'i>, usize) -> Result<(), Unsafe>,
) -> Result<(), Unsafe> {
    if depth >= MAX_NESTING {
        return Err(unsafe_css(format!(
            "CSS nested more than {MAX_NESTING} levels deep"
        )));
    }
    parser.parse_nested_block(|inner| inside(inner, depth + 1))
}

/// The inside of `url("...")`.
fn url_argument<'i>(parser: &mut Parser<'i>, _depth: usize) -> Result<(), Unsafe> {
    match parser.next() {
        Ok(Token::QuotedString(url)) => {
            let url = url.clone();
            check_url(&url)
        }
        _ => Err(unsafe_css("a malformed CSS `url(`".to_string())),
    }
}

/// Only references inside the image itself (`url(#gradient)`) load nothing.
fn check_url(url: &str) -> Result<(), Unsafe> {
    if url.trim().starts_with('#') {
        Ok(())
    } else {
        Err(unsafe_css(format!("the CSS `url({url})`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_of_real_images_are_safe() {
        for css in [
            ".a{fill:url(#grad);stroke:rgb(10 20 30 / 50%)} .b>text{font:12px 'Open Sans',sans-serif}",
            "@media (prefers-color-scheme: dark) { .c { fill: hsl(0 0% 90%) } }",
            "@keyframes spin { to { transform: rotate(360deg) } } #x:not(.y){animation:spin 1s steps(4)}",
            "fill: url( \"#g\" ); filter: drop-shadow(0 0 calc(1px + 2px) #000)",
            "@font-face { font-family: x; src: local(Arial) }",
        ] {
            assert_eq!(unsafe_part(css), None, "{css}");
        }
    }

    #[test]
    fn anything_that_loads_or_runs_is_named() {
        for (css, named) in [
            ("@import 'https://evil.example/x.css';", "`@import`"),
            ("@\\69mport url(x.css);", "`@import`"),
            (
                ".a{fill:url(https://evil.example/t.png)}",
                "url(https://evil.example/t.png)",
            ),
            (".a{fill:url('//evil.example/t')}", "url(//evil.example/t)"),
            (".a{background:image-set(\"x.png\" 1x)}", "`image-set()`"),
            (".a{width:expression(alert(1))}", "`expression()`"),
            ("@font-face { src: url(font.woff) }", "url(font.woff)"),
            (".a{fill:u\\72l(x.svg)}", "url(x.svg)"),
        ] {
            let found = unsafe_part(css).unwrap_or_else(|| panic!("{css} passed"));
            assert!(found.contains(named), "{css}: {found}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_followed() {
        let css = "(".repeat(100_000);
        assert_eq!(
            unsafe_part(&css).as_deref(),
            Some("CSS nested more than 32 levels deep")
        );
    }
}
