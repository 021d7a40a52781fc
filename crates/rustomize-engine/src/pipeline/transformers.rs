//! The transformer steps of one kustomization, as a table in kustomize's
//! order (`target.go`'s `runTransformers`): each builtin step says its
//! kind, whether it writes shared nodes in place and how the kustomization
//! configures it. Adding a builtin step is one entry in [`STEPS`]. Then the
//! `transformers:` plugins, then the validators.
//!
//! Every step runs between the observers' hooks (see [`super::observer`]).

use super::builtin::Plugin;
use super::observer::StepInfo;
use super::target::{Accumulator, Target, plugin_origin};
use crate::error::{Error, ResultExt};
use crate::model::fieldspec::TransformerConfig;
use crate::model::provenance::Stamp;
use crate::model::resmap::ResMap;
use crate::model::resource::Origin;
use crate::steps::Transformer;
use crate::steps::patch::{
    PatchJson6902Transformer, PatchStrategicMergeTransformer, PatchTransformer,
};
use crate::steps::transform::annotations::AnnotationsTransformer;
use crate::steps::transform::images::ImageTagTransformer;
use crate::steps::transform::labels::LabelTransformer;
use crate::steps::transform::namespace::NamespaceTransformer;
use crate::steps::transform::prefix_suffix::{PrefixTransformer, SuffixTransformer};
use crate::steps::transform::replacements::ReplacementTransformer;
use crate::steps::transform::replicas::ReplicaCountTransformer;
use rustomize_yaml::Node;
use std::sync::Arc;

/// A builtin transformer step of a kustomization.
pub(super) struct BuiltinStep {
    /// The plugin kind, as origins and messages name it.
    pub(super) kind: &'static str,
    /// Whether the step can write a shared label or annotation value in
    /// place (see [`crate::model::alias`]): the steps that go through JSON
    /// or only rename cannot.
    pub(super) writes_in_place: bool,
    /// The transformers the kustomization configures for this step (none
    /// when its fields are empty), each with the entry it comes from.
    configure: fn(&Target<'_>, &TransformerConfig) -> Result<Vec<Configured>, Error>,
}

/// A configured transformer and the kustomization entry it comes from.
type Configured = (Entry, Box<dyn Transformer>);

/// A kustomization field, and the entry's index for list fields.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    field: &'static str,
    index: Option<usize>,
}

impl Entry {
    fn whole(field: &'static str) -> Entry {
        Entry { field, index: None }
    }

    fn at(field: &'static str, index: usize) -> Entry {
        Entry {
            field,
            index: Some(index),
        }
    }
}

/// The builtin transformer steps, in the order kustomize runs them.
pub(super) const STEPS: [BuiltinStep; 11] = [
    BuiltinStep {
        kind: "PatchStrategicMergeTransformer",
        writes_in_place: true,
        configure: patches_strategic_merge,
    },
    BuiltinStep {
        kind: "PatchTransformer",
        writes_in_place: true,
        configure: patches,
    },
    BuiltinStep {
        kind: "NamespaceTransformer",
        writes_in_place: false,
        configure: namespace,
    },
    BuiltinStep {
        kind: "PrefixTransformer",
        writes_in_place: false,
        configure: name_prefix,
    },
    BuiltinStep {
        kind: "SuffixTransformer",
        writes_in_place: false,
        configure: name_suffix,
    },
    BuiltinStep {
        kind: "LabelTransformer",
        writes_in_place: true,
        configure: labels,
    },
    BuiltinStep {
        kind: "AnnotationsTransformer",
        writes_in_place: true,
        configure: common_annotations,
    },
    BuiltinStep {
        kind: "PatchJson6902Transformer",
        writes_in_place: false,
        configure: patches_json6902,
    },
    BuiltinStep {
        kind: "ReplicaCountTransformer",
        writes_in_place: false,
        configure: replicas,
    },
    BuiltinStep {
        kind: "ImageTagTransformer",
        writes_in_place: false,
        configure: images,
    },
    BuiltinStep {
        kind: "ReplacementTransformer",
        writes_in_place: true,
        configure: replacements,
    },
];

/// Whether a step of this kind writes shared values in place: as its
/// builtin says, and yes for any other plugin.
fn writes_in_place(kind: &str) -> bool {
    STEPS
        .iter()
        .find(|s| s.kind == kind)
        .is_none_or(|s| s.writes_in_place)
}

fn boxed(t: impl Transformer + 'static) -> Box<dyn Transformer> {
    Box::new(t)
}

fn patches_strategic_merge(
    t: &Target<'_>,
    _: &TransformerConfig,
) -> Result<Vec<Configured>, Error> {
    let Some(paths) = t
        .kust
        .patches_strategic_merge
        .as_ref()
        .filter(|p| !p.is_empty())
    else {
        return Ok(Vec::new());
    };
    let mut p = PatchStrategicMergeTransformer::from_kustomization(paths, &t.ldr)
        .in_file(|| t.file.clone())?;
    if t.registry().is_some() {
        p.stamp_nodes(&|i, inline, node| {
            let path = if inline { "" } else { paths[i].as_str() };
            if let Some(f) = t.patch_positions(path, "patchesStrategicMerge", Some(i), "") {
                f(node);
            }
        });
    }
    if let Some(schema) = t.custom_schema() {
        p = p.with_schema(schema);
    }
    Ok(vec![(Entry::whole("patchesStrategicMerge"), boxed(p))])
}

fn patches(t: &Target<'_>, _: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let mut out = Vec::with_capacity(t.kust.patches.len());
    for (i, entry) in t.kust.patches.iter().enumerate() {
        let mut p =
            PatchTransformer::from_kustomization(entry, &t.ldr).in_file(|| t.file.clone())?;
        if let Some(f) = t.patch_positions(&entry.path, "patches", Some(i), "patch") {
            p.stamp_nodes(&f);
        }
        if let Some(schema) = t.custom_schema() {
            p = p.with_schema(schema);
        }
        out.push((Entry::at("patches", i), boxed(p)));
    }
    Ok(out)
}

fn namespace(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let ns = &t.kust.namespace;
    Ok(if ns.is_empty() {
        Vec::new()
    } else {
        let n = NamespaceTransformer::new(ns, tc.namespace.clone());
        vec![(Entry::whole("namespace"), boxed(n))]
    })
}

fn name_prefix(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let prefix = &t.kust.name_prefix;
    Ok(if prefix.is_empty() {
        Vec::new()
    } else {
        let p = PrefixTransformer::name_prefix(prefix, tc);
        vec![(Entry::whole("namePrefix"), boxed(p))]
    })
}

fn name_suffix(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let suffix = &t.kust.name_suffix;
    Ok(if suffix.is_empty() {
        Vec::new()
    } else {
        let s = SuffixTransformer::name_suffix(suffix, tc);
        vec![(Entry::whole("nameSuffix"), boxed(s))]
    })
}

/// Each `labels` entry, then `commonLabels` (also when only `labels` has
/// entries, as kustomize does).
fn labels(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let k = &t.kust;
    let common = k.common_labels.clone().unwrap_or_default();
    if k.labels.is_empty() && common.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(k.labels.len() + 1);
    for (i, label) in k.labels.iter().enumerate() {
        let l = LabelTransformer::for_label_entry(label, tc)?;
        out.push((Entry::at("labels", i), boxed(l)));
    }
    let l = LabelTransformer::common_labels(common, tc);
    out.push((Entry::whole("commonLabels"), boxed(l)));
    Ok(out)
}

fn common_annotations(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    Ok(
        match t.kust.common_annotations.clone().filter(|a| !a.is_empty()) {
            Some(annotations) => {
                let a = AnnotationsTransformer::common_annotations(annotations, tc);
                vec![(Entry::whole("commonAnnotations"), boxed(a))]
            }
            None => Vec::new(),
        },
    )
}

fn patches_json6902(t: &Target<'_>, _: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let mut out = Vec::new();
    for (i, entry) in t.kust.patches_json6902.iter().flatten().enumerate() {
        let mut p = PatchJson6902Transformer::from_kustomization(entry, &t.ldr)
            .in_file(|| t.file.clone())?;
        if let Some(f) = t.patch_positions(&entry.path, "patchesJson6902", Some(i), "patch") {
            p.stamp_nodes(&f);
        }
        out.push((Entry::at("patchesJson6902", i), boxed(p)));
    }
    Ok(out)
}

fn replicas(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let steps = t.kust.replicas.iter().enumerate();
    Ok(steps
        .map(|(i, r)| {
            let step = ReplicaCountTransformer::for_replica(r, tc);
            (Entry::at("replicas", i), boxed(step))
        })
        .collect())
}

fn images(t: &Target<'_>, tc: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    let steps = t.kust.images.iter().enumerate();
    Ok(steps
        .map(|(i, image)| {
            let step = ImageTagTransformer::for_image(image, tc);
            (Entry::at("images", i), boxed(step))
        })
        .collect())
}

fn replacements(t: &Target<'_>, _: &TransformerConfig) -> Result<Vec<Configured>, Error> {
    if t.kust.replacements.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = ReplacementTransformer::new(&t.kust.replacements, &t.ldr, true)
        .in_file(|| t.file.clone())?;
    r.placer = t.replacement_placer();
    Ok(vec![(Entry::whole("replacements"), boxed(r))])
}

/// A step ready to run.
struct Step {
    entry: Entry,
    origin: Arc<Origin>,
    writes_in_place: bool,
    transformer: Box<dyn Transformer>,
    /// How it stamps what it sets, when the build records provenance.
    stamp: Option<Stamp>,
}

impl Target<'_> {
    /// Runs the builtin transformers this kustomization configures, in
    /// kustomize's order, then its `transformers:`, then its validators.
    /// Every step is configured before the first one runs, so a
    /// configuration error comes before any step's error, as in kustomize.
    pub(super) fn run_transformers(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let mut steps = Vec::new();
        for builtin in &STEPS {
            let configured = (builtin.configure)(self, &acc.config)?;
            if configured.is_empty() {
                continue;
            }
            let origin = self.builtin_origin(builtin.kind);
            for (entry, transformer) in configured {
                steps.push(Step {
                    stamp: self.step_stamp(builtin.kind, entry.field, entry.index),
                    entry,
                    origin: origin.clone(),
                    writes_in_place: builtin.writes_in_place,
                    transformer,
                });
            }
        }
        let configs = self.plugin_configs(&self.kust.transformers, "transformers")?;
        for (i, config) in configs.resources().iter().enumerate() {
            let transformer = match self.configure_plugin(config)? {
                Plugin::Transformer(t) => t,
                Plugin::Function(f) => f,
                Plugin::Generator(_) => {
                    return Err(Error::plugin(format!(
                        "plugin {} not a transformer",
                        config.org_id()
                    ))
                    .in_file(self.file.clone()));
                }
            };
            steps.push(Step {
                stamp: self.step_stamp(config.kind(), "transformers", Some(i)),
                entry: Entry::at("transformers", i),
                origin: plugin_origin(config),
                writes_in_place: writes_in_place(config.kind()),
                transformer,
            });
        }
        for step in &steps {
            let info = StepInfo {
                kind: step
                    .origin
                    .configured_by
                    .as_ref()
                    .map_or("transformer", |c| c.kind.as_str()),
                file: &self.file,
                field: step.entry.field,
                index: step.entry.index,
                origin: &step.origin,
                writes_in_place: step.writes_in_place,
                stamp: step.stamp.as_ref(),
            };
            for o in self.ctx.observers() {
                o.before_step(&info, &mut acc.rm);
            }
            let mut misses = Vec::new();
            step.transformer
                .transform_noting(&mut acc.rm, &mut misses)
                .map_err(|e| Error::Step {
                    file: self.file.clone(),
                    kind: info.kind.to_string(),
                    source: Box::new(e),
                })?;
            for miss in misses {
                self.note_unmatched(step.entry.field, step.entry.index, miss);
            }
            for o in self.ctx.observers() {
                o.after_step(&info, &mut acc.rm);
            }
        }
        self.run_validators(acc)
    }

    /// Validators run like transformers but must not change anything.
    fn run_validators(&self, acc: &mut Accumulator) -> Result<(), Error> {
        for config in self
            .plugin_configs(&self.kust.validators, "validators")?
            .resources()
        {
            let v = match self.configure_plugin(config)? {
                Plugin::Transformer(v) => v,
                Plugin::Function(f) => {
                    f.validate(&mut acc.rm)
                        .with_context(|| "running validator")
                        .in_file(|| self.file.clone())?;
                    continue;
                }
                Plugin::Generator(_) => {
                    return Err(Error::plugin(format!(
                        "plugin {} not a validator",
                        config.org_id()
                    ))
                    .in_file(self.file.clone()));
                }
            };
            let before = snapshot(&acc.rm)?;
            let mut copy = acc.rm.clone();
            v.transform(&mut copy)
                .with_context(|| "running validator")
                .in_file(|| self.file.clone())?;
            for r in copy.resources_mut() {
                if let Some(Node::Map(labels)) = r.node.get_path_mut(&["metadata", "labels"]) {
                    labels.remove("validated-by");
                }
            }
            if snapshot(&copy)? != before {
                return Err(Error::plugin("validator shouldn't modify the resource map")
                    .in_file(self.file.clone()));
            }
        }
        Ok(())
    }
}

/// The printed form of every resource, to tell whether a validator changed
/// anything.
fn snapshot(rm: &ResMap) -> Result<Vec<String>, Error> {
    rm.resources()
        .iter()
        .map(|r| {
            rustomize_yaml::emit::to_string(&r.node).map_err(|error| Error::Emit {
                id: r.cur_id().to_string(),
                error,
            })
        })
        .collect()
}
