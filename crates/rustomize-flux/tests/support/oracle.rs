//! The fluxcd/pkg oracle (`tools/flux-oracle`): built with Go once per
//! test run and cached under `target/flux-oracle/`, run in batch mode.
//!
//! `FLUX_ORACLE=/path/to/binary` uses another build of the oracle.
//! Without Go the tests that need it say so on stderr and pass; with
//! `RUSTOMIZE_REQUIRE_ORACLES=1` (CI) they fail instead.

#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// One oracle run (the JSON the oracle's `-batch` mode reads).
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// The source's root.
    pub root: PathBuf,
    /// The Flux Kustomization file.
    pub kustomization: PathBuf,
    /// Which Kustomization of the file.
    pub name: Option<String>,
    /// ConfigMap/Secret manifests standing in for the cluster.
    pub substitute_from: Vec<PathBuf>,
    /// `--var` pairs.
    pub vars: Vec<(String, String)>,
    /// Strict substitution.
    pub strict: bool,
}

/// What the oracle printed, or its error.
pub type Outcome = Result<String, String>;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

fn require() -> bool {
    std::env::var("RUSTOMIZE_REQUIRE_ORACLES").is_ok_and(|v| v == "1")
}

/// The oracle binary, building it when its sources changed; `None` (after
/// a message on stderr) when Go is not installed and oracles are not
/// required.
pub fn binary() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(build).clone()
}

fn build() -> Option<PathBuf> {
    // Another oracle binary, e.g. one built against Flux's own kustomize
    // (v5.8) instead of the pinned v5.5.
    if let Some(bin) = std::env::var_os("FLUX_ORACLE") {
        return Some(PathBuf::from(bin));
    }
    let src = workspace().join("tools/flux-oracle");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let bin = target.join("flux-oracle/flux-oracle");
    let newest_source = ["main.go", "go.mod", "go.sum"]
        .iter()
        .filter_map(|f| {
            std::fs::metadata(src.join(f))
                .and_then(|m| m.modified())
                .ok()
        })
        .max();
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    if let (Some(s), Some(b)) = (newest_source, built)
        && b >= s
    {
        return Some(bin);
    }
    let go = Command::new("go").arg("version").output();
    match go {
        Ok(o) if o.status.success() => {}
        _ => {
            assert!(
                !require(),
                "RUSTOMIZE_REQUIRE_ORACLES=1 but Go is not installed: the Flux oracle cannot be built"
            );
            eprintln!(
                "skipping: Go is not installed, so the fluxcd/pkg oracle (tools/flux-oracle) cannot be built"
            );
            return None;
        }
    }
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(&src)
        .env("GOFLAGS", "-mod=readonly")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        .status()
        .expect("go runs");
    assert!(status.success(), "building tools/flux-oracle failed");
    Some(bin)
}

/// Runs the cases in two oracle processes at once (a build takes the
/// oracle ~0.15 s, most of it kustomize loading its OpenAPI schema).
pub fn run(bin: &Path, cases: &[Case]) -> Vec<Outcome> {
    let half = cases.len().div_ceil(2);
    let (a, b) = cases.split_at(half);
    std::thread::scope(|s| {
        let first = s.spawn(|| run_one(bin, a));
        let mut out = run_one(bin, b);
        let mut all = first.join().expect("the oracle thread");
        all.append(&mut out);
        all
    })
}

/// Runs the cases in one oracle process.
pub fn run_one(bin: &Path, cases: &[Case]) -> Vec<Outcome> {
    if cases.is_empty() {
        return Vec::new();
    }
    let input = serde_json::Value::Array(
        cases
            .iter()
            .map(|c| {
                serde_json::json!({
                    "root": c.root,
                    "kustomization": c.kustomization,
                    "name": c.name.clone().unwrap_or_default(),
                    "substituteFrom": c.substitute_from,
                    "vars": c.vars.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
                    "strict": c.strict,
                })
            })
            .collect(),
    )
    .to_string();
    let mut child = Command::new(bin)
        .arg("-batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the oracle runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writing the cases");
    let out = child.wait_with_output().expect("the oracle finishes");
    assert!(out.status.success(), "the oracle failed");
    let results: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    results
        .into_iter()
        .map(|r| match r.get("error").and_then(|e| e.as_str()) {
            Some(e) if !e.is_empty() => Err(e.to_string()),
            _ => Ok(r
                .get("output")
                .and_then(|o| o.as_str())
                .unwrap_or_default()
                .to_string()),
        })
        .collect()
}
