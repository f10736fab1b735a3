//! The NCSA family: common, combined and Apache's vhost_combined.
//!
//! A hand-written scanner over bytes: memchr finds each delimiter, nothing is copied.

use memchr::memchr;

use super::{Hit, LogFormat};
use crate::time::ClfCache;

pub(super) fn parse<'a>(format: LogFormat, line: &'a [u8], clock: &mut ClfCache) -> Option<Hit<'a>> {
    let line = trim_line_end(line);
    // Everything before `[` is the space-separated prefix: [vhost:port] client ident user.
    let open = memchr(b'[', line)?;
    let prefix = line[..open].strip_suffix(b" ")?;
    let mut fields = prefix.split(|&b| b == b' ');
    let vhost = match format {
        LogFormat::VhostCombined => {
            let v = fields.next()?;
            let colon = memchr::memrchr(b':', v)?;
            let port = &v[colon + 1..];
            if colon == 0 || port.is_empty() || !port.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(&v[..colon])
        }
        LogFormat::Combined | LogFormat::Common => None,
    };
    let client = fields.next().filter(|c| !c.is_empty())?;
    let _ident = fields.next()?;
    let _user = fields.next()?;
    if fields.next().is_some() {
        return None;
    }

    let rest = &line[open + 1..];
    if rest.len() < 27 || rest[26] != b']' {
        return None;
    }
    let time = clock.parse(&rest[..26])?;
    let rest = rest[27..].strip_prefix(b" \"")?;
    let (request, rest) = quoted(rest)?;
    let (method, target) = split_request(request);

    let rest = rest.strip_prefix(b" ")?;
    let (status, rest) = rest.split_at_checked(3)?;
    if !status.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status =
        u16::from(status[0] - b'0') * 100 + u16::from(status[1] - b'0') * 10 + u16::from(status[2] - b'0');
    let rest = rest.strip_prefix(b" ")?;
    let bytes_end = memchr(b' ', rest).unwrap_or(rest.len());
    let bytes = &rest[..bytes_end];
    if bytes != b"-" && (bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    let rest = &rest[bytes_end..];

    let (referrer, user_agent) = match format {
        LogFormat::Common => {
            if !rest.iter().all(|b| b.is_ascii_whitespace()) {
                return None;
            }
            (None, None)
        }
        LogFormat::Combined | LogFormat::VhostCombined => {
            let rest = rest.strip_prefix(b" \"")?;
            let (referrer, rest) = quoted(rest)?;
            let rest = rest.strip_prefix(b" \"")?;
            let (user_agent, rest) = quoted(rest)?;
            // Extra fields may follow, separated by a space.
            if !rest.is_empty() && rest[0] != b' ' {
                return None;
            }
            (present(referrer), present(user_agent))
        }
    };
    Some(Hit { vhost, client, time, method, target, status, referrer, user_agent })
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
fn quoted(s: &[u8]) -> Option<(&[u8], &[u8])> {
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
fn split_request(request: &[u8]) -> (&[u8], &[u8]) {
    let Some(sp) = memchr(b' ', request) else {
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
