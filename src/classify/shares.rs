//! Link-preview fetches as share events.
//!
//! When somebody pastes a link into WhatsApp, Slack or iMessage, the app fetches the page
//! to draw a preview, before anyone clicks. A visit that then lands on that page with no
//! referrer most likely came through the app that fetched it: the share is the referrer
//! the app stripped.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Name;

/// How long after a link preview a visit landing on its page counts as its share, unless
/// `--share-window` or the rules file says otherwise.
pub const SHARE_WINDOW: i64 = 48 * 3600;

/// One share: fetches of one URL by one app, a burst of retries counted once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Share {
    first: i64,
    last: i64,
    app: Name,
}

/// Fetches of the same URL by the same app this close together are one share (apps
/// retry, fetch images, and several group members' clients fetch at once).
pub const BURST: i64 = 10;

/// Recent shares per landing path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareLog {
    window: i64,
    lateness: i64,
    #[serde(serialize_with = "crate::sorted::map")]
    by_path: FxHashMap<Vec<u8>, Vec<Share>>,
    next_sweep: i64,
    /// Paths held at most: a flood of preview fetches of invented paths must not grow
    /// memory without bound.
    #[serde(default = "max_paths")]
    max_paths: usize,
    /// Paths forgotten early because `max_paths` was reached.
    #[serde(default)]
    evicted: u64,
}

/// Paths with recent shares held at most, by default.
pub const MAX_SHARED_PATHS: usize = 100_000;

fn max_paths() -> usize {
    MAX_SHARED_PATHS
}

impl ShareLog {
    pub fn new(window: i64, lateness: i64) -> ShareLog {
        ShareLog {
            window,
            lateness,
            by_path: FxHashMap::default(),
            next_sweep: i64::MIN,
            max_paths: MAX_SHARED_PATHS,
            evicted: 0,
        }
    }

    /// With at most `max` paths held.
    pub fn with_max_paths(self, max: usize) -> ShareLog {
        ShareLog { max_paths: max, ..self }
    }

    /// Paths forgotten early because too many were held.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// A log that forgets nothing: a profile of every share of a job, for the parts of
    /// it to attribute their visits from.
    pub fn keep_all(window: i64, lateness: i64) -> ShareLog {
        ShareLog { next_sweep: i64::MAX, ..ShareLog::new(window, lateness) }
    }

    /// Records a preview fetch; returns how the number of shares changed: 1 for a new
    /// share, 0 for a fetch of a known burst, -n when a late fetch joins n+1 bursts
    /// into one (lines arrive out of order: the count must not depend on it).
    /// `open_since`: no visit still open started before it (visits are attributed when
    /// they close, to the shares before their start).
    pub fn record(&mut self, path: &[u8], time: i64, app: Name, open_since: i64) -> i64 {
        if time >= self.next_sweep {
            self.sweep(time, open_since);
        }
        if self.by_path.len() >= self.max_paths && !self.by_path.contains_key(path) {
            self.evict();
        }
        let shares = match self.by_path.get_mut(path) {
            Some(s) => s,
            None => self.by_path.entry(path.to_vec()).or_default(),
        };
        // Within BURST of a burst's span, on either side: lines arrive out of order.
        let near = |s: &Share| s.app == app && time >= s.first - BURST && time <= s.last + BURST;
        // In place: this runs for every preview fetch.
        let (mut merged, mut joined) = (Share { first: time, last: time, app }, 0);
        for s in shares.iter().filter(|s| near(s)) {
            merged.first = merged.first.min(s.first);
            merged.last = merged.last.max(s.last);
            joined += 1;
        }
        if joined > 0 {
            shares.retain(|s| !near(s));
        }
        shares.push(merged);
        1 - joined
    }

    /// Adds another log's shares: bursts of the same app that meet become one, as if one
    /// log had recorded every fetch.
    pub fn merge(&mut self, other: ShareLog) {
        for (path, shares) in other.by_path {
            let mine = self.by_path.entry(path).or_default();
            for s in shares {
                let near =
                    |m: &Share| m.app == s.app && s.last >= m.first - BURST && s.first <= m.last + BURST;
                let mut merged = s;
                for m in mine.iter().filter(|m| near(m)) {
                    merged.first = merged.first.min(m.first);
                    merged.last = merged.last.max(m.last);
                }
                mine.retain(|m| !near(m));
                mine.push(merged);
            }
            mine.sort_by_key(|s| (s.first, s.last, s.app));
        }
        self.next_sweep = self.next_sweep.max(other.next_sweep);
        self.evicted += other.evicted;
    }

    /// The app of the most recent share of `path` at or before `start`, within the window.
    /// Shares of two apps in the same second are told apart by the app: never by the order
    /// they were recorded in, nor by their last fetch, which differ between one run (a
    /// burst may go on after the visit closed) and a profile merged from parts.
    pub fn attribute(&self, path: &[u8], start: i64) -> Option<Name> {
        self.by_path
            .get(path)?
            .iter()
            .filter(|s| s.first <= start && start - s.first <= self.window)
            .max_by_key(|s| (s.first, s.app))
            .map(|s| s.app)
    }

    /// Forgets the quarter of the paths shared longest ago: every path last shared at or
    /// before the time that cuts off a quarter.
    #[cold]
    fn evict(&mut self) {
        let latest = |shares: &Vec<Share>| shares.iter().map(|s| s.last).max().unwrap_or(i64::MIN);
        let (n, _) = crate::bounded::evict_quarter(&mut self.by_path, latest, |_, _| {});
        self.evicted += n;
    }

    /// Forgets shares no visit can be attributed to any more: no visit still open, or to
    /// come, starts before `open_since` or more than `lateness` behind the newest time.
    fn sweep(&mut self, now: i64, open_since: i64) {
        let earliest_start = now.saturating_sub(self.lateness).min(open_since);
        let horizon = earliest_start.saturating_sub(self.window);
        self.by_path.retain(|_, shares| {
            shares.retain(|s| s.last >= horizon);
            !shares.is_empty()
        });
        // Each sweep walks every shared path; hourly keeps that cheap, and memory holds
        // an hour of shares more than the window at most.
        self.next_sweep = now.saturating_add(3600);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two apps' names, as the built-in rules give them.
    fn apps() -> (Name, Name) {
        let rules = crate::classify::AgentRules::builtin().unwrap();
        let app = |ua: &str| match rules.classify(Some(ua.as_bytes())) {
            crate::classify::Agent::Preview { app } => app,
            other => panic!("{other:?}"),
        };
        (app("WhatsApp/2.23.20.0 A"), app("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"))
    }

    #[test]
    fn shares_of_two_apps_in_the_same_second_are_attributed_whatever_order_they_came_in() {
        let (whatsapp, slack) = apps();
        let (mut one, mut other) = (ShareLog::new(48 * 3600, 300), ShareLog::new(48 * 3600, 300));
        one.record(b"/a", 100, whatsapp, i64::MAX);
        one.record(b"/a", 100, slack, i64::MAX);
        other.record(b"/a", 100, slack, i64::MAX);
        other.record(b"/a", 100, whatsapp, i64::MAX);
        assert!(one.attribute(b"/a", 200).is_some());
        assert_eq!(one.attribute(b"/a", 200), other.attribute(b"/a", 200));
    }

    #[test]
    fn bursts_are_one_share_and_the_latest_share_wins() {
        let (whatsapp, slack) = apps();
        let mut log = ShareLog::new(48 * 3600, 300);
        assert_eq!(log.record(b"/a", 100, whatsapp, i64::MAX), 1);
        assert_eq!(log.record(b"/a", 105, whatsapp, i64::MAX), 0);
        assert_eq!(log.record(b"/a", 106, slack, i64::MAX), 1);
        assert_eq!(log.record(b"/a", 5000, whatsapp, i64::MAX), 1);
        assert_eq!(log.attribute(b"/a", 99), None);
        assert_eq!(log.attribute(b"/a", 200), Some(slack));
        assert_eq!(log.attribute(b"/a", 6000), Some(whatsapp));
        assert_eq!(log.attribute(b"/a", 5000 + 48 * 3600 + 1), None);
        assert_eq!(log.attribute(b"/b", 200), None);
    }

    #[test]
    fn a_burst_is_one_share_in_any_order() {
        let (_, slack) = apps();
        for order in [[0, 10, 20], [0, 20, 10], [20, 0, 10]] {
            let mut log = ShareLog::new(3600, 300);
            let new: i64 = order.iter().map(|&t| log.record(b"/a", 1000 + t, slack, i64::MAX)).sum();
            assert_eq!(new, 1, "{order:?}");
        }
    }

    #[test]
    fn old_shares_are_forgotten() {
        let (whatsapp, _) = apps();
        let mut log = ShareLog::new(3600, 300);
        log.record(b"/a", 0, whatsapp, i64::MAX);
        log.record(b"/b", 10_000, whatsapp, i64::MAX);
        assert!(!log.by_path.contains_key(&b"/a"[..]));
    }
}
