//! Every layout reads to the same visits: one generated log rewritten into each
//! (`relayout.rs`) gives, through the built binary, the visits per channel of the
//! combined original, and `auto` names the preset that wrote it.

use crate::relayout::{relayout, Layout};
use crate::util::*;

fn report(path: &str, report: &str, extra: &[&str]) -> Run {
    let format = if extra.contains(&"--format") { &[][..] } else { &["--format", "csv"][..] };
    let mut args = vec!["analyze", path, "--report", report, "--visitor-key=formats"];
    args.extend_from_slice(format);
    args.extend_from_slice(extra);
    darklog(&args)
}

#[test]
fn every_layout_gives_the_visits_of_the_combined_original() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(25_000, 11);
    let original = write(dir.path(), "original.log", &log);
    let want = report(s(&original), "channels", &["-q"]);
    assert_eq!(want.code, 0, "{}", want.stderr);
    let want_visits = report(s(&original), "visits", &["-q"]).stdout;
    let want_doc: serde_json::Value =
        serde_json::from_str(&report(s(&original), "channels", &["-q", "--format", "json"]).stdout).unwrap();
    let want_lines = &want_doc["lines"];
    assert!(want_visits.lines().count() > 1000, "a log with visits in every channel");
    for layout in Layout::ALL {
        assert_eq!(Layout::from_name(layout.name()), Some(layout));
        let path = write(dir.path(), &format!("{}.log", layout.name()), &relayout(&log, layout));
        let got = report(s(&path), "channels", &layout.args());
        assert_eq!(got.code, 0, "{}: {}", layout.name(), got.stderr);
        assert_eq!(got.stdout, want.stdout, "{}: visits per channel", layout.name());
        // Small blocks on several threads: a W3C field list is carried from block to block.
        let mut small = layout.args();
        small.extend(["-q", "--block-size", "7000", "--threads", "3"]);
        assert_eq!(
            report(s(&path), "channels", &small).stdout,
            want.stdout,
            "{}: small blocks",
            layout.name()
        );
        if let Some(preset) = layout.preset() {
            let said = format!("darklog: log format: {preset} (detected from");
            assert!(got.stderr.contains(&said), "{}: {}", layout.name(), got.stderr);
        }
        let mut args = layout.args();
        args.push("-q");
        let visits = report(s(&path), "visits", &args).stdout;
        assert!(visits == want_visits, "{}: the same visits, visitor for visitor", layout.name());
        // Written by a Windows tool, with a byte-order mark first: the same.
        let bom = [&b"\xEF\xBB\xBF"[..], &relayout(&log, layout)].concat();
        let bom = write(dir.path(), &format!("{}.bom.log", layout.name()), &bom);
        let mut auto = layout.args();
        auto.push("-q");
        assert!(report(s(&bom), "visits", &auto).stdout == want_visits, "{}: after a BOM", layout.name());
        // Every line where it went before, directives apart.
        args.extend(["--format", "json"]);
        let doc: serde_json::Value =
            serde_json::from_str(&report(s(&path), "channels", &args).stdout).unwrap();
        let lines = &doc["lines"];
        for key in ["pageviews", "other_hits", "excluded", "outside_window", "malformed"] {
            assert_eq!(lines[key], want_lines[key], "{}: {key}", layout.name());
        }
        assert_eq!(
            lines["read"].as_u64(),
            Some(want_lines["read"].as_u64().unwrap() + lines["directives"].as_u64().unwrap())
        );
    }
}

#[test]
fn behind_a_balancer_the_client_comes_from_x_forwarded_for() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(6_000, 12);
    let original = write(dir.path(), "original.log", &log);
    let want = report(s(&original), "channels", &["-q"]).stdout;
    let path = write(dir.path(), "apache.log", &relayout(&log, Layout::ApacheXff));
    let format = crate::relayout::APACHE_XFF;
    // Keyed on the balancer, every reader is one visitor: the visits are wrong.
    let keyed_on_balancer = report(s(&path), "channels", &["--log-format", format, "-q"]).stdout;
    assert_ne!(keyed_on_balancer, want);
    let r = report(s(&path), "channels", &["--log-format", format]);
    assert!(r.stderr.contains("carry a forwarded-for header"), "{}", r.stderr);
    let right =
        report(s(&path), "channels", &["--log-format", format, "--client-ip", "X-Forwarded-For", "-q"]);
    assert_eq!(right.stdout, want);
    // explain places lines in visits by the client --client-ip picks too: its verdicts
    // are those of the original lines.
    let verdicts = |args: &[&str], lines: &[u8]| -> Vec<String> {
        let first: Vec<u8> = lines.split_inclusive(|&b| b == b'\n').take(400).flatten().copied().collect();
        let r = darklog_stdin(&[&["explain", "-"][..], args].concat(), &first);
        // A malformed line names the layout it is not in, which differs.
        let verdict = |l: &str| if l.contains("malformed") { "malformed".to_string() } else { l.to_string() };
        r.stdout.lines().filter(|l| l.starts_with("verdict:")).map(verdict).collect()
    };
    let behind = relayout(&log, Layout::ApacheXff);
    let picked = verdicts(&["--log-format", format, "--client-ip", "X-Forwarded-For"], &behind);
    assert_eq!(picked, verdicts(&[], &log));
    assert_ne!(verdicts(&["--log-format", format], &behind), picked, "keyed on the balancer");
}

#[test]
fn a_layout_says_which_channels_it_cannot_see() {
    let r = darklog(&["analyze", "fixtures/formats/alb.log", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("alb.log: the alb layout logs no referrer: search, social"), "{}", r.stderr);
    // IIS 7.5's field list here has no cs(Referer).
    let r = darklog(&["analyze", "fixtures/formats/iis_w3c_7.5.log", "--format", "csv"]);
    assert!(r.stderr.contains("the w3c layout logs no referrer"), "{}", r.stderr);
    let r = darklog(&["analyze", "fixtures/formats/apache_common.log", "--format", "csv"]);
    assert!(r.stderr.contains("the common layout logs no referrer or user agent"), "{}", r.stderr);
    // And --client-ip on a layout without the header changes nothing, and says so.
    let r = darklog(&["analyze", "fixtures/small.log", "--client-ip", "x-forwarded-for", "--format", "csv"]);
    let said =
        "the combined layout carries the header --client-ip names (x-forwarded-for): visitors are keyed";
    assert!(r.stderr.contains(&format!("no sampled line of {said}")), "{}", r.stderr);
    // explain says it of the lines it is given.
    let small = std::fs::read(fixture("small.log")).unwrap();
    let r = darklog_stdin(&["explain", "--client-ip", "x-forwarded-for"], &small);
    assert!(r.stderr.contains(&format!("no line of {said}")), "{}", r.stderr);
}

#[test]
fn a_rotated_set_hears_each_word_once_naming_its_files() {
    // Three rotations of a common-layout log: one caveat for all three, not three.
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read(fixture("formats/apache_common.log")).unwrap();
    let (old, rest) = split_lines(&log, 1);
    let (new, current) = split_lines(rest, 1);
    let paths = [write(dir.path(), "access.log.2", old), write(dir.path(), "access.log.1", new)];
    let current = write(dir.path(), "access.log", current);
    let r = darklog(&["analyze", s(&paths[0]), s(&paths[1]), s(&current), "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said: Vec<&str> = r.stderr.lines().filter(|l| l.contains("logs no referrer")).collect();
    let names = format!("{}, {} and 1 more", s(&paths[0]), s(&paths[1]));
    assert_eq!(said.len(), 1, "{}", r.stderr);
    assert!(
        said[0].starts_with(&format!("darklog: {names}: the common layout logs no referrer")),
        "{}",
        r.stderr
    );
}

/// Behind a proxy outside the private ranges, --client-ip alone takes the proxy for the
/// client (the right-most address not trusted): every reader is one visitor. Said, with
/// the flag that fixes it.
#[test]
fn a_public_proxy_not_trusted_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let mut log = String::new();
    for (i, client) in ["203.0.113.5", "198.51.100.7", "192.0.2.44", "203.0.113.90"].iter().enumerate() {
        for path in [format!("/2026/11/story-number-{i}"), "/assets/app.css".to_string()] {
            log.push_str(&format!(
                "\"{client}, 172.70.1.1\" 172.70.1.1 - - [10/Nov/2026:10:0{i}:00 +0000] \"GET {path} HTTP/1.1\" \
                 200 1234 \"-\" \"{ua}\"\n"
            ));
        }
    }
    let path = write(dir.path(), "xff.log", log.as_bytes());
    let format = "\"$http_x_forwarded_for\" $remote_addr - $remote_user [$time_local] \"$request\" $status \
                  $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
    let visits = |extra: &[&str]| {
        let args =
            [&["analyze", s(&path), "--log-format", format, "--client-ip", "x-forwarded-for"][..], extra]
                .concat();
        let r = darklog(&[&args[..], &["--format", "json", "--site", "example.com"]].concat());
        assert_eq!(r.code, 0, "{}", r.stderr);
        (json(&r)["headline"]["visits"].as_u64().unwrap(), r.stderr)
    };
    let (one, said) = visits(&[]);
    assert_eq!(one, 1, "keyed on the proxy");
    assert!(
        said.contains("8 of 8 sampled lines are still keyed on one address, 172.70.1.1, though their forwarded-for headers name 4 others")
            && said.contains("--trusted-proxy CIDR"),
        "{said}"
    );
    let (four, said) = visits(&["--trusted-proxy", "172.70.0.0/16"]);
    assert_eq!(four, 4);
    assert!(!said.contains("still keyed"), "{said}");
}

/// A log relayed through syslog reads the same whether its layout is detected, named, or
/// given as a format string: the prefix is skipped before any of them.
#[test]
fn a_syslog_prefix_is_skipped_before_a_named_layout_too() {
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read_to_string(fixture("small.log")).unwrap();
    let relayed: String =
        small.lines().map(|l| format!("<190>Nov  2 10:00:00 web1 nginx[2869]: {l}\n")).collect();
    let log = write(dir.path(), "relayed.log", relayed.as_bytes());
    let want = report(s(&fixture("small.log")), "visits", &["-q"]);
    assert_eq!(want.code, 0, "{}", want.stderr);
    let nginx = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
    for layout in [&[][..], &["--log-format", "combined"][..], &["--log-format", nginx][..]] {
        let got = report(s(&log), "visits", &[layout, &["-q"][..]].concat());
        assert_eq!((got.code, &got.stdout), (0, &want.stdout), "{layout:?}: {}", got.stderr);
    }
    let line = relayed.lines().nth(1).unwrap();
    let explained = darklog(&["explain", line, "--log-format", nginx]);
    assert!(explained.stdout.contains("visitor:     client 198.51.100.10 with"), "{}", explained.stdout);
}

/// A layout named for a log in another fails that log (exit 2, with the layout detection
/// finds), as a log in no layout does with `auto`: not an empty report and exit 0. The
/// other inputs are still reported.
#[test]
fn a_named_layout_that_reads_no_line_of_a_log_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read(fixture("small.log")).unwrap();
    let log = write(dir.path(), "access.log", &small);
    let relayed = relayout(&small, Layout::NginxJson);
    let json = write(dir.path(), "access.json", &relayed);
    let r = darklog(&["analyze", s(&json), "--log-format", "combined", "-q", "--format", "csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let said = "access.json: none of its 22 lines is in the combined layout --log-format names; \
                detected, it reads as json (--log-format auto)";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let both = darklog(&["analyze", s(&log), s(&json), "--log-format", "combined", "-q", "--format", "csv"]);
    let alone = darklog(&["analyze", s(&log), "--log-format", "combined", "-q", "--format", "csv"]);
    let malformed = |csv: &str| csv.lines().find(|l| l.starts_with("lines_malformed,")).unwrap().to_string();
    assert_eq!(
        (both.code, malformed(&both.stdout)),
        (2, "lines_malformed,23".to_string()),
        "{}",
        both.stderr
    );
    assert_eq!(malformed(&alone.stdout), "lines_malformed,1");
    // A log whose first 1,200 lines (more than the sample) are in another layout and the
    // rest in the named one is read, the rest counted: no error, and the notice of
    // malformed lines says where to split it.
    let log = generate(3_000, 8);
    let cut = log.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(1_199).unwrap().0 + 1;
    let changed = [relayout(&log[..cut], Layout::NginxJson), log[cut..].to_vec()].concat();
    let changed = write(dir.path(), "changed.log", &changed);
    let r = darklog(&["analyze", s(&changed), "--log-format", "combined", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(crate::util::json(&r)["headline"]["visits"].as_u64().unwrap() > 100, "{}", r.stdout);
    assert!(r.stderr.contains("split it where the first malformed line is"), "{}", r.stderr);
}

/// With its proxies named, a line logged from any other address is that address: a
/// scraper that reaches the server itself and forges X-Forwarded-For on every request is
/// one visitor, not twenty readers. (With none named, the logged address is taken to be
/// the site's proxy, as the README says.)
#[test]
fn a_forged_forwarded_for_from_outside_the_named_proxies_is_not_believed() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let mut log = String::new();
    for i in 0..20 {
        log += &format!(
            "198.51.100.200 - - [02/Nov/2026:10:{i:02}:00 +0000] \"GET /2026/11/story-{i} HTTP/1.1\" 200 5 \"-\" \"{ua}\" \"203.0.113.{i}\"\n"
        );
        log += &format!(
            "172.70.1.1 - - [02/Nov/2026:10:{i:02}:30 +0000] \"GET /2026/11/other-{i} HTTP/1.1\" 200 5 \"-\" \"{ua}\" \"192.0.2.{i}\"\n"
        );
    }
    let visits = |extra: &[&str]| {
        let args = [&["analyze", "-", "--format", "json", "-q", "--client-ip", "x-forwarded-for"][..], extra]
            .concat();
        let r = darklog_stdin(&args, log.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r)["headline"]["visits"].as_u64().unwrap()
    };
    assert_eq!(visits(&["--trusted-proxy", "172.70.0.0/16"]), 1 + 20);
    assert_eq!(visits(&[]), 20 + 20);
    // explain says which address was taken, and why.
    let (forged, proxied) = (log.lines().next().unwrap(), log.lines().nth(1).unwrap());
    for (line, said) in [
        (forged, "--client-ip keeps the logged address 198.51.100.200: it, or the header's last hop, is no trusted proxy"),
        (proxied, "--client-ip picks 192.0.2.0, the first from the right that is no trusted proxy; logged from 172.70.1.1"),
    ] {
        let args = ["explain", line, "--client-ip", "x-forwarded-for", "--trusted-proxy", "172.70.0.0/16"];
        let r = darklog(&args);
        assert!(r.stdout.contains(said), "{}", r.stdout);
    }
}

/// A layout with room for a referrer whose lines never carry one (Traefik's JSON drops
/// request headers unless told to keep them) is said, on stderr and in the page, as a
/// layout without the field is: its search visits would be counted as dark social.
#[test]
fn lines_that_never_carry_a_referrer_are_said() {
    let hit = |i: usize, path: &str| {
        format!(
            "{{\"ClientHost\":\"203.0.113.{}\",\"RequestMethod\":\"GET\",\"RequestPath\":\"{path}\",\
             \"RequestProtocol\":\"HTTP/1.1\",\"DownstreamStatus\":200,\"time\":\"2026-11-10T10:{:02}:00Z\"}}\n",
            i + 1,
            i
        )
    };
    let page = |i| hit(i, &format!("/2026/11/story-{i}"));
    let log: String = (0..30).map(|i| page(i) + &hit(i, "/static/site.css")).collect();
    let said = "none of its first 60 requests (30 for what pages embed) carries a referrer or user agent \
                (does the log record it?)";
    let r = darklog_stdin(&["analyze", "-", "--format", "html"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(said) && r.stdout.contains(said), "{}", r.stderr);
    // Pages alone (bots' at the start of a log, with their agents) say nothing of
    // referrers; nor does the sample. (Without an agent on any line, a JSON log dropped
    // its headers, referrer and all: said from a few lines.)
    let bot = ",\"request_User-Agent\":\"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"}";
    let pages: String = (0..60).map(|i| page(i).replacen('}', bot, 1)).collect();
    let r = darklog_stdin(&["analyze", "-"], pages.as_bytes());
    assert!(!r.stderr.contains("carries a referrer"), "{}", r.stderr);
    let r = darklog(&["analyze", s(&fixture("sample.log.gz")), "--format", "csv"]);
    assert!(!r.stderr.contains("carries a"), "{}", r.stderr);
}

/// HAProxy writes its times without a zone: read in UTC unless --tz names the server's,
/// which a notice says.
#[test]
fn zoneless_times_read_in_utc_are_said() {
    let log = fixture("formats/haproxy_httplog.log");
    let said = "layout writes its times without a zone: they are read in UTC (--tz ZONE";
    let r = darklog(&["analyze", s(&log), "--captured-headers", "User-Agent", "--format", "csv"]);
    assert!(r.stderr.contains(said), "{}", r.stderr);
    // Named, even as UTC, the zone is the user's choice: nothing to say.
    for tz in ["Europe/Paris", "UTC"] {
        let r =
            darklog(&["analyze", s(&log), "--captured-headers", "User-Agent", "--tz", tz, "--format", "csv"]);
        assert!(!r.stderr.contains(said), "--tz {tz}: {}", r.stderr);
    }
    let r = darklog(&["analyze", s(&fixture("small.log")), "--format", "csv"]);
    assert!(!r.stderr.contains(said), "{}", r.stderr);
}

/// AWS's Classic Load Balancer logs (its documentation's examples, and readers in its
/// layout) are detected and read; there is no referrer, which the run says.
#[test]
fn classic_load_balancer_logs_are_read() {
    let r = darklog(&["analyze", s(&fixture("formats/elb_classic.log")), "--format", "csv"]);
    assert!(r.code == 0 && r.stderr.contains("log format: elb (detected from 4 lines"), "{}", r.stderr);
    assert!(r.stderr.contains("the elb layout logs no referrer"), "{}", r.stderr);
    let reader = |i: usize| {
        format!(
            "2026-11-10T10:{i:02}:00.000000Z my-loadbalancer 203.0.113.{i}:2817 10.0.0.1:80 0.000073 0.001048 \
             0.000057 200 200 0 29 \"GET https://www.example.com:443/2026/11/a-long-story-{i} HTTP/1.1\" \
             \"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
             Version/17.0 Mobile/15E148 Safari/604.1\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2\n"
        )
    };
    let log: String = (0..20).map(reader).collect();
    let r = darklog_stdin(&["analyze", "-", "--format", "json"], log.as_bytes());
    assert!(r.code == 0 && r.stderr.contains("log format: elb"), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["lines"]["pageviews"], 20, "{}", r.stdout);
    // Readers on deep pages with no referrer (none is logged): dark social, inferred.
    assert_eq!(doc["headline"]["inferred_visits"], 20, "{}", r.stdout);
}

/// Nginx Proxy Manager's proxy-host logs (its own `proxy` log_format) are detected and
/// read: the client from `[Client …]`, the site from the host, the referrer at the end.
#[test]
fn nginx_proxy_manager_logs_are_read() {
    let r = darklog(&["analyze", s(&fixture("formats/npm_proxy.log")), "--format", "json"]);
    assert!(r.code == 0 && r.stderr.contains("log format: npm (detected from 3 lines"), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["lines"]["read"], 3, "{}", r.stdout);
    assert_eq!(
        (&doc["lines"]["malformed"], &doc["lines"]["out_of_order"]),
        (&0.into(), &0.into()),
        "{}",
        r.stdout
    );
    let search = doc["channels"].as_array().unwrap().iter().find(|c| c["channel"] == "search").unwrap();
    assert_eq!(search["visits"], 1, "the Google click is read from the last field: {}", r.stdout);
}

/// A JSON log's times are each line's own: an ISO 8601 time without an offset is read in
/// UTC as HAProxy's are, and said the same; with an offset, or a number of seconds,
/// there is nothing to say.
#[test]
fn json_times_without_a_zone_are_said() {
    let said = "the json layout writes its times without a zone: they are read in UTC (--tz ZONE";
    let line = |time: &str, i: usize| {
        format!(
            "{{\"time\":{time},\"remote_addr\":\"10.0.0.{i}\",\"request\":\"GET /a/story-{i} HTTP/1.1\",\
             \"status\":200,\"http_referer\":\"\",\"http_user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) \
             AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\"}}\n"
        )
    };
    let log = |time: &dyn Fn(usize) -> String| -> String { (0..30).map(|i| line(&time(i), i)).collect() };
    let zoneless = log(&|i| format!("\"2026-11-01T10:{i:02}:00\""));
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], zoneless.as_bytes());
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let r = darklog_stdin(&["analyze", "-", "--tz", "Europe/Paris", "--format", "csv"], zoneless.as_bytes());
    assert!(!r.stderr.contains(said), "{}", r.stderr);
    for zoned in
        [log(&|i| format!("\"2026-11-01T10:{i:02}:00+01:00\"")), log(&|i| format!("{}", 1_793_000_000 + i))]
    {
        let r = darklog_stdin(&["analyze", "-", "--format", "csv"], zoned.as_bytes());
        assert!(r.code == 0 && !r.stderr.contains(said), "{}", r.stderr);
        let r = darklog_stdin(&["explain", "-"], zoned.lines().next().unwrap().as_bytes());
        assert!(
            r.stdout.contains("time:        2026-11-01T09:00:00Z (UTC)\n")
                || r.stdout.contains("time:        2026-10-26T07:33:20Z (UTC)\n"),
            "{}",
            r.stdout
        );
    }
    // `explain` says it on the line, the first one included.
    let first = zoneless.lines().next().unwrap();
    let r = darklog_stdin(&["explain", "-"], first.as_bytes());
    let utc = "time:        2026-11-01T10:00:00Z (UTC; written without a zone, read in UTC: --tz ZONE reads it in the server's)";
    assert!(r.stdout.contains(utc), "{}", r.stdout);
    // A zoned line after a zoneless one in the same log is not said to be zoneless.
    let zoned_after = format!("{first}\n{}", line("\"2026-11-01T10:05:00+01:00\"", 7));
    let r = darklog_stdin(&["explain", "-"], zoned_after.as_bytes());
    assert!(r.stdout.contains(utc), "{}", r.stdout);
    assert!(r.stdout.contains("time:        2026-11-01T09:05:00Z (UTC)\n"), "{}", r.stdout);
    let r = darklog_stdin(&["explain", "-", "--tz", "Europe/Paris"], first.as_bytes());
    assert!(
        r.stdout.contains(
            "time:        2026-11-01T09:00:00Z (UTC; written without a zone, read in Europe/Paris)"
        ),
        "{}",
        r.stdout
    );
}

/// HAProxy writes its times without a zone: `explain` says which it read them in.
#[test]
fn explain_says_the_zone_of_haproxy_times() {
    let line = std::fs::read_to_string(fixture("formats/haproxy_httplog.log")).unwrap();
    let line = line.lines().next().unwrap();
    let r = darklog(&["explain", line]);
    assert!(
        r.stdout.contains(
            "time:        2009-02-06T12:14:14Z (UTC; written without a zone, read in UTC: --tz ZONE"
        ),
        "{}",
        r.stdout
    );
    let r = darklog(&["explain", line, "--tz", "+02:00"]);
    assert!(
        r.stdout
            .contains("time:        2009-02-06T10:14:14Z (UTC; written without a zone, read in +02:00)\n"),
        "{}",
        r.stdout
    );
}

/// A trailing quoted field that is not the forwarded-for header (`"$upstream_addr"`)
/// makes a combined log look like nginx's `main`: read as the header, it would key every
/// reader on the upstream. Said, with what to do.
#[test]
fn a_header_that_names_one_address_for_every_reader_is_said() {
    let log = generate(3000, 5);
    let upstream: Vec<u8> = log
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .flat_map(|l| [l, b" \"10.0.0.5:8080\"\n"].concat())
        .collect();
    let said = "are all keyed on 10.0.0.5: the main layout's field read as the header names one address";
    let r = darklog_stdin(&["analyze", "-", "--client-ip", "x-forwarded-for", "--format", "csv"], &upstream);
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], &upstream);
    assert!(!r.stderr.contains(said), "{}", r.stderr);
    // A real header, many clients behind a balancer, says nothing of the kind.
    let behind = relayout(&log, Layout::ApacheXff);
    let mut args = vec!["analyze", "-", "--format", "csv"];
    args.extend(Layout::ApacheXff.args());
    let r = darklog_stdin(&args, &behind);
    assert!(!r.stderr.contains("are all keyed on"), "{}", r.stderr);
}

/// HAProxy's captured headers are named by --captured-headers in order: a list that
/// does not match the lines' fields would read the host as the agent (every visitor a
/// bot, exit 0, not a word). It is said, on stderr and the page.
#[test]
fn haproxy_captures_the_names_do_not_match_are_said() {
    let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let log: String = (0..8)
        .map(|i| {
            format!(
                "Nov 10 10:00:0{i} lb1 haproxy[1234]: 203.0.113.{i}:51234 [10/Nov/2026:10:00:0{i}.123] fe_https~ \
                 be_web/web1 0/0/1/10/11 200 1234 - - ---- 1/1/0/0/0 0/0 {{www.example.com|-|{ua}}} \
                 \"GET /2026/11/long-story-about-things HTTP/1.1\"\n"
            )
        })
        .collect();
    let said = "its lines capture 3 request headers, --captured-headers names 1: the names go to the captured fields in order";
    let r = darklog_stdin(
        &["analyze", "-", "--captured-headers", "User-Agent", "--format", "markdown"],
        log.as_bytes(),
    );
    assert!(r.stderr.contains(said), "{}", r.stderr);
    assert!(r.stdout.contains("> **Read with care:** ") && r.stdout.contains(said), "{}", r.stdout);
    let r = darklog_stdin(&["analyze", "-", "--format", "json"], log.as_bytes());
    assert!(!r.stderr.contains("--captured-headers names"), "{}", r.stderr);
    assert_eq!(json(&r)["headline"]["visits"], 8, "{}", r.stdout);
}
