//! CSV: RFC 4180 through the csv crate, one header row, stable snake_case columns.
//! CSV holds one table per file, so `summary` writes the channel table; the line
//! accounting goes to stderr.

use std::io::{self, Write};

use super::{Report, ReportKind, Reporter};
use crate::classify::Channel;
use crate::time::format_rfc3339;

pub struct CsvReporter;

fn pct(v: f64) -> String {
    format!("{v:.2}")
}

fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl Reporter for CsvReporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        match kind {
            ReportKind::Summary | ReportKind::Channels => {
                w.write_record(["channel", "visits", "visits_pct", "pageviews"]).map_err(to_io)?;
                for r in report.channel_rows() {
                    let share = r.visits_pct.map(pct).unwrap_or_default();
                    w.write_record([r.channel, r.visits.to_string(), share, r.pageviews.to_string()])
                        .map_err(to_io)?;
                }
            }
            ReportKind::Pages => {
                w.write_record(["landing", "dark_social_visits", "visits", "dark_social_pct", "pageviews"])
                    .map_err(to_io)?;
                for r in report.page_rows() {
                    w.write_record([
                        r.landing,
                        r.dark_social_visits.to_string(),
                        r.visits.to_string(),
                        pct(r.dark_social_pct),
                        r.pageviews.to_string(),
                    ])
                    .map_err(to_io)?;
                }
            }
            ReportKind::Daily => {
                let mut header = vec!["date", "visits", "dark_social", "dark_social_pct", "pageviews"];
                header.extend(Channel::ALL[1..].iter().map(|c| c.name()));
                w.write_record(header).map_err(to_io)?;
                for r in report.day_rows() {
                    let mut rec = vec![
                        r.date,
                        r.visits.to_string(),
                        r.dark_social.to_string(),
                        pct(r.dark_social_pct),
                        r.pageviews.to_string(),
                    ];
                    rec.extend(r.channels[1..].iter().map(u64::to_string));
                    w.write_record(rec).map_err(to_io)?;
                }
            }
            ReportKind::Shares => {
                w.write_record(["landing", "app", "shares", "fetches", "visits", "visits_per_share"])
                    .map_err(to_io)?;
                for r in report.share_rows() {
                    w.write_record([
                        r.landing,
                        r.app,
                        r.shares.to_string(),
                        r.fetches.to_string(),
                        r.visits.to_string(),
                        pct(r.visits_per_share),
                    ])
                    .map_err(to_io)?;
                }
            }
            ReportKind::Visits => {
                w.write_record([
                    "start",
                    "visitor",
                    "landing",
                    "channel",
                    "source",
                    "reason",
                    "pageviews",
                    "end",
                    "hits",
                    "referrer_host",
                ])
                .map_err(to_io)?;
                report.each_visit(|r| {
                    w.write_record([
                        format_rfc3339(r.start).as_str(),
                        &r.visitor,
                        &r.landing,
                        r.channel.name(),
                        &r.source,
                        r.reason.id(),
                        &r.pageviews.to_string(),
                        &format_rfc3339(r.end),
                        &r.hits.to_string(),
                        &r.referrer_host,
                    ])
                    .map_err(to_io)
                })?;
            }
        }
        w.flush()
    }
}
