//! A [`FileSystem`] that reads a Git revision straight from the
//! repository's objects: no checkout, no worktree, no temporary copy.
//!
//! A [`GitRepo`] is one repository: the `git` program reads its objects
//! through one long-lived `git cat-file --batch` process, and the object
//! contents it returned are kept, so two revisions of one repository (the
//! two sides of `rustomize diff --base A --head B`) share every file they
//! have in common. [`GitRepo::at`] lists a revision's whole tree once
//! (`git ls-tree -r -t -l -z`) and gives a [`GitFs`]:
//!
//! - paths below the repository's working tree are answered from that
//!   revision's tree, as if it were checked out there (the working tree
//!   itself is never read);
//! - symbolic links in the tree are followed as the disk would follow them
//!   (relative targets from the link's directory, absolute ones from `/`);
//! - paths outside the working tree (the remote-base cache, a file named
//!   with `--load-restrictor LoadRestrictionsNone`) are read from the disk.
//!
//! When the revision's files are small in total (see
//! [`GitRepo::set_prefetch_limit`]) they are read in one pipelined batch
//! when the revision is opened; otherwise each directory's files are read
//! in one batch when the first of them is needed.
//!
//! ```no_run
//! use rustomize_loader::git_fs::GitRepo;
//! use rustomize_loader::FileSystem;
//! use std::path::Path;
//!
//! let repo = GitRepo::open(Path::new(".")).unwrap();
//! let fs = repo.at("main").unwrap();
//! let text = fs.read(&repo.toplevel().join("deploy/kustomization.yaml")).unwrap();
//! # let _ = text;
//! ```

use crate::fs::{DiskFs, FileKind, FileSystem};
use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

mod objects;
mod repo;

use objects::{Entry, EntryKind, Tree};
pub use repo::GitRepo;

/// How many links a path may go through before it is a loop (as Linux's
/// `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// Files larger than this are never read ahead.
const PREFETCH_FILE_MAX: u64 = 1 << 20;

/// Why a repository or revision could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum GitFsError {
    /// The `git` program could not be started.
    #[error("cannot run '{program}': {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The directory is not inside a Git working tree.
    #[error("'{}' is not inside a Git working tree: {message}", .path.display())]
    NotARepository {
        /// The directory.
        path: PathBuf,
        /// What git said.
        message: String,
    },
    /// The revision names no commit.
    #[error("unknown revision '{rev}' in the repository at '{}': not a branch, tag or commit", .repo.display())]
    UnknownRevision {
        /// The revision as given.
        rev: String,
        /// The repository's working tree.
        repo: PathBuf,
    },
    /// A git command failed.
    #[error("git {command} (in '{}'): {message}", .repo.display())]
    Git {
        /// The command, for the message (`ls-tree 1a2b3c`).
        command: String,
        /// The repository's working tree.
        repo: PathBuf,
        /// What git said.
        message: String,
    },
}

/// One revision of a [`GitRepo`], as a file system (see the module
/// documentation).
#[derive(Clone)]
pub struct GitFs {
    repo: Arc<GitRepo>,
    rev: String,
    commit: String,
    tree: Arc<Tree>,
}

impl fmt::Debug for GitFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitFs")
            .field("toplevel", &self.repo.toplevel)
            .field("rev", &self.rev)
            .field("commit", &self.commit)
            .finish_non_exhaustive()
    }
}

/// Where a path leads.
enum Resolved {
    /// An entry of the tree (`None`: the root directory).
    InTree(Vec<u8>, Option<Entry>),
    /// A path outside the working tree, for the disk.
    Outside(PathBuf),
}

impl GitFs {
    /// The revision as given.
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// The full commit id.
    pub fn commit(&self) -> &str {
        &self.commit
    }

    /// The repository.
    pub fn repo(&self) -> &Arc<GitRepo> {
        &self.repo
    }

    fn not_found(&self, path: &Path) -> io::Error {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "'{}' does not exist at revision '{}'",
                path.display(),
                self.rev
            ),
        )
    }

    /// The path below the working tree, as tree bytes (`a/b`), or `None`
    /// when `path` lies outside it.
    fn relative(&self, path: &Path) -> Option<Vec<u8>> {
        let rest = path.strip_prefix(&self.repo.toplevel).ok()?;
        let mut out = Vec::new();
        for c in rest.components() {
            match c {
                Component::Normal(name) => {
                    if !out.is_empty() {
                        out.push(b'/');
                    }
                    out.extend_from_slice(name.as_encoded_bytes());
                }
                // `path` is clean, so nothing else is below the prefix.
                _ => return None,
            }
        }
        Some(out)
    }

    /// The answer of [`GitFs::resolve`] for a clean path below the working
    /// tree whose entry (or whose parent directory) the tree lists: one
    /// hash lookup instead of a walk. A path the tree lists goes through no
    /// link (the tree lists real paths only). `None` leaves the path to
    /// the walk.
    fn resolve_quickly(&self, path: &Path, follow_last: bool) -> Option<io::Result<Resolved>> {
        if !cfg!(unix) {
            return None;
        }
        let bytes = path.as_os_str().as_encoded_bytes();
        let top = self.repo.toplevel.as_os_str().as_encoded_bytes();
        let rest = bytes.strip_prefix(top)?;
        let rel = match rest {
            [] => rest,
            [b'/', rel @ ..] => rel,
            _ => return None,
        };
        if rel.is_empty() {
            return Some(Ok(Resolved::InTree(Vec::new(), None)));
        }
        if rel
            .split(|&b| b == b'/')
            .any(|seg| seg.is_empty() || seg == b"." || seg == b"..")
        {
            return None;
        }
        match self.tree.entries.get(rel) {
            Some(e) if e.kind == EntryKind::Link && follow_last => None,
            Some(e) => Some(Ok(Resolved::InTree(rel.to_vec(), Some(*e)))),
            None => {
                let parent_is_dir = match rel.iter().rposition(|&b| b == b'/') {
                    None => true,
                    Some(i) => self
                        .tree
                        .entries
                        .get(&rel[..i])
                        .is_some_and(|e| e.kind == EntryKind::Dir),
                };
                parent_is_dir.then(|| Err(self.not_found(path)))
            }
        }
    }

    /// Follows `path` (absolute) through the tree one component at a time,
    /// as the disk does: every link on the way, and the last component's
    /// too when `follow_last`; `..` goes up from where the links led.
    fn resolve(&self, path: &Path, follow_last: bool) -> io::Result<Resolved> {
        if let Some(found) = self.resolve_quickly(path, follow_last) {
            return found;
        }
        let mut pending: std::collections::VecDeque<std::ffi::OsString> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect();
        let mut cur = PathBuf::from("/");
        let mut hops = 0;
        while let Some(part) = pending.pop_front() {
            if part == ".." {
                cur.pop();
                continue;
            }
            let next = cur.join(&part);
            let Some(rel) = self.relative(&next) else {
                if self.repo.toplevel.starts_with(&next) {
                    // An ancestor of the working tree (a real directory:
                    // git reports the top with links resolved).
                    cur = next;
                    continue;
                }
                let mut outside = next;
                outside.extend(pending);
                return Ok(Resolved::Outside(outside));
            };
            if rel.is_empty() {
                cur = next;
                continue;
            }
            let Some(entry) = self.tree.entries.get(rel.as_slice()).copied() else {
                return Err(self.not_found(path));
            };
            let last = pending.is_empty();
            match entry.kind {
                EntryKind::Link if !last || follow_last => {
                    hops += 1;
                    if hops > MAX_LINKS {
                        return Err(io::Error::other(format!(
                            "'{}' at revision '{}': too many levels of symbolic links",
                            path.display(),
                            self.rev
                        )));
                    }
                    let target = self.blob(&entry, &next)?;
                    let target = Path::new(bytes_to_os(&target));
                    if target.is_absolute() {
                        cur = PathBuf::from("/");
                    }
                    for c in target.components().rev() {
                        match c {
                            Component::Normal(n) => pending.push_front(n.to_os_string()),
                            Component::ParentDir => pending.push_front("..".into()),
                            _ => {}
                        }
                    }
                }
                EntryKind::Dir => cur = next,
                EntryKind::Submodule if !last => return Err(self.submodule(path)),
                EntryKind::File if !last => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!(
                            "'{}' at revision '{}': not a directory",
                            path.display(),
                            self.rev
                        ),
                    ));
                }
                _ => return Ok(Resolved::InTree(rel, Some(entry))),
            }
        }
        match self.relative(&cur) {
            Some(rel) if rel.is_empty() => Ok(Resolved::InTree(rel, None)),
            Some(rel) => {
                let entry = self.tree.entries.get(rel.as_slice()).copied();
                Ok(Resolved::InTree(rel, entry))
            }
            None => Ok(Resolved::Outside(cur)),
        }
    }

    fn submodule(&self, path: &Path) -> io::Error {
        io::Error::other(format!(
            "'{}' at revision '{}' is in a submodule, whose files are not in this repository",
            path.display(),
            self.rev
        ))
    }

    /// The content of a file or link entry, read with its directory's
    /// other files when it is not in the cache yet.
    fn blob(&self, entry: &Entry, path: &Path) -> io::Result<Arc<Vec<u8>>> {
        if let Some(content) = self.repo.object(&entry.oid) {
            return Ok(content);
        }
        let mut batch = vec![entry.oid];
        if let Some(rel) = self.relative(path)
            && let Some(dir) = rel.iter().rposition(|&b| b == b'/').map(|i| &rel[..i])
            && let Some(names) = self.tree.dirs.get(dir)
        {
            for name in names.iter().take(256) {
                let mut p = dir.to_vec();
                p.push(b'/');
                p.extend_from_slice(name.as_bytes());
                if let Some(e) = self.tree.entries.get(p.as_slice())
                    && e.kind == EntryKind::File
                    && e.size <= PREFETCH_FILE_MAX
                {
                    batch.push(e.oid);
                }
            }
        }
        self.repo.fetch(&batch).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "reading '{}' at revision '{}': {e}",
                    path.display(),
                    self.rev
                ),
            )
        })?;
        self.repo.object(&entry.oid).ok_or_else(|| {
            io::Error::other(format!(
                "reading '{}' at revision '{}': object {} is missing from the repository",
                path.display(),
                self.rev,
                entry.oid.hex()
            ))
        })
    }
}

fn bytes_to_os(b: &[u8]) -> &OsStr {
    // Tree paths come from git as the bytes of the file names, which on
    // Unix is what an OsStr is; elsewhere git writes UTF-8.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        OsStr::from_bytes(b)
    }
    #[cfg(not(unix))]
    {
        OsStr::new(std::str::from_utf8(b).unwrap_or("\u{fffd}"))
    }
}

impl FileSystem for GitFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.resolve(path, true)? {
            Resolved::Outside(p) => DiskFs.read(&p),
            Resolved::InTree(_, Some(entry)) if entry.kind == EntryKind::File => {
                Ok(self.blob(&entry, path)?.as_ref().clone())
            }
            Resolved::InTree(_, Some(entry)) if entry.kind == EntryKind::Submodule => {
                Err(self.submodule(path))
            }
            Resolved::InTree(..) => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!(
                    "'{}' at revision '{}' is a directory",
                    path.display(),
                    self.rev
                ),
            )),
        }
    }

    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        match self.resolve(path, true)? {
            Resolved::Outside(p) => DiskFs.kind(&p),
            Resolved::InTree(_, Some(entry)) if entry.kind == EntryKind::File => Ok(FileKind::File),
            Resolved::InTree(..) => Ok(FileKind::Dir),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match self.resolve(path, true)? {
            Resolved::Outside(p) => DiskFs.canonicalize(&p),
            Resolved::InTree(rel, _) => Ok(self.repo.toplevel.join(bytes_to_os(&rel))),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        match self.resolve(path, true)? {
            Resolved::Outside(p) => DiskFs.read_dir(&p),
            Resolved::InTree(rel, entry) => match entry.map(|e| e.kind) {
                None | Some(EntryKind::Dir) => Ok(self
                    .tree
                    .dirs
                    .get(rel.as_slice())
                    .cloned()
                    .unwrap_or_default()),
                Some(EntryKind::Submodule) => Err(self.submodule(path)),
                _ => Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!(
                        "'{}' at revision '{}': not a directory",
                        path.display(),
                        self.rev
                    ),
                )),
            },
        }
    }

    /// The Git tree id of a directory of the revision (`None` for the
    /// working tree's top, a submodule and paths outside the working tree).
    fn content_id(&self, dir: &Path) -> Option<Vec<u8>> {
        match self.resolve(dir, true).ok()? {
            Resolved::InTree(_, Some(entry)) if entry.kind == EntryKind::Dir => {
                Some(entry.oid.bytes[..entry.oid.len as usize].to_vec())
            }
            _ => None,
        }
    }

    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        match self.resolve(path, false)? {
            Resolved::Outside(p) => DiskFs.kind_no_follow(&p),
            Resolved::InTree(_, None) => Ok(Some(FileKind::Dir)),
            Resolved::InTree(_, Some(entry)) => Ok(match entry.kind {
                EntryKind::File => Some(FileKind::File),
                EntryKind::Dir | EntryKind::Submodule => Some(FileKind::Dir),
                EntryKind::Link => None,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
