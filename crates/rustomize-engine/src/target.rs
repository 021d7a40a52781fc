//! The build pipeline, in kustomize's order.
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

use crate::builtin::{self, Plugin};
use crate::error::{Error, ResultExt};
use crate::fieldspec::TransformerConfig;
use crate::function::ExecFunction;
use crate::generate::{Absorber, ConfigMapGenerator, HashTransformer, SecretGenerator};
use crate::helm::HelmChartInflationGenerator;
use crate::kustomization::{self, Kustomization};
use crate::openapi::Schema;
use crate::patch::{PatchJson6902Transformer, PatchStrategicMergeTransformer, PatchTransformer};
use crate::plugin::{Generator, Transformer};
pub use crate::plugin_options::PluginOptions;
use crate::resmap::ResMap;
use crate::resource::{ConfiguredBy, Origin, Resource};
use crate::reuse::Role;
use crate::sort::{self, Order};
use crate::transform::annotations::AnnotationsTransformer;
use crate::transform::images::ImageTagTransformer;
use crate::transform::labels::LabelTransformer;
use crate::transform::name_reference::NameReferenceTransformer;
use crate::transform::namespace::NamespaceTransformer;
use crate::transform::prefix_suffix::{PrefixTransformer, SuffixTransformer};
use crate::transform::replacements::ReplacementTransformer;
use crate::transform::replicas::ReplicaCountTransformer;
use crate::transform::vars;
use rayon::prelude::*;
use rustomize_loader::{FileSystem, LoadError, LoadRestrictor, Loader, RemoteFetcher};
use rustomize_yaml::Node;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Options of a build, mirroring `kustomize build`'s flags.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Which files kustomizations may read.
    pub load_restrictor: LoadRestrictor,
    /// Output order when the kustomization has no `sortOptions`; `None`
    /// means kustomize's default (legacy).
    pub reorder: Option<Order>,
    /// Add `app.kubernetes.io/managed-by: kustomize-<version>` to every
    /// resource.
    pub add_managed_by_label: bool,
    /// Fetcher for remote bases.
    pub fetcher: Option<Arc<dyn RemoteFetcher>>,
    /// Helm and KRM function support.
    pub plugins: PluginOptions,
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildOutput {
    /// The resources, in output order.
    pub resources: ResMap,
    /// Warnings for stderr (deprecated fields...), in the order kustomize
    /// prints them.
    pub warnings: Vec<String>,
}

impl BuildOutput {
    /// The YAML stream kustomize prints: documents separated by `---`.
    ///
    /// Documents are printed in parallel, in runs of consecutive resources,
    /// then joined in order; an error names the first resource (in output
    /// order) that cannot be printed.
    pub fn to_yaml(&self) -> Result<String, Error> {
        let resources = self.resources.resources();
        let run = (resources.len() / (rayon::current_num_threads() * 8)).max(16);
        let pieces: Vec<Result<String, Error>> = resources
            .par_chunks(run)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = String::with_capacity(chunk.len() * 1024);
                for (i, r) in chunk.iter().enumerate() {
                    if c > 0 || i > 0 {
                        out.push_str("---\n");
                    }
                    rustomize_yaml::emit::write_document(&mut out, &r.node).map_err(|error| {
                        Error::Emit {
                            id: r.cur_id().to_string(),
                            error,
                        }
                    })?;
                }
                Ok(out)
            })
            .collect();
        let mut out = String::with_capacity(
            pieces
                .iter()
                .map(|p| p.as_ref().map_or(0, String::len))
                .sum(),
        );
        for piece in pieces {
            out.push_str(&piece?);
        }
        Ok(out)
    }
}

/// Builds the kustomization in `dir`.
pub fn build(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
) -> Result<BuildOutput, Error> {
    build_with(fs, dir, opts, None)
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
/// (`LoadRestrictionsNone`) or under a custom OpenAPI schema; warnings of a
/// shared sub-build come from the earlier build only. Otherwise the two
/// builds run side by side.
pub fn build_two(
    earlier: Arc<dyn FileSystem>,
    later: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
) -> (Result<BuildOutput, Error>, Result<BuildOutput, Error>) {
    let p = &opts.plugins;
    let shareable = opts.load_restrictor == LoadRestrictor::RootOnly
        && !(p.enable_alpha_plugins || p.enable_exec || p.enable_helm)
        && earlier.content_id(dir).is_some()
        && later.content_id(dir).is_some();
    if !shareable {
        return rayon::join(
            || build(earlier.clone(), dir, opts),
            || build(later.clone(), dir, opts),
        );
    }
    let shared = crate::reuse::Shared::new(later.clone());
    // Every result the later build may take is recorded once the earlier
    // build has accumulated its tree: its last steps (mostly serial) run
    // beside the later build.
    let first = accumulate_top(earlier, dir, opts, Some(Role::Record(shared.clone())));
    rayon::join(
        || first.and_then(|a| finish_top(a, opts)),
        || build_with(later, dir, opts, Some(Role::Take(shared))),
    )
}

fn build_with(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
    reuse: Option<Role>,
) -> Result<BuildOutput, Error> {
    accumulate_top(fs, dir, opts, reuse).and_then(|a| finish_top(a, opts))
}

/// A whole tree accumulated, before the steps that run once at the top.
struct Accumulated {
    ctx: Context,
    acc: Accumulator,
    build_metadata: Vec<String>,
    sort_options: Option<kustomization::SortOptions>,
}

/// Loads the top kustomization and accumulates the whole tree.
fn accumulate_top(
    fs: Arc<dyn FileSystem>,
    dir: &Path,
    opts: &BuildOptions,
    reuse: Option<Role>,
) -> Result<Accumulated, Error> {
    // `kustomize build` also takes a remote target (a git URL) as its
    // directory.
    let remote = match (&opts.fetcher, dir.to_str()) {
        (Some(f), Some(text)) if f.is_remote(text) => Some(f.fetch(text)?),
        _ => None,
    };
    let dir = remote.as_ref().map_or(dir, |r| r.dir.as_path());
    let mut ldr = Loader::new(fs, dir, opts.load_restrictor)?;
    if let Some(f) = &opts.fetcher {
        ldr = ldr.with_fetcher(f.clone());
    }
    let ctx = Context {
        display_base: dir.to_path_buf(),
        cwd: std::env::current_dir().ok(),
        warnings: Mutex::new(Vec::new()),
        schema: OnceLock::new(),
        tracking: OnceLock::new(),
        plugins: opts.plugins.clone(),
        reuse,
    };
    let target = Target::load(ldr, &ctx, Origin::default(), true)?;
    let build_metadata = target.kust.build_metadata.clone();
    let _ = ctx.tracking.set(!build_metadata.is_empty());
    target.set_schema()?;
    let sort_options = target.kust.sort_options.clone();
    let acc = target.accumulate(Accumulator::default())?;
    drop(target);
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
    finish(&mut acc, &ctx)?;
    let order = match &sort_options {
        Some(o) => Order::from_options(o)?,
        None => opts.reorder.clone().unwrap_or_else(Order::legacy),
    };
    sort::sort(&mut acc.rm, &order);
    let has = |o: &str| build_metadata.iter().any(|b| b == o);
    let managed_by = has("managedByLabel") || opts.add_managed_by_label;
    for r in acc.rm.resources_mut() {
        strip_build_annotations(r);
        if has("originAnnotations")
            && let Some(origin) = r.meta.origin.clone()
        {
            set_annotation(r, "config.kubernetes.io/origin", origin.to_yaml());
        }
        if has("transformerAnnotations") && !r.meta.transformations.is_empty() {
            let text = Origin::list_to_yaml(&r.meta.transformations);
            set_annotation(r, "alpha.config.kubernetes.io/transformations", text);
        }
        if managed_by {
            let mut labels = r.labels();
            labels.retain(|(k, _)| k != "app.kubernetes.io/managed-by");
            // kubectl's embedded kustomize reports its version as "(devel)".
            labels.push((
                "app.kubernetes.io/managed-by".into(),
                "kustomize-(devel)".into(),
            ));
            r.set_string_map("labels", labels);
        }
        normalize_annotations(r);
    }
    let warnings = ctx.warnings.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(BuildOutput {
        resources: acc.rm,
        warnings,
    })
}

/// Steps that run once, after the whole tree is accumulated.
fn finish(acc: &mut Accumulator, ctx: &Context) -> Result<(), Error> {
    HashTransformer.transform(&mut acc.rm)?;
    NameReferenceTransformer::new(acc.config.name_reference.clone()).transform(&mut acc.rm)?;
    let unused = vars::resolve(&mut acc.rm, &acc.vars, &acc.config.var_reference)?;
    if !unused.is_empty() {
        ctx.warn(format!(
            "well-defined vars that were never replaced: {}",
            unused.join(",")
        ));
    }
    // kustomize's IgnoreLocal: the resources that are not local config
    // go into a new resource map, where two with the same current id
    // (renamed alike by patches, say) are an error.
    let mut kept = ResMap::new();
    for r in std::mem::take(&mut acc.rm).into_resources() {
        if !r.is_local_config() {
            kept.append(r)?;
        }
    }
    acc.rm = kept;
    Ok(())
}

/// Annotations kustomize uses for its own bookkeeping and removes before
/// printing, even when an input file carries them.
const BUILD_ANNOTATIONS: [&str; 20] = [
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    "internal.config.kubernetes.io/needsHashSuffix",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
    "config.kubernetes.io/origin",
    "alpha.config.kubernetes.io/transformations",
];

fn strip_build_annotations(r: &mut Resource) {
    if let Some(Node::Map(m)) = r.node.get_path_mut(&["metadata", "annotations"]) {
        m.entries
            .retain(|e| !BUILD_ANNOTATIONS.contains(&e.key.value.as_str()));
    }
}

fn set_annotation(r: &mut Resource, key: &str, value: String) {
    let mut annotations = r.annotations();
    annotations.retain(|(k, _)| k != key);
    annotations.push((key.to_string(), value));
    r.set_string_map("annotations", annotations);
}

/// kustomize rewrites `metadata.annotations` of every resource when it
/// strips its bookkeeping: values become strings, and an empty map is
/// removed.
fn normalize_annotations(r: &mut Resource) {
    let Some(meta) = r.node.get_mut("metadata").and_then(Node::as_map_mut) else {
        return;
    };
    match meta.get_mut("annotations") {
        None => {}
        Some(Node::Map(m)) if !m.is_empty() => {
            for e in &mut m.entries {
                if let Node::Scalar(s) = &mut e.value {
                    // Rewritten as new plain strings: a folded block's
                    // style (and its re-reading quirk) is gone.
                    s.tag = rustomize_yaml::Tag::Str;
                    s.style = rustomize_yaml::Style::Plain;
                }
            }
        }
        Some(_) => {
            meta.remove("annotations");
        }
    }
}

/// Shared state of one build.
struct Context {
    /// Paths in messages are shown relative to this directory's parent
    /// chain when possible.
    display_base: PathBuf,
    /// The working directory when the build started.
    cwd: Option<PathBuf>,
    warnings: Mutex<Vec<String>>,
    /// The OpenAPI schema strategic merges use: set by the top
    /// kustomization's `openapi:` field, else by the first base that has
    /// one, for the rest of the build (kustomize keeps it in a global).
    schema: OnceLock<Option<Arc<Schema>>>,
    /// Whether origins and transformations are recorded (the top
    /// kustomization has `buildMetadata`).
    tracking: OnceLock<bool>,
    /// Helm and KRM function support.
    plugins: PluginOptions,
    /// Sub-builds shared with the other build of a pair ([`build_two`]).
    reuse: Option<Role>,
}

impl Context {
    /// Whether sub-builds may be shared now: only under kustomize's
    /// builtin schema (a custom one would change every merge).
    fn shares(&self) -> bool {
        matches!(self.schema.get(), Some(None))
    }

    fn warn(&self, w: String) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(w);
    }
}

/// What accumulates while a kustomization tree is built.
#[derive(Clone, Default)]
pub struct Accumulator {
    /// The resources so far.
    pub rm: ResMap,
    /// The merged field specs (shared: most trees use the default tables
    /// everywhere).
    pub config: Arc<TransformerConfig>,
    /// Vars declared so far, by name.
    pub vars: BTreeMap<String, kustomization::Var>,
    /// The root of every kustomization that went into it (bases and
    /// components too), for sharing results with [`build_two`].
    pub(crate) roots: Vec<PathBuf>,
    /// Something went into it that no root's content covers (a remote
    /// base or file): it is never shared.
    pub(crate) opaque: bool,
}

impl Accumulator {
    fn merge(&mut self, other: Accumulator) -> Result<(), Error> {
        self.rm.append_all(other.rm)?;
        self.roots.extend(other.roots);
        self.opaque |= other.opaque;
        // Both are built by merges, so canonical.
        TransformerConfig::merge_canonical(&mut self.config, &other.config)?;
        vars::merge_set(&mut self.vars, other.vars.into_values())
    }
}

/// One loaded kustomization.
struct Target<'c> {
    ldr: Loader,
    kust: Kustomization,
    /// The kustomization file, for messages.
    file: String,
    /// Where this root is, relative to the build root (and in which
    /// remote repository), for origins.
    origin: Origin,
    /// Whether this is the kustomization the build started in.
    is_top: bool,
    /// Whether this is a `resources:` directory, whose result a shared
    /// build may record.
    recorded: bool,
    ctx: &'c Context,
}

impl<'c> Target<'c> {
    fn load(ldr: Loader, ctx: &'c Context, origin: Origin, is_top: bool) -> Result<Self, Error> {
        let mut found = Vec::new();
        for name in kustomization::FILE_NAMES {
            match ldr.load(name) {
                Ok(bytes) => found.push((name, bytes)),
                Err(LoadError::NotFound(_) | LoadError::IsADir(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let (name, bytes) = match found.len() {
            1 => found.remove(0),
            0 => {
                return Err(Error::msg(format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                    ctx.display(ldr.root())
                )));
            }
            _ => {
                return Err(Error::msg(format!(
                    "found multiple kustomization files under: {}",
                    ctx.display(ldr.root())
                )));
            }
        };
        let file = ctx.display(&ldr.root().join(name));
        let text =
            String::from_utf8(bytes).map_err(|_| Error::msg(format!("{file}: not valid UTF-8")))?;
        let (kust, warnings) = kustomization::parse(&text, &file)?;
        for w in warnings {
            ctx.warn(w);
        }
        Ok(Target {
            ldr,
            kust,
            file,
            origin,
            is_top,
            recorded: false,
            ctx,
        })
    }

    /// Applies this kustomization's `openapi:` field to the build, unless a
    /// schema is already in force.
    fn set_schema(&self) -> Result<(), Error> {
        let field = &self.kust.openapi;
        if field.is_empty() && self.is_top {
            // The top kustomization always decides, even for the default.
            let _ = self.ctx.schema.set(None);
            return Ok(());
        }
        if field.is_empty() || self.ctx.schema.get().is_some() {
            return Ok(());
        }
        let schema = match (field.get("path"), field.get("version")) {
            (Some(_), Some(_)) => {
                return Err(Error::msg(format!(
                    "{}: builtin version and custom schema provided, cannot use both",
                    self.file
                )));
            }
            (Some(path), None) => {
                let bytes = self
                    .ldr
                    .load(path)
                    .with_context(|| format!("{}: openapi", self.file))?;
                let doc =
                    rustomize_yaml::parse_one(&String::from_utf8_lossy(&bytes)).map_err(|e| {
                        Error::Yaml {
                            path: path.clone(),
                            error: e,
                        }
                    })?;
                Some(Arc::new(Schema::custom(&doc).with_context(|| {
                    format!("{}: openapi '{path}'", self.file)
                })?))
            }
            (None, Some(v)) if v == "v1.21.2" || v.is_empty() => None,
            (None, Some(_)) => {
                return Err(Error::msg(format!(
                    "{}: the specified OpenAPI version is not built in",
                    self.file
                )));
            }
            (None, None) => None,
        };
        let _ = self.ctx.schema.set(schema);
        Ok(())
    }

    /// The schema in force, if it is not the builtin one.
    fn custom_schema(&self) -> Option<Arc<Schema>> {
        self.ctx.schema.get().cloned().flatten()
    }

    /// The kustomization file's name within its directory.
    fn file_name(&self) -> &str {
        Path::new(&self.file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("kustomization.yaml")
    }

    /// The origin of a file `rel` of this kustomization.
    fn file_origin(&self, rel: &str) -> Origin {
        Origin {
            path: join_origin(&self.origin.path, rel),
            configured_by: None,
            ..self.origin.clone()
        }
    }

    /// The origin of a base or component at `entry`, loaded by `ldr`.
    fn child_origin(&self, entry: &str, ldr: &Loader) -> Origin {
        match ldr.repo() {
            Some(remote)
                if self
                    .ldr
                    .repo()
                    .is_none_or(|r| r.clone_root != remote.clone_root) =>
            {
                let rel = ldr
                    .root()
                    .strip_prefix(&remote.clone_root)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                Origin {
                    path: rel,
                    repo: Some(remote.repo.clone()),
                    git_ref: Some(remote.git_ref.clone()),
                    configured_by: None,
                }
            }
            _ => self.file_origin(entry),
        }
    }

    /// The origin of a builtin plugin this kustomization configures.
    fn builtin_origin(&self, kind: &str) -> Arc<Origin> {
        Arc::new(Origin {
            configured_by: Some(ConfiguredBy {
                api_version: "builtin".into(),
                kind: kind.into(),
                ..ConfiguredBy::default()
            }),
            ..self.file_origin(self.file_name())
        })
    }

    /// Builds this kustomization on top of `acc` (empty for a base, the
    /// parent's accumulator for a component).
    fn accumulate(&self, mut acc: Accumulator) -> Result<Accumulator, Error> {
        if let Some(Role::Record(_)) = &self.ctx.reuse {
            acc.roots.push(self.ldr.root().to_path_buf());
            acc.opaque |= self.kust.resources.iter().any(|e| self.ldr.is_remote(e));
        }
        let resources = self
            .load_resources(&self.kust.resources)
            .with_context(|| "accumulating resources")?;
        if let Some(Role::Record(shared)) = &self.ctx.reuse
            && self.ctx.shares()
        {
            let covered = self.recorded && self.kust.components.is_empty() && !acc.opaque;
            crate::reuse::record_children(
                shared,
                self.ldr.fs().as_ref(),
                self.ldr.root(),
                covered,
                &resources,
            );
        }
        for part in resources {
            match part {
                Loaded::File(rm) => acc.rm.append_all(rm)?,
                Loaded::Dir(sub, _) => acc.merge(*sub)?,
            }
        }

        // The default tables, extended by `configurations:` (copied only
        // when there are some).
        let mut config = TransformerConfig::shared_default();
        for path in &self.kust.configurations {
            let bytes = self
                .ldr
                .load(path)
                .with_context(|| format!("loading configurations file '{path}'"))?;
            let text = String::from_utf8_lossy(&bytes);
            let custom = TransformerConfig::from_yaml(&text)
                .with_context(|| format!("in configurations file '{path}'"))?;
            Arc::make_mut(&mut config).merge(&custom)?;
        }
        for path in &self.kust.crds {
            let bytes = self
                .ldr
                .load(path)
                .with_context(|| format!("loading CRDs '{path}'"))?;
            let crd_config =
                crate::crds::config_from_definitions(&String::from_utf8_lossy(&bytes), path)
                    .with_context(|| format!("loading CRDs '{path}'"))?;
            Arc::make_mut(&mut config).merge(&crd_config)?;
        }
        // Both canonical: the accumulator's config is built by merges, and
        // so is `config` on top of the (canonical) default tables.
        TransformerConfig::merge_canonical(&mut acc.config, &config)?;

        self.run_generators(&mut acc)?;

        for path in &self.kust.components {
            let ldr = self
                .ldr
                .child(path)
                .with_context(|| format!("loading component '{path}'"))?;
            let origin = self.child_origin(path, &ldr);
            let sub = Target::load(ldr, self.ctx, origin, false).with_context(|| {
                format!("accumulating components: couldn't make target for path '{path}'")
            })?;
            if !sub.kust.is_component() {
                return Err(Error::msg(format!(
                    "accumulating components: expected kind 'Component' for path '{}' but got '{}'",
                    path, sub.kust.kind
                )));
            }
            acc = sub
                .accumulate(acc)
                .with_context(|| format!("accumulating components: '{path}'"))?;
        }

        self.run_transformers(&mut acc)?;
        if let Some(incoming) = &self.kust.vars {
            vars::merge_vars(&mut acc.rm, &mut acc.vars, incoming)
                .with_context(|| format!("{}: merging vars", self.file))?;
        }
        Ok(acc)
    }

    /// Loads `resources` entries in parallel; results keep their order.
    fn load_resources(&self, entries: &[String]) -> Result<Vec<Loaded>, Error> {
        entries
            .par_iter()
            .map(|entry| self.load_entry(entry))
            .collect::<Result<Vec<_>, _>>()
    }

    fn load_entry(&self, entry: &str) -> Result<Loaded, Error> {
        let file_error = if self.ldr.is_remote(entry) {
            if rustomize_loader::remote::probe_as_file(entry) {
                match self.ldr.load_url(entry) {
                    Ok(bytes) => {
                        let origin = Arc::new(Origin {
                            path: entry.to_string(),
                            ..Origin::default()
                        });
                        return resources_from_bytes(&bytes, entry, Some(origin))
                            .map(Loaded::File)
                            .with_context(|| format!("accumulating resources from '{entry}'"));
                    }
                    // Not a file: maybe a repository kustomize would clone.
                    Err(e) if rustomize_loader::remote::RepoSpec::parse(entry).is_err() => {
                        return Err(Error::from(e)
                            .context(format!("accumulating resources from '{entry}'")));
                    }
                    Err(_) => None,
                }
            } else {
                None
            }
        } else {
            match self.ldr.load(entry) {
                Ok(bytes) => {
                    let display = self.ctx.display(&self.ldr.join(entry));
                    let origin = Arc::new(self.file_origin(entry));
                    return resources_from_bytes(&bytes, &display, Some(origin))
                        .map(Loaded::File)
                        .with_context(|| format!("accumulating resources from '{entry}'"));
                }
                Err(LoadError::IsADir(_)) => None,
                Err(e) => Some(e),
            }
        };
        let ldr = match self.ldr.child(entry) {
            Ok(l) => l,
            Err(dir_err) => {
                return Err(match (file_error, dir_err) {
                    (Some(LoadError::NotFound(_)), LoadError::NotFound(_)) => Error::msg(format!(
                        "'{entry}' (listed in {}): no such file or directory",
                        self.file
                    )),
                    (Some(f), _) => {
                        Error::from(f).context(format!("accumulating resources from '{entry}'"))
                    }
                    (None, d) => {
                        Error::from(d).context(format!("accumulating resources from '{entry}'"))
                    }
                });
            }
        };
        let origin = self.child_origin(entry, &ldr);
        let root = ldr.root().to_path_buf();
        let origin_path = origin.path.clone();
        let reuse = self.ctx.reuse.as_ref().filter(|_| self.ctx.shares());
        let tracking = self.ctx.tracking.get().copied().unwrap_or(false);
        if let Some(Role::Take(shared)) = reuse
            && let Some(acc) = shared.take(ldr.fs().as_ref(), &root, &origin_path, tracking)
        {
            return Ok(Loaded::Dir(Box::new(acc), None));
        }
        let mut sub = Target::load(ldr, self.ctx, origin, false)
            .with_context(|| format!("accumulating resources from '{entry}'"))?;
        sub.recorded = true;
        sub.set_schema()?;
        if sub.kust.is_component() {
            return Err(Error::msg(format!(
                "expected kind != 'Component' for path '{entry}' (components belong under 'components:')"
            )));
        }
        let acc = sub
            .accumulate(Accumulator::default())
            .with_context(|| format!("accumulating resources from '{entry}'"))?;
        // Recorded (or not) by this kustomization, once every entry is in.
        let pending = matches!(reuse, Some(Role::Record(_))).then(|| crate::reuse::Pending {
            root,
            origin: origin_path,
            tracking,
        });
        Ok(Loaded::Dir(Box::new(acc), pending))
    }

    fn run_generators(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let k = &self.kust;
        let global = k.generator_options.as_ref();
        let mut generators: Vec<(Arc<Origin>, Box<dyn Generator>)> = Vec::new();
        for args in &k.config_map_generator {
            let g = ConfigMapGenerator::from_args(args, global);
            generators.push((self.builtin_origin("ConfigMapGenerator"), Box::new(g)));
        }
        for args in &k.secret_generator {
            let g = SecretGenerator::from_args(args, global);
            generators.push((self.builtin_origin("SecretGenerator"), Box::new(g)));
        }
        for chart in &k.helm_charts {
            let g = HelmChartInflationGenerator::from_kustomization(
                k.helm_globals.as_ref(),
                chart,
                &self.ldr,
                &self.ctx.plugins,
            )
            .with_context(|| self.file.clone())?;
            generators.push((
                self.builtin_origin("HelmChartInflationGenerator"),
                Box::new(g),
            ));
        }
        for config in self
            .plugin_configs(&k.generators, "generators")?
            .resources()
        {
            match self.configure_plugin(config)? {
                Plugin::Generator(g) => generators.push((plugin_origin(config), g)),
                Plugin::Function(f) => generators.push((plugin_origin(config), f)),
                Plugin::Transformer(_) => {
                    return Err(Error::msg(format!(
                        "{}: plugin {} not a generator",
                        self.file,
                        config.org_id()
                    )));
                }
            }
        }
        if generators.is_empty() {
            return Ok(());
        }
        let mut absorber = Absorber::new(&mut acc.rm);
        for (origin, g) in &generators {
            let mut made = g.generate(&self.ldr).with_context(|| self.file.clone())?;
            for r in &mut made {
                r.meta.origin = Some(origin.clone());
            }
            absorber
                .absorb(made)
                .with_context(|| format!("{}: merging from generator", self.file))?;
        }
        Ok(())
    }

    /// The builtin transformers this kustomization configures, in
    /// kustomize's order, then its `transformers:`.
    fn run_transformers(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let k = &self.kust;
        let tc = &acc.config;
        let mut steps: Vec<(Arc<Origin>, Box<dyn Transformer>)> = Vec::new();
        let o = |kind: &str| self.builtin_origin(kind);
        if let Some(paths) = k.patches_strategic_merge.as_ref().filter(|p| !p.is_empty()) {
            let mut t = PatchStrategicMergeTransformer::from_kustomization(paths, &self.ldr)
                .with_context(|| self.file.clone())?;
            if let Some(schema) = self.custom_schema() {
                t = t.with_schema(schema);
            }
            steps.push((o("PatchStrategicMergeTransformer"), Box::new(t)));
        }
        for p in &k.patches {
            let mut t = PatchTransformer::from_kustomization(p, &self.ldr)
                .with_context(|| self.file.clone())?;
            if let Some(schema) = self.custom_schema() {
                t = t.with_schema(schema);
            }
            steps.push((o("PatchTransformer"), Box::new(t)));
        }
        if !k.namespace.is_empty() {
            steps.push((
                o("NamespaceTransformer"),
                Box::new(NamespaceTransformer::new(
                    &k.namespace,
                    tc.namespace.clone(),
                )),
            ));
        }
        if !k.name_prefix.is_empty() {
            steps.push((
                o("PrefixTransformer"),
                Box::new(PrefixTransformer::name_prefix(&k.name_prefix, tc)),
            ));
        }
        if !k.name_suffix.is_empty() {
            steps.push((
                o("SuffixTransformer"),
                Box::new(SuffixTransformer::name_suffix(&k.name_suffix, tc)),
            ));
        }
        let common_labels = k.common_labels.clone().unwrap_or_default();
        if !k.labels.is_empty() || !common_labels.is_empty() {
            for label in &k.labels {
                steps.push((
                    o("LabelTransformer"),
                    Box::new(LabelTransformer::for_label_entry(label, tc)?),
                ));
            }
            steps.push((
                o("LabelTransformer"),
                Box::new(LabelTransformer::common_labels(common_labels, tc)),
            ));
        }
        if let Some(annotations) = k.common_annotations.clone().filter(|a| !a.is_empty()) {
            steps.push((
                o("AnnotationsTransformer"),
                Box::new(AnnotationsTransformer::common_annotations(annotations, tc)),
            ));
        }
        for p in k.patches_json6902.iter().flatten() {
            let t = PatchJson6902Transformer::from_kustomization(p, &self.ldr)
                .with_context(|| self.file.clone())?;
            steps.push((o("PatchJson6902Transformer"), Box::new(t)));
        }
        for r in &k.replicas {
            steps.push((
                o("ReplicaCountTransformer"),
                Box::new(ReplicaCountTransformer::for_replica(r, tc)),
            ));
        }
        for i in &k.images {
            steps.push((
                o("ImageTagTransformer"),
                Box::new(ImageTagTransformer::for_image(i, tc)),
            ));
        }
        if !k.replacements.is_empty() {
            let t = ReplacementTransformer::new(&k.replacements, &self.ldr)
                .with_context(|| self.file.clone())?;
            steps.push((o("ReplacementTransformer"), Box::new(t)));
        }
        for config in self
            .plugin_configs(&k.transformers, "transformers")?
            .resources()
        {
            match self.configure_plugin(config)? {
                Plugin::Transformer(t) => steps.push((plugin_origin(config), t)),
                Plugin::Function(f) => steps.push((plugin_origin(config), f)),
                Plugin::Generator(_) => {
                    return Err(Error::msg(format!(
                        "{}: plugin {} not a transformer",
                        self.file,
                        config.org_id()
                    )));
                }
            }
        }
        for (origin, t) in steps {
            // Steps that can write a shared label or annotation value in
            // place (see `alias`).
            let writes_in_place = !matches!(
                origin.configured_by.as_ref().map(|c| c.kind.as_str()),
                Some(
                    "NamespaceTransformer"
                        | "PrefixTransformer"
                        | "SuffixTransformer"
                        | "PatchJson6902Transformer"
                        | "ReplicaCountTransformer"
                        | "ImageTagTransformer"
                )
            );
            if writes_in_place {
                for r in acc.rm.resources_mut() {
                    crate::alias::snapshot(r);
                }
            }
            let kind = origin
                .configured_by
                .as_ref()
                .map_or("transformer", |c| c.kind.as_str());
            t.transform(&mut acc.rm)
                .with_context(|| format!("{}: running {kind}", self.file))?;
            if writes_in_place {
                for r in acc.rm.resources_mut() {
                    crate::alias::propagate(r);
                }
            }
            if self.ctx.tracking.get().copied().unwrap_or(false) {
                for r in acc.rm.resources_mut() {
                    if r.meta.origin.is_some() {
                        r.meta.transformations.push(origin.clone());
                    }
                }
            }
            acc.rm.retain(|r| !is_nil_or_empty(&r.node));
        }
        self.run_validators(acc)
    }

    /// Validators run like transformers but must not change anything.
    fn run_validators(&self, acc: &mut Accumulator) -> Result<(), Error> {
        for config in self
            .plugin_configs(&self.kust.validators, "validators")?
            .resources()
        {
            let v = match self.configure_plugin(config)? {
                Plugin::Transformer(v) => v,
                Plugin::Function(f) => {
                    f.validate(&mut acc.rm)
                        .with_context(|| format!("{}: running validator", self.file))?;
                    continue;
                }
                Plugin::Generator(_) => {
                    return Err(Error::msg(format!(
                        "{}: plugin {} not a validator",
                        self.file,
                        config.org_id()
                    )));
                }
            };
            let before = snapshot(&acc.rm)?;
            let mut copy = acc.rm.clone();
            v.transform(&mut copy)
                .with_context(|| format!("{}: running validator", self.file))?;
            for r in copy.resources_mut() {
                if let Some(Node::Map(labels)) = r.node.get_path_mut(&["metadata", "labels"]) {
                    labels.remove("validated-by");
                }
            }
            if snapshot(&copy)? != before {
                return Err(Error::msg(format!(
                    "{}: validator shouldn't modify the resource map",
                    self.file
                )));
            }
        }
        Ok(())
    }

    /// The plugin config resources a `transformers:`/`generators:`/
    /// `validators:` list names: each entry is inline YAML, a file, or a
    /// kustomization directory whose resources are configs.
    fn plugin_configs(&self, entries: &[String], field: &str) -> Result<ResMap, Error> {
        let mut configs = ResMap::new();
        let mut paths = Vec::new();
        for entry in entries {
            let inline_origin = Arc::new(self.file_origin(self.file_name()));
            match resources_from_bytes(entry.as_bytes(), &self.file, Some(inline_origin)) {
                Ok(rm) if !rm.is_empty() => configs.append_all(rm)?,
                _ => paths.push(entry.clone()),
            }
        }
        for part in self
            .load_resources(&paths)
            .with_context(|| format!("{}: loading {field}", self.file))?
        {
            match part {
                Loaded::File(rm) => configs.append_all(rm)?,
                Loaded::Dir(sub, _) => configs.append_all(sub.rm)?,
            }
        }
        Ok(configs)
    }

    /// Configures the plugin a config resource names: a builtin, or a KRM
    /// function (which needs `--enable-alpha-plugins`).
    fn configure_plugin(&self, config: &Resource) -> Result<Plugin, Error> {
        if builtin::is_builtin(config) {
            if config.kind() == "HelmChartInflationGenerator" {
                let g = HelmChartInflationGenerator::from_config(
                    &config.node,
                    &self.ldr,
                    &self.ctx.plugins,
                )
                .map_err(|e| e.context(format!("plugin {} fails configuration", config.org_id())))
                .with_context(|| self.file.clone())?;
                return Ok(Plugin::Generator(Box::new(g)));
            }
            return builtin::configure(config, &self.ldr).with_context(|| self.file.clone());
        }
        let f = ExecFunction::from_config(&config.node, &self.ldr, &self.ctx.plugins)
            .with_context(|| self.file.clone())?;
        if let Some(w) = f.skipped() {
            self.ctx.warn(w.to_string());
        }
        Ok(Plugin::Function(Box::new(f)))
    }
}

pub(crate) enum Loaded {
    File(ResMap),
    /// A directory's result, and where it was reached from when a shared
    /// build may record it.
    Dir(Box<Accumulator>, Option<crate::reuse::Pending>),
}

impl Context {
    /// A path as the user would write it: relative to the build directory's
    /// location when possible.
    fn display(&self, path: &Path) -> String {
        if let Some(rel) = self.cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
            return rel.display().to_string();
        }
        let _ = &self.display_base;
        path.display().to_string()
    }
}

/// Parses a resource file: every document that is not empty, with `*List`
/// kinds expanded into their items, as kustomize reads resources.
pub fn resources_from_bytes(
    bytes: &[u8],
    display: &str,
    origin: Option<Arc<Origin>>,
) -> Result<ResMap, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::msg(format!("{display}: not valid UTF-8")))?;
    let docs = rustomize_yaml::parse_documents(text).map_err(|e| Error::Yaml {
        path: display.into(),
        error: e,
    })?;
    let mut rm = ResMap::new();
    let mut queue: std::collections::VecDeque<Node> = docs.into();
    while let Some(doc) = queue.pop_front() {
        if is_nil_or_empty(&doc) {
            continue;
        }
        validate_object(&doc, display)?;
        let kind = doc.str_at(&["kind"]).unwrap_or("");
        if kind.ends_with("List")
            && let Some(items) = doc.get("items")
        {
            match items {
                Node::Seq(seq) => {
                    // kustomize queues list items after the file's other
                    // documents.
                    queue.extend(seq.items.iter().cloned());
                    continue;
                }
                n if n.is_null() => continue,
                _ => {
                    return Err(Error::msg(format!(
                        "{display}: expected array in {kind}/items"
                    )));
                }
            }
        }
        let mut r = Resource::new(doc);
        r.meta.origin = origin.clone();
        rm.append(r).with_context(|| display.to_string())?;
    }
    Ok(rm)
}

fn is_nil_or_empty(n: &Node) -> bool {
    match n {
        Node::Map(m) => m.is_empty(),
        n => n.is_null(),
    }
}

fn validate_object(doc: &Node, display: &str) -> Result<(), Error> {
    let line = doc.line();
    let at = |msg: &str| Error::msg(format!("{display}:{line}: {msg}"));
    let Node::Map(_) = doc else {
        return Err(at(&format!(
            "expected a Kubernetes object (a mapping), found a {}",
            doc.kind_name()
        )));
    };
    let kind = doc.str_at(&["kind"]).unwrap_or("");
    if kind.is_empty() {
        return Err(at("missing kind in object"));
    }
    if !kind.ends_with("List") && doc.str_at(&["metadata", "name"]).unwrap_or("").is_empty() {
        return Err(at(&format!(
            "missing metadata.name in object of kind {kind}"
        )));
    }
    // The path is built only once a null item is known to be there.
    if has_nil_in_list(doc)
        && let Some(path) = nil_in_list(doc, &mut Vec::new())
    {
        return Err(at(&format!("empty item at {path} in object")));
    }
    Ok(())
}

/// Whether some sequence holds a null item.
fn has_nil_in_list(n: &Node) -> bool {
    match n {
        Node::Seq(seq) => seq
            .items
            .iter()
            .any(|item| item.is_null() || has_nil_in_list(item)),
        Node::Map(m) => m.entries.iter().any(|e| has_nil_in_list(&e.value)),
        Node::Scalar(_) => false,
    }
}

/// Where a sequence holds a null item (kustomize rejects those).
fn nil_in_list(n: &Node, path: &mut Vec<String>) -> Option<String> {
    match n {
        Node::Seq(seq) => {
            for (i, item) in seq.items.iter().enumerate() {
                if item.is_null() {
                    return Some(format!("{}[{i}]", path.join(".")));
                }
                path.push(format!("[{i}]"));
                let found = nil_in_list(item, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Node::Map(m) => {
            for e in &m.entries {
                path.push(e.key.value.clone());
                let found = nil_in_list(&e.value, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Node::Scalar(_) => None,
    }
}

/// The printed form of every resource, to tell whether a validator changed
/// anything.
fn snapshot(rm: &ResMap) -> Result<Vec<String>, Error> {
    rm.resources()
        .iter()
        .map(|r| {
            rustomize_yaml::emit::to_string(&r.node).map_err(|error| Error::Emit {
                id: r.cur_id().to_string(),
                error,
            })
        })
        .collect()
}

/// The origin kustomize records for a plugin configured by a config
/// resource: where the config was read, and its id.
fn plugin_origin(config: &Resource) -> Arc<Origin> {
    let base = config.meta.origin.as_deref().cloned().unwrap_or_default();
    Arc::new(Origin {
        configured_by: Some(ConfiguredBy {
            api_version: config.api_version().to_string(),
            kind: config.kind().to_string(),
            name: config.name().to_string(),
            namespace: config.namespace().to_string(),
        }),
        ..base
    })
}

/// `filepath.Join` of an origin path and a relative path, cleaned.
fn join_origin(prefix: &str, rel: &str) -> String {
    let joined = if prefix.is_empty() {
        rel.to_string()
    } else {
        format!("{prefix}/{rel}")
    };
    rustomize_loader::fs::clean(Path::new(&joined))
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;
    use rustomize_loader::MemFs;

    fn build_mem(files: &[(&str, &str)]) -> Result<String, Error> {
        let fs = MemFs::new();
        for (path, text) in files {
            fs.write(Path::new("/app").join(path), *text);
        }
        build(Arc::new(fs), Path::new("/app"), &BuildOptions::default())?.to_yaml()
    }

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
        let err = build_mem(&files).unwrap_err().to_string();
        assert!(
            err.contains("may not add resource with an already registered id: ConfigMap.v1.[noGrp]/same.[noNs]"),
            "{err}"
        );
    }
}
