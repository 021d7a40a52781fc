//! Helpers the builtin transformers share: reading plugin configs the way
//! kustomize does, kyaml's error wording, and field specs split once.
//!
//! kustomize reads a plugin config (`kind: LabelTransformer`, ...) by turning
//! the object into JSON and back into YAML, then unmarshalling it with
//! `sigs.k8s.io/yaml`, which converts any scalar to a string when the Go
//! field is a string: `42` becomes `"42"`, `true` becomes `"true"`, `1.5e3`
//! becomes `"1500"`, `~` becomes `""`. The deserializers here give string
//! fields and string maps that leniency; numbers and booleans stay strict.

use crate::error::Error;
use crate::model::fieldspec::{self, CreateKind, FieldSpec};
use rustomize_yaml::Node;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::fmt;

/// Deserializes a string field, accepting any scalar as kustomize does.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(LENIENT_STRING)
}

/// Deserializes a string field that takes no conversion: the JSON types
/// of the config (yaml.v3's, so `y` is the string `y`), a string or null
/// (`""`); a number or a boolean is refused as Go's JSON decoder refuses
/// it (kustomize converts them only for some fields).
pub(crate) fn json_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(JSON_STRING)
}

/// Deserializes a `map[string]string` field, accepting any scalar value.
pub(crate) fn lenient_string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    d.deserialize_map(LenientMap)
}

/// Field specs with their paths split once, to apply to many objects.
/// A path is split when its spec first applies: most specs name kinds a
/// given kustomization does not have.
pub(crate) struct SplitSpecs<'a> {
    specs: Vec<(&'a FieldSpec, OnceCell<Vec<String>>)>,
}

impl<'a> SplitSpecs<'a> {
    /// The specs, their paths to be split on first use.
    pub(crate) fn new(specs: &'a [FieldSpec]) -> Self {
        SplitSpecs {
            specs: specs.iter().map(|s| (s, OnceCell::new())).collect(),
        }
    }

    /// The spec at `index`.
    pub(crate) fn spec(&self, index: usize) -> &'a FieldSpec {
        self.specs[index].0
    }

    /// The specs, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a FieldSpec> + '_ {
        self.specs.iter().map(|(s, _)| *s)
    }

    /// Fills `out` with the indices, in order, of the specs whose GVK
    /// matches the object's apiVersion and kind.
    pub(crate) fn matching(&self, obj: &Node, out: &mut Vec<usize>) {
        out.clear();
        let api_version = obj.str_at(&["apiVersion"]).unwrap_or("");
        let kind = obj.str_at(&["kind"]).unwrap_or("");
        out.extend(
            self.specs
                .iter()
                .enumerate()
                .filter(|(_, (s, _))| s.matches(api_version, kind))
                .map(|(i, _)| i),
        );
    }

    /// [`fieldspec::apply`] of the spec at `index`, which [`Self::matching`]
    /// found for this object.
    pub(crate) fn apply(
        &self,
        index: usize,
        obj: &mut Node,
        create: Option<CreateKind>,
        set: &mut dyn FnMut(&mut Node) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (spec, segments) = &self.specs[index];
        let segments = segments.get_or_init(|| spec.segments());
        fieldspec::apply_split(spec, segments, obj, create, set)
    }
}

/// kyaml's name for a node's kind.
pub(crate) fn go_kind(node: &Node) -> &'static str {
    match node {
        Node::Scalar(_) => "ScalarNode",
        Node::Seq(_) => "SequenceNode",
        Node::Map(_) => "MappingNode",
    }
}

/// kyaml's `InvalidNodeKindError` message.
pub(crate) fn wrong_kind(expected: &str, node: &Node) -> Error {
    Error::transformer(format!(
        "wrong node kind: expected {expected} but got {}",
        go_kind(node)
    ))
}

/// A string field's visitor: strings and null (`""`) always; numbers and
/// booleans converted to their text when `convert` (sigs.k8s.io/yaml's
/// conversion), else refused as Go's JSON decoder refuses them.
struct StringOf {
    convert: bool,
}

const LENIENT_STRING: StringOf = StringOf { convert: true };
const JSON_STRING: StringOf = StringOf { convert: false };

impl StringOf {
    fn converted<E: de::Error>(
        &self,
        what: &str,
        text: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        if self.convert {
            text()
        } else {
            Err(E::custom(format!(
                "cannot unmarshal {what} into a value of type string"
            )))
        }
    }
}

impl<'de> Visitor<'de> for StringOf {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.converted("bool", || Ok(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.converted("number", || Ok(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.converted("number", || Ok(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.converted("number", || {
            float_to_config_string(v)
                .ok_or_else(|| E::custom("json: unsupported value: a NaN or infinite float"))
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

struct LenientMap;

impl<'de> Visitor<'de> for LenientMap {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of strings")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<LenientValue>()?;
            out.insert(key, value.0);
        }
        Ok(out)
    }
}

/// A map value read with [`lenient_string`].
struct LenientValue(String);

impl<'de> de::Deserialize<'de> for LenientValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(LenientValue)
    }
}

/// The string `sigs.k8s.io/yaml` makes of a float: the value goes through
/// JSON (integral values below 1e21 print as integers and come back as
/// integers), then `strconv.FormatFloat(f, 'g', -1, 32)`.
fn float_to_config_string(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
            return Some((f as i64).to_string());
        }
        if f > 0.0 && f < 18_446_744_073_709_551_616.0 {
            return Some((f as u64).to_string());
        }
    }
    Some(format_go_g32(f))
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` for a finite float.
fn format_go_g32(f: f64) -> String {
    let v = f as f32;
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    // Rust prints the shortest digits that read back as the same f32.
    let text = format!("{:e}", v.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut out = String::new();
    if v < 0.0 {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;
    use rustomize_yaml::parse_one;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Cfg {
        #[serde(deserialize_with = "lenient_string_map")]
        labels: BTreeMap<String, String>,
        #[serde(default, deserialize_with = "lenient_string")]
        prefix: String,
    }

    #[test]
    fn scalars_become_strings_as_kubectl_reads_them() {
        // Expected values from `kubectl kustomize` with a LabelTransformer
        // config holding these labels.
        let node = parse_one(indoc! {"
            prefix: 1
            labels:
              a: 1
              b: yes
              c: 0x10
              d: 1.50
              e: true
              g: 1e3
              h: 0777
              i: 12345678901234567890
              j: 1_000
              k: 1e21
              l: 1e20
              m: 0.0000001
              n: 123456789.125
              o: -0.0
              p: 1.0
              q: ~
              r: False
        "})
        .unwrap();
        let cfg: Cfg = rustomize_yaml::de::from_node(&node).unwrap();
        assert_eq!(cfg.prefix, "1");
        let want = [
            ("a", "1"),
            ("b", "yes"),
            ("c", "16"),
            ("d", "1.5"),
            ("e", "true"),
            ("g", "1000"),
            ("h", "511"),
            ("i", "12345678901234567890"),
            ("j", "1000"),
            ("k", "1e+21"),
            ("l", "1e+20"),
            ("m", "1e-07"),
            ("n", "1.2345679e+08"),
            ("o", "0"),
            ("p", "1"),
            ("q", ""),
            ("r", "false"),
        ];
        for (k, v) in want {
            assert_eq!(cfg.labels.get(k).map(String::as_str), Some(v), "label {k}");
        }
    }

    #[test]
    fn infinity_is_an_error() {
        let node = parse_one("labels: {a: .inf}\n").unwrap();
        assert!(rustomize_yaml::de::from_node::<Cfg>(&node).is_err());
    }
}
