//! From hits to visits.
//!
//! A visitor is (client IP, user agent). A visit ends after `timeout` without a page
//! view; its earliest page view is its landing and decides its channel. Logs are only
//! roughly in time order (requests are logged when they finish), so a hit up to
//! `lateness` behind the newest one seen still joins its visit. Visitors idle for longer
//! than `timeout + lateness` are closed and forgotten: memory follows active visitors,
//! not lines. Sweeps happen at fixed steps of log time, so the result depends only on
//! the sequence of hits, never on how the input was cut into blocks or threads.

pub mod visitor;

use rustc_hash::FxHashMap;

use crate::classify::Agent;
pub use visitor::{format_id, visitor_key, VisitorKey};

/// The landing page view, copied out of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedLanding {
    pub target: Vec<u8>,
    pub referrer: Option<Vec<u8>>,
    pub vhost: Option<Vec<u8>>,
}

/// What the sessionizer needs from a line beyond its key and time; produced lazily,
/// because most hits join a visit that already has all of it.
pub struct Details {
    pub agent: Agent,
    pub landing: OwnedLanding,
    /// The keyed public id, when a report will print it (0 otherwise).
    pub visitor_id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedVisit {
    pub agent: Agent,
    pub visitor_id: u64,
    pub start: i64,
    /// Time of the last page view (of the last hit, for excluded agents).
    pub end: i64,
    pub pageviews: u32,
    /// Every hit of the visit, page views included.
    pub hits: u32,
    /// Asset requests (CSS, JS, images…): evidence that a browser rendered the pages.
    pub assets: u32,
    pub landing: OwnedLanding,
}

struct VisitorState {
    agent: Agent,
    last_seen: i64,
    visit: Option<ClosedVisit>,
}

#[derive(Debug, Clone, Copy)]
pub struct SessionConfig {
    pub timeout: i64,
    pub lateness: i64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { timeout: 30 * 60, lateness: 5 * 60 }
    }
}

pub struct Sessionizer {
    cfg: SessionConfig,
    visitors: FxHashMap<u64, VisitorState>,
    watermark: i64,
    next_sweep: i64,
}

/// Log time between sweeps of idle visitors.
const SWEEP_STEP: i64 = 60;

impl Sessionizer {
    pub fn new(cfg: SessionConfig) -> Sessionizer {
        Sessionizer { cfg, visitors: FxHashMap::default(), watermark: i64::MIN, next_sweep: i64::MIN }
    }

    /// Visitors currently held in memory.
    pub fn active(&self) -> usize {
        self.visitors.len()
    }

    /// Records one hit and returns the visitor's agent (for line accounting).
    /// `activity` is whether the hit can start or extend a visit (a page view; any hit
    /// of an excluded agent); `asset` marks asset requests.
    pub fn record(
        &mut self,
        key: u64,
        time: i64,
        pageview: bool,
        asset: bool,
        mut details: impl FnMut() -> Details,
        closed: &mut impl FnMut(ClosedVisit),
    ) -> Agent {
        if time > self.watermark {
            self.watermark = time;
            if time >= self.next_sweep {
                self.sweep(closed);
                self.next_sweep = time - time.rem_euclid(SWEEP_STEP) + SWEEP_STEP;
            }
        }
        let timeout = self.cfg.timeout;
        let mut made: Option<Details> = None;
        let state = self.visitors.entry(key).or_insert_with(|| {
            let d = details();
            let st = VisitorState { agent: d.agent, last_seen: time, visit: None };
            made = Some(d);
            st
        });
        let mut get = || made.take().unwrap_or_else(&mut details);
        state.last_seen = state.last_seen.max(time);
        let agent = state.agent;
        let activity = pageview || agent.is_excluded();
        if !activity {
            if let Some(v) = &mut state.visit {
                v.hits += 1;
                v.assets += u32::from(asset);
            }
            return agent;
        }
        let start_visit = |d: Details| ClosedVisit {
            agent,
            visitor_id: d.visitor_id,
            start: time,
            end: time,
            pageviews: u32::from(pageview),
            hits: 1,
            assets: 0,
            landing: d.landing,
        };
        match &mut state.visit {
            Some(v) if time >= v.start - timeout && time <= v.end + timeout => {
                if time < v.start {
                    // A late line that is really the visit's first page view.
                    v.landing = get().landing;
                    v.start = time;
                }
                v.end = v.end.max(time);
                v.pageviews += u32::from(pageview);
                v.hits += 1;
            }
            Some(v) if time < v.start - timeout => {
                // Far older than the open visit: a visit of its own, already over.
                closed(start_visit(get()));
            }
            slot => {
                if let Some(old) = slot.take() {
                    closed(old);
                }
                *slot = Some(start_visit(get()));
            }
        }
        agent
    }

    fn sweep(&mut self, closed: &mut impl FnMut(ClosedVisit)) {
        let horizon = self.watermark.saturating_sub(self.cfg.timeout + self.cfg.lateness);
        self.visitors.retain(|_, st| {
            if st.last_seen >= horizon {
                return true;
            }
            if let Some(v) = st.visit.take() {
                closed(v);
            }
            false
        });
    }

    /// Closes every open visit (end of input).
    pub fn finish(&mut self, closed: &mut impl FnMut(ClosedVisit)) {
        for (_, mut st) in self.visitors.drain() {
            if let Some(v) = st.visit.take() {
                closed(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(target: &str, agent: Agent) -> impl FnMut() -> Details + '_ {
        move || Details {
            agent,
            landing: OwnedLanding { target: target.as_bytes().to_vec(), referrer: None, vhost: None },
            visitor_id: 0,
        }
    }

    fn run(hits: &[(u64, i64, bool, &str)]) -> Vec<(u64, i64, u32, String)> {
        let mut s = Sessionizer::new(SessionConfig::default());
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for &(key, t, pv, target) in hits {
            let mut sink = |v: ClosedVisit| out.push(v);
            s.record(key, t, pv, !pv, details(target, Agent::Browser), &mut sink);
            keys.push(key);
        }
        s.finish(&mut |v| out.push(v));
        let mut rows: Vec<_> = out
            .into_iter()
            .map(|v| (0, v.start, v.pageviews, String::from_utf8(v.landing.target).unwrap()))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn a_visit_ends_after_thirty_idle_minutes() {
        let rows = run(&[
            (1, 0, true, "/a"),
            (1, 600, true, "/b"),
            (1, 600 + 1801, true, "/c"),
            (1, 600 + 1802, false, "/x.css"),
        ]);
        assert_eq!(rows, vec![(0, 0, 2, "/a".into()), (0, 2401, 1, "/c".into())]);
    }

    #[test]
    fn a_late_line_becomes_the_landing() {
        let rows = run(&[(1, 100, true, "/second"), (1, 40, true, "/first")]);
        assert_eq!(rows, vec![(0, 40, 2, "/first".into())]);
    }

    #[test]
    fn idle_visitors_are_swept_from_memory() {
        let mut s = Sessionizer::new(SessionConfig::default());
        let mut closed = 0;
        for i in 0..1000 {
            s.record(i, i as i64 * 10, true, false, details("/a", Agent::Browser), &mut |_| closed += 1);
        }
        // 10 s apart, so only the last ~35 minutes of visitors are kept.
        assert!(s.active() <= 2 * (35 * 60 / 10), "{}", s.active());
        assert!(closed >= 700);
    }

    #[test]
    fn assets_before_any_page_view_start_nothing() {
        let rows = run(&[(1, 0, false, "/a.css"), (1, 5, true, "/a")]);
        assert_eq!(rows, vec![(0, 5, 1, "/a".into())]);
    }
}
