//! `rustomize edit` against the real kustomize binary (v5.5.0 at
//! /root/go/bin/kustomize or $KUSTOMIZE_BIN) on generated kustomizations
//! and edit sequences: same exit status for every command, the same build
//! of the edited trees, on comment-free canonical files the same bytes
//! (except the differences docs/reference.md lists), on commented files
//! every comment line kept. Skips without the binary unless
//! RUSTOMIZE_REQUIRE_ORACLES=1.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use support::{Rng, comment_lines};

fn kustomize() -> Option<PathBuf> {
    support::real_kustomize("edit_differential")
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/org/web:v1\n      - name: proxy\n        image: nginx:1.25\n";
const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n";
const WORKER: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: worker\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: worker\n  template:\n    metadata:\n      labels:\n        app: worker\n    spec:\n      containers:\n      - name: worker\n        image: busybox\n";
const PATCH: &str =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n";
const COMPONENT: &str = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  team: core\n";

const TRANSFORMER: &str = "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: added\nlabels:\n  added: \"yes\"\nfieldSpecs:\n- path: metadata/labels\n  create: true\n";
const GENERATOR: &str = "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: generated\nliterals:\n- K=V\n";

fn write_tree(dir: &Path, kust: &str) {
    std::fs::create_dir_all(dir.join("comp")).expect("mkdir");
    for (name, text) in [
        ("deploy.yaml", DEPLOY),
        ("svc.yaml", SVC),
        ("worker.yaml", WORKER),
        ("patch.yaml", PATCH),
        ("comp/kustomization.yaml", COMPONENT),
        ("app.env", "A=1\nB=two\n"),
        ("labels.tr.yaml", TRANSFORMER),
        ("gen.yaml", GENERATOR),
        ("kustomization.yaml", kust),
    ] {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

/// A random kustomization in kustomize's own layout (fields in kustfile's
/// order, keys sorted, yaml.v2 quoting), with comments when `comments`.
fn gen_kustomization(r: &mut Rng, comments: bool) -> String {
    let mut out = String::new();
    let c = |r: &mut Rng, out: &mut String, what: &str| {
        if comments && r.chance(60) {
            out.push_str(&format!("# about {what}\n"));
        }
    };
    let inline = |r: &mut Rng, what: &str| -> String {
        if comments && r.chance(50) {
            format!(" # {what}")
        } else {
            String::new()
        }
    };
    c(r, &mut out, "the api");
    out.push_str("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    let mut res = vec!["deploy.yaml"];
    if r.chance(70) {
        res.push("svc.yaml");
    }
    if r.chance(50) {
        res.push("worker.yaml");
    }
    c(r, &mut out, "resources");
    out.push_str("resources:\n");
    for x in &res {
        let i = inline(r, x);
        out.push_str(&format!("- {x}{i}\n"));
    }
    if r.chance(40) {
        out.push_str(&format!("namePrefix: {}\n", r.pick(&["pre-", "a-", "x1-"])));
    }
    if r.chance(40) {
        c(r, &mut out, "namespace");
        let i = inline(r, "ns");
        out.push_str(&format!(
            "namespace: {}{i}\n",
            r.pick(&["dev", "staging", "\"on\""])
        ));
    }
    if r.chance(40) {
        out.push_str("commonLabels:\n");
        out.push_str(&format!("  env: {}\n", r.pick(&["dev", "\"yes\"", "prod"])));
        if r.chance(50) {
            out.push_str("  tier: web\n");
        }
    }
    if r.chance(30) {
        out.push_str("labels:\n- includeSelectors: true\n  pairs:\n    owner: team-a\n");
    }
    if r.chance(30) {
        out.push_str("commonAnnotations:\n  note: hello\n");
    }
    if r.chance(30) {
        out.push_str("patches:\n- path: patch.yaml\n");
    }
    if r.chance(30) {
        out.push_str("configMapGenerator:\n- literals:\n  - A=1\n  - B=2\n  name: settings\n");
    }
    if r.chance(60) {
        c(r, &mut out, "images");
        out.push_str("images:\n");
        let mut names: Vec<&str> = vec!["ghcr.io/org/web"];
        if r.chance(50) {
            names.push("nginx");
        }
        if r.chance(30) {
            names.push("busybox");
        }
        names.sort();
        for n in names {
            let i = inline(r, "pinned");
            match r.below(3) {
                0 => out.push_str(&format!("- name: {n}\n  newTag: v2{i}\n")),
                1 => out.push_str(&format!(
                    "- name: {n}\n  newName: registry.local/{n}\n  newTag: \"1.0\"{i}\n"
                )),
                _ => out.push_str(&format!(
                    "- digest: sha256:{}\n  name: {n}{i}\n",
                    "a".repeat(64)
                )),
            }
        }
    }
    if r.chance(30) {
        out.push_str("replicas:\n- count: 2\n  name: web\n");
    }
    if r.chance(20) {
        out.push_str("buildMetadata:\n- originAnnotations\n");
    }
    if comments && r.chance(50) {
        out.push_str("# trailing notes\n");
    }
    out
}

fn gen_command(r: &mut Rng) -> Vec<String> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let digest = format!("sha256:{}", "b".repeat(64));
    match r.below(25) {
        0 => {
            let mut c = s(&["edit", "set", "image"]);
            for _ in 0..1 + r.below(3) {
                let img = r.pick(&["ghcr.io/org/web", "nginx", "busybox", "redis"]);
                let form = match r.below(7) {
                    0 => format!("{img}=ghcr.io/org/other:sha-abc1234"),
                    1 => format!("{img}:v9"),
                    2 => format!("{img}@{digest}"),
                    3 => format!("{img}=*:v3"),
                    4 => format!("{img}=registry.local:5000/{img}:1.0@{digest}"),
                    5 => format!("{img}=*:*@{digest}"),
                    _ => img.to_string(),
                };
                c.push(form);
            }
            c
        }
        1 => s(&[
            "edit",
            "set",
            "namespace",
            "--",
            r.pick(&["prod", "team-a", "on"]),
        ]),
        2 => s(&["edit", "set", "nameprefix", "--", r.pick(&["p-", "", "z-"])]),
        3 => s(&["edit", "set", "namesuffix", "--", r.pick(&["-s", "-v2"])]),
        4 => {
            let mut c = s(&["edit", "set", "replicas"]);
            c.push(
                r.pick(&["web=3", "worker=0", "web=x", "other=5"])
                    .to_string(),
            );
            c
        }
        5 => {
            let mut c = s(&["edit", "add", "label"]);
            if r.chance(40) {
                c.push("--force".into());
            }
            if r.chance(40) {
                c.push("--without-selector".into());
                if r.chance(50) {
                    c.push("--include-templates".into());
                }
            } else if r.chance(10) {
                c.push("--include-templates".into());
            }
            c.push(
                r.pick(&["env:prod", "team:a", "tier:\"web\"", "flag:yes"])
                    .to_string(),
            );
            c
        }
        6 => s(&["edit", "set", "label", r.pick(&["env:qa", "new:1"])]),
        7 => {
            let mut c = s(&["edit", "remove", "label"]);
            if r.chance(50) {
                c.push("-i".into());
            }
            c.push(r.pick(&["env", "tier,env", "missing"]).to_string());
            c
        }
        8 => {
            let mut c = s(&["edit", "add", "annotation"]);
            if r.chance(40) {
                c.push("-f".into());
            }
            c.push(r.pick(&["note:bye", "owner:me", "x.io/y:z"]).to_string());
            c
        }
        9 => s(&[
            "edit",
            "set",
            "annotation",
            r.pick(&["note:again", "bad key:x"]),
        ]),
        10 => s(&["edit", "remove", "annotation", r.pick(&["note", "none"])]),
        11 => s(&[
            "edit",
            "add",
            "resource",
            r.pick(&["svc.yaml", "worker.yaml", "*.yaml", "missing.yaml"]),
        ]),
        12 => s(&[
            "edit",
            "remove",
            "resource",
            r.pick(&["svc.yaml", "worker*", "none.yaml"]),
        ]),
        13 => s(&["edit", "add", "component", "comp"]),
        14 => {
            if r.chance(50) {
                s(&["edit", "add", "patch", "--path", "patch.yaml"])
            } else {
                s(&[
                    "edit",
                    "add",
                    "patch",
                    "--path",
                    "patch.yaml",
                    "--kind",
                    "Deployment",
                    "--name",
                    "web",
                ])
            }
        }
        15 => s(&["edit", "remove", "patch", "--path", "patch.yaml"]),
        16 => s(&[
            "edit",
            "add",
            "configmap",
            r.pick(&["settings", "extra"]),
            "--from-literal=C=3",
        ]),
        17 => s(&["edit", "set", "configmap", "settings", "--from-literal=A=9"]),
        18 => s(&["edit", "remove", "configmap", r.pick(&["settings", "nope"])]),
        19 => s(&["edit", "add", "secret", "creds", "--from-env-file=app.env"]),
        20 => {
            let verb = r.pick(&["add", "remove", "set"]).to_string();
            vec![
                "edit".into(),
                verb,
                "buildmetadata".into(),
                r.pick(&["managedByLabel", "originAnnotations", "bogus"])
                    .to_string(),
            ]
        }
        22 => s(&[
            "edit",
            "add",
            "transformer",
            r.pick(&["labels.tr.yaml", "*.tr.yaml", "missing.yaml"]),
        ]),
        23 => s(&[
            "edit",
            "add",
            "generator",
            r.pick(&["gen.yaml", "none*.yaml"]),
        ]),
        24 => s(&[
            "edit",
            "remove",
            "transformer",
            r.pick(&["labels.tr.yaml", "*.yaml", "other.yaml"]),
        ]),
        _ if r.chance(30) => s(&["edit", "fix", "--vars"]),
        _ => s(&["edit", "fix"]),
    }
}

fn run(bin: &Path, dir: &Path, args: &[String]) -> (bool, String) {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Differences kustomize's own write makes that the lossless edit does not
/// (listed in docs/reference.md).
fn tolerated(cmds: &[Vec<String>]) -> bool {
    cmds.iter().any(|c| {
        c.get(1).is_some_and(|v| v == "fix")
            || (c.get(1).is_some_and(|v| v == "set") && c.get(2).is_some_and(|v| v == "configmap"))
    })
}

#[test]
fn edits_match_kustomize() {
    let Some(kz) = kustomize() else { return };
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_rustomize"));
    let cases: usize = std::env::var("EDIT_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(320);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut byte_equal = 0;
    let mut byte_checked = 0;
    let mut tolerated_diffs = 0;
    for case in 0..cases {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ (case as u64 + 1).wrapping_mul(0x1000_0001));
        let comments = case % 2 == 1;
        let kust = gen_kustomization(&mut r, comments);
        let a = tmp.path().join(format!("{case}-kustomize"));
        let b = tmp.path().join(format!("{case}-rustomize"));
        write_tree(&a, &kust);
        write_tree(&b, &kust);
        let cmds: Vec<Vec<String>> = (0..1 + r.below(3)).map(|_| gen_command(&mut r)).collect();
        let mut ok = true;
        for cmd in &cmds {
            let before = std::fs::read_to_string(b.join("kustomization.yaml")).expect("read");
            let (ka, _) = run(&kz, &a, cmd);
            let (kb, _) = run(&ours, &b, cmd);
            if ka != kb {
                failures.push(format!(
                    "case {case}: {cmd:?}: kustomize ok={ka}, rustomize ok={kb}\n{kust}"
                ));
                ok = false;
                break;
            }
            if !kb {
                let after = std::fs::read_to_string(b.join("kustomization.yaml")).expect("read");
                if after != before {
                    failures.push(format!("case {case}: {cmd:?} failed but changed the file"));
                }
            }
        }
        if !ok {
            continue;
        }
        let ka = std::fs::read_to_string(a.join("kustomization.yaml")).expect("read");
        let kb = std::fs::read_to_string(b.join("kustomization.yaml")).expect("read");
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
                "case {case}: builds differ after {cmds:?}\n--- original\n{kust}--- kustomize's file\n{ka}--- ours\n{kb}--- kustomize build\n{}--- rustomize build\n{}{}",
                String::from_utf8_lossy(&build_a.stdout),
                String::from_utf8_lossy(&build_b.stdout),
                String::from_utf8_lossy(&build_b.stderr)
            ));
            continue;
        }
        if comments {
            let kept = comment_lines(&kb);
            let lost: Vec<String> = comment_lines(&kust)
                .into_iter()
                .filter(|c| !kept.contains(c))
                .collect();
            if !lost.is_empty() {
                failures.push(format!(
                    "case {case}: comments lost {lost:?} after {cmds:?}\n{kust}--- ours\n{kb}"
                ));
            }
        } else {
            byte_checked += 1;
            if ka == kb {
                byte_equal += 1;
            } else if tolerated(&cmds) {
                tolerated_diffs += 1;
            } else {
                failures.push(format!(
                    "case {case}: files differ after {cmds:?}\n--- original\n{kust}--- kustomize\n{ka}--- ours\n{kb}"
                ));
            }
        }
    }
    eprintln!(
        "{cases} cases: {} failed; comment-free files byte-equal {byte_equal}/{byte_checked}, {tolerated_diffs} listed differences",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
