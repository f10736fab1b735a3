//! `--log-format auto`: which preset reads an input, judged from its first lines, and,
//! when none does, a format string to start from.

use std::sync::Arc;

use super::spec::{FormatOptions, Preset};
use super::{syslog, Format, LineCx, Parsed};

/// What detection concluded from a sample of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub format: Format,
    pub parsed: usize,
    pub sampled: usize,
}

/// Picks the preset that reads the most of `lines` (non-empty ones; a directive counts as
/// read); ties go to the more specific preset. Lines behind a syslog prefix are read
/// behind it. `None` when nothing reads at least half of the sample.
pub fn detect<'a>(lines: impl Iterator<Item = &'a [u8]> + Clone, opts: &FormatOptions) -> Option<Detection> {
    let all = lines.clone().count();
    let sampled = lines.clone().filter(|l| !l.is_empty()).count();
    let first = super::strip_lead(lines.clone().find(|l| !l.is_empty())?);
    let syslogged = syslog::prefix(first).is_some();
    let body = &first[syslog::prefix(first).unwrap_or(0)..];
    // The shape of the first line rules most presets out before any is tried.
    let candidates: Vec<Preset> = match body.first() {
        Some(b'#') => vec![Preset::W3c, Preset::Cloudfront],
        // Keys named with --json-field are the generic JSON layout's, whatever else reads them.
        Some(b'{') if !opts.json_fields.is_empty() => vec![Preset::Json, Preset::Caddy],
        Some(b'{') => vec![Preset::Caddy, Preset::Json],
        _ => Preset::ALL.into_iter().filter(|p| !matches!(p, Preset::W3c | Preset::Cloudfront)).collect(),
    };
    let mut best: Option<Detection> = None;
    for preset in candidates {
        let mut format = preset.build(opts);
        if syslogged {
            format = Format::Syslog(Arc::new(format));
        }
        let mut cx = LineCx::default();
        let (mut parsed, mut hits) = (0, 0);
        // A preset that cannot read more lines than the best so far stops trying: once one
        // reads every line, the others stop at their first miss.
        let to_beat = best.as_ref().map_or(0, |b| b.parsed);
        for (i, line) in lines.clone().enumerate() {
            match format.parse(line, &mut cx) {
                Parsed::Hit(_) => hits += 1,
                Parsed::Directive => {}
                Parsed::Malformed if to_beat > 0 && parsed + (all - i - 1) <= to_beat => break,
                Parsed::Malformed => continue,
            }
            parsed += 1;
        }
        if hits > 0 && best.as_ref().is_none_or(|b| parsed > b.parsed) {
            best = Some(Detection { format, parsed, sampled });
        }
    }
    best.filter(|d| d.parsed * 2 >= d.sampled)
}

/// The layout a user named, read behind a syslog prefix when `lines` carry one (as
/// detection reads every preset): named or detected, one file gives one answer.
pub fn behind_syslog<'a>(format: &Format, lines: impl Iterator<Item = &'a [u8]> + Clone) -> Format {
    let prefixed =
        lines.clone().find(|l| !l.is_empty()).is_some_and(|l| syslog::prefix(super::strip_lead(l)).is_some());
    if !prefixed || matches!(format, Format::Syslog(_)) {
        return format.clone();
    }
    let wrapped = Format::Syslog(Arc::new(format.clone()));
    let read = |f: &Format| {
        let mut cx = LineCx::default();
        lines.clone().filter(|l| !matches!(f.parse(l, &mut cx), Parsed::Malformed)).count()
    };
    // A format string whose first field takes anything up to a space reads the prefix
    // into it: behind the prefix, as well or better, is what the server wrote.
    let behind = read(&wrapped);
    if behind > 0 && behind >= read(format) {
        wrapped
    } else {
        format.clone()
    }
}

/// A format string that might read `line`, built from what its fields look like: the
/// start a user needs to write the right one.
pub fn suggest(line: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(super::strip_lead(line)).ok()?;
    let text = &text[syslog::prefix(line).unwrap_or(0)..];
    let mut out: Vec<String> = Vec::new();
    let mut rest = text.trim_end();
    let (mut addresses, mut after_request) = (0, 0);
    while !rest.is_empty() {
        let (token, after) = if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"')?;
            (&rest[..end + 2], &r[end + 1..])
        } else if let Some(r) = rest.strip_prefix('[').filter(|r| !bracketed_ipv6(r)) {
            let end = r.find(']')?;
            (&rest[..end + 2], &r[end + 1..])
        } else {
            // A forwarded-for list unquoted (`203.0.113.10, 10.1.0.7`) is one field.
            let mut end = rest.find(' ').unwrap_or(rest.len());
            while rest[..end].ends_with(',') && end < rest.len() {
                end = rest[end + 1..].find(' ').map_or(rest.len(), |i| end + 1 + i);
            }
            (&rest[..end], &rest[end..])
        };
        rest = after.trim_start();
        let inner = token.trim_matches('"');
        let looks_ip = |s: &str| s.split(", ").all(|a| a.parse::<std::net::IpAddr>().is_ok());
        let seen_request = out.iter().any(|v| v.contains("$request"));
        let var = if token.starts_with('[') && token.len() == 28 {
            "[$time_local]".to_string()
        } else if token.starts_with('[') && super::time::parse_iso_local(inner_brackets(token)).is_some() {
            "[$time_iso8601]".to_string()
        } else if token.starts_with('"') {
            if seen_request {
                after_request += 1;
            }
            let v = if inner.split(' ').count() == 3 && inner.contains(" HTTP/") {
                "$request"
            } else if looks_ip(inner) || (inner == "-" && after_request > 2) {
                "$http_x_forwarded_for"
            } else if after_request == 1 && (inner.starts_with("http") || inner == "-") {
                "$http_referer"
            } else if inner.contains('/') || inner == "-" {
                "$http_user_agent"
            } else {
                "$unknown"
            };
            format!("\"{v}\"")
        } else if token.contains(',') && super::names_addresses(token.as_bytes()) {
            "$http_x_forwarded_for".into()
        } else if out.is_empty() && token.contains('.') && token.bytes().any(|b| b.is_ascii_alphabetic()) {
            if token.contains(':') {
                "$host:$server_port".into()
            } else {
                "$host".into()
            }
        } else if looks_ip(token.trim_end_matches(',')) {
            addresses += 1;
            if addresses == 1 && !rest.starts_with("- ") && looks_ip(rest.split(' ').next().unwrap_or("")) {
                "$http_x_forwarded_for".into()
            } else {
                "$remote_addr".into()
            }
        } else if token.len() == 3
            && token.bytes().all(|b| b.is_ascii_digit())
            && out.iter().any(|v| v.contains("$request"))
            && !out.iter().any(|v| v == "$status")
        {
            "$status".into()
        } else if token == "-" {
            if out.iter().any(|v| v == "$status") {
                "$body_bytes_sent".into()
            } else {
                "-".into()
            }
        } else if token.bytes().all(|b| b.is_ascii_digit()) && out.last().is_some_and(|v| v == "$status") {
            "$body_bytes_sent".into()
        } else if token.starts_with(|c: char| c.is_ascii_digit()) && token.contains('.') {
            "$request_time".into()
        } else {
            "$unknown".into()
        };
        out.push(var);
    }
    let suggestion = out
        .join(" ")
        .replace("$remote_addr - - [", "$remote_addr - $remote_user [")
        .replace("$http_x_forwarded_for - - [", "$http_x_forwarded_for - $remote_user [");
    let timed = suggestion.contains("$time_local") || suggestion.contains("$time_iso8601");
    (suggestion.contains("$request") && timed).then_some(suggestion)
}

/// Whether `rest` (after a `[`) is an IPv6 address in brackets (`[2001:db8::1]:51001`),
/// not a bracketed time.
fn bracketed_ipv6(rest: &str) -> bool {
    rest.split_once(']').is_some_and(|(inside, _)| inside.parse::<std::net::Ipv6Addr>().is_ok())
}

fn inner_brackets(token: &str) -> &[u8] {
    token.trim_start_matches('[').trim_end_matches(']').as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of layouts no preset reads, each named for its edge, and the format string
    /// suggested for them.
    #[test]
    fn suggestions_name_each_field() {
        let tail = r#""GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11)""#;
        let want_tail = r#""$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
        let cases = [
            (
                "forwarded_for_then_client",
                format!("203.0.113.5 10.0.0.2 - - [10/Nov/2026:10:00:00 +0100] {tail} 11873"),
                format!(
                    "$http_x_forwarded_for $remote_addr - $remote_user [$time_local] {want_tail} $unknown"
                ),
            ),
            (
                "forwarded_for_list_in_the_clients_place",
                format!("203.0.113.5, 172.70.1.1 - - [10/Nov/2026:10:00:00 +0100] {tail}"),
                format!("$http_x_forwarded_for - $remote_user [$time_local] {want_tail}"),
            ),
            (
                "forwarded_for_list_with_ports",
                format!("203.0.113.5:51001, 10.1.0.7 - - [10/Nov/2026:10:00:00 +0100] {tail}"),
                format!("$http_x_forwarded_for - $remote_user [$time_local] {want_tail}"),
            ),
            (
                "forwarded_for_list_of_a_bracketed_ipv6_with_its_port",
                format!("[2001:db8::7]:51001, 10.1.0.7 - - [10/Nov/2026:10:00:00 +0100] {tail}"),
                format!("$http_x_forwarded_for - $remote_user [$time_local] {want_tail}"),
            ),
            (
                "iso_time_in_brackets",
                format!("203.0.113.5 - - [2026-11-10T10:00:00+01:00] {tail}"),
                format!("$remote_addr - $remote_user [$time_iso8601] {want_tail}"),
            ),
            (
                "host_first",
                format!("www.example.com 203.0.113.5 - - [10/Nov/2026:10:00:00 +0100] {tail}"),
                format!("$host $remote_addr - $remote_user [$time_local] {want_tail}"),
            ),
        ];
        for (name, line, want) in cases {
            assert_eq!(suggest(line.as_bytes()).as_deref(), Some(want.as_str()), "{name}");
        }
        assert_eq!(suggest(b"no request and no time here"), None, "nothing to start from");
    }
}
