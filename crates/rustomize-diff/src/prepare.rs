//! What is taken out of objects before they are compared: ignored labels
//! and annotations, and Secret values (redacted unless asked not to).

use rustomize_yaml::{Node, Scalar};
use sha2::{Digest, Sha256};

/// The annotation `kubectl apply` keeps the whole last applied object in:
/// on a Secret it holds every value.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What an unchanged secret value is shown as.
pub const REDACTED: &str = "<redacted>";

/// Removes `metadata.labels` wherever a `metadata` mapping is (the
/// object's and its templates'; selectors are kept: they change what an
/// object selects).
pub fn drop_labels(n: &mut Node) {
    visit_metadata(n, &mut |meta| {
        meta.remove("labels");
    });
}

/// Removes the annotations matched by `keys` (exact keys, or prefixes
/// written `prefix*`; `*` alone matches every one) wherever a `metadata`
/// mapping is. An annotations mapping left empty is removed.
pub fn drop_annotations(n: &mut Node, keys: &[String]) {
    let matches = |k: &str| {
        keys.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => k.starts_with(prefix),
            None => k == p,
        })
    };
    visit_metadata(n, &mut |meta| {
        if let Some(Node::Map(a)) = meta.get_mut("annotations") {
            a.entries.retain(|e| !matches(&e.key.value));
            if a.is_empty() {
                meta.remove("annotations");
            }
        }
    });
}

fn visit_metadata(n: &mut Node, f: &mut dyn FnMut(&mut rustomize_yaml::Map)) {
    match n {
        Node::Map(m) => {
            for e in &mut m.entries {
                if e.key.value == "metadata"
                    && let Node::Map(meta) = &mut e.value
                {
                    f(meta);
                }
                visit_metadata(&mut e.value, f);
            }
        }
        Node::Seq(s) => {
            for item in &mut s.items {
                visit_metadata(item, f);
            }
        }
        Node::Scalar(_) => {}
    }
}

/// A value's placeholder: `<redacted sha256:1a2b3c4d>`, the start of the
/// SHA-256 of its text, `digits` hexadecimal digits long.
fn hashed(value: &str, digits: usize) -> String {
    let digest = Sha256::digest(value.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("<redacted sha256:{}>", &hex[..digits.min(hex.len())])
}

/// The text of a secret value (a mapping or list, malformed in a Secret,
/// counts by its YAML).
fn text_of(n: &Node) -> String {
    match n {
        Node::Scalar(s) => s.value.to_string(),
        other => other.to_string(),
    }
}

/// Replaces the values of two versions of one Secret (either may be
/// absent): every value under `data` and `stringData`, the
/// `last-applied-configuration` annotation, and any other annotation that
/// contains one of the values. A value equal on both sides becomes
/// [`REDACTED`]; any other becomes a short hash of itself, different on the
/// two sides whenever the values are (so a change is never hidden).
pub fn redact_secrets(left: Option<&mut Node>, right: Option<&mut Node>) {
    let values = |n: &Option<&mut Node>| -> Vec<String> {
        let Some(n) = n.as_deref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for field in ["data", "stringData"] {
            match n.get(field) {
                Some(Node::Map(m)) => {
                    for e in &m.entries {
                        let text = text_of(&e.value);
                        // `data` holds base64: the value may be copied
                        // elsewhere decoded.
                        if field == "data"
                            && let Some(decoded) = decode_base64(&text)
                        {
                            out.push(decoded);
                        }
                        out.push(text);
                    }
                }
                Some(other) if !other.is_null() => out.push(text_of(other)),
                _ => {}
            }
        }
        out.retain(|v| !v.is_empty());
        out
    };
    let mut secrets = values(&left);
    secrets.extend(values(&right));
    let (mut left, mut right) = (left, right);
    for field in ["data", "stringData"] {
        let l = left.as_deref_mut().and_then(|n| n.get_mut(field));
        let r = right.as_deref_mut().and_then(|n| n.get_mut(field));
        redact_field(l, r, &|_, _| true);
    }
    let l = left.and_then(|n| n.get_path_mut(&["metadata", "annotations"]));
    let r = right.and_then(|n| n.get_path_mut(&["metadata", "annotations"]));
    let holds_secret = |key: &str, value: &Node| {
        key == LAST_APPLIED || {
            let text = text_of(value);
            secrets.iter().any(|s| text.contains(s.as_str()))
        }
    };
    redact_field(l, r, &holds_secret);
}

/// The text standard base64 encodes (whitespace ignored), when it is
/// valid base64 of UTF-8 text.
fn decode_base64(s: &str) -> Option<String> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(digits.len() / 4 * 3);
    for chunk in digits.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    String::from_utf8(out).ok()
}

/// Redacts the entries `pick` selects of one mapping field on both sides;
/// a field that is not a mapping is redacted whole.
fn redact_field(
    left: Option<&mut Node>,
    right: Option<&mut Node>,
    pick: &dyn Fn(&str, &Node) -> bool,
) {
    match (left, right) {
        (Some(Node::Map(l)), Some(Node::Map(r))) => {
            let mut plans: Vec<(usize, Option<usize>)> = Vec::new();
            for (i, e) in l.entries.iter().enumerate() {
                let j = r.entries.iter().position(|f| f.key.value == e.key.value);
                let chosen = pick(&e.key.value, &e.value)
                    || j.is_some_and(|j| pick(&r.entries[j].key.value, &r.entries[j].value));
                if chosen {
                    plans.push((i, j));
                }
            }
            for e in &mut r.entries {
                let in_left = l.entries.iter().any(|f| f.key.value == e.key.value);
                if !in_left && pick(&e.key.value, &e.value) {
                    replace(&mut e.value, None);
                }
            }
            for (i, j) in plans {
                match j {
                    Some(j) => {
                        let (a, b) = (&mut l.entries[i].value, &mut r.entries[j].value);
                        redact_pair_values(a, b);
                    }
                    None => replace(&mut l.entries[i].value, None),
                }
            }
        }
        (l, r) => {
            for n in [l, r].into_iter().flatten() {
                if let Node::Map(m) = n {
                    for e in &mut m.entries {
                        if pick(&e.key.value, &e.value) {
                            replace(&mut e.value, None);
                        }
                    }
                } else if !n.is_null() {
                    replace(n, None);
                }
            }
        }
    }
}

/// Redacts one value present on both sides.
fn redact_pair_values(a: &mut Node, b: &mut Node) {
    let (ta, tb) = (text_of(a), text_of(b));
    if ta == tb && a == b {
        *a = Node::Scalar(Scalar::string(REDACTED));
        *b = Node::Scalar(Scalar::string(REDACTED));
        return;
    }
    // Long enough that the two sides' placeholders differ.
    let mut digits = 8;
    while digits < 64 && hashed(&ta, digits) == hashed(&tb, digits) {
        digits *= 2;
    }
    *a = Node::Scalar(Scalar::string(hashed(&ta, digits)));
    *b = Node::Scalar(Scalar::string(hashed(&tb, digits)));
}

fn replace(n: &mut Node, digits: Option<usize>) {
    *n = Node::Scalar(Scalar::string(hashed(&text_of(n), digits.unwrap_or(8))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn secret_values_never_survive() {
        let left = indoc! {r#"
            apiVersion: v1
            kind: Secret
            metadata:
              name: s
              annotations:
                kubectl.kubernetes.io/last-applied-configuration: '{"data":{"a":"c2VjcmV0LWE="}}'
                copy: "token=hunter2-left"
                decoded: "was secret-a"
                harmless: "yes"
            data: {a: c2VjcmV0LWE=, same: c2FtZQ==, gone: Z29uZQ==}
            stringData: {plain: hunter2-left}
        "#};
        let right = indoc! {r#"
            apiVersion: v1
            kind: Secret
            metadata:
              name: s
              annotations:
                harmless: "yes"
            data: {a: c2VjcmV0LWI=, same: c2FtZQ==, new: bmV3}
            stringData: {plain: hunter2-right}
        "#};
        let mut l = rustomize_yaml::parse_one(left).unwrap();
        let mut r = rustomize_yaml::parse_one(right).unwrap();
        redact_secrets(Some(&mut l), Some(&mut r));
        let (lt, rt) = (l.to_string(), r.to_string());
        for secret in [
            "c2VjcmV0LWE=",
            "c2VjcmV0LWI=",
            "c2FtZQ==",
            "Z29uZQ==",
            "bmV3",
            "hunter2",
            "secret-a",
        ] {
            assert!(
                !lt.contains(secret) && !rt.contains(secret),
                "{secret}:\n{lt}\n{rt}"
            );
        }
        assert_eq!(l.str_at(&["data", "same"]), Some(REDACTED));
        assert_eq!(r.str_at(&["data", "same"]), Some(REDACTED));
        let (la, ra) = (
            l.str_at(&["data", "a"]).unwrap(),
            r.str_at(&["data", "a"]).unwrap(),
        );
        assert!(la.starts_with("<redacted sha256:") && la != ra, "{la} {ra}");
        assert_eq!(
            l.str_at(&["metadata", "annotations", "harmless"]),
            Some("yes")
        );
        assert!(
            l.str_at(&["data", "gone"])
                .unwrap()
                .starts_with("<redacted sha256:")
        );
        assert!(
            r.str_at(&["data", "new"])
                .unwrap()
                .starts_with("<redacted sha256:")
        );

        // One side only, and a malformed data field.
        let mut added =
            rustomize_yaml::parse_one("kind: Secret\ndata: c2VjcmV0\nstringData: {k: v4lue}\n")
                .unwrap();
        redact_secrets(None, Some(&mut added));
        let text = added.to_string();
        assert!(
            !text.contains("c2VjcmV0") && !text.contains("v4lue"),
            "{text}"
        );
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("aHVudGVyMg==").as_deref(), Some("hunter2"));
        assert_eq!(decode_base64("c2VjcmV0").as_deref(), Some("secret"));
        assert_eq!(decode_base64("YWI=").as_deref(), Some("ab"));
        assert_eq!(decode_base64("not base64"), None);
        assert_eq!(decode_base64("YWJ"), None);
    }

    #[test]
    fn ignored_labels_and_annotations() {
        let mut n = rustomize_yaml::parse_one(indoc! {"
            metadata:
              labels: {a: b}
              annotations: {x.io/one: '1', x.io/two: '2', keep: k}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata:
                  labels: {a: b}
                  annotations: {x.io/one: '1'}
        "})
        .unwrap();
        drop_labels(&mut n);
        drop_annotations(&mut n, &["x.io/*".to_string()]);
        assert_eq!(
            rustomize_yaml::emit::to_string(&n).unwrap(),
            indoc! {"
                metadata:
                  annotations:
                    keep: k
                spec:
                  selector:
                    matchLabels:
                      a: b
                  template:
                    metadata: {}
            "}
        );
    }
}
