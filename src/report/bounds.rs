//! The bounds on the aggregates' keyed tables, and what they cut (reported wherever the
//! numbers are).

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
