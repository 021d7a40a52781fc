//! examples/embed builds a tree from memory through the engine's facade;
//! its output must be exactly what `rustomize build` prints for the same
//! tree on disk (and what `kubectl kustomize` prints, where kubectl with
//! kustomize v5.5.0 is installed).

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use rustomize_example_embed::{OVERLAY, TREE, render};

#[test]
fn the_embedded_build_equals_rustomize_build_on_disk() {
    let tree = support::Tree::new();
    for (path, text) in TREE {
        tree.write(path, text);
    }
    let dir = tree.path().join(OVERLAY);
    let out = support::rustomize()
        .arg("build")
        .arg(&dir)
        .output()
        .expect("run rustomize build");
    assert!(out.status.success(), "{}", support::stderr(&out));
    let (yaml, warnings) = render().expect("the embedded build");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(yaml, support::stdout(&out));
    assert!(
        support::stderr(&out).is_empty(),
        "{}",
        support::stderr(&out)
    );

    let Some(mut kubectl) = support::kubectl("embed example") else {
        return;
    };
    let theirs = kubectl
        .arg("kustomize")
        .arg(&dir)
        .output()
        .expect("run kubectl");
    assert!(theirs.status.success(), "{}", support::stderr(&theirs));
    assert_eq!(yaml, support::stdout(&theirs));
}
