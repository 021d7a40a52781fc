//! Differential fuzzing against `kubectl kustomize`: the repository's
//! fixture trees (those that mirror kustomize) and example trees, each
//! mutated a few times at random (a scalar swapped for an odd one, a line
//! removed, repeated, moved or re-indented, a YAML snippet or a byte
//! inserted, a key renamed, a file cut short), then built by both. A
//! disagreement on success or failure, or on the bytes printed, is a
//! finding, unless it is one of the explained differences listed in
//! `docs/hardening.md` (matched by [`explained`]).
//!
//! `RUSTOMIZE_MUTATE_TREES=N` sets the number of mutated trees (default
//! 120, well under two minutes on two cores, which CI runs);
//! `RUSTOMIZE_MUTATE_SEED=S` the seed (runs with different seeds are
//! shards of one campaign); `RUSTOMIZE_MUTATE_BIN=PATH` the rustomize
//! binary to test (a copy, so that a rebuild meanwhile does not change it
//! under a long run). The long run (20,000 trees) is
//! `RUSTOMIZE_MUTATE_TREES=20000 cargo test --release -p rustomize --test
//! mutation_differential -- --nocapture`. Needs `kubectl` with kustomize
//! v5.5.0: skipped with a message when it is missing, failed instead under
//! `RUSTOMIZE_REQUIRE_ORACLES=1`.

#![allow(clippy::disallowed_methods)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A seed tree: its files (path, text) and the directory to build.
#[derive(Clone)]
struct Seed {
    name: String,
    files: BTreeMap<String, String>,
    root: String,
}

/// The fixture inputs that mirror kustomize (and build without flags),
/// and the example trees' kustomizations.
fn seeds() -> Vec<Seed> {
    let ws = support::workspace();
    let mut out = Vec::new();
    let fixtures = ws.join("crates/rustomize/tests/fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .flatten()
        .collect();
    cases.sort_by_key(|e| e.file_name());
    for case in cases {
        let dir = case.path();
        let Ok(meta) = std::fs::read_to_string(dir.join("case.yaml")) else {
            continue;
        };
        if meta.contains("kustomize: no") || meta.contains("\nargs:") {
            continue;
        }
        let root = meta
            .lines()
            .find_map(|l| l.strip_prefix("root: "))
            .map(|r| r.trim_matches('"').to_string())
            .unwrap_or_else(|| ".".into());
        let files = read_tree(&dir.join("input"));
        // Deep or huge trees are tested on their own.
        if files.values().any(|c| c.len() > 16 << 10) {
            continue;
        }
        out.push(Seed {
            name: case.file_name().to_string_lossy().into_owned(),
            files,
            root,
        });
    }
    for example in ["examples/dojo", "examples/infra"] {
        let files = read_tree(&ws.join(example));
        for (path, _) in files
            .iter()
            .filter(|(p, _)| p.ends_with("kustomization.yaml"))
        {
            let root = Path::new(path)
                .parent()
                .map_or(".".into(), |p| p.display().to_string());
            let root = if root.is_empty() { ".".into() } else { root };
            out.push(Seed {
                name: format!("{example}/{root}"),
                files: files.clone(),
                root,
            });
        }
    }
    out
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under the tree")
                    .display()
                    .to_string();
                files.insert(rel, text);
            }
        }
    }
    files
}

const ODD_SCALARS: &[&str] = &[
    "on",
    "off",
    "yes",
    "y",
    "~",
    "null",
    "''",
    "\"\"",
    "0777",
    "0o17",
    "0x1F",
    "1e3",
    "1e400",
    "99999999999999999999",
    "-0",
    ".5",
    "1_000",
    "12:30",
    "2001-12-14",
    "true",
    "False",
    "!!binary aGVsbG8=",
    "!!str 1",
    "\"a\\tb\"",
    "'it''s'",
    "|\n  block\n",
    ">\n  folded\n",
    "[a, b]",
    "{a: 1}",
    "[]",
    "{}",
    "*x",
    "&x v",
    "a: b",
    "- x",
    "\"\\x1a\"",
    "é",
    "😀",
    "\"line\\nbreak\"",
    "x #c",
    "-",
    "?",
    "%x",
];

const SNIPPETS: &[&str] = &[
    "  x: [1, {a: b}]",
    "- &a x",
    "  <<: {k: v}",
    "---",
    "...",
    "namePrefix: p-",
    "nameSuffix: -s",
    "namespace: ns",
    "commonLabels: {app: x}",
    "commonAnnotations: {\"true\": x}",
    "labels:\n- pairs: {a: b}\n  includeSelectors: true",
    "images:\n- name: nginx\n  newTag: \"1.2\"",
    "replicas:\n- name: web\n  count: 3",
    "patches:\n- patch: |-\n    - op: add\n      path: /metadata/labels/x\n      value: y\n  target:\n    kind: Deployment",
    "configMapGenerator:\n- name: g\n  literals: [a=1, b=on]",
    "secretGenerator:\n- name: s\n  literals: [k=v]",
    "  annotations:\n    a: b",
    "metadata:\n  name: dup",
    "\t",
    "# comment",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra",
];

const KEYS: &[&str] = &[
    "resources",
    "bases",
    "components",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "vars",
    "replacements",
    "sortOptions",
    "name",
    "kind",
    "apiVersion",
    "metadata",
    "spec",
    "data",
];

const BYTES: &[&str] = &[
    ":", "#", "-", "{", "}", "[", "]", "'", "\"", "&", "*", "!", "|", ">", " ", "\n", ",", "%",
    "@", "\\",
];

/// One mutation of one file's text.
fn mutate_text(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.below(lines.len());
    match rng.below(10) {
        0 => {
            // A scalar after `: ` or `- ` swapped for an odd one.
            let line = &lines[i];
            if let Some(at) = line.find(": ").or_else(|| line.find("- ")) {
                let odd = rng.pick(ODD_SCALARS);
                let indent = " ".repeat(line.len() - line.trim_start().len() + 2);
                let odd = odd.replace('\n', &format!("\n{indent}"));
                lines[i] = format!("{}{}", &line[..at + 2], odd.trim_end());
            }
        }
        1 => {
            lines.remove(i);
        }
        2 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        3 => {
            let j = rng.below(lines.len());
            lines.swap(i, j);
        }
        4 => {
            let l = &lines[i];
            lines[i] = if rng.below(2) == 0 {
                format!("  {l}")
            } else {
                l.strip_prefix("  ").unwrap_or(l).to_string()
            };
        }
        5 => lines.insert(i, rng.pick(SNIPPETS).to_string()),
        6 => {
            let line = &lines[i];
            let at = rng.below(line.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&k| line.is_char_boundary(k))
                .unwrap_or(0);
            lines[i] = format!("{}{}{}", &line[..at], rng.pick(BYTES), &line[at..]);
        }
        7 => {
            let line = &lines[i];
            if let Some(colon) = line.find(':') {
                let indent = line.len() - line.trim_start().len();
                lines[i] = format!("{}{}{}", &line[..indent], rng.pick(KEYS), &line[colon..]);
            }
        }
        8 => {
            // Cut short.
            lines.truncate(i.max(1));
        }
        _ => {
            // Quotes changed.
            lines[i] = lines[i].replacen('"', "'", 1);
        }
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') || rng.below(4) != 0 {
        out.push('\n');
    }
    out
}

/// A mutated copy of `seed`: one to three mutations of its YAML files.
fn mutate(rng: &mut Rng, seed: &Seed) -> BTreeMap<String, String> {
    let mut files = seed.files.clone();
    let yaml: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".env"))
        .cloned()
        .collect();
    for _ in 0..1 + rng.below(3) {
        if yaml.is_empty() {
            break;
        }
        let path = &yaml[rng.below(yaml.len())];
        if let Some(text) = files.get(path) {
            let new = mutate_text(rng, text);
            files.insert(path.clone(), new);
        }
    }
    files
}

/// An explained difference (see docs/hardening.md), by the two outcomes.
fn explained(kubectl: &Output, rustomize: &Output) -> Option<&'static str> {
    let kerr = String::from_utf8_lossy(&kubectl.stderr);
    let rerr = String::from_utf8_lossy(&rustomize.stderr);
    // kustomize panics (a Go runtime error) where rustomize reports an
    // error: both fail, but a panic is not an answer to compare.
    if kerr.contains("panic:") && !rustomize.status.success() {
        return Some("kustomize panics");
    }
    // Flow collections nested past 255 levels on several lines: the event
    // parser's limit.
    if rerr.contains("nested deeper than 255 levels") {
        return Some("flow nesting past 255 levels");
    }
    // The event parser refuses `[a=b  -]`, which yaml.v3 reads.
    if kubectl.status.success() && rerr.contains("plain scalar cannot start with '-'") {
        return Some("a dash after spaces in a flow scalar");
    }
    None
}

fn build(cmd: &mut Command) -> Output {
    cmd.output().expect("run a build")
}

#[test]
fn mutated_fixture_trees_build_like_kubectl() {
    if support::kubectl("mutation differential test").is_none() {
        return;
    }
    let count: usize = std::env::var("RUSTOMIZE_MUTATE_TREES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let seed: u64 = std::env::var("RUSTOMIZE_MUTATE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(14);
    let bin = std::env::var_os("RUSTOMIZE_MUTATE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_rustomize")),
        PathBuf::from,
    );
    let seeds = seeds();
    assert!(seeds.len() >= 10, "only {} seed trees", seeds.len());
    let work = tempfile::tempdir().expect("temporary directory");
    let next = AtomicUsize::new(0);
    let (agree_ok, agree_err) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let explained_count: Mutex<BTreeMap<&'static str, usize>> = Mutex::new(BTreeMap::new());
    let findings: Mutex<Vec<(usize, PathBuf, String)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let mut rng = Rng(seed.wrapping_mul(0x1000_0001).wrapping_add(i as u64));
                    let base = &seeds[rng.below(seeds.len())];
                    let files = mutate(&mut rng, base);
                    let dir = work.path().join(format!("t{i:05}"));
                    for (p, c) in &files {
                        support::write(&dir, p, c);
                    }
                    let root = dir.join(&base.root);
                    // Both with a bound on time: a mutation must not hang
                    // either (kustomize hangs on no input here).
                    let k = build(
                        Command::new("timeout")
                            .args(["60", "kubectl", "kustomize"])
                            .arg(&root),
                    );
                    let r = build(
                        Command::new("timeout")
                            .arg("60")
                            .arg(&bin)
                            .arg("build")
                            .arg(&root),
                    );
                    let same = match (k.status.success(), r.status.success()) {
                        (true, true) => k.stdout == r.stdout,
                        (false, false) => true,
                        _ => false,
                    };
                    if same {
                        if k.status.success() {
                            agree_ok.fetch_add(1, Ordering::Relaxed);
                        } else {
                            agree_err.fetch_add(1, Ordering::Relaxed);
                        }
                        let _ = std::fs::remove_dir_all(&dir);
                        continue;
                    }
                    if let Some(why) = explained(&k, &r) {
                        *explained_count
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .entry(why)
                            .or_default() += 1;
                        let _ = std::fs::remove_dir_all(&dir);
                        continue;
                    }
                    let text = |o: &Output| {
                        let mut s = String::from_utf8_lossy(&o.stderr).into_owned();
                        s.truncate(600);
                        s
                    };
                    let what = match (k.status.code(), r.status.code()) {
                        (Some(0), Some(0)) => "both succeed, the bytes differ".to_string(),
                        (kc, rc) => format!(
                            "kubectl {kc:?}: {}\n  rustomize {rc:?}: {}",
                            text(&k),
                            text(&r)
                        ),
                    };
                    findings.lock().unwrap_or_else(|e| e.into_inner()).push((
                        i,
                        dir,
                        format!("from {}: {what}", base.name),
                    ));
                }
            });
        }
    });
    let mut findings = findings.into_inner().unwrap_or_else(|e| e.into_inner());
    findings.sort_by_key(|f| f.0);
    let explained_count = explained_count
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    eprintln!(
        "mutation differential: {count} trees (seed {seed}): {} alike, {} fail in both, {} explained {explained_count:?}, {} findings",
        agree_ok.load(Ordering::Relaxed),
        agree_err.load(Ordering::Relaxed),
        explained_count.values().sum::<usize>(),
        findings.len()
    );
    if findings.is_empty() {
        return;
    }
    let kept = work.keep();
    let mut report = format!(
        "{} findings (trees kept in {}):\n",
        findings.len(),
        kept.display()
    );
    for (i, dir, what) in findings.iter().take(10) {
        report.push_str(&format!("\n#### tree {i} ({})\n{what}\n", dir.display()));
    }
    panic!("{report}");
}
