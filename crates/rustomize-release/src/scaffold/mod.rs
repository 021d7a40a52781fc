//! `rustomize init`: the files of a new app ([`app`]) or of an infra
//! repository's environment folder ([`infra`]), as text; then written all
//! at once ([`write()`]) after checking that nothing would be overwritten.
//!
//! The files are made from the options alone (no template engine: every
//! value is checked by `check_value` to be a plain YAML scalar, so it
//! can be written unquoted), and every one of them says why it is as it is.

// `init` writes files on the disk by design (the build's FileSystem reads
// only), so this module uses std::fs for the folder it writes.
#![allow(clippy::disallowed_methods)]

pub mod app;
mod extras;
pub mod infra;

use crate::error::Error;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// One file to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Where, relative to the folder `init` writes into (or, for the
    /// GitHub workflow, to the current directory).
    pub path: PathBuf,
    /// The text.
    pub text: String,
}

impl File {
    pub(crate) fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> File {
        File {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// Checks that `value` (given for `what`) is non-empty and made only of
/// characters that keep it a plain YAML scalar in any position we write
/// it: ASCII letters, digits and `extra`.
pub(crate) fn check_value(what: &str, value: &str, extra: &str) -> Result<(), Error> {
    let bad = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c)));
    if value.is_empty() {
        return Err(Error::Invalid(format!("{what} is empty")));
    }
    if let Some(c) = bad {
        return Err(Error::Invalid(format!(
            "{what} {value:?} has the character {c:?}; allowed: letters, digits and {}",
            extra
                .chars()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(" ")
        )));
    }
    if value.starts_with(['-', '.', ':', '@']) {
        return Err(Error::Invalid(format!(
            "{what} {value:?} cannot start with {:?}",
            value.chars().next().unwrap_or_default()
        )));
    }
    Ok(())
}

/// Checks an object name: a DNS label (lowercase letters, digits, `-`,
/// at most `max` characters, starting with a letter).
pub(crate) fn check_name(what: &str, name: &str, max: usize) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= max
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} {name:?} is not a valid name: lowercase letters, digits and '-', starting with a letter, at most {max} characters"
        )))
    }
}

/// Checks a Kubernetes quantity of bytes (`1Gi`, `500Mi`, `10G`).
pub(crate) fn check_size(what: &str, size: &str) -> Result<(), Error> {
    let digits = size.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &size[digits.len()..];
    const SUFFIXES: &[&str] = &["", "Ki", "Mi", "Gi", "Ti", "Pi", "k", "M", "G", "T", "P"];
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.bytes().any(|b| b != b'0')
        && SUFFIXES.contains(&suffix)
    {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} {size:?} is not a size: a whole number and Ki, Mi, Gi, Ti (1Gi, 500Mi)"
        )))
    }
}

/// Checks a host name (`dojo.lab.example.com`).
pub(crate) fn check_host(host: &str) -> Result<(), Error> {
    let ok = host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "--host {host:?} is not a host name (lowercase labels of letters, digits and '-', separated by dots)"
        )))
    }
}

/// The files of `files` that exist under `root` (for the error).
fn existing(root: &Path, files: &[File]) -> Vec<String> {
    files
        .iter()
        .filter(|f| root.join(&f.path).symlink_metadata().is_ok())
        .map(|f| f.path.display().to_string())
        .collect()
}

/// The entries of `dir` (sorted), or none when it does not exist.
fn entries(dir: &Path) -> Result<Vec<String>, Error> {
    match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut names: Vec<String> = rd
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            Ok(names)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(Error::Invalid(format!(
            "{} is a file, not a folder",
            dir.display()
        ))),
        Err(source) => Err(Error::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Checks that `files` can be written: `dir` is new or empty and none of
/// `outside` (files written elsewhere, relative to `top`) exists, unless
/// `force`.
pub fn check_free(
    dir: &Path,
    files: &[File],
    top: &Path,
    outside: &[File],
    force: bool,
) -> Result<(), Error> {
    if force {
        // Still never replace a folder with a file or the reverse.
        for (root, list) in [(dir, files), (top, outside)] {
            for f in list {
                let p = root.join(&f.path);
                if p.is_dir() {
                    return Err(Error::Invalid(format!(
                        "{} is a folder; init would write a file there",
                        p.display()
                    )));
                }
            }
        }
        return Ok(());
    }
    let names = entries(dir)?;
    if !names.is_empty() {
        let mut shown: Vec<String> = names.iter().take(5).cloned().collect();
        if names.len() > 5 {
            shown.push(format!("and {} more", names.len() - 5));
        }
        return Err(Error::NotEmpty {
            dir: dir.to_path_buf(),
            names: shown,
        });
    }
    let there = existing(top, outside);
    if !there.is_empty() {
        return Err(Error::Invalid(format!(
            "{} already exists in {}; init never overwrites a file (--force to replace it)",
            there.join(", "),
            top.display()
        )));
    }
    Ok(())
}

/// Writes `files` under `root`, each atomically (a temporary file in the
/// same folder, then renamed); without `force` a file that appeared
/// meanwhile is not replaced. When one fails, the files written before
/// it that did not exist are removed again. Returns the paths written.
pub fn write(root: &Path, files: &[File], force: bool) -> Result<Vec<PathBuf>, Error> {
    let mut created: Vec<PathBuf> = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    let result = (|| {
        let mut written = Vec::new();
        for f in files {
            let path = root.join(&f.path);
            let existed = path.symlink_metadata().is_ok();
            write_one(&path, &f.text, force, &mut dirs)?;
            if !existed {
                created.push(path.clone());
            }
            written.push(path);
        }
        Ok(written)
    })();
    if result.is_err() {
        for p in created.iter().rev() {
            let _ = std::fs::remove_file(p);
        }
        for d in dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
    result
}

/// Writes one file (see [`write`]), noting the folders it created.
fn write_one(path: &Path, text: &str, force: bool, dirs: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut missing = Vec::new();
    let mut d = parent;
    while !d.as_os_str().is_empty() && !d.exists() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    std::fs::create_dir_all(parent).map_err(io)?;
    dirs.extend(missing.into_iter().rev());
    let mut tmp = tempfile::Builder::new()
        .prefix(".rustomize-init.")
        .suffix(".tmp")
        .tempfile_in(parent)
        .map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if force {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| io(e.error))?;
    }
    Ok(())
}

/// `path` relative to `base` when it is below it (both made absolute and
/// clean), with `/` separators.
pub fn relative_below(path: &Path, base: &Path) -> Option<String> {
    let path = crate::app::absolute(path).ok()?;
    let base = crate::app::absolute(base).ok()?;
    let rel = path.strip_prefix(&base).ok()?;
    let s = rel.to_string_lossy().replace('\\', "/");
    Some(if s.is_empty() { ".".to_string() } else { s })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert!(check_value("--image", "ghcr.io/org/app", "./-_:").is_ok());
        let e = check_value("--image", "ghcr.io/org/app: x", "./-_:").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--image \"ghcr.io/org/app: x\" has the character ' '; allowed: letters, digits and '.' '/' '-' '_' ':'"
        );
        assert!(check_name("NAME", "dojo-2", 40).is_ok());
        assert!(check_name("NAME", "Dojo", 40).is_err());
        assert!(check_name("NAME", "2dojo", 40).is_err());
        assert!(check_size("--storage", "1Gi").is_ok());
        assert!(check_size("--storage", "1GB").is_err());
        assert!(check_size("--storage", "0Gi").is_err());
        assert!(check_host("dojo.lab.local").is_ok());
        assert!(check_host("dojo..local").is_err());
    }

    #[test]
    fn writes_all_or_nothing_and_never_replaces_without_force() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("out");
        let files = vec![File::new("a/b.yaml", "b\n"), File::new("c.yaml", "c\n")];
        check_free(&root, &files, tmp.path(), &[], false).unwrap();
        let written = write(&root, &files, false).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(
            std::fs::read_to_string(root.join("a/b.yaml")).unwrap(),
            "b\n"
        );
        let e = check_free(&root, &files, tmp.path(), &[], false).unwrap_err();
        assert!(e.to_string().contains("is not empty (a, c.yaml)"), "{e}");
        // A file that appears between the check and the write stays, and
        // what was written before it is removed.
        let other = tmp.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("c.yaml"), "mine\n").unwrap();
        let e = write(&other, &files, false).unwrap_err();
        assert!(e.to_string().contains("c.yaml"), "{e}");
        assert_eq!(
            std::fs::read_to_string(other.join("c.yaml")).unwrap(),
            "mine\n"
        );
        assert!(!other.join("a").exists());
        // --force replaces.
        write(&other, &files, true).unwrap();
        assert_eq!(
            std::fs::read_to_string(other.join("c.yaml")).unwrap(),
            "c\n"
        );
    }
}
