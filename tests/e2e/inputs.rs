//! Where lines come from: stdin, gzip by content, rotated sets, broken inputs, pipes.

use std::io::Read;
use std::process::Stdio;

use crate::util::*;

fn small() -> Vec<u8> {
    std::fs::read(fixture("small.log")).unwrap()
}

fn channels_csv(args: &[&str]) -> Run {
    let mut all = vec!["analyze"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--report", "visits", "--format", "csv", "--visitor-key=e2e", "-q"]);
    darklog(&all)
}

#[test]
fn stdin_gives_the_same_report_as_the_file() {
    let file = channels_csv(&["fixtures/small.log"]);
    let piped = darklog_stdin(
        &["analyze", "-", "--report", "visits", "--format", "csv", "--visitor-key=e2e", "-q"],
        &small(),
    );
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert_eq!(piped.stdout, file.stdout);
    let gz = darklog_stdin(
        &["analyze", "-", "--report", "visits", "--format", "csv", "--visitor-key=e2e", "-q"],
        &gzip(&small()),
    );
    assert_eq!(gz.stdout, file.stdout, "gzip on stdin is recognised too");
}

#[test]
fn gzip_is_recognised_by_content_and_multi_member_reads_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = small();
    let named_txt = write(dir.path(), "small.txt", &gzip(&data));
    let cut = data.len() / 2 + data[data.len() / 2..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut members = gzip(&data[..cut]);
    members.extend(gzip(&data[cut..]));
    let multi = write(dir.path(), "multi.gz", &members);
    let want = channels_csv(&["fixtures/small.log"]).stdout;
    assert_eq!(channels_csv(&[s(&named_txt)]).stdout, want);
    assert_eq!(channels_csv(&[s(&multi)]).stdout, want);
}

/// A rotated set, plain and gzip mixed, with one visit that spans a rotation: files are
/// read oldest first whatever order they are named in, and the visit stays one visit.
#[test]
fn rotated_set_is_read_in_time_order_and_visits_span_files() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let line = |ip: &str, time: &str, path: &str, referrer: &str| {
        format!("{ip} - - [{time} +0000] \"GET {path} HTTP/1.1\" 200 100 \"{referrer}\" \"{ua}\"\n")
    };
    let oldest = line("192.0.2.1", "01/Nov/2026:23:50:00", "/news/2026/11/01/story-one", "-")
        + &line("192.0.2.2", "01/Nov/2026:23:55:00", "/", "-");
    let middle = line(
        "192.0.2.1",
        "02/Nov/2026:00:05:00",
        "/news/2026/11/01/story-two",
        "https://example.com/news/2026/11/01/story-one",
    ) + &line("192.0.2.3", "02/Nov/2026:12:00:00", "/a/b", "https://www.google.com/");
    let newest = line("192.0.2.4", "03/Nov/2026:08:00:00", "/c/d", "-");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "access.log.2.gz", &gzip(oldest.as_bytes()));
    write(dir.path(), "access.log.1", middle.as_bytes());
    write(dir.path(), "access.log", newest.as_bytes());

    let by_dir = channels_csv(&[s(dir.path())]);
    assert_eq!(by_dir.code, 0, "{}", by_dir.stderr);
    let rows: Vec<&str> = by_dir.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{}", by_dir.stdout);
    assert!(
        rows[0].starts_with("2026-11-01T23:50:00Z,")
            && rows[0].contains(
                ",/news/2026/11/01/story-one,dark-social,unknown,deep-direct,2,2026-11-02T00:05:00Z,"
            ),
        "the visit across the rotation is one visit of two page views: {}",
        rows[0]
    );
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for order in
        [["access.log", "access.log.1", "access.log.2.gz"], ["access.log.1", "access.log.2.gz", "access.log"]]
    {
        let r = channels_csv(&[&p(order[0]), &p(order[1]), &p(order[2])]);
        assert_eq!(r.stdout, by_dir.stdout, "{order:?}");
    }
}

#[test]
fn truncated_gzip_is_named_and_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read(fixture("sample.log.gz")).unwrap();
    let broken = write(dir.path(), "access.log.3.gz", &log[..log.len() * 2 / 3]);
    let r = darklog(&["analyze", "fixtures/small.log", s(&broken), "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("darklog: {}: corrupt or truncated gzip near compressed byte", s(&broken))),
        "{}",
        r.stderr
    );
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("the report is still printed");
    let read = doc["lines"]["read"].as_u64().unwrap();
    assert!(read > 22 + 500, "lines before the break are analysed: {read}");
    let inputs = doc["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["error"].as_str().is_some_and(|e| e.contains("gzip"))), "{inputs:?}");
}

#[test]
fn corrupt_gzip_is_named_and_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = std::fs::read(fixture("sample.log.gz")).unwrap();
    let mid = log.len() / 2;
    for b in &mut log[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let broken = write(dir.path(), "corrupt.gz", &log);
    let r =
        darklog(&["analyze", s(&broken), "fixtures/small.log", "--report", "channels", "--format", "csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("darklog: {}: corrupt or truncated gzip", s(&broken))),
        "{}",
        r.stderr
    );
    assert!(r.stdout.starts_with("channel,visits,visits_pct,pageviews,kind\n"));
}

/// Damage 45 KB into the sample's gzip: every line decoded before it is reported (a
/// decoder asked one byte at a time is the yardstick), and the error names the compressed
/// byte where the inflater stopped, not how far the file had been read ahead.
#[test]
fn a_damaged_gzip_loses_no_line_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = std::fs::read(fixture("sample.log.gz")).unwrap();
    let at = 45_000;
    data[at..at + 8].copy_from_slice(b"\xff\xff\xff\xff\x00\x00\x13\x37");
    let broken = write(dir.path(), "damaged.log.gz", &data);
    let mut decoder = flate2::read::GzDecoder::new(&data[..]);
    let (mut before, mut byte) = (Vec::new(), [0u8; 1]);
    while let Ok(1) = decoder.read(&mut byte) {
        before.push(byte[0]);
    }
    let whole_lines = before.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(whole_lines > 2000, "{whole_lines}");
    let r = darklog(&["analyze", s(&broken), "--format", "json", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    let read = doc["lines"]["read"].as_u64().unwrap();
    assert!(read >= whole_lines, "{read} lines reported, {whole_lines} before the damage");
    assert_eq!(read, parts_of(&doc["lines"]));
    let said = r.stderr.split("near compressed byte ").nth(1).expect("where it broke");
    let byte: usize = said.split(' ').next().unwrap().parse().unwrap();
    assert!((at..at + 64).contains(&byte), "{}", r.stderr);
    let after: usize = said.split("(after ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(after >= before.len(), "{after} bytes handed on, {} before the damage", before.len());
}

#[test]
fn missing_file_is_named_and_the_rest_is_reported() {
    let r = darklog(&["analyze", "fixtures/small.log", "no/such/access.log", "--format", "csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("darklog: no/such/access.log: No such file or directory"), "{}", r.stderr);
    assert!(r.stdout.contains("\ndark_social_visits,3\n"), "{}", r.stdout);
}

#[test]
fn invalid_utf8_is_parsed_not_rejected() {
    let line = b"192.0.2.9 - - [02/Nov/2026:10:00:00 +0000] \"GET /caf\xe9/\xff-story HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \xfe\xff\"\n";
    let r =
        darklog_stdin(&["analyze", "-", "--report", "visits", "--format", "csv", "--visitor-key=e2e"], line);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(",/caf\u{fffd}/\u{fffd}-story,dark-social,"), "{}", r.stdout);
    assert!(r.stderr.contains("+ 0 malformed"), "{}", r.stderr);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("big.log");
    std::fs::write(&log, generate(20_000, 3)).unwrap();
    for format in ["csv", "table", "json"] {
        let mut child = cmd()
            .args(["analyze", s(&log), "--report", "visits", "--format", format, "-q"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 64];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}: no panic, no broken-pipe noise");
    }
}

#[test]
fn an_unknown_format_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let w3c = write(dir.path(), "u_ex150113.log", b"#Software: Microsoft Internet Information Services 8.5\n#Fields: date time s-ip\n2015-01-13 00:32:17 10.0.0.1\n");
    let r = darklog(&["analyze", s(&w3c), "fixtures/small.log", "--format", "csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("u_ex150113.log: not a layout darklog recognises (tried w3c, cloudfront,"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("give it to --log-format"), "{}", r.stderr);
    assert!(r.stdout.contains("\ndark_social_visits,3\n"), "{}", r.stdout);
}

#[test]
fn a_file_named_twice_is_read_once() {
    let once = channels_csv(&["fixtures/small.log"]);
    let twice = channels_csv(&["fixtures/small.log", "fixtures/./small.log", "fixtures/small.log"]);
    assert_eq!(twice.stdout, once.stdout);
}

/// In a directory, a link to a log is that log (a dangling link is skipped), and the
/// log named twice that way is read once.
#[cfg(unix)]
#[test]
fn a_link_in_a_directory_is_the_log_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let small = std::fs::canonicalize(fixture("small.log")).unwrap();
    std::os::unix::fs::symlink(&small, logs.join("current.log")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.log"), logs.join("dangling.log")).unwrap();
    let r = darklog(&["analyze", s(&logs), s(&small), "--format", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["lines"]["read"], 22);
}

#[test]
fn an_empty_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let r = darklog(&["analyze", s(dir.path()), "fixtures/small.log", "--format", "csv", "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a directory with no log files in it"), "{}", r.stderr);
}

/// `explain` reads compressed lines on stdin as `analyze` does; cut short, it explains
/// the lines before the break and then says it broke (exit 2).
#[test]
fn explain_reads_gzip_on_stdin() {
    let plain = darklog_stdin(&["explain"], &small());
    assert_eq!(plain.code, 0, "small.log's malformed line is no error: {}", plain.stderr);
    let r = darklog_stdin(&["explain"], &gzip(&small()));
    assert_eq!((r.code, &r.stdout), (0, &plain.stdout));
    let log = gunzip(&std::fs::read(fixture("sample.log.gz")).unwrap());
    let whole = gzip(&log[..200_000]);
    let r = darklog_stdin(&["explain"], &whole[..whole.len() / 2]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.matches("\nline:").count() > 100, "the lines before the break are explained");
    assert!(
        r.stderr.ends_with("darklog: reading standard input: the file ends inside compressed data\n"),
        "{}",
        r.stderr
    );
}

/// A log that changed layout part-way, even half of it malformed, is no error, but it
/// is said.
#[test]
fn a_log_mostly_malformed_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(4_000, 6);
    // After `from` lines (the sample it is detected from is the first 1,000), common: no
    // referrer, no user agent.
    let mixed = |from: usize| {
        let mut mixed = Vec::new();
        for (i, line) in log.split_inclusive(|&b| b == b'\n').enumerate() {
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            let quotes: Vec<usize> =
                (0..body.len().saturating_sub(1)).filter(|&j| &body[j..j + 2] == b" \"").collect();
            match quotes.len() {
                n if i >= from && n >= 2 && body.ends_with(b"\"") => {
                    mixed.extend_from_slice(&body[..quotes[n - 2]])
                }
                _ => mixed.extend_from_slice(body),
            }
            mixed.push(b'\n');
        }
        mixed
    };
    for (from, most) in [(1_200, true), (2_200, false)] {
        let path = write(dir.path(), "mixed.log", &mixed(from));
        let r = darklog(&["analyze", s(&path), "--format", "json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc = json(&r);
        let (bad, all) =
            (doc["lines"]["malformed"].as_u64().unwrap(), doc["lines"]["read"].as_u64().unwrap());
        assert_eq!(bad * 2 > all, most, "{bad} of {all}");
        let sep = |n: u64| format!("{},{:03}", n / 1000, n % 1000);
        let said = format!(
            "mixed.log: {} of its {} lines are not in the combined layout and were counted malformed",
            sep(bad),
            sep(all)
        );
        assert!(r.stderr.contains(&said), "{said}\n{}", r.stderr);
        assert!(r.stderr.contains("split it where the first malformed line is"), "{}", r.stderr);
    }
    let r = darklog(&["analyze", "fixtures/small.log", "--format", "json"]);
    assert!(!r.stderr.contains("counted malformed"), "{}", r.stderr);
}

/// An empty log is no error (rotated before anything was written to it), but it is said.
#[test]
fn an_empty_file_is_said_not_failed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "access.log", b"");
    let r = darklog(&["analyze", s(&empty), "fixtures/small.log", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("darklog: {}: empty: no line to read\n", s(&empty))), "{}", r.stderr);
}

#[test]
fn lines_logged_late_still_join_their_visit() {
    // Page views at 10:00:00 and 10:31:40, then one logged 200 s late at 10:28:20 that
    // bridges the gap: one visit of three page views, landing on /a from Google.
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let log = format!(
        "192.0.2.1 - - [02/Nov/2026:10:00:00 +0000] \"GET /a/one HTTP/1.1\" 200 1 \"https://www.google.com/\" \"{ua}\"\n\
         192.0.2.1 - - [02/Nov/2026:10:31:40 +0000] \"GET /a/three HTTP/1.1\" 200 1 \"https://example.com/a/two\" \"{ua}\"\n\
         192.0.2.1 - - [02/Nov/2026:10:28:20 +0000] \"GET /a/two HTTP/1.1\" 200 1 \"https://example.com/a/one\" \"{ua}\"\n"
    );
    let r = darklog_stdin(
        &["analyze", "-", "--report", "visits", "--format", "csv", "--visitor-key=k", "-q"],
        log.as_bytes(),
    );
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", r.stdout);
    assert!(rows[0].contains(",/a/one,search,google,referrer-known,3,2026-11-02T10:31:40Z,"), "{}", rows[0]);
}

#[test]
fn a_first_line_longer_than_the_sample_does_not_hide_the_rest() {
    let mut log = vec![b'x'; 1100 * 1024];
    log.push(b'\n');
    log.extend_from_slice(&small());
    let r = darklog_stdin(&["analyze", "-", "--format", "json", "-q"], &log);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["lines"]["read"], 23);
    assert_eq!(doc["lines"]["malformed"], 2);
}

#[test]
fn an_unknown_layout_is_answered_with_a_format_string_for_it() {
    // FORMATS.md's c_apache_xff_D.log, first line: Apache with the forwarded-for first.
    let line = b"203.0.113.5 10.0.0.2 - - [10/Nov/2026:10:00:00 +0100] \"GET /2026/11/long-story-about-things HTTP/1.1\" 200 1234 \"-\" \"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)\" 11873\n";
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], line);
    assert_eq!(r.code, 2);
    let want = "perhaps: --log-format '$http_x_forwarded_for $remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" $unknown'";
    assert!(r.stderr.contains(want), "{}", r.stderr);
    // And the suggestion reads it.
    let suggested = "$http_x_forwarded_for $remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" $unknown";
    let r = darklog_stdin(&["analyze", "-", "--format", "json", "-q", "--log-format", suggested], line);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // Read as a hit (its agent, cut before the engine, is Safari's by its platform token).
    assert_eq!((doc["lines"]["malformed"].as_u64(), doc["lines"]["pageviews"].as_u64()), (Some(0), Some(1)));
}
