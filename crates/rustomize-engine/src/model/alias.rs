//! Label and annotation values that kustomize shares between fields.
//!
//! When kustomize's label (or annotation) transformer adds a key to several
//! maps of one object that lack it (`metadata.labels`, the selector, the pod
//! template), every new entry points at one and the same YAML node. A later
//! in-place write to any of them (a strategic merge patch of the pod
//! template's labels, a `labels:` entry without selectors, a replacement)
//! changes all of them:
//!
//! ```text
//! base: commonLabels {version: v1}   overlay: patch template label version: v2
//! kubectl kustomize prints version: v2 in metadata.labels, the selector and the template
//! ```
//!
//! rustomize has no shared nodes, so it records such groups as field paths
//! in [`BuildMeta::aliases`](crate::model::resource::BuildMeta) and, around each
//! step that writes in place, copies a changed member to the rest of its
//! group. A JSON 6902 patch goes through JSON, which ends the sharing.

use rustomize_yaml::{Node, Scalar};

/// One step of a field path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathSeg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Fields of one object that share one value node in kustomize.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AliasGroup {
    /// The fields.
    pub paths: Vec<Vec<PathSeg>>,
    /// The shared value before the step in progress.
    snapshot: Option<Scalar>,
}

/// `line` values at or above this mark a scalar just created by a label or
/// annotation run; the offset is the key's index in that run.
pub(crate) const CREATED_MARK: u32 = 0xFFF0_0000;

/// After a label or annotation run over an object: turns the scalars it
/// created (marked in `line`) into alias groups (added to `groups`), one
/// per key, and clears the marks.
pub(crate) fn collect_created(node: &mut Node, groups: &mut Vec<AliasGroup>) {
    let mut found: Vec<(u32, Vec<PathSeg>)> = Vec::new();
    let mut path = Vec::new();
    walk_marked(node, &mut path, &mut found);
    if found.len() < 2 {
        return;
    }
    found.sort_by_key(|(mark, _)| *mark);
    let mut i = 0;
    while i < found.len() {
        let mark = found[i].0;
        let j = found[i..]
            .iter()
            .position(|(m, _)| *m != mark)
            .map_or(found.len(), |k| i + k);
        if j - i >= 2 {
            let paths = found[i..j].iter().map(|(_, p)| p.clone()).collect();
            groups.push(AliasGroup {
                paths,
                snapshot: None,
            });
        }
        i = j;
    }
}

fn walk_marked(node: &mut Node, path: &mut Vec<PathSeg>, found: &mut Vec<(u32, Vec<PathSeg>)>) {
    match node {
        Node::Scalar(s) => {
            if s.line >= CREATED_MARK {
                found.push((s.line - CREATED_MARK, path.clone()));
                s.line = 0;
            }
        }
        Node::Seq(seq) => {
            for (i, item) in seq.items.iter_mut().enumerate() {
                path.push(PathSeg::Index(i));
                walk_marked(item, path, found);
                path.pop();
            }
        }
        Node::Map(m) => {
            for e in &mut m.entries {
                path.push(PathSeg::Key(e.key.value.to_string()));
                walk_marked(&mut e.value, path, found);
                path.pop();
            }
        }
    }
}

fn scalar_at<'a>(node: &'a Node, path: &[PathSeg]) -> Option<&'a Scalar> {
    let mut cur = node;
    for seg in path {
        cur = match seg {
            PathSeg::Key(k) => cur.get(k)?,
            PathSeg::Index(i) => cur.as_seq()?.get(*i)?,
        };
    }
    cur.as_scalar()
}

fn scalar_at_mut<'a>(node: &'a mut Node, path: &[PathSeg]) -> Option<&'a mut Scalar> {
    let mut cur = node;
    for seg in path {
        cur = match seg {
            PathSeg::Key(k) => cur.get_mut(k)?,
            PathSeg::Index(i) => cur.as_seq_mut()?.get_mut(*i)?,
        };
    }
    match cur {
        Node::Scalar(s) => Some(s),
        _ => None,
    }
}

/// Before a step: remembers each group's shared value in `node`.
pub(crate) fn snapshot(node: &Node, groups: &mut [AliasGroup]) {
    for g in groups {
        g.snapshot = g.paths.iter().find_map(|p| scalar_at(node, p)).cloned();
    }
}

/// After a step: a group member whose value changed gives its value to
/// the whole group, as a write to kustomize's shared node would.
pub(crate) fn propagate(node: &mut Node, groups: &mut [AliasGroup]) {
    for g in groups {
        let Some(before) = g.snapshot.take() else {
            continue;
        };
        let changed = g
            .paths
            .iter()
            .filter_map(|p| scalar_at(node, p))
            .find(|s| s.value != before.value || s.tag != before.tag)
            .cloned();
        if let Some(new) = changed {
            for p in &g.paths {
                if let Some(s) = scalar_at_mut(node, p) {
                    s.value.clone_from(&new.value);
                    s.tag = new.tag;
                    s.style = new.style;
                    // One shared node in kustomize: one place.
                    s.set_pos(new.pos());
                }
            }
        }
    }
}
