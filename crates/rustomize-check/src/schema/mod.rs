//! Structural schemas and the validator that walks objects against them.
//!
//! Both kinds of schema `check` knows end up in the same small model:
//! the built-in Kubernetes types ([`builtin`], from the bundled OpenAPI
//! data) and the `openAPIV3Schema` of CustomResourceDefinitions found in the
//! output ([`crd`]). A [`Store`] holds them in one arena addressed by
//! [`SchemaId`]; the built-in part is shared, the CRD part is per check.
//!
//! Validation is strict the way `kubectl apply --validate=strict` is:
//! unknown fields, wrong scalar types, missing required fields, malformed
//! quantities and base64 data are problems. `null` is accepted anywhere
//! (the API server treats it as "unset"), except for a required field.

pub(crate) mod builtin;
pub(crate) mod crd;

use regex::Regex;
use rustomize_yaml::resolve::{Number, parse_number};
use rustomize_yaml::{Map, Node, Scalar, Tag};
use std::sync::Arc;

/// Index of a schema in a [`Store`].
pub(crate) type SchemaId = u32;

/// The value type a schema accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// Anything.
    Any,
    /// A mapping.
    Object,
    /// A sequence.
    Array,
    /// A string.
    String,
    /// A string holding standard base64 data (`format: byte`).
    Bytes,
    /// An integer of any size.
    Integer,
    /// A 32-bit integer.
    Int32,
    /// A 64-bit integer.
    Int64,
    /// An integer or a float.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An integer or a string (`IntOrString`).
    IntOrString,
    /// A resource quantity: a number, or a string such as `250m` or `1Gi`.
    Quantity,
}

/// What an object accepts beyond its declared properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Additional {
    /// Nothing: other keys are unknown fields.
    Closed,
    /// Anything.
    Any,
    /// Values of this schema, under any key.
    Schema(SchemaId),
}

/// Extra value constraints, as CRD schemas use them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Constraints {
    /// Allowed values, as scalar text.
    pub enum_values: Vec<String>,
    /// A regular expression strings must match.
    pub pattern: Option<Regex>,
    /// Inclusive or exclusive numeric bounds: (value, exclusive).
    pub minimum: Option<(f64, bool)>,
    /// Upper bound: (value, exclusive).
    pub maximum: Option<(f64, bool)>,
    /// String length bounds, in characters.
    pub min_length: Option<u64>,
    /// Upper string length bound.
    pub max_length: Option<u64>,
    /// Sequence length bounds.
    pub min_items: Option<u64>,
    /// Upper sequence length bound.
    pub max_items: Option<u64>,
    /// Mapping size bounds.
    pub min_properties: Option<u64>,
    /// Upper mapping size bound.
    pub max_properties: Option<u64>,
    /// Every one must hold (value constraints only).
    pub all_of: Vec<SchemaId>,
    /// At least one must hold.
    pub any_of: Vec<SchemaId>,
    /// Exactly one must hold.
    pub one_of: Vec<SchemaId>,
    /// Must not hold.
    pub not: Option<SchemaId>,
    /// Parts of the schema the validator cannot apply (an invalid
    /// `pattern`, a `$ref`): values here are reported as not checked for
    /// them, never passed silently.
    pub unchecked: Vec<String>,
}

/// One schema.
#[derive(Clone, Debug)]
pub(crate) struct Schema {
    /// The accepted type.
    pub ty: Ty,
    /// Declared properties of an object, sorted by name.
    pub properties: Vec<(String, SchemaId)>,
    /// Names of required properties.
    pub required: Vec<String>,
    /// Keys beyond the declared properties.
    pub additional: Additional,
    /// Schema of sequence items.
    pub items: Option<SchemaId>,
    /// `apiVersion`, `kind` and `metadata` are allowed (CRD
    /// `x-kubernetes-embedded-resource`, and the root of a custom resource).
    pub embedded_resource: bool,
    /// Further constraints, when any.
    pub constraints: Option<Box<Constraints>>,
}

impl Schema {
    /// A schema of one type and nothing else.
    pub(crate) fn of(ty: Ty) -> Schema {
        Schema {
            ty,
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Any,
            items: None,
            embedded_resource: false,
            constraints: None,
        }
    }

    fn property(&self, name: &str) -> Option<SchemaId> {
        self.properties
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| self.properties[i].1)
    }
}

/// An arena of schemas: a shared built-in part and a per-check part.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    base: Arc<Vec<Schema>>,
    extra: Vec<Schema>,
    any: SchemaId,
}

impl Store {
    /// A store over a shared built-in arena (whose entry `any` is [`Ty::Any`]).
    pub(crate) fn new(base: Arc<Vec<Schema>>, any: SchemaId) -> Store {
        Store {
            base,
            extra: Vec::new(),
            any,
        }
    }

    /// The schema with this id.
    pub(crate) fn get(&self, id: SchemaId) -> &Schema {
        let i = id as usize;
        match self.base.get(i) {
            Some(s) => s,
            None => self
                .extra
                .get(i - self.base.len())
                .unwrap_or(&self.base[self.any as usize]),
        }
    }

    /// Adds a schema; returns its id.
    pub(crate) fn push(&mut self, s: Schema) -> SchemaId {
        let id = (self.base.len() + self.extra.len()) as SchemaId;
        self.extra.push(s);
        id
    }

    /// The id of the schema accepting anything.
    pub(crate) fn any(&self) -> SchemaId {
        self.any
    }

    /// Validates `node` against schema `id`; problems are appended with
    /// their field path (`spec.template.spec.containers[0].ports`).
    pub(crate) fn validate(&self, node: &Node, id: SchemaId, problems: &mut Vec<Problem>) {
        let mut v = Validator {
            store: self,
            path: String::new(),
            problems,
            in_branch: false,
        };
        v.check(node, id);
    }

    /// Whether `node` satisfies schema `id` (value constraints only).
    fn satisfies(&self, node: &Node, id: SchemaId, path: &str) -> bool {
        let mut problems = Vec::new();
        let mut v = Validator {
            store: self,
            path: path.to_string(),
            problems: &mut problems,
            in_branch: true,
        };
        v.check(node, id);
        problems.is_empty()
    }
}

/// One schema problem: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Field path of the problem.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Whether the value was not checked (the schema has a part the
    /// validator cannot apply) rather than found wrong.
    pub not_checked: bool,
}

struct Validator<'a> {
    store: &'a Store,
    path: String,
    problems: &'a mut Vec<Problem>,
    /// Inside `allOf`/`anyOf`/`oneOf`/`not`: only value constraints apply,
    /// so undeclared keys are not unknown fields there.
    in_branch: bool,
}

impl Validator<'_> {
    fn problem(&mut self, message: String) {
        self.problems.push(Problem {
            path: self.path.clone(),
            message,
            not_checked: false,
        });
    }

    fn check(&mut self, node: &Node, id: SchemaId) {
        let schema = self.store.get(id);
        if node.is_null() {
            return;
        }
        let type_ok = match (schema.ty, node) {
            (Ty::Any, _) => true,
            (Ty::Object, Node::Map(m)) => {
                self.check_object(m, schema);
                true
            }
            (Ty::Array, Node::Seq(seq)) => {
                if let Some(items) = schema.items {
                    let len = self.path.len();
                    for (i, item) in seq.items.iter().enumerate() {
                        push_index(&mut self.path, i);
                        self.check(item, items);
                        self.path.truncate(len);
                    }
                }
                true
            }
            (ty, Node::Scalar(s)) => self.check_scalar(s, ty),
            _ => false,
        };
        if !type_ok {
            self.problem(format!(
                "expected {}, got {}",
                type_name(schema.ty),
                describe(node)
            ));
            return;
        }
        if let Some(c) = &schema.constraints {
            self.check_constraints(node, c);
        }
    }

    fn check_object(&mut self, m: &Map, schema: &Schema) {
        let len = self.path.len();
        for e in &m.entries {
            let key = e.key.value.as_str();
            let sub = match schema.property(key) {
                Some(id) => Some(id),
                None if schema.embedded_resource && is_resource_key(key) => Some(self.store.any),
                None => match schema.additional {
                    Additional::Any => None,
                    Additional::Schema(id) => Some(id),
                    Additional::Closed if self.in_branch => None,
                    Additional::Closed => {
                        push_key(&mut self.path, key);
                        self.problem(format!("unknown field \"{key}\""));
                        self.path.truncate(len);
                        None
                    }
                },
            };
            if let Some(sub) = sub {
                push_key(&mut self.path, key);
                self.check(&e.value, sub);
                self.path.truncate(len);
            }
        }
        for req in &schema.required {
            if m.get(req).is_none_or(Node::is_null) {
                push_key(&mut self.path, req);
                self.problem(format!("missing required field \"{req}\""));
                self.path.truncate(len);
            }
        }
    }

    /// Whether a scalar fits the type; reports malformed values itself.
    fn check_scalar(&mut self, s: &Scalar, ty: Ty) -> bool {
        match ty {
            Ty::Any => true,
            Ty::Object | Ty::Array => false,
            Ty::String => matches!(s.tag, Tag::Str | Tag::Timestamp),
            Ty::Bytes => {
                if !matches!(s.tag, Tag::Str) {
                    return false;
                }
                if !is_base64(&s.value) {
                    self.problem("invalid base64 data".to_string());
                }
                true
            }
            Ty::Boolean => s.tag == Tag::Bool,
            Ty::Number => matches!(s.tag, Tag::Int | Tag::Float),
            Ty::Integer | Ty::Int32 | Ty::Int64 => {
                if s.tag != Tag::Int {
                    return false;
                }
                let fits = match parse_number(&s.value) {
                    Some(Number::Int(i)) => ty != Ty::Int32 || i32::try_from(i).is_ok(),
                    Some(Number::Uint(_)) => ty == Ty::Integer,
                    _ => true,
                };
                if !fits {
                    let bits = if ty == Ty::Int32 { 32 } else { 64 };
                    self.problem(format!("{} does not fit a {bits}-bit integer", s.value));
                }
                true
            }
            Ty::IntOrString => matches!(s.tag, Tag::Int | Tag::Str),
            Ty::Quantity => match s.tag {
                Tag::Int | Tag::Float => true,
                Tag::Str => {
                    if !is_quantity(&s.value) {
                        self.problem(format!("invalid quantity \"{}\"", s.value));
                    }
                    true
                }
                _ => false,
            },
        }
    }

    fn check_constraints(&mut self, node: &Node, c: &Constraints) {
        if !self.in_branch {
            for why in &c.unchecked {
                self.problems.push(Problem {
                    path: self.path.clone(),
                    message: format!("not checked: {why}"),
                    not_checked: true,
                });
            }
        }
        if !c.enum_values.is_empty()
            && let Node::Scalar(s) = node
            && !c.enum_values.iter().any(|v| v.as_str() == s.value.as_str())
        {
            let allowed: Vec<String> = c.enum_values.iter().map(|v| format!("\"{v}\"")).collect();
            self.problem(format!(
                "\"{}\" is not one of {}",
                s.value,
                allowed.join(", ")
            ));
        }
        match node {
            Node::Scalar(s) if matches!(s.tag, Tag::Str | Tag::Timestamp) => {
                let chars = s.value.chars().count() as u64;
                if let Some(re) = &c.pattern
                    && !re.is_match(&s.value)
                {
                    self.problem(format!(
                        "\"{}\" does not match the pattern {}",
                        s.value,
                        re.as_str()
                    ));
                }
                if c.min_length.is_some_and(|n| chars < n)
                    || c.max_length.is_some_and(|n| chars > n)
                {
                    self.problem(format!("string length {chars} is out of bounds"));
                }
            }
            Node::Scalar(s) if matches!(s.tag, Tag::Int | Tag::Float) => {
                let value = match parse_number(&s.value) {
                    Some(Number::Int(i)) => i as f64,
                    Some(Number::Uint(u)) => u as f64,
                    Some(Number::Float(f)) => f,
                    None => return,
                };
                let low = c
                    .minimum
                    .is_some_and(|(m, ex)| if ex { value <= m } else { value < m });
                let high = c
                    .maximum
                    .is_some_and(|(m, ex)| if ex { value >= m } else { value > m });
                if low || high {
                    self.problem(format!("{} is out of bounds", s.value));
                }
            }
            Node::Seq(seq) => {
                let n = seq.items.len() as u64;
                if c.min_items.is_some_and(|m| n < m) || c.max_items.is_some_and(|m| n > m) {
                    self.problem(format!("{n} items is out of bounds"));
                }
            }
            Node::Map(m) => {
                let n = m.entries.len() as u64;
                if c.min_properties.is_some_and(|x| n < x)
                    || c.max_properties.is_some_and(|x| n > x)
                {
                    self.problem(format!("{n} properties is out of bounds"));
                }
            }
            Node::Scalar(_) => {}
        }
        let path = self.path.clone();
        for &id in &c.all_of {
            if !self.store.satisfies(node, id, &path) {
                self.problem("does not satisfy every schema of allOf".to_string());
                break;
            }
        }
        if !c.any_of.is_empty()
            && !c
                .any_of
                .iter()
                .any(|&id| self.store.satisfies(node, id, &path))
        {
            self.problem("does not satisfy any schema of anyOf".to_string());
        }
        if !c.one_of.is_empty() {
            let n = c
                .one_of
                .iter()
                .filter(|&&id| self.store.satisfies(node, id, &path))
                .count();
            if n != 1 {
                self.problem(format!(
                    "satisfies {n} schemas of oneOf, where exactly one must hold"
                ));
            }
        }
        if let Some(not) = c.not
            && self.store.satisfies(node, not, &path)
        {
            self.problem("satisfies the schema of not".to_string());
        }
    }
}

fn is_resource_key(key: &str) -> bool {
    matches!(key, "apiVersion" | "kind" | "metadata")
}

/// Appends `.key` (or `["key"]` for keys that are not plain identifiers).
pub(crate) fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push_str("[\"");
        for c in key.chars() {
            if c == '"' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push_str("\"]");
    }
}

/// Appends `[i]`.
pub(crate) fn push_index(path: &mut String, i: usize) {
    use std::fmt::Write as _;
    let _ = write!(path, "[{i}]");
}

fn type_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Any => "any value",
        Ty::Object => "an object",
        Ty::Array => "an array",
        Ty::String | Ty::Bytes => "a string",
        Ty::Integer | Ty::Int32 | Ty::Int64 => "an integer",
        Ty::Number => "a number",
        Ty::Boolean => "a boolean",
        Ty::IntOrString => "an integer or a string",
        Ty::Quantity => "a quantity (a number or a string such as 500m or 1Gi)",
    }
}

/// A value as problems describe it: its type and, for scalars, its text.
fn describe(node: &Node) -> String {
    match node {
        Node::Map(_) => "an object".to_string(),
        Node::Seq(_) => "an array".to_string(),
        Node::Scalar(s) => {
            let what = match s.tag {
                Tag::Null => "null",
                Tag::Bool => "boolean",
                Tag::Int => "integer",
                Tag::Float => "number",
                Tag::Timestamp => "timestamp",
                Tag::Str | Tag::Other => "string",
            };
            let mut text: String = s.value.chars().take(40).collect();
            if text.len() < s.value.len() {
                text.push('…');
            }
            if s.tag == Tag::Str {
                format!("{what} \"{text}\"")
            } else {
                format!("{what} {text}")
            }
        }
    }
}

/// Standard base64 with padding, as Go's `encoding/json` reads `[]byte`
/// (line breaks are ignored).
fn is_base64(s: &str) -> bool {
    let mut n = 0usize;
    let mut pad = 0usize;
    for b in s.bytes() {
        match b {
            b'\r' | b'\n' => continue,
            b'=' => pad += 1,
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if pad == 0 => {}
            _ => return false,
        }
        n += 1;
    }
    n.is_multiple_of(4) && pad <= 2
}

/// Kubernetes' quantity syntax: a signed decimal number and an optional
/// binary (`Ki`..`Ei`), decimal (`n`, `u`, `m`, `k`, `M`..`E`) or exponent
/// (`e3`) suffix.
fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - f;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    let suffix = &s[i..];
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T"
        | "P" | "E" => true,
        _ => {
            let exp = suffix.strip_prefix(['e', 'E']);
            exp.is_some_and(|e| {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                !digits.is_empty() && digits.bytes().all(|d| d.is_ascii_digit())
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        let cases = [
            ("1", true),
            ("250m", true),
            ("1.5Gi", true),
            ("+1", true),
            ("-0.5", true),
            (".5", true),
            ("1e3", true),
            ("1E-2", true),
            ("128974848", true),
            ("5k", true),
            ("", false),
            ("mi", false),
            ("512mb", false),
            ("1.5.0", false),
            ("1 Gi", false),
            ("Gi", false),
            ("1e", false),
            ("1KiB", false),
        ];
        crate::testing::rows(&cases, |&(q, want)| {
            (is_quantity(q) == want)
                .then_some(())
                .ok_or(format!("{}", !want))
        });
    }

    #[test]
    fn base64() {
        let cases = [
            ("", true),
            ("aGVsbG8=", true),
            ("aGVsbA==", true),
            ("aGVs\nbG8=", true),
            ("YWJj", true),
            ("hunter2", false),
            ("aGVsbG8", false),
            ("a=bc", false),
            ("aGVsbA===", false),
            ("aé==", false),
        ];
        crate::testing::rows(&cases, |&(s, want)| {
            (is_base64(s) == want)
                .then_some(())
                .ok_or(format!("{}", !want))
        });
    }

    #[test]
    fn paths() {
        let mut p = String::new();
        push_key(&mut p, "metadata");
        push_key(&mut p, "labels");
        push_key(&mut p, "app.kubernetes.io/name");
        assert_eq!(p, "metadata.labels[\"app.kubernetes.io/name\"]");
        let mut p = String::from("spec");
        push_key(&mut p, "containers");
        push_index(&mut p, 0);
        push_key(&mut p, "image");
        assert_eq!(p, "spec.containers[0].image");
    }
}
