//! Go's `filepath.Match` and `filepath.Glob`, which `kustomize edit`
//! expands its path arguments with.

// Globs expand against the local disk, as Go's filepath.Glob does for
// `kustomize edit` (clippy.toml's disallowed-methods).
#![allow(clippy::disallowed_methods)]

use std::path::Path;

/// A malformed pattern (Go's `filepath.ErrBadPattern`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Whether `name` matches the shell pattern `pattern` (`*`, `?`,
/// `[a-z]`, `[^x]`, `\\` escapes; `*` never crosses a `/`).
pub fn matches(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Check the whole pattern's syntax, as Go reports errors even after a
    // mismatch.
    check_syntax(&p)?;
    Ok(match_here(&p, &n))
}

fn check_syntax(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = class(p, i, None)?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Matches a character class starting at `p[i] == '['`; returns whether
/// `c` is in it (when given) and the index after `]`.
fn class(p: &[char], mut i: usize, c: Option<char>) -> Result<(bool, usize), BadPattern> {
    i += 1;
    let negate = p.get(i) == Some(&'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else {
            return Err(BadPattern);
        };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = read_char(p, &mut i)?;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            i += 1;
            hi = read_char(p, &mut i)?;
        }
        if c.is_some_and(|c| lo <= c && c <= hi) {
            matched = true;
        }
    }
    Ok((matched != negate, i))
}

fn read_char(p: &[char], i: &mut usize) -> Result<char, BadPattern> {
    let ch = *p.get(*i).ok_or(BadPattern)?;
    if ch == '\\' {
        let e = *p.get(*i + 1).ok_or(BadPattern)?;
        *i += 2;
        return Ok(e);
    }
    if ch == '-' {
        return Err(BadPattern);
    }
    *i += 1;
    Ok(ch)
}

fn match_here(p: &[char], n: &[char]) -> bool {
    if p.is_empty() {
        return n.is_empty();
    }
    match p[0] {
        '*' => {
            let mut k = 0;
            loop {
                if match_here(&p[1..], &n[k..]) {
                    return true;
                }
                if k >= n.len() || n[k] == '/' {
                    return false;
                }
                k += 1;
            }
        }
        '?' => !n.is_empty() && n[0] != '/' && match_here(&p[1..], &n[1..]),
        '[' => {
            let Some(&c) = n.first() else { return false };
            if c == '/' {
                return false;
            }
            match class(p, 0, Some(c)) {
                Ok((true, next)) => match_here(&p[next..], &n[1..]),
                _ => false,
            }
        }
        '\\' if p.len() > 1 => !n.is_empty() && n[0] == p[1] && match_here(&p[2..], &n[1..]),
        ch => !n.is_empty() && n[0] == ch && match_here(&p[1..], &n[1..]),
    }
}

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

/// Go's `filepath.Glob` relative to `base`: the paths (as written, joined
/// with `/`) that exist and match, sorted within each directory.
pub fn glob(base: &Path, pattern: &str) -> Result<Vec<String>, BadPattern> {
    if !has_meta(pattern) {
        let exists = std::fs::symlink_metadata(base.join(pattern)).is_ok();
        return Ok(if exists {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        });
    }
    let (dir, file) = match pattern.rfind('/') {
        Some(i) => (&pattern[..i], &pattern[i + 1..]),
        None => ("", pattern),
    };
    let dirs: Vec<String> = if dir.is_empty() {
        vec![String::new()]
    } else if has_meta(dir) {
        glob(base, dir)?
    } else {
        vec![dir.to_string()]
    };
    let mut out = Vec::new();
    for d in dirs {
        let full = if d.is_empty() {
            base.to_path_buf()
        } else {
            base.join(&d)
        };
        let Ok(rd) = std::fs::read_dir(&full) else {
            continue;
        };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            if matches(file, &name)? {
                out.push(if d.is_empty() {
                    name
                } else {
                    format!("{d}/{name}")
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_cases() {
        let cases = [
            ("*.yaml", "a.yaml", true),
            ("*.yaml", "dir/a.yaml", false),
            ("dir/*", "dir/a", true),
            ("a?c", "abc", true),
            ("[a-c]x", "bx", true),
            ("[^a-c]x", "bx", false),
            ("\\*", "*", true),
            ("*", "", true),
        ];
        let failed: Vec<_> = cases
            .iter()
            .filter(|(p, n, want)| matches(p, n) != Ok(*want))
            .collect();
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(matches("[", "a"), Err(BadPattern));
    }

    #[test]
    fn glob_sorted_in_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in ["b.yaml", "a.yaml", "c.txt"] {
            std::fs::write(dir.path().join(f), "").expect("write");
        }
        assert_eq!(
            glob(dir.path(), "*.yaml"),
            Ok(vec!["a.yaml".into(), "b.yaml".into()])
        );
        assert_eq!(glob(dir.path(), "none.yaml"), Ok(vec![]));
    }
}
