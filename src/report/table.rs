//! Terminal tables with comfy-table: fitted to the terminal's width (or `--width`) by
//! shortening headers and labels, squeezing paths in the middle and dropping the columns
//! least read, never by wrapping a cell; plain ASCII and no colour when the output is not
//! a terminal or `NO_COLOR` is set. Text from the logs is shown
//! [`printable`]: a log is written by whoever sends requests.

use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::text::width_of;
pub use super::text::{comparison, grew_most, headline_figures, middle_ellipsis, printable, wrap};
use super::{thousands, Report, ReportKind, Reporter, RowKind};
use crate::classify::Channel;
use crate::time::format_rfc3339;

pub struct TableReporter {
    /// Box-drawing characters, bold and colour: only for a terminal without `NO_COLOR`.
    pub styled: bool,
    /// Fit tables and sentences in this many columns (`--width`, or the terminal's);
    /// `None`: every table at its natural width, nothing shortened (a file, a pipe).
    pub width: Option<usize>,
}

/// How a cell looks when the table is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Plain,
    Bold,
    Up,
    Down,
}

/// One column of a table that can be fitted: its header and cells at full length, a
/// shorter header (and shorter cells, for labels) for narrow tables, and how it gives
/// way: `drop` (0 never; the highest goes first) or a middle ellipsis (`squeeze`).
struct Col {
    header: String,
    short: String,
    cells: Vec<String>,
    short_cells: Option<Vec<String>>,
    looks: Vec<Look>,
    right: bool,
    drop: u8,
    squeeze: bool,
}

impl Col {
    fn new(header: impl Into<String>, short: impl Into<String>) -> Col {
        Col {
            header: header.into(),
            short: short.into(),
            cells: Vec::new(),
            short_cells: None,
            looks: Vec::new(),
            right: true,
            drop: 0,
            squeeze: false,
        }
    }

    fn left(mut self) -> Col {
        self.right = false;
        self
    }

    fn drop(mut self, priority: u8) -> Col {
        self.drop = priority;
        self
    }

    fn squeeze(mut self) -> Col {
        self.squeeze = true;
        self.right = false;
        self
    }

    fn push(&mut self, cell: impl Into<String>, look: Look) {
        self.cells.push(cell.into());
        self.looks.push(look);
    }
}

/// The narrowest a squeezed column (a path) gets before a column is dropped instead.
const SQUEEZE_MIN: usize = 36;

/// A signed percentage change, `+12.5%`, or `new` when there was nothing before.
fn change(p: Option<f64>, now: u64) -> (String, Look) {
    match p {
        Some(p) if p > 0.0 => (format!("+{p:.1}%"), Look::Up),
        Some(p) if p < 0.0 => (format!("{p:.1}%"), Look::Down),
        Some(_) => ("0.0%".into(), Look::Plain),
        None if now > 0 => ("new".into(), Look::Up),
        None => ("-".into(), Look::Plain),
    }
}

/// Bar cells a share gets at full width.
const BAR: usize = 20;

impl TableReporter {
    fn look(&self, cell: Cell, look: Look) -> Cell {
        if !self.styled {
            return cell;
        }
        match look {
            Look::Plain => cell,
            Look::Bold => cell.add_attribute(Attribute::Bold),
            Look::Up => cell.fg(Color::Green),
            Look::Down => cell.fg(Color::Red),
        }
    }

    /// The table of `cols`, at its natural width or fitted to `self.width`: headers
    /// shortened, then paths squeezed to [`SQUEEZE_MIN`], then columns dropped, so that no
    /// cell is ever wrapped (a word or a date split over two lines).
    fn fit(&self, mut cols: Vec<Col>) -> Table {
        if let Some(width) = self.width {
            let total = |cols: &[Col], short: bool| -> usize {
                cols.iter()
                    .map(|c| {
                        let cells = if short { c.short_cells.as_ref().unwrap_or(&c.cells) } else { &c.cells };
                        let h = if short { &c.short } else { &c.header };
                        cells.iter().map(|s| width_of(s)).chain([width_of(h)]).max().unwrap_or(0) + 3
                    })
                    .sum::<usize>()
                    + 1
            };
            if total(&cols, false) > width {
                for c in &mut cols {
                    c.header = std::mem::take(&mut c.short);
                    if let Some(short) = c.short_cells.take() {
                        c.cells = short;
                    }
                }
                loop {
                    let over = total(&cols, false).saturating_sub(width);
                    if over == 0 {
                        break;
                    }
                    let droppable =
                        cols.iter().enumerate().filter(|(_, c)| c.drop > 0).max_by_key(|(_, c)| c.drop);
                    let droppable = droppable.map(|(i, _)| i);
                    // Squeeze the widest path column as far as the minimum allows.
                    let squeezable = cols
                        .iter_mut()
                        .filter(|c| c.squeeze)
                        .map(|c| {
                            let w = c
                                .cells
                                .iter()
                                .map(|s| width_of(s))
                                .chain([width_of(&c.header)])
                                .max()
                                .unwrap_or(0);
                            (w, c)
                        })
                        .max_by_key(|(w, _)| *w);
                    // Paths give way to a comfortable width first, then the least-read
                    // columns go, then paths give way to their header's width.
                    let floor = |c: &Col| match droppable {
                        Some(_) => SQUEEZE_MIN.max(width_of(&c.header)),
                        None => width_of(&c.header).max(8),
                    };
                    match squeezable {
                        Some((w, c)) if w > floor(c) => {
                            let to = w.saturating_sub(over).max(floor(c));
                            for s in &mut c.cells {
                                *s = middle_ellipsis(s, to);
                            }
                        }
                        _ => match droppable {
                            Some(i) => {
                                cols.remove(i);
                            }
                            // Nothing left to give: the table is as narrow as it gets.
                            None => break,
                        },
                    }
                }
            }
        }
        let mut t = Table::new();
        t.load_preset(if self.styled { presets::UTF8_FULL_CONDENSED } else { presets::ASCII_FULL_CONDENSED });
        t.set_content_arrangement(ContentArrangement::Disabled);
        t.set_header(cols.iter().map(|c| self.look(Cell::new(&c.header), Look::Bold)));
        let rows = cols.first().map_or(0, |c| c.cells.len());
        for i in 0..rows {
            t.add_row(cols.iter().map(|c| {
                let cell = Cell::new(&c.cells[i]);
                let cell = if c.right { cell.set_alignment(CellAlignment::Right) } else { cell };
                self.look(cell, c.looks[i])
            }));
        }
        t
    }

    fn bar(&self, share: f64) -> String {
        let n = ((share / 100.0) * BAR as f64).round() as usize;
        (if self.styled { "█" } else { "#" }).repeat(n.min(BAR))
    }

    fn channels(&self, report: &Report) -> Table {
        let rows = report.channel_rows();
        let compare = report.previous.is_some();
        let mut label = Col::new("channel", "channel").left();
        let mut short = Vec::new();
        let mut visits = Col::new("visits", "visits");
        let mut share = Col::new("share", "share");
        let mut views = Col::new("page views", "views").drop(3);
        let mut before = Col::new("visits before", "before").drop(2);
        let mut changed = Col::new("change", "change");
        let mut bar = Col::new("", "").left().drop(4);
        for r in &rows {
            let look = if r.channel == Channel::DarkSocial.name() { Look::Bold } else { Look::Plain };
            label.push(r.label, look);
            short.push(r.short.to_string());
            visits.push(thousands(r.visits), Look::Plain);
            share.push(r.visits_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into()), Look::Plain);
            views.push(thousands(r.pageviews), Look::Plain);
            let b = match (r.kind, r.visits_pct) {
                (RowKind::Excluded, _) | (_, None) => String::new(),
                (_, Some(p)) => self.bar(p),
            };
            bar.push(b, look);
            if let Some(p) = r.prev {
                before.push(thousands(p.visits_prev), Look::Plain);
                let (text, look) = change(p.visits_change_pct, r.visits);
                changed.push(text, look);
            }
        }
        label.short_cells = Some(short);
        let mut cols = vec![label, visits, share, views];
        if compare {
            cols.extend([before, changed]);
        }
        cols.push(bar);
        self.fit(cols)
    }

    fn pages(&self, report: &Report) -> Table {
        let compare = report.previous.is_some();
        let mut landing = Col::new("landing page", "landing page").squeeze();
        let mut dark = Col::new("dark-social visits", "dark");
        // Beside the change, the page's own visits give way last: without them the
        // comparison's table fits the narrowest width the reports are made for.
        let mut all = Col::new("all visits", "visits").drop(u8::from(compare));
        let mut share = Col::new("dark share", "dark %");
        let mut views = Col::new("page views", "views").drop(3);
        let mut before = Col::new("dark before", "before").drop(2);
        let mut changed = Col::new("change", "change");
        for r in report.page_rows() {
            landing.push(printable(&r.landing), Look::Plain);
            dark.push(thousands(r.dark_social_visits), Look::Plain);
            all.push(thousands(r.visits), Look::Plain);
            share.push(format!("{:.1}%", r.dark_social_pct), Look::Plain);
            views.push(thousands(r.pageviews), Look::Plain);
            if let Some(p) = r.prev {
                before.push(thousands(p.dark_social_visits_prev), Look::Plain);
                let (text, look) = change(p.dark_social_visits_change_pct, r.dark_social_visits);
                changed.push(text, look);
            }
        }
        let mut cols = vec![landing, dark, all, share, views];
        if compare {
            cols.extend([before, changed]);
        }
        self.fit(cols)
    }

    fn daily(&self, report: &Report) -> Table {
        let mut date = Col::new(format!("date ({})", report.aggregates.zone.name()), "date").left();
        let mut visits = Col::new("visits", "visits");
        let mut dark = Col::new("dark social", "dark");
        let mut share = Col::new("dark share", "dark %");
        let mut channels: Vec<Col> = Channel::ALL[1..]
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let short = match c {
                    Channel::Referral => "ref",
                    Channel::Direct => "dir",
                    Channel::Search => "srch",
                    Channel::Social => "soc",
                    other => other.name(),
                };
                // The channels give way from the last (the least read) to the first.
                Col::new(c.name(), short).drop(3 + i as u8)
            })
            .collect();
        let mut before = Col::new(report.daily_before_header(), "before").drop(2);
        let mut changed = Col::new("change", "change");
        for r in report.day_rows() {
            date.push(r.date.clone(), Look::Plain);
            visits.push(thousands(r.visits), Look::Plain);
            dark.push(thousands(r.dark_social), Look::Plain);
            share.push(format!("{:.1}%", r.dark_social_pct), Look::Plain);
            for (c, &n) in channels.iter_mut().zip(&r.channels[1..]) {
                c.push(thousands(n), Look::Plain);
            }
            match &r.prev {
                Some(Some(p)) => {
                    before.push(thousands(p.visits), Look::Plain);
                    let (text, look) = change(p.visits_change_pct, r.visits);
                    changed.push(text, look);
                }
                Some(None) => {
                    before.push("-", Look::Plain);
                    changed.push("-", Look::Plain);
                }
                None => {}
            }
        }
        let mut cols = vec![date, visits, dark, share];
        if report.previous.is_some() {
            cols.extend([before, changed]);
        }
        cols.extend(channels);
        self.fit(cols)
    }

    fn shares(&self, report: &Report) -> Table {
        let compare = report.previous.is_some();
        let mut landing = Col::new("landing page", "landing page").squeeze();
        let mut app = Col::new("app", "app").left();
        let mut shares = Col::new("shares", "shares");
        let mut fetches = Col::new("fetches", "fetches").drop(3);
        // As the pages' visits: the last to give way, and only to the comparison.
        let mut visits = Col::new("visits", "visits").drop(u8::from(compare));
        let mut per = Col::new("visits per share", "per share").drop(4);
        let mut before = Col::new("shares before", "before").drop(2);
        let mut changed = Col::new("change", "change");
        for r in report.share_rows() {
            landing.push(printable(&r.landing), Look::Plain);
            app.push(printable(&r.app), Look::Plain);
            shares.push(thousands(r.shares), Look::Plain);
            fetches.push(thousands(r.fetches), Look::Plain);
            visits.push(thousands(r.visits), Look::Plain);
            per.push(format!("{:.2}", r.visits_per_share), Look::Plain);
            if let Some(p) = r.prev {
                before.push(thousands(p.shares_prev), Look::Plain);
                let (text, look) = change(p.shares_change_pct, r.shares);
                changed.push(text, look);
            }
        }
        let mut cols = vec![landing, app, shares, fetches, visits, per];
        if compare {
            cols.extend([before, changed]);
        }
        self.fit(cols)
    }

    /// Rows written as they come, in columns as wide as their usual values: the rows are
    /// not held, so no table can measure them first. The landing comes last, where its
    /// length moves nothing; in a narrow terminal the source, the reason and the visitor
    /// give way (in that order) and the landing is shortened in the middle.
    fn visits(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // (header, width, right-aligned); the landing follows.
        let all: [(&str, usize, bool); 6] = [
            ("start (UTC)", 20, false),
            ("visitor", 17, false),
            ("channel", 11, false),
            ("source", 20, false),
            ("reason", 20, false),
            ("pages", 5, true),
        ];
        let mut shown = [true; 6];
        let fixed = |shown: &[bool; 6]| -> usize {
            all.iter().zip(shown).filter(|(_, s)| **s).map(|(c, _)| c.1 + 2).sum()
        };
        let landing_width = self.width.map(|w| {
            for i in [3, 4, 1] {
                if fixed(&shown) + 30 > w {
                    shown[i] = false;
                }
            }
            w.saturating_sub(fixed(&shown)).max(8)
        });
        let line = |out: &mut dyn Write, cells: [&str; 6], landing: &str| -> io::Result<()> {
            let mut text = String::new();
            for ((c, s), cell) in all.iter().zip(&shown).zip(cells) {
                if *s {
                    if c.2 {
                        let _ = write!(text, "{cell:>w$}  ", w = c.1);
                    } else {
                        let _ = write!(text, "{cell:<w$}  ", w = c.1);
                    }
                }
            }
            match landing_width {
                Some(w) => text.push_str(&middle_ellipsis(landing, w)),
                None => text.push_str(landing),
            }
            writeln!(out, "{text}")
        };
        line(out, ["start (UTC)", "visitor", "channel", "source", "reason", "pages"], "landing")?;
        report.each_visit(|r| {
            let pages = r.pageviews.to_string();
            line(
                out,
                [
                    &format_rfc3339(r.start),
                    &r.visitor,
                    r.channel.name(),
                    &printable(&r.source),
                    r.reason.id(),
                    &pages,
                ],
                &printable(&r.landing),
            )
        })
    }

    fn headline(&self, report: &Report) -> String {
        let h = report.headline();
        let (figure, rest) = headline_figures(&h);
        let text = format!("Dark social: {figure}{rest}");
        let text = wrap(&text, self.width);
        let text = if self.styled { format!("\x1b[1m{text}\x1b[0m") } else { text };
        let mut out = format!("{text}\n{}", wrap(&report.range(), self.width));
        if let Some(compare) = comparison(report) {
            out.push('\n');
            out.push_str(&wrap(&compare, self.width));
        }
        out
    }
}

impl Reporter for TableReporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        match kind {
            ReportKind::Summary => {
                writeln!(out, "{}", self.headline(report))?;
                if let Some((first, last)) = report.period() {
                    writeln!(out, "{}", wrap(&format!("Visits from {first} to {last}"), self.width))?;
                }
                if let Some(grown) = grew_most(report, self.width.map(|w| w.saturating_sub(20))) {
                    writeln!(out, "{}", wrap(&grown, self.width))?;
                }
                writeln!(out, "\nChannels\n{}", self.channels(report))?;
                writeln!(out, "\nTop dark-social landing pages\n{}", self.pages(report))?;
                writeln!(out, "\nVisits per day\n{}", self.daily(report))?;
                writeln!(out, "\n{}", wrap(&report.accounting(), self.width))?;
                if let Some(cut) = report.cut() {
                    writeln!(out, "{}", wrap(&cut, self.width))?;
                }
            }
            ReportKind::Channels => {
                writeln!(out, "{}\n{}", self.headline(report), self.channels(report))?;
            }
            ReportKind::Pages => writeln!(out, "{}", self.pages(report))?,
            ReportKind::Daily => writeln!(out, "{}", self.daily(report))?,
            ReportKind::Visits => self.visits(report, out)?,
            ReportKind::Shares => writeln!(out, "{}", self.shares(report))?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{middle_ellipsis, printable, wrap};

    #[test]
    fn paths_lose_their_middle_and_sentences_wrap_at_words() {
        assert_eq!(middle_ellipsis("/news/2026/11/02/budget-vote", 14), "/news/2…t-vote");
        assert_eq!(middle_ellipsis("/short", 14), "/short");
        assert_eq!(wrap("one two three four", Some(9)), "one two\nthree\nfour");
        assert_eq!(
            wrap("a 2026-11-02T10:00:00Z b", Some(8)),
            "a\n2026-11-02T10:00:00Z\nb",
            "a date stays whole"
        );
        assert_eq!(wrap("as it is", None), "as it is");
    }

    #[test]
    fn controls_are_escaped_and_the_rest_left_alone() {
        assert_eq!(printable("/caf\u{e9}/story?a=1"), "/caf\u{e9}/story?a=1");
        assert_eq!(printable("/a\x1b[2Jb\tc\n\x7f"), "/a\\x1b[2Jb\\x09c\\x0a\\x7f");
        assert_eq!(printable("\u{9b}31m \u{202e}gpj.exe"), "\\u{9b}31m \\u{202e}gpj.exe");
    }
}
