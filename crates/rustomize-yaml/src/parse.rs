//! Reads YAML text into [`Node`] trees.
//!
//! Built on `saphyr-parser`'s event stream. Aliases are replaced by copies of
//! what they point to and `<<` merge keys are applied, as kustomize does when
//! it reads resources; a key given twice in one mapping is an error, as it is
//! when kustomize prints the resource.

pub use crate::error::ParseError;
use crate::limits::{self, AliasBudget};
use crate::node::{Entry, Map, Node, Scalar, Seq, Style, Tag};
use crate::resolve;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::{HashMap, HashSet};

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
    parse_stream(src, false, false)
}

/// [`parse_documents`] for resources kustomize prints: an empty value in
/// a flow collection (`{a: }`, `[&x ]`) is the empty string, not null.
/// kustomize prints a resource through kyaml's `MarshalJSON`, which writes
/// the node as YAML first: the emitter quotes an empty plain scalar in a
/// flow collection (`{a: ''}`), and the text is read back as a string.
/// Everything else reads the value as null (a patch's `{a: }` deletes).
pub fn parse_resources(src: &str) -> Result<Vec<Node>, ParseError> {
    parse_stream(src, false, true)
}

/// Parses one document where a repeated key replaces the earlier value,
/// as kustomize reads kustomization files (through yaml.v2, whose
/// `Unmarshal` reads the first document: what follows it, even broken
/// text, is never read).
pub fn parse_one_last_key_wins(src: &str) -> Result<Node, ParseError> {
    one(parse_stream(src, true, false)?)
}

/// Parses a stream of documents where a repeated key is ignored (the first
/// wins), as kustomize reads patches (through kyaml, whose field lookup
/// finds the first).
pub fn parse_documents_first_key_wins(src: &str) -> Result<Vec<Node>, ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let masked = kyaml_pieces(src)?;
    let src = masked.as_deref().unwrap_or(src);
    // The fast reader takes no repeated key, so it reads the same.
    if let Some(docs) = crate::fast::parse_documents(src) {
        return docs;
    }
    if let Some(line) = leading_directive(src) {
        return Err(directive_error(line));
    }
    parse_events(src, Repeated::FirstWins, false)
}

fn document_end_error(line: u32) -> ParseError {
    ParseError {
        line,
        column: 1,
        message: "did not find expected node content".into(),
    }
}

/// Whether a line is a document end marker (`...` alone or before
/// blanks).
fn is_document_end(line: &str) -> bool {
    line.strip_prefix("...")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Whether a line holds nothing for the parser (blank, or a comment).
fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// A kustomization file (yaml.v2, the whole stream): a document end
/// marker before any content is refused ("did not find expected node
/// content"), which the event parser and the fast reader take.
fn leading_document_end(src: &str) -> Option<u32> {
    let (i, line) = src.split('\n').enumerate().find(|(_, l)| !is_blank(l))?;
    is_document_end(line).then_some(i as u32 + 1)
}

/// A resource file as kyaml reads it (`kio.ByteReader`): split at every
/// line that starts with `---` after a line break (the regular expression
/// `\n---.*\n`, whose matches do not overlap, after `\r\n` became `\n`),
/// where what follows the `---` must be blank or a comment ("invalid
/// document separator"), then the first document of each piece decoded
/// by yaml.v3: a piece opening with `...` is refused ("did not find
/// expected node content"), and whatever follows a `...` in its piece is
/// never read. The text to parse comes back: `None` when it reads as it
/// is, else a copy with the unread lines blanked and the separators the
/// YAML parser would not take as such (`---#c`) made plain `---`, so that
/// lines keep their numbers.
fn kyaml_pieces(src: &str) -> Result<Option<String>, ParseError> {
    #[derive(PartialEq)]
    enum State {
        /// Nothing read in this piece yet.
        Start,
        /// In the piece's first document.
        Document,
        /// Past the first document's `...`: never read.
        Ended,
    }
    // Nothing to do without a line starting with `---` after the first,
    // or one starting with `...` (most files: no pass over their lines).
    if !(src.contains("\n---")
        || src.contains("\n...")
        || src.starts_with("...")
        || src.starts_with('%')
        || src.contains("\n%"))
    {
        return Ok(None);
    }
    // The pieces between line breaks, and whether each is the last (no
    // list of them: a CRD has 50,000 lines).
    let segments = || {
        src.split('\n')
            .scan(0usize, |at, raw| {
                let start = *at;
                *at += raw.len() + 1;
                Some((raw, *at > src.len(), start))
            })
            .enumerate()
    };
    let mut rewrite: Vec<(usize, &str)> = Vec::new();
    let (mut state, mut after_separator) = (State::Start, false);
    for (i, (raw, last, start)) in segments() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let separator = i > 0 && !last && line.starts_with("---") && !after_separator;
        after_separator = separator;
        if separator {
            let rest = line[3..].trim();
            if !(rest.is_empty() || rest.starts_with('#')) {
                return Err(ParseError {
                    line: i as u32 + 1,
                    column: 1,
                    message: format!("invalid document separator: {}", line.trim()),
                });
            }
            if !(line == "---" || line[3..].starts_with([' ', '\t'])) {
                rewrite.push((i, "---"));
            }
            state = State::Start;
            continue;
        }
        match state {
            State::Start if is_blank(line) => {}
            State::Start if line.starts_with('%') => check_directive(line, i)?,
            State::Start if is_document_end(line) => {
                return Err(ParseError {
                    line: i as u32 + 1,
                    column: 1,
                    message: "did not find expected node content".into(),
                });
            }
            State::Start => state = State::Document,
            State::Document if is_document_end(line) => state = State::Ended,
            State::Document if line.starts_with('%') && enclosing_quote(src, start).is_none() => {
                // A directive ends the document (libyaml closes its blocks
                // to scan it), and yaml.v3 reads the first only.
                directive_ending_document(src, line, i, true)?;
                rewrite.push((i, ""));
                state = State::Ended;
            }
            State::Document => {}
            State::Ended => {
                // (A tab-only line too: never read, so never refused.)
                if !is_blank(line) || line.contains('\t') {
                    rewrite.push((i, ""));
                }
            }
        }
    }
    if rewrite.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(src.len());
    let mut next = rewrite.into_iter().peekable();
    for (i, (raw, _, _)) in segments() {
        if i > 0 {
            out.push('\n');
        }
        match next.peek() {
            Some(&(j, with)) if j == i => {
                out.push_str(with);
                next.next();
            }
            _ => out.push_str(raw),
        }
    }
    Ok(Some(out))
}

/// A line opening with `%` after a document's content: libyaml scans a
/// directive there, which ends the document; one it cannot scan (an
/// unknown name) is its error. yaml.v3 (`ahead`; yaml.v2 does not) then
/// scans on a token or two before it returns the document, with simple
/// keys not allowed until a line break it skips itself: what the line
/// right after the directive opens with is its error if it is a block
/// entry, an explicit key, a value indicator, or a scalar a `:` follows
/// ([`refused_after_directive`]).
fn directive_ending_document(
    src: &str,
    line: &str,
    i: usize,
    ahead: bool,
) -> Result<(), ParseError> {
    check_directive(line, i)?;
    if !ahead {
        return Ok(());
    }
    // yaml.v3 scans two tokens past the first directive, and each further
    // directive is one of them (kubectl-verified: after two, `- y` is
    // refused and `c: d` is not; after three, neither is).
    let mut lines = src.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut n = i + 1;
    let mut next = lines.nth(n);
    while let Some(l) = next.filter(|l| l.starts_with('%')) {
        check_directive(l, n)?;
        n += 1;
        next = lines.next();
    }
    let Some(next) = next else {
        return Ok(());
    };
    let further = n - (i + 1);
    if further >= 2 {
        return Ok(());
    }
    let first_token_only = further == 1;
    let later: Vec<&str> = if first_token_only {
        Vec::new()
    } else {
        lines.take(64).collect()
    };
    match refused_after_directive(next, &later, first_token_only) {
        Some(message) => Err(ParseError {
            line: n as u32 + 1,
            column: 1,
            message: message.into(),
        }),
        None => Ok(()),
    }
}

/// yaml.v3's error for the line `line` right after a directive (`later`:
/// some of the lines after it), as kubectl shows it: a line that is blank
/// or a comment lets the scanner allow keys again, `---`, `...`, a flow
/// collection, a tag, an anchor or a block scalar is one token it takes,
/// and a scalar is read to its end, where a `:` is refused.
fn refused_after_directive(
    line: &str,
    later: &[&str],
    first_token_only: bool,
) -> Option<&'static str> {
    const VALUE: &str = "mapping values are not allowed in this context";
    // A value indicator: `:` then a blank or the end of the line.
    let value_at = |s: &str, at: usize| {
        s[at..].starts_with(':')
            && s[at + 1..]
                .chars()
                .next()
                .is_none_or(|n| n == ' ' || n == '\t')
    };
    let t = line.trim_start_matches([' ', '\t']);
    let indicator =
        |c: char| t.starts_with(c) && t[1..].chars().next().is_none_or(|n| n == ' ' || n == '\t');
    if t.is_empty() || t.starts_with('#') || line.starts_with("---") || is_document_end(line) {
        return None;
    }
    if indicator('-') {
        return Some("block sequence entries are not allowed in this context");
    }
    if indicator('?') {
        return Some("mapping keys are not allowed in this context");
    }
    if indicator(':') {
        return Some(VALUE);
    }
    if let Some(rest) = t.strip_prefix(['&', '*']) {
        // libyaml's anchor scan: a name of letters, digits, `_` and `-`,
        // then a blank or one of a few indicators.
        let name = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
        let ends = rest[name..].chars().next().is_none_or(|c| {
            matches!(
                c,
                ' ' | '\t' | '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'
            )
        });
        if name == 0 || !ends {
            return Some("did not find expected alphabetic or numeric character");
        }
        // An alias or anchor before a value indicator (`*a:`, `&a: b`): the
        // indicator is the next token.
        let after = rest[name..].trim_start_matches([' ', '\t']);
        return (value_at(after, 0) && !first_token_only).then_some(VALUE);
    }
    if t.starts_with(['[', '{', '!', '|', '>']) {
        return None;
    }
    if t.starts_with(['@', '`']) {
        return Some("found character that cannot start any token");
    }
    if first_token_only {
        return None;
    }
    if let Some(quote) = t.chars().next().filter(|&c| c == '"' || c == '\'') {
        // The quoted scalar's end, on this line or a later one (no copy).
        let (text, end) = std::iter::once(&t[1..])
            .chain(later.iter().copied())
            .find_map(|l| quoted_end(l, quote).map(|end| (l, end)))?;
        let after = text[end + 1..].trim_start_matches([' ', '\t']);
        return value_at(after, 0).then_some(VALUE);
    }
    // A plain scalar: on over later lines (blank ones too) until `: `, ` #`,
    // a comment line or a document marker.
    for (k, l) in std::iter::once(t).chain(later.iter().copied()).enumerate() {
        if k > 0 {
            let lt = l.trim_start_matches([' ', '\t']);
            if lt.starts_with('#') || l.starts_with("---") || is_document_end(l) {
                return None;
            }
        }
        let b = l.as_bytes();
        for at in 0..b.len() {
            if b[at] == b'#' && at > 0 && matches!(b[at - 1], b' ' | b'\t') {
                return None;
            }
            if value_at(l, at) {
                return Some(VALUE);
            }
        }
    }
    None
}

/// The byte of the quote closing a quoted scalar in `text` (past its
/// opening quote), if on this line.
fn quoted_end(text: &str, quote: char) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if quote == '"' => i += 2,
            b'\'' if quote == '\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote as u8 => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The directive on line `i` (0-based) as libyaml scans it (`%YAML 1.1`,
/// `%TAG !e! tag:example.com,2000:`, a comment after either): its error,
/// where the event parser is laxer (a `{` in a tag prefix, no version).
fn check_directive(line: &str, i: usize) -> Result<(), ParseError> {
    let fail = |message: &str| {
        Err(ParseError {
            line: i as u32 + 1,
            column: 1,
            message: message.into(),
        })
    };
    // libyaml's "alpha" characters, and its blanks.
    let word = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(s.len())
    };
    let blank_or_end = |s: &str| s.is_empty() || s.starts_with([' ', '\t']);
    fn skip_blanks(s: &str) -> &str {
        s.trim_start_matches([' ', '\t'])
    }
    let line = line.strip_suffix('\r').unwrap_or(line);
    let rest = &line[1..];
    let name_len = word(rest);
    if name_len == 0 {
        return fail("could not find expected directive name");
    }
    let (name, after_name) = rest.split_at(name_len);
    if !blank_or_end(after_name) {
        return fail("found unexpected non-alphabetical character");
    }
    let mut rest = skip_blanks(after_name);
    match name {
        "YAML" => {
            for part in 0..2 {
                let digits = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                if digits == 0 {
                    return fail("did not find expected version number");
                }
                if digits > 9 {
                    return fail("found extremely long version number");
                }
                rest = &rest[digits..];
                if part == 0 {
                    match rest.strip_prefix('.') {
                        Some(r) => rest = r,
                        None => return fail("did not find expected digit or '.' character"),
                    }
                }
            }
        }
        "TAG" => {
            // A handle (`!`, `!!`, `!word!`), blanks, a prefix of URI
            // characters.
            let Some(handle) = rest.strip_prefix('!') else {
                return fail("did not find expected '!'");
            };
            let w = word(handle);
            let after = match handle[w..].strip_prefix('!') {
                Some(a) => a,
                None if w == 0 => handle,
                None => return fail("did not find expected '!'"),
            };
            if !after.starts_with([' ', '\t']) {
                return fail("did not find expected whitespace");
            }
            let prefix = skip_blanks(after);
            let uri = prefix
                .find(|c: char| {
                    !(c.is_ascii_alphanumeric() || "-_;/?:@&=+$,.!~*'()[]%".contains(c))
                })
                .unwrap_or(prefix.len());
            if uri == 0 {
                return fail("did not find expected tag URI");
            }
            let escapes_ok = prefix[..uri].match_indices('%').all(|(at, _)| {
                prefix
                    .get(at + 1..at + 3)
                    .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            });
            if !escapes_ok {
                return fail("did not find URI escaped octet");
            }
            rest = &prefix[uri..];
            if !blank_or_end(rest) {
                return fail("did not find expected whitespace or line break");
            }
        }
        _ => return fail("found unknown directive name"),
    }
    let rest = skip_blanks(rest);
    if !(rest.is_empty() || rest.starts_with('#')) {
        return fail("did not find expected comment or line break");
    }
    Ok(())
}

/// For a kustomization file (yaml.v2 reads its first document): the byte
/// where a directive line ends that document, if one does before `...` or
/// a second `---`; the rest is never read. An unknown directive there is
/// refused.
fn directive_inside_first_document(src: &str) -> Result<Option<usize>, ParseError> {
    if !(src.contains("\n%") || src.starts_with('%')) {
        return Ok(None);
    }
    let mut content = false;
    let mut at = 0;
    for (i, raw) in src.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // (A `%` opening a line inside a quoted scalar is content.)
        if content && line.starts_with('%') && enclosing_quote(src, at).is_none() {
            directive_ending_document(src, line, i, false)?;
            return Ok(Some(at));
        }
        if !content && line.starts_with('%') {
            check_directive(line, i)?;
        }
        if is_document_end(line) || (content && line.starts_with("---")) {
            return Ok(None);
        }
        let trimmed = line.trim_start();
        if !(trimmed.is_empty() || trimmed.starts_with('#') || line.starts_with('%')) {
            content = true;
        }
        at += raw.len() + 1;
    }
    Ok(None)
}

fn directive_error(line: u32) -> ParseError {
    ParseError {
        line,
        column: 1,
        message: "did not find expected <document start>".into(),
    }
}

fn parse_stream(src: &str, last_key_wins: bool, resource: bool) -> Result<Vec<Node>, ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let masked;
    let src = if last_key_wins {
        if let Some(line) = leading_document_end(src) {
            return Err(document_end_error(line));
        }
        match directive_inside_first_document(src)? {
            Some(end) => &src[..end],
            None => src,
        }
    } else {
        masked = kyaml_pieces(src)?;
        masked.as_deref().unwrap_or(src)
    };
    // Most files take the fast path; anything it does not read goes
    // through the event parser below.
    if !last_key_wins && let Some(docs) = crate::fast::parse_documents(src) {
        return docs;
    }
    // A kustomization file too, when the fast reader reads every document
    // of it: it takes no repeated key (so none to replace) and reads as
    // the event parser does; the first document is the one yaml.v2 reads.
    // Anything else (an error anywhere; a directive, which the fast reader
    // leaves to the event parser) goes the slow way, where what follows
    // the first document is never read.
    if last_key_wins && let Some(Ok(mut docs)) = crate::fast::parse_documents(src) {
        docs.truncate(1);
        return Ok(docs);
    }
    if !last_key_wins && let Some(line) = leading_directive(src) {
        // kustomize splits a resource file at its `---` lines before
        // reading each piece: a directive is left alone in its piece,
        // which yaml.v3 refuses. (A kustomization file is read whole, by
        // yaml.v2, which takes `%YAML 1.1`.)
        return Err(directive_error(line));
    }
    parse_events(src, Repeated::of(last_key_wins), resource)
}

/// What a key given twice in one mapping does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Repeated {
    /// An error naming both lines (resources).
    #[default]
    Error,
    /// The later value replaces the earlier (kustomization files).
    LastWins,
    /// The later entry is ignored (patches).
    FirstWins,
}

/// The line of a directive (`%YAML`, `%TAG`) that opens the stream, before
/// any content.
fn leading_directive(src: &str) -> Option<u32> {
    let (i, line) = src
        .lines()
        .enumerate()
        .find(|(_, l)| !(l.trim().is_empty() || l.trim_start().starts_with('#')))?;
    line.starts_with('%').then_some(i as u32 + 1)
}

/// The first character yaml.v2 and yaml.v3 refuse anywhere in a stream
/// ("control characters are not allowed"), with its line and column: all
/// but tab, line breaks, printable ASCII, NEL and the printable planes.
fn control_character(src: &str) -> Option<(u32, u32)> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
            || c >= '\u{10000}'
    };
    let (mut line, mut column) = (1u32, 1u32);
    for c in src.chars() {
        if !allowed(c) {
            return Some((line, column));
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    None
}

/// [`parse_documents`] through `saphyr-parser`'s events.
pub(crate) fn parse_with_events(src: &str, last_key_wins: bool) -> Result<Vec<Node>, ParseError> {
    parse_events(src, Repeated::of(last_key_wins), false)
}

impl Repeated {
    fn of(last_key_wins: bool) -> Repeated {
        if last_key_wins {
            Repeated::LastWins
        } else {
            Repeated::Error
        }
    }
}

/// How many times [`parse_events`] rewrites a text the event parser refuses
/// where yaml.v3 reads it (each rewrite mends one place).
const REWRITES: usize = 64;

fn parse_events(src: &str, repeated: Repeated, resource: bool) -> Result<Vec<Node>, ParseError> {
    let mut text = std::borrow::Cow::Borrowed(src);
    for _ in 0..REWRITES {
        match parse_events_once(&text, repeated, resource) {
            Err(e) => match as_libyaml_scans(&text, &e) {
                Some(mended) => text = std::borrow::Cow::Owned(mended),
                None => return Err(e),
            },
            Ok(Read::Mended(mended)) => text = std::borrow::Cow::Owned(mended),
            Ok(Read::Docs(docs)) => return Ok(docs),
        }
    }
    match parse_events_once(&text, repeated, resource)? {
        Read::Docs(docs) => Ok(docs),
        Read::Mended(_) => Err(ParseError {
            line: 1,
            column: 1,
            message: format!("more than {REWRITES} places read differently by libyaml"),
        }),
    }
}

/// What one pass of the event parser gives.
enum Read {
    Docs(Vec<Node>),
    /// The text rewritten where the event parser would read a token
    /// otherwise than libyaml: to be read again.
    Mended(String),
}

/// The byte offset of a 1-based line and (character) column.
fn offset_of(src: &str, line: u32, column: u32) -> Option<usize> {
    let start = if line <= 1 {
        0
    } else {
        src.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    let rest = &src[start..];
    let at = rest
        .char_indices()
        .nth(column.checked_sub(1)? as usize)
        .map_or(rest.len(), |(i, _)| i);
    Some(start + at)
}

/// Where the event parser's scanner refuses what libyaml's (yaml.v2 and
/// yaml.v3) reads, the same text mended so that the event parser reads it
/// the same way (lines keep their numbers), else `None`:
/// - a `#` right after a closing quote, a flow collection's start or end
///   or a `,` (`{a: b}#c`, `[a,#c`) starts a comment for libyaml (which
///   eats comments after any token), where the event parser wants a blank
///   before it: a blank is put in;
/// - a tag of the `!!` handle whose suffix holds a `!` (`!!!binary`): a
///   URI character for libyaml (an unknown tag, read as no tag), refused
///   by the event parser: each `!` of the suffix is written `%21`;
/// - a quoted scalar whose continuation lines are indented less than its
///   block (`key: 'a` then `b'` at column 0), or open with a tab: libyaml
///   checks no indentation inside quotes, the event parser does: the lines
///   are indented with spaces (leading blanks of a continuation line are
///   not content).
fn as_libyaml_scans(src: &str, e: &ParseError) -> Option<String> {
    let at = offset_of(src, e.line, e.column)?;
    if e.message == "did not find expected <document start>" {
        return unread_after_document(src, at);
    }
    if e.message == "invalid trailing content after double-quoted scalar" {
        return quoted_head_after_document(src, at);
    }
    if e.message == "invalid indentation in quoted scalar" {
        return indent_quoted_continuations(src, at);
    }
    if e.message == "tab cannot be used as indentation" {
        // A tab opening a continuation line of a quoted scalar: blank for
        // libyaml, refused by the event parser.
        return indent_quoted_continuations(src, enclosing_quote(src, at)?);
    }
    if e.message == "simple key expect ':'" {
        return anchored_empty_key_before(src, at);
    }
    if e.message == "comments must be separated from other tokens by whitespace" {
        let before = src[..at].chars().next_back()?;
        if src[at..].starts_with('#') && matches!(before, '"' | '\'' | ']' | '}' | ',' | '[' | '{')
        {
            return Some(format!("{} {}", &src[..at], &src[at..]));
        }
        return None;
    }
    if !(e.message.contains("did not find expected tag URI")
        || e.message
            .contains("while scanning a tag, did not find expected whitespace"))
    {
        return None;
    }
    // The tag: the `!` opening a token at or before the error, on its line.
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    // Two characters past the error, which may sit on a handle's `!`.
    let upto = src[at..]
        .char_indices()
        .nth(2)
        .map_or(src.len(), |(i, _)| at + i);
    let opens = |i: usize| i == line_start || src[..i].ends_with([' ', '\t', '[', '{', ',']);
    let tag = src[line_start..upto]
        .match_indices('!')
        .map(|(i, _)| line_start + i)
        .rfind(|&i| opens(i))?;
    encode_tag_suffix(src, tag)
}

/// Content after the end of a piece's first document, in the same piece
/// (`  a: b` then `- c` at column 0, which ends the mapping and with it the
/// document): kyaml decodes one document per piece, so yaml.v3 never
/// parses it, where the event parser wants a `---` before it. The text
/// from `at` (the first token past the document) to the piece's end is
/// blanked, lines kept. yaml.v3 scans a few tokens on before it returns
/// the document: of their errors this finds the most common, a quoted
/// scalar that opens there and never closes (kubectl-verified). `None`
/// when the piece opens with a directive (there the error is yaml.v3's
/// too) or the quote never closes.
fn unread_after_document(src: &str, at: usize) -> Option<String> {
    let piece_start = src[..at].rfind("\n---").map_or(0, |i| i + 1);
    let piece_end = src[at..].find("\n---").map_or(src.len(), |i| at + i + 1);
    let piece = &src[piece_start..at];
    if piece.starts_with('%') || piece.contains("\n%") {
        return None;
    }
    let head = src[at..piece_end].trim_start();
    if head.starts_with(['"', '\'']) && close_of(src, piece_end - head.len())? >= piece_end {
        return None;
    }
    let blanked: String = src[at..piece_end]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    Some(format!("{}{blanked}{}", &src[..at], &src[piece_end..]))
}

/// A quoted scalar with more text after it on its line (`"a" b`), as the
/// first token past a piece's first document: the event parser refuses the
/// text after the quote as it scans the scalar (at `at`), where libyaml
/// takes it for the next token, which yaml.v3 never parses. Mended as
/// [`unread_after_document`] mends, when the text with that scalar made a
/// plain `x` reads as a document ended before it; else `None`.
fn quoted_head_after_document(src: &str, at: usize) -> Option<String> {
    let close = src[..at]
        .trim_end_matches([' ', '\t'])
        .len()
        .checked_sub(1)?;
    if !matches!(src.as_bytes()[close], b'"' | b'\'') {
        return None;
    }
    let open = nearest_quote(src, close, &|c| c == close, false)?;
    let mut probe = String::with_capacity(src.len());
    probe.push_str(&src[..open]);
    probe.push('x');
    probe.extend(
        src[open + 1..=close]
            .chars()
            .map(|c| if c == '\n' { c } else { ' ' }),
    );
    probe.push_str(&src[close + 1..]);
    match parse_events_once(&probe, Repeated::Error, false) {
        Err(e)
            if e.message == "did not find expected <document start>"
                && offset_of(&probe, e.line, e.column) == Some(open) =>
        {
            unread_after_document(src, open)
        }
        _ => None,
    }
}

/// A line inside a flow collection that starts left of the block the
/// collection is in (`x: [a,` then `]` or `b]` at column 0, or after a
/// tab): libyaml checks no indentation in flow context, and a tab there is
/// a blank; the event parser checks both. The line's leading blanks become
/// spaces, `col` more of them (the collection's column, which puts the
/// line right of that block); leading blanks in a flow collection are not
/// content. `None` unless `at` (a character index) is the line's first
/// non-blank.
fn indent_flow_line(src: &str, at: usize, col: u32) -> Option<String> {
    let at = src.char_indices().nth(at).map_or(src.len(), |(i, _)| i);
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    if !src[line_start..at].bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    let pad = " ".repeat(col as usize + (at - line_start));
    Some(format!("{}{pad}{}", &src[..line_start], &src[at..]))
}

/// The text with the tag whose `!` is at byte `tag` written so that the
/// event parser ends it where libyaml does, when they differ: libyaml's
/// URI characters take `!`, `[`, `]` and `,`, which the event parser ends
/// the tag at (or refuses), so those are percent-encoded (an unknown tag
/// either way, read as no tag).
fn encode_tag_suffix(src: &str, tag: usize) -> Option<String> {
    let (suffix_at, end) = libyaml_tag(src, tag)?;
    let suffix = &src[suffix_at..end];
    if !suffix.contains(['!', '[', ']', ',']) {
        return None;
    }
    let encoded = suffix
        .replace('!', "%21")
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace(',', "%2C");
    Some(format!("{}{encoded}{}", &src[..suffix_at], &src[end..]))
}

/// The tag whose `!` is at byte `tag` as libyaml scans it: the byte where
/// its suffix starts and the byte past its end (`None` for a verbatim
/// `!<...>` tag).
fn libyaml_tag(src: &str, tag: usize) -> Option<(usize, usize)> {
    let rest = &src[tag + 1..];
    if rest.starts_with('<') {
        return None;
    }
    // The handle as libyaml scans it: `!!`, `!word!`, else `!` alone.
    let word = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let suffix_at = if rest[word..].starts_with('!') {
        word + 1
    } else {
        0
    };
    let tail = &rest[suffix_at..];
    // libyaml's URI characters (saphyr-parser takes `#` too, but no `!`
    // and no flow indicator).
    let end = tail
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_;/?:@&=+$,.!~*'()[]%".contains(c)))
        .unwrap_or(tail.len());
    let suffix_at = tag + 1 + suffix_at;
    Some((suffix_at, suffix_at + end))
}

/// The text with the continuation lines of the quoted scalar opening at
/// byte `at` indented past its opening quote (lines keep their numbers).
/// `None` when it is not closed, or a continuation line is a document
/// marker (libyaml refuses those too).
fn indent_quoted_continuations(src: &str, at: usize) -> Option<String> {
    let quote = *src.as_bytes().get(at)?;
    if !matches!(quote, b'\'' | b'"') {
        return None;
    }
    let b = src.as_bytes();
    let mut i = at + 1;
    let end = loop {
        match *b.get(i)? {
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\\' if quote == b'"' => i += 2,
            c if c == quote => break i,
            _ => i += 1,
        }
    };
    let line_start = src[..at].rfind('\n').map_or(0, |n| n + 1);
    let pad = " ".repeat(src[line_start..at].chars().count() + 1);
    let mut out = String::with_capacity(src.len() + pad.len() * 4);
    out.push_str(&src[..at]);
    let pieces = src[at..end].split('\n').count();
    for (n, line) in src[at..end].split('\n').enumerate() {
        if n == 0 {
            out.push_str(line);
            continue;
        }
        out.push('\n');
        // Leading blanks (tabs too) of a continuation line, and every
        // blank of a blank one, are not content; the closing quote's line
        // is indented whatever it holds before the quote.
        let body = line.trim_start_matches([' ', '\t']);
        if (body.starts_with("---") || body.starts_with("...")) && body.len() == line.len() {
            return None;
        }
        if n + 1 == pieces || !body.trim_end_matches(['\r', ' ', '\t']).is_empty() {
            out.push_str(&pad);
            out.push_str(body);
        }
    }
    out.push_str(&src[end..]);
    Some(out)
}

/// Whether the `:` at byte `colon` answers a `?` of the same mapping: the
/// last token before it is a `?` on its line or at its column (`? ` then
/// `: b` below it; a `?` further right is a key of a deeper mapping, which
/// the `:` closes).
fn explicit_key_before(src: &str, colon: usize) -> bool {
    let before = src[..colon].trim_end_matches([' ', '\t', '\r', '\n']);
    if !before.ends_with('?') {
        return false;
    }
    let q = before.len() - 1;
    let line_start = |at: usize| src[..at].rfind('\n').map_or(0, |i| i + 1);
    let (q_start, colon_start) = (line_start(q), line_start(colon));
    q_start == colon_start
        || src[q_start..q].chars().count() == src[colon_start..colon].chars().count()
}

/// An anchored empty key (`&a: b`, the anchor opening its line, after any
/// `- `) on the last lines before the byte `at` where the event parser
/// failed: libyaml ends the anchor's name at the `:`, the event parser
/// takes the colon into the name and then wants one (which it reports at
/// the next token, past the line, when the key is not a mapping's first).
/// The text with a blank put in before the colon, as [`anchor_name`] mends
/// the same when the event comes first.
fn anchored_empty_key_before(src: &str, at: usize) -> Option<String> {
    let mut end = at;
    for _ in 0..3 {
        let start = src[..end].rfind('\n').map_or(0, |n| n + 1);
        let line = &src[start..end];
        let body = line.trim_start_matches([' ', '-']);
        let opens_with_blanks = line[..line.len() - body.len()].bytes().all(|b| b == b' ')
            || line[..line.len() - body.len()].ends_with("- ");
        if opens_with_blanks && let Some(name) = body.strip_prefix('&') {
            let len = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(name.len());
            if len > 0 && name[len..].starts_with(':') {
                let colon = end - body.len() + 1 + len;
                return Some(format!("{} {}", &src[..colon], &src[colon..]));
            }
        }
        if start == 0 {
            return None;
        }
        end = start - 1;
    }
    None
}

/// The quoted scalar that the byte `at` is inside of, by its opening
/// quote: the nearest quote before `at` (on its line or up to 1,000 lines
/// back) that opens a token and closes past `at`, and does not itself
/// close a quoted scalar opened before it (a `"` alone at column 0 ending
/// `x: "1` of the line above).
fn enclosing_quote(src: &str, at: usize) -> Option<usize> {
    nearest_quote(src, at, &|close| close > at, true)
}

/// The nearest quote before `at` (as [`enclosing_quote`] searches) that
/// opens a token and whose closing quote's offset `fits`; `closers`: skip
/// a quote that closes an earlier one.
fn nearest_quote(
    src: &str,
    at: usize,
    fits: &dyn Fn(usize) -> bool,
    closers: bool,
) -> Option<usize> {
    let opens = |i: usize| {
        let before = src[..i].trim_end_matches([' ', '\t']);
        before.is_empty() || before.ends_with(['\n', ':', '-', '?', '[', '{', ','])
    };
    let closes_earlier =
        |i: usize| closers && nearest_quote(src, i, &|close| close == i, false).is_some();
    let mut end = at;
    for _ in 0..1000 {
        let start = src[..end].rfind('\n').map_or(0, |n| n + 1);
        let found = src[start..end]
            .match_indices(['\'', '"'])
            .map(|(i, _)| start + i)
            .rfind(|&i| opens(i) && close_of(src, i).is_some_and(fits) && !closes_earlier(i));
        if found.is_some() || start == 0 {
            return found;
        }
        end = start - 1;
    }
    None
}

/// The closing quote of the quoted scalar whose opening quote is the byte
/// `open` (`''` and `\"` escapes skipped); `None` when it never closes.
fn close_of(src: &str, open: usize) -> Option<usize> {
    let b = src.as_bytes();
    let quote = b[open];
    let mut i = open + 1;
    loop {
        match b.get(i)? {
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\\' if quote == b'"' => i += 2,
            &c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
}

/// Byte offsets of the event parser's character positions, found by
/// walking forward from the last one asked for (events come in text
/// order); direct on ASCII text.
struct Offsets<'s> {
    src: &'s str,
    ascii: bool,
    /// The last position found: (character, byte).
    at: (usize, usize),
}

impl<'s> Offsets<'s> {
    fn new(src: &'s str) -> Self {
        Offsets {
            src,
            ascii: src.is_ascii(),
            at: (0, 0),
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.src.len());
        }
        if char_index < self.at.0 {
            self.at = (0, 0);
        }
        let (mut c, mut b) = self.at;
        for ch in self.src[b..].chars() {
            if c == char_index {
                break;
            }
            c += 1;
            b += ch.len_utf8();
        }
        self.at = (c, b);
        b
    }
}

/// Where the event parser reads a node's properties or a plain scalar in
/// a flow collection otherwise than libyaml (yaml.v2 and yaml.v3), found
/// from an event before the builder takes it:
/// - an anchor or alias name holding a character libyaml does not take
///   (it takes `[0-9A-Za-z_-]`; the event parser anything but blanks and
///   flow indicators): libyaml's error;
/// - a tag whose suffix holds `!`, `[`, `]` or `,` ([`encode_tag_suffix`]);
/// - a block mapping entry opening with `:` without a `?` before it
///   (`key` says a mapping's key is read): refused;
/// - an entry of a flow collection opening with `:` (`{: a}`), or a plain
///   scalar there opening with one (`{a: :b}`): refused;
/// - a token opening with `|` or `>` in a flow collection: refused;
/// - a `?` inside a plain scalar in a flow collection (`[http://x?y=1]`):
///   libyaml ends the scalar there and refuses the rest;
/// - a plain scalar in a flow collection followed by `:` and `,`, `]` or
///   `}`: the colon is part of the scalar for libyaml (`[a:]` is the
///   string `a:`; the event parser reads a mapping), so the scalar is to
///   be written single-quoted with its colon.
fn libyaml_reading(
    event: &Event<'_>,
    span: &Span,
    in_flow: Option<char>,
    key: bool,
    at: &mut Offsets<'_>,
) -> Result<Option<Mend>, ParseError> {
    let src = at.src;
    let (anchored, tagged, plain, block) = match event {
        Event::Scalar(_, style, anchor, tag) => (
            *anchor != 0,
            tag.is_some(),
            *style == ScalarStyle::Plain,
            matches!(style, ScalarStyle::Literal | ScalarStyle::Folded),
        ),
        Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
            (*anchor != 0, tag.is_some(), false, false)
        }
        Event::Alias(_) => (true, false, false, false),
        _ => return Ok(None),
    };
    let mut start = at.byte(span.start.index());
    if anchored || tagged {
        // The properties open the node's span, in either order.
        let mut i = start;
        for _ in 0..2 {
            let Some(&c) = src.as_bytes().get(i) else {
                break;
            };
            let len = src[i..]
                .find(|c: char| c.is_whitespace() || (c != '!' && ",[]{}".contains(c)))
                .unwrap_or(src.len() - i);
            match c {
                b'&' | b'*' => {
                    if let Some(mended) = anchor_name(src, i, len)? {
                        return Ok(Some(Mend::Text(mended)));
                    }
                }
                b'!' => {
                    // libyaml wants a blank right after a tag (in a flow
                    // collection a `,` too, which its suffix takes).
                    if let Some((_, end)) = libyaml_tag(src, i)
                        && !matches!(
                            src.as_bytes().get(end),
                            None | Some(b' ' | b'\t' | b'\r' | b'\n')
                        )
                    {
                        return Err(error_at(
                            src,
                            end,
                            "while scanning a tag, did not find expected whitespace or line break",
                        ));
                    }
                    if let Some(mended) = encode_tag_suffix(src, i) {
                        return Ok(Some(Mend::Text(mended)));
                    }
                }
                _ => break,
            }
            i += len;
            i += src[i..].len() - src[i..].trim_start_matches([' ', '\t', '\r', '\n']).len();
        }
        // A scalar's text follows its properties.
        start = i;
    }
    if plain
        && key
        && in_flow.is_none()
        && !(anchored || tagged)
        && span.end.index() == span.start.index()
        && src[start..].starts_with(':')
        && !explicit_key_before(src, start)
    {
        // A block mapping entry opening with `:` and no `?` before it:
        // libyaml wants a key there; the event parser reads an empty one.
        return Err(error_at(src, start, "did not find expected key"));
    }
    // libyaml scans `|` and `>` as block scalar indicators in block
    // context only; in a flow collection no token starts with one (the
    // event parser reads a block scalar there, or a plain one).
    if in_flow.is_some() && (block || (plain && src[start..].starts_with(['|', '>']))) {
        return Err(error_at(
            src,
            start,
            "found character that cannot start any token",
        ));
    }
    let Some(close) = in_flow.filter(|_| plain) else {
        return Ok(None);
    };
    let end = at.byte(span.end.index()).max(start);
    // libyaml reads a `:` opening a token in a flow collection as a value
    // indicator, whatever follows (`{a: :b}`): what follows is refused.
    if end > start && src[start..].starts_with(':') {
        return Err(error_at(src, start, "did not find expected node content"));
    }
    // libyaml ends a plain scalar at a `?` in a flow collection, where it
    // is always a key indicator: what follows is refused.
    if let Some(q) = src[start..end]
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '?')
        .map(|(i, _)| start + i)
    {
        return Err(error_at(
            src,
            q,
            format!("did not find expected ',' or '{close}'"),
        ));
    }
    // An entry opening with `:` (`{: a}`, `[: a]`): libyaml wants a key
    // there (`? : a` is one); the event parser reads an empty one.
    if end == start
        && src[start..].starts_with(':')
        && src[..start]
            .trim_end_matches([' ', '\t', '\r', '\n'])
            .ends_with(['{', '[', ','])
    {
        return Err(error_at(src, start, "did not find expected node content"));
    }
    let after = &src.as_bytes()[end.min(src.len())..];
    // (An empty value has an empty span, at the next token.)
    if end == start
        || !(after.first() == Some(&b':') && matches!(after.get(1), Some(b',' | b']' | b'}')))
    {
        return Ok(None);
    }
    Ok(Some(Mend::Quote(start, end + 1)))
}

/// A place [`libyaml_reading`] found.
enum Mend {
    /// The whole text, mended at one place.
    Text(String),
    /// The byte range of a plain scalar to write single-quoted.
    Quote(usize, usize),
}

/// Checks the anchor or alias name at byte `at` (its indicator, then
/// `len - 1` characters as the event parser took them) as libyaml scans
/// it: an error, or the text mended where libyaml ends an anchor's name
/// at a `:` (`&a: b` is an anchored empty key for libyaml; a blank is put
/// in before the colon).
fn anchor_name(src: &str, at: usize, len: usize) -> Result<Option<String>, ParseError> {
    let name = &src[at + 1..at + len];
    let Some((i, c)) = name
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    else {
        return Ok(None);
    };
    let colon = at + 1 + i;
    if i > 0 && c == ':' && src.as_bytes()[at] == b'&' {
        return Ok(Some(format!("{} {}", &src[..colon], &src[colon..])));
    }
    // libyaml ends the name at these too and reads on (a different
    // reading, left to the event parser).
    if i > 0 && "?:%@`".contains(c) {
        return Ok(None);
    }
    let message = if src.as_bytes()[at] == b'&' {
        "while scanning an anchor, did not find expected alphabetic or numeric character"
    } else {
        "while scanning an alias, did not find expected alphabetic or numeric character"
    };
    Err(error_at(src, at + 1 + i, message))
}

/// An error at byte `at` of `src` (its line and character column).
fn error_at(src: &str, at: usize, message: impl Into<String>) -> ParseError {
    let line_start = src[..at].rfind('\n').map_or(0, |n| n + 1);
    ParseError {
        line: src[..at].matches('\n').count() as u32 + 1,
        column: src[line_start..at].chars().count() as u32 + 1,
        message: message.into(),
    }
}

fn parse_events_once(src: &str, repeated: Repeated, resource: bool) -> Result<Read, ParseError> {
    let mut quotes = Vec::new();
    let read = read_events(src, repeated, resource, &mut quotes);
    if quotes.is_empty() {
        return read;
    }
    // Every plain scalar to quote, at once: the event parser reads on past
    // each (its reading differs, its positions do not), and an error or a
    // mend after one may come of reading it otherwise.
    let mut out = String::with_capacity(src.len() + 2 * quotes.len());
    let mut from = 0;
    for (start, end) in quotes {
        if start < from {
            // (Scalars come in text order and end before the next starts.)
            continue;
        }
        out.push_str(&src[from..start]);
        out.push('\'');
        out.push_str(&src[start..end].replace('\'', "''"));
        out.push('\'');
        from = end;
    }
    out.push_str(&src[from..]);
    Ok(Read::Mended(out))
}

/// One pass of the event parser over `src`; the plain scalars to quote
/// (byte ranges, see [`libyaml_reading`]) are pushed on `quotes`.
fn read_events(
    src: &str,
    repeated: Repeated,
    resource: bool,
    quotes: &mut Vec<(usize, usize)>,
) -> Result<Read, ParseError> {
    let last_key_wins = repeated == Repeated::LastWins;
    // The fast reader takes no control character, so every text holding
    // one comes here.
    if let Some((line, column)) = control_character(src) {
        return Err(ParseError {
            line,
            column,
            message: "control characters are not allowed".into(),
        });
    }
    let mut builder = Builder {
        repeated,
        flow_empty_is_str: resource,
        ..Builder::default()
    };
    let mut offsets = Offsets::new(src);
    if !src.ends_with('\n') {
        builder.unterminated_end = Some(src.chars().count());
        // A last line of blanks follows a line break, which yaml.v3 keeps.
        let last = src.rsplit('\n').next().unwrap_or_default();
        builder.blank_last_line = last.trim_matches([' ', '\t', '\r']).is_empty();
    }
    let mut tabs = TabLines::new(src, last_key_wins);
    let mut docs = Vec::new();
    let mut parser = Parser::new_from_str(src);
    let mut in_doc = false;
    while let Some(next) = parser.next_event() {
        if last_key_wins
            && next
                .as_ref()
                .is_err_and(|e| e.info() != "missing explicit document end marker before directive")
            && builder.stack.is_empty()
            && let Some(root) = builder.root.take()
        {
            // The first document is complete; the error is past it (the
            // event parser reports some before ending the document).
            docs.push(root);
            return Ok(Read::Docs(docs));
        }
        if let Err(e) = &next
            && matches!(
                e.info(),
                "invalid indentation"
                    | "invalid indentation in flow construct"
                    | "tabs disallowed within this context (block indentation)"
            )
            && let Some(col) = builder.outermost_flow_col()
            && let Some(mended) = indent_flow_line(src, e.marker().index(), col)
        {
            return Ok(Read::Mended(mended));
        }
        let (event, span) = next.map_err(|e| ParseError {
            line: e.marker().line() as u32,
            column: e.marker().col() as u32 + 1,
            message: match e.info() {
                // saphyr-parser counts flow levels in a byte.
                "recursion limit exceeded" => {
                    "flow collections nested deeper than 255 levels are not supported here \
                     (kustomize reads up to 10000; one-line ones are read up to 10000)"
                        .to_string()
                }
                info => info.to_string(),
            },
        })?;
        if let Some(tabs) = tabs.as_mut() {
            tabs.event(&event, &span, src);
        }
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                in_doc = true;
                builder.anchors.clear();
                builder.budget = AliasBudget::new();
            }
            Event::DocumentEnd => {
                if in_doc {
                    docs.push(builder.root.take().unwrap_or_else(Node::null));
                    if last_key_wins {
                        // A kustomization file: its first document only.
                        TabLines::check(tabs, span.end.line())?;
                        return Ok(Read::Docs(docs));
                    }
                }
                in_doc = false;
            }
            other => {
                match libyaml_reading(
                    &other,
                    &span,
                    builder.flow_close(),
                    builder.expects_key(),
                    &mut offsets,
                )? {
                    Some(Mend::Text(mended)) => return Ok(Read::Mended(mended)),
                    Some(Mend::Quote(start, end)) => quotes.push((start, end)),
                    None => {}
                }
                let flow = match &other {
                    Event::SequenceStart(..) | Event::MappingStart(..) => {
                        let (start, end) = (span.start.index(), span.end.index());
                        end > start
                            && matches!(
                                src.as_bytes().get(offsets.byte(end - 1)),
                                Some(b'[' | b'{')
                            )
                    }
                    _ => false,
                };
                if let Some(done) = builder.event(other, &span, flow)? {
                    builder.root = Some(done);
                }
            }
        }
    }
    TabLines::check(tabs, usize::MAX)?;
    Ok(Read::Docs(docs))
}

/// The lines that open with a tab (after any spaces), which yaml.v3 refuses
/// in block context ("found a tab character that violates indentation":
/// a tab is never indentation, and at the start of a line it cannot start
/// a token either) and the event parser takes, less the lines inside a
/// scalar or a flow collection spanning lines (there a tab is
/// whitespace), and the lines yaml.v3's comment scanner skips (blank lines
/// between two comments: it looks past blanks and tabs for the next `#`).
struct TabLines {
    /// 1-based line and 1-based column of the tab, by line.
    lines: Vec<(usize, usize)>,
    /// Lines inside a multi-line scalar or flow collection (first, last).
    inside: Vec<(usize, usize)>,
    /// Lines inside a multi-line plain scalar in block context (first,
    /// last, and the 0-based column a tab must be at or past: libyaml
    /// refuses one left of the block's indentation plus one).
    inside_plain: Vec<(usize, usize, usize)>,
    /// The start lines of the open flow collections.
    flows: Vec<usize>,
    /// Whether each open collection is a flow one, and its column.
    open: Vec<(bool, usize)>,
    /// The byte offset of each line's start.
    starts: Vec<usize>,
}

/// Whether yaml.v3's comment scanner skips line `i` (0-based) of `lines`:
/// a line of blanks or one whose first non-blank is `#`, after a comment
/// line and blank lines only, when a `#` follows (on it or after blank
/// lines only) within the 512 characters the scanner looks ahead.
fn skipped_by_comment_scan(lines: &[&str], i: usize) -> bool {
    let trimmed = |l: &str| l.trim_start_matches([' ', '\t', '\r']).to_string();
    let blank = |l: &str| trimmed(l).is_empty();
    let comment = |l: &str| trimmed(l).starts_with('#');
    // Back to the comment line (the scanner's start), no further than it
    // looks ahead (so a long run of blank lines costs no more than that).
    let mut back = 0;
    let mut before = None;
    for j in (0..i).rev() {
        if !blank(lines[j]) {
            before = Some(j);
            break;
        }
        back += lines[j].len() + 1;
        if back >= 512 {
            return false;
        }
    }
    let Some(before) = before.filter(|&j| comment(lines[j])) else {
        return false;
    };
    // On to the next `#`, counting what the scanner peeks at.
    let mut peeked = 0;
    for line in &lines[before + 1..] {
        let lead = line.len() - line.trim_start_matches([' ', '\t', '\r']).len();
        peeked += lead;
        if peeked >= 512 {
            return false;
        }
        if comment(line) {
            return true;
        }
        if !blank(line) {
            return false;
        }
        peeked += 1;
    }
    false
}

impl TabLines {
    /// `yaml_v2`: the text is read by yaml.v2 (a kustomization file),
    /// whose comment scanner does not look ahead, so no tab line is
    /// skipped between comments (kubectl-verified).
    fn new(src: &str, yaml_v2: bool) -> Option<TabLines> {
        if !src.contains('\t') {
            return None;
        }
        let all: Vec<&str> = src.split('\n').collect();
        let lines: Vec<(usize, usize)> = all
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let spaces = l.len() - l.trim_start_matches(' ').len();
                (l.as_bytes().get(spaces) == Some(&b'\t')
                    && (yaml_v2 || !skipped_by_comment_scan(&all, i)))
                .then_some((i + 1, spaces + 1))
            })
            .collect();
        let starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        (!lines.is_empty()).then_some(TabLines {
            lines,
            inside: Vec::new(),
            inside_plain: Vec::new(),
            flows: Vec::new(),
            open: Vec::new(),
            starts,
        })
    }

    fn event(&mut self, event: &Event, span: &Span, src: &str) {
        match event {
            Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, anchor, tag) => {
                // Its content is indented past its block's; with an anchor
                // or a tag its span starts on the header's line.
                let least = self.open.last().map_or(0, |&(_, col)| col + 1);
                let at = span.start.line() + usize::from(*anchor != 0 || tag.is_some());
                self.block_scalar(at, least, src);
            }
            Event::Scalar(_, ScalarStyle::Plain, ..)
                if span.end.line() > span.start.line() && self.flows.is_empty() =>
            {
                // libyaml's indentation for the scalar is its block's.
                let at = self.open.last().map_or(0, |&(_, col)| col + 1);
                self.inside_plain
                    .push((span.start.line() + 1, span.end.line(), at));
            }
            Event::Scalar(..) if span.end.line() > span.start.line() => {
                self.inside.push((span.start.line() + 1, span.end.line()));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                // The character the collection starts at (lines are
                // 1-based, columns 0-based characters).
                let flow = self
                    .starts
                    .get(span.start.line().wrapping_sub(1))
                    .and_then(|&at| src[at..].chars().nth(span.start.col()))
                    .is_some_and(|c| c == '[' || c == '{');
                self.open.push((flow, span.start.col()));
                if flow {
                    self.flows.push(span.start.line());
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if self.open.pop().is_some_and(|(flow, _)| flow)
                    && let Some(start) = self.flows.pop()
                {
                    self.inside
                        .push((start + 1, span.end.line().max(span.start.line())));
                }
            }
            _ => {}
        }
    }

    /// A block scalar whose content the event parser places at line `at`
    /// (its spans end early, so its lines are found here: the blank ones
    /// before `at`, then every blank one or one indented as far as the
    /// content): yaml.v3 refuses a tab in its indentation ("found a tab
    /// character where an indentation space is expected": before the
    /// content's indentation is known, or after fewer spaces than it);
    /// every other tab line is content.
    fn block_scalar(&mut self, at: usize, least: usize, src: &str) {
        let line = |n: usize| {
            let start = self.starts.get(n.wrapping_sub(1)).copied()?;
            let rest = &src[start..];
            Some(rest[..rest.find('\n').unwrap_or(rest.len())].trim_end_matches('\r'))
        };
        let blank = |l: &str| l.trim_matches([' ', '\t']).is_empty();
        let spaces = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let mut first = at;
        while first > 1 && line(first - 1).is_some_and(blank) {
            first -= 1;
        }
        // The first line with content sets the indentation; one indented
        // no further than the block (`least` spaces or fewer) is past the
        // scalar, which is empty.
        let indent = (first..)
            .map_while(|n| line(n).map(|l| (n, l)))
            .find(|(_, l)| !blank(l))
            .map(|(n, l)| (n, spaces(l)))
            .filter(|&(_, ind)| ind >= least);
        let mut last = first;
        while let Some(l) = line(last + 1) {
            let within = indent.is_some_and(|(at, ind)| last < at || spaces(l) >= ind);
            if !(blank(l) || within) {
                break;
            }
            last += 1;
        }
        for &(n, col) in &self.lines {
            if !(first..=last).contains(&n) {
                continue;
            }
            let refused = match indent {
                // Up to the first line with content (which, being on this
                // list, opens with a tab) the indentation is not known.
                Some((at, ind)) => n <= at || col - 1 < ind,
                None => true,
            };
            if !refused {
                self.inside.push((n, n));
            }
        }
    }

    /// The first tab line up to `last` outside every exempt range.
    fn check(tabs: Option<TabLines>, last: usize) -> Result<(), ParseError> {
        let Some(tabs) = tabs else { return Ok(()) };
        // How many exempt ranges hold each line (a difference array: the
        // ranges nest as deep as the collections).
        let mut depth = vec![0i64; tabs.starts.len() + 2];
        for &(a, b) in &tabs.inside {
            if a <= b && b < depth.len() - 1 {
                depth[a] += 1;
                depth[b + 1] -= 1;
            }
        }
        let mut sum = 0;
        for d in &mut depth {
            sum += *d;
            *d = sum;
        }
        let in_plain = |line: usize, column: usize| {
            tabs.inside_plain
                .iter()
                .any(|&(a, b, at)| (a..=b).contains(&line) && column > at)
        };
        match tabs.lines.iter().find(|&&(line, column)| {
            line <= last && depth.get(line).is_some_and(|&d| d == 0) && !in_plain(line, column)
        }) {
            Some(&(line, column)) => Err(ParseError {
                line: line as u32,
                column: column as u32,
                message: "found a tab character that violates indentation".into(),
            }),
            None => Ok(()),
        }
    }
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
        size: Size,
        flow: bool,
    },
    Map {
        map: Map,
        anchor: usize,
        flow: bool,
        pending_key: Option<Scalar>,
        seen: Option<HashSet<crate::Text>>,
        merges: Vec<Node>,
        size: Size,
    },
}

/// What the alias and depth limits need to know of a node: how many
/// collections deep it is and how many nodes yaml.v3 decodes for it
/// (aliases inside it expanded).
#[derive(Clone, Copy, Default)]
struct Size {
    height: usize,
    decoded: u64,
}

impl Size {
    const SCALAR: Size = Size {
        height: 0,
        decoded: 1,
    };

    /// A collection being read: itself, so far.
    const OPEN: Size = Size {
        height: 1,
        decoded: 1,
    };

    fn add_child(&mut self, child: Size) {
        self.height = self.height.max(child.height + 1);
        self.decoded = self.decoded.saturating_add(child.decoded);
    }
}

/// An anchored node, kept for its aliases.
struct Anchored {
    node: Node,
    size: Size,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    budget: AliasBudget,
    root: Option<Node>,
    repeated: Repeated,
    /// The input's length in characters when it lacks a final line break:
    /// a block scalar running to the end then has no final line break
    /// either (saphyr adds one; yaml.v3 does not).
    unterminated_end: Option<usize>,
    /// Whether that input's last line holds blanks only: the block scalar
    /// then ends with the line break before it, and saphyr adds one more
    /// only when the blanks reach the content's indentation.
    blank_last_line: bool,
    /// How many flow collections are open.
    flows: usize,
    /// Whether an empty plain value in a flow collection is the empty
    /// string ([`parse_resources`]).
    flow_empty_is_str: bool,
}

impl Builder {
    /// Whether the next node is a mapping's key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        )
    }

    /// The closing indicator of the innermost flow collection, when the
    /// node being read is in one (inside a flow sequence, a single-pair
    /// mapping `[a: b]` is not a flow collection itself).
    /// The 1-based column of the outermost open flow collection, if any.
    fn outermost_flow_col(&self) -> Option<u32> {
        self.stack.iter().find_map(|f| match f {
            Frame::Seq {
                flow: true, seq, ..
            } => Some(seq.col),
            Frame::Map {
                flow: true, map, ..
            } => Some(map.col),
            _ => None,
        })
    }

    fn flow_close(&self) -> Option<char> {
        match self.stack.last()? {
            Frame::Seq { flow: true, .. } => Some(']'),
            Frame::Map { flow: true, .. } => Some('}'),
            _ if self.flows > 0 => Some(']'),
            _ => None,
        }
    }

    /// Feeds one event; returns the document's root node when it completes.
    /// `flow`: whether a collection that starts is a flow one.
    fn event(
        &mut self,
        event: Event<'_>,
        span: &Span,
        flow: bool,
    ) -> Result<Option<Node>, ParseError> {
        let line = span.start.line() as u32;
        if matches!(
            event,
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
        ) && !self.budget.node()
        {
            return Err(ParseError::at(span, limits::ALIAS_MESSAGE));
        }
        let col = span.start.col() as u32 + 1;
        let (complete, size) = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let mut value = value.into_owned();
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && self
                        .unterminated_end
                        .is_some_and(|end| span.end.index() >= end)
                    && value.ends_with(if self.blank_last_line { "\n\n" } else { "\n" })
                {
                    value.pop();
                }
                let empty_in_flow = self.flow_empty_is_str
                    && self.flows > 0
                    && value.is_empty()
                    && style == ScalarStyle::Plain
                    && tag.as_deref().is_none_or(is_non_specific);
                let is_key = self.expects_key();
                // yaml.v2 (kustomization files) reads a plain scalar under
                // `!` as a string, yaml.v3 as an untagged one.
                let v3 = self.repeated != Repeated::LastWins;
                let mut scalar = make_scalar(value, style, tag.as_deref(), v3, line, span)?;
                if empty_in_flow {
                    scalar.tag = Tag::Str;
                }
                if is_key && tag.as_deref().is_some_and(|t| !is_string_tag(t)) {
                    // yaml.v3 decodes such a map as map[interface{}]..., which
                    // kustomize's JSON step refuses when it prints it.
                    if scalar.tag == Tag::Str {
                        scalar.tag = Tag::Other;
                    }
                }
                let node = Node::Scalar(scalar);
                if anchor != 0 {
                    self.anchor(anchor, &node, Size::SCALAR);
                }
                (node, Size::SCALAR)
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(a) => {
                    // Refused before the copy is made: the check is what
                    // keeps an alias bomb from filling the memory.
                    if !self.budget.alias(a.size.decoded) {
                        return Err(ParseError::at(span, limits::ALIAS_MESSAGE));
                    }
                    if self.stack.len() + a.size.height > limits::MAX_DEPTH {
                        return Err(ParseError::at(span, limits::DEPTH_MESSAGE));
                    }
                    let size = Size {
                        height: a.size.height,
                        decoded: a.size.decoded.saturating_add(1),
                    };
                    (a.node.clone(), size)
                }
                None => return Err(ParseError::at(span, "unknown anchor")),
            },
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.flows += usize::from(flow);
                self.stack.push(Frame::Seq {
                    flow,
                    seq: Seq {
                        items: Vec::new(),
                        line,
                        col,
                        src: 0,
                    },
                    anchor,
                    size: Size::OPEN,
                });
                return Ok(None);
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.flows += usize::from(flow);
                self.stack.push(Frame::Map {
                    flow,
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
                    size: Size::OPEN,
                });
                return Ok(None);
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    seq,
                    anchor,
                    size,
                    flow,
                }) => {
                    self.flows -= usize::from(flow);
                    let node = Node::Seq(seq);
                    if anchor != 0 {
                        self.anchor(anchor, &node, size);
                    }
                    (node, size)
                }
                _ => return Err(ParseError::at(span, "unbalanced sequence end")),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    map,
                    anchor,
                    merges,
                    size,
                    flow,
                    ..
                }) => {
                    self.flows -= usize::from(flow);
                    let map = apply_merges(map, merges, span)?;
                    let node = Node::Map(map);
                    if anchor != 0 {
                        self.anchor(anchor, &node, size);
                    }
                    (node, size)
                }
                _ => return Err(ParseError::at(span, "unbalanced mapping end")),
            },
            _ => return Ok(None),
        };
        self.add(complete, size, span)
    }

    /// A collection starts: refused past the nesting limit.
    fn open(&self, span: &Span) -> Result<(), ParseError> {
        if self.stack.len() >= limits::MAX_DEPTH {
            return Err(ParseError::at(span, limits::DEPTH_MESSAGE));
        }
        Ok(())
    }

    fn anchor(&mut self, id: usize, node: &Node, size: Size) {
        self.anchors.insert(
            id,
            Anchored {
                node: node.clone(),
                size,
            },
        );
    }

    fn add(&mut self, node: Node, child: Size, span: &Span) -> Result<Option<Node>, ParseError> {
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Seq { seq, size, .. }) => {
                size.add_child(child);
                seq.items.push(node);
                Ok(None)
            }
            Some(Frame::Map {
                map,
                pending_key,
                seen,
                merges,
                size,
                ..
            }) => {
                size.add_child(child);
                let Some(key) = pending_key.take() else {
                    match node {
                        Node::Scalar(mut key) => {
                            // An empty key (`? ` alone, `- ?`) is written
                            // `''` by kyaml's text step, so it reads back
                            // as a string, in block context too.
                            if self.flow_empty_is_str
                                && key.value.is_empty()
                                && key.tag == Tag::Null
                                && key.style == Style::Plain
                            {
                                key.tag = Tag::Str;
                            }
                            *pending_key = Some(key);
                        }
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
                if duplicate && self.repeated == Repeated::FirstWins {
                    return Ok(None);
                }
                if duplicate && self.repeated == Repeated::LastWins {
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
        Some(Node::Seq(mut seq)) => {
            for item in std::mem::take(&mut seq.items) {
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
    // A set of the keys present, so merging a large mapping is linear.
    let mut present: HashSet<crate::Text> =
        map.entries.iter().map(|e| e.key.value.clone()).collect();
    for mut source in sources {
        for entry in std::mem::take(&mut source.entries) {
            if present.insert(entry.key.value.clone()) {
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
    yaml_v3: bool,
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
        // yaml.v3 resolves a plain scalar under the non-specific tag `!` as
        // if it had none (`! 12` is a number, `!` alone null), where the
        // YAML spec and yaml.v2 make it a string; quoted, it is one
        // (kubectl-verified: `namePrefix: ! 12` is the prefix `12`).
        None if style == Style::Plain => resolve::resolve_plain(&value),
        Some(t) if yaml_v3 && style == Style::Plain && is_non_specific(t) => {
            resolve::resolve_plain(&value)
        }
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
        value: value.into(),
        tag,
        style,
        line,
        col: span.start.col() as u32 + 1,
        src: 0,
    })
}

/// Whether a key with tag `t` is a string to yaml.v3: `!!str` (however
/// written) and the non-specific `!` (a plain key under it resolves as an
/// untagged one: [`make_scalar`]). `!!binary`, `!!x` and local tags
/// (`!foo`) are not, though their values are read as text.
fn is_string_tag(t: &saphyr_parser::Tag) -> bool {
    is_non_specific(t) || {
        let (handle, suffix) = (t.handle.as_str(), t.suffix.as_str());
        (handle, suffix) == ("!!", "str") || format!("{handle}{suffix}") == "tag:yaml.org,2002:str"
    }
}

/// The non-specific tag `!`.
fn is_non_specific(t: &saphyr_parser::Tag) -> bool {
    matches!(
        (t.handle.as_str(), t.suffix.as_str()),
        ("!", "") | ("", "!")
    )
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
        // yaml.v3 decodes the bytes into a Go string, which the JSON step
        // turns into text (invalid UTF-8 replaced); the base64 is gone.
        "binary" => {
            return Ok(Scalar {
                value: decode_binary(&value)
                    .ok_or_else(|| {
                        ParseError::at(span, "!!binary value contains invalid base64 data")
                    })?
                    .into(),
                tag: Tag::Str,
                style,
                line,
                col: span.start.col() as u32 + 1,
                src: 0,
            });
        }
        "int" | "float" | "bool" | "null" | "timestamp" => {
            return Err(ParseError::at(
                span,
                format!("cannot decode `{value}` as a !!{name}"),
            ));
        }
        _ => Tag::Str,
    };
    Ok(Scalar {
        value: value.into(),
        tag,
        style,
        line,
        col: span.start.col() as u32 + 1,
        src: 0,
    })
}

/// Go's `base64.StdEncoding.DecodeString`, which skips line breaks, as
/// text (invalid UTF-8 replaced, as `encoding/json` does).
fn decode_binary(value: &str) -> Option<String> {
    use base64::Engine as _;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let text: String = value
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    let bytes = engine.decode(text).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each text reads as the tree its second text reads as.
    fn reads_like(cases: &[(&str, &str)]) {
        for (text, want) in cases {
            let got = parse_documents(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            assert_eq!(
                got,
                parse_documents(want).expect("the expected reading"),
                "{text:?}"
            );
        }
    }
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

    /// kubectl-verified: libyaml checks no indentation inside a flow
    /// collection, and a tab opening one of its lines is a blank.
    #[test]
    fn flow_lines_left_of_their_block_read_as_libyaml_reads_them() {
        reads_like(&[
            ("a:\n  x: [b,\n]\n", "a: {x: [b]}\n"),
            ("a:\n  x: [!!str\n]\n", "a: {x: ['']}\n"),
            ("a:\n  x: [b,\nc,\n[d,\ne]]\n", "a: {x: [b, c, [d, e]]}\n"),
            ("a:\n  x: {b: c,\n\td: e}\n", "a: {x: {b: c, d: e}}\n"),
            ("a:\n  x: [b,\n \tc]\n  y: 1\n", "a: {x: [b, c], y: 1}\n"),
        ]);
        // A block line left of its block stays an error.
        assert!(parse_one("a:\n  x: [b]\n y\n").is_err());
    }

    /// kubectl-verified: directives are scanned as libyaml scans them, and
    /// no token opens with `|` or `>` in a flow collection.
    #[test]
    fn directives_and_block_indicators_in_flow_as_libyaml_scans_them() {
        for ok in [
            "%YAML 1.1",
            "%YAML\t1.2 # c",
            "%TAG ! tag:x,1:",
            "%TAG !! tag:x",
            "%TAG !e! tag:example.com,2000:%21",
        ] {
            assert!(check_directive(ok, 0).is_ok(), "{ok:?}");
        }
        for (bad, why) in [
            (
                "%TAG !e! tag:examp-le.com,2{000:",
                "did not find expected whitespace or line break",
            ),
            ("%YAML 1", "did not find expected digit or '.' character"),
            ("%YAML 1.1x", "did not find expected comment or line break"),
            ("%TAG !e tag:x", "did not find expected '!'"),
            ("%TAG !e!tag:x", "did not find expected whitespace"),
            ("%TAG !e! %zz", "did not find URI escaped octet"),
            ("%FOO", "found unknown directive name"),
        ] {
            assert_eq!(
                check_directive(bad, 0).map_err(|e| e.message),
                Err(why.into())
            );
        }
        assert!(parse_resources("---\n%YAML 1\n---\na: b\n").is_err());
        for text in ["x: [| b]\n", "x: {a: > c}\n", "x: [a, |]\n"] {
            let e = parse_resources(text).expect_err(text);
            assert_eq!(e.message, "found character that cannot start any token");
        }
        assert!(parse_resources("x: [a|b, c>]\n").is_ok());
    }

    /// kubectl-verified: a tab line between two comments is skipped by
    /// yaml.v3's comment scanner (resources), not by yaml.v2's
    /// (kustomization files).
    #[test]
    fn tab_lines_between_comments_by_reader() {
        let text = "# a\n\t\n# b\nk: v\n";
        assert!(parse_resources(text).is_ok());
        assert!(parse_one_last_key_wins(text).is_err());
    }

    /// kubectl-verified: what yaml.v3's look-ahead past a directive that
    /// ends a document refuses on the next line, and what it takes.
    #[test]
    fn the_line_after_a_directive_as_yaml_v3_scans_it() {
        let read = |after: &str| parse_resources(&format!("a: b\n%YAML 1.1\n{after}\n"));
        for refused in [
            "c: d",
            "  c: d",
            "- x",
            "? x",
            ": x",
            "\"q\": x",
            "four x: y",
            "four\nc: d",
            "four:",
            "a: [",
            "'it''s': x",
            "\"a\nb\": c",
        ] {
            assert!(read(refused).is_err(), "{refused:?}");
        }
        for taken in [
            "four",
            "  four\"",
            "\"q\"",
            "[a]: b",
            "a:b",
            "&a x",
            "!!str x: y",
            "{a: b}",
            "x\n- y",
            "|\n a",
            "#c\nc: d",
            "\nc: d",
            "a # c\nb: c",
            "---",
            "...",
            "%TAG ! x:\nc: d",
            "%TAG ! x:\n%TAG !! y:\n- y",
        ] {
            assert!(read(taken).is_ok(), "{taken:?}");
        }
        assert!(read("%TAG ! x:\n- y").is_err());
    }

    /// kubectl-verified: an anchored empty key after a mapping's first key
    /// (the event parser fails past it), and a `%` opening a line inside a
    /// quoted scalar, which is content, not a directive.
    #[test]
    fn anchored_empty_keys_and_percent_lines_in_quotes() {
        for (text, printed) in [
            (
                "d:\n  x: 1\n  &a: one\n  z: *a\n",
                "d:\n  \"\": one\n  x: 1\n  z: null\n",
            ),
            (
                "d:\n  x: 1\n  &a:\n    y: 1\n",
                "d:\n  \"\":\n    \"y\": 1\n  x: 1\n",
            ),
        ] {
            let docs = parse_resources(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            assert_eq!(
                crate::emit::to_string(&docs[0]).unwrap(),
                printed,
                "{text:?}"
            );
        }
        let docs = parse_resources("a: \"b\n%c\"\nd: 'e\n%YAML 1.1\n f'\n").unwrap();
        assert_eq!(docs[0].str_at(&["a"]), Some("b %c"));
        assert_eq!(docs[0].str_at(&["d"]), Some("e %YAML 1.1 f"));
        // Outside quotes the `%` line is a directive, which ends the
        // document, and content before the next `---` is refused.
        assert!(parse_resources("a: b\n%YAML 1.1\nc: d\n").is_err());
    }

    /// kubectl-verified: a key tagged otherwise than as a string makes its
    /// map unprintable; its value keeps the text whatever the tag.
    #[test]
    fn keys_tagged_other_than_str_are_not_strings() {
        let key_tags = |text: &str| -> Vec<Tag> {
            let n = parse_one(text).unwrap();
            let m = n.as_map().unwrap();
            m.entries.iter().map(|e| e.key.tag).collect()
        };
        assert_eq!(
            key_tags("!!str a: 1\n! b: 2\n!<tag:yaml.org,2002:str> c: 3\nd: 4\n"),
            [Tag::Str; 4]
        );
        assert_eq!(
            key_tags("!foo a: 1\n!!x b: 2\n!!binary Yw==: 3\n"),
            [Tag::Other; 3]
        );
        assert_eq!(key_tags("{!!x : a}"), [Tag::Other]);
        let n = parse_one("a: !foo b\n").unwrap();
        assert_eq!(
            n.get("a").and_then(Node::as_scalar).map(|s| s.tag),
            Some(Tag::Str)
        );
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

    /// kubectl-verified: in a patch the first of a repeated key wins.
    #[test]
    fn patches_keep_the_first_of_a_repeated_key() {
        let docs =
            parse_documents_first_key_wins("a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\n").unwrap();
        assert_eq!(docs[0].str_at(&["a"]), Some("1"));
        assert_eq!(docs[0].str_at(&["c", "x"]), Some("1"));
    }

    #[test]
    fn duplicate_keys_are_errors_with_lines() {
        let err = parse_one("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("already defined at line 1"), "{err}");
    }

    #[test]
    fn block_scalar_before_a_last_line_of_blanks_keeps_its_final_break() {
        for text in ["a: >\n  x\n  y\n  ", "a: |\n  x\n ", "a: |+\n  x\n  "] {
            let got = parse_documents(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            let want = parse_documents(if text.starts_with("a: >") {
                "a: \"x y\\n\"\n"
            } else {
                "a: \"x\\n\"\n"
            });
            let value = |d: &[Node]| {
                d[0].as_map()
                    .and_then(|m| m.get("a"))
                    .and_then(Node::as_str)
                    .map(str::to_string)
            };
            assert_eq!(value(&got), value(&want.expect("quoted")), "{text:?}");
        }
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
    fn nesting_past_10000_levels_is_refused_like_kustomize() {
        for (open, close) in [("[", "]"), ("{a: ", "}")] {
            let doc = |n: usize| format!("x: {}1{}\n", open.repeat(n), close.repeat(n));
            // The root mapping is one level.
            assert!(parse_one(&doc(9_999)).is_ok(), "{open}");
            let err = parse_one(&doc(10_000)).unwrap_err();
            assert_eq!(err.message, "exceeded max depth of 10000", "{open}");
            assert_eq!(err.line, 1);
        }
        let block = |n: usize| format!("x:\n{}y\n", "- ".repeat(n));
        assert!(parse_one(&block(9_999)).is_ok());
        let err = parse_one(&block(10_000)).unwrap_err();
        assert_eq!(err.message, "exceeded max depth of 10000");
        // Far past the limit: an error, not a stack overflow.
        let err = parse_one(&format!("{}\n", "[".repeat(1_000_000))).unwrap_err();
        assert_eq!(err.message, "exceeded max depth of 10000");
        assert_eq!((err.line, err.column), (1, 10_001));
        let err = parse_one(&format!("{}\n", "- ".repeat(1_000_000))).unwrap_err();
        assert_eq!(err.message, "exceeded max depth of 10000");
        // The event parser stops at 255 flow levels: said plainly.
        let err = parse_one(&format!("&a {}", "[".repeat(300))).unwrap_err();
        assert!(err.message.contains("nested deeper than 255"), "{err}");
    }

    #[test]
    fn aliases_count_toward_the_depth_limit() {
        // Each anchor nests the previous one 3,000 levels deeper.
        let mut src = String::from("a0: &a0 1\n");
        for i in 1..5 {
            src.push_str(&format!("a{i}: &a{i}\n{}*a{}\n", "- ".repeat(3_000), i - 1));
        }
        let err = parse_one(&src).unwrap_err();
        assert_eq!(err.message, "exceeded max depth of 10000");
        assert_eq!(err.line, 9);
    }

    #[test]
    fn an_alias_bomb_is_refused_as_excessive_aliasing() {
        // Nine levels of nine aliases: a billion strings once expanded.
        let mut src = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse_one(&src).unwrap_err();
        assert_eq!(err.message, "document contains excessive aliasing");
        // The same refusal for a kustomization file.
        let err = parse_one_last_key_wins(&src).unwrap_err();
        assert_eq!(err.message, "document contains excessive aliasing");
    }

    #[test]
    fn moderate_aliasing_is_allowed() {
        // An anchor used a hundred times in a small document.
        let mut src = String::from("base: &b {cpu: 1, memory: 2Gi}\nlist:\n");
        for _ in 0..100 {
            src.push_str("- *b\n");
        }
        let n = parse_one(&src).unwrap();
        assert_eq!(
            n.get("list").and_then(Node::as_seq).map(Vec::len),
            Some(100)
        );
    }

    #[test]
    fn merging_a_large_mapping_is_linear() {
        let keys: Vec<String> = (0..50_000).map(|i| format!("k{i}: {i}")).collect();
        let src = format!("a: &a {{{}}}\nb:\n  <<: *a\n  k1: x\n", keys.join(", "));
        let n = parse_one(&src).unwrap();
        assert_eq!(
            n.get("b").and_then(Node::as_map).map(Map::len),
            Some(50_000)
        );
        assert_eq!(n.str_at(&["b", "k1"]), Some("x"));
    }

    #[test]
    fn binary_values_are_decoded_as_kustomize_decodes_them() {
        let n = parse_one("a: !!binary aGVsbG8=\nb: !!binary |\n  aGVsbG8gd29y\n  bGQ=\n").unwrap();
        assert_eq!(n.str_at(&["a"]), Some("hello"));
        assert_eq!(n.str_at(&["b"]), Some("hello world"));
        let err = parse_one("a: !!binary 'not base64!'\n").unwrap_err();
        assert_eq!(err.message, "!!binary value contains invalid base64 data");
    }

    #[test]
    fn directives_opening_a_resource_file_are_refused_like_kustomize() {
        for src in [
            "%YAML 1.1\n---\na: 1\n",
            "# c\n%TAG !e! tag:e.com,2000:\n---\na: 1\n",
        ] {
            let err = parse_documents(src).unwrap_err();
            assert_eq!(
                err.message, "did not find expected <document start>",
                "{src}"
            );
        }
        // After a document's end marker it is read (as kustomize reads it),
        // and a kustomization file may have one.
        assert!(parse_documents("a: 1\n...\n%YAML 1.2\n---\nb: 2\n").is_ok());
        assert!(parse_one_last_key_wins("%YAML 1.1\n---\na: 1\n").is_ok());
    }

    /// kubectl-verified (fixtures `resource-first-document-of-each-piece`,
    /// `resource-piece-opening-with-document-end`,
    /// `resource-invalid-document-separator`): resource files read as kyaml
    /// splits and decodes them.
    #[test]
    fn resource_files_are_read_piece_by_piece_like_kyaml() {
        let names = |src: &str| -> Result<Vec<String>, String> {
            parse_documents(src)
                .map(|docs| {
                    docs.iter()
                        .filter_map(|d| d.str_at(&["n"]).map(String::from))
                        .collect()
                })
                .map_err(|e| format!("{}: {}", e.line, e.message))
        };
        let rows: &[(&str, Result<&[&str], &str>)] = &[
            ("n: a\n...\nn: b\n", Ok(&["a"])),
            ("n: a\n...\n[[[\n---\nn: b\n", Ok(&["a", "b"])),
            ("n: a\n---#c\nn: b\n", Ok(&["a", "b"])),
            ("n: a\n--- # c\nn: b\n", Ok(&["a", "b"])),
            ("n: a\r\n---\r\nn: b\r\n", Ok(&["a", "b"])),
            ("n: a\n---\n---\n...\nn: b\n", Ok(&["a"])),
            ("---\n...\nn: b\n", Ok(&[])),
            ("n: a\n---\n---\n---\nn: b\n", Ok(&["a", "b"])),
            ("...\nn: a\n", Err("1: did not find expected node content")),
            (
                "# c\n\n... # d\nn: a\n",
                Err("3: did not find expected node content"),
            ),
            (
                "n: a\n---\n\n---\n...\nn: b\n",
                Err("5: did not find expected node content"),
            ),
            (
                "n: a\n--- foo\nn: b\n",
                Err("2: invalid document separator: --- foo"),
            ),
            (
                "n: a\n----\nn: b\n",
                Err("2: invalid document separator: ----"),
            ),
        ];
        let mut failures = Vec::new();
        for (src, want) in rows {
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            let got = names(src);
            if got != want.clone().map_err(String::from) {
                failures.push(format!("{src:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // A kustomization file is one yaml.v2 stream.
        let err = parse_one_last_key_wins("...\nresources: []\n").unwrap_err();
        assert_eq!(err.message, "did not find expected node content");
        assert!(parse_one_last_key_wins("resources: []\n...\n[[[\n").is_ok());
    }

    /// kubectl-verified (fixture `parity-tab-line`): a line opening with a
    /// tab in block context is refused; inside a multi-line flow collection
    /// or scalar, or after a token, a tab is whitespace.
    #[test]
    fn a_comment_right_after_a_quote_or_a_flow_end_is_read_like_yaml_v3() {
        reads_like(&[
            ("a: {b: c}#x\n", "a: {b: c}"),
            ("a: [b]#x\n", "a: [b]"),
            ("a: \"b\"#x\n", "a: \"b\""),
            ("a: 'b'#x\nc: {d: e}#y\n", "a: 'b'\nc: {d: e}"),
        ]);
        // Inside a flow collection the comment eats its end, as in yaml.v3.
        assert!(parse_documents("a: {b: \"c\"#x}\n").is_err());
        // A plain scalar keeps its `#`.
        let plain = parse_documents("a: b#c\n").expect("plain");
        assert_eq!(plain, parse_documents("a: 'b#c'\n").expect("quoted"));
    }

    #[test]
    fn a_plain_scalar_before_a_colon_and_a_flow_end_keeps_the_colon_like_libyaml() {
        reads_like(&[
            ("a: [b:]\n", "a: ['b:']"),
            ("a: {b:}\n", "a: {'b:': }"),
            ("a: {name: b:}\n", "a: {name: 'b:'}"),
            ("a: [x, b:, c:d, 'e':]\n", "a: [x, 'b:', 'c:d', {e: }]"),
            ("a: [it's:]\n", "a: [\"it's:\"]"),
            ("a: [!!str 1:, &x b:]\n", "a: [!!str '1:', &x 'b:']"),
        ]);
        // Each in one more pass, however many there are.
        let many = format!("a: [{}]\n", vec!["b:"; 500].join(", "));
        let Node::Map(m) = &parse_documents(&many).expect("many")[0] else {
            panic!()
        };
        assert_eq!(m.entries[0].value.as_seq().map(Vec::len), Some(500));
        // Outside a flow collection a colon before `}` is no such thing.
        assert_eq!(
            parse_documents("a: b:}\n").expect("block"),
            parse_documents("a: 'b:}'\n").expect("quoted")
        );
    }

    #[test]
    fn an_empty_value_in_a_flow_collection_is_a_string_in_resources_only() {
        let text = "a: {b: , c, d: ~, e: !!null }\nf: [&x , ~]\ng:\n";
        let docs = parse_resources(text).expect("resource");
        let tags = |n: &Node| match n {
            Node::Scalar(s) => s.tag,
            _ => panic!("{n:?}"),
        };
        let a = docs[0].get("a").expect("a");
        assert_eq!(tags(a.get("b").unwrap()), Tag::Str);
        assert_eq!(tags(a.get("c").unwrap()), Tag::Str);
        assert_eq!(tags(a.get("d").unwrap()), Tag::Null);
        assert_eq!(tags(a.get("e").unwrap()), Tag::Null);
        let f = docs[0].get("f").and_then(Node::as_seq).expect("f");
        assert_eq!((tags(&f[0]), tags(&f[1])), (Tag::Str, Tag::Null));
        // In block context, and for everything but resources, null.
        assert_eq!(tags(docs[0].get("g").unwrap()), Tag::Null);
        let other = parse_documents(text).expect("other");
        assert_eq!(
            tags(other[0].get("a").unwrap().get("b").unwrap()),
            Tag::Null
        );
    }

    #[test]
    fn a_quoted_continuation_at_column_0_is_read_like_libyaml() {
        reads_like(&[
            ("a:\n  b: 'c\nd'\n", "a:\n  b: c d\n"),
            (
                "a:\n  b: \"c\n\n d\\\"\ne\"\n",
                "a:\n  b: \"c\\nd\\\" e\"\n",
            ),
            ("a:\n  b: 'it''s\nx'\n", "a:\n  b: it's x\n"),
        ]);
        // The closing quote alone on a line at column 0.
        let got = parse_documents("a:\n  b: 'c\nd\n'\n").expect("closing line");
        assert_eq!(got[0].str_at(&["a", "b"]), Some("c d "));
        // A kustomization file too (yaml.v2 checks no indentation there
        // either).
        let k = parse_one_last_key_wins("namePrefix: 'p\nx-'\n").expect("kustomization");
        assert_eq!(k.str_at(&["namePrefix"]), Some("p x-"));
        // A tab-only line, or a tab opening a line, inside quotes.
        reads_like(&[
            ("a:\n  b: \"c\n\n\t\n  d\"\n", "a:\n  b: \"c\\n\\nd\"\n"),
            ("a:\n  b: 'c\n\td'\n", "a:\n  b: c d\n"),
        ]);
        // A document marker at column 0 inside quotes: refused by both.
        assert!(parse_documents("a:\n  b: 'c\n--- d'\n").is_err());
    }

    #[test]
    fn an_anchor_or_alias_name_libyaml_does_not_take_is_refused() {
        for text in [
            "a: &b.c d\n",
            "- &gen.yaml x\n",
            "a: &b/c d\ne: *b/c\n",
            "a: !!str &b.c d\n",
        ] {
            let e = parse_documents(text).expect_err(text);
            assert!(
                e.message
                    .ends_with("did not find expected alphabetic or numeric character"),
                "{text:?}: {e:?}"
            );
        }
        let e = parse_one_last_key_wins("resources:\n- &gen.yaml cm.yaml\n").expect_err("v2");
        assert_eq!((e.line, e.column), (2, 7));
        // The names libyaml takes.
        let ok = parse_documents("a: &b_c-1 d\ne: *b_c-1\n").expect("ok");
        assert_eq!(ok[0].str_at(&["e"]), Some("d"));
    }

    #[test]
    fn a_question_mark_inside_a_plain_scalar_in_a_flow_collection_is_refused_like_libyaml() {
        for (text, close) in [
            ("a: [http://x?y=1]\n", ']'),
            ("a: {url: b?c}\n", '}'),
            ("a: [b: c?d]\n", ']'),
        ] {
            let e = parse_documents(text).expect_err(text);
            assert_eq!(
                e.message,
                format!("did not find expected ',' or '{close}'"),
                "{text:?}"
            );
        }
        // In block context it is text; quoted, too.
        assert_eq!(
            parse_documents("a: http://x?y=1\n").unwrap()[0].str_at(&["a"]),
            Some("http://x?y=1")
        );
        assert!(parse_documents("a: ['http://x?y=1']\n").is_ok());
    }

    #[test]
    fn a_tag_right_before_a_flow_end_is_read_like_libyaml() {
        // libyaml wants a blank after a tag; `]` is one of its URI
        // characters, so the tag takes it and the sequence stays open.
        for text in ["a: {b: !!str}\n", "a: [!!str]\n", "a: [!!x]\n"] {
            assert!(parse_documents(text).is_err(), "{text:?}");
        }
        assert!(parse_documents("a: {b: !!str }\n").is_ok());
    }

    #[test]
    fn an_empty_key_is_a_string_in_resources_like_kustomize_prints_it() {
        let docs = parse_resources("a:\n- ?\n? \n: b\n").expect("resource");
        let Node::Map(m) = &docs[0] else { panic!() };
        assert_eq!(m.entries[1].key.tag, Tag::Str);
        let Some(Node::Map(item)) = m.entries[0].value.as_seq().map(|s| &s[0]) else {
            panic!()
        };
        assert_eq!(item.entries[0].key.tag, Tag::Str);
        // Without the `?`, a line opening with `:` is refused.
        let e = parse_resources("a:\n  b: c\n  : d\n").expect_err("no key");
        assert_eq!(e.message, "did not find expected key");
        // Elsewhere a null key.
        let other = parse_documents("? \n: b\n").expect("other");
        let Node::Map(m) = &other[0] else { panic!() };
        assert_eq!(m.entries[0].key.tag, Tag::Null);
    }

    #[test]
    fn a_directive_after_content_ends_the_document_like_libyaml() {
        // An unknown one is refused; a known one ends the first document,
        // the only one yaml.v2 (kustomization files) and yaml.v3 (each
        // piece of a resource file) read.
        assert!(parse_one_last_key_wins("a: b\nc:\n%- d\n").is_err());
        let k = parse_one_last_key_wins("a: b\n%TAG !e! tag:x,2000:\nc: [\n").expect("v2");
        assert_eq!(k.str_at(&["a"]), Some("b"));
        assert!(parse_one_last_key_wins("a: b\n...\n%YAML 1.1\n").is_ok());
        let r = parse_documents("---\n%TAG !e! tag:x,2000:\n---\na: b\n").expect("pieces");
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].str_at(&["a"]), Some("b"));
        assert!(parse_documents("a: b\n%FOO x\n").is_err());
        // yaml.v3 scans past it: content before the next `---` is refused.
        assert!(parse_documents("a: b\n%TAG !e! tag:x,2000:\nc: d\n").is_err());
    }

    #[test]
    fn a_flow_entry_opening_with_a_colon_is_refused_like_libyaml() {
        for text in [
            "a: {: b}\n",
            "a: [: b]\n",
            "a: {c: d, : b}\n",
            "a: {\n  : b}\n",
        ] {
            let e = parse_resources(text).expect_err(text);
            assert_eq!(e.message, "did not find expected node content", "{text:?}");
        }
        // An explicit empty key is one.
        assert!(parse_resources("a: {? : b}\n").is_ok());
        // A plain scalar opening with `:` in a flow collection: the `:` is
        // a value indicator there.
        for text in ["a: {b: :c}\n", "a: {:b: }\n", "a: [:b]\n"] {
            let e = parse_resources(text).expect_err(text);
            assert_eq!(e.message, "did not find expected node content", "{text:?}");
        }
        assert!(
            parse_resources("a: :b\n").is_ok(),
            "in block context it is text"
        );
        assert!(parse_documents("a: [!!str , b]\n").is_ok());
    }

    #[test]
    fn a_tag_suffix_holding_a_bang_or_a_flow_indicator_is_read_like_yaml_v3() {
        let unknown = parse_documents("a: !!zz 12\n").expect("an unknown tag");
        for text in [
            "a: !!!binary 12\n",
            "a: !!b!x 12\n",
            "a: !!bi]nary 12\n",
            "a: !b]x 12\n",
            "a: !!b,x 12\n",
        ] {
            let got = parse_documents(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            assert_eq!(got, unknown, "{text:?}");
        }
        assert!(
            parse_documents("a: !x!y 1\n").is_err(),
            "an undeclared handle"
        );
        // In a flow sequence a `]` right after a tag belongs to it, as in
        // yaml.v3.
        assert!(parse_documents("a: [!!b!x 12]\n").is_ok());
    }

    #[test]
    fn a_tab_in_a_block_scalars_indentation_is_refused_like_yaml_v3() {
        for text in ["a: >\n  x\n\t\n  y\n", "a: |\n\tx\n", "a: |\n  x\n \ty\n"] {
            assert!(parse_documents(text).is_err(), "{text:?}");
        }
        // Past the indentation a tab is content.
        let got = parse_documents("a: |\n  x\n  \ty\n").expect("content");
        assert_eq!(
            got,
            parse_documents("a: \"x\\n\\ty\\n\"\n").expect("quoted")
        );
    }

    #[test]
    fn a_tab_line_between_comments_is_skipped_like_yaml_v3() {
        let body = "apiVersion: v1\nkind: ConfigMap\n";
        // yaml.v3's comment scanner looks past blank lines for the next
        // `#` and skips all it looked at, tabs too.
        for head in ["# a\n\t\n# b\n", "#a\n\t# b\n", "# a\n  \t\n\n\t \n# b\n"] {
            let text = format!("{head}{body}");
            assert!(parse_documents(&text).is_ok(), "{text:?}");
        }
        // Not when content, not a comment, comes next, nor without a
        // comment before.
        for head in ["# a\n\t\n", "\t\n# b\n", "a: b\n\t# c\n"] {
            let text = format!("{head}{body}");
            assert!(parse_documents(&text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_tab_line_in_a_multi_line_plain_scalar_left_of_its_block_is_refused_like_yaml_v3() {
        // libyaml refuses a tab left of the block's indentation plus one
        // in a plain scalar's continuation, takes it past that.
        let refused = "a:\n  b: c\n    d\n\t\n    e\n";
        assert!(parse_documents(refused).is_err());
        // After an empty block scalar too (its content would be indented
        // past its block; the next key is not).
        let after_empty = "a:\n  f: >\nb:\n- c: d\n    e\n\t\n    g\n";
        assert!(parse_documents(after_empty).is_err());
        let taken = "a:\n  b: c\n    d\n   \t\n    e\n";
        assert_eq!(
            parse_documents(taken).unwrap()[0].str_at(&["a", "b"]),
            Some("c d\ne")
        );
    }

    #[test]
    fn a_tab_at_the_start_of_a_line_is_refused_like_yaml_v3() {
        let refused = [
            ("a: &x 1\n\t\nb: 2\n", 2),
            ("a: &x\n  b: 1\n  \t# c\nd: 2\n", 3),
            ("\t\na: &x 1\n", 1),
        ];
        let mut failures = Vec::new();
        for (src, line) in refused {
            match parse_documents(src) {
                Err(e)
                    if e.message == "found a tab character that violates indentation"
                        && e.line == line => {}
                other => failures.push(format!("{src:?}: {other:?}")),
            }
        }
        for src in [
            "a: &x 1\nb: {c: 1,\n\td: 2}\n",
            "a: &x 1\nb: [1,\n\t2]\n",
            "a: &x 1\nb: x\n   \ty\n",
            "a: &x |\n  l\n  \tm\n",
            "a: &x 1\t# c\nb: 2\n",
        ] {
            if let Err(e) = parse_documents(src) {
                failures.push(format!("{src:?}: {e:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn control_characters_are_refused_like_kustomize() {
        for src in ["a: x\u{1a}y\n", "a: 'x\u{7f}'\n", "# \u{0}\na: 1\n"] {
            let err = parse_documents(src).unwrap_err();
            assert_eq!(err.message, "control characters are not allowed", "{src:?}");
        }
        assert!(parse_documents("a: \"x\\x1ay\"\n").is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse_one("a: b: c\n").unwrap_err();
        assert_eq!(err.line, 1);
    }
}
