//! Terminal tables with comfy-table: fitted to the terminal, plain ASCII and no colour
//! when the output is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, ContentArrangement, Table};

use super::{thousands, Report, ReportKind, Reporter};
use crate::classify::Channel;
use crate::time::format_rfc3339;

pub struct TableReporter {
    /// Box-drawing characters and bold text: only for a terminal without `NO_COLOR`.
    pub styled: bool,
    /// Wrap columns to fit the terminal (only when writing to one).
    pub fit_terminal: bool,
}

impl TableReporter {
    fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_preset(if self.styled { presets::UTF8_FULL_CONDENSED } else { presets::ASCII_FULL_CONDENSED });
        t.set_content_arrangement(ContentArrangement::Disabled);
        if self.fit_terminal {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            // A terminal that reports no usable size (a pty under `script`, a serial
            // console) would squeeze every column to one character: print unwrapped.
            if t.width().is_none_or(|w| w < 40) {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        t.set_header(header.iter().map(|h| self.bold(Cell::new(h))));
        t
    }

    fn bold(&self, c: Cell) -> Cell {
        if self.styled {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }

    fn right(v: impl ToString) -> Cell {
        Cell::new(v.to_string()).set_alignment(CellAlignment::Right)
    }

    fn channels(&self, report: &Report) -> Table {
        let mut t = self.table(&["channel", "visits", "share", "page views"]);
        for r in report.channel_rows() {
            let share = r.visits_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into());
            let mut name_cell = Cell::new(r.label);
            if r.channel == Channel::DarkSocial.name() {
                name_cell = self.bold(name_cell);
            }
            t.add_row(vec![
                name_cell,
                Self::right(thousands(r.visits)),
                Self::right(share),
                Self::right(thousands(r.pageviews)),
            ]);
        }
        t
    }

    fn pages(&self, report: &Report) -> Table {
        let mut t =
            self.table(&["landing page", "dark-social visits", "all visits", "dark share", "page views"]);
        for r in report.page_rows() {
            t.add_row(vec![
                Cell::new(r.landing),
                Self::right(thousands(r.dark_social_visits)),
                Self::right(thousands(r.visits)),
                Self::right(format!("{:.1}%", r.dark_social_pct)),
                Self::right(thousands(r.pageviews)),
            ]);
        }
        t
    }

    fn daily(&self, report: &Report) -> Table {
        let date = format!("date ({})", report.aggregates.zone.name());
        let mut header = vec![date.as_str(), "visits", "dark social", "dark share"];
        header.extend(Channel::ALL[1..].iter().map(|c| c.name()));
        let mut t = self.table(&header);
        for r in report.day_rows() {
            let mut row = vec![
                Cell::new(r.date),
                Self::right(thousands(r.visits)),
                Self::right(thousands(r.dark_social)),
                Self::right(format!("{:.1}%", r.dark_social_pct)),
            ];
            row.extend(r.channels[1..].iter().map(|&n| Self::right(thousands(n))));
            t.add_row(row);
        }
        t
    }

    fn shares(&self, report: &Report) -> Table {
        let mut t = self.table(&["landing page", "app", "shares", "fetches", "visits", "visits per share"]);
        for r in report.share_rows() {
            t.add_row(vec![
                Cell::new(r.landing),
                Cell::new(r.app),
                Self::right(thousands(r.shares)),
                Self::right(thousands(r.fetches)),
                Self::right(thousands(r.visits)),
                Self::right(format!("{:.2}", r.visits_per_share)),
            ]);
        }
        t
    }

    fn visits(&self, report: &Report) -> Table {
        let mut t =
            self.table(&["start (UTC)", "visitor", "landing", "channel", "source", "reason", "page views"]);
        for r in report.visit_rows() {
            t.add_row(vec![
                Cell::new(format_rfc3339(r.start)),
                Cell::new(&r.visitor),
                Cell::new(&r.landing),
                Cell::new(r.channel.name()),
                Cell::new(&r.source),
                Cell::new(r.reason.id()),
                Self::right(r.pageviews),
            ]);
        }
        t
    }

    fn headline(&self, report: &Report) -> String {
        let h = report.headline();
        let text = format!(
            "Dark social: {:.1}% of visits ({} of {}): {:.1}% identified (shares, tags, apps) + {:.1}% inferred (no referrer on a deep page)",
            h.dark_social_pct,
            thousands(h.dark_social_visits),
            thousands(h.visits),
            h.identified_pct,
            h.inferred_pct
        );
        if self.styled {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text
        }
    }
}

impl Reporter for TableReporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        match kind {
            ReportKind::Summary => {
                writeln!(out, "{}", self.headline(report))?;
                if let Some((first, last)) = report.period() {
                    writeln!(out, "Visits from {first} to {last}")?;
                }
                writeln!(out, "\nChannels\n{}", self.channels(report))?;
                writeln!(out, "\nTop dark-social landing pages\n{}", self.pages(report))?;
                writeln!(out, "\nVisits per day\n{}", self.daily(report))?;
                writeln!(out, "\n{}", report.accounting())?;
            }
            ReportKind::Channels => {
                writeln!(out, "{}\n{}", self.headline(report), self.channels(report))?;
            }
            ReportKind::Pages => writeln!(out, "{}", self.pages(report))?,
            ReportKind::Daily => writeln!(out, "{}", self.daily(report))?,
            ReportKind::Visits => writeln!(out, "{}", self.visits(report))?,
            ReportKind::Shares => writeln!(out, "{}", self.shares(report))?,
        }
        Ok(())
    }
}
