//! Patches: strategic merge, JSON 6902, and the transformers that select
//! their targets.

pub mod json6902;
pub mod selector;
pub mod strategic_merge;
