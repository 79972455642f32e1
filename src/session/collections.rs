//! Vec-backed stand-ins for std's `HashMap`/`HashSet`: hashbrown's tables, SipHash and the random
//! seed cost kBs of wasm per program, for maps that hold a handful of entries (listeners, pending
//! promises, running tools, replayed ids).
//!
//! Owns: [`VecMap`] (a linear-scan map, for small maps) and [`IdMap`]/[`IdSet`] (string ids, O(1)
//! per lookup however many a long session gathers).
//! Must never: be a [`VecMap`] where the size grows with what the server sends (use [`IdMap`]).

use crate::prelude::*;

/// A map as a list of pairs: insertion order, linear lookups (the sizes here are small).
#[derive(Debug, Clone)]
pub struct VecMap<K, V> {
    pairs: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        Self { pairs: Vec::new() }
    }
}

impl<K: PartialEq, V> VecMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn position<Q: ?Sized + PartialEq>(&self, key: &Q) -> Option<usize>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.pairs.iter().position(|(k, _)| k.borrow() == key)
    }

    pub fn get<Q: ?Sized + PartialEq>(&self, key: &Q) -> Option<&V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.pairs.iter().find(|(k, _)| k.borrow() == key).map(|(_, v)| v)
    }

    pub fn get_mut<Q: ?Sized + PartialEq>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.pairs.iter_mut().find(|(k, _)| k.borrow() == key).map(|(_, v)| v)
    }

    pub fn contains_key<Q: ?Sized + PartialEq>(&self, key: &Q) -> bool
    where
        K: core::borrow::Borrow<Q>,
    {
        self.position(key).is_some()
    }

    /// Sets `key` (replacing its value if present; the old value is returned).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.get_mut(&key) {
            Some(existing) => Some(core::mem::replace(existing, value)),
            None => {
                self.pairs.push((key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted with `make` first if absent.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.position(&key) {
            Some(i) => i,
            None => {
                self.pairs.push((key, make()));
                self.pairs.len() - 1
            }
        };
        &mut self.pairs[i].1
    }

    pub fn remove<Q: ?Sized + PartialEq>(&mut self, key: &Q) -> Option<V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.position(key).map(|i| self.pairs.swap_remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn clear(&mut self) {
        self.pairs.clear()
    }

    /// Every entry, taken out.
    pub fn drain(&mut self) -> alloc::vec::Drain<'_, (K, V)> {
        self.pairs.drain(..)
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.pairs.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.pairs.iter().map(|(_, v)| v)
    }
}

/// A map keyed by string ids: buckets by an FNV-1a hash, doubled when they average more than one
/// entry, so a lookup stays O(1) however many ids a long session gathers.
#[derive(Debug)]
pub struct IdMap<V> {
    buckets: Vec<Vec<(String, V)>>,
    len: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        Self { buckets: Vec::new(), len: 0 }
    }
}

fn fnv1a(text: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    hash as usize
}

impl<V> IdMap<V> {
    fn bucket(&self, id: &str) -> usize {
        fnv1a(id) % self.buckets.len().max(1)
    }

    pub fn get(&self, id: &str) -> Option<&V> {
        self.buckets.get(self.bucket(id))?.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Sets `id` (replacing its value if present; the old value is returned).
    pub fn insert(&mut self, id: String, value: V) -> Option<V> {
        let at = self.bucket(&id);
        if let Some((_, existing)) = self.buckets.get_mut(at).and_then(|b| b.iter_mut().find(|(k, _)| *k == id)) {
            return Some(core::mem::replace(existing, value));
        }
        if self.len >= self.buckets.len() {
            let size = (self.buckets.len() * 2).max(8);
            let mut buckets = Vec::with_capacity(size);
            for _ in 0..size {
                buckets.push(Vec::new());
            }
            let mut old = core::mem::replace(&mut self.buckets, buckets);
            // Popped, not iterated by value (nor `flatten()`ed): no consuming iterators and their
            // drop code. The order within a bucket means nothing.
            while let Some(mut bucket) = old.pop() {
                while let Some((k, v)) = bucket.pop() {
                    self.put(k, v);
                }
            }
        }
        // Counted only as stored, so `len` can never disagree with the buckets.
        self.len += usize::from(self.put(id, value));
        None
    }

    /// Into its bucket (there are buckets: `insert` grew them first); whether it was stored.
    /// `get_mut`, not an index: no panic path, whose Location would be in the wasm for a bucket
    /// that is always there.
    fn put(&mut self, id: String, value: V) -> bool {
        let at = self.bucket(&id);
        let bucket = self.buckets.get_mut(at);
        let stored = bucket.is_some();
        if let Some(bucket) = bucket {
            bucket.push((id, value));
        }
        stored
    }

    pub fn remove(&mut self, id: &str) -> Option<V> {
        let at = self.bucket(id);
        let bucket = self.buckets.get_mut(at)?;
        let i = bucket.iter().position(|(k, _)| k == id)?;
        self.len -= 1;
        Some(bucket.swap_remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.buckets.clear();
        self.len = 0;
    }
}

/// A set of string ids: an [`IdMap`] whose values stay empty, so that the package carries one
/// copy of the map's code (the replay's `IdMap<String>`), not a second one for `IdMap<()>`.
#[derive(Debug, Default)]
pub struct IdSet(IdMap<String>);

impl IdSet {
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    /// Adds `id`; `false` if it was there.
    pub fn insert(&mut self, id: String) -> bool {
        self.0.insert(id, String::new()).is_none()
    }

    /// Removes `id`; `false` if it was not there.
    pub fn remove(&mut self, id: &str) -> bool {
        self.0.remove(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vec_map_replaces_and_removes() {
        let mut m = VecMap::new();
        assert_eq!(m.insert("a".to_string(), 1), None);
        assert_eq!(m.insert("b".to_string(), 2), None);
        assert_eq!(m.insert("a".to_string(), 3), Some(1));
        assert_eq!(m.get("a"), Some(&3));
        assert_eq!(m.len(), 2);
        *m.get_or_insert_with("c".to_string(), || 0) += 5;
        *m.get_or_insert_with("c".to_string(), || 0) += 5;
        assert_eq!(m.get("c"), Some(&10));
        assert_eq!(m.remove("b"), Some(2));
        assert!(!m.contains_key("b"));
        assert_eq!(m.drain().count(), 2);
        assert!(m.is_empty());
    }

    #[test]
    fn an_id_set_grows_and_forgets() {
        let mut s = IdSet::default();
        assert!(!s.contains("x") && !s.remove("x"));
        for i in 0..1_000 {
            assert!(s.insert(format!("item_{i}")));
        }
        assert!(!s.insert("item_7".into()), "already there");
        assert_eq!(s.len(), 1_000);
        assert!((0..1_000).all(|i| s.contains(&format!("item_{i}"))));
        assert!(s.remove("item_500") && !s.contains("item_500") && !s.remove("item_500"));
        assert_eq!(s.len(), 999);
        let mut m = IdMap::default();
        assert_eq!(m.insert("a".into(), 1), None);
        assert_eq!(m.insert("a".into(), 2), Some(1));
        assert_eq!((m.get("a"), m.len()), (Some(&2), 1));
        assert_eq!(m.remove("a"), Some(2));
        assert!(m.is_empty());
        s.clear();
        assert!(s.is_empty() && !s.contains("item_1"));
    }
}
