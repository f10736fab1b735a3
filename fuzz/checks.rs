//! What each fuzz target checks, in one place for both harnesses: the libFuzzer targets in
//! `fuzz/fuzz_targets/` (coverage-guided, nightly: `cargo fuzz run lines`) and the
//! stable-toolchain property tests in `tests/e2e/fuzz.rs`, which feed the same checks
//! arbitrary and mutated input on every `cargo test`. Each check panics when an invariant
//! breaks; darklog itself must never panic on any input.

#![allow(dead_code)]

use std::io::Cursor;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use darklog::classify::overrides::Overrides;
use darklog::classify::{Rules, SiteFacts};
use darklog::engine::Parsers;
use darklog::identity::{KeyHasher, VisitorKey};
use darklog::parse::{self, BlockState, FieldSpans, Format, LineCx, Parsed};
use darklog::run::{Analysis, FoldCx, Opened, RunState, ToRead};
use darklog::session::SessionConfig;

/// The lines a reader of `data` must report: one per newline, and one for a last line
/// that has none.
pub fn line_count(data: &[u8]) -> usize {
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    newlines + usize::from(data.last().is_some_and(|&b| b != b'\n'))
}

/// Every format reads `data` as lines: each line once, in order, ending at its newline;
/// a line parsed within a chunk is what it is parsed alone; a hit's fields are found
/// again through its spans.
pub fn lines(data: &[u8]) {
    let opts = parse::FormatOptions::default();
    for format in parse::Preset::ALL.map(|p| p.build(&opts)) {
        let mut next = 0;
        let mut count = 0;
        format.parse_chunk(&BlockState::default(), 0, data, |start, end, parsed| {
            assert_eq!(start, next, "{format}: lines follow each other");
            assert!(end <= data.len() && start <= end, "{format}: {start}..{end} of {}", data.len());
            assert!(end == data.len() || data[end] == b'\n', "{format}: a line ends at its newline");
            let line = &data[start..end];
            assert!(!line.contains(&b'\n'), "{format}: one line holds no newline");
            let mut cx = LineCx::default();
            assert_eq!(format.parse(line, &mut cx), parsed, "{format}: alone as in its chunk: {line:?}");
            if let Parsed::Hit(hit) = parsed {
                if let Some(spans) = FieldSpans::of(line, &hit) {
                    assert_eq!(spans.fields(line), hit.fields(), "{format}: spans find the fields again");
                }
            }
            next = end + 1;
            count += 1;
        });
        assert_eq!(count, line_count(data), "{format}: every line once");
    }
    let _ = parse::detect(data.split(|&b| b == b'\n'), &opts);
}

/// `--since`/`--until` text: never a panic, the same answer twice, and a date-time it
/// accepts is the one its own RFC 3339 form names.
pub fn user_time(text: &str) {
    let now = 1_790_000_000;
    let first = darklog::time::parse_user_time(text, now, &darklog::time::Zone::default());
    assert_eq!(darklog::time::parse_user_time(text, now, &darklog::time::Zone::default()), first);
    if let Ok(t) = first {
        // Years 1970 to 9999, the ones RFC 3339 writes with four digits.
        if (0..253_402_300_800).contains(&t) {
            let again = darklog::time::format_rfc3339(t);
            assert_eq!(
                darklog::time::parse_user_time(&again, now, &darklog::time::Zone::default()),
                Ok(t),
                "{text:?} → {again}"
            );
        }
    }
    let _ = darklog::time::parse_setting_duration(text);
}

/// A rules file: parsed or refused with a line and a key, never a panic; one that parses
/// applies to the built-in rules or is refused.
pub fn rules_file(text: &str) {
    match Overrides::parse("fuzz.toml", text) {
        Ok(o) => {
            let _ = Rules::builtin().expect("the built-in tables are valid").apply(&o);
        }
        Err(e) => assert!(e.line >= 1 && e.line <= text.lines().count().max(1) + 1, "{e}"),
    }
}

/// `darklog explain` on any line: an answer, all of it printable (no control character
/// of the line reaches the terminal).
pub fn explain(line: &[u8]) {
    let mut out = Vec::new();
    darklog::cli::explain_builtin(line, &mut out).expect("writing to memory");
    let text = String::from_utf8(out).expect("explain writes UTF-8");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "a raw control: {text:?}");
}

/// The whole fold on `data` (combined): every line counted once, the accounting balanced,
/// and the same state for any block size and thread count.
pub fn analyze(data: &[u8]) {
    let one = fold(data, 1, 1 << 20);
    let lines = &one.ledger.window(None, None).line_counts();
    assert_eq!(lines.read as usize, line_count(data), "every line counted once");
    assert!(lines.balanced(), "{lines:?}");
    let other = fold(data, 2, 1024);
    assert!(other.ledger == one.ledger, "the same answer with other blocks and threads");
}

fn fold(data: &[u8], parsers: usize, block: usize) -> RunState {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| Rules::builtin().expect("the built-in tables are valid"));
    let cx = FoldCx {
        rules,
        visitor_key: VisitorKey::from_passphrase("fuzz"),
        keep_visits: true,
        show_malformed: 3,
        read_since: Some(1_700_000_000),
        read_until: None,
        client_ip: None,
        count_directives: true,
        end_limit: None,
    };
    let mut facts = SiteFacts::default();
    facts.add_site("example.com");
    darklog::engine::on_own_thread(|| {
        let mut state = RunState::new(facts, SessionConfig::default(), 48 * 3600, KeyHasher::from(1));
        let parsers = Parsers { threads: parsers, yielding: false };
        let mut analysis = Analysis::new(&cx, &state, parsers, block).expect("a pool starts");
        let data = data.to_vec();
        let input = ToRead {
            name: "fuzz".into(),
            first_line: 0,
            format: Format::COMBINED,
            judge_agents: true,
            first_time: None,
            rereadable: false,
            opener: Box::new(move || {
                Ok(Opened::read(Box::new(Cursor::new(data)), Vec::new(), Arc::new(AtomicU64::new(0))))
            }),
        };
        let read = analysis.read_all(&mut state, vec![input], &mut |_| {});
        assert!(read.inputs.iter().all(|i| i.error.is_none()));
        analysis.finish(&mut state, true);
        state
    })
    .expect("a thread starts")
}
