//! `rustomize rollback ENV_DIR [--to VERSION]`: the pins the Git history of
//! the kustomization file had before its latest promotion (or VERSION),
//! set back with only those fields changed; the diff, and a note when the
//! rollback crosses a change to state that does not roll back.

use super::promote::{Setup, committable, finish};
use crate::cli::release::RollbackArgs;
use rustomize_release::git::Repo;
use rustomize_release::{Env, discover, history, promote};
use std::process::ExitCode;

/// Runs `rollback`.
pub fn run(args: &RollbackArgs) -> anyhow::Result<ExitCode> {
    let setup = Setup::new(&args.change);
    let tools = setup.tools();
    let env = Env::open(&args.dir)?;
    let repo = committable(&env, &args.change)?;
    let app = discover(tools, &env, &args.images)?;
    let (plan, why) = match &args.to {
        Some(version) => {
            let target = promote::target_for_version(tools, &app, version)?;
            (promote::apply(&env, &app, &target, version)?, None)
        }
        None => {
            let git = match &repo {
                Some(r) => r.clone(),
                None => Repo::open(&env.dir)?,
            };
            let previous = history::previous(&git, &env, &app)?;
            let label = previous.pins.label();
            let plan = promote::apply(&env, &app, &previous.pins.target(), &label)?;
            let why = match &previous.promotion {
                Some(c) => format!(
                    "Undoes {} \"{}\": the versions of {}.",
                    c.short(),
                    c.subject,
                    previous.at.short()
                ),
                None => format!(
                    "Undoes uncommitted changes: the versions of {}.",
                    previous.at.short()
                ),
            };
            (plan, Some(why))
        }
    };
    finish(
        &setup,
        &env,
        &plan,
        repo.as_ref(),
        &args.change,
        "rollback",
        why.as_deref(),
        true,
    )
}
