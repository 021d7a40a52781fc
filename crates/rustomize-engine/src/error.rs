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
    #[error("{context}: {source}")]
    Context {
        /// What was being done.
        context: String,
        /// The cause.
        source: Box<Error>,
    },
    /// A file could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Malformed YAML.
    #[error("{path}:{}:{}: {}", source.line, source.column, source.message)]
    Yaml {
        /// The file, as the user would name it.
        path: String,
        /// The parser's error.
        source: ParseError,
    },
    /// A kustomization file whose fields do not fit kustomize's types.
    #[error("{path}: invalid Kustomization: {source}")]
    Kustomization {
        /// The kustomization file.
        path: String,
        /// What does not fit.
        source: DeError,
    },
    /// A resource that cannot be printed.
    #[error("{id}: {source}")]
    Emit {
        /// The resource.
        id: String,
        /// Why.
        source: EmitError,
    },
}

impl Error {
    /// A plain message.
    pub fn msg(m: impl Into<String>) -> Self {
        Error::Msg(m.into())
    }

    /// Wraps this error with what was being done.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Error::Context {
            context: context.to_string(),
            source: Box::new(self),
        }
    }
}

/// Adds context to results.
pub trait ResultExt<T> {
    /// Wraps the error, if any, with `context()`.
    fn with_context<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, Error>;
}

impl<T, E: Into<Error>> ResultExt<T> for Result<T, E> {
    fn with_context<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, Error> {
        self.map_err(|e| e.into().context(context()))
    }
}
