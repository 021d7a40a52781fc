//! The image transformer (kustomize's `ImageTagTransformer` builtin and
//! `api/filters/imagetag`): changes the name, tag or digest of matching
//! container images.
//!
//! kustomize runs two passes over every resource except
//! `CustomResourceDefinition`s, and so does this:
//! 1. the legacy pass: every `containers` or `initContainers` sequence
//!    anywhere in the object (each of its items must be a mapping), the
//!    `image` field of each item;
//! 2. the field spec pass: every `image` field the field specs find
//!    (`images` table by default). Fields are never created, but a null
//!    sequence on a spec's path (`containers:` with nothing) becomes `[]`.
//!
//! An image matches when it is the configured name (a regular expression,
//! as kustomize builds one from it) followed by an optional `:tag` and an
//! optional `@sha256:digest`. Both passes see the same fields of pods and
//! pod templates, so a `tagSuffix` is added twice there, as kustomize does.

use super::config::{SplitSpecs, lenient_string, wrong_kind};
use crate::error::Error;
use crate::model::fieldspec::{self, FieldSpec, TransformerConfig};
use crate::model::kustomization::Image;
use crate::model::resmap::ResMap;
use crate::pattern::DotPattern;
use crate::steps::Transformer;
use regex::Regex;
use rustomize_yaml::Node;
use serde::Deserialize;

/// One `images` entry: which image, and what to change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ImageTag {
    /// The image name to match, without tag or digest (a regular
    /// expression, as in kustomize).
    #[serde(alias = "Name", deserialize_with = "lenient_string")]
    pub name: String,
    /// Replaces the name.
    #[serde(alias = "NewName", deserialize_with = "lenient_string")]
    pub new_name: String,
    /// Appended to the tag when neither `newTag` nor `digest` is given.
    #[serde(alias = "TagSuffix", deserialize_with = "lenient_string")]
    pub tag_suffix: String,
    /// Replaces the tag (and drops a digest unless `digest` is given).
    #[serde(alias = "NewTag", deserialize_with = "lenient_string")]
    pub new_tag: String,
    /// Replaces the digest (and drops the tag unless `newTag` is given).
    #[serde(alias = "Digest", deserialize_with = "lenient_string")]
    pub digest: String,
}

impl From<&Image> for ImageTag {
    fn from(i: &Image) -> Self {
        ImageTag {
            name: i.name.clone(),
            new_name: i.new_name.clone(),
            tag_suffix: i.tag_suffix.clone(),
            new_tag: i.new_tag.clone(),
            digest: i.digest.clone(),
        }
    }
}

/// Changes images (the `ImageTagTransformer` builtin).
///
/// Read from a plugin config with serde:
///
/// ```yaml
/// apiVersion: builtin
/// kind: ImageTagTransformer
/// metadata:
///   name: any
/// imageTag:
///   name: nginx
///   newTag: "1.25"
/// fieldSpecs:
/// - path: spec/template/spec/containers[]/image
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ImageTagTransformer {
    /// The image to change and how.
    #[serde(alias = "ImageTag")]
    pub image_tag: ImageTag,
    /// Fields holding images, besides those the legacy pass finds.
    #[serde(alias = "FieldSpecs")]
    pub field_specs: Vec<FieldSpec>,
}

impl ImageTagTransformer {
    /// A transformer for one image entry.
    pub(crate) fn new(image_tag: ImageTag, field_specs: Vec<FieldSpec>) -> Self {
        ImageTagTransformer {
            image_tag,
            field_specs,
        }
    }

    /// The transformer one entry of a kustomization's `images` makes: the
    /// `images` field specs of the (merged) transformer config.
    pub(crate) fn for_image(image: &Image, tc: &TransformerConfig) -> Self {
        ImageTagTransformer::new(ImageTag::from(image), tc.images.clone())
    }

    /// kustomize's `IsImageMatched` pattern for the configured name.
    fn matcher(&self) -> Result<ImageMatcher, Error> {
        if let Some(name) = DotPattern::new(&self.image_tag.name) {
            return Ok(ImageMatcher::Simple(name));
        }
        let pattern = format!(
            "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
            crate::pattern::go_syntax(&self.image_tag.name)
        );
        Regex::new(&pattern).map(ImageMatcher::Regex).map_err(|e| {
            Error::transformer(format!(
                "image name '{}' is not a valid pattern: {e}",
                self.image_tag.name
            ))
        })
    }

    /// Updates one image field when its value matches.
    fn update(&self, re: &ImageMatcher, node: &mut Node) -> Result<(), Error> {
        let new = match node {
            Node::Scalar(s) => {
                if !re.is_match(&s.value) {
                    return Ok(());
                }
                self.new_image(&s.value)
            }
            other => return Err(wrong_kind("ScalarNode", other)),
        };
        // kyaml's SetScalar: no tag, the node keeps its style.
        fieldspec::set_scalar(node, &new, None)
    }

    /// The image reference after the change.
    fn new_image(&self, image: &str) -> String {
        let t = &self.image_tag;
        let (name, tag, digest) = split_image(image);
        let name = if t.new_name.is_empty() {
            name
        } else {
            &t.new_name
        };
        // A new tag or digest replaces both the old tag and digest.
        let (tag, digest) = if !t.new_tag.is_empty() && !t.digest.is_empty() {
            (t.new_tag.clone(), t.digest.as_str())
        } else if !t.new_tag.is_empty() {
            (t.new_tag.clone(), "")
        } else if !t.digest.is_empty() {
            (String::new(), t.digest.as_str())
        } else if !t.tag_suffix.is_empty() {
            (format!("{tag}{}", t.tag_suffix), "")
        } else {
            (tag.to_string(), digest)
        };
        let mut out = name.to_string();
        if !tag.is_empty() {
            out.push(':');
            out.push_str(&tag);
        }
        if !digest.is_empty() {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// The legacy pass over one object.
    fn legacy(&self, re: &ImageMatcher, node: &mut Node) -> Result<(), Error> {
        match node {
            Node::Map(m) => {
                for e in &mut m.entries {
                    self.legacy(re, &mut e.value)?;
                    if e.key.value != "containers" && e.key.value != "initContainers" {
                        continue;
                    }
                    let Node::Seq(seq) = &mut e.value else {
                        continue;
                    };
                    for item in &mut seq.items {
                        match item {
                            Node::Map(c) => {
                                if let Some(image) = c.get_mut("image") {
                                    self.update(re, image)?;
                                }
                            }
                            n if n.is_null() => {}
                            other => return Err(wrong_kind("MappingNode", other)),
                        }
                    }
                }
                Ok(())
            }
            Node::Seq(seq) => seq
                .items
                .iter_mut()
                .try_for_each(|item| self.legacy(re, item)),
            Node::Scalar(_) => Ok(()),
        }
    }
}

/// Matches image references against a configured name.
enum ImageMatcher {
    /// A name without regex syntax besides `.`, matched directly.
    Simple(DotPattern),
    /// `^name(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`.
    Regex(Regex),
}

impl ImageMatcher {
    fn is_match(&self, image: &str) -> bool {
        match self {
            ImageMatcher::Regex(re) => re.is_match(image),
            ImageMatcher::Simple(name) => {
                let Some(n) = name.match_prefix(image) else {
                    return false;
                };
                // The rest of the regex: an optional `:tag`, an optional
                // `@sha256:digest`, both of the same characters (neither
                // `:` nor `@`, so the split is unambiguous).
                let part = |c: char| c.is_ascii_alphanumeric() || "_.{}-".contains(c);
                let mut rest = &image[n..];
                if let Some(tag) = rest.strip_prefix(':') {
                    rest = tag.trim_start_matches(part);
                }
                if let Some(digest) = rest.strip_prefix("@sha256:") {
                    rest = digest.trim_start_matches(part);
                }
                rest.is_empty()
            }
        }
    }
}

/// Splits an image reference into name, tag and digest (kustomize's
/// `image.Split`): `host:5000/app:1.0@sha256:ab` gives `host:5000/app`,
/// `1.0` and `sha256:ab`. A colon before the first slash is a port.
pub(crate) fn split_image(image: &str) -> (&str, &str, &str) {
    let slash = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[slash..];
    let at = search.find('@').map(|i| i + slash);
    let colon = search.find(':').map(|i| i + slash);
    match (at, colon) {
        (None, None) => (image, "", ""),
        (Some(a), c) if c.is_none_or(|c| a < c) => (&image[..a], "", &image[a + 1..]),
        (Some(a), Some(c)) => (&image[..c], &image[c + 1..a], &image[a + 1..]),
        (None, Some(c)) => (&image[..c], &image[c + 1..], ""),
        // Covered by the guarded arm above.
        (Some(a), None) => (&image[..a], "", &image[a + 1..]),
    }
}

fn is_crd(node: &Node) -> bool {
    node.str_at(&["kind"]) == Some("CustomResourceDefinition")
}

impl Transformer for ImageTagTransformer {
    fn transform(&self, rm: &mut ResMap) -> Result<(), Error> {
        let re = self.matcher()?;
        for r in rm.resources_mut().iter_mut() {
            if !is_crd(&r.node) {
                self.legacy(&re, &mut r.node)?;
            }
        }
        let specs = SplitSpecs::new(&self.field_specs);
        let mut matching = Vec::new();
        for r in rm.resources_mut().iter_mut() {
            if is_crd(&r.node) {
                continue;
            }
            specs.matching(&r.node, &mut matching);
            for &i in &matching {
                specs.apply(i, &mut r.node, None, &mut |n| self.update(&re, n))?;
            }
        }
        if rm.resources().iter().any(|r| r.node.is_nil_or_empty()) {
            rm.retain(|r| !r.node.is_nil_or_empty());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct matcher agrees with kustomize's regex.
    #[test]
    fn simple_names_match_like_the_regex() {
        let names = ["nginx", "ghcr.io/org/app", "localhost:5000/app", "a.b", ""];
        let images = [
            "nginx",
            "nginx:1.25",
            "nginx:1.25@sha256:abc",
            "nginx@sha256:abc",
            "nginx:",
            "nginx:1:2",
            "nginx@sha256:a@sha256:b",
            "nginx@sha1:abc",
            "nginxx",
            "nginx:1/2",
            "nginx:{x}-_.",
            "ghcr.io/org/app:v1",
            "ghcrXio/org/app",
            "localhost:5000/app:2",
            "axb",
            "a.b@sha256:",
            ":1",
            "@sha256:x",
            "",
            "nginx:é",
        ];
        for name in names {
            let t = ImageTagTransformer::new(
                ImageTag {
                    name: name.into(),
                    ..ImageTag::default()
                },
                Vec::new(),
            );
            let simple = t.matcher().unwrap();
            assert!(matches!(simple, ImageMatcher::Simple(_)));
            let re = Regex::new(&format!(
                "^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
            ))
            .unwrap();
            for image in images {
                assert_eq!(simple.is_match(image), re.is_match(image), "{name} {image}");
            }
        }
    }
    use crate::testing::{print, resmap, run};
    use indoc::indoc;

    fn image(name: &str, new_name: &str, new_tag: &str, digest: &str, suffix: &str) -> Image {
        Image {
            name: name.into(),
            new_name: new_name.into(),
            new_tag: new_tag.into(),
            digest: digest.into(),
            tag_suffix: suffix.into(),
        }
    }

    /// A kustomization's `images` with the default specs; kubectl-verified
    /// (the tag suffix lands twice where both passes look).
    #[test]
    fn kustomization_images() {
        let tc = TransformerConfig::default_config();
        let images = [
            image("nginx", "", "", "", "-s"),
            image("localhost:5000/app", "", "2", "", ""),
            image("busybox", "reg.io/busybox", "", "sha256:abc", ""),
            image("redis", "", "v7", "sha256:def", ""),
        ];
        let mut rm = resmap(indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              template:
                spec:
                  containers:
                  - name: a
                    image: nginx:1.0
                  - name: b
                    image: localhost:5000/app
                  - name: c
                    image: localhost:5000/app:1@sha256:xyz
                  - name: d
                    image: busybox:1.2@sha256:old
                  - name: e
                    image: redis
                  - name: f
                    image: nginx
                  - name: g
                    image: docker.io/nginx:1
                  - name: h
                    image: nginxx:1
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: cj
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                      - image: nginx:2
            ---
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: foo
            spec:
              deep:
                containers:
                - image: nginx:3
                initContainers:
                  image: nginx:4
              image: nginx:5
              x:
                - containers:
                  - image: redis:1
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              containers:
              - image: nginx:6
              initContainers:
              - image: nginx:7
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd
            spec:
              containers:
              - image: nginx:8
        "});
        for i in &images {
            ImageTagTransformer::for_image(i, tc)
                .transform(&mut rm)
                .unwrap();
        }
        let want = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              template:
                spec:
                  containers:
                  - image: nginx:1.0-s-s
                    name: a
                  - image: localhost:5000/app:2
                    name: b
                  - image: localhost:5000/app:2
                    name: c
                  - image: reg.io/busybox@sha256:abc
                    name: d
                  - image: redis:v7@sha256:def
                    name: e
                  - image: nginx:-s-s
                    name: f
                  - image: docker.io/nginx:1
                    name: g
                  - image: nginxx:1
                    name: h
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: cj
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                      - image: nginx:2-s
            ---
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: foo
            spec:
              deep:
                containers:
                - image: nginx:3-s
                initContainers:
                  image: nginx:4
              image: nginx:5
              x:
              - containers:
                - image: redis:v7@sha256:def
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              containers:
              - image: nginx:6-s-s
              initContainers:
              - image: nginx:7-s-s
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crd
            spec:
              containers:
              - image: nginx:8
        "};
        assert_eq!(print(&rm), want);
    }

    /// How references split (checked with `newName` on a field only the
    /// legacy pass sees, against kubectl).
    #[test]
    fn splits_references() {
        let cases = [
            ("localhost:5000/app", ("localhost:5000/app", "", "")),
            (
                "localhost:5000/app:1.0@sha256:abc",
                ("localhost:5000/app", "1.0", "sha256:abc"),
            ),
            ("nginx@sha256:abc", ("nginx", "", "sha256:abc")),
            ("nginx:1@sha256:abc", ("nginx", "1", "sha256:abc")),
            ("a/b:c/d", ("a/b", "c/d", "")),
            ("/x:1", ("/x", "1", "")),
            ("x:1:2", ("x", "1:2", "")),
            ("reg/x@sha256:a:b", ("reg/x", "", "sha256:a:b")),
            ("a:1/b@c", ("a:1/b", "", "c")),
            ("5", ("5", "", "")),
        ];
        for (image, want) in cases {
            assert_eq!(split_image(image), want, "{image}");
        }
        let t = ImageTagTransformer::new(
            ImageTag {
                name: ".*".into(),
                new_name: "X".into(),
                ..ImageTag::default()
            },
            Vec::new(),
        );
        let out = run(
            &t,
            indoc! {"
                apiVersion: example.com/v1
                kind: Foo
                metadata:
                  name: p
                spec:
                  x:
                    containers:
                    - image: a/b:c/d
                    - image: 5
                    - image: a:1/b@c
            "},
        )
        .unwrap();
        assert!(
            out.ends_with("- image: X:c/d\n    - image: X\n    - image: X@c\n"),
            "{out}"
        );
    }

    /// A plugin config whose specs name null container lists: they become
    /// empty lists; kubectl-verified.
    #[test]
    fn null_containers_become_empty_lists() {
        let node = rustomize_yaml::parse_one(indoc! {"
            apiVersion: builtin
            kind: ImageTagTransformer
            metadata:
              name: x
            imageTag:
              name: nginx
              Digest: sha256:222
            fieldSpecs:
            - path: spec/template/spec/containers[]/image
              create: true
            - path: spec/template/spec/initContainers[]/image
        "})
        .unwrap();
        let t: ImageTagTransformer = rustomize_yaml::de::from_node(&node).unwrap();
        assert_eq!(t.image_tag.digest, "sha256:222");
        let input = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              template:
                spec:
                  containers:
                  initContainers:
        "};
        let want = indoc! {"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              template:
                spec:
                  containers: []
                  initContainers: []
        "};
        assert_eq!(run(&t, input).unwrap(), want);
    }

    #[test]
    fn odd_containers() {
        let t = ImageTagTransformer::new(
            ImageTag {
                name: "nginx".into(),
                new_tag: "2".into(),
                ..ImageTag::default()
            },
            TransformerConfig::default_config().images.clone(),
        );
        // kubectl-verified: left alone.
        let input = indoc! {"
            apiVersion: example.com/v1
            kind: Foo
            metadata:
              name: foo
            spec:
              containers:
              - image: null
              - image: 5
              - name: x
              - null
        "};
        assert_eq!(run(&t, input).unwrap(), input);

        for (containers, want) in [
            ("- nginx", "expected MappingNode but got ScalarNode"),
            ("- image: {a: b}", "expected ScalarNode but got MappingNode"),
            ("- image: [a]", "expected ScalarNode but got SequenceNode"),
        ] {
            let input = format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  {containers}\n"
            );
            let err = run(&t, &input).unwrap_err().report().to_string();
            assert!(err.contains(want), "{containers}: {err}");
        }
    }
}
