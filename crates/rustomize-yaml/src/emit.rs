//! Prints nodes exactly as kustomize prints resources.
//!
//! kustomize turns each resource into JSON and hands that to yaml.v2, a port
//! of libyaml's emitter: keys sorted in yaml.v2's "natural" order, block
//! style, sequences not indented under their key, strings that YAML 1.1 would
//! read as another type double-quoted, plain and quoted strings folded at
//! spaces past column 80, multi-line strings as literal blocks. This module
//! reproduces that emitter's decisions (indentation, style selection, line
//! folding) for the node shapes a JSON round trip can produce.

use crate::node::{Map, Node, Scalar, Tag};
use crate::resolve::{self, Number};
use std::cmp::Ordering;

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// Why a node cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// A float that JSON cannot carry (`.inf`, `.nan`).
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
    /// A character the YAML reader kustomize prints through refuses
    /// (DEL, C1 controls, U+FFFE, U+FFFF): kustomize fails on these too.
    #[error("yaml: control characters are not allowed (in {0:?})")]
    ControlCharacter(String),
    /// A mapping key that is not a string (kustomize's JSON step rejects it).
    #[error("json: unsupported type: mapping key {0:?} is not a string (line {1})")]
    NonStringKey(String, u32),
}

/// Prints one document (no `---`), ending in a newline.
pub fn to_string(node: &Node) -> Result<String, EmitError> {
    let mut out = String::with_capacity(256);
    write_document(&mut out, node)?;
    Ok(out)
}

/// Appends one document to `out`.
pub fn write_document(out: &mut String, node: &Node) -> Result<(), EmitError> {
    let mut e = Emitter {
        out,
        column: 0,
        indent: -1,
        whitespace: true,
        indention: true,
    };
    e.node(
        node,
        Ctx {
            mapping: false,
            simple_key: false,
        },
    )?;
    // Document end: yaml_emitter_write_indent with the root indent.
    e.indent = -1;
    e.write_indent();
    Ok(())
}

/// Compares two mapping keys as yaml.v2 sorts them: runs of digits compare
/// by value, letters sort after non-letters, then by code point.
pub fn compare_keys(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// The entries of `map` in the order kustomize prints them.
pub fn sorted_entries(map: &Map) -> Vec<&crate::node::Entry> {
    let mut entries: Vec<_> = map.entries.iter().collect();
    entries.sort_by(|a, b| compare_keys(&a.key.value, &b.key.value));
    entries
}

#[derive(Clone, Copy)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter<'a> {
    out: &'a mut String,
    column: usize,
    indent: i32,
    whitespace: bool,
    indention: bool,
}

impl Emitter<'_> {
    fn node(&mut self, node: &Node, ctx: Ctx) -> Result<(), EmitError> {
        match node {
            Node::Scalar(s) => {
                let (text, style) = scalar_text(s)?;
                self.scalar(&text, style, ctx);
            }
            Node::Seq(seq) if seq.items.is_empty() => self.empty_flow("[]"),
            Node::Map(map) if map.entries.is_empty() => self.empty_flow("{}"),
            Node::Seq(seq) => {
                let saved = self.indent;
                self.increase_indent(false, ctx.mapping && !self.indention);
                for item in &seq.items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(
                        item,
                        Ctx {
                            mapping: false,
                            simple_key: false,
                        },
                    )?;
                }
                self.indent = saved;
            }
            Node::Map(map) => {
                let saved = self.indent;
                self.increase_indent(false, false);
                for entry in sorted_entries(map) {
                    if entry.key.tag != Tag::Str {
                        return Err(EmitError::NonStringKey(
                            entry.key.value.clone(),
                            entry.key.line,
                        ));
                    }
                    self.write_indent();
                    let key = &entry.key.value;
                    check_readable(key)?;
                    let key_style = string_style(key);
                    let simple = !has_line_break(key) && key.len() <= 128;
                    if simple {
                        self.scalar(
                            key,
                            key_style,
                            Ctx {
                                mapping: true,
                                simple_key: true,
                            },
                        );
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.scalar(
                            key,
                            key_style,
                            Ctx {
                                mapping: true,
                                simple_key: false,
                            },
                        );
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(
                        &entry.value,
                        Ctx {
                            mapping: true,
                            simple_key: false,
                        },
                    )?;
                }
                self.indent = saved;
            }
        }
        Ok(())
    }

    fn empty_flow(&mut self, text: &str) {
        self.write_indicator(&text[..1], true, true, false);
        self.write_indicator(&text[1..], false, false, false);
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn scalar(&mut self, text: &str, requested: Style, ctx: Ctx) {
        let a = analyze(text);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && ctx.simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
            style = Style::Double;
        }
        let saved = self.indent;
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::Single => self.write_single(text, allow_breaks),
            Style::Double => self.write_double(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.indent = saved;
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            i += 1;
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && chars[i + 1] != ' '
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (marker, width) = if v <= 0xff {
                            ('x', 2)
                        } else if v <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(marker);
                        let hex = format!("{v:0width$X}");
                        for h in hex.chars() {
                            self.put(h);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                {
                    self.write_indent();
                    if chars[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            let hint = char::from(b'0' + BEST_INDENT as u8).to_string();
            self.write_indicator(&hint, false, false, false);
        }
        let chomp = match chars.len() {
            0 => Some("-"),
            n if !is_break(chars[n - 1]) => Some("-"),
            1 => Some("+"),
            n if is_break(chars[n - 2]) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn has_line_break(s: &str) -> bool {
    s.chars().any(is_break)
}

/// libyaml's `is_printable`, which (as ported to Go) leaves out every
/// character outside the Basic Multilingual Plane.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0a
        || (0x20..=0x7e).contains(&v)
        || (0xa0..=0xd7ff).contains(&v)
        || ((0xe000..=0xfffd).contains(&v) && v != 0xfeff)
}

struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let mut block_indicators = text.starts_with("---") || text.starts_with("...");
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace =
            i + 1 >= n || matches!(chars[i + 1], ' ' | '\t') || is_break(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    block_indicators = true;
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = matches!(c, ' ' | '\t') || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The style yaml.v2's encoder asks for when it marshals a Go string.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolve::v2_plain_is_string(s) {
        Style::Plain
    } else {
        Style::Double
    }
}

/// The text and requested style of a scalar after kustomize's JSON round trip.
fn scalar_text(s: &Scalar) -> Result<(std::borrow::Cow<'_, str>, Style), EmitError> {
    use std::borrow::Cow;
    check_readable(&s.value)?;
    Ok(match s.tag {
        Tag::Str => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        Tag::Null => (Cow::Borrowed("null"), Style::Plain),
        Tag::Bool => {
            let v = if s.value.eq_ignore_ascii_case("true") {
                "true"
            } else {
                "false"
            };
            (Cow::Borrowed(v), Style::Plain)
        }
        Tag::Int | Tag::Float => match resolve::parse_number(&s.value) {
            Some(n) => (
                Cow::Owned(
                    resolve::format_number_for_output(n)
                        .map_err(|_| EmitError::UnsupportedValue(s.value.clone()))?,
                ),
                Style::Plain,
            ),
            // A number tag on text that is not a number: print it as a string.
            None => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        },
        Tag::Timestamp => match resolve::format_timestamp(&s.value) {
            Some(t) => {
                let style = string_style(&t);
                (Cow::Owned(t), style)
            }
            None => (Cow::Borrowed(s.value.as_str()), string_style(&s.value)),
        },
    })
}

/// kustomize's JSON text goes back through a YAML reader that refuses
/// characters JSON does not escape and YAML does not allow.
fn check_readable(s: &str) -> Result<(), EmitError> {
    let bad = |c: char| matches!(c, '\u{7f}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}');
    if s.chars().any(bad) {
        Err(EmitError::ControlCharacter(s.to_string()))
    } else {
        Ok(())
    }
}

/// Number text as it would be printed, for callers that format values.
pub fn number_text(n: Number) -> Option<String> {
    resolve::format_number_for_output(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_one;
    use indoc::indoc;

    fn emit(src: &str) -> String {
        to_string(&parse_one(src).expect("parse")).expect("emit")
    }

    #[test]
    fn keys_sort_naturally() {
        // The order kubectl kustomize prints these ConfigMap keys in.
        let mut keys = vec![
            "b", "a10", "a2", "A", "_x", "a", "1", "10", "9", "a.b", "a-b", "a_b", "aB", "é",
            "a01", "a1", "a001",
        ];
        keys.sort_by(|a, b| compare_keys(a, b));
        assert_eq!(
            keys,
            [
                "_x", "1", "9", "10", "A", "a", "a-b", "a.b", "a_b", "a1", "a01", "a001", "a2",
                "a10", "aB", "b", "é"
            ]
        );
    }

    #[test]
    fn sequences_are_not_indented_under_their_key() {
        let out = emit(indoc! {"
            spec:
              containers:
                - name: a
                  args: [x, y]
                - name: b
              list: [[a, b], {}, []]
        "});
        assert_eq!(
            out,
            indoc! {"
                spec:
                  containers:
                  - args:
                    - x
                    - \"y\"
                    name: a
                  - name: b
                  list:
                  - - a
                    - b
                  - {}
                  - []
            "}
        );
    }

    #[test]
    fn strings_quote_and_fold_like_kustomize() {
        let out = emit(indoc! {r#"
            a: "yes"
            b: ""
            c: "a: b"
            d: "tab	here"
            e: "line1\nline2\n"
            f: "\nlead"
            g: this is a very long string that goes on and on and on and on and past the eighty column limit for sure yes
            h: "emoji 😀"
            n: x
            i: "line\n\n"
            j: "trailing  \nx"
        "#});
        assert_eq!(
            out,
            indoc! {r#"
                a: "yes"
                b: ""
                c: 'a: b'
                d: "tab\there"
                e: |
                  line1
                  line2
                f: |2-

                  lead
                g: this is a very long string that goes on and on and on and on and past the eighty
                  column limit for sure yes
                h: "emoji \U0001F600"
                i: |+
                  line

                j: "trailing  \nx"
                "n": x
            "#}
        );
    }
}
