//! A read-only first look at a referrer: which of its field specs reach
//! anything at all, and whether any would fail.
//!
//! A Deployment is a referrer for some thirty-five field specs, most of
//! them sharing `spec/template/spec` and most reaching nothing (no
//! `initContainers`, no projected volumes). Walking them one by one repeats
//! the same lookups; walking a trie of the paths once shares them. Only the
//! specs that reach a value are then applied, one by one in table order,
//! which gives exactly kustomize's result: specs reaching nothing change
//! nothing. When the look finds a path that would fail, every spec is
//! applied in order instead, so the error is the one kustomize reports.

use super::walk::Segment;
use rustomize_yaml::Node;

/// The paths of a list of field specs, merged on common prefixes.
#[derive(Debug, Default)]
pub(super) struct Trie<'a> {
    root: TrieNode<'a>,
}

#[derive(Debug, Default)]
struct TrieNode<'a> {
    /// Specs (positions in the list the trie was built from) whose path
    /// ends here.
    ends: Vec<usize>,
    /// Next path steps (the segments of the paths the trie was built from).
    children: Vec<(&'a Segment<'a>, TrieNode<'a>)>,
}

/// The probe found a path that fails.
#[derive(Debug)]
pub(super) struct Fails;

impl<'a> Trie<'a> {
    /// A trie of `paths`, numbered in order.
    pub(super) fn new(paths: impl IntoIterator<Item = &'a [Segment<'a>]>) -> Trie<'a> {
        let mut trie = Trie::default();
        for (k, path) in paths.into_iter().enumerate() {
            let mut node = &mut trie.root;
            for seg in path {
                let pos = match node.children.iter().position(|(s, _)| s.raw == seg.raw) {
                    Some(pos) => pos,
                    None => {
                        node.children.push((seg, TrieNode::default()));
                        node.children.len() - 1
                    }
                };
                node = &mut node.children[pos].1;
            }
            node.ends.push(k);
        }
        trie
    }

    /// Marks in `hits` the specs whose paths reach a value they would act
    /// on; fails when some spec's walk would fail.
    pub(super) fn probe(&self, obj: &Node, hits: &mut [bool]) -> Result<(), Fails> {
        at(&self.root, obj, hits)
    }
}

/// `node` is what the path to `t` leads to.
fn at(t: &TrieNode<'_>, node: &Node, hits: &mut [bool]) -> Result<(), Fails> {
    if !t.ends.is_empty() && acts_on(node)? {
        if !t.children.is_empty() && holds_mappings(node) {
            // Fixing a `{name, namespace}` mapping may add or replace its
            // fields, which longer paths through it would then see: let
            // every spec below run in order.
            mark_all(t, hits);
            return Ok(());
        }
        for &k in &t.ends {
            hits[k] = true;
        }
    }
    for (seg, child) in &t.children {
        step(seg, child, node, hits)?;
    }
    Ok(())
}

/// Follows one path step from `node` (sequences are walked element by
/// element, as the field spec walk does).
fn step(
    seg: &Segment<'_>,
    child: &TrieNode<'_>,
    node: &Node,
    hits: &mut [bool],
) -> Result<(), Fails> {
    match node {
        Node::Scalar(s) if s.is_null() => Ok(()),
        Node::Scalar(_) => Err(Fails),
        Node::Seq(seq) => {
            for item in &seq.items {
                step(seg, child, item, hits)?;
            }
            Ok(())
        }
        Node::Map(map) => {
            if seg.name.is_empty() {
                return Err(Fails);
            }
            match map.get(&seg.name) {
                None => Ok(()),
                Some(field) if seg.seq && field.is_null() => {
                    // The walk turns this null into an empty sequence: a
                    // change, so every spec below must run.
                    mark_all(child, hits);
                    Ok(())
                }
                Some(field) => at(child, field, hits),
            }
        }
    }
}

fn mark_all(t: &TrieNode<'_>, hits: &mut [bool]) {
    for &k in &t.ends {
        hits[k] = true;
    }
    for (_, child) in &t.children {
        mark_all(child, hits);
    }
}

/// Whether the value is a mapping or a sequence holding one.
fn holds_mappings(node: &Node) -> bool {
    match node {
        Node::Map(_) => true,
        Node::Seq(seq) => seq.items.iter().any(|i| matches!(i, Node::Map(_))),
        Node::Scalar(_) => false,
    }
}

/// Whether the value at the end of a path holds a reference to look up;
/// fails where fixing it would (a mapping without `name`, a sequence in a
/// sequence).
fn acts_on(node: &Node) -> Result<bool, Fails> {
    match node {
        Node::Scalar(s) => Ok(!s.is_null()),
        Node::Map(m) => m.get("name").map(|_| true).ok_or(Fails),
        Node::Seq(seq) => {
            let mut any = false;
            for item in &seq.items {
                any |= match item {
                    Node::Scalar(s) => !s.is_null(),
                    Node::Map(m) => m.get("name").map(|_| true).ok_or(Fails)?,
                    Node::Seq(_) => return Err(Fails),
                };
            }
            Ok(any)
        }
    }
}
