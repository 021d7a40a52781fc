//! `rustomize check`: schema validation and deployment-safety rules for the
//! objects a kustomization renders.
//!
//! [`check`] takes the resources of one build (or of rendered YAML) and
//! returns a [`Report`]: every object validated against the bundled
//! Kubernetes schemas of the chosen version (custom resources against the
//! CRDs found in the same output), then each rule of [`rules::all`] run on
//! each object. Findings name the object, the field path and the file in
//! the tree the object came from.
//!
//! ```
//! use rustomize_check::{check, Options, Target};
//! use rustomize_engine::Resource;
//!
//! let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {port: 80}\n";
//! let resources: Vec<Resource> = rustomize_yaml::parse_documents(yaml)
//!     .unwrap()
//!     .into_iter()
//!     .map(Resource::new)
//!     .collect();
//! let report = check(&resources, &Target::rendered("cm.yaml"), &Options::default()).unwrap();
//! assert_eq!(report.findings[0].path, "data.port");
//! assert_eq!(report.findings[0].message, "expected a string, got integer 80");
//! ```

// Tests read the rule docs on disk (clippy.toml's disallowed-methods).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod config;
pub mod context;
pub mod finding;
pub mod output;
pub mod rules;
pub mod schema;
pub mod workload;

pub use config::Config;
pub use finding::{Finding, ObjectRef, Report, Severity};

use config::RuleSetting;
use context::{Context, Index};
use rayon::prelude::*;
use rustomize_engine::Resource;
use schema::Store;
use schema::builtin::{self, Builtin};
use schema::crd::CrdSet;
use std::path::PathBuf;

/// The annotation that silences rules on one object: a comma-separated
/// list of rule ids, or `*` for all of them.
pub const IGNORE_ANNOTATION: &str = "check.rustomize.io/ignore";

/// Errors of `check` itself (not findings).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file that cannot be read or is malformed.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong, with the line.
        message: String,
    },
    /// A Kubernetes version with no bundled schemas.
    #[error("{0}")]
    KubernetesVersion(String),
    /// The bundled data is damaged (a bug).
    #[error("{0}")]
    Data(String),
}

/// How to check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--kubernetes-version`; wins over the configuration's.
    pub kubernetes_version: Option<String>,
    /// `--env`; wins over the configuration's environments.
    pub env: Option<String>,
    /// The configuration (rules, environments).
    pub config: Config,
}

impl Options {
    /// The Kubernetes minor these options select.
    pub fn kubernetes_minor(&self) -> Result<&'static str, Error> {
        match self
            .kubernetes_version
            .as_deref()
            .or(self.config.kubernetes_version.as_deref())
        {
            Some(v) => builtin::resolve_minor(v),
            None => Ok(builtin::default_minor()),
        }
    }
}

/// What is being checked.
#[derive(Clone, Debug)]
pub struct Target {
    /// The directory or file, as the user named it.
    pub name: String,
    /// The build root on disk, for directories: origins are relative to it,
    /// and environment paths match it.
    pub dir: Option<PathBuf>,
    /// Whether the objects come from a build that marks generated objects.
    pub provenance: bool,
}

impl Target {
    /// A kustomization directory that was built.
    pub fn built(dir: impl Into<PathBuf>) -> Target {
        let dir = dir.into();
        Target {
            name: dir.display().to_string(),
            dir: Some(dir),
            provenance: true,
        }
    }

    /// Rendered YAML read from a file (`-` for stdin).
    pub fn rendered(name: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            dir: None,
            provenance: false,
        }
    }
}

/// Checks the objects of one target.
pub fn check(resources: &[Resource], target: &Target, opts: &Options) -> Result<Report, Error> {
    let minor = opts.kubernetes_minor()?;
    let builtin = Builtin::get(minor)?;
    let mut store = Store::new(builtin.schemas.clone(), builtin.any);
    let crds = CrdSet::collect(resources, &mut store, builtin.object_meta);
    let cx = Context {
        resources,
        index: Index::new(resources),
        builtin: &builtin,
        store,
        crds,
        provenance: target.provenance,
        env_override: opts.env.clone(),
        target_env: target
            .dir
            .as_deref()
            .and_then(|d| opts.config.env_for_path(d))
            .map(str::to_string),
        config: &opts.config,
    };
    let rules: Vec<(&dyn rules::Rule, Severity)> = rules::all()
        .iter()
        .filter_map(|&rule| match opts.config.rule(rule.id()) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(s)) => Some((rule, s)),
            None => Some((rule, rule.default_severity())),
        })
        .collect();
    let per_object: Vec<Vec<Finding>> = resources
        .par_iter()
        .map(|r| check_object(&cx, &rules, r, target))
        .collect();
    Ok(Report {
        target: target.name.clone(),
        kubernetes_version: minor.to_string(),
        objects: resources.len(),
        findings: per_object.into_iter().flatten().collect(),
    })
}

fn check_object(
    cx: &Context<'_>,
    rules: &[(&dyn rules::Rule, Severity)],
    r: &Resource,
    target: &Target,
) -> Vec<Finding> {
    let ignored = r.annotation(IGNORE_ANNOTATION).unwrap_or("");
    let ignores = |id: &str| {
        ignored
            .split([',', ' ', '\n', '\t'])
            .any(|s| s == id || s == "*" || s == "all")
    };
    let mut out = Vec::new();
    let mut hits = Vec::new();
    for &(rule, severity) in rules {
        if ignores(rule.id()) {
            continue;
        }
        hits.clear();
        rule.check(cx, r, &mut hits);
        for h in hits.drain(..) {
            out.push(Finding {
                rule: rule.id(),
                severity,
                object: ObjectRef {
                    api_version: r.api_version().to_string(),
                    kind: r.kind().to_string(),
                    namespace: r.namespace().to_string(),
                    name: r.name().to_string(),
                },
                path: h.path,
                message: h.message,
                file: file_of(r, target),
                line: Some(r.map().line).filter(|&l| l > 0),
            });
        }
    }
    out
}

/// The file an object came from, as the user would name it.
fn file_of(r: &Resource, target: &Target) -> Option<String> {
    let o = r.meta.origin.as_ref()?;
    if let Some(repo) = &o.repo {
        let at = o
            .git_ref
            .as_deref()
            .map(|g| format!("?ref={g}"))
            .unwrap_or_default();
        return Some(format!("{repo}//{}{at}", o.path));
    }
    Some(match &target.dir {
        Some(d) => config::normalize(&d.join(&o.path)).display().to_string(),
        None => o.path.clone(),
    })
}
