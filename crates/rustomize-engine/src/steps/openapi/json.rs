//! A small JSON reader for the embedded schema data.
//!
//! The YAML parser reads JSON too, but the embedded data is read on every
//! run that applies a strategic merge patch, and this reader does it in a
//! fraction of the time. Strings become `!!str` scalars, other scalars are
//! typed as YAML would type them unquoted.
//!
//! Errors: the parser returns `Result<_, String>`, a position and what was
//! expected; [`Schema`](super::Schema) wraps it in a schema error naming the
//! file.

use rustomize_yaml::{Entry, Map, Node, Scalar, Seq};

/// Parses one JSON document.
pub(super) fn parse(text: &str) -> Result<Node, String> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    let node = reader.value(0)?;
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(node)
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> String {
        format!("JSON: {what} at byte {}", self.pos)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", byte as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("too deeply nested"));
        }
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Node::Scalar(Scalar::string(self.string()?))),
            Some(_) => {
                let start = self.pos;
                while let Some(c) = self.bytes.get(self.pos) {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
                let word = &self.text[start..self.pos];
                match word {
                    "true" | "false" | "null" => Ok(Node::plain(word)),
                    _ if word.parse::<f64>().is_ok() => Ok(Node::plain(word)),
                    _ => Err(self.error("unexpected value")),
                }
            }
            None => Err(self.error("unexpected end")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, String> {
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::Map(map));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            map.entries.push(Entry {
                key: Scalar::string(key),
                value,
            });
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::Map(map));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::Seq(Seq::new(items)));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::Seq(Seq::new(items)));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    /// A string; the reader is at its opening quote.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        while let Some(&c) = self.bytes.get(self.pos) {
            match c {
                b'"' => {
                    let s = self.text[start..self.pos].to_string();
                    self.pos += 1;
                    return Ok(s);
                }
                b'\\' => break,
                _ => self.pos += 1,
            }
        }
        let mut out = self.text[start..self.pos].to_string();
        loop {
            let Some(&c) = self.bytes.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let escape = self.bytes.get(self.pos + 1).copied();
                    self.pos += 2;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hex = self
                                .text
                                .get(self.pos..self.pos + 4)
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.error("bad \\u escape"))?;
                            self.pos += 4;
                            out.push(char::from_u32(hex).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(self.error("bad escape")),
                    }
                }
                _ => {
                    // Copy up to the next quote or escape in one go.
                    let start = self.pos;
                    while let Some(&c) = self.bytes.get(self.pos) {
                        if c == b'"' || c == b'\\' {
                            break;
                        }
                        self.pos += 1;
                    }
                    out.push_str(&self.text[start..self.pos]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use rustomize_yaml::Node;

    #[test]
    fn reads_what_the_yaml_parser_reads() {
        let text = r#" {"a": {"b": ["x", "y\"\\\n\u00e9"], "c": {}, "d": []}, "e": 1, "f": true, "g": null} "#;
        let ours = parse(text).unwrap();
        let yaml = rustomize_yaml::parse_one(text).unwrap();
        assert_eq!(ours, yaml);
        assert_eq!(
            ours.get_path(&["a", "b"])
                .and_then(Node::as_seq)
                .map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn reads_the_embedded_data_as_the_yaml_parser_does() {
        for text in [
            super::super::KUBERNETES_V1_21_2,
            super::super::KUSTOMIZATION_API,
        ] {
            assert_eq!(
                parse(text).unwrap(),
                rustomize_yaml::parse_one(text).unwrap()
            );
        }
    }

    #[test]
    fn rejects_broken_json() {
        for text in ["{", "{\"a\" 1}", "[1,]x", "\"abc", "{\"a\": tru}", "[1] 2"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
