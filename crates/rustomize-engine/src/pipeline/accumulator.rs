//! What accumulates while a kustomization tree is built, and what loading
//! one `resources:` entry gives.

use crate::error::Error;
use crate::model::fieldspec::TransformerConfig;
use crate::model::kustomization;
use crate::model::resmap::ResMap;
use crate::steps::transform::vars;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What accumulates while a kustomization tree is built.
#[derive(Clone, Default)]
pub(super) struct Accumulator {
    /// The resources so far.
    pub(super) rm: ResMap,
    /// The merged field specs (shared: most trees use the default tables
    /// everywhere).
    pub(super) config: Arc<TransformerConfig>,
    /// Vars declared so far, by name.
    pub(super) vars: BTreeMap<String, kustomization::Var>,
    /// The root of every kustomization that went into it (bases and
    /// components too), for sharing results between two builds
    /// ([`super::build_two`]).
    pub(super) roots: Vec<PathBuf>,
    /// Something went into it that no root's content covers (a remote
    /// base or file): it is never shared.
    pub(super) opaque: bool,
    /// A kustomization that went into it gave warnings: a build within
    /// the same build does not share it (kustomize warns at every visit).
    pub(super) warned: bool,
}

impl Accumulator {
    pub(super) fn merge(&mut self, other: Accumulator) -> Result<(), Error> {
        self.rm.append_all(other.rm)?;
        self.roots.extend(other.roots);
        self.opaque |= other.opaque;
        self.warned |= other.warned;
        // Both are built by merges, so canonical.
        TransformerConfig::merge_canonical(&mut self.config, &other.config)?;
        vars::merge_set(&mut self.vars, other.vars.into_values())
    }
}

pub(super) enum Loaded {
    File(ResMap),
    /// A directory's result, and where it was reached from when a shared
    /// build may record it.
    Dir(Box<Accumulator>, Option<Pending>),
}

/// Where a directory's result was reached from: what a later lookup
/// names it by (see [`super::reuse`]).
pub(super) struct Pending {
    pub(super) root: PathBuf,
    pub(super) origin: String,
    pub(super) tracking: bool,
}
