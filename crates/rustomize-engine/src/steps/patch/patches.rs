//! The `PatchTransformer` builtin: one entry of a kustomization's
//! `patches:` field.
//!
//! The patch comes from `path` (relative to the kustomization root) or
//! inline `patch` text, never both. kustomize decides its type by trying
//! both readings: strategic merge (one or more documents shaped like
//! objects) or JSON 6902 (a list of operations, as JSON or YAML); text
//! that reads as both, or as neither, is an error.
//!
//! - A strategic merge patch without `target` applies to the one resource
//!   whose current or earlier id is the patch's own id; none or several is
//!   an error. With `target`, the (single) patch applies to every selected
//!   resource, and selecting none is not an error.
//! - A JSON patch needs a `target`; selecting nothing is not an error.
//! - `options.allowNameChange` / `allowKindChange` let a strategic merge
//!   patch rename its target or change its kind (the old id is recorded).

use super::apply::{self, ChangeOptions};
use super::json6902;
use super::load;
use super::selector::{select, selector_string, selector_text};
use crate::error::Error;
use crate::gofmt::go_quote;
use crate::model::kustomization::{self, Selector};
use crate::model::resmap::ResMap;
use crate::steps::openapi::Schema;
use crate::steps::{Miss, Transformer};
use rustomize_loader::Loader;
use rustomize_yaml::{Entry, Map, Node, Scalar};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Configuration of `PatchTransformer`, as in a `patches:` entry or a
/// `kind: PatchTransformer` plugin config (keys match case-insensitively
/// there, so the capitalised forms are accepted too).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct PatchTransformerConfig {
    /// File holding the patch, relative to the kustomization root.
    #[serde(alias = "Path")]
    pub path: String,
    /// Inline patch text.
    #[serde(alias = "Patch")]
    pub patch: String,
    /// Which resources the patch applies to.
    #[serde(alias = "Target")]
    pub target: Option<Selector>,
    /// `allowNameChange`, `allowKindChange`.
    #[serde(alias = "Options")]
    pub options: BTreeMap<String, bool>,
}

impl From<&kustomization::Patch> for PatchTransformerConfig {
    fn from(p: &kustomization::Patch) -> Self {
        PatchTransformerConfig {
            path: p.path.clone(),
            patch: p.patch.clone(),
            target: p.target.clone(),
            options: p.options.clone(),
        }
    }
}

impl PatchTransformerConfig {
    /// The config as kustomize prints it in errors (`sigs.k8s.io/yaml`
    /// marshalling: sorted keys, empty fields left out).
    pub(crate) fn to_yaml(&self) -> String {
        let mut m = Map::new();
        if !self.options.is_empty() {
            let mut opts = Map::new();
            for (k, v) in &self.options {
                push(&mut opts, k, Node::bool(*v));
            }
            push(&mut m, "options", Node::Map(opts));
        }
        if !self.path.is_empty() {
            push(&mut m, "path", Node::string(&self.path));
        }
        if !self.patch.is_empty() {
            push(&mut m, "patch", Node::string(&self.patch));
        }
        if let Some(t) = &self.target {
            push(&mut m, "target", selector_node(t));
        }
        rustomize_yaml::emit::to_string(&Node::Map(m)).unwrap_or_default()
    }
}

pub(crate) fn push(m: &mut Map, key: &str, value: Node) {
    m.entries.push(Entry {
        key: Scalar::string(key),
        value,
    });
}

/// A selector as `sigs.k8s.io/yaml` marshals it (empty fields left out).
pub(crate) fn selector_node(s: &Selector) -> Node {
    let mut m = Map::new();
    for (k, v) in [
        ("group", &s.group),
        ("version", &s.version),
        ("kind", &s.kind),
        ("name", &s.name),
        ("namespace", &s.namespace),
        ("annotationSelector", &s.annotation_selector),
        ("labelSelector", &s.label_selector),
    ] {
        if !v.is_empty() {
            push(&mut m, k, Node::string(v));
        }
    }
    Node::Map(m)
}

/// kustomize's "trouble configuring builtin" wrapper for builtins
/// configured from kustomization fields.
pub(crate) fn configure_error(builtin: &str, config_yaml: &str, e: Error) -> Error {
    Error::Configure {
        builtin: builtin.to_string(),
        config: config_yaml.to_string(),
        source: Box::new(e),
    }
}

/// What the patch text turned out to be.
#[derive(Clone, Debug)]
enum Parsed {
    /// Strategic merge patches, in order.
    StrategicMerge(Vec<Node>),
    /// A JSON patch, or why the text (read as one at transform time) is
    /// not one.
    Json(Result<json6902::Patch, String>),
}

/// The `PatchTransformer` builtin, configured.
#[derive(Clone, Debug)]
pub(crate) struct PatchTransformer {
    config: PatchTransformerConfig,
    parsed: Parsed,
    /// `[path: "…"]` or `[patch: "…"]`, as kustomize names the patch.
    source: String,
    options: ChangeOptions,
    schema: Option<Arc<Schema>>,
}

impl PatchTransformer {
    /// Configures from a `patches:` entry; errors carry kustomize's
    /// "trouble configuring builtin PatchTransformer with config" prefix.
    pub(crate) fn from_kustomization(
        entry: &kustomization::Patch,
        ldr: &Loader,
    ) -> Result<PatchTransformer, Error> {
        let config = PatchTransformerConfig::from(entry);
        let text = config.to_yaml();
        PatchTransformer::configure(config, ldr, &text)
            .map_err(|e| configure_error("PatchTransformer", &text, e))
    }

    /// Configures, quoting `config_text` in the errors that show the
    /// config (kustomize shows the config as it was given).
    pub(crate) fn configure(
        config: PatchTransformerConfig,
        ldr: &Loader,
        config_text: &str,
    ) -> Result<PatchTransformer, Error> {
        let inline = config.patch.trim();
        let (text, source) = match (inline.is_empty(), config.path.is_empty()) {
            (true, true) => {
                return Err(Error::patch(format!(
                    "must specify one of patch and path in\n{config_text}"
                )));
            }
            (false, false) => {
                return Err(Error::patch(format!(
                    "patch and path can't be set at the same time\n{config_text}"
                )));
            }
            (false, true) => (inline.to_string(), format!("[patch: {}]", go_quote(inline))),
            (true, false) => {
                let bytes = ldr.load(&config.path).map_err(|e| {
                    Error::from(e).context(format!(
                        "failed to get the patch file from path({})",
                        config.path
                    ))
                })?;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                (text, format!("[path: {}]", go_quote(&config.path)))
            }
        };
        // kustomize reads the text both ways; the YAML is parsed once for
        // both when the two readings see the same text (no `\r\n`, which
        // the strategic merge reading drops; not JSON).
        let (sm, json) = if text.contains('\r') || text.starts_with('[') {
            (
                load::sm_patches_from_text(&text),
                json6902::Patch::parse(&text),
            )
        } else {
            // kyaml reads patches: a repeated key is ignored, the first
            // wins.
            let parsed = rustomize_yaml::parse::parse_documents_first_key_wins(&text);
            let json = json6902::Patch::parse_parsed(&text, Some(&parsed));
            (load::sm_patches_from_parsed(parsed), json)
        };
        let json = if text.is_empty() {
            Err("empty json patch operations".to_string())
        } else {
            json.map_err(|e| e.to_string())
        };
        let parsed = match (sm, json) {
            (Ok(_), Ok(_)) => {
                return Err(Error::patch(format!(
                    "illegally qualifies as both an SM and JSON patch: {source}"
                )));
            }
            (Err(_), Err(_)) => {
                return Err(Error::patch(format!(
                    "unable to parse SM or JSON patch from {source}"
                )));
            }
            (Ok(sm), Err(_)) if !sm.is_empty() => Parsed::StrategicMerge(sm),
            // No documents at all: kustomize goes on as with a JSON patch,
            // reading the text again when it applies it.
            (Ok(_), Err(_)) => Parsed::Json(if text.is_empty() {
                Ok(json6902::Patch::default())
            } else {
                json6902::Patch::parse(&text).map_err(|e| e.to_string())
            }),
            (Err(_), Ok(patch)) => Parsed::Json(Ok(patch)),
        };
        let flag = |k: &str| config.options.get(k).copied().unwrap_or(false);
        let options = ChangeOptions {
            allow_name_change: flag("allowNameChange"),
            allow_kind_change: flag("allowKindChange"),
        };
        Ok(PatchTransformer {
            config,
            parsed,
            source,
            options,
            schema: None,
        })
    }

    /// Applies `f` to the nodes the patch text was read into (field
    /// provenance: gives them their place).
    pub(crate) fn stamp_nodes(&mut self, f: &dyn Fn(&mut Node)) {
        match &mut self.parsed {
            Parsed::StrategicMerge(patches) => patches.iter_mut().for_each(f),
            Parsed::Json(Ok(patch)) => patch.stamp_nodes(f),
            Parsed::Json(Err(_)) => {}
        }
    }

    /// Uses `schema` (a kustomization's `openapi:`) instead of the builtin
    /// Kubernetes schema for strategic merges.
    pub(crate) fn with_schema(mut self, schema: Arc<Schema>) -> PatchTransformer {
        self.schema = Some(schema);
        self
    }

    fn schema(&self) -> &Schema {
        self.schema.as_deref().unwrap_or_else(|| Schema::builtin())
    }

    fn transform_sm(
        &self,
        rm: &mut ResMap,
        patches: &[Node],
        misses: &mut Vec<Miss>,
    ) -> Result<(), Error> {
        if let Some(target) = &self.config.target {
            if patches.len() > 1 {
                return Err(Error::patch(format!(
                    "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {}",
                    self.source
                )));
            }
            let selected = select(rm, target).map_err(|e| {
                Error::patch(format!(
                    "unable to find patch target {} in `resources`: {}",
                    go_quote(&selector_string(target)),
                    e.report()
                ))
            })?;
            if selected.is_empty() {
                misses.push(Miss {
                    entry: None,
                    target: None,
                    selector: selector_text(target),
                });
            }
            return apply::apply_sm_patch_to(
                rm,
                &selected,
                &patches[0],
                self.options,
                self.schema(),
            );
        }
        for patch in patches {
            let id = apply::patch_id(patch);
            let i = apply::find_by_any_id(rm, &id).map_err(|e| {
                Error::patch(format!(
                    "no resource matches strategic merge patch {}: {e}",
                    go_quote(&id.to_string())
                ))
            })?;
            if !apply::apply_sm_patch(rm.get_mut(i), patch, self.options, self.schema())? {
                rm.remove(i);
            }
        }
        Ok(())
    }

    fn transform_json(
        &self,
        rm: &mut ResMap,
        patch: &Result<json6902::Patch, String>,
        misses: &mut Vec<Miss>,
    ) -> Result<(), Error> {
        let Some(target) = &self.config.target else {
            return Err(Error::patch(format!(
                "must specify a target for JSON patch {}",
                self.source
            )));
        };
        let selected = select(rm, target)?;
        if selected.is_empty() {
            misses.push(Miss {
                entry: None,
                target: None,
                selector: selector_text(target),
            });
        }
        for i in selected {
            let patch = patch.as_ref().map_err(|e| Error::patch(e.clone()))?;
            let res = rm.get_mut(i);
            res.store_previous_id();
            apply::apply_json_patch(res, patch)?;
        }
        Ok(())
    }
}

impl Transformer for PatchTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        self.transform_noting(rm, &mut Vec::new())
    }

    fn transform_noting(&self, rm: &mut ResMap, misses: &mut Vec<Miss>) -> Result<(), Error> {
        match &self.parsed {
            Parsed::StrategicMerge(patches) => self.transform_sm(rm, patches, misses),
            Parsed::Json(patch) => self.transform_json(rm, patch, misses),
        }
    }
}

#[cfg(test)]
#[path = "patches_tests.rs"]
mod tests;
