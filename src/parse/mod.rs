//! Log formats: bytes of one line in, the fields darklog uses out.
//!
//! Every format sits behind [`LogFormat`], the one seam later formats (custom
//! `log_format` strings, JSON, W3C, CloudFront) plug into. Lines are bytes, never
//! `String`s: real logs carry invalid UTF-8 in paths and user agents.

mod clf;
mod scan;

use std::fmt;

use crate::time::ClfCache;

/// The fields of one request, borrowed from the line.
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

/// The log formats darklog reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogFormat {
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

impl LogFormat {
    /// Every format, most specific first: detection prefers the earlier of two that fit.
    pub const ALL: [LogFormat; 3] = [LogFormat::VhostCombined, LogFormat::Combined, LogFormat::Common];

    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Combined => "combined",
            LogFormat::Common => "common",
            LogFormat::VhostCombined => "vhost_combined",
        }
    }

    pub fn from_name(name: &str) -> Option<LogFormat> {
        LogFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Parses one line (without its newline). `None` means malformed.
    #[inline]
    pub fn parse<'a>(self, line: &'a [u8], clock: &mut ClfCache) -> Option<Hit<'a>> {
        clf::parse(self, line, clock)
    }

    /// Parses the line that starts at `start` in `data`: returns where it ends (the index
    /// of its newline, or `data.len()`) and its hit, as [`LogFormat::parse`] would on
    /// `&data[start..end]`. Finding the newline and the fields in one pass is what makes
    /// this the fast way through a block of lines.
    #[inline]
    pub fn parse_next<'a>(
        self,
        data: &'a [u8],
        start: usize,
        clock: &mut ClfCache,
    ) -> (usize, Option<Hit<'a>>) {
        clf::parse_next(self, data, start, clock)
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What detection concluded from a sample of lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub format: LogFormat,
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
    for format in LogFormat::ALL {
        let mut clock = ClfCache::default();
        let parsed = lines.clone().filter(|l| format.parse(l, &mut clock).is_some()).count();
        if best.as_ref().is_none_or(|b| parsed > b.parsed) {
            best = Some(Detection { format, parsed, sampled });
        }
    }
    best.filter(|d| d.parsed * 2 >= d.sampled && d.parsed > 0)
}

#[cfg(test)]
mod tests;
