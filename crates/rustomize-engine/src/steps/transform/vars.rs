//! `vars`: `$(NAME)` references in the fields kustomize substitutes
//! (the `varReference` field specs), replaced by a field of another
//! resource. Deprecated in kustomize in favour of replacements, and still
//! everywhere.

use crate::error::Error;
use crate::model::fieldpath;
use crate::model::fieldspec::{self, FieldSpec};
use crate::model::kustomization::Var;
use crate::model::resid::{Gvk, ResId};
use crate::model::resmap::ResMap;
use rustomize_yaml::{Node, Scalar, Style, Tag};
use std::collections::{BTreeMap, HashMap};

/// A var's resolved value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A map or list: not substituted (kustomize logs and leaves `$(NAME)`).
    Composite,
}

impl Value {
    /// Go's `%v` text.
    fn text(&self, name: &str) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => rustomize_yaml::resolve::format_go_g(*f),
            Value::Bool(b) => b.to_string(),
            Value::Composite => format!("$({name})"),
        }
    }
}

/// The GVK a var's `objref` names (`apiVersion` wins over group/version).
pub(crate) fn objref_gvk(v: &Var) -> Gvk {
    let o = &v.objref;
    if o.api_version.is_empty() {
        return Gvk::new(&o.group, &o.version, &o.kind);
    }
    match o.api_version.split_once('/') {
        Some((g, ver)) if !ver.contains('/') => Gvk::new(g, ver, &o.kind),
        Some(_) => Gvk::new(&o.group, &o.version, &o.kind),
        None => Gvk::new(&o.group, &o.api_version, &o.kind),
    }
}

/// The field a var reads, defaulting to `metadata.name`.
pub(crate) fn field_path(v: &Var) -> &str {
    if v.fieldref.field_path.is_empty() {
        "metadata.name"
    } else {
        &v.fieldref.field_path
    }
}

/// Adds `incoming` vars to `set`, marking the resource each names
/// (kustomize's `MergeVars`); a name given twice is an error.
pub(crate) fn merge_vars(
    rm: &mut ResMap,
    set: &mut BTreeMap<String, Var>,
    incoming: &[Var],
) -> Result<(), Error> {
    for v in incoming {
        let target = ResId::new(objref_gvk(v), &v.objref.name, &v.objref.namespace);
        let exact = !target.namespace.is_empty() || target.gvk.is_cluster_scoped();
        let matched = rm.positions_by_any_id(|id| {
            if exact {
                id.equals(&target)
            } else {
                id.gvkn_equals(&target)
            }
        });
        if matched.len() > 1 {
            return Err(Error::transformer(format!(
                "found {} resId matches for var {} (unable to disambiguate)",
                matched.len(),
                v.name
            )));
        }
        if let Some(&i) = matched.first() {
            rm.get_mut(i).meta.ref_var_names.push(v.name.clone());
        }
    }
    merge_set(set, incoming.iter().cloned())
}

/// Adds vars to a set; a name given twice is an error.
pub(crate) fn merge_set(
    set: &mut BTreeMap<String, Var>,
    incoming: impl IntoIterator<Item = Var>,
) -> Result<(), Error> {
    for v in incoming {
        if set.contains_key(&v.name) {
            return Err(Error::transformer(format!(
                "var '{}' already encountered",
                v.name
            )));
        }
        set.insert(v.name.clone(), v);
    }
    Ok(())
}

/// Resolves every var and substitutes `$(NAME)` in the `varReference`
/// fields of every resource. Returns the names of vars never used.
pub(crate) fn resolve(
    rm: &mut ResMap,
    vars: &BTreeMap<String, Var>,
    specs: &[FieldSpec],
) -> Result<Vec<String>, Error> {
    if vars.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: HashMap<&str, Value> = HashMap::new();
    for (name, v) in vars {
        let res = rm
            .resources()
            .iter()
            .find(|r| r.meta.ref_var_names.iter().any(|n| n == name))
            .ok_or_else(|| {
                Error::transformer(format!(
                    "var '{name}' cannot be mapped to a field in the set of known resources"
                ))
            })?;
        let path = field_path(v);
        let node = fieldpath::lookup(&res.node, &fieldpath::split_with_indexes(path)).ok_or_else(|| {
            Error::transformer(format!(
                "field specified in var '{name}' ({path}) not found in corresponding resource {}",
                res.cur_id()
            ))
        })?;
        values.insert(name, value_of(node, name, path)?);
    }
    let mut used: HashMap<&str, usize> = HashMap::new();
    for r in rm.resources_mut() {
        for spec in specs {
            fieldspec::apply(spec, &mut r.node, None, &mut |n| {
                substitute(n, &values, &mut used)
            })?;
        }
    }
    Ok(vars
        .keys()
        .filter(|n| !used.contains_key(n.as_str()))
        .cloned()
        .collect())
}

fn value_of(node: &Node, name: &str, path: &str) -> Result<Value, Error> {
    let bad = || {
        Error::transformer(format!(
            "var '{name}': field {path} has a value Go cannot parse"
        ))
    };
    Ok(match node {
        Node::Scalar(s) => match s.tag {
            Tag::Int => Value::Int(s.value.parse().map_err(|_| bad())?),
            Tag::Float => Value::Float(s.value.parse().map_err(|_| bad())?),
            Tag::Bool => Value::Bool(match s.value.as_str() {
                "true" | "True" | "TRUE" | "t" | "T" | "1" => true,
                "false" | "False" | "FALSE" | "f" | "F" | "0" => false,
                _ => return Err(bad()),
            }),
            _ => Value::Str(s.value.to_string()),
        },
        _ => Value::Composite,
    })
}

fn substitute<'v>(
    node: &mut Node,
    values: &'v HashMap<&str, Value>,
    used: &mut HashMap<&'v str, usize>,
) -> Result<(), Error> {
    match node {
        Node::Scalar(s) if s.tag == Tag::Null => Ok(()),
        Node::Scalar(s) => {
            if s.tag == Tag::Str {
                replace_in(s, values, used);
            }
            Ok(())
        }
        Node::Map(m) => {
            for e in &mut m.entries {
                if e.key.tag != Tag::Str {
                    return Err(Error::transformer(format!(
                        "invalid map key: value='{}'",
                        e.key.value
                    )));
                }
                if let Node::Scalar(s) = &mut e.value
                    && s.tag == Tag::Str
                {
                    replace_in(s, values, used);
                }
            }
            Ok(())
        }
        Node::Seq(seq) => {
            for item in &mut seq.items {
                match item {
                    Node::Scalar(s) if s.tag == Tag::Str => replace_in(s, values, used),
                    _ => return Err(Error::transformer("invalid value type expect a string")),
                }
            }
            Ok(())
        }
    }
}

/// kustomize's `DoReplacements` on one string scalar: `$(NAME)` is
/// replaced, `$$` is a literal `$`; a scalar that is exactly `$(NAME)`
/// takes the value's type.
fn replace_in<'v>(
    s: &mut Scalar,
    values: &'v HashMap<&str, Value>,
    used: &mut HashMap<&'v str, usize>,
) {
    if !s.value.contains('$') {
        return;
    }
    let input = std::mem::take(&mut s.value);
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    let mut lookup = |name: &str| -> Option<&'v Value> {
        let (k, v) = values.get_key_value(name)?;
        if *v != Value::Composite {
            *used.entry(k).or_default() += 1;
        }
        Some(v)
    };
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let (advance, replaced) = match rest.as_bytes()[0] {
                b'$' => (1, "$".to_string()),
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        let value = lookup(name);
                        if input.len() == close + 2 && cursor == 0 {
                            // The whole scalar is `$(NAME)`: take the value's type.
                            s.style = Style::Plain;
                            match value {
                                Some(Value::Int(i)) => set(s, i.to_string(), Tag::Int),
                                Some(Value::Float(f)) => set(s, format_f(*f), Tag::Float),
                                Some(Value::Bool(b)) => set(s, b.to_string(), Tag::Bool),
                                Some(Value::Str(v)) => set(s, v.clone(), Tag::Str),
                                Some(Value::Composite) | None => {
                                    set(s, input.to_string(), Tag::Str)
                                }
                            }
                            return;
                        }
                        let text = match value {
                            Some(v) => v.text(name),
                            None => format!("$({name})"),
                        };
                        (close + 1, text)
                    }
                    None => (1, "$(".to_string()),
                },
                _ => {
                    let c = rest.chars().next().unwrap_or('$');
                    (c.len_utf8(), format!("${c}"))
                }
            };
            out.push_str(&replaced);
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    s.tag = Tag::Str;
    s.style = Style::Plain;
    if s.value != out {
        // Set by the vars step (field provenance).
        s.src = 0;
        s.value = out.into();
    }
}

fn set(s: &mut Scalar, value: String, tag: Tag) {
    if s.value != value {
        s.src = 0;
        s.value = value.into();
    }
    s.tag = tag;
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`.
fn format_f(f: f64) -> String {
    let s = format!("{f}");
    if s.contains('e') {
        format!("{f:.0}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, vars: &[(&str, Value)]) -> (String, Tag) {
        let values: HashMap<&str, Value> = vars.iter().map(|(k, v)| (*k, v.clone())).collect();
        let mut used = HashMap::new();
        let mut s = Scalar::string(text);
        replace_in(&mut s, &values, &mut used);
        (s.value.into_string(), s.tag)
    }

    #[test]
    fn expands_like_kubernetes() {
        let vars = [("A", Value::Str("x".into())), ("N", Value::Int(3))];
        assert_eq!(run("$(A)-$(N)", &vars), ("x-3".into(), Tag::Str));
        assert_eq!(run("$(N)", &vars), ("3".into(), Tag::Int));
        assert_eq!(run("$$(A)", &vars), ("$(A)".into(), Tag::Str));
        assert_eq!(run("$(B) $(A", &vars), ("$(B) $(A".into(), Tag::Str));
        assert_eq!(run("a$", &vars), ("a$".into(), Tag::Str));
        assert_eq!(run("$x$(A)", &vars), ("$xx".into(), Tag::Str));
    }
}
