//! Patches: strategic merge, JSON 6902, the selectors that pick their
//! targets, and the three builtins a kustomization configures with them.
//!
//! What the build pipeline calls, per kustomization field. Configure every
//! transformer of a kustomization first, then run them (kustomize reports
//! configuration errors before running any), in kustomize's order:
//! `patchesStrategicMerge`, `patches`, namespace, prefix, suffix, labels,
//! annotations, `patchesJson6902`, replicas, images, replacements.
//!
//! - `patchesStrategicMerge:` →
//!   [`PatchStrategicMergeTransformer::from_kustomization`]`(&paths, ldr)`
//!   (one transformer for the whole list, only when it is not empty);
//! - `patches:` → [`PatchTransformer::from_kustomization`]`(&entry, ldr)`
//!   for each entry;
//! - `patchesJson6902:` →
//!   [`PatchJson6902Transformer::from_kustomization`]`(&entry, ldr)` for
//!   each entry.
//!
//! Their errors already carry kustomize's "trouble configuring builtin …
//! with config: `…`" prefix. With an `openapi:` schema in force, pass it
//! with `with_schema` (strategic merges only). Plugin configs (`kind:
//! PatchTransformer` etc. under `transformers:`) deserialize into the
//! `*Config` structs and use `new` (`PatchTransformer::configure` takes the
//! config text kustomize quotes in two of its errors).

pub mod apply;
pub mod json6902;
pub mod load;
pub mod patches;
pub mod patches_json6902;
pub mod patches_strategic_merge;
#[cfg(test)]
mod pipeline_tests;
pub mod selector;
pub mod strategic_merge;
#[cfg(test)]
mod testing;

pub use patches::{PatchTransformer, PatchTransformerConfig};
pub use patches_json6902::{PatchJson6902Transformer, PatchJson6902TransformerConfig};
pub use patches_strategic_merge::{
    PatchStrategicMergeTransformer, PatchStrategicMergeTransformerConfig,
};
pub use selector::{LabelSelector, SelectorMatcher, select};
