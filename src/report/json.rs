//! JSON through serde: one document with a `version`, the line accounting always, and
//! the sections the chosen report holds.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::row_types::two;
use super::{change_pct, Report, ReportKind, Reporter};
use crate::classify::Channel;
use crate::time::format_rfc3339;

/// Bumped when a field changes meaning or goes away, or a report gains rows (new fields
/// alone do not bump it). 2: browser evidence (the `excluded:no-browser-evidence` row
/// replaces `excluded:scrapers-pages-only`), the estimated range in `headline`, and the
/// `downloads` and `unconfirmed` terms of `lines`. 3: channel rows have a `kind`, visitor
/// ids a `v` prefix, `--top 0` means every row; the summary counts `reasons`; pages have
/// `share_of_visits_pct`; `--compare previous` adds `previous` and `*_prev` fields.
pub const JSON_VERSION: u32 = 4;

pub struct JsonReporter;

impl Reporter for JsonReporter {
    fn write(&self, report: &Report, kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        let mut doc = Map::new();
        doc.insert("version".into(), json!(JSON_VERSION));
        doc.insert("report".into(), json!(kind.name()));
        doc.insert(
            "window".into(),
            json!({
                "since": report.since.map(format_rfc3339),
                "until": report.until.map(format_rfc3339),
            }),
        );
        doc.insert(
            "period".into(),
            // RFC 3339 in UTC whatever the zone: a field for programs, not readers.
            match (report.aggregates.first_time, report.aggregates.last_time) {
                (Some(first), Some(last)) => {
                    json!({ "first_visit": format_rfc3339(first), "last_visit": format_rfc3339(last) })
                }
                _ => Value::Null,
            },
        );
        doc.insert("time_zone".into(), json!(report.aggregates.zone.name()));
        doc.insert("site_hosts".into(), json!(report.site_hosts));
        doc.insert("inputs".into(), json!(report.inputs));
        doc.insert("lines".into(), json!(report.aggregates.line_counts()));
        doc.insert("cut".into(), json!(report.aggregates.cut));
        let headline = json!(report.headline());
        let channels = || json!(report.channel_rows());
        let pages = || json!(report.page_rows());
        let daily = || {
            Value::Array(
                report
                    .day_rows()
                    .into_iter()
                    .map(|d| {
                        let by_channel: Map<String, Value> = Channel::ALL
                            .iter()
                            .map(|c| (c.name().to_string(), json!(d.channels[c.index()])))
                            .collect();
                        let mut row = json!({
                            "date": d.date,
                            "visits": d.visits,
                            "dark_social": d.dark_social,
                            "dark_social_pct": two(d.dark_social_pct),
                            "pageviews": d.pageviews,
                            "channels": by_channel,
                        });
                        if let (Some(prev), Value::Object(row)) = (d.prev, &mut row) {
                            let p = prev.as_ref();
                            row.insert("date_prev".into(), json!(p.map(|p| &p.date)));
                            row.insert("visits_prev".into(), json!(p.map(|p| p.visits)));
                            row.insert("dark_social_prev".into(), json!(p.map(|p| p.dark_social)));
                            row.insert(
                                "dark_social_pct_prev".into(),
                                json!(p.map(|p| two(p.dark_social_pct))),
                            );
                            row.insert(
                                "visits_change_pct".into(),
                                json!(p.and_then(|p| p.visits_change_pct).map(two)),
                            );
                        }
                        row
                    })
                    .collect(),
            )
        };
        match kind {
            ReportKind::Summary => {
                doc.insert("headline".into(), headline);
                if let Some(previous) = previous(report) {
                    doc.insert("previous".into(), previous);
                }
                doc.insert("channels".into(), channels());
                doc.insert("reasons".into(), json!(report.reason_rows()));
                doc.insert("pages".into(), pages());
                doc.insert("daily".into(), daily());
            }
            ReportKind::Channels => {
                doc.insert("headline".into(), headline);
                if let Some(previous) = previous(report) {
                    doc.insert("previous".into(), previous);
                }
                doc.insert("channels".into(), channels());
            }
            ReportKind::Pages => {
                doc.insert("pages".into(), pages());
            }
            ReportKind::Daily => {
                doc.insert("daily".into(), daily());
            }
            ReportKind::Shares => {
                doc.insert("shares".into(), json!(report.share_rows()));
            }
            ReportKind::Visits => {
                // The rows are streamed into the document's last member, one at a time,
                // laid out as the pretty printer lays out an array.
                let head = serde_json::to_string_pretty(&Value::Object(doc))?;
                let head = head.strip_suffix("\n}").unwrap_or(&head);
                write!(out, "{head},\n  \"visits\": [")?;
                let mut first = true;
                report.each_visit(|r| {
                    let row = json!({
                        "start": format_rfc3339(r.start),
                        "visitor": r.visitor,
                        "landing": r.landing,
                        "channel": r.channel,
                        "source": r.source,
                        "reason": r.reason.id(),
                        "pageviews": r.pageviews,
                        "end": format_rfc3339(r.end),
                        "hits": r.hits,
                        "referrer_host": r.referrer_host,
                    });
                    let text = serde_json::to_string_pretty(&row)?;
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    for (i, line) in text.lines().enumerate() {
                        if i > 0 {
                            out.write_all(b"\n")?;
                        }
                        write!(out, "    {line}")?;
                    }
                    Ok(())
                })?;
                return out.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" });
            }
        }
        serde_json::to_writer_pretty(&mut *out, &Value::Object(doc))?;
        out.write_all(b"\n")
    }
}

/// With `--compare previous`: the period before, its headline, the change, and the pages
/// whose dark-social visits grew most.
fn previous(report: &Report) -> Option<Value> {
    let (p, before) = (report.previous.as_ref()?, report.headline_prev()?);
    let now = report.headline();
    Some(json!({
        "since": format_rfc3339(p.since),
        "until": p.until.map(format_rfc3339),
        "headline": before,
        "visits_change_pct": change_pct(now.visits, before.visits).map(two),
        "dark_social_visits_change_pct": change_pct(now.dark_social_visits, before.dark_social_visits).map(two),
        "dark_social_pct_change_points": two(now.dark_social_pct - before.dark_social_pct),
        "grew_most": report.growing_pages(5),
    }))
}
