//! The page's small pieces of markup: escaped text, number cells, sortable tables, and
//! the Content-Security-Policy that names the inline style's and script's hashes.

use std::fmt::Write as _;

use base64::Engine as _;
use sha2::Digest as _;

use super::{SCRIPT, STYLE};
use crate::report::row_types::two;
use crate::report::text::{controls, printable};
use crate::report::{thousands, Report};

/// `text` safe in HTML text and in a quoted attribute. Controls and bidirectional
/// overrides are written as the table and Markdown write them (`\x1b`, `\u{202e}`,
/// [`printable`]): a path that reverses the text after it must not make the page read
/// otherwise.
pub(crate) fn esc(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The CSP source of an inline element's text: `'sha256-…'`.
fn hash_source(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    )
}

/// The policy: nothing may be fetched, framed, posted or based elsewhere; the page's own
/// style and script run because their hashes are named.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        hash_source(STYLE),
        hash_source(SCRIPT)
    )
}

/// A number cell: shown with separators, `data-v` as JSON has it.
pub(super) fn num(v: u64) -> String {
    format!("<td class=\"n\" data-v=\"{v}\">{}</td>", thousands(v))
}

pub(super) fn pct_cell(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("<td class=\"n\" data-v=\"{}\">{v:.1}%</td>", two(v)),
        None => "<td class=\"n\">–</td>".to_string(),
    }
}

pub(super) fn change_cell(v: Option<f64>, now: u64) -> String {
    match v {
        Some(v) => {
            let class = if v > 0.0 {
                " up"
            } else if v < 0.0 {
                " down"
            } else {
                ""
            };
            format!("<td class=\"n{class}\" data-v=\"{}\">{v:+.1}%</td>", two(v))
        }
        None if now > 0 => "<td class=\"n up\">new</td>".to_string(),
        None => "<td class=\"n\">–</td>".to_string(),
    }
}

/// A sortable table: `head` is `(label, numeric)`, rows are `<tr>…</tr>` already.
pub(super) fn table(out: &mut String, caption: &str, head: &[(&str, bool)], rows: &[String]) {
    let _ = write!(
        out,
        "<div class=\"scroll\"><table class=\"sortable\"><caption>{}</caption><thead><tr>",
        esc(caption)
    );
    for (label, numeric) in head {
        let class = if *numeric { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", esc(label));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str(r);
    }
    if rows.is_empty() {
        // A table of nothing says so, rather than leave a reader to wonder what failed.
        let _ = write!(out, "<tr><td colspan=\"{}\" class=\"muted\">none</td></tr>", head.len().max(1));
    }
    out.push_str("</tbody></table></div>");
}

/// Columns of a path a cell shows (as the table counts them: a CJK letter is two): a
/// longer one (a scanner's 5,000-character probe) would wrap into a wall that pushes its
/// numbers a screen down.
const PATH_CHARS: usize = 160;

/// A path's cell: whole, or its middle left out; a path whose letters are
/// percent-encoded (`/2026/%E6%97%A5%E6%9C%AC`) shown as a reader reads it (`/2026/日本`).
/// The path as logged, which the other reports and the JSON key on, is its title.
pub(super) fn path_cell(path: &str) -> String {
    let shown = shown_path(path);
    if shown == path {
        return format!("<td class=\"path\">{}</td>", esc(path));
    }
    format!("<td class=\"path\" title=\"{}\">{}</td>", esc(path), esc(&shown))
}

/// A path as the page shows it: its encoded letters as letters, its middle left out past
/// [`PATH_CHARS`].
pub(super) fn shown_path(path: &str) -> String {
    crate::report::text::middle_ellipsis(&readable(path), PATH_CHARS)
}

/// `path` with its percent-encoded letters beyond ASCII decoded, when they decode to
/// UTF-8 text; escapes of ASCII (`%2F`, `%20`, `%3C`) stay as they are, so that what
/// the path means cannot change on the page.
fn readable(path: &str) -> std::borrow::Cow<'_, str> {
    let bytes = path.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut decoded = false;
    while i < bytes.len() {
        let escape = bytes.get(i..i + 3).and_then(|e| match e {
            [b'%', h, l] => Some(hex(*h)? * 16 + hex(*l)?),
            _ => None,
        });
        match escape {
            Some(b) if b >= 0x80 => {
                out.push(b as u8);
                decoded = true;
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) if decoded && !text.chars().any(controls) => std::borrow::Cow::Owned(text),
        _ => std::borrow::Cow::Borrowed(path),
    }
}

/// The inputs and what was read of each. A merge's inputs are states, which keep no
/// files: no table then, rather than an empty one.
pub(super) fn inputs_table(out: &mut String, inputs: &[crate::report::InputSummary]) {
    if inputs.is_empty() {
        return;
    }
    let trs: Vec<String> = inputs
        .iter()
        .map(|i| {
            format!(
                "<tr><td class=\"path\">{}</td><td>{}</td>{}{}<td>{}</td></tr>",
                esc(&i.name),
                esc(&match (i.format.as_deref(), i.compression) {
                    (Some(f), Some(c)) => format!("{f}, {c}"),
                    (f, _) => f.unwrap_or("–").to_string(),
                }),
                num(i.lines),
                num(i.malformed),
                esc(i.error.as_deref().unwrap_or(if i.lines == 0 { "no line read" } else { "" }))
            )
        })
        .collect();
    let head =
        [("input", false), ("format", false), ("lines", true), ("malformed", true), ("problem", false)];
    table(out, "Inputs", &head, &trs);
}

/// What changes what the figures mean, under the headline: a page is read where stderr
/// is not.
pub(super) fn caveats(out: &mut String, caveats: &[String]) {
    if caveats.is_empty() {
        return;
    }
    out.push_str("<div class=\"caveats\" role=\"note\"><p><strong>Read with care</strong></p><ul>");
    for c in caveats {
        let _ = write!(out, "<li>{}</li>", esc(c));
    }
    out.push_str("</ul></div>");
}

/// How the page was made: the inputs, the window and the flags that changed the figures.
pub(super) fn how(out: &mut String, report: &Report) {
    out.push_str("<section aria-labelledby=\"s-how\"><h2 id=\"s-how\">How it was made</h2>");
    inputs_table(out, &report.inputs);
    // In the zone the report's days are in, as the header reads them; UTC beside it.
    let zone = &report.aggregates.zone;
    let local = |t: i64| match zone.is_utc() {
        true => crate::time::format_rfc3339(t),
        false => format!("{} ({})", crate::time::format_in_zone(t, zone), crate::time::format_rfc3339(t)),
    };
    let bound = |t: Option<i64>| t.map_or_else(|| "open".to_string(), local);
    let window = match (report.since, report.until) {
        (None, None) => "the whole of the logs".to_string(),
        (since, until) => format!("{} to {}", bound(since), bound(until)),
    };
    let mut facts = vec![
        ("Window", window),
        ("Time zone", report.aggregates.zone.name().to_string()),
        (
            "Site",
            if report.site_hosts.is_empty() { "not known".to_string() } else { report.site_hosts.join(", ") },
        ),
        ("Rules file", report.rules_file.clone().unwrap_or_else(|| "none (the built-in rules)".to_string())),
        (
            "Browser evidence",
            report.evidence.why_not().map_or("required".to_string(), |why| format!("not asked for: {why}")),
        ),
        ("darklog", env!("CARGO_PKG_VERSION").to_string()),
    ];
    let at = facts.len() - 1;
    facts.splice(at..at, report.made_with.iter().cloned());
    if let Some(p) = &report.previous {
        facts.insert(1, ("Compared with", format!("{} to {}", bound(Some(p.since)), bound(p.until))));
    }
    out.push_str("<dl class=\"facts\">");
    for (k, v) in facts {
        let _ = write!(out, "<dt>{k}</dt><dd>{}</dd>", esc(&v));
    }
    out.push_str("</dl></section>\n");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn percent_encoded_letters_are_shown_as_letters() {
        use super::{path_cell, readable};
        assert_eq!(readable("/2026/11/%E6%97%A5%E6%9C%AC-tech"), "/2026/11/日本-tech");
        assert_eq!(readable("/caf%c3%a9%2Fx%20y"), "/café%2Fx%20y", "ASCII escapes stay");
        assert_eq!(readable("/bad%E6%97"), "/bad%E6%97", "not UTF-8: as logged");
        assert_eq!(readable("/%C2%9B"), "/%C2%9B", "a control: as logged");
        assert_eq!(readable("/plain%zz"), "/plain%zz");
        assert_eq!(
            path_cell("/%E6%97%A5"),
            "<td class=\"path\" title=\"/%E6%97%A5\">/日</td>",
            "the path as logged is the title"
        );
    }

    #[test]
    fn markup_and_text_that_reads_otherwise_are_escaped() {
        assert_eq!(esc("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
        assert_eq!(esc("/a\x1bb"), "/a\\x1bb");
        // A right-to-left override would show "exe.gpj" as "jpg.exe" on the page.
        assert_eq!(esc("/\u{202e}gpj.exe/\u{2066}x\u{2069}"), "/\\u{202e}gpj.exe/\\u{2066}x\\u{2069}");
        assert_eq!(esc("/caf\u{e9}"), "/caf\u{e9}");
    }
}
