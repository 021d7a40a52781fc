//! Field specs: which fields of which kinds a transformer touches
//! (`metadata/labels` of everything, `spec/selector` of Services, ...), the
//! default tables kustomize ships (kept as YAML data beside this file), the
//! `configurations:` files that extend them, and the walk that finds the
//! fields in an object.

use crate::error::Error;
use crate::model::resid::Gvk;
use rustomize_yaml::{Node, Style, Tag};
use serde::Deserialize;
use std::sync::{Arc, OnceLock};

/// One field spec: a path in objects of matching group/version/kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct FieldSpec {
    /// API group to match; empty matches any.
    pub group: String,
    /// Version to match; empty matches any.
    pub version: String,
    /// Kind to match; empty matches any.
    pub kind: String,
    /// Slash-separated path; `name[]` marks a sequence, `\/` escapes a slash.
    pub path: String,
    /// Whether missing fields along the path are created.
    #[serde(rename = "create")]
    pub create: bool,
}

impl FieldSpec {
    /// A spec for `path` in every kind.
    pub(crate) fn new(path: &str, create: bool) -> Self {
        FieldSpec {
            path: path.into(),
            create,
            ..FieldSpec::default()
        }
    }

    /// The GVK selector part.
    pub(crate) fn gvk(&self) -> Gvk {
        Gvk::new(&self.group, &self.version, &self.kind)
    }

    /// Whether the spec applies to an object of this kind and apiVersion.
    pub(crate) fn matches(&self, api_version: &str, kind: &str) -> bool {
        if !self.kind.is_empty() && self.kind != kind {
            return false;
        }
        if self.group.is_empty() && self.version.is_empty() {
            return true;
        }
        let (group, version) = crate::model::resid::split_api_version(api_version);
        (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
    }

    /// The path's segments.
    pub(crate) fn segments(&self) -> Vec<String> {
        split_path(&self.path)
    }

    /// kustomize's `FieldSpec.effectivelyEquals`: same path, and this
    /// spec's group/version/kind is selected by `other`'s (empty parts of
    /// `other` match anything). Compares in place, without building GVKs.
    fn effectively_equals(&self, other: &FieldSpec) -> bool {
        self.path == other.path
            && (other.group.is_empty() || other.group == self.group)
            && (other.version.is_empty() || other.version == self.version)
            && (other.kind.is_empty() || other.kind == self.kind)
    }
}

/// Splits a field spec path on `/`, keeping `\/` as a literal slash
/// (kustomize's `PathSplitter`).
pub(crate) fn split_path(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    for p in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(p);
            }
            _ => out.push(p.to_string()),
        }
    }
    out
}

/// Adds `incoming` specs to `specs`, skipping equivalent ones; an
/// equivalent spec with a different `create` flag is an error
/// (kustomize's `FsSlice.MergeAll`).
pub(crate) fn merge_all(specs: &mut Vec<FieldSpec>, incoming: &[FieldSpec]) -> Result<(), Error> {
    for x in incoming {
        merge_one(specs, x.clone())?;
    }
    Ok(())
}

/// Adds one spec (kustomize's `FsSlice.MergeOne`).
pub(crate) fn merge_one(specs: &mut Vec<FieldSpec>, x: FieldSpec) -> Result<(), Error> {
    match specs.iter().find(|s| s.effectively_equals(&x)) {
        Some(existing) if existing.create != x.create => Err(Error::field_spec(format!(
            "conflicting fieldspecs: {} (create: {}) and create: {}",
            x.path, existing.create, x.create
        ))),
        Some(_) => Ok(()),
        None => {
            specs.push(x);
            Ok(())
        }
    }
}

/// The fields that refer to objects of one kind by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NameBackReference {
    /// API group of the referenced kind.
    pub group: String,
    /// Version of the referenced kind.
    pub version: String,
    /// The referenced kind.
    pub kind: String,
    /// Fields (in referring objects) that hold its name.
    pub field_specs: Vec<FieldSpec>,
}

impl NameBackReference {
    /// The referenced GVK.
    pub(crate) fn gvk(&self) -> Gvk {
        Gvk::new(&self.group, &self.version, &self.kind)
    }
}

/// Field specs of every builtin transformer (kustomize's
/// `TransformerConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub(crate) struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    #[serde(rename = "namespace")]
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackReference>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
}

/// The default tables as data, read once from YAML by the test that
/// writes [`tables`] (and kept beside this file, in kustomize's words).
#[cfg(test)]
const DEFAULT_TABLES: [&str; 10] = [
    include_str!("../data/fieldspecs/nameprefix.yaml"),
    include_str!("../data/fieldspecs/namesuffix.yaml"),
    include_str!("../data/fieldspecs/commonlabels.yaml"),
    include_str!("../data/fieldspecs/templatelabels.yaml"),
    include_str!("../data/fieldspecs/commonannotations.yaml"),
    include_str!("../data/fieldspecs/namespace.yaml"),
    include_str!("../data/fieldspecs/varreference.yaml"),
    include_str!("../data/fieldspecs/namereference.yaml"),
    include_str!("../data/fieldspecs/images.yaml"),
    include_str!("../data/fieldspecs/replicas.yaml"),
];

/// The default tables, read from the YAML above and sorted, as Rust
/// constants (written by the test `default_tables_are_current`): a build
/// starts without parsing them (they were a third of the instructions of
/// a small overlay's build).
#[rustfmt::skip]
#[path = "../data/fieldspecs/tables.rs"]
mod tables;

/// One row of [`tables`]: group, version, kind, path, create.
type SpecRow = (&'static str, &'static str, &'static str, &'static str, bool);

fn specs_of(rows: &[SpecRow]) -> Vec<FieldSpec> {
    rows.iter()
        .map(|&(group, version, kind, path, create)| FieldSpec {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            path: path.into(),
            create,
        })
        .collect()
}

impl TransformerConfig {
    /// kustomize's default field specs.
    pub(crate) fn default_config() -> &'static TransformerConfig {
        static DEFAULT: OnceLock<TransformerConfig> = OnceLock::new();
        DEFAULT.get_or_init(|| TransformerConfig {
            name_prefix: specs_of(tables::NAME_PREFIX),
            name_suffix: specs_of(tables::NAME_SUFFIX),
            namespace: specs_of(tables::NAMESPACE),
            common_labels: specs_of(tables::COMMON_LABELS),
            labels: specs_of(tables::LABELS),
            template_labels: specs_of(tables::TEMPLATE_LABELS),
            common_annotations: specs_of(tables::COMMON_ANNOTATIONS),
            name_reference: tables::NAME_REFERENCE
                .iter()
                .map(|&(group, version, kind, rows)| NameBackReference {
                    group: group.into(),
                    version: version.into(),
                    kind: kind.into(),
                    field_specs: specs_of(rows),
                })
                .collect(),
            var_reference: specs_of(tables::VAR_REFERENCE),
            images: specs_of(tables::IMAGES),
            replicas: specs_of(tables::REPLICAS),
        })
    }

    /// Reads a `configurations:` file.
    pub(crate) fn from_yaml(text: &str) -> Result<TransformerConfig, Error> {
        let node = rustomize_yaml::parse_one(text).map_err(|e| Error::Parse {
            file: "configurations".into(),
            error: e,
        })?;
        if node.is_null() {
            return Ok(TransformerConfig::default());
        }
        let mut config: TransformerConfig = rustomize_yaml::de::from_node(&node)
            .map_err(|e| Error::field_spec(format!("invalid transformer configuration: {e}")))?;
        // kustomize sorts a configuration file's lists as it reads them.
        config.sort();
        Ok(config)
    }

    /// Whether no field spec is configured at all.
    pub(crate) fn is_empty(&self) -> bool {
        *self == TransformerConfig::default()
    }

    /// The default tables, shared: every kustomization without
    /// `configurations:` uses this same allocation.
    pub(crate) fn shared_default() -> Arc<TransformerConfig> {
        static DEFAULT: OnceLock<Arc<TransformerConfig>> = OnceLock::new();
        DEFAULT
            .get_or_init(|| Arc::new(TransformerConfig::default_config().clone()))
            .clone()
    }

    /// [`merge`](Self::merge) of shared configs that are each *canonical*:
    /// no spec is preceded by a spec it selects (see `merge_one`), as is
    /// every config built by merging into an empty one and the default
    /// tables (tested). Then merging a config into an equal one changes
    /// nothing, and merging into an empty one shares it, so the common
    /// case (every kustomization of a tree uses the default tables) neither
    /// copies nor runs the quadratic merge.
    pub(crate) fn merge_canonical(
        this: &mut Arc<TransformerConfig>,
        other: &Arc<TransformerConfig>,
    ) -> Result<(), Error> {
        if Arc::ptr_eq(this, other) || **this == **other {
            return Ok(());
        }
        // Merging into an empty config keeps `other` as it is only when no
        // spec of `other` would swallow a later one; the default tables are
        // such a config (tested below), a custom one need not be.
        if this.is_empty() && Arc::ptr_eq(other, &TransformerConfig::shared_default()) {
            *this = other.clone();
            return Ok(());
        }
        Arc::make_mut(this).merge(other)
    }

    /// Merges `other` into this config (kustomize's `TransformerConfig.Merge`).
    pub(crate) fn merge(&mut self, other: &TransformerConfig) -> Result<(), Error> {
        merge_all(&mut self.name_prefix, &other.name_prefix)?;
        merge_all(&mut self.name_suffix, &other.name_suffix)?;
        merge_all(&mut self.namespace, &other.namespace)?;
        merge_all(&mut self.common_annotations, &other.common_annotations)?;
        merge_all(&mut self.common_labels, &other.common_labels)?;
        merge_all(&mut self.labels, &other.labels)?;
        merge_all(&mut self.template_labels, &other.template_labels)?;
        merge_all(&mut self.var_reference, &other.var_reference)?;
        merge_all(&mut self.images, &other.images)?;
        merge_all(&mut self.replicas, &other.replicas)?;
        for nbr in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|n| n.group == nbr.group && n.version == nbr.version && n.kind == nbr.kind)
            {
                Some(existing) => merge_all(&mut existing.field_specs, &nbr.field_specs)?,
                None => self.name_reference.push(nbr.clone()),
            }
        }
        self.sort();
        Ok(())
    }

    /// kustomize sorts every list by kind rank after each merge; which spec
    /// a later merge keeps depends on it (a custom `metadata/name` spec for
    /// one kind, sorted ahead of the default one for all kinds, makes the
    /// next merge drop the default).
    fn sort(&mut self) {
        for specs in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            specs.sort_by_cached_key(|f| gvk_sort_key(&f.gvk()));
        }
        self.name_reference
            .sort_by_cached_key(|n| gvk_sort_key(&n.gvk()));
    }
}

/// kustomize's `Gvk.IsLessThan` as a key: kind rank, then group, version,
/// kind.
fn gvk_sort_key(gvk: &Gvk) -> (i64, String) {
    (
        crate::model::resid::kind_rank(&gvk.kind),
        gvk.stable_sort_key(),
    )
}

/// What to create at the end of a path when `create` is set and the field
/// is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CreateKind {
    /// An empty mapping (labels, annotations, selectors).
    Map,
    /// An empty scalar (names, namespaces).
    Scalar,
    /// An empty sequence.
    Seq,
}

/// Calls `set` on every field `spec` selects in `obj` (a whole resource),
/// creating missing fields when the spec says so and `create` is given.
/// Sequences along the path are walked element by element.
pub(crate) fn apply(
    spec: &FieldSpec,
    obj: &mut Node,
    create: Option<CreateKind>,
    set: &mut dyn FnMut(&mut Node) -> Result<(), Error>,
) -> Result<(), Error> {
    let (api_version, kind) = (
        obj.str_at(&["apiVersion"]).unwrap_or(""),
        obj.str_at(&["kind"]).unwrap_or(""),
    );
    if !spec.matches(api_version, kind) {
        return Ok(());
    }
    apply_split(spec, &spec.segments(), obj, create, set)
}

/// [`apply`] with the spec's path already split by [`FieldSpec::segments`],
/// for callers that apply one spec to many objects. The caller has
/// checked that the spec matches the object's kind.
pub(crate) fn apply_split(
    spec: &FieldSpec,
    segments: &[String],
    obj: &mut Node,
    create: Option<CreateKind>,
    set: &mut dyn FnMut(&mut Node) -> Result<(), Error>,
) -> Result<(), Error> {
    walk(segments, spec.create, obj, create, set).map_err(|e| {
        let id = format!(
            "{}/{}",
            obj.str_at(&["kind"]).unwrap_or("[noKind]"),
            obj.str_at(&["metadata", "name"]).unwrap_or("[noName]")
        );
        e.context(format!("considering field '{}' of object {id}", spec.path))
    })
}

fn walk(
    path: &[String],
    spec_create: bool,
    node: &mut Node,
    create: Option<CreateKind>,
    set: &mut dyn FnMut(&mut Node) -> Result<(), Error>,
) -> Result<(), Error> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    match node {
        Node::Scalar(s) if s.tag == Tag::Null => Ok(()),
        Node::Seq(seq) => {
            for item in &mut seq.items {
                walk(path, spec_create, item, create, set)?;
            }
            Ok(())
        }
        Node::Map(map) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            if name.is_empty() {
                return Err(Error::field_spec(
                    "cannot set or create an empty field name",
                ));
            }
            let creating = spec_create && create.is_some() && !is_seq;
            let want = if is_seq {
                Some(CreateKind::Seq)
            } else if !creating {
                None
            } else if rest.is_empty() {
                create
            } else {
                Some(CreateKind::Map)
            };
            let field = if creating {
                map.get_or_insert_with(name, || empty(want.unwrap_or(CreateKind::Map)))
            } else {
                match map.get_mut(name) {
                    Some(f) => f,
                    None => return Ok(()),
                }
            };
            if let Node::Scalar(null) = field
                && null.tag == Tag::Null
            {
                match want {
                    // kyaml only retypes the node: its text (`null`,
                    // `~`) stays, now as a string.
                    Some(CreateKind::Scalar) => null.tag = Tag::Str,
                    Some(kind) => *field = empty(kind),
                    None => {}
                }
            }
            walk(rest, spec_create, field, create, set)
        }
        Node::Scalar(_) => Err(Error::field_spec("expected sequence or mapping node")),
    }
}

fn empty(kind: CreateKind) -> Node {
    match kind {
        CreateKind::Map => Node::map(),
        CreateKind::Seq => Node::seq(Vec::new()),
        CreateKind::Scalar => Node::Scalar(rustomize_yaml::Scalar::new(
            String::new(),
            Tag::Str,
            Style::Plain,
        )),
    }
}

/// Replaces a scalar's value the way kyaml's `FieldSetter` with an empty
/// name does: the node keeps its style, and its type becomes `tag` (or,
/// with no tag, what the text resolves to in that style).
pub(crate) fn set_scalar(node: &mut Node, value: &str, tag: Option<Tag>) -> Result<(), Error> {
    match node {
        Node::Scalar(s) => {
            s.tag = match tag {
                Some(t) => t,
                None if s.style == Style::Plain => rustomize_yaml::resolve::resolve_plain(value),
                None => Tag::Str,
            };
            // Set by the step that runs, even to the same text: it is the
            // place that decides the value (field provenance).
            s.src = 0;
            s.value = value.into();
            Ok(())
        }
        other => Err(Error::field_spec(format!(
            "wrong node kind: expected ScalarNode but got {}",
            other.kind_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;
    use rustomize_yaml::parse_one;

    /// The Rust source of `tables.rs` for `config`.
    fn render_tables(config: &TransformerConfig) -> String {
        fn rows(out: &mut String, indent: &str, specs: &[FieldSpec]) {
            for f in specs {
                out.push_str(&format!(
                    "{indent}({:?}, {:?}, {:?}, {:?}, {}),\n",
                    f.group, f.version, f.kind, f.path, f.create
                ));
            }
        }
        let mut out = String::from(
            "// @generated by the test `default_tables_are_current` in model/fieldspec.rs\n\
             // from the YAML tables beside this file (sorted as kustomize sorts them).\n\
             // Regenerate: RUSTOMIZE_REGENERATE=1 cargo test -p rustomize-engine default_tables\n\
             //! kustomize's default field specs as constants.\n\n\
             use super::SpecRow;\n",
        );
        let lists: [(&str, &[FieldSpec]); 10] = [
            ("NAME_PREFIX", &config.name_prefix),
            ("NAME_SUFFIX", &config.name_suffix),
            ("NAMESPACE", &config.namespace),
            ("COMMON_LABELS", &config.common_labels),
            ("LABELS", &config.labels),
            ("TEMPLATE_LABELS", &config.template_labels),
            ("COMMON_ANNOTATIONS", &config.common_annotations),
            ("VAR_REFERENCE", &config.var_reference),
            ("IMAGES", &config.images),
            ("REPLICAS", &config.replicas),
        ];
        for (name, specs) in lists {
            out.push_str(&format!("\npub(super) const {name}: &[SpecRow] = &[\n"));
            rows(&mut out, "    ", specs);
            out.push_str("];\n");
        }
        out.push_str(
            "\n#[allow(clippy::type_complexity)]\n\
             pub(super) const NAME_REFERENCE: &[(&str, &str, &str, &[SpecRow])] = &[\n",
        );
        for n in &config.name_reference {
            out.push_str(&format!(
                "    ({:?}, {:?}, {:?}, &[\n",
                n.group, n.version, n.kind
            ));
            rows(&mut out, "        ", &n.field_specs);
            out.push_str("    ]),\n");
        }
        out.push_str("];\n");
        out
    }

    #[test]
    fn default_tables_are_current() {
        let from_yaml = TransformerConfig::from_yaml(&DEFAULT_TABLES.join("\n")).unwrap();
        let fresh = render_tables(&from_yaml);
        if std::env::var_os("RUSTOMIZE_REGENERATE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/data/fieldspecs/tables.rs");
            std::fs::write(path, &fresh).unwrap();
            return;
        }
        assert!(
            fresh == include_str!("../data/fieldspecs/tables.rs"),
            "src/data/fieldspecs/tables.rs is stale: regenerate it with \
             RUSTOMIZE_REGENERATE=1 cargo test -p rustomize-engine default_tables"
        );
        assert_eq!(TransformerConfig::default_config(), &from_yaml);
    }

    #[test]
    fn default_tables_load() {
        let c = TransformerConfig::default_config();
        assert_eq!(c.name_prefix, vec![FieldSpec::new("metadata/name", false)]);
        assert!(
            c.common_labels
                .iter()
                .any(|f| f.path == "spec/selector" && f.kind == "Service")
        );
        assert!(c.name_reference.iter().any(|n| n.kind == "ConfigMap"));
        assert!(!c.images.is_empty() && !c.replicas.is_empty() && !c.var_reference.is_empty());
    }

    #[test]
    fn default_tables_are_canonical() {
        // `merge_canonical` relies on this: merging the default tables into
        // an empty config keeps every spec, in order.
        let c = TransformerConfig::default_config();
        let mut merged = TransformerConfig::default();
        merged.merge(c).unwrap();
        assert_eq!(&merged, c);
        let mut again = c.clone();
        again.merge(c).unwrap();
        assert_eq!(&again, c);
        assert!(!c.is_empty() && TransformerConfig::default().is_empty());
    }

    #[test]
    fn walks_sequences_and_creates_maps() {
        let mut obj = parse_one(indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            spec:
              template:
                spec:
                  containers:
                  - name: a
                  - name: b
        "})
        .unwrap();
        let mut seen = Vec::new();
        let spec = FieldSpec::new("spec/template/spec/containers[]/name", false);
        apply(&spec, &mut obj, None, &mut |n| {
            seen.push(n.as_str().unwrap_or("").to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["a", "b"]);

        let spec = FieldSpec::new("spec/template/metadata/labels", true);
        apply(&spec, &mut obj, Some(CreateKind::Map), &mut |n| {
            n.as_map_mut().unwrap().insert("app", Node::string("web"));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            obj.str_at(&["spec", "template", "metadata", "labels", "app"]),
            Some("web")
        );
    }

    #[test]
    fn kind_and_group_must_match() {
        let spec = FieldSpec {
            kind: "Service".into(),
            version: "v1".into(),
            ..FieldSpec::new("spec/selector", true)
        };
        assert!(spec.matches("v1", "Service"));
        assert!(!spec.matches("v1", "Pod"));
    }

    #[test]
    fn escaped_slashes_stay_in_one_segment() {
        assert_eq!(
            split_path("metadata/annotations/a\\/b"),
            ["metadata", "annotations", "a/b"]
        );
        assert_eq!(split_path("/spec/x"), ["spec", "x"]);
    }
}
