//! The bounds on the aggregates' keyed tables, and what they cut (reported wherever the
//! numbers are).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// How big the keyed tables of the aggregates may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caps {
    /// Distinct landing pages counted.
    pub pages: usize,
    /// Distinct (landing page, app) share counters.
    pub shares: usize,
}

impl Default for Caps {
    /// Far more pages than a site has landings in a week, and a bound on what a flood of
    /// invented paths costs (about 100 bytes a page).
    fn default() -> Self {
        Caps { pages: 200_000, shares: 100_000 }
    }
}

impl Caps {
    /// No bound (to show that a run the bounds did not cut is the same without them).
    pub const NONE: Caps = Caps { pages: usize::MAX, shares: usize::MAX };
}

/// What the bounds of the run cut, to be reported wherever the numbers are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cut {
    /// Visitors forgotten early (their visits closed) because too many were open at once.
    pub visitors: u64,
    /// Landing pages dropped from the pages table, and the most visits any had when
    /// dropped: a page's count can be low by at most that much (the heavy hitters stay).
    pub pages: u64,
    pub page_error: u64,
    /// Share counters dropped, and the most fetches and visits any had.
    pub share_counters: u64,
    pub share_error: u64,
    /// Paths whose link-preview shares were forgotten early: visits to them can no longer
    /// be attributed to the app.
    pub preview_paths: u64,
    /// Page views of long visits not remembered for returns (past a visit's first
    /// [`crate::classify::MAX_VISIT_PAGES`] pages).
    pub visit_pages: u64,
    /// (reader, page) pairs the return memory holds only approximately, past its exact
    /// bound ([`crate::classify::EXACT_PAIRS`] a generation): a share may be taken for
    /// a return, and parts of a run may differ from one run.
    #[serde(default)]
    pub return_pairs: u64,
}

impl Cut {
    pub fn any(&self) -> bool {
        *self != Cut::default()
    }

    pub fn merge(&mut self, o: &Cut) {
        self.visitors += o.visitors;
        self.pages += o.pages;
        self.page_error = self.page_error.max(o.page_error);
        self.share_counters += o.share_counters;
        self.share_error = self.share_error.max(o.share_error);
        self.preview_paths += o.preview_paths;
        self.visit_pages += o.visit_pages;
        self.return_pairs += o.return_pairs;
    }
}

/// Drops the lightest quarter of `table` by `weight`: every entry at or under the weight
/// that cuts off a quarter (so the same ones in every run). Returns how many, and that
/// weight. The table is refilled in its own allocation, without the holes removals leave
/// (a table with holes grows as if it held them): the kept entries wait in a vector, a
/// little over half the table's size, not in a second table.
pub(super) fn evict_lightest<K: std::hash::Hash + Eq, V>(
    table: &mut FxHashMap<K, V>,
    weight: impl Fn(&V) -> u64,
) -> (u64, u64) {
    let mut weights: Vec<u64> = table.values().map(&weight).collect();
    let quarter = (weights.len() / 4).max(1) - 1;
    let cutoff = *weights.select_nth_unstable(quarter).1;
    drop(weights);
    let before = table.len();
    let kept: Vec<(K, V)> = table.drain().filter(|(_, v)| weight(v) > cutoff).collect();
    table.extend(kept);
    ((before - table.len()) as u64, cutoff)
}
