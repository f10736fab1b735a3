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
/// A week: the lines of a quiet site's first hours, then a day or two without a visit,
/// are where its log starts (at one day, two visits before a 24-hour gap were dropped as
/// out of order); a line dated 1970 or 2100 is decades off, and one hours ahead is judged
/// as a jump is.
const START_SPREAD: i64 = 7 * 86_400;

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
    /// Times of the held lines, in the order they came: every one ahead of the clock by
    /// more than `lateness` when it came (or, before the clock is set, the start lines).
    held: VecDeque<i64>,
    /// Lines read at the old time since the first was held.
    since_held: usize,
    /// The verdicts on the held lines once released, in order (empty between lines: a
    /// saved state never holds any).
    #[serde(skip)]
    verdicts: VecDeque<Admit>,
}

impl SessionClock {
    pub fn new(lateness: i64) -> SessionClock {
        SessionClock { lateness, now: None, held: VecDeque::new(), since_held: 0, verdicts: VecDeque::new() }
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
        if time < now.saturating_sub(self.lateness) {
            self.since_held += usize::from(!self.held.is_empty());
            return Admit::OutOfOrder;
        }
        // Ahead: held with whatever else is ahead, until the lines after say which of
        // them the log goes on from (see `decide`).
        if time > now.saturating_add(self.lateness) {
            self.held.push_back(time);
            return Admit::Hold;
        }
        self.since_held += usize::from(!self.held.is_empty());
        self.now = Some(now.max(time));
        Admit::Now
    }

    /// Whether the held lines are decided, after a line was admitted; `end` at the end
    /// of the input, where whatever is held is decided on what came. Lines still held then
    /// and dated after `end_limit` are out of order however they would be judged: see
    /// [`SessionClock::decide_at_end`].
    pub fn decide(&mut self, end: bool) -> Option<Decision> {
        self.decide_at_end(end, None)
    }

    /// [`SessionClock::decide`], with a limit on the lines read at the end of the input.
    /// An incremental run saves its clock for the next: a lone line dated 2100 read at
    /// the end of one run would put every line of the next out of order, for good. No
    /// line of a log can be dated after the moment it is read, so a line held at the end
    /// and dated after `end_limit` (a little past the run's own clock) is taken for the
    /// outlier it is; a real jump the input ends in is read as before.
    pub fn decide_at_end(&mut self, end: bool, end_limit: Option<i64>) -> Option<Decision> {
        let limit = end_limit.filter(|_| end);
        if self.held.is_empty() {
            return None;
        }
        let Some(now) = self.now else {
            if self.held.len() < START_LINES && !end {
                return None;
            }
            self.verdicts = within(&self.held, limit, |held| start_verdicts(held, self.lateness, !end));
            return Some(self.released());
        };
        // The log caught up with them (lines at the old time moved the clock): no longer
        // ahead.
        let caught_up = self.held.iter().all(|&t| t <= now.saturating_add(self.lateness));
        // Confirmed by more lines ahead than came at the old time meanwhile (outliers that
        // alternate with the log's lines confirm nothing).
        let confirmed = self.held.len() >= CONFIRM + self.since_held;
        if caught_up || confirmed {
            self.verdicts = within(&self.held, limit, |held| jump_verdicts(held, now, self.lateness, !end));
            return Some(self.released());
        }
        if self.since_held >= CONFIRM || (end && self.since_held > 0) {
            self.held.clear();
            self.since_held = 0;
            return Some(Decision::Drop);
        }
        if end {
            // Nothing came after them at the old time: a jump the input ended in, read. (A
            // limit on how far ahead was tried: a real trailing jump days later was then
            // lost, and a part of a log split by visitor no longer matched the whole.)
            self.verdicts = within(&self.held, limit, |held| jump_verdicts(held, now, self.lateness, false));
            return Some(self.released());
        }
        None
    }

    /// Applies the verdicts just made: the clock moves to the newest line read, and a
    /// last line still ahead of it is held again, alone.
    fn released(&mut self) -> Decision {
        let read = self.held.iter().zip(&self.verdicts).filter(|(_, v)| **v == Admit::Now).map(|(t, _)| *t);
        self.now = read.max().max(self.now);
        self.since_held = 0;
        Decision::Release
    }

    /// The verdict on the next released line (call once per held line, in order, after
    /// [`Decision::Release`]). `Admit::Hold`: the line stays held.
    pub fn release(&mut self) -> Admit {
        let time = self.held.pop_front().expect("a released line was held");
        let verdict = self.verdicts.pop_front().expect("a verdict for each held line");
        if verdict == Admit::Hold {
            self.held.push_back(time);
        }
        verdict
    }
}

/// `judge`'s verdicts on the held lines dated up to `limit`, and the lines after it out of
/// order: set aside before any verdict, so that they judge no other line either (the lines
/// after a held line decide whether it was an outlier).
fn within(
    held: &VecDeque<i64>,
    limit: Option<i64>,
    judge: impl FnOnce(&VecDeque<i64>) -> VecDeque<Admit>,
) -> VecDeque<Admit> {
    let Some(limit) = limit.filter(|&l| held.iter().any(|&t| t > l)) else { return judge(held) };
    let kept: VecDeque<i64> = held.iter().copied().filter(|&t| t <= limit).collect();
    let mut verdicts = if kept.is_empty() { VecDeque::new() } else { judge(&kept) }.into_iter();
    held.iter()
        .map(|&t| if t > limit { Admit::OutOfOrder } else { verdicts.next().unwrap_or(Admit::OutOfOrder) })
        .collect()
}

/// Verdicts on the first lines of a log: a line far from their median (one dated 1970
/// or 2100 among them) is not where the log starts, and the lines after the start are
/// judged as a jump is (a line hours ahead of the ones after it is an outlier).
fn start_verdicts(held: &VecDeque<i64>, lateness: i64, hold_last: bool) -> VecDeque<Admit> {
    let (start, median, spread) = start(held.iter().copied());
    let far = |t: i64| (t - median).abs() > spread;
    let near: VecDeque<i64> = held.iter().copied().filter(|&t| !far(t)).collect();
    let mut verdicts = jump_verdicts(&near, start, lateness, hold_last).into_iter();
    held.iter()
        .map(|&t| if far(t) { Admit::OutOfOrder } else { verdicts.next().unwrap_or(Admit::OutOfOrder) })
        .collect()
}

/// Verdicts on lines that came ahead of the clock (`now`), read in order: a line still
/// ahead of the clock is a jump the log goes on from unless the lines held after it are
/// mostly earlier (then it was an outlier: a line dated 2100, a clock hours off, held
/// with the lines after a gap in the log). The last line, still ahead of every line read,
/// is held again when `hold_last` (the lines to come decide it).
fn jump_verdicts(held: &VecDeque<i64>, mut now: i64, lateness: i64, hold_last: bool) -> VecDeque<Admit> {
    let times: Vec<i64> = held.iter().copied().collect();
    let mut verdicts = VecDeque::with_capacity(times.len());
    for (i, &t) in times.iter().enumerate() {
        let after = &times[i + 1..];
        let verdict = if t < now.saturating_sub(lateness) {
            Admit::OutOfOrder
        } else if t <= now.saturating_add(lateness) {
            Admit::Now
        } else if after.is_empty() {
            if hold_last {
                Admit::Hold
            } else {
                Admit::Now
            }
        } else if median(after) < t.saturating_sub(lateness) {
            Admit::OutOfOrder
        } else {
            Admit::Now
        };
        if verdict == Admit::Now {
            now = now.max(t);
        }
        verdicts.push_back(verdict);
    }
    verdicts
}

/// The lower median.
fn median(times: &[i64]) -> i64 {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted[(sorted.len() - 1) / 2]
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
        verdicts_until(times, None).0
    }

    /// [`verdicts`], with a limit on the lines read at the end; and where the clock ends.
    fn verdicts_until(times: &[i64], end_limit: Option<i64>) -> (String, Option<i64>) {
        let mut clock = SessionClock::new(300);
        let mut held: VecDeque<usize> = VecDeque::new();
        let mut out = vec![' '; times.len()];
        let settle = |clock: &mut SessionClock, held: &mut VecDeque<usize>, out: &mut Vec<char>, end| {
            while let Some(d) = clock.decide_at_end(end, end_limit) {
                for i in std::mem::take(held) {
                    out[i] = match d {
                        Decision::Release => match clock.release() {
                            Admit::Now => 'r',
                            Admit::Hold => {
                                held.push_back(i);
                                ' '
                            }
                            Admit::OutOfOrder => 'o',
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
        (out.into_iter().collect(), clock.now())
    }

    /// A lone line dated 2100 at the very end of an incremental run's input: read, it
    /// would be the clock the next run starts from, and every line of that run would be
    /// behind it. Past the limit it is out of order and the clock stays with the log; a
    /// real jump the input ends in, before the limit, is still read.
    #[test]
    fn a_line_held_at_the_end_past_the_limit_is_out_of_order() {
        let mut times: Vec<i64> = (0..40).map(|i| 1_000_000 + i * 10).collect();
        times.push(4_102_444_800); // 2100-01-01
        let limit = Some(2_000_000);
        assert_eq!(verdicts_until(&times, None), (format!("{}r", "r".repeat(40)), Some(4_102_444_800)));
        assert_eq!(verdicts_until(&times, limit), (format!("{}o", "r".repeat(40)), Some(1_000_390)));
        // A trailing jump of two hours, and one line after it: read as before.
        times.pop();
        times.extend([1_007_600, 1_007_610]);
        assert_eq!(verdicts_until(&times, limit), ("r".repeat(42), Some(1_007_610)));
        // Lines past the limit judge no other line: held with three of them, a real line
        // an hour ahead is still read.
        times.truncate(40);
        times.extend([4_102_444_800, 4_102_444_801, 4_102_444_802, 1_003_990]);
        assert_eq!(verdicts_until(&times, limit), (format!("{}ooor", "r".repeat(40)), Some(1_003_990)));
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

    /// The log goes quiet for ten minutes while a line dated 2100 is held: the line after
    /// the gap is ahead of the clock too, and the two are told apart by the lines after.
    #[test]
    fn an_outlier_held_across_a_gap_in_the_log_does_not_move_the_clock() {
        for outlier in [4_000_000_000, 1_000_000 + 20 * 10 + 4 * 3600] {
            let mut t = steady(20, 1_000_000, 10);
            t.push(outlier);
            t.extend(steady(20, 1_000_000 + 20 * 10 + 600, 10));
            let v = verdicts(&t);
            assert_eq!(v, format!("{}o{}", "r".repeat(20), "r".repeat(20)), "{outlier}: {v}");
        }
    }

    /// An outlier that comes as the line that would confirm a jump, or two in a row.
    #[test]
    fn outliers_among_the_lines_of_a_jump_are_out_of_order() {
        let mut t = steady(20, 1_000_000, 10);
        t.extend(steady(7, 1_000_000 + 3600, 10));
        t.push(4_000_000_000);
        t.extend(steady(10, 1_000_000 + 3600 + 70, 10));
        assert_eq!(verdicts(&t), format!("{}o{}", "r".repeat(27), "r".repeat(10)));
        let mut t = steady(20, 1_000_000, 10);
        t.extend([4_000_000_000, 4_000_000_000]);
        t.extend(steady(20, 1_000_000 + 3600, 10));
        assert_eq!(verdicts(&t), format!("{}oo{}", "r".repeat(20), "r".repeat(20)));
    }

    /// A quiet site's log: two visits, then a day or more without one. Its first lines are
    /// where it starts, not outliers (at a 24-hour gap they were out of order).
    #[test]
    fn a_log_that_starts_before_a_quiet_day_keeps_its_first_lines() {
        for gap in [25 * 3600, 3 * 86_400, 6 * 86_400] {
            let mut t = steady(4, 1_000_000, 60);
            t.extend(steady(40, 1_000_000 + gap, 10));
            assert_eq!(verdicts(&t), "r".repeat(44), "gap {gap}");
        }
        // A line decades off among the first is still no start.
        let mut t = steady(20, 1_000_000_000, 10);
        t[0] = 10;
        assert_eq!(verdicts(&t), format!("o{}", "r".repeat(19)));
    }

    /// Among the first lines, one hours ahead is an outlier as it is later on.
    #[test]
    fn an_outlier_among_the_start_lines_does_not_move_the_clock() {
        let mut t = steady(40, 1_000_000, 10);
        t[5] = 1_000_000 + 4 * 3600;
        assert_eq!(verdicts(&t), format!("{}o{}", "r".repeat(5), "r".repeat(34)));
    }

    /// The input ends on lines ahead: out of order when lines at the old time came after
    /// them, read when nothing did (a jump the input ended in).
    #[test]
    fn outliers_at_the_end_of_the_input_are_not_read() {
        let base = steady(30, 1_000_000, 10);
        for (tail, want) in [
            (vec![4_000_000_000, 1_000_300, 4_000_000_000], "oro"),
            (vec![1_000_900, 1_000_000 + 30 * 3600], "rr"),
        ] {
            let mut t = base.clone();
            t.extend(&tail);
            let v = verdicts(&t);
            assert_eq!(&v[30..], want, "{tail:?}: {v}");
        }
        let mut t = base.clone();
        t.push(4_000_000_000);
        t.extend(steady(7, 1_000_300, 1));
        t.push(4_000_000_000);
        let v = verdicts(&t);
        assert_eq!(&v[30..], format!("o{}o", "r".repeat(7)), "{v}");
    }

    /// Outliers that alternate with the log's lines confirm nothing.
    #[test]
    fn outliers_alternating_with_the_log_are_out_of_order() {
        let mut t = steady(20, 1_000_000, 10);
        for i in 0..8 {
            t.push(4_000_000_000);
            t.push(1_000_200 + i * 10);
        }
        t.extend(steady(10, 1_000_300, 10));
        let v = verdicts(&t);
        assert_eq!(v.matches('o').count(), 8, "{v}");
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
