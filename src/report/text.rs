//! Text about a report that more than one output format prints: log text made safe for
//! a terminal, paths shortened and sentences wrapped to a width, and the sentences of a
//! comparison with the period before.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{Report, MIN_CACHED_RATE_SAMPLE};
use crate::time::format_rfc3339;

/// Display width of `s` in terminal columns.
pub(crate) fn width_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` cut to `max` columns by taking out its middle: the start and the end of a path
/// say the most (`/news/2026/…/budget-vote`).
pub fn middle_ellipsis(s: &str, max: usize) -> String {
    if width_of(s) <= max {
        return s.to_string();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let keep = max - 1;
    let (head_w, tail_w) = (keep.div_ceil(2), keep / 2);
    let (mut head, mut w) = (String::new(), 0);
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > head_w {
            break;
        }
        head.push(c);
        w += cw;
    }
    let (mut tail, mut w) = (Vec::new(), 0);
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > tail_w {
            break;
        }
        tail.push(c);
        w += cw;
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

/// `text` broken into lines of at most `width` columns at spaces (a word longer than a
/// line keeps its own line, whole).
pub fn wrap(text: &str, width: Option<usize>) -> String {
    let Some(width) = width else { return text.to_string() };
    let mut out = String::with_capacity(text.len() + 8);
    for (n, para) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut line = 0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = width_of(word);
            if line > 0 && line + 1 + w > width {
                out.push('\n');
                line = 0;
            } else if line > 0 {
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += w;
        }
    }
    out
}

/// The headline after "Dark social: ", as its figure and the rest of its sentence:
/// `29.1% of visits` and ` (1,134 of 3,900): 17.7% identified … + 11.4% inferred …`,
/// or `no visits` and nothing when there is no visit to take a share of.
pub fn headline_figures(h: &super::Headline) -> (String, String) {
    if h.visits == 0 {
        return ("no visits".into(), String::new());
    }
    (
        format!("{:.1}% of visits", h.dark_social_pct),
        format!(
            " ({} of {}): {:.1}% identified (shares, tags, apps) + {:.1}% inferred (no referrer on a deep page)",
            thousands(h.dark_social_visits),
            thousands(h.visits),
            h.identified_pct,
            h.inferred_pct
        ),
    )
}

/// With `--compare previous`, the headline against the period before, in a sentence.
/// A period before with no visit has no share to compare with, and a count that was 0
/// and is 0 has not changed.
pub fn comparison(report: &Report) -> Option<String> {
    let (p, before) = (report.previous.as_ref()?, report.headline_prev()?);
    let now = report.headline();
    let zone = &report.aggregates.zone;
    let day = |t: i64| crate::time::format_date(zone.day_of(t));
    let (first, last) = (day(p.since), day(p.until.map_or(p.since, |u| u - 1)));
    let days = if first == last { first } else { format!("{first} to {last}") };
    let count = |now: u64, before: u64, what: &str| {
        let change = match super::change_pct(now, before) {
            Some(v) => format!("{v:+.1}%"),
            None if now == 0 => "no change".to_string(),
            None => "new".to_string(),
        };
        format!("{} {what} (was {}, {change})", thousands(now), thousands(before))
    };
    let share = match (now.visits, before.visits) {
        (0, 0) => "no visits in either".to_string(),
        (0, _) => format!("no visits (was {:.1}% of visits)", before.dark_social_pct),
        (_, 0) => format!("{:.1}% of visits (no visits before)", now.dark_social_pct),
        _ => format!(
            "{:.1}% of visits (was {:.1}%, {:+.1} points)",
            now.dark_social_pct,
            before.dark_social_pct,
            now.dark_social_pct - before.dark_social_pct
        ),
    };
    Some(format!(
        "Against {days}: dark social {share}, {}, {}",
        count(now.dark_social_visits, before.dark_social_visits, "dark-social visits"),
        count(now.visits, before.visits, "visits"),
    ))
}

/// With `--compare previous`, the pages whose dark-social visits grew most, in a sentence;
/// paths longer than `max_path` lose their middle (a word longer than a line would break).
pub fn grew_most(report: &Report, max_path: Option<usize>) -> Option<String> {
    report.previous.as_ref()?;
    let grown = report.growing_pages(5);
    if grown.is_empty() {
        return Some("Grew most: no page has more dark-social visits than before".into());
    }
    let pages: Vec<String> = grown
        .iter()
        .map(|g| {
            let path = printable(&g.landing);
            let path = max_path.map_or_else(|| path.to_string(), |w| middle_ellipsis(&path, w));
            format!("{path} (+{}, {} from {})", g.change, g.dark_social_visits, g.dark_social_visits_prev)
        })
        .collect();
    Some(format!("Grew most (dark-social visits): {}", pages.join(", ")))
}

/// A character that drives a terminal or changes how the text around it reads: C0 and C1
/// controls, DEL, and the bidirectional marks, embeddings, overrides and isolates.
pub(crate) fn controls(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that could drive a terminal written as an escape instead:
/// C0 and C1 controls and DEL (`\x1b`, `\u{9b}`), and the bidirectional marks and
/// overrides that make a line read other than it is (`\u{202e}`). A request can put any
/// of them in a path, a query or a user agent, and a raw ESC in a table would be obeyed
/// by the terminal showing it. Everything else is left as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(controls) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match u32::from(c) {
            _ if !controls(c) => out.push(c),
            n @ 0..=0x7f => {
                let _ = write!(out, "\\x{n:02x}");
            }
            n => {
                let _ = write!(out, "\\u{{{n:x}}}");
            }
        }
    }
    Cow::Owned(out)
}

/// The report's sentences: the line accounting, the dark-social range, what the bounds
/// cut, the period.
impl Report {
    /// `12,345 lines read = 4,000 page views + …`: the line accounting in one sentence.
    pub fn accounting(&self) -> String {
        let l = &self.aggregates.line_counts();
        let n = |count: u64, one: &str, many: &str| {
            format!("{} {}", thousands(count), if count == 1 { one } else { many })
        };
        format!(
            "{} = {} + {} + {} + {} excluded (bots, previews, scrapers) + {} unconfirmed (no browser evidence) + {} outside the window + {} out of order + {} malformed + {}",
            n(l.read, "line read", "lines read"),
            n(l.pageviews, "page view", "page views"),
            n(l.other_hits, "other hit", "other hits"),
            n(l.downloads, "download", "downloads"),
            thousands(l.excluded),
            thousands(l.unconfirmed),
            thousands(l.outside_window),
            thousands(l.out_of_order),
            thousands(l.malformed),
            n(l.directives, "directive", "directives")
        )
    }

    /// The range in a sentence: from what signals name, through what the classic rule infers
    /// with browser evidence, to the estimate of readers with cached assets, or why there is
    /// none.
    pub fn range(&self) -> String {
        let h = self.headline();
        if h.visits == 0 {
            return "Range: none, with no visit to take a share of".into();
        }
        if let Some(why) = self.evidence.why_not() {
            return format!("Range: no browser evidence is asked for ({why}): every visit counts");
        }
        let mut text = format!(
            "Range: {} identified to {} with browser evidence",
            thousands(h.identified_visits),
            thousands(h.dark_social_visits)
        );
        match h.cached_rate {
            Some(r) => text.push_str(&format!(
                " to {} with readers whose assets were cached ({:.1}% of {} visits from other sites \
                 loaded no asset): {:.1}% to {:.1}% of {} visits with those readers",
                thousands(h.dark_social_visits + h.estimated_visits),
                r * 100.0,
                thousands(h.cached_rate_sample),
                h.range_low_pct,
                h.range_high_pct,
                thousands(h.visits_with_estimate)
            )),
            None => text.push_str(&format!(
                "; no estimate of readers with cached assets ({} visits from other sites, {} needed)",
                thousands(h.cached_rate_sample),
                MIN_CACHED_RATE_SAMPLE
            )),
        }
        text
    }

    /// What the bounds on the run's tables cut, in a sentence; `None` when they cut nothing
    /// (as on ordinary traffic).
    pub fn cut(&self) -> Option<String> {
        let c = &self.aggregates.cut;
        if !c.any() {
            return None;
        }
        let mut parts = Vec::new();
        if c.visitors > 0 {
            parts.push(format!(
                "{} visitors forgotten early, their visits closed, when too many were open at once",
                thousands(c.visitors)
            ));
        }
        if c.pages > 0 {
            parts.push(format!(
                "{} landing pages dropped from the pages table (a page's counts may be low by up to {})",
                thousands(c.pages),
                thousands(c.page_error)
            ));
        }
        if c.share_counters > 0 {
            parts.push(format!(
                "{} share counters dropped (a counter may be low by up to {})",
                thousands(c.share_counters),
                thousands(c.share_error)
            ));
        }
        if c.preview_paths > 0 {
            parts.push(format!(
                "{} shared paths forgotten early (visits to them no longer attributed to their app)",
                thousands(c.preview_paths)
            ));
        }
        if c.visit_pages > 0 {
            parts.push(format!(
                "{} page views of long visits not remembered (a later visit to them is not known as a return)",
                thousands(c.visit_pages)
            ));
        }
        if c.return_pairs > 0 {
            parts.push(format!(
                "{} reader-page pairs remembered approximately (a few shares may count as returns)",
                thousands(c.return_pairs)
            ));
        }
        Some(format!("bounds cut: {}", parts.join("; ")))
    }

    pub fn period(&self) -> Option<(String, String)> {
        // In the zone the report's days are in: its daily table is headed in that zone.
        let at = |t| crate::time::format_in_zone(t, &self.aggregates.zone);
        Some((at(self.aggregates.first_time?), at(self.aggregates.last_time?)))
    }
}

/// `2026-11-29 04:39:00`: a time as a spreadsheet reads a date-time, in `zone`.
pub fn format_local(ts: i64, zone: &crate::time::Zone) -> String {
    let local = ts + zone.offset_at(ts);
    let r = format_rfc3339(local);
    format!("{} {}", &r[..10], &r[11..19])
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
