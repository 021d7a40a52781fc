//! The builtin transformers, one module each.

pub(crate) mod annotations;
mod config;
pub(crate) use config::{go_kind, json_string};
pub(crate) mod images;
pub(crate) mod labels;
pub(crate) mod name_reference;
pub(crate) mod namespace;
pub(crate) mod prefix_suffix;
pub(crate) mod replacements;
pub(crate) mod replicas;
pub(crate) mod vars;
