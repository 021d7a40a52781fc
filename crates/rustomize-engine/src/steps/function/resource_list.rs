//! The ResourceList a KRM function reads on stdin and prints on stdout,
//! with the annotations kyaml's function runtime adds and removes around a
//! run.
//!
//! On the way in, each item carries, after its own annotations (kustomize's
//! build bookkeeping among them, see [`super::build_annotations`]):
//!
//! - `kustomize.config.k8s.io/id`: the object's id when it was sent, as
//!   YAML (kustomize matches returned objects by their id, not by this);
//! - `config.kubernetes.io/index` and `internal.config.kubernetes.io/index`:
//!   its position in the input;
//! - `internal.config.kubernetes.io/annotations-migration-resource-id`,
//!   `internal.config.kubernetes.io/id` and `config.k8s.io/id`: kyaml's
//!   bookkeeping.
//!
//! The function config goes in `functionConfig`, annotated
//! `config.kubernetes.io/local-config: "true"`.
//!
//! On the way out, kyaml reads a single ResourceList (or List) document as
//! its `items`, and anything else as a stream of objects; it then removes
//! the id and index annotations, and adds `config.kubernetes.io/path`
//! annotations that kustomize strips before printing. rustomize removes all
//! of these (and the `path` ones the input may have had) right away.

use crate::error::Error;
use rustomize_yaml::{Map, Node, Scalar};

/// `config.kubernetes.io/local-config`.
pub(super) const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";
/// kustomize's id annotation (`utils.idAnnotation`).
pub(super) const ID: &str = "kustomize.config.k8s.io/id";
/// The annotations of kyaml's function runtime (`kioutil`).
pub(super) const PATH: &str = "internal.config.kubernetes.io/path";
pub(super) const LEGACY_PATH: &str = "config.kubernetes.io/path";
const INDEX: &str = "internal.config.kubernetes.io/index";
const LEGACY_INDEX: &str = "config.kubernetes.io/index";
const KIO_ID: &str = "internal.config.kubernetes.io/id";
const LEGACY_KIO_ID: &str = "config.k8s.io/id";
const MIGRATION_ID: &str = "internal.config.kubernetes.io/annotations-migration-resource-id";
const SEQ_INDENT: &str = "internal.config.kubernetes.io/seqindent";

/// The runtime's annotations, removed from everything a function returns.
const RUNTIME: [&str; 8] = [
    PATH,
    LEGACY_PATH,
    INDEX,
    LEGACY_INDEX,
    KIO_ID,
    LEGACY_KIO_ID,
    MIGRATION_ID,
    SEQ_INDENT,
];

/// The `metadata.annotations` map of an object, made if missing (and
/// replacing anything that is not a map).
pub(super) fn annotations_mut(obj: &mut Node) -> Option<&mut Map> {
    let top = obj.as_map_mut()?;
    let meta = top.get_or_insert_with("metadata", Node::map);
    if !matches!(meta, Node::Map(_)) {
        *meta = Node::map();
    }
    let annotations = meta
        .as_map_mut()?
        .get_or_insert_with("annotations", Node::map);
    if !matches!(annotations, Node::Map(_)) {
        *annotations = Node::map();
    }
    annotations.as_map_mut()
}

/// Removes `metadata.annotations` when it is empty, as kyaml does after
/// clearing annotations.
pub(super) fn drop_empty_annotations(obj: &mut Node) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Node::as_map_mut)
        && meta
            .get("annotations")
            .is_some_and(|a| a.as_map().is_some_and(Map::is_empty))
    {
        meta.remove("annotations");
    }
}

/// Sets a string annotation.
pub(super) fn set(annotations: &mut Map, key: &str, value: impl Into<String>) {
    annotations.insert(key, Node::Scalar(Scalar::string(value.into())));
}

/// Adds the runtime's annotations to the `index`th input item.
pub(super) fn add_runtime_annotations(annotations: &mut Map, index: usize) {
    set(annotations, LEGACY_INDEX, index.to_string());
    set(annotations, INDEX, index.to_string());
    set(annotations, MIGRATION_ID, index.to_string());
    set(annotations, KIO_ID, (index + 1).to_string());
    set(annotations, LEGACY_KIO_ID, (index + 1).to_string());
}

/// Removes the runtime's annotations.
pub(super) fn remove_runtime_annotations(annotations: &mut Map) {
    for key in RUNTIME {
        annotations.remove(key);
    }
}

/// The ResourceList document: `apiVersion`, `kind`, `items`,
/// `functionConfig`, in the order kyaml writes them.
pub(super) fn write(items: &[Node], function_config: &Node) -> Result<String, Error> {
    let emit = |n: &Node| {
        rustomize_yaml::emit::to_string(n)
            .map_err(|e| Error::plugin(format!("cannot print the function's input: {e}")))
    };
    let mut out = String::with_capacity(items.len() * 512 + 256);
    out.push_str("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n");
    if items.is_empty() {
        out.push_str("items: []\n");
    } else {
        out.push_str("items:\n");
        for item in items {
            indent_into(&mut out, &emit(item)?, "- ");
        }
    }
    out.push_str("functionConfig:\n");
    indent_into(&mut out, &emit(function_config)?, "  ");
    Ok(out)
}

/// Appends `text` indented by two columns, its first line after `first`.
fn indent_into(out: &mut String, text: &str, first: &str) {
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(first);
        } else if !line.is_empty() {
            out.push_str("  ");
        }
        out.push_str(line);
        out.push('\n');
    }
}

/// What a function printed: the objects (not yet checked to be objects),
/// and its `results` when it printed a ResourceList that has them.
#[derive(Debug)]
pub(super) struct Output {
    /// The returned items, or the documents printed.
    pub items: Vec<Node>,
    /// `results` of the ResourceList.
    pub results: Option<Node>,
}

/// Reads a function's stdout as kyaml's `ByteReader` does.
// Err: what is wrong with the function's output; the step wraps it in Error::Plugin naming the function.
pub(super) fn read(stdout: &[u8]) -> Result<Output, String> {
    let text =
        std::str::from_utf8(stdout).map_err(|_| "its output is not UTF-8 text".to_string())?;
    let docs = rustomize_yaml::parse_resources(text).map_err(|e| {
        format!(
            "its output is not valid YAML: line {}, column {}: {}",
            e.line, e.column, e.message
        )
    })?;
    let mut docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
    if docs.len() == 1 {
        let kind = docs[0].str_at(&["kind"]).unwrap_or("").to_string();
        let wrapped = (kind == "ResourceList" || kind == "List")
            && (docs[0].get("items").is_some() || docs[0].get("functionConfig").is_some());
        if wrapped {
            let mut list = docs.remove(0);
            let results = list.as_map_mut().and_then(|m| m.remove("results"));
            let items = match list.as_map_mut().and_then(|m| m.remove("items")) {
                Some(Node::Seq(mut seq)) => std::mem::take(&mut seq.items),
                Some(n) if n.is_null() => Vec::new(),
                None => Vec::new(),
                Some(other) => {
                    return Err(format!(
                        "the items of its {kind} are a {}, not a list",
                        other.kind_name()
                    ));
                }
            };
            return Ok(Output { items, results });
        }
    }
    Ok(Output {
        items: docs,
        results: None,
    })
}

/// The messages of a ResourceList's `results`, one per line, for errors.
pub(super) fn result_messages(results: &Node) -> Vec<String> {
    let Some(items) = results.as_seq() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|r| {
            let message = r.str_at(&["message"])?;
            let severity = r.str_at(&["severity"]).unwrap_or("");
            Some(if severity.is_empty() {
                message.to_string()
            } else {
                format!("[{severity}] {message}")
            })
        })
        .collect()
}

/// The YAML kustomize puts in `kustomize.config.k8s.io/id` for an id
/// (`yaml.Marshal(resid.ResId)`).
pub(super) fn id_yaml(id: &crate::model::resid::ResId) -> String {
    let mut m = Map::new();
    for (k, v) in [
        ("group", &id.gvk.group),
        ("version", &id.gvk.version),
        ("kind", &id.gvk.kind),
        ("name", &id.name),
        ("namespace", &id.namespace),
    ] {
        if !v.is_empty() {
            m.insert(k, Node::string(v.as_str()));
        }
    }
    rustomize_yaml::emit::to_string(&Node::Map(m)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;
    use rustomize_yaml::parse_one;

    #[test]
    fn writes_a_resource_list_in_kyamls_field_order() {
        let items = vec![
            parse_one("kind: ConfigMap\nmetadata: {name: a}\ndata:\n  t: |\n    x\n\n    y\n")
                .unwrap(),
        ];
        let config = parse_one("kind: Fn\nmetadata: {name: f}\n").unwrap();
        let text = write(&items, &config).unwrap();
        assert_eq!(
            text,
            indoc! {"
                apiVersion: config.kubernetes.io/v1
                kind: ResourceList
                items:
                - data:
                    t: |
                      x

                      y
                  kind: ConfigMap
                  metadata:
                    name: a
                functionConfig:
                  kind: Fn
                  metadata:
                    name: f
            "}
        );
        // It reads back as the same objects.
        let back = read(text.as_bytes()).unwrap();
        assert_eq!(back.items, items);
        assert_eq!(
            write(&[], &config).unwrap().lines().nth(2),
            Some("items: []")
        );
    }

    #[test]
    fn reads_lists_and_streams_as_kyaml_does() {
        let list = read(b"kind: ResourceList\nitems:\n- {kind: A, metadata: {name: a}}\nresults:\n- {message: hi, severity: info}\n").unwrap();
        assert_eq!(list.items.len(), 1);
        assert_eq!(
            result_messages(list.results.as_ref().unwrap()),
            ["[info] hi"]
        );
        let stream =
            read(b"kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: b}\n").unwrap();
        assert_eq!(stream.items.len(), 2);
        // A single object that is not a list is one item.
        assert_eq!(
            read(b"kind: A\nmetadata: {name: a}\n").unwrap().items.len(),
            1
        );
        assert!(read(b"").unwrap().items.is_empty());
        assert!(
            read(b"a: [")
                .unwrap_err()
                .starts_with("its output is not valid YAML")
        );
        assert!(
            read(b"kind: List\nitems: 3\n")
                .unwrap_err()
                .contains("not a list")
        );
    }

    #[test]
    fn ids_are_printed_as_kustomize_marshals_them() {
        let id = crate::model::resid::ResId::new(
            crate::model::resid::Gvk::new("apps", "v1", "Deployment"),
            "web",
            "",
        );
        assert_eq!(
            id_yaml(&id),
            "group: apps\nkind: Deployment\nname: web\nversion: v1\n"
        );
    }
}
