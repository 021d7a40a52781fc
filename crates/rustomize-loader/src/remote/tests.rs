//! End-to-end tests of [`GitFetcher`] against real git repositories made
//! in temporary directories. Real remote URLs (`github.com/org/app...`) are
//! pointed at them with `url.<file URL>.insteadOf`, passed to git through
//! `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` on each
//! command, so nothing touches the network. Every test is skipped, with a
//! message, when git is not installed.

use super::*;
use crate::fs::DiskFs;
use crate::loader::{LoadRestrictor, Loader};
use std::fs;
use std::process::Command;
use tempfile::TempDir;

/// Whether git can be run; prints why a test is skipped when it cannot.
fn have_git(test: &str) -> bool {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping {test}: no 'git' program on PATH");
    }
    ok
}

/// Environment that keeps git away from the machine's and user's config.
fn hermetic_env() -> Vec<(OsString, OsString)> {
    [
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ("GIT_TERMINAL_PROMPT", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into()))
    .collect()
}

/// Runs git in `dir` for setting up fixtures; panics on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "protocol.file.allow=always",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .envs(hermetic_env())
        .output()
        .expect("running git");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn deployment(image_tag: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/org/app:{image_tag}\n"
    )
}

/// A repository standing in for `https://github.com/org/app`: a base and
/// two overlays; tag `v0.1.0` (annotated) and `light` (lightweight) on the
/// first commit, `main` one commit ahead, branch `release` at the tag.
struct Origin {
    dir: TempDir,
    /// The `file://` URL of the repository.
    url: String,
    /// The commit the tags point to.
    tagged: String,
    /// The tip of `main`.
    head: String,
}

impl Origin {
    fn new() -> Origin {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("app");
        fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        write(
            &repo.join("deploy/k8s/base/kustomization.yaml"),
            "resources:\n- deployment.yaml\n",
        );
        write(
            &repo.join("deploy/k8s/base/deployment.yaml"),
            &deployment("v0.1.0"),
        );
        for env in ["staging", "production"] {
            write(
                &repo.join(format!("deploy/k8s/overlays/{env}/kustomization.yaml")),
                "resources:\n- ../../base\n",
            );
        }
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "first"]);
        git(&repo, &["tag", "-a", "v0.1.0", "-m", "release 0.1.0"]);
        git(&repo, &["tag", "light"]);
        git(&repo, &["branch", "release"]);
        let tagged = git(&repo, &["rev-parse", "HEAD"]);
        let head = Origin::commit_change(&repo, "edge");
        let url = format!("file://{}", repo.display());
        Origin {
            dir,
            url,
            tagged,
            head,
        }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("app")
    }

    /// Commits a new image tag in the base on the current branch.
    fn commit_change(repo: &Path, tag: &str) -> String {
        write(
            &repo.join("deploy/k8s/base/deployment.yaml"),
            &deployment(tag),
        );
        git(repo, &["commit", "-q", "-am", tag]);
        git(repo, &["rev-parse", "HEAD"])
    }

    /// Makes the repository unreachable, as a network outage would.
    fn take_offline(&self) {
        fs::rename(self.repo(), self.dir.path().join("gone")).unwrap();
    }
}

/// Options for a fetcher with its cache in `cache`, redirecting each
/// `(public URL, origin)` pair with `insteadOf`.
fn options(cache: &Path, redirects: &[(&str, &Origin)]) -> FetchOptions {
    let mut env = hermetic_env();
    let mut n = 0;
    let mut config = |key: String, value: String| {
        env.push((format!("GIT_CONFIG_KEY_{n}").into(), key.into()));
        env.push((format!("GIT_CONFIG_VALUE_{n}").into(), value.into()));
        n += 1;
    };
    for (public, origin) in redirects {
        config(format!("url.{}.insteadOf", origin.url), public.to_string());
    }
    config("protocol.file.allow".into(), "always".into());
    env.push(("GIT_CONFIG_COUNT".into(), n.to_string().into()));
    FetchOptions {
        cache_dir: Some(cache.to_path_buf()),
        offline: false,
        refresh: false,
        timeout: DEFAULT_TIMEOUT,
        git_program: PathBuf::from("git"),
        env,
        curl_program: PathBuf::from("curl"),
        on_warning: None,
        no_cache_dir: None,
    }
}

const APP: &str = "https://github.com/org/app";

fn read_base(remote: &FetchedRemote) -> String {
    fs::read_to_string(remote.clone_root.join("deploy/k8s/base/deployment.yaml")).unwrap()
}

/// Names of the entries of the cache's directory for `APP`.
fn cache_entries(cache: &Path) -> Vec<String> {
    let fetcher = GitFetcher::new(FetchOptions {
        cache_dir: Some(cache.to_path_buf()),
        ..FetchOptions::default()
    });
    let dir = fetcher.cache.repo_dir(APP);
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn tag_is_fetched_once_then_read_from_the_cache_even_without_the_origin() {
    if !have_git("tag test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let target = "github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0";

    let first = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    let r = first.fetch_remote(target).unwrap();
    assert_eq!(r.source, Source::Fetched);
    assert_eq!(r.kind, RefKind::Tag);
    assert_eq!(
        r.commit, origin.tagged,
        "annotated tag peeled to its commit"
    );
    assert_eq!(r.url, APP);
    assert_eq!(r.path, "deploy/k8s/overlays/production");
    assert!(read_base(&r).contains("app:v0.1.0"));
    assert!(r.dir.join("kustomization.yaml").is_file());
    assert!(!r.clone_root.join(".git").exists());

    origin.take_offline();
    let second = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    let r2 = second.fetch_remote(target).unwrap();
    assert_eq!(r2.source, Source::Cached);
    assert_eq!(r2.commit, origin.tagged);
    assert_eq!(r2.clone_root, r.clone_root);
    assert_eq!(second.fetched(), vec![r2]);
}

#[test]
fn lightweight_tag_and_commit_refs_need_no_network_once_cached() {
    if !have_git("commit test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let by_commit = format!(
        "https://github.com/org/app.git//deploy/k8s/base?ref={}",
        origin.tagged
    );
    let light = "git::https://github.com/org/app//deploy/k8s/base?ref=light";
    let f = GitFetcher::new(options(
        cache.path(),
        &[(APP, &origin), ("https://github.com/org/app.git", &origin)],
    ));
    let c = f.fetch_remote(&by_commit).unwrap();
    assert_eq!((c.kind, c.source), (RefKind::Commit, Source::Fetched));
    assert_eq!(c.commit, origin.tagged);
    let l = f.fetch_remote(light).unwrap();
    assert_eq!((l.kind, l.source), (RefKind::Tag, Source::Fetched));
    assert_eq!(l.commit, origin.tagged);

    origin.take_offline();
    let again = GitFetcher::new(options(
        cache.path(),
        &[(APP, &origin), ("https://github.com/org/app.git", &origin)],
    ));
    let c2 = again.fetch_remote(&by_commit).unwrap();
    assert_eq!((c2.kind, c2.source), (RefKind::Commit, Source::Cached));
    let l2 = again.fetch_remote(light).unwrap();
    assert_eq!((l2.kind, l2.source), (RefKind::Tag, Source::Cached));
}

#[test]
fn branch_is_resolved_again_on_each_build_and_refetched_when_it_moves() {
    if !have_git("branch test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let target = "https://github.com/org/app//deploy/k8s/overlays/staging?ref=main";
    let build = || GitFetcher::new(options(cache.path(), &[(APP, &origin)]));

    let r = build().fetch_remote(target).unwrap();
    assert_eq!((r.kind, r.source), (RefKind::Branch, Source::Fetched));
    assert_eq!(r.commit, origin.head);
    assert!(read_base(&r).contains("app:edge"));

    let r = build().fetch_remote(target).unwrap();
    assert_eq!(r.source, Source::Cached, "unchanged branch: ls-remote only");

    let moved = Origin::commit_change(&origin.repo(), "sha-2");
    let r = build().fetch_remote(target).unwrap();
    assert_eq!(r.source, Source::Fetched);
    assert_eq!(r.commit, moved);
    assert!(read_base(&r).contains("app:sha-2"));

    // The release branch sits at the tag: same commit, same cached tree.
    let rel = build()
        .fetch_remote("https://github.com/org/app//deploy/k8s/base?ref=release")
        .unwrap();
    let tag = build()
        .fetch_remote("https://github.com/org/app//deploy/k8s/base?ref=v0.1.0")
        .unwrap();
    assert_eq!(rel.commit, origin.tagged);
    assert_eq!(rel.clone_root, tag.clone_root);

    // No ref: the remote's HEAD.
    let head = build().fetch_remote("github.com/org/app").unwrap();
    assert_eq!(
        (head.kind, head.commit.as_str()),
        (RefKind::Branch, moved.as_str())
    );
    assert_eq!(head.source, Source::Cached);
}

#[test]
fn offline_builds_from_the_cache_and_says_what_is_missing() {
    if !have_git("offline test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let staging = "github.com/org/app//deploy/k8s/overlays/staging?ref=main";
    let production = "github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0";
    let offline = || {
        GitFetcher::new(FetchOptions {
            offline: true,
            ..options(cache.path(), &[(APP, &origin)])
        })
    };

    let err = offline().fetch_remote(staging).unwrap_err().to_string();
    assert!(err.contains("offline"), "{err}");
    assert!(err.contains(staging), "{err}");
    assert!(err.contains("ref 'main'"), "{err}");

    let online = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    online.fetch_remote(staging).unwrap();
    online.fetch_remote(production).unwrap();
    // The branch moves, but offline builds keep what was fetched.
    Origin::commit_change(&origin.repo(), "later");
    origin.take_offline();

    let f = offline();
    let s = f.fetch_remote(staging).unwrap();
    assert_eq!(
        (s.source, s.commit.as_str()),
        (Source::Offline, origin.head.as_str())
    );
    let p = f.fetch_remote(production).unwrap();
    assert_eq!(
        (p.source, p.commit.as_str()),
        (Source::Cached, origin.tagged.as_str())
    );
    let err = f
        .fetch_remote("github.com/org/app//deploy/k8s/base?ref=release")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ref 'release'") && err.contains("not in the cache"),
        "{err}"
    );

    // Online, the unreachable origin is an error naming the URL.
    let err = GitFetcher::new(options(cache.path(), &[(APP, &origin)]))
        .fetch_remote(staging)
        .unwrap_err()
        .to_string();
    assert!(err.contains(staging) && err.contains("ls-remote"), "{err}");
}

#[test]
fn parallel_fetches_in_one_process_share_the_cache() {
    if !have_git("threads test") {
        return;
    }
    let app = Origin::new();
    let lib = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let redirects = [(APP, &app), ("https://github.com/org/lib", &lib)];
    let targets = [
        "github.com/org/app//deploy/k8s/overlays/staging?ref=main",
        "github.com/org/app//deploy/k8s/overlays/production?ref=main",
        "github.com/org/lib//deploy/k8s/base?ref=v0.1.0",
        "github.com/org/app//deploy/k8s/base?ref=v0.1.0",
    ];
    // One fetcher on many threads (one build), and two fetchers on the
    // same cache (two builds in one process: the file lock must hold).
    let shared = GitFetcher::new(options(cache.path(), &redirects));
    let other = GitFetcher::new(options(cache.path(), &redirects));
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for round in 0..3 {
            for t in targets {
                let f = if round == 2 { &other } else { &shared };
                handles.push(s.spawn(move || f.fetch_remote(t)));
            }
        }
        for h in handles {
            h.join().unwrap().unwrap();
        }
    });
    let listed = shared.fetched();
    assert_eq!(listed.len(), targets.len());
    let commit_of = |t: &str| {
        listed
            .iter()
            .find(|r| r.target == t)
            .map(|r| r.commit.clone())
    };
    assert_eq!(commit_of(targets[0]), Some(app.head.clone()));
    assert_eq!(commit_of(targets[1]), Some(app.head.clone()));
    assert_eq!(commit_of(targets[2]), Some(lib.tagged.clone()));
    assert_eq!(commit_of(targets[3]), Some(app.tagged.clone()));
    // Each tree exactly once, nothing half-done left.
    let entries = cache_entries(cache.path());
    let trees: Vec<_> = entries.iter().filter(|e| is_full_oid(e)).collect();
    assert_eq!(trees.len(), 2, "{entries:?}");
    assert!(
        !entries.iter().any(|e| e.starts_with(".tmp-")),
        "{entries:?}"
    );
}

/// Run by `two_processes_fetch_into_one_cache` in child processes; does
/// nothing in a normal test run.
#[test]
fn child_process_fetch() {
    let (Some(cache), Some(origin)) = (
        std::env::var_os("RUSTOMIZE_TEST_CACHE"),
        std::env::var_os("RUSTOMIZE_TEST_ORIGIN"),
    ) else {
        return;
    };
    let mut opts = FetchOptions {
        cache_dir: Some(PathBuf::from(cache)),
        ..FetchOptions::default()
    };
    opts.env = hermetic_env();
    opts.env.extend(
        [
            ("GIT_CONFIG_COUNT", OsString::from("1")),
            ("GIT_CONFIG_KEY_0", {
                let mut k = OsString::from("url.");
                k.push(&origin);
                k.push(".insteadOf");
                k
            }),
            ("GIT_CONFIG_VALUE_0", OsString::from(APP)),
        ]
        .map(|(k, v)| (OsString::from(k), v)),
    );
    let r = GitFetcher::new(opts)
        .fetch_remote("github.com/org/app//deploy/k8s/base?ref=v0.1.0")
        .unwrap();
    println!("COMMIT={}", r.commit);
}

#[test]
fn two_processes_fetch_into_one_cache() {
    if !have_git("two processes test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        Command::new(&exe)
            .args([
                "--exact",
                "remote::tests::child_process_fetch",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("RUSTOMIZE_TEST_CACHE", cache.path())
            .env("RUSTOMIZE_TEST_ORIGIN", &origin.url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [spawn(), spawn()];
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("COMMIT={}", origin.tagged)),
            "{stdout}"
        );
    }
    let entries = cache_entries(cache.path());
    assert!(entries.contains(&origin.tagged), "{entries:?}");
    assert!(
        !entries.iter().any(|e| e.starts_with(".tmp-")),
        "{entries:?}"
    );
}

#[test]
fn leftovers_of_a_killed_fetch_are_cleaned_up() {
    if !have_git("killed fetch test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let f = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    // What a fetch killed halfway leaves: its lock file and a temporary
    // directory with part of a checkout.
    let repo_dir = f.cache.repo_dir(APP);
    let key = fetch_key("v0.1.0", true);
    fs::create_dir_all(&repo_dir).unwrap();
    fs::write(repo_dir.join(format!(".lock-{key}")), "").unwrap();
    let stale = repo_dir.join(format!(".tmp-{key}-killed"));
    write(&stale.join("deploy/k8s/base/kustomization.yaml"), "half");
    fs::create_dir_all(stale.join(".git")).unwrap();

    let r = f
        .fetch_remote("github.com/org/app//deploy/k8s/base?ref=v0.1.0")
        .unwrap();
    assert_eq!(r.source, Source::Fetched);
    assert!(!stale.exists());
    assert!(read_base(&r).contains("app:v0.1.0"));
}

#[test]
fn a_git_call_past_its_timeout_is_killed_and_leaves_nothing() {
    if !have_git("timeout test") {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let mut opts = options(cache.path(), &[]);
    // An ssh "connection" that hangs.
    opts.env
        .push(("GIT_SSH_COMMAND".into(), "sleep 10 #".into()));
    let f = GitFetcher::new(opts);
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let target = format!("ssh://git@example.com/org/app//base?ref={commit}&timeout=1");
    // That the ssh child dies with git is rustomize-process's own test
    // (`the_deadline_kills_the_process_group`); here: the fetch fails with
    // the timeout, names the entry, and leaves no tree behind.
    let err = f.fetch_remote(&target).unwrap_err().to_string();
    assert!(err.contains("did not finish within 1s"), "{err}");
    assert!(err.contains(&target), "{err}");
    let repo_dir = f.cache.repo_dir("ssh://git@example.com/org/app");
    let left: Vec<_> = fs::read_dir(&repo_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".lock-") && n != "url")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn refused_urls_never_reach_git() {
    // A git program that cannot run: any attempt would be a different error.
    let cache = tempfile::tempdir().unwrap();
    let f = GitFetcher::new(FetchOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        git_program: cache.path().join("no-git-here"),
        ..FetchOptions::default()
    });
    let cases = [
        (
            "github.com/org/app?ref=--upload-pack=touch%20/tmp/x",
            "starts with '-'",
        ),
        ("github.com/org/app?ref=-b", "starts with '-'"),
        ("git@-oProxyCommand=touch:org/app", "starts with '-'"),
        ("ssh://-oProxyCommand=touch/org/app", "starts with '-'"),
        (
            "ext::sh -c touch% /tmp/pwned",
            "'ext' transport is not supported",
        ),
        (
            "git::ext::sh -c touch% /tmp/pwned",
            "'ext' transport is not supported",
        ),
        ("fd::3/org/app", "'fd' transport is not supported"),
        (
            "git://example.com/org/app",
            "'git' transport is not supported",
        ),
        ("github.com/org/app//deploy/../../..", "url path exits repo"),
        (
            "https://github.com/org/app.git//../secrets",
            "url path exits repo",
        ),
        ("github.com/org/app?ref=main~1", "not allowed in a git ref"),
    ];
    for (target, want) in cases {
        assert!(f.is_remote(target), "{target} should be handled as remote");
        let err = f.fetch(target).unwrap_err().to_string();
        assert!(err.contains(want), "{target}: {err}");
        assert!(err.contains(target), "{target}: error names it: {err}");
        assert!(!err.contains("no-git-here"), "{target}: git ran: {err}");
    }
    assert!(f.fetched().is_empty());
}

#[test]
fn no_git_program_is_a_clear_error() {
    let cache = tempfile::tempdir().unwrap();
    let f = GitFetcher::new(FetchOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        git_program: cache.path().join("no-git-here"),
        ..FetchOptions::default()
    });
    let err = f
        .fetch("github.com/org/app?ref=main")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no-git-here") && err.contains("git installed"),
        "{err}"
    );
}

#[cfg(unix)]
/// An origin with links that leave the repository, and a kustomization
/// that names itself.
fn hostile_origin() -> Origin {
    let origin = Origin::new();
    let repo = origin.repo();
    let outside = origin.dir.path().join("outside");
    write(&outside.join("kustomization.yaml"), "resources: []\n");
    write(&outside.join("secret.yaml"), "kind: Secret\n");
    std::os::unix::fs::symlink(&outside, repo.join("escape")).unwrap();
    write(
        &repo.join("leaky/kustomization.yaml"),
        "resources:\n- secret.yaml\n",
    );
    std::os::unix::fs::symlink(outside.join("secret.yaml"), repo.join("leaky/secret.yaml"))
        .unwrap();
    std::os::unix::fs::symlink("../deploy/k8s/base", repo.join("leaky/inside")).unwrap();
    write(
        &repo.join("loop/kustomization.yaml"),
        "resources:\n- github.com/org/app//loop?ref=main\n",
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "hostile"]);
    origin
}

#[cfg(unix)]
#[test]
fn links_out_of_the_clone_and_cycles_are_refused_by_the_loader() {
    if !have_git("links test") {
        return;
    }
    let origin = hostile_origin();
    let cache = tempfile::tempdir().unwrap();
    let fetcher = Arc::new(GitFetcher::new(options(cache.path(), &[(APP, &origin)])));
    let local = tempfile::tempdir().unwrap();
    write(&local.path().join("kustomization.yaml"), "resources: []\n");
    let ldr = Loader::new(Arc::new(DiskFs), local.path(), LoadRestrictor::None)
        .unwrap()
        .with_fetcher(fetcher.clone());

    let err = ldr
        .child("github.com/org/app//escape?ref=main")
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside of its repository"), "{err}");

    let leaky = ldr.child("github.com/org/app//leaky?ref=main").unwrap();
    assert_eq!(leaky.restrictor(), LoadRestrictor::RootOnly);
    let err = leaky.load("secret.yaml").unwrap_err().to_string();
    assert!(err.contains("security"), "{err}");
    // A link that stays inside the clone is fine.
    let inside = leaky.child("inside").unwrap();
    assert!(inside.load("deployment.yaml").is_ok());
    // `..` out of the clone from a remote kustomization.
    let err = leaky.child("../..").unwrap_err().to_string();
    assert!(
        err.contains("must be within the repo") || err.contains("cycle"),
        "{err}"
    );

    let looped = ldr.child("github.com/org/app//loop?ref=main").unwrap();
    let err = looped
        .child("github.com/org/app//loop?ref=main")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cycle detected"), "{err}");
}

#[test]
fn submodules_are_checked_out_unless_disabled() {
    if !have_git("submodules test") {
        return;
    }
    let lib = Origin::new();
    let origin = Origin::new();
    let repo = origin.repo();
    git(&repo, &["submodule", "add", "-q", &lib.url, "vendor/lib"]);
    git(&repo, &["commit", "-q", "-m", "submodule"]);
    let cache = tempfile::tempdir().unwrap();
    let f = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    let with = f.fetch_remote("github.com/org/app?ref=main").unwrap();
    assert!(
        with.clone_root
            .join("vendor/lib/deploy/k8s/base/kustomization.yaml")
            .is_file()
    );
    let without = f
        .fetch_remote("github.com/org/app?ref=main&submodules=false")
        .unwrap();
    assert_eq!(with.commit, without.commit);
    assert_ne!(with.clone_root, without.clone_root);
    assert!(!without.clone_root.join("vendor/lib/deploy").exists());
}

#[test]
fn the_loader_builds_on_fetched_trees() {
    if !have_git("loader test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let fetcher = Arc::new(GitFetcher::new(options(cache.path(), &[(APP, &origin)])));
    let local = tempfile::tempdir().unwrap();
    write(&local.path().join("kustomization.yaml"), "resources: []\n");
    let ldr = Loader::new(Arc::new(DiskFs), local.path(), LoadRestrictor::RootOnly)
        .unwrap()
        .with_fetcher(fetcher.clone());
    assert!(ldr.is_remote("github.com/org/app//deploy/k8s/overlays/staging?ref=master"));
    assert!(!ldr.is_remote("gitlab.com/org/app"));

    let overlay = ldr
        .child("github.com/org/app//deploy/k8s/overlays/staging?ref=v0.1.0")
        .unwrap();
    let repo = overlay.repo().unwrap();
    assert_eq!(repo.commit, origin.tagged);
    assert_eq!(repo.git_ref, "v0.1.0");
    assert_eq!(repo.repo, APP);
    assert!(overlay.root().ends_with("deploy/k8s/overlays/staging"));
    let base = overlay.child("../../base").unwrap();
    assert!(
        String::from_utf8(base.load("deployment.yaml").unwrap())
            .unwrap()
            .contains("app:v0.1.0")
    );
    let err = ldr
        .child("github.com/org/app//deploy/k8s/base/deployment.yaml?ref=v0.1.0")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a directory"), "{err}");
    let err = ldr
        .child("github.com/org/app//no/such/dir?ref=v0.1.0")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no such file or directory"), "{err}");
}

#[test]
fn without_a_cache_dir_trees_live_in_a_temporary_directory() {
    if !have_git("temporary cache test") {
        return;
    }
    let origin = Origin::new();
    let mut opts = options(Path::new("/unused"), &[(APP, &origin)]);
    opts.cache_dir = None;
    let f = GitFetcher::new(opts);
    let r = f.fetch_remote("github.com/org/app?ref=v0.1.0").unwrap();
    let root = f.cache_root().to_path_buf();
    assert!(r.clone_root.starts_with(root.canonicalize().unwrap()));
    drop(f);
    assert!(!root.exists());
}

#[test]
fn a_cache_dir_that_cannot_be_created_falls_back_to_a_temporary_one_with_one_warning() {
    if !have_git("cache fallback test") {
        return;
    }
    let origin = Origin::new();
    let tmp = tempfile::tempdir().unwrap();
    // Under a regular file: not even root can create it.
    let blocker = tmp.path().join("not-a-dir");
    fs::write(&blocker, "").unwrap();
    let configured = blocker.join("cache");
    let f = GitFetcher::new(options(&configured, &[(APP, &origin)]));
    let tagged = f.fetch_remote("github.com/org/app?ref=v0.1.0").unwrap();
    let branch = f
        .fetch_remote("github.com/org/app//deploy/k8s/overlays/staging?ref=main")
        .unwrap();
    assert_eq!(tagged.commit, origin.tagged);
    assert_eq!(branch.commit, origin.head);
    let root = f.cache_root().to_path_buf();
    assert!(!root.starts_with(&configured), "{}", root.display());
    assert!(tagged.clone_root.starts_with(root.canonicalize().unwrap()));
    let warnings = f.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(&configured.join("git").display().to_string())
            && warnings[0].contains("temporary directory"),
        "{}",
        warnings[0]
    );
    drop(f);
    assert!(!root.exists(), "the fallback cache outlived its fetcher");
}

#[test]
fn offline_never_falls_back_and_names_the_configured_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("not-a-dir");
    fs::write(&blocker, "").unwrap();
    let f = GitFetcher::new(FetchOptions {
        cache_dir: Some(blocker.join("cache")),
        offline: true,
        ..FetchOptions::default()
    });
    let err = f
        .fetch_remote("github.com/org/app?ref=v0.1.0")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not in the cache") && err.contains("not-a-dir"),
        "{err}"
    );
    assert!(f.warnings().is_empty());
}

#[test]
fn without_a_cache_dir_for_a_reason_the_first_fetch_warns_once() {
    if !have_git("no cache dir warning test") {
        return;
    }
    let origin = Origin::new();
    let mut opts = options(Path::new("/unused"), &[(APP, &origin)]);
    opts.cache_dir = None;
    opts.no_cache_dir = Some("HOME is not set".into());
    let f = GitFetcher::new(opts);
    assert!(f.warnings().is_empty(), "warned before any fetch");
    f.fetch_remote("github.com/org/app?ref=v0.1.0").unwrap();
    f.fetch_remote("github.com/org/app?ref=main").unwrap();
    let warnings = f.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("HOME is not set"), "{}", warnings[0]);
}

#[test]
fn a_ref_record_that_cannot_be_written_does_not_fail_the_build() {
    if !have_git("ref record test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let f = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    // `refs` taken by a regular file: no record can be written under it.
    let repo_dir = f.cache.repo_dir(APP);
    fs::create_dir_all(&repo_dir).unwrap();
    fs::write(repo_dir.join("refs"), "").unwrap();
    let r = f.fetch_remote("github.com/org/app?ref=main").unwrap();
    assert_eq!(r.commit, origin.head);
    let warnings = f.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("resolved again"), "{}", warnings[0]);
    // The next build resolves the branch again and finds the tree.
    let again = GitFetcher::new(options(cache.path(), &[(APP, &origin)]));
    let r = again.fetch_remote("github.com/org/app?ref=main").unwrap();
    assert_eq!(
        (r.commit.as_str(), r.source),
        (origin.head.as_str(), Source::Cached)
    );
}

#[test]
fn cache_dir_follows_the_environment_conventions() {
    // Only reads variables; asserts the shape for whatever is set.
    let dir = default_cache_dir();
    if let Some(d) = std::env::var_os("RUSTOMIZE_CACHE_DIR").filter(|v| !v.is_empty()) {
        assert_eq!(dir, Some(PathBuf::from(d)));
    } else if let Some(d) = dir {
        assert!(d.ends_with("rustomize"), "{}", d.display());
    }
}

/// Serves `count` connections on a loopback port: `/ok.yaml`, a redirect to
/// it, and 404 for anything else.
fn serve(count: usize) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("");
            let body = "kind: ConfigMap\nmetadata:\n  name: remote\n";
            let response = match path {
                "/ok.yaml" => format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                "/moved" => "HTTP/1.1 302 Found\r\nLocation: /ok.yaml\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
            };
            stream.write_all(response.as_bytes()).unwrap();
        }
    });
    (base, handle)
}

#[test]
fn remote_files_are_downloaded_with_curl() {
    let have_curl = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_curl {
        eprintln!("skipping remote files test: no 'curl' program on PATH");
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let mut opts = options(cache.path(), &[]);
    opts.env.push(("NO_PROXY".into(), "127.0.0.1".into()));
    opts.env.push(("no_proxy".into(), "127.0.0.1".into()));
    let f = GitFetcher::new(opts.clone());
    let (base, server) = serve(4);
    let ok = f.load_url(&format!("{base}/ok.yaml")).unwrap();
    assert!(String::from_utf8(ok).unwrap().contains("name: remote"));
    let moved = f.load_url(&format!("{base}/moved")).unwrap();
    assert!(String::from_utf8(moved).unwrap().contains("name: remote"));
    match f.load_url(&format!("{base}/missing.yaml")) {
        Err(LoadError::Http { status: 404, url }) => assert!(url.ends_with("/missing.yaml")),
        other => panic!("{other:?}"),
    }
    server.join().unwrap();

    let offline = GitFetcher::new(FetchOptions {
        offline: true,
        ..opts
    });
    let err = offline
        .load_url(&format!("{base}/ok.yaml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("offline"), "{err}");
    let err = f
        .load_url("ftp://example.com/x.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an http(s) URL"), "{err}");
}

#[test]
fn prefetch_fetches_many_at_once_and_keeps_their_order() {
    if !have_git("prefetch test") {
        return;
    }
    let app = Origin::new();
    let lib = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let f = GitFetcher::new(options(
        cache.path(),
        &[(APP, &app), ("https://github.com/org/lib", &lib)],
    ));
    let targets = [
        "github.com/org/lib//deploy/k8s/base?ref=v0.1.0",
        "github.com/org/app//deploy/k8s/base?ref=main",
        "ext::sh",
        "github.com/org/app//deploy/k8s/overlays/staging?ref=main",
    ];
    let results = f.prefetch(&targets, 8);
    assert_eq!(results.len(), 4);
    assert_eq!(results[0].as_ref().unwrap().commit, lib.tagged);
    assert_eq!(results[1].as_ref().unwrap().commit, app.head);
    assert!(results[2].is_err());
    assert_eq!(results[3].as_ref().unwrap().commit, app.head);
    assert!(f.prefetch(&[], 8).is_empty());
    // Answered from memory afterwards, even with the origin gone.
    app.take_offline();
    let again = f.fetch(targets[1]).unwrap();
    assert_eq!(again.commit, app.head);
}

const HANGING_URL: &str = "ssh://git@example.com/org/app";

/// Run by `a_fetch_killed_halfway_leaves_no_broken_entry` in a child
/// process, which it kills; does nothing in a normal test run.
#[test]
fn child_process_hanging_fetch() {
    let (Some(cache), Some(commit)) = (
        std::env::var_os("RUSTOMIZE_TEST_HANG_CACHE"),
        std::env::var_os("RUSTOMIZE_TEST_HANG_COMMIT"),
    ) else {
        return;
    };
    let Some(started) = std::env::var_os("RUSTOMIZE_TEST_HANG_STARTED") else {
        return;
    };
    let mut opts = options(Path::new(&cache), &[]);
    // An ssh "connection" that says it has started (so the fetch is known
    // to be halfway) and hangs.
    let ssh = format!("echo started > '{}'; sleep 5 #", started.to_string_lossy());
    opts.env.push(("GIT_SSH_COMMAND".into(), ssh.into()));
    let target = format!("{HANGING_URL}//deploy?ref={}", commit.to_string_lossy());
    let _ = GitFetcher::new(opts).fetch_remote(&target);
}

#[test]
fn a_fetch_killed_halfway_leaves_no_broken_entry() {
    if !have_git("killed process test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    // The child's ssh writes a line to this pipe once git is fetching.
    let signal = tempfile::tempdir().unwrap();
    let started = signal.path().join("started");
    let made = Command::new("mkfifo").arg(&started).status().unwrap();
    assert!(made.success(), "mkfifo");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "remote::tests::child_process_hanging_fetch",
            "--test-threads=1",
        ])
        .env("RUSTOMIZE_TEST_HANG_CACHE", cache.path())
        .env("RUSTOMIZE_TEST_HANG_COMMIT", &origin.tagged)
        .env("RUSTOMIZE_TEST_HANG_STARTED", &started)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let f = GitFetcher::new(options(cache.path(), &[(HANGING_URL, &origin)]));
    let repo_dir = f.cache.repo_dir(HANGING_URL);
    let temps = || -> Vec<PathBuf> {
        fs::read_dir(&repo_dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .unwrap()
                            .to_string_lossy()
                            .starts_with(".tmp-")
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Wait for the child's `git fetch` to reach ssh (reading the pipe
    // blocks until then), failing if the child ends first.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(fs::read_to_string(&started));
    });
    // A failure deadline (the child is checked on every second), not a
    // measure of speed.
    for waited in 0.. {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                assert_eq!(line.unwrap().trim(), "started");
                break;
            }
            Err(_) => {
                if let Some(status) = child.try_wait().unwrap() {
                    panic!("the child ended ({status}) before its fetch reached ssh");
                }
                assert!(waited < 300, "the child's fetch never reached ssh");
            }
        }
    }
    assert_eq!(temps().len(), 1, "the fetch works in a temporary directory");
    child.kill().unwrap();
    child.wait().unwrap();
    let left = temps();
    assert_eq!(
        left.len(),
        1,
        "the killed fetch leaves its temporary directory"
    );
    assert!(!repo_dir.join(&origin.tagged).exists(), "and no tree");

    // The next build fetches (its lock is free: it died with the process)
    // and removes the leftover.
    let r = f
        .fetch_remote(&format!("{HANGING_URL}//deploy?ref={}", origin.tagged))
        .unwrap();
    assert_eq!(r.source, Source::Fetched);
    assert!(read_base(&r).contains("app:v0.1.0"));
    assert!(!left[0].exists());
    assert!(temps().is_empty());
}

/// A cached tree damaged after it was fetched (a file truncated at a line,
/// removed, added) is fetched again, even for a tag that needs no network
/// otherwise, and with `--refresh` too; offline, the build fails saying
/// so. A file changed without changing its size is found when it is read
/// (and by `--refresh`, which hashes every file).
#[test]
fn a_damaged_cache_entry_is_fetched_again_or_refused_offline() {
    if !have_git("damaged cache test") {
        return;
    }
    let origin = Origin::new();
    let target = "https://github.com/org/app//deploy/k8s/base?ref=v0.1.0";
    let base = "deploy/k8s/base/deployment.yaml";
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 3] = [
        ("truncated", |tree| {
            let p = tree.join("deploy/k8s/base/deployment.yaml");
            let text = fs::read_to_string(&p).unwrap();
            let cut: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
            fs::write(p, cut).unwrap();
        }),
        ("removed", |tree| {
            fs::remove_file(tree.join("deploy/k8s/overlays/staging/kustomization.yaml")).unwrap()
        }),
        ("added", |tree| {
            write(&tree.join("deploy/k8s/base/extra.yaml"), "kind: X\n")
        }),
    ];
    let mut failures = Vec::new();
    for (what, damage) in damages {
        for refresh in [false, true] {
            let cache = tempfile::tempdir().unwrap();
            let fetcher = |offline: bool| {
                GitFetcher::new(FetchOptions {
                    offline,
                    refresh,
                    ..options(cache.path(), &[(APP, &origin)])
                })
            };
            let first = fetcher(false).fetch_remote(target).unwrap();
            let whole = read_base(&first);
            damage(&first.clone_root);
            let err = fetcher(true).fetch_remote(target).unwrap_err().to_string();
            if !err.contains("is damaged") {
                failures.push(format!("{what} (refresh {refresh}) offline: {err}"));
            }
            let again = fetcher(false).fetch_remote(target).unwrap();
            if again.source != Source::Fetched || read_base(&again) != whole {
                failures.push(format!("{what} (refresh {refresh}): {:?}", again.source));
            }
            let names = cache_entries(cache.path());
            if names.iter().any(|n| n.starts_with(".tmp-")) {
                failures.push(format!("{what}: left {names:?}"));
            }
            // Whole again: taken from the cache.
            let third = fetcher(true).fetch_remote(target).unwrap();
            if third.source != Source::Cached
                || fs::read_to_string(third.clone_root.join(base)).unwrap() != whole
            {
                failures.push(format!(
                    "{what} (refresh {refresh}): not whole after the fetch"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_cached_file_changed_in_place_fails_its_read_and_refresh_fetches_it_again() {
    if !have_git("changed cache test") {
        return;
    }
    let origin = Origin::new();
    let cache = tempfile::tempdir().unwrap();
    let target = "https://github.com/org/app//deploy/k8s/base?ref=v0.1.0";
    let fetcher = |refresh: bool| {
        GitFetcher::new(FetchOptions {
            refresh,
            ..options(cache.path(), &[(APP, &origin)])
        })
    };
    let first = fetcher(false).fetch_remote(target).unwrap();
    let p = first.clone_root.join("deploy/k8s/base/deployment.yaml");
    let whole = fs::read_to_string(&p).unwrap();
    // The same size, another image.
    fs::write(&p, whole.replace("v0.1.0", "v6.6.6")).unwrap();
    let dir = fetcher(false).fetch(target).unwrap();
    let err = dir.fs.read(&p).unwrap_err().to_string();
    assert!(err.contains("differs from what was fetched"), "{err}");
    assert!(err.contains("--refresh"), "{err}");
    let again = fetcher(true).fetch_remote(target).unwrap();
    assert_eq!(again.source, Source::Fetched);
    assert_eq!(fs::read_to_string(&p).unwrap(), whole);
}
