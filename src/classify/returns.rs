//! Returns: a reader who comes back, with no referrer, to a deep page they read in an
//! earlier visit used a bookmark or their history, not a friend's link.
//!
//! Remembering every (reader, page) pair for weeks would make memory grow with the log,
//! so the pairs go into generations of half the window each, on fixed boundaries of log
//! time (so that which generation a pair joins, and when it is forgotten, depends on its
//! time alone, never on the order pairs came in or on how a run was split). A generation
//! holds its pairs' 64-bit hashes exactly up to a bound, so that whether a pair was seen
//! depends on that pair alone: a run split by visitor into parts gives each visit the
//! same answer as one run. Past the bound the generation becomes a fixed-size Bloom
//! filter: memory stops growing, at a small false-positive rate (about 1% at capacity: a
//! share miscounted as a return) that depends on how many pairs share the filter, so
//! parts may then differ from one run; the pairs it took are reported as cut. Pairs are
//! hashed with a fixed seed, so the answer is the same in every run.

/// How long a reader's pages are remembered (two generations of half this each).
pub const RETURN_WINDOW: i64 = 30 * 86_400;
/// Pairs a generation holds exactly: as many as a table of 2^21 slots holds (16 MiB), a
/// week of a site of ten million lines.
pub const EXACT_PAIRS: usize = PairSet::MAX;
/// 64-byte blocks per filter: 4 MiB each.
const BLOCKS: usize = 1 << 16;
/// Pairs a filter takes at about 1% false positives (≈ 10 bits a pair).
const CAPACITY: u64 = (BLOCKS as u64 * 512) / 10;
/// Bits set per pair, all in one 512-bit block (one cache line per lookup).
const PROBES: u32 = 7;

use serde::{Deserialize, Serialize};

use super::pairs::PairSet;

/// 512 bits on a cache line of their own: a lookup touches one line, not two.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(align(64))]
struct Block([u64; 8]);

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Filter {
    /// The pairs' hashes, while there are at most `EXACT_PAIRS` and no `blocks`.
    #[serde(default)]
    exact: PairSet,
    /// The Bloom filter's bits, once the exact pairs outgrew their bound.
    blocks: Vec<Block>,
    pairs: u64,
    /// Pairs that went into the Bloom filter (when it was made, and since).
    #[serde(default)]
    approximated: u64,
    /// The generation: pairs of times in `[generation, generation + 1)` half windows.
    generation: i64,
}

/// The generation of a time.
fn generation(time: i64) -> i64 {
    time.div_euclid(RETURN_WINDOW / 2)
}

/// Whether a page read in a visit that started at `read` is still remembered by a
/// landing at `landing` (the generation of either or the one before): what a
/// [`ReturnLog`] answers for a log read in time order, for those who look at a few lines.
pub fn remembered(read: i64, landing: i64) -> bool {
    generation(read) >= generation(landing) - 1
}

impl Filter {
    fn new(generation: i64) -> Filter {
        Filter { exact: PairSet::default(), blocks: Vec::new(), pairs: 0, approximated: 0, generation }
    }

    fn is_bloom(&self) -> bool {
        !self.blocks.is_empty()
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

    fn set_bits(blocks: &mut [Block], hash: u64) {
        let (block, bits) = Self::slots(hash);
        let b = &mut blocks[block].0;
        for (word, mask) in bits {
            b[word] |= mask;
        }
    }

    /// The exact pairs, past their bound, into a Bloom filter.
    #[cold]
    fn make_bloom(&mut self) {
        let mut blocks = vec![Block([0; 8]); BLOCKS];
        for hash in self.exact.iter() {
            Self::set_bits(&mut blocks, hash);
        }
        self.blocks = blocks;
        self.approximated += self.exact.len() as u64;
        self.exact = PairSet::default();
    }

    /// Adds a pair not seen before (a pair seen already would only fill the filter
    /// faster): one lookup while exact.
    fn insert_new(&mut self, hash: u64) {
        if !self.is_bloom() {
            if self.exact.len() < EXACT_PAIRS || self.exact.contains(hash) {
                self.pairs += u64::from(self.exact.insert(hash));
                return;
            }
            self.make_bloom();
        }
        if !self.contains(hash) {
            Self::set_bits(&mut self.blocks, hash);
            self.pairs += 1;
            self.approximated += 1;
        }
    }

    /// Adds the pairs of a filter of the same generation.
    fn merge(&mut self, mut other: Filter) {
        debug_assert_eq!(self.generation, other.generation);
        if !self.is_bloom() && !other.is_bloom() {
            if self.exact.len() < other.exact.len() {
                std::mem::swap(self, &mut other);
            }
            // A pair both hold is one pair (parts split by visitor share none).
            for hash in other.exact.iter() {
                self.insert_new(hash);
            }
            return;
        }
        if !self.is_bloom() {
            self.make_bloom();
        }
        if !other.is_bloom() {
            other.make_bloom();
        }
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x |= y;
            }
        }
        self.pairs += other.pairs;
        self.approximated += other.approximated;
    }

    fn contains(&self, hash: u64) -> bool {
        if !self.is_bloom() {
            return self.exact.contains(hash);
        }
        let b = &self.blocks[Self::slots(hash).0];
        Self::slots(hash).1.all(|(word, mask)| b.0[word] & mask != 0)
    }
}

/// (reader, page) pairs seen recently.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLog {
    current: Filter,
    previous: Filter,
    /// Pairs remembered approximately by generations forgotten since.
    #[serde(default)]
    approximated_before: u64,
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
        ReturnLog {
            current: Filter::new(i64::MIN + 1),
            previous: Filter::new(i64::MIN),
            approximated_before: 0,
        }
    }
}

impl ReturnLog {
    /// Whether the pair (a stable hash of reader and page) was seen in a visit that a
    /// landing at `time` still remembers (see [`remembered`]): by the times alone, so
    /// that a quiet log, whose generations nothing else moves on, forgets as a busy one.
    pub fn seen(&self, pair: u64, time: i64) -> bool {
        let kept = |f: &Filter| f.generation >= generation(time) - 1;
        [&self.current, &self.previous].into_iter().any(|f| kept(f) && f.contains(pair))
    }

    /// Whether `more` pairs could take a generation past its exact bound (or one is past
    /// it already): then which pairs came first decides the Bloom filter's answers.
    pub fn near_bound(&self, more: usize) -> bool {
        let near = |f: &Filter| f.is_bloom() || f.exact.len().saturating_add(more) >= EXACT_PAIRS;
        near(&self.current) || near(&self.previous)
    }

    /// Pairs taken beyond the capacity of their generation's Bloom filter.
    pub fn overfull(&self) -> u64 {
        let over = |f: &Filter| if f.is_bloom() { f.pairs.saturating_sub(CAPACITY) } else { 0 };
        over(&self.current) + over(&self.previous)
    }

    /// Pairs of the generations held that are remembered only approximately (past the
    /// exact bound): returns may then differ between one run and parts of it.
    pub fn approximate(&self) -> u64 {
        self.approximated_before + self.current.approximated + self.previous.approximated
    }

    /// Adds another log's pairs, generation by generation: the log of one run over both.
    pub fn merge(&mut self, other: ReturnLog) {
        self.approximated_before += other.approximated_before;
        for filter in [other.previous, other.current] {
            self.advance(filter.generation);
            if filter.generation == self.current.generation {
                self.current.merge(filter);
            } else if filter.generation == self.previous.generation {
                self.previous.merge(filter);
            } else {
                self.approximated_before += filter.approximated;
            }
        }
    }

    /// Moves the current generation on to `generation`, if it is later.
    fn advance(&mut self, generation: i64) {
        if generation <= self.current.generation {
            return;
        }
        let current = std::mem::replace(&mut self.current, Filter::new(generation));
        let forgotten = if current.generation == generation - 1 {
            std::mem::replace(&mut self.previous, current).approximated
        } else {
            std::mem::replace(&mut self.previous, Filter::new(generation - 1)).approximated
                + current.approximated
        };
        self.approximated_before += forgotten;
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
        filter.insert_new(pair);
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
        let later = 1000 + RETURN_WINDOW / 2;
        log.record(pair(1, 42), 1000);
        assert!(log.seen(pair(1, 42), 1000));
        assert!(!log.seen(pair(1, 43), 1000));
        assert!(!log.seen(pair(2, 42), 1000));
        // Still remembered in the previous generation, forgotten after two.
        log.record(pair(9, 9), later);
        assert!(log.seen(pair(1, 42), later));
        log.record(pair(9, 9), 1000 + RETURN_WINDOW);
        assert!(!log.seen(pair(1, 42), 1000 + RETURN_WINDOW));
        // A pair of the previous generation, recorded after the current one began, joins
        // it; one older than both is not remembered.
        log.record(pair(3, 3), later);
        log.record(pair(4, 4), 1000);
        assert!(log.seen(pair(3, 3), later));
        assert!(!log.seen(pair(4, 4), 1000));
    }

    #[test]
    fn a_quiet_log_forgets_as_a_busy_one() {
        // Nothing recorded since the read: a landing two generations on still forgot it.
        let mut log = ReturnLog::default();
        log.record(pair(1, 42), 1000);
        assert!(log.seen(pair(1, 42), 1000 + RETURN_WINDOW / 2));
        assert!(!log.seen(pair(1, 42), 1000 + RETURN_WINDOW));
        assert!(remembered(1000, 1000 + RETURN_WINDOW / 2) && !remembered(1000, 1000 + RETURN_WINDOW));
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

    /// Under the exact bound, whether a pair was seen depends on that pair alone: a part
    /// of the pairs answers for its own pairs as the whole does, and a full part too.
    #[test]
    fn exact_pairs_answer_alike_in_a_part_and_in_the_whole() {
        let mut whole = ReturnLog::default();
        let mut part = ReturnLog::default();
        for i in 0..400_000u64 {
            whole.record(pair(i, 1), 0);
            if i % 8 == 0 {
                part.record(pair(i, 1), 0);
            }
        }
        for i in 0..400_000u64 {
            assert!(!whole.seen(pair(i, 2), 0), "no false positive");
            if i % 8 == 0 {
                assert_eq!(part.seen(pair(i, 1), 0), whole.seen(pair(i, 1), 0));
            }
        }
        assert_eq!((whole.approximate(), whole.overfull()), (0, 0));
    }

    /// Past the bound, the pairs go into the Bloom filter: every one still seen, and
    /// counted as approximate, in a run and in a merge of parts alike.
    #[test]
    fn past_the_exact_bound_pairs_are_remembered_approximately_and_counted() {
        let n = EXACT_PAIRS as u64 + 1000;
        let mut log = ReturnLog::default();
        let (mut a, mut b) = (ReturnLog::default(), ReturnLog::default());
        for i in 0..n {
            log.record(pair(i, 1), 0);
            if i % 2 == 0 {
                a.record(pair(i, 1), 0)
            } else {
                b.record(pair(i, 1), 0)
            }
        }
        // Every pair but a Bloom false positive or two (a pair already "seen" is not
        // recorded again).
        let approximate = log.approximate();
        assert!(approximate > n - 10 && approximate <= n, "{approximate}");
        assert_eq!(a.approximate(), 0, "a part under the bound is exact");
        a.merge(b);
        assert!(a.approximate() >= n - EXACT_PAIRS as u64, "{}", a.approximate());
        assert!((0..n).all(|i| log.seen(pair(i, 1), 0) && a.seen(pair(i, 1), 0)));
        // A generation forgotten takes its count along, into the run's total.
        log.record(pair(0, 9), RETURN_WINDOW * 2);
        assert_eq!(log.approximate(), approximate);
    }

    #[test]
    fn false_positives_stay_near_one_percent_at_capacity() {
        let mut log = ReturnLog::default();
        for i in 0..EXACT_PAIRS as u64 + 1 {
            log.record(pair(i, 1), 0);
        }
        for i in EXACT_PAIRS as u64 + 1..CAPACITY - 1 {
            log.record(pair(i, 1), 0);
        }
        assert_eq!(log.overfull(), 0);
        let false_positives = (0..100_000).filter(|&i| log.seen(pair(i, 2), 0)).count();
        assert!(false_positives < 2_500, "{false_positives} in 100,000");
    }
}
