//! AWS Application Load Balancer access logs: space-separated, some fields quoted, the
//! request logged with its full URL (`"GET https://host:443/path?q HTTP/1.1"`). No
//! referrer is logged. New fields are only ever added at the end ("ignore any fields at
//! the end of the log entry that you were not expecting", AWS): they are.
//!
//! The Classic Load Balancer's logs (`elb`) are the same fields without the first (the
//! connection's type): time, name, client:port, backend:port, three timings, both status
//! codes, both byte counts, the request, the agent, the TLS cipher and protocol.

use memchr::memchr;

use super::found::{self, Found, Ref};
use super::plan::peer_address;
use super::time::parse_iso;
use super::{Hit, LineCx, LineFormat, Parsed};

/// The ALB layout, or the Classic Load Balancer's (`classic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alb {
    pub classic: bool,
}

/// The next field from `pos`: (start, end) of its value (without quotes), and where the
/// field after it starts.
fn field(line: &[u8], pos: usize) -> Option<(usize, usize, usize)> {
    if pos >= line.len() {
        return None;
    }
    if line[pos] == b'"' {
        let end = pos + 1 + memchr(b'"', &line[pos + 1..])?;
        return Some((pos + 1, end, end + 2));
    }
    let end = memchr(b' ', &line[pos..]).map_or(line.len(), |i| pos + i);
    Some((pos, end, end + 1))
}

impl Alb {
    fn parse<'a>(&self, line: &'a [u8], scratch: &'a mut Vec<u8>) -> Option<Hit<'a>> {
        scratch.clear();
        let mut found = Found::default();
        let mut pos = 0;
        // Fields are counted as ALB's: a classic line's first is ALB's second.
        for i in usize::from(self.classic)..14 {
            // AWS always quotes the request: a line of words with a time first (a report's
            // table, another tool's log) is no balancer's.
            if i == 12 && line.get(pos) != Some(&b'"') {
                return None;
            }
            let (start, end, next) = field(line, pos)?;
            let value = &line[start..end];
            match i {
                // The connection's type: http, https, h2, grpcs, ws, wss.
                0 if value.is_empty() || !value.iter().all(u8::is_ascii_alphanumeric) => return None,
                1 => found.time = Some(parse_iso(value)?),
                3 => {
                    let a = peer_address(value).unwrap_or(0..value.len());
                    found.client = Ref::line(start + a.start, start + a.end);
                }
                8 => found.status = Some(found::status(value)?),
                12 => found.request = Ref::line(start, end),
                13 => found.user_agent = Ref::line(start, end),
                _ => {}
            }
            pos = next;
        }
        found.hit(line, scratch, true)
    }
}

impl LineFormat for Alb {
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        let end = memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let line = &data[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        (end, self.parse(line, &mut cx.scratch).map_or(Parsed::Malformed, Parsed::Hit))
    }
}
