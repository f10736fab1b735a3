//! CSV: RFC 4180 through the csv crate, one header row, stable snake_case columns, and
//! values a spreadsheet reads as what they are: numbers without separators, empty where
//! there is no number, visitor ids with a letter, local times as `YYYY-MM-DD HH:MM:SS`.
//! CSV holds one table per file: `summary` writes its figures as `metric,value` rows; the
//! line accounting also goes to stderr.

use std::io::{self, Write};

use super::{format_local, Headline, Report, ReportKind, Reporter};
use crate::classify::Channel;
use crate::time::{format_date, format_rfc3339};

pub struct CsvReporter;

fn pct(v: f64) -> String {
    format!("{:.2}", super::row_types::two(v))
}

fn opt_pct(v: Option<f64>) -> String {
    v.map(pct).unwrap_or_default()
}

fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// The summary's figures, by name: the headline, the period, the line accounting, what the
/// bounds cut, and with
/// `--compare previous` the period before and the pages that grew most.
fn summary_metrics(report: &Report) -> Vec<(String, String)> {
    let mut m: Vec<(String, String)> = Vec::new();
    let zone = &report.aggregates.zone;
    let day = |t: Option<i64>| t.map(|t| format_date(zone.day_of(t))).unwrap_or_default();
    m.push(("period_start".into(), day(report.aggregates.first_time)));
    m.push(("period_end".into(), day(report.aggregates.last_time)));
    headline_metrics(&mut m, "", &report.headline());
    let l = report.aggregates.line_counts();
    for (name, n) in [
        ("read", l.read),
        ("pageviews", l.pageviews),
        ("other_hits", l.other_hits),
        ("downloads", l.downloads),
        ("excluded", l.excluded),
        ("unconfirmed", l.unconfirmed),
        ("outside_window", l.outside_window),
        ("out_of_order", l.out_of_order),
        ("malformed", l.malformed),
        ("directives", l.directives),
    ] {
        m.push((format!("lines_{name}"), n.to_string()));
    }
    // What the bounds cut (JSON's `cut`), always there: a spreadsheet's rows stay put.
    let c = &report.aggregates.cut;
    for (name, n) in [
        ("visitors", c.visitors),
        ("pages", c.pages),
        ("page_error", c.page_error),
        ("share_counters", c.share_counters),
        ("share_error", c.share_error),
        ("preview_paths", c.preview_paths),
        ("visit_pages", c.visit_pages),
        ("return_pairs", c.return_pairs),
    ] {
        m.push((format!("cut_{name}"), n.to_string()));
    }
    if let (Some(p), Some(before)) = (&report.previous, report.headline_prev()) {
        // As `period_*`: the period's first and last visits' dates (JSON's `previous`
        // gives its bounds).
        m.push(("prev_period_start".into(), day(p.aggregates.first_time)));
        m.push(("prev_period_end".into(), day(p.aggregates.last_time)));
        headline_metrics(&mut m, "prev_", &before);
        let now = report.headline();
        m.push(("visits_change_pct".into(), opt_pct(super::change_pct(now.visits, before.visits))));
        m.push((
            "dark_social_visits_change_pct".into(),
            opt_pct(super::change_pct(now.dark_social_visits, before.dark_social_visits)),
        ));
        m.push(("dark_social_pct_change_points".into(), pct(now.dark_social_pct - before.dark_social_pct)));
        for g in report.growing_pages(5) {
            m.push((format!("grew_most:{}", g.landing), g.change.to_string()));
        }
    }
    m
}

fn headline_metrics(m: &mut Vec<(String, String)>, prefix: &str, h: &Headline) {
    let mut put = |name: &str, v: String| m.push((format!("{prefix}{name}"), v));
    put("visits", h.visits.to_string());
    put("dark_social_visits", h.dark_social_visits.to_string());
    put("dark_social_pct", pct(h.dark_social_pct));
    put("identified_visits", h.identified_visits.to_string());
    put("identified_pct", pct(h.identified_pct));
    put("inferred_visits", h.inferred_visits.to_string());
    put("inferred_pct", pct(h.inferred_pct));
    put("estimated_visits", h.estimated_visits.to_string());
    put("visits_with_estimate", h.visits_with_estimate.to_string());
    put("range_low_pct", pct(h.range_low_pct));
    put("range_high_pct", pct(h.range_high_pct));
    put(
        "cached_rate",
        h.cached_rate.map(|r| format!("{:.4}", super::row_types::four(r))).unwrap_or_default(),
    );
    put("cached_rate_sample", h.cached_rate_sample.to_string());
    put("browser_evidence_required", u8::from(h.browser_evidence_required).to_string());
}

impl Reporter for CsvReporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let compare = report.previous.is_some();
        let header = |w: &mut csv::Writer<&mut dyn Write>, cols: &[&str], prev: &[&str]| {
            let mut h: Vec<&str> = cols.to_vec();
            if compare {
                h.extend_from_slice(prev);
            }
            w.write_record(h).map_err(to_io)
        };
        match kind {
            ReportKind::Summary => {
                w.write_record(["metric", "value"]).map_err(to_io)?;
                for (name, value) in summary_metrics(report) {
                    w.write_record([name, value]).map_err(to_io)?;
                }
            }
            ReportKind::Channels => {
                header(
                    &mut w,
                    // `kind` last: the columns before keep their places.
                    &["channel", "visits", "visits_pct", "pageviews", "kind"],
                    &["visits_prev", "visits_pct_prev", "visits_change_pct"],
                )?;
                for r in report.channel_rows() {
                    let mut rec = vec![
                        r.channel,
                        r.visits.to_string(),
                        opt_pct(r.visits_pct),
                        r.pageviews.to_string(),
                        r.kind.name().to_string(),
                    ];
                    if let Some(p) = r.prev {
                        rec.extend([
                            p.visits_prev.to_string(),
                            opt_pct(p.visits_pct_prev),
                            opt_pct(p.visits_change_pct),
                        ]);
                    }
                    w.write_record(rec).map_err(to_io)?;
                }
            }
            ReportKind::Pages => {
                header(
                    &mut w,
                    &[
                        "landing",
                        "dark_social_visits",
                        "visits",
                        "dark_social_pct",
                        "pageviews",
                        "share_of_visits_pct",
                    ],
                    &["dark_social_visits_prev", "visits_prev", "dark_social_visits_change_pct"],
                )?;
                for r in report.page_rows() {
                    let mut rec = vec![
                        r.landing,
                        r.dark_social_visits.to_string(),
                        r.visits.to_string(),
                        pct(r.dark_social_pct),
                        r.pageviews.to_string(),
                        pct(r.share_of_visits_pct),
                    ];
                    if let Some(p) = r.prev {
                        rec.extend([
                            p.dark_social_visits_prev.to_string(),
                            p.visits_prev.to_string(),
                            opt_pct(p.dark_social_visits_change_pct),
                        ]);
                    }
                    w.write_record(rec).map_err(to_io)?;
                }
            }
            ReportKind::Daily => {
                let mut cols = vec!["date", "visits", "dark_social", "dark_social_pct", "pageviews"];
                cols.extend(Channel::ALL[1..].iter().map(|c| c.name()));
                header(
                    &mut w,
                    &cols,
                    &[
                        "date_prev",
                        "visits_prev",
                        "dark_social_prev",
                        "dark_social_pct_prev",
                        "visits_change_pct",
                    ],
                )?;
                for r in report.day_rows() {
                    let mut rec = vec![
                        r.date,
                        r.visits.to_string(),
                        r.dark_social.to_string(),
                        pct(r.dark_social_pct),
                        r.pageviews.to_string(),
                    ];
                    rec.extend(r.channels[1..].iter().map(u64::to_string));
                    match r.prev {
                        Some(Some(p)) => rec.extend([
                            p.date,
                            p.visits.to_string(),
                            p.dark_social.to_string(),
                            pct(p.dark_social_pct),
                            opt_pct(p.visits_change_pct),
                        ]),
                        Some(None) => rec.extend(std::iter::repeat_n(String::new(), 5)),
                        None => {}
                    }
                    w.write_record(rec).map_err(to_io)?;
                }
            }
            ReportKind::Shares => {
                header(
                    &mut w,
                    &["landing", "app", "shares", "fetches", "visits", "visits_per_share"],
                    &["shares_prev", "visits_prev", "shares_change_pct"],
                )?;
                for r in report.share_rows() {
                    let mut rec = vec![
                        r.landing,
                        r.app,
                        r.shares.to_string(),
                        r.fetches.to_string(),
                        r.visits.to_string(),
                        pct(r.visits_per_share),
                    ];
                    if let Some(p) = r.prev {
                        rec.extend([
                            p.shares_prev.to_string(),
                            p.visits_prev.to_string(),
                            opt_pct(p.shares_change_pct),
                        ]);
                    }
                    w.write_record(rec).map_err(to_io)?;
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
                    // Last, so that the columns before keep their places.
                    "start_local",
                    "end_local",
                ])
                .map_err(to_io)?;
                let zone = &report.aggregates.zone;
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
                        &format_local(r.start, zone),
                        &format_local(r.end, zone),
                    ])
                    .map_err(to_io)
                })?;
            }
        }
        w.flush()
    }
}
