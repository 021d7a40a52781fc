//! `build -o FILE` and `-o DIR` (issue 14): temporary files created
//! exclusively under unpredictable names, nothing left behind by a killed
//! build (and its helper programs killed with it), a symlinked destination
//! written through as kustomize writes it.
//!
//! The build is held at a known point by a KRM exec function that waits on
//! a FIFO the test writes to (no sleeps): the test knows the process id
//! while the build cannot have written anything yet.

#![cfg(unix)]
#![allow(clippy::disallowed_methods)]
// Test helpers set up the tree; a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use support::Tree;

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

/// A tree whose build runs `gate.sh`, which writes its process id to the
/// FIFO `started`, waits for a line on the FIFO `gate` and passes its input
/// through.
fn gated_tree() -> Tree {
    let t = Tree::new();
    t.write(
        "kustomization.yaml",
        "resources:\n- cm.yaml\ntransformers:\n- fn.yaml\n",
    );
    t.write("cm.yaml", CM);
    t.write(
        "fn.yaml",
        "apiVersion: example.com/v1\nkind: Gate\nmetadata:\n  name: gate\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./gate.sh\n",
    );
    let dir = t.path().display().to_string();
    t.write(
        "gate.sh",
        &format!("#!/bin/sh\necho $$ > '{dir}/started'\nread line < '{dir}/gate'\nexec cat\n"),
    );
    let script = t.path().join("gate.sh");
    let mut perm = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&script, perm).unwrap();
    for fifo in ["gate", "started"] {
        let status = Command::new("mkfifo")
            .arg(t.path().join(fifo))
            .status()
            .unwrap();
        assert!(status.success());
    }
    t
}

/// Waits until the function runs; its process id.
fn started(t: &Tree) -> String {
    // Opening the FIFO blocks until the function opens it to write.
    let pid = std::fs::read_to_string(t.path().join("started")).expect("read started");
    pid.trim().to_string()
}

/// Whether process `pid` still runs (a zombie has ended).
fn running(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => !status
            .lines()
            .any(|l| l.starts_with("State:") && l.contains('Z')),
        Err(_) => false,
    }
}

fn spawn_build(t: &Tree, out: &Path) -> Child {
    support::rustomize()
        .args([
            "build",
            ".",
            "--enable-alpha-plugins",
            "--enable-exec",
            "-o",
        ])
        .arg(out)
        .current_dir(t.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rustomize")
}

/// Lets the gated function go on.
fn open_gate(t: &Tree) {
    let mut gate = std::fs::OpenOptions::new()
        .write(true)
        .open(t.path().join("gate"))
        .expect("open the gate");
    gate.write_all(b"go\n").unwrap();
}

#[test]
fn a_symlink_planted_at_the_old_temporary_name_is_not_followed() {
    // The temporary file was `.NAME.rustomize-<pid>.tmp`, opened without
    // O_EXCL: a link planted there made the build overwrite its target.
    let t = gated_tree();
    t.write("victim.txt", "precious\n");
    let out = t.path().join("out.yaml");
    let child = spawn_build(&t, &out);
    std::os::unix::fs::symlink(
        t.path().join("victim.txt"),
        t.path()
            .join(format!(".out.yaml.rustomize-{}.tmp", child.id())),
    )
    .unwrap();
    started(&t);
    open_gate(&t);
    let done = child.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("victim.txt")).unwrap(),
        "precious\n"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CM);
}

#[test]
fn a_killed_build_leaves_nothing_and_kills_its_helper_programs() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let t = gated_tree();
        let out = t.path().join("out.yaml");
        let child = spawn_build(&t, &out);
        let fn_pid = started(&t);
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let done = child.wait_with_output().unwrap();
        assert_eq!(done.status.code(), Some(code), "SIG{signal}");
        // The function, in its own process group, was killed too (with
        // SIGKILL, before rustomize exited): it would otherwise wait on the
        // gate forever. The kernel may take a moment to finish it.
        let gone = (0..1_000_000).any(|_| {
            std::thread::yield_now();
            !running(&fn_pid)
        });
        assert!(gone, "SIG{signal}: the function {fn_pid} still runs");
        let left: Vec<String> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("out.yaml"))
            .collect();
        assert!(left.is_empty(), "SIG{signal}: left {left:?}");
    }
}

#[test]
fn a_symlinked_output_file_is_written_through() {
    // kustomize writes through the link; rustomize replaced the link.
    let t = Tree::new();
    t.write("kustomization.yaml", "resources:\n- cm.yaml\n");
    t.write("cm.yaml", CM);
    t.write("real/out.yaml", "old\n");
    std::os::unix::fs::symlink("real/out.yaml", t.path().join("link.yaml")).unwrap();
    let out = support::run_in(t.path(), &["build", ".", "-o", "link.yaml"]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(
        std::fs::symlink_metadata(t.path().join("link.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("real/out.yaml")).unwrap(),
        CM
    );
}
