//! What changed inside one object, field by field: maps by key, lists by
//! their merge keys (containers by name, ports by containerPort and
//! protocol...), other lists by position after a longest-common-subsequence
//! match, so a reordered keyed list is no change and one inserted argument
//! is one addition.

use rustomize_yaml::{Node, Tag};
use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A list item by position (in the right side's list, or the left's
    /// for a removed item).
    Index(usize),
    /// A list item by its merge keys, as `(key, value)` pairs (only the
    /// keys the item has).
    Item(Vec<(String, String)>),
}

/// Where a field is in an object: `spec.template.spec.containers[dojo].image`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl fmt::Display for FieldPath {
    /// Keys joined with `.`, or `["a.b/c"]` when a key holds other
    /// characters than letters, digits, `_` and `-`; list items as `[2]`,
    /// `[name]` (one merge key) or `[containerPort=80,protocol=TCP]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{}]", serde_json::Value::from(k.as_str()))?,
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Item(keys) if keys.len() == 1 => write!(f, "[{}]", keys[0].1)?,
                Segment::Item(keys) => {
                    f.write_str("[")?;
                    for (j, (k, v)) in keys.iter().enumerate() {
                        if j > 0 {
                            f.write_str(",")?;
                        }
                        write!(f, "{k}={v}")?;
                    }
                    f.write_str("]")?;
                }
            }
        }
        Ok(())
    }
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// How one field changed.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Only the right side has it.
    Added(Node),
    /// Only the left side has it.
    Removed(Node),
    /// Both have it, with different values.
    Changed {
        /// The left side's value.
        old: Node,
        /// The right side's value.
        new: Node,
    },
}

/// One changed field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// Where.
    pub path: FieldPath,
    /// What.
    pub change: Change,
}

/// The type whose schema says how its lists merge.
#[derive(Clone, Copy, Debug)]
pub struct TypeRef<'a> {
    /// `apps/v1`.
    pub api_version: &'a str,
    /// `Deployment`.
    pub kind: &'a str,
}

/// The changes from `left` to `right` (two versions of one object), in
/// path order.
pub fn changes(ty: TypeRef<'_>, left: &Node, right: &Node) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut walk = Walk {
        ty,
        names: Vec::new(),
        path: Vec::new(),
        out: &mut out,
    };
    walk.node(left, right);
    out
}

/// Reorders the items of `right`'s keyed lists to follow `left`'s order
/// (items only `right` has stay after the item they followed), so a line
/// diff of the two shows what changed and not how lists were ordered.
pub fn align(ty: TypeRef<'_>, left: &Node, right: &mut Node) {
    let mut names = Vec::new();
    align_node(ty, &mut names, left, right);
}

struct Walk<'a, 'o> {
    ty: TypeRef<'a>,
    /// Field names from the root, for schema lookups.
    names: Vec<String>,
    path: Vec<Segment>,
    out: &'o mut Vec<FieldChange>,
}

impl Walk<'_, '_> {
    fn push(&mut self, change: Change) {
        self.out.push(FieldChange {
            path: FieldPath(self.path.clone()),
            change,
        });
    }

    fn node(&mut self, a: &Node, b: &Node) {
        match (a, b) {
            (Node::Map(ma), Node::Map(mb)) => {
                let mut keys: Vec<&str> = ma.keys().chain(mb.keys()).collect();
                keys.sort_unstable();
                keys.dedup();
                for k in keys {
                    self.path.push(Segment::Key(k.to_string()));
                    self.names.push(k.to_string());
                    match (ma.get(k), mb.get(k)) {
                        (Some(x), Some(y)) => self.node(x, y),
                        (Some(x), None) => self.push(Change::Removed(x.clone())),
                        (None, Some(y)) => self.push(Change::Added(y.clone())),
                        (None, None) => {}
                    }
                    self.names.pop();
                    self.path.pop();
                }
            }
            (Node::Seq(sa), Node::Seq(sb)) => self.list(&sa.items, &sb.items),
            (Node::Scalar(x), Node::Scalar(y)) if x == y => {}
            _ if a == b => {}
            _ => self.push(Change::Changed {
                old: a.clone(),
                new: b.clone(),
            }),
        }
    }

    fn list(&mut self, a: &[Node], b: &[Node]) {
        if a == b {
            return;
        }
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        if let Some(keys) = list_keys(self.ty, &names, a, b) {
            let ka: Vec<Vec<(String, String)>> = a.iter().map(|n| item_key(&keys, n)).collect();
            let kb: Vec<Vec<(String, String)>> = b.iter().map(|n| item_key(&keys, n)).collect();
            for (i, key) in ka.iter().enumerate() {
                self.path.push(Segment::Item(key.clone()));
                match kb.iter().position(|k| k == key) {
                    Some(j) => self.node(&a[i], &b[j]),
                    None => self.push(Change::Removed(a[i].clone())),
                }
                self.path.pop();
            }
            for (j, key) in kb.iter().enumerate() {
                if !ka.contains(key) {
                    self.path.push(Segment::Item(key.clone()));
                    self.push(Change::Added(b[j].clone()));
                    self.path.pop();
                }
            }
            return;
        }
        let fa: Vec<String> = a.iter().map(fingerprint).collect();
        let fb: Vec<String> = b.iter().map(fingerprint).collect();
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, &fa, &fb) {
            match op {
                similar::DiffOp::Equal { .. } => {}
                similar::DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    self.removed(&a[old_index..old_index + old_len], old_index);
                }
                similar::DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    self.added(&b[new_index..new_index + new_len], new_index);
                }
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let paired = old_len.min(new_len);
                    for k in 0..paired {
                        let (i, j) = (old_index + k, new_index + k);
                        self.at(j, |w| w.node(&a[i], &b[j]));
                    }
                    let (i, j) = (old_index + paired, new_index + paired);
                    self.removed(&a[i..old_index + old_len], i);
                    self.added(&b[j..new_index + new_len], j);
                }
            }
        }
    }

    /// `items`, removed from position `from` on.
    fn removed(&mut self, items: &[Node], from: usize) {
        for (k, n) in items.iter().enumerate() {
            self.at(from + k, |w| w.push(Change::Removed(n.clone())));
        }
    }

    /// `items`, added at position `from` on.
    fn added(&mut self, items: &[Node], from: usize) {
        for (k, n) in items.iter().enumerate() {
            self.at(from + k, |w| w.push(Change::Added(n.clone())));
        }
    }

    fn at(&mut self, index: usize, f: impl FnOnce(&mut Self)) {
        self.path.push(Segment::Index(index));
        f(self);
        self.path.pop();
    }
}

/// The keys a list's items are matched by: its merge keys in the builtin
/// schema, else `name`, `key` or `id` when every item has one; `None` when
/// no key identifies every item of both sides uniquely (then items are
/// matched by position).
fn list_keys(ty: TypeRef<'_>, names: &[&str], a: &[Node], b: &[Node]) -> Option<Vec<String>> {
    let gvk = rustomize_engine::Gvk::from_api_version(ty.api_version, ty.kind);
    let schema = rustomize_engine::list_merge_keys(&gvk, names);
    let mut candidates: Vec<Vec<&str>> = Vec::new();
    if !schema.is_empty() {
        candidates.push(schema);
    }
    candidates.extend([vec!["name"], vec!["key"], vec!["id"]]);
    candidates
        .into_iter()
        .find(|keys| identifies(keys, a) && identifies(keys, b))
        .map(|keys| keys.into_iter().map(String::from).collect())
}

/// Whether every item is a mapping with a scalar under the first key and
/// no two items share their key values.
fn identifies(keys: &[&str], items: &[Node]) -> bool {
    let mut seen = std::collections::HashSet::new();
    items.iter().all(|item| {
        let Some(m) = item.as_map() else {
            return false;
        };
        if !matches!(m.get(keys[0]), Some(Node::Scalar(s)) if s.tag != Tag::Null) {
            return false;
        }
        let values: Vec<&str> = keys
            .iter()
            .map(|k| m.get(k).and_then(Node::as_str).unwrap_or(""))
            .collect();
        seen.insert(values)
    })
}

/// An item's merge key values (only the keys it has).
fn item_key(keys: &[String], item: &Node) -> Vec<(String, String)> {
    keys.iter()
        .filter_map(|k| {
            item.get(k)
                .and_then(Node::as_str)
                .map(|v| (k.clone(), v.to_string()))
        })
        .collect()
}

/// A text equal for equal nodes (mapping keys sorted), for matching list
/// items by position.
fn fingerprint(n: &Node) -> String {
    let mut out = String::new();
    write_fingerprint(n, &mut out);
    out
}

fn write_fingerprint(n: &Node, out: &mut String) {
    match n {
        Node::Scalar(s) => {
            out.push_str(&format!("{:?}:", s.tag));
            out.push_str(&serde_json::Value::from(s.value.as_str()).to_string());
        }
        Node::Seq(s) => {
            out.push('[');
            for item in &s.items {
                write_fingerprint(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Node::Map(m) => {
            let mut entries: Vec<_> = m.entries.iter().collect();
            entries.sort_by(|x, y| x.key.value.cmp(&y.key.value));
            out.push('{');
            for e in entries {
                out.push_str(&serde_json::Value::from(e.key.value.as_str()).to_string());
                out.push(':');
                write_fingerprint(&e.value, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

fn align_node(ty: TypeRef<'_>, names: &mut Vec<String>, a: &Node, b: &mut Node) {
    match (a, b) {
        (Node::Map(ma), Node::Map(mb)) => {
            for e in &mut mb.entries {
                if let Some(x) = ma.get(&e.key.value) {
                    names.push(e.key.value.to_string());
                    align_node(ty, names, x, &mut e.value);
                    names.pop();
                }
            }
        }
        (Node::Seq(sa), Node::Seq(sb)) => {
            let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let Some(keys) = list_keys(ty, &name_refs, &sa.items, &sb.items) else {
                for (x, y) in sa.items.iter().zip(sb.items.iter_mut()) {
                    align_node(ty, names, x, y);
                }
                return;
            };
            let ka: Vec<_> = sa.items.iter().map(|n| item_key(&keys, n)).collect();
            // Each right item sorts by the left position of itself, or of
            // the last matched item before it.
            let mut order = Vec::with_capacity(sb.items.len());
            let mut last = None;
            for (j, item) in sb.items.iter().enumerate() {
                let pos = ka.iter().position(|k| *k == item_key(&keys, item));
                if pos.is_some() {
                    last = pos;
                }
                order.push((pos.map_or((last, 1), |p| (Some(p), 0)), j));
            }
            order.sort();
            let mut items: Vec<Option<Node>> = std::mem::take(&mut sb.items)
                .into_iter()
                .map(Some)
                .collect();
            sb.items = order.iter().filter_map(|(_, j)| items[*j].take()).collect();
            for item in &mut sb.items {
                let key = item_key(&keys, item);
                if let Some(p) = ka.iter().position(|k| *k == key) {
                    align_node(ty, names, &sa.items[p], item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
