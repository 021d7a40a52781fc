//! `pv-binding`: a PersistentVolumeClaim bound by `spec.volumeName` to a
//! PersistentVolume in the output can bind to it: the volume is at least
//! as large as the request, offers every access mode the claim asks for,
//! has the same storage class (a claim without `storageClassName` gets the
//! cluster's default class, which does not match a volume without one) and
//! the same volume mode, and is not reserved (`claimRef`) for another
//! claim. Otherwise the claim stays Pending, and so do its pods.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::quantity::Quantity;
use crate::workload::{namespace_of, q, text};
use rustomize_engine::Resource;
use rustomize_yaml::Node;

/// See the module docs.
pub(crate) struct PvBinding;

const PENDING: &str = "the claim stays Pending";

impl Rule for PvBinding {
    fn id(&self) -> &'static str {
        "pv-binding"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "A claim bound by volumeName fits its PersistentVolume: size, access modes, storage class, volume mode, claimRef."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if r.kind() != "PersistentVolumeClaim" {
            return;
        }
        let spec = r.node.get("spec");
        let Some(volume) = text(spec.and_then(|s| s.get("volumeName"))).filter(|v| !v.is_empty())
        else {
            return;
        };
        let Some(pv) = cx.index.get("PersistentVolume", "", volume) else {
            return; // dangling-reference reports it
        };
        let pv_spec = pv.node.get("spec");
        let pv_name = q(volume);
        let want = spec.and_then(|s| s.get_path(&["resources", "requests", "storage"]));
        let have = pv_spec.and_then(|s| s.get_path(&["capacity", "storage"]));
        if let (Some(w), Some(h)) = (Quantity::of(want), Quantity::of(have))
            && h < w
        {
            out.push(Hit::new(
                "spec.resources.requests.storage",
                format!(
                    "PersistentVolume {pv_name} holds {}, less than the {} the claim requests: {PENDING}",
                    scalar(have),
                    scalar(want)
                ),
            ));
        }
        let (claim_modes, pv_modes) = (modes(spec), modes(pv_spec));
        let missing: Vec<&str> = claim_modes
            .iter()
            .copied()
            .filter(|m| !pv_modes.contains(m))
            .collect();
        if !missing.is_empty() {
            out.push(Hit::new(
                "spec.accessModes",
                format!(
                    "PersistentVolume {pv_name} does not offer {} (it offers {}): {PENDING}",
                    missing.join(", "),
                    if pv_modes.is_empty() {
                        "none".to_string()
                    } else {
                        pv_modes.join(", ")
                    }
                ),
            ));
        }
        let claim_class = text(spec.and_then(|s| s.get("storageClassName")));
        let pv_class = text(pv_spec.and_then(|s| s.get("storageClassName")))
            .or_else(|| pv.annotation("volume.beta.kubernetes.io/storage-class"))
            .unwrap_or("");
        match claim_class {
            Some(c) if c != pv_class => out.push(Hit::new(
                "spec.storageClassName",
                format!(
                    "the claim's storage class {} is not PersistentVolume {pv_name}'s ({}): {PENDING}",
                    q(c),
                    q(pv_class)
                ),
            )),
            None if pv_class.is_empty() => out.push(Hit::new(
                "spec.storageClassName",
                format!(
                    "the claim sets no storageClassName, so the cluster's default StorageClass is filled in, and PersistentVolume {pv_name} has none: {PENDING}; set storageClassName: \"\""
                ),
            )),
            None => out.push(Hit::new(
                "spec.storageClassName",
                format!(
                    "the claim sets no storageClassName, so it binds PersistentVolume {pv_name} (class {}) only if that is the cluster's default StorageClass; set storageClassName: {}",
                    q(pv_class),
                    pv_class
                ),
            )),
            Some(_) => {}
        }
        if mode(spec) != mode(pv_spec) {
            out.push(Hit::new(
                "spec.volumeMode",
                format!(
                    "the claim's volumeMode {} is not PersistentVolume {pv_name}'s ({}): {PENDING}",
                    mode(spec),
                    mode(pv_spec)
                ),
            ));
        }
        let claim_ref = pv_spec.and_then(|s| s.get("claimRef"));
        if let Some(name) = text(claim_ref.and_then(|c| c.get("name"))) {
            let ns = text(claim_ref.and_then(|c| c.get("namespace"))).unwrap_or("default");
            if name != r.name() || ns != namespace_of(r) {
                out.push(Hit::new(
                    "spec.volumeName",
                    format!(
                        "PersistentVolume {pv_name} is reserved for claim {ns}/{name} (spec.claimRef): {PENDING}"
                    ),
                ));
            }
        }
    }
}

fn modes(n: Option<&Node>) -> Vec<&str> {
    n.and_then(|s| s.get("accessModes"))
        .and_then(Node::as_seq)
        .map(|m| m.iter().filter_map(Node::as_str).collect())
        .unwrap_or_default()
}

fn mode(n: Option<&Node>) -> &str {
    text(n.and_then(|s| s.get("volumeMode"))).unwrap_or("Filesystem")
}

fn scalar(n: Option<&Node>) -> String {
    n.and_then(Node::as_scalar)
        .map(|s| s.value.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::testing::findings;

    const RULE: &str = "pv-binding";

    const GOOD: &str = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: data-pv}\nspec:\n  \
capacity: {storage: 5Gi}\n  accessModes: [ReadWriteOnce]\n  storageClassName: \"\"\n  hostPath: {path: /srv/data}\n\
---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  \
storageClassName: \"\"\n  volumeName: data-pv\n  resources: {requests: {storage: 5Gi}}\n";

    #[test]
    fn fitting_volume_passes() {
        assert_eq!(findings(RULE, GOOD), "");
        let classed = GOOD.replace("storageClassName: \"\"", "storageClassName: local");
        assert_eq!(findings(RULE, &classed), "");
    }

    #[test]
    fn smaller_volume_fails() {
        let yaml = GOOD.replacen("storage: 5Gi", "storage: 1Gi", 1);
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:17: error[pv-binding] PersistentVolumeClaim data: spec.resources.requests.storage: \
PersistentVolume \"data-pv\" holds 1Gi, less than the 5Gi the claim requests: the claim stays Pending\n"
        );
    }

    #[test]
    fn other_access_mode_fails() {
        let yaml = GOOD.replacen(
            "accessModes: [ReadWriteOnce]",
            "accessModes: [ReadOnlyMany]",
            1,
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:14: error[pv-binding] PersistentVolumeClaim data: spec.accessModes: PersistentVolume \"data-pv\" \
does not offer ReadWriteOnce (it offers ReadOnlyMany): the claim stays Pending\n"
        );
    }

    #[test]
    fn other_storage_class_fails() {
        let yaml = GOOD.replacen("storageClassName: \"\"", "storageClassName: local", 1);
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:15: error[pv-binding] PersistentVolumeClaim data: spec.storageClassName: the claim's storage \
class \"\" is not PersistentVolume \"data-pv\"'s (\"local\"): the claim stays Pending\n"
        );
    }

    /// A claim without storageClassName against a volume with class "" was
    /// taken as matching; the default StorageClass is filled in instead.
    #[test]
    fn unset_storage_class_against_empty_fails() {
        let yaml = GOOD.replace("  storageClassName: \"\"\n  volumeName", "  volumeName");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:13: error[pv-binding] PersistentVolumeClaim data: spec.storageClassName: the claim sets no \
storageClassName, so the cluster's default StorageClass is filled in, and PersistentVolume \"data-pv\" has none: the \
claim stays Pending; set storageClassName: \"\"\n"
        );
    }

    #[test]
    fn volume_reserved_for_another_claim_fails() {
        let yaml = GOOD.replace(
            "  hostPath: {path: /srv/data}",
            "  hostPath: {path: /srv/data}\n  claimRef: {namespace: default, name: other}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:17: error[pv-binding] PersistentVolumeClaim data: spec.volumeName: PersistentVolume \"data-pv\" \
is reserved for claim default/other (spec.claimRef): the claim stays Pending\n"
        );
    }
}
