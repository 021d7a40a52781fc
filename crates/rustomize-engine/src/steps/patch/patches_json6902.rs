//! The `PatchJson6902Transformer` builtin: a kustomization's (deprecated)
//! `patchesJson6902:` field.
//!
//! Each entry has a `target` (with a name) and the operations in a file
//! (`path`) or inline (`patch`; `jsonOp` in the plugin config), as JSON or
//! YAML. The patch applies to every resource the target selects; selecting
//! none is not an error.

use super::apply;
use super::json6902::{self, DecodeError};
use super::patches::{configure_error, push, selector_node};
use super::selector::{select, selector_text};
use crate::error::Error;
use crate::model::kustomization::{self, Selector};
use crate::model::resmap::ResMap;
use crate::steps::{Miss, Transformer};
use rustomize_loader::Loader;
use rustomize_yaml::{Map, Node};
use serde::Deserialize;

/// Configuration of `PatchJson6902Transformer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct PatchJson6902TransformerConfig {
    /// Which resources the patch applies to; `name` is required.
    #[serde(alias = "Target")]
    pub target: Option<Selector>,
    /// File holding the operations, relative to the kustomization root.
    #[serde(alias = "Path")]
    pub path: String,
    /// Inline operations.
    #[serde(rename = "jsonOp", alias = "JsonOp", alias = "jsonop")]
    pub json_op: String,
}

impl From<&kustomization::Patch> for PatchJson6902TransformerConfig {
    fn from(p: &kustomization::Patch) -> Self {
        PatchJson6902TransformerConfig {
            target: p.target.clone(),
            path: p.path.clone(),
            json_op: p.patch.clone(),
        }
    }
}

impl PatchJson6902TransformerConfig {
    /// The config as kustomize prints it in errors.
    pub(crate) fn to_yaml(&self) -> String {
        let mut m = Map::new();
        if !self.json_op.is_empty() {
            push(&mut m, "jsonOp", Node::string(&self.json_op));
        }
        if !self.path.is_empty() {
            push(&mut m, "path", Node::string(&self.path));
        }
        if let Some(t) = &self.target {
            push(&mut m, "target", selector_node(t));
        }
        rustomize_yaml::emit::to_string(&Node::Map(m)).unwrap_or_default()
    }
}

/// The `PatchJson6902Transformer` builtin, configured.
#[derive(Clone, Debug)]
pub(crate) struct PatchJson6902Transformer {
    target: Selector,
    patch: json6902::Patch,
}

impl PatchJson6902Transformer {
    /// Configures from a `patchesJson6902:` entry; errors carry kustomize's
    /// "trouble configuring builtin" prefix.
    pub(crate) fn from_kustomization(
        entry: &kustomization::Patch,
        ldr: &Loader,
    ) -> Result<PatchJson6902Transformer, Error> {
        let config = PatchJson6902TransformerConfig::from(entry);
        let text = config.to_yaml();
        PatchJson6902Transformer::new(config, ldr)
            .map_err(|e| configure_error("PatchJson6902Transformer", &text, e))
    }

    /// Configures from a plugin config; loads and decodes the operations.
    pub(crate) fn new(
        config: PatchJson6902TransformerConfig,
        ldr: &Loader,
    ) -> Result<PatchJson6902Transformer, Error> {
        // kustomize dereferences a missing target here and crashes; say
        // what it would have said about an empty one.
        let target = match &config.target {
            Some(t) if !t.name.is_empty() => t.clone(),
            _ => return Err(Error::patch("must specify the target name")),
        };
        if config.path.is_empty() && config.json_op.is_empty() {
            return Err(Error::patch("empty file path and empty jsonOp"));
        }
        let text = if config.path.is_empty() {
            config.json_op.clone()
        } else {
            if !config.json_op.is_empty() {
                return Err(Error::patch("must specify a file path or jsonOp, not both"));
            }
            let bytes = ldr.load(&config.path)?;
            if bytes.is_empty() {
                return Err(Error::patch(format!(
                    "patch file '{}' empty seems to be empty",
                    config.path
                )));
            }
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let patch = match json6902::Patch::parse(&text) {
            Ok(p) => p,
            Err(DecodeError::Shape { json, message }) => {
                return Err(Error::patch(format!("decoding {json}: {message}")));
            }
            Err(e) => return Err(e.into()),
        };
        if patch.is_empty() {
            let json = json6902::text_to_json(&text)
                .ok()
                .and_then(|j| {
                    if text.starts_with('[') {
                        Some(text.clone())
                    } else {
                        rustomize_yaml::json::to_string(&j).ok()
                    }
                })
                .unwrap_or_default();
            return Err(Error::patch(format!(
                "patch appears to be empty; file={}, JsonOp={json}",
                config.path
            )));
        }
        Ok(PatchJson6902Transformer { target, patch })
    }
}

impl PatchJson6902Transformer {
    /// Applies `f` to the nodes the operations were read into (field
    /// provenance).
    pub(crate) fn stamp_nodes(&mut self, f: &dyn Fn(&mut Node)) {
        self.patch.stamp_nodes(f);
    }
}

impl Transformer for PatchJson6902Transformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        self.transform_noting(rm, &mut Vec::new())
    }

    fn transform_noting(&self, rm: &mut ResMap, misses: &mut Vec<Miss>) -> Result<(), Error> {
        let selected = select(rm, &self.target)?;
        if selected.is_empty() {
            misses.push(Miss {
                entry: None,
                target: None,
                selector: selector_text(&self.target),
            });
        }
        for i in selected {
            apply::apply_json_patch(rm.get_mut(i), &self.patch)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "patches_json6902_tests.rs"]
mod tests;
