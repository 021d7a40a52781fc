//! Field provenance: where each value of a build's output came from.
//!
//! Ask for it with [`BuildOptions::provenance`](crate::BuildOptions::provenance);
//! then every node of the output carries a [`Pos`] (a source id, a line and
//! a column) that [`BuildOutput::provenance`](crate::BuildOutput::provenance)'s
//! [`Table`] resolves to a [`Place`]: the file, line and column a value
//! was read from, or the kustomization entry (`images:`, `replicas:`,
//! `namespace:`, `labels:`, a prefix, a patch, a replacement, a generator)
//! that set it last. [`blame`] prints an object as `rustomize build` does,
//! each line with the place of its value; [`locate`] finds a field by
//! path.
//!
//! ```
//! use rustomize_engine::provenance::{blame, locate};
//! use rustomize_engine::{BuildOptions, build};
//! use rustomize_loader::MemFs;
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! let fs = MemFs::new();
//! fs.write("/app/kustomization.yaml", "resources: [cm.yaml]\nnamespace: prod\n");
//! fs.write("/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n");
//! let opts = BuildOptions { provenance: true, paths_relative_to: Some("/".into()), ..BuildOptions::default() };
//! let out = build(Arc::new(fs), Path::new("/app"), &opts)?;
//! let table = out.provenance.as_ref().unwrap();
//! let cm = &out.resources.resources()[0];
//! let ns = locate(&cm.node, "metadata.namespace").unwrap();
//! assert_eq!(table.place(ns.pos()).unwrap().location(), "app/kustomization.yaml:2");
//! let lines = blame(&cm.node).unwrap();
//! assert_eq!(lines[0].text, "apiVersion: v1");
//! assert_eq!(table.place(lines[0].pos).unwrap().location(), "app/cm.yaml:1");
//! # Ok::<(), rustomize_engine::Error>(())
//! ```

mod blame;
mod explain;
mod path;
mod select;
#[cfg(test)]
mod tests;

pub use crate::model::provenance::{FileRef, Place, Remote, SetBy, Source, Table, What};
pub use blame::{BlameLine, blame};
pub use explain::{ExplainError, Explanation, Field, Line, explain};
pub use path::{Located, locate};
pub use rustomize_yaml::Pos;
pub use select::{SelectError, object_name, select};
