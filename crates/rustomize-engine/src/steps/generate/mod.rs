//! ConfigMap and Secret generators, the name-suffix hash, and how generated
//! resources combine with the ones already accumulated.
//!
//! The pipeline, per kustomization (kustomize's `runGenerators`): build one
//! [`ConfigMapGenerator`] per `configMapGenerator` entry, then one
//! [`SecretGenerator`] per `secretGenerator` entry (each with
//! `generatorOptions` merged in by `from_args`), call
//! [`Generator::generate`] on each in that order, and hand each result to
//! one [`Absorber`] before running the next. Resources made by generator
//! plugins have their hash and behavior annotations read by the function
//! step. At the very end of the top-level build (not per kustomization),
//! [`HashTransformer`] appends the content hash to every resource still
//! marked `needs_hash`.

mod absorb;
mod hash;
pub(crate) mod kv;

pub(crate) use absorb::Absorber;
pub(crate) use hash::HashTransformer;

use crate::error::Error;
use crate::model::kustomization::{GeneratorArgs, GeneratorOptions};
use crate::model::resource::{Behavior, GeneratedFrom, Resource};
use crate::steps::Generator;
use rustomize_loader::Loader;
use rustomize_yaml::{Entry, Map, Node, Scalar, Style};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `metadata` of a generator plugin config; its name and namespace stand in
/// for the top-level ones when those are empty.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct PluginMeta {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
}

/// kustomize's builtin `ConfigMapGenerator`: one ConfigMap from literals,
/// files and env files.
///
/// The fields mirror the plugin's config (`kind: ConfigMapGenerator`), so the
/// struct reads such a config with serde; unknown fields (`apiVersion`,
/// `kind`) are ignored, as kustomize ignores them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct ConfigMapGenerator {
    /// Plugin metadata (name and namespace defaults).
    pub metadata: PluginMeta,
    /// Name of the ConfigMap, before any prefix, suffix or hash.
    pub name: String,
    /// Namespace of the ConfigMap; empty for none.
    pub namespace: String,
    /// `create` (default), `merge` or `replace`.
    pub behavior: String,
    /// `key=value` pairs.
    pub literals: Vec<String>,
    /// `path` or `key=path` entries.
    pub files: Vec<String>,
    /// Env files.
    pub envs: Vec<String>,
    /// The older singular env file. kustomize folds it into `envs` when it
    /// reads a kustomization and ignores it in plugin configs; so does this.
    pub env: String,
    /// Labels, annotations, `immutable` and `disableNameSuffixHash`.
    pub options: Option<GeneratorOptions>,
}

/// kustomize's builtin `SecretGenerator`: one Secret, every value base64
/// encoded, `type` defaulting to `Opaque`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct SecretGenerator {
    /// Plugin metadata (name and namespace defaults).
    pub metadata: PluginMeta,
    /// Name of the Secret, before any prefix, suffix or hash.
    pub name: String,
    /// Namespace of the Secret; empty for none.
    pub namespace: String,
    /// `create` (default), `merge` or `replace`.
    pub behavior: String,
    /// `key=value` pairs.
    pub literals: Vec<String>,
    /// `path` or `key=path` entries.
    pub files: Vec<String>,
    /// Env files.
    pub envs: Vec<String>,
    /// Ignored, as for [`ConfigMapGenerator::env`].
    pub env: String,
    /// Labels, annotations, `immutable` and `disableNameSuffixHash`.
    pub options: Option<GeneratorOptions>,
    /// The Secret's `type`; empty means `Opaque`.
    #[serde(rename = "type")]
    pub secret_type: String,
}

impl ConfigMapGenerator {
    /// The generator for a `configMapGenerator` entry, with the
    /// kustomization's `generatorOptions` merged into the entry's own.
    pub(crate) fn from_args(args: &GeneratorArgs, global: Option<&GeneratorOptions>) -> Self {
        ConfigMapGenerator {
            metadata: PluginMeta::default(),
            name: args.name.clone(),
            namespace: args.namespace.clone(),
            behavior: args.behavior.clone(),
            literals: args.literals.clone(),
            files: args.files.clone(),
            envs: args.envs.clone(),
            env: args.env.clone(),
            options: merged_options(args.options.as_ref(), global),
        }
    }

    /// Reads a `kind: ConfigMapGenerator` plugin config.
    pub(crate) fn from_config(config: &Node) -> Result<Self, Error> {
        let mut g: Self = rustomize_yaml::de::from_plugin_config(config)
            .map_err(|e| Error::generator(format!("invalid ConfigMapGenerator config: {e}")))?;
        fill_from_metadata(&mut g.name, &mut g.namespace, &g.metadata);
        Ok(g)
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            name: &self.name,
            namespace: &self.namespace,
            behavior: &self.behavior,
            sources: kv::Sources {
                literals: &self.literals,
                files: &self.files,
                envs: &self.envs,
            },
            options: self.options.as_ref(),
        }
    }
}

impl SecretGenerator {
    /// The generator for a `secretGenerator` entry, with the kustomization's
    /// `generatorOptions` merged into the entry's own.
    pub(crate) fn from_args(args: &GeneratorArgs, global: Option<&GeneratorOptions>) -> Self {
        SecretGenerator {
            metadata: PluginMeta::default(),
            name: args.name.clone(),
            namespace: args.namespace.clone(),
            behavior: args.behavior.clone(),
            literals: args.literals.clone(),
            files: args.files.clone(),
            envs: args.envs.clone(),
            env: args.env.clone(),
            options: merged_options(args.options.as_ref(), global),
            secret_type: args.secret_type.clone(),
        }
    }

    /// Reads a `kind: SecretGenerator` plugin config.
    pub(crate) fn from_config(config: &Node) -> Result<Self, Error> {
        let mut g: Self = rustomize_yaml::de::from_plugin_config(config)
            .map_err(|e| Error::generator(format!("invalid SecretGenerator config: {e}")))?;
        fill_from_metadata(&mut g.name, &mut g.namespace, &g.metadata);
        Ok(g)
    }

    fn spec(&self) -> Spec<'_> {
        Spec {
            name: &self.name,
            namespace: &self.namespace,
            behavior: &self.behavior,
            sources: kv::Sources {
                literals: &self.literals,
                files: &self.files,
                envs: &self.envs,
            },
            options: self.options.as_ref(),
        }
    }
}

/// kustomize's `MergeGlobalOptionsIntoLocal`: no options at all stay none.
fn merged_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> Option<GeneratorOptions> {
    if local.is_none() && global.is_none() {
        None
    } else {
        Some(GeneratorOptions::merged(local, global))
    }
}

fn fill_from_metadata(name: &mut String, namespace: &mut String, meta: &PluginMeta) {
    if name.is_empty() {
        name.clone_from(&meta.name);
    }
    if namespace.is_empty() {
        namespace.clone_from(&meta.namespace);
    }
}

impl Generator for ConfigMapGenerator {
    fn generate(&self, ldr: &Loader) -> Result<Vec<Resource>, Error> {
        let spec = self.spec();
        let mut top = base_object("ConfigMap", &spec)?;
        let pairs = validated_pairs(ldr, &spec)?;
        let mut data = Map::new();
        let mut binary = Map::new();
        for (key, value) in pairs {
            match String::from_utf8(value) {
                Ok(text) => push_value(&mut data, key, text),
                Err(e) => push_value(&mut binary, key, encode_base64(e.as_bytes())),
            }
        }
        if !data.is_empty() {
            top.insert("data", Node::Map(data));
        }
        if !binary.is_empty() {
            top.insert("binaryData", Node::Map(binary));
        }
        Ok(vec![finish(top, &spec)])
    }
}

impl Generator for SecretGenerator {
    fn generate(&self, ldr: &Loader) -> Result<Vec<Resource>, Error> {
        let spec = self.spec();
        let mut top = base_object("Secret", &spec)?;
        let secret_type = if self.secret_type.is_empty() {
            "Opaque"
        } else {
            &self.secret_type
        };
        top.insert("type", Node::string(secret_type));
        let pairs = validated_pairs(ldr, &spec)?;
        let mut data = Map::new();
        for (key, value) in pairs {
            push_value(&mut data, key, encode_base64(&value));
        }
        top.insert("data", Node::Map(data));
        Ok(vec![finish(top, &spec)])
    }
}

/// What both generators are configured with.
struct Spec<'a> {
    name: &'a str,
    namespace: &'a str,
    behavior: &'a str,
    sources: kv::Sources<'a>,
    options: Option<&'a GeneratorOptions>,
}

/// `apiVersion`, `kind` and `metadata` with the name and namespace
/// (kustomize's `makeBaseNode`).
fn base_object(kind: &str, spec: &Spec<'_>) -> Result<Map, Error> {
    if spec.name.is_empty() {
        return Err(Error::generator("a configmap must have a name"));
    }
    let mut meta = Map::new();
    meta.insert("name", Node::string(spec.name));
    if !spec.namespace.is_empty() {
        meta.insert("namespace", Node::string(spec.namespace));
    }
    let mut top = Map::new();
    top.insert("apiVersion", Node::string("v1"));
    top.insert("kind", Node::string(kind));
    top.insert("metadata", Node::Map(meta));
    Ok(top)
}

/// The pairs, sorted by key, with repeated keys refused (kustomize's
/// `makeValidatedDataMap`; its key validators accept everything).
fn validated_pairs(ldr: &Loader, spec: &Spec<'_>) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let mut out = BTreeMap::new();
    for pair in kv::load_pairs(ldr, spec.sources)? {
        if out.contains_key(&pair.key) {
            return Err(Error::generator(format!(
                "configmap {} illegally repeats the key `{}`",
                spec.name, pair.key
            )));
        }
        out.insert(pair.key, pair.value);
    }
    Ok(out)
}

/// Appends a string value; callers add keys in sorted order, each once.
/// kyaml writes a data key as an untagged scalar, so it has the type its
/// text reads as: a key `1`, `true` or `1.5` (a literal `1=x`, an env
/// line `000`) is no string, and kustomize fails printing the object
/// (`json: unsupported type: map[interface {}]interface {}`;
/// kubectl-verified).
fn push_value(map: &mut Map, key: String, value: String) {
    let mut key = Scalar::string(key);
    if !key.value.is_empty() {
        key.tag = rustomize_yaml::resolve::resolve_plain(&key.value);
    }
    map.entries.push(Entry {
        key,
        value: data_value(value),
    });
}

/// A `data`/`binaryData` value as kyaml makes one: a string, in literal
/// style when it spans lines.
pub(crate) fn data_value(value: String) -> Node {
    let mut s = Scalar::string(value);
    if s.value.contains('\n') {
        s.style = Style::Literal;
    }
    Node::Scalar(s)
}

/// Adds the options' labels, annotations and `immutable`, and wraps the
/// object with its build bookkeeping.
fn finish(mut top: Map, spec: &Spec<'_>) -> Resource {
    if let Some(opts) = spec.options {
        let meta = top.get_or_insert_with("metadata", Node::map);
        if let Node::Map(meta) = meta {
            for (field, values) in [("labels", &opts.labels), ("annotations", &opts.annotations)] {
                if values.is_empty() {
                    continue;
                }
                let mut m = Map::new();
                for (k, v) in values {
                    m.entries.push(Entry {
                        key: Scalar::string(k.as_str()),
                        value: Node::string(v.as_str()),
                    });
                }
                meta.insert(field, Node::Map(m));
            }
        }
        if opts.immutable {
            top.insert("immutable", Node::bool(true));
        }
    }
    let mut res = Resource::new(Node::Map(top));
    res.meta.needs_hash = !spec.options.is_some_and(|o| o.disable_name_suffix_hash);
    // kustomize reads an unknown behavior as "unspecified", which acts as
    // create everywhere.
    res.meta.behavior = Some(Behavior::parse(spec.behavior).unwrap_or(Behavior::Create));
    res.meta.generated_from = Some(std::sync::Arc::new(GeneratedFrom {
        literal_keys: spec
            .sources
            .literals
            .iter()
            .map(|l| l.split_once('=').map_or(l.as_str(), |(k, _)| k).to_string())
            .collect(),
        files: spec.sources.files.to_vec(),
        envs: spec.sources.envs.to_vec(),
    }));
    res
}

/// Standard base64, broken after every 70 characters (each line, the last
/// included, ends with `\n`) once the encoding reaches 70 characters, as
/// kyaml's `encodeBase64` does.
fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const LINE: usize = 70;
    let mut enc = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                enc.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                enc.push('=');
            }
        }
    }
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    // `enc` is ASCII, so byte chunks are whole characters.
    for line in enc.as_bytes().chunks(LINE) {
        out.extend(line.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
