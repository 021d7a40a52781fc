//! `rustomize`: build Kustomize trees, fast.

/// mimalloc instead of the system allocator: a build makes and drops
/// millions of small strings and nodes on every core, and glibc's malloc
/// spent a quarter of the instructions (and more of the wall time, in arena
/// contention) on the bench tree.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
