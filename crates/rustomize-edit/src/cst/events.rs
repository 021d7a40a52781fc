//! The tree built from `saphyr-parser`'s events: the reference parser,
//! used for every text the focused scanner ([`super::scan`]) does not
//! handle, and the one the scanner is tested against.
//!
//! saphyr's spans are corrected where they are loose: quoted scalars that
//! run past their closing quote, block scalars that run to the next token,
//! properties counted into a scalar's span.

use super::{Entry, Kind, Node, Style, SyntaxError};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

struct Frame {
    node: Node,
    /// The key waiting for its value, in a mapping.
    key: Option<Node>,
}

pub(super) struct Builder<'t> {
    text: &'t str,
    /// Byte offset of each character, when the text is not ASCII.
    offsets: Option<Vec<usize>>,
    stack: Vec<Frame>,
}

impl<'t> Builder<'t> {
    pub(super) fn new(text: &'t str) -> Self {
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

    pub(super) fn run(mut self) -> Result<(Option<Node>, Option<usize>), SyntaxError> {
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
                let dash_here = self.text[body..].starts_with('-')
                    && matches!(
                        self.text.as_bytes().get(body + 1),
                        None | Some(b' ' | b'\t' | b'\n' | b'\r')
                    );
                if is_seq && !flow && !dash_here {
                    // An indentless sequence's span starts at its first
                    // item's content (which may itself start with `-`, as
                    // in `- --flag`): step back to the `-`.
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
                    // The end event's span runs on over trailing spaces and
                    // a comment; the collection ends at its bracket.
                    node.end = if matches!(self.text.as_bytes().get(start), Some(b']' | b'}')) {
                        start + 1
                    } else {
                        end
                    };
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
pub(super) fn block_scalar_end(t: &str, header: usize) -> usize {
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
