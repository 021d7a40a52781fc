//! The engine's one in-memory test harness: a tree of files under `/app`,
//! loaders over it, builds of it through the real pipeline, resources from
//! YAML text and printed back, error texts, and a readable first
//! difference between two outputs.

use crate::error::Error;
use crate::model::resmap::ResMap;
use crate::model::resource::Resource;
use crate::pipeline::sort::Order;
use crate::pipeline::{BuildOptions, build};
use crate::steps::Transformer;
use rustomize_loader::{LoadRestrictor, Loader, MemFs};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where every tree lives.
pub(crate) const ROOT: &str = "/app";

/// Files in memory under [`ROOT`].
pub(crate) struct Tree {
    fs: Arc<MemFs>,
}

impl Tree {
    /// A tree of text files (paths relative to [`ROOT`]).
    pub(crate) fn new(files: &[(&str, &str)]) -> Tree {
        let tree = Tree::empty();
        for (path, text) in files {
            tree.write(path, text.as_bytes());
        }
        tree
    }

    /// A tree with only [`ROOT`].
    pub(crate) fn empty() -> Tree {
        let fs = MemFs::new();
        fs.mkdir(ROOT);
        Tree { fs: Arc::new(fs) }
    }

    /// Adds a file (path relative to [`ROOT`]).
    pub(crate) fn write(&self, path: &str, content: &[u8]) {
        self.fs.write(Path::new(ROOT).join(path), content.to_vec());
    }

    /// The absolute path of `dir` (relative to [`ROOT`]).
    pub(crate) fn path(dir: &str) -> PathBuf {
        Path::new(ROOT).join(dir)
    }

    /// The file system.
    pub(crate) fn fs(&self) -> Arc<MemFs> {
        self.fs.clone()
    }

    /// A loader rooted at `dir` (relative to [`ROOT`]), default restrictor.
    pub(crate) fn loader(&self, dir: &str) -> Loader {
        Loader::new(self.fs.clone(), &Tree::path(dir), LoadRestrictor::RootOnly)
            .expect("test tree has the directory")
    }

    /// Builds the kustomization in `dir` with `opts`; paths in messages
    /// relative to [`ROOT`].
    pub(crate) fn build_with(&self, dir: &str, opts: &BuildOptions) -> Result<String, Error> {
        let opts = BuildOptions {
            paths_relative_to: opts.paths_relative_to.clone().or_else(|| Some(ROOT.into())),
            ..opts.clone()
        };
        build(self.fs.clone(), &Tree::path(dir), &opts)?.to_yaml()
    }

    /// Builds the kustomization in `dir` with the default options.
    pub(crate) fn build(&self, dir: &str) -> Result<String, Error> {
        self.build_with(dir, &BuildOptions::default())
    }

    /// Builds `dir` printing resources in input order (`sortOptions:
    /// {order: fifo}`), as the step tests compare them.
    pub(crate) fn build_fifo(&self, dir: &str) -> Result<String, Error> {
        let opts = BuildOptions {
            reorder: Some(Order::Fifo),
            ..BuildOptions::default()
        };
        self.build_with(dir, &opts)
    }
}

/// Builds a tree of `files` rooted at [`ROOT`], default options.
pub(crate) fn build_files(files: &[(&str, &str)]) -> Result<String, Error> {
    Tree::new(files).build("")
}

/// The resources in `yaml` (multi-document, empty documents skipped), in
/// order; ids may repeat.
pub(crate) fn resmap(yaml: &str) -> ResMap {
    rustomize_yaml::parse_documents(yaml)
        .expect("test resources parse")
        .into_iter()
        .filter(|d| !d.is_null())
        .map(Resource::new)
        .collect()
}

/// The resources as kustomize prints them, in map order.
pub(crate) fn print(rm: &ResMap) -> String {
    rm.resources()
        .iter()
        .map(|r| rustomize_yaml::emit::to_string(&r.node).expect("test resources print"))
        .collect::<Vec<_>>()
        .join("---\n")
}

/// Runs `t` over the resources in `input` and prints them.
pub(crate) fn run(t: &dyn Transformer, input: &str) -> Result<String, Error> {
    let mut rm = resmap(input);
    t.transform(&mut rm)?;
    Ok(print(&rm))
}

/// Runs `check` on every row and fails with all the rows that fail.
pub(crate) fn rows<T: std::fmt::Debug>(rows: &[T], check: impl Fn(&T) -> Result<(), String>) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| check(row).err().map(|why| format!("  {row:?}\n    {why}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// The whole error, as the command line prints it.
pub(crate) fn report(e: &Error) -> String {
    e.report().to_string()
}

/// The error without the pipeline's outer wrappers that name the
/// kustomization file and step (what a step's own tests compare with
/// kustomize's plugin messages).
pub(crate) fn below_file(e: &Error) -> String {
    match e {
        Error::InFile { source, .. } | Error::Step { source, .. } => below_file(source),
        e => report(e),
    }
}

/// Where two texts first differ, line by line, with a few lines of
/// context from each.
pub(crate) fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let from = i.saturating_sub(3);
    let mut s = format!("first difference at line {}:\n", i + 1);
    for l in &w[from..(i + 4).min(w.len())] {
        s.push_str(&format!("  want: {l}\n"));
    }
    for l in &g[from..(i + 4).min(g.len())] {
        s.push_str(&format!("  got:  {l}\n"));
    }
    s
}
