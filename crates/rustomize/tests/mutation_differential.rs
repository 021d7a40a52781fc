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

/// An explained difference (see docs/hardening.md, "Explained
/// differences"), by the two outcomes and the tree they built: each class
/// matches one signature, checked against the input where it names one.
fn explained(kubectl: &Output, rustomize: &Output, tree: &Path) -> Option<&'static str> {
    let kerr = String::from_utf8_lossy(&kubectl.stderr);
    let rerr = String::from_utf8_lossy(&rustomize.stderr);
    let (k_ok, r_ok) = (kubectl.status.success(), rustomize.status.success());
    // kustomize panics (a Go runtime error) where rustomize reports an
    // error: both fail, but a panic is not an answer to compare.
    if kerr.contains("panic:") && !r_ok {
        return Some("kustomize panics");
    }
    // kustomize records the names, namespaces and kinds a renamed resource
    // had in comma-separated annotations: a name holding a comma (`we,b`)
    // splits into two entries, the counts differ, and `PrevIds` panics.
    if r_ok
        && kubectl.status.code() == Some(2)
        && kerr.contains(
            "panic: number of previous names, number of previous namespaces, number of previous kinds not equal",
        )
    {
        return Some("kustomize panics on a renamed name holding a comma");
    }
    // Flow collections nested past 255 levels on several lines: the event
    // parser's limit.
    if rerr.contains("nested deeper than 255 levels") {
        return Some("flow nesting past 255 levels");
    }
    // The event parser refuses `[a=b  -]`, which yaml.v3 reads.
    if k_ok && rerr.contains("plain scalar cannot start with '-'") {
        return Some("a dash after spaces in a flow scalar");
    }
    // A key given twice in one mapping of a resource, which rustomize
    // refuses (naming both lines) and kustomize folds as the kyaml steps
    // that touch it first happen to (the last value, a merge, or the part
    // dropped): the two lines must hold the key, in one mapping.
    if k_ok && !r_ok && refused_repeated_key(&rerr) {
        return Some("a repeated key kustomize folds");
    }
    // A patch's repeated key that rustomize reads first-wins (as kyaml's
    // field lookup does) and kustomize's later conversion to a map refuses
    // where the patch's part is copied whole (`mapping key "b" already
    // defined`): the key must be repeated in one mapping of a file.
    if !k_ok
        && r_ok
        && let Some(key) = between(&kerr, "mapping key \"", "\" already defined")
        && tree_files(tree)
            .iter()
            .any(|(_, text)| repeated_in_one_mapping(text, key))
    {
        return Some("a repeated key in a patch kustomize refuses");
    }
    // yaml.v3 scans a token or two past a document's `...` (its
    // look-ahead) and fails on a bad one; rustomize reads nothing past it,
    // as kyaml reads the first document of each piece: the file kustomize
    // names must have content after a `...` in the same piece.
    if !k_ok
        && r_ok
        && kerr.contains("MalformedYAMLError: yaml:")
        && let Some(name) =
            between(&kerr, " in File: ", "\"").or_else(|| between(&kerr, " in File: ", "\n"))
        && tree_files(tree).iter().any(|(path, text)| {
            (path == name || path.ends_with(&format!("/{name}"))) && content_past_document_end(text)
        })
    {
        return Some("a scan error just past `...`");
    }
    // kustomize keeps a `!!binary` scalar's base64 text through its
    // transformers (a name prefix goes before the base64 text, and the tag
    // is dropped) and decodes only the untouched ones when it prints;
    // rustomize decodes them when it reads: every line that differs must
    // be kubectl's with one of the tree's `!!binary` texts where rustomize
    // has it decoded.
    if k_ok && r_ok && binary_read_early(&kubectl.stdout, &rustomize.stdout, tree) {
        return Some("a `!!binary` value a transformer rewrites");
    }
    // A patch repeating a key whose first value is empty, copied whole into
    // a target that lacks that part: kyaml's merge clears the first entry
    // (a null deletes) from the copied node and the later one stays;
    // rustomize reads a patch first-key-wins and drops the later one. Some
    // file must repeat the key in one mapping, empty the first time, and
    // kubectl must print a line of that key that rustomize does not.
    if k_ok && r_ok && later_of_repeated_empty_key(&kubectl.stdout, &rustomize.stdout, tree) {
        return Some("a patch's key repeated after an empty one");
    }
    None
}

/// See "a patch's key repeated after an empty one" in [`explained`].
fn later_of_repeated_empty_key(kubectl: &[u8], rustomize: &[u8], tree: &Path) -> bool {
    let (k, r) = (
        String::from_utf8_lossy(kubectl),
        String::from_utf8_lossy(rustomize),
    );
    let r_lines: std::collections::HashSet<&str> = r.lines().collect();
    let only_kubectl: Vec<&str> = k.lines().filter(|l| !r_lines.contains(l)).collect();
    tree_files(tree).iter().any(|(_, text)| {
        let lines: Vec<&str> = text.lines().collect();
        (0..lines.len()).any(|i| {
            let t = lines[i].trim();
            let t = t.strip_prefix("- ").unwrap_or(t);
            let Some(key) = t
                .strip_suffix(':')
                .filter(|k| !k.is_empty() && !k.contains(' '))
            else {
                return false;
            };
            (i + 1..lines.len()).any(|j| same_mapping(&lines, key, i, j))
                && only_kubectl
                    .iter()
                    .any(|l| l.trim_start().starts_with(&format!("{key}:")))
        })
    })
}

/// See "a `!!binary` value a transformer rewrites" in [`explained`].
fn binary_read_early(kubectl: &[u8], rustomize: &[u8], tree: &Path) -> bool {
    let (k, r) = (
        String::from_utf8_lossy(kubectl),
        String::from_utf8_lossy(rustomize),
    );
    let (k, r): (Vec<&str>, Vec<&str>) = (k.lines().collect(), r.lines().collect());
    if k.len() != r.len() || k == r {
        return false;
    }
    let texts: Vec<(String, String)> = tree_files(tree)
        .iter()
        .flat_map(|(_, text)| {
            text.match_indices("!!binary ")
                .filter_map(|(i, m)| {
                    let b64: String = text[i + m.len()..]
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .collect();
                    let plain = String::from_utf8(base64_decode(&b64)?).ok()?;
                    (!plain.is_empty() && plain != b64).then_some((b64, plain))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    !texts.is_empty()
        && k.iter().zip(&r).all(|(kl, rl)| {
            kl == rl
                || texts.iter().any(|(b64, plain)| {
                    rl.contains(plain.as_str()) && rl.replacen(plain.as_str(), b64, 1) == *kl
                })
        })
}

/// Standard base64 with padding, as yaml.v3 decodes `!!binary`.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    if !text.len().is_multiple_of(4) || text.len() - bytes.len() > 2 {
        return None;
    }
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for &c in bytes {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The text between `open` and the next `close` after it.
fn between<'t>(text: &'t str, open: &str, close: &str) -> Option<&'t str> {
    let from = text.find(open)? + open.len();
    let len = text[from..].find(close)?;
    Some(&text[from..from + len])
}

/// Whether `err` is rustomize's `FILE:L:C: mapping key "K" already defined
/// at line M`, with `K:` on lines L and M of FILE in one mapping.
fn refused_repeated_key(err: &str) -> bool {
    let Some(at) = err.find(": mapping key \"") else {
        return false;
    };
    let Some(key) = between(&err[at..], "mapping key \"", "\" already defined at line ") else {
        return false;
    };
    // `... 'x': /path/file.yaml:L:C` before the message.
    let head = &err[..at];
    let head = &head[head.rfind(": ").map_or(0, |i| i + 2)..];
    let mut parts = head.rsplitn(3, ':');
    let (_col, line, file) = (parts.next(), parts.next(), parts.next());
    let (Some(line), Some(file)) = (line.and_then(|l| l.parse::<usize>().ok()), file) else {
        return false;
    };
    let Some(first) = between(&err[at..], " already defined at line ", "\n")
        .and_then(|l| l.trim().parse::<usize>().ok())
    else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    first < line && line <= lines.len() && same_mapping(&lines, key, first - 1, line - 1)
}

/// Whether lines `i` and `j` (0-based, `i < j`) both open with `key:` at
/// one indentation, every line between them blank, a comment, or at that
/// indentation or deeper (the mapping's other keys and their values), and
/// line `j` not opening an item of an enclosing sequence.
fn same_mapping(lines: &[&str], key: &str, i: usize, j: usize) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let holds = |l: &str| {
        let t = l.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
        [
            format!("{key}:"),
            format!("\"{key}\":"),
            format!("'{key}':"),
        ]
        .iter()
        .any(|k| t.starts_with(k.as_str()))
    };
    let key_col = |l: &str| {
        let t = l.trim_start();
        indent(l) + if t.starts_with("- ") { 2 } else { 0 }
    };
    holds(lines[i])
        && holds(lines[j])
        && !lines[j].trim_start().starts_with("- ")
        && key_col(lines[i]) == key_col(lines[j])
        && lines[i + 1..j].iter().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || indent(l) >= key_col(lines[i])
        })
}

/// Whether `key` opens two lines of one mapping in `text`.
fn repeated_in_one_mapping(text: &str, key: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    (0..lines.len()).any(|i| (i + 1..lines.len()).any(|j| same_mapping(&lines, key, i, j)))
}

/// Whether a `...` line is followed by anything but blanks and comments
/// before the next `---` line or the end.
fn content_past_document_end(text: &str) -> bool {
    let mut ended = false;
    for line in text.lines() {
        if line.starts_with("---") {
            ended = false;
        } else if line == "..." || line.starts_with("... ") {
            ended = true;
        } else if ended && !(line.trim().is_empty() || line.trim_start().starts_with('#')) {
            return true;
        }
    }
    false
}

/// The files of a tree, by path relative to it.
fn tree_files(tree: &Path) -> Vec<(String, String)> {
    read_tree(tree).into_iter().collect()
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
                    if let Some(why) = explained(&k, &r, &dir) {
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

/// The explained classes match their signature and nothing near it.
#[test]
fn explanations_are_narrow() {
    use std::os::unix::process::ExitStatusExt;
    let out = |code: i32, stderr: &str| Output {
        status: std::process::ExitStatus::from_raw(code << 8),
        stdout: Vec::new(),
        stderr: stderr.as_bytes().to_vec(),
    };
    let tree = tempfile::tempdir().expect("temporary directory");
    let t = tree.path();
    support::write(
        t,
        "cm.yaml",
        "metadata:\n  annotations:\n    a: b\n    a: c\n",
    );
    support::write(t, "other.yaml", "a: 1\nb:\n  a: 2\n");
    support::write(t, "ended.yaml", "a: 1\n...\nb: @\n");
    let cm = t.join("cm.yaml").display().to_string();
    let other = t.join("other.yaml").display().to_string();
    let refused = |file: &str, l: u32| {
        format!("Error: from 'x': {file}:{l}:5: mapping key \"a\" already defined at line 3\n")
    };
    let ok = out(0, "");
    assert_eq!(
        explained(&ok, &out(1, &refused(&cm, 4)), t),
        Some("a repeated key kustomize folds")
    );
    // The lines must hold the key, in one mapping (other keys of it may
    // come between; a new item of a sequence may not).
    assert_eq!(explained(&ok, &out(1, &refused(&cm, 2)), t), None);
    support::write(
        t,
        "keys.yaml",
        "x:\n  a: 1\n  b: 2\n  a: 3\n- a: 4\n  c: 5\n- a: 6\n",
    );
    let keys = t.join("keys.yaml").display().to_string();
    let refused_at = |l: u32, first: u32| {
        out(
            1,
            &format!("Error: {keys}:{l}:3: mapping key \"a\" already defined at line {first}\n"),
        )
    };
    assert_eq!(
        explained(&ok, &refused_at(4, 2), t),
        Some("a repeated key kustomize folds")
    );
    assert_eq!(explained(&ok, &refused_at(7, 5), t), None);
    assert_eq!(explained(&ok, &out(1, &refused(&other, 3)), t), None);
    let patch = out(
        1,
        "yaml: unmarshal errors:\n  line 4: mapping key \"a\" already defined at line 3\n",
    );
    assert_eq!(
        explained(&patch, &ok, t),
        Some("a repeated key in a patch kustomize refuses")
    );
    let patch_b = out(1, "  line 4: mapping key \"b\" already defined at line 3\n");
    assert_eq!(explained(&patch_b, &ok, t), None);
    let scan = |file: &str| {
        out(
            1,
            &format!(
                "err=\"MalformedYAMLError: yaml: line 2: found character that cannot start any token in File: {file}\"\n"
            ),
        )
    };
    assert_eq!(
        explained(&scan("ended.yaml"), &ok, t),
        Some("a scan error just past `...`")
    );
    assert_eq!(explained(&scan("cm.yaml"), &ok, t), None);
    // kubectl's panic on annotations of odd length, where rustomize
    // fails too: the generic class (rustomize no longer builds there).
    let panic = "panic: runtime error: index out of range [1] with length 1\n\nyaml.visitFieldsWhileTrue(...)\n(*RNode).getMapFromMeta.func1\n";
    assert_eq!(explained(&out(2, panic), &ok, t), None);
    assert_eq!(explained(&out(2, "panic: something else\n"), &ok, t), None);
    let prev = "panic: number of previous names, number of previous namespaces, number of previous kinds not equal\n";
    assert_eq!(
        explained(&out(2, prev), &ok, t),
        Some("kustomize panics on a renamed name holding a comma")
    );
    assert_eq!(explained(&out(1, prev), &ok, t), None, "a panic exits 2");
    // Both succeeding with other bytes: only a `!!binary` text.
    assert_eq!(explained(&ok, &ok, t), None);
    // A repeated key after an empty one: kubectl's later value only.
    support::write(
        t,
        "patch.yaml",
        "metadata:\n  labels:\n  labels:\n    v: \"2\"\n",
    );
    let with = |text: &str| Output {
        stdout: text.as_bytes().to_vec(),
        ..out(0, "")
    };
    assert_eq!(
        explained(&with("a:\n  labels:\n    v: \"2\"\n"), &with("a: {}\n"), t),
        Some("a patch's key repeated after an empty one")
    );
    assert_eq!(explained(&with("b: 1\n"), &with("b: 2\n"), t), None);
    std::fs::remove_file(t.join("patch.yaml")).expect("remove");
    support::write(t, "bin.yaml", "metadata:\n  name: !!binary aGVsbG8=\n");
    let printed = |text: &str| Output {
        stdout: text.as_bytes().to_vec(),
        ..out(0, "")
    };
    assert_eq!(
        explained(
            &printed("name: x-aGVsbG8=\n"),
            &printed("name: x-hello\n"),
            t
        ),
        Some("a `!!binary` value a transformer rewrites")
    );
    assert_eq!(
        explained(
            &printed("name: x-aGVsbG8=\n"),
            &printed("name: y-hello\n"),
            t
        ),
        None
    );
    assert_eq!(explained(&printed("a: 1\n"), &printed("a: 2\n"), t), None);
    assert_eq!(
        base64_decode("aGVsbG8gd29ybGQ="),
        Some(b"hello world".to_vec())
    );
}
