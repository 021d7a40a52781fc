//! The `PatchStrategicMergeTransformer` builtin: a kustomization's
//! (deprecated) `patchesStrategicMerge:` field.
//!
//! Each entry is first read as inline patch text; when that does not yield
//! valid patches it is read as a file path relative to the kustomization
//! root. Every patch applies to the one resource whose current or earlier
//! id is the patch's own id; none or several is an error.

use super::apply::{self, ChangeOptions};
use super::load;
use super::patches::{configure_error, push};
use crate::error::Error;
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use crate::steps::openapi::Schema;
use rustomize_loader::Loader;
use rustomize_yaml::{Map, Node};
use serde::Deserialize;
use std::sync::Arc;

/// Configuration of `PatchStrategicMergeTransformer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct PatchStrategicMergeTransformerConfig {
    /// Patch files (or inline patch text), in order.
    #[serde(alias = "Paths")]
    pub paths: Vec<String>,
    /// Inline patches (plugin configs only).
    #[serde(alias = "Patches")]
    pub patches: String,
}

impl PatchStrategicMergeTransformerConfig {
    /// The config as kustomize prints it in errors.
    pub(crate) fn to_yaml(&self) -> String {
        let mut m = Map::new();
        if !self.patches.is_empty() {
            push(&mut m, "patches", Node::string(&self.patches));
        }
        if !self.paths.is_empty() {
            let items = self.paths.iter().map(Node::string).collect();
            push(&mut m, "paths", Node::seq(items));
        }
        rustomize_yaml::emit::to_string(&Node::Map(m)).unwrap_or_default()
    }
}

/// The `PatchStrategicMergeTransformer` builtin, configured.
#[derive(Clone, Debug)]
pub(crate) struct PatchStrategicMergeTransformer {
    patches: Vec<Node>,
    /// For each patch, the entry of `paths` it came from and whether it
    /// was written inline (`None`: the config's `patches` text).
    entries: Vec<Option<(usize, bool)>>,
    schema: Option<Arc<Schema>>,
}

impl PatchStrategicMergeTransformer {
    /// Configures from a kustomization's `patchesStrategicMerge:` entries;
    /// errors carry kustomize's "trouble configuring builtin" prefix.
    pub(crate) fn from_kustomization(
        paths: &[String],
        ldr: &Loader,
    ) -> Result<PatchStrategicMergeTransformer, Error> {
        let config = PatchStrategicMergeTransformerConfig {
            paths: paths.to_vec(),
            patches: String::new(),
        };
        let text = config.to_yaml();
        PatchStrategicMergeTransformer::new(config, ldr)
            .map_err(|e| configure_error("PatchStrategicMergeTransformer", &text, e))
    }

    /// Configures from a plugin config; loads and parses every patch.
    pub(crate) fn new(
        config: PatchStrategicMergeTransformerConfig,
        ldr: &Loader,
    ) -> Result<PatchStrategicMergeTransformer, Error> {
        if config.paths.is_empty() && config.patches.is_empty() {
            return Err(Error::patch("empty file path and empty patch content"));
        }
        let mut patches = Vec::new();
        let mut entries = Vec::new();
        for (i, entry) in config.paths.iter().enumerate() {
            let (loaded, inline) = match load::sm_patches_from_text(entry) {
                Ok(inline) => (inline, true),
                Err(_) => {
                    let bytes = ldr.load(entry)?;
                    let text = String::from_utf8_lossy(&bytes);
                    let loaded = load::sm_patches_from_text(&text).map_err(|e| e.in_file(entry))?;
                    (loaded, false)
                }
            };
            entries.extend(std::iter::repeat_n(Some((i, inline)), loaded.len()));
            patches.extend(loaded);
        }
        if !config.patches.is_empty() {
            let loaded = load::sm_patches_from_text(&config.patches)?;
            entries.extend(std::iter::repeat_n(None, loaded.len()));
            patches.extend(loaded);
        }
        if patches.is_empty() {
            return Err(Error::patch(format!(
                "patch appears to be empty; files=[{}], Patch={}",
                config.paths.join(" "),
                config.patches
            )));
        }
        Ok(PatchStrategicMergeTransformer {
            patches,
            entries,
            schema: None,
        })
    }

    /// Applies `f` to each patch read from an entry of `paths`, with the
    /// entry's index and whether it was written inline (field provenance).
    pub(crate) fn stamp_nodes(&mut self, f: &dyn Fn(usize, bool, &mut Node)) {
        for (patch, entry) in self.patches.iter_mut().zip(&self.entries) {
            if let Some((i, inline)) = entry {
                f(*i, *inline, patch);
            }
        }
    }

    /// Uses `schema` (a kustomization's `openapi:`) instead of the builtin
    /// Kubernetes schema.
    pub(crate) fn with_schema(mut self, schema: Arc<Schema>) -> PatchStrategicMergeTransformer {
        self.schema = Some(schema);
        self
    }
}

impl Transformer for PatchStrategicMergeTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        for patch in &self.patches {
            let id = apply::patch_id(patch);
            let i = apply::find_by_any_id(rm, &id).map_err(Error::patch)?;
            let schema = self.schema.as_deref().unwrap_or_else(|| Schema::builtin());
            apply::apply_sm_patch_to(rm, &[i], patch, ChangeOptions::default(), schema)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "patches_strategic_merge_tests.rs"]
mod tests;
