//! One analysis run: sniff the inputs, learn the site facts, order the inputs, then stream
//! each through the engine into the fold — parse → session → classify → count.
//!
//! [`sniff`] reads the start of every input; [`stage`] is the parallel stage (a record per
//! line); [`fold`] the sequential one and the run's whole state ([`RunState`]); the
//! [`engine`](crate::engine) moves the blocks between them.

mod facts;
mod fold;
mod sniff;
mod stage;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use fold::{Fold, FoldCx, RunState};

use crate::classify::{AgentCache, HostCache, Rules, TableError};
use crate::engine::{self, Consumer, Engine, ReadFailure};
use crate::identity::{KeyHasher, VisitorKey};
use crate::input::{self, Compression, Input, InputError, Source};
use crate::parse::{Format, FormatSpec};
use crate::report::InputSummary;
use crate::session::SessionConfig;
use stage::LineStage;

/// Everything a run needs, decided before it starts.
#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub inputs: Vec<PathBuf>,
    pub format: FormatSpec,
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
    pub state: RunState,
    /// Whether visits needed browser evidence to count as readers.
    pub evidence_required: bool,
    pub inputs: Vec<InputSummary>,
    pub errors: Vec<InputError>,
}

/// Messages for the user as the run goes (format chosen, site inferred, malformed lines).
pub trait Observer: Send {
    fn notice(&mut self, message: String);
    /// Raw bytes consumed so far, out of `total` (when known).
    fn progress(&mut self, _done: u64, _total: Option<u64>) {}
}

/// What stops a run before it reads anything (input problems never do: they are
/// reported in [`Outcome::errors`]).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("built-in rule table is invalid: {0}")]
    Rules(#[from] TableError),
    #[error("cannot start parser threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("cannot start the run's thread: {0}")]
    Thread(std::io::Error),
}

/// The rules a run reads with: the built-in tables, a rules file's rows and `--front`s.
pub fn rules(cfg: &AnalyzeConfig) -> Result<Rules, TableError> {
    let mut rules = Rules::builtin()?;
    if let Some(o) = &cfg.overrides {
        rules = rules.apply(o)?;
    }
    for f in &cfg.fronts {
        rules.paths.add_front(f);
    }
    Ok(rules)
}

pub fn run(cfg: &AnalyzeConfig, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
    engine::on_own_thread(|| run_here(cfg, observer)).map_err(RunError::Thread)?
}

fn run_here(cfg: &AnalyzeConfig, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
    let rules = rules(cfg)?;
    let (inputs, mut errors) = input::expand(&cfg.inputs);
    let mut agents = AgentCache::new();
    let (mut sniffed, unread) = sniff_all(&inputs, cfg.format, &mut errors, observer);
    drop_same_logs(&mut sniffed, observer);
    if sniffed.is_empty() && !inputs.is_empty() && errors.is_empty() {
        errors.push(InputError::NothingToRead);
    }
    // Rotated sets are read oldest first, whatever they are called.
    sniffed.sort_by_key(|s| s.first_time.unwrap_or(i64::MAX));
    let total_raw: Option<u64> = sniffed.iter().map(|s| s.source.size()).sum();
    let raw_bytes = Arc::new(AtomicU64::new(0));
    let (facts, notices) = facts::learn(&mut sniffed, &cfg.sites, &rules, &mut agents);
    for n in notices {
        observer.notice(n);
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parsers = match cfg.threads {
        // With compressed input, one per core: the inflating thread keeps a core to itself
        // (the scheduler sees to that), and with one parser fewer, parsing and
        // sessionizing shared the other core while the first idled whenever the buffers
        // were all in flight. Reading a plain file costs little, so there one parser fewer
        // leaves the sessionizer a core without an extra parser competing for it.
        // (Measured on two cores: 0.30 against 0.33 s for gzip, 0.21 against 0.22 s for
        // plain.)
        0 if sniffed.iter().any(|s| s.compression.is_some()) => cores,
        0 => cores.saturating_sub(1).max(1),
        n if n > MAX_PARSERS => {
            observer.notice(format!(
                "--threads {n}: using {MAX_PARSERS} (a block is parsed in chunks of {} KiB; more \
                 threads than that only wait, and starting them costs more than they parse)",
                engine::CHUNK_BYTES / 1024
            ));
            MAX_PARSERS
        }
        n => n,
    };
    let mut state =
        RunState::new(facts, cfg.session, cfg.share_window, cfg.keep_visits, KeyHasher::default());
    let fold_cx = FoldCx {
        rules: &rules,
        visitor_key: cfg.visitor_key,
        keep_visits: cfg.keep_visits,
        show_malformed: cfg.show_malformed,
        since: cfg.since,
        until: cfg.until,
    };
    let mut analysis = Analysis::new(&fold_cx, &state, parsers, cfg.block_size)?;
    let mut inputs = Vec::new();
    for s in sniffed {
        let name = s.source.name();
        let compression = s.compression;
        let (reader, prelude, counter) = match s.reader {
            Some(r) => (r.reader, r.prelude, r.raw_bytes),
            None => {
                let counter = Arc::new(AtomicU64::new(0));
                match input::open(&s.source, counter.clone()) {
                    Ok(opened) => (opened.reader, Vec::new(), counter),
                    Err(e) => {
                        inputs.push(summary(&s.source, Some(s.format), compression, Some(&e)));
                        errors.push(e);
                        continue;
                    }
                }
            }
        };
        let base_raw = raw_bytes.load(Ordering::Relaxed);
        let mut progress = |raw: u64| observer.progress(base_raw + raw, total_raw);
        let read = analysis.read(&mut state, s.format, &name, reader, prelude, &counter, &mut progress);
        for m in read.notices {
            observer.notice(m);
        }
        raw_bytes.fetch_add(counter.load(Ordering::Relaxed), Ordering::Relaxed);
        let result =
            read.result.map_err(|f| input::read_error(&s.source, compression, f.offset, f.raw, f.error));
        let mut sum = summary(&s.source, Some(s.format), compression, result.as_ref().err());
        sum.lines = read.lines;
        sum.malformed = read.malformed;
        inputs.push(sum);
        if let Err(e) = result {
            errors.push(e);
        }
    }
    analysis.finish(&mut state);
    let malformed = state.aggregates.lines.malformed as usize;
    if analysis.shown < malformed && cfg.show_malformed > 0 {
        observer.notice(format!("… and {} more malformed lines", malformed - analysis.shown));
    }
    // Inputs in the order they were read, then the ones that could not be.
    inputs.extend(unread);
    let evidence_required = crate::classify::Classifier::new(&rules, &state.facts).requires_evidence();
    Ok(Outcome { state, evidence_required, inputs, errors })
}

/// Reads inputs into a run's state: the engine, the rules and the caches of their
/// verdicts, which last as long as the run and are no part of its state.
pub struct Analysis<'a> {
    cx: &'a FoldCx<'a>,
    engine: Engine,
    /// The tables' path rules and what the state's site embeds.
    paths: crate::classify::PathRules,
    keys: KeyHasher,
    agents: AgentCache,
    hosts: HostCache,
    /// Malformed lines shown so far.
    pub shown: usize,
}

/// What reading one input gave.
pub struct InputRead {
    pub lines: u64,
    pub malformed: u64,
    /// Malformed lines to show, as `-v` asked, with their place.
    pub notices: Vec<String>,
    pub result: Result<(), ReadFailure>,
}

impl<'a> Analysis<'a> {
    /// For states keyed like `state`. Its own thread must call [`Analysis::read`] (see
    /// [`Engine::new`]).
    pub fn new(
        cx: &'a FoldCx<'a>,
        state: &RunState,
        parsers: usize,
        block_size: usize,
    ) -> Result<Analysis<'a>, RunError> {
        // This thread joins the pool too: while it waits for the next parsed block, it
        // parses (see `Engine::stream`), instead of sleeping while the parsers and the
        // reader share the cores.
        let engine = Engine::new(parsers, block_size)?;
        let keys = state.keys.clone();
        Ok(Analysis {
            cx,
            engine,
            paths: state.facts.path_rules(&cx.rules.paths),
            agents: AgentCache::with_keys(keys.clone()),
            keys,
            hosts: HostCache::default(),
            shown: 0,
        })
    }

    /// Streams one opened input into `state` (which must be keyed as the one this was made
    /// for). `prelude` is what was read of it already; `counter` counts its raw bytes, and
    /// `progress` hears of them after each block.
    #[allow(clippy::too_many_arguments)]
    pub fn read(
        &mut self,
        state: &mut RunState,
        format: Format,
        name: &str,
        reader: Box<dyn std::io::Read + Send>,
        prelude: Vec<u8>,
        counter: &AtomicU64,
        progress: &mut dyn FnMut(u64),
    ) -> InputRead {
        debug_assert!(state.keys == self.keys, "a state read with other keys");
        let cx = self.cx;
        let stage =
            LineStage { format, paths: &self.paths, since: cx.since, until: cx.until, keys: &self.keys };
        let fold = Fold::new(cx, state, &mut self.agents, &mut self.hosts, format, name, &mut self.shown);
        let mut reporting = Reporting { fold, progress, notices: Vec::new() };
        let result = self.engine.stream(reader, prelude, counter, &stage, &mut reporting);
        let Reporting { fold, notices, .. } = reporting;
        InputRead { lines: fold.lines, malformed: fold.malformed, notices, result }
    }

    /// Closes every open visit of `state` and counts it: the end of the input.
    pub fn finish(&mut self, state: &mut RunState) {
        state.finish(self.cx.rules, &mut self.hosts);
    }
}

/// A fold that also tells how far it got and what it found.
struct Reporting<'a, 'p> {
    fold: Fold<'a>,
    progress: &'p mut dyn FnMut(u64),
    notices: Vec<String>,
}

impl<'s> Consumer<LineStage<'s>> for Reporting<'_, '_> {
    fn consume(&mut self, state: &crate::parse::BlockState, block: &[u8], chunks: &[Vec<stage::Line>]) {
        self.fold.consume(state, block, chunks);
    }

    /// The piece of a line too long to hold is that one line, malformed: its records (the
    /// stage may have read a hit in its start, or nothing) are not what it is.
    fn consume_cut(&mut self, state: &crate::parse::BlockState, block: &[u8], _: &[Vec<stage::Line>]) {
        let end = u32::try_from(block.len()).expect("a block is addressed with 32 bits");
        let line = [vec![stage::Line { start: 0, end, rec: stage::Rec::Malformed }]];
        self.fold.consume(state, block, &line);
    }

    fn block_done(&mut self, raw_bytes: u64) {
        (self.progress)(raw_bytes);
        self.notices.append(&mut self.fold.pending);
    }
}

/// More parser threads than this only wait: a block is parsed in chunks, and starting
/// tens of thousands of threads took longer than the run.
pub const MAX_PARSERS: usize = 256;

/// Samples the start of every input (see [`sniff::sniff`]), in order, and says which
/// format each was detected in. Inputs found in a directory that are no log are skipped
/// with a notice; the others that cannot be read are in `errors`, and their summaries in
/// the second list.
fn sniff_all(
    inputs: &[Input],
    spec: FormatSpec,
    errors: &mut Vec<InputError>,
    observer: &mut dyn Observer,
) -> (Vec<sniff::Sniffed>, Vec<InputSummary>) {
    let mut sniffed = Vec::new();
    let mut unread = Vec::new();
    let mut formats_said: Vec<Format> = Vec::new();
    for input in inputs {
        let source = &input.source;
        match sniff::sniff(input, spec) {
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
            Err(InputError::NotALog { path, why }) if input.listed => {
                observer.notice(format!("{path}: skipped, not an access log: {why}"));
            }
            Err(e) => {
                unread.push(summary(source, None, None, Some(&e)));
                errors.push(e);
            }
        }
    }
    (sniffed, unread)
}

/// Leaves out the inputs that are another input again (see [`input::same_logs`]), saying
/// which and why.
fn drop_same_logs(sniffed: &mut Vec<sniff::Sniffed>, observer: &mut dyn Observer) {
    let prints: Vec<input::Fingerprint> = sniffed.iter().map(|s| s.fingerprint.clone()).collect();
    let same = input::same_logs(&prints, |i| input::decoded_len(&sniffed[i].source));
    for s in same.iter() {
        let (dropped, kept) = (sniffed[s.dropped].source.name(), sniffed[s.kept].source.name());
        let k = input::HEAD_BYTES / 1024;
        let why = if s.identical {
            format!("the same log as {kept} (the same first {k} KiB and the same length)")
        } else if sniffed[s.kept].fingerprint.stream {
            format!("the same first {k} KiB as {kept}, a stream, read as it comes")
        } else {
            format!("the start of {kept} (the same first {k} KiB; {kept} is longer)")
        };
        observer.notice(format!("{dropped}: {why}: read once, as {kept}"));
    }
    let mut index = 0;
    sniffed.retain(|_| {
        index += 1;
        !same.iter().any(|s| s.dropped == index - 1)
    });
}

fn summary(
    source: &Source,
    format: Option<Format>,
    compression: Option<Compression>,
    error: Option<&InputError>,
) -> InputSummary {
    InputSummary {
        name: source.name(),
        format: format.map(|f| f.name().to_string()),
        gzip: compression == Some(Compression::Gzip),
        lines: 0,
        malformed: 0,
        error: error.map(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests;
