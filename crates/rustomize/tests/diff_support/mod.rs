//! Helpers of the `rustomize diff` tests: running the binary, temporary
//! Git repositories with fixed dates (so commit ids are the same on every
//! run) and a config of their own, redaction of paths and commit ids.

#![allow(dead_code)]

// The helpers every integration test shares.
#[path = "../support/mod.rs"]
mod support;

// diff_git uses it; diff does not.
#[allow(unused_imports)]
pub use support::{copy_tree, write_scenario_git_config};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// An environment for runs: the working directory and variables.
pub struct Env {
    pub cwd: PathBuf,
    pub vars: Vec<(String, String)>,
}

impl Env {
    /// Runs `rustomize ARGS`, stdin from `stdin` when given.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rustomize"));
        cmd.args(args)
            .current_dir(&self.cwd)
            .env_remove("NO_COLOR")
            // Never let a build reach the network.
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd.stdin(if stdin.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run rustomize");
        if let Some(text) = stdin {
            use std::io::Write as _;
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        }
    }
}

/// Whether git is installed; when it is not, says so on stderr, and fails
/// when RUSTOMIZE_REQUIRE_ORACLES=1 (see [`support::git`]).
pub fn have_git() -> bool {
    support::git("diff").is_some()
}

/// Runs git in `dir` with the test's global config and fixed dates.
pub fn git(dir: &Path, global_config: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", global_config)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The examples directory of the repository.
pub fn examples() -> PathBuf {
    support::workspace().join("examples")
}

/// Every path below `dir` with its size and modification time.
pub fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let e = e.expect("entry");
            let m = std::fs::symlink_metadata(e.path()).expect("metadata");
            if m.is_dir() {
                stack.push(e.path());
            }
            out.insert(e.path(), (m.len(), m.modified().expect("mtime")));
        }
    }
    out
}

/// `text` with `root` replaced by `[TMP]` and every run of 12 or more
/// hexadecimal digits (commit ids) by `[COMMIT]`.
pub fn redact(text: &str, root: &Path) -> String {
    let text = text.replace(&root.display().to_string(), "[TMP]");
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        let end_ok = chars
            .get(i + run)
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if run >= 12 && boundary && end_ok && chars[i..i + run].iter().any(|c| c.is_ascii_digit()) {
            out.push_str("[COMMIT]");
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Checks every `(name, text)` against its insta snapshot and reports all
/// the names that differ, not only the first.
pub fn snapshots(cases: &[(String, String)]) {
    let mut failed = Vec::new();
    for (name, text) in cases {
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({prepend_module_to_snapshot => false, omit_expression => true, snapshot_path => "../snapshots/diff"}, {
                insta::assert_snapshot!(name.as_str(), text);
            });
        });
        if result.is_err() {
            failed.push(name.clone());
        }
    }
    assert!(failed.is_empty(), "snapshots differ: {failed:?}");
}
