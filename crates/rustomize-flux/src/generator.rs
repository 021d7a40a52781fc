//! The kustomization file kustomize-controller builds (fluxcd/pkg
//! `kustomize.Generator`).
//!
//! When `spec.path` holds a kustomization file (`kustomization.yaml`,
//! `kustomization.yml` or `Kustomization`), Flux reads it into kustomize's
//! Go type, which drops fields it does not know ([`crate::kustomize_type`]),
//! and writes it back over
//! the same file. Otherwise it generates `kustomization.yaml` listing, in
//! lexical order, every `.yaml`/`.yml` file below the directory, and every
//! subdirectory that holds a kustomization file (without descending into
//! it); a directory with neither gets `namespace: _placeholder` and no
//! resources. Then the Kustomization's overrides are applied: namespace
//! (`targetNamespace`), name prefix and suffix, patches appended,
//! components appended (each must be a local relative path; missing ones
//! skipped under `ignoreMissingComponents`), images merged by name (a new
//! tag or digest replaces both), `buildMetadata`. An existing file without
//! resources gets `buildMetadata: [originAnnotations]`, which Flux sets to
//! avoid kustomize's "kustomization.yaml is empty" error (so every object it
//! builds carries a `config.kubernetes.io/origin` annotation).

use crate::artifact::ArtifactFs;
use crate::error::Error;
use crate::kustomization::{Kustomization, Selector};
use rustomize_loader::{FileKind, FileSystem};
use rustomize_yaml::{Map, Node};
use std::path::{Path, PathBuf};

/// kustomize's kustomization file names, in the order it looks for them.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization Flux builds for a directory.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Where it goes: the existing kustomization file, or
    /// `kustomization.yaml` in the directory.
    pub path: PathBuf,
    /// Its YAML text.
    pub yaml: String,
    /// Whether the directory had no kustomization file.
    pub created: bool,
}

/// The kustomization Flux builds for `dir` (an absolute directory of
/// `fs`), with the Kustomization's overrides.
pub fn generate(fs: &ArtifactFs, dir: &Path, k: &Kustomization) -> Result<Generated, Error> {
    let (mut doc, path, created) = match find_kustomization(fs, dir) {
        Some(path) => {
            let doc = read_existing(fs, &path)?;
            (doc, path, false)
        }
        None => (scan(fs, dir)?, dir.join(KUSTOMIZATION_FILES[0]), true),
    };
    let gen_err = |message: String| Error::Generate {
        path: path.clone(),
        message,
    };
    let map = doc
        .as_map_mut()
        .ok_or_else(|| gen_err("not a mapping".to_string()))?;
    if !created && seq_is_empty(map.get("resources")) {
        map.insert(
            "buildMetadata",
            Node::seq(vec![Node::string("originAnnotations")]),
        );
    }
    if !k.target_namespace.is_empty() {
        map.insert("namespace", Node::string(&k.target_namespace));
    }
    if !k.name_prefix.is_empty() {
        map.insert("namePrefix", Node::string(&k.name_prefix));
    }
    if !k.name_suffix.is_empty() {
        map.insert("nameSuffix", Node::string(&k.name_suffix));
    }
    for p in &k.patches {
        let mut entry = Map::new();
        if !p.patch.is_empty() {
            entry.insert("patch", Node::string(&p.patch));
        }
        if let Some(t) = &p.target {
            entry.insert("target", selector(t));
        }
        push(map, "patches", Node::Map(entry)).map_err(gen_err)?;
    }
    for c in &k.components {
        if !is_local_relative_path(c) {
            return Err(gen_err(format!(
                "component path '{c}' must be local and relative"
            )));
        }
        if k.ignore_missing_components && fs.kind(&dir.join(c)).is_err() {
            continue;
        }
        push(map, "components", Node::string(c)).map_err(gen_err)?;
    }
    for p in &k.patches_strategic_merge {
        push(map, "patchesStrategicMerge", Node::string(p)).map_err(gen_err)?;
    }
    for p in &k.patches_json6902 {
        let mut entry = Map::new();
        entry.insert("patch", Node::string(&p.patch_json));
        entry.insert("target", selector(&p.target));
        push(map, "patchesJson6902", Node::Map(entry)).map_err(gen_err)?;
    }
    merge_images(map, k).map_err(gen_err)?;
    if !k.build_metadata.is_empty() {
        map.insert(
            "buildMetadata",
            Node::seq(k.build_metadata.iter().map(Node::string).collect()),
        );
    }
    let yaml = rustomize_yaml::emit::to_string(&doc).map_err(|e| Error::Generate {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(Generated {
        path,
        yaml,
        created,
    })
}

/// The directory's kustomization file, if it has one.
pub fn find_kustomization(fs: &ArtifactFs, dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| fs.kind(p).is_ok_and(|k| k == FileKind::File))
}

/// An existing kustomization as it comes out of kustomize's Go type:
/// unknown fields dropped at every depth (a key differing only in case is
/// the field's), `apiVersion` and `kind` defaulted, an empty file an empty
/// kustomization.
fn read_existing(fs: &ArtifactFs, path: &Path) -> Result<Node, Error> {
    let bytes = fs.read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let doc = rustomize_yaml::parse::parse_one_last_key_wins(&text).map_err(|e| Error::Yaml {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut map = match doc {
        Node::Map(m) => m,
        n if n.is_null() => Map::new(),
        other => {
            return Err(Error::Generate {
                path: path.to_path_buf(),
                message: format!(
                    "cannot unmarshal a {} into a kustomization",
                    other.kind_name()
                ),
            });
        }
    };
    let mut kept = Map::new();
    kept.insert(
        "apiVersion",
        Node::string("kustomize.config.k8s.io/v1beta1"),
    );
    kept.insert("kind", Node::string("Kustomization"));
    let mut stripped =
        crate::kustomize_type::strip(std::mem::take(&mut map)).map_err(|message| {
            Error::Generate {
                path: path.to_path_buf(),
                message,
            }
        })?;
    for e in std::mem::take(&mut stripped.entries) {
        // `omitempty` everywhere: null, "", [] and {} leave the field
        // out (and a null apiVersion or kind leaves the default).
        let empty = match &e.value {
            Node::Scalar(s) => {
                s.is_null() || (s.tag == rustomize_yaml::Tag::Str && s.value.is_empty())
            }
            Node::Seq(s) => s.items.is_empty(),
            Node::Map(m) => m.is_empty(),
        };
        if !empty {
            kept.insert(e.key.value, e.value);
        } else if !e.value.is_null() {
            kept.remove(&e.key.value);
        }
    }
    Ok(Node::Map(kept))
}

/// Whether a kustomization field holds no items.
fn seq_is_empty(node: Option<&Node>) -> bool {
    match node {
        None => true,
        Some(n) if n.is_null() => true,
        Some(Node::Seq(s)) => s.items.is_empty(),
        Some(_) => false,
    }
}

/// The generated kustomization of a directory without one.
fn scan(fs: &ArtifactFs, dir: &Path) -> Result<Node, Error> {
    let mut resources = Vec::new();
    walk(fs, dir, dir, &mut resources)?;
    let mut map = Map::new();
    map.insert(
        "apiVersion",
        Node::string("kustomize.config.k8s.io/v1beta1"),
    );
    map.insert("kind", Node::string("Kustomization"));
    if resources.is_empty() {
        map.insert("namespace", Node::string("_placeholder"));
    } else {
        map.insert(
            "resources",
            Node::seq(resources.into_iter().map(Node::string).collect()),
        );
    }
    Ok(Node::Map(map))
}

/// `filepath.Walk` below `base`, in lexical order.
fn walk(fs: &ArtifactFs, base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
    let names = fs.read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for name in names {
        let path = dir.join(&name);
        let rel = || {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            format!("./{}", rel.to_string_lossy())
        };
        match fs.kind(&path) {
            Ok(FileKind::Dir) => {
                if find_kustomization(fs, &path).is_some() {
                    out.push(rel());
                } else {
                    walk(fs, base, &path, out)?;
                }
            }
            Ok(FileKind::File) => {
                if matches!(
                    Path::new(&name).extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                ) {
                    out.push(rel());
                }
            }
            Err(_) => {}
        }
    }
    Ok(())
}

fn selector(t: &Selector) -> Node {
    let mut m = Map::new();
    for (key, value) in [
        ("group", &t.group),
        ("version", &t.version),
        ("kind", &t.kind),
        ("name", &t.name),
        ("namespace", &t.namespace),
        ("labelSelector", &t.label_selector),
        ("annotationSelector", &t.annotation_selector),
    ] {
        if !value.is_empty() {
            m.insert(key, Node::string(value));
        }
    }
    Node::Map(m)
}

/// Appends to a list field, creating it.
fn push(map: &mut Map, field: &str, item: Node) -> Result<(), String> {
    let slot = map.get_or_insert_with(field, || Node::seq(Vec::new()));
    if slot.is_null() {
        *slot = Node::seq(Vec::new());
    }
    match slot.as_seq_mut() {
        Some(items) => {
            items.push(item);
            Ok(())
        }
        None => Err(format!(
            "{field}: expected a list, found a {}",
            slot.kind_name()
        )),
    }
}

/// Flux's images: an entry of the same name gets the new name, and a new
/// tag or digest replaces both; other images are appended.
fn merge_images(map: &mut Map, k: &Kustomization) -> Result<(), String> {
    for image in &k.images {
        let existing = match map.get_mut("images").and_then(Node::as_seq_mut) {
            Some(items) => items
                .iter_mut()
                .find(|i| i.str_at(&["name"]) == Some(image.name.as_str())),
            None => None,
        };
        match existing.and_then(Node::as_map_mut) {
            Some(entry) => {
                if !image.new_name.is_empty() {
                    entry.insert("newName", Node::string(&image.new_name));
                }
                if !image.new_tag.is_empty() || !image.digest.is_empty() {
                    set_or_remove(entry, "newTag", &image.new_tag);
                    set_or_remove(entry, "digest", &image.digest);
                }
            }
            None => {
                let mut entry = Map::new();
                entry.insert("name", Node::string(&image.name));
                for (key, value) in [
                    ("newName", &image.new_name),
                    ("newTag", &image.new_tag),
                    ("digest", &image.digest),
                ] {
                    if !value.is_empty() {
                        entry.insert(key, Node::string(value));
                    }
                }
                push(map, "images", Node::Map(entry))?;
            }
        }
    }
    Ok(())
}

fn set_or_remove(map: &mut Map, key: &str, value: &str) {
    if value.is_empty() {
        map.remove(key);
    } else {
        map.insert(key, Node::string(value));
    }
}

/// Flux's `IsLocalRelativePath`: no URL or git prefix, not absolute.
pub fn is_local_relative_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    for p in [
        "git::",
        "gh:",
        "ssh://",
        "https://",
        "http://",
        "git@",
        "github.com:",
        "github.com/",
    ] {
        if p.len() < path.len() && lower.starts_with(p) {
            return false;
        }
    }
    !(path.starts_with('/') || lower.trim_start_matches("file://").starts_with('/'))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests write their trees on disk
mod tests {
    use super::*;
    use crate::sourceignore::Matcher;
    use indoc::indoc;

    fn ks(spec: &str) -> Kustomization {
        let text = format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: a}}\nspec:\n{}",
            spec.lines().map(|l| format!("  {l}\n")).collect::<String>()
        );
        Kustomization::from_text(&text, Path::new("ks.yaml"), None).expect("kustomization")
    }

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
    }

    fn generated(files: &[(&str, &str)], dir: &str, k: &Kustomization) -> Result<Generated, Error> {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), files);
        let fs =
            ArtifactFs::new(tmp.path(), Matcher::artifact(Vec::new()), Vec::new()).expect("root");
        let dir = fs.secure_join(dir);
        generate(&fs, &dir, k)
    }

    #[test]
    fn generates_a_kustomization_listing_files_and_kustomized_dirs() {
        let g = generated(
            &[
                ("app/b.yaml", "x"),
                ("app/a.yml", "x"),
                ("app/notes.txt", "x"),
                ("app/sub/c.yaml", "x"),
                ("app/base/kustomization.yaml", "resources: []"),
                ("app/base/d.yaml", "x"),
            ],
            "app",
            &ks("path: app\n"),
        )
        .expect("generates");
        assert!(g.created);
        assert_eq!(
            g.yaml,
            indoc! {"
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                - ./a.yml
                - ./b.yaml
                - ./base
                - ./sub/c.yaml
            "}
        );
    }

    #[test]
    fn an_empty_directory_gets_a_placeholder_namespace() {
        let g = generated(&[("app/README.md", "x")], "app", &ks("path: app\n")).expect("ok");
        assert!(g.yaml.contains("namespace: _placeholder"), "{}", g.yaml);
    }

    #[test]
    fn applies_the_overrides_to_an_existing_kustomization() {
        let k = ks(indoc! {"
            targetNamespace: prod
            namePrefix: p-
            images: [{name: nginx, newTag: '1.27'}, {name: redis, newName: valkey}]
            patches: [{patch: 'x', target: {kind: Deployment}}]
            components: [../comp]
        "});
        let g = generated(
            &[(
                "app/kustomization.yml",
                "resources: [d.yaml]\nimages: [{name: nginx, newTag: '1.0', digest: 'sha256:0'}]\nunknownField: 1\n",
            )],
            "app",
            &k,
        )
        .expect("ok");
        assert!(!g.created);
        assert!(g.path.ends_with("app/kustomization.yml"));
        assert_eq!(
            g.yaml,
            indoc! {r#"
                apiVersion: kustomize.config.k8s.io/v1beta1
                components:
                - ../comp
                images:
                - name: nginx
                  newTag: "1.27"
                - name: redis
                  newName: valkey
                kind: Kustomization
                namePrefix: p-
                namespace: prod
                patches:
                - patch: x
                  target:
                    kind: Deployment
                resources:
                - d.yaml
            "#}
        );
    }

    #[test]
    fn a_kustomization_without_resources_gets_origin_annotations() {
        let g = generated(
            &[("app/kustomization.yaml", "components: [../c]\n")],
            "app",
            &ks("path: app\n"),
        )
        .expect("ok");
        assert!(
            g.yaml.contains("buildMetadata:\n- originAnnotations\n"),
            "{}",
            g.yaml
        );
    }

    #[test]
    fn components_must_be_local_and_missing_ones_may_be_skipped() {
        let remote = ks("components: [https://github.com/org/repo//c]\n");
        assert!(generated(&[("app/a.yaml", "x")], "app", &remote).is_err());
        let skip = ks("components: [missing, there]\nignoreMissingComponents: true\n");
        let g = generated(
            &[("app/a.yaml", "x"), ("app/there/k.yaml", "x")],
            "app",
            &skip,
        )
        .expect("ok");
        assert!(g.yaml.contains("components:\n- there\n"), "{}", g.yaml);
    }

    #[test]
    fn local_relative_paths_are_flux_s() {
        for (p, want) in [
            ("../c", true),
            ("c", true),
            ("/abs", false),
            ("file:///abs", false),
            ("https://example.com/x", false),
            ("github.com/org/repo", false),
            ("git@github.com:org/repo", false),
        ] {
            assert_eq!(is_local_relative_path(p), want, "{p}");
        }
    }
}
