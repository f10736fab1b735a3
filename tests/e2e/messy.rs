//! Unattended runs on messy input: the same log twice, directories with other files in
//! them, absurd thread counts, absurdly long lines.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::*;

fn report(args: &[&str]) -> (Run, serde_json::Value) {
    let mut all = vec!["analyze"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--visitor-key=e2e"]);
    let r = darklog(&all);
    let doc = json(&r);
    (r, doc)
}

/// What must not change when the same lines are read: everything but the inputs list.
fn answer(doc: &serde_json::Value) -> serde_json::Value {
    let mut doc = doc.clone();
    doc.as_object_mut().unwrap().remove("inputs");
    doc
}

#[test]
fn the_same_log_under_other_names_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(3000, 11);
    let plain = write(dir.path(), "access.log", &log);
    let (_, once) = report(&[s(&plain)]);
    write(dir.path(), "access.log.gz", &gzip(&log));
    write(dir.path(), "access.log.1.bak", &log);
    let (r, all) = report(&[s(dir.path())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(answer(&all), answer(&once), "one log, counted once");
    for copy in ["access.log.1.bak", "access.log.gz"] {
        let said = format!(
            "darklog: {}: the same log as {} (the same first 64 KiB and the same length): read once, as {}",
            s(&dir.path().join(copy)),
            s(&plain),
            s(&plain)
        );
        assert!(r.stderr.contains(&said), "{said}\n{}", r.stderr);
    }
    assert_eq!(all["inputs"].as_array().unwrap().len(), 1, "{}", all["inputs"]);
}

/// A copy taken earlier of a log that has grown since (or one of the files it was
/// concatenated from): its lines are all in the longer one, which is the one read.
#[test]
fn the_start_of_a_log_read_whole_is_not_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(3000, 12);
    let (start, _) = split_lines(&log, 2000);
    assert!(start.len() > 64 * 1024);
    let full = write(dir.path(), "access.log", &log);
    let snapshot = write(dir.path(), "snapshot.log.zst", &compress("zst", start));
    let (_, once) = report(&[s(&full)]);
    for args in [[s(&snapshot), s(&full)], [s(&full), s(&snapshot)]] {
        let (r, both) = report(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(answer(&both), answer(&once));
        let said = format!(
            "darklog: {}: the start of {} (the same first 64 KiB; {} is longer): read once, as {}",
            s(&snapshot),
            s(&full),
            s(&full),
            s(&full)
        );
        assert!(r.stderr.contains(&said), "{said}\n{}", r.stderr);
    }
}

#[test]
fn different_logs_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.log", &generate(1500, 1));
    let b = write(dir.path(), "b.log", &generate(1500, 2));
    let (r, doc) = report(&[s(&a), s(&b)]);
    assert!(!r.stderr.contains("read once"), "{}", r.stderr);
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 2);
    let lines = |p: &std::path::Path| std::fs::read(p).unwrap().iter().filter(|&&b| b == b'\n').count();
    assert_eq!(doc["lines"]["read"].as_u64().unwrap() as usize, lines(&a) + lines(&b));
}

#[test]
fn files_in_a_directory_that_are_not_logs_are_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("small.log"), dir.path().join("access.log")).unwrap();
    write(
        dir.path(),
        "error.log",
        b"2026/11/02 10:00:00 [error] 1234#1234: *1 open() \"/srv/www/favicon.ico\" failed (2: No such file or directory), client: 192.0.2.1\n\
          2026/11/02 10:00:01 [warn] 1234#1234: *2 an upstream response is buffered to a temporary file\n",
    );
    write(dir.path(), "README", b"These are the web server's logs.\nRotated daily by logrotate.\n");
    write(dir.path(), "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    write(dir.path(), "core.dump", &noise);
    let (r, doc) = report(&[s(dir.path())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_, alone) = report(&["fixtures/small.log"]);
    assert_eq!(doc["lines"], alone["lines"]);
    assert_eq!(doc["channels"], alone["channels"]);
    let p = |n: &str| s(&dir.path().join(n)).to_string();
    for said in [
        format!(
            "{}: skipped, not an access log: none of its first 2 lines is in a layout darklog reads (",
            p("error.log")
        ),
        format!("{}: skipped, not an access log: none of its first 2 lines is in a layout", p("README")),
        format!("{}: skipped, not an access log: a PNG image, which darklog does not read", p("logo.png")),
        format!("{}: skipped, not an access log: binary data, not text", p("core.dump")),
    ] {
        assert!(r.stderr.contains(&said), "{said}\n{}", r.stderr);
    }
    // Named on the command line, a file in no layout is still an error.
    let named = darklog(&["analyze", &p("error.log"), "fixtures/small.log", "-q"]);
    assert_eq!(named.code, 2);
    assert!(named.stderr.contains("error.log: not a layout darklog recognises"), "{}", named.stderr);
    // A directory of nothing but such files has nothing to report.
    std::fs::remove_file(dir.path().join("access.log")).unwrap();
    let none = darklog(&["analyze", s(dir.path()), "-q"]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(none.stderr.contains("no access log among the inputs"), "{}", none.stderr);
    // And so it has beside a log: said under -q too, the log still reported.
    let beside = darklog(&["analyze", s(dir.path()), "fixtures/small.log", "-q"]);
    assert_eq!(beside.code, 2, "{}", beside.stderr);
    let said =
        format!("darklog: {}: no access log in this directory: every file in it was skipped", s(dir.path()));
    assert!(beside.stderr.contains(&said), "{}", beside.stderr);
    assert!(beside.stdout.starts_with("Dark social"), "{}", beside.stdout);
}

/// A first line longer than the sample darklog detects the layout and learns the site
/// from leaves it nothing to judge by: said, on stderr and on the page, as it changes
/// the answer; the line is one malformed line and the rest is read.
#[test]
fn a_first_line_longer_than_the_sample_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = b"1.2.3.4 - - [02/Nov/2026:00:59:00 +0100] \"GET /".to_vec();
    log.extend(std::iter::repeat_n(b'a', 1100 * 1024));
    log.extend_from_slice(b" HTTP/1.1\" 414 0 \"-\" \"curl\"\n");
    log.extend(std::fs::read(fixture("small.log")).unwrap());
    let log = write(dir.path(), "long.log", &log);
    let r = darklog(&["analyze", s(&log), "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said =
        "long.log: its first 1 MiB hold no whole line (one is longer): no layout detected (combined assumed";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    assert!(r.stdout.contains("hold no whole line"), "{}", r.stdout);
    let doc = json(&darklog(&["analyze", s(&log), "--format", "json", "-q"]));
    assert_eq!(doc["lines"]["malformed"], 1, "{}", doc["lines"]);
}

#[test]
fn an_absurd_thread_count_is_capped_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &generate(5000, 4));
    let args = |threads: &str| {
        vec![
            "analyze".to_string(),
            s(&log).to_string(),
            "--report".into(),
            "visits".into(),
            "--format".into(),
            "csv".into(),
            "--visitor-key=e2e".into(),
            format!("--threads={threads}"),
        ]
    };
    let one: Run = cmd().args(args("1")).stdin(Stdio::null()).output().unwrap().into();
    let started = Instant::now();
    let many: Run = cmd().args(args("65535")).stdin(Stdio::null()).output().unwrap().into();
    let took = started.elapsed();
    assert_eq!(many.code, 0, "{}", many.stderr);
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(many.stdout == one.stdout);
    assert!(many.stderr.contains("darklog: --threads 65535: using 256 "), "{}", many.stderr);
}

/// A line longer than the 16 MiB a line may be is one malformed line, however many
/// blocks it spans, and the lines after it keep their numbers.
#[test]
fn a_line_over_16_mib_is_one_malformed_line() {
    let small = std::fs::read(fixture("small.log")).unwrap();
    let (head, tail) = split_lines(&small, 5);
    let mut log = head.to_vec();
    // It starts like a good line: a format could read a hit in its first piece.
    log.extend_from_slice(
        b"192.0.2.77 - - [02/Nov/2026:10:00:00 +0000] \"GET /news/a-story HTTP/1.1\" 200 5 \"-\" \"",
    );
    log.extend(std::iter::repeat_n(b'A', 40 << 20));
    log.extend_from_slice(b"\"\n");
    log.extend_from_slice(b"not a log line\n");
    log.extend_from_slice(tail);
    for block in ["1048576", "65536"] {
        let r = darklog_stdin(&["analyze", "-", "--format", "json", "-v", "--block-size", block], &log);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc = json(&r);
        let (_, alone) = report(&["fixtures/small.log"]);
        let lines = &doc["lines"];
        assert_eq!(lines["read"], alone["lines"]["read"].as_u64().unwrap() + 2, "{lines}");
        assert_eq!(lines["malformed"], alone["lines"]["malformed"].as_u64().unwrap() + 2, "{lines}");
        assert!(
            r.stderr.contains("darklog: <stdin>:6: malformed line: 192.0.2.77 - - [02/Nov/2026"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("darklog: <stdin>:7: malformed line: not a log line"), "{}", r.stderr);
    }
    // A well-formed hit just over the limit, after a good line: a stream's block can hold
    // it whole where a file's map never hands it on. Malformed whatever it is read from.
    let dir = tempfile::tempdir().unwrap();
    let mut log = head.to_vec();
    log.extend_from_slice(b"192.0.2.77 - - [02/Nov/2026:10:00:00 +0000] \"GET /");
    log.extend(std::iter::repeat_n(b'x', 17 << 20));
    log.extend_from_slice(
        b" HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101\"\n",
    );
    let plain = write(dir.path(), "huge.log", &log);
    let gz = write(dir.path(), "huge.log.gz", &gzip(&log));
    let want = r#""malformed":1,"directives":0}"#;
    for r in [
        darklog(&["analyze", s(&plain), "--format", "json", "-q"]),
        darklog(&["analyze", s(&gz), "--format", "json", "-q"]),
        darklog_stdin(&["analyze", "-", "--format", "json", "-q"], &log),
    ] {
        let lines = json(&r)["lines"].to_string();
        assert!(lines.contains(want), "{lines}");
    }
}

/// What the run learns of the site comes from the first lines of the log in reading
/// order (4,000 at most), however it is cut into files: here those lines have no referred
/// reader and the next ones have many that load assets. Read whole, the sample sees none
/// of them; cut into rotations, each file's first lines must not be sampled again.
#[test]
fn site_facts_come_from_the_first_lines_however_the_log_is_rotated() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let at = |s: u32| format!("02/Nov/2026:{:02}:{:02}:{:02} +0000", s / 3600, s / 60 % 60, s % 60);
    let mut log = String::new();
    for i in 0..4000u32 {
        log += &format!(
            "10.0.{}.{} - - [{}] \"GET /news/2026/story-{i} HTTP/1.1\" 200 100 \"-\" \"{ua}\"\n",
            i / 250,
            i % 250,
            at(i * 2)
        );
    }
    for i in 0..40u32 {
        let t = 8000 + i * 10;
        log += &format!(
            "10.9.0.{i} - - [{}] \"GET /news/2026/read-{i} HTTP/1.1\" 200 100 \"https://www.google.com/\" \"{ua}\"\n\
             10.9.0.{i} - - [{}] \"GET /css/site.css HTTP/1.1\" 200 100 \"https://example.com/news/2026/read-{i}\" \"{ua}\"\n",
            at(t),
            at(t + 1)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let whole = write(dir.path(), "whole.log", log.as_bytes());
    let rotated = dir.path().join("rotated");
    std::fs::create_dir(&rotated).unwrap();
    let (oldest, newer) = split_lines(log.as_bytes(), 1500);
    let (older, newest) = split_lines(newer, 2500);
    write(&rotated, "access.log.2.gz", &gzip(oldest));
    write(&rotated, "access.log.1", older);
    write(&rotated, "access.log", newest);
    let (r1, one) = report(&[s(&whole)]);
    let (r2, two) = report(&[s(&rotated)]);
    assert_eq!(answer(&two), answer(&one), "{}\n{}", r1.stderr, r2.stderr);
    assert!(!r2.stderr.contains("browsers here load assets"), "{}", r2.stderr);
}

/// One line in a hundred or more that no layout reads is said where the figures are
/// read, not only counted in the line accounting.
#[test]
fn many_malformed_lines_are_a_caveat() {
    // The bundled sample: 5 malformed lines in 3,010, under one in a hundred.
    let good = gunzip(&std::fs::read(fixture("sample.log.gz")).unwrap());
    let garbage = "this is not a log line\n".repeat(302);
    let md = |log: &[u8]| darklog_stdin(&["analyze", "-", "--format", "markdown", "-q"], log).stdout;
    let page = md(&[&good[..], garbage.as_bytes()].concat());
    let want =
        "> **Read with care:** 307 of the 3,312 lines read (9.3%) are malformed: the figures leave them out";
    assert!(page.contains(want), "{page}");
    assert!(!md(&good).contains("malformed: the figures"));
}

/// A log that records no client address (`-`: an anonymised log, a layout without the
/// field filled) keys visitors on their user agent alone: fewer visitors than readers,
/// said once, with what would help.
#[test]
fn a_log_without_client_addresses_is_said() {
    let log = std::fs::read_to_string(fixture("small.log")).unwrap();
    let said =
        "<stdin>: 21 of 21 sampled lines log no client address: their visitors are told apart by user \
                agent alone, and readers on the same browser count as one visitor (if the layout logs the \
                client in a header, --client-ip HEADER reads it there)";
    let unaddressed: String = log.lines().map(|l| format!("- {}\n", l.split_once(' ').unwrap().1)).collect();
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], unaddressed.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.matches(said).count(), 1, "{}", r.stderr);
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], log.as_bytes());
    assert!(!r.stderr.contains("no client address"), "{}", r.stderr);
    // explain, given the log's lines, says it as analyze does.
    let r = darklog_stdin(&["explain", "-"], unaddressed.as_bytes());
    assert!(r.stderr.contains(&said.replace("<stdin>:", "these lines:")), "{}", r.stderr);
    let r = darklog_stdin(&["explain", "-"], log.as_bytes());
    assert!(!r.stderr.contains("no client address"), "{}", r.stderr);
}

/// Lines through a proxy (one logged address, many forwarded-for clients): explain, given
/// them, says what analyze says of a log.
#[test]
fn explain_says_a_log_comes_through_a_proxy() {
    let log: String = (0..40)
        .map(|i| {
            format!(
                "10.0.0.1 - - [02/Nov/2026:11:{i:02}:00 +0100] \"GET /news/story-{i} HTTP/1.1\" 200 5120 \"-\" \
                 \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\" \
                 \"203.0.113.{i}\"\n"
            )
        })
        .collect();
    let said =
        "40 of 40 sampled lines come from one address and carry a forwarded-for header naming 40 others: \
                behind a proxy or CDN, --client-ip x-forwarded-for keys visitors on the client it names";
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], log.as_bytes());
    assert!(r.stderr.contains(&format!("<stdin>: {said}")), "{}", r.stderr);
    let r = darklog_stdin(&["explain", "-"], log.as_bytes());
    assert!(r.stderr.contains(&format!("these lines: {said}")), "{}", r.stderr);
    let r = darklog_stdin(&["explain", "-", "--client-ip", "x-forwarded-for"], log.as_bytes());
    assert!(!r.stderr.contains("sampled lines come from"), "{}", r.stderr);
}
