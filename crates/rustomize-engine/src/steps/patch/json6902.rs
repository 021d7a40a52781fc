//! JSON patches (RFC 6902), applied the way kustomize applies them.
//!
//! kustomize converts the object to JSON, applies the operations with
//! `gopkg.in/evanphx/json-patch.v4` and reads the result back. This module
//! works on the [`Node`] tree directly but keeps that library's behaviour:
//!
//! - a path is split on `/` and its first segment is ignored (`spec/x` means
//!   `/x`); `~1` and `~0` are unescaped;
//! - array indices may be negative (counted from the end); `-` appends, and
//!   so does an `add` at index `-1`;
//! - `add` needs the parent to exist; `replace` of a missing *object* key
//!   adds it (only array indices are checked); `copy` from a missing object
//!   key copies `null`;
//! - a `null` value met while walking a path counts as missing;
//! - operations given as YAML are read with YAML 1.1 types (`yes` and `on`
//!   are booleans, `0777` is octal), as `sigs.k8s.io/yaml` reads them;
//! - the JSON round trip turns every number into a float64 (so `1000000`
//!   becomes `1e+06` until it is printed), timestamps into strings and the
//!   whole object into plain JSON types: [`Patch::apply`] does the same.
//!
//! Errors: the operations return `Result<_, String>` with the text of Go's
//! `jsonpatch` library, which kustomize prints and the tests compare with
//! kubectl's; [`Patch::apply`] turns it into [`Error::Patch`].

mod json_form;

use crate::error::Error;
use rustomize_yaml::{Node, Pos, Scalar, Tag};

use json_form::json_text;
pub(crate) use json_form::text_to_json;
use json_form::{json_round_trip, json_type};

use crate::gofmt::go_quote;

/// An operation's name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
    /// Anything else; the text is what kustomize reports.
    Unknown(String),
}

/// A string field of an operation (`path`, `from`).
#[derive(Clone, Debug)]
enum Field {
    /// Absent or `null`.
    Missing,
    /// Present but not a string: the JSON type it has.
    NotString(&'static str),
    /// The string.
    Text(String),
}

/// One decoded operation.
#[derive(Clone, Debug)]
struct Operation {
    kind: Kind,
    path: Field,
    from: Field,
    /// `None` when the operation has no `value`; `null` is `Some(null)`.
    value: Option<Node>,
    /// Where the operation was written (field provenance; a source id of 0
    /// when the build does not record it).
    pos: Pos,
}

/// A decoded JSON patch: its operations, in order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Patch {
    ops: Vec<Operation>,
}

/// Why patch text could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The text is not YAML (or not JSON, when it starts with `[`).
    Syntax(String),
    /// The text is well formed but is not a list of operations.
    Shape {
        /// The patch as JSON, as kustomize quotes it.
        json: String,
        /// Go's `encoding/json` complaint.
        message: String,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Syntax(m) => f.write_str(m),
            DecodeError::Shape { message, .. } => f.write_str(message),
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::patch(e.to_string())
    }
}

/// Applies the operations in `ops` (a list of operations, as parsed from
/// YAML or JSON text) to `target`, with kustomize's JSON round trip.
#[cfg(test)]
pub(crate) fn apply(target: &mut Node, ops: &Node) -> Result<(), Error> {
    Patch::from_json(&crate::model::go_yaml::yaml_to_json(ops)?)
        .map_err(Error::patch)?
        .apply(target)
}

impl Patch {
    /// Decodes patch text as kustomize does: JSON when it starts with `[`,
    /// otherwise YAML (first document only) converted to JSON.
    pub(crate) fn parse(text: &str) -> Result<Patch, DecodeError> {
        Patch::parse_parsed(text, None)
    }

    /// [`Patch::parse`] with the YAML documents of `text` already parsed.
    pub(crate) fn parse_parsed(
        text: &str,
        parsed: Option<&Result<Vec<Node>, rustomize_yaml::ParseError>>,
    ) -> Result<Patch, DecodeError> {
        let json = match parsed {
            Some(p) => json_form::text_to_json_parsed(text, Some(p))?,
            None => text_to_json(text)?,
        };
        Patch::from_json(&json).map_err(|message| DecodeError::Shape {
            json: json_text(text, &json),
            message,
        })
    }

    /// Decodes operations already in JSON form (see [`text_to_json`]).
    fn from_json(json: &Node) -> Result<Patch, String> {
        let items = match json {
            Node::Seq(seq) => &seq.items,
            n if n.is_null() => return Ok(Patch::default()),
            other => {
                return Err(format!(
                    "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                    json_type(other)
                ));
            }
        };
        let mut ops = Vec::with_capacity(items.len());
        for item in items {
            let map = match item {
                Node::Map(m) => Some(m),
                n if n.is_null() => None,
                other => {
                    return Err(format!(
                        "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                        json_type(other)
                    ));
                }
            };
            let field = |name: &str| match map.and_then(|m| m.get(name)) {
                None => Field::Missing,
                Some(n) if n.is_null() => Field::Missing,
                Some(Node::Scalar(s)) if s.tag == Tag::Str => Field::Text(s.value.to_string()),
                Some(other) => Field::NotString(json_type(other)),
            };
            let kind = match field("op") {
                Field::Text(op) => match op.as_str() {
                    "add" => Kind::Add,
                    "remove" => Kind::Remove,
                    "replace" => Kind::Replace,
                    "move" => Kind::Move,
                    "copy" => Kind::Copy,
                    "test" => Kind::Test,
                    _ => Kind::Unknown(op),
                },
                _ => Kind::Unknown("unknown".into()),
            };
            ops.push(Operation {
                kind,
                path: field("path"),
                from: field("from"),
                value: map.and_then(|m| m.get("value")).cloned(),
                pos: item.pos(),
            });
        }
        Ok(Patch { ops })
    }

    /// Applies `f` to the positions of the operations and of their values
    /// (field provenance: gives them their file).
    pub(crate) fn stamp_nodes(&mut self, f: &dyn Fn(&mut Node)) {
        for op in &mut self.ops {
            if let Some(v) = &mut op.value {
                f(v);
            }
            let mut at = Node::null();
            at.set_pos(op.pos);
            f(&mut at);
            op.pos = at.pos();
        }
    }

    /// Whether there are no operations.
    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Applies the operations to `doc` in order, then gives `doc` the shape
    /// kustomize's JSON round trip leaves it in. Fails on the first
    /// operation that does not apply, with json-patch's message.
    pub(crate) fn apply(&self, doc: &mut Node) -> Result<(), Error> {
        let mut growth = Growth::new(doc);
        for op in &self.ops {
            let result = match &op.kind {
                Kind::Add => add(doc, op),
                Kind::Remove => remove(doc, op),
                Kind::Replace => replace(doc, op),
                Kind::Move => move_op(doc, op),
                Kind::Copy => copy(doc, op, &mut growth),
                Kind::Test => test(doc, op),
                Kind::Unknown(k) => Err(format!("Unexpected kind: {k}")),
            };
            result.map_err(Error::patch)?;
        }
        json_round_trip(doc).map_err(Error::patch)
    }
}

/// A document may grow to this many nodes through `copy` operations (or
/// to twice its size before the patch, when that is more). kustomize sets
/// no bound: a patch that copies `/spec` into itself thirty times doubles
/// the object thirty times, until memory runs out.
pub(crate) const MAX_PATCHED_NODES: usize = 1_000_000;

/// What `copy` operations have added to a document, against its bound.
struct Growth {
    nodes: usize,
    limit: usize,
}

impl Growth {
    fn new(doc: &Node) -> Self {
        let nodes = rustomize_yaml::limits::count(doc);
        Growth {
            nodes,
            limit: MAX_PATCHED_NODES.max(nodes.saturating_mul(2)),
        }
    }

    /// Accounts for a copy of `value` placed inside `parents.len() + 1`
    /// collections: refused when the document would pass its bound, or be
    /// nested deeper than a YAML document may be.
    fn copy(&mut self, value: &Node, parents: &[String]) -> Result<(), String> {
        self.nodes = self
            .nodes
            .saturating_add(rustomize_yaml::limits::count(value));
        if self.nodes > self.limit {
            return Err(format!(
                "copy operation refused: the document would hold more than {} nodes",
                self.limit
            ));
        }
        within_depth(value, parents)
    }
}

/// Refuses a value placed inside `parents.len() + 1` collections when the
/// document would then be nested past the YAML limit (which kustomize's
/// printer enforces).
fn within_depth(value: &Node, parents: &[String]) -> Result<(), String> {
    let depth = parents.len() + 1 + rustomize_yaml::limits::height(value);
    if depth > rustomize_yaml::limits::MAX_DEPTH {
        return Err(format!(
            "the patched document would be nested {depth} deep: {}",
            rustomize_yaml::limits::DEPTH_MESSAGE
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Paths.

/// Splits a path as json-patch v4 does: `None` when it has no `/`; the
/// first segment is dropped, the last is the key, the rest lead to it.
fn split(path: &str) -> Option<(Vec<String>, String)> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 2 {
        return None;
    }
    let key = unescape(parts.pop().unwrap_or_default());
    let parents = parts[1..].iter().map(|p| unescape(p)).collect();
    Some((parents, key))
}

/// RFC 6901 unescaping: `~1` is `/`, `~0` is `~`, left to right.
fn unescape(s: &str) -> String {
    if !s.contains('~') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('~') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.as_bytes().first() {
            Some(b'1') => {
                out.push('/');
                rest = &after[1..];
            }
            Some(b'0') => {
                out.push('~');
                rest = &after[1..];
            }
            _ => {
                out.push('~');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The container the last segment of a path lives in: each step must exist,
/// be non-null, and be an object or array.
fn container<'a>(doc: &'a mut Node, parents: &[String]) -> Option<&'a mut Node> {
    let mut cur = doc;
    for part in parents {
        let next = match cur {
            Node::Map(m) => m.get_mut(part)?,
            Node::Seq(s) => {
                let i = get_index(part, s.items.len()).ok()?;
                &mut s.items[i]
            }
            Node::Scalar(_) => return None,
        };
        if !matches!(next, Node::Map(_) | Node::Seq(_)) {
            return None;
        }
        cur = next;
    }
    Some(cur)
}

/// Go's `strconv.Atoi`, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    body.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

fn invalid_index(i: i64) -> String {
    format!("Unable to access invalid index: {i}: invalid index referenced")
}

/// The position an existing element is read or replaced at.
fn get_index(key: &str, len: usize) -> Result<usize, String> {
    let len = len as i64;
    let mut i = atoi(key)?;
    if i < 0 {
        if i < -len {
            return Err(invalid_index(i));
        }
        i += len;
    }
    if i >= len {
        return Err(invalid_index(i));
    }
    Ok(i as usize)
}

/// The position an element is inserted at by `add`.
fn add_index(key: &str, len: usize) -> Result<usize, String> {
    if key == "-" {
        return Ok(len);
    }
    let i = atoi(key).map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
    let size = len as i64 + 1;
    if i >= size || i < -size {
        return Err(invalid_index(i));
    }
    Ok(if i < 0 { i + size } else { i } as usize)
}

/// The position an element is removed from.
fn remove_index(key: &str, len: usize) -> Result<usize, String> {
    let len = len as i64;
    let i = atoi(key)?;
    if i >= len || i < -len {
        return Err(invalid_index(i));
    }
    Ok(if i < 0 { i + len } else { i } as usize)
}

/// Adds `value` under `key`: object keys are set (replacing), array
/// elements inserted.
fn con_add(con: &mut Node, key: &str, value: Node) -> Result<(), String> {
    match con {
        Node::Map(m) => {
            m.insert(key, value);
            Ok(())
        }
        Node::Seq(s) => {
            let i = add_index(key, s.items.len())?;
            s.items.insert(i, value);
            Ok(())
        }
        Node::Scalar(_) => Err("invalid state detected".into()),
    }
}

/// Reads the value under `key`; a missing object key reads as `None`.
fn con_get<'a>(con: &'a Node, key: &str) -> Result<Option<&'a Node>, String> {
    match con {
        Node::Map(m) => Ok(m.get(key).filter(|n| !n.is_null())),
        Node::Seq(s) => {
            let i = get_index(key, s.items.len())?;
            Ok(Some(&s.items[i]).filter(|n| !n.is_null()))
        }
        Node::Scalar(_) => Ok(None),
    }
}

/// Removes and returns the value under `key`.
fn con_remove(con: &mut Node, key: &str) -> Result<Node, String> {
    match con {
        Node::Map(m) => m
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: missing value")),
        Node::Seq(s) => {
            let i = remove_index(key, s.items.len())?;
            Ok(s.items.remove(i))
        }
        Node::Scalar(_) => Err("invalid state detected".into()),
    }
}

// ---------------------------------------------------------------------------
// Operations.

fn value_or_null(op: &Operation) -> Node {
    op.value.clone().unwrap_or_else(Node::null)
}

/// The path text, or the error `encoding/json` gives for it.
fn field_text<'a>(f: &'a Field, missing: &str) -> Result<&'a str, String> {
    match f {
        Field::Text(t) => Ok(t),
        Field::Missing => Err(format!("{missing}: missing value")),
        Field::NotString(t) => Err(format!(
            "json: cannot unmarshal {t} into Go value of type string"
        )),
    }
}

fn add(doc: &mut Node, op: &Operation) -> Result<(), String> {
    let Field::Text(path) = &op.path else {
        return Err("add operation failed to decode path: missing value".into());
    };
    let missing =
        || format!("add operation does not apply: doc is missing path: \"{path}\": missing value");
    let (parents, key) = split(path).ok_or_else(missing)?;
    let con = container(doc, &parents).ok_or_else(missing)?;
    con_add(con, &key, value_or_null(op))
        .map_err(|e| format!("error in add for path: '{path}': {e}"))?;
    mark_key(con, &key, op);
    Ok(())
}

/// Field provenance: a key an operation added is placed at the operation.
fn mark_key(con: &mut Node, key: &str, op: &Operation) {
    if op.pos.src == 0 {
        return;
    }
    if let Node::Map(m) = con
        && let Some(e) = m.entries.iter_mut().find(|e| e.key.value == key)
        && e.key.src == 0
    {
        e.key.set_pos(op.pos);
    }
}

/// Field provenance: a container an operation removed something from is
/// placed at the operation (the place that took the field away).
fn mark_removal(con: &mut Node, op: &Operation) {
    if op.pos.src != 0 {
        con.set_pos(op.pos);
    }
}

fn remove(doc: &mut Node, op: &Operation) -> Result<(), String> {
    let Field::Text(path) = &op.path else {
        return Err("remove operation failed to decode path: missing value".into());
    };
    let missing = || {
        format!("remove operation does not apply: doc is missing path: \"{path}\": missing value")
    };
    let (parents, key) = split(path).ok_or_else(missing)?;
    let con = container(doc, &parents).ok_or_else(missing)?;
    con_remove(con, &key)
        .map(drop)
        .map_err(|e| format!("error in remove for path: '{path}': {e}"))?;
    mark_removal(con, op);
    Ok(())
}

fn replace(doc: &mut Node, op: &Operation) -> Result<(), String> {
    let path = field_text(&op.path, "operation missing path field")
        .map_err(|e| format!("replace operation failed to decode path: {e}"))?;
    if path.is_empty() {
        // The whole document. json-patch wraps a nil error here, so a
        // scalar value is silently ignored. A null decodes as a document
        // into a nil pointer, which leaves the document the later
        // operations see (and the one printed) as it was.
        match &op.value {
            Some(v @ (Node::Map(_) | Node::Seq(_))) => *doc = v.clone(),
            Some(_) => {}
            None => return Err("replace operation value must be object or array".into()),
        }
        return Ok(());
    }
    let (parents, key) = split(path).ok_or_else(|| {
        format!("replace operation does not apply: doc is missing path: {path}: missing value")
    })?;
    let con = container(doc, &parents).ok_or_else(|| {
        format!("replace operation does not apply: doc is missing path: {path}: missing value")
    })?;
    let value = value_or_null(op);
    match con {
        Node::Map(m) => {
            m.insert(&key, value);
            mark_key(con, &key, op);
        }
        Node::Seq(s) => {
            let i = get_index(&key, s.items.len()).map_err(|_| {
                format!(
                    "replace operation does not apply: doc is missing key: {path}: missing value"
                )
            })?;
            s.items[i] = value;
        }
        Node::Scalar(_) => return Err("invalid state detected".into()),
    }
    Ok(())
}

fn move_op(doc: &mut Node, op: &Operation) -> Result<(), String> {
    let from = field_text(&op.from, "operation, missing from field")
        .map_err(|e| format!("move operation failed to decode from: {e}"))?;
    let missing_from = || {
        format!("move operation does not apply: doc is missing from path: {from}: missing value")
    };
    let (parents, key) = split(from).ok_or_else(missing_from)?;
    let con = container(doc, &parents).ok_or_else(missing_from)?;
    con_get(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let value =
        con_remove(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    mark_removal(con, op);
    let path = field_text(&op.path, "operation missing path field")
        .map_err(|e| format!("move operation failed to decode path: {e}"))?;
    let missing_to = || {
        format!(
            "move operation does not apply: doc is missing destination path: {path}: missing value"
        )
    };
    let (parents, key) = split(path).ok_or_else(missing_to)?;
    within_depth(&value, &parents)?;
    let con = container(doc, &parents).ok_or_else(missing_to)?;
    con_add(con, &key, value).map_err(|e| format!("error in move for path: '{path}': {e}"))
}

fn copy(doc: &mut Node, op: &Operation, growth: &mut Growth) -> Result<(), String> {
    let from = field_text(&op.from, "operation, missing from field")
        .map_err(|e| format!("copy operation failed to decode from: {e}"))?;
    let missing_from = || {
        format!("copy operation does not apply: doc is missing from path: {from}: missing value")
    };
    let (parents, key) = split(from).ok_or_else(missing_from)?;
    let con = container(doc, &parents).ok_or_else(missing_from)?;
    let found = con_get(con, &key).map_err(|e| format!("error in copy for from: '{from}': {e}"))?;
    let Field::Text(path) = &op.path else {
        return Err("copy operation failed to decode path: missing value".into());
    };
    let missing_to = || {
        format!(
            "copy operation does not apply: doc is missing destination path: {path}: missing value"
        )
    };
    let (to_parents, to_key) = split(path).ok_or_else(missing_to)?;
    // Measured before the copy is made.
    let value = match found {
        Some(v) => {
            growth.copy(v, &to_parents)?;
            v.clone()
        }
        None => Node::null(),
    };
    let (parents, key) = (to_parents, to_key);
    let con = container(doc, &parents).ok_or_else(missing_to)?;
    con_add(con, &key, value).map_err(|e| format!("error while adding value during copy: {e}"))
}

fn test(doc: &mut Node, op: &Operation) -> Result<(), String> {
    let path = field_text(&op.path, "operation missing path field")
        .map_err(|e| format!("test operation failed to decode path: {e}"))?;
    let failed = || format!("testing value {path} failed: test failed");
    if path.is_empty() {
        return match &op.value {
            Some(v) if json_equal(doc, v) => Ok(()),
            _ => Err(failed()),
        };
    }
    let missing =
        || format!("test operation does not apply: is missing path: {path}: missing value");
    let (parents, key) = split(path).ok_or_else(missing)?;
    let con = container(doc, &parents).ok_or_else(missing)?;
    let found = con_get(con, &key).map_err(|e| format!("error in test for path: '{path}': {e}"))?;
    match (found, &op.value) {
        (None, Some(v)) if v.is_null() => Ok(()),
        (Some(found), Some(v)) if json_equal(found, v) => Ok(()),
        _ => Err(failed()),
    }
}

/// json-patch's structural equality: objects by key set and values, arrays
/// element-wise, scalars by their JSON text.
fn json_equal(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Map(x), Node::Map(y)) => {
            x.len() == y.len()
                && x.entries.iter().all(|e| match y.get(&e.key.value) {
                    Some(v) if e.value.is_null() || v.is_null() => e.value.is_null() && v.is_null(),
                    Some(v) => json_equal(&e.value, v),
                    None => false,
                })
        }
        (Node::Seq(x), Node::Seq(y)) => {
            x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| json_equal(p, q))
        }
        (Node::Scalar(x), Node::Scalar(y)) => scalar_json(x) == scalar_json(y),
        _ => false,
    }
}

fn scalar_json(s: &Scalar) -> String {
    rustomize_yaml::json::to_string(&Node::Scalar(s.clone())).unwrap_or_default()
}

#[cfg(test)]
mod tests;
