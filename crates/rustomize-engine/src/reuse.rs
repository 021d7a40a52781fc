//! Sub-builds shared by two builds of two versions of one tree (the two
//! sides of `rustomize diff --base A --head B`): the first build records
//! the result of each `resources:` directory whose inputs are the same in
//! the second version, and the second build takes those results instead of
//! building them again.
//!
//! A directory's result is a function of its inputs: under the default
//! load restrictor, a kustomization reads files only below its own root,
//! and its bases and components are directories with inputs of their own.
//! The accumulator keeps the roots of every kustomization that went into
//! it; a result is recorded when each root has the same
//! [`FileSystem::content_id`] (a Git tree id) in both versions, and taken
//! back after checking those ids again. Nothing is shared when a result
//! used a remote base or file (its root has no content id, or it is marked
//! opaque), when plugins (helm, KRM functions) may run, when any file may
//! be read (`LoadRestrictionsNone`), or when a custom OpenAPI schema is in
//! force; what is shared is exactly what the second build would have made.
//! Warnings of a taken sub-build are not repeated: the first build gave
//! them.

use crate::kustomization::Kustomization;
use crate::target::Accumulator;
use rustomize_loader::{FileKind, FileSystem, Loader};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What one side of a shared pair of builds does with the results.
#[derive(Clone)]
pub(crate) enum Role {
    /// Record results the later build can take.
    Record(Arc<Shared>),
    /// Take recorded results.
    Take(Arc<Shared>),
}

/// The recorded results of one pair of builds.
pub(crate) struct Shared {
    /// The file system of the later build.
    later: Arc<dyn FileSystem>,
    /// By the root of the directory: the origin path it was reached by,
    /// whether origins were tracked, the result.
    entries: Mutex<HashMap<PathBuf, Vec<Entry>>>,
}

struct Entry {
    origin: String,
    tracking: bool,
    /// Every root that went into the result, with its content id.
    trace: Vec<(PathBuf, Vec<u8>)>,
    acc: Accumulator,
}

impl Shared {
    /// Results for a later build reading `later`.
    pub(crate) fn new(later: Arc<dyn FileSystem>) -> Arc<Shared> {
        Arc::new(Shared {
            later,
            entries: Mutex::new(HashMap::new()),
        })
    }

    /// Records `acc`, the result of the directory `root` reached by
    /// `origin`, when every root in it has the same content in `fs` (this
    /// build's) and in the later build's file system.
    pub(crate) fn record(
        &self,
        fs: &dyn FileSystem,
        root: &Path,
        origin: &str,
        tracking: bool,
        acc: &Accumulator,
    ) {
        if acc.opaque {
            return;
        }
        let mut trace = Vec::with_capacity(acc.roots.len());
        for r in &acc.roots {
            let Some(id) = fs.content_id(r) else {
                return;
            };
            if self.later.content_id(r).as_ref() != Some(&id) {
                return;
            }
            trace.push((r.clone(), id));
        }
        let entry = Entry {
            origin: origin.to_string(),
            tracking,
            trace,
            acc: acc.clone(),
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // What this result holds no later lookup reaches: the later build
        // takes this one first.
        for (r, _) in entry.trace.iter().filter(|(r, _)| r != root) {
            entries.remove(r);
        }
        entries.entry(root.to_path_buf()).or_default().push(entry);
    }

    /// Whether the directory `dir` has the same content in `fs` (this
    /// build's) and in the later build's file system.
    pub(crate) fn unchanged(&self, fs: &dyn FileSystem, dir: &Path) -> bool {
        fs.content_id(dir)
            .is_some_and(|id| self.later.content_id(dir).as_ref() == Some(&id))
    }

    /// Takes the recorded result of the directory `root` reached by
    /// `origin`, when its inputs are the same in `fs` (this build's).
    pub(crate) fn take(
        &self,
        fs: &dyn FileSystem,
        root: &Path,
        origin: &str,
        tracking: bool,
    ) -> Option<Accumulator> {
        let entry = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let list = entries.get_mut(root)?;
            let i = list
                .iter()
                .position(|e| e.origin == origin && e.tracking == tracking)?;
            list.swap_remove(i)
        };
        entry
            .trace
            .iter()
            .all(|(r, id)| fs.content_id(r).as_ref() == Some(id))
            .then_some(entry.acc)
    }
}

/// Whether the result of the kustomization `kust` at `ldr`, a `resources:`
/// directory itself, is sure to be shareable (and recorded) when its one
/// directory entry's result is: its own files are the same in the later
/// build, and nothing else goes into it (no components, no remote
/// entries). Then recording that entry's result would copy what the later
/// build never asks for.
pub(crate) fn covers_child(shared: &Shared, ldr: &Loader, kust: &Kustomization) -> bool {
    if !kust.components.is_empty() {
        return false;
    }
    let fs = ldr.fs();
    let mut dirs = 0;
    for entry in &kust.resources {
        if ldr.is_remote(entry) {
            return false;
        }
        if fs.kind(&ldr.join(entry)).ok() == Some(FileKind::Dir) {
            dirs += 1;
        }
    }
    dirs == 1 && shared.unchanged(fs.as_ref(), ldr.root())
}

#[cfg(test)]
mod tests;
