#!/usr/bin/env python3
"""Generate a large, realistic kustomize tree for benchmarks and differential tests.

The tree looks like a platform team's monorepo of many small apps:

    OUT/
    ├── apps/<app>/base/                 Deployment, Service, ServiceAccount, HPA, PVC,
    │                                    a ConfigMap generator (literals and a file)
    ├── apps/<app>/overlays/dev/         namePrefix, namespace, labels, local-ish image,
    ├── apps/<app>/overlays/staging/     replicas, strategic merge and JSON 6902 patches
    ├── apps/<app>/overlays/production/  (inline and from files), configMapGenerator merge,
    │                                    secretGenerator, annotations
    ├── envs/<env>/kustomization.yaml    every app's overlay for one environment
    └── all/kustomization.yaml           the three environments together

Every app is drawn from its own random stream seeded with "<seed>:<index>", so the
tree is deterministic, and app N is the same whatever the number of apps. Only the
Python standard library is used.

The inputs vary the way hand-written trees do (quoted and plain scalars, flow and block
sequences, comments, block literals, values that YAML 1.1 would read as booleans or
numbers, long strings), so a build exercises the parser and the emitter as well as the
transformers.

Usage:
    bench/gen_tree.py [--apps N] [--out DIR] [--seed S] [--force]

Then build one of:
    OUT/apps/app-0000/overlays/production     one app, one environment
    OUT/envs/production                       N apps, ~8 objects each
    OUT/all                                   3 environments: ~24 objects per app
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

ENVS = ("dev", "staging", "production")

TEAMS = ("payments", "search", "identity", "growth", "platform", "data", "media", "ops")
REGISTRIES = (
    "ghcr.io/example",
    "registry.example.com/apps",
    "docker.io/examplecorp",
    "europe-docker.pkg.dev/example-prod/containers",
)
WORDS = (
    "api", "worker", "gateway", "indexer", "billing", "ledger", "notifier", "scheduler",
    "catalog", "profile", "session", "render", "upload", "export", "audit", "metrics",
)
DESCRIPTIONS = (
    "Handles incoming requests for the {team} team and keeps a small local cache on its volume",
    "Background worker that drains the {team} queue, retries failed jobs with exponential backoff and reports progress",
    "Internal service",
    "Serves the {team} dashboard; talks to the shared PostgreSQL cluster and to the object store for large exports",
)
# Values a person writes in a .env or literal list; several of them are strings that a
# YAML 1.1 reader would take for another type, so the emitter has to quote them.
LITERAL_POOL = (
    ("FEATURE_FLAGS", "search,export"),
    ("ENABLE_CACHE", "true"),
    ("STRICT_MODE", "on"),
    ("WORKERS", "4"),
    ("TIMEOUT_SECONDS", "30"),
    ("RATIO", "0.25"),
    ("MAX_BODY", "1e3"),
    ("FILE_MODE", "0644"),
    ("TRACING", "no"),
    ("EMPTY_VALUE", ""),
    ("GREETING", "hello: world"),
    ("UPSTREAM_URL", "http://upstream.svc.cluster.local:8080/v1"),
    ("TZ", "Europe/Paris"),
    ("NULLISH", "~"),
)


def app_name(i: int) -> str:
    """Name of app number i (zero-based)."""
    return f"app-{i:04d}"


def fake_digest(*parts: str) -> str:
    """A deterministic, obviously fake sha256 digest."""
    return "sha256:" + hashlib.sha256(":".join(parts).encode()).hexdigest()


def short_sha(*parts: str) -> str:
    """A deterministic 7-character commit-like hash."""
    return hashlib.sha1(":".join(parts).encode()).hexdigest()[:7]


def yaml_item(text: str) -> str:
    """text as a YAML scalar: plain where that reads back as the same string, else quoted."""
    if ": " in text or " #" in text or text[:1] in "!&*[]{}|>'\"%@`#,?:-":
        return json.dumps(text)
    return text


def write(path: Path, text: str) -> None:
    """Write text to path, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


class App:
    """The random choices for one app, drawn once so base and overlays agree."""

    def __init__(self, seed: str, index: int) -> None:
        rng = random.Random(f"{seed}:{index}")
        self.rng = rng
        self.index = index
        self.name = app_name(index)
        self.team = rng.choice(TEAMS)
        self.word = rng.choice(WORDS)
        self.image = f"{rng.choice(REGISTRIES)}/{self.team}-{self.word}"
        self.base_tag = f"1.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        self.port = rng.choice((8000, 8080, 3000, 9090, 5000))
        self.metrics = rng.random() < 0.5
        self.sidecar = rng.random() < 0.3
        # Single-writer apps (a file database on a ReadWriteOnce claim) run one replica
        # with Recreate; the others share a ReadWriteMany claim and scale.
        self.single_writer = rng.random() < 0.4
        self.storage_gi = rng.choice((1, 2, 5, 10, 20))
        self.literals = rng.sample(LITERAL_POOL, rng.randint(2, 6))
        self.description = rng.choice(DESCRIPTIONS).format(team=self.team)
        self.cpu_req = rng.choice((50, 100, 200, 250))
        self.mem_req = rng.choice((64, 128, 256, 512))
        self.hpa_min = 1 if self.single_writer else rng.randint(2, 3)
        self.hpa_max = 1 if self.single_writer else rng.randint(4, 12)
        self.prod_replicas = 1 if self.single_writer else rng.randint(2, 6)
        self.prod_digest = rng.random() < 0.25
        self.prod_secret = rng.random() < 0.6
        self.json_patch_as_file = rng.random() < 0.5


# --- base ------------------------------------------------------------------------------


def base_kustomization(app: App) -> str:
    files_line = "      - config/app.toml\n"
    literals = "".join(f"      - {yaml_item(f'{k}={v}')}\n" for k, v in app.literals)
    return f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

# {app.name}: {app.team} team
labels:
  - pairs:
      app.kubernetes.io/name: {app.name}
    includeSelectors: true
  - pairs:
      app.kubernetes.io/part-of: {app.team}
      team: {app.team}
    includeTemplates: true

commonAnnotations:
  example.com/owner: "{app.team}@example.com"
  example.com/description: "{app.description}"

resources:
- serviceaccount.yaml
- deployment.yaml
- service.yaml
- hpa.yaml
- pvc.yaml

configMapGenerator:
  - name: {app.name}-config
    literals:
{literals}    files:
{files_line}"""


def config_file(app: App) -> str:
    return f"""\
# {app.name} settings
[server]
port = {app.port}
read_timeout = "15s"

[storage]
path = "/data/{app.word}.db"
single_writer = {str(app.single_writer).lower()}

[log]
level = "info"
format = "json"
"""


def deployment(app: App) -> str:
    rng = app.rng
    strategy = (
        "  strategy:\n    type: Recreate\n"
        if app.single_writer
        else "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n"
        "      maxSurge: 25%\n      maxUnavailable: 0\n"
    )
    metrics_port = (
        "            - name: metrics\n              containerPort: 9100\n" if app.metrics else ""
    )
    pod_annotations = (
        '      annotations:\n        prometheus.io/scrape: "true"\n'
        '        prometheus.io/port: "9100"\n'
        if app.metrics
        else ""
    )
    sidecar = ""
    if app.sidecar:
        sidecar = f"""\
        - name: log-shipper
          image: docker.io/fluent/fluent-bit:{rng.choice(("2.2.2", "3.0.7", "3.1.4"))}
          args: [--config, /fluent-bit/etc/fluent-bit.conf]
          resources:
            requests: {{cpu: 10m, memory: 32Mi}}
            limits: {{cpu: 100m, memory: 64Mi}}
          volumeMounts:
            - {{name: data, mountPath: /data, readOnly: true}}
"""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app.name}
spec:
  replicas: {app.hpa_min}
  revisionHistoryLimit: 5
{strategy}  template:
    metadata:
{pod_annotations}      labels:
        version: "{app.base_tag}"
    spec:
      serviceAccountName: {app.name}
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        fsGroup: 1000
      containers:
        - name: app
          image: {app.image}:{app.base_tag}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: {app.port}
{metrics_port}          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: PORT
              value: "{app.port}"
            - name: CONFIG_FILE
              value: /etc/{app.name}/app.toml
          envFrom:
            - configMapRef:
                name: {app.name}-config
          readinessProbe:
            httpGet: {{path: /healthz, port: http}}
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: {rng.choice((5, 10, 15))}
          resources:
            requests:
              cpu: {app.cpu_req}m
              memory: {app.mem_req}Mi
            limits:
              cpu: "{rng.choice((1, 2))}"
              memory: {app.mem_req * 2}Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
          volumeMounts:
            - name: data
              mountPath: /data
            - name: config
              mountPath: /etc/{app.name}
              readOnly: true
            - name: tmp
              mountPath: /tmp
{sidecar}      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: {app.name}-data
        - name: config
          configMap:
            name: {app.name}-config
            items:
              - key: app.toml
                path: app.toml
        - name: tmp
          emptyDir: {{}}
"""


def service(app: App) -> str:
    metrics = (
        "    - name: metrics\n      port: 9100\n      targetPort: metrics\n" if app.metrics else ""
    )
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {app.name}
spec:
  type: ClusterIP
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
{metrics}"""


def service_account(app: App) -> str:
    return f"""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app.name}
automountServiceAccountToken: false
"""


def hpa(app: App) -> str:
    return f"""\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app.name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {app.name}
  minReplicas: {app.hpa_min}
  maxReplicas: {app.hpa_max}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {app.rng.choice((60, 70, 80))}
"""


def pvc(app: App) -> str:
    mode = "ReadWriteOnce" if app.single_writer else "ReadWriteMany"
    return f"""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {app.name}-data
spec:
  accessModes: [{mode}]
  resources:
    requests:
      storage: {app.storage_gi}Gi
"""


def write_base(root: Path, app: App) -> None:
    base = root / "apps" / app.name / "base"
    write(base / "kustomization.yaml", base_kustomization(app))
    write(base / "config" / "app.toml", config_file(app))
    write(base / "deployment.yaml", deployment(app))
    write(base / "service.yaml", service(app))
    write(base / "serviceaccount.yaml", service_account(app))
    write(base / "hpa.yaml", hpa(app))
    write(base / "pvc.yaml", pvc(app))


# --- overlays --------------------------------------------------------------------------


def write_dev(root: Path, app: App) -> None:
    d = root / "apps" / app.name / "overlays" / "dev"
    sha = short_sha(app.name, "dev")
    write(
        d / "kustomization.yaml",
        f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: dev
namePrefix: dev-

resources:
  - ../../base

labels:
  - pairs:
      environment: dev

images:
  - name: {app.image}
    newName: localhost:5000/{app.team}-{app.word}
    newTag: sha-{sha}

replicas:
  - name: {app.name}
    count: 1

configMapGenerator:
  - name: {app.name}-config
    behavior: merge
    literals:
      - LOG_LEVEL=debug
      - ENABLE_CACHE=false

patches:
  # Smaller footprint on the dev cluster.
  - path: resources.yaml
  # Dev never scales out.
  - target:
      group: autoscaling
      version: v2
      kind: HorizontalPodAutoscaler
      name: {app.name}
    patch: |-
      - op: replace
        path: /spec/minReplicas
        value: 1
      - op: replace
        path: /spec/maxReplicas
        value: 1
""",
    )
    write(
        d / "resources.yaml",
        f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app.name}
spec:
  template:
    spec:
      containers:
        - name: app
          resources:
            requests:
              cpu: 10m
              memory: {app.mem_req // 2}Mi
          env:
            - name: DEBUG
              value: "1"
""",
    )


def write_staging(root: Path, app: App) -> None:
    d = root / "apps" / app.name / "overlays" / "staging"
    tag = "edge" if app.index % 3 else f"sha-{short_sha(app.name, 'staging')}"
    json_patch = [
        {"op": "add", "path": "/metadata/annotations/example.com~1tier", "value": "staging"},
        {"op": "replace", "path": "/spec/revisionHistoryLimit", "value": 2},
    ]
    if app.json_patch_as_file:
        json_entry = f"""\
  - path: deployment-patch.json
    target:
      kind: Deployment
      name: {app.name}
"""
        write(d / "deployment-patch.json", json.dumps(json_patch, indent=2) + "\n")
    else:
        ops = "".join(
            f"      - {{op: {op['op']}, path: {op['path']}, value: {op['value']}}}\n"
            for op in json_patch
        )
        json_entry = f"""\
  - target:
      kind: Deployment
      name: {app.name}
    patch: |-
{ops.rstrip(chr(10))}
"""
    write(
        d / "kustomization.yaml",
        f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: staging
nameSuffix: -stg

resources:
- ../../base

labels:
- pairs:
    environment: staging
  includeTemplates: true

images:
- name: {app.image}
  newTag: {tag}

replicas:
- name: {app.name}
  count: {min(2, app.hpa_max)}

configMapGenerator:
- name: {app.name}-config
  behavior: merge
  literals:
  - LOG_LEVEL=info
  - UPSTREAM_URL=http://upstream.staging.svc.cluster.local:8080/v1

patches:
{json_entry}  # A strategic merge patch applied by target, whatever the object's name.
  - target:
      kind: Deployment
      labelSelector: app.kubernetes.io/name={app.name}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: any
      spec:
        template:
          spec:
            containers:
              - name: app
                env:
                  - name: ENVIRONMENT
                    value: staging
""",
    )


def write_production(root: Path, app: App) -> None:
    d = root / "apps" / app.name / "overlays" / "production"
    rng = app.rng
    version = f"v{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    image = f"- name: {app.image}\n  newTag: {version}\n"
    if app.prod_digest:
        image += f"  digest: {fake_digest(app.name, version)}\n"
    secret = ""
    secret_patch = ""
    if app.prod_secret:
        secret = f"""
secretGenerator:
- name: {app.name}-credentials
  envs:
  - credentials.env
"""
        write(
            d / "credentials.env",
            "# Placeholder values for benchmarks; not real credentials.\n"
            f"API_KEY=fake-{short_sha(app.name, 'key')}\n"
            f"DB_PASSWORD=not-a-real-password-{app.index}\n",
        )
        secret_patch = f"""\
            - secretRef:
                name: {app.name}-credentials
"""
    write(
        d / "kustomization.yaml",
        f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: production

resources:
- ../../base

labels:
- pairs:
    environment: production
  includeTemplates: true

commonAnnotations:
  example.com/release: "{version}"

images:
{image}
replicas:
- name: {app.name}
  count: {app.prod_replicas}

configMapGenerator:
- name: {app.name}-config
  behavior: merge
  literals:
  - LOG_LEVEL=warning
  - TRACING=yes
{secret}
patches:
- path: deployment.yaml
- path: pvc.yaml
- target:
    kind: HorizontalPodAutoscaler
    name: {app.name}
  patch: |-
    - op: replace
      path: /spec/minReplicas
      value: {app.prod_replicas}
    - op: replace
      path: /spec/maxReplicas
      value: {max(app.prod_replicas, app.hpa_max * 2 if not app.single_writer else 1)}
""",
    )
    write(
        d / "deployment.yaml",
        f"""\
# Production: requests equal to limits, spread over nodes.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app.name}
spec:
  template:
    spec:
      priorityClassName: production
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: {app.name}
      containers:
        - name: app
          envFrom:
            - configMapRef:
                name: {app.name}-config
{secret_patch}          resources:
            requests:
              cpu: {app.cpu_req * 2}m
              memory: {app.mem_req * 2}Mi
            limits:
              cpu: {app.cpu_req * 2}m
              memory: {app.mem_req * 2}Mi
""",
    )
    write(
        d / "pvc.yaml",
        f"""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {app.name}-data
spec:
  storageClassName: {"fast-ssd" if app.single_writer else "shared-nfs"}
  resources:
    requests:
      storage: {app.storage_gi * 5}Gi
""",
    )


# --- aggregates ------------------------------------------------------------------------


def write_aggregates(root: Path, n: int) -> None:
    for env in ENVS:
        lines = "".join(f"  - ../../apps/{app_name(i)}/overlays/{env}\n" for i in range(n))
        write(
            root / "envs" / env / "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\n"
            "kind: Kustomization\n"
            f"# Every app's {env} overlay.\n"
            f"resources:\n{lines}",
        )
    write(
        root / "all" / "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "# All environments; they do not clash because each has its own namespace.\n"
        "resources:\n" + "".join(f"  - ../envs/{env}\n" for env in ENVS),
    )


def generate(root: Path, n: int, seed: str) -> None:
    """Write the whole tree for n apps under root."""
    for i in range(n):
        app = App(seed, i)
        write_base(root, app)
        write_dev(root, app)
        write_staging(root, app)
        write_production(root, app)
    write_aggregates(root, n)
    write(
        root / "README.md",
        f"Generated by bench/gen_tree.py --apps {n} --seed {seed}. Do not edit.\n",
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a large, realistic kustomize tree (deterministic)."
    )
    parser.add_argument("--apps", type=int, default=1000, help="number of apps (default 1000)")
    parser.add_argument("--out", type=Path, default=Path("bench-tree"), help="output directory")
    parser.add_argument("--seed", default="rustomize", help="random seed (default: rustomize)")
    parser.add_argument(
        "--force", action="store_true", help="delete OUT first if it exists"
    )
    args = parser.parse_args(argv)
    if args.apps < 1:
        parser.error("--apps must be at least 1")
    if args.out.exists():
        if not args.force:
            parser.error(f"{args.out} exists; pass --force to replace it")
        shutil.rmtree(args.out)
    generate(args.out, args.apps, args.seed)
    print(f"wrote {args.apps} apps to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
