//! The two shapes every builtin step takes: transformers change the
//! resources in place; generators make new ones.

use crate::error::Error;
use crate::resmap::ResMap;
use crate::resource::Resource;
use rustomize_loader::Loader;

/// Changes resources in place.
pub trait Transformer: Send + Sync {
    /// Applies the transformation to every resource it selects.
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error>;
}

/// Makes new resources.
pub trait Generator: Send + Sync {
    /// Generates resources, reading any files through `ldr`.
    fn generate(&self, ldr: &Loader) -> Result<Vec<Resource>, Error>;
}
