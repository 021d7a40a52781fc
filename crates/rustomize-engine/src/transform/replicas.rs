//! Stub: to be implemented.
