//! `rustomize promote` and `rustomize rollback` with real Git repositories
//! and no network: an app repository (tags `v0.1.0` and `v0.2.0`, then a
//! commit on `master`; v0.2.0 grows its claim and adds a migration Job)
//! reached as `https://github.com/org/app` through `insteadOf` in a
//! GIT_CONFIG_GLOBAL of the test's own, and an infra repository whose
//! production pins `?ref=v0.1.0` and `newTag: v0.1.0` and whose staging
//! tracks `master`. Skipped (with a message) without git, unless
//! RUSTOMIZE_REQUIRE_ORACLES=1.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PRODUCTION: &str = "\
# production: one release, the manifests and the image together.
namespace: app-prod

resources:
  # the app's production overlay, at the release
  - github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0 # pinned

images:
  # moves with the ref
  - name: ghcr.io/org/app
    newTag: v0.1.0 # the release
";

const STAGING: &str = "\
# staging follows master
namespace: app-staging
resources:
  - github.com/org/app//deploy/k8s/overlays/staging?ref=master
";

fn deployment(tag: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n  strategy: {{type: Recreate}}\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/org/app:{tag}\n        volumeMounts: [{{name: data, mountPath: /data}}]\n      - name: cache\n        image: redis:7.2\n      volumes:\n      - name: data\n        persistentVolumeClaim: {{claimName: app-data}}\n"
    )
}

fn pvc(size: &str) -> String {
    format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: app-data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {size}\n"
    )
}

struct Scenario {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    app: PathBuf,
    infra: PathBuf,
    config: PathBuf,
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

impl Scenario {
    /// The repositories, or `None` (after a message) without git.
    fn new(test: &str) -> Option<Scenario> {
        support::git(test)?;
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().canonicalize().expect("canonical");
        let app = root.join("app");
        let config = root.join("gitconfig");
        support::write_scenario_git_config(&config, "master", &app);
        let s = Scenario {
            _tmp: tmp,
            infra: root.join("infra"),
            root,
            app,
            config,
        };
        let base = s.app.join("deploy/k8s/base");
        write(
            &base.join("kustomization.yaml"),
            "resources: [deployment.yaml, pvc.yaml]\n",
        );
        write(&base.join("deployment.yaml"), &deployment("v0.1.0"));
        write(&base.join("pvc.yaml"), &pvc("1Gi"));
        let overlay = |env: &str, tag: &str| {
            format!(
                "resources: [../../base]\nimages:\n- name: ghcr.io/org/app\n  newTag: {tag}\n# {env}\n"
            )
        };
        let overlays = s.app.join("deploy/k8s/overlays");
        write(
            &overlays.join("production/kustomization.yaml"),
            &overlay("production", "v0.1.0"),
        );
        write(
            &overlays.join("staging/kustomization.yaml"),
            &overlay("staging", "edge"),
        );
        s.git(&s.app, &["init", "-q"]);
        s.git(&s.app, &["add", "-A"]);
        s.git(&s.app, &["commit", "-qm", "v0.1.0"]);
        s.git(&s.app, &["tag", "v0.1.0"]);
        // v0.2.0: a bigger claim and a migration Job.
        write(&base.join("pvc.yaml"), &pvc("2Gi"));
        write(
            &base.join("migrate.yaml"),
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate-v2\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: migrate\n        image: ghcr.io/org/app:v0.2.0\n",
        );
        write(
            &base.join("kustomization.yaml"),
            "resources: [deployment.yaml, pvc.yaml, migrate.yaml]\n",
        );
        write(
            &overlays.join("production/kustomization.yaml"),
            &overlay("production", "v0.2.0"),
        );
        s.git(&s.app, &["add", "-A"]);
        s.git(&s.app, &["commit", "-qm", "v0.2.0"]);
        s.git(&s.app, &["tag", "-a", "v0.2.0", "-m", "release v0.2.0"]);
        write(&base.join("deployment.yaml"), &deployment("v0.2.1-dev"));
        s.git(&s.app, &["commit", "-qam", "after v0.2.0"]);

        write(&s.prod().join("kustomization.yaml"), PRODUCTION);
        write(&s.staging().join("kustomization.yaml"), STAGING);
        write(&s.infra.join("README.md"), "infra\n");
        s.git(&s.infra, &["init", "-q"]);
        s.git(&s.infra, &["add", "-A"]);
        s.git(&s.infra, &["commit", "-qm", "deploy app"]);
        Some(s)
    }

    fn prod(&self) -> PathBuf {
        self.infra.join("hosts/lab/apps/app/production")
    }

    fn staging(&self) -> PathBuf {
        self.infra.join("hosts/lab/apps/app/staging")
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs rustomize in the infra repository.
    fn run(&self, args: &[&str]) -> Output {
        support::rustomize()
            .args(args)
            .current_dir(&self.infra)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("RUSTOMIZE_CACHE_DIR", self.root.join("cache"))
            .output()
            .expect("run rustomize")
    }

    /// `text` with the temporary root and commit ids (which change with
    /// the clock) redacted.
    fn redact(&self, text: &str) -> String {
        let text = support::redact(text, &[(&self.root, "[ROOT]")]);
        text.lines()
            .map(|l| match l.strip_prefix("committed ") {
                Some(rest) => match rest.split_once(' ') {
                    Some((id, tail)) if id.chars().all(|c| c.is_ascii_hexdigit()) => {
                        format!("committed [ID] {tail}")
                    }
                    _ => l.to_string(),
                },
                None => l.to_string(),
            })
            .map(|l| l + "\n")
            .collect()
    }
}

const PROD: &str = "hosts/lab/apps/app/production";
const STAGE: &str = "hosts/lab/apps/app/staging";

fn ok(out: &Output) -> (String, String) {
    let (o, e) = (support::stdout(out), support::stderr(out));
    assert!(
        out.status.success(),
        "exit {:?}\n{e}\n{o}",
        out.status.code()
    );
    (o, e)
}

fn failed(out: &Output) -> String {
    let e = support::stderr(out);
    assert_eq!(out.status.code(), Some(1), "{e}\n{}", support::stdout(out));
    assert!(out.stdout.is_empty(), "stdout: {}", support::stdout(out));
    e
}

#[test]
fn promote_production_moves_ref_and_tag_and_keeps_every_comment() {
    let Some(s) = Scenario::new("promote_production") else {
        return;
    };
    let (stdout, stderr) = ok(&s.run(&["promote", PROD, "--to", "v0.2.0"]));
    let file = read(&s.prod().join("kustomization.yaml"));
    assert_eq!(file, PRODUCTION.replace("v0.1.0", "v0.2.0"));
    assert!(
        stdout.contains(
            "-      - image: ghcr.io/org/app:v0.1.0\n+      - image: ghcr.io/org/app:v0.2.0"
        ),
        "{stdout}"
    );
    insta::assert_snapshot!("promote-production-diff", s.redact(&stdout));
    insta::assert_snapshot!("promote-production-stderr", s.redact(&stderr));
    // The redis sidecar is not the app's.
    assert!(!file.contains("redis"), "{file}");
    // Again: nothing to do.
    let (o, e) = ok(&s.run(&["promote", PROD, "--to", "v0.2.0"]));
    assert!(o.is_empty() && e.contains("is already at v0.2.0"), "{e}");
}

#[test]
fn promote_staging_to_a_commit_build_pins_the_image_and_keeps_the_branch() {
    let Some(s) = Scenario::new("promote_staging_sha") else {
        return;
    };
    let (stdout, _) = ok(&s.run(&["promote", STAGE, "--to", "sha-3f2a1bc"]));
    let file = read(&s.staging().join("kustomization.yaml"));
    assert_eq!(
        file,
        format!("{STAGING}images:\n  - name: ghcr.io/org/app\n    newTag: sha-3f2a1bc\n")
    );
    assert!(stdout.contains("ghcr.io/org/app:sha-3f2a1bc"), "{stdout}");
    // A digest sets `digest` instead of `newTag`.
    let digest = format!("sha256:{}", "ab".repeat(32));
    ok(&s.run(&["promote", STAGE, "--to", &digest]));
    let file = read(&s.staging().join("kustomization.yaml"));
    assert!(file.ends_with(&format!("    digest: {digest}\n")), "{file}");
}

#[test]
fn promote_staging_to_production() {
    let Some(s) = Scenario::new("promote_staging_to_production") else {
        return;
    };
    // Staging tracks a branch: production, which pins releases, refuses it.
    let e = failed(&s.run(&["promote", STAGE, PROD]));
    assert!(
        e.contains("tracks 'master', which is not a tag of https://github.com/org/app"),
        "{e}"
    );
    assert_eq!(read(&s.prod().join("kustomization.yaml")), PRODUCTION);
    ok(&s.run(&["promote", STAGE, "--to", "v0.2.0"]));
    let (stdout, _) = ok(&s.run(&["promote", STAGE, PROD]));
    assert_eq!(
        read(&s.prod().join("kustomization.yaml")),
        PRODUCTION.replace("v0.1.0", "v0.2.0")
    );
    assert!(stdout.contains("ghcr.io/org/app:v0.2.0"), "{stdout}");
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let Some(s) = Scenario::new("dry_run") else {
        return;
    };
    let (stdout, stderr) = ok(&s.run(&[
        "promote",
        "--dry-run",
        "--format",
        "markdown",
        PROD,
        "--to",
        "v0.2.0",
    ]));
    assert!(stdout.contains("ghcr.io/org/app:v0.2.0"), "{stdout}");
    assert!(
        stdout.starts_with("###") || stdout.contains("| Kind"),
        "{stdout}"
    );
    assert!(stderr.contains("dry run:"), "{stderr}");
    assert_eq!(read(&s.prod().join("kustomization.yaml")), PRODUCTION);
}

#[test]
fn commit_commits_only_that_file_and_refuses_a_dirty_one() {
    let Some(s) = Scenario::new("commit") else {
        return;
    };
    // Something else staged stays staged, out of the commit.
    write(&s.infra.join("README.md"), "infra, changed\n");
    s.git(&s.infra, &["add", "README.md"]);
    let (_, stderr) = ok(&s.run(&["promote", "--commit", PROD, "--to", "v0.2.0"]));
    assert!(stderr.contains("committed "), "{stderr}");
    let message = s.git(&s.infra, &["log", "-1", "--format=%B"]);
    insta::assert_snapshot!("commit-message", message);
    let files = s.git(&s.infra, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files, format!("{PROD}/kustomization.yaml\n"));
    assert_eq!(
        s.git(&s.infra, &["diff", "--cached", "--name-only"]),
        "README.md\n"
    );

    // A kustomization with uncommitted changes: refused, nothing written.
    let k = s.prod().join("kustomization.yaml");
    let dirty = read(&k).replace("# moves with the ref", "# moves with the ref!");
    write(&k, &dirty);
    let e = failed(&s.run(&["promote", "--commit", PROD, "--to", "v0.1.0"]));
    assert!(e.contains("has uncommitted changes"), "{e}");
    assert_eq!(read(&k), dirty);
    assert_eq!(s.git(&s.infra, &["log", "--format=%s"]).lines().count(), 2);
}

#[test]
fn rollback_returns_to_the_version_before_the_last_promotion_keeping_later_edits() {
    let Some(s) = Scenario::new("rollback") else {
        return;
    };
    let k = s.prod().join("kustomization.yaml");
    ok(&s.run(&["promote", "--commit", PROD, "--to", "v0.2.0"]));
    // An unrelated edit after the promotion.
    let later = read(&k).replace(
        "namespace: app-prod\n",
        "namespace: app-prod\ncommonAnnotations:\n  team: platform # later\n",
    );
    write(&k, &later);
    s.git(&s.infra, &["commit", "-qam", "annotate"]);
    let (stdout, stderr) = ok(&s.run(&["rollback", "--commit", PROD]));
    assert_eq!(read(&k), later.replace("v0.2.0", "v0.1.0"));
    assert!(stdout.contains("ghcr.io/org/app:v0.1.0"), "{stdout}");
    // v0.2.0 grew the claim and added a migration: neither rolls back.
    insta::assert_snapshot!("rollback-stderr", s.redact(&stderr));
    let message = s.git(&s.infra, &["log", "-1", "--format=%B"]);
    assert!(
        message.starts_with(&format!("rollback {PROD} to v0.1.0\n")),
        "{message}"
    );

    // Again: the version before the latest change of the pins (the
    // rollback itself) is v0.2.0.
    ok(&s.run(&["rollback", PROD]));
    assert_eq!(read(&k), later);
}

#[test]
fn rollback_to_a_version() {
    let Some(s) = Scenario::new("rollback_to") else {
        return;
    };
    let k = s.prod().join("kustomization.yaml");
    ok(&s.run(&["promote", PROD, "--to", "v0.2.0"]));
    // Uncommitted: the history walk starts from the working tree.
    ok(&s.run(&["rollback", "--dry-run", PROD]));
    assert_eq!(read(&k), PRODUCTION.replace("v0.1.0", "v0.2.0"));
    ok(&s.run(&["rollback", PROD, "--to", "v0.1.0"]));
    assert_eq!(read(&k), PRODUCTION);
    // Nothing earlier in the history of the pins.
    let e = failed(&s.run(&["rollback", PROD]));
    assert!(
        e.contains("has no earlier version of the app's pins"),
        "{e}"
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let Some(s) = Scenario::new("bad_input") else {
        return;
    };
    let k = s.prod().join("kustomization.yaml");
    let e = failed(&s.run(&["promote", PROD, "--to", "v9.9.9"]));
    assert!(
        e.contains(
            "'v9.9.9' is not a tag of https://github.com/org/app (its tags: v0.1.0, v0.2.0)"
        ),
        "{e}"
    );
    assert_eq!(read(&k), PRODUCTION);
    // No remote base and no image of the app.
    let plain = s.infra.join("plain");
    write(&plain.join("kustomization.yaml"), "resources: [cm.yaml]\n");
    write(
        &plain.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let e = failed(&s.run(&["promote", "plain", "--to", "v0.2.0"]));
    assert!(
        e.contains("no remote base and no images: entry of the app"),
        "{e}"
    );
    let e = failed(&s.run(&["promote", PROD, "--to", "v0.2.0", "--image", "nginx"]));
    assert!(
        e.contains("image 'nginx' is neither in an images: entry nor used"),
        "{e}"
    );
    let e = failed(&s.run(&["promote", "missing", "--to", "v0.2.0"]));
    assert!(e.contains("missing"), "{e}");
    // Usage: a version or a second environment.
    let out = s.run(&["promote", PROD]);
    assert_eq!(out.status.code(), Some(1), "{}", support::stderr(&out));
}

#[test]
fn check_reports_a_ref_and_tag_that_drift_apart_until_promote_moves_both() {
    let Some(s) = Scenario::new("version_drift") else {
        return;
    };
    let k = s.prod().join("kustomization.yaml");
    // A hand edit that moves the tag and forgets the ref.
    write(&k, &PRODUCTION.replace("newTag: v0.1.0", "newTag: v0.2.0"));
    let out = s.run(&["check", PROD]);
    let text = support::stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        support::stderr(&out)
    );
    let drift: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("version-drift"))
        .collect();
    insta::assert_snapshot!("version-drift-finding", drift.join("\n"));
    // Staging tracks master: not production, so no finding there.
    let out = s.run(&["check", STAGE]);
    assert!(
        !support::stdout(&out).contains("version-drift"),
        "{}",
        support::stdout(&out)
    );
    // The branch, in production, is one.
    write(&k, &PRODUCTION.replace("?ref=v0.1.0", "?ref=master"));
    let text = support::stdout(&s.run(&["check", PROD]));
    assert!(
        text.contains("error[version-drift] this workload comes from https://github.com/org/app at ?ref=master, which is not a release"),
        "{text}"
    );
    // promote moves both: no finding.
    write(&k, PRODUCTION);
    ok(&s.run(&["promote", PROD, "--to", "v0.2.0"]));
    let text = support::stdout(&s.run(&["check", PROD]));
    assert!(!text.contains("version-drift"), "{text}");
}
