//! Search index: documents of the site in, one JavaScript file out.
//!
//! Plain data only: the site decides what the documents are (services, pages, checks, teams)
//! and this module turns them into an index the theme's `search.js` reads. The index is a
//! script assigning a global, not JSON to fetch, because browsers refuse `fetch()` of local
//! files and the site must work opened from disk.
//!
//! Layout (see `themes/default/assets/search.js`, which must agree):
//! - `docs`: `[kind, title, url, context]` per document, `url` relative to the site root;
//! - `terms`: every indexed word, sorted, so a typed prefix is a binary search away;
//! - `postings`: per term, `[doc, score, doc, score, ...]` with each doc number stored as the
//!   difference from the previous one (small numbers keep the file small);
//! - `stop`: the words left out of the index.
//!
//! A word's score in a document adds up where it occurs: in the title far above in the
//! keywords (team, tier, system, ...), and those above the body, where repeats count a little.
//! `search.js` weighs rare words above common ones when it adds up a query.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::site::script;

/// Where the index is published, relative to the site root.
pub(crate) const PATH: &str = "search-index.js";

/// What a document is; shown beside each result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Service,
    Page,
    Check,
    Team,
}

/// One thing a search can find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    pub(crate) kind: Kind,
    pub(crate) title: String,
    /// Relative to the site root; the page that shows the result prefixes its way back there.
    pub(crate) url: String,
    /// A few words shown under the title: the team, or the service a page belongs to.
    pub(crate) context: String,
    /// Words that name the document besides its title (ids, team, tier, system).
    pub(crate) keywords: String,
    pub(crate) body: String,
}

/// A word of a one-word title scores this; of longer titles less (a short title that
/// matches is more likely what was meant: `Payments` before `Payments provider down`), but
/// always more than a keyword.
const TITLE_SCORE: u32 = 24;
const KEYWORD_SCORE: u32 = 5;
/// A word repeated all over a body says little more than one said a few times.
const BODY_REPEATS_COUNTED: u32 = 3;

/// Longer "words" are hashes, URLs' insides and base64: nobody types them, and they would
/// swell the index.
const LONGEST_TERM: usize = 32;

/// Words so common in English prose that they find everything and so help nothing. Sorted:
/// every word of every document is looked up here, by binary search.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "into", "is", "it",
    "its", "of", "on", "or", "so", "that", "the", "then", "there", "this", "to", "was", "we",
    "when", "with",
];

/// Bytes in the longest of [`STOP_WORDS`].
const LONGEST_STOP_WORD: usize = 5;

/// The words of `text` as the index and `search.js` both see them: lower-case runs of
/// letters and digits. Everything else separates words, so `legacy-pricing` is two words and
/// typing either finds it.
fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        // Most words already are lower case: no copy for them.
        .map(|word| {
            if word.chars().any(char::is_uppercase) {
                Cow::Owned(word.to_lowercase())
            } else {
                Cow::Borrowed(word)
            }
        })
}

/// Words worth a place in the index.
fn terms(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    // Cheap byte-length tests first: a word of at most LONGEST_TERM bytes has at most as many
    // characters, and no stop word is longer than five bytes. At 1,000 services this took
    // the filter from 30 to 18 ms.
    words(text).filter(|word| {
        (word.len() <= LONGEST_TERM || word.chars().count() <= LONGEST_TERM)
            && (word.len() > LONGEST_STOP_WORD || STOP_WORDS.binary_search(&&**word).is_err())
    })
}

/// One term's (document number, score) pairs, by document number.
type Postings = Vec<(u32, u32)>;

/// The index in memory, before it is written out.
#[derive(Debug, Serialize)]
pub(crate) struct Index<'a> {
    docs: Vec<(Kind, &'a str, &'a str, &'a str)>,
    terms: Vec<Cow<'a, str>>,
    postings: Vec<Vec<u32>>,
    /// So `search.js` can skip them in a query instead of finding nothing for them.
    stop: &'static [&'static str],
}

impl<'a> Index<'a> {
    /// Indexes `documents`; results refer to them by their position.
    pub(crate) fn build(documents: &'a [Document]) -> Index<'a> {
        // Documents are read in parallel; merging in document order keeps each term's
        // postings sorted by document.
        let scored: Vec<Vec<(Cow<str>, u32)>> = documents.par_iter().map(scores).collect();
        let mut postings: HashMap<Cow<str>, Postings> = HashMap::new();
        for (number, terms) in scored.into_iter().enumerate() {
            let number = u32::try_from(number).unwrap_or(u32::MAX);
            for (term, score) in terms {
                postings.entry(term).or_default().push((number, score));
            }
        }
        // Sorted terms make a typed prefix a binary search away, in the order JavaScript
        // compares strings: by UTF-16 code unit, which puts letters beyond U+FFFF before
        // U+E000-U+FFFF where Rust's byte order puts them after.
        let mut postings: Vec<(Cow<str>, Postings)> = postings.into_iter().collect();
        postings.par_sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        let (terms, postings) = postings
            .into_iter()
            .map(|(term, list)| {
                let mut previous = 0;
                let flat = list
                    .into_iter()
                    .flat_map(|(number, score)| {
                        let delta = number - previous;
                        previous = number;
                        [delta, score]
                    })
                    .collect();
                (term, flat)
            })
            .unzip();
        Index {
            docs: documents
                .iter()
                .map(|d| (d.kind, d.title.as_str(), d.url.as_str(), d.context.as_str()))
                .collect(),
            terms,
            postings,
            stop: STOP_WORDS,
        }
    }

    /// The index as a script that sets `window.opsbookSearchIndex` (see
    /// [`script::json`]: nothing in users' text can end the script or the string it is in).
    pub(crate) fn to_script(&self) -> Vec<u8> {
        format!("window.opsbookSearchIndex = {};\n", script::json(self)).into_bytes()
    }
}

/// Each term of a document with its score there.
fn scores(document: &Document) -> Vec<(Cow<'_, str>, u32)> {
    // (score as a name, occurrences in the body)
    let mut scores: HashMap<Cow<str>, (u32, u32)> = HashMap::new();
    let title: Vec<Cow<str>> = terms(&document.title).collect();
    let title_score = (TITLE_SCORE * 2 / (title.len() as u32 + 1)).max(KEYWORD_SCORE + 1);
    for term in title {
        scores.entry(term).or_default().0 = title_score;
    }
    for term in terms(&document.keywords) {
        let score = &mut scores.entry(term).or_default().0;
        *score = (*score).max(KEYWORD_SCORE);
    }
    for term in terms(&document.body) {
        scores.entry(term).or_default().1 += 1;
    }
    scores
        .into_iter()
        .map(|(term, (named, repeats))| (term, named + repeats.min(BODY_REPEATS_COUNTED)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(kind: Kind, title: &str, keywords: &str, body: &str) -> Document {
        Document {
            kind,
            title: title.into(),
            url: format!("services/{}/index.html", title.to_lowercase()),
            context: "payments".into(),
            keywords: keywords.into(),
            body: body.into(),
        }
    }

    /// What `search.js` does with a typed word: every term it starts, by binary search over
    /// the sorted terms, and the documents (with scores) under them.
    fn lookup(index: &Index, prefix: &str) -> Vec<(String, u32)> {
        let start = index
            .terms
            .partition_point(|t| t.encode_utf16().lt(prefix.encode_utf16()));
        let mut found = Vec::new();
        for (term, postings) in index.terms[start..].iter().zip(&index.postings[start..]) {
            if !term.starts_with(prefix) {
                break;
            }
            let mut number = 0;
            for pair in postings.chunks(2) {
                number += pair[0];
                found.push((index.docs[number as usize].1.to_string(), pair[1]));
            }
        }
        found
    }

    #[test]
    fn words_are_lower_case_runs_of_letters_and_digits() {
        let found: Vec<String> = words("Legacy-Pricing: tier 1, Zürich's p99_latency")
            .map(Cow::into_owned)
            .collect();
        assert_eq!(
            found,
            [
                "legacy", "pricing", "tier", "1", "zürich", "s", "p99", "latency"
            ]
        );
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(STOP_WORDS.iter().all(|w| w.len() <= LONGEST_STOP_WORD));
    }

    #[test]
    fn stop_words_and_very_long_words_are_not_indexed() {
        let documents = [document(
            Kind::Page,
            "Rotate",
            "",
            &format!(
                "the keys and {} {}",
                "x".repeat(LONGEST_TERM + 1),
                "ü".repeat(LONGEST_TERM)
            ),
        )];
        let index = Index::build(&documents);
        // Length is counted in characters, not bytes: the ü-word is as long as allowed.
        assert_eq!(index.terms, ["keys", "rotate", &"ü".repeat(LONGEST_TERM)]);
    }

    #[test]
    fn a_prefix_finds_every_word_it_starts() {
        let documents = [
            document(Kind::Service, "Checkout", "", "pays through payments"),
            document(Kind::Service, "Cart", "", "holds items before checking out"),
            document(Kind::Service, "Shipping", "", "nothing in common"),
        ];
        let index = Index::build(&documents);
        let titles = |prefix| {
            let mut t: Vec<String> = lookup(&index, prefix).into_iter().map(|f| f.0).collect();
            t.sort();
            t.dedup();
            t
        };
        assert_eq!(titles("check"), ["Cart", "Checkout"]);
        assert_eq!(titles("pay"), ["Checkout"]);
        assert_eq!(titles("c"), ["Cart", "Checkout", "Shipping"]);
        assert!(titles("zebra").is_empty());
    }

    #[test]
    fn titles_weigh_more_than_keywords_and_keywords_more_than_body() {
        let documents = [
            document(
                Kind::Page,
                "About",
                "",
                "payments payments payments payments payments payments",
            ),
            document(Kind::Service, "Payments", "", ""),
            document(Kind::Service, "Checkout", "payments", ""),
        ];
        let index = Index::build(&documents);
        let mut found = lookup(&index, "payments");
        found.sort_by_key(|f| std::cmp::Reverse(f.1));
        let order: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(order, ["Payments", "Checkout", "About"]);
    }

    #[test]
    fn a_short_title_ranks_above_a_longer_one_with_the_same_word() {
        let documents = [
            document(Kind::Page, "Payments provider down", "", ""),
            document(Kind::Service, "Payments", "", ""),
        ];
        let index = Index::build(&documents);
        let mut found = lookup(&index, "payments");
        found.sort_by_key(|f| std::cmp::Reverse(f.1));
        assert_eq!(found[0].0, "Payments");
    }

    #[test]
    fn terms_are_in_javascript_string_order() {
        // U+F900 is a CJK compatibility ideograph, U+20000 a CJK extension B one: UTF-8 puts
        // the second after the first, JavaScript (UTF-16) before.
        let documents = [document(Kind::Page, "\u{F900} \u{20000} a1", "", "")];
        let index = Index::build(&documents);
        assert_eq!(index.terms, ["a1", "\u{20000}", "\u{F900}"]);
        assert_eq!(lookup(&index, "\u{F900}").len(), 1);
    }

    #[test]
    fn postings_store_gaps_between_document_numbers() {
        let documents = [
            document(Kind::Team, "alpha", "", "shared"),
            document(Kind::Team, "beta", "", ""),
            document(Kind::Team, "gamma", "", "shared"),
        ];
        let index = Index::build(&documents);
        let shared = index.terms.iter().position(|t| t == "shared").unwrap();
        assert_eq!(index.postings[shared], [0, 1, 2, 1]);
    }

    #[test]
    fn hostile_text_cannot_end_the_script() {
        let hostile = "</script><script>alert(1)</script>\"; alert(2); \"\u{2028}";
        let documents = [document(Kind::Service, hostile, hostile, hostile)];
        let script = String::from_utf8(Index::build(&documents).to_script()).unwrap();
        for dangerous in ["<", ">", "\u{2028}"] {
            assert!(!script.contains(dangerous), "{dangerous:?} in {script}");
        }
        // The title survives intact for the browser to show (as text).
        let json = script
            .strip_prefix("window.opsbookSearchIndex = ")
            .and_then(|s| s.strip_suffix(";\n"))
            .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(parsed["docs"][0][1], hostile);
        assert_eq!(parsed["docs"][0][0], "service");
    }
}
