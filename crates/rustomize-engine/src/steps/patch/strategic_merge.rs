//! Strategic merge patches, exactly as kustomize v5.5.0 applies them.
//!
//! kustomize does not use Kubernetes' strategic merge code: it walks the
//! target and the patch together with kyaml's `merge2` walker, prepending
//! new list elements. This module reproduces that walker, quirks included:
//!
//! - The whole target is walked, also where the patch says nothing: a field
//!   whose value is empty (`key:`) disappears, one written `null` or `~`
//!   stays; every associative list is rebuilt (see below).
//! - Maps merge key by key; `null` in the patch deletes the field. A map in
//!   the patch may carry `$patch: delete` (drop the field, or the whole
//!   object at the top: [`Outcome::Deleted`]), `$patch: replace` (take the
//!   patch's map) or `$patch: merge`; anything else is an error.
//! - A list merges by key only when the schema gives its field a patch
//!   strategy including `merge` (containers by `name`, container ports by
//!   `containerPort` and `protocol`, ...); kinds the schema does not know,
//!   and fields without a strategy, have their lists replaced. kyaml's
//!   guessing of merge keys is off in kustomize.
//! - In a merged list, the patch's elements come first (in patch order),
//!   then the target's other elements; elements whose keys match are merged
//!   (a `$patch: replace` on an element is undone by the target's element,
//!   `$patch: delete` removes it); a list element `{$patch: replace}`,
//!   `{$patch: delete}` or `{$patch: merge}` applies to the whole list.
//!   Lists with a strategy but no key (finalizers) merge as sets of values.
//! - `$setElementOrder/...`, `$retainKeys` and `$deleteFromPrimitiveList/...`
//!   mean nothing to kyaml: they are copied like any other field.
//! - Where the patch and the target disagree on the kind of a node (a map
//!   against a list), the merge fails with kyaml's "wrong node kind" error.
//!
//! The merge works in place on the target; only the (small) patch is
//! copied.

mod list;
#[cfg(test)]
mod tests;

use crate::error::Error;
use crate::steps::openapi::{Schema, SchemaRef};
use rustomize_yaml::{Map, Node, Scalar, Style, Tag};

/// What became of the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The patch was merged in.
    Merged,
    /// The patch deleted the whole object (`$patch: delete`).
    Deleted,
}

/// Merges `patch` into `target` (both whole objects); list and directive
/// semantics follow the schema of the target's kind.
///
/// This is kyaml's merge alone; kustomize's patch transformers then put
/// back the target's kind, name and namespace, see
/// [`crate::steps::patch::apply::apply_sm_patch`].
pub(crate) fn merge(target: &mut Node, patch: &Node, schema: &Schema) -> Result<Outcome, Error> {
    let mut patch = patch.clone();
    let walker = Walker { schema };
    match walker.walk(Some(target), Some(&mut patch), None)? {
        // `$patch: replace` on the whole object makes kyaml return the
        // patch, but kustomize only looks at the object it passed in,
        // which was left as it was.
        Action::Keep | Action::UseOrigin => Ok(Outcome::Merged),
        Action::Clear => Ok(Outcome::Deleted),
    }
}

/// kyaml's field setter gives a new scalar value the style of the one it
/// replaces. kustomize prints through a YAML round trip, in which a quoted
/// or block scalar reads back as a string: `on: "x"` patched with `true`
/// prints `"true"`.
fn take_style(new: &mut Scalar, old_style: Style) {
    new.style = old_style;
    if old_style != Style::Plain && !new.is_null() {
        new.tag = Tag::Str;
    }
}

/// A scalar as kyaml's `NewScalarRNode` makes it, once a field setter has
/// quoted it if YAML 1.1 would read it as something other than a string.
fn new_scalar(value: &str) -> Scalar {
    let yaml11_non_string = !value.is_empty()
        && !value.contains('\n')
        && !rustomize_yaml::resolve::v2_plain_is_string(value);
    let tag = if yaml11_non_string {
        Tag::Str
    } else {
        rustomize_yaml::resolve::resolve_plain(value)
    };
    let style = if yaml11_non_string {
        Style::DoubleQuoted
    } else {
        Style::Plain
    };
    Scalar::new(value, tag, style)
}

/// What a walk decided for one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// The target's node (possibly changed in place) stays.
    Keep,
    /// The field or element goes.
    Clear,
    /// The patch's node (possibly changed in place) takes its place.
    UseOrigin,
}

/// A `$patch` directive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

const DIRECTIVE_KEY: &str = "$patch";

/// Fields a patch repeats to say what it patches (field provenance: they
/// keep the target's place when the text is the same).
const IDENTITY_KEYS: [&str; 4] = ["name", "namespace", "kind", "apiVersion"];

/// The kind of node a walk dispatches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Only nulls or nothing: walked as a map.
    Empty,
    Map,
    Seq,
    Scalar,
}

impl Kind {
    fn of(node: &Node) -> Kind {
        match node {
            n if n.is_null() => Kind::Empty,
            Node::Map(_) => Kind::Map,
            Node::Seq(_) => Kind::Seq,
            Node::Scalar(_) => Kind::Scalar,
        }
    }

    /// yaml.v3's name of the kind, as kyaml's errors print it.
    fn name(self) -> &'static str {
        match self {
            Kind::Map => "MappingNode",
            Kind::Seq => "SequenceNode",
            Kind::Scalar | Kind::Empty => "ScalarNode",
        }
    }
}

/// kyaml's "wrong node kind" error.
fn wrong_kind(expected: Kind, node: &Node) -> Error {
    let mut msg = format!(
        "wrong node kind: expected {} but got {}",
        expected.name(),
        Kind::of(node).name()
    );
    if let Ok(text) = rustomize_yaml::emit::to_string(node) {
        msg.push_str(": node contents:\n");
        msg.push_str(&text);
    }
    Error::patch(msg)
}

/// The walker: the target is kyaml's "dest" source, the patch its "origin".
struct Walker<'s> {
    schema: &'s Schema,
}

impl<'s> Walker<'s> {
    /// The schema of a map that says its own apiVersion and kind (kyaml
    /// looks there whenever the parent's schema says nothing).
    fn type_schema(&self, node: Option<&Node>) -> Option<SchemaRef<'s>> {
        let Some(Node::Map(m)) = node else {
            return None;
        };
        let text = |key| m.get(key).and_then(Node::as_str).filter(|s| !s.is_empty());
        self.schema.for_type(text("apiVersion")?, text("kind")?)
    }

    /// Walks a target node and a patch node, either possibly missing.
    fn walk(
        &self,
        mut dest: Option<&mut Node>,
        mut origin: Option<&mut Node>,
        schema: Option<SchemaRef<'s>>,
    ) -> Result<Action, Error> {
        let schema = schema
            .or_else(|| self.type_schema(dest.as_deref()))
            .or_else(|| self.type_schema(origin.as_deref()));
        let kind = [dest.as_deref(), origin.as_deref()]
            .into_iter()
            .flatten()
            .map(Kind::of)
            .find(|k| *k != Kind::Empty)
            .unwrap_or(Kind::Empty);
        for node in [dest.as_deref(), origin.as_deref()].into_iter().flatten() {
            let k = Kind::of(node);
            if k != Kind::Empty && k != kind {
                return Err(wrong_kind(kind, node));
            }
        }
        match kind {
            Kind::Empty | Kind::Map => self.walk_map(dest, origin, schema),
            Kind::Seq => self.walk_seq(dest.take(), origin.take(), schema),
            Kind::Scalar => Ok(use_origin_or_keep(origin.as_deref())),
        }
    }

    /// kyaml's `VisitMap` and the field walk after it.
    fn walk_map(
        &self,
        dest: Option<&mut Node>,
        origin: Option<&mut Node>,
        schema: Option<SchemaRef<'s>>,
    ) -> Result<Action, Error> {
        if let Some(Node::Map(d)) = dest {
            let mut origin = origin;
            let directive = match origin.as_deref_mut() {
                None => Directive::Merge,
                Some(o) if o.is_null() => return Ok(Action::Clear),
                Some(o) => map_directive(o)?,
            };
            return match (directive, origin) {
                (Directive::Delete, _) => Ok(Action::Clear),
                (Directive::Replace, Some(o)) => {
                    self.walk_own_fields(o, schema)?;
                    Ok(Action::UseOrigin)
                }
                (_, o) => {
                    self.merge_fields(d, o, schema)?;
                    Ok(Action::Keep)
                }
            };
        }
        // The target has nothing (or null) here. kyaml ignores a bad
        // directive in this case, and leaves it in the copied map.
        let mut origin = origin;
        let directive = origin
            .as_deref_mut()
            .map_or(Ok(Directive::Merge), map_directive);
        if matches!(directive, Ok(Directive::Delete)) {
            return Ok(Action::Clear);
        }
        match origin {
            None => Ok(match dest {
                // An explicit `null` or `~` in the target is kept.
                Some(Node::Scalar(s)) if !s.value.is_empty() => Action::Keep,
                _ => Action::Clear,
            }),
            Some(o) if o.is_null() => Ok(Action::Clear),
            Some(o) => {
                self.walk_own_fields(o, schema)?;
                Ok(Action::UseOrigin)
            }
        }
    }

    /// Merges the fields of a patch map (if any) into a target map, in
    /// kyaml's order (sorted field names).
    fn merge_fields(
        &self,
        dest: &mut Map,
        origin: Option<&mut Node>,
        schema: Option<SchemaRef<'s>>,
    ) -> Result<(), Error> {
        #[derive(Clone, Copy)]
        enum Slot {
            Dest(usize, Option<usize>),
            Origin(usize),
        }
        let mut origin = origin.and_then(Node::as_map_mut);
        let mut slots: Vec<Slot> = (0..dest.entries.len())
            .map(|i| Slot::Dest(i, None))
            .collect();
        if let Some(o) = origin.as_deref() {
            for (j, e) in o.entries.iter().enumerate() {
                match dest.entries.iter().position(|d| d.key.value == e.key.value) {
                    Some(i) => slots[i] = Slot::Dest(i, Some(j)),
                    None => slots.push(Slot::Origin(j)),
                }
            }
        }
        {
            let key = |s: &Slot| -> &str {
                match *s {
                    Slot::Dest(i, _) => &dest.entries[i].key.value,
                    Slot::Origin(j) => origin
                        .as_deref()
                        .map_or("", |o| o.entries[j].key.value.as_str()),
                }
            };
            slots.sort_by(|a, b| key(a).cmp(key(b)));
        }
        let mut removed = Vec::new();
        let mut removed_at = None;
        let mut added = Vec::new();
        for slot in slots {
            match slot {
                Slot::Dest(i, j) => {
                    let entry = &mut dest.entries[i];
                    let field_schema = schema.and_then(|s| s.field(&entry.key.value));
                    let patch_value = match (j, origin.as_deref_mut()) {
                        (Some(j), Some(o)) => Some(&mut o.entries[j].value),
                        _ => None,
                    };
                    let patch_value =
                        match self.walk(Some(&mut entry.value), patch_value, field_schema)? {
                            Action::Keep => continue,
                            Action::Clear => {
                                removed.push(i);
                                // Field provenance: the map is last changed
                                // where the patch removed the field.
                                if let (Some(j), Some(o)) = (j, origin.as_deref())
                                    && o.entries[j].key.src != 0
                                {
                                    removed_at = Some(o.entries[j].key.pos());
                                }
                                continue;
                            }
                            Action::UseOrigin => match (j, origin.as_deref()) {
                                (Some(j), Some(o)) => &o.entries[j].value,
                                _ => continue,
                            },
                        };
                    let old_style = match &entry.value {
                        Node::Scalar(s) => Some(s.style),
                        _ => None,
                    };
                    let mut new = patch_value.clone();
                    // An identifying field written again with the same
                    // text (a list item's `name`) keeps its place.
                    if IDENTITY_KEYS.contains(&entry.key.value.as_str()) {
                        crate::model::provenance::keep_if_same(&entry.value, &mut new);
                    }
                    entry.value = new;
                    if let (Some(style), Node::Scalar(new)) = (old_style, &mut entry.value) {
                        take_style(new, style);
                    }
                }
                Slot::Origin(j) => {
                    let Some(o) = origin.as_deref_mut() else {
                        continue;
                    };
                    let entry = &mut o.entries[j];
                    let field_schema = schema.and_then(|s| s.field(&entry.key.value));
                    if self.walk(None, Some(&mut entry.value), field_schema)? == Action::UseOrigin {
                        added.push(entry.clone());
                    }
                }
            }
        }
        remove_indices(&mut dest.entries, &removed);
        dest.entries.extend(added);
        if let Some(pos) = removed_at {
            dest.src = pos.src;
            dest.line = pos.line;
            dest.col = pos.col;
        }
        Ok(())
    }

    /// Walks the fields of a patch map that stands alone (kyaml walks it
    /// against itself): nulls go, nested directives apply.
    fn walk_own_fields(&self, node: &mut Node, schema: Option<SchemaRef<'s>>) -> Result<(), Error> {
        let Node::Map(map) = node else {
            return Ok(());
        };
        let mut order: Vec<usize> = (0..map.entries.len()).collect();
        order.sort_by(|&a, &b| map.entries[a].key.value.cmp(&map.entries[b].key.value));
        let mut removed = Vec::new();
        for i in order {
            let entry = &mut map.entries[i];
            let field_schema = schema.and_then(|s| s.field(&entry.key.value));
            if self.walk_own(&mut entry.value, field_schema)? == Action::Clear {
                removed.push(i);
            }
        }
        remove_indices(&mut map.entries, &removed);
        Ok(())
    }

    /// Walks a node against itself, as kyaml does with what it copies
    /// from the patch; the result is [`Action::Keep`] or [`Action::Clear`].
    fn walk_own(&self, node: &mut Node, schema: Option<SchemaRef<'s>>) -> Result<Action, Error> {
        let schema = schema.or_else(|| self.type_schema(Some(node)));
        match node {
            n if n.is_null() => Ok(Action::Clear),
            Node::Scalar(_) => Ok(Action::Keep),
            Node::Map(_) => {
                if map_directive(node)? == Directive::Delete {
                    return Ok(Action::Clear);
                }
                self.walk_own_fields(node, schema)?;
                Ok(Action::Keep)
            }
            Node::Seq(_) => {
                let Some(schema) = schema.filter(|s| s.merges_lists()) else {
                    return Ok(Action::Keep);
                };
                if seq_directive(node)? == Directive::Delete {
                    return Ok(Action::Clear);
                }
                if let Node::Seq(seq) = node {
                    list::merge_own(self, &mut seq.items, schema)?;
                }
                Ok(Action::Keep)
            }
        }
    }

    /// kyaml's `VisitList` and, for associative lists, the element merge.
    fn walk_seq(
        &self,
        dest: Option<&mut Node>,
        mut origin: Option<&mut Node>,
        schema: Option<SchemaRef<'s>>,
    ) -> Result<Action, Error> {
        let Some(schema) = schema.filter(|s| s.merges_lists()) else {
            return Ok(use_origin_or_keep(origin.as_deref()));
        };
        let Some(Node::Seq(d)) = dest else {
            // Nothing in the target: the patch's list, merged with itself
            // (its directives are not looked at).
            if let Some(Node::Seq(o)) = origin {
                list::merge_own(self, &mut o.items, schema)?;
                return Ok(Action::UseOrigin);
            }
            return Ok(Action::Clear);
        };
        let directive = match origin.as_deref_mut() {
            None => Directive::Merge,
            Some(o) if o.is_null() => return Ok(Action::Clear),
            Some(o) => seq_directive(o)?,
        };
        match (directive, origin) {
            (Directive::Delete, _) => Ok(Action::Clear),
            (Directive::Replace, Some(Node::Seq(o))) => {
                list::merge_own(self, &mut o.items, schema)?;
                Ok(Action::UseOrigin)
            }
            (_, o) => {
                let o = o.and_then(Node::as_seq_mut);
                list::merge(self, &mut d.items, o, schema)?;
                Ok(Action::Keep)
            }
        }
    }
}

/// kyaml's `VisitScalar` (and its treatment of non-associative lists): the
/// patch's value wins when it has one; a null there deletes.
fn use_origin_or_keep(origin: Option<&Node>) -> Action {
    match origin {
        None => Action::Keep,
        Some(o) if o.is_null() => Action::Clear,
        Some(_) => Action::UseOrigin,
    }
}

/// Removes the entries at `indices` (in any order).
fn remove_indices<T>(items: &mut Vec<T>, indices: &[usize]) {
    if indices.is_empty() {
        return;
    }
    let mut drop = vec![false; items.len()];
    for &i in indices {
        drop[i] = true;
    }
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

/// The text kyaml compares for a node (`yaml.Node.Value`): a scalar's text,
/// nothing for maps and lists.
fn value_text(node: &Node) -> &str {
    match node {
        Node::Scalar(s) => &s.value,
        _ => "",
    }
}

/// The directive of a patch map, removed from it when it is one kyaml
/// knows.
fn map_directive(node: &mut Node) -> Result<Directive, Error> {
    let Node::Map(map) = node else {
        return Err(Error::patch(format!(
            "no implemented strategic merge patch strategy for '{}'",
            node.kind_name()
        )));
    };
    let Some(value) = map.get(DIRECTIVE_KEY) else {
        return Ok(Directive::Merge);
    };
    let directive = parse_directive(value_text(value))?;
    map.remove(DIRECTIVE_KEY);
    Ok(directive)
}

/// The directive of a patch list: the first map element with a `$patch`
/// field, when that is its only field. The elements saying the same are
/// removed then, and with them any null or empty-map elements.
fn seq_directive(node: &mut Node) -> Result<Directive, Error> {
    let Node::Seq(seq) = node else {
        return Ok(Directive::Merge);
    };
    let found = seq.items.iter().find_map(|item| {
        let m = item.as_map()?;
        m.get(DIRECTIVE_KEY).map(|v| (m.len(), v))
    });
    let Some((fields, value)) = found else {
        return Ok(Directive::Merge);
    };
    if fields > 1 {
        return Ok(Directive::Merge);
    }
    let text = value_text(value).to_string();
    let directive = parse_directive(&text)?;
    seq.items.retain(|item| match item {
        n if n.is_null() => false,
        Node::Map(m) if m.is_empty() => false,
        Node::Map(m) => m.get(DIRECTIVE_KEY).is_none_or(|v| value_text(v) != text),
        _ => true,
    });
    Ok(directive)
}

fn parse_directive(text: &str) -> Result<Directive, Error> {
    match text {
        "delete" => Ok(Directive::Delete),
        "replace" => Ok(Directive::Replace),
        "merge" => Ok(Directive::Merge),
        other => Err(Error::patch(format!("unknown patch strategy '{other}'"))),
    }
}
