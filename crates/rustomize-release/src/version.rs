//! What a version string is: a release (`v1.2.3`, `1.4`), a build of a
//! commit (`sha-3f2a1bc`), a moving name (`edge`, `main`), or a digest.

/// Whether `s` names a release: an optional `v`, then digits and dots
/// (at least one digit), then an optional `-pre.release` or `+build`
/// suffix. `v1.2.3`, `1.4`, `v2`, `v1.0.0-rc.1` are releases; `edge`,
/// `sha-3f2a1bc`, `main` are not.
pub fn is_release(s: &str) -> bool {
    let core = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let core = core.split(['-', '+']).next().unwrap_or("");
    !core.is_empty()
        && core.starts_with(|c: char| c.is_ascii_digit())
        && core.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !core.ends_with('.')
        && !core.contains("..")
}

/// Whether two releases are the same one (`v1.2.3` and `1.2.3` are).
pub fn same_release(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.strip_prefix(['v', 'V']).unwrap_or(s).to_string();
    a == b || (is_release(a) && is_release(b) && norm(a) == norm(b))
}

/// Whether `s` is a digest (`sha256:` and hex).
pub fn is_digest(s: &str) -> bool {
    matches!(
        s.split_once(':'),
        Some((algo, hex)) if !algo.is_empty()
            && algo.bytes().all(|b| b.is_ascii_alphanumeric())
            && hex.len() >= 32
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    )
}

/// Whether `s` names a build of one commit rather than a release:
/// `sha-3f2a1bc`, or a bare hex commit id of 7 characters or more.
pub fn is_commit_build(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let hex = lower.strip_prefix("sha-").unwrap_or(&lower);
    hex.len() >= 7 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && !is_release(s)
}

/// Git branch names a remote base may track; a ref that is none of these
/// and is not a release is still a branch when the remote says so.
pub const BRANCH_NAMES: &[&str] = &["main", "master", "develop", "trunk", "HEAD"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_versions() {
        let releases = [
            "v1.2.3",
            "1.4",
            "v2",
            "v1.0.0-rc.1",
            "V0.1.0",
            "1.2.3+build.5",
        ];
        let not = [
            "edge",
            "sha-3f2a1bc",
            "main",
            "",
            "v",
            "v1..2",
            "1.",
            "latest",
            "vX",
        ];
        let bad: Vec<&str> = releases
            .iter()
            .filter(|s| !is_release(s))
            .chain(not.iter().filter(|s| is_release(s)))
            .copied()
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
        assert!(same_release("v1.2.3", "1.2.3"));
        assert!(!same_release("v1.2.3", "v1.2.4"));
        assert!(same_release("edge", "edge"));
        assert!(is_commit_build("sha-3f2a1bc"));
        assert!(is_commit_build("3f2a1bcd"));
        assert!(!is_commit_build("v1.2.3"));
        assert!(is_digest(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_digest("sha256:zz"));
    }
}
