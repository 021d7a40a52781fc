//! The two sides of `rustomize diff`: what they are, and building them.

use super::Pair;
use crate::cli::{Cli, DiffArgs};
use rayon::prelude::*;
use rustomize_engine::BuildOptions;
use rustomize_loader::fs::clean;
use rustomize_loader::{DiskFs, FileKind, FileSystem, GitRepo};
use rustomize_yaml::Node;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One side as given on the command line.
#[derive(Clone, Debug)]
pub(super) enum SideSpec {
    /// A kustomization directory or a remote target.
    Dir(String),
    /// Rendered YAML in a file.
    File(PathBuf),
    /// Rendered YAML on stdin.
    Stdin,
}

/// One side's objects.
pub(super) struct Built {
    /// The objects, in output order.
    pub objects: Vec<Node>,
    /// The build's warnings.
    pub warnings: Vec<String>,
    /// The directory does not exist on this side (it counts as empty).
    pub missing: bool,
}

impl Built {
    fn missing() -> Built {
        Built {
            objects: Vec::new(),
            warnings: Vec::new(),
            missing: true,
        }
    }
}

/// The sides in command-line order: positional SIDEs and `-f` files
/// interleaved as they were written (a positional `-` is stdin, a
/// positional naming a file is rendered YAML).
pub(super) fn ordered(args: &DiffArgs) -> Vec<SideSpec> {
    let positional = |s: &String| {
        if s == "-" {
            SideSpec::Stdin
        } else if matches!(DiskFs.kind(Path::new(s)), Ok(FileKind::File)) {
            SideSpec::File(PathBuf::from(s))
        } else {
            SideSpec::Dir(s.clone())
        }
    };
    let file = |f: &PathBuf| {
        if f.as_os_str() == "-" {
            SideSpec::Stdin
        } else {
            SideSpec::File(f.clone())
        }
    };
    let mut all: Vec<(usize, SideSpec)> = Vec::new();
    match indices(args) {
        Some((p, f)) => {
            all.extend(p.into_iter().zip(args.sides.iter().map(positional)));
            all.extend(f.into_iter().zip(args.files.iter().map(file)));
            all.sort_by_key(|(i, _)| *i);
        }
        None => {
            all.extend(args.sides.iter().map(positional).enumerate());
            let n = all.len();
            all.extend(
                args.files
                    .iter()
                    .map(file)
                    .enumerate()
                    .map(|(i, s)| (n + i, s)),
            );
        }
    }
    all.into_iter().map(|(_, s)| s).collect()
}

/// Where the SIDEs and `-f` values stood on the command line, from a
/// second parse of it (clap's derive types keep no positions); `None` when
/// this process's arguments are not a `diff` command line.
fn indices(args: &DiffArgs) -> Option<(Vec<usize>, Vec<usize>)> {
    use clap::CommandFactory as _;
    let m = Cli::command()
        .try_get_matches_from(std::env::args_os())
        .ok()?;
    let (name, sub) = m.subcommand()?;
    if name != "diff" {
        return None;
    }
    let p: Vec<usize> = sub
        .indices_of("sides")
        .map(Iterator::collect)
        .unwrap_or_default();
    let f: Vec<usize> = sub
        .indices_of("files")
        .map(Iterator::collect)
        .unwrap_or_default();
    (p.len() == args.sides.len() && f.len() == args.files.len()).then_some((p, f))
}

/// `rustomize diff LEFT RIGHT`: both sides built or read, in parallel.
pub(super) fn two(
    specs: &[SideSpec],
    build: &BuildOptions,
) -> Result<(String, String, Vec<Pair>), Vec<String>> {
    let [left, right] = specs else {
        return Err(vec![format!(
            "give two sides (LEFT RIGHT), or directories with --base REV; got {}",
            specs.len()
        )]);
    };
    if matches!((left, right), (SideSpec::Stdin, SideSpec::Stdin)) {
        return Err(vec!["only one side can be read from stdin".into()]);
    }
    let load = |spec: &SideSpec| -> Result<Built, String> {
        match spec {
            SideSpec::Dir(d) => build_dir(Arc::new(DiskFs), Path::new(d), build),
            SideSpec::File(f) => read_rendered(Some(f)),
            SideSpec::Stdin => read_rendered(None),
        }
    };
    let (l, r) = rustomize_engine::parallel(|| rayon::join(|| load(left), || load(right)));
    let (ll, rl) = (left.label(), right.label());
    let mut errors = Vec::new();
    if let Err(e) = &l {
        errors.push(format!("the left side ({ll}): {e}"));
    }
    if let Err(e) = &r {
        errors.push(format!("the right side ({rl}): {e}"));
    }
    match (l, r) {
        (Ok(l), Ok(r)) => {
            let name = format!("{ll} → {rl}");
            Ok((ll, rl, vec![(name, l, r)]))
        }
        _ => Err(errors),
    }
}

/// `rustomize diff DIR... --base REV [--head REV]`.
pub(super) fn git(
    args: &DiffArgs,
    specs: &[SideSpec],
    build: &BuildOptions,
) -> Result<(String, String, Vec<Pair>), Vec<String>> {
    let err = |e: String| vec![e];
    let mut dirs = Vec::new();
    for s in specs {
        match s {
            SideSpec::Dir(d) if !rustomize_loader::looks_remote(d) => dirs.push(d.clone()),
            other => {
                return Err(err(format!(
                    "with --base or --head every side is a directory of the repository, not '{}'",
                    other.label()
                )));
            }
        }
    }
    if dirs.is_empty() {
        dirs.push(".".into());
    }
    let cwd = std::env::current_dir().map_err(|e| err(format!("the working directory: {e}")))?;
    let abs: Vec<PathBuf> = dirs.iter().map(|d| absolute(&cwd, d)).collect();
    let anchor = nearest_dir(&abs[0]);
    let repo = GitRepo::open(&anchor).map_err(|e| err(e.to_string()))?;
    for (d, a) in dirs.iter().zip(&abs) {
        if !a.starts_with(repo.toplevel()) {
            return Err(err(format!(
                "'{d}' is outside the repository at '{}'",
                repo.toplevel().display()
            )));
        }
    }
    let short = |c: &str| c.chars().take(12).collect::<String>();
    let (base_rev, left_label) = match &args.base {
        Some(rev) => {
            let commit = repo.resolve(rev).map_err(|e| err(e.to_string()))?;
            (rev.clone(), format!("{rev} ({})", short(&commit)))
        }
        None => {
            let (how, commit) = repo.default_base().map_err(|e| err(e.to_string()))?;
            let label = format!("{how} ({})", short(&commit));
            (commit, label)
        }
    };
    // Both revisions listed at once.
    let (left, right) = rustomize_engine::parallel(|| {
        rayon::join(
            || repo.at(&base_rev),
            || args.head.as_ref().map(|rev| repo.at(rev)),
        )
    });
    let left_fs: Arc<dyn FileSystem> = Arc::new(left.map_err(|e| err(e.to_string()))?);
    let (right_fs, right_label): (Arc<dyn FileSystem>, String) = match (right, &args.head) {
        (Some(fs), Some(rev)) => {
            let fs = fs.map_err(|e| err(e.to_string()))?;
            let label = format!("{rev} ({})", short(fs.commit()));
            (Arc::new(fs), label)
        }
        _ => (Arc::new(DiskFs), "the working tree".to_string()),
    };
    // Every target at once, each pair of builds sharing what did not
    // change (the engine spreads each build over the cores too).
    let results: Vec<(Result<Built, String>, Result<Built, String>)> =
        rustomize_engine::parallel(|| {
            abs.par_iter()
                .map(|dir| {
                    let present = |fs: &Arc<dyn FileSystem>| has_kustomization(fs.as_ref(), dir);
                    match (present(&left_fs), present(&right_fs)) {
                        (true, true) => {
                            let (l, r) = rustomize_engine::build_two(
                                left_fs.clone(),
                                right_fs.clone(),
                                dir,
                                build,
                            );
                            (built(l), built(r))
                        }
                        (true, false) => {
                            (build_dir(left_fs.clone(), dir, build), Ok(Built::missing()))
                        }
                        (false, true) => (
                            Ok(Built::missing()),
                            build_dir(right_fs.clone(), dir, build),
                        ),
                        (false, false) => (Ok(Built::missing()), Ok(Built::missing())),
                    }
                })
                .collect()
        });
    let mut errors = Vec::new();
    let mut built_sides = Vec::with_capacity(results.len() * 2);
    for (i, (l, r)) in results.into_iter().enumerate() {
        for (result, side, label) in [(l, "left", &left_label), (r, "right", &right_label)] {
            match result {
                Ok(b) => built_sides.push(b),
                Err(e) => errors.push(format!("'{}' on the {side} side ({label}): {e}", dirs[i])),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut pairs = Vec::with_capacity(dirs.len());
    let mut it = built_sides.into_iter();
    for d in &dirs {
        let (Some(l), Some(r)) = (it.next(), it.next()) else {
            break;
        };
        if l.missing && r.missing {
            errors.push(format!(
                "'{d}' is a kustomization directory neither at {left_label} nor in {right_label}"
            ));
        }
        pairs.push((d.clone(), l, r));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((left_label, right_label, pairs))
}

/// The kustomization file names a build looks for.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn has_kustomization(fs: &dyn FileSystem, dir: &Path) -> bool {
    KUSTOMIZATION_FILES
        .iter()
        .any(|f| fs.kind(&dir.join(f)).is_ok_and(|k| k == FileKind::File))
}

fn build_dir(fs: Arc<dyn FileSystem>, dir: &Path, opts: &BuildOptions) -> Result<Built, String> {
    built(rustomize_engine::build(fs, dir, opts))
}

fn built(
    result: Result<rustomize_engine::BuildOutput, rustomize_engine::Error>,
) -> Result<Built, String> {
    let built = result.map_err(|e| e.report().to_string())?;
    let mut resources = built.resources.into_resources();
    let objects = resources
        .iter_mut()
        .map(|r| std::mem::take(&mut r.node))
        .collect();
    // The process ends after the report: freeing every resource's
    // bookkeeping, one allocation at a time, would cost time for nothing.
    std::mem::forget(resources);
    Ok(Built {
        objects,
        warnings: built.warnings,
        missing: false,
    })
}

/// Reads rendered YAML as a build reads a resource file (lists expanded).
fn read_rendered(file: Option<&Path>) -> Result<Built, String> {
    let mut bytes = Vec::new();
    let name = match file {
        Some(f) => {
            bytes = DiskFs
                .read(f)
                .map_err(|e| format!("reading '{}': {e}", f.display()))?;
            f.display().to_string()
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("reading stdin: {e}"))?;
            "<stdin>".to_string()
        }
    };
    let rm = rustomize_engine::resources_from_bytes(&bytes, &name, None)
        .map_err(|e| e.report().to_string())?;
    Ok(Built {
        objects: rm.into_resources().into_iter().map(|r| r.node).collect(),
        warnings: Vec::new(),
        missing: false,
    })
}

/// `dir` made absolute, with the links of its longest existing ancestor
/// resolved (so it compares with the repository's top directory, which
/// git reports resolved) and the rest, which may exist only at a
/// revision, kept as written.
fn absolute(cwd: &Path, dir: &str) -> PathBuf {
    let path = clean(&cwd.join(dir));
    let mut existing = path.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = DiskFs.canonicalize(&existing) {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return path,
        }
    }
}

/// The nearest directory at or above `path` that exists on disk.
fn nearest_dir(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|p| matches!(DiskFs.kind(p), Ok(FileKind::Dir)))
        .unwrap_or(Path::new("/"))
        .to_path_buf()
}
