//! `rustomize`: build Kustomize trees, fast.

/// mimalloc instead of the system allocator: a build makes and drops
/// millions of small strings and nodes on every core, and glibc's malloc
/// spent a quarter of the instructions (and more of the wall time, in arena
/// contention) on the bench tree.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;
mod kustomize_argv;
mod output;
mod usage;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// The command tree under the name the binary runs as (`kustomize` when
/// a symlink or copy of that name runs it).
fn command() -> clap::Command {
    let name = kustomize_argv::program_name();
    cli::Cli::command().name(name).bin_name(name)
}

fn main() -> ExitCode {
    output::handle_signals();
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
            usage::with_tip(e, &command(), &args).exit()
        }
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // The whole command on a thread with a known large stack (output
    // printing and checks recurse as deep as a document nests).
    match rustomize_engine::run_on_large_stack(|| commands::run(cli, command)) {
        Ok(code) => code,
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("Error: {e:#}");
            // An error from deep inside a long chain of bases holds one
            // cause per level: dropping it would recurse as deep, on this
            // thread's small stack, for nothing (the process ends here).
            std::mem::forget(e);
            ExitCode::FAILURE
        }
    }
}
