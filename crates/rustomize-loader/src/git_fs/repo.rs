//! One repository: its `git` program, its working tree, its object cache.

use super::objects::{CatFile, EntryKind, Oid, Tree};
use super::{GitFs, GitFsError, PREFETCH_FILE_MAX};
use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, RwLock};

/// Objects read ahead in one exchange with `git cat-file`.
const PREFETCH_RUN: usize = 512;

/// A Git repository whose revisions can be read as file systems.
pub struct GitRepo {
    program: PathBuf,
    /// The working tree's top directory, as git reports it (links
    /// resolved).
    pub(super) toplevel: PathBuf,
    cat_file: Mutex<Option<CatFile>>,
    /// Contents read so far, by object id; shared by every revision.
    objects: RwLock<HashMap<Oid, Arc<Vec<u8>>>>,
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
            let mut all: Vec<(&[u8], Oid)> = fs
                .tree
                .entries
                .iter()
                .filter(|(_, e)| matches!(e.kind, EntryKind::File | EntryKind::Link))
                .filter(|(_, e)| e.size <= PREFETCH_FILE_MAX)
                .map(|(p, e)| (&p[..], e.oid))
                .collect();
            all.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let all: Vec<Oid> = all.into_iter().map(|(_, o)| o).collect();
            // Read ahead while the caller starts reading: in runs, so a
            // read of a file not fetched yet waits for one run at most.
            // The thread ends with the repository (or at the first error:
            // reads then fetch what they need themselves).
            let repo = Arc::downgrade(self);
            let spawned = std::thread::Builder::new()
                .name("git-prefetch".into())
                .spawn(move || {
                    for run in all.chunks(PREFETCH_RUN) {
                        let Some(repo) = repo.upgrade() else {
                            return;
                        };
                        if repo.fetch(run).is_err() {
                            return;
                        }
                    }
                });
            // Without a thread, files are read when needed.
            drop(spawned);
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
    pub(super) fn fetch(&self, oids: &[Oid]) -> io::Result<()> {
        let missing = |objects: &HashMap<Oid, Arc<Vec<u8>>>| -> Vec<Oid> {
            let mut seen = std::collections::HashSet::new();
            oids.iter()
                .filter(|o| !objects.contains_key(o) && seen.insert(**o))
                .copied()
                .collect()
        };
        if missing(&self.objects.read().unwrap_or_else(|e| e.into_inner())).is_empty() {
            return Ok(());
        }
        let mut guard = self.cat_file.lock().unwrap_or_else(|e| e.into_inner());
        // Again, now that no other read is under way: one may have just
        // brought these.
        let missing = missing(&self.objects.read().unwrap_or_else(|e| e.into_inner()));
        if missing.is_empty() {
            return Ok(());
        }
        if guard.is_none() {
            *guard = Some(self.spawn_cat_file()?);
        }
        let Some(cat) = guard.as_mut() else {
            // Set just above.
            return Err(io::Error::other("git cat-file is not running"));
        };
        let contents = match cat.read_many(&missing) {
            Ok(c) => c,
            Err(e) => {
                // The exchange is out of step: start a new process next time.
                *guard = None;
                return Err(e);
            }
        };
        // Stored before the process is released, so a read waiting for it
        // finds them.
        let mut objects = self.objects.write().unwrap_or_else(|e| e.into_inner());
        for (oid, content) in missing.into_iter().zip(contents) {
            if let Some(content) = content {
                objects.insert(oid, Arc::new(content));
            }
        }
        drop(objects);
        drop(guard);
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

    pub(super) fn object(&self, oid: &Oid) -> Option<Arc<Vec<u8>>> {
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
