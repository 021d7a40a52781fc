//! Which resources a patch `target` selects, as kustomize's
//! `resWrangler.Select` decides it.
//!
//! - `group`, `version`, `kind`, `name` and `namespace` are regular
//!   expressions anchored at both ends (`^(?:…)$`); an empty field matches
//!   anything.
//! - `name` matches the resource's original name (before any prefix, suffix
//!   or rename) or its current name; `namespace` likewise matches the
//!   original or the current namespace, compared as kustomize's "effective"
//!   namespace (`default` for none, `_non_namespaceable_` for cluster-scoped
//!   kinds). Group, version and kind match the current values only.
//! - `labelSelector` and `annotationSelector` use Kubernetes label-selector
//!   syntax (see [`LabelSelector`]). They are parsed only when a resource
//!   gets that far, so a malformed one is an error only if some resource
//!   matches the id fields, as in kustomize.

use crate::error::Error;
use crate::model::kustomization::Selector;
use crate::model::resid::{Gvk, ResId};
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::pattern::DotPattern;
use regex::Regex;
use rustomize_yaml::Node;
use std::sync::OnceLock;

mod labels;
pub(crate) use labels::LabelSelector;

/// One id field of a selector.
#[derive(Clone, Debug)]
enum Pattern {
    /// Empty: matches anything.
    Any,
    /// Text without regular-expression syntax but `.`: matched without
    /// compiling a regex.
    Simple(DotPattern),
    /// An anchored regular expression.
    Regex(Regex),
}

impl Pattern {
    fn new(p: &str) -> Result<Pattern, Error> {
        if p.is_empty() {
            return Ok(Pattern::Any);
        }
        if let Some(simple) = DotPattern::new(p) {
            return Ok(Pattern::Simple(simple));
        }
        let anchored = format!("^(?:{})$", crate::pattern::go_syntax(p));
        Regex::new(&anchored).map(Pattern::Regex).map_err(|e| {
            Error::patch(format!(
                "error parsing regexp: {}: `{anchored}`",
                regex_reason(&e)
            ))
        })
    }

    fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Simple(p) => p.is_match(s),
            Pattern::Regex(r) => r.is_match(s),
        }
    }

    fn is_any(&self) -> bool {
        matches!(self, Pattern::Any)
    }
}

/// Go's wording for the commonest regular-expression mistakes; Rust's
/// otherwise.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let reason = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("error:")
                .trim()
                .to_string()
        })
        .unwrap_or(text);
    match reason.as_str() {
        "unclosed group" => "missing closing )".into(),
        "unopened group" => "unexpected )".into(),
        "unclosed character class" => "missing closing ]".into(),
        _ => reason,
    }
}

/// A compiled [`Selector`].
#[derive(Debug)]
pub(crate) struct SelectorMatcher {
    group: Pattern,
    version: Pattern,
    kind: Pattern,
    name: Pattern,
    namespace: Pattern,
    label_text: String,
    annotation_text: String,
    labels: OnceLock<Result<LabelSelector, String>>,
    annotations: OnceLock<Result<LabelSelector, String>>,
}

impl SelectorMatcher {
    /// Compiles the id patterns of `sel`; fails on an invalid regular
    /// expression.
    pub(crate) fn new(sel: &Selector) -> Result<SelectorMatcher, Error> {
        Ok(SelectorMatcher {
            group: Pattern::new(&sel.group)?,
            version: Pattern::new(&sel.version)?,
            kind: Pattern::new(&sel.kind)?,
            name: Pattern::new(&sel.name)?,
            namespace: Pattern::new(&sel.namespace)?,
            label_text: sel.label_selector.clone(),
            annotation_text: sel.annotation_selector.clone(),
            labels: OnceLock::new(),
            annotations: OnceLock::new(),
        })
    }

    /// Whether `res` is selected. Fails when the label or annotation
    /// selector is malformed (checked only once a resource reaches it).
    pub(crate) fn matches(&self, res: &Resource) -> Result<bool, Error> {
        let org = res.meta.previous.first();
        if !self.namespace.is_any() {
            let cur_ns = ResId::new(res.gvk(), "", res.namespace());
            let mut ok = self.namespace.is_match(cur_ns.effective_namespace());
            if !ok && let Some((ns, _, kind)) = org {
                let org_id = ResId::new(
                    Gvk {
                        kind: kind.clone(),
                        ..res.gvk()
                    },
                    "",
                    ns.clone(),
                );
                ok = self.namespace.is_match(org_id.effective_namespace());
            }
            if !ok {
                return Ok(false);
            }
        }
        if !self.name.is_any()
            && !self.name.is_match(res.name())
            && !org.is_some_and(|(_, name, _)| self.name.is_match(name))
        {
            return Ok(false);
        }
        if !self.group.is_any() || !self.version.is_any() {
            let (group, version) = crate::model::resid::split_api_version(res.api_version());
            if !self.group.is_match(group) || !self.version.is_match(version) {
                return Ok(false);
            }
        }
        if !self.kind.is_match(res.kind()) {
            return Ok(false);
        }
        if !self.label_text.is_empty() {
            let sel = self
                .labels
                .get_or_init(|| LabelSelector::parse(&self.label_text))
                .as_ref()
                .map_err(|e| Error::patch(e.clone()))?;
            if !sel.matches(|k| meta_value(res, "labels", k)) {
                return Ok(false);
            }
        }
        if !self.annotation_text.is_empty() {
            let sel = self
                .annotations
                .get_or_init(|| LabelSelector::parse(&self.annotation_text))
                .as_ref()
                .map_err(|e| Error::patch(e.clone()))?;
            if !sel.matches(|k| meta_value(res, "annotations", k)) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A label or annotation value as kyaml reads it: a scalar's text (`null`
/// included), the empty string for anything else.
fn meta_value<'a>(res: &'a Resource, field: &str, key: &str) -> Option<&'a str> {
    let value = res.node.get_path(&["metadata", field])?.get(key)?;
    Some(match value {
        Node::Scalar(s) => s.value.as_str(),
        _ => "",
    })
}

/// Positions of the resources `sel` selects, in order.
pub(crate) fn select(rm: &ResMap, sel: &Selector) -> Result<Vec<usize>, Error> {
    let m = SelectorMatcher::new(sel)?;
    let mut out = Vec::new();
    for (i, r) in rm.resources().iter().enumerate() {
        if m.matches(r)? {
            out.push(i);
        }
    }
    Ok(out)
}

/// kustomize's `types.Selector.String()`: `<id>:a=<annotations>:l=<labels>`.
pub(crate) fn selector_string(sel: &Selector) -> String {
    format!(
        "{}:a={}:l={}",
        sel.res_id(),
        sel.annotation_selector,
        sel.label_selector
    )
}

/// A selector as a user wrote it, for reports: its set fields in flow
/// style (`{kind: Deployment, name: web}`).
pub(crate) fn selector_text(sel: &Selector) -> String {
    let fields = [
        ("group", &sel.group),
        ("version", &sel.version),
        ("kind", &sel.kind),
        ("name", &sel.name),
        ("namespace", &sel.namespace),
        ("labelSelector", &sel.label_selector),
        ("annotationSelector", &sel.annotation_selector),
    ];
    let set: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    format!("{{{}}}", set.join(", "))
}

#[cfg(test)]
mod tests;
