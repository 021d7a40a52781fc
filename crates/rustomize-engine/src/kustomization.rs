//! The kustomization file: its types, how it is read, and the fix-ups and
//! deprecation warnings kustomize applies when it loads one.

use crate::error::Error;
use crate::resid::{Gvk, ResId};
use rustomize_yaml::Node;
use serde::Deserialize;
use std::collections::BTreeMap;

/// File names a kustomization directory may use, in kustomize's order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// `apiVersion` of a Kustomization.
pub const KUSTOMIZATION_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
/// `apiVersion` of a Component.
pub const COMPONENT_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";

/// A kustomization (or component) file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Kustomization {
    pub kind: String,
    pub api_version: String,
    pub metadata: Option<ObjectMeta>,
    pub openapi: BTreeMap<String, String>,
    pub name_prefix: String,
    pub name_suffix: String,
    pub namespace: String,
    pub common_labels: Option<BTreeMap<String, String>>,
    pub labels: Vec<Label>,
    pub common_annotations: Option<BTreeMap<String, String>>,
    pub patches_strategic_merge: Option<Vec<String>>,
    #[serde(rename = "patchesJson6902")]
    pub patches_json6902: Option<Vec<Patch>>,
    pub patches: Vec<Patch>,
    pub images: Vec<Image>,
    pub image_tags: Option<Vec<Image>>,
    /// Kept raw; replacements are interpreted by the replacement transformer.
    pub replacements: Vec<Node>,
    pub replicas: Vec<Replica>,
    pub vars: Option<Vec<Var>>,
    pub sort_options: Option<SortOptions>,
    pub resources: Vec<String>,
    pub components: Vec<String>,
    pub crds: Vec<String>,
    pub bases: Option<Vec<String>>,
    pub config_map_generator: Vec<GeneratorArgs>,
    pub secret_generator: Vec<GeneratorArgs>,
    pub helm_globals: Option<HelmGlobals>,
    pub helm_charts: Vec<HelmChart>,
    pub helm_chart_inflation_generator: Vec<BTreeMap<String, serde::de::IgnoredAny>>,
    pub generator_options: Option<GeneratorOptions>,
    pub configurations: Vec<String>,
    pub generators: Vec<String>,
    pub transformers: Vec<String>,
    pub validators: Vec<String>,
    pub build_metadata: Vec<String>,
}

/// `metadata` of a kustomization.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

/// An entry of `labels`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Label {
    pub pairs: BTreeMap<String, String>,
    pub include_selectors: bool,
    pub include_templates: bool,
    #[serde(rename = "fields")]
    pub field_specs: Vec<FieldSpecArgs>,
}

/// A field spec as written in kustomization files and plugin configs.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct FieldSpecArgs {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub path: String,
    pub create: bool,
}

/// A patch entry (`patches`, `patchesJson6902`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Patch {
    pub path: String,
    pub patch: String,
    pub target: Option<Selector>,
    pub options: BTreeMap<String, bool>,
}

/// Selects resources by id (regular expressions), labels and annotations.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Selector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub annotation_selector: String,
    pub label_selector: String,
}

impl Selector {
    /// The id part of the selector.
    pub fn res_id(&self) -> ResId {
        ResId::new(
            Gvk::new(&self.group, &self.version, &self.kind),
            &self.name,
            &self.namespace,
        )
    }
}

/// An `images` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Image {
    pub name: String,
    pub new_name: String,
    pub tag_suffix: String,
    pub new_tag: String,
    pub digest: String,
}

/// A `replicas` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Replica {
    #[serde(default)]
    pub name: String,
    pub count: i64,
}

/// `sortOptions`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct SortOptions {
    pub order: String,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

/// Custom kind order for legacy sorting.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct LegacySortOptions {
    pub order_first: Vec<String>,
    pub order_last: Vec<String>,
}

/// `configMapGenerator` and `secretGenerator` entries.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct GeneratorArgs {
    pub namespace: String,
    pub name: String,
    pub behavior: String,
    pub literals: Vec<String>,
    pub files: Vec<String>,
    pub envs: Vec<String>,
    pub env: String,
    pub options: Option<GeneratorOptions>,
    /// Secret type (secretGenerator only).
    #[serde(rename = "type")]
    pub secret_type: String,
}

/// `generatorOptions`, and per-generator `options`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct GeneratorOptions {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub disable_name_suffix_hash: bool,
    pub immutable: bool,
}

impl GeneratorOptions {
    /// kustomize's `MergeGlobalOptionsIntoLocal`: local labels and
    /// annotations win; the flags are on when either sets them.
    pub fn merged(
        local: Option<&GeneratorOptions>,
        global: Option<&GeneratorOptions>,
    ) -> GeneratorOptions {
        let mut out = local.cloned().unwrap_or_default();
        if let Some(g) = global {
            for (k, v) in &g.labels {
                out.labels.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for (k, v) in &g.annotations {
                out.annotations
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
            }
            out.disable_name_suffix_hash |= g.disable_name_suffix_hash;
            out.immutable |= g.immutable;
        }
        out
    }
}

/// A `vars` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Var {
    pub name: String,
    pub objref: VarTarget,
    pub fieldref: FieldSelector,
}

/// The object a var reads from.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct VarTarget {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub namespace: String,
}

/// The field a var reads.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct FieldSelector {
    pub field_path: String,
}

/// `helmGlobals`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct HelmGlobals {
    pub chart_home: String,
    pub config_home: String,
}

/// A `helmCharts` entry (kept as written; inflation belongs to the helm
/// support).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct HelmChart {
    pub name: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, Node>,
}

/// Why a kustomization file is invalid.
pub fn parse(text: &str, display_path: &str) -> Result<(Kustomization, Vec<String>), Error> {
    let node = rustomize_yaml::parse::parse_one_last_key_wins(text).map_err(|e| Error::Yaml {
        path: display_path.into(),
        error: e,
    })?;
    if node.is_null() {
        return Err(Error::msg(format!(
            "{display_path}: kustomization file is empty"
        )));
    }
    if !matches!(node, Node::Map(_)) {
        return Err(Error::msg(format!(
            "{display_path}: invalid Kustomization: the file must hold a mapping"
        )));
    }
    let mut k: Kustomization =
        rustomize_yaml::de::from_node(&node).map_err(|e| Error::Kustomization {
            path: display_path.into(),
            error: e,
        })?;
    let warnings = k.deprecation_warnings();
    if let Some(g) = k
        .config_map_generator
        .iter()
        .find(|g| !g.secret_type.is_empty())
    {
        return Err(Error::msg(format!(
            "{display_path}: invalid Kustomization: configMapGenerator '{}': unknown field \"type\"",
            g.name
        )));
    }
    k.fix();
    k.enforce_fields()
        .map_err(|m| Error::msg(format!("{display_path}: {m}")))?;
    Ok((k, warnings))
}

impl Kustomization {
    /// Whether this is a Component.
    pub fn is_component(&self) -> bool {
        self.kind == "Component"
    }

    /// The warnings kustomize prints for deprecated fields, worded as it
    /// words them.
    pub fn deprecation_warnings(&self) -> Vec<String> {
        const FIX: &str = "Run 'kustomize edit fix' to update your Kustomization automatically.";
        let mut w = Vec::new();
        let mut warn = |present: bool, old: &str, new: &str, fix: &str| {
            if present {
                w.push(format!(
                    "# Warning: '{old}' is deprecated. Please use '{new}' instead. {fix}"
                ));
            }
        };
        warn(self.bases.is_some(), "bases", "resources", FIX);
        warn(self.common_labels.is_some(), "commonLabels", "labels", FIX);
        warn(self.image_tags.is_some(), "imageTags", "images", FIX);
        warn(
            self.patches_json6902.is_some(),
            "patchesJson6902",
            "patches",
            FIX,
        );
        warn(
            self.patches_strategic_merge.is_some(),
            "patchesStrategicMerge",
            "patches",
            FIX,
        );
        warn(
            self.vars.is_some(),
            "vars",
            "replacements",
            &format!("[EXPERIMENTAL] {FIX}"),
        );
        w
    }

    /// kustomize's `FixKustomization`: defaults kind and apiVersion, folds
    /// `bases` into `resources`, `imageTags` into `images`, `env` into `envs`.
    fn fix(&mut self) {
        if self.kind.is_empty() {
            self.kind = "Kustomization".into();
        }
        if self.api_version.is_empty() {
            self.api_version = if self.is_component() {
                COMPONENT_VERSION.into()
            } else {
                KUSTOMIZATION_VERSION.into()
            };
        }
        if let Some(bases) = self.bases.take() {
            self.resources.extend(bases);
        }
        if let Some(tags) = self.image_tags.take() {
            self.images.extend(tags);
        }
        for g in self
            .config_map_generator
            .iter_mut()
            .chain(self.secret_generator.iter_mut())
        {
            if !g.env.is_empty() {
                g.envs.push(std::mem::take(&mut g.env));
            }
        }
    }

    fn enforce_fields(&self) -> Result<(), String> {
        let mut errs = Vec::new();
        if self.kind != "Kustomization" && !self.is_component() {
            errs.push("kind should be Kustomization or Component".to_string());
        }
        let required = if self.is_component() {
            COMPONENT_VERSION
        } else {
            KUSTOMIZATION_VERSION
        };
        if self.api_version != required {
            errs.push(format!("apiVersion for {} should be {required}", self.kind));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "Failed to read kustomization file:\n{}",
                errs.join("\n")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_deprecated_fields_and_warns() {
        let (k, w) = parse(
            "resources: [a.yaml]\nbases: [../base]\nimageTags: [{name: x, newTag: v1}]\n",
            "k.yaml",
        )
        .unwrap();
        assert_eq!(k.resources, ["a.yaml", "../base"]);
        assert_eq!(k.images.len(), 1);
        assert_eq!(w.len(), 2);
        assert!(w[0].starts_with("# Warning: 'bases' is deprecated."));
    }

    #[test]
    fn rejects_unknown_fields_and_wrong_kinds() {
        assert!(parse("resourcez: []\n", "k.yaml").is_err());
        assert!(parse("kind: Deployment\nresources: []\n", "k.yaml").is_err());
        assert!(parse("", "k.yaml").is_err());
    }
}
