//! What Flux's kustomize-controller applies for a `Kustomization` object,
//! rendered without a cluster.
//!
//! kustomize-controller links kustomize and adds a layer of its own, which
//! is what reaches the cluster. [`render`] runs that layer around the
//! rustomize engine, in the controller's order:
//!
//! 1. read the Flux `Kustomization` ([`kustomization`]);
//! 2. view the source as its artifact ([`artifact`]): the repository root
//!    without links and without what `.sourceignore` excludes
//!    ([`sourceignore`]); `spec.path` is joined to it without climbing out;
//! 3. generate or rewrite the kustomization file there, in memory, with the
//!    Kustomization's overrides ([`generator`]);
//! 4. build with the engine: `LoadRestrictionsNone`, plugins and helm off,
//!    no sorting (Flux leaves kustomize's `Reorder` option empty), nothing
//!    outside the root but remote bases;
//! 5. substitute `postBuild` variables object by object ([`substitute`],
//!    [`envsubst`], [`roundtrip`]), with values from manifests standing in
//!    for the cluster ([`values`]);
//! 6. read the objects back, add the owner labels and `commonMetadata`, and
//!    print them as `flux build kustomization` does ([`objects`]).
//!
//! See `docs/flux.md` for the behaviour in full and what differs from Flux.

pub mod artifact;
pub mod envsubst;
mod error;
pub mod generator;
pub mod kustomization;
pub mod kustomize_type;
pub mod objects;
pub mod roundtrip;
pub mod sourceignore;
pub mod substitute;
pub mod values;

pub use error::Error;
pub use kustomization::Kustomization;

use artifact::ArtifactFs;
use rustomize_loader::{FileKind, FileSystem, LoadRestrictor, RemoteFetcher};
use rustomize_yaml::Node;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to render a Kustomization.
#[derive(Clone)]
pub struct Options {
    /// The root of the Kustomization's source (the repository checkout);
    /// `None` takes the git top-level of the Kustomization file's
    /// directory.
    pub root: Option<PathBuf>,
    /// Which Kustomization of the file, when it holds several.
    pub name: Option<String>,
    /// ConfigMap and Secret manifests standing in for the cluster's
    /// `substituteFrom` objects.
    pub substitute_from: Vec<PathBuf>,
    /// `NAME=VALUE` pairs added to `spec.postBuild.substitute`.
    pub vars: Vec<(String, String)>,
    /// Strict substitution (the controller's `StrictPostBuildSubstitutions`
    /// feature gate, on by default).
    pub strict: bool,
    /// Look for `substituteFrom` objects the files lack in the source's
    /// YAML files.
    pub search_tree: bool,
    /// Fetcher for remote bases.
    pub fetcher: Option<Arc<dyn RemoteFetcher>>,
    /// Directories outside the root the build may read (where remote bases
    /// are cloned).
    pub allowed_dirs: Vec<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            root: None,
            name: None,
            substitute_from: Vec::new(),
            vars: Vec::new(),
            strict: true,
            search_tree: true,
            fetcher: None,
            allowed_dirs: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("root", &self.root)
            .field("name", &self.name)
            .field("substitute_from", &self.substitute_from)
            .field("vars", &self.vars)
            .field("strict", &self.strict)
            .field("search_tree", &self.search_tree)
            .field("allowed_dirs", &self.allowed_dirs)
            .finish_non_exhaustive()
    }
}

/// What Flux would apply.
#[derive(Debug)]
pub struct Rendered {
    /// The objects, as `flux build kustomization` prints them (each
    /// followed by `---`).
    pub yaml: String,
    /// The objects.
    pub objects: Vec<Node>,
    /// For stderr: the engine's warnings, where substitution values came
    /// from, what rustomize cannot do (decryption).
    pub warnings: Vec<String>,
    /// The Kustomization as read (with `--var` added).
    pub kustomization: Kustomization,
    /// The source's root.
    pub root: PathBuf,
    /// The directory built (`spec.path` under the root).
    pub dir: PathBuf,
    /// The kustomization file Flux builds there.
    pub generated: generator::Generated,
}

/// Renders the Flux Kustomization in `file`.
pub fn render(file: &Path, opts: &Options) -> Result<Rendered, Error> {
    let mut k = Kustomization::from_file(file, opts.name.as_deref())?;
    k.add_vars(&opts.vars);
    let root = match &opts.root {
        Some(r) => r.clone(),
        None => git_toplevel(file)?,
    };
    let patterns = sourceignore::load_patterns(&root).map_err(|source| Error::Io {
        path: root.clone(),
        source,
    })?;
    let fs = Arc::new(
        ArtifactFs::new(
            &root,
            sourceignore::Matcher::artifact(patterns),
            opts.allowed_dirs.clone(),
        )
        .map_err(|source| Error::Io {
            path: root.clone(),
            source,
        })?,
    );
    let dir = fs.secure_join(&k.path);
    if !fs.kind(&dir).is_ok_and(|kind| kind == FileKind::Dir) {
        return Err(Error::PathNotFound {
            root: fs.root().to_path_buf(),
            path: k.path.clone(),
        });
    }
    let generated = generator::generate(&fs, &dir, &k)?;
    fs.add_file(&generated.path, generated.yaml.clone().into_bytes());

    // Flux builds with `krusty.Options{LoadRestrictions: None, PluginConfig:
    // disabled}`: its empty `Reorder` is neither "legacy" nor "unspecified",
    // so objects keep their build order unless the kustomization sets
    // `sortOptions`.
    let build_opts = rustomize_engine::BuildOptions {
        load_restrictor: LoadRestrictor::None,
        reorder: Some(rustomize_engine::Order::Fifo),
        fetcher: opts.fetcher.clone(),
        ..Default::default()
    };
    let built = rustomize_engine::build(fs.clone(), &dir, &build_opts)
        .map_err(|e| Error::build(&dir, e))?;
    let mut warnings = built.warnings.clone();
    let stream = built.to_yaml().map_err(|e| Error::build(&dir, e))?;
    let mut objects = Vec::new();
    for text in split_documents(&stream) {
        let node = rustomize_yaml::parse_one(text).map_err(|e| Error::Objects {
            message: format!("reading the build's output back: {e}"),
        })?;
        objects.push(substitute::Object {
            text: text.to_string(),
            node,
        });
    }

    let files = values::read_files(&opts.substitute_from)?;
    let tree_fs = fs.clone();
    let search_tree = opts.search_tree;
    let mut tree = move || {
        if search_tree {
            values::search_tree(&tree_fs)
        } else {
            Vec::new()
        }
    };
    let mut load = || values::load(&k, &files, &mut tree);
    let post = k.post_build.as_ref();
    let notes = substitute::substitute(
        &mut objects,
        substitute::Options {
            post_build: post.is_some(),
            always: post.is_some_and(|p| p.always),
            strict: opts.strict,
            vars: &mut load,
        },
    )?;
    warnings.extend(notes);
    if k.decryption {
        warnings.push(
            "spec.decryption is set: rustomize does not decrypt, SOPS-encrypted values are shown as they are in the source"
                .to_string(),
        );
    }
    let objects = objects::applied(objects.into_iter().map(|o| o.node).collect(), &k)?;
    let yaml = objects::to_yaml(&objects)?;
    Ok(Rendered {
        yaml,
        objects,
        warnings,
        kustomization: k,
        root: fs.root().to_path_buf(),
        dir,
        generated,
    })
}

/// The documents of the engine's YAML stream, each with its final line
/// break: a `---` line at the start of a line only ever separates them
/// (block and multi-line scalars are indented).
fn split_documents(stream: &str) -> Vec<&str> {
    if stream.is_empty() {
        return Vec::new();
    }
    let mut docs = Vec::new();
    let mut start = 0;
    let mut line_start = 0;
    while line_start < stream.len() {
        let end = stream[line_start..]
            .find('\n')
            .map_or(stream.len(), |i| line_start + i + 1);
        if &stream[line_start..end] == "---\n" {
            docs.push(&stream[start..line_start]);
            start = end;
        }
        line_start = end;
    }
    docs.push(&stream[start..]);
    docs
}

/// The top of the git work tree holding `file`.
fn git_toplevel(file: &Path) -> Result<PathBuf, Error> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "--show-toplevel"])
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let top = String::from_utf8_lossy(&o.stdout).trim_end().to_string();
            Ok(PathBuf::from(top))
        }
        Ok(o) => Err(Error::Root {
            message: format!(
                "cannot find the source's root: {} is not in a git work tree ({}); give the root with --flux-root",
                file.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
        }),
        Err(e) => Err(Error::Root {
            message: format!(
                "cannot find the source's root: running git: {e}; give the root with --flux-root"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_stream_at_separator_lines() {
        assert_eq!(split_documents(""), Vec::<&str>::new());
        assert_eq!(split_documents("a: 1\n"), ["a: 1\n"]);
        assert_eq!(
            split_documents("a: |\n  ---\n  x\n---\nb: 2\n"),
            ["a: |\n  ---\n  x\n", "b: 2\n"]
        );
    }
}
