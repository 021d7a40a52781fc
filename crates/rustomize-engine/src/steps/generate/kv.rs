//! Key-value pairs for generated ConfigMaps and Secrets, read from the three
//! kinds of sources kustomize accepts (its `api/kv` package):
//!
//! - `envs`: files of `KEY=value` lines; read first,
//! - `literals`: `key=value` strings; read second,
//! - `files`: `path` (the key is the file's base name) or `key=path`; read last.
//!
//! kustomize's key validators are no-ops in v5.5.0 (`api/internal/validate`),
//! so any key is accepted here too: `export X=1` in an env file makes the key
//! `export X`. Only repeated keys are rejected, by the generator.

use crate::error::Error;
use crate::gofmt::go_quote;
use rustomize_loader::Loader;

/// One key and its value. Values read from files may be any bytes; values
/// from literals and env files are always UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    /// The key.
    pub key: String,
    /// The value's bytes.
    pub value: Vec<u8>,
}

impl Pair {
    fn new(key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Pair {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Where a generator's pairs come from.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sources<'a> {
    /// `literals`.
    pub literals: &'a [String],
    /// `files`.
    pub files: &'a [String],
    /// `envs`.
    pub envs: &'a [String],
}

/// Reads every pair, in kustomize's order (env files, literals, files), with
/// its error messages ("loading KV pairs: file sources: [a b]: ...").
pub(crate) fn load_pairs(ldr: &Loader, src: Sources<'_>) -> Result<Vec<Pair>, Error> {
    let mut all = Vec::new();
    for path in src.envs {
        let read = ldr
            .load(path)
            .map_err(Error::from)
            .and_then(|content| parse_env_file(&content));
        match read {
            Ok(pairs) => all.extend(pairs),
            Err(e) => {
                return Err(e
                    .context(format!("env source files: {}", go_list(src.envs)))
                    .context("loading KV pairs"));
            }
        }
    }
    for literal in src.literals {
        let pair = parse_literal(literal).map_err(|e| {
            Error::generator(e)
                .context(format!("literal sources {}", go_list(src.literals)))
                .context("loading KV pairs")
        })?;
        all.push(pair);
    }
    for source in src.files {
        let read = parse_file_source(source)
            .map_err(Error::generator)
            .and_then(|(key, path)| Ok(Pair::new(key, ldr.load(path)?)));
        match read {
            Ok(pair) => all.push(pair),
            Err(e) => {
                return Err(e
                    .context(format!("file sources: {}", go_list(src.files)))
                    .context("loading KV pairs"));
            }
        }
    }
    Ok(all)
}

/// A string slice as Go's `%v` prints it: `[a b c]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// Splits a literal `key=value` at its first `=`; a value wrapped in a
/// matching pair of `"` or `'` loses them.
// Err: kustomize's message; load_pairs wraps it in Error::Generator with the sources.
pub(crate) fn parse_literal(source: &str) -> Result<Pair, String> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok(Pair::new(key, remove_quotes(value))),
        _ => Err(format!(
            "invalid literal source {source}, expected key=value"
        )),
    }
}

/// Strips one pair of surrounding quotes, only when both ends carry the same
/// quote character.
fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Splits a file source into its key and path: `path` (the key is the
/// path's base name) or `key=path`.
// Err: kustomize's message; load_pairs wraps it in Error::Generator with the sources.
pub(crate) fn parse_file_source(source: &str) -> Result<(String, &str), String> {
    match source.matches('=').count() {
        0 => Ok((go_path_base(source), source)),
        1 => {
            let (key, path) = source.split_once('=').unwrap_or((source, ""));
            if key.is_empty() {
                Err(format!(
                    "missing key name for file path {} in source {}",
                    go_quote(path),
                    go_quote(source)
                ))
            } else if path.is_empty() {
                Err(format!(
                    "missing file path for key name {} in source {}",
                    go_quote(key),
                    go_quote(source)
                ))
            } else {
                Ok((key.to_string(), path))
            }
        }
        _ => Err(format!(
            "source {} key name or file path contains '='",
            go_quote(source)
        )),
    }
}

/// Go's `path.Base`: the last slash-separated element, trailing slashes
/// dropped; `.` for the empty string and `/` for all slashes.
fn go_path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// The longest line Go's `bufio.Scanner` returns with its default buffer;
/// kustomize stops reading an env file, without an error, at a longer one.
const MAX_ENV_LINE: usize = 64 * 1024 - 1;

/// Parses an env file: one `KEY=value` per line, split at the first `=`
/// (no `=` means the empty value). Lines are split at `\n` with one trailing
/// `\r` dropped; leading white space is trimmed and the rest is kept as
/// written (no quote removal, no trailing trim). Blank lines and lines
/// starting with `#` are skipped; a UTF-8 BOM is dropped from the first line.
/// A line that is not UTF-8 is an error.
pub(crate) fn parse_env_file(content: &[u8]) -> Result<Vec<Pair>, Error> {
    let mut pairs = Vec::new();
    for (n, raw) in scan_lines(content).enumerate() {
        // The limit counts a line's `\r`.
        if raw.len() > MAX_ENV_LINE {
            break;
        }
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(text) = std::str::from_utf8(line) else {
            let bytes: Vec<String> = line.iter().map(u8::to_string).collect();
            return Err(Error::generator(format!(
                "line [{}] has invalid utf8 bytes : {}",
                bytes.join(" "),
                String::from_utf8_lossy(line)
            )));
        };
        let text = if n == 0 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let text = text.trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (key, value) = text.split_once('=').unwrap_or((text, ""));
        pairs.push(Pair::new(key, value));
    }
    Ok(pairs)
}

/// Lines as Go's `bufio.ScanLines` splits them: at `\n`, no empty last
/// line. (Go also drops one trailing `\r`; the caller does.)
fn scan_lines(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = content.strip_suffix(b"\n").unwrap_or(content);
    let empty = content.is_empty();
    body.split(|&b| b == b'\n').filter(move |_| !empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

    fn pairs(content: &[u8]) -> Vec<(String, String)> {
        parse_env_file(content)
            .unwrap()
            .into_iter()
            .map(|p| (p.key, String::from_utf8(p.value).unwrap()))
            .collect()
    }

    #[test]
    fn env_files_parse_like_kustomize() {
        let text = indoc! {"
            # comment
            \t
            FOO=bar
            export X=1
            QUOTED=\"q v\"
            NOVAL
              LEADING=  spaced  
            EQ=a=b=c
        "};
        let mut content = UTF8_BOM.to_vec();
        content.extend_from_slice(text.as_bytes());
        content.extend_from_slice(b"WIN=crlf\r\nLAST=no newline");
        let got = pairs(&content);
        let want = [
            ("FOO", "bar"),
            ("export X", "1"),
            ("QUOTED", "\"q v\""),
            ("NOVAL", ""),
            ("LEADING", "  spaced  "),
            ("EQ", "a=b=c"),
            ("WIN", "crlf"),
            ("LAST", "no newline"),
        ];
        assert_eq!(
            got,
            want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
        );
    }

    #[test]
    fn env_file_edge_cases() {
        assert!(pairs(b"").is_empty());
        assert!(pairs(b"\n\n").is_empty());
        // Only the first line may carry a BOM.
        assert_eq!(pairs(b"A=1\n\xef\xbb\xbfB=2")[1].0, "\u{feff}B");
        // A line too long for Go's scanner ends the file silently.
        let mut long = b"A=1\nB=".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_ENV_LINE));
        long.extend_from_slice(b"\nC=3\n");
        assert_eq!(pairs(&long).len(), 1);
        // The longest line read, `\r` included (checked with kubectl).
        let mut ok = b"A=1\nB=".to_vec();
        ok.extend(std::iter::repeat_n(b'x', MAX_ENV_LINE - 3));
        ok.extend_from_slice(b"\r\nC=3\n");
        assert_eq!(pairs(&ok).len(), 3);
        let mut too_long = b"A=1\nB=".to_vec();
        too_long.extend(std::iter::repeat_n(b'x', MAX_ENV_LINE - 2));
        too_long.extend_from_slice(b"\r\nC=3\n");
        assert_eq!(pairs(&too_long).len(), 1);
        let err = parse_env_file(b"A=\xff\n")
            .unwrap_err()
            .report()
            .to_string();
        assert_eq!(err, "line [65 61 255] has invalid utf8 bytes : A=\u{fffd}");
    }

    #[test]
    fn literals() {
        let cases = [
            ("a=1", Ok(("a", "1"))),
            ("b=\"quoted\"", Ok(("b", "quoted"))),
            ("c='x'", Ok(("c", "x"))),
            ("d=", Ok(("d", ""))),
            ("e=\"mismatch'", Ok(("e", "\"mismatch'"))),
            ("TEST='", Ok(("TEST", "'"))),
            ("f=a=b", Ok(("f", "a=b"))),
            (
                "noequals",
                Err("invalid literal source noequals, expected key=value"),
            ),
            ("=v", Err("invalid literal source =v, expected key=value")),
        ];
        for (src, want) in cases {
            let got = parse_literal(src);
            match want {
                Ok((k, v)) => assert_eq!(got, Ok(Pair::new(k, v)), "{src}"),
                Err(m) => assert_eq!(got, Err(m.to_string()), "{src}"),
            }
        }
    }

    #[test]
    fn file_sources() {
        let cases = [
            ("a.txt", Ok(("a.txt", "a.txt"))),
            ("dir/sub/b.txt", Ok(("b.txt", "dir/sub/b.txt"))),
            ("dir/", Ok(("dir", "dir/"))),
            ("k=dir/b.txt", Ok(("k", "dir/b.txt"))),
            (
                "=f",
                Err(r#"missing key name for file path "f" in source "=f""#),
            ),
            (
                "k=",
                Err(r#"missing file path for key name "k" in source "k=""#),
            ),
            (
                "a=b=f",
                Err(r#"source "a=b=f" key name or file path contains '='"#),
            ),
        ];
        for (src, want) in cases {
            let got = parse_file_source(src);
            match want {
                Ok((k, p)) => assert_eq!(got, Ok((k.to_string(), p)), "{src}"),
                Err(m) => assert_eq!(got, Err(m.to_string()), "{src}"),
            }
        }
    }
}
