//! One module per subcommand.

mod build;
mod check;
pub mod completion;
pub mod create;
pub mod edit;
mod explain;
mod flux;
mod remotes;
pub mod version;

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

/// Runs the parsed command line; `command` gives the clap command tree
/// (for completion scripts).
pub fn run(cli: Cli, command: fn() -> clap::Command) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Remotes(args) => remotes::run(&args),
        Command::Check(args) => Ok(check::run(&args)),
        Command::Explain(args) => explain::run(&args),
        Command::Version(args) => version::run(&args),
        Command::Edit(args) => edit::run(&args),
        Command::Create(args) => create::run(&args),
        Command::Completion(args) => completion::run(&args, command()),
    }
}
