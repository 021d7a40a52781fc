//! `rustomize diff`: what a change does to the objects that reach the
//! cluster, as a review shows it.
//!
//! [`compare()`] takes the objects of two sides (two builds, or rendered
//! YAML) and returns a [`Comparison`]:
//!
//! - objects are matched by group, kind, namespace and name; a ConfigMap or
//!   Secret whose kustomize hash suffix changed is the same object, renamed;
//!   an object left alone on each side with the same kind and name in
//!   another namespace is the same object, moved;
//! - inside a pair, lists are matched by their merge keys (containers by
//!   name, ports by containerPort and protocol, from kustomize's builtin
//!   schema; else by `name`, `key` or `id`), so reordering is no change and
//!   one changed variable is that variable ([`fields`]);
//! - Secret values (`data`, `stringData`, the last applied configuration,
//!   any annotation holding a value) are redacted before anything is
//!   compared or printed, unless [`Options::show_secrets`]: a value equal
//!   on both sides reads `<redacted>`, any other a short hash of itself.
//!
//! [`Report`] gathers one comparison per target; [`render()`] prints it as
//! text (a summary, then a unified diff or the changed paths per object),
//! markdown for a pull request comment (cut to fit a size limit, saying
//! what it left out) or JSON. `docs/diff.md` describes the formats.
//!
//! ```
//! use rustomize_diff::{compare, Options, Status};
//!
//! let old = rustomize_yaml::parse_documents(
//!     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n\
//!      spec: {template: {spec: {containers: [{name: web, image: 'web:1'}, {name: log, image: log}]}}}\n",
//! ).unwrap();
//! let new = rustomize_yaml::parse_documents(
//!     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n\
//!      spec: {template: {spec: {containers: [{name: log, image: log}, {name: web, image: 'web:2'}]}}}\n",
//! ).unwrap();
//! let diff = compare(&old, &new, &Options::default()).unwrap();
//! assert_eq!(diff.objects[0].status, Status::Changed);
//! assert_eq!(diff.objects[0].fields[0].path.to_string(), "spec.template.spec.containers[web].image");
//! ```

pub mod compare;
pub mod fields;
pub mod id;
pub mod prepare;
pub mod render;
pub mod unified;
pub mod value;

pub use compare::{Comparison, Error, ObjectDiff, Options, Status, compare};
pub use id::ObjectId;
pub use render::{Format, RenderOptions, render};

/// The comparisons of one `rustomize diff` run: one per target.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// What the left side is (`main (merge base of HEAD and origin/main,
    /// 1a2b3c4)`, or a directory).
    pub left: String,
    /// What the right side is (`the working tree`, a revision, a
    /// directory).
    pub right: String,
    /// One entry per target, in the order given.
    pub targets: Vec<Target>,
}

impl Report {
    /// Whether any target differs.
    pub fn has_differences(&self) -> bool {
        self.targets.iter().any(|t| t.comparison.has_differences())
    }
}

/// One target: a directory compared with itself at two revisions, or the
/// two sides of `rustomize diff LEFT RIGHT`.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// The name to show (the directory as given).
    pub name: String,
    /// The left side has no such directory: it counts as empty.
    pub left_missing: bool,
    /// The right side has no such directory.
    pub right_missing: bool,
    /// The differences.
    pub comparison: Comparison,
}
