//! Small helpers that keep per-resource work free of allocation: a fast
//! non-cryptographic string hash (inputs are the user's own configuration,
//! so hash flooding is no concern) and a cache of cluster-scope answers.

use crate::model::resid::Gvk;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An FxHash-style hasher: one multiply per word.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map with [`FastHasher`].
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The hash of a string (its bytes and a terminator, like `str`'s `Hash`).
pub(super) fn hash_str(s: &str) -> u64 {
    let mut h = FastHasher::default();
    h.write(s.as_bytes());
    h.write_u8(0xff);
    h.finish()
}

/// Remembers which `apiVersion`/`kind` pairs are cluster-scoped, so each
/// resource costs a lookup instead of building a [`Gvk`].
#[derive(Debug, Default)]
pub(super) struct ScopeCache {
    known: FastMap<String, bool>,
    key: String,
}

impl ScopeCache {
    /// Whether objects of this `apiVersion` and `kind` are cluster-scoped.
    pub(super) fn is_cluster_scoped(&mut self, api_version: &str, kind: &str) -> bool {
        self.key.clear();
        self.key.push_str(api_version);
        self.key.push('\0');
        self.key.push_str(kind);
        if let Some(&known) = self.known.get(self.key.as_str()) {
            return known;
        }
        let scoped = Gvk::from_api_version(api_version, kind).is_cluster_scoped();
        self.known.insert(self.key.clone(), scoped);
        scoped
    }
}
