//! Aggregates as rows: what every output format prints, computed once.

use std::io::{self, Write};

use super::row_types::*;
use super::{Aggregates, DayCounter, PageCounter, ShareCounter, VisitRow};
use crate::classify::{Channel, Evidence, Reason, ScraperRule};
use crate::time::format_date;

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

/// Aggregates plus what a reader needs to trust them.
pub struct Report {
    pub aggregates: Aggregates,
    pub inputs: Vec<InputSummary>,
    pub site_hosts: Vec<String>,
    /// Whether a visit needed browser evidence (an asset) to count as a reader, and why not.
    pub evidence: Evidence,
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
    /// With `--state`: the first day the state holds (older ones are forgotten, `--keep`).
    pub held_from: Option<i64>,
    /// What changes what the figures mean (a layout without referrers, an input not read
    /// whole), for pages read away from the terminal's stderr.
    pub caveats: Vec<String>,
    /// The flags that changed what was counted (how lines were read, the visit's timeout,
    /// the share window, fronts), for the page's provenance.
    pub made_with: Vec<(&'static str, String)>,
}

/// Caveats of the form `name: what`, the same `what` for many inputs (a month of daily
/// logs in one layout) said once: `a.log, b.log and 28 more: what`.
pub fn group_caveats(caveats: &[String]) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in caveats {
        let (name, what) = c.split_once(": ").unwrap_or(("", c));
        match groups.iter_mut().find(|(w, _)| *w == what) {
            Some((_, names)) => names.push(name),
            None => groups.push((what, vec![name])),
        }
    }
    groups
        .into_iter()
        .map(|(what, names)| match names.as_slice() {
            [""] | [] => what.to_string(),
            [one] => format!("{one}: {what}"),
            [a, b] => format!("{a} and {b}: {what}"),
            [a, b, rest @ ..] => format!("{a}, {b} and {} more: {what}", rest.len()),
        })
        .collect()
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
            evidence: Evidence::Required,
            visits: std::cell::RefCell::new(None),
            since,
            until,
            previous: previous.map(|(s, u)| Previous {
                since: s,
                until: Some(u),
                aggregates: ledger.window(Some(s), Some(u)),
            }),
            top: 10,
            held_from: None,
            caveats: Vec::new(),
            made_with: Vec::new(),
        }
    }

    pub fn headline(&self) -> Headline {
        headline_of(&self.aggregates, self.evidence.required())
    }

    /// The headline of the period before, with `--compare previous`.
    pub fn headline_prev(&self) -> Option<Headline> {
        self.previous.as_ref().map(|p| headline_of(&p.aggregates, self.evidence.required()))
    }

    pub fn channel_rows(&self) -> Vec<ChannelRow> {
        let mut rows = channel_rows_of(&self.aggregates, &self.headline());
        if let Some(p) = &self.previous {
            let before =
                channel_rows_of(&p.aggregates, &headline_of(&p.aggregates, self.evidence.required()));
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
        cached_rate: rate,
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
    // are known for them). Their share is of the visits with every channel's cached
    // readers estimated back, as the range's is.
    let estimated = headline.estimated_visits;
    rows.push(ChannelRow {
        channel: "dark-social:estimated".to_string(),
        kind: RowKind::Part,
        label: "dark social, estimated cached readers",
        short: "· estimated",
        visits: estimated,
        visits_pct: Some(pct(estimated, headline.visits_with_estimate)),
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

/// One output format. Each renders every report kind from the same rows.
pub trait Reporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()>;
}
