//! The first reading of every YAML text (front matter, catalog files, checklists), before
//! anything deserializes it: one pass of yaml-rust2's event parser, which keeps no recursion
//! and expands no alias, so it costs time linear in the text. The pass
//!
//! - refuses nesting deeper than [`MAX_DEPTH`], at the collection that crossed it. libyaml
//!   (which `serde_yaml` reads with next) re-examines every open flow collection at each token:
//!   200,000 nested `[` took it 110 s to reject. Past this pass it never sees more than 64;
//! - refuses a key written twice in one mapping, at the second, naming the line of the first
//!   (YAML 1.2 keeps keys unique; a deserializer would silently keep the last);
//! - records where each key and value is written, so every later problem is located by a
//!   lookup instead of reading the text again (once per problem, that took 16 s for a doc of
//!   5,000 dependencies on undocumented services), and evaluation can cite each field's line.

use std::collections::HashMap;
use std::hash::Hasher;

use rustc_hash::{FxBuildHasher, FxHasher};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::deserialize::Segment;
use crate::diag::Position;

/// How deep mappings and lists may nest, the document's own mapping being the first level.
/// Front matter needs a handful; Backstage entities a dozen at most. It leaves room for the
/// JSON outputs that wrap a doc's fields and are read back (serde_json stops at 128), and
/// keeps the recursive steps after this pass (deserializing, serializing, merging) far from
/// the end of the smallest stack opsbook runs on, 2 MiB.
pub(crate) const MAX_DEPTH: usize = 64;

/// Where each key and value of a YAML text is written, by path: `monitoring`, `alerts`,
/// item 0, `level`. Positions are relative to the text, lines and columns from 1.
///
/// Paths are kept as 64-bit hashes in a sorted list, hashed a step at a time as the YAML is
/// walked: a service doc has a few hundred of them, and at 10,000 services the path strings
/// would cost more memory, and more time to build, than the lookups they serve.
#[derive(Debug, Clone, Default)]
pub(crate) struct Positions {
    places: Vec<(u64, Place)>,
}

/// Where one field is written: its key and its value (for a list item, both are the item).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Place {
    key: Spot,
    value: Spot,
}

/// A compact [`Position`]: four bytes a number is plenty for a 10 MB file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Spot {
    line: u32,
    column: u32,
}

impl Spot {
    fn of(mark: Marker) -> Spot {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Spot {
            line: narrow(mark.line()),
            column: narrow(mark.col() + 1),
        }
    }

    fn position(self) -> Position {
        Position::new(self.line as usize, self.column as usize)
    }
}

impl Positions {
    /// Reads `yaml`, or says what makes it unreadable: a syntax error, nesting deeper than
    /// [`MAX_DEPTH`], or a key written twice.
    pub(crate) fn scan(yaml: &str) -> Result<Positions, SyntaxError> {
        let mut walk = Walk::default();
        let mut parser = Parser::new_from_str(yaml);
        loop {
            match parser.next_token() {
                Ok((Event::StreamEnd, _)) => break,
                Ok((event, mark)) => walk.on_event(event, mark)?,
                Err(error) => return Err(scan_error(error.info(), *error.marker())),
            }
        }
        let mut places = walk.places;
        places.sort_by_key(|(hash, _)| *hash);
        Ok(Positions { places })
    }

    fn get(&self, path: &PathHash) -> Option<Place> {
        let id = path.id();
        self.places
            .binary_search_by_key(&id, |(h, _)| *h)
            .ok()
            .map(|i| self.places[i].1)
    }

    /// Where `path` is written: the key itself when `at_key` (for unknown keys), else the
    /// value. Falls back to the key of the closest ancestor that is written, then to the start.
    pub(crate) fn locate(&self, path: &[Segment], at_key: bool) -> Position {
        let mut hash = PathHash::default();
        let mut found = None;
        for (depth, segment) in path.iter().enumerate() {
            hash = match segment {
                Segment::Key(key) => hash.key(key),
                Segment::Index(index) => hash.item(*index),
            };
            let Some(place) = self.get(&hash) else {
                break;
            };
            let whole_path = depth + 1 == path.len();
            found = Some(match whole_path && !at_key {
                true => place.value,
                false => place.key,
            });
        }
        found.map_or(Position::START, Spot::position)
    }

    /// The line of the field at a checklist path (`a.b`; `a.2` for item 2 of list `a`; `a[].b`
    /// for the first item of list `a` that has `b`), or else of its closest ancestor that is
    /// written; `None` when not even the first key is.
    pub(crate) fn line_of(&self, path: &str) -> Option<usize> {
        let parts: Vec<&str> = path.split('.').collect();
        self.resolve(&PathHash::default(), &parts)
            .map(|found| found.line)
    }

    fn line(&self, path: &PathHash) -> Option<usize> {
        self.get(path).map(|place| place.key.line as usize)
    }

    fn resolve(&self, prefix: &PathHash, parts: &[&str]) -> Option<Found> {
        let (part, rest) = parts.split_first()?;
        let (key, spread) = match part.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (*part, false),
        };
        let here = match key.parse::<usize>() {
            Ok(index) => prefix.item(index),
            Err(_) => prefix.key(key),
        };
        let line = self.line(&here)?;
        let ancestor = Found { line, exact: false };
        if rest.is_empty() && !spread {
            return Some(Found { line, exact: true });
        }
        if !spread {
            return Some(self.resolve(&here, rest).unwrap_or(ancestor));
        }
        // The first item that has the rest of the path decides; else the list itself.
        let items = (0..).map_while(|i| {
            let item = here.item(i);
            self.line(&item).map(|line| (item, line))
        });
        for (item, item_line) in items {
            let found = match rest.is_empty() {
                true => Some(Found {
                    line: item_line,
                    exact: true,
                }),
                false => self.resolve(&item, rest),
            };
            if let Some(found) = found.filter(|f| f.exact) {
                return Some(found);
            }
        }
        Some(ancestor)
    }
}

/// yaml-rust2 counts flow levels in a byte and stops past 255 with this message: that is
/// nesting too deep too, found where it stopped.
fn scan_error(info: &str, mark: Marker) -> SyntaxError {
    let position = Spot::of(mark).position();
    match info {
        "recursion limit exceeded" => SyntaxError::too_deep(position),
        _ => SyntaxError::parser(position, info),
    }
}

/// A line, and whether the whole path is written there (not only an ancestor).
struct Found {
    line: usize,
    exact: bool,
}

/// A path hashed one step at a time: each step extends a copy of its parent's hasher, so
/// neither the walk nor a lookup builds a path string. FxHash: a few hundred paths per doc
/// need no protection from chosen collisions, and SipHash made lookups a third of evaluation.
#[derive(Clone, Default)]
struct PathHash(FxHasher);

impl PathHash {
    fn key(&self, key: &str) -> PathHash {
        let mut hasher = self.0.clone();
        hasher.write_u8(0);
        hasher.write_usize(key.len());
        hasher.write(key.as_bytes());
        PathHash(hasher)
    }

    fn item(&self, index: usize) -> PathHash {
        let mut hasher = self.0.clone();
        hasher.write_u8(1);
        hasher.write_usize(index);
        PathHash(hasher)
    }

    fn id(&self) -> u64 {
        self.0.finish()
    }
}

/// An open mapping or list.
struct Frame {
    /// The path its contents live under; `None` inside a collection used as a key.
    path: Option<PathHash>,
    /// Where the parser says it starts. For a block collection that is wherever the parser
    /// had read to, past its first key; its first node is where it is written.
    start: Spot,
    /// The place whose value it is, until its first node says where it starts.
    unplaced: Option<usize>,
    contents: Contents,
}

enum Contents {
    /// `key` holds the key whose value comes next, with its place; `keys`, where each key
    /// so far was written (a scalar's text, as a deserializer would read it).
    Mapping {
        key: Option<(Option<PathHash>, Option<usize>)>,
        keys: HashMap<String, Spot, FxBuildHasher>,
    },
    Sequence {
        next: usize,
    },
}

#[derive(Default)]
struct Walk {
    stack: Vec<Frame>,
    places: Vec<(u64, Place)>,
    /// The text of each scalar with an anchor, so an alias used as a key is read as its text.
    anchored: HashMap<usize, String, FxBuildHasher>,
    /// Where a collection too deep to read starts, until its first node says where exactly.
    too_deep: Option<Spot>,
}

impl Walk {
    fn on_event(&mut self, event: Event, mark: Marker) -> Result<(), SyntaxError> {
        let spot = Spot::of(mark);
        if let Some(start) = self.too_deep {
            return Err(SyntaxError::too_deep(start.min(spot).position()));
        }
        match event {
            Event::Scalar(text, _, anchor, _) => {
                if anchor > 0 {
                    self.anchored.insert(anchor, text.clone());
                }
                self.node(spot, Some(&text))?;
            }
            Event::Alias(anchor) => {
                let text = self.anchored.get(&anchor).cloned();
                self.node(spot, text.as_deref())?;
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.too_deep = Some(spot);
                    return Ok(());
                }
                let (path, unplaced) = self.node(spot, None)?;
                let contents = match event {
                    Event::MappingStart(..) => Contents::Mapping {
                        key: None,
                        keys: HashMap::default(),
                    },
                    _ => Contents::Sequence { next: 0 },
                };
                self.stack.push(Frame {
                    path,
                    start: spot,
                    unplaced,
                    contents,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
        Ok(())
    }

    /// Takes note of a node written at `spot` (`text` if it is a scalar, or an alias of one);
    /// returns the path its contents live under (`None` for a key, or inside one) and the
    /// place whose value it is.
    fn node(
        &mut self,
        spot: Spot,
        text: Option<&str>,
    ) -> Result<(Option<PathHash>, Option<usize>), SyntaxError> {
        let Walk { stack, places, .. } = self;
        let Some(frame) = stack.last_mut() else {
            return Ok((Some(PathHash::default()), None));
        };
        if let Some(index) = frame.unplaced.take() {
            let place = &mut places[index].1;
            let start = frame.start.min(spot);
            // A list item is its value: both start there.
            if place.key == place.value {
                place.key = start;
            }
            place.value = start;
        }
        let parent = frame.path.as_ref();
        match &mut frame.contents {
            Contents::Sequence { next } => {
                let item = parent.map(|path| path.item(*next));
                *next += 1;
                let index = item.as_ref().map(|item| push(places, item, spot));
                Ok((item, index))
            }
            Contents::Mapping { key, keys } => match key.take() {
                Some((path, index)) => {
                    if let Some(index) = index {
                        places[index].1.value = spot;
                    }
                    Ok((path, index))
                }
                None => {
                    if let Some(text) = text
                        && let Some(first) = keys.insert(text.to_string(), spot)
                    {
                        return Err(SyntaxError::duplicate_key(
                            spot.position(),
                            text,
                            first.position(),
                        ));
                    }
                    // A key that is not a scalar still takes the value slot, with a name
                    // nobody can look up.
                    let named = parent.map(|path| path.key(text.unwrap_or("\u{0}")));
                    let index = named.as_ref().map(|named| push(places, named, spot));
                    *key = Some((named, index));
                    Ok((None, None))
                }
            },
        }
    }
}

/// Records a field written at `spot`; its value is placed once it is read.
fn push(places: &mut Vec<(u64, Place)>, path: &PathHash, spot: Spot) -> usize {
    places.push((
        path.id(),
        Place {
            key: spot,
            value: spot,
        },
    ));
    places.len() - 1
}

/// Why a YAML text cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) position: Position,
    kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ErrorKind {
    /// What the parser said.
    Parser(String),
    TooDeep,
    /// A key written a second time in its mapping; `first` is where it was first written.
    DuplicateKey {
        key: String,
        first: Position,
    },
}

impl SyntaxError {
    /// Whether the parser itself (not a limit of opsbook's) refused the text.
    pub(crate) fn is_parser_error(&self) -> bool {
        matches!(self.kind, ErrorKind::Parser(_))
    }

    pub(crate) fn parser(position: Position, message: &str) -> SyntaxError {
        SyntaxError {
            position,
            kind: ErrorKind::Parser(message.to_string()),
        }
    }

    pub(crate) fn too_deep(position: Position) -> SyntaxError {
        SyntaxError {
            position,
            kind: ErrorKind::TooDeep,
        }
    }

    pub(crate) fn duplicate_key(position: Position, key: &str, first: Position) -> SyntaxError {
        SyntaxError {
            position,
            kind: ErrorKind::DuplicateKey {
                key: key.to_string(),
                first,
            },
        }
    }

    /// The same error in a text that starts on line `first_line` of its file.
    pub(crate) fn in_file(mut self, first_line: usize) -> SyntaxError {
        let shift = |p: Position| Position::new(p.line + first_line - 1, p.column);
        self.position = shift(self.position);
        if let ErrorKind::DuplicateKey { first, .. } = &mut self.kind {
            *first = shift(*first);
        }
        self
    }

    pub(crate) fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Parser(message) => message.clone(),
            ErrorKind::TooDeep => {
                format!("mappings and lists nest deeper than {MAX_DEPTH} levels")
            }
            ErrorKind::DuplicateKey { key, first } => {
                format!(
                    "key `{key}` is written twice; the first is on line {}",
                    first.line
                )
            }
        }
    }

    pub(crate) fn help(&self) -> Option<String> {
        match &self.kind {
            ErrorKind::Parser(_) => None,
            ErrorKind::TooDeep => Some(format!(
                "opsbook reads YAML nested at most {MAX_DEPTH} levels deep: flatten the structure"
            )),
            ErrorKind::DuplicateKey { .. } => Some(
                "keep one of them: a key means one thing in its mapping, so YAML allows it once"
                    .to_string(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_string())
    }

    fn scan(yaml: &str) -> Positions {
        Positions::scan(yaml).unwrap()
    }

    /// The line of exactly this path, numbers being list items: `a.1.b`.
    fn exact(positions: &Positions, path: &str) -> Option<usize> {
        let hash = path.split('.').fold(PathHash::default(), |hash, step| {
            match step.parse::<usize>() {
                Ok(index) => hash.item(index),
                Err(_) => hash.key(step),
            }
        });
        positions.line(&hash)
    }

    const DOC: &str = "\
service: a
monitoring:
  dashboard: x
  alerts:
    - name: e
      level: urgent
    - { name: f, level: emergency,
        condition: late }
logs: {}
";

    #[test]
    fn locates_values_and_keys() {
        let positions = scan(DOC);
        let path = [
            key("monitoring"),
            key("alerts"),
            Segment::Index(0),
            key("level"),
        ];
        assert_eq!(positions.locate(&path, false), Position::new(6, 14));
        assert_eq!(
            positions.locate(&[key("monitoring"), key("dashboard")], true),
            Position::new(3, 3)
        );
        let second = [key("monitoring"), key("alerts"), Segment::Index(1)];
        assert_eq!(positions.locate(&second, false), Position::new(7, 7));
    }

    #[test]
    fn a_block_collection_starts_at_its_first_node_and_a_flow_one_at_its_bracket() {
        let positions = scan(DOC);
        assert_eq!(
            positions.locate(&[key("monitoring")], false),
            Position::new(3, 3)
        );
        assert_eq!(
            positions.locate(&[key("monitoring"), key("alerts")], false),
            Position::new(5, 5)
        );
        assert_eq!(positions.locate(&[key("logs")], false), Position::new(9, 7));
    }

    #[test]
    fn falls_back_to_the_closest_ancestor() {
        let positions = scan(DOC);
        assert_eq!(
            positions.locate(&[key("monitoring"), key("nothing")], true),
            Position::new(2, 1)
        );
        assert_eq!(positions.locate(&[key("nothing")], true), Position::START);
    }

    #[test]
    fn finds_keys_and_items_in_block_and_flow_style() {
        let positions = scan(DOC);
        assert_eq!(positions.line_of("service"), Some(1));
        assert_eq!(positions.line_of("monitoring.dashboard"), Some(3));
        assert_eq!(positions.line_of("monitoring.alerts"), Some(4));
        assert_eq!(exact(&positions, "monitoring.alerts.1.level"), Some(7));
        assert_eq!(exact(&positions, "monitoring.alerts.1.condition"), Some(8));
    }

    #[test]
    fn a_number_is_a_list_item() {
        let positions = scan(DOC);
        assert_eq!(positions.line_of("monitoring.alerts.1"), Some(7));
        assert_eq!(positions.line_of("monitoring.alerts.1.condition"), Some(8));
        assert_eq!(positions.line_of("monitoring.alerts.5"), Some(4));
    }

    #[test]
    fn a_spread_takes_the_first_item_that_has_the_field() {
        let positions = scan(DOC);
        assert_eq!(positions.line_of("monitoring.alerts[].name"), Some(5));
        assert_eq!(positions.line_of("monitoring.alerts[].condition"), Some(8));
        assert_eq!(positions.line_of("monitoring.alerts[]"), Some(5));
    }

    #[test]
    fn a_missing_field_falls_back_to_its_closest_ancestor() {
        let positions = scan(DOC);
        assert_eq!(positions.line_of("logs.format"), Some(9));
        assert_eq!(positions.line_of("monitoring.alerts[].runbook"), Some(4));
        assert_eq!(positions.line_of("testing.unit"), None);
    }

    #[test]
    fn values_that_are_mappings_do_not_shift_keys() {
        let positions = scan("a:\n  b: {c: 1}\n  d: 2\ne: [1, {f: 2}]\n");
        assert_eq!(exact(&positions, "a.d"), Some(3));
        assert_eq!(exact(&positions, "e.1.f"), Some(4));
        assert_eq!(exact(&positions, "e"), Some(4));
    }

    #[test]
    fn a_key_written_twice_is_refused_at_the_second_naming_the_first() {
        for (yaml, key, at, first) in [
            ("service: a\nservice: b\n", "service", (2, 1), (1, 1)),
            ("owner:\n  team: a\n  'team': b\n", "team", (3, 3), (2, 3)),
            ("a: [{x: 1, y: 2, x: 3}]\n", "x", (1, 18), (1, 6)),
            (
                "k: &k team\nowner: {team: a, *k : b}\n",
                "team",
                (2, 18),
                (2, 9),
            ),
        ] {
            let error = Positions::scan(yaml).unwrap_err();
            let expected = SyntaxError::duplicate_key(
                Position::new(at.0, at.1),
                key,
                Position::new(first.0, first.1),
            );
            assert_eq!(error, expected, "{yaml}");
        }
        assert!(Positions::scan("a: {x: 1}\nb: {x: 2}\n").is_ok());
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_where_it_crosses_it() {
        let flow = |depth: usize| format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        assert!(Positions::scan(&flow(MAX_DEPTH - 1)).is_ok());
        assert_eq!(
            Positions::scan(&flow(MAX_DEPTH)).unwrap_err(),
            SyntaxError::too_deep(Position::new(1, 3 + MAX_DEPTH))
        );
        let block = |depth: usize| -> String {
            (0..depth)
                .map(|level| format!("{}k:\n", "  ".repeat(level)))
                .collect()
        };
        assert!(Positions::scan(&block(MAX_DEPTH)).is_ok());
        assert_eq!(
            Positions::scan(&block(MAX_DEPTH + 1)).unwrap_err(),
            SyntaxError::too_deep(Position::new(MAX_DEPTH + 1, 2 * MAX_DEPTH + 1))
        );
    }

    #[test]
    fn unreadable_text_is_a_syntax_error_where_the_parser_stopped() {
        let error = Positions::scan("a: [\nb: c").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1), "{}", error.message());
    }
}
