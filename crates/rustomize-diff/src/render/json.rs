//! The JSON format, for programs (described in docs/diff.md; `version`
//! changes when a field changes meaning or goes away).

use super::{RenderOptions, kind_counts, totals};
use crate::compare::{Comparison, ObjectDiff, Status};
use crate::fields::{Change, Segment};
use crate::id::ObjectId;
use crate::{Report, unified, value};
use serde_json::{Map, Value, json};

pub(super) fn render(report: &Report, opts: &RenderOptions) -> String {
    let [a, r, c, u] = totals(report);
    let targets: Vec<Value> = report
        .targets
        .iter()
        .map(|t| {
            json!({
                "target": t.name,
                "left_missing": t.left_missing,
                "right_missing": t.right_missing,
                "summary": summary(&t.comparison),
                "objects": t.comparison.objects.iter().map(|o| object(o, opts)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "left": report.left,
        "right": report.right,
        "differences": report.has_differences(),
        "summary": {"added": a, "removed": r, "changed": c, "unchanged": u},
        "targets": targets,
    });
    // Serializing a Value cannot fail; the fallback is never used.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn summary(c: &Comparison) -> Value {
    let kinds: Map<String, Value> = kind_counts(c)
        .into_iter()
        .map(|(k, [a, r, ch])| {
            (
                k.to_string(),
                json!({"added": a, "removed": r, "changed": ch}),
            )
        })
        .collect();
    json!({
        "added": c.count(Status::Added),
        "removed": c.count(Status::Removed),
        "changed": c.count(Status::Changed),
        "unchanged": c.unchanged,
        "left_objects": c.left_total,
        "right_objects": c.right_total,
        "kinds": kinds,
    })
}

fn id(i: &ObjectId) -> Value {
    json!({
        "apiVersion": i.api_version(),
        "kind": i.kind,
        "namespace": i.namespace,
        "name": i.name,
    })
}

fn object(o: &ObjectDiff, opts: &RenderOptions) -> Value {
    let mut v = json!({
        "status": o.status.as_str(),
        "group": o.id.group,
        "kind": o.id.kind,
        "namespace": o.id.namespace,
        "name": o.id.name,
        "left": o.left.as_ref().map(id),
        "right": o.right.as_ref().map(id),
        "renamed": o.renamed(),
        "moved": o.moved(),
        "lines_added": o.lines_added,
        "lines_removed": o.lines_removed,
    });
    if opts.summary_only {
        return v;
    }
    let changes: Vec<Value> = o.fields.iter().map(|f| {
        let segments: Vec<Value> = f.path.0.iter().map(|s| match s {
            Segment::Key(k) => json!({"key": k}),
            Segment::Index(i) => json!({"index": i}),
            Segment::Item(keys) => json!({"item": keys.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect::<Map<_, _>>()}),
        }).collect();
        let (op, old, new) = match &f.change {
            Change::Added(n) => ("added", None, Some(value::to_json(n))),
            Change::Removed(n) => ("removed", Some(value::to_json(n)), None),
            Change::Changed { old, new } => ("changed", Some(value::to_json(old)), Some(value::to_json(new))),
        };
        json!({"path": f.path.to_string(), "segments": segments, "op": op, "old": old, "new": new})
    }).collect();
    let mut diff = String::new();
    for h in unified::hunks(&o.left_yaml, &o.right_yaml, opts.context) {
        diff.push_str(&h.header());
        diff.push('\n');
        for l in h.lines {
            diff.push(l.kind.prefix());
            diff.push_str(&l.text);
            diff.push('\n');
        }
    }
    if let Value::Object(m) = &mut v {
        m.insert("changes".into(), Value::Array(changes));
        m.insert("diff".into(), Value::from(diff));
    }
    v
}
