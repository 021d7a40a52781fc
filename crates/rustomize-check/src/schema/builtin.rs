//! The built-in Kubernetes schemas bundled in the binary.
//!
//! `data/k8s-schemas.json.zz` is made by `tools/gen-k8s-schemas.py` from the
//! pinned `kubernetes-validate` wheel (JSON schemas converted from the
//! official OpenAPI spec of each Kubernetes `vX.Y.0`). It is zlib-compressed
//! JSON: every distinct definition once, and for each Kubernetes minor a map
//! from definition name to definition and the list of its kinds. Compact
//! schema forms (see the generator):
//!
//! - `"#Name"`: a reference to another definition;
//! - `"s"`, `"y"` (base64), `"t"` (date-time), `"i32"`, `"i64"`, `"i"`,
//!   `"n"`, `"b"`, `"*"` (anything), `"ios"` (int or string), `"q"`
//!   (quantity);
//! - `{"a": item}`: an array;
//! - `{"p": {...}, "r": [...], "x": value}`: an object, closed when it has
//!   properties and no `"x"`.

use super::{Additional, Schema, SchemaId, Ty};
use crate::error::Error;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// The compressed data.
static DATA: &[u8] = include_bytes!("../../data/k8s-schemas.json.zz");

/// The Kubernetes minors bundled, oldest first; the last is the default.
pub(crate) const MINORS: &[&str] = &[
    "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37",
];

/// The default Kubernetes minor.
pub(crate) fn default_minor() -> &'static str {
    MINORS[MINORS.len() - 1]
}

/// Normalizes a `--kubernetes-version` value (`1.36`, `v1.36`, `1.36.4`) to
/// a bundled minor.
pub(crate) fn resolve_minor(v: &str) -> Result<&'static str, Error> {
    let v = v.trim().trim_start_matches('v');
    let mut parts = v.split('.');
    let minor = match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}.{b}"),
        _ => String::new(),
    };
    MINORS
        .iter()
        .copied()
        .find(|m| *m == minor)
        .ok_or_else(|| Error::KubernetesVersion {
            given: v.to_string(),
            bundled: MINORS.join(", "),
        })
}

/// The schemas of one Kubernetes minor.
#[derive(Debug)]
pub(crate) struct Builtin {
    /// The minor (`1.37`).
    pub minor: &'static str,
    /// The arena.
    pub schemas: Arc<Vec<Schema>>,
    /// The schema accepting anything.
    pub any: SchemaId,
    /// `ObjectMeta`.
    pub object_meta: SchemaId,
    kinds: HashMap<(String, String, String), SchemaId>,
    groups: HashSet<String>,
    api_versions_by_kind: HashMap<String, Vec<String>>,
}

impl Builtin {
    /// The schemas of `minor` (one of [`MINORS`]), decoded once per process.
    pub(crate) fn get(minor: &str) -> Result<Arc<Builtin>, Error> {
        static CACHE: OnceLock<std::sync::Mutex<HashMap<String, Arc<Builtin>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = cache.get(minor) {
            return Ok(b.clone());
        }
        let minor = resolve_minor(minor)?;
        let b = Arc::new(decode(minor)?);
        cache.insert(minor.to_string(), b.clone());
        Ok(b)
    }

    /// The schema of a built-in kind.
    pub(crate) fn kind(&self, group: &str, version: &str, kind: &str) -> Option<SchemaId> {
        self.kinds
            .get(&(group.to_string(), version.to_string(), kind.to_string()))
            .copied()
    }

    /// Whether `group` is an API group of Kubernetes itself (`""` is core).
    pub(crate) fn is_builtin_group(&self, group: &str) -> bool {
        self.groups.contains(group)
    }

    /// The `apiVersion`s a kind of this name is served as.
    pub(crate) fn api_versions_of(&self, kind: &str) -> &[String] {
        self.api_versions_by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

fn bad(msg: impl std::fmt::Display) -> Error {
    Error::BundledSchemas {
        detail: msg.to_string(),
    }
}

fn decode(minor: &'static str) -> Result<Builtin, Error> {
    let json = miniz_oxide::inflate::decompress_to_vec_zlib(DATA)
        .map_err(|e| bad(format!("cannot decompress: {e:?}")))?;
    let doc: Value = serde_json::from_slice(&json).map_err(bad)?;
    let version = doc["versions"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["minor"] == minor))
        .ok_or_else(|| bad(format!("no version {minor}")))?;
    let unique = doc["schemas"].as_array().ok_or_else(|| bad("no schemas"))?;
    let names = version["defs"]
        .as_object()
        .ok_or_else(|| bad("no definitions"))?;
    let mut b = Builder {
        unique,
        names,
        out: Vec::with_capacity(4096),
        by_unique: HashMap::new(),
        prims: HashMap::new(),
    };
    let any = b.prim(Ty::Any);
    let mut kinds = HashMap::new();
    let mut groups = HashSet::new();
    let mut api_versions_by_kind: HashMap<String, Vec<String>> = HashMap::new();
    for k in version["kinds"].as_array().ok_or_else(|| bad("no kinds"))? {
        let (Some(g), Some(v), Some(kind), Some(name)) =
            (k[0].as_str(), k[1].as_str(), k[2].as_str(), k[3].as_str())
        else {
            return Err(bad("malformed kind entry"));
        };
        let id = b.named(name)?;
        groups.insert(g.to_string());
        let api_version = if g.is_empty() {
            v.to_string()
        } else {
            format!("{g}/{v}")
        };
        api_versions_by_kind
            .entry(kind.to_string())
            .or_default()
            .push(api_version);
        kinds.insert((g.to_string(), v.to_string(), kind.to_string()), id);
    }
    let object_meta = b.named("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")?;
    Ok(Builtin {
        minor,
        schemas: Arc::new(b.out),
        any,
        object_meta,
        kinds,
        groups,
        api_versions_by_kind,
    })
}

struct Builder<'a> {
    unique: &'a [Value],
    names: &'a serde_json::Map<String, Value>,
    out: Vec<Schema>,
    by_unique: HashMap<usize, SchemaId>,
    prims: HashMap<&'static str, SchemaId>,
}

impl Builder<'_> {
    fn push(&mut self, s: Schema) -> SchemaId {
        self.out.push(s);
        (self.out.len() - 1) as SchemaId
    }

    fn prim(&mut self, ty: Ty) -> SchemaId {
        let key = match ty {
            Ty::Any => "*",
            Ty::String => "s",
            Ty::Bytes => "y",
            Ty::Integer => "i",
            Ty::Int32 => "i32",
            Ty::Int64 => "i64",
            Ty::Number => "n",
            Ty::Boolean => "b",
            Ty::IntOrString => "ios",
            Ty::Quantity => "q",
            Ty::Object => "{}",
            Ty::Array => "[]",
        };
        if let Some(&id) = self.prims.get(key) {
            return id;
        }
        let id = self.push(Schema::of(ty));
        self.prims.insert(key, id);
        id
    }

    /// The id of a named definition, converting it on first use.
    fn named(&mut self, name: &str) -> Result<SchemaId, Error> {
        let u = self
            .names
            .get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(format!("no definition {name}")))? as usize;
        if let Some(&id) = self.by_unique.get(&u) {
            return Ok(id);
        }
        // Reserve the id first: definitions can refer to themselves.
        let id = self.push(Schema::of(Ty::Any));
        self.by_unique.insert(u, id);
        let value = self
            .unique
            .get(u)
            .ok_or_else(|| bad(format!("definition {name} out of range")))?;
        let s = self.schema(value)?;
        self.out[id as usize] = s;
        Ok(id)
    }

    fn convert(&mut self, v: &Value) -> Result<SchemaId, Error> {
        match v {
            Value::String(s) => match s.strip_prefix('#') {
                Some(name) => self.named(name),
                None => Ok(self.prim(prim_ty(s)?)),
            },
            _ => {
                let s = self.schema(v)?;
                Ok(self.push(s))
            }
        }
    }

    fn schema(&mut self, v: &Value) -> Result<Schema, Error> {
        match v {
            Value::String(s) => match s.strip_prefix('#') {
                // A definition that is only a reference (rare): copy it.
                Some(name) => {
                    let id = self.named(name)?;
                    Ok(self.out[id as usize].clone())
                }
                None => Ok(Schema::of(prim_ty(s)?)),
            },
            Value::Object(o) => {
                if let Some(items) = o.get("a") {
                    let items = self.convert(items)?;
                    let mut s = Schema::of(Ty::Array);
                    s.items = Some(items);
                    return Ok(s);
                }
                let mut s = Schema::of(Ty::Object);
                if let Some(props) = o.get("p").and_then(Value::as_object) {
                    for (k, pv) in props {
                        let id = self.convert(pv)?;
                        s.properties.push((k.clone(), id));
                    }
                    s.properties.sort_by(|a, b| a.0.cmp(&b.0));
                    s.additional = Additional::Closed;
                }
                if let Some(req) = o.get("r").and_then(Value::as_array) {
                    s.required = req
                        .iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect();
                }
                if let Some(x) = o.get("x") {
                    s.additional = if x == "*" {
                        Additional::Any
                    } else {
                        Additional::Schema(self.convert(x)?)
                    };
                }
                Ok(s)
            }
            other => Err(bad(format!("unexpected schema {other}"))),
        }
    }
}

fn prim_ty(s: &str) -> Result<Ty, Error> {
    Ok(match s {
        "*" => Ty::Any,
        "s" | "t" => Ty::String,
        "y" => Ty::Bytes,
        "i" => Ty::Integer,
        "i32" => Ty::Int32,
        "i64" => Ty::Int64,
        "n" => Ty::Number,
        "b" => Ty::Boolean,
        "ios" => Ty::IntOrString,
        "q" => Ty::Quantity,
        other => return Err(bad(format!("unknown type {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_minor_decodes() {
        for m in MINORS {
            let b = Builtin::get(m).unwrap();
            assert!(b.kind("apps", "v1", "Deployment").is_some(), "{m}");
            assert!(b.kind("", "v1", "Service").is_some(), "{m}");
            assert!(
                b.kind("extensions", "v1beta1", "Deployment").is_none(),
                "{m}"
            );
            assert!(b.is_builtin_group("networking.k8s.io"));
            assert!(!b.is_builtin_group("cert-manager.io"));
        }
    }

    #[test]
    fn versions() {
        assert_eq!(resolve_minor("v1.36.4").unwrap(), "1.36");
        assert_eq!(resolve_minor("1.35").unwrap(), "1.35");
        assert!(resolve_minor("1.12").is_err());
        assert!(resolve_minor("latest").is_err());
    }
}
