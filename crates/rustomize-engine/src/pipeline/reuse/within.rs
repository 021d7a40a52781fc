//! Sub-builds shared within one build: a `resources:` directory reached
//! several times (the base of three overlays, when a kustomization lists
//! every overlay) is built once, and its result taken by the other visits.
//!
//! Within one build the file system, the load restrictor, the plugins and
//! the schema rules are the same for every visit, so a directory's result
//! depends only on the directory and on what its parent hands down: the
//! origin path it was reached by, whether origins are tracked, and the
//! restrictor of its loader (part of the key). What a visit must still
//! check is what kustomize checks on the way down: that no kustomization
//! root inside the result would close a cycle with the roots above this
//! visit, and that the result nests no deeper than the build allows.
//! Nothing is shared when the result used a remote base or file, names an
//! OpenAPI schema, or gave warnings (kustomize prints them at every
//! visit); the caller turns sharing off under plugins, observers,
//! provenance, a remote target, or a custom schema.
//!
//! Which directories are reached more than once is found before the build
//! by a walk over the kustomization files alone ([`Within::plan`]), whose
//! parsed files the build then takes instead of reading them again. A
//! result is kept only while more visits are expected, and the last
//! expected visit takes it without a copy. The counts are only a guide:
//! a visit the walk missed builds the directory itself, a visit that never
//! comes leaves a copy until the end of accumulation.

use super::super::Context;
use super::super::accumulator::Accumulator;
use crate::model::kustomization::{self, Kustomization, looks_like_dir};
use crate::stack::PARALLEL_DIRS;
use rayon::prelude::*;
use rustomize_loader::{LoadRestrictor, Loader};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A kustomization file read and parsed: its name, the parsed fields, the
/// parse's warnings, and the file as parsed (with lines and columns).
pub(crate) struct Parsed {
    pub(crate) name: &'static str,
    pub(crate) kust: Kustomization,
    pub(crate) warnings: Vec<String>,
    pub(crate) node: rustomize_yaml::Node,
}

/// What a visit is reached with, besides its root: the results of two
/// visits are the same when these are.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) origin: String,
    pub(crate) tracking: bool,
    pub(crate) restrictor: LoadRestrictor,
}

struct Kept {
    key: Key,
    /// The loader depth the result was built at: a visit at most this deep
    /// nests no deeper than the build did.
    depth: usize,
    acc: Arc<Accumulator>,
}

#[derive(Default)]
struct Slot {
    /// Visits the plan expects.
    expected: usize,
    /// Visits so far.
    visits: usize,
    /// A visit is building the directory now.
    building: bool,
    /// The plan walked the directory.
    walked: bool,
    kept: Vec<Kept>,
}

/// What a visit does.
pub(crate) enum Visit {
    /// Takes this result (checked against cycles by the caller).
    Take(Accumulator),
    /// Builds the directory; keeps the result ([`Within::keep`]) when
    /// `keep`.
    Build { keep: bool },
}

/// The shared results of one build.
#[derive(Default)]
pub(crate) struct Within {
    slots: Mutex<HashMap<PathBuf, Slot>>,
    /// Kustomization files the plan read, by root, until the build loads
    /// them.
    parsed: Mutex<HashMap<PathBuf, Parsed>>,
}

impl Within {
    /// Counts the visits of every directory reachable from the
    /// kustomization `kust` at `ldr`'s root through `resources:` (and the
    /// resources of components), reading and parsing each kustomization
    /// once, in parallel. Errors are left for the build to find and report.
    pub(crate) fn plan(&self, ldr: &Loader, kust: &Kustomization, ctx: &Context) {
        self.plan_entries(ldr, kust, ctx);
    }

    fn plan_entries(&self, ldr: &Loader, kust: &Kustomization, ctx: &Context) {
        let visit = |entry: &String, counted: bool| {
            // Files: a name with a YAML or JSON extension (a guess; a
            // directory named so is only never shared).
            if !looks_like_dir(entry) || ldr.is_remote(entry) {
                return;
            }
            let Ok(child) = ldr.child(entry) else { return };
            let first = {
                let mut slots = self.lock_slots();
                let slot = slots.entry(child.root().to_path_buf()).or_default();
                slot.expected += usize::from(counted);
                // Walked once, whether first met as a resource or as a
                // component.
                !std::mem::replace(&mut slot.walked, true)
            };
            if !first {
                return;
            }
            let Ok(mut parsed) = read(&child, ctx) else {
                return;
            };
            // Only a build recording provenance needs the file's tree, and
            // such a build shares nothing.
            parsed.node = rustomize_yaml::Node::default();
            self.plan_entries(&child, &parsed.kust, ctx);
            self.parsed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(child.root().to_path_buf(), parsed);
        };
        // As `Target::load_resources` decides: fewer directories than
        // `PARALLEL_DIRS` are walked on this thread, so a small tree never
        // starts the thread pool (starting it costs more than such a
        // tree's build).
        let dirs = kust
            .resources
            .iter()
            .chain(&kust.components)
            .filter(|e| looks_like_dir(e))
            .count();
        if ctx.sequential || dirs < PARALLEL_DIRS {
            kust.resources.iter().for_each(|e| visit(e, true));
            kust.components.iter().for_each(|e| visit(e, false));
            return;
        }
        crate::stack::parallel(|| {
            kust.resources.par_iter().for_each(|e| visit(e, true));
            kust.components.par_iter().for_each(|e| visit(e, false));
        });
    }

    /// Forgets every kept result and parsed file (accumulation is over).
    pub(crate) fn clear(&self) {
        self.lock_slots().clear();
        self.parsed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The kustomization file the plan read for `root`, once.
    pub(crate) fn parsed(&self, root: &Path) -> Option<Parsed> {
        self.parsed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(root)
    }

    fn lock_slots(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A visit of the directory `root` at loader depth `depth`: a kept
    /// result to take, or a build (kept when more visits are expected and
    /// no other visit is building it now).
    pub(crate) fn visit(&self, root: &Path, key: &Key, depth: usize) -> Visit {
        let taken = {
            let mut slots = self.lock_slots();
            let slot = slots.entry(root.to_path_buf()).or_default();
            slot.visits += 1;
            match slot
                .kept
                .iter()
                .position(|k| k.key == *key && depth <= k.depth)
            {
                // The last expected visit takes the result itself.
                Some(i) if slot.visits >= slot.expected => Some(slot.kept.swap_remove(i).acc),
                Some(i) => Some(slot.kept[i].acc.clone()),
                None if slot.building => return Visit::Build { keep: false },
                None => {
                    slot.building = true;
                    return Visit::Build {
                        keep: slot.visits < slot.expected,
                    };
                }
            }
        };
        match taken {
            // Copied outside the lock.
            Some(acc) => Visit::Take(Arc::try_unwrap(acc).unwrap_or_else(|a| (*a).clone())),
            None => Visit::Build { keep: false },
        }
    }

    /// Ends a visit that built `root` ([`Visit::Build`] with `keep`):
    /// keeps a copy of the result, when there is one and it may be shared.
    pub(crate) fn built(&self, root: &Path, key: &Key, depth: usize, acc: Option<&Accumulator>) {
        let copy = acc
            .filter(|a| !a.opaque && !a.warned)
            .map(|a| Arc::new(a.clone()));
        let mut slots = self.lock_slots();
        let slot = slots.entry(root.to_path_buf()).or_default();
        slot.building = false;
        if let Some(acc) = copy {
            slot.kept.push(Kept {
                key: key.clone(),
                depth,
                acc,
            });
        }
    }
}

/// Reads and parses the kustomization file in `ldr`'s root, as
/// [`Target::load`](super::super::target::Target::load) does.
pub(crate) fn read(ldr: &Loader, ctx: &Context) -> Result<Parsed, crate::Error> {
    use crate::Error;
    use rustomize_loader::LoadError;
    let mut found = Vec::new();
    for name in kustomization::FILE_NAMES {
        match ldr.load(name) {
            Ok(bytes) => found.push((name, bytes)),
            Err(LoadError::NotFound(_) | LoadError::IsADir(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (name, bytes) = match found.len() {
        1 => found.remove(0),
        0 => {
            return Err(Error::kustomization(format!(
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                // kustomize names the directory by its absolute path.
                ldr.root().display()
            )));
        }
        _ => {
            return Err(Error::kustomization(format!(
                "found multiple kustomization files under: {}",
                ctx.display(ldr.root())
            )));
        }
    };
    let file = ctx.display(&ldr.root().join(name));
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 { file: file.clone() })?;
    let (kust, warnings, node) = kustomization::parse_keeping_node(&text, &file)?;
    Ok(Parsed {
        name,
        kust,
        warnings,
        node,
    })
}

#[cfg(test)]
mod tests;
