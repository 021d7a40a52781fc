//! Loading files relative to a kustomization root, with kustomize's load
//! restrictions and cycle checks.

use crate::error::LoadError;
use crate::fetcher::{RemoteDir, RemoteFetcher};
use crate::fs::{FileKind, FileSystem, Opened, clean};
use std::collections::HashMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Which files a kustomization may read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Only files in or below the kustomization's directory (the default).
    #[default]
    RootOnly,
    /// Any file.
    None,
}

impl LoadRestrictor {
    /// Parses the `--load-restrictor` flag's values.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "LoadRestrictionsRootOnly" | "rootOnly" => Some(LoadRestrictor::RootOnly),
            "LoadRestrictionsNone" | "none" => Some(LoadRestrictor::None),
            _ => None,
        }
    }
}

/// Reads files for one kustomization root.
#[derive(Clone, Debug)]
pub struct Loader {
    fs: Arc<dyn FileSystem>,
    root: PathBuf,
    restrictor: LoadRestrictor,
    /// Roots of the kustomizations that led here, nearest first: a list
    /// shared with the parent's loader, so a chain of 10,000 bases holds
    /// 10,000 paths, not 50 million copies.
    ancestors: Option<Arc<Ancestor>>,
    /// How many kustomization roots led here (0 at the top).
    depth: usize,
    /// The clone this root lives in, for remote bases.
    repo: Option<Arc<RemoteDir>>,
    fetcher: Option<Arc<dyn RemoteFetcher>>,
    /// Resolved directories, shared by every loader of one build.
    dirs: Arc<DirCache>,
}

/// `Path::starts_with` for the resolved, clean paths of loaders' roots,
/// comparing bytes: each new base is checked against every root above it,
/// and comparing components made a chain of 10,000 bases take seconds.
fn is_within(path: &Path, dir: &Path) -> bool {
    if cfg!(windows) {
        return path.starts_with(dir);
    }
    let (p, d) = (
        path.as_os_str().as_encoded_bytes(),
        dir.as_os_str().as_encoded_bytes(),
    );
    p.starts_with(d) && (p.len() == d.len() || d.ends_with(b"/") || p[d.len()] == b'/')
}

/// One kustomization root on the way to a loader, and the one before it.
#[derive(Debug)]
struct Ancestor {
    root: PathBuf,
    parent: Option<Arc<Ancestor>>,
}

impl Drop for Ancestor {
    // Iterative: the default would recurse once per level of a long chain.
    fn drop(&mut self) {
        let mut next = self.parent.take();
        while let Some(a) = next {
            next = match Arc::try_unwrap(a) {
                Ok(mut a) => a.parent.take(),
                Err(_) => None,
            };
        }
    }
}

/// Directories resolved so far (links followed), by their cleaned path:
/// a build reads thousands of files from a few hundred directories, and
/// resolving each file's path from the root would cost a system call per
/// component. `None` marks a directory the cache leaves to
/// [`FileSystem::canonicalize`].
#[derive(Debug, Default)]
struct DirCache(RwLock<HashMap<OsString, Option<PathBuf>>>);

impl DirCache {
    /// Whether the cleaned absolute path `dir` is known to be a directory.
    fn known_dir(&self, dir: &Path) -> bool {
        matches!(
            self.0
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(dir.as_os_str()),
            Some(Some(_))
        )
    }

    /// Records that the cleaned absolute path `dir` is the directory
    /// `real` (resolved, no link).
    fn insert(&self, dir: &Path, real: PathBuf) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(dir.as_os_str().to_os_string(), Some(real));
    }

    /// The resolved form of the cleaned absolute directory `dir`, when it
    /// is a plain directory (or a link to one) below resolvable parents.
    fn resolve(&self, fs: &dyn FileSystem, dir: &Path) -> Option<PathBuf> {
        // Keyed by the text (cleaned paths are equal when their texts
        // are), which hashes faster than a path's components.
        if let Some(known) = self
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir.as_os_str())
        {
            return known.clone();
        }
        let resolved = match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name)) => self.resolve(fs, parent).and_then(|p| {
                let candidate = p.join(name);
                match fs.kind_no_follow(&candidate) {
                    Ok(Some(FileKind::Dir)) => Some(candidate),
                    // A link: let the file system follow it.
                    Ok(None) => fs
                        .canonicalize(&candidate)
                        .ok()
                        .filter(|real| fs.kind(real).ok() == Some(FileKind::Dir)),
                    _ => None,
                }
            }),
            // The root directory.
            _ => fs.canonicalize(dir).ok(),
        };
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(dir.as_os_str().to_os_string(), resolved.clone());
        resolved
    }
}

impl Loader {
    /// A loader rooted at the directory `root`.
    pub fn new(
        fs: Arc<dyn FileSystem>,
        root: &Path,
        restrictor: LoadRestrictor,
    ) -> Result<Self, LoadError> {
        let dirs = Arc::new(DirCache::default());
        let root = confirm_dir(fs.as_ref(), &dirs, root)?;
        Ok(Loader {
            fs,
            root,
            restrictor,
            ancestors: None,
            depth: 0,
            repo: None,
            fetcher: None,
            dirs,
        })
    }

    /// Sets the fetcher used for remote bases.
    pub fn with_fetcher(mut self, fetcher: Arc<dyn RemoteFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// The root directory (absolute, links resolved).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file system.
    pub fn fs(&self) -> &Arc<dyn FileSystem> {
        &self.fs
    }

    /// The restrictor in force.
    pub fn restrictor(&self) -> LoadRestrictor {
        self.restrictor
    }

    /// The remote base this root belongs to, if any.
    pub fn repo(&self) -> Option<&RemoteDir> {
        self.repo.as_deref()
    }

    /// Whether `target` names a remote base or file.
    pub fn is_remote(&self, target: &str) -> bool {
        self.fetcher.as_ref().is_some_and(|f| f.is_remote(target)) || looks_remote(target)
    }

    /// Downloads an `http(s)://` resource file through the fetcher.
    pub fn load_url(&self, url: &str) -> Result<Vec<u8>, LoadError> {
        match &self.fetcher {
            Some(f) => f.load_url(url),
            None => Err(LoadError::NoFetcher(url.to_string())),
        }
    }

    /// The absolute path of `rel` under the root (not checked).
    pub fn join(&self, rel: &str) -> PathBuf {
        clean(&self.root.join(rel))
    }

    /// Reads a file, relative to the root, subject to the restrictor.
    pub fn load(&self, rel: &str) -> Result<Vec<u8>, LoadError> {
        let joined = self.join(rel);
        if let Some(done) = self.load_quickly(&joined) {
            return done;
        }
        let path = self.resolve_file(rel)?;
        self.fs.read(&path).map_err(|e| io_error(path, e))
    }

    /// [`load`](Self::load) of the cleaned absolute path `joined` when
    /// its directory is in the cache and the entry itself is no link: the
    /// same answer with one read of the file system
    /// ([`FileSystem::read_no_follow`]), none for a directory already
    /// resolved. `None` leaves the path to the long way.
    fn load_quickly(&self, joined: &Path) -> Option<Result<Vec<u8>, LoadError>> {
        if self.dirs.known_dir(joined) {
            return Some(Err(LoadError::IsADir(joined.to_path_buf())));
        }
        let (parent, name) = (joined.parent()?, joined.file_name()?);
        let dir = self.dirs.resolve(self.fs.as_ref(), parent)?;
        let real = dir.join(name);
        match self.fs.read_no_follow(&real) {
            Ok(Opened::File(bytes)) => Some(
                if self.restrictor == LoadRestrictor::RootOnly && !dir.starts_with(&self.root) {
                    Err(LoadError::Restricted {
                        path: joined.to_path_buf(),
                        root: self.root.clone(),
                    })
                } else {
                    Ok(bytes)
                },
            ),
            Ok(Opened::Dir) => {
                self.dirs.insert(joined, real);
                Some(Err(LoadError::IsADir(joined.to_path_buf())))
            }
            Ok(Opened::Other) => None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Some(Err(LoadError::NotFound(joined.to_path_buf())))
            }
            Err(_) => None,
        }
    }

    /// Checks `rel` names a readable file allowed by the restrictor, and
    /// returns its resolved path.
    pub fn resolve_file(&self, rel: &str) -> Result<PathBuf, LoadError> {
        let joined = self.join(rel);
        let (real, kind) = match self.resolve_quickly(&joined) {
            Some(Ok(found)) => found,
            Some(Err(e)) => return Err(io_error(joined, e)),
            None => {
                let real = self
                    .fs
                    .canonicalize(&joined)
                    .map_err(|e| io_error(joined.clone(), e))?;
                let kind = self
                    .fs
                    .kind(&real)
                    .map_err(|e| io_error(joined.clone(), e))?;
                (real, kind)
            }
        };
        if kind == FileKind::Dir {
            return Err(LoadError::IsADir(joined));
        }
        if self.restrictor == LoadRestrictor::RootOnly {
            let dir = real.parent().unwrap_or(&real);
            if !dir.starts_with(&self.root) {
                return Err(LoadError::Restricted {
                    path: joined,
                    root: self.root.clone(),
                });
            }
        }
        Ok(real)
    }

    /// The resolved path and kind of the cleaned absolute path `joined`,
    /// when its directory is in the cache and the entry itself is no link:
    /// what canonicalizing it would give, with one system call. `None`
    /// leaves the path to the file system; `Some(Err)` is "not found".
    fn resolve_quickly(&self, joined: &Path) -> Option<io::Result<(PathBuf, FileKind)>> {
        let (parent, name) = (joined.parent()?, joined.file_name()?);
        let dir = self.dirs.resolve(self.fs.as_ref(), parent)?;
        let real = dir.join(name);
        match self.fs.kind_no_follow(&real) {
            Ok(Some(kind)) => Some(Ok((real, kind))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Some(Err(e)),
            _ => None,
        }
    }

    /// A loader for a base or component: a directory relative to this root,
    /// or a remote base.
    pub fn child(&self, target: &str) -> Result<Loader, LoadError> {
        if target.is_empty() {
            return Err(LoadError::EmptyRoot);
        }
        if let Some(fetcher) = self.fetcher.as_ref().filter(|f| f.is_remote(target)) {
            let remote = fetcher.fetch(target)?;
            // The clone is read through its own file system, with its own
            // cache of resolved directories.
            let dirs = Arc::new(DirCache::default());
            let root = confirm_dir(remote.fs.as_ref(), &dirs, &remote.dir)?;
            if !root.starts_with(&remote.clone_root) {
                return Err(LoadError::OutsideRepository {
                    target: target.to_string(),
                    dir: root,
                });
            }
            // A cached remote is the same directory each time it is named,
            // so a repository that (transitively) includes itself would
            // recurse forever; kustomize refuses it too.
            for visited in self.roots_so_far() {
                if is_within(visited, &root) {
                    return Err(LoadError::RemoteCycle {
                        target: target.to_string(),
                        visited: visited.clone(),
                    });
                }
            }
            let fs = remote.fs.clone();
            return Ok(self.descend(
                root,
                LoadRestrictor::RootOnly,
                Some(Arc::new(remote)),
                (fs, dirs),
            ));
        }
        if looks_remote(target) {
            return Err(LoadError::NoFetcher(target.to_string()));
        }
        if Path::new(target).is_absolute() {
            return Err(LoadError::Absolute(target.to_string()));
        }
        let root = confirm_dir(self.fs.as_ref(), &self.dirs, &self.join(target))?;
        if let Some(repo) = &self.repo
            && !root.starts_with(&repo.clone_root)
        {
            return Err(LoadError::BaseOutsideRepository {
                base: root,
                repo: repo.clone_root.clone(),
            });
        }
        for visited in self.roots_so_far() {
            if is_within(visited, &root) {
                return Err(LoadError::Cycle {
                    candidate: root,
                    visited: visited.clone(),
                });
            }
        }
        let same_fs = (self.fs.clone(), self.dirs.clone());
        Ok(self.descend(root, self.restrictor, self.repo.clone(), same_fs))
    }

    /// Whether this root, or the root of a kustomization that led here,
    /// is `dir` or below it: a base at `dir` reached from here would close
    /// a cycle ([`LoadError::Cycle`]).
    pub fn has_ancestor_within(&self, dir: &Path) -> bool {
        self.roots_so_far().any(|visited| is_within(visited, dir))
    }

    /// How many kustomizations include this one, one inside the other (0
    /// for the top).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// This root and those of the kustomizations that led here, nearest
    /// first.
    fn roots_so_far(&self) -> impl Iterator<Item = &PathBuf> {
        let mut next = self.ancestors.as_deref();
        std::iter::once(&self.root).chain(std::iter::from_fn(move || {
            let a = next?;
            next = a.parent.as_deref();
            Some(&a.root)
        }))
    }

    /// A loader for `root`, a child of this one, reading through `fs` (this
    /// loader's, or a remote base's own) with `dirs` as its cache.
    fn descend(
        &self,
        root: PathBuf,
        restrictor: LoadRestrictor,
        repo: Option<Arc<RemoteDir>>,
        (fs, dirs): (Arc<dyn FileSystem>, Arc<DirCache>),
    ) -> Loader {
        let ancestors = Some(Arc::new(Ancestor {
            root: self.root.clone(),
            parent: self.ancestors.clone(),
        }));
        Loader {
            fs,
            root,
            restrictor,
            ancestors,
            depth: self.depth + 1,
            repo,
            fetcher: self.fetcher.clone(),
            dirs,
        }
    }
}

/// Whether kustomize would take `s` for a remote base or file rather than
/// a local path (see [`crate::remote::url::is_remote`]).
pub fn looks_remote(s: &str) -> bool {
    crate::remote::url::is_remote(s)
}

fn confirm_dir(fs: &dyn FileSystem, dirs: &DirCache, path: &Path) -> Result<PathBuf, LoadError> {
    // Only a clean path: `..` after a link means something else to the
    // file system than to `clean`.
    if path.is_absolute()
        && clean(path) == path
        && let Some(real) = dirs.resolve(fs, path)
    {
        return Ok(real);
    }
    let real = fs
        .canonicalize(path)
        .map_err(|e| io_error(path.to_path_buf(), e))?;
    match fs.kind(&real) {
        Ok(FileKind::Dir) => Ok(real),
        Ok(FileKind::File) => Err(LoadError::NotADir(path.to_path_buf())),
        Err(e) => Err(io_error(path.to_path_buf(), e)),
    }
}

fn io_error(path: PathBuf, e: io::Error) -> LoadError {
    if e.kind() == io::ErrorKind::NotFound {
        LoadError::NotFound(path)
    } else {
        LoadError::Io { path, error: e }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn fs() -> Arc<dyn FileSystem> {
        let fs = MemFs::new();
        fs.write("/app/base/kustomization.yaml", "resources: [d.yaml]");
        fs.write("/app/base/d.yaml", "kind: X");
        fs.write("/app/overlay/kustomization.yaml", "resources: [../base]");
        fs.write("/app/secret.yaml", "kind: Y");
        Arc::new(fs)
    }

    #[test]
    fn within_compares_whole_components() {
        for (path, dir, want) in [
            ("/a/b", "/a", true),
            ("/a", "/a", true),
            ("/ab", "/a", false),
            ("/a/b", "/", true),
            ("/a", "/a/b", false),
        ] {
            assert_eq!(
                is_within(Path::new(path), Path::new(dir)),
                want,
                "{path} in {dir}"
            );
            assert_eq!(Path::new(path).starts_with(dir), want, "{path} in {dir}");
        }
    }

    #[test]
    fn restrictor_keeps_files_under_the_root() {
        let ldr = Loader::new(fs(), Path::new("/app/overlay"), LoadRestrictor::RootOnly).unwrap();
        assert!(matches!(
            ldr.load("../secret.yaml"),
            Err(LoadError::Restricted { .. })
        ));
        let open = Loader::new(fs(), Path::new("/app/overlay"), LoadRestrictor::None).unwrap();
        assert_eq!(open.load("../secret.yaml").unwrap(), b"kind: Y");
    }

    #[test]
    fn bases_may_live_outside_the_root_but_not_contain_it() {
        let ldr = Loader::new(fs(), Path::new("/app/overlay"), LoadRestrictor::RootOnly).unwrap();
        let base = ldr.child("../base").unwrap();
        assert_eq!(base.load("d.yaml").unwrap(), b"kind: X");
        assert!(matches!(base.child(".."), Err(LoadError::Cycle { .. })));
        assert!(matches!(ldr.child("."), Err(LoadError::Cycle { .. })));
        assert!(matches!(ldr.child("missing"), Err(LoadError::NotFound(_))));
    }

    /// `load` (one open and read when it can) answers what resolving the
    /// path and reading it answers: files, links to files inside and
    /// outside the root, directories (twice: resolved, then cached),
    /// missing files, and a FIFO, which is refused, never waited on.
    #[cfg(unix)]
    #[test]
    fn load_answers_what_resolving_and_reading_answer() {
        use crate::fs::DiskFs;
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("app/sub")).unwrap();
        std::fs::write(top.join("app/a.yaml"), "a: 1\n").unwrap();
        std::fs::write(top.join("app/empty.yaml"), "").unwrap();
        std::fs::write(top.join("outside.yaml"), "o").unwrap();
        symlink(top.join("app/a.yaml"), top.join("app/link.yaml")).unwrap();
        symlink(top.join("outside.yaml"), top.join("app/out.yaml")).unwrap();
        let fifo = top.join("app/fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let ldr =
            Loader::new(Arc::new(DiskFs), &top.join("app"), LoadRestrictor::RootOnly).unwrap();
        let long_way = |rel: &str| -> String {
            match ldr.resolve_file(rel) {
                Ok(p) => match DiskFs.read(&p) {
                    Ok(b) => format!("{b:?}"),
                    Err(e) => format!("read error {}", e.kind()),
                },
                Err(e) => format!("{e:?}"),
            }
        };
        let quick = |rel: &str| -> String {
            match ldr.load(rel) {
                Ok(b) => format!("{b:?}"),
                Err(LoadError::Io { error, .. }) => format!("read error {}", error.kind()),
                Err(e) => format!("{e:?}"),
            }
        };
        let mut rels = vec![
            "a.yaml",
            "empty.yaml",
            "link.yaml",
            "out.yaml",
            "sub",
            "sub",
            "missing.yaml",
            "../outside.yaml",
        ];
        if made.is_ok_and(|s| s.success()) {
            rels.push("fifo");
        }
        for rel in rels {
            assert_eq!(quick(rel), long_way(rel), "{rel}");
        }
    }

    /// The directory cache resolves what canonicalizing resolves: linked
    /// directories and files, missing files, files outside the root.
    #[cfg(unix)]
    #[test]
    fn cached_resolution_follows_links_like_canonicalize() {
        use crate::fs::DiskFs;
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("real/app")).unwrap();
        std::fs::write(top.join("real/app/a.yaml"), "a").unwrap();
        std::fs::write(top.join("outside.yaml"), "o").unwrap();
        symlink(top.join("real"), top.join("linkdir")).unwrap();
        symlink(top.join("real/app/a.yaml"), top.join("real/app/b.yaml")).unwrap();
        symlink(top.join("outside.yaml"), top.join("real/app/out.yaml")).unwrap();
        let fs: Arc<dyn FileSystem> = Arc::new(DiskFs);
        let ldr = Loader::new(fs, &top.join("linkdir/app"), LoadRestrictor::RootOnly).unwrap();
        assert_eq!(ldr.root(), top.join("real/app"));
        for _ in 0..2 {
            // Twice: resolved, then from the cache.
            assert_eq!(
                ldr.resolve_file("a.yaml").unwrap(),
                top.join("real/app/a.yaml")
            );
            assert_eq!(
                ldr.resolve_file("b.yaml").unwrap(),
                top.join("real/app/a.yaml")
            );
            assert!(matches!(
                ldr.resolve_file("c.yaml"),
                Err(LoadError::NotFound(_))
            ));
            assert!(matches!(
                ldr.resolve_file("out.yaml"),
                Err(LoadError::Restricted { .. })
            ));
            assert!(matches!(
                ldr.resolve_file("../app"),
                Err(LoadError::IsADir(_))
            ));
            assert_eq!(
                ldr.child("../../linkdir/app")
                    .map(|l| l.root().to_path_buf())
                    .ok(),
                None,
                "a cycle: the same directory through the link"
            );
        }
    }
}
