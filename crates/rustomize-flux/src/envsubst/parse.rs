//! The template parser of Flux's envsubst (a fork of drone/envsubst).
//!
//! This follows the scanner's byte-level mechanics exactly, because its
//! quirks decide what users' manifests turn into: `$$` anywhere in plain
//! text is an escaped `$` (so `$${VAR}` prints `${VAR}`), `\` escapes only
//! `/` and `\` and only inside `${var/pattern/replacement}`, `${var-x}` and
//! `${var?x}` are syntax errors, and positions step back by the width of the
//! last character read (which, after a peek, is not always the character
//! being stepped over). The buffer is bytes and runes are decoded as Go's
//! `utf8.DecodeRuneInString` decodes them (an invalid byte is U+FFFD of
//! width 1), so text is cut exactly where Go cuts it.

use std::fmt;

/// A template syntax error, with the messages envsubst uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    /// `bad substitution`.
    BadSubstitution,
    /// `missing closing brace`.
    MissingClosingBrace,
    /// `unable to parse variable name`.
    VariableName,
    /// `unable to parse substitution within function`.
    FuncSubstitution,
    /// `unable to parse default function`.
    DefaultFunction,
    /// Substitutions nested more than 1,000 deep (Go has no bound but
    /// its stack).
    TooDeep,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SyntaxError::BadSubstitution => "bad substitution",
            SyntaxError::MissingClosingBrace => "missing closing brace",
            SyntaxError::VariableName => "unable to parse variable name",
            SyntaxError::FuncSubstitution => "unable to parse substitution within function",
            SyntaxError::DefaultFunction => "unable to parse default function",
            SyntaxError::TooDeep => "substitutions nested too deeply",
        })
    }
}

/// How deeply `${...}` may nest inside function arguments.
pub const MAX_DEPTH: usize = 1000;

/// A parsed template piece.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Literal bytes (escapes already removed).
    Text(Vec<u8>),
    /// `${...}`: the variable, the operator (`""` for a bare `${var}`) and
    /// the arguments.
    Func {
        /// The variable name.
        param: Vec<u8>,
        /// The operator: `""`, `#`, `##`, `%`, `%%`, `:`, `/`, `//`, `/#`,
        /// `/%`, `,`, `,,`, `^`, `^^`, `=`, `:=`, `:-`, `:?`, `:+`.
        name: Vec<u8>,
        /// The arguments, each a text or a nested substitution.
        args: Vec<Node>,
    },
}

/// Parses a template into its pieces, in order.
pub fn parse(text: &[u8]) -> Result<Vec<Node>, SyntaxError> {
    let mut p = Parser {
        s: Scanner::new(text),
        depth: 0,
    };
    p.parse_any()
}

const EOF: char = '\0';

// Scanner modes.
const SCAN_IDENT: u8 = 1;
const SCAN_LBRACK: u8 = 2;
const SCAN_RBRACK: u8 = 4;
const SCAN_ESCAPE: u8 = 8;

// Escape characters.
const DOLLAR: u8 = 1;
const BACKSLASH: u8 = 2;
const ESCAPE_ALL: u8 = DOLLAR | BACKSLASH;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

/// Which runes a token may hold; `i` is the byte offset after the rune,
/// from the token's start.
#[derive(Clone, Copy, Debug)]
enum Accept {
    Rune,
    Ident,
    Colon,
    OneHash,
    NotClosing,
    HashFunc,
    PercentFunc,
    DefaultFunc,
    ReplaceFunc,
    OneEqual,
    OneColon,
    RejectColonClose,
    Slash,
    NotSlash,
    CasingFunc,
}

impl Accept {
    fn accepts(self, r: char, i: usize) -> bool {
        match self {
            Accept::Rune => true,
            Accept::Ident => is_go_letter(r) || is_go_digit(r) || r == '_',
            Accept::Colon => r == ':',
            Accept::OneHash => r == '#' && i == 1,
            Accept::NotClosing => r != '}',
            Accept::HashFunc => r == '#' && i < 3,
            Accept::PercentFunc => r == '%' && i < 3,
            Accept::DefaultFunc => {
                (i == 1 && r == ':') || (i == 2 && matches!(r, '=' | '-' | '?' | '+'))
            }
            Accept::ReplaceFunc => (i == 1 && r == '/') || (i == 2 && matches!(r, '/' | '#' | '%')),
            Accept::OneEqual => i == 1 && r == '=',
            Accept::OneColon => i == 1 && r == ':',
            Accept::RejectColonClose => r != ':' && r != '}',
            Accept::Slash => r == '/',
            Accept::NotSlash => r != '/',
            Accept::CasingFunc => (r == ',' || r == '^') && i < 3,
        }
    }
}

/// Go's `unicode.IsLetter` (general category `L`), as near as the standard
/// library allows: `char::is_alphabetic`, a superset that adds `Nl` and
/// `Other_Alphabetic` (some combining marks). Only non-ASCII variable names
/// can tell them apart, and Flux accepts only ASCII names.
fn is_go_letter(r: char) -> bool {
    r.is_alphabetic()
}

/// Go's `unicode.IsDigit` (`Nd`); approximated by `char::is_numeric` beyond
/// ASCII (a superset: it adds `Nl` and `No`).
fn is_go_digit(r: char) -> bool {
    r.is_numeric()
}

/// Decodes one rune as Go's `utf8.DecodeRuneInString` does.
pub(crate) fn decode_rune(b: &[u8]) -> (char, usize) {
    let n = match b.first() {
        None => return (char::REPLACEMENT_CHARACTER, 0),
        Some(&c) if c < 0x80 => return (c as char, 1),
        Some(&c) if c & 0xE0 == 0xC0 => 2,
        Some(&c) if c & 0xF0 == 0xE0 => 3,
        Some(&c) if c & 0xF8 == 0xF0 => 4,
        Some(_) => return (char::REPLACEMENT_CHARACTER, 1),
    };
    match b.get(..n).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => match s.chars().next() {
            Some(c) => (c, n),
            None => (char::REPLACEMENT_CHARACTER, 1),
        },
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

struct Scanner {
    buf: Vec<u8>,
    pos: usize,
    start: usize,
    width: usize,
    mode: u8,
    escape_chars: u8,
    accept: Accept,
}

impl Scanner {
    fn new(text: &[u8]) -> Self {
        Scanner {
            buf: text.to_vec(),
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            escape_chars: 0,
            accept: Accept::Rune,
        }
    }

    fn read(&mut self) -> char {
        if self.pos >= self.buf.len() {
            self.width = 0;
            return EOF;
        }
        let (r, w) = decode_rune(&self.buf[self.pos..]);
        self.width = w;
        self.pos += w;
        r
    }

    fn unread(&mut self) {
        // Go subtracts without a check; a position before the start can
        // only follow a peek of a wide rune right after the first byte,
        // where Go would panic on the slice (recovered as an error).
        self.pos = self.pos.saturating_sub(self.width);
    }

    /// Drops the byte before the position (the first of an escape pair).
    fn skip(&mut self) {
        if self.pos >= 1 && self.pos <= self.buf.len() {
            self.buf.remove(self.pos - 1);
        }
    }

    fn peek(&mut self) -> char {
        let r = self.read();
        self.unread();
        r
    }

    fn string(&self) -> Vec<u8> {
        let end = self.pos.min(self.buf.len());
        self.buf[self.start.min(end)..end].to_vec()
    }

    fn should_escape(&self, c: u8) -> bool {
        self.escape_chars & c != 0
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        let r = self.read();
        if r == EOF {
            Token::Eof
        } else if self.scan_lbrack(r) {
            Token::Lbrack
        } else if self.scan_rbrack(r) {
            Token::Rbrack
        } else if self.scan_ident(r) {
            Token::Ident
        } else {
            Token::Illegal
        }
    }

    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & SCAN_IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !self.accept.accepts(r, self.pos - self.start) {
            return false;
        }
        loop {
            let r = self.read();
            if r == EOF {
                self.unread();
                break;
            }
            if self.scan_lbrack(r) {
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !self.accept.accepts(r, self.pos - self.start) {
                self.unread();
                break;
            }
        }
        true
    }

    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & SCAN_LBRACK == 0 {
            return false;
        }
        if r == '$' {
            if self.read() == '{' {
                return true;
            }
            self.unread();
        }
        false
    }

    fn scan_rbrack(&mut self, r: char) -> bool {
        self.mode & SCAN_RBRACK != 0 && r == '}'
    }

    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & SCAN_ESCAPE == 0 {
            return false;
        }
        if r == '$' && self.should_escape(DOLLAR) && self.peek() == '$' {
            return true;
        }
        if r == '\\' && self.should_escape(BACKSLASH) {
            return matches!(self.peek(), '/' | '\\');
        }
        false
    }
}

struct Parser {
    s: Scanner,
    depth: usize,
}

impl Parser {
    /// Plain text and substitutions up to the end. Go recurses once per
    /// token; a loop gives the same pieces without the stack.
    fn parse_any(&mut self) -> Result<Vec<Node>, SyntaxError> {
        let mut nodes = Vec::new();
        loop {
            self.s.accept = Accept::Rune;
            self.s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
            self.s.escape_chars = DOLLAR;
            match self.s.scan() {
                Token::Ident => nodes.push(Node::Text(self.s.string())),
                Token::Eof => return Ok(nodes),
                Token::Lbrack => nodes.push(self.parse_func()?),
                _ => return Err(SyntaxError::BadSubstitution),
            }
        }
    }

    fn parse_func(&mut self) -> Result<Node, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        let node = self.parse_func_inner();
        self.depth -= 1;
        node
    }

    fn parse_func_inner(&mut self) -> Result<Node, SyntaxError> {
        self.s.escape_chars = ESCAPE_ALL;
        if self.s.peek() == '#' {
            return self.parse_len_func();
        }
        self.s.accept = Accept::Ident;
        self.s.mode = SCAN_IDENT;
        let name = match self.s.scan() {
            Token::Ident => self.s.string(),
            _ => return Err(SyntaxError::VariableName),
        };
        match self.s.peek() {
            ':' => return self.parse_default_or_substr(name),
            '=' => return self.parse_default_func(name),
            ',' | '^' => return self.parse_casing_func(name),
            '/' => return self.parse_replace_func(name),
            '#' => return self.parse_remove_func(name, Accept::HashFunc),
            '%' => return self.parse_remove_func(name, Accept::PercentFunc),
            _ => {}
        }
        self.s.accept = Accept::Ident;
        self.s.mode = SCAN_RBRACK;
        match self.s.scan() {
            Token::Rbrack => Ok(Node::Func {
                param: name,
                name: Vec::new(),
                args: Vec::new(),
            }),
            _ => Err(SyntaxError::MissingClosingBrace),
        }
    }

    fn parse_param(&mut self, accept: Accept, mode: u8) -> Result<Node, SyntaxError> {
        self.s.accept = accept;
        self.s.mode = mode | SCAN_LBRACK;
        match self.s.scan() {
            Token::Lbrack => self.parse_func(),
            Token::Ident | Token::Rbrack => Ok(Node::Text(self.s.string())),
            _ => Err(SyntaxError::FuncSubstitution),
        }
    }

    fn parse_default_or_substr(&mut self, name: Vec<u8>) -> Result<Node, SyntaxError> {
        self.s.read();
        let r = self.s.peek();
        self.s.unread();
        match r {
            '=' | '-' | '?' | '+' => self.parse_default_func(name),
            _ => self.parse_substr_func(name),
        }
    }

    fn scan_operator(&mut self, accept: Accept, err: SyntaxError) -> Result<Vec<u8>, SyntaxError> {
        self.s.accept = accept;
        self.s.mode = SCAN_IDENT;
        match self.s.scan() {
            Token::Ident => Ok(self.s.string()),
            _ => Err(err),
        }
    }

    fn parse_substr_func(&mut self, param: Vec<u8>) -> Result<Node, SyntaxError> {
        let name = self.scan_operator(Accept::OneColon, SyntaxError::BadSubstitution)?;
        let mut args = vec![self.parse_param(Accept::RejectColonClose, SCAN_IDENT)?];
        self.s.accept = Accept::Colon;
        self.s.mode = SCAN_IDENT | SCAN_RBRACK;
        match self.s.scan() {
            Token::Rbrack => return Ok(Node::Func { param, name, args }),
            Token::Ident => {}
            _ => return Err(SyntaxError::BadSubstitution),
        }
        args.push(self.parse_param(Accept::NotClosing, SCAN_IDENT)?);
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_remove_func(&mut self, param: Vec<u8>, accept: Accept) -> Result<Node, SyntaxError> {
        let name = self.scan_operator(accept, SyntaxError::BadSubstitution)?;
        let args = vec![self.parse_param(Accept::NotClosing, SCAN_IDENT)?];
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_replace_func(&mut self, param: Vec<u8>) -> Result<Node, SyntaxError> {
        let name = self.scan_operator(Accept::ReplaceFunc, SyntaxError::BadSubstitution)?;
        let mut args = vec![self.parse_param(Accept::NotSlash, SCAN_IDENT | SCAN_ESCAPE)?];
        self.s.accept = Accept::Slash;
        self.s.mode = SCAN_IDENT;
        if self.s.scan() != Token::Ident {
            return Err(SyntaxError::BadSubstitution);
        }
        if self.s.peek() != '}' {
            args.push(self.parse_param(Accept::NotClosing, SCAN_IDENT | SCAN_ESCAPE)?);
        }
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_default_func(&mut self, param: Vec<u8>) -> Result<Node, SyntaxError> {
        let accept = if self.s.peek() == '=' {
            Accept::OneEqual
        } else {
            Accept::DefaultFunc
        };
        let name = self.scan_operator(accept, SyntaxError::DefaultFunction)?;
        let mut args = Vec::new();
        loop {
            if self.s.peek() == '}' {
                self.consume_rbrack()?;
                return Ok(Node::Func { param, name, args });
            }
            args.push(self.parse_param(Accept::NotClosing, SCAN_IDENT)?);
        }
    }

    fn parse_casing_func(&mut self, param: Vec<u8>) -> Result<Node, SyntaxError> {
        let name = self.scan_operator(Accept::CasingFunc, SyntaxError::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(Node::Func {
            param,
            name,
            args: Vec::new(),
        })
    }

    fn parse_len_func(&mut self) -> Result<Node, SyntaxError> {
        let name = self.scan_operator(Accept::OneHash, SyntaxError::BadSubstitution)?;
        let param = self.scan_operator(Accept::Ident, SyntaxError::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(Node::Func {
            param,
            name,
            args: Vec::new(),
        })
    }

    fn consume_rbrack(&mut self) -> Result<(), SyntaxError> {
        self.s.mode = SCAN_RBRACK;
        if self.s.scan() != Token::Rbrack {
            return Err(SyntaxError::BadSubstitution);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.as_bytes().to_vec())
    }

    fn func(param: &str, name: &str, args: Vec<Node>) -> Node {
        Node::Func {
            param: param.as_bytes().to_vec(),
            name: name.as_bytes().to_vec(),
            args,
        }
    }

    #[test]
    fn parses_the_forms_flux_documents() {
        let cases: Vec<(&str, Vec<Node>)> = vec![
            ("plain", vec![text("plain")]),
            ("${a}", vec![func("a", "", vec![])]),
            (
                "x ${a} y",
                vec![text("x "), func("a", "", vec![]), text(" y")],
            ),
            ("${a:=b}", vec![func("a", ":=", vec![text("b")])]),
            ("${a=b}", vec![func("a", "=", vec![text("b")])]),
            ("${a:-b}", vec![func("a", ":-", vec![text("b")])]),
            (
                "${a:=${b}}",
                vec![func("a", ":=", vec![func("b", "", vec![])])],
            ),
            ("${#a}", vec![func("a", "#", vec![])]),
            ("${a^^}", vec![func("a", "^^", vec![])]),
            ("${a,}", vec![func("a", ",", vec![])]),
            ("${a:1:2}", vec![func("a", ":", vec![text("1"), text("2")])]),
            ("${a:1}", vec![func("a", ":", vec![text("1")])]),
            ("${a#x*}", vec![func("a", "#", vec![text("x*")])]),
            ("${a%%x}", vec![func("a", "%%", vec![text("x")])]),
            ("${a/x/y}", vec![func("a", "/", vec![text("x"), text("y")])]),
            ("${a//x/}", vec![func("a", "//", vec![text("x")])]),
            (
                "${a/\\//y}",
                vec![func("a", "/", vec![text("/"), text("y")])],
            ),
            ("$${a}", vec![text("${a}")]),
            ("a$$b", vec![text("a$b")]),
            ("$$$${a}", vec![text("$${a}")]),
            ("$a $", vec![text("$a $")]),
        ];
        let mut failures = Vec::new();
        for (input, want) in cases {
            match parse(input.as_bytes()) {
                Ok(got) if got == want => {}
                other => failures.push(format!("{input:?}: {other:?}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn rejects_what_flux_rejects() {
        let cases = [
            ("${", SyntaxError::VariableName),
            ("${}", SyntaxError::VariableName),
            ("${a", SyntaxError::MissingClosingBrace),
            ("${a-b}", SyntaxError::MissingClosingBrace),
            ("${a?b}", SyntaxError::MissingClosingBrace),
            ("${a b}", SyntaxError::MissingClosingBrace),
            ("${#}", SyntaxError::BadSubstitution),
            ("${a:=b", SyntaxError::FuncSubstitution),
            ("${a/b}", SyntaxError::BadSubstitution),
        ];
        let mut failures = Vec::new();
        for (input, want) in cases {
            match parse(input.as_bytes()) {
                Err(e) if e == want => {}
                other => failures.push(format!("{input:?}: {other:?}, want {want:?}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn decodes_runes_as_go_does() {
        assert_eq!(decode_rune("é".as_bytes()), ('é', 2));
        assert_eq!(decode_rune(&[0xC3]), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode_rune(&[0xFF, b'a']), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode_rune(b"a"), ('a', 1));
    }
}
