//! The pipeline layer: the build, in kustomize's order, in three phases:
//! accumulation ([`target`]), the transformer steps of each kustomization
//! ([`transformers`], a table, with [`observer`]s around each step), and
//! what runs once at the top ([`finish`], and [`sort`]).
//!
//! For one kustomization directory (`accumulate`):
//!
//! 1. `resources` (and the deprecated `bases`): files are parsed, directories
//!    and remote bases are built recursively with a fresh accumulator and
//!    merged in; entries load in parallel, results merge in order;
//! 2. `configurations` and `crds` extend the field specs;
//! 3. generators (`configMapGenerator`, `secretGenerator`, `generators`);
//! 4. `components`, each accumulated into this accumulator;
//! 5. transformers: strategic merge patches, patches, namespace, prefix,
//!    suffix, labels, annotations, JSON 6902 patches, replicas, images,
//!    replacements, then `transformers`;
//! 6. validators, vars.
//!
//! At the top (`build`): hash suffixes, name references, vars, local-config
//! removal, sorting, and the final annotation clean-up.

mod accumulator;
mod builtin;
mod finish;
pub(crate) mod observer;
mod provenance;
mod reuse;
pub(crate) mod sort;
mod target;
mod transformers;

use crate::error::Error;
use crate::model::provenance::{Registry, Table};
use crate::model::resmap::ResMap;
use crate::model::resource::{Origin, Resource};
use crate::steps::openapi::Schema;
pub(crate) use crate::steps::options::PluginOptions;
use observer::{DropEmpty, RecordTransformations, SharedValues, StampProvenance, StepObserver};
use rayon::prelude::*;
use reuse::Role;
use rustomize_loader::{FileSystem, LoadRestrictor, Loader, RemoteFetcher};
use sort::Order;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use target::{Accumulator, Target};

/// Options of a build, mirroring `kustomize build`'s flags.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Which files kustomizations may read.
    pub load_restrictor: LoadRestrictor,
    /// Output order when the kustomization has no `sortOptions`; `None`
    /// means kustomize's default (legacy).
    pub reorder: Option<Order>,
    /// Add `app.kubernetes.io/managed-by` to every resource (also done
    /// when the kustomization's `buildMetadata` has `managedByLabel`).
    pub add_managed_by_label: bool,
    /// The managed-by label's value. `None` is `kustomize-(devel)`, what
    /// `kubectl kustomize` writes (its embedded kustomize has no version);
    /// the standalone kustomize v5.5.0 writes `kustomize-v5.5.0`.
    pub managed_by_value: Option<String>,
    /// Fetcher for remote bases.
    pub fetcher: Option<Arc<dyn RemoteFetcher>>,
    /// Helm and KRM function support.
    pub plugins: PluginOptions,
    /// Paths in messages and warnings are shown relative to this directory
    /// when they are below it (the command line passes its working
    /// directory); `None` shows them as the file system names them. The
    /// library never looks at the process's working directory.
    pub paths_relative_to: Option<PathBuf>,
    /// Called around every transformer step, after the build's own
    /// bookkeeping (see [`StepObserver`]).
    pub observers: Vec<Arc<dyn StepObserver>>,
    /// Build a `resources:` directory again at every visit, as kustomize
    /// does, instead of once per build (see [`build`]). The output is the
    /// same either way; for tests and measurements.
    pub rebuild_shared_dirs: bool,
    /// Record field provenance: for every value of the output, the file,
    /// line and column it was read from or the kustomization entry that
    /// set it last ([`BuildOutput::provenance`]). Off by default; the
    /// output is the same either way.
    pub provenance: bool,
}

/// A patch, replacement or JSON 6902 target that selected nothing, as the
/// build found it (kustomize goes on silently).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnmatchedTarget {
    /// The kustomization file with the entry, as messages show it.
    pub file: String,
    /// The file, for a kustomization of a remote base.
    pub remote: Option<crate::model::provenance::Remote>,
    /// The entry: `patches[1]`, `patchesJson6902[0]`,
    /// `replacements[0].targets[1]`.
    pub field: String,
    /// The entry's 1-based line in the file (0 when unknown).
    pub line: u32,
    /// The entry's 1-based column (0 when unknown).
    pub col: u32,
    /// The selector, as kustomize prints one (`Deployment.[noVer].[noGrp]/web.[noNs]`
    /// or the selector's fields).
    pub selector: String,
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildOutput {
    /// The resources, in output order.
    pub resources: ResMap,
    /// Warnings for stderr (deprecated fields...), in the order kustomize
    /// prints them.
    pub warnings: Vec<String>,
    /// Where every value came from, when [`BuildOptions::provenance`]
    /// asked for it: the table the source ids of the nodes' positions
    /// ([`rustomize_yaml::Pos`]) refer to. Each resource's
    /// [`BuildMeta::kustomizations`](crate::BuildMeta::kustomizations)
    /// lists the kustomizations it passed through.
    pub provenance: Option<Table>,
    /// Patch, replacement and JSON 6902 targets that selected nothing, in
    /// file and entry order.
    pub unmatched: Vec<UnmatchedTarget>,
}

impl BuildOutput {
    /// The YAML stream kustomize prints: documents separated by `---`.
    ///
    /// Documents are printed in parallel, in runs of consecutive resources,
    /// then joined in order; an error names the first resource (in output
    /// order) that cannot be printed.
    pub fn to_yaml(&self) -> Result<String, Error> {
        let pieces = self.to_yaml_pieces()?;
        if pieces.len() == 1 {
            return Ok(pieces.into_iter().next().unwrap_or_default());
        }
        Ok(pieces.concat())
    }

    /// [`to_yaml`](Self::to_yaml) in pieces that, joined in order, are
    /// the stream: for a caller that writes them out one after the other,
    /// without making one string of a large output (12 MB of CRDs).
    pub fn to_yaml_pieces(&self) -> Result<Vec<String>, Error> {
        crate::stack::run_on_large_stack(|| self.print())
    }

    fn print(&self) -> Result<Vec<String>, Error> {
        /// This many resources print in parallel...
        const MANY: usize = 256;
        /// ... and so do fewer that hold this many nodes (a few CRDs: each
        /// of argo-workflows' holds 100,000).
        const LARGE: usize = 20_000;
        let resources = self.resources.resources();
        // A small output prints in this thread (starting the thread pool
        // costs more than printing it).
        let large = resources.len() >= 2
            && rustomize_yaml::limits::holds_at_least(resources.iter().map(|r| &r.node), LARGE);
        if resources.len() < MANY && !large {
            let mut out = String::with_capacity(reserve(resources));
            for (i, r) in resources.iter().enumerate() {
                if i > 0 {
                    out.push_str("---\n");
                }
                rustomize_yaml::emit::write_document(&mut out, &r.node).map_err(|error| {
                    Error::Emit {
                        id: r.cur_id().to_string(),
                        error,
                    }
                })?;
            }
            return Ok(vec![out]);
        }
        let pieces: Vec<Result<String, Error>> = crate::stack::parallel(|| {
            // Runs of 16 at least, unless a few large resources are all
            // there is.
            let min = if resources.len() < MANY { 1 } else { 16 };
            let run = (resources.len() / (rayon::current_num_threads() * 8)).max(min);
            resources
                .par_chunks(run)
                .enumerate()
                .map(|(c, chunk)| {
                    let mut out = String::with_capacity(reserve(chunk));
                    for (i, r) in chunk.iter().enumerate() {
                        if c > 0 || i > 0 {
                            out.push_str("---\n");
                        }
                        rustomize_yaml::emit::write_document(&mut out, &r.node).map_err(
                            |error| Error::Emit {
                                id: r.cur_id().to_string(),
                                error,
                            },
                        )?;
                    }
                    Ok(out)
                })
                .collect()
        });
        pieces.into_iter().collect()
    }
}

/// The bytes to reserve for printing `resources` (with their `---`
/// separators) in one buffer: a CRD prints 1 to 3 MB, which a buffer grown
/// by doubling would copy on the way.
fn reserve(resources: &[Resource]) -> usize {
    resources
        .iter()
        .map(|r| rustomize_yaml::emit::size_hint(&r.node) + 4)
        .sum()
}

/// Builds the kustomization in `dir`, read through `fs` (the disk, a
/// [`MemFs`](rustomize_loader::MemFs), or any other [`FileSystem`], such
/// as one that lays a generated `kustomization.yaml` over a directory).
/// Remote bases are read through the file system their fetcher gives.
///
/// A `resources:` directory reached several times with the same inputs
/// (the base of several overlays one kustomization lists) is built once,
/// unless [`BuildOptions::rebuild_shared_dirs`]: never when its result
/// used a remote base or file, names an OpenAPI schema or gave warnings,
/// nor under plugins, observers, provenance, a remote target or a custom
/// schema.
pub fn build(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
) -> Result<BuildOutput, Error> {
    crate::stack::run_on_large_stack(|| {
        build_tree(fs, dir, opts).map_err(|e| match &opts.paths_relative_to {
            Some(base) => e.paths_relative_to(base),
            None => e,
        })
    })
}

/// Builds the kustomization in `dir` of two versions of one tree, read
/// from `earlier` and from `later` (two Git revisions, say), and returns
/// both results: what [`build`] gives for each, but when the file systems
/// can tell which directories are the same in both
/// ([`FileSystem::content_id`]), the later build takes the results of the
/// unchanged `resources:` directories from the earlier one instead of
/// building them again. A directory's result is shared when every
/// kustomization root that went into it (its bases' and components' too)
/// has the same content in both versions; never when it used a remote base
/// or file, when plugins may run, when any file may be read
/// (`LoadRestrictionsNone`), under a custom OpenAPI schema, or when the
/// caller observes the steps; warnings of a shared sub-build come from the
/// earlier build only. Otherwise the two builds run side by side.
pub fn build_two(
    earlier: Arc<dyn FileSystem>,
    later: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
) -> (Result<BuildOutput, Error>, Result<BuildOutput, Error>) {
    let p = &opts.plugins;
    let shareable = opts.load_restrictor == LoadRestrictor::RootOnly
        && !(p.enable_alpha_plugins || p.enable_exec || p.enable_helm)
        && opts.observers.is_empty()
        // Recorded results carry the places of the other build's
        // provenance table.
        && !opts.provenance
        && earlier.content_id(dir).is_some()
        && later.content_id(dir).is_some();
    let relative = |r: Result<BuildOutput, Error>| {
        r.map_err(|e| match &opts.paths_relative_to {
            Some(base) => e.paths_relative_to(base),
            None => e,
        })
    };
    if !shareable {
        let (a, b) = crate::stack::parallel(|| {
            rayon::join(
                || build(earlier.clone(), dir, opts),
                || build(later.clone(), dir, opts),
            )
        });
        return (a, b);
    }
    let shared = reuse::Shared::new(later.clone());
    // Every result the later build may take is recorded once the earlier
    // build has accumulated its tree: its last steps (mostly serial) run
    // beside the later build.
    let first = accumulate_top(earlier, dir, opts, Some(Role::Record(shared.clone())));
    let (a, b) = crate::stack::parallel(|| {
        rayon::join(
            || first.and_then(|a| finish_top(a, opts)),
            || {
                accumulate_top(later, dir, opts, Some(Role::Take(shared)))
                    .and_then(|a| finish_top(a, opts))
            },
        )
    });
    (relative(a), relative(b))
}

fn build_tree(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
) -> Result<BuildOutput, Error> {
    accumulate_top(fs, dir, opts, None).and_then(|a| finish_top(a, opts))
}

/// A whole tree accumulated, before the steps that run once at the top.
struct Accumulated {
    ctx: Context,
    acc: Accumulator,
    build_metadata: Vec<String>,
    sort_options: Option<crate::model::kustomization::SortOptions>,
}

/// Loads the top kustomization and accumulates the whole tree.
///
/// `resources:` entries load in parallel; when a base or component decides
/// the OpenAPI schema, the tree is accumulated again, entries in order, so
/// that every merge uses the schema kustomize would (a rare case).
fn accumulate_top(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
    reuse: Option<Role>,
) -> Result<Accumulated, Error> {
    let sequential = !opts.observers.is_empty();
    let first = accumulate_tree(fs.clone(), dir, opts, reuse.clone(), sequential)?;
    if sequential || !first.ctx.late_schema.load(Ordering::Relaxed) {
        return Ok(first);
    }
    drop(first);
    if let Some(Role::Record(shared)) = &reuse {
        // Results recorded beside the base that decided may have used the
        // default schema.
        shared.clear();
    }
    accumulate_tree(fs, dir, opts, reuse, true)
}

fn accumulate_tree(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
    reuse: Option<Role>,
    sequential: bool,
) -> Result<Accumulated, Error> {
    // `kustomize build` also takes a remote target (a git URL) as its
    // directory.
    let remote = match (&opts.fetcher, dir.to_str()) {
        (Some(f), Some(text)) if f.is_remote(text) => Some(f.fetch(text)?),
        _ => None,
    };
    let dir = remote.as_ref().map_or(dir, |r| r.dir.as_path());
    // A remote target is read through its fetcher's file system.
    let fs = remote.as_ref().map_or(fs, |r| r.fs.clone());
    let mut ldr = Loader::new(fs, dir, opts.load_restrictor)?;
    if let Some(f) = &opts.fetcher {
        ldr = ldr.with_fetcher(f.clone());
    }
    let ctx = Context {
        paths_relative_to: opts.paths_relative_to.clone(),
        warnings: Mutex::new(Vec::new()),
        schema: OnceLock::new(),
        sequential,
        late_schema: AtomicBool::new(false),
        tracking: OnceLock::new(),
        plugins: opts.plugins.clone(),
        observers: opts.observers.clone(),
        provenance: opts.provenance.then(|| Arc::new(Registry::default())),
        top_remote: remote.as_ref().map(|r| provenance::TopRemote {
            clone_root: r.clone_root.clone(),
            repo: r.repo.clone(),
            git_ref: r.git_ref.clone(),
        }),
        unmatched: Mutex::new(Vec::new()),
        reuse,
    };
    let mut ctx = ctx;
    let p = &opts.plugins;
    if ctx.reuse.is_none()
        && !opts.rebuild_shared_dirs
        && !(p.enable_alpha_plugins || p.enable_exec || p.enable_helm)
        && opts.observers.is_empty()
        && !opts.provenance
        && remote.is_none()
    {
        ctx.reuse = Some(Role::Within(Arc::default()));
    }
    let target = Target::load(ldr, &ctx, Origin::default(), true)?;
    let build_metadata = target.kust.build_metadata.clone();
    let _ = ctx.tracking.set(!build_metadata.is_empty());
    target.set_schema()?;
    if let Some(Role::Within(within)) = &ctx.reuse
        && ctx.shares()
    {
        within.plan(&target.ldr, &target.kust, &ctx);
    }
    let sort_options = target.kust.sort_options.clone();
    let acc = target.accumulate(Accumulator::default());
    drop(target);
    if let Some(Role::Within(within)) = &ctx.reuse {
        within.clear();
    }
    let acc = acc?;
    Ok(Accumulated {
        ctx,
        acc,
        build_metadata,
        sort_options,
    })
}

/// The steps that run once at the top: hash suffixes, name references,
/// vars, local config, sorting, the final annotations.
fn finish_top(a: Accumulated, opts: &BuildOptions) -> Result<BuildOutput, Error> {
    let Accumulated {
        ctx,
        mut acc,
        build_metadata,
        sort_options,
    } = a;
    finish::finish(&mut acc, &ctx)?;
    let order = match &sort_options {
        Some(o) => Order::from_options(o)?,
        None => opts.reorder.clone().unwrap_or_else(Order::legacy),
    };
    sort::sort(&mut acc.rm, &order);
    acc.rm.shrink_to_fit();
    let managed_by = (opts.add_managed_by_label
        || build_metadata.iter().any(|b| b == "managedByLabel"))
    .then(|| {
        opts.managed_by_value
            .as_deref()
            .unwrap_or(finish::DEFAULT_MANAGED_BY)
    });
    finish::decorate(&mut acc.rm, &build_metadata, managed_by)?;
    if let Some(registry) = &ctx.provenance {
        provenance::stamp_build(&mut acc.rm, registry, "set by the build");
    }
    let warnings = ctx.warnings.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut unmatched = ctx
        .unmatched
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    unmatched.sort();
    unmatched.dedup();
    let provenance = ctx.provenance.map(|r| {
        Arc::try_unwrap(r)
            .map(Registry::into_table)
            .unwrap_or_default()
    });
    Ok(BuildOutput {
        resources: acc.rm,
        warnings,
        provenance,
        unmatched,
    })
}

/// Shared state of one build.
struct Context {
    /// See [`BuildOptions::paths_relative_to`].
    paths_relative_to: Option<PathBuf>,
    warnings: Mutex<Vec<String>>,
    /// The OpenAPI schema strategic merges use: decided by the top
    /// kustomization's `openapi:` field, else by the first base or
    /// component (in kustomize's order) that names a schema or a version,
    /// for the rest of the build (kustomize keeps it in a global). Unset:
    /// the builtin one, undecided; `Some(None)`: the builtin one, decided.
    schema: OnceLock<Option<Arc<Schema>>>,
    /// Load `resources:` entries one after the other (in a build redone
    /// because a base decided the schema, or observed step by step).
    sequential: bool,
    /// A base or component decided the schema (see [`Target::set_schema`]).
    late_schema: AtomicBool,
    /// Whether origins and transformations are recorded (the top
    /// kustomization has `buildMetadata`).
    tracking: OnceLock<bool>,
    /// Helm and KRM function support.
    plugins: PluginOptions,
    /// The caller's step observers.
    observers: Vec<Arc<dyn StepObserver>>,
    /// The provenance being recorded, when asked for.
    provenance: Option<Arc<Registry>>,
    /// When the build's own directory is a remote target: where its clone
    /// is, so that its files are named by repository and path.
    top_remote: Option<provenance::TopRemote>,
    /// Targets that selected nothing.
    unmatched: Mutex<Vec<UnmatchedTarget>>,
    /// Sub-builds shared with the other build of a pair ([`build_two`]).
    reuse: Option<Role>,
}

impl Context {
    /// Whether sub-builds may be shared now: only under kustomize's
    /// builtin schema (a custom one would change every merge).
    fn shares(&self) -> bool {
        !matches!(self.schema.get(), Some(Some(_)))
    }

    fn warn(&self, w: String) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(w);
    }

    /// A path as the user would write it: relative to
    /// [`BuildOptions::paths_relative_to`] when below it.
    fn display(&self, path: &Path) -> String {
        if let Some(rel) = self
            .paths_relative_to
            .as_deref()
            .and_then(|base| path.strip_prefix(base).ok())
        {
            return rel.display().to_string();
        }
        path.display().to_string()
    }

    /// The observers of every transformer step, in the order they are
    /// called: shared values, transformation tracking (when the build
    /// records it), dropping emptied resources, field provenance (when
    /// recorded), then the caller's.
    fn observers(&self) -> impl Iterator<Item = &dyn StepObserver> {
        let tracking = self.tracking.get().copied().unwrap_or(false);
        let own: [Option<&dyn StepObserver>; 4] = [
            Some(&SharedValues),
            tracking.then_some(&RecordTransformations as &dyn StepObserver),
            Some(&DropEmpty),
            self.provenance
                .is_some()
                .then_some(&StampProvenance as &dyn StepObserver),
        ];
        own.into_iter().flatten().chain(
            self.observers
                .iter()
                .map(|o| o.as_ref() as &dyn StepObserver),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;
    use rustomize_loader::{LoadError, MemFs};

    /// kubectl-verified: kustomize (panicking) refuses a tree whose patches
    /// give two resources the same id; the check runs once, at the end.
    #[test]
    fn patches_that_make_ids_collide_are_an_error() {
        let files = [
            (
                "kustomization.yaml",
                indoc! {"
                    resources: [cm.yaml]
                    patches:
                    - target: {kind: ConfigMap}
                      patch: |-
                        - {op: replace, path: /metadata/name, value: same}
                "},
            ),
            (
                "cm.yaml",
                indoc! {"
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: a}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: b}
                "},
            ),
        ];
        let err = crate::testing::report(&crate::testing::build_files(&files).unwrap_err());
        assert!(
            err.contains("may not add resource with an already registered id: ConfigMap.v1.[noGrp]/same.[noNs]"),
            "{err}"
        );
    }

    /// Records every step it sees.
    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl StepObserver for Recorder {
        fn after_step(&self, step: &observer::StepInfo<'_>, rm: &mut ResMap) {
            let index = step.index.map_or(String::new(), |i| format!("[{i}]"));
            let line = format!(
                "{} {}{index} in {} ({} resources, in place: {})",
                step.kind,
                step.field,
                step.file,
                rm.len(),
                step.writes_in_place
            );
            self.0.lock().unwrap().push(line);
        }
    }

    /// The steps run in kustomize's order whatever the field order in the
    /// file, one per entry, and an observer sees each with its entry.
    #[test]
    fn observers_see_every_step_in_kustomize_order() {
        let fs = MemFs::new();
        fs.write(
            "/app/kustomization.yaml",
            indoc! {"
                images: [{name: web, newTag: v2}]
                replicas: [{name: web, count: 3}]
                patches:
                - patch: '[{\"op\": \"add\", \"path\": \"/metadata/labels\", \"value\": {}}]'
                  target: {kind: Deployment}
                - path: patch.yaml
                commonAnnotations: {team: a}
                labels: [{pairs: {tier: web}}]
                nameSuffix: -s
                namePrefix: p-
                namespace: prod
                resources: [web.yaml]
            "},
        );
        fs.write(
            "/app/web.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
        );
        fs.write(
            "/app/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {b: x}}\n",
        );
        let recorder = Arc::new(Recorder::default());
        let opts = BuildOptions {
            observers: vec![recorder.clone()],
            paths_relative_to: Some("/".into()),
            ..BuildOptions::default()
        };
        build(Arc::new(fs), Path::new("/app"), &opts).unwrap();
        let seen = recorder.0.lock().unwrap().join("\n");
        let file = "in app/kustomization.yaml (1 resources, in place";
        assert_eq!(
            seen,
            [
                format!("PatchTransformer patches[0] {file}: true)"),
                format!("PatchTransformer patches[1] {file}: true)"),
                format!("NamespaceTransformer namespace {file}: false)"),
                format!("PrefixTransformer namePrefix {file}: false)"),
                format!("SuffixTransformer nameSuffix {file}: false)"),
                format!("LabelTransformer labels[0] {file}: true)"),
                format!("LabelTransformer commonLabels {file}: true)"),
                format!("AnnotationsTransformer commonAnnotations {file}: true)"),
                format!("ReplicaCountTransformer replicas[0] {file}: false)"),
                format!("ImageTagTransformer images[0] {file}: false)"),
            ]
            .join("\n")
        );
    }

    /// The managed-by label's value is an option; kubectl's is the default.
    #[test]
    fn managed_by_value_is_an_option() {
        let fs = Arc::new(MemFs::new());
        fs.write("/app/kustomization.yaml", "resources: [cm.yaml]\n");
        fs.write(
            "/app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        );
        let label = |value: Option<&str>| {
            let opts = BuildOptions {
                add_managed_by_label: true,
                managed_by_value: value.map(String::from),
                ..BuildOptions::default()
            };
            let out = build(fs.clone(), Path::new("/app"), &opts).unwrap();
            let r = &out.resources.resources()[0];
            r.labels()[0].1.clone()
        };
        assert_eq!(label(None), "kustomize-(devel)");
        assert_eq!(label(Some("kustomize-v5.5.0")), "kustomize-v5.5.0");
    }

    /// A file system that lays one generated file over another file
    /// system (what a Flux-like caller does with a generated
    /// `kustomization.yaml`).
    #[derive(Debug)]
    struct Overlay {
        below: MemFs,
        path: PathBuf,
        content: Vec<u8>,
    }

    impl FileSystem for Overlay {
        fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
            if path == self.path {
                return Ok(self.content.clone());
            }
            self.below.read(path)
        }

        fn kind(&self, path: &Path) -> std::io::Result<rustomize_loader::FileKind> {
            if path == self.path {
                return Ok(rustomize_loader::FileKind::File);
            }
            self.below.kind(path)
        }

        fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
            if path == self.path {
                return Ok(self.path.clone());
            }
            self.below.canonicalize(path)
        }

        fn read_dir(&self, path: &Path) -> std::io::Result<Vec<String>> {
            self.below.read_dir(path)
        }
    }

    #[test]
    fn builds_through_a_callers_file_system() {
        let below = MemFs::new();
        below.write(
            "/repo/app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        );
        let fs = Overlay {
            below,
            path: "/repo/app/kustomization.yaml".into(),
            content: b"namespace: prod\nresources: [cm.yaml]\n".to_vec(),
        };
        let out = build(
            Arc::new(fs),
            Path::new("/repo/app"),
            &BuildOptions::default(),
        )
        .unwrap()
        .to_yaml()
        .unwrap();
        assert_eq!(
            out,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod\n"
        );
    }

    /// Serves one remote base from its own in-memory file system.
    #[derive(Debug)]
    struct MemRemote(Arc<MemFs>);

    impl RemoteFetcher for MemRemote {
        fn is_remote(&self, target: &str) -> bool {
            target.starts_with("https://")
        }

        fn fetch(&self, target: &str) -> Result<rustomize_loader::RemoteDir, LoadError> {
            Ok(rustomize_loader::RemoteDir {
                fs: self.0.clone(),
                clone_root: "/clone".into(),
                dir: "/clone/base".into(),
                repo: target.into(),
                git_ref: String::new(),
                commit: "0".repeat(40),
            })
        }
    }

    /// A remote base is read through the file system its fetcher gives,
    /// not the build's.
    #[test]
    fn remote_bases_are_read_through_their_own_file_system() {
        let local = MemFs::new();
        local.write(
            "/app/kustomization.yaml",
            "resources: [https://example.com/org/repo//base]\nnamePrefix: p-\n",
        );
        let remote = MemFs::new();
        remote.write("/clone/base/kustomization.yaml", "resources: [cm.yaml]\n");
        remote.write(
            "/clone/base/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-remote}\n",
        );
        let opts = BuildOptions {
            fetcher: Some(Arc::new(MemRemote(Arc::new(remote)))),
            ..BuildOptions::default()
        };
        let out = build(Arc::new(local), Path::new("/app"), &opts).unwrap();
        assert_eq!(out.resources.resources()[0].name(), "p-from-remote");
    }
}
