//! HAProxy's `option httplog`: `client:port [date] frontend backend/server timers status
//! bytes cookies flags conns queues {captured request headers} {captured response
//! headers} "request"`. The date is local time with no zone (read in `--tz`), the
//! captured headers fill slots in the order of the `capture request header` lines, which
//! nothing in the log names (`--captured-headers` says it), and the request, always last,
//! may be cut off by the syslog line limit, closing quote and all.

use memchr::memchr;

use super::found::{self, Found, Ref};
use super::plan::peer_address;
use super::time::parse_clf_local;
use super::{Hit, LineCx, LineFormat, Parsed};
use crate::time::Zone;

/// What a captured header is to darklog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Host,
    Referrer,
    UserAgent,
    ForwardedFor,
    Other,
}

/// The httplog layout and the order of its captured request headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Haproxy {
    slots: Vec<Slot>,
    zone: Zone,
}

impl Haproxy {
    pub fn new(captures: &[String], client_header: &str, zone: Zone) -> Haproxy {
        let slots = captures
            .iter()
            .map(|h| match h.to_ascii_lowercase().as_str() {
                "host" => Slot::Host,
                "referer" | "referrer" => Slot::Referrer,
                "user-agent" => Slot::UserAgent,
                h if h.eq_ignore_ascii_case(client_header) => Slot::ForwardedFor,
                _ => Slot::Other,
            })
            .collect();
        Haproxy { slots, zone }
    }

    /// Captured request headers `--captured-headers` names.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    fn parse<'a>(&self, line: &'a [u8], cx: &'a mut LineCx) -> Option<Hit<'a>> {
        cx.scratch.clear();
        let mut found = Found::default();
        let word = |pos: usize| -> Option<(usize, usize)> {
            let end = pos + memchr(b' ', line.get(pos..)?)?;
            (end > pos).then_some((pos, end))
        };
        let (s, e) = word(0)?;
        let client = peer_address(&line[s..e])?;
        found.client = Ref::line(s + client.start, s + client.end);
        let open = e + 1;
        if line.get(open) != Some(&b'[') {
            return None;
        }
        let close = open + memchr(b']', &line[open..])?;
        let local = parse_clf_local(&line[open + 1..close])?;
        found.time = Some(cx.local.to_utc(&self.zone, local));
        // frontend, backend/server, timers, status, bytes, two cookie flags, termination
        // state, connection counts, queues.
        let mut pos = close + 2;
        for i in 0..10 {
            let (s, e) = word(pos)?;
            if i == 3 {
                let status = &line[s..e];
                found.status = Some(if status == b"-1" { 0 } else { found::status(status)? });
            }
            pos = e + 1;
        }
        let mut block = 0;
        while line.get(pos) == Some(&b'{') {
            let end = pos + memchr(b'}', &line[pos..])?;
            if block == 0 {
                self.captures(line, pos + 1, end, &mut found, &mut cx.scratch);
            }
            block += 1;
            pos = end + 2;
        }
        let request = line.get(pos..)?.strip_prefix(b"\"")?;
        let len = request.strip_suffix(b"\"").map_or(request.len(), <[u8]>::len);
        found.request = Ref::line(pos + 1, pos + 1 + len);
        found.hit(line, &mut cx.scratch, true)
    }

    /// The captured request headers between `start` and `end`, `|` between slots.
    fn captures(&self, line: &[u8], start: usize, end: usize, found: &mut Found, scratch: &mut Vec<u8>) {
        let mut pos = start;
        for slot in &self.slots {
            if pos > end {
                break;
            }
            let stop = memchr(b'|', &line[pos..end]).map_or(end, |i| pos + i);
            let value = found::decoded(line, pos, stop, scratch, |f| f.contains(&b'#'), found::hash_decode);
            match slot {
                Slot::Host => found.host = value,
                Slot::Referrer => found.referrer = value,
                Slot::UserAgent => found.user_agent = value,
                Slot::ForwardedFor => found.forwarded_for = value,
                Slot::Other => {}
            }
            pos = stop + 1;
        }
    }
}

/// How many fields the first captured-header block of `line` holds (`{a|b|c}`: 3; none:
/// 0): the first `{` after the date's `]` (a syslog prefix's `haproxy[12]:` is before
/// it, and the fields between hold no brace) and before the request's quote (a brace in
/// the URL is no capture). `None` for a line with no date or request.
pub fn captured_fields(line: &[u8]) -> Option<usize> {
    let date = memchr(b']', line)?;
    let before = &line[date..date + memchr(b'"', &line[date..])?];
    let Some(open) = memchr(b'{', before) else { return Some(0) };
    let end = open + memchr(b'}', &before[open..])?;
    Some(before[open + 1..end].iter().filter(|&&b| b == b'|').count() + 1)
}

impl LineFormat for Haproxy {
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        let end = memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let line = &data[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        (end, self.parse(line, cx).map_or(Parsed::Malformed, Parsed::Hit))
    }
}
