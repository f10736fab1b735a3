//! One self-contained HTML page that tells the whole story whatever `--report` says: the
//! headline, channels, the days, what is shared, why (the rules that decided and what was
//! left out), and how the report was made. Nothing is fetched: the style and the script
//! are inline, the charts inline SVG ([`svg`]), and a Content-Security-Policy allows only
//! those two by their hashes, so the page works offline, from a mail attachment or a
//! file share, and cannot be made to load anything. Tables are complete in the HTML;
//! a few lines of script sort them by a column. Every number a cell shows is also in its
//! `data-v`, as the JSON report writes it.

mod channels;
mod markup;
mod svg;

use std::fmt::Write as _;
use std::io::{self, Write};

use super::table::comparison;
use super::{thousands, Report, ReportKind, Reporter, RowKind, MIN_CACHED_RATE_SAMPLE};
use crate::classify::Channel;
use crate::time::format_date;
pub use markup::content_security_policy;
pub(crate) use markup::esc;
use markup::{change_cell, num, path_cell, pct_cell, table};

pub struct HtmlReporter;

/// The range as the page's big figure and title say it, `14.2% to 29.1% {of}`, or `no
/// visits` when there is none to take a share of.
fn range_text(h: &super::Headline, of: &str) -> String {
    if h.visits == 0 {
        return "no visits".into();
    }
    format!("{:.1}% to {:.1}% {of}", h.range_low_pct, h.range_high_pct)
}

pub(super) const STYLE: &str = include_str!("page.css");
pub(super) const SCRIPT: &str = include_str!("sort.js");

impl HtmlReporter {
    pub fn page(&self, report: &Report) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let h = report.headline();
        let zone = report.aggregates.zone.name();
        let period = report.aggregates.first_time.zip(report.aggregates.last_time).map(|(a, b)| {
            let z = &report.aggregates.zone;
            (format_date(z.day_of(a)), format_date(z.day_of(b)))
        });
        let period_text = match &period {
            Some((a, b)) if a == b => format!("{a} ({zone})"),
            Some((a, b)) => format!("{a} to {b} ({zone})"),
            None => "no visits".to_string(),
        };
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
             <meta name=\"referrer\" content=\"no-referrer\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"color-scheme\" content=\"light dark\">\
             <meta name=\"generator\" content=\"darklog {}\">\
             <title>Dark social {}</title><style>{STYLE}</style></head><body>\n",
            content_security_policy(),
            env!("CARGO_PKG_VERSION"),
            match period {
                Some(_) => format!("{} · {}", range_text(&h, "of visits"), esc(&period_text)),
                None => range_text(&h, "of visits"),
            }
        );
        let hosts = if report.site_hosts.is_empty() {
            String::new()
        } else {
            format!("{} · ", report.site_hosts.join(", "))
        };
        let _ = writeln!(
            out,
            "<header><h1>Dark social report</h1><p class=\"muted\">{}{}</p></header><main>",
            esc(&hosts),
            esc(&period_text)
        );
        self.headline(&mut out, report, &period_text);
        channels::channels(&mut out, report);
        self.over_time(&mut out, report);
        self.shared(&mut out, report);
        self.why(&mut out, report);
        markup::how(&mut out, report);
        let _ = writeln!(
            out,
            "</main><footer>Made by darklog {} from the server's access logs. This page fetches nothing.</footer>\
             <script>{SCRIPT}</script></body></html>",
            env!("CARGO_PKG_VERSION")
        );
        out
    }

    fn headline(&self, out: &mut String, report: &Report, period: &str) {
        let h = report.headline();
        out.push_str("<section aria-labelledby=\"s-headline\"><h2 id=\"s-headline\">Dark social</h2>");
        if h.visits == 0 {
            let read = report.aggregates.line_counts().read;
            let _ = write!(
                out,
                "<p class=\"big\" id=\"range\">no visits</p><p>None of the <span data-v=\"{read}\">{}</span> \
                 lines read made a reader's visit: the line accounting under “Why” says what they were.</p>",
                thousands(read)
            );
            markup::caveats(out, &report.caveats);
            out.push_str("</section>\n");
            return;
        }
        // What the range stands on: browser evidence and the estimate of readers with
        // cached assets, or why either is missing.
        let evidence = match (report.evidence.why_not(), h.cached_rate) {
            (Some(why), _) => format!("; no browser evidence was asked for ({})", esc(&why)),
            (None, Some(_)) => format!(
                " with browser evidence; with the readers whose assets were cached, <span data-v=\"{}\">{}</span>",
                h.dark_social_visits + h.estimated_visits,
                thousands(h.dark_social_visits + h.estimated_visits)
            ),
            (None, None) => format!(
                " with browser evidence; readers with cached assets are not estimated ({} visits from other \
                 sites, {} needed)",
                thousands(h.cached_rate_sample),
                MIN_CACHED_RATE_SAMPLE
            ),
        };
        // The range's shares are of the visits with every channel's cached readers
        // estimated back, not of the visits the cards' shares are of: say which.
        let base = if h.visits_with_estimate != h.visits {
            format!(
                "of <span data-v=\"{}\">{}</span> visits, with readers whose assets were cached",
                h.visits_with_estimate,
                thousands(h.visits_with_estimate)
            )
        } else {
            "of visits".to_string()
        };
        let _ = write!(
            out,
            "<p class=\"big\" id=\"range\">{} </p>\
             <p><span data-v=\"{}\">{}</span> of <span data-v=\"{}\">{}</span> visits ({:.1}%) came through links shared in private \
             (messaging apps, email, chat){evidence}. Period: <span class=\"nw\">{}</span>.</p>",
            range_text(&h, &format!("<small>{base}</small>")),
            h.dark_social_visits,
            thousands(h.dark_social_visits),
            h.visits,
            thousands(h.visits),
            h.dark_social_pct,
            esc(period)
        );
        markup::caveats(out, &report.caveats);
        out.push_str("<dl class=\"cards\">");
        for (term, v, p, what) in [
            (
                "Identified",
                h.identified_visits,
                Some(h.identified_pct),
                "a link preview, a campaign tag, an app's browser",
            ),
            (
                "Inferred",
                h.inferred_visits,
                Some(h.inferred_pct),
                if report.evidence.required() {
                    "no referrer on a deep page, with browser evidence"
                } else {
                    "no referrer on a deep page"
                },
            ),
            (
                "Estimated",
                h.estimated_visits,
                None,
                match (report.evidence.required(), h.cached_rate) {
                    (true, Some(_)) => "readers whose assets were cached",
                    (true, None) => "not estimated: too few visits from other sites",
                    (false, _) => "none needed: every visit counts",
                },
            ),
        ] {
            let share = p.map_or(String::new(), |p| format!(" <small>{p:.1}%</small>"));
            let _ = write!(
                out,
                "<div><dt>{term}</dt><dd><span data-v=\"{v}\">{}</span>{share}</dd><dd><small>{what}</small></dd></div>",
                thousands(v)
            );
        }
        out.push_str("</dl>");
        let _ = write!(out, "<p class=\"muted\">{}</p>", esc(&report.range()));
        if let Some(text) = comparison(report) {
            let _ = write!(out, "<p id=\"change\"><strong>{}</strong></p>", esc(&text));
            let grown = report.growing_pages(5);
            if !grown.is_empty() {
                out.push_str("<p>Grew most (dark-social visits):</p><ul>");
                for g in grown {
                    let _ = write!(
                        out,
                        "<li>{} <span class=\"up\">+{}</span> ({} from {})</li>",
                        esc(&markup::shown_path(&g.landing)),
                        g.change,
                        g.dark_social_visits,
                        g.dark_social_visits_prev
                    );
                }
                out.push_str("</ul>");
            }
        }
        out.push_str("</section>\n");
    }

    fn over_time(&self, out: &mut String, report: &Report) {
        out.push_str("<section aria-labelledby=\"s-time\"><h2 id=\"s-time\">Over time</h2>");
        let daily = &report.aggregates.daily;
        let (Some(&first), Some(&last)) = (daily.keys().next(), daily.keys().next_back()) else {
            out.push_str("<p>No visits.</p></section>\n");
            return;
        };
        // Every day from the first to the last, the quiet ones too: gaps would bend time.
        let days: Vec<(String, Vec<u64>)> = (first..=last)
            .map(|d| {
                (
                    format_date(d),
                    daily.get(&d).map_or_else(|| vec![0; Channel::ALL.len()], |c| c.channels.to_vec()),
                )
            })
            .collect();
        let names: Vec<&str> = Channel::ALL.iter().map(|c| c.name()).collect();
        let zone = report.aggregates.zone.name();
        out.push_str("<h3>Visits per day, by channel</h3><ul class=\"legend\" aria-hidden=\"true\">");
        for (i, n) in names.iter().enumerate() {
            let _ = write!(out, "<li><span class=\"c{i}\"></span>{n}</li>");
        }
        out.push_str("</ul>");
        let _ = write!(
            out,
            "<figure>{}<figcaption>Days in {}.</figcaption></figure>",
            svg::stacked("days", "Visits per day, stacked by channel", &days, &names),
            esc(zone)
        );
        let shares: Vec<(String, Option<f64>)> = days
            .iter()
            .map(|(d, c)| {
                let visits: u64 = c.iter().sum();
                (d.clone(), (visits > 0).then(|| crate::report::pct(c[Channel::DarkSocial.index()], visits)))
            })
            .collect();
        out.push_str("<h3>Dark-social share per day</h3>");
        let _ = write!(
            out,
            "<figure>{}</figure>",
            svg::share_line("share", "Dark-social share of each day's visits", &shares)
        );
        let compare = report.previous.is_some();
        let before = report.daily_before_header();
        let mut head = vec![("date", false), ("visits", true), ("dark social", true), ("dark share", true)];
        if compare {
            head.extend([(before.as_str(), true), ("change", true)]);
        }
        head.extend(Channel::ALL[1..].iter().map(|c| (c.name(), true)));
        let trs: Vec<String> = report
            .day_rows()
            .iter()
            .map(|r| {
                let mut tr = format!(
                    "<tr><td>{}</td>{}{}{}",
                    r.date,
                    num(r.visits),
                    num(r.dark_social),
                    pct_cell(Some(r.dark_social_pct))
                );
                match &r.prev {
                    Some(Some(p)) => {
                        tr.push_str(&num(p.visits));
                        tr.push_str(&change_cell(p.visits_change_pct, r.visits));
                    }
                    Some(None) => tr.push_str("<td class=\"n\">–</td><td class=\"n\">–</td>"),
                    None => {}
                }
                for &n in &r.channels[1..] {
                    tr.push_str(&num(n));
                }
                tr.push_str("</tr>");
                tr
            })
            .collect();
        table(out, &format!("Visits per day ({zone})"), &head, &trs);
        out.push_str("</section>\n");
    }

    fn shared(&self, out: &mut String, report: &Report) {
        out.push_str("<section aria-labelledby=\"s-shared\"><h2 id=\"s-shared\">What is shared</h2>");
        let series = &report.series;
        let (first, last) =
            (format_date(series.first_day), format_date(series.first_day + series.days as i64 - 1));
        let compare = report.previous.is_some();
        let mut head = vec![
            ("landing page", false),
            ("dark-social visits", true),
            ("share of all visits", true),
            ("all visits", true),
            ("dark share", true),
        ];
        // One day has no line to draw.
        let sparks = series.days > 1;
        if sparks {
            head.push(("per day", false));
        }
        if compare {
            head.extend([("dark before", true), ("change", true)]);
        }
        let trs: Vec<String> = report
            .page_rows()
            .iter()
            .map(|r| {
                let spark = series
                    .by_page
                    .get(r.landing.as_bytes())
                    .filter(|s| s.len() > 1)
                    .map_or(String::new(), |s| svg::spark(s, &first, &last));
                let spark = if sparks { format!("<td>{spark}</td>") } else { String::new() };
                let mut tr = format!(
                    "<tr>{}{}{}{}{}{spark}",
                    path_cell(&r.landing),
                    num(r.dark_social_visits),
                    pct_cell(Some(r.share_of_visits_pct)),
                    num(r.visits),
                    pct_cell(Some(r.dark_social_pct))
                );
                if let Some(p) = r.prev {
                    tr.push_str(&num(p.dark_social_visits_prev));
                    tr.push_str(&change_cell(p.dark_social_visits_change_pct, r.dark_social_visits));
                }
                tr.push_str("</tr>");
                tr
            })
            .collect();
        out.push_str("<h3>Top dark-social landing pages</h3>");
        table(out, "Landing pages by dark-social visits", &head, &trs);
        let mut head = vec![
            ("landing page", false),
            ("app", false),
            ("shares", true),
            ("preview fetches", true),
            ("visits", true),
            ("visits per share", true),
        ];
        if compare {
            head.extend([("shares before", true), ("change", true)]);
        }
        let trs: Vec<String> = report
            .share_rows()
            .iter()
            .map(|r| {
                let mut tr = format!(
                    "<tr>{}<td>{}</td>{}{}{}<td class=\"n\" data-v=\"{}\">{:.2}</td>",
                    path_cell(&r.landing),
                    esc(&r.app),
                    num(r.shares),
                    num(r.fetches),
                    num(r.visits),
                    r.visits_per_share,
                    r.visits_per_share
                );
                if let Some(p) = r.prev {
                    tr.push_str(&num(p.shares_prev));
                    tr.push_str(&change_cell(p.shares_change_pct, r.shares));
                }
                tr.push_str("</tr>");
                tr
            })
            .collect();
        out.push_str(
            "<h3>Shares by app</h3><p class=\"muted\">An app fetches a link's preview when someone shares it; \
             visits with no referrer that follow are that share's readers.</p>",
        );
        table(out, "Link-preview shares per landing page and app", &head, &trs);
        out.push_str("</section>\n");
    }

    fn why(&self, out: &mut String, report: &Report) {
        out.push_str("<section aria-labelledby=\"s-why\"><h2 id=\"s-why\">Why</h2>");
        out.push_str("<p>Each visit's channel is decided by the first rule, in this order, that has something to say.</p>");
        let trs: Vec<String> = report
            .reason_rows()
            .iter()
            .map(|r| {
                format!(
                    "<tr><td>{}</td><td>{}</td>{}{}</tr>",
                    r.reason,
                    esc(r.description),
                    num(r.visits),
                    pct_cell(Some(r.visits_pct))
                )
            })
            .collect();
        table(
            out,
            "Visits decided by each rule",
            &[("rule", false), ("what it looks at", false), ("visits", true), ("share", true)],
            &trs,
        );
        let trs: Vec<String> = report
            .channel_rows()
            .iter()
            .filter(|r| r.kind == RowKind::Excluded)
            .map(|r| format!("<tr><td>{}</td>{}{}</tr>", esc(r.label), num(r.visits), num(r.pageviews)))
            .collect();
        out.push_str("<h3>Left out</h3>");
        table(
            out,
            "Traffic that is not counted as visits",
            &[("what", false), ("visits", true), ("page views", true)],
            &trs,
        );
        let l = report.aggregates.line_counts();
        let trs: Vec<String> = [
            ("page views", l.pageviews),
            ("other hits (assets, errors, other methods)", l.other_hits),
            ("downloads", l.downloads),
            ("excluded: bots, previews, scrapers", l.excluded),
            ("unconfirmed: no browser evidence", l.unconfirmed),
            ("outside the window", l.outside_window),
            ("out of order", l.out_of_order),
            ("malformed", l.malformed),
            ("directives", l.directives),
            ("lines read", l.read),
        ]
        .iter()
        .map(|&(what, n)| {
            let sum = if what == "lines read" { " class=\"sum\"" } else { "" };
            format!("<tr{sum}><td>{what}</td>{}</tr>", num(n))
        })
        .collect();
        out.push_str("<h3>Every line accounted for</h3>");
        table(
            out,
            "Where every line read went (the terms add up to the lines read)",
            &[("lines", false), ("count", true)],
            &trs,
        );
        // With a state the period's lines are those of every run that read its days,
        // and the inputs table only this run's: two numbers a reader would take for one.
        let this_run: u64 = report.inputs.iter().map(|i| i.lines).sum();
        if !report.inputs.is_empty() && this_run != l.read {
            let _ = write!(
                out,
                "<p class=\"muted\">These are the lines of the report's days, as the state counted them over \
                 every run that read them; this run read <span data-v=\"{this_run}\">{}</span> (the inputs, \
                 under How it was made).</p>",
                thousands(this_run)
            );
        }
        if let Some(cut) = report.cut() {
            let _ = write!(out, "<p>{}</p>", esc(&cut));
        }
        out.push_str("</section>\n");
    }
}

impl Reporter for HtmlReporter {
    /// The page is the same for every report: it is the whole story.
    fn write(&self, report: &Report, _kind: ReportKind, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.page(report).as_bytes())
    }
}
