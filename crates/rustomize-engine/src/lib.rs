//! The kustomize-compatible build engine.

pub mod error;
pub mod kustomization;
pub mod resid;
pub mod resmap;
pub mod resource;

pub use error::Error;
