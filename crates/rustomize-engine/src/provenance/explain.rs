//! `rustomize explain`'s data: an object of a build's output, printed as
//! `rustomize build` prints it, each line with what set its value.

use super::blame::blame;
use super::path::locate;
use super::select::object_name;
use crate::model::provenance::{FileRef, SetBy, Table};
use crate::model::resource::Resource;
use rustomize_yaml::EmitError;

/// One object, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// `namespace/Kind/name` (`Kind/name` without a namespace).
    pub object: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace` (empty when unset).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// The kustomizations the object passed through, innermost first.
    pub kustomizations: Vec<FileRef>,
    /// The printed lines (only the field's, when a field was asked for).
    pub lines: Vec<Line>,
    /// The field asked for, and what set it (when one was asked for).
    pub field: Option<Field>,
}

/// A printed line and what set its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the object as printed.
    pub number: usize,
    /// The text, without the line break.
    pub text: String,
    /// The field the line shows.
    pub path: String,
    /// What set it (none when unknown).
    pub set_by: Option<SetBy>,
}

/// A field asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The path as asked for.
    pub path: String,
    /// What set it (or, when `missing`, what holds the place it would go).
    pub set_by: Option<SetBy>,
    /// Whether the field is absent from the object.
    pub missing: bool,
    /// The path of the field found (the deepest existing one on the way,
    /// when `missing`).
    pub nearest: String,
}

/// Why an object could not be explained.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The object could not be printed.
    #[error("printing {object}: {error}")]
    Emit {
        /// The object.
        object: String,
        /// Why.
        error: EmitError,
    },
    /// The field path leads nowhere in the object.
    #[error("{object} has no field {path:?}")]
    NoField {
        /// The object.
        object: String,
        /// The path.
        path: String,
    },
}

/// Explains `r`, whose build recorded `table`; with `field`, only the
/// lines of that field (`spec.template.spec.containers[web].image`, see
/// [`locate`](super::locate)). A field that is absent is explained by the
/// place it would go (`missing`), and its nearest existing parent's lines.
pub fn explain(
    r: &Resource,
    table: &Table,
    field: Option<&str>,
) -> Result<Explanation, ExplainError> {
    let object = object_name(r);
    let lines = blame(&r.node).map_err(|error| ExplainError::Emit {
        object: object.clone(),
        error,
    })?;
    let mut lines: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| Line {
            number: i + 1,
            text: l.text,
            set_by: table.set_by(l.pos),
            path: l.path,
        })
        .collect();
    let field = match field {
        None => None,
        Some(path) => {
            let located = locate(&r.node, path).ok_or_else(|| ExplainError::NoField {
                object: object.clone(),
                path: path.to_string(),
            })?;
            let shown = located_path(&lines, &located, r);
            if located.complete {
                lines.retain(|l| is_within(&l.path, &shown));
            } else {
                // Only the line of the field it would go under.
                let first = lines.iter().position(|l| is_within(&l.path, &shown));
                let own = lines.iter().position(|l| l.path == shown);
                let keep = own.or(first);
                lines = keep.map(|i| vec![lines.swap_remove(i)]).unwrap_or_default();
            }
            Some(Field {
                path: path.to_string(),
                set_by: table.set_by(located.pos()),
                missing: !located.complete,
                nearest: shown,
            })
        }
    };
    Ok(Explanation {
        object,
        api_version: r.api_version().to_string(),
        kind: r.kind().to_string(),
        namespace: r.namespace().to_string(),
        name: r.name().to_string(),
        kustomizations: r
            .meta
            .kustomizations
            .iter()
            .filter_map(|f| table.file(*f).cloned())
            .collect(),
        lines,
        field,
    })
}

/// The printed path of the node a lookup reached: the path of the line
/// whose value is that node.
fn located_path(lines: &[Line], located: &super::Located<'_>, r: &Resource) -> String {
    // The blame walk and the lookup see the same nodes; find the path by
    // walking the object again and comparing addresses.
    fn find(
        node: &rustomize_yaml::Node,
        target: *const rustomize_yaml::Node,
        path: &mut String,
    ) -> bool {
        if std::ptr::eq(node, target) {
            return true;
        }
        match node {
            rustomize_yaml::Node::Scalar(_) => false,
            rustomize_yaml::Node::Seq(s) => s.items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                if find(item, target, path) {
                    return true;
                }
                path.truncate(len);
                false
            }),
            rustomize_yaml::Node::Map(m) => m.entries.iter().any(|e| {
                let len = path.len();
                let key = &e.key.value;
                if key.contains(['.', '[', ']']) || key.is_empty() {
                    path.push_str(&format!("[{key}]"));
                } else if path.is_empty() {
                    path.push_str(key);
                } else {
                    path.push('.');
                    path.push_str(key);
                }
                if find(&e.value, target, path) {
                    return true;
                }
                path.truncate(len);
                false
            }),
        }
    }
    let mut path = String::new();
    if find(&r.node, located.node, &mut path) {
        return path;
    }
    lines.first().map(|l| l.path.clone()).unwrap_or_default()
}

/// Whether a line's path is `field` or lies under it.
fn is_within(line: &str, field: &str) -> bool {
    line == field
        || (line.starts_with(field)
            && matches!(line.as_bytes().get(field.len()), Some(b'.' | b'[')))
}
