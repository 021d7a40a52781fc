//! Verifying cached trees: a manifest recorded at fetch time, checked on
//! use.
//!
//! When a fetch is installed, every file of the tree is listed with its
//! size and SHA-256 (and every link with its target) in
//! `<tree>.manifest`, written before the tree is renamed into place. On use
//! the tree is checked in two steps, chosen to cost little on a warm build:
//!
//! - when the tree is taken from the cache, its structure is compared with
//!   the manifest: one directory walk with a `stat` per entry, no reading.
//!   A file removed, added or truncated (a different size), a link changed,
//!   or a manifest missing (an entry made before manifests, or damaged)
//!   makes the entry damaged: it is fetched again, or, offline, the build
//!   fails saying so. With `--refresh` the contents are hashed as well.
//! - each file the build reads is hashed as it is read (the bytes are in
//!   memory anyway; a build reads a few files of a repository) and compared
//!   with the manifest: a change that kept the size fails the read with a
//!   message naming the file and saying how to repair the entry.
//!
//! Keeping the tree as Git objects that Git verifies was the other choice:
//! it would make every read a `git cat-file` (or a packfile reader), and
//! Git does not re-hash objects it reads unless asked to.
#![allow(clippy::disallowed_methods)]

use crate::fs::{DiskFs, FileKind, FileSystem};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One entry of a tree, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Recorded {
    File { size: u64, sha256: String },
    Link { target: String },
    Dir,
}

/// What a tree held when it was fetched, by path relative to the tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    entries: BTreeMap<String, Recorded>,
}

/// Where a tree's manifest lives: beside it.
pub(crate) fn manifest_path(tree: &Path) -> PathBuf {
    let mut name = tree.file_name().unwrap_or_default().to_os_string();
    name.push(".manifest");
    tree.with_file_name(name)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Escapes a path for one field of a manifest line (no line break, no
/// space).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(' ', "\\s")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('s') => out.push(' '),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every entry under `root`, by relative path (`/`-separated), walked with
/// a stack (no recursion). `hash` reads and hashes files; else their
/// recorded hash is left empty.
fn walk(root: &Path, hash: bool) -> io::Result<BTreeMap<String, Recorded>> {
    let mut entries = BTreeMap::new();
    let mut dirs = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = dirs.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let meta = fs::symlink_metadata(&path)?;
            let t = meta.file_type();
            let recorded = if t.is_symlink() {
                Recorded::Link {
                    target: fs::read_link(&path)?.to_string_lossy().into_owned(),
                }
            } else if t.is_dir() {
                dirs.push((path, rel.clone()));
                Recorded::Dir
            } else {
                Recorded::File {
                    size: meta.len(),
                    sha256: if hash {
                        sha256_hex(&fs::read(&path)?)
                    } else {
                        String::new()
                    },
                }
            };
            entries.insert(rel, recorded);
        }
    }
    Ok(entries)
}

impl Manifest {
    /// Records the tree at `root`.
    pub(crate) fn record(root: &Path) -> io::Result<Manifest> {
        Ok(Manifest {
            entries: walk(root, true)?,
        })
    }

    /// Writes the manifest of `tree` atomically.
    pub(crate) fn write(&self, tree: &Path) -> io::Result<()> {
        use std::io::Write as _;
        let path = manifest_path(tree);
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-manifest-")
            .tempfile_in(dir)?;
        let mut text = String::from("rustomize-manifest 1\n");
        for (rel, e) in &self.entries {
            let line = match e {
                Recorded::File { size, sha256 } => format!("f {sha256} {size} {}\n", escape(rel)),
                Recorded::Link { target } => {
                    format!("l {} {}\n", escape(target), escape(rel))
                }
                Recorded::Dir => format!("d {}\n", escape(rel)),
            };
            text.push_str(&line);
        }
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map(drop).map_err(|e| e.error)
    }

    /// Reads the manifest of `tree`; `None` when it is missing or broken.
    pub(crate) fn read(tree: &Path) -> Option<Manifest> {
        let text = fs::read_to_string(manifest_path(tree)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != "rustomize-manifest 1" {
            return None;
        }
        let mut entries = BTreeMap::new();
        for line in lines {
            let (kind, rest) = line.split_once(' ')?;
            let (rel, e) = match kind {
                "f" => {
                    let (sha256, rest) = rest.split_once(' ')?;
                    let (size, rel) = rest.split_once(' ')?;
                    let file = Recorded::File {
                        size: size.parse().ok()?,
                        sha256: sha256.to_string(),
                    };
                    (rel, file)
                }
                "l" => {
                    let (target, rel) = rest.split_once(' ')?;
                    let target = unescape(target);
                    (rel, Recorded::Link { target })
                }
                "d" => (rest, Recorded::Dir),
                _ => return None,
            };
            entries.insert(unescape(rel), e);
        }
        Some(Manifest { entries })
    }

    /// Checks the tree at `root` against the manifest: its structure and
    /// sizes, and with `contents` the hash of every file.
    pub(crate) fn check(&self, root: &Path, contents: bool) -> Result<(), Damage> {
        let found = walk(root, contents).map_err(|e| Damage::Unreadable(e.to_string()))?;
        for (rel, recorded) in &self.entries {
            match (recorded, found.get(rel)) {
                (_, None) => return Err(Damage::Removed(rel.clone())),
                (
                    Recorded::File { size, sha256 },
                    Some(Recorded::File {
                        size: now,
                        sha256: now_hash,
                    }),
                ) => {
                    if size != now {
                        return Err(Damage::Resized(rel.clone(), *size, *now));
                    }
                    if contents && sha256 != now_hash {
                        return Err(Damage::Changed(rel.clone()));
                    }
                }
                (a, Some(b)) if a == b => {}
                (_, Some(_)) => return Err(Damage::Changed(rel.clone())),
            }
        }
        if let Some(rel) = found.keys().find(|k| !self.entries.contains_key(*k)) {
            return Err(Damage::Added(rel.clone()));
        }
        Ok(())
    }

    /// The recorded hash of the file `rel`.
    fn file(&self, rel: &str) -> Option<(u64, &str)> {
        match self.entries.get(rel)? {
            Recorded::File { size, sha256 } => Some((*size, sha256)),
            _ => None,
        }
    }
}

/// How a cached tree differs from its manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Damage {
    /// The tree has no (readable) manifest.
    NoManifest,
    /// The tree cannot be walked.
    Unreadable(String),
    /// A recorded entry is gone.
    Removed(String),
    /// An entry that was not fetched is there.
    Added(String),
    /// A file's size changed (a truncated file).
    Resized(String, u64, u64),
    /// A file's content, or an entry's kind or link target, changed.
    Changed(String),
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::NoManifest => write!(f, "it has no manifest of what was fetched"),
            Damage::Unreadable(e) => write!(f, "it cannot be read: {e}"),
            Damage::Removed(p) => write!(f, "'{p}' was removed"),
            Damage::Added(p) => write!(f, "'{p}' was added"),
            Damage::Resized(p, was, now) => {
                write!(f, "'{p}' has {now} bytes, {was} when fetched")
            }
            Damage::Changed(p) => write!(f, "'{p}' changed"),
        }
    }
}

/// Checks the cached tree at `tree`; `contents` hashes every file too.
pub(crate) fn check_tree(tree: &Path, contents: bool) -> Result<Arc<Manifest>, Damage> {
    let manifest = Manifest::read(tree).ok_or(Damage::NoManifest)?;
    manifest.check(tree, contents)?;
    Ok(Arc::new(manifest))
}

/// The disk, where files of a cached tree are hashed as they are read and
/// compared with the tree's manifest.
#[derive(Debug)]
pub(crate) struct VerifiedFs {
    /// The tree, as the loader resolves it (canonical).
    root: PathBuf,
    manifest: Arc<Manifest>,
}

impl VerifiedFs {
    pub(crate) fn new(root: PathBuf, manifest: Arc<Manifest>) -> Self {
        VerifiedFs { root, manifest }
    }
}

impl FileSystem for VerifiedFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let bytes = DiskFs.read(path)?;
        let Ok(rel) = path.strip_prefix(&self.root) else {
            // Outside the tree (the loader refuses such reads itself).
            return Ok(bytes);
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let ok = self.manifest.file(&rel).is_some_and(|(size, sha256)| {
            size == bytes.len() as u64 && sha256_hex(&bytes) == sha256
        });
        if !ok {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the cached copy of this file differs from what was fetched (the cache entry {} is damaged: build with --refresh, or remove it)",
                    self.root.display()
                ),
            ));
        }
        Ok(bytes)
    }

    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        DiskFs.kind(path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        DiskFs.canonicalize(path)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        DiskFs.read_dir(path)
    }

    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        DiskFs.kind_no_follow(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("c1");
        fs::create_dir_all(t.join("base")).unwrap();
        fs::write(t.join("base/kustomization.yaml"), "resources:\n- cm.yaml\n").unwrap();
        fs::write(t.join("base/cm.yaml"), "a: 1\nb: 2\nc: 3\n").unwrap();
        fs::write(t.join("odd\nname"), "x").unwrap();
        std::os::unix::fs::symlink("base/cm.yaml", t.join("link to cm")).unwrap();
        Manifest::record(&t).unwrap().write(&t).unwrap();
        dir
    }

    #[test]
    fn a_recorded_tree_checks_and_reads_back() {
        let dir = tree();
        let t = dir.path().join("c1");
        let m = check_tree(&t, true).unwrap();
        assert_eq!(*m, Manifest::record(&t).unwrap());
        let fs = VerifiedFs::new(t.clone(), m);
        assert_eq!(
            fs.read(&t.join("base/cm.yaml")).unwrap(),
            b"a: 1\nb: 2\nc: 3\n"
        );
    }

    #[test]
    fn damage_is_found() {
        type Case = (&'static str, fn(&Path), Damage);
        let cases: [Case; 5] = [
            (
                "truncated at a line",
                |t| fs::write(t.join("base/cm.yaml"), "a: 1\n").unwrap(),
                Damage::Resized("base/cm.yaml".into(), 15, 5),
            ),
            (
                "removed",
                |t| fs::remove_file(t.join("base/cm.yaml")).unwrap(),
                Damage::Removed("base/cm.yaml".into()),
            ),
            (
                "added",
                |t| fs::write(t.join("base/new.yaml"), "x").unwrap(),
                Damage::Added("base/new.yaml".into()),
            ),
            (
                "link retargeted",
                |t| {
                    fs::remove_file(t.join("link to cm")).unwrap();
                    std::os::unix::fs::symlink("/etc/passwd", t.join("link to cm")).unwrap();
                },
                Damage::Changed("link to cm".into()),
            ),
            (
                "manifest gone",
                |t| fs::remove_file(manifest_path(t)).unwrap(),
                Damage::NoManifest,
            ),
        ];
        let mut failures = Vec::new();
        for (what, damage, want) in cases {
            let dir = tree();
            let t = dir.path().join("c1");
            damage(&t);
            let got = check_tree(&t, false).err();
            if got.as_ref() != Some(&want) {
                failures.push(format!("{what}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn a_change_that_keeps_the_size_fails_the_read_and_the_full_check() {
        let dir = tree();
        let t = dir.path().join("c1");
        let m = check_tree(&t, false).unwrap();
        fs::write(t.join("base/cm.yaml"), "a: 9\nb: 2\nc: 3\n").unwrap();
        assert_eq!(check_tree(&t, false).err(), None);
        assert_eq!(
            check_tree(&t, true).err(),
            Some(Damage::Changed("base/cm.yaml".into()))
        );
        let err = VerifiedFs::new(t.clone(), m)
            .read(&t.join("base/cm.yaml"))
            .unwrap_err();
        assert!(err.to_string().contains("--refresh"), "{err}");
    }
}
