//! Accumulation: one kustomization loaded, its resources (files, bases,
//! remote bases, in parallel), field specs, generators and components
//! gathered into an [`Accumulator`], then its transformer steps run (see
//! [`super::transformers`]).

use super::Context;
pub(super) use super::accumulator::{Accumulator, Loaded, Pending};
use super::builtin::{self, Plugin};
use super::reuse::{self, Role};
use crate::error::{Error, ResultExt};
use crate::model::fieldspec::TransformerConfig;
use crate::model::kustomization::looks_like_dir;
use crate::model::kustomization::{self, Kustomization};
use crate::model::read::resources_from_bytes;
use crate::model::resmap::ResMap;
use crate::model::resource::{ConfiguredBy, Origin, Resource};
use crate::stack::PARALLEL_DIRS;
use crate::steps::Generator;
use crate::steps::function::ExecFunction;
use crate::steps::generate::{Absorber, ConfigMapGenerator, SecretGenerator};
use crate::steps::helm::HelmChartInflationGenerator;
use crate::steps::openapi::Schema;
use crate::steps::transform::vars;
use rayon::prelude::*;
use rustomize_loader::{LoadError, Loader};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// A kustomization's own provenance: its file and its parsed tree (see
/// [`super::provenance`]).
#[derive(Debug)]
pub(super) struct KustPlaces {
    /// The kustomization file's index.
    pub(super) file: u32,
    /// The source id of what is written in it (inline patches).
    pub(super) src: u32,
    /// The file as parsed, with lines and columns.
    pub(super) node: rustomize_yaml::Node,
}

/// One loaded kustomization.
pub(super) struct Target<'c> {
    pub(super) ldr: Loader,
    pub(super) kust: Kustomization,
    /// The kustomization file, for messages.
    pub(super) file: String,
    /// Where this root is, relative to the build root (and in which
    /// remote repository), for origins.
    origin: Origin,
    /// Whether this is the kustomization the build started in.
    is_top: bool,
    /// Whether this is a `resources:` directory, whose result a shared
    /// build may record.
    recorded: bool,
    /// Parsing the file gave warnings.
    warned: bool,
    pub(super) ctx: &'c Context,
    /// The file's places, when the build records provenance.
    pub(super) places: Option<KustPlaces>,
}

impl<'c> Target<'c> {
    pub(super) fn load(
        ldr: Loader,
        ctx: &'c Context,
        origin: Origin,
        is_top: bool,
    ) -> Result<Self, Error> {
        // Accumulation recurses once per level: bounded, so the build's
        // stack (`crate::stack`) holds it.
        if ldr.depth() > crate::stack::MAX_NESTING {
            return Err(Error::kustomization(format!(
                "kustomizations nested more than {} deep, at '{}'",
                crate::stack::MAX_NESTING,
                ctx.display(ldr.root())
            )));
        }
        // The file the plan of a build sharing its sub-builds read, or
        // the disk's.
        let within = match &ctx.reuse {
            Some(Role::Within(w)) => w.parsed(ldr.root()),
            _ => None,
        };
        let reuse::within::Parsed {
            name,
            kust,
            warnings,
            node,
        } = match within {
            Some(parsed) => parsed,
            None => reuse::within::read(&ldr, ctx)?,
        };
        let file = ctx.display(&ldr.root().join(name));
        let warned = !warnings.is_empty();
        for w in warnings {
            ctx.warn(w);
        }
        let mut target = Target {
            ldr,
            kust,
            file,
            origin,
            is_top,
            recorded: false,
            warned,
            ctx,
            places: None,
        };
        if let Some(reg) = target.registry() {
            let file = reg.file(target.file_ref(&target.ldr.root().join(name)));
            let src = reg.source(crate::model::provenance::Source::File { file });
            target.places = Some(KustPlaces { file, src, node });
        }
        Ok(target)
    }

    /// Applies this kustomization's `openapi:` field to the build, as
    /// kyaml's `SetSchema` does: the first kustomization (top first, then in
    /// the order kustomize visits them) whose field names a custom schema or
    /// a builtin version decides for the rest of the build; a field without
    /// either (or no field) decides nothing. The custom file is read even
    /// when the schema is already decided, as kustomize reads it.
    pub(super) fn set_schema(&self) -> Result<(), Error> {
        let field = &self.kust.openapi;
        if field.is_empty() {
            return Ok(());
        }
        let bytes = match field.get("path") {
            Some(path) => Some((
                path,
                self.ldr
                    .load(path)
                    .with_context(|| "openapi")
                    .in_file(|| self.file.clone())?,
            )),
            None => None,
        };
        if self.ctx.schema.get().is_some() {
            return Ok(());
        }
        let version = field.get("version");
        let schema = match (bytes, version) {
            (Some(_), Some(_)) => {
                return Err(Error::kustomization_field(
                    "openapi",
                    "builtin version and custom schema provided, cannot use both",
                )
                .in_file(self.file.clone()));
            }
            (Some((path, bytes)), None) => {
                let doc =
                    rustomize_yaml::parse_one(&String::from_utf8_lossy(&bytes)).map_err(|e| {
                        Error::Parse {
                            file: path.clone(),
                            error: e,
                        }
                    })?;
                let schema = Schema::custom(&doc)
                    .with_context(|| format!("openapi '{path}'"))
                    .in_file(|| self.file.clone())?;
                Some(Arc::new(schema))
            }
            // No version: kyaml's version stays unset, nothing is decided.
            (None, None) => return Ok(()),
            (None, Some(v)) if v.is_empty() => return Ok(()),
            (None, Some(v)) if v == "v1.21.2" => None,
            (None, Some(_)) => {
                return Err(Error::kustomization_field(
                    "openapi.version",
                    "the specified OpenAPI version is not built in",
                )
                .in_file(self.file.clone()));
            }
        };
        if self.ctx.schema.set(schema).is_ok() && !self.is_top {
            // Decided by a base or component: in a parallel build, siblings
            // loaded beside it may have used the default schema where
            // kustomize, visiting them in order, would use this one.
            self.ctx.late_schema.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The schema in force, if it is not the builtin one.
    pub(super) fn custom_schema(&self) -> Option<Arc<Schema>> {
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
    pub(super) fn builtin_origin(&self, kind: &str) -> Arc<Origin> {
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
    pub(super) fn accumulate(&self, mut acc: Accumulator) -> Result<Accumulator, Error> {
        if let Some(role) = &self.ctx.reuse
            && role.traces()
        {
            acc.roots.push(self.ldr.root().to_path_buf());
            acc.warned |= self.warned;
            acc.opaque |= self.kust.resources.iter().any(|e| self.ldr.is_remote(e));
            // A result that may decide the schema is not shared: taking it
            // would skip the decision.
            acc.opaque |= !self.kust.openapi.is_empty();
        }
        let resources = self
            .load_resources(&self.kust.resources)
            .with_context(|| "accumulating resources")?;
        if let Some(Role::Record(shared)) = &self.ctx.reuse
            && self.ctx.shares()
        {
            let covered = self.recorded && self.kust.components.is_empty() && !acc.opaque;
            reuse::record_children(
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
                crate::model::crds::config_from_definitions(&String::from_utf8_lossy(&bytes), path)
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
            sub.set_schema()
                .with_context(|| format!("accumulating components: '{path}'"))?;
            if !sub.kust.is_component() {
                return Err(Error::kustomization(format!(
                    "expected kind 'Component' for path '{}' but got '{}'",
                    path, sub.kust.kind
                ))
                .context("accumulating components"));
            }
            acc = sub
                .accumulate(acc)
                .with_context(|| format!("accumulating components: '{path}'"))?;
        }

        self.run_transformers(&mut acc)?;
        if let Some(incoming) = &self.kust.vars {
            vars::merge_vars(&mut acc.rm, &mut acc.vars, incoming)
                .with_context(|| "merging vars")
                .in_file(|| self.file.clone())?;
        }
        if let Some(places) = &self.places {
            for r in acc.rm.resources_mut_keeping_ids() {
                crate::model::resource::push_snug(&mut r.meta.kustomizations, places.file);
            }
        }
        Ok(acc)
    }

    /// Loads `resources` entries in parallel; results keep their order.
    /// A short list of files and at most one directory loads in this
    /// thread: a small tree never starts the thread pool (starting it costs
    /// more than such a tree's build), while two directories (a tree of
    /// CRDs beside the rest) still load side by side.
    fn load_resources(&self, entries: &[String]) -> Result<Vec<Loaded>, Error> {
        /// Fewer entries than this load one after the other, unless
        /// `PARALLEL_DIRS` of them look like directories.
        const PARALLEL_ENTRIES: usize = 4;
        let dirs = entries.iter().filter(|e| looks_like_dir(e)).count();
        if self.ctx.sequential || (entries.len() < PARALLEL_ENTRIES && dirs < PARALLEL_DIRS) {
            return entries.iter().map(|entry| self.load_entry(entry)).collect();
        }
        crate::stack::parallel(|| {
            entries
                .par_iter()
                .map(|entry| self.load_entry(entry))
                .collect::<Result<Vec<_>, _>>()
        })
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
                        let mut rm = resources_from_bytes(&bytes, entry, Some(origin))
                            .with_context(|| format!("accumulating resources from '{entry}'"))?;
                        if let Some(reg) = self.registry() {
                            let src =
                                reg.file_source(crate::model::provenance::FileRef::local(entry));
                            for r in rm.resources_mut() {
                                crate::model::provenance::stamp_file(&mut r.node, src);
                            }
                        }
                        return Ok(Loaded::File(rm));
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
                    let mut rm = resources_from_bytes(&bytes, &display, Some(origin))
                        .with_context(|| format!("accumulating resources from '{entry}'"))?;
                    if self.registry().is_some() {
                        let src = self.file_src(entry);
                        for r in rm.resources_mut() {
                            crate::model::provenance::stamp_file(&mut r.node, src);
                        }
                    }
                    return Ok(Loaded::File(rm));
                }
                Err(LoadError::IsADir(_)) => None,
                Err(e) => Some(e),
            }
        };
        let ldr = match self.ldr.child(entry) {
            Ok(l) => l,
            Err(dir_err) => {
                return Err(match (file_error, dir_err) {
                    (Some(LoadError::NotFound(_)), LoadError::NotFound(_)) => {
                        Error::kustomization_field(
                            "resources",
                            format!(
                                "'{entry}' (listed in {}): no such file or directory",
                                self.file
                            ),
                        )
                    }
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
        if let Some(Role::Within(within)) = reuse
            && ldr.repo().is_none()
        {
            let key = reuse::within::Key {
                origin: origin_path,
                tracking,
                restrictor: ldr.restrictor(),
            };
            let depth = ldr.depth();
            let keep = match within.visit(&root, &key, depth) {
                // kustomize would refuse a base inside the result that
                // contains a kustomization above this visit: build it, to
                // give that error.
                reuse::within::Visit::Take(acc)
                    if !acc.roots.iter().any(|r| self.ldr.has_ancestor_within(r)) =>
                {
                    return Ok(Loaded::Dir(Box::new(acc), None));
                }
                reuse::within::Visit::Take(_) => false,
                reuse::within::Visit::Build { keep } => keep,
            };
            let built = self.build_dir(entry, ldr, origin);
            if keep {
                within.built(&root, &key, depth, built.as_ref().ok());
            }
            return built.map(|acc| Loaded::Dir(Box::new(acc), None));
        }
        let acc = self.build_dir(entry, ldr, origin)?;
        // Recorded (or not) by this kustomization, once every entry is in.
        let pending = matches!(reuse, Some(Role::Record(_))).then(|| Pending {
            root,
            origin: origin_path,
            tracking,
        });
        Ok(Loaded::Dir(Box::new(acc), pending))
    }

    /// Builds the `resources:` directory `entry`, whose loader is `ldr`.
    fn build_dir(&self, entry: &str, ldr: Loader, origin: Origin) -> Result<Accumulator, Error> {
        let mut sub = Target::load(ldr, self.ctx, origin, false)
            .with_context(|| format!("accumulating resources from '{entry}'"))?;
        sub.recorded = true;
        sub.set_schema()?;
        if sub.kust.is_component() {
            return Err(Error::kustomization_field(
                "resources",
                format!(
                    "expected kind != 'Component' for path '{entry}' (components belong under 'components:')"
                ),
            ));
        }
        sub.accumulate(Accumulator::default())
            .with_context(|| format!("accumulating resources from '{entry}'"))
    }

    fn run_generators(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let k = &self.kust;
        let global = k.generator_options.as_ref();
        let mut generators: Vec<(Arc<Origin>, Box<dyn Generator>)> = Vec::new();
        // For provenance: each generator's entry, and its arguments.
        let mut entries: Vec<(&str, usize, Option<&kustomization::GeneratorArgs>)> = Vec::new();
        for (i, args) in k.config_map_generator.iter().enumerate() {
            let g = ConfigMapGenerator::from_args(args, global);
            generators.push((self.builtin_origin("ConfigMapGenerator"), Box::new(g)));
            entries.push(("configMapGenerator", i, Some(args)));
        }
        for (i, args) in k.secret_generator.iter().enumerate() {
            let g = SecretGenerator::from_args(args, global);
            generators.push((self.builtin_origin("SecretGenerator"), Box::new(g)));
            entries.push(("secretGenerator", i, Some(args)));
        }
        for (i, _) in k.helm_charts.iter().enumerate() {
            entries.push(("helmCharts", i, None));
        }
        for chart in &k.helm_charts {
            let g = HelmChartInflationGenerator::from_kustomization(
                k.helm_globals.as_ref(),
                chart,
                &self.ldr,
                &self.ctx.plugins,
            )
            .in_file(|| self.file.clone())?;
            generators.push((
                self.builtin_origin("HelmChartInflationGenerator"),
                Box::new(g),
            ));
        }
        for (i, config) in self
            .plugin_configs(&k.generators, "generators")?
            .resources()
            .iter()
            .enumerate()
        {
            entries.push(("generators", i, None));
            match self.configure_plugin(config)? {
                Plugin::Generator(g) => generators.push((plugin_origin(config), g)),
                Plugin::Function(f) => generators.push((plugin_origin(config), f)),
                Plugin::Transformer(_) => {
                    return Err(Error::plugin(format!(
                        "plugin {} not a generator",
                        config.org_id()
                    ))
                    .in_file(self.file.clone()));
                }
            }
        }
        if generators.is_empty() {
            return Ok(());
        }
        let mut absorber = Absorber::new(&mut acc.rm);
        for ((origin, g), (field, index, args)) in generators.iter().zip(&entries) {
            let mut made = g.generate(&self.ldr).in_file(|| self.file.clone())?;
            for r in &mut made {
                r.meta.origin = Some(origin.clone());
            }
            let kind = origin
                .configured_by
                .as_ref()
                .map_or("", |c| c.kind.as_str());
            let pos = self.stamp_generated(&mut made, kind, field, *index, *args);
            absorber
                .absorb(made)
                .with_context(|| "merging from generator")
                .in_file(|| self.file.clone())?;
            // What merging into an existing object rewrote: this
            // generator's place.
            if let Some(pos) = pos {
                for r in absorber.resources_mut() {
                    crate::model::provenance::stamp_all_unset(&mut r.node, pos);
                }
            }
        }
        Ok(())
    }

    /// The plugin config resources a `transformers:`/`generators:`/
    /// `validators:` list names: each entry is inline YAML, a file, or a
    /// kustomization directory whose resources are configs.
    pub(super) fn plugin_configs(&self, entries: &[String], field: &str) -> Result<ResMap, Error> {
        let mut configs = ResMap::new();
        let mut paths = Vec::new();
        for entry in entries {
            let inline_origin = Arc::new(self.file_origin(self.file_name()));
            // As kustomize decides: an entry that reads as resources is
            // inline, even when it holds none (an empty or blank entry adds
            // nothing); anything else is a path.
            match resources_from_bytes(entry.as_bytes(), &self.file, Some(inline_origin)) {
                Ok(rm) => configs.append_all(rm)?,
                Err(_) => paths.push(entry.clone()),
            }
        }
        for part in self
            .load_resources(&paths)
            .with_context(|| format!("loading {field}"))
            .in_file(|| self.file.clone())?
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
    pub(super) fn configure_plugin(&self, config: &Resource) -> Result<Plugin, Error> {
        if builtin::is_builtin(config) {
            if config.kind() == "HelmChartInflationGenerator" {
                let g = HelmChartInflationGenerator::from_config(
                    &config.node,
                    &self.ldr,
                    &self.ctx.plugins,
                )
                .map_err(|e| e.context(format!("plugin {} fails configuration", config.org_id())))
                .in_file(|| self.file.clone())?;
                return Ok(Plugin::Generator(Box::new(g)));
            }
            return builtin::configure(config, &self.ldr).in_file(|| self.file.clone());
        }
        let f = ExecFunction::from_config(&config.node, &self.ldr, &self.ctx.plugins)
            .in_file(|| self.file.clone())?;
        if let Some(w) = f.skipped() {
            self.ctx.warn(w.to_string());
        }
        Ok(Plugin::Function(Box::new(f)))
    }
}

/// The origin kustomize records for a plugin configured by a config
/// resource: where the config was read, and its id.
pub(super) fn plugin_origin(config: &Resource) -> Arc<Origin> {
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
