//! `version-drift`: within one environment, the app's manifests and its
//! image are the same release. A workload that came from a remote base at
//! `?ref=v0.1.0` runs the app's image at that release, not `v0.2.0`; and
//! production pins its remote bases to a release, not a branch
//! (`?ref=master`) or no ref at all (the remote's default branch).
//!
//! The app's images are those named after the repository the workload came
//! from (`ghcr.io/org/app` for `github.com/org/app`): a sidecar such as
//! `redis:7.2` has its own releases.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{pod_template, q, text};
use rustomize_engine::Resource;

/// See the module docs.
pub(super) struct VersionDrift;

impl Rule for VersionDrift {
    fn id(&self) -> &'static str {
        "version-drift"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A remote base's ?ref= and the app's image tag name the same release; production pins remote bases to a release, not a branch."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        let Some(pt) = pod_template(r) else {
            return;
        };
        let Some(origin) = r.meta.origin.as_ref() else {
            return;
        };
        let Some(repo) = origin.repo.as_deref() else {
            return;
        };
        let git_ref = origin.git_ref.as_deref().unwrap_or("");
        if !is_release(git_ref) {
            if cx.is_production(r) && !is_commit(git_ref) {
                let what = if git_ref.is_empty() {
                    "with no ?ref=, so it follows the remote's default branch".to_string()
                } else {
                    format!("at ?ref={git_ref}, which is not a release")
                };
                out.push(Hit::new(
                    "",
                    format!(
                        "this workload comes from {repo} {what}; production pins the remote base to a release tag (?ref=v1.2.3) or a commit, or its manifests change without a commit here"
                    ),
                ));
            }
            return;
        }
        let app = short_name(repo);
        for c in pt.containers() {
            let Some(image) = text(c.map.get("image")) else {
                continue;
            };
            let Some((name, tag)) = name_and_tag(image) else {
                continue;
            };
            if short_name(name) != app || !is_release(tag) || same_release(tag, git_ref) {
                continue;
            }
            out.push(Hit::new(
                c.at("image"),
                format!(
                    "image {} is release {tag}, but the manifests come from {repo} at ?ref={git_ref}; move the ref and the image's newTag together (rustomize promote DIR --to VERSION)",
                    q(image)
                ),
            ));
        }
    }
}

/// The image's name and tag (`None` without a tag, or pinned by digest).
fn name_and_tag(image: &str) -> Option<(&str, &str)> {
    if image.contains('@') {
        return None;
    }
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    let colon = image[slash..].rfind(':')? + slash;
    Some((&image[..colon], &image[colon + 1..]))
}

/// The last segment of a repository URL or image name, without `.git`.
fn short_name(s: &str) -> &str {
    let last = s
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(s);
    last.strip_suffix(".git").unwrap_or(last)
}

/// A release: an optional `v`, digits and dots, an optional `-pre` or
/// `+build` suffix (`v1.2.3`, `1.4`, `v1.0.0-rc.1`).
fn is_release(s: &str) -> bool {
    let core = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let core = core.split(['-', '+']).next().unwrap_or("");
    !core.is_empty()
        && core.starts_with(|c: char| c.is_ascii_digit())
        && core.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !core.ends_with('.')
        && !core.contains("..")
}

/// A commit id (7 to 40 hex digits): as immutable as a tag.
fn is_commit(s: &str) -> bool {
    (7..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether two releases are the same (`v1.2.3` and `1.2.3` are).
fn same_release(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.strip_prefix(['v', 'V']).unwrap_or(s).to_string();
    a == b || norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::{name_and_tag, short_name};
    use crate::Options;
    use crate::testing::{GOOD_APP, lines_of, report, resources, rows};
    use rustomize_engine::Origin;
    use std::sync::Arc;

    const RULE: &str = "version-drift";

    /// `GOOD_APP` (image `ghcr.io/org/api:v1.2.3`) as if it came from the
    /// remote base `github.com/org/api` at `git_ref`. Only the origin is
    /// faked: findings are still placed by the local build's provenance
    /// (`app.yaml:LINE`); tests/check_locations.rs covers real remotes.
    fn from_remote(yaml: &str, git_ref: Option<&str>) -> rustomize_engine::BuildOutput {
        let mut built = resources(yaml);
        let mut rs = std::mem::replace(&mut built.resources, rustomize_engine::ResMap::new())
            .into_resources();
        for r in &mut rs {
            r.meta.origin = Some(Arc::new(Origin {
                path: "deploy/base/app.yaml".into(),
                repo: Some("https://github.com/org/api".into()),
                git_ref: git_ref.map(str::to_string),
                configured_by: None,
            }));
        }
        built.resources = rs.into_iter().collect();
        built
    }

    fn production() -> Options {
        Options {
            env: Some("production".into()),
            ..Options::default()
        }
    }

    #[test]
    fn same_release_passes_everywhere() {
        for opts in [Options::default(), production()] {
            let rs = from_remote(GOOD_APP, Some("v1.2.3"));
            assert_eq!(lines_of(RULE, &report(&rs, &opts)), "");
            // `1.2.3` and `v1.2.3` are the same release.
            let rs = from_remote(GOOD_APP, Some("1.2.3"));
            assert_eq!(lines_of(RULE, &report(&rs, &opts)), "");
        }
        // A local tree has no remote ref to drift from.
        assert_eq!(
            lines_of(RULE, &report(&resources(GOOD_APP), &production())),
            ""
        );
    }

    #[test]
    fn ref_and_tag_of_different_releases_fail() {
        let rs = from_remote(GOOD_APP, Some("v1.2.2"));
        assert_eq!(
            lines_of(RULE, &report(&rs, &Options::default())),
            "app.yaml:18: error[version-drift] Deployment api: \
spec.template.spec.containers[0].image: image \"ghcr.io/org/api:v1.2.3\" is release v1.2.3, but the manifests \
come from https://github.com/org/api at ?ref=v1.2.2; move the ref and the image's newTag together \
(rustomize promote DIR --to VERSION)\n"
        );
    }

    #[test]
    fn other_images_and_moving_tags_are_not_the_apps_release() {
        // A sidecar named otherwise has its own releases.
        let yaml = GOOD_APP.replace("ghcr.io/org/api:v1.2.3", "redis:7.2");
        let rs = from_remote(&yaml, Some("v1.2.2"));
        assert_eq!(lines_of(RULE, &report(&rs, &production())), "");
        // staging: a branch ref and an `edge` image.
        let yaml = GOOD_APP.replace("api:v1.2.3", "api:edge");
        let rs = from_remote(&yaml, Some("master"));
        assert_eq!(lines_of(RULE, &report(&rs, &Options::default())), "");
    }

    #[test]
    fn production_pinning_a_branch_or_no_ref_fails() {
        let rs = from_remote(GOOD_APP, Some("master"));
        assert_eq!(
            lines_of(RULE, &report(&rs, &production())),
            "app.yaml:1: error[version-drift] Deployment api: \
this workload comes from https://github.com/org/api at ?ref=master, which is not a release; production pins \
the remote base to a release tag (?ref=v1.2.3) or a commit, or its manifests change without a commit here\n"
        );
        let rs = from_remote(GOOD_APP, None);
        assert_eq!(
            lines_of(RULE, &report(&rs, &production())),
            "app.yaml:1: error[version-drift] Deployment api: \
this workload comes from https://github.com/org/api with no ?ref=, so it follows the remote's default branch; \
production pins the remote base to a release tag (?ref=v1.2.3) or a commit, or its manifests change without a commit here\n"
        );
        // A commit is pinned; outside production a branch is fine.
        let rs = from_remote(GOOD_APP, Some("3f2a1bc9d0"));
        assert_eq!(lines_of(RULE, &report(&rs, &production())), "");
        let rs = from_remote(GOOD_APP, Some("master"));
        assert_eq!(lines_of(RULE, &report(&rs, &Options::default())), "");
    }

    #[test]
    fn names() {
        let table = [
            ("ghcr.io/org/app:v1", Some(("ghcr.io/org/app", "v1"))),
            ("localhost:5000/app:v1", Some(("localhost:5000/app", "v1"))),
            ("localhost:5000/app", None),
            ("app@sha256:ab", None),
            ("app", None),
        ];
        rows(&table, |&(image, want)| {
            let got = name_and_tag(image);
            (got == want).then_some(()).ok_or(format!("{got:?}"))
        });
        assert_eq!(short_name("https://github.com/org/app.git"), "app");
        assert_eq!(short_name("git@github.com:org/app"), "app");
    }
}
