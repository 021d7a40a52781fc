//! The local disk, for the steps that run programs (helm, exec KRM
//! functions): those programs read real paths, so what they are given must
//! be on the disk, whatever [`FileSystem`](rustomize_loader::FileSystem)
//! the build reads. This is the engine's one place that touches the disk
//! itself (clippy.toml's disallowed-methods keeps it so).
#![allow(clippy::disallowed_methods)]

use std::io;
use std::path::{Path, PathBuf};

/// Whether `path` is a directory on the local disk.
pub(crate) fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

/// A scratch directory on the local disk for one program run, removed
/// when dropped.
pub(crate) struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new, empty scratch directory named `<prefix>XXXXXX` in the
    /// system's temporary directory.
    pub(crate) fn new(prefix: &str) -> io::Result<Scratch> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        Ok(Scratch { dir })
    }

    /// Its path.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes the file `name` in it; returns its path.
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes)?;
        Ok(path)
    }
}
