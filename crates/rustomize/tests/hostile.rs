//! Hostile and heavy input (issue 14): deep nesting, alias bombs, long
//! chains of bases, huge one-line mappings. Each test is named after what
//! broke: a stack overflow (exit 134), a memory bomb, or a quadratic time.
//! Where kubectl kustomize decides (it refuses nesting past 10,000 and
//! alias bombs in kustomization files), the message is its message.

#![allow(clippy::disallowed_methods)]

mod support;

use support::{Tree, run_in, stderr, stdout};

/// A kustomization listing `r.yaml`, a resource whose `data` is `value`.
fn resource_tree(value: &str) -> Tree {
    let t = Tree::new();
    t.write("kustomization.yaml", "resources:\n- r.yaml\n");
    t.write(
        "r.yaml",
        &format!("apiVersion: v1\nkind: X\nmetadata:\n  name: a\ndata: {value}\n"),
    );
    t
}

fn build(t: &Tree) -> std::process::Output {
    run_in(t.path(), &["build", "."])
}

#[test]
fn yaml_nested_past_10000_levels_is_an_error_not_a_stack_overflow() {
    // kubectl: "MalformedYAMLError: yaml: line 5: exceeded max depth of
    // 10000 in File: r.yaml" (past 10,000 flow levels), or fails printing
    // the object (a root mapping and 10,000 collections). 30,000 flow
    // levels and 50,000 block levels overflowed the stack.
    let cases = [
        ("[".repeat(10_000) + &"]".repeat(10_000), true),
        ("[".repeat(30_000) + &"]".repeat(30_000), true),
        (format!("\n{}x", "- ".repeat(10_000)), true),
        (format!("\n{}x", "- ".repeat(50_000)), true),
        ("[".repeat(9_999) + &"]".repeat(9_999), false),
        (format!("\n{}x", "- ".repeat(9_999)), false),
    ];
    support::table(&cases, |(value, fails)| {
        let out = build(&resource_tree(value));
        let err = stderr(&out);
        match (out.status.code(), fails) {
            (Some(1), true)
                if err.contains("r.yaml") && err.contains("exceeded max depth of 10000") =>
            {
                Ok(())
            }
            (Some(0), false) if stdout(&out).starts_with("apiVersion: v1\ndata:\n- - - ") => Ok(()),
            (code, _) => Err(format!("exit {code:?}: {}", &err[..err.len().min(300)])),
        }
    });
}

#[test]
fn an_alias_bomb_is_refused_as_excessive_aliasing() {
    // 9 levels of 9 aliases: a billion strings. In a kustomization file
    // kubectl says "invalid Kustomization: yaml: document contains
    // excessive aliasing"; in a resource it runs out of memory (23 GB here
    // before the fix).
    let mut bomb = String::from("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    let t = resource_tree(&format!("\n{bomb}"));
    let out = build(&t);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("document contains excessive aliasing"),
        "{}",
        stderr(&out)
    );
    let t = Tree::new();
    t.write("kustomization.yaml", &format!("resources: []\nx:\n{bomb}"));
    let out = build(&t);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("document contains excessive aliasing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_chain_of_10000_bases_builds() {
    // kubectl builds 1,000 in 1.8 s; about 900 overflowed the stack, and
    // each level copied the list of the roots above it.
    let t = Tree::new();
    let n = 10_000;
    for i in 0..n {
        let next = if i + 1 < n {
            format!("../b{}", i + 1)
        } else {
            "cm.yaml".into()
        };
        t.write(
            &format!("b{i}/kustomization.yaml"),
            &format!("resources:\n- {next}\n"),
        );
    }
    t.write(
        &format!("b{}/cm.yaml", n - 1),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
    let out = run_in(&t.path().join("b0"), &["build", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    );
}

#[test]
fn a_chain_of_bases_with_a_file_at_each_level_builds_on_worker_threads() {
    // Two entries per level: the recursion runs on the thread pool, whose
    // 2 MB stacks overflowed at about 300 levels.
    let t = Tree::new();
    let n = 2_000;
    for i in 0..n {
        let next = if i + 1 < n {
            format!("- ../b{}\n", i + 1)
        } else {
            String::new()
        };
        t.write(
            &format!("b{i}/kustomization.yaml"),
            &format!("resources:\n- cm.yaml\n{next}"),
        );
        t.write(
            &format!("b{i}/cm.yaml"),
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x{i}\n"),
        );
    }
    let out = run_in(&t.path().join("b0"), &["build", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("kind: ConfigMap").count(), n);
}

#[test]
fn an_error_at_the_end_of_a_long_chain_is_reported() {
    // One cause per level: printing and dropping the chain must not
    // recurse on a small stack.
    let t = Tree::new();
    let n = 5_000;
    for i in 0..n {
        let next = if i + 1 < n {
            format!("../b{}", i + 1)
        } else {
            "missing.yaml".into()
        };
        t.write(
            &format!("b{i}/kustomization.yaml"),
            &format!("resources:\n- {next}\n"),
        );
    }
    let out = run_in(&t.path().join("b0"), &["build", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", &stderr(&out)[..300]);
    assert!(stderr(&out).contains("missing.yaml"));
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_one_line_flow_mapping_of_80000_keys_builds() {
    // It took 18 s: each key was compared with every earlier one.
    let keys: Vec<String> = (0..80_000).map(|i| format!("k{i}: v{i}")).collect();
    let out = build(&resource_tree(&format!("{{{}}}", keys.join(", "))));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // apiVersion, data, the keys, kind, metadata, name.
    assert_eq!(stdout(&out).lines().count(), 5 + 80_000);
}

#[test]
fn a_generator_naming_a_fifo_a_socket_or_a_device_is_an_error_not_a_hang() {
    // kubectl kustomize reads a FIFO named in `files:` until a writer
    // comes (forever), and /dev/zero until memory runs out.
    let t = Tree::new();
    let status = std::process::Command::new("mkfifo")
        .arg(t.path().join("fifo"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let _socket = std::os::unix::net::UnixListener::bind(t.path().join("socket")).expect("bind");
    std::os::unix::fs::symlink("/dev/zero", t.path().join("zero")).expect("symlink");
    let cases = [
        ("files: [fifo]", "fifo", "FIFO"),
        ("envs: [fifo]", "fifo", "FIFO"),
        ("files: [socket]", "socket", "socket"),
        // The device is named by its real path.
        ("files: [zero]", "/dev/zero", "device"),
        ("env: fifo", "fifo", "FIFO"),
    ];
    support::table(&cases, |(generator, file, what)| {
        t.write(
            "kustomization.yaml",
            &format!("configMapGenerator:\n- name: c\n  {generator}\n"),
        );
        let out = run_in(
            t.path(),
            &["build", ".", "--load-restrictor", "LoadRestrictionsNone"],
        );
        let err = stderr(&out);
        if out.status.code() == Some(1)
            && err.contains(&format!("'{file}': not a regular file (a {what})"))
            && stdout(&out).is_empty()
        {
            Ok(())
        } else {
            Err(format!("exit {:?}: {err}", out.status.code()))
        }
    });
}

#[test]
fn check_on_a_crd_schema_3000_levels_deep_is_not_a_stack_overflow() {
    // The validator recursed on a worker thread's small stack.
    let depth = 3_000;
    let mut schema = String::from("{type: string}");
    let mut object = String::from("x");
    for _ in 0..depth {
        schema = format!("{{type: object, properties: {{a: {schema}}}}}");
        object = format!("{{a: {object}}}");
    }
    let t = Tree::new();
    t.write("kustomization.yaml", "resources:\n- crd.yaml\n- cr.yaml\n");
    t.write(
        "crd.yaml",
        &format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: deeps.example.com\nspec:\n  group: example.com\n  names: {{kind: Deep, plural: deeps, singular: deep}}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {{type: object, properties: {{spec: {schema}}}}}\n"
        ),
    );
    t.write(
        "cr.yaml",
        &format!("apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: d\nspec: {object}\n"),
    );
    let out = run_in(t.path(), &["check", "."]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
}
