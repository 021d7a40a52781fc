//! `mutable-image-tag`: in production, every image is pinned to a release
//! tag or a digest, never a tag that moves (`latest`, `edge`, a branch name)
//! or no tag at all.
//!
//! Runs only for objects in a production environment: `--env production`
//! (or `prod`), or an environment of that name in the configuration that
//! matches the checked directory or the object's namespace.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q, text};
use rustomize_engine::Resource;

/// See the module docs.
pub(super) struct MutableImageTag;

impl Rule for MutableImageTag {
    fn id(&self) -> &'static str {
        "mutable-image-tag"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "In production, images are pinned to a release tag or a digest, not latest, edge, a branch or no tag."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        if !cx.is_production(r) {
            return;
        }
        for c in pt.containers() {
            let Some(image) = text(c.map.get("image")) else {
                continue;
            };
            if let Some(why) = moving(image) {
                out.push(Hit::new(
                    c.at("image"),
                    format!(
                        "image {} {why}; production must pin a release tag (v1.2.3) or a digest",
                        q(image)
                    ),
                ));
            }
        }
    }
}

/// Why an image reference can change under the same name, if it can.
pub(super) fn moving(image: &str) -> Option<String> {
    if image.contains('@') {
        return None; // pinned by digest
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.rsplit_once(':') else {
        return Some("has no tag, so it means latest".to_string());
    };
    let lower = tag.to_ascii_lowercase();
    const MOVING: &[&str] = &[
        "latest",
        "edge",
        "main",
        "master",
        "develop",
        "development",
        "dev",
        "trunk",
        "head",
        "nightly",
        "stable",
        "unstable",
        "canary",
        "next",
        "staging",
        "stage",
        "production",
        "prod",
        "release",
        "snapshot",
        "beta",
        "alpha",
        "test",
        "testing",
        "current",
        "preview",
    ];
    const MOVING_SUFFIXES: &[&str] = &["-latest", "-edge", "-nightly", "-snapshot", "-dev"];
    if MOVING.contains(&lower.as_str()) || MOVING_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return Some(format!("uses the moving tag {}", q(tag)));
    }
    // A tag with no digit is a branch or channel name (`feature-login`),
    // unless it is a commit hash (`sha-deadbeef`, `cafebabe`).
    let hex = lower.strip_prefix("sha-").unwrap_or(&lower);
    let is_hash = hex.len() >= 7 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    if !tag.bytes().any(|b| b.is_ascii_digit()) && !is_hash {
        return Some(format!("uses the branch-like tag {}", q(tag)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::moving;
    use crate::Options;
    use crate::testing::{GOOD_APP, findings, findings_of, rows};

    const RULE: &str = "mutable-image-tag";

    fn production() -> Options {
        Options {
            env: Some("production".into()),
            ..Options::default()
        }
    }

    #[test]
    fn pinned_tag_passes_in_production() {
        assert_eq!(findings_of(RULE, GOOD_APP, &production()), "");
    }

    #[test]
    fn edge_fails_in_production_only() {
        let yaml = GOOD_APP.replace("api:v1.2.3", "api:edge");
        assert_eq!(findings(RULE, &yaml), "");
        assert_eq!(
            findings_of(RULE, &yaml, &production()),
            "app.yaml:18: error[mutable-image-tag] Deployment api: spec.template.spec.containers[0].image: \
image \"ghcr.io/org/api:edge\" uses the moving tag \"edge\"; production must pin a release tag (v1.2.3) or a digest\n"
        );
    }

    #[test]
    fn production_by_namespace() {
        let yaml = GOOD_APP.replace("api:v1.2.3", "api").replace(
            "  name: api\n  labels",
            "  name: api\n  namespace: shop-prod\n  labels",
        );
        let config =
            crate::parse_config("environments:\n  production:\n    namespaces: [\"*-prod\"]\n")
                .unwrap();
        let opts = Options {
            config,
            ..Options::default()
        };
        assert_eq!(
            findings_of(RULE, &yaml, &opts),
            "app.yaml:19: error[mutable-image-tag] Deployment shop-prod/api: spec.template.spec.containers[0].image: \
image \"ghcr.io/org/api\" has no tag, so it means latest; production must pin a release tag (v1.2.3) or a digest\n"
        );
        let staging = yaml.replace("shop-prod", "shop-staging");
        assert_eq!(findings_of(RULE, &staging, &opts), "");
    }

    #[test]
    fn tags() {
        let pinned = [
            "ghcr.io/org/app:v1.2.3",
            "app:1.2",
            "app:sha-3f2a1bc",
            "app:sha-deadbeef",
            "localhost:5000/app:v1",
            "app@sha256:abc",
            "app:edge@sha256:abc",
            "app:2024-01-15",
        ];
        rows(&pinned, |image| match moving(image) {
            None => Ok(()),
            Some(why) => Err(why),
        });
        let moving_tags = [
            ("app", "has no tag, so it means latest"),
            ("localhost:5000/app", "has no tag, so it means latest"),
            ("app:latest", "uses the moving tag \"latest\""),
            ("ghcr.io/org/app:edge", "uses the moving tag \"edge\""),
            ("app:Main", "uses the moving tag \"Main\""),
            ("app:v1-nightly", "uses the moving tag \"v1-nightly\""),
            (
                "app:feature-login",
                "uses the branch-like tag \"feature-login\"",
            ),
        ];
        rows(&moving_tags, |&(image, why)| {
            let got = moving(image);
            (got.as_deref() == Some(why))
                .then_some(())
                .ok_or(format!("{got:?}"))
        });
    }
}
