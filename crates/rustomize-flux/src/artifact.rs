//! The files kustomize-controller builds from: the source's artifact, seen
//! through the engine's [`FileSystem`] trait without copying or writing
//! anything.
//!
//! source-controller archives only regular files and directories (links
//! are left out, and so is everything reached through them), minus what
//! the `.sourceignore` filter excludes ([`crate::sourceignore`]);
//! kustomize-controller then refuses any path outside the artifact's root
//! (its secure file system), except the directories remote bases are
//! cloned into. On top of that the generated `kustomization.yaml` is laid
//! over the tree, in memory.

// This module is a FileSystem implementation over the disk (clippy.toml's
// disallowed-methods keeps std::fs inside such implementations).
#![allow(clippy::disallowed_methods)]

use crate::sourceignore::Matcher;
use rustomize_loader::{DiskFs, FileKind, FileSystem};
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, RwLock};

/// The artifact of a source rooted at a directory of the disk.
#[derive(Debug)]
pub struct ArtifactFs {
    root: PathBuf,
    matcher: Matcher,
    overlay: RwLock<BTreeMap<PathBuf, Vec<u8>>>,
    allowed: Vec<PathBuf>,
    kinds: Mutex<HashMap<PathBuf, Option<FileKind>>>,
}

enum Place {
    /// Under the root: the components below it.
    Inside(Vec<String>),
    /// Under an allowed directory (a remote base's clone).
    Allowed(PathBuf),
    /// Anywhere else.
    Outside(PathBuf),
}

impl ArtifactFs {
    /// The artifact of `root` (which must exist) filtered by `matcher`;
    /// paths under `allowed` are read from the disk as they are.
    pub fn new(root: &Path, matcher: Matcher, allowed: Vec<PathBuf>) -> io::Result<Self> {
        let root = std::fs::canonicalize(root)?;
        let allowed = allowed
            .into_iter()
            .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
            .collect();
        Ok(ArtifactFs {
            root,
            matcher,
            overlay: RwLock::new(BTreeMap::new()),
            allowed,
            kinds: Mutex::new(HashMap::new()),
        })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Lays `content` over the tree at `path` (under the root), in memory.
    pub fn add_file(&self, path: &Path, content: Vec<u8>) {
        let path = clean(&absolute(path));
        self.overlay
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, content);
    }

    /// `root/path`, as filepath-securejoin joins them: `..` never climbs
    /// above the root (the artifact has no links to resolve).
    pub fn secure_join(&self, path: &str) -> PathBuf {
        let mut out = self.root.clone();
        let mut depth = 0;
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if depth > 0 {
                        out.pop();
                        depth -= 1;
                    }
                }
                p => {
                    out.push(p);
                    depth += 1;
                }
            }
        }
        out
    }

    fn locate(&self, path: &Path) -> Place {
        let abs = clean(&absolute(path));
        if let Ok(rel) = abs.strip_prefix(&self.root) {
            return Place::Inside(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect(),
            );
        }
        if self.allowed.iter().any(|a| abs.starts_with(a)) {
            Place::Allowed(abs)
        } else {
            Place::Outside(abs)
        }
    }

    fn outside(&self, path: &Path) -> io::Error {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "fs-security-constraint: path '{}' is not in or below '{}'",
                path.display(),
                self.root.display()
            ),
        )
    }

    fn overlay_kind(&self, abs: &Path) -> Option<FileKind> {
        let overlay = self.overlay.read().unwrap_or_else(|e| e.into_inner());
        if overlay.contains_key(abs) {
            Some(FileKind::File)
        } else if overlay.keys().any(|k| k.starts_with(abs)) {
            Some(FileKind::Dir)
        } else {
            None
        }
    }

    /// What the artifact holds at `parts` below the root.
    fn kind_inside(&self, parts: &[String]) -> Option<FileKind> {
        let abs = parts.iter().fold(self.root.clone(), |p, c| p.join(c));
        if let Some(k) = self.overlay_kind(&abs) {
            return Some(k);
        }
        if let Some(k) = self
            .kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&abs)
        {
            return *k;
        }
        let kind = self.compute_kind(parts, &abs);
        self.kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(abs, kind);
        kind
    }

    fn compute_kind(&self, parts: &[String], abs: &Path) -> Option<FileKind> {
        let kind = self.real_kind(parts, abs)?;
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        if !self.matcher.excludes(&refs, kind == FileKind::Dir) {
            return Some(kind);
        }
        // An excluded directory still comes out of the archive when
        // something below it was kept.
        (kind == FileKind::Dir && self.keeps_something_below(parts, abs)).then_some(FileKind::Dir)
    }

    /// What the disk holds at `parts`, when no component is a link.
    fn real_kind(&self, parts: &[String], abs: &Path) -> Option<FileKind> {
        if parts.is_empty() {
            return Some(FileKind::Dir);
        }
        let mut p = self.root.clone();
        for (i, c) in parts.iter().enumerate() {
            p.push(c);
            let t = std::fs::symlink_metadata(&p).ok()?.file_type();
            if i + 1 < parts.len() {
                if !t.is_dir() {
                    return None;
                }
            } else if t.is_dir() {
                return Some(FileKind::Dir);
            } else if t.is_file() {
                return Some(FileKind::File);
            }
        }
        let _ = abs;
        None
    }

    fn keeps_something_below(&self, parts: &[String], abs: &Path) -> bool {
        let Ok(entries) = std::fs::read_dir(abs) else {
            return false;
        };
        entries.filter_map(Result::ok).any(|e| {
            let Ok(t) = e.file_type() else {
                return false;
            };
            if !t.is_dir() && !t.is_file() {
                return false;
            }
            let mut child = parts.to_vec();
            child.push(e.file_name().to_string_lossy().into_owned());
            let refs: Vec<&str> = child.iter().map(String::as_str).collect();
            !self.matcher.excludes(&refs, t.is_dir())
                || (t.is_dir() && self.keeps_something_below(&child, &e.path()))
        })
    }

    fn not_found(path: &Path) -> io::Error {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("{}: no such file or directory", path.display()),
        )
    }
}

impl FileSystem for ArtifactFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.locate(path) {
            Place::Inside(parts) => {
                let abs = parts.iter().fold(self.root.clone(), |p, c| p.join(c));
                if let Some(content) = self
                    .overlay
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&abs)
                {
                    return Ok(content.clone());
                }
                match self.kind_inside(&parts) {
                    Some(FileKind::File) => std::fs::read(&abs),
                    Some(FileKind::Dir) => Err(io::Error::other("is a directory")),
                    None => Err(Self::not_found(path)),
                }
            }
            Place::Allowed(abs) => DiskFs.read(&abs),
            Place::Outside(abs) => Err(self.outside(&abs)),
        }
    }

    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        match self.locate(path) {
            Place::Inside(parts) => self
                .kind_inside(&parts)
                .ok_or_else(|| Self::not_found(path)),
            Place::Allowed(abs) => DiskFs.kind(&abs),
            Place::Outside(abs) => Err(self.outside(&abs)),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match self.locate(path) {
            Place::Inside(parts) => {
                self.kind_inside(&parts)
                    .ok_or_else(|| Self::not_found(path))?;
                Ok(parts.iter().fold(self.root.clone(), |p, c| p.join(c)))
            }
            Place::Allowed(abs) => DiskFs.canonicalize(&abs),
            Place::Outside(abs) => Err(self.outside(&abs)),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        match self.locate(path) {
            Place::Inside(parts) => {
                if self.kind_inside(&parts) != Some(FileKind::Dir) {
                    return Err(Self::not_found(path));
                }
                let abs = parts.iter().fold(self.root.clone(), |p, c| p.join(c));
                let mut names: Vec<String> = match std::fs::read_dir(&abs) {
                    Ok(entries) => entries
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|name| {
                            let mut child = parts.clone();
                            child.push(name.clone());
                            self.kind_inside(&child).is_some()
                        })
                        .collect(),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(e),
                };
                for k in self
                    .overlay
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .keys()
                {
                    if let Ok(rel) = k.strip_prefix(&abs)
                        && let Some(Component::Normal(first)) = rel.components().next()
                    {
                        let first = first.to_string_lossy().into_owned();
                        if !names.contains(&first) {
                            names.push(first);
                        }
                    }
                }
                names.sort();
                Ok(names)
            }
            Place::Allowed(abs) => DiskFs.read_dir(&abs),
            Place::Outside(abs) => Err(self.outside(&abs)),
        }
    }

    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        match self.locate(path) {
            // The artifact holds no links.
            Place::Inside(parts) => Ok(Some(
                self.kind_inside(&parts)
                    .ok_or_else(|| Self::not_found(path))?,
            )),
            Place::Allowed(abs) => DiskFs.kind_no_follow(&abs),
            Place::Outside(abs) => Err(self.outside(&abs)),
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// `.` and `..` resolved by the text of the path.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("apps/base")).expect("mkdir");
        std::fs::create_dir_all(root.join(".github/workflows")).expect("mkdir");
        std::fs::write(root.join("apps/base/deploy.yaml"), "a: 1\n").expect("write");
        std::fs::write(root.join(".github/workflows/ci.yaml"), "on: push\n").expect("write");
        std::fs::write(root.join("secret.txt"), "x").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("apps/base"), root.join("apps/link"))
            .expect("symlink");
        dir
    }

    #[test]
    fn shows_the_artifact_of_the_tree() {
        let dir = tree();
        let fs =
            ArtifactFs::new(dir.path(), Matcher::artifact(Vec::new()), Vec::new()).expect("root");
        let root = fs.root().to_path_buf();
        assert_eq!(
            fs.read(&root.join("apps/base/deploy.yaml")).expect("read"),
            b"a: 1\n"
        );
        assert!(fs.read(&root.join(".github/workflows/ci.yaml")).is_err());
        assert_eq!(fs.read_dir(&root).expect("dir"), ["apps", "secret.txt"]);
        #[cfg(unix)]
        {
            assert!(fs.kind(&root.join("apps/link")).is_err());
            assert!(fs.read(&root.join("apps/link/deploy.yaml")).is_err());
            assert_eq!(fs.read_dir(&root.join("apps")).expect("dir"), ["base"]);
        }
        let escape = root.join("apps/../../outside.yaml");
        let err = fs.read(&escape).expect_err("outside the root");
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn lays_generated_files_over_the_tree() {
        let dir = tree();
        let fs =
            ArtifactFs::new(dir.path(), Matcher::artifact(Vec::new()), Vec::new()).expect("root");
        let root = fs.root().to_path_buf();
        let k = root.join("apps/kustomization.yaml");
        fs.add_file(&k, b"resources: []\n".to_vec());
        assert_eq!(fs.kind(&k).expect("kind"), FileKind::File);
        assert!(
            fs.read_dir(&root.join("apps"))
                .expect("dir")
                .contains(&"kustomization.yaml".to_string())
        );
        assert!(
            !dir.path().join("apps/kustomization.yaml").exists(),
            "nothing is written"
        );
    }

    #[test]
    fn secure_join_stays_under_the_root() {
        let dir = tree();
        let fs =
            ArtifactFs::new(dir.path(), Matcher::artifact(Vec::new()), Vec::new()).expect("root");
        let root = fs.root().to_path_buf();
        assert_eq!(fs.secure_join("./apps/base"), root.join("apps/base"));
        assert_eq!(fs.secure_join("../../apps"), root.join("apps"));
        assert_eq!(fs.secure_join("/apps/./base/.."), root.join("apps"));
        assert_eq!(fs.secure_join(""), root);
    }
}
