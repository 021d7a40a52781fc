//! `rustomize completion bash|zsh|fish|powershell`: a completion script for
//! the whole command tree, under the name the binary runs as.

use clap::{Args, ValueEnum};
use clap_complete::Shell;
use std::process::ExitCode;

/// The shells kustomize generates completion for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// `completion` arguments.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// Writes the script to stdout.
pub fn run(args: &CompletionArgs, mut cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    crate::output::stdout(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}
