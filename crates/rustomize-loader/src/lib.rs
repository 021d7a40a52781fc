//! Where rustomize reads from: file systems (disk, memory, and a Git
//! revision read straight from the repository's objects), loaders
//! rooted at a kustomization directory with kustomize's load restrictions
//! and cycle checks, and remote bases fetched with git into a cache.

pub mod fs;
pub mod git_fs;
pub mod loader;
pub mod remote;

pub use fs::{DiskFs, FileKind, FileSystem, MemFs};
pub use git_fs::{GitFs, GitFsError, GitRepo};
pub use loader::{LoadError, LoadRestrictor, Loader, RemoteDir, RemoteFetcher};
pub use remote::{FetchOptions, FetchedRemote, GitFetcher};
