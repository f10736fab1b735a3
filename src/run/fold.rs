//! The fold: everything a run knows, in one value ([`RunState`]), and the sequential stage
//! that folds parsed lines into it ([`Fold`]).
//!
//! A `RunState` holds the site facts the rules are read with, the open visits, the
//! signals (link-preview shares, returns) and the aggregates with their line accounting.
//! It is serializable and merges: two states over disjoint sets of visitors merge into
//! the state of one run over both. What is not state — the rules, the caches of their
//! verdicts, the run's keys — lives in [`Fold`] and its context.

use serde::{Deserialize, Serialize};

use super::stage::{fields, Line, LineStage, Rec};
use crate::classify::{
    Agent, AgentCache, Classifier, HostCache, OwnedLanding, ReturnLog, Rules, ShareLog, SiteFacts, Visit,
};
use crate::engine::Consumer;
use crate::identity::{KeyHasher, VisitorKey};
use crate::parse::{BlockState, Format};
use crate::report::Aggregates;
use crate::session::{Details, SessionConfig, Sessionizer};

/// How many hits ahead the sequential stage prefetches what it will look up.
const PREFETCH_AHEAD: usize = 8;

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
    pub aggregates: Aggregates,
}

impl RunState {
    pub fn new(
        facts: SiteFacts,
        session: SessionConfig,
        share_window: i64,
        keep_visits: bool,
        keys: KeyHasher,
    ) -> RunState {
        RunState {
            facts,
            keys,
            sessions: Sessionizer::new(session),
            shares: ShareLog::new(share_window, session.lateness),
            profile_shares: None,
            returns: ReturnLog::default(),
            aggregates: Aggregates::new(keep_visits),
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
        self.aggregates.merge(other.aggregates);
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

    /// Closes every open visit and counts it: the end of the input.
    pub fn finish(&mut self, rules: &Rules, hosts: &mut HostCache) {
        let classifier = Classifier::new(rules, &self.facts);
        let aggregates = &mut self.aggregates;
        self.sessions.finish(&mut |v| aggregates.count(&classifier.visit(v, hosts)));
    }

    /// Counts visits closed outside the fold (see [`RunState::merge`]).
    pub fn count_closed(&mut self, visits: Vec<Visit>, rules: &Rules, hosts: &mut HostCache) {
        let classifier = Classifier::new(rules, &self.facts);
        for v in visits {
            self.aggregates.count(&classifier.visit(v, hosts));
        }
    }
}

/// What a fold reads with, the same for every input of a run.
pub struct FoldCx<'a> {
    pub rules: &'a Rules,
    pub visitor_key: VisitorKey,
    pub keep_visits: bool,
    /// How many malformed lines to show (with `-v`).
    pub show_malformed: usize,
    /// Hits outside `[since, until)` are only counted.
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// How to find the client behind a proxy (`--client-ip`).
    pub client_ip: Option<&'a crate::parse::ClientIp>,
}

/// The sequential stage over one input: its lines, in order, into the run's state.
pub struct Fold<'a> {
    pub cx: &'a FoldCx<'a>,
    pub state: &'a mut RunState,
    pub agents: &'a mut AgentCache,
    pub hosts: &'a mut HostCache,
    pub format: &'a Format,
    /// The input's name, for messages.
    pub name: &'a str,
    /// Malformed lines shown so far in the run.
    pub shown: &'a mut usize,
    /// This input's lines and malformed lines.
    pub lines: u64,
    pub malformed: u64,
    /// Malformed-line notices, handed to the observer after each block.
    pub pending: Vec<String>,
    /// Visits closed while recording the current hit.
    closed: Vec<Visit>,
}

impl<'a> Fold<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cx: &'a FoldCx<'a>,
        state: &'a mut RunState,
        agents: &'a mut AgentCache,
        hosts: &'a mut HostCache,
        format: &'a Format,
        name: &'a str,
        shown: &'a mut usize,
    ) -> Fold<'a> {
        Fold {
            cx,
            state,
            agents,
            hosts,
            format,
            name,
            shown,
            lines: 0,
            malformed: 0,
            pending: Vec::new(),
            closed: Vec::new(),
        }
    }

    fn record(&mut self, block: &BlockState, offset: usize, line: &[u8], rec: Rec) {
        let lines = &mut self.state.aggregates.lines;
        lines.read += 1;
        match rec {
            Rec::Malformed => {
                lines.malformed += 1;
                self.malformed += 1;
                if *self.shown < self.cx.show_malformed {
                    *self.shown += 1;
                    let text = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
                    self.pending.push(format!("{}:{}: malformed line: {text}", self.name, self.lines));
                }
            }
            Rec::Outside => lines.outside_window += 1,
            Rec::Directive => lines.directives += 1,
            Rec::Hit { time, key, agent: agent_key, page_view, flags, spans } => {
                let pageview = flags.pageview;
                let (format, rules, vkey, keep_visits, client_ip) =
                    (self.format, self.cx.rules, self.cx.visitor_key, self.cx.keep_visits, self.cx.client_ip);
                let agents = &mut *self.agents;
                let state = &mut *self.state;
                let (shares, returns) =
                    (state.profile_shares.as_ref().unwrap_or(&state.shares), &state.returns);
                let details = || {
                    let mut cx = format.line_cx(block, offset);
                    let hit = fields(format, client_ip, line, spans, &mut cx);
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
                // Visits closed by this hit are counted after its line is: a visit judged a
                // scraper moves its lines, this one included, to `excluded`.
                let closed = &mut self.closed;
                let agent = state.sessions.record(key, time, flags, details, &mut |v| closed.push(v));
                if let (Agent::Preview { app }, true) = (agent, pageview) {
                    let mut cx = format.line_cx(block, offset);
                    let path = fields(format, client_ip, line, spans, &mut cx).path();
                    let new_shares = state.shares.record(path, time, app);
                    state.aggregates.preview_fetch(path, rules.agents.name(app), new_shares);
                }
                if pageview && !agent.is_excluded() {
                    state.returns.record(page_view, time);
                }
                let lines = &mut state.aggregates.lines;
                if agent.is_excluded() {
                    lines.excluded += 1;
                } else if pageview {
                    lines.pageviews += 1;
                } else {
                    lines.other_hits += 1;
                }
                if !self.closed.is_empty() {
                    let classifier = Classifier::new(rules, &state.facts);
                    for v in self.closed.drain(..) {
                        state.aggregates.count(&classifier.visit(v, self.hosts));
                    }
                }
            }
        }
    }
}

impl<'s> Consumer<LineStage<'s>> for Fold<'_> {
    /// Every parsed line of a block, in order, into the sessionizer and the line
    /// accounting.
    fn consume(&mut self, state: &BlockState, block: &[u8], chunks: &[Vec<Line>]) {
        for recs in chunks {
            for (i, line) in recs.iter().enumerate() {
                // The return filters are bigger than the caches: ask for a page view's
                // line of them a few hits before it is needed.
                if let Some(Line { rec: Rec::Hit { page_view, .. }, .. }) = recs.get(i + PREFETCH_AHEAD) {
                    if *page_view != 0 {
                        self.state.returns.prefetch(*page_view);
                    }
                }
                self.lines += 1;
                let (start, end) = (line.start as usize, line.end as usize);
                self.record(state, start, &block[start..end], line.rec);
            }
        }
    }
}
