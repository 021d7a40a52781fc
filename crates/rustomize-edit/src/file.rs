//! Finding, locking, reading and atomically rewriting a kustomization file.
//!
//! An edit holds an exclusive `flock` on the file from before it reads
//! until after the new text has replaced it, so two edits of one file run
//! one after the other instead of one losing the other's change; the new
//! text is written to a temporary file in the same directory (created
//! exclusively, with an unpredictable name, with the file's mode), synced,
//! then renamed over the file, so a reader sees the old or the new text,
//! never half of one. A symlinked kustomization file is written through:
//! its target is replaced, the link stays.

// This module is the editor's file system: it locks, reads and atomically
// replaces files on the local disk, as `kustomize edit` does (clippy.toml's
// disallowed-methods keeps std::fs inside such implementations).
#![allow(clippy::disallowed_methods)]

use crate::kustomization::{Kustomization, ReadError};
use crate::ops::{OpError, Outcome};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The file names kustomize recognises, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Why an edit failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// No kustomization file in the directory.
    #[error("Missing kustomization file 'kustomization.yaml'.")]
    Missing,
    /// More than one.
    #[error("Found multiple kustomization file: [{}]", .0.join(" "))]
    Multiple(Vec<String>),
    /// `kustomization.yaml` is a directory.
    #[error("{0} should be a file")]
    NotAFile(String),
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What happened.
        source: std::io::Error,
    },
    /// The file is not a valid kustomization.
    #[error("{path}:{source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: ReadError,
    },
    /// The operation refused.
    #[error(transparent)]
    Op(#[from] OpError),
    /// The file changed on disk since it was read.
    #[error(
        "{path} changed on disk while it was being edited; nothing was written (run the command again)"
    )]
    Changed {
        /// The file.
        path: String,
    },
    /// The edit could not be made without changing other fields (a bug).
    #[error("{path}: {source}")]
    Render {
        /// The file.
        path: String,
        /// Why.
        source: crate::doc::DocError,
    },
}

/// The kustomization file of `dir`, by kustomize's rules.
pub fn find(dir: &Path) -> Result<PathBuf, EditError> {
    let found: Vec<&str> = FILE_NAMES
        .iter()
        .copied()
        .filter(|n| std::fs::symlink_metadata(dir.join(n)).is_ok())
        .collect();
    match found.as_slice() {
        [] => Err(EditError::Missing),
        [one] => {
            let p = dir.join(one);
            if p.is_dir() {
                Err(EditError::NotAFile(one.to_string()))
            } else {
                Ok(p)
            }
        }
        many => Err(EditError::Multiple(
            many.iter().map(|s| s.to_string()).collect(),
        )),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EditError + '_ {
    move |source| EditError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Opens `path` and takes an exclusive lock on it, making sure the locked
/// file is still the one at `path` (another edit may have replaced it
/// while this one waited).
fn open_locked(path: &Path) -> Result<File, EditError> {
    loop {
        let f = File::open(path).map_err(io(path))?;
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| io(path)(e.into()))?;
        let held = rustix::fs::fstat(&f).map_err(|e| io(path)(e.into()))?;
        match rustix::fs::stat(path) {
            Ok(now) if now.st_ino == held.st_ino && now.st_dev == held.st_dev => return Ok(f),
            Ok(_) => continue,
            Err(e) => return Err(io(path)(e.into())),
        }
    }
}

/// Replaces the file at `path` with `text`, atomically, keeping its mode.
pub fn write_atomic(path: &Path, text: &[u8]) -> Result<(), EditError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mode = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io(path))?;
    tmp.write_all(text).map_err(io(path))?;
    if let Some(mode) = mode {
        tmp.as_file().set_permissions(mode).map_err(io(path))?;
    }
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    Ok(())
}

/// The real file behind `path` (through any symlinks), which is what an
/// edit replaces.
fn real_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads the kustomization file of `dir`, lets `op` change it, and writes
/// the result back (when `op` asks to and something changed), all under
/// the file's lock. `display` names the file in errors.
pub fn edit(
    dir: &Path,
    op: impl FnOnce(&mut Kustomization) -> Result<Outcome, OpError>,
) -> Result<Outcome, EditError> {
    let path = find(dir)?;
    let display = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let real = real_path(&path);
    let mut f = open_locked(&real)?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).map_err(io(&path))?;
    let text = String::from_utf8(bytes).map_err(|_| EditError::Read {
        path: display.clone(),
        source: ReadError::Syntax {
            line: 1,
            column: 1,
            message: "the file is not valid UTF-8".into(),
        },
    })?;
    let mut k = Kustomization::parse(&text).map_err(|source| EditError::Read {
        path: display.clone(),
        source,
    })?;
    let outcome = op(&mut k)?;
    if outcome.write && k.changed() {
        let new = k.render().map_err(|source| EditError::Render {
            path: display.clone(),
            source,
        })?;
        // Other files first (each replaced atomically, through symlinks),
        // as kustomize writes them before the kustomization file.
        for (other, other_text) in &outcome.files {
            write_atomic(&real_path(other), other_text.as_bytes())?;
        }
        if new != text {
            write_atomic(&real, new.as_bytes())?;
        }
    }
    drop(f);
    Ok(outcome)
}

/// Replaces the text of the file at `path` with `new`, under the file's
/// lock and atomically (through symlinks, keeping the mode), provided it
/// still holds `expected` (the text a command read, computed `new` from,
/// and perhaps built first); [`EditError::Changed`] otherwise.
pub fn replace_text(path: &Path, expected: &str, new: &str) -> Result<(), EditError> {
    let real = real_path(path);
    let mut f = open_locked(&real)?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).map_err(io(path))?;
    if bytes != expected.as_bytes() {
        return Err(EditError::Changed {
            path: path.display().to_string(),
        });
    }
    if new != expected {
        write_atomic(&real, new.as_bytes())?;
    }
    drop(f);
    Ok(())
}

/// Writes a new `kustomization.yaml` in `dir` (for `create`): fails when
/// any kustomization file exists, never replaces one.
pub fn create(dir: &Path, text: &str) -> Result<(), EditError> {
    let path = dir.join(FILE_NAMES[0]);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io(&path))?;
    f.write_all(text.as_bytes()).map_err(io(&path))?;
    f.sync_all().map_err(io(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_through_a_symlink_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.yaml");
        std::fs::write(&real, "resources:\n- a.yaml # keep\n").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let sub = dir.path().join("app");
        std::fs::create_dir(&sub).expect("mkdir");
        std::os::unix::fs::symlink(&real, sub.join("kustomization.yaml")).expect("symlink");
        edit(&sub, |k| Ok(crate::ops::set_scalar(k, "namespace", "prod"))).expect("edit");
        let text = std::fs::read_to_string(&real).expect("read");
        assert!(text.starts_with("resources:\n- a.yaml # keep\n"), "{text}");
        assert!(text.contains("namespace: prod\n"));
        assert!(
            std::fs::symlink_metadata(sub.join("kustomization.yaml"))
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn replacing_text_goes_through_links_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.yaml");
        std::fs::write(&real, "a: 1\n").expect("write");
        let link = dir.path().join("kustomization.yaml");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        replace_text(&link, "a: 1\n", "a: 2\n").expect("replace");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "a: 2\n");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        let e = replace_text(&link, "a: 1\n", "a: 3\n").expect_err("changed");
        assert!(matches!(e, EditError::Changed { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "a: 2\n");
    }

    #[test]
    fn invalid_files_are_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("kustomization.yaml");
        std::fs::write(&p, "resources: [a\n").expect("write");
        let e = edit(dir.path(), |k| {
            Ok(crate::ops::set_scalar(k, "namespace", "x"))
        })
        .expect_err("invalid");
        assert!(e.to_string().starts_with("kustomization.yaml:"), "{e}");
        assert_eq!(
            std::fs::read_to_string(&p).expect("read"),
            "resources: [a\n"
        );
        let e = find(&dir.path().join("none")).expect_err("missing");
        assert_eq!(
            e.to_string(),
            "Missing kustomization file 'kustomization.yaml'."
        );
    }

    #[test]
    fn concurrent_edits_are_serialised() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("kustomization.yaml");
        std::fs::write(&p, "resources: []\n").expect("write");
        std::thread::scope(|s| {
            for i in 0..8 {
                let d = dir.path().to_path_buf();
                s.spawn(move || {
                    edit(&d, |k| {
                        Ok(crate::ops::add_paths(
                            k,
                            crate::ops::PathList::Resources,
                            &[format!("r{i}.yaml")],
                            "",
                        ))
                    })
                    .expect("edit");
                });
            }
        });
        let k = Kustomization::parse(&std::fs::read_to_string(&p).expect("read")).expect("valid");
        assert_eq!(k.strings("resources").len(), 8);
    }
}
