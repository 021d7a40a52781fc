//! Where a finding points: the file, line and column to edit. With the
//! build's provenance, that is the place that set the field last (the
//! overlay's `images:` entry for an image, the patch that removed a probe,
//! the base file for a field written there, `repo@ref:path` in a remote
//! base); for a field that is missing, the place of the field it would go
//! under. Without it (rendered YAML read with `-f`), the field's line in
//! that file.

use crate::Target;
use crate::paths;
use rustomize_engine::Resource;
use rustomize_engine::provenance::{Table, What, locate};
use rustomize_yaml::Pos;

/// A place in the tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) file: Option<String>,
    pub(crate) line: Option<u32>,
    pub(crate) column: Option<u32>,
    pub(crate) detail: Option<String>,
}

/// The place of the field at `path` of `r` (or `at`, when the rule knows
/// it).
pub(crate) fn of_field(
    r: &Resource,
    path: &str,
    at: Option<Pos>,
    table: Option<&Table>,
    target: &Target,
) -> Location {
    let pos = at.or_else(|| {
        if path.is_empty() {
            None
        } else {
            locate(&r.node, path).map(|l| l.pos())
        }
    });
    match pos {
        Some(pos) => place(r, pos, table, target),
        None => of_object(r, table, target),
    }
}

/// Where the object itself is: its first line in the file it came from
/// (for a generated object, its generator's entry).
pub(crate) fn of_object(r: &Resource, table: Option<&Table>, target: &Target) -> Location {
    let first = r
        .map()
        .entries
        .first()
        .map_or(r.node.pos(), |e| e.key.pos());
    let mut at = place(r, first, table, target);
    if table.is_none() || at.file.is_none() {
        at = Location {
            file: file_of(r, target),
            line: Some(r.map().line).filter(|&l| l > 0),
            column: None,
            detail: None,
        };
    }
    at
}

fn place(r: &Resource, pos: Pos, table: Option<&Table>, target: &Target) -> Location {
    match table {
        Some(table) => match table.set_by(pos) {
            Some(by) if by.what != What::Build && by.file.is_some() => Location {
                file: by.file,
                line: Some(by.line).filter(|&l| l > 0),
                column: Some(by.column).filter(|&c| c > 0),
                detail: Some(by.detail).filter(|d| !d.is_empty()),
            },
            // Set by the build itself, or not recorded: the object's own
            // place.
            _ if pos
                == r.map()
                    .entries
                    .first()
                    .map_or(r.node.pos(), |e| e.key.pos()) =>
            {
                Location {
                    file: file_of(r, target),
                    line: Some(r.map().line).filter(|&l| l > 0),
                    column: None,
                    detail: None,
                }
            }
            _ => of_object(r, Some(table), target),
        },
        None => Location {
            file: file_of(r, target),
            line: Some(pos.line)
                .filter(|&l| l > 0)
                .or(Some(r.map().line).filter(|&l| l > 0)),
            column: Some(pos.col).filter(|&c| c > 0 && pos.line > 0),
            detail: None,
        },
    }
}

/// The file an object came from, as the user would name it, from its
/// origin (when the build recorded no provenance).
fn file_of(r: &Resource, target: &Target) -> Option<String> {
    let o = r.meta.origin.as_ref()?;
    if let Some(repo) = &o.repo {
        let at = o
            .git_ref
            .as_deref()
            .map(|g| format!("?ref={g}"))
            .unwrap_or_default();
        return Some(format!("{repo}//{}{at}", o.path));
    }
    Some(match &target.dir {
        Some(d) => paths::normalize(&d.join(&o.path)).display().to_string(),
        None => o.path.clone(),
    })
}
