//! One JSON object per line: nginx `escape=json` formats, Traefik's and Caddy's JSON access
//! logs, or any object whose keys `--json-field` names.
//!
//! A small scanner over the line's bytes, not a general parser: it walks the object once,
//! looks only at the keys it was told about (nested ones by path: Caddy's
//! `request.headers.User-Agent`), takes the first element of an array (Caddy logs headers
//! as arrays) and decodes a string only when it holds an escape, into the scratch buffer.

use memchr::memchr;

use super::found::{self, Found, Ref};
pub use super::json_keys::JsonRole;
use super::json_keys::{fingerprint, same_key, CADDY, NGINX_AND_TRAEFIK};
use super::plan::without_port;
use super::scan;
use super::spec::FormatOptions;
use super::time::{parse_epoch, parse_iso_local, parse_iso_local_time};
use super::{Hit, LineCx, LineFormat, Parsed};
use crate::time::Zone;

/// A key darklog looks for, by its path from the top of the object.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    path: Vec<Vec<u8>>,
    /// [`fingerprint`] of the last segment.
    print: u64,
    role: JsonRole,
    /// Of two keys for one role, the lower rank wins (Caddy's `client_ip` over `remote_ip`).
    rank: u8,
}

/// A JSON layout: the keys of each role.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub(super) name: &'static str,
    keys: Vec<Key>,
    /// Indexes into `keys` by the length of their last segment: a line's key is compared
    /// with the one or two of its length, not with every key (that was most of the time).
    by_len: Vec<Vec<u16>>,
    zone: Zone,
}

/// 1980-01-01: a preset key's number of seconds before it is no time of a web log.
const PLAUSIBLE_EPOCH: i64 = 315_532_800;

/// Keys nested deeper than this are not looked at.
const DEPTH: usize = 4;

impl Json {
    /// The `json` preset: nginx variable names and Traefik's keys, then `--json-field`s.
    pub fn nginx_and_traefik(opts: &FormatOptions) -> Json {
        let mut table: Vec<(JsonRole, String)> =
            NGINX_AND_TRAEFIK.iter().map(|(r, k)| (*r, k.to_string())).collect();
        table.push((JsonRole::ForwardedFor, super::compile::nginx_header_var(&opts.client_header)));
        table.push((JsonRole::ForwardedFor, format!("request_{}", opts.client_header)));
        Json::build("json", opts, &table)
    }

    /// The `caddy` preset.
    pub fn caddy(opts: &FormatOptions) -> Json {
        let mut table: Vec<(JsonRole, String)> = CADDY.iter().map(|(r, k)| (*r, k.to_string())).collect();
        table.push((JsonRole::ForwardedFor, format!("request.headers.{}", opts.client_header)));
        Json::build("caddy", opts, &table)
    }

    /// A layout of exactly these keys (an nginx `escape=json` format's), then `--json-field`s.
    pub(super) fn with_keys(name: &'static str, keys: &[(JsonRole, String)], opts: &FormatOptions) -> Json {
        Json::build(name, opts, keys)
    }

    fn build(name: &'static str, opts: &FormatOptions, table: &[(JsonRole, String)]) -> Json {
        let mut keys = Vec::new();
        let mut add = |role: JsonRole, key: &str, user: bool| {
            let rank = if user { 0 } else { 1 + keys.iter().filter(|k: &&Key| k.role == role).count() as u8 };
            let path: Vec<Vec<u8>> = key.split('.').map(|s| s.as_bytes().to_vec()).collect();
            let print = fingerprint(path.last().map_or(&[][..], Vec::as_slice));
            // A nested key is also read as one key with the dots in its name: shippers that
            // flatten objects (`"source.ip": …`) write it so.
            if path.len() > 1 {
                keys.push(Key {
                    path: vec![key.as_bytes().to_vec()],
                    role,
                    rank,
                    print: fingerprint(key.as_bytes()),
                });
            }
            keys.push(Key { path, role, rank, print });
        };
        for (role, key) in &opts.json_fields {
            add(*role, key, true);
        }
        for (role, key) in table {
            add(*role, key, false);
        }
        let mut by_len: Vec<Vec<u16>> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let len = k.path.last().map_or(0, Vec::len);
            if by_len.len() <= len {
                by_len.resize_with(len + 1, Vec::new);
            }
            by_len[len].push(i as u16);
        }
        Json { name, keys, by_len, zone: opts.zone.clone() }
    }

    /// The hit of the line at the start of `line` (which runs on to the end of the data:
    /// the walk stops at the line's newline, found on the way rather than before), and
    /// where the line ends.
    fn parse<'a>(&self, line: &'a [u8], cx: &'a mut LineCx) -> Option<(usize, Hit<'a>)> {
        cx.scratch.clear();
        let mut walk =
            Walk { b: line, i: 0, found: Found::default(), ranks: [u8::MAX; 13], has_method: false };
        walk.ws();
        if walk.next()? != b'{' {
            return None;
        }
        let mut path: [&[u8]; DEPTH] = [b""; DEPTH];
        self.object(&mut walk, &mut path, 0, cx)?;
        walk.ws();
        if walk.i != line.len() && line[walk.i] != b'\n' {
            return None;
        }
        let has_method = walk.has_method;
        let end = walk.i;
        walk.found.hit(&line[..end], &mut cx.scratch, has_method).map(|hit| (end, hit))
    }

    /// The members of an object whose `{` is consumed, at `depth`.
    fn object<'a>(
        &self,
        w: &mut Walk<'a>,
        path: &mut [&'a [u8]; DEPTH],
        depth: usize,
        cx: &mut LineCx,
    ) -> Option<()> {
        w.ws();
        if w.peek()? == b'}' {
            w.i += 1;
            return Some(());
        }
        loop {
            w.ws();
            if w.next()? != b'"' {
                return None;
            }
            let (ks, ke, _) = w.string()?;
            path[depth] = &w.b[ks..ke];
            w.ws();
            if w.next()? != b':' {
                return None;
            }
            w.ws();
            let wanted = self.wanted(&path[..=depth]);
            match w.peek()? {
                b'{' if depth + 1 < DEPTH && self.nests(&path[..=depth]) => {
                    w.i += 1;
                    self.object(w, path, depth + 1, cx)?;
                }
                b'[' if wanted.is_some() => {
                    w.i += 1;
                    w.ws();
                    if w.peek()? != b']' {
                        w.value(wanted, &self.zone, cx)?;
                        w.ws();
                        while w.peek()? == b',' {
                            w.i += 1;
                            w.ws();
                            w.value(None, &self.zone, cx)?;
                            w.ws();
                        }
                    }
                    if w.next()? != b']' {
                        return None;
                    }
                }
                _ => w.value(wanted, &self.zone, cx)?,
            }
            w.ws();
            match w.next()? {
                b',' => continue,
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    fn wanted(&self, path: &[&[u8]]) -> Option<(JsonRole, u8)> {
        let last = path.last()?;
        let candidates = self.by_len.get(last.len())?;
        if candidates.is_empty() {
            return None;
        }
        let print = fingerprint(last);
        candidates
            .iter()
            .map(|&i| &self.keys[usize::from(i)])
            .find(|k| {
                k.print == print
                    && k.path.len() == path.len()
                    && k.path.iter().zip(path).all(|(a, b)| same_key(a, b))
            })
            .map(|k| (k.role, k.rank))
    }

    /// Whether a wanted key lies inside the object at `path`.
    fn nests(&self, path: &[&[u8]]) -> bool {
        self.keys.iter().any(|k| {
            k.path.len() > path.len() && k.path.iter().zip(path).all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
    }
}

impl LineFormat for Json {
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        match self.parse(&data[start..], cx) {
            Some((len, hit)) => (start + len, Parsed::Hit(hit)),
            None => (memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i), Parsed::Malformed),
        }
    }
}

/// A walk through one line.
struct Walk<'a> {
    b: &'a [u8],
    i: usize,
    found: Found,
    /// The rank of the key each role was taken from.
    ranks: [u8; 13],
    has_method: bool,
}

impl<'a> Walk<'a> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// A string whose `"` is consumed: (start, end, holds an escape).
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        let start = self.i;
        let mut escaped = false;
        loop {
            let at = scan::find_any(self.b, self.i, [b'"', b'\\', b'\n'])?;
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
                    return Some((start, at, escaped));
                }
                b'\n' => return None,
                _ => {
                    escaped = true;
                    self.i = at + 2;
                }
            }
        }
    }

    /// A value; when `wanted`, kept for its role.
    fn value(&mut self, wanted: Option<(JsonRole, u8)>, zone: &Zone, cx: &mut LineCx) -> Option<()> {
        let (start, end, escaped, string) = match self.peek()? {
            b'"' => {
                self.i += 1;
                let (s, e, esc) = self.string()?;
                (s, e, esc, true)
            }
            b'{' | b'[' => return self.skip(),
            _ => {
                let s = self.i;
                while self.i < self.b.len()
                    && !matches!(self.b[self.i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n')
                {
                    self.i += 1;
                }
                (s, self.i, false, false)
            }
        };
        let Some((role, rank)) = wanted else { return Some(()) };
        // Under its key, an empty or null path is a request with none, not a layout
        // that does not say (which makes the line malformed: see `Found::hit`).
        self.found.asked |= matches!(role, JsonRole::Request | JsonRole::Target | JsonRole::Path);
        let slot = role as usize;
        if rank >= self.ranks[slot] || (!string && &self.b[start..end] == b"null") {
            return Some(());
        }
        if role == JsonRole::Time {
            // PHP's json_encode and Monolog write `\/` in `10\/Nov\/2026`.
            let mut decoded = Vec::new();
            let value = match escaped {
                true => unescape(&self.b[start..end], &mut decoded).get(&[], &decoded).unwrap_or_default(),
                false => &self.b[start..end],
            };
            // A preset's key that holds no time (CloudFront's `"time":"09:00:00"` beside
            // the `--json-field` named) is not the time; the key named must be one.
            match time(value, zone, cx) {
                // A time before 1980 under a preset's key is a duration (`"time": 0.012`,
                // beside `@timestamp`), not the request's time.
                Some(t) if rank > 0 && t < PLAUSIBLE_EPOCH => {}
                Some(t) if !value.is_empty() => {
                    self.found.time = Some(t);
                    self.ranks[slot] = rank;
                }
                None if rank == 0 && !value.is_empty() => return None,
                _ => {}
            }
            return Some(());
        }
        let r = if escaped { unescape(&self.b[start..end], &mut cx.scratch) } else { Ref::line(start, end) };
        let value = r.get(self.b, &cx.scratch).unwrap_or_default();
        // An empty value is none, as `-` is; but an empty request is a request nginx could
        // not read (a scanner's junk), a hit that is no page view.
        if value.is_empty() && role != JsonRole::Request {
            return Some(());
        }
        self.ranks[slot] = rank;
        let f = &mut self.found;
        match role {
            JsonRole::Client => {
                // Traefik's ClientAddr and old Caddy's remote_addr carry the port.
                let bare = without_port(value);
                let off = (bare.as_ptr() as usize - value.as_ptr() as usize) as u32;
                let len = bare.len() as u32;
                f.client = match r {
                    Ref::Line(s, _) => Ref::Line(s + off, s + off + len),
                    Ref::Scratch(s, _) => Ref::Scratch(s + off, s + off + len),
                    Ref::None => Ref::None,
                };
            }
            JsonRole::Time => {}
            JsonRole::Request => f.request = r,
            JsonRole::Method => {
                f.method = r;
                self.has_method = true;
            }
            JsonRole::Path | JsonRole::Target => f.path = r,
            JsonRole::Query => f.query = r,
            JsonRole::Status => match found::status(value) {
                Some(status) => f.status = Some(status),
                // As for the time: only the key named must hold a status.
                None if rank == 0 => return None,
                None => self.ranks[slot] = u8::MAX,
            },
            JsonRole::Bytes => {}
            JsonRole::Referrer => f.referrer = r,
            JsonRole::UserAgent => f.user_agent = r,
            JsonRole::Host => f.host = r,
            JsonRole::ForwardedFor => f.forwarded_for = r,
        }
        if role == JsonRole::Request {
            self.has_method = true;
        }
        Some(())
    }

    /// Skips an object or array (strings inside may hold brackets).
    fn skip(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b'\n' => return None,
                _ => {}
            }
        }
    }
}

/// A time in any form the JSON logs write: CLF (`time_local`), ISO 8601, or a number of
/// seconds (`msec`, Caddy's `ts`), quoted or not.
fn time(value: &[u8], zone: &Zone, cx: &mut LineCx) -> Option<i64> {
    if value.len() == 26 && value[2] == b'/' {
        return cx.clf.parse(value);
    }
    if value.first().is_some_and(u8::is_ascii_digit) && matches!(value.get(4), Some(b'-' | b'/')) {
        // Lines come many to a second: the last one is remembered whole.
        let (raw, len, ts) = &cx.iso;
        if value.len() == usize::from(*len) && value == &raw[..value.len()] {
            return Some(*ts);
        }
        let ts = iso(value, zone, cx)?;
        if value.len() <= 32 {
            cx.iso.0[..value.len()].copy_from_slice(value);
            cx.iso.1 = value.len() as u8;
            cx.iso.2 = ts;
        }
        return Some(ts);
    }
    parse_epoch(value)
}

/// An ISO 8601 time.
fn iso(value: &[u8], zone: &Zone, cx: &mut LineCx) -> Option<i64> {
    {
        // The date part changes once a day: remembered.
        if value.len() >= 19 && matches!(value[10], b'T' | b' ') {
            let day = cx.date.parse(&value[..10])?;
            if let Some((local, offset)) = parse_iso_local_time(value, day) {
                return Some(match offset {
                    Some(offset) => local - i64::from(offset),
                    None => zoneless(cx, zone, local),
                });
            }
        }
        match parse_iso_local(value)? {
            (local, Some(offset)) => Some(local - i64::from(offset)),
            (local, None) => Some(zoneless(cx, zone, local)),
        }
    }
}

/// A wall-clock time of `zone` (`--tz`, else UTC), which the run says it read so.
fn zoneless(cx: &mut LineCx, zone: &Zone, local: i64) -> i64 {
    cx.zoneless_time = true;
    cx.local.to_utc(zone, local)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A JSON string body with its escapes decoded, appended to `scratch`.
fn unescape(raw: &[u8], scratch: &mut Vec<u8>) -> Ref {
    let start = scratch.len();
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' || i + 1 >= raw.len() {
            scratch.push(c);
            i += 1;
            continue;
        }
        let e = raw[i + 1];
        i += 2;
        match e {
            b'n' => scratch.push(b'\n'),
            b't' => scratch.push(b'\t'),
            b'r' => scratch.push(b'\r'),
            b'b' => scratch.push(8),
            b'f' => scratch.push(12),
            b'u' => {
                let hex4 = |at: usize| {
                    raw.get(at..at + 4)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let Some(mut cp) = hex4(i) else {
                    scratch.extend_from_slice(b"\\u");
                    continue;
                };
                i += 4;
                if (0xD800..0xDC00).contains(&cp) && raw.get(i..i + 2) == Some(b"\\u") {
                    if let Some(lo) = hex4(i + 2).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                let ch = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                scratch.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            }
            // nginx without `escape=json` writes `\x22` and `\xC3\xA9`: the byte.
            b'x' => match raw.get(i..i + 2).and_then(|h| Some(hex(h[0])? << 4 | hex(h[1])?)) {
                Some(byte) => {
                    scratch.push(byte);
                    i += 2;
                }
                None => scratch.extend_from_slice(b"\\x"),
            },
            other => scratch.push(other),
        }
    }
    Ref::Scratch(start as u32, scratch.len() as u32)
}
