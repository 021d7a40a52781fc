//! `rustomize diff --base/--head` with real Git repositories and no
//! network: an app repository (examples/dojo) tagged `v0.1.0` and `v0.2.0`
//! (a changed ConfigMap literal), and an infra repository that pulls the
//! app's production overlay with `github.com/org/app//...?ref=v0.1.0`,
//! redirected to the local app repository with `insteadOf` (in a
//! GIT_CONFIG_GLOBAL of the test's own). Its `main` is tagged `deployed`;
//! the branch `promote` moves the ref and the image to `v0.2.0`, adds a
//! `canary` target and deletes the `legacy` one. Skipped (with a message)
//! without git, unless RUSTOMIZE_REQUIRE_ORACLES=1.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod diff_support;

use diff_support::{
    Env, copy_tree, examples, git, have_git, listing, redact, snapshots, write_scenario_git_config,
};
use std::path::{Path, PathBuf};

struct Scenario {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    infra: PathBuf,
    config: PathBuf,
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(
        text.contains(from),
        "{}: '{from}' not found",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

impl Scenario {
    fn new() -> Scenario {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().canonicalize().expect("canonical");
        let app = root.join("app");
        let config = root.join("gitconfig");
        write_scenario_git_config(&config, "main", &app);
        std::fs::create_dir_all(root.join("tmp")).expect("mkdir tmp");

        copy_tree(&examples().join("dojo/deploy"), &app.join("deploy"));
        git(&app, &config, &["init", "-q"]);
        git(&app, &config, &["add", "-A"]);
        git(&app, &config, &["commit", "-qm", "v0.1.0"]);
        git(&app, &config, &["tag", "v0.1.0"]);
        edit(
            &app.join("deploy/k8s/base/kustomization.yaml"),
            "DUCKDB_PATH=/data/dojo.duckdb",
            "DUCKDB_PATH=/data/dojo-v2.duckdb",
        );
        git(&app, &config, &["commit", "-qam", "v0.2.0"]);
        git(&app, &config, &["tag", "v0.2.0"]);

        let infra = root.join("infra");
        copy_tree(
            &examples().join("infra/hosts/lab/k8s/apps/dojo/production"),
            &infra.join("prod"),
        );
        let k = infra.join("prod/kustomization.yaml");
        edit(
            &k,
            "../../../../../../../dojo/deploy/k8s/overlays/production",
            "github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0",
        );
        edit(&k, "newTag: v1.2.3", "newTag: v0.1.0");
        write(
            &infra.join("legacy/kustomization.yaml"),
            "resources: [cm.yaml]\n",
        );
        write(
            &infra.join("legacy/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy, namespace: old}\ndata: {a: b}\n",
        );
        git(&infra, &config, &["init", "-q"]);
        git(&infra, &config, &["add", "-A"]);
        git(&infra, &config, &["commit", "-qm", "deploy v0.1.0"]);
        git(&infra, &config, &["tag", "deployed"]);
        git(&infra, &config, &["checkout", "-qb", "promote"]);
        edit(&k, "?ref=v0.1.0", "?ref=v0.2.0");
        edit(&k, "newTag: v0.1.0", "newTag: v0.2.0");
        std::fs::remove_dir_all(infra.join("legacy")).expect("rm legacy");
        write(
            &infra.join("canary/kustomization.yaml"),
            "configMapGenerator:\n- name: canary\n  literals: [WEIGHT=5]\n",
        );
        git(&infra, &config, &["add", "-A"]);
        git(&infra, &config, &["commit", "-qm", "promote to v0.2.0"]);
        Scenario {
            _tmp: tmp,
            root,
            infra,
            config,
        }
    }

    fn env(&self) -> Env {
        let s = |p: &Path| p.display().to_string();
        Env {
            cwd: self.infra.clone(),
            vars: vec![
                ("GIT_CONFIG_GLOBAL".into(), s(&self.config)),
                ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
                ("RUSTOMIZE_CACHE_DIR".into(), s(&self.root.join("cache"))),
                ("TMPDIR".into(), s(&self.root.join("tmp"))),
            ],
        }
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.infra, &self.config, args)
    }
}

#[test]
fn promotion_between_two_revisions_in_every_format() {
    if !have_git() {
        return;
    }
    let s = Scenario::new();
    let e = s.env();
    let mut cases = Vec::new();
    for (name, extra) in VARIANTS {
        let mut args = vec!["diff", "--base", "deployed", "--head", "promote", "prod"];
        args.extend_from_slice(extra);
        let r = e.run(&args, None);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        cases.push((format!("promotion-{name}"), redact(&r.stdout, &s.root)));
    }
    let paths = &cases[1].1;
    for want in [
        "spec.template.spec.containers[api].image: ghcr.io/example/dojo:v0.1.0 -> ghcr.io/example/dojo:v0.2.0",
        "data.DUCKDB_PATH: /data/dojo.duckdb -> /data/dojo-v2.duckdb",
        "renamed from dojo-config-",
    ] {
        assert!(paths.contains(want), "{want}:\n{paths}");
    }
    snapshots(&cases);
}

const VARIANTS: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("text-paths", &["--paths"]),
    ("markdown", &["--format", "markdown"]),
    ("json", &["--format", "json"]),
];

#[test]
fn the_working_tree_against_a_base_and_nothing_left_behind() {
    if !have_git() {
        return;
    }
    let s = Scenario::new();
    let e = s.env();
    // Uncommitted, on the branch: one more replica.
    std::fs::write(
        s.infra.join("prod/replicas.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: dojo}\nspec: {replicas: 2}\n",
    )
    .expect("write");
    edit(
        &s.infra.join("prod/kustomization.yaml"),
        "patches:\n",
        "patches:\n  - path: replicas.yaml\n",
    );
    let before = listing(&s.infra);
    let worktrees = s.git(&["worktree", "list"]);

    let tag = e.run(&["diff", "--paths", "--base", "deployed", "prod"], None);
    assert_eq!(tag.code, 1, "{}", tag.stderr);
    assert!(
        tag.stdout.contains("Right: the working tree\n"),
        "{}",
        tag.stdout
    );
    assert!(
        tag.stdout.contains("~ spec.replicas: 1 -> 2"),
        "{}",
        tag.stdout
    );
    assert!(
        tag.stdout
            .contains("dojo:v0.1.0 -> ghcr.io/example/dojo:v0.2.0")
    );

    // The default base: the merge base of HEAD and main (the tag).
    let default = e.run(&["diff", "--paths", "prod"], None);
    assert_eq!(default.code, 1, "{}", default.stderr);
    let deployed = s.git(&["rev-parse", "deployed"]);
    assert!(
        default.stdout.starts_with(&format!(
            "Left:  merge base of HEAD and main ({})\n",
            &deployed[..12]
        )),
        "{}",
        default.stdout
    );
    let body = |t: &str| {
        t.split_once("\n\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    };
    assert_eq!(body(&default.stdout), body(&tag.stdout));

    // --head: the branch as committed, without the working tree's change.
    let head = e.run(
        &[
            "diff", "--paths", "--base", "deployed", "--head", "promote", "prod",
        ],
        None,
    );
    assert!(!head.stdout.contains("spec.replicas"), "{}", head.stdout);
    // The same revision on both sides.
    let same = e.run(
        &[
            "diff", "--base", "promote", "--head", "promote", "prod", "canary",
        ],
        None,
    );
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert!(
        same.stdout.contains("prod: no differences"),
        "{}",
        same.stdout
    );

    // A branch and a commit id work as bases; --default-base with several
    // directories.
    let by_commit = e.run(&["diff", "--paths", "--base", &deployed, "prod"], None);
    // No directory: `.`, against the default base (the repository's top
    // is no kustomization on either side).
    let none = e.run(&["diff"], None);
    assert_eq!(none.code, 2, "{}", none.stdout);
    assert!(
        none.stderr
            .contains("'.' is a kustomization directory neither at merge base of HEAD and main"),
        "{}",
        none.stderr
    );
    assert_eq!(body(&by_commit.stdout), body(&tag.stdout));
    let several = e.run(
        &["diff", "--summary", "--default-base", "prod", "canary"],
        None,
    );
    assert_eq!(several.code, 1, "{}", several.stderr);
    assert!(
        several
            .stdout
            .contains("Total: 2 targets, 2 with differences"),
        "{}",
        several.stdout
    );

    assert_eq!(
        before,
        listing(&s.infra),
        "the repository was left as it was"
    );
    assert_eq!(
        worktrees,
        s.git(&["worktree", "list"]),
        "no worktree was added"
    );
    let tmp: Vec<_> = std::fs::read_dir(s.root.join("tmp"))
        .expect("tmp")
        .collect();
    assert!(tmp.is_empty(), "temporary files left behind: {tmp:?}");
}

#[test]
fn two_remote_targets_at_their_own_refs() {
    if !have_git() {
        return;
    }
    let s = Scenario::new();
    let e = s.env();
    let url = |r: &str| format!("github.com/org/app//deploy/k8s/overlays/production?ref={r}");
    let (old, new) = (url("v0.1.0"), url("v0.2.0"));
    let r = e.run(&["diff", "--paths", &old, &new], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("~ data.DUCKDB_PATH: /data/dojo.duckdb -> /data/dojo-v2.duckdb"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("image"),
        "the overlays pin the same image: {}",
        r.stdout
    );
}

#[test]
fn a_target_missing_on_one_side_is_empty_there() {
    if !have_git() {
        return;
    }
    let s = Scenario::new();
    let e = s.env();
    let r = e.run(
        &[
            "diff", "--base", "deployed", "--head", "promote", "canary", "legacy",
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    snapshots(&[("missing-side-text".to_string(), redact(&r.stdout, &s.root))]);
    assert!(
        r.stdout
            .contains("'canary' is not on the left side: every object is added"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("every object is added"));
    assert!(
        r.stdout
            .contains("'legacy' is not on the right side: every object is removed")
    );
    let json = e.run(
        &[
            "diff", "--format", "json", "--base", "deployed", "--head", "promote", "canary",
        ],
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(doc["targets"][0]["left_missing"], true);
    assert_eq!(doc["targets"][0]["summary"]["added"], 1);
}

#[test]
fn bad_revisions_and_broken_sides_are_errors() {
    if !have_git() {
        return;
    }
    let s = Scenario::new();
    let e = s.env();
    std::fs::write(
        s.infra.join("canary/kustomization.yaml"),
        "resources: [nope.yaml]\n",
    )
    .expect("write");
    let outside = s.root.join("app").display().to_string();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "unknown base",
            vec!["diff", "--base", "nope", "prod"],
            "unknown revision 'nope'",
        ),
        (
            "unknown head",
            vec!["diff", "--base", "deployed", "--head", "v9", "prod"],
            "unknown revision 'v9'",
        ),
        (
            "option-like revision",
            vec!["diff", "--base=--all", "prod"],
            "unknown revision '--all'",
        ),
        (
            "the working tree fails to build",
            vec!["diff", "--base", "promote", "canary"],
            "'canary' on the right side (the working tree): ",
        ),
        (
            "neither side has it",
            vec!["diff", "--base", "deployed", "--head", "promote", "nowhere"],
            "'nowhere' is a kustomization directory neither at deployed",
        ),
        (
            "outside the repository",
            vec!["diff", "--base", "deployed", "prod", &outside],
            "is outside the repository",
        ),
        (
            "a remote target with --base",
            vec![
                "diff",
                "--base",
                "deployed",
                "github.com/org/app//deploy?ref=v0.1.0",
            ],
            "every side is a directory of the repository",
        ),
    ];
    let mut failed = Vec::new();
    for (name, args, want) in cases {
        let r = e.run(&args, None);
        if r.code != 2 || !r.stdout.is_empty() || !r.stderr.contains(want) {
            failed.push(format!(
                "{name}: exit {}, stdout {:?}, stderr {:?}",
                r.code, r.stdout, r.stderr
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}
