//! What ships around the binary, run so it cannot rot:
//!
//! - the GitHub Action (`action.yml`): each `run:` step extracted and run
//!   with bash as the runner runs composite steps (`bash --noprofile
//!   --norc -eo pipefail`), its `${{ }}` expressions replaced by a pull
//!   request's values, `RUNNER_TEMP`/`GITHUB_PATH`/`GITHUB_STEP_SUMMARY`
//!   files, against a git checkout of examples/dojo with a change to
//!   production; `cargo` and `gh` are stand-ins on `PATH` that record
//!   their arguments (nothing reaches the network);
//! - the pre-commit hooks (`.pre-commit-hooks.yaml`): each entry split as
//!   pre-commit splits it and run with the overlays as arguments;
//! - `rustomize man --install-dir`, then `man` finding the pages (skipped
//!   with a message where `man` is not installed);
//! - the Dockerfiles: every file they copy from the repository exists.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use rustomize_yaml::Node;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{copy_tree, stderr, stdout, workspace, write};

fn git(dir: &Path, args: &[&str]) -> String {
    support::git_in(dir, "main", args)
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a stand-in");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A pull request on a clone of examples/dojo: `main` on the origin, the
/// working tree on `feature`, which moves production to another tag.
struct PullRequest {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repo: PathBuf,
    /// Stand-ins for `cargo` and `gh`.
    stubs: PathBuf,
    /// Where they record their calls.
    log: PathBuf,
}

impl PullRequest {
    fn new() -> PullRequest {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        let origin = root.join("origin.git");
        std::fs::create_dir(&origin).expect("mkdir");
        git(&origin, &["init", "-q", "--bare"]);
        let repo = root.join("repo");
        copy_tree(&workspace().join("examples/dojo"), &repo);
        git(&repo, &["init", "-q"]);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-qm", "dojo"]);
        git(
            &repo,
            &["remote", "add", "origin", &origin.display().to_string()],
        );
        git(&repo, &["push", "-q", "origin", "main"]);
        git(&repo, &["checkout", "-qb", "feature"]);
        let k = repo.join("deploy/k8s/overlays/production/kustomization.yaml");
        let text = std::fs::read_to_string(&k).expect("read");
        assert!(text.contains("newTag: v1.2.3"), "examples/dojo changed");
        std::fs::write(&k, text.replace("newTag: v1.2.3", "newTag: v1.3.0")).expect("write");
        git(&repo, &["commit", "-qam", "production: v1.3.0"]);
        // As after actions/checkout: the base branch must be fetched.
        git(&repo, &["update-ref", "-d", "refs/remotes/origin/main"]);

        let stubs = root.join("stubs");
        let log = root.join("log");
        std::fs::create_dir_all(&stubs).expect("mkdir");
        std::fs::create_dir_all(&log).expect("mkdir");
        executable(
            &stubs.join("cargo"),
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$STUB_LOG/cargo.args\"\n\
             while [ \"$#\" -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
             mkdir -p \"$root/bin\" && ln -sf \"$RUSTOMIZE_UNDER_TEST\" \"$root/bin/rustomize\"\n",
        );
        executable(
            &stubs.join("gh"),
            "#!/bin/sh\ni=$(ls \"$STUB_LOG\" | grep -c '^gh\\..*\\.args$')\ni=$((i + 1))\n\
             { printf 'GH_TOKEN=%s\\n' \"$GH_TOKEN\"; printf '%s\\n' \"$@\"; } > \"$STUB_LOG/gh.$i.args\"\n\
             for a in \"$@\"; do case \"$a\" in body=@*) cp \"${a#body=@}\" \"$STUB_LOG/gh.$i.body\";; esac; done\n\
             case \"$*\" in *--paginate*) [ -n \"${GH_EXISTING_ID:-}\" ] && echo \"$GH_EXISTING_ID\";; esac\n\
             exit 0\n",
        );
        PullRequest {
            _tmp: tmp,
            root,
            repo,
            stubs,
            log,
        }
    }

    fn logged(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.log.join(name)).ok()
    }
}

/// The runner: temp directory, the files steps append to, and `PATH`.
struct Runner {
    temp: PathBuf,
    github_path: PathBuf,
    summary: PathBuf,
}

impl Runner {
    fn new(root: &Path, name: &str) -> Runner {
        let temp = root.join(format!("runner-{name}"));
        std::fs::create_dir_all(&temp).expect("mkdir");
        let r = Runner {
            github_path: temp.join("github_path"),
            summary: temp.join("step_summary"),
            temp,
        };
        std::fs::write(&r.github_path, "").expect("write");
        std::fs::write(&r.summary, "").expect("write");
        r
    }

    /// `PATH` for the next step: what steps added to `GITHUB_PATH` (last
    /// first), then `base`.
    fn path(&self, base: &[&Path]) -> String {
        let added = std::fs::read_to_string(&self.github_path).expect("read GITHUB_PATH");
        let mut dirs: Vec<String> = added.lines().rev().map(str::to_string).collect();
        dirs.extend(base.iter().map(|p| p.display().to_string()));
        dirs.push("/usr/local/bin:/usr/bin:/bin".into());
        dirs.join(":")
    }
}

/// Replaces each `${{ expr }}` with its value from `values`; an expression
/// the table lacks fails the test (a new one needs a value here).
fn substitute(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("an unclosed ${{") + start;
        let expr = rest[start + 3..end].trim();
        let value = values
            .get(expr)
            .unwrap_or_else(|| panic!("no value for the expression `{expr}` in the test"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// One step of the action.
struct Step {
    name: String,
    /// Its `if:`.
    cond: Option<String>,
    env: Vec<(String, String)>,
    script: String,
}

/// The action's steps.
fn action_steps() -> Vec<Step> {
    let text = std::fs::read_to_string(workspace().join("action.yml")).expect("read action.yml");
    let doc = rustomize_yaml::parse_one(&text).expect("action.yml is YAML");
    assert_eq!(doc.str_at(&["runs", "using"]), Some("composite"));
    let steps = doc
        .get_path(&["runs", "steps"])
        .and_then(Node::as_seq)
        .expect("runs.steps");
    steps
        .iter()
        .map(|s| {
            let name = s.str_at(&["name"]).expect("a step name").to_string();
            assert_eq!(s.str_at(&["shell"]), Some("bash"), "{name}");
            let env = s
                .get("env")
                .and_then(Node::as_map)
                .map(|m| {
                    m.keys()
                        .map(|k| {
                            let v = m.get(k).and_then(Node::as_str).expect("an env value");
                            (k.to_string(), v.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let script = s.str_at(&["run"]).expect("a run script").to_string();
            Step {
                cond: s.str_at(&["if"]).map(str::to_string),
                name,
                env,
                script,
            }
        })
        .collect()
}

/// Runs one step's script as the runner does, in `dir`.
fn run_step(
    script: &str,
    env: &[(String, String)],
    values: &BTreeMap<&str, String>,
    runner: &Runner,
    path: &str,
    extra: &[(&str, &str)],
    dir: &Path,
) -> Output {
    let file = runner.temp.join("step.sh");
    std::fs::write(&file, script).expect("write the step");
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&file)
        .current_dir(dir)
        .env("PATH", path)
        .env("RUNNER_TEMP", &runner.temp)
        .env("GITHUB_PATH", &runner.github_path)
        .env("GITHUB_STEP_SUMMARY", &runner.summary)
        .env("GITHUB_ACTIONS", "true")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (k, v) in env {
        cmd.env(k, substitute(v, values));
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().expect("run bash")
}

/// The rustomize the action test installs: this package's binary, or
/// `$RUSTOMIZE_ACTION_BIN` (to try the action with another build).
fn action_bin() -> String {
    std::env::var("RUSTOMIZE_ACTION_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_rustomize").to_string())
}

/// Whether the binary has `diff` (it lands from another branch).
fn has_diff() -> bool {
    Command::new(action_bin())
        .args(["diff", "--help"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_action_installs_builds_checks_and_comments_the_diff() {
    if support::git("action test").is_none() {
        return;
    }
    let pr = PullRequest::new();
    let values: BTreeMap<&str, String> = [
        ("inputs.install", "cargo".to_string()),
        ("inputs.overlays", "deploy/k8s/overlays/*\n".to_string()),
        ("inputs.check-args", "--fail-on warning".into()),
        ("inputs.github-token", "secret-token".into()),
        ("github.action_path", workspace().display().to_string()),
        ("github.base_ref", "main".into()),
        ("github.event.pull_request.number", "7".into()),
        ("github.repository", "org/app".into()),
    ]
    .into_iter()
    .collect();
    let bin = action_bin();
    let stub_env = [
        ("STUB_LOG", pr.log.to_str().expect("utf-8")),
        ("RUSTOMIZE_UNDER_TEST", bin.as_str()),
    ];
    let steps = action_steps();
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Install rustomize",
            "Build",
            "Check",
            "Diff against the base branch"
        ]
    );
    let runner = Runner::new(&pr.root, "pr");
    let diff = has_diff();
    for Step {
        name,
        cond,
        env,
        script,
    } in &steps
    {
        let wanted = match cond.as_deref() {
            None => true,
            Some("inputs.check == 'true'") => true,
            Some("inputs.diff == 'true' && github.event_name == 'pull_request'") => true,
            Some(other) => panic!("{name}: a condition the test does not know: {other}"),
        };
        assert!(wanted);
        if name.starts_with("Diff") && !diff {
            eprintln!(
                "action test: `rustomize diff` is not in this binary yet: the diff step is skipped"
            );
            continue;
        }
        let out = run_step(
            script,
            env,
            &values,
            &runner,
            &runner.path(&[&pr.stubs]),
            &stub_env,
            &pr.repo,
        );
        assert!(
            out.status.success(),
            "step {name} failed ({}):\n{}\n{}",
            out.status,
            stdout(&out),
            stderr(&out)
        );
        match name.as_str() {
            "Install rustomize" => {
                let args = pr.logged("cargo.args").expect("cargo was run");
                let want = format!(
                    "install\n--locked\n--path\n{}/crates/rustomize\n--root\n{}/rustomize\n",
                    workspace().display(),
                    runner.temp.display()
                );
                assert_eq!(args, want);
                assert!(stdout(&out).contains("5.5.0"), "{}", stdout(&out));
            }
            "Build" => {
                for env in ["dev", "staging", "production"] {
                    assert!(
                        stdout(&out).contains(&format!("built deploy/k8s/overlays/{env}\n")),
                        "{}",
                        stdout(&out)
                    );
                }
            }
            "Check" => assert!(stdout(&out).contains("no findings"), "{}", stdout(&out)),
            _ => {
                let list = pr.logged("gh.1.args").expect("gh listed the comments");
                assert!(
                    list.starts_with(
                        "GH_TOKEN=secret-token\napi\nrepos/org/app/issues/7/comments\n"
                    ),
                    "{list}"
                );
                let post = pr.logged("gh.2.args").expect("gh posted the comment");
                assert!(
                    post.contains("--method\nPOST\nrepos/org/app/issues/7/comments\n"),
                    "{post}"
                );
                let body = pr.logged("gh.2.body").expect("the comment body");
                assert!(body.starts_with("<!-- rustomize diff -->\n"), "{body}");
                assert!(body.contains("v1.3.0"), "{body}");
                let summary = std::fs::read_to_string(&runner.summary).expect("summary");
                assert_eq!(summary, body);
            }
        }
    }

    // A second push edits the comment instead of adding one.
    if diff {
        let Step { env, script, .. } = &steps[3];
        for f in std::fs::read_dir(&pr.log).expect("log") {
            std::fs::remove_file(f.expect("entry").path()).expect("rm");
        }
        let out = run_step(
            script,
            env,
            &values,
            &runner,
            &runner.path(&[&pr.stubs]),
            &[stub_env[0], stub_env[1], ("GH_EXISTING_ID", "42")],
            &pr.repo,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let patch = pr.logged("gh.2.args").expect("gh edited the comment");
        assert!(
            patch.contains("--method\nPATCH\nrepos/org/app/issues/comments/42\n"),
            "{patch}"
        );
    }
}

#[test]
fn the_action_reports_a_broken_overlay_as_an_annotation_and_fails() {
    let pr = PullRequest::new();
    write(
        &pr.repo,
        "broken/kustomization.yaml",
        "resources: [missing.yaml]\n",
    );
    let values: BTreeMap<&str, String> = [(
        "inputs.overlays",
        "deploy/k8s/overlays/dev broken".to_string(),
    )]
    .into_iter()
    .collect();
    let runner = Runner::new(&pr.root, "broken");
    let steps = action_steps();
    let Step { env, script, .. } = steps
        .iter()
        .find(|s| s.name == "Build")
        .expect("a Build step");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rustomize"));
    let dir = bin.parent().expect("a directory");
    let out = run_step(
        script,
        env,
        &values,
        &runner,
        &runner.path(&[dir]),
        &[],
        &pr.repo,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("built deploy/k8s/overlays/dev\n"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("::error title=rustomize build broken::"))
        .unwrap_or_else(|| panic!("no annotation in\n{text}"));
    assert!(line.contains("missing.yaml"), "{line}");

    // No overlays at all is an error too.
    let values: BTreeMap<&str, String> = [("inputs.overlays", String::new())].into_iter().collect();
    let out = run_step(
        script,
        env,
        &values,
        &runner,
        &runner.path(&[dir]),
        &[],
        &pr.repo,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("::error::no overlays given"),
        "{}",
        stdout(&out)
    );
}

/// Splits a command line as Python's `shlex.split` (what pre-commit uses)
/// does for the quoting in our hooks: spaces, single and double quotes.
fn shlex(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The hooks of .pre-commit-hooks.yaml: id to entry words.
fn hooks() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(workspace().join(".pre-commit-hooks.yaml"))
        .expect("read .pre-commit-hooks.yaml");
    let doc = rustomize_yaml::parse_one(&text).expect("YAML");
    doc.as_seq()
        .expect("a list of hooks")
        .iter()
        .map(|h| {
            let id = h.str_at(&["id"]).expect("an id").to_string();
            assert_eq!(h.str_at(&["language"]), Some("system"), "{id}");
            let files = h.str_at(&["files"]).expect("a files pattern");
            let re = regex_lite(files);
            for (path, want) in [
                ("deploy/k8s/overlays/dev/kustomization.yaml", true),
                ("base/deployment.yml", true),
                ("overlays/prod/Kustomization", true),
                ("Kustomization", true),
                ("README.md", false),
                ("src/main.rs", false),
            ] {
                assert_eq!(re(path), want, "{id}: files {files:?} on {path}");
            }
            let entry = h.str_at(&["entry"]).expect("an entry");
            (id, shlex(entry))
        })
        .collect()
}

/// The hooks' `files` pattern, `(\.ya?ml|/Kustomization|^Kustomization)$`,
/// as Python's `re.search` reads it (checked against that exact text).
fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool {
    assert_eq!(
        pattern, r"(\.ya?ml|/Kustomization|^Kustomization)$",
        "the hooks' files pattern changed: update this test"
    );
    |p: &str| {
        p.ends_with(".yaml")
            || p.ends_with(".yml")
            || p.ends_with("/Kustomization")
            || p == "Kustomization"
    }
}

#[test]
fn the_pre_commit_hooks_build_and_check_the_given_overlays() {
    let hooks = hooks();
    assert_eq!(
        hooks.keys().map(String::as_str).collect::<Vec<_>>(),
        ["rustomize-build", "rustomize-check"]
    );
    let tree = support::Tree::new();
    tree.copy_from_workspace("examples/dojo", "dojo");
    tree.write(
        "dojo/broken/kustomization.yaml",
        "resources: [missing.yaml]\n",
    );
    let repo = tree.path().join("dojo");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rustomize"));
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        bin.parent().expect("a directory").display()
    );
    let run = |id: &str, args: &[&str]| -> Output {
        let words = &hooks[id];
        Command::new(&words[0])
            .args(&words[1..])
            .args(args)
            .current_dir(&repo)
            .env("PATH", &path)
            .output()
            .expect("run the hook")
    };
    let overlays = [
        "deploy/k8s/overlays/dev",
        "deploy/k8s/overlays/staging",
        "deploy/k8s/overlays/production",
    ];
    // (hook, args, exit status, a piece of the output)
    type Row<'a> = (&'a str, Vec<&'a str>, i32, &'a str);
    let rows: Vec<Row> = vec![
        ("rustomize-build", overlays.to_vec(), 0, ""),
        (
            "rustomize-build",
            vec!["deploy/k8s/overlays/dev", "broken"],
            1,
            "missing.yaml",
        ),
        ("rustomize-build", vec![], 2, "needs the overlays"),
        ("rustomize-check", overlays.to_vec(), 0, "no findings"),
        (
            "rustomize-check",
            vec!["--env", "production", "deploy/k8s/overlays/production"],
            0,
            "no findings",
        ),
        ("rustomize-check", vec!["broken"], 2, "missing.yaml"),
    ];
    support::table(&rows, |(id, args, code, text)| {
        let out = run(id, args);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        if out.status.code() != Some(*code) {
            return Err(format!("exit {:?}, not {code}: {all}", out.status.code()));
        }
        if *id == "rustomize-build" && !stdout(&out).is_empty() {
            return Err(format!("the build hook printed YAML: {all}"));
        }
        if !all.contains(text) {
            return Err(format!("no {text:?} in {all}"));
        }
        Ok(())
    });
}

#[test]
fn man_finds_the_installed_pages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Installed next to the binary, as README.md says:
    // <prefix>/bin/rustomize and <prefix>/share/man/man1.
    let prefix = tmp.path().join(".cargo");
    let bin_dir = prefix.join("bin");
    std::fs::create_dir_all(&bin_dir).expect("mkdir");
    let bin = bin_dir.join("rustomize");
    std::fs::copy(env!("CARGO_BIN_EXE_rustomize"), &bin).expect("copy the binary");
    let out = Command::new(&bin)
        .arg("man")
        .arg("--install-dir")
        .arg(prefix.join("share/man/man1"))
        .output()
        .expect("run rustomize man");
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "rustomize.1",
        "rustomize-build.1",
        "rustomize-edit-set-image.1",
    ] {
        assert!(prefix.join("share/man/man1").join(page).is_file(), "{page}");
    }
    let printed = support::rustomize()
        .arg("man")
        .output()
        .expect("run rustomize man");
    assert!(printed.status.success());
    assert_eq!(
        printed.stdout,
        std::fs::read(prefix.join("share/man/man1/rustomize.1")).expect("read")
    );

    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("man_finds_the_installed_pages: `man` is not installed: its part is skipped");
        return;
    }
    // man-db looks in <dir>/../share/man for each <dir> on PATH.
    for page in ["rustomize", "rustomize-build"] {
        let out = Command::new("man")
            .args(["-P", "cat", page])
            .env_clear()
            .env("HOME", tmp.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("MANWIDTH", "80")
            .output()
            .expect("run man");
        assert!(out.status.success(), "man {page}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("{page}(1)")),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn the_dockerfiles_copy_only_what_the_repository_has() {
    for file in ["Dockerfile", "contrib/argocd/Dockerfile"] {
        let text = std::fs::read_to_string(workspace().join(file)).expect("read a Dockerfile");
        let mut copies = 0;
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("COPY ") else {
                continue;
            };
            if rest.starts_with("--from=") {
                continue;
            }
            let words: Vec<&str> = rest.split_whitespace().collect();
            for src in &words[..words.len() - 1] {
                copies += 1;
                assert!(
                    *src == "." || workspace().join(src).exists(),
                    "{file}: COPY {src}: not in the repository"
                );
            }
        }
        assert!(copies > 0, "{file} copies nothing from the repository");
        assert!(
            text.contains("cargo build --release --locked -p rustomize"),
            "{file} no longer builds the binary as the README says"
        );
        assert!(text.contains("\nUSER "), "{file} runs as root");
    }
}
