//! `build_two` gives exactly what two builds give, and shares what did
//! not change.

use crate::{BuildOptions, build, build_two};
use rustomize_loader::{FileKind, FileSystem, MemFs};
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A MemFs that tells directories' contents apart (a hash of every file
/// below) and counts the files read (also the sharing within a build's
/// tests, `within/tests.rs`).
#[derive(Debug)]
pub(super) struct Versioned {
    fs: MemFs,
    pub(super) reads: AtomicUsize,
}

impl Versioned {
    /// The files, each `(path under /t, text)`.
    pub(super) fn new<P: AsRef<str>>(files: &[(P, String)]) -> Arc<Versioned> {
        let fs = MemFs::new();
        for (path, text) in files {
            fs.write(format!("/t/{}", path.as_ref()), text.as_bytes());
        }
        Arc::new(Versioned {
            fs,
            reads: AtomicUsize::new(0),
        })
    }

    fn hash_into(&self, dir: &Path, h: &mut Sha256) {
        for name in self.fs.read_dir(dir).unwrap_or_default() {
            let p = dir.join(&name);
            h.update(name.as_bytes());
            match self.fs.kind(&p) {
                Ok(FileKind::Dir) => {
                    h.update(b"/");
                    self.hash_into(&p, h);
                }
                _ => h.update(self.fs.read(&p).unwrap_or_default()),
            }
        }
    }
}

impl FileSystem for Versioned {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.fs.read(path)
    }
    fn kind(&self, path: &Path) -> io::Result<FileKind> {
        self.fs.kind(path)
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        self.fs.canonicalize(path)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        self.fs.read_dir(path)
    }
    fn kind_no_follow(&self, path: &Path) -> io::Result<Option<FileKind>> {
        self.fs.kind_no_follow(path)
    }
    fn content_id(&self, dir: &Path) -> Option<Vec<u8>> {
        if self.fs.kind(dir).ok()? != FileKind::Dir {
            return None;
        }
        let mut h = Sha256::new();
        self.hash_into(dir, &mut h);
        Some(h.finalize().to_vec())
    }
}

/// A tree of `apps` apps (base with a generated ConfigMap, overlay with a
/// prefix, an image and, for app 0, a component), one environment that
/// takes every overlay and generates a ConfigMap every app refers to (so
/// its new name reaches objects of unchanged apps), and a top
/// kustomization.
fn tree(
    apps: usize,
    image: impl Fn(usize) -> String,
    literal: &str,
) -> Vec<(&'static str, String)> {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut files = vec![
        ("all/kustomization.yaml", "resources: [../env]\ncommonLabels: {top: x}\n".to_string()),
        (
            "component/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - {op: add, path: /spec/replicas, value: 3}\n".to_string(),
        ),
    ];
    let mut env = format!(
        "namespace: env\nconfigMapGenerator:\n- name: shared\n  literals: [S={literal}]\nresources:\n"
    );
    for i in 0..apps {
        env.push_str(&format!("- ../apps/a{i}/overlay\n"));
        files.push((
            leak(format!("apps/a{i}/base/kustomization.yaml")),
            format!("resources: [d.yaml]\nconfigMapGenerator:\n- name: cfg\n  literals: [K={literal}, APP={i}]\n"),
        ));
        files.push((
            leak(format!("apps/a{i}/base/d.yaml")),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web\n        envFrom: [{configMapRef: {name: cfg}}, {configMapRef: {name: shared}}]\n".to_string(),
        ));
        let component = if i == 0 {
            "components: [../../../component]\n"
        } else {
            ""
        };
        files.push((
            leak(format!("apps/a{i}/overlay/kustomization.yaml")),
            format!("namePrefix: a{i}-\nresources: [../base]\n{component}images: [{{name: web, newTag: '{}'}}]\n", image(i)),
        ));
    }
    files.push(("env/kustomization.yaml", env));
    files
}

fn yaml(r: Result<crate::BuildOutput, crate::Error>) -> String {
    r.expect("build").to_yaml().expect("yaml")
}

#[test]
fn two_builds_share_what_did_not_change_and_give_the_same_output() {
    let v1 = tree(6, |_| "1".into(), "a");
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("the same tree", v1.clone()),
        (
            "one image",
            tree(6, |i| if i == 3 { "2".into() } else { "1".into() }, "a"),
        ),
        ("one base", {
            let mut t = v1.clone();
            let i = t
                .iter()
                .position(|(p, _)| *p == "apps/a1/base/kustomization.yaml")
                .expect("a1 base");
            t[i].1 = t[i].1.replace("K=a", "K=b");
            t
        }),
        ("the ConfigMap every app refers to", {
            let mut t = v1.clone();
            let i = t
                .iter()
                .position(|(p, _)| *p == "env/kustomization.yaml")
                .expect("env");
            t[i].1 = t[i].1.replace("S=a", "S=b");
            t
        }),
        ("the component", {
            let mut t = v1.clone();
            let i = t
                .iter()
                .position(|(p, _)| *p == "component/kustomization.yaml")
                .expect("component");
            t[i].1 = t[i].1.replace("value: 3", "value: 4");
            t
        }),
        ("every literal", tree(6, |_| "1".into(), "z")),
        ("one app fewer", tree(5, |_| "1".into(), "a")),
    ];
    let dir = Path::new("/t/all");
    let opts = BuildOptions::default();
    let mut failed = Vec::new();
    for (name, v2) in cases {
        let (a, b) = (Versioned::new(&v1), Versioned::new(&v2));
        let (left, right) = build_two(a.clone(), b.clone(), dir, &opts);
        let (want_left, want_right) = (
            yaml(build(Versioned::new(&v1), dir, &opts)),
            yaml(build(Versioned::new(&v2), dir, &opts)),
        );
        let (left, right) = (yaml(left), yaml(right));
        if left != want_left || right != want_right {
            failed.push(format!("{name}: outputs differ from two builds"));
        }
        let (full, shared) = (
            a.reads.load(Ordering::Relaxed),
            b.reads.load(Ordering::Relaxed),
        );
        if name == "one image" && shared * 2 >= full {
            failed.push(format!(
                "{name}: the second build read {shared} files, the first {full}"
            ));
        }
        if name == "the same tree" && shared > 4 {
            failed.push(format!("{name}: the second build read {shared} files"));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn nothing_is_shared_without_content_ids() {
    let fs = |files: &[(&str, String)]| {
        let m = MemFs::new();
        for (p, t) in files {
            m.write(format!("/t/{p}"), t.as_bytes());
        }
        Arc::new(m)
    };
    let v1 = tree(2, |_| "1".into(), "a");
    let v2 = tree(2, |_| "2".into(), "a");
    let dir = Path::new("/t/all");
    let opts = BuildOptions::default();
    let (l, r) = build_two(fs(&v1), fs(&v2), dir, &opts);
    assert_eq!(yaml(l), yaml(build(fs(&v1), dir, &opts)));
    assert_eq!(yaml(r), yaml(build(fs(&v2), dir, &opts)));
}
