//! The few git commands the release steps run in the user's repository:
//! the history of one file, one file at a revision, whether a file is
//! committed, and a commit of just that file. User text reaches git only
//! after `--` or `--end-of-options`.

use crate::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Git working tree.
#[derive(Clone, Debug)]
pub struct Repo {
    toplevel: PathBuf,
}

/// One commit of a file's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// The full id.
    pub id: String,
    /// The subject line.
    pub subject: String,
}

impl Commit {
    /// The first 12 characters of the id.
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }
}

impl Repo {
    /// The repository whose working tree holds `dir` (an existing
    /// directory).
    pub fn open(dir: &Path) -> Result<Repo, Error> {
        let out = run(dir, &["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(Error::Git {
                command: "rev-parse --show-toplevel".into(),
                dir: dir.to_path_buf(),
                message: format!("not inside a Git working tree ({})", stderr(&out).trim()),
            });
        }
        let top = String::from_utf8_lossy(&out.stdout);
        Ok(Repo {
            toplevel: PathBuf::from(top.trim_end_matches(['\n', '\r'])),
        })
    }

    /// The working tree's top directory.
    pub fn toplevel(&self) -> &Path {
        &self.toplevel
    }

    /// `file` (an existing file, through no link in its last component
    /// resolved) relative to the top directory, with `/` separators.
    pub fn relative(&self, file: &Path) -> Result<String, Error> {
        let parent = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        #[allow(clippy::disallowed_methods)] // a path for git, not a read
        let dir = std::fs::canonicalize(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        let name = file.file_name().unwrap_or_default();
        let rel = dir
            .join(name)
            .strip_prefix(&self.toplevel)
            .map(Path::to_path_buf)
            .map_err(|_| Error::Git {
                command: "ls-files".into(),
                dir: self.toplevel.clone(),
                message: format!("{} is outside this repository", file.display()),
            })?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }

    fn git(&self, args: &[&str]) -> Result<Output, Error> {
        run(&self.toplevel, args)
    }

    fn failed(&self, args: &[&str], out: &Output) -> Error {
        Error::Git {
            command: args.join(" "),
            dir: self.toplevel.clone(),
            message: stderr(out).trim().to_string(),
        }
    }

    /// The commits that changed `rel`, newest first.
    pub fn log(&self, rel: &str) -> Result<Vec<Commit>, Error> {
        let args = ["log", "--format=%H%x1f%s", "--", rel];
        let out = self.git(&args)?;
        if !out.status.success() {
            // A repository without commits has no history at all.
            if stderr(&out).contains("does not have any commits") {
                return Ok(Vec::new());
            }
            return Err(self.failed(&args, &out));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let (id, subject) = l.split_once('\u{1f}')?;
                Some(Commit {
                    id: id.to_string(),
                    subject: subject.to_string(),
                })
            })
            .collect())
    }

    /// The text of `rel` at `commit`; `None` when the commit has no such
    /// file.
    pub fn show(&self, commit: &str, rel: &str) -> Result<Option<String>, Error> {
        let spec = format!("{commit}:{rel}");
        let args = ["cat-file", "blob", &spec];
        let out = self.git(&args)?;
        if !out.status.success() {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()))
    }

    /// Whether `rel` is tracked and has no changes in the index or the
    /// working tree.
    pub fn is_committed(&self, rel: &str) -> Result<bool, Error> {
        let tracked = self.git(&["ls-files", "--error-unmatch", "--", rel])?;
        if !tracked.status.success() {
            return Ok(false);
        }
        let args = ["status", "--porcelain", "--", rel];
        let out = self.git(&args)?;
        if !out.status.success() {
            return Err(self.failed(&args, &out));
        }
        Ok(out.stdout.is_empty())
    }

    /// Commits `rel` alone (whatever else is staged stays staged) with
    /// `message`; returns the new commit's id.
    pub fn commit_only(&self, rel: &str, message: &str) -> Result<String, Error> {
        let args = ["commit", "--quiet", "--only", "-m", message, "--", rel];
        let out = self.git(&args)?;
        if !out.status.success() {
            return Err(self.failed(&["commit", "--only", "--", rel], &out));
        }
        let args = ["rev-parse", "HEAD"];
        let out = self.git(&args)?;
        if !out.status.success() {
            return Err(self.failed(&args, &out));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

fn run(dir: &Path, args: &[&str]) -> Result<Output, Error> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| Error::Git {
            command: args.join(" "),
            dir: dir.to_path_buf(),
            message: format!("cannot run git: {e}"),
        })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
