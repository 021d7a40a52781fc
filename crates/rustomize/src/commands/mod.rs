//! One module per subcommand.

mod build;
mod check;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => Ok(check::run(&args)),
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
