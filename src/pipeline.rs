//! One analysis run: sniff the inputs, order them, then stream each through
//! parse → session → classify → aggregates.
//!
//! One thread per input reads (and inflates) newline-aligned blocks into a fixed set of
//! recycled buffers and hands each to the rayon pool, which parses it in parallel
//! chunks; the run's own thread feeds the parsed hits, block by block in input order, to
//! the one sessionizer, and parses chunks of later blocks while it waits. Parsing is
//! parallel, the sessionizer sequential: the result is the same for any thread count.

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::classify::{
    page_view, referrer_host, Agent, AgentCache, HostCache, ReturnLog, Rules, ShareLog, TableError,
};
use crate::input::{self, BlockReader, InputError, Source};
use crate::parse::{self, FieldSpans, HitFields, LogFormat};
use crate::report::{Aggregates, InputSummary};
use crate::session::{Details, HitFlags, KeyHasher, OwnedLanding, SessionConfig, Sessionizer, VisitorKey};
use crate::time::ClfCache;

/// Everything a run needs, decided before it starts.
#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub inputs: Vec<PathBuf>,
    /// `None`: detect per input.
    pub format: Option<LogFormat>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub session: SessionConfig,
    /// How long after a link-preview fetch a visit to that page counts as its share.
    pub share_window: i64,
    pub sites: Vec<String>,
    pub fronts: Vec<String>,
    /// A rules file's additions, tried before the built-in rows.
    pub overrides: Option<crate::classify::overrides::Overrides>,
    pub visitor_key: VisitorKey,
    pub keep_visits: bool,
    /// How many malformed lines to show (with `-v`).
    pub show_malformed: usize,
    pub block_size: usize,
    /// Parser threads; 0 for one per core with gzip input and one fewer without (reading
    /// or inflating, and sessionizing, have a thread each besides).
    pub threads: usize,
}

/// What a run produced.
pub struct Outcome {
    pub aggregates: Aggregates,
    pub inputs: Vec<InputSummary>,
    pub errors: Vec<InputError>,
    pub site_hosts: Vec<String>,
}

/// Messages for the user as the run goes (format chosen, site inferred, malformed lines).
pub trait Observer: Send {
    fn notice(&mut self, message: String);
    /// Raw bytes consumed so far, out of `total` (when known).
    fn progress(&mut self, _done: u64, _total: Option<u64>) {}
}

/// Decoded bytes sampled from the start of each input.
const PRELUDE_BYTES: usize = 256 * 1024;
/// Lines of the prelude used to pick a format.
const DETECT_LINES: usize = 1000;

struct Sniffed {
    source: Source,
    format: LogFormat,
    /// Lines the format was detected from (`None`: given, not detected).
    detected_from: Option<usize>,
    gzip: bool,
    first_time: Option<i64>,
    /// Referrer hosts of the prelude's asset requests, in order.
    asset_hosts: Vec<String>,
    /// Readers in the prelude with two page views or more, and how many of them loaded
    /// assets.
    asset_sample: (usize, usize),
    /// Kept only for stdin, which cannot be opened twice.
    reader: Option<Reopened>,
}

/// An input already partly read: the stream, what was read of it, and its byte counter.
struct Reopened {
    reader: Box<dyn Read + Send>,
    prelude: Vec<u8>,
    raw_bytes: Arc<AtomicU64>,
}

/// What stops a run before it reads anything (input problems never do: they are
/// reported in [`Outcome::errors`]).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("built-in rule table is invalid: {0}")]
    Rules(#[from] TableError),
    #[error("cannot start parser threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("cannot start the sessionizing thread: {0}")]
    Session(std::io::Error),
}

pub fn run(cfg: &AnalyzeConfig, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
    // The run has a thread of its own because that thread joins the parser pool, and a
    // thread stays a member of a pool for life: the caller's thread stays free to run
    // again.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("darklog-session".into())
            .stack_size(8 << 20)
            .spawn_scoped(scope, || run_here(cfg, observer))
            .map_err(RunError::Session)?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn run_here(cfg: &AnalyzeConfig, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
    let mut rules = Rules::builtin()?;
    if let Some(o) = &cfg.overrides {
        rules = rules.apply(o)?;
    }
    for f in &cfg.fronts {
        rules.paths.add_front(f);
    }
    let (sources, mut errors) = input::expand(&cfg.inputs);
    let total_raw: Option<u64> = sources.iter().map(Source::size).sum();
    let raw_bytes = Arc::new(AtomicU64::new(0));

    let mut agents = AgentCache::new();
    let mut sniffed = Vec::new();
    let mut unread = Vec::new();
    let mut formats_said: Vec<LogFormat> = Vec::new();
    for source in sources {
        match sniff(&source, cfg, &rules, &mut agents) {
            Ok(s) => {
                if let Some(n) = s.detected_from {
                    if !formats_said.contains(&s.format) {
                        formats_said.push(s.format);
                        observer.notice(format!(
                            "log format: {} (detected from {n} lines of {}; --log-format to choose)",
                            s.format,
                            source.name()
                        ));
                    }
                }
                sniffed.push(s);
            }
            Err(e) => {
                unread.push(summary(&source, None, false, Some(&e)));
                errors.push(e);
            }
        }
    }
    // Rotated sets are read oldest first, whatever they are called.
    sniffed.sort_by_key(|s| s.first_time.unwrap_or(i64::MAX));

    let mut site_hosts: Vec<String> = cfg.sites.clone();
    if site_hosts.is_empty() {
        // The first asset referrers of the logs in reading order, however they are split
        // into files.
        let mut votes: FxHashMap<&str, u64> = FxHashMap::default();
        for host in sniffed.iter().flat_map(|s| &s.asset_hosts).take(SITE_VOTES) {
            *votes.entry(host).or_default() += 1;
        }
        site_hosts = infer_site(&votes);
        if !site_hosts.is_empty() {
            observer.notice(format!(
                "site: {} (inferred from the referrers of asset requests; --site to set)",
                site_hosts.join(", ")
            ));
        }
    }
    for s in &site_hosts {
        rules.add_site(s);
    }
    let (multi_page, loading) =
        sniffed.iter().fold((0, 0), |(m, l), s| (m + s.asset_sample.0, l + s.asset_sample.1));
    rules.browsers_load_assets = multi_page >= MIN_ASSET_SAMPLE && loading * 2 > multi_page;
    if rules.browsers_load_assets {
        observer.notice(format!(
            "browsers here load assets ({loading} of {multi_page} multi-page readers sampled): \
             readers that fetch pages only are counted as scrapers"
        ));
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = match cfg.threads {
        // With gzip input, one per core: the inflating thread keeps a core to itself (the
        // scheduler sees to that), and with one parser fewer, parsing and sessionizing
        // shared the other core while the first idled whenever the buffers were all in
        // flight. Reading a plain file costs little, so there one parser fewer leaves
        // the sessionizer a core without an extra parser competing for it. (Measured on
        // two cores: 0.30 against 0.33 s for gzip, 0.21 against 0.22 s for plain.)
        0 if sniffed.iter().any(|s| s.gzip) => cores,
        0 => cores.saturating_sub(1).max(1),
        n => n,
    };
    // This thread joins the pool too: while it waits for the next parsed block, it parses
    // (see `stream`), instead of sleeping while the parsers and the reader share the cores.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads + 1)
        .use_current_thread()
        .thread_name(|i| format!("darklog-parse-{i}"))
        .build()?;

    let mut aggregates = Aggregates::new(cfg.keep_visits);
    let mut sessions = Sessionizer::new(cfg.session);
    let keys = KeyHasher::default();
    let mut agents = AgentCache::with_keys(keys.clone());
    let mut hosts = HostCache::default();
    let mut shares = ShareLog::new(cfg.share_window, cfg.session.lateness);
    let mut closed = Vec::new();
    let mut returns = ReturnLog::default();
    let mut shown = 0usize;
    let mut inputs = Vec::new();
    for s in sniffed {
        let name = s.source.name();
        let mut ctx = StreamCtx {
            cfg,
            pool: &pool,
            keys: &keys,
            rules: &rules,
            format: s.format,
            name: &name,
            aggregates: &mut aggregates,
            sessions: &mut sessions,
            agents: &mut agents,
            hosts: &mut hosts,
            shares: &mut shares,
            returns: &mut returns,
            closed: &mut closed,
            shown: &mut shown,
            lines: 0,
            malformed: 0,
            pending: Vec::new(),
        };
        let result = stream(&s.source, s.gzip, s.reader, &mut ctx, &raw_bytes, total_raw, observer);
        let mut sum = summary(&s.source, Some(s.format), s.gzip, result.as_ref().err());
        sum.lines = ctx.lines;
        sum.malformed = ctx.malformed;
        inputs.push(sum);
        if let Err(e) = result {
            errors.push(e);
        }
    }
    sessions.finish(&mut |v| aggregates.add_visit(v, &rules, &mut hosts));
    if shown < aggregates.lines.malformed as usize && cfg.show_malformed > 0 {
        observer
            .notice(format!("… and {} more malformed lines", aggregates.lines.malformed as usize - shown));
    }
    // Inputs in the order they were read, then the ones that could not be.
    inputs.extend(unread);
    Ok(Outcome { aggregates, inputs, errors, site_hosts })
}

fn summary(
    source: &Source,
    format: Option<LogFormat>,
    gzip: bool,
    error: Option<&InputError>,
) -> InputSummary {
    InputSummary {
        name: source.name(),
        format: format.map(|f| f.name().to_string()),
        gzip,
        lines: 0,
        malformed: 0,
        error: error.map(|e| e.to_string()),
    }
}

/// Reads the start of an input: its format, first timestamp, and the hosts its asset
/// requests were referred from (which name the site itself).
fn sniff(
    source: &Source,
    cfg: &AnalyzeConfig,
    rules: &Rules,
    agents: &mut AgentCache,
) -> Result<Sniffed, InputError> {
    let counter = Arc::new(AtomicU64::new(0));
    let opened = input::open(source, counter.clone())?;
    let mut reader = opened.reader;
    // An input that breaks this early is still sniffed from what came before the break;
    // reading it for real reports the error.
    let (prelude, broke) = input::read_prelude(&mut reader, PRELUDE_BYTES);
    let complete = broke || prelude.len() < PRELUDE_BYTES;
    let lines = input::prelude_lines(&prelude, complete).take(DETECT_LINES);
    let (format, detected_from) = match cfg.format {
        Some(f) => (f, None),
        None => match parse::detect(lines.clone()) {
            Some(d) => (d.format, Some(d.sampled)),
            // Nothing to judge by (an empty input, or a first line longer than the
            // sample): read it as the most common format and let its lines speak.
            None if lines.clone().next().is_none() => (LogFormat::Combined, None),
            None => {
                let tried = LogFormat::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
                return Err(InputError::UnknownFormat { path: source.name(), tried });
            }
        },
    };
    let mut clock = ClfCache::default();
    let mut first_time = None;
    let mut asset_hosts = Vec::new();
    // Per reader (client, user agent) in the sample: page views and asset requests.
    #[derive(Default)]
    struct Seen {
        pages: u32,
        assets: u32,
    }
    let mut readers: FxHashMap<(&[u8], &[u8]), Seen> = FxHashMap::default();
    for line in lines {
        let Some(hit) = format.parse(line, &mut clock) else { continue };
        first_time.get_or_insert(hit.time);
        let asset = rules.paths.is_asset(hit.path());
        if let (Some(r), true) = (hit.referrer, asset) {
            asset_hosts.push(referrer_host(r));
        }
        if !agents.get(&rules.agents, hit.user_agent).is_excluded() {
            let e = readers.entry((hit.client, hit.user_agent.unwrap_or(b""))).or_default();
            e.pages += u32::from(!asset && matches!(hit.method, b"GET"));
            e.assets += u32::from(asset);
        }
    }
    let multi_page = readers.values().filter(|r| r.pages >= 2);
    let asset_sample = (multi_page.clone().count(), multi_page.filter(|r| r.assets > 0).count());
    // Stdin cannot be read twice: keep what was read and the stream itself.
    let reader = match source {
        Source::Stdin => Some(Reopened { reader, prelude, raw_bytes: counter }),
        Source::File(_) => None,
    };
    Ok(Sniffed {
        source: source.clone(),
        format,
        detected_from,
        gzip: opened.gzip,
        first_time,
        asset_hosts,
        asset_sample,
        reader,
    })
}

/// Multi-page readers the asset rule needs to see before it judges anyone by it.
const MIN_ASSET_SAMPLE: usize = 20;

/// Asset referrers that vote on the site's host.
const SITE_VOTES: usize = 1000;

/// The site is whatever host most asset requests were referred from: pages load their
/// own CSS, scripts and images. Hosts with at least a quarter of those referrers count.
fn infer_site(votes: &FxHashMap<&str, u64>) -> Vec<String> {
    let total: u64 = votes.values().sum();
    let mut hosts: Vec<(&str, u64)> = votes
        .iter()
        .map(|(h, n)| (*h, *n))
        .filter(|(h, n)| !h.is_empty() && *n >= 3 && n * 4 >= total)
        .collect();
    hosts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut sites: Vec<String> = Vec::new();
    for (h, _) in hosts {
        let h = crate::classify::strip_www(h);
        if !sites.iter().any(|s| s == h) {
            sites.push(h.to_string());
        }
    }
    sites
}

struct StreamCtx<'a> {
    cfg: &'a AnalyzeConfig,
    pool: &'a rayon::ThreadPool,
    keys: &'a KeyHasher,
    rules: &'a Rules,
    format: LogFormat,
    name: &'a str,
    aggregates: &'a mut Aggregates,
    sessions: &'a mut Sessionizer,
    agents: &'a mut AgentCache,
    hosts: &'a mut HostCache,
    shares: &'a mut ShareLog,
    returns: &'a mut ReturnLog,
    /// Visits closed while recording the current hit.
    closed: &'a mut Vec<crate::session::ClosedVisit>,
    shown: &'a mut usize,
    lines: u64,
    malformed: u64,
    /// Malformed-line notices, handed to the observer after each block.
    pending: Vec<String>,
}

/// One line as the parallel stage leaves it for the sequential one: where it is in its
/// block, and what it is. Kept to one cache line: the parse threads write two million
/// of these for a two-million-line log and the sessionizing thread reads them all.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Line {
    start: u32,
    end: u32,
    rec: Rec,
}

const _: () = assert!(std::mem::size_of::<Line>() == 64);

#[derive(Clone, Copy)]
enum Rec {
    Malformed,
    Outside,
    /// `page_view`: a stable hash of (visitor, path), for page views. `agent`: the user
    /// agent's key in the run's agent cache.
    Hit {
        time: i64,
        key: u64,
        agent: u64,
        page_view: u64,
        flags: HitFlags,
        /// [`FieldSpans::UNKNOWN`] for a line too long for spans.
        spans: FieldSpans,
    },
}

/// The text fields of a line the parallel stage parsed: found through its spans, or, for
/// a line too long for them, by parsing it again.
fn fields(format: LogFormat, line: &[u8], spans: FieldSpans) -> HitFields<'_> {
    if spans.is_unknown() {
        let mut clock = ClfCache::default();
        return format.parse(line, &mut clock).expect("the parallel stage parsed this line").fields();
    }
    spans.fields(line)
}

/// A block's lines after the parallel stage: per chunk, (where the line is, what it is).
type ParsedLines = Vec<Vec<Line>>;
type ParsedBlock = (input::Block, ParsedLines);

/// Buffers in flight: being read, parsed, waiting, or sessionized.
const BLOCKS_IN_FLIGHT: usize = 6;

fn stream(
    source: &Source,
    gzip: bool,
    reopened: Option<Reopened>,
    ctx: &mut StreamCtx<'_>,
    raw_bytes: &Arc<AtomicU64>,
    total_raw: Option<u64>,
    observer: &mut dyn Observer,
) -> Result<(), InputError> {
    let (reader, prelude, counter) = match reopened {
        Some(r) => (r.reader, r.prelude, r.raw_bytes),
        None => {
            let counter = Arc::new(AtomicU64::new(0));
            let opened = input::open(source, counter.clone())?;
            (opened.reader, Vec::new(), counter)
        }
    };
    let base_raw = raw_bytes.load(Ordering::Relaxed);
    let block_size = ctx.cfg.block_size;
    // `None`: the parse of that block panicked.
    let (parsed_tx, parsed_rx) = mpsc::channel::<(u64, Option<ParsedBlock>)>();
    let (recycle_tx, recycle_rx) = mpsc::channel::<(Vec<u8>, ParsedLines)>();
    let mut failure = None;
    let stage = LineStage {
        format: ctx.format,
        rules: ctx.rules,
        since: ctx.cfg.since,
        until: ctx.cfg.until,
        keys: ctx.keys,
    };
    let pool = ctx.pool;
    std::thread::scope(|threads| {
        // Owned here, so that a panic on this thread drops it and the reader, waiting for
        // a buffer, stops instead of waiting forever.
        let recycle_tx = recycle_tx;
        // The reader hands each block straight to the pool, so parsing never waits on this
        // thread, and this thread sessionizes whichever block is next as soon as it is
        // parsed. A fixed set of buffers bounds memory: the reader waits for one to come
        // back when all are in flight.
        let reading =
            std::thread::Builder::new().name("darklog-read".into()).spawn_scoped(threads, move || {
                let mut blocks = BlockReader::new(reader, prelude, block_size);
                pool.in_place_scope(|parsers| {
                    let mut allocated = 0;
                    for seq in 0.. {
                        // Parsed lines are recycled with their buffer: freeing them on
                        // another thread than the one that allocated them made the
                        // allocator hand pages back and forth with the kernel.
                        let (buf, mut recs) = if allocated < BLOCKS_IN_FLIGHT {
                            allocated += 1;
                            (Vec::new(), Vec::new())
                        } else {
                            match recycle_rx.recv() {
                                Ok(recycled) => recycled,
                                Err(_) => break,
                            }
                        };
                        let Some(block) = blocks.next_block(buf) else { break };
                        let parsed_tx = parsed_tx.clone();
                        parsers.spawn(move |_| {
                            // A panic must still answer for its block, or this thread
                            // would wait for it forever (only where panics unwind:
                            // tests and debug builds).
                            let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                stage.block(&block.data, &mut recs)
                            }));
                            let _ = parsed_tx.send((seq, parsed.is_ok().then_some((block, recs))));
                            if let Err(panic) = parsed {
                                std::panic::resume_unwind(panic);
                            }
                        });
                    }
                });
            });
        if let Err(e) = reading {
            failure = Some(input::read_error(source, gzip, 0, 0, e));
            return;
        }
        let mut next = 0;
        let mut early: std::collections::BTreeMap<u64, ParsedBlock> = Default::default();
        loop {
            let (seq, parsed) = match parsed_rx.try_recv() {
                Ok(parsed) => parsed,
                Err(mpsc::TryRecvError::Disconnected) => break,
                // Nothing parsed yet: parse a chunk of a later block meanwhile, if one is
                // waiting, else wait. (2-3% off the wall time of a 2M-line gzip run.)
                Err(mpsc::TryRecvError::Empty) => match rayon::yield_now() {
                    Some(rayon::Yield::Executed) => continue,
                    _ => match parsed_rx.recv() {
                        Ok(parsed) => parsed,
                        Err(_) => break,
                    },
                },
            };
            let Some(parsed) = parsed else { panic!("the parse of block {seq} panicked") };
            early.insert(seq, parsed);
            while let Some((block, recs)) = early.remove(&next) {
                next += 1;
                ctx.consume(&block.data, &recs);
                let raw_now = counter.load(Ordering::Relaxed);
                observer.progress(base_raw + raw_now, total_raw);
                if let Some(e) = block.error {
                    let offset = block.offset + block.data.len() as u64;
                    failure = Some(input::read_error(source, gzip, offset, raw_now, e));
                }
                let _ = recycle_tx.send((block.data, recs));
                ctx.flush_notices(observer);
            }
        }
    });
    raw_bytes.fetch_add(counter.load(Ordering::Relaxed), Ordering::Relaxed);
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// How many hits ahead the sequential stage prefetches what it will look up.
const PREFETCH_AHEAD: usize = 8;

/// Target size of the chunks a block is cut into for the parallel parse.
const CHUNK_BYTES: usize = 128 * 1024;

impl StreamCtx<'_> {
    /// The sequential stage: every parsed line of a block, in order, into the sessionizer
    /// and the line accounting.
    fn consume(&mut self, data: &[u8], parsed: &ParsedLines) {
        for recs in parsed {
            for (i, line) in recs.iter().enumerate() {
                // The return filters are bigger than the caches: ask for a page view's
                // line of them a few hits before it is needed.
                if let Some(Line { rec: Rec::Hit { page_view, .. }, .. }) = recs.get(i + PREFETCH_AHEAD) {
                    if *page_view != 0 {
                        self.returns.prefetch(*page_view);
                    }
                }
                self.lines += 1;
                self.record(&data[line.start as usize..line.end as usize], line.rec);
            }
        }
    }

    fn record(&mut self, line: &[u8], rec: Rec) {
        let lines = &mut self.aggregates.lines;
        lines.read += 1;
        match rec {
            Rec::Malformed => {
                lines.malformed += 1;
                self.malformed += 1;
                if *self.shown < self.cfg.show_malformed {
                    *self.shown += 1;
                    let text = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
                    self.pending.push(format!("{}:{}: malformed line: {text}", self.name, self.lines));
                }
            }
            Rec::Outside => lines.outside_window += 1,
            Rec::Hit { time, key, agent: agent_key, page_view, flags, spans } => {
                let pageview = flags.pageview;
                let (format, rules, vkey, keep_visits) =
                    (self.format, self.rules, self.cfg.visitor_key, self.cfg.keep_visits);
                let agents = &mut *self.agents;
                let shares = &*self.shares;
                let returns = &*self.returns;
                let details = || {
                    let hit = fields(format, line, spans);
                    Details {
                        agent: agents.get_keyed(&rules.agents, agent_key, || hit.user_agent),
                        landing: OwnedLanding {
                            target: hit.target.to_vec(),
                            referrer: hit.referrer.map(<[u8]>::to_vec),
                            vhost: hit.vhost.map(<[u8]>::to_vec),
                            shared_by: shares.attribute(hit.path(), time),
                            returning: pageview && returns.seen(page_view),
                        },
                        visitor_id: if keep_visits {
                            vkey.public_id(hit.client, hit.user_agent.unwrap_or(b""))
                        } else {
                            0
                        },
                    }
                };
                let aggregates = &mut *self.aggregates;
                // Visits closed by this hit are counted after its line is: a visit judged a
                // scraper moves its lines, this one included, to `excluded`.
                let closed = &mut *self.closed;
                let agent = self.sessions.record(key, time, flags, details, &mut |v| closed.push(v));
                if let (Agent::Preview { app }, true) = (agent, pageview) {
                    let path = fields(format, line, spans).path();
                    let share = aggregates.share(path, app);
                    share.fetches += 1;
                    share.shares = share.shares.saturating_add_signed(self.shares.record(path, time, app));
                }
                if pageview && !agent.is_excluded() {
                    self.returns.record(page_view, time);
                }
                let lines = &mut aggregates.lines;
                if agent.is_excluded() {
                    lines.excluded += 1;
                } else if pageview {
                    lines.pageviews += 1;
                } else {
                    lines.other_hits += 1;
                }
                for v in self.closed.drain(..) {
                    aggregates.add_visit(v, rules, self.hosts);
                }
            }
        }
    }

    fn flush_notices(&mut self, observer: &mut dyn Observer) {
        for m in self.pending.drain(..) {
            observer.notice(m);
        }
    }
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

/// The parallel stage: parse, window, page-view test and visitor key for every line.
#[derive(Clone, Copy)]
struct LineStage<'a> {
    format: LogFormat,
    rules: &'a Rules,
    since: Option<i64>,
    until: Option<i64>,
    keys: &'a KeyHasher,
}

impl LineStage<'_> {
    /// One block, its chunks parsed on the pool, into `parsed` (one vector per chunk,
    /// in order; vectors already there are reused).
    fn block(&self, data: &[u8], parsed: &mut ParsedLines) {
        debug_assert!(u32::try_from(data.len()).is_ok(), "lines are addressed with 32 bits");
        let chunks = split_chunks(data, CHUNK_BYTES);
        parsed.resize_with(chunks.len(), Vec::new);
        parsed
            .par_iter_mut()
            .zip(chunks)
            .for_each(|(out, (start, end))| self.chunk(&data[start..end], start, out));
    }

    fn chunk(&self, chunk: &[u8], base: usize, out: &mut Vec<Line>) {
        out.clear();
        let mut clock = ClfCache::default();
        let mut pos = 0;
        while pos < chunk.len() {
            let (end, hit) = self.format.parse_next(chunk, pos, &mut clock);
            let line = &chunk[pos..end];
            let rec = match hit {
                None => Rec::Malformed,
                Some(hit)
                    if self.since.is_some_and(|s| hit.time < s)
                        || self.until.is_some_and(|u| hit.time >= u) =>
                {
                    Rec::Outside
                }
                Some(hit) => {
                    let path = hit.path();
                    let asset = self.rules.paths.is_asset(path);
                    let pageview = page_view(hit.method, hit.status, path, asset).is_ok();
                    let ua = hit.user_agent.unwrap_or(b"");
                    let agent = self.keys.agent(ua);
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
                        flags: HitFlags { pageview, asset, robots },
                        spans,
                    }
                }
            };
            // A block is at most MAX_BLOCK and a longest line: far below 4 GiB.
            out.push(Line { start: (base + pos) as u32, end: (base + end) as u32, rec });
            pos = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Quiet;

    impl Observer for Quiet {
        fn notice(&mut self, _: String) {}
    }

    /// The run's thread joins the parser pool for life: the caller's thread must not, or
    /// a second run from it could not start its pool.
    #[test]
    fn one_thread_runs_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let line = "203.0.113.5 - - [05/Nov/2026:10:00:00 +0000] \"GET /2026/11/a-story HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0\"\n";
        std::fs::write(&path, line.repeat(3)).unwrap();
        let cfg = AnalyzeConfig {
            inputs: vec![path],
            format: None,
            since: None,
            until: None,
            session: SessionConfig::default(),
            share_window: 48 * 3600,
            sites: Vec::new(),
            fronts: Vec::new(),
            overrides: None,
            visitor_key: VisitorKey::from_passphrase("test"),
            keep_visits: false,
            show_malformed: 0,
            block_size: 1 << 20,
            threads: 0,
        };
        for _ in 0..2 {
            let outcome = run(&cfg, &mut Quiet).expect("the run starts");
            assert_eq!(outcome.aggregates.lines.read, 3);
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
}
