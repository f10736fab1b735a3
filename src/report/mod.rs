//! Aggregates and their output formats.
//!
//! [`Aggregates`] counts classified visits (and the lines and preview fetches they came
//! from), kept mergeable: `a.merge(b)` equals one count over both inputs' visits, so
//! partial results (threads, files, workers of a distributed job) combine. Nothing here
//! decides a channel: classification happened before. [`Report`] turns aggregates into
//! rows; one [`Reporter`] per output format renders those rows.

pub mod csv;
pub mod json;
pub mod table;

use std::collections::BTreeMap;
use std::io::{self, Write};

use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::classify::{Channel, ClassifiedVisit, Exclusion, Outcome, Reason, ScraperRule};
use crate::time::{format_date, format_rfc3339};

/// Where every line read went. `read` always equals the sum of the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCounts {
    pub read: u64,
    pub pageviews: u64,
    pub other_hits: u64,
    pub excluded: u64,
    pub outside_window: u64,
    pub malformed: u64,
}

impl LineCounts {
    pub fn merge(&mut self, o: &LineCounts) {
        self.read += o.read;
        self.pageviews += o.pageviews;
        self.other_hits += o.other_hits;
        self.excluded += o.excluded;
        self.outside_window += o.outside_window;
        self.malformed += o.malformed;
    }

    pub fn balanced(&self) -> bool {
        self.read == self.pageviews + self.other_hits + self.excluded + self.outside_window + self.malformed
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
    /// UTC day number → visits per channel.
    pub daily: BTreeMap<i64, DayCounter>,
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
        let day = self.daily.entry(v.start.div_euclid(86_400)).or_default();
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

/// Which report to print (also the values of `--report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportKind {
    Summary,
    Channels,
    Pages,
    Daily,
    Visits,
    Shares,
}

impl ReportKind {
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Summary => "summary",
            ReportKind::Channels => "channels",
            ReportKind::Pages => "pages",
            ReportKind::Daily => "daily",
            ReportKind::Visits => "visits",
            ReportKind::Shares => "shares",
        }
    }
}

/// A percentage rounded to two decimals, as every format prints it.
pub fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10_000.0 / whole as f64).round() / 100.0
    }
}

/// The dark-social share as a range a marketer can defend: visits a signal names
/// (a share, a tag, an app, a messaging referrer) and visits only the classic rule infers
/// (no referrer on a deep page).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Headline {
    pub visits: u64,
    pub dark_social_visits: u64,
    pub dark_social_pct: f64,
    pub identified_visits: u64,
    pub identified_pct: f64,
    pub inferred_visits: u64,
    pub inferred_pct: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    /// The row's stable name (CSV and JSON).
    pub channel: String,
    /// The row's name for people (the table).
    #[serde(skip)]
    pub label: &'static str,
    pub visits: u64,
    /// `None` for excluded rows: they are not part of the share.
    pub visits_pct: Option<f64>,
    pub pageviews: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageRow {
    pub landing: String,
    pub dark_social_visits: u64,
    pub visits: u64,
    pub dark_social_pct: f64,
    pub pageviews: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    pub date: String,
    pub visits: u64,
    pub dark_social: u64,
    pub dark_social_pct: f64,
    pub pageviews: u64,
    /// Visits per channel, in [`Channel::ALL`] order.
    #[serde(skip)]
    pub channels: [u64; Channel::ALL.len()],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRow {
    pub landing: String,
    pub app: String,
    pub shares: u64,
    pub fetches: u64,
    pub visits: u64,
    pub visits_per_share: f64,
}

/// An input and how it was read, for the report's header and JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    pub name: String,
    pub format: Option<String>,
    pub gzip: bool,
    pub lines: u64,
    pub malformed: u64,
    pub error: Option<String>,
}

/// Aggregates plus what a reader needs to trust them.
pub struct Report {
    pub aggregates: Aggregates,
    pub inputs: Vec<InputSummary>,
    pub site_hosts: Vec<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub top: usize,
}

impl Report {
    pub fn headline(&self) -> Headline {
        let total = self.aggregates.human_visits();
        let dark = self.aggregates.channels[Channel::DarkSocial.index()].visits;
        let inferred = self.aggregates.dark_inferred.visits;
        Headline {
            visits: total,
            dark_social_visits: dark,
            dark_social_pct: pct(dark, total),
            identified_visits: dark - inferred,
            identified_pct: pct(dark - inferred, total),
            inferred_visits: inferred,
            inferred_pct: pct(inferred, total),
        }
    }

    pub fn channel_rows(&self) -> Vec<ChannelRow> {
        let a = &self.aggregates;
        let total = a.human_visits();
        let mut rows: Vec<ChannelRow> = Channel::ALL
            .iter()
            .map(|&c| {
                let k = a.channels[c.index()];
                ChannelRow {
                    channel: c.name().to_string(),
                    label: c.name(),
                    visits: k.visits,
                    visits_pct: Some(pct(k.visits, total)),
                    pageviews: k.pageviews,
                }
            })
            .collect();
        let scrapers = |rule: ScraperRule| a.scrapers[rule.index()];
        for (name, label, k) in [
            ("excluded:bots", "excluded: bots", a.bots),
            ("excluded:link-previews", "excluded: link previews", a.previews),
            (
                "excluded:scrapers-robots-txt",
                "excluded: asked for robots.txt",
                scrapers(ScraperRule::RobotsTxt),
            ),
            ("excluded:scrapers-too-fast", "excluded: too fast to read", scrapers(ScraperRule::TooFast)),
            (
                "excluded:scrapers-pages-only",
                "excluded: pages but no assets",
                scrapers(ScraperRule::PagesOnly),
            ),
        ] {
            rows.push(ChannelRow {
                channel: name.to_string(),
                label,
                visits: k.visits,
                visits_pct: None,
                pageviews: k.pageviews,
            });
        }
        // The dark-social row again, split into the range: these two add up to it.
        let dark = a.channels[Channel::DarkSocial.index()];
        let inferred = a.dark_inferred;
        for (name, label, visits, pageviews) in [
            (
                "dark-social:identified",
                "dark social, identified",
                dark.visits - inferred.visits,
                dark.pageviews - inferred.pageviews,
            ),
            ("dark-social:inferred", "dark social, inferred", inferred.visits, inferred.pageviews),
        ] {
            rows.push(ChannelRow {
                channel: name.to_string(),
                label,
                visits,
                visits_pct: Some(pct(visits, total)),
                pageviews,
            });
        }
        rows
    }

    /// Top landing pages by dark-social visits (ties by path), `top` of them.
    pub fn page_rows(&self) -> Vec<PageRow> {
        let mut pages: Vec<(&Vec<u8>, &PageCounter)> =
            self.aggregates.pages.iter().filter(|(_, p)| p.dark_social > 0).collect();
        pages.sort_by(|a, b| b.1.dark_social.cmp(&a.1.dark_social).then_with(|| a.0.cmp(b.0)));
        pages
            .into_iter()
            .take(self.top)
            .map(|(path, p)| PageRow {
                landing: String::from_utf8_lossy(path).into_owned(),
                dark_social_visits: p.dark_social,
                visits: p.visits,
                dark_social_pct: pct(p.dark_social, p.visits),
                pageviews: p.pageviews,
            })
            .collect()
    }

    pub fn day_rows(&self) -> Vec<DayRow> {
        self.aggregates
            .daily
            .iter()
            .map(|(&day, d)| {
                let visits = d.channels.iter().sum();
                let dark = d.channels[Channel::DarkSocial.index()];
                DayRow {
                    date: format_date(day),
                    visits,
                    dark_social: dark,
                    dark_social_pct: pct(dark, visits),
                    pageviews: d.pageviews,
                    channels: d.channels,
                }
            })
            .collect()
    }

    /// Shares by landing path and app: most shared first (ties by visits, path, app),
    /// `top` of them.
    pub fn share_rows(&self) -> Vec<ShareRow> {
        let mut rows: Vec<(&(Vec<u8>, String), &ShareCounter)> = self.aggregates.shares.iter().collect();
        rows.sort_by(|a, b| {
            (b.1.shares, b.1.visits).cmp(&(a.1.shares, a.1.visits)).then_with(|| a.0.cmp(b.0))
        });
        rows.into_iter()
            .take(self.top)
            .map(|((path, app), c)| ShareRow {
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

    /// Every visit, by start time then visitor.
    pub fn visit_rows(&self) -> Vec<&VisitRow> {
        let mut rows: Vec<&VisitRow> = self.aggregates.visits.iter().flatten().collect();
        rows.sort();
        rows
    }

    /// `12,345 lines read = 4,000 page views + …`: the line accounting in one sentence.
    pub fn accounting(&self) -> String {
        let l = &self.aggregates.line_counts();
        format!(
            "{} lines read = {} page views + {} other hits + {} excluded (bots, previews, scrapers) + {} outside the window + {} malformed",
            thousands(l.read),
            thousands(l.pageviews),
            thousands(l.other_hits),
            thousands(l.excluded),
            thousands(l.outside_window),
            thousands(l.malformed)
        )
    }

    pub fn period(&self) -> Option<(String, String)> {
        Some((format_rfc3339(self.aggregates.first_time?), format_rfc3339(self.aggregates.last_time?)))
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One output format. Each renders every report kind from the same rows.
pub trait Reporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()>;
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::classify::{Agent, OwnedLanding, Verdict, Visit};

    fn visit(start: i64, target: &str, referrer: Option<&str>) -> Visit {
        Visit {
            agent: Agent::Browser,
            visitor_id: start as u64,
            start,
            end: start + 60,
            pageviews: 2,
            hits: 5,
            assets: 3,
            robots: false,
            landing: OwnedLanding {
                target: target.as_bytes().to_vec(),
                referrer: referrer.map(|r| r.as_bytes().to_vec()),
                vhost: None,
                shared_by: None,
                returning: false,
            },
        }
    }

    fn counted(v: Visit, channel: Channel, source: &'static str, reason: Reason) -> ClassifiedVisit<'static> {
        ClassifiedVisit {
            visit: v,
            outcome: Outcome::Counted(Verdict { channel, source: Cow::Borrowed(source), reason }),
        }
    }

    fn excluded(v: Visit, why: Exclusion) -> ClassifiedVisit<'static> {
        ClassifiedVisit { visit: v, outcome: Outcome::Excluded(why) }
    }

    /// Classified as the rules would: the report only counts.
    fn sample() -> Vec<ClassifiedVisit<'static>> {
        vec![
            counted(visit(0, "/a/b", None), Channel::DarkSocial, "unknown", Reason::DeepDirect),
            counted(visit(100, "/", None), Channel::Direct, "none", Reason::FrontDirect),
            counted(
                visit(86_400 * 3, "/a/b?x=1", Some("https://www.google.com/")),
                Channel::Search,
                "google",
                Reason::ReferrerKnown,
            ),
            excluded(visit(86_400 * 4, "/c/d", None), Exclusion::Bot),
            excluded(visit(86_400 * 5, "/c/d", None), Exclusion::LinkPreview),
            counted(visit(86_400 * 5 + 7, "/c/d", None), Channel::DarkSocial, "unknown", Reason::DeepDirect),
            // A share-attributed visit.
            counted(visit(86_400 * 5 + 9, "/e/f", None), Channel::DarkSocial, "slack", Reason::Preview),
            // A scraper: asked for robots.txt.
            excluded(visit(86_400 * 6, "/g/h", None), Exclusion::Scraper(ScraperRule::RobotsTxt)),
        ]
    }

    #[test]
    fn merge_equals_one_run_over_both() {
        let all = sample();
        for split in 0..=all.len() {
            let mut whole = Aggregates::new(true);
            let (mut a, mut b) = (Aggregates::new(true), Aggregates::new(true));
            for (i, v) in all.iter().enumerate() {
                whole.count(v);
                if i < split {
                    a.count(v)
                } else {
                    b.count(v)
                }
            }
            // merge(b, a) too: the order of partial results does not matter.
            let mut ab = a.clone();
            ab.merge(b.clone());
            let mut ba = b;
            ba.merge(a);
            for m in [ab, ba] {
                let mut m = m;
                m.visits.as_mut().unwrap().sort();
                let mut w = whole.clone();
                w.visits.as_mut().unwrap().sort();
                assert_eq!(m, w, "split at {split}");
            }
        }
    }

    #[test]
    fn a_share_is_found_by_its_borrowed_key() {
        let mut a = Aggregates::new(false);
        a.preview_fetch(b"/a", "slack", 1);
        a.preview_fetch(b"/a", "slack", 0);
        a.preview_fetch(b"/a", "whatsapp", 1);
        assert_eq!(a.shares.len(), 2);
        assert_eq!(a.shares.get_index_of(&ShareKey(b"/a", "slack")), Some(0), "found without a copy");
        assert_eq!(a.shares[&(b"/a".to_vec(), "slack".to_string())].fetches, 2);
        assert_eq!(a.shares[&(b"/a".to_vec(), "slack".to_string())].shares, 1);
    }

    #[test]
    fn rows_and_shares() {
        let mut a = Aggregates::new(false);
        for v in sample() {
            a.count(&v);
        }
        let r =
            Report { aggregates: a, inputs: vec![], site_hosts: vec![], since: None, until: None, top: 10 };
        let h = r.headline();
        assert_eq!((h.dark_social_visits, h.visits, h.dark_social_pct), (3, 5, 60.0));
        assert_eq!((h.identified_visits, h.inferred_visits), (1, 2));
        let ch = r.channel_rows();
        assert_eq!(
            ch[0],
            ChannelRow {
                channel: "dark-social".into(),
                label: "dark-social",
                visits: 3,
                visits_pct: Some(60.0),
                pageviews: 6
            }
        );
        assert_eq!(ch[8].channel, "excluded:bots");
        assert_eq!(ch[9].visits, 1);
        assert_eq!((ch[10].channel.as_str(), ch[10].visits), ("excluded:scrapers-robots-txt", 1));
        assert_eq!(r.share_rows()[0].visits, 1);
        let pages = r.page_rows();
        assert_eq!(pages.iter().map(|p| p.landing.as_str()).collect::<Vec<_>>(), ["/a/b", "/c/d", "/e/f"]);
        assert_eq!(pages[0].visits, 2);
        assert_eq!(r.day_rows().len(), 3);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
