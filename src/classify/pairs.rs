//! A set of 64-bit hashes, for the return memory's exact pairs.
//!
//! The pairs are already uniform hashes, so the set needs no hasher and keeps no tags: an
//! open-addressed table of the hashes themselves, probed linearly. A lookup usually reads
//! one cache line, where a general hash set reads its tags and then its slot (two lines
//! of a table too large for any cache): a run asks it once or twice for every visit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Slots a table starts with, once it holds anything.
const MIN_SLOTS: usize = 1 << 10;
/// Tables up to this many slots grow at three quarters full; the largest, at seven
/// eighths (see [`PairSet::capacity_at`]).
const LARGEST_SLOTS: usize = 1 << 21;

#[derive(Clone, Default)]
pub struct PairSet {
    /// The hashes, at the slot their low bits name or the first free one after it;
    /// 0 marks a free slot (the hash 0 itself is `zero`).
    slots: Vec<u64>,
    zero: bool,
    len: usize,
}

impl PairSet {
    /// Hashes the set can hold at most without growing past [`LARGEST_SLOTS`].
    pub const MAX: usize = LARGEST_SLOTS / 8 * 7;

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn contains(&self, hash: u64) -> bool {
        if hash == 0 {
            return self.zero;
        }
        !self.slots.is_empty() && self.slots[Self::slot(&self.slots, hash)] == hash
    }

    /// Adds `hash`; whether it was new.
    pub fn insert(&mut self, hash: u64) -> bool {
        if hash == 0 {
            let new = !self.zero;
            self.zero = true;
            self.len += usize::from(new);
            return new;
        }
        let mut i = 0;
        if !self.slots.is_empty() {
            i = Self::slot(&self.slots, hash);
            if self.slots[i] == hash {
                // Held already: no room taken, so a full table does not grow for it.
                return false;
            }
        }
        if self.len + 1 > Self::capacity_at(self.slots.len()) {
            self.grow();
            i = Self::slot(&self.slots, hash);
        }
        self.slots[i] = hash;
        self.len += 1;
        true
    }

    /// Every hash, in no order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.zero.then_some(0).into_iter().chain(self.slots.iter().copied().filter(|&h| h != 0))
    }

    /// Hashes a table of `slots` holds before it grows: linear probing stays short to
    /// three quarters full; the largest table is let fill further, so that the bound on
    /// pairs costs no more memory than a general hash set of the same size.
    fn capacity_at(slots: usize) -> usize {
        if slots >= LARGEST_SLOTS {
            slots / 8 * 7
        } else {
            slots / 4 * 3
        }
    }

    #[cold]
    fn grow(&mut self) {
        let slots = (self.slots.len() * 2).max(MIN_SLOTS);
        // Zeros written, not a zeroed allocation: a lookup reads a slot before anything
        // is written there, and a page first read as the kernel's shared zero page costs
        // a second fault, and a TLB flush on every core, when it is first written.
        #[allow(clippy::slow_vector_initialization)]
        let mut table = Vec::with_capacity(slots);
        table.resize(slots, 0u64);
        for &h in self.slots.iter().filter(|&&h| h != 0) {
            let i = Self::slot(&table, h);
            table[i] = h;
        }
        self.slots = table;
    }

    /// Where a nonzero hash is in `slots` (not empty), or the free slot where it goes:
    /// the slot its low bits name, or the first free one after it.
    fn slot(slots: &[u64], hash: u64) -> usize {
        let mask = slots.len() - 1;
        let mut i = hash as usize & mask;
        while slots[i] != 0 && slots[i] != hash {
            i = (i + 1) & mask;
        }
        i
    }
}

impl PartialEq for PairSet {
    fn eq(&self, other: &PairSet) -> bool {
        self.len == other.len && self.iter().all(|h| other.contains(h))
    }
}

impl Eq for PairSet {}

/// As a sorted sequence: the same bytes for the same pairs, whatever order they came in.
impl Serialize for PairSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut hashes: Vec<u64> = self.iter().collect();
        hashes.sort_unstable();
        serializer.collect_seq(hashes)
    }
}

impl<'de> Deserialize<'de> for PairSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PairSet, D::Error> {
        let hashes = Vec::<u64>::deserialize(deserializer)?;
        let mut set = PairSet::default();
        for h in hashes {
            set.insert(h);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted_and_nothing_else() {
        let mut set = PairSet::default();
        let hash = |i: u64| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for i in 0..50_000 {
            assert!(set.insert(hash(i)));
        }
        assert!(!set.insert(hash(7)), "a hash held is not new");
        assert!(set.insert(0) && !set.insert(0), "zero is a hash like any other");
        assert_eq!(set.len(), 50_001);
        assert!((0..50_000).all(|i| set.contains(hash(i))));
        assert!((50_000..100_000).all(|i| !set.contains(hash(i))));
        assert_eq!(set.iter().count(), 50_001);
    }

    #[test]
    fn colliding_low_bits_probe_on() {
        let mut set = PairSet::default();
        // The same slot for all of them, wrapping around the end of the table.
        let hashes: Vec<u64> = (1..=20).map(|i| (i << 40) | (MIN_SLOTS as u64 - 2)).collect();
        hashes.iter().for_each(|&h| assert!(set.insert(h)));
        assert!(hashes.iter().all(|&h| set.contains(h)));
        assert!(!set.contains((99 << 40) | (MIN_SLOTS as u64 - 2)));
    }

    #[test]
    fn serializes_sorted_and_reads_back_equal() {
        let mut a = PairSet::default();
        let mut b = PairSet::default();
        for h in [5u64, 0, 1 << 63, 42] {
            a.insert(h);
        }
        for h in [42u64, 1 << 63, 5, 0] {
            b.insert(h);
        }
        assert!(a == b);
        let bytes = rmp_serde::to_vec(&a).unwrap();
        assert_eq!(bytes, rmp_serde::to_vec(&b).unwrap());
        let back: PairSet = rmp_serde::from_slice(&bytes).unwrap();
        assert!(back == a);
        // A hash set serialized the old way reads back the same.
        let old: std::collections::BTreeSet<u64> = [0u64, 5, 42, 1 << 63].into();
        let from_old: PairSet = rmp_serde::from_slice(&rmp_serde::to_vec(&old).unwrap()).unwrap();
        assert!(from_old == a);
    }

    #[test]
    fn the_largest_table_fills_to_its_bound() {
        assert_eq!(PairSet::capacity_at(LARGEST_SLOTS), PairSet::MAX);
        assert_eq!(PairSet::capacity_at(LARGEST_SLOTS / 2), LARGEST_SLOTS / 8 * 3);
        let mut set = PairSet::default();
        for i in 1..=PairSet::MAX as u64 {
            set.insert(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        assert_eq!((set.len(), set.slots.len()), (PairSet::MAX, LARGEST_SLOTS));
        // A hash held already, at the bound: no room taken, the table as it was.
        assert!(!set.insert(0x9E37_79B9_7F4A_7C15));
        assert_eq!(set.slots.len(), LARGEST_SLOTS);
    }
}
