//! `rustomize init`.

use crate::cli::release::InitArgs;
use std::process::ExitCode;

/// Runs `init`.
pub fn run(_args: &InitArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("init: not yet")
}
