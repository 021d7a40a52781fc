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

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

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
