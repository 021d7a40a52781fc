//! `edit fix --vars`: kustomize v5.5's `ConvertVarsToReplacements`
//! (`kustomize/commands/edit/fix/convert.go`).
//!
//! Each var becomes an inline replacement whose source is the var's
//! `objref` and `fieldref`, with one target per field that mentions
//! `$(NAME)` in the files the kustomization touches, and every `$(NAME)` in
//! those files becomes `NAME_PLACEHOLDER` (text replaced throughout the file,
//! comments included, as kustomize does). The files touched are found as
//! kustomize finds them: each resource, and the resources of a resource
//! directory's kustomization file (read one level of paths deep, relative
//! to the kustomization's directory, exactly as kustomize joins them), then
//! each patch `path`. A field inside a patch file selects what the patch
//! targets rather than the patch's own id.
//!
//! Unlike kustomize this writes nothing itself: the new file texts come
//! back in [`Outcome::files`], and nothing changes when the conversion
//! fails. It also keeps the kustomization's existing `replacements` (which
//! kustomize drops), appending the converted ones.

// `fix --vars` reads the tree's resource and patch files on the local disk,
// as kustomize's does (clippy.toml's disallowed-methods).
#![allow(clippy::disallowed_methods)]

mod kyaml;

use super::{OpError, Outcome};
use crate::cst::Cst;
use crate::kustomization::Kustomization;
use crate::value::{self, Value};
use kyaml::{find_var, go_join, kyaml_text, meta, resource_nodes, top};
use rustomize_yaml::node::Node as YNode;
use std::collections::HashMap;
use std::path::Path;

/// The kustomization file names kustomize looks for in a resource directory.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Converts the kustomization's `vars` to `replacements`; `dir` is its
/// directory. The outcome lists the resource and patch files whose text
/// changes.
pub fn vars_to_replacements(k: &mut Kustomization, dir: &Path) -> Result<Outcome, OpError> {
    let mut out = Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    };
    let vars = match k.get("vars") {
        Some(Value::Seq(v)) => v.clone(),
        Some(_) | None => return Ok(out),
    };
    let mut files = Files {
        dir,
        texts: HashMap::new(),
        changed: Vec::new(),
        patch_targets: HashMap::new(),
    };
    let resources = k.strings("resources");
    let patches = k.items("patches");
    let touched = files.touched_by(&resources, &patches, "")?;
    let mut replacements = k.items("replacements");
    for v in &vars {
        let name = text(v.get("name"));
        let var = format!("$({name})");
        let mut targets = Vec::new();
        for file in &touched {
            let Some(text) = files.read(file) else {
                continue;
            };
            // kustomize skips what kio cannot read.
            let Ok(docs) = rustomize_yaml::parse::parse_documents(&text) else {
                continue;
            };
            for doc in resource_nodes(docs) {
                let mut found = Vec::new();
                find_var(&doc, &var, &mut Vec::new(), &mut found)
                    .map_err(|e| OpError::new(format!("error with {file}: {e}")))?;
                for (field_path, options) in found {
                    let target = files
                        .target(file, &doc, field_path, options)
                        .map_err(|e| OpError::new(format!("error with {file}: {e}")))?;
                    targets.push(target);
                }
            }
        }
        let mut replacement = vec![("source".to_string(), source(v))];
        if !targets.is_empty() {
            replacement.push(("targets".to_string(), Value::Seq(targets)));
        }
        replacements.push(Value::Map(replacement));
        let placeholder = format!("{name}_PLACEHOLDER");
        for file in &touched {
            if let Some(text) = files.read(file) {
                files.write(file, text.replace(&var, &placeholder));
            }
        }
    }
    k.set("vars", None);
    k.set_items("replacements", replacements);
    out.files = files
        .changed
        .iter()
        .filter_map(|f| Some((dir.join(f), files.texts.get(f)?.clone()?)))
        .collect();
    Ok(out)
}

/// The files the conversion reads and rewrites, by the path kustomize
/// gives them (relative to the kustomization's directory).
struct Files<'d> {
    dir: &'d Path,
    /// Each file's text as the conversion has made it (`None`: unreadable).
    texts: HashMap<String, Option<String>>,
    /// Files whose text changed, in the order they first changed.
    changed: Vec<String>,
    /// Patch files and the `patches` entry naming them (the last one).
    patch_targets: HashMap<String, Value>,
}

impl Files<'_> {
    fn read(&mut self, file: &str) -> Option<String> {
        let dir = self.dir;
        self.texts
            .entry(file.to_string())
            .or_insert_with(|| std::fs::read_to_string(dir.join(file)).ok())
            .clone()
    }

    fn write(&mut self, file: &str, text: String) {
        if self.read(file).as_deref() != Some(text.as_str()) {
            if !self.changed.iter().any(|f| f == file) {
                self.changed.push(file.to_string());
            }
            self.texts.insert(file.to_string(), Some(text));
        }
    }

    /// kustomize's `filesTouchedByKustomize`: each resource (after, for a
    /// directory, the files its kustomization touches, with paths joined
    /// to the resource as written), then each patch path, all joined to
    /// `prefix`.
    fn touched_by(
        &mut self,
        resources: &[String],
        patches: &[Value],
        prefix: &str,
    ) -> Result<Vec<String>, OpError> {
        let mut out = Vec::new();
        for r in resources {
            // kustomize reads the directory as written, relative to the
            // kustomization it started from, whatever `prefix` is.
            let dir = self.dir.join(r);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                let mut names: Vec<String> = entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                for name in names
                    .iter()
                    .filter(|n| KUSTOMIZATION_FILES.contains(&n.as_str()))
                {
                    let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
                        continue;
                    };
                    let (sub_resources, sub_patches) = sub_kustomization(&text)
                        .map_err(|e| OpError::new(format!("{}: {e}", go_join(&[r, name]))))?;
                    out.extend(self.touched_by(&sub_resources, &sub_patches, r)?);
                }
            }
            out.push(go_join(&[prefix, r]));
        }
        for p in patches {
            let path = text(field(p, "path"));
            if !path.is_empty() {
                let path = go_join(&[prefix, &path]);
                self.patch_targets.insert(path.clone(), p.clone());
                out.push(path);
            }
        }
        Ok(out)
    }

    /// kustomize's `constructTargets` for one field of `doc` in `file`.
    fn target(
        &self,
        file: &str,
        doc: &YNode,
        field_path: String,
        options: Option<Value>,
    ) -> Result<Value, String> {
        let opt = |p: &Value, o: &str| {
            matches!(
                field(p, "options").and_then(|m| field(m, o)),
                Some(Value::Bool(true))
            )
        };
        let patch = self
            .patch_targets
            .get(file)
            .filter(|p| !(opt(p, "allowNameChange") && opt(p, "allowKindChange")));
        let mut select: Vec<(String, String)>;
        if let Some(patch) = patch {
            // A patch applies to what it targets, whatever its own id.
            select = [
                "group",
                "version",
                "kind",
                "name",
                "namespace",
                "annotationSelector",
                "labelSelector",
            ]
            .into_iter()
            .map(|k| {
                let v = text(field(patch, "target").and_then(|t| field(t, k)));
                (k.to_string(), v)
            })
            .collect();
            if opt(patch, "allowNameChange") {
                set(&mut select, "name", meta(doc, "name")?);
            }
            if opt(patch, "allowKindChange") {
                set(&mut select, "kind", kyaml_text(doc, "kind")?);
            }
            let ns = meta(doc, "namespace")?;
            if !ns.is_empty() {
                set(&mut select, "namespace", ns);
            }
        } else {
            let (group, version) = match top(doc, "apiVersion") {
                av if av.is_empty() => (String::new(), String::new()),
                av => match av.split_once('/') {
                    Some((g, v)) => (g.to_string(), v.to_string()),
                    None => (String::new(), av),
                },
            };
            let (name, namespace, kind) = (
                meta(doc, "name")?,
                meta(doc, "namespace")?,
                kyaml_text(doc, "kind")?,
            );
            select = vec![
                ("group".into(), group),
                ("version".into(), version),
                ("kind".into(), kind),
                ("name".into(), name),
                ("namespace".into(), namespace),
            ];
        }
        let select: Vec<(String, Value)> = select
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, Value::Str(v)))
            .collect();
        let mut target = vec![
            ("select".to_string(), Value::Map(select)),
            (
                "fieldPaths".to_string(),
                Value::Seq(vec![Value::Str(field_path)]),
            ),
        ];
        if let Some(o) = options {
            target.push(("options".to_string(), o));
        }
        Ok(Value::Map(target))
    }
}

fn set(entries: &mut Vec<(String, String)>, key: &str, value: String) {
    match entries.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key.to_string(), value)),
    }
}

/// The value of a Go struct field a JSON key names (exact, else ignoring
/// case, as Go's decoder matches).
fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let Value::Map(entries) = v else {
        return None;
    };
    let exact = entries.iter().rev().find(|(k, _)| k == key);
    exact
        .or_else(|| {
            entries
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
        })
        .map(|(_, v)| v)
}

/// A string field's text ("" when absent or not a string).
fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The replacement source a var names (kustomize's `copySourceFromVars`:
/// the group and version come from `objref.apiVersion` alone).
fn source(var: &Value) -> Value {
    let objref = field(var, "objref");
    let get = |k: &str| text(objref.and_then(|o| field(o, k)));
    let api_version = get("apiVersion");
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version),
    };
    let field_path = text(field(var, "fieldref").and_then(|f| field(f, "fieldPath")));
    let entries = [
        ("group", group),
        ("version", version),
        ("kind", get("kind")),
        ("name", get("name")),
        ("namespace", get("namespace")),
        ("fieldPath", field_path),
    ];
    Value::Map(
        entries
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), Value::Str(v)))
            .collect(),
    )
}

/// The `resources` and path-bearing `patches` of a resource directory's
/// kustomization, read as kustomize reads it there (`yaml.Unmarshal` into
/// its Go type: unknown fields ignored, wrong types an error, no fixes).
fn sub_kustomization(text: &str) -> Result<(Vec<String>, Vec<Value>), String> {
    let cst = Cst::parse(text).map_err(|e| format!("yaml: line {}: {}", e.line, e.message))?;
    let Some(root) = &cst.root else {
        return Ok((Vec::new(), Vec::new()));
    };
    let v = value::decode(&cst, root, &mut HashMap::new()).map_err(|e| e.to_string())?;
    let kind_error = |what: &str, field: &str| {
        format!("json: cannot unmarshal {what} into Go struct field Kustomization.{field}")
    };
    let (resources, patches) = match &v {
        Value::Null => (None, None),
        Value::Map(_) => (field(&v, "resources"), field(&v, "patches")),
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type types.Kustomization",
                other.json_kind()
            ));
        }
    };
    let resources = match resources {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Seq(items)) => items
            .iter()
            .map(|i| match i {
                Value::Str(s) => Ok(s.clone()),
                Value::Null => Ok(String::new()),
                other => Err(kind_error(other.json_kind(), "resources")),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(kind_error(other.json_kind(), "resources")),
    };
    let patches = match patches {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Seq(items)) => {
            for i in items {
                match field(i, "path") {
                    None | Some(Value::Null | Value::Str(_)) => {}
                    Some(other) => return Err(kind_error(other.json_kind(), "patches.path")),
                }
            }
            items.clone()
        }
        Some(other) => return Err(kind_error(other.json_kind(), "patches")),
    };
    Ok((resources, patches))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit_tree(
        files: &[(&str, &str)],
    ) -> (tempfile::TempDir, Result<Outcome, crate::file::EditError>) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let d = dir.path().to_path_buf();
        let r = crate::file::edit(dir.path(), |k| vars_to_replacements(k, &d));
        (dir, r)
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n    args: [\"--to=$(SVC)\"] # $(SVC) here too\n";

    #[test]
    fn existing_replacements_are_kept_and_resources_rewritten() {
        let (dir, r) = edit_tree(&[
            (
                "kustomization.yaml",
                "resources:\n- pod.yaml\nreplacements:\n- path: r.yaml # mine\nvars:\n- name: SVC\n  objref: {apiVersion: v1, kind: Service, name: web}\n",
            ),
            ("pod.yaml", POD),
        ]);
        r.expect("edit");
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).expect("read");
        assert_eq!(
            read("kustomization.yaml"),
            "resources:\n- pod.yaml\nreplacements:\n- path: r.yaml # mine\n- source:\n    kind: Service\n    name: web\n    version: v1\n  targets:\n  - fieldPaths:\n    - spec.containers.0.args.0\n    options:\n      delimiter: =\n      index: 1\n    select:\n      kind: Pod\n      name: p\n      version: v1\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        );
        // Text replaced throughout, comments included, as kustomize does.
        assert!(
            read("pod.yaml")
                .ends_with("args: [\"--to=SVC_PLACEHOLDER\"] # SVC_PLACEHOLDER here too\n")
        );
    }

    #[test]
    fn a_failed_conversion_changes_nothing() {
        let kust = "resources:\n- pod.yaml\n- bad.yaml\nvars:\n- name: SVC\n  objref: {apiVersion: v1, kind: Service, name: web}\n";
        let bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  url: http://$(SVC):80\n";
        let (dir, r) = edit_tree(&[
            ("kustomization.yaml", kust),
            ("pod.yaml", POD),
            ("bad.yaml", bad),
        ]);
        let e = r.expect_err("not delimited");
        assert_eq!(
            e.to_string(),
            "error with bad.yaml: cannot convert all vars to replacements; $(SVC) is not delimited"
        );
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).expect("read");
        assert_eq!(read("kustomization.yaml"), kust);
        assert_eq!(read("pod.yaml"), POD);
    }

    #[test]
    fn resource_files_are_written_through_symlinks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).expect("mkdir");
        std::fs::write(shared.join("pod.yaml"), POD).expect("write");
        let app = dir.path().join("app");
        std::fs::create_dir(&app).expect("mkdir");
        std::os::unix::fs::symlink(shared.join("pod.yaml"), app.join("pod.yaml")).expect("symlink");
        std::fs::write(
            app.join("kustomization.yaml"),
            "resources:\n- pod.yaml\nvars:\n- name: SVC\n  objref: {apiVersion: v1, kind: Service, name: web}\n",
        )
        .expect("write");
        crate::file::edit(&app, |k| vars_to_replacements(k, &app)).expect("edit");
        assert!(
            std::fs::symlink_metadata(app.join("pod.yaml"))
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        let text = std::fs::read_to_string(shared.join("pod.yaml")).expect("read");
        assert!(text.contains("--to=SVC_PLACEHOLDER"), "{text}");
    }
}
