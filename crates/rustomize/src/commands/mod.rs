//! One module per subcommand.

mod argocd;
mod build;
mod check;
pub mod completion;
pub mod create;
mod diff;
pub mod edit;
mod explain;
mod flux;
mod init;
mod man;
mod promote;
mod remotes;
mod rollback;
pub mod version;

use crate::cli::{Cli, Command, RemoteArgs};
use rustomize_loader::{FetchOptions, GitFetcher, remote::default_cache_dir};
use std::process::ExitCode;
use std::sync::Arc;

/// The git fetcher for remote bases, configured from the flags. Its
/// warnings (a cache directory it cannot use) go to stderr.
pub fn fetcher(args: &RemoteArgs) -> Arc<GitFetcher> {
    let cache_dir = args.cache_dir.clone().or_else(default_cache_dir);
    Arc::new(GitFetcher::new(FetchOptions {
        no_cache_dir: cache_dir.is_none().then(|| {
            "neither --cache-dir, RUSTOMIZE_CACHE_DIR, XDG_CACHE_HOME nor HOME names one"
                .to_string()
        }),
        cache_dir,
        offline: args.offline,
        refresh: args.refresh,
        on_warning: Some(|w| eprintln!("{w}")),
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
        Command::Diff(args) => Ok(diff::run(&args)),
        Command::Promote(args) => promote::run(&args),
        Command::Rollback(args) => rollback::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Version(args) => version::run(&args),
        Command::Edit(args) => edit::run(&args),
        Command::Create(args) => create::run(&args),
        Command::Completion(args) => {
            crate::cli::define_every_subcommand();
            completion::run(&args, command())
        }
        Command::Argocd(args) => argocd::run(&args),
        Command::Man(args) => {
            crate::cli::define_every_subcommand();
            man::run(&args, command())
        }
    }
}
