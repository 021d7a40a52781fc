//! Where rustomize reads from: file systems (disk and memory), loaders
//! rooted at a kustomization directory with kustomize's load restrictions
//! and cycle checks, and the hook for remote bases.

pub mod fs;
pub mod loader;

pub use fs::{DiskFs, FileKind, FileSystem, MemFs};
pub use loader::{LoadError, LoadRestrictor, Loader, RemoteDir, RemoteFetcher};
