//! Data written into JavaScript: the search index, and the problems `serve` shows.
//!
//! JSON is JavaScript, but a script may end up inside an HTML `<script>` element, where the
//! HTML parser reads it first: `</script>` ends the element, and `<!--` followed by
//! `<script` switches it into a state where the real `</script>` no longer ends it, so the
//! page's later scripts never run. So `<`, `>` and `&` are written as `\u` escapes (the HTML
//! parser sees none of them), and so are U+2028 and U+2029, which end a line in older
//! JavaScript engines and so a string literal.

use serde::Serialize;

/// `value` as a JavaScript expression safe anywhere in a script, inline or in a file.
pub(crate) fn json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut script = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => script.push_str("\\u003c"),
            '>' => script.push_str("\\u003e"),
            '&' => script.push_str("\\u0026"),
            '\u{2028}' => script.push_str("\\u2028"),
            '\u{2029}' => script.push_str("\\u2029"),
            c => script.push(c),
        }
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_a_value_can_end_or_derail_a_script_element() {
        let hostile = "<!--<script></script>& \u{2028}\u{2029}\"\\";
        let script = json(&[hostile]);
        for dangerous in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!script.contains(dangerous), "{dangerous:?} in {script}");
        }
        // Outside characters that need it, the text is JSON a script reads back unchanged.
        let back: Vec<String> = serde_json::from_str(&script).unwrap();
        assert_eq!(back, [hostile]);
    }
}
