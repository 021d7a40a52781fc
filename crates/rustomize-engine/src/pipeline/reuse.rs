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
//!
//! Results are recorded by the kustomization that lists them, once all its
//! entries are loaded, and only where the later build will ask: a
//! kustomization whose own files and entries are all unchanged will itself
//! be recorded whole by its parent, so copies of its entries are never
//! made (on the generated 1,000-app tree with one image changed, 18,587
//! resources are copied, all of them taken back; 48,581 were when every
//! shareable result was).

use super::accumulator::{Accumulator, Loaded, Pending};
use rustomize_loader::FileSystem;
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
    /// Share results within this one build ([`within`]).
    Within(Arc<within::Within>),
}

impl Role {
    /// Whether the accumulators record their roots and what makes them
    /// unshareable.
    pub(crate) fn traces(&self) -> bool {
        matches!(self, Role::Record(_) | Role::Within(_))
    }
}

/// The recorded results of one pair of builds.
pub(crate) struct Shared {
    /// The file system of the later build.
    later: Arc<dyn FileSystem>,
    /// By the root of the directory: the origin path it was reached by,
    /// whether origins were tracked, the result.
    entries: Mutex<HashMap<PathBuf, Vec<Entry>>>,
}

/// Every root that went into a result, with its content id.
type Trace = Vec<(PathBuf, Vec<u8>)>;

struct Entry {
    origin: String,
    tracking: bool,
    /// Every root that went into the result, with its content id.
    trace: Trace,
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

    /// Every root in `acc` with its content id, when each is the same in
    /// `fs` (the recording build's) and in the later build's file system:
    /// what makes `acc` shareable. `None` otherwise.
    fn trace(&self, fs: &dyn FileSystem, acc: &Accumulator) -> Option<Trace> {
        if acc.opaque {
            return None;
        }
        acc.roots
            .iter()
            .map(|r| {
                let id = fs.content_id(r)?;
                (self.later.content_id(r).as_ref() == Some(&id)).then(|| (r.clone(), id))
            })
            .collect()
    }

    /// Keeps a copy of `acc`, the result of the directory at `at`.
    fn store(&self, at: &Pending, trace: Trace, acc: &Accumulator) {
        let entry = Entry {
            origin: at.origin.clone(),
            tracking: at.tracking,
            trace,
            acc: acc.clone(),
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // What this result holds no later lookup reaches: the later build
        // takes this one first.
        for (r, _) in entry.trace.iter().filter(|(r, _)| *r != at.root) {
            entries.remove(r);
        }
        entries.entry(at.root.clone()).or_default().push(entry);
    }

    /// Forgets every recorded result (the recording build is redone).
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
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

/// Records the shareable results among the entries of one kustomization,
/// whose root is `root`, once all of them are loaded (in parallel). When
/// `covered` (the kustomization is a `resources:` directory, with no
/// components and no remote entry) and its own files and every directory
/// entry's result are the same in the later build, nothing is recorded:
/// its own result is then shareable too, and recorded by its parent, so
/// copies of its entries would never be asked for. Only the results the
/// later build takes are copied.
pub(crate) fn record_children(
    shared: &Shared,
    fs: &dyn FileSystem,
    root: &Path,
    covered: bool,
    entries: &[Loaded],
) {
    use rayon::prelude::*;
    let dirs: Vec<(&Accumulator, &Pending)> = entries
        .iter()
        .filter_map(|e| match e {
            Loaded::Dir(acc, Some(p)) => Some((&**acc, p)),
            _ => None,
        })
        .collect();
    if dirs.is_empty() {
        return;
    }
    let traces: Vec<Option<Trace>> = crate::stack::parallel(|| {
        dirs.par_iter()
            .map(|(acc, _)| shared.trace(fs, acc))
            .collect()
    });
    if covered && traces.iter().all(Option::is_some) && shared.unchanged(fs, root) {
        return;
    }
    crate::stack::parallel(|| {
        dirs.into_par_iter()
            .zip(traces)
            .for_each(|((acc, at), trace)| {
                if let Some(trace) = trace {
                    shared.store(at, trace, acc);
                }
            })
    });
}

#[cfg(test)]
mod tests;
pub(crate) mod within;
