//! The program prints exactly what [`rustomize_example_embed::render`]
//! returns, and `--write` lays out the same tree on disk.
//! (`crates/rustomize/tests/embed.rs` compares `render` with `rustomize
//! build` of the written tree.)

// The test reads the tree the program wrote.
#![allow(clippy::disallowed_methods)]

use std::process::Command;

#[test]
fn the_program_prints_the_in_memory_build() {
    let out = Command::new(env!("CARGO_BIN_EXE_embed"))
        .output()
        .expect("run embed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (yaml, _) = rustomize_example_embed::render().expect("render");
    assert_eq!(String::from_utf8_lossy(&out.stdout), yaml);
    assert!(yaml.contains("name: prod-web-config-"), "{yaml}");
}

#[test]
fn write_lays_out_the_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_embed"))
        .arg("--write")
        .arg(dir.path())
        .output()
        .expect("run embed --write");
    assert!(out.status.success());
    for (path, text) in rustomize_example_embed::TREE {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(path)).expect("read"),
            *text
        );
    }
}
