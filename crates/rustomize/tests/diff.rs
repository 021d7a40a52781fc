//! `rustomize diff` on the bundled example (staging against production),
//! on rendered YAML, and on bad input: every format as an insta snapshot,
//! secret values searched for in every format, exit statuses.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod diff_support;

use diff_support::{Env, redact, snapshots};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn env() -> Env {
    Env {
        cwd: repo_root(),
        vars: Vec::new(),
    }
}

const STAGING: &str = "examples/dojo/deploy/k8s/overlays/staging";
const PRODUCTION: &str = "examples/dojo/deploy/k8s/overlays/production";

/// The formats and options every snapshot set covers.
pub const VARIANTS: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("text-paths", &["--paths"]),
    ("text-summary", &["--summary"]),
    ("markdown", &["--format", "markdown"]),
    ("markdown-paths", &["--format", "markdown", "--paths"]),
    ("json", &["--format", "json"]),
];

#[test]
fn dojo_staging_against_production_in_every_format() {
    let e = env();
    let mut cases = Vec::new();
    for (name, extra) in VARIANTS {
        let mut args = vec!["diff", STAGING, PRODUCTION];
        args.extend_from_slice(extra);
        let r = e.run(&args, None);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{name}");
        cases.push((format!("dojo-{name}"), redact(&r.stdout, &e.cwd)));
    }
    snapshots(&cases);
}

#[test]
fn options_narrow_the_comparison() {
    let e = env();
    let run = |extra: &[&str]| {
        let mut args = vec!["diff", "--summary", STAGING, PRODUCTION];
        args.extend_from_slice(extra);
        e.run(&args, None)
    };
    let kinds = run(&["--kind", "Deployment,service"]);
    assert_eq!(kinds.code, 1);
    assert!(kinds.stdout.contains("Deployment/dojo") && kinds.stdout.contains("Service/dojo"));
    assert!(!kinds.stdout.contains("ConfigMap"), "{}", kinds.stdout);

    // Without labels and the namespace move, the Service is the same.
    let labels = run(&["--ignore-labels", "--kind", "Service"]);
    assert!(
        labels.stdout.contains("moved from namespace"),
        "{}",
        labels.stdout
    );
    assert!(labels.stdout.contains("+1 -1"), "{}", labels.stdout);

    let annotations = e.run(
        &[
            "diff",
            "--kind",
            "Ingress",
            "--ignore-annotations",
            "nginx.ingress.kubernetes.io/*",
            "--paths",
            STAGING,
            PRODUCTION,
        ],
        None,
    );
    assert!(
        !annotations.stdout.contains("nginx.ingress"),
        "{}",
        annotations.stdout
    );

    let context = e.run(
        &[
            "diff",
            "-U",
            "0",
            "--kind",
            "PersistentVolumeClaim",
            STAGING,
            PRODUCTION,
        ],
        None,
    );
    assert!(
        context
            .stdout
            .contains("@@ -17 +16 @@\n-      storage: 1Gi\n+      storage: 10Gi\n"),
        "{}",
        context.stdout
    );

    let same = e.run(&["diff", PRODUCTION, PRODUCTION], None);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(
        same.stdout.contains("no differences (6 objects)"),
        "{}",
        same.stdout
    );
}

#[test]
fn colour_on_request_only() {
    let e = env();
    let plain = e.run(&["diff", STAGING, PRODUCTION], None);
    assert!(!plain.stdout.contains('\x1b'), "not a terminal: no colour");
    let always = e.run(&["diff", "--color", "always", STAGING, PRODUCTION], None);
    assert!(
        always
            .stdout
            .contains("\x1b[32m+        image: ghcr.io/example/dojo:v1.2.3\x1b[0m"),
        "{}",
        always.stdout
    );
    let md = e.run(
        &[
            "diff", "--color", "always", "--format", "markdown", STAGING, PRODUCTION,
        ],
        None,
    );
    assert!(!md.stdout.contains('\x1b'), "colour is for text only");
}

/// The values of the production overlay's secret generator, as written and
/// as the Secret holds them (base64).
const SECRETS: [&str; 4] = [
    "fake-openai-key-0000000000000000",
    "sk_test_fake_00000000000000000000",
    "ZmFrZS1vcGVuYWkta2V5LTAwMDAwMDAwMDAwMDAwMDA=",
    "c2tfdGVzdF9mYWtlXzAwMDAwMDAwMDAwMDAwMDAwMDAw",
];

#[test]
fn secret_values_appear_in_no_format() {
    let e = env();
    let tmp = tempfile::tempdir().expect("tempdir");
    // A changed Secret, with its last applied configuration, as rendered
    // YAML on both sides.
    let built = e.run(&["build", PRODUCTION], None);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let with_last_applied = built.stdout.replace(
        "kind: Secret\nmetadata:\n",
        &format!(
            "kind: Secret\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{{\"data\":{{\"OPENAI_API_KEY\":\"{}\"}}}}'\n    note: copied {}\n",
            SECRETS[2], SECRETS[1]
        ),
    );
    assert_ne!(with_last_applied, built.stdout, "the Secret was found");
    let left = tmp.path().join("left.yaml");
    std::fs::write(&left, &with_last_applied).expect("write");
    let right = tmp.path().join("right.yaml");
    std::fs::write(
        &right,
        with_last_applied.replace(SECRETS[3], "bmV3LXZhbHVl"),
    )
    .expect("write");

    let mut runs = Vec::new();
    for (name, extra) in VARIANTS {
        for sides in [
            vec![STAGING, PRODUCTION],
            vec![PRODUCTION, STAGING],
            vec![
                left.to_str().expect("utf-8"),
                right.to_str().expect("utf-8"),
            ],
            vec![
                "-f",
                left.to_str().expect("utf-8"),
                "-f",
                right.to_str().expect("utf-8"),
            ],
        ] {
            let mut args = vec!["diff"];
            args.extend(&sides);
            args.extend_from_slice(extra);
            let r = e.run(&args, None);
            assert_eq!(r.code, 1, "{name} {sides:?}: {}", r.stderr);
            runs.push((format!("{name} {sides:?}"), r.stdout));
        }
    }
    let mut leaks = Vec::new();
    for (name, out) in &runs {
        for s in SECRETS.iter().chain(["bmV3LXZhbHVl"].iter()) {
            if out.contains(s) {
                leaks.push(format!("{name}: {s}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secret values printed: {leaks:#?}");
    // The changed value is shown as changed, with a hash of each side.
    let paths = e.run(
        &[
            "diff",
            "--paths",
            left.to_str().expect("utf-8"),
            right.to_str().expect("utf-8"),
        ],
        None,
    );
    assert!(
        paths
            .stdout
            .contains("~ data.STRIPE_API_KEY: <redacted sha256:"),
        "{}",
        paths.stdout
    );
    assert!(
        !paths.stdout.contains("OPENAI_API_KEY"),
        "unchanged: {}",
        paths.stdout
    );

    // The check can fail: with --show-secrets the values are there.
    let shown = e.run(&["diff", "--show-secrets", STAGING, PRODUCTION], None);
    assert!(shown.stdout.contains(SECRETS[2]), "{}", shown.stdout);
}

#[test]
fn rendered_yaml_sides_keep_their_order() {
    let e = env();
    let built = e.run(&["build", STAGING], None);
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("staging.yaml");
    std::fs::write(&file, &built.stdout).expect("write");
    let f = file.to_str().expect("utf-8");
    // -f FILE after the directory: the file is the right side.
    let r = e.run(&["diff", "--summary", PRODUCTION, "-f", f], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with(&format!("Left:  {PRODUCTION}\nRight: {f}\n")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("- Ingress/dojo"), "{}", r.stdout);
    // stdin, first.
    let r = e.run(&["diff", "--summary", "-", PRODUCTION], Some(&built.stdout));
    assert!(r.stdout.starts_with("Left:  <stdin>\n"), "{}", r.stdout);
    assert!(r.stdout.contains("+ Ingress/dojo"), "{}", r.stdout);
    // The same objects: no difference, exit 0.
    let r = e.run(&["diff", f, STAGING], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn bad_input_is_an_error_with_nothing_on_stdout() {
    let e = env();
    let tmp = tempfile::tempdir().expect("tempdir");
    let broken = tmp.path().join("broken");
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(
        broken.join("kustomization.yaml"),
        "resources: [missing.yaml]\n",
    )
    .expect("write");
    let bad_yaml = tmp.path().join("bad.yaml");
    std::fs::write(&bad_yaml, "a: [\n").expect("write");
    let broken = broken.to_str().expect("utf-8").to_string();
    let cases: Vec<(&str, Vec<&str>, Option<&str>, &str)> = vec![
        (
            "a side fails to build",
            vec!["diff", STAGING, &broken],
            None,
            "the right side",
        ),
        (
            "a missing directory",
            vec!["diff", "nowhere/at/all", PRODUCTION],
            None,
            "the left side (nowhere/at/all)",
        ),
        (
            "bad rendered YAML",
            vec!["diff", "-f", bad_yaml.to_str().expect("utf-8"), STAGING],
            None,
            "the left side",
        ),
        (
            "three sides",
            vec!["diff", STAGING, PRODUCTION, "-f", "-"],
            Some(""),
            "give two sides",
        ),
        (
            "stdin twice",
            vec!["diff", "-", "-f", "-"],
            Some(""),
            "only one side can be read from stdin",
        ),
    ];
    let mut failed = Vec::new();
    for (name, args, stdin, want) in cases {
        let r = e.run(&args, stdin);
        if r.code != 2 || !r.stdout.is_empty() || !r.stderr.contains(want) {
            failed.push(format!(
                "{name}: exit {}, stdout {:?}, stderr {:?}",
                r.code, r.stdout, r.stderr
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn markdown_of_3000_objects_fits_a_comment() {
    let e = env();
    let tmp = tempfile::tempdir().expect("tempdir");
    let doc = |i: usize, v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i:04}\n  namespace: team-{}\ndata:\n  VERSION: {v}\n  URL: https://service-{i}.example.com/api\n",
            i % 9
        )
    };
    let side = |v: &str| {
        (0..3000)
            .map(|i| doc(i, v))
            .collect::<Vec<_>>()
            .join("---\n")
    };
    std::fs::write(tmp.path().join("a.yaml"), side("v1")).expect("write");
    std::fs::write(tmp.path().join("b.yaml"), side("v2")).expect("write");
    let e = Env {
        cwd: tmp.path().to_path_buf(),
        ..e
    };
    let r = e.run(&["diff", "--format", "markdown", "a.yaml", "b.yaml"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.chars().count() < 65_536,
        "{} characters",
        r.stdout.chars().count()
    );
    let note = r.stdout.lines().last().expect("a last line");
    assert!(
        note.contains("**Cut to fit 65,536 characters.** Left out: the diffs of "),
        "{note}"
    );
    assert!(note.contains("ConfigMap) in `a.yaml → b.yaml`"), "{note}");
    assert!(
        note.ends_with("The whole report: `rustomize diff a.yaml b.yaml`"),
        "{note}"
    );
    assert!(
        r.stdout
            .contains("| `a.yaml → b.yaml` | 0 | 0 | 3,000 | 0 |"),
        "{}",
        &r.stdout[..2000]
    );
    // A larger limit holds more.
    let big = e.run(
        &[
            "diff",
            "--format",
            "markdown",
            "--max-chars",
            "1000000",
            "a.yaml",
            "b.yaml",
        ],
        None,
    );
    assert!(big.stdout.len() > 500_000 && big.stdout.len() < 1_000_000);
    assert!(!big.stdout.contains("Cut to fit"));
}
