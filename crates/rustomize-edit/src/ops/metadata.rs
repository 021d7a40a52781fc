//! `edit add|set|remove label|annotation`.

use super::{OpError, Outcome};
use crate::kustomization::{Kustomization, pairs_value};
use crate::value::Value;

/// Labels or annotations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataKind {
    /// `commonLabels` (or a `labels` entry).
    Label,
    /// `commonAnnotations`.
    Annotation,
}

impl MetadataKind {
    /// kustomize's word for it in messages.
    pub fn noun(self) -> &'static str {
        match self {
            MetadataKind::Label => "label",
            MetadataKind::Annotation => "annotation",
        }
    }

    fn field(self) -> &'static str {
        match self {
            MetadataKind::Label => "commonLabels",
            MetadataKind::Annotation => "commonAnnotations",
        }
    }
}

/// Options of `edit add label|annotation`.
#[derive(Clone, Copy, Debug, Default)]
pub struct AddMetadataFlags {
    /// `--force`: overwrite existing keys.
    pub force: bool,
    /// `--without-selector`: a new `labels` entry instead of `commonLabels`.
    pub without_selector: bool,
    /// `--include-templates` (needs `--without-selector`).
    pub include_templates: bool,
}

fn write_pairs(
    map: &mut Vec<(String, String)>,
    pairs: &[(String, String)],
    force: bool,
    kind: MetadataKind,
) -> Result<(), OpError> {
    for (k, v) in pairs {
        match map.iter_mut().find(|(k2, _)| k2 == k) {
            Some(_) if !force => {
                return Err(OpError::new(format!(
                    "{} {k} already in kustomization file",
                    kind.noun()
                )));
            }
            Some(slot) => slot.1 = v.clone(),
            None => map.push((k.clone(), v.clone())),
        }
    }
    Ok(())
}

/// `edit add label|annotation k:v ...`.
pub fn add_metadata(
    k: &mut Kustomization,
    kind: MetadataKind,
    pairs: &[(String, String)],
    flags: AddMetadataFlags,
) -> Result<Outcome, OpError> {
    if kind == MetadataKind::Label && flags.without_selector {
        let mut map = Vec::new();
        write_pairs(&mut map, pairs, flags.force, kind)?;
        let mut labels = k.items("labels");
        let mut entry = Vec::new();
        if !map.is_empty() {
            entry.push(("pairs".to_string(), pairs_value(map)));
        }
        if flags.include_templates {
            entry.push(("includeTemplates".to_string(), Value::Bool(true)));
        }
        labels.push(Value::Map(entry));
        k.set_items("labels", labels);
        return Ok(Outcome {
            log: Vec::new(),
            write: true,
            files: Vec::new(),
        });
    }
    let mut map = k.string_map(kind.field()).unwrap_or_default();
    write_pairs(&mut map, pairs, flags.force, kind)?;
    k.set_string_map(kind.field(), map);
    Ok(Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    })
}

/// `edit set label|annotation k:v ...`: adds or overwrites.
pub fn set_metadata(
    k: &mut Kustomization,
    kind: MetadataKind,
    pairs: &[(String, String)],
) -> Outcome {
    let mut map = k.string_map(kind.field()).unwrap_or_default();
    // Overwriting never fails.
    let _ = write_pairs(&mut map, pairs, true, kind);
    k.set_string_map(kind.field(), map);
    Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    }
}

/// `edit remove label|annotation k1,k2`; `ignore` is
/// `--ignore-non-existence`.
pub fn remove_metadata(
    k: &mut Kustomization,
    kind: MetadataKind,
    keys: &[String],
    ignore: bool,
) -> Result<Outcome, OpError> {
    let current = k.string_map(kind.field());
    if current.is_none() && !ignore {
        return Err(OpError::new(format!(
            "{} is not defined in kustomization file",
            kind.field()
        )));
    }
    let mut map = current.unwrap_or_default();
    for key in keys {
        if !map.iter().any(|(k2, _)| k2 == key) && !ignore {
            return Err(OpError::new(format!(
                "{} {key} is not defined in kustomization file",
                kind.noun()
            )));
        }
        map.retain(|(k2, _)| k2 != key);
    }
    let was_present = k.get(kind.field()).is_some();
    if was_present {
        k.set_string_map(kind.field(), map);
    }
    Ok(Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    })
}

/// The key check `edit set annotation` makes (kustomize's `IsValidKey`).
pub fn validate_annotation_key(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        let b = p.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= 253
            && b[0].is_ascii_alphabetic()
            && (b.len() == 1 || b[b.len() - 1].is_ascii_alphanumeric())
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.'));
        if !ok {
            return false;
        }
    }
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}
