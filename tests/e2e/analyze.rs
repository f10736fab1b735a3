//! Every report in every format on a small hand-written log whose right answer was
//! worked out line by line (see the comments in `fixtures/small.log`'s test below).

use crate::util::*;

const KEY: &str = "--visitor-key=e2e";

/// fixtures/small.log, worked out by hand. 22 lines: 12 page views (visitor A 4, eight
/// other visitors 1 each), 6 other hits (A's three assets, B's CSS, a POST, a 404),
/// 3 excluded (a WhatsApp preview, Googlebot twice) and 1 malformed (a common-format
/// line). Eleven visits: A has three (a deep landing with no referrer, then `/` 42
/// minutes after its last page view, then the next day), B to I one each.
#[test]
fn summary_table_is_exact() {
    let r = darklog(&["analyze", "fixtures/small.log"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    expect_file("small.summary.txt", &r.stdout);
    assert!(r.stdout.starts_with(
        "Dark social: 27.3% of visits (3 of 11): 18.2% identified (shares, tags, apps) + 9.1% inferred (no referrer on a deep page)\n"
    ));
    assert!(r.stdout.contains(
        "22 lines read = 12 page views + 6 other hits + 0 downloads + 3 excluded (bots, previews, scrapers) + 0 unconfirmed (no browser evidence) + 0 outside the window + 0 out of order + 1 malformed + 0 directives"
    ));
    assert_eq!(
        r.stderr,
        "darklog: log format: combined (detected from 22 lines of fixtures/small.log; --log-format to choose)\n\
         darklog: site: example.com (inferred from the referrers of asset requests; --site to set)\n"
    );
}

#[test]
fn every_report_in_every_format() {
    for report in ["summary", "channels", "pages", "daily", "visits", "shares"] {
        for format in ["table", "csv", "json", "markdown"] {
            let r = darklog(&[
                "analyze",
                "fixtures/small.log",
                "--report",
                report,
                "--format",
                format,
                KEY,
                "-q",
            ]);
            assert_eq!(r.code, 0, "{report}/{format}: {}", r.stderr);
            assert_eq!(r.stderr, "", "{report}/{format}: --quiet leaves stderr empty");
            let ext = match format {
                "table" => "txt",
                "markdown" => "md",
                other => other,
            };
            expect_file(&format!("small.{report}.{ext}"), &r.stdout);
            if format == "json" {
                let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
                assert_eq!(doc["version"], 4);
                assert_eq!(doc["report"], report);
                assert_eq!(doc["lines"]["read"], 22);
                assert_eq!(doc["lines"]["malformed"], 1);
            }
        }
    }
}

#[test]
fn csv_columns_are_stable() {
    let first_line = |report: &str| {
        let r = darklog(&["analyze", "fixtures/small.log", "--report", report, "--format", "csv", KEY, "-q"]);
        r.stdout.lines().next().unwrap().to_string()
    };
    assert_eq!(first_line("channels"), "channel,visits,visits_pct,pageviews,kind");
    assert_eq!(first_line("summary"), "metric,value");
    assert_eq!(
        first_line("visits"),
        "start,visitor,landing,channel,source,reason,pageviews,end,hits,referrer_host,start_local,end_local"
    );
    assert!(first_line("pages").starts_with("landing,dark_social_visits,visits"));
    assert!(first_line("daily").starts_with("date,visits,dark_social,dark_social_pct"));
}

#[test]
fn csv_and_json_put_the_line_accounting_on_stderr() {
    for format in ["csv", "json"] {
        let r = darklog(&["analyze", "fixtures/small.log", "--format", format]);
        assert!(
            r.stderr
                .contains("darklog: 22 lines read = 12 page views + 6 other hits + 0 downloads + 3 excluded"),
            "{format}: {}",
            r.stderr
        );
        assert!(!r.stdout.contains("lines read"));
    }
}

#[test]
fn visitor_ids_are_keyed_hashes_never_addresses() {
    let visits = |key: Option<&str>| {
        let mut args = vec!["analyze", "fixtures/small.log", "--report", "visits", "--format", "csv"];
        args.extend(key.map(|k| ["--visitor-key", k]).into_iter().flatten());
        darklog(&args)
    };
    let (a, b, c) = (visits(Some("one")), visits(Some("two")), visits(None));
    for r in [&a, &b, &c] {
        assert!(!r.stdout.contains("198.51.100.10") && !r.stdout.contains("2001:db8"));
    }
    let ids = |r: &Run| {
        r.stdout.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_ne!(ids(&a), ids(&b));
    assert_eq!(ids(&a), ids(&visits(Some("one"))), "the same passphrase gives the same ids");
    assert!(ids(&a).iter().all(|id| {
        id.len() == 17 && id.starts_with('v') && id[1..].chars().all(|c| c.is_ascii_hexdigit())
    }));
}

#[test]
fn site_and_front_flags_change_the_verdicts() {
    // Without the site, the internal referrer of A's second page is irrelevant (not a
    // landing), but a landing referred from the site would become referral: check the
    // flag is honoured by naming a different site.
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--report",
        "channels",
        "--format",
        "csv",
        "-q",
        "--front",
        "/news/2026/11/03/follow-up",
    ]);
    assert!(r.stdout.contains("dark-social,2,"), "{}", r.stdout);
    assert!(r.stdout.contains("direct,4,"), "{}", r.stdout);
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--report",
        "visits",
        "--format",
        "csv",
        "-q",
        "--site",
        "blog.example.org",
        KEY,
    ]);
    assert!(r.stdout.contains(",direct,internal,referrer-internal,"), "{}", r.stdout);
}

#[test]
fn window_flags_count_hits_outside() {
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--since",
        "2026-11-02T10:06:00Z",
        "--until",
        "2026-11-03",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let l = &doc["lines"];
    // Before 10:06 UTC: 10 lines; on Nov 3: 1 line. The malformed line has no time.
    assert_eq!(l["outside_window"], 11, "{l}");
    assert_eq!(l["read"], 22);
    let sum = parts_of(l);
    assert_eq!(sum, 22);
    assert_eq!(doc["window"]["since"], "2026-11-02T10:06:00Z");
    // Relative windows: nothing in this 2026 log is within the last hour of "now"... unless
    // the clock is wrong; the far past includes everything.
    let r = darklog(&["analyze", "fixtures/small.log", "--since", "100000d", "--format", "json", "-q"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["lines"]["outside_window"], 0);
}

#[test]
fn session_timeout_flag() {
    // With a 50-minute timeout, A's return to `/` 42 minutes later is the same visit.
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--session-timeout",
        "50m",
        "--report",
        "channels",
        "--format",
        "csv",
        "-q",
    ]);
    assert!(r.stdout.contains("direct,2,"), "{}", r.stdout);
    let r = darklog(&["analyze", "fixtures/small.log", "--session-timeout", "soon"]);
    assert_eq!(r.code, 1);
}

#[test]
fn verbose_shows_malformed_lines_with_their_place() {
    let r = darklog(&["analyze", "fixtures/small.log", "-v", "--format", "csv"]);
    assert!(
        r.stderr.contains(
            "darklog: fixtures/small.log:20: malformed line: 192.0.2.47 - - [02/Nov/2026:11:15:00 +0100]"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors_exit_1_with_clap_message() {
    for args in [
        &["analyze"][..],
        &["analyze", "fixtures/small.log", "--format", "xml"],
        &["analyze", "fixtures/small.log", "--threads", "0"],
        &["frobnicate"],
    ] {
        let r = darklog(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("error:"), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    // A count the help's "at most 256" does not contradict.
    let r = darklog(&["analyze", "fixtures/small.log", "--threads", "0"]);
    assert!(
        r.stderr
            .contains("'0' for '--threads <N>': at least 1 parser thread is needed (at most 256 are used)"),
        "{}",
        r.stderr
    );
    // Flags that parse but do not make sense: darklog's one line, not clap's usage of the
    // top command (which named `darklog <COMMAND>` for a subcommand's flags).
    for args in [
        &["analyze", "fixtures/small.log", "--since", "yesterday"][..],
        &["analyze", "fixtures/small.log", "--since", "2026-11-05", "--until", "2026-11-01"],
        &["analyze", "-", "--state", "x.state"],
        &["merge", "x.state", "--report", "visits"],
    ] {
        let r = darklog(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("darklog: ") && r.stderr.lines().count() == 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    assert_eq!(darklog(&["--help"]).code, 0);
    assert_eq!(darklog(&["--version"]).code, 0);
}

#[test]
fn output_file_is_written_whole_through_a_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("week.csv");
    let r = darklog(&["analyze", "fixtures/small.log", "--format", "csv", "-q", "-o", s(&out)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let written = std::fs::read_to_string(&out).unwrap();
    let stdout = darklog(&["analyze", "fixtures/small.log", "--format", "csv", "-q"]).stdout;
    assert_eq!(written, stdout);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("week.csv")], "no temporary left behind");

    let r = darklog(&["analyze", "fixtures/small.log", "-q", "-o", "/nonexistent-dir/x.csv"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "darklog: /nonexistent-dir/x.csv: cannot write in /nonexistent-dir: No such file or directory (os error 2)\n",
        "the file asked for and its directory, not the temporary's name"
    );
    // A rules file that cannot be read is named without a line number it does not have.
    let r = darklog(&["analyze", "fixtures/small.log", "-q", "--rules", "no/such.toml"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "darklog: no/such.toml: No such file or directory (os error 2)\n")
    );
}

#[test]
fn vhost_combined_is_detected_and_its_vhost_is_the_site() {
    let log = "\
www.example.com:443 192.0.2.1 - - [02/Nov/2026:10:00:00 +0000] \"GET /a/story HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\"
www.example.com:443 192.0.2.2 - - [02/Nov/2026:10:00:00 +0000] \"GET /b/story HTTP/1.1\" 200 10 \"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\"
blog.example.net:80 192.0.2.3 - - [02/Nov/2026:10:00:00 +0000] \"GET /c/story HTTP/1.1\" 200 10 \"https://www.example.com/x\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\"
";
    let r = darklog_stdin(&["analyze", "-", "--report", "visits", "--format", "csv", KEY], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("log format: vhost_combined"), "{}", r.stderr);
    let mut reasons: Vec<(&str, &str)> = r
        .stdout
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2], f[5])
        })
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [("/a/story", "deep-direct"), ("/b/story", "referrer-internal"), ("/c/story", "referrer-other")]
    );
}

#[test]
fn an_inverted_window_is_a_usage_error() {
    let r = darklog(&["analyze", "fixtures/small.log", "--since", "2026-11-05", "--until", "2026-11-01"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--since (2026-11-05T00:00:00Z) must be before --until"), "{}", r.stderr);
    let r = darklog(&["analyze", "fixtures/small.log", "--session-timeout", "30d"]);
    assert_eq!(r.code, 1);
}

#[test]
fn a_reader_coming_back_to_a_page_is_a_return_not_a_share() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let log = format!(
        "192.0.2.1 - - [02/Nov/2026:10:00:00 +0000] \"GET /a/story HTTP/1.1\" 200 1 \"https://www.google.com/\" \"{ua}\"\n\
         192.0.2.1 - - [04/Nov/2026:09:00:00 +0000] \"GET /a/story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n\
         192.0.2.1 - - [05/Nov/2026:09:00:00 +0000] \"GET /b/other-story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n"
    );
    let r =
        darklog_stdin(&["analyze", "-", "--report", "visits", "--format", "csv", KEY, "-q"], log.as_bytes());
    let verdicts: Vec<String> = r
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(2).take(4).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        verdicts,
        [
            "/a/story,search,google,referrer-known",
            "/a/story,direct,return,return",
            "/b/other-story,dark-social,unknown,deep-direct"
        ]
    );
}

#[test]
fn explain_names_the_signals_and_the_rule() {
    let line = "203.0.113.5 - - [02/Nov/2026:11:06:00 +0100] \"GET /sport/match-report-123 HTTP/1.1\" 200 14022 \"https://www.google.fr/search\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\"";
    let r = darklog(&["explain", line]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "format:      combined",
        "time:        2026-11-02T10:06:00Z (UTC)",
        "page view:   yes",
        "host www.google.fr: matomo.tsv line ",
        ", row google.*: search / google)",
        "user agent:  a browser (no row or list names it; a browser's mark, marks.tsv line ",
        "verdict:     search / google (rule referrer-known), as the landing of a visit",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    // Several lines on stdin, the same rules as `analyze`; a malformed one among them is
    // explained as one, not an error (as `analyze` counts it).
    let small = std::fs::read(fixture("small.log")).unwrap();
    let r = darklog_stdin(&["explain", "--site", "www.example.com", "--log-format", "combined"], &small);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "small.log has one malformed line");
    assert_eq!(r.stdout.matches("\nverdict:").count() + usize::from(r.stdout.starts_with("verdict")), 22);
    assert!(r.stdout.contains("verdict:     excluded: not a visit"));
    assert!(r.stdout.contains("verdict:     paid / google (rule click-id), as the landing of a visit"));
    assert!(r.stdout.contains("verdict:     malformed"));
    // `-` is stdin, as for analyze; lines pasted as one argument are each explained.
    let dash =
        darklog_stdin(&["explain", "--site", "www.example.com", "--log-format", "combined", "-"], &small);
    assert_eq!((dash.code, &dash.stdout), (0, &r.stdout));
    let pasted = String::from_utf8(small).unwrap();
    for block in [pasted.trim_end(), pasted.as_str()] {
        let args = ["explain", "--site", "www.example.com", "--log-format", "combined", block];
        assert_eq!(darklog(&args).stdout, r.stdout, "a final newline is no line more");
    }
    // A line in no layout, or nothing at all, is an error, said on stderr.
    for (input, said) in
        [("garbage", "the line is not in any layout darklog reads"), ("", "no line to explain")]
    {
        let r = darklog_stdin(&["explain"], input.as_bytes());
        assert_eq!(r.code, 2, "{input:?}");
        assert!(r.stderr.contains(said), "{input:?}: {}", r.stderr);
    }
}

#[test]
fn rules_prints_the_order_and_every_table() {
    let r = darklog(&["rules"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(" 13. deep-direct "), "{}", r.stdout);
    // darklog's own tables row by row; every table and list with its source.
    for table in [
        "parameters.tsv",
        "referrers.tsv",
        "email_paid.tsv",
        "user_agents.tsv",
        "marks.tsv",
        "fronts.tsv",
        "assets.tsv",
    ] {
        assert!(r.stdout.contains(&format!("== {table} (")), "{table}");
    }
    for list in ["crawlers.tsv", "matomo.tsv"] {
        assert!(!r.stdout.contains(&format!("== {list} (")), "{list} is described, not printed");
    }
    assert!(r.stdout.contains("source:  https://github.com/monperrus/crawler-user-agents"), "{}", r.stdout);
    assert!(r.stdout.contains("licence: MIT (Copyright (c) 2017 Martin Monperrus)"), "{}", r.stdout);
    assert!(r.stdout.contains("commit:  7c7f9f254f16fcbc7d0fcb60d0a188897c00b050"), "{}", r.stdout);
    assert!(
        r.stdout.contains("source:  https://github.com/matomo-org/searchengine-and-social-list"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("licence: CC0 1.0 Universal"), "{}", r.stdout);
    assert!(r.stdout.contains("patterns: 1498"), "{}", r.stdout);
    let r = darklog(&["rules", "--table", "referrers"]);
    assert!(r.stdout.starts_with("# referrers.tsv: "), "{}", r.stdout);
    let r = darklog(&["rules", "--table", "crawlers.tsv"]);
    assert!(r.stdout.starts_with("# crawlers.tsv: ") && r.stdout.lines().count() > 1500, "{}", r.stdout);
    assert_eq!(darklog(&["rules", "--table", "nope"]).code, 1);
}

#[test]
fn a_rules_file_adds_and_overrides_rows() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "rules.toml",
        br#"
[settings]
session_timeout = "50m"

[referrers]
"blog.example.org" = "social/example-blog"
"facebook.com" = "dark-social/fb-test"

[parameters]
"ref=wa" = "dark-social/whatsapp"

[user_agents]
"=Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" = "bot/in-house-checker"

[fronts]
paths = ["/news/2026/11/03/follow-up"]
"#,
    );
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--rules",
        s(&rules),
        "--report",
        "channels",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Firefox (B, the blog referral, the POST) is now a bot; the 50m timeout joins A's
    // return to `/` to A's first visit; the follow-up page is a front.
    assert!(r.stdout.contains("dark-social,2,"), "{}", r.stdout);
    assert!(r.stdout.contains("direct,2,"), "{}", r.stdout);
    assert!(r.stdout.contains("excluded:bots,4,"), "{}", r.stdout);
    // The flag beats the file.
    let r = darklog(&[
        "analyze",
        "fixtures/small.log",
        "--rules",
        s(&rules),
        "--session-timeout",
        "30m",
        "--report",
        "channels",
        "--format",
        "csv",
        "-q",
    ]);
    assert!(r.stdout.contains("direct,3,"), "{}", r.stdout);
    // A referrer row of the file wins over the table's verdict (referral).
    let line = "192.0.2.9 - - [02/Nov/2026:10:10:00 +0000] \"GET /a/b HTTP/1.1\" 200 1 \"https://blog.example.org/post/7\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\"";
    let r = darklog(&["explain", "--rules", s(&rules), line]);
    assert!(r.stdout.contains("verdict:     social / example-blog (rule referrer-known)"), "{}", r.stdout);
    assert!(r.stdout.contains("(host blog.example.org: rules file: social / example-blog)"), "{}", r.stdout);
    // A file row for a parent domain beats the table's row for the subdomain.
    let r = darklog(&[
        "explain",
        "--rules",
        s(&rules),
        &line.replace("blog.example.org/post/7", "m.facebook.com/"),
    ]);
    assert!(r.stdout.contains("verdict:     dark-social / fb-test (rule referrer-known)"), "{}", r.stdout);
    // A file's parameter rows say where they come from.
    let r = darklog(&[
        "explain",
        "--rules",
        s(&rules),
        &line.replace("GET /a/b ", "GET /a/b?ref=wa ").replace("https://blog.example.org/post/7", "-"),
    ]);
    assert!(
        r.stdout.contains("query:       rules file line 10: ref=wa -> dark-social / whatsapp"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(rule rules-file-parameter)"), "{}", r.stdout);

    let bad = write(dir.path(), "bad.toml", b"[referrers]\n\"a.example\" = \"socal/x\"\n");
    let r = darklog(&["analyze", "fixtures/small.log", "--rules", s(&bad)]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!("darklog: {}:2: referrers.\"a.example\": unknown channel 'socal' (one of dark-social, direct, search, social, email, paid, referral, ai)\n", s(&bad))
    );
}

#[test]
fn css_logged_before_its_page_still_counts_for_the_reader() {
    // 25 readers from search who load assets make "browsers load assets" the norm (and
    // browser evidence the rule); then one reader whose CSS line comes before its (slower)
    // page line. A reader with evidence, not an unconfirmed visit.
    let mut log = String::new();
    for i in 0..25 {
        let ua = format!("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.{i}");
        for (t, path, referrer) in [
            ("10:00:00", "/a/story", "https://www.google.com/".to_string()),
            ("10:00:01", "/site.css", "https://example.com/a/story".to_string()),
            ("10:02:00", "/b/story", "https://example.com/a/story".to_string()),
        ] {
            log += &format!("192.0.2.{i} - - [02/Nov/2026:{t} +0000] \"GET {path} HTTP/1.1\" 200 1 \"{referrer}\" \"{ua}\"\n");
        }
    }
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    log += &format!("198.51.100.1 - - [02/Nov/2026:10:10:01 +0000] \"GET /site.css HTTP/1.1\" 200 1 \"https://example.com/c/story\" \"{ua}\"\n");
    log += &format!(
        "198.51.100.1 - - [02/Nov/2026:10:10:00 +0000] \"GET /c/story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n"
    );
    log += &format!("198.51.100.1 - - [02/Nov/2026:10:15:00 +0000] \"GET /d/story HTTP/1.1\" 200 1 \"https://example.com/c/story\" \"{ua}\"\n");
    let r = darklog_stdin(&["analyze", "-", "--report", "channels", "--format", "csv"], log.as_bytes());
    assert!(r.stderr.contains("browsers here load assets (25 of 25 referred readers"), "{}", r.stderr);
    assert!(r.stdout.contains("excluded:no-browser-evidence,0,"), "{}", r.stdout);
    assert!(r.stdout.contains("dark-social,1,"), "{}", r.stdout);
    assert!(r.stdout.contains("search,25,"), "{}", r.stdout);
}

#[test]
fn a_scrapers_robots_txt_line_is_excluded_with_its_pages() {
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    let log = format!(
        "198.51.100.1 - - [02/Nov/2026:10:00:00 +0000] \"GET /robots.txt HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n\
         198.51.100.1 - - [02/Nov/2026:10:00:01 +0000] \"GET /a/story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n\
         198.51.100.1 - - [02/Nov/2026:10:00:02 +0000] \"GET /b/story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n"
    );
    let r = darklog_stdin(&["analyze", "-", "--format", "csv"], log.as_bytes());
    assert!(
        r.stderr
            .contains("3 lines read = 0 page views + 0 other hits + 0 downloads + 3 excluded (bots, previews, scrapers)"),
        "{}",
        r.stderr
    );
}

#[test]
fn days_and_dates_are_in_the_tz_zone() {
    // Two deep landings with no referrer, 22:30 and 23:30 UTC on 1 Nov: one day in UTC,
    // two in Berlin (23:30 and 00:30 local, winter time).
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let log = format!(
        "192.0.2.1 - - [01/Nov/2026:22:30:00 +0000] \"GET /a/one-long-story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n\
         192.0.2.2 - - [01/Nov/2026:23:30:00 +0000] \"GET /a/two-long-story HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n"
    );
    let daily = |extra: &[&str]| {
        let mut args = vec!["analyze", "-", "--report", "daily", "--format", "csv", "-q"];
        args.extend_from_slice(extra);
        let r = darklog_stdin(&args, log.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
            .lines()
            .skip(1)
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
    };
    assert_eq!(daily(&[]), ["2026-11-01,2"]);
    assert_eq!(daily(&["--tz", "Europe/Berlin"]), ["2026-11-01,1", "2026-11-02,1"]);
    assert_eq!(daily(&["--tz", "+01:00"]), ["2026-11-01,1", "2026-11-02,1"]);
    // --since 2026-11-02 is Berlin's midnight: 23:00 UTC on the 1st.
    assert_eq!(daily(&["--tz", "Europe/Berlin", "--since", "2026-11-02"]), ["2026-11-02,1"]);
    let r =
        darklog_stdin(&["analyze", "-", "--report", "daily", "--tz", "Europe/Berlin", "-q"], log.as_bytes());
    assert!(r.stdout.contains("date (Europe/Berlin)"), "{}", r.stdout);
    let r =
        darklog_stdin(&["analyze", "-", "--format", "json", "--tz", "Europe/Berlin", "-q"], log.as_bytes());
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["time_zone"], "Europe/Berlin");
    let r = darklog_stdin(&["analyze", "-", "--tz", "Mars/Olympus"], log.as_bytes());
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// `explain` says a preview or a return can turn a landing only where they can: after
/// the classic rule, not after a click id or a referrer that decided first.
#[test]
fn explain_says_what_a_log_can_still_change() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let line = |target: &str| {
        format!("192.0.2.1 - - [10/Nov/2026:10:00:00 +0000] \"GET {target} HTTP/1.1\" 200 5 \"-\" \"{ua}\"")
    };
    let r = darklog(&["explain", &line("/2026/a-story?fbclid=abc")]);
    assert!(r.stdout.contains("(rule click-id)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("in a log:    the visitor's behaviour (robots.txt, pace) can still exclude it"),
        "{}",
        r.stdout
    );
    let r = darklog(&["explain", &line("/2026/a-story")]);
    assert!(r.stdout.contains("(rule deep-direct)") && r.stdout.contains("(rule preview)"), "{}", r.stdout);
}

/// `--site` is a host: a URL is taken for its host, an empty value or one that is no host
/// is refused, and a host the first lines' referrers never name, while they name another
/// most of the time, is said (the site's own clicks would all count as referrals).
#[test]
fn site_is_a_host_and_a_wrong_one_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &generate(3000, 5));
    let sites = |arg: &str| {
        let r = darklog(&["analyze", s(&log), arg, "--format", "json", "-q"]);
        (r.code, if r.code == 0 { json(&r)["site_hosts"].to_string() } else { r.stderr })
    };
    assert_eq!(sites("--site=https://user@WWW.Example.com:8443/news?x=1"), (0, "[\"example.com\"]".into()));
    let (code, said) = sites("--site=");
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("invalid value '' for '--site <HOST>': a host is needed"), "{said}");
    assert_eq!(sites("--site=a b").0, 1);
    let r = darklog(&["analyze", s(&log), "--site", "nothere.example", "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said = "never nothere.example (--site): its visits from its own pages count as referrals; is --site the site's host?";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    assert!(r.stdout.contains("> **Read with care:** ") && r.stdout.contains(said), "{}", r.stdout);
    let r = darklog(&["analyze", s(&log), "--site", "example.com", "-q"]);
    assert!(!r.stderr.contains("(--site)") && !r.stdout.contains("(--site)"), "{}", r.stderr);
}
