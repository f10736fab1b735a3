//! Returns: a reader who comes back, with no referrer, to a deep page they read in an
//! earlier visit used a bookmark or their history, not a friend's link.
//!
//! Remembering every (reader, page) pair for weeks would make memory grow with the log,
//! so the pairs go into two fixed-size Bloom filters instead: the current one and the one
//! before it, each covering half the window (or filled to its capacity, whichever comes
//! first). Memory is fixed; the price is a small false-positive rate (about 1% at
//! capacity): a share miscounted as a return. Pairs are hashed with a fixed seed, so the
//! answer is the same in every run.

/// How long a reader's pages are remembered (two generations of half this each).
pub const RETURN_WINDOW: i64 = 30 * 86_400;
/// 64-byte blocks per filter: 4 MiB each.
const BLOCKS: usize = 1 << 16;
/// Pairs a filter takes before it becomes the old generation (≈ 10 bits a pair: ~1%).
const CAPACITY: u64 = (BLOCKS as u64 * 512) / 10;
/// Bits set per pair, all in one 512-bit block (one cache line per lookup).
const PROBES: u32 = 7;

use serde::{Deserialize, Serialize};

/// 512 bits on a cache line of their own: a lookup touches one line, not two.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(align(64))]
struct Block([u64; 8]);

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Filter {
    blocks: Vec<Block>,
    pairs: u64,
    since: i64,
}

impl Filter {
    fn new(since: i64) -> Filter {
        Filter { blocks: Vec::new(), pairs: 0, since }
    }

    /// The block and the bit positions of a pair.
    fn slots(hash: u64) -> (usize, impl Iterator<Item = (usize, u64)>) {
        let block = (hash as usize) & (BLOCKS - 1);
        let mut h = hash.rotate_right(16);
        let bits = (0..PROBES).map(move |_| {
            let bit = (h & 511) as usize;
            h = h.rotate_right(9);
            (bit / 64, 1u64 << (bit % 64))
        });
        (block, bits)
    }

    fn insert(&mut self, hash: u64) {
        if self.blocks.is_empty() {
            self.blocks = vec![Block([0; 8]); BLOCKS];
        }
        let (block, bits) = Self::slots(hash);
        let b = &mut self.blocks[block].0;
        for (word, mask) in bits {
            b[word] |= mask;
        }
        self.pairs += 1;
    }

    /// Starts loading the pair's cache line, so that a lookup a few hits later does not
    /// stall on memory: the filters are larger than the CPU's caches.
    fn prefetch(&self, hash: u64) {
        if let Some(b) = self.blocks.get(Self::slots(hash).0) {
            prefetch(b);
        }
    }

    fn merge(&mut self, other: Filter) {
        if other.blocks.is_empty() {
            return;
        }
        if self.blocks.is_empty() {
            *self = other;
            return;
        }
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x |= y;
            }
        }
        self.pairs += other.pairs;
        self.since = self.since.min(other.since);
    }

    fn contains(&self, hash: u64) -> bool {
        let Some(b) = self.blocks.get(Self::slots(hash).0) else { return false };
        Self::slots(hash).1.all(|(word, mask)| b.0[word] & mask != 0)
    }
}

/// (reader, page) pairs seen recently.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLog {
    current: Filter,
    previous: Filter,
}

impl std::fmt::Debug for ReturnLog {
    /// Megabytes of bits say nothing: how full each generation is does.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReturnLog")
            .field("current_pairs", &self.current.pairs)
            .field("previous_pairs", &self.previous.pairs)
            .finish()
    }
}

impl Default for ReturnLog {
    fn default() -> Self {
        ReturnLog { current: Filter::new(i64::MIN), previous: Filter::new(i64::MIN) }
    }
}

impl ReturnLog {
    /// Whether the pair (a stable hash of reader and page) was seen before.
    pub fn seen(&self, pair: u64) -> bool {
        self.current.contains(pair) || self.previous.contains(pair)
    }

    /// A hint that `pair` is about to be looked up or recorded.
    pub fn prefetch(&self, pair: u64) {
        self.current.prefetch(pair);
        self.previous.prefetch(pair);
    }

    /// Adds another log's pairs: both generations, bit by bit.
    pub fn merge(&mut self, other: ReturnLog) {
        self.current.merge(other.current);
        self.previous.merge(other.previous);
    }

    pub fn record(&mut self, pair: u64, time: i64) {
        if self.current.since == i64::MIN {
            self.current.since = time;
        }
        if time - self.current.since >= RETURN_WINDOW / 2 || self.current.pairs >= CAPACITY {
            let fresh = Filter { blocks: std::mem::take(&mut self.previous.blocks), pairs: 0, since: time };
            self.previous = std::mem::replace(&mut self.current, fresh);
            self.current.blocks.iter_mut().for_each(|b| b.0 = [0; 8]);
        }
        // A pair seen already would only fill the filter faster.
        if !self.current.contains(pair) {
            self.current.insert(pair);
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn prefetch<T>(value: &T) {
    // SAFETY: a prefetch is only a hint; it reads nothing and cannot fault.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((value as *const T).cast())
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn prefetch<T>(_: &T) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(reader: u64, page: u64) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(7).hash_one((reader, page))
    }

    #[test]
    fn a_page_read_before_is_a_return_for_the_window() {
        let mut log = ReturnLog::default();
        log.record(pair(1, 42), 1000);
        assert!(log.seen(pair(1, 42)));
        assert!(!log.seen(pair(1, 43)));
        assert!(!log.seen(pair(2, 42)));
        // Still remembered in the previous generation, forgotten after two.
        log.record(pair(9, 9), 1000 + RETURN_WINDOW / 2);
        assert!(log.seen(pair(1, 42)));
        log.record(pair(9, 9), 1000 + RETURN_WINDOW);
        assert!(!log.seen(pair(1, 42)));
    }

    #[test]
    fn false_positives_stay_near_one_percent_at_capacity() {
        let mut log = ReturnLog::default();
        for i in 0..CAPACITY - 1 {
            log.record(pair(i, 1), 0);
        }
        let false_positives = (0..100_000).filter(|&i| log.seen(pair(i, 2))).count();
        assert!(false_positives < 2_500, "{false_positives} in 100,000");
    }
}
