//! The rules, one module each. Every rule has a stable id (used in
//! configuration, annotations and output), a default severity and a doc
//! page, `docs/rules/<id>.md`.

mod dangling_reference;
mod liveness_probe;
mod mutable_image_tag;
mod plain_secret;
mod privilege_escalation;
mod privileged;
mod read_only_root_filesystem;
mod readiness_probe;
mod resource_limits;
mod resource_requests;
mod run_as_non_root;
mod schema;
mod schema_not_checked;
mod service_selector;
mod single_writer_volume;

use crate::context::Context;
use crate::finding::Severity;
use rustomize_engine::Resource;

/// One problem a rule found in an object, before severity and location
/// are attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Field path in the object.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Hit {
    /// A hit at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Hit {
        Hit {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A check run on every object of the output.
pub trait Rule: Sync + Send {
    /// The stable id (`single-writer-volume`).
    fn id(&self) -> &'static str;
    /// Severity when the configuration does not change it.
    fn default_severity(&self) -> Severity;
    /// One sentence: what the rule wants.
    fn summary(&self) -> &'static str;
    /// Checks one object; `cx` gives the rest of the output.
    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>);
}

/// Every rule, in the order findings are reported for an object.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &schema::Schema,
        &schema_not_checked::SchemaNotChecked,
        &single_writer_volume::SingleWriterVolume,
        &run_as_non_root::RunAsNonRoot,
        &read_only_root_filesystem::ReadOnlyRootFilesystem,
        &privilege_escalation::PrivilegeEscalation,
        &privileged::Privileged,
        &readiness_probe::ReadinessProbe,
        &liveness_probe::LivenessProbe,
        &resource_requests::ResourceRequests,
        &resource_limits::ResourceLimits,
        &mutable_image_tag::MutableImageTag,
        &dangling_reference::DanglingReference,
        &service_selector::ServiceSelector,
        &plain_secret::PlainSecret,
    ]
}

/// Every rule id.
pub fn ids() -> Vec<&'static str> {
    all().iter().map(|r| r.id()).collect()
}

/// Whether `id` names a rule.
pub fn is_rule_id(id: &str) -> bool {
    all().iter().any(|r| r.id() == id)
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::all;
    use std::path::Path;

    #[test]
    fn every_rule_has_a_doc_page_and_a_unique_id() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        let index = std::fs::read_to_string(docs.join("check.md")).unwrap();
        let mut seen = std::collections::HashSet::new();
        for r in all() {
            assert!(seen.insert(r.id()), "duplicate id {}", r.id());
            let page = std::fs::read_to_string(docs.join(format!("rules/{}.md", r.id())))
                .unwrap_or_else(|_| panic!("docs/rules/{}.md", r.id()));
            assert!(page.starts_with(&format!("# `{}`", r.id())), "{}", r.id());
            let severity = format!("**Default severity:** {}", r.default_severity());
            assert!(page.contains(&severity), "{}: {severity}", r.id());
            for section in ["## What it checks", "## Why", "## Example", "## Fix"] {
                assert!(page.contains(section), "{}: {section}", r.id());
            }
            assert!(index.contains(&format!("[`{}`](rules/{}.md)", r.id(), r.id())));
        }
    }
}
