//! Differential test against `kubectl kustomize`.
//!
//! Generates many small kustomize trees from a seeded pseudo-random stream
//! (the same trees on every run), builds each with `kubectl kustomize` and
//! with `rustomize build`, and compares the bytes printed. When kubectl
//! fails on a tree, rustomize must fail too. A mismatch prints the tree (every
//! file), the first differing lines, and where the tree was kept.
//!
//! The trees use what the engine supports: resources in several files and
//! documents, a base and a second base, an overlay, components, namePrefix
//! and nameSuffix, namespace, commonLabels and labels, commonAnnotations,
//! images, replicas, configMapGenerator and secretGenerator (literals, files,
//! env files, merge behaviour), strategic merge and JSON 6902 patches (from
//! files or inline, with targets), and scalars YAML 1.1 and 1.2 read
//! differently (`on`, `0777`, `1e3`, `~`), long strings that fold, multi-line
//! strings and odd characters.
//!
//! Two kustomize quirks this test found are reproduced and exercised here:
//! label values shared between the fields one label run creates (base and
//! overlay labels sometimes use the same key), and folded (`>`) blocks
//! re-read after yaml.v3 writes them back (more-indented lines in folded
//! blocks).
//!
//! Needs `kubectl` with kustomize v5.5.0: skipped with a message when it is
//! missing, failed instead under `RUSTOMIZE_REQUIRE_ORACLES=1`.
//! `RUSTOMIZE_DIFF_TREES=N` changes the number of trees (default 80),
//! `RUSTOMIZE_DIFF_SEED=S` the seed; with `RUSTOMIZE_DIFF_KEEP` set the
//! trees stay on disk (the path is printed).

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// splitmix64: a tiny deterministic generator, enough to vary trees.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Scalars that YAML 1.1 (kustomize's printer) and YAML 1.2 (its reader)
/// see differently, or that need quoting, folding or escapes.
const ODD_VALUES: &[&str] = &[
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "true",
    "False",
    "0777",
    "0o17",
    "0x1F",
    "1e3",
    "1_000",
    "12",
    "-3",
    "3.0",
    ".5",
    "~",
    "null",
    "",
    "a: b",
    "x #y",
    "- item",
    "@at",
    "`tick`",
    "%pct",
    "it's",
    "say \"hi\"",
    "back\\slash",
    "tab\there",
    "café",
    "emoji 😀",
    "2001-12-14",
    "12:30:45",
    "1:20",
    "*star",
    "&amp",
    "!bang",
    "{braces}",
    "[brackets]",
    "trailing ",
    " leading",
    "=",
    "<<",
];

const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
];

/// One generated tree: relative path -> file content.
#[derive(Default)]
struct Tree {
    files: BTreeMap<String, String>,
}

impl Tree {
    fn add(&mut self, path: &str, content: String) {
        self.files.insert(path.to_string(), content);
    }

    fn write(&self, root: &Path) {
        for (rel, content) in &self.files {
            let p = root.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("create tree directory");
            }
            std::fs::write(&p, content).expect("write tree file");
        }
    }

    fn listing(&self) -> String {
        let mut s = String::new();
        for (rel, content) in &self.files {
            let _ = writeln!(s, "==> {rel} <==\n{content}");
        }
        s
    }
}

/// A YAML scalar for `value`, written in one of the styles that reads
/// back as the same string.
fn quoted(rng: &mut Rng, value: &str) -> String {
    let plain_ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !value.starts_with(['-', '.'])
        && value.parse::<f64>().is_err()
        && !ODD_VALUES.contains(&value);
    if plain_ok && rng.chance(60) {
        return value.to_string();
    }
    if !value.contains(['\n', '\t', '\\']) && rng.chance(40) {
        return format!("'{}'", value.replace('\'', "''"));
    }
    let mut s = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// A value as it may appear in a hand-written file: sometimes plain even
/// when YAML reads it as another type (what the emitter must re-quote).
fn odd_scalar(rng: &mut Rng) -> String {
    let v = rng.pick(ODD_VALUES);
    let plain_safe = !v.is_empty()
        && !v.starts_with([
            ' ', '-', '@', '`', '%', '*', '&', '!', '{', '[', '\'', '"', '<',
        ])
        && !v.contains([':', '#', '\t', '"', '\\'])
        && !v.ends_with(' ');
    if plain_safe && rng.chance(50) {
        v.to_string()
    } else {
        quoted(rng, v)
    }
}

/// A long text with spaces (folded by the printer past column 80).
fn long_text(rng: &mut Rng) -> String {
    let n = 8 + rng.below(30);
    let mut words = Vec::new();
    for _ in 0..n {
        let w = rng.pick(WORDS);
        words.push(if rng.chance(10) {
            format!("{w}{w}{w}{w}{w}{w}")
        } else {
            w.to_string()
        });
    }
    let sep = if rng.chance(15) { "  " } else { " " };
    words.join(sep)
}

/// A multi-line text, written as a literal block under `indent`.
fn block_text(rng: &mut Rng, indent: usize) -> String {
    let lines = 1 + rng.below(4);
    let pad = " ".repeat(indent);
    let style = rng.pick(&["|", "|-", "|+", ">", ">-"]);
    let mut out = String::from(style);
    for i in 0..lines {
        out.push('\n');
        out.push_str(&pad);
        if i > 0 && rng.chance(20) {
            out.push_str("  ");
        }
        out.push_str(rng.pick(WORDS));
        out.push_str(if rng.chance(30) { " = on" } else { " line" });
    }
    if rng.chance(30) {
        out.push('\n');
    }
    out
}

/// A string value for data maps, env values and annotations.
fn any_value(rng: &mut Rng, indent: usize) -> String {
    match rng.below(10) {
        0..=3 => odd_scalar(rng),
        4 | 5 => {
            let t = long_text(rng);
            quoted(rng, &t)
        }
        6 => block_text(rng, indent),
        7 => {
            let t = format!("{}\n{}\n", rng.pick(WORDS), rng.pick(WORDS));
            quoted(rng, &t)
        }
        _ => {
            let w = rng.pick(WORDS);
            quoted(rng, w)
        }
    }
}

/// One app's resources: names are `<app>-...`.
struct App {
    name: String,
    image: &'static str,
    config_map: Option<String>,
    secret: Option<String>,
    claim: bool,
    service_account: bool,
}

fn deployment(rng: &mut Rng, app: &App, kind: &str) -> String {
    let mut s = String::new();
    let api = if kind == "CronJob" {
        "batch/v1"
    } else {
        "apps/v1"
    };
    let _ = writeln!(
        s,
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {}",
        app.name
    );
    if rng.chance(40) {
        let _ = writeln!(
            s,
            "  labels:\n    app: {}\n    tier: {}",
            app.name,
            rng.pick(WORDS)
        );
    }
    if rng.chance(40) {
        let _ = writeln!(s, "  annotations:\n    note: {}", any_value(rng, 6));
    }
    let (pod, ind) = if kind == "CronJob" {
        let _ = writeln!(
            s,
            "spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:"
        );
        ("", "        ")
    } else {
        let _ = writeln!(s, "spec:");
        if rng.chance(70) {
            let _ = writeln!(s, "  replicas: {}", rng.below(5));
        }
        if kind == "StatefulSet" {
            let _ = writeln!(s, "  serviceName: {}", app.name);
        }
        let _ = writeln!(
            s,
            "  selector:\n    matchLabels:\n      app: {}\n  template:",
            app.name
        );
        ("", "    ")
    };
    let _ = pod;
    let _ = writeln!(
        s,
        "{ind}metadata:\n{ind}  labels:\n{ind}    app: {}",
        app.name
    );
    let _ = writeln!(s, "{ind}spec:");
    if kind == "CronJob" {
        let _ = writeln!(s, "{ind}  restartPolicy: OnFailure");
    }
    if app.service_account {
        let _ = writeln!(s, "{ind}  serviceAccountName: {}", app.name);
    }
    let _ = writeln!(s, "{ind}  containers:");
    let containers = 1 + rng.below(2);
    for c in 0..containers {
        let tag = rng.pick(&[
            "",
            ":1.0",
            ":latest",
            "@sha256:abc123",
            ":2.1@sha256:def456",
        ]);
        let _ = writeln!(s, "{ind}  - name: c{c}\n{ind}    image: {}{tag}", app.image);
        if rng.chance(50) {
            let (a, b) = (rng.pick(WORDS), rng.pick(WORDS));
            let a = quoted(rng, a);
            let _ = writeln!(s, "{ind}    args: [{a}, \"--flag={b}\"]");
        }
        if rng.chance(60) {
            let _ = writeln!(s, "{ind}    env:");
            for i in 0..1 + rng.below(3) {
                let _ = writeln!(
                    s,
                    "{ind}    - name: V{i}\n{ind}      value: {}",
                    any_value(rng, 8 + ind.len())
                );
            }
        }
        if let Some(cm) = &app.config_map
            && rng.chance(70)
        {
            let _ = writeln!(
                s,
                "{ind}    envFrom:\n{ind}    - configMapRef:\n{ind}        name: {cm}"
            );
            if let Some(sec) = &app.secret {
                let _ = writeln!(s, "{ind}    - secretRef:\n{ind}        name: {sec}");
            }
        }
        if rng.chance(40) {
            let _ = writeln!(
                s,
                "{ind}    ports:\n{ind}    - containerPort: {}\n{ind}      name: http",
                8000 + rng.below(100)
            );
        }
    }
    let mut volumes = Vec::new();
    if let Some(cm) = &app.config_map {
        volumes.push(format!(
            "{ind}  - name: cfg\n{ind}    configMap:\n{ind}      name: {cm}"
        ));
    }
    if let Some(sec) = &app.secret {
        volumes.push(format!(
            "{ind}  - name: sec\n{ind}    secret:\n{ind}      secretName: {sec}\n{ind}      defaultMode: 0644"
        ));
    }
    if app.claim {
        volumes.push(format!(
            "{ind}  - name: data\n{ind}    persistentVolumeClaim:\n{ind}      claimName: {}",
            app.name
        ));
    }
    if !volumes.is_empty() && rng.chance(80) {
        let _ = writeln!(s, "{ind}  volumes:\n{}", volumes.join("\n"));
    }
    s
}

fn service(rng: &mut Rng, app: &App) -> String {
    let mut s = format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {}\nspec:\n  selector:\n    app: {}\n  ports:\n",
        app.name, app.name
    );
    if rng.chance(50) {
        let _ = writeln!(s, "  - {{port: 80, targetPort: http, protocol: TCP}}");
    } else {
        let _ = writeln!(s, "  - port: 80\n    targetPort: {}", 8000 + rng.below(100));
    }
    s
}

fn extras(rng: &mut Rng, app: &App) -> Vec<String> {
    let mut docs = Vec::new();
    if app.service_account {
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n",
            app.name
        ));
    }
    if app.claim {
        docs.push(format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {}Gi\n",
            app.name,
            1 + rng.below(9)
        ));
    }
    if rng.chance(40) {
        docs.push(format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {}\n  minReplicas: 1\n  maxReplicas: {}\n",
            app.name,
            app.name,
            2 + rng.below(8)
        ));
    }
    if rng.chance(50) {
        let mut s = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}-static\ndata:\n",
            app.name
        );
        for i in 0..1 + rng.below(5) {
            // Keys the printer sorts naturally (a2 before a10).
            let key = rng.pick(&["k", "a", "A", "_k", "k.x", "k-x"]);
            let n = rng.pick(&["1", "2", "10", "01", ""]);
            let _ = writeln!(s, "  {key}{n}{i}: {}", any_value(rng, 4));
        }
        if rng.chance(40) {
            // Keys YAML 1.1 reads as something else (quoted when printed).
            let key = rng.pick(&[
                "on", "y", "\"1\"", "\"true\"", "\"null\"", "\"0777\"", "'~'",
            ]);
            let _ = writeln!(s, "  {key}: {}", odd_scalar(rng));
        }
        docs.push(s);
    }
    if app.service_account && rng.chance(40) {
        let (role_kind, binding_kind, ns_line) = if rng.chance(50) {
            ("Role", "RoleBinding", "")
        } else {
            (
                "ClusterRole",
                "ClusterRoleBinding",
                "  namespace: elsewhere\n",
            )
        };
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {role_kind}\nmetadata:\n  name: {n}-reader\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get, list]\n",
            n = app.name
        ));
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {binding_kind}\nmetadata:\n  name: {n}-reader\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {role_kind}\n  name: {n}-reader\nsubjects:\n- kind: ServiceAccount\n  name: {n}\n{ns_line}",
            n = app.name
        ));
    }
    if rng.chance(25) {
        docs.push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {n}\n  annotations:\n    nginx.ingress.kubernetes.io/rewrite-target: /\nspec:\n  rules:\n  - host: {n}.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: {n}\n            port:\n              number: 80\n",
            n = app.name
        ));
    }
    if rng.chance(15) {
        docs.push(format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: {n}-listed\n  type: Opaque\n  stringData:\n    password: {v}\n- apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata:\n    name: {n}\n  spec:\n    minAvailable: 1\n    selector:\n      matchLabels:\n        app: {n}\n",
            n = app.name,
            v = odd_scalar(rng)
        ));
    }
    docs
}

fn generator_block(
    rng: &mut Rng,
    field: &str,
    name: &str,
    dir: &str,
    tree: &mut Tree,
    behavior: Option<&str>,
) -> String {
    let mut s = format!("{field}:\n- name: {name}\n");
    if let Some(b) = behavior {
        let _ = writeln!(s, "  behavior: {b}");
    }
    let literals = rng.below(4);
    if literals > 0 || rng.chance(50) {
        let _ = writeln!(s, "  literals:");
        for i in 0..literals.max(1) {
            let v = match rng.below(4) {
                0 => rng.pick(ODD_VALUES).to_string(),
                1 => long_text(rng),
                _ => rng.pick(WORDS).to_string(),
            };
            let lit = format!("L{i}={v}");
            let _ = writeln!(s, "  - {}", quoted(rng, &lit));
        }
    }
    if rng.chance(40) {
        let file = format!("{name}-{}.txt", rng.below(1000));
        let mut content = String::new();
        for _ in 0..1 + rng.below(3) {
            let _ = writeln!(content, "{} = {}", rng.pick(WORDS), rng.pick(ODD_VALUES));
        }
        tree.add(&format!("{dir}/{file}"), content);
        let _ = writeln!(s, "  files:\n  - {file}");
    }
    if rng.chance(30) {
        let file = format!("{name}.env");
        let mut content = String::new();
        for i in 0..1 + rng.below(3) {
            let _ = writeln!(
                content,
                "E{i}={}",
                rng.pick(&["x", "on", "0777", "a b", "1e3"])
            );
        }
        tree.add(&format!("{dir}/{file}"), content);
        let _ = writeln!(s, "  envs:\n  - {file}");
    }
    if rng.chance(20) {
        let _ = writeln!(s, "  options:\n    disableNameSuffixHash: true");
    }
    s
}

/// A string map for a kustomization field (labels, annotations): values
/// quoted so they read as strings, now and then one that does not (which
/// both tools must refuse).
///
/// Keys start with `prefix`, except now and then, so that an overlay
/// sometimes relabels a key the base's labels created (kustomize's shared
/// label values).
fn label_map(rng: &mut Rng, indent: &str, prefix: &str) -> String {
    let mut s = String::new();
    let prefix = if rng.chance(30) { "" } else { prefix };
    for i in 0..1 + rng.below(2) {
        let key = rng.pick(&["team", "env", "app.kubernetes.io/part-of", "tier"]);
        let _ = writeln!(s, "{indent}{prefix}{key}{i}: {}", kust_string(rng));
    }
    s
}

/// A string value in a kustomization file.
fn kust_string(rng: &mut Rng) -> String {
    if rng.chance(5) {
        return odd_scalar(rng);
    }
    let v = rng.pick(ODD_VALUES);
    if rng.chance(50) {
        let w = rng.pick(WORDS);
        return quoted(rng, w);
    }
    let mut q = quoted(rng, v);
    if !q.starts_with(['\'', '"']) {
        q = format!("\"{q}\"");
    }
    q
}

/// One tree: `base`, maybe `base2`, maybe `components/*`, and `overlay`
/// (the build root).
fn gen_tree(seed: u64) -> Tree {
    let mut rng = Rng(seed);
    let mut tree = Tree::default();
    let prefix = rng.pick(&["web", "api", "db", "cache"]).to_string();

    // Base.
    let app = App {
        name: prefix.clone(),
        image: rng.pick(&[
            "nginx",
            "ghcr.io/org/app",
            "registry.local:5000/tool",
            "busybox",
        ]),
        config_map: rng.chance(70).then(|| format!("{prefix}-config")),
        secret: rng.chance(40).then(|| format!("{prefix}-secret")),
        claim: rng.chance(40),
        service_account: rng.chance(50),
    };
    let kind = rng.pick(&["Deployment", "Deployment", "StatefulSet", "CronJob"]);
    let mut base_k = String::new();
    let mut resources = vec!["workload.yaml".to_string()];
    tree.add("base/workload.yaml", deployment(&mut rng, &app, kind));
    let has_service = kind != "CronJob" || rng.chance(50);
    if has_service {
        tree.add("base/service.yaml", service(&mut rng, &app));
        resources.push("service.yaml".into());
    }
    let extra = extras(&mut rng, &app);
    if !extra.is_empty() {
        let sep = if rng.chance(50) { "---\n" } else { "\n---\n" };
        tree.add("base/extra.yaml", extra.join(sep));
        resources.push("extra.yaml".into());
    }
    if rng.chance(50) {
        base_k.push_str("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    }
    if rng.chance(50) {
        let _ = writeln!(base_k, "resources: [{}]", resources.join(", "));
    } else {
        let _ = writeln!(base_k, "resources:");
        for r in &resources {
            let _ = writeln!(base_k, "- {r}");
        }
    }
    if let Some(cm) = &app.config_map {
        let name = cm.clone();
        base_k.push_str(&generator_block(
            &mut rng,
            "configMapGenerator",
            &name,
            "base",
            &mut tree,
            None,
        ));
    }
    if let Some(sec) = &app.secret {
        let name = sec.clone();
        base_k.push_str(&generator_block(
            &mut rng,
            "secretGenerator",
            &name,
            "base",
            &mut tree,
            None,
        ));
    }
    if rng.chance(30) {
        let _ = writeln!(
            base_k,
            "commonLabels:\n{}",
            label_map(&mut rng, "  ", "base-").trim_end()
        );
    }
    if rng.chance(20) {
        let _ = writeln!(base_k, "namePrefix: b-");
    }
    if rng.chance(20) {
        let _ = writeln!(
            base_k,
            "generatorOptions:\n  labels:\n    generated: \"yes\"\n  annotations:\n    note: {}",
            kust_string(&mut rng)
        );
    }
    tree.add("base/kustomization.yaml", base_k);

    // A second base with another app.
    let mut overlay_resources = vec!["../base".to_string()];
    if rng.chance(30) {
        let other = App {
            name: format!("{prefix}-worker"),
            image: rng.pick(&["redis", "nginx", "ghcr.io/org/worker"]),
            config_map: None,
            secret: None,
            claim: false,
            service_account: rng.chance(50),
        };
        let mut docs = vec![deployment(&mut rng, &other, "Deployment")];
        docs.extend(extras(&mut rng, &other));
        tree.add("base2/all.yaml", docs.join("---\n"));
        tree.add(
            "base2/kustomization.yaml",
            "resources:\n- all.yaml\n".into(),
        );
        overlay_resources.push("../base2".into());
    }
    if rng.chance(20) {
        tree.add(
            "overlay/ns.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra-ns\n".into(),
        );
        overlay_resources.push("ns.yaml".into());
    }

    // Overlay.
    let mut k = String::new();
    let _ = writeln!(k, "resources:");
    for r in &overlay_resources {
        let _ = writeln!(k, "- {r}");
    }
    if rng.chance(30) {
        let mut c = String::from("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
        match rng.below(3) {
            0 => {
                let _ = writeln!(
                    c,
                    "commonAnnotations:\n  from-component: {}",
                    kust_string(&mut rng)
                );
            }
            1 => {
                let _ = writeln!(
                    c,
                    "patches:\n- target:\n    kind: {kind}\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value:\n        component: {}",
                    quoted(&mut rng, "yes")
                );
            }
            _ => {
                let _ = writeln!(
                    c,
                    "images:\n- name: {}\n  newTag: \"{}\"",
                    app.image,
                    rng.pick(&["9.9", "on", "0777", "v2"])
                );
            }
        }
        tree.add("components/extra/kustomization.yaml", c);
        let _ = writeln!(k, "components:\n- ../components/extra");
    }
    if rng.chance(50) {
        let _ = writeln!(k, "namePrefix: {}", rng.pick(&["dev-", "p-", "x1-"]));
    }
    if rng.chance(40) {
        let _ = writeln!(k, "nameSuffix: {}", rng.pick(&["-v1", "-blue", "-s"]));
    }
    if rng.chance(60) {
        let _ = writeln!(k, "namespace: {}", rng.pick(&["prod", "team-a", "default"]));
    }
    match rng.below(3) {
        0 => {
            let _ = writeln!(
                k,
                "commonLabels:\n{}",
                label_map(&mut rng, "  ", "").trim_end()
            );
        }
        1 => {
            let _ = writeln!(
                k,
                "labels:\n- pairs:\n{}  includeSelectors: {}\n  includeTemplates: {}",
                label_map(&mut rng, "    ", ""),
                rng.chance(50),
                rng.chance(50)
            );
        }
        _ => {}
    }
    if rng.chance(50) {
        let _ = writeln!(
            k,
            "commonAnnotations:\n  note: {}\n  long: {}",
            kust_string(&mut rng),
            {
                let t = long_text(&mut rng);
                quoted(&mut rng, &t)
            }
        );
    }
    if rng.chance(60) {
        let _ = writeln!(k, "images:\n- name: {}", app.image);
        match rng.below(4) {
            0 => {
                let tag = rng.pick(&["1.25", "v3", "0777", "on"]);
                let _ = writeln!(k, "  newTag: {}", quoted(&mut rng, tag));
            }
            1 => {
                let _ = writeln!(k, "  newName: mirror.example.com/{}", prefix);
            }
            2 => {
                let _ = writeln!(k, "  digest: sha256:0123456789abcdef");
            }
            _ => {
                let _ = writeln!(k, "  newName: other\n  newTag: \"2\"");
            }
        }
    }
    if kind != "CronJob" && rng.chance(40) {
        let _ = writeln!(
            k,
            "replicas:\n- name: {}\n  count: {}",
            app.name,
            rng.below(7)
        );
    }
    if let Some(cm) = &app.config_map
        && rng.chance(50)
    {
        let name = cm.clone();
        let behavior = rng_behavior(&mut rng);
        k.push_str(&generator_block(
            &mut rng,
            "configMapGenerator",
            &name,
            "overlay",
            &mut tree,
            Some(behavior),
        ));
    }
    if rng.chance(30) {
        k.push_str(&generator_block(
            &mut rng,
            "secretGenerator",
            "extra-secret",
            "overlay",
            &mut tree,
            None,
        ));
    }

    // Patches.
    let mut patches = Vec::new();
    if kind != "CronJob" && rng.chance(50) {
        let body = format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c0\n        env:\n        - name: PATCHED\n          value: {}\n",
            app.name,
            odd_scalar(&mut rng)
        );
        if rng.chance(50) {
            tree.add("overlay/patch-workload.yaml", body);
            patches.push("- path: patch-workload.yaml".to_string());
        } else {
            let indented: String = body.lines().map(|l| format!("    {l}\n")).collect();
            patches.push(format!("- patch: |-\n{}", indented.trim_end()));
        }
    }
    if rng.chance(40) {
        let op = match rng.below(3) {
            0 => format!(
                "- op: add\n  path: /metadata/labels\n  value:\n    patched: {}",
                quoted(&mut rng, "true")
            ),
            1 => format!(
                "- op: replace\n  path: /metadata/name\n  value: {}-renamed",
                app.name
            ),
            _ => "- op: add\n  path: /metadata/annotations\n  value: {x: \"1\"}".to_string(),
        };
        let indented: String = op.lines().map(|l| format!("    {l}\n")).collect();
        let target = if rng.chance(50) {
            format!("  target:\n    kind: {kind}\n    name: {}\n", app.name)
        } else {
            format!("  target:\n    kind: {kind}\n")
        };
        patches.push(format!(
            "- patch: |-\n{}\n{}",
            indented.trim_end(),
            target.trim_end()
        ));
    }
    if app.claim && rng.chance(40) {
        tree.add(
            "overlay/pvc.json",
            "[{\"op\": \"replace\", \"path\": \"/spec/resources/requests/storage\", \"value\": \"20Gi\"}]\n".into(),
        );
        patches.push(format!(
            "- path: pvc.json\n  target:\n    kind: PersistentVolumeClaim\n    name: {}",
            app.name
        ));
    }
    if rng.chance(20) {
        let value = odd_scalar(&mut rng);
        patches.push(format!(
            "- target:\n    labelSelector: app={}\n  patch: |-\n    apiVersion: v1\n    kind: Any\n    metadata:\n      name: any\n      annotations:\n        selected: {}",
            app.name,
            value
        ));
    }
    if has_service && rng.chance(15) {
        // Deprecated fields, and a delete directive.
        let _ = writeln!(
            k,
            "patchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: Service\n  metadata:\n    name: {}\n  $patch: delete",
            app.name
        );
    }
    if rng.chance(15) {
        let _ = writeln!(
            k,
            "patchesJson6902:\n- target:\n    version: v1\n    kind: Service\n    name: {}\n  patch: |-\n    - op: add\n      path: /spec/type\n      value: NodePort",
            app.name
        );
    }
    if !patches.is_empty() {
        let _ = writeln!(k, "patches:\n{}", patches.join("\n"));
    }
    tree.add("overlay/kustomization.yaml", k);
    tree
}

fn rng_behavior(rng: &mut Rng) -> &'static str {
    rng.pick(&["merge", "merge", "replace"])
}

fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<_>, Vec<_>) = (want.lines().collect(), got.lines().collect());
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let from = i.saturating_sub(3);
    let mut s = format!("first difference at line {}:\n", i + 1);
    for l in &w[from..(i + 4).min(w.len())] {
        let _ = writeln!(s, "  kubectl:   {l}");
    }
    for l in &g[from..(i + 4).min(g.len())] {
        let _ = writeln!(s, "  rustomize: {l}");
    }
    s
}

/// How the two builds of one tree compare.
enum Verdict {
    /// Same output, or both failed (`true` when both succeeded).
    Agree(bool),
    /// What differs.
    Differ(String),
}

fn compare(dir: &Path) -> Verdict {
    let root = dir.join("overlay");
    let run = |cmd: &mut Command| -> Output { cmd.output().expect("run a build") };
    let want = run(Command::new("kubectl").arg("kustomize").arg(&root));
    let got = run(support::rustomize().arg("build").arg(&root));
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match (want.status.success(), got.status.success()) {
        (true, true) if want.stdout == got.stdout => Verdict::Agree(true),
        (true, true) => Verdict::Differ(first_difference(&text(&want.stdout), &text(&got.stdout))),
        (false, false) => Verdict::Agree(false),
        (true, false) => Verdict::Differ(format!(
            "kubectl succeeded, rustomize failed: {}",
            text(&got.stderr)
        )),
        (false, true) => Verdict::Differ(format!(
            "kubectl failed ({}), rustomize succeeded",
            text(&want.stderr).trim()
        )),
    }
}

#[test]
fn generated_trees_build_like_kubectl() {
    if support::kubectl("differential test").is_none() {
        return;
    }
    let count: usize = std::env::var("RUSTOMIZE_DIFF_TREES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(80);
    let seed: u64 = std::env::var("RUSTOMIZE_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_240_601);
    let work = tempfile::tempdir().expect("temporary directory");
    if std::env::var_os("RUSTOMIZE_DIFF_KEEP").is_some() {
        eprintln!("differential: trees in {}", work.path().display());
    }
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, PathBuf, String, String)>> = Mutex::new(Vec::new());
    let kubectl_failed = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let tree = gen_tree(seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
                    let dir = work.path().join(format!("tree-{i:03}"));
                    tree.write(&dir);
                    match compare(&dir) {
                        Verdict::Agree(true) => {}
                        Verdict::Agree(false) => {
                            kubectl_failed.fetch_add(1, Ordering::Relaxed);
                        }
                        Verdict::Differ(problem) => failures
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((i, dir, tree.listing(), problem)),
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    eprintln!(
        "differential: {count} trees (seed {seed}): {} differ, {} refused by both",
        failures.len(),
        kubectl_failed.load(Ordering::Relaxed)
    );
    failures.sort_by_key(|f| f.0);
    if failures.is_empty() {
        if std::env::var_os("RUSTOMIZE_DIFF_KEEP").is_some() {
            let _ = work.keep();
        }
        return;
    }
    // Keep the trees for a closer look.
    let kept = work.keep();
    let mut report = format!(
        "{} of {count} generated trees differ from kubectl kustomize (seed {seed}; trees kept in {}):\n",
        failures.len(),
        kept.display()
    );
    for (i, dir, listing, problem) in failures.iter().take(5) {
        let _ = writeln!(
            report,
            "\n#### tree {i} ({})\n{problem}\n{listing}",
            dir.display()
        );
    }
    panic!("{report}");
}
