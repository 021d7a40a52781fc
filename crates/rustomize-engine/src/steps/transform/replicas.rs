//! The replica count transformer (kustomize's `ReplicaCountTransformer`
//! builtin and `api/filters/replicacount`): sets the replica count of the
//! resources with a given name.
//!
//! For each field spec, the resources whose current or any earlier id
//! has the name and a GVK the spec selects get the count at the spec's
//! path (created when the spec says so). The count is an integer, except
//! that a quoted value stays a string (`replicas: "3"` becomes `"5"`), as
//! in kustomize. No resource matching any spec is an error.

use super::config::{SplitSpecs, lenient_string, wrong_kind};
use crate::error::Error;
use crate::model::fieldspec::{CreateKind, FieldSpec, TransformerConfig};
use crate::model::kustomization;
use crate::model::resid::Gvk;
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::steps::Transformer;
use rustomize_yaml::{Node, Style, Tag};
use serde::{Deserialize, Deserializer};

/// Which resource, and how many replicas.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct Replica {
    /// The resource name (current or earlier).
    #[serde(alias = "Name", deserialize_with = "lenient_string")]
    pub name: String,
    /// The replica count.
    #[serde(alias = "Count", deserialize_with = "null_as_zero")]
    pub count: i64,
}

fn null_as_zero<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(Option::<i64>::deserialize(d)?.unwrap_or(0))
}

impl From<&kustomization::Replica> for Replica {
    fn from(r: &kustomization::Replica) -> Self {
        Replica {
            name: r.name.clone(),
            count: r.count,
        }
    }
}

/// Sets replica counts (the `ReplicaCountTransformer` builtin).
///
/// Read from a plugin config with serde:
///
/// ```yaml
/// apiVersion: builtin
/// kind: ReplicaCountTransformer
/// metadata:
///   name: any
/// replica:
///   name: web
///   count: 3
/// fieldSpecs:
/// - path: spec/replicas
///   create: true
///   kind: Deployment
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ReplicaCountTransformer {
    /// The resource and count.
    #[serde(alias = "Replica")]
    pub replica: Replica,
    /// Where replica counts are, by kind.
    #[serde(alias = "FieldSpecs")]
    pub field_specs: Vec<FieldSpec>,
}

impl ReplicaCountTransformer {
    /// A transformer for one replica entry.
    pub(crate) fn new(replica: Replica, field_specs: Vec<FieldSpec>) -> Self {
        ReplicaCountTransformer {
            replica,
            field_specs,
        }
    }

    /// The transformer one entry of a kustomization's `replicas` makes:
    /// the `replicas` field specs of the (merged) transformer config.
    pub(crate) fn for_replica(replica: &kustomization::Replica, tc: &TransformerConfig) -> Self {
        ReplicaCountTransformer::new(Replica::from(replica), tc.replicas.clone())
    }

    /// Whether the resource's current or an earlier id has the name and a
    /// GVK `selector` selects (kustomize's `GetMatchingResourcesByAnyId`).
    fn selects(&self, r: &Resource, selector: &Gvk) -> bool {
        let name = self.replica.name.as_str();
        let (group, version) = crate::model::resid::split_api_version(r.api_version());
        let gvk_ok = |kind: &str| {
            (selector.group.is_empty() || selector.group == group)
                && (selector.version.is_empty() || selector.version == version)
                && (selector.kind.is_empty() || selector.kind == kind)
        };
        (r.name() == name && gvk_ok(r.kind()))
            || r.meta
                .previous
                .iter()
                .any(|(_, n, k)| n == name && gvk_ok(k))
    }

    /// kyaml's `SetEntry("", count, !!int)` on the field found.
    fn set(&self, node: &mut Node) -> Result<(), Error> {
        let Node::Scalar(s) = node else {
            return Err(wrong_kind("ScalarNode", node));
        };
        // Set by this step (field provenance).
        s.src = 0;
        s.value = self.replica.count.to_string().into();
        // The node keeps its style; kyaml drops the tag of a quoted value
        // that reads as an integer anyway, so it comes back a string.
        s.tag = if s.style == Style::Plain {
            Tag::Int
        } else {
            Tag::Str
        };
        Ok(())
    }
}

impl Transformer for ReplicaCountTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        let specs = SplitSpecs::new(&self.field_specs);
        let mut found = false;
        for (index, spec) in specs.iter().enumerate() {
            let selector = spec.gvk();
            let matches: Vec<usize> = rm
                .resources()
                .iter()
                .enumerate()
                .filter(|(_, r)| self.selects(r, &selector))
                .map(|(i, _)| i)
                .collect();
            if matches.is_empty() {
                continue;
            }
            found = true;
            for i in matches {
                let node = &mut rm.get_mut(i).node;
                // The spec selected an id; its path applies if the object
                // as it is now matches too.
                let kind_ok = spec.matches(
                    node.str_at(&["apiVersion"]).unwrap_or(""),
                    node.str_at(&["kind"]).unwrap_or(""),
                );
                if kind_ok {
                    specs.apply(index, node, Some(CreateKind::Scalar), &mut |n| self.set(n))?;
                }
            }
        }
        if !found {
            let gvks: Vec<String> = self
                .field_specs
                .iter()
                .map(|s| s.gvk().to_string())
                .collect();
            return Err(Error::transformer(format!(
                "resource with name {} does not match a config with the following GVK [{}]",
                self.replica.name,
                gvks.join(" ")
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::transform::prefix_suffix::PrefixTransformer;
    use crate::testing::{print, resmap};
    use indoc::indoc;

    /// An overlay's `replicas` over a base with `namePrefix: p-`:
    /// entries match earlier names too; kubectl-verified, in input order.
    #[test]
    fn kustomization_replicas_over_a_prefixed_base() {
        let tc = TransformerConfig::default_config();
        let mut rm = resmap(indoc! {r#"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: a
            spec:
              replicas: "3"
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: a
            spec:
              replicas: null
            ---
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: a
            spec: null
            ---
            apiVersion: v1
            kind: ReplicationController
            metadata:
              name: a
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: b
            spec:
              replicas: '7'
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: c
            spec:
              replicas: 1
        "#});
        PrefixTransformer::name_prefix("p-", tc)
            .transform(&mut rm)
            .unwrap();
        for (name, count) in [("a", 5), ("p-b", 0), ("c", 2)] {
            let r = kustomization::Replica {
                name: name.into(),
                count,
            };
            ReplicaCountTransformer::for_replica(&r, tc)
                .transform(&mut rm)
                .unwrap();
        }
        let want = indoc! {r#"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: p-a
            spec:
              replicas: "5"
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: p-a
            spec:
              replicas: 5
            ---
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: p-a
            spec:
              replicas: 5
            ---
            apiVersion: v1
            kind: ReplicationController
            metadata:
              name: p-a
            spec:
              replicas: 5
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: p-b
            spec:
              replicas: "0"
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: p-c
            spec:
              replicas: 2
        "#};
        assert_eq!(print(&rm), want);
    }

    /// A plugin config that matches nothing; kubectl's message.
    #[test]
    fn no_match_is_an_error() {
        let node = rustomize_yaml::parse_one(indoc! {"
            apiVersion: builtin
            kind: ReplicaCountTransformer
            metadata:
              name: notImportantHere
            replica:
              name: service
              count: 3
            fieldSpecs:
            - path: spec/replicas
              create: true
              kind: Deployment
        "})
        .unwrap();
        let t: ReplicaCountTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        let mut rm = resmap("kind: Service\nmetadata:\n  name: service\nspec:\n");
        let err = t.transform(&mut rm).unwrap_err().report().to_string();
        assert_eq!(
            err,
            "resource with name service does not match a config with the following GVK \
             [Deployment.[noVer].[noGrp]]"
        );
    }

    #[test]
    fn config_count_is_strict() {
        let node = rustomize_yaml::parse_one("replica: {name: a, count: \"3\"}\n").unwrap();
        assert!(rustomize_yaml::de::from_node::<ReplicaCountTransformer>(&node).is_err());
        let node = rustomize_yaml::parse_one("Replica: {Name: a, Count: 3}\n").unwrap();
        let t: ReplicaCountTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        assert_eq!(
            t.replica,
            Replica {
                name: "a".into(),
                count: 3
            }
        );
    }

    #[test]
    fn non_scalar_count_is_an_error() {
        let t = ReplicaCountTransformer::new(
            Replica {
                name: "d".into(),
                count: 1,
            },
            TransformerConfig::default_config().replicas.clone(),
        );
        let mut rm = resmap(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: {a: 1}\n",
        );
        let err = t.transform(&mut rm).unwrap_err().report().to_string();
        assert!(
            err.contains("expected ScalarNode but got MappingNode"),
            "{err}"
        );
    }
}
