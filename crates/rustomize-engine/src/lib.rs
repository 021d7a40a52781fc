//! The kustomize-compatible build engine: renders a Kustomize tree exactly
//! as `kustomize build` v5.5 (and `kubectl kustomize`) print it, byte for
//! byte, from the disk, from memory, or from any [`fs::FileSystem`] you
//! implement.
//!
//! # Building a tree
//!
//! [`build`] takes a file system, the kustomization directory and
//! [`BuildOptions`] (kustomize's flags; start from `..Default::default()`),
//! and returns a [`BuildOutput`]: the [`Resource`]s in output order, the
//! warnings kustomize would print on stderr, and [`BuildOutput::to_yaml`],
//! the YAML stream `kustomize build` prints.
//!
//! ```
//! use rustomize_engine::fs::MemFs;
//! use rustomize_engine::{BuildOptions, build};
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
//!
//! - **Files** are read only through the [`fs::FileSystem`] given: [`fs::DiskFs`]
//!   for the disk, [`fs::MemFs`] for a tree held in memory, or your own
//!   (a Git revision, an archive, files laid over a directory). The library
//!   never reads the process's working directory or environment.
//! - **Remote bases** (`github.com/org/app//deploy?ref=v1`) need a fetcher in
//!   [`BuildOptions::fetcher`]: [`remote::GitFetcher`] runs `git` into a cache,
//!   or implement [`remote::RemoteFetcher`]. Without one, a remote entry is an
//!   error.
//! - **Helm charts and KRM functions** run programs only when
//!   [`BuildOptions::plugins`] enables them, as kustomize's flags do.
//! - **Errors** ([`Error`]) name the kustomization file, the entry and,
//!   for YAML, the line; printing the chain joined with `": "` (anyhow's
//!   `{:#}`, or [`Error::report`]) gives kustomize's wording.
//!
//! `examples/embed` in the repository is a complete program, tested to print
//! exactly what `rustomize build` prints for the same tree on disk.
//!
//! # What is stable
//!
//! The crate follows semantic versioning (a 0.x minor release may break, a
//! patch release does not) for the **facade**: [`build`], [`BuildOptions`]
//! (built with `..Default::default()`: new fields are added with defaults
//! that keep today's behaviour), [`BuildOutput`], [`Error`] (non-exhaustive),
//! [`Resource`] and [`ResMap`] for reading the result, [`ResId`], [`Gvk`],
//! [`Order`], [`PluginOptions`], and the re-exported [`fs`], [`remote`],
//! [`LoadRestrictor`], [`LoadError`] and [`yaml`] (the node tree resources
//! are made of). The bytes [`BuildOutput::to_yaml`] returns are kustomize
//! v5.5's; a change there is a bug fix or a new kustomize version, and is
//! said so in the release notes.
//!
//! **Not stable**, public for rustomize's own crates and subject to change in
//! any release: [`kustomization`] (the kustomization file's types, which
//! follow kustomize's), [`StepObserver`] and [`StepInfo`] (the transformer
//! steps as the pipeline runs them), [`resources_from_bytes`],
//! [`list_merge_keys`], [`Report`], [`Origin`], [`BuildMeta`],
//! [`ConfiguredBy`], [`GeneratedFrom`], [`Behavior`]. Everything else is
//! private.
//!
//! # How it works
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
//! (accumulation, the table of steps, the final steps, sorting).

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
mod stack;
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
pub use pipeline::{BuildOptions, BuildOutput, UnmatchedTarget, build, build_two};
pub use stack::{MAX_NESTING, STACK_SIZE, parallel, run_on_large_stack};
pub use steps::openapi::list_merge_keys;
pub use steps::options::{DEFAULT_FUNCTION_TIMEOUT, DEFAULT_HELM_TIMEOUT, PluginOptions};

pub use rustomize_loader::{LoadError, LoadRestrictor};
/// The YAML node tree resources are made of ([`Resource::node`]), its
/// parser and kustomize's emitter: the `rustomize-yaml` crate.
pub use rustomize_yaml as yaml;

pub mod fs {
    //! File systems a build reads through (from `rustomize-loader`).
    //!
    //! [`FileSystem`] is a few methods over absolute paths: read a file,
    //! say what a path is (following links, or not), resolve links, list a
    //! directory. Implement it to build from anything that holds files (a
    //! Git revision, an archive, an overlay of generated files over the
    //! disk); [`MemFs`] holds a tree in memory, [`DiskFs`] is the disk.
    pub use rustomize_loader::fs::{DiskFs, FileKind, FileSystem, MemFs};
}

pub mod remote {
    //! Remote bases (from `rustomize-loader`): [`GitFetcher`] fetches them
    //! with the `git` program into a cache shared by concurrent builds;
    //! implement [`RemoteFetcher`] to serve them another way. Set one in
    //! [`BuildOptions::fetcher`](crate::BuildOptions::fetcher).
    pub use rustomize_loader::remote::{FetchOptions, FetchedRemote, GitFetcher, RefKind, Source};
    pub use rustomize_loader::{RemoteDir, RemoteFetcher};
}

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
