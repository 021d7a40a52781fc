//! The infra-repository scenario of SCENARIOS.md with real git and no
//! network: the app repository (examples/dojo) is a local git repository
//! with a tag `v0.1.0` and a later commit on `master`; the infra
//! kustomizations pull its overlays with `github.com/org/app//...?ref=...`,
//! redirected to the local repository with git's `insteadOf`.
//!
//! The output must equal what `kubectl kustomize` prints for the same trees
//! and redirection (checked directly when kubectl is installed, else against
//! `tests/remote/expected-*.yaml`, which kubectl produced). Skips when `git`
//! is missing, and compares with the recorded output only when kubectl
//! (with kustomize v5.5.0) is; under `RUSTOMIZE_REQUIRE_ORACLES=1` either
//! missing is a failure. Git reads a configuration file of the test's own
//! (`GIT_CONFIG_GLOBAL`), never the user's.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::copy_tree;

fn git(dir: &Path, args: &[&str]) {
    support::git_in(dir, "master", args);
}

struct Scenario {
    _tmp: tempfile::TempDir,
    git_config: support::GitConfig,
    root: PathBuf,
    app: PathBuf,
}

impl Scenario {
    fn new() -> Scenario {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");

        // The app repository: the dojo tree, tagged v0.1.0, then a change on
        // master that only the staging build (ref=master) sees.
        let app = root.join("app");
        copy_tree(&examples.join("dojo/deploy"), &app.join("deploy"));
        git(&app, &["init", "-q"]);
        git(&app, &["add", "-A"]);
        git(&app, &["commit", "-qm", "v0.1.0"]);
        git(&app, &["tag", "v0.1.0"]);
        let staging = app.join("deploy/k8s/overlays/staging/kustomization.yaml");
        let mut text = std::fs::read_to_string(&staging).expect("read staging");
        text.push_str("\ncommonAnnotations:\n  release: next\n");
        std::fs::write(&staging, text).expect("write staging");
        git(&app, &["commit", "-qam", "after v0.1.0"]);

        // The infra repository: the example's files, with the local base
        // replaced by the remote one.
        let infra = root.join("infra");
        copy_tree(&examples.join("infra"), &infra);
        for (env, reference) in [("staging", "master"), ("production", "v0.1.0")] {
            let k = infra.join(format!("hosts/lab/k8s/apps/dojo/{env}/kustomization.yaml"));
            let text = std::fs::read_to_string(&k).expect("read infra kustomization");
            let local = format!("../../../../../../../dojo/deploy/k8s/overlays/{env}");
            assert!(
                text.contains(&local),
                "examples/infra changed: {local} not found"
            );
            let remote = format!("github.com/org/app//deploy/k8s/overlays/{env}?ref={reference}");
            std::fs::write(&k, text.replace(&local, &remote)).expect("write infra kustomization");
        }
        let git_config = support::GitConfig::new();
        git_config.redirect("org/app", &app);
        Scenario {
            _tmp: tmp,
            git_config,
            root,
            app,
        }
    }

    fn env_dir(&self, env: &str) -> PathBuf {
        self.root
            .join(format!("infra/hosts/lab/k8s/apps/dojo/{env}"))
    }

    fn run(&self, program: &str, args: &[&str], dir: &Path) -> Output {
        let mut cmd = Command::new(program);
        self.git_config
            .apply(&mut cmd)
            .args(args)
            .arg(dir)
            .env("RUSTOMIZE_CACHE_DIR", self.root.join("cache"))
            // Never let kubectl reach out for anything.
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .output()
            .expect("run")
    }
}

fn expected(env: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/remote/expected-{env}.yaml"))
}

#[test]
fn infra_envs_build_from_remote_overlays_like_kubectl() {
    let test = "infra_envs_build_from_remote_overlays_like_kubectl";
    if support::git(test).is_none() {
        return;
    }
    let kubectl = support::kubectl(test).is_some();
    let s = Scenario::new();
    let bin = env!("CARGO_BIN_EXE_rustomize");
    for env in ["staging", "production"] {
        let dir = s.env_dir(env);
        let ours = s.run(bin, &["build"], &dir);
        assert!(
            ours.status.success(),
            "{env}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let ours = String::from_utf8(ours.stdout).expect("utf-8");
        if std::env::var_os("RUSTOMIZE_BLESS").is_some() {
            std::fs::write(expected(env), &ours).expect("bless");
        }
        let want = std::fs::read_to_string(expected(env)).expect("expected output");
        assert_eq!(
            ours, want,
            "{env}: output differs from tests/remote/expected-{env}.yaml"
        );
        if kubectl {
            let theirs = s.run("kubectl", &["kustomize"], &dir);
            assert!(
                theirs.status.success(),
                "kubectl: {}",
                String::from_utf8_lossy(&theirs.stderr)
            );
            assert_eq!(
                ours,
                String::from_utf8_lossy(&theirs.stdout),
                "{env}: differs from kubectl kustomize"
            );
        }
    }
    // A remote target can be built directly, as `kustomize build URL` does.
    let url = Path::new("github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0");
    let direct = s.run(bin, &["build"], url);
    assert!(
        direct.status.success(),
        "{}",
        String::from_utf8_lossy(&direct.stderr)
    );
    if kubectl {
        let theirs = s.run("kubectl", &["kustomize"], url);
        assert_eq!(
            direct.stdout, theirs.stdout,
            "remote target differs from kubectl kustomize"
        );
    }
    assert!(String::from_utf8_lossy(&direct.stdout).contains("kind: Deployment"));

    // The staging build follows master, production stays on the tag.
    let staging = std::fs::read_to_string(expected("staging")).expect("staging");
    let production = std::fs::read_to_string(expected("production")).expect("production");
    assert!(staging.contains("release: next") && !production.contains("release: next"));
}

#[test]
fn cached_remotes_build_offline_and_without_the_origin() {
    if support::git("cached_remotes_build_offline_and_without_the_origin").is_none() {
        return;
    }
    let s = Scenario::new();
    let bin = env!("CARGO_BIN_EXE_rustomize");
    let dir = s.env_dir("production");
    let first = s.run(bin, &["build"], &dir);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // Remove the origin: the tag is served from the cache.
    std::fs::remove_dir_all(&s.app).expect("remove origin");
    let second = s.run(bin, &["build"], &dir);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(first.stdout, second.stdout);
    let offline = s.run(bin, &["build", "--offline"], &dir);
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    assert_eq!(first.stdout, offline.stdout);

    // A ref never fetched is a clear error offline, and nothing is printed.
    let k = dir.join("kustomization.yaml");
    let text = std::fs::read_to_string(&k).expect("read");
    std::fs::write(&k, text.replace("ref=v0.1.0", "ref=v9.9.9")).expect("write");
    let missing = s.run(bin, &["build", "--offline"], &dir);
    assert!(!missing.status.success());
    assert!(missing.stdout.is_empty());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("github.com/org/app"), "{err}");

    // `remotes` lists what the build used, with the commit.
    std::fs::write(&k, text).expect("restore");
    let listed = s.run(bin, &["remotes", "--offline"], &dir);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed
            .contains("github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0  tag v0.1.0 "),
        "{listed}"
    );
}
