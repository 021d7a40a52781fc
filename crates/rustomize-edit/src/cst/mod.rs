//! A concrete syntax tree over YAML text: every node knows the bytes it
//! was written with, so an edit can replace exactly those bytes and leave
//! everything else (comments, blank lines, quoting, indentation, flow or
//! block style, line endings) as it was.
//!
//! Two parsers build the same tree. `scan` is a focused scanner for the
//! block shapes kustomization files are written in (block mappings and
//! sequences, one-line plain and quoted scalars, literal blocks, one-line
//! flow collections, comments); it gives up on anything else (anchors,
//! tags, folded or multi-line scalars, tabs, CRLF, several documents...),
//! and the tree then comes from `saphyr-parser`'s events (`events`), the
//! reference the scanner is tested against node for node. Comments are not
//! nodes: they are the text between nodes, found by the line helpers on
//! [`Cst`].

mod events;
mod scan;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'single'`.
    Single,
    /// `"double"`.
    Double,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar: its content after unescaping, its style and tag.
    Scalar {
        /// The content.
        value: String,
        /// How it was written.
        style: Style,
        /// An explicit tag (`!!str`), as written (handle and suffix).
        tag: Option<String>,
    },
    /// `*name`: the anchor id it refers to.
    Alias(usize),
    /// A sequence.
    Seq {
        /// `[a, b]` rather than block items.
        flow: bool,
        /// The items.
        items: Vec<Node>,
        /// For block sequences, the byte offset of each item's `-`.
        dashes: Vec<usize>,
    },
    /// A mapping.
    Map {
        /// `{a: b}` rather than block entries.
        flow: bool,
        /// The entries, in order.
        entries: Vec<Entry>,
    },
}

/// One node and where it sits in the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// First byte of the node including its properties (`&anchor`, `!tag`).
    pub start: usize,
    /// First byte of the content itself (after the properties).
    pub body: usize,
    /// One past the last byte of the content (a block scalar ends at its
    /// last non-blank line; a block collection at its last child's end).
    pub end: usize,
    /// The anchor id when the node has `&name`.
    pub anchor: Option<usize>,
    /// What it is.
    pub kind: Kind,
}

/// A key and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key node.
    pub key: Node,
    /// The value node (a null scalar with an empty span when nothing was
    /// written).
    pub value: Node,
}

impl Node {
    /// The scalar text when this is a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The entries when this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// The items when this is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq { items, .. } => Some(items),
            _ => None,
        }
    }

    /// Whether this is a flow collection.
    pub fn is_flow(&self) -> bool {
        matches!(
            self.kind,
            Kind::Seq { flow: true, .. } | Kind::Map { flow: true, .. }
        )
    }

    /// The entry whose key is `key`, the last one when it is repeated
    /// (kustomize reads kustomization files with the last key winning).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?
            .iter()
            .rev()
            .find(|e| e.key.scalar() == Some(key))
    }

    /// Whether the node has nothing written (an empty plain scalar).
    pub fn is_empty_null(&self) -> bool {
        self.start == self.end && matches!(self.kind, Kind::Scalar { .. })
    }
}

/// A YAML syntax error, with a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What the parser said.
    pub message: String,
}

/// The text of a YAML file and the tree of its first document.
#[derive(Clone, Debug)]
pub struct Cst {
    /// The whole text, as read.
    pub text: String,
    /// The first document's root node; `None` when the document is empty
    /// (no text, or only comments).
    pub root: Option<Node>,
    /// Where the first document's content may grow to: the start of a
    /// `---` or `...` line that ends it, else the end of the text.
    pub doc_end: usize,
    /// Whether lines end in `\r\n`.
    pub crlf: bool,
    /// Whether the first document has anchors or aliases (then a node's
    /// meaning may depend on text outside it).
    pub aliases: bool,
}

impl Cst {
    /// Parses `text`; only the first document is kept as a tree (kustomize
    /// reads only the first document of a kustomization file).
    pub fn parse(text: impl Into<String>) -> Result<Cst, SyntaxError> {
        let text = text.into();
        match scan::scan(&text) {
            Some(root) => Ok(Cst {
                doc_end: text.len(),
                root,
                crlf: false,
                aliases: false,
                text,
            }),
            None => Cst::parse_reference(text),
        }
    }

    /// Parses `text` with the reference parser (saphyr's events) only;
    /// [`Cst::parse`] gives the same tree, faster where it can.
    pub fn parse_reference(text: impl Into<String>) -> Result<Cst, SyntaxError> {
        let text = text.into();
        let (root, doc_end) = events::Builder::new(&text).run()?;
        let crlf = text.contains("\r\n");
        let aliases = root.as_ref().is_some_and(has_aliases);
        Ok(Cst {
            doc_end: doc_end.unwrap_or(text.len()),
            root,
            crlf,
            aliases,
            text,
        })
    }

    /// Whether [`Cst::parse`] reads `text` with the focused scanner (for
    /// tests and benchmarks: the result is the same either way).
    pub fn scans(text: &str) -> bool {
        scan::scan(text).is_some()
    }

    /// The line break the file uses.
    pub fn newline(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// The byte offset of the start of the line holding `pos`.
    pub fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The byte offset just past the line holding `pos`, its line break
    /// included (the end of the text on the last line).
    pub fn line_end(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
    }

    /// The column (in bytes) of `pos` on its line.
    pub fn column(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    /// The 1-based line number of `pos`.
    pub fn line_number(&self, pos: usize) -> usize {
        self.text[..pos].bytes().filter(|&b| b == b'\n').count() + 1
    }

    /// Whether only spaces stand between the start of `pos`'s line and
    /// `pos`.
    pub fn starts_line(&self, pos: usize) -> bool {
        self.text[self.line_start(pos)..pos]
            .bytes()
            .all(|b| b == b' ' || b == b'\t')
    }

    /// Whether the rest of `pos`'s line is only spaces and, maybe, a
    /// comment.
    pub fn rest_is_trivia(&self, pos: usize) -> bool {
        let end = self.line_end(pos);
        let rest = self.text[pos..end].trim_start_matches([' ', '\t']);
        rest.is_empty() || rest.starts_with('#') || rest == "\n" || rest == "\r\n"
    }

    /// The first byte at or after `pos` that is not a space, tab, line
    /// break or part of a comment.
    pub fn skip_trivia(&self, mut pos: usize) -> usize {
        let b = self.text.as_bytes();
        while pos < b.len() {
            match b[pos] {
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b'#' if pos == 0 || matches!(b[pos - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                    pos = self.line_end(pos);
                }
                _ => break,
            }
        }
        pos
    }
}

fn has_aliases(n: &Node) -> bool {
    n.anchor.is_some()
        || match &n.kind {
            Kind::Alias(_) => true,
            Kind::Scalar { .. } => false,
            Kind::Seq { items, .. } => items.iter().any(has_aliases),
            Kind::Map { entries, .. } => entries
                .iter()
                .any(|e| has_aliases(&e.key) || has_aliases(&e.value)),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn cst(s: &str) -> Cst {
        Cst::parse(s).expect("valid yaml")
    }

    fn text<'a>(c: &'a Cst, n: &Node) -> &'a str {
        &c.text[n.start..n.end]
    }

    #[test]
    fn spans_of_block_nodes() {
        let c = cst(indoc! {"
            # top
            resources:
              - a.yaml # first
              # between
              - \"b\" # second
            p: |-
              x
              y

            # after
            k: {a: 1, b: [x, y]}
            e:
        "});
        let root = c.root.as_ref().expect("root");
        let res = &root.entry("resources").expect("resources").value;
        assert_eq!(text(&c, res), "- a.yaml # first\n  # between\n  - \"b\"");
        let Kind::Seq { dashes, items, .. } = &res.kind else {
            panic!("seq")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(&c.text[dashes[1]..dashes[1] + 5], "- \"b\"");
        let p = &root.entry("p").expect("p").value;
        assert_eq!(text(&c, p), "|-\n  x\n  y");
        let k = &root.entry("k").expect("k").value;
        assert_eq!(text(&c, k), "{a: 1, b: [x, y]}");
        let e = &root.entry("e").expect("e").value;
        assert!(e.is_empty_null());
        assert_eq!(c.column(e.start), 2);
    }

    #[test]
    fn quoted_scalars_end_at_their_quote() {
        let c = cst("r: \"dq\n  cont\" # c\ns: 'it''s' # x\n");
        let root = c.root.as_ref().expect("root");
        assert_eq!(
            text(&c, &root.entry("r").expect("r").value),
            "\"dq\n  cont\""
        );
        assert_eq!(text(&c, &root.entry("s").expect("s").value), "'it''s'");
    }

    #[test]
    fn second_document_bounds_the_first() {
        let c = cst("a: 1\n---\nb: 2\n");
        assert_eq!(c.doc_end, 5);
        assert!(c.root.as_ref().expect("root").entry("b").is_none());
    }

    #[test]
    fn properties_are_outside_the_body() {
        let c = cst("a: &x !!str v\nb: *x\n");
        let root = c.root.as_ref().expect("root");
        let a = &root.entry("a").expect("a").value;
        assert_eq!(&c.text[a.body..a.end], "v");
        assert!(a.anchor.is_some());
        assert!(matches!(
            root.entry("b").expect("b").value.kind,
            Kind::Alias(_)
        ));
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let c = cst("a: héllo # ü\nb: [ä, ö]\n");
        let root = c.root.as_ref().expect("root");
        assert_eq!(text(&c, &root.entry("a").expect("a").value), "héllo");
        assert_eq!(text(&c, &root.entry("b").expect("b").value), "[ä, ö]");
    }

    #[test]
    fn syntax_errors_have_lines() {
        let e = Cst::parse("a: b\nc: d: e\n").expect_err("invalid");
        assert_eq!(e.line, 2);
    }
}
