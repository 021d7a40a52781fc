//! KRM functions: plugin configs in `generators:`, `transformers:` and
//! `validators:` annotated `config.kubernetes.io/function`, run as local
//! executables the way kustomize v5.5.0 runs them (its `fnplugin`, kyaml's
//! `runfn`, `fn/runtime/exec` and `runtimeutil`).
//!
//! - Only with `--enable-alpha-plugins`: without it any non-builtin config
//!   is kustomize's "external plugins disabled" error.
//! - The function spec is the annotation's YAML (or the legacy
//!   `config.k8s.io/function` annotation, or `metadata.configFn`), read
//!   strictly: `exec: {path}`, `container: {image, network, mounts, envs}`,
//!   `deferFailure`. A `starlark:` spec is an unknown field, as in
//!   kustomize v5.
//! - A container function is an error here: rustomize runs no containers.
//! - An exec function runs only with `--enable-exec`; without it (or with
//!   an empty spec) kustomize skips the function silently, and so does
//!   rustomize ([`ExecFunction::skipped`] says why, for a warning).
//! - The program runs in the directory of the kustomization that lists
//!   the config (a relative `path` is relative to it), reads a ResourceList
//!   on stdin (see the `resource_list` module) and prints one on stdout. Its stderr
//!   is passed on to ours when it succeeds, and is part of the error when
//!   it fails. A non-zero exit, output that is not YAML, and a run longer
//!   than the time limit are errors naming the function; nothing it
//!   printed is used then.
//! - As a transformer, the returned objects replace the ones with the same
//!   id (which keep their place), new ids are appended, and objects it did
//!   not return are removed. As a generator it gets its own config as the
//!   only item; the objects it returns are generated resources, which get a
//!   hash suffix only when annotated `kustomize.config.k8s.io/needs-hash:
//!   "true"` and merge per `kustomize.config.k8s.io/behavior`. As a
//!   validator ([`ExecFunction::validate`]) it may add a `validated-by`
//!   label and nothing else.
//!
//! Wiring: for each object of a `generators:`/`transformers:`/`validators:`
//! entry that is not a builtin, make an [`ExecFunction`] with the
//! loader of the kustomization that lists it, then call
//! [`Generator::generate`], [`Transformer::transform`] or
//! [`ExecFunction::validate`]; add the kustomization file and the entry as
//! context to errors, and report [`ExecFunction::skipped`] as a warning.

mod build_annotations;
mod resource_list;
#[cfg(test)]
mod tests;

use crate::error::Error;
use crate::model::resid::Gvk;
use crate::model::resmap::ResMap;
use crate::model::resource::{Behavior, Resource};
use crate::steps::options::PluginOptions;
use crate::steps::{Generator, Transformer};
use resource_list::{ID, LEGACY_PATH, LOCAL_CONFIG, PATH};
use rustomize_loader::Loader;
use rustomize_process::{self as subprocess, Input, Limits, RunError};
use rustomize_yaml::Node;
use serde::Deserialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The annotation that holds a function spec.
pub(crate) const FUNCTION_ANNOTATION: &str = "config.kubernetes.io/function";
/// Its older name, still read.
pub(crate) const LEGACY_FUNCTION_ANNOTATION: &str = "config.k8s.io/function";
/// The oldest form: just a container image.
pub(crate) const LEGACY_CONTAINER_ANNOTATION: &str = "config.kubernetes.io/container";

/// Asks that a generated resource get a content-hash name suffix.
pub(crate) const NEEDS_HASH_ANNOTATION: &str = "kustomize.config.k8s.io/needs-hash";
/// How a generated resource combines with an existing one.
pub(crate) const BEHAVIOR_ANNOTATION: &str = "kustomize.config.k8s.io/behavior";

/// How to run a function (kyaml's `runtimeutil.FunctionSpec`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FunctionSpec {
    /// Report a failure only after the other functions ran (no effect on
    /// a kustomize build, which fails either way).
    pub defer_failure: bool,
    /// A container to run.
    pub container: ContainerSpec,
    /// An executable to run.
    pub exec: ExecSpec,
}

/// A container function (not run by rustomize).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ContainerSpec {
    /// The image.
    pub image: String,
    /// Whether it needs the network.
    pub network: bool,
    /// Storage to mount.
    pub mounts: Vec<StorageMount>,
    /// Environment variables (`KEY=value` or `KEY`).
    pub envs: Vec<String>,
}

/// A mount of a container function.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub(crate) struct StorageMount {
    #[serde(rename = "type")]
    pub mount_type: String,
    pub src: String,
    pub dst: String,
    pub rw: bool,
}

/// An exec function.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ExecSpec {
    /// The program: a path (relative to the kustomization directory) or a
    /// name looked up in `PATH`.
    pub path: String,
}

/// Whether a plugin config names a builtin plugin (`apiVersion: builtin`):
/// those are never functions, even when annotated.
pub(crate) fn is_builtin_config(config: &Node) -> bool {
    let gvk = Gvk::from_api_version(config.str_at(&["apiVersion"]).unwrap_or(""), "");
    gvk.group.is_empty() && gvk.version == "builtin"
}

#[cfg(test)]
/// Whether a plugin config is a KRM function (carries a function spec and
/// is not a builtin plugin config). The pipeline runs such configs through
/// [`ExecFunction`].
pub(crate) fn is_function_config(config: &Node) -> bool {
    !is_builtin_config(config) && spec_source(config).is_some()
}

/// Where a config's function spec is written.
enum SpecSource<'a> {
    Annotation(&'static str, &'a str),
    ConfigFn(&'a Node),
    Container(&'a str),
}

fn annotation<'a>(config: &'a Node, key: &str) -> Option<&'a str> {
    config
        .get_path(&["metadata", "annotations", key])
        .and_then(Node::as_scalar)
        .map(|s| s.value.as_str())
        .filter(|v| !v.is_empty())
}

fn spec_source(config: &Node) -> Option<SpecSource<'_>> {
    for key in [FUNCTION_ANNOTATION, LEGACY_FUNCTION_ANNOTATION] {
        if let Some(text) = annotation(config, key) {
            return Some(SpecSource::Annotation(key, text));
        }
    }
    if let Some(n) = config
        .get_path(&["metadata", "configFn"])
        .filter(|n| !n.is_null())
    {
        return Some(SpecSource::ConfigFn(n));
    }
    annotation(config, LEGACY_CONTAINER_ANNOTATION).map(SpecSource::Container)
}

/// Reads a config's function spec, as kyaml's `GetFunctionSpec` does;
/// `None` when it has none.
pub(crate) fn function_spec(config: &Node) -> Result<Option<FunctionSpec>, Error> {
    let strict = |node: &Node, what: &str| -> Result<FunctionSpec, Error> {
        rustomize_yaml::de::from_node::<FunctionSpec>(node).map_err(|e| {
            let mut m = format!("{what} unmarshal error: {e}");
            if node.get("starlark").is_some() {
                m.push_str(
                    " (Starlark functions are not supported: kustomize v5 removed them; use an exec function)",
                );
            }
            Error::plugin(m)
        })
    };
    Ok(match spec_source(config) {
        None => None,
        Some(SpecSource::Annotation(key, text)) => {
            let node = rustomize_yaml::parse_one(text).map_err(|e| {
                Error::plugin(format!(
                    "{key} unmarshal error: error converting YAML to JSON: yaml: line {}: {}",
                    e.line, e.message
                ))
            })?;
            Some(strict(&node, key)?)
        }
        Some(SpecSource::ConfigFn(node)) => Some(strict(node, "configFn")?),
        Some(SpecSource::Container(image)) => Some(FunctionSpec {
            container: ContainerSpec {
                image: image.to_string(),
                ..ContainerSpec::default()
            },
            ..FunctionSpec::default()
        }),
    })
}

/// A KRM function run as a local executable, usable as a transformer (also
/// for `validators:`) and as a generator.
#[derive(Debug, Clone)]
pub(crate) struct ExecFunction {
    /// kustomize's name for it: `api: <apiVersion>, kind: <kind>, name: <name>`.
    name: String,
    /// The config, sent as `functionConfig` (annotated local-config).
    config: Node,
    /// How it runs, or why it does not.
    runner: Runner,
    /// The directory the function is scoped to (from its config's path
    /// annotation); `None` for all resources.
    scope: Option<String>,
    /// Longest run.
    timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
enum Runner {
    Exec {
        /// The path as the spec writes it.
        written: String,
        /// What is executed.
        program: PathBuf,
        /// The kustomization directory.
        working_dir: PathBuf,
    },
    Skip {
        reason: String,
    },
}

impl ExecFunction {
    /// Prepares the function a plugin config describes. `ldr` is the
    /// loader of the kustomization whose `generators:`, `transformers:` or
    /// `validators:` lists the config: the program runs in its directory.
    ///
    /// Errors: plugins not enabled (`--enable-alpha-plugins`), a spec that
    /// does not parse, a container function, a config without a function
    /// spec.
    pub(crate) fn from_config(
        config: &Node,
        ldr: &Loader,
        opts: &PluginOptions,
    ) -> Result<Self, Error> {
        let kind = config.str_at(&["kind"]).unwrap_or("");
        if is_builtin_config(config) {
            return Err(Error::plugin(format!(
                "'{kind}' is a builtin plugin config, not a KRM function"
            )));
        }
        if !opts.enable_alpha_plugins {
            return Err(Error::plugin(format!(
                "external plugins disabled; unable to load external plugin '{kind}' (KRM functions run only with --enable-alpha-plugins)"
            )));
        }
        let name = format!(
            "api: {}, kind: {kind}, name: {}",
            config.str_at(&["apiVersion"]).unwrap_or(""),
            config.str_at(&["metadata", "name"]).unwrap_or("")
        );
        let spec = function_spec(config)
            .map_err(|e| e.context("loader: failed to get FunctionSpec"))?
            .ok_or_else(|| {
                Error::plugin(format!(
                    "unable to load external plugin '{kind}': it has no {FUNCTION_ANNOTATION} annotation, and rustomize does not load exec or Go plugins from a plugin home directory"
                ))
            })?;
        if !spec.container.image.is_empty() {
            return Err(Error::plugin(format!(
                "function '{name}' is a container function (image '{}'): rustomize uses no container runtime, so --enable-alpha-plugins does not run container functions; run the function's program as an exec function instead ({FUNCTION_ANNOTATION}: {{exec: {{path: ...}}}}, with --enable-alpha-plugins --enable-exec)",
                spec.container.image
            )));
        }
        let runner = if spec.exec.path.is_empty() {
            Runner::Skip {
                reason: format!(
                    "function '{name}' was skipped: its function spec names no exec path"
                ),
            }
        } else if !opts.enable_exec {
            Runner::Skip {
                reason: format!(
                    "function '{name}' (exec: {}) was skipped: exec functions run only with --enable-exec",
                    spec.exec.path
                ),
            }
        } else {
            let working_dir = ldr.root().to_path_buf();
            if working_dir.parent().is_none() {
                return Err(Error::plugin(format!(
                    "function '{name}': root working directory '/' not allowed"
                )));
            }
            let written = spec.exec.path.clone();
            let program = if written.contains('/') {
                working_dir.join(&written)
            } else {
                PathBuf::from(&written)
            };
            Runner::Exec {
                written,
                program,
                working_dir,
            }
        };
        let mut fn_config = config.clone();
        if let Some(a) = resource_list::annotations_mut(&mut fn_config) {
            resource_list::set(a, LOCAL_CONFIG, "true");
        }
        Ok(ExecFunction {
            name,
            scope: function_scope(config),
            config: fn_config,
            runner,
            timeout: opts.function_timeout,
        })
    }

    /// Why the function will not run (kustomize skips it silently), for a
    /// warning; `None` when it runs.
    pub(crate) fn skipped(&self) -> Option<&str> {
        match &self.runner {
            Runner::Skip { reason } => Some(reason),
            Runner::Exec { .. } => None,
        }
    }

    fn fail(&self, cause: impl std::fmt::Display) -> Error {
        let how = match &self.runner {
            Runner::Exec { written, .. } => format!(" (exec: {written})"),
            Runner::Skip { .. } => String::new(),
        };
        Error::plugin(format!(
            "couldn't execute function '{}'{how}: {cause}",
            self.name
        ))
    }

    /// Runs the program on `items` and returns the objects it printed.
    fn run(&self, items: &[Node]) -> Result<Vec<Node>, Error> {
        let Runner::Exec {
            written,
            program,
            working_dir,
        } = &self.runner
        else {
            return Ok(items.to_vec());
        };
        if !crate::steps::host::is_dir(working_dir) {
            return Err(self.fail(format!(
                "its working directory '{}' is not a directory on disk",
                working_dir.display()
            )));
        }
        let input = resource_list::write(items, &self.config).map_err(|e| self.fail(e.report()))?;
        let mut cmd = Command::new(program);
        cmd.current_dir(working_dir);
        let done = match subprocess::run(
            cmd,
            Input::Bytes(input.into_bytes()),
            &Limits {
                timeout: self.timeout,
                ..Limits::default()
            },
        ) {
            Ok(done) => done,
            Err(RunError::NotFound) => {
                return Err(self.fail(format!(
                    "program '{}' not found{}",
                    written,
                    if written.contains('/') {
                        format!(" (looked for '{}')", program.display())
                    } else {
                        " in PATH".to_string()
                    }
                )));
            }
            Err(RunError::TimedOut { after, stderr }) => {
                let mut m = format!(
                    "it ran longer than the limit of {} and was killed",
                    subprocess::show_duration(after)
                );
                append_stderr(&mut m, &stderr);
                return Err(self.fail(m));
            }
            Err(e) => return Err(self.fail(format!("'{written}': {e}"))),
        };
        if !done.status.success() {
            let mut m = subprocess::describe_status(done.status);
            if let Ok(out) = resource_list::read(&done.stdout)
                && let Some(results) = &out.results
            {
                for r in resource_list::result_messages(results) {
                    m.push_str(&format!("\n  {r}"));
                }
            }
            append_stderr(&mut m, &done.stderr);
            return Err(self.fail(m));
        }
        if !done.stderr.is_empty() {
            // kustomize passes a function's stderr through.
            let _ = std::io::stderr().lock().write_all(&done.stderr);
        }
        let out = resource_list::read(&done.stdout).map_err(|m| self.fail(m))?;
        Ok(out.items)
    }

    /// The objects a function returned, as resources: runtime annotations
    /// and kustomize's id annotation removed, build bookkeeping read back,
    /// `*List` objects expanded, and each checked as kustomize checks
    /// resources read from a file.
    fn to_resources(&self, items: Vec<Node>) -> Result<Vec<Resource>, Error> {
        let mut queue: VecDeque<Node> = items.into();
        let mut out = Vec::with_capacity(queue.len());
        let mut position = 0usize;
        while let Some(mut node) = queue.pop_front() {
            position += 1;
            match &node {
                Node::Map(m) if m.is_empty() => continue,
                Node::Map(_) => {}
                n if n.is_null() => continue,
                n => {
                    return Err(self.fail(format!(
                        "object {position} of its output is a {}, not an object",
                        n.kind_name()
                    )));
                }
            }
            let annotations = node
                .get_path_mut(&["metadata", "annotations"])
                .and_then(Node::as_map_mut);
            let meta = match annotations {
                Some(a) => {
                    resource_list::remove_runtime_annotations(a);
                    a.remove(ID);
                    build_annotations::decode(a).map_err(|m| self.fail(m))?
                }
                None => Default::default(),
            };
            resource_list::drop_empty_annotations(&mut node);
            let kind = node.str_at(&["kind"]).unwrap_or("").to_string();
            if kind.is_empty() {
                return Err(self.fail(format!("object {position} of its output has no kind")));
            }
            if kind.ends_with("List") {
                match node.get("items") {
                    Some(Node::Seq(seq)) => {
                        queue.extend(seq.items.iter().cloned());
                        continue;
                    }
                    Some(n) if n.is_null() => continue,
                    Some(n) => {
                        return Err(self.fail(format!(
                            "expected array in {kind}/items, but found {}",
                            n.kind_name()
                        )));
                    }
                    None => {}
                }
            } else if node.str_at(&["metadata", "name"]).unwrap_or("").is_empty() {
                return Err(self.fail(format!(
                    "object {position} of its output (kind {kind}) has no metadata.name"
                )));
            }
            out.push(Resource { node, meta });
        }
        Ok(out)
    }

    fn duplicate(&self, r: &Resource) -> Error {
        let id = r.cur_id();
        let mut json = String::from("{");
        let mut first = true;
        for (k, v) in [
            ("group", &id.gvk.group),
            ("version", &id.gvk.version),
            ("kind", &id.gvk.kind),
            ("name", &id.name),
            ("namespace", &id.namespace),
        ] {
            if v.is_empty() {
                continue;
            }
            if !first {
                json.push(',');
            }
            first = false;
            rustomize_yaml::json::write_string(&mut json, k);
            json.push(':');
            rustomize_yaml::json::write_string(&mut json, v);
        }
        json.push('}');
        Error::plugin(format!(
            "plugin {} generated duplicate resource: {json}",
            self.name
        ))
    }
}

fn append_stderr(m: &mut String, stderr: &[u8]) {
    let excerpt = subprocess::stderr_excerpt(stderr);
    if !excerpt.is_empty() {
        m.push_str("; its stderr:\n");
        m.push_str(&excerpt);
    }
}

/// An id key with kustomize's id equality (namespaces compared
/// effectively).
type IdKey = (Gvk, String, String);

fn id_key(r: &Resource) -> IdKey {
    let id = r.cur_id();
    let ns = id.effective_namespace().to_string();
    (id.gvk, id.name, ns)
}

/// The label a validator may add to the objects it checked; it is the only
/// change a validator may make.
pub(crate) const VALIDATED_BY_LABEL: &str = "validated-by";

impl ExecFunction {
    /// Runs the function as a validator (`validators:`): like a
    /// transformer, but the objects it returns must be the ones it got,
    /// unchanged but for a `validated-by` label (which stays, as in
    /// kustomize). A validator reports problems by failing.
    ///
    /// kustomize v5.5.0 compares the objects with the path annotations its
    /// function runtime adds still on them, so there every validator that
    /// returns its input fails; rustomize compares what would be printed.
    pub(crate) fn validate(&self, rm: &mut ResMap) -> Result<(), Error> {
        if self.skipped().is_some() {
            return Ok(());
        }
        let mut out = rm.clone();
        self.transform(&mut out)?;
        let changed = |m: String| {
            Error::plugin(format!(
                "validator '{}' shouldn't modify the resource map: {m}",
                self.name
            ))
        };
        if rm.len() != out.len() {
            return Err(changed(format!(
                "lists have different number of entries: {} doesn't equal {}",
                rm.len(),
                out.len()
            )));
        }
        let mut index: HashMap<IdKey, usize> = HashMap::with_capacity(out.len());
        for (i, r) in out.resources().iter().enumerate() {
            index.insert(id_key(r), i);
        }
        for before in rm.resources() {
            let Some(&i) = index.get(&id_key(before)) else {
                return Err(changed(format!(
                    "id in self missing from other; id: {}",
                    before.cur_id()
                )));
            };
            let mut after = out.get(i).node.clone();
            if let Some(labels) = after
                .get_path_mut(&["metadata", "labels"])
                .and_then(Node::as_map_mut)
            {
                labels.remove(VALIDATED_BY_LABEL);
                if labels.is_empty()
                    && let Some(meta) = after.get_mut("metadata").and_then(Node::as_map_mut)
                {
                    meta.remove("labels");
                }
            }
            let json = |n: &Node| rustomize_yaml::json::to_string(n).unwrap_or_default();
            if rustomize_yaml::emit::to_string(&before.node).ok()
                != rustomize_yaml::emit::to_string(&after).ok()
            {
                return Err(changed(format!(
                    "nodes unequal: \n -- {},\n -- {}",
                    json(&before.node),
                    json(&after)
                )));
            }
        }
        *rm = out;
        Ok(())
    }
}

impl Transformer for ExecFunction {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        if self.skipped().is_some() {
            return Ok(());
        }
        let in_scope: Vec<bool> = rm
            .resources()
            .iter()
            .map(|r| {
                self.scope
                    .as_deref()
                    .is_none_or(|dir| in_scope(&r.node, dir))
            })
            .collect();
        let mut items = Vec::new();
        for (r, _) in rm.resources().iter().zip(&in_scope).filter(|(_, s)| **s) {
            let mut node = r.node.clone();
            if let Some(a) = resource_list::annotations_mut(&mut node) {
                for (k, v) in build_annotations::encode(&r.meta) {
                    resource_list::set(a, k, v);
                }
                resource_list::set(a, ID, resource_list::id_yaml(&r.cur_id()));
                resource_list::add_runtime_annotations(a, items.len());
            }
            items.push(node);
        }
        let returned = self.to_resources(self.run(&items)?)?;

        // kustomize's UpdateResMapValues: returned objects replace the ones
        // with their id, new ids are appended, the rest are removed.
        let old = std::mem::take(rm.resources_mut());
        let mut index: HashMap<IdKey, usize> = HashMap::with_capacity(old.len());
        for (i, r) in old.iter().enumerate() {
            index.entry(id_key(r)).or_insert(i);
        }
        let mut replacement: Vec<Option<Resource>> = (0..old.len()).map(|_| None).collect();
        let mut appended = Vec::new();
        let mut seen: HashSet<IdKey> = HashSet::with_capacity(returned.len());
        for mut r in returned {
            let key = id_key(&r);
            let dup = !seen.insert(key.clone());
            match index.get(&key) {
                // An out-of-scope object counts as returned as it was.
                Some(&i) if dup || !in_scope[i] => return Err(self.duplicate(&r)),
                Some(&i) => {
                    r.meta.ref_var_names = old[i].meta.ref_var_names.clone();
                    r.meta.origin = old[i].meta.origin.clone();
                    replacement[i] = Some(r);
                }
                None if dup => return Err(self.duplicate(&r)),
                None => appended.push(r),
            }
        }
        let mut result: Vec<Resource> = Vec::with_capacity(old.len() + appended.len());
        for (i, r) in old.into_iter().enumerate() {
            if !in_scope[i] {
                result.push(r);
            } else if let Some(new) = replacement[i].take() {
                result.push(new);
            }
        }
        result.extend(appended);
        *rm.resources_mut() = result;
        Ok(())
    }
}

impl Generator for ExecFunction {
    fn generate(&self, _ldr: &Loader) -> Result<Vec<Resource>, Error> {
        let mut item = self.config.clone();
        if let Some(a) = resource_list::annotations_mut(&mut item) {
            resource_list::add_runtime_annotations(a, 0);
        }
        let made = self.to_resources(self.run(&[item])?)?;
        let mut seen = HashSet::with_capacity(made.len());
        let mut out = Vec::with_capacity(made.len());
        for mut r in made {
            if !seen.insert(id_key(&r)) {
                return Err(self.fail(format!(
                    "may not add resource with an already registered id: {}",
                    r.cur_id()
                )));
            }
            // kustomize's UpdateResourceOptions.
            let (needs_hash, behavior) = match r
                .node
                .get_path_mut(&["metadata", "annotations"])
                .and_then(Node::as_map_mut)
            {
                Some(a) => {
                    let needs_hash = a.remove(NEEDS_HASH_ANNOTATION).map(|n| scalar_text(&n));
                    let behavior = a.remove(BEHAVIOR_ANNOTATION).map(|n| scalar_text(&n));
                    (needs_hash, behavior)
                }
                None => (None, None),
            };
            resource_list::drop_empty_annotations(&mut r.node);
            if let Some(v) = needs_hash {
                match parse_go_bool(&v) {
                    Some(b) => r.meta.needs_hash |= b,
                    None => {
                        return Err(self.fail(format!(
                            "the annotation \"{NEEDS_HASH_ANNOTATION}\" contains an invalid value (\"{v}\")"
                        )));
                    }
                }
            }
            r.meta.behavior = Some(match behavior.as_deref() {
                Some("replace") => Behavior::Replace,
                Some("merge") => Behavior::Merge,
                _ => Behavior::Create,
            });
            out.push(r);
        }
        Ok(out)
    }
}

fn scalar_text(n: &Node) -> String {
    match n {
        Node::Scalar(s) if !s.is_null() => s.value.to_string(),
        _ => String::new(),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The file path an object says it was read from (kyaml's path
/// annotations).
fn path_annotation(node: &Node) -> Option<&str> {
    [PATH, LEGACY_PATH].into_iter().find_map(|k| {
        node.get_path(&["metadata", "annotations", k])
            .and_then(Node::as_scalar)
            .map(|s| s.value.as_str())
    })
}

/// The directory a function is scoped to (kyaml's `getFunctionScope`): the
/// directory of its config's path annotation, one level up when that is
/// named `functions`; `None` (every resource) without one.
fn function_scope(config: &Node) -> Option<String> {
    let dir = scope_dir(path_annotation(config)?);
    (!dir.is_empty() && dir != ".").then_some(dir)
}

fn scope_dir(path: &str) -> String {
    let dir = go_path_dir(path);
    if go_path_base(&dir) == "functions" {
        go_path_dir(&dir)
    } else {
        dir
    }
}

/// Whether a resource is in a function's scope: it has a path annotation
/// whose directory starts with the function's (kyaml compares the text).
fn in_scope(node: &Node, dir: &str) -> bool {
    path_annotation(node).is_some_and(|p| scope_dir(p).starts_with(dir))
}

/// Go's `path.Dir`.
fn go_path_dir(p: &str) -> String {
    match p.rfind('/') {
        Some(i) => go_path_clean(&p[..=i]),
        None => ".".into(),
    }
}

/// Go's `path.Base`.
fn go_path_base(p: &str) -> &str {
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return "/";
    }
    p.rsplit('/').next().unwrap_or(p)
}

/// Go's `path.Clean`.
fn go_path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}
