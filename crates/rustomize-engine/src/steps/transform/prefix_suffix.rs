//! The name prefix and suffix transformers (kustomize's `PrefixTransformer`
//! and `SuffixTransformer` builtins, `api/filters/prefix` and `suffix`).
//!
//! For each resource, unless its original kind is a
//! `CustomResourceDefinition` or a `Namespace` (any group) or an
//! `apiregistration.k8s.io` `APIService`, each field spec whose GVK selects
//! the resource's original id is applied: the text of the field found
//! (also of a null, which reads `null`, `~` or nothing) gets the prefix or
//! suffix, and keeps the type its new text has in its style (`name: 23`
//! with prefix `1` becomes the integer `123`, as in kustomize). A
//! `metadata/name` spec also records the rename: the prefix or suffix in
//! [`BuildMeta`](crate::model::resource::BuildMeta) and the id before it
//! ([`Resource::store_previous_id`](crate::model::resource::Resource::store_previous_id)),
//! when the prefix or suffix is not empty.

use super::config::{SplitSpecs, lenient_string, wrong_kind};
use crate::error::Error;
use crate::model::fieldspec::{self, CreateKind, FieldSpec, TransformerConfig};
use crate::model::resid::Gvk;
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use rustomize_yaml::Node;
use serde::Deserialize;

const META_NAME_PATH: &str = "metadata/name";

/// Adds a prefix to names (the `PrefixTransformer` builtin).
///
/// Read from a plugin config with serde (`fieldSpecs` is required):
///
/// ```yaml
/// apiVersion: builtin
/// kind: PrefixTransformer
/// metadata:
///   name: any
/// prefix: dev-
/// fieldSpecs:
/// - path: metadata/name
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(try_from = "PrefixConfig")]
pub(crate) struct PrefixTransformer {
    /// The prefix.
    pub prefix: String,
    /// The fields to prefix.
    pub field_specs: Vec<FieldSpec>,
}

/// Adds a suffix to names (the `SuffixTransformer` builtin).
///
/// Read from a plugin config like [`PrefixTransformer`], with `suffix`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(try_from = "SuffixConfig")]
pub(crate) struct SuffixTransformer {
    /// The suffix.
    pub suffix: String,
    /// The fields to suffix.
    pub field_specs: Vec<FieldSpec>,
}

/// The legacy `PrefixSuffixTransformer` builtin: one config read as both a
/// [`PrefixTransformer`] and a [`SuffixTransformer`], run in that order.
///
/// ```yaml
/// apiVersion: builtin
/// kind: PrefixSuffixTransformer
/// metadata:
///   name: any
/// prefix: baked-
/// suffix: -pie
/// fieldSpecs:
/// - path: metadata/name
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(try_from = "PrefixSuffixConfig")]
pub(crate) struct PrefixSuffixTransformer {
    /// Runs first.
    pub prefix: PrefixTransformer,
    /// Runs second.
    pub suffix: SuffixTransformer,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PrefixSuffixConfig {
    #[serde(alias = "Prefix", deserialize_with = "lenient_string")]
    prefix: String,
    #[serde(alias = "Suffix", deserialize_with = "lenient_string")]
    suffix: String,
    #[serde(alias = "FieldSpecs")]
    field_specs: Option<Vec<FieldSpec>>,
}

impl TryFrom<PrefixSuffixConfig> for PrefixSuffixTransformer {
    type Error = Error;

    fn try_from(c: PrefixSuffixConfig) -> Result<Self, Error> {
        let specs = required(c.field_specs)?;
        Ok(PrefixSuffixTransformer {
            prefix: PrefixTransformer::new(c.prefix, specs.clone()),
            suffix: SuffixTransformer::new(c.suffix, specs),
        })
    }
}

impl Transformer for PrefixSuffixTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        self.prefix.transform(rm)?;
        self.suffix.transform(rm)
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PrefixConfig {
    #[serde(alias = "Prefix", deserialize_with = "lenient_string")]
    prefix: String,
    #[serde(alias = "FieldSpecs")]
    field_specs: Option<Vec<FieldSpec>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SuffixConfig {
    #[serde(alias = "Suffix", deserialize_with = "lenient_string")]
    suffix: String,
    #[serde(alias = "FieldSpecs")]
    field_specs: Option<Vec<FieldSpec>>,
}

fn required(specs: Option<Vec<FieldSpec>>) -> Result<Vec<FieldSpec>, Error> {
    specs.ok_or_else(|| Error::transformer("fieldSpecs is not expected to be nil"))
}

impl TryFrom<PrefixConfig> for PrefixTransformer {
    type Error = Error;

    fn try_from(c: PrefixConfig) -> Result<Self, Error> {
        Ok(PrefixTransformer {
            prefix: c.prefix,
            field_specs: required(c.field_specs)?,
        })
    }
}

impl TryFrom<SuffixConfig> for SuffixTransformer {
    type Error = Error;

    fn try_from(c: SuffixConfig) -> Result<Self, Error> {
        Ok(SuffixTransformer {
            suffix: c.suffix,
            field_specs: required(c.field_specs)?,
        })
    }
}

impl PrefixTransformer {
    /// A transformer adding `prefix` at `field_specs`.
    pub(crate) fn new(prefix: impl Into<String>, field_specs: Vec<FieldSpec>) -> Self {
        PrefixTransformer {
            prefix: prefix.into(),
            field_specs,
        }
    }

    /// The transformer a kustomization's `namePrefix` makes: the
    /// `namePrefix` field specs of the (merged) transformer config.
    pub(crate) fn name_prefix(prefix: impl Into<String>, tc: &TransformerConfig) -> Self {
        PrefixTransformer::new(prefix, tc.name_prefix.clone())
    }
}

impl SuffixTransformer {
    /// A transformer adding `suffix` at `field_specs`.
    pub(crate) fn new(suffix: impl Into<String>, field_specs: Vec<FieldSpec>) -> Self {
        SuffixTransformer {
            suffix: suffix.into(),
            field_specs,
        }
    }

    /// The transformer a kustomization's `nameSuffix` makes: the
    /// `nameSuffix` field specs of the (merged) transformer config.
    pub(crate) fn name_suffix(suffix: impl Into<String>, tc: &TransformerConfig) -> Self {
        SuffixTransformer::new(suffix, tc.name_suffix.clone())
    }
}

impl Transformer for PrefixTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        rename(rm, &self.field_specs, Affix::Prefix(&self.prefix))
    }
}

impl Transformer for SuffixTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        rename(rm, &self.field_specs, Affix::Suffix(&self.suffix))
    }
}

#[derive(Clone, Copy)]
enum Affix<'a> {
    Prefix(&'a str),
    Suffix(&'a str),
}

impl Affix<'_> {
    fn affix(&self) -> &str {
        match self {
            Affix::Prefix(s) | Affix::Suffix(s) => s,
        }
    }

    fn apply(&self, name: &str) -> String {
        match self {
            Affix::Prefix(p) => format!("{p}{name}"),
            Affix::Suffix(s) => format!("{name}{s}"),
        }
    }
}

/// Kinds whose names are never changed (by their original id).
fn skipped(gvk: &Gvk) -> bool {
    match gvk.kind.as_str() {
        "CustomResourceDefinition" | "Namespace" => true,
        "APIService" => gvk.group == "apiregistration.k8s.io",
        _ => false,
    }
}

fn rename(rm: &mut ResMap, specs: &[FieldSpec], affix: Affix<'_>) -> Result<(), Error> {
    let text = affix.affix();
    let specs = SplitSpecs::new(specs);
    let mut matching = Vec::new();
    for r in rm.resources_mut().iter_mut() {
        let org = r.org_id();
        if skipped(&org.gvk) {
            continue;
        }
        // Specs are chosen by the original id; each also has to match the
        // object as it is now.
        specs.matching(&r.node, &mut matching);
        for (i, spec) in specs.iter().enumerate() {
            if !org.gvk.is_selected_by(&spec.gvk()) {
                continue;
            }
            if spec.path == META_NAME_PATH && !text.is_empty() {
                match affix {
                    Affix::Prefix(p) => {
                        crate::model::resource::push_snug(&mut r.meta.prefixes, p.to_string())
                    }
                    Affix::Suffix(s) => {
                        crate::model::resource::push_snug(&mut r.meta.suffixes, s.to_string())
                    }
                }
                r.store_previous_id();
            }
            if !matching.contains(&i) {
                continue;
            }
            specs.apply(i, &mut r.node, Some(CreateKind::Scalar), &mut |n| {
                let new = match n {
                    Node::Scalar(s) => affix.apply(&s.value),
                    other => return Err(wrong_kind("ScalarNode", other)),
                };
                // kyaml's SetScalar: no tag, so the type is what the new
                // text reads as in the node's style.
                fieldspec::set_scalar(n, &new, None)
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{print, resmap, run};
    use indoc::indoc;

    /// `namePrefix: "1"` and `nameSuffix: "0"`; kubectl-verified, in
    /// input order.
    #[test]
    fn kustomization_prefix_and_suffix() {
        let tc = TransformerConfig::default_config();
        let mut rm = resmap(indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: 23
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: '24'
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ns
            ---
            apiVersion: example.com/v1
            kind: APIService
            metadata:
              name: as
            ---
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: as
            ---
            apiVersion: example.com/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: "1.5"
        "#});
        PrefixTransformer::name_prefix("1", tc)
            .transform(&mut rm)
            .unwrap();
        SuffixTransformer::name_suffix("0", tc)
            .transform(&mut rm)
            .unwrap();
        let want = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: 1230
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: "1240"
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ns
            ---
            apiVersion: example.com/v1
            kind: APIService
            metadata:
              name: 1as0
            ---
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: as
            ---
            apiVersion: example.com/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: "11.50"
        "#};
        assert_eq!(print(&rm), want);

        let cm = rm.get(0);
        assert_eq!(cm.meta.prefixes, ["1"]);
        assert_eq!(cm.meta.suffixes, ["0"]);
        let names: Vec<&str> = cm.meta.previous.iter().map(|p| p.1.as_str()).collect();
        assert_eq!(names, ["23", "123"]);
        assert_eq!(cm.org_id().name, "23");
        assert!(rm.get(2).meta.previous.is_empty());
    }

    /// A plugin config with other fields, null values and lists on the
    /// path; kubectl-verified.
    #[test]
    fn plugin_config_on_other_fields() {
        let node = rustomize_yaml::parse_one(indoc! {"
            apiVersion: builtin
            kind: PrefixTransformer
            metadata:
              name: x
            prefix: p-
            fieldSpecs:
            - path: metadata/name
            - path: spec/a
            - path: spec/b
            - path: spec/d
              create: true
            - path: spec/e
              create: true
            - path: spec/list/x
            - path: spec/f
        "})
        .unwrap();
        let t: PrefixTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        let input = indoc! {"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            spec:
              a: null
              b: ~
              d:
              list:
              - x: 1
              - x: null
              - y: 2
              f: 1.0
        "};
        let want = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: p-cm
            spec:
              a: p-null
              b: p-~
              d: p-
              e: p-
              f: p-1.0
              list:
              - x: p-1
              - x: p-null
              - "y": 2
        "#};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    /// Specs are selected by kind, and the kind's other fields change too;
    /// kubectl-verified.
    #[test]
    fn specs_for_one_kind() {
        let node = rustomize_yaml::parse_one(indoc! {"
            suffix: -test
            FieldSpecs:
            - kind: Deployment
              path: metadata/name
            - kind: Deployment
              path: spec/template/spec/containers/name
        "})
        .unwrap();
        let t: SuffixTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        let input = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: deployment
            spec:
              template:
                spec:
                  containers:
                  - image: myapp
                    name: main
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
        "};
        let want = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: deployment-test
            spec:
              template:
                spec:
                  containers:
                  - image: myapp
                    name: main-test
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
        "};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    /// The legacy combined builtin; kubectl-verified.
    #[test]
    fn prefix_suffix_transformer() {
        let node = rustomize_yaml::parse_one(indoc! {"
            apiVersion: builtin
            kind: PrefixSuffixTransformer
            metadata:
              name: notImportantHere
            prefix: baked-
            suffix: -pie
            fieldSpecs:
            - path: metadata/name
        "})
        .unwrap();
        let t: PrefixSuffixTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        let out = run(
            &t,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: apple\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: baked-apple-pie\n"
        );
    }

    #[test]
    fn config_needs_field_specs() {
        let node = rustomize_yaml::parse_one("prefix: p-\n").unwrap();
        let err = rustomize_yaml::de::from_node::<PrefixTransformer>(&node)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("fieldSpecs is not expected to be nil"),
            "{err}"
        );
        let node = rustomize_yaml::parse_one("prefix: p-\nfieldSpecs: []\n").unwrap();
        assert!(rustomize_yaml::de::from_node::<PrefixTransformer>(&node).is_ok());
    }

    #[test]
    fn empty_prefix_records_nothing() {
        let t = PrefixTransformer::new("", vec![FieldSpec::new("metadata/name", false)]);
        let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
        t.transform(&mut rm).unwrap();
        assert!(rm.get(0).meta.prefixes.is_empty());
        assert!(rm.get(0).meta.previous.is_empty());
        assert_eq!(rm.get(0).name(), "cm");
    }

    #[test]
    fn non_scalar_name_is_an_error() {
        let t = PrefixTransformer::new("p-", vec![FieldSpec::new("spec/x", false)]);
        let err = run(
            &t,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\nspec:\n  x: {a: b}\n",
        )
        .unwrap_err()
        .report()
        .to_string();
        assert!(
            err.contains("expected ScalarNode but got MappingNode"),
            "{err}"
        );
    }
}
