//! From the build to the objects kustomize-controller applies, printed as
//! `flux build kustomization` prints them.
//!
//! The controller reads the build's YAML back as unstructured objects
//! (fluxcd/pkg `ssa/utils.ReadObjects`): documents that are not Kubernetes
//! objects (no apiVersion, kind or name) and kustomize `Kustomization`
//! objects are dropped, and any object with an `items` list is replaced by
//! its items. It labels every object with its owner
//! (`kustomize.toolkit.fluxcd.io/name` and `/namespace`), then sets
//! `spec.commonMetadata`'s labels and annotations (which win over the
//! owner labels and the objects' own). Each object is printed as YAML
//! followed by `---`.

use crate::error::Error;
use crate::kustomization::{GROUP, Kustomization};
use rustomize_yaml::{Map, Node, Tag};

/// The objects Flux applies, from the (substituted) build output.
pub fn applied(nodes: Vec<Node>, k: &Kustomization) -> Result<Vec<Node>, Error> {
    let mut out = Vec::with_capacity(nodes.len());
    for mut node in nodes {
        let kind = node.str_at(&["kind"]).unwrap_or_default();
        if kind.is_empty() {
            return Err(Error::Objects {
                message: format!(
                    "Object 'Kind' is missing in '{}'",
                    rustomize_yaml::json::to_string(&node).unwrap_or_default()
                ),
            });
        }
        if let Some(Node::Seq(items)) = node.get("items") {
            for item in &items.items {
                if !matches!(item, Node::Map(_)) {
                    return Err(Error::Objects {
                        message: format!(
                            "items member is not an object in {kind}/{}",
                            node.str_at(&["metadata", "name"]).unwrap_or_default()
                        ),
                    });
                }
                out.push(item.clone());
            }
            continue;
        }
        let is_object = !node.str_at(&["apiVersion"]).unwrap_or_default().is_empty()
            && !node
                .str_at(&["metadata", "name"])
                .unwrap_or_default()
                .is_empty();
        let is_kustomization = kind.eq_ignore_ascii_case("kustomization")
            && node
                .str_at(&["apiVersion"])
                .unwrap_or_default()
                .starts_with("kustomize.config.k8s.io/");
        if is_object && !is_kustomization {
            unstructured_numbers(&mut node);
            out.push(node);
        }
    }
    for node in &mut out {
        set_metadata(
            node,
            "labels",
            &[
                (format!("{GROUP}/name"), k.name.clone()),
                (format!("{GROUP}/namespace"), k.namespace.clone()),
            ],
        );
    }
    if k.common_metadata {
        for node in &mut out {
            set_metadata(node, "labels", &k.common_labels);
            set_metadata(node, "annotations", &k.common_annotations);
        }
    }
    Ok(out)
}

/// The YAML stream `flux build kustomization` prints: every object followed
/// by `---`.
pub fn to_yaml(objects: &[Node]) -> Result<String, Error> {
    let mut out = String::new();
    for node in objects {
        rustomize_yaml::emit::write_document(&mut out, node).map_err(|e| Error::Objects {
            message: format!(
                "printing {}/{}: {e}",
                node.str_at(&["kind"]).unwrap_or_default(),
                node.str_at(&["metadata", "name"]).unwrap_or_default()
            ),
        })?;
        out.push_str("---\n");
    }
    Ok(out)
}

/// `unstructured.SetLabels(GetLabels() + pairs)`: the map is rebuilt from
/// its values, null ones becoming `""`; when one is neither a string nor
/// null, `GetLabels` gives nothing and only the new pairs remain.
fn set_metadata(node: &mut Node, field: &str, pairs: &[(String, String)]) {
    let Some(meta) = node
        .as_map_mut()
        .map(|m| m.get_or_insert_with("metadata", Node::map))
    else {
        return;
    };
    if !matches!(meta, Node::Map(_)) {
        *meta = Node::map();
    }
    let Some(meta) = meta.as_map_mut() else {
        return;
    };
    let mut current = Map::new();
    if let Some(Node::Map(m)) = meta.get(field) {
        for e in &m.entries {
            match &e.value {
                Node::Scalar(s) if s.tag == Tag::Str => {
                    current.insert(e.key.value.clone(), Node::string(s.value.clone()))
                }
                Node::Scalar(s) if s.tag == Tag::Null => {
                    current.insert(e.key.value.clone(), Node::string(""))
                }
                _ => {
                    current = Map::new();
                    break;
                }
            }
        }
    }
    for (k, v) in pairs {
        current.insert(k.clone(), Node::string(v.clone()));
    }
    if !current.is_empty() {
        meta.insert(field, Node::Map(current));
    }
}

/// The unstructured JSON decoder keeps integers that fit an int64 and
/// makes the rest float64, which print rounded to 17 digits.
fn unstructured_numbers(node: &mut Node) {
    match node {
        Node::Scalar(s) if s.tag == Tag::Int => {
            if let Some(rustomize_yaml::resolve::Number::Uint(u)) =
                rustomize_yaml::resolve::parse_number(&s.value)
            {
                *node = crate::roundtrip::number(u as f64);
            }
        }
        Node::Scalar(_) => {}
        Node::Seq(seq) => seq.items.iter_mut().for_each(unstructured_numbers),
        Node::Map(map) => map
            .entries
            .iter_mut()
            .for_each(|e| unstructured_numbers(&mut e.value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn ks(spec: &str) -> Kustomization {
        let text = format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: apps, namespace: flux-system}}\nspec: {spec}\n"
        );
        Kustomization::from_text(&text, Path::new("ks.yaml"), None).expect("kustomization")
    }

    fn docs(text: &str) -> Vec<Node> {
        rustomize_yaml::parse_documents(text).expect("yaml")
    }

    #[test]
    fn labels_owners_and_common_metadata() {
        let k = ks(
            "{commonMetadata: {labels: {team: a, kustomize.toolkit.fluxcd.io/name: x}, annotations: {note: text}}}",
        );
        let out = applied(
            docs("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {team: b, app: c}\n"),
            &k,
        )
        .expect("applied");
        assert_eq!(
            to_yaml(&out).expect("yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    note: text\n  labels:\n    app: c\n    kustomize.toolkit.fluxcd.io/name: x\n    kustomize.toolkit.fluxcd.io/namespace: flux-system\n    team: a\n  name: c\n---\n"
        );
    }

    #[test]
    fn drops_what_is_not_applied_and_expands_lists() {
        let k = ks("{}");
        let out = applied(
            docs(concat!(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata: {name: k}\n---\n",
                "apiVersion: v1\nkind: Thing\nmetadata: {}\n---\n",
                "apiVersion: v1\nkind: ConfigMapList\nmetadata: {name: l}\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: i}}\n",
            )),
            &k,
        )
        .expect("applied");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].str_at(&["metadata", "name"]), Some("i"));
    }

    #[test]
    fn integers_past_int64_become_floats() {
        let out = applied(
            docs("apiVersion: v1\nkind: C\nmetadata: {name: c}\nv: 12345678901234567890\n"),
            &ks("{}"),
        )
        .expect("applied");
        assert!(
            to_yaml(&out)
                .expect("yaml")
                .contains("v: 12345678901234567000\n")
        );
    }
}
