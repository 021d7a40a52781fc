//! The kustomize-compatible build engine.
//!
//! The pipeline, per kustomization (see `docs/ARCHITECTURE.md`): load the
//! kustomization file, accumulate resources (files and bases), merge
//! configurations and CRD field specs, run generators, accumulate
//! components, run transformers in kustomize's order, then at the top:
//! add hash suffixes, fix name references, sort, print.
//!
//! The crate is layered, each layer using only those below it (checked by
//! `tools/check-layers.py`): the model (resources, ids, the resource map,
//! the kustomization file's types, field specs), the steps (transformers,
//! patches, generators, functions, helm, OpenAPI data), the pipeline
//! (accumulation, the table of steps, the final steps, sorting). Only the
//! items below are public.
//!
//! ```
//! use rustomize_engine::{BuildOptions, build};
//! use rustomize_loader::MemFs;
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! let fs = MemFs::new();
//! fs.write("/app/kustomization.yaml", "namePrefix: dev-\nresources: [cm.yaml]\n");
//! fs.write("/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n");
//! let out = build(Arc::new(fs), Path::new("/app"), &BuildOptions::default())?;
//! assert_eq!(
//!     out.to_yaml()?,
//!     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dev-settings\n"
//! );
//! for r in &out.resources {
//!     assert_eq!(r.cur_id().to_string(), "ConfigMap.v1.[noGrp]/dev-settings.[noNs]");
//! }
//! # Ok::<(), rustomize_engine::Error>(())
//! ```

#![warn(unreachable_pub)]
// Tests set up trees on disk; product code goes through a FileSystem
// (clippy.toml's disallowed-methods).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod error;
mod gofmt;
mod model;
mod pattern;
mod pipeline;
pub mod provenance;
mod steps;
#[cfg(test)]
mod testing;

pub use error::{Error, Report};
pub use model::read::resources_from_bytes;
pub use model::resid::{Gvk, ResId, split_api_version};
pub use model::resmap::ResMap;
pub use model::resource::{Behavior, BuildMeta, ConfiguredBy, GeneratedFrom, Origin, Resource};
pub use pipeline::observer::{StepInfo, StepObserver};
pub use pipeline::sort::Order;
pub use pipeline::{BuildOptions, BuildOutput, UnmatchedTarget, build};
pub use steps::openapi::list_merge_keys;
pub use steps::options::{DEFAULT_FUNCTION_TIMEOUT, DEFAULT_HELM_TIMEOUT, PluginOptions};

/// The kustomization file: its names and its types, for tools that read or
/// check one without building it.
pub mod kustomization {
    pub use crate::model::kustomization::{
        COMPONENT_VERSION, FILE_NAMES, FieldSelector, FieldSpecArgs, GeneratorArgs,
        GeneratorOptions, HelmChart, HelmChartArgs, HelmGlobals, Image, KUSTOMIZATION_VERSION,
        Kustomization, Label, LegacySortOptions, ObjectMeta, Patch, Replica, Selector, SortOptions,
        Var, VarTarget, parse,
    };
}
