//! Log formats: bytes of one line in, the fields darklog uses out.
//!
//! Every format sits behind [`LogFormat`], the one seam later formats (custom
//! `log_format` strings, JSON, W3C, CloudFront) plug into. Lines are bytes, never
//! `String`s: real logs carry invalid UTF-8 in paths and user agents.

mod clf;

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
