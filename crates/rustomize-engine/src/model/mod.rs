//! The model layer: what a build is about, with no step or pipeline in it.
//! Resources and their ids (kinds and their ranks included), the resource
//! map and how resource files are read into it, the kustomization file's
//! types, field paths and field specs.
//!
//! Nothing here names [`crate::steps`] or [`crate::pipeline`]
//! (`tools/check-layers.py` checks it).

pub(crate) mod alias;
pub(crate) mod crds;
pub(crate) mod fieldpath;
pub(crate) mod fieldspec;
pub(crate) mod go_yaml;
pub(crate) mod kustomization;
pub(crate) mod provenance;
pub(crate) mod read;
pub(crate) mod resid;
pub(crate) mod resmap;
pub(crate) mod resource;
