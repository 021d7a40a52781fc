//! Strategic merge patches, as kustomize (kyaml's merge2) applies them.
//!
//! Stub: a plain recursive map merge until the real implementation lands.

use crate::error::Error;
use crate::openapi::Schema;
use rustomize_yaml::Node;

/// What became of the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The patch was merged in.
    Merged,
    /// The patch deleted the whole object (`$patch: delete`).
    Deleted,
}

/// Merges `patch` into `target` (both whole objects); list and directive
/// semantics follow the schema of the target's kind.
pub fn merge(target: &mut Node, patch: &Node, schema: &Schema) -> Result<Outcome, Error> {
    let _ = schema;
    merge_maps(target, patch);
    Ok(Outcome::Merged)
}

fn merge_maps(target: &mut Node, patch: &Node) {
    match (target, patch) {
        (Node::Map(t), Node::Map(p)) => {
            for e in &p.entries {
                if e.value.is_null() {
                    t.remove(&e.key.value);
                } else if let Some(slot) = t.get_mut(&e.key.value) {
                    merge_maps(slot, &e.value);
                } else {
                    t.insert(e.key.value.clone(), e.value.clone());
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}
