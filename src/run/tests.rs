//! The run's state as a fold: one run, or parts of it merged, give the same answer.

use std::io::Cursor;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::classify::{Agent, Rules, ShareLog, SiteFacts};
use crate::engine::Parsers;
use crate::parse::{Format, LineCx};

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
        format_options: Default::default(),
        client_ip: None,
        since: None,
        until: None,
        edges: Vec::new(),
        zone: crate::time::Zone::utc(),
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
        sort_memory: 1 << 20,
        incremental: false,
        keep_open: false,
        profile: false,
        keep: 400 * 86_400,
        keyed: false,
        skip: Vec::new(),
        bounded: true,
        map_files: true,
        max_pages: None,
    };
    for _ in 0..2 {
        let outcome = run(&cfg, &mut Quiet).expect("the run starts");
        assert_eq!(outcome.state.ledger.window(None, None).lines.read, 3);
    }
}

const WINDOW: i64 = 48 * 3600;

/// Lines in memory, as an input of a run (combined).
fn in_memory(name: &str, lines: &[u8]) -> ToRead {
    let lines = lines.to_vec();
    ToRead {
        name: name.to_string(),
        first_line: 0,
        format: Format::COMBINED,
        judge_agents: true,
        first_time: None,
        rereadable: false,
        opener: Box::new(move || {
            Ok(Opened::read(Box::new(Cursor::new(lines)), Vec::new(), Arc::new(AtomicU64::new(0))))
        }),
    }
}

fn facts() -> SiteFacts {
    let mut facts = SiteFacts::default();
    facts.add_site("www.example.com");
    facts.browsers_load_assets = true;
    facts
}

/// A state of `lines` (combined), read in blocks of `block` bytes, attributing visits
/// from `profile` when given.
fn fold(rules: &Rules, lines: &[u8], profile: Option<&ShareLog>, block: usize) -> RunState {
    let cx = FoldCx {
        rules,
        visitor_key: VisitorKey::from_passphrase("fold"),
        keep_visits: true,
        show_malformed: 0,
        read_since: None,
        read_until: None,
        client_ip: None,
        count_directives: true,
        end_limit: None,
    };
    engine::on_own_thread(|| {
        let mut state = RunState::new(facts(), SessionConfig::default(), WINDOW, KeyHasher::from(7));
        state.profile_shares = profile.cloned();
        let mut analysis =
            Analysis::new(&cx, &state, Parsers { threads: 1, yielding: false }, block).unwrap();
        let read = analysis.read_all(&mut state, vec![in_memory("part", lines)], &mut |_| {});
        assert!(read.inputs[0].error.is_none());
        state
    })
    .unwrap()
}

/// Every share of `lines`, forgetting none: what a profile of the whole job holds.
fn profile(rules: &Rules, lines: &[u8]) -> ShareLog {
    let cx = FoldCx {
        rules,
        visitor_key: VisitorKey::from_passphrase("fold"),
        keep_visits: false,
        show_malformed: 0,
        read_since: None,
        read_until: None,
        client_ip: None,
        count_directives: true,
        end_limit: None,
    };
    engine::on_own_thread(|| {
        let mut state = RunState::new(facts(), SessionConfig::default(), WINDOW, KeyHasher::from(7));
        state.shares = ShareLog::keep_all(WINDOW, SessionConfig::default().lateness);
        let mut analysis =
            Analysis::new(&cx, &state, Parsers { threads: 1, yielding: false }, 1 << 20).unwrap();
        let read = analysis.read_all(&mut state, vec![in_memory("all", lines)], &mut |_| {});
        assert!(read.inputs[0].error.is_none());
        state.shares
    })
    .unwrap()
}

/// The lines of `log` cut into `parts` by visitor (client address and user agent, keyed
/// with `salt`); link-preview fetches are no visitor's: they all go to one part, and
/// malformed lines anywhere.
fn split_by_visitor(rules: &Rules, log: &[u8], parts: usize, salt: u64) -> Vec<Vec<u8>> {
    let keys = KeyHasher::from(salt);
    let mut out = vec![Vec::new(); parts];
    let mut cx = LineCx::default();
    for (i, line) in log.split_inclusive(|&b| b == b'\n').enumerate() {
        let part = match Format::COMBINED.parse(line.strip_suffix(b"\n").unwrap_or(line), &mut cx).hit() {
            Some(h) if matches!(rules.agents.classify(h.user_agent), Agent::Preview { .. }) => 0,
            Some(h) => keys.visitor(h.client, keys.agent(h.user_agent.unwrap_or(b""))) as usize % parts,
            None => i % parts,
        };
        out[part].extend_from_slice(line);
    }
    out
}

fn finished(rules: &Rules, mut state: RunState) -> crate::report::Aggregates {
    state.finish(rules, &mut HostCache::default(), None);
    state.ledger.window(None, None)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Merging the states of any split of a log by visitor, each read alone (and through a
    /// serde round trip), gives what one state over the whole log gives: line counts,
    /// shares and every aggregate.
    #[test]
    fn merged_parts_by_visitor_equal_the_whole(
        seed in 1u64..500,
        parts in 1usize..5,
        salt in any::<u64>(),
        block in prop_oneof![Just(4096usize), Just(1 << 20)],
    ) {
        let rules = Rules::builtin().unwrap();
        let log = darklog_gen::generate(&darklog_gen::GenConfig { seed, lines: 6000, ..Default::default() });
        let shares = profile(&rules, &log);
        let whole = finished(&rules, fold(&rules, &log, Some(&shares), 1 << 20));
        prop_assert!(whole.human_visits() > 100);
        let mut merged: Option<RunState> = None;
        for part in split_by_visitor(&rules, &log, parts, salt) {
            let state = fold(&rules, &part, Some(&shares), block);
            let state = RunState::decode(&state.encode()).unwrap();
            match &mut merged {
                None => merged = Some(state),
                Some(m) => {
                    let met = m.merge(state);
                    prop_assert!(met.is_empty(), "a split by visitor never meets a visitor twice");
                }
            }
        }
        let merged = finished(&rules, merged.unwrap());
        prop_assert_eq!(merged, whole);
    }
}

#[test]
fn a_state_survives_a_round_trip_with_open_visits() {
    let rules = Rules::builtin().unwrap();
    let log = darklog_gen::generate(&darklog_gen::GenConfig { seed: 3, lines: 3000, ..Default::default() });
    let state = fold(&rules, &log, None, 1 << 20);
    let bytes = state.encode();
    let back = RunState::decode(&bytes).unwrap();
    assert_eq!(back, state);
    assert_eq!(finished(&rules, back), finished(&rules, state));
}
