//! The NCSA family: common, combined and Apache's vhost_combined.
//!
//! A hand-written scanner over bytes, nothing copied: the quotes of a combined line are
//! found 64 bytes at a time ([`super::scan`]) and the fields taken from between them;
//! lines that do not fit that shape go through the careful parser, field by field.

use memchr::memchr;

use super::{scan, ClfCache, Hit, LineCx, LineFormat, Parsed};

/// Which of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClfKind {
    /// `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`: nginx's default and
    /// Apache's `combined`. Extra fields after the user agent (nginx setups often append
    /// `"$http_x_forwarded_for"` or timings) are allowed and ignored.
    Combined,
    /// `%h %l %u %t "%r" %>s %b`: NCSA common, no referrer or user agent.
    Common,
    /// `%v:%p %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`: Apache's
    /// `vhost_combined`.
    VhostCombined,
}

impl ClfKind {
    pub fn name(self) -> &'static str {
        match self {
            ClfKind::Combined => "combined",
            ClfKind::Common => "common",
            ClfKind::VhostCombined => "vhost_combined",
        }
    }
}

/// A format of the NCSA family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Clf(pub ClfKind);

impl LineFormat for Clf {
    // Into the loop over a chunk's lines: called there, it returns its hit through memory
    // (a copy of every hit, 3% of a run).
    #[inline(always)]
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        let (end, hit) = parse_next(self.0, data, start, &mut cx.clf);
        (end, hit.map_or(Parsed::Malformed, Parsed::Hit))
    }
}

pub(super) fn parse<'a>(format: ClfKind, line: &'a [u8], clock: &mut ClfCache) -> Option<Hit<'a>> {
    let line = trim_line_end(line);
    // Everything before `[` is the space-separated prefix: [vhost:port] client ident user.
    let open = memchr(b'[', line)?;
    let (vhost, client) = prefix(format, &line[..open])?;

    let rest = &line[open + 1..];
    if rest.len() < 27 || rest[26] != b']' {
        return None;
    }
    let time = clock.parse(&rest[..26])?;
    let rest = rest[27..].strip_prefix(b" \"")?;
    let (request, rest) = quoted(rest)?;
    let (method, target) = split_request(request);
    let (vhost, target) = absolute(vhost, target);
    let (status, rest) = status_and_bytes(rest)?;

    let (referrer, user_agent) = match format {
        ClfKind::Common => {
            if !rest.iter().all(|b| b.is_ascii_whitespace()) {
                return None;
            }
            (None, None)
        }
        ClfKind::Combined | ClfKind::VhostCombined => {
            let rest = rest.strip_prefix(b" \"")?;
            let (referrer, rest) = quoted(rest)?;
            let rest = rest.strip_prefix(b" \"")?;
            let (user_agent, rest) = quoted(rest)?;
            if !extra_fields(rest) {
                return None;
            }
            (present(referrer), present(user_agent))
        }
    };
    Some(Hit { vhost, client, time, method, target, status, referrer, user_agent, forwarded_for: None })
}

/// The line starting at `start` in `data`: where it ends (its newline, or the end of
/// `data`) and its hit. The same answer as [`parse`] on that line, faster: lines whose
/// quotes fall where the format puts them are taken apart from the quote positions
/// alone; anything else (escaped quotes, damage, the common format) goes to [`parse`].
#[inline]
fn parse_next<'a>(
    format: ClfKind,
    data: &'a [u8],
    start: usize,
    clock: &mut ClfCache,
) -> (usize, Option<Hit<'a>>) {
    if format == ClfKind::Common {
        let end = memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        return (end, parse(format, &data[start..end], clock));
    }
    let scanned = scan::line(data, start);
    let line = &data[start..scanned.end];
    if scanned.found == scan::QUOTES && !scanned.backslash {
        let quotes = scanned.quotes.map(|q| q - start);
        if let Some(hit) = from_quotes(format, line, quotes, clock) {
            return (scanned.end, Some(hit));
        }
    }
    (scanned.end, parse(format, line, clock))
}

/// A combined line from the positions of its six quotes, none of them escaped; `None`
/// when anything is out of place (the careful parser then decides).
fn from_quotes<'a>(
    format: ClfKind,
    line: &'a [u8],
    [q1, q2, q3, q4, q5, q6]: [usize; scan::QUOTES],
    clock: &mut ClfCache,
) -> Option<Hit<'a>> {
    if !extra_fields(trim_line_end(&line[q6 + 1..])) {
        return None;
    }
    // `[` + 26 bytes of time + `] "`: the timestamp sits right before the first quote,
    // and its `[` must be the line's first, as the careful parser reads it.
    let open = q1.checked_sub(29)?;
    if line[open] != b'[' || &line[q1 - 2..q1] != b"] " {
        return None;
    }
    let (vhost, client) = short_prefix(format, line, open)?;
    let time = clock.parse(&line[open + 1..open + 27])?;
    let (method, target) = split_request(&line[q1 + 1..q2]);
    let (vhost, target) = absolute(vhost, target);
    let (status, rest) = status_and_bytes(&line[q2 + 1..q3])?;
    if rest != b" " || q5 != q4 + 2 || line[q4 + 1] != b' ' {
        return None;
    }
    Some(Hit {
        vhost,
        client,
        time,
        method,
        target,
        status,
        referrer: present(&line[q3 + 1..q4]),
        user_agent: present(&line[q5 + 1..q6]),
        forwarded_for: None,
    })
}

/// Caches and proxies (varnishncsa by default) log the full URL: its path is the target
/// and its host the line's vhost (unless the line names one), as for the balancers.
#[inline(always)]
fn absolute<'a>(vhost: Option<&'a [u8]>, target: &'a [u8]) -> (Option<&'a [u8]>, &'a [u8]) {
    if target.first().is_none_or(|&b| b == b'/') {
        return (vhost, target);
    }
    full_url(vhost, target)
}

/// Out of line: the parser stays small enough to be inlined into the loop over lines.
#[cold]
#[inline(never)]
fn full_url<'a>(vhost: Option<&'a [u8]>, target: &'a [u8]) -> (Option<&'a [u8]>, &'a [u8]) {
    match super::found::split_absolute(target) {
        Some((host, path)) => (vhost.or(Some(host).filter(|h| !h.is_empty())), path),
        None => (vhost, target),
    }
}

/// `[vhost:port ]client ident user ` (the part before the timestamp): the vhost, if the
/// format has one, and the client.
fn prefix(format: ClfKind, prefix: &[u8]) -> Option<(Option<&[u8]>, &[u8])> {
    let mut fields = prefix.strip_suffix(b" ")?.split(|&b| b == b' ');
    let vhost = match format {
        ClfKind::VhostCombined => Some(vhost(fields.next()?)?),
        ClfKind::Combined | ClfKind::Common => None,
    };
    let client = fields.next().filter(|c| !c.is_empty())?;
    let _ident = fields.next()?;
    let _user = fields.next()?;
    if fields.next().is_some() {
        return None;
    }
    Some((vhost, client))
}

/// `host:port` (Apache's `%v:%p`): the host, when the port is there and numeric.
fn vhost(field: &[u8]) -> Option<&[u8]> {
    let colon = memchr::memrchr(b':', field)?;
    let port = &field[colon + 1..];
    (colon > 0 && !port.is_empty() && port.iter().all(u8::is_ascii_digit)).then(|| &field[..colon])
}

/// [`prefix`] for a line whose timestamp opens at `open` < 64 (nearly all), from the
/// bits of its spaces; `None` also when `[` appears earlier (the careful parser takes the
/// first `[` as the timestamp's).
#[inline]
fn short_prefix(format: ClfKind, line: &[u8], open: usize) -> Option<(Option<&[u8]>, &[u8])> {
    // No prefix at all is malformed (the careful parser finds no client either).
    if open == 0 || open >= 64 {
        return None;
    }
    let (space, bracket) = scan::prefix_bits(line);
    let before = (1u64 << open) - 1;
    let spaces = space & before;
    // Three spaces (four with a vhost) and the last one right before `[`.
    let fields = match format {
        ClfKind::VhostCombined => 4,
        ClfKind::Combined | ClfKind::Common => 3,
    };
    if bracket & before != 0 || spaces.count_ones() != fields || spaces >> (open - 1) != 1 {
        return None;
    }
    let first = spaces.trailing_zeros() as usize;
    match format {
        ClfKind::VhostCombined => {
            let second = (spaces & (spaces - 1)).trailing_zeros() as usize;
            let vhost = vhost(&line[..first])?;
            (second > first + 1).then(|| (Some(vhost), &line[first + 1..second]))
        }
        ClfKind::Combined | ClfKind::Common => (first > 0).then(|| (None, &line[..first])),
    }
}

/// ` 200 1234` after the request's closing quote: the status, and what follows the
/// byte count.
fn status_and_bytes(rest: &[u8]) -> Option<(u16, &[u8])> {
    let rest = rest.strip_prefix(b" ")?;
    let (status, rest) = rest.split_at_checked(3)?;
    if !status.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status =
        u16::from(status[0] - b'0') * 100 + u16::from(status[1] - b'0') * 10 + u16::from(status[2] - b'0');
    let rest = rest.strip_prefix(b" ")?;
    let bytes_end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    let bytes = &rest[..bytes_end];
    if bytes != b"-" && (bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    Some((status, &rest[bytes_end..]))
}

/// What may follow the user agent: nothing, or further fields after a space (nginx
/// setups often append `"$http_x_forwarded_for"` or timings).
fn extra_fields(rest: &[u8]) -> bool {
    rest.first().is_none_or(|&b| b == b' ')
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &line[..end]
}

/// The body of a quoted field whose opening quote is already consumed, and what follows
/// the closing quote. A quote preceded by an odd number of backslashes is Apache's `\"`
/// escape, not the end (nginx writes `\x22` instead, which needs no care here).
pub(super) fn quoted(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut from = 0;
    loop {
        let q = from + memchr(b'"', &s[from..])?;
        let backslashes = s[..q].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some((&s[..q], &s[q + 1..]));
        }
        from = q + 1;
    }
}

fn present(field: &[u8]) -> Option<&[u8]> {
    (!field.is_empty() && field != b"-").then_some(field)
}

/// `GET /path?q HTTP/1.1` → (`GET`, `/path?q`). HTTP/0.9 requests have no version; scanners
/// send binary garbage or nothing (`-`): those keep an empty method, so they are hits that
/// are never page views rather than malformed lines.
pub(super) fn split_request(request: &[u8]) -> (&[u8], &[u8]) {
    // Methods are a few letters: a plain loop finds their end sooner than a memchr call.
    let Some(sp) = request.iter().position(|&b| b == b' ') else {
        return (b"", b"");
    };
    let method = &request[..sp];
    if method.is_empty() || !method.iter().all(u8::is_ascii_uppercase) {
        return (b"", b"");
    }
    let rest = &request[sp + 1..];
    // Nearly every request ends in ` HTTP/1.1` (or 1.0, 2.0): check there first.
    let n = rest.len();
    if n > 9 && rest[n - 9] == b' ' && rest[n - 8..].starts_with(b"HTTP/") {
        return (method, &rest[..n - 9]);
    }
    let target = match memchr::memrchr(b' ', rest) {
        Some(v) if rest[v + 1..].starts_with(b"HTTP/") => &rest[..v],
        _ => rest,
    };
    (method, target)
}
