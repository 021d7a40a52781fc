//! Fixture tests, one test per case. Every directory under `tests/fixtures/`
//! is a case:
//!
//! - `input/`: the tree to build;
//! - `case.yaml`: what the case shows (`about`), whether it mirrors
//!   kustomize (`kustomize: same-output` when `kubectl kustomize` v5.5.0
//!   prints `expected.yaml` for the same input, `fails-too` when it refuses
//!   the input as well, `no` when the case is rustomize's own), and
//!   optionally `root` (the directory to build, relative to `input/`) and
//!   `args` (extra `rustomize build` arguments);
//! - `expected.yaml`: the exact stdout of a build that succeeds, or
//!   `expected.err.snap`: the whole stderr of a build that fails (an `insta`
//!   snapshot, paths redacted), with exit status 1 and nothing on stdout.
//!
//! Two tests run per case: `build` (rustomize against the expectation) and
//! `kustomize` (for a case that says it mirrors kustomize, `kubectl
//! kustomize` against the same expectation; skipped when kubectl with
//! kustomize v5.5.0 is missing, failed instead under
//! `RUSTOMIZE_REQUIRE_ORACLES=1`).
//!
//! The same harness runs the defect set of `tests/defects/` (see its
//! README): each `NN-*/broken.yaml` must fail `rustomize check -f` with an
//! error from the rule its `defect.yaml` names (the whole text output is an
//! insta snapshot beside it, `check.snap`), and `base.yaml` must have no
//! finding at all.
//!
//! `RUSTOMIZE_BLESS=1` rewrites `expected.yaml` from the current output;
//! `INSTA_UPDATE=always` (or `cargo insta review`) the error snapshots.
//! Review the diff before committing.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// A case's `case.yaml`.
#[derive(Debug)]
struct Case {
    about: String,
    kustomize: Mirrors,
    root: String,
    args: Vec<String>,
}

/// What `kubectl kustomize` does with the case's input.
#[derive(Debug, PartialEq, Eq)]
enum Mirrors {
    /// It prints `expected.yaml`.
    SameOutput,
    /// It refuses the input too.
    FailsToo,
    /// Not compared (the case is rustomize's own).
    No,
}

fn read_case(dir: &Path) -> Result<Case, String> {
    let path = dir.join("case.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc = rustomize_yaml::parse_one(&text).map_err(|e| format!("case.yaml: {e:?}"))?;
    let top = doc.as_map().ok_or("case.yaml: expected a mapping")?;
    let mut case = Case {
        about: String::new(),
        kustomize: Mirrors::No,
        root: ".".into(),
        args: Vec::new(),
    };
    for e in &top.entries {
        let scalar = || {
            e.value
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("case.yaml: {} must be a string", e.key.value))
        };
        match e.key.value.as_str() {
            "about" => case.about = scalar()?,
            "root" => case.root = scalar()?,
            "kustomize" => {
                case.kustomize = match scalar()?.as_str() {
                    "same-output" => Mirrors::SameOutput,
                    "fails-too" => Mirrors::FailsToo,
                    "no" => Mirrors::No,
                    other => return Err(format!("case.yaml: kustomize: unknown value {other:?}")),
                }
            }
            "args" => {
                let seq = e.value.as_seq().ok_or("case.yaml: args must be a list")?;
                case.args = seq
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or("case.yaml: args must be strings")?;
            }
            other => return Err(format!("case.yaml: unknown field {other:?}")),
        }
    }
    if case.about.is_empty() {
        return Err("case.yaml: `about` says what the case shows".into());
    }
    Ok(case)
}

fn build_with(program: &mut Command, dir: &Path, case: &Case) -> Output {
    program
        .arg(dir.join("input").join(&case.root))
        .args(&case.args)
        .current_dir(dir)
        .output()
        .expect("run a build")
}

/// rustomize against the case's expectation.
fn build(case_file: &Path) -> datatest_stable::Result<()> {
    let dir = case_file.parent().ok_or("case.yaml has a directory")?;
    let case = read_case(dir)?;
    let mut cmd = support::rustomize();
    cmd.arg("build");
    let out = build_with(&mut cmd, dir, &case);
    let stdout = support::stdout(&out);
    let stderr = support::stderr(&out);
    let want_yaml = dir.join("expected.yaml");
    if want_yaml.exists() {
        if !out.status.success() {
            return Err(format!("exit {:?}, stderr:\n{stderr}", out.status.code()).into());
        }
        let want = std::fs::read_to_string(&want_yaml)?;
        if stdout != want {
            if std::env::var_os("RUSTOMIZE_BLESS").is_some() {
                std::fs::write(&want_yaml, &stdout)?;
            } else {
                return Err(first_difference(&want, &stdout).into());
            }
        }
        return Ok(());
    }
    if !dir.join("expected.err.snap").exists() && !insta_may_write() {
        return Err("neither expected.yaml nor expected.err.snap".into());
    }
    if out.status.code() != Some(1) {
        return Err(format!("expected exit status 1, got {:?}", out.status.code()).into());
    }
    if !stdout.is_empty() {
        return Err(format!("an error must print nothing on stdout, got:\n{stdout}").into());
    }
    let redacted = support::redact(&stderr, &[(dir, "[CASE]")]);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(case.about.clone());
    settings.bind(|| insta::assert_snapshot!("expected.err", redacted));
    Ok(())
}

/// Whether insta is allowed to write new snapshots in this run.
fn insta_may_write() -> bool {
    std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always" || v == "new")
}

/// `kubectl kustomize` against the same expectation, for cases that say
/// they mirror kustomize.
fn kustomize(case_file: &Path) -> datatest_stable::Result<()> {
    let dir = case_file.parent().ok_or("case.yaml has a directory")?;
    let case = read_case(dir)?;
    let name = format!("fixture {}", dir.display());
    let has_yaml = dir.join("expected.yaml").exists();
    match (&case.kustomize, has_yaml) {
        (Mirrors::No, _) => return Ok(()),
        (Mirrors::SameOutput, false) => {
            return Err("kustomize: same-output needs an expected.yaml".into());
        }
        (Mirrors::FailsToo, true) => return Err("kustomize: fails-too needs an error case".into()),
        _ => {}
    }
    let Some(mut kubectl) = support::kubectl(&name) else {
        return Ok(());
    };
    kubectl.arg("kustomize");
    let out = build_with(&mut kubectl, dir, &case);
    match case.kustomize {
        Mirrors::SameOutput => {
            if !out.status.success() {
                return Err(format!("kubectl kustomize failed:\n{}", support::stderr(&out)).into());
            }
            let want = std::fs::read_to_string(dir.join("expected.yaml"))?;
            let got = support::stdout(&out);
            if got != want {
                return Err(format!(
                    "kubectl kustomize does not print expected.yaml: {}",
                    first_difference(&want, &got)
                )
                .into());
            }
        }
        Mirrors::FailsToo => {
            if out.status.success() {
                return Err(format!(
                    "kubectl kustomize accepts the input:\n{}",
                    support::stdout(&out)
                )
                .into());
            }
        }
        Mirrors::No => {}
    }
    Ok(())
}

/// One broken object of the defect set: caught by the rule it names.
fn defect(defect_file: &Path) -> datatest_stable::Result<()> {
    let dir = defect_file.parent().ok_or("defect.yaml has a directory")?;
    let meta = std::fs::read_to_string(defect_file)?;
    let rule = meta
        .lines()
        .find_map(|l| l.strip_prefix("rule: "))
        .ok_or("defect.yaml names no rule")?
        .trim();
    let json = support::run_in(dir, &["check", "--format", "json", "-f", "broken.yaml"]);
    if json.status.code() != Some(1) {
        return Err(format!("exit status {:?}, want 1", json.status.code()).into());
    }
    let v: serde_json::Value = serde_json::from_slice(&json.stdout)?;
    let findings = v["targets"][0]["findings"]
        .as_array()
        .ok_or("no findings array")?;
    let caught = findings
        .iter()
        .any(|f| f["rule"] == rule && f["severity"] == "error");
    if !caught {
        return Err(format!("no error from {rule}; findings: {findings:?}").into());
    }
    let text = support::run_in(dir, &["check", "-f", "broken.yaml"]);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("check", support::stdout(&text)));
    Ok(())
}

/// The objects the defects start from have no finding.
fn defects_base(base: &Path) -> datatest_stable::Result<()> {
    let dir = base.parent().ok_or("base.yaml has a directory")?;
    let out = support::run_in(dir, &["check", "-f", "base.yaml"]);
    let text = support::stdout(&out);
    if out.status.code() != Some(0)
        || text != "base.yaml: no findings in 10 objects (Kubernetes 1.37)\n"
    {
        return Err(format!("exit status {:?}:\n{text}", out.status.code()).into());
    }
    Ok(())
}

fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    format!(
        "output differs at line {}:\n  expected: {:?}\n  actual:   {:?}",
        i + 1,
        w.get(i).unwrap_or(&"<end>"),
        g.get(i).unwrap_or(&"<end>")
    )
}

datatest_stable::harness! {
    { test = build, root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"), pattern = r"^[^/]+/case\.yaml$" },
    { test = kustomize, root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"), pattern = r"^[^/]+/case\.yaml$" },
    { test = defect, root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/defects"), pattern = r"^[^/]+/defect\.yaml$" },
    { test = defects_base, root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/defects"), pattern = r"^base\.yaml$" },
}
