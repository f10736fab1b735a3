//! The page's charts, drawn as inline SVG: no library, no fetch, and every chart with a
//! `<title>` and a `<desc>` that say in words what it shows (the tables beside each chart
//! hold the same numbers). Colours come from the page's classes (`c0`…`c7`, one per
//! channel), so dark mode and print restyle them. Coordinates are written with one
//! decimal: a year of days stays a few hundred kilobytes.

use std::fmt::Write as _;

use super::esc;
use crate::report::thousands;

/// Opens an `<svg>` of `w`×`h` user units labelled by its title and description.
fn open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" preserveAspectRatio=\"xMinYMin meet\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    );
}

/// Horizontal bars: one per `(label, value, share %, colour class)`, longest = full width.
pub fn bars(id: &str, title: &str, rows: &[(&str, u64, f64, usize)]) -> String {
    let (w, row_h, label_w, value_w) = (640.0, 26.0, 110.0, 130.0);
    let h = row_h * rows.len() as f64 + 4.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let desc: Vec<String> = rows.iter().map(|(l, v, p, _)| format!("{l}: {}, {p:.1}%", visits(*v))).collect();
    let mut out = String::new();
    open(&mut out, id, w, h, title, &desc.join("; "));
    let plot = w - label_w - value_w;
    for (i, (label, v, p, class)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        let bw = (*v as f64 / max * plot).max(if *v > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{:.1}\">{}</text><rect class=\"c{class}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" rx=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{} · {p:.1}%</text>",
            y + row_h * 0.65,
            esc(label),
            y + 3.0,
            row_h - 8.0,
            label_w + bw + 6.0,
            y + row_h * 0.65,
            thousands(*v)
        );
    }
    out.push_str("</svg>");
    out
}

/// Where a day's label goes: the first, the last and a few between (fewer when the
/// labels are whole dates, which are wider).
fn labelled(i: usize, n: usize, whole: bool) -> bool {
    let step = n.div_ceil(if whole { 4 } else { 6 }).max(1);
    i == 0 || i + 1 == n || (i.is_multiple_of(step) && n - i > step / 2)
}

/// The first label starts at its day, the last ends at it: both stay inside the chart.
fn anchor(i: usize, n: usize) -> &'static str {
    match i {
        _ if n == 1 => "middle",
        0 => "start",
        i if i + 1 == n => "end",
        _ => "middle",
    }
}

/// A day's label on an axis: `11-08`, or the whole date when the days span more than one
/// year (`08-01 … 11-08` over 31 years read as one).
fn day_label(date: &str, whole: bool) -> &str {
    if whole {
        date
    } else {
        date.get(5..).unwrap_or(date)
    }
}

/// Whether `days` (dates first) fall in more than one year.
fn years_differ<T>(days: &[(String, T)]) -> bool {
    match (days.first(), days.last()) {
        (Some(a), Some(b)) => a.0.get(..4) != b.0.get(..4),
        _ => false,
    }
}

const PLOT: (f64, f64, f64, f64) = (46.0, 8.0, 640.0, 200.0); // left, top, width, height

/// Visits per day, stacked by channel: `days` are `(date, visits per channel)`, `names`
/// the channels in the same order.
pub fn stacked(id: &str, title: &str, days: &[(String, Vec<u64>)], names: &[&str]) -> String {
    let (left, top, w, h) = PLOT;
    let plot_w = w - left - 4.0;
    let max = days.iter().map(|d| d.1.iter().sum::<u64>()).max().unwrap_or(0).max(1);
    let scale = (h - top - 24.0) / max as f64;
    let n = days.len().max(1);
    let slot = plot_w / n as f64;
    let bar = (slot * 0.8).max(0.5);
    let busiest = days.iter().max_by_key(|d| d.1.iter().sum::<u64>());
    let quiet = days.iter().filter(|d| d.1.iter().all(|&c| c == 0)).count();
    let quiet = if quiet > 0 { format!(" ({quiet} of them without a visit)") } else { String::new() };
    let whole = years_differ(days);
    let desc = match days {
        [] => "No days.".to_string(),
        [(day, _)] => format!("One day, {day}, with {}. The table below lists it.", visits(max)),
        _ => format!(
            "{} days from {} to {}{quiet}; the busiest, {}, had {}. The table below lists every day with visits.",
            days.len(),
            days.first().map_or("", |d| &d.0),
            days.last().map_or("", |d| &d.0),
            busiest.map_or("", |d| &d.0),
            visits(max)
        ),
    };
    let mut out = String::new();
    open(&mut out, id, w, h, title, &desc);
    let base = h - 24.0;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\"/><text x=\"0\" y=\"{:.1}\">{}</text>\
         <line class=\"grid\" x1=\"{left}\" y1=\"{top}\" x2=\"{:.1}\" y2=\"{top}\"/><text x=\"0\" y=\"{:.1}\">0</text>",
        w - 4.0,
        top + 4.0,
        thousands(max),
        w - 4.0,
        base
    );
    for (i, (date, counts)) in days.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar) / 2.0;
        let total: u64 = counts.iter().sum();
        // A day without visits draws nothing: over years of quiet days, a title each
        // made pages of megabytes.
        if total > 0 {
            let parts: Vec<String> = names
                .iter()
                .zip(counts)
                .filter(|(_, &c)| c > 0)
                .map(|(n, c)| format!("{n} {}", thousands(*c)))
                .collect();
            let by_channel = format!(" ({})", parts.join(", "));
            let _ = write!(out, "<g><title>{date}: {}{}</title>", visits(total), esc(&by_channel));
            let mut y = base;
            for (class, &c) in counts.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let bh = c as f64 * scale;
                y -= bh;
                let _ = write!(
                    out,
                    "<rect class=\"c{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\"/>"
                );
            }
            out.push_str("</g>");
        }
        if labelled(i, days.len(), whole) {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
                x + bar / 2.0,
                h - 6.0,
                anchor(i, days.len()),
                day_label(date, whole)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The dark-social share per day as a line, 0 to the highest share rounded up to 10%. A
/// day without visits has no share: a gap in the line, not a fall to 0%.
pub fn share_line(id: &str, title: &str, days: &[(String, Option<f64>)]) -> String {
    let (left, top, w, h) = PLOT;
    let plot_w = w - left - 12.0;
    let shares = || days.iter().filter_map(|d| d.1);
    let top_pct = (shares().fold(0.0, f64::max) / 10.0).ceil().max(1.0) * 10.0;
    let base = h - 24.0;
    let scale = (base - top) / top_pct;
    let n = days.len();
    let x_of =
        |i: usize| if n <= 1 { left + plot_w / 2.0 } else { left + i as f64 * plot_w / (n - 1) as f64 };
    let (lo, hi) = shares().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p), hi.max(p)));
    let quiet = days.iter().filter(|d| d.1.is_none()).count();
    let whole = years_differ(days);
    let desc = match (n, quiet) {
        (0, _) => "No days.".to_string(),
        (1, 0) => format!("{lo:.1}% of the day's visits. The table below lists it."),
        (_, 0) => format!(
            "From {lo:.1}% to {hi:.1}% of a day's visits, over {n} days. The table below lists every day."
        ),
        _ if quiet == n => format!("No visits on any of {n} days."),
        _ => format!(
            "From {lo:.1}% to {hi:.1}% of a day's visits, over {n} days; {quiet} had no visits (gaps in the \
             line). The table below lists every day with visits."
        ),
    };
    let mut out = String::new();
    open(&mut out, id, w, h, title, &desc);
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\"/><text x=\"0\" y=\"{base}\">0%</text>\
         <line class=\"grid\" x1=\"{left}\" y1=\"{top}\" x2=\"{:.1}\" y2=\"{top}\"/><text x=\"0\" y=\"{:.1}\">{top_pct:.0}%</text>",
        w - 4.0,
        w - 4.0,
        top + 4.0
    );
    // One line for each run of days with visits.
    for run in days.iter().enumerate().collect::<Vec<_>>().split(|(_, d)| d.1.is_none()) {
        let points: Vec<String> = run
            .iter()
            .filter_map(|(i, d)| d.1.map(|p| format!("{:.1},{:.1}", x_of(*i), base - p * scale)))
            .collect();
        if !points.is_empty() {
            let _ = write!(out, "<polyline class=\"line\" points=\"{}\"/>", points.join(" "));
        }
    }
    for (i, (date, p)) in days.iter().enumerate() {
        // A dot a day while they can be told apart; the line alone beyond, but for a day
        // with quiet days either side, which no line would show.
        let alone = || (i == 0 || days[i - 1].1.is_none()) && days.get(i + 1).is_none_or(|d| d.1.is_none());
        if let (Some(p), true) = (p, n <= 62 || alone()) {
            let _ = write!(
                out,
                "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{date}: {p:.1}%</title></circle>",
                x_of(i),
                base - p * scale
            );
        }
        if labelled(i, n, whole) {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
                x_of(i),
                h - 6.0,
                anchor(i, n),
                day_label(date, whole)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// `1 visit`, `2,345 visits`.
fn visits(n: u64) -> String {
    if n == 1 {
        "1 visit".to_string()
    } else {
        format!("{} visits", thousands(n))
    }
}

/// Points a sparkline draws at most: a word-sized line cannot show more, and years of
/// days, each a point and a number in its label, made every row of the page kilobytes.
const SPARK_POINTS: usize = 120;

/// A word-sized line of daily counts, labelled with them; more days than it can show
/// are summed into spans of days, and the label says how many days a span is.
pub fn spark(values: &[u64], first: &str, last: &str) -> String {
    let (w, h) = (100.0, 20.0);
    let span = values.len().div_ceil(SPARK_POINTS).max(1);
    let values: Vec<u64> = values.chunks(span).map(|c| c.iter().sum()).collect();
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len();
    let x_of = |i: usize| if n <= 1 { w / 2.0 } else { i as f64 * w / (n - 1) as f64 };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", x_of(i), h - 1.0 - v as f64 / max * (h - 2.0)))
        .collect();
    let counts: Vec<String> = values.iter().map(u64::to_string).collect();
    let per = if span == 1 { "a day".to_string() } else { format!("per {span} days") };
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"dark-social visits {per}, {first} to {last}: {}\" preserveAspectRatio=\"none\"><polyline points=\"{}\"/></svg>",
        counts.join(", "),
        points.join(" ")
    )
}
