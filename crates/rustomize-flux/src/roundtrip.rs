//! The trip substituted text takes in Flux before it is an object again.
//!
//! kustomize-controller substitutes in the YAML text of each object, then
//! reads it back with `sigs.k8s.io/yaml.YAMLToJSON` (yaml.v2: YAML 1.1, so a
//! substituted `yes` or `on` becomes `true`, `0777` becomes 511, a
//! timestamp stays a string), writes JSON, and kustomize's
//! `Resource.UnmarshalJSON` decodes that JSON into Go maps (every number a
//! float64) and re-encodes it with yaml.v3. This module turns the text into
//! the node kustomize then holds, so the engine's emitter prints what Flux
//! prints.

use rustomize_yaml::resolve::{format_go_g, format_json_float, is_timestamp};
use rustomize_yaml::{Entry, Map, Node, Scalar, Seq, Style, Tag};

/// Why substituted text is not an object any more.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundTripError {
    /// YAML syntax.
    #[error("YAMLToJSON: yaml: {0}")]
    Syntax(String),
    /// A mapping key JSON cannot hold (null, a collection, a huge
    /// integer).
    #[error("YAMLToJSON: unsupported map key {0}")]
    Key(String),
    /// `.inf` or `.nan`, which JSON cannot hold.
    #[error("YAMLToJSON: json: unsupported value: {0}")]
    Value(String),
    /// The document is not a mapping any more.
    #[error(
        "UnmarshalJSON: json: cannot unmarshal {0} into Go value of type map[string]interface {{}}"
    )]
    NotAnObject(&'static str),
}

/// Reads substituted text as Flux does, into the object kustomize holds.
pub fn reread(text: &str) -> Result<Node, RoundTripError> {
    let node = rustomize_yaml::parse::parse_one_last_key_wins(text)
        .map_err(|e| RoundTripError::Syntax(e.to_string()))?;
    let json = to_json(&node)?;
    match json {
        Node::Map(_) => Ok(json),
        Node::Seq(_) => Err(RoundTripError::NotAnObject("array")),
        // `null` decodes to an empty map: an object with no kind, which
        // Flux then cannot read back.
        Node::Scalar(s) if s.tag == Tag::Null => Err(RoundTripError::NotAnObject("null")),
        Node::Scalar(s) => Err(RoundTripError::NotAnObject(match s.tag {
            Tag::Bool => "bool",
            Tag::Int | Tag::Float => "number",
            _ => "string",
        })),
    }
}

/// What yaml.v2 decodes a scalar into (`interface{}` target).
#[derive(Debug, Clone, PartialEq)]
enum V2 {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
}

fn scalar_value(s: &Scalar) -> V2 {
    if s.style != Style::Plain {
        return V2::Str(s.value.to_string());
    }
    // A plain scalar whose tag is not what its text resolves to carried an
    // explicit tag (`!!str 1`); keep what the tag says.
    let implied = rustomize_yaml::resolve::resolve_plain(&s.value);
    if implied != s.tag {
        return match s.tag {
            Tag::Null => V2::Null,
            Tag::Str | Tag::Timestamp => V2::Str(s.value.to_string()),
            _ => resolve_v2(&s.value),
        };
    }
    resolve_v2(&s.value)
}

/// yaml.v2's `resolve` for an untagged plain scalar, as decoded into an
/// `interface{}` (timestamps stay strings there).
fn resolve_v2(s: &str) -> V2 {
    let Some(&first) = s.as_bytes().first() else {
        return V2::Null;
    };
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return V2::Str(s.to_string()),
    };
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return V2::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return V2::Bool(false);
        }
        "~" | "null" | "Null" | "NULL" => return V2::Null,
        ".nan" | ".NaN" | ".NAN" => return V2::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return V2::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return V2::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match hint {
        '.' => match go_parse_float(s) {
            Some(f) => V2::Float(f),
            None => V2::Str(s.to_string()),
        },
        'D' | 'S' => {
            if is_timestamp(s) {
                return V2::Str(s.to_string());
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return V2::Int(i);
            }
            if is_yaml_style_float(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return V2::Float(f);
            }
            V2::Str(s.to_string())
        }
        _ => V2::Str(s.to_string()),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: the
/// value when one of them accepts `s`.
fn go_parse_int(s: &str) -> Option<i128> {
    let (negative, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        (v <= 1 << 63).then(|| -(v as i128))
    } else if v <= i64::MAX as u64 || !s.starts_with('+') {
        // ParseUint takes no sign: `+` and past int64 fails.
        Some(v as i128)
    } else {
        None
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text: `None` on a syntax
/// error or an overflow (ParseFloat's ErrRange).
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if !body
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A parsed node as yaml.v2 reads its source and JSON then holds it (plain
/// scalars resolved by YAML 1.1's rules, keys made strings, numbers
/// float64).
pub fn json_value(node: &Node) -> Result<Node, RoundTripError> {
    to_json(node)
}

/// The node for a YAML node after YAMLToJSON and UnmarshalJSON.
fn to_json(node: &Node) -> Result<Node, RoundTripError> {
    Ok(match node {
        Node::Scalar(s) => match scalar_value(s) {
            V2::Null => Node::null(),
            V2::Bool(b) => Node::bool(b),
            V2::Str(v) => Node::string(v),
            V2::Int(i) => number(i as f64),
            V2::Float(f) if f.is_finite() => number(f),
            V2::Float(f) => return Err(RoundTripError::Value(go_non_finite(f).to_string())),
        },
        Node::Seq(seq) => Node::Seq(Seq::new(
            seq.items.iter().map(to_json).collect::<Result<_, _>>()?,
        )),
        Node::Map(map) => {
            let mut out = Map::new();
            for e in &map.entries {
                let key = key_string(&e.key)?;
                let value = to_json(&e.value)?;
                // A Go map: a later key that prints the same replaces the
                // earlier one.
                match out.entries.iter_mut().find(|x| x.key.value == key) {
                    Some(slot) => slot.value = value,
                    None => out.entries.push(Entry {
                        key: Scalar::string(key),
                        value,
                    }),
                }
            }
            Node::Map(out)
        }
    })
}

fn go_non_finite(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// The string sigs.k8s.io/yaml makes of a scalar decoded into a Go string
/// field (`yaml.Unmarshal` into a typed struct): numbers and booleans, as
/// yaml.v2 reads them, are formatted; `None` for null (the field stays
/// empty).
pub(crate) fn go_string_field(s: &Scalar) -> Option<String> {
    match scalar_value(s) {
        V2::Null => None,
        V2::Str(v) => Some(v),
        V2::Bool(b) => Some(b.to_string()),
        V2::Int(i) => Some(i.to_string()),
        V2::Float(f) if f.is_nan() => Some("NaN".to_string()),
        V2::Float(f) if f.is_infinite() => Some(if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()),
        V2::Float(f) => Some(format_go_g32(f)),
    }
}

/// sigs.k8s.io/yaml's string for a mapping key.
pub(crate) fn key_string(key: &Scalar) -> Result<String, RoundTripError> {
    match scalar_value(key) {
        V2::Str(s) => Ok(s),
        V2::Bool(b) => Ok(b.to_string()),
        V2::Int(i) if i64::try_from(i).is_ok() => Ok(i.to_string()),
        V2::Float(f) => Ok(format_go_g32(f)),
        V2::Int(i) => Err(RoundTripError::Key(format!("of type uint64: {i}"))),
        V2::Null => Err(RoundTripError::Key("of type <nil>".to_string())),
    }
}

/// The number scalar kustomize ends up holding for a JSON number: the
/// float64 is written by yaml.v3 (`%g`), read back, printed as JSON and read
/// by yaml.v2, which keeps integers that fit 64 bits and prints the rest as
/// `%g` again. The text is chosen so that the emitter prints it unchanged.
pub(crate) fn number(f: f64) -> Node {
    let g = format_go_g(f);
    let integral_g = g
        .strip_prefix('-')
        .unwrap_or(&g)
        .bytes()
        .all(|b| b.is_ascii_digit());
    let json = if integral_g {
        // yaml.v3 reads `%g` text without a point or exponent as an int.
        g.parse::<i128>().map_or(g.clone(), |i| i.to_string())
    } else {
        format_json_float(f)
    };
    let fits = json.parse::<i64>().is_ok() || json.parse::<u64>().is_ok();
    Node::plain(if fits { json } else { format_go_g(f) })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with yaml's names for the
/// infinities.
fn format_go_g32(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return ".nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` prints the shortest digits that read back as the same
    // f32, as Go's shortest formatting does: `d.ddde<exp>`.
    let e = format!("{:e}", x.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let neg = if x < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (head, tail) = digits.split_at(1);
        let point = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{neg}{head}{point}e{sign}{:02}", exp.abs());
    }
    if exp < 0 {
        return format!("{neg}0.{}{digits}", "0".repeat((-exp - 1) as usize));
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        format!("{neg}{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        format!("{neg}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        let doc = format!("k: {text}\n");
        match reread(&doc) {
            Ok(n) => rustomize_yaml::emit::to_string(&n).unwrap_or_else(|e| format!("<{e}>")),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn substituted_scalars_read_as_yaml_1_1() {
        let cases = [
            ("yes", "k: true\n"),
            ("on", "k: true\n"),
            ("No", "k: false\n"),
            ("y", "k: true\n"),
            ("0777", "k: 511\n"),
            ("0o17", "k: 15\n"),
            ("08", "k: 8\n"),
            ("1_000", "k: 1000\n"),
            ("0x1F", "k: 31\n"),
            ("1e3", "k: 1000\n"),
            ("1.5", "k: 1.5\n"),
            ("12345678901234567890", "k: 12345678901234567000\n"),
            ("123456789012345678", "k: 123456789012345680\n"),
            ("1e20", "k: 1e+20\n"),
            ("2001-12-14", "k: \"2001-12-14\"\n"),
            ("1:20", "k: \"1:20\"\n"),
            ("", "k: null\n"),
            ("~", "k: null\n"),
            ("'007'", "k: \"007\"\n"),
            ("a #b", "k: a\n"),
            ("[1, x]", "k:\n- 1\n- x\n"),
            (".inf", "error: YAMLToJSON: json: unsupported value: +Inf"),
        ];
        let mut failures = Vec::new();
        for (text, want) in cases {
            let got = value(text);
            if got != want {
                failures.push(format!("{text:?}: {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn keys_become_strings_as_sigs_yaml_makes_them() {
        let got = reread("yes: 1\n1.5: 2\n0x10: 3\n").expect("reads");
        let keys: Vec<&str> = got.as_map().expect("map").keys().collect();
        assert_eq!(keys, ["true", "1.5", "16"]);
        assert!(reread("~: 1\n").is_err());
        assert!(reread("- a\n").is_err());
        assert!(reread("a: b: c\n").is_err());
    }

    #[test]
    fn float32_keys_print_as_go_does() {
        let cases = [
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (-2.5e10, "-2.5e+10"),
        ];
        for (f, want) in cases {
            assert_eq!(format_go_g32(f), want, "{f}");
        }
    }
}
