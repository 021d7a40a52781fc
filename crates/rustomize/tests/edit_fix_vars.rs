//! `rustomize edit fix --vars` against the real kustomize v5.5.0 on
//! generated trees: vars referenced from resources, a base directory and
//! patch files in every position kustomize's conversion tells apart. Same
//! exit status; on success the same resource and patch files, builds
//! equal, comment-free kustomization files byte-equal to kustomize's and
//! every comment kept in commented ones; on failure nothing changed.
//! Skips without the binary unless RUSTOMIZE_REQUIRE_ORACLES=1.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Rng, comment_lines};

/// A tree whose kustomization has `vars` referenced from resources, a
/// base directory, patch files (as `patches`, `patchesStrategicMerge` and
/// `patchesJson6902`), in every position kustomize's conversion tells apart
/// (the whole value, prefix, suffix, between two delimiters, not delimited),
/// and vars nobody references.
fn gen_vars_tree(r: &mut Rng, comments: bool) -> Vec<(&'static str, String)> {
    let names = ["SECRET", "SVC", "PORT", "APP"];
    let v = |r: &mut Rng| -> String {
        let n = r.pick(&names);
        match r.below(8) {
            0 => format!("$({n})"),
            1 => format!("$({n})/path"),
            2 => format!("path/$({n})"),
            3 => format!("my/path/$({n})/x/y"),
            4 => format!("a.$({n}).b"),
            5 => format!("--flag=$({n})"),
            6 if r.chance(30) => format!("http://$({n}):80"),
            _ => format!("x-$({n})"),
        }
    };
    let quote = |s: String| format!("\"{s}\"");
    let deploy = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\n  annotations:\n    example.com/note: {}\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        args:\n        - {}\n        - {}\n        env:\n        - name: A\n          value: {}\n        - name: B\n          value: {}\n",
        quote(v(r)),
        quote(v(r)),
        quote(v(r)),
        quote(v(r)),
        quote(v(r)),
    );
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 8080\n".to_string();
    let secret =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\n".to_string();
    let job = format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: busybox\n        command: [\"sh\", \"-c\", {}]\n",
        quote(v(r))
    );
    let base_kust = if r.chance(50) {
        "resources:\n- job.yaml\n".to_string()
    } else {
        // A nested path kustomize joins one level deep only.
        "resources:\n- job.yaml\n- ../svc.yaml\n".to_string()
    };
    let smp = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - name: C\n          value: {}\n",
        quote(v(r))
    );
    let json6902 = format!(
        "- op: add\n  path: /metadata/annotations/extra\n  value: {}\n",
        quote(v(r))
    );
    let mut k = String::new();
    if comments {
        k.push_str("# the app\n");
    }
    k.push_str("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deploy.yaml\n- svc.yaml\n- secret.yaml\n");
    if r.chance(60) {
        k.push_str("- base\n");
    }
    match r.below(4) {
        0 => k.push_str("patches:\n- path: smp.yaml\n"),
        1 => k.push_str(
            "patches:\n- path: smp.yaml\n  target:\n    kind: Deployment\n    name: web\n",
        ),
        2 => k.push_str("patchesStrategicMerge:\n- smp.yaml\n"),
        _ => {}
    }
    if r.chance(40) {
        k.push_str(
            "patchesJson6902:\n- path: json6902.yaml\n  target:\n    group: apps\n    kind: Deployment\n    name: web\n    version: v1\n",
        );
    }
    if r.chance(15) {
        k.push_str("vars: []\n");
    } else {
        k.push_str("vars:\n");
        let mut defs = vec![
            "- name: SECRET\n  objref:\n    apiVersion: v1\n    kind: Secret\n    name: creds\n",
            "- fieldref:\n    fieldPath: metadata.name\n  name: SVC\n  objref:\n    apiVersion: v1\n    kind: Service\n    name: web\n",
            "- fieldref:\n    fieldPath: spec.ports[0].port\n  name: PORT\n  objref:\n    apiVersion: v1\n    kind: Service\n    name: web\n",
            "- fieldref:\n    fieldPath: metadata.labels.app\n  name: APP\n  objref:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n",
            "- name: UNUSED\n  objref:\n    apiVersion: v1\n    kind: Secret\n    name: creds\n",
        ];
        let keep = 1 + r.below(defs.len());
        while defs.len() > keep {
            defs.remove(r.below(defs.len()));
        }
        for d in defs {
            if comments && r.chance(40) {
                k.push_str("# a var\n");
            }
            k.push_str(d);
        }
    }
    if r.chance(30) {
        k.push_str("images:\n- name: nginx\n  newTag: \"1.27\"\n");
    }
    if comments {
        k.push_str("# the end\n");
    }
    vec![
        ("kustomization.yaml", k),
        ("deploy.yaml", deploy),
        ("svc.yaml", svc),
        ("secret.yaml", secret),
        ("smp.yaml", smp),
        ("json6902.yaml", json6902),
        ("base/kustomization.yaml", base_kust),
        ("base/job.yaml", job),
    ]
}

#[test]
fn fix_vars_matches_kustomize() {
    let Some(kz) = support::real_kustomize("fix_vars_matches_kustomize") else {
        return;
    };
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_rustomize"));
    let cases: usize = std::env::var("EDIT_DIFF_VARS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(80);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let (mut converted, mut refused, mut byte_equal) = (0, 0, 0);
    for case in 0..cases {
        let mut r = Rng(0xD1B5_4A32_D192_ED03 ^ (case as u64 + 1).wrapping_mul(0x9E37_79B9));
        let comments = case % 3 == 2;
        let tree = gen_vars_tree(&mut r, comments);
        let a = tmp.path().join(format!("vars{case}-kustomize"));
        let b = tmp.path().join(format!("vars{case}-rustomize"));
        for dir in [&a, &b] {
            for (name, text) in &tree {
                let p = dir.join(name);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(p, text).expect("write");
            }
        }
        let cmd: Vec<String> = ["edit", "fix", "--vars"].map(String::from).to_vec();
        let fix = |bin: &Path, dir: &Path| {
            let out = Command::new(bin)
                .args(&cmd)
                .current_dir(dir)
                .output()
                .expect("run");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let ((ka, ea), (kb, eb)) = (fix(&kz, &a), fix(&ours, &b));
        let show = || {
            tree.iter()
                .map(|(n, t)| format!("--- {n}\n{t}"))
                .collect::<String>()
        };
        if ka != kb {
            failures.push(format!(
                "case {case}: kustomize ok={ka}, rustomize ok={kb}\n--- kustomize said\n{ea}--- rustomize said\n{eb}{}",
                show()
            ));
            continue;
        }
        if !kb {
            refused += 1;
            for (name, text) in &tree {
                let now = std::fs::read_to_string(b.join(name)).expect("read");
                if now != *text {
                    failures.push(format!("case {case}: failed but changed {name}"));
                }
            }
            continue;
        }
        converted += 1;
        // Every resource and patch file as kustomize rewrote it.
        for (name, _) in tree.iter().filter(|(n, _)| *n != "kustomization.yaml") {
            let fa = std::fs::read_to_string(a.join(name)).expect("read");
            let fb = std::fs::read_to_string(b.join(name)).expect("read");
            if fa != fb {
                failures.push(format!(
                    "case {case}: {name} differs\n--- kustomize\n{fa}--- ours\n{fb}"
                ));
            }
        }
        let ka_k = std::fs::read_to_string(a.join("kustomization.yaml")).expect("read");
        let kb_k = std::fs::read_to_string(b.join("kustomization.yaml")).expect("read");
        let build_a = Command::new(&kz)
            .args(["build", "."])
            .current_dir(&a)
            .output()
            .expect("build");
        let build_b = Command::new(&ours)
            .args(["build", "."])
            .current_dir(&b)
            .output()
            .expect("build");
        if build_a.status.success() != build_b.status.success() || build_a.stdout != build_b.stdout
        {
            failures.push(format!(
                "case {case}: builds differ\n{}--- kustomize's file\n{ka_k}--- ours\n{kb_k}--- kustomize build\n{}{}--- rustomize build\n{}{}",
                show(),
                String::from_utf8_lossy(&build_a.stdout),
                String::from_utf8_lossy(&build_a.stderr),
                String::from_utf8_lossy(&build_b.stdout),
                String::from_utf8_lossy(&build_b.stderr)
            ));
            continue;
        }
        if comments {
            let kept = comment_lines(&kb_k);
            let original = &tree[0].1;
            let lost: Vec<String> = comment_lines(original)
                .into_iter()
                .filter(|c| !kept.contains(c))
                .collect();
            if !lost.is_empty() {
                failures.push(format!("case {case}: comments lost {lost:?}\n{kb_k}"));
            }
        } else if ka_k == kb_k {
            byte_equal += 1;
        } else {
            failures.push(format!(
                "case {case}: kustomization files differ\n--- kustomize\n{ka_k}--- ours\n{kb_k}"
            ));
        }
    }
    eprintln!(
        "fix --vars: {cases} cases, {converted} converted ({byte_equal} comment-free files byte-equal), {refused} refused by both; {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
