//! A resource: its object tree and the bookkeeping the build keeps beside it.
//!
//! kustomize keeps its bookkeeping (previous names, name prefixes, "needs a
//! hash suffix", generator behaviour, references) as annotations inside the
//! object and strips them before printing. rustomize keeps them in
//! [`BuildMeta`], next to the object, so no transformer ever sees them and
//! nothing needs stripping.

use crate::model::provenance::keep_if_same;
use crate::model::resid::{Gvk, ResId};
use rustomize_yaml::{Map, Node, Scalar, Tag};
use std::sync::Arc;

/// How a generated resource combines with one of the same id from a base.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// A new resource; an existing one of the same id is an error.
    #[default]
    Create,
    /// Replace the existing resource's data.
    Replace,
    /// Merge into the existing resource's data.
    Merge,
}

impl Behavior {
    /// Parses kustomize's behavior names; empty means create.
    pub fn parse(s: &str) -> Option<Behavior> {
        match s {
            "" | "create" => Some(Behavior::Create),
            "replace" => Some(Behavior::Replace),
            "merge" => Some(Behavior::Merge),
            _ => None,
        }
    }

    /// The name kustomize uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Behavior::Create => "create",
            Behavior::Replace => "replace",
            Behavior::Merge => "merge",
        }
    }
}

/// Where a resource was read from, for error messages, `check` findings
/// and origin annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// Path of the file (or generator's kustomization) relative to the
    /// directory the build started in.
    pub path: String,
    /// The remote repository URL, for resources from remote bases.
    pub repo: Option<String>,
    /// The remote ref.
    pub git_ref: Option<String>,
    /// For generated resources and for transformations: the plugin that
    /// made or changed the resource; `path` is then the file it was
    /// configured in.
    pub configured_by: Option<ConfiguredBy>,
}

/// The plugin (builtin or configured by a resource) behind an origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfiguredBy {
    /// `builtin` for builtins configured by kustomization fields.
    pub api_version: String,
    /// The plugin kind (`ConfigMapGenerator`, `PrefixTransformer`).
    pub kind: String,
    /// The config resource's name, for plugins configured by a resource.
    pub name: String,
    /// The config resource's namespace.
    pub namespace: String,
}

impl Origin {
    /// The YAML text kustomize puts in `config.kubernetes.io/origin`.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.write_yaml(&mut out, "");
        out
    }

    fn write_yaml(&self, out: &mut String, indent: &str) {
        let mut first = true;
        let mut field = |out: &mut String, key: &str, value: &str| {
            if value.is_empty() {
                return;
            }
            let lead = if first { "" } else { indent };
            first = false;
            out.push_str(&format!("{lead}{key}: {}\n", yaml_scalar(value)));
        };
        let (path, configured_in) = match self.configured_by {
            Some(_) => ("", self.path.as_str()),
            None => (self.path.as_str(), ""),
        };
        field(out, "path", path);
        field(out, "repo", self.repo.as_deref().unwrap_or(""));
        field(out, "ref", self.git_ref.as_deref().unwrap_or(""));
        field(out, "configuredIn", configured_in);
        if let Some(by) = &self.configured_by {
            out.push_str(&format!(
                "{}configuredBy:\n",
                if first { "" } else { indent }
            ));
            for (k, v) in [
                ("apiVersion", &by.api_version),
                ("kind", &by.kind),
                ("name", &by.name),
                ("namespace", &by.namespace),
            ] {
                if !v.is_empty() {
                    out.push_str(&format!("{indent}  {k}: {}\n", yaml_scalar(v)));
                }
            }
        }
    }

    /// The YAML text kustomize puts in
    /// `alpha.config.kubernetes.io/transformations` for a list of origins.
    pub(crate) fn list_to_yaml(origins: &[std::sync::Arc<Origin>]) -> String {
        let mut out = String::new();
        for o in origins {
            out.push_str("- ");
            o.write_yaml(&mut out, "  ");
        }
        out
    }
}

/// Sets `key` to `value` in `map`; a value replaced by the same text
/// keeps its place (field provenance).
fn set_keeping_place(map: &mut Map, key: &str, mut value: Node) {
    if let Some(old) = map.get(key) {
        keep_if_same(old, &mut value);
    }
    map.insert(key, value);
}

/// A string as yaml.v3 would print it: plain unless it would read back as
/// another type or needs quoting.
fn yaml_scalar(s: &str) -> String {
    let plain_ok = rustomize_yaml::resolve::resolve_plain(s) == Tag::Str
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #");
    if plain_ok {
        s.to_string()
    } else {
        let mut q = String::new();
        rustomize_yaml::json::write_string(&mut q, s);
        q
    }
}

/// Build bookkeeping kept beside a resource.
#[derive(Clone, Debug, Default)]
pub struct BuildMeta {
    /// Earlier (namespace, name, kind) of this resource, oldest first,
    /// recorded when a transformer renamed it.
    pub previous: Vec<(String, String, String)>,
    /// How many renames found the name empty. kustomize keeps the previous
    /// ids as three comma-separated annotations and skips empty values, so
    /// such a rename records the namespace and kind but no name: while no
    /// name is recorded the resource has no previous ids at all, and once
    /// one is, the three lists differ in length (see
    /// [`Resource::previous_ids_unaligned`]).
    pub renames_without_name: u32,
    /// Name prefixes applied, outermost last.
    pub prefixes: Vec<String>,
    /// Name suffixes applied, outermost last.
    pub suffixes: Vec<String>,
    /// Whether a content hash is to be appended to the name.
    pub needs_hash: bool,
    /// Generator behavior, for generated resources.
    pub behavior: Option<Behavior>,
    /// Resources whose fields refer to this one (name references).
    pub ref_by: Vec<ResId>,
    /// Variables (`vars`) whose values were read from this resource.
    pub ref_var_names: Vec<String>,
    /// Where the resource came from.
    pub origin: Option<Arc<Origin>>,
    /// The builtin or configured transformers that ran over it, in order
    /// (recorded only when the build asks for build metadata).
    pub transformations: Vec<Arc<Origin>>,
    /// Fields that share one value in kustomize (see [`crate::model::alias`]).
    pub(crate) aliases: Vec<crate::model::alias::AliasGroup>,
    /// For a ConfigMap or Secret a generator made: what it was made from
    /// (`rustomize check`'s `plain-secret` reads it).
    pub generated_from: Option<Arc<GeneratedFrom>>,
    /// The kustomizations the resource passed through, innermost first,
    /// as file indexes of the build's provenance table (recorded only when
    /// the build records provenance).
    pub kustomizations: Vec<u32>,
}

/// The sources a ConfigMap or Secret generator read, as its configuration
/// names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeneratedFrom {
    /// The keys of `literals` entries (`KEY=value` gives `KEY`).
    pub literal_keys: Vec<String>,
    /// `files` entries (`key=path` or `path`), relative to the
    /// kustomization's directory.
    pub files: Vec<String>,
    /// `envs` entries (with `env`), relative to the kustomization's
    /// directory.
    pub envs: Vec<String>,
}

/// A Kubernetes object and its build bookkeeping.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object; always a mapping.
    pub node: Node,
    /// Bookkeeping.
    pub meta: BuildMeta,
}

/// Pushes `item`, growing `v` by a quarter (at least one) when it is full
/// rather than letting it double (or jump to four items from none): most
/// resources get one previous id or one referrer, and the bookkeeping
/// vectors live until the build is printed (issue 15, peak memory).
pub(crate) fn push_snug<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 4).max(1));
    }
    v.push(item);
}

impl Resource {
    /// Wraps an object.
    pub fn new(node: Node) -> Self {
        Resource {
            node,
            meta: BuildMeta::default(),
        }
    }

    /// The top-level mapping.
    pub fn map(&self) -> &Map {
        static EMPTY: Map = Map {
            entries: Vec::new(),
            line: 0,
            col: 0,
            src: 0,
        };
        self.node.as_map().unwrap_or(&EMPTY)
    }

    fn str_at(&self, path: &[&str]) -> &str {
        self.node.str_at(path).unwrap_or("")
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"])
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.str_at(&["kind"])
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"])
    }

    /// Group, version and kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The current id.
    pub fn cur_id(&self) -> ResId {
        ResId::new(self.gvk(), self.name(), self.namespace())
    }

    /// Earlier ids, oldest first (same group and version as now).
    pub fn prev_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.meta
            .previous
            .iter()
            .map(|(ns, name, kind)| {
                ResId::new(
                    Gvk {
                        kind: kind.clone(),
                        ..gvk.clone()
                    },
                    name.clone(),
                    ns.clone(),
                )
            })
            .collect()
    }

    /// The id the resource had before any rename.
    pub fn org_id(&self) -> ResId {
        self.prev_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Records the current id as a previous one (before a rename).
    /// kustomize records it in annotations, so a null `metadata` (a List
    /// kind's, which needs no name) becomes an empty mapping, which stays
    /// when the annotations are removed (kubectl-verified).
    pub(crate) fn store_previous_id(&mut self) {
        if let Some(meta) = self.node.get_mut("metadata")
            && meta.is_null()
        {
            *meta = Node::map();
        }
        let id = self.cur_id();
        if id.name.is_empty() {
            self.meta.renames_without_name += 1;
            return;
        }
        let ns = id.effective_namespace().to_string();
        push_snug(&mut self.meta.previous, (ns, id.name, id.gvk.kind));
    }

    /// Whether kustomize would have written any of its bookkeeping into
    /// this resource's annotations by now (previous ids, prefixes and
    /// suffixes, referrers, the generator's flags): it keeps them there,
    /// so where `metadata.annotations` is not a mapping it panics on the
    /// write ("wrong node kind: expected MappingNode but got
    /// SequenceNode").
    pub fn bookkeeping_in_annotations(&self) -> bool {
        let m = &self.meta;
        !m.previous.is_empty()
            || m.renames_without_name > 0
            || !m.prefixes.is_empty()
            || !m.suffixes.is_empty()
            || !m.ref_by.is_empty()
            || m.needs_hash
            || m.behavior.is_some()
    }

    /// Whether kustomize's record of previous ids has come apart: a name
    /// was recorded, and a rename also found the name empty (an unnamed
    /// IAMPolicyGenerator account given a prefix and a suffix, a patch that
    /// removed the name before a prefix). kustomize panics on reading such
    /// a record ("number of previous names, number of previous namespaces,
    /// number of previous kinds not equal"), which every build does when it
    /// fixes name references.
    pub fn previous_ids_unaligned(&self) -> bool {
        self.meta.renames_without_name > 0 && !self.meta.previous.is_empty()
    }

    /// Whether the current or any earlier id satisfies `f`.
    pub fn any_id(&self, mut f: impl FnMut(&ResId) -> bool) -> bool {
        f(&self.cur_id()) || self.prev_ids().iter().any(f)
    }

    fn metadata_mut(&mut self) -> &mut Map {
        if !matches!(self.node, Node::Map(_)) {
            self.node = Node::map();
        }
        let Node::Map(top) = &mut self.node else {
            unreachable!("made a mapping above")
        };
        let meta = top.get_or_insert_with("metadata", Node::map);
        if !matches!(meta, Node::Map(_)) {
            *meta = Node::map();
        }
        match meta {
            Node::Map(m) => m,
            _ => unreachable!("made a mapping above"),
        }
    }

    /// Sets `metadata.name`.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.metadata_mut()
            .insert("name", Node::string(name.into()));
    }

    /// Sets `metadata.namespace`; the empty string removes it.
    pub fn set_namespace(&mut self, namespace: &str) {
        let meta = self.metadata_mut();
        if namespace.is_empty() {
            meta.remove("namespace");
        } else {
            meta.insert("namespace", Node::string(namespace));
        }
    }

    /// Sets `kind`.
    pub fn set_kind(&mut self, kind: &str) {
        if let Some(m) = self.node.as_map_mut() {
            m.insert("kind", Node::string(kind));
        }
    }

    /// Sets `apiVersion`.
    pub fn set_api_version(&mut self, api_version: &str) {
        if let Some(m) = self.node.as_map_mut() {
            m.insert("apiVersion", Node::string(api_version));
        }
    }

    /// Puts back `metadata.name`, `metadata.namespace` (empty: removed) and
    /// `kind` after a step that may have changed them (a strategic merge, a
    /// generator merging into an existing object); a value put back with the
    /// same text keeps its place (field provenance).
    pub(crate) fn put_back_identity(
        &mut self,
        name: Option<&str>,
        namespace: &str,
        kind: Option<&str>,
    ) {
        if let Some(kind) = kind
            && let Some(m) = self.node.as_map_mut()
        {
            set_keeping_place(m, "kind", Node::string(kind));
        }
        let meta = self.metadata_mut();
        if let Some(name) = name {
            set_keeping_place(meta, "name", Node::string(name));
        }
        if namespace.is_empty() {
            meta.remove("namespace");
        } else {
            set_keeping_place(meta, "namespace", Node::string(namespace));
        }
    }

    /// A string map under `metadata.<field>` (labels or annotations), as
    /// kustomize reads it: each scalar's text, null as the empty string.
    pub fn string_map(&self, field: &str) -> Vec<(String, String)> {
        match self.node.get_path(&["metadata", field]) {
            Some(Node::Map(m)) => m
                .entries
                .iter()
                .map(|e| {
                    let v = match &e.value {
                        Node::Scalar(s) if s.tag == Tag::Null && (s.value.is_empty()) => {
                            String::new()
                        }
                        Node::Scalar(s) => s.value.to_string(),
                        other => rustomize_yaml::emit::to_string(other).unwrap_or_default(),
                    };
                    (e.key.value.to_string(), v)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `metadata.labels`.
    pub fn labels(&self) -> Vec<(String, String)> {
        self.string_map("labels")
    }

    /// `metadata.annotations`.
    pub fn annotations(&self) -> Vec<(String, String)> {
        self.string_map("annotations")
    }

    /// One annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.node
            .get_path(&["metadata", "annotations", key])
            .and_then(Node::as_scalar)
            .map(|s| s.value.as_str())
    }

    /// Replaces `metadata.<field>` with string values (kustomize's
    /// `SetLabels`/`SetAnnotations`): an empty map removes the field.
    pub fn set_string_map(&mut self, field: &str, entries: Vec<(String, String)>) {
        let meta = self.metadata_mut();
        let old = meta.remove(field);
        if entries.is_empty() {
            return;
        }
        let mut sorted = entries;
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut map = Map::new();
        for (k, v) in sorted {
            let mut entry = rustomize_yaml::Entry {
                key: Scalar::string(k),
                value: Node::string(v),
            };
            // An entry rewritten with the same key and text keeps its
            // place (field provenance).
            if let Some(was) = old
                .as_ref()
                .and_then(|o| o.as_map()?.entry(&entry.key.value))
            {
                keep_if_same(&was.value, &mut entry.value);
                if entry.value.src() != 0 {
                    entry.key.set_pos(was.key.pos());
                }
            }
            map.entries.push(entry);
        }
        if let Some(old) = &old {
            let mut node = Node::Map(map);
            if old.src() != 0 {
                node.set_pos(old.pos());
            }
            meta.insert(field, node);
        } else {
            meta.insert(field, Node::Map(map));
        }
    }

    /// Whether this resource is marked `config.kubernetes.io/local-config`.
    pub fn is_local_config(&self) -> bool {
        self.annotation("config.kubernetes.io/local-config")
            .is_some_and(|v| v != "false")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustomize_yaml::parse_one;

    #[test]
    fn ids_and_renames() {
        let mut r = Resource::new(
            parse_one("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n").unwrap(),
        );
        assert_eq!(r.cur_id().to_string(), "Deployment.v1.apps/web.[noNs]");
        r.store_previous_id();
        r.set_name("p-web");
        r.set_namespace("prod");
        assert_eq!(r.org_id().name, "web");
        assert_eq!(r.org_id().namespace, "default");
        assert_eq!(r.cur_id().namespace, "prod");
    }
}
