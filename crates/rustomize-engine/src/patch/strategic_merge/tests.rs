//! Cases verified against `kubectl kustomize` (kustomize v5.5.0): each
//! target is a resource file, each patch a `patches:` entry's file, and
//! the expected text is what kubectl printed.

use super::*;
