//! The rest of the kustomize-compatible command line, against the real
//! kustomize v5.5.0 where a test needs it (skipped with a message when it
//! is absent, failing under RUSTOMIZE_REQUIRE_ORACLES=1): `create` with
//! every flag, `edit add resource` of remote targets (a local git
//! repository reached through `insteadOf`), an edit through a symlinked
//! kustomization file, edits of one file from many processes at once,
//! `version -o yaml|json`, `completion` for every shell under both names,
//! the `--reorder` deprecation warning, `KUSTOMIZE_ENABLE_MANAGEDBY_LABEL`,
//! and a build of a directory without a kustomization.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rustomize"))
}

fn run(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run")
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
const SVC: &str =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n";

/// A directory of files for `create`: resources at the top and in
/// subdirectories (one of them a kustomization), and files that are not
/// resources.
fn create_tree(dir: &Path) {
    for (name, text) in [
        ("deploy.yaml", DEPLOY),
        ("svc.yml", SVC),
        ("notes.txt", "not yaml\n"),
        ("values.yaml", "replicas: 3\n"),
        (
            "sub/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        (
            "sub/deeper/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
        ),
        ("base/kustomization.yaml", "resources:\n- cm.yaml\n"),
        (
            "base/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
        ),
    ] {
        support::write(dir, name, text);
    }
}

#[test]
fn create_matches_kustomize() {
    let Some(kz) = support::real_kustomize("create_matches_kustomize") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases: &[&[&str]] = &[
        &["create"],
        &["create", "--resources", "deploy.yaml,svc.yml"],
        &["create", "--resources", "*.yaml"],
        &["create", "--resources", "missing.yaml"],
        &["create", "--resources", "base"],
        &[
            "create",
            "--namespace",
            "prod",
            "--nameprefix",
            "p-",
            "--namesuffix",
            "-s",
        ],
        &[
            "create",
            "--labels",
            "app:web,tier:front",
            "--annotations",
            "owner:me,note:\"a b\"",
        ],
        &["create", "--labels", "bad"],
        &["create", "--autodetect"],
        &["create", "--autodetect", "--recursive"],
        &["create", "--autodetect=true", "--recursive=false"],
        &["create", "--autodetect", "--resources", "deploy.yaml"],
        &["create", "--recursive"],
    ];
    let mut failures = Vec::new();
    for (i, args) in cases.iter().enumerate() {
        let a = tmp.path().join(format!("{i}-kustomize"));
        let b = tmp.path().join(format!("{i}-rustomize"));
        create_tree(&a);
        create_tree(&b);
        let (ka, kb) = (run(&kz, &a, args), run(&ours(), &b, args));
        if ka.status.success() != kb.status.success() {
            failures.push(format!(
                "{args:?}: kustomize ok={}, rustomize ok={}\n{}{}",
                ka.status.success(),
                kb.status.success(),
                support::stderr(&ka),
                support::stderr(&kb)
            ));
            continue;
        }
        let read = |d: &Path| std::fs::read_to_string(d.join("kustomization.yaml")).ok();
        if read(&a) != read(&b) {
            failures.push(format!(
                "{args:?}: kustomization.yaml differs\n--- kustomize\n{}--- rustomize\n{}",
                read(&a).unwrap_or_default(),
                read(&b).unwrap_or_default()
            ));
        }
        // A second create refuses to replace the file, as kustomize's does.
        if ka.status.success() {
            let (ka2, kb2) = (run(&kz, &a, args), run(&ours(), &b, args));
            if ka2.status.success() != kb2.status.success() || read(&a) != read(&b) {
                failures.push(format!("{args:?} run twice: exit statuses or files differ"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn git(dir: &Path, args: &[&str]) {
    support::git_in(dir, "main", args);
}

#[test]
fn add_remote_resource_matches_kustomize() {
    let test = "add_remote_resource_matches_kustomize";
    let (Some(kz), Some(_)) = (support::real_kustomize(test), support::git(test)) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("app");
    support::write(
        &repo,
        "deploy/kustomization.yaml",
        "resources:\n- deploy.yaml\n",
    );
    support::write(&repo, "deploy/deploy.yaml", DEPLOY);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "app"]);
    git(&repo, &["tag", "v1.0.0"]);
    let config = support::GitConfig::new();
    config.redirect("org/app", &repo);
    config.redirect("org/gone", &tmp.path().join("no-such-repo"));
    let mut failures = Vec::new();
    for target in [
        "github.com/org/app//deploy?ref=v1.0.0",
        "https://github.com/org/app//deploy?ref=main",
        "github.com/org/app//missing?ref=v1.0.0",
        "github.com/org/app//deploy?ref=no-such-ref",
        "github.com/org/gone//deploy?ref=v1.0.0",
    ] {
        let mut outcomes = Vec::new();
        for (who, bin) in [("kustomize", &kz), ("rustomize", &ours())] {
            let dir = tmp
                .path()
                .join(format!("{who}-{}", outcomes.len() + failures.len()));
            support::write(
                &dir,
                "kustomization.yaml",
                "resources:\n- local.yaml # kept\n",
            );
            support::write(&dir, "local.yaml", SVC);
            let mut cmd = Command::new(bin);
            cmd.args(["edit", "add", "resource", target])
                .current_dir(&dir)
                .env("RUSTOMIZE_CACHE_DIR", tmp.path().join("cache"))
                .env("HOME", tmp.path());
            config.apply(&mut cmd);
            let out = cmd.output().expect("run");
            let text = std::fs::read_to_string(dir.join("kustomization.yaml")).expect("read");
            outcomes.push((out.status.success(), text, support::stderr(&out)));
        }
        let (k, r) = (&outcomes[0], &outcomes[1]);
        let strip = |t: &str| t.replace(" # kept", "");
        if k.0 != r.0 || strip(&k.1) != strip(&r.1) {
            failures.push(format!(
                "{target}: kustomize ok={} wrote\n{}{}--- rustomize ok={} wrote\n{}{}",
                k.0, k.1, k.2, r.0, r.1, r.2
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn edits_go_through_a_symlinked_kustomization_like_kustomizes() {
    let Some(kz) = support::real_kustomize("edits_go_through_a_symlinked_kustomization") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut results = Vec::new();
    for (who, bin) in [("kustomize", &kz), ("rustomize", &ours())] {
        let root = tmp.path().join(who);
        support::write(
            &root,
            "shared/kustomization.yaml",
            "resources:\n- svc.yaml\n",
        );
        support::write(&root, "app/svc.yaml", SVC);
        std::os::unix::fs::symlink(
            root.join("shared/kustomization.yaml"),
            root.join("app/kustomization.yaml"),
        )
        .expect("symlink");
        let out = run(
            bin,
            &root.join("app"),
            &["edit", "set", "namespace", "prod"],
        );
        assert!(out.status.success(), "{who}: {}", support::stderr(&out));
        let link = std::fs::symlink_metadata(root.join("app/kustomization.yaml")).expect("meta");
        let target = std::fs::read_to_string(root.join("shared/kustomization.yaml")).expect("read");
        results.push((link.file_type().is_symlink(), target));
    }
    assert_eq!(results[0], results[1], "kustomize, then rustomize");
    assert!(results[1].0, "the link stays a link");
}

#[test]
fn concurrent_edits_from_many_processes_all_land() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    support::write(
        dir,
        "kustomization.yaml",
        "# the app\nresources: [] # filled below\n",
    );
    let n = 12;
    for i in 0..n {
        let cm = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n");
        support::write(dir, &format!("r{i}.yaml"), &cm);
    }
    let children: Vec<std::process::Child> = (0..n)
        .map(|i| {
            Command::new(ours())
                .args(["edit", "add", "resource", &format!("r{i}.yaml")])
                .current_dir(dir)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", support::stderr(&out));
    }
    let text = std::fs::read_to_string(dir.join("kustomization.yaml")).expect("read");
    assert!(text.starts_with("# the app\n"), "{text}");
    for i in 0..n {
        assert!(
            text.contains(&format!("r{i}.yaml")),
            "r{i}.yaml lost:\n{text}"
        );
    }
    // No temporary file is left behind.
    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let build = run(&ours(), dir, &["build", "."]);
    assert!(build.status.success(), "{}", support::stderr(&build));
}

#[test]
fn version_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let plain = run(&ours(), tmp.path(), &["version"]);
    assert!(
        support::stdout(&plain).starts_with("v5.5.0 "),
        "{}",
        support::stdout(&plain)
    );
    let yaml = support::stdout(&run(&ours(), tmp.path(), &["version", "-o", "yaml"]));
    assert!(yaml.contains("version: kustomize/v5.5.0\n"), "{yaml}");
    let json = support::stdout(&run(&ours(), tmp.path(), &["version", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["version"], "kustomize/v5.5.0", "{json}");
    let short = run(&ours(), tmp.path(), &["version", "--short"]);
    assert!(support::stdout(&short).starts_with("{kustomize/v5.5.0 "));
    assert!(support::stderr(&short).contains("Flag --short has been deprecated"));
    let both = run(&ours(), tmp.path(), &["version", "--short", "-o", "yaml"]);
    assert_eq!(both.status.code(), Some(1));
}

#[test]
fn completion_for_every_shell_under_both_names() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let link = tmp.path().join("kustomize");
    std::os::unix::fs::symlink(ours(), &link).expect("symlink");
    for (bin, name) in [(ours(), "rustomize"), (link.clone(), "kustomize")] {
        for shell in ["bash", "zsh", "fish", "powershell"] {
            let out = run(&bin, tmp.path(), &["completion", shell]);
            let script = support::stdout(&out);
            assert!(
                out.status.success(),
                "{name} {shell}: {}",
                support::stderr(&out)
            );
            assert!(
                script.contains(name),
                "{name} {shell} script does not name {name}"
            );
            assert!(
                script.contains("edit"),
                "{name} {shell} script lacks the edit command"
            );
        }
    }
}

#[test]
fn build_flags_and_environment_as_kustomize() {
    let Some(kz) = support::real_kustomize("build_flags_and_environment_as_kustomize") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("app");
    support::write(
        &dir,
        "kustomization.yaml",
        "resources:\n- svc.yaml\n- deploy.yaml\n",
    );
    support::write(&dir, "svc.yaml", SVC);
    support::write(&dir, "deploy.yaml", DEPLOY);
    let mut failures = Vec::new();
    for (args, env) in [
        (&["build", "--reorder", "none", "."][..], None),
        (&["build", "--reorder=legacy"], None),
        (
            &["build", "."],
            Some(("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL", "on")),
        ),
        (&["build", "--enable-managedby-label=true", "."], None),
        (&["build", "--load-restrictor=LoadRestrictionsNone"], None),
    ] {
        let go = |bin: &Path| {
            let mut c = Command::new(bin);
            c.args(args).current_dir(&dir);
            if let Some((k, v)) = env {
                c.env(k, v);
            }
            c.output().expect("run")
        };
        let (k, r) = (go(&kz), go(&ours()));
        if k.status.success() != r.status.success()
            || k.stdout != r.stdout
            || support::stderr(&k) != support::stderr(&r)
        {
            failures.push(format!(
                "{args:?} {env:?}:\n--- kustomize\n{}{}--- rustomize\n{}{}",
                support::stdout(&k),
                support::stderr(&k),
                support::stdout(&r),
                support::stderr(&r)
            ));
        }
    }
    // No kustomization: both fail, naming the directory.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let (k, r) = (
        run(&kz, &empty, &["build"]),
        run(&ours(), &empty, &["build"]),
    );
    let shown = empty.canonicalize().expect("canonicalize");
    if k.status.success()
        || r.status.success()
        || !support::stderr(&r).contains(&*shown.to_string_lossy())
    {
        failures.push(format!(
            "build of a directory without a kustomization:\n--- kustomize\n{}--- rustomize\n{}",
            support::stderr(&k),
            support::stderr(&r)
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
