//! Aggregates and their output formats.
//!
//! [`Aggregates`] counts classified visits (and the lines and preview fetches they came
//! from), kept mergeable: `a.merge(b)` equals one count over both inputs' visits, so
//! partial results (threads, files, workers of a distributed job) combine. Nothing here
//! decides a channel: classification happened before. [`Report`] turns aggregates into
//! rows; one [`Reporter`] per output format renders those rows.

mod bounds;
pub mod csv;
pub mod html;
pub mod json;
mod ledger;
pub mod markdown;
mod row_types;
mod rows;
pub mod table;
mod text;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use bounds::{Caps, Cut};
pub use ledger::{Ledger, Period};
pub use row_types::{
    change_pct, pct, ChannelPrev, ChannelRow, DayPrev, DayRow, Growth, Headline, InputSummary, PagePrev,
    PageRow, PageSeries, ReasonRow, RowKind, SharePrev, ShareRow, MIN_CACHED_RATE_SAMPLE,
};
pub use rows::{group_caveats, Previous, Report, ReportKind, Reporter};
pub use text::{format_local, thousands};

use crate::classify::{Channel, ClassifiedVisit, Exclusion, Outcome, Reason, ScraperRule};
use crate::time::Zone;

/// Where every line read went. `read` always equals the sum of the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCounts {
    pub read: u64,
    pub pageviews: u64,
    pub other_hits: u64,
    /// Archives, executables, source files…: fetched, not read.
    pub downloads: u64,
    /// Bots', link previews' and scrapers' lines.
    pub excluded: u64,
    /// Lines of visits with no browser evidence (see `Outcome::Unconfirmed`).
    pub unconfirmed: u64,
    pub outside_window: u64,
    /// Lines too far behind the log's time, or far ahead of their neighbours.
    pub out_of_order: u64,
    pub malformed: u64,
    /// Lines that are no request but tell how to read the others (W3C's `#Fields:`).
    #[serde(default)]
    pub directives: u64,
}

impl LineCounts {
    /// Not one line that counts: every line read was outside the window or malformed.
    pub fn no_line(&self) -> bool {
        self.read == self.outside_window + self.malformed
    }

    pub fn merge(&mut self, o: &LineCounts) {
        self.read += o.read;
        self.pageviews += o.pageviews;
        self.other_hits += o.other_hits;
        self.downloads += o.downloads;
        self.excluded += o.excluded;
        self.unconfirmed += o.unconfirmed;
        self.outside_window += o.outside_window;
        self.out_of_order += o.out_of_order;
        self.malformed += o.malformed;
        self.directives += o.directives;
    }

    pub fn balanced(&self) -> bool {
        self.read
            == self.pageviews
                + self.other_hits
                + self.downloads
                + self.excluded
                + self.unconfirmed
                + self.outside_window
                + self.out_of_order
                + self.malformed
                + self.directives
    }
}

impl VisitRow {
    /// The row of a visit that counts; `None` for one excluded or unconfirmed.
    pub fn of(cv: &ClassifiedVisit<'_>) -> Option<VisitRow> {
        let Outcome::Counted(verdict) = &cv.outcome else { return None };
        let v = &cv.visit;
        Some(VisitRow {
            start: v.start,
            visitor: crate::identity::format_id(v.visitor_id),
            landing: String::from_utf8_lossy(v.landing.target()).into_owned(),
            end: v.end,
            channel: verdict.channel,
            reason: verdict.reason,
            pageviews: v.pageviews,
            hits: v.hits,
            referrer_host: cv.referrer_host(),
            source: verdict.source.to_string(),
        })
    }
}

/// Lines a visit's judgement moves after they were counted as a reader's: a scraper's to
/// `excluded`, an unconfirmed visit's to `unconfirmed`. Kept apart (and applied by
/// [`Aggregates::line_counts`]) so that a partial result made of visits alone still merges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedLines {
    pub hits: u64,
    pub pageviews: u64,
    pub downloads: u64,
}

impl MovedLines {
    fn add(&mut self, v: &crate::classify::Visit) {
        self.hits += u64::from(v.hits);
        self.pageviews += u64::from(v.pageviews);
        self.downloads += u64::from(v.downloads);
    }

    fn merge(&mut self, o: &MovedLines) {
        self.hits += o.hits;
        self.pageviews += o.pageviews;
        self.downloads += o.downloads;
    }

    /// Takes these lines out of the reader's terms of `l`; returns how many it took (all
    /// of them, unless some of a visit's lines fell outside the window `l` counts).
    fn take_from(&self, l: &mut LineCounts) -> u64 {
        let mut taken = 0;
        let others = self.hits.saturating_sub(self.pageviews + self.downloads);
        for (term, n) in [
            (&mut l.pageviews, self.pageviews),
            (&mut l.downloads, self.downloads),
            (&mut l.other_hits, others),
        ] {
            let t = n.min(*term);
            *term -= t;
            taken += t;
        }
        taken
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

/// One classified visit, as the `visits` report prints it (ordered by start, then visitor).
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
    pub scraper_lines: MovedLines,
    /// Dark-social visits only the classic rule names (`deep-direct`).
    pub dark_inferred: Counter,
    /// Counted visits by the rule that decided them, in [`Reason::ORDER`]. (States saved
    /// before it was kept read as zeros.)
    #[serde(default)]
    pub reasons: [u64; Reason::ORDER.len()],
    /// Visits in a browser's name that behaved like machines, by [`ScraperRule`].
    pub scrapers: [Counter; ScraperRule::ALL.len()],
    /// Visits with no browser evidence, and their lines.
    pub unconfirmed: Counter,
    pub unconfirmed_lines: MovedLines,
    /// Of those, the ones whose landing was a deep page with no referrer: where readers
    /// with cached assets can hide among scrapers.
    pub unconfirmed_deep: u64,
    /// Visits an external referrer decided (the sample of the cached-reader rate), and how
    /// many of them loaded no asset.
    pub referred: u64,
    pub referred_assetless: u64,
    /// Landing path (without query) → visits landing there.
    #[serde(serialize_with = "crate::sorted::map")]
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
    /// How big the keyed tables may grow, and what their bounds cut.
    pub caps: Caps,
    pub cut: Cut,
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
    pub fn new() -> Aggregates {
        Aggregates::default()
    }

    pub fn with_caps(mut self, caps: Caps) -> Aggregates {
        self.caps = caps;
        self
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
                self.scraper_lines.add(v);
                return;
            }
            Outcome::Unconfirmed(verdict) => {
                self.unconfirmed.add(pageviews);
                self.unconfirmed_lines.add(v);
                self.count_referred(verdict.reason, v.assets);
                if matches!(verdict.reason, Reason::DeepDirect | Reason::Preview) {
                    self.unconfirmed_deep += 1;
                }
                return;
            }
            Outcome::Counted(verdict) => verdict,
        };
        self.count_referred(verdict.reason, v.assets);
        let path = cv.landing_path();
        if verdict.reason == Reason::Preview {
            self.share(path, &verdict.source).visits += 1;
        }
        let ch = verdict.channel;
        self.channels[ch.index()].add(pageviews);
        self.reasons[verdict.reason.index()] += 1;
        if verdict.reason == Reason::DeepDirect {
            self.dark_inferred.add(pageviews);
        }
        self.first_time = Some(self.first_time.map_or(v.start, |t| t.min(v.start)));
        self.last_time = Some(self.last_time.map_or(v.end, |t| t.max(v.end)));
        if self.pages.len() >= self.caps.pages && !self.pages.contains_key(path) {
            let (n, most) = crate::bounded::evict_quarter(&mut self.pages, |p| p.visits, |_, _| {});
            self.cut.pages += n;
            self.cut.page_error = self.cut.page_error.max(most);
        }
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
    }

    /// Whether counting `more` visits could reach a bound (landing pages, share counters):
    /// then the order they are counted in decides what the bound keeps.
    pub fn near_bounds(&self, more: usize) -> bool {
        self.pages.len().saturating_add(more) >= self.caps.pages
            || self.shares.len().saturating_add(more) >= self.caps.shares
    }

    /// A visit an external referrer decided is part of the sample the cached-reader rate
    /// is read from.
    fn count_referred(&mut self, reason: Reason, assets: u32) {
        if matches!(reason, Reason::ReferrerKnown | Reason::ReferrerOther) {
            self.referred += 1;
            self.referred_assetless += u64::from(assets == 0);
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
        if let Some(i) = self.shares.get_index_of(&ShareKey(path, app)) {
            return &mut self.shares[i];
        }
        if self.shares.len() >= self.caps.shares {
            let cutoff = crate::bounded::quarter_cutoff(self.shares.values().map(|c| c.fetches + c.visits));
            let before = self.shares.len();
            self.shares.retain(|_, c| c.fetches + c.visits > cutoff);
            self.shares.shrink_to_fit();
            self.cut.share_counters += (before - self.shares.len()) as u64;
            self.cut.share_error = self.cut.share_error.max(cutoff);
        }
        self.shares.entry((path.to_vec(), app.to_string())).or_default()
    }

    /// Adds another partial result: the same as having counted its visits here. By
    /// reference: a report's window adds each day's counts, and copying a day's keys to
    /// drop those it already holds was most of that work.
    pub fn merge(&mut self, o: &Aggregates) {
        debug_assert_eq!(self.zone, o.zone, "aggregates merged count days in one zone");
        self.lines.merge(&o.lines);
        for (a, b) in self.channels.iter_mut().zip(&o.channels) {
            a.merge(b);
        }
        self.bots.merge(&o.bots);
        self.previews.merge(&o.previews);
        self.dark_inferred.merge(&o.dark_inferred);
        for (a, b) in self.reasons.iter_mut().zip(&o.reasons) {
            *a += b;
        }
        self.scraper_lines.merge(&o.scraper_lines);
        for (a, b) in self.scrapers.iter_mut().zip(&o.scrapers) {
            a.merge(b);
        }
        self.unconfirmed.merge(&o.unconfirmed);
        self.unconfirmed_lines.merge(&o.unconfirmed_lines);
        self.unconfirmed_deep += o.unconfirmed_deep;
        self.referred += o.referred;
        self.referred_assetless += o.referred_assetless;
        for (k, p) in &o.pages {
            match self.pages.get_mut(k) {
                Some(e) => {
                    e.visits += p.visits;
                    e.dark_social += p.dark_social;
                    e.pageviews += p.pageviews;
                }
                None => {
                    self.pages.insert(k.clone(), *p);
                }
            }
        }
        for (&k, d) in &o.daily {
            let e = self.daily.entry(k).or_default();
            for (a, b) in e.channels.iter_mut().zip(d.channels) {
                *a += b;
            }
            e.pageviews += d.pageviews;
        }
        for (k, c) in &o.shares {
            match self.shares.get_mut(k) {
                Some(e) => {
                    e.shares += c.shares;
                    e.fetches += c.fetches;
                    e.visits += c.visits;
                }
                None => {
                    self.shares.insert(k.clone(), *c);
                }
            }
        }
        self.cut.merge(&o.cut);
        self.first_time = min_opt(self.first_time, o.first_time);
        self.last_time = self.last_time.max(o.last_time);
    }

    /// Where every line went: scrapers' lines moved to `excluded`, unconfirmed visits' to
    /// `unconfirmed`.
    pub fn line_counts(&self) -> LineCounts {
        let mut l = self.lines;
        l.excluded += self.scraper_lines.take_from(&mut l);
        l.unconfirmed += self.unconfirmed_lines.take_from(&mut l);
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
