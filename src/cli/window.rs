//! The windows people ask for: `--since`/`--until`, a calendar `--day`, `--week` or
//! `--month` in the report's zone, "now" pinned with `--now`, and the period before with
//! `--compare previous`.

use clap::{Args, ValueEnum};

use super::Error;
use crate::time::{self, Zone};

#[derive(Debug, Clone, Args)]
pub struct WindowArgs {
    /// Only visits from this time: 2026-11-01 (midnight in --tz), 2026-11-01T06:00:00Z,
    /// or 7d, 24h ago. Earlier lines are still read for what the window's visits need
    /// (returns, shares, visits already open).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only visits before this time (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// One day: yesterday, today or 2026-11-09 (in --tz).
    #[arg(long, value_name = "DAY", conflicts_with_all = ["since", "until", "week", "month"])]
    pub day: Option<String>,

    /// One ISO week, Monday to Sunday in --tz: last (the last complete week), this, or
    /// 2026-W45.
    #[arg(long, value_name = "WEEK", conflicts_with_all = ["since", "until", "month"])]
    pub week: Option<String>,

    /// One calendar month in --tz: last, this, or 2026-11.
    #[arg(long, value_name = "MONTH", conflicts_with_all = ["since", "until"])]
    pub month: Option<String>,

    /// What time it is, for "yesterday", "last week" and "7d" (default: the clock):
    /// 2026-11-30T06:00:00Z, or a date.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Also report the period before the window, of the same length (the month before a
    /// month, whole days in --tz before dates), with each figure's change.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub compare: Option<Compare>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compare {
    Previous,
}

/// A window's bounds (`None`: open), and what to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// What the flags asked for: the window, and the period to compare it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    pub current: Window,
    pub previous: Option<(i64, i64)>,
}

impl Windows {
    /// No window: everything.
    pub fn everything() -> Windows {
        Windows { current: Window { since: None, until: None }, previous: None }
    }

    /// Everything the reports cover: from the earliest start to the latest end.
    pub fn span(&self) -> Window {
        let since = match self.previous {
            Some((s, _)) => Some(s),
            None => self.current.since,
        };
        Window { since, until: self.current.until }
    }

    /// Where the ledger must cut periods for these windows to be reported exactly.
    pub fn edges(&self) -> Vec<i64> {
        let mut e: Vec<i64> = self.current.since.into_iter().chain(self.current.until).collect();
        if let Some((s, u)) = self.previous {
            e.extend([s, u]);
        }
        e
    }

    pub fn bounded(&self) -> bool {
        self.current.since.is_some() || self.current.until.is_some()
    }
}

impl WindowArgs {
    /// The windows, with days, weeks and months in `zone`.
    pub fn resolve(&self, zone: &Zone) -> Result<Windows, Error> {
        let now = match &self.now {
            Some(s) => time::parse_user_time(s, time::now(), zone)
                .map_err(|e| super::usage_error(format!("invalid value for --now: {e}")))?,
            None => time::now(),
        };
        let bad = |flag: &str, e: String| super::usage_error(format!("invalid value for {flag}: {e}"));
        let (current, calendar) = if let Some(d) = &self.day {
            let (s, u) = day(d, now, zone).map_err(|e| bad("--day", e))?;
            (Window { since: Some(s), until: Some(u) }, Some(Calendar::Day))
        } else if let Some(w) = &self.week {
            let (s, u) = week(w, now, zone).map_err(|e| bad("--week", e))?;
            (Window { since: Some(s), until: Some(u) }, Some(Calendar::Week))
        } else if let Some(m) = &self.month {
            let (s, u) = month(m, now, zone).map_err(|e| bad("--month", e))?;
            (Window { since: Some(s), until: Some(u) }, Some(Calendar::Month))
        } else {
            let parse = |flag: &str, s: &Option<String>| {
                s.as_deref()
                    .map(|s| time::parse_user_time(s, now, zone))
                    .transpose()
                    .map_err(|e| bad(flag, e))
            };
            (Window { since: parse("--since", &self.since)?, until: parse("--until", &self.until)? }, None)
        };
        if let (Some(s), Some(u)) = (current.since, current.until) {
            if s >= u {
                return Err(super::usage_error(format!(
                    "--since ({}) must be before --until ({})",
                    time::format_rfc3339(s),
                    time::format_rfc3339(u)
                )));
            }
        }
        let previous = match self.compare {
            None => None,
            Some(Compare::Previous) => {
                let Some(since) = current.since else {
                    return Err(super::usage_error(
                        "--compare previous needs a window: --since, --day, --week or --month".into(),
                    ));
                };
                let until = current.until.unwrap_or(now).max(since + 1);
                Some(match calendar {
                    // The month before, as long as it is; a week or a day before, in the zone
                    // (a day with a clock change is 23 or 25 hours).
                    Some(Calendar::Month) => (month_before(since, zone), since),
                    Some(Calendar::Week) => (days_before(since, 7, zone), since),
                    Some(Calendar::Day) => (days_before(since, 1, zone), since),
                    // Whole days given as dates (`--since 2026-10-26 --until 2026-10-27`): as
                    // many days before, in the zone, as `--day` takes them; other bounds (`7d`, a
                    // time of day) the same length before.
                    None => match whole_days(since, until, zone) {
                        Some(n) => (days_before(since, n, zone), since),
                        None => (since - (until - since), since),
                    },
                })
            }
        };
        // An open end with a comparison ends now: the two periods are the same length.
        let current = match (previous, current.until) {
            (Some(_), None) => Window { until: Some(now.max(current.since.unwrap_or(now) + 1)), ..current },
            _ => current,
        };
        Ok(Windows { current, previous })
    }
}

#[derive(Debug, Clone, Copy)]
enum Calendar {
    Day,
    Week,
    Month,
}

fn midnight(zone: &Zone, day: i64) -> i64 {
    zone.local_to_utc(day * 86_400)
}

/// The local midnight `n` days before the one at `t`.
fn days_before(t: i64, n: i64, zone: &Zone) -> i64 {
    midnight(zone, zone.day_of(t) - n)
}

/// How many local days `[since, until)` spans, when both are local midnights.
fn whole_days(since: i64, until: i64, zone: &Zone) -> Option<i64> {
    let at_midnight = |t: i64| midnight(zone, zone.day_of(t)) == t;
    (at_midnight(since) && at_midnight(until)).then(|| zone.day_of(until) - zone.day_of(since))
}

/// The first local midnight of the month before the one starting at `t`.
fn month_before(t: i64, zone: &Zone) -> i64 {
    let (y, m, _) = time::civil_from_days(zone.day_of(t));
    let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    midnight(zone, time::days_from_civil(y, m, 1))
}

/// `yesterday`, `today` or `2026-11-09`: that local day.
fn day(s: &str, now: i64, zone: &Zone) -> Result<(i64, i64), String> {
    let today = zone.day_of(now);
    let d = match s.trim() {
        "today" => today,
        "yesterday" => today - 1,
        other => parse_date(other)
            .ok_or_else(|| format!("'{other}' is not yesterday, today or a date (2026-11-09)"))?,
    };
    Ok((midnight(zone, d), midnight(zone, d + 1)))
}

/// `last` (the last complete ISO week), `this`, or `2026-W45`: Monday to Monday, local.
fn week(s: &str, now: i64, zone: &Zone) -> Result<(i64, i64), String> {
    let today = zone.day_of(now);
    // 1970-01-01 was a Thursday: Monday is day 4 (mod 7) from it.
    let monday = today - (today - 4).rem_euclid(7);
    let start = match s.trim() {
        "this" => monday,
        "last" => monday - 7,
        other => {
            iso_week(other).ok_or_else(|| format!("'{other}' is not last, this or an ISO week (2026-W45)"))?
        }
    };
    Ok((midnight(zone, start), midnight(zone, start + 7)))
}

/// The Monday (a day number) of ISO week `YYYY-Www`.
fn iso_week(s: &str) -> Option<i64> {
    let (y, w) = s.split_once(['-'])?;
    let w = w.strip_prefix(['W', 'w'])?;
    let (year, week): (i64, i64) = (y.parse().ok()?, w.parse().ok()?);
    if !(1000..=9998).contains(&year) || !(1..=53).contains(&week) {
        return None;
    }
    // Week 1 holds January 4th.
    let jan4 = time::days_from_civil(year, 1, 4);
    let week1 = jan4 - (jan4 - 4).rem_euclid(7);
    let monday = week1 + (week - 1) * 7;
    // Week 53 exists only in years whose week 1 of the next year starts later.
    let next_jan4 = time::days_from_civil(year + 1, 1, 4);
    let next_week1 = next_jan4 - (next_jan4 - 4).rem_euclid(7);
    (monday < next_week1).then_some(monday)
}

/// `last`, `this`, or `2026-11`: that local month.
fn month(s: &str, now: i64, zone: &Zone) -> Result<(i64, i64), String> {
    let (y, m, _) = time::civil_from_days(zone.day_of(now));
    let (y, m) = match s.trim() {
        "this" => (y, m),
        "last" if m == 1 => (y - 1, 12),
        "last" => (y, m - 1),
        other => {
            let parsed = other.split_once('-').and_then(|(y, m)| {
                let (y, m): (i64, u32) = (y.parse().ok()?, m.parse().ok()?);
                ((1000..=9998).contains(&y) && (1..=12).contains(&m) && other.len() == 7).then_some((y, m))
            });
            parsed.ok_or_else(|| format!("'{other}' is not last, this or a month (2026-11)"))?
        }
    };
    let first = time::days_from_civil(y, m, 1);
    let next = if m == 12 { time::days_from_civil(y + 1, 1, 1) } else { time::days_from_civil(y, m + 1, 1) };
    Ok((midnight(zone, first), midnight(zone, next)))
}

fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (time::digits(&b[..4])?, time::digits(&b[5..7])?, time::digits(&b[8..])?);
    let y = i64::from(y);
    ((1..=12).contains(&m) && d >= 1 && d <= time::days_in_month(y, m))
        .then(|| time::days_from_civil(y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(f: impl FnOnce(&mut WindowArgs, &mut Zone)) -> Windows {
        let mut a = WindowArgs {
            since: None,
            until: None,
            day: None,
            week: None,
            month: None,
            now: Some("2026-11-30T06:00:00Z".into()),
            compare: None,
        };
        let mut zone = Zone::utc();
        f(&mut a, &mut zone);
        a.resolve(&zone).unwrap()
    }

    fn ymd(y: i64, m: u32, d: u32) -> i64 {
        time::days_from_civil(y, m, d) * 86_400
    }

    #[test]
    fn calendar_windows_in_utc() {
        // 2026-11-30 is a Monday: the last complete week is the 23rd to the 30th.
        let w = args(|a, _| a.week = Some("last".into()));
        assert_eq!(w.current, Window { since: Some(ymd(2026, 11, 23)), until: Some(ymd(2026, 11, 30)) });
        let w = args(|a, _| a.week = Some("2026-W45".into()));
        assert_eq!(w.current, Window { since: Some(ymd(2026, 11, 2)), until: Some(ymd(2026, 11, 9)) });
        let w = args(|a, _| a.week = Some("2020-W53".into()));
        assert_eq!(w.current.since, Some(ymd(2020, 12, 28)));
        let w = args(|a, _| a.day = Some("yesterday".into()));
        assert_eq!(w.current, Window { since: Some(ymd(2026, 11, 29)), until: Some(ymd(2026, 11, 30)) });
        let w = args(|a, _| a.month = Some("last".into()));
        assert_eq!(w.current, Window { since: Some(ymd(2026, 10, 1)), until: Some(ymd(2026, 11, 1)) });
    }

    #[test]
    fn a_week_that_does_not_exist_is_refused() {
        let mut a = WindowArgs {
            since: None,
            until: None,
            day: None,
            week: Some("2025-W53".into()),
            month: None,
            now: None,
            compare: None,
        };
        assert!(a.resolve(&Zone::utc()).is_err());
        a.week = Some("last week".into());
        assert!(a.resolve(&Zone::utc()).is_err());
    }

    #[test]
    fn the_previous_period() {
        let w = args(|a, _| {
            a.month = Some("2026-03".into());
            a.compare = Some(Compare::Previous);
        });
        assert_eq!(w.previous, Some((ymd(2026, 2, 1), ymd(2026, 3, 1))));
        let w = args(|a, _| {
            a.since = Some("7d".into());
            a.compare = Some(Compare::Previous);
        });
        let now = ymd(2026, 11, 30) + 6 * 3600;
        assert_eq!(w.current, Window { since: Some(now - 7 * 86_400), until: Some(now) });
        assert_eq!(w.previous, Some((now - 14 * 86_400, now - 7 * 86_400)));
    }

    #[test]
    fn a_week_in_a_zone_with_summer_time() {
        // Berlin leaves summer time on 2026-10-25: that week is 169 hours long.
        let w = args(|a, zone| {
            *zone = Zone::parse("Europe/Berlin").unwrap();
            a.week = Some("2026-W43".into());
            a.compare = Some(Compare::Previous);
        });
        let (s, u) = (w.current.since.unwrap(), w.current.until.unwrap());
        assert_eq!(s, ymd(2026, 10, 19) - 2 * 3600);
        assert_eq!(u - s, 7 * 86_400 + 3600);
        assert_eq!(w.previous, Some((ymd(2026, 10, 12) - 2 * 3600, s)));
    }

    /// An audit's case: London leaves summer time on 2026-10-25, 25 hours long. The day
    /// before 2026-10-26, asked for with dates, is all of that day, as `--day` takes it,
    /// not the 24 hours before (which lose its first hour); two days before two days.
    #[test]
    fn dates_compared_with_the_days_before_across_a_clock_change() {
        let london = |since: &str, until: &str| {
            args(|a, zone| {
                *zone = Zone::parse("Europe/London").unwrap();
                (a.since, a.until) = (Some(since.into()), Some(until.into()));
                a.compare = Some(Compare::Previous);
            })
        };
        let w = london("2026-10-26", "2026-10-27");
        assert_eq!(w.current, Window { since: Some(ymd(2026, 10, 26)), until: Some(ymd(2026, 10, 27)) });
        assert_eq!(w.previous, Some((ymd(2026, 10, 25) - 3600, ymd(2026, 10, 26))));
        let w = london("2026-10-26", "2026-10-28");
        assert_eq!(w.previous, Some((ymd(2026, 10, 24) - 3600, ymd(2026, 10, 26))));
        // A time of day is no date: the same length before.
        let w = london("2026-10-26T06:00:00Z", "2026-10-27T06:00:00Z");
        assert_eq!(w.previous, Some((ymd(2026, 10, 25) + 6 * 3600, ymd(2026, 10, 26) + 6 * 3600)));
    }
}
