//! The Flux `Kustomization` object (`kustomize.toolkit.fluxcd.io/v1`, and
//! `v1beta2` as the controllers that served it read it), as the controller
//! sees it after its typed API: empty strings and `false` are absent
//! (`omitempty`), fields of the other version are ignored, and a value of
//! the wrong type is an error (the API server would have refused it).

use crate::error::Error;
use rustomize_loader::FileSystem as _;
use rustomize_yaml::{Node, Tag};
use std::path::{Path, PathBuf};

/// The API group of Flux Kustomizations.
pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";

/// The namespace of a Kustomization whose file names none: the flux CLI's
/// default namespace.
pub const DEFAULT_NAMESPACE: &str = "flux-system";

/// Which API version the object was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    /// `kustomize.toolkit.fluxcd.io/v1`.
    V1,
    /// `kustomize.toolkit.fluxcd.io/v1beta2`.
    V1Beta2,
}

/// A resource selector of a patch target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// API group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Name (a regular expression in kustomize).
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Label selector.
    pub label_selector: String,
    /// Annotation selector.
    pub annotation_selector: String,
}

/// `spec.patches[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The patch text (strategic merge or JSON 6902).
    pub patch: String,
    /// What it applies to; `None` lets kustomize take it from the patch.
    pub target: Option<Selector>,
}

/// `spec.patchesJson6902[]` (v1beta2).
#[derive(Clone, Debug, PartialEq)]
pub struct Json6902Patch {
    /// The operations, as JSON text.
    pub patch_json: String,
    /// What they apply to.
    pub target: Selector,
}

/// `spec.images[]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// The image name to match.
    pub name: String,
    /// A new name.
    pub new_name: String,
    /// A new tag.
    pub new_tag: String,
    /// A digest (takes precedence over the tag).
    pub digest: String,
}

/// `spec.postBuild.substituteFrom[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubstituteReference {
    /// `ConfigMap` or `Secret` (other kinds are skipped, as Flux skips them).
    pub kind: String,
    /// The object's name, in the Kustomization's namespace.
    pub name: String,
    /// Whether a missing object is tolerated.
    pub optional: bool,
}

/// `spec.postBuild`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostBuild {
    /// `substituteStrategy: Always` (v1): substitute even with no variables.
    pub always: bool,
    /// `substitute`, in file order.
    pub substitute: Vec<(String, String)>,
    /// `substituteFrom`.
    pub substitute_from: Vec<SubstituteReference>,
}

/// A Flux Kustomization.
#[derive(Clone, Debug, PartialEq)]
pub struct Kustomization {
    /// The file it was read from.
    pub file: PathBuf,
    /// Its API version.
    pub api_version: ApiVersion,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` ([`DEFAULT_NAMESPACE`] when absent).
    pub namespace: String,
    /// `spec.path`, relative to the source's root.
    pub path: String,
    /// `spec.targetNamespace`.
    pub target_namespace: String,
    /// `spec.namePrefix` (v1).
    pub name_prefix: String,
    /// `spec.nameSuffix` (v1).
    pub name_suffix: String,
    /// `spec.patches`.
    pub patches: Vec<Patch>,
    /// `spec.patchesStrategicMerge` (v1beta2), each as JSON text.
    pub patches_strategic_merge: Vec<String>,
    /// `spec.patchesJson6902` (v1beta2).
    pub patches_json6902: Vec<Json6902Patch>,
    /// `spec.images`.
    pub images: Vec<Image>,
    /// `spec.components`.
    pub components: Vec<String>,
    /// `spec.ignoreMissingComponents` (v1).
    pub ignore_missing_components: bool,
    /// `spec.buildMetadata` (v1).
    pub build_metadata: Vec<String>,
    /// Whether `spec.commonMetadata` is set (even empty, it makes Flux
    /// rewrite every object's labels and annotations).
    pub common_metadata: bool,
    /// `spec.commonMetadata.labels`, in file order.
    pub common_labels: Vec<(String, String)>,
    /// `spec.commonMetadata.annotations`, in file order.
    pub common_annotations: Vec<(String, String)>,
    /// `spec.postBuild`; `None` means no substitution at all.
    pub post_build: Option<PostBuild>,
    /// Whether `spec.decryption` is set (rustomize cannot decrypt).
    pub decryption: bool,
}

impl Kustomization {
    /// Reads the Kustomization from `file`: the only one in it, or the one
    /// called `name`.
    pub fn from_file(file: &Path, name: Option<&str>) -> Result<Self, Error> {
        let text = rustomize_loader::DiskFs
            .read(file)
            .and_then(|b| {
                String::from_utf8(b)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })
            .map_err(|source| Error::Io {
                path: file.to_path_buf(),
                source,
            })?;
        Self::from_text(&text, file, name)
    }

    /// Reads the Kustomization from YAML text read from `file`.
    pub fn from_text(text: &str, file: &Path, name: Option<&str>) -> Result<Self, Error> {
        let docs = rustomize_yaml::parse_documents(text).map_err(|e| Error::Yaml {
            path: file.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut found = Vec::new();
        for doc in docs {
            if doc.is_null() {
                continue;
            }
            // The controller's decoder reads YAML as yaml.v2 does.
            let doc = crate::roundtrip::json_value(&doc).map_err(|e| Error::Yaml {
                path: file.to_path_buf(),
                message: e.to_string(),
            })?;
            let api = doc.str_at(&["apiVersion"]).unwrap_or_default();
            if !api.starts_with(&format!("{GROUP}/"))
                || doc.str_at(&["kind"]) != Some("Kustomization")
            {
                continue;
            }
            let doc_name = doc.str_at(&["metadata", "name"]).unwrap_or_default();
            if name.is_none_or(|n| n == doc_name) {
                found.push(doc);
            }
        }
        match found.len() {
            1 => {
                let doc = found.remove(0);
                Self::from_node(&doc, file)
            }
            0 => Err(Error::NoKustomization {
                path: file.to_path_buf(),
                name: name.map(str::to_string),
            }),
            _ => Err(Error::SeveralKustomizations {
                path: file.to_path_buf(),
                names: found
                    .iter()
                    .map(|d| {
                        d.str_at(&["metadata", "name"])
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect(),
            }),
        }
    }

    fn from_node(doc: &Node, file: &Path) -> Result<Self, Error> {
        let r = Reader { file };
        let api_version = match doc.str_at(&["apiVersion"]).unwrap_or_default() {
            v if v == format!("{GROUP}/v1") => ApiVersion::V1,
            v if v == format!("{GROUP}/v1beta2") => ApiVersion::V1Beta2,
            other => {
                return Err(Error::UnsupportedVersion {
                    path: file.to_path_buf(),
                    api_version: other.to_string(),
                });
            }
        };
        let v1 = api_version == ApiVersion::V1;
        let meta = doc.get("metadata");
        let empty = Node::map();
        let spec = doc.get("spec").unwrap_or(&empty);
        r.expect_map(spec, "spec")?;
        let namespace = r.string(meta.and_then(|m| m.get("namespace")), "metadata.namespace")?;
        let mut k = Kustomization {
            file: file.to_path_buf(),
            api_version,
            name: r.string(meta.and_then(|m| m.get("name")), "metadata.name")?,
            namespace: if namespace.is_empty() {
                DEFAULT_NAMESPACE.to_string()
            } else {
                namespace
            },
            path: r.string(spec.get("path"), "spec.path")?,
            target_namespace: r.string(spec.get("targetNamespace"), "spec.targetNamespace")?,
            name_prefix: if v1 {
                r.string(spec.get("namePrefix"), "spec.namePrefix")?
            } else {
                String::new()
            },
            name_suffix: if v1 {
                r.string(spec.get("nameSuffix"), "spec.nameSuffix")?
            } else {
                String::new()
            },
            patches: Vec::new(),
            patches_strategic_merge: Vec::new(),
            patches_json6902: Vec::new(),
            images: Vec::new(),
            components: r.strings(spec.get("components"), "spec.components")?,
            ignore_missing_components: v1
                && r.boolean(
                    spec.get("ignoreMissingComponents"),
                    "spec.ignoreMissingComponents",
                )?,
            build_metadata: if v1 {
                r.strings(spec.get("buildMetadata"), "spec.buildMetadata")?
            } else {
                Vec::new()
            },
            common_metadata: false,
            common_labels: Vec::new(),
            common_annotations: Vec::new(),
            post_build: None,
            decryption: spec.get("decryption").is_some_and(|d| !d.is_null()),
        };
        for (i, p) in r
            .items(spec.get("patches"), "spec.patches")?
            .iter()
            .enumerate()
        {
            let field = format!("spec.patches[{i}]");
            r.expect_map(p, &field)?;
            k.patches.push(Patch {
                patch: r.string(p.get("patch"), &format!("{field}.patch"))?,
                target: match p.get("target") {
                    Some(t) if !t.is_null() => Some(r.selector(t, &format!("{field}.target"))?),
                    _ => None,
                },
            });
        }
        if !v1 {
            for (i, p) in r
                .items(
                    spec.get("patchesStrategicMerge"),
                    "spec.patchesStrategicMerge",
                )?
                .iter()
                .enumerate()
            {
                r.expect_map(p, &format!("spec.patchesStrategicMerge[{i}]"))?;
                k.patches_strategic_merge.push(json(p));
            }
            for (i, p) in r
                .items(spec.get("patchesJson6902"), "spec.patchesJson6902")?
                .iter()
                .enumerate()
            {
                let field = format!("spec.patchesJson6902[{i}]");
                r.expect_map(p, &field)?;
                let ops = r.items(p.get("patch"), &format!("{field}.patch"))?;
                k.patches_json6902.push(Json6902Patch {
                    patch_json: json(&Node::seq(ops.to_vec())),
                    target: match p.get("target") {
                        Some(t) if !t.is_null() => r.selector(t, &format!("{field}.target"))?,
                        _ => Selector::default(),
                    },
                });
            }
        }
        for (i, img) in r
            .items(spec.get("images"), "spec.images")?
            .iter()
            .enumerate()
        {
            let field = format!("spec.images[{i}]");
            r.expect_map(img, &field)?;
            k.images.push(Image {
                name: r.string(img.get("name"), &format!("{field}.name"))?,
                new_name: r.string(img.get("newName"), &format!("{field}.newName"))?,
                new_tag: r.string(img.get("newTag"), &format!("{field}.newTag"))?,
                digest: r.string(img.get("digest"), &format!("{field}.digest"))?,
            });
        }
        if let Some(cm) = spec.get("commonMetadata").filter(|n| !n.is_null()) {
            r.expect_map(cm, "spec.commonMetadata")?;
            k.common_metadata = true;
            k.common_labels = r.string_map(cm.get("labels"), "spec.commonMetadata.labels")?;
            k.common_annotations =
                r.string_map(cm.get("annotations"), "spec.commonMetadata.annotations")?;
        }
        if let Some(pb) = spec.get("postBuild").filter(|n| !n.is_null()) {
            r.expect_map(pb, "spec.postBuild")?;
            let strategy = r.string(
                pb.get("substituteStrategy"),
                "spec.postBuild.substituteStrategy",
            )?;
            let mut post = PostBuild {
                always: v1 && strategy == "Always",
                substitute: r.string_map(pb.get("substitute"), "spec.postBuild.substitute")?,
                substitute_from: Vec::new(),
            };
            for (i, s) in r
                .items(pb.get("substituteFrom"), "spec.postBuild.substituteFrom")?
                .iter()
                .enumerate()
            {
                let field = format!("spec.postBuild.substituteFrom[{i}]");
                r.expect_map(s, &field)?;
                post.substitute_from.push(SubstituteReference {
                    kind: r.string(s.get("kind"), &format!("{field}.kind"))?,
                    name: r.string(s.get("name"), &format!("{field}.name"))?,
                    optional: r.boolean(s.get("optional"), &format!("{field}.optional"))?,
                });
            }
            k.post_build = Some(post);
        }
        Ok(k)
    }

    /// Adds `NAME=VALUE` pairs to `spec.postBuild.substitute` (creating
    /// `spec.postBuild`), replacing entries of the same name: how
    /// `--var` is defined.
    pub fn add_vars(&mut self, vars: &[(String, String)]) {
        if vars.is_empty() {
            return;
        }
        let post = self.post_build.get_or_insert_with(PostBuild::default);
        for (name, value) in vars {
            match post.substitute.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value.clone(),
                None => post.substitute.push((name.clone(), value.clone())),
            }
        }
    }
}

/// Go-exact JSON text of a node.
fn json(node: &Node) -> String {
    rustomize_yaml::json::to_string(node).unwrap_or_default()
}

/// Typed field access with errors that name the file and field.
struct Reader<'a> {
    file: &'a Path,
}

impl Reader<'_> {
    fn wrong(&self, field: &str, want: &str, got: &Node) -> Error {
        Error::Field {
            path: self.file.to_path_buf(),
            field: field.to_string(),
            message: format!("expected {want}, found {}", describe(got)),
        }
    }

    fn expect_map(&self, node: &Node, field: &str) -> Result<(), Error> {
        match node {
            Node::Map(_) => Ok(()),
            other => Err(self.wrong(field, "a mapping", other)),
        }
    }

    fn string(&self, node: Option<&Node>, field: &str) -> Result<String, Error> {
        match node {
            None => Ok(String::new()),
            Some(n) if n.is_null() => Ok(String::new()),
            Some(Node::Scalar(s)) if s.tag == Tag::Str => Ok(s.value.to_string()),
            Some(other) => Err(self.wrong(field, "a string", other)),
        }
    }

    fn boolean(&self, node: Option<&Node>, field: &str) -> Result<bool, Error> {
        match node {
            None => Ok(false),
            Some(n) if n.is_null() => Ok(false),
            Some(Node::Scalar(s)) if s.tag == Tag::Bool => Ok(s.value == "true"),
            Some(other) => Err(self.wrong(field, "a boolean", other)),
        }
    }

    fn items<'n>(&self, node: Option<&'n Node>, field: &str) -> Result<&'n [Node], Error> {
        match node {
            None => Ok(&[]),
            Some(n) if n.is_null() => Ok(&[]),
            Some(Node::Seq(s)) => Ok(&s.items),
            Some(other) => Err(self.wrong(field, "a list", other)),
        }
    }

    fn strings(&self, node: Option<&Node>, field: &str) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for (i, item) in self.items(node, field)?.iter().enumerate() {
            out.push(self.string(Some(item), &format!("{field}[{i}]"))?);
        }
        Ok(out)
    }

    fn string_map(&self, node: Option<&Node>, field: &str) -> Result<Vec<(String, String)>, Error> {
        match node {
            None => Ok(Vec::new()),
            Some(n) if n.is_null() => Ok(Vec::new()),
            Some(Node::Map(m)) => m
                .entries
                .iter()
                .map(|e| {
                    let f = format!("{field}.{}", e.key.value);
                    Ok((e.key.value.to_string(), self.string(Some(&e.value), &f)?))
                })
                .collect(),
            Some(other) => Err(self.wrong(field, "a mapping", other)),
        }
    }

    fn selector(&self, node: &Node, field: &str) -> Result<Selector, Error> {
        self.expect_map(node, field)?;
        let s = |key: &str| self.string(node.get(key), &format!("{field}.{key}"));
        Ok(Selector {
            group: s("group")?,
            version: s("version")?,
            kind: s("kind")?,
            name: s("name")?,
            namespace: s("namespace")?,
            label_selector: s("labelSelector")?,
            annotation_selector: s("annotationSelector")?,
        })
    }
}

fn describe(node: &Node) -> String {
    match node {
        Node::Scalar(s) => match s.tag {
            Tag::Null => "null".into(),
            Tag::Bool => format!("the boolean {}", s.value),
            Tag::Int | Tag::Float => format!("the number {}", s.value),
            _ => format!("the string {:?}", s.value),
        },
        Node::Seq(_) => "a list".into(),
        Node::Map(_) => "a mapping".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn read(text: &str, name: Option<&str>) -> Result<Kustomization, Error> {
        Kustomization::from_text(text, Path::new("ks.yaml"), name)
    }

    #[test]
    fn reads_every_field_flux_uses() {
        let k = read(
            indoc! {r#"
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps}
                spec:
                  path: ./apps/staging
                  targetNamespace: podinfo
                  namePrefix: ""
                  patches:
                    - patch: "- {op: add, path: /x, value: 1}"
                      target: {kind: Deployment, labelSelector: "app=a"}
                  images: [{name: nginx, newTag: "1.2"}]
                  components: [../c]
                  ignoreMissingComponents: true
                  commonMetadata: {labels: {team: a}}
                  postBuild:
                    substituteStrategy: Always
                    substitute: {ENV: staging}
                    substituteFrom: [{kind: ConfigMap, name: vars, optional: true}]
            "#},
            None,
        )
        .expect("reads");
        assert_eq!(k.namespace, DEFAULT_NAMESPACE);
        assert_eq!(k.path, "./apps/staging");
        assert_eq!(k.name_prefix, "");
        assert_eq!(
            k.patches[0].target.as_ref().map(|t| t.kind.as_str()),
            Some("Deployment")
        );
        assert_eq!(k.images[0].new_tag, "1.2");
        assert!(k.ignore_missing_components);
        assert_eq!(k.common_labels, vec![("team".to_string(), "a".to_string())]);
        let post = k.post_build.expect("postBuild");
        assert!(post.always);
        assert_eq!(post.substitute_from[0].name, "vars");
        assert!(post.substitute_from[0].optional);
    }

    #[test]
    fn picks_the_named_kustomization_and_reports_ambiguity() {
        let two = indoc! {"
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x}
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: b, namespace: apps}
        "};
        assert_eq!(read(two, Some("b")).expect("b").namespace, "apps");
        assert!(matches!(
            read(two, None),
            Err(Error::SeveralKustomizations { .. })
        ));
        assert!(matches!(
            read(two, Some("c")),
            Err(Error::NoKustomization { .. })
        ));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let bad = indoc! {"
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: a}
            spec:
              postBuild:
                substitute: {VERSION: 1.0}
        "};
        let err = read(bad, None)
            .expect_err("a number is not a string")
            .to_string();
        assert!(err.contains("spec.postBuild.substitute.VERSION"), "{err}");
    }

    #[test]
    fn v1beta2_keeps_its_own_fields_only() {
        let k = read(
            indoc! {"
                apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
                kind: Kustomization
                metadata: {name: a}
                spec:
                  buildMetadata: [originAnnotations]
                  patchesStrategicMerge:
                    - {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: b}}
                  patchesJson6902:
                    - target: {kind: ConfigMap, name: x}
                      patch: [{op: add, path: /data/c, value: d}]
                  postBuild: {substituteStrategy: Always}
            "},
            None,
        )
        .expect("reads");
        assert!(k.build_metadata.is_empty());
        assert!(!k.post_build.expect("postBuild").always);
        assert!(k.patches_strategic_merge[0].contains("\"ConfigMap\""));
        assert!(k.patches_json6902[0].patch_json.starts_with("[{"));
    }
}
