//! Fixture tests: every directory under `tests/fixtures/` holds a tree in
//! `input/`, and either `expected.yaml` (the exact stdout) or `expected.err`
//! (lines that must all appear in stderr, with a non-zero exit). An optional
//! `args` file gives extra arguments, one per line, and `root` the directory
//! to build relative to `input/`. Expected outputs were produced by
//! `kubectl kustomize` (kustomize v5.5.0) unless the case's README says
//! otherwise.
//!
//! Set `RUSTOMIZE_BLESS=1` to rewrite `expected.yaml` from the current
//! output (review the diff before committing).

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Outcome {
    name: String,
    problem: Option<String>,
}

fn run_case(dir: &Path) -> Outcome {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let root = read("root")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| ".".into());
    let extra: Vec<String> = read("args")
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let out = Command::new(env!("CARGO_BIN_EXE_rustomize"))
        .arg("build")
        .arg(dir.join("input").join(&root))
        .args(&extra)
        .current_dir(dir)
        .output()
        .expect("run rustomize");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let problem = if let Some(want) = read("expected.yaml") {
        if !out.status.success() {
            Some(format!("exit {:?}, stderr:\n{stderr}", out.status.code()))
        } else if stdout != want {
            if std::env::var_os("RUSTOMIZE_BLESS").is_some() {
                std::fs::write(dir.join("expected.yaml"), &stdout).expect("bless");
                None
            } else {
                Some(first_difference(&want, &stdout))
            }
        } else {
            None
        }
    } else if let Some(want) = read("expected.err") {
        if out.status.success() {
            Some(format!("expected an error, got success:\n{stdout}"))
        } else if !stdout.is_empty() {
            Some(format!(
                "an error must print nothing on stdout, got:\n{stdout}"
            ))
        } else {
            want.lines()
                .filter(|l| !l.trim().is_empty())
                .find(|l| !stderr.contains(l.trim()))
                .map(|l| format!("stderr lacks {l:?}; stderr was:\n{stderr}"))
        }
    } else {
        Some("neither expected.yaml nor expected.err".into())
    };
    Outcome { name, problem }
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

#[test]
fn fixtures() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input").is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures found");
    let failures: Vec<String> = dirs
        .iter()
        .map(|d| run_case(d))
        .filter_map(|o| o.problem.map(|p| format!("--- {}\n{p}", o.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}
