//! Reads the `definitions` of an OpenAPI v2 document into a [`Builder`].
//!
//! Only what kyaml's merge reads is kept (see the parent module). Values
//! kyaml would choke on (a patch strategy that is not a string, a
//! group-version-kind without a version) are errors here.

use super::builder::{Builder, Id, Node as SchemaNode};
use crate::error::Error;
use rustomize_yaml::{Map, Node};

const PATCH_STRATEGY: &str = "x-kubernetes-patch-strategy";
const MERGE_KEY: &str = "x-kubernetes-patch-merge-key";
const LIST_MAP_KEYS: &str = "x-kubernetes-list-map-keys";
const GROUP_VERSION_KIND: &str = "x-kubernetes-group-version-kind";

/// Adds the definitions of `doc` to `schema` (references are resolved by
/// the caller afterwards).
pub(super) fn add(schema: &mut Builder, doc: &Node) -> Result<(), Error> {
    let root = match doc {
        Node::Map(m) => m,
        n if n.is_null() => return Ok(()),
        n => {
            return Err(Error::schema(format!(
                "openapi: the document is a {}, not a mapping",
                n.kind_name()
            )));
        }
    };
    let definitions = match root.get("definitions") {
        None => return Ok(()),
        Some(n) if n.is_null() => return Ok(()),
        Some(Node::Map(m)) => m,
        Some(n) => {
            return Err(Error::schema(format!(
                "openapi: definitions is a {}, not a mapping",
                n.kind_name()
            )));
        }
    };
    for entry in &definitions.entries {
        let name = entry.key.value.as_str();
        let in_definition = |e: Error| e.context(format!("openapi: definition {name:?}"));
        let map = schema_map(&entry.value).map_err(in_definition)?;
        let id = add_node(schema, map).map_err(in_definition)?;
        schema.definitions.insert(name.to_string(), id);
        if let Some(gvks) = map.get(GROUP_VERSION_KIND) {
            index_types(schema, gvks, id).map_err(in_definition)?;
        }
    }
    Ok(())
}

/// A schema object must be a mapping (null counts as an empty one).
fn schema_map(node: &Node) -> Result<&Map, Error> {
    static EMPTY: Map = Map {
        entries: Vec::new(),
        line: 0,
        col: 0,
        src: 0,
    };
    match node {
        Node::Map(m) => Ok(m),
        n if n.is_null() => Ok(&EMPTY),
        n => Err(Error::schema(format!(
            "a schema must be a mapping, not a {}",
            n.kind_name()
        ))),
    }
}

/// Adds one schema object and everything nested in it; returns its id.
fn add_node(schema: &mut Builder, map: &Map) -> Result<Id, Error> {
    let mut node = SchemaNode::default();
    for entry in &map.entries {
        let key = entry.key.value.as_str();
        let value = &entry.value;
        let in_key = |e: Error| e.context(key);
        match key {
            "$ref" => node.reference = Some(string(value).map_err(in_key)?.into()),
            "type" => node.is_array = is_array_type(value).map_err(in_key)?,
            "items" => {
                node.items = match value {
                    Node::Seq(s) if s.items.len() == 1 => {
                        Some(add_node(schema, schema_map(&s.items[0])?).map_err(in_key)?)
                    }
                    // A tuple of schemas: kyaml follows none of them.
                    Node::Seq(_) => None,
                    v => Some(add_node(schema, schema_map(v).map_err(in_key)?).map_err(in_key)?),
                }
            }
            "additionalProperties" => {
                node.additional = match value {
                    Node::Scalar(_) => None,
                    v => Some(add_node(schema, schema_map(v).map_err(in_key)?).map_err(in_key)?),
                }
            }
            "properties" => {
                let props = match value {
                    Node::Map(m) => m,
                    v if v.is_null() => continue,
                    v => {
                        return Err(Error::schema(format!(
                            "properties is a {}, not a mapping",
                            v.kind_name()
                        )));
                    }
                };
                node.properties.reserve(props.entries.len());
                for p in &props.entries {
                    let name = p.key.value.as_str();
                    let in_prop = |e: Error| e.context(format!("properties.{name}"));
                    let id = add_node(schema, schema_map(&p.value).map_err(in_prop)?)
                        .map_err(in_prop)?;
                    node.properties.insert(name.into(), id);
                }
            }
            PATCH_STRATEGY => node.patch_strategy = Some(string(value).map_err(in_key)?.into()),
            MERGE_KEY => node.merge_key = Some(string(value).map_err(in_key)?.into()),
            LIST_MAP_KEYS => {
                let keys = match value {
                    Node::Seq(s) => s
                        .items
                        .iter()
                        .map(|k| string(k).map(Box::from))
                        .collect::<Result<_, _>>()
                        .map_err(in_key)?,
                    v => {
                        return Err(Error::schema(format!(
                            "{key} is a {}, not a sequence",
                            v.kind_name()
                        )));
                    }
                };
                node.list_map_keys = Some(keys);
            }
            _ => {}
        }
    }
    let id = Id::try_from(schema.nodes.len())
        .map_err(|_| Error::schema("openapi: too many schema objects"))?;
    schema.nodes.push(node);
    Ok(id)
}

/// Whether `type` is exactly `array` (kyaml wants one type, `array`).
fn is_array_type(value: &Node) -> Result<bool, Error> {
    Ok(match value {
        Node::Seq(s) => s.items.len() == 1 && string(&s.items[0])? == "array",
        v if v.is_null() => false,
        v => string(v)? == "array",
    })
}

/// The text of a scalar.
fn string(node: &Node) -> Result<&str, Error> {
    match node {
        Node::Scalar(s) if !s.is_null() => Ok(&s.value),
        n => Err(Error::schema(format!(
            "expected a string, found a {}",
            n.kind_name()
        ))),
    }
}

/// Indexes definition `id` under each of its group-version-kinds.
fn index_types(schema: &mut Builder, gvks: &Node, id: Id) -> Result<(), Error> {
    let Node::Seq(list) = gvks else {
        // kyaml skips an extension that is not a list.
        return Ok(());
    };
    for gvk in &list.items {
        // kyaml skips entries that are not mappings.
        let Node::Map(m) = gvk else { continue };
        let field = |name: &str| -> Result<Option<&str>, Error> {
            m.get(name)
                .filter(|v| !v.is_null())
                .map(string)
                .transpose()
                .map_err(|e| e.context(format!("{GROUP_VERSION_KIND}: {name}")))
        };
        let missing =
            |name: &str| Error::schema(format!("{GROUP_VERSION_KIND}: an entry has no {name}"));
        let version = field("version")?.ok_or_else(|| missing("version"))?;
        let kind = field("kind")?.ok_or_else(|| missing("kind"))?;
        let api_version = match field("group")? {
            Some(g) if !g.is_empty() => format!("{g}/{version}"),
            _ => version.to_string(),
        };
        schema
            .by_type
            .entry(api_version)
            .or_default()
            .insert(kind.to_string(), id);
    }
    Ok(())
}
