//! A syslog prefix before a line of any layout (`Nov 10 10:00:00 host prog[pid]: `, with
//! an optional `<PRI>`, or an RFC 3339 time instead of the BSD one, or `<PRI>` alone):
//! what rsyslog and journald write when they relay a server's log, and HAProxy's only way
//! to log.

use memchr::memchr;

use super::{Format, LineCx, Parsed};

/// The length of the syslog prefix at the start of `line`, if it has one.
pub(super) fn prefix(line: &[u8]) -> Option<usize> {
    let mut pos = 0;
    if line.first() == Some(&b'<') {
        let close = memchr(b'>', line.get(..6)?)?;
        if close < 2 || !line[1..close].iter().all(u8::is_ascii_digit) {
            return None;
        }
        pos = close + 1;
    }
    let rest = &line[pos..];
    // `Nov 10 10:00:00 ` (the day space-padded) or `2026-11-10T10:00:00+01:00 `.
    let bsd = rest.len() > 16
        && rest[..3].iter().all(u8::is_ascii_alphabetic)
        && rest[3] == b' '
        && (rest[4] == b' ' || rest[4].is_ascii_digit())
        && rest[5].is_ascii_digit()
        && rest[6] == b' '
        && rest[9] == b':'
        && rest[12] == b':'
        && rest[15] == b' ';
    pos += if bsd {
        16
    } else if rest.len() > 20 && rest[4] == b'-' && rest[10] == b'T' {
        memchr(b' ', rest)? + 1
    } else {
        // `<PRI>` and the line itself: what a program writing syslog's priority to a pipe
        // or to standard output leaves (HAProxy's `log stdout format short`).
        return (pos > 0).then_some(pos);
    };
    // The host, then the tag ending in `:` (`nginx[2869]:`, `haproxy[7]:`, `nginx:`).
    let host_end = pos + memchr(b' ', &line[pos..])?;
    let tag_start = host_end + 1;
    let tag_len = memchr(b' ', &line[tag_start..])?;
    let tag = &line[tag_start..tag_start + tag_len];
    if tag.len() < 2 || tag.last() != Some(&b':') {
        return None;
    }
    Some(tag_start + tag_len + 1)
}

/// A line of `inner` after a syslog prefix.
pub(super) fn parse_next<'a>(
    inner: &Format,
    data: &'a [u8],
    start: usize,
    cx: &'a mut LineCx,
) -> (usize, Parsed<'a>) {
    let line_end = memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
    match prefix(&data[start..line_end]) {
        Some(n) => {
            // The inner format reads up to the same newline.
            let (end, parsed) = inner.parse_next(&data[..line_end], start + n, cx);
            debug_assert_eq!(end, line_end);
            (line_end, parsed)
        }
        None => (line_end, Parsed::Malformed),
    }
}
