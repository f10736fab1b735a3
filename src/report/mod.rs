//! Aggregates and their output formats.
//!
//! [`Aggregates`] counts classified visits (and the lines and preview fetches they came
//! from), kept mergeable: `a.merge(b)` equals one count over both inputs' visits, so
//! partial results (threads, files, workers of a distributed job) combine. Nothing here
//! decides a channel: classification happened before. [`Report`] turns aggregates into
//! rows; one [`Reporter`] per output format renders those rows.

pub mod csv;
pub mod json;
mod rows;
pub mod table;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use rows::{
    pct, thousands, ChannelRow, DayRow, Headline, InputSummary, PageRow, Report, ReportKind, Reporter,
    ShareRow,
};

use crate::classify::{Channel, ClassifiedVisit, Exclusion, Outcome, Reason, ScraperRule};
use crate::time::Zone;

/// Where every line read went. `read` always equals the sum of the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCounts {
    pub read: u64,
    pub pageviews: u64,
    pub other_hits: u64,
    pub excluded: u64,
    pub outside_window: u64,
    pub malformed: u64,
    /// Lines that are no request but tell how to read the others (W3C's `#Fields:`).
    #[serde(default)]
    pub directives: u64,
}

impl LineCounts {
    pub fn merge(&mut self, o: &LineCounts) {
        self.read += o.read;
        self.pageviews += o.pageviews;
        self.other_hits += o.other_hits;
        self.excluded += o.excluded;
        self.outside_window += o.outside_window;
        self.malformed += o.malformed;
        self.directives += o.directives;
    }

    pub fn balanced(&self) -> bool {
        self.read
            == self.pageviews
                + self.other_hits
                + self.excluded
                + self.outside_window
                + self.malformed
                + self.directives
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub visits: u64,
    pub pageviews: u64,
}

impl Counter {
    fn add(&mut self, pageviews: u64) {
        self.visits += 1;
        self.pageviews += pageviews;
    }

    fn merge(&mut self, o: &Counter) {
        self.visits += o.visits;
        self.pageviews += o.pageviews;
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCounter {
    pub visits: u64,
    pub dark_social: u64,
    pub pageviews: u64,
}

/// Shares of one landing path through one app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareCounter {
    /// Preview fetches, bursts counted once.
    pub shares: u64,
    /// Every preview fetch.
    pub fetches: u64,
    /// Visits attributed to these shares.
    pub visits: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounter {
    pub channels: [u64; Channel::ALL.len()],
    pub pageviews: u64,
}

/// One classified visit, as the `visits` report prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VisitRow {
    pub start: i64,
    pub visitor: String,
    pub landing: String,
    pub end: i64,
    pub channel: Channel,
    pub source: String,
    pub reason: Reason,
    pub pageviews: u32,
    pub hits: u32,
    pub referrer_host: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregates {
    pub lines: LineCounts,
    pub channels: [Counter; Channel::ALL.len()],
    pub bots: Counter,
    pub previews: Counter,
    /// Lines of visits judged scrapers, counted as a reader's when they came.
    pub scraper_hits: u64,
    pub scraper_pageviews: u64,
    /// Dark-social visits only the classic rule names (`deep-direct`).
    pub dark_inferred: Counter,
    /// Visits in a browser's name that behaved like machines, by [`ScraperRule`].
    pub scrapers: [Counter; ScraperRule::ALL.len()],
    /// Landing path (without query) → visits landing there.
    pub pages: FxHashMap<Vec<u8>, PageCounter>,
    /// Day number in `zone` → visits per channel.
    pub daily: BTreeMap<i64, DayCounter>,
    /// The zone a visit's day is counted in (the day it started, there).
    #[serde(default)]
    pub zone: Zone,
    /// (landing path, app) → link-preview shares and the visits they brought.
    /// (An `IndexMap` for its lookups by a borrowed key: one runs for every preview
    /// fetch, and copying the path for it was most of its cost. Order plays no part.)
    pub shares: IndexMap<(Vec<u8>, String), ShareCounter, rustc_hash::FxBuildHasher>,
    /// Every visit, when the `visits` report asked for them.
    pub visits: Option<Vec<VisitRow>>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
}

/// A share's key, borrowed: it hashes as the owned `(Vec<u8>, String)` does (a `Vec<u8>`
/// hashes as its slice, a `String` as its `str`, a tuple as its fields in order).
#[derive(Hash)]
struct ShareKey<'a>(&'a [u8], &'a str);

impl indexmap::Equivalent<(Vec<u8>, String)> for ShareKey<'_> {
    fn equivalent(&self, key: &(Vec<u8>, String)) -> bool {
        self.0 == key.0.as_slice() && self.1 == key.1
    }
}

impl Aggregates {
    pub fn new(keep_visits: bool) -> Aggregates {
        Aggregates { visits: keep_visits.then(Vec::new), ..Aggregates::default() }
    }

    /// These aggregates, counting days in `zone`.
    pub fn in_zone(self, zone: Zone) -> Aggregates {
        Aggregates { zone, ..self }
    }

    /// Counts a classified visit.
    pub fn count(&mut self, cv: &ClassifiedVisit<'_>) {
        let v = &cv.visit;
        let pageviews = u64::from(v.pageviews);
        let verdict = match &cv.outcome {
            Outcome::Excluded(Exclusion::Bot) => return self.bots.add(pageviews),
            Outcome::Excluded(Exclusion::LinkPreview) => return self.previews.add(pageviews),
            Outcome::Excluded(Exclusion::Scraper(rule)) => {
                self.scrapers[rule.index()].add(pageviews);
                // Its lines were counted as a reader's when they came: they are excluded.
                // Kept apart (and applied by `line_counts`) so a partial result made of
                // visits alone still merges.
                self.scraper_hits += u64::from(v.hits);
                self.scraper_pageviews += pageviews;
                return;
            }
            Outcome::Counted(verdict) => verdict,
        };
        let path = cv.landing_path();
        if verdict.reason == Reason::Preview {
            self.share(path, &verdict.source).visits += 1;
        }
        let ch = verdict.channel;
        self.channels[ch.index()].add(pageviews);
        if verdict.reason == Reason::DeepDirect {
            self.dark_inferred.add(pageviews);
        }
        self.first_time = Some(self.first_time.map_or(v.start, |t| t.min(v.start)));
        self.last_time = Some(self.last_time.map_or(v.end, |t| t.max(v.end)));
        let page = match self.pages.get_mut(path) {
            Some(p) => p,
            None => self.pages.entry(path.to_vec()).or_default(),
        };
        page.visits += 1;
        page.pageviews += pageviews;
        page.dark_social += u64::from(ch == Channel::DarkSocial);
        let day = self.daily.entry(self.zone.day_of(v.start)).or_default();
        day.channels[ch.index()] += 1;
        day.pageviews += pageviews;
        if let Some(visits) = &mut self.visits {
            visits.push(VisitRow {
                start: v.start,
                visitor: crate::identity::format_id(v.visitor_id),
                landing: String::from_utf8_lossy(&v.landing.target).into_owned(),
                end: v.end,
                channel: ch,
                reason: verdict.reason,
                pageviews: v.pageviews,
                hits: v.hits,
                referrer_host: cv.referrer_host(),
                source: verdict.source.to_string(),
            });
        }
    }

    /// A link-preview fetch of `path` by `app`; `new_shares` is how it changed the number
    /// of shares (see `ShareLog::record`).
    pub fn preview_fetch(&mut self, path: &[u8], app: &str, new_shares: i64) {
        let share = self.share(path, app);
        share.fetches += 1;
        share.shares = share.shares.saturating_add_signed(new_shares);
    }

    /// The share counter of a landing path and app.
    fn share(&mut self, path: &[u8], app: &str) -> &mut ShareCounter {
        match self.shares.get_index_of(&ShareKey(path, app)) {
            Some(i) => &mut self.shares[i],
            None => self.shares.entry((path.to_vec(), app.to_string())).or_default(),
        }
    }

    /// Adds another partial result: the same as having counted its visits here.
    pub fn merge(&mut self, o: Aggregates) {
        debug_assert_eq!(self.zone, o.zone, "aggregates merged count days in one zone");
        self.lines.merge(&o.lines);
        for (a, b) in self.channels.iter_mut().zip(&o.channels) {
            a.merge(b);
        }
        self.bots.merge(&o.bots);
        self.previews.merge(&o.previews);
        self.dark_inferred.merge(&o.dark_inferred);
        self.scraper_hits += o.scraper_hits;
        self.scraper_pageviews += o.scraper_pageviews;
        for (a, b) in self.scrapers.iter_mut().zip(&o.scrapers) {
            a.merge(b);
        }
        for (k, p) in o.pages {
            let e = self.pages.entry(k).or_default();
            e.visits += p.visits;
            e.dark_social += p.dark_social;
            e.pageviews += p.pageviews;
        }
        for (k, d) in o.daily {
            let e = self.daily.entry(k).or_default();
            for (a, b) in e.channels.iter_mut().zip(d.channels) {
                *a += b;
            }
            e.pageviews += d.pageviews;
        }
        for (k, c) in o.shares {
            let e = self.shares.entry(k).or_default();
            e.shares += c.shares;
            e.fetches += c.fetches;
            e.visits += c.visits;
        }
        match (&mut self.visits, o.visits) {
            (Some(a), Some(b)) => a.extend(b),
            (slot @ None, Some(b)) => *slot = Some(b),
            _ => {}
        }
        self.first_time = min_opt(self.first_time, o.first_time);
        self.last_time = self.last_time.max(o.last_time);
    }

    /// Where every line went, scrapers' lines moved to `excluded`.
    pub fn line_counts(&self) -> LineCounts {
        let mut l = self.lines;
        let (hits, pageviews) = (self.scraper_hits, self.scraper_pageviews);
        l.pageviews = l.pageviews.saturating_sub(pageviews);
        l.other_hits = l.other_hits.saturating_sub(hits.saturating_sub(pageviews));
        l.excluded += hits;
        l
    }

    pub fn human_visits(&self) -> u64 {
        self.channels.iter().map(|c| c.visits).sum()
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests;
