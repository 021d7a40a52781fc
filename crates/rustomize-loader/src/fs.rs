//! File systems the build reads from: the disk, or memory (for tests and
//! for embedding rustomize as a library).

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file (or a link to one).
    File,
    /// A directory (or a link to one).
    Dir,
}

/// Read access to a tree of files.
pub trait FileSystem: Send + Sync + fmt::Debug {
    /// The whole content of a file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Whether `path` is a file or a directory, following links.
    fn kind(&self, path: &Path) -> io::Result<FileKind>;
    /// The absolute path with `.`/`..` resolved and links followed.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// Names of the entries of a directory, sorted.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>>;
    /// What `path` names without following a final link: `Ok(None)` for a
    /// link, or when this file system cannot tell cheaply (the default).
    /// Lets the loader resolve paths one new component at a time instead
    /// of canonicalizing every path from the root.
    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        let _ = path;
        Ok(None)
    }
    /// Reads `path` in one go when it is a regular file and no link: what
    /// [`kind_no_follow`](Self::kind_no_follow) then [`read`](Self::read)
    /// give (the default), for the disk with one open, one status and
    /// one read. [`Opened::Other`] for a link, or anything else the caller
    /// should resolve and read the long way.
    fn read_no_follow(&self, path: &Path) -> io::Result<Opened> {
        Ok(match self.kind_no_follow(path)? {
            Some(FileKind::File) => Opened::File(self.read(path)?),
            Some(FileKind::Dir) => Opened::Dir,
            None => Opened::Other,
        })
    }
    /// An id of everything below the directory `dir` (links followed to
    /// it), equal for two directories exactly when their files are: a Git
    /// tree id. `None` when this file system cannot tell cheaply (the
    /// default, and the disk's answer). Lets two builds of two versions of
    /// one tree share the sub-builds of directories that did not change.
    fn content_id(&self, dir: &Path) -> Option<Vec<u8>> {
        let _ = dir;
        None
    }
}

/// What [`FileSystem::read_no_follow`] found.
#[derive(Debug)]
pub enum Opened {
    /// A regular file, and its content.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A link, or something the long way should handle (and report).
    Other,
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiskFs;

/// Reads a regular file (or a link to one). Anything else (a FIFO, a
/// device, a socket) is an error, never a read that waits forever: the file
/// is opened without blocking and checked before it is read, so it cannot
/// be swapped for a FIFO in between. kustomize reads a FIFO named in a
/// generator's `files:` until a writer comes.
#[allow(clippy::disallowed_methods)]
fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // The flag matters for FIFOs (open would wait for a writer); a
        // regular file reads as usual.
        opts.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let not_regular = |t: &std::fs::FileType| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file (a {})", file_type_name(t)),
        )
    };
    let mut file = match opts.open(path) {
        Ok(f) => f,
        // A socket cannot be opened at all: say what it is.
        Err(e) => {
            return Err(match std::fs::metadata(path) {
                Ok(m) if !m.is_file() && !m.is_dir() => not_regular(&m.file_type()),
                _ => e,
            });
        }
    };
    let meta = file.metadata()?;
    // A directory fails to read as it always did ("Is a directory").
    if !meta.is_file() && !meta.is_dir() {
        return Err(not_regular(&meta.file_type()));
    }
    // The size is known: read into exactly that much, then once more to
    // see the end. (`File::read_to_end` would ask the size and the
    // position again: two system calls per file.)
    let mut out = Vec::with_capacity(meta.len() as usize);
    io::Read::by_ref(&mut file)
        .take(u64::MAX)
        .read_to_end(&mut out)?;
    Ok(out)
}

/// [`FileSystem::read_no_follow`] for the disk: open (not following a
/// final link, not blocking on a FIFO), one status for the kind and size,
/// then reads until the size the status gave is read and the buffer is
/// not full (a regular file reads short only at its end), or until a read
/// gives nothing.
#[allow(clippy::disallowed_methods)]
fn read_regular_no_follow(path: &Path) -> io::Result<Opened> {
    use std::io::Read as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOFOLLOW;
        opts.custom_flags(flags.bits() as i32);
    }
    #[cfg(not(unix))]
    {
        // Without O_NOFOLLOW a link would be followed unchecked.
        return Ok(Opened::Other);
    }
    let mut file = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
        // A link (ELOOP), a socket, no permission...: the long way says
        // what it is.
        Err(_) => return Ok(Opened::Other),
    };
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Ok(Opened::Dir);
    }
    if !meta.is_file() {
        return Ok(Opened::Other);
    }
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX - 1);
    // One byte more than the size: a full buffer means the file grew.
    let mut buf = vec![0u8; size.saturating_add(1).min(1 << 30)];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled == size && filled < buf.len() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(Opened::File(buf))
}

/// What a file that is not a regular file is, for messages.
fn file_type_name(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "device";
        }
    }
    let _ = t;
    "special file"
}

// The one implementation that reads the disk: everything else reads
// through a FileSystem.
#[allow(clippy::disallowed_methods)]
impl FileSystem for DiskFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_regular(path)
    }

    fn read_no_follow(&self, path: &Path) -> io::Result<Opened> {
        read_regular_no_follow(path)
    }

    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        let m = std::fs::metadata(path)?;
        Ok(if m.is_dir() {
            FileKind::Dir
        } else {
            FileKind::File
        })
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        let t = std::fs::symlink_metadata(path)?.file_type();
        Ok(if t.is_dir() {
            Some(FileKind::Dir)
        } else if t.is_file() {
            Some(FileKind::File)
        } else {
            None
        })
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }
}

/// An in-memory file system. Paths are absolute; parents of every file
/// exist implicitly.
#[derive(Debug, Default)]
pub struct MemFs {
    files: RwLock<BTreeMap<PathBuf, Option<Vec<u8>>>>,
}

impl MemFs {
    /// An empty file system (just `/`).
    pub fn new() -> Self {
        let fs = MemFs::default();
        fs.mkdir("/");
        fs
    }

    /// Writes a file, creating its parent directories.
    pub fn write(&self, path: impl AsRef<Path>, content: impl Into<Vec<u8>>) {
        let path = clean(path.as_ref());
        if let Some(parent) = path.parent() {
            self.mkdir(parent);
        }
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, Some(content.into()));
    }

    /// Creates a directory and its parents.
    pub fn mkdir(&self, path: impl AsRef<Path>) {
        let path = clean(path.as_ref());
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        for ancestor in path.ancestors() {
            files.entry(ancestor.to_path_buf()).or_insert(None);
        }
    }
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self
            .files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&clean(path))
        {
            Some(Some(content)) => Ok(content.clone()),
            Some(None) => Err(io::Error::other("is a directory")),
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        match self
            .files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&clean(path))
        {
            Some(Some(_)) => Ok(FileKind::File),
            Some(None) => Ok(FileKind::Dir),
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = clean(path);
        self.kind(&p)?;
        Ok(p)
    }

    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        // No links in memory.
        self.kind(path).map(Some)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let dir = clean(path);
        if self.kind(&dir)? != FileKind::Dir {
            return Err(io::Error::other("not a directory"));
        }
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        Ok(files
            .keys()
            .filter(|p| p.parent() == Some(dir.as_path()) && **p != dir)
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect())
    }
}

/// Lexically cleans a path: drops `.`, resolves `..` against earlier parts
/// (never above the root), as Go's `filepath.Clean`.
pub fn clean(path: &Path) -> PathBuf {
    if is_clean(path) {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_parent =
                    matches!(out.components().next_back(), Some(Component::ParentDir));
                if last_is_parent || (!out.pop() && !path.is_absolute()) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(if path.is_absolute() { "/" } else { "." });
    }
    out
}

/// Whether `clean` would return `path` unchanged: no empty, `.` or `..`
/// components and no trailing separator (checked on the text, which is
/// much cheaper than walking components; only on Unix, where `/` is the
/// one separator).
fn is_clean(path: &Path) -> bool {
    if !cfg!(unix) {
        return false;
    }
    let b = path.as_os_str().as_encoded_bytes();
    if b == b"/" {
        return true;
    }
    !b.is_empty()
        && !b.ends_with(b"/")
        && b.split(|&c| c == b'/')
            .enumerate()
            .all(|(i, seg)| !matches!(seg, b"." | b"..") && (i == 0 || !seg.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths_are_recognized() {
        for p in [
            "/",
            "/a",
            "/a/b.yaml",
            "a",
            "a/b",
            "..",
            "../a",
            "a/..",
            "/a/../b",
            "./a",
            "a/./b",
            "a//b",
            "a/",
            "/a/",
            "",
            ".",
            "//a",
            "a/.b",
            "a/..b",
            "...",
        ] {
            let path = Path::new(p);
            let slow = {
                let mut out = PathBuf::new();
                for c in path.components() {
                    match c {
                        Component::CurDir => {}
                        Component::ParentDir => {
                            if !out.pop() && !path.is_absolute() {
                                out.push("..");
                            }
                        }
                        other => out.push(other.as_os_str()),
                    }
                }
                if out.as_os_str().is_empty() {
                    out.push(if path.is_absolute() { "/" } else { "." });
                }
                out
            };
            assert_eq!(clean(path), slow, "{p}");
            if is_clean(path) {
                assert_eq!(slow.as_os_str(), path.as_os_str(), "{p}");
            }
        }
    }

    #[test]
    fn memfs_has_implicit_directories() {
        let fs = MemFs::new();
        fs.write("/app/base/kustomization.yaml", "resources: []");
        assert_eq!(fs.kind(Path::new("/app/base")).unwrap(), FileKind::Dir);
        assert_eq!(
            fs.kind(Path::new("/app/base/../base/kustomization.yaml"))
                .unwrap(),
            FileKind::File
        );
        assert_eq!(
            fs.read_dir(Path::new("/app")).unwrap(),
            vec!["base".to_string()]
        );
    }

    #[test]
    fn clean_resolves_dots() {
        assert_eq!(clean(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(clean(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(
            clean(Path::new("../../base/x")),
            PathBuf::from("../../base/x")
        );
    }
}
