//! Eviction from the run's bounded tables (open visitors, shared paths, landing pages,
//! share counters): past its bound a table drops the quarter of its entries that weigh
//! least, judged by a weight, so that the same entries go in every run whatever order the
//! table holds them in.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// The weight that cuts off a quarter of `weights` (at least one): every entry at or
/// under it goes.
pub fn quarter_cutoff<W: Ord + Copy>(weights: impl Iterator<Item = W>) -> W {
    let mut weights: Vec<W> = weights.collect();
    let quarter = (weights.len() / 4).max(1) - 1;
    *weights.select_nth_unstable(quarter).1
}

/// Drops every entry of `table` at or under the quarter cutoff of `weight`, handing each
/// to `dropped`; returns how many went, and the cutoff. The table is refilled in its own
/// allocation, emptied by `drain` (a table with holes grows as if it held them): the kept
/// entries wait in a vector, not in a second table. `table` is not empty (it is past its
/// bound).
pub fn evict_quarter<K: Hash + Eq, V, W: Ord + Copy>(
    table: &mut FxHashMap<K, V>,
    weight: impl Fn(&V) -> W,
    mut dropped: impl FnMut(K, V),
) -> (u64, W) {
    let cutoff = quarter_cutoff(table.values().map(&weight));
    let before = table.len();
    // At least a quarter (one at least) weighs no more than the cutoff.
    let mut kept = Vec::with_capacity(before - (before / 4).max(1));
    for (k, v) in table.drain() {
        if weight(&v) > cutoff {
            kept.push((k, v));
        } else {
            dropped(k, v);
        }
    }
    table.extend(kept);
    ((before - table.len()) as u64, cutoff)
}
