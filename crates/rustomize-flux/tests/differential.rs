//! Differential test against fluxcd/pkg (the Go oracle in tools/flux-oracle):
//! generated Kustomization objects over generated trees, with substitution
//! of every form Flux's envsubst has, variables with YAML-significant
//! values, strict and non-strict mode, missing and optional values, the
//! generator, overrides and components. Needs Go (see support/oracle.rs).
//!
//! Each case must give the oracle's bytes, or fail where the oracle fails.
//! `FLUX_DIFF_CASES` sets the number of cases per seed (default 160) and
//! `FLUX_DIFF_SEED` a single seed to run.

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

mod support;

use rustomize_flux::{Options, render};
use std::fmt::Write as _;
use std::path::PathBuf;
use support::cases::{Rng, generate};
use support::oracle;

fn ours(case: &oracle::Case) -> oracle::Outcome {
    let opts = Options {
        root: Some(case.root.clone()),
        name: case.name.clone(),
        substitute_from: case.substitute_from.clone(),
        vars: case.vars.clone(),
        strict: case.strict,
        search_tree: false,
        ..Options::default()
    };
    render(&case.kustomization, &opts)
        .map(|r| r.yaml)
        .map_err(|e| e.to_string())
}

fn describe(case: &oracle::Case) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "--- ks.yaml (strict: {}, vars: {:?})",
        case.strict, case.vars
    );
    s.push_str(&std::fs::read_to_string(&case.kustomization).unwrap_or_default());
    for f in &case.substitute_from {
        let _ = writeln!(s, "--- {}", f.display());
        s.push_str(&std::fs::read_to_string(f).unwrap_or_default());
    }
    let mut stack = vec![case.root.clone()];
    let mut paths: Vec<PathBuf> = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                paths.push(e.path());
            }
        }
    }
    paths.sort();
    for p in paths {
        let _ = writeln!(
            s,
            "--- {}",
            p.strip_prefix(&case.root).unwrap_or(&p).display()
        );
        s.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
    }
    s
}

#[test]
fn generated_kustomizations_match_fluxcd_pkg() {
    let Some(bin) = oracle::binary() else {
        return;
    };
    let per_seed: usize = std::env::var("FLUX_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(160);
    let seeds: Vec<u64> = match std::env::var("FLUX_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(s) => vec![s],
        None => vec![1, 2],
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cases = Vec::new();
    for seed in &seeds {
        let mut rng = Rng(*seed);
        for i in 0..per_seed {
            let dir = tmp.path().join(format!("s{seed}-{i}"));
            cases.push((format!("seed {seed} case {i}"), generate(&mut rng, &dir)));
        }
    }
    let oracle_cases: Vec<oracle::Case> = cases.iter().map(|(_, c)| c.clone()).collect();
    let started = std::time::Instant::now();
    let expected = oracle::run(&bin, &oracle_cases);
    eprintln!("the oracle took {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let outcomes: Vec<oracle::Outcome> = cases.iter().map(|(_, c)| ours(c)).collect();
    eprintln!("rustomize took {:?}", started.elapsed());
    let mut failures = Vec::new();
    let (mut both_ok, mut both_err) = (0, 0);
    for (((label, case), want), got) in cases.iter().zip(&expected).zip(outcomes) {
        match (want, &got) {
            (Ok(a), Ok(b)) if a == b => both_ok += 1,
            (Err(_), Err(_)) => both_err += 1,
            _ => failures.push(format!(
                "{label}:\n{}\n=== flux:\n{}\n=== rustomize:\n{}\n",
                describe(case),
                match want {
                    Ok(s) => s.clone(),
                    Err(e) => format!("error: {e}"),
                },
                match &got {
                    Ok(s) => s.clone(),
                    Err(e) => format!("error: {e}"),
                }
            )),
        }
    }
    // What made cases fail, so a generator drifting into one error shows.
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for e in expected.iter().filter_map(|r| r.as_ref().err()) {
        let reason = e
            .rsplit(": ")
            .find(|part| !part.contains('/') && part.len() > 8)
            .unwrap_or(e)
            .chars()
            .take(70)
            .collect::<String>();
        *reasons.entry(reason).or_default() += 1;
    }
    let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    if std::env::var_os("FLUX_DIFF_VERBOSE").is_some() {
        for e in expected.iter().filter_map(|r| r.as_ref().err()) {
            eprintln!("oracle error: {e}");
        }
    }
    for (reason, n) in reasons.iter().take(8) {
        eprintln!("  {n:>4} fail with: {reason}");
    }
    eprintln!(
        "{} cases: {both_ok} same output, {both_err} fail in both, {} differ",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from fluxcd/pkg:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // A generator that only made failing cases would prove nothing.
    assert!(
        both_ok * 2 >= cases.len(),
        "only {both_ok} of {} cases rendered",
        cases.len()
    );
}
