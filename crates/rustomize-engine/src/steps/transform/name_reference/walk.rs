//! Following a field spec path through a referrer and rewriting the
//! reference found at its end, with kustomize's error texts (its
//! `fieldspec.Filter` walk and `nameref.Filter` setters).

use super::index::{Index, Referrer};
use crate::model::resid::Gvk;
use crate::model::resource::Resource;
use rustomize_yaml::resolve::{resolve_plain, v2_plain_is_string};
use rustomize_yaml::{Node, Style, Tag};
use std::borrow::Cow;

/// One step of a field spec path, borrowed from the path where it can be
/// (only a step with an escaped slash, `a\/b`, is a copy): the default
/// tables hold some three hundred paths, split on every build.
#[derive(Clone, Debug)]
pub(super) struct Segment<'a> {
    /// As written (`containers[]`), for error messages.
    pub raw: Cow<'a, str>,
    /// The field name.
    pub name: Cow<'a, str>,
    /// Whether the path marks the field as a sequence (`name[]`).
    pub seq: bool,
}

impl<'a> Segment<'a> {
    /// Splits a field spec path as `fieldspec::split_path` does.
    pub(super) fn split(path: &'a str) -> Vec<Segment<'a>> {
        let mut parts: Vec<Cow<'a, str>> = Vec::new();
        let mut pieces = path.split('/');
        if path.starts_with('/') {
            pieces.next();
        }
        for piece in pieces {
            match parts.last_mut() {
                Some(last) if last.ends_with('\\') => {
                    let joined = last.to_mut();
                    joined.pop();
                    joined.push('/');
                    joined.push_str(piece);
                }
                _ => parts.push(Cow::Borrowed(piece)),
            }
        }
        parts
            .into_iter()
            .map(|raw| {
                let (name, seq) = match &raw {
                    Cow::Borrowed(r) => match r.strip_suffix("[]") {
                        Some(n) => (Cow::Borrowed(n), true),
                        None => (Cow::Borrowed(*r), false),
                    },
                    Cow::Owned(r) => match r.strip_suffix("[]") {
                        Some(n) => (Cow::Owned(n.to_string()), true),
                        None => (Cow::Owned(r.clone()), false),
                    },
                };
                Segment { raw, name, seq }
            })
            .collect()
    }
}

/// Why a reference could not be fixed.
#[derive(Debug)]
pub(super) enum Fail {
    /// A plain error message.
    Msg(String),
    /// Several referral candidates remain (candidate numbers); the message
    /// is rendered by the caller, which can see the whole referrer.
    Ambiguous(Vec<u32>),
}

/// A failure and the contexts it passed through, innermost first.
#[derive(Debug)]
pub(super) struct WalkError {
    /// What failed.
    pub fail: Fail,
    /// kustomize's "visit traversal on path: [...]" prefixes.
    pub contexts: Vec<String>,
}

impl WalkError {
    fn msg(m: impl Into<String>) -> Self {
        WalkError {
            fail: Fail::Msg(m.into()),
            contexts: Vec::new(),
        }
    }
}

/// Calls `fixer` on every node `path` leads to in `node`. Missing fields
/// end the walk quietly; sequences along the way are walked element by
/// element; a scalar where the path goes on is an error.
pub(super) fn walk(
    path: &[Segment<'_>],
    node: &mut Node,
    fixer: &mut Fixer<'_>,
) -> Result<(), WalkError> {
    let Some((first, rest)) = path.split_first() else {
        return fixer.fix(node);
    };
    match node {
        Node::Scalar(s) if s.is_null() => Ok(()),
        Node::Seq(seq) => {
            for item in &mut seq.items {
                walk(path, item, fixer).map_err(|mut e| {
                    let parts: Vec<&str> = path.iter().map(|s| s.raw.as_ref()).collect();
                    e.contexts
                        .push(format!("visit traversal on path: [{}]", parts.join(" ")));
                    e
                })?;
            }
            Ok(())
        }
        Node::Map(map) => {
            if first.name.is_empty() {
                return Err(WalkError::msg("cannot set or create an empty field name"));
            }
            let Some(field) = map.get_mut(&first.name) else {
                return Ok(());
            };
            if first.seq && field.is_null() {
                // kustomize turns a null field the path calls a sequence
                // into an empty sequence.
                *field = Node::seq(Vec::new());
            }
            walk(rest, field, fixer)
        }
        Node::Scalar(_) => Err(WalkError::msg("expected sequence or mapping node")),
    }
}

/// Rewrites references found at the end of a path.
pub(super) struct Fixer<'a> {
    /// The referral candidates.
    pub index: &'a Index,
    /// The resource holding the references.
    pub referrer: &'a Referrer,
    /// The kind the field refers to.
    pub target: &'a Gvk,
    /// For `roleRef/name`: the `roleRef`'s group and kind.
    pub role_ref: Option<&'a Gvk>,
    /// All resources (the referrer's tree is not among them while it is
    /// being fixed).
    pub resources: &'a [Resource],
    /// Positions of the referrals chosen so far, to record the referrer in
    /// their `ref_by` once its tree is back in place.
    pub chosen: &'a mut Vec<usize>,
}

impl Fixer<'_> {
    /// Fixes the node at the end of a path: a name, a `{name, namespace}`
    /// mapping, or a sequence of either.
    fn fix(&mut self, node: &mut Node) -> Result<(), WalkError> {
        match node {
            Node::Scalar(s) if s.is_null() => Ok(()),
            Node::Scalar(_) => self.fix_name(node),
            Node::Map(_) => self.fix_mapping(node),
            Node::Seq(seq) => {
                for item in &mut seq.items {
                    match item {
                        Node::Scalar(s) if s.is_null() => {}
                        Node::Scalar(_) => self.fix_name(item)?,
                        Node::Map(_) => self.fix_mapping(item)?,
                        Node::Seq(_) => {
                            return Err(WalkError::msg(
                                "sequence item is expected to be either a string or a map of string",
                            ));
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// Notes that the referrer refers to the candidate.
    fn record(&mut self, cand: u32) {
        self.chosen.push(self.index.cand(cand).res);
    }

    /// A scalar holding a name.
    fn fix_name(&mut self, node: &mut Node) -> Result<(), WalkError> {
        let Node::Scalar(s) = node else {
            return Ok(());
        };
        let chosen = self
            .index
            .select(
                self.resources,
                self.referrer,
                self.target,
                self.role_ref,
                &s.value,
                None,
                false,
            )
            .map_err(ambiguous)?;
        let Some(c) = chosen else {
            return Ok(());
        };
        self.record(c);
        let index = self.index;
        let name = &index.cand(c).name;
        if *name == s.value || name.is_empty() {
            return Ok(());
        }
        set_text(node, name)
    }

    /// A mapping with a `name` and perhaps a `namespace`.
    fn fix_mapping(&mut self, node: &mut Node) -> Result<(), WalkError> {
        let Node::Map(map) = node else {
            return Ok(());
        };
        let Some(name_node) = map.get("name") else {
            return Err(WalkError::msg("path config error; no 'name' field in node"));
        };
        let old_name = scalar_text(name_node);
        let namespace = map.get("namespace").map(scalar_text);
        let chosen = self
            .index
            .select(
                self.resources,
                self.referrer,
                self.target,
                self.role_ref,
                old_name,
                namespace,
                true,
            )
            .map_err(ambiguous)?;
        let Some(c) = chosen else {
            return Ok(());
        };
        let index = self.index;
        let cand = index.cand(c);
        let cand_ns = index.cand_namespace(c);
        let unchanged = cand.name == old_name && cand_ns.is_empty();
        self.record(c);
        if unchanged {
            return Ok(());
        }
        if cand.name.is_empty() {
            // kustomize's field setter clears a field set to nothing.
            map.remove("name");
        } else if let Some(field) = map.get_mut("name") {
            set_text(field, &cand.name)?;
        }
        if cand_ns.is_empty() {
            // An empty namespace is a wildcard here, not "default": the
            // field keeps what it says.
            return Ok(());
        }
        match map.get_mut("namespace") {
            Some(field) => set_text(field, cand_ns)?,
            None => {
                // A new field is quoted when YAML 1.1 would read it as
                // another type, as kyaml's field setter does.
                let value = if v2_plain_is_string(cand_ns) {
                    Node::plain(cand_ns)
                } else {
                    Node::string(cand_ns)
                };
                map.insert("namespace", value);
            }
        }
        Ok(())
    }
}

/// A node's text as kustomize reads `YNode().Value`: a scalar's text, or
/// nothing for a collection.
fn scalar_text(node: &Node) -> &str {
    match node {
        Node::Scalar(s) => &s.value,
        _ => "",
    }
}

/// Replaces a value the way kyaml's field setter does: a scalar keeps its
/// style and takes the type its new text has in that style (as
/// [`crate::model::fieldspec::set_scalar`] does, here reusing the text's buffer);
/// anything else becomes a plain scalar.
fn set_text(field: &mut Node, value: &str) -> Result<(), WalkError> {
    match field {
        Node::Scalar(s) => {
            s.tag = if s.style == Style::Plain {
                resolve_plain(value)
            } else {
                Tag::Str
            };
            s.value.clear();
            s.value.push_str(value);
        }
        other => *other = Node::plain(value),
    }
    Ok(())
}

fn ambiguous(cands: Vec<u32>) -> WalkError {
    WalkError {
        fail: Fail::Ambiguous(cands),
        contexts: Vec::new(),
    }
}
