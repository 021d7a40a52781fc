//! kustomize v5.5's `edit` operations, each the same change, validation and
//! error text as `kustomize/commands/edit/**`, made on a [`Kustomization`].
//!
//! An operation returns what it logged (kustomize's `log.Printf` lines,
//! printed on stderr) and whether the file is to be written; kustomize
//! writes the file back after most operations even when nothing changed,
//! which here only matters when `FixKustomization` changed something.

mod generator;
mod image;
mod metadata;
mod patch;
pub mod pin;

pub use generator::{
    GeneratorFlags, GeneratorKind, add_generator, remove_generators, set_generator,
    validate_add as validate_add_generator, validate_set as validate_set_generator,
};
mod fix;
mod vars;
pub use fix::fix;
pub use image::{parse_image, parse_replica, set_images, set_replicas};
pub use metadata::{
    AddMetadataFlags, MetadataKind, add_metadata, remove_metadata, set_metadata,
    validate_annotation_key,
};
pub use patch::{
    PatchArgs, add_patch, remove_patch, validate_add as validate_add_patch,
    validate_remove as validate_remove_patch,
};
pub use vars::vars_to_replacements;

use crate::kustomization::Kustomization;

/// An operation's refusal: kustomize's error text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OpError(pub String);

impl OpError {
    /// An error with this text.
    pub fn new(s: impl Into<String>) -> OpError {
        OpError(s.into())
    }
}

/// What an operation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Lines kustomize logs (on stderr).
    pub log: Vec<String>,
    /// Whether kustomize writes the file back.
    pub write: bool,
    /// Other files the operation rewrites (`fix --vars` puts placeholders
    /// into resource files), with their new text; written before the
    /// kustomization file, only when it is written.
    pub files: Vec<(std::path::PathBuf, String)>,
}

impl Outcome {
    fn write() -> Outcome {
        Outcome {
            log: Vec::new(),
            write: true,
            files: Vec::new(),
        }
    }

    fn skip() -> Outcome {
        Outcome::default()
    }
}

/// The list fields `add`/`remove` of plain paths work on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathList {
    /// `resources`.
    Resources,
    /// `components`.
    Components,
    /// `transformers`.
    Transformers,
    /// `generators`.
    Generators,
}

impl PathList {
    fn field(self) -> &'static str {
        match self {
            PathList::Resources => "resources",
            PathList::Components => "components",
            PathList::Transformers => "transformers",
            PathList::Generators => "generators",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            PathList::Resources => "resource",
            PathList::Components => "component",
            PathList::Transformers => "transformer",
            PathList::Generators => "generator",
        }
    }
}

/// `edit add resource|component|transformer|generator`: appends the
/// (already globbed) paths not yet listed; `kustomization_path` (the file
/// itself, when a glob caught it) is skipped for resources and components.
pub fn add_paths(
    k: &mut Kustomization,
    list: PathList,
    paths: &[String],
    kustomization_path: &str,
) -> Outcome {
    let field = list.field();
    let mut items = k.strings(field);
    let mut out = Outcome::write();
    for p in paths {
        let skip_self =
            matches!(list, PathList::Resources | PathList::Components) && p == kustomization_path;
        if skip_self {
            continue;
        }
        if items.contains(p) {
            out.log
                .push(format!("{} {p} already in kustomization file", list.noun()));
            continue;
        }
        items.push(p.clone());
    }
    k.set_strings(field, items);
    out
}

/// `edit add base a,b`: every path must exist and not be listed yet.
pub fn add_bases(
    k: &mut Kustomization,
    arg: &str,
    exists: impl Fn(&str) -> bool,
) -> Result<Outcome, OpError> {
    let mut items = k.strings("resources");
    for p in arg.split(',') {
        if !exists(p) {
            return Err(OpError::new(format!("{p} does not exist")));
        }
        if items.iter().any(|i| i == p) {
            return Err(OpError::new(format!(
                "base {p} already in kustomization file"
            )));
        }
        items.push(p.to_string());
    }
    k.set_strings("resources", items);
    Ok(Outcome::write())
}

/// `edit remove resource|transformer`: removes the entries matching any
/// pattern (Go's `filepath.Match`); nothing is written when none match.
pub fn remove_paths(
    k: &mut Kustomization,
    list: PathList,
    patterns: &[String],
) -> Result<Outcome, OpError> {
    let field = list.field();
    let items = k.strings(field);
    let mut matched = Vec::new();
    for p in patterns {
        for i in &items {
            if crate::glob::matches(p, i).map_err(|e| OpError::new(e.to_string()))? {
                matched.push(i.clone());
            }
        }
    }
    if matched.is_empty() {
        return Ok(Outcome::skip());
    }
    let kept: Vec<String> = items.into_iter().filter(|i| !matched.contains(i)).collect();
    if kept.is_empty() {
        k.set(field, None);
    } else {
        k.set_strings(field, kept);
    }
    Ok(Outcome::write())
}

/// The buildMetadata options kustomize knows.
pub const BUILD_METADATA_OPTIONS: [&str; 3] = [
    "originAnnotations",
    "transformerAnnotations",
    "managedByLabel",
];

/// Validates `edit add|set|remove buildmetadata` arguments.
pub fn build_metadata_args(args: &[String]) -> Result<Vec<String>, OpError> {
    match args.len() {
        0 => return Err(OpError::new("must specify a buildMetadata option")),
        1 => {}
        _ => {
            return Err(OpError::new(format!(
                "too many arguments: [{}]; to provide multiple buildMetadata options, please separate options by comma",
                args.join(" ")
            )));
        }
    }
    let opts: Vec<String> = args[0].split(',').map(str::to_string).collect();
    for o in &opts {
        if !BUILD_METADATA_OPTIONS.contains(&o.as_str()) {
            return Err(OpError::new(format!("invalid buildMetadata option: {o}")));
        }
    }
    Ok(opts)
}

/// `edit add buildmetadata`.
pub fn add_build_metadata(k: &mut Kustomization, opts: &[String]) -> Result<Outcome, OpError> {
    let mut items = k.strings("buildMetadata");
    for o in opts {
        if items.contains(o) {
            return Err(OpError::new(format!(
                "buildMetadata option {o} already in kustomization file"
            )));
        }
        items.push(o.clone());
    }
    k.set_strings("buildMetadata", items);
    Ok(Outcome::write())
}

/// `edit set buildmetadata`: replaces the list.
pub fn set_build_metadata(k: &mut Kustomization, opts: &[String]) -> Outcome {
    k.set_strings("buildMetadata", opts.to_vec());
    Outcome::write()
}

/// `edit remove buildmetadata`.
pub fn remove_build_metadata(k: &mut Kustomization, opts: &[String]) -> Outcome {
    let items: Vec<String> = k
        .strings("buildMetadata")
        .into_iter()
        .filter(|o| !opts.contains(o))
        .collect();
    k.set_strings("buildMetadata", items);
    Outcome::write()
}

/// `edit set nameprefix|namesuffix|namespace`: the empty string removes
/// the field (Go's omitempty).
pub fn set_scalar(k: &mut Kustomization, field: &str, value: &str) -> Outcome {
    k.set_string(field, value);
    Outcome::write()
}

/// Splits `key:value` arguments into pairs, as kustomize's
/// `ConvertSliceToMap` (a value in double quotes loses them; a later key
/// replaces an earlier one).
pub fn key_value_pairs(args: &[String], kind: &str) -> Result<Vec<(String, String)>, OpError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for a in args {
        let (k, v) = match a.find(':') {
            Some(0) => {
                return Err(OpError::new(format!(
                    "invalid {kind}: '{a}' (need k:v pair where v may be quoted)"
                )));
            }
            None => (a.clone(), String::new()),
            Some(i) => {
                let v = &a[i + 1..];
                let v = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                    &v[1..v.len() - 1]
                } else {
                    v
                };
                (a[..i].to_string(), v.to_string())
            }
        };
        match out.iter_mut().find(|(k2, _)| *k2 == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    Ok(out)
}
