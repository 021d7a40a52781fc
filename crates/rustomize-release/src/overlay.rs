//! A file system that answers some paths with given bytes and every other
//! path from another file system: a build of a kustomization as it would be
//! after an edit, or of a folder `init` has not written yet, without
//! writing anything.

use rustomize_loader::fs::clean;
use rustomize_loader::{FileKind, FileSystem};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `inner` with some files replaced or added (see the module docs).
#[derive(Debug)]
pub struct Overlay {
    inner: Arc<dyn FileSystem>,
    /// Files by absolute, clean path; each path also under its canonical
    /// form when its directory exists in `inner`.
    files: BTreeMap<PathBuf, Vec<u8>>,
    /// Directories that exist only because a file was added below them.
    dirs: BTreeSet<PathBuf>,
}

impl Overlay {
    /// `inner` as it is.
    pub fn new(inner: Arc<dyn FileSystem>) -> Overlay {
        Overlay {
            inner,
            files: BTreeMap::new(),
            dirs: BTreeSet::new(),
        }
    }

    /// Answers `path` (absolute) with `bytes`, creating its directories
    /// as far as `inner` lacks them.
    pub fn with_file(mut self, path: &Path, bytes: impl Into<Vec<u8>>) -> Overlay {
        let path = clean(path);
        let bytes = bytes.into();
        if let Some(real) = self.real(&path)
            && real != path
        {
            self.files.insert(real, bytes.clone());
        }
        let mut dir = path.parent();
        while let Some(d) = dir {
            if self.inner.kind(d).is_ok() {
                break;
            }
            self.dirs.insert(d.to_path_buf());
            dir = d.parent();
        }
        self.files.insert(path, bytes);
        self
    }

    /// The canonical form of `path` when its parent exists in `inner`.
    fn real(&self, path: &Path) -> Option<PathBuf> {
        let parent = self.inner.canonicalize(path.parent()?).ok()?;
        Some(parent.join(path.file_name()?))
    }

    fn file(&self, path: &Path) -> Option<&Vec<u8>> {
        let path = clean(path);
        if let Some(b) = self.files.get(&path) {
            return Some(b);
        }
        // Through links: only for names the overlay has.
        let name = path.file_name()?;
        if !self.files.keys().any(|k| k.file_name() == Some(name)) {
            return None;
        }
        self.files.get(&self.real(&path)?)
    }
}

impl FileSystem for Overlay {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.file(path) {
            Some(b) => Ok(b.clone()),
            None => self.inner.read(path),
        }
    }

    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        if self.file(path).is_some() {
            return Ok(FileKind::File);
        }
        if self.dirs.contains(&clean(path)) {
            return Ok(FileKind::Dir);
        }
        self.inner.kind(path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let path = clean(path);
        if self.dirs.contains(&path) || self.files.contains_key(&path) {
            return Ok(path);
        }
        self.inner.canonicalize(&path)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let path = clean(path);
        let mut names: BTreeSet<String> = match self.inner.read_dir(&path) {
            Ok(n) => n.into_iter().collect(),
            Err(e) if !self.dirs.contains(&path) => return Err(e),
            Err(_) => BTreeSet::new(),
        };
        for p in self.files.keys().chain(self.dirs.iter()) {
            if p.parent() == Some(&path)
                && let Some(n) = p.file_name()
            {
                names.insert(n.to_string_lossy().into_owned());
            }
        }
        Ok(names.into_iter().collect())
    }

    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        let clean_path = clean(path);
        if self.files.contains_key(&clean_path) {
            return Ok(Some(FileKind::File));
        }
        if self.dirs.contains(&clean_path) {
            return Ok(Some(FileKind::Dir));
        }
        self.inner.kind_no_follow(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustomize_loader::MemFs;

    #[test]
    fn replaced_and_added_files_and_their_directories() {
        let mem = MemFs::new();
        mem.write("/a/kustomization.yaml", "old");
        mem.write("/a/x.yaml", "x");
        let fs = Overlay::new(Arc::new(mem))
            .with_file(Path::new("/a/kustomization.yaml"), "new")
            .with_file(Path::new("/a/b/c/k.yaml"), "added");
        assert_eq!(fs.read(Path::new("/a/kustomization.yaml")).unwrap(), b"new");
        assert_eq!(fs.read(Path::new("/a/./x.yaml")).unwrap(), b"x");
        assert_eq!(fs.kind(Path::new("/a/b")).unwrap(), FileKind::Dir);
        assert_eq!(
            fs.read_dir(Path::new("/a")).unwrap(),
            ["b", "kustomization.yaml", "x.yaml"]
        );
        assert_eq!(fs.read_dir(Path::new("/a/b/c")).unwrap(), ["k.yaml"]);
        assert_eq!(fs.read(Path::new("/a/b/c/k.yaml")).unwrap(), b"added");
        assert!(fs.read(Path::new("/a/b/none")).is_err());
    }
}
