//! Builtin plugins configured by YAML (`apiVersion: builtin`, `kind:
//! PatchTransformer`, ...), as listed under a kustomization's
//! `transformers:`, `generators:` and `validators:`; plus the small
//! builtins that exist only in that form (ValueAddTransformer,
//! IAMPolicyGenerator). kustomize's plugin loader knows no other kind:
//! `SortOrderTransformer` runs only from `sortOptions:`, and as a plugin
//! config it is refused ("unable to load builtin"), as kustomize refuses it.

use crate::error::Error;
use crate::model::kustomization::Selector;
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::steps::generate::{ConfigMapGenerator, HashTransformer, SecretGenerator};
use crate::steps::patch::{
    PatchJson6902Transformer, PatchJson6902TransformerConfig, PatchStrategicMergeTransformer,
    PatchStrategicMergeTransformerConfig, PatchTransformer, PatchTransformerConfig, select,
};
use crate::steps::transform::annotations::AnnotationsTransformer;
use crate::steps::transform::images::ImageTagTransformer;
use crate::steps::transform::json_string;
use crate::steps::transform::labels::LabelTransformer;
use crate::steps::transform::namespace::NamespaceTransformer;
use crate::steps::transform::prefix_suffix::{
    PrefixSuffixTransformer, PrefixTransformer, SuffixTransformer,
};
use crate::steps::transform::replacements::ReplacementTransformer;
use crate::steps::transform::replicas::ReplicaCountTransformer;
use crate::steps::{Generator, Transformer};
use rustomize_loader::Loader;
// Builtin plugin configs are decoded as kustomize decodes them, with
// sigs.k8s.io/yaml's `Unmarshal`: unknown fields are ignored.
use rustomize_yaml::de::from_plugin_config as from_node;
use rustomize_yaml::{Node, Tag};
use serde::Deserialize;

/// A configured plugin.
pub(super) enum Plugin {
    /// Changes resources.
    Transformer(Box<dyn Transformer>),
    /// Makes resources.
    Generator(Box<dyn Generator>),
    /// A KRM function: a transformer, generator or validator depending on
    /// the list it is in.
    Function(Box<crate::steps::function::ExecFunction>),
}

/// Whether a config resource names a builtin plugin (`apiVersion: builtin`).
pub(super) fn is_builtin(config: &Resource) -> bool {
    let gvk = config.gvk();
    gvk.group.is_empty() && gvk.version == "builtin"
}

/// Configures the builtin plugin a config resource names.
pub(super) fn configure(config: &Resource, ldr: &Loader) -> Result<Plugin, Error> {
    let node = &timestamps_as_text(&config.node);
    let kind = config.kind();
    let bad = |e: rustomize_yaml::de::DeError| {
        Error::plugin(format!(
            "plugin {} fails configuration: {e}",
            config.org_id()
        ))
    };
    let t = |x: Box<dyn Transformer>| Ok(Plugin::Transformer(x));
    match kind {
        "AnnotationsTransformer" => t(Box::new(
            from_node::<AnnotationsTransformer>(node).map_err(bad)?,
        )),
        "LabelTransformer" => t(Box::new(from_node::<LabelTransformer>(node).map_err(bad)?)),
        "NamespaceTransformer" => t(Box::new(
            from_node::<NamespaceTransformer>(node).map_err(bad)?,
        )),
        "PrefixTransformer" => t(Box::new(from_node::<PrefixTransformer>(node).map_err(bad)?)),
        "SuffixTransformer" => t(Box::new(from_node::<SuffixTransformer>(node).map_err(bad)?)),
        "PrefixSuffixTransformer" => t(Box::new(
            from_node::<PrefixSuffixTransformer>(node).map_err(bad)?,
        )),
        "ImageTagTransformer" => t(Box::new(
            from_node::<ImageTagTransformer>(node).map_err(bad)?,
        )),
        "ReplicaCountTransformer" => t(Box::new(
            from_node::<ReplicaCountTransformer>(node).map_err(bad)?,
        )),
        "PatchTransformer" => {
            let c: PatchTransformerConfig = from_node(node).map_err(bad)?;
            let text = rustomize_yaml::emit::to_string(node).unwrap_or_default();
            t(Box::new(PatchTransformer::configure(c, ldr, &text)?))
        }
        "PatchStrategicMergeTransformer" => {
            let c: PatchStrategicMergeTransformerConfig = from_node(node).map_err(bad)?;
            t(Box::new(PatchStrategicMergeTransformer::new(c, ldr)?))
        }
        "PatchJson6902Transformer" => {
            let c: PatchJson6902TransformerConfig = from_node(node).map_err(bad)?;
            t(Box::new(PatchJson6902Transformer::new(c, ldr)?))
        }
        "ReplacementTransformer" => {
            let entries = match node.get("replacements") {
                Some(Node::Seq(seq)) => seq.items.clone(),
                Some(n) if !n.is_null() => {
                    return Err(Error::plugin(format!(
                        "plugin {}: replacements must be a list",
                        config.org_id()
                    )));
                }
                _ => Vec::new(),
            };
            t(Box::new(ReplacementTransformer::new(&entries, ldr, false)?))
        }
        "HashTransformer" => t(Box::new(HashTransformer)),
        "ValueAddTransformer" => t(Box::new(
            ValueAddTransformer::configure(node, ldr).map_err(|e| {
                e.context(format!("plugin {} fails configuration", config.org_id()))
            })?,
        )),
        "ConfigMapGenerator" => Ok(Plugin::Generator(Box::new(
            ConfigMapGenerator::from_config(node)?,
        ))),
        "SecretGenerator" => Ok(Plugin::Generator(Box::new(SecretGenerator::from_config(
            node,
        )?))),
        "IAMPolicyGenerator" => Ok(Plugin::Generator(Box::new(
            from_node::<IamPolicyGenerator>(node).map_err(bad)?,
        ))),
        _ => Err(Error::plugin(format!(
            "unable to load builtin {}",
            config.gvk()
        ))),
    }
}

/// kustomize's ValueAddTransformer: writes a value (by default the
/// kustomization directory's name) into fields, optionally as one part of
/// a slash-separated path.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ValueAddTransformer {
    value: String,
    targets: Vec<ValueAddTarget>,
    target_file_path: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ValueAddTarget {
    selector: Option<Selector>,
    field_path: String,
    file_path_position: i64,
}

impl ValueAddTransformer {
    fn configure(node: &Node, ldr: &Loader) -> Result<Self, Error> {
        let mut p: ValueAddTransformer =
            from_node(node).map_err(|e| Error::plugin(e.to_string()))?;
        p.value = p.value.trim().to_string();
        if p.value.is_empty() {
            p.value = ldr
                .root()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        if !p.target_file_path.is_empty() {
            #[derive(Deserialize, Default)]
            #[serde(default)]
            struct Targets {
                targets: Vec<ValueAddTarget>,
            }
            let bytes = ldr.load(&p.target_file_path)?;
            let doc = rustomize_yaml::parse_one(&String::from_utf8_lossy(&bytes)).map_err(|e| {
                Error::Parse {
                    file: p.target_file_path.clone(),
                    error: e,
                }
            })?;
            let more: Targets = from_node(&doc).map_err(|e| Error::plugin(e.to_string()))?;
            p.targets.extend(more.targets);
        }
        if p.targets.is_empty() {
            return Err(Error::plugin("must specify at least one target"));
        }
        for t in &p.targets {
            if t.field_path.is_empty() {
                return Err(Error::plugin("fieldPath cannot be empty"));
            }
            if t.file_path_position < 0 {
                return Err(Error::plugin(format!(
                    "value of FilePathPosition ({}) cannot be negative",
                    t.file_path_position
                )));
            }
        }
        Ok(p)
    }
}

impl Transformer for ValueAddTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        for t in &self.targets {
            let positions = match &t.selector {
                Some(sel) => select(rm, sel)?,
                None => (0..rm.len()).collect(),
            };
            for i in positions {
                if t.field_path == "metadata/namespace" {
                    let mut one: ResMap = std::iter::once(rm.get(i).clone()).collect();
                    NamespaceTransformer::new(&self.value, Vec::new()).transform(&mut one)?;
                    if let Some(r) = one.into_resources().into_iter().next() {
                        *rm.get_mut(i) = r;
                    }
                    continue;
                }
                let segments = crate::model::fieldspec::split_path(&t.field_path);
                let field = create_scalar_path(&mut rm.get_mut(i).node, &segments)?;
                let Node::Scalar(s) = field else {
                    return Err(Error::plugin(format!(
                        "wrong node kind: expected ScalarNode but got {}",
                        field.kind_name()
                    )));
                };
                let new_value = if t.file_path_position > 0 {
                    insert_path_part(&s.value, (t.file_path_position - 1) as usize, &self.value)
                } else {
                    self.value.clone()
                };
                // Set by this step (field provenance).
                s.src = 0;
                s.value = new_value.into();
                s.tag = if s.style == rustomize_yaml::Style::Plain {
                    rustomize_yaml::resolve::resolve_plain(&s.value)
                } else {
                    Tag::Str
                };
            }
        }
        Ok(())
    }
}

/// kyaml's `LookupCreate(ScalarNode, ...)`: follows `segments`, creating
/// mappings and a final empty scalar.
fn create_scalar_path<'a>(node: &'a mut Node, segments: &[String]) -> Result<&'a mut Node, Error> {
    let mut cur = node;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let Node::Map(m) = cur else {
            return Err(Error::plugin(format!(
                "wrong node kind: expected MappingNode but got {}",
                cur.kind_name()
            )));
        };
        cur = m.get_or_insert_with(seg, || if last { Node::plain("") } else { Node::map() });
        if cur.is_null() && !last {
            *cur = Node::map();
        }
    }
    Ok(cur)
}

/// kustomize's `filesys.InsertPathPart`.
fn insert_path_part(path: &str, pos: usize, part: &str) -> String {
    if path.is_empty() {
        return part.to_string();
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    let pos = pos.min(parts.len());
    parts.insert(pos, part);
    parts.join("/")
}

/// The config as kustomize's plugins read it: through sigs.k8s.io/yaml,
/// whose YAML reader (yaml.v2) decodes a plain scalar that looks like a
/// date into a `time.Time`, written into the JSON as RFC 3339 text, so
/// `name: 2001-12-14` is the name `2001-12-14T00:00:00Z` (kubectl-verified).
/// A copy only where the config has one.
fn timestamps_as_text(node: &Node) -> std::borrow::Cow<'_, Node> {
    fn has(n: &Node) -> bool {
        match n {
            Node::Scalar(s) => s.tag == Tag::Timestamp,
            Node::Seq(s) => s.items.iter().any(has),
            Node::Map(m) => m.entries.iter().any(|e| has(&e.value)),
        }
    }
    fn convert(n: &mut Node) {
        match n {
            Node::Scalar(s) => {
                if s.tag == Tag::Timestamp
                    && let Some(text) = rustomize_yaml::resolve::format_timestamp(&s.value)
                {
                    s.value = text.into();
                    s.tag = Tag::Str;
                }
            }
            Node::Seq(s) => s.items.iter_mut().for_each(convert),
            Node::Map(m) => m.entries.iter_mut().for_each(|e| convert(&mut e.value)),
        }
    }
    if !has(node) {
        return std::borrow::Cow::Borrowed(node);
    }
    let mut copy = node.clone();
    convert(&mut copy);
    std::borrow::Cow::Owned(copy)
}

/// kustomize's IAMPolicyGenerator (GKE workload identity service accounts).
/// kustomize decodes it from the config's JSON, so its strings are
/// yaml.v3's ([`json_string`]): `name: y` is the name `y`, where a
/// kustomization's yaml.v2 reading made it a boolean; `name: 12` is
/// refused (kubectl-verified, both).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct IamPolicyGenerator {
    #[serde(deserialize_with = "json_string")]
    cloud: String,
    kubernetes_service: KubernetesService,
    service_account: ServiceAccount,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct KubernetesService {
    #[serde(deserialize_with = "json_string")]
    name: String,
    #[serde(deserialize_with = "json_string")]
    namespace: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ServiceAccount {
    #[serde(deserialize_with = "json_string")]
    name: String,
    #[serde(deserialize_with = "json_string")]
    project_id: String,
}

impl Generator for IamPolicyGenerator {
    fn generate(&self, _ldr: &Loader) -> Result<Vec<Resource>, Error> {
        if self.cloud != "gke" {
            return Err(Error::plugin(format!(
                "cloud provider {} not supported yet",
                self.cloud
            )));
        }
        // kustomize writes the fields into the text of the ServiceAccount
        // and parses it (`yaml.Parse`): a value that does not read as
        // YAML there (`@` opening the annotation when the service
        // account's name is empty) fails the build, and a value reads as
        // YAML reads it (`name: true` is a boolean).
        let mut text = format!(
            "\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    \
             iam.gke.io/gcp-service-account: {}@{}.iam.gserviceaccount.com\n  name: {}\n",
            self.service_account.name,
            self.service_account.project_id,
            self.kubernetes_service.name
        );
        if !self.kubernetes_service.namespace.is_empty() {
            text.push_str(&format!(
                "\n  namespace: {}",
                self.kubernetes_service.namespace
            ));
        }
        let generated = |why: String| {
            Error::plugin(format!(
                "IAMPolicyGenerator: the ServiceAccount written from its fields does not read as \
                 YAML: {why}"
            ))
        };
        let doc = rustomize_yaml::parse_documents(&text)
            .map_err(|e| {
                let line = text.lines().nth(e.line.saturating_sub(1) as usize);
                generated(format!(
                    "{} (in `{}`)",
                    e.message,
                    line.unwrap_or_default().trim()
                ))
            })?
            .into_iter()
            .next()
            .filter(|d| d.as_map().is_some())
            .ok_or_else(|| generated("not a mapping".into()))?;
        // An empty `kubernetesService.name` leaves the name null. kustomize
        // checks names only at the end of the build, after the renames: a
        // prefix names the account `p-` (kubectl-verified), with no rename
        // the build fails there (`finish`).
        Ok(vec![Resource::new(doc)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_path_parts_like_kustomize() {
        assert_eq!(insert_path_part("projects/data", 1, "x"), "projects/x/data");
        assert_eq!(insert_path_part("projects/data", 5, "x"), "projects/data/x");
        assert_eq!(insert_path_part("", 0, "x"), "x");
    }
}
