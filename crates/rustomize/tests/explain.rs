//! `rustomize explain` end to end, as snapshots: the dojo example's
//! production overlay (the image from the overlay's `images:` entry, the
//! namespace from its `namespace:` line, resources from its patch, a whole
//! object in text and JSON), the errors for objects that are not there,
//! and an infra tree whose base is a remote repository (a local git
//! repository reached through `insteadOf`), named `repo@ref:path`.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use support::{Tree, stderr, stdout};

/// Runs `rustomize explain ARGS` in `cwd`: exit status, stdout and stderr
/// with the tree's path redacted.
fn explain(t: &Tree, cwd: &Path, args: &[&str]) -> String {
    let out = support::run_in(cwd, &[&["explain"], args].concat());
    let mut shown = format!("exit status: {:?}\n", out.status.code());
    shown.push_str(&t.redact(&stdout(&out)));
    let err = stderr(&out);
    if !err.is_empty() {
        shown.push_str("--- stderr\n");
        shown.push_str(&t.redact(&err));
    }
    shown
}

fn dojo() -> Tree {
    let t = Tree::new();
    t.copy_from_workspace("examples/dojo", "dojo");
    t
}

const PRODUCTION: &str = "overlays/production";

#[test]
fn dojo_production() {
    let t = dojo();
    let k8s = t.path().join("dojo/deploy/k8s");
    let cases: &[(&str, &[&str])] = &[
        // The image: the production overlay's `images:` entry.
        (
            "dojo-image",
            &[
                PRODUCTION,
                "Deployment/dojo",
                "spec.template.spec.containers[api].image",
            ],
        ),
        // The namespace: the overlay's `namespace:` line.
        (
            "dojo-namespace",
            &[PRODUCTION, "Deployment/dojo", "metadata.namespace"],
        ),
        // Requests from the overlay's patch, on a base container.
        (
            "dojo-patched-requests",
            &[
                PRODUCTION,
                "app-production/Deployment/dojo",
                "spec.template.spec.containers[0].resources.requests",
            ],
        ),
        // A field that is not there: where it would go.
        (
            "dojo-missing-field",
            &[
                PRODUCTION,
                "Deployment/dojo",
                "spec.template.spec.containers[api].startupProbe",
            ],
        ),
        // Generated data, each key from its literal or env file line; the
        // ConfigMap named as the tree names it (before the hash).
        ("dojo-configmap", &[PRODUCTION, "ConfigMap/dojo-config"]),
        ("dojo-secret", &[PRODUCTION, "Secret/dojo-api-keys", "data"]),
        ("dojo-deployment-text", &[PRODUCTION, "Deployment/dojo"]),
        (
            "dojo-service-json",
            &[PRODUCTION, "Service/dojo", "--format", "json"],
        ),
        (
            "dojo-image-json",
            &[
                PRODUCTION,
                "Deployment/dojo",
                "spec.template.spec.containers[api].image",
                "--format",
                "json",
            ],
        ),
        ("dojo-not-found", &[PRODUCTION, "Deployment/doj"]),
        ("dojo-bad-name", &[PRODUCTION, "dojo"]),
        (
            "dojo-no-field",
            &[PRODUCTION, "Deployment/dojo", "spec.nothing.here"],
        ),
    ];
    let all: Vec<(String, String)> = cases
        .iter()
        .map(|(name, args)| (name.to_string(), explain(&t, &k8s, args)))
        .collect();
    assert_snapshots!(all);
}

/// The positions `explain` gives are the real ones: each line it names
/// holds the value shown (checked on every line of the production
/// Deployment whose value comes from a file of the tree).
#[test]
fn every_named_line_holds_its_value() {
    let t = dojo();
    let k8s = t.path().join("dojo/deploy/k8s");
    let out = support::run_in(
        &k8s,
        &["explain", PRODUCTION, "Deployment/dojo", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let lines = doc["objects"][0]["lines"].as_array().expect("lines");
    let mut rows = Vec::new();
    for l in lines {
        let set_by = &l["setBy"];
        // Entries (images:, labels:...) are checked by the snapshots.
        if set_by["what"] != "file" {
            continue;
        }
        let (Some(file), Some(line)) = (set_by["file"].as_str(), set_by["line"].as_u64()) else {
            continue;
        };
        let text = l["text"].as_str().unwrap_or_default().trim();
        let value = text.trim_start_matches("- ");
        let value = value.split_once(": ").map_or(value, |(_, v)| v);
        let value = value.trim_end_matches(':').trim_matches('"').to_string();
        rows.push((file.to_string(), line, value, set_by["column"].as_u64()));
    }
    assert!(rows.len() > 40, "{rows:?}");
    support::table(&rows, |(file, line, value, col)| {
        let text = std::fs::read_to_string(k8s.join(file)).map_err(|e| e.to_string())?;
        let at = text.lines().nth(*line as usize - 1).ok_or("no such line")?;
        // A reference the build renamed (a hash suffix) keeps the place
        // it was written, where the old name is.
        let written = value
            .strip_prefix("dojo-config-")
            .map(|_| "dojo-config")
            .or_else(|| {
                value
                    .strip_prefix("dojo-api-keys-")
                    .map(|_| "dojo-api-keys")
            })
            .unwrap_or(value);
        if !at.contains(written) {
            return Err(format!("{file}:{line} is {at:?}, not {value:?}"));
        }
        match col {
            Some(c) if *c as usize > at.chars().count() + 1 => {
                Err(format!("column {c} is past the end of {at:?}"))
            }
            _ => Ok(()),
        }
    });
}

fn git(dir: &Path, args: &[&str]) {
    support::git_in(dir, "master", args);
}

/// An infra kustomization over the dojo production overlay pulled from a
/// remote repository at a tag: values from the remote are named by
/// repository, ref and path, never the cache.
#[test]
fn through_a_remote_base() {
    if support::git("through_a_remote_base").is_none() {
        return;
    }
    let t = Tree::new();
    t.copy_from_workspace("examples/dojo/deploy", "app/deploy");
    let app = t.path().join("app");
    git(&app, &["init", "-q"]);
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-qm", "v0.1.0"]);
    git(&app, &["tag", "v0.1.0"]);
    t.write(
        "infra/production/kustomization.yaml",
        "resources:\n  - github.com/org/app//deploy/k8s/overlays/production?ref=v0.1.0\nimages:\n  - name: ghcr.io/example/dojo\n    newTag: v0.1.0\n",
    );
    let config = support::GitConfig::new();
    config.redirect("org/app", &app);
    let run = |args: &[&str]| {
        let mut cmd = support::rustomize();
        config
            .apply(&mut cmd)
            .arg("explain")
            .args(args)
            .current_dir(t.path().join("infra"))
            .env("RUSTOMIZE_CACHE_DIR", t.path().join("cache"));
        let out = cmd.output().expect("run rustomize");
        let mut shown = format!("exit status: {:?}\n", out.status.code());
        shown.push_str(&t.redact(&stdout(&out)));
        if !out.stderr.is_empty() {
            shown.push_str("--- stderr\n");
            shown.push_str(&t.redact(&stderr(&out)));
        }
        shown
    };
    let all = vec![
        (
            "remote-deployment".to_string(),
            run(&["production", "Deployment/dojo"]),
        ),
        (
            "remote-field-json".to_string(),
            run(&[
                "production",
                "Deployment/dojo",
                "spec.template.spec.containers[api].resources.limits.cpu",
                "--format",
                "json",
            ]),
        ),
    ];
    for (_, shown) in &all {
        assert!(!shown.contains("[TREE]/cache"), "a cache path:\n{shown}");
    }
    assert_snapshots!(all);
}
