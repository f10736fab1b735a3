//! Time order: lines far off their neighbours' time, logs out of order, and several
//! servers' logs of the same hours. The answer stays what the time-ordered log gives.

use crate::util::*;

/// (visits, dark-social visits) of a channels report, and its line accounting.
fn visits(r: &Run) -> (u64, u64, serde_json::Value) {
    assert!(r.code == 0 || r.code == 2, "{}", r.stderr);
    let doc: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    let h = &doc["headline"];
    (h["visits"].as_u64().unwrap(), h["dark_social_visits"].as_u64().unwrap(), doc["lines"].clone())
}

fn channels(paths: &[&str], extra: &[&str]) -> Run {
    let mut args = vec!["analyze"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--report", "channels", "--format", "json", "-q"]);
    args.extend_from_slice(extra);
    darklog(&args)
}

/// Within 3% of the reference.
fn close(got: u64, want: u64) -> bool {
    got.abs_diff(want) * 100 <= want * 3
}

/// A generated log's lines, each with its newline (bytes: the generator writes some
/// malformed lines of binary garbage).
fn log_lines(seed: u64) -> Vec<Vec<u8>> {
    generate(5_000, seed).split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// A line with its timestamp replaced.
fn retimed(line: &[u8], stamp: &str) -> Vec<u8> {
    let open = line.iter().position(|&b| b == b'[').unwrap();
    let close = line.iter().position(|&b| b == b']').unwrap();
    [&line[..=open], stamp.as_bytes(), &line[close..]].concat()
}

/// Its timestamp, if it has one.
fn stamp(line: &[u8]) -> Option<i64> {
    let open = line.iter().position(|&b| b == b'[')?;
    darklog::parse::time::parse_clf(line.get(open + 1..open + 27)?)
}

/// Where an outlier is put: in the middle of the log, and on the line before its longest
/// quiet spell (longer than the lateness window: the line after it is ahead of the clock
/// too, and the two must be told apart).
fn outlier_places(lines: &[Vec<u8>]) -> [usize; 2] {
    let timed: Vec<(usize, i64)> =
        lines.iter().enumerate().filter_map(|(i, l)| Some((i, stamp(l)?))).collect();
    let before_gap = timed.windows(2).max_by_key(|w| w[1].1 - w[0].1).map(|w| w[0].0 + 1).unwrap();
    let gap = stamp(&lines[before_gap]).unwrap() - stamp(&lines[before_gap - 1]).unwrap();
    assert!(gap > 300, "the log has a quiet spell: {gap} s");
    [2000, before_gap]
}

#[test]
fn a_line_dated_far_off_its_neighbours_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lines = log_lines(11);
    let reference = write(dir.path(), "ordered.log", &lines.concat());
    let (v0, d0, _) = visits(&channels(&[s(&reference)], &[]));
    assert!(v0 > 150, "{v0}");
    for at in outlier_places(&lines) {
        let mut outliers = vec![
            ("2100", "01/Jan/2100:00:00:00 +0000".to_string()),
            ("1970", "01/Jan/1970:00:00:00 +0000".to_string()),
        ];
        if let Some(t) = stamp(&lines[at]) {
            outliers.push(("ahead", darklog::time::format_clf(t + 4 * 3600, 60)));
        }
        for (name, stamp) in outliers {
            let mut bad = lines.clone();
            bad[at] = retimed(&bad[at], &stamp);
            let path = write(dir.path(), &format!("{name}-{at}.log"), &bad.concat());
            let (v, d, l) = visits(&channels(&[s(&path)], &[]));
            assert_eq!(l["out_of_order"], 1, "{name} at line {}: {l}", at + 1);
            assert!(
                close(v, v0) && close(d, d0),
                "{name} at {}: {v} visits, {d} dark, against {v0} and {d0}",
                at + 1
            );
            // -v names it, with its place.
            let r = darklog(&["analyze", s(&path), "-v", "--format", "csv"]);
            assert!(r.stderr.contains(&format!("{name}-{at}.log:{}: out of order", at + 1)), "{}", r.stderr);
        }
    }
}

#[test]
fn a_log_out_of_order_is_sorted_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let lines = log_lines(12);
    let reference = write(dir.path(), "ordered.log", &lines.concat());
    let (v0, d0, _) = visits(&channels(&[s(&reference)], &[]));
    let reversed: Vec<Vec<u8>> = lines.iter().rev().cloned().collect();
    let half = lines.len() / 2;
    let swapped: Vec<Vec<u8>> = lines[half..].iter().chain(&lines[..half]).cloned().collect();
    for (name, text) in [("reversed", reversed), ("swapped", swapped)] {
        let path = write(dir.path(), &format!("{name}.log"), &text.concat());
        let r = darklog(&["analyze", s(&path), "--report", "channels", "--format", "json"]);
        assert!(r.stderr.contains("sorting it by time and reading the logs again"), "{name}: {}", r.stderr);
        let (v, d, l) = visits(&r);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(close(v, v0) && close(d, d0), "{name}: {v} visits, {d} dark, against {v0} and {d0}; {l}");
    }
}

#[test]
fn a_stream_out_of_order_is_refused_with_how_to_sort_it() {
    let lines = log_lines(12);
    let reversed: Vec<u8> = lines.iter().rev().flatten().copied().collect();
    let r = darklog_stdin(&["analyze", "-", "--format", "csv", "-q"], &reversed);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("<stdin>: ") && r.stderr.contains("out of order beyond the lateness window"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("save it to a file"), "{}", r.stderr);
}

/// Two servers behind a balancer log the same hours; a visitor's hits land on both. Read
/// as two files, merged by time: the same visits as their lines in one file.
#[test]
fn two_servers_logs_of_the_same_hours_are_merged_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let lines = log_lines(13);
    let reference = write(dir.path(), "one.log", &lines.concat());
    let server = |which: usize| -> Vec<u8> {
        lines
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == which)
            .flat_map(|(_, l)| l.iter().copied())
            .collect()
    };
    let a = write(dir.path(), "server-a.log", &server(0));
    let b = write(dir.path(), "server-b.log", &server(1));
    let visits_csv = |paths: &[&str]| {
        let mut args = vec!["analyze"];
        args.extend_from_slice(paths);
        args.extend_from_slice(&["--report", "visits", "--format", "csv", "--visitor-key=k", "-q"]);
        let r = darklog(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    assert!(
        visits_csv(&[s(&a), s(&b)]) == visits_csv(&[s(&reference)]),
        "merged, the visits are the single file's"
    );
}

/// Bounds that cut nothing change nothing: on ordinary traffic every report is the same
/// byte for byte with the bounds or without them.
#[test]
fn bounds_that_cut_nothing_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &generate(40_000, 21));
    for (report, format) in [("summary", "json"), ("visits", "csv"), ("pages", "csv"), ("shares", "csv")] {
        let run = |extra: &[&str]| {
            let mut args =
                vec!["analyze", s(&log), "--report", report, "--format", format, "--visitor-key=k", "-q"];
            args.extend_from_slice(extra);
            let r = darklog(&args);
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(!r.stderr.contains("bounds cut"), "{}", r.stderr);
            r.stdout
        };
        assert!(run(&[]) == run(&["--no-bounds"]), "{report}/{format}");
    }
}

/// A flood of distinct visitors and landing pages past the bounds: the run holds its
/// memory, says what it cut in every format, and still counts every line.
#[test]
fn bounds_that_cut_say_so_in_every_format() {
    let mut log = String::new();
    for i in 0..3000u32 {
        log += &format!(
            "10.{}.{}.{} - - [02/Nov/2026:10:{:02}:{:02} +0000] \"GET /p/{i}/story HTTP/1.1\" 200 1 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\"\n",
            i / 65536,
            i / 256 % 256,
            i % 256,
            i / 60 % 60,
            i % 60
        );
    }
    let bounded = ["--max-visitors", "500", "--max-pages", "400"];
    let r = darklog_stdin(
        &["analyze", "-", "--format", "json", "-q", bounded[0], bounded[1], bounded[2], bounded[3]],
        log.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(doc["cut"]["visitors"].as_u64().unwrap() >= 2500, "{}", doc["cut"]);
    assert!(doc["cut"]["pages"].as_u64().unwrap() >= 2500, "{}", doc["cut"]);
    assert_eq!(doc["cut"]["page_error"], 1, "{}", doc["cut"]);
    assert_eq!(doc["headline"]["visits"], 3000, "every visit still counted");
    assert_eq!(parts_of(&doc["lines"]), 3000);
    assert!(r.stderr.contains("darklog: bounds cut: "), "even quiet, stderr says so: {}", r.stderr);
    let r = darklog_stdin(
        &["analyze", "-", "-q", bounded[0], bounded[1], bounded[2], bounded[3]],
        log.as_bytes(),
    );
    assert!(
        r.stdout.contains("\nbounds cut: ") && r.stdout.contains("visitors forgotten early"),
        "{}",
        r.stdout
    );
    let r = darklog_stdin(
        &["analyze", "-", "--format", "csv", "-q", bounded[0], bounded[1], bounded[2], bounded[3]],
        log.as_bytes(),
    );
    assert!(r.stderr.contains("landing pages dropped from the pages table"), "{}", r.stderr);
    // And the CSV summary's rows say the same as JSON's `cut`.
    for (name, n) in doc["cut"].as_object().unwrap() {
        assert!(r.stdout.contains(&format!("\ncut_{name},{n}\n")), "cut_{name}: {}", r.stdout);
    }
}

/// Where a bound cuts, visits closed together (a sweep, an eviction, the end of the input)
/// are counted in an order of their content, not of a table a per-run seed orders: the
/// same report in every run. (Before, three runs of this command gave up to three.)
#[test]
fn a_bound_that_cuts_gives_the_same_report_in_every_run() {
    let args = [
        "analyze",
        "fixtures/sample.log.gz",
        "--max-pages",
        "10",
        "--max-visitors",
        "8",
        "--format",
        "json",
        "-q",
    ];
    let first = darklog(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(json(&first)["cut"]["pages"].as_u64().unwrap() > 0, "the bound cuts");
    for _ in 0..5 {
        assert!(darklog(&args).stdout == first.stdout, "a run differs from the first");
    }
}

/// Lines logged a little out of order (as servers write them, when requests finish) give
/// the answer of the ordered log: any interleaving within the lateness window.
#[test]
fn any_interleaving_within_the_lateness_window_gives_the_same_report() {
    use proptest::prelude::*;
    let lines = log_lines(14);
    let times: Vec<Option<i64>> = lines
        .iter()
        .map(|l| {
            let open = l.iter().position(|&b| b == b'[')?;
            darklog::parse::time::parse_clf(l.get(open + 1..open + 27)?)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let reference = write(dir.path(), "ordered.log", &lines.concat());
    let report = |path: &std::path::Path| {
        let r =
            darklog(&["analyze", s(path), "--report", "visits", "--format", "csv", "--visitor-key=k", "-q"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let want = report(&reference);
    let mut runner =
        proptest::test_runner::TestRunner::new(ProptestConfig { cases: 8, ..ProptestConfig::default() });
    runner
        .run(&any::<u64>(), |seed| {
            // Each line moves up to 60 seconds later: sorted by (time + delay), the file
            // is out of order by less than the five-minute lateness.
            let mut keyed: Vec<(i64, usize)> = times
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let delay = (seed.wrapping_mul(i as u64 + 1).rotate_left(17) % 61) as i64;
                    (t.unwrap_or(0) + delay, i)
                })
                .collect();
            keyed.sort();
            let shuffled: Vec<u8> = keyed.iter().flat_map(|&(_, i)| lines[i].iter().copied()).collect();
            let path = write(dir.path(), "shuffled.log", &shuffled);
            prop_assert!(report(&path) == want, "seed {seed}");
            Ok(())
        })
        .unwrap();
}

/// More logs over the same hours than darklog reads at once (a fleet's servers, one log
/// each): said, with exit 2, not counted wrong in silence; and the advice it gives, one
/// file of them all, gives one log's answer.
#[test]
fn more_logs_over_the_same_hours_than_are_read_at_once_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(4_000, 3);
    let fleet = dir.path().join("fleet");
    std::fs::create_dir(&fleet).unwrap();
    let mut servers = vec![Vec::new(); 40];
    for (i, line) in log.split_inclusive(|&b| b == b'\n').enumerate() {
        servers[i % 40].extend_from_slice(line);
    }
    for (i, lines) in servers.iter().enumerate() {
        write(&fleet, &format!("srv{i:03}.log"), lines);
    }
    let r = darklog(&["analyze", s(&fleet), "--format", "json", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("srv032.log and the 7 logs after it: more than 32 logs cover the same hours"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("cannot be read twice"), "{}", r.stderr);
    let one = write(dir.path(), "one.log", &log);
    let all = write(dir.path(), "all.log", &servers.concat());
    let visits = |p: &std::path::Path| {
        let r = darklog(&["analyze", s(p), "--format", "json", "-q"]);
        json(&r)["headline"]["visits"].clone()
    };
    assert_eq!(visits(&all), visits(&one));
}
