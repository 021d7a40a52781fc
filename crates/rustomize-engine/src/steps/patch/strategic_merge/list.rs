//! Associative lists: how kyaml merges a list whose schema gives it a
//! `merge` patch strategy (`walkAssociativeSequence`,
//! `setAssociativeSequenceElements` and `appendListNode`, with kustomize's
//! "prepend" option).
//!
//! In outline: collect the merge-key values of every element, the patch's
//! elements first; for each distinct tuple of values, merge the first
//! target element and the first patch element that carry it, and add the
//! result to a new list (or delete the target's element when the merge
//! leaves nothing); then run the target's remaining elements through the
//! new list, each replacing the element with the same key values or being
//! appended. Elements are compared by the text of their key fields. The
//! details below (which keys count, how missing keys behave) are kyaml's,
//! odd corners included, because they decide what kustomize prints.

use super::{Action, Kind, Walker, new_scalar, value_text, wrong_kind};
use crate::error::Error;
use crate::steps::openapi::SchemaRef;
use rustomize_yaml::{Entry, Node, Style, Tag};
use std::collections::HashSet;

/// Merges a patch list (`None`: the patch has no list here) into a target
/// list, in place.
pub(super) fn merge<'s>(
    walker: &Walker<'s>,
    dest: &mut Vec<Node>,
    origin: Option<&mut Vec<Node>>,
    schema: SchemaRef<'s>,
) -> Result<(), Error> {
    let origin = match origin {
        Some(o) => Origin::List(o),
        None => Origin::Missing,
    };
    run(walker, dest, origin, schema)
}

/// Merges a list with itself, as kyaml does with a list it takes from the
/// patch: elements with equal keys collapse, nested directives apply.
pub(super) fn merge_own<'s>(
    walker: &Walker<'s>,
    items: &mut Vec<Node>,
    schema: SchemaRef<'s>,
) -> Result<(), Error> {
    run(walker, items, Origin::Own, schema)
}

/// Where the patch's elements are.
enum Origin<'a> {
    /// The patch has no list here.
    Missing,
    /// The list is merged with itself.
    Own,
    /// The patch's list.
    List(&'a mut Vec<Node>),
}

/// An element of the lists being built: one of the target's (index into
/// [`State::dest`]) or one of the patch's (index into its list). kyaml
/// shares element nodes between lists; these indices stand for that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    Dest(usize),
    Origin(usize),
}

struct State<'a> {
    /// The target's elements, moved out of its list.
    dest: Vec<Node>,
    /// The target's list as it stands (kyaml deletes from it as it goes).
    list: Vec<Elem>,
    origin: Origin<'a>,
}

fn run<'s>(
    walker: &Walker<'s>,
    dest_items: &mut Vec<Node>,
    origin: Origin<'_>,
    schema: SchemaRef<'s>,
) -> Result<(), Error> {
    let mut keys: Vec<String> = schema.merge_keys().into_iter().map(String::from).collect();
    let no_origin: &[Node] = &[];
    let origin_items = match &origin {
        Origin::List(o) => o.as_slice(),
        Origin::Missing | Origin::Own => no_origin,
    };
    // With kustomize's "prepend", the patch's elements come first.
    let sources = [origin_items, dest_items.as_slice()];
    let mut values = element_values(&keys, &sources);
    if values.is_empty() && keys.is_empty() {
        // A list of primitives (finalizers): each value is its own key.
        values = primitive_values(&sources);
        keys = vec![String::new()];
    }
    if values.is_empty() {
        return Ok(());
    }
    let dest = std::mem::take(dest_items);
    let mut state = State {
        list: (0..dest.len()).map(Elem::Dest).collect(),
        dest,
        origin,
    };
    let result = state.set_elements(walker, values, &keys, schema.elements());
    // Put the target's elements back even when the merge failed half way.
    match result {
        Ok(list) => {
            *dest_items = state.materialize(&list);
            Ok(())
        }
        Err(e) => {
            *dest_items = state.dest;
            Err(e)
        }
    }
}

/// The text of each key field of each element, a tuple per element, each
/// distinct tuple once (kyaml's `elementValues`). A field that is missing,
/// null or not a scalar gives the empty text.
fn element_values(keys: &[String], sources: &[&[Node]]) -> Vec<Vec<String>> {
    if keys.is_empty() {
        return Vec::new();
    }
    let all: Vec<Vec<String>> = sources
        .iter()
        .flat_map(|items| items.iter())
        .map(|item| {
            keys.iter()
                .map(|k| match item.get(k) {
                    Some(Node::Scalar(s)) if !s.is_null() => s.value.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    let keep: Vec<bool> = {
        let mut seen: HashSet<&[String]> = HashSet::with_capacity(all.len());
        all.iter().map(|t| seen.insert(t.as_slice())).collect()
    };
    all.into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

/// The text of each element, each distinct text once (kyaml's
/// `elementPrimitiveValues`).
fn primitive_values(sources: &[&[Node]]) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for items in sources {
        for item in *items {
            let text = value_text(item);
            if seen.insert(text) {
                out.push(vec![text.to_string()]);
            }
        }
    }
    out
}

/// Tuples that agree wherever both have a value, and share at least one
/// value, become one (kyaml's `mergeValues`: a port without a protocol
/// matches the same port with one).
fn merge_values(values: &mut [Vec<String>]) {
    for i in 0..values.len() {
        let first = values[i].clone();
        for j in 0..values.len() {
            if let Some(merged) = match_values(&first, &values[j]) {
                values[i] = merged.clone();
                values[j] = merged;
            }
        }
    }
}

fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// kyaml's `validateKeys`: the keys that have a value in some tuple
/// (`has_value(i)` for key `i`) are kept, unless none has one. `None` when
/// all keys are kept, as always with a single key.
fn valid_keys_mask(count: usize, has_value: impl Fn(usize) -> bool) -> Option<Vec<bool>> {
    let mask: Vec<bool> = (0..count).map(has_value).collect();
    if mask.iter().all(|v| *v) || !mask.contains(&true) {
        return None;
    }
    Some(mask)
}

/// The keys and values the mask keeps.
fn apply_mask<'k>(
    mask: &[bool],
    keys: &[&'k str],
    values: &[String],
) -> (Vec<&'k str>, Vec<String>) {
    let keys = keys
        .iter()
        .zip(mask)
        .filter(|(_, m)| **m)
        .map(|(k, _)| *k)
        .collect();
    let values = values
        .iter()
        .zip(mask)
        .filter(|(_, m)| **m)
        .map(|(v, _)| v.clone())
        .collect();
    (keys, values)
}

/// Whether `node` carries all these key values (kyaml's `ElementMatcher`):
/// for a list of primitives the element's own text, else the text of each
/// key field of a map element.
fn carries(node: &Node, keys: &[&str], values: &[String]) -> bool {
    if keys.first().is_none_or(|k| k.is_empty()) {
        return values.first().is_some_and(|v| value_text(node) == v);
    }
    let Node::Map(m) = node else {
        return false;
    };
    keys.iter()
        .zip(values)
        .all(|(k, v)| m.get(k).is_some_and(|f| value_text(f) == v))
}

/// kyaml's `FieldMatcher` with a name and a string value: with an empty
/// name, whether a scalar has the value; else whether a map has the field
/// (with that value, unless the value is empty). Other node kinds are
/// errors.
fn field_matches(node: &Node, name: &str, value: &str) -> Result<bool, Error> {
    if node.is_null() {
        return Ok(false);
    }
    if name.is_empty() {
        return match node {
            Node::Scalar(s) => Ok(s.value == value),
            n => Err(wrong_kind(Kind::Scalar, n)),
        };
    }
    match node {
        Node::Map(m) => Ok(m
            .get(name)
            .is_some_and(|f| value.is_empty() || value_text(f) == value)),
        n => Err(wrong_kind(Kind::Map, n)),
    }
}

/// kyaml's `Get(key)` on an element: the text of the field, `None` when
/// the element is null or has no such field; an error when it is not a map.
fn field_text(node: &Node, key: &str) -> Result<Option<String>, Error> {
    match node {
        n if n.is_null() => Ok(None),
        Node::Map(m) => Ok(m.get(key).map(|f| value_text(f).to_string())),
        n => Err(wrong_kind(Kind::Map, n)),
    }
}

impl State<'_> {
    fn node(&self, e: Elem) -> &Node {
        match (e, &self.origin) {
            (Elem::Dest(i), _) => &self.dest[i],
            (Elem::Origin(j), Origin::List(o)) => &o[j],
            // Patch elements are only referenced when there is a patch list.
            (Elem::Origin(_), _) => &NULL,
        }
    }

    fn node_mut(&mut self, e: Elem) -> Option<&mut Node> {
        match (e, &mut self.origin) {
            (Elem::Dest(i), _) => self.dest.get_mut(i),
            (Elem::Origin(j), Origin::List(o)) => o.get_mut(j),
            (Elem::Origin(_), _) => None,
        }
    }

    /// The first element of the target's current list carrying the keys.
    fn find_dest(&self, keys: &[&str], values: &[String]) -> Option<usize> {
        self.list.iter().find_map(|&e| match e {
            Elem::Dest(i) if carries(&self.dest[i], keys, values) => Some(i),
            _ => None,
        })
    }

    /// kyaml's `setAssociativeSequenceElements`; returns the new list.
    fn set_elements<'s>(
        &mut self,
        walker: &Walker<'s>,
        mut tuples: Vec<Vec<String>>,
        keys: &[String],
        elem_schema: Option<SchemaRef<'s>>,
    ) -> Result<Vec<Elem>, Error> {
        if keys.len() > 1 {
            merge_values(&mut tuples);
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        // The keys that have a value in some tuple.
        let mask = valid_keys_mask(keys.len(), |i| tuples.iter().any(|t| !t[i].is_empty()));
        let mut items: Vec<Elem> = Vec::new();
        let mut last = None;
        for (index, values) in tuples.iter().enumerate() {
            if values.is_empty() {
                continue;
            }
            last = Some(index);
            let masked = mask.as_deref().map(|m| apply_mask(m, &keys, values));
            let (vkeys, vvalues) = match &masked {
                Some((k, v)) => (k.as_slice(), v.as_slice()),
                None => (keys.as_slice(), values.as_slice()),
            };
            // Elements are looked up by the keys this tuple has values for.
            let lookup_mask = valid_keys_mask(vkeys.len(), |i| !vvalues[i].is_empty());
            let lookup = lookup_mask
                .as_deref()
                .map(|m| apply_mask(m, vkeys, vvalues));
            let (lkeys, lvalues) = match &lookup {
                Some((k, v)) => (k.as_slice(), v.as_slice()),
                None => (vkeys, vvalues),
            };
            let val = self.merge_element(walker, lkeys, lvalues, elem_schema)?;
            let empty = val.is_none_or(|e| match self.node(e) {
                n if n.is_null() => true,
                Node::Map(m) => m.is_empty(),
                _ => false,
            });
            let Some(val) = val.filter(|_| !empty) else {
                let mut list = std::mem::take(&mut self.list);
                let result = self.set_element(&mut list, None, vkeys, vvalues);
                self.list = list;
                result?;
                continue;
            };
            for (key, value) in vkeys.iter().zip(vvalues) {
                if !value.is_empty() {
                    self.ensure_key(val, key, value)?;
                }
            }
            self.set_element(&mut items, Some(val), vkeys, vvalues)?;
        }
        // kyaml appends the target's elements using the keys of the last
        // tuple.
        let last_keys = match (last, mask.as_deref()) {
            (Some(i), Some(m)) => apply_mask(m, &keys, &tuples[i]).0,
            _ => keys.clone(),
        };
        let dest_list = std::mem::take(&mut self.list);
        for e in dest_list {
            self.append_element(&mut items, e, &last_keys)?;
        }
        Ok(items)
    }

    /// Merges the target's and the patch's elements carrying these keys;
    /// `None` when nothing is left.
    fn merge_element<'s>(
        &mut self,
        walker: &Walker<'s>,
        keys: &[&str],
        values: &[String],
        schema: Option<SchemaRef<'s>>,
    ) -> Result<Option<Elem>, Error> {
        let d = self.find_dest(keys, values);
        let (action, o) = match &mut self.origin {
            Origin::Own => match d {
                Some(d) => (walker.walk_own(&mut self.dest[d], schema)?, None),
                None => (Action::Clear, None),
            },
            Origin::Missing => {
                let dest = d.map(|d| &mut self.dest[d]);
                (walker.walk(dest, None, schema)?, None)
            }
            Origin::List(list) => {
                let o = list.iter().position(|n| carries(n, keys, values));
                let dest = d.map(|d| &mut self.dest[d]);
                let origin = o.map(|o| &mut list[o]);
                (walker.walk(dest, origin, schema)?, o)
            }
        };
        Ok(match action {
            Action::Keep => d.map(Elem::Dest),
            Action::UseOrigin => o.map(Elem::Origin),
            Action::Clear => None,
        })
    }

    /// Makes sure a merged element has its key field (kyaml's `SetField`
    /// with a new scalar; for a list of primitives the element itself is
    /// rewritten, keeping its quoting).
    fn ensure_key(&mut self, e: Elem, key: &str, value: &str) -> Result<(), Error> {
        let Some(node) = self.node_mut(e) else {
            return Ok(());
        };
        if key.is_empty() {
            return match node {
                Node::Scalar(s) => {
                    if s.value != value {
                        s.src = 0;
                        s.value = value.into();
                    }
                    s.tag = if s.style == Style::Plain {
                        rustomize_yaml::resolve::resolve_plain(value)
                    } else {
                        Tag::Str
                    };
                    Ok(())
                }
                n => Err(wrong_kind(Kind::Scalar, n)),
            };
        }
        match node {
            Node::Map(m) => {
                if !m.contains_key(key) {
                    m.entries.push(Entry {
                        key: rustomize_yaml::Scalar::string(key),
                        value: Node::Scalar(new_scalar(value)),
                    });
                }
                Ok(())
            }
            n => Err(wrong_kind(Kind::Map, n)),
        }
    }

    /// kyaml's `ElementSetter` on one of the lists: drops null and empty
    /// elements; replaces the elements carrying the keys by `element` (or
    /// deletes them when it is `None`); appends `element` when none did.
    fn set_element(
        &self,
        list: &mut Vec<Elem>,
        element: Option<Elem>,
        keys: &[&str],
        values: &[String],
    ) -> Result<(), Error> {
        let keys: &[&str] = if keys.is_empty() { &[""] } else { keys };
        let mapping = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
        let mut found = false;
        let mut write = 0;
        for read in 0..list.len() {
            let e = list[read];
            let node = self.node(e);
            let keep = match node {
                n if n.is_null() => None,
                Node::Map(m) if m.is_empty() => None,
                Node::Map(_) => Some(false),
                _ if mapping => Some(true),
                _ => Some(false),
            };
            let out = match keep {
                None => None,
                Some(true) => Some(e),
                Some(false) => {
                    // kyaml keeps the last match result when there are
                    // fewer values than keys.
                    let mut matched = false;
                    let mut all = true;
                    for (j, key) in keys.iter().enumerate() {
                        if let Some(value) = values.get(j) {
                            matched = field_matches(node, key, value)?;
                        }
                        if !matched {
                            all = false;
                            break;
                        }
                    }
                    if all {
                        found = true;
                        element
                    } else if values.is_empty() {
                        None
                    } else {
                        Some(e)
                    }
                }
            };
            if let Some(out) = out {
                list[write] = out;
                write += 1;
            }
        }
        list.truncate(write);
        if let Some(el) = element
            && !found
            && !self.node(el).is_null()
        {
            list.push(el);
        }
        Ok(())
    }

    /// kyaml's `appendListNode` for one of the target's elements.
    fn append_element(&self, items: &mut Vec<Elem>, e: Elem, keys: &[&str]) -> Result<(), Error> {
        if keys.first().is_none_or(|k| k.is_empty()) {
            let text = value_text(self.node(e)).to_string();
            return self.set_element(items, Some(e), &[""], &[text]);
        }
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            match field_text(self.node(e), key)? {
                Some(v) => values.push(v),
                None => items.push(e),
            }
        }
        if keys.len() > 1 {
            self.set_element(items, None, keys, &values)?;
        }
        self.set_element(items, Some(e), keys, &values)
    }

    /// The nodes of the new list: the target's elements moved back (copied
    /// when kyaml's list holds one twice), the patch's copied.
    fn materialize(&mut self, list: &[Elem]) -> Vec<Node> {
        let mut uses = vec![0usize; self.dest.len()];
        for e in list {
            if let Elem::Dest(i) = e {
                uses[*i] += 1;
            }
        }
        let mut out = Vec::with_capacity(list.len());
        for &e in list {
            match e {
                Elem::Dest(i) => {
                    uses[i] -= 1;
                    if uses[i] == 0 {
                        out.push(std::mem::take(&mut self.dest[i]));
                    } else {
                        out.push(self.dest[i].clone());
                    }
                }
                Elem::Origin(_) => out.push(self.node(e).clone()),
            }
        }
        out
    }
}

/// Stands in for a patch element that is not there.
static NULL: Node = Node::Scalar(rustomize_yaml::Scalar {
    value: rustomize_yaml::Text::const_new(""),
    tag: Tag::Null,
    style: Style::Plain,
    line: 0,
    col: 0,
    src: 0,
});
