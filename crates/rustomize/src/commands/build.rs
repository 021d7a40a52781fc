//! `rustomize build`.

use crate::cli::{BuildArgs, LoadRestrictorArg, ReorderArg};
use crate::kustomize_argv::{deprecated_flag, managed_by_env, managed_by_value};
use crate::output;
use anyhow::Context as _;
use rustomize_engine::BuildOptions;
use rustomize_engine::Order;
use rustomize_loader::{DiskFs, FileKind, FileSystem as _, LoadRestrictor};
use std::process::ExitCode;
use std::sync::Arc;

/// Builds the tree and writes it out; nothing is written unless the whole
/// build succeeded.
pub fn run(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    if let Some(file) = &args.flux {
        return run_flux(file, args);
    }
    let reorder = match args.reorder.as_deref() {
        None => None,
        Some(r) => {
            eprintln!(
                "{}",
                deprecated_flag(
                    "reorder",
                    "use the new 'sortOptions' field in kustomization.yaml instead."
                )
            );
            match r {
                "legacy" => Some(ReorderArg::Legacy),
                "none" => Some(ReorderArg::None),
                other => anyhow::bail!(
                    "illegal flag value --reorder {other}; legal values: [legacy none]"
                ),
            }
        }
    };
    if args.enable_managedby_label {
        eprintln!(
            "{}",
            deprecated_flag(
                "enable-managedby-label",
                "The flag `enable-managedby-label` has been deprecated. Use the `managedByLabel` option in the `buildMetadata` field instead."
            )
        );
    }
    let opts = BuildOptions {
        load_restrictor: match args.load_restrictor {
            LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
            LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
        },
        reorder: reorder.map(|r| match r {
            ReorderArg::Legacy => Order::legacy(),
            ReorderArg::None => Order::Fifo,
        }),
        add_managed_by_label: args.enable_managedby_label || managed_by_env(),
        managed_by_value: Some(managed_by_value()),
        fetcher: Some(super::fetcher(&args.remote)),
        plugins: args.plugins.options(),
        paths_relative_to: std::env::current_dir().ok(),
        provenance: args.provenance,
        ..BuildOptions::default()
    };
    let built = rustomize_engine::build(Arc::new(DiskFs), &args.dir, &opts)?;
    for w in &built.warnings {
        eprintln!("{w}");
    }
    match &args.output {
        Some(path) if DiskFs.kind(path).ok() == Some(FileKind::Dir) => {
            write_individual_files(path, &built)?
        }
        Some(path) => {
            let yaml = built.to_yaml()?;
            output::write_atomic(path, yaml.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => output::stdout_pieces(&built.to_yaml_pieces()?)?,
    }
    // The process ends right after this: freeing the tree node by node
    // would cost a tenth of a large build, for nothing.
    std::mem::forget(built);
    Ok(ExitCode::SUCCESS)
}

/// `build --flux`: what Flux would apply, as `flux build kustomization`
/// prints it.
fn run_flux(file: &std::path::Path, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let rendered = super::flux::render(file, &args.flux_opts, &args.remote)?;
    match &args.output {
        Some(path) if matches!(DiskFs.kind(path), Ok(FileKind::Dir)) => {
            anyhow::bail!("--flux writes one stream: give -o a file, not a directory")
        }
        Some(path) => output::write_atomic(path, rendered.yaml.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => output::stdout(&rendered.yaml)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// One file per resource, named as kustomize names them
/// (`[namespace_]group_version_kind_name.yaml`, lower case).
fn write_individual_files(
    dir: &std::path::Path,
    built: &rustomize_engine::BuildOutput,
) -> anyhow::Result<()> {
    let resources = built.resources.resources();
    let namespaces: std::collections::BTreeSet<String> = resources
        .iter()
        .filter(|r| !r.gvk().is_cluster_scoped())
        .map(|r| r.cur_id().effective_namespace().to_string())
        .collect();
    let mut files = Vec::with_capacity(resources.len());
    for r in resources {
        let gvk = r.gvk();
        let parts: Vec<&str> = [gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let mut name = format!("{}_{}.yaml", parts.join("_"), r.name()).to_lowercase();
        if !gvk.is_cluster_scoped() && namespaces.len() > 1 {
            name = format!("{}_{name}", r.cur_id().effective_namespace().to_lowercase());
        }
        let yaml =
            rustomize_yaml::emit::to_string(&r.node).with_context(|| r.cur_id().to_string())?;
        files.push((dir.join(name), yaml));
    }
    for (path, yaml) in files {
        output::write_atomic(&path, yaml.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
