//! `rustomize init`: every tree it writes (several option sets) is
//! snapshot-tested, builds byte-identical with `kubectl kustomize` in every
//! overlay (skipped without kubectl v5.5.0 unless
//! RUSTOMIZE_REQUIRE_ORACLES=1) and passes `rustomize check` with no
//! findings; `init --infra` builds against a local app repository reached
//! through `insteadOf` (no network); bad input changes nothing.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use std::process::Output;

/// Every file under `root`, sorted, each under a `==> path` heading.
fn tree(root: &Path) -> String {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                let rel = p.strip_prefix(root).expect("below").display().to_string();
                out.push((rel, std::fs::read_to_string(&p).expect("read")));
            }
        }
    }
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files
        .into_iter()
        .map(|(p, t)| format!("==> {p}\n{t}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    support::rustomize()
        .args(args)
        .current_dir(dir)
        .env("RUSTOMIZE_CACHE_DIR", dir.join(".cache-not-used"))
        .output()
        .expect("run rustomize")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status.code(),
        support::stderr(out),
        support::stdout(out)
    );
    support::stdout(out)
}

/// Each overlay: `rustomize build` == `kubectl kustomize` (when kubectl is
/// there), and `rustomize check` finds nothing.
fn builds_and_checks_clean(test: &str, dir: &Path, overlays: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    let kubectl = support::kubectl(test).is_some();
    for o in overlays {
        let ours = run(dir, &["build", o]);
        if !ours.status.success() {
            bad.push(format!("{o}: build failed: {}", support::stderr(&ours)));
            continue;
        }
        if kubectl {
            let theirs = std::process::Command::new("kubectl")
                .args(["kustomize", o])
                .current_dir(dir)
                .output()
                .expect("run kubectl");
            if theirs.stdout != ours.stdout || !theirs.status.success() {
                bad.push(format!(
                    "{o}: differs from kubectl kustomize:\n{}\n--- ours\n{}",
                    support::stderr(&theirs),
                    support::stdout(&ours)
                ));
            }
        }
        let check = run(dir, &["check", o]);
        let text = support::stdout(&check);
        if !check.status.success() || !text.contains("no findings") {
            bad.push(format!("{o}: check: {text}{}", support::stderr(&check)));
        }
    }
    bad
}

const OVERLAYS: [&str; 3] = [
    "deploy/k8s/overlays/dev",
    "deploy/k8s/overlays/staging",
    "deploy/k8s/overlays/production",
];

#[test]
fn every_tree_init_writes_builds_as_kubectl_does_and_checks_clean() {
    let sets: &[(&str, &[&str])] = &[
        (
            "init-single-writer",
            &[
                "init",
                "dojo",
                "--image",
                "ghcr.io/example/dojo",
                "--port",
                "8000",
                "--state",
                "single-writer:/data/dojo.duckdb",
                "--storage",
                "2Gi",
                "--host",
                "dojo.lab.example.com",
            ],
        ),
        (
            "init-stateless",
            &[
                "init",
                "web",
                "--image",
                "ghcr.io/example/web:v1.4.0",
                "--port",
                "3000",
                "--health-path",
                "/api/health",
                "--replicas",
                "3",
            ],
        ),
        (
            "init-with-ci-and-argocd",
            &[
                "init",
                "shop",
                "--image",
                "registry.example.com:5000/team/shop",
                "--state",
                "single-writer:/var/lib/shop/shop.sqlite",
                "--github-actions",
                "--argocd",
                "--repo-url",
                "https://github.com/example/shop.git",
            ],
        ),
    ];
    let mut bad = Vec::new();
    for (snap, args) in sets {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let stdout = ok(&run(dir, args));
        insta::assert_snapshot!(format!("{snap}-stdout"), stdout);
        insta::assert_snapshot!(*snap, tree(dir));
        for b in builds_and_checks_clean(snap, dir, &OVERLAYS) {
            bad.push(format!("{snap}: {b}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn init_never_overwrites_and_refuses_bad_options() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let args = ["init", "dojo", "--image", "ghcr.io/example/dojo"];
    ok(&run(dir, &args));
    let before = tree(dir);
    let rows: &[(&[&str], &str)] = &[
        (
            &args,
            "deploy/k8s is not empty (.rustomize-check.yaml, base, overlays)",
        ),
        (
            &[
                "init", "x", "--image", "i/x", "--state", "sqlite", "--out", "new",
            ],
            "--state \"sqlite\": expected none or single-writer:PATH",
        ),
        (
            &[
                "init",
                "x",
                "--image",
                "i/x",
                "--state",
                "single-writer:/data/x.db",
                "--replicas",
                "2",
                "--out",
                "new",
            ],
            "--replicas 2 with a single-writer state",
        ),
        (
            &["init", "X", "--image", "i/x", "--out", "new"],
            "NAME \"X\" is not a valid name",
        ),
        (
            &[
                "init", "x", "--image", "i/x", "--host", "a b", "--out", "new",
            ],
            "--host \"a b\" is not a host name",
        ),
        (
            &["init", "x", "--image", "i/x", "--argocd", "--out", "new"],
            "has no origin remote",
        ),
        (
            &[
                "init",
                "--infra",
                "production",
                "--app",
                "x",
                "--remote",
                "https://example.com/app.yaml",
                "--out",
                "new",
            ],
            "is not a Git remote base",
        ),
        (
            &[
                "init",
                "--infra",
                "production",
                "--app",
                "x",
                "--remote",
                "github.com/org/x//deploy",
                "--out",
                "new",
            ],
            "has no ?ref=",
        ),
    ];
    let mut bad = Vec::new();
    for (a, want) in rows {
        let out = run(dir, a);
        let e = support::stderr(&out);
        if out.status.code() != Some(1) || !out.stdout.is_empty() || !e.contains(want) {
            bad.push(format!("{a:?}: exit {:?}\n{e}", out.status.code()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(tree(dir), before, "a refused init changed the folder");
    // --force replaces the files init writes, and keeps the others.
    std::fs::write(dir.join("deploy/k8s/notes.txt"), "mine\n").expect("write");
    std::fs::write(dir.join("deploy/k8s/base/service.yaml"), "changed\n").expect("write");
    ok(&run(dir, &[&args[..], &["--force"]].concat()));
    let after = tree(dir);
    assert_eq!(
        after.replace("==> deploy/k8s/notes.txt\nmine\n\n", ""),
        before
    );
    assert!(
        after.contains("==> deploy/k8s/notes.txt\nmine\n"),
        "{after}"
    );
}

#[test]
fn infra_folder_builds_against_a_local_app_repository() {
    let test = "infra_folder";
    if support::git(test).is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().canonicalize().expect("canonical");
    let config = support::GitConfig::new();
    let app = root.join("app");
    config.redirect("org/app", &app);
    let git = |dir: &Path, args: &[&str]| {
        let mut cmd = std::process::Command::new("git");
        config.apply(&mut cmd);
        let out = cmd
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            support::stderr(&out)
        );
    };
    std::fs::create_dir_all(&app).expect("mkdir");
    git(&app, &["init", "-q"]);
    ok(&run(
        &app,
        &[
            "init",
            "app",
            "--image",
            "ghcr.io/org/app",
            "--state",
            "single-writer:/data/app.db",
            // The app's own Ingress: the infra folder patches its host.
            "--host",
            "app.example.com",
        ],
    ));
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-qm", "app"]);
    git(&app, &["tag", "v0.1.0"]);

    let infra = root.join("infra");
    support::write(
        &infra,
        "hosts/lab/apps/kustomization.yaml",
        "# every app of the lab cluster\nresources: []\n",
    );
    git(&infra, &["init", "-q"]);
    let runs = |args: &[&str]| {
        let mut cmd = support::rustomize();
        config.apply(&mut cmd);
        cmd.args(args)
            .current_dir(infra.join("hosts/lab/apps"))
            .env("RUSTOMIZE_CACHE_DIR", root.join("cache"))
            .output()
            .expect("run rustomize")
    };
    let stdout = ok(&runs(&[
        "init",
        "--infra",
        "production",
        "--app",
        "app",
        "--remote",
        "github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0",
        "--volume",
        "hostPath:/srv/k8s/app-production",
        "--host",
        "app.lab.local",
        "--out",
        "app-production",
    ]));
    insta::assert_snapshot!("infra-stdout", stdout);
    insta::assert_snapshot!("infra", tree(&infra.join("hosts")));
    // Built by both, checked clean (pv-binding and version-drift too).
    let mut bad = Vec::new();
    let kubectl = support::kubectl(test).is_some();
    for dir in ["app-production", "."] {
        let ours = runs(&["build", dir]);
        assert!(ours.status.success(), "{}", support::stderr(&ours));
        if kubectl {
            let mut cmd = std::process::Command::new("kubectl");
            config.apply(&mut cmd);
            let theirs = cmd
                .args(["kustomize", dir])
                .current_dir(infra.join("hosts/lab/apps"))
                .output()
                .expect("run kubectl");
            if theirs.stdout != ours.stdout {
                bad.push(format!(
                    "{dir}: differs from kubectl: {}",
                    support::stderr(&theirs)
                ));
            }
        }
        let check = runs(&["check", dir]);
        if !check.status.success() || !support::stdout(&check).contains("no findings") {
            bad.push(format!("{dir}: {}", support::stdout(&check)));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The claim is bound to the volume.
    let built = support::stdout(&runs(&["build", "app-production"]));
    assert!(built.contains("volumeName: app-production-pv"), "{built}");
    assert!(
        built.contains("- host: app.lab.local") && !built.contains("app.example.com"),
        "{built}"
    );
}
