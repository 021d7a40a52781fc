//! An ordered collection of resources with id lookups.
//!
//! Order is input order (what `sortOptions: fifo` prints). Lookups by id go
//! through a hash index on (kind, name), built on demand and dropped whenever
//! resources are handed out mutably, so adding N resources costs O(N), not
//! O(N²) as a linear conflict scan would. The index holds a position per
//! key (a list only when names collide), keyed by a hash of the kind and
//! name computed from the object's text, so adding a resource allocates
//! nothing unless another with its kind and name is there.

use crate::error::Error;
use crate::model::resid::ResId;
use crate::model::resource::Resource;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Positions of the resources that share an index key.
#[derive(Clone, Debug)]
enum Slot {
    One(usize),
    Many(Vec<usize>),
}

impl Slot {
    fn as_slice(&self) -> &[usize] {
        match self {
            Slot::One(i) => std::slice::from_ref(i),
            Slot::Many(v) => v,
        }
    }

    fn push(&mut self, i: usize) {
        match self {
            Slot::One(first) => *self = Slot::Many(vec![*first, i]),
            Slot::Many(v) => v.push(i),
        }
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Index = HashMap<u64, Slot, BuildHasherDefault<PassThrough>>;

/// Resources in order, indexed by id.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    resources: Vec<Resource>,
    index: Option<Index>,
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
    pub(crate) fn resources_mut(&mut self) -> &mut Vec<Resource> {
        self.index = None;
        &mut self.resources
    }

    /// The resources, mutably, for changes that leave every id as it is
    /// (field provenance, bookkeeping): the id index stays.
    pub(crate) fn resources_mut_keeping_ids(&mut self) -> &mut [Resource] {
        &mut self.resources
    }

    /// The resources, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Resource> {
        self.resources.iter()
    }

    /// Gives back the room the resource list grew into and no longer uses
    /// (appends double it): at the end of a build the list is kept until it
    /// is printed (issue 15, peak memory).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.resources.shrink_to_fit();
    }

    /// Takes the resources out.
    pub fn into_resources(self) -> Vec<Resource> {
        self.resources
    }

    /// The index key of a kind and name (FNV-1a over both, with a
    /// separator): not randomized, which is fine for a map of one build.
    fn key(kind: &str, name: &str) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let bytes = kind
            .bytes()
            .chain(std::iter::once(0xff))
            .chain(name.bytes());
        for b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }

    fn ensure_index(&mut self) {
        if self.index.is_some() {
            return;
        }
        let mut index = Index::with_capacity_and_hasher(self.resources.len(), Default::default());
        for (i, r) in self.resources.iter().enumerate() {
            add_to(&mut index, ResMap::key(r.kind(), r.name()), i);
        }
        self.index = Some(index);
    }

    /// Positions with the index key of `kind` and `name`.
    fn candidates(&mut self, kind: &str, name: &str) -> &[usize] {
        self.ensure_index();
        let key = ResMap::key(kind, name);
        self.index
            .as_ref()
            .and_then(|ix| ix.get(&key))
            .map_or(&[], Slot::as_slice)
    }

    /// Positions of resources whose current id equals `id` (kustomize's id
    /// equality: namespaces compared effectively).
    pub(crate) fn positions_by_current_id(&mut self, id: &ResId) -> Vec<usize> {
        let candidates = self.candidates(&id.gvk.kind, &id.name).to_vec();
        candidates
            .into_iter()
            .filter(|&i| self.resources[i].cur_id().equals(id))
            .collect()
    }

    /// Positions of resources whose current or any previous id satisfies
    /// `matches`.
    pub(crate) fn positions_by_any_id(
        &self,
        mut matches: impl FnMut(&ResId) -> bool,
    ) -> Vec<usize> {
        self.resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.any_id(&mut matches))
            .map(|(i, _)| i)
            .collect()
    }

    /// Appends, failing when a resource with the same current id exists.
    pub fn append(&mut self, res: Resource) -> Result<(), Error> {
        // Ids are built only when another resource has the same kind and
        // name (for the other parts of the comparison).
        if !self.candidates(res.kind(), res.name()).is_empty() {
            let id = res.cur_id();
            if !self.positions_by_current_id(&id).is_empty() {
                return Err(Error::resource(format!(
                    "may not add resource with an already registered id: {id}"
                )));
            }
        }
        self.push_unchecked(res);
        Ok(())
    }

    /// Appends without the conflict check.
    pub(crate) fn push_unchecked(&mut self, res: Resource) {
        let i = self.resources.len();
        if let Some(ix) = self.index.as_mut() {
            add_to(ix, ResMap::key(res.kind(), res.name()), i);
        }
        self.resources.push(res);
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
    pub(crate) fn remove(&mut self, i: usize) -> Resource {
        self.index = None;
        self.resources.remove(i)
    }

    /// Keeps the resources for which `keep` is true.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Resource) -> bool) {
        self.index = None;
        self.resources.retain(keep);
    }

    /// The resource at `i`.
    pub fn get(&self, i: usize) -> &Resource {
        &self.resources[i]
    }

    /// The resource at `i`, mutably (drops the index).
    pub(crate) fn get_mut(&mut self, i: usize) -> &mut Resource {
        self.index = None;
        &mut self.resources[i]
    }
}

impl FromIterator<Resource> for ResMap {
    fn from_iter<T: IntoIterator<Item = Resource>>(iter: T) -> Self {
        ResMap {
            resources: iter.into_iter().collect(),
            index: None,
        }
    }
}

fn add_to(index: &mut Index, key: u64, i: usize) {
    match index.get_mut(&key) {
        Some(slot) => slot.push(i),
        None => {
            index.insert(key, Slot::One(i));
        }
    }
}
impl<'a> IntoIterator for &'a ResMap {
    type Item = &'a Resource;
    type IntoIter = std::slice::Iter<'a, Resource>;

    fn into_iter(self) -> Self::IntoIter {
        self.resources.iter()
    }
}

impl IntoIterator for ResMap {
    type Item = Resource;
    type IntoIter = std::vec::IntoIter<Resource>;

    fn into_iter(self) -> Self::IntoIter {
        self.resources.into_iter()
    }
}
