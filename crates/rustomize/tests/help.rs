//! Snapshots of `--help`: the binary's and every subcommand's (found in the
//! binary's own command list, so a new subcommand gets a snapshot too), and
//! of `check --list-rules`.
//! Update with `INSTA_UPDATE=always cargo test --test help` or
//! `cargo insta review`, and read the diff: it is the user-facing change.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

fn help(args: &[&str]) -> String {
    let out = support::rustomize()
        .args(args)
        .arg("--help")
        // clap wraps to the terminal; tests have none, so it uses 100 columns.
        .env_remove("COLUMNS")
        .output()
        .expect("run rustomize --help");
    assert!(out.status.success(), "{args:?}: {}", support::stderr(&out));
    support::stdout(&out)
}

/// The subcommands `rustomize --help` lists (without `help`).
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn help_of_the_binary_and_every_subcommand() {
    let top = help(&[]);
    let subs = subcommands(&top);
    assert!(subs.iter().any(|s| s == "build"), "{subs:?}");
    let mut all = vec![("rustomize".to_string(), top)];
    for sub in &subs {
        all.push((format!("rustomize-{sub}"), help(&[sub.as_str()])));
    }
    let rules = support::rustomize()
        .args(["check", "--list-rules"])
        .output()
        .expect("run rustomize check --list-rules");
    all.push(("rustomize-check-list-rules".into(), support::stdout(&rules)));
    assert_snapshots!(all);
}
