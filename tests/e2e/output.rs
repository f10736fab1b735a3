//! Where reports go (`-o`), what they may show of the logs, and the exit codes a cron job
//! reads.

use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::*;

fn report_to(out: &Path, inputs: &[&str]) -> Run {
    let mut args = vec!["analyze"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--format", "json", "-q", "-o", s(out)]);
    darklog(&args)
}

#[test]
fn an_output_that_is_an_input_is_refused_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let small = std::fs::read(fixture("small.log")).unwrap();
    let log = write(&logs, "access.log", &small);
    std::os::unix::fs::symlink(&log, dir.path().join("link.log")).unwrap();
    std::fs::hard_link(&log, dir.path().join("hard.log")).unwrap();
    for (out, input) in [
        (log.clone(), s(&log).to_string()),
        (dir.path().join("link.log"), s(&log).to_string()),
        (dir.path().join("hard.log"), s(&log).to_string()),
        (log.clone(), s(&logs).to_string()),
    ] {
        let r = report_to(&out, &[&input]);
        assert_eq!(r.code, 1, "-o {}: {}", out.display(), r.stderr);
        assert!(
            r.stderr.contains("one of the inputs: writing it would replace what is read"),
            "{}",
            r.stderr
        );
        assert_eq!(std::fs::read(&log).unwrap(), small, "the log is untouched");
    }
    // The same file on stdin.
    let r: Run = cmd()
        .args(["analyze", "-", "-q", "-o", s(&log)])
        .stdin(std::fs::File::open(&log).unwrap())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(std::fs::read(&log).unwrap(), small);
}

/// `-o` naming the state (or its lock) is refused before the state exists too: the first
/// run wrote its report there and the state over it, exit 0, and the next run found no
/// state in it.
#[test]
fn an_output_that_is_the_state_is_refused_before_the_state_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("small.log");
    let state = dir.path().join("site.state");
    for out in [state.clone(), dir.path().join("site.state.lock"), dir.path().join(".").join("site.state")] {
        let r = darklog(&["analyze", s(&log), "-q", "--state", s(&state), "-o", s(&out)]);
        assert_eq!(r.code, 1, "-o {}: {}", out.display(), r.stderr);
        assert!(r.stderr.contains("of --state"), "{}", r.stderr);
        assert!(r.stderr.contains(": writing it would replace "), "{}", r.stderr);
        assert!(!state.exists(), "nothing is written");
    }
    let r =
        darklog(&["analyze", s(&log), "-q", "--state", s(&state), "-o", s(&dir.path().join("report.txt"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A cron job that writes its report beside the logs finds it there the next week: the
/// report is skipped, quietly, and replaced; a log there is still refused.
#[test]
fn a_report_kept_beside_the_logs_is_skipped_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read(fixture("small.log")).unwrap();
    let log = write(dir.path(), "access.log", &small);
    let logs = s(dir.path());
    let csv = darklog(&["analyze", s(&log), "--format", "csv", "-q"]);
    // Every report in every format: some name neither darklog nor dark social (a table of
    // shares, a JSON report with no row), and the visits list once read as a balancer's log.
    let formats = [("txt", "table"), ("csv", "csv"), ("json", "json"), ("md", "markdown"), ("html", "html")];
    let reports = ["summary", "channels", "pages", "daily", "shares", "visits"];
    for (report, (ext, format)) in reports.iter().flat_map(|r| formats.iter().map(move |f| (r, f))) {
        let out = format!("{report}.{ext}");
        let path = dir.path().join(&out);
        for week in 0..2 {
            let r = darklog(&["analyze", logs, "--report", report, "--format", format, "-o", s(&path)]);
            assert_eq!(r.code, 0, "{out}, run {week}: {}", r.stderr);
            // Listed by the directory, it goes without a word.
            assert!(!r.stderr.contains("a file of darklog's"), "{out}, run {week}: {}", r.stderr);
        }
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("summary.csv")).unwrap(), csv.stdout);
    // Named too (a cron line's `access.log*` catches `access.log.json`), it is skipped,
    // said, and replaced; a log the directory holds is never written over.
    let report = dir.path().join("summary.json");
    let r = report_to(&report, &[logs, s(&report)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = darklog(&["analyze", s(&log), s(&report), "--format", "json", "-o", s(&report)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("summary.json: a file of darklog's"), "{}", r.stderr);
    // Other reports beside it, named by the same glob, are no input either, whichever
    // report this run writes, or none.
    let other = dir.path().join("summary.csv");
    for out in [&["-o", s(&report)][..], &[][..]] {
        let r =
            darklog(&[&["analyze", s(&log), s(&report), s(&other), "--format", "json"][..], out].concat());
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("summary.csv: a file of darklog's"), "{}", r.stderr);
    }
    let r = report_to(&log, &[logs]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("writing it would replace what is read"), "{}", r.stderr);
    assert_eq!(std::fs::read(&log).unwrap(), small);
    // A file of the user's with a report's name, named, in no layout darklog reads: not
    // one of darklog's reports, so refused, never written over.
    let notes = write(dir.path(), "access.log.txt", b"notes on the access log\nkept by hand\n");
    let r = report_to(&notes, &[s(&log), s(&notes)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(std::fs::read(&notes).unwrap(), b"notes on the access log\nkept by hand\n");
    // Listed by the directory, the same (an audit found it written over, exit 0).
    let r = report_to(&notes, &[logs]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("writing it would replace what is read"), "{}", r.stderr);
    assert_eq!(std::fs::read(&notes).unwrap(), b"notes on the access log\nkept by hand\n");
    // A log in a format string's layout is a log, found in a directory too: read, and
    // never written over.
    let custom = dir.path().join("custom");
    std::fs::create_dir(&custom).unwrap();
    let line = |i: u32| {
        format!("2026-11-02|10:{i:02}:00|198.51.100.{i}|GET /news/story-{i}|200|-|Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\n")
    };
    let text: String = (10..40).map(line).collect();
    let access = write(&custom, "access.log", text.as_bytes());
    let fmt = "%{%Y-%m-%d|%H:%M:%S}t|%a|%m %U|%>s|%{Referer}i|%{User-Agent}i";
    let r = darklog(&["analyze", s(&custom), "--log-format", fmt, "--format", "json", "-q"]);
    assert_eq!((r.code, json(&r)["headline"]["visits"].as_u64()), (0, Some(30)), "{}", r.stderr);
    for out in [&access, &custom.join("report.csv")] {
        let r = darklog(&["analyze", s(&custom), "--log-format", fmt, "--format", "csv", "-q", "-o", s(out)]);
        assert_eq!(r.code, if out == &access { 1 } else { 0 }, "{}: {}", out.display(), r.stderr);
    }
    assert_eq!(std::fs::read_to_string(&access).unwrap(), text);
    // `partial --visits` writes a report beside the logs too.
    let profile = dir.path().join("job.profile");
    let key = ["--visitor-key", "k", "-q"];
    let r = darklog(&[&["profile", s(&log), "-o", s(&profile)][..], &key[..]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let visits = dir.path().join("visits.csv");
    for week in 0..2 {
        let args = ["partial", logs, "--profile", s(&profile), "--visits", "csv", "-o", s(&visits)];
        let r = darklog(&[&args[..], &key[..]].concat());
        assert_eq!(r.code, 0, "run {week}: {}", r.stderr);
    }
}

/// When not one input could be read, no report is written (exit 2): an empty one would
/// say "no visits" and replace last week's. One input read is enough for a report.
#[test]
fn no_report_replaces_the_last_when_no_input_could_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("week.html");
    std::fs::write(&out, "last week").unwrap();
    let gone = dir.path().join("gone.log");
    let r = darklog(&["analyze", s(&gone), "--format", "html", "-o", s(&out)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.ends_with("darklog: no input could be read: no report written\n"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "last week");
    let r = darklog(&["analyze", s(&gone), "--format", "csv"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    // The logs rotated away from a directory that keeps last week's report: the same.
    let rotated = dir.path().join("rotated");
    std::fs::create_dir(&rotated).unwrap();
    let last_week = "<title>darklog: dark social, last week</title>";
    let report = write(&rotated, "week.html", last_week.as_bytes());
    let r = darklog(&["analyze", s(&rotated), "--format", "html", "-o", s(&report)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), last_week);
    let r = darklog(&["analyze", s(&gone), s(&fixture("small.log")), "--format", "csv", "-q"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, darklog(&["analyze", s(&fixture("small.log")), "--format", "csv", "-q"]).stdout);
}

/// A job's profile and parts: a mistyped path must not replace the good profile with an
/// empty one (every part would take it: no site, no shares), nor leave an empty part that
/// merges in silently.
#[test]
fn no_profile_or_part_is_written_when_no_input_could_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("small.log");
    let gone = dir.path().join("acces.log");
    let (profile, part) = (dir.path().join("job.profile"), dir.path().join("a.state"));
    let key = ["--visitor-key", "k", "-q"];
    let r = darklog(&[&["profile", s(&log), "-o", s(&profile)][..], &key[..]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let good = std::fs::read(&profile).unwrap();
    let r = darklog(&[&["profile", s(&gone), "-o", s(&profile)][..], &key[..]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.ends_with("darklog: no input could be read: no profile written\n"), "{}", r.stderr);
    assert_eq!(std::fs::read(&profile).unwrap(), good);
    std::fs::write(&part, "last run").unwrap();
    let r =
        darklog(&[&["partial", s(&gone), "--profile", s(&profile), "-o", s(&part)][..], &key[..]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.ends_with("no state written\n"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&part).unwrap(), "last run");
    // One input read is enough.
    let r = darklog(
        &[&["partial", s(&gone), s(&log), "--profile", s(&profile), "-o", s(&part)][..], &key[..]].concat(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let written = std::fs::read(&part).unwrap();
    assert!(written != b"last run" && !written.is_empty());
    // A state merge reads, which says the input that was not read, as analyze would.
    let r = darklog(&[&["merge", s(&part)][..], &key[..]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("acces.log: No such file") && r.stdout.starts_with("Dark social"),
        "{}",
        r.stderr
    );
}

/// `profile`, `partial` and `merge` write states and reports too: never over what they read.
#[test]
fn no_command_writes_over_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read(fixture("small.log")).unwrap();
    let log = write(dir.path(), "access.log", &small);
    let (profile, state) = (dir.path().join("job.profile"), dir.path().join("a.state"));
    let key = ["--visitor-key", "k", "-q"];
    let ok = |args: &[&str]| {
        let r = darklog(&[args, &key[..]].concat());
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    };
    ok(&["profile", s(&log), "-o", s(&profile)]);
    ok(&["partial", s(&log), "--profile", s(&profile), "-o", s(&state)]);
    let before: Vec<Vec<u8>> = [&log, &profile, &state].iter().map(|p| std::fs::read(p).unwrap()).collect();
    for args in [
        vec!["profile", s(&log), "-o", s(&log)],
        vec!["profile", s(&profile), "-o", s(&profile)],
        vec!["partial", s(&log), "--profile", s(&profile), "-o", s(&log)],
        vec!["partial", s(&log), "--profile", s(&profile), "-o", s(&profile)],
        vec!["merge", s(&state), "-o", s(&state)],
        vec!["analyze", s(&log), "--state", s(&state), "-o", s(&state)],
    ] {
        let r = darklog(&[&args[..], &key[..]].concat());
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("writing it would replace what is read"), "{args:?}: {}", r.stderr);
    }
    let after: Vec<Vec<u8>> = [&log, &profile, &state].iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(before == after, "an input was written over");
    // A profile kept among the logs it profiles is no input of the next profile: the run
    // skips it as no log.
    let kept = dir.path().join("job2.profile");
    ok(&["profile", s(dir.path()), "-o", s(&kept)]);
    ok(&["profile", s(dir.path()), "-o", s(&kept)]);
}

#[test]
fn an_output_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = write(dir.path(), "report.json", b"last week's report");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink("report.json", &link).unwrap();
    let dangling = dir.path().join("next.json");
    std::os::unix::fs::symlink(dir.path().join("sub-report.json"), &dangling).unwrap();
    for (out, written) in [(&link, &target), (&dangling, &dir.path().join("sub-report.json"))] {
        let r = report_to(out, &["fixtures/small.log"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(std::fs::symlink_metadata(out).unwrap().file_type().is_symlink(), "the link stays a link");
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(written).unwrap()).unwrap();
        assert_eq!(doc["lines"]["read"], 22);
    }
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the report keeps the permissions of the one it replaced");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!left.iter().any(|n| n.to_string_lossy().starts_with(".darklog-")), "{left:?}");
}

#[test]
fn special_files_are_written_as_they_are() {
    let r = report_to(Path::new("/dev/null"), &["fixtures/small.log"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::metadata("/dev/null").unwrap().file_type().is_char_device(),
        "/dev/null is still a device"
    );

    let r = report_to(Path::new("/dev/full"), &["fixtures/small.log"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("darklog: /dev/full: No space left on device"), "{}", r.stderr);

    let r = report_to(Path::new("/dev/stdout"), &["fixtures/small.log"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["lines"]["read"], 22, "the report came out on stdout");

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = String::new();
            std::fs::File::open(fifo).unwrap().read_to_string(&mut got).unwrap();
            got
        })
    };
    let r = report_to(&fifo, &["fixtures/small.log"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(doc["lines"]["read"], 22);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO is still a FIFO");
}

fn ignored(signal: i32) -> bool {
    // SAFETY: a null new action only reads the current one.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Stopped while it waits for more log on stdin, a run writing to `-o` leaves neither a
/// report nor its temporary file, and ends as the signal ends a process.
#[test]
fn an_interrupted_run_removes_its_temporary_report() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        if ignored(signal) {
            eprintln!("skipped signal {signal}: this test process ignores it, and so would darklog");
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("weekly.json");
        let mut child = cmd()
            .args(["analyze", "-", "-q", "-o", s(&out)])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&std::fs::read(fixture("small.log")).unwrap()).unwrap();
        let temporary = || {
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with(".darklog-"))
        };
        let waited = Instant::now();
        while !temporary() {
            assert!(waited.elapsed() < Duration::from_secs(20), "no temporary report appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.signal(), Some(signal), "{status:?}");
        assert!(!temporary(), "signal {signal}: the temporary report is removed");
        assert!(!out.exists());
    }
}

#[test]
fn a_window_with_no_line_in_it_exits_3() {
    let r = darklog(&["analyze", "fixtures/small.log", "--since", "2030-01-01", "--format", "json", "-q"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "darklog: no line in the window (since 2030-01-01T00:00:00Z): 22 lines read, 22 outside it"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(json(&r)["lines"]["outside_window"], 22, "the report is still written");
    let r =
        darklog(&["analyze", "fixtures/small.log", "--until", "2001-01-01", "--since", "2000-01-01", "-q"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("(since 2000-01-01T00:00:00Z, until 2001-01-01T00:00:00Z)"), "{}", r.stderr);
    // A window with lines in it, and no window at all, are fine; a broken input is 2.
    assert_eq!(darklog(&["analyze", "fixtures/small.log", "--since", "2000-01-01", "-q"]).code, 0);
    assert_eq!(darklog_stdin(&["analyze", "-", "-q"], b"").code, 0);
    let r = darklog(&["analyze", "fixtures/small.log", "missing.log", "--since", "2030-01-01", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// A log is written by whoever sends requests: ESC and other controls in its paths,
/// queries and lines reach no terminal raw, while CSV and JSON keep them as they are.
#[test]
fn log_text_cannot_drive_the_terminal() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let log = format!(
        "192.0.2.1 - - [02/Nov/2026:10:00:00 +0000] \"GET /news/\x1b[2Jgone-story?utm_source=\x1b]0;pwned\x07 HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n\
         192.0.2.2 - - [02/Nov/2026:10:00:00 +0000] \"GET /news/\u{9b}31mred-story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n\
         \x1b[31mnot a line\n"
    );
    let raw = |out: &str| out.chars().any(|c| c.is_control() && c != '\n');
    for report in ["visits", "pages", "summary"] {
        let r = darklog_stdin(&["analyze", "-", "--report", report, "-v"], log.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!raw(&r.stdout), "{report}: {:?}", r.stdout);
        assert!(!raw(&r.stderr), "{report}: {:?}", r.stderr);
        assert!(r.stderr.contains("malformed line: \\x1b[31mnot a line"), "{}", r.stderr);
    }
    let r = darklog_stdin(&["analyze", "-", "--report", "visits"], log.as_bytes());
    assert!(
        r.stdout.contains("/news/\\x1b[2Jgone-story") && r.stdout.contains("/news/\\u{9b}31mred-story"),
        "{}",
        r.stdout
    );
    let csv = darklog_stdin(&["analyze", "-", "--report", "visits", "--format", "csv", "-q"], log.as_bytes());
    assert!(csv.stdout.contains("/news/\x1b[2Jgone-story"), "CSV keeps the bytes: {:?}", csv.stdout);
    let js = darklog_stdin(&["analyze", "-", "--report", "visits", "--format", "json", "-q"], log.as_bytes());
    assert!(js.stdout.contains("/news/\\u001b[2Jgone-story"), "JSON escapes as JSON: {}", js.stdout);
    let explain = darklog(&["explain", log.lines().next().unwrap()]);
    assert!(!raw(&explain.stdout) && explain.stdout.contains("\\x1b]0;pwned\\x07"), "{:?}", explain.stdout);
}

/// A terminal that reports no width (a serial console, some CI runners): the table fits
/// `COLUMNS`, as most tools fall back. Run under `script`, which gives it a terminal.
#[test]
fn a_terminal_without_a_width_falls_back_to_columns() {
    let bin = env!("CARGO_BIN_EXE_darklog");
    let shell = format!("stty cols 0; {bin} analyze fixtures/sample.log.gz -q --report pages");
    let out = std::process::Command::new("script")
        .args(["-qec", &shell, "/dev/null"])
        .env("COLUMNS", "60")
        .env("NO_COLOR", "1")
        .current_dir(root())
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let widest = text.lines().map(|l| l.trim_end_matches('\r').chars().count()).max().unwrap_or(0);
    assert!(text.contains("landing page"), "{text}");
    assert!(widest <= 60, "{widest} columns wide:\n{text}");
}

/// A run killed outright (SIGKILL, the OOM killer) leaves its temporary report; the next
/// run writing in that directory removes the ones no live run holds, and says so.
#[test]
fn temporary_files_a_killed_run_left_are_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let made = |name: &str, old: bool| {
        let file = std::fs::File::create(dir.path().join(name)).unwrap();
        if old {
            file.set_modified(hour_ago).unwrap();
        }
        file
    };
    drop(made(".darklog-tmp-Ab3xYz.tmp", true)); // a report's, killed
    drop(made(".darklog-tmp-Qw8eRt", true)); // a profile's or a part's, killed
    drop(made(".darklog-tmp-Fresh1.tmp", false)); // too young: its run may not hold it yet
    drop(made(".darklog-state-site.state.Zx9cVb", true)); // a state's: its own run's to remove
    drop(made(".darklog-notes.txt", true)); // not darklog's naming
    drop(made(".darklog-backup", true)); // a user's file, named like an older darklog's
    drop(made(".darklog-Ab3xYz.tmp", true)); // an older darklog's, which locks nothing
                                             // A FIFO of that naming is no file a run left, and opening it would wait forever.
    let fifo = dir.path().join(".darklog-tmp-Fifo01");
    let fifo_name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo_name.as_ptr(), 0o600) }, 0);
    let held = made(".darklog-tmp-Live42.tmp", true); // a live run's
    held.lock().unwrap();
    let listed = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listed();
    let r = report_to(&dir.path().join("report.json"), &["fixtures/small.log"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said = format!(
        "darklog: removed temporary files left in {} by a run killed before it finished: \
         .darklog-tmp-Ab3xYz.tmp, .darklog-tmp-Qw8eRt\n",
        dir.path().display()
    );
    assert!(r.stderr.contains(&said), "{}", r.stderr);
    let kept: Vec<String> = before
        .into_iter()
        .filter(|n| !n.ends_with("Ab3xYz.tmp") || n.starts_with(".darklog-Ab3xYz"))
        .collect();
    let kept: Vec<String> = kept.into_iter().filter(|n| n != ".darklog-tmp-Qw8eRt").collect();
    assert_eq!(listed(), [kept.clone(), vec!["report.json".to_string()]].concat());
    // The live run ends without its report (killed): a profile written there takes it.
    drop(held);
    let profile = dir.path().join("week.profile");
    let r = darklog(&["profile", "fixtures/small.log", "-q", "-o", s(&profile)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("removed a temporary file") && r.stderr.contains(": .darklog-tmp-Live42.tmp\n"),
        "{}",
        r.stderr
    );
    // Nothing left to remove: nothing said.
    let r = report_to(&dir.path().join("report.json"), &["fixtures/small.log"]);
    assert!(!r.stderr.contains("removed"), "{}", r.stderr);
    assert!(
        listed().contains(&".darklog-tmp-Fifo01".to_string())
            && listed().contains(&".darklog-backup".to_string())
    );
}
