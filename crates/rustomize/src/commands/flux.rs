//! `--flux` for `build` and `check`: render a Flux Kustomization with
//! `rustomize-flux`.

use crate::cli::{FluxArgs, RemoteArgs};
use anyhow::Context as _;
use rustomize_loader::remote::default_cache_dir;
use std::path::Path;

/// Renders the Flux Kustomization in `file`; its warnings go to stderr.
pub fn render(
    file: &Path,
    args: &FluxArgs,
    remote: &RemoteArgs,
) -> anyhow::Result<rustomize_flux::Rendered> {
    let vars = args
        .vars
        .iter()
        .map(|v| rustomize_flux::values::parse_var(v))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = rustomize_flux::Options {
        root: args.flux_root.clone(),
        name: args.flux_name.clone(),
        substitute_from: args.substitute_from.clone(),
        vars,
        strict: args.strict_substitute,
        search_tree: true,
        fetcher: Some(super::fetcher(remote)),
        allowed_dirs: remote
            .cache_dir
            .clone()
            .or_else(default_cache_dir)
            .into_iter()
            .collect(),
    };
    let rendered = rustomize_flux::render(file, &opts)
        .with_context(|| format!("rendering the Flux Kustomization in {}", file.display()))?;
    for w in &rendered.warnings {
        eprintln!("{w}");
    }
    Ok(rendered)
}
