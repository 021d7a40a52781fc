//! The Go types kustomize decodes a kustomization into, as far as an edit
//! must know them: which fields exist (unknown ones are an error, field
//! names match case-insensitively, as Go's JSON decoder matches them) and
//! what type each holds (a number where a string belongs is an error).

use crate::cst::{Kind, Node};
use crate::reconcile::Ctx;
use crate::value::Value;

/// A Go type, as the JSON decoder sees it.
#[derive(Debug)]
pub enum Type {
    /// `string`.
    Str,
    /// `bool`.
    Bool,
    /// `int64`.
    Int,
    /// `map[string]string`.
    StrMap,
    /// `map[string]bool`.
    BoolMap,
    /// Anything (`interface{}` or a type this crate does not look into).
    Any,
    /// `[]T`.
    List(&'static Type),
    /// A struct: its Go name and its JSON fields.
    Struct(&'static str, &'static [(&'static str, Type)]),
}

const STR_LIST: Type = Type::List(&Type::Str);

/// `types.GeneratorOptions`.
pub const GENERATOR_OPTIONS: Type = Type::Struct(
    "GeneratorOptions",
    &[
        ("labels", Type::StrMap),
        ("annotations", Type::StrMap),
        ("disableNameSuffixHash", Type::Bool),
        ("immutable", Type::Bool),
    ],
);

const CONFIG_MAP_ARGS: Type = Type::Struct(
    "ConfigMapArgs",
    &[
        ("namespace", Type::Str),
        ("name", Type::Str),
        ("behavior", Type::Str),
        ("literals", STR_LIST),
        ("files", STR_LIST),
        ("envs", STR_LIST),
        ("env", Type::Str),
        ("options", GENERATOR_OPTIONS),
    ],
);

const SECRET_ARGS: Type = Type::Struct(
    "SecretArgs",
    &[
        ("namespace", Type::Str),
        ("name", Type::Str),
        ("behavior", Type::Str),
        ("literals", STR_LIST),
        ("files", STR_LIST),
        ("envs", STR_LIST),
        ("env", Type::Str),
        ("options", GENERATOR_OPTIONS),
        ("type", Type::Str),
    ],
);

const SELECTOR: Type = Type::Struct(
    "Selector",
    &[
        ("group", Type::Str),
        ("version", Type::Str),
        ("kind", Type::Str),
        ("name", Type::Str),
        ("namespace", Type::Str),
        ("annotationSelector", Type::Str),
        ("labelSelector", Type::Str),
    ],
);

const PATCH: Type = Type::Struct(
    "Patch",
    &[
        ("path", Type::Str),
        ("patch", Type::Str),
        ("target", SELECTOR),
        ("options", Type::BoolMap),
    ],
);

const IMAGE: Type = Type::Struct(
    "Image",
    &[
        ("name", Type::Str),
        ("newName", Type::Str),
        ("tagSuffix", Type::Str),
        ("newTag", Type::Str),
        ("digest", Type::Str),
    ],
);

const REPLICA: Type = Type::Struct("Replica", &[("name", Type::Str), ("count", Type::Int)]);

const LABEL: Type = Type::Struct(
    "Label",
    &[
        ("pairs", Type::StrMap),
        ("includeSelectors", Type::Bool),
        ("includeTemplates", Type::Bool),
        ("fields", Type::List(&Type::Any)),
    ],
);

const OBJECT_META: Type = Type::Struct(
    "ObjectMeta",
    &[
        ("name", Type::Str),
        ("namespace", Type::Str),
        ("labels", Type::StrMap),
        ("annotations", Type::StrMap),
    ],
);

/// The fields of `types.Kustomization`, in the order kustomize writes the
/// fields a file did not have (`kustfile`'s field order).
pub const FIELDS: &[(&str, Type)] = &[
    ("apiVersion", Type::Str),
    ("kind", Type::Str),
    ("metadata", OBJECT_META),
    ("sortOptions", Type::Any),
    ("resources", STR_LIST),
    ("bases", STR_LIST),
    ("namePrefix", Type::Str),
    ("nameSuffix", Type::Str),
    ("namespace", Type::Str),
    ("crds", STR_LIST),
    ("commonLabels", Type::StrMap),
    ("labels", Type::List(&LABEL)),
    ("commonAnnotations", Type::StrMap),
    ("patchesStrategicMerge", STR_LIST),
    ("patchesJson6902", Type::List(&PATCH)),
    ("patches", Type::List(&PATCH)),
    ("configMapGenerator", Type::List(&CONFIG_MAP_ARGS)),
    ("secretGenerator", Type::List(&SECRET_ARGS)),
    ("helmCharts", Type::List(&Type::Any)),
    ("helmChartInflationGenerator", Type::List(&Type::Any)),
    ("helmGlobals", Type::Any),
    ("generatorOptions", GENERATOR_OPTIONS),
    ("vars", Type::List(&Type::Any)),
    ("images", Type::List(&IMAGE)),
    ("replacements", Type::List(&Type::Any)),
    ("replicas", Type::List(&REPLICA)),
    ("configurations", STR_LIST),
    ("generators", STR_LIST),
    ("transformers", STR_LIST),
    ("validators", STR_LIST),
    ("components", STR_LIST),
    ("openapi", Type::StrMap),
    ("buildMetadata", STR_LIST),
    ("imageTags", Type::List(&IMAGE)),
];

/// The field a top-level key names (Go matches JSON keys to fields
/// ignoring case), in its canonical spelling.
pub fn field_name(key: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(n, _)| *n == key)
        .or_else(|| FIELDS.iter().find(|(n, _)| n.eq_ignore_ascii_case(key)))
        .map(|(n, _)| *n)
}

/// The position of `field` in kustomize's field order.
pub fn field_rank(field: &str) -> usize {
    FIELDS
        .iter()
        .position(|(n, _)| *n == field)
        .unwrap_or(FIELDS.len())
}

/// A decoding error: the 1-based line and Go's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// 1-based line of the offending node.
    pub line: usize,
    /// What Go's JSON decoder would say.
    pub message: String,
}

fn go_type(t: &Type) -> String {
    match t {
        Type::Str => "string".into(),
        Type::Bool => "bool".into(),
        Type::Int => "int64".into(),
        Type::StrMap => "map[string]string".into(),
        Type::BoolMap => "map[string]bool".into(),
        Type::Any => "interface {}".into(),
        Type::List(inner) => format!("[]{}", go_type(inner)),
        Type::Struct(name, _) => format!("types.{name}"),
    }
}

/// Checks that the document `root` decodes into `types.Kustomization`
/// (a mapping, or nothing at all).
pub fn check_root(ctx: &mut Ctx<'_>, root: &Node) -> Result<(), TypeError> {
    match &root.kind {
        Kind::Map { .. } => Ok(()),
        Kind::Scalar { .. } if matches!(ctx.read(root), Value::Null) => Ok(()),
        _ => {
            let v = ctx.read(root);
            Err(TypeError {
                line: ctx.cst.line_number(root.start),
                message: format!(
                    "json: cannot unmarshal {} into Go value of type types.Kustomization",
                    v.json_kind()
                ),
            })
        }
    }
}

/// The field a top-level key names, or Go's error for an unknown one.
pub fn check_key(ctx: &Ctx<'_>, key: &Node, read: &Value) -> Result<&'static str, TypeError> {
    let key_text = match read {
        Value::Str(s) => s.clone(),
        other => crate::render::scalar(other),
    };
    field_name(&key_text).ok_or_else(|| TypeError {
        line: ctx.cst.line_number(key.start),
        message: format!("json: unknown field {key_text:?}"),
    })
}

/// Checks that `value`, what the top-level `field`'s `node` holds, decodes
/// into the field's Go type; the error points at the innermost node that
/// does not.
pub fn check_field(
    ctx: &mut Ctx<'_>,
    field: &'static str,
    node: &Node,
    value: &Value,
) -> Result<(), TypeError> {
    let ty = &FIELDS[field_rank(field)].1;
    if check_value(value, ty, "Kustomization", field).is_ok() {
        return Ok(());
    }
    check(ctx, node, ty, "Kustomization", field)
}

fn check(
    ctx: &mut Ctx<'_>,
    node: &Node,
    ty: &Type,
    owner: &str,
    path: &str,
) -> Result<(), TypeError> {
    let v = ctx.read(node);
    let Err(message) = check_value(&v, ty, owner, path) else {
        return Ok(());
    };
    // Point at the innermost node that is wrong.
    match (&node.kind, ty) {
        (Kind::Seq { items, .. }, Type::List(inner)) => {
            for i in items {
                check(ctx, i, inner, owner, path)?;
            }
        }
        (Kind::Map { entries, .. }, Type::Struct(name, fields)) => {
            for e in entries {
                let key = ctx.read(&e.key);
                let key = key.as_str().map(str::to_string).unwrap_or_default();
                if let Some((f, t)) = fields
                    .iter()
                    .find(|(n, _)| *n == key)
                    .or_else(|| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(&key)))
                {
                    check(ctx, &e.value, t, name, &format!("{path}.{f}"))?;
                }
            }
        }
        _ => {}
    }
    Err(TypeError {
        line: ctx.cst.line_number(node.start),
        message,
    })
}

/// The field of a Go struct a JSON key names (exact, else ignoring case).
fn struct_field<'a>(fields: &'a [(&str, Type)], k: &str) -> Option<&'a (&'a str, Type)> {
    fields
        .iter()
        .find(|(n, _)| *n == k)
        .or_else(|| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)))
}

/// Whether `v` decodes into `ty` (what [`check_value`] checks, without
/// building messages).
fn fits(v: &Value, ty: &Type) -> bool {
    match (ty, v) {
        (_, Value::Null) | (Type::Any, _) => true,
        (Type::Str, Value::Str(_)) | (Type::Bool, Value::Bool(_)) | (Type::Int, Value::Int(_)) => {
            true
        }
        (Type::Int, Value::Float(f)) => f.fract() == 0.0 && f.is_finite(),
        (Type::StrMap, Value::Map(e)) => e.iter().all(|(_, x)| fits(x, &Type::Str)),
        (Type::BoolMap, Value::Map(e)) => e.iter().all(|(_, x)| fits(x, &Type::Bool)),
        (Type::List(inner), Value::Seq(items)) => items.iter().all(|x| fits(x, inner)),
        (Type::Struct(_, fields), Value::Map(e)) => e
            .iter()
            .all(|(k, x)| struct_field(fields, k).is_some_and(|(_, t)| fits(x, t))),
        _ => false,
    }
}

/// Whether `v` decodes into `ty`; Go's message when it does not.
pub fn check_value(v: &Value, ty: &Type, owner: &str, path: &str) -> Result<(), String> {
    if fits(v, ty) {
        return Ok(());
    }
    let mismatch = || {
        format!(
            "json: cannot unmarshal {} into Go struct field {owner}.{path} of type {}",
            v.json_kind(),
            go_type(ty)
        )
    };
    if matches!(v, Value::Null) {
        return Ok(());
    }
    match ty {
        Type::Any => Ok(()),
        Type::Str => matches!(v, Value::Str(_))
            .then_some(())
            .ok_or_else(mismatch),
        Type::Bool => matches!(v, Value::Bool(_))
            .then_some(())
            .ok_or_else(mismatch),
        Type::Int => match v {
            Value::Int(_) => Ok(()),
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Ok(()),
            _ => Err(mismatch()),
        },
        Type::StrMap | Type::BoolMap => {
            let Value::Map(entries) = v else {
                return Err(mismatch());
            };
            let inner = if matches!(ty, Type::StrMap) {
                &Type::Str
            } else {
                &Type::Bool
            };
            for (k, x) in entries {
                check_value(x, inner, owner, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        Type::List(inner) => {
            let Value::Seq(items) = v else {
                return Err(mismatch());
            };
            for x in items {
                check_value(x, inner, owner, path)?;
            }
            Ok(())
        }
        Type::Struct(name, fields) => {
            let Value::Map(entries) = v else {
                return Err(mismatch());
            };
            for (k, x) in entries {
                let Some((f, t)) = fields
                    .iter()
                    .find(|(n, _)| n == k)
                    .or_else(|| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)))
                else {
                    return Err(format!("json: unknown field {k:?}"));
                };
                check_value(x, t, name, &format!("{path}.{f}"))?;
            }
            Ok(())
        }
    }
}
