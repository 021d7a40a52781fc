//! The fields of kustomize's Go `types.Kustomization` (v5.5), nested.
//!
//! Flux reads an existing kustomization file into that type with a
//! non-strict JSON decoder and writes it back: a field the type does not
//! have is dropped at any depth (where `kustomize build` rejects it), and a
//! key that differs from a field's name only in case is that field (Go's
//! JSON decoder folds case). [`strip`] does the same to a node.

use rustomize_yaml::{Map, Node};

/// A Go struct of kustomize's types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Kustomization,
    ObjectMeta,
    Label,
    FieldSpec,
    Patch,
    Selector,
    Image,
    ReplacementField,
    SourceSelector,
    TargetSelector,
    FieldOptions,
    Replica,
    Var,
    VarTarget,
    FieldSelector,
    SortOptions,
    LegacySortOptions,
    ConfigMapArgs,
    SecretArgs,
    GeneratorOptions,
    HelmGlobals,
    HelmChart,
    HelmChartArgs,
}

/// What a field holds.
#[derive(Clone, Copy, Debug)]
enum Field {
    /// A string.
    Str,
    /// A map of strings.
    StrMap,
    /// A list of strings.
    StrList,
    /// Something else (a number, a boolean, a map of booleans, free YAML):
    /// kept as it is.
    Leaf,
    /// One struct.
    One(Ty),
    /// A list of structs.
    Many(Ty),
}

use Field::{Leaf, Many, One, Str, StrList, StrMap};

const GVK: [(&str, Field); 3] = [("group", Str), ("version", Str), ("kind", Str)];

fn fields(ty: Ty) -> Vec<(&'static str, Field)> {
    let list: &[(&str, Field)] = match ty {
        Ty::Kustomization => &[
            ("apiVersion", Str),
            ("kind", Str),
            ("metadata", One(Ty::ObjectMeta)),
            ("openapi", StrMap),
            ("namePrefix", Str),
            ("nameSuffix", Str),
            ("namespace", Str),
            ("commonLabels", StrMap),
            ("labels", Many(Ty::Label)),
            ("commonAnnotations", StrMap),
            ("patchesStrategicMerge", StrList),
            ("patchesJson6902", Many(Ty::Patch)),
            ("patches", Many(Ty::Patch)),
            ("images", Many(Ty::Image)),
            ("imageTags", Many(Ty::Image)),
            ("replacements", Many(Ty::ReplacementField)),
            ("replicas", Many(Ty::Replica)),
            ("vars", Many(Ty::Var)),
            ("sortOptions", One(Ty::SortOptions)),
            ("resources", StrList),
            ("components", StrList),
            ("crds", StrList),
            ("bases", StrList),
            ("configMapGenerator", Many(Ty::ConfigMapArgs)),
            ("secretGenerator", Many(Ty::SecretArgs)),
            ("helmGlobals", One(Ty::HelmGlobals)),
            ("helmCharts", Many(Ty::HelmChart)),
            ("helmChartInflationGenerator", Many(Ty::HelmChartArgs)),
            ("generatorOptions", One(Ty::GeneratorOptions)),
            ("configurations", StrList),
            ("generators", StrList),
            ("transformers", StrList),
            ("validators", StrList),
            ("buildMetadata", StrList),
        ],
        Ty::ObjectMeta => &[
            ("name", Str),
            ("namespace", Str),
            ("labels", StrMap),
            ("annotations", StrMap),
        ],
        Ty::Label => &[
            ("pairs", StrMap),
            ("includeSelectors", Leaf),
            ("includeTemplates", Leaf),
            ("fields", Many(Ty::FieldSpec)),
        ],
        Ty::FieldSpec => &[("path", Str), ("create", Leaf)],
        Ty::Patch => &[
            ("path", Str),
            ("patch", Str),
            ("target", One(Ty::Selector)),
            ("options", Leaf),
        ],
        Ty::Selector => &[
            ("name", Str),
            ("namespace", Str),
            ("annotationSelector", Str),
            ("labelSelector", Str),
        ],
        Ty::Image => &[
            ("name", Str),
            ("newName", Str),
            ("tagSuffix", Str),
            ("newTag", Str),
            ("digest", Str),
        ],
        Ty::ReplacementField => &[
            ("source", One(Ty::SourceSelector)),
            ("targets", Many(Ty::TargetSelector)),
            ("path", Str),
        ],
        Ty::SourceSelector => &[
            ("name", Str),
            ("namespace", Str),
            ("fieldPath", Str),
            ("options", One(Ty::FieldOptions)),
        ],
        Ty::TargetSelector => &[
            ("select", One(Ty::Selector)),
            ("reject", Many(Ty::Selector)),
            ("fieldPaths", StrList),
            ("options", One(Ty::FieldOptions)),
        ],
        Ty::FieldOptions => &[
            ("delimiter", Str),
            ("index", Leaf),
            ("encoding", Str),
            ("create", Leaf),
        ],
        Ty::Replica => &[("name", Str), ("count", Leaf)],
        Ty::Var => &[
            ("name", Str),
            ("objref", One(Ty::VarTarget)),
            ("fieldref", One(Ty::FieldSelector)),
        ],
        Ty::VarTarget => &[("apiVersion", Str), ("name", Str), ("namespace", Str)],
        Ty::FieldSelector => &[("fieldPath", Str)],
        Ty::SortOptions => &[
            ("order", Str),
            ("legacySortOptions", One(Ty::LegacySortOptions)),
        ],
        Ty::LegacySortOptions => &[("orderFirst", StrList), ("orderLast", StrList)],
        Ty::ConfigMapArgs | Ty::SecretArgs => &[
            ("namespace", Str),
            ("name", Str),
            ("behavior", Str),
            ("literals", StrList),
            ("files", StrList),
            ("envs", StrList),
            ("env", Str),
            ("options", One(Ty::GeneratorOptions)),
        ],
        Ty::GeneratorOptions => &[
            ("labels", StrMap),
            ("annotations", StrMap),
            ("disableNameSuffixHash", Leaf),
            ("immutable", Leaf),
        ],
        Ty::HelmGlobals => &[("chartHome", Str), ("configHome", Str)],
        Ty::HelmChart => &[
            ("name", Str),
            ("version", Str),
            ("repo", Str),
            ("releaseName", Str),
            ("namespace", Str),
            ("additionalValuesFiles", StrList),
            ("valuesFile", Str),
            ("valuesInline", Leaf),
            ("valuesMerge", Str),
            ("includeCRDs", Leaf),
            ("skipHooks", Leaf),
            ("apiVersions", StrList),
            ("kubeVersion", Str),
            ("nameTemplate", Str),
            ("skipTests", Leaf),
            ("debug", Leaf),
        ],
        Ty::HelmChartArgs => &[
            ("chartName", Str),
            ("chartVersion", Str),
            ("chartRepoUrl", Str),
            ("chartHome", Str),
            ("chartRepoName", Str),
            ("helmBin", Str),
            ("helmHome", Str),
            ("values", Str),
            ("valuesLocal", Leaf),
            ("valuesMerge", Str),
            ("releaseName", Str),
            ("releaseNamespace", Str),
            ("extraArgs", StrList),
        ],
    };
    let mut out = list.to_vec();
    // Structs that embed a Gvk (or a ResId, which does).
    if matches!(
        ty,
        Ty::FieldSpec | Ty::Selector | Ty::SourceSelector | Ty::VarTarget
    ) {
        out.extend_from_slice(&GVK);
    }
    if ty == Ty::SecretArgs {
        out.push(("type", Str));
    }
    out
}

/// The kustomization as it comes out of kustomize's Go type: unknown fields
/// dropped at every depth, keys renamed to the field they fold to.
pub fn strip(doc: Map) -> Result<Map, String> {
    strip_struct(doc, Ty::Kustomization)
}

fn strip_struct(mut map: Map, ty: Ty) -> Result<Map, String> {
    let known = fields(ty);
    let mut out = Map::new();
    out.line = map.line;
    for e in std::mem::take(&mut map.entries) {
        let field = known
            .iter()
            .find(|(name, _)| *name == e.key.value)
            .or_else(|| {
                known
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&e.key.value))
            });
        let Some((name, shape)) = field else {
            continue;
        };
        let value = match (shape, e.value) {
            (Str, Node::Scalar(sc)) => go_string(sc),
            (StrMap, Node::Map(mut m)) => {
                // Keys as sigs.k8s.io/yaml makes them (`on` is `true`).
                let mut out = Map::new();
                for entry in std::mem::take(&mut m.entries) {
                    let key = crate::roundtrip::key_string(&entry.key)
                        .map_err(|e| format!("{name}: {e}"))?;
                    let value = match entry.value {
                        Node::Scalar(sc) => go_string(sc),
                        other => other,
                    };
                    out.insert(key, value);
                }
                Node::Map(out)
            }
            (StrList, Node::Seq(mut seq)) => {
                for item in &mut seq.items {
                    if let Node::Scalar(sc) = std::mem::take(item) {
                        *item = go_string(sc);
                    }
                }
                Node::Seq(seq)
            }
            (One(t), Node::Map(m)) => Node::Map(strip_struct(m, *t)?),
            (Many(t), Node::Seq(mut seq)) => {
                seq.items = std::mem::take(&mut seq.items)
                    .into_iter()
                    .map(|item| match item {
                        Node::Map(m) => strip_struct(m, *t).map(Node::Map),
                        other => Ok(other),
                    })
                    .collect::<Result<_, _>>()?;
                Node::Seq(seq)
            }
            (_, other) => other,
        };
        out.insert(*name, value);
    }
    Ok(out)
}

/// A scalar as a Go string field holds it (`yes` becomes `"true"`, `0777`
/// `"511"`); null stays null.
fn go_string(sc: rustomize_yaml::Scalar) -> Node {
    match crate::roundtrip::go_string_field(&sc) {
        Some(v) => Node::string(v),
        None => Node::Scalar(sc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_unknown_fields_at_every_depth_and_folds_case() {
        let doc = rustomize_yaml::parse_one(
            "resources: [a.yaml]\ncommonLabels: {v: 1.0, on: on}\nNamePrefix: p-\ntypo: 1\npatches:\n- patch: x\n  tagret: 1\n  Target: {kind: K, labelselector: a=b, extra: 1}\nconfigMapGenerator:\n- name: g\n  literal: [a=b]\n  literals: [c=d]\nsecretGenerator:\n- name: s\n  type: Opaque\n",
        )
        .expect("yaml");
        let Node::Map(map) = doc else {
            panic!("a mapping");
        };
        let out =
            rustomize_yaml::emit::to_string(&Node::Map(strip(map).expect("strips"))).expect("emit");
        assert_eq!(
            out,
            "commonLabels:\n  \"true\": \"true\"\n  v: \"1\"\nconfigMapGenerator:\n- literals:\n  - c=d\n  name: g\nnamePrefix: p-\npatches:\n- patch: x\n  target:\n    kind: K\n    labelSelector: a=b\nresources:\n- a.yaml\nsecretGenerator:\n- name: s\n  type: Opaque\n"
        );
    }
}
