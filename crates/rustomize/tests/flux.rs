//! `rustomize build --flux` and `check --flux`, run as a user runs them.
//!
//! The real-world test renders Flux Kustomizations (tests/flux/realworld)
//! over fluxcd/flux2-kustomize-helm-example from ../shared/realworld and
//! compares the bytes with fluxcd/pkg's (the Go oracle in tools/flux-oracle,
//! built when Go is present; see crates/rustomize-flux/tests/support). It is
//! skipped with a message when ../shared or Go is absent (Go is required
//! under RUSTOMIZE_REQUIRE_ORACLES=1). The other tests need only git.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

#[path = "../../rustomize-flux/tests/support/oracle.rs"]
mod oracle;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rustomize"))
}

fn run(args: &[&str], cwd: &Path) -> Output {
    bin()
        .args(args)
        .current_dir(cwd)
        .env("RUSTOMIZE_CACHE_DIR", cwd.join(".cache-not-used"))
        .output()
        .expect("rustomize runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            if e.file_name() == ".git" {
                continue;
            }
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).expect("read")));
            }
        }
    }
    out.sort();
    out
}

fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), files);
    let ok = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git init");
    dir
}

const APP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  env: ${ENV}\n  region: ${REGION:=eu}\n  literal: $${ENV}\n";

const KS: &str = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 5m\n  sourceRef: {kind: GitRepository, name: repo}\n  path: ./apps\n  targetNamespace: prod\n  postBuild:\n    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n";

const VARS: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  ENV: production\n";

#[test]
fn builds_from_the_git_top_level_without_writing_the_tree() {
    let repo = git_repo(&[
        ("apps/app.yaml", APP),
        ("clusters/prod/apps.yaml", KS),
        ("clusters/prod/vars.yaml", VARS),
    ]);
    let before = snapshot(repo.path());
    let out = run(&["build", "--flux", "clusters/prod/apps.yaml"], repo.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "apiVersion: v1\ndata:\n  env: production\n  literal: ${ENV}\n  region: eu\nkind: ConfigMap\nmetadata:\n  labels:\n    kustomize.toolkit.fluxcd.io/name: apps\n    kustomize.toolkit.fluxcd.io/namespace: flux-system\n  name: app\n  namespace: prod\n---\n"
    );
    assert!(
        stderr(&out).contains("clusters/prod/vars.yaml"),
        "the note says where values came from: {}",
        stderr(&out)
    );
    assert_eq!(snapshot(repo.path()), before, "the tree is unchanged");
}

#[test]
fn var_and_substitute_from_override_the_tree() {
    let repo = git_repo(&[("apps/app.yaml", APP), ("clusters/prod/apps.yaml", KS)]);
    write(
        repo.path(),
        &[(
            "elsewhere/vars.yaml",
            &VARS.replace("production", "from-file"),
        )],
    );
    let out = run(
        &[
            "build",
            "--flux",
            "clusters/prod/apps.yaml",
            "--substitute-from",
            "elsewhere/vars.yaml",
            "--var",
            "REGION=us",
        ],
        repo.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("env: from-file\n"), "{text}");
    assert!(text.contains("region: us\n"), "{text}");
}

#[test]
fn strict_mode_fails_on_a_missing_variable_and_prints_nothing() {
    let repo = git_repo(&[
        ("apps/app.yaml", APP),
        (
            "ks.yaml",
            &KS.replace(
                "    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n",
                "    substitute: {REGION: eu}\n",
            ),
        ),
    ]);
    let out = run(&["build", "--flux", "ks.yaml"], repo.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("ks.yaml") && err.contains("ConfigMap/app") && err.contains("\"ENV\""),
        "{err}"
    );
    let lax = run(
        &["build", "--flux", "ks.yaml", "--strict-substitute", "false"],
        repo.path(),
    );
    assert!(lax.status.success(), "{}", stderr(&lax));
    assert!(stdout(&lax).contains("env: null\n"), "{}", stdout(&lax));
}

#[test]
fn a_missing_substitute_from_object_is_an_error() {
    let repo = git_repo(&[("apps/app.yaml", APP), ("ks.yaml", KS)]);
    let out = run(&["build", "--flux", "ks.yaml"], repo.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("ConfigMap/cluster-vars") && err.contains("--substitute-from"),
        "{err}"
    );
}

#[test]
fn usage_errors() {
    let repo = git_repo(&[("apps/app.yaml", APP), ("ks.yaml", KS)]);
    let bad_var = run(
        &["build", "--flux", "ks.yaml", "--var", "NOEQUALS"],
        repo.path(),
    );
    assert_eq!(bad_var.status.code(), Some(1));
    assert!(
        stderr(&bad_var).contains("NAME=VALUE"),
        "{}",
        stderr(&bad_var)
    );
    let both = run(&["build", "apps", "--flux", "ks.yaml"], repo.path());
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    let orphan = run(&["build", "--var", "A=b"], repo.path());
    assert_eq!(orphan.status.code(), Some(2), "{}", stderr(&orphan));

    let plain = tempfile::tempdir().expect("tempdir");
    write(plain.path(), &[("apps/app.yaml", APP), ("ks.yaml", KS)]);
    let no_git = run(&["build", "--flux", "ks.yaml"], plain.path());
    assert_eq!(no_git.status.code(), Some(1));
    assert!(
        stderr(&no_git).contains("--flux-root"),
        "{}",
        stderr(&no_git)
    );
    let rooted = run(
        &[
            "build",
            "--flux",
            "ks.yaml",
            "--flux-root",
            ".",
            "--var",
            "ENV=x",
        ],
        plain.path(),
    );
    assert_eq!(
        rooted.status.code(),
        Some(1),
        "cluster-vars is still missing"
    );
}

#[test]
fn writes_to_a_file_and_checks() {
    let repo = git_repo(&[("apps/app.yaml", APP), ("ks.yaml", KS), ("vars.yaml", VARS)]);
    let out = run(
        &["build", "--flux", "ks.yaml", "-o", "rendered.yaml"],
        repo.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(repo.path().join("rendered.yaml")).expect("written");
    assert!(written.contains("env: production"), "{written}");

    let check = run(
        &["check", "--flux", "ks.yaml", "--format", "json"],
        repo.path(),
    );
    assert!(
        matches!(check.status.code(), Some(0 | 1)),
        "check ran: {}",
        stderr(&check)
    );
    assert!(
        stdout(&check).contains("ks.yaml (Flux)"),
        "{}",
        stdout(&check)
    );
    let failing = run(&["check", "--flux", "missing.yaml"], repo.path());
    assert_eq!(failing.status.code(), Some(2));
}

fn shared_tree() -> Option<PathBuf> {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realworld/trees/flux2-kustomize-helm-example");
    if tree.is_dir() {
        tree.canonicalize().ok()
    } else {
        eprintln!(
            "skipping: {} is absent (../shared/realworld)",
            tree.display()
        );
        None
    }
}

#[test]
fn realworld_flux_trees_match_fluxcd_pkg() {
    let Some(tree) = shared_tree() else {
        return;
    };
    let Some(oracle_bin) = oracle::binary() else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flux/realworld");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/flux/realworld")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let cases: Vec<oracle::Case> = files
        .iter()
        .map(|f| oracle::Case {
            root: tree.clone(),
            kustomization: f.clone(),
            strict: true,
            ..Default::default()
        })
        .collect();
    let expected = oracle::run(&oracle_bin, &cases);
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut rendered = 0;
    for (file, want) in files.iter().zip(&expected) {
        let out = run(
            &[
                "build",
                "--flux",
                &file.to_string_lossy(),
                "--flux-root",
                &tree.to_string_lossy(),
            ],
            scratch.path(),
        );
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        match want {
            Ok(w) if out.status.success() && stdout(&out) == *w => rendered += 1,
            Err(_) if !out.status.success() && out.stdout.is_empty() => {}
            Ok(w) => failures.push(format!(
                "{name}: flux printed {} bytes; rustomize (status {:?}):\n{}\n{}",
                w.len(),
                out.status.code(),
                first_difference(w, &stdout(&out)),
                stderr(&out)
            )),
            Err(e) => failures.push(format!(
                "{name}: flux failed ({e}) but rustomize printed:\n{}",
                stdout(&out)
            )),
        }
    }
    eprintln!(
        "{} Flux Kustomizations over flux2-kustomize-helm-example: {rendered} rendered alike, {} fail in both, {} differ",
        files.len(),
        files.len() - rendered - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // whole-repository.yaml fails in Flux too (its comment says why).
    assert_eq!(rendered, files.len() - 1, "all but one render");
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (a, b)) in want.lines().zip(got.lines()).enumerate() {
        if a != b {
            return format!("line {}: flux {a:?}, rustomize {b:?}", i + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines)",
        want.lines().count(),
        got.lines().count()
    )
}

fn git(dir: &Path, args: &[&str]) {
    support::git_in(dir, "main", args);
}

#[test]
fn remote_bases_are_fetched_and_substituted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = tmp.path().join("app");
    write(
        &app,
        &[
            ("base/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("base/cm.yaml", APP),
        ],
    );
    git(&app, &["init", "-q"]);
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-qm", "v1"]);
    git(&app, &["tag", "v1"]);
    let infra = tmp.path().join("infra");
    write(
        &infra,
        &[
            (
                "apps/kustomization.yaml",
                "resources:\n- github.com/org/app//base?ref=v1\n",
            ),
            (
                "ks.yaml",
                &KS.replace(
                    "    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n",
                    "    substitute: {ENV: remote}\n",
                ),
            ),
        ],
    );
    git(&infra, &["init", "-q"]);
    let out = bin()
        .args(["build", "--flux", "ks.yaml"])
        .current_dir(&infra)
        .env("GIT_CONFIG_COUNT", "1")
        .env(
            "GIT_CONFIG_KEY_0",
            format!("url.file://{}.insteadOf", app.display()),
        )
        .env("GIT_CONFIG_VALUE_0", "https://github.com/org/app")
        .env("RUSTOMIZE_CACHE_DIR", tmp.path().join("cache"))
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .output()
        .expect("rustomize runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("env: remote\n") && text.contains("namespace: prod\n"),
        "{text}"
    );
}
