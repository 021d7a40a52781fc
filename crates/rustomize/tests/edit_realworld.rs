//! `rustomize edit` on the kustomization files of the real-world suite
//! (`$RUSTOMIZE_SHARED_DIR/realworld/trees`, by default `../shared` beside
//! the workspace; skipped with a message when absent):
//!
//! - every kustomization file with comments keeps every comment through
//!   `edit set image`, `edit set namespace`, `edit add resource`,
//!   `edit add label` and `edit fix`, one after the other (and each step
//!   exits as the real kustomize's does, where it is installed);
//! - `edit fix` of every kustomization file that uses a deprecated field
//!   (`commonLabels`, `patchesStrategicMerge`, `patchesJson6902`, `bases`,
//!   `imageTags`, `vars`) leaves the build of its directory byte-identical,
//!   and so does kustomize's own fix of it, built by kustomize; files with
//!   `vars` are also fixed with `--vars`, whose build must stay identical
//!   wherever kustomize's `--vars` build does.
//!
//! Both build many trees with the debug binary (about a minute and a half
//! together on a loaded machine), so they are `#[ignore]`d in a plain
//! `cargo test`; `.ci/run` runs them (`cargo test -p rustomize --test
//! edit_realworld -- --ignored`).

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const DEPRECATED: [&str; 6] = [
    "commonLabels",
    "patchesStrategicMerge",
    "patchesJson6902",
    "bases",
    "imageTags",
    "vars",
];

/// The real-world suite, or `None` (with a message) when it is absent.
fn realworld(test: &str) -> Option<PathBuf> {
    let shared = std::env::var_os("RUSTOMIZE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| support::workspace().join("../shared"));
    let dir = shared.join("realworld");
    if dir.join("trees").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "{test}: skipped: the real-world suite is absent ({} not found)",
            dir.display()
        );
        None
    }
}

/// Every kustomization file under `dir`, sorted.
fn kustomization_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            kustomization_files(&p, out);
        } else if p
            .file_name()
            .is_some_and(|n| FILE_NAMES.iter().any(|f| n == *f))
        {
            out.push(p);
        }
    }
}

/// The comments of a YAML text: own-line comments and the `#...` ending
/// a line after a space outside quotes (block scalar lines that look like
/// comments are counted too: they must survive all the same).
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            out.push(t.to_string());
            continue;
        }
        let (mut single, mut double, mut prev) = (false, false, ' ');
        for (i, c) in line.char_indices() {
            match c {
                '\'' if !double => single = !single,
                '"' if !single => double = !double,
                '#' if !single && !double && (prev == ' ' || prev == '\t') => {
                    out.push(line[i..].trim_end().to_string());
                    break;
                }
                _ => {}
            }
            prev = c;
        }
    }
    out.sort();
    out
}

/// The comments of `before` missing from `after` (counted: a comment
/// written twice must be there twice).
fn lost_comments(before: &str, after: &str) -> Vec<String> {
    let mut have: HashMap<String, usize> = HashMap::new();
    for c in comments(after) {
        *have.entry(c).or_default() += 1;
    }
    comments(before)
        .into_iter()
        .filter(|c| match have.get_mut(c) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

fn run(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run")
}

fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rustomize"))
}

/// The edits every commented file goes through, in order.
const EDITS: [&[&str]; 5] = [
    &[
        "edit",
        "set",
        "image",
        "rustomize-test/app=ghcr.io/org/app:sha-abc1234",
    ],
    &["edit", "set", "namespace", "rustomize-test"],
    &["edit", "add", "resource", "rustomize-test.yaml"],
    &["edit", "add", "label", "rustomize-test:yes"],
    &["edit", "fix"],
];

/// A copy of the regular files of `from` (not its subdirectories) in `to`.
fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        if e.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

#[test]
#[ignore = "builds the real-world trees; .ci/run runs it"]
fn realworld_comments_survive_edits() {
    let Some(rw) = realworld("realworld_comments_survive_edits") else {
        return;
    };
    let kz = support::real_kustomize("realworld_comments_survive_edits");
    let mut files = Vec::new();
    kustomization_files(&rw.join("trees"), &mut files);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let (mut commented, mut comment_count, mut steps) = (0, 0, 0);
    for (i, f) in files.iter().enumerate() {
        let original = std::fs::read_to_string(f).expect("read");
        if comments(&original).is_empty() {
            continue;
        }
        commented += 1;
        comment_count += comments(&original).len();
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        let rel = f.strip_prefix(&rw).unwrap_or(f).display().to_string();
        let dirs = [
            tmp.path().join(format!("{i}-ours")),
            tmp.path().join(format!("{i}-kz")),
        ];
        for d in &dirs {
            copy_files(f.parent().expect("parent"), d);
            std::fs::write(
                d.join("rustomize-test.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rustomize-test\n",
            )
            .expect("write");
        }
        for edit in EDITS {
            steps += 1;
            let before = std::fs::read_to_string(dirs[0].join(&name)).expect("read");
            let o = run(&ours(), &dirs[0], edit);
            if let Some(kz) = &kz {
                let k = run(kz, &dirs[1], edit);
                if k.status.success() != o.status.success() {
                    failures.push(format!(
                        "{rel}: {edit:?}: kustomize ok={}, rustomize ok={}\n{}{}",
                        k.status.success(),
                        o.status.success(),
                        support::stderr(&k),
                        support::stderr(&o)
                    ));
                    break;
                }
            } else if !o.status.success() {
                failures.push(format!("{rel}: {edit:?} failed: {}", support::stderr(&o)));
                break;
            }
            let after = std::fs::read_to_string(dirs[0].join(&name)).expect("read");
            if !o.status.success() && after != before {
                failures.push(format!("{rel}: {edit:?} failed but changed the file"));
            }
            let lost = lost_comments(&original, &after);
            if !lost.is_empty() {
                failures.push(format!(
                    "{rel}: after {edit:?} these comments are gone: {lost:?}\n--- before\n{before}--- after\n{after}"
                ));
                break;
            }
        }
    }
    eprintln!(
        "{} kustomization files, {commented} with comments ({comment_count} comments), {steps} edits; {} failed",
        files.len(),
        failures.len()
    );
    assert!(commented > 0, "no commented kustomization file found");
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The build flags of each case root, by directory relative to its tree
/// (`trees/<slug>/<root>`).
fn case_flags(rw: &Path) -> HashMap<PathBuf, Vec<String>> {
    let mut out = HashMap::new();
    for e in std::fs::read_dir(rw).expect("read_dir").flatten() {
        let Ok(text) = std::fs::read_to_string(e.path().join("case.json")) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let (Some(tree), Some(root)) = (v["tree"].as_str(), v["root"].as_str()) else {
            continue;
        };
        let flags = v["flags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let dir = e.path().join(tree).join(root);
        if let Ok(dir) = dir.canonicalize() {
            out.insert(dir, flags);
        }
    }
    out
}

/// A moment safely before whatever is written next (file times come from
/// a coarser clock than `SystemTime::now`).
fn mark() -> SystemTime {
    SystemTime::now() - std::time::Duration::from_secs(2)
}

/// Puts back every file of `copy` written since `since`, from `pristine`.
fn restore(copy: &Path, pristine: &Path, since: SystemTime) {
    for e in std::fs::read_dir(copy).expect("read_dir").flatten() {
        let p = e.path();
        let original = pristine.join(e.file_name());
        if p.is_dir() {
            restore(&p, &original, since);
        } else if e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|m| m >= since)
        {
            std::fs::copy(&original, &p).expect("restore");
        }
    }
}

fn build(bin: &Path, dir: &Path, flags: &[String]) -> Result<Vec<u8>, String> {
    let mut args: Vec<&str> = vec!["build", "."];
    args.extend(flags.iter().map(String::as_str));
    let o = run(bin, dir, &args);
    if o.status.success() {
        Ok(o.stdout)
    } else {
        Err(support::stderr(&o))
    }
}

#[test]
#[ignore = "builds the real-world trees; .ci/run runs it"]
fn realworld_fix_keeps_builds() {
    let Some(rw) = realworld("realworld_fix_keeps_builds") else {
        return;
    };
    let kz = support::real_kustomize("realworld_fix_keeps_builds");
    let flags = case_flags(&rw);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut deprecated = 0;
    let mut not_alone = Vec::new();
    let (mut fixed_same, mut kz_same, mut kz_differs) = (0, 0, 0);
    let (mut vars_files, mut vars_same, mut vars_kz_differs) = (0, 0, 0);
    let mut trees: Vec<PathBuf> = std::fs::read_dir(rw.join("trees"))
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    trees.sort();
    for pristine in &trees {
        let mut files = Vec::new();
        kustomization_files(pristine, &mut files);
        let files: Vec<PathBuf> = files
            .into_iter()
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                text.lines()
                    .any(|l| DEPRECATED.iter().any(|d| l.starts_with(&format!("{d}:"))))
            })
            .collect();
        if files.is_empty() {
            continue;
        }
        let copy = tmp.path().join(pristine.file_name().expect("name"));
        support::copy_tree(pristine, &copy);
        for f in files {
            deprecated += 1;
            let rel = f.strip_prefix(pristine).expect("inside");
            let shown = format!(
                "{}/{}",
                pristine.file_name().expect("name").to_string_lossy(),
                rel.display()
            );
            let dir = copy.join(rel.parent().expect("parent"));
            let case_flags = f
                .parent()
                .and_then(|d| d.canonicalize().ok())
                .and_then(|d| flags.get(&d).cloned())
                .unwrap_or_default();
            let before = match build(&ours(), &dir, &case_flags) {
                Ok(b) => b,
                Err(_) => {
                    // Components built alone, bases needing remote files...
                    not_alone.push(shown);
                    continue;
                }
            };
            let text = std::fs::read_to_string(&f).expect("read");
            let variants: &[&[&str]] = if text.lines().any(|l| l.starts_with("vars:")) {
                &[&["edit", "fix"], &["edit", "fix", "--vars"]]
            } else {
                &[&["edit", "fix"]]
            };
            for fix in variants {
                let vars = fix.len() == 3;
                vars_files += usize::from(vars);
                // kustomize's own fix, built by kustomize.
                let kz_run = kz.as_ref().map(|kz| {
                    let start = mark();
                    let kz_before = build(kz, &dir, &case_flags);
                    let o = run(kz, &dir, fix);
                    let kz_after = build(kz, &dir, &case_flags);
                    restore(&copy, pristine, start);
                    let keeps = o.status.success() && kz_before.is_ok() && kz_before == kz_after;
                    (keeps, kz_after)
                });
                let kz_keeps = kz_run.as_ref().map(|(keeps, _)| *keeps);
                let start = mark();
                let o = run(&ours(), &dir, fix);
                let after = build(&ours(), &dir, &case_flags);
                let fixed = std::fs::read_to_string(dir.join(rel.file_name().expect("name")))
                    .expect("read");
                restore(&copy, pristine, start);
                if !o.status.success() {
                    failures.push(format!("{shown}: {fix:?} failed: {}", support::stderr(&o)));
                    continue;
                }
                let same = after.as_deref() == Ok(before.as_slice());
                match (vars, same, kz_keeps) {
                    (false, true, Some(true)) => {
                        fixed_same += 1;
                        kz_same += 1;
                    }
                    (false, true, Some(false)) => {
                        fixed_same += 1;
                        kz_differs += 1;
                    }
                    (false, true, None) => fixed_same += 1,
                    (true, true, keeps) => {
                        vars_same += 1;
                        vars_kz_differs += usize::from(keeps == Some(false));
                    }
                    // kustomize's --vars build changes too: not ours to keep,
                    // but the two fixed trees must build alike.
                    (true, false, Some(false)) => {
                        vars_kz_differs += 1;
                        // (Error texts differ between the two; outputs may not.)
                        let kz_after = kz_run.as_ref().map(|(_, a)| a.as_ref().ok());
                        if kz_after != Some(after.as_ref().ok()) {
                            failures.push(format!(
                                "{shown}: after {fix:?} the build differs from kustomize's fixed tree's"
                            ));
                        }
                    }
                    (_, false, _) => failures.push(format!(
                        "{shown}: the build changed after {fix:?}\n--- fixed file\n{fixed}--- build error\n{}",
                        after.err().unwrap_or_default()
                    )),
                }
            }
        }
    }
    eprintln!(
        "{deprecated} kustomization files with deprecated fields: {} do not build alone ({}); \
         edit fix keeps the build of {fixed_same} (kustomize's own fix keeps {kz_same}, changes {kz_differs}); \
         {vars_files} with vars: fix --vars keeps the build of {vars_same}; kustomize's --vars changes {vars_kz_differs} (and ours then builds as kustomize's fixed tree does); {} failed",
        not_alone.len(),
        not_alone.join(", "),
        failures.len()
    );
    assert!(
        deprecated > 0,
        "no kustomization file with deprecated fields found"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
