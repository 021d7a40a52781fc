//! What can go wrong in a release step. Every variant names the file,
//! directory or repository concerned; nothing has been written when one
//! is returned.

use std::path::PathBuf;

/// Why a promotion, rollback or scaffold did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// The kustomization file could not be found, read or changed.
    #[error("{}: {source}", dir.display())]
    Edit {
        /// The kustomization directory.
        dir: PathBuf,
        /// Why.
        source: rustomize_edit::file::EditError,
    },
    /// The kustomization file is not valid, or a pin could not be changed
    /// in it.
    #[error("{}: {source}", path.display())]
    Pin {
        /// The kustomization file.
        path: PathBuf,
        /// Why.
        source: rustomize_edit::ops::pin::PinError,
    },
    /// A build failed.
    #[error("{} does not build {when}: {message}", dir.display())]
    Build {
        /// The kustomization directory.
        dir: PathBuf,
        /// `as it is`, `after the change`...
        when: &'static str,
        /// The build's error, in kustomize's words.
        message: String,
    },
    /// Nothing in the tree says what the app is.
    #[error("{}: {why}", path.display())]
    NoApp {
        /// The kustomization file.
        path: PathBuf,
        /// What was looked for.
        why: String,
    },
    /// `--image` names an image the environment does not use.
    #[error("{}: image '{image}' is neither in an images: entry nor used by the output ({})", path.display(), list_or_none(uses))]
    UnknownImage {
        /// The kustomization file.
        path: PathBuf,
        /// The image asked for.
        image: String,
        /// The images the output uses.
        uses: Vec<String>,
    },
    /// The remote bases come from several repositories and nothing tells
    /// which is the app's.
    #[error("{}: the remote bases come from several repositories ({}); name the app's images with --image", path.display(), repos.join(", "))]
    AmbiguousRepository {
        /// The kustomization file.
        path: PathBuf,
        /// The repositories.
        repos: Vec<String>,
    },
    /// The version is not a tag of the app's repository.
    #[error(
        "'{version}' is not a tag of {repo} (its tags: {}); nothing was changed",
        list_or_none(tags)
    )]
    NotATag {
        /// The version asked for.
        version: String,
        /// The repository URL.
        repo: String,
        /// The tags the remote has.
        tags: Vec<String>,
    },
    /// Asking the remote failed.
    #[error(transparent)]
    Remote(#[from] rustomize_loader::LoadError),
    /// The two environments of `promote FROM TO` do not fit together.
    #[error("{0}")]
    Mismatch(String),
    /// A git command failed.
    #[error("git {command} (in {}): {message}", dir.display())]
    Git {
        /// The command, as shown.
        command: String,
        /// Where it ran.
        dir: PathBuf,
        /// What git said.
        message: String,
    },
    /// `--commit`, and the kustomization file has uncommitted changes.
    #[error("{} has uncommitted changes (or is not tracked by git); commit or stash them first: --commit commits only this command's change", path.display())]
    Dirty {
        /// The kustomization file.
        path: PathBuf,
    },
    /// The Git history has no earlier version to go back to.
    #[error("{}: {why}", path.display())]
    NoHistory {
        /// The kustomization file.
        path: PathBuf,
        /// What was looked for.
        why: String,
    },
    /// An option value that cannot work.
    #[error("{0}")]
    Invalid(String),
    /// `init` would overwrite files.
    #[error("{} is not empty ({}); init writes into a new or empty folder (--force to write anyway, replacing the files it writes)", dir.display(), names.join(", "))]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
        /// What is in it (the first few names).
        names: Vec<String>,
    },
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
