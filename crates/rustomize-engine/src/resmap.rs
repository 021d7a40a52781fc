//! An ordered collection of resources with id lookups.
//!
//! Order is input order (what `sortOptions: fifo` prints). Lookups by id go
//! through a hash index on (kind, name), built on demand and dropped whenever
//! resources are handed out mutably, so adding N resources costs O(N), not
//! O(N²) as a linear conflict scan would.

use crate::error::Error;
use crate::resid::ResId;
use crate::resource::Resource;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher, RandomState};

/// Resources in order, indexed by id.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    resources: Vec<Resource>,
    index: Option<HashMap<u64, Vec<usize>>>,
    hasher: RandomState,
}

impl ResMap {
    /// An empty map.
    pub fn new() -> Self {
        ResMap::default()
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The resources, in order.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// The resources, mutably. Drops the id index: callers may rename.
    pub fn resources_mut(&mut self) -> &mut Vec<Resource> {
        self.index = None;
        &mut self.resources
    }

    /// Takes the resources out.
    pub fn into_resources(self) -> Vec<Resource> {
        self.resources
    }

    fn key(&self, kind: &str, name: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(kind.as_bytes());
        h.write_u8(0xff);
        h.write(name.as_bytes());
        h.finish()
    }

    fn ensure_index(&mut self) {
        if self.index.is_some() {
            return;
        }
        let mut index: HashMap<u64, Vec<usize>> = HashMap::with_capacity(self.resources.len());
        for (i, r) in self.resources.iter().enumerate() {
            index
                .entry(self.key(r.kind(), r.name()))
                .or_default()
                .push(i);
        }
        self.index = Some(index);
    }

    /// Positions of resources whose current id equals `id` (kustomize's id
    /// equality: namespaces compared effectively).
    pub fn positions_by_current_id(&mut self, id: &ResId) -> Vec<usize> {
        self.ensure_index();
        let key = self.key(&id.gvk.kind, &id.name);
        let Some(candidates) = self.index.as_ref().and_then(|ix| ix.get(&key)) else {
            return Vec::new();
        };
        candidates
            .iter()
            .copied()
            .filter(|&i| self.resources[i].cur_id().equals(id))
            .collect()
    }

    /// Positions of resources whose current or any previous id satisfies
    /// `matches`.
    pub fn positions_by_any_id(&self, mut matches: impl FnMut(&ResId) -> bool) -> Vec<usize> {
        self.resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.any_id(&mut matches))
            .map(|(i, _)| i)
            .collect()
    }

    /// Appends, failing when a resource with the same current id exists.
    pub fn append(&mut self, res: Resource) -> Result<(), Error> {
        let id = res.cur_id();
        if !self.positions_by_current_id(&id).is_empty() {
            return Err(Error::msg(format!(
                "may not add resource with an already registered id: {id}"
            )));
        }
        self.push_unchecked(res);
        Ok(())
    }

    /// Appends without the conflict check.
    pub fn push_unchecked(&mut self, res: Resource) {
        let key = self.key(res.kind(), res.name());
        let i = self.resources.len();
        self.resources.push(res);
        if let Some(ix) = self.index.as_mut() {
            ix.entry(key).or_default().push(i);
        }
    }

    /// Appends every resource of `other`, in order.
    pub fn append_all(&mut self, other: ResMap) -> Result<(), Error> {
        self.resources.reserve(other.len());
        for r in other.resources {
            self.append(r)?;
        }
        Ok(())
    }

    /// Removes the resource at `i`.
    pub fn remove(&mut self, i: usize) -> Resource {
        self.index = None;
        self.resources.remove(i)
    }

    /// Keeps the resources for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Resource) -> bool) {
        self.index = None;
        self.resources.retain(keep);
    }

    /// The resource at `i`.
    pub fn get(&self, i: usize) -> &Resource {
        &self.resources[i]
    }

    /// The resource at `i`, mutably (drops the index).
    pub fn get_mut(&mut self, i: usize) -> &mut Resource {
        self.index = None;
        &mut self.resources[i]
    }
}

impl FromIterator<Resource> for ResMap {
    fn from_iter<T: IntoIterator<Item = Resource>>(iter: T) -> Self {
        ResMap {
            resources: iter.into_iter().collect(),
            index: None,
            hasher: RandomState::new(),
        }
    }
}
