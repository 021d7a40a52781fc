//! `rustomize check`: schema validation and deployment-safety rules for the
//! objects a kustomization renders.
//!
//! [`check`] takes the resources of one build (or of rendered YAML) and
//! returns a [`Report`]: every object validated against the bundled
//! Kubernetes schemas of the chosen version (custom resources against the
//! CRDs found in the same output), then each rule (see [`rules`]) run on
//! each object. Findings name the object, the field path and the file in
//! the tree the object came from. [`render`] prints reports as text, JSON,
//! SARIF or GitHub workflow annotations.
//!
//! The crate's surface is what the `rustomize` binary needs: [`check`] and
//! its [`Options`] and [`Target`], the [`Config`] file, the [`Report`] and
//! its [`Finding`]s, [`render`], and [`rules`] to list the rules.
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
//!
//! Layers, each using only those above it in this list: `error`, `finding`,
//! `paths`, `producers`, `config`, `schema`, `workload`, `quantity`,
//! `environment`, `context`, `rules`, `output`, and this file.

// Tests read the rule docs on disk (clippy.toml's disallowed-methods).
#![cfg_attr(test, allow(clippy::disallowed_methods))]
#![warn(unreachable_pub)]

mod config;
mod context;
mod environment;
mod error;
mod finding;
mod location;
mod output;
mod paths;
mod producers;
mod quantity;
mod rules;
mod schema;
#[cfg(test)]
mod testing;
mod workload;

pub use config::{Config, Environment, FILE_NAMES, Glob, RuleSetting};
pub use error::{ConfigError, Error};
pub use finding::{Finding, ObjectRef, Report, Severity};
pub use output::{Format, Outcome, render};
pub use producers::Producer;
pub use rules::RuleInfo;

use context::{Context, Index};
use rayon::prelude::*;
use rustomize_engine::Resource;
use rustomize_loader::FileSystem;
use schema::Store;
use schema::builtin::{self, Builtin};
use schema::crd::CrdSet;
use std::path::{Path, PathBuf};

/// The annotation that silences rules on one object: a comma-separated
/// list of rule ids, or `*` for all of them.
pub const IGNORE_ANNOTATION: &str = "check.rustomize.io/ignore";

/// Every rule: id, severities and summary, in the order findings are
/// reported for an object.
pub fn rules() -> Vec<RuleInfo> {
    rules::all().iter().map(|r| RuleInfo::of(*r)).collect()
}

/// Finds the configuration for a checked directory (see [`Config::find`]),
/// accepting the ids of [`rules`].
pub fn find_config(fs: &dyn FileSystem, dir: &Path) -> Result<Option<Config>, Error> {
    Config::find(fs, dir, &rules::ids())
}

/// Reads a configuration file (see [`Config::load`]), accepting the ids of
/// [`rules`].
pub fn load_config(fs: &dyn FileSystem, path: &Path) -> Result<Config, Error> {
    Config::load(fs, path, &rules::ids())
}

/// Parses configuration text, accepting the ids of [`rules`].
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, &rules::ids())
}

/// How to check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--kubernetes-version`; wins over the configuration's.
    pub kubernetes_version: Option<String>,
    /// `--env`; wins over the configuration's environments.
    pub env: Option<String>,
    /// The configuration (rules, environments, producers).
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

/// Checks the objects of one target: rendered YAML (`-f`), or a build that
/// recorded no provenance. Findings name the field's line in the file the
/// object came from.
///
/// Runs on the engine's threads with a large stack: schema validation
/// recurses over a CRD's schema and the object, both as deep as a YAML
/// document may be.
pub fn check(resources: &[Resource], target: &Target, opts: &Options) -> Result<Report, Error> {
    check_with(resources, None, &[], target, opts)
}

/// Checks the objects of a build. When the build recorded provenance
/// ([`BuildOptions::provenance`](rustomize_engine::BuildOptions::provenance)),
/// every finding names the file and line that set the field (the
/// overlay's `images:` entry, the patch that removed a probe, the base
/// file, `repo@ref:path` for a remote base), and the rules that need the
/// build's own knowledge run (`unmatched-target`).
pub fn check_built(
    built: &rustomize_engine::BuildOutput,
    target: &Target,
    opts: &Options,
) -> Result<Report, Error> {
    check_with(
        built.resources.resources(),
        built.provenance.as_ref(),
        &built.unmatched,
        target,
        opts,
    )
}

fn check_with(
    resources: &[Resource],
    table: Option<&rustomize_engine::provenance::Table>,
    unmatched: &[rustomize_engine::UnmatchedTarget],
    target: &Target,
    opts: &Options,
) -> Result<Report, Error> {
    rustomize_engine::run_on_large_stack(|| check_all(resources, table, unmatched, target, opts))
}

fn check_all(
    resources: &[Resource],
    table: Option<&rustomize_engine::provenance::Table>,
    unmatched: &[rustomize_engine::UnmatchedTarget],
    target: &Target,
    opts: &Options,
) -> Result<Report, Error> {
    let minor = opts.kubernetes_minor()?;
    let builtin = Builtin::get(minor)?;
    let mut store = Store::new(builtin.schemas.clone(), builtin.any);
    let crds = CrdSet::collect(resources, &mut store, builtin.object_meta);
    let mut producers = Producer::builtin();
    producers.extend(opts.config.producers.iter().cloned());
    let cx = Context {
        index: Index::new(resources, &producers),
        builtin: &builtin,
        store,
        crds,
        provenance: target.provenance,
        envs: environment::Chooser::new(opts.env.as_deref(), &opts.config, target),
        table,
        unmatched,
    };
    let rules = rules::all();
    let per_object: Vec<Vec<Finding>> = rustomize_engine::parallel(|| {
        resources
            .par_iter()
            .map(|r| check_object(&cx, rules, &opts.config, r, target))
            .collect()
    });
    let of_build = check_build(&cx, rules, &opts.config);
    let mut assumed: Vec<String> = resources
        .iter()
        .filter_map(|r| cx.envs.of(r))
        .filter_map(|e| e.assumption())
        .collect();
    assumed.sort();
    assumed.dedup();
    Ok(Report {
        target: target.name.clone(),
        kubernetes_version: minor.to_string(),
        objects: resources.len(),
        findings: per_object.into_iter().flatten().chain(of_build).collect(),
        assumed_environments: assumed,
    })
}

fn check_object(
    cx: &Context<'_>,
    rules: &[&dyn rules::Rule],
    config: &Config,
    r: &Resource,
    target: &Target,
) -> Vec<Finding> {
    let ignored = r.annotation(IGNORE_ANNOTATION).unwrap_or("");
    let ignores = |id: &str| {
        ignored
            .split([',', ' ', '\n', '\t'])
            .any(|s| s == id || s == "*" || s == "all")
    };
    let production = cx.is_production(r);
    let mut out = Vec::new();
    let mut hits = Vec::new();
    let object_at = location::of_object(r, cx.table, target);
    for &rule in rules {
        let severity = match config.rule(rule.id()) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(s)) => s,
            None if production => rule.production_severity(),
            None => rule.default_severity(),
        };
        if ignores(rule.id()) {
            continue;
        }
        hits.clear();
        rule.check(cx, r, &mut hits);
        for h in hits.drain(..) {
            let at = location::of_field(r, &h.path, h.at, cx.table, target);
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
                file: at.file,
                line: at.line,
                column: at.column,
                detail: at.detail,
                object_file: object_at.file.clone(),
                object_line: object_at.line,
            });
        }
    }
    out
}

/// The findings about the build itself (its kustomization entries), after
/// those of the objects.
fn check_build(cx: &Context<'_>, rules: &[&dyn rules::Rule], config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut hits = Vec::new();
    for &rule in rules {
        let severity = match config.rule(rule.id()) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(s)) => s,
            None => rule.default_severity(),
        };
        hits.clear();
        rule.check_build(cx, &mut hits);
        for h in hits.drain(..) {
            let line = Some(h.line).filter(|&l| l > 0);
            out.push(Finding {
                rule: rule.id(),
                severity,
                object: ObjectRef {
                    api_version: rustomize_engine::kustomization::KUSTOMIZATION_VERSION.to_string(),
                    kind: "Kustomization".to_string(),
                    namespace: String::new(),
                    // The kustomization's directory: the heading then
                    // reads `overlays/x/kustomization.yaml: Kustomization overlays/x`.
                    name: std::path::Path::new(&h.file)
                        .parent()
                        .map(|d| d.display().to_string())
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| ".".to_string()),
                },
                path: h.path,
                message: h.message,
                file: Some(h.file.clone()),
                line,
                column: Some(h.column).filter(|&c| c > 0),
                detail: None,
                object_file: Some(h.file),
                object_line: None,
            });
        }
    }
    out
}
