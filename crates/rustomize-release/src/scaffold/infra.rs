//! An infra repository's folder for one environment of an app, the shape
//! of the deployment plans: the app's overlay pulled from its repository
//! at a ref, its namespace, an Ingress for the environment's host, and a
//! PersistentVolume its claim is bound to (for clusters without a volume
//! provisioner).

use super::{File, check_host, check_name, check_size, check_value};
use crate::error::Error;
use std::fmt::Write as _;

/// What `init --infra ENV` was asked for, and what the app's overlay
/// showed when it was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfraSpec {
    /// The environment (`production`).
    pub env: String,
    /// The app's name.
    pub app: String,
    /// The remote overlay, `URL//PATH?ref=REF`.
    pub remote: String,
    /// The namespace the app runs in.
    pub namespace: String,
    /// The host this environment serves, and the Service and port the
    /// Ingress sends it to.
    pub host: Option<(String, String, String)>,
    /// The hostPath of the volume, the claim it is bound to and its size.
    pub volume: Option<(String, String, String)>,
    /// The app's own Ingress, when its overlay has one: `ingress.yaml`
    /// is then a patch of it (its rules and TLS replaced) rather than a
    /// second Ingress.
    pub ingress_of_app: Option<String>,
}

/// Checks the options of `init --infra`.
pub fn check_options(
    env: &str,
    app: &str,
    remote: &str,
    host: Option<&str>,
    volume: Option<&str>,
    size: Option<&str>,
) -> Result<Option<String>, Error> {
    check_name("--infra", env, 30)?;
    check_name("--app", app, 40)?;
    check_value("--remote", remote, "./-_:?=&~")?;
    if !crate::app::is_git_remote(remote) {
        return Err(Error::Invalid(format!(
            "--remote {remote:?} is not a Git remote base (github.com/org/app//deploy/k8s/overlays/{env}?ref=v0.1.0)"
        )));
    }
    if rustomize_edit::ops::pin::entry_ref(remote).is_none() {
        return Err(Error::Invalid(format!(
            "--remote {remote:?} has no ?ref=: pin the app's overlay to a release (?ref=v0.1.0)"
        )));
    }
    if let Some(h) = host {
        check_host(h)?;
    }
    if let Some(s) = size {
        check_size("--size", s)?;
    }
    match volume {
        None => Ok(None),
        Some(v) => match v.strip_prefix("hostPath:") {
            Some(p) if p.starts_with('/') && p.len() > 1 => {
                check_value("--volume's path", &p[1..], "/._-")?;
                Ok(Some(p.to_string()))
            }
            _ => Err(Error::Invalid(format!(
                "--volume {v:?}: expected hostPath:/absolute/path (hostPath:/srv/k8s/{app}-{env})"
            ))),
        },
    }
}

impl InfraSpec {
    /// The files of the folder.
    pub fn files(&self) -> Vec<File> {
        let mut out = vec![File::new("namespace.yaml", self.namespace_yaml())];
        if self.volume.is_some() {
            out.push(File::new("volumes.yaml", self.volumes()));
        }
        if self.host.is_some() {
            out.push(File::new("ingress.yaml", self.ingress()));
        }
        out.push(File::new("kustomization.yaml", self.kustomization()));
        out
    }

    fn pv_name(&self) -> String {
        format!("{}-{}-pv", self.app, self.env)
    }

    fn namespace_yaml(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n",
            self.namespace
        )
    }

    fn volumes(&self) -> String {
        let (path, _, size) = self.volume.clone().unwrap_or_default();
        format!(
            "# A PersistentVolume on the node's disk. hostPath suits a single-node
# cluster only: the data stays on whichever node the directory is on.
# Retain: deleting the claim keeps the data.
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {pv}
spec:
  capacity:
    storage: {size}
  accessModes:
    - ReadWriteOnce
  persistentVolumeReclaimPolicy: Retain
  storageClassName: \"\"
  hostPath:
    path: {path}
    type: DirectoryOrCreate
",
            pv = self.pv_name()
        )
    }

    fn ingress(&self) -> String {
        let (host, service, port) = self.host.clone().unwrap_or_default();
        let (what, name) = match &self.ingress_of_app {
            Some(name) => (
                "# A patch of the app's own Ingress: its rules and TLS are replaced, so\n# it serves this environment's host.\n",
                name.clone(),
            ),
            None => ("", self.app.clone()),
        };
        let port = if port.bytes().all(|b| b.is_ascii_digit()) {
            format!("number: {port}")
        } else {
            format!("name: {port}")
        };
        format!(
            "{what}# {app} at {host}, through ingress-nginx, over TLS (the Secret
# {app}-{env}-tls holds the certificate: cert-manager, or by hand).
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {host}
      secretName: {app}-{env}-tls
  rules:
    - host: {host}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {service}
                port:
                  {port}
",
            app = self.app,
            env = self.env
        )
    }

    fn kustomization(&self) -> String {
        let mut s = format!(
            "# {app} in {env}: the app's own overlay, pulled from its repository at a
# release, adapted to this cluster. `rustomize promote . --to vX.Y.Z`
# moves the ?ref= (and any image tag pinned here) to another release.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: {ns}

resources:
  - namespace.yaml
",
            app = self.app,
            env = self.env,
            ns = self.namespace
        );
        if self.volume.is_some() {
            s.push_str("  - volumes.yaml # the volume the app's claim is bound to\n");
        }
        if self.host.is_some() && self.ingress_of_app.is_none() {
            s.push_str("  - ingress.yaml\n");
        }
        let _ = writeln!(s, "  - {}", self.remote);
        let ingress_patch = self.host.is_some() && self.ingress_of_app.is_some();
        if ingress_patch || self.volume.is_some() {
            s.push_str("\npatches:\n");
        }
        if ingress_patch {
            s.push_str(
                "  # this environment's host on the app's own Ingress\n  - path: ingress.yaml\n",
            );
        }
        if let Some((_, claim, _)) = &self.volume {
            let _ = write!(
                s,
                "  # Bind the app's claim to the PersistentVolume above (and keep a default
  # StorageClass from provisioning a volume of its own).
  - target:
      version: v1
      kind: PersistentVolumeClaim
      name: {claim}
    patch: |-
      - {{op: add, path: /spec/volumeName, value: {pv}}}
      - {{op: add, path: /spec/storageClassName, value: \"\"}}
",
                pv = self.pv_name()
            );
        }
        s
    }
}

/// What the app's overlay holds that the folder refers to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The namespace of its first namespaced object, if any.
    pub namespace: Option<String>,
    /// Its claims, with the storage each requests.
    pub claims: Vec<(String, String)>,
    /// Its Services, with their first port's name (or number).
    pub services: Vec<(String, String)>,
    /// Its Ingresses.
    pub ingresses: Vec<String>,
}

impl Seen {
    /// Reads the built objects of the app's overlay.
    pub fn of(resources: &[rustomize_engine::Resource]) -> Seen {
        use rustomize_yaml::Node;
        let mut seen = Seen::default();
        for r in resources {
            if seen.namespace.is_none() && !r.namespace().is_empty() {
                seen.namespace = Some(r.namespace().to_string());
            }
            match r.kind() {
                "PersistentVolumeClaim" => {
                    let size = r
                        .node
                        .str_at(&["spec", "resources", "requests", "storage"])
                        .unwrap_or_default()
                        .to_string();
                    seen.claims.push((r.name().to_string(), size));
                }
                "Ingress" => seen.ingresses.push(r.name().to_string()),
                "Service" => {
                    let ports = r.node.get_path(&["spec", "ports"]).and_then(Node::as_seq);
                    let first = ports.and_then(|p| {
                        p.iter()
                            .find(|p| p.get("name").and_then(Node::as_str) == Some("http"))
                            .or_else(|| p.first())
                    });
                    let port = first
                        .and_then(|p| {
                            p.get("name")
                                .and_then(Node::as_str)
                                .map(str::to_string)
                                .or_else(|| {
                                    p.get("port")
                                        .and_then(Node::as_scalar)
                                        .map(|s| s.value.to_string())
                                })
                        })
                        .unwrap_or_default();
                    seen.services.push((r.name().to_string(), port));
                }
                _ => {}
            }
        }
        seen
    }

    /// The one of `items` named `name`, else the only one there is.
    fn pick<'a>(items: &'a [(String, String)], name: &str) -> Option<&'a (String, String)> {
        items.iter().find(|(n, _)| n == name).or(match items {
            [one] => Some(one),
            _ => None,
        })
    }
}

impl InfraSpec {
    /// The spec from the options (checked by [`check_options`]) and what
    /// the app's overlay holds.
    #[allow(clippy::too_many_arguments)] // one per option of `init --infra`
    pub fn new(
        env: &str,
        app: &str,
        remote: &str,
        host: Option<&str>,
        volume: Option<String>,
        size: Option<&str>,
        seen: &Seen,
    ) -> Result<InfraSpec, Error> {
        let suffix = match env {
            "production" => "prod",
            e => e,
        };
        let namespace = seen
            .namespace
            .clone()
            .unwrap_or_else(|| format!("{app}-{suffix}"));
        let host = match host {
            None => None,
            Some(h) => {
                let Some((svc, port)) = Seen::pick(&seen.services, app) else {
                    return Err(Error::Invalid(format!(
                        "--host: the app's overlay {remote} has {} Service(s) ({}), and none is named {app}: the Ingress would point at nothing",
                        seen.services.len(),
                        seen.services
                            .iter()
                            .map(|s| s.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                };
                Some((h.to_string(), svc.clone(), port.clone()))
            }
        };
        let volume = match volume {
            None => None,
            Some(path) => {
                let Some((claim, requested)) = Seen::pick(&seen.claims, &format!("{app}-data"))
                else {
                    return Err(Error::Invalid(format!(
                        "--volume: the app's overlay {remote} has {} PersistentVolumeClaim(s) ({}); init binds the one named {app}-data or the only one",
                        seen.claims.len(),
                        seen.claims
                            .iter()
                            .map(|s| s.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                };
                let size = match size {
                    Some(s) => s.to_string(),
                    None if !requested.is_empty() => requested.clone(),
                    None => {
                        return Err(Error::Invalid(format!(
                            "--volume: the claim {claim} requests no storage; give --size"
                        )));
                    }
                };
                Some((path, claim.clone(), size))
            }
        };
        Ok(InfraSpec {
            env: env.to_string(),
            app: app.to_string(),
            remote: remote.to_string(),
            namespace,
            ingress_of_app: match (&host, seen.ingresses.as_slice()) {
                (Some(_), [one, ..]) => Some(
                    seen.ingresses
                        .iter()
                        .find(|i| *i == app)
                        .unwrap_or(one)
                        .clone(),
                ),
                _ => None,
            },
            host,
            volume,
        })
    }
}
