//! A concrete syntax tree over YAML text: every node knows the bytes it
//! was written with, so an edit can replace exactly those bytes and leave
//! everything else (comments, blank lines, quoting, indentation, flow or
//! block style, line endings) as it was.
//!
//! The tree is built from `saphyr-parser`'s events, whose spans are
//! corrected where they are loose (quoted scalars that run past their
//! closing quote, block scalars that run to the next token, properties
//! counted into a scalar's span). Comments are not nodes: they are the
//! text between nodes, found by the line helpers on [`Cst`].

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

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
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
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
}

impl Cst {
    /// Parses `text`; only the first document is kept as a tree (kustomize
    /// reads only the first document of a kustomization file).
    pub fn parse(text: impl Into<String>) -> Result<Cst, SyntaxError> {
        let text = text.into();
        let (root, doc_end) = Builder::new(&text).run()?;
        let crlf = text.contains("\r\n");
        Ok(Cst {
            doc_end: doc_end.unwrap_or(text.len()),
            root,
            crlf,
            text,
        })
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

struct Frame {
    node: Node,
    /// The key waiting for its value, in a mapping.
    key: Option<Node>,
}

struct Builder<'t> {
    text: &'t str,
    /// Byte offset of each character, when the text is not ASCII.
    offsets: Option<Vec<usize>>,
    stack: Vec<Frame>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        let offsets = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        Builder {
            text,
            offsets,
            stack: Vec::new(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        }
    }

    fn error(&self, line: usize, col: usize, message: &str) -> SyntaxError {
        SyntaxError {
            line,
            column: col + 1,
            message: message.to_string(),
        }
    }

    fn run(mut self) -> Result<(Option<Node>, Option<usize>), SyntaxError> {
        let mut parser = Parser::new_from_str(self.text);
        let mut root = None;
        let mut docs = 0usize;
        let mut doc_end = None;
        while let Some(next) = parser.next_event() {
            let (event, span) =
                next.map_err(|e| self.error(e.marker().line(), e.marker().col(), e.info()))?;
            match event {
                Event::StreamStart | Event::Nothing | Event::StreamEnd => {}
                Event::DocumentStart(_) => {
                    docs += 1;
                    if docs == 2 {
                        // The second document starts at its `---` line.
                        let at = self.byte(span.start.index());
                        doc_end.get_or_insert(at);
                    }
                }
                Event::DocumentEnd => {
                    if docs == 1 && doc_end.is_none() {
                        let at = self.byte(span.start.index());
                        let t = &self.text[at..];
                        if t.starts_with("...") || t.starts_with("---") {
                            doc_end = Some(at);
                        }
                    }
                }
                other => {
                    if let Some(done) = self.event(other, &span)?
                        && docs == 1
                    {
                        root = Some(done);
                    }
                }
            }
        }
        Ok((root, doc_end))
    }

    /// Handles one node event; returns the root when it is complete.
    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<Option<Node>, SyntaxError> {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index());
        let node = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::Single,
                    ScalarStyle::DoubleQuoted => Style::Double,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let (start, body, end) = self.scalar_extent(start, end, style);
                Node {
                    start,
                    body,
                    end,
                    anchor: (anchor > 0).then_some(anchor),
                    kind: Kind::Scalar {
                        value: value.into_owned(),
                        style,
                        tag,
                    },
                }
            }
            Event::Alias(id) => Node {
                start,
                body: start,
                end,
                anchor: None,
                kind: Kind::Alias(id),
            },
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_seq = matches!(event, Event::SequenceStart(..));
                let mut body = skip_properties(self.text, start);
                let flow = self.text[body..].starts_with(if is_seq { '[' } else { '{' });
                if is_seq && !flow && !self.text[body..].starts_with('-') {
                    // An indentless sequence's span starts at its first
                    // item's content: step back to the `-`.
                    let b = self.text.as_bytes();
                    let mut at = body;
                    while at > 0 && matches!(b[at - 1], b' ' | b'\t') {
                        at -= 1;
                    }
                    if at > 0 && b[at - 1] == b'-' {
                        body = at - 1;
                    }
                }
                let kind = if is_seq {
                    Kind::Seq {
                        flow,
                        items: Vec::new(),
                        dashes: Vec::new(),
                    }
                } else {
                    Kind::Map {
                        flow,
                        entries: Vec::new(),
                    }
                };
                self.stack.push(Frame {
                    node: Node {
                        start,
                        body,
                        end: body,
                        anchor: (anchor > 0).then_some(anchor),
                        kind,
                    },
                    key: None,
                });
                return Ok(None);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(None);
                };
                let mut node = frame.node;
                if node.is_flow() {
                    node.end = end;
                } else {
                    let last = match &node.kind {
                        Kind::Seq { items, .. } => items.last().map(|n| n.end),
                        Kind::Map { entries, .. } => entries.last().map(|e| e.value.end),
                        _ => None,
                    };
                    node.end = last.unwrap_or(node.body);
                }
                node
            }
            _ => return Ok(None),
        };
        Ok(self.attach(node))
    }

    /// Puts a finished node into its parent; returns it when it is the root.
    fn attach(&mut self, node: Node) -> Option<Node> {
        let text = self.text;
        let Some(frame) = self.stack.last_mut() else {
            return Some(node);
        };
        match &mut frame.node.kind {
            Kind::Seq {
                flow,
                items,
                dashes,
            } => {
                if !*flow {
                    let from = items.last().map_or(frame.node.body, |n| n.end);
                    dashes.push(find_dash(text, from, node.start));
                }
                items.push(node);
            }
            Kind::Map { entries, .. } => match frame.key.take() {
                None => frame.key = Some(node),
                Some(key) => {
                    let mut value = node;
                    if value.start == value.end && matches!(value.kind, Kind::Scalar { .. }) {
                        // An empty value sits right after its key's colon.
                        let mut at = key.end;
                        let b = text.as_bytes();
                        while at < b.len() && matches!(b[at], b' ' | b'\t' | b'"' | b'\'') {
                            at += 1;
                        }
                        if b.get(at) == Some(&b':') {
                            at += 1;
                        }
                        value.start = at;
                        value.body = at;
                        value.end = at;
                    }
                    entries.push(Entry { key, value });
                }
            },
            _ => {}
        }
        None
    }

    /// Where a scalar starts (properties included), where its content
    /// starts and where it ends, from its loose span.
    fn scalar_extent(&self, start: usize, end: usize, style: Style) -> (usize, usize, usize) {
        let t = self.text;
        match style {
            Style::Plain => {
                let body = skip_properties(t, start).min(end.max(start));
                (start, body, end.max(body))
            }
            Style::Single | Style::Double => {
                let body = skip_properties(t, start);
                (start, body, quoted_end(t, body, style == Style::Double))
            }
            Style::Literal | Style::Folded => {
                // saphyr's span starts at the content; the header (`|-`,
                // `>2`) and any properties are on the last non-blank line
                // before it.
                let (props, header) = block_header(t, start);
                (props, header, block_scalar_end(t, header))
            }
        }
    }
}

/// The start of the properties and of the header of the block scalar
/// whose content starts at `content`.
fn block_header(t: &str, content: usize) -> (usize, usize) {
    let mut line_end = t[..content].rfind('\n').unwrap_or(0);
    loop {
        let line_start = t[..line_end].rfind('\n').map_or(0, |i| i + 1);
        let line = &t[line_start..line_end];
        if !line.trim().is_empty() || line_start == 0 {
            // Drop a trailing comment, then the header is the last token.
            let code = match line.find(" #") {
                Some(i) => &line[..i],
                None => line,
            };
            let code = code.trim_end();
            let tokens: Vec<(usize, &str)> = code
                .match_indices(|c: char| !c.is_whitespace())
                .fold(Vec::new(), |mut acc: Vec<(usize, usize)>, (i, c)| {
                    match acc.last_mut() {
                        Some(last) if last.1 == i => last.1 = i + c.len(),
                        _ => acc.push((i, i + c.len())),
                    }
                    acc
                })
                .into_iter()
                .map(|(a, b)| (a, &code[a..b]))
                .collect();
            let Some(hi) = tokens
                .iter()
                .rposition(|(_, tok)| tok.starts_with(['|', '>']))
            else {
                return (content, content);
            };
            let header = line_start + tokens[hi].0;
            let mut props = header;
            for (pos, tok) in tokens[..hi].iter().rev() {
                if tok.starts_with(['&', '!']) {
                    props = line_start + pos;
                } else {
                    break;
                }
            }
            return (props, header);
        }
        line_end = line_start.saturating_sub(1);
    }
}

/// Skips `&anchor` and `!tag` properties (and the spaces after them).
fn skip_properties(t: &str, mut pos: usize) -> usize {
    let b = t.as_bytes();
    loop {
        if pos < b.len() && (b[pos] == b'&' || b[pos] == b'!') {
            while pos < b.len() && !matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
                pos += 1;
            }
            while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
                pos += 1;
            }
        } else {
            return pos;
        }
    }
}

/// One past the closing quote of the quoted scalar opening at `open`.
fn quoted_end(t: &str, open: usize, double: bool) -> usize {
    let b = t.as_bytes();
    let q = if double { b'"' } else { b'\'' };
    let mut i = open + 1;
    while i < b.len() {
        if double && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if !double && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// The end of the last non-blank content line of the block scalar whose
/// header (`|` or `>`) is at `header`.
fn block_scalar_end(t: &str, header: usize) -> usize {
    let header_line_end = t[header..].find('\n').map_or(t.len(), |i| header + i + 1);
    // Indentation of the line holding the header: content must be deeper.
    let line_start = t[..header].rfind('\n').map_or(0, |i| i + 1);
    let parent_indent = t[line_start..].bytes().take_while(|&c| c == b' ').count();
    let explicit = t[header + 1..header_line_end]
        .bytes()
        .find(|c| c.is_ascii_digit())
        .map(|d| usize::from(d - b'0'));
    let mut content_indent = explicit.map(|d| parent_indent + d);
    let mut pos = header_line_end;
    let mut last_content_end = None;
    while pos < t.len() {
        let next = t[pos..].find('\n').map_or(t.len(), |i| pos + i + 1);
        let line = &t[pos..next];
        let indent = line.bytes().take_while(|&c| c == b' ').count();
        let blank = line
            .trim_end_matches(['\n', '\r'])
            .trim_start_matches(' ')
            .is_empty();
        if !blank {
            let need = *content_indent.get_or_insert(indent);
            if indent < need || indent <= parent_indent {
                break;
            }
            last_content_end = Some(pos + line.trim_end_matches(['\n', '\r']).len());
        }
        pos = next;
    }
    // The header line alone when there is no content.
    last_content_end.unwrap_or_else(|| {
        header_line_end
            - usize::from(t[..header_line_end].ends_with('\n'))
            - usize::from(t[..header_line_end].ends_with("\r\n"))
    })
}

/// The `-` of the block sequence item whose node starts at `node_start`,
/// searching from `from` (the end of the previous item or the sequence's
/// start).
fn find_dash(t: &str, from: usize, node_start: usize) -> usize {
    let b = t.as_bytes();
    let mut pos = from;
    while pos < node_start.min(b.len()) {
        match b[pos] {
            b'-' if b
                .get(pos + 1)
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) =>
            {
                return pos;
            }
            b'#' => pos = t[pos..].find('\n').map_or(b.len(), |i| pos + i + 1),
            _ => pos += 1,
        }
    }
    // The item is the dash itself (an empty item right at `from`).
    node_start.min(from)
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
