//! Aggregates as rows: what every output format prints, computed once.

use std::io::{self, Write};

use serde::Serialize;

use super::{Aggregates, PageCounter, ShareCounter, VisitRow};
use crate::classify::{Channel, ScraperRule};
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
            "{} lines read = {} page views + {} other hits + {} excluded (bots, previews, scrapers) + {} outside the window + {} malformed + {} directives",
            thousands(l.read),
            thousands(l.pageviews),
            thousands(l.other_hits),
            thousands(l.excluded),
            thousands(l.outside_window),
            thousands(l.malformed),
            thousands(l.directives)
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
