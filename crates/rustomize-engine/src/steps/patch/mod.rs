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

pub(crate) mod apply;
pub(crate) mod json6902;
pub(crate) mod load;
pub(crate) mod patches;
pub(crate) mod patches_json6902;
pub(crate) mod patches_strategic_merge;
#[cfg(test)]
mod pipeline_tests;
pub(crate) mod selector;
pub(crate) mod strategic_merge;
#[cfg(test)]
mod testing;

pub(crate) use patches::{PatchTransformer, PatchTransformerConfig};
pub(crate) use patches_json6902::{PatchJson6902Transformer, PatchJson6902TransformerConfig};
pub(crate) use patches_strategic_merge::{
    PatchStrategicMergeTransformer, PatchStrategicMergeTransformerConfig,
};
pub(crate) use selector::{LabelSelector, select};
