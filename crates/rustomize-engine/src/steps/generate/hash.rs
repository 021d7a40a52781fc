//! kustomize's content hash (`api/hasher`) and the transformer that appends
//! it to generated names.
//!
//! For a ConfigMap the hash is the SHA-256 of the Go `json.Marshal` text of
//! `{"data":…,"kind":"ConfigMap","name":…}` plus `"binaryData"` when that
//! field is a mapping; for a Secret of `{"data":…,"kind":"Secret","name":…,
//! "type":…}` plus `"stringData"` when that is a mapping. The first ten hex
//! digits are kept and `0 1 3 a e` become `g h k m t`, so the suffix never
//! reads as a number or a word.
//!
//! kustomize looks the name up with the single path segment
//! `"metadata/name"`, which never matches, so `"name"` is always `""`: two
//! ConfigMaps with the same data get the same suffix whatever their names.
//! Values go through JSON and back into Go `interface{}` maps, so numbers are
//! printed as `float64`.

use crate::error::Error;
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use rayon::prelude::*;
use rustomize_yaml::Node;
use rustomize_yaml::json::{Form, write_string};
use sha2::{Digest, Sha256};

/// The name suffix kustomize computes for `res` (without the `-`).
///
/// ConfigMaps and Secrets are hashed over the fields above. Any other kind
/// (only reachable when a generator plugin marks one for hashing) is hashed
/// over the compact JSON of the whole object; kustomize hashes the JSON of
/// its internal YAML node structure there, which this does not reproduce.
pub(crate) fn hash(res: &Node) -> Result<String, Error> {
    let kind = res.str_at(&["kind"]).unwrap_or("");
    let mut out = String::with_capacity(256);
    match kind {
        "ConfigMap" => {
            // Keys in byte order: binaryData, data, kind, name.
            out.push('{');
            if let Some(v @ (Node::Map(_) | Node::Seq(_))) = res.get("binaryData") {
                out.push_str("\"binaryData\":");
                write_field(&mut out, Some(v))?;
                out.push(',');
            }
            out.push_str("\"data\":");
            write_field(&mut out, res.get("data"))?;
            out.push_str(",\"kind\":\"ConfigMap\",\"name\":\"\"}");
        }
        "Secret" => {
            // Keys in byte order: data, kind, name, stringData, type.
            out.push_str("{\"data\":");
            write_field(&mut out, res.get("data"))?;
            out.push_str(",\"kind\":\"Secret\",\"name\":\"\",");
            if let Some(v @ (Node::Map(_) | Node::Seq(_))) = res.get("stringData") {
                out.push_str("\"stringData\":");
                write_field(&mut out, Some(v))?;
                out.push(',');
            }
            out.push_str("\"type\":");
            write_field(&mut out, res.get("type"))?;
            out.push('}');
        }
        _ => {
            rustomize_yaml::json::write_node(&mut out, res)
                .map_err(|e| Error::generator(format!("hashing {kind}: {e}")))?;
        }
    }
    Ok(encode(&Sha256::digest(out.as_bytes())))
}

/// The first ten hex digits of `digest`, with kustomize's letter mapping.
fn encode(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    digest
        .iter()
        .take(5)
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]])
        .map(|c| match c {
            b'0' => 'g',
            b'1' => 'h',
            b'3' => 'k',
            b'a' => 'm',
            b'e' => 't',
            c => char::from(c),
        })
        .collect()
}

/// One looked-up field as kustomize's `getNodeValues` sees it: missing is
/// `""`, a scalar is its text (even a null one), a mapping goes through JSON
/// into a Go map, and a sequence fails that decoding and becomes `null`.
fn write_field(out: &mut String, v: Option<&Node>) -> Result<(), Error> {
    match v {
        None => out.push_str("\"\""),
        Some(Node::Scalar(s)) => write_string(out, &s.value),
        Some(Node::Seq(_)) => out.push_str("null"),
        Some(m @ Node::Map(_)) => write_go_value(out, m)?,
    }
    Ok(())
}

/// A node as Go prints it after decoding it into `interface{}` from JSON:
/// numbers become `float64`.
fn write_go_value(out: &mut String, node: &Node) -> Result<(), Error> {
    rustomize_yaml::json::write_form(out, node, Form::Decoded)
        .map_err(|e| Error::generator(e.to_string()))
}

/// kustomize's builtin `HashTransformer`: appends `-<hash>` to the name of
/// every resource marked `needs_hash`, recording the old id first.
///
/// kustomize runs it once, after all kustomizations are accumulated and
/// before name references are fixed. The mark stays set, as in kustomize.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HashTransformer;

impl Transformer for HashTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        let one = |r: &mut crate::model::resource::Resource| -> Result<(), Error> {
            let h = hash(&r.node).map_err(|e| e.context(r.cur_id()))?;
            r.store_previous_id();
            let name = format!("{}-{h}", r.name());
            r.set_name(name);
            Ok(())
        };
        let resources = rm.resources_mut();
        // A few generated objects hash in this thread (no thread pool).
        if resources.iter().filter(|r| r.meta.needs_hash).count() < 32 {
            return resources
                .iter_mut()
                .filter(|r| r.meta.needs_hash)
                .try_for_each(one);
        }
        crate::stack::parallel(|| {
            resources
                .par_iter_mut()
                .filter(|r| r.meta.needs_hash)
                .try_for_each(one)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;
    use rustomize_yaml::parse_one;

    fn h(yaml: &str) -> String {
        hash(&parse_one(yaml).unwrap()).unwrap()
    }

    /// Suffixes printed by `kubectl kustomize` (v5.5.0) for these objects.
    #[test]
    fn matches_kustomize() {
        let cases = [
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: empty}\n",
                "6ct58987ht",
            ),
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
                "6ct58987ht",
            ),
            (
                "kind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata: {}\n",
                "46f8b28mk5",
            ),
            (
                indoc! {r#"
                    kind: ConfigMap
                    metadata: {name: bob}
                    data:
                      crisis: "true"
                      fruit: Indian Gooseberry
                      year: "2020"
                "#},
                "79t79mt227",
            ),
            (
                "kind: ConfigMap\nmetadata: {name: test}\ndata: {TEST: \"'\"}\n",
                "m8t7bmb6g2",
            ),
        ];
        for (yaml, want) in cases {
            assert_eq!(h(yaml), want, "{yaml}");
        }
    }

    /// A generated ConfigMap after a patch put non-string values in it
    /// (kubectl printed `cm-hc66f98gc8`).
    #[test]
    fn patched_values_hash_through_go_types() {
        let yaml = indoc! {r#"
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm}
            binaryData: [x]
            data:
              a: "1"
              big: 12345678901234567890
              i: 1
              f: 1.50
              b: true
              t: 2001-12-14
              nested: {x: [1, "2"]}
        "#};
        assert_eq!(h(yaml), "hc66f98gc8");
    }

    #[test]
    fn json_shape() {
        // Numbers go through float64; sequences decode to null.
        let mut out = String::new();
        let n = parse_one("a: 12345678901234567890\nb: 1.50\nc: [1]\nd: ~\n").unwrap();
        write_go_value(&mut out, &n).unwrap();
        assert_eq!(
            out,
            r#"{"a":12345678901234567000,"b":1.5,"c":[1],"d":null}"#
        );
        let mut out = String::new();
        write_field(&mut out, parse_one("[1]").ok().as_ref()).unwrap();
        assert_eq!(out, "null");
    }
}
