//! Which files of a repository reach Flux: source-controller's artifact
//! filter (fluxcd/pkg/sourceignore, gitignore patterns as go-git reads
//! them).
//!
//! The artifact leaves out what `.sourceignore` files anywhere in the tree
//! list, and always `.git/`, `.gitignore`, `.gitmodules`, `.gitattributes`.
//! When the tree has no `.sourceignore` patterns at all it also leaves out
//! images, archives and CI files (`*.jpg`, `*.zip`, `.github/`,
//! `.travis.yml`, ... and `**/.sops.yaml`, `**/.flux.yaml`); a
//! `.sourceignore` replaces those defaults. Patterns are matched per path,
//! relative to the repository root, the last matching pattern deciding.

// The artifact's file system (artifact.rs) walks the disk through this
// module to find every `.sourceignore` (clippy.toml's disallowed-methods).
#![allow(clippy::disallowed_methods)]

use std::path::Path;

const EXCLUDE_VCS: &str = ".git/,.gitignore,.gitmodules,.gitattributes";
const EXCLUDE_DEFAULTS: &str = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip,\
.github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,\
codeship-services.yml,codeship-steps.yml,**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

/// The ignore file's name.
pub const IGNORE_FILE: &str = ".sourceignore";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MatchResult {
    NoMatch,
    Exclude,
    Include,
}

/// One gitignore pattern, scoped to the directory it was read in.
#[derive(Clone, Debug)]
pub struct Pattern {
    domain: Vec<String>,
    pattern: Vec<String>,
    inclusion: bool,
    dir_only: bool,
    is_glob: bool,
}

impl Pattern {
    /// Parses `p` as read in the directory `domain` (components from the
    /// root).
    pub fn parse(p: &str, domain: &[String]) -> Self {
        let mut p = p;
        let inclusion = p.starts_with('!');
        if inclusion {
            p = &p[1..];
        }
        if !p.ends_with("\\ ") {
            p = p.trim_end_matches(' ');
        }
        let dir_only = p.ends_with('/');
        if dir_only {
            p = &p[..p.len() - 1];
        }
        Pattern {
            domain: domain.to_vec(),
            pattern: p.split('/').map(str::to_string).collect(),
            inclusion,
            dir_only,
            is_glob: p.contains('/'),
        }
    }

    fn matches(&self, path: &[&str], is_dir: bool) -> MatchResult {
        if path.len() <= self.domain.len() {
            return MatchResult::NoMatch;
        }
        if self.domain.iter().zip(path).any(|(d, p)| d != p) {
            return MatchResult::NoMatch;
        }
        let path = &path[self.domain.len()..];
        let matched = if self.is_glob {
            self.glob_match(path, is_dir)
        } else {
            self.simple_name_match(path, is_dir)
        };
        match (matched, self.inclusion) {
            (false, _) => MatchResult::NoMatch,
            (true, true) => MatchResult::Include,
            (true, false) => MatchResult::Exclude,
        }
    }

    fn simple_name_match(&self, path: &[&str], is_dir: bool) -> bool {
        for (i, name) in path.iter().enumerate() {
            if !go_match(&self.pattern[0], name) {
                continue;
            }
            if self.dir_only && !is_dir && i == path.len() - 1 {
                return false;
            }
            return true;
        }
        false
    }

    fn glob_match(&self, mut path: &[&str], is_dir: bool) -> bool {
        let mut matched = false;
        let mut can_traverse = false;
        for (i, pattern) in self.pattern.iter().enumerate() {
            if pattern.is_empty() {
                can_traverse = false;
                continue;
            }
            if pattern == "**" {
                if i == self.pattern.len() - 1 {
                    break;
                }
                can_traverse = true;
                continue;
            }
            if pattern.contains("**") {
                return false;
            }
            if path.is_empty() {
                return false;
            }
            if can_traverse {
                can_traverse = false;
                while let Some((e, rest)) = path.split_first() {
                    path = rest;
                    if go_match(pattern, e) {
                        matched = true;
                        break;
                    } else if path.is_empty() {
                        matched = false;
                    }
                }
            } else {
                if !go_match(pattern, path[0]) {
                    return false;
                }
                matched = true;
                path = &path[1..];
            }
        }
        if matched && self.dir_only && !is_dir && path.is_empty() {
            matched = false;
        }
        matched
    }
}

/// The patterns deciding what the artifact holds, lowest priority first.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

impl Matcher {
    /// source-controller's filter for the tree's `.sourceignore` patterns
    /// (`ps`): the VCS patterns, then the defaults when `ps` is empty,
    /// then `ps`.
    pub fn artifact(ps: Vec<Pattern>) -> Self {
        let mut patterns = split_patterns(EXCLUDE_VCS);
        if ps.is_empty() {
            patterns.extend(split_patterns(EXCLUDE_DEFAULTS));
        }
        patterns.extend(ps);
        Matcher { patterns }
    }

    /// Whether the path (components from the root) is left out.
    pub fn excludes(&self, path: &[&str], is_dir: bool) -> bool {
        for p in self.patterns.iter().rev() {
            match p.matches(path, is_dir) {
                MatchResult::NoMatch => {}
                r => return r == MatchResult::Exclude,
            }
        }
        false
    }
}

fn split_patterns(list: &str) -> Vec<Pattern> {
    list.split(',').map(|p| Pattern::parse(p, &[])).collect()
}

/// The patterns of one ignore file's text (`#` comments and blank lines
/// skipped), read in `domain`.
pub fn read_patterns(text: &str, domain: &[String]) -> Vec<Pattern> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| Pattern::parse(l, domain))
        .collect()
}

/// Every `.sourceignore` under `root`, outermost first, each scoped to its
/// directory; `.git` is not entered, links to directories are not
/// followed.
pub fn load_patterns(root: &Path) -> std::io::Result<Vec<Pattern>> {
    let mut out = Vec::new();
    load_into(root, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn load_into(dir: &Path, domain: &mut Vec<String>, out: &mut Vec<Pattern>) -> std::io::Result<()> {
    match std::fs::read(dir.join(IGNORE_FILE)) {
        Ok(bytes) => out.extend(read_patterns(&String::from_utf8_lossy(&bytes), domain)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut entries: Vec<(String, bool)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (e.file_name().to_string_lossy().into_owned(), is_dir)
        })
        .collect();
    entries.sort();
    for (name, is_dir) in entries {
        if is_dir && name != ".git" {
            domain.push(name.clone());
            load_into(&dir.join(&name), domain, out)?;
            domain.pop();
        }
    }
    Ok(())
}

/// Go's `filepath.Match` for one path component (where `/` never occurs);
/// a malformed pattern matches nothing.
fn go_match(pattern: &str, name: &str) -> bool {
    match_bytes(pattern.as_bytes(), name.as_bytes()).unwrap_or(false)
}

fn match_bytes(mut pattern: &[u8], mut name: &[u8]) -> Option<bool> {
    'outer: while !pattern.is_empty() {
        let mut star = false;
        while pattern.first() == Some(&b'*') {
            pattern = &pattern[1..];
            star = true;
        }
        let mut in_range = false;
        let mut i = 0;
        while i < pattern.len() {
            match pattern[i] {
                b'\\' if i + 1 < pattern.len() => i += 1,
                b'[' => in_range = true,
                b']' => in_range = false,
                b'*' if !in_range => break,
                _ => {}
            }
            i += 1;
        }
        let (chunk, rest) = pattern.split_at(i);
        pattern = rest;
        if star && chunk.is_empty() {
            return Some(!name.contains(&b'/'));
        }
        if let Some(t) = match_chunk(chunk, name)?
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        if star {
            let mut j = 0;
            while j < name.len() && name[j] != b'/' {
                if let Some(t) = match_chunk(chunk, &name[j + 1..])? {
                    if pattern.is_empty() && !t.is_empty() {
                        j += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                j += 1;
            }
        }
        return Some(false);
    }
    Some(name.is_empty())
}

/// `Some(Some(rest))` on a match, `Some(None)` on none, `None` on a bad
/// pattern.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Option<Option<&'a [u8]>> {
    while !chunk.is_empty() {
        if s.is_empty() {
            return Some(None);
        }
        match chunk[0] {
            b'[' => {
                let (r, n) = decode(s);
                s = &s[n..];
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    return Some(None);
                }
            }
            b'?' => {
                if s[0] == b'/' {
                    return Some(None);
                }
                let (_, n) = decode(s);
                s = &s[n..];
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == b'\\' {
                    chunk = &chunk[1..];
                    *chunk.first()?
                } else {
                    c
                };
                if c != s[0] {
                    return Some(None);
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
        }
    }
    Some(Some(s))
}

fn decode(b: &[u8]) -> (char, usize) {
    crate::envsubst::decode_rune(b)
}

fn get_esc(mut chunk: &[u8]) -> Option<(char, &[u8])> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return None;
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return None;
        }
    }
    let (r, n) = decode(chunk);
    if r == char::REPLACEMENT_CHARACTER && n == 1 {
        return None;
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(m: &Matcher, path: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        m.excludes(&parts, is_dir)
    }

    #[test]
    fn default_filter_leaves_out_vcs_ci_and_images() {
        let m = Matcher::artifact(Vec::new());
        let cases = [
            (".git", true, true),
            (".git/config", false, true),
            (".github/workflows/ci.yaml", false, true),
            ("docs/logo.png", false, true),
            ("apps/.sops.yaml", false, true),
            (".gitignore", false, true),
            ("apps/deploy.yaml", false, false),
            ("apps/kustomization.yaml", false, false),
            ("cloudbuild.yaml", false, true),
        ];
        let mut failures = Vec::new();
        for (path, is_dir, want) in cases {
            if excluded(&m, path, is_dir) != want {
                failures.push(format!("{path}: want excluded={want}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn sourceignore_patterns_replace_the_defaults_and_scope_to_their_directory() {
        let mut ps = read_patterns("# comment\n\n/tests/\n*.md\n!keep.md\n", &[]);
        ps.extend(read_patterns("local.yaml\n", &["apps".to_string()]));
        let m = Matcher::artifact(ps);
        let cases = [
            ("tests", true, true),
            ("tests/a.yaml", false, true),
            ("apps/tests/a.yaml", false, false),
            ("README.md", false, true),
            ("keep.md", false, false),
            ("apps/local.yaml", false, true),
            ("local.yaml", false, false),
            ("docs/logo.png", false, false),
            (".git/config", false, true),
        ];
        let mut failures = Vec::new();
        for (path, is_dir, want) in cases {
            if excluded(&m, path, is_dir) != want {
                failures.push(format!("{path}: want excluded={want}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn go_match_handles_classes_and_escapes() {
        assert!(go_match("*.yaml", "a.yaml"));
        assert!(!go_match("*.yaml", "a.yml"));
        assert!(go_match("[a-c]?.txt", "bx.txt"));
        assert!(go_match("\\*", "*"));
        assert!(!go_match("[", "["));
    }
}
