//! The reports people open: the HTML page in a real browser, CSV as a spreadsheet reads it,
//! tables at a terminal's width, and `--compare previous` against two separate runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

const KEY: &str = "--visitor-key=e2e";

/// The browser, when this machine has one. Under CI (`CI` set) it must be there: `.ci/run`
/// installs it, and a test that skipped would prove nothing.
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("sh").args(["-c", &format!("command -v {name}")]).output() {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                return Some(PathBuf::from(path));
            }
        }
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("no chromium on this machine, and CI is set: .ci/run installs it (apt-get install chromium)");
    }
    eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
    None
}

/// Headless Chromium on `page`, with `args` (a screenshot or `--dump-dom`); its stdout and
/// stderr. Its profile lives in `dir`, so runs do not share state.
fn headless(browser: &Path, dir: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let profile = dir.join(format!("profile-{}", args.join("-").replace(['/', '=', ','], "_")));
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Pixels of a PNG that are not (nearly) the page's white, and all its pixels.
fn ink(png_path: &Path) -> (u64, u64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let inked = pixels.chunks(channels).filter(|p| p.iter().take(3).any(|&c| c < 230)).count() as u64;
    (inked, u64::from(info.width) * u64::from(info.height))
}

/// Anything in the page that names a place to fetch from: a scheme, a protocol-relative
/// URL, a `src`, an `href`, a CSS `url(` or `@import`.
fn fetches(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    ["http:", "https:", "ftp:", "ws:", "wss:", "//www.", "src=", "href=", "url(", "@import", "xmlns"]
        .iter()
        .filter(|p| lower.contains(*p))
        .map(|p| p.to_string())
        .collect()
}

fn sample_json(report: &str) -> serde_json::Value {
    json(&darklog(&["analyze", "fixtures/sample.log.gz", "--report", report, "--format", "json", KEY, "-q"]))
}

fn sample_html() -> String {
    let r = darklog(&["analyze", "fixtures/sample.log.gz", "--format", "html", KEY, "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn the_html_report_renders_in_a_real_browser_and_fetches_nothing() {
    let html = sample_html();
    assert!(
        html.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"
        ),
        "the CSP is the page's first rule"
    );
    assert!(html.contains("script-src 'sha256-") && html.contains("img-src data:; base-uri 'none'"));
    assert_eq!(fetches(&html), Vec::<String>::new(), "the page names nowhere to fetch from");
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = write(dir.path(), "report.html", html.as_bytes());
    let summary = sample_json("summary");
    let h = &summary["headline"];
    // The DOM after the page's script ran: the CSP let it (its hash is right) when the
    // headers became buttons.
    let (dom, log) = headless(&browser, dir.path(), &page, &["--dump-dom"]);
    assert!(!log.contains("Refused to"), "the CSP refused something: {log}");
    assert!(
        dom.contains("<th scope=\"col\"><button type=\"button\">landing page</button></th>"),
        "the script ran"
    );
    assert_eq!(fetches(&dom), Vec::<String>::new(), "nothing in the DOM fetches either");
    for number in [
        {
            // One decimal from the counts (JSON's two decimals rounded again can differ).
            let n = |k: &str| h[k].as_f64().unwrap();
            let of = n("visits_with_estimate");
            format!(
                "{:.1}% to {:.1}%",
                n("identified_visits") * 100.0 / of,
                (n("dark_social_visits") + n("estimated_visits")) * 100.0 / of
            )
        },
        format!("data-v=\"{}\"", h["dark_social_visits"]),
        format!("data-v=\"{}\"", h["visits"]),
        format!("data-v=\"{}\"", h["identified_visits"]),
        format!("data-v=\"{}\"", h["inferred_visits"]),
    ] {
        assert!(dom.contains(&number), "the headline's {number} is in the DOM");
    }
    for (name, size) in [("phone", "390,844"), ("laptop", "1280,900")] {
        let shot = dir.path().join(format!("{name}.png"));
        let (_, log) = headless(
            &browser,
            dir.path(),
            &page,
            &[&format!("--window-size={size}"), &format!("--screenshot={}", shot.display())],
        );
        assert!(!log.contains("Refused to"), "{log}");
        let (inked, all) = ink(&shot);
        // Text, charts and tables: far from blank, far from a solid fill.
        assert!(inked * 100 > all * 3 && inked * 100 < all * 60, "{name}: {inked} of {all} pixels inked");
        if std::env::var_os("DARKLOG_SCREENSHOTS").is_some() {
            std::fs::copy(&shot, root().join(format!("docs/report-{name}.png"))).unwrap();
        }
    }
}

/// The `data-v` values in the section `id` of the page, in order.
fn section_values(html: &str, id: &str) -> Vec<f64> {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    section
        .split("data-v=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse::<f64>().expect("a number"))
        .collect()
}

#[test]
fn the_html_numbers_are_the_json_numbers() {
    let html = sample_html();
    let summary = sample_json("summary");
    let mut want = Vec::new();
    let h = &summary["headline"];
    for k in ["dark_social_visits", "visits"] {
        want.push(h[k].as_f64().unwrap());
    }
    // The headline names the total with cached readers only when there is an estimate.
    if h["browser_evidence_required"].as_bool().unwrap() && !h["cached_rate"].is_null() {
        want.push(h["dark_social_visits"].as_f64().unwrap() + h["estimated_visits"].as_f64().unwrap());
    }
    for k in ["identified_visits", "inferred_visits", "estimated_visits"] {
        want.push(h[k].as_f64().unwrap());
    }
    assert_eq!(section_values(&html, "s-headline"), want);
    let mut want = Vec::new();
    for row in summary["channels"].as_array().unwrap() {
        want.push(row["visits"].as_f64().unwrap());
        want.extend(row["visits_pct"].as_f64());
        want.push(row["pageviews"].as_f64().unwrap());
    }
    assert_eq!(section_values(&html, "s-channels"), want);
    let mut want = Vec::new();
    for r in summary["reasons"].as_array().unwrap() {
        want.extend([r["visits"].as_f64().unwrap(), r["visits_pct"].as_f64().unwrap()]);
    }
    let why = section_values(&html, "s-why");
    assert_eq!(&why[..want.len()], want.as_slice(), "each rule's count");
    assert_eq!(
        why.last().copied(),
        summary["lines"]["read"].as_f64(),
        "the line accounting ends with the lines read"
    );
    let shares = sample_json("shares");
    let shared = section_values(&html, "s-shared");
    let mut want = Vec::new();
    for p in summary["pages"].as_array().unwrap() {
        for k in ["dark_social_visits", "share_of_visits_pct", "visits", "dark_social_pct"] {
            want.push(p[k].as_f64().unwrap());
        }
    }
    for s in shares["shares"].as_array().unwrap() {
        for k in ["shares", "fetches", "visits", "visits_per_share"] {
            want.push(s[k].as_f64().unwrap());
        }
    }
    assert_eq!(shared, want);
}

/// Every report of the sample as CSV, with `--top 0`.
fn sample_csv(report: &str, extra: &[&str]) -> csv::Reader<std::io::Cursor<Vec<u8>>> {
    let mut args = vec![
        "analyze",
        "fixtures/sample.log.gz",
        "--report",
        report,
        "--format",
        "csv",
        "--top",
        "0",
        KEY,
        "-q",
    ];
    args.extend_from_slice(extra);
    let r = darklog(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    csv::Reader::from_reader(std::io::Cursor::new(r.stdout.into_bytes()))
}

/// `YYYY-MM-DD`, as a spreadsheet reads a date.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && s.replace('-', "").bytes().all(|c| c.is_ascii_digit())
}

#[test]
fn every_csv_loads_with_numbers_as_numbers_and_ids_as_text() {
    let text = [
        "landing",
        "app",
        "channel",
        "kind",
        "date",
        "date_prev",
        "start",
        "end",
        "visitor",
        "source",
        "reason",
        "referrer_host",
        "metric",
        "value",
        "start_local",
        "end_local",
    ];
    for (report, extra) in [
        ("summary", &[][..]),
        ("channels", &[][..]),
        ("pages", &[][..]),
        ("daily", &[][..]),
        ("shares", &[][..]),
        ("visits", &[][..]),
        ("summary", &["--since", "2026-11-05", "--until", "2026-11-09", "--compare", "previous"][..]),
        ("channels", &["--since", "2026-11-05", "--until", "2026-11-09", "--compare", "previous"][..]),
        ("pages", &["--since", "2026-11-05", "--until", "2026-11-09", "--compare", "previous"][..]),
        ("daily", &["--since", "2026-11-05", "--until", "2026-11-09", "--compare", "previous"][..]),
        ("shares", &["--since", "2026-11-05", "--until", "2026-11-09", "--compare", "previous"][..]),
    ] {
        let mut rdr = sample_csv(report, extra);
        let headers = rdr.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("a well-formed record")).collect();
        assert!(!rows.is_empty(), "{report}: rows");
        for (i, col) in headers.iter().enumerate() {
            for row in &rows {
                let v = &row[i];
                match col {
                    "visitor" => {
                        assert!(v.starts_with('v') && v.len() == 17, "{report}: visitor {v}");
                        assert!(v.parse::<f64>().is_err(), "{report}: {v} stays text");
                    }
                    "start_local" | "end_local" => {
                        assert!(
                            is_date(&v[..10]) && v.len() == 19 && &v[10..11] == " ",
                            "{report}: {col} {v}"
                        );
                    }
                    "date" => assert!(is_date(v), "{report}: {col} {v}"),
                    "date_prev" => assert!(v.is_empty() || is_date(v), "{report}: {col} {v}"),
                    c if text.contains(&c) => {}
                    _ => assert!(
                        v.is_empty() || v.parse::<f64>().is_ok(),
                        "{report}: {col} = {v:?} is not a number"
                    ),
                }
            }
        }
        if report == "summary" {
            for row in &rows {
                let (metric, value) = (&row[0], &row[1]);
                if metric.ends_with("period_start") || metric.ends_with("period_end") {
                    assert!(is_date(value), "{metric} = {value}");
                } else {
                    assert!(
                        value.is_empty() || value.parse::<f64>().is_ok(),
                        "{metric} = {value:?} is not a number"
                    );
                }
            }
        }
    }
    // Summing the channel rows gives the visits; the summary says how many.
    let mut rdr = sample_csv("channels", &[]);
    let h = rdr.headers().unwrap().clone();
    let (visits, kind) =
        (h.iter().position(|c| c == "visits").unwrap(), h.iter().position(|c| c == "kind").unwrap());
    let sum: u64 = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[kind] == "channel")
        .map(|r| r[visits].parse::<u64>().unwrap())
        .sum();
    let summary: HashMap<String, String> = sample_csv("summary", &[])
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(sum.to_string(), summary["visits"]);
    // --top 0 is every row: more than the default ten.
    assert!(sample_csv("pages", &[]).records().count() > 10);
    let all_shares = sample_csv("shares", &[]).records().count();
    let r = darklog(&[
        "analyze",
        "fixtures/sample.log.gz",
        "--report",
        "shares",
        "--format",
        "csv",
        "--top",
        "1000",
        "-q",
    ]);
    assert_eq!(all_shares, r.stdout.lines().count() - 1);
    let ten = darklog(&["analyze", "fixtures/sample.log.gz", "--report", "pages", "--format", "csv", "-q"]);
    assert_eq!(ten.stdout.lines().count(), 11);
}

#[test]
fn tables_fit_50_80_and_200_columns() {
    for width in ["50", "80", "200"] {
        for report in ["summary", "channels", "pages", "daily", "shares", "visits"] {
            let r = darklog(&[
                "analyze",
                "fixtures/sample.log.gz",
                "--report",
                report,
                "--width",
                width,
                KEY,
                "-q",
            ]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            let w: usize = width.parse().unwrap();
            for line in r.stdout.lines() {
                assert!(line.chars().count() <= w, "{report} at {width}: {line:?}");
            }
            if !["visits", "channels"].contains(&report) && width != "50" {
                expect_file(&format!("sample.{report}.w{width}.txt"), &r.stdout);
            }
        }
    }
    // The comparison's columns give way too, in every report: in the sample's window, and
    // in a generated log's last days, which the days before saw few of its pages in (a
    // change of "+100.0%", and shares "new" to the comparison).
    let dir = tempfile::tempdir().unwrap();
    let generated = write(dir.path(), "generated.log", &generate(5000, 1));
    let windows = [
        ["fixtures/sample.log.gz", "--since", "2026-11-05", "--until", "2026-11-09"],
        [s(&generated), "--since", "2026-11-04", "--until", "2026-11-09"],
    ];
    for width in ["50", "80"] {
        for report in ["summary", "channels", "pages", "daily", "shares", "visits"] {
            for (window, compare) in windows.iter().flat_map(|w| [(w, false), (w, true)]) {
                let mut args = vec!["analyze", "--width", width, "--report", report, KEY, "-q"];
                args.extend(window);
                if compare {
                    args.extend(["--compare", "previous"]);
                }
                let r = darklog(&args);
                assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
                let w: usize = width.parse().unwrap();
                let widest = r.stdout.lines().map(|l| l.chars().count()).max().unwrap_or(0);
                assert!(widest <= w, "{args:?}: {widest} columns\n{}", r.stdout);
                if width == "80" && report == "summary" && compare && window[0].starts_with("fixtures") {
                    expect_file("sample.compare.w80.txt", &r.stdout);
                }
            }
        }
    }
    let r = darklog(&["analyze", "fixtures/sample.log.gz", "--width", "49"]);
    assert_eq!(r.code, 1, "a width too narrow for every report is a usage error");
    assert!(r.stderr.contains("49 is not in 50..="), "{}", r.stderr);
}

/// A JSON report of the generated three weeks.
fn weeks(log: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["analyze", s(log), "--format", "json", "--top", "0", KEY, "-q"];
    all.extend_from_slice(args);
    let r = darklog(&all);
    assert!(r.code == 0, "{all:?}: {}", r.stderr);
    json(&r)
}

/// A window reaching thousands of years back, beside the period before it, lists the
/// days the logs have visits on, not every empty day of it (it asked for petabytes).
#[test]
fn a_window_reaching_far_back_compared_lists_the_days_with_visits() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "gen.log", &generate(5_000, 1));
    let daily = |extra: &[&str]| {
        let r = darklog(
            &[&["analyze", s(&log), "-q", "--report", "daily", "--format", "json"][..], extra].concat(),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r)["daily"].as_array().unwrap().iter().map(|d| d["date"].clone()).collect::<Vec<_>>()
    };
    let days = daily(&[]);
    assert!(days.len() >= 5, "{days:?}");
    for since in ["1000000000000w", "99999999d", "2000-01-01"] {
        assert_eq!(
            daily(&["--since", since, "--compare", "previous", "--now", "2026-12-01"]),
            days,
            "{since}"
        );
    }
}

#[test]
fn compare_previous_equals_two_separate_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = darklog_gen::GenConfig { lines: 60_000, seed: 21, days: 21, ..Default::default() };
    let (log, _) = generate_with_truth(&cfg);
    let log = write(dir.path(), "weeks.log", &log);
    for report in ["channels", "pages", "daily", "shares"] {
        let both = weeks(&log, &["--report", report, "--week", "2026-W46", "--compare", "previous"]);
        let now = weeks(&log, &["--report", report, "--week", "2026-W46"]);
        let before = weeks(&log, &["--report", report, "--week", "2026-W45"]);
        let key = if report == "daily" { "daily" } else { report };
        let (rows, now_rows, before_rows) =
            (both[key].as_array().unwrap(), now[key].as_array().unwrap(), before[key].as_array().unwrap());
        match report {
            "channels" => {
                assert_eq!(both["previous"]["headline"], before["headline"], "the previous headline");
                assert_eq!(both["headline"], now["headline"]);
                for ((r, n), b) in rows.iter().zip(now_rows).zip(before_rows) {
                    assert_eq!((&r["channel"], &r["visits"]), (&n["channel"], &n["visits"]));
                    assert_eq!(r["visits_prev"], b["visits"], "{}", r["channel"]);
                    assert_eq!(r["visits_pct_prev"], b["visits_pct"], "{}", r["channel"]);
                }
            }
            "pages" => {
                let by_path: HashMap<&str, &serde_json::Value> =
                    before_rows.iter().map(|p| (p["landing"].as_str().unwrap(), p)).collect();
                assert_eq!(rows.len(), now_rows.len());
                for r in rows {
                    let prev = by_path
                        .get(r["landing"].as_str().unwrap())
                        .map_or(0, |b| b["dark_social_visits"].as_u64().unwrap());
                    assert_eq!(r["dark_social_visits_prev"].as_u64(), Some(prev), "{}", r["landing"]);
                }
            }
            "daily" => {
                assert_eq!(rows.len(), 7);
                for (i, r) in rows.iter().enumerate() {
                    assert_eq!(r["visits"], now_rows[i]["visits"]);
                    assert_eq!(r["date_prev"], before_rows[i]["date"], "day {i} pairs with day {i}");
                    assert_eq!(r["visits_prev"], before_rows[i]["visits"]);
                    assert_eq!(r["dark_social_prev"], before_rows[i]["dark_social"]);
                }
            }
            _ => {
                let by_key: HashMap<(&str, &str), &serde_json::Value> = before_rows
                    .iter()
                    .map(|p| ((p["landing"].as_str().unwrap(), p["app"].as_str().unwrap()), p))
                    .collect();
                assert!(!rows.is_empty());
                for r in rows {
                    let b = by_key.get(&(r["landing"].as_str().unwrap(), r["app"].as_str().unwrap()));
                    assert_eq!(
                        r["shares_prev"].as_u64(),
                        Some(b.map_or(0, |b| b["shares"].as_u64().unwrap()))
                    );
                    assert_eq!(
                        r["visits_prev"].as_u64(),
                        Some(b.map_or(0, |b| b["visits"].as_u64().unwrap()))
                    );
                }
            }
        }
    }
    // The summary names the pages that grew most, and CSV carries the same numbers.
    let summary = weeks(&log, &["--week", "2026-W46", "--compare", "previous"]);
    let grown = summary["previous"]["grew_most"].as_array().unwrap();
    assert!(!grown.is_empty());
    assert!(grown.windows(2).all(|w| w[0]["change"].as_u64() >= w[1]["change"].as_u64()));
    let r = darklog(&[
        "analyze",
        s(&log),
        "--week",
        "2026-W46",
        "--compare",
        "previous",
        "--report",
        "channels",
        "--format",
        "csv",
        KEY,
        "-q",
    ]);
    let before = weeks(&log, &["--report", "channels", "--week", "2026-W45"]);
    let mut rdr = csv::Reader::from_reader(r.stdout.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let prev = h.iter().position(|c| c == "visits_prev").expect("a visits_prev column");
    for (rec, b) in rdr.records().zip(before["channels"].as_array().unwrap()) {
        assert_eq!(rec.unwrap()[prev].parse::<u64>().ok(), b["visits"].as_u64());
    }
    // Without --compare nothing of it shows.
    let plain = darklog(&[
        "analyze",
        s(&log),
        "--week",
        "2026-W46",
        "--report",
        "channels",
        "--format",
        "csv",
        KEY,
        "-q",
    ]);
    assert!(!plain.stdout.contains("_prev"));
}

/// The visits report lists the window's visits, as the summary counts them: the run reads
/// (and closes) visits from before the window too, for the returns and shares they decide.
#[test]
fn the_visits_report_keeps_to_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "week.log", &generate(20_000, 3));
    for window in [
        &["--day", "2026-11-05"][..],
        &["--since", "2026-11-04T13:30:00Z", "--until", "2026-11-06T02:00:00Z"],
        &["--since", "2026-11-07"],
    ] {
        let run = |extra: &[&str]| {
            let args = [&["analyze", s(&log), "--format", "json", "-q"][..], window, extra].concat();
            let r = darklog(&args);
            assert_eq!(r.code, 0, "{window:?}: {}", r.stderr);
            json(&r)
        };
        let summary = run(&[]);
        let visits = run(&["--report", "visits"]);
        let rows = visits["visits"].as_array().expect("visit rows");
        let (since, until) = (&summary["window"]["since"], &summary["window"]["until"]);
        assert_eq!(rows.len() as u64, summary["headline"]["visits"].as_u64().unwrap(), "{window:?}");
        assert!(rows.len() > 100, "{window:?}: {}", rows.len());
        for row in rows {
            let start = row["start"].as_str().unwrap();
            assert!(since.as_str().is_none_or(|s| start >= s), "{window:?}: {start} before {since}");
            assert!(until.as_str().is_none_or(|u| start < u), "{window:?}: {start} from {until}");
        }
    }
}

/// The page and the Markdown document are read where stderr is not: what changes what
/// their figures mean is said under the headline there too (a layout without referrers,
/// an input not read whole), and nothing is said when nothing does.
#[test]
fn the_shareable_reports_say_what_changes_their_figures() {
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read_to_string(fixture("small.log")).unwrap();
    // small.log in the common layout: the referrer and agent cut off.
    let common: String = small
        .lines()
        .filter_map(|l| l.match_indices(" \"").nth(1).map(|(referrer, _)| format!("{}\n", &l[..referrer])))
        .collect();
    let common = write(dir.path(), "common.log", common.as_bytes());
    let log = gunzip(&std::fs::read(fixture("sample.log.gz")).unwrap());
    let whole = gzip(&log[..400_000]);
    let cut = write(dir.path(), "cut.log.gz", &whole[..whole.len() / 2]);
    for (input, said) in [
        (&common, "common.log: the common layout logs no referrer or user agent: search, social"),
        (&cut, "not read whole: the figures leave out what could not be read: "),
    ] {
        for format in ["html", "markdown"] {
            let r = darklog(&["analyze", s(input), "--format", format, "-q"]);
            assert!(r.stdout.contains("Read with care"), "{format}: {}", r.stdout);
            assert!(r.stdout.contains(said), "{format}: {said}");
        }
    }
    for format in ["html", "markdown"] {
        let r = darklog(&["analyze", s(&fixture("small.log")), "--format", format, "-q"]);
        assert!(!r.stdout.contains("Read with care"), "{format}");
    }
    // A month of daily logs in one layout: the caveat once, naming a few.
    let days = dir.path().join("days");
    std::fs::create_dir(&days).unwrap();
    let text = std::fs::read_to_string(&common).unwrap();
    for day in 1..=5 {
        // Other readers each day: another log, not the same one again.
        let other = text
            .replace("203.0.113.", &format!("203.0.{day}."))
            .replace("198.51.100.", &format!("198.51.{day}."));
        write(&days, &format!("access-{day}.log"), other.as_bytes());
    }
    let r = darklog(&["analyze", s(&days), "--format", "markdown", "-q"]);
    assert_eq!(r.stdout.matches("Read with care").count(), 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("access-1.log, ") && r.stdout.contains(" and 3 more: the common layout"),
        "{}",
        r.stdout
    );
}

/// A day without visits has no dark-social share: the page's line breaks there instead of
/// falling to 0%, and its text says how many days had none.
#[test]
fn days_without_visits_are_gaps_in_the_share_line() {
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    let log: String = ["02", "03", "09", "10"]
        .iter()
        .map(|d| format!("10.0.0.{d} - - [{d}/Nov/2026:10:00:00 +0000] \"GET /news/2026/some-story-here HTTP/1.1\" 200 5 \"-\" \"{ua}\"\n"))
        .collect();
    let r = darklog_stdin(&["analyze", "-", "--format", "html", "-q"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let chart = &r.stdout[r.stdout.find("aria-labelledby=\"share-t").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(chart.contains("over 9 days; 5 had no visits (gaps in the line)"), "{chart}");
    assert_eq!(chart.matches("<polyline").count(), 2, "two runs of days with visits");
    assert_eq!(chart.matches("<circle").count(), 4);
    assert!(!chart.contains(": 0.0%"), "{chart}");
    // One day, one visit: said in the singular, a day with no visit without "()".
    let one = log.lines().next().unwrap();
    let r = darklog_stdin(&["analyze", "-", "--format", "html", "-q"], one.as_bytes());
    assert!(r.stdout.contains("One day, 2026-11-02, with 1 visit."), "{}", r.stdout);
    assert!(!r.stdout.contains(" 1 visits") && !r.stdout.contains("visits ()"), "{}", r.stdout);
    // A quiet day is drawn as nothing (no bar, no title), and said in the description.
    let gap = darklog_stdin(&["analyze", "-", "--format", "html", "-q"], log.as_bytes()).stdout;
    assert!(gap.contains("9 days from 2026-11-02 to 2026-11-10 (5 of them without a visit)"), "{gap}");
    assert!(!gap.contains("0 visits</title>"), "{gap}");
}

/// Logs decades apart: the page stays small (no mark for each quiet day, sparklines of
/// spans of days), its axes carry years, and a long path is shortened in its cell with
/// the whole in its title.
#[test]
fn years_apart_make_a_small_page() {
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    let long = format!("/news/{}", "a".repeat(400));
    let log: String = [("01/Aug/1995", "/news/1995/old-story"), ("08/Nov/2026", long.as_str())]
        .iter()
        .flat_map(|(d, p)| {
            (0..2).map(move |i| {
                format!("10.0.0.{i} - - [{d}:10:00:00 +0000] \"GET {p} HTTP/1.1\" 200 5 \"-\" \"{ua}\"\n")
            })
        })
        .collect();
    let r = darklog_stdin(&["analyze", "-", "--format", "html", "-q"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = r.stdout;
    assert!(page.len() < 200_000, "{} bytes", page.len());
    assert!(page.contains("text-anchor=\"start\">1995-08-01</text>"), "years on the axis");
    assert!(page.contains("text-anchor=\"end\">2026-11-08</text>"), "years on the axis");
    assert!(
        page.contains("aria-label=\"dark-social visits per 96 days, 1995-08-01 to 2026-11-08: "),
        "{page}"
    );
    assert!(page.contains(&format!("<td class=\"path\" title=\"{long}\">/news/aaa")), "{page}");
    assert!(page.contains("…"), "the middle of the path left out");
    // Two days with years of quiet between: no line joins them, so each is a dot.
    let chart = &page[page.find("aria-labelledby=\"share-t").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert_eq!(chart.matches("<circle").count(), 2, "{chart}");
}

/// "How it was made" names what changed the figures: two runs that count differently do
/// not carry the same provenance.
#[test]
fn the_page_says_how_it_was_made() {
    let path = fixture("small.log");
    let small = s(&path);
    let page =
        |extra: &[&str]| darklog(&[&["analyze", small, "--format", "html", "-q"][..], extra].concat()).stdout;
    let facts = |html: &str| {
        let from = html.find("<dl class=\"facts\">").unwrap();
        html[from..from + html[from..].find("</dl>").unwrap()].to_string()
    };
    let plain = facts(&page(&[]));
    for want in [
        "<dt>Window</dt><dd>the whole of the logs</dd>",
        "<dt>Reading</dt><dd>--log-format auto (found: combined)</dd>",
        "<dt>Visits end after</dt><dd>30 minutes</dd>",
        "<dt>Shares counted within</dt><dd>48 hours</dd>",
    ] {
        assert!(plain.contains(want), "{want}: {plain}");
    }
    // An empty log is read as no layout: the page names what was found in the others.
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "access.log.1", b"");
    let common = fixture("formats/apache_common.log");
    let r = darklog(&["analyze", s(&empty), s(&common), "--format", "html", "-q"]);
    assert!(facts(&r.stdout).contains("<dd>--log-format auto (found: common)</dd>"), "{}", facts(&r.stdout));
    let other = facts(&page(&["--session-timeout", "1h", "--front", "/news", "--log-format", "combined"]));
    for want in [
        "<dd>--log-format combined</dd>",
        "<dt>Visits end after</dt><dd>1 hour</dd>",
        "<dt>Front pages</dt><dd>/news</dd>",
    ] {
        assert!(other.contains(want), "{want}: {other}");
    }
}

/// Sorting a table by a column keeps a row that sums the others last: clicked in a real
/// browser, on the page's own script and the line accounting's table.
#[test]
fn sorting_keeps_the_sum_row_last() {
    let html = sample_html();
    let from = html.find("<table class=\"sortable\"><caption>Where every line read went").unwrap();
    let table = &html[from..from + html[from..].find("</table>").unwrap() + "</table>".len()];
    assert!(table.contains("<tr class=\"sum\"><td>lines read</td>"), "{table}");
    let Some(browser) = chromium() else { return };
    let script = &html[html.rfind("<script>").unwrap()..html.rfind("</script>").unwrap() + "</script>".len()];
    // The page's script, then a click on "count" (descending after ascending: the sum,
    // the largest, would come first if it were sorted).
    let page = format!(
        "<!DOCTYPE html><html><body>{table}{script}<script>\
         var b = document.querySelectorAll('th button')[1]; b.click(); b.click();\
         document.body.setAttribute('data-order', Array.prototype.map.call(\
         document.querySelectorAll('tbody tr'), function (r) {{ return r.cells[0].textContent; }}).join('|'));\
         </script></body></html>"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "sort.html", page.as_bytes());
    let (dom, _) = headless(&browser, dir.path(), &path, &["--dump-dom"]);
    let order = dom.split("data-order=\"").nth(1).map(|r| r[..r.find('"').unwrap()].to_string()).unwrap();
    let rows: Vec<&str> = order.split('|').collect();
    assert_eq!(rows.last(), Some(&"lines read"), "{order}");
    assert_eq!(
        rows.first(),
        Some(&"other hits (assets, errors, other methods)"),
        "sorted, largest first: {order}"
    );
}

/// A comparison with a window that holds no line (before the logs began) reads "new"
/// everywhere: said, so that no one takes it for growth; a window with lines is not.
#[test]
fn a_comparison_with_an_empty_window_says_so() {
    let log = fixture("sample.log.gz");
    let run = |since: &str, until: &str| {
        darklog(&[
            "analyze",
            s(&log),
            "--since",
            since,
            "--until",
            until,
            "--compare",
            "previous",
            "-o",
            "/dev/null",
        ])
    };
    let r = run("2026-11-02", "2026-11-04");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("no line in the window compared with (since 2026-10-31T00:00:00Z"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("every change reads \"new\""), "{}", r.stderr);
    // On the page too, for whoever it is mailed to; and an empty window itself.
    let page = |extra: &[&str]| {
        let args = ["analyze", s(&log), "--compare", "previous", "--format", "markdown", "-q"];
        darklog(&[&args[..], extra].concat())
    };
    let r = page(&["--since", "2026-11-02", "--until", "2026-11-04"]);
    assert!(r.stdout.contains("no line in the window compared with (since 2026-10-31"), "{}", r.stdout);
    let r = page(&["--week", "2026-W50"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.contains("Read with care:** no line in the window (since 2026-12-07"), "{}", r.stdout);
    let r = run("2026-11-05", "2026-11-07");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("window compared with"), "{}", r.stderr);
}

/// The page's "how it was made" gives the window in the zone the report's days are in, as
/// its header does, with UTC beside it.
#[test]
fn the_page_s_window_is_in_the_report_s_zone() {
    let log = fixture("sample.log.gz");
    let page = |extra: &[&str]| {
        let args = ["analyze", s(&log), "--format", "html", "-q"];
        darklog(&[&args[..], extra].concat()).stdout
    };
    let got = page(&["--tz", "America/New_York", "--since", "2026-11-03 06:00", "--until", "2026-11-06"]);
    let want = "<dt>Window</dt><dd>2026-11-03 06:00:00 America/New_York (2026-11-03T11:00:00Z) to \
                2026-11-06 00:00:00 America/New_York (2026-11-06T05:00:00Z)</dd>";
    assert!(got.contains(want), "{}", got.lines().filter(|l| l.contains("Window")).collect::<String>());
    let got = page(&["--day", "2026-11-04"]);
    assert!(got.contains("<dt>Window</dt><dd>2026-11-04T00:00:00Z to 2026-11-05T00:00:00Z</dd>"));
    // The headline's span of visits too, in Markdown and the table.
    let args = ["analyze", s(&log), "--tz", "America/New_York", "--format", "markdown", "-q"];
    let md = darklog(&args).stdout;
    assert!(md.contains("Visits from 2026-11-0") && md.contains(" America/New_York to "), "{md}");
}

/// JSON's period stays RFC 3339 in UTC under any --tz: a field for programs.
#[test]
fn json_s_period_is_utc_whatever_the_zone() {
    let log = fixture("sample.log.gz");
    let r = darklog(&["analyze", s(&log), "--tz", "America/New_York", "--format", "json", "-q"]);
    let first = json(&r)["period"]["first_visit"].as_str().unwrap().to_string();
    assert!(first.ends_with('Z') && first.contains('T'), "{first}");
}

/// Nothing to take a share of reads as "no visits", not as 0.0%; a count that was 0 and
/// is 0 has not changed; a period before with no visit has no share to compare; one day
/// is not a range; one line is not "lines"; a table of nothing says "none".
#[test]
fn nothing_reads_as_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.log", b"");
    let e = s(&empty);
    let table = darklog(&["analyze", e, "-q"]).stdout;
    assert!(table.starts_with("Dark social: no visits\nRange: none, with no visit"), "{table}");
    let md = darklog(&["analyze", e, "-q", "--format", "markdown"]).stdout;
    assert!(md.starts_with("**Dark social: no visits**\n"), "{md}");
    let page = darklog(&["analyze", e, "-q", "--format", "html"]).stdout;
    assert!(page.contains("<title>Dark social no visits</title>"), "{page}");
    let headline = &page[page.find("id=\"s-headline\"").unwrap()..page.find("id=\"s-channels\"").unwrap()];
    assert!(
        headline.contains("<p class=\"big\" id=\"range\">no visits</p>") && !headline.contains("0.0%"),
        "{headline}"
    );
    assert!(page.contains("class=\"muted\">none</td></tr>"), "an empty table says none: {page}");

    let sample = fixture("sample.log.gz");
    let sample = s(&sample);
    // A week after the logs end against the week they end in; the week before they begin.
    let after = darklog(&["analyze", sample, "--week", "2026-W50", "--compare", "previous", "-q"]).stdout;
    assert!(
        after.contains("dark social no visits in either, 0 dark-social visits (was 0, no change), 0 visits (was 0, no change)"),
        "{after}"
    );
    let first = darklog(&["analyze", sample, "--week", "2026-W45", "--compare", "previous", "-q"]).stdout;
    assert!(
        first.contains("dark social 30.8% of visits (no visits before), 62 dark-social visits (was 0, new)"),
        "{first}"
    );
    let day = |report: &str| {
        darklog(&[
            "analyze",
            sample,
            "--day",
            "2026-11-05",
            "--compare",
            "previous",
            "-q",
            "--report",
            report,
        ])
        .stdout
    };
    assert!(day("channels").contains("Against 2026-11-04: dark social"), "{}", day("channels"));
    assert!(day("daily").contains("visits the day before"), "{}", day("daily"));
    let week = darklog(&[
        "analyze",
        sample,
        "--week",
        "2026-W45",
        "--compare",
        "previous",
        "-q",
        "--format",
        "markdown",
        "--report",
        "daily",
    ]);
    assert!(week.stdout.contains("| visits 7 days before | change |"), "{}", week.stdout);

    let one = fixture("small.log");
    let line = std::fs::read_to_string(&one).unwrap().lines().next().unwrap().to_string() + "\n";
    let r = darklog_stdin(&["analyze", "-"], line.as_bytes());
    assert!(r.stderr.contains("detected from 1 line of"), "{}", r.stderr);
    assert!(
        r.stdout.contains("1 line read = 0 page views + 0 other hits + 0 downloads + 1 excluded"),
        "{}",
        r.stdout
    );
}

/// An empty input names no layout (none was found in it) and the page says nothing was
/// read of it, where the table of inputs would otherwise show a blank problem.
#[test]
fn an_empty_input_names_no_layout() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.log", b"");
    let r = darklog(&["analyze", s(&empty), "--format", "json", "-q"]);
    let doc = json(&r);
    assert_eq!(doc["inputs"][0]["format"], serde_json::Value::Null, "{}", r.stdout);
    let page = darklog(&["analyze", s(&empty), "--format", "html", "-q"]).stdout;
    let row = format!("<td class=\"path\">{}</td><td>–</td>", s(&empty));
    assert!(page.contains(&row), "{page}");
    assert!(page.contains("<td>no line read</td></tr>"), "{page}");
    // Named, the layout is the one named.
    let r = darklog(&["analyze", s(&empty), "--log-format", "common", "--format", "json", "-q"]);
    assert_eq!(json(&r)["inputs"][0]["format"], "common");
}

/// A path whose letters are percent-encoded reads as letters on the page, with the path
/// as logged (what JSON and CSV key on) in its title.
#[test]
fn the_page_shows_encoded_letters_as_letters() {
    let page = darklog(&["analyze", "fixtures/sample.log.gz", "--format", "html", "-q"]).stdout;
    let cell = "<td class=\"path\" title=\"/2026/11/%E6%97%A5%E6%9C%AC-tech-week-recap\">/2026/11/日本-tech-week-recap</td>";
    assert!(page.contains(cell), "{page}");
    let csv = darklog(&[
        "analyze",
        "fixtures/sample.log.gz",
        "--format",
        "csv",
        "--report",
        "pages",
        "--top",
        "0",
        "-q",
    ])
    .stdout;
    assert!(csv.contains("/2026/11/%E6%97%A5%E6%9C%AC-tech-week-recap,"), "{csv}");
}

/// An audit's case (a helper who read only the README): London leaves summer time on
/// 2026-10-25. Dates given to `--since`/`--until` are compared with as many days before,
/// whole, as `--day` takes them (the 24 hours before lost that day's first hour and its
/// visit, labelled the whole day); and `prev_period_*`, as `period_*`, are the first and
/// last visits' dates, whatever the window's bounds.
#[test]
fn dates_compared_across_a_clock_change_take_the_whole_day_before() {
    let line = |utc: &str, ip: u8, path: &str| {
        format!(
            "198.51.100.{ip} - - [{utc} +0000] \"GET {path} HTTP/1.1\" 200 1234 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\"\n"
        )
    };
    let log = [
        // 00:30 in London on the 25th (still summer time: 23:30 UTC the day before).
        line("24/Oct/2026:23:30:00", 1, "/2026/10/first-hour-story"),
        line("25/Oct/2026:12:00:00", 2, "/2026/10/noon-story"),
        line("26/Oct/2026:09:00:00", 3, "/2026/10/monday-story"),
        line("26/Oct/2026:21:00:00", 4, "/2026/10/evening-story"),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", log.as_bytes());
    let summary = |window: &[&str]| -> Vec<(String, String)> {
        let args =
            [&["analyze", s(&log), "--tz", "Europe/London", "--format", "csv", "-q"][..], window].concat();
        let r = darklog(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(k, v)| (k.into(), v.into()))
            .collect()
    };
    let get = |rows: &[(String, String)], key: &str| rows.iter().find(|(k, _)| k == key).unwrap().1.clone();
    let day_before = summary(&["--day", "2026-10-25"]);
    assert_eq!(get(&day_before, "visits"), "2");
    for window in [&["--since", "2026-10-26", "--until", "2026-10-27"][..], &["--day", "2026-10-26"][..]] {
        let compared = summary(&[window, &["--compare", "previous"][..]].concat());
        assert_eq!(get(&compared, "visits"), "2", "{window:?}");
        assert_eq!(get(&compared, "prev_visits"), get(&day_before, "visits"), "{window:?}");
        assert_eq!(get(&compared, "prev_period_start"), get(&day_before, "period_start"), "{window:?}");
        assert_eq!(get(&compared, "prev_period_end"), get(&day_before, "period_end"), "{window:?}");
    }
}
