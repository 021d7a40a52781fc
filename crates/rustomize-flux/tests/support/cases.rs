//! Generated cases for the differential test: a small repository tree, a
//! Flux Kustomization over it, and the values standing in for the cluster,
//! each drawn from a seeded stream (the same cases on every run).

use super::oracle;
use std::fmt::Write as _;
use std::path::Path;

/// splitmix64: small, deterministic, good enough to pick cases.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values with YAML-significant characters, numbers in every notation
/// yaml.v2 reads, YAML 1.1 booleans, text that breaks YAML.
const VALUES: &[&str] = &[
    "plain",
    "staging",
    "a: b",
    "a:b",
    "x #y",
    "#start",
    "'single'",
    "\"double\"",
    "it's",
    "two\nlines",
    "007",
    "0777",
    "08",
    "0x1F",
    "0o17",
    "1_000",
    "1.5",
    "1e3",
    ".5",
    "-1",
    "+1",
    "12345678901234567890",
    "123456789012345678",
    "true",
    "yes",
    "on",
    "No",
    "y",
    "~",
    "null",
    "",
    " lead",
    "trail ",
    "[a, b]",
    "{a: 1}",
    "- item",
    "*alias",
    "&anchor x",
    "!!str 5",
    "%x",
    "@x",
    "`x",
    "a\tb",
    "é ü ß",
    "2001-12-14",
    "1:20",
    "${V2}",
    "$${V1}",
    "$$",
    "back\\slash",
    "http://example.com/a?b=c",
    "v1.2.3",
    "sha256:abc",
    "a,b",
    ">folded",
    "|literal",
    "?",
    "-",
    ":",
    "ab/cd.ef",
];

/// Substitution expressions, and text around them.
const EXPRESSIONS: &[&str] = &[
    "${V1}",
    "${V2}",
    "${V3}",
    "${UNSET}",
    "${UNSET:=dflt}",
    "${UNSET:-dash}",
    "${UNSET=eq}",
    "${V1:=dflt}",
    "${V1:-x}",
    "${V1=x}",
    "$${V1}",
    "pre-${V1}-post",
    "${V1}${V2}",
    "${V1^^}",
    "${V1^}",
    "${V1,,}",
    "${#V1}",
    "${V1:1:3}",
    "${V1:2}",
    "${V1:-2}",
    "${V1:1:-1}",
    "${V1/a/b}",
    "${V1//a/_}",
    "${V1/#p/P}",
    "${V1/%t/T}",
    "${V1#*a}",
    "${V1##*/}",
    "${V1%.*}",
    "${V1%%:*}",
    "${UNSET:=${V2}}",
    "${V2:=${UNSET}}",
    "$$",
    "cost $5",
    "plain text",
    "${V1:+set}",
];

/// Expressions Flux's envsubst rejects (one makes the whole case fail).
const BAD_EXPRESSIONS: &[&str] = &["${V1-x}", "${bad", "${}", "${V1?x}", "${a.b}", "${V1//a}"];

fn expr(rng: &mut Rng) -> String {
    if rng.chance(3) {
        rng.pick(BAD_EXPRESSIONS).to_string()
    } else {
        rng.pick(EXPRESSIONS).to_string()
    }
}

/// A YAML value for `key`, in one of the ways users write it.
fn value_line(rng: &mut Rng, indent: &str, key: &str, text: &str) -> String {
    match rng.below(5) {
        0 | 1 => format!("{indent}{key}: {text}\n"),
        2 => format!(
            "{indent}{key}: \"{}\"\n",
            text.replace('\\', "\\\\").replace('"', "\\\"")
        ),
        3 => format!("{indent}{key}: '{}'\n", text.replace('\'', "''")),
        _ => format!("{indent}{key}: |\n{indent}  line {text}\n{indent}  second\n"),
    }
}

fn object(rng: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    match rng.below(4) {
        0 => {
            let name = if rng.chance(15) {
                format!("cm{n}-${{V3:=x}}")
            } else {
                format!("cm{n}")
            };
            let _ = write!(
                s,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
            );
            if rng.chance(40) {
                s.push_str("  labels:\n");
                let e = expr(rng);
                s.push_str(&value_line(rng, "    ", "app", &e));
            }
            if rng.chance(12) {
                s.push_str(
                    "  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n",
                );
            }
            s.push_str("data:\n");
            for i in 0..1 + rng.below(3) {
                let e = expr(rng);
                s.push_str(&value_line(rng, "  ", &format!("k{i}"), &e));
            }
        }
        1 => {
            let _ = write!(
                s,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web{n}\n  labels:\n    app: web\nspec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:{}\n        env:\n",
                if rng.chance(50) {
                    "${REPLICAS:=1}"
                } else {
                    "2"
                },
                if rng.chance(50) {
                    "${TAG:=1.25}"
                } else {
                    "1.25"
                },
            );
            let e = expr(rng);
            s.push_str("        - name: E\n");
            s.push_str(&value_line(rng, "          ", "value", &e));
        }
        2 => {
            let _ = write!(
                s,
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sec{n}\ntype: Opaque\nstringData:\n"
            );
            let e = expr(rng);
            s.push_str(&value_line(rng, "  ", "password", &e));
        }
        _ => {
            let _ = write!(
                s,
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{n}\n  labels:\n    kustomize.toolkit.fluxcd.io/substitute: {}\nspec:\n  ports:\n  - port: {}\n    targetPort: 8080\n",
                if rng.chance(20) {
                    "disabled"
                } else {
                    "enabled"
                },
                if rng.chance(50) { "${PORT:=80}" } else { "80" },
            );
            let e = expr(rng);
            s.push_str(&value_line(rng, "  ", "externalName", &e));
        }
    }
    s
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn quoted(v: &str) -> String {
    // JSON is YAML: the value reaches Flux exactly.
    serde_json::to_string(v).expect("json")
}

/// Writes one case under `dir`; returns the oracle's view of it.
pub fn generate(rng: &mut Rng, dir: &Path) -> oracle::Case {
    let repo = dir.join("repo");
    let app = repo.join("apps/app");
    std::fs::create_dir_all(&app).expect("mkdir");
    let mut files = Vec::new();
    let v1 = rng.chance(85);
    let beta_patches = !v1 && rng.chance(50);
    if beta_patches {
        write(
            &app.join("patched.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-patched\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: sec-patched\nstringData:\n  a: b\n",
        );
        files.push("patched.yaml".to_string());
    }
    for f in 0..1 + rng.below(3) {
        let name = if rng.chance(20) {
            format!("f{f}.yml")
        } else {
            format!("f{f}.yaml")
        };
        let mut text = String::new();
        for o in 0..1 + rng.below(2) {
            if o > 0 {
                text.push_str("---\n");
            }
            text.push_str(&object(rng, f * 10 + o));
        }
        write(&app.join(&name), &text);
        files.push(name);
    }
    if rng.chance(25) {
        write(&app.join("sub/nested.yaml"), &object(rng, 90));
        files.push("sub/nested.yaml".to_string());
    }
    if rng.chance(15) {
        write(&app.join("notes.txt"), "not yaml\n");
        write(&app.join(".github/ci.yaml"), "on: push\n");
    }
    if rng.chance(15) {
        // A kustomized subdirectory: listed as a directory, not entered.
        write(
            &app.join("base/kustomization.yaml"),
            "resources:\n- cm.yaml\nnameSuffix: -base\n",
        );
        write(&app.join("base/cm.yaml"), &object(rng, 80));
        write(
            &app.join("base/ignored-by-generator.yaml"),
            "not: a resource\n",
        );
    }
    if rng.chance(12) {
        // What source-controller leaves out of the artifact.
        write(&repo.join(".sourceignore"), "# test data\n*.skip.yaml\n");
        write(&app.join("x.skip.yaml"), "broken: [\n");
    }
    #[cfg(unix)]
    if rng.chance(10) {
        // Links are not archived: a linked file is not there for Flux.
        std::fs::create_dir_all(repo.join("elsewhere")).expect("mkdir");
        write(&repo.join("elsewhere/linked.yaml"), "not: a resource\n");
        std::os::unix::fs::symlink(repo.join("elsewhere/linked.yaml"), app.join("linked.yaml"))
            .expect("symlink");
    }
    let component = rng.chance(20);
    if component {
        write(
            &repo.join("apps/comp/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  comp: \"yes\"\n",
        );
    }
    let has_kustomization = rng.chance(55);
    if has_kustomization {
        let mut k =
            String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
        if rng.chance(80) {
            k.push_str("resources:\n");
            for f in &files {
                let _ = writeln!(k, "- {f}");
            }
        } else if rng.chance(50) {
            // The deprecated `bases`: no `resources`, so Flux adds
            // originAnnotations, whose paths then show in every object.
            write(
                &repo.join("apps/shared/kustomization.yaml"),
                "resources:\n- cm.yaml\n",
            );
            write(&repo.join("apps/shared/cm.yaml"), &object(rng, 70));
            k.push_str("bases:\n- ../shared\n");
        } else if rng.chance(80) {
            k.push_str("configMapGenerator:\n- name: gen\n  literal: [typo=dropped]\n  literals:\n  - a=${V1}\n");
        } else {
            // An empty kustomization: Flux adds originAnnotations and
            // builds nothing.
            k.clear();
        }
        if rng.chance(25) {
            k.push_str("images:\n- name: nginx\n  newTag: \"1.0\"\n  digest: sha256:0000\n");
        }
        if rng.chance(20) {
            k.push_str("namePrefix: base-\n");
        }
        if rng.chance(15) {
            k.push_str("unknownField: dropped by Flux\n");
        }
        if rng.chance(15) {
            // Flux drops unknown fields at any depth, and folds case.
            k.push_str("generatorOptions:\n  labels: {gen: \"yes\"}\n  typo: dropped\nNameSuffix: -folded\n");
        }
        if rng.chance(12) {
            // Numbers and YAML 1.1 booleans where strings belong: Go makes
            // strings of them (kustomize build rejects them).
            k.push_str("commonAnnotations:\n  version: 1.0\n  enabled: on\n  mode: 0777\n");
        }
        let name = *rng.pick(&["kustomization.yaml", "kustomization.yml", "Kustomization"]);
        write(&app.join(name), &k);
    }

    // The Flux Kustomization.
    let mut ks = format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/{}\nkind: Kustomization\nmetadata:\n  name: app\n",
        if v1 { "v1" } else { "v1beta2" }
    );
    let namespace = if rng.chance(70) {
        Some("flux-system")
    } else {
        None
    };
    if let Some(ns) = namespace {
        let _ = writeln!(ks, "  namespace: {ns}");
    }
    ks.push_str("spec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: repo\n");
    let path = if rng.chance(3) {
        "./apps/none"
    } else {
        rng.pick(&[
            "./apps/app",
            "apps/app",
            "/apps/app",
            "apps/../apps/app",
            "./apps/./app/",
            "../../apps/app",
        ])
    };
    let _ = writeln!(ks, "  path: {path}");
    if rng.chance(30) {
        ks.push_str("  targetNamespace: target\n");
    }
    if rng.chance(20) {
        ks.push_str("  namePrefix: p-\n");
    }
    if rng.chance(15) {
        ks.push_str("  nameSuffix: -s\n");
    }
    if rng.chance(25) {
        ks.push_str("  images:\n  - name: nginx\n");
        match rng.below(3) {
            0 => ks.push_str("    newTag: \"2.0\"\n"),
            1 => ks.push_str("    newName: registry.local/nginx\n"),
            _ => ks.push_str("    digest: sha256:1111\n"),
        }
    }
    if rng.chance(25) {
        let (api, kind) = *rng.pick(&[
            ("v1", "ConfigMap"),
            ("apps/v1", "Deployment"),
            ("v1", "Secret"),
            ("v1", "Service"),
        ]);
        let _ = write!(
            ks,
            "  patches:\n  - patch: |\n      apiVersion: {api}\n      kind: {kind}\n      metadata:\n        name: any\n        annotations:\n          patched: {}\n    target:\n      kind: {kind}\n",
            quoted(&expr(rng)),
        );
    }
    if beta_patches {
        let _ = write!(
            ks,
            "  patchesStrategicMerge:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cm-patched\n    data:\n      smp: {}\n  patchesJson6902:\n  - target:\n      version: v1\n      kind: Secret\n      name: sec-patched\n    patch:\n    - op: add\n      path: /stringData/extra\n      value: {}\n",
            quoted(&expr(rng)),
            quoted(&expr(rng)),
        );
    }
    if component || rng.chance(10) {
        let _ = writeln!(
            ks,
            "  components:\n  - {}",
            if component { "../comp" } else { "../missing" }
        );
        if v1 && rng.chance(50) {
            ks.push_str("  ignoreMissingComponents: true\n");
        }
    }
    match rng.below(10) {
        0 | 1 => ks.push_str(
            "  commonMetadata:\n    labels:\n      team: a\n    annotations:\n      owner: b\n",
        ),
        2 => ks.push_str("  commonMetadata: {}\n"),
        _ => {}
    }
    let mut case = oracle::Case {
        root: repo.clone(),
        kustomization: dir.join("ks.yaml"),
        strict: rng.chance(50),
        ..Default::default()
    };
    if rng.chance(85) {
        ks.push_str("  postBuild:\n");
        if v1 && rng.chance(20) {
            ks.push_str("    substituteStrategy: Always\n");
        }
        if rng.chance(70) {
            ks.push_str("    substitute:\n");
            for var in ["V1", "V2", "V3", "TAG", "REPLICAS"] {
                if rng.chance(45) {
                    let _ = writeln!(ks, "      {var}: {}", quoted(rng.pick::<&str>(VALUES)));
                }
            }
            if rng.chance(5) {
                ks.push_str("      bad-name: x\n");
            }
        }
        if rng.chance(50) {
            ks.push_str("    substituteFrom:\n");
            let mut values = String::new();
            if rng.chance(80) {
                ks.push_str("    - kind: ConfigMap\n      name: vars\n");
                let _ = write!(
                    values,
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vars\n{}data:\n  V1: {}\n  PORT: {}\n",
                    match rng.below(10) {
                        0 | 1 => "  namespace: flux-system\n",
                        // Another namespace: the Kustomization cannot see it.
                        2 => "  namespace: other\n",
                        _ => "",
                    },
                    quoted(rng.pick::<&str>(VALUES)),
                    quoted(rng.pick::<&str>(&["8080", "http", "0x50", ""])),
                );
            }
            if rng.chance(50) {
                ks.push_str("    - kind: Secret\n      name: creds\n");
                let v2 = rng.pick(VALUES);
                if rng.chance(50) {
                    let _ = write!(
                        values,
                        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  V2: {}\n",
                        quoted(v2)
                    );
                } else {
                    use base64::Engine as _;
                    let _ = write!(
                        values,
                        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  V2: {}\n",
                        base64::engine::general_purpose::STANDARD.encode(v2)
                    );
                }
            }
            if rng.chance(30) {
                let _ = writeln!(
                    ks,
                    "    - kind: ConfigMap\n      name: absent\n      optional: {}",
                    rng.chance(80)
                );
            }
            if !values.is_empty() {
                let path = dir.join("values.yaml");
                write(&path, &values);
                case.substitute_from.push(path);
            }
        }
    }
    if rng.chance(20) {
        case.vars
            .push(("V3".to_string(), rng.pick(VALUES).to_string()));
    }
    write(&case.kustomization, &ks);
    case
}
