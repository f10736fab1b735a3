//! Real access logs from public sources (`../shared/data/real/`, provenance in its
//! README): every file in a supported format parses with exactly the malformed lines a
//! person found by reading it. Skipped on machines without `../shared`, except under CI
//! (`CI` set), where a missing `../shared` fails them.

use crate::util::*;

struct Case {
    file: &'static str,
    format: &'static str,
    lines: u64,
    malformed: u64,
    directives: u64,
}

const CASES: &[Case] = &[
    // Line 8899 ends inside the user agent with no closing quote: the one malformed line.
    Case {
        file: "elastic_apache_logs_2015.log",
        format: "combined",
        lines: 10_000,
        malformed: 1,
        directives: 0,
    },
    Case {
        file: "elastic_apache_logs_2015.log.gz",
        format: "combined",
        lines: 10_000,
        malformed: 1,
        directives: 0,
    },
    // nginx's stock `main`: combined plus a trailing "$http_x_forwarded_for" (always "-").
    Case {
        file: "zanbil_shop_nginx_2019_first1000.log",
        format: "main",
        lines: 1_000,
        malformed: 0,
        directives: 0,
    },
    // Hostnames as clients, a request without HTTP version, `-` sizes, no final newline.
    Case { file: "nasa_http_aug95_first50.log", format: "common", lines: 50, malformed: 0, directives: 0 },
    // IIS 8.5: 210 requests and 44 directive lines, the `#Fields:` header repeated 11 times.
    Case { file: "iis_w3c_2015.log", format: "w3c", lines: 254, malformed: 0, directives: 44 },
];

#[test]
fn real_logs_parse_with_exact_malformed_counts() {
    let Some(data) = shared_data() else { return };
    for case in CASES {
        let path = data.join("real").join(case.file);
        let r = darklog(&["analyze", s(&path), "--format", "json"]);
        assert_eq!(r.code, 0, "{}: {}", case.file, r.stderr);
        assert!(
            r.stderr.contains(&format!("log format: {} (detected", case.format)),
            "{}: {}",
            case.file,
            r.stderr
        );
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let l = &doc["lines"];
        assert_eq!(l["read"], case.lines, "{}", case.file);
        assert_eq!(l["malformed"], case.malformed, "{}", case.file);
        assert_eq!(l["directives"], case.directives, "{}", case.file);
        let parts = parts_of(l);
        assert_eq!(parts, case.lines, "{}: accounting balances", case.file);
        assert_eq!(doc["inputs"][0]["malformed"], case.malformed);
    }
}

#[test]
fn the_malformed_elastic_line_is_the_truncated_one() {
    let Some(data) = shared_data() else { return };
    let r =
        darklog(&["analyze", s(&data.join("real/elastic_apache_logs_2015.log")), "-v", "--format", "csv"]);
    assert!(
        r.stderr.contains("elastic_apache_logs_2015.log:8899: malformed line: 46.118.127.106 "),
        "{}",
        r.stderr
    );
}

#[test]
fn the_real_iis_log_is_210_requests_in_11_header_blocks() {
    let Some(data) = shared_data() else { return };
    let r = darklog(&["analyze", s(&data.join("real/iis_w3c_2015.log")), "--format", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let l = &doc["lines"];
    let requests: u64 = ["pageviews", "other_hits", "excluded", "outside_window"]
        .iter()
        .map(|k| l[k].as_u64().unwrap())
        .sum();
    assert_eq!(requests, 210, "{l}");
    assert_eq!(l["malformed"], 0, "{l}");
    assert_eq!(doc["inputs"][0]["format"], "w3c");
}

#[test]
fn sites_are_inferred_from_asset_referrers() {
    let Some(data) = shared_data() else { return };
    for (file, site) in [
        ("elastic_apache_logs_2015.log", "semicomplete.com"),
        ("zanbil_shop_nginx_2019_first1000.log", "zanbil.ir"),
    ] {
        let r = darklog(&["analyze", s(&data.join("real").join(file)), "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(doc["site_hosts"], serde_json::json!([site]), "{file}");
    }
}
