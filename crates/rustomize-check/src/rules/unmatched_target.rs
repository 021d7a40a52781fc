//! `unmatched-target`: every patch, JSON 6902 patch and replacement target
//! of the build selects at least one object. Kustomize applies a patch
//! whose `target` matches nothing to nothing, silently: a typo in a name,
//! a kind or a label selector, or a base that renamed the object, and the
//! overlay's change is simply not there. The build records each such
//! target with its entry; this rule reports them (it needs the build, so
//! it does not run on rendered YAML read with `-f`).

use super::{BuildHit, Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::Resource;

/// See the module docs.
pub(crate) struct UnmatchedTarget;

impl Rule for UnmatchedTarget {
    fn id(&self) -> &'static str {
        "unmatched-target"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "Every patch, JSON 6902 patch and replacement target of the build selects an object."
    }

    fn check(&self, _cx: &Context<'_>, _r: &Resource, _out: &mut Vec<Hit>) {}

    fn check_build(&self, cx: &Context<'_>, out: &mut Vec<BuildHit>) {
        for u in cx.unmatched {
            let what = if u.field.starts_with("replacements") {
                "the replacement writes nowhere"
            } else {
                "the patch changes nothing"
            };
            out.push(BuildHit {
                file: match &u.remote {
                    Some(remote) => remote.to_string(),
                    None => u.file.clone(),
                },
                line: u.line,
                column: u.col,
                path: u.field.clone(),
                message: format!(
                    "the target {} selects no object of the build: {what}",
                    u.selector
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::testing::{build_tree, lines_of, report};

    const RULE: &str = "unmatched-target";

    const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      \
containers: [{name: web, image: web:v1}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  \
selector: {app: web}\n";

    fn findings(kustomization: &str) -> String {
        let built = build_tree(&[("app.yaml", APP), ("kustomization.yaml", kustomization)]);
        lines_of(RULE, &report(&built, &Options::default()))
    }

    const PATCHES: &str = "resources: [app.yaml]\npatches:\n- target: {kind: Deployment, name: NAME}\n  patch: |-\n    \
- {op: add, path: /spec/replicas, value: 1}\nreplacements:\n- source: {kind: Deployment, name: web, fieldPath: \
metadata.name}\n  targets:\n  - select: {kind: KIND}\n    fieldPaths: [spec.selector.app]\n";

    #[test]
    fn targets_that_select_objects_pass() {
        assert_eq!(
            findings(&PATCHES.replace("NAME", "web").replace("KIND", "Service")),
            ""
        );
    }

    #[test]
    fn targets_that_select_nothing_fail() {
        assert_eq!(
            findings(&PATCHES.replace("NAME", "wbe").replace("KIND", "Servcie")),
            "\
kustomization.yaml:3: warning[unmatched-target] Kustomization .: patches[0]: the target \
{kind: Deployment, name: wbe} selects no object of the build: the patch changes nothing
kustomization.yaml:9: warning[unmatched-target] Kustomization .: replacements[0].targets[0]: the \
target {kind: Servcie} selects no object of the build: the replacement writes nowhere
"
        );
    }
}
