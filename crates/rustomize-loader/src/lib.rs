//! Where rustomize reads from: file systems (disk, memory, and a Git
//! revision read straight from the repository's objects), loaders
//! rooted at a kustomization directory with kustomize's load restrictions
//! and cycle checks, and remote bases fetched with git into a cache.

#![warn(unreachable_pub)]
// Tests set up trees on disk; product code goes through a FileSystem
// (clippy.toml's disallowed-methods).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod error;
mod fetcher;
pub mod fs;
pub mod git_fs;
mod loader;
pub mod remote;

pub use error::LoadError;
pub use fetcher::{RemoteDir, RemoteFetcher};
pub use fs::{DiskFs, FileKind, FileSystem, MemFs, Opened};
pub use git_fs::{GitFs, GitFsError, GitRepo};
pub use loader::{LoadRestrictor, Loader, looks_remote};
pub use remote::{FetchOptions, FetchedRemote, GitFetcher};
