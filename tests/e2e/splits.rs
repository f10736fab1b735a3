//! One log, however it was rotated into files (each its own compression) and however
//! many threads read it, gives one report.

use proptest::prelude::*;

use darklog::identity::VisitorKey;
use darklog::report::json::JsonReporter;
use darklog::report::{Report, ReportKind, Reporter};
use darklog::run::{self, AnalyzeConfig, Observer};
use darklog::session::SessionConfig;

use crate::util::*;

struct Quiet;

impl Observer for Quiet {
    fn notice(&mut self, _: String) {}
}

/// The summary and the visits, as JSON, with everything but the list of inputs.
fn answer(inputs: Vec<std::path::PathBuf>, threads: usize, block_size: usize) -> Vec<serde_json::Value> {
    let cfg = AnalyzeConfig {
        inputs,
        format: None,
        format_options: Default::default(),
        client_ip: None,
        since: None,
        until: None,
        edges: Vec::new(),
        zone: darklog::time::Zone::default(),
        session: SessionConfig::default(),
        share_window: 48 * 3600,
        sites: Vec::new(),
        fronts: Vec::new(),
        overrides: None,
        visitor_key: VisitorKey::from_passphrase("splits"),
        keep_visits: true,
        show_malformed: 0,
        block_size,
        threads,
        bounded: true,
        map_files: true,
        max_pages: None,
        sort_memory: 64 << 20,
        incremental: false,
        keep_open: false,
        profile: false,
        keep: 400 * 86_400,
        keyed: false,
        skip: Vec::new(),
    };
    let outcome = run::run(&cfg, &mut Quiet).expect("the run starts");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut report = Report::of(&outcome.state.ledger, None, None, None);
    *report.visits.get_mut() = outcome.visits;
    report.evidence = outcome.evidence;
    report.site_hosts = outcome.state.facts.site_hosts;
    [ReportKind::Summary, ReportKind::Visits]
        .into_iter()
        .map(|kind| {
            let mut out = Vec::new();
            JsonReporter.write(&report, kind, &mut out).unwrap();
            serde_json::from_slice(&out).unwrap()
        })
        .collect()
}

const KINDS: [Option<&str>; 5] = [None, Some("gz"), Some("zst"), Some("bz2"), Some("xz")];

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]

    /// Cut at any lines (rotations are cut by time, and the log is in time order), each
    /// part compressed its own way, read with any thread count and block size.
    #[test]
    fn any_split_into_rotations_and_any_thread_count_give_the_same_report(
        seed in 0u64..10_000,
        cuts in prop::collection::vec(1usize..2500, 0..5),
        kinds in prop::collection::vec(0..KINDS.len(), 6),
        threads in 1usize..5,
        block_size in prop_oneof![Just(1usize << 20), 2048usize..200_000],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let log = generate(2500, seed);
        let whole = write(dir.path(), "whole.log", &log);
        let want = answer(vec![whole], 0, 1 << 20);

        let parts_dir = dir.path().join("rotated");
        std::fs::create_dir(&parts_dir).unwrap();
        let mut cuts = cuts;
        cuts.sort_unstable();
        cuts.dedup();
        let mut rest = &log[..];
        let mut taken = 0;
        let mut part = 0;
        for cut in cuts.into_iter().chain([usize::MAX]) {
            let (this, after) = split_lines(rest, cut.saturating_sub(taken));
            taken = cut;
            rest = after;
            // Named newest first, as logrotate does: the run orders them by time.
            let name = format!("access.log.{}", 9 - part);
            let data = match KINDS[kinds[part]] {
                None => this.to_vec(),
                Some(kind) => compress(kind, this),
            };
            write(&parts_dir, &name, &data);
            part += 1;
        }
        let got = answer(vec![parts_dir], threads, block_size);
        prop_assert!(got == want, "{} parts, {threads} threads, {block_size}-byte blocks", part);
    }
}
