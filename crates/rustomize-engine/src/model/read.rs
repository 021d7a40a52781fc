//! Reading resource files: YAML documents into resources, as kustomize
//! reads `resources:` files (and as `check -f` and a diff read rendered
//! output).

use crate::error::{Error, ResultExt};
use crate::model::resmap::ResMap;
use crate::model::resource::{Origin, Resource};
use rustomize_yaml::Node;
use std::sync::Arc;

/// Parses a resource file: every document that is not empty, with `*List`
/// kinds expanded into their items, as kustomize reads resources.
pub fn resources_from_bytes(
    bytes: &[u8],
    display: &str,
    origin: Option<Arc<Origin>>,
) -> Result<ResMap, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        file: display.into(),
    })?;
    let docs = rustomize_yaml::parse_resources(text).map_err(|e| Error::Parse {
        file: display.into(),
        error: e,
    })?;
    let mut rm = ResMap::new();
    let mut queue: std::collections::VecDeque<Node> = docs.into();
    while let Some(doc) = queue.pop_front() {
        // kyaml's `IsNilOrEmpty`, which kustomize's reader drops by: an
        // empty sequence too (kubectl-verified: a document `[]`).
        if is_null_or_empty_map(&doc) || matches!(&doc, Node::Seq(s) if s.items.is_empty()) {
            continue;
        }
        validate_object(&doc, display)?;
        let kind = doc.str_at(&["kind"]).unwrap_or("");
        if kind.ends_with("List")
            && let Some(items) = doc.get("items")
        {
            match items {
                Node::Seq(seq) => {
                    // kustomize queues list items after the file's other
                    // documents.
                    queue.extend(seq.items.iter().cloned());
                    continue;
                }
                n if n.is_null() => continue,
                _ => {
                    return Err(Error::InvalidObject {
                        file: display.into(),
                        line: doc.line(),
                        message: format!("expected array in {kind}/items"),
                    });
                }
            }
        }
        let mut r = Resource::new(doc);
        r.meta.origin = origin.clone();
        rm.append(r).in_file(|| display.to_string())?;
    }
    Ok(rm)
}

/// A resource the pipeline drops after a step (and a document kustomize
/// skips when it reads a file, as does an empty sequence): null, or an
/// empty mapping.
pub(crate) fn is_null_or_empty_map(n: &Node) -> bool {
    match n {
        Node::Map(m) => m.is_empty(),
        n => n.is_null(),
    }
}

fn validate_object(doc: &Node, display: &str) -> Result<(), Error> {
    let line = doc.line();
    let at = |msg: &str| Error::InvalidObject {
        file: display.into(),
        line,
        message: msg.to_string(),
    };
    let Node::Map(_) = doc else {
        return Err(at(&format!(
            "expected a Kubernetes object (a mapping), found a {}",
            doc.kind_name()
        )));
    };
    let kind = doc.str_at(&["kind"]).unwrap_or("");
    if kind.is_empty() {
        return Err(at("missing kind in object"));
    }
    if !kind.ends_with("List") && doc.str_at(&["metadata", "name"]).unwrap_or("").is_empty() {
        return Err(at(&format!(
            "missing metadata.name in object of kind {kind}"
        )));
    }
    // No check of null items in sequences: kustomize's `dropBadNodes`
    // calls `HasNilEntryInList`, which is given a `*yaml.Node` and so never
    // finds one (kyaml marks it "TODO(broken)"); `- ~` builds.
    Ok(())
}
