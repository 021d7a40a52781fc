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
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, RwLock};

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

/// One entry of a revision's tree.
#[derive(Clone, Copy, Debug)]
struct Entry {
    kind: EntryKind,
    oid: Oid,
    size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EntryKind {
    File,
    Link,
    Dir,
    /// A submodule: a commit of another repository, whose files are not here.
    Submodule,
}

/// An object id (SHA-1 or SHA-256), as raw bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Oid {
    bytes: [u8; 32],
    len: u8,
}

impl Oid {
    fn parse_hex(hex: &[u8]) -> Option<Oid> {
        if hex.len() != 40 && hex.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in hex.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16);
            bytes[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
        }
        Some(Oid {
            bytes,
            len: (hex.len() / 2) as u8,
        })
    }

    fn hex(&self) -> String {
        self.bytes[..self.len as usize]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// The long-lived `git cat-file --batch` process.
struct CatFile {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    /// Reads the objects `oids` in one pipelined exchange: the requests are
    /// written by a second thread while this one reads the answers, so no
    /// pipe can fill up with neither side reading. `None` for a missing
    /// object.
    fn read_many(&mut self, oids: &[Oid]) -> io::Result<Vec<Option<Vec<u8>>>> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("git cat-file has exited"))?;
        let stdout = &mut self.stdout;
        std::thread::scope(|s| {
            let writer = s.spawn(move || -> io::Result<()> {
                let mut requests = Vec::with_capacity(oids.len() * 65);
                for oid in oids {
                    requests.extend_from_slice(oid.hex().as_bytes());
                    requests.push(b'\n');
                }
                stdin.write_all(&requests)?;
                stdin.flush()
            });
            let mut out = Vec::with_capacity(oids.len());
            let mut header = Vec::new();
            let mut failure = None;
            for _ in oids {
                match read_object(stdout, &mut header) {
                    Ok(object) => out.push(object),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the request writer panicked")));
            match failure {
                Some(e) => Err(e),
                None => written.map(|()| out),
            }
        })
    }
}

/// Reads one answer of `git cat-file --batch`: `<oid> <type> <size>`, the
/// content and a newline; or `<oid> missing`.
fn read_object(r: &mut impl BufRead, header: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    header.clear();
    if r.read_until(b'\n', header)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "git cat-file ended early",
        ));
    }
    let line = String::from_utf8_lossy(header);
    let line = line.trim_end();
    if line.ends_with(" missing") || line.ends_with(" ambiguous") {
        return Ok(None);
    }
    let size: usize = line
        .rsplit(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("git cat-file answered '{line}'")))?;
    let mut content = vec![0u8; size + 1];
    r.read_exact(&mut content)?;
    content.pop();
    Ok(Some(content))
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // Closing its input ends the process; wait so no zombie is left.
        drop(self.stdin.take());
        if self.child.wait().is_err() {
            let _ = self.child.kill();
        }
    }
}

/// A Git repository whose revisions can be read as file systems.
pub struct GitRepo {
    program: PathBuf,
    /// The working tree's top directory, as git reports it (links
    /// resolved).
    toplevel: PathBuf,
    cat_file: Mutex<Option<CatFile>>,
    /// Contents read so far, by object id; shared by every revision.
    objects: RwLock<HashMap<Oid, Arc<[u8]>>>,
    prefetch_limit: RwLock<u64>,
}

impl fmt::Debug for GitRepo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitRepo")
            .field("toplevel", &self.toplevel)
            .finish_non_exhaustive()
    }
}

impl GitRepo {
    /// The repository whose working tree contains `dir` (an existing
    /// directory), using `git` from `PATH`.
    pub fn open(dir: &Path) -> Result<Arc<GitRepo>, GitFsError> {
        GitRepo::open_with(dir, Path::new("git"))
    }

    /// The repository whose working tree contains `dir`, using `program`.
    pub fn open_with(dir: &Path, program: &Path) -> Result<Arc<GitRepo>, GitFsError> {
        let out = run_git(program, dir, &["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(GitFsError::NotARepository {
                path: dir.to_path_buf(),
                message: stderr_text(&out.stderr),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let toplevel = PathBuf::from(text.trim_end_matches(['\n', '\r']));
        Ok(Arc::new(GitRepo {
            program: program.to_path_buf(),
            toplevel,
            cat_file: Mutex::new(None),
            objects: RwLock::new(HashMap::new()),
            prefetch_limit: RwLock::new(16 << 20),
        }))
    }

    /// The working tree's top directory (absolute, links resolved).
    pub fn toplevel(&self) -> &Path {
        &self.toplevel
    }

    /// Up to how many bytes of files a revision may hold for
    /// [`GitRepo::at`] to read them all in one batch (16 MiB by default;
    /// 0 reads every directory's files when first needed).
    pub fn set_prefetch_limit(&self, bytes: u64) {
        *self
            .prefetch_limit
            .write()
            .unwrap_or_else(|e| e.into_inner()) = bytes;
    }

    /// The full commit id `rev` names (a branch, tag, commit or any
    /// revision expression git understands).
    pub fn resolve(&self, rev: &str) -> Result<String, GitFsError> {
        let unknown = || GitFsError::UnknownRevision {
            rev: rev.to_string(),
            repo: self.toplevel.clone(),
        };
        // Never let user text reach git where it reads options.
        if rev.is_empty() || rev.starts_with('-') {
            return Err(unknown());
        }
        let spec = format!("{rev}^{{commit}}");
        let out = self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])?;
        if !out.status.success() {
            return Err(unknown());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The commit `rev` names, when it names one; `None` when it does not.
    pub fn try_resolve(&self, rev: &str) -> Result<Option<String>, GitFsError> {
        match self.resolve(rev) {
            Ok(c) => Ok(Some(c)),
            Err(GitFsError::UnknownRevision { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The default base to compare the working tree with: the merge base
    /// of `HEAD` and the remote's default branch (`origin/HEAD`), else of
    /// `HEAD` and `main` (or `origin/main`). Returns a label saying which
    /// (`merge base of HEAD and origin/main`) and the commit.
    pub fn default_base(&self) -> Result<(String, String), GitFsError> {
        let mut candidates = Vec::new();
        let out = self.git(&[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ])?;
        if out.status.success() {
            candidates.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
        candidates.extend(["main".to_string(), "origin/main".to_string()]);
        for branch in candidates {
            if self.try_resolve(&branch)?.is_none() {
                continue;
            }
            let out = self.git(&["merge-base", "--end-of-options", "HEAD", &branch])?;
            if !out.status.success() {
                return Err(GitFsError::Git {
                    command: format!("merge-base HEAD {branch}"),
                    repo: self.toplevel.clone(),
                    message: stderr_text(&out.stderr)
                        .if_empty("the two have no common ancestor".into()),
                });
            }
            let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
            return Ok((format!("merge base of HEAD and {branch}"), commit));
        }
        Err(GitFsError::Git {
            command: "merge-base".into(),
            repo: self.toplevel.clone(),
            message:
                "no default base: neither origin/HEAD nor a branch 'main' exists (pass --base REV)"
                    .into(),
        })
    }

    /// The revision `rev` as a file system (see the module documentation).
    pub fn at(self: &Arc<Self>, rev: &str) -> Result<GitFs, GitFsError> {
        let commit = self.resolve(rev)?;
        let tree = self.list_tree(&commit)?;
        let fs = GitFs {
            repo: self.clone(),
            rev: rev.to_string(),
            commit,
            tree: Arc::new(tree),
        };
        let limit = *self
            .prefetch_limit
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let total: u64 = fs
            .tree
            .entries
            .values()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.size)
            .sum();
        if total <= limit {
            let all: Vec<Oid> = fs
                .tree
                .entries
                .values()
                .filter(|e| matches!(e.kind, EntryKind::File | EntryKind::Link))
                .filter(|e| e.size <= PREFETCH_FILE_MAX)
                .map(|e| e.oid)
                .collect();
            self.fetch(&all)
                .map_err(|e| fs.git_error("cat-file --batch", e))?;
        }
        Ok(fs)
    }

    fn git(&self, args: &[&str]) -> Result<std::process::Output, GitFsError> {
        run_git(&self.program, &self.toplevel, args)
    }

    /// Every entry of the commit's tree, by path.
    fn list_tree(&self, commit: &str) -> Result<Tree, GitFsError> {
        let out = self.git(&["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit])?;
        if !out.status.success() {
            return Err(GitFsError::Git {
                command: format!("ls-tree {commit}"),
                repo: self.toplevel.clone(),
                message: stderr_text(&out.stderr),
            });
        }
        Tree::parse(&out.stdout).map_err(|message| GitFsError::Git {
            command: format!("ls-tree {commit}"),
            repo: self.toplevel.clone(),
            message,
        })
    }

    /// Reads the objects not read yet among `oids` into the cache.
    fn fetch(&self, oids: &[Oid]) -> io::Result<()> {
        let missing: Vec<Oid> = {
            let objects = self.objects.read().unwrap_or_else(|e| e.into_inner());
            let mut seen = std::collections::HashSet::new();
            oids.iter()
                .filter(|o| !objects.contains_key(o) && seen.insert(**o))
                .copied()
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let mut guard = self.cat_file.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(self.spawn_cat_file()?);
        }
        let Some(cat) = guard.as_mut() else {
            // Set just above.
            return Err(io::Error::other("git cat-file is not running"));
        };
        let read = cat.read_many(&missing);
        let contents = match read {
            Ok(c) => c,
            Err(e) => {
                // The exchange is out of step: start a new process next time.
                *guard = None;
                return Err(e);
            }
        };
        drop(guard);
        let mut objects = self.objects.write().unwrap_or_else(|e| e.into_inner());
        for (oid, content) in missing.into_iter().zip(contents) {
            if let Some(content) = content {
                objects.insert(oid, content.into());
            }
        }
        Ok(())
    }

    fn spawn_cat_file(&self) -> io::Result<CatFile> {
        let mut child = Command::new(&self.program)
            .arg("-C")
            .arg(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("git cat-file started without pipes"));
        };
        Ok(CatFile {
            child,
            stdin: Some(stdin),
            stdout: BufReader::with_capacity(1 << 16, stdout),
        })
    }

    fn object(&self, oid: &Oid) -> Option<Arc<[u8]>> {
        self.objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(oid)
            .cloned()
    }
}

fn run_git(program: &Path, dir: &Path, args: &[&str]) -> Result<std::process::Output, GitFsError> {
    Command::new(program)
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| GitFsError::Spawn {
            program: program.to_path_buf(),
            source,
        })
}

fn stderr_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

trait IfEmpty {
    fn if_empty(self, other: String) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, other: String) -> String {
        if self.is_empty() { other } else { self }
    }
}

/// A revision's tree: every entry by its path (`a/b/c`, no leading slash;
/// the root is the empty path), and each directory's names, sorted.
#[derive(Debug, Default)]
struct Tree {
    entries: HashMap<Box<[u8]>, Entry>,
    dirs: HashMap<Box<[u8]>, Vec<String>>,
}

impl Tree {
    /// Parses `git ls-tree -r -t -l -z` output:
    /// `<mode> <type> <oid> <size>\t<path>\0`.
    fn parse(out: &[u8]) -> Result<Tree, String> {
        let mut tree = Tree::default();
        tree.dirs.insert(Box::from(&b""[..]), Vec::new());
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let bad = || format!("unexpected output '{}'", String::from_utf8_lossy(record));
            let tab = record.iter().position(|&b| b == b'\t').ok_or_else(bad)?;
            let (meta, path) = (&record[..tab], &record[tab + 1..]);
            let mut fields = meta.split(|&b| b == b' ').filter(|f| !f.is_empty());
            let mode = fields.next().ok_or_else(bad)?;
            let _type = fields.next().ok_or_else(bad)?;
            let oid = fields.next().and_then(Oid::parse_hex).ok_or_else(bad)?;
            let size = fields.next().ok_or_else(bad)?;
            let kind = match mode {
                b"040000" => EntryKind::Dir,
                b"120000" => EntryKind::Link,
                b"160000" => EntryKind::Submodule,
                _ => EntryKind::File,
            };
            let size = std::str::from_utf8(size)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let (parent, name) = match path.iter().rposition(|&b| b == b'/') {
                Some(i) => (&path[..i], &path[i + 1..]),
                None => (&b""[..], path),
            };
            tree.dirs
                .entry(Box::from(parent))
                .or_default()
                .push(String::from_utf8_lossy(name).into_owned());
            if kind == EntryKind::Dir {
                tree.dirs.entry(Box::from(path)).or_default();
            }
            tree.entries
                .insert(Box::from(path), Entry { kind, oid, size });
        }
        for names in tree.dirs.values_mut() {
            names.sort();
        }
        Ok(tree)
    }
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

    fn git_error(&self, what: &str, e: io::Error) -> GitFsError {
        GitFsError::Git {
            command: format!("{what} (revision '{}')", self.rev),
            repo: self.repo.toplevel.clone(),
            message: e.to_string(),
        }
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

    /// Follows `path` (absolute) through the tree one component at a time,
    /// as the disk does: every link on the way, and the last component's
    /// too when `follow_last`; `..` goes up from where the links led.
    fn resolve(&self, path: &Path, follow_last: bool) -> io::Result<Resolved> {
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
    fn blob(&self, entry: &Entry, path: &Path) -> io::Result<Arc<[u8]>> {
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
                Ok(self.blob(&entry, path)?.to_vec())
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
