//! The compact, read-only form of a schema that lookups read: a byte
//! string of little-endian `u32` words, searched in place.
//!
//! kustomize's builtin schema is this form, generated from the JSON data
//! by [`freeze`] and embedded (`src/data/openapi/builtin.bin`, checked
//! against the JSON by the test `builtin_table_is_current`): a build reads
//! the few entries its merges need and decodes nothing (decoding the JSON
//! took two thirds of a small build's instructions). A custom schema is
//! frozen into the same form when it is loaded.
//!
//! Layout (every number a `u32`, little-endian):
//!
//! ```text
//! header   MAGIC, VERSION, then the count of each section below and the
//!          length of the string bytes
//! nodes    NODE_WORDS each: reference, flags, properties (start, length),
//!          additionalProperties, items, patch strategy, merge key,
//!          list map keys (start, length)
//! props    (name, node) pairs, sorted by name within each node's run
//! keys     string ids (each node's x-kubernetes-list-map-keys)
//! types    (apiVersion, kind, node), sorted by apiVersion then kind
//! defs     (name, node), sorted by name
//! strings  (offset, length) into the string bytes
//! bytes    the strings' UTF-8, each once
//! ```
//!
//! Node ids in `props`, `additionalProperties`, `items` and `defs` are
//! already resolved (every `$ref` followed, as a lookup would follow it);
//! `types` keeps the definition itself, as kyaml does. [`NONE`] is an
//! absent value, [`DANGLING`] a reference that leads nowhere (a lookup
//! through it fails). Every node without content is node 0.

use super::builder::{Builder, Id};
use std::borrow::Cow;
use std::collections::HashMap;

const MAGIC: u32 = u32::from_le_bytes(*b"RZOA");
const VERSION: u32 = 1;
const HEADER_WORDS: usize = 9;
const NODE_WORDS: usize = 10;
/// No value.
pub(super) const NONE: u32 = u32::MAX;
/// A reference that leads nowhere.
pub(super) const DANGLING: u32 = u32::MAX - 1;
/// Flag: `type` is exactly `array`.
const IS_ARRAY: u32 = 1;
/// Flag: the node has `x-kubernetes-list-map-keys` (maybe empty).
const HAS_LIST_MAP_KEYS: u32 = 2;

/// A frozen schema: the byte string and where its sections start.
#[derive(Clone, Debug, Default)]
pub(super) struct Table {
    data: Cow<'static, [u8]>,
    /// Word offsets of the sections.
    nodes: usize,
    props: usize,
    keys: usize,
    types: usize,
    defs: usize,
    strings: usize,
    /// Byte offset of the string bytes.
    bytes: usize,
    node_count: u32,
    type_count: u32,
    #[cfg(test)]
    def_count: u32,
}

/// A node of a [`Table`], decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct NodeRef {
    /// Where this node's `$ref` leads ([`NONE`]: it has none).
    pub(super) reference: u32,
    pub(super) is_array: bool,
    props: (u32, u32),
    /// `additionalProperties`, resolved ([`NONE`], [`DANGLING`] or an id).
    pub(super) additional: u32,
    /// `items`, resolved.
    pub(super) items: u32,
    patch_strategy: u32,
    merge_key: u32,
    has_list_map_keys: bool,
    keys: (u32, u32),
}

impl Table {
    /// Reads a frozen schema; `None` when the data is not one (wrong magic
    /// or version, sections that do not fit, strings that are not UTF-8).
    pub(super) fn new(data: Cow<'static, [u8]>) -> Option<Table> {
        let word = |i: usize| -> Option<u32> {
            let b = data.get(i * 4..i * 4 + 4)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        if word(0)? != MAGIC || word(1)? != VERSION {
            return None;
        }
        let count = |i: usize| word(i).map(|n| n as usize);
        let (nodes, props, keys, types, defs, strings) = (
            count(2)?,
            count(3)?,
            count(4)?,
            count(5)?,
            count(6)?,
            count(7)?,
        );
        let byte_len = count(8)?;
        let mut t = Table {
            nodes: HEADER_WORDS,
            node_count: u32::try_from(nodes).ok()?,
            type_count: u32::try_from(types).ok()?,
            #[cfg(test)]
            def_count: u32::try_from(defs).ok()?,
            ..Table::default()
        };
        t.props = t.nodes.checked_add(nodes.checked_mul(NODE_WORDS)?)?;
        t.keys = t.props.checked_add(props.checked_mul(2)?)?;
        t.types = t.keys.checked_add(keys)?;
        t.defs = t.types.checked_add(types.checked_mul(3)?)?;
        t.strings = t.defs.checked_add(defs.checked_mul(2)?)?;
        t.bytes = t
            .strings
            .checked_add(strings.checked_mul(2)?)?
            .checked_mul(4)?;
        if data.len() != t.bytes.checked_add(byte_len)? {
            return None;
        }
        std::str::from_utf8(&data[t.bytes..]).ok()?;
        t.data = data;
        Some(t)
    }

    fn word(&self, i: usize) -> u32 {
        // Every index below is within a section `new` checked, or comes
        // from one; out of range (a broken table) reads as absent.
        self.data
            .get(i * 4..i * 4 + 4)
            .map_or(NONE, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The bytes of string `id` (empty when out of range).
    fn str_bytes(&self, id: u32) -> &[u8] {
        let at = self.strings + 2 * id as usize;
        let (offset, len) = (self.word(at) as usize, self.word(at + 1) as usize);
        let start = self.bytes.saturating_add(offset);
        self.data
            .get(start..start.saturating_add(len))
            .unwrap_or_default()
    }

    /// String `id`, when there is one.
    pub(super) fn str(&self, id: u32) -> Option<&str> {
        if id == NONE {
            return None;
        }
        // The string bytes were checked to be UTF-8 as a whole, and each
        // string is a whole one; a broken table reads as no string.
        std::str::from_utf8(self.str_bytes(id)).ok()
    }

    /// Node `id`; `None` when out of range.
    pub(super) fn node(&self, id: u32) -> Option<NodeRef> {
        if id >= self.node_count {
            return None;
        }
        let at = self.nodes + NODE_WORDS * id as usize;
        let w = |i: usize| self.word(at + i);
        let flags = w(1);
        Some(NodeRef {
            reference: w(0),
            is_array: flags & IS_ARRAY != 0,
            props: (w(2), w(3)),
            additional: w(4),
            items: w(5),
            patch_strategy: w(6),
            merge_key: w(7),
            has_list_map_keys: flags & HAS_LIST_MAP_KEYS != 0,
            keys: (w(8), w(9)),
        })
    }

    /// The property `name` of `node`: its (resolved) id, when there is one.
    pub(super) fn property(&self, node: &NodeRef, name: &str) -> Option<u32> {
        let (start, len) = (node.props.0 as usize, node.props.1 as usize);
        let at = |i: usize| self.props + 2 * (start + i);
        let found = binary_search(len, |i| {
            self.str_bytes(self.word(at(i))).cmp(name.as_bytes())
        })?;
        Some(self.word(at(found) + 1))
    }

    pub(super) fn patch_strategy(&self, node: &NodeRef) -> Option<&str> {
        self.str(node.patch_strategy)
    }

    pub(super) fn merge_key(&self, node: &NodeRef) -> Option<&str> {
        self.str(node.merge_key)
    }

    /// `x-kubernetes-list-map-keys`, when the node has the field.
    pub(super) fn list_map_keys(&self, node: &NodeRef) -> Option<Vec<&str>> {
        if !node.has_list_map_keys {
            return None;
        }
        let (start, len) = (node.keys.0 as usize, node.keys.1 as usize);
        Some(
            (0..len)
                .filter_map(|i| self.str(self.word(self.keys + start + i)))
                .collect(),
        )
    }

    /// The definition indexed under this apiVersion and kind.
    pub(super) fn for_type(&self, api_version: &str, kind: &str) -> Option<u32> {
        let at = |i: usize| self.types + 3 * i;
        let found = binary_search(self.type_count as usize, |i| {
            let a = self.str_bytes(self.word(at(i)));
            let k = self.str_bytes(self.word(at(i) + 1));
            (a, k).cmp(&(api_version.as_bytes(), kind.as_bytes()))
        })?;
        Some(self.word(at(found) + 2))
    }

    /// The definition of this name (resolved).
    #[cfg(test)]
    pub(super) fn definition(&self, name: &str) -> Option<u32> {
        let at = |i: usize| self.defs + 2 * i;
        let found = binary_search(self.def_count as usize, |i| {
            self.str_bytes(self.word(at(i))).cmp(name.as_bytes())
        })?;
        Some(self.word(at(found) + 1))
    }

    /// Number of definitions.
    #[cfg(test)]
    pub(super) fn definition_count(&self) -> usize {
        self.def_count as usize
    }

    /// The data, as [`freeze`] wrote it.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> &[u8] {
        &self.data
    }
}

/// The index in `0..len` where `cmp` says Equal, for `cmp` ascending.
fn binary_search(len: usize, cmp: impl Fn(usize) -> std::cmp::Ordering) -> Option<usize> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cmp(mid) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// Interns strings for [`freeze`].
#[derive(Default)]
struct Strings {
    ids: HashMap<String, u32>,
    spans: Vec<(u32, u32)>,
    bytes: Vec<u8>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.spans.len() as u32;
        self.spans.push((self.bytes.len() as u32, s.len() as u32));
        self.bytes.extend_from_slice(s.as_bytes());
        self.ids.insert(s.to_string(), id);
        id
    }

    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.id(s))
    }
}

/// The frozen form of `b`'s definitions.
pub(super) fn freeze(b: &Builder) -> Vec<u8> {
    // Node 0 is the empty node every content-free node becomes; the others
    // keep their order.
    let mut new_id: Vec<u32> = Vec::with_capacity(b.nodes.len());
    let mut next = 1u32;
    for node in &b.nodes {
        if node.is_empty() {
            new_id.push(0);
        } else {
            new_id.push(next);
            next += 1;
        }
    }
    let old_ids: Vec<Id> = (0..b.nodes.len() as Id)
        .filter(|&i| !b.nodes[i as usize].is_empty())
        .collect();
    // An id a lookup follows: resolved, then renumbered.
    let resolved = |id: Option<Id>| -> u32 {
        match id {
            None => NONE,
            Some(id) => b.resolved(id).map_or(DANGLING, |r| new_id[r as usize]),
        }
    };
    let mut strings = Strings::default();
    let mut nodes: Vec<u32> = vec![NONE, 0, 0, 0, NONE, NONE, NONE, NONE, 0, 0];
    let mut props: Vec<u32> = Vec::new();
    let mut keys: Vec<u32> = Vec::new();
    for &old in &old_ids {
        let n = &b.nodes[old as usize];
        let reference = match &n.reference {
            None => NONE,
            Some(_) => b.resolved(old).map_or(DANGLING, |r| new_id[r as usize]),
        };
        let mut names: Vec<(&str, Id)> = n.properties.iter().map(|(k, &v)| (&**k, v)).collect();
        names.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let props_start = (props.len() / 2) as u32;
        for (name, id) in &names {
            props.push(strings.id(name));
            props.push(resolved(Some(*id)));
        }
        let keys_start = keys.len() as u32;
        for k in n.list_map_keys.iter().flatten() {
            keys.push(strings.id(k));
        }
        let flags = (u32::from(n.is_array) * IS_ARRAY)
            | (u32::from(n.list_map_keys.is_some()) * HAS_LIST_MAP_KEYS);
        nodes.extend([
            reference,
            flags,
            props_start,
            names.len() as u32,
            resolved(n.additional),
            resolved(n.items),
            strings.opt(n.patch_strategy.as_deref()),
            strings.opt(n.merge_key.as_deref()),
            keys_start,
            keys.len() as u32 - keys_start,
        ]);
    }
    let mut types: Vec<(&str, &str, Id)> = b
        .by_type
        .iter()
        .flat_map(|(a, kinds)| {
            kinds
                .iter()
                .map(move |(k, &id)| (a.as_str(), k.as_str(), id))
        })
        .collect();
    types.sort_unstable_by(|x, y| {
        (x.0.as_bytes(), x.1.as_bytes()).cmp(&(y.0.as_bytes(), y.1.as_bytes()))
    });
    let mut type_words = Vec::with_capacity(types.len() * 3);
    for (a, k, id) in &types {
        type_words.extend([strings.id(a), strings.id(k), new_id[*id as usize]]);
    }
    let mut defs: Vec<(&str, Id)> = b
        .definitions
        .iter()
        .map(|(k, &v)| (k.as_str(), v))
        .collect();
    defs.sort_unstable_by(|x, y| x.0.as_bytes().cmp(y.0.as_bytes()));
    let mut def_words = Vec::with_capacity(defs.len() * 2);
    for (name, id) in &defs {
        def_words.extend([strings.id(name), resolved(Some(*id))]);
    }
    let header = [
        MAGIC,
        VERSION,
        (nodes.len() / NODE_WORDS) as u32,
        (props.len() / 2) as u32,
        keys.len() as u32,
        types.len() as u32,
        defs.len() as u32,
        strings.spans.len() as u32,
        strings.bytes.len() as u32,
    ];
    let words = header
        .iter()
        .chain(&nodes)
        .chain(&props)
        .chain(&keys)
        .chain(&type_words)
        .chain(&def_words)
        .copied()
        .chain(strings.spans.iter().flat_map(|&(o, l)| [o, l]));
    let mut out: Vec<u8> = words.flat_map(u32::to_le_bytes).collect();
    out.extend_from_slice(&strings.bytes);
    out
}
