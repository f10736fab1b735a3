//! The long lists of a report: pages, days, link-preview shares and visits, each beside
//! the period before when one is compared.

use std::collections::BTreeMap;
use std::io;

use super::super::row_types::*;
use super::super::{Aggregates, DayCounter, Ledger, PageCounter, Period, ShareCounter, VisitRow};
use super::*;

impl Report {
    /// Top landing pages by dark-social visits (ties by path), `top` of them.
    pub fn page_rows(&self) -> Vec<PageRow> {
        let mut pages: Vec<(&Vec<u8>, &PageCounter)> =
            self.aggregates.pages.iter().filter(|(_, p)| p.dark_social > 0).collect();
        pages.sort_by(|a, b| b.1.dark_social.cmp(&a.1.dark_social).then_with(|| a.0.cmp(b.0)));
        let total = self.aggregates.human_visits();
        let before = self.previous.as_ref().map(|p| &p.aggregates.pages);
        pages
            .into_iter()
            .take(self.limit())
            .map(|(path, p)| PageRow {
                landing: String::from_utf8_lossy(path).into_owned(),
                dark_social_visits: p.dark_social,
                visits: p.visits,
                dark_social_pct: pct(p.dark_social, p.visits),
                pageviews: p.pageviews,
                share_of_visits_pct: pct(p.dark_social, total),
                prev: before.map(|pages| {
                    let b = pages.get(path).copied().unwrap_or_default();
                    PagePrev {
                        dark_social_visits_prev: b.dark_social,
                        visits_prev: b.visits,
                        dark_social_visits_change_pct: change_pct(p.dark_social, b.dark_social),
                    }
                }),
            })
            .collect()
    }

    /// Visits per day that had any; with `--compare previous`, every day of the window,
    /// each beside the day as far into the period before.
    pub fn day_rows(&self) -> Vec<DayRow> {
        let row = |day: i64, d: &DayCounter| {
            let visits = d.channels.iter().sum();
            let dark = d.channels[Channel::DarkSocial.index()];
            DayRow {
                date: format_date(day),
                visits,
                dark_social: dark,
                dark_social_pct: pct(dark, visits),
                pageviews: d.pageviews,
                channels: d.channels,
                prev: None,
            }
        };
        let a = &self.aggregates;
        let (Some(p), Some(since), Some(until)) = (&self.previous, self.since, self.until) else {
            return a.daily.iter().map(|(&day, d)| row(day, d)).collect();
        };
        let zone = &a.zone;
        let (first, last) = (zone.day_of(since), zone.day_of(until - 1));
        let (prev_first, prev_last) = (zone.day_of(p.since), zone.day_of(p.until.unwrap_or(since) - 1));
        let empty = DayCounter::default();
        // The window's days, paired with the previous period's, from the first to the last
        // day either holds: a window reaching far back (`--since 100000d`) would list
        // every empty day of it.
        let held = |daily: &BTreeMap<i64, DayCounter>, start: i64, end: i64| {
            let mut days = daily.range(start..=end).map(|(&d, _)| d - start);
            let first = days.next()?;
            Some((first, days.next_back().unwrap_or(first)))
        };
        let spans = [held(&a.daily, first, last), held(&p.aggregates.daily, prev_first, prev_last)];
        let Some((from, to)) = spans.into_iter().flatten().reduce(|x, y| (x.0.min(y.0), x.1.max(y.1))) else {
            return Vec::new();
        };
        (from..=to)
            .map(|i| {
                let mut r = row(first + i, a.daily.get(&(first + i)).unwrap_or(&empty));
                let day = prev_first + i;
                r.prev = Some((day <= prev_last).then(|| {
                    let b = row(day, p.aggregates.daily.get(&day).unwrap_or(&empty));
                    DayPrev {
                        date: b.date,
                        visits: b.visits,
                        dark_social: b.dark_social,
                        dark_social_pct: b.dark_social_pct,
                        visits_change_pct: change_pct(r.visits, b.visits),
                    }
                }));
                r
            })
            .collect()
    }

    /// The daily table's compared column: each day is compared with the day as many days
    /// back as the window is long, which the header says (the date alone would not).
    pub fn daily_before_header(&self) -> String {
        let back = match (&self.previous, self.since) {
            (Some(p), Some(since)) => {
                self.aggregates.zone.day_of(since) - self.aggregates.zone.day_of(p.since)
            }
            _ => 0,
        };
        match back {
            1 => "visits the day before".into(),
            n if n > 1 => format!("visits {n} days before"),
            _ => "visits before".into(),
        }
    }

    /// Shares by landing path and app: most shared first (ties by visits, path, app),
    /// `top` of them.
    pub fn share_rows(&self) -> Vec<ShareRow> {
        let mut rows: Vec<(&(Vec<u8>, String), &ShareCounter)> = self.aggregates.shares.iter().collect();
        rows.sort_by(|a, b| {
            (b.1.shares, b.1.visits).cmp(&(a.1.shares, a.1.visits)).then_with(|| a.0.cmp(b.0))
        });
        let before = self.previous.as_ref().map(|p| &p.aggregates.shares);
        rows.into_iter()
            .take(self.limit())
            .map(|((path, app), c)| ShareRow {
                prev: before.map(|shares| {
                    let b = shares.get(&(path.clone(), app.clone())).copied().unwrap_or_default();
                    SharePrev {
                        shares_prev: b.shares,
                        visits_prev: b.visits,
                        shares_change_pct: change_pct(c.shares, b.shares),
                    }
                }),
                landing: String::from_utf8_lossy(path).into_owned(),
                app: app.clone(),
                shares: c.shares,
                fetches: c.fetches,
                visits: c.visits,
                visits_per_share: if c.shares == 0 {
                    0.0
                } else {
                    (c.visits as f64 * 100.0 / c.shares as f64).round() / 100.0
                },
            })
            .collect()
    }

    /// Every visit of the window, by start time then visitor, handed to `each` one at a
    /// time (the rows come from a file: the run did not hold them). They can be read once.
    /// The run reads, and spools, visits from before the window too (they decide returns
    /// and shares): a visit is in the window where it starts, as the aggregates count it.
    pub fn each_visit(&self, mut each: impl FnMut(&VisitRow) -> io::Result<()>) -> io::Result<()> {
        let Some(mut rows) = self.visits.borrow_mut().take() else { return Ok(()) };
        let inside = |t: i64| self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u);
        for row in rows.iter() {
            let row = row?;
            if inside(row.start) {
                each(&row)?;
            }
        }
        Ok(())
    }
}

/// Daily dark-social visits of the window's top pages, from the ledger's periods.
pub(super) fn page_series(
    ledger: &Ledger,
    window: &Aggregates,
    since: Option<i64>,
    until: Option<i64>,
) -> PageSeries {
    let mut top: Vec<(&Vec<u8>, u64)> =
        window.pages.iter().filter(|(_, p)| p.dark_social > 0).map(|(k, p)| (k, p.dark_social)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    top.truncate(SERIES_PAGES);
    let zone = ledger.zone();
    let inside: Vec<&Period> = ledger
        .periods()
        .iter()
        .filter(|p| since.is_none_or(|s| p.start >= s) && until.is_none_or(|u| p.start < u))
        .collect();
    let (Some(first), Some(last)) = (inside.first(), inside.last()) else { return PageSeries::default() };
    let first_day = zone.day_of(first.start);
    let days = (zone.day_of(last.start) - first_day + 1) as usize;
    let mut by_page: rustc_hash::FxHashMap<Vec<u8>, Vec<u64>> =
        top.iter().map(|(k, _)| ((*k).clone(), vec![0; days])).collect();
    for p in inside {
        let i = (zone.day_of(p.start) - first_day) as usize;
        for (path, series) in by_page.iter_mut() {
            if let Some(c) = p.aggregates.pages.get(path) {
                series[i] += c.dark_social;
            }
        }
    }
    PageSeries { first_day, days, by_page }
}
