//! Flux's envsubst: `${var}` and the bash-like forms kustomize-controller
//! expands in `postBuild` (fluxcd/pkg/envsubst, a fork of drone/envsubst).
//!
//! | form | value |
//! |---|---|
//! | `${var}` | the value |
//! | `${var:=x}` `${var=x}` `${var:-x}` `${var:?x}` `${var:+x}` | the value, or `x` when it is empty |
//! | `${#var}` | its length in bytes |
//! | `${var^}` `${var^^}` `${var,}` `${var,,}` | upper/lower case, first character or all |
//! | `${var:n}` `${var:n:len}` | a substring, in bytes; negative `n` and `len` count from the end |
//! | `${var#p}` `${var##p}` `${var%p}` `${var%%p}` | the shortest/longest prefix/suffix matching `p` removed |
//! | `${var/p/r}` `${var//p/r}` `${var/#p/r}` `${var/%p/r}` | the first/every/prefix/suffix occurrence of the text `p` replaced |
//! | `$$` | a literal `$` (so `$${var}` is the text `${var}`) |
//!
//! `${var-x}` and `${var?x}` are syntax errors. In strict mode a variable
//! that is not set is an error unless its operator supplies a default
//! (`=`, `:=`, `:-`, `:?`, `:+`); arguments are expanded before that check,
//! so `${a:=${b}}` fails when `b` is unset even if `a` is set.

mod parse;
mod pattern;

pub(crate) use parse::decode_rune;
pub use parse::{Node, SyntaxError, parse};

use std::fmt;

/// Why a template could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The template does not parse.
    Syntax(SyntaxError),
    /// Strict mode and the variable is not set.
    NotSet(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Syntax(e) => e.fmt(f),
            EvalError::NotSet(name) => write!(f, "variable not set (strict mode): {name:?}"),
        }
    }
}

impl std::error::Error for EvalError {}

/// Expands `text`; `lookup` gives a variable's value and whether it is set
/// (Flux's non-strict mode answers "set, empty" for every unknown name).
pub fn eval(text: &[u8], lookup: &dyn Fn(&str) -> (Vec<u8>, bool)) -> Result<Vec<u8>, EvalError> {
    let nodes = parse(text).map_err(EvalError::Syntax)?;
    let mut out = Vec::with_capacity(text.len());
    for n in &nodes {
        eval_node(n, lookup, &mut out)?;
    }
    Ok(out)
}

fn eval_node(
    node: &Node,
    lookup: &dyn Fn(&str) -> (Vec<u8>, bool),
    out: &mut Vec<u8>,
) -> Result<(), EvalError> {
    match node {
        Node::Text(t) => out.extend_from_slice(t),
        Node::Func { param, name, args } => {
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                let mut buf = Vec::new();
                eval_node(a, lookup, &mut buf)?;
                values.push(buf);
            }
            let param = String::from_utf8_lossy(param);
            let (value, exists) = lookup(&param);
            if !exists && !is_default_op(name) {
                return Err(EvalError::NotSet(param.into_owned()));
            }
            out.extend_from_slice(&apply(name, value, &values));
        }
    }
    Ok(())
}

fn is_default_op(name: &[u8]) -> bool {
    matches!(
        name,
        b"-" | b"+" | b"=" | b"?" | b":-" | b":+" | b":=" | b":?"
    )
}

/// The function an operator names (envsubst's `lookupFunc`).
fn apply(name: &[u8], s: Vec<u8>, args: &[Vec<u8>]) -> Vec<u8> {
    match name {
        b"," => case_first(s, false),
        b",," => case_all(s, false),
        b"^" => case_first(s, true),
        b"^^" => case_all(s, true),
        b"#" if args.is_empty() => s.len().to_string().into_bytes(),
        b"#" => trim_prefix(s, args.first(), false),
        b"##" => trim_prefix(s, args.first(), true),
        b"%" => trim_suffix(s, args.first(), false),
        b"%%" => trim_suffix(s, args.first(), true),
        b":" => substr(s, args),
        b"/#" => replace_prefix(s, args),
        b"/%" => replace_suffix(s, args),
        b"/" => replace(s, args, Some(1)),
        b"//" => replace(s, args, None),
        _ => {
            // toDefault, for every other operator (and a bare `${var}`).
            if s.is_empty() && !args.is_empty() {
                args.concat()
            } else {
                s
            }
        }
    }
}

/// Go's `strings.ToUpper`/`ToLower`: an ASCII fast path, else rune by
/// rune with invalid bytes becoming U+FFFD.
fn case_all(s: Vec<u8>, upper: bool) -> Vec<u8> {
    if s.is_ascii() {
        return if upper {
            s.to_ascii_uppercase()
        } else {
            s.to_ascii_lowercase()
        };
    }
    let mut out = Vec::with_capacity(s.len());
    let mut rest = &s[..];
    while !rest.is_empty() {
        let (r, n) = parse::decode_rune(rest);
        push_rune(&mut out, simple_case(r, upper));
        rest = &rest[n..];
    }
    out
}

/// `unicode.ToUpper(first) + rest` (or lower).
fn case_first(s: Vec<u8>, upper: bool) -> Vec<u8> {
    if s.is_empty() {
        return s;
    }
    let (r, n) = parse::decode_rune(&s);
    let mut out = Vec::with_capacity(s.len() + 2);
    push_rune(&mut out, simple_case(r, upper));
    out.extend_from_slice(&s[n..]);
    out
}

fn push_rune(out: &mut Vec<u8>, r: char) {
    let mut buf = [0; 4];
    out.extend_from_slice(r.encode_utf8(&mut buf).as_bytes());
}

/// Go's simple case mapping, as near as the standard library allows: a
/// character whose full mapping is one character maps to it; one whose
/// full mapping is several (`ß`, ligatures) is left alone, which is what
/// the simple mapping does for nearly all of them.
fn simple_case(r: char, upper: bool) -> char {
    if !upper && r == '\u{130}' {
        return 'i';
    }
    let mut it: Box<dyn Iterator<Item = char>> = if upper {
        Box::new(r.to_uppercase())
    } else {
        Box::new(r.to_lowercase())
    };
    match (it.next(), it.next()) {
        (Some(c), None) => c,
        _ => r,
    }
}

/// Go's `strconv.Atoi`.
fn atoi(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn substr(s: Vec<u8>, args: &[Vec<u8>]) -> Vec<u8> {
    let Some(first) = args.first() else {
        return s;
    };
    let Some(mut pos) = atoi(first) else {
        return s;
    };
    let len = s.len() as i64;
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let Some(second) = args.get(1) else {
        return if pos < len {
            s[pos as usize..].to_vec()
        } else {
            Vec::new()
        };
    };
    let Some(length) = atoi(second) else {
        return s;
    };
    if length < 0 {
        let end = len + length;
        if end < pos {
            return Vec::new();
        }
        return s[pos as usize..end as usize].to_vec();
    }
    if pos.saturating_add(length) >= len {
        if pos < len {
            return s[pos as usize..].to_vec();
        }
        return Vec::new();
    }
    s[pos as usize..(pos + length) as usize].to_vec()
}

/// Go's `strings.Replace(s, old, new, n)` (`n` of `None` is -1).
fn go_replace(s: &[u8], old: &[u8], new: &[u8], n: Option<usize>) -> Vec<u8> {
    if old == new || n == Some(0) {
        return s.to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    if old.is_empty() {
        // An empty pattern matches before every rune and at the end.
        let mut rest = s;
        let mut count = 0;
        loop {
            if n.is_some_and(|n| count >= n) {
                out.extend_from_slice(rest);
                break;
            }
            out.extend_from_slice(new);
            count += 1;
            if rest.is_empty() {
                break;
            }
            let (_, w) = parse::decode_rune(rest);
            out.extend_from_slice(&rest[..w]);
            rest = &rest[w..];
        }
        return out;
    }
    let mut rest = s;
    let mut count = 0;
    while let Some(i) = find(rest, old) {
        if n.is_some_and(|n| count >= n) {
            break;
        }
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(new);
        rest = &rest[i + old.len()..];
        count += 1;
    }
    out.extend_from_slice(rest);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace(s: Vec<u8>, args: &[Vec<u8>], n: Option<usize>) -> Vec<u8> {
    match args {
        [] => s,
        [old] => go_replace(&s, old, b"", n),
        [old, new, ..] => go_replace(&s, old, new, n),
    }
}

fn replace_prefix(s: Vec<u8>, args: &[Vec<u8>]) -> Vec<u8> {
    match args {
        [old, new] if s.starts_with(old) => go_replace(&s, old, new, Some(1)),
        _ => s,
    }
}

fn replace_suffix(s: Vec<u8>, args: &[Vec<u8>]) -> Vec<u8> {
    match args {
        [old, new] if s.ends_with(old) => {
            let mut out = s[..s.len() - old.len()].to_vec();
            out.extend_from_slice(new);
            out
        }
        _ => s,
    }
}

fn trim_prefix(s: Vec<u8>, pat: Option<&Vec<u8>>, longest: bool) -> Vec<u8> {
    let Some(pat) = pat else {
        return s;
    };
    if longest {
        trim_longest(s, pat)
    } else {
        trim_shortest(s, pat)
    }
}

fn trim_suffix(s: Vec<u8>, pat: Option<&Vec<u8>>, longest: bool) -> Vec<u8> {
    let Some(pat) = pat else {
        return s;
    };
    let r = reverse_runes(&s);
    let p = reverse_runes(pat);
    let t = if longest {
        trim_longest(r, &p)
    } else {
        trim_shortest(r, &p)
    };
    reverse_runes(&t)
}

/// Go's rune-wise reverse of a string (`[]rune(s)` reversed): invalid
/// bytes become U+FFFD.
fn reverse_runes(s: &[u8]) -> Vec<u8> {
    let mut runes = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (r, n) = parse::decode_rune(rest);
        runes.push(r);
        rest = &rest[n..];
    }
    let mut out = Vec::with_capacity(s.len());
    for r in runes.into_iter().rev() {
        push_rune(&mut out, r);
    }
    out
}

fn trim_shortest(s: Vec<u8>, pat: &[u8]) -> Vec<u8> {
    let mut shortest: Option<usize> = None;
    for i in 0..s.len() {
        match pattern::matches(pat, &s[..s.len() - i]) {
            Err(_) => return s,
            Ok(true) => shortest = Some(s.len() - i),
            Ok(false) => {}
        }
    }
    match shortest {
        Some(n) if n > 0 => s[n..].to_vec(),
        _ => s,
    }
}

fn trim_longest(s: Vec<u8>, pat: &[u8]) -> Vec<u8> {
    for i in 0..s.len() {
        match pattern::matches(pat, &s[..s.len() - i]) {
            Err(_) => return s,
            Ok(true) => return s[s.len() - i..].to_vec(),
            Ok(false) => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(text: &str, vars: &[(&str, &str)], strict: bool) -> Result<String, EvalError> {
        let vars: HashMap<String, Vec<u8>> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let lookup = |name: &str| match vars.get(name) {
            Some(v) => (v.clone(), true),
            None => (Vec::new(), !strict),
        };
        eval(text.as_bytes(), &lookup).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    #[test]
    fn expands_every_form() {
        let vars = [
            ("a", "Hello World"),
            ("e", ""),
            ("p", "a/b/c.txt"),
            ("n", "héllo"),
        ];
        let cases = [
            ("${a}", "Hello World"),
            ("x${a}y", "xHello Worldy"),
            ("${missing}", ""),
            ("${missing:=def}", "def"),
            ("${e:=def}", "def"),
            ("${e=def}", "def"),
            ("${a:=def}", "Hello World"),
            ("${missing:-x${a}}", "xHello World"),
            ("${#a}", "11"),
            ("${#n}", "6"),
            ("${a^^}", "HELLO WORLD"),
            ("${a,,}", "hello world"),
            ("${a,}", "hello World"),
            ("${n^}", "Héllo"),
            ("${n^^}", "HÉLLO"),
            ("${a:6}", "World"),
            ("${a:0:5}", "Hello"),
            ("${a:-5}", "Hello World"),
            ("${a: -5}", "Hello World"),
            ("${a:1:-1}", "ello Worl"),
            ("${a:20}", ""),
            ("${a:x}", "Hello World"),
            ("${p#*/}", "b/c.txt"),
            ("${p##*/}", "c.txt"),
            ("${p%/*}", "a/b"),
            ("${p%%/*}", "a"),
            ("${a/o/0}", "Hell0 World"),
            ("${a//o/0}", "Hell0 W0rld"),
            ("${a//o/}", "Hell Wrld"),
            ("${a/#Hello/Bye}", "Bye World"),
            ("${a/%World/All}", "Hello All"),
            ("${p/\\//-}", "a-b/c.txt"),
            ("$${a}", "${a}"),
            ("$$a", "$a"),
            ("cost: $5", "cost: $5"),
        ];
        let mut failures = Vec::new();
        for (text, want) in cases {
            match run(text, &vars, false) {
                Ok(got) if got == want => {}
                other => failures.push(format!("{text:?}: {other:?}, want {want:?}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn strict_mode_fails_on_unset_variables_without_a_default() {
        let vars = [("a", "1")];
        let cases = [
            ("${a}", Some("1")),
            ("${b}", None),
            ("${b:=2}", Some("2")),
            ("${b=2}", Some("2")),
            ("${#b}", None),
            ("${b^^}", None),
            ("${a:=${b}}", None),
            ("${a//x}", None),
            ("${b:=${a}}", Some("1")),
        ];
        let mut failures = Vec::new();
        for (text, want) in cases {
            let got = run(text, &vars, true).ok();
            if got.as_deref() != want {
                failures.push(format!("{text:?}: {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn replace_matches_go_strings_replace() {
        assert_eq!(go_replace(b"abc", b"", b"-", None), b"-a-b-c-");
        assert_eq!(go_replace(b"abc", b"", b"-", Some(1)), b"-abc");
        assert_eq!(go_replace(b"aaa", b"a", b"b", Some(2)), b"bba");
    }
}
