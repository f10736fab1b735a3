//! Log formats: bytes of one line in, the fields darklog uses out.
//!
//! Every format implements [`LineFormat`], the one seam formats plug into: it owns
//! decoding (escapes, encodings, time layouts), so later stages never learn which layout a
//! hit came from. [`Format`] names the formats darklog has and dispatches to them once per
//! chunk of lines, not once per line; [`FormatSpec`] is what `--log-format` says (a preset
//! or a format string), parsed in one place for every command and built into a `Format`
//! with the [`FormatOptions`] the other flags give. Lines are bytes, never `String`s: real
//! logs carry invalid UTF-8 in paths and user agents.

mod alb;
mod clf;
pub mod client;
mod compile;
mod detect;
mod found;
mod haproxy;
mod json;
mod json_keys;
mod line_start;
mod plan;
mod scan;
mod spec;
mod syslog;
pub mod time;
mod w3c;

use std::fmt;
use std::sync::Arc;

pub use alb::Alb;
pub use clf::{Clf, ClfKind};
pub use client::{Cidr, ClientIp};
pub use detect::{behind_syslog, detect, suggest, Detection};
pub use found::authority_host;
pub use haproxy::Haproxy;
pub use json::{Json, JsonRole};
pub use line_start::strip_lead;
use line_start::{after_nuls, past_lead, BOM};
pub use plan::names_addresses;
pub use plan::Plan;
pub use spec::{FormatError, FormatOptions, FormatSpec, Preset};
pub use time::ClfCache;
pub use w3c::W3c;

/// The fields of one request, borrowed from the line or, for a field the format had to
/// decode (an escape, an encoding), from the [`LineCx`] scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'a> {
    /// Apache `%v` (vhost_combined), when the format has it.
    pub vhost: Option<&'a [u8]>,
    pub client: &'a [u8],
    /// Unix seconds, UTC.
    pub time: i64,
    /// Empty when the request line was `-` or unparseable garbage.
    pub method: &'a [u8],
    /// Path and query as logged (still percent-encoded and escaped).
    pub target: &'a [u8],
    pub status: u16,
    /// `None` when the format has no referrer or the field is `-` or empty.
    pub referrer: Option<&'a [u8]>,
    /// `None` when the format has no user agent or the field is `-` or empty.
    pub user_agent: Option<&'a [u8]>,
    /// The header `--client-ip` names (X-Forwarded-For unless told otherwise), as logged:
    /// the addresses of the proxies a request passed, when the format carries it.
    pub forwarded_for: Option<&'a [u8]>,
}

impl<'a> Hit<'a> {
    /// The path without its query string.
    pub fn path(&self) -> &'a [u8] {
        split_target(self.target).0
    }

    /// The query string without its `?`, if any.
    pub fn query(&self) -> Option<&'a [u8]> {
        split_target(self.target).1
    }
}

/// Where a hit's text fields lie in its line, in 20 bytes: what lets a later stage look
/// at a line again without parsing it again. Lines longer than 64 KiB do not fit (their
/// stage parses them again instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpans {
    client: Span,
    target: Span,
    referrer: Span,
    user_agent: Span,
    vhost: Span,
}

/// Byte range in a line; `start > end` marks a field the line does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u16,
    end: u16,
}

const ABSENT: Span = Span { start: 1, end: 0 };

/// The text fields of a hit, found again in its line through [`FieldSpans`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitFields<'a> {
    pub vhost: Option<&'a [u8]>,
    pub client: &'a [u8],
    pub target: &'a [u8],
    pub referrer: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
}

impl<'a> HitFields<'a> {
    /// The path without its query string.
    pub fn path(&self) -> &'a [u8] {
        split_target(self.target).0
    }
}

impl FieldSpans {
    /// Spans that know nothing, for a line too long to have them (a parsed hit always
    /// has a client, so an absent client marks these).
    pub const UNKNOWN: FieldSpans =
        FieldSpans { client: ABSENT, target: ABSENT, referrer: ABSENT, user_agent: ABSENT, vhost: ABSENT };

    pub fn is_unknown(&self) -> bool {
        self.client == ABSENT
    }

    /// The spans of `hit`'s fields, which must borrow from `line`; `None` when the line
    /// is too long for them.
    pub fn of(line: &[u8], hit: &Hit<'_>) -> Option<FieldSpans> {
        let base = line.as_ptr() as usize;
        let span = |field: &[u8]| -> Option<Span> {
            // An empty field may be a static `b""` rather than part of the line.
            if field.is_empty() {
                return Some(Span { start: 0, end: 0 });
            }
            let start = (field.as_ptr() as usize).checked_sub(base)?;
            let end = start + field.len();
            (end <= line.len()).then_some(())?;
            Some(Span { start: u16::try_from(start).ok()?, end: u16::try_from(end).ok()? })
        };
        let optional = |field: Option<&[u8]>| field.map_or(Some(ABSENT), span);
        Some(FieldSpans {
            client: span(hit.client)?,
            target: span(hit.target)?,
            referrer: optional(hit.referrer)?,
            user_agent: optional(hit.user_agent)?,
            vhost: optional(hit.vhost)?,
        })
    }

    /// The fields again, from the line they were found in.
    pub fn fields<'a>(&self, line: &'a [u8]) -> HitFields<'a> {
        let get = |s: Span| line.get(usize::from(s.start)..usize::from(s.end));
        HitFields {
            vhost: get(self.vhost),
            client: get(self.client).unwrap_or_default(),
            target: get(self.target).unwrap_or_default(),
            referrer: get(self.referrer),
            user_agent: get(self.user_agent),
        }
    }
}

impl<'a> Hit<'a> {
    /// The text fields alone.
    pub fn fields(&self) -> HitFields<'a> {
        HitFields {
            vhost: self.vhost,
            client: self.client,
            target: self.target,
            referrer: self.referrer,
            user_agent: self.user_agent,
        }
    }
}

/// A request target as (path, query without its `?`); an empty path is the front page's.
/// A fragment is the browser's and never sent, but a client that sends one has not asked
/// for another page: the path ends at `#` too (what follows it is no query either).
pub fn split_target(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    // Every line asks, of a target of some tens of bytes: short enough that a `memchr`
    // call costs more to start than to run.
    let (path, query) = match scan::find_either(target, 0, [b'?', b'#']) {
        Some(i) if target[i] == b'?' => (&target[..i], Some(&target[i + 1..])),
        Some(i) => (&target[..i], None),
        None => (target, None),
    };
    // `?q` alone: what is left of `http://host?q` once its host is taken.
    (if path.is_empty() && !target.is_empty() { b"/" } else { path }, query)
}

/// `key=value` pairs of a query string, split on `&` and `;` (both are in use), still
/// encoded. A pair without `=` has an empty value.
pub fn query_pairs(query: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    query.split(|&b| b == b'&' || b == b';').filter(|p| !p.is_empty()).map(|pair| {
        match memchr::memchr(b'=', pair) {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        }
    })
}

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed<'a> {
    Hit(Hit<'a>),
    /// Not a request: a line that says how to read the lines after it (W3C's `#Fields:`,
    /// `#Version:`…).
    Directive,
    /// Not a line of this format.
    Malformed,
}

impl<'a> Parsed<'a> {
    pub fn hit(self) -> Option<Hit<'a>> {
        match self {
            Parsed::Hit(h) => Some(h),
            Parsed::Directive | Parsed::Malformed => None,
        }
    }
}

/// What a format may keep between the lines of one chunk: caches (the last timestamp
/// parsed), the state the lines before set (see [`BlockState`]) and the scratch buffer
/// decoded fields are written to. One per chunk, reused from line to line, so that the
/// common path allocates nothing.
#[derive(Default)]
pub struct LineCx {
    pub clf: ClfCache,
    /// Decoded fields of the current line (a JSON escape, a URL-encoded agent): a hit's
    /// field points here when the line does not hold it as it is.
    pub scratch: Vec<u8>,
    /// Wall-clock times of the run's zone, for layouts that write no offset.
    pub(crate) local: time::LocalCache,
    /// The W3C field list in force (set by `#Fields:` lines).
    pub(crate) layout: Option<Arc<w3c::Layout>>,
    pub(crate) date: time::DateCache,
    /// The last ISO 8601 time a JSON line held (bytes, length, instant).
    pub(crate) iso: ([u8; 32], u8, i64),
    /// A line read so far held a time without a zone (JSON's are each line's own).
    pub(crate) zoneless_time: bool,
}

/// What a format carries from one block of an input to the next, read on the reading
/// thread in input order: the state lines set for the lines after them (W3C's field
/// list). The other formats carry nothing.
#[derive(Debug, Default)]
pub struct Carry {
    layout: Option<Arc<w3c::Layout>>,
    /// A block of the input was begun: the next is not its first.
    begun: bool,
}

/// The state a block's lines start in, as [`Format::begin_block`] read it, and where in
/// the block it changes.
#[derive(Debug, Default, Clone)]
pub struct BlockState {
    start: Option<Arc<w3c::Layout>>,
    /// (offset of the line after a `#Fields:` line, the list it sets), in order.
    changes: Vec<(usize, Arc<w3c::Layout>)>,
    /// The input's first block, starting with a byte-order mark.
    bom: bool,
}

impl BlockState {
    fn layout_at(&self, offset: usize) -> Option<Arc<w3c::Layout>> {
        let i = self.changes.partition_point(|(at, _)| *at <= offset);
        match i {
            0 => self.start.clone(),
            _ => Some(self.changes[i - 1].1.clone()),
        }
    }
}

/// The seam every log format implements.
pub trait LineFormat: Send + Sync {
    /// Parses the line that starts at `start` in `data`: returns where it ends (the index
    /// of its newline, or `data.len()`) and what it is. A format finds the newline and the
    /// fields in one pass where it can: that is the fast way through a block of lines.
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>);
}

/// The log formats darklog reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// The NCSA family: combined, common and vhost_combined.
    Clf(Clf),
    /// A format string (nginx `log_format`, Apache `LogFormat`), compiled; also Traefik.
    Plan(Arc<Plan>),
    /// One JSON object per line: nginx `escape=json`, Traefik, Caddy, or keys given.
    Json(Arc<Json>),
    /// W3C extended (IIS) and CloudFront: columns named by `#Fields:` lines.
    W3c(Arc<W3c>),
    /// AWS Application Load Balancer.
    Alb(Alb),
    /// HAProxy's `option httplog`.
    Haproxy(Arc<Haproxy>),
    /// Any of these after a syslog prefix (`Nov 10 10:00:00 host prog[pid]: `).
    Syslog(Arc<Format>),
}

impl Format {
    pub const COMBINED: Format = Format::Clf(Clf(ClfKind::Combined));
    pub const COMMON: Format = Format::Clf(Clf(ClfKind::Common));
    pub const VHOST_COMBINED: Format = Format::Clf(Clf(ClfKind::VhostCombined));

    /// The name reports and messages use: a preset's, or the kind of format string.
    pub fn name(&self) -> String {
        match self {
            Format::Clf(f) => f.0.name().into(),
            Format::Plan(p) => p.name.clone(),
            Format::Json(j) => j.name.into(),
            Format::W3c(w) => w.name().into(),
            Format::Alb(a) => if a.classic { "elb" } else { "alb" }.into(),
            Format::Haproxy(_) => "haproxy".into(),
            Format::Syslog(inner) => format!("{} (after a syslog prefix)", inner.name()),
        }
    }

    /// HAProxy's captured request headers: how many fields `line` holds against how many
    /// `--captured-headers` names, when they differ (the slots would be misread).
    pub fn capture_mismatch(&self, line: &[u8]) -> Option<(usize, usize)> {
        match self {
            Format::Haproxy(h) => {
                let held = haproxy::captured_fields(line)?;
                (held != h.slots()).then_some((held, h.slots()))
            }
            Format::Syslog(inner) => inner.capture_mismatch(line),
            _ => None,
        }
    }

    /// Fields the layout never carries, of those the rules read (a W3C or JSON log may
    /// still lack them line by line).
    pub fn lacks(&self) -> Vec<&'static str> {
        match self {
            Format::Clf(Clf(ClfKind::Common)) => vec!["referrer", "user agent"],
            Format::Clf(_) | Format::Json(_) | Format::W3c(_) | Format::Haproxy(_) => Vec::new(),
            Format::Plan(p) => p.lacks(),
            Format::Alb(_) => vec!["referrer"],
            Format::Syslog(inner) => inner.lacks(),
        }
    }

    /// [`Format::lacks`], and for a W3C log the columns its field list in `cx` (the last
    /// `#Fields:` read) leaves out.
    pub fn lacks_in(&self, cx: &LineCx) -> Vec<&'static str> {
        match (self, cx.layout.as_deref()) {
            (Format::W3c(_), Some(layout)) => layout.lacks(),
            (Format::Syslog(inner), _) => inner.lacks_in(cx),
            _ => self.lacks(),
        }
    }

    /// Whether the line at `offset` of a block in `state` is in a layout with a user-agent
    /// field: a W3C log's `#Fields:` may change part-way.
    pub fn has_agent_at(&self, state: &BlockState, offset: usize) -> bool {
        match self {
            Format::W3c(_) => state.layout_at(offset).is_some_and(|l| !l.lacks().contains(&"user agent")),
            Format::Syslog(inner) => inner.has_agent_at(state, offset),
            _ => true,
        }
    }

    /// Parses one line (without its newline).
    pub fn parse<'a>(&self, line: &'a [u8], cx: &'a mut LineCx) -> Parsed<'a> {
        self.parse_next(line, 0, cx).1
    }

    /// Whether the lines read with `cx` held times without a zone: the layout's always do,
    /// a JSON line's when its time does.
    pub fn zoneless_in(&self, cx: &LineCx) -> bool {
        self.zoneless() || cx.zoneless_time
    }

    /// Whether the layout writes its times without a zone (HAProxy's, a strftime without
    /// `%z`): they are read in `--tz`.
    pub fn zoneless(&self) -> bool {
        match self {
            Format::Haproxy(_) => true,
            Format::Plan(p) => p.zoneless(),
            Format::Syslog(inner) => inner.zoneless(),
            _ => false,
        }
    }

    /// See [`LineFormat::parse_next`].
    #[inline]
    pub fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        let start = past_lead(data, start);
        match self {
            Format::Clf(f) => f.parse_next(data, start, cx),
            Format::Plan(f) => f.parse_next(data, start, cx),
            Format::Json(f) => f.parse_next(data, start, cx),
            Format::W3c(f) => f.parse_next(data, start, cx),
            Format::Alb(f) => f.parse_next(data, start, cx),
            Format::Haproxy(f) => f.parse_next(data, start, cx),
            Format::Syslog(inner) => syslog::parse_next(inner, data, start, cx),
        }
    }

    /// Reads what a block holds for the lines after it (a stateful format's directives),
    /// before the block is parsed; called for each block of an input, in order.
    pub fn begin_block(&self, carry: &mut Carry, block: &[u8]) -> BlockState {
        let first = !std::mem::replace(&mut carry.begun, true);
        let mut state = match self {
            Format::W3c(w) => w.begin_block(carry, block),
            Format::Syslog(inner) => inner.begin_block(carry, block),
            _ => BlockState::default(),
        };
        state.bom = first && block.starts_with(BOM);
        state
    }

    /// The context to parse lines of a block from `offset` on (a chunk's start, or a line
    /// parsed again).
    pub fn line_cx(&self, state: &BlockState, offset: usize) -> LineCx {
        LineCx { layout: state.layout_at(offset), ..LineCx::default() }
    }

    /// Parses every line of `chunk`, which starts at `offset` in a block in `state`,
    /// handing each to `sink` as (start, end, what it is) within the chunk: the format is
    /// chosen once here, and the loop over lines is compiled for it.
    pub fn parse_chunk(
        &self,
        state: &BlockState,
        offset: usize,
        chunk: &[u8],
        sink: impl FnMut(usize, usize, Parsed<'_>),
    ) {
        let cx = self.line_cx(state, offset);
        // Only a file's first line is looked at for a mark: not a byte per line.
        let from = if state.bom && offset == 0 { BOM.len() } else { 0 };
        match self {
            Format::Clf(f) => chunk_loop(f, cx, chunk, from, sink),
            Format::Plan(f) => chunk_loop(&**f, cx, chunk, from, sink),
            Format::Json(f) => chunk_loop(&**f, cx, chunk, from, sink),
            Format::W3c(f) => chunk_loop(&**f, cx, chunk, from, sink),
            Format::Alb(f) => chunk_loop(f, cx, chunk, from, sink),
            Format::Haproxy(f) => chunk_loop(&**f, cx, chunk, from, sink),
            Format::Syslog(_) => chunk_loop(self, cx, chunk, from, sink),
        }
    }
}

impl LineFormat for Format {
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        Format::parse_next(self, data, start, cx)
    }
}

#[inline(always)]
fn chunk_loop<F: LineFormat + ?Sized>(
    format: &F,
    mut cx: LineCx,
    chunk: &[u8],
    first_from: usize,
    mut sink: impl FnMut(usize, usize, Parsed<'_>),
) {
    // One call of the format in the loop, or it is no longer inlined into it (a copy of
    // every hit, 4% of a run): the first line is read from past its mark, and starts there.
    let mut pos = first_from;
    while pos < chunk.len() {
        let at = if chunk[pos] == 0 { after_nuls(chunk, pos) } else { pos };
        let (end, parsed) = format.parse_next(chunk, at, &mut cx);
        sink(pos, end, parsed);
        pos = end + 1;
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod format_tests;
#[cfg(test)]
mod tests;
