//! `crds:`: OpenAPI definitions of custom types whose `x-kubernetes-*`
//! extensions add field specs (kustomize's `LoadConfigFromCRDs`): object
//! references become name references, annotated fields get common
//! annotations, label selectors get common labels, identities get prefixes.

use crate::error::Error;
use crate::model::fieldspec::{FieldSpec, NameBackReference, TransformerConfig, merge_one};
use rustomize_yaml::Node;

/// The field specs a `crds:` file (a map of type name to
/// `{Schema, Dependencies}`, JSON or YAML) contributes.
pub(crate) fn config_from_definitions(text: &str, path: &str) -> Result<TransformerConfig, Error> {
    // kustomize reads the file with sigs.k8s.io/yaml, whose yaml.v2 reads
    // the first document: what follows it is never read.
    let doc = rustomize_yaml::parse::parse_one_last_key_wins(text).map_err(|e| Error::Parse {
        file: path.to_string(),
        error: e,
    })?;
    // kustomize decodes the file into a map of definitions (structs)
    // through JSON: anything but a mapping of mappings (or nulls) is
    // refused (a resource's `kind: Secret` is a string); a null (a file of
    // blanks or comments) is no definition (kubectl-verified).
    let refused =
        || Error::field_spec(format!("unable to parse open API definition from '{path}'"));
    if text.is_empty() {
        // kustomize looks at the first byte to tell JSON from YAML, and
        // panics on an empty file.
        return Err(Error::field_spec(format!(
            "unable to parse open API definition from '{path}': the file is empty"
        )));
    }
    if doc.is_null() {
        return Ok(TransformerConfig::default());
    }
    let Node::Map(defs) = &doc else {
        return Err(refused());
    };
    if defs
        .entries
        .iter()
        .any(|e| !(matches!(e.value, Node::Map(_)) || e.value.is_null()))
    {
        return Err(refused());
    }
    let mut config = TransformerConfig::default();
    for entry in &defs.entries {
        let properties = entry.value.get_path(&["Schema", "properties"]);
        let is_object = ["kind", "apiVersion", "metadata"]
            .iter()
            .all(|p| properties.and_then(|props| props.get(p)).is_some());
        if !is_object {
            continue;
        }
        let kind = entry
            .key
            .value
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string();
        let mut seen = Vec::new();
        load_type(
            &mut config,
            &kind,
            &doc,
            &entry.key.value,
            &mut Vec::new(),
            &mut seen,
        )?;
    }
    Ok(config)
}

fn load_type(
    config: &mut TransformerConfig,
    kind: &str,
    defs: &Node,
    type_name: &str,
    path: &mut Vec<String>,
    seen: &mut Vec<String>,
) -> Result<(), Error> {
    let Some(Node::Map(props)) = defs
        .get(type_name)
        .and_then(|d| d.get_path(&["Schema", "properties"]))
    else {
        return Ok(());
    };
    // Guard against recursive types, which kustomize would loop on.
    if seen.iter().any(|s| s == type_name) {
        return Ok(());
    }
    seen.push(type_name.to_string());
    for prop in &props.entries {
        path.push(prop.key.value.to_string());
        let spec = |extra: Option<&str>| {
            let mut p = path.clone();
            if let Some(e) = extra {
                p.push(e.to_string());
            }
            FieldSpec {
                kind: kind.to_string(),
                path: p.join("/"),
                ..FieldSpec::default()
            }
        };
        let ext = |name: &str| {
            prop.value
                .get(name)
                .and_then(Node::as_scalar)
                .filter(|s| s.tag == rustomize_yaml::Tag::Str)
        };
        if ext("x-kubernetes-annotation").is_some() {
            merge_one(&mut config.common_annotations, spec(None))?;
        }
        if ext("x-kubernetes-label-selector").is_some() {
            merge_one(&mut config.common_labels, spec(None))?;
        }
        if ext("x-kubernetes-identity").is_some() {
            merge_one(&mut config.name_prefix, spec(None))?;
        }
        if let (Some(version), Some(ref_kind)) = (
            ext("x-kubernetes-object-ref-api-version"),
            ext("x-kubernetes-object-ref-kind"),
        ) {
            let name_key =
                ext("x-kubernetes-object-ref-name-key").map_or("name", |s| s.value.as_str());
            let nbr = NameBackReference {
                version: version.value.to_string(),
                kind: ref_kind.value.to_string(),
                field_specs: vec![spec(Some(name_key))],
                ..NameBackReference::default()
            };
            config.merge(&TransformerConfig {
                name_reference: vec![nbr],
                ..TransformerConfig::default()
            })?;
        }
        if let Some(reference) = prop.value.get("$ref").and_then(Node::as_str) {
            load_type(config, kind, defs, reference, path, seen)?;
        }
        path.pop();
    }
    seen.pop();
    Ok(())
}
