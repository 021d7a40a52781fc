//! Replays the argv sequences Argo CD's `util/kustomize` runs for an
//! Application with overrides, against a `kustomize` symlink to rustomize
//! and against the real kustomize v5.5.0, and compares the final builds.
//! Skips without /root/go/bin/kustomize unless RUSTOMIZE_REQUIRE_ORACLES=1.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn real() -> Option<PathBuf> {
    let p = PathBuf::from(
        std::env::var("KUSTOMIZE_BIN").unwrap_or_else(|_| "/root/go/bin/kustomize".into()),
    );
    if p.exists() {
        return Some(p);
    }
    if std::env::var("RUSTOMIZE_REQUIRE_ORACLES").is_ok_and(|v| v == "1") {
        panic!(
            "the real kustomize binary is required but {} is absent",
            p.display()
        );
    }
    eprintln!(
        "skipping: the real kustomize binary ({}) is absent",
        p.display()
    );
    None
}

/// Argo CD's reading of `kustomize version --short`.
fn argocd_version(bin: &Path) -> String {
    let out = Command::new(bin)
        .args(["version", "--short"])
        .output()
        .expect("version");
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let v = v
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .replace("  ", " ");
    let v = v.strip_prefix("kustomize/").unwrap_or(&v).to_string();
    let start = v.find(|c: char| c.is_ascii_digit()).expect("a version");
    v[start..]
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or_default()
        .to_string()
}

fn tree(root: &Path) {
    let app = root.join("apps/web");
    std::fs::create_dir_all(app.join("comp")).expect("mkdir");
    std::fs::write(
        app.join("kustomization.yaml"),
        "# web app\nresources:\n  - deploy.yaml # the deployment\nimages:\n  - name: web\n    newTag: v1 # pinned\n",
    )
    .expect("write");
    std::fs::write(
        app.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: web\n",
    )
    .expect("write");
    std::fs::write(
        app.join("comp/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  from: component\n",
    )
    .expect("write");
}

fn replay(bin: &Path, root: &Path, label_flags: &[&str]) -> (Vec<bool>, Vec<u8>) {
    let app = root.join("apps/web");
    let mut label = vec!["edit", "add", "label"];
    label.extend_from_slice(label_flags);
    label.extend(["team:web", "env:prod"]);
    let steps: Vec<Vec<&str>> = vec![
        vec!["edit", "set", "nameprefix", "--", "p-"],
        vec!["edit", "set", "namesuffix", "--", "-s"],
        vec![
            "edit",
            "set",
            "image",
            "web=ghcr.io/org/web:sha-abc1234",
            "redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ],
        vec!["edit", "set", "replicas", "web=2"],
        label,
        vec!["edit", "add", "annotation", "--force", "owner:platform"],
        vec!["edit", "set", "namespace", "--", "prod"],
        vec!["edit", "add", "component", "comp"],
    ];
    let mut status = Vec::new();
    for s in steps {
        let out = Command::new(bin)
            .args(&s)
            .current_dir(&app)
            .output()
            .expect("run");
        status.push(out.status.success());
    }
    let out = Command::new(bin)
        .args([
            "build",
            "apps/web",
            "--load-restrictor",
            "LoadRestrictionsRootOnly",
        ])
        .current_dir(root)
        .output()
        .expect("build");
    status.push(out.status.success());
    (status, out.stdout)
}

#[test]
fn argocd_sequences_build_as_with_kustomize() {
    let Some(kz) = real() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let link = tmp.path().join("bin/kustomize");
    std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rustomize"), &link).expect("symlink");
    assert_eq!(argocd_version(&link), "5.5.0");
    let combos: [&[&str]; 8] = [
        &[],
        &["--force"],
        &["--without-selector"],
        &["--without-selector", "--include-templates"],
        &["--force", "--without-selector"],
        &["--force", "--without-selector", "--include-templates"],
        &["--include-templates"],
        &["--force", "--include-templates"],
    ];
    let mut failures = Vec::new();
    for (i, flags) in combos.iter().enumerate() {
        let a = tmp.path().join(format!("{i}-kustomize"));
        let b = tmp.path().join(format!("{i}-rustomize"));
        tree(&a);
        tree(&b);
        let want = replay(&kz, &a, flags);
        let got = replay(&link, &b, flags);
        if want != got {
            failures.push(format!(
                "{flags:?}: kustomize {:?}\n{}\nrustomize {:?}\n{}",
                want.0,
                String::from_utf8_lossy(&want.1),
                got.0,
                String::from_utf8_lossy(&got.1)
            ));
        }
        let text = std::fs::read_to_string(b.join("apps/web/kustomization.yaml")).expect("read");
        for c in ["# web app", "# the deployment", "# pinned"] {
            if !text.contains(c) {
                failures.push(format!("{flags:?}: lost comment {c:?}:\n{text}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
