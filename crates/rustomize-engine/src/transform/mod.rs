//! The builtin transformers, one module each.

pub mod annotations;
mod config;
pub mod images;
pub mod labels;
pub mod name_reference;
pub mod namespace;
pub mod prefix_suffix;
pub mod replacements;
pub mod replicas;
pub mod vars;
