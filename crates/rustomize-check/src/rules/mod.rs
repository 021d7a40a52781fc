//! The rules, one module each. Every rule has a stable id (used in
//! configuration, annotations and output), a default severity and a doc
//! page, `docs/rules/<id>.md`.

mod dangling_reference;
mod hpa_target;
mod mutable_image_tag;
mod named_port;
mod pdb_selector;
mod plain_secret;
mod privilege_escalation;
mod privileged;
mod probe;
mod pv_binding;
mod read_only_root_filesystem;
mod requests_exceed_limits;
mod resources_set;
mod run_as_non_root;
mod schema;
mod schema_not_checked;
mod secret_key_ref;
mod selector_mismatch;
mod service_selector;
mod single_writer_volume;
mod stale_name;
mod unmatched_target;

use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::Resource;
use rustomize_yaml::Pos;

/// One problem a rule found in an object, before severity and location
/// are attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Field path in the object.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The place to name, when the rule knows better than the field at
    /// `path` (a value found somewhere else).
    pub at: Option<Pos>,
}

impl Hit {
    /// A hit at `path`; the finding names the place that set that field.
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Hit {
        Hit {
            path: path.into(),
            message: message.into(),
            at: None,
        }
    }
}

/// A problem a rule found in the build rather than in an object: a
/// kustomization entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BuildHit {
    /// The kustomization file, as the build names it.
    pub file: String,
    /// The entry's line and column.
    pub line: u32,
    /// The entry's column.
    pub column: u32,
    /// The entry (`patches[1]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A check run on every object of the output.
pub(crate) trait Rule: Sync + Send {
    /// The stable id (`single-writer-volume`).
    fn id(&self) -> &'static str;
    /// Severity when the configuration does not change it.
    fn default_severity(&self) -> Severity;
    /// Severity for objects deployed to production, when the configuration
    /// does not change it: the default severity unless the rule says
    /// otherwise (a missing readiness probe is an error there).
    fn production_severity(&self) -> Severity {
        self.default_severity()
    }
    /// One sentence: what the rule wants.
    fn summary(&self) -> &'static str;
    /// Checks one object; `cx` gives the rest of the output.
    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>);
    /// Checks what the build reported (once per target; most rules look
    /// only at objects).
    fn check_build(&self, cx: &Context<'_>, out: &mut Vec<BuildHit>) {
        let _ = (cx, out);
    }
}

/// Every rule, in the order findings are reported for an object.
pub(crate) fn all() -> &'static [&'static dyn Rule] {
    &[
        &schema::Schema,
        &schema_not_checked::SchemaNotChecked,
        &single_writer_volume::SingleWriterVolume,
        &run_as_non_root::RunAsNonRoot,
        &read_only_root_filesystem::ReadOnlyRootFilesystem,
        &privilege_escalation::PrivilegeEscalation,
        &privileged::Privileged,
        &probe::READINESS,
        &probe::LIVENESS,
        &resources_set::REQUESTS,
        &resources_set::LIMITS,
        &requests_exceed_limits::RequestsExceedLimits,
        &mutable_image_tag::MutableImageTag,
        &dangling_reference::DanglingReference,
        &service_selector::ServiceSelector,
        &selector_mismatch::SelectorMismatch,
        &pdb_selector::PdbSelector,
        &hpa_target::HpaTarget,
        &named_port::NamedPort,
        &secret_key_ref::SecretKeyRef,
        &pv_binding::PvBinding,
        &plain_secret::PlainSecret,
        &stale_name::StaleName,
        &unmatched_target::UnmatchedTarget,
    ]
}

/// What the binary lists about a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The stable id.
    pub id: &'static str,
    /// Severity when the configuration does not change it.
    pub default_severity: Severity,
    /// Severity in production when the configuration does not change it.
    pub production_severity: Severity,
    /// One sentence: what the rule wants.
    pub summary: &'static str,
}

impl RuleInfo {
    pub(crate) fn of(r: &dyn Rule) -> RuleInfo {
        RuleInfo {
            id: r.id(),
            default_severity: r.default_severity(),
            production_severity: r.production_severity(),
            summary: r.summary(),
        }
    }
}

/// Every rule id.
pub(crate) fn ids() -> Vec<&'static str> {
    all().iter().map(|r| r.id()).collect()
}

#[cfg(test)]
mod tests {
    use super::all;
    use std::path::Path;

    #[test]
    fn every_rule_has_a_doc_page_and_a_unique_id() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        let index = std::fs::read_to_string(docs.join("check.md")).unwrap();
        let ids: Vec<&str> = all().iter().map(|r| r.id()).collect();
        crate::testing::rows(&ids, |id| {
            let r = all().iter().find(|r| r.id() == *id).expect("listed");
            let mut problems = Vec::new();
            if ids.iter().filter(|&&other| other == r.id()).count() > 1 {
                problems.push("duplicate id".to_string());
            }
            let page = std::fs::read_to_string(docs.join(format!("rules/{}.md", r.id())))
                .unwrap_or_default();
            if !page.starts_with(&format!("# `{}`", r.id())) {
                problems.push(format!(
                    "docs/rules/{}.md does not start with its id",
                    r.id()
                ));
            }
            let severity = if r.production_severity() == r.default_severity() {
                format!("**Default severity:** {}", r.default_severity())
            } else {
                format!(
                    "**Default severity:** {} ({} in production)",
                    r.default_severity(),
                    r.production_severity()
                )
            };
            if !page.contains(&severity) {
                problems.push(format!("no {severity:?}"));
            }
            for section in ["## What it checks", "## Why", "## Example", "## Fix"] {
                if !page.contains(section) {
                    problems.push(format!("no {section:?}"));
                }
            }
            if !index.contains(&format!("[`{}`](rules/{}.md)", r.id(), r.id())) {
                problems.push("not in docs/check.md's table".to_string());
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("; "))
            }
        });
    }
}
