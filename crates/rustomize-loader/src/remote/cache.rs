//! The on-disk cache of fetched trees, shared by concurrent processes.
//!
//! Layout, under the cache root (`<cache dir>/git`):
//!
//! ```text
//! <host-org-repo>-<hash>/            one directory per repository URL
//!   url                              the URL, for people looking around
//!   <commit>/                        a checked-out tree (no .git), complete
//!   <commit>-nosubmodules/           the same, fetched with ?submodules=false
//!   refs/<ref>-<hash>                "<kind> <commit>": what a ref resolved to
//!   .lock-<key>                      held (flock) while fetching one ref
//!   .tmp-<key>-XXXXXX/               a fetch in progress (or killed)
//! ```
//!
//! A tree directory only ever appears by renaming a finished fetch into
//! place, so one that exists is complete; a killed fetch leaves a `.tmp-`
//! directory, removed by the next fetch of the same ref once it holds the
//! lock (which the dead process no longer does: locks die with it).
//!
//! The cache is a directory on the local disk that rustomize owns, written
//! with locks and renames: it is the one place of the loader (besides
//! [`crate::fs::DiskFs`]) that uses `std::fs` directly. The trees in it are
//! read through a [`crate::FileSystem`] like any other directory (see
//! [`crate::RemoteDir::fs`]).
#![allow(clippy::disallowed_methods)]

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

use super::RefKind;
use super::verify::Manifest;
use std::sync::Arc;

/// The manifest of a tree another fetch installed meanwhile: the one it
/// wrote, when it matches what this fetch saw.
fn existing(dest: &Path, fetched: Manifest) -> io::Result<Arc<Manifest>> {
    match Manifest::read(dest) {
        Some(m) if m == fetched => Ok(Arc::new(m)),
        _ => {
            fetched.write(dest)?;
            Ok(Arc::new(fetched))
        }
    }
}

/// Whether `path` is a directory on disk.
pub(crate) fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

/// The absolute path of `path` on disk, links resolved.
pub(crate) fn canonical(path: &Path) -> io::Result<PathBuf> {
    path.canonicalize()
}

/// Creates `root` if needed and checks that files can be created in it.
pub(crate) fn ensure_writable(root: &Path) -> io::Result<()> {
    fs::create_dir_all(root)?;
    tempfile::Builder::new()
        .prefix(".probe-")
        .tempfile_in(root)
        .map(drop)
}

/// The cache of one fetcher.
#[derive(Clone, Debug)]
pub(crate) struct Cache {
    root: PathBuf,
}

/// What a ref resolved to when it was last fetched or checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefRecord {
    pub kind: RefKind,
    pub commit: String,
}

/// An exclusive lock on one ref of one repository; released on drop (and
/// by the system if the process dies).
#[derive(Debug)]
pub(crate) struct RefLock {
    _file: File,
}

impl Cache {
    /// A cache rooted at `root` (created on first use).
    pub(crate) fn new(root: PathBuf) -> Self {
        Cache { root }
    }

    /// The root directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of everything fetched from `url`.
    pub(crate) fn repo_dir(&self, url: &str) -> PathBuf {
        self.root.join(format!("{}-{}", slug(url), short_hash(url)))
    }

    /// Where the tree of `commit` lives.
    pub(crate) fn tree_dir(repo_dir: &Path, commit: &str, submodules: bool) -> PathBuf {
        if submodules {
            repo_dir.join(commit)
        } else {
            repo_dir.join(format!("{commit}-nosubmodules"))
        }
    }

    /// What `git_ref` resolved to last time, if recorded.
    pub(crate) fn read_ref(repo_dir: &Path, git_ref: &str) -> Option<RefRecord> {
        let text = fs::read_to_string(ref_file(repo_dir, git_ref)).ok()?;
        let (kind, commit) = text.trim().split_once(' ')?;
        let kind = RefKind::parse(kind)?;
        super::git::is_full_oid(commit).then(|| RefRecord {
            kind,
            commit: commit.to_string(),
        })
    }

    /// Records what `git_ref` resolved to (atomically: a reader sees the
    /// old record or the new one).
    pub(crate) fn write_ref(repo_dir: &Path, git_ref: &str, rec: &RefRecord) -> io::Result<()> {
        let dir = repo_dir.join("refs");
        fs::create_dir_all(&dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(&dir)?;
        writeln!(tmp, "{} {}", rec.kind.as_str(), rec.commit)?;
        tmp.persist(ref_file(repo_dir, git_ref))
            .map(|_| ())
            .map_err(|e| e.error)
    }

    /// Takes the lock for fetching `key` (a ref and its options) from the
    /// repository, creating the directories as needed; blocks while another
    /// thread or process holds it.
    pub(crate) fn lock(repo_dir: &Path, url: &str, key: &str) -> io::Result<RefLock> {
        fs::create_dir_all(repo_dir)?;
        let url_file = repo_dir.join("url");
        if !url_file.exists() {
            // Informational only; a race writes the same text twice.
            let _ = fs::write(&url_file, format!("{url}\n"));
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(repo_dir.join(format!(".lock-{key}")))?;
        match file.lock() {
            Ok(()) => {}
            // Some network file systems have no locks: carry on, the
            // atomic rename still keeps every entry whole.
            Err(e) if e.kind() == io::ErrorKind::Unsupported => {}
            Err(e) => return Err(e),
        }
        Ok(RefLock { _file: file })
    }

    /// Removes what killed fetches of `key` left behind. Call with the
    /// lock for `key` held: then no live fetch is using them.
    pub(crate) fn remove_stale_temps(repo_dir: &Path, key: &str) -> io::Result<()> {
        let prefix = temp_prefix(key);
        for entry in fs::read_dir(repo_dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    fs::remove_dir_all(&path)?;
                } else {
                    fs::remove_file(&path)?;
                }
            }
        }
        Ok(())
    }

    /// A fresh directory to fetch `key` into; removed when dropped unless
    /// installed.
    pub(crate) fn temp_dir(repo_dir: &Path, key: &str) -> io::Result<TempDir> {
        tempfile::Builder::new()
            .prefix(&temp_prefix(key))
            .tempdir_in(repo_dir)
    }

    /// Moves a finished fetch to its place, dropping its `.git`, with the
    /// manifest of what it holds written first (see `verify`). If the
    /// place is taken (the same commit fetched through another ref), the
    /// existing tree stays and the new one is discarded. Returns the
    /// manifest of the tree in place.
    pub(crate) fn install(tmp: TempDir, dest: &Path) -> io::Result<Arc<Manifest>> {
        let git_dir = tmp.path().join(".git");
        if git_dir.is_dir() {
            fs::remove_dir_all(&git_dir)?;
        }
        let manifest = Manifest::record(tmp.path())?;
        if dest.is_dir() {
            return existing(dest, manifest);
        }
        manifest.write(dest)?;
        let path = tmp.keep();
        match fs::rename(&path, dest) {
            Ok(()) => Ok(Arc::new(manifest)),
            Err(_) if dest.is_dir() => {
                fs::remove_dir_all(&path)?;
                existing(dest, manifest)
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&path);
                Err(e)
            }
        }
    }

    /// Moves the damaged tree `tree` aside (into a temporary directory of
    /// `key`, which a later fetch cleans up if this one dies) and removes
    /// it. Call with the lock for `key` held.
    pub(crate) fn discard(repo_dir: &Path, key: &str, tree: &Path) -> io::Result<()> {
        let aside = Cache::temp_dir(repo_dir, key)?.keep();
        fs::rename(tree, aside.join("damaged"))?;
        fs::remove_dir_all(&aside)
    }
}

/// A key for the lock and temporary directories of one ref fetch.
pub(crate) fn fetch_key(git_ref: &str, submodules: bool) -> String {
    short_hash(&format!("{git_ref}\n{submodules}"))
}

fn temp_prefix(key: &str) -> String {
    format!(".tmp-{key}-")
}

fn ref_file(repo_dir: &Path, git_ref: &str) -> PathBuf {
    repo_dir
        .join("refs")
        .join(format!("{}-{}", slug(git_ref), short_hash(git_ref)))
}

/// A readable, file-name-safe rendering of `s`: `https://github.com/org/app`
/// becomes `github.com-org-app`.
fn slug(s: &str) -> String {
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let mut out = String::with_capacity(s.len().min(60));
    for c in s.chars() {
        if out.len() >= 60 {
            break;
        }
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            c
        } else {
            '-'
        };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "repo".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The first 16 hex digits of the SHA-256 of `s`.
fn short_hash(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_and_safe() {
        let cases = [
            ("https://github.com/org/app", "github.com-org-app"),
            ("git@github.com:org/app.git", "git-github.com-org-app.git"),
            ("file:///tmp/x/app.git", "tmp-x-app.git"),
            ("../..", "repo"),
            ("v1.2.3", "v1.2.3"),
            ("release/1.x", "release-1.x"),
        ];
        for (input, want) in cases {
            assert_eq!(slug(input), want, "{input}");
        }
        assert!(slug(&"a".repeat(500)).len() <= 60);
    }

    #[test]
    fn different_urls_get_different_directories() {
        let cache = Cache::new(PathBuf::from("/c"));
        let a = cache.repo_dir("https://github.com/org/app");
        let b = cache.repo_dir("https://github.com/org/App");
        let c = cache.repo_dir("https://github.com/org-app");
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with("/c"));
    }

    #[test]
    fn ref_records_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567".to_string();
        assert_eq!(Cache::read_ref(dir.path(), "v1"), None);
        let rec = RefRecord {
            kind: RefKind::Tag,
            commit,
        };
        Cache::write_ref(dir.path(), "v1", &rec).unwrap();
        assert_eq!(Cache::read_ref(dir.path(), "v1"), Some(rec));
        assert_eq!(Cache::read_ref(dir.path(), "v2"), None);
        fs::write(ref_file(dir.path(), "v2"), "tag nonsense").unwrap();
        assert_eq!(Cache::read_ref(dir.path(), "v2"), None);
    }

    #[test]
    fn stale_temps_of_one_key_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let key = fetch_key("v1", true);
        let other = fetch_key("v2", true);
        let stale = Cache::temp_dir(dir.path(), &key).unwrap().keep();
        fs::write(stale.join("half-written"), "x").unwrap();
        let live = Cache::temp_dir(dir.path(), &other).unwrap();
        Cache::remove_stale_temps(dir.path(), &key).unwrap();
        assert!(!stale.exists());
        assert!(live.path().exists());
    }

    #[test]
    fn install_is_a_rename_and_keeps_an_existing_tree() {
        let dir = tempfile::tempdir().unwrap();
        let key = fetch_key("v1", true);
        let tmp = Cache::temp_dir(dir.path(), &key).unwrap();
        fs::create_dir(tmp.path().join(".git")).unwrap();
        fs::write(tmp.path().join("a.yaml"), "one").unwrap();
        let dest = dir.path().join("c1");
        Cache::install(tmp, &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a.yaml")).unwrap(), "one");
        assert!(!dest.join(".git").exists());

        let tmp = Cache::temp_dir(dir.path(), &key).unwrap();
        fs::write(tmp.path().join("a.yaml"), "two").unwrap();
        let tmp_path = tmp.path().to_path_buf();
        Cache::install(tmp, &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a.yaml")).unwrap(), "one");
        assert!(!tmp_path.exists());
    }
}
