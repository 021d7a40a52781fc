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
    /// A scalar, a map of scalars, a list of strings: kept as it is.
    Leaf,
    /// One struct.
    One(Ty),
    /// A list of structs.
    Many(Ty),
}

use Field::{Leaf, Many, One};

const GVK: [(&str, Field); 3] = [("group", Leaf), ("version", Leaf), ("kind", Leaf)];

fn fields(ty: Ty) -> Vec<(&'static str, Field)> {
    let list: &[(&str, Field)] = match ty {
        Ty::Kustomization => &[
            ("apiVersion", Leaf),
            ("kind", Leaf),
            ("metadata", One(Ty::ObjectMeta)),
            ("openapi", Leaf),
            ("namePrefix", Leaf),
            ("nameSuffix", Leaf),
            ("namespace", Leaf),
            ("commonLabels", Leaf),
            ("labels", Many(Ty::Label)),
            ("commonAnnotations", Leaf),
            ("patchesStrategicMerge", Leaf),
            ("patchesJson6902", Many(Ty::Patch)),
            ("patches", Many(Ty::Patch)),
            ("images", Many(Ty::Image)),
            ("imageTags", Many(Ty::Image)),
            ("replacements", Many(Ty::ReplacementField)),
            ("replicas", Many(Ty::Replica)),
            ("vars", Many(Ty::Var)),
            ("sortOptions", One(Ty::SortOptions)),
            ("resources", Leaf),
            ("components", Leaf),
            ("crds", Leaf),
            ("bases", Leaf),
            ("configMapGenerator", Many(Ty::ConfigMapArgs)),
            ("secretGenerator", Many(Ty::SecretArgs)),
            ("helmGlobals", One(Ty::HelmGlobals)),
            ("helmCharts", Many(Ty::HelmChart)),
            ("helmChartInflationGenerator", Many(Ty::HelmChartArgs)),
            ("generatorOptions", One(Ty::GeneratorOptions)),
            ("configurations", Leaf),
            ("generators", Leaf),
            ("transformers", Leaf),
            ("validators", Leaf),
            ("buildMetadata", Leaf),
        ],
        Ty::ObjectMeta => &[
            ("name", Leaf),
            ("namespace", Leaf),
            ("labels", Leaf),
            ("annotations", Leaf),
        ],
        Ty::Label => &[
            ("pairs", Leaf),
            ("includeSelectors", Leaf),
            ("includeTemplates", Leaf),
            ("fields", Many(Ty::FieldSpec)),
        ],
        Ty::FieldSpec => &[("path", Leaf), ("create", Leaf)],
        Ty::Patch => &[
            ("path", Leaf),
            ("patch", Leaf),
            ("target", One(Ty::Selector)),
            ("options", Leaf),
        ],
        Ty::Selector => &[
            ("name", Leaf),
            ("namespace", Leaf),
            ("annotationSelector", Leaf),
            ("labelSelector", Leaf),
        ],
        Ty::Image => &[
            ("name", Leaf),
            ("newName", Leaf),
            ("tagSuffix", Leaf),
            ("newTag", Leaf),
            ("digest", Leaf),
        ],
        Ty::ReplacementField => &[
            ("source", One(Ty::SourceSelector)),
            ("targets", Many(Ty::TargetSelector)),
            ("path", Leaf),
        ],
        Ty::SourceSelector => &[
            ("name", Leaf),
            ("namespace", Leaf),
            ("fieldPath", Leaf),
            ("options", One(Ty::FieldOptions)),
        ],
        Ty::TargetSelector => &[
            ("select", One(Ty::Selector)),
            ("reject", Many(Ty::Selector)),
            ("fieldPaths", Leaf),
            ("options", One(Ty::FieldOptions)),
        ],
        Ty::FieldOptions => &[
            ("delimiter", Leaf),
            ("index", Leaf),
            ("encoding", Leaf),
            ("create", Leaf),
        ],
        Ty::Replica => &[("name", Leaf), ("count", Leaf)],
        Ty::Var => &[
            ("name", Leaf),
            ("objref", One(Ty::VarTarget)),
            ("fieldref", One(Ty::FieldSelector)),
        ],
        Ty::VarTarget => &[("apiVersion", Leaf), ("name", Leaf), ("namespace", Leaf)],
        Ty::FieldSelector => &[("fieldPath", Leaf)],
        Ty::SortOptions => &[
            ("order", Leaf),
            ("legacySortOptions", One(Ty::LegacySortOptions)),
        ],
        Ty::LegacySortOptions => &[("orderFirst", Leaf), ("orderLast", Leaf)],
        Ty::ConfigMapArgs | Ty::SecretArgs => &[
            ("namespace", Leaf),
            ("name", Leaf),
            ("behavior", Leaf),
            ("literals", Leaf),
            ("files", Leaf),
            ("envs", Leaf),
            ("env", Leaf),
            ("options", One(Ty::GeneratorOptions)),
        ],
        Ty::GeneratorOptions => &[
            ("labels", Leaf),
            ("annotations", Leaf),
            ("disableNameSuffixHash", Leaf),
            ("immutable", Leaf),
        ],
        Ty::HelmGlobals => &[("chartHome", Leaf), ("configHome", Leaf)],
        Ty::HelmChart => &[
            ("name", Leaf),
            ("version", Leaf),
            ("repo", Leaf),
            ("releaseName", Leaf),
            ("namespace", Leaf),
            ("additionalValuesFiles", Leaf),
            ("valuesFile", Leaf),
            ("valuesInline", Leaf),
            ("valuesMerge", Leaf),
            ("includeCRDs", Leaf),
            ("skipHooks", Leaf),
            ("apiVersions", Leaf),
            ("kubeVersion", Leaf),
            ("nameTemplate", Leaf),
            ("skipTests", Leaf),
            ("debug", Leaf),
        ],
        Ty::HelmChartArgs => &[
            ("chartName", Leaf),
            ("chartVersion", Leaf),
            ("chartRepoUrl", Leaf),
            ("chartHome", Leaf),
            ("chartRepoName", Leaf),
            ("helmBin", Leaf),
            ("helmHome", Leaf),
            ("values", Leaf),
            ("valuesLocal", Leaf),
            ("valuesMerge", Leaf),
            ("releaseName", Leaf),
            ("releaseNamespace", Leaf),
            ("extraArgs", Leaf),
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
        out.push(("type", Leaf));
    }
    out
}

/// The kustomization as it comes out of kustomize's Go type: unknown fields
/// dropped at every depth, keys renamed to the field they fold to.
pub fn strip(doc: Map) -> Map {
    strip_struct(doc, Ty::Kustomization)
}

fn strip_struct(map: Map, ty: Ty) -> Map {
    let known = fields(ty);
    let mut out = Map::new();
    out.line = map.line;
    for e in map.entries {
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
            (One(t), Node::Map(m)) => Node::Map(strip_struct(m, *t)),
            (Many(t), Node::Seq(mut seq)) => {
                seq.items = seq
                    .items
                    .into_iter()
                    .map(|item| match item {
                        Node::Map(m) => Node::Map(strip_struct(m, *t)),
                        other => other,
                    })
                    .collect();
                Node::Seq(seq)
            }
            (_, other) => other,
        };
        out.insert(*name, value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_unknown_fields_at_every_depth_and_folds_case() {
        let doc = rustomize_yaml::parse_one(
            "resources: [a.yaml]\nNamePrefix: p-\ntypo: 1\npatches:\n- patch: x\n  tagret: 1\n  Target: {kind: K, labelselector: a=b, extra: 1}\nconfigMapGenerator:\n- name: g\n  literal: [a=b]\n  literals: [c=d]\nsecretGenerator:\n- name: s\n  type: Opaque\n",
        )
        .expect("yaml");
        let Node::Map(map) = doc else {
            panic!("a mapping");
        };
        let out = rustomize_yaml::emit::to_string(&Node::Map(strip(map))).expect("emit");
        assert_eq!(
            out,
            "configMapGenerator:\n- literals:\n  - c=d\n  name: g\nnamePrefix: p-\npatches:\n- patch: x\n  target:\n    kind: K\n    labelSelector: a=b\nresources:\n- a.yaml\nsecretGenerator:\n- name: s\n  type: Opaque\n"
        );
    }
}
