#!/usr/bin/env python3
"""Write a benchmark tree of N apps for timing `rustomize build` / `check`
against `kubectl kustomize`.

    tools/gen-bench-tree.py DIR [N=1000]

DIR/kustomization.yaml lists apps/app-0000 ... ; each app is a base with a
Deployment (probes, limits, non-root, read-only root, a ReadWriteOnce claim,
Recreate), a Service, a ConfigMap and a PersistentVolumeClaim: four objects
per app, all passing `rustomize check`. Only `resources` are used, so every
engine version builds it.
"""

import os
import sys

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
  labels: {{app: {app}}}
spec:
  replicas: 1
  strategy: {{type: Recreate}}
  selector:
    matchLabels: {{app: {app}}}
  template:
    metadata:
      labels: {{app: {app}}}
    spec:
      securityContext: {{runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000}}
      containers:
      - name: {app}
        image: ghcr.io/org/{app}:v1.{i}.0
        ports:
        - {{name: http, containerPort: 8000}}
        envFrom:
        - configMapRef: {{name: {app}-config}}
        readinessProbe:
          httpGet: {{path: /healthz, port: http}}
        livenessProbe:
          httpGet: {{path: /healthz, port: http}}
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{cpu: 500m, memory: 256Mi}}
        securityContext:
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
        volumeMounts:
        - {{name: data, mountPath: /data}}
      volumes:
      - name: data
        persistentVolumeClaim: {{claimName: {app}-data}}
"""

REST = """apiVersion: v1
kind: Service
metadata: {{name: {app}, namespace: {ns}}}
spec:
  selector: {{app: {app}}}
  ports:
  - {{port: 80, targetPort: http}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: {app}-config, namespace: {ns}}}
data:
  LOG_LEVEL: info
  APP_NAME: {app}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {app}-data, namespace: {ns}}}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {{storage: 1Gi}}
"""


def main():
    root = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    apps = []
    for i in range(n):
        app = f"app-{i:04d}"
        ns = f"team-{i % 20:02d}"
        d = os.path.join(root, "apps", app)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "deployment.yaml"), "w") as f:
            f.write(DEPLOYMENT.format(app=app, ns=ns, i=i))
        with open(os.path.join(d, "rest.yaml"), "w") as f:
            f.write(REST.format(app=app, ns=ns))
        with open(os.path.join(d, "kustomization.yaml"), "w") as f:
            f.write("resources:\n- deployment.yaml\n- rest.yaml\n")
        apps.append(f"apps/{app}")
    with open(os.path.join(root, "kustomization.yaml"), "w") as f:
        f.write("resources:\n" + "".join(f"- {a}\n" for a in apps))


if __name__ == "__main__":
    main()
