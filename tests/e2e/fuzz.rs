//! The fuzz targets' checks (`fuzz/checks.rs`), run briefly on every `cargo test` with the
//! stable toolchain: arbitrary bytes, and real lines mutated where parsers branch (quotes,
//! escapes, brackets, digits). `cargo fuzz` runs the same checks for longer, guided by
//! coverage (see DEVELOPERS.md). A failure found either way is kept as a case below.

use proptest::prelude::*;

#[path = "../../fuzz/checks.rs"]
mod checks;

/// Lines to mutate: the fixture's, and one of each layout.
fn seeds() -> Vec<Vec<u8>> {
    let small = std::fs::read(crate::util::fixture("small.log")).unwrap();
    let mut seeds: Vec<Vec<u8>> =
        small.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
    seeds.push(b"www.example.com:443 192.0.2.1 - - [02/Nov/2026:10:00:00 +0100] \"GET /a/b?utm_source=x HTTP/2.0\" 200 5 \"https://l.facebook.com/\" \"Mozilla/5.0 (iPhone) [FBAN/FBIOS;]\"".to_vec());
    seeds.push(b"2001:db8::1 - bob [02/Nov/2026:10:00:00 -0930] \"POST /login HTTP/1.0\" 302 -".to_vec());
    seeds.push(br#"192.0.2.3 - - [02/Nov/2026:10:00:00 +0000] "GET /q?a=\"b\x22 HTTP/1.1" 200 1 "-" "curl/8.0" "10.0.0.1""#.to_vec());
    seeds
}

const TOUCHY: &[u8] = b"\"\\ []-:/+\n\r\t\x00x0123456789?&=%";

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    Cut(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![3 => prop::sample::select(TOUCHY), 1 => any::<u8>()];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), 0..40usize).prop_map(|(i, n)| Edit::Cut(i, n)),
    ]
}

/// A few real lines, joined, then edited.
fn log_like() -> impl Strategy<Value = Vec<u8>> {
    let n = seeds().len();
    (prop::collection::vec(0..n, 1..6), prop::collection::vec(edit(), 0..10), any::<bool>()).prop_map(
        |(picks, edits, final_newline)| {
            let seeds = seeds();
            let mut data = picks.iter().map(|&i| seeds[i].clone()).collect::<Vec<_>>().join(&b'\n');
            if final_newline {
                data.push(b'\n');
            }
            for e in edits {
                let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
                match e {
                    Edit::Insert(i, b) => data.insert(at(i, data.len() + 1), b),
                    Edit::Delete(i) if !data.is_empty() => {
                        data.remove(at(i, data.len()));
                    }
                    Edit::Replace(i, b) if !data.is_empty() => {
                        let i = at(i, data.len());
                        data[i] = b;
                    }
                    Edit::Cut(i, n) if !data.is_empty() => {
                        let i = at(i, data.len());
                        data.drain(i..(i + n).min(data.len()));
                    }
                    _ => {}
                }
            }
            data
        },
    )
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![1 => prop::collection::vec(any::<u8>(), 0..600), 3 => log_like()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_read_as_lines_once_by_every_format(data in input()) {
        checks::lines(&data);
    }

    #[test]
    fn explain_answers_any_line_printably(data in input()) {
        let line = data.split(|&b| b == b'\n').next().unwrap_or_default();
        checks::explain(line);
    }

    #[test]
    fn user_times_parse_or_are_refused(text in prop_oneof![
        any::<String>(),
        "[0-9]{0,5}[-/ T:][0-9]{0,3}[-:T ]?[0-9]{0,3}[:. ]?[0-9]{0,3}(Z|[+-][0-9]{1,4}(:[0-9]{0,3})?)?",
        "[0-9]{1,25}[smhdwy]?",
    ]) {
        checks::user_time(&text);
    }
}

proptest! {
    // Each case builds the rules or a parser pool: fewer cases.
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rules_files_parse_or_are_refused_with_a_place(text in prop_oneof![
        any::<String>(),
        r#"(\[(settings|referrers|user_agents|parameters|fronts|assets)\]\n)?("?[a-z^=./_ ]{0,12}"? ?= ?("[a-z/^=0-9]{0,12}"|[0-9]{1,3}|true|\[("[a-z/.]{0,6}",?)*\])\n){0,4}"#,
    ]) {
        checks::rules_file(&text);
    }

    #[test]
    fn the_fold_counts_every_line_once_whatever_the_blocks(data in input()) {
        checks::analyze(&data);
    }
}

/// Cases the fuzzers found, kept.
#[test]
fn regressions() {
    for case in [&b""[..], b"\n", b"\n\n\r\n", b"\"", b"[", b"- - - [", b"\x00\xff\n\"\\"] {
        checks::lines(case);
        checks::explain(case);
        checks::analyze(case);
    }
    for text in ["", "7", "99999999999999999999w", "-1d", "9999-12-31T23:59:59+23:59", "0000-01-01"] {
        checks::user_time(text);
    }
    for text in ["[settings]\nsession_timeout = 5", "[referrers]\n\"\" = \"\"", "a=\n"] {
        checks::rules_file(text);
    }
}
