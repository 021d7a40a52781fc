//! One module per subcommand.

mod build;
mod check;
mod diff;
mod remotes;

use crate::cli::{Cli, Command, RemoteArgs};
use rustomize_loader::{FetchOptions, GitFetcher, remote::default_cache_dir};
use std::process::ExitCode;
use std::sync::Arc;

/// The git fetcher for remote bases, configured from the flags.
pub fn fetcher(args: &RemoteArgs) -> Arc<GitFetcher> {
    Arc::new(GitFetcher::new(FetchOptions {
        cache_dir: args.cache_dir.clone().or_else(default_cache_dir),
        offline: args.offline,
        refresh: args.refresh,
        ..FetchOptions::default()
    }))
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Remotes(args) => remotes::run(&args),
        Command::Check(args) => Ok(check::run(&args)),
        Command::Diff(args) => Ok(diff::run(&args)),
        Command::Version(args) => {
            let v = env!("CARGO_PKG_VERSION");
            if args.short {
                println!("v{v}");
            } else {
                println!("rustomize v{v} (kustomize v5.5.0 compatible)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
