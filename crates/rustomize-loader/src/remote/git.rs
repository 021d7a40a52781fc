//! Driving the `git` program: every call is a `Command` with arguments
//! (never a shell), with a deadline after which the process is killed.
//!
//! User text (URLs, refs) only ever follows `--`, and has been checked not
//! to start with `-` ([`super::url::RepoSpec::validate`]). Every call runs
//! with `protocol.ext.allow=never`, so no configuration or submodule can
//! make git run commands through the `ext::` transport.

use crate::error::GitError;
use rustomize_process::{Input, Limits, RunError};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Settings git gets on every call: no `ext::` transport, no automatic
/// housekeeping in throw-away repositories, no advice on stderr.
const FIXED_CONFIG: &[&str] = &[
    "protocol.ext.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
    "advice.detachedHead=false",
    "init.defaultBranch=main",
];

/// Variables that point git at a repository: set when rustomize runs from
/// a git hook, they would make the calls below act on the user's
/// repository instead of the fetch directory.
const REPOSITORY_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
];

/// Runs the git program.
#[derive(Clone, Debug)]
pub(crate) struct Git {
    program: PathBuf,
    env: Vec<(OsString, OsString)>,
}

/// A ref the remote advertises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RemoteRef {
    /// The object it points to (for annotated tags, the tag object).
    pub oid: String,
    /// Full name, e.g. `refs/heads/main` or `HEAD`; peeled tags end in `^{}`.
    pub name: String,
}

impl Git {
    /// A runner for `program`, with `env` added to each command's
    /// environment (the rest is inherited, so users' git settings apply).
    pub(crate) fn new(program: PathBuf, env: Vec<(OsString, OsString)>) -> Self {
        Git { program, env }
    }

    /// Runs git with `args` in `dir`; returns its standard output, or an
    /// error that shows the command, its exit status and standard error.
    /// At the deadline git is killed with everything it started (the ssh
    /// of an ssh URL too).
    pub(crate) fn run(
        &self,
        dir: &Path,
        args: &[&OsStr],
        timeout: Duration,
    ) -> Result<String, GitError> {
        let shown = || {
            let words: Vec<String> = args.iter().map(|a| a.to_string_lossy().into()).collect();
            format!("git {}", words.join(" "))
        };
        let mut cmd = Command::new(&self.program);
        for c in FIXED_CONFIG {
            cmd.arg("-c").arg(c);
        }
        for var in REPOSITORY_ENV {
            cmd.env_remove(var);
        }
        // git runs in its own process group (so that at the deadline its
        // ssh dies with it), where it cannot read the terminal: a password
        // prompt would stop it until the deadline. Without prompts git
        // fails at once ("terminal prompts disabled"); credential helpers
        // and ssh agents work as before. A value the caller sets wins.
        if std::env::var_os("GIT_TERMINAL_PROMPT").is_none() {
            cmd.env("GIT_TERMINAL_PROMPT", "0");
        }
        cmd.args(args)
            .current_dir(dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let limits = Limits {
            timeout: Some(timeout),
            ..Limits::default()
        };
        match rustomize_process::run(cmd, Input::None, &limits) {
            Ok(done) if done.status.success() => {
                Ok(String::from_utf8_lossy(&done.stdout).into_owned())
            }
            Ok(done) => Err(GitError::Failed {
                command: shown(),
                status: done.status.to_string(),
                stderr: String::from_utf8_lossy(&done.stderr).trim_end().to_string(),
            }),
            Err(RunError::NotFound) => Err(GitError::NotInstalled {
                program: self.program.clone(),
            }),
            Err(RunError::TimedOut { .. }) => Err(GitError::TimedOut {
                command: shown(),
                timeout,
            }),
            Err(e) => Err(GitError::Io {
                command: shown(),
                error: e.to_string(),
            }),
        }
    }

    /// `git ls-remote -- <url> <ref> <ref>^{}`: the refs whose names end
    /// with `git_ref`, and the peeled commits of annotated tags.
    pub(crate) fn ls_remote(
        &self,
        dir: &Path,
        url: &str,
        git_ref: &str,
        timeout: Duration,
    ) -> Result<Vec<RemoteRef>, GitError> {
        let peeled = format!("{git_ref}^{{}}");
        let args: [&OsStr; 5] = [
            "ls-remote".as_ref(),
            "--".as_ref(),
            url.as_ref(),
            git_ref.as_ref(),
            peeled.as_ref(),
        ];
        Ok(parse_ls_remote(&self.run(dir, &args, timeout)?))
    }

    /// `git ls-remote --tags --refs -- <url>`: the remote's tags (not
    /// peeled).
    pub(crate) fn ls_remote_tags(
        &self,
        dir: &Path,
        url: &str,
        timeout: Duration,
    ) -> Result<Vec<RemoteRef>, GitError> {
        let args: [&OsStr; 5] = [
            "ls-remote".as_ref(),
            "--tags".as_ref(),
            "--refs".as_ref(),
            "--".as_ref(),
            url.as_ref(),
        ];
        Ok(parse_ls_remote(&self.run(dir, &args, timeout)?))
    }

    /// Fetches one ref of `url` into the empty directory `dir` and checks
    /// it out, as kustomize does: `init`, `remote add origin` (for relative
    /// submodule URLs), `fetch --depth=1`, `checkout FETCH_HEAD`, and
    /// `submodule update --init --recursive` unless disabled. Returns the
    /// commit checked out.
    pub(crate) fn fetch_into(
        &self,
        dir: &Path,
        url: &str,
        git_ref: &str,
        submodules: bool,
        timeout: Duration,
    ) -> Result<String, GitError> {
        let os = |s: &'static str| -> &'static OsStr { s.as_ref() };
        self.run(dir, &[os("init"), os("-q")], timeout)?;
        self.run(
            dir,
            &[
                os("remote"),
                os("add"),
                os("--"),
                os("origin"),
                url.as_ref(),
            ],
            timeout,
        )?;
        self.run(
            dir,
            &[
                os("fetch"),
                os("-q"),
                os("--depth=1"),
                os("--"),
                url.as_ref(),
                git_ref.as_ref(),
            ],
            timeout,
        )?;
        self.run(dir, &[os("checkout"), os("-q"), os("FETCH_HEAD")], timeout)?;
        if submodules {
            self.run(
                dir,
                &[
                    os("submodule"),
                    os("update"),
                    os("--init"),
                    os("--recursive"),
                ],
                timeout,
            )?;
        }
        let head = self.run(dir, &[os("rev-parse"), os("HEAD")], timeout)?;
        let head = head.trim();
        if !is_full_oid(head) {
            return Err(GitError::NotACommit(head.to_string()));
        }
        Ok(head.to_string())
    }
}

/// Whether `s` is a full SHA-1 or SHA-256 object id in lower-case hex.
pub(crate) fn is_full_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The lines of `git ls-remote` output: `<oid> TAB <name>`.
fn parse_ls_remote(out: &str) -> Vec<RemoteRef> {
    out.lines()
        .filter_map(|line| {
            let (oid, name) = line.split_once('\t')?;
            Some(RemoteRef {
                oid: oid.trim().to_string(),
                name: name.trim().to_string(),
            })
        })
        .collect()
}
