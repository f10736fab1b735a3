//! Aggregates as rows: what every output format prints, computed once.

mod lists;

use std::io::{self, Write};

use super::row_types::*;
use super::Aggregates;
use crate::classify::{Channel, Evidence, Reason, ScraperRule};
use crate::time::format_date;
use lists::page_series;

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

/// One output format. Each renders every report kind from the same rows.
pub trait Reporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()>;
}
