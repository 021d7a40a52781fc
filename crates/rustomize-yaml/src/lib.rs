//! The YAML layer of rustomize.
//!
//! - [`node`]: the tree resources are kept in; scalars keep their text, style
//!   and resolved type.
//! - [`parse`]: YAML text to nodes (multi-document, anchors, merge keys,
//!   duplicate keys rejected).
//! - [`emit`]: nodes to the exact bytes `kustomize build` prints.
//! - [`json`]: compact JSON in Go's exact bytes, for name hashes.
//! - [`limits`]: the nesting and alias limits kustomize's readers set.
//!
//! ```
//! let node = rustomize_yaml::parse::parse_one("b: yes\na: [1, 0777]\n").unwrap();
//! assert_eq!(rustomize_yaml::emit::to_string(&node).unwrap(), "a:\n- 1\n- 511\nb: \"yes\"\n");
//! ```

#![warn(unreachable_pub)]
// Tests set up trees on disk; product code goes through a FileSystem
// (clippy.toml's disallowed-methods).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod de;
pub mod emit;
mod error;
mod fast;
pub mod json;
pub mod limits;
pub mod node;
pub mod parse;
pub mod resolve;
#[cfg(test)]
mod test_rng;

pub use emit::EmitError;
pub use node::{Entry, Map, Node, Pos, Scalar, Seq, Style, Tag, Text};
pub use parse::{ParseError, parse_documents, parse_one, parse_resources};

/// The two readers behind [`parse_documents`], for the fuzz targets that
/// compare them (`fuzz/`). Not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    use crate::{Node, ParseError};

    /// The fast line reader: `None` when it leaves the text to the event
    /// parser.
    pub fn fast(src: &str) -> Option<Result<Vec<Node>, ParseError>> {
        crate::fast::parse_documents(src)
    }

    /// The event parser.
    pub fn events(src: &str) -> Result<Vec<Node>, ParseError> {
        crate::parse::parse_with_events(src, false)
    }
}
