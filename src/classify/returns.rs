//! Returns: a reader who comes back, with no referrer, to a deep page they read in an
//! earlier visit used a bookmark or their history, not a friend's link.
//!
//! Remembering every (reader, page) pair for weeks would make memory grow with the log,
//! so the pairs go into two fixed-size Bloom filters instead: generations of half the
//! window each, on fixed boundaries of log time (so that which generation a pair joins,
//! and when it is forgotten, depends on its time alone, never on the order pairs came
//! in or on how a run was split). Memory is fixed; the price is a small false-positive
//! rate (about 1% at capacity): a share miscounted as a return. Pairs are hashed with a
//! fixed seed, so the answer is the same in every run. A generation past its capacity
//! still takes pairs, at a rising false-positive rate, and says how many it took beyond.

/// How long a reader's pages are remembered (two generations of half this each).
pub const RETURN_WINDOW: i64 = 30 * 86_400;
/// 64-byte blocks per filter: 4 MiB each.
const BLOCKS: usize = 1 << 16;
/// Pairs a filter takes at about 1% false positives (≈ 10 bits a pair).
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
    /// The generation: pairs of times in `[generation, generation + 1)` half windows.
    generation: i64,
}

/// The generation of a time.
fn generation(time: i64) -> i64 {
    time.div_euclid(RETURN_WINDOW / 2)
}

impl Filter {
    fn new(generation: i64) -> Filter {
        Filter { blocks: Vec::new(), pairs: 0, generation }
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

    /// Adds the pairs of a filter of the same generation.
    fn merge(&mut self, other: Filter) {
        debug_assert_eq!(self.generation, other.generation);
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
        ReturnLog { current: Filter::new(i64::MIN + 1), previous: Filter::new(i64::MIN) }
    }
}

impl ReturnLog {
    /// Whether the pair (a stable hash of reader and page) was seen before.
    pub fn seen(&self, pair: u64) -> bool {
        self.current.contains(pair) || self.previous.contains(pair)
    }

    /// Pairs taken beyond the capacity of their generation.
    pub fn overfull(&self) -> u64 {
        self.current.pairs.saturating_sub(CAPACITY) + self.previous.pairs.saturating_sub(CAPACITY)
    }

    /// Adds another log's pairs, generation by generation: the log of one run over both.
    pub fn merge(&mut self, other: ReturnLog) {
        for filter in [other.previous, other.current] {
            self.advance(filter.generation);
            if filter.generation == self.current.generation {
                self.current.merge(filter);
            } else if filter.generation == self.previous.generation {
                self.previous.merge(filter);
            }
        }
    }

    /// Moves the current generation on to `generation`, if it is later.
    fn advance(&mut self, generation: i64) {
        if generation <= self.current.generation {
            return;
        }
        // The filters' bits are allocated again when first set (zeroed pages, cheap).
        let current = std::mem::replace(&mut self.current, Filter::new(generation));
        self.previous =
            if current.generation == generation - 1 { current } else { Filter::new(generation - 1) };
    }

    /// Remembers the pair as seen at `time`; a pair older than both generations is not
    /// remembered.
    pub fn record(&mut self, pair: u64, time: i64) {
        let generation = generation(time);
        self.advance(generation);
        let filter = if generation == self.current.generation {
            &mut self.current
        } else if generation == self.previous.generation {
            &mut self.previous
        } else {
            return;
        };
        // A pair seen already would only fill the filter faster.
        if !filter.contains(pair) {
            filter.insert(pair);
        }
    }
}

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
        // A pair of the previous generation, recorded after the current one began, joins
        // it; one older than both is not remembered.
        log.record(pair(3, 3), 1000 + RETURN_WINDOW / 2);
        log.record(pair(4, 4), 1000);
        assert!(log.seen(pair(3, 3)));
        assert!(!log.seen(pair(4, 4)));
    }

    #[test]
    fn generations_depend_on_time_not_on_order_or_split() {
        let pairs: Vec<(u64, i64)> =
            (0..200).map(|i| (pair(i, i % 7), (i as i64 * 7919) % (RETURN_WINDOW * 2))).collect();
        let mut sorted = pairs.clone();
        sorted.sort_by_key(|&(_, t)| t);
        let mut whole = ReturnLog::default();
        sorted.iter().for_each(|&(p, t)| whole.record(p, t));
        let (mut a, mut b) = (ReturnLog::default(), ReturnLog::default());
        for (i, &(p, t)) in sorted.iter().enumerate() {
            if i % 3 == 0 {
                a.record(p, t)
            } else {
                b.record(p, t)
            }
        }
        a.merge(b);
        assert!(a == whole, "merged parts differ from the whole");
    }

    #[test]
    fn false_positives_stay_near_one_percent_at_capacity() {
        let mut log = ReturnLog::default();
        for i in 0..CAPACITY - 1 {
            log.record(pair(i, 1), 0);
        }
        assert_eq!(log.overfull(), 0);
        let false_positives = (0..100_000).filter(|&i| log.seen(pair(i, 2))).count();
        assert!(false_positives < 2_500, "{false_positives} in 100,000");
    }
}
