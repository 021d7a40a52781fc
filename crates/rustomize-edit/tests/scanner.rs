//! The focused scanner builds the same tree as the reference parser
//! (saphyr's events), node for node and span for span, wherever it reads a
//! text at all, and never reads a text saphyr rejects.
//!
//! The corpus: the cases below, every YAML file of the repository's test
//! fixtures and examples, and (when `../shared` is beside the workspace)
//! every YAML file of the conformance and real-world suites; each file is
//! also mutated a few dozen times (characters inserted and deleted, lines
//! indented, dedented and duplicated) to reach the scanner's error paths
//! (`SCANNER_MUTANTS=N` for N times as many).

// These tests set up trees and read results on disk.
#![allow(clippy::disallowed_methods)]

use rustomize_edit::cst::{Cst, Kind, Node};
use std::path::{Path, PathBuf};

const CASES: &[&str] = &[
    "",
    "# only a comment\n",
    "a: 1\n",
    "a: 1",
    "a:\n",
    "a:",
    "---\na: 1\n",
    "--- # doc\na: 1\n",
    "---\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "  a: 1\n  b: 2\n",
    "res:\n- x # c\n- y\nm:\n  k: v\n  l:\nn:\n  - p: 1\n    q: \"z\"\n  - [a, b]\ne:\nf: {a: b}\n",
    "# c\n---\n# d\n\"q k\": 1\nimages:\n- name: a # x\n  newTag: b\np:\n- patch: |-\n    x\n    y\n\n  t: 1\nz: -s\nw: []\n",
    "a: |\n  x\n\n  y\n\nb: 2\n",
    "a: |-\n  x\n   y\nb: 2\n",
    "a: |\n  x\n",
    "a: |\n  x",
    "a: |+\n  x\n\n",
    "a: |2\n   x\n",
    "a: >\n  x\n  y\n",
    "a: |\n\n  x\n",
    "a: |\n    \n  x\n",
    "a: |\nb: 1\n",
    "- |\n  x\n- y\n",
    "a: 'it''s'\nb: \"\\\"q\\\" \\u00e9 \\x41 \\t\"\n",
    "a: \"multi\n  line\"\n",
    "a: 'multi\n  line'\n",
    "a: plain\n  continued\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "? a\n: b\n",
    "a: b: c\n",
    "a:b: c\n",
    "url: http://example.com/x#y\n",
    "a: x # c\n  # deeper comment\nb: y\n",
    "a:\n  - x\n  b: 1\n",
    "a:\n    b: 1\n  c: 2\n",
    "a: 1\n- b\n",
    "- a\n- b\n",
    "- - a\n",
    "-\n  a: 1\n",
    "a:\n-\n  b: 1\n",
    "a:\n- b: 1\n  c:\n  - d\n  e: f\n",
    "a: [a, 'b', \"c\"]\nb: {k: v, 'q': \"w\"}\nc: {}\nd: []\n",
    "a: [a, [b]]\n",
    "a: [a, ]\n",
    "a: [a,\n  b]\n",
    "a: {k}\n",
    "a: {k: }\n",
    "a: [a: b]\n",
    "a: [-x, -]\n",
    "a: \"x\" y\n",
    "a: [a] b\n",
    "a:\tb\n",
    "a: b\r\nc: d\r\n",
    "\u{feff}a: b\n",
    "a: héllo # ü\nb: [ä, ö]\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\na: 2\n",
    "a: -\n",
    "a: - b\n",
    "a: ---\n",
    "---a: 1\n",
    "a: @x\n",
    "a: `x\n",
    "a: x\n#c\n  # c\n\nb: y\n",
    "a:#x\n",
    "a: x#y\n",
    "- a # c\n  # c\n- b\n",
    "k: \"a\\\n  b\"\n",
    "k: \"\\q\"\n",
    "k: \"\\ud800\"\n",
];

/// YAML files under `dir`, recursively.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "snap")
            || p.file_name().is_some_and(|n| n == "Kustomization")
        {
            out.push(p);
        }
    }
}

/// A named text and how many mutants of it to try.
type Text = (String, String, usize);

fn corpus() -> Vec<Text> {
    let mut out: Vec<Text> = CASES
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("case {i}"), c.to_string(), 48))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for d in ["crates/rustomize/tests", "examples"] {
        yaml_files(&root.join(d), &mut files);
    }
    let local = files.len();
    let shared = root.join("../shared");
    if shared.is_dir() {
        for d in ["conformance", "realworld"] {
            yaml_files(&shared.join(d), &mut files);
        }
    } else {
        eprintln!(
            "note: {} is absent: the shared suites are not in the corpus",
            shared.display()
        );
    }
    for (i, f) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        // Kustomization files are what the scanner is for: mutate them
        // most; the suites' other files a few times each.
        let kustomization = f.file_name().is_some_and(|n| {
            n.to_string_lossy()
                .to_lowercase()
                .starts_with("kustomization")
        });
        let mutants = match (kustomization, i < local, text.len()) {
            (_, _, n) if n > 20_000 => 0,
            (true, _, _) => 24,
            (false, true, _) => 8,
            (false, false, _) => 3,
        };
        out.push((f.display().to_string(), text, mutants));
    }
    out
}

/// `None` when the two parsers agree; else what differs.
fn disagreement(text: &str) -> Option<String> {
    if !Cst::scans(text) {
        return None;
    }
    let fast = Cst::parse(text);
    let reference = Cst::parse_reference(text);
    match (fast, reference) {
        (Ok(f), Ok(r)) if f.root == r.root && f.doc_end == r.doc_end => None,
        (Ok(f), Ok(r)) => Some(match (&f.root, &r.root) {
            (Some(a), Some(b)) => first_difference(a, b, "root"),
            (a, b) => format!("roots differ: {a:?} / {b:?}"),
        }),
        (_, Err(e)) => Some(format!("the scanner read a text saphyr rejects ({e})")),
        (Err(e), _) => Some(format!("scans() but parse failed: {e}")),
    }
}

/// The path to the first node that differs, and both versions of it.
fn first_difference(a: &Node, b: &Node, path: &str) -> String {
    let shallow = |n: &Node| {
        let kind = match &n.kind {
            Kind::Scalar { value, style, tag } => format!("scalar {value:?} {style:?} {tag:?}"),
            Kind::Alias(i) => format!("alias {i}"),
            Kind::Seq {
                flow,
                items,
                dashes,
            } => {
                format!("seq flow={flow} items={} dashes={dashes:?}", items.len())
            }
            Kind::Map { flow, entries } => format!("map flow={flow} entries={}", entries.len()),
        };
        format!(
            "{}..{}..{} anchor={:?} {kind}",
            n.start, n.body, n.end, n.anchor
        )
    };
    match (&a.kind, &b.kind) {
        (Kind::Seq { items: x, .. }, Kind::Seq { items: y, .. }) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p != q {
                    return first_difference(p, q, &format!("{path}[{i}]"));
                }
            }
        }
        (Kind::Map { entries: x, .. }, Kind::Map { entries: y, .. }) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p.key != q.key {
                    return first_difference(&p.key, &q.key, &format!("{path}.key{i}"));
                }
                if p.value != q.value {
                    return first_difference(&p.value, &q.value, &format!("{path}.{i}"));
                }
            }
        }
        _ => {}
    }
    format!("{path}: scanner {} / reference {}", shallow(a), shallow(b))
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random change to `text` (kept valid UTF-8).
fn mutate(r: &mut Rng, text: &str) -> String {
    const INSERTS: &[&str] = &[
        ":", " ", "-", "- ", "#", " #", "'", "\"", "[", "]", "{", "}", ",", "|", "|-", ">", "\n",
        "  ", "\\", "&a ", "*a", "!", "?", "---", "\n- x", ": x", "\n  ", "é",
    ];
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let at = boundaries[r.below(boundaries.len())];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    match r.below(5) {
        0 | 1 => {
            let ins = INSERTS[r.below(INSERTS.len())];
            format!("{}{ins}{}", &text[..at], &text[at..])
        }
        2 => {
            let end = boundaries
                .iter()
                .copied()
                .find(|&b| b > at + r.below(3))
                .unwrap_or(text.len());
            format!("{}{}", &text[..at], &text[end..])
        }
        3 if !lines.is_empty() => {
            let i = r.below(lines.len());
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            match r.below(3) {
                0 => l[i] = format!(" {}", l[i]),
                1 => l[i] = l[i].strip_prefix(' ').unwrap_or(&l[i]).to_string(),
                _ => {
                    let dup = l[i].clone();
                    l.insert(i, dup);
                }
            }
            l.concat()
        }
        _ => text.to_string(),
    }
}

#[test]
fn scanner_agrees_with_the_reference_parser() {
    let corpus = corpus();
    let mut failures = Vec::new();
    let mut scanned = 0;
    let mut mutants = 0;
    let mut mutants_scanned = 0;
    let (mut kustomizations, mut kustomizations_scanned) = (0, 0);
    let mut unscanned = Vec::new();
    // SCANNER_MUTANTS=N multiplies the mutants (and changes the seed) for
    // a longer search.
    let factor: usize = std::env::var("SCANNER_MUTANTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut r = Rng(0x2545_F491_4F6C_DD1D ^ factor as u64);
    for (name, text, count) in &corpus {
        if Cst::scans(text) {
            scanned += 1;
        }
        if name.to_lowercase().contains("/kustomization") {
            kustomizations += 1;
            if Cst::scans(text) {
                kustomizations_scanned += 1;
            } else {
                unscanned.push(name.as_str());
            }
        }
        if let Some(d) = disagreement(text) {
            failures.push(format!("{name}: {d}\n--- text\n{text}"));
        }
        for i in 0..*count * factor {
            let m = mutate(&mut r, text);
            mutants += 1;
            if Cst::scans(&m) {
                mutants_scanned += 1;
            }
            if let Some(d) = disagreement(&m) {
                failures.push(format!("{name} (mutant {i}): {d}\n--- text\n{m:?}"));
            }
        }
    }
    eprintln!(
        "{} texts, {scanned} read by the scanner ({kustomizations_scanned} of {kustomizations} kustomization files); {mutants} mutants, {mutants_scanned} read by the scanner; {} disagreements",
        corpus.len(),
        failures.len()
    );
    if std::env::var_os("SCANNER_LIST_UNSCANNED").is_some() {
        eprintln!(
            "kustomization files left to saphyr:\n{}",
            unscanned.join("\n")
        );
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn kustomization_shapes_are_scanned() {
    // What kustomization files look like is read without saphyr.
    for text in [
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# the apps\nresources:\n- a.yaml # a\n- b.yaml\nimages:\n- name: x\n  newTag: v1 # pinned\n",
        "resources:\n  - a\n\nnamespace: x\n\npatches:\n  - patch: |-\n      - op: add\n        path: /x\n    target:\n      kind: Deployment\n",
        "---\ncommonLabels: {app: web}\nresources: []\nconfigMapGenerator:\n- name: c\n  literals:\n  - A=1\n  - 'B=two words'\n",
    ] {
        assert!(Cst::scans(text), "{text}");
        assert_eq!(disagreement(text), None, "{text}");
    }
}
