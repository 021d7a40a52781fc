//! Matching the objects of two sides and comparing each pair.

use crate::fields::{self, FieldChange, TypeRef};
use crate::id::{IdRef, ObjectId};
use crate::prepare;
use rayon::prelude::*;
use rustomize_yaml::Node;
use std::collections::HashMap;

/// What to compare, and what to leave out.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Leave every object's (and template's) `metadata.labels` out.
    pub ignore_labels: bool,
    /// Leave these annotations out (exact keys, or `prefix*`; `*` for all).
    pub ignore_annotations: Vec<String>,
    /// Compare only objects of these kinds (case-insensitive); all when
    /// empty.
    pub kinds: Vec<String>,
    /// Print Secret values as they are instead of redacting them.
    pub show_secrets: bool,
}

/// Whether an object is new, gone or different.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Only on the right.
    Added,
    /// Only on the left.
    Removed,
    /// On both sides, different.
    Changed,
}

impl Status {
    /// `added`, `removed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}

/// One object that differs.
#[derive(Clone, Debug)]
pub struct ObjectDiff {
    /// Added, removed or changed.
    pub status: Status,
    /// The id to show: the right side's, else the left's.
    pub id: ObjectId,
    /// Its id on the left (`None` when added).
    pub left: Option<ObjectId>,
    /// Its id on the right (`None` when removed).
    pub right: Option<ObjectId>,
    /// The changed fields (empty when added or removed).
    pub fields: Vec<FieldChange>,
    /// The left side's YAML as compared (ignored fields left out, secrets
    /// redacted); empty when added.
    pub left_yaml: String,
    /// The right side's YAML, keyed lists in the left side's order; empty
    /// when removed.
    pub right_yaml: String,
    /// Lines added in the YAML.
    pub lines_added: usize,
    /// Lines removed from the YAML.
    pub lines_removed: usize,
}

impl ObjectDiff {
    /// Whether the name changed (a new hash suffix).
    pub fn renamed(&self) -> bool {
        matches!((&self.left, &self.right), (Some(l), Some(r)) if l.name != r.name)
    }

    /// Whether the namespace changed (for the cluster, a new object).
    pub fn moved(&self) -> bool {
        matches!((&self.left, &self.right), (Some(l), Some(r)) if l.namespace != r.namespace)
    }
}

/// The differences between two sides.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// The objects that differ, by kind, namespace and name.
    pub objects: Vec<ObjectDiff>,
    /// How many objects are on both sides, the same.
    pub unchanged: usize,
    /// Objects compared on the left (after `--kind`).
    pub left_total: usize,
    /// Objects compared on the right.
    pub right_total: usize,
}

impl Comparison {
    /// Whether anything differs.
    pub fn has_differences(&self) -> bool {
        !self.objects.is_empty()
    }

    /// How many objects have each status.
    pub fn count(&self, status: Status) -> usize {
        self.objects.iter().filter(|o| o.status == status).count()
    }
}

/// Why a comparison failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An object could not be printed as YAML.
    #[error("{object}: cannot print as YAML: {message}")]
    Emit {
        /// The object.
        object: String,
        /// Why.
        message: String,
    },
}

/// Compares the objects of two sides: matched by group, kind, namespace
/// and name; then a ConfigMap or Secret whose kustomize hash suffix changed
/// is matched by the rest of its name (renamed); then what is left by kind
/// and name (or hash-less name) when one object on each side has it, in
/// different namespaces (moved).
pub fn compare(left: &[Node], right: &[Node], opts: &Options) -> Result<Comparison, Error> {
    let keep = |n: &&Node| {
        opts.kinds.is_empty() || {
            let kind = n.str_at(&["kind"]).unwrap_or("");
            opts.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind))
        }
    };
    let left: Vec<&Node> = left.iter().filter(keep).collect();
    let right: Vec<&Node> = right.iter().filter(keep).collect();
    let lids: Vec<IdRef<'_>> = left.iter().map(|n| IdRef::of(n)).collect();
    let rids: Vec<IdRef<'_>> = right.iter().map(|n| IdRef::of(n)).collect();
    let pairs = match_objects(&lids, &rids);

    let results: Vec<Option<ObjectDiff>> = rustomize_engine::parallel(|| {
        pairs
            .par_iter()
            .map(|&(l, r)| {
                diff_pair(
                    l.map(|i| (left[i], &lids[i])),
                    r.map(|j| (right[j], &rids[j])),
                    opts,
                )
            })
            .collect::<Result<_, _>>()
    })?;
    let mut objects: Vec<ObjectDiff> = results.into_iter().flatten().collect();
    let unchanged = pairs
        .iter()
        .filter(|(l, r)| l.is_some() && r.is_some())
        .count()
        - objects
            .iter()
            .filter(|o| o.status == Status::Changed)
            .count();
    objects.sort_by(|a, b| {
        let (x, y) = (&a.id, &b.id);
        (&x.kind, &x.namespace, &x.name, &x.group, a.status).cmp(&(
            &y.kind,
            &y.namespace,
            &y.name,
            &y.group,
            b.status,
        ))
    });
    Ok(Comparison {
        objects,
        unchanged,
        left_total: left.len(),
        right_total: right.len(),
    })
}

/// Pairs of indices into the two sides: `(Some, Some)` matched, else
/// one side only.
fn match_objects(left: &[IdRef<'_>], right: &[IdRef<'_>]) -> Vec<(Option<usize>, Option<usize>)> {
    type Key<'a> = (&'a str, &'a str, &'a str, &'a str);
    fn key<'a>(id: &IdRef<'a>) -> Key<'a> {
        (id.group, id.kind, id.namespace, id.name)
    }
    let mut by_key: HashMap<Key<'_>, Vec<usize>> = HashMap::with_capacity(right.len());
    for (j, id) in right.iter().enumerate().rev() {
        by_key.entry(key(id)).or_default().push(j);
    }
    let mut pairs = Vec::new();
    let mut lonely_left = Vec::new();
    let mut taken = vec![false; right.len()];
    for (i, id) in left.iter().enumerate() {
        match by_key.get_mut(&key(id)).and_then(Vec::pop) {
            Some(j) => {
                taken[j] = true;
                pairs.push((Some(i), Some(j)));
            }
            None => lonely_left.push(i),
        }
    }
    let mut lonely_right: Vec<usize> = (0..right.len()).filter(|&j| !taken[j]).collect();

    // Then by looser keys, each only where it names one object per side.
    type Pass<'a> = dyn Fn(&IdRef<'a>) -> Option<Key<'a>>;
    let passes: [&Pass; 3] = [
        &|id| Some((id.group, id.kind, id.namespace, id.hash_stem()?)),
        &|id| Some((id.group, id.kind, "", id.name)),
        &|id| Some((id.group, id.kind, "", id.hash_stem()?)),
    ];
    for pass in passes {
        let mut groups: HashMap<Key<'_>, (Vec<usize>, Vec<usize>)> = HashMap::new();
        for &i in &lonely_left {
            if let Some(k) = pass(&left[i]) {
                groups.entry(k).or_default().0.push(i);
            }
        }
        for &j in &lonely_right {
            if let Some(k) = pass(&right[j]) {
                groups.entry(k).or_default().1.push(j);
            }
        }
        let mut matched_left = Vec::new();
        let mut matched_right = Vec::new();
        for (ls, rs) in groups.into_values() {
            if let ([i], [j]) = (ls.as_slice(), rs.as_slice()) {
                pairs.push((Some(*i), Some(*j)));
                matched_left.push(*i);
                matched_right.push(*j);
            }
        }
        lonely_left.retain(|i| !matched_left.contains(i));
        lonely_right.retain(|j| !matched_right.contains(j));
    }
    pairs.extend(lonely_left.into_iter().map(|i| (Some(i), None)));
    pairs.extend(lonely_right.into_iter().map(|j| (None, Some(j))));
    pairs
}

/// `a == b`, faster on two versions of one object: mapping entries are
/// looked for at the same position first (both sides are usually in the
/// same order), then anywhere.
fn same(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Scalar(x), Node::Scalar(y)) => x == y,
        (Node::Seq(x), Node::Seq(y)) => {
            x.items.len() == y.items.len() && x.items.iter().zip(&y.items).all(|(p, q)| same(p, q))
        }
        (Node::Map(x), Node::Map(y)) => {
            x.entries.len() == y.entries.len()
                && x.entries.iter().enumerate().all(|(i, e)| {
                    let other = match y.entries.get(i) {
                        Some(f) if f.key.value == e.key.value => Some(&f.value),
                        _ => y.get(&e.key.value),
                    };
                    other.is_some_and(|v| same(&e.value, v))
                })
        }
        _ => false,
    }
}

type SideRef<'a> = Option<(&'a Node, &'a IdRef<'a>)>;

/// Compares one pair (or one lone object); `None` when they are the same.
fn diff_pair(
    left: SideRef<'_>,
    right: SideRef<'_>,
    opts: &Options,
) -> Result<Option<ObjectDiff>, Error> {
    let ignoring = opts.ignore_labels || !opts.ignore_annotations.is_empty();
    if let (Some((a, _)), Some((b, _))) = (left, right)
        && same(a, b)
    {
        return Ok(None);
    }
    let prepare = |n: &Node| {
        let mut n = n.clone();
        if opts.ignore_labels {
            prepare::drop_labels(&mut n);
        }
        if !opts.ignore_annotations.is_empty() {
            prepare::drop_annotations(&mut n, &opts.ignore_annotations);
        }
        n
    };
    let mut a = left.map(|(n, _)| prepare(n));
    let mut b = right.map(|(n, _)| prepare(n));
    let secret = [left, right].iter().flatten().any(|(_, id)| id.is_secret());
    if secret && !opts.show_secrets {
        prepare::redact_secrets(a.as_mut(), b.as_mut());
    }
    let (status, fields) = match (&a, &mut b) {
        (Some(a), Some(b)) => {
            if ignoring && *a == *b {
                return Ok(None);
            }
            let id = right.or(left).map(|(_, id)| id.owned());
            let api_version = id.as_ref().map(ObjectId::api_version).unwrap_or_default();
            let ty = TypeRef {
                api_version: &api_version,
                kind: id.as_ref().map_or("", |id| id.kind.as_str()),
            };
            let fields = fields::changes(ty, a, b);
            if fields.is_empty() {
                // Only the order of keyed list items differs.
                return Ok(None);
            }
            fields::align(ty, a, b);
            (Status::Changed, fields)
        }
        (Some(_), None) => (Status::Removed, Vec::new()),
        (None, _) => (Status::Added, Vec::new()),
    };
    let emit = |n: &Option<Node>, id: Option<&IdRef<'_>>| -> Result<String, Error> {
        match n {
            Some(n) => rustomize_yaml::emit::to_string(n).map_err(|e| Error::Emit {
                object: id.map(|id| id.owned().to_string()).unwrap_or_default(),
                message: e.to_string(),
            }),
            None => Ok(String::new()),
        }
    };
    let left_yaml = emit(&a, left.map(|(_, id)| id))?;
    let right_yaml = emit(&b, right.map(|(_, id)| id))?;
    let (lines_added, lines_removed) = crate::unified::line_counts(&left_yaml, &right_yaml);
    let Some(id) = right.or(left).map(|(_, id)| id.owned()) else {
        return Ok(None);
    };
    Ok(Some(ObjectDiff {
        status,
        id,
        left: left.map(|(_, id)| id.owned()),
        right: right.map(|(_, id)| id.owned()),
        fields,
        left_yaml,
        right_yaml,
        lines_added,
        lines_removed,
    }))
}

#[cfg(test)]
mod tests;
