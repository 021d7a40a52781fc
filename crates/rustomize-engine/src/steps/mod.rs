//! The steps layer: every transformer, patch, generator, KRM function and
//! helm inflation, and the OpenAPI data strategic merges use. Steps work
//! on the model ([`crate::model`]) and never name the pipeline that runs
//! them (`tools/check-layers.py` checks it).
//!
//! The two shapes every step takes: transformers change the resources in
//! place; generators make new ones.

pub(crate) mod function;
pub(crate) mod generate;
pub(crate) mod helm;
pub(crate) mod host;
pub(crate) mod openapi;
pub(crate) mod options;
pub(crate) mod patch;
pub(crate) mod transform;

use crate::error::Error;
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use rustomize_loader::Loader;

/// Changes resources in place.
pub(crate) trait Transformer: Send + Sync {
    /// Applies the transformation to every resource it selects.
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error>;

    /// [`Transformer::transform`], also noting each target that selected
    /// nothing (kustomize goes on silently; `check` reports them).
    fn transform_noting(&self, rm: &mut ResMap, misses: &mut Vec<Miss>) -> Result<(), Error> {
        let _ = misses;
        self.transform(rm)
    }
}

/// A target of a step that selected nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Miss {
    /// For a step configured by a whole field (`replacements`), the entry.
    pub(crate) entry: Option<usize>,
    /// For a replacement, the index of the target in its `targets`.
    pub(crate) target: Option<usize>,
    /// The selector, as kustomize prints one.
    pub(crate) selector: String,
}

/// Makes new resources.
pub(crate) trait Generator: Send + Sync {
    /// Generates resources, reading any files through `ldr`.
    fn generate(&self, ldr: &Loader) -> Result<Vec<Resource>, Error>;
}
