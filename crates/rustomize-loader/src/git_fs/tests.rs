//! GitFs against real repositories made with the `git` program (skipped,
//! with a message, when git is missing, unless RUSTOMIZE_REQUIRE_ORACLES=1).

use super::*;
use crate::{LoadError, LoadRestrictor, Loader};
use std::collections::BTreeMap;
use std::process::Command;

fn have_git() -> bool {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("RUSTOMIZE_REQUIRE_ORACLES").is_none_or(|v| v != "1"),
            "git is required (RUSTOMIZE_REQUIRE_ORACLES=1)"
        );
        eprintln!("skipped: git is not installed");
    }
    ok
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "core.symlinks=true",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Every path below `dir` (the `.git` directory included) with its size
/// and modification time: what "nothing left behind" compares.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.insert(e.path(), (m.len(), m.modified().unwrap()));
        }
    }
    out
}

/// A repository with two commits (tag `v1`, then `main`), links, and a
/// working tree edited after the last commit.
struct Repo {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

fn repo() -> Repo {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    let root = top.join("repo");
    let outside = top.join("outside");
    write(&outside, "shared.yaml", "from: disk\n");
    write(&root, "app/kustomization.yaml", "resources: [a.yaml]\n");
    write(&root, "app/a.yaml", "v: 1\n");
    write(&root, "app/b.yaml", "b: 1\n");
    write(&root, "base/d.yaml", "d: 1\n");
    std::fs::create_dir_all(root.join("links")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("../app/a.yaml", root.join("links/file.yaml")).unwrap();
        symlink("../base", root.join("links/dir")).unwrap();
        symlink(outside.join("shared.yaml"), root.join("links/abs.yaml")).unwrap();
        symlink("loop2", root.join("links/loop1")).unwrap();
        symlink("loop1", root.join("links/loop2")).unwrap();
    }
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "one"]);
    git(&root, &["tag", "v1"]);
    write(&root, "app/a.yaml", "v: 2\n");
    std::fs::remove_file(root.join("app/b.yaml")).unwrap();
    write(&root, "app/new.yaml", "n: 1\n");
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "two"]);
    // Uncommitted: the working tree is never what a GitFs reads.
    write(&root, "app/a.yaml", "v: working\n");
    Repo {
        _tmp: tmp,
        root,
        outside,
    }
}

#[test]
fn reads_each_revision_and_never_the_working_tree() {
    if !have_git() {
        return;
    }
    let r = repo();
    let before = snapshot(&r.root);
    let repo = GitRepo::open(&r.root.join("app")).unwrap();
    assert_eq!(repo.toplevel(), r.root);
    // Both reading strategies: all at once, and directory by directory.
    for limit in [16 << 20, 0] {
        repo.set_prefetch_limit(limit);
        let v1 = repo.at("v1").unwrap();
        let head = repo.at("main").unwrap();
        let a = r.root.join("app/a.yaml");
        assert_eq!(v1.read(&a).unwrap(), b"v: 1\n");
        assert_eq!(head.read(&a).unwrap(), b"v: 2\n");
        assert_eq!(
            v1.read_dir(&r.root.join("app")).unwrap(),
            ["a.yaml", "b.yaml", "kustomization.yaml"]
        );
        assert_eq!(
            head.read_dir(&r.root.join("app")).unwrap(),
            ["a.yaml", "kustomization.yaml", "new.yaml"]
        );
        assert_eq!(v1.read_dir(&r.root).unwrap(), ["app", "base", "links"]);
        let gone = head.read(&r.root.join("app/b.yaml")).unwrap_err();
        assert_eq!(gone.kind(), io::ErrorKind::NotFound);
        assert!(gone.to_string().contains("revision 'main'"), "{gone}");
        assert!(gone.to_string().contains("app/b.yaml"), "{gone}");
        assert_eq!(v1.kind(&r.root.join("app")).unwrap(), FileKind::Dir);
        assert_eq!(v1.kind(&r.root).unwrap(), FileKind::Dir);
        assert_eq!(v1.kind(&a).unwrap(), FileKind::File);
        assert_eq!(
            v1.kind_no_follow(&a).unwrap(),
            Some(FileKind::File),
            "a plain file"
        );
        let dir_as_file = v1.read(&r.root.join("app")).unwrap_err();
        assert!(dir_as_file.to_string().contains("is a directory"));
        let file_as_dir = v1.read(&r.root.join("app/a.yaml/x")).unwrap_err();
        assert!(file_as_dir.to_string().contains("not a directory"));
        assert_eq!(v1.commit(), git(&r.root, &["rev-parse", "v1"]));
    }
    drop(repo);
    assert_eq!(
        before,
        snapshot(&r.root),
        "the repository was left as it was"
    );
}

#[cfg(unix)]
#[test]
fn links_are_followed_as_on_disk() {
    if !have_git() {
        return;
    }
    let r = repo();
    let repo = GitRepo::open(&r.root).unwrap();
    let fs = repo.at("v1").unwrap();
    let links = r.root.join("links");
    assert_eq!(fs.read(&links.join("file.yaml")).unwrap(), b"v: 1\n");
    assert_eq!(fs.kind_no_follow(&links.join("file.yaml")).unwrap(), None);
    assert_eq!(
        fs.canonicalize(&links.join("file.yaml")).unwrap(),
        r.root.join("app/a.yaml")
    );
    assert_eq!(fs.read(&links.join("dir/d.yaml")).unwrap(), b"d: 1\n");
    assert_eq!(fs.kind(&links.join("dir")).unwrap(), FileKind::Dir);
    assert_eq!(fs.read_dir(&links.join("dir")).unwrap(), ["d.yaml"]);
    assert_eq!(
        fs.canonicalize(&links.join("dir/../app")).unwrap(),
        r.root.join("app"),
        "`..` after a link, as the disk resolves it"
    );
    // An absolute link out of the repository reads the disk.
    assert_eq!(fs.read(&links.join("abs.yaml")).unwrap(), b"from: disk\n");
    assert_eq!(
        fs.canonicalize(&links.join("abs.yaml")).unwrap(),
        r.outside.join("shared.yaml")
    );
    let e = fs.read(&links.join("loop1")).unwrap_err();
    assert!(e.to_string().contains("too many levels"), "{e}");
    // Paths outside the working tree are the disk's.
    assert_eq!(
        fs.read(&r.outside.join("shared.yaml")).unwrap(),
        b"from: disk\n"
    );

    // The loader over a revision: files through links, the restrictor.
    let ldr = Loader::new(Arc::new(fs), &links, LoadRestrictor::RootOnly).unwrap();
    assert!(matches!(
        ldr.load("file.yaml"),
        Err(LoadError::Restricted { .. })
    ));
    let base = ldr.child("dir").unwrap();
    assert_eq!(base.root(), r.root.join("base"));
    assert_eq!(base.load("d.yaml").unwrap(), b"d: 1\n");
}

#[test]
fn bad_revisions_and_places_are_named() {
    if !have_git() {
        return;
    }
    let r = repo();
    let repo = GitRepo::open(&r.root).unwrap();
    for rev in ["nope", "-h", "", "v1:app"] {
        let e = repo.at(rev).unwrap_err();
        assert!(
            matches!(e, GitFsError::UnknownRevision { .. }),
            "{rev}: {e}"
        );
        assert!(e.to_string().contains(&format!("'{rev}'")), "{e}");
    }
    let e = GitRepo::open(&r.outside).unwrap_err();
    assert!(matches!(e, GitFsError::NotARepository { .. }), "{e}");
}

#[test]
fn default_base_is_the_merge_base_with_main() {
    if !have_git() {
        return;
    }
    let r = repo();
    let main = git(&r.root, &["rev-parse", "main"]);
    git(&r.root, &["checkout", "-qb", "feature"]);
    git(&r.root, &["commit", "-qam", "three"]);
    let repo = GitRepo::open(&r.root).unwrap();
    let (label, commit) = repo.default_base().unwrap();
    assert_eq!(label, "merge base of HEAD and main");
    assert_eq!(commit, main);
    // A remote's default branch comes first.
    git(&r.root, &["update-ref", "refs/remotes/origin/trunk", "v1"]);
    git(
        &r.root,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/trunk",
        ],
    );
    let (label, commit) = repo.default_base().unwrap();
    assert_eq!(label, "merge base of HEAD and origin/trunk");
    assert_eq!(commit, git(&r.root, &["rev-parse", "v1"]));
}

#[test]
fn ls_tree_output_parses() {
    let oid = "0123456789abcdef0123456789abcdef01234567";
    let text = format!(
        "100644 blob {oid}      12\ta/b c.yaml\0040000 tree {oid}       -\ta\0120000 blob {oid}       5\tl\0160000 commit {oid}       -\tsub\0"
    );
    let tree = Tree::parse(text.as_bytes()).unwrap();
    assert_eq!(tree.dirs[&b""[..]], ["a", "l", "sub"]);
    assert_eq!(tree.dirs[&b"a"[..]], ["b c.yaml"]);
    let e = tree.entries[&b"a/b c.yaml"[..]];
    assert_eq!((e.kind, e.size), (EntryKind::File, 12));
    assert_eq!(e.oid.hex(), oid);
    assert_eq!(tree.entries[&b"l"[..]].kind, EntryKind::Link);
    assert_eq!(tree.entries[&b"sub"[..]].kind, EntryKind::Submodule);
    assert!(Tree::parse(b"garbage\0").is_err());
}
