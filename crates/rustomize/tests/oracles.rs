//! The test support module's own checks, and the oracles themselves: with
//! `RUSTOMIZE_REQUIRE_ORACLES=1` (CI), kubectl with kustomize v5.5.0 and
//! git must be installed, else this fails.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use support::{kustomize_version, redact};

#[test]
fn oracles_are_there_or_skipped_loudly() {
    let kubectl = support::kubectl("oracles").is_some();
    let git = support::git("oracles").is_some();
    if support::oracles_required() {
        assert!(kubectl && git, "required oracles missing");
    }
}

#[test]
fn reads_kubectls_kustomize_version() {
    support::table(
        &[
            (
                "Client Version: v1.32.4\nKustomize Version: v5.5.0\n",
                Some("v5.5.0"),
            ),
            (
                "Client Version: v1.31.0\nKustomize Version: v5.4.2\n",
                Some("v5.4.2"),
            ),
            ("Client Version: v1.32.4\n", None),
        ],
        |&(text, want)| {
            let got = kustomize_version(text);
            (got == want).then_some(()).ok_or(format!("got {got:?}"))
        },
    );
}

#[test]
fn redacts_longest_paths_first() {
    let a = Path::new("/x/y");
    let b = Path::new("/x/y/z");
    assert_eq!(
        redact("at /x/y/z/f and /x/y/g", &[(a, "[A]"), (b, "[B]")]),
        "at [B]/f and [A]/g"
    );
}
