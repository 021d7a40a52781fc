//! Snapshots of `--help`: the binary's and every subcommand's at every
//! depth (found in the commands' own lists, so a new subcommand gets a
//! snapshot too), and
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
        // Wrapped descriptions continue on lines indented further.
        .filter(|l| !l.starts_with("   "))
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
    // Every subcommand, at every depth (`edit add resource`...).
    let mut pending: Vec<Vec<String>> = subs.iter().map(|s| vec![s.clone()]).collect();
    while let Some(path) = pending.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        for sub in subcommands(&text) {
            let mut deeper = path.clone();
            deeper.push(sub);
            pending.push(deeper);
        }
        all.push((format!("rustomize-{}", path.join("-")), text));
    }
    all.sort();
    let rules = support::rustomize()
        .args(["check", "--list-rules"])
        .output()
        .expect("run rustomize check --list-rules");
    all.push(("rustomize-check-list-rules".into(), support::stdout(&rules)));
    assert_snapshots!(all);
}

#[test]
fn unknown_subcommands_and_flags_exit_2_with_a_tip() {
    let mut failures = Vec::new();
    for args in [
        &["zzz"][..],
        &["bild", "."],
        &["edit", "frobnicate"],
        &["edit", "add", "resourc", "x.yaml"],
        &["edit", "set", "image", "--foo", "x"],
        &["edit", "fix", "--zz"],
        &["build", "--ofline", "."],
        &["version", "--zzz"],
        &["create", "--resourcs", "x"],
    ] {
        let out = support::rustomize().args(args).output().expect("run");
        let err = support::stderr(&out);
        if out.status.code() != Some(2) || !err.contains("tip: ") || !out.stdout.is_empty() {
            failures.push(format!("{args:?}: status {:?}\n{err}", out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
