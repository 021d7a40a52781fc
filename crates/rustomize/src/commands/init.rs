//! `rustomize init NAME ...` and `rustomize init --infra ENV ...`: the
//! files are made (`rustomize_release::scaffold`), every overlay is built
//! from memory, and only then is anything written; the files written are
//! listed on stdout, then the command to run next.

use crate::cli::release::InitArgs;
use crate::output;
use anyhow::{Context as _, bail};
use rustomize_engine::BuildOptions;
use rustomize_loader::{DiskFs, FileSystem};
use rustomize_release::overlay::Overlay;
use rustomize_release::scaffold::app::{AppSpec, ArgoCd, ENVIRONMENTS, Workflow};
use rustomize_release::scaffold::infra::{InfraSpec, Seen, check_options};
use rustomize_release::scaffold::{self, File};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Runs `init`.
pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    match &args.infra {
        Some(env) => infra(args, env),
        None => app(args),
    }
}

/// The absolute, clean form of `p`.
fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(rustomize_loader::fs::clean(&cwd.join(p)))
}

/// The top of the Git working tree holding the current directory, else
/// the current directory.
fn top() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(rustomize_release::git::Repo::open(&cwd)
        .map(|r| r.toplevel().to_path_buf())
        .unwrap_or(cwd))
}

/// `files` under `root`, as a file system over the disk.
fn overlay(root: &Path, files: &[File]) -> Arc<dyn FileSystem> {
    let mut o = Overlay::new(Arc::new(DiskFs));
    for f in files {
        o = o.with_file(&root.join(&f.path), f.text.as_bytes());
    }
    Arc::new(o)
}

fn app(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let (Some(name), Some(image)) = (&args.name, &args.image) else {
        bail!("give the app's NAME and --image, or --infra ENV");
    };
    if args.remote.is_some() || args.volume.is_some() || args.app.is_some() {
        bail!("--remote, --app and --volume are options of init --infra");
    }
    let mut spec = AppSpec::new(
        name,
        image,
        args.port,
        &args.health_path,
        &args.state,
        &args.storage,
        args.replicas,
        args.host.as_deref(),
    )?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("deploy/k8s"));
    let root = absolute(&out)?;
    let top = top()?;
    let below = || {
        scaffold::relative_below(&root, &top).with_context(|| {
            format!(
                "{} is outside {}: the workflow and Argo CD name the folder relative to the repository's top",
                out.display(),
                top.display()
            )
        })
    };
    if args.github_actions {
        spec.github_actions = Some(Workflow { dir: below()? });
    }
    if args.argocd {
        let repo_url = match &args.repo_url {
            Some(u) => u.clone(),
            None => origin_url(&top)?,
        };
        scaffold_check_url(&repo_url)?;
        spec.argocd = Some(ArgoCd {
            repo_url,
            dir: below()?,
        });
    }
    let files = spec.files();
    let outside: Vec<File> = spec.workflow().into_iter().collect();
    scaffold::check_free(&out, &files, &top, &outside, args.force)?;
    // Every overlay builds before anything is written.
    let fs = overlay(&root, &files);
    for (env, _) in ENVIRONMENTS {
        let dir = root.join("overlays").join(env);
        rustomize_engine::build(fs.clone(), &dir, &BuildOptions::default()).map_err(|e| {
            anyhow::anyhow!(
                "{}: the overlay init would write does not build ({}); nothing was written",
                out.join("overlays").join(env).display(),
                e.report()
            )
        })?;
    }
    let mut written = scaffold::write(&root, &files, args.force)?;
    written.extend(scaffold::write(&top, &outside, args.force)?);
    let shown = out.display().to_string();
    let mut text = String::new();
    for w in &written {
        text.push_str(&format!("wrote {}\n", show(w)));
    }
    text.push_str(&format!(
        "\nNext: rustomize check {shown}/overlays/*   (then rustomize build {shown}/overlays/dev | kubectl apply -f -)\n"
    ));
    output::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `path` relative to the current directory when it is below it.
fn show(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| scaffold::relative_below(path, &cwd))
        .unwrap_or_else(|| path.display().to_string())
}

fn scaffold_check_url(url: &str) -> anyhow::Result<()> {
    if url.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || "\"'#{}[],&*!|>%`".contains(c))
    {
        bail!("--repo-url {url:?} is not a repository URL (https://github.com/org/app.git)");
    }
    Ok(())
}

/// The URL of the `origin` remote of the repository at `top`.
fn origin_url(top: &Path) -> anyhow::Result<String> {
    let out = std::process::Command::new("git")
        .args(["remote", "get-url", "origin"])
        .current_dir(top)
        .output()
        .context("running git remote get-url origin")?;
    let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || url.is_empty() {
        bail!(
            "--argocd: {} has no origin remote to read the repository URL from; give --repo-url URL",
            top.display()
        );
    }
    Ok(url)
}

fn infra(args: &InitArgs, env: &str) -> anyhow::Result<ExitCode> {
    let (Some(remote), Some(app)) = (&args.remote, &args.app) else {
        bail!("init --infra needs --remote URL//PATH?ref=REF and --app NAME");
    };
    if args.github_actions || args.argocd {
        bail!("--github-actions and --argocd are options of init NAME, not of init --infra");
    }
    let volume = check_options(
        env,
        app,
        remote,
        args.host.as_deref(),
        args.volume.as_deref(),
        args.size.as_deref(),
    )?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(env));
    let root = absolute(&out)?;
    let fetcher = super::fetcher(&args.remote_opts);
    let opts = BuildOptions {
        fetcher: Some(fetcher),
        ..BuildOptions::default()
    };
    // What the app's overlay holds: its namespace, claim and Service.
    let probe = vec![File {
        path: "kustomization.yaml".into(),
        text: format!("resources:\n  - {remote}\n"),
    }];
    let built = rustomize_engine::build(overlay(&root, &probe), &root, &opts).map_err(|e| {
        anyhow::anyhow!(
            "--remote {remote}: the app's overlay does not build: {}",
            e.report()
        )
    })?;
    let seen = Seen::of(built.resources.resources());
    let spec = InfraSpec::new(
        env,
        app,
        remote,
        args.host.as_deref(),
        volume,
        args.size.as_deref(),
        &seen,
    )?;
    let files = spec.files();
    let top = top()?;
    scaffold::check_free(&out, &files, &top, &[], args.force)?;
    rustomize_engine::build(overlay(&root, &files), &root, &opts).map_err(|e| {
        anyhow::anyhow!(
            "{}: the folder init would write does not build ({}); nothing was written",
            out.display(),
            e.report()
        )
    })?;
    // The parent folder's kustomization lists the new folder.
    let parent_edit = parent_edit(&root)?;
    let written = scaffold::write(&root, &files, args.force)?;
    let mut text = String::new();
    for w in &written {
        text.push_str(&format!("wrote {}\n", show(w)));
    }
    if let Some((file, old, new)) = parent_edit {
        rustomize_edit::file::replace_text(&file, &old, &new)
            .with_context(|| format!("adding {} to {}", out.display(), file.display()))?;
        text.push_str(&format!("added {} to {}\n", name_of(&root), show(&file)));
    }
    text.push_str(&format!(
        "\nNext: rustomize check {d}   (then commit it: git add {d} && git commit)\n",
        d = out.display()
    ));
    output::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The parent folder's kustomization file, its text, and its text with
/// the new folder added to `resources:` (`None` without a parent
/// kustomization, or when it lists the folder already).
fn parent_edit(root: &Path) -> anyhow::Result<Option<(PathBuf, String, String)>> {
    let Some(parent) = root.parent() else {
        return Ok(None);
    };
    let Ok(file) = rustomize_edit::file::find(parent) else {
        return Ok(None);
    };
    let bytes = DiskFs
        .read(&file)
        .with_context(|| format!("reading {}", file.display()))?;
    let old = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: not valid UTF-8", file.display()))?;
    let mut k = rustomize_edit::kustomization::Kustomization::parse_as_written(&old)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let name = name_of(root);
    let mut resources = k.strings("resources");
    if resources.iter().any(|r| r.trim_end_matches('/') == name) {
        return Ok(None);
    }
    resources.push(name);
    k.set_strings("resources", resources);
    let new = k
        .render()
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    Ok(Some((file, old, new)))
}
