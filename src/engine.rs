//! The engine: reading, threads, ordering and back-pressure, and nothing about logs.
//!
//! One thread reads (and inflates) an input into newline-aligned blocks, in a fixed set
//! of recycled buffers, and hands each block to a rayon pool, which cuts it into chunks
//! of whole lines and runs a [`Stage`] on each in parallel. The thread that called
//! [`Engine::stream`] hands the parsed blocks to one [`Consumer`], in input order, as soon
//! as each is ready, and parses chunks of later blocks while it waits. Parsing is
//! parallel, consuming sequential: whatever the consumer computes is the same for any
//! thread count or block size.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use rayon::prelude::*;

use crate::input::{Block, BlockData, Feed};

/// The parallel part: records for the lines of a chunk.
pub trait Stage: Sync {
    type Rec: Send;
    /// What the reading thread carries from block to block of one input, in order.
    type Carry: Default + Send;
    /// What the reading thread learned of a block before it is parsed, for its chunks and
    /// its consumer.
    type Block: Send + Sync;

    /// Called on the reading thread for every block, in input order, before the block is
    /// parsed: where state that lines set for the lines after them (a header naming the
    /// fields) is read.
    fn begin_block(&self, carry: &mut Self::Carry, block: &[u8]) -> Self::Block;

    /// Parses the whole lines of `block[start..end]` into `out` (cleared first). Records
    /// locate their lines by offsets into `block`.
    fn chunk(&self, cx: &Self::Block, block: &[u8], start: usize, end: usize, out: &mut Vec<Self::Rec>);

    /// Where the line of a record ends in its block (the index of its newline): a block
    /// cut short (its file truncated while it was read) keeps the records of the lines
    /// whose newline is before the cut.
    fn line_end(rec: &Self::Rec) -> usize;
}

/// The sequential part: every block's records, in input order.
pub trait Consumer<S: Stage + ?Sized> {
    /// One block and the records of its chunks, in order.
    fn consume(&mut self, cx: &S::Block, block: &[u8], chunks: &[Vec<S::Rec>]);

    /// A block that is the first bytes of one line longer than
    /// [`MAX_LINE`](crate::input::MAX_LINE), with no newline, the rest of the line dropped
    /// ([`Block::cut`]): one line, to be counted once and as malformed, whatever the stage
    /// made of the piece (a format may read the start of a line as a whole line, or find
    /// nothing in it). Called instead of [`Consumer::consume`]; the default consumes it
    /// like any block.
    fn consume_cut(&mut self, cx: &S::Block, block: &[u8], chunks: &[Vec<S::Rec>]) {
        self.consume(cx, block, chunks);
    }

    /// After each block: raw (compressed) bytes of the input read so far.
    fn block_done(&mut self, _raw_bytes: u64) {}
}

/// An input that broke while it was read: where, and why. What came before was consumed.
#[derive(Debug)]
pub struct ReadFailure {
    /// Decoded bytes consumed before the break.
    pub offset: u64,
    /// Raw bytes read from the file by then.
    pub raw: u64,
    pub error: io::Error,
}

/// The parser threads of an [`Engine`].
#[derive(Debug, Clone, Copy)]
pub struct Parsers {
    pub threads: usize,
    /// Whether they make way for a serial stage that feeds them (see [`make_way`]).
    pub yielding: bool,
}

/// Lowers the calling parser thread's priority a little (nice + 2), for input a thread of
/// its own inflates: that thread and the run's own (which sessionizes the blocks in order)
/// are serial stages everything waits on, and with more threads than cores the scheduler
/// then runs them first. gzip on two cores: 0.97–0.99 of the time (three sets of 15–21
/// paired rounds), and no slower beside two busy processes (0.94 and 0.97, 9 rounds each);
/// nice + 19 took 5% but ran 3.4 times slower beside them (a parser holding a chunk the run
/// waits for gets too few turns). Plain input gains nothing idle and ran 10% slower beside
/// busy processes: its parsers are not lowered.
fn make_way() {
    // On Linux a nice value is a thread's own, and `who = 0` names the calling thread
    // (elsewhere it would be the whole process's).
    // Relative to the run's own: under `nice -n 10 darklog` they run at 12 (an absolute 2
    // would be refused there, and the parsers left level with the serial stages).
    #[cfg(target_os = "linux")]
    // SAFETY: reads and changes a scheduling attribute only; where a change is refused (a
    // sandbox) nothing else changes.
    unsafe {
        let now = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (now + 2).min(19));
    }
}

/// Buffers in flight: being read, parsed, waiting, or consumed.
const BLOCKS_IN_FLIGHT: usize = 6;

/// Blocks of a mapped input in flight, and how many of them go back to its reader at
/// once. Its reader only touches a block's pages, so it always waits for a block to come
/// back, and each one that came back woke it: a futex wake on the run's thread (4% of
/// its time) and an interrupt on the other core, per block. Back two at a time, from
/// eight: 0.958 of the time of eight one at a time (paired rounds, 2M lines). Sixteen by
/// four were as fast, but with the allocator on huge pages a plain run's peak RSS was 70
/// MiB against 58 (the goal for ordinary traffic is 64); six by one were 3% slower.
/// Compressed input gained nothing either way (its reader inflates: it is not always
/// waiting).
const MAPPED_BLOCKS_IN_FLIGHT: usize = 8;
const MAPPED_RECYCLE_BATCH: usize = 2;

/// Target size of the chunks a block is cut into for the parallel parse.
pub const CHUNK_BYTES: usize = 128 * 1024;

pub struct Engine {
    pool: rayon::ThreadPool,
    block_size: usize,
}

impl Engine {
    /// A pool of `parsers` threads plus the calling thread, which joins it for life: call
    /// [`Engine::stream`] from this thread only (see [`on_own_thread`]).
    pub fn new(parsers: Parsers, block_size: usize) -> Result<Engine, rayon::ThreadPoolBuildError> {
        let yielding = parsers.yielding;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(parsers.threads + 1)
            .use_current_thread()
            .thread_name(|i| format!("darklog-parse-{i}"))
            .start_handler(move |_| {
                if yielding {
                    make_way();
                }
            })
            .build()?;
        Ok(Engine { pool, block_size })
    }

    /// Reads `feed` to its end through `stage` into `consumer`; `raw` counts the raw bytes
    /// read from the file.
    pub fn stream<S: Stage, C: Consumer<S>>(
        &self,
        feed: Feed,
        raw: Arc<AtomicU64>,
        stage: &S,
        consumer: &mut C,
    ) -> Result<(), ReadFailure> {
        std::thread::scope(|scope| {
            let mut stream = self.open(scope, feed, raw, stage, true);
            let mut failure = None;
            while let Some(block) = stream.next_block() {
                if block.cut {
                    consumer.consume_cut(&block.cx, &block.data, &block.chunks);
                } else {
                    consumer.consume(&block.cx, &block.data, &block.chunks);
                }
                consumer.block_done(block.raw);
                failure = failure.or(stream.recycle(block));
            }
            failure.map_or(Ok(()), Err)
        })
    }

    /// Starts reading `feed` (on a thread of `scope`) and parsing its blocks (on the
    /// pool): [`Stream::next_block`] hands them out in input order. Several inputs can be open at
    /// once, for a caller that merges them. `raw` counts the raw bytes read from the file;
    /// `alone`: no other input is open now (a mapped one then reads further ahead).
    pub fn open<'scope, S: Stage>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        feed: Feed,
        raw: Arc<AtomicU64>,
        stage: &'scope S,
        alone: bool,
    ) -> Stream<S> {
        let block_size = self.block_size;
        // A mapped block is a range of the map: more of them in flight cost only the pages
        // touched ahead and their records (about 1.2 MiB each), which for the many logs
        // of a merge add up.
        let (flight, batch) = match feed {
            Feed::Mapped(_) if alone => (MAPPED_BLOCKS_IN_FLIGHT, MAPPED_RECYCLE_BATCH),
            _ => (BLOCKS_IN_FLIGHT, 1),
        };
        // `None`: the parse of that block panicked.
        let (parsed_tx, parsed_rx) = mpsc::channel::<(u64, Option<Parsed<S>>)>();
        let (recycle_tx, recycle_rx) = mpsc::channel::<Buffers<S>>();
        let pool = &self.pool;
        // The reader hands each block straight to the pool, so parsing never waits on the
        // consumer, and the consumer takes whichever block is next as soon as it is parsed.
        // A fixed set of buffers bounds memory: the reader waits for one to come back when
        // all are in flight (a dropped stream drops its end of the recycling channel, and
        // the reader stops).
        let reading =
            std::thread::Builder::new().name("darklog-read".into()).spawn_scoped(scope, move || {
                let mut blocks = feed.blocks(block_size);
                let mut carry = S::Carry::default();
                pool.in_place_scope(|parsers| {
                    let mut allocated = 0;
                    for seq in 0.. {
                        // Parsed records are recycled with their buffer: freeing them on another
                        // thread than the one that allocated them made the allocator hand pages
                        // back and forth with the kernel.
                        let (buf, mut recs) = if allocated < flight {
                            allocated += 1;
                            (Vec::new(), Vec::new())
                        } else {
                            // A mapped block's pages are let go here, off the consumer's thread.
                            match recycle_rx.recv() {
                                Ok((data, recs)) => (data.into_buffer(), recs),
                                Err(_) => break,
                            }
                        };
                        let Some(block) = blocks.next_block(buf) else { break };
                        let cx = stage.begin_block(&mut carry, &block.data);
                        let parsed_tx = parsed_tx.clone();
                        parsers.spawn(move |_| {
                            // A panic must still answer for its block, or the consumer would
                            // wait for it forever (only where panics unwind: tests and debug
                            // builds).
                            let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                parse_block(stage, &cx, &block.data, &mut recs)
                            }));
                            let _ = parsed_tx.send((seq, parsed.is_ok().then_some((block, cx, recs))));
                            if let Err(panic) = parsed {
                                std::panic::resume_unwind(panic);
                            }
                        });
                    }
                });
            });
        let failure = reading.err().map(|error| ReadFailure { offset: 0, raw: 0, error });
        Stream {
            parsed_rx,
            recycle_tx,
            held: Vec::with_capacity(batch),
            batch,
            early: BTreeMap::new(),
            next: 0,
            raw,
            failure,
            ended: false,
        }
    }
}

type Parsed<S> = (Block, <S as Stage>::Block, Vec<Vec<<S as Stage>::Rec>>);

/// A block's buffer and its records' vectors, going back to the reader to be filled again.
type Buffers<S> = (BlockData, Vec<Vec<<S as Stage>::Rec>>);

/// One input being read: its parsed blocks, in order.
pub struct Stream<S: Stage> {
    parsed_rx: mpsc::Receiver<(u64, Option<Parsed<S>>)>,
    recycle_tx: mpsc::Sender<Buffers<S>>,
    /// Buffers done with, held until `batch` of them go back together.
    held: Vec<Buffers<S>>,
    batch: usize,
    /// Blocks parsed before the one that comes next.
    early: BTreeMap<u64, Parsed<S>>,
    next: u64,
    raw: Arc<AtomicU64>,
    /// The reading thread could not start.
    failure: Option<ReadFailure>,
    /// The input ended early (its file was truncated): no block comes after.
    ended: bool,
}

/// A block of an input with its records, as [`Stream::next_block`] hands it out.
pub struct ParsedBlock<S: Stage> {
    pub data: BlockData,
    /// Decoded byte offset of `data[0]` in its input.
    pub offset: u64,
    pub cx: S::Block,
    /// The records of each chunk, in order.
    pub chunks: Vec<Vec<S::Rec>>,
    /// Raw (compressed) bytes of the input read when the block was handed out.
    pub raw: u64,
    /// The first bytes of one line too long to keep ([`Block::cut`]): one malformed line.
    pub cut: bool,
    /// Set on the last block of an input that broke.
    error: Option<std::io::Error>,
}

impl<S: Stage> ParsedBlock<S> {
    /// Ends the block, and its input, at byte `at` of its data (a line's start): the
    /// records of the lines past it are dropped, and the input ends with `error`.
    pub fn end_at(&mut self, at: usize, error: std::io::Error) {
        self.chunks.iter_mut().for_each(|recs| recs.retain(|r| S::line_end(r) < at));
        self.data.shorten(at);
        (self.error, self.cut) = (Some(error), false);
    }
}

impl<S: Stage> Stream<S> {
    /// The next block, in input order; `None` at the end of the input (or when its
    /// reading thread could not start: see [`Stream::recycle`] and [`Stream::failure`]).
    pub fn next_block(&mut self) -> Option<ParsedBlock<S>> {
        loop {
            if self.ended {
                return None;
            }
            if let Some((block, cx, chunks)) = self.early.remove(&self.next) {
                self.next += 1;
                let raw = self.raw.load(Ordering::Relaxed);
                let mut parsed = ParsedBlock {
                    offset: block.offset,
                    cut: block.cut,
                    error: block.error,
                    data: block.data,
                    cx,
                    chunks,
                    raw,
                };
                if let (None, Some((valid, error))) = (&parsed.error, parsed.data.shrunk()) {
                    // Truncated since the block was mapped: past the file's new end it
                    // reads zeros (or would, when the consumer looks at a line again).
                    // The input ends there, as it now does on disk; with copytruncate,
                    // the lines cut are in the rotated copy.
                    let whole = memchr::memrchr(b'\n', &parsed.data[..valid]).map_or(0, |i| i + 1);
                    parsed.end_at(whole, error);
                }
                self.ended = parsed.error.is_some();
                return Some(parsed);
            }
            let (seq, parsed) = match self.parsed_rx.try_recv() {
                Ok(parsed) => parsed,
                Err(mpsc::TryRecvError::Disconnected) => return None,
                // Nothing parsed yet: parse a chunk of a later block meanwhile, if one is
                // waiting, else wait. (2-3% off the wall time of a 2M-line gzip run.)
                Err(mpsc::TryRecvError::Empty) => match rayon::yield_now() {
                    Some(rayon::Yield::Executed) => continue,
                    _ => match self.parsed_rx.recv() {
                        Ok(parsed) => parsed,
                        Err(_) => return None,
                    },
                },
            };
            let Some(parsed) = parsed else { panic!("the parse of block {seq} panicked") };
            self.early.insert(seq, parsed);
        }
    }

    /// No block comes after the one handed out last: its input ended early (see
    /// [`ParsedBlock::end_at`]).
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Hands a block's buffers back to the reader, done with; returns where the input
    /// broke, when this was its last block and it broke.
    pub fn recycle(&mut self, block: ParsedBlock<S>) -> Option<ReadFailure> {
        let offset = block.offset + block.data.len() as u64;
        let failure = match block.error {
            Some(error) => Some(ReadFailure { offset, raw: block.raw, error }),
            // Truncated below the block's end while it was consumed: where the file was, it
            // read zeros (the map's mark, one load, says whether to ask the file).
            None if block.data.shrank() => {
                block.data.shrunk().map(|(_, error)| ReadFailure { offset, raw: block.raw, error })
            }
            None => None,
        };
        self.held.push((block.data, block.chunks));
        if self.held.len() >= self.batch {
            // The first wakes the reader; the rest are there when it looks again.
            for buffers in self.held.drain(..) {
                let _ = self.recycle_tx.send(buffers);
            }
        }
        failure
    }

    /// Why the input could not be read at all (its reading thread did not start).
    pub fn failure(&mut self) -> Option<ReadFailure> {
        self.failure.take()
    }
}

/// One block, its chunks parsed on the pool, into `parsed` (one vector per chunk, in
/// order; vectors already there are reused).
fn parse_block<S: Stage>(stage: &S, cx: &S::Block, data: &[u8], parsed: &mut Vec<Vec<S::Rec>>) {
    let chunks = split_chunks(data, CHUNK_BYTES);
    parsed.resize_with(chunks.len(), Vec::new);
    parsed.par_iter_mut().zip(chunks).for_each(|(out, (start, end))| stage.chunk(cx, data, start, end, out));
}

/// Cuts `data` into ranges of about `target` bytes that end on newlines.
fn split_chunks(data: &[u8], target: usize) -> Vec<(usize, usize)> {
    let mut chunks = Vec::with_capacity(data.len() / target + 1);
    let mut start = 0;
    while start < data.len() {
        let want = (start + target).min(data.len());
        let end = if want == data.len() {
            want
        } else {
            match memchr::memchr(b'\n', &data[want..]) {
                Some(i) => want + i + 1,
                None => data.len(),
            }
        };
        chunks.push((start, end));
        start = end;
    }
    chunks
}

/// Runs `work` on a thread of its own and returns what it returns (a panic there is a
/// panic here). An [`Engine`] joins its pool with the thread that made it, and a thread
/// stays a member of a pool for life: this keeps the caller's thread free to run again.
pub fn on_own_thread<T: Send>(work: impl FnOnce() -> T + Send) -> io::Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("darklog-run".into())
            .stack_size(8 << 20)
            .spawn_scoped(scope, work)?;
        Ok(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsers that make way run two nice levels below the run's own thread; others level
    /// with it.
    #[cfg(target_os = "linux")]
    #[test]
    fn yielding_parsers_run_below_the_runs_thread() {
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        for yielding in [true, false] {
            let (own, parser) = on_own_thread(|| {
                let engine = Engine::new(Parsers { threads: 1, yielding }, 1 << 16).unwrap();
                let (tx, rx) = mpsc::channel();
                // Spawned from the run's thread, the job is taken by the idle parser while
                // this thread waits.
                engine.pool.spawn(move || tx.send(nice()).unwrap());
                (nice(), rx.recv().unwrap())
            })
            .unwrap();
            let expected = if yielding { (own + 2).min(19) } else { own };
            assert_eq!(parser, expected, "yielding: {yielding}");
        }
    }

    #[test]
    fn chunks_cover_everything_on_line_boundaries() {
        let data: Vec<u8> = (0..1000).flat_map(|i| format!("line number {i}\n").into_bytes()).collect();
        for target in [1, 10, 100, 4096, 1 << 20] {
            let chunks = split_chunks(&data, target);
            assert_eq!(chunks.first().unwrap().0, 0);
            assert_eq!(chunks.last().unwrap().1, data.len());
            for w in chunks.windows(2) {
                assert_eq!(w[0].1, w[1].0);
                assert_eq!(data[w[0].1 - 1], b'\n');
            }
        }
    }

    /// Lines in, their lengths out, in order, whatever the blocks and threads.
    struct Lengths;

    impl Stage for Lengths {
        type Rec = (usize, usize);
        type Carry = ();
        type Block = ();

        fn begin_block(&self, _: &mut (), _: &[u8]) {}

        /// (where the line ends, its length)
        fn chunk(&self, _: &(), block: &[u8], start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
            out.clear();
            let mut at = start;
            for line in block[start..end].split(|&b| b == b'\n') {
                at += line.len();
                if !line.is_empty() {
                    out.push((at, line.len()));
                }
                at += 1;
            }
        }

        fn line_end(rec: &(usize, usize)) -> usize {
            rec.0
        }
    }

    impl Consumer<Lengths> for Vec<usize> {
        fn consume(&mut self, _: &(), _: &[u8], chunks: &[Vec<(usize, usize)>]) {
            self.extend(chunks.iter().flatten().map(|&(_, len)| len));
        }
    }

    #[test]
    fn records_come_in_input_order_at_any_size() {
        let data: Vec<u8> =
            (0..20_000).flat_map(|i| format!("{}\n", "x".repeat(i % 97 + 1)).into_bytes()).collect();
        let want: Vec<usize> = (0..20_000).map(|i| i % 97 + 1).collect();
        for (parsers, block) in [(1, 1024), (3, 4096), (2, 1 << 20)] {
            let got = on_own_thread(|| {
                let engine = Engine::new(Parsers { threads: parsers, yielding: false }, block).unwrap();
                let mut got = Vec::new();
                let raw = Arc::new(AtomicU64::new(0));
                let feed =
                    Feed::Read { reader: Box::new(std::io::Cursor::new(data.clone())), prelude: Vec::new() };
                engine.stream(feed, raw, &Lengths, &mut got).unwrap();
                got
            })
            .unwrap();
            assert!(got == want, "{parsers} parsers, {block}-byte blocks");
        }
    }

    /// A mapped input read alone keeps more blocks in flight and hands them back to its
    /// reader in batches: every line still comes once, in order, whatever the block size
    /// (a last batch short of full included).
    #[cfg(unix)]
    #[test]
    fn a_mapped_input_read_alone_comes_in_order() {
        use std::io::Write;
        let data: Vec<u8> =
            (0..20_000).flat_map(|i| format!("{}\n", "x".repeat(i % 97 + 1)).into_bytes()).collect();
        let want: Vec<usize> = (0..20_000).map(|i| i % 97 + 1).collect();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&data).unwrap();
        for (alone, block) in [(true, 4096), (true, 9000), (false, 4096), (true, 1 << 20)] {
            let got = on_own_thread(|| {
                let engine = Engine::new(Parsers { threads: 1, yielding: false }, block).unwrap();
                let file = std::fs::File::open(f.path()).unwrap();
                let blocks =
                    crate::input::MappedBlocks::open(file, 0, false, Arc::default(), Arc::default()).unwrap();
                let mut got: Vec<usize> = Vec::new();
                std::thread::scope(|scope| {
                    let mut stream =
                        engine.open(scope, Feed::Mapped(blocks), Arc::default(), &Lengths, alone);
                    while let Some(b) = stream.next_block() {
                        Consumer::<Lengths>::consume(&mut got, &b.cx, &b.data, &b.chunks);
                        assert!(stream.recycle(b).is_none());
                    }
                });
                got
            })
            .unwrap();
            assert!(got == want, "alone {alone}, {block}-byte blocks");
        }
    }

    /// A file truncated while its blocks are read ahead of the consumer: the reading
    /// thread cuts the file as it begins the block that holds the cut (mapped in, not
    /// yet parsed or handed on), so that block and the ones after it are cut when they
    /// are handed on. The consumer gets exactly the whole lines before the file's new
    /// end, none of the zeros a map reads past it, and the input ends with an error there.
    #[cfg(unix)]
    #[test]
    fn a_file_truncated_while_read_ends_at_its_new_end() {
        use std::io::Write;
        use std::sync::atomic::AtomicBool;
        struct CutAt {
            path: std::path::PathBuf,
            to: u64,
            seen: AtomicU64,
            cut: AtomicBool,
        }
        impl Stage for CutAt {
            type Rec = (usize, usize);
            type Carry = ();
            type Block = ();

            fn begin_block(&self, _: &mut (), block: &[u8]) {
                let start = self.seen.fetch_add(block.len() as u64, Ordering::Relaxed);
                if start + block.len() as u64 > self.to && !self.cut.swap(true, Ordering::Relaxed) {
                    let file = std::fs::OpenOptions::new().write(true).open(&self.path).unwrap();
                    file.set_len(self.to).unwrap();
                }
            }

            fn chunk(&self, cx: &(), block: &[u8], start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
                Lengths.chunk(cx, block, start, end, out);
            }

            fn line_end(rec: &(usize, usize)) -> usize {
                Lengths::line_end(rec)
            }
        }
        impl Consumer<CutAt> for Vec<usize> {
            fn consume(&mut self, _: &(), _: &[u8], chunks: &[Vec<(usize, usize)>]) {
                self.extend(chunks.iter().flatten().map(|&(_, len)| len));
            }
        }
        let data: Vec<u8> =
            (0..20_000).flat_map(|i| format!("{}\n", "x".repeat(i % 297 + 1)).into_bytes()).collect();
        for to in [200_017, 64 * 1024 + 3, 2_000_000] {
            let mut f = tempfile::NamedTempFile::new().unwrap();
            f.write_all(&data).unwrap();
            f.flush().unwrap();
            let whole = memchr::memrchr(b'\n', &data[..to]).unwrap() + 1;
            let want: Vec<usize> =
                data[..whole].split(|&b| b == b'\n').map(<[u8]>::len).filter(|&n| n > 0).collect();
            let stage = CutAt {
                path: f.path().to_path_buf(),
                to: to as u64,
                seen: AtomicU64::new(0),
                cut: AtomicBool::new(false),
            };
            let (got, failure) = on_own_thread(|| {
                let engine = Engine::new(Parsers { threads: 1, yielding: false }, 16 * 1024).unwrap();
                let file = std::fs::File::open(f.path()).unwrap();
                let blocks =
                    crate::input::MappedBlocks::open(file, 0, false, Arc::default(), Arc::default()).unwrap();
                let mut got = Vec::new();
                let failure =
                    engine.stream(Feed::Mapped(blocks), Arc::default(), &stage, &mut got).unwrap_err();
                (got, failure)
            })
            .unwrap();
            assert!(got == want, "cut at {to}: {} lines, want {}", got.len(), want.len());
            assert_eq!(failure.offset, whole as u64, "cut at {to}");
            let error = failure.error.to_string();
            assert!(error.starts_with(&format!("the file shrank to {to} bytes")), "{error}");
        }
    }
}
