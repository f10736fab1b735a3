//! Format strings, compiled once into a plan of literals and fields, then run over each
//! line's bytes: no regex, no allocation but for fields that must be decoded.
//!
//! A field ends where the literal after it begins. Inside quotes that is the next quote
//! not escaped with a backslash (Apache writes `\"`, nginx `\x22`); a forwarded-for list
//! or an `$upstream_*` list may hold `, ` and ` : ` between its items; a time in a fixed
//! layout (CLF, strftime's parts) knows its own width. The last field takes the rest of
//! the line.

use memchr::memchr;

use super::found::{self, Found, Ref};
use super::time::{civil, month_abbrev, parse_epoch, parse_iso_local};
use super::{Hit, LineCx, LineFormat, Parsed};
use crate::time::{digits, Zone};

/// A compiled format string.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(super) name: String,
    pub(super) items: Vec<Item>,
    /// For times written without an offset.
    pub(super) zone: Zone,
    /// Whether the layout logs the method (a request line does); one that does not is
    /// read as GET.
    pub(super) has_method: bool,
    /// Fields after the last may follow, after a space (nginx's `main` with timings
    /// appended): read as nothing.
    pub(super) open_end: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    Lit(Vec<u8>),
    Field(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Field {
    pub role: Role,
    /// Between quotes: it ends at a quote no backslash escapes.
    pub quoted: bool,
    /// May hold `, ` and ` : ` between items (forwarded-for, `$upstream_*`).
    pub list: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Client,
    /// `address:port`, as HAProxy and balancers write the peer.
    ClientPort,
    Request,
    Method,
    /// Path and query.
    Target,
    Path,
    /// Without its `?`.
    Query,
    /// Apache's `%q`: `?query`, or nothing.
    QueryMark,
    Status,
    /// A byte count: digits or `-`.
    Bytes,
    Referrer,
    UserAgent,
    Host,
    ForwardedFor,
    /// A forwarded-for header logged instead of the client's address (Apache's "proxy"
    /// format, `%{X-Forwarded-For}i` first): the client is the address it names, picked
    /// as `--client-ip` picks it with the default trusted ranges.
    ForwardedClient,
    /// The client's port (`$remote_port`, `%{remote}p`): right after the client and a
    /// colon, the two are one `address:port` field; anywhere else, skipped.
    Port,
    Skip,
    Time(TimeField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeField {
    /// `10/Oct/2000:13:55:36 -0700`: 26 bytes.
    Clf,
    /// `2026-11-10T10:00:00+01:00` and its kin.
    Iso,
    /// Seconds (or finer) since 1970, with an optional fraction.
    Epoch,
    Part(Part),
}

/// One conversion of a strftime format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Year,
    Year2,
    Month,
    MonthName,
    Day,
    /// `%e`: the day padded with a space.
    DaySpace,
    Hour,
    Minute,
    Second,
    /// `+0100`, `+01:00` or `Z`.
    Offset,
    /// Digits to skip (a fraction of a second).
    Digits,
    /// Letters to skip (a weekday, a long month, AM/PM, a zone abbreviation).
    Word,
}

impl Field {
    pub fn new(role: Role) -> Field {
        Field { role, quoted: false, list: false }
    }

    fn self_delimited(&self) -> bool {
        matches!(self.role, Role::Time(TimeField::Clf | TimeField::Part(_)))
    }
}

/// A time assembled from the parts a line has.
#[derive(Default)]
struct Civil {
    date: [u32; 3],
    clock: [u32; 3],
    offset: Option<i32>,
    /// Set by a field that names the instant whole.
    instant: Option<i64>,
    /// A whole wall-clock time without an offset (an ISO time with none written).
    local: Option<i64>,
}

impl Plan {
    /// Checks the plan can be run: marks quoted fields, and refuses two fields with nothing
    /// between them (nothing tells where the first ends).
    pub(super) fn new(name: String, mut items: Vec<Item>, zone: Zone) -> Result<Plan, String> {
        // Read apart, an IPv6 client would end at its first colon.
        for i in 0..items.len().saturating_sub(2) {
            if let [Item::Field(Field { role: Role::Client, .. }), Item::Lit(colon), Item::Field(Field { role: Role::Port, .. })] =
                &items[i..i + 3]
            {
                if colon.as_slice() == b":" {
                    items.splice(i..i + 3, [Item::Field(Field::new(Role::ClientPort))]);
                    break;
                }
            }
        }
        for i in 0..items.len() {
            let before = match i.checked_sub(1).map(|j| &items[j]) {
                Some(Item::Lit(l)) => l.last().copied(),
                _ => None,
            };
            let after = match items.get(i + 1) {
                Some(Item::Lit(l)) => l.first().copied(),
                Some(Item::Field(_)) => Some(0),
                None => None,
            };
            if let Item::Field(f) = &mut items[i] {
                f.quoted = before == Some(b'"') && matches!(after, Some(b'"'));
                if after == Some(0) && !f.self_delimited() {
                    return Err(
                        "two fields with nothing between them: nothing tells where the first ends".into()
                    );
                }
            }
        }
        let has_client = items
            .iter()
            .any(|i| matches!(i, Item::Field(f) if matches!(f.role, Role::Client | Role::ClientPort)));
        if !has_client {
            let Some(forwarded) = items.iter_mut().find_map(|i| match i {
                Item::Field(f) if f.role == Role::ForwardedFor => Some(f),
                _ => None,
            }) else {
                return Err(
                    "no client address ($remote_addr, %h or %a, or a forwarded-for header in its place)"
                        .into(),
                );
            };
            forwarded.role = Role::ForwardedClient;
        }
        let has = |role: Role| items.iter().any(|i| matches!(i, Item::Field(f) if f.role == role));
        if !items.iter().any(|i| matches!(i, Item::Field(Field { role: Role::Time(_), .. }))) {
            return Err("no time ($time_local, $time_iso8601, $msec, %t or %{…}t)".into());
        }
        if ![Role::Request, Role::Target, Role::Path].into_iter().any(has) {
            return Err("no request ($request, $request_uri, $uri, %r or %U)".into());
        }
        if !has(Role::Status) {
            return Err("no status ($status, %s or %>s)".into());
        }
        let has_method = has(Role::Request) || has(Role::Method);
        Ok(Plan { name, items, zone, has_method, open_end: false })
    }

    /// Whether its times are written without a zone (a strftime without `%z`): read in
    /// `--tz`.
    pub fn zoneless(&self) -> bool {
        let parts = || {
            self.items.iter().filter_map(|i| match i {
                Item::Field(Field { role: Role::Time(t), .. }) => Some(*t),
                _ => None,
            })
        };
        parts().any(|t| matches!(t, TimeField::Part(_)))
            && !parts()
                .any(|t| matches!(t, TimeField::Part(Part::Offset) | TimeField::Clf | TimeField::Epoch))
    }

    /// The rules' fields this layout never carries.
    pub fn lacks(&self) -> Vec<&'static str> {
        let has = |role| self.items.iter().any(|i| matches!(i, Item::Field(f) if f.role == role));
        let mut lacks = Vec::new();
        if !has(Role::Referrer) {
            lacks.push("referrer");
        }
        if !has(Role::UserAgent) {
            lacks.push("user agent");
        }
        lacks
    }

    fn parse<'a>(&self, line: &'a [u8], cx: &'a mut LineCx) -> Option<Hit<'a>> {
        let line = trim_end(line);
        cx.scratch.clear();
        let mut found = Found::default();
        let mut time = Civil::default();
        let mut pos = 0;
        for (i, item) in self.items.iter().enumerate() {
            let field = match item {
                Item::Lit(l) => {
                    if !lit_at(line, pos, l) {
                        return None;
                    }
                    pos += l.len();
                    continue;
                }
                Item::Field(f) => f,
            };
            if let Role::Time(TimeField::Clf) = field.role {
                let raw = line.get(pos..pos + 26)?;
                time.instant = Some(cx.clf.parse(raw)?);
                pos += 26;
                continue;
            }
            if let Role::Time(TimeField::Part(part)) = field.role {
                pos = read_part(line, pos, part, &mut time)?;
                continue;
            }
            let end = match self.items.get(i + 1) {
                Some(Item::Lit(l)) => field_end(line, pos, l, field)?,
                _ => line.len(),
            };
            let value = &line[pos..end];
            let here = Ref::line(pos, end);
            match field.role {
                Role::Client => found.client = here,
                Role::ClientPort => {
                    found.client = match peer_address(value) {
                        Some(a) => Ref::line(pos + a.start, pos + a.end),
                        None => here,
                    }
                }
                Role::Request => found.request = here,
                Role::Method => found.method = here,
                Role::Target => found.target = here,
                Role::Path => found.path = here,
                Role::Query => found.query = here,
                Role::QueryMark => {
                    found.query =
                        if value.first() == Some(&b'?') { Ref::line(pos + 1, end) } else { Ref::None }
                }
                Role::Status => found.status = Some(found::status(value)?),
                Role::Bytes => {
                    if value != b"-" && (value.is_empty() || !value.iter().all(u8::is_ascii_digit)) {
                        return None;
                    }
                }
                Role::Referrer => found.referrer = here,
                Role::UserAgent => found.user_agent = here,
                Role::Host => found.host = here,
                Role::ForwardedFor => found.forwarded_for = here,
                Role::ForwardedClient => {
                    found.forwarded_for = here;
                    found.client = here;
                    let picked = forwarded_client(value);
                    if !picked.is_empty() {
                        // A slice of `value`: where it starts in the line.
                        let at = pos + (picked.as_ptr() as usize - value.as_ptr() as usize);
                        found.client = Ref::line(at, at + picked.len());
                    } else {
                        // No header (`-`): a request that reached the server itself, logged
                        // by a format for proxied ones without its address. Still a hit,
                        // its visitor known by its agent alone.
                        let start = cx.scratch.len() as u32;
                        cx.scratch.extend_from_slice(UNKNOWN_CLIENT);
                        found.client = Ref::Scratch(start, cx.scratch.len() as u32);
                    }
                }
                Role::Skip | Role::Port => {}
                Role::Time(TimeField::Iso) => match parse_iso_local(value)? {
                    (local, Some(offset)) => time.instant = Some(local - i64::from(offset)),
                    (local, None) => time.local = Some(local),
                },
                Role::Time(TimeField::Epoch) => time.instant = Some(parse_epoch(value)?),
                Role::Time(_) => {}
            }
            pos = end;
        }
        if pos != line.len() && !(self.open_end && appended(line, pos, found.forwarded_for, &cx.scratch)) {
            return None;
        }
        found.time = Some(match (time.instant, time.local) {
            (Some(t), _) => t,
            (None, Some(local)) => cx.local.to_utc(&self.zone, local),
            (None, None) => {
                let [y, mo, d] = time.date;
                let [h, mi, s] = time.clock;
                let local = civil(y, mo, d, h, mi, s)?;
                match time.offset {
                    Some(offset) => local - i64::from(offset),
                    None => cx.local.to_utc(&self.zone, local),
                }
            }
        });
        found.hit(line, &mut cx.scratch, self.has_method)
    }
}

impl LineFormat for Plan {
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        let end = memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        (end, self.parse(&data[start..end], cx).map_or(Parsed::Malformed, Parsed::Hit))
    }
}

/// Whether the rest of `line` from `pos` is fields appended past an open end: taken only
/// where the forwarded-for header reads as one (a quoted field can reach across quotes to
/// the next `" "`: HAProxy's clf layout). Apart, and given the header's place by value,
/// so that the parse's fields stay in registers.
#[cold]
#[inline(never)]
fn appended(line: &[u8], pos: usize, forwarded_for: Ref, scratch: &[u8]) -> bool {
    line[pos] == b' ' && forwarded_for.get(line, scratch).is_none_or(names_addresses)
}

/// Whether a forwarded-for header names addresses, with or without ports (or none: `-`).
pub fn names_addresses(list: &[u8]) -> bool {
    list == b"-"
        || list.split(|&b| b == b',').all(|item| {
            let addr = without_port(item.trim_ascii());
            std::str::from_utf8(addr).is_ok_and(|a| a.parse::<std::net::IpAddr>().is_ok())
        })
}

/// The client of a line whose forwarded-for header, logged in the client's place, is empty.
pub const UNKNOWN_CLIENT: &[u8] = b"unknown";

/// The client a forwarded-for list logged in the client's place names (empty when it
/// names none: `-`).
fn forwarded_client(list: &[u8]) -> &[u8] {
    static DEFAULT: std::sync::OnceLock<super::ClientIp> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(|| super::ClientIp::new(&[])).pick(b"", Some(list))
}

/// Where a field that starts at `pos` ends: where `lit`, the literal after it, begins.
fn field_end(line: &[u8], pos: usize, lit: &[u8], field: &Field) -> Option<usize> {
    let mut from = pos;
    loop {
        let at = find(lit[0], line, from)?;
        let escaped = field.quoted && lit[0] == b'"' && {
            let backslashes = line[pos..at].iter().rev().take_while(|&&b| b == b'\\').count();
            backslashes % 2 == 1
        };
        let in_list = field.list
            && lit[0] == b' '
            && at > pos
            && (line[at - 1] == b',' || line[at - 1] == b':' || line.get(at + 1) == Some(&b':'));
        if !escaped && !in_list && lit_at(line, at, lit) {
            return Some(at);
        }
        from = at + 1;
    }
}

/// Whether `lit` is at `pos`: literals are one to three bytes, too short for a call to
/// `memcmp` to pay.
#[inline(always)]
fn lit_at(line: &[u8], pos: usize, lit: &[u8]) -> bool {
    line.len() >= pos + lit.len() && line[pos..pos + lit.len()].iter().zip(lit).all(|(a, b)| a == b)
}

/// The first `byte` at or after `from`.
#[inline(always)]
fn find(byte: u8, line: &[u8], from: usize) -> Option<usize> {
    super::scan::find_byte(line, from, byte)
}

/// Where the address lies in a peer logged as `address:port` (HAProxy's `%ci:%cp`, a
/// balancer's client, `$remote_addr:$remote_port`), whose port is always there:
/// `1.2.3.4:5678`, `[2001:db8::1]:443` and `2001:db8::1:443` (HAProxy writes IPv6 bare:
/// the last colon is the port's). `None` without a port.
pub(super) fn peer_address(value: &[u8]) -> Option<std::ops::Range<usize>> {
    if let Some(rest) = value.strip_prefix(b"[") {
        let close = memchr(b']', rest)?;
        return Some(1..1 + close);
    }
    let c = memchr::memrchr(b':', value)?;
    let port = &value[c + 1..];
    (c > 0 && !port.is_empty() && port.iter().all(u8::is_ascii_digit)).then_some(0..c)
}

/// `1.2.3.4:5678` → `1.2.3.4`; `[2001:db8::1]:443` → `2001:db8::1`; an IPv6 address
/// without brackets or port stays whole.
pub(super) fn without_port(value: &[u8]) -> &[u8] {
    if let Some(rest) = value.strip_prefix(b"[") {
        return memchr(b']', rest).map_or(value, |e| &rest[..e]);
    }
    match memchr::memrchr(b':', value) {
        Some(c) if memchr(b':', &value[..c]).is_none() && value[c + 1..].iter().all(u8::is_ascii_digit) => {
            &value[..c]
        }
        _ => value,
    }
}

/// Reads one strftime part at `pos`; returns where it ends.
fn read_part(line: &[u8], pos: usize, part: Part, time: &mut Civil) -> Option<usize> {
    let rest = &line[pos..];
    let fixed = |n: usize| rest.get(..n).and_then(digits);
    let (value, len) = match part {
        Part::Year => (fixed(4)?, 4),
        Part::Year2 => (2000 + fixed(2)?, 2),
        Part::Month | Part::Day | Part::Hour | Part::Minute | Part::Second => (fixed(2)?, 2),
        Part::DaySpace => {
            let two = rest.get(..2)?;
            let d = if two[0] == b' ' { digits(&two[1..])? } else { digits(two)? };
            (d, 2)
        }
        Part::MonthName => (month_abbrev(rest.get(..3)?)?, 3),
        Part::Offset => {
            if rest.first() == Some(&b'Z') {
                time.offset = Some(0);
                return Some(pos + 1);
            }
            let colon = rest.get(3) == Some(&b':');
            let len = if colon { 6 } else { 5 };
            let raw = rest.get(..len)?;
            let (h, m) = (digits(&raw[1..3])?, digits(&raw[len - 2..])?);
            let secs = (h * 3600 + m * 60) as i32;
            time.offset = Some(match raw[0] {
                b'+' => secs,
                b'-' => -secs,
                _ => return None,
            });
            return Some(pos + len);
        }
        Part::Digits => {
            let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            return (n > 0).then_some(pos + n);
        }
        Part::Word => {
            let n = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            return (n > 0).then_some(pos + n);
        }
    };
    match part {
        Part::Year | Part::Year2 => time.date[0] = value,
        Part::Month | Part::MonthName => time.date[1] = value,
        Part::Day | Part::DaySpace => time.date[2] = value,
        Part::Hour => time.clock[0] = value,
        Part::Minute => time.clock[1] = value,
        Part::Second => time.clock[2] = value,
        Part::Offset | Part::Digits | Part::Word => {}
    }
    Some(pos + len)
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &line[..end]
}
