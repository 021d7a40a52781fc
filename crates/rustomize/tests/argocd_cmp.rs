//! The Argo CD config management plugin (contrib/argocd/plugin.yaml), run
//! the way argocd-cmp-server runs it: a copy of the repository owned by the
//! sidecar's user, the application's path as the working directory, the
//! commands of plugin.yaml found on `PATH`, uid 999 (through `setpriv`,
//! when the test runs as root; else as the current user, saying so), no
//! `HOME`, and only the sidecar's and Argo CD's environment variables
//! (`ARGOCD_APP_*`, `KUBE_VERSION`, `KUBE_API_VERSIONS`, `ARGOCD_ENV_*`,
//! `ARGOCD_APP_PARAMETERS`; cmp-server drops empty ones).
//!
//! For a plain app (under each of the three kustomization file names), a
//! helm app (real helm: `$HELM_BIN`, `helm` on `PATH` or
//! /root/go/bin/helm; skipped without it unless RUSTOMIZE_REQUIRE_ORACLES=1),
//! a remote-base app (a local git repository through `insteadOf`) with a
//! writable cache, an unwritable one and none at all, stdout must be
//! exactly what `rustomize build` prints for the same flags; for the helm
//! app also what the real kustomize prints with the flags Argo CD's own
//! kustomize support passes (when /root/go/bin/kustomize is there).

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{copy_tree, stderr, stdout, workspace, write};

/// The sidecar's user (Argo CD requires 999).
const UID: u32 = 999;

/// The `command` list of `spec.<section>` (`generate`, or `discover.find`)
/// in contrib/argocd/plugin.yaml.
fn plugin_command(section: &[&str]) -> Vec<String> {
    let path = workspace().join("contrib/argocd/plugin.yaml");
    let text = std::fs::read_to_string(&path).expect("read plugin.yaml");
    let doc = rustomize_yaml::parse_one(&text).expect("plugin.yaml is YAML");
    assert_eq!(doc.str_at(&["kind"]), Some("ConfigManagementPlugin"));
    let mut at = vec!["spec"];
    at.extend_from_slice(section);
    at.push("command");
    let cmd: Vec<String> = doc
        .get_path(&at)
        .and_then(|n| n.as_seq())
        .unwrap_or_else(|| panic!("plugin.yaml has no {}", at.join(".")))
        .iter()
        .map(|n| n.as_str().expect("a command word").to_string())
        .collect();
    assert!(
        doc.get_path(&[&at[..at.len() - 1], &["args"]].concat())
            .is_none(),
        "args are not expected"
    );
    cmd
}

/// Whether this process can run commands as another user.
fn can_switch_users() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    root && Path::new("/usr/bin/setpriv").exists()
}

/// Hard-links (or copies) a program into `dir`, executable by anyone.
fn install(program: &Path, dir: &Path, name: &str) {
    let to = dir.join(name);
    if std::fs::hard_link(program, &to).is_err() {
        std::fs::copy(program, &to).expect("copy a program into the sidecar");
    }
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Gives a tree to the sidecar's user, as cmp-server's extraction would.
fn chown_tree(path: &Path) {
    std::os::unix::fs::lchown(path, Some(UID), Some(UID)).expect("chown");
    if path.is_dir() && !path.is_symlink() {
        for e in std::fs::read_dir(path).expect("read_dir") {
            chown_tree(&e.expect("entry").path());
        }
    }
}

/// The real helm, if any.
fn helm() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("HELM_BIN").map(PathBuf::from),
        std::env::var_os("PATH").and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("helm"))
                .find(|h| h.is_file())
        }),
        Some(PathBuf::from("/root/go/bin/helm")),
    ];
    let found = candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["version", "--short"])
            .output()
            .is_ok_and(|o| o.status.success() && stdout(&o).starts_with("v3."))
    });
    if found.is_none() {
        let why = "no helm v3 ($HELM_BIN, helm on PATH, /root/go/bin/helm)";
        assert!(
            !support::oracles_required(),
            "argocd_cmp helm app: {why} ({}=1)",
            support::REQUIRE_ORACLES
        );
        eprintln!("argocd_cmp helm app: skipped: {why}");
    }
    found
}

/// A sidecar: a world-readable root with `bin/` (rustomize, and helm when
/// given) and the copies of repositories it builds.
struct Sidecar {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    bin: PathBuf,
    as_uid: bool,
    git_config: support::GitConfig,
}

impl Sidecar {
    fn new(helm: Option<&Path>) -> Sidecar {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let bin = root.join("bin");
        std::fs::create_dir(&bin).expect("mkdir bin");
        install(
            Path::new(env!("CARGO_BIN_EXE_rustomize")),
            &bin,
            "rustomize",
        );
        if let Some(h) = helm {
            install(h, &bin, "helm");
        }
        let as_uid = can_switch_users();
        if !as_uid {
            eprintln!(
                "argocd_cmp: not root or no setpriv: commands run as the current user, not uid {UID}"
            );
        }
        let git_config = support::GitConfig::new();
        Sidecar {
            _tmp: tmp,
            root,
            bin,
            as_uid,
            git_config,
        }
    }

    /// A directory the sidecar's user owns.
    fn owned_dir(&self, rel: &str) -> PathBuf {
        let d = self.root.join(rel);
        std::fs::create_dir_all(&d).expect("mkdir");
        if self.as_uid {
            chown_tree(&d);
        }
        d
    }

    /// Copies a repository into the sidecar's work directory, as
    /// cmp-server extracts the tarball the repo-server sends.
    fn receive(&self, repo: &Path, name: &str) -> PathBuf {
        let to = self.root.join("_cmp_server").join(name);
        copy_tree(repo, &to);
        if self.as_uid {
            chown_tree(&to);
        }
        to
    }

    /// Runs a plugin command in `app_dir` with only `vars` (plus `PATH` and
    /// the test's git configuration) in the environment, as uid 999 when
    /// possible.
    fn run(&self, command: &[String], app_dir: &Path, vars: &[(String, String)]) -> Output {
        let program = self.bin.join(&command[0]);
        assert!(
            program.is_file(),
            "{} is not in the sidecar's PATH",
            command[0]
        );
        let mut cmd = if self.as_uid {
            let mut c = Command::new("/usr/bin/setpriv");
            c.args([
                format!("--reuid={UID}"),
                format!("--regid={UID}"),
                "--clear-groups".into(),
                "--".into(),
            ])
            .arg(&program);
            c
        } else {
            Command::new(&program)
        };
        cmd.args(&command[1..]).current_dir(app_dir).env_clear();
        self.git_config.apply(&mut cmd);
        cmd.env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin.display()),
        );
        for (k, v) in vars {
            // cmp-server never sets a variable with an empty value.
            if !v.is_empty() {
                cmd.env(k, v);
            }
        }
        cmd.output().expect("run the plugin command")
    }
}

/// The variables Argo CD sets for an Application (its build environment),
/// plus `extra`.
fn argocd_env(app_path: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = [
        ("ARGOCD_APP_NAME", "dojo-staging"),
        ("ARGOCD_APP_NAMESPACE", "app-staging"),
        ("ARGOCD_APP_PROJECT_NAME", "default"),
        (
            "ARGOCD_APP_REVISION",
            "0123456789abcdef0123456789abcdef01234567",
        ),
        ("ARGOCD_APP_REVISION_SHORT", "0123456"),
        ("ARGOCD_APP_REVISION_SHORT_8", "01234567"),
        ("ARGOCD_APP_SOURCE_PATH", app_path),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://github.com/org/infra.git",
        ),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", "HEAD"),
        ("KUBE_VERSION", "1.30"),
        (
            "KUBE_API_VERSIONS",
            "v1,apps/v1,networking.k8s.io/v1,monitoring.coreos.com/v1",
        ),
        // `plugin: {}` with no parameters.
        ("ARGOCD_APP_PARAMETERS", "null"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    vars
}

/// `rustomize build DIR ARGS...` as a user runs it, with the sidecar's git
/// configuration; its stdout.
fn expected_build(sidecar: &Sidecar, dir: &Path, args: &[&str], path: Option<&Path>) -> String {
    let mut cmd = support::rustomize();
    sidecar.git_config.apply(&mut cmd);
    cmd.arg("build").arg(dir).args(args);
    cmd.env("RUSTOMIZE_CACHE_DIR", sidecar.root.join("expected-cache"));
    if let Some(p) = path {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![p.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).expect("PATH"));
    }
    let out = cmd.output().expect("run rustomize build");
    assert!(out.status.success(), "rustomize build: {}", stderr(&out));
    stdout(&out)
}

/// Asserts a generate run printed exactly `want` and succeeded.
fn assert_generated(what: &str, out: &Output, want: &str) {
    assert!(
        out.status.success(),
        "{what}: generate failed ({}):\n{}",
        out.status,
        stderr(out)
    );
    assert!(!want.is_empty(), "{what}: the expected build is empty");
    assert!(
        stdout(out) == want,
        "{what}: stdout is not exactly the build.\n--- stderr:\n{}\n--- stdout:\n{}",
        stderr(out),
        stdout(out)
    );
}

#[test]
fn discovery_matches_the_three_kustomization_file_names_and_nothing_else() {
    let sidecar = Sidecar::new(None);
    let discover = plugin_command(&["discover", "find"]);
    let repo = sidecar.root.join("repo-src");
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        write(&repo, &format!("{name}/{name}"), "resources: []\n");
    }
    write(&repo, "none/deployment.yaml", "kind: Deployment\n");
    write(&repo, "dir/kustomization.yaml/x", "");
    let copy = sidecar.receive(&repo, "discover");
    let mut failures = Vec::new();
    for (app, want) in [
        ("kustomization.yaml", "kustomization.yaml\n"),
        ("kustomization.yml", "kustomization.yml\n"),
        ("Kustomization", "Kustomization\n"),
        ("none", ""),
        ("dir", ""),
    ] {
        let out = sidecar.run(&discover, &copy.join(app), &argocd_env(app, &[]));
        if !out.status.success() || stdout(&out) != want {
            failures.push(format!(
                "{app}: {} stdout {:?} stderr {:?}",
                out.status,
                stdout(&out),
                stderr(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_plain_app_under_each_file_name_is_exactly_the_build() {
    let sidecar = Sidecar::new(None);
    let generate = plugin_command(&["generate"]);
    let repo = sidecar.root.join("repo-src");
    copy_tree(&workspace().join("examples/dojo"), &repo);
    let app = "deploy/k8s/overlays/production";
    let want = expected_build(&sidecar, &repo.join(app), &[], None);
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let copy = sidecar.receive(&repo, &format!("plain-{name}"));
        if name != "kustomization.yaml" {
            std::fs::rename(
                copy.join(app).join("kustomization.yaml"),
                copy.join(app).join(name),
            )
            .expect("rename the kustomization");
        }
        let out = sidecar.run(&generate, &copy.join(app), &argocd_env(app, &[]));
        assert_generated(name, &out, &want);
        assert!(
            stderr(&out).contains("running rustomize build ."),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_helm_app_gets_the_clusters_kube_version_and_api_versions() {
    let Some(helm) = helm() else { return };
    let sidecar = Sidecar::new(Some(&helm));
    let generate = plugin_command(&["generate"]);
    let repo = sidecar.root.join("repo-src");
    let app = "apps/web";
    write(
        &repo,
        "apps/web/kustomization.yaml",
        "namespace: web\nhelmCharts:\n- name: web\n  releaseName: web\n  valuesInline:\n    replicas: 2\n",
    );
    write(
        &repo,
        "apps/web/charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(&repo, "apps/web/charts/web/values.yaml", "replicas: 1\n");
    write(
        &repo,
        "apps/web/charts/web/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  annotations:\n    kube-version: {{ .Capabilities.KubeVersion.Version | quote }}\nspec:\n  replicas: {{ .Values.replicas }}\n",
    );
    write(
        &repo,
        "apps/web/charts/web/templates/monitor.yaml",
        "{{- if .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" }}\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: {{ .Release.Name }}\n{{- end }}\n",
    );
    let copy = sidecar.receive(&repo, "helm");
    let flags = [
        "--enable-helm",
        "--helm-kube-version",
        "1.30",
        "--helm-api-versions",
        "v1",
        "--helm-api-versions",
        "apps/v1",
        "--helm-api-versions",
        "networking.k8s.io/v1",
        "--helm-api-versions",
        "monitoring.coreos.com/v1",
    ];
    let want = expected_build(&sidecar, &repo.join(app), &flags, Some(&sidecar.bin));
    assert!(
        want.contains("kind: ServiceMonitor") && want.contains("kube-version: v1.30\n"),
        "the chart did not see the cluster's versions:\n{want}"
    );
    let rows: [(&str, Vec<(&str, &str)>); 2] = [
        (
            "parameter",
            vec![(
                "ARGOCD_APP_PARAMETERS",
                r#"[{"name":"enable-helm","string":"true"},{"name":"build-options","array":[]}]"#,
            )],
        ),
        (
            "ARGOCD_ENV_ENABLE_HELM",
            vec![("ARGOCD_ENV_ENABLE_HELM", "true")],
        ),
    ];
    for (what, extra) in rows {
        let out = sidecar.run(&generate, &copy.join(app), &argocd_env(app, &extra));
        assert_generated(what, &out, &want);
    }

    // Helm off: helmCharts is refused, nothing on stdout.
    let out = sidecar.run(&generate, &copy.join(app), &argocd_env(app, &[]));
    assert!(!out.status.success(), "built without --enable-helm");
    assert_eq!(stdout(&out), "");

    // What Argo CD's own kustomize support would render with kustomize
    // v5.5.0 and the same flags.
    let kustomize = PathBuf::from(
        std::env::var("KUSTOMIZE_BIN").unwrap_or_else(|_| "/root/go/bin/kustomize".into()),
    );
    if !kustomize.is_file() {
        assert!(
            !support::oracles_required(),
            "no kustomize at {}",
            kustomize.display()
        );
        eprintln!(
            "argocd_cmp helm app: kustomize comparison skipped: no {}",
            kustomize.display()
        );
        return;
    }
    let out = Command::new(&kustomize)
        .arg("build")
        .arg(repo.join(app))
        .args(flags)
        .arg("--helm-command")
        .arg(&helm)
        .output()
        .expect("run kustomize");
    assert!(out.status.success(), "kustomize: {}", stderr(&out));
    assert_eq!(stdout(&out), want, "rustomize and kustomize differ");
}

/// The infra repository's staging app pulling `github.com/org/app` (a
/// local repository of examples/dojo, tagged v0.1.0) through `insteadOf`.
fn remote_app(sidecar: &Sidecar) -> (PathBuf, &'static str) {
    let origin = sidecar.root.join("origin/app");
    copy_tree(
        &workspace().join("examples/dojo/deploy"),
        &origin.join("deploy"),
    );
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(&origin)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "v0.1.0"]);
    git(&["tag", "v0.1.0"]);
    sidecar.git_config.redirect("org/app", &origin);
    // It stands in for a server: whoever runs git may read it (git
    // refuses repositories of other users by default).
    for dir in [origin.clone(), origin.join(".git")] {
        let out = Command::new("git")
            .arg("config")
            .arg("--file")
            .arg(sidecar.git_config.file())
            .arg("--add")
            .arg("safe.directory")
            .arg(&dir)
            .output()
            .expect("run git config");
        assert!(out.status.success(), "git config: {}", stderr(&out));
    }

    let repo = sidecar.root.join("infra-src");
    copy_tree(&workspace().join("examples/infra"), &repo);
    let app = "hosts/lab/k8s/apps/dojo/staging";
    let k = repo.join(app).join("kustomization.yaml");
    let text = std::fs::read_to_string(&k).expect("read");
    let local = "../../../../../../../dojo/deploy/k8s/overlays/staging";
    assert!(text.contains(local), "examples/infra changed");
    std::fs::write(
        &k,
        text.replace(
            local,
            "github.com/org/app//deploy/k8s/overlays/staging?ref=v0.1.0",
        ),
    )
    .expect("write");
    (repo, app)
}

#[test]
fn a_remote_base_app_builds_with_a_writable_an_unwritable_and_no_cache() {
    if support::git("argocd_cmp remote app").is_none() {
        return;
    }
    let sidecar = Sidecar::new(None);
    let generate = plugin_command(&["generate"]);
    let (repo, app) = remote_app(&sidecar);
    let want = expected_build(&sidecar, &repo.join(app), &[], None);
    assert!(want.contains("namespace: app-staging"), "{want}");

    // An emptyDir the sidecar owns: fetched once, then from the cache.
    let cache = sidecar.owned_dir("cache");
    let vars = argocd_env(
        app,
        &[("RUSTOMIZE_CACHE_DIR", &cache.display().to_string())],
    );
    let copy = sidecar.receive(&repo, "remote-1");
    let out = sidecar.run(&generate, &copy.join(app), &vars);
    assert_generated("writable cache", &out, &want);
    assert!(!stderr(&out).contains("Warning"), "{}", stderr(&out));
    assert!(cache.join("git").is_dir(), "nothing was cached");
    let copy = sidecar.receive(&repo, "remote-2");
    let out = sidecar.run(&generate, &copy.join(app), &vars);
    assert_generated("cached", &out, &want);

    // A cache directory the sidecar cannot write (root's, or, when the
    // test cannot switch users, one under a regular file): a private
    // temporary directory instead, with one warning.
    let unwritable = if sidecar.as_uid {
        let d = sidecar.root.join("root-owned-cache");
        std::fs::create_dir(&d).expect("mkdir");
        d
    } else {
        write(&sidecar.root, "a-file", "");
        sidecar.root.join("a-file/cache")
    };
    let vars = argocd_env(
        app,
        &[("RUSTOMIZE_CACHE_DIR", &unwritable.display().to_string())],
    );
    let copy = sidecar.receive(&repo, "remote-3");
    let out = sidecar.run(&generate, &copy.join(app), &vars);
    assert_generated("unwritable cache", &out, &want);
    let err = stderr(&out);
    assert_eq!(
        err.matches("Warning").count(),
        1,
        "one warning expected:\n{err}"
    );
    assert!(
        err.contains("cannot use the cache directory") && err.contains("temporary directory"),
        "{err}"
    );

    // No cache configured and no HOME: a temporary directory, with a
    // warning that says how to keep one.
    let copy = sidecar.receive(&repo, "remote-4");
    let out = sidecar.run(&generate, &copy.join(app), &argocd_env(app, &[]));
    assert_generated("no cache", &out, &want);
    assert!(
        stderr(&out).contains("RUSTOMIZE_CACHE_DIR"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn errors_exit_non_zero_with_nothing_on_stdout() {
    let sidecar = Sidecar::new(None);
    let generate = plugin_command(&["generate"]);
    let repo = sidecar.root.join("repo-src");
    write(&repo, "ok/kustomization.yaml", "resources: [cm.yaml]\n");
    write(
        &repo,
        "ok/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    write(
        &repo,
        "broken/kustomization.yaml",
        "resources: [missing.yaml]\n",
    );
    let copy = sidecar.receive(&repo, "errors");
    // (what, app, extra variables, a piece of the message)
    type Row<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let rows: [Row; 4] = [
        ("broken", "broken", vec![], "missing.yaml"),
        (
            "unknown parameter",
            "ok",
            vec![(
                "ARGOCD_APP_PARAMETERS",
                r#"[{"name":"enable_helm","string":"true"}]"#,
            )],
            "unknown parameter 'enable_helm'",
        ),
        (
            "bad build option",
            "ok",
            vec![("ARGOCD_ENV_BUILD_OPTIONS", "--no-such-flag")],
            "--no-such-flag",
        ),
        (
            "output redirected",
            "ok",
            vec![("ARGOCD_ENV_BUILD_OPTIONS", "-o out.yaml")],
            "-o/--output",
        ),
    ];
    let mut failures = Vec::new();
    for (what, app, extra, message) in rows {
        let out = sidecar.run(&generate, &copy.join(app), &argocd_env(app, &extra));
        if out.status.success() || !stdout(&out).is_empty() || !stderr(&out).contains(message) {
            failures.push(format!(
                "{what}: {} stdout {:?} stderr {:?}",
                out.status,
                stdout(&out),
                stderr(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(!copy.join("ok/out.yaml").exists());
}

/// An argocd-repo-server Deployment cut down from Argo CD's install
/// manifest: the volumes and mounts the sidecar patch relies on.
const REPO_SERVER: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
  labels: {app.kubernetes.io/name: argocd-repo-server}
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: argocd-repo-server}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argocd-repo-server}
    spec:
      containers:
      - name: argocd-repo-server
        image: quay.io/argoproj/argocd:latest
        args: [/usr/local/bin/argocd-repo-server]
        volumeMounts:
        - {name: tmp, mountPath: /tmp}
        - {name: plugins, mountPath: /home/argocd/cmp-server/plugins}
      initContainers:
      - name: copyutil
        image: quay.io/argoproj/argocd:latest
        command: [sh, -c]
        args: ['/bin/cp --update=none /usr/local/bin/argocd /var/run/argocd/argocd && /bin/ln -s /var/run/argocd/argocd /var/run/argocd/argocd-cmp-server']
        volumeMounts:
        - {name: var-files, mountPath: /var/run/argocd}
      volumes:
      - {name: tmp, emptyDir: {}}
      - {name: var-files, emptyDir: {}}
      - {name: plugins, emptyDir: {}}
";

#[test]
fn the_component_adds_the_sidecar_to_the_repo_server() {
    let tree = support::Tree::new();
    tree.copy_from_workspace("contrib/argocd", "contrib/argocd");
    tree.write("install/repo-server.yaml", REPO_SERVER);
    tree.write(
        "install/kustomization.yaml",
        "namespace: argocd\nresources: [repo-server.yaml]\ncomponents: [../contrib/argocd]\n\
images:\n- {name: rustomize-argocd-cmp, newName: registry.example.com/rustomize-argocd-cmp, newTag: v0.1.0}\n",
    );
    let dir = tree.path().join("install");
    let out = support::rustomize()
        .arg("build")
        .arg(&dir)
        .output()
        .expect("run rustomize build");
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = stdout(&out);

    let docs = rustomize_yaml::parse_documents(&yaml).expect("the output is YAML");
    let by_kind = |kind: &str| {
        docs.iter()
            .find(|d| d.str_at(&["kind"]) == Some(kind))
            .unwrap_or_else(|| panic!("no {kind} in\n{yaml}"))
    };
    let cm = by_kind("ConfigMap");
    let cm_name = cm.str_at(&["metadata", "name"]).expect("a name");
    assert!(cm_name.starts_with("rustomize-cmp-plugin-"), "{cm_name}");
    let plugin = std::fs::read_to_string(workspace().join("contrib/argocd/plugin.yaml"))
        .expect("read plugin.yaml");
    assert_eq!(cm.str_at(&["data", "plugin.yaml"]), Some(plugin.as_str()));

    let spec = by_kind("Deployment")
        .get_path(&["spec", "template", "spec"])
        .expect("a pod spec");
    let volumes: Vec<&str> = spec
        .get("volumes")
        .and_then(|v| v.as_seq())
        .expect("volumes")
        .iter()
        .filter_map(|v| v.str_at(&["name"]))
        .collect();
    let plugin_volume = spec
        .get("volumes")
        .and_then(|v| v.as_seq())
        .and_then(|vs| {
            vs.iter()
                .find(|v| v.str_at(&["name"]) == Some("rustomize-cmp-plugin"))
        })
        .expect("the plugin volume");
    assert_eq!(plugin_volume.str_at(&["configMap", "name"]), Some(cm_name));
    let containers = spec
        .get("containers")
        .and_then(|c| c.as_seq())
        .expect("containers");
    let mut names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c.str_at(&["name"]))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["argocd-repo-server", "rustomize"]);
    let sidecar = containers
        .iter()
        .find(|c| c.str_at(&["name"]) == Some("rustomize"))
        .expect("the sidecar");
    assert_eq!(
        sidecar.str_at(&["image"]),
        Some("registry.example.com/rustomize-argocd-cmp:v0.1.0")
    );
    let command = sidecar
        .get("command")
        .and_then(|c| c.as_seq())
        .expect("command");
    assert_eq!(
        command[0].as_str(),
        Some("/var/run/argocd/argocd-cmp-server")
    );
    assert_eq!(
        sidecar
            .get_path(&["securityContext", "runAsUser"])
            .and_then(|n| n.as_scalar())
            .map(|s| s.value.as_str()),
        Some("999")
    );
    let mounts = sidecar
        .get("volumeMounts")
        .and_then(|m| m.as_seq())
        .expect("mounts");
    let mut mounted = Vec::new();
    for m in mounts {
        let name = m.str_at(&["name"]).expect("a mount name");
        assert!(volumes.contains(&name), "mount of a missing volume {name}");
        mounted.push((name, m.str_at(&["mountPath"]).expect("a path")));
    }
    for want in [
        ("var-files", "/var/run/argocd"),
        ("plugins", "/home/argocd/cmp-server/plugins"),
        (
            "rustomize-cmp-plugin",
            "/home/argocd/cmp-server/config/plugin.yaml",
        ),
    ] {
        assert!(mounted.contains(&want), "{want:?} not in {mounted:?}");
    }

    // kubectl kustomize renders the same install.
    let Some(mut kubectl) = support::kubectl("argocd component") else {
        return;
    };
    let theirs = kubectl
        .arg("kustomize")
        .arg(&dir)
        .output()
        .expect("run kubectl");
    assert!(theirs.status.success(), "{}", stderr(&theirs));
    assert_eq!(stdout(&theirs), yaml);
}
