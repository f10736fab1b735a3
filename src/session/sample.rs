//! Which visitors a run saw, as a sample every part of one job draws alike: the
//! `SIZE` smallest visitor keys (a bottom-k sketch). Parts split by visitor never hold the
//! same visitor, so their samples never meet; parts split by time, by file or by lines
//! share their returning visitors, and a share of them is among the smallest keys of
//! both. The sample of two parts merged is the sample of one run over both.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Keys kept: 8 KiB in a saved state. Two parts whose visitors overlap by a twentieth
/// share about 50 of them.
const SIZE: usize = 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VisitorSample {
    keys: BTreeSet<u64>,
    /// Keys from it up are not kept: the largest kept once `SIZE` are (`u64::MAX` before,
    /// and after a state is read back, until the next key sets it). One compare turns
    /// away nearly every new visitor of a long run.
    #[serde(skip, default = "no_bar")]
    bar: u64,
}

fn no_bar() -> u64 {
    u64::MAX
}

impl Default for VisitorSample {
    fn default() -> Self {
        VisitorSample { keys: BTreeSet::new(), bar: no_bar() }
    }
}

impl PartialEq for VisitorSample {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys
    }
}

impl Eq for VisitorSample {}

impl VisitorSample {
    /// A visitor seen (again, or for the first time).
    #[inline]
    pub fn add(&mut self, key: u64) {
        if key >= self.bar {
            return;
        }
        if self.keys.insert(key) && self.keys.len() > SIZE {
            self.keys.pop_last();
        }
        if self.keys.len() == SIZE {
            self.bar = self.keys.last().copied().unwrap_or(u64::MAX);
        }
    }

    /// Keys of `self` that `other` holds too: visitors in both (none, for parts of a
    /// split by visitor).
    pub fn shared(&self, other: &VisitorSample) -> usize {
        self.keys.intersection(&other.keys).count()
    }

    pub fn merge(&mut self, other: VisitorSample) {
        for key in other.keys {
            self.add(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(keys: impl IntoIterator<Item = u64>) -> VisitorSample {
        let mut s = VisitorSample::default();
        keys.into_iter().for_each(|k| s.add(k));
        s
    }

    #[test]
    fn keeps_the_smallest_keys_whatever_the_order() {
        let key = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let forward = sample((0..10_000).map(key));
        let backward = sample((0..10_000).rev().map(key));
        assert_eq!(forward, backward);
        let mut all: Vec<u64> = (0..10_000).map(key).collect();
        all.sort_unstable();
        assert_eq!(forward.keys.iter().copied().collect::<Vec<_>>(), all[..SIZE]);
        // Seen again: no room taken.
        let mut again = forward.clone();
        again.add(all[0]);
        assert_eq!(again, forward);
    }

    #[test]
    fn read_back_it_samples_on_as_before() {
        let key = |i: u64| (i + 7).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut kept = sample((0..5_000).map(key));
        let mut read: VisitorSample = serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
        assert_eq!(read, kept);
        for i in 5_000..6_000 {
            kept.add(key(i));
            read.add(key(i));
        }
        assert_eq!(read, kept);
        assert_eq!(read, sample((0..6_000).map(key)));
    }

    #[test]
    fn parts_by_visitor_never_meet_and_merge_into_the_whole() {
        let key = |i: u64| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let (even, odd) = (sample((0..20_000).step_by(2).map(key)), sample((1..20_000).step_by(2).map(key)));
        assert_eq!(even.shared(&odd), 0);
        let mut merged = even.clone();
        merged.merge(odd);
        assert_eq!(merged, sample((0..20_000).map(key)));
        // Two days of one site, a tenth of whose visitors come back: they meet.
        let monday = sample((0..10_000).map(key));
        let tuesday = sample((9_000..19_000).map(key));
        assert!(monday.shared(&tuesday) > 20, "{}", monday.shared(&tuesday));
    }
}
