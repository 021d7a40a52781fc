//! Parsing remote base specs (`resources:` entries naming git repositories)
//! the way kustomize 5.5 parses them, plus the extra checks rustomize makes
//! before any text reaches the `git` program.
//!
//! kustomize's rules, in order:
//!
//! 1. everything after the first `?` is a query: `ref` (or `version`),
//!    `timeout`, `submodules`; a query that does not parse means defaults;
//! 2. a `git::` prefix is dropped;
//! 3. a scheme (`ssh://`, `https://`, `http://`, `file://`) and then a
//!    user name (`git@`) are taken off; without a scheme, only an scp-like
//!    `user@host:path` or a GitHub address is accepted;
//! 4. the host ends at the first `/` (or, scp-like, at a `:` before it);
//!    GitHub hosts are normalised to `https://github.com/` or
//!    `[user@]github.com:`;
//! 5. the repository ends at `_git/<name>` (Azure), at `//`, or after
//!    `.git`, else after two path segments (all of them for `file://`);
//!    the rest is the directory of the kustomization in the repository,
//!    which may not climb out with `..`.

pub use crate::error::UrlError;
use std::time::Duration;

/// kustomize's timeout for each git command when the URL gives none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(27);

/// kustomize's message for a path with too many `..`.
const EXITS_REPO: &str = "url path exits repo";

const FILE_SCHEME: &str = "file://";
const HTTP_SCHEME: &str = "http://";
const HTTPS_SCHEME: &str = "https://";
const SSH_SCHEME: &str = "ssh://";

/// A git repository, a ref in it and a directory in it, as named by one
/// remote `resources:` or `components:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    /// The entry as written.
    pub raw: String,
    /// Scheme, user and host, e.g. `https://github.com/` or
    /// `git@gitlab.com:`; just `file://` for local repositories.
    pub host: String,
    /// The repository's path on the host, e.g. `org/repo` or
    /// `org/repo.git`.
    pub repo_path: String,
    /// The kustomization directory in the repository, relative, possibly
    /// empty (the repository root).
    pub path: String,
    /// `?ref=` (or `?version=`); empty means the remote's `HEAD`.
    pub git_ref: String,
    /// `?submodules=`: whether submodules are checked out (default true).
    pub submodules: bool,
    /// `?timeout=`, if the URL gives a valid one; see [`RepoSpec::timeout`].
    pub url_timeout: Option<Duration>,
}

impl RepoSpec {
    /// Parses a remote spec exactly as kustomize's `NewRepoSpecFromURL`
    /// does. An error means kustomize would treat the text as a local path.
    /// This does not apply rustomize's safety checks: see [`RepoSpec::validate`].
    pub fn parse(raw: &str) -> Result<RepoSpec, UrlError> {
        let fail = |reason: String| UrlError {
            raw: raw.to_string(),
            reason,
        };
        if raw.starts_with('/') {
            return Err(fail(format!("uri looks like abs path: {raw}")));
        }
        let (rest, query) = raw.split_once('?').unwrap_or((raw, ""));
        let q = parse_query(query);
        let (host, rest) = extract_host(rest).map_err(|r| fail(r.to_string()))?;
        let default_segments = if host.starts_with(FILE_SCHEME) {
            None
        } else {
            Some(2)
        };
        let (repo_path, path) = parse_path_parts(&rest, default_segments).map_err(fail)?;
        Ok(RepoSpec {
            raw: raw.to_string(),
            host,
            repo_path,
            path,
            git_ref: q.git_ref,
            submodules: q.submodules,
            url_timeout: q.timeout,
        })
    }

    /// The URL handed to git: host and repository path.
    pub fn clone_url(&self) -> String {
        format!("{}{}", self.host, self.repo_path)
    }

    /// The ref to fetch: `?ref=`, or `HEAD` when none is given.
    pub fn ref_or_head(&self) -> &str {
        if self.git_ref.is_empty() {
            "HEAD"
        } else {
            &self.git_ref
        }
    }

    /// The timeout of each git command: `?timeout=`, else `default`.
    pub fn timeout(&self, default: Duration) -> Duration {
        self.url_timeout.unwrap_or(default)
    }

    /// rustomize's checks on top of kustomize's parsing, so that no text
    /// from a kustomization can act as an option of git or pick a transport
    /// kustomize does not use.
    pub fn validate(&self) -> Result<(), UrlError> {
        let fail = |reason: String| {
            Err(UrlError {
                raw: self.raw.clone(),
                reason,
            })
        };
        if self.raw.chars().any(char::is_control) {
            return fail("control characters are not allowed".into());
        }
        let url = self.clone_url();
        // The part after the scheme and user: a host (or, for file://, a
        // path) starting with '-' could be read as an option by git or ssh.
        let after_scheme = [SSH_SCHEME, HTTPS_SCHEME, HTTP_SCHEME, FILE_SCHEME]
            .iter()
            .find_map(|s| url.strip_prefix(s))
            .unwrap_or(&url);
        let after_user = match split_username(after_scheme) {
            Some((_, rest)) => rest,
            None => after_scheme,
        };
        if url.starts_with('-') || after_user.starts_with('-') {
            return fail(format!(
                "repository URL '{url}' starts with '-', which git would read as an option"
            ));
        }
        if self.repo_path.starts_with('-') {
            return fail(format!(
                "repository path '{}' starts with '-', which git would read as an option",
                self.repo_path
            ));
        }
        validate_ref(&self.git_ref).or_else(fail)
    }
}

/// Checks a `?ref=`: no leading `-` and nothing git refuses in ref names
/// or reads as a pattern.
// Err: the reason; RepoSpec::validate wraps it in a UrlError with the entry.
fn validate_ref(r: &str) -> Result<(), String> {
    if r.starts_with('-') {
        return Err(format!(
            "ref '{r}' starts with '-', which git would read as an option"
        ));
    }
    if let Some(c) = r.chars().find(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    }) {
        return Err(format!(
            "ref '{r}' contains '{}', which is not allowed in a git ref",
            c.escape_debug()
        ));
    }
    if r.contains("..") || r.contains("@{") {
        return Err(format!("ref '{r}' is not a valid git ref name"));
    }
    Ok(())
}

/// Whether kustomize would take `target` for a remote base (or file): a
/// spec that parses, or an http(s) URL. Forms naming a git transport
/// rustomize refuses (`ext::...`, `git://...`) count as remote too, so
/// they are refused with a clear message rather than looked up as paths.
pub fn is_remote(target: &str) -> bool {
    // A URL whose path climbs out of its repository is refused, not
    // taken for a (nonsensical) local path.
    let parsed = match RepoSpec::parse(target) {
        Ok(_) => true,
        Err(e) => e.reason.starts_with(EXITS_REPO),
    };
    parsed
        || transport_prefix(target).is_some()
        || lower_starts_with(target, HTTP_SCHEME)
        || lower_starts_with(target, HTTPS_SCHEME)
}

/// kustomize's `IsRemoteFile`: an `http://` or `https://` URL, which
/// kustomize first tries to download as a file of resources.
pub fn is_remote_file(target: &str) -> bool {
    lower_starts_with(target, HTTP_SCHEME) || lower_starts_with(target, HTTPS_SCHEME)
}

/// Whether to try downloading `target` as a file before fetching it as a
/// git repository. kustomize probes every http(s) URL over HTTP first;
/// rustomize skips the probe (a network call on every build) when the URL
/// is plainly a repository: a `//` before the path in it, an Azure
/// `_git/`, a repository path ending in `.git`, or a `ref`, `version`,
/// `timeout` or `submodules` query. A URL with a `ref` names a tree, never
/// a file kustomize could use.
pub fn probe_as_file(target: &str) -> bool {
    if !is_remote_file(target) {
        return false;
    }
    let Ok(spec) = RepoSpec::parse(target) else {
        return true;
    };
    let (before_query, query) = target.split_once('?').unwrap_or((target, ""));
    let after_scheme = before_query
        .split_once("://")
        .map_or(before_query, |(_, rest)| rest);
    let git_query = query.split('&').any(|kv| {
        let key = kv.split_once('=').map_or(kv, |(k, _)| k);
        matches!(key, "ref" | "version" | "timeout" | "submodules")
    });
    !(after_scheme.contains("//")
        || after_scheme.contains("_git/")
        || spec.repo_path.ends_with(".git")
        || git_query)
}

/// The `<transport>::` or `<scheme>://` prefix of `s`, if it has one.
pub(crate) fn transport_prefix(s: &str) -> Option<&str> {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))?;
    if end == 0 || !s.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let rest = &s[end..];
    (rest.starts_with("::") || rest.starts_with("://")).then(|| &s[..end])
}

/// The query parameters kustomize reads.
#[derive(Debug, PartialEq, Eq)]
struct Query {
    git_ref: String,
    timeout: Option<Duration>,
    submodules: bool,
}

/// kustomize's `parseQuery`: a query Go's `url.ParseQuery` rejects gives
/// the defaults; `ref` wins over `version`; bad timeouts and booleans are
/// ignored.
fn parse_query(query: &str) -> Query {
    let mut q = Query {
        git_ref: String::new(),
        timeout: None,
        submodules: true,
    };
    let Some(values) = go_parse_query(query) else {
        return q;
    };
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    q.git_ref = get("version").to_string();
    if !get("ref").is_empty() {
        q.git_ref = get("ref").to_string();
    }
    let timeout = get("timeout");
    if !timeout.is_empty() {
        q.timeout = match go_atoi(timeout) {
            Some(secs) if secs > 0 => Some(Duration::from_secs(secs.unsigned_abs())),
            _ => go_parse_duration(timeout).filter(|d| !d.is_zero()),
        };
    }
    let submodules = get("submodules");
    if let Some(b) = go_parse_bool(submodules) {
        q.submodules = b;
    }
    q
}

/// Go's `url.ParseQuery`: `None` where Go reports an error.
fn go_parse_query(query: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in query.split('&') {
        if part.is_empty() {
            continue;
        }
        if part.contains(';') {
            return None;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((query_unescape(k)?, query_unescape(v)?));
    }
    Some(out)
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte.
fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| (c as char).to_digit(16);
                let hi = hex(*b.get(i + 1)?)?;
                let lo = hex(*b.get(i + 2)?)?;
                // Two hex digits: at most 255.
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `strconv.Atoi` (decimal, optional sign).
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `time.ParseDuration`, for non-negative results (kustomize only
/// keeps positive durations): `1m1s`, `1.5h`, `300ms`...
fn go_parse_duration(s: &str) -> Option<Duration> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_end];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos_per_unit = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += value * nanos_per_unit;
    }
    // Go's durations are int64 nanoseconds.
    if total > i64::MAX as f64 {
        return None;
    }
    if negative {
        return (total == 0.0).then_some(Duration::ZERO);
    }
    Some(Duration::from_nanos(total as u64))
}

fn lower_starts_with(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    lower_starts_with(s, prefix).then(|| &s[prefix.len()..])
}

/// A leading `user@` (a letter, then letters, digits and dashes).
fn split_username(s: &str) -> Option<(&str, &str)> {
    let at = s.find('@')?;
    let user = &s[..at];
    let mut chars = user.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| (&s[..=at], &s[at + 1..]))
}

/// Splits scheme, user and host off `n`: kustomize's `extractHost`.
fn extract_host(n: &str) -> Result<(String, String), &'static str> {
    let n = strip_prefix_ignore_case(n, "git::").unwrap_or(n);
    let (scheme, n) = [SSH_SCHEME, HTTPS_SCHEME, HTTP_SCHEME, FILE_SCHEME]
        .iter()
        .find_map(|s| strip_prefix_ignore_case(n, s).map(|rest| (*s, rest)))
        .unwrap_or(("", n));
    let (username, n) = split_username(n).unwrap_or(("", n));
    let github = lower_starts_with(n, "github.com/") || lower_starts_with(n, "github.com:");
    let accept_scp = scheme.is_empty() && (!username.is_empty() || github);
    if scheme.is_empty() && !accept_scp {
        return Err("failed to parse scheme");
    }
    if scheme == FILE_SCHEME {
        // Everything after file:// is a path, a 'user@' included.
        return Ok((scheme.to_string(), format!("{username}{n}")));
    }
    let slash = n.find('/');
    let mut sep = slash;
    if accept_scp {
        let colon = n.find(':');
        let before_slash = match (colon, slash) {
            (Some(c), Some(s)) => c > 0 && c < s,
            _ => false,
        };
        if slash.is_none() || before_slash {
            sep = colon;
        }
    }
    let (host, rest) = match sep {
        Some(i) => (&n[..=i], &n[i + 1..]),
        None => (n, ""),
    };
    let (scheme, username, host) = if github {
        if scheme == SSH_SCHEME || !username.is_empty() {
            ("", username, "github.com:")
        } else {
            (HTTPS_SCHEME, "", "github.com/")
        }
    } else {
        (scheme, username, host)
    };
    if host.is_empty() {
        return Err("failed to parse host segment");
    }
    Ok((format!("{scheme}{username}{host}"), rest.to_string()))
}

/// Splits the repository from the kustomization path: kustomize's
/// `parsePathParts`. `default_segments` is `None` for "all segments".
// Err: kustomize's reason; RepoSpec::parse wraps it in a UrlError with the entry.
fn parse_path_parts(n: &str, default_segments: Option<usize>) -> Result<(String, String), String> {
    let split = explicit_marker_split(n).or_else(|| match default_segments {
        None => Some((n.to_string(), String::new())),
        Some(k) => {
            let segments: Vec<&str> = n.split('/').collect();
            (segments.len() >= k).then(|| (segments[..k].join("/"), segments[k..].join("/")))
        }
    });
    let Some((repo, path)) = split.filter(|(repo, _)| !repo.is_empty()) else {
        return Err("failed to parse repo path segment".into());
    };
    if path_exits_repo(&path) {
        return Err(format!("{EXITS_REPO}: {n}"));
    }
    let path = path.strip_prefix('/').map(str::to_string).unwrap_or(path);
    Ok((repo, path))
}

/// Splits at `_git/<repo>`, at `//`, or after `.git`, in that order.
fn explicit_marker_split(n: &str) -> Option<(String, String)> {
    if let Some(i) = n.find("_git/") {
        let after = &n[i + "_git/".len()..];
        let (repo, path) = after.split_once('/').unwrap_or((after, ""));
        return Some((
            format!("{}{repo}", &n[..i + "_git/".len()]),
            path.to_string(),
        ));
    }
    if let Some(i) = n.find("//") {
        return Some((n[..i].to_string(), n[i + 2..].to_string()));
    }
    if let Some(i) = n.find(".git") {
        let end = i + ".git".len();
        return Some((n[..end].to_string(), n[end..].to_string()));
    }
    None
}

/// Whether the cleaned path starts with `..` (Go's `filepath.Clean` after
/// dropping one leading `/`).
fn path_exits_repo(path: &str) -> bool {
    let p = path.strip_prefix('/').unwrap_or(path);
    let rooted = p.starts_with('/');
    let mut stack: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => match stack.last() {
                Some(&last) if last != ".." => {
                    stack.pop();
                }
                _ if rooted => {}
                _ => stack.push(".."),
            },
            s => stack.push(s),
        }
    }
    stack.first() == Some(&"..")
}

#[cfg(test)]
#[path = "url_tests.rs"]
mod tests;
