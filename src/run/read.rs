//! Reading a run's inputs into its fold, merged by time.
//!
//! Inputs are sorted by their first time. Each is opened when the log reaches that time
//! (a rotated set opens one file after the other; two servers' logs of the same hours are
//! open together), and the lines of the open inputs are taken in time order, so that a
//! visit that hops between servers behind a balancer stays one visit. Within one input,
//! lines keep their order: the session clock and the sessionizer take the small disorder
//! of a log as it is written.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::fold::{Fold, InputCounts, LineAt};
use super::stage::{Line, LineStage, Rec};
use super::{Analysis, RunState};
use crate::engine::{ParsedBlock, ReadFailure, Stream};
use crate::input::{Feed, InputError};
use crate::parse::Format;

/// Inputs open at once at most: each holds a few blocks in flight. Past that, an input
/// waits for one to end (its lines may then come out of order).
pub const MAX_OPEN: usize = 32;

/// An input to read.
pub struct ToRead {
    pub name: String,
    /// Lines of it an earlier run read: its lines are numbered on from there.
    pub first_line: u64,
    pub format: Format,
    /// See [`Sniffed::judge_agents`](super::sniff::Sniffed).
    pub judge_agents: bool,
    /// When its first line is (from its first lines); `None`: it has none.
    pub first_time: Option<i64>,
    /// Whether it can be read again from the start (a file, not a pipe).
    pub rereadable: bool,
    /// Opens it, when the log reaches it.
    pub opener: Box<dyn FnOnce() -> Result<Opened, InputError> + Send>,
}

/// An input opened: its decoded bytes, and its raw-byte count.
pub struct Opened {
    pub feed: Feed,
    pub raw: Arc<AtomicU64>,
}

impl Opened {
    /// An input read from `reader`, `prelude` (read from it already) first.
    pub fn read(reader: Box<dyn Read + Send>, prelude: Vec<u8>, raw: Arc<AtomicU64>) -> Opened {
        Opened { feed: Feed::Read { reader, prelude }, raw }
    }
}

/// How reading went.
pub struct ReadAll {
    /// Per input, in the order given.
    pub inputs: Vec<InputRead>,
    /// An input found mostly out of order beyond the lateness window that can be read
    /// again: the read stopped there, and the state is not to be used.
    pub disordered: Option<usize>,
    /// The first input that was due while [`MAX_OPEN`] inputs were open: it and those
    /// after it waited, and what they held from before the log's time came out of order.
    pub crowded: Option<usize>,
    /// Notices for the user, in the order they came.
    pub notices: Vec<String>,
    /// Malformed and out-of-order lines shown.
    pub shown: usize,
}

/// What reading one input gave.
#[derive(Debug, Default)]
pub struct InputRead {
    pub counts: InputCounts,
    pub error: Option<ReadError>,
}

/// Why an input could not be read wholly.
#[derive(Debug)]
pub enum ReadError {
    Open(InputError),
    Read(ReadFailure),
}

/// An open input and where the merge is in it.
/// A block as lines: the first bytes of a line too long to keep ([`ParsedBlock::cut`]) are
/// that one line, malformed, whatever the stage made of the piece (a format may read the
/// start of a line as a whole line, or find nothing in it).
fn whole_lines(mut block: ParsedBlock<LineStage<'_>>) -> ParsedBlock<LineStage<'_>> {
    if block.cut {
        let end = u32::try_from(block.data.len()).expect("a block is addressed with 32 bits");
        block.chunks = vec![vec![Line { start: 0, end, rec: Rec::Malformed }]];
    }
    block
}

struct Open<'s> {
    input: usize,
    stream: Stream<LineStage<'s>>,
    block: ParsedBlock<LineStage<'s>>,
    chunk: usize,
    pos: usize,
    /// Where the block's file now ends in it, once asked (see `cut_if_past_file_end`).
    file_end: Option<usize>,
}

impl Open<'_> {
    /// The time of the next line, if it has one; `None` when it has none (such a line is
    /// taken at once) or the block is done.
    fn head_time(&self) -> Option<i64> {
        match self.block.chunks.get(self.chunk)?.get(self.pos)?.rec {
            Rec::Hit { time, .. } => Some(time),
            _ => None,
        }
    }

    /// The block's file was truncated under its map while the block was consumed (the
    /// map read past the file's new end): if the line at `start..end` reaches past that
    /// end, the input ends before it. The lines cut read zeros; their records, parsed
    /// before the cut, are right, but their text, which the fold may look at again, is
    /// gone. (The line whose own look was the first past the end is read as zeros: a
    /// truncation that races the fold costs that one line.)
    fn cut_if_past_file_end(&mut self, start: usize, end: usize) -> bool {
        if self.file_end.is_some_and(|valid| end < valid) {
            return false;
        }
        // The file is asked once a block, and once more for the line that ends the input.
        let Some((valid, error)) = self.block.data.shrunk() else {
            self.file_end = Some(usize::MAX);
            return false;
        };
        self.file_end = Some(valid);
        if end < valid {
            return false;
        }
        self.block.end_at(start, error);
        self.stream.end();
        true
    }

    /// Moves to the next line with a record, through empty chunks; `false` at the end of
    /// the block.
    fn settle(&mut self) -> bool {
        while let Some(recs) = self.block.chunks.get(self.chunk) {
            if self.pos < recs.len() {
                return true;
            }
            self.chunk += 1;
            self.pos = 0;
        }
        false
    }
}

/// How many lines ahead the fold asks for a page view's text. The fold reads the text
/// of a visit's first line (to keep its landing), long after the parse stage read it on
/// another core: without the hint, that copy waits on memory.
const PREFETCH_AHEAD: usize = 4;

/// Asks the CPU to bring a line's first 192 bytes (address, time, request, most
/// referrers) into cache. Only a hint: it never faults, even past a truncated map.
#[inline(always)]
fn prefetch_text(data: &[u8], start: usize) {
    #[cfg(target_arch = "x86_64")]
    if start < data.len() {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let at = data.as_ptr().wrapping_add(start).cast::<i8>();
        // SAFETY: a prefetch reads nothing and cannot fault, whatever the address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(at);
            _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(64));
            _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(128));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, start);
}

impl Analysis<'_> {
    /// Reads `inputs` (sorted by first time) into `state`, merged by time. `progress`
    /// hears of the raw bytes read so far, in all.
    pub fn read_all(
        &mut self,
        state: &mut RunState,
        inputs: Vec<ToRead>,
        progress: &mut dyn FnMut(u64),
    ) -> ReadAll {
        let n = inputs.len();
        let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
        let formats: Vec<Format> = inputs.iter().map(|i| i.format.clone()).collect();
        let judged: Vec<bool> = inputs.iter().map(|i| i.judge_agents).collect();
        let starts: Vec<Option<i64>> = inputs.iter().map(|i| i.first_time).collect();
        let rereadable: Vec<bool> = inputs.iter().map(|i| i.rereadable).collect();
        let first_lines: Vec<u64> = inputs.iter().map(|i| i.first_line).collect();
        let lateness = state.sessions.config().lateness;
        let cx = self.cx;
        let stages: Vec<LineStage<'_>> = formats
            .iter()
            .zip(judged)
            .map(|(format, judged)| LineStage {
                format,
                // For the layouts that have the field (W3C: line by line).
                agents_logged: judged && !format.lacks().contains(&"user agent"),
                paths: &self.paths,
                read_since: cx.read_since,
                read_until: cx.read_until,
                keys: &self.keys,
                client_ip: cx.client_ip,
            })
            .collect();
        let mut results: Vec<InputRead> = (0..n).map(|_| InputRead::default()).collect();
        let mut raws: Vec<Arc<AtomicU64>> = Vec::with_capacity(n);
        let mut openers: Vec<Option<ToRead>> = inputs.into_iter().map(Some).collect();
        let engine = &self.engine;
        let mut fold = Fold::new(cx, state, &mut self.agents, &mut self.hosts, names, self.spool.as_mut());
        let mut disordered = None;
        let mut crowded = None;
        std::thread::scope(|scope| {
            let mut open: Vec<Open<'_>> = Vec::new();
            let mut next = 0;
            let raw_total =
                |raws: &[Arc<AtomicU64>]| raws.iter().map(|r| r.load(Ordering::Relaxed)).sum::<u64>();
            loop {
                // Open the inputs the log has reached (any, when none is open).
                while next < n && open.len() < MAX_OPEN {
                    let now = open.iter().filter_map(Open::head_time).min();
                    let due = match (now, starts[next]) {
                        _ if open.is_empty() => true,
                        (Some(now), Some(start)) => start <= now.saturating_add(lateness),
                        _ => false,
                    };
                    if !due {
                        break;
                    }
                    let to_read = openers[next].take().expect("each input is opened once");
                    match (to_read.opener)() {
                        Err(e) => results[next].error = Some(ReadError::Open(e)),
                        Ok(o) => {
                            raws.push(o.raw.clone());
                            // Only an input read alone (most are) reads deep ahead.
                            let alone = open.is_empty();
                            let mut stream = engine.open(scope, o.feed, o.raw, &stages[next], alone);
                            match stream.next_block().map(whole_lines) {
                                Some(block) => {
                                    let mut o =
                                        Open { input: next, stream, block, chunk: 0, pos: 0, file_end: None };
                                    o.settle();
                                    open.push(o);
                                }
                                None => results[next].error = stream.failure().map(ReadError::Read),
                            }
                        }
                    }
                    next += 1;
                }
                if crowded.is_none() && next < n && open.len() >= MAX_OPEN {
                    let now = open.iter().filter_map(Open::head_time).min();
                    if let (Some(now), Some(start)) = (now, starts[next]) {
                        if start <= now.saturating_add(lateness) {
                            crowded = Some(next);
                        }
                    }
                }
                if open.is_empty() {
                    if next < n {
                        continue;
                    }
                    break;
                }
                // The open input whose next line comes first (a line without a time comes at
                // once), and how far it may go before another's lines or a due input's.
                let pick =
                    (0..open.len()).min_by_key(|&i| open[i].head_time().unwrap_or(i64::MIN)).unwrap_or(0);
                let others = (0..open.len()).filter(|&i| i != pick).filter_map(|i| open[i].head_time()).min();
                let due = starts.get(next).copied().flatten().filter(|_| open.len() < MAX_OPEN);
                let limit = match (others, due.map(|d| d.saturating_sub(lateness))) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let o = &mut open[pick];
                let (input, format) = (o.input, &formats[o.input]);
                let mut block_done = false;
                loop {
                    if !o.settle() {
                        block_done = true;
                        break;
                    }
                    let recs = &o.block.chunks[o.chunk];
                    let line = &recs[o.pos];
                    if let Some(Line { start, rec: Rec::Hit { flags, .. }, .. }) =
                        recs.get(o.pos + PREFETCH_AHEAD)
                    {
                        if flags.pageview {
                            prefetch_text(&o.block.data, *start as usize);
                        }
                    }
                    if let (Some(limit), Rec::Hit { time, .. }) = (limit, &line.rec) {
                        if *time > limit {
                            break;
                        }
                    }
                    let (start, end) = (line.start as usize, line.end as usize);
                    if o.block.data.shrank() && o.cut_if_past_file_end(start, end) {
                        continue;
                    }
                    // Read again, not copied out above: the record is a cache line.
                    let line = &o.block.chunks[o.chunk][o.pos];
                    let number = first_lines[input] + fold.counts[input].lines + 1;
                    let at = LineAt { input, number, format, block: &o.block.cx, offset: start };
                    fold.line(at, &o.block.data[start..end], &line.rec);
                    o.pos += 1;
                }
                if !block_done {
                    continue;
                }
                // The block is done: take the next, and hand this one back.
                match o.stream.next_block().map(whole_lines) {
                    Some(b) => {
                        let done = std::mem::replace(&mut o.block, b);
                        (o.chunk, o.pos, o.file_end) = (0, 0, None);
                        if let Some(f) = o.stream.recycle(done) {
                            results[input].error = Some(ReadError::Read(f));
                        }
                    }
                    None => {
                        let mut o = open.swap_remove(pick);
                        if let Some(f) = o.stream.recycle(o.block) {
                            results[input].error = Some(ReadError::Read(f));
                        }
                    }
                }
                progress(raw_total(&raws));
                // Sorting one input again does not help inputs that waited for room.
                let found = match crowded {
                    Some(_) => None,
                    None => (0..n).find(|&i| rereadable[i] && fold.counts[i].disordered()),
                };
                if found.is_some() {
                    disordered = found;
                    break;
                }
            }
        });
        if disordered.is_none() {
            fold.end();
        }
        for (r, c) in results.iter_mut().zip(&fold.counts) {
            r.counts = *c;
        }
        ReadAll {
            inputs: results,
            disordered,
            crowded,
            notices: std::mem::take(&mut fold.pending),
            shown: fold.shown,
        }
    }
}
