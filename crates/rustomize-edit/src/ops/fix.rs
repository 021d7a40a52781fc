//! `edit fix`: kustomize's `FixKustomizationPreMarshalling` (the
//! `FixKustomization` part happens on every read).

use super::{OpError, Outcome};
use crate::kustomization::{Kustomization, pairs_value};
use crate::value::Value;

/// `patchesJson6902` and `patchesStrategicMerge` move to `patches` (a
/// strategic merge entry that names a readable file becomes `path:`, else
/// inline `patch:`), `commonLabels` becomes a `labels` entry with
/// `includeSelectors: true`. `is_file` says whether a path can be read.
pub fn fix(k: &mut Kustomization, is_file: impl Fn(&str) -> bool) -> Result<Outcome, OpError> {
    let mut patches = k.items("patches");
    let mut moved = false;
    if k.get("patchesJson6902").is_some() {
        patches.extend(k.items("patchesJson6902"));
        k.set("patchesJson6902", None);
        moved = true;
    }
    if k.get("patchesStrategicMerge").is_some() {
        for p in k.strings("patchesStrategicMerge") {
            let key = if is_file(&p) { "path" } else { "patch" };
            let entry = if p.is_empty() {
                Vec::new()
            } else {
                vec![(key.to_string(), Value::Str(p))]
            };
            patches.push(Value::Map(entry));
        }
        k.set("patchesStrategicMerge", None);
        moved = true;
    }
    if moved {
        k.set_items("patches", patches);
    }
    if let Some(common) = k.string_map("commonLabels").filter(|m| !m.is_empty()) {
        let mut labels = k.items("labels");
        for l in &labels {
            if let Some(Value::Map(pairs)) = l.get("pairs") {
                for (key, _) in pairs {
                    if common.iter().any(|(c, _)| c == key) {
                        return Err(OpError::new(format!(
                            "label name '{key}' exists in both commonLabels and labels"
                        )));
                    }
                }
            }
        }
        labels.push(Value::Map(vec![
            ("pairs".into(), pairs_value(common)),
            ("includeSelectors".into(), Value::Bool(true)),
        ]));
        k.set_items("labels", labels);
        k.set("commonLabels", None);
    }
    Ok(Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    })
}
