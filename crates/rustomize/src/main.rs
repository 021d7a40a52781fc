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
    let cmd = cli::Cli::command().name(name).bin_name(name);
    if kustomize_argv::as_kustomize() {
        kustomize_argv::kustomize_tree(cmd)
    } else {
        cmd
    }
}

fn main() {
    // The signal handler waits for something to clean up (see `output`).
    rustomize_process::on_first_spawn(output::handle_signals);
    let args = kustomize_argv::args();
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            cli::define_every_subcommand();
            usage::with_tip(e, &command(), &args).exit()
        }
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // The whole command on a thread with a known large stack (output
    // printing and checks recurse as deep as a document nests), which ends
    // the process itself when the command is done.
    rustomize_engine::run_on_large_stack(|| {
        let code = match commands::run(cli, command) {
            Ok(code) => code,
            Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {}", message(&e));
                // An error from deep inside a long chain of bases holds
                // one cause per level: dropping it would recurse as deep,
                // for nothing (the process ends here).
                std::mem::forget(e);
                ExitCode::FAILURE
            }
        };
        exit_now(code)
    })
}

/// Ends the process with `code` from the thread that calls it (stdout is
/// flushed, as `std::process::exit` does): returning to `main` would first
/// end this thread, which makes the allocator collect the thread's memory,
/// and join it, for nothing.
fn exit_now(code: ExitCode) -> ! {
    let status = (0..=u8::MAX)
        .find(|&n| ExitCode::from(n) == code)
        .map_or(1, i32::from);
    std::process::exit(status)
}

/// The error and its causes joined with `: `, as `{:#}` prints them, but a
/// cause whose text its wrapper already ends with is not printed again
/// (some library errors show their source in their own message and also
/// return it from `source()`).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::message;
    use std::fmt;

    #[derive(Debug)]
    struct Inner;

    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("inner problem")
        }
    }

    impl std::error::Error for Inner {}

    /// An error about `file.yaml` caused by `Inner`: `shows` puts the
    /// cause in its own message too (as some library errors do).
    #[derive(Debug)]
    struct Outer {
        shows: bool,
        source: Inner,
    }

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if self.shows {
                write!(f, "file.yaml: {}", self.source)
            } else {
                f.write_str("reading file.yaml")
            }
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn a_cause_is_printed_once() {
        let outer = |shows| {
            anyhow::Error::new(Outer {
                shows,
                source: Inner,
            })
        };
        assert_eq!(message(&outer(true)), "file.yaml: inner problem");
        assert_eq!(message(&outer(false)), "reading file.yaml: inner problem");
        assert_eq!(
            message(&outer(true).context("promoting prod")),
            "promoting prod: file.yaml: inner problem"
        );
    }
}
