//! `rustomize create` (alias `init`): kustomize's `create`, writing a new
//! kustomization.yaml in the current directory.

use crate::kustomize_argv::go_bool;
use anyhow::{Context as _, bail};
use clap::{ArgAction, Args};
use rustomize_edit::file;
use rustomize_edit::kustomization::Kustomization;
use std::path::Path;
use std::process::ExitCode;

/// `create` arguments, named as kustomize names them.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name of a file containing a file to add to the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub resources: String,
    /// Set the value of the namespace field in the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namespace: String,
    /// Add one or more common annotations.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub annotations: String,
    /// Add one or more common labels.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub labels: String,
    /// Sets the value of the namePrefix field in the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub nameprefix: String,
    /// Sets the value of the nameSuffix field in the kustomization file.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namesuffix: String,
    /// Search for kubernetes resources in the current directory to be added to the kustomization file.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub autodetect: bool,
    /// Enable recursive directory searching for resource auto-detection.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub recursive: bool,
}

/// Whether a file holds Kubernetes resources (every document a mapping
/// with a kind), as kustomize's resource factory accepts it.
fn is_resource_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match rustomize_yaml::parse_documents(&text) {
        Ok(docs) => {
            let docs: Vec<_> = docs.into_iter().filter(|d| !d.is_null()).collect();
            !docs.is_empty()
                && docs
                    .iter()
                    .all(|d| d.as_map().is_some_and(|m| m.get("kind").is_some()))
        }
        Err(_) => false,
    }
}

/// kustomize's `detectResources`: files of the directory holding
/// resources; with `recursive`, subdirectories too, a subdirectory with a
/// kustomization file added whole.
fn detect(dir: &Path, rel: &str, recursive: bool, out: &mut Vec<String>) -> anyhow::Result<()> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir.join(if rel.is_empty() { "." } else { rel }))
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    names.sort();
    for n in names {
        let path = if rel.is_empty() {
            n.clone()
        } else {
            format!("{rel}/{n}")
        };
        let full = dir.join(&path);
        if full.is_dir() {
            if !recursive {
                continue;
            }
            if file::FILE_NAMES.iter().any(|f| full.join(f).exists()) {
                out.push(path);
                continue;
            }
            detect(dir, &path, recursive, out)?;
        } else if is_resource_file(&full) {
            out.push(path);
        }
    }
    Ok(())
}

fn pairs(input: &str, kind: &str) -> anyhow::Result<Vec<(String, String)>> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let args: Vec<String> = input.split(',').map(str::to_string).collect();
    Ok(rustomize_edit::ops::key_value_pairs(&args, kind)?)
}

/// Runs `create`.
pub fn run(args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let dir = std::env::current_dir().context("reading the current directory")?;
    let mut resources = Vec::new();
    if !args.resources.is_empty() {
        for p in args.resources.split(',') {
            let found = rustomize_edit::glob::glob(&dir, p)?;
            if found.is_empty() && !p.contains("://") && !p.starts_with("github.com/") {
                bail!(
                    "{p} has no match: must build at directory: not a valid directory: evalsymlink failure on '{p}' : lstat {}: no such file or directory",
                    dir.join(p).display()
                );
            }
            if found.is_empty() {
                resources.push(p.to_string());
            }
            resources.extend(found);
        }
    }
    if file::find(&dir).is_ok() {
        bail!("kustomization file already exists");
    }
    if args.autodetect {
        let mut found = Vec::new();
        detect(&dir, "", args.recursive, &mut found)?;
        for r in found {
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
    }
    let mut k = Kustomization::parse("").map_err(|e| anyhow::anyhow!("{e}"))?;
    k.set_strings("resources", resources);
    k.set_string("namespace", &args.namespace);
    k.set_string("namePrefix", &args.nameprefix);
    k.set_string("nameSuffix", &args.namesuffix);
    k.set_string_map("commonAnnotations", pairs(&args.annotations, "annotation")?);
    k.set_string_map("commonLabels", pairs(&args.labels, "label")?);
    let text = k.render().map_err(|e| anyhow::anyhow!("{e}"))?;
    file::create(&dir, &text).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}
