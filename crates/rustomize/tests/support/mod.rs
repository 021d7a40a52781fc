//! What the binary's integration tests share: running `rustomize`, temporary
//! trees, redacting paths from output, reporting every failing row of a
//! table, and finding the oracles (`kubectl` with kustomize v5.5.0, `git`).
//!
//! Oracle tests ask [`kubectl`] or [`git`] for their program. When it is
//! missing (or, for kubectl, embeds another kustomize), they skip with a
//! message on stderr; with `RUSTOMIZE_REQUIRE_ORACLES=1` (CI sets it) they
//! fail instead, so a CI run can never pass by skipping.

// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The kustomize version rustomize is compatible with, and the one
/// `kubectl version --client` must report.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// The environment variable that turns a missing oracle into a failure.
pub const REQUIRE_ORACLES: &str = "RUSTOMIZE_REQUIRE_ORACLES";

/// The rustomize binary under test.
pub fn rustomize() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rustomize"))
}

/// Runs rustomize with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    rustomize()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run rustomize")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary directory tree, removed when dropped.
pub struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    /// Its root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `rel`, creating directories.
    pub fn write(&self, rel: &str, text: &str) -> &Tree {
        write(self.path(), rel, text);
        self
    }

    /// Copies a directory of the repository (relative to the workspace
    /// root, e.g. `examples/dojo`) to `rel`.
    pub fn copy_from_workspace(&self, from: &str, rel: &str) -> &Tree {
        copy_tree(&workspace().join(from), &self.path().join(rel));
        self
    }

    /// Replaces `from` with `to` in the file `rel`; panics when `from` is
    /// not there, so a test never edits nothing.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Tree {
        let p = self.path().join(rel);
        let text = std::fs::read_to_string(&p).expect("read a tree file");
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(&p, text.replacen(from, to, 1)).expect("write a tree file");
        self
    }

    /// Text with this tree's path (and its canonical form) replaced by
    /// `[TREE]`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, &[(self.path(), "[TREE]")])
    }
}

/// Writes `text` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("a file has a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Replaces each path (as given and canonicalized) with its placeholder,
/// longest first so a path inside another is not half replaced.
pub fn redact(text: &str, paths: &[(&Path, &str)]) -> String {
    let mut pairs: Vec<(String, &str)> = Vec::new();
    for (p, name) in paths {
        pairs.push((p.display().to_string(), name));
        if let Ok(c) = p.canonicalize() {
            pairs.push((c.display().to_string(), name));
        }
    }
    pairs.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let mut out = text.to_string();
    for (p, name) in pairs {
        if !p.is_empty() {
            out = out.replace(&p, name);
        }
    }
    out
}

/// Runs `check` on every row and fails once, listing every row that
/// failed (not only the first). `check` returns `Err(why)` for a bad row.
pub fn table<T: std::fmt::Debug>(rows: &[T], check: impl Fn(&T) -> Result<(), String>) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| check(row).err().map(|why| format!("  {row:?}: {why}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Asserts a snapshot for each (name, value) and fails once, naming every
/// snapshot that differs (insta writes each one's `.snap.new`), instead of
/// stopping at the first.
#[macro_export]
macro_rules! assert_snapshots {
    ($items:expr) => {{
        let mut failed = Vec::new();
        for (name, value) in $items {
            let name: String = name;
            let value: String = value;
            let mut settings = insta::Settings::clone_current();
            settings.set_omit_expression(true);
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(name.clone(), value));
            }))
            .is_ok();
            if !ok {
                failed.push(name);
            }
        }
        assert!(failed.is_empty(), "snapshots differ: {}", failed.join(", "));
    }};
}

/// Whether oracles are required (`RUSTOMIZE_REQUIRE_ORACLES=1`).
pub fn oracles_required() -> bool {
    std::env::var(REQUIRE_ORACLES).is_ok_and(|v| v == "1")
}

/// Reports an oracle that cannot be used: a failure when oracles are
/// required, else a skip message on stderr. Returns `None` for the caller
/// to return with.
fn missing<T>(test: &str, why: &str) -> Option<T> {
    if oracles_required() {
        panic!("{test}: {why} ({REQUIRE_ORACLES}=1, so this fails instead of skipping)");
    }
    eprintln!("{test}: skipped: {why}");
    None
}

/// `kubectl`, when it is installed and embeds kustomize
/// [`KUSTOMIZE_VERSION`]; else skips (or fails, when required) for `test`.
pub fn kubectl(test: &str) -> Option<Command> {
    let out = match Command::new("kubectl")
        .args(["version", "--client"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return missing(
                test,
                &format!("`kubectl version --client` failed: {}", stderr(&o).trim()),
            );
        }
        Err(e) => return missing(test, &format!("kubectl is not installed ({e})")),
    };
    let text = stdout(&out);
    match kustomize_version(&text) {
        Some(v) if v == KUSTOMIZE_VERSION => Some(Command::new("kubectl")),
        Some(v) => missing(
            test,
            &format!("kubectl embeds kustomize {v}, not {KUSTOMIZE_VERSION}"),
        ),
        None => missing(
            test,
            &format!("`kubectl version --client` names no kustomize version:\n{text}"),
        ),
    }
}

/// The `Kustomize Version: vX.Y.Z` line of `kubectl version --client`.
pub fn kustomize_version(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Kustomize Version:"))
        .map(str::trim)
}

/// `git`, when it is installed; else skips (or fails, when required).
pub fn git(test: &str) -> Option<Command> {
    match Command::new("git").arg("--version").output() {
        Ok(o) if o.status.success() => Some(Command::new("git")),
        Ok(o) => missing(
            test,
            &format!("`git --version` failed: {}", stderr(&o).trim()),
        ),
        Err(e) => missing(test, &format!("git is not installed ({e})")),
    }
}

/// Runs `git ARGS` in `dir` as a test author (user `t`), with
/// `init.defaultBranch` set to `default_branch` and no global or system
/// configuration read; panics with git's stderr when it fails. Its stdout.
pub fn git_in(dir: &Path, default_branch: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .arg("-c")
        .arg(format!("init.defaultBranch={default_branch}"))
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_CONFIG_COUNT")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// A git configuration of its own for one test: `GIT_CONFIG_GLOBAL` points
/// at a file in a temporary directory (the user's configuration is never
/// read or touched), and `GIT_CONFIG_NOSYSTEM` turns off the system one.
pub struct GitConfig {
    dir: tempfile::TempDir,
}

impl GitConfig {
    /// An empty configuration.
    pub fn new() -> GitConfig {
        let c = GitConfig {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::write(c.file(), "").expect("write git config");
        c
    }

    /// The configuration file.
    pub fn file(&self) -> PathBuf {
        self.dir.path().join("gitconfig")
    }

    /// Sends `https://github.com/<prefix>...` to a local repository.
    pub fn redirect(&self, prefix: &str, local: &Path) -> &GitConfig {
        let out = Command::new("git")
            .arg("config")
            .arg("--file")
            .arg(self.file())
            .arg(format!("url.file://{}.insteadOf", local.display()))
            .arg(format!("https://github.com/{prefix}"))
            .output()
            .expect("run git config");
        assert!(out.status.success(), "git config: {}", stderr(&out));
        self
    }

    /// Applies this configuration to a command.
    pub fn apply<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("GIT_CONFIG_GLOBAL", self.file())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_CONFIG_COUNT")
    }
}

/// Writes, at `path`, the git configuration of a scenario test: a committer,
/// `default_branch` for new repositories, `https://github.com/org/app`
/// sent to the local repository `app`, the `file` protocol allowed, and no
/// detached-head advice.
pub fn write_scenario_git_config(path: &Path, default_branch: &str, app: &Path) {
    std::fs::write(
        path,
        format!(
            "[user]\n\tname = t\n\temail = t@example.com\n[init]\n\tdefaultBranch = {default_branch}\n\
             [url \"file://{}\"]\n\tinsteadOf = https://github.com/org/app\n\
             [protocol \"file\"]\n\tallow = always\n[advice]\n\tdetachedHead = false\n",
            app.display()
        ),
    )
    .expect("write the git config");
}

/// The real kustomize binary (`$KUSTOMIZE_BIN`, else `kustomize` beside
/// Go's other installed programs, else on `PATH`), when it is v5.5.0: its
/// `version` says so, or, for a `go install` build (which says `(devel)`),
/// `go version -m` names the module version. Else skips (or fails, when
/// required) for `test`.
pub fn real_kustomize(test: &str) -> Option<PathBuf> {
    let gopath = Command::new("go")
        .args(["env", "GOPATH"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(stdout(&o).trim()).join("bin/kustomize"));
    let candidates = std::env::var_os("KUSTOMIZE_BIN")
        .map(PathBuf::from)
        .into_iter()
        .chain(gopath)
        .chain([PathBuf::from("/root/go/bin/kustomize")]);
    let Some(bin) = candidates.into_iter().find(|p| p.is_file()) else {
        return missing(
            test,
            "the real kustomize binary is absent (set KUSTOMIZE_BIN, or `go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0`)",
        );
    };
    let says = Command::new(&bin)
        .arg("version")
        .output()
        .map(|o| stdout(&o))
        .unwrap_or_default();
    if says.contains(KUSTOMIZE_VERSION) {
        return Some(bin);
    }
    let module = Command::new("go")
        .arg("version")
        .arg("-m")
        .arg(&bin)
        .output()
        .map(|o| stdout(&o))
        .unwrap_or_default();
    let version = module.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        (f.next() == Some("mod") && f.next() == Some("sigs.k8s.io/kustomize/kustomize/v5"))
            .then(|| f.next().map(str::to_string))
            .flatten()
    });
    match version {
        Some(v) if v == KUSTOMIZE_VERSION => Some(bin),
        Some(v) => missing(
            test,
            &format!(
                "{} is kustomize {v}, not {KUSTOMIZE_VERSION}",
                bin.display()
            ),
        ),
        None => missing(
            test,
            &format!(
                "cannot tell the version of {} (it says {:?})",
                bin.display(),
                says.trim()
            ),
        ),
    }
}

/// A small deterministic random number generator (xorshift) for
/// generated test inputs.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// True `pct` times in a hundred.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

/// The comment lines of a YAML text, trimmed.
pub fn comment_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect()
}
