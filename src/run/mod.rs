//! One analysis run: sniff the inputs, learn the site facts, order the inputs, then stream
//! each through the engine into the fold — parse → session → classify → count.
//!
//! [`sniff`] reads the start of every input; [`stage`] is the parallel stage (a record per
//! line); [`fold`] the sequential one and the run's whole state ([`RunState`]); the
//! [`engine`](crate::engine) moves the blocks between them.

mod clock;
mod facts;
pub use facts::learn_lines;
mod fold;
mod inputs;
pub mod key;
mod other_site;
mod outcome;
mod proxies;
pub use outcome::{Observer, Outcome, RunError, RunResult, Start};
mod read;
mod resume;
pub mod saved;
mod shifted;
mod sniff;
pub use sniff::unheaded;
mod sort;
mod stage;
mod visits;

use std::path::PathBuf;

pub use fold::{Fold, FoldCx, RunState};
pub use inputs::is_log;
use inputs::{drop_same_logs, sniff_all, summary, to_read, RulesBeside};
pub use read::{Opened, ReadAll, ToRead};
pub use visits::{VisitRows, VisitSpool};

use crate::classify::shares::MAX_SHARED_PATHS;
use crate::classify::{AgentCache, HostCache, ShareLog};
use crate::engine::{self, Engine};
use crate::identity::{KeyHasher, VisitorKey};
use crate::input::{self, InputError, Source};
use crate::parse::{ClientIp, Format, FormatOptions};
use crate::report::Ledger;
use crate::session::SessionConfig;

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
    /// What the reports will cover, from the earliest window's start to the latest's end:
    /// hits before it are read as context (see [`context`]), after it only to finish the
    /// visits that began in it.
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Where windows begin or end besides `since` and `until` (a previous period's end):
    /// where periods of the ledger are cut.
    pub edges: Vec<i64>,
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
    /// Bytes of lines an input sorted by time holds in memory at once (the rest waits in
    /// temporary files).
    pub sort_memory: usize,
    /// Whether the keyed tables are bounded (always, but to show that bounds that cut
    /// nothing change nothing).
    pub bounded: bool,
    /// Plain files are read through a memory map (`false`: with `read`).
    pub map_files: bool,
    /// Landing pages counted at most, when not the default.
    pub max_pages: Option<usize>,
    /// An incremental run (`--state`): inputs are read from where the state's marks say,
    /// a plain file only up to its last whole line, and no window limits what is read.
    pub incremental: bool,
    /// Also hand back the state as it was before its open visits were closed (to be
    /// saved, or merged with others).
    pub keep_open: bool,
    /// Remember every link-preview share (a profile of the job).
    pub profile: bool,
    /// How long a state remembers days (and inputs), in seconds.
    pub keep: i64,
    /// The inputs are keyed lines (`darklog key`), read back as the log they hold.
    pub keyed: bool,
    /// Files not read even where a directory of inputs holds them: the run's own state,
    /// its lock and its report.
    pub skip: Vec<PathBuf>,
}

pub use inputs::rules;

pub fn run(cfg: &AnalyzeConfig, observer: &mut dyn Observer) -> RunResult {
    run_from(cfg, Start::Fresh, observer)
}

pub fn run_from(cfg: &AnalyzeConfig, start: Start, observer: &mut dyn Observer) -> RunResult {
    let run = || std::thread::scope(|s| run_here(cfg, start, observer, inputs::RulesBeside::build(s, cfg)));
    engine::on_own_thread(run).map_err(RunError::Thread)?
}

fn run_here(cfg: &AnalyzeConfig, start: Start, out: &mut dyn Observer, rules: RulesBeside) -> RunResult {
    // Keyed lines are read back into the log they hold, which is read as any other.
    let keyed = match cfg.keyed.then(|| key::decode_inputs(&cfg.inputs)).transpose() {
        Ok(keyed) => keyed,
        Err(e) => return Err(rules.get().err().map_or(RunError::Keyed(e), RunError::from)),
    };
    let paths = match &keyed {
        Some(k) => vec![k.file.path().to_path_buf()],
        None => cfg.inputs.clone(),
    };
    let mut renamed;
    let observer: &mut dyn Observer = match &keyed {
        Some(k) => {
            renamed = key::KeyedNames { inner: out, temp: k.file.path().display().to_string() };
            &mut renamed
        }
        None => out,
    };
    let (mut inputs, mut errors) = input::expand(&paths);
    errors.extend(keyed.as_ref().and_then(key::KeyedLog::error));
    let listed = inputs.len();
    // Told once the rules are built: a rules file's error comes first, as it would alone.
    let mut held = inputs::HeldNotices::default();
    inputs::skip_own(&mut inputs, &cfg.skip, &mut held);
    // A directory that holds only the run's own files (the logs rotated away): nothing.
    if inputs.is_empty() && listed > 0 && errors.is_empty() {
        errors.push(InputError::NothingToRead);
    }
    let mut agents = AgentCache::new();
    let (mut sniffed, unread) = sniff_all(&inputs, cfg, &mut errors, &mut held);
    let rules = rules.get()?;
    held.tell(observer);
    drop_same_logs(&mut sniffed, observer);
    let mut caveats: Vec<String> = sniffed.iter().flat_map(|s| s.caveats.iter().cloned()).collect();
    // An empty input is read as combined with no line to detect it from: it found nothing.
    let mut found: Vec<String> = Vec::new();
    for s in sniffed.iter().filter(|s| s.detected_from.is_some_and(|n| n > 0)) {
        if !found.contains(&s.format.name()) {
            found.push(s.format.name());
        }
    }
    let logs = sniffed
        .iter()
        .filter(|s| s.fingerprint.covers() > 0)
        .map(|s| (s.source.name(), s.fingerprint.digest()))
        .collect();
    if let (Some(k), Some(s)) = (&keyed, sniffed.first()) {
        errors.extend(key::check_keys(&k.decoded, &s.format, cfg.client_ip.as_ref(), cfg.visitor_key));
    }
    if sniffed.is_empty() && !inputs.is_empty() && errors.is_empty() {
        errors.push(InputError::NothingToRead);
    }
    // Rotated sets are read oldest first, whatever they are called.
    sniffed.sort_by_key(|s| s.first_time.unwrap_or(i64::MAX));
    let total_raw: Option<u64> = sniffed.iter().map(|s| s.source.size()).sum();
    // Whether the logs record agents: the job's (its profile's) for a part, else this
    // run's inputs'. Keyed lines of a part cannot tell their files apart: the job decides.
    let carried = match &start {
        Start::Profiled(p) => p.facts.agents_logged,
        _ => sniffed.iter().any(|s| s.agents == sniff::AgentsSeen::Carried),
    };
    for s in &mut sniffed {
        s.judge_agents = if cfg.keyed { carried } else { s.agents.judged(carried) };
    }
    // Where each input is read from, before the facts: a state whose runs read too few
    // lines to learn them from learns them again from this run's new lines.
    let marks: &[_] = if let Start::Resume { marks, .. } = &start { marks } else { &[] };
    let mut plan_notices = Vec::new();
    let plans = resume::plan(&sniffed, marks, &mut plan_notices);
    let (mut initial, marks) = match start {
        Start::Fresh => {
            let plans = cfg.incremental.then_some(plans.as_slice());
            let (facts, mut notices, sample) =
                facts::learn(&mut sniffed, plans, &cfg.sites, cfg.client_ip.as_ref(), &rules, &mut agents);
            // On the page too: its figures mix the sites, or count the site's clicks apart.
            let others = other_site::other_sites_said(&sniffed, &facts, &rules, !cfg.sites.is_empty());
            caveats.extend(others.iter().cloned());
            notices.extend(others);
            for n in notices {
                observer.notice(n);
            }
            let mut state = fresh_state(cfg, facts, KeyHasher::default());
            state.fact_sample = sample.filter(|_| cfg.incremental);
            (state, Vec::new())
        }
        Start::Profiled(p) => {
            let mut state = fresh_state(cfg, p.facts, p.keys);
            state.profile_shares = Some(p.shares);
            (state, Vec::new())
        }
        Start::Resume { mut state, marks } => {
            let learned = facts::resumed(&mut state, &mut sniffed, &plans, cfg, &rules, &mut agents);
            learned.into_iter().for_each(|n| observer.notice(n));
            (*state, marks)
        }
    };
    initial.facts.agents_logged = carried;
    if cfg.profile {
        initial.shares = ShareLog::keep_all(cfg.share_window, cfg.session.lateness)
            .with_max_paths(if cfg.bounded { MAX_SHARED_PATHS } else { usize::MAX });
    }
    if cfg.incremental {
        errors.extend(resume::vanished(&plans, &marks));
        errors.extend(resume::other_site(&sniffed, &plans, &initial.facts, &rules, cfg.sites.is_empty()));
        for n in plan_notices {
            observer.notice(n);
        }
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let compressed = sniffed.iter().any(|s| s.compression.is_some());
    let threads = match cfg.threads {
        // With compressed input, one per core: the inflating thread keeps a core to itself
        // (the scheduler sees to that), and with one parser fewer, parsing and
        // sessionizing shared the other core while the first idled whenever the buffers
        // were all in flight. Reading a plain file costs little, so there one parser fewer
        // leaves the sessionizer a core without an extra parser competing for it.
        // (Measured on two cores: 0.30 against 0.33 s for gzip, 0.21 against 0.22 s for
        // plain.)
        0 if compressed => cores,
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
    let parsers = engine::Parsers { threads, yielding: compressed };
    let (read_since, read_until) = context(cfg);
    let fold_cx = FoldCx {
        rules: &rules,
        visitor_key: cfg.visitor_key,
        keep_visits: cfg.keep_visits,
        show_malformed: cfg.show_malformed,
        read_since,
        read_until,
        client_ip: cfg.client_ip.as_ref(),
        count_directives: !cfg.keyed,
        // A day past this machine's clock: no log line is written after it is read, and
        // a day leaves room for clocks that disagree.
        end_limit: cfg.incremental.then(|| crate::time::now().saturating_add(86_400)),
    };
    let started = initial.clock.now();
    let mut analysis = Analysis::new(&fold_cx, &initial, parsers, cfg.block_size)?;
    // An input found mostly out of order is sorted by time into a temporary file and the
    // run read again from the start, once per input.
    let mut sorted: Vec<Option<sort::Sorted>> = sniffed.iter().map(|_| None).collect();
    // An incremental run cannot sort: where it read an input to is a place in the input.
    let mut sortable: Vec<bool> =
        sniffed.iter().map(|s| matches!(s.source, Source::File(_)) && !cfg.incremental).collect();
    let mut stdin: Vec<Option<sniff::Reopened>> = sniffed.iter_mut().map(|s| s.reader.take()).collect();
    let (mut state, read) = loop {
        let mut state = initial.clone();
        analysis.spool = cfg.keep_visits.then(VisitSpool::default);
        let to_read = (0..sniffed.len())
            .map(|i| {
                to_read(
                    &sniffed[i],
                    sorted[i].as_ref(),
                    stdin[i].take(),
                    sortable[i],
                    &plans[i],
                    cfg.incremental,
                    cfg.map_files,
                )
            })
            .collect();
        let mut progress = |raw: u64| observer.progress(raw, total_raw);
        let read = analysis.read_all(&mut state, to_read, &mut progress);
        let Some(i) = read.disordered else { break (state, read) };
        let s = &sniffed[i];
        observer.notice(format!(
            "{}: {} of its first {} lines are out of order beyond the {}-second lateness window: \
             sorting it by time and reading the logs again",
            s.source.name(),
            read.inputs[i].counts.out_of_order,
            read.inputs[i].counts.lines,
            cfg.session.lateness
        ));
        match sort::by_time(&s.source, &s.format, cfg.sort_memory) {
            Ok(file) => sorted[i] = Some(file),
            // It cannot be sorted (no room for the temporary files): read as it is.
            Err(e) => {
                errors.push(e);
                sortable[i] = false;
            }
        }
    };
    for n in &read.notices {
        observer.notice(n.clone());
    }
    if !cfg.keyed {
        inputs::mostly_malformed(&sniffed, &read).into_iter().for_each(|n| observer.notice(n));
    }
    let counts: Vec<fold::InputCounts> = read.inputs.iter().map(|r| r.counts).collect();
    // An input that broke was counted up to the break, whatever its reader had handed on
    // beyond it (blocks read ahead, or cut at a truncated file's new end): the next run
    // starts there.
    for (p, r) in plans.iter().zip(&read.inputs) {
        if let Some(read::ReadError::Read(f)) = &r.error {
            p.consumed.fetch_min(f.offset, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let marks = if cfg.incremental {
        // What the ledger forgets, the marks forget too.
        let forget_before = state.ledger.span().map(|(_, end)| end.saturating_sub(cfg.keep));
        // Any input that failed, to open as to read, is read on next time from where it got
        // (a compressed one would otherwise be taken for a rotation read whole).
        let broken: Vec<bool> = read.inputs.iter().map(|r| r.error.is_some()).collect();
        resume::marks_after(&sniffed, &plans, &counts, &broken, &marks, forget_before)
    } else {
        Vec::new()
    };
    if let Some(k) = &keyed {
        // The directives, counted where a run over the logs counts them: at the log's time.
        for &t in &k.decoded.directives {
            let lines = state.ledger.lines_at(t);
            lines.read += 1;
            lines.directives += 1;
        }
    }
    let open = cfg.keep_open.then(|| state.clone());
    // A run that saves its state lists a visit once, in the run that sees it end: the
    // visits still open are counted in this report, and listed by the next run, with the
    // lines it adds to them (cron jobs append each run's rows).
    analysis.finish(&mut state, !cfg.incremental);
    let visits = match analysis.spool.take().map(VisitSpool::finish).transpose() {
        Ok(v) => v,
        Err(e) => {
            errors.push(InputError::Spool { source: e });
            None
        }
    };
    let mut inputs = Vec::new();
    let crowded = read.crowded;
    if let Some(i) = crowded {
        errors.push(InputError::Crowded {
            path: sniffed[i].source.name(),
            after: sniffed.len() - i - 1,
            max: read::MAX_OPEN,
        });
    }
    // A log that lagged behind the others (a server whose lines reach the logs late) starts
    // this run before the state's clock: its lines older than the lateness allows come
    // too late, though one run over all the logs, merging them by time, would count them.
    let lagged = |i: usize| {
        let first = counts[i].first_time;
        cfg.incremental && first.zip(started).is_some_and(|(f, t)| f < t - cfg.session.lateness)
    };
    for (i, (s, r)) in sniffed.iter().zip(read.inputs).enumerate() {
        let error = match r.error {
            Some(read::ReadError::Open(e)) => resume::said_if_nothing_new(e, observer),
            Some(read::ReadError::Read(f)) => {
                Some(input::read_error(&s.source, s.compression, f.offset, f.raw, f.error))
            }
            // A log older than what a saved state read already: its lines come too late.
            None if cfg.incremental && (r.counts.disordered() || r.counts.out_of_order > 0 && lagged(i)) => {
                let (path, out_of_order, lines) = (s.source.name(), r.counts.out_of_order, r.counts.lines);
                Some(if plans[i].after_break {
                    InputError::LateAfterBreak { path, out_of_order, lines }
                } else {
                    InputError::BehindState { path, out_of_order, lines }
                })
            }
            // Not one line in the layout named: no log in it at all.
            None if !cfg.keyed && s.misfit.is_some() => inputs::misfit(s, &r.counts),
            // The crowding is said once, below, for all the inputs it touched.
            None if r.counts.disordered() && crowded.is_some() => None,
            None if r.counts.disordered() => Some(InputError::Disordered {
                path: s.source.name(),
                out_of_order: r.counts.out_of_order,
                lines: r.counts.lines,
            }),
            None => None,
        };
        // A layout detected from no line was not found: none is named for the input.
        let format = Some(&s.format).filter(|_| s.detected_from != Some(0));
        let mut sum = summary(&s.source, format, s.compression, error.as_ref());
        if keyed.is_some() {
            sum.name = "keyed lines".into();
        }
        sum.lines = r.counts.lines;
        sum.malformed = r.counts.malformed;
        inputs.push(sum);
        errors.extend(error);
    }
    // This run's lines, not the state's: a rerun says nothing of earlier runs' lines.
    let worth_showing: u64 = counts.iter().map(|c| c.malformed + c.out_of_order).sum();
    if (read.shown as u64) < worth_showing && cfg.show_malformed > 0 {
        observer.notice(format!(
            "… and {} more malformed or out-of-order lines",
            worth_showing - read.shown as u64
        ));
    }
    // Inputs in the order they were read, then the ones that could not be.
    inputs.extend(unread);
    let evidence = crate::classify::Classifier::new(&rules, &state.facts).evidence();
    let held = resume::held_by(cfg, &sniffed, &plans, &counts, &errors);
    Ok(Outcome { state, open, marks, visits, evidence, inputs, errors, caveats, logs, found, held })
}

/// A state of a run that starts from nothing but its facts and keys.
fn fresh_state(cfg: &AnalyzeConfig, facts: crate::classify::SiteFacts, keys: KeyHasher) -> RunState {
    let mut state = RunState::bounded(facts, cfg.session, cfg.share_window, keys, cfg.bounded);
    let mut caps = state.ledger.caps();
    if let Some(pages) = cfg.max_pages {
        caps.pages = pages;
    }
    let edges = cfg.since.into_iter().chain(cfg.until).chain(cfg.edges.iter().copied());
    state.ledger = Ledger::new(cfg.zone.clone(), caps).with_edges(edges);
    state
}

/// What is read around a window `[since, until)`: before it, what its visits need of the
/// past (the return memory's 30 days, shares within the share window, a visit already
/// open); after it, a day, to finish the visits that began inside. A visit counts in the
/// window it began in, so a windowed report is the full history's for that window.
pub fn context(cfg: &AnalyzeConfig) -> (Option<i64>, Option<i64>) {
    if cfg.incremental {
        return (None, None);
    }
    let before =
        crate::classify::RETURN_WINDOW + cfg.share_window + cfg.session.timeout + cfg.session.lateness;
    (cfg.since.map(|s| s.saturating_sub(before)), cfg.until.map(|u| u.saturating_add(86_400)))
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
    /// Where the visits report's rows go, when it is asked for.
    pub spool: Option<VisitSpool>,
}

impl<'a> Analysis<'a> {
    /// For states keyed like `state`. Its own thread must call [`Analysis::read_all`]
    /// (see [`Engine::new`]).
    pub fn new(
        cx: &'a FoldCx<'a>,
        state: &RunState,
        parsers: engine::Parsers,
        block_size: usize,
    ) -> Result<Analysis<'a>, RunError> {
        // This thread joins the pool too: while it waits for the next parsed block, it
        // parses (see `Stream::next_block`), instead of sleeping while the parsers and the
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
            spool: None,
        })
    }

    /// Closes every open visit of `state` and counts it: the end of the input. Their rows
    /// go to the visits report only when `list` says so.
    pub fn finish(&mut self, state: &mut RunState, list: bool) {
        state.finish(self.cx.rules, &mut self.hosts, self.spool.as_mut().filter(|_| list));
    }
}

/// More parser threads than this only wait: a block is parsed in chunks, and starting
/// tens of thousands of threads took longer than the run.
pub const MAX_PARSERS: usize = 256;

#[cfg(test)]
mod tests;
