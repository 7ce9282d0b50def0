//! `KeyMap`: a hash map for look-up tables on hot paths (overlapped operations by serial and by
//! OVERLAPPED id), with a fixed hash function instead of std's randomly seeded one.
//!
//! Determinism rule: a `KeyMap` is only ever used for insert, get and remove — never iterated
//! in a way whose order could matter (its iteration order is hash order). Where order matters,
//! the sim uses `BTreeMap`, `Vec` or `VecDeque`. The fixed hash keeps even the memory layout
//! the same from run to run.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`KeyHasher`]: look-ups only, never order-dependent iteration.
pub(crate) type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A multiply-rotate hash over the key's integers (keys here are small tuples of integers).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // Final avalanche so the low bits (hashbrown's bucket index) depend on every input bit.
        let h = self.0 ^ (self.0 >> 29);
        h.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_keys_round_trip() {
        // Proves: inserts, look-ups and removals of (host, id) keys behave as a map must.
        let mut m: KeyMap<(usize, u64), u32> = KeyMap::default();
        for h in 0..4usize {
            for id in 0..1000u64 {
                m.insert((h, id), (h as u32) * 1000 + id as u32);
            }
        }
        assert_eq!(m.len(), 4000);
        assert_eq!(m.get(&(3, 999)), Some(&3999));
        assert_eq!(m.remove(&(2, 5)), Some(2005));
        assert_eq!(m.get(&(2, 5)), None);
        assert_eq!(m.len(), 3999);
    }

    #[test]
    fn hash_is_fixed() {
        // Proves: the hash does not depend on a random seed (same key, same value, every run).
        let hash = |k: u64| {
            let mut h = KeyHasher::default();
            h.write_u64(k);
            h.finish()
        };
        assert_eq!(hash(42), hash(42));
        assert_ne!(hash(1), hash(2));
    }
}
