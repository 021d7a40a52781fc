//! `schema`: every object matches the Kubernetes schema of its kind (or the
//! CRD in the output that defines it).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::resid::split_api_version;
use rustomize_engine::resource::Resource;

/// See the module docs.
pub struct Schema;

impl Rule for Schema {
    fn id(&self) -> &'static str {
        "schema"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "Objects match the Kubernetes schema of their kind: no unknown fields, no wrong types, no missing required fields."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let (group, version) = split_api_version(r.api_version());
        let kind = r.kind();
        let id = if let Some(id) = cx.builtin.kind(group, version, kind) {
            id
        } else if let Some(crd) = cx.crds.get(group, kind) {
            match crd.versions.iter().find(|(v, _)| v == version) {
                Some((_, Some(id))) => *id,
                Some((_, None)) => return,
                None => {
                    let served: Vec<&str> = crd.versions.iter().map(|(v, _)| v.as_str()).collect();
                    out.push(Hit::new(
                        "apiVersion",
                        format!(
                            "CustomResourceDefinition \"{}\" does not serve version \"{version}\" (it serves {})",
                            crd.crd_name,
                            served.join(", ")
                        ),
                    ));
                    return;
                }
            }
        } else if cx.builtin.is_builtin_group(group) {
            let mut msg = format!(
                "Kubernetes {} has no kind {kind} in {}",
                cx.builtin.minor,
                r.api_version()
            );
            let served = cx.builtin.api_versions_of(kind);
            if !served.is_empty() {
                msg.push_str(&format!(" (it serves {kind} as {})", served.join(", ")));
            }
            out.push(Hit::new("apiVersion", msg));
            return;
        } else {
            return;
        };
        let mut problems = Vec::new();
        cx.store.validate(&r.node, id, &mut problems);
        out.extend(problems.into_iter().map(|p| Hit::new(p.path, p.message)));
    }
}
