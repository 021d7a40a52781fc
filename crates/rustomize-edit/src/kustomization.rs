//! A kustomization being edited: its fields as kustomize's `kustfile`
//! reads them (validated as Go would decode them, then `FixKustomization`
//! applied), changed by the operations in [`ops`](crate::ops), and written
//! back through [`Doc`] so only the changed fields' bytes change.

use crate::doc::{Doc, DocError};
use crate::reconcile::Ctx;
use crate::schema::{self, FIELDS};
use crate::value::Value;

/// Why a kustomization cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not YAML.
    #[error("{line}:{column}: invalid Kustomization: yaml: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// YAML that does not decode into kustomize's types.
    #[error("{line}: invalid Kustomization: {message}")]
    Type {
        /// 1-based line.
        line: usize,
        /// Go's message.
        message: String,
    },
}

/// The kustomization fields, by canonical name, with their values.
#[derive(Clone, Debug)]
pub struct Kustomization {
    doc: Doc,
    /// Each field present in the file: canonical name, key as written,
    /// value as read.
    original: Vec<(&'static str, String, Value)>,
    /// The fields set (or, with `None`, removed) since: each field not
    /// here holds its original value.
    overrides: Vec<(&'static str, Option<Value>)>,
}

/// The kustomization API version for `kind`.
pub fn api_version_for(kind: &str) -> &'static str {
    if kind == "Component" {
        "kustomize.config.k8s.io/v1alpha1"
    } else {
        "kustomize.config.k8s.io/v1beta1"
    }
}

impl Kustomization {
    /// Reads a kustomization file's text, as kustomize's `kustfile.Read`
    /// does (including `FixKustomization`: defaults for `apiVersion` and
    /// `kind`, `bases` folded into `resources`, `imageTags` into `images`,
    /// generators' `env` into `envs`).
    pub fn parse(text: &str) -> Result<Kustomization, ReadError> {
        let mut k = Kustomization::parse_as_written(text)?;
        k.fix();
        Ok(k)
    }

    /// Reads a kustomization file's text, validated as [`Kustomization::parse`]
    /// validates it, but without kustomize's `FixKustomization`: fields stay
    /// as written (no `apiVersion`/`kind` added, `bases` and `imageTags` left
    /// where they are), so a change to one field is the only change to the
    /// file (what `promote` and `rollback` need).
    pub fn parse_as_written(text: &str) -> Result<Kustomization, ReadError> {
        let doc = Doc::parse(text).map_err(|e| match e {
            DocError::Syntax(s) => ReadError::Syntax {
                line: s.line,
                column: s.column,
                message: s.message,
            },
            DocError::NotAMapping(kind) => ReadError::Type {
                line: 1,
                message: format!(
                    "json: cannot unmarshal {} into Go value of type types.Kustomization",
                    if kind == "sequence" {
                        "array"
                    } else {
                        "string"
                    }
                ),
            },
            DocError::Verify { field } => ReadError::Type {
                line: 1,
                message: format!("cannot read field {field}"),
            },
        })?;
        let mut original: Vec<(&'static str, String, Value)> = Vec::new();
        if let Some(root) = &doc.cst().root {
            let mut ctx = Ctx::new(doc.cst());
            let type_error = |e: schema::TypeError| ReadError::Type {
                line: e.line,
                message: e.message,
            };
            schema::check_root(&mut ctx, root).map_err(type_error)?;
            for e in root.entries().unwrap_or_default() {
                let key = ctx.read(&e.key);
                let field = schema::check_key(&ctx, &e.key, &key).map_err(type_error)?;
                let value = ctx.read(&e.value);
                schema::check_field(&mut ctx, field, &e.value, &value).map_err(type_error)?;
                let Value::Str(key) = key else {
                    continue;
                };
                original.retain(|(f, _, _)| *f != field);
                original.push((field, key, value));
            }
        }
        Ok(Kustomization {
            doc,
            original,
            overrides: Vec::new(),
        })
    }

    /// kustomize's `FixKustomization`.
    fn fix(&mut self) {
        let kind = self.string("kind");
        if kind.is_empty() {
            self.set("kind", Some(Value::str("Kustomization")));
        }
        if self.string("apiVersion").is_empty() {
            let kind = self.string("kind");
            self.set("apiVersion", Some(Value::str(api_version_for(&kind))));
        }
        if self.get("bases").is_some() {
            let mut resources = self.strings("resources");
            resources.extend(self.strings("bases"));
            self.set_strings("resources", resources);
            self.set("bases", None);
        }
        if let Some(Value::Seq(tags)) = self.get("imageTags").cloned() {
            let mut images = match self.get("images") {
                Some(Value::Seq(i)) => i.clone(),
                _ => Vec::new(),
            };
            images.extend(tags);
            self.set("images", (!images.is_empty()).then_some(Value::Seq(images)));
        }
        if self.get("imageTags").is_some() {
            self.set("imageTags", None);
        }
        for field in ["configMapGenerator", "secretGenerator"] {
            let Some(Value::Seq(items)) = self.get(field).cloned() else {
                continue;
            };
            let mut changed = false;
            let items: Vec<Value> = items
                .into_iter()
                .map(|mut item| {
                    if let Value::Map(entries) = &mut item
                        && let Some(Value::Str(env)) = item_get(entries, "env")
                        && !env.is_empty()
                    {
                        let env = env.clone();
                        changed = true;
                        let mut envs = match item_get(entries, "envs") {
                            Some(Value::Seq(e)) => e.clone(),
                            _ => Vec::new(),
                        };
                        envs.push(Value::Str(env));
                        entries.retain(|(k, _)| k != "env");
                        map_set(entries, "envs", Value::Seq(envs));
                    }
                    item
                })
                .collect();
            if changed {
                self.set(field, Some(Value::Seq(items)));
            }
        }
    }

    /// The value of `field` now, if set.
    pub fn get(&self, field: &str) -> Option<&Value> {
        match self.overrides.iter().find(|(f, _)| *f == field) {
            Some((_, v)) => v.as_ref(),
            None => self.original_value(field),
        }
    }

    /// The value `field` had in the file (`None` when absent or null).
    fn original_value(&self, field: &str) -> Option<&Value> {
        self.original
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, _, v)| v)
            .filter(|v| !matches!(v, Value::Null))
    }

    /// Sets (or, with `None`, removes) `field`.
    pub fn set(&mut self, field: &str, value: Option<Value>) {
        let Some(name) = schema::field_name(field) else {
            return;
        };
        match self.overrides.iter_mut().find(|(f, _)| *f == name) {
            Some(slot) => slot.1 = value,
            None => self.overrides.push((name, value)),
        }
    }

    /// A string field ("" when absent or null).
    pub fn string(&self, field: &str) -> String {
        match self.get(field) {
            Some(Value::Str(s)) => s.clone(),
            _ => String::new(),
        }
    }

    /// Sets a string field; the empty string removes it (Go's omitempty).
    pub fn set_string(&mut self, field: &str, s: &str) {
        self.set(field, (!s.is_empty()).then(|| Value::str(s)));
    }

    /// A `[]string` field (null items read as "").
    pub fn strings(&self, field: &str) -> Vec<String> {
        match self.get(field) {
            Some(Value::Seq(items)) => items
                .iter()
                .map(|i| i.as_str().unwrap_or_default().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Sets a `[]string` field; an empty list removes it.
    pub fn set_strings(&mut self, field: &str, items: Vec<String>) {
        self.set(
            field,
            (!items.is_empty()).then(|| Value::Seq(items.into_iter().map(Value::Str).collect())),
        );
    }

    /// A `map[string]string` field: `None` when absent or null (Go's nil
    /// map), else its pairs.
    pub fn string_map(&self, field: &str) -> Option<Vec<(String, String)>> {
        match self.get(field) {
            Some(Value::Map(entries)) => Some(string_pairs(entries)),
            _ => None,
        }
    }

    /// Sets a `map[string]string` field; an empty map removes it.
    pub fn set_string_map(&mut self, field: &str, pairs: Vec<(String, String)>) {
        self.set(field, (!pairs.is_empty()).then(|| pairs_value(pairs)));
    }

    /// The items of a list field.
    pub fn items(&self, field: &str) -> Vec<Value> {
        match self.get(field) {
            Some(Value::Seq(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// Sets a list field; an empty list removes it.
    pub fn set_items(&mut self, field: &str, items: Vec<Value>) {
        self.set(field, (!items.is_empty()).then_some(Value::Seq(items)));
    }

    /// Whether the result differs from what was read.
    pub fn changed(&self) -> bool {
        self.changes().next().is_some()
    }

    fn changes(&self) -> impl Iterator<Item = (&'static str, Option<&Value>)> + '_ {
        self.overrides
            .iter()
            .filter_map(|(f, v)| match (self.original_value(f), v) {
                (None, None) => None,
                (Some(o), Some(v)) if o.same(v) => None,
                (_, v) => Some((*f, v.as_ref())),
            })
    }

    /// The file's new text: each changed field rewritten in place, new
    /// fields appended in kustomize's field order.
    pub fn render(&self) -> Result<String, DocError> {
        let mut edited: Option<Doc> = None;
        let mut changes: Vec<(&'static str, Option<&Value>)> = self.changes().collect();
        // Present fields keep their place; new ones go last, in order.
        changes.sort_by_key(|(f, _)| schema::field_rank(f));
        for (field, value) in changes {
            let key = self
                .original
                .iter()
                .find(|(f, _, _)| *f == field)
                .map_or(field.to_string(), |(_, k, _)| k.clone());
            // What the field holds now: what it held in the file (earlier
            // edits changed other fields, and were verified to leave this
            // one meaning the same).
            let doc = edited.as_ref().unwrap_or(&self.doc);
            if let Some(next) = doc.with_known(&key, self.original_value(field), value)? {
                edited = Some(next);
            }
        }
        Ok(edited.map_or_else(|| self.doc.text().to_string(), Doc::into_text))
    }

    /// The original text.
    pub fn original_text(&self) -> &str {
        self.doc.text()
    }

    /// The fields in kustomize's order, with whether each is present.
    pub fn field_names() -> impl Iterator<Item = &'static str> {
        FIELDS.iter().map(|(n, _)| *n)
    }
}

/// The string pairs of a decoded map (nulls read as "").
pub fn string_pairs(entries: &[(String, Value)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in entries {
        let v = v.as_str().unwrap_or_default().to_string();
        match out.iter_mut().find(|(k2, _)| k2 == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k.clone(), v)),
        }
    }
    out
}

/// A `map[string]string` value.
pub fn pairs_value(pairs: Vec<(String, String)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (k, Value::Str(v))).collect())
}

/// The value under `key` in decoded map entries (the last one).
pub fn item_get<'a>(entries: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets `key` in decoded map entries.
pub fn map_set(entries: &mut Vec<(String, Value)>, key: &str, v: Value) {
    match entries.iter_mut().rev().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = v,
        None => entries.push((key.to_string(), v)),
    }
}
