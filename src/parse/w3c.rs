//! W3C extended logs (IIS) and CloudFront's standard logs: columns named by a `#Fields:`
//! directive, which may change mid-file (IIS writes a new header block after a restart or
//! a configuration change). The reading thread carries the field list in force from
//! block to block ([`Carry`]); each block's [`BlockState`] says where in it the list
//! changes, so a chunk starts with the list its first line is read with.
//!
//! IIS separates columns with spaces and writes a space inside a value as `+`; CloudFront
//! separates them with tabs and percent-encodes its values. Both write times in UTC.

use std::sync::Arc;

use memchr::{memchr, memmem};

use super::found::{self, Found, Ref};
use super::time::{parse_clock, DateCache};
use super::{BlockState, Carry, Hit, LineCx, LineFormat, Parsed};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W3cKind {
    /// Microsoft IIS (and other W3C extended writers): spaces, `+` for a space.
    Iis,
    /// Amazon CloudFront standard logs: tabs, percent-encoding.
    CloudFront,
}

/// A W3C layout reader.
#[derive(Debug, Clone, PartialEq)]
pub struct W3c {
    pub(super) kind: W3cKind,
    /// The header `--client-ip` names, as a column (`cs(X-Forwarded-For)`).
    client_header: String,
}

/// What a column is to darklog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Date,
    Time,
    Client,
    Method,
    Stem,
    /// `cs-uri`: the path and query together.
    Uri,
    Query,
    Status,
    Referrer,
    UserAgent,
    Host,
    ForwardedFor,
    Skip,
}

/// The columns a `#Fields:` directive names.
#[derive(Debug, PartialEq)]
pub struct Layout {
    columns: Vec<Col>,
    has_method: bool,
}

impl Layout {
    /// The rules' fields this field list leaves out.
    pub(super) fn lacks(&self) -> Vec<&'static str> {
        let mut lacks = Vec::new();
        if !self.columns.contains(&Col::Referrer) {
            lacks.push("referrer");
        }
        if !self.columns.contains(&Col::UserAgent) {
            lacks.push("user agent");
        }
        lacks
    }
}

impl W3c {
    pub fn new(kind: W3cKind, client_header: &str) -> W3c {
        W3c { kind, client_header: client_header.to_ascii_lowercase() }
    }

    pub fn name(&self) -> &'static str {
        match self.kind {
            W3cKind::Iis => "w3c",
            W3cKind::CloudFront => "cloudfront",
        }
    }

    /// The layout a `#Fields:` line (what follows the colon) names.
    fn layout(&self, fields: &[u8]) -> Layout {
        let text = String::from_utf8_lossy(fields).to_ascii_lowercase();
        let header = format!("cs({})", self.client_header);
        let columns: Vec<Col> = text
            .split_ascii_whitespace()
            .map(|name| match name {
                "date" => Col::Date,
                "time" => Col::Time,
                "c-ip" => Col::Client,
                "cs-method" => Col::Method,
                "cs-uri-stem" => Col::Stem,
                "cs-uri-query" => Col::Query,
                "cs-uri" => Col::Uri,
                "sc-status" => Col::Status,
                "cs(referer)" | "cs(referrer)" => Col::Referrer,
                "cs(user-agent)" => Col::UserAgent,
                // CloudFront's cs(Host) is its own domain; the site is x-host-header.
                "cs-host" | "x-host-header" => Col::Host,
                "x-forwarded-for" if self.client_header == "x-forwarded-for" => Col::ForwardedFor,
                n if n == header => Col::ForwardedFor,
                _ => Col::Skip,
            })
            .collect();
        let has_method = columns.contains(&Col::Method);
        Layout { columns, has_method }
    }

    /// Reads the block's `#Fields:` lines on the reading thread, in order: the list its
    /// first line starts with, and where it changes.
    pub(super) fn begin_block(&self, carry: &mut Carry, block: &[u8]) -> BlockState {
        let mut state = BlockState { start: carry.layout.clone(), changes: Vec::new(), bom: false };
        // A line may start with a byte-order mark (a file written on Windows, or two
        // concatenated): the directive is after it.
        let mut directives: Vec<usize> = ["#Fields:", "\u{feff}#Fields:"]
            .iter()
            .filter(|d| block.starts_with(d.as_bytes()))
            .map(|d| d.len() - 8)
            .collect();
        for d in ["\n#Fields:", "\n\u{feff}#Fields:"] {
            directives.extend(memmem::find_iter(block, d.as_bytes()).map(|i| i + d.len() - 8));
        }
        directives.sort_unstable();
        for at in directives {
            let end = memchr(b'\n', &block[at..]).map_or(block.len(), |i| at + i);
            let layout = Arc::new(self.layout(trim(&block[at + 8..end])));
            carry.layout = Some(layout.clone());
            state.changes.push((end + 1, layout));
        }
        state
    }

    fn parse<'a>(
        &self,
        line: &'a [u8],
        layout: &Layout,
        scratch: &'a mut Vec<u8>,
        date: &mut DateCache,
    ) -> Option<Hit<'a>> {
        scratch.clear();
        let sep = match self.kind {
            W3cKind::Iis => b' ',
            W3cKind::CloudFront => b'\t',
        };
        let mut found = Found::default();
        let (mut day, mut secs) = (None, None);
        let mut pos = 0;
        for &col in &layout.columns {
            if pos > line.len() {
                break;
            }
            let end = memchr(sep, &line[pos..]).map_or(line.len(), |i| pos + i);
            let value = &line[pos..end];
            let here = Ref::line(pos, end);
            let text = |scratch: &mut Vec<u8>| self.text(line, pos, end, scratch);
            match col {
                Col::Date => day = Some(date.parse(value)?),
                Col::Time => secs = Some(parse_clock(value)?),
                Col::Client => found.client = here,
                Col::Method => found.method = here,
                Col::Stem => found.path = text(scratch),
                Col::Uri => found.target = text(scratch),
                Col::Query => found.query = text(scratch),
                Col::Status => found.status = Some(found::status(value)?),
                Col::Referrer => found.referrer = text(scratch),
                Col::UserAgent => {
                    found.user_agent = match self.kind {
                        W3cKind::Iis => {
                            found::decoded(line, pos, end, scratch, |f| f.contains(&b'+'), found::plus_decode)
                        }
                        W3cKind::CloudFront => text(scratch),
                    }
                }
                Col::Host => found.host = here,
                Col::ForwardedFor => found.forwarded_for = text(scratch),
                Col::Skip => {}
            }
            pos = end + 1;
        }
        found.time = Some(day? * 86_400 + secs?);
        found.hit(line, scratch, layout.has_method)
    }

    /// A text column: CloudFront's decoded once; IIS's as written.
    fn text(&self, line: &[u8], start: usize, end: usize, scratch: &mut Vec<u8>) -> Ref {
        match self.kind {
            W3cKind::Iis => Ref::line(start, end),
            W3cKind::CloudFront => {
                found::decoded(line, start, end, scratch, |f| f.contains(&b'%'), found::percent_decode)
            }
        }
    }
}

impl LineFormat for W3c {
    fn parse_next<'a>(&self, data: &'a [u8], start: usize, cx: &'a mut LineCx) -> (usize, Parsed<'a>) {
        let end = memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let line = &data[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'#') {
            if let Some(fields) = line.strip_prefix(b"#Fields:") {
                cx.layout = Some(Arc::new(self.layout(trim(fields))));
            }
            return (end, Parsed::Directive);
        }
        let LineCx { scratch, layout, date, .. } = cx;
        let Some(layout) = layout.as_deref() else { return (end, Parsed::Malformed) };
        (end, self.parse(line, layout, scratch, date).map_or(Parsed::Malformed, Parsed::Hit))
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}
