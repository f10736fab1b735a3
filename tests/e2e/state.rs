//! `--state`: incremental runs over logs that grow, rotate and are compressed give what
//! one run over everything gives; the state is refused when it would count otherwise.

use std::path::Path;

use crate::util::*;

/// A generated log as lines, over `days` days.
fn lines(n: u64, seed: u64, days: u32) -> Vec<Vec<u8>> {
    let log = darklog_gen::generate(&darklog_gen::GenConfig { lines: n, seed, days, ..Default::default() });
    log.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn report(args: &[&str]) -> String {
    let r = darklog(args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

/// An `analyze` of `inputs` with the state `state` (key `k`), its report thrown away:
/// what a cron run leaves is its exit code and its stderr.
fn cron_run(inputs: &[&Path], state: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["analyze"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(["--state", s(state), "--visitor-key", "k", "-o", "/dev/null"]);
    args.extend(extra);
    darklog(&args)
}

/// An `analyze` of `inputs` with the state `state` (key `k`), its summary in CSV.
fn csv_run(inputs: &[&Path], state: &Path) -> Run {
    let mut args = vec!["analyze"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(["--state", s(state), "--visitor-key", "k", "-q", "--format", "csv"]);
    darklog(&args)
}

/// Every aggregate report, in CSV and the table summary, of an `analyze` with `extra`.
fn reports(inputs: &[&str], extra: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, format) in
        [("summary", "table"), ("channels", "csv"), ("pages", "csv"), ("daily", "csv"), ("shares", "csv")]
    {
        let mut args = vec!["analyze"];
        args.extend(inputs);
        args.extend(["--report", kind, "--format", format, "--visitor-key", "k", "-q"]);
        args.extend(extra);
        out.push(report(&args));
    }
    out
}

fn gzip_file(path: &Path) {
    let data = std::fs::read(path).unwrap();
    std::fs::write(
        path.with_extension(format!("{}.gz", path.extension().unwrap().to_str().unwrap())),
        gzip(&data),
    )
    .unwrap();
    std::fs::remove_file(path).unwrap();
}

#[test]
fn rotated_and_compressed_between_runs_gives_one_run_s_answer() {
    let lines = lines(12_000, 21, 4);
    let n = lines.len();
    let (a, b, c) = (n * 3 / 10, n * 6 / 10, n * 8 / 10);
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let live = logs.join("access.log");
    let state = dir.path().join("darklog.state");
    let st = s(&state);
    let run = |extra: &[&str]| {
        let mut args = vec!["analyze", s(&logs), "--state", st, "--visitor-key", "k", "-q"];
        args.extend(extra);
        let r = darklog(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r
    };
    // First run: the first 30%, the last line half written.
    let mut first = lines[..a].concat();
    let half = &lines[a][..lines[a].len() / 2];
    first.extend_from_slice(half);
    std::fs::write(&live, &first).unwrap();
    run(&[]);
    // Then the line completes, more come; logrotate renames the log and starts another.
    std::fs::write(&live, lines[..b].concat()).unwrap();
    std::fs::rename(&live, logs.join("access.log.1")).unwrap();
    std::fs::write(&live, lines[b..c].concat()).unwrap();
    run(&[]);
    // Then the rotation is compressed, rotated again, and the live log grows.
    gzip_file(&logs.join("access.log.1"));
    std::fs::rename(logs.join("access.log.1.gz"), logs.join("access.log.2.gz")).unwrap();
    std::fs::rename(&live, logs.join("access.log.1")).unwrap();
    std::fs::write(&live, lines[c..].concat()).unwrap();
    run(&[]);

    let whole = dir.path().join("whole.log");
    std::fs::write(&whole, lines.concat()).unwrap();
    let want = reports(&[s(&whole)], &[]);
    let got = reports(&[s(&logs)], &["--state", st]);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "incremental runs and one run differ");
    }
    // And again, with nothing new: the same reports, and the same state, byte for byte.
    let before = std::fs::read(&state).unwrap();
    let again = reports(&[s(&logs)], &["--state", st]);
    assert_eq!(again, want);
    assert!(std::fs::read(&state).unwrap() == before, "a run with nothing new changed the state");
}

/// A run whose input ends in a lone line dated 2100 saves a state the next run can still
/// read on from: the line is out of order (no line is written after it is read), the
/// saved clock stays with the log, and the two runs give one run's answer.
#[test]
fn a_line_dated_2100_at_the_end_of_a_run_does_not_stop_the_next() {
    let lines = lines(3_000, 8, 1);
    let half = lines.len() / 2;
    let last = String::from_utf8(lines[half - 1].clone()).unwrap();
    let (day, rest) = last.split_once('[').unwrap();
    let outlier = format!("{day}[01/Jan/2100{}", &rest[rest.find(':').unwrap()..]);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let state = dir.path().join("s.state");
    let mut first = lines[..half].concat();
    first.extend_from_slice(outlier.as_bytes());
    std::fs::write(&log, &first).unwrap();
    let run = || {
        let r = darklog(&[
            "analyze",
            s(&log),
            "--state",
            s(&state),
            "--format",
            "json",
            "--visitor-key",
            "k",
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r)
    };
    assert_eq!(run()["lines"]["out_of_order"], 1, "the line dated 2100 is not read");
    let mut all = first.clone();
    all.extend(lines[half..].concat());
    std::fs::write(&log, &all).unwrap();
    let second = run();
    assert_eq!(second["lines"]["out_of_order"], 1, "nothing of the second run is behind the clock");
    let whole = dir.path().join("whole.log");
    std::fs::write(&whole, &all).unwrap();
    let want = reports(&[s(&whole)], &[]);
    let got = reports(&[s(&log)], &["--state", s(&state)]);
    assert_eq!(got, want, "two runs and one run differ");
}

#[test]
fn a_visit_open_across_runs_is_one_visit() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let state = dir.path().join("s.state");
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let line = |t: &str, path: &str| {
        format!("192.0.2.7 - - [02/Nov/2026:{t} +0000] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"{ua}\"\n")
    };
    std::fs::write(&log, line("10:00:00", "/2026/11/a-story")).unwrap();
    let args = ["analyze", s(&log), "--state", s(&state), "--report", "visits", "--format", "csv", "-q"];
    let first = darklog(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, line("10:10:00", "/2026/11/another").as_bytes()).unwrap();
    let r = darklog(&["analyze", s(&log), "--state", s(&state), "--format", "json", "-q"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["headline"]["visits"], 1, "{}", r.stdout);
    assert_eq!(doc["lines"]["read"], 2);
    assert_eq!(doc["channels"][0]["pageviews"], 2, "{}", doc["channels"]);
}

/// `--report visits` run after run, as a cron job appends it: each visit once, in the run
/// that sees it end, as one run over the whole log lists it (the visit across the cut with
/// all its page views); a rerun with nothing new lists none again.
#[test]
fn visit_rows_appended_run_after_run_hold_each_visit_once() {
    let dir = tempfile::tempdir().unwrap();
    let all = lines(20_000, 5, 7);
    let full = dir.path().join("full.log");
    std::fs::write(&full, all.concat()).unwrap();
    let (log, state) = (dir.path().join("access.log"), dir.path().join("s.state"));
    let cut = all.len() * 6 / 10;
    std::fs::write(&log, all[..cut].concat()).unwrap();
    let visits = |path: &Path, state: Option<&Path>| {
        let mut args =
            vec!["analyze", s(path), "--report", "visits", "--format", "csv", "--visitor-key", "k", "-q"];
        args.extend(state.map(|st| ["--state", s(st)]).into_iter().flatten());
        let rows: Vec<String> = report(&args).lines().skip(1).map(str::to_string).collect();
        rows
    };
    let mut appended = visits(&log, Some(&state));
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, &all[cut..].concat()).unwrap();
    appended.extend(visits(&log, Some(&state)));
    assert_eq!(visits(&log, Some(&state)), Vec::<String>::new(), "nothing new, no row again");
    let once = visits(&full, None);
    let mut starts: Vec<(&str, &str)> =
        appended.iter().map(|r| (&r[..20], r.split(',').nth(1).unwrap())).collect();
    starts.sort_unstable();
    starts.dedup();
    assert_eq!(starts.len(), appended.len(), "a visit listed twice");
    assert!(appended.iter().all(|r| once.contains(r)), "a row that one run does not list as it is");
    // Only the visits still open at the end of the last run wait for the next.
    assert!(once.len() - appended.len() <= 3, "{} of {}", appended.len(), once.len());
}

/// A state damaged on disk (one bit flipped anywhere in its content) is refused, not read
/// and written on with its damage: the state carries zstd's checksum of its content.
#[test]
fn a_state_damaged_on_disk_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &lines(3_000, 4, 2).concat());
    let state = dir.path().join("s.state");
    let run = || {
        darklog(&["analyze", s(&log), "--state", s(&state), "--visitor-key", "k", "-q", "--format", "json"])
    };
    assert_eq!(run().code, 0);
    let good = std::fs::read(&state).unwrap();
    for at in [good.len() / 3, good.len() / 2, good.len() - 10] {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        std::fs::write(&state, &bad).unwrap();
        let r = run();
        assert_eq!(r.code, 4, "byte {at}: {}", r.stderr);
        assert!(r.stderr.contains("s.state: damaged, not read ("), "{}", r.stderr);
        assert!(r.stderr.contains("restore it from a backup, or make it again"), "{}", r.stderr);
        assert!(!r.stderr.contains("Restored data"), "the compression library's words: {}", r.stderr);
        assert_eq!(std::fs::read(&state).unwrap(), bad, "a refused state is left as it is");
    }
}

/// A state that cannot be written (its directory is gone) costs the state, not the
/// report: the report is written and the run ends with exit 2, saying so.
#[test]
fn a_state_that_cannot_be_written_still_gives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("no-such-dir").join("s.state");
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--state",
        s(&state),
        "--format",
        "csv",
        "--report",
        "channels",
        "-q",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        report(&["analyze", "fixtures/small.log", "--format", "csv", "--report", "channels", "-q"])
    );
    assert_eq!(
        r.stderr,
        format!("darklog: {}: state not saved: No such file or directory (os error 2)\n", s(&state))
    );
}

#[test]
fn a_state_made_otherwise_or_in_use_is_refused_with_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.state");
    let st = s(&state);
    let small = s(&fixture("small.log")).to_string();
    assert_eq!(darklog(&["analyze", &small, "--state", st, "--visitor-key", "a", "-q"]).code, 0);
    let r = darklog(&["analyze", &small, "--state", st, "--visitor-key", "b", "--tz", "Europe/Berlin", "-q"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("the visitor key (--visitor-key)"), "{}", r.stderr);
    assert!(r.stderr.contains("the time zone (--tz) (saved: UTC; this run: Europe/Berlin)"), "{}", r.stderr);
    // Not a state at all (a copy: the run takes the lock beside it, FILE.lock, and the
    // source tree is no place for that).
    let log = dir.path().join("access.log");
    std::fs::copy(fixture("small.log"), &log).unwrap();
    let r = darklog(&["analyze", &small, "--state", s(&log), "-q"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("not a darklog state"), "{}", r.stderr);
    // A window that is not whole days cannot be cut from a state's days.
    let r =
        darklog(&["analyze", &small, "--state", st, "--visitor-key", "a", "--since", "2026-11-02T10:06:00Z"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("whole days"), "{}", r.stderr);
    // A run holding the lock keeps a second one out.
    let lock =
        std::fs::File::options().create(true).truncate(false).write(true).open(format!("{st}.lock")).unwrap();
    lock.lock().unwrap();
    let r = darklog(&["analyze", &small, "--state", st, "--visitor-key", "a", "-q"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("another darklog run holds its lock"), "{}", r.stderr);
}

#[test]
fn a_live_log_gone_before_it_was_read_again_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::copy(fixture("small.log"), &log).unwrap();
    let state = dir.path().join("s.state");
    assert_eq!(darklog(&["analyze", s(&log), "--state", s(&state), "-q"]).code, 0);
    let other = dir.path().join("other.log");
    let later =
        darklog_gen::GenConfig { lines: 200, seed: 3, days: 1, start: 1_794_355_200, ..Default::default() };
    std::fs::write(&other, darklog_gen::generate(&later)).unwrap();
    // Lines may be lost: an error, said under -q too, and the rest still counted.
    let r = darklog(&["analyze", s(&other), "--state", s(&state), "-q", "--format", "csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("access.log (read to line 22 by the last run) is not among the inputs"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("lines_read,"), "{}", r.stdout);
    // Said once: the next run knows it is gone.
    let r = darklog(&["analyze", s(&other), "--state", s(&state), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A plain log renamed since the last run, or ending minutes before the newest, is a
/// rotation: gone later, it lost nothing (`rotate 1` without compression deletes one at
/// every rotation, and cron may run minutes after it).
#[test]
fn a_rotation_read_whole_may_go_without_a_word() {
    let lines = lines(3_000, 5, 2);
    let dir = tempfile::tempdir().unwrap();
    let (live, old) = (dir.path().join("access.log"), dir.path().join("access.log.1"));
    let state = dir.path().join("s.state");
    let run = |inputs: &[&Path]| cron_run(inputs, &state, &["-q"]);
    std::fs::write(&old, lines[..1000].concat()).unwrap();
    std::fs::write(&live, lines[1000..1040].concat()).unwrap();
    assert_eq!(run(&[&old, &live]).code, 0);
    // Rotated on, twice, each run soon after: the oldest goes, the live log becomes .1
    // (read whole by the run after), a new one starts.
    for next in [1040, 1080] {
        std::fs::remove_file(&old).unwrap();
        std::fs::rename(&live, &old).unwrap();
        std::fs::write(&live, lines[next..next + 40].concat()).unwrap();
        let r = run(&[&old, &live]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // The live log itself gone with its unread lines is still an error.
    std::fs::remove_file(&live).unwrap();
    assert_eq!(run(&[&old]).code, 2);
}

/// A compressed log read while still being written (cut short) is read on from where it
/// broke once it is whole, not skipped as a rotation read whole.
#[test]
fn a_truncated_gzip_is_read_on_when_it_is_whole() {
    let lines = lines(20_000, 12, 3);
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("access.log.1.gz");
    let whole = gzip(&lines.concat());
    let state = dir.path().join("s.state");
    let run =
        || darklog(&["analyze", s(&gz), "--state", s(&state), "--visitor-key", "k", "-q", "--format", "csv"]);
    std::fs::write(&gz, &whole[..whole.len() / 2]).unwrap();
    let r = run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("corrupt or truncated gzip"), "{}", r.stderr);
    // Nothing was read past it (a log written compressed as it goes): the state is saved
    // and read on from the break, not held back for good.
    assert!(state.exists() && !r.stderr.contains("not advanced"), "{}", r.stderr);
    // Still cut: said again.
    let r = run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    std::fs::write(&gz, &whole).unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plain = dir.path().join("whole.log");
    std::fs::write(&plain, lines.concat()).unwrap();
    let want = report(&["analyze", s(&plain), "--visitor-key", "k", "-q", "--format", "csv"]);
    assert_eq!(r.stdout, want);
    // Cut while a newer log was read past it: the state is held back, so that the rest,
    // older than the newer log, is counted in order once the log is whole.
    let (state, live) = (dir.path().join("t.state"), dir.path().join("access.log"));
    let n = lines.len();
    std::fs::write(&gz, &gzip(&lines[..n / 2].concat())[..whole.len() / 4]).unwrap();
    std::fs::write(&live, lines[n / 2..].concat()).unwrap();
    let run = || csv_run(&[&gz, &live], &state);
    let r = run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("state not advanced, as"), "{}", r.stderr);
    std::fs::write(&gz, gzip(&lines[..n / 2].concat())).unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, want);
}

/// Logrotate's `compress` without `delaycompress`: the log the last run read is renamed
/// and compressed, and the run comes while gzip is still writing, the file cut before
/// where the last run had read the log to. Said so (not "read error at byte 0"), and no
/// line is lost: once the rotation is whole, the runs give one run's answer.
#[test]
fn a_rotation_read_while_being_compressed_loses_no_line() {
    let lines = lines(15_000, 3, 3);
    let n = lines.len();
    let (a, b) = (n / 3, n * 2 / 3);
    let dir = tempfile::tempdir().unwrap();
    let (live, gz, state) =
        (dir.path().join("access.log"), dir.path().join("access.log.1.gz"), dir.path().join("s.state"));
    let run = || csv_run(&[&live, &gz], &state);
    std::fs::write(&live, lines[..a].concat()).unwrap();
    assert_eq!(cron_run(&[&live], &state, &["-q"]).code, 0);
    let rotated = gzip(&lines[..b].concat());
    // Half the compressed file holds fewer lines than the last run read.
    std::fs::write(&gz, &rotated[..rotated.len() / 3]).unwrap();
    std::fs::write(&live, lines[b..].concat()).unwrap();
    let r = run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("before the") && r.stderr.contains("bytes the last run read of it"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("at byte 0"), "{}", r.stderr);
    assert!(r.stderr.contains("state not advanced"), "{}", r.stderr);
    // Its visits are listed by the run that saves the state, not by this one too.
    let args = ["analyze", s(&live), s(&gz), "--state", s(&state), "--visitor-key", "k", "-q"];
    let r = darklog(&[&args[..], &["--report", "visits", "--format", "csv"]].concat());
    assert_eq!((r.code, r.stdout.lines().count()), (2, 1), "{}", r.stderr);
    assert!(r.stderr.contains("no visit listed"), "{}", r.stderr);
    std::fs::write(&gz, &rotated).unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let whole = dir.path().join("whole.log");
    std::fs::write(&whole, lines.concat()).unwrap();
    assert_eq!(r.stdout, report(&["analyze", s(&whole), "--visitor-key", "k", "-q", "--format", "csv"]));
    // A later run, with nothing new, says nothing and changes nothing.
    let r = run();
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

/// A state started on an empty log (logrotate's `create`, a new install) learns the site
/// from the first run that has lines: then its reports are one run's.
#[test]
fn a_state_started_on_an_empty_log_learns_the_site_later() {
    let lines = lines(6_000, 4, 2);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let state = dir.path().join("s.state");
    std::fs::write(&log, b"").unwrap();
    let r = cron_run(&[&log], &state, &["-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(&log, lines.concat()).unwrap();
    let r = darklog(&["analyze", s(&log), "--state", s(&state), "--visitor-key", "k"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("site facts learned from these logs"), "{}", r.stderr);
    let whole = dir.path().join("whole.log");
    std::fs::write(&whole, lines.concat()).unwrap();
    assert_eq!(reports(&[s(&log)], &["--state", s(&state)]), reports(&[s(&whole)], &[]));
}

/// A state whose first run read too few lines to learn the site facts from (a log begun
/// minutes before) learns them again from those lines and the next run's, as one run over
/// the whole log does: what 150 lines showed (too few readers to ask for browser
/// evidence) is not kept for good.
#[test]
fn a_state_started_on_a_young_log_learns_the_facts_again() {
    let lines = lines(20_000, 7, 3);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let state = dir.path().join("s.state");
    std::fs::write(&log, lines[..150].concat()).unwrap();
    let r = cron_run(&[&log], &state, &["-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let young = json(&darklog(&["analyze", s(&log), "--visitor-key", "k", "-q", "--format", "json"]));
    assert_eq!(young["headline"]["browser_evidence_required"], false, "150 lines are too few to tell");
    // Twenty lines more decide nothing new: learned again, and not said.
    std::fs::write(&log, lines[..170].concat()).unwrap();
    let r = darklog(&["analyze", s(&log), "--state", s(&state), "--visitor-key", "k", "-o", "/dev/null"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("site facts"), "{}", r.stderr);
    std::fs::write(&log, lines.concat()).unwrap();
    let r = darklog(&["analyze", s(&log), "--state", s(&state), "--visitor-key", "k", "-o", "/dev/null"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("site facts learned again, from the logs' first 3763 lines"), "{}", r.stderr);
    assert!(r.stderr.contains("the state's earlier runs read 170"), "{}", r.stderr);
    let whole = dir.path().join("whole.log");
    std::fs::write(&whole, lines.concat()).unwrap();
    let one = reports(&[s(&whole)], &[]);
    assert!(!one[0].contains("no browser evidence is asked"), "{}", one[0]);
    assert_eq!(reports(&[s(&log)], &["--state", s(&state)]), one);
    // Learned for good now: a later run keeps no sample and says nothing of the facts.
    let r = cron_run(&[&log], &state, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("site"), "{}", r.stderr);
}

/// A rules file given as a pipe is read once: the state is made with its rules, and a
/// later run without them is refused, one with the same file as a file is not.
#[test]
fn a_rules_file_from_a_pipe_makes_the_state_s_settings() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "bots.toml", b"[user_agents]\n\"Chrome/120\" = \"bot/test\"\n");
    let state = dir.path().join("s.state");
    let log = fixture("small.log");
    let base = ["analyze", s(&log), "--state", s(&state), "--visitor-key", "k", "-q", "-o", "/dev/null"];
    let r = darklog_stdin(&[&base[..], &["--rules", "/dev/stdin"]].concat(), &std::fs::read(&rules).unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = cron_run(&[&log], &state, &["-q"]);
    assert_eq!(r.code, 4, "a run without the rules went on: {}", r.stderr);
    let r = cron_run(&[&log], &state, &["-q", "--rules", s(&rules)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A state read another way is refused in the words of the flags, not a debug dump.
#[test]
fn another_reading_is_named_by_its_flags() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.state");
    let log = fixture("small.log");
    assert_eq!(cron_run(&[&log], &state, &["-q"]).code, 0);
    let r = cron_run(&[&log], &state, &["-q", "--log-format", "combined", "--client-ip", "x-forwarded-for"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "how lines are read (--log-format, --client-ip and the flags beside them) (saved: --log-format \
             auto; this run: --log-format combined --client-ip x-forwarded-for)"
        ),
        "{}",
        r.stderr
    );
}

/// Two servers' logs, one behind the other at the first run: the lines it adds before the
/// state's clock come too late to count, and that is an error, not a silent loss.
#[test]
fn a_log_that_lagged_behind_the_others_is_named() {
    let lines = lines(20_000, 6, 10);
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let (even, odd): (Vec<_>, Vec<_>) = lines.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let cat = |v: &[(usize, &Vec<u8>)]| v.iter().map(|(_, l)| l.as_slice()).collect::<Vec<_>>().concat();
    let state = dir.path().join("s.state");
    let run = || cron_run(&[&a, &b], &state, &["-q"]);
    // Half a day behind, of ten: fewer than a tenth of its new lines come too late.
    std::fs::write(&a, cat(&even[..even.len() / 2])).unwrap();
    std::fs::write(&b, cat(&odd[..odd.len() * 45 / 100])).unwrap();
    assert_eq!(run().code, 0);
    std::fs::write(&a, cat(&even)).unwrap();
    std::fs::write(&b, cat(&odd)).unwrap();
    let r = run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("b.log: ") && r.stderr.contains("are older than the logs the state has read"),
        "{}",
        r.stderr
    );
}

/// `-v` shows this run's malformed lines and counts the rest of this run's, not the
/// state's: a rerun with a clean new line says nothing.
#[test]
fn verbose_counts_this_run_s_lines() {
    let lines = lines(3_000, 2, 1);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let state = dir.path().join("s.state");
    let mut first = lines[..2000].concat();
    first.extend_from_slice(b"garbage one\ngarbage two\ngarbage three\n");
    std::fs::write(&log, &first).unwrap();
    let run = || cron_run(&[&log], &state, &["-v"]);
    let r = run();
    assert!(r.stderr.contains("garbage three"), "{}", r.stderr);
    first.extend_from_slice(&lines[2000..2001].concat());
    std::fs::write(&log, &first).unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("more malformed"), "{}", r.stderr);
}

/// `--keep`: the first run reports what the state keeps, as every rerun does; a window of
/// days it forgot says so.
#[test]
fn keep_cuts_the_first_report_as_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, lines(12_000, 3, 21).concat()).unwrap();
    let state = dir.path().join("s.state");
    let run = |extra: &[&str]| {
        let args = ["analyze", s(&log), "--state", s(&state), "--keep", "7", "--visitor-key", "k", "-q"];
        darklog(&[&args[..], extra, &["--format", "csv"]].concat())
    };
    let first = run(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("period_start,2026-11-16"), "{}", first.stdout);
    assert_eq!(run(&[]).stdout, first.stdout, "a rerun with nothing new reports otherwise");
    for extra in [&["--week", "2026-W45"][..], &["--week", "2026-W45", "--compare", "previous"]] {
        // Wholly forgotten: no line (exit 3), whatever it is compared with; the week before,
        // before the logs began, was never counted, not forgotten.
        let r = run(extra);
        assert_eq!(r.code, 3, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("the state holds days from 2026-11-16T00:00:00Z on"), "{}", r.stderr);
        assert!(!r.stderr.contains("were forgotten (--keep)"), "{}", r.stderr);
    }
    // A week, or the week it is compared with, that begins inside the forgotten days
    // would read as a short week: said, exit 2, and on the report too.
    let r = run(&["--since", "2026-11-14", "--until", "2026-11-21"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let said = "the days before 2026-11-16 were forgotten (--keep), so the window (from 2026-11-14) is \
                reported short";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    assert!(r.stderr.contains("--keep 9 or more holds it"), "{}", r.stderr);
    let args = ["analyze", s(&log), "--state", s(&state), "--keep", "7", "--visitor-key", "k", "-q"];
    let r = darklog(
        &[&args[..], &["--week", "2026-W47", "--compare", "previous", "--format", "markdown"]].concat(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("the window it is compared with (from 2026-11-09)"), "{}", r.stderr);
    assert!(r.stdout.contains("the window it is compared with (from 2026-11-09)"), "{}", r.stdout);
    // Inside the days kept: nothing to say.
    let r = run(&["--week", "2026-W47"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

/// A log that shrank (replaced by an earlier copy of itself) holds nothing new: not read,
/// said, and not called gone (it is among the inputs).
#[test]
fn a_log_that_shrank_is_not_called_gone() {
    let lines = lines(3_000, 7, 1);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let state = dir.path().join("s.state");
    let run = || cron_run(&[&log], &state, &[]);
    std::fs::write(&log, lines.concat()).unwrap();
    assert_eq!(run().code, 0);
    std::fs::write(&log, lines[..1000].concat()).unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("shorter than the") && r.stderr.contains("nothing in it is new"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("not among the inputs"), "{}", r.stderr);
}

/// A second server that was only quiet before the last run, and one line logged late (a
/// long download stamped at its start): nothing is lost that one run would count.
#[test]
fn a_quiet_log_is_not_a_lagging_one() {
    let line = |ip: u32, minute: u32| {
        format!(
            "192.0.2.{ip} - - [02/Nov/2026:{:02}:{:02}:00 +0000] \"GET /p/{minute} HTTP/1.1\" 200 100 \"-\" \
             \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\"\n",
            minute / 60,
            minute % 60
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let state = dir.path().join("s.state");
    let run = || cron_run(&[&a, &b], &state, &["-q"]);
    std::fs::write(&a, (0..60).map(|m| line(1, m)).collect::<String>()).unwrap();
    std::fs::write(&b, (0..30).map(|m| line(2, m)).collect::<String>()).unwrap();
    assert_eq!(run().code, 0);
    std::fs::write(&a, (0..100).map(|m| line(1, m)).collect::<String>()).unwrap();
    let later: String = (60..100).map(|m| line(2, m)).collect();
    std::fs::write(&b, [(0..30).map(|m| line(2, m)).collect(), later, line(3, 50)].concat()).unwrap();
    let r = run();
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A state named through a link is its target's: written and locked there. A state kept
/// in the directory of logs it reads is not read as a log.
#[test]
fn a_state_through_a_link_or_among_the_logs_is_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(fixture("small.log"), logs.join("access.log")).unwrap();
    let real = logs.join("site.state");
    let link = dir.path().join("link.state");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let run = |state: &Path| darklog(&["analyze", s(&logs), "--state", s(state), "--visitor-key", "k"]);
    let r = run(&link);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert!(real.is_file(), "the state was not written through the link");
    // The second run reads the log and the state's directory: nothing said of the state.
    let r = run(&real);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("site.state"), "{}", r.stderr);
    // One lock, whichever name: a run through the link is kept out while one holds it.
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(logs.join("site.state.lock"))
        .unwrap();
    lock.lock().unwrap();
    assert_eq!(run(&link).code, 4);
}

/// A week's report reads the lines before it as context: its dark-social visits are what
/// the full history counts for those days.
#[test]
fn a_windowed_week_counts_what_the_full_history_counts_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("weeks.log");
    // From 2026-11-02 (a Monday), three weeks.
    std::fs::write(&log, lines(40_000, 5, 21).concat()).unwrap();
    let channel = |doc: &serde_json::Value, name: &str| -> u64 {
        doc["channels"].as_array().unwrap().iter().find(|c| c["channel"] == name).unwrap()["visits"]
            .as_u64()
            .unwrap()
    };
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["analyze", s(&log), "--format", "json", "--visitor-key", "k", "-q"];
        args.extend(extra);
        serde_json::from_str(&report(&args)).unwrap()
    };
    let week = json(&["--week", "2026-W46"]);
    let daily = json(&["--report", "daily"]);
    let in_week = |d: &serde_json::Value| ("2026-11-09".."2026-11-16").contains(&d["date"].as_str().unwrap());
    let days: Vec<&serde_json::Value> =
        daily["daily"].as_array().unwrap().iter().filter(|d| in_week(d)).collect();
    assert_eq!(days.len(), 7);
    let dark: u64 = days.iter().map(|d| d["dark_social"].as_u64().unwrap()).sum();
    let visits: u64 = days.iter().map(|d| d["visits"].as_u64().unwrap()).sum();
    assert!(dark > 100, "{dark}");
    assert_eq!(channel(&week, "dark-social"), dark);
    assert_eq!(week["headline"]["visits"].as_u64().unwrap(), visits);
    // The same week as a window by dates, and from a state of the whole log.
    let dates = json(&["--since", "2026-11-09", "--until", "2026-11-16"]);
    assert_eq!(dates["channels"], week["channels"]);
    let state = dir.path().join("s.state");
    let from_state = json(&["--state", s(&state), "--week", "2026-W46"]);
    assert_eq!(from_state["channels"], week["channels"]);
}

/// A state, its lock and the report written beside the logs, all caught by the glob a
/// cron line reads the logs with (`access.log*`): skipped, and every run is clean.
#[test]
fn a_glob_that_catches_the_run_s_own_files_reads_only_the_logs() {
    let lines = lines(4_000, 5, 2);
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &lines.concat());
    let (state, report) = (dir.path().join("access.log.state"), dir.path().join("access.log.json"));
    let run = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .filter(|p| p.contains("access.log"))
            .collect();
        names.sort();
        let mut args: Vec<&str> = vec!["analyze"];
        args.extend(names.iter().map(String::as_str));
        args.extend(["--state", s(&state), "--visitor-key", "k", "--format", "json", "-o", s(&report)]);
        darklog(&args)
    };
    let first = run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    for _ in 0..2 {
        let r = run();
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("access.log.state: a file of darklog's"), "{}", r.stderr);
        assert!(!r.stderr.contains("not an access log") && !r.stderr.contains("empty"), "{}", r.stderr);
    }
    let whole = darklog(&["analyze", s(&log), "--visitor-key", "k", "--format", "json", "-q"]);
    let strip = |v: &str| {
        let mut j: serde_json::Value = serde_json::from_str(v).unwrap();
        j.as_object_mut().unwrap().remove("inputs");
        j
    };
    assert_eq!(strip(&std::fs::read_to_string(&report).unwrap()), strip(&whole.stdout));
}

/// A state file made beforehand, empty (with its owner and mode, as system files are), is
/// a new state; the temporary files a killed run left beside the state are removed by the
/// next run that holds its lock, and no other state's.
#[test]
fn an_empty_state_file_is_a_new_state_and_stale_temporaries_go() {
    let lines = lines(3_000, 6, 1);
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &lines.concat());
    let state = write(dir.path(), "site.state", b"");
    let stale = write(dir.path(), ".darklog-state-site.state.Ab12Cd", b"half a state");
    let other = write(dir.path(), ".darklog-state-other.state.Ab12Cd", b"another run's");
    let r = cron_run(&[&log], &state, &["-q"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(std::fs::metadata(&state).unwrap().len() > 0, "the state was not written");
    assert!(!stale.exists(), "a killed run's temporary file stayed");
    assert!(other.exists(), "another state's temporary file was removed");
    let csv = |extra: &[&str]| {
        let args = ["analyze", s(&log), "--visitor-key", "k", "-q", "--format", "csv"];
        report(&[&args[..], extra].concat())
    };
    assert_eq!(csv(&["--state", s(&state)]), csv(&[]));
}

/// A crontab that names another site's state: the logs share nothing with it and their
/// referrers name another site. Said every run (exit 2), and the state is left as it was,
/// not taught that these logs are its own. The right state, given a new log of its site,
/// says nothing of the kind.
#[test]
fn another_site_s_state_is_not_advanced_with_these_logs() {
    let lines = lines(8_000, 9, 4);
    let half = lines.len() / 2;
    let dir = tempfile::tempdir().unwrap();
    let ours = write(dir.path(), "ours.log", &lines[..half].concat());
    let text = String::from_utf8_lossy(&lines[..half].concat()).replace("example.com", "other-site.org");
    let theirs = write(dir.path(), "theirs.log", text.as_bytes());
    let state = dir.path().join("theirs.state");
    assert_eq!(cron_run(&[&theirs], &state, &["-q"]).code, 0);
    std::fs::remove_file(&theirs).unwrap();
    let before = std::fs::read(&state).unwrap();
    for _ in 0..2 {
        let r = cron_run(&[&ours], &state, &["-q"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        let said = "ours.log: the referrers of its first lines name example.com";
        assert!(r.stderr.contains(said) && r.stderr.contains("never other-site.org"), "{}", r.stderr);
        assert!(r.stderr.contains("state not advanced, as"), "{}", r.stderr);
        assert!(std::fs::read(&state).unwrap() == before, "the state took another site's logs");
    }
    let right = dir.path().join("ours.state");
    assert_eq!(cron_run(&[&ours], &right, &["-q"]).code, 0);
    let next = write(dir.path(), "next.log", &lines[half..].concat());
    let r = cron_run(&[&ours, &next], &right, &["-q"]);
    assert!(!r.stderr.contains("referrers of its first lines"), "{}", r.stderr);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A log of the same site the state has read none of, alone: the other-site test runs
    // (no input is known), and finds the site in its referrers.
    let later = write(dir.path(), "later.log", &self::lines(8_000, 10, 4).concat());
    let r = cron_run(&[&later], &right, &["-q"]);
    assert!(!r.stderr.contains("referrers of its first lines"), "{}", r.stderr);
}

/// A stray old copy of a log put among the logs is refused (its lines are older than the
/// state's); removed afterwards, it is not called a log rotated away with unread lines.
#[test]
fn a_stray_old_copy_removed_is_not_a_lost_log() {
    let lines = lines(12_000, 3, 6);
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &lines.concat());
    let state = dir.path().join("s.state");
    assert_eq!(cron_run(&[&log], &state, &["-q"]).code, 0);
    let stray = write(dir.path(), "access.log.old", &lines[50..lines.len() / 2].concat());
    let r = cron_run(&[&log, &stray], &state, &["-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("access.log.old: ") && r.stderr.contains("are older than the logs"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(&stray).unwrap();
    let r = cron_run(&[&log], &state, &["-q"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

/// A compressed log cut long ago (a compression a crash cut off) is read on from where it
/// broke, not held for: holding would stop the state for as long as the file stays. And
/// a compressed log whole but shorter than what was read of it holds nothing new: said,
/// no error.
#[test]
fn an_old_cut_rotation_does_not_hold_the_state_back() {
    let lines = lines(12_000, 13, 3);
    let n = lines.len();
    let dir = tempfile::tempdir().unwrap();
    let (live, gz, state) =
        (dir.path().join("access.log"), dir.path().join("access.log.1.gz"), dir.path().join("s.state"));
    std::fs::write(&live, lines[..n / 2].concat()).unwrap();
    assert_eq!(cron_run(&[&live], &state, &["-q"]).code, 0);
    let rotated = gzip(&lines[..n / 2].concat());
    std::fs::write(&gz, &rotated[..rotated.len() / 3]).unwrap();
    let touched = std::process::Command::new("touch").args(["-d", "2 hours ago", s(&gz)]).status().unwrap();
    assert!(touched.success());
    std::fs::write(&live, lines[n / 2..].concat()).unwrap();
    let r = cron_run(&[&gz, &live], &state, &["-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("bytes the last run read of it") && !r.stderr.contains("not advanced"),
        "{}",
        r.stderr
    );
    // Whole, and shorter than what was read of the log it was: nothing new, no error.
    std::fs::write(&gz, gzip(&lines[..n / 4].concat())).unwrap();
    let r = cron_run(&[&gz, &live], &state, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("nothing in it is new, not read"), "{}", r.stderr);
}

/// With a state, the page's line accounting is of the report's days over every run, the
/// inputs table of this run: the page says which is which.
#[test]
fn the_page_tells_the_state_s_lines_from_this_run_s() {
    let dir = tempfile::tempdir().unwrap();
    let all = lines(3000, 12, 2);
    let log = dir.path().join("access.log");
    let state = dir.path().join("site.state");
    std::fs::write(&log, all[..2000].concat()).unwrap();
    assert_eq!(cron_run(&[&log], &state, &[]).code, 0);
    std::fs::write(&log, all.concat()).unwrap();
    let page =
        report(&["analyze", s(&log), "--state", s(&state), "--visitor-key", "k", "-q", "--format", "html"]);
    let rest = all.len() - 2000;
    let said = format!(
        "as the state counted them over every run that read them; this run read <span data-v=\"{rest}\">{}</span>",
        thousands(rest as u64)
    );
    assert!(page.contains(&said), "{said}");
    // Without a state the two are one number, and nothing is said.
    let page = report(&["analyze", s(&log), "--visitor-key", "k", "-q", "--format", "html"]);
    assert!(!page.contains("this run read"), "{page}");
}
