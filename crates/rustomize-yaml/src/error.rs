//! The error both YAML readers (the fast reader and the event parser)
//! return, in a module of its own so that neither reader depends on the
//! other for it.

/// A YAML syntax or structure error, with the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}
