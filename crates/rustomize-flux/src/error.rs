//! Errors of the Flux layer; each names the file, field or object at fault.

use std::path::PathBuf;

/// What went wrong rendering a Flux Kustomization.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("{}: {message}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file holds no Flux Kustomization (of that name).
    #[error("{}: no Flux Kustomization (kustomize.toolkit.fluxcd.io){}", path.display(),
        name.as_ref().map(|n| format!(" named {n:?}")).unwrap_or_default())]
    NoKustomization {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        name: Option<String>,
    },
    /// The file holds several and none was named.
    #[error("{}: {} Flux Kustomizations ({}); choose one with --flux-name", path.display(),
        names.len(), names.join(", "))]
    SeveralKustomizations {
        /// The file.
        path: PathBuf,
        /// Their names.
        names: Vec<String>,
    },
    /// An API version this crate does not read.
    #[error("{}: apiVersion {api_version:?} is not supported (use kustomize.toolkit.fluxcd.io/v1 or v1beta2)", path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        api_version: String,
    },
    /// A field has the wrong type or value.
    #[error("{}: {field}: {message}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// The field (`spec.postBuild.substitute.VERSION`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The source's root could not be found.
    #[error("{message}")]
    Root {
        /// What is wrong, and what to do.
        message: String,
    },
    /// `spec.path` does not name a directory of the source.
    #[error("kustomization path not found: {path:?} is not a directory under {}", root.display())]
    PathNotFound {
        /// The source's root.
        root: PathBuf,
        /// `spec.path`.
        path: String,
    },
    /// The kustomization file of `spec.path` could not be turned into the
    /// one Flux builds.
    #[error("{}: {message}", path.display())]
    Generate {
        /// The kustomization file, or the directory Flux generates one for.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// kustomize build failed.
    #[error("kustomize build failed for {}", dir.display())]
    Build {
        /// The directory built.
        dir: PathBuf,
        /// The engine's error.
        source: Box<rustomize_engine::Error>,
    },
    /// A `substituteFrom` object could not be found or read.
    #[error("substitute from '{kind}/{name}' error: {message}")]
    SubstituteFrom {
        /// `ConfigMap` or `Secret`.
        kind: String,
        /// Its name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A `--substitute-from` or `--var` value is malformed.
    #[error("{message}")]
    Values {
        /// What is wrong.
        message: String,
    },
    /// Substitution failed for one object.
    #[error("post build failed for '{id}': {message}")]
    PostBuild {
        /// The object (`group_version_kind/name`, as Flux names it).
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The built objects could not be read back as Kubernetes objects, or
    /// printed.
    #[error("{message}")]
    Objects {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// A build error of the engine for `dir`.
    pub(crate) fn build(dir: &std::path::Path, source: rustomize_engine::Error) -> Self {
        Error::Build {
            dir: dir.to_path_buf(),
            source: Box::new(source),
        }
    }
}
