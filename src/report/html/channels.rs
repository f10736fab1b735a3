//! The channel table and its bars: every channel, what was left out, and the parts of
//! dark social, with the estimate's different base said where its share is shown.

use std::fmt::Write as _;

use super::markup::{change_cell, esc, num, pct_cell, table};
use super::svg;
use crate::classify::Channel;
use crate::report::{thousands, Report, RowKind};

pub(super) fn channels(out: &mut String, report: &Report) {
    let rows = report.channel_rows();
    let h = report.headline();
    out.push_str("<section aria-labelledby=\"s-channels\"><h2 id=\"s-channels\">Channels</h2>");
    let bars: Vec<(&str, u64, f64, usize)> = rows
        .iter()
        .filter(|r| r.kind == RowKind::Channel)
        .enumerate()
        .map(|(i, r)| (r.label, r.visits, r.visits_pct.unwrap_or(0.0), i))
        .collect();
    let _ = write!(out, "<figure>{}</figure>", svg::bars("ch", "Visits by channel", &bars));
    let compare = report.previous.is_some();
    let mut head =
        vec![("channel", false), ("kind", false), ("visits", true), ("share", true), ("page views", true)];
    if compare {
        head.extend([("visits before", true), ("change", true)]);
    }
    let trs: Vec<String> = rows
        .iter()
        .map(|r| {
            let class = match r.kind {
                RowKind::Part => " class=\"part\"",
                _ if r.channel == Channel::DarkSocial.name() => " class=\"total\"",
                _ => "",
            };
            let kind = match r.kind {
                RowKind::Channel => "channel",
                RowKind::Excluded => "left out",
                RowKind::Part => "part of dark social",
            };
            // The estimate's share is of the visits with the cached readers estimated
            // back, as the range's are, not of the visits above it: its cell says so.
            let share = match r.visits_pct {
                Some(v) if r.channel == "dark-social:estimated" && h.estimated_visits > 0 => format!(
                    "<td class=\"n\" data-v=\"{}\" title=\"of {} visits, with readers whose assets were cached\">{v:.1}%*</td>",
                    crate::report::row_types::two(v),
                    thousands(h.visits_with_estimate)
                ),
                v => pct_cell(v),
            };
            let mut tr = format!(
                "<tr{class}><td>{}</td><td>{kind}</td>{}{share}{}",
                esc(r.label),
                num(r.visits),
                num(r.pageviews)
            );
            if let Some(p) = r.prev {
                tr.push_str(&num(p.visits_prev));
                tr.push_str(&change_cell(p.visits_change_pct, r.visits));
            }
            tr.push_str("</tr>");
            tr
        })
        .collect();
    table(out, "Visits, share of visits and page views by channel; excluded traffic and the parts of dark social below", &head, &trs);
    if h.estimated_visits > 0 {
        let _ = write!(
            out,
            "<p class=\"muted\">* The estimate's share is of the {} visits with the readers whose assets were \
             cached estimated back, in every channel, as the range's are; the other shares are of the {} visits \
             with browser evidence.</p>",
            thousands(h.visits_with_estimate),
            thousands(h.visits)
        );
    }
    out.push_str("</section>\n");
}
