//! One analysis run: sniff the inputs, learn the site facts, order the inputs, then stream
//! each through the engine into the fold — parse → session → classify → count.
//!
//! [`sniff`] reads the start of every input; [`stage`] is the parallel stage (a record per
//! line); [`fold`] the sequential one and the run's whole state ([`RunState`]); the
//! [`engine`](crate::engine) moves the blocks between them.

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
use crate::input::{self, InputError, Source};
use crate::parse::{ClientIp, Format, FormatOptions};
use crate::report::InputSummary;
use crate::session::SessionConfig;
use stage::LineStage;

/// Everything a run needs, decided before it starts.
#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub inputs: Vec<PathBuf>,
    /// The layout `--log-format` named; `None` to detect each input's.
    pub format: Option<Format>,
    /// What detection builds the presets with.
    pub format_options: FormatOptions,
    /// How to find the client behind a proxy (`--client-ip`); `None`: the logged address.
    pub client_ip: Option<ClientIp>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// The zone the daily report's days are in.
    pub zone: crate::time::Zone,
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
    let (sources, mut errors) = input::expand(&cfg.inputs);
    let total_raw: Option<u64> = sources.iter().map(Source::size).sum();
    let raw_bytes = Arc::new(AtomicU64::new(0));

    let mut agents = AgentCache::new();
    let mut sniffed = Vec::new();
    let mut unread = Vec::new();
    let mut formats_said: Vec<String> = Vec::new();
    for source in sources {
        match sniff::sniff(
            &source,
            cfg.format.as_ref(),
            &cfg.format_options,
            cfg.client_ip.as_ref(),
            &rules,
            &mut agents,
        ) {
            Ok(mut s) => {
                let name = s.format.name();
                if let Some(n) = s.detected_from {
                    if !formats_said.contains(&name) {
                        observer.notice(format!(
                            "log format: {name} (detected from {n} lines of {}; --log-format to choose)",
                            source.name()
                        ));
                        formats_said.push(name);
                    }
                }
                for n in s.notices.drain(..) {
                    observer.notice(n);
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
    let (facts, notices) = sniff::learn_facts(&sniffed, &cfg.sites);
    for n in notices {
        observer.notice(n);
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parsers = match cfg.threads {
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
    let mut state =
        RunState::new(facts, cfg.session, cfg.share_window, cfg.keep_visits, KeyHasher::default());
    state.aggregates = std::mem::take(&mut state.aggregates).in_zone(cfg.zone.clone());
    let fold_cx = FoldCx {
        rules: &rules,
        visitor_key: cfg.visitor_key,
        keep_visits: cfg.keep_visits,
        show_malformed: cfg.show_malformed,
        since: cfg.since,
        until: cfg.until,
        client_ip: cfg.client_ip.as_ref(),
    };
    let mut analysis = Analysis::new(&fold_cx, &state, parsers, cfg.block_size)?;
    let mut inputs = Vec::new();
    for s in sniffed {
        let name = s.source.name();
        let (reader, prelude, counter) = match s.reader {
            Some(r) => (r.reader, r.prelude, r.raw_bytes),
            None => {
                let counter = Arc::new(AtomicU64::new(0));
                match input::open(&s.source, counter.clone()) {
                    Ok(opened) => (opened.reader, Vec::new(), counter),
                    Err(e) => {
                        inputs.push(summary(&s.source, Some(&s.format), s.gzip, Some(&e)));
                        errors.push(e);
                        continue;
                    }
                }
            }
        };
        let base_raw = raw_bytes.load(Ordering::Relaxed);
        let mut progress = |raw: u64| observer.progress(base_raw + raw, total_raw);
        let read = analysis.read(&mut state, &s.format, &name, reader, prelude, &counter, &mut progress);
        for m in read.notices {
            observer.notice(m);
        }
        raw_bytes.fetch_add(counter.load(Ordering::Relaxed), Ordering::Relaxed);
        let result = read.result.map_err(|f| input::read_error(&s.source, s.gzip, f.offset, f.raw, f.error));
        let mut sum = summary(&s.source, Some(&s.format), s.gzip, result.as_ref().err());
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
    Ok(Outcome { state, inputs, errors })
}

/// Reads inputs into a run's state: the engine, the rules and the caches of their
/// verdicts, which last as long as the run and are no part of its state.
pub struct Analysis<'a> {
    cx: &'a FoldCx<'a>,
    engine: Engine,
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
        format: &Format,
        name: &str,
        reader: Box<dyn std::io::Read + Send>,
        prelude: Vec<u8>,
        counter: &AtomicU64,
        progress: &mut dyn FnMut(u64),
    ) -> InputRead {
        debug_assert!(state.keys == self.keys, "a state read with other keys");
        let cx = self.cx;
        let stage = LineStage {
            format,
            rules: cx.rules,
            since: cx.since,
            until: cx.until,
            keys: &self.keys,
            client_ip: cx.client_ip,
        };
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

    fn block_done(&mut self, raw_bytes: u64) {
        (self.progress)(raw_bytes);
        self.notices.append(&mut self.fold.pending);
    }
}

fn summary(source: &Source, format: Option<&Format>, gzip: bool, error: Option<&InputError>) -> InputSummary {
    InputSummary {
        name: source.name(),
        format: format.map(Format::name),
        gzip,
        lines: 0,
        malformed: 0,
        error: error.map(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests;
