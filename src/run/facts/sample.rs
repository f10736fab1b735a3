//! The lines the site facts are learned from: each input's first lines in reading
//! order, as many as fit [`FACT_LINES`] and [`FACT_BYTES`], copied out of their lines.

use std::io::Read;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::super::resume::Plan;
use super::super::sniff::Sniffed;
use crate::classify::{page_view, referrer_host, AgentCache, PathKind, Rules};
use crate::input;
use crate::parse::{split_target, ClientIp, Format, LineCx, Parsed};

/// Lines the facts are learned from, at most.
pub(super) const FACT_LINES: usize = 4000;
/// Decoded bytes those lines lie within, at most.
pub(super) const FACT_BYTES: usize = 1 << 20;

/// One hit of the run's first lines, copied out of its line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct SampleHit {
    /// (client, user agent), hashed: who made it.
    pub(super) visitor: u64,
    /// A bot's or a link-preview fetcher's: no reader.
    pub(super) excluded: bool,
    pub(super) time: i64,
    pub(super) path: Vec<u8>,
    /// What the tables say the path is.
    pub(super) kind: PathKind,
    /// A GET answered 2xx or 304 for a path: a page view, if the path is a page.
    pub(super) fetched: bool,
    /// The referrer's host (lowercased) and path, when there is one.
    pub(super) referrer: Option<(String, Vec<u8>)>,
}

/// What is left to read of the lines the facts are learned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Budget {
    pub(super) lines: usize,
    pub(super) bytes: usize,
}

impl Budget {
    pub(super) const WHOLE: Budget = Budget { lines: FACT_LINES, bytes: FACT_BYTES };

    /// The inputs ended before the sample was whole.
    pub(super) fn left(self) -> bool {
        self.lines > 0 && self.bytes > 0
    }
}

/// The first lines of a `--state` job whose runs have read fewer lines than the facts are
/// learned from (a log just begun, rotated in at midnight): kept in the state, so that the
/// next run learns the facts again from them and its own first lines, as one run over
/// the whole log learns them, instead of keeping for good what a handful of lines showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactSample {
    pub(super) hits: Vec<SampleHit>,
    /// Lines read into it (hits or not).
    pub(super) lines: usize,
    pub(super) left: Budget,
}

/// The hits of the run's first lines. Each input's start is read again for it (a stream's
/// kept prelude is read on, and handed on longer), only as far as the sample needs; with
/// `plans`, each input from where this run reads it (a `--state` run's new lines), and
/// `whole` lines only of a plain file (its last line, unfinished, is the next run's).
/// Returns the hits, the lines read and what is left of `budget`.
pub(super) fn first_lines(
    sniffed: &mut [Sniffed],
    plans: Option<&[Plan]>,
    mut budget: Budget,
    client_ip: Option<&ClientIp>,
    rules: &Rules,
    agents: &mut AgentCache,
) -> (Vec<SampleHit>, usize, Budget) {
    let mut sample = Vec::new();
    let mut read = 0;
    for (i, s) in sniffed.iter_mut().enumerate() {
        if !budget.left() {
            break;
        }
        let plan = plans.map(|p| &p[i]);
        if plan.is_some_and(|p| p.done) {
            continue;
        }
        let format = s.format.clone();
        let mut cx = LineCx::default();
        let judge = s.judge_agents;
        let mut take = |line: &[u8]| {
            sample.extend(sample_hit(&format, &mut cx, line, client_ip, rules, agents, judge));
        };
        let lines_before = budget.lines;
        let (bytes, complete) = match &mut s.reader {
            Some(kept) => {
                let want = budget.bytes.saturating_sub(kept.prelude.len());
                if want > 0 && !kept.ended {
                    match kept.reader.by_ref().take(want as u64).read_to_end(&mut kept.prelude) {
                        Ok(n) => kept.ended = n < want,
                        Err(e) => {
                            kept.reader = Box::new(input::Broken(Some(e)));
                            kept.ended = true;
                        }
                    }
                }
                let n = kept.prelude.len().min(budget.bytes);
                let complete = kept.ended && kept.prelude.len() <= budget.bytes;
                let lines = input::prelude_lines(&kept.prelude[..n], complete).take(budget.lines);
                budget.lines -= lines.map(&mut take).count();
                (n, complete)
            }
            None => {
                let offset = plan.map_or(0, |p| p.offset);
                let Ok(opened) = input::open_at(&s.source, Arc::new(AtomicU64::new(0)), offset) else {
                    break;
                };
                let unfinished_last = plans.is_none() || s.compression.is_some();
                each_line(opened.reader, budget.bytes, budget.lines, unfinished_last, |line| {
                    budget.lines -= 1;
                    take(line);
                })
            }
        };
        read += lines_before - budget.lines;
        // An input longer than what is left of the sample ends it.
        budget.bytes = if complete { budget.bytes - bytes } else { 0 };
    }
    (sample, read, budget)
}

/// What the facts need of one line; `None` for a line that is no hit.
pub(super) fn sample_hit(
    format: &Format,
    cx: &mut LineCx,
    line: &[u8],
    client_ip: Option<&ClientIp>,
    rules: &Rules,
    agents: &mut AgentCache,
    judge_agents: bool,
) -> Option<SampleHit> {
    // Visitors of the sample only: any fixed seed.
    let keys = crate::identity::KeyHasher::from(0);
    let has_agent_field = !format.lacks_in(cx).contains(&"user agent");
    let Parsed::Hit(mut hit) = format.parse(line, cx) else { return None };
    if let Some(picker) = client_ip {
        hit.client = picker.pick(hit.client, hit.forwarded_for);
    }
    let path = hit.path();
    let ua = hit.user_agent.unwrap_or(b"");
    Some(SampleHit {
        visitor: keys.visitor(hit.client, keys.agent(ua)),
        // A client that sent no agent, where the log records them, is no reader.
        excluded: match hit.user_agent {
            None if judge_agents && has_agent_field => true,
            ua => agents.get(&rules.agents, ua).is_excluded(),
        },
        time: hit.time,
        path: path.to_vec(),
        kind: rules.paths.kind(path),
        fetched: page_view(hit.method, hit.status, path, PathKind::Page).is_ok(),
        // Only a URL says where a request came from (a user agent read as the referrer,
        // in fields of another order, made the site "mozilla").
        referrer: hit
            .referrer
            .filter(|r| memchr::memmem::find(r, b"://").is_some())
            .map(|r| (referrer_host(r), referrer_path(r).to_vec())),
    })
}

/// Bytes of the sample read at a time from a file. Reading the whole megabyte at once
/// and freeing it before the run made glibc raise its mmap threshold, and serve the run's
/// block buffers from its heaps instead: 6 MB more at the peak of a 2-million-line gzip run.
const SAMPLE_STEP: usize = 128 * 1024;

/// Hands `line` the first non-empty lines (at most `lines`) wholly within the first
/// `limit` bytes of `reader`, and a last line without a newline if the input ends there
/// and `unfinished_last` says to. Returns the bytes read as lines and whether the input
/// ended (or broke) within `limit`.
fn each_line(
    reader: Box<dyn Read + Send>,
    limit: usize,
    lines: usize,
    unfinished_last: bool,
    mut line: impl FnMut(&[u8]),
) -> (usize, bool) {
    let mut reader = reader.take(limit as u64);
    let mut buf = Vec::with_capacity(SAMPLE_STEP);
    let (mut seen, mut lines_left, mut total) = (0, lines, 0);
    loop {
        let got = reader.by_ref().take(SAMPLE_STEP as u64).read_to_end(&mut buf);
        total += *got.as_ref().unwrap_or(&0);
        let ended = !matches!(got, Ok(n) if n > 0) || total >= limit;
        let complete = ended && total < limit;
        let end = if complete && unfinished_last {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1)
        };
        for l in input::prelude_lines(&buf[..end], true).take(lines_left) {
            lines_left -= 1;
            line(l);
        }
        seen += end;
        buf.drain(..end);
        if ended || lines_left == 0 {
            return (seen, complete);
        }
    }
}

/// The path of a referrer URL (`https://host/a/b?x` → `/a/b`); empty when it has none.
fn referrer_path(referrer: &[u8]) -> &[u8] {
    let rest = match memchr::memmem::find(referrer, b"://") {
        Some(i) => &referrer[i + 3..],
        None => referrer,
    };
    match memchr::memchr(b'/', rest) {
        Some(i) => split_target(&rest[i..]).0,
        None => b"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines across the reads, a limit inside a line, an input that ends first.
    #[test]
    fn each_line_hands_over_the_whole_lines_within_the_limit() {
        let text: Vec<u8> = (0..40_000).flat_map(|i| format!("line {i}\n\n").into_bytes()).collect();
        let collect = |limit: usize, lines: usize| {
            let mut got = Vec::new();
            let r = each_line(Box::new(std::io::Cursor::new(text.clone())), limit, lines, true, |l| {
                got.push(l.to_vec())
            });
            (got, r)
        };
        let (got, (bytes, complete)) = collect(300_001, usize::MAX);
        let whole: Vec<Vec<u8>> = input::prelude_lines(&text[..300_001], false).map(<[u8]>::to_vec).collect();
        let last_newline = memchr::memrchr(b'\n', &text[..300_001]).unwrap();
        assert_eq!((got, bytes, complete), (whole, last_newline + 1, false));
        let (got, (bytes, complete)) = collect(usize::MAX, 5);
        assert_eq!((got.len(), complete), (5, false));
        assert!(bytes < SAMPLE_STEP + 20);
        let (got, (bytes, complete)) = collect(text.len() + 10, usize::MAX);
        assert_eq!((got.len(), bytes, complete), (40_000, text.len(), true));
    }
}
