//! The aggregates of a run by period, so that any window can be reported from one run or
//! one saved state: last week, the week before it, one day.
//!
//! A period is a day in the ledger's zone, cut also at the `edges` a run was asked for
//! (a window's bounds that are not midnights, as `--since 24h` gives). A visit counts in
//! the period it started in, a line in the period of its time (a line with no time of
//! its own, in the period of the log's time when it came). A window is the merge of the
//! periods inside it; the lines of the others are its `outside_window` term, so its line
//! accounting balances.

use serde::{Deserialize, Serialize};

use super::{Aggregates, Caps, Cut, LineCounts};
use crate::time::Zone;

/// One period and what was counted in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub start: i64,
    pub end: i64,
    pub aggregates: Aggregates,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ledger {
    zone: Zone,
    /// Times besides midnights where periods begin, sorted.
    edges: Vec<i64>,
    caps: Caps,
    /// By start, not overlapping.
    periods: Vec<Period>,
    /// Lines that came before the log said what time it was (malformed lines at the very
    /// start): in no period, so outside any window that has a bound.
    undated: LineCounts,
    /// What the run's bounds cut outside the aggregates' own tables (visitors, shared
    /// paths, visits' pages).
    pub cut: Cut,
    /// The days counted and then forgotten ([`Ledger::expire`], `--keep`): from the first
    /// to the end of the last.
    #[serde(default)]
    forgotten: Option<(i64, i64)>,
    /// The period `at` found last: lines come in time order, so most find it again.
    #[serde(skip)]
    last: usize,
}

/// Equal when everything counted is: the period found last is only where to look first.
impl PartialEq for Ledger {
    fn eq(&self, o: &Ledger) -> bool {
        (&self.zone, &self.edges, self.caps, &self.periods, self.undated, self.cut, self.forgotten)
            == (&o.zone, &o.edges, o.caps, &o.periods, o.undated, o.cut, o.forgotten)
    }
}

impl Ledger {
    pub fn new(zone: Zone, caps: Caps) -> Ledger {
        Ledger {
            zone,
            edges: Vec::new(),
            caps,
            periods: Vec::new(),
            undated: LineCounts::default(),
            cut: Cut::default(),
            forgotten: None,
            last: 0,
        }
    }

    /// Periods also begin at these times (a window's bounds). Only before anything is
    /// counted: the periods already made would not be cut.
    pub fn with_edges(mut self, edges: impl IntoIterator<Item = i64>) -> Ledger {
        debug_assert!(self.periods.is_empty());
        self.edges.extend(edges);
        self.edges.sort_unstable();
        self.edges.dedup();
        self
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    pub fn caps(&self) -> Caps {
        self.caps
    }

    pub fn set_caps(&mut self, caps: Caps) {
        self.caps = caps;
        for p in &mut self.periods {
            p.aggregates.caps = caps;
        }
    }

    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// Whether a window from `since` to `until` can be reported exactly: its bounds are
    /// where periods begin.
    pub fn can_cut_at(&self, t: i64) -> bool {
        self.bounds(t).0 == t
    }

    /// The period a time falls in: `[start, end)`.
    fn bounds(&self, t: i64) -> (i64, i64) {
        let day = self.zone.day_of(t);
        let (mut start, mut end) = (self.midnight(day), self.midnight(day + 1));
        // Midnight in a zone with summer time can be a moment the day before's offset
        // names: keep `t` inside whatever the conversion says.
        if start > t {
            start = t;
        }
        if end <= t {
            end = t + 1;
        }
        let i = self.edges.partition_point(|&e| e <= t);
        if i > 0 {
            start = start.max(self.edges[i - 1]);
        }
        if let Some(&e) = self.edges.get(i) {
            end = end.min(e);
        }
        (start, end)
    }

    fn midnight(&self, day: i64) -> i64 {
        self.zone.local_to_utc(day.saturating_mul(86_400))
    }

    /// The aggregates of the period `t` falls in, made when first needed.
    #[inline]
    pub fn at(&mut self, t: i64) -> &mut Aggregates {
        // Every line asks: the common case, the period asked last, is kept apart from the
        // search so that it is inlined where it is asked.
        let last = self.last;
        if self.periods.get(last).is_some_and(|p| p.start <= t && t < p.end) {
            return &mut self.periods[last].aggregates;
        }
        self.find_or_open(t)
    }

    #[cold]
    #[inline(never)]
    fn find_or_open(&mut self, t: i64) -> &mut Aggregates {
        let i = self.periods.partition_point(|p| p.end <= t);
        if self.periods.get(i).is_none_or(|p| p.start > t) {
            let (start, end) = self.bounds(t);
            let aggregates = Aggregates::new().with_caps(self.caps).in_zone(self.zone.clone());
            self.periods.insert(i, Period { start, end, aggregates });
        }
        self.last = i;
        &mut self.periods[i].aggregates
    }

    /// Where a line with no time of its own counts: the period of `now`, the log's time
    /// when it came, or none yet.
    pub fn lines_at(&mut self, now: Option<i64>) -> &mut LineCounts {
        match now {
            Some(t) => &mut self.at(t).lines,
            None => &mut self.undated,
        }
    }

    /// Whether counting `more` visits into any period could reach one of its bounds.
    pub fn near_bounds(&self, more: usize) -> bool {
        self.periods.iter().any(|p| p.aggregates.near_bounds(more))
    }

    /// The days the state counted and then forgot: from the first one's start to the
    /// last one's end.
    pub fn forgotten(&self) -> Option<(i64, i64)> {
        self.forgotten
    }

    /// The first and last time anything was counted (periods' bounds).
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((self.periods.first()?.start, self.periods.last()?.end))
    }

    /// Everything counted from `since` to `until` (open bounds: everything before or
    /// after), as one set of aggregates; the lines of the rest are its `outside_window`.
    pub fn window(&self, since: Option<i64>, until: Option<i64>) -> Aggregates {
        let inside = |p: &Period| since.is_none_or(|s| p.start >= s) && until.is_none_or(|u| p.start < u);
        let mut all = Aggregates::new().with_caps(self.caps).in_zone(self.zone.clone());
        let mut outside = 0;
        for p in &self.periods {
            if inside(p) {
                all.merge(&p.aggregates);
            } else {
                outside += p.aggregates.lines.read;
            }
        }
        if since.is_none() && until.is_none() {
            all.lines.merge(&self.undated);
        } else {
            outside += self.undated.read;
        }
        all.lines.read += outside;
        all.lines.outside_window += outside;
        all.cut.merge(&self.cut);
        all
    }

    /// Adds another ledger's counts (of the same zone and edges), period by period.
    pub fn merge(&mut self, other: Ledger) {
        debug_assert_eq!(self.zone, other.zone, "ledgers merged count days in one zone");
        debug_assert_eq!(self.edges, other.edges, "ledgers merged cut periods alike");
        for p in other.periods {
            let i = self.periods.partition_point(|q| q.start < p.start);
            match self.periods.get_mut(i) {
                Some(q) if q.start == p.start => q.aggregates.merge(&p.aggregates),
                _ => self.periods.insert(i, p),
            }
        }
        self.undated.merge(&other.undated);
        self.cut.merge(&other.cut);
        self.forgotten = spanning(self.forgotten, other.forgotten);
        self.last = 0;
    }

    /// Forgets the periods that ended before `t`; returns how many.
    pub fn expire(&mut self, t: i64) -> usize {
        let n = self.periods.partition_point(|p| p.end <= t);
        if let Some(last) = n.checked_sub(1) {
            let expired = (self.periods[0].start, self.periods[last].end);
            self.forgotten = spanning(self.forgotten, Some(expired));
        }
        self.periods.drain(..n);
        self.last = 0;
        n
    }
}

/// The span from the earlier start to the later end of two spans, either of which may be
/// none.
fn spanning(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn periods_are_days_cut_at_the_edges() {
        let mut l = Ledger::new(Zone::utc(), Caps::default()).with_edges([10 * DAY + 3600]);
        l.at(10 * DAY + 5).lines.read += 1;
        l.at(10 * DAY + 7200).lines.read += 1;
        l.at(11 * DAY).lines.read += 1;
        let bounds: Vec<(i64, i64)> = l.periods().iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(
            bounds,
            vec![(10 * DAY, 10 * DAY + 3600), (10 * DAY + 3600, 11 * DAY), (11 * DAY, 12 * DAY)]
        );
        let w = l.window(Some(10 * DAY + 3600), None);
        assert_eq!((w.lines.read, w.lines.outside_window), (3, 1));
        assert!(l.can_cut_at(10 * DAY + 3600) && l.can_cut_at(11 * DAY) && !l.can_cut_at(11 * DAY + 1));
    }

    #[test]
    fn days_are_local_in_a_zone() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let mut l = Ledger::new(berlin, Caps::default());
        // 2026-11-02 23:30 UTC is 00:30 on the 3rd in Berlin (UTC+1).
        let t = crate::time::days_from_civil(2026, 11, 2) * DAY + 23 * 3600 + 1800;
        l.at(t).lines.read += 1;
        let p = &l.periods()[0];
        assert_eq!((p.start, p.end), (t - 1800, t - 1800 + DAY));
    }

    #[test]
    fn ledgers_merge_period_by_period_in_any_order() {
        let mk = |times: &[i64]| {
            let mut l = Ledger::new(Zone::utc(), Caps::default());
            for &t in times {
                l.at(t).lines.read += 1;
            }
            l
        };
        let (a, b) = (mk(&[5, DAY + 5, 3 * DAY]), mk(&[2 * DAY, DAY + 9]));
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab.periods(), ba.periods());
        assert_eq!(ab.periods().len(), 4);
        assert_eq!(ab.window(None, None).lines.read, 5);
        let mut gone = ab.clone();
        assert_eq!(gone.expire(2 * DAY), 2);
        assert_eq!(gone.window(None, None).lines.read, 2);
    }
}
