//! The fold: everything a run knows, in one value ([`RunState`]), and the sequential stage
//! that folds parsed lines into it ([`Fold`]).
//!
//! A `RunState` holds the site facts the rules are read with, the open visits, the
//! signals (link-preview shares, returns) and the aggregates with their line accounting.
//! It is serializable and merges: two states over disjoint sets of visitors merge into
//! the state of one run over both. What is not state — the rules, the caches of their
//! verdicts, the run's keys — lives in [`Fold`] and its context.

use serde::{Deserialize, Serialize};

use super::clock::{Admit, Decision, SessionClock};
use super::stage::{fields, Rec};
use super::visits::VisitSpool;
use crate::classify::shares::MAX_SHARED_PATHS;
use crate::classify::{
    Agent, AgentCache, Classifier, HostCache, OwnedLanding, ReturnLog, Rules, ShareLog, SiteFacts, Visit,
};
use crate::identity::{KeyHasher, VisitorKey};
use crate::parse::{BlockState, Format};
use crate::report::{Caps, Cut, Ledger, VisitRow};
use crate::session::{Details, SessionConfig, Sessionizer};
use crate::time::Zone;

/// Everything a run knows, as one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// What the run learned of the site from its inputs' first lines, frozen.
    pub facts: SiteFacts,
    /// The keys visitors are found by in `sessions`.
    pub keys: KeyHasher,
    /// Open visits.
    pub sessions: Sessionizer<Agent, OwnedLanding>,
    /// The link-preview shares of this run's own lines: counted, and what visits are
    /// attributed to unless `profile_shares` is given.
    pub shares: ShareLog,
    /// Every share of the whole job, from a profile of all its inputs, when this state
    /// reads only a part of them: visits are attributed from these.
    pub profile_shares: Option<ShareLog>,
    /// Pages each reader read, for returns.
    pub returns: ReturnLog,
    /// What was counted, by period.
    pub ledger: Ledger,
    /// What time it is in the log.
    pub clock: SessionClock,
    /// The lines the facts were learned from, while a `--state` job's runs have read
    /// fewer than the facts are learned from.
    #[serde(default)]
    pub fact_sample: Option<super::facts::FactSample>,
}

impl RunState {
    pub fn new(facts: SiteFacts, session: SessionConfig, share_window: i64, keys: KeyHasher) -> RunState {
        RunState::bounded(facts, session, share_window, keys, true)
    }

    /// [`RunState::new`], with the bounds on its keyed tables (`bounded`) or without.
    pub fn bounded(
        facts: SiteFacts,
        session: SessionConfig,
        share_window: i64,
        keys: KeyHasher,
        bounded: bool,
    ) -> RunState {
        let session = if bounded { session } else { SessionConfig { max_visitors: usize::MAX, ..session } };
        let (caps, max_paths) =
            if bounded { (Caps::default(), MAX_SHARED_PATHS) } else { (Caps::NONE, usize::MAX) };
        RunState {
            facts,
            keys,
            sessions: Sessionizer::new(session),
            shares: ShareLog::new(share_window, session.lateness).with_max_paths(max_paths),
            profile_shares: None,
            returns: ReturnLog::default(),
            ledger: Ledger::new(Zone::utc(), caps),
            clock: SessionClock::new(session.lateness),
            fact_sample: None,
        }
    }

    /// Adds the state of a run over other visitors (with the same facts): the result is
    /// the state of one run over both. Visits that meet (the same visitor in both, which a
    /// split by visitor never gives) are closed and returned to be counted.
    #[must_use]
    pub fn merge(&mut self, other: RunState) -> Vec<Visit> {
        debug_assert_eq!(self.facts, other.facts, "states of one run share their facts");
        debug_assert!(self.keys == other.keys, "states of one run share their keys");
        self.shares.merge(other.shares);
        self.returns.merge(other.returns);
        self.ledger.merge(other.ledger);
        self.sessions.merge(other.sessions)
    }

    /// The state as bytes (MessagePack with field names, so that a later version that
    /// adds fields still reads it).
    pub fn encode(&self) -> Vec<u8> {
        rmp_serde::to_vec_named(self).expect("a run state always serializes")
    }

    pub fn decode(bytes: &[u8]) -> Result<RunState, rmp_serde::decode::Error> {
        rmp_serde::from_slice(bytes)
    }

    /// Closes every open visit and counts it (and writes its row to `spool`): the end of
    /// the input. What the bounds cut is told to the aggregates, which report it.
    pub fn finish(&mut self, rules: &Rules, hosts: &mut HostCache, mut spool: Option<&mut VisitSpool>) {
        let classifier = Classifier::new(rules, &self.facts);
        let ledger = &mut self.ledger;
        let shares = self.profile_shares.as_ref().unwrap_or(&self.shares);
        let returns = &mut self.returns;
        // Each open visitor holds up to two visits.
        let ordered = near_bounds(ledger, returns, self.sessions.active().saturating_mul(2));
        let mut count = |v| count_visit(v, &classifier, shares, returns, ledger, hosts, spool.as_deref_mut());
        if ordered {
            self.sessions.finish_ordered(content_order, &mut count);
        } else {
            self.sessions.finish(&mut count);
        }
        self.ledger.cut.visitors = self.sessions.evicted();
        self.ledger.cut.preview_paths = self.shares.evicted();
        self.ledger.cut.return_pairs = self.returns.approximate();
    }

    /// Counts visits closed outside the fold (see [`RunState::merge`]).
    pub fn count_closed(&mut self, mut visits: Vec<Visit>, rules: &Rules, hosts: &mut HostCache) {
        visits.sort_unstable_by(content_order);
        let classifier = Classifier::new(rules, &self.facts);
        let shares = self.profile_shares.as_ref().unwrap_or(&self.shares);
        for v in visits {
            count_visit(v, &classifier, shares, &mut self.returns, &mut self.ledger, hosts, None);
        }
    }
}

/// A closed visit settled, classified and counted, and its row kept when a visits report
/// will print it (`spool`; building a row copies text, so none is built otherwise).
fn count_visit(
    v: Visit,
    classifier: &Classifier<'_>,
    shares: &ShareLog,
    returns: &mut ReturnLog,
    ledger: &mut Ledger,
    hosts: &mut HostCache,
    spool: Option<&mut VisitSpool>,
) {
    let v = settle(v, shares, returns, &mut ledger.cut);
    let cv = classifier.visit(v, hosts);
    ledger.at(cv.visit.start).count(&cv);
    if let Some(spool) = spool {
        if let Some(row) = VisitRow::of(&cv) {
            spool.push(row);
        }
    }
}

/// Visits closed together (by a sweep, an eviction, the end of the input, a merge) come
/// in the order of a table whose keys a per-run seed decides. Counting is additive, and
/// their order does not matter, except where a bound evicts or the return memory is past
/// its exact bound: there the order decides what is kept. So near a bound such visits
/// are counted in this order of their content, the same in every run.
fn content_order(a: &Visit, b: &Visit) -> std::cmp::Ordering {
    fn times(v: &Visit) -> impl Ord {
        (v.start, v.end, v.pageviews, v.hits, v.assets, v.downloads, v.robots, v.agent)
    }
    fn landing(v: &Visit) -> impl Ord + '_ {
        let l = &v.landing;
        (l.target(), l.referrer(), l.vhost(), l.page, &l.more_pages)
    }
    times(a).cmp(&times(b)).then_with(|| landing(a).cmp(&landing(b)))
}

/// Whether counting `more` visits could reach a bound whose cut depends on their order.
fn near_bounds(ledger: &Ledger, returns: &ReturnLog, more: usize) -> bool {
    ledger.near_bounds(more) || returns.near_bound(more.saturating_mul(crate::classify::MAX_VISIT_PAGES))
}

/// What the run knows of a visit only when it closes, by then every line of its landing's
/// time has come (lines are written as requests finish, so a preview fetch can be logged
/// after the landing it led to): the app whose share it came from, and whether its reader
/// read the landing page in an earlier visit. Then its pages are remembered for the
/// reader's later visits, which close after it.
fn settle(mut v: Visit, shares: &ShareLog, returns: &mut ReturnLog, cut: &mut Cut) -> Visit {
    // Only a reader's visit with no referrer is decided by a share or a return (the
    // referrer decides every other): the lookups are skipped for the rest.
    if v.landing.referrer().is_none() && !v.agent.is_excluded() {
        let path = crate::parse::split_target(v.landing.target()).0;
        v.landing.shared_by = shares.attribute(path, v.start);
        let landing = v.landing.page;
        v.landing.returning = landing != 0 && returns.seen(landing, v.start);
    }
    if !v.agent.is_excluded() {
        for page in v.landing.pages().filter(|&p| p != 0) {
            returns.record(page, v.start);
        }
        cut.visit_pages += u64::from(v.landing.pages_beyond);
    }
    v
}

/// What a fold reads with, the same for every input of a run.
pub struct FoldCx<'a> {
    pub rules: &'a Rules,
    pub visitor_key: VisitorKey,
    pub keep_visits: bool,
    /// How many malformed and out-of-order lines to show (with `-v`).
    pub show_malformed: usize,
    /// Hits outside `[read_since, read_until)` are only counted: the window asked for
    /// and the context around it that its visits need (earlier returns and shares, the
    /// rest of a visit that began inside).
    pub read_since: Option<i64>,
    pub read_until: Option<i64>,
    /// How to find the client behind a proxy (`--client-ip`).
    pub client_ip: Option<&'a crate::parse::ClientIp>,
    /// Directive lines are lines of the log (`false`: they were counted apart, and only
    /// say how to read the lines after them: keyed lines read back).
    pub count_directives: bool,
    /// Lines held at the end of the input and dated after this are out of order (see
    /// [`super::clock::SessionClock::decide_at_end`]): set for incremental runs, whose
    /// clock the next run starts from.
    pub end_limit: Option<i64>,
}

/// Where a line came from and how to read it again.
#[derive(Clone, Copy)]
pub struct LineAt<'a> {
    /// The input's index among the run's inputs, and its line number there.
    pub input: usize,
    pub number: u64,
    pub format: &'a Format,
    /// The state of the line's block, and the line's place in it.
    pub block: &'a BlockState,
    pub offset: usize,
}

/// A line the clock holds until the lines after it say whether its time is right: copied
/// out of its block, which goes back to the reader.
struct Held {
    input: usize,
    number: u64,
    format: Format,
    block: BlockState,
    offset: usize,
    bytes: Vec<u8>,
    rec: Rec,
}

/// What the fold counted of one input.
#[derive(Debug, Clone, Copy, Default)]
pub struct InputCounts {
    pub lines: u64,
    pub malformed: u64,
    /// Of the malformed lines, those with nothing but white space: no other layout.
    pub blank: u64,
    pub out_of_order: u64,
    /// The time of its latest hit read.
    pub last_time: Option<i64>,
    /// The time of the first hit this run read of it, in order or not.
    pub first_time: Option<i64>,
}

impl InputCounts {
    /// Mostly out of order beyond the lateness window (a reversed or shuffled log, halves
    /// swapped): reading it as it comes would cut and invent visits.
    pub fn disordered(&self) -> bool {
        self.out_of_order >= 100 && self.out_of_order * 10 >= self.lines
    }
}

/// The sequential stage of a run: parsed lines, in the order they are read (one input's,
/// or several merged by time), into the run's state.
pub struct Fold<'a> {
    pub cx: &'a FoldCx<'a>,
    pub state: &'a mut RunState,
    pub agents: &'a mut AgentCache,
    pub hosts: &'a mut HostCache,
    /// The inputs' names, for messages, and what was counted of each.
    names: Vec<String>,
    pub counts: Vec<InputCounts>,
    /// Malformed and out-of-order lines shown so far in the run.
    pub shown: usize,
    /// Notices for the user (malformed lines with `-v`…), taken by the caller.
    pub pending: Vec<String>,
    held: Vec<Held>,
    /// Visits closed while recording the current hit.
    closed: Vec<Visit>,
    /// The rows of the visits report, when it is asked for.
    spool: Option<&'a mut VisitSpool>,
}

impl<'a> Fold<'a> {
    pub fn new(
        cx: &'a FoldCx<'a>,
        state: &'a mut RunState,
        agents: &'a mut AgentCache,
        hosts: &'a mut HostCache,
        names: Vec<String>,
        spool: Option<&'a mut VisitSpool>,
    ) -> Fold<'a> {
        let counts = vec![InputCounts::default(); names.len()];
        Fold {
            cx,
            state,
            agents,
            hosts,
            names,
            counts,
            shown: 0,
            pending: Vec::new(),
            held: Vec::new(),
            closed: Vec::new(),
            spool,
        }
    }

    /// One line, as it comes.
    pub fn line(&mut self, at: LineAt<'_>, bytes: &[u8], rec: &Rec) {
        self.counts[at.input].lines += 1;
        let &Rec::Hit { time, .. } = rec else { return self.record(at, bytes, rec) };
        self.counts[at.input].first_time.get_or_insert(time);
        match self.state.clock.admit(time) {
            Admit::Now => self.record(at, bytes, rec),
            Admit::OutOfOrder => self.out_of_order(at.input, at.number, bytes),
            Admit::Hold => self.held.push(Held {
                input: at.input,
                number: at.number,
                format: at.format.clone(),
                block: at.block.clone(),
                offset: at.offset,
                bytes: bytes.to_vec(),
                rec: *rec,
            }),
        }
        if !self.held.is_empty() {
            self.settle(false);
        }
    }

    /// The end of the input: whatever the clock holds is decided on what came.
    pub fn end(&mut self) {
        self.settle(true);
    }

    fn settle(&mut self, end: bool) {
        while let Some(decision) = self.state.clock.decide_at_end(end, self.cx.end_limit) {
            for h in std::mem::take(&mut self.held) {
                let admit = match decision {
                    Decision::Release => self.state.clock.release(),
                    Decision::Drop => Admit::OutOfOrder,
                };
                match admit {
                    Admit::Now => {
                        let at = LineAt {
                            input: h.input,
                            number: h.number,
                            format: &h.format,
                            block: &h.block,
                            offset: h.offset,
                        };
                        self.record(at, &h.bytes, &h.rec);
                    }
                    // Still ahead of every line read: the lines to come decide it.
                    Admit::Hold => self.held.push(h),
                    Admit::OutOfOrder => self.out_of_order(h.input, h.number, &h.bytes),
                }
            }
        }
    }

    fn out_of_order(&mut self, input: usize, number: u64, bytes: &[u8]) {
        // In the log's time, not its own: a line dated 2100 must not open a period there.
        let lines = self.state.ledger.lines_at(self.state.clock.now());
        lines.read += 1;
        lines.out_of_order += 1;
        self.counts[input].out_of_order += 1;
        let now = self.state.clock.now().map(crate::time::format_rfc3339).unwrap_or_default();
        self.show(input, number, bytes, &format!("out of order (the log is at {now})"));
    }

    /// With `-v`, a line worth seeing, with its place.
    fn show(&mut self, input: usize, number: u64, bytes: &[u8], what: &str) {
        if self.shown < self.cx.show_malformed {
            self.shown += 1;
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
            self.pending.push(format!("{}:{number}: {what}: {text}", self.names[input]));
        }
    }

    fn record(&mut self, at: LineAt<'_>, line: &[u8], rec: &Rec) {
        let (block, offset, format) = (at.block, at.offset, at.format);
        match *rec {
            Rec::Malformed => {
                let lines = self.state.ledger.lines_at(self.state.clock.now());
                lines.read += 1;
                lines.malformed += 1;
                self.counts[at.input].malformed += 1;
                self.counts[at.input].blank +=
                    u64::from(line.iter().all(|b| b.is_ascii_whitespace() || *b == 0));
                self.show(at.input, at.number, line, "malformed line");
            }
            Rec::Directive if !self.cx.count_directives => self.counts[at.input].lines -= 1,
            Rec::Directive => {
                let lines = self.state.ledger.lines_at(self.state.clock.now());
                lines.read += 1;
                lines.directives += 1;
            }
            Rec::Outside => {
                let lines = self.state.ledger.lines_at(self.state.clock.now());
                lines.read += 1;
                lines.outside_window += 1;
            }
            Rec::Hit { time, key, agent: agent_key, page_view, flags, spans } => {
                let last = &mut self.counts[at.input].last_time;
                *last = Some(last.map_or(time, |l| l.max(time)));
                let pageview = flags.pageview;
                let fold_cx = self.cx;
                let (rules, client_ip) = (fold_cx.rules, fold_cx.client_ip);
                let agents = &mut *self.agents;
                let state = &mut *self.state;
                let keys = &state.keys;
                // Moved in, not borrowed: what it holds can stay in registers.
                let details = move || {
                    let mut cx = format.line_cx(block, offset);
                    let hit = fields(format, client_ip, line, spans, &mut cx);
                    Details {
                        agent: agents.get_keyed(&rules.agents, agent_key, || {
                            keys.judged_agent(agent_key, hit.user_agent)
                        }),
                        landing: OwnedLanding::new(hit.target, hit.referrer, hit.vhost, page_view),
                        visitor_id: if fold_cx.keep_visits {
                            fold_cx.visitor_key.public_id(hit.client, hit.user_agent.unwrap_or(b""))
                        } else {
                            0
                        },
                    }
                };
                // Visits closed by this hit are counted after its line is: a visit judged a
                // scraper moves its lines, this one included, to `excluded`.
                let closed = &mut self.closed;
                let agent =
                    state.sessions.record(key, time, flags, page_view, details, &mut |v| closed.push(v));
                if let (Agent::Preview { app }, true) = (agent, pageview) {
                    let mut cx = format.line_cx(block, offset);
                    let path = fields(format, client_ip, line, spans, &mut cx).path();
                    // The visits this hit closed are counted below, after its line, and
                    // may be attributed to shares the sweep would otherwise forget now.
                    let open_since = closed.iter().map(|v| v.start).fold(state.sessions.settled(), i64::min);
                    let new_shares = state.shares.record(path, time, app, open_since);
                    state.ledger.at(time).preview_fetch(path, rules.agents.name(app), new_shares);
                }
                let lines = &mut state.ledger.at(time).lines;
                lines.read += 1;
                if agent.is_excluded() {
                    lines.excluded += 1;
                } else if flags.download {
                    lines.downloads += 1;
                } else if pageview {
                    lines.pageviews += 1;
                } else {
                    lines.other_hits += 1;
                }
                if !self.closed.is_empty() {
                    if self.closed.len() > 1 && near_bounds(&state.ledger, &state.returns, self.closed.len())
                    {
                        self.closed.sort_unstable_by(content_order);
                    }
                    let classifier = Classifier::new(rules, &state.facts);
                    let shares = state.profile_shares.as_ref().unwrap_or(&state.shares);
                    for v in self.closed.drain(..) {
                        let (returns, ledger) = (&mut state.returns, &mut state.ledger);
                        count_visit(
                            v,
                            &classifier,
                            shares,
                            returns,
                            ledger,
                            self.hosts,
                            self.spool.as_deref_mut(),
                        );
                    }
                    if let Some(spool) = self.spool.as_deref_mut() {
                        spool.release(state.sessions.settled());
                    }
                }
            }
        }
    }
}
