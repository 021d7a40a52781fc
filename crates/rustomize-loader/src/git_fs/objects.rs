//! Git objects as `git` gives them: ids, the `cat-file --batch` exchange,
//! and a revision's tree listed by `ls-tree`.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout};

/// One entry of a revision's tree.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub(super) kind: EntryKind,
    pub(super) oid: Oid,
    pub(super) size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EntryKind {
    File,
    Link,
    Dir,
    /// A submodule: a commit of another repository, whose files are not here.
    Submodule,
}

/// An object id (SHA-1 or SHA-256), as raw bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Oid {
    pub(super) bytes: [u8; 32],
    pub(super) len: u8,
}

impl Oid {
    pub(super) fn parse_hex(hex: &[u8]) -> Option<Oid> {
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

    pub(super) fn hex(&self) -> String {
        let mut out = Vec::with_capacity(self.len as usize * 2);
        self.write_hex(&mut out);
        // Hexadecimal digits are ASCII.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the id in hexadecimal.
    pub(super) fn write_hex(&self, out: &mut Vec<u8>) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for b in &self.bytes[..self.len as usize] {
            out.push(DIGITS[(b >> 4) as usize]);
            out.push(DIGITS[(b & 15) as usize]);
        }
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// The long-lived `git cat-file --batch` process.
pub(super) struct CatFile {
    pub(super) child: Child,
    pub(super) stdin: Option<ChildStdin>,
    pub(super) stdout: BufReader<ChildStdout>,
}

impl CatFile {
    /// Reads the objects `oids` in one pipelined exchange: the requests are
    /// written by a second thread while this one reads the answers, so no
    /// pipe can fill up with neither side reading. `None` for a missing
    /// object.
    pub(super) fn read_many(&mut self, oids: &[Oid]) -> io::Result<Vec<Option<Vec<u8>>>> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("git cat-file has exited"))?;
        let stdout = &mut self.stdout;
        std::thread::scope(|s| {
            let writer = s.spawn(move || -> io::Result<()> {
                let mut requests = Vec::with_capacity(oids.len() * 65);
                for oid in oids {
                    oid.write_hex(&mut requests);
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
    let line = header.strip_suffix(b"\n").unwrap_or(header);
    if line.ends_with(b" missing") || line.ends_with(b" ambiguous") {
        return Ok(None);
    }
    let size = line
        .rsplit(|&b| b == b' ')
        .next()
        .filter(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
        .and_then(|d| std::str::from_utf8(d).ok()?.parse::<usize>().ok())
        .ok_or_else(|| {
            io::Error::other(format!(
                "git cat-file answered '{}'",
                String::from_utf8_lossy(line)
            ))
        })?;
    let mut content = Vec::with_capacity(size + 1);
    r.take(size as u64 + 1).read_to_end(&mut content)?;
    if content.len() != size + 1 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "git cat-file ended early",
        ));
    }
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

/// A revision's tree: every entry by its path (`a/b/c`, no leading slash;
/// the root is the empty path), and each directory's names, sorted.
#[derive(Debug, Default)]
pub(super) struct Tree {
    pub(super) entries: HashMap<Box<[u8]>, Entry>,
    pub(super) dirs: HashMap<Box<[u8]>, Vec<String>>,
}

impl Tree {
    /// Parses `git ls-tree -r -t -l -z` output:
    /// `<mode> <type> <oid> <size>\t<path>\0`.
    pub(super) fn parse(out: &[u8]) -> Result<Tree, String> {
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
