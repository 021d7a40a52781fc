//! Why a file, directory or remote base could not be loaded.
//!
//! Each error says what failed and names the path (or the remote entry).
//! Paths are shown as they were given: absolute, as the file system names
//! them. A caller that wants them shorter for people (the command line
//! shows them relative to its working directory) uses
//! [`LoadError::relative_to`]; nothing here reads the working directory.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a file or directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path does not exist.
    #[error("'{}': no such file or directory", show(.0))]
    NotFound(PathBuf),
    /// Reading failed (the IO error's text is part of the message).
    #[error("'{}': {error}", show(path))]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        error: io::Error,
    },
    /// Security refusal: a file outside the root under the default
    /// restrictor.
    #[error(
        "security; file '{}' is not in or below '{}' (use --load-restrictor LoadRestrictionsNone to allow it)",
        show(path),
        show(root)
    )]
    Restricted {
        /// The file.
        path: PathBuf,
        /// The root it must be under.
        root: PathBuf,
    },
    /// A directory was expected.
    #[error("'{}' is not a directory", show(.0))]
    NotADir(PathBuf),
    /// A file was expected.
    #[error("'{}' is a directory, not a file", show(.0))]
    IsADir(PathBuf),
    /// A cycle: a base that contains a kustomization already being built.
    #[error(
        "cycle detected: candidate root '{}' contains visited root '{}'",
        show(candidate),
        show(visited)
    )]
    Cycle {
        /// The base being entered.
        candidate: PathBuf,
        /// The root it contains.
        visited: PathBuf,
    },
    /// A cycle through a remote base: a repository that (transitively)
    /// includes itself.
    #[error(
        "cycle detected: remote base '{target}' contains '{}', which is already being built",
        visited.display()
    )]
    RemoteCycle {
        /// The remote entry.
        target: String,
        /// The kustomization root it contains.
        visited: PathBuf,
    },
    /// An absolute path where kustomize wants a relative one.
    #[error("new root '{0}' cannot be absolute")]
    Absolute(String),
    /// An empty base or component entry.
    #[error("new root cannot be empty")]
    EmptyRoot,
    /// Security refusal: a remote entry whose directory lies outside its
    /// repository.
    #[error("'{target}' refers to directory '{}' outside of its repository", dir.display())]
    OutsideRepository {
        /// The remote entry.
        target: String,
        /// The directory it names.
        dir: PathBuf,
    },
    /// Security refusal: a base of a remote base outside the clone.
    #[error(
        "security; bases in kustomizations found in cloned git repos must be within the repo, but base '{}' is outside '{}'",
        base.display(),
        repo.display()
    )]
    BaseOutsideRepository {
        /// The base.
        base: PathBuf,
        /// The clone's root.
        repo: PathBuf,
    },
    /// Security refusal: a remote entry rustomize does not run git for (a
    /// transport it does not support, text git could read as an option).
    #[error(transparent)]
    Refused(#[from] UrlError),
    /// Fetching a remote base failed.
    #[error("fetching remote base '{target}': {error}")]
    Fetch {
        /// The remote entry.
        target: String,
        /// What went wrong.
        error: FetchError,
    },
    /// Downloading a remote file failed.
    #[error("downloading '{url}': {reason}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong (curl's message, a timeout...).
        reason: String,
    },
    /// A remote file answered with a status outside 2xx (kustomize's
    /// `ErrHTTP`).
    #[error("'{url}': HTTP status code {status}")]
    Http {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A remote file while offline.
    #[error("offline: not downloading '{0}'")]
    Offline(String),
    /// Loading from a URL that is not supported.
    #[error("'{0}': remote resources need a fetcher, and none is configured")]
    NoFetcher(String),
}

/// A path in a message: `.` for the empty path (a path made relative to
/// itself), else as it is.
fn show(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        ".".into()
    } else {
        path.display().to_string()
    }
}

impl LoadError {
    /// The same error with its local paths relative to `base` where they
    /// lie below it (the directory itself becomes `.`); paths elsewhere,
    /// and paths inside remote clones, stay as they are.
    pub fn relative_to(self, base: &Path) -> LoadError {
        let rel = |p: PathBuf| match p.strip_prefix(base) {
            Ok(r) => r.to_path_buf(),
            Err(_) => p,
        };
        match self {
            LoadError::NotFound(p) => LoadError::NotFound(rel(p)),
            LoadError::Io { path, error } => LoadError::Io {
                path: rel(path),
                error,
            },
            LoadError::Restricted { path, root } => LoadError::Restricted {
                path: rel(path),
                root: rel(root),
            },
            LoadError::NotADir(p) => LoadError::NotADir(rel(p)),
            LoadError::IsADir(p) => LoadError::IsADir(rel(p)),
            LoadError::Cycle { candidate, visited } => LoadError::Cycle {
                candidate: rel(candidate),
                visited: rel(visited),
            },
            other => other,
        }
    }
}

/// Why a remote entry is not a remote base rustomize fetches: kustomize's
/// own parse failures, and rustomize's refusals of text git could misread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError {
    /// The entry as written.
    pub raw: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "remote base '{}': {}", self.raw, self.reason)
    }
}

impl std::error::Error for UrlError {}

/// Why a remote base could not be fetched. Cloneable: one fetch's outcome
/// answers every entry that names the same repository and ref.
#[derive(Clone, Debug, thiserror::Error)]
pub enum FetchError {
    /// No temporary cache directory could be made.
    #[error("creating a temporary directory for remote bases: {0}")]
    Setup(String),
    /// A git command failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// Offline, and the cache does not hold the ref.
    #[error(
        "offline, and {what} of '{url}' is not in the cache ({}); build once without offline mode to fetch it",
        cache.display()
    )]
    NotCached {
        /// `ref 'v1'`, or the default branch.
        what: String,
        /// The repository URL.
        url: String,
        /// The cache directory.
        cache: PathBuf,
    },
    /// Offline, and the cached tree is not what was fetched (a file
    /// truncated, removed or added): it cannot be fetched again.
    #[error(
        "offline, and the cached tree of {what} of '{url}' ({}) is damaged: {damage}; build once without offline mode to fetch it again",
        tree.display()
    )]
    Damaged {
        /// `ref 'v1'`, or the default branch.
        what: String,
        /// The repository URL.
        url: String,
        /// The damaged tree.
        tree: PathBuf,
        /// What differs from the manifest.
        damage: String,
    },
    /// The cache could not be read or written.
    #[error("{doing} '{}': {error}", dir.display())]
    Cache {
        /// What was being done.
        doing: &'static str,
        /// The cache directory concerned.
        dir: PathBuf,
        /// The IO error's text.
        error: String,
    },
    /// A prefetch ended before this entry's turn.
    #[error("not attempted")]
    NotAttempted,
}

/// A git command that did not do its job.
#[derive(Clone, Debug, thiserror::Error)]
pub enum GitError {
    /// It ran and failed.
    #[error("'{command}' failed ({status}): {stderr}")]
    Failed {
        /// The command, as shown to people.
        command: String,
        /// How it ended.
        status: String,
        /// What it printed on stderr, trimmed.
        stderr: String,
    },
    /// The git program is missing.
    #[error("no '{}' program found; remote bases need git installed", program.display())]
    NotInstalled {
        /// The program looked for.
        program: PathBuf,
    },
    /// It ran past its deadline and was killed (with its children).
    #[error(
        "'{command}' did not finish within {timeout:?}; it was stopped (raise the limit with ?timeout=<seconds>)"
    )]
    TimedOut {
        /// The command.
        command: String,
        /// The limit.
        timeout: Duration,
    },
    /// Running it failed otherwise.
    #[error("running '{command}': {error}")]
    Io {
        /// The command.
        command: String,
        /// What failed.
        error: String,
    },
    /// `git rev-parse HEAD` printed something else than a commit id.
    #[error("'git rev-parse HEAD' printed '{0}', not a commit id")]
    NotACommit(String),
}
