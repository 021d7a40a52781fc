//! The seam between the loader and remote bases: what a fetcher gives the
//! loader for a remote entry.

use crate::error::LoadError;
use crate::fs::FileSystem;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A fetched remote base: where it is, and the file system to read it
/// through (a clone on disk for [`crate::GitFetcher`]; a fetcher may serve
/// it from anywhere, such as a Git revision read from the object store).
#[derive(Clone, Debug)]
pub struct RemoteDir {
    /// The file system the clone is read through.
    pub fs: Arc<dyn FileSystem>,
    /// The root of the clone.
    pub clone_root: PathBuf,
    /// The directory the URL names, inside the clone.
    pub dir: PathBuf,
    /// The repository URL, for origins and messages.
    pub repo: String,
    /// The ref, for origins and messages (empty for the remote's `HEAD`).
    pub git_ref: String,
    /// The commit checked out (full id), for listings and origins.
    pub commit: String,
}

/// Fetches remote bases.
pub trait RemoteFetcher: Send + Sync + fmt::Debug {
    /// Whether `target` (a `resources:` entry) names a remote base.
    fn is_remote(&self, target: &str) -> bool;
    /// Makes the remote base available.
    fn fetch(&self, target: &str) -> Result<RemoteDir, LoadError>;
    /// Downloads a single file named by an `http(s)://` URL, which
    /// kustomize tries before taking the URL for a git repository (see
    /// [`crate::remote::url::probe_as_file`]). Not supported by default.
    fn load_url(&self, url: &str) -> Result<Vec<u8>, LoadError> {
        Err(LoadError::NoFetcher(url.to_string()))
    }
}
