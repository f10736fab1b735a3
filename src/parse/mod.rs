//! Log formats: bytes of one line in, the fields darklog uses out.
//!
//! Every format implements [`LineFormat`], the one seam formats plug into: it owns
//! decoding (escapes, encodings, time layouts), so later stages never learn which layout a
//! hit came from. [`Format`] names the formats darklog has and dispatches to them once per
//! chunk of lines, not once per line; [`FormatSpec`] is what `--log-format` says, parsed in
//! one place for every command. Lines are bytes, never `String`s: real logs carry invalid
//! UTF-8 in paths and user agents.

mod clf;
mod scan;
pub mod time;

use std::fmt;
use std::str::FromStr;

pub use clf::{Clf, ClfKind};
pub use time::ClfCache;

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

/// A request target as (path, query without its `?`).
pub fn split_target(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b'?', target) {
        Some(i) => (&target[..i], Some(&target[i + 1..])),
        None => (target, None),
    }
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
}

/// What a format carries from one block of an input to the next, read on the reading
/// thread in input order: the state lines set for the lines after them. The NCSA family
/// carries nothing.
#[derive(Debug, Default)]
pub struct Carry {}

/// The state a block's lines start in, as [`Format::begin_block`] read it.
#[derive(Debug, Default, Clone)]
pub struct BlockState {}

/// The seam every log format implements.
pub trait LineFormat: Send + Sync {
    /// Parses the line that starts at `start` in `data`: returns where it ends (the index
    /// of its newline, or `data.len()`) and what it is. A format finds the newline and the
    /// fields in one pass where it can: that is the fast way through a block of lines.
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>);
}

/// The log formats darklog reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The NCSA family: combined, common and vhost_combined.
    Clf(Clf),
}

impl Format {
    pub const COMBINED: Format = Format::Clf(Clf(ClfKind::Combined));
    pub const COMMON: Format = Format::Clf(Clf(ClfKind::Common));
    pub const VHOST_COMBINED: Format = Format::Clf(Clf(ClfKind::VhostCombined));

    /// Every preset, most specific first: detection prefers the earlier of two that fit.
    pub const PRESETS: [Format; 3] = [Format::VHOST_COMBINED, Format::COMBINED, Format::COMMON];

    pub fn name(&self) -> &'static str {
        match self {
            Format::Clf(f) => f.0.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::PRESETS.into_iter().find(|f| f.name() == name)
    }

    /// Parses one line (without its newline).
    pub fn parse<'a>(&self, line: &'a [u8], cx: &'a mut LineCx) -> Parsed<'a> {
        self.parse_next(line, 0, cx).1
    }

    /// See [`LineFormat::parse_next`].
    #[inline]
    pub fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        match self {
            Format::Clf(f) => f.parse_next(data, start, cx),
        }
    }

    /// Reads what a block holds for the lines after it (a stateful format's directives),
    /// before the block is parsed; called for each block of an input, in order.
    pub fn begin_block(&self, _carry: &mut Carry, _block: &[u8]) -> BlockState {
        BlockState::default()
    }

    /// The context to parse lines of a block from `offset` on (a chunk's start, or a line
    /// parsed again).
    pub fn line_cx(&self, _state: &BlockState, _offset: usize) -> LineCx {
        LineCx::default()
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
        match self {
            Format::Clf(f) => chunk_loop(f, cx, chunk, sink),
        }
    }
}

#[inline(always)]
fn chunk_loop<F: LineFormat>(
    format: &F,
    mut cx: LineCx,
    chunk: &[u8],
    mut sink: impl FnMut(usize, usize, Parsed<'_>),
) {
    let mut pos = 0;
    while pos < chunk.len() {
        let (end, parsed) = format.parse_next(chunk, pos, &mut cx);
        sink(pos, end, parsed);
        pos = end + 1;
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `--log-format` says: a format, or `auto` (detect per input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatSpec {
    Auto,
    Fixed(Format),
}

impl FromStr for FormatSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<FormatSpec, String> {
        let name = s.trim().replace('-', "_");
        if name == "auto" {
            return Ok(FormatSpec::Auto);
        }
        Format::from_name(&name).map(FormatSpec::Fixed).ok_or_else(|| {
            format!("unknown log format '{s}' (auto, {})", Format::PRESETS.map(|f| f.name()).join(", "))
        })
    }
}

/// What detection concluded from a sample of lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub format: Format,
    pub parsed: usize,
    pub sampled: usize,
}

/// Picks the format that parses the most of `lines` (non-empty ones); ties go to the
/// more specific format. `None` when no format parses at least half of the sample.
pub fn detect<'a>(lines: impl Iterator<Item = &'a [u8]> + Clone) -> Option<Detection> {
    let sampled = lines.clone().filter(|l| !l.is_empty()).count();
    if sampled == 0 {
        return None;
    }
    let mut best: Option<Detection> = None;
    for format in Format::PRESETS {
        let mut cx = LineCx::default();
        let parsed = lines.clone().filter(|l| matches!(format.parse(l, &mut cx), Parsed::Hit(_))).count();
        if best.as_ref().is_none_or(|b| parsed > b.parsed) {
            best = Some(Detection { format, parsed, sampled });
        }
    }
    best.filter(|d| d.parsed * 2 >= d.sampled && d.parsed > 0)
}

#[cfg(test)]
mod tests;
