//! The kustomization file: its types, how it is read, and the fix-ups and
//! deprecation warnings kustomize applies when it loads one.

use crate::error::Error;
use crate::model::resid::{Gvk, ResId};
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
    /// Deprecated; folded into `helm_globals` and `helm_charts` on load.
    pub helm_chart_inflation_generator: Vec<HelmChartArgs>,
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

/// `helmGlobals` (kustomize's `types.HelmGlobals`): settings shared by all
/// charts of a kustomization.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmGlobals {
    /// Directory holding one subdirectory per chart, relative to the
    /// kustomization root (or absolute); `charts` when empty.
    pub chart_home: String,
    /// `HELM_CONFIG_HOME` for helm (`HELM_CACHE_HOME` and `HELM_DATA_HOME`
    /// are under it); a temporary directory when empty.
    pub config_home: String,
}

/// A `helmCharts` entry (kustomize's `types.HelmChart`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmChart {
    /// The chart's name: its directory under the chart home, or the chart
    /// to pull.
    pub name: String,
    /// The chart version to pull (with `repo`).
    pub version: String,
    /// Where to pull the chart from when it is not in the chart home: a
    /// chart repository URL (`helm pull --repo`) or an `oci://` URL.
    pub repo: String,
    /// The release name (`helm template <releaseName>`); `--generate-name`
    /// when empty.
    pub release_name: String,
    /// `--namespace`: `.Release.Namespace` in the templates.
    pub namespace: String,
    /// More values files, relative to the kustomization root, passed after
    /// the main one.
    pub additional_values_files: Vec<String>,
    /// The values file to use instead of the chart's `values.yaml`.
    pub values_file: String,
    /// Values written inline, in the JSON form kustomize reads them in
    /// (YAML 1.1 types: `yes` is a boolean, numbers are floats); always a
    /// mapping when set.
    pub values_inline: Option<Node>,
    /// How `values_inline` combines with the values file: `override` (the
    /// default; inline values win), `merge` (the file's values win) or
    /// `replace` (the file is not read).
    pub values_merge: String,
    /// `--include-crds`.
    #[serde(rename = "includeCRDs")]
    pub include_crds: bool,
    /// `--no-hooks`.
    pub skip_hooks: bool,
    /// `--api-versions`, one per entry.
    pub api_versions: Vec<String>,
    /// `--kube-version`.
    pub kube_version: String,
    /// `--name-template`.
    pub name_template: String,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--debug`.
    pub debug: bool,
}

/// A `helmChartInflationGenerator` entry (kustomize's deprecated
/// `types.HelmChartArgs`), converted to [`HelmChart`] and [`HelmGlobals`]
/// when the kustomization is loaded.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct HelmChartArgs {
    pub chart_name: String,
    pub chart_version: String,
    pub chart_repo_url: String,
    pub chart_home: String,
    pub chart_repo_name: String,
    pub helm_bin: String,
    pub helm_home: String,
    pub values: String,
    pub values_local: Option<Node>,
    pub values_merge: String,
    pub release_name: String,
    pub release_namespace: String,
    pub extra_args: Vec<String>,
}

/// kustomize's `SplitHelmParameters`: charts from the deprecated entries,
/// and globals from their `chartHome` and `helmHome` (the last non-empty
/// of each wins). `releaseNamespace`, `extraArgs`, `helmBin` and
/// `chartRepoName` are dropped, as kustomize drops them.
pub(crate) fn split_helm_parameters(old: &[HelmChartArgs]) -> (Vec<HelmChart>, HelmGlobals) {
    let mut globals = HelmGlobals::default();
    let charts = old
        .iter()
        .map(|o| {
            if !o.helm_home.is_empty() {
                globals.config_home = o.helm_home.clone();
            }
            if !o.chart_home.is_empty() {
                globals.chart_home = o.chart_home.clone();
            }
            HelmChart {
                name: o.chart_name.clone(),
                version: o.chart_version.clone(),
                repo: o.chart_repo_url.clone(),
                values_file: o.values.clone(),
                values_inline: o.values_local.clone(),
                values_merge: o.values_merge.clone(),
                release_name: o.release_name.clone(),
                ..HelmChart::default()
            }
        })
        .collect();
    (charts, globals)
}

/// Why a kustomization file is invalid.
pub fn parse(text: &str, display_path: &str) -> Result<(Kustomization, Vec<String>), Error> {
    parse_keeping_node(text, display_path).map(|(k, w, _)| (k, w))
}

/// [`parse`], also returning the file's node tree (with lines and
/// columns), where provenance finds the place of each entry.
pub(crate) fn parse_keeping_node(
    text: &str,
    display_path: &str,
) -> Result<(Kustomization, Vec<String>, Node), Error> {
    let node = rustomize_yaml::parse::parse_one_last_key_wins(text).map_err(|e| Error::Parse {
        file: display_path.into(),
        error: e,
    })?;
    if node.is_null() {
        return Err(empty(display_path));
    }
    if !matches!(node, Node::Map(_)) {
        return Err(Error::kustomization(format!(
            "{display_path}: invalid Kustomization: the file must hold a mapping"
        )));
    }
    let mut k: Kustomization = rustomize_yaml::de::from_node(&node).map_err(|e| Error::Decode {
        file: display_path.into(),
        error: e,
    })?;
    if is_empty(&node) {
        return Err(empty(display_path));
    }
    k.read_helm_values(&node)
        .map_err(|m| Error::kustomization(format!("{display_path}: invalid Kustomization: {m}")))?;
    let warnings = k.deprecation_warnings();
    if let Some(g) = k
        .config_map_generator
        .iter()
        .find(|g| !g.secret_type.is_empty())
    {
        return Err(Error::kustomization(format!(
            "{display_path}: invalid Kustomization: configMapGenerator '{}': unknown field \"type\"",
            g.name
        )));
    }
    k.fix();
    k.enforce_fields()
        .map_err(|m| Error::kustomization(format!("{display_path}: {m}")))?;
    Ok((k, warnings, node))
}

/// kustomize's refusal of an empty kustomization ("kustomization.yaml is
/// empty"), naming the file.
fn empty(display_path: &str) -> Error {
    Error::kustomization(format!("{display_path} is empty"))
}

/// Whether kustomize sees the decoded kustomization as empty: every field
/// but `kind` and `apiVersion` at Go's zero value, which is a null or an
/// empty string (an empty list or mapping is not nil, so not empty).
fn is_empty(node: &Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.entries.iter().all(|e| {
            e.key.value.eq_ignore_ascii_case("kind")
                || e.key.value.eq_ignore_ascii_case("apiVersion")
                || e.value.is_null()
                || e.value.as_str() == Some("")
        })
    })
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

    /// Reads `valuesInline` (and the deprecated `valuesLocal`) of each chart
    /// as kustomize does, with YAML 1.1 types, from the file's own nodes
    /// (the typed fields do not keep how scalars were written).
    // Err: the field and Go's decoding message; `parse` wraps it in Error::Kustomization with the file.
    fn read_helm_values(&mut self, raw: &Node) -> Result<(), String> {
        let entries = |field: &str| -> Vec<&Node> {
            match raw.get(field) {
                Some(Node::Seq(seq)) => seq.items.iter().collect(),
                _ => Vec::new(),
            }
        };
        let charts = entries("helmCharts");
        for (i, chart) in self.helm_charts.iter_mut().enumerate() {
            let written = charts.get(i).and_then(|c| c.get("valuesInline"));
            chart.values_inline = crate::model::go_yaml::inline_values(written)
                .map_err(|m| format!("helmCharts[{i}].valuesInline: {m}"))?;
        }
        let old = entries("helmChartInflationGenerator");
        for (i, args) in self.helm_chart_inflation_generator.iter_mut().enumerate() {
            let written = old.get(i).and_then(|c| c.get("valuesLocal"));
            args.values_local = crate::model::go_yaml::inline_values(written)
                .map_err(|m| format!("helmChartInflationGenerator[{i}].valuesLocal: {m}"))?;
        }
        Ok(())
    }

    /// kustomize's `FixKustomization`: defaults kind and apiVersion, folds
    /// `bases` into `resources`, `imageTags` into `images`, `env` into
    /// `envs`, `helmChartInflationGenerator` into `helmCharts`.
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
        let (charts, globals) = split_helm_parameters(&self.helm_chart_inflation_generator);
        if self.helm_globals.is_none()
            && (!globals.chart_home.is_empty() || !globals.config_home.is_empty())
        {
            self.helm_globals = Some(globals);
        }
        self.helm_charts.extend(charts);
        self.helm_chart_inflation_generator.clear();
    }

    // Err: kustomize's message; `parse` wraps it in Error::Kustomization with the file.
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

/// Whether a `resources:` entry looks like a directory: a name without a
/// YAML or JSON extension (only a guess, for scheduling and sharing).
pub(crate) fn looks_like_dir(entry: &str) -> bool {
    ![".yaml", ".yml", ".json"]
        .iter()
        .any(|x| entry.ends_with(x))
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

    /// kubectl-verified: fields all null or "" (kind and apiVersion aside)
    /// make an empty kustomization; an empty list or mapping does not.
    #[test]
    fn a_kustomization_of_null_fields_is_empty_as_kustomize_says() {
        let empty = [
            "resources:\n",
            "{}\n",
            "# c\n",
            "namePrefix: \"\"\n",
            "kind: Kustomization\n",
            "apiVersion: v1\n",
            "sortOptions:\n",
        ];
        let not_empty = [
            "resources: []\n",
            "labels: []\n",
            "openapi: {}\n",
            "namePrefix: x\n",
        ];
        let mut wrong = Vec::new();
        for text in empty {
            match parse(text, "kustomization.yaml") {
                Err(e) if e.to_string() == "kustomization.yaml is empty" => {}
                other => wrong.push(format!("{text:?}: {:?}", other.map(|_| ()))),
            }
        }
        for text in not_empty {
            if let Err(e) = parse(text, "kustomization.yaml") {
                wrong.push(format!("{text:?}: {e}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// kubectl-verified: yaml.v2 reads the first document of a
    /// kustomization file; what follows, broken or not, is never read.
    #[test]
    fn only_the_first_document_of_a_kustomization_is_read() {
        for text in [
            "resources: [r.yaml]\n---\nnamePrefix: x-\n",
            "resources: [r.yaml]\n---\n: : bad [\n",
            "  resources: [r.yaml]\nnamePrefix: x-\n",
        ] {
            let (k, _) = parse(text, "k.yaml").unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(k.resources, ["r.yaml"], "{text:?}");
            assert!(k.name_prefix.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn rejects_unknown_fields_and_wrong_kinds() {
        assert!(parse("resourcez: []\n", "k.yaml").is_err());
        assert!(parse("kind: Deployment\nresources: []\n", "k.yaml").is_err());
        assert!(parse("", "k.yaml").is_err());
    }
}
