//! `rustomize remotes`: the remote bases a tree uses and the commits they
//! resolved to.

use crate::cli::{LoadRestrictorArg, RemotesArgs};
use crate::output;
use rustomize_engine::BuildOptions;
use rustomize_loader::{DiskFs, LoadRestrictor};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// Builds the tree (fetching what it needs) and lists the remotes.
pub fn run(args: &RemotesArgs) -> anyhow::Result<ExitCode> {
    let fetcher = super::fetcher(&args.remote);
    let opts = BuildOptions {
        load_restrictor: match args.load_restrictor {
            LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
            LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
        },
        fetcher: Some(fetcher.clone()),
        paths_relative_to: std::env::current_dir().ok(),
        ..BuildOptions::default()
    };
    rustomize_engine::build(Arc::new(DiskFs), &args.dir, &opts)?;
    let remotes = fetcher.fetched();
    let mut out = String::new();
    if args.json {
        out.push('[');
        for (i, r) in remotes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("\n  {");
            let fields = [
                ("target", r.target.as_str()),
                ("url", r.url.as_str()),
                ("path", r.path.as_str()),
                ("ref", r.git_ref.as_str()),
                ("refKind", r.kind.as_str()),
                ("commit", r.commit.as_str()),
                ("source", &r.source.to_string()),
            ];
            for (j, (k, v)) in fields.iter().enumerate() {
                if j > 0 {
                    out.push_str(", ");
                }
                rustomize_yaml::json::write_string(&mut out, k);
                out.push_str(": ");
                rustomize_yaml::json::write_string(&mut out, v);
            }
            out.push('}');
        }
        out.push_str(if remotes.is_empty() { "]\n" } else { "\n]\n" });
    } else if remotes.is_empty() {
        out.push_str("no remote bases\n");
    } else {
        let width = remotes.iter().map(|r| r.target.len()).max().unwrap_or(0);
        for r in &remotes {
            let reference = if r.git_ref.is_empty() {
                "HEAD"
            } else {
                &r.git_ref
            };
            let _ = writeln!(
                out,
                "{:width$}  {} {} {} ({})",
                r.target,
                r.kind.as_str(),
                reference,
                r.commit,
                r.source
            );
        }
    }
    output::stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
