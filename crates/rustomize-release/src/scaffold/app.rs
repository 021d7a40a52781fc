//! A new app's `base/`, `overlays/{dev,staging,production}` and
//! `.rustomize-check.yaml`, with the defaults deployment plans write down:
//! probes, requests and limits, UID 1000 with a read-only root, and for a
//! single-writer state (SQLite, DuckDB) one replica, `Recreate` and a
//! ReadWriteOnce claim mounted where the file is (an emptyDir in dev).

pub use super::extras::{ArgoCd, Workflow};
use super::{File, check_host, check_name, check_size, check_value, extras};
use crate::error::Error;
use std::fmt::Write as _;

/// What `init NAME` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSpec {
    /// The app's name: object names, labels, namespaces `NAME-dev`...
    pub name: String,
    /// The image, without its tag.
    pub image: String,
    /// The tag production starts at.
    pub tag: String,
    /// The port the app listens on.
    pub port: u16,
    /// The path of the probes.
    pub health_path: String,
    /// The file of a single-writer state, if any (`/data/app.db`).
    pub state: Option<String>,
    /// The claim's size, with a state.
    pub storage: String,
    /// Replicas.
    pub replicas: u32,
    /// The host production serves, if any.
    pub host: Option<String>,
    /// The GitHub Actions workflow, if asked for.
    pub github_actions: Option<Workflow>,
    /// Argo CD Applications, if asked for.
    pub argocd: Option<ArgoCd>,
}

/// The environments, with the namespace suffix of each.
pub const ENVIRONMENTS: [(&str, &str); 3] = [
    ("dev", "dev"),
    ("staging", "staging"),
    ("production", "prod"),
];

impl AppSpec {
    /// Parses `--image` (`ghcr.io/org/app` or `ghcr.io/org/app:v0.1.0`) and
    /// `--state` (`none` or `single-writer:PATH`), checks every value, and
    /// fills the defaults (tag `v0.1.0`; one replica with a state, two
    /// without).
    #[allow(clippy::too_many_arguments)] // one per option of `init`
    pub fn new(
        name: &str,
        image: &str,
        port: u16,
        health_path: &str,
        state: &str,
        storage: &str,
        replicas: Option<u32>,
        host: Option<&str>,
    ) -> Result<AppSpec, Error> {
        check_name("NAME", name, 40)?;
        if image.contains('@') {
            return Err(Error::Invalid(format!(
                "--image {image:?}: give a tag, not a digest (production's images: entry can pin a digest later: rustomize promote --to sha256:...)"
            )));
        }
        check_value("--image", image, "./-_:")?;
        let slash = image.rfind('/').map_or(0, |i| i + 1);
        let (image_name, tag) = match image[slash..].rfind(':') {
            Some(i) => (&image[..slash + i], &image[slash + i + 1..]),
            None => (image, "v0.1.0"),
        };
        check_value("--image's name", image_name, "./-_:")?;
        check_value("--image's tag", tag, ".-_")?;
        if port == 0 {
            return Err(Error::Invalid("--port 0 is not a port".into()));
        }
        if !health_path.starts_with('/') {
            return Err(Error::Invalid(format!(
                "--health-path {health_path:?} must start with '/'"
            )));
        }
        check_value("--health-path", health_path.trim_start_matches('/'), "/._-")
            .or_else(|e| if health_path == "/" { Ok(()) } else { Err(e) })?;
        let state = match state {
            "none" => None,
            s => match s.strip_prefix("single-writer:") {
                Some(path) => {
                    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    if !path.starts_with('/') || dir.is_empty() || path.ends_with('/') {
                        return Err(Error::Invalid(format!(
                            "--state {s:?}: give the file's absolute path below a folder of its own (single-writer:/data/{name}.db); the folder is the volume's mount"
                        )));
                    }
                    check_value("--state's path", &path[1..], "/._-")?;
                    if dir == "/tmp" {
                        return Err(Error::Invalid(format!(
                            "--state {s:?}: /tmp is the app's scratch space (an emptyDir); put the state in a folder of its own (/data)"
                        )));
                    }
                    Some(path.to_string())
                }
                None => {
                    return Err(Error::Invalid(format!(
                        "--state {s:?}: expected none or single-writer:PATH (single-writer:/data/{name}.db)"
                    )));
                }
            },
        };
        check_size("--storage", storage)?;
        let replicas = match (replicas, &state) {
            (Some(n), Some(_)) if n != 1 => {
                return Err(Error::Invalid(format!(
                    "--replicas {n} with a single-writer state: only one process may write the file, so the app runs one replica"
                )));
            }
            (Some(0), _) => {
                return Err(Error::Invalid("--replicas 0: the app would not run".into()));
            }
            (Some(n), _) => n,
            (None, Some(_)) => 1,
            (None, None) => 2,
        };
        if let Some(h) = host {
            check_host(h)?;
        }
        Ok(AppSpec {
            name: name.to_string(),
            image: image_name.to_string(),
            tag: tag.to_string(),
            port,
            health_path: health_path.to_string(),
            state,
            storage: storage.to_string(),
            replicas,
            host: host.map(str::to_string),
            github_actions: None,
            argocd: None,
        })
    }

    /// The folder the state's file is in: the volume's mount.
    fn mount(&self) -> Option<&str> {
        self.state
            .as_deref()
            .and_then(|p| p.rsplit_once('/').map(|(d, _)| d))
    }

    /// The files under the output folder (the workflow, which goes at the
    /// repository's top, is [`AppSpec::workflow`]).
    pub fn files(&self) -> Vec<File> {
        let mut out = vec![
            File::new("base/kustomization.yaml", self.base_kustomization()),
            File::new("base/deployment.yaml", self.deployment()),
            File::new("base/service.yaml", self.service()),
        ];
        if self.state.is_some() {
            out.push(File::new("base/pvc.yaml", self.pvc()));
        }
        out.push(File::new(
            "overlays/dev/kustomization.yaml",
            self.dev_kustomization(),
        ));
        if self.state.is_some() {
            out.push(File::new(
                "overlays/dev/data-emptydir.yaml",
                self.dev_emptydir(),
            ));
            out.push(File::new(
                "overlays/dev/delete-pvc.yaml",
                self.dev_delete_pvc(),
            ));
        }
        out.push(File::new(
            "overlays/staging/kustomization.yaml",
            self.staging_kustomization(),
        ));
        out.push(File::new(
            "overlays/production/kustomization.yaml",
            self.production_kustomization(),
        ));
        if self.host.is_some() {
            out.push(File::new(
                "overlays/production/ingress.yaml",
                self.ingress(),
            ));
        }
        out.push(File::new(".rustomize-check.yaml", self.check_config()));
        if let Some(a) = &self.argocd {
            for (env, suffix) in ENVIRONMENTS {
                out.push(File::new(
                    format!("argocd/{env}.yaml"),
                    extras::application(&self.name, env, suffix, a),
                ));
            }
        }
        out
    }

    /// The GitHub Actions workflow, relative to the repository's top.
    pub fn workflow(&self) -> Option<File> {
        self.github_actions.as_ref().map(|w| {
            File::new(
                ".github/workflows/rustomize.yaml",
                extras::workflow(&self.name, w),
            )
        })
    }

    fn base_kustomization(&self) -> String {
        let n = &self.name;
        let mut s = format!(
            "# Base for {n}: what every environment runs. The overlays change the\n\
# namespace, the image's tag and what differs per environment.\n"
        );
        if let Some(path) = &self.state {
            let _ = write!(
                s,
                "#\n# {n} keeps its state in {path}, a file only one process may write\n\
# (SQLite, DuckDB): one replica, the Recreate strategy and a ReadWriteOnce\n\
# claim (see deployment.yaml). The data on the volume is not in Git: a\n\
# rollback of these files does not roll it back.\n"
            );
        }
        let _ = write!(
            s,
            "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

labels:
  # The selector label: set once here, never changed by an overlay (a
  # Deployment's selector cannot change after it is created).
  - pairs:
      app.kubernetes.io/name: {n}
    includeSelectors: true
  # Descriptive labels: on every object and pod template, not in selectors.
  - pairs:
      app.kubernetes.io/part-of: {n}
    includeTemplates: true

resources:
  - deployment.yaml
  - service.yaml
"
        );
        if self.state.is_some() {
            s.push_str("  - pvc.yaml\n");
        }
        let _ = write!(
            s,
            "
# The app's settings, as environment variables (envFrom in deployment.yaml).
# An overlay changes one with `behavior: merge`. Secrets do not belong here:
# use a secretGenerator reading a file kept out of Git, or an ExternalSecret.
configMapGenerator:
  - name: {n}-config
    literals:
      - PORT={port}
      - LOG_LEVEL=info
",
            port = self.port
        );
        if let Some(path) = &self.state {
            let _ = writeln!(s, "      - DATA_PATH={path}");
        }
        s
    }

    fn deployment(&self) -> String {
        let n = &self.name;
        let mut s = format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}
spec:
"
        );
        match (&self.state, self.mount()) {
            (Some(path), Some(_)) => {
                let _ = write!(
                    s,
                    "  # One writer: only one process may write {path}. One replica, and
  # Recreate stops the old pod before the new one starts, so the two never
  # hold the ReadWriteOnce volume (or the file's lock) at once.
  replicas: 1
  strategy:
    type: Recreate
"
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "  # No state in the pod: replicas share the load and a rolling update
  # replaces them one at a time.
  replicas: {}
",
                    self.replicas
                );
            }
        }
        let _ = write!(
            s,
            "  template:
    spec:
      # Never root: UID and GID 1000; fsGroup makes mounted volumes
      # writable for that group.
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {n}
          # The overlays set the tag (images: in each kustomization).
          image: {image}:{tag}
          ports:
            - name: http
              containerPort: {port}
          envFrom:
            - configMapRef:
                name: {n}-config
          # Traffic only once {health} answers; restarted when it stops.
          readinessProbe:
            httpGet:
              path: {health}
              port: http
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: {health}
              port: http
            initialDelaySeconds: 10
            periodSeconds: 20
          # Requests are what the scheduler reserves; limits cap the pod
          # (over the memory limit it is killed). Measure, then adjust.
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          # The root filesystem is read-only: the app writes only to the
          # volumes below.
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [\"ALL\"]
          volumeMounts:
",
            image = self.image,
            tag = self.tag,
            port = self.port,
            health = self.health_path,
        );
        if let Some(mount) = self.mount() {
            let _ = write!(
                s,
                "            # The only writable place that outlives the pod.
            - name: data
              mountPath: {mount}
"
            );
        }
        let _ = write!(
            s,
            "            # Scratch space, emptied when the pod goes away.
            - name: tmp
              mountPath: /tmp
      volumes:
"
        );
        if self.state.is_some() {
            let _ = write!(
                s,
                "        - name: data
          persistentVolumeClaim:
            claimName: {n}-data
"
            );
        }
        s.push_str(
            "        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
",
        );
        s
    }

    fn service(&self) -> String {
        format!(
            "# The app inside the cluster: {n}:80 reaches the container's port named http.
apiVersion: v1
kind: Service
metadata:
  name: {n}
spec:
  type: ClusterIP
  ports:
    - name: http
      port: 80
      targetPort: http
",
            n = self.name
        )
    }

    fn pvc(&self) -> String {
        format!(
            "# The volume of {n}'s state. ReadWriteOnce: one node mounts it at a time,
# which is why the Deployment runs one replica with Recreate. An infra
# repository may bind it to a volume it made (spec.volumeName).
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {n}-data
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: {size}
",
            n = self.name,
            size = self.storage
        )
    }

    fn overlay_head(&self, env: &str, suffix: &str, why: &str) -> String {
        format!(
            "# {env}: {why}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: {n}-{suffix}

resources:
  - ../../base

labels:
  - pairs:
      app.kubernetes.io/environment: {env}
    includeTemplates: true
",
            n = self.name
        )
    }

    fn dev_kustomization(&self) -> String {
        let why = if self.state.is_some() {
            "a laptop cluster (kind, minikube, k3d). The state lives in an\n# emptyDir (lost when the pod goes away), so no claim is needed; debug logging."
        } else {
            "a laptop cluster (kind, minikube, k3d); debug logging."
        };
        let mut s = self.overlay_head("dev", "dev", why);
        let _ = write!(
            s,
            "
# The image main's builds push (`edge`); for one built on this machine, set
# newName and newTag to it and load it into the cluster.
images:
  - name: {image}
    newTag: edge

configMapGenerator:
  - name: {n}-config
    behavior: merge
    literals:
      - LOG_LEVEL=debug
",
            image = self.image,
            n = self.name
        );
        if self.state.is_some() {
            s.push_str("\npatches:\n  - path: data-emptydir.yaml\n  - path: delete-pvc.yaml\n");
        }
        s
    }

    fn dev_emptydir(&self) -> String {
        format!(
            "# dev keeps the state in an emptyDir instead of the claim.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}
spec:
  template:
    spec:
      volumes:
        - name: data
          persistentVolumeClaim: null
          emptyDir:
            sizeLimit: {size}
",
            n = self.name,
            size = self.storage
        )
    }

    fn dev_delete_pvc(&self) -> String {
        format!(
            "# dev keeps the state in an emptyDir, so the base's claim is not needed.
$patch: delete
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {n}-data
",
            n = self.name
        )
    }

    fn staging_kustomization(&self) -> String {
        let mut s = self.overlay_head(
            "staging",
            "staging",
            "follows main. `edge` is the image of main's latest build;\n# `rustomize promote overlays/staging --to sha-<short>` pins one build.",
        );
        let _ = write!(
            s,
            "
images:
  - name: {image}
    newTag: edge
",
            image = self.image
        );
        s
    }

    fn production_kustomization(&self) -> String {
        let mut s = self.overlay_head(
            "production",
            "prod",
            "a pinned release, never a moving tag.\n# `rustomize promote overlays/production --to vX.Y.Z` moves it, and\n# `rustomize rollback overlays/production` moves it back.",
        );
        if self.host.is_some() {
            s = s.replace("  - ../../base\n", "  - ../../base\n  - ingress.yaml\n");
        }
        let _ = write!(
            s,
            "
images:
  - name: {image}
    newTag: {tag}
",
            image = self.image,
            tag = self.tag
        );
        s
    }

    fn ingress(&self) -> String {
        format!(
            "# {n} from outside the cluster, through ingress-nginx, over TLS. The
# certificate is the Secret {n}-tls (cert-manager makes it from an
# annotation on this Ingress, or create it by hand).
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {n}
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {host}
      secretName: {n}-tls
  rules:
    - host: {host}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {n}
                port:
                  name: http
",
            n = self.name,
            host = self.host.as_deref().unwrap_or_default()
        )
    }

    fn check_config(&self) -> String {
        let n = &self.name;
        format!(
            "# `rustomize check overlays/*` reads this file (docs/check.md): which
# overlay is which environment, and the rules this app's deployment plan
# requires, as errors so CI fails on them.
environments:
  production:
    paths: [overlays/production]
    namespaces: [{n}-prod]
  staging:
    paths: [overlays/staging]
    namespaces: [{n}-staging]
  dev:
    paths: [overlays/dev]
    namespaces: [{n}-dev]

rules:
  single-writer-volume: error      # one replica and Recreate on a ReadWriteOnce volume
  run-as-non-root: error
  read-only-root-filesystem: error
  privilege-escalation: error
  readiness-probe: error
  liveness-probe: error
  resource-requests: error
  resource-limits: error
  mutable-image-tag: error         # production pins a release (the rule runs there only)
  version-drift: error             # a remote base's ?ref= and the image tag agree
"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::AppSpec;

    #[test]
    fn bad_options_are_refused_with_the_option_named() {
        let rows: &[(&[&str], &str)] = &[
            (
                &["Dojo", "ghcr.io/x/dojo", "none"],
                "NAME \"Dojo\" is not a valid name",
            ),
            (
                &["dojo", "ghcr.io/x/dojo@sha256:ab", "none"],
                "give a tag, not a digest",
            ),
            (
                &["dojo", "ghcr.io/x/dojo", "single-writer:dojo.db"],
                "absolute path below a folder",
            ),
            (
                &["dojo", "ghcr.io/x/dojo", "single-writer:/dojo.db"],
                "absolute path below a folder",
            ),
            (
                &["dojo", "ghcr.io/x/dojo", "sqlite"],
                "expected none or single-writer:PATH",
            ),
            (
                &["dojo", "ghcr.io/x/dojo #x", "none"],
                "has the character ' '",
            ),
        ];
        let mut bad = Vec::new();
        for (args, want) in rows {
            match AppSpec::new(
                args[0], args[1], 8080, "/healthz", args[2], "1Gi", None, None,
            ) {
                Ok(_) => bad.push(format!("{args:?}: accepted")),
                Err(e) if e.to_string().contains(want) => {}
                Err(e) => bad.push(format!("{args:?}: {e}")),
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
        let e = AppSpec::new(
            "dojo",
            "x/dojo",
            8080,
            "/healthz",
            "single-writer:/data/d.db",
            "1Gi",
            Some(2),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("runs one replica"), "{e}");
    }

    #[test]
    fn image_tag_and_defaults() {
        let s = AppSpec::new(
            "web",
            "ghcr.io/x/web:v2.0.1",
            3000,
            "/",
            "none",
            "1Gi",
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            (s.image.as_str(), s.tag.as_str(), s.replicas),
            ("ghcr.io/x/web", "v2.0.1", 2)
        );
        let s = AppSpec::new(
            "web",
            "localhost:5000/web",
            3000,
            "/",
            "single-writer:/var/lib/web/db",
            "1Gi",
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            (s.image.as_str(), s.tag.as_str(), s.replicas),
            ("localhost:5000/web", "v0.1.0", 1)
        );
        assert_eq!(s.mount(), Some("/var/lib/web"));
    }
}
