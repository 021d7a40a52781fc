//! `schema-not-checked`: custom resources whose CRD is not in the output
//! are reported rather than passed silently, and so are fields whose CRD
//! schema has a part the validator cannot apply (an invalid `pattern`, a
//! `$ref`).

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::Resource;
use rustomize_engine::split_api_version;

/// See the module docs.
pub(super) struct SchemaNotChecked;

impl Rule for SchemaNotChecked {
    fn id(&self) -> &'static str {
        "schema-not-checked"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn summary(&self) -> &'static str {
        "Custom resources whose CustomResourceDefinition is not in the output could not be checked against a schema."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let (group, version) = split_api_version(r.api_version());
        let kind = r.kind();
        if cx.builtin.is_builtin_group(group) {
            return;
        }
        match cx.crds.get(group, kind) {
            None => out.push(Hit::new(
                "",
                format!(
                    "not checked: no CustomResourceDefinition for {kind} in {} is in the output",
                    r.api_version()
                ),
            )),
            Some(crd) => {
                if let Some((_, Some(id))) = crd.versions.iter().find(|(v, _)| v == version) {
                    let mut problems = Vec::new();
                    cx.store.validate(&r.node, *id, &mut problems);
                    out.extend(
                        problems
                            .into_iter()
                            .filter(|p| p.not_checked)
                            .map(|p| Hit::new(p.path, p.message)),
                    );
                } else if crd
                    .versions
                    .iter()
                    .any(|(v, s)| v == version && s.is_none())
                {
                    out.push(Hit::new(
                        "",
                        format!(
                            "not checked: CustomResourceDefinition \"{}\" has no schema for version \"{version}\"",
                            crd.crd_name
                        ),
                    ));
                }
            }
        }
    }
}
