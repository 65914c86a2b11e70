//! Where each field of a YAML text is written: the line of every mapping key and list item,
//! read once per service doc so that evaluation can say which line decided each check.
//!
//! serde_yaml, which builds the model, exposes no positions; the event parser of yaml-rust2
//! does, without expanding aliases, so a hostile document costs no more here than its size.

use std::hash::Hasher;

use rustc_hash::FxHasher;

use yaml_rust2::parser::{Event, Parser};

/// Lines (relative to the YAML text, 1-based) by path: `monitoring`, `alerts`, item 0, `level`.
///
/// Paths are kept as 64-bit hashes in a sorted list, hashed a step at a time as the YAML is
/// walked: a service doc has a few hundred of them, and at 10,000 services the path strings
/// would cost more memory, and more time to build, than the lookups they serve.
#[derive(Debug, Clone, Default)]
pub struct FieldLines {
    lines: Vec<(u64, u32)>,
}

impl FieldLines {
    /// Reads `yaml`. A text the event parser rejects gives an empty index (every lookup
    /// misses), since serde_yaml has already reported whatever is wrong with it.
    pub fn of(yaml: &str) -> FieldLines {
        let mut collector = Collector::default();
        let mut parser = Parser::new_from_str(yaml);
        loop {
            match parser.next_token() {
                Ok((Event::StreamEnd, _)) => break,
                Ok((event, mark)) => collector.on_event(event, mark.line()),
                Err(_) => return FieldLines::default(),
            }
        }
        let mut lines = collector.lines;
        lines.sort_unstable();
        lines.dedup_by_key(|(hash, _)| *hash);
        FieldLines { lines }
    }

    fn get(&self, path: &PathHash) -> Option<usize> {
        let id = path.id();
        self.lines
            .binary_search_by_key(&id, |(h, _)| *h)
            .ok()
            .map(|i| self.lines[i].1 as usize)
    }

    /// The line of the field at a checklist path (`a.b`; `a.2` for item 2 of list `a`; `a[].b`
    /// for the first item of list `a` that has `b`), or else of its closest ancestor that is
    /// written; `None` when not even the first key is.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let parts: Vec<&str> = path.split('.').collect();
        self.resolve(&PathHash::default(), &parts)
            .map(|found| found.line)
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
        let line = self.get(&here)?;
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
            self.get(&item).map(|line| (item, line))
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

/// What the next node of an open collection is.
enum Frame {
    /// A mapping at `path`; `key` holds the key whose value comes next.
    Mapping {
        path: PathHash,
        key: Option<PathHash>,
    },
    Sequence {
        path: PathHash,
        next: usize,
    },
    /// A collection whose contents have no path (a mapping used as a key).
    Unnamed,
}

#[derive(Default)]
struct Collector {
    stack: Vec<Frame>,
    lines: Vec<(u64, u32)>,
}

impl Collector {
    fn on_event(&mut self, event: Event, line: usize) {
        match event {
            Event::Scalar(text, ..) => {
                self.node(line, Some(&text));
            }
            Event::Alias(_) => {
                self.node(line, None);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.node(line, None);
                let frame = match (path, event) {
                    (Some(path), Event::MappingStart(..)) => Frame::Mapping { path, key: None },
                    (Some(path), _) => Frame::Sequence { path, next: 0 },
                    (None, _) => Frame::Unnamed,
                };
                self.stack.push(frame);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }

    /// Takes note of a node starting on `line`; returns the path its contents live under, or
    /// `None` for a node that is a key or lies inside an unnamed one.
    fn node(&mut self, line: usize, scalar: Option<&str>) -> Option<PathHash> {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        match self.stack.last_mut() {
            None => Some(PathHash::default()),
            Some(Frame::Unnamed) => None,
            Some(Frame::Sequence { path, next }) => {
                let item = path.item(*next);
                *next += 1;
                self.lines.push((item.id(), line));
                Some(item)
            }
            Some(Frame::Mapping { path, key }) => match key.take() {
                Some(key) => Some(key),
                None => {
                    // A key: its line is where the field is written. A non-scalar key
                    // still takes the value slot, with a name nobody can look up.
                    let named = path.key(scalar.unwrap_or("\u{0}"));
                    self.lines.push((named.id(), line));
                    *key = Some(named);
                    None
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of exactly this path, numbers being list items: `a.1.b`.
    fn exact(lines: &FieldLines, path: &str) -> Option<usize> {
        let hash = path.split('.').fold(PathHash::default(), |hash, step| {
            match step.parse::<usize>() {
                Ok(index) => hash.item(index),
                Err(_) => hash.key(step),
            }
        });
        lines.get(&hash)
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
    fn finds_keys_and_items_in_block_and_flow_style() {
        let lines = FieldLines::of(DOC);
        assert_eq!(lines.line_of("service"), Some(1));
        assert_eq!(lines.line_of("monitoring.dashboard"), Some(3));
        assert_eq!(lines.line_of("monitoring.alerts"), Some(4));
        assert_eq!(exact(&lines, "monitoring.alerts.1.level"), Some(7));
        assert_eq!(exact(&lines, "monitoring.alerts.1.condition"), Some(8));
    }

    #[test]
    fn a_number_is_a_list_item() {
        let lines = FieldLines::of(DOC);
        assert_eq!(lines.line_of("monitoring.alerts.1"), Some(7));
        assert_eq!(lines.line_of("monitoring.alerts.1.condition"), Some(8));
        assert_eq!(lines.line_of("monitoring.alerts.5"), Some(4));
    }

    #[test]
    fn a_spread_takes_the_first_item_that_has_the_field() {
        let lines = FieldLines::of(DOC);
        assert_eq!(lines.line_of("monitoring.alerts[].name"), Some(5));
        assert_eq!(lines.line_of("monitoring.alerts[].condition"), Some(8));
        assert_eq!(lines.line_of("monitoring.alerts[]"), Some(5));
    }

    #[test]
    fn a_missing_field_falls_back_to_its_closest_ancestor() {
        let lines = FieldLines::of(DOC);
        assert_eq!(lines.line_of("logs.format"), Some(9));
        assert_eq!(lines.line_of("monitoring.alerts[].runbook"), Some(4));
        assert_eq!(lines.line_of("testing.unit"), None);
    }

    #[test]
    fn values_that_are_mappings_do_not_shift_keys() {
        let lines = FieldLines::of("a:\n  b: {c: 1}\n  d: 2\ne: [1, {f: 2}]\n");
        assert_eq!(exact(&lines, "a.d"), Some(3));
        assert_eq!(exact(&lines, "e.1.f"), Some(4));
        assert_eq!(exact(&lines, "e"), Some(4));
    }

    #[test]
    fn unreadable_text_gives_an_empty_index() {
        assert_eq!(FieldLines::of("a: [").line_of("a"), None);
    }
}
