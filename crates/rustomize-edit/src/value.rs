//! What YAML text means to kustomize's kustomization reader.
//!
//! kustomize reads a kustomization through `sigs.k8s.io/yaml` (yaml.v2
//! under a JSON step), so scalars take YAML 1.1 types: `yes`, `on` and `y`
//! are booleans, `0777` is octal, `~` is null, and a date stays a string.
//! [`Value`] is that JSON-like meaning; [`decode`] reads it from a
//! [`cst::Node`].

use crate::cst::{self, Kind, Style};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A JSON-like value: what a YAML node means once read.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping, in written order (kustomize writes keys sorted, and no
    /// kustomization field gives key order a meaning).
    Map(Vec<(String, Value)>),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key`, when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The type name Go's JSON decoder uses in its errors.
    pub fn json_kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// A hash of the value as written (equal values, by `==`, have equal
    /// fingerprints).
    pub fn fingerprint(&self) -> u64 {
        fn feed(v: &Value, h: &mut FastHasher) {
            std::mem::discriminant(v).hash(h);
            match v {
                Value::Null => {}
                Value::Bool(b) => b.hash(h),
                Value::Int(i) => i.hash(h),
                // -0.0 == 0.0: both hash as zero.
                Value::Float(f) => (if *f == 0.0 { 0 } else { f.to_bits() }).hash(h),
                Value::Str(s) => s.hash(h),
                Value::Seq(items) => {
                    items.len().hash(h);
                    items.iter().for_each(|i| feed(i, h));
                }
                Value::Map(entries) => {
                    entries.len().hash(h);
                    for (k, v) in entries {
                        k.hash(h);
                        feed(v, h);
                    }
                }
            }
        }
        let mut h = FastHasher::default();
        feed(self, &mut h);
        h.finish()
    }

    /// Whether two values mean the same, with mappings compared as sets
    /// of keys (the last of repeated keys winning).
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Map(a), Value::Map(b)) => {
                let a = dedup(a);
                let b = dedup(b);
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.same(v2)))
            }
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                (*a as f64) == *b
            }
            _ => self == other,
        }
    }
}

fn dedup(entries: &[(String, Value)]) -> Vec<&(String, Value)> {
    let mut out: Vec<&(String, Value)> = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some(i) = out.iter().position(|x| x.0 == e.0) {
            out.remove(i);
        }
        out.push(e);
    }
    out
}

/// A fast, non-cryptographic hasher (FxHash's multiply-rotate) for the
/// maps an edit builds over a file's own items: SipHash's protection
/// against chosen keys buys nothing there, and cost a tenth of an edit.
#[derive(Clone, Copy, Debug, Default)]
pub struct FastHasher(u64);

impl FastHasher {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Why a node cannot be read as a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DecodeError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads what `node` means; `anchors` collects anchored values so later
/// aliases resolve (pass the same map for a whole document, in order).
pub fn decode(
    cst: &cst::Cst,
    node: &cst::Node,
    anchors: &mut HashMap<usize, Value>,
) -> Result<Value, DecodeError> {
    let v = match &node.kind {
        Kind::Scalar { value, style, tag } => scalar(value, *style, tag.as_deref()),
        Kind::Alias(id) => anchors.get(id).cloned().ok_or_else(|| DecodeError {
            line: cst.line_number(node.start),
            message: "unknown anchor".into(),
        })?,
        Kind::Seq { items, .. } => Value::Seq(
            items
                .iter()
                .map(|i| decode(cst, i, anchors))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Map { entries, .. } => {
            let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
            for e in entries {
                let k = decode(cst, &e.key, anchors)?;
                let v = decode(cst, &e.value, anchors)?;
                if e.key.scalar() == Some("<<")
                    && matches!(
                        e.key.kind,
                        Kind::Scalar {
                            style: Style::Plain,
                            ..
                        }
                    )
                {
                    merge_into(&mut out, v);
                    continue;
                }
                let key = match k {
                    Value::Str(s) => s,
                    Value::Null => "null".into(),
                    Value::Bool(b) => b.to_string(),
                    Value::Int(i) => i.to_string(),
                    Value::Float(f) => format_float(f),
                    _ => {
                        return Err(DecodeError {
                            line: cst.line_number(e.key.start),
                            message: "a mapping key must be a scalar".into(),
                        });
                    }
                };
                out.retain(|(k2, _)| *k2 != key);
                out.push((key, v));
            }
            Value::Map(out)
        }
    };
    if let Some(id) = node.anchor {
        anchors.insert(id, v.clone());
    }
    Ok(v)
}

fn merge_into(out: &mut Vec<(String, Value)>, v: Value) {
    let maps = match v {
        Value::Map(m) => vec![m],
        Value::Seq(items) => items
            .into_iter()
            .filter_map(|i| match i {
                Value::Map(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for m in maps {
        for (k, v) in m {
            if !out.iter().any(|(k2, _)| *k2 == k) {
                out.push((k, v));
            }
        }
    }
}

fn format_float(f: f64) -> String {
    rustomize_yaml::resolve::format_go_g(f)
}

/// The value of a scalar, by yaml.v2's rules.
pub fn scalar(text: &str, style: Style, tag: Option<&str>) -> Value {
    match tag {
        Some("!!str" | "tag:yaml.org,2002:str") => return Value::Str(text.into()),
        Some("!!int" | "tag:yaml.org,2002:int") => {
            return parse_int(text).map_or_else(|| Value::Str(text.into()), Value::Int);
        }
        Some("!!bool" | "tag:yaml.org,2002:bool") => {
            return parse_bool(text).map_or_else(|| Value::Str(text.into()), Value::Bool);
        }
        Some("!!null" | "tag:yaml.org,2002:null") => return Value::Null,
        _ => {}
    }
    if style != Style::Plain {
        return Value::Str(text.into());
    }
    plain(text)
}

/// What an unquoted scalar means to yaml.v2.
pub fn plain(text: &str) -> Value {
    if rustomize_yaml::resolve::v2_plain_is_string(text) {
        return Value::Str(text.into());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    if let Some(b) = parse_bool(text) {
        return Value::Bool(b);
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if let Some(f) = parse_float(text) {
        return Value::Float(f);
    }
    // Timestamps (and base-60 numbers, which yaml.v2 keeps as strings when
    // decoding into an interface).
    Value::Str(text.into())
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// An integer as yaml.v2 reads one: decimal, `0x`, `0b`, `0o`, a leading
/// `0` for octal, underscores allowed, an optional sign.
fn parse_int(s: &str) -> Option<i64> {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, digits) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i128::from_str_radix(body, radix).ok()?;
    let n = if neg { -n } else { n };
    i64::try_from(n).ok()
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if !plain
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    plain.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Value {
        let c = cst::Cst::parse(s).expect("yaml");
        decode(&c, c.root.as_ref().expect("root"), &mut HashMap::new()).expect("decode")
    }

    #[test]
    fn yaml_1_1_scalars() {
        let v =
            read("a: yes\nb: 'yes'\nc: 0777\nd: ~\ne: 1.5\nf: 2024-01-01\ng: 0x1F\nh:\ni: 1_000\n");
        let get = |k: &str| v.get(k).cloned().expect("key");
        assert_eq!(get("a"), Value::Bool(true));
        assert_eq!(get("b"), Value::str("yes"));
        assert_eq!(get("c"), Value::Int(511));
        assert_eq!(get("d"), Value::Null);
        assert_eq!(get("e"), Value::Float(1.5));
        assert_eq!(get("f"), Value::str("2024-01-01"));
        assert_eq!(get("g"), Value::Int(31));
        assert_eq!(get("h"), Value::Null);
        assert_eq!(get("i"), Value::Int(1000));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = read("a: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  j: 2\n");
        assert_eq!(v.get("b"), v.get("a"));
        assert!(v.get("c").expect("c").same(&Value::Map(vec![
            ("j".into(), Value::Int(2)),
            ("k".into(), Value::Int(1)),
        ])));
    }

    #[test]
    fn last_repeated_key_wins() {
        let v = read("a: 1\na: 2\n");
        assert_eq!(v, Value::Map(vec![("a".into(), Value::Int(2))]));
    }
}
