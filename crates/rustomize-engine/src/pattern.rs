//! Regular expressions that are (almost) plain text, matched without
//! compiling them.
//!
//! kustomize reads patch target names, kinds and image names as regular
//! expressions, but nearly all of them are plain names such as `web`,
//! `apps` or `ghcr.io/org/app`. Compiling a regex for each costs far more
//! than the build step that uses it (thousands of compilations in a large
//! tree), so a pattern whose only syntax is `.` (any character but a line
//! break, as in Go's and Rust's regex) is matched here directly.

/// A pattern made of literal characters and `.` wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DotPattern(String);

impl DotPattern {
    /// The pattern, when `re` has no regex syntax besides `.`.
    pub(crate) fn new(re: &str) -> Option<DotPattern> {
        const SYNTAX: [char; 13] = [
            '\\', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
        ];
        (!re.contains(SYNTAX)).then(|| DotPattern(re.to_string()))
    }

    /// Whether the pattern has no wildcard (it matches only itself).
    pub(crate) fn is_literal(&self) -> bool {
        !self.0.contains('.')
    }

    /// The length in bytes of the prefix of `s` the pattern matches, if
    /// any (every match has the pattern's length in characters).
    pub(crate) fn match_prefix(&self, s: &str) -> Option<usize> {
        if self.is_literal() {
            return s.starts_with(&self.0).then_some(self.0.len());
        }
        let mut rest = s.char_indices();
        for p in self.0.chars() {
            let (_, c) = rest.next()?;
            if p == '.' {
                if c == '\n' {
                    return None;
                }
            } else if p != c {
                return None;
            }
        }
        Some(rest.next().map_or(s.len(), |(i, _)| i))
    }

    /// Whether the pattern, anchored at both ends, matches all of `s`.
    pub(crate) fn is_match(&self, s: &str) -> bool {
        if self.is_literal() {
            return self.0 == s;
        }
        self.match_prefix(s) == Some(s.len())
    }
}

/// A Go (RE2) regular expression in the syntax of Rust's `regex` crate,
/// where the two read a pattern differently: Go takes a `{` that opens no
/// repetition (`{n}`, `{n,}`, `{n,m}`) as a literal (`ConfigMa{p`,
/// `a{,3}`), the `regex` crate refuses it or reads `{,3}` as one; such a
/// `{` is escaped. Escapes and character classes are copied as they are.
pub(crate) fn go_syntax(re: &str) -> std::borrow::Cow<'_, str> {
    if !re.contains('{') {
        return std::borrow::Cow::Borrowed(re);
    }
    let b = re.as_bytes();
    let mut out = String::with_capacity(re.len() + 4);
    let (mut i, mut class) = (0, false);
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            let end = re[i + 1..]
                .chars()
                .next()
                .map_or(re.len(), |ch| i + 1 + ch.len_utf8());
            out.push_str(&re[i..end]);
            i = end;
            continue;
        }
        if class {
            class = c != b']';
        } else if c == b'[' {
            class = true;
            // A `]` right after `[` or `[^` is a literal member.
            let skip = if b.get(i + 1) == Some(&b'^') { 2 } else { 1 };
            if b.get(i + skip) == Some(&b']') {
                out.push_str(&re[i..i + skip + 1]);
                i += skip + 1;
                continue;
            }
        } else if c == b'{' && !opens_repetition(&re[i..]) {
            out.push_str("\\{");
            i += 1;
            continue;
        }
        let end = re[i..]
            .chars()
            .next()
            .map_or(re.len(), |ch| i + ch.len_utf8());
        out.push_str(&re[i..end]);
        i = end;
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `s` (opening with `{`) opens a repetition for RE2: digits, and
/// optionally `,` and more digits, then `}`.
fn opens_repetition(s: &str) -> bool {
    let rest = &s[1..];
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let min = digits(rest);
    if min == 0 {
        return false;
    }
    let rest = &rest[min..];
    let rest = match rest.strip_prefix(',') {
        Some(r) => &r[digits(r)..],
        None => rest,
    };
    rest.starts_with('}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn braces_that_open_no_repetition_are_literal_as_in_go() {
        for (go, rust) in [
            ("ConfigMa{p", "ConfigMa\\{p"),
            ("a{,3}", "a\\{,3}"),
            ("a{2}", "a{2}"),
            ("a{2,}b{1,3}", "a{2,}b{1,3}"),
            ("[{]x", "[{]x"),
            ("\\{x", "\\{x"),
            ("[]{]{", "[]{]\\{"),
            ("é{", "é\\{"),
        ] {
            assert_eq!(go_syntax(go), rust, "{go:?}");
            assert!(Regex::new(&go_syntax(go)).is_ok(), "{go:?}");
        }
        let re = Regex::new(&format!("^(?:{})$", go_syntax("ConfigMa{p"))).unwrap();
        assert!(re.is_match("ConfigMa{p") && !re.is_match("ConfigMap"));
    }

    #[test]
    fn agrees_with_anchored_regex() {
        let patterns = [
            "web",
            "app-0001",
            "ghcr.io/org/app",
            "a.c",
            ".",
            "é.x",
            "v1",
            "",
        ];
        let inputs = [
            "web",
            "webx",
            "app-0001",
            "ghcr.io/org/app",
            "ghcrXio/org/app",
            "abc",
            "a\nc",
            "ac",
            "x",
            "",
            "éyx",
            "é\nx",
            "v1",
            "v10",
        ];
        for p in patterns {
            let dot = DotPattern::new(p).unwrap();
            let re = Regex::new(&format!("^(?:{p})$")).unwrap();
            for s in inputs {
                assert_eq!(dot.is_match(s), re.is_match(s), "{p:?} on {s:?}");
            }
        }
        for p in [
            "a+", "(x)", "[ab]", "x|y", "^a", "a$", "a{2}", "a?", "\\d", "a*",
        ] {
            assert_eq!(DotPattern::new(p), None, "{p}");
        }
    }
}
