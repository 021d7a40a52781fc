//! Errors of the build, each naming the file and, where known, the line
//! and field; context is added at each layer the way kustomize says
//! "accumulating resources from 'x': ...".

use rustomize_loader::LoadError;
use rustomize_yaml::{EmitError, ParseError, de::DeError};
use std::fmt;

/// A build error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A plain message.
    #[error("{0}")]
    Msg(String),
    /// An error with what the build was doing when it happened.
    #[error("{context}: {cause}")]
    Context {
        /// What was being done.
        context: String,
        /// The cause (not a `source()`: this message already includes it).
        cause: Box<Error>,
    },
    /// A file could not be read.
    #[error("{0}")]
    Load(LoadError),
    /// Malformed YAML.
    #[error("{path}:{}:{}: {}", error.line, error.column, error.message)]
    Yaml {
        /// The file, as the user would name it.
        path: String,
        /// The parser's error.
        error: ParseError,
    },
    /// A kustomization file whose fields do not fit kustomize's types.
    #[error("{path}: invalid Kustomization: {error}")]
    Kustomization {
        /// The kustomization file.
        path: String,
        /// What does not fit.
        error: DeError,
    },
    /// A resource that cannot be printed.
    #[error("{id}: {error}")]
    Emit {
        /// The resource.
        id: String,
        /// Why.
        error: EmitError,
    },
}

impl Error {
    /// A plain message.
    pub(crate) fn msg(m: impl Into<String>) -> Self {
        Error::Msg(m.into())
    }

    /// Wraps this error with what was being done.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        Error::Context {
            context: context.to_string(),
            cause: Box::new(self),
        }
    }
}

/// Adds context to results.
pub(crate) trait ResultExt<T> {
    /// Wraps the error, if any, with `context()`.
    fn with_context<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, Error>;
}

impl<T, E: Into<Error>> ResultExt<T> for Result<T, E> {
    fn with_context<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, Error> {
        self.map_err(|e| e.into().context(context()))
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Load(e)
    }
}
