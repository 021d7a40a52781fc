//! The release workflow of a Kustomize tree, as the deployment plans of
//! small teams write it down, done by editing Git:
//!
//! - **promote**: move an environment's pinned versions (the `?ref=` of the
//!   app's remote bases and the `newTag`/`digest` of its `images:` entries)
//!   to a release, or to another environment's versions ([`promote`]);
//! - **rollback**: the same edit backwards, to the versions the Git history
//!   of the kustomization file had before its latest promotion
//!   ([`history`]), with a note when the rollback crosses a change to
//!   state that does not roll back ([`crossing`]);
//! - **init**: a new app's `base/` and `overlays/`, or an infra
//!   repository's folder for one environment ([`scaffold`]).
//!
//! Edits go through `rustomize-edit`'s lossless pins (every comment and the
//! layout stay); every change is built before anything is written
//! ([`overlay::Overlay`] answers the edited file from memory).

#![warn(unreachable_pub)]

pub mod app;
pub mod crossing;
mod error;
pub mod git;
pub mod history;
pub mod image;
pub mod overlay;
pub mod promote;
pub mod scaffold;
pub mod version;

pub use app::{App, Env, Tools, discover};
pub use error::Error;
pub use promote::{Change, Plan, Target};
