//! `rustomize edit`: kustomize v5.5's `edit` on the kustomization file of
//! the current directory, changing only the bytes the edit needs.

use crate::cli::edit::{AddCommand, EditArgs, EditCommand, PatchFlags, RemoveCommand, SetCommand};
use crate::kustomize_argv::log_line;
use anyhow::{Context as _, bail};
use rustomize_edit::file::{self, EditError};
use rustomize_edit::kustomization::Kustomization;
use rustomize_edit::ops::{
    self, AddMetadataFlags, GeneratorFlags, GeneratorKind, MetadataKind, OpError, Outcome,
    PatchArgs, PathList,
};
use rustomize_loader::{DiskFs, FileKind, FileSystem as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The builtin plugins kustomize lists, in its order.
const BUILTIN_PLUGINS: [&str; 18] = [
    "ConfigMapGenerator",
    "IAMPolicyGenerator",
    "SecretGenerator",
    "HelmChartInflationGenerator",
    "AnnotationsTransformer",
    "LabelTransformer",
    "PatchJson6902Transformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "NamespaceTransformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "ReplacementTransformer",
    "ReplicaCountTransformer",
    "ValueAddTransformer",
];

fn cwd() -> anyhow::Result<PathBuf> {
    std::env::current_dir().context("reading the current directory")
}

fn print_log(outcome: &Outcome) {
    for l in &outcome.log {
        eprintln!("{}", log_line(l));
    }
}

/// Runs an operation on the current directory's kustomization file.
fn edit(
    op: impl FnOnce(&mut Kustomization) -> Result<Outcome, OpError>,
) -> anyhow::Result<ExitCode> {
    let dir = cwd()?;
    let outcome = file::edit(&dir, op).map_err(report)?;
    print_log(&outcome);
    Ok(ExitCode::SUCCESS)
}

fn report(e: EditError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn one(args: &[String], msg: &str) -> anyhow::Result<String> {
    match args {
        [a] => Ok(a.clone()),
        _ => bail!("{msg}"),
    }
}

/// Runs `edit ...`.
pub fn run(args: &EditArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        EditCommand::Add(a) => add(&a.command),
        EditCommand::Set(s) => set(&s.command),
        EditCommand::Remove(r) => remove(&r.command),
        EditCommand::Fix(f) => fix(f.vars),
        EditCommand::ListBuiltin => {
            let mut out = String::from("Builtin plugins:\n\n");
            for p in BUILTIN_PLUGINS {
                out.push_str(&format!(" * {p}\n"));
            }
            crate::output::stdout(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// kustomize's `GlobPatternsWithLoader`: globs expand to the files they
/// match; a pattern matching nothing must be a remote target kustomize's
/// loader can reach (it is fetched, as kustomize clones it, into the
/// remote-base cache) and whose path exists there.
fn glob_with_loader(dir: &Path, patterns: &[String], skip: bool) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        if skip {
            out.push(p.clone());
            continue;
        }
        let found = rustomize_edit::glob::glob(dir, p)
            .map_err(|e| anyhow::anyhow!("error checking the filesystem: {e}"))?;
        if !found.is_empty() {
            out.extend(found);
            continue;
        }
        if rustomize_loader::remote::url::is_remote(p) {
            let fetcher = rustomize_loader::GitFetcher::new(rustomize_loader::FetchOptions {
                cache_dir: rustomize_loader::remote::default_cache_dir(),
                ..rustomize_loader::FetchOptions::default()
            });
            let fetched = fetcher
                .fetch_remote(p)
                .map_err(|e| anyhow::anyhow!("{p} has no match: {e}"))?;
            if DiskFs.kind(&fetched.dir).is_err() {
                bail!(
                    "{p} has no match: {} does not exist in the repository",
                    fetched.path
                );
            }
            out.push(p.clone());
            continue;
        }
        bail!(
            "{p} has no match: must build at directory: not a valid directory: evalsymlink failure on '{p}' : lstat {}: no such file or directory",
            dir.join(p).display()
        );
    }
    Ok(out)
}

/// kustomize's `GlobPatterns`: patterns matching nothing are logged and
/// dropped.
fn glob_logged(dir: &Path, patterns: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        let found = rustomize_edit::glob::glob(dir, p)?;
        if found.is_empty() {
            eprintln!("{}", log_line(&format!("{p} has no match")));
        }
        out.extend(found);
    }
    Ok(out)
}

fn kustomization_name(dir: &Path) -> String {
    file::find(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

fn patch_args(f: &PatchFlags) -> PatchArgs {
    PatchArgs {
        path: f.path.clone(),
        patch: f.patch.clone(),
        target: [
            f.group.clone(),
            f.version.clone(),
            f.kind.clone(),
            f.name.clone(),
            f.namespace.clone(),
            f.annotation_selector.clone(),
            f.label_selector.clone(),
        ],
    }
}

/// `--from-file` sources with globs expanded (kustomize's
/// `ExpandFileSource`).
fn expand_file_sources(dir: &Path, sources: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for s in sources {
        let parts: Vec<&str> = s.split('=').collect();
        let (key, pattern) = if parts.len() == 2 {
            (parts[0], parts[1])
        } else {
            ("", parts[0])
        };
        let found =
            glob_logged(dir, &[pattern.to_string()]).context("failed to expand file source")?;
        if key.is_empty() {
            out.extend(found);
        } else if found.len() == 1 {
            out.push(format!("{key}={}", found[0]));
        } else {
            bail!(
                "failed to expand file source: 'pattern '{s}' catches files [{}], should catch only one",
                found.join(" ")
            );
        }
    }
    Ok(out)
}

fn add(cmd: &AddCommand) -> anyhow::Result<ExitCode> {
    let dir = cwd()?;
    match cmd {
        AddCommand::Resource { rest, no_verify } => {
            if rest.args.is_empty() {
                bail!("must specify a resource file");
            }
            let paths = glob_with_loader(&dir, &rest.args, *no_verify)?;
            if paths.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            let own = kustomization_name(&dir);
            edit(|k| Ok(ops::add_paths(k, PathList::Resources, &paths, &own)))
        }
        AddCommand::Component(rest) => {
            if rest.args.is_empty() {
                bail!("must specify a component file");
            }
            let paths = glob_with_loader(&dir, &rest.args, false)?;
            if paths.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            let own = kustomization_name(&dir);
            edit(|k| Ok(ops::add_paths(k, PathList::Components, &paths, &own)))
        }
        AddCommand::Transformer(rest) | AddCommand::Generator(rest) => {
            let (list, what) = match cmd {
                AddCommand::Transformer(_) => (PathList::Transformers, "transformer"),
                _ => (PathList::Generators, "generator"),
            };
            if rest.args.is_empty() {
                bail!("must specify a yaml file which contains a {what} plugin resource");
            }
            let paths = glob_logged(&dir, &rest.args)?;
            if paths.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            edit(|k| Ok(ops::add_paths(k, list, &paths, "")))
        }
        AddCommand::Base(rest) => {
            let arg = one(&rest.args, "must specify a base directory")?;
            edit(|k| ops::add_bases(k, &arg, |p| DiskFs.kind(&dir.join(p)).is_ok()))
        }
        AddCommand::Patch(flags) => {
            let p = patch_args(flags);
            ops::validate_add_patch(&p)?;
            edit(|k| Ok(ops::add_patch(k, &p)))
        }
        AddCommand::Label {
            rest,
            force,
            without_selector,
            include_templates,
        } => {
            if rest.args.is_empty() {
                bail!("must specify label");
            }
            if !without_selector && *include_templates {
                bail!("--without-selector flag must be specified for --include-templates to work");
            }
            let pairs = ops::key_value_pairs(&rest.args, "label")?;
            let flags = AddMetadataFlags {
                force: *force,
                without_selector: *without_selector,
                include_templates: *include_templates,
            };
            edit(|k| ops::add_metadata(k, MetadataKind::Label, &pairs, flags))
        }
        AddCommand::Annotation { rest, force } => {
            if rest.args.is_empty() {
                bail!("must specify annotation");
            }
            let pairs = ops::key_value_pairs(&rest.args, "annotation")?;
            let flags = AddMetadataFlags {
                force: *force,
                ..AddMetadataFlags::default()
            };
            edit(|k| ops::add_metadata(k, MetadataKind::Annotation, &pairs, flags))
        }
        AddCommand::Configmap(g) | AddCommand::Secret(g) => {
            let kind = if matches!(cmd, AddCommand::Configmap(_)) {
                GeneratorKind::ConfigMap
            } else {
                GeneratorKind::Secret
            };
            let mut flags = GeneratorFlags {
                files: expand_file_sources(&dir, &g.from_file)?,
                literals: g.from_literal.clone(),
                env_file: g.from_env_file.clone(),
                behavior: g.behavior.clone(),
                secret_type: g.secret_type.clone(),
                namespace: g.namespace.clone(),
                disable_name_suffix_hash: g.disable_name_suffix_hash,
                ..GeneratorFlags::default()
            };
            flags.name = ops::validate_add_generator(&flags, &g.rest.args)
                .map_err(|e| anyhow::anyhow!("failed to validate flags: {e}"))?;
            let d = dir.clone();
            edit(move |k| ops::add_generator(k, kind, &flags, &d))
                .map_err(|e| wrap_generator_load(e, "failed to load kustomization file"))
        }
        AddCommand::Buildmetadata(rest) => {
            let opts = ops::build_metadata_args(&rest.args)?;
            edit(|k| ops::add_build_metadata(k, &opts))
        }
    }
}

/// kustomize prefixes missing-file errors of the generator commands.
fn wrap_generator_load(e: anyhow::Error, prefix: &str) -> anyhow::Error {
    let s = e.to_string();
    if s.starts_with("Missing kustomization file") || s.starts_with("Found multiple") {
        anyhow::anyhow!("{prefix}: {s}")
    } else {
        e
    }
}

fn set(cmd: &SetCommand) -> anyhow::Result<ExitCode> {
    let dir = cwd()?;
    match cmd {
        SetCommand::Nameprefix(r) => {
            let v = one(&r.args, "must specify exactly one prefix value")?;
            edit(|k| Ok(ops::set_scalar(k, "namePrefix", &v)))
        }
        SetCommand::Namesuffix(r) => {
            let v = one(&r.args, "must specify exactly one suffix value")?;
            edit(|k| Ok(ops::set_scalar(k, "nameSuffix", &v)))
        }
        SetCommand::Namespace(r) => {
            let v = one(&r.args, "must specify exactly one namespace value")?;
            edit(|k| Ok(ops::set_scalar(k, "namespace", &v)))
        }
        SetCommand::Image(r) => {
            if r.args.is_empty() {
                bail!("no image specified");
            }
            let images = r
                .args
                .iter()
                .map(|a| ops::parse_image(a))
                .collect::<Result<Vec<_>, _>>()?;
            edit(|k| Ok(ops::set_images(k, &images)))
        }
        SetCommand::Replicas(r) => {
            if r.args.is_empty() {
                bail!("no replicas specified");
            }
            let reps = r
                .args
                .iter()
                .map(|a| ops::parse_replica(a))
                .collect::<Result<Vec<_>, _>>()?;
            edit(|k| Ok(ops::set_replicas(k, &reps)))
        }
        SetCommand::Label(r) => {
            if r.args.is_empty() {
                bail!("must specify label");
            }
            let pairs = ops::key_value_pairs(&r.args, "label")?;
            edit(|k| Ok(ops::set_metadata(k, MetadataKind::Label, &pairs)))
        }
        SetCommand::Annotation(r) => {
            if r.args.is_empty() {
                bail!("must specify annotation");
            }
            let pairs = ops::key_value_pairs(&r.args, "annotation")?;
            if pairs.iter().any(|(k, _)| !ops::validate_annotation_key(k)) {
                bail!(
                    "invalid annotation key: see the syntax and character set rules at https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/"
                );
            }
            edit(|k| Ok(ops::set_metadata(k, MetadataKind::Annotation, &pairs)))
        }
        SetCommand::Buildmetadata(r) => {
            let opts = ops::build_metadata_args(&r.args)?;
            edit(|k| Ok(ops::set_build_metadata(k, &opts)))
        }
        SetCommand::Configmap(g) | SetCommand::Secret(g) => {
            let kind = if matches!(cmd, SetCommand::Configmap(_)) {
                GeneratorKind::ConfigMap
            } else {
                GeneratorKind::Secret
            };
            let mut flags = GeneratorFlags {
                literals: g.from_literal.clone(),
                namespace: g.namespace.clone(),
                new_namespace: g.new_namespace.clone(),
                ..GeneratorFlags::default()
            };
            flags.name = ops::validate_set_generator(&flags, &g.rest.args)
                .map_err(|e| anyhow::anyhow!("failed to validate flags: {e}"))?;
            let d = dir.clone();
            edit(move |k| ops::set_generator(k, kind, &flags, &d))
                .map_err(|e| wrap_generator_load(e, "failed to load kustomization file"))
        }
    }
}

fn remove(cmd: &RemoveCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RemoveCommand::Resource(r) => {
            if r.args.is_empty() {
                bail!("must specify a resource file");
            }
            edit(|k| ops::remove_paths(k, PathList::Resources, &r.args))
        }
        RemoveCommand::Transformer(r) => {
            if r.args.is_empty() {
                bail!("must specify a transformer file");
            }
            edit(|k| ops::remove_paths(k, PathList::Transformers, &r.args))
        }
        RemoveCommand::Patch(f) => {
            let p = patch_args(f);
            ops::validate_remove_patch(&p)?;
            edit(|k| Ok(ops::remove_patch(k, &p)))
        }
        RemoveCommand::Label { rest, ignore } | RemoveCommand::Annotation { rest, ignore } => {
            let kind = if matches!(cmd, RemoveCommand::Label { .. }) {
                MetadataKind::Label
            } else {
                MetadataKind::Annotation
            };
            // kustomize words both commands' argument errors as "label".
            match rest.args.len() {
                0 => bail!("must specify label"),
                1 => {}
                _ => bail!("labels must be comma-separated, with no spaces"),
            }
            let mut keys = Vec::new();
            for k in rest.args[0].split(',') {
                if k.is_empty() {
                    bail!("invalid label: '' (name is empty)");
                }
                keys.push(k.to_string());
            }
            edit(|k| ops::remove_metadata(k, kind, &keys, *ignore))
        }
        RemoveCommand::Configmap { rest, namespace }
        | RemoveCommand::Secret { rest, namespace } => {
            let kind = if matches!(cmd, RemoveCommand::Configmap { .. }) {
                GeneratorKind::ConfigMap
            } else {
                GeneratorKind::Secret
            };
            let w = kind.word();
            match rest.args.len() {
                0 => bail!("at least one {w} name must be specified"),
                1 => {}
                _ => bail!(
                    "too many arguments: [{}]; to provide multiple {w}s to remove, please separate {w} names by commas",
                    rest.args.join(" ")
                ),
            }
            let names: Vec<String> = rest.args[0].split(',').map(str::to_string).collect();
            edit(|k| ops::remove_generators(k, kind, &names, namespace, "kustomization.yaml"))
                .map_err(|e| wrap_generator_load(e, "could not read kustomization file"))
        }
        RemoveCommand::Buildmetadata(r) => {
            let opts = ops::build_metadata_args(&r.args)?;
            edit(|k| Ok(ops::remove_build_metadata(k, &opts)))
        }
    }
}

/// Builds the current directory as `kustomize edit fix` does before and
/// after fixing (kustomize's default build options), printing the build's
/// deprecation warnings on stderr as that build does.
fn build_here(dir: &Path) -> Result<String, String> {
    let opts = rustomize_engine::BuildOptions {
        paths_relative_to: Some(dir.to_path_buf()),
        ..rustomize_engine::BuildOptions::default()
    };
    let built = rustomize_engine::build(std::sync::Arc::new(DiskFs), dir, &opts)
        .map_err(|e| e.report().to_string())?;
    for w in &built.warnings {
        eprintln!("{w}");
    }
    built.to_yaml().map_err(|e| e.report().to_string())
}

fn fix(vars: bool) -> anyhow::Result<ExitCode> {
    let dir = cwd()?;
    let before = build_here(&dir);
    let d = dir.clone();
    let outcome = file::edit(&dir, |k| {
        let fixed = ops::fix(k, |p| matches!(DiskFs.kind(&d.join(p)), Ok(FileKind::File)))?;
        if vars {
            ops::vars_to_replacements(k, &d)
        } else {
            Ok(fixed)
        }
    })
    .map_err(report)?;
    print_log(&outcome);
    let mut out = String::from(
        "\nFixed fields:\n  patchesJson6902 -> patches\n  patchesStrategicMerge -> patches\n  commonLabels -> labels\n",
    );
    if vars {
        out.push_str("  vars -> replacements\n");
    } else {
        out.push_str(
            "\nTo convert vars -> replacements, run the command `kustomize edit fix --vars`\n\n\
WARNING: Converting vars to replacements will potentially overwrite many resource files \n\
and the resulting files may not produce the same output when `kustomize build` is run. \n\
We recommend doing this in a clean git repository where the change is easy to undo.\n",
        );
    }
    match (build_here(&dir), before) {
        (Err(e), _) => out.push_str(&format!(
            "Warning: 'Fixed' kustomization now produces the error when running `kustomize build`: {e}\n"
        )),
        (Ok(after), Ok(before)) if after != before => out.push_str(&format!(
            "Warning: 'Fixed' kustomization now produces different output when running `kustomize build`:\n...{after}...\n"
        )),
        (Ok(after), Err(_)) => out.push_str(&format!(
            "Warning: 'Fixed' kustomization now produces different output when running `kustomize build`:\n...{after}...\n"
        )),
        _ => {}
    }
    crate::output::stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
