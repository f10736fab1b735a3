//! From hits to visits.
//!
//! A visitor is (client IP, user agent). A visit ends after `timeout` without a page
//! view; its earliest page view is its landing and decides its channel. Logs are only
//! roughly in time order (requests are logged when they finish), so a hit up to
//! `lateness` behind the newest one seen still joins its visit. Visitors idle for longer
//! than `timeout + lateness` behind the newest time seen are closed and forgotten: when
//! they next appear, or when a sweep (at fixed steps of log time) frees their memory,
//! whichever comes first, to the same effect. Memory follows active visitors, not lines,
//! and the result depends only on the sequence of hits, never on how the input was cut
//! into blocks or threads, nor on when sweeps run.
//!
//! The sessionizer knows nothing of rules: what a visitor's user agent is ([`Standing`])
//! and what a landing holds ([`LandingData`]) are its caller's types.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

mod sample;

pub use sample::VisitorSample;

/// What the sessionizer needs to know of a visitor's user-agent verdict, decided when the
/// visitor first appears.
pub trait Standing: Copy {
    /// An excluded visitor (a bot, a link-preview fetcher) reads no pages: every one of its
    /// hits is activity, so that its "visits" can be counted apart.
    fn excluded(self) -> bool;
}

/// What the sessionizer needs to know of a landing, which also gathers what the visit's
/// later page views tell.
pub trait LandingData {
    /// A page view of the visit after its landing: `page` is the caller's key of it.
    fn viewed(&mut self, page: u64);
    /// `self` became the landing of a visit that began with `replaced` (a late line that
    /// is really its first page view, or an earlier visit that a late line joins to it):
    /// it keeps what `replaced` gathered.
    fn take_over(&mut self, replaced: Self);
}

/// What the sessionizer needs from a line beyond its key and time; produced lazily,
/// because most hits join a visit that already has all of it.
pub struct Details<A, L> {
    pub agent: A,
    pub landing: L,
    /// The keyed public id, when a report will print it (0 otherwise).
    pub visitor_id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedVisit<A, L> {
    pub agent: A,
    pub visitor_id: u64,
    pub start: i64,
    /// Time of the last page view (of the last hit, for excluded agents).
    pub end: i64,
    pub pageviews: u32,
    /// Every hit of the visit, page views included.
    pub hits: u32,
    /// Asset requests (CSS, JS, images…): evidence that a browser rendered the pages.
    pub assets: u32,
    /// Downloads (archives, executables, source files…): hits, but no page views.
    pub downloads: u32,
    /// The visitor asked for `/robots.txt`: only crawlers do.
    pub robots: bool,
    pub landing: L,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct VisitorState<A, L> {
    agent: A,
    last_seen: i64,
    visit: Option<ClosedVisit<A, L>>,
    /// The visit before `visit`, until no late line can reach it any more.
    /// Boxed: most visitors never have one, and the map's entries stay small.
    prev: Option<Box<ClosedVisit<A, L>>>,
    /// Asked for `/robots.txt` at some point.
    robots: bool,
    /// Hits outside any visit (a page's CSS is often logged before the page, which
    /// finishes later): they join the next visit that starts within `lateness`.
    pending: Pending,
}

/// A visitor's open visits, earliest first.
type Visits<'a, A, L> = [Option<&'a ClosedVisit<A, L>>; 2];

impl<A, L> VisitorState<A, L> {
    /// Its open visits, earliest first (the previous visit, then the current).
    fn visits(&self) -> Visits<'_, A, L> {
        let (prev, visit) = (self.prev.as_deref(), self.visit.as_ref());
        [prev.or(visit), prev.and(visit)]
    }

    /// Its open visits, earliest first, to be closed.
    fn into_visits(self) -> impl Iterator<Item = ClosedVisit<A, L>> {
        self.prev.map(|p| *p).into_iter().chain(self.visit)
    }
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Pending {
    hits: u32,
    assets: u32,
    downloads: u32,
    last: i64,
}

/// What the parallel stage learned of a hit that the sessionizer needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HitFlags {
    pub pageview: bool,
    pub asset: bool,
    pub download: bool,
    pub robots: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionConfig {
    pub timeout: i64,
    pub lateness: i64,
    /// Visitors held at most. Past it, the least recently seen are closed and forgotten
    /// (counted): a flood of distinct visitors must not grow memory without bound.
    pub max_visitors: usize,
}

/// Visitors held at most, by default: about 60 MiB (a table of 2^18 entries and their
/// landings). Ordinary traffic holds the visitors of the last half hour or so, thousands,
/// far below it.
pub const MAX_VISITORS: usize = 200_000;

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { timeout: 30 * 60, lateness: 5 * 60, max_visitors: MAX_VISITORS }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "A: Serialize, L: Serialize",
    deserialize = "A: Deserialize<'de>, L: Deserialize<'de>"
))]
pub struct Sessionizer<A, L> {
    cfg: SessionConfig,
    #[serde(serialize_with = "crate::sorted::map")]
    visitors: FxHashMap<u64, VisitorState<A, L>>,
    watermark: i64,
    next_sweep: i64,
    /// Visitors forgotten because `max_visitors` was reached.
    evicted: u64,
    /// See [`Sessionizer::settled`].
    settled: i64,
    /// Visitors seen, as every part of one job samples them (see [`Sessionizer::meets`]).
    #[serde(default)]
    sample: VisitorSample,
}

/// Log time between sweeps of idle visitors. A sweep walks the whole visitor map: every
/// minute, that was 6% of a run's CPU; every ten, idle visitors stay in memory ten
/// minutes longer at most (they are forgotten all the same), and memory still follows
/// active visitors.
const SWEEP_STEP: i64 = 600;

impl<A: Standing, L: LandingData> Sessionizer<A, L> {
    pub fn new(cfg: SessionConfig) -> Self {
        Sessionizer {
            cfg,
            visitors: FxHashMap::default(),
            watermark: i64::MIN,
            next_sweep: i64::MIN,
            evicted: 0,
            settled: i64::MIN,
            sample: VisitorSample::default(),
        }
    }

    /// Visitors forgotten (their visits closed early) because too many were held at once.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    pub fn config(&self) -> SessionConfig {
        self.cfg
    }

    /// Visitors currently held in memory.
    pub fn active(&self) -> usize {
        self.visitors.len()
    }

    /// Records one hit and returns the visitor's agent (for line accounting).
    /// A page view (any hit, for an excluded agent) can start or extend a visit; `page`
    /// is the caller's key of a page view (see [`LandingData::viewed`]).
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        key: u64,
        time: i64,
        hit: HitFlags,
        page: u64,
        mut details: impl FnMut() -> Details<A, L>,
        closed: &mut impl FnMut(ClosedVisit<A, L>),
    ) -> A {
        let HitFlags { pageview, asset, download, robots } = hit;
        if time > self.watermark {
            self.watermark = time;
            if time >= self.next_sweep {
                self.sweep(closed);
                self.next_sweep = time - time.rem_euclid(SWEEP_STEP) + SWEEP_STEP;
            }
        }
        if self.visitors.len() >= self.cfg.max_visitors && !self.visitors.contains_key(&key) {
            self.evict(closed);
        }
        let timeout = self.cfg.timeout;
        let horizon = self.horizon();
        let mut made: Option<Details<A, L>> = None;
        let mut fresh = || {
            let d = details();
            let st = VisitorState {
                agent: d.agent,
                last_seen: time,
                visit: None,
                prev: None,
                robots: false,
                pending: Pending::default(),
            };
            made = Some(d);
            st
        };
        let state = match self.visitors.entry(key) {
            // Idle past the horizon: forgotten, whether or not a sweep has come by yet,
            // so that the answer never depends on when sweeps run.
            Entry::Occupied(entry) if entry.get().last_seen < horizon => {
                let state = entry.into_mut();
                let old = std::mem::replace(state, fresh());
                old.into_visits().for_each(&mut *closed);
                state
            }
            Entry::Occupied(entry) => {
                let state = entry.into_mut();
                // The same for a previous visit no late line may reach any more.
                if let Some(p) = state.prev.take_if(|p| p.end < horizon) {
                    closed(*p);
                }
                state
            }
            Entry::Vacant(entry) => {
                self.sample.add(key);
                entry.insert(fresh())
            }
        };
        let mut get = || made.take().unwrap_or_else(&mut details);
        state.last_seen = state.last_seen.max(time);
        state.robots |= robots;
        let asked_robots = state.robots;
        let agent = state.agent;
        let activity = pageview || agent.excluded();
        if !activity {
            match &mut state.visit {
                Some(v) if time <= v.end.saturating_add(timeout) => {
                    v.hits += 1;
                    v.assets += u32::from(asset);
                    v.downloads += u32::from(download);
                    v.robots |= robots;
                }
                _ => {
                    let p = &mut state.pending;
                    p.hits += 1;
                    p.assets += u32::from(asset);
                    p.downloads += u32::from(download);
                    p.last = time;
                }
            }
            return agent;
        }
        let lateness = self.cfg.lateness;
        let pending = std::mem::take(&mut state.pending);
        let early =
            if pending.hits > 0 && time - pending.last <= lateness { pending } else { Pending::default() };
        let start_visit = |d: Details<A, L>| ClosedVisit {
            agent,
            visitor_id: d.visitor_id,
            start: time,
            end: time,
            pageviews: u32::from(pageview),
            hits: 1 + early.hits,
            assets: early.assets,
            downloads: early.downloads,
            robots: asked_robots,
            landing: d.landing,
        };
        let fits = |v: &ClosedVisit<A, L>| {
            time >= v.start.saturating_sub(timeout) && time <= v.end.saturating_add(timeout)
        };
        let join = |v: &mut ClosedVisit<A, L>, get: &mut dyn FnMut() -> Details<A, L>| {
            if time < v.start {
                // A late line that is really the visit's first page view.
                let replaced = std::mem::replace(&mut v.landing, get().landing);
                v.landing.take_over(replaced);
                v.start = time;
            } else if pageview {
                v.landing.viewed(page);
            }
            v.end = v.end.max(time);
            v.pageviews += u32::from(pageview);
            v.hits += 1;
        };
        match (&mut state.visit, &mut state.prev) {
            (Some(cur), prev) if fits(cur) => {
                // A late line can bridge the gap that ended the previous visit.
                if let Some(p) = prev.take_if(|p| time <= p.end.saturating_add(timeout)) {
                    let p = *p;
                    cur.start = p.start;
                    let later = std::mem::replace(&mut cur.landing, p.landing);
                    cur.landing.take_over(later);
                    cur.end = cur.end.max(p.end);
                    cur.pageviews += p.pageviews;
                    cur.hits += p.hits;
                    cur.assets += p.assets;
                    cur.downloads += p.downloads;
                    cur.robots |= p.robots;
                }
                join(cur, &mut get);
            }
            (_, Some(p)) if fits(p) => join(p, &mut get),
            (Some(cur), prev) if time > cur.end.saturating_add(timeout) => {
                // The previous visit is kept a while: a late line may still join it.
                if let Some(p) = prev.replace(Box::new(std::mem::replace(cur, start_visit(get())))) {
                    closed(*p);
                }
            }
            (cur @ None, _) => *cur = Some(start_visit(get())),
            // Far older than the visits held: a visit of its own, already over.
            (Some(_), _) => closed(start_visit(get())),
        }
        agent
    }

    /// Visitors last seen before this are idle for good: no late line can reach them.
    fn horizon(&self) -> i64 {
        self.watermark.saturating_sub(self.cfg.timeout.saturating_add(self.cfg.lateness))
    }

    /// Frees the memory of idle visitors. Only memory: [`Sessionizer::record`] treats an
    /// idle visitor as forgotten whether or not a sweep has freed it yet.
    fn sweep(&mut self, closed: &mut impl FnMut(ClosedVisit<A, L>)) {
        let horizon = self.horizon();
        let mut earliest = i64::MAX;
        self.visitors.retain(|_, st| {
            if let Some(p) = st.prev.take_if(|p| p.end < horizon) {
                closed(*p);
            }
            if st.last_seen >= horizon {
                let starts = st.prev.iter().map(|p| p.start).chain(st.visit.iter().map(|v| v.start));
                earliest = starts.fold(earliest, i64::min);
                return true;
            }
            if let Some(v) = st.visit.take() {
                closed(v);
            }
            false
        });
        // A visit still open starts no earlier than it does now, and a new one no earlier
        // than a late line can be.
        self.settled = earliest.min(self.watermark.saturating_sub(self.cfg.lateness));
    }

    /// Every visit that starts before this time is closed (as of the last sweep): what a
    /// report in start order can write out.
    pub fn settled(&self) -> i64 {
        self.settled
    }

    /// Adds the visitors of another sessionizer (over other visitors, with the same
    /// settings). A visitor in both keeps this one's state; the other's visits are closed
    /// and returned.
    #[must_use]
    pub fn merge(&mut self, other: Sessionizer<A, L>) -> Vec<ClosedVisit<A, L>> {
        let mut displaced = Vec::new();
        for (key, st) in other.visitors {
            match self.visitors.entry(key) {
                Entry::Occupied(_) => displaced.extend(st.into_visits()),
                Entry::Vacant(e) => {
                    e.insert(st);
                }
            }
        }
        self.watermark = self.watermark.max(other.watermark);
        self.next_sweep = self.next_sweep.max(other.next_sweep);
        self.evicted += other.evicted;
        self.settled = self.settled.min(other.settled);
        self.sample.merge(other.sample);
        displaced
    }

    /// Visitors of the sample that `other` saw too: none for parts of a job split by
    /// visitor; a share of its returning visitors for parts split by time, file or lines,
    /// whose visits across the cut were counted twice.
    pub fn meets(&self, other: &Sessionizer<A, L>) -> usize {
        self.sample.shared(&other.sample)
    }

    /// Forgets the least recently seen quarter of the visitors, their visits closed: every
    /// visitor last seen at or before the time that cuts off a quarter (so the same ones in
    /// every run, whatever the order of the table).
    #[cold]
    fn evict(&mut self, closed: &mut impl FnMut(ClosedVisit<A, L>)) {
        let (n, _) = crate::bounded::evict_quarter(
            &mut self.visitors,
            |st| st.last_seen,
            |_, st| st.into_visits().for_each(&mut *closed),
        );
        self.evicted += n;
    }

    /// Closes every open visit (end of input), visitor by visitor in `order` of their
    /// visits (not in the order of the table, which a per-run seed decides): for a caller
    /// whose counting depends on order. Costs a sort of references, no copy of a visit.
    pub fn finish_ordered(
        &mut self,
        order: impl Fn(&ClosedVisit<A, L>, &ClosedVisit<A, L>) -> std::cmp::Ordering,
        closed: &mut impl FnMut(ClosedVisit<A, L>),
    ) {
        let mut keys: Vec<(u64, Visits<'_, A, L>)> =
            self.visitors.iter().map(|(&k, st)| (k, st.visits())).collect();
        keys.sort_unstable_by(|(_, a), (_, b)| {
            let by = |x: Option<&ClosedVisit<A, L>>, y: Option<&ClosedVisit<A, L>>| match (x, y) {
                (Some(x), Some(y)) => order(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            };
            by(a[0], b[0]).then_with(|| by(a[1], b[1]))
        });
        let keys: Vec<u64> = keys.into_iter().map(|(k, _)| k).collect();
        for k in keys {
            if let Some(st) = self.visitors.remove(&k) {
                st.into_visits().for_each(&mut *closed);
            }
        }
    }

    /// Closes every open visit (end of input).
    pub fn finish(&mut self, closed: &mut impl FnMut(ClosedVisit<A, L>)) {
        for (_, st) in self.visitors.drain() {
            st.into_visits().for_each(&mut *closed);
        }
    }
}

#[cfg(test)]
mod tests;
