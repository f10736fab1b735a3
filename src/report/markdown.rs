//! Markdown for chat and tickets: the headline as a paragraph, then the report's tables as
//! pipe tables (GitHub, GitLab, Slack's canvases and most trackers render them). Text
//! from the logs is escaped so that a path cannot close a cell or start a link.

use std::io::{self, Write};

use super::table::{comparison, grew_most, headline_figures};
use super::{thousands, Report, ReportKind, Reporter, RowKind};
use crate::classify::Channel;
use crate::time::format_rfc3339;

pub struct MarkdownReporter;

/// `text` safe inside a table cell: Markdown's punctuation escaped, controls shown.
fn cell(text: &str) -> String {
    let text = super::table::printable(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn table(out: &mut dyn Write, header: &[&str], right: &[bool], rows: &[Vec<String>]) -> io::Result<()> {
    writeln!(out, "| {} |", header.join(" | "))?;
    let align: Vec<&str> = right.iter().map(|&r| if r { "---:" } else { "---" }).collect();
    writeln!(out, "|{}|", align.join("|"))?;
    for r in rows {
        writeln!(out, "| {} |", r.join(" | "))?;
    }
    Ok(())
}

/// A signed percentage change, `new` from nothing, `-` for nothing then and now.
fn change(p: Option<f64>, now: u64) -> String {
    match p {
        Some(p) => format!("{p:+.1}%"),
        None if now > 0 => "new".into(),
        None => "-".into(),
    }
}

impl MarkdownReporter {
    fn headline(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let h = report.headline();
        let (figure, rest) = headline_figures(&h);
        writeln!(out, "**Dark social: {figure}**{rest}\n")?;
        writeln!(out, "{}\n", report.range())?;
        // A document read where stderr is not: what changes what the figures mean.
        for c in &report.caveats {
            writeln!(out, "> **Read with care:** {}\n", cell(c))?;
        }
        if let Some((first, last)) = report.period() {
            writeln!(out, "Visits from {first} to {last}\n")?;
        }
        if let Some(c) = comparison(report) {
            writeln!(out, "{c}\n")?;
        }
        if let Some(g) = grew_most(report, None) {
            writeln!(out, "{}\n", cell(&g))?;
        }
        Ok(())
    }

    fn channels(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let compare = report.previous.is_some();
        let mut header = vec!["channel", "visits", "share", "page views"];
        if compare {
            header.extend(["visits before", "change"]);
        }
        let rows: Vec<Vec<String>> = report
            .channel_rows()
            .into_iter()
            .map(|r| {
                let name = if r.channel == Channel::DarkSocial.name() {
                    format!("**{}**", r.label)
                } else if r.kind == RowKind::Part {
                    format!("↳ {}", r.label)
                } else {
                    r.label.to_string()
                };
                let mut row = vec![
                    name,
                    thousands(r.visits),
                    r.visits_pct.map_or_else(|| "-".into(), |p| format!("{p:.1}%")),
                    thousands(r.pageviews),
                ];
                if let Some(p) = r.prev {
                    row.extend([thousands(p.visits_prev), change(p.visits_change_pct, r.visits)]);
                }
                row
            })
            .collect();
        let right: Vec<bool> = (0..header.len()).map(|i| i > 0).collect();
        table(out, &header, &right, &rows)
    }

    fn pages(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut header = vec!["landing page", "dark-social visits", "all visits", "dark share", "page views"];
        if report.previous.is_some() {
            header.extend(["dark before", "change"]);
        }
        let rows: Vec<Vec<String>> = report
            .page_rows()
            .into_iter()
            .map(|r| {
                let mut row = vec![
                    cell(&r.landing),
                    thousands(r.dark_social_visits),
                    thousands(r.visits),
                    format!("{:.1}%", r.dark_social_pct),
                    thousands(r.pageviews),
                ];
                if let Some(p) = r.prev {
                    row.extend([
                        thousands(p.dark_social_visits_prev),
                        change(p.dark_social_visits_change_pct, r.dark_social_visits),
                    ]);
                }
                row
            })
            .collect();
        let right: Vec<bool> = (0..header.len()).map(|i| i > 0).collect();
        table(out, &header, &right, &rows)
    }

    fn daily(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let date = format!("date ({})", report.aggregates.zone.name());
        let before = report.daily_before_header();
        let mut header = vec![date.as_str(), "visits", "dark social", "dark share"];
        if report.previous.is_some() {
            header.extend([before.as_str(), "change"]);
        }
        header.extend(Channel::ALL[1..].iter().map(|c| c.name()));
        let rows: Vec<Vec<String>> = report
            .day_rows()
            .into_iter()
            .map(|r| {
                let mut row = vec![
                    r.date.clone(),
                    thousands(r.visits),
                    thousands(r.dark_social),
                    format!("{:.1}%", r.dark_social_pct),
                ];
                match &r.prev {
                    Some(Some(p)) => row.extend([thousands(p.visits), change(p.visits_change_pct, r.visits)]),
                    Some(None) => row.extend(["-".to_string(), "-".to_string()]),
                    None => {}
                }
                row.extend(r.channels[1..].iter().map(|&n| thousands(n)));
                row
            })
            .collect();
        let right: Vec<bool> = (0..header.len()).map(|i| i > 0).collect();
        table(out, &header, &right, &rows)
    }

    fn shares(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut header = vec!["landing page", "app", "shares", "fetches", "visits", "visits per share"];
        if report.previous.is_some() {
            header.extend(["shares before", "change"]);
        }
        let rows: Vec<Vec<String>> = report
            .share_rows()
            .into_iter()
            .map(|r| {
                let mut row = vec![
                    cell(&r.landing),
                    cell(&r.app),
                    thousands(r.shares),
                    thousands(r.fetches),
                    thousands(r.visits),
                    format!("{:.2}", r.visits_per_share),
                ];
                if let Some(p) = r.prev {
                    row.extend([thousands(p.shares_prev), change(p.shares_change_pct, r.shares)]);
                }
                row
            })
            .collect();
        let right: Vec<bool> = (0..header.len()).map(|i| i > 1).collect();
        table(out, &header, &right, &rows)
    }

    fn visits(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "| start (UTC) | visitor | channel | source | reason | pages | landing |")?;
        writeln!(out, "|---|---|---|---|---|---:|---|")?;
        report.each_visit(|r| {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                format_rfc3339(r.start),
                r.visitor,
                r.channel.name(),
                cell(&r.source),
                r.reason.id(),
                r.pageviews,
                cell(&r.landing)
            )
        })
    }
}

impl Reporter for MarkdownReporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        // Pasted into a chat on its own, a table says nothing of its period, site or
        // caveats: every report starts with the headline (the README's promise).
        self.headline(report, out)?;
        match kind {
            ReportKind::Summary => {
                writeln!(out, "### Channels\n")?;
                self.channels(report, out)?;
                writeln!(out, "\n### Top dark-social landing pages\n")?;
                self.pages(report, out)?;
                writeln!(out, "\n### Visits per day\n")?;
                self.daily(report, out)?;
                writeln!(out, "\n{}", report.accounting())?;
                if let Some(cut) = report.cut() {
                    writeln!(out, "\n{cut}")?;
                }
            }
            ReportKind::Channels => self.channels(report, out)?,
            ReportKind::Pages => self.pages(report, out)?,
            ReportKind::Daily => self.daily(report, out)?,
            ReportKind::Shares => self.shares(report, out)?,
            ReportKind::Visits => self.visits(report, out)?,
        }
        Ok(())
    }
}
