//! The label transformer (kustomize's `LabelTransformer` builtin and
//! `api/filters/labels`): adds string entries to the label maps its field
//! specs find (`metadata/labels`, selectors, pod templates, ...).
//!
//! For each label key, in sorted order, each field spec is walked: missing
//! maps along the path are created where the spec says `create`, a null
//! map on a created path becomes a mapping, and the entry is set to a
//! string (`"true"`, `"1"`: label values are always strings). A null
//! value at the end of a path that is not created stays null. Anything
//! else than a mapping there is an error.
//!
//! The same walk serves the annotations transformer
//! ([`super::annotations`]).

use super::config::{SplitSpecs, lenient_string_map, wrong_kind};
use crate::error::Error;
use crate::model::fieldspec::{self, CreateKind, FieldSpec, TransformerConfig};
use crate::model::kustomization::{FieldSpecArgs, Label};
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use rustomize_yaml::Node;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Adds labels (the `LabelTransformer` builtin).
///
/// Read from a plugin config with serde:
///
/// ```yaml
/// apiVersion: builtin
/// kind: LabelTransformer
/// metadata:
///   name: any
/// labels:
///   app: web
/// fieldSpecs:
/// - path: metadata/labels
///   create: true
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct LabelTransformer {
    /// The labels to set. In a plugin config any scalar is read as its
    /// string (`42` as `"42"`), as kustomize does.
    #[serde(alias = "Labels", deserialize_with = "lenient_string_map")]
    pub labels: BTreeMap<String, String>,
    /// Where label maps are.
    #[serde(alias = "FieldSpecs")]
    pub field_specs: Vec<FieldSpec>,
}

impl LabelTransformer {
    /// A transformer setting `labels` at `field_specs`.
    pub(crate) fn new(labels: BTreeMap<String, String>, field_specs: Vec<FieldSpec>) -> Self {
        LabelTransformer {
            labels,
            field_specs,
        }
    }

    /// The transformer for a kustomization's `commonLabels`: the
    /// `commonLabels` field specs of the (merged) transformer config.
    pub(crate) fn common_labels(labels: BTreeMap<String, String>, tc: &TransformerConfig) -> Self {
        LabelTransformer::new(labels, tc.common_labels.clone())
    }

    /// The transformer for one entry of a kustomization's `labels`, with
    /// the field specs kustomize gives it: the entry's own `fields`, the
    /// config's `labels` specs, then the `commonLabels` specs when
    /// `includeSelectors`, else the `templateLabels` specs when
    /// `includeTemplates` and `metadata/labels` (created).
    pub(crate) fn for_label_entry(label: &Label, tc: &TransformerConfig) -> Result<Self, Error> {
        let wrap = |e: Error| e.context("failed to merge labels");
        let mut specs: Vec<FieldSpec> = label.field_specs.iter().map(to_field_spec).collect();
        fieldspec::merge_all(&mut specs, &tc.labels).map_err(wrap)?;
        if label.include_selectors {
            fieldspec::merge_all(&mut specs, &tc.common_labels).map_err(wrap)?;
        } else {
            if label.include_templates {
                fieldspec::merge_all(&mut specs, &tc.template_labels)
                    .map_err(|e| e.context("failed to merge template fieldSpec"))?;
            }
            fieldspec::merge_one(&mut specs, FieldSpec::new("metadata/labels", true))
                .map_err(wrap)?;
        }
        Ok(LabelTransformer::new(label.pairs.clone(), specs))
    }
}

fn to_field_spec(a: &FieldSpecArgs) -> FieldSpec {
    FieldSpec {
        group: a.group.clone(),
        version: a.version.clone(),
        kind: a.kind.clone(),
        path: a.path.clone(),
        create: a.create,
    }
}

impl Transformer for LabelTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        set_entries(&self.labels, &self.field_specs, rm)
    }
}

/// Sets every entry of `entries` in the maps `specs` find, in every
/// resource (kustomize's labels and annotations filters); then drops
/// resources left empty, as kustomize's `ResMap.ApplyFilter` does.
pub(crate) fn set_entries(
    entries: &BTreeMap<String, String>,
    specs: &[FieldSpec],
    rm: &mut ResMap,
) -> Result<(), Error> {
    if entries.is_empty() {
        return Ok(());
    }
    let specs = SplitSpecs::new(specs);
    let mut matching = Vec::new();
    for r in rm.resources_mut().iter_mut() {
        // A spec's kind test cannot change while labels are set, so pick
        // the specs for this object once instead of once per key.
        specs.matching(&r.node, &mut matching);
        // kustomize walks keys in sorted order, each through every spec.
        let mut created = false;
        for (k, (key, value)) in entries.iter().enumerate() {
            let mark = crate::model::alias::CREATED_MARK + k as u32;
            for &i in &matching {
                specs.apply(i, &mut r.node, Some(CreateKind::Map), &mut |n| {
                    created |= set_entry(n, key, value, mark)?;
                    Ok(())
                })?;
            }
        }
        if created {
            crate::model::alias::collect_created(&mut r.node, &mut r.meta.aliases);
        }
    }
    if rm.resources().iter().any(|r| r.node.is_nil_or_empty()) {
        rm.retain(|r| !r.node.is_nil_or_empty());
    }
    Ok(())
}

/// kyaml's `SetEntry(key, value, !!str)` on the node a spec found.
/// Returns whether it created the entry (then marked with `mark`, since
/// kustomize shares one node between the entries one key creates).
fn set_entry(node: &mut Node, key: &str, value: &str, mark: u32) -> Result<bool, Error> {
    match node {
        Node::Map(m) => match m.get_mut(key) {
            Some(existing) => {
                *existing = Node::string(value);
                Ok(false)
            }
            None => {
                let mut s = rustomize_yaml::Scalar::string(value);
                s.line = mark;
                m.insert(key, Node::Scalar(s));
                Ok(true)
            }
        },
        // kyaml appends the entry to the null scalar, which still prints
        // as null.
        n if n.is_null() => Ok(false),
        other => Err(wrong_kind("MappingNode", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use indoc::indoc;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// `commonLabels: {app: "1"}`; kubectl-verified, in input order.
    #[test]
    fn common_labels_with_nulls_and_lists_on_the_path() {
        let t = LabelTransformer::common_labels(
            labels(&[("app", "1")]),
            TransformerConfig::default_config(),
        );
        let input = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
              labels: null
            spec:
              selector: null
              template:
                metadata:
                  labels: ~
                spec:
                  affinity:
                    podAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - labelSelector:
                          matchLabels: null
                      - labelSelector:
                          matchLabels:
                            x: y
                      - labelSelector: {}
                      - labelSelector:
                      - labelSelector:
                          matchLabels: {}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: s
            spec:
              selector:
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: j
            spec:
              selector:
                matchLabels: null
        "};
        let want = indoc! {r#"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              labels:
                app: "1"
              name: d
            spec:
              selector:
                matchLabels:
                  app: "1"
              template:
                metadata:
                  labels:
                    app: "1"
                spec:
                  affinity:
                    podAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - labelSelector:
                          matchLabels: null
                      - labelSelector:
                          matchLabels:
                            app: "1"
                            x: "y"
                      - labelSelector: {}
                      - labelSelector: null
                      - labelSelector:
                          matchLabels:
                            app: "1"
            ---
            apiVersion: v1
            kind: Service
            metadata:
              labels:
                app: "1"
              name: s
            spec:
              selector:
                app: "1"
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              labels:
                app: "1"
              name: j
            spec:
              selector:
                matchLabels: null
              template:
                metadata:
                  labels:
                    app: "1"
        "#};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    /// The field specs of each `labels:` entry; kubectl-verified.
    #[test]
    fn kustomization_labels_entries() {
        let tc = TransformerConfig::default_config();
        let entry =
            |pairs: &[(&str, &str)], sel: bool, tmpl: bool, fields: Vec<FieldSpecArgs>| Label {
                pairs: labels(pairs),
                include_selectors: sel,
                include_templates: tmpl,
                field_specs: fields,
            };
        let extra = FieldSpecArgs {
            kind: "Deployment".into(),
            path: "spec/extra".into(),
            create: true,
            ..FieldSpecArgs::default()
        };
        let transformers = [
            entry(&[("plain", "a")], false, false, vec![]),
            entry(&[("tmpl", "b")], false, true, vec![]),
            entry(&[("sel", "c")], true, false, vec![]),
            entry(&[("custom", "d")], false, false, vec![extra]),
        ]
        .iter()
        .map(|l| LabelTransformer::for_label_entry(l, tc).unwrap())
        .collect::<Vec<_>>();
        let mut rm = crate::testing::resmap(indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              template:
                spec:
                  containers: []
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: s
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: ss
            spec:
              volumeClaimTemplates: null
        "});
        for t in &transformers {
            t.transform(&mut rm).unwrap();
        }
        let want = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              labels:
                custom: d
                plain: a
                sel: c
                tmpl: b
              name: d
            spec:
              extra:
                custom: d
              selector:
                matchLabels:
                  sel: c
              template:
                metadata:
                  labels:
                    sel: c
                    tmpl: b
                spec:
                  containers: []
            ---
            apiVersion: v1
            kind: Service
            metadata:
              labels:
                custom: d
                plain: a
                sel: c
                tmpl: b
              name: s
            spec:
              selector:
                sel: c
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              labels:
                custom: d
                plain: a
                sel: c
                tmpl: b
              name: ss
            spec:
              selector:
                matchLabels:
                  sel: c
              template:
                metadata:
                  labels:
                    sel: c
                    tmpl: b
              volumeClaimTemplates: []
        "};
        assert_eq!(crate::testing::print(&rm), want);
    }

    #[test]
    fn non_maps_at_the_path_are_errors() {
        let t = LabelTransformer::new(
            labels(&[("app", "x")]),
            vec![FieldSpec::new("metadata/labels", true)],
        );
        for (labels_value, want) in [
            ("foo", "expected MappingNode but got ScalarNode"),
            ("[a]", "expected MappingNode but got SequenceNode"),
            ("\"\"", "expected MappingNode but got ScalarNode"),
        ] {
            let input = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  labels: {labels_value}\n"
            );
            let err = run(&t, &input).unwrap_err().report().to_string();
            assert!(err.contains("considering field 'metadata/labels'"), "{err}");
            assert!(err.contains(want), "{err}");
        }
    }

    /// A plugin config; values of any scalar type become strings
    /// (kubectl-verified).
    #[test]
    fn plugin_config() {
        let node = rustomize_yaml::parse_one(indoc! {r#"
            apiVersion: builtin
            kind: LabelTransformer
            metadata:
              name: notImportantHere
            labels:
              app: myApp
              quoted: "true"
              unquoted: true
              number: 42
            fieldSpecs:
            - path: spec/selector
              create: true
              version: v1
              kind: Service
            - path: metadata/labels
              create: true
        "#})
        .unwrap();
        let t: LabelTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        let out = run(
            &t,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\n    app: old\n    keep: 1\n",
        )
        .unwrap();
        assert_eq!(
            out,
            indoc! {r#"
                apiVersion: v1
                kind: Service
                metadata:
                  labels:
                    app: myApp
                    keep: 1
                    number: "42"
                    quoted: "true"
                    unquoted: "true"
                  name: s
                spec:
                  selector:
                    app: myApp
                    number: "42"
                    quoted: "true"
                    unquoted: "true"
            "#}
        );
    }

    #[test]
    fn no_labels_does_nothing() {
        let t = LabelTransformer::new(
            BTreeMap::new(),
            vec![FieldSpec::new("metadata/labels", true)],
        );
        let input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n";
        assert_eq!(run(&t, input).unwrap(), input);
    }
}
