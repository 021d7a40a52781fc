//! Deserializes typed structs (kustomization files, plugin configs) from a
//! [`Node`] with serde.
//!
//! kustomize reads these files with `YAMLToJSON` and a strict JSON decoder,
//! so types are strict: a string field does not take `1`, `true` or `yes`
//! (YAML 1.1 reads `yes` as a boolean there), a number field does not take
//! `"3"`, and unknown fields are errors (with `#[serde(deny_unknown_fields)]`).
//! Errors carry the field path and the line.

use crate::node::{Node, Scalar, Style, Tag};
use crate::resolve::{self, Number};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Why a node does not fit the type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// Field path from the root, like `images[0].newTag`.
    pub path: String,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path.is_empty(), self.line) {
            (true, 0) => write!(f, "{}", self.message),
            (true, line) => write!(f, "line {line}: {}", self.message),
            (false, 0) => write!(f, "field {}: {}", self.path, self.message),
            (false, line) => write!(f, "line {line}: field {}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            path: String::new(),
            line: 0,
            message: msg.to_string(),
        }
    }
}

impl DeError {
    fn within(mut self, segment: &str, line: u32) -> Self {
        if self.path.is_empty() {
            self.path = segment.to_string();
        } else if self.path.starts_with('[') {
            self.path = format!("{segment}{}", self.path);
        } else {
            self.path = format!("{segment}.{}", self.path);
        }
        if self.line == 0 {
            self.line = line;
        }
        self
    }
}

/// Deserializes `T` from `node`, as Go's JSON decoder does with
/// `DisallowUnknownFields` when `T` denies unknown fields
/// (`#[serde(deny_unknown_fields)]`).
pub fn from_node<'de, T: serde::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    deserialize(NodeDe(node, Mode::STRICT))
}

/// Deserializes `T` from `node` as Go's plain `yaml.Unmarshal` does: keys
/// that name no field of a struct (at any depth) are skipped, whatever
/// `T` says about unknown fields. Maps still see every key.
pub fn from_node_lenient<'de, T: serde::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    deserialize(NodeDe(node, Mode::LENIENT))
}

/// Deserializes `T` from a builtin plugin's config as kustomize does
/// ([`from_node_lenient`]), after the trip that config makes: kustomize
/// writes the resource with yaml.v3, which quotes the plain strings
/// YAML 1.1 reads as booleans (`on`, `y`), before sigs.k8s.io/yaml reads
/// it. So `name: on` is the name `on`, and `create: yes` no boolean
/// (kubectl-verified: "cannot unmarshal string into ... of type bool").
pub fn from_plugin_config<'de, T: serde::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    deserialize(NodeDe(
        node,
        Mode {
            lenient: true,
            written_by_yaml_v3: true,
        },
    ))
}

fn deserialize<'de, T: serde::Deserialize<'de>>(de: NodeDe<'de>) -> Result<T, DeError> {
    let node = de.0;
    T::deserialize(de).map_err(|e| {
        if e.line == 0 {
            DeError {
                line: node.line(),
                ..e
            }
        } else {
            e
        }
    })
}

/// How a deserializer reads its node.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// Keys that name no field of a struct are skipped
    /// ([`from_node_lenient`]).
    pub lenient: bool,
    /// The node's plain strings are read as yaml.v3 writes them, quoted
    /// when YAML 1.1 reads them as booleans ([`from_plugin_config`]).
    pub written_by_yaml_v3: bool,
}

impl Mode {
    /// Unknown fields refused, YAML 1.1 booleans.
    pub const STRICT: Mode = Mode {
        lenient: false,
        written_by_yaml_v3: false,
    };
    /// Unknown fields skipped, YAML 1.1 booleans.
    pub const LENIENT: Mode = Mode {
        lenient: true,
        written_by_yaml_v3: false,
    };
}

/// A serde deserializer over a borrowed node, read in a [`Mode`].
#[derive(Clone, Copy)]
pub struct NodeDe<'de>(pub &'de Node, pub Mode);

fn mismatch(node: &Node, mode: Mode, want: &str) -> DeError {
    let got = match node {
        Node::Scalar(s) => match json_kind(s, mode) {
            "string" => "string",
            other => other,
        },
        Node::Seq(_) => "array",
        Node::Map(_) => "object",
    };
    DeError {
        path: String::new(),
        line: node.line(),
        message: format!("cannot unmarshal {got} into a value of type {want}"),
    }
}

/// What a scalar is after kustomize's YAML (1.1) to JSON step.
fn json_kind(s: &Scalar, mode: Mode) -> &'static str {
    match s.tag {
        Tag::Str if mode.written_by_yaml_v3 => "string",
        Tag::Null => "null",
        Tag::Bool => "bool",
        Tag::Int | Tag::Float => "number",
        Tag::Str if s.style == Style::Plain && !resolve::v2_plain_is_string(&s.value) => {
            match s.value.as_str() {
                "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no"
                | "No" | "NO" | "off" | "Off" | "OFF" => "bool",
                // Sexagesimal-looking text (`12:30`) included: yaml.v2
                // reads no base 60 (kubectl-verified: `newTag: 12:30`
                // tags an image `nginx:12:30`).
                _ => "string",
            }
        }
        Tag::Str | Tag::Timestamp | Tag::Other => "string",
    }
}

impl<'de> NodeDe<'de> {
    /// A string field. JSON `null` leaves a Go string at its zero value
    /// (kubectl-verified: `commonAnnotations: {a: ~}` sets `a: ""`).
    fn string(self) -> Result<&'de str, DeError> {
        match self.0 {
            Node::Scalar(s) if s.tag == Tag::Null => Ok(""),
            Node::Scalar(s) if json_kind(s, self.1) == "string" => Ok(&s.value),
            n => Err(mismatch(n, self.1, "string")),
        }
    }

    fn number(self, want: &str) -> Result<Number, DeError> {
        match self.0 {
            Node::Scalar(s) if json_kind(s, self.1) == "number" => {
                resolve::parse_number(&s.value).ok_or_else(|| mismatch(self.0, self.1, want))
            }
            n => Err(mismatch(n, self.1, want)),
        }
    }

    fn int(self, want: &str) -> Result<i64, DeError> {
        match self.number(want)? {
            Number::Int(i) => Ok(i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            _ => Err(mismatch(self.0, self.1, want)),
        }
    }
}

macro_rules! de_int {
    ($name:ident, $visit:ident, $ty:ty) => {
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let v = self.int(stringify!($ty))?;
            let v = <$ty>::try_from(v).map_err(|_| mismatch(self.0, self.1, stringify!($ty)))?;
            visitor.$visit(v)
        }
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Scalar(s) => match s.tag {
                Tag::Null => visitor.visit_unit(),
                Tag::Bool => visitor.visit_bool(s.value.eq_ignore_ascii_case("true")),
                Tag::Int | Tag::Float => match resolve::parse_number(&s.value) {
                    Some(Number::Int(i)) => visitor.visit_i64(i),
                    Some(Number::Uint(u)) => visitor.visit_u64(u),
                    Some(Number::Float(f)) => visitor.visit_f64(f),
                    None => visitor.visit_borrowed_str(&s.value),
                },
                Tag::Str | Tag::Timestamp | Tag::Other => visitor.visit_borrowed_str(&s.value),
            },
            Node::Seq(_) => self.deserialize_seq(visitor),
            Node::Map(_) => self.deserialize_map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Scalar(s) if json_kind(s, self.1) == "bool" => {
                let v = matches!(
                    s.value.as_str(),
                    "true"
                        | "True"
                        | "TRUE"
                        | "y"
                        | "Y"
                        | "yes"
                        | "Yes"
                        | "YES"
                        | "on"
                        | "On"
                        | "ON"
                );
                visitor.visit_bool(v)
            }
            n => Err(mismatch(n, self.1, "bool")),
        }
    }

    de_int!(deserialize_i8, visit_i8, i8);
    de_int!(deserialize_i16, visit_i16, i16);
    de_int!(deserialize_i32, visit_i32, i32);
    de_int!(deserialize_i64, visit_i64, i64);
    de_int!(deserialize_u8, visit_u8, u8);
    de_int!(deserialize_u16, visit_u16, u16);
    de_int!(deserialize_u32, visit_u32, u32);
    de_int!(deserialize_u64, visit_u64, u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.number("float64")? {
            Number::Int(i) => visitor.visit_f64(i as f64),
            Number::Uint(u) => visitor.visit_f64(u as f64),
            Number::Float(f) => visitor.visit_f64(f),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_bytes(self.string()?.as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Seq(seq) => visitor.visit_seq(SeqDe {
                items: seq.items.iter(),
                index: 0,
                mode: self.1,
            }),
            n if n.is_null() => visitor.visit_seq(SeqDe {
                items: [].iter(),
                index: 0,
                mode: self.1,
            }),
            n => Err(mismatch(n, self.1, "array")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Map(map) => visitor.visit_map(MapDe {
                entries: map.entries.iter(),
                value: None,
                fields: &[],
                mode: self.1,
            }),
            n if n.is_null() => visitor.visit_map(MapDe {
                entries: [].iter(),
                value: None,
                fields: &[],
                mode: self.1,
            }),
            n => Err(mismatch(n, self.1, "object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Map(map) => visitor.visit_map(MapDe {
                entries: map.entries.iter(),
                value: None,
                fields,
                mode: self.1,
            }),
            n if n.is_null() => visitor.visit_map(MapDe {
                entries: [].iter(),
                value: None,
                fields,
                mode: self.1,
            }),
            n => Err(mismatch(n, self.1, "object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Scalar(s) => visitor.visit_enum(s.value.as_str().into_deserializer()),
            n => Err(mismatch(n, self.1, "string")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Node::Scalar(s) => visitor.visit_borrowed_str(&s.value),
            n => Err(mismatch(n, self.1, "string")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDe<'de> {
    items: std::slice::Iter<'de, Node>,
    index: usize,
    mode: Mode,
}

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some(item) => {
                let i = self.index;
                self.index += 1;
                seed.deserialize(NodeDe(item, self.mode))
                    .map(Some)
                    .map_err(|e| e.within(&format!("[{i}]"), item.line()))
            }
        }
    }
}

struct MapDe<'de> {
    entries: std::slice::Iter<'de, crate::node::Entry>,
    value: Option<(&'de str, &'de Node)>,
    /// A struct's field names: Go's JSON decoder matches keys to them
    /// case-insensitively when there is no exact match.
    fields: &'static [&'static str],
    /// How to read the values (and whether to skip the keys that match no
    /// field: a struct's only).
    mode: Mode,
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        loop {
            let Some(e) = self.entries.next() else {
                return Ok(None);
            };
            self.value = Some((&e.key.value, &e.value));
            let key = e.key.value.as_str();
            let canonical = if self.fields.contains(&key) {
                None
            } else {
                let found = self
                    .fields
                    .iter()
                    .find(|f| f.eq_ignore_ascii_case(key))
                    .copied();
                if found.is_none() && self.mode.lenient && !self.fields.is_empty() {
                    continue;
                }
                found
            };
            return seed
                .deserialize(KeyDe(&e.key, canonical))
                .map(Some)
                .map_err(|err| DeError {
                    line: if err.line == 0 { e.key.line } else { err.line },
                    ..err
                });
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (key, node) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value without a key"))?;
        seed.deserialize(NodeDe(node, self.mode))
            .map_err(|e| e.within(key, node.line()))
    }
}

/// Keys are strings whatever YAML resolves them to (JSON object keys),
/// replaced by a struct field's own spelling when they match it only
/// case-insensitively.
struct KeyDe<'de>(&'de Scalar, Option<&'static str>);

impl<'de> de::Deserializer<'de> for KeyDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.1 {
            Some(canonical) => visitor.visit_borrowed_str(canonical),
            None => visitor.visit_borrowed_str(&self.0.value),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Builds a node from any serde data; used for fields kept as raw YAML
/// (replacements, helm values). Scalars keep their type but numbers are
/// re-printed (`0777` comes back as `511`).
impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(Scalar::new(
            v.to_string(),
            Tag::Int,
            Style::Plain,
        )))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(Scalar::new(
            format!("{v:?}"),
            Tag::Float,
            Style::Plain,
        )))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::string(v))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::null())
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::null())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut m = crate::node::Map::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            m.insert(k, v);
        }
        Ok(Node::Map(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_one;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct K {
        #[serde(default)]
        name_prefix: String,
        #[serde(default)]
        common_labels: BTreeMap<String, String>,
        #[serde(default)]
        replicas: Vec<R>,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct R {
        name: String,
        count: i64,
    }

    fn load(src: &str) -> Result<K, DeError> {
        let n = parse_one(src).unwrap();
        // Leak for the borrow in tests only.
        let n: &'static Node = Box::leak(Box::new(n));
        from_node(n)
    }

    #[test]
    fn reads_typed_fields() {
        let k = load("namePrefix: p-\ncommonLabels: {a: b}\nreplicas: [{name: x, count: 3}]\n")
            .unwrap();
        assert_eq!(k.name_prefix, "p-");
        assert_eq!(
            k.replicas,
            vec![R {
                name: "x".into(),
                count: 3
            }]
        );
    }

    #[test]
    fn types_are_strict_like_kustomize() {
        let e = load("namePrefix: 123\n").unwrap_err();
        assert_eq!(e.path, "namePrefix");
        let e = load("commonLabels: {a: yes}\n").unwrap_err();
        assert_eq!(e.path, "commonLabels.a");
        assert!(e.message.contains("bool"), "{e}");
        let e = load("replicas:\n- name: x\n  count: \"3\"\n").unwrap_err();
        assert_eq!(e.path, "replicas[0].count");
        assert_eq!(e.line, 3);
        let k = load("NAMEPREFIX: p-\n").unwrap();
        assert_eq!(
            k.name_prefix, "p-",
            "Go's JSON decoder matches field names case-insensitively"
        );
        let e = load("foo: bar\n").unwrap_err();
        assert!(e.message.contains("unknown field `foo`"), "{e}");
    }

    #[test]
    fn sexagesimal_looking_text_is_a_string_like_yaml_v2() {
        for text in ["1:20", "12:30", "1:20:30", "190:20:30.15"] {
            let k =
                load(&format!("namePrefix: {text}\n")).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(k.name_prefix, text);
        }
    }

    #[test]
    fn null_leaves_a_string_empty() {
        // kubectl-verified: Go's JSON decoder ignores null for a string.
        let k = load("namePrefix: ~\ncommonLabels: {a: null, b: }\n").unwrap();
        assert_eq!(k.name_prefix, "");
        assert_eq!(k.common_labels["a"], "");
        assert_eq!(k.common_labels["b"], "");
    }

    #[test]
    fn lenient_skips_unknown_struct_fields_at_any_depth() {
        let src = "namePrefix: p-\nfoo: 1\ncommonLabels: {x: z}\nreplicas:\n- name: a\n  count: 2\n  bogus: [1]\n";
        let n = parse_one(src).unwrap();
        assert!(from_node::<K>(&n).is_err());
        let k: K = from_node_lenient(&n).unwrap();
        assert_eq!(k.name_prefix, "p-");
        assert_eq!(k.common_labels.len(), 1, "maps keep every key");
        assert_eq!(k.replicas[0].count, 2);
        // Types are still checked.
        let n = parse_one("replicas:\n- name: a\n  count: \"2\"\n").unwrap();
        assert!(from_node_lenient::<K>(&n).is_err());
    }
}
