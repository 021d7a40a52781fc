//! Errors of the build.
//!
//! An error is either a leaf, whose message says everything (what failed,
//! and the file, line and field where it knows them), or a wrapper that
//! says what the build was doing (which kustomization file, which step,
//! which entry) around the error that stopped it: its message is that
//! context alone, and the wrapped error is its [`source()`]. Printing the
//! chain joined with `": "` ([`Error::report`], or anyhow's `{:#}`) gives
//! kustomize's wording, such as "accumulating resources: accumulating
//! resources from 'x': ...", which the conformance cases compare.
//!
//! [`source()`]: std::error::Error::source

use rustomize_loader::LoadError;
use rustomize_yaml::{EmitError, ParseError, de::DeError};
use std::fmt;

/// A build error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read, or was refused: missing
    /// files, load restrictions and other security refusals, cycles,
    /// remote bases that could not be fetched (see [`LoadError`]).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Malformed YAML.
    #[error("{file}:{}:{}: {}", error.line, error.column, error.message)]
    Parse {
        /// The file, as the user would name it.
        file: String,
        /// The parser's error, with the line and column.
        error: ParseError,
    },
    /// A file whose text is not UTF-8.
    #[error("{file}: not valid UTF-8")]
    NotUtf8 {
        /// The file.
        file: String,
    },
    /// A document of a resource file that is not a Kubernetes object (not
    /// a mapping, no kind, no name, an empty list item).
    #[error("{file}:{line}: {message}")]
    InvalidObject {
        /// The file.
        file: String,
        /// The document's first line.
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// A kustomization file whose fields do not fit kustomize's types.
    #[error("{file}: invalid Kustomization: {error}")]
    Decode {
        /// The kustomization file.
        file: String,
        /// What does not fit.
        error: DeError,
    },
    /// A kustomization whose content kustomize refuses (a field value, a
    /// combination of fields, a component where a base is expected).
    #[error("{message}")]
    Kustomization {
        /// The field concerned, when one is (`sortOptions.order`).
        field: Option<String>,
        /// kustomize's message.
        message: String,
    },
    /// Field specs (`configurations:`, `crds:`) that cannot be read.
    #[error("{message}")]
    FieldSpec {
        /// kustomize's message.
        message: String,
    },
    /// Resources that clash or cannot be found by id (two of the same id,
    /// an ambiguous var or reference).
    #[error("{message}")]
    Resource {
        /// kustomize's message.
        message: String,
    },
    /// A patch that cannot be read or applied.
    #[error("{message}")]
    Patch {
        /// kustomize's message.
        message: String,
    },
    /// A transformer that cannot do what it is configured to do.
    #[error("{message}")]
    Transformer {
        /// kustomize's message.
        message: String,
    },
    /// A generator that cannot make its resources.
    #[error("{message}")]
    Generator {
        /// kustomize's message.
        message: String,
    },
    /// A plugin that cannot be configured or run: a builtin configured by
    /// a resource, helm, a KRM function, a validator.
    #[error("{message}")]
    Plugin {
        /// kustomize's message (for programs, with their stderr).
        message: String,
    },
    /// An OpenAPI schema that cannot be read.
    #[error("{message}")]
    Schema {
        /// What is wrong.
        message: String,
    },
    /// A resource that cannot be printed.
    #[error("{id}: {error}")]
    Emit {
        /// The resource.
        id: String,
        /// Why.
        error: EmitError,
    },
    /// What the build was doing ("accumulating resources from 'x'").
    #[error("{context}")]
    Context {
        /// What was being done.
        context: String,
        /// What stopped it.
        #[source]
        source: Box<Error>,
    },
    /// The kustomization file (or other file) concerned.
    #[error("{file}")]
    InFile {
        /// The file, as messages show it.
        file: String,
        /// What went wrong in it.
        #[source]
        source: Box<Error>,
    },
    /// A transformer step of a kustomization that failed.
    #[error("{file}: running {kind}")]
    Step {
        /// The kustomization file.
        file: String,
        /// The step's plugin kind.
        kind: String,
        /// Why it failed.
        #[source]
        source: Box<Error>,
    },
    /// A builtin configured by a kustomization field that refuses its
    /// configuration (kustomize shows the configuration it made).
    #[error("trouble configuring builtin {builtin} with config: `\n{config}`")]
    Configure {
        /// The builtin kind.
        builtin: String,
        /// The configuration, as YAML.
        config: String,
        /// Why it is refused.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// A kustomization error.
    pub(crate) fn kustomization(message: impl Into<String>) -> Self {
        Error::Kustomization {
            field: None,
            message: message.into(),
        }
    }

    /// A kustomization error about one field.
    pub(crate) fn kustomization_field(field: &str, message: impl Into<String>) -> Self {
        Error::Kustomization {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// A field spec error.
    pub(crate) fn field_spec(message: impl Into<String>) -> Self {
        Error::FieldSpec {
            message: message.into(),
        }
    }

    /// A resource error.
    pub(crate) fn resource(message: impl Into<String>) -> Self {
        Error::Resource {
            message: message.into(),
        }
    }

    /// A patch error.
    pub(crate) fn patch(message: impl Into<String>) -> Self {
        Error::Patch {
            message: message.into(),
        }
    }

    /// A transformer error.
    pub(crate) fn transformer(message: impl Into<String>) -> Self {
        Error::Transformer {
            message: message.into(),
        }
    }

    /// A generator error.
    pub(crate) fn generator(message: impl Into<String>) -> Self {
        Error::Generator {
            message: message.into(),
        }
    }

    /// A plugin error.
    pub(crate) fn plugin(message: impl Into<String>) -> Self {
        Error::Plugin {
            message: message.into(),
        }
    }

    /// A schema error.
    pub(crate) fn schema(message: impl Into<String>) -> Self {
        Error::Schema {
            message: message.into(),
        }
    }

    /// Wraps this error with what was being done.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        Error::Context {
            context: context.to_string(),
            source: Box::new(self),
        }
    }

    /// Wraps this error with the file it concerns.
    pub(crate) fn in_file(self, file: impl Into<String>) -> Self {
        Error::InFile {
            file: file.into(),
            source: Box::new(self),
        }
    }

    /// The whole chain, joined as kustomize words it: this error's
    /// message, then each cause's, separated by `": "`.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }

    /// The innermost file the chain names (the kustomization file of the
    /// failing step, the resource file that does not parse), as messages
    /// show it.
    pub fn file(&self) -> Option<&str> {
        // A loop, not recursion: a chain of bases gives one cause per level.
        let mut innermost = None;
        let mut e = self;
        loop {
            if let Error::Parse { file, .. }
            | Error::NotUtf8 { file }
            | Error::InvalidObject { file, .. }
            | Error::Decode { file, .. }
            | Error::InFile { file, .. }
            | Error::Step { file, .. } = e
            {
                innermost = Some(file.as_str());
            }
            match e {
                Error::Context { source, .. }
                | Error::InFile { source, .. }
                | Error::Step { source, .. }
                | Error::Configure { source, .. } => e = source,
                _ => return innermost,
            }
        }
    }

    /// The same error with the local paths of its [`LoadError`]s shown
    /// relative to `base` (see [`LoadError::relative_to`]).
    pub(crate) fn paths_relative_to(self, base: &std::path::Path) -> Error {
        let wrap = |source: Box<Error>| Box::new(source.paths_relative_to(base));
        match self {
            Error::Load(e) => Error::Load(e.relative_to(base)),
            Error::Context { context, source } => Error::Context {
                context,
                source: wrap(source),
            },
            Error::InFile { file, source } => Error::InFile {
                file,
                source: wrap(source),
            },
            Error::Step { file, kind, source } => Error::Step {
                file,
                kind,
                source: wrap(source),
            },
            Error::Configure {
                builtin,
                config,
                source,
            } => Error::Configure {
                builtin,
                config,
                source: wrap(source),
            },
            other => other,
        }
    }
}

/// An error and its causes, printed as one message (see
/// [`Error::report`]).
#[derive(Clone, Copy, Debug)]
pub struct Report<'a>(&'a Error);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = std::error::Error::source(self.0);
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

/// Adds context to results.
pub(crate) trait ResultExt<T> {
    /// Wraps the error, if any, with `context()`.
    fn with_context<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, Error>;

    /// Wraps the error, if any, with the file it concerns.
    fn in_file(self, file: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T, E: Into<Error>> ResultExt<T> for Result<T, E> {
    fn with_context<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, Error> {
        self.map_err(|e| e.into().context(context()))
    }

    fn in_file(self, file: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|e| e.into().in_file(file()))
    }
}
