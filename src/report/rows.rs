//! Aggregates as rows: what every output format prints, computed once.

use std::io::{self, Write};

use serde::Serialize;

use super::{Aggregates, DayCounter, PageCounter, ShareCounter, VisitRow};
use crate::classify::{Channel, Reason, ScraperRule};
use crate::time::{format_date, format_rfc3339};

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
/// (a share, a tag, an app, a messaging referrer); plus visits only the classic rule
/// infers (no referrer on a deep page) that show browser evidence; plus an estimate of the
/// readers whose assets were all cached, which the evidence rule set aside with the
/// scrapers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Headline {
    pub visits: u64,
    pub dark_social_visits: u64,
    pub dark_social_pct: f64,
    pub identified_visits: u64,
    pub identified_pct: f64,
    pub inferred_visits: u64,
    pub inferred_pct: f64,
    /// Readers with cached assets estimated among the unconfirmed no-referrer deep
    /// landings (0 when there is no estimate).
    pub estimated_visits: u64,
    /// Visits with the readers whose assets were cached estimated back, in every channel
    /// (as many as r says of the visits with evidence, at most the unconfirmed visits):
    /// what the range's shares are shares of.
    pub visits_with_estimate: u64,
    /// The asset-less share of visits an external referrer confirms: how often a real
    /// reader's assets were all cached. `None` when the sample is too small.
    pub cached_rate: Option<f64>,
    pub cached_rate_sample: u64,
    /// The range: identified only, and everything with the estimate, as shares of
    /// `visits_with_estimate`.
    pub range_low_pct: f64,
    pub range_high_pct: f64,
    /// Whether visits needed browser evidence to count (where browsers here load assets).
    pub browser_evidence_required: bool,
}

/// Visits an external referrer decided that the cached-reader rate needs before anything
/// is estimated from it.
pub const MIN_CACHED_RATE_SAMPLE: u64 = 200;

/// What a row of the channel table is: a channel (these add up to the visits), an
/// excluded kind of traffic (not visits), or a part of the dark-social row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowKind {
    Channel,
    Excluded,
    Part,
}

impl RowKind {
    pub fn name(self) -> &'static str {
        match self {
            RowKind::Channel => "channel",
            RowKind::Excluded => "excluded",
            RowKind::Part => "part",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    /// The row's stable name (CSV and JSON).
    pub channel: String,
    /// The row's name for people (the table).
    #[serde(skip)]
    pub label: &'static str,
    /// A shorter name, for narrow tables.
    #[serde(skip)]
    pub short: &'static str,
    pub visits: u64,
    /// `None` for excluded rows: they are not part of the share.
    pub visits_pct: Option<f64>,
    pub pageviews: u64,
    pub kind: RowKind,
    /// With `--compare previous`: the same row in the period before.
    #[serde(flatten)]
    pub prev: Option<ChannelPrev>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChannelPrev {
    pub visits_prev: u64,
    pub visits_pct_prev: Option<f64>,
    /// `None` when there were none before (no percentage of nothing).
    pub visits_change_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageRow {
    pub landing: String,
    pub dark_social_visits: u64,
    pub visits: u64,
    pub dark_social_pct: f64,
    pub pageviews: u64,
    /// Its dark-social visits as a share of all the site's visits.
    pub share_of_visits_pct: f64,
    #[serde(flatten)]
    pub prev: Option<PagePrev>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PagePrev {
    pub dark_social_visits_prev: u64,
    pub visits_prev: u64,
    pub dark_social_visits_change_pct: Option<f64>,
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
    /// With `--compare previous`: the day as far into the period before (`None` past its
    /// end: a month can be longer than the one before).
    #[serde(skip)]
    pub prev: Option<Option<DayPrev>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPrev {
    pub date: String,
    pub visits: u64,
    pub dark_social: u64,
    pub dark_social_pct: f64,
    pub visits_change_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRow {
    pub landing: String,
    pub app: String,
    pub shares: u64,
    pub fetches: u64,
    pub visits: u64,
    pub visits_per_share: f64,
    #[serde(flatten)]
    pub prev: Option<SharePrev>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SharePrev {
    pub shares_prev: u64,
    pub visits_prev: u64,
    pub shares_change_pct: Option<f64>,
}

/// How many visits one rule decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonRow {
    pub reason: &'static str,
    pub visits: u64,
    pub visits_pct: f64,
    #[serde(skip)]
    pub description: &'static str,
}

/// A page whose dark-social visits grew against the period before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    pub landing: String,
    pub dark_social_visits: u64,
    pub dark_social_visits_prev: u64,
    pub change: u64,
}

/// The change from `prev` to `now` in percent, two decimals; `None` from nothing.
pub fn change_pct(now: u64, prev: u64) -> Option<f64> {
    (prev > 0).then(|| ((now as f64 - prev as f64) * 10_000.0 / prev as f64).round() / 100.0)
}

/// Daily dark-social visits of the top landing pages, for sparklines: day `first_day + i`
/// is `by_page[path][i]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageSeries {
    pub first_day: i64,
    pub days: usize,
    pub by_page: rustc_hash::FxHashMap<Vec<u8>, Vec<u64>>,
}

/// Pages that get a series: the most shown at once by anything that draws them.
const SERIES_PAGES: usize = 100;

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
    /// Whether a visit needed browser evidence (an asset) to count as a reader.
    pub evidence_required: bool,
    /// The rows of the visits report, when it was asked for.
    pub visits: std::cell::RefCell<Option<crate::run::VisitRows>>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// The period before the window, to compare with (`--compare previous`).
    pub previous: Option<Previous>,
    /// Rows of the pages and shares reports; 0 is all of them.
    pub top: usize,
    /// The `--rules` file, for the reader of a report to know how it was made.
    pub rules_file: Option<String>,
    /// Daily dark-social visits of the top pages (the HTML's sparklines).
    pub series: PageSeries,
}

/// The period a report is compared with, and what was counted in it.
pub struct Previous {
    pub since: i64,
    pub until: Option<i64>,
    pub aggregates: Aggregates,
}

impl Report {
    /// The report of the window `[since, until)` (open bounds: everything), and of the
    /// period `previous` before it, from what `ledger` counted. The rest (inputs, site,
    /// visit rows) is filled in by the caller.
    pub fn of(
        ledger: &super::Ledger,
        since: Option<i64>,
        until: Option<i64>,
        previous: Option<(i64, i64)>,
    ) -> Report {
        let aggregates = ledger.window(since, until);
        let series = page_series(ledger, &aggregates, since, until);
        Report {
            aggregates,
            series,
            rules_file: None,
            inputs: Vec::new(),
            site_hosts: Vec::new(),
            evidence_required: true,
            visits: std::cell::RefCell::new(None),
            since,
            until,
            previous: previous.map(|(s, u)| Previous {
                since: s,
                until: Some(u),
                aggregates: ledger.window(Some(s), Some(u)),
            }),
            top: 10,
        }
    }

    pub fn headline(&self) -> Headline {
        headline_of(&self.aggregates, self.evidence_required)
    }

    /// The headline of the period before, with `--compare previous`.
    pub fn headline_prev(&self) -> Option<Headline> {
        self.previous.as_ref().map(|p| headline_of(&p.aggregates, self.evidence_required))
    }

    pub fn channel_rows(&self) -> Vec<ChannelRow> {
        let mut rows = channel_rows_of(&self.aggregates, &self.headline());
        if let Some(p) = &self.previous {
            let before = channel_rows_of(&p.aggregates, &headline_of(&p.aggregates, self.evidence_required));
            for (r, b) in rows.iter_mut().zip(before) {
                r.prev = Some(ChannelPrev {
                    visits_prev: b.visits,
                    visits_pct_prev: b.visits_pct,
                    visits_change_pct: change_pct(r.visits, b.visits),
                });
            }
        }
        rows
    }

    /// `top` rows of `rows`, or all of them when `top` is 0.
    fn limit(&self) -> usize {
        if self.top == 0 {
            usize::MAX
        } else {
            self.top
        }
    }

    /// Visits by the rule that decided them, in the order the rules are tried.
    pub fn reason_rows(&self) -> Vec<ReasonRow> {
        let total = self.aggregates.human_visits();
        Reason::ORDER
            .iter()
            .map(|&r| {
                let n = self.aggregates.reasons[r.index()];
                ReasonRow {
                    reason: r.id(),
                    visits: n,
                    visits_pct: pct(n, total),
                    description: r.description(),
                }
            })
            .collect()
    }

    /// With `--compare previous`: the pages whose dark-social visits grew most (at most
    /// `n`, most first, ties by path).
    pub fn growing_pages(&self, n: usize) -> Vec<Growth> {
        let Some(p) = &self.previous else { return Vec::new() };
        let mut grown: Vec<Growth> = self
            .aggregates
            .pages
            .iter()
            .filter_map(|(path, now)| {
                let before = p.aggregates.pages.get(path).map_or(0, |b| b.dark_social);
                (now.dark_social > before).then(|| Growth {
                    landing: String::from_utf8_lossy(path).into_owned(),
                    dark_social_visits: now.dark_social,
                    dark_social_visits_prev: before,
                    change: now.dark_social - before,
                })
            })
            .collect();
        grown.sort_by(|a, b| b.change.cmp(&a.change).then_with(|| a.landing.cmp(&b.landing)));
        grown.truncate(n);
        grown
    }
}

fn headline_of(a: &Aggregates, evidence_required: bool) -> Headline {
    let total = a.human_visits();
    let dark = a.channels[Channel::DarkSocial.index()].visits;
    let inferred = a.dark_inferred.visits;
    let sample = a.referred;
    let rate = (sample >= MIN_CACHED_RATE_SAMPLE).then(|| a.referred_assetless as f64 / sample as f64);
    // Cached readers are to the readers with evidence as r is to 1 - r; never more than
    // the unconfirmed visits there are, so a scraper farm cannot inflate it.
    let cached = |with_evidence: u64, at_most: u64| match rate {
        Some(r) if r < 1.0 => ((with_evidence as f64 * r / (1.0 - r)).round() as u64).min(at_most),
        Some(_) => at_most,
        None => 0,
    };
    let estimated = cached(dark, a.unconfirmed_deep);
    let with_estimate = total + cached(total, a.unconfirmed.visits);
    Headline {
        visits: total,
        dark_social_visits: dark,
        dark_social_pct: pct(dark, total),
        identified_visits: dark - inferred,
        identified_pct: pct(dark - inferred, total),
        inferred_visits: inferred,
        inferred_pct: pct(inferred, total),
        estimated_visits: estimated,
        visits_with_estimate: with_estimate,
        cached_rate: rate.map(|r| (r * 10_000.0).round() / 10_000.0),
        cached_rate_sample: sample,
        range_low_pct: pct(dark - inferred, with_estimate),
        range_high_pct: pct(dark + estimated, with_estimate),
        browser_evidence_required: evidence_required,
    }
}

fn channel_rows_of(a: &Aggregates, headline: &Headline) -> Vec<ChannelRow> {
    let total = a.human_visits();
    let mut rows: Vec<ChannelRow> = Channel::ALL
        .iter()
        .map(|&c| {
            let k = a.channels[c.index()];
            ChannelRow {
                channel: c.name().to_string(),
                kind: RowKind::Channel,
                label: c.name(),
                short: c.name(),
                visits: k.visits,
                visits_pct: Some(pct(k.visits, total)),
                pageviews: k.pageviews,
                prev: None,
            }
        })
        .collect();
    let scrapers = |rule: ScraperRule| a.scrapers[rule.index()];
    for (name, label, short, k) in [
        ("excluded:bots", "excluded: bots", "x bots", a.bots),
        ("excluded:link-previews", "excluded: link previews", "x previews", a.previews),
        (
            "excluded:scrapers-robots-txt",
            "excluded: asked for robots.txt",
            "x robots.txt",
            scrapers(ScraperRule::RobotsTxt),
        ),
        (
            "excluded:scrapers-too-fast",
            "excluded: too fast to read",
            "x too fast",
            scrapers(ScraperRule::TooFast),
        ),
        ("excluded:no-browser-evidence", "excluded: no browser evidence", "x no evidence", a.unconfirmed),
    ] {
        rows.push(ChannelRow {
            channel: name.to_string(),
            kind: RowKind::Excluded,
            label,
            short,
            visits: k.visits,
            visits_pct: None,
            pageviews: k.pageviews,
            prev: None,
        });
    }
    // The dark-social row again, split into the range: these two add up to it.
    let dark = a.channels[Channel::DarkSocial.index()];
    let inferred = a.dark_inferred;
    for (name, label, short, visits, pageviews) in [
        (
            "dark-social:identified",
            "dark social, identified",
            "· identified",
            dark.visits - inferred.visits,
            dark.pageviews - inferred.pageviews,
        ),
        ("dark-social:inferred", "dark social, inferred", "· inferred", inferred.visits, inferred.pageviews),
    ] {
        rows.push(ChannelRow {
            channel: name.to_string(),
            kind: RowKind::Part,
            label,
            short,
            visits,
            visits_pct: Some(pct(visits, total)),
            pageviews,
            prev: None,
        });
    }
    // Beyond the range's evidence: readers with cached assets, estimated (no page views
    // are known for them).
    let estimated = headline.estimated_visits;
    rows.push(ChannelRow {
        channel: "dark-social:estimated".to_string(),
        kind: RowKind::Part,
        label: "dark social, estimated cached readers",
        short: "· estimated",
        visits: estimated,
        visits_pct: Some(pct(estimated, total + estimated)),
        pageviews: 0,
        prev: None,
    });
    rows
}

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
        (0..=(last - first).max(0))
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

    /// Every visit, by start time then visitor, handed to `each` one at a time (the rows
    /// come from a file: the run did not hold them). They can be read once.
    pub fn each_visit(&self, mut each: impl FnMut(&VisitRow) -> io::Result<()>) -> io::Result<()> {
        let Some(mut rows) = self.visits.borrow_mut().take() else { return Ok(()) };
        for row in rows.iter() {
            each(&row?)?;
        }
        Ok(())
    }

    /// `12,345 lines read = 4,000 page views + …`: the line accounting in one sentence.
    pub fn accounting(&self) -> String {
        let l = &self.aggregates.line_counts();
        format!(
            "{} lines read = {} page views + {} other hits + {} downloads + {} excluded (bots, previews, scrapers) + {} unconfirmed (no browser evidence) + {} outside the window + {} out of order + {} malformed + {} directives",
            thousands(l.read),
            thousands(l.pageviews),
            thousands(l.other_hits),
            thousands(l.downloads),
            thousands(l.excluded),
            thousands(l.unconfirmed),
            thousands(l.outside_window),
            thousands(l.out_of_order),
            thousands(l.malformed),
            thousands(l.directives)
        )
    }

    /// The range in a sentence: from what signals name, through what the classic rule infers
    /// with browser evidence, to the estimate of readers with cached assets, or why there is
    /// none.
    pub fn range(&self) -> String {
        let h = self.headline();
        if !h.browser_evidence_required {
            return "Range: no browser evidence is asked for (browsers here load no assets from the logged \
                    host): every visit counts"
                .to_string();
        }
        let mut text = format!(
            "Range: {} identified to {} with browser evidence",
            thousands(h.identified_visits),
            thousands(h.dark_social_visits)
        );
        match h.cached_rate {
            Some(r) => text.push_str(&format!(
                " to {} with readers whose assets were cached ({:.1}% of {} visits from other sites \
                 loaded no asset): {:.1}% to {:.1}% of {} visits with those readers",
                thousands(h.dark_social_visits + h.estimated_visits),
                r * 100.0,
                thousands(h.cached_rate_sample),
                h.range_low_pct,
                h.range_high_pct,
                thousands(h.visits_with_estimate)
            )),
            None => text.push_str(&format!(
                "; no estimate of readers with cached assets ({} visits from other sites, {} needed)",
                thousands(h.cached_rate_sample),
                MIN_CACHED_RATE_SAMPLE
            )),
        }
        text
    }

    /// What the bounds on the run's tables cut, in a sentence; `None` when they cut nothing
    /// (as on ordinary traffic).
    pub fn cut(&self) -> Option<String> {
        let c = &self.aggregates.cut;
        if !c.any() {
            return None;
        }
        let mut parts = Vec::new();
        if c.visitors > 0 {
            parts.push(format!(
                "{} visitors forgotten early, their visits closed, when too many were open at once",
                thousands(c.visitors)
            ));
        }
        if c.pages > 0 {
            parts.push(format!(
                "{} landing pages dropped from the pages table (a page's counts may be low by up to {})",
                thousands(c.pages),
                thousands(c.page_error)
            ));
        }
        if c.share_counters > 0 {
            parts.push(format!(
                "{} share counters dropped (a counter may be low by up to {})",
                thousands(c.share_counters),
                thousands(c.share_error)
            ));
        }
        if c.preview_paths > 0 {
            parts.push(format!(
                "{} shared paths forgotten early (visits to them no longer attributed to their app)",
                thousands(c.preview_paths)
            ));
        }
        if c.visit_pages > 0 {
            parts.push(format!(
                "{} page views of long visits not remembered (a later visit to them is not known as a return)",
                thousands(c.visit_pages)
            ));
        }
        if c.return_pairs > 0 {
            parts.push(format!(
                "{} reader-page pairs remembered approximately (a few shares may count as returns)",
                thousands(c.return_pairs)
            ));
        }
        Some(format!("bounds cut: {}", parts.join("; ")))
    }

    pub fn period(&self) -> Option<(String, String)> {
        Some((format_rfc3339(self.aggregates.first_time?), format_rfc3339(self.aggregates.last_time?)))
    }
}

/// Daily dark-social visits of the window's top pages, from the ledger's periods.
fn page_series(
    ledger: &super::Ledger,
    window: &Aggregates,
    since: Option<i64>,
    until: Option<i64>,
) -> PageSeries {
    let mut top: Vec<(&Vec<u8>, u64)> =
        window.pages.iter().filter(|(_, p)| p.dark_social > 0).map(|(k, p)| (k, p.dark_social)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    top.truncate(SERIES_PAGES);
    let zone = ledger.zone();
    let inside: Vec<&super::Period> = ledger
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

/// `2026-11-29 04:39:00`: a time as a spreadsheet reads a date-time, in `zone`.
pub fn format_local(ts: i64, zone: &crate::time::Zone) -> String {
    let local = ts + zone.offset_at(ts);
    let r = format_rfc3339(local);
    format!("{} {}", &r[..10], &r[11..19])
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
