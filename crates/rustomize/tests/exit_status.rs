//! No input in the tests makes the binary exit with anything but 0
//! (success), 1 (an error) or 2 (a usage error): never a signal (a stack
//! overflow aborts with SIGABRT, 134), never a panic's 101.
//!
//! The inputs: every fixture tree (built, and checked), every defect
//! (checked), every seed of the fuzz corpora (`fuzz/seeds/`: single files
//! and whole trees), and the hostile shapes of `tests/hostile.rs` in small.

#![allow(clippy::disallowed_methods)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::Tree;

fn status_ok(what: &str, out: &Output) -> Result<(), String> {
    match out.status.code() {
        Some(0..=2) => Ok(()),
        code => Err(format!(
            "{what}: exit {code:?} ({})",
            support::stderr(out).chars().take(300).collect::<String>()
        )),
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A fuzz tree input (files separated by NUL, each `name` SOH `content`)
/// written under `root`.
fn write_tree_input(root: &Path, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for (i, piece) in text.split('\0').enumerate() {
        let (name, content) = match piece.split_once('\u{1}') {
            Some((n, c)) => (n.to_string(), c),
            None if i == 0 => ("kustomization.yaml".to_string(), piece),
            None => (format!("r{i}.yaml"), piece),
        };
        let name: String = name
            .split('/')
            .filter(|c| !c.is_empty() && *c != "." && *c != "..")
            .collect::<Vec<_>>()
            .join("/");
        if !name.is_empty() {
            support::write(root, &name, content);
        }
    }
}

#[test]
fn no_input_in_the_tests_exits_with_anything_but_0_1_or_2() {
    let ws = support::workspace();
    let mut runs: Vec<(String, Output)> = Vec::new();
    let fixtures = ws.join("crates/rustomize/tests/fixtures");
    for case in entries(&fixtures) {
        let input = case.join("input");
        if !input.is_dir() {
            continue;
        }
        for args in [vec!["build", "."], vec!["check", "."]] {
            let out = support::run_in(&input, &args);
            runs.push((format!("{} {}", args[0], case.display()), out));
        }
    }
    for defect in entries(&ws.join("crates/rustomize/tests/defects")) {
        let broken = defect.join("broken.yaml");
        if broken.is_file() {
            let out = support::run_in(&defect, &["check", "-f", "broken.yaml"]);
            runs.push((format!("check -f {}", broken.display()), out));
        }
    }
    let seeds = ws.join("fuzz/seeds");
    for target in entries(&seeds) {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for seed in entries(&target) {
            let Ok(data) = std::fs::read(&seed) else {
                continue;
            };
            let t = Tree::new();
            if name == "build_tree" {
                write_tree_input(t.path(), &data);
            } else {
                // A single file: as a resource, and as a kustomization.
                let text = String::from_utf8_lossy(&data);
                let first = text.split('\0').next().unwrap_or_default();
                t.write("r.yaml", first);
                t.write("kustomization.yaml", "resources:\n- r.yaml\n");
                let out = support::run_in(t.path(), &["check", "-f", "r.yaml"]);
                runs.push((format!("check -f {}", seed.display()), out));
            }
            let out = support::run_in(t.path(), &["build", "."]);
            runs.push((format!("build {}", seed.display()), out));
        }
    }
    // Hostile shapes, small enough to be quick.
    let hostile = [
        format!("data: {}\n", "[".repeat(20_000)),
        format!("data:\n{}x\n", "- ".repeat(20_000)),
        "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n".into(),
        "kind: X\nmetadata:\n  name: \"\\x1b[31m\"\n".into(),
    ];
    for text in &hostile {
        let t = Tree::new();
        t.write("kustomization.yaml", "resources:\n- r.yaml\n");
        t.write(
            "r.yaml",
            &format!("apiVersion: v1\nkind: X\nmetadata:\n  name: a\n{text}"),
        );
        let out = support::run_in(t.path(), &["build", "."]);
        runs.push(("hostile build".into(), out));
    }
    // Usage errors are 2.
    let out = support::run_in(&ws, &["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    assert!(runs.len() > 100, "only {} runs", runs.len());
    support::table(&runs, |(what, out)| status_ok(what, out));
}
