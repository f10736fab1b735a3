//! The session clock: what time it is in the log, robust to lines whose time is wrong.
//!
//! Logs are only roughly in time order (lines are written when requests finish), so the
//! sessionizer takes a line up to `lateness` behind the newest time it has seen. A line
//! much further behind, or one far ahead of its neighbours (a clock that jumped, a line
//! dated 2100), would move visits or the newest time if it were read like the others:
//! such lines are out of order, counted apart and not read. A line ahead of the clock by
//! more than `lateness` is held until the lines after it say which it is: when enough of
//! them agree with it (the log went quiet and resumed, or the next rotation starts later)
//! the clock moves and the held lines are read; when enough of them carry on at the old
//! time, the held lines were outliers. The same lines in the same order always get the
//! same verdicts, whatever blocks or threads they came through.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Lines that confirm a jump, or that show the lines ahead were outliers.
pub const CONFIRM: usize = 8;

/// Lines the clock first looks at to know where the log starts.
const START_LINES: usize = 16;

/// The clock's start is no further than this from the start lines' median: anything
/// further is an outlier (unless the lines themselves are spread wider, see `start`).
const START_SPREAD: i64 = 86_400;

/// What to do with a line now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Read it.
    Now,
    /// Out of order: count it, do not read it.
    OutOfOrder,
    /// Keep it until [`SessionClock::decide`] says.
    Hold,
}

/// What to do with the held lines, all of them, in the order they came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Read them, each as [`SessionClock::release`] says.
    Release,
    /// They were outliers: out of order.
    Drop,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClock {
    lateness: i64,
    /// The newest time read; `None` until the start lines set it.
    now: Option<i64>,
    /// Times of the held lines, in the order they came.
    held: VecDeque<i64>,
    /// The earliest of them: the time the lines ahead say it is.
    held_from: i64,
    /// Lines read at the old time since the first was held.
    since_held: usize,
    /// While the start lines are released: their median and how far from it a start line
    /// may be (further, it is an outlier).
    starting: Option<(i64, i64)>,
}

impl SessionClock {
    pub fn new(lateness: i64) -> SessionClock {
        SessionClock {
            lateness,
            now: None,
            held: VecDeque::new(),
            held_from: i64::MAX,
            since_held: 0,
            starting: None,
        }
    }

    /// The newest time read, if any.
    pub fn now(&self) -> Option<i64> {
        self.now
    }

    /// Lines held now.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// The verdict on a line at `time`, in the order lines come.
    pub fn admit(&mut self, time: i64) -> Admit {
        let Some(now) = self.now else {
            self.held.push_back(time);
            return Admit::Hold;
        };
        if !self.held.is_empty() && time >= self.held_from.saturating_sub(self.lateness) {
            self.held.push_back(time);
            self.held_from = self.held_from.min(time);
            return Admit::Hold;
        }
        if time < now.saturating_sub(self.lateness) {
            self.since_held += usize::from(!self.held.is_empty());
            return Admit::OutOfOrder;
        }
        if time > now.saturating_add(self.lateness) {
            debug_assert!(self.held.is_empty());
            self.held.push_back(time);
            self.held_from = time;
            return Admit::Hold;
        }
        self.since_held += usize::from(!self.held.is_empty());
        self.now = Some(now.max(time));
        Admit::Now
    }

    /// Whether the held lines are decided, after a line was admitted; `end` at the end
    /// of the input, where whatever is held is decided on what came.
    pub fn decide(&mut self, end: bool) -> Option<Decision> {
        if self.held.is_empty() {
            return None;
        }
        if self.now.is_none() {
            if self.held.len() < START_LINES && !end {
                return None;
            }
            let (start, median, spread) = start(self.held.iter().copied());
            self.now = Some(start);
            self.starting = Some((median, spread));
            return Some(Decision::Release);
        }
        if self.held.len() >= CONFIRM || (end && (self.since_held == 0 || self.held.len() >= 2)) {
            self.now = Some(self.now.map_or(self.held_from, |n| n.max(self.held_from)));
            return Some(Decision::Release);
        }
        if self.since_held >= CONFIRM || end {
            self.held.clear();
            self.held_from = i64::MAX;
            self.since_held = 0;
            return Some(Decision::Drop);
        }
        None
    }

    /// The verdict on the next released line (call once per held line, in order, after
    /// [`Decision::Release`]).
    pub fn release(&mut self) -> Admit {
        let time = self.held.pop_front().expect("a released line was held");
        let starting = self.starting;
        if self.held.is_empty() {
            self.held_from = i64::MAX;
            self.since_held = 0;
            self.starting = None;
        }
        let now = self.now.expect("release sets the clock");
        if time < now.saturating_sub(self.lateness) {
            return Admit::OutOfOrder;
        }
        // A start line far from the others is an outlier.
        if starting.is_some_and(|(median, spread)| (time - median).abs() > spread) {
            return Admit::OutOfOrder;
        }
        self.now = Some(now.max(time));
        Admit::Now
    }
}

/// Where a log starts, from its first lines: the earliest of them that is not far from
/// their median (one dated 1970 or 2100 among them is not where the log starts). Returns
/// it, the median, and how far from the median a first line may be.
fn start(times: impl Iterator<Item = i64>) -> (i64, i64, i64) {
    let mut sorted: Vec<i64> = times.collect();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    // A sparse log's first lines may span days: as far as their own middle half spreads.
    let spread =
        (sorted[sorted.len() * 3 / 4] - sorted[sorted.len() / 4]).saturating_mul(10).max(START_SPREAD);
    let start = sorted.into_iter().find(|&t| (t - median).abs() <= spread).unwrap_or(median);
    (start, median, spread)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdicts on `times`, in order: `r` read, `o` out of order.
    fn verdicts(times: &[i64]) -> String {
        let mut clock = SessionClock::new(300);
        let mut held: VecDeque<usize> = VecDeque::new();
        let mut out = vec![' '; times.len()];
        let settle = |clock: &mut SessionClock, held: &mut VecDeque<usize>, out: &mut Vec<char>, end| {
            while let Some(d) = clock.decide(end) {
                for i in held.drain(..) {
                    out[i] = match d {
                        Decision::Release => match clock.release() {
                            Admit::Now => 'r',
                            _ => 'o',
                        },
                        Decision::Drop => 'o',
                    };
                }
            }
        };
        for (i, &t) in times.iter().enumerate() {
            match clock.admit(t) {
                Admit::Now => out[i] = 'r',
                Admit::OutOfOrder => out[i] = 'o',
                Admit::Hold => held.push_back(i),
            }
            settle(&mut clock, &mut held, &mut out, false);
        }
        settle(&mut clock, &mut held, &mut out, true);
        out.into_iter().collect()
    }

    fn steady(n: usize, from: i64, step: i64) -> Vec<i64> {
        (0..n as i64).map(|i| from + i * step).collect()
    }

    #[test]
    fn an_outlier_ahead_or_behind_does_not_move_the_clock() {
        let mut t = steady(40, 1_000_000, 10);
        t[20] = 4_000_000_000; // 2096
        t[30] = 1_000_000 + 30 * 10 + 4 * 3600; // four hours ahead
        t[35] = 0; // 1970
        let v = verdicts(&t);
        assert_eq!(v.matches('o').count(), 3, "{v}");
        assert_eq!((&v[20..21], &v[30..31], &v[35..36]), ("o", "o", "o"), "{v}");
    }

    #[test]
    fn the_first_line_can_be_the_outlier() {
        let mut t = steady(40, 1_000_000, 10);
        t[0] = 4_000_000_000;
        let v = verdicts(&t);
        assert_eq!(v, format!("o{}", "r".repeat(39)));
    }

    #[test]
    fn a_log_that_goes_quiet_and_resumes_loses_nothing() {
        let mut t = steady(30, 1_000_000, 10);
        t.extend(steady(30, 1_000_000 + 6 * 3600, 10));
        // A sparse log: a line every twenty minutes.
        t.extend(steady(20, 1_100_000, 1200));
        assert_eq!(verdicts(&t), "r".repeat(80));
    }

    #[test]
    fn lines_late_by_more_than_the_lateness_are_out_of_order() {
        let mut t = steady(30, 1_000_000, 10);
        t[25] = 1_000_000 + 24 * 10 - 200; // 200 s late: fine
        t[28] = 1_000_000 + 27 * 10 - 400; // 400 s late
        assert_eq!(verdicts(&t), format!("{}or", "r".repeat(28)));
    }

    #[test]
    fn a_reversed_log_is_almost_all_out_of_order() {
        let t: Vec<i64> = steady(100, 1_000_000, 60).into_iter().rev().collect();
        assert!(verdicts(&t).matches('o').count() >= 90);
    }

    #[test]
    fn a_few_lines_days_apart_are_all_read() {
        assert_eq!(verdicts(&[0, 47 * 3600, 71 * 3600]), "rrr");
    }

    #[test]
    fn a_trailing_jump_is_read_and_a_trailing_outlier_is_not() {
        let mut t = steady(30, 1_000_000, 10);
        t.extend([1_000_000 + 3600, 1_000_000 + 3610]);
        assert_eq!(verdicts(&t), "r".repeat(32));
        let mut t = steady(30, 1_000_000, 10);
        t.insert(28, 4_000_000_000);
        assert_eq!(verdicts(&t), format!("{}o{}", "r".repeat(28), "rr"));
    }
}
