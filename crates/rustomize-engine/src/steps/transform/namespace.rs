//! The namespace transformer (kustomize's `NamespaceTransformer` builtin and
//! `api/filters/namespace`): sets `metadata.namespace` of every namespaced
//! resource, and the namespace fields its field specs name.
//!
//! What kustomize does, and so what this does:
//! - `metadata.namespace` is set (created if missing) on every resource
//!   whose kind the built-in schema does not call cluster-scoped; field
//!   specs for that path are ignored.
//! - A `metadata/name` field spec only applies to objects of apiVersion
//!   `v1` (so `v1 Namespace` objects are renamed to the namespace, and a
//!   custom `Namespace` kind is left alone).
//! - `RoleBinding` and `ClusterRoleBinding` (of any group) get the
//!   namespace on their `subjects` chosen by `setRoleBindingSubjects`:
//!   subjects named `default` (the default), every `ServiceAccount`
//!   subject, or none; `subjects/namespace` field specs for those kinds are
//!   ignored.
//! - The other field specs are set, creating the fields they may create.
//! - With `unsetOnly`, only fields that are missing or empty are set.
//! - Every non-empty resource records its id before the change
//!   ([`crate::model::resource::Resource::store_previous_id`]), whether or not anything changes.
//! - Two resources that end up with the same id are an error.

use super::config::{SplitSpecs, lenient_string, wrong_kind};
use crate::error::Error;
use crate::model::fieldspec::{CreateKind, FieldSpec};
use crate::model::resid::Gvk;
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use rustomize_yaml::{Map, Node, Scalar, Tag};
use serde::Deserialize;

const META_NAMESPACE_PATH: &str = "metadata/namespace";
const META_NAME_PATH: &str = "metadata/name";
/// The only apiVersion whose objects a `metadata/name` field spec renames.
const META_NAME_API_VERSION: &str = "v1";
const SUBJECTS_NAMESPACE_PATH: &str = "subjects/namespace";

/// Which `subjects` of (Cluster)RoleBindings get the namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum RoleBindingSubjects {
    /// Subjects named `default` (`defaultOnly`, also the default).
    #[default]
    DefaultOnly,
    /// Subjects of kind `ServiceAccount` (`allServiceAccounts`).
    AllServiceAccounts,
    /// No subjects (`none`).
    None,
}

impl RoleBindingSubjects {
    /// Parses kustomize's mode names; the empty string means `defaultOnly`.
    pub(crate) fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "" | "defaultOnly" => Ok(RoleBindingSubjects::DefaultOnly),
            "allServiceAccounts" => Ok(RoleBindingSubjects::AllServiceAccounts),
            "none" => Ok(RoleBindingSubjects::None),
            other => Err(Error::transformer(format!(
                "invalid value \"{other}\" for setRoleBindingSubjects: must be one of \
                 \"defaultOnly\", \"none\" or \"allServiceAccounts\""
            ))),
        }
    }
}

/// Sets namespaces (the `NamespaceTransformer` builtin).
///
/// Read from a plugin config with serde:
///
/// ```yaml
/// apiVersion: builtin
/// kind: NamespaceTransformer
/// metadata:
///   name: any
///   namespace: prod        # the namespace to set
/// fieldSpecs: [...]
/// unsetOnly: false
/// setRoleBindingSubjects: defaultOnly   # or allServiceAccounts, none
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(try_from = "NamespaceConfig")]
pub(crate) struct NamespaceTransformer {
    /// The namespace to set (`metadata.namespace` of the config); empty
    /// makes the transformer do nothing.
    pub namespace: String,
    /// Other fields that hold a namespace.
    pub field_specs: Vec<FieldSpec>,
    /// Only set fields that are missing or empty.
    pub unset_only: bool,
    /// Which role binding subjects get the namespace.
    pub set_role_binding_subjects: RoleBindingSubjects,
}

/// The plugin config as written.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct NamespaceConfig {
    #[serde(alias = "Metadata")]
    metadata: Option<ConfigMeta>,
    #[serde(alias = "FieldSpecs")]
    field_specs: Option<Vec<FieldSpec>>,
    #[serde(alias = "UnsetOnly")]
    unset_only: Option<bool>,
    #[serde(alias = "SetRoleBindingSubjects", deserialize_with = "lenient_string")]
    set_role_binding_subjects: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfigMeta {
    #[serde(alias = "Namespace", deserialize_with = "lenient_string")]
    namespace: String,
}

impl TryFrom<NamespaceConfig> for NamespaceTransformer {
    type Error = Error;

    fn try_from(c: NamespaceConfig) -> Result<Self, Error> {
        Ok(NamespaceTransformer {
            namespace: c.metadata.map(|m| m.namespace).unwrap_or_default(),
            field_specs: c.field_specs.unwrap_or_default(),
            unset_only: c.unset_only.unwrap_or(false),
            set_role_binding_subjects: RoleBindingSubjects::parse(&c.set_role_binding_subjects)?,
        })
    }
}

impl NamespaceTransformer {
    /// The transformer a kustomization's `namespace:` makes: the namespace
    /// field specs of the (merged) transformer config, default mode.
    pub(crate) fn new(namespace: impl Into<String>, field_specs: Vec<FieldSpec>) -> Self {
        NamespaceTransformer {
            namespace: namespace.into(),
            field_specs,
            ..NamespaceTransformer::default()
        }
    }

    /// Sets the namespace on one object.
    fn apply(&self, specs: &SplitSpecs<'_>, obj: &mut Node) -> Result<(), Error> {
        let api_version = obj.str_at(&["apiVersion"]).unwrap_or("").to_string();
        let kind = obj.str_at(&["kind"]).unwrap_or("").to_string();
        let gvk = Gvk::from_api_version(&api_version, &kind);

        if !gvk.is_cluster_scoped() {
            self.set_meta_namespace(obj).map_err(|e| {
                e.context(format!(
                    "considering field '{META_NAMESPACE_PATH}' of object {}",
                    object_name(obj)
                ))
            })?;
        }
        let role_binding = is_role_binding(&kind);
        if role_binding {
            self.set_subjects(obj).map_err(|e| {
                e.context(format!(
                    "setting namespace on (cluster)role binding subjects of {}",
                    object_name(obj)
                ))
            })?;
        }

        let mut matching = Vec::new();
        specs.matching(obj, &mut matching);
        for i in matching {
            let spec = specs.spec(i);
            if spec.path == META_NAMESPACE_PATH
                || (spec.path == META_NAME_PATH && api_version != META_NAME_API_VERSION)
                || (role_binding
                    && is_role_binding(&spec.kind)
                    && spec.path == SUBJECTS_NAMESPACE_PATH)
            {
                continue;
            }
            let mut not_scalar = false;
            specs
                .apply(i, obj, Some(CreateKind::Scalar), &mut |n| {
                    let r = self.set(n);
                    not_scalar = r.is_err();
                    r
                })
                .map_err(|e| {
                    if not_scalar {
                        e.context("namespace field specs must target scalar nodes")
                    } else {
                        e.context("namespace transformation failed")
                    }
                })?;
        }
        Ok(())
    }

    /// kyaml's `SetEntry` (or `SetEntryIfEmpty` with `unsetOnly`) on a
    /// scalar; a null counts as empty.
    fn set(&self, node: &mut Node) -> Result<(), Error> {
        match node {
            Node::Scalar(s) => {
                if !(self.unset_only && !s.is_null() && !s.value.is_empty()) {
                    set_string(s, &self.namespace);
                }
                Ok(())
            }
            other => Err(wrong_kind("ScalarNode", other)),
        }
    }

    /// `metadata.namespace`, created when missing. A null namespace is
    /// turned into a scalar that keeps its text (`null`, `~`), so with
    /// `unsetOnly` only an empty one is replaced, as in kustomize.
    fn set_meta_namespace(&self, obj: &mut Node) -> Result<(), Error> {
        let Node::Map(top) = obj else {
            return Ok(());
        };
        let meta = top.get_or_insert_with("metadata", Node::map);
        if meta.is_null() {
            *meta = Node::map();
        }
        self.set_namespace_field(meta)
    }

    fn set_namespace_field(&self, meta: &mut Node) -> Result<(), Error> {
        match meta {
            Node::Map(m) => {
                let field = m.get_or_insert_with("namespace", || Node::string(""));
                match field {
                    Node::Scalar(s) => {
                        if !self.unset_only || s.value.is_empty() {
                            set_string(s, &self.namespace);
                        }
                        Ok(())
                    }
                    other => Err(wrong_kind("ScalarNode", other)),
                }
            }
            Node::Seq(seq) => seq
                .items
                .iter_mut()
                .filter(|item| !item.is_null())
                .try_for_each(|item| self.set_namespace_field(item)),
            Node::Scalar(s) if s.is_null() => Ok(()),
            Node::Scalar(_) => Err(Error::transformer("expected sequence or mapping node")),
        }
    }

    /// The `subjects` of a (Cluster)RoleBinding.
    fn set_subjects(&self, obj: &mut Node) -> Result<(), Error> {
        let (field, want) = match self.set_role_binding_subjects {
            RoleBindingSubjects::None => return Ok(()),
            RoleBindingSubjects::DefaultOnly => ("name", "default"),
            RoleBindingSubjects::AllServiceAccounts => ("kind", "ServiceAccount"),
        };
        let Some(subjects) = obj.get_mut("subjects") else {
            return Ok(());
        };
        let items = match subjects {
            Node::Seq(seq) => &mut seq.items,
            n if n.is_null() => return Ok(()),
            other => return Err(wrong_kind("SequenceNode", other)),
        };
        for subject in items {
            let m = match subject {
                Node::Map(m) => m,
                n if n.is_null() => continue,
                other => {
                    return Err(wrong_kind("MappingNode", other).context(format!(
                        "looking up {field} on (cluster)role binding subject"
                    )));
                }
            };
            if subject_field_is(m, field, want).map_err(|e| {
                e.context(format!(
                    "looking up {field} on (cluster)role binding subject"
                ))
            })? {
                let ns = m.get_or_insert_with("namespace", || Node::string(""));
                self.set(ns)?;
            }
        }
        Ok(())
    }

    /// Records ids, then fails when two resources now share an id.
    fn check_conflicts(rm: &mut ResMap) -> Result<(), Error> {
        for i in 0..rm.len() {
            let r = rm.get(i);
            if r.node.is_nil_or_empty() {
                continue;
            }
            let id = r.cur_id();
            let matches = rm.positions_by_current_id(&id);
            if matches.len() != 1 {
                let ids: Vec<String> = matches
                    .iter()
                    .map(|&j| rm.get(j).cur_id().to_string())
                    .collect();
                return Err(Error::transformer(format!(
                    "namespace transformation produces ID conflict: [{}]",
                    ids.join(" ")
                )));
            }
        }
        Ok(())
    }
}

/// Whether `m[field]` is the scalar `want` (kyaml's `Lookup` then `Match`);
/// a non-scalar value is an error.
fn subject_field_is(m: &Map, field: &str, want: &str) -> Result<bool, Error> {
    match m.get(field) {
        None => Ok(false),
        Some(Node::Scalar(s)) if s.is_null() => Ok(false),
        Some(Node::Scalar(s)) => Ok(s.value == want),
        Some(other) => Err(wrong_kind("ScalarNode", other)),
    }
}

/// `Kind/name` of an object, for error messages.
fn object_name(obj: &Node) -> String {
    format!(
        "{}/{}",
        obj.str_at(&["kind"]).unwrap_or("[noKind]"),
        obj.str_at(&["metadata", "name"]).unwrap_or("[noName]")
    )
}

fn is_role_binding(kind: &str) -> bool {
    kind == "RoleBinding" || kind == "ClusterRoleBinding"
}

/// Sets a scalar to a string (the namespace is always tagged `!!str`).
fn set_string(s: &mut Scalar, value: &str) {
    // Set by this step (field provenance).
    s.src = 0;
    s.value = value.into();
    s.tag = Tag::Str;
}

impl Transformer for NamespaceTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        if self.namespace.is_empty() {
            return Ok(());
        }
        let specs = SplitSpecs::new(&self.field_specs);
        for r in rm.resources_mut().iter_mut() {
            if r.node.is_nil_or_empty() {
                continue;
            }
            r.store_previous_id();
            self.apply(&specs, &mut r.node)?;
        }
        Self::check_conflicts(rm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fieldspec::TransformerConfig;
    use crate::testing::{resmap, run};
    use indoc::indoc;

    fn from_config(yaml: &str) -> Result<NamespaceTransformer, rustomize_yaml::de::DeError> {
        let node = rustomize_yaml::parse_one(yaml).unwrap();
        rustomize_yaml::de::from_node(&node)
    }

    /// `namespace: "0123"` in a kustomization, default field specs.
    /// Expected: `kubectl kustomize` output, in input order.
    #[test]
    fn kustomization_namespace_with_default_specs() {
        let t = NamespaceTransformer::new(
            "0123",
            TransformerConfig::default_config().namespace.clone(),
        );
        let input = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
              namespace: null
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm2
              namespace: 12
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: x
            ---
            apiVersion: example.com/v1
            kind: Namespace
            metadata:
              name: y
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: cr
              namespace: foo
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: rb
            subjects:
            - kind: ServiceAccount
              name: default
            - kind: ServiceAccount
              name: default
              namespace: null
            - kind: ServiceAccount
              name: "default"
              namespace: other
            - kind: ServiceAccount
              name: sa
            ---
            apiVersion: example.com/v1
            kind: RoleBinding
            metadata:
              name: rb2
            subjects:
            - name: default
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd
            spec:
              conversion:
                webhook:
                  clientConfig:
                    service:
                      name: s
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd2
            spec:
              conversion:
                webhook:
                  clientConfig:
                    service:
                      name: s
                      namespace: old
            ---
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: as
            spec: {}
            ---
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: foo
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata:
              name: pv
              namespace: bar
        "#};
        let want = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
              namespace: "0123"
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm2
              namespace: "0123"
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: "0123"
            ---
            apiVersion: example.com/v1
            kind: Namespace
            metadata:
              name: "y"
              namespace: "0123"
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: cr
              namespace: foo
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: rb
              namespace: "0123"
            subjects:
            - kind: ServiceAccount
              name: default
              namespace: "0123"
            - kind: ServiceAccount
              name: default
              namespace: "0123"
            - kind: ServiceAccount
              name: default
              namespace: "0123"
            - kind: ServiceAccount
              name: sa
            ---
            apiVersion: example.com/v1
            kind: RoleBinding
            metadata:
              name: rb2
              namespace: "0123"
            subjects:
            - name: default
              namespace: "0123"
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd
            spec:
              conversion:
                webhook:
                  clientConfig:
                    service:
                      name: s
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd2
            spec:
              conversion:
                webhook:
                  clientConfig:
                    service:
                      name: s
                      namespace: "0123"
            ---
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: as
            spec:
              service:
                namespace: "0123"
            ---
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: foo
              namespace: "0123"
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata:
              name: pv
              namespace: bar
        "#};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    /// A plugin config with `unsetOnly`; kubectl-verified.
    #[test]
    fn unset_only_keeps_set_and_null_spelled_namespaces() {
        let t = from_config(indoc! {"
            apiVersion: builtin
            kind: NamespaceTransformer
            metadata:
              name: x
              namespace: test
            unsetOnly: true
            fieldSpecs:
            - path: spec/b
              create: true
        "})
        .unwrap();
        let input = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
              namespace: null
            spec:
              b:
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm2
              namespace:
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm3
              namespace: ~
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm4
              namespace: ""
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm5
              namespace: other
        "#};
        let want = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
              namespace: null
            spec:
              b: test
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm2
              namespace: test
            spec:
              b: test
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm3
              namespace: null
            spec:
              b: test
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm4
              namespace: test
            spec:
              b: test
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm5
              namespace: other
            spec:
              b: test
        "#};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    #[test]
    fn role_binding_subject_modes() {
        let input = indoc! {"
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: crb
            subjects:
            - kind: ServiceAccount
              name: a
              namespace: other
            - kind: ServiceAccount
              name: b
            - kind: User
              name: default
            - kind: Group
              name: g
              namespace: keep
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w
            spec:
              ns: 5
        "};
        let config = |mode: &str| {
            from_config(&format!(
                "metadata: {{namespace: prod}}\nSetRoleBindingSubjects: {mode}\nfieldSpecs:\n\
                 - {{path: subjects/namespace, kind: ClusterRoleBinding, create: true}}\n\
                 - {{path: spec/ns, kind: Widget, create: true}}\n"
            ))
            .unwrap()
        };
        let widget = indoc! {"
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w
              namespace: prod
            spec:
              ns: prod
        "};
        // kubectl-verified.
        let all = indoc! {"
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: crb
            subjects:
            - kind: ServiceAccount
              name: a
              namespace: prod
            - kind: ServiceAccount
              name: b
              namespace: prod
            - kind: User
              name: default
            - kind: Group
              name: g
              namespace: keep
            ---
        "};
        assert_eq!(
            run(&config("allServiceAccounts"), input).unwrap(),
            format!("{all}{widget}")
        );
        let none = indoc! {"
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: crb
            subjects:
            - kind: ServiceAccount
              name: a
              namespace: other
            - kind: ServiceAccount
              name: b
            - kind: User
              name: default
            - kind: Group
              name: g
              namespace: keep
            ---
        "};
        assert_eq!(
            run(&config("none"), input).unwrap(),
            format!("{none}{widget}")
        );
        let default_only = none.replace(
            "- kind: User\n  name: default\n",
            "- kind: User\n  name: default\n  namespace: prod\n",
        );
        assert_eq!(
            run(&config("defaultOnly"), input).unwrap(),
            format!("{default_only}{widget}")
        );
    }

    #[test]
    fn wrong_node_kinds_are_errors() {
        let t = NamespaceTransformer::new("prod", Vec::new());
        let cases = [
            (
                "subjects:\n  name: default\n",
                "expected SequenceNode but got MappingNode",
            ),
            (
                "subjects:\n- name: [default]\n",
                "looking up name on (cluster)role binding subject: wrong node kind: \
                 expected ScalarNode but got SequenceNode",
            ),
            (
                "subjects:\n- default\n",
                "expected MappingNode but got ScalarNode",
            ),
            (
                "subjects:\n- name: default\n  namespace: {a: b}\n",
                "expected ScalarNode but got MappingNode",
            ),
        ];
        for (subjects, want) in cases {
            let input = format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n\
                 metadata:\n  name: crb\n{subjects}"
            );
            let err = run(&t, &input).unwrap_err().report().to_string();
            assert!(err.contains(want), "{subjects}: {err}");
        }

        let t = from_config(
            "metadata: {namespace: test}\nunsetOnly: true\nfieldSpecs:\n\
             - {path: subjects, kind: ClusterRoleBinding}\n",
        )
        .unwrap();
        let err = run(
            &t,
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n\
             metadata:\n  name: crb\nsubjects:\n- name: x\n",
        )
        .unwrap_err()
        .report()
        .to_string();
        assert!(
            err.starts_with("namespace field specs must target scalar nodes: "),
            "{err}"
        );
        assert!(
            err.contains("expected ScalarNode but got SequenceNode"),
            "{err}"
        );

        let err = run(
            &t,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: [a]\n",
        )
        .unwrap_err()
        .report()
        .to_string();
        assert!(
            err.contains("expected ScalarNode but got SequenceNode"),
            "{err}"
        );
    }

    #[test]
    fn id_conflicts_are_errors() {
        let t = NamespaceTransformer::new("test", Vec::new());
        let err = run(
            &t,
            indoc! {"
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: cm
                  namespace: foo
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: cm
                  namespace: bar
            "},
        )
        .unwrap_err()
        .report()
        .to_string();
        assert!(
            err.starts_with("namespace transformation produces ID conflict"),
            "{err}"
        );
    }

    #[test]
    fn every_resource_records_its_previous_id() {
        let t = NamespaceTransformer::new("prod", Vec::new());
        let mut rm = resmap(indoc! {"
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ns
        "});
        t.transform(&mut rm).unwrap();
        let prev: Vec<_> = rm
            .resources()
            .iter()
            .map(|r| r.meta.previous.clone())
            .collect();
        assert_eq!(
            prev,
            [
                vec![("default".into(), "cm".into(), "ConfigMap".into())],
                vec![(
                    "_non_namespaceable_".into(),
                    "ns".into(),
                    "Namespace".into()
                )],
            ]
        );
        assert_eq!(rm.get(0).namespace(), "prod");
        assert_eq!(rm.get(0).org_id().namespace, "default");
    }

    #[test]
    fn empty_namespace_does_nothing() {
        let t = NamespaceTransformer::new("", Vec::new());
        let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
        t.transform(&mut rm).unwrap();
        assert!(rm.get(0).meta.previous.is_empty());
        assert_eq!(rm.get(0).namespace(), "");
    }

    #[test]
    fn config_reading() {
        let t = from_config(indoc! {"
            apiVersion: builtin
            kind: NamespaceTransformer
            metadata:
              name: x
              namespace: 5
            FieldSpecs:
            - path: metadata/name
            UnsetOnly: true
        "})
        .unwrap();
        assert_eq!(t.namespace, "5");
        assert!(t.unset_only);
        assert_eq!(t.field_specs, [FieldSpec::new("metadata/name", false)]);
        assert_eq!(
            t.set_role_binding_subjects,
            RoleBindingSubjects::DefaultOnly
        );

        let err = from_config("metadata: {namespace: a}\nsetRoleBindingSubjects: bogus\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "invalid value \"bogus\" for setRoleBindingSubjects: must be one of \
                 \"defaultOnly\", \"none\" or \"allServiceAccounts\""
            ),
            "{err}"
        );
    }
}
