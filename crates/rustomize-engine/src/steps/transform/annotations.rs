//! The annotations transformer (kustomize's `AnnotationsTransformer`
//! builtin and `api/filters/annotations`): adds string entries to the
//! annotation maps its field specs find. It walks exactly as the label
//! transformer does ([`super::labels`]).

use super::config::lenient_string_map;
use super::labels::set_entries;
use crate::error::Error;
use crate::model::fieldspec::{FieldSpec, TransformerConfig};
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Adds annotations (the `AnnotationsTransformer` builtin).
///
/// Read from a plugin config with serde:
///
/// ```yaml
/// apiVersion: builtin
/// kind: AnnotationsTransformer
/// metadata:
///   name: any
/// annotations:
///   team: web
/// fieldSpecs:
/// - path: metadata/annotations
///   create: true
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct AnnotationsTransformer {
    /// The annotations to set. In a plugin config any scalar is read as
    /// its string (`42` as `"42"`), as kustomize does.
    #[serde(alias = "Annotations", deserialize_with = "lenient_string_map")]
    pub annotations: BTreeMap<String, String>,
    /// Where annotation maps are.
    #[serde(alias = "FieldSpecs")]
    pub field_specs: Vec<FieldSpec>,
}

impl AnnotationsTransformer {
    /// A transformer setting `annotations` at `field_specs`.
    pub(crate) fn new(annotations: BTreeMap<String, String>, field_specs: Vec<FieldSpec>) -> Self {
        AnnotationsTransformer {
            annotations,
            field_specs,
        }
    }

    /// The transformer for a kustomization's `commonAnnotations`: the
    /// `commonAnnotations` field specs of the (merged) transformer config.
    pub(crate) fn common_annotations(
        annotations: BTreeMap<String, String>,
        tc: &TransformerConfig,
    ) -> Self {
        AnnotationsTransformer::new(annotations, tc.common_annotations.clone())
    }
}

impl Transformer for AnnotationsTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        set_entries(&self.annotations, &self.field_specs, rm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use indoc::indoc;

    /// `commonAnnotations` with the default specs; kubectl-verified, in
    /// input order.
    #[test]
    fn common_annotations_with_default_specs() {
        let t = AnnotationsTransformer::common_annotations(
            [("note", "1"), ("a/b", "x y")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            TransformerConfig::default_config(),
        );
        let input = indoc! {"
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: cj
              annotations:
                note: old
            spec:
              jobTemplate:
                spec: null
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
              annotations: null
            spec:
              template: null
            ---
            apiVersion: v1
            kind: ReplicationController
            metadata:
              name: rc
            ---
            apiVersion: example.com/v1
            kind: ReplicationController
            metadata:
              name: rc2
        "};
        let want = indoc! {r#"
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              annotations:
                a/b: x y
                note: "1"
              name: cj
            spec:
              jobTemplate:
                metadata:
                  annotations:
                    a/b: x y
                    note: "1"
                spec:
                  template:
                    metadata:
                      annotations:
                        a/b: x y
                        note: "1"
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              annotations:
                a/b: x y
                note: "1"
              name: d
            spec:
              template:
                metadata:
                  annotations:
                    a/b: x y
                    note: "1"
            ---
            apiVersion: v1
            kind: ReplicationController
            metadata:
              annotations:
                a/b: x y
                note: "1"
              name: rc
            spec:
              template:
                metadata:
                  annotations:
                    a/b: x y
                    note: "1"
            ---
            apiVersion: example.com/v1
            kind: ReplicationController
            metadata:
              annotations:
                a/b: x y
                note: "1"
              name: rc2
            spec:
              template:
                metadata:
                  annotations:
                    a/b: x y
                    note: "1"
        "#};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    /// A plugin config (`Annotations` spelled as Go field names, numbers
    /// and booleans read as strings); kubectl-verified.
    #[test]
    fn plugin_config() {
        let node = rustomize_yaml::parse_one(indoc! {r#"
            apiVersion: builtin
            kind: AnnotationsTransformer
            metadata:
              name: notImportantHere
            Annotations:
              greeting/morning: a string with blanks
              booleanNaked: true
              numberNaked: 42
            FieldSpecs:
            - path: metadata/annotations
              create: true
        "#})
        .unwrap();
        let t: AnnotationsTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        let out = run(&t, "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n").unwrap();
        assert_eq!(
            out,
            indoc! {r#"
                apiVersion: v1
                kind: Service
                metadata:
                  annotations:
                    booleanNaked: "true"
                    greeting/morning: a string with blanks
                    numberNaked: "42"
                  name: s
            "#}
        );
    }
}
