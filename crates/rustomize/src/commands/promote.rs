//! `rustomize promote ENV_DIR --to VERSION` and `rustomize promote FROM TO`.
//!
//! The app's repository and images are found from the tree
//! (`rustomize_release::discover`), the pins moved in the kustomization's
//! text, the result built, then written (and committed with `--commit`);
//! the diff of the rendered objects is printed last, so nothing on stdout
//! ever describes a change that was not made.

use crate::cli::LoadRestrictorArg;
use crate::cli::release::{ChangeArgs, ChangeFormat, PromoteArgs};
use crate::output;
use anyhow::{Context as _, bail};
use rustomize_engine::BuildOptions;
use rustomize_loader::{GitFetcher, LoadRestrictor};
use rustomize_release::git::Repo;
use rustomize_release::{Env, Plan, Tools, discover, promote};
use std::process::ExitCode;
use std::sync::Arc;

/// The fetcher and build options of a promotion or rollback.
pub(super) struct Setup {
    pub fetcher: Arc<GitFetcher>,
    pub build: BuildOptions,
}

impl Setup {
    pub fn new(args: &ChangeArgs) -> Setup {
        let fetcher = super::fetcher(&args.remote);
        let build = BuildOptions {
            load_restrictor: match args.load_restrictor {
                LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
                LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
            },
            fetcher: Some(fetcher.clone()),
            plugins: args.plugins.options(),
            paths_relative_to: std::env::current_dir().ok(),
            ..BuildOptions::default()
        };
        Setup { fetcher, build }
    }

    pub fn tools(&self) -> Tools<'_> {
        Tools {
            build: &self.build,
            fetcher: &self.fetcher,
        }
    }
}

/// Runs `promote`.
pub fn run(args: &PromoteArgs) -> anyhow::Result<ExitCode> {
    let setup = Setup::new(&args.change);
    let tools = setup.tools();
    let (env, plan, from) = match (args.dirs.as_slice(), &args.to) {
        ([dir], Some(version)) => {
            let env = Env::open(dir)?;
            let repo = committable(&env, &args.change)?;
            let app = discover(tools, &env, &args.images)?;
            let target = promote::target_for_version(tools, &app, version)?;
            let plan = promote::apply(&env, &app, &target, version)?;
            (env, (plan, repo), None)
        }
        ([_], None) => bail!(
            "give the version to promote to (--to VERSION), or two environments FROM_ENV_DIR TO_ENV_DIR"
        ),
        ([_, _], Some(_)) => bail!(
            "--to cannot be used with two environments: TO_ENV_DIR gets FROM_ENV_DIR's versions"
        ),
        ([from_dir, to_dir], None) => {
            let to_env = Env::open(to_dir)?;
            let repo = committable(&to_env, &args.change)?;
            let to_app = discover(tools, &to_env, &args.images)?;
            let from_env = Env::open(from_dir)?;
            let from_app = discover(tools, &from_env, &to_app.images)?;
            let target = promote::target_from(tools, &from_env, &from_app, &to_env, &to_app)?;
            let label = target
                .git_ref
                .clone()
                .filter(|r| !r.is_empty())
                .or_else(|| {
                    target.images.first().and_then(|(_, t)| match t {
                        promote::ImageTarget::Pin(v) => Some(v.to_string()),
                        promote::ImageTarget::Restore(_) => None,
                    })
                })
                .unwrap_or_else(|| "its versions".to_string());
            let plan = promote::apply(&to_env, &to_app, &target, &label)?;
            (to_env, (plan, repo), Some(from_env))
        }
        _ => bail!("give ENV_DIR --to VERSION, or FROM_ENV_DIR TO_ENV_DIR"),
    };
    let (plan, repo) = plan;
    let why = from.map(|f| format!("Versions of {}.", f.dir.display()));
    finish(
        &setup,
        &env,
        &plan,
        repo.as_ref(),
        &args.change,
        "promote",
        why.as_deref(),
        false,
    )
}

/// With `--commit`, the repository of `env`'s file, after checking the
/// file is committed (so the commit holds this change alone).
pub(super) fn committable(env: &Env, args: &ChangeArgs) -> anyhow::Result<Option<Repo>> {
    if !args.commit {
        return Ok(None);
    }
    let repo = Repo::open(&env.dir)?;
    let rel = repo.relative(&env.file)?;
    if !repo.is_committed(&rel)? {
        return Err(rustomize_release::Error::Dirty {
            path: env.file.clone(),
        }
        .into());
    }
    Ok(Some(repo))
}

/// Builds the environment before and after, writes the new text (and
/// commits it), then prints the diff, the notes and what was done.
/// `verb` and `why` make the commit message; `notes` asks for the
/// rollback notes.
#[allow(clippy::too_many_arguments)] // the one place both commands end
pub(super) fn finish(
    setup: &Setup,
    env: &Env,
    plan: &Plan,
    repo: Option<&Repo>,
    args: &ChangeArgs,
    verb: &str,
    why: Option<&str>,
    notes: bool,
) -> anyhow::Result<ExitCode> {
    let shown = env.dir.display().to_string();
    if plan.text == env.text {
        eprintln!("{shown} is already at {}: nothing to change", plan.label);
        return Ok(ExitCode::SUCCESS);
    }
    let before = env.build(&env.text, &setup.build, "as it is")?;
    let after = env
        .build(&plan.text, &setup.build, "after the change")
        .with_context(|| format!("{} is left as it was", env.file.display()))?;
    let objects = |out: rustomize_engine::BuildOutput| -> Vec<rustomize_yaml::Node> {
        out.resources
            .into_resources()
            .into_iter()
            .map(|r| r.node)
            .collect()
    };
    let (before, after) = (objects(before), objects(after));
    let comparison = rustomize_diff::compare(&before, &after, &rustomize_diff::Options::default())
        .with_context(|| format!("comparing {shown} before and after"))?;
    let data_notes = if notes {
        rustomize_release::crossing::notes(&comparison)
    } else {
        Vec::new()
    };
    let report = rustomize_diff::Report {
        left: format!("{shown} as it is"),
        right: format!("{shown} at {}", plan.label),
        targets: vec![rustomize_diff::Target {
            name: shown.clone(),
            left_missing: false,
            right_missing: false,
            comparison,
        }],
    };
    let format = match args.format {
        ChangeFormat::Text => rustomize_diff::Format::Text,
        ChangeFormat::Markdown => rustomize_diff::Format::Markdown,
    };
    let rendered =
        rustomize_diff::render(&report, format, &rustomize_diff::RenderOptions::default());

    let mut done = Vec::new();
    if args.dry_run {
        done.push(format!("dry run: {} not written", env.file.display()));
    } else {
        rustomize_edit::file::replace_text(&env.file, &env.text, &plan.text).map_err(|source| {
            rustomize_release::Error::Edit {
                dir: env.dir.clone(),
                source,
            }
        })?;
        done.push(format!("wrote {}", env.file.display()));
        if let Some(repo) = repo {
            let message = plan.message(verb, &shown, why);
            let rel = repo.relative(&env.file)?;
            match repo.commit_only(&rel, &message) {
                Ok(id) => done.push(format!(
                    "committed {} ({})",
                    &id[..id.len().min(12)],
                    message.lines().next().unwrap_or_default()
                )),
                Err(e) => {
                    // Put the file back: the change is either committed or
                    // not made.
                    let restored =
                        rustomize_edit::file::replace_text(&env.file, &plan.text, &env.text);
                    let how = match restored {
                        Ok(()) => "it is left as it was".to_string(),
                        Err(r) => format!("and restoring it failed too: {r}"),
                    };
                    bail!("{e}; {} was not committed, {how}", env.file.display());
                }
            }
        }
    }
    output::stdout(&rendered)?;
    for c in &plan.changes {
        eprintln!("{c}");
    }
    if !data_notes.is_empty() {
        eprintln!(
            "Note: this rollback crosses changes to state that Git does not roll back; the data on volumes and what Jobs did (migrations) stay as the newer release left them:"
        );
        for n in &data_notes {
            eprintln!("  - {n}");
        }
    }
    for d in done {
        eprintln!("{d}");
    }
    Ok(ExitCode::SUCCESS)
}
