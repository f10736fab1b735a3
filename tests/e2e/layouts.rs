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

/// Four readers' visits, a page and its style sheet each, as (client list, time, path,
/// referrer, agent): the lines of every layout below.
/// A log of [`readers`], one line each as `line` writes it from (client list, first
/// client, time, path, referrer, agent).
fn log_of(line: impl Fn(&str, &str, &str, &str, &str, &str) -> String) -> String {
    readers()
        .iter()
        .map(|(clients, time, path, referrer, agent)| {
            line(clients, clients.split(',').next().unwrap(), time, path, referrer, agent)
        })
        .collect()
}

fn readers() -> Vec<(&'static str, &'static str, &'static str, &'static str, &'static str)> {
    let story = "/2026/11/city-council-budget-vote";
    let tap = "/guides/how-to-fix-a-leaking-tap";
    vec![
        ("203.0.113.10", "10:00:00", story, "-", IPHONE),
        (
            "203.0.113.10, 10.1.0.7",
            "10:00:01",
            "/static/css/main.css",
            "https://www.example.com/2026/11/city-council-budget-vote",
            IPHONE,
        ),
        ("198.51.100.22, 10.1.0.7", "10:05:00", tap, "https://www.google.com/", CHROME),
        (
            "198.51.100.22, 10.1.0.8",
            "10:05:01",
            "/static/js/app.js",
            "https://www.example.com/guides/how-to-fix-a-leaking-tap",
            CHROME,
        ),
    ]
}

/// Apache's "proxy" LogFormat: `%{X-Forwarded-For}i` where `%h` would be. The client is
/// the address the header names (the last one not a private proxy's), read by the format
/// string; detected as combined, the lines with a list are said, with the layout to give.
#[test]
fn a_forwarded_for_header_in_the_clients_place_is_read_and_said() {
    let log = log_of(|clients, _, time, path, referrer, agent| {
        format!("{clients} - - [10/Nov/2026:{time} +0100] \"GET {path} HTTP/1.1\" 200 5120 \"{referrer}\" \"{agent}\"\n")
    });
    let want = [
        "/2026/11/city-council-budget-vote dark-social deep-direct 1 2",
        "/guides/how-to-fix-a-leaking-tap search referrer-known 1 2",
    ];
    let apache = r#"%{X-Forwarded-For}i %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;
    assert_eq!(visits(&visits_of(&log, &["--log-format", apache])), want);
    // Most lines with one address: detected as combined, the lines with a list are said
    // with the layout that reads them all.
    let mostly_one: String = log.lines().map(|l| l.replacen(", 10.1.0.8", "", 1) + "\n").collect();
    let mostly_one = mostly_one.replacen(", 10.1.0.7", "", 1);
    let r = visits_of(&mostly_one, &[]);
    let said = "<stdin>: 1 of its first 4 lines start with a list of addresses, not one: a forwarded-for \
                header logged in the client's place? They are not in the combined layout and are \
                counted malformed (give the layout with the header as its first field; perhaps \
                --log-format '";
    let at = r.stderr.find(said).unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(!r.stderr.contains("changed layout part-way"), "said once: {}", r.stderr);
    let suggested = r.stderr[at + said.len()..].split("')").next().unwrap();
    assert_eq!(visits(&visits_of(&mostly_one, &["--log-format", suggested])), want);
    // Most with a list: no preset reads it, and the layout built from a line with a list
    // reads every line.
    let r = visits_of(&log, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let said = "from its line 2, perhaps: --log-format '";
    let at = r.stderr.find(said).unwrap_or_else(|| panic!("{}", r.stderr));
    let suggested = r.stderr[at + said.len()..].split("'\n").next().unwrap();
    assert_eq!(visits(&visits_of(&log, &["--log-format", suggested])), want);
}

/// A layout whose referrer and agent come in the other order parses every line and
/// misreads every one: said, and the site is not learned from agents ("mozilla").
#[test]
fn fields_in_another_order_than_the_layouts_are_said() {
    let log = log_of(|_, client, time, path, referrer, agent| {
        format!("{client} - - [10/Nov/2026:{time} +0100] \"GET {path} HTTP/1.1\" 200 5120 \"{agent}\" \"{referrer}\"\n")
    });
    let r = darklog_stdin(&["analyze", "-", "--format", "json"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said =
        "<stdin>: read as combined, the referrer field holds user agents on 4 of 4 lines, and the agent \
                field URLs on 3 of 3: its fields are in another order than the layout's, and every \
                visitor is misread (give its layout with --log-format)";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    assert_eq!(json(&r)["site_hosts"], serde_json::json!([]));
    // explain says it of the lines it reads too.
    let r = darklog_stdin(&["explain", "-"], log.as_bytes());
    assert!(r.stderr.contains(&said.replace("<stdin>:", "these lines:")), "{}", r.stderr);
    // In order, nothing is said.
    let fixed: String = log.lines().map(|l| swap_last_two_quoted(l) + "\n").collect();
    let r = darklog_stdin(&["analyze", "-", "-q"], fixed.as_bytes());
    assert!(!r.stderr.contains("another order"), "{}", r.stderr);
}

fn swap_last_two_quoted(line: &str) -> String {
    let parts: Vec<&str> = line.rsplitn(5, '"').collect();
    // parts: ["", last, " ", second last, rest]
    format!("{}\"{}\" \"{}\"", parts[4], parts[1], parts[3])
}

/// HAProxy's default `option httplog` captures no header: no referrer, no agent, said
/// from the first lines as the other layouts without them are.
#[test]
fn haproxy_with_no_captured_headers_says_what_it_cannot_see() {
    let log = log_of(|_, client, time, path, _, _| {
        format!(
            "Nov 10 {time} lb1 haproxy[1234]: {client}:51001 [10/Nov/2026:{time}.000] https-in~ \
             bk_web/web1 0/0/1/10/11 200 5120 - - ---- 3/3/0/0/0 0/0 \"GET {path} HTTP/1.1\"\n"
        )
    });
    let r = darklog_stdin(&["analyze", "-", "--tz", "Europe/Berlin", "--format", "markdown"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said =
        "<stdin>: its lines capture no request headers: the haproxy (after a syslog prefix) layout then \
                logs no referrer or user agent: search, social, email, referral and ai visits that only \
                a referrer names are counted as direct or dark social, and in-app browsers, link \
                previews and bots cannot be told by their user agent";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let on_report = said.replace("<stdin>", "\\<stdin\\>");
    assert!(r.stdout.contains(&on_report), "on the report too: {}", r.stdout);
}

/// A short file with lines of two layouts: the malformed ones are said, not only counted.
#[test]
fn a_short_file_of_two_layouts_says_its_malformed_lines() {
    let combined = |time: &str, path: &str| {
        format!("192.0.2.7 - - [10/Nov/2026:{time} +0000] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"{CHROME}\"\n")
    };
    let log = [
        combined("10:00:00", "/2026/11/a-story"),
        combined("10:00:01", "/static/site.css"),
        combined("10:00:02", "/static/site.js"),
        "not a log line\n".into(),
        "{\"also\": \"not one\"}\n".into(),
    ]
    .concat();
    let r = darklog_stdin(&["analyze", "-"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("<stdin>: 2 of its 5 lines are not in the combined layout and were counted malformed"),
        "{}",
        r.stderr
    );
    let one_bad = [combined("10:00:00", "/2026/11/a-story"), "not a log line\n".into()].concat();
    let r = darklog_stdin(&["analyze", "-"], one_bad.as_bytes());
    assert!(!r.stderr.contains("counted malformed"), "one broken line is no pattern: {}", r.stderr);
    // Blank lines are malformed lines, but neither another layout nor lines of this one:
    // they neither set off the word nor hide it.
    let blanks = format!("\n   \n{}\n\n\t\n", one_bad.trim_end());
    let r = darklog_stdin(&["analyze", "-"], blanks.as_bytes());
    assert!(!r.stderr.contains("counted malformed"), "{}", r.stderr);
    let r = darklog_stdin(&["analyze", "-"], format!("{log}\n\n\n\n\n").as_bytes());
    assert!(r.stderr.contains("<stdin>: 2 of its 5 lines are not in the combined"), "{}", r.stderr);
}

/// JSON keys: the spellings widely copied configs use are read (nginx's "json_combined"
/// `http_referrer`, `userAgent`); a spelling no preset knows is named with the flag that
/// reads it; a preset's key holding something else (CloudFront's `"time":"09:00:00"`)
/// does not spoil the line when `--json-field` names the real one.
#[test]
fn json_keys_spelled_otherwise_are_read_or_named() {
    let line = |referrer_key: &str, agent_key: &str, time: &str, referrer: &str, agent: &str| {
        format!(
            "{{\"remote_addr\":\"198.51.100.22\",\"time_iso8601\":\"{time}\",\"request\":\"GET /guides/how-to-fix-a-leaking-tap HTTP/1.1\",\"status\":200,\"{referrer_key}\":\"{referrer}\",\"{agent_key}\":\"{agent}\"}}\n"
        )
    };
    let google = "https://www.google.com/";
    let log = line("http_referrer", "userAgent", "2026-11-10T10:05:00+00:00", google, CHROME);
    assert_eq!(visits(&visits_of(&log, &[])), ["/guides/how-to-fix-a-leaking-tap search referrer-known 1 1"]);
    let bot = line(
        "http_referrer",
        "useragent",
        "2026-11-10T10:05:00+00:00",
        "-",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    );
    assert_eq!(visits(&visits_of(&bot, &[])), Vec::<String>::new(), "a bot is no visit");
    // A spelling no preset knows: named, with the flags that read it.
    let odd = line("page_referrer_url", "client_agent_string", "2026-11-10T10:05:00+00:00", google, CHROME);
    let r = visits_of(&odd, &[]);
    let said = "<stdin>: its lines hold \"page_referrer_url\" (referrer) and \"client_agent_string\" \
                (user_agent), keys darklog does not read: --json-field 'referrer=page_referrer_url' \
                --json-field 'user_agent=client_agent_string' read them";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let flags =
        ["--json-field", "referrer=page_referrer_url", "--json-field", "user_agent=client_agent_string"];
    let r = visits_of(&odd, &flags);
    assert_eq!(visits(&r), ["/guides/how-to-fix-a-leaking-tap search referrer-known 1 1"]);
    assert!(!r.stderr.contains("does not read"), "{}", r.stderr);
    // CloudFront's JSON: `time` holds the time of day, `timestamp` the instant.
    let cloudfront = format!(
        "{{\"date\":\"2026-11-10\",\"time\":\"10:05:00\",\"c-ip\":\"198.51.100.22\",\"cs-method\":\"GET\",\"cs-uri-stem\":\"/guides/how-to-fix-a-leaking-tap\",\"sc-status\":\"200\",\"cs(Referer)\":\"{google}\",\"cs(User-Agent)\":\"{}\",\"timestamp\":\"1793268300\"}}\n",
        CHROME.replace(' ', "%20")
    );
    let flags = [
        "--log-format",
        "json",
        "--json-field",
        "client=c-ip",
        "--json-field",
        "time=timestamp",
        "--json-field",
        "method=cs-method",
        "--json-field",
        "path=cs-uri-stem",
        "--json-field",
        "status=sc-status",
        "--json-field",
        "referrer=cs(Referer)",
        "--json-field",
        "user_agent=cs(User-Agent)",
    ];
    assert_eq!(
        visits(&visits_of(&cloudfront, &flags)),
        ["/guides/how-to-fix-a-leaking-tap search referrer-known 1 1"]
    );
}

/// HAProxy's `capture request header User-Agent len 64` cuts an iPhone's Safari before
/// "AppleWebKit": still a reader, by Safari's platform token.
#[test]
fn an_iphone_agent_cut_at_64_is_still_a_reader() {
    let cut = &IPHONE[..64];
    assert!(!cut.contains("AppleWebKit/"), "{cut}");
    let line = format!(
        "203.0.113.10:51001 [10/Nov/2026:10:00:00.000] https-in~ bk_web/web1 0/0/1/10/11 200 5120 - - ---- 3/3/0/0/0 0/0 {{www.example.com|-|{cut}}} \"GET /2026/11/city-council-budget-vote HTTP/1.1\"\n"
    );
    let r = darklog_stdin(&["explain", "-", "--tz", "UTC"], line.as_bytes());
    assert!(r.stdout.contains("verdict:     dark-social / unknown (rule deep-direct)"), "{}", r.stdout);
}

/// A log of one line: an iPhone reader landing on a story, with no referrer.
fn story_log(dir: &std::path::Path) -> std::path::PathBuf {
    let line = format!(
        "203.0.113.10 - - [10/Nov/2026:10:00:00 +0000] \"GET /2026/11/a-story HTTP/1.1\" 200 5 \"-\" \"{IPHONE}\"\n"
    );
    write(dir, "access.log", line.as_bytes())
}

/// A log_format with no `;` to end it is a format that cannot be read (exit 1), named with
/// the file and the line it starts on, not a file naming none, read as combined.
#[test]
fn nginx_conf_with_an_unended_log_format_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let log = story_log(dir.path());
    let conf =
        write(dir.path(), "n1.conf", b"http {\n log_format main escape=json '{\"ip\":\"$remote_addr\"'\n");
    let r = darklog(&["analyze", s(&log), "--nginx-conf", s(&conf), "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "darklog: --nginx-conf {}: the log_format directive on line 2 has no ';' to end it\n",
            s(&conf)
        )
    );
    assert_eq!(r.stdout, "", "no report");
}

/// `--nginx-conf` on the stock files, which name no log_format: nginx logs its predefined
/// combined there, and so darklog reads; a file that includes others may hold it elsewhere.
#[test]
fn nginx_conf_without_a_log_format_reads_nginxs_combined() {
    let dir = tempfile::tempdir().unwrap();
    let log = story_log(dir.path());
    let debian = "user www-data;\nhttp {\n\tinclude /etc/nginx/mime.types;\n\taccess_log /var/log/nginx/access.log;\n\tinclude /etc/nginx/sites-enabled/*;\n}\n";
    let nginx_org = "http {\n    include       mime.types;\n    #log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" ';\n}\n";
    for (name, conf) in [("debian.conf", debian), ("nginx-org.conf", nginx_org)] {
        let conf = write(dir.path(), name, conf.as_bytes());
        let r = darklog(&["analyze", s(&log), "--nginx-conf", s(&conf), "--format", "json", "-q"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(json(&r)["lines"]["pageviews"], 1, "{name}");
    }
    let elsewhere = write(dir.path(), "inc.conf", b"http {\n  include /etc/nginx/conf.d/*.conf;\n}\n");
    let r = darklog(&["analyze", s(&log), "--nginx-conf", s(&elsewhere)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "no log_format directive in it, and it includes other files (give the one that holds it)"
        ),
        "{}",
        r.stderr
    );
}

/// explain says a referrer is missing because the layout logs none, not because the
/// reader sent none.
#[test]
fn explain_says_the_layout_logs_no_referrer() {
    let common = "199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] \"GET /history/apollo/ HTTP/1.0\" 200 6245\n";
    let r = darklog_stdin(&["explain", "-"], common.as_bytes());
    assert!(r.stdout.contains("referrer:    none: the common layout logs no referrer\n"), "{}", r.stdout);
    let combined =
        format!("192.0.2.1 - - [10/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"{CHROME}\"\n");
    let r = darklog_stdin(&["explain", "-"], combined.as_bytes());
    assert!(r.stdout.contains("referrer:    none\n"), "{}", r.stdout);
}

/// Caddy's `time_format wall` writes `2026/11/10 10:00:00.123`, in the server's zone.
#[test]
fn caddy_wall_times_are_read_in_tz() {
    let line = format!(
        "{{\"level\":\"info\",\"ts\":\"2026/11/10 10:00:00.123\",\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"203.0.113.10\",\"client_ip\":\"203.0.113.10\",\"proto\":\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"www.example.com\",\"uri\":\"/2026/11/city-council-budget-vote\",\"headers\":{{\"User-Agent\":[\"{IPHONE}\"]}}}},\"status\":200}}\n"
    );
    let r = visits_of(&line, &["--tz", "Europe/Berlin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("log format: caddy"), "{}", r.stderr);
    assert!(r.stdout.lines().nth(1).is_some_and(|l| l.starts_with("2026-11-10T09:00:00Z,")), "{}", r.stdout);
}

/// `gcloud logging read --format=json` writes one indented array: said, with the `jq`
/// that makes it one object per line; a line that starts with a bracketed time is no array.
#[test]
fn a_json_array_is_said_with_what_makes_it_lines() {
    let array = "[\n  {\n    \"httpRequest\": {\"remoteIp\": \"203.0.113.10\"},\n    \"timestamp\": \"2026-11-10T09:00:00Z\"\n  }\n]\n";
    let r = darklog_stdin(&["analyze", "-"], array.as_bytes());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("a JSON array (gcloud's --format=json writes one): darklog reads one object per line, as `jq -c '.[]' FILE` writes them"), "{}", r.stderr);
    let bracketed = "[10/Nov/2026:10:00:00 +0100] 203.0.113.5 \"GET /a HTTP/1.1\" 200\n";
    let r = darklog_stdin(&["analyze", "-"], bracketed.as_bytes());
    assert!(
        r.stderr.contains("perhaps: --log-format '[$time_local] $remote_addr \"$request\" $status'"),
        "{}",
        r.stderr
    );
}

/// A request that reached the server itself, in a log whose format puts the forwarded-for
/// header in the client's place, logs `-` there: still a hit, not a malformed line.
#[test]
fn a_direct_request_in_a_forwarded_for_first_log_is_a_hit() {
    let line = |clients: &str, time: &str, path: &str| {
        format!(
            "{clients} - - [10/Nov/2026:{time} +0100] \"GET {path} HTTP/1.1\" 200 5120 \"-\" \"{CHROME}\"\n"
        )
    };
    let log = [
        line("203.0.113.10, 10.1.0.7", "10:00:00", "/2026/11/city-council-budget-vote"),
        line("-", "10:10:00", "/"),
        line("-", "10:10:01", "/static/img/logo.png"),
    ]
    .concat();
    let apache = r#"%{X-Forwarded-For}i %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;
    let r = visits_of(&log, &["--log-format", apache]);
    assert_eq!(
        visits(&r),
        ["/2026/11/city-council-budget-vote dark-social deep-direct 1 1", "/ direct front-direct 1 2"]
    );
    assert!(r.stderr.contains("+ 0 malformed"), "{}", r.stderr);
}

/// JSON as shippers write it: Elastic's schema read by its nested keys; a `time` that is
/// a duration beside `@timestamp` is no time; keys named like a referrer or an agent whose
/// values are none (`referral_code`, `agent_id`) are not offered; Traefik's default JSON,
/// with the headers dropped, is said from a few lines.
#[test]
fn json_from_shippers_and_proxies_reads_as_it_should() {
    let ecs = format!(
        "{{\"@timestamp\":\"2026-11-10T09:05:00.000Z\",\"agent\":{{\"type\":\"filebeat\",\"id\":\"d1f0\"}},\"source\":{{\"ip\":\"198.51.100.22\"}},\"http\":{{\"request\":{{\"method\":\"GET\",\"referrer\":\"https://www.google.com/\"}},\"response\":{{\"status_code\":200}}}},\"url\":{{\"original\":\"/guides/how-to-fix-a-leaking-tap\"}},\"user_agent\":{{\"original\":\"{CHROME}\"}}}}\n"
    );
    assert_eq!(visits(&visits_of(&ecs, &[])), ["/guides/how-to-fix-a-leaking-tap search referrer-known 1 1"]);
    let duration = format!(
        "{{\"@timestamp\":\"2026-11-10T09:05:00.000Z\",\"time\":0.012,\"remote_addr\":\"198.51.100.22\",\"request\":\"GET /guides/how-to-fix-a-leaking-tap HTTP/1.1\",\"status\":200,\"http_referer\":\"https://www.google.com/\",\"http_user_agent\":\"{CHROME}\",\"referral_code\":\"SPRING\",\"agent_id\":\"a-17\"}}\n"
    );
    let r = visits_of(&duration, &[]);
    assert!(r.stdout.lines().nth(1).is_some_and(|l| l.starts_with("2026-11-10T09:05:00Z,")), "{}", r.stdout);
    let no_headers = duration
        .replace(",\"http_referer\":\"https://www.google.com/\"", "")
        .replace(&format!(",\"http_user_agent\":\"{CHROME}\""), "");
    let r = visits_of(&no_headers.repeat(5), &[]);
    assert!(!r.stderr.contains("a key darklog does not read"), "{}", r.stderr);
    let said =
        "<stdin>: none of its first 5 requests carries a referrer or user agent (does the log record it?)";
    assert!(r.stderr.contains(said), "{}", r.stderr);
}

/// nginx's `main` with timings appended still has its forwarded-for header where `main`
/// has it: `--client-ip` finds the readers behind the balancer. HAProxy's `clf` layout,
/// whose quoted fields after the agent are no header, stays combined.
#[test]
fn main_with_fields_appended_keeps_its_forwarded_for() {
    let log = log_of(|_, client, time, path, referrer, agent| {
        format!("10.1.0.7 - - [10/Nov/2026:{time} +0100] \"GET {path} HTTP/1.1\" 200 5120 \"{referrer}\" \"{agent}\" \"{client}\" 0.012 0.010\n")
    });
    let r = visits_of(&log, &["--client-ip", "x-forwarded-for"]);
    assert!(r.stderr.contains("log format: main (detected"), "{}", r.stderr);
    assert_eq!(
        visits(&r),
        [
            "/2026/11/city-council-budget-vote dark-social deep-direct 1 2",
            "/guides/how-to-fix-a-leaking-tap search referrer-known 1 2"
        ]
    );
    let clf = "203.0.113.10 - - [10/Nov/2026:10:00:00 +0100] \"GET /2026/11/a-story HTTP/1.1\" 200 5120 \"\" \"\" 51001 655 \"https-in~\" \"bk_web\" \"web1\" 0 0 1 10 11 ---- 3 3 0 0 0 0 0\n";
    let r = visits_of(clf, &[]);
    assert!(r.stderr.contains("log format: combined (detected"), "{}", r.stderr);
}

/// A forwarded-for list written without spaces (`203.0.113.10,10.1.0.7`) reads as one
/// client in combined: said, with the layout that keys each visitor on the client it names.
#[test]
fn a_client_field_that_is_a_list_is_said() {
    let log = log_of(|clients, _, time, path, referrer, agent| {
        let clients = clients.replace(", ", ",");
        format!("{clients} - - [10/Nov/2026:{time} +0100] \"GET {path} HTTP/1.1\" 200 5120 \"{referrer}\" \"{agent}\"\n")
    });
    let r = visits_of(&log, &[]);
    let said = "<stdin>: the client field of 3 of its first 4 requests is a list of addresses, read as one: \
                a forwarded-for header logged in the client's place?";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let nginx = r#"$http_x_forwarded_for - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
    assert_eq!(
        visits(&visits_of(&log, &["--log-format", nginx])),
        [
            "/2026/11/city-council-budget-vote dark-social deep-direct 1 2",
            "/guides/how-to-fix-a-leaking-tap search referrer-known 1 2"
        ]
    );
}

/// JSON whose shipper flattened the Elastic schema's objects into dotted keys
/// (`"source.ip"`), and Logstash's grok output for combined lines, whose `request` is the
/// path alone, `verb` the method, `response` the status, and whose `referrer` and `agent`
/// keep the quotes of the line (with the shipper's own `host` and the raw `message`
/// beside them): both detected as json and read as the combined lines they came from.
#[test]
fn flattened_elastic_keys_and_logstash_grok_are_read() {
    let expected = [
        "/2026/11/city-council-budget-vote dark-social deep-direct 1 2",
        "/guides/how-to-fix-a-leaking-tap search referrer-known 1 2",
    ];
    let flattened = log_of(|_, client, time, path, referrer, agent| {
        let referrer = if referrer == "-" {
            String::new()
        } else {
            format!(",\"http.request.referrer\":\"{referrer}\"")
        };
        format!(
            "{{\"@timestamp\":\"2026-11-10T{time}.000Z\",\"source.ip\":\"{client}\",\"http.request.method\":\"GET\",\"url.original\":\"{path}\",\"http.response.status_code\":200,\"user_agent.original\":\"{agent}\",\"agent.type\":\"filebeat\"{referrer}}}\n"
        )
    });
    let r = visits_of(&flattened, &[]);
    assert_eq!(visits(&r), expected);
    assert!(r.stderr.contains("log format: json"), "{}", r.stderr);
    let grok = log_of(|_, client, time, path, referrer, agent| {
        let raw = format!("{client} - - [10/Nov/2026:{time} +0000] \\\"GET {path} HTTP/1.1\\\" 200 5120");
        format!(
            "{{\"@timestamp\":\"2026-11-10T{time}.000Z\",\"message\":\"{raw}\",\"@version\":\"1\",\"host\":\"web1\",\"clientip\":\"{client}\",\"ident\":\"-\",\"auth\":\"-\",\"timestamp\":\"10/Nov/2026:{time} +0000\",\"verb\":\"GET\",\"request\":\"{path}\",\"httpversion\":\"1.1\",\"response\":\"200\",\"bytes\":\"5120\",\"referrer\":\"\\\"{referrer}\\\"\",\"agent\":\"\\\"{agent}\\\"\"}}\n"
        )
    });
    let r = visits_of(&grok, &[]);
    assert_eq!(visits(&r), expected);
    assert!(r.stderr.contains("log format: json"), "{}", r.stderr);
}

/// From a second audit of the layouts by a helper who read only the README: a Caddy log
/// of a site served off the default port (`Host: blog.example.net:8443`) whose readers
/// click from page to page, a full URL with its query and no path, and a log whose first
/// line follows the NUL bytes a truncation under a non-appending writer leaves.
#[test]
fn a_host_with_its_port_a_pathless_query_and_a_nul_hole_read_as_meant() {
    let caddy = |ts: u32, ip: &str, uri: &str, referer: &str| {
        format!(
            "{{\"level\":\"info\",\"ts\":{ts}.5,\"logger\":\"http.log.access\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"{ip}\",\"client_ip\":\"{ip}\",\"proto\":\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"blog.example.net:8443\",\"uri\":\"{uri}\",\"headers\":{{\"Referer\":[\"{referer}\"],\"User-Agent\":[\"{CHROME}\"]}}}},\"duration\":0.001,\"size\":10,\"status\":200,\"resp_headers\":{{}}}}\n"
        )
    };
    let log = [
        caddy(1794304800, "203.0.113.5", "/2026/11/a-story", "https://www.google.com/"),
        caddy(1794304801, "203.0.113.5", "/static/app.css", "https://blog.example.net:8443/2026/11/a-story"),
        // Forty minutes on: a new visit, from a page of the site itself.
        caddy(1794307200, "203.0.113.5", "/2026/11/b-story", "https://blog.example.net:8443/2026/11/a-story"),
        caddy(1794307201, "203.0.113.5", "/static/app.css", "https://blog.example.net:8443/2026/11/b-story"),
    ]
    .concat();
    assert_eq!(
        visits(&visits_of(&log, &["--log-format", "caddy"])),
        ["/2026/11/a-story search referrer-known 1 2", "/2026/11/b-story direct referrer-internal 1 2"]
    );

    let line = |time: &str, target: &str, referrer: &str| {
        format!("203.0.113.6 - - [10/Nov/2026:10:00:{time} +0100] \"GET {target} HTTP/1.1\" 200 1234 \"{referrer}\" \"{IPHONE}\"\n")
    };
    let mut log = vec![0u8; 5000];
    log.extend(line("01", "http://www.example.com?utm_medium=email&utm_source=nl", "-").bytes());
    log.extend(
        line("02", "/static/app.css", "http://www.example.com/?utm_medium=email&utm_source=nl").bytes(),
    );
    let r = darklog_stdin(&["analyze", "-", "--report", "visits", "--format", "csv"], &log);
    assert_eq!(visits(&r), ["/?utm_medium=email&utm_source=nl email utm-medium 1 2"]);
    assert!(r.stderr.contains("2 lines read = 1 page view + 1 other hit"), "{}", r.stderr);
}
