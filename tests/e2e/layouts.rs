//! Layouts servers write just outside the presets, from an audit by a helper who read only
//! the README and wrote each product's documented layout: what darklog reads of them, and
//! what it says when it cannot read them right.

use crate::util::*;

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

/// Visits as `--report visits` CSV rows, without the visitor id: landing, channel,
/// reason, page views and hits.
fn visits(r: &Run) -> Vec<String> {
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{} {} {} {} {}", f[2], f[3], f[5], f[6], f[8])
        })
        .collect()
}

fn visits_of(log: &str, extra: &[&str]) -> Run {
    let mut args = vec!["analyze", "-", "--report", "visits", "--format", "csv"];
    args.extend_from_slice(extra);
    darklog_stdin(&args, log.as_bytes())
}

/// IIS writes a header's spaces as `+`: a forwarded-for chain `203.0.113.10,+10.0.0.9`
/// names its client first, and two readers behind the same proxies are two visitors whose
/// assets count, with no word of an untrusted proxy.
#[test]
fn iis_forwarded_for_with_plus_for_space_names_the_client() {
    let agent = |a: &str| a.replace(' ', "+");
    let line = |time: &str, path: &str, referrer: &str, ua: &str, xff: &str| {
        format!(
            "2026-11-10 {time} 10.0.0.4 GET {path} - 443 - 10.0.0.9 {} {referrer} 200 0 0 12 {xff}\n",
            agent(ua)
        )
    };
    let log = [
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n".to_string(),
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For\n".to_string(),
        line("09:00:00", "/2026/11/city-council-budget-vote", "-", IPHONE, "203.0.113.10,+10.0.0.9"),
        line("09:00:01", "/static/css/main.css", "https://www.example.com/2026/11/city-council-budget-vote", IPHONE, "203.0.113.10,+10.0.0.9"),
        line("09:05:00", "/guides/how-to-fix-a-leaking-tap", "https://www.google.com/", CHROME, "198.51.100.22,+10.0.0.9"),
        line("09:05:01", "/static/js/app.js", "https://www.example.com/guides/how-to-fix-a-leaking-tap", CHROME, "198.51.100.22,+10.0.0.9"),
    ]
    .concat();
    let r = visits_of(&log, &["--client-ip", "x-forwarded-for"]);
    assert_eq!(
        visits(&r),
        [
            "/2026/11/city-council-budget-vote dark-social deep-direct 1 2",
            "/guides/how-to-fix-a-leaking-tap search referrer-known 1 2"
        ]
    );
    assert!(!r.stderr.contains("still keyed"), "{}", r.stderr);
}
