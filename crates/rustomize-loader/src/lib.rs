//! Where rustomize reads from: file systems (disk and memory), loaders
//! rooted at a kustomization directory with kustomize's load restrictions
//! and cycle checks, and remote bases fetched with git into a cache.

#![warn(unreachable_pub)]

mod error;
mod fetcher;
pub mod fs;
mod loader;
pub mod remote;

pub use error::LoadError;
pub use fetcher::{RemoteDir, RemoteFetcher};
pub use fs::{DiskFs, FileKind, FileSystem, MemFs};
pub use loader::{LoadRestrictor, Loader, looks_remote};
pub use remote::{FetchOptions, FetchedRemote, GitFetcher};
