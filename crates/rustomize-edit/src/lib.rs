//! Lossless edits of kustomization files.
//!
//! kustomize's `edit` reads a kustomization into its Go types and writes
//! the whole file back, dropping inline comments and reordering fields.
//! This crate makes the same changes (the same meaning, the same
//! validation, the same errors) but touches only the bytes a change needs:
//! [`cst`] is a concrete syntax tree over the text, [`reconcile`] turns "this
//! field should now hold this value" into byte splices that keep comments,
//! quoting, indentation and line endings, and [`ops`] holds kustomize's
//! operations (`edit add|set|remove`, `fix`, `create`).

pub mod cst;
pub mod doc;
pub mod file;
pub mod glob;
pub mod kustomization;
pub mod ops;
pub mod reconcile;
pub mod render;
pub mod schema;
pub mod value;
