//! The kustomize-compatible build engine.
//!
//! The pipeline, per kustomization (see `docs/ARCHITECTURE.md`): load the
//! kustomization file, accumulate resources (files and bases), merge
//! configurations and CRD field specs, run generators, accumulate
//! components, run transformers in kustomize's order, then at the top:
//! add hash suffixes, fix name references, sort, print.

pub mod alias;
pub mod builtin;
pub mod crds;
pub mod error;
pub mod fieldpath;
pub mod fieldspec;
pub mod function;
pub mod generate;
pub mod gofmt;
pub mod helm;
pub mod kustomization;
pub mod openapi;
pub mod patch;
mod pattern;
pub mod plugin;
pub mod plugin_options;
pub mod resid;
pub mod resmap;
pub mod resource;
mod reuse;
pub mod sort;
pub mod subprocess;
pub mod target;
pub mod transform;

pub use error::Error;
