//! Reads YAML text into [`Node`] trees.
//!
//! Built on `saphyr-parser`'s event stream. Aliases are replaced by copies of
//! what they point to and `<<` merge keys are applied, as kustomize does when
//! it reads resources; a key given twice in one mapping is an error, as it is
//! when kustomize prints the resource.

use crate::node::{Entry, Map, Node, Scalar, Seq, Style, Tag};
use crate::resolve;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::{HashMap, HashSet};

/// A YAML syntax or structure error, with the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    fn at(span: &Span, message: impl Into<String>) -> Self {
        ParseError {
            line: span.start.line() as u32,
            column: span.start.col() as u32 + 1,
            message: message.into(),
        }
    }
}

/// Parses a stream of documents. Empty documents come back as null nodes.
/// A key given twice in one mapping is an error.
pub fn parse_documents(src: &str) -> Result<Vec<Node>, ParseError> {
    parse_stream(src, false)
}

/// Parses one document where a repeated key replaces the earlier value,
/// as kustomize reads kustomization files (through yaml.v2).
pub fn parse_one_last_key_wins(src: &str) -> Result<Node, ParseError> {
    one(parse_stream(src, true)?)
}

fn parse_stream(src: &str, last_key_wins: bool) -> Result<Vec<Node>, ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    // Most files take the fast path; anything it does not read goes
    // through the event parser below.
    if !last_key_wins && let Some(docs) = crate::fast::parse_documents(src) {
        return Ok(docs);
    }
    parse_with_events(src, last_key_wins)
}

/// [`parse_documents`] through `saphyr-parser`'s events.
pub(crate) fn parse_with_events(src: &str, last_key_wins: bool) -> Result<Vec<Node>, ParseError> {
    let mut builder = Builder {
        last_key_wins,
        ..Builder::default()
    };
    if !src.ends_with('\n') {
        builder.unterminated_end = Some(src.chars().count());
    }
    let mut docs = Vec::new();
    let mut parser = Parser::new_from_str(src);
    let mut in_doc = false;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| ParseError {
            line: e.marker().line() as u32,
            column: e.marker().col() as u32 + 1,
            message: e.info().to_string(),
        })?;
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                in_doc = true;
                builder.anchors.clear();
            }
            Event::DocumentEnd => {
                if in_doc {
                    docs.push(builder.root.take().unwrap_or_else(Node::null));
                }
                in_doc = false;
            }
            other => {
                if let Some(done) = builder.event(other, &span)? {
                    builder.root = Some(done);
                }
            }
        }
    }
    Ok(docs)
}

/// Parses text that must hold at most one document; empty text is null.
pub fn parse_one(src: &str) -> Result<Node, ParseError> {
    one(parse_documents(src)?)
}

fn one(mut docs: Vec<Node>) -> Result<Node, ParseError> {
    match docs.len() {
        0 => Ok(Node::null()),
        1 => Ok(docs.remove(0)),
        n => Err(ParseError {
            line: 1,
            column: 1,
            message: format!("expected one YAML document, found {n}"),
        }),
    }
}

enum Frame {
    Seq {
        seq: Seq,
        anchor: usize,
    },
    Map {
        map: Map,
        anchor: usize,
        pending_key: Option<Scalar>,
        seen: Option<HashSet<String>>,
        merges: Vec<Node>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    last_key_wins: bool,
    /// The input's length in characters when it lacks a final line break:
    /// a block scalar running to the end then has no final line break
    /// either (saphyr adds one; yaml.v3 does not).
    unterminated_end: Option<usize>,
}

impl Builder {
    /// Feeds one event; returns the document's root node when it completes.
    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<Option<Node>, ParseError> {
        let line = span.start.line() as u32;
        let col = span.start.col() as u32 + 1;
        let complete = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let mut value = value.into_owned();
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && self
                        .unterminated_end
                        .is_some_and(|end| span.end.index() >= end)
                    && value.ends_with('\n')
                {
                    value.pop();
                }
                let scalar = make_scalar(value, style, tag.as_deref(), line, span)?;
                let node = Node::Scalar(scalar);
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(node) => node.clone(),
                None => return Err(ParseError::at(span, "unknown anchor")),
            },
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq {
                    seq: Seq {
                        items: Vec::new(),
                        line,
                        col,
                        src: 0,
                    },
                    anchor,
                });
                return Ok(None);
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map {
                    map: Map {
                        entries: Vec::new(),
                        line,
                        col,
                        src: 0,
                    },
                    anchor,
                    pending_key: None,
                    seen: None,
                    merges: Vec::new(),
                });
                return Ok(None);
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq { seq, anchor }) => {
                    let node = Node::Seq(seq);
                    if anchor != 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => return Err(ParseError::at(span, "unbalanced sequence end")),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    map,
                    anchor,
                    merges,
                    ..
                }) => {
                    let map = apply_merges(map, merges, span)?;
                    let node = Node::Map(map);
                    if anchor != 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => return Err(ParseError::at(span, "unbalanced mapping end")),
            },
            _ => return Ok(None),
        };
        self.add(complete, span)
    }

    fn add(&mut self, node: Node, span: &Span) -> Result<Option<Node>, ParseError> {
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Seq { seq, .. }) => {
                seq.items.push(node);
                Ok(None)
            }
            Some(Frame::Map {
                map,
                pending_key,
                seen,
                merges,
                ..
            }) => {
                let Some(key) = pending_key.take() else {
                    match node {
                        Node::Scalar(key) => *pending_key = Some(key),
                        _ => {
                            return Err(ParseError::at(
                                span,
                                "complex mapping keys are not supported",
                            ));
                        }
                    }
                    return Ok(None);
                };
                if key.style == Style::Plain && key.value == "<<" {
                    merges.push(node);
                    return Ok(None);
                }
                let duplicate = match seen {
                    Some(set) => !set.insert(key.value.clone()),
                    None => {
                        let dup = map.entries.iter().any(|e| e.key.value == key.value);
                        if map.entries.len() >= 16 {
                            *seen = Some(
                                map.entries
                                    .iter()
                                    .map(|e| e.key.value.clone())
                                    .chain([key.value.clone()])
                                    .collect(),
                            );
                        }
                        dup
                    }
                };
                if duplicate && self.last_key_wins {
                    if let Some(e) = map.entries.iter_mut().find(|e| e.key.value == key.value) {
                        e.value = node;
                    }
                    return Ok(None);
                }
                if duplicate {
                    let first = map
                        .entries
                        .iter()
                        .find(|e| e.key.value == key.value)
                        .map_or(0, |e| e.key.line);
                    return Err(ParseError {
                        line: key.line,
                        column: 1,
                        message: format!(
                            "mapping key {:?} already defined at line {first}",
                            key.value
                        ),
                    });
                }
                map.entries.push(Entry { key, value: node });
                Ok(None)
            }
        }
    }
}

/// Applies `<<` merge keys the way kustomize's reader does: keys of the
/// mapping itself win, then earlier merge sources over later ones.
fn apply_merges(mut map: Map, merges: Vec<Node>, span: &Span) -> Result<Map, ParseError> {
    if merges.is_empty() {
        return Ok(map);
    }
    if merges.len() > 1 {
        return Err(ParseError::at(span, "duplicate merge key"));
    }
    let mut sources = Vec::new();
    match merges.into_iter().next() {
        Some(Node::Map(m)) => sources.push(m),
        Some(Node::Seq(seq)) => {
            for item in seq.items {
                match item {
                    Node::Map(m) => sources.push(m),
                    Node::Seq(_) => {
                        return Err(ParseError::at(
                            span,
                            "invalid map merge: received a nested sequence",
                        ));
                    }
                    _ => {
                        return Err(ParseError::at(
                            span,
                            "map merge requires map or sequence of maps as the value",
                        ));
                    }
                }
            }
        }
        _ => {
            return Err(ParseError::at(
                span,
                "map merge requires map or sequence of maps as the value",
            ));
        }
    }
    for source in sources {
        for entry in source.entries {
            if !map.contains_key(&entry.key.value) {
                map.entries.push(entry);
            }
        }
    }
    Ok(map)
}

fn make_scalar(
    value: String,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    line: u32,
    span: &Span,
) -> Result<Scalar, ParseError> {
    let style = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    };
    let tag = match tag {
        None if style == Style::Plain => resolve::resolve_plain(&value),
        None => Tag::Str,
        Some(t) => {
            let name = if t.handle == "!!" {
                t.suffix.as_str()
            } else if let Some(rest) =
                format!("{}{}", t.handle, t.suffix).strip_prefix("tag:yaml.org,2002:")
            {
                return explicit(rest, value, style, line, span);
            } else {
                ""
            };
            return explicit(name, value, style, line, span);
        }
    };
    Ok(Scalar {
        value,
        tag,
        style,
        line,
        col: span.start.col() as u32 + 1,
        src: 0,
    })
}

fn explicit(
    name: &str,
    value: String,
    style: Style,
    line: u32,
    span: &Span,
) -> Result<Scalar, ParseError> {
    let resolved = resolve::resolve_plain(&value);
    let tag = match name {
        "int" if resolved == Tag::Int => Tag::Int,
        "float" if matches!(resolved, Tag::Int | Tag::Float) => Tag::Float,
        "bool" if resolved == Tag::Bool => Tag::Bool,
        "null" if resolved == Tag::Null => Tag::Null,
        "timestamp" if resolved == Tag::Timestamp => Tag::Timestamp,
        "int" | "float" | "bool" | "null" | "timestamp" => {
            return Err(ParseError::at(
                span,
                format!("cannot decode `{value}` as a !!{name}"),
            ));
        }
        _ => Tag::Str,
    };
    Ok(Scalar {
        value,
        tag,
        style,
        line,
        col: span.start.col() as u32 + 1,
        src: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn resolves_types_and_keeps_text() {
        let n = parse_one("a: 0777\nb: '1'\nc: yes\nd: ~\ne: !!str 5\n").unwrap();
        let tag = |k: &str| {
            n.get(k)
                .and_then(Node::as_scalar)
                .map(|s| (s.value.clone(), s.tag))
        };
        assert_eq!(tag("a"), Some(("0777".into(), Tag::Int)));
        assert_eq!(tag("b"), Some(("1".into(), Tag::Str)));
        assert_eq!(tag("c"), Some(("yes".into(), Tag::Str)));
        assert_eq!(tag("d"), Some(("~".into(), Tag::Null)));
        assert_eq!(tag("e"), Some(("5".into(), Tag::Str)));
    }

    #[test]
    fn aliases_and_merge_keys_are_expanded() {
        let n = parse_one(indoc! {"
            base: &b {x: 1, y: 2}
            other:
              <<: *b
              y: 3
            list: [*b]
        "})
        .unwrap();
        assert_eq!(n.str_at(&["other", "x"]), Some("1"));
        assert_eq!(n.str_at(&["other", "y"]), Some("3"));
        assert_eq!(n.get("list").and_then(Node::as_seq).map(Vec::len), Some(1));
    }

    #[test]
    fn duplicate_keys_are_errors_with_lines() {
        let err = parse_one("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("already defined at line 1"), "{err}");
    }

    #[test]
    fn block_scalar_at_end_of_unterminated_input_has_no_final_break() {
        let n = parse_one("a: |\n  x\n  y").unwrap();
        assert_eq!(n.str_at(&["a"]), Some("x\ny"));
        let n = parse_one("a: |\n  x\n  y\n").unwrap();
        assert_eq!(n.str_at(&["a"]), Some("x\ny\n"));
    }

    #[test]
    fn multiple_documents() {
        let docs = parse_documents("a: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert!(docs[1].is_null());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse_one("a: b: c\n").unwrap_err();
        assert_eq!(err.line, 1);
    }
}
