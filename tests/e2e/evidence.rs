//! Browser evidence, the calibrated range, learned embedded paths and downloads, through
//! the binary: on generated logs whose truth knows the scrapers and the readers with
//! cached assets, on handwritten lines, and on the real shop log.

use crate::generated::score;
use crate::util::*;

fn cfg(seed: u64) -> darklog_gen::GenConfig {
    darklog_gen::GenConfig { seed, lines: 60_000, ..Default::default() }
}

/// The visits report of `log`, scored against its truth.
fn scored(log: &[u8], truth: &str) -> std::collections::HashMap<&'static str, f64> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "access.log", log);
    let r = darklog(&[
        "analyze",
        s(&path),
        "--report",
        "visits",
        "--format",
        "csv",
        "--visitor-key",
        "darklog-test",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    score(truth, &r.stdout)
}

/// Scrapers behind rotating proxies (a browser's agent, one page per address, no referrer,
/// no assets) look like dark-social readers in everything but the assets. Where browsers
/// load assets they are set aside; on a site whose assets a CDN serves there is nothing to
/// tell them by, and no reader may be lost.
#[test]
fn proxy_scrapers_are_set_aside_where_browsers_load_assets_and_no_reader_is_lost_on_a_cdn() {
    let with_scrapers = darklog_gen::GenConfig { proxy_scrapers: 8, ..cfg(42) };
    let (log, truth) = generate_with_truth(&with_scrapers);
    assert!(truth.contains(",scraper-rotating-proxy,"), "the generator made proxy scrapers");
    let m = scored(&log, &truth);
    assert!(m["dark_social_precision"] >= 0.99, "{m:?}");
    assert!(m["dark_social_recall"] >= 0.99, "{m:?}");

    let (log, truth) = generate_with_truth(&darklog_gen::GenConfig { cdn_assets: true, ..with_scrapers });
    let m = scored(&log, &truth);
    assert_eq!(m["dark_social_recall"], 1.0, "every reader kept on a CDN site: {m:?}");
    assert!(m["channel_accuracy"] >= 0.97, "{m:?}");
}

/// A fifth of the readers have every asset cached: the evidence rule sets them aside with
/// the scrapers, and the estimate brings them back. The range's ends bracket the truth.
#[test]
fn the_range_brings_back_readers_with_cached_assets() {
    let c =
        darklog_gen::GenConfig { cached_readers_percent: 20, proxy_scrapers: 8, lines: 150_000, ..cfg(7) };
    let (log, truth) = generate_with_truth(&c);
    let mut humans = 0u64;
    let mut dark = 0u64;
    let mut rdr = csv::Reader::from_reader(truth.as_bytes());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        humans += u64::from(&rec[3] != "excluded");
        dark += u64::from(&rec[3] == "dark-social");
    }
    let r = darklog_stdin(&["analyze", "-", "--format", "json", "-q"], &log);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let h = &doc["headline"];
    let n = |k: &str| h[k].as_u64().unwrap_or_else(|| panic!("{k} in {h}"));
    let (identified, with_evidence, estimated) =
        (n("identified_visits"), n("dark_social_visits"), n("estimated_visits"));
    assert_eq!(h["browser_evidence_required"], true);
    assert!(h["cached_rate_sample"].as_u64().unwrap() >= 200, "{h}");
    assert!(with_evidence < dark, "the evidence rule alone misses the cached readers: {h}");
    let high = with_evidence + estimated;
    assert!(identified < dark && dark.abs_diff(high) * 20 <= dark, "truth {dark} against {h}");
    let truth_pct = dark as f64 * 100.0 / humans as f64;
    let (low_pct, high_pct) = (h["range_low_pct"].as_f64().unwrap(), h["range_high_pct"].as_f64().unwrap());
    assert!(low_pct < truth_pct && (high_pct - truth_pct).abs() < 1.5, "truth {truth_pct:.2}% against {h}");
    assert!(n("visits_with_estimate").abs_diff(humans) * 20 <= humans, "truth {humans} visits against {h}");
    // The estimated row's share is of the same visits as the range's.
    let row =
        doc["channels"].as_array().unwrap().iter().find(|r| r["channel"] == "dark-social:estimated").unwrap();
    let share = row["visits_pct"].as_f64().unwrap();
    let want = estimated as f64 * 100.0 / n("visits_with_estimate") as f64;
    assert!((share - want).abs() < 0.006, "estimated row {row} against {h}");
    assert!((h["range_high_pct"].as_f64().unwrap() - h["range_low_pct"].as_f64().unwrap()) > share, "{h}");
    // The page says what the range and the estimate's share are shares of, beside the
    // cards whose shares are of the visits with evidence.
    let page = darklog_stdin(&["analyze", "-", "--format", "html", "-q"], &log).stdout;
    let with = crate::util::thousands(n("visits_with_estimate"));
    let of = "</span> visits, with readers whose assets were cached</small>";
    assert!(page.contains(&format!("\">{with}{of}")), "the range's base: {with}");
    assert!(page.contains(&format!("title=\"of {with} visits, with readers whose assets were cached\">")));
    assert!(page.contains(&format!("* The estimate's share is of the {with} visits")), "the footnote");
}

/// Without enough visits from other sites there is no estimate, and the summary says so.
#[test]
fn a_small_sample_gives_no_estimate_and_says_so() {
    let r = darklog(&["analyze", "fixtures/sample.log.gz", "-q"]);
    assert!(
        r.stdout
            .contains("no estimate of readers with cached assets (90 visits from other sites, 200 needed)"),
        "{}",
        r.stdout
    );
}

const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn line(ip: &str, time: &str, path: &str, referrer: &str, ua: &str) -> String {
    format!("{ip} - - [02/Nov/2026:{time} +0000] \"GET {path} HTTP/1.1\" 200 512 \"{referrer}\" \"{ua}\"\n")
}

/// A shop whose listing pages embed product images without an extension, and a reader
/// who clicks quickly from one product page to the next.
fn shop_log() -> String {
    let mut log = String::new();
    for i in 0..8 {
        let ip = format!("198.51.100.{i}");
        let ua = format!("{CHROME} r{i}");
        let list = format!("https://www.shop.example/list/{i}");
        log += &line(&ip, "10:00:00", &format!("/list/{i}"), "https://www.google.com/", &ua);
        for k in 0..4 {
            log +=
                &line(&ip, "10:00:01", &format!("/image/{}/productModel/200x200", 100 * i + k), &list, &ua);
        }
        log += &line(&ip, "10:00:01", "/css/site.css", &list, &ua);
    }
    // The quick clicker: product pages 2 s apart, each referred by the one before (the
    // site's CSS, loaded with the first, is cached for the others).
    let ua = format!("{CHROME} quick");
    let mut previous = "https://www.google.com/".to_string();
    for (k, t) in ["10:05:00", "10:05:02", "10:05:04", "10:05:06", "10:05:08", "10:05:10"].iter().enumerate()
    {
        let path = format!("/product/{k}");
        log += &line("203.0.113.9", t, &path, &previous, &ua);
        previous = format!("https://www.shop.example{path}");
        if k == 0 {
            log += &line("203.0.113.9", t, "/css/site.css", &previous, &ua);
        }
    }
    log
}

/// A shop whose product images have no extension: listing pages embed them, in bursts,
/// and nothing ever links to them. They are learned as assets; a reader who clicks
/// quickly from one product page to the next leaves the pages pages.
#[test]
fn extensionless_images_are_learned_and_quick_clicks_stay_pages() {
    let log = shop_log();
    let r = darklog_stdin(
        &["analyze", "-", "--report", "visits", "--format", "csv", "--visitor-key=k"],
        log.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("embedded resources: paths under /image/ "), "{}", r.stderr);
    assert!(!r.stderr.contains("/product/"), "{}", r.stderr);
    assert!(!r.stdout.contains("/image/"), "no image is a landing: {}", r.stdout);
    // 8 listing visits and the quick clicker's one visit of six product pages.
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 9, "{}", r.stdout);
    assert!(r.stdout.contains(",/product/0,search,google,referrer-known,6,"), "{}", r.stdout);
    assert!(
        r.stderr.contains("55 lines read = 14 page views + 41 other hits + 0 downloads + "),
        "{}",
        r.stderr
    );
}

/// The real shop log (zanbil, ../shared): its product images are learned, and none is a
/// dark-social landing any more.
#[test]
fn the_shops_images_are_learned_on_the_real_log() {
    let Some(data) = shared_data() else { return };
    let log = data.join("real/zanbil_shop_nginx_2019_first1000.log");
    let r = darklog(&["analyze", s(&log), "--report", "pages", "--format", "csv", "--top", "100"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("embedded resources: paths under /image/ "), "{}", r.stderr);
    assert!(!r.stdout.contains("/image/"), "{}", r.stdout);
    // The page mailed on says what the run learned, as stderr did.
    let page = darklog(&["analyze", s(&log), "--format", "html", "-q"]).stdout;
    for fact in [
        "<dt>Learned as assets</dt><dd>paths under /image/ (",
        "<dt>Site found</dt><dd>inferred from the referrers of asset requests",
        "<dt>Browser evidence sample</dt><dd>11 of 15 referred readers sampled loaded assets",
    ] {
        assert!(page.contains(fact), "{fact}");
    }
}

/// Downloads are fetched, not read: no visit starts with one, and they have their own term
/// in the line accounting.
#[test]
fn downloads_are_not_landings() {
    let log = line("192.0.2.1", "10:00:00", "/files/tool-1.2.tar.gz", "-", CHROME)
        + &line("192.0.2.2", "10:00:00", "/src/scraper.py", "-", CHROME)
        + &line("192.0.2.3", "10:00:00", "/dl/Setup.EXE", "-", CHROME)
        + &line("192.0.2.4", "10:00:00", "/news/2026/11/a-story", "-", CHROME);
    let r = darklog_stdin(
        &["analyze", "-", "--report", "visits", "--format", "csv", "--visitor-key=k"],
        log.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", r.stdout);
    assert!(rows[0].contains(",/news/2026/11/a-story,dark-social,"), "{}", r.stdout);
    assert!(r.stderr.contains("4 lines read = 1 page view + 0 other hits + 3 downloads + "), "{}", r.stderr);
}

/// A rules file can count every visit, evidence or not.
#[test]
fn a_rules_file_can_count_unconfirmed_visits() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.toml", b"[settings]\nrequire_browser_evidence = false\n");
    let csv = |extra: &[&str]| {
        let mut args =
            vec!["analyze", "fixtures/sample.log.gz", "--report", "channels", "--format", "csv", "-q"];
        args.extend_from_slice(extra);
        darklog(&args).stdout
    };
    assert!(csv(&[]).contains("excluded:no-browser-evidence,30,"));
    let counted = csv(&["--rules", s(&rules)]);
    assert!(counted.contains("excluded:no-browser-evidence,0,"), "{counted}");
    assert!(counted.contains("dark-social,8"), "{counted}");
}

/// Where no browser evidence is asked for, the run says why: the rules file, too few
/// readers to tell, or browsers that load no assets here; the HTML page says the same and
/// names no estimate it does not have.
#[test]
fn a_run_says_why_it_asks_for_no_browser_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.toml", b"[settings]\nrequire_browser_evidence = false\n");
    let off = darklog(&["analyze", "fixtures/sample.log.gz", "--rules", s(&rules)]);
    assert_eq!(off.code, 0, "{}", off.stderr);
    assert!(
        off.stderr.contains(
            "a visit that loads none counts as a reader all the same (require_browser_evidence = false"
        ),
        "{}",
        off.stderr
    );
    assert!(
        off.stdout.contains(
            "Range: no browser evidence is asked for (the rules file counts visits without it: \
             require_browser_evidence = false): every visit counts"
        ),
        "{}",
        off.stdout
    );
    let html =
        darklog(&["analyze", "fixtures/sample.log.gz", "--rules", s(&rules), "--format", "html", "-q"]);
    assert!(
        html.stdout.contains("no browser evidence was asked for (the rules file counts"),
        "{}",
        html.stdout
    );
    assert!(!html.stdout.contains("with the readers whose assets were cached"), "no estimate is named");
    let on = darklog(&["analyze", "fixtures/sample.log.gz", "--format", "html", "-q"]);
    assert!(
        on.stdout.contains("with browser evidence; readers with cached assets are not estimated (90 visits"),
        "{}",
        on.stdout
    );
    let few = darklog(&["analyze", "fixtures/small.log"]);
    assert!(
        few.stdout.contains("(4 readers came by a click in the first lines, 12 needed"),
        "{}",
        few.stdout
    );
}

/// `explain` reads lines given together as one log: it learns the shop's embedded images
/// from them, as `analyze` does, and says so on the image's line and in its notices.
#[test]
fn explain_learns_the_site_from_the_lines_it_reads() {
    let r = darklog_stdin(&["explain"], shop_log().as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("embedded resources: paths under /image/ "), "{}", r.stderr);
    let image = r.stdout.split("\n\n").find(|e| e.contains("GET /image/0/productModel")).unwrap();
    assert!(
        image.contains(
            "page view:   no, an embedded resource of this site (its pages fetch paths under /image/"
        ),
        "{image}"
    );
    assert!(image.contains("learned from these lines: /image/"), "{image}");
    let product = r.stdout.split("\n\n").find(|e| e.contains("GET /product/3 ")).unwrap();
    assert!(product.contains("page view:   yes"), "{product}");
    assert!(product.contains("(host www.shop.example: the site itself (internal))"), "{product}");
    // One line alone shows nothing of the site.
    let one = shop_log().lines().nth(1).unwrap().to_string();
    let r = darklog(&["explain", &one]);
    assert!(
        r.stdout.contains("page view:   yes") && !r.stdout.contains("learned from these lines"),
        "{}",
        r.stdout
    );
}

/// explain learns from the lines analyze learns from: the first non-empty ones, within
/// the same count and bytes. Past a megabyte of bot lines, the readers who would show
/// assets loaded are beyond both; and one line with a blank after it is one line.
#[test]
fn explain_learns_from_the_lines_analyze_learns_from() {
    let bot = format!(
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) {}",
        "x".repeat(200)
    );
    let mut log = String::new();
    for i in 0..3400 {
        log += &line(&format!("66.249.66.{}", i % 250), "10:00:00", &format!("/p/{i}"), "-", &bot);
    }
    for i in 0..30 {
        let (ip, ua) = (format!("198.51.100.{i}"), format!("{CHROME} r{i}"));
        log += &line(&ip, "10:01:00", &format!("/story/{i}"), "https://www.google.com/", &ua);
        log += &line(&ip, "10:01:01", "/css/a.css", &format!("https://example.com/story/{i}"), &ua);
    }
    let learned = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| !l.contains("log format:") && !l.contains(" lines read = "))
            .map(String::from)
            .collect()
    };
    let analyze = darklog_stdin(&["analyze", "-"], log.as_bytes());
    let explain = darklog_stdin(&["explain"], log.as_bytes());
    assert_eq!(learned(&explain.stderr), learned(&analyze.stderr), "{}", explain.stderr);
    assert!(explain.stdout.contains(" lines: not asked for (0 readers came by a click"), "explain");
    // The readers alone teach both the same site and evidence.
    let readers: String = log.lines().skip(3400).map(|l| format!("{l}\n")).collect();
    let analyze = darklog_stdin(&["analyze", "-"], readers.as_bytes());
    let explain = darklog_stdin(&["explain"], readers.as_bytes());
    assert!(learned(&analyze.stderr).iter().any(|l| l.contains("browsers here load assets (30 of 30")));
    assert_eq!(learned(&explain.stderr), learned(&analyze.stderr));
    let one = format!("{}\n\n", log.lines().last().unwrap());
    let r = darklog_stdin(&["explain"], one.as_bytes());
    assert!(
        !r.stdout.contains("learned from these lines") && r.stderr.is_empty(),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

/// Two sites' logs given together: the run learns the first one's site, and says that the
/// other looks like another site's log. A site's own rotated logs say nothing of the kind.
#[test]
fn another_sites_log_in_the_same_run_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // The shop's log fills the lines a run learns from (4,000), so only it is learned from.
    let shop = write(dir.path(), "shop.log", shop_log().repeat(80).as_bytes());
    let other: String =
        shop_log().replace("shop.example", "blog.example").replace("02/Nov/2026:10", "02/Nov/2026:11");
    let blog = write(dir.path(), "blog.log", other.as_bytes());
    let r = darklog(&["analyze", s(&shop), s(&blog), "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("site: shop.example (inferred"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{}: the referrers of its first lines name blog.example (", blog.display()))
            && r.stderr.contains("never shop.example: if it is another site's log, analyze it apart"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(&format!("{}: the referrers", shop.display())), "{}", r.stderr);
    // The page says it too: its figures mix the sites.
    let r = darklog(&["analyze", s(&shop), s(&blog), "--format", "markdown", "-q"]);
    assert!(r.stdout.contains("never shop.example: if it is another site's log"), "{}", r.stdout);
    // Named with --site, both are the run's sites: nothing to say.
    let r = darklog(&[
        "analyze",
        s(&shop),
        s(&blog),
        "--site",
        "shop.example",
        "--site",
        "blog.example",
        "--format",
        "csv",
    ]);
    assert!(!r.stderr.contains("the referrers of its first lines"), "{}", r.stderr);
    // One site's rotated set.
    generate_set(dir.path(), 20_000, 9, 4);
    let set: Vec<String> = ["access.log.3.gz", "access.log.2.gz", "access.log.1", "access.log"]
        .iter()
        .map(|n| dir.path().join(n).display().to_string())
        .collect();
    let mut args = vec!["analyze"];
    args.extend(set.iter().map(String::as_str));
    let r = darklog(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("the referrers of its first lines"), "{}", r.stderr);
}

/// Lines given to explain together are placed in the visits they make: a link preview or
/// an earlier read among them decides a landing as analyze decides it, a later page of a
/// visit is not called a landing, and the landings explain counts as readers are, rule
/// by rule, the visits analyze counts on the bundled sample.
#[test]
fn explain_places_lines_in_their_visits_as_analyze_does() {
    let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let line = |ip: &str, day: u8, time: &str, path: &str, agent: &str| {
        format!(
            "{ip} - - [{day:02}/Nov/2026:{time} +0000] \"GET {path} HTTP/1.1\" 200 5120 \"-\" \"{agent}\"\n"
        )
    };
    let story = "/2026/11/long-story-about-things";
    let log = [
        line("198.51.100.20", 2, "09:58:00", story, "WhatsApp/2.23.20.0 A"),
        line("203.0.113.5", 2, "10:00:00", story, ua),
        line("203.0.113.5", 2, "10:05:00", "/2026/11/another-story-of-ours", ua),
        line("203.0.113.5", 3, "10:00:00", story, ua),
    ]
    .concat();
    let (verdicts, r) = explain_verdicts(&log);
    assert_eq!(
        verdicts,
        [
            "excluded: not a visit",
            "dark-social / whatsapp (rule preview: line 1 fetched a link preview of this page), as the landing of a visit",
            "a later page of the visit that landed on line 2: that line's verdict is the visit's",
            "direct / return (rule return: the visitor read this page before, on line 2), as the landing of a visit",
        ],
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("log format: combined (detected from 4 lines; --log-format to choose)"),
        "{}",
        r.stderr
    );
    // An asset is neither a front nor a deep page.
    let asset = line("203.0.113.5", 2, "10:00:01", "/static/site.css", ua);
    let r = darklog_stdin(&["explain", "-"], asset.as_bytes());
    assert!(r.stdout.contains("page view:   no") && !r.stdout.contains("page:        "), "{}", r.stdout);
    // The sample: every reason's count of landings explain counts as readers equals
    // analyze's visits by reason.
    let sample = gunzip(&std::fs::read(fixture("sample.log.gz")).unwrap());
    let r = darklog_stdin(&["explain", "-"], &sample);
    let mut explained = std::collections::BTreeMap::<String, u64>::new();
    for block in r.stdout.split("\n\n") {
        let Some(at) = block.find("(rule ") else { continue };
        if !block.contains("as the landing of a visit") || block.contains("no browser evidence: unconfirmed")
        {
            continue;
        }
        let rule: String =
            block[at + 6..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
        *explained.entry(rule).or_default() += 1;
    }
    let doc = json(&darklog(&["analyze", "fixtures/sample.log.gz", "--format", "json", "-q"]));
    assert_eq!(explained, visits_by_reason(&doc));
}

/// explain forgets an earlier read when analyze does (a landing over a month on is no
/// return, even in a log too quiet to move analyze's memory on), and a line with no user
/// agent, where the others carry one, is no visitor among the lines either.
#[test]
fn explain_forgets_and_excludes_as_analyze_does() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let line = |ip: &str, when: &str, path: &str, agent: &str| {
        format!("{ip} - - [{when} +0000] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"{agent}\"\n")
    };
    let log = [
        line("192.0.2.1", "10/Nov/2026:10:00:00", "/2026/a-story", ua),
        line("192.0.2.9", "10/Nov/2026:10:00:00", "/2026/a-story", "-"),
        line("192.0.2.9", "10/Nov/2026:10:01:00", "/2026/b-story", "-"),
        line("192.0.2.1", "25/Dec/2026:10:00:00", "/2026/a-story", ua),
        line("192.0.2.1", "28/Dec/2026:10:00:00", "/2026/a-story", ua),
    ]
    .concat();
    let (verdicts, r) = explain_verdicts(&log);
    assert_eq!(
        verdicts,
        [
            "dark-social / unknown (rule deep-direct), as the landing of a visit",
            "excluded: not a visit",
            "excluded: not a visit",
            "dark-social / unknown (rule deep-direct), as the landing of a visit",
            "direct / return (rule return: the visitor read this page before, on line 4), as the landing of a visit",
        ],
        "{}",
        r.stdout
    );
    let doc = json(&darklog_stdin(&["analyze", "-", "--format", "json", "-q"], log.as_bytes()));
    let want = [("deep-direct".to_string(), 2), ("return".to_string(), 1)];
    assert_eq!(visits_by_reason(&doc), want.into());
}

/// The verdict of each line `explain` reads from `log` on its standard input.
fn explain_verdicts(log: &str) -> (Vec<String>, Run) {
    let r = darklog_stdin(&["explain", "-"], log.as_bytes());
    let verdicts =
        r.stdout.lines().filter_map(|l| l.strip_prefix("verdict:     ")).map(String::from).collect();
    (verdicts, r)
}

/// An analyze JSON's visits by the rule that decided them, for the rules that decided any.
fn visits_by_reason(doc: &serde_json::Value) -> std::collections::BTreeMap<String, u64> {
    doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["visits"].as_u64().unwrap() > 0)
        .map(|r| (r["reason"].as_str().unwrap().to_string(), r["visits"].as_u64().unwrap()))
        .collect()
}

/// From an audit of scrapers that look like readers (a helper who read only the README):
/// a page and a script that is not there (404), or a page and the site's feed, is no sign
/// that a browser rendered the page; a page and its style sheet is. (The icon browsers ask
/// for by themselves stays a sign: on the elastic log, readers from a search landing on a
/// page with no style sheet load only `/favicon.ico`.)
#[test]
fn a_failed_asset_or_a_feed_is_no_browser_evidence() {
    let mut log = String::new();
    for i in 0..14 {
        let (ip, ua) = (format!("198.51.100.{i}"), format!("{CHROME} r{i}"));
        log += &line(
            &ip,
            &format!("10:{i:02}:00"),
            &format!("/news/2026/11/story-{i}"),
            "https://www.google.com/",
            &ua,
        );
        log += &line(
            &ip,
            &format!("10:{i:02}:01"),
            "/css/site.css",
            &format!("https://www.example.com/news/2026/11/story-{i}"),
            &ua,
        );
    }
    let status = |l: String, code: &str| l.replace("\" 200 512 ", &format!("\" {code} 512 "));
    log += &line("203.0.113.1", "11:00:00", "/news/2026/11/scraped-one", "-", CHROME);
    log += &status(
        line(
            "203.0.113.1",
            "11:00:01",
            "/js/missing.js",
            "https://www.example.com/news/2026/11/scraped-one",
            CHROME,
        ),
        "404",
    );
    log += &line("203.0.113.2", "11:01:00", "/news/2026/11/scraped-two", "-", CHROME);
    log += &line("203.0.113.2", "11:01:01", "/feed", "-", CHROME);
    log += &line("203.0.113.2", "11:01:02", "/sitemap.xml", "-", CHROME);
    log += &line("203.0.113.3", "11:02:00", "/news/2026/11/shared-story", "-", CHROME);
    log += &line(
        "203.0.113.3",
        "11:02:01",
        "/css/site.css",
        "https://www.example.com/news/2026/11/shared-story",
        CHROME,
    );
    let r = darklog_stdin(&["analyze", "-", "--report", "channels", "--format", "csv", "-q"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("dark-social,1,"), "{}", r.stdout);
    assert!(r.stdout.contains("excluded:no-browser-evidence,2,"), "{}", r.stdout);
}
