//! What runs around each transformer step: the build's own bookkeeping
//! (shared label values, transformation tracking, dropping emptied
//! resources) and any observer the caller adds through
//! [`BuildOptions::observers`](super::BuildOptions::observers), such as a
//! field provenance recorder.

use crate::model::alias;
use crate::model::provenance::{Stamp, stamp_unset};
use crate::model::read::is_null_or_empty_map;
use crate::model::resmap::ResMap;
use crate::model::resource::Origin;
use std::fmt;
use std::sync::Arc;

/// One transformer step about to run or just run: which plugin, where it
/// is configured, and what it may do.
#[derive(Clone, Copy, Debug)]
pub struct StepInfo<'a> {
    /// The plugin kind (`PatchTransformer`, `LabelTransformer`, or the kind
    /// of a config resource listed under `transformers:`).
    pub kind: &'a str,
    /// The kustomization file that configures the step, as messages show it.
    pub file: &'a str,
    /// The kustomization field the step comes from (`patches`,
    /// `commonLabels`, `transformers`...).
    pub field: &'a str,
    /// The entry of that field, for list fields (`patches[2]`); for
    /// `transformers:`, the config resource's position among them.
    pub index: Option<usize>,
    /// The origin kustomize records for the step (its `configuredBy`).
    pub origin: &'a Arc<Origin>,
    /// Whether the step can write a shared label or annotation value in
    /// place, which kustomize's shared YAML nodes then show in every field
    /// that shares it.
    pub writes_in_place: bool,
    /// How the step's values are placed, when the build records
    /// provenance.
    pub(crate) stamp: Option<&'a Stamp>,
}

/// Called around every transformer step of every kustomization of a build,
/// in the order the steps run (kustomizations of one `resources:` list are
/// built in parallel, so calls for different kustomizations may overlap).
/// Both hooks may change the resources; the build's own observers do.
pub trait StepObserver: Send + Sync + fmt::Debug {
    /// Before the step runs.
    fn before_step(&self, step: &StepInfo<'_>, resources: &mut ResMap) {
        let _ = (step, resources);
    }

    /// After the step ran without error.
    fn after_step(&self, step: &StepInfo<'_>, resources: &mut ResMap) {
        let _ = (step, resources);
    }
}

/// Label and annotation values kustomize shares between fields (see
/// [`alias`]): remembered before a step that writes in place, copied to
/// the whole group after it.
#[derive(Debug)]
pub(super) struct SharedValues;

impl StepObserver for SharedValues {
    fn before_step(&self, step: &StepInfo<'_>, rm: &mut ResMap) {
        if step.writes_in_place {
            for r in rm.resources_mut() {
                alias::snapshot(&r.node, &mut r.meta.aliases);
            }
        }
    }

    fn after_step(&self, step: &StepInfo<'_>, rm: &mut ResMap) {
        if step.writes_in_place {
            for r in rm.resources_mut() {
                alias::propagate(&mut r.node, &mut r.meta.aliases);
            }
        }
    }
}

/// Records the step in each resource's transformations (for
/// `buildMetadata: [transformerAnnotations]`); only resources whose origin
/// is known, as kustomize does.
#[derive(Debug)]
pub(super) struct RecordTransformations;

impl StepObserver for RecordTransformations {
    fn after_step(&self, step: &StepInfo<'_>, rm: &mut ResMap) {
        for r in rm.resources_mut() {
            if r.meta.origin.is_some() {
                r.meta.transformations.push(step.origin.clone());
            }
        }
    }
}

/// Field provenance: gives what the step set (nodes left without a
/// source) the step's place.
#[derive(Debug)]
pub(super) struct StampProvenance;

impl StepObserver for StampProvenance {
    fn after_step(&self, step: &StepInfo<'_>, rm: &mut ResMap) {
        if let Some(stamp) = step.stamp {
            let resources = rm.resources_mut_keeping_ids();
            // The walk visits every node: across threads once there are
            // enough resources (the top of a large tree) to pay for it.
            if resources.len() >= 256 {
                use rayon::prelude::*;
                // On the large-stack pool: the walk recurses.
                crate::stack::parallel(|| {
                    resources
                        .par_iter_mut()
                        .with_min_len(64)
                        .for_each(|r| stamp_unset(&mut r.node, stamp))
                });
            } else {
                for r in resources {
                    stamp_unset(&mut r.node, stamp);
                }
            }
        }
    }
}

/// Drops resources a step left null or empty, as kustomize does after
/// each transformer.
#[derive(Debug)]
pub(super) struct DropEmpty;

impl StepObserver for DropEmpty {
    fn after_step(&self, _: &StepInfo<'_>, rm: &mut ResMap) {
        rm.retain(|r| !is_null_or_empty_map(&r.node));
    }
}
