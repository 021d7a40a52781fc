//! Embedding `rustomize-engine`: a Kustomize tree held in memory, built as
//! `kustomize build` would build it from the disk.
//!
//! [`TREE`] is an app's base and production overlay (a generated ConfigMap
//! with its hash suffix, a namespace, a name prefix, labels, an image tag
//! and a strategic merge patch); [`render`] loads it into a
//! [`MemFs`] and builds the overlay. The
//! program (`cargo run -p rustomize-example-embed`) prints the result, or
//! with `--write DIR` writes the tree to disk, where `rustomize build
//! DIR/overlays/production` prints the same bytes (a test checks it).

use rustomize_engine::fs::MemFs;
use rustomize_engine::{BuildOptions, Error, build};
use std::path::Path;
use std::sync::Arc;

/// The tree: (path relative to its root, content).
pub const TREE: &[(&str, &str)] = &[
    (
        "base/kustomization.yaml",
        "resources:\n- deployment.yaml\n- service.yaml\nconfigMapGenerator:\n- name: web-config\n  literals:\n  - LOG_LEVEL=info\n",
    ),
    (
        "base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/example/web:edge\n        envFrom:\n        - configMapRef: {name: web-config}\n",
    ),
    (
        "base/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 8080\n",
    ),
    (
        "overlays/production/kustomization.yaml",
        "namespace: web-production\nnamePrefix: prod-\nresources:\n- ../../base\nlabels:\n- pairs: {environment: production}\n  includeSelectors: false\nimages:\n- name: ghcr.io/example/web\n  newTag: v1.2.3\nconfigMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - LOG_LEVEL=warning\npatches:\n- path: replicas.yaml\n",
    ),
    (
        "overlays/production/replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    ),
];

/// Where [`render`] puts the tree in memory.
pub const ROOT: &str = "/tree";

/// The directory of [`TREE`] that [`render`] builds.
pub const OVERLAY: &str = "overlays/production";

/// Builds [`OVERLAY`] of [`TREE`] from memory and returns the YAML stream,
/// with kustomize's warnings (none for this tree) after it.
pub fn render() -> Result<(String, Vec<String>), Error> {
    let fs = MemFs::new();
    for (path, text) in TREE {
        fs.write(Path::new(ROOT).join(path), *text);
    }
    let out = build(
        Arc::new(fs),
        &Path::new(ROOT).join(OVERLAY),
        &BuildOptions::default(),
    )?;
    Ok((out.to_yaml()?, out.warnings))
}
