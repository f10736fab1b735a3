//! JSON through serde: one document with a `version`, the line accounting always, and
//! the sections the chosen report holds.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{Report, ReportKind, Reporter};
use crate::classify::Channel;
use crate::time::format_rfc3339;

/// Bumped when a field changes meaning or goes away (new fields do not bump it).
pub const JSON_VERSION: u32 = 1;

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
            match report.period() {
                Some((first, last)) => json!({ "first_visit": first, "last_visit": last }),
                None => Value::Null,
            },
        );
        doc.insert("time_zone".into(), json!(report.aggregates.zone.name()));
        doc.insert("site_hosts".into(), json!(report.site_hosts));
        doc.insert("inputs".into(), json!(report.inputs));
        doc.insert("lines".into(), json!(report.aggregates.line_counts()));
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
                        json!({
                            "date": d.date,
                            "visits": d.visits,
                            "dark_social": d.dark_social,
                            "dark_social_pct": d.dark_social_pct,
                            "pageviews": d.pageviews,
                            "channels": by_channel,
                        })
                    })
                    .collect(),
            )
        };
        match kind {
            ReportKind::Summary => {
                doc.insert("headline".into(), headline);
                doc.insert("channels".into(), channels());
                doc.insert("pages".into(), pages());
                doc.insert("daily".into(), daily());
            }
            ReportKind::Channels => {
                doc.insert("headline".into(), headline);
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
                let rows: Vec<Value> = report
                    .visit_rows()
                    .into_iter()
                    .map(|r| {
                        json!({
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
                        })
                    })
                    .collect();
                doc.insert("visits".into(), Value::Array(rows));
            }
        }
        serde_json::to_writer_pretty(&mut *out, &Value::Object(doc))?;
        out.write_all(b"\n")
    }
}
