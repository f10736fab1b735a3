//! The parallel stage of a run: every line of a chunk parsed, windowed, tested (page view
//! or asset) and keyed (visitor, user agent), into a record of one cache line that the
//! sequential stage reads without looking at the line again unless it must.

use crate::classify::{fetched, page_view, PathKind, PathRules};
use crate::engine::Stage;
use crate::identity::KeyHasher;
use crate::input::MAX_LINE;
use crate::parse::{BlockState, Carry, ClientIp, FieldSpans, Format, HitFields, LineCx, Parsed};
use crate::session::HitFlags;

/// One line as the parallel stage leaves it for the sequential one: where it is in its
/// block, and what it is. Kept to one cache line: the parse threads write two million
/// of these for a two-million-line log and the sessionizing thread reads them all.
#[derive(Clone, Copy)]
#[repr(align(64))]
pub struct Line {
    pub start: u32,
    pub end: u32,
    pub rec: Rec,
}

const _: () = assert!(std::mem::size_of::<Line>() == 64);

#[derive(Clone, Copy)]
pub enum Rec {
    Malformed,
    /// A line that says how to read the lines after it (W3C's `#Fields:`).
    Directive,
    Outside,
    /// `page_view`: a stable hash of (visitor, path), for page views. `agent`: the user
    /// agent's key in the run's agent cache.
    Hit {
        time: i64,
        key: u64,
        agent: u64,
        page_view: u64,
        flags: HitFlags,
        /// [`FieldSpans::UNKNOWN`] for a line whose fields cannot be found again by
        /// position (too long, or decoded).
        spans: FieldSpans,
    },
}

/// The parallel stage: parse, window, page-view test and visitor key for every line.
#[derive(Clone, Copy)]
pub struct LineStage<'a> {
    pub format: &'a Format,
    /// The tables' path rules and what this site embeds.
    pub paths: &'a PathRules,
    /// Hits outside `[read_since, read_until)` are only counted (see `FoldCx`).
    pub read_since: Option<i64>,
    pub read_until: Option<i64>,
    pub keys: &'a KeyHasher,
    /// How to find the client behind a proxy; `None`: the logged address.
    pub client_ip: Option<&'a ClientIp>,
    /// The input records user agents: a line without one is a client that sent none.
    pub agents_logged: bool,
}

impl Stage for LineStage<'_> {
    type Rec = Line;
    type Carry = Carry;
    type Block = BlockState;

    fn begin_block(&self, carry: &mut Carry, block: &[u8]) -> BlockState {
        self.format.begin_block(carry, block)
    }

    fn chunk(&self, state: &BlockState, block: &[u8], start: usize, end: usize, out: &mut Vec<Line>) {
        debug_assert!(u32::try_from(block.len()).is_ok(), "lines are addressed with 32 bits");
        out.clear();
        self.format.parse_chunk(state, start, &block[start..end], |from, to, parsed| {
            let line = &block[start + from..start + to];
            let rec = match parsed {
                // One rule whatever the input: a stream's blocks can hold a line a little
                // longer than a mapped file's reader would ever hand on whole.
                _ if line.len() > MAX_LINE => Rec::Malformed,
                Parsed::Malformed => Rec::Malformed,
                Parsed::Directive => Rec::Directive,
                Parsed::Hit(hit)
                    if self.read_since.is_some_and(|s| hit.time < s)
                        || self.read_until.is_some_and(|u| hit.time >= u) =>
                {
                    Rec::Outside
                }
                Parsed::Hit(mut hit) => {
                    // The visitor is keyed on the client the proxies name, and every later
                    // look at the line finds that client through its span.
                    if let Some(picker) = self.client_ip {
                        hit.client = picker.pick(hit.client, hit.forwarded_for);
                    }
                    let path = hit.path();
                    let kind = self.paths.kind(path);
                    let pageview = page_view(hit.method, hit.status, path, kind).is_ok();
                    // What a browser loaded to render a page: the evidence that one did.
                    let asset = kind == PathKind::Asset && fetched(hit.method, hit.status);
                    let download = kind == PathKind::Download;
                    // A client that sent no agent, where the log records them, is no browser.
                    let no_agent = match hit.user_agent {
                        Some(ua) => ua.is_empty(),
                        None => self.agents_logged && self.format.has_agent_at(state, start + from),
                    };
                    let ua = hit.user_agent.unwrap_or(b"");
                    let agent = if no_agent { self.keys.agent_sent_none() } else { self.keys.agent(ua) };
                    let key = self.keys.visitor(hit.client, agent);
                    let robots = path == b"/robots.txt";
                    let page_view =
                        if pageview { KeyHasher::stable_page_view(hit.client, ua, path) } else { 0 };
                    let spans = FieldSpans::of(line, &hit).unwrap_or(FieldSpans::UNKNOWN);
                    Rec::Hit {
                        time: hit.time,
                        key,
                        agent,
                        page_view,
                        flags: HitFlags { pageview, asset, download, robots },
                        spans,
                    }
                }
            };
            // A block is at most MAX_BLOCK and a longest line: far below 4 GiB.
            out.push(Line { start: (start + from) as u32, end: (start + to) as u32, rec });
        });
    }

    fn line_end(line: &Line) -> usize {
        line.end as usize
    }
}

/// The text fields of a line the parallel stage parsed: found through its spans, or, for
/// a line they cannot locate, by parsing it again (into `cx`) and picking its client again.
/// Never fails: a line that no longer parses has empty fields.
pub(super) fn fields<'a>(
    format: &Format,
    client_ip: Option<&ClientIp>,
    line: &'a [u8],
    spans: FieldSpans,
    cx: &'a mut LineCx,
) -> HitFields<'a> {
    if spans.is_unknown() {
        // The parallel stage parsed this line; it parses again unless its bytes changed
        // since (a file truncated under its map reads zeros): then its fields are empty.
        let Some(mut hit) = format.parse(line, cx).hit() else { return FieldSpans::UNKNOWN.fields(line) };
        if let Some(picker) = client_ip {
            hit.client = picker.pick(hit.client, hit.forwarded_for);
        }
        return hit.fields();
    }
    spans.fields(line)
}
