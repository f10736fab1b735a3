//! Parser tests for the presets and format strings beyond the NCSA family: named tables
//! of real lines, one per edge. The lines are in `fixtures/formats/`, copied byte for
//! byte from product documentation, product tests and other tools' fixtures; where each
//! comes from is in `fixtures/formats/CITATIONS.md` (file and line). A few cases change
//! one field of a real line to reach an edge no real line shows; they say so.

use super::*;
use crate::time::format_rfc3339;

/// What a line must read as. `None` in an optional field: the line has none.
#[derive(Clone, Copy)]
struct W {
    client: &'static str,
    time: &'static str,
    method: &'static str,
    target: &'static str,
    status: u16,
    referrer: Option<&'static str>,
    user_agent: Option<&'static str>,
    vhost: Option<&'static str>,
    forwarded_for: Option<&'static str>,
}

const W0: W = W {
    client: "",
    time: "",
    method: "GET",
    target: "/",
    status: 200,
    referrer: None,
    user_agent: None,
    vhost: None,
    forwarded_for: None,
};

fn fixture(file: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/formats/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Line `n` (from 1) of `file`, read through `format` after the lines before it (which
/// may set how it is read: W3C's `#Fields:`).
fn check(name: &str, format: &Format, file: &str, n: usize, want: Option<W>) {
    let data = fixture(file);
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut cx = LineCx::default();
    for line in &lines[..n - 1] {
        let _ = format.parse(line, &mut cx);
    }
    let line = lines[n - 1];
    let parsed = format.parse(line, &mut cx);
    let (got, want) = match (parsed, want) {
        (Parsed::Hit(h), Some(w)) => (h, w),
        (Parsed::Malformed, None) => return,
        (Parsed::Directive, None) if name.contains("directive") => return,
        (other, want) => panic!("{name}: {file}:{n}: got {other:?}, want a hit: {}", want.is_some()),
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let opt = |b: Option<&[u8]>| b.map(text);
    assert_eq!(text(got.client), want.client, "{name}: client");
    assert_eq!(format_rfc3339(got.time), want.time, "{name}: time");
    assert_eq!(text(got.method), want.method, "{name}: method");
    assert_eq!(text(got.target), want.target, "{name}: target");
    assert_eq!(got.status, want.status, "{name}: status");
    assert_eq!(opt(got.referrer).as_deref(), want.referrer, "{name}: referrer");
    assert_eq!(opt(got.user_agent).as_deref(), want.user_agent, "{name}: user agent");
    assert_eq!(opt(got.vhost).as_deref(), want.vhost, "{name}: vhost");
    assert_eq!(opt(got.forwarded_for).as_deref(), want.forwarded_for, "{name}: forwarded for");
}

fn preset(p: Preset) -> Format {
    p.build(&FormatOptions::default())
}

fn nginx(body: &str) -> Format {
    FormatSpec::Nginx(body.into()).build(&FormatOptions::default()).unwrap().unwrap()
}

fn apache(s: &str) -> Format {
    FormatSpec::Apache(s.into()).build(&FormatOptions::default()).unwrap().unwrap()
}

const CHROME78: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36";

#[test]
fn nginx_format_strings() {
    let ingress = nginx(
        "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \
         \"$http_user_agent\" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] \
         $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id",
    );
    let main = nginx("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\"");
    let xff_first_quoted = nginx("\"$http_x_forwarded_for\" $remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"");
    let xff_first = nginx("$http_x_forwarded_for $remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"");
    let combined = nginx(Preset::Combined.nginx_body().unwrap());
    let ingress_line =
        |target, ua, time| W { client: "192.168.64.14", time, target, user_agent: Some(ua), ..W0 };
    let ff72 = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0";
    let cases: Vec<(&str, &Format, &str, usize, Option<W>)> = vec![
        (
            "ingress_upstreaminfo_single_upstream",
            &ingress,
            "nginx_timing_ingress.log",
            1,
            Some(W {
                client: "192.168.64.1",
                time: "2020-02-07T11:48:51Z",
                method: "POST",
                target: "/products",
                user_agent: Some("curl/7.54.0"),
                ..W0
            }),
        ),
        (
            "ingress_upstream_lists_hold_commas_and_spaces",
            &ingress,
            "nginx_timing_ingress.log",
            3,
            Some(ingress_line("/v2/some", ff72, "2020-02-07T12:02:42Z")),
        ),
        (
            "ingress_upstream_list_with_a_dash_inside",
            &ingress,
            "nginx_timing_ingress.log",
            5,
            Some(ingress_line("/test/test.mp4", ff72, "2020-02-07T12:02:42Z")),
        ),
        (
            "main_without_forwarded_for_header",
            &main,
            "nginx_xff.log",
            1,
            Some(W {
                client: "172.17.0.1",
                time: "2017-05-29T19:02:48Z",
                target: "/stringpatch",
                status: 404,
                user_agent: Some("Mozilla/5.0 (Windows NT 6.1; rv:15.0) Gecko/20120716 Firefox/15.0a2"),
                ..W0
            }),
        ),
        (
            "quoted_forwarded_for_list_first",
            &xff_first_quoted,
            "nginx_xff.log",
            3,
            Some(W {
                client: "10.2.1.185",
                time: "2016-01-22T13:18:29Z",
                target: "/assets/xxxx?q=100",
                user_agent: Some("Amazon CloudFront"),
                forwarded_for: Some("10.5.102.222, 199.96.1.1, 204.246.1.1"),
                ..W0
            }),
        ),
        (
            "unquoted_ipv6_and_ipv4_forwarded_list_first",
            &xff_first,
            "nginx_xff.log",
            4,
            Some(W {
                client: "10.2.2.121",
                time: "2016-12-30T06:47:09Z",
                target: "/test.html",
                status: 404,
                user_agent: Some(
                    "Mozilla/5.0 (compatible; Facebot 1.0; https://developers.facebook.com/docs/sharing/webmasters/crawler)",
                ),
                forwarded_for: Some("2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17"),
                ..W0
            }),
        ),
        (
            "empty_request_line_is_a_hit_without_method",
            &combined,
            "nginx_combined.log",
            5,
            Some(W { client: "127.0.0.1", time: "2018-04-12T07:48:40Z", method: "", target: "", status: 400, ..W0 }),
        ),
        ("a_line_of_another_layout_is_malformed", &ingress, "nginx_combined.log", 4, None),
    ];
    for (name, format, file, n, want) in cases {
        check(name, format, file, n, want);
    }
}

/// `$remote_addr:$remote_port` and Apache's `%a:%{remote}p` are one `address:port` field:
/// read apart, an IPv6 client ended at its first colon (every `2001:…` reader one
/// visitor). Lines written to these formats: no real one was found.
#[test]
fn a_client_and_its_port_are_read_as_one_field() {
    let formats = [
        nginx("$remote_addr:$remote_port [$time_local] \"$request\" $status"),
        apache("%a:%{remote}p %t \"%r\" %>s"),
    ];
    for format in &formats {
        for (client, want) in [
            ("2001:db8:1::5:51234", "2001:db8:1::5"),
            ("[2001:db8::7]:443", "2001:db8::7"),
            ("203.0.113.5:80", "203.0.113.5"),
        ] {
            let line = format!("{client} [10/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200");
            let mut cx = LineCx::default();
            let hit = format.parse(line.as_bytes(), &mut cx).hit();
            assert_eq!(hit.map(|h| h.client), Some(want.as_bytes()), "{format:?}: {line}");
        }
    }
    // Apart from the client, a port is skipped.
    let apart = nginx("$remote_addr $remote_port [$time_local] \"$request\" $status");
    let mut cx = LineCx::default();
    let hit =
        apart.parse(b"2001:db8::7 443 [10/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200", &mut cx).hit();
    assert_eq!(hit.map(|h| h.client), Some(&b"2001:db8::7"[..]));
}

/// Layouts whose times carry no zone are read in `--tz`, and said to be.
#[test]
fn zoneless_layouts_are_known() {
    let cases = [
        ("haproxy", preset(Preset::Haproxy), true),
        ("combined", Format::COMBINED, false),
        ("strftime_without_offset", apache("%h %l %u [%{%d/%b/%Y:%H:%M:%S}t] \"%r\" %>s %b"), true),
        ("strftime_with_offset", apache("%h %l %u [%{%d/%b/%Y:%H:%M:%S %z}t] \"%r\" %>s %b"), false),
        ("nginx_time_local", nginx("$remote_addr [$time_local] \"$request\" $status"), false),
        ("nginx_msec", nginx("$remote_addr $msec \"$request\" $status"), false),
    ];
    for (name, format, want) in cases {
        assert_eq!(format.zoneless(), want, "{name}");
        assert_eq!(Format::Syslog(Arc::new(format)).zoneless(), want, "{name} behind syslog");
    }
}

#[test]
fn nginx_time_variables() {
    // nginx_combined.log line 4 with its time written as $time_iso8601 and as $msec (no
    // real line of either was found: CITATIONS.md).
    let line4 = String::from_utf8(fixture("nginx_combined.log")).unwrap().lines().nth(3).unwrap().to_string();
    let tail = &line4[line4.find('"').unwrap()..];
    for (format, time) in [
        ("$remote_addr - $remote_user [$time_iso8601] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"", "2016-12-07T11:05:07+01:00"),
        ("$remote_addr - $remote_user [$msec] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"", "1481105107.123"),
    ] {
        let line = format!("85.181.35.98 - - [{time}] {tail}");
        let mut cx = LineCx::default();
        let hit = nginx(format).parse(line.as_bytes(), &mut cx).hit().unwrap_or_else(|| panic!("{format}"));
        assert_eq!(format_rfc3339(hit.time), "2016-12-07T10:05:07Z", "{format}");
        assert_eq!(hit.target, b"/ocelot");
    }
}

#[test]
fn apache_format_strings() {
    let vhost_port_d = apache("%v:%p %h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D");
    let vhost = apache("%v %h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-agent}i\\\"");
    let combined = apache("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"");
    let common_with_path_query = apache("%h %l %u %t \"%m %U%q %H\" %>s %b");
    let cases: Vec<(&str, &Format, &str, usize, Option<W>)> = vec![
        (
            "manual_combined_example",
            &combined,
            "apache_combined.log",
            1,
            Some(W {
                client: "127.0.0.1",
                time: "2000-10-10T20:55:36Z",
                target: "/apache_pb.gif",
                referrer: Some("http://www.example.com/start.html"),
                user_agent: Some("Mozilla/4.08 [en] (Win98; I ;Nav)"),
                ..W0
            }),
        ),
        (
            "timed_out_request_line_dash",
            &combined,
            "apache_combined.log",
            3,
            Some(W { client: "127.0.0.1", time: "2019-02-02T04:38:45Z", method: "", target: "", status: 408, ..W0 }),
        ),
        (
            "vhost_with_port_user_and_microseconds",
            &vhost_port_d,
            "apache_vhost.log",
            3,
            Some(W {
                client: "178.20.184.42",
                time: "2023-07-26T07:01:26Z",
                target: "/secure/RapidBoard.jspa?rapidView=1295&selectedIssue=AA-409111&quickFilter=385508&quickFilter=387097",
                user_agent: Some("Mozilla/5.0"),
                vhost: Some("localhost"),
                ..W0
            }),
        ),
        (
            "vhost_without_port_escaped_quotes_in_the_format",
            &vhost,
            "apache_vhost.log",
            2,
            Some(W {
                client: "192.168.1.1",
                time: "2020-06-08T08:04:43Z",
                target: "/solr/admin/info/system?wt=json",
                status: 500,
                user_agent: Some(CHROME78),
                vhost: Some("www.crowdsec.net"),
                ..W0
            }),
        ),
        (
            "path_and_query_directives_rebuild_the_target",
            &common_with_path_query,
            "apache_common.log",
            1,
            Some(W { client: "127.0.0.1", time: "2000-10-10T20:55:36Z", target: "/apache_pb.gif", ..W0 }),
        ),
    ];
    for (name, format, file, n, want) in cases {
        check(name, format, file, n, want);
    }
}

#[test]
fn apache_strftime_and_errors() {
    // The manual's strftime example (mod_log_config, "Examples"), on the request of
    // apache_combined.log line 1: no real line of it was found.
    let format = apache("%h %l %u [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] \"%r\" %>s %b");
    let line = b"127.0.0.1 - frank [10/Oct/2000 13:55:36.042 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326";
    let mut cx = LineCx::default();
    let hit = format.parse(line, &mut cx).hit().expect("strftime time");
    assert_eq!(format_rfc3339(hit.time), "2000-10-10T20:55:36Z");
    // Without %z the time is read in the zone given (--tz).
    let opts =
        FormatOptions { zone: crate::time::Zone::parse("-07:00").unwrap(), ..FormatOptions::default() };
    let zoned = FormatSpec::Apache("%h %l %u [%{%d/%b/%Y:%H:%M:%S}t] \"%r\" %>s %b".into())
        .build(&opts)
        .unwrap()
        .unwrap();
    let line = b"127.0.0.1 - frank [10/Oct/2000:13:55:36] \"GET /apache_pb.gif HTTP/1.0\" 200 2326";
    assert_eq!(format_rfc3339(zoned.parse(line, &mut cx).hit().unwrap().time), "2000-10-10T20:55:36Z");
    // Apache's stock ssl_request_log has no status: it cannot say what a visit is.
    let err = FormatSpec::Apache("%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \"%r\" %b".into())
        .build(&FormatOptions::default())
        .unwrap_err();
    assert!(err.0.contains("no status"), "{err}");
    let err = FormatSpec::Nginx("$remote_addr$remote_user [$time_local] \"$request\" $status".into())
        .build(&FormatOptions::default())
        .unwrap_err();
    assert!(err.0.contains("nothing between them"), "{err}");
    // A lone `$`, which nginx refuses too: no line would fit it.
    for body in [
        "$remote_addr [$time_local] \"$request\" $status $",
        "$remote_addr $ [$time_local] \"$request\" $status",
    ] {
        let err = FormatSpec::Nginx(body.into()).build(&FormatOptions::default()).unwrap_err();
        assert!(err.0.contains("a $ with no variable name after it"), "{err}");
    }
}

#[test]
fn json_presets() {
    let json = preset(Preset::Json);
    let caddy = preset(Preset::Caddy);
    let cases: Vec<(&str, &Format, &str, usize, Option<W>)> = vec![
        (
            "traefik_keys_and_an_object_valued_service_url",
            &json,
            "traefik_json.jsonl",
            1,
            Some(W {
                client: "172.17.0.1",
                time: "2021-12-08T14:02:43Z",
                target: "/594VAEoi.save",
                user_agent: Some("Nikto"),
                vhost: Some("test.docker.localhost"),
                ..W0
            }),
        ),
        (
            "caddy_client_ip_behind_trusted_proxy_host_with_port",
            &caddy,
            "caddy_v2.jsonl",
            1,
            Some(W {
                client: "10.10.10.117",
                time: "2024-05-26T11:42:52Z",
                target: "/gentoo/gentoo-distfiles/distfiles/9b/tl-hrlatex.source-2021.tar.xz",
                user_agent: Some("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
                // Caddy logs the Host header as sent: the site is the host, not its port.
                vhost: Some("mirrors.tnonline.net"),
                forwarded_for: Some("10.10.10.117"),
                ..W0
            }),
        ),
        (
            "caddy_status_zero",
            &caddy,
            "caddy_v2.jsonl",
            3,
            Some(W {
                client: "127.0.0.1",
                time: "2023-09-04T15:19:51Z",
                status: 0,
                user_agent: Some("curl/7.74.0"),
                vhost: Some("127.0.0.1"),
                forwarded_for: Some("127.0.0.1"),
                ..W0
            }),
        ),
        (
            "caddy_before_2_5_remote_addr_with_port",
            &caddy,
            "caddy_v2_pre2.5.jsonl",
            1,
            Some(W {
                client: "198.255.245.152",
                time: "2022-05-03T15:17:34Z",
                status: 304,
                user_agent: Some(
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:99.0) Gecko/20100101 Firefox/99.0",
                ),
                vhost: Some("billmill.org"),
                ..W0
            }),
        ),
        ("json_without_a_client_is_malformed", &json, "nginx_json_iso8601.jsonl", 1, None),
    ];
    for (name, format, file, n, want) in cases {
        check(name, format, file, n, want);
    }
}

#[test]
fn json_escapes_empty_values_and_named_keys() {
    // The shared sample b_nginx_json.log's first line, its agent given an escaped quote
    // and an é as nginx's escape=json writes them (SEMANTICS.md, NGXTEST access_log.t).
    let line = br#"{"time_local": "10/Nov/2026:10:00:00 +0100", "remote_addr": "203.0.113.5", "request": "GET /2026/11/long-story-about-things HTTP/1.1", "status": "200", "body_bytes_sent": "1234", "http_referer": "", "http_user_agent": "Caf\u00e9 \"Reader\"/1.0", "request_time": "0.012"}"#;
    let mut cx = LineCx::default();
    let json = preset(Preset::Json);
    let hit = json.parse(line, &mut cx).hit().expect("nginx JSON");
    assert_eq!(hit.user_agent, Some("Café \"Reader\"/1.0".as_bytes()));
    assert_eq!(hit.referrer, None, "an empty string is none");
    assert_eq!(format_rfc3339(hit.time), "2026-11-10T09:00:00Z");
    // The same line as PHP's json_encode writes it (`\/` in every slash, the time's
    // too), and as nginx writes a JSON-shaped format without escape=json (`\xHH`).
    let php = br#"{"time_local": "10\/Nov\/2026:10:00:00 +0100", "remote_addr": "203.0.113.5", "request": "GET \/2026\/11\/long-story HTTP\/1.1", "status": "200", "http_referer": "", "http_user_agent": "Caf\u00e9"}"#;
    let hit = json.parse(php, &mut cx).hit().expect("PHP's escapes");
    assert_eq!(
        (format_rfc3339(hit.time).as_str(), hit.target),
        ("2026-11-10T09:00:00Z", &b"/2026/11/long-story"[..])
    );
    let nginx = br#"{"time_local": "10/Nov/2026:10:00:00 +0100", "remote_addr": "203.0.113.5", "request": "GET /caf\xC3\xA9 HTTP/1.1", "status": "200", "http_referer": "", "http_user_agent": "A \x22quoted\x22 \xZZ"}"#;
    let hit = json.parse(nginx, &mut cx).hit().expect("nginx's default escapes");
    assert_eq!(hit.target, "/café".as_bytes());
    assert_eq!(
        hit.user_agent,
        Some(&br#"A "quoted" \xZZ"#[..]),
        "a backslash-x without two hex digits stays"
    );
    // alp's example (nginx_json_iso8601.jsonl line 1) has no client; given one under a
    // key of its own, --json-field names it.
    let opts =
        FormatOptions { json_fields: vec![(JsonRole::Client, "ip".into())], ..FormatOptions::default() };
    let named = Preset::Json.build(&opts);
    let alp = fixture("nginx_json_iso8601.jsonl");
    let first = alp.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(named.parse(first, &mut cx), Parsed::Malformed, "no client, no hit");
    let with_ip = [&br#"{"ip":"192.0.2.1","#[..], &first[1..]].concat();
    let hit = named.parse(&with_ip, &mut cx).hit().expect("keys named");
    assert_eq!(
        (hit.method, hit.target, hit.status),
        (&b"POST"[..], &b"/foo/bar?token=xxx&uuid=1234"[..], 200)
    );
    assert_eq!(format_rfc3339(hit.time), "2015-09-05T20:58:05Z");
    // Nested keys by dotted path.
    let opts =
        FormatOptions { json_fields: vec![(JsonRole::Client, "req.ip".into())], ..FormatOptions::default() };
    let line = br#"{"req": {"ip": "192.0.2.1", "m": 1}, "time": "2026-11-10T09:00:00Z", "request": "GET / HTTP/1.1", "status": 200}"#;
    let hit = Preset::Json.build(&opts).parse(line, &mut cx).hit().expect("nested key");
    assert_eq!(hit.client, b"192.0.2.1");
    // Logstash's event from COMBINEDAPACHELOG (its classic field names) for a line of its
    // own pattern tests (logstash-patterns-core, the httpd spec): `request` is the path,
    // `referrer` and `agent` keep their quotes, `host` is the shipper's.
    let grok = br#"{"message":"198.151.8.4 - - [29/Aug/2012:20:17:38 -0400] \"GET /favicon.ico HTTP/1.1\" 200 3638 \"-\" \"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:14.0) Gecko/20100101 Firefox/14.0.1\"","@version":"1","@timestamp":"2012-08-30T00:17:38.000Z","host":"shipper-1","clientip":"198.151.8.4","ident":"-","auth":"-","timestamp":"29/Aug/2012:20:17:38 -0400","verb":"GET","request":"/favicon.ico","httpversion":"1.1","response":"200","bytes":"3638","referrer":"\"-\"","agent":"\"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:14.0) Gecko/20100101 Firefox/14.0.1\""}"#;
    let hit = json.parse(grok, &mut cx).hit().expect("grok's event");
    assert_eq!(
        (hit.client, hit.method, hit.target, hit.status),
        (&b"198.151.8.4"[..], &b"GET"[..], &b"/favicon.ico"[..], 200)
    );
    assert_eq!(hit.referrer, None, "a quoted `-` is none");
    let firefox = &b"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:14.0) Gecko/20100101 Firefox/14.0.1"[..];
    assert_eq!(hit.user_agent, Some(firefox));
    assert_eq!(format_rfc3339(hit.time), "2012-08-30T00:17:38Z");
    // Elastic's schema flattened into dotted keys, as some shippers write it.
    let flat = br#"{"@timestamp":"2026-11-10T09:00:00Z","source.ip":"192.0.2.1","http.request.method":"GET","url.original":"/a?b=1","http.response.status_code":200,"user_agent.original":"curl/8.5.0"}"#;
    let hit = json.parse(flat, &mut cx).hit().expect("dotted keys");
    assert_eq!(
        (hit.client, hit.target, hit.user_agent),
        (&b"192.0.2.1"[..], &b"/a?b=1"[..], Some(&b"curl/8.5.0"[..]))
    );
}

#[test]
fn w3c_and_cloudfront() {
    let w3c = preset(Preset::W3c);
    let cloudfront = preset(Preset::Cloudfront);
    let cases: Vec<(&str, &Format, &str, usize, Option<W>)> = vec![
        ("directive_is_not_a_hit", &w3c, "iis_w3c.log", 4, None),
        (
            "first_field_list_plus_for_spaces",
            &w3c,
            "iis_w3c.log",
            5,
            Some(W {
                client: "81.2.69.143",
                time: "2018-01-01T08:09:10Z",
                target: "/?q=100",
                user_agent: Some("Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:57.0) Gecko/20100101 Firefox/57.0"),
                ..W0
            }),
        ),
        (
            "second_field_list_mid_file_with_host",
            &w3c,
            "iis_w3c.log",
            10,
            Some(W {
                client: "81.2.69.143",
                time: "2018-01-01T10:11:12Z",
                user_agent: Some(
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36",
                ),
                vhost: Some("example.com"),
                ..W0
            }),
        ),
        (
            "ipv6_client_and_dash_agent",
            &w3c,
            "iis_w3c_7.5.log",
            6,
            Some(W {
                client: "2001:cdba:0000:0000:0000:0000:3257:9652",
                time: "2019-03-06T18:43:17Z",
                target: "/health-monitoring",
                ..W0
            }),
        ),
        (
            "cloudfront_docs_error_with_referrer_and_host_header",
            &cloudfront,
            "cloudfront_legacy.log",
            5,
            Some(W {
                client: "192.0.2.200",
                time: "2019-12-13T22:36:27Z",
                target: "/favicon.ico",
                status: 502,
                referrer: Some("http://www.example.com/"),
                user_agent: Some(CHROME78),
                vhost: Some("www.example.com"),
                ..W0
            }),
        ),
        (
            "cloudfront_docs_line_ending_in_an_extra_tab",
            &cloudfront,
            "cloudfront_legacy.log",
            4,
            Some(W {
                client: "192.0.2.100",
                time: "2019-12-04T21:02:31Z",
                target: "/index.html",
                user_agent: Some(CHROME78),
                vhost: Some("d111111abcdef8.cloudfront.net"),
                ..W0
            }),
        ),
        (
            "cloudfront_query_joins_the_stem",
            &cloudfront,
            "cloudfront_legacy.log",
            6,
            Some(W {
                client: "1.2.3.4",
                time: "2024-03-12T15:22:28Z",
                target: "/testseb?query_param=42",
                status: 400,
                user_agent: Some("curl/7.81.0"),
                vhost: Some("hub-cdn.crowdsec.net"),
                ..W0
            }),
        ),
    ];
    for (name, format, file, n, want) in cases {
        check(name, format, file, n, want);
    }
}

#[test]
fn balancers_proxies_and_syslog() {
    let alb = preset(Preset::Alb);
    let elb = preset(Preset::Elb);
    let npm = preset(Preset::Npm);
    // The Classic Load Balancer guide's HTTP and HTTPS entries read alike.
    let elb_doc = W {
        client: "192.168.131.39",
        time: "2015-05-13T23:39:43Z",
        user_agent: Some("curl/7.38.0"),
        vhost: Some("www.example.com"),
        ..W0
    };
    let traefik = preset(Preset::Traefik);
    let syslogged = |f: Format| Format::Syslog(Arc::new(f));
    let host_only =
        Preset::Haproxy.build(&FormatOptions { captures: vec!["Host".into()], ..Default::default() });
    let ua_only =
        Preset::Haproxy.build(&FormatOptions { captures: vec!["User-Agent".into()], ..Default::default() });
    let doc_captures = Preset::Haproxy.build(&FormatOptions {
        captures: ["Host", "Content-Length", "Referer"].map(String::from).to_vec(),
        ..Default::default()
    });
    let (host_only, ua_only, doc_captures) =
        (syslogged(host_only), syslogged(ua_only), syslogged(doc_captures));
    let syslog_combined = syslogged(Format::COMBINED);
    // alb.log line 1, its client written as IPv6 (with brackets, and without).
    let alb_v6 = W {
        client: "2001:db8::5",
        time: "2018-07-02T22:23:00Z",
        user_agent: Some("curl/7.46.0"),
        vhost: Some("www.example.com"),
        ..W0
    };
    let cases: Vec<(&str, &Format, &str, usize, Option<W>)> = vec![
        (
            "alb_http_absolute_url_with_port",
            &alb,
            "alb.log",
            1,
            Some(W {
                client: "192.168.131.39",
                time: "2018-07-02T22:23:00Z",
                user_agent: Some("curl/7.46.0"),
                vhost: Some("www.example.com"),
                ..W0
            }),
        ),
        (
            "alb_waf_block_without_target",
            &alb,
            "alb.log",
            5,
            Some(W {
                client: "192.168.1.13",
                time: "2023-04-26T19:53:46Z",
                target: "/%%32%65%%32%65/",
                status: 404,
                user_agent: Some(CHROME78.replace("78.0.3904.108", "74.0.3729.169").leak()),
                vhost: Some("api.example.com"),
                ..W0
            }),
        ),
        (
            "alb_newer_fields_at_the_end_are_ignored",
            &alb,
            "alb.log",
            6,
            Some(W {
                client: "192.168.131.39",
                time: "2018-07-02T22:23:00Z",
                user_agent: Some("curl/7.46.0"),
                vhost: Some("www.example.com"),
                ..W0
            }),
        ),
        (
            "elb_classic_docs_http_listener",
            &elb,
            "elb_classic.log",
            1,
            Some(elb_doc),
        ),
        (
            "elb_classic_docs_https_listener_with_tls_fields",
            &elb,
            "elb_classic.log",
            2,
            Some(elb_doc),
        ),
        (
            "npm_proxy_cache_miss_asset_and_upstream",
            &npm,
            "npm_proxy.log",
            1,
            Some(W {
                client: "172.68.4.221",
                time: "2026-07-31T17:53:30Z",
                target: "/favicon.ico",
                user_agent: Some(
                    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                ),
                vhost: Some("shop.example.com"),
                ..W0
            }),
        ),
        (
            "npm_proxy_cache_hit_without_upstream_and_a_referrer",
            &npm,
            "npm_proxy.log",
            2,
            Some(W {
                client: "203.0.113.9",
                time: "2026-07-31T17:53:31Z",
                target: "/products/blue-shoes?ref=x",
                referrer: Some("https://www.google.com/"),
                user_agent: Some(CHROME78.replace("78.0.3904.108", "131.0.0.0").leak()),
                vhost: Some("shop.example.com"),
                ..W0
            }),
        ),
        (
            "npm_proxy_ipv6_client_offset_and_no_agent",
            &npm,
            "npm_proxy.log",
            3,
            Some(W {
                client: "2001:db8::7",
                time: "2026-07-31T17:54:02Z",
                method: "POST",
                target: "/wp-login.php",
                status: 502,
                vhost: Some("blog.example.org"),
                ..W0
            }),
        ),
        // An ALB line has one field more in front (its connection type): neither layout
        // reads the other's lines.
        ("elb_classic_reads_no_alb_line", &elb, "alb.log", 1, None),
        ("alb_reads_no_classic_line", &alb, "elb_classic.log", 1, None),
        (
            "haproxy_docs_one_capture_and_milliseconds",
            &host_only,
            "haproxy_httplog.log",
            1,
            Some(W {
                client: "10.0.1.2",
                time: "2009-02-06T12:14:14Z",
                target: "/index.html",
                vhost: Some("1wt.eu"),
                ..W0
            }),
        ),
        (
            "haproxy_docs_empty_slots_logasap_and_absolute_url",
            &doc_captures,
            "haproxy_httplog.log",
            3,
            Some(W {
                client: "127.0.0.1",
                time: "2004-08-09T20:30:46Z",
                status: 301,
                referrer: Some("http://trafic.1wt.eu/"),
                vhost: Some("www.sytadin.equipement.gouv.fr"),
                ..W0
            }),
        ),
        (
            "haproxy_captured_agent_with_spaces_and_tls_frontend",
            &ua_only,
            "haproxy_httplog.log",
            4,
            Some(W {
                client: "141.35.244.171",
                time: "2019-02-25T16:19:48Z",
                target: "/admin/colt/administration?survey=130&input_stats=1&ajax=1&&ajax=1&refresh=1&ihandle=1",
                user_agent: Some("Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:65.0) Gecko/20100101 Firefox/65.0"),
                ..W0
            }),
        ),
        (
            "haproxy_without_captures",
            &ua_only,
            "haproxy_httplog.log",
            6,
            Some(W {
                client: "192.168.1.1",
                time: "2024-04-04T14:30:18Z",
                method: "PROPFIND",
                target: "/remote.php/webdav/User/Name/Backup/Free%20Studio/domain.com/05-07-2023/Wordpress/analytics-matomo/plugins/Events/lang/hu.json",
                status: 404,
                ..W0
            }),
        ),
        ("alb_ipv6_client_bracketed_with_port", &alb, "alb.log", 7, Some(alb_v6)),
        ("alb_ipv6_client_bare_its_last_colon_the_port", &alb, "alb.log", 8, Some(alb_v6)),
        (
            "haproxy_ipv6_client_without_brackets",
            &ua_only,
            "haproxy_httplog.log",
            7,
            Some(W {
                client: "2001:db8::1",
                time: "2024-04-04T14:30:18Z",
                method: "PROPFIND",
                target: "/remote.php/webdav/User/Name/Backup/Free%20Studio/domain.com/05-07-2023/Wordpress/analytics-matomo/plugins/Events/lang/hu.json",
                status: 404,
                ..W0
            }),
        ),
        (
            "haproxy_ipv4_client_on_a_dual_stack_bind",
            &ua_only,
            "haproxy_httplog.log",
            8,
            Some(W {
                client: "::ffff:192.168.1.1",
                time: "2024-04-04T14:30:18Z",
                method: "PROPFIND",
                target: "/remote.php/webdav/User/Name/Backup/Free%20Studio/domain.com/05-07-2023/Wordpress/analytics-matomo/plugins/Events/lang/hu.json",
                status: 404,
                ..W0
            }),
        ),
        (
            "traefik_router_service_and_duration",
            &traefik,
            "traefik_clf.log",
            3,
            Some(W {
                client: "192.168.33.1",
                time: "2017-10-02T20:22:07Z",
                target: "/ui/favicons/favicon-16x16.png",
                status: 304,
                referrer: Some("http://example.com/login"),
                user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36"),
                ..W0
            }),
        ),
        (
            "traefik_dash_status_and_size",
            &traefik,
            "traefik_clf.log",
            5,
            Some(W {
                client: "10.0.0.1",
                time: "2009-11-10T23:00:00Z",
                // The request's version is `http`, not HTTP/…: it stays in the target.
                target: "/foo http",
                status: 0,
                ..W0
            }),
        ),
        ("traefik_needs_its_trailing_fields", &traefik, "nginx_combined.log", 1, None),
        (
            "syslog_relayed_nginx_combined",
            &syslog_combined,
            "syslog_prefixed.log",
            1,
            Some(W {
                client: "81.150.104.130",
                time: "2021-09-15T16:13:46Z",
                method: "POST",
                target: "/wp-login.php",
                user_agent: Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:64.0) Gecko/20100101 Firefox/64.0"),
                ..W0
            }),
        ),
        ("syslog_line_of_another_layout", &syslog_combined, "syslog_prefixed.log", 4, None),
    ];
    for (name, format, file, n, want) in cases {
        check(name, format, file, n, want);
    }
}

/// Lines a helper wrote from the servers' own documentation, not from these parsers (see
/// CITATIONS.md, "written_*"): each an edge an earlier build read wrong without a word.
#[test]
fn lines_written_from_the_servers_documentation() {
    let haproxy = Format::Syslog(Arc::new(Preset::Haproxy.build(&FormatOptions {
        captures: ["Host", "Referer", "User-Agent"].map(String::from).to_vec(),
        ..Default::default()
    })));
    let combined_behind_syslog = Format::Syslog(Arc::new(Format::COMBINED));
    let iphone = Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1");
    let chrome = Some("Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36");
    let (caddy, json, w3c) = (preset(Preset::Caddy), preset(Preset::Json), preset(Preset::W3c));
    let cases: Vec<(&str, &Format, &str, usize, Option<W>)> = vec![
        (
            "caddy_host_off_the_default_port_is_the_host",
            &caddy,
            "written_caddy_host_port.jsonl",
            1,
            Some(W {
                client: "203.0.113.5",
                time: "2026-11-10T10:00:00Z",
                target: "/2026/11/a-story",
                referrer: Some("https://blog.example.net:8443/prev"),
                user_agent: chrome,
                vhost: Some("blog.example.net"),
                ..W0
            }),
        ),
        (
            "json_url_key_is_the_target",
            &json,
            "written_json_url_key.jsonl",
            1,
            Some(W {
                client: "203.0.113.5",
                time: "2026-11-10T09:00:00Z",
                target: "/2026/11/a-story",
                referrer: Some("https://www.google.com/"),
                user_agent: chrome,
                ..W0
            }),
        ),
        (
            "w3c_cs_uri_is_path_and_query",
            &w3c,
            "written_w3c_cs_uri.log",
            3,
            Some(W {
                client: "203.0.113.5",
                time: "2026-11-10T09:00:00Z",
                target: "/2026/11/a-story?utm_medium=email&utm_source=nl",
                user_agent: chrome,
                ..W0
            }),
        ),
        (
            "w3c_cs_uri_holding_a_full_url",
            &w3c,
            "written_w3c_cs_uri.log",
            4,
            Some(W {
                client: "203.0.113.6",
                time: "2026-11-10T09:00:01Z",
                target: "/2026/11/b-story",
                referrer: Some("https://www.google.com/"),
                user_agent: chrome,
                vhost: Some("www.example.com"),
                ..W0
            }),
        ),
        (
            "absolute_url_with_a_query_and_no_path",
            &Format::COMBINED,
            "written_absolute_targets.log",
            1,
            Some(W {
                client: "203.0.113.6",
                time: "2026-11-10T09:00:01Z",
                target: "?utm_medium=email&utm_source=nl",
                user_agent: iphone,
                vhost: Some("www.example.com"),
                ..W0
            }),
        ),
        (
            "absolute_url_with_an_uppercase_scheme",
            &Format::COMBINED,
            "written_absolute_targets.log",
            2,
            Some(W {
                client: "203.0.113.8",
                time: "2026-11-10T09:00:03Z",
                target: "/2026/11/d-story",
                user_agent: iphone,
                vhost: Some("WWW.EXAMPLE.COM"),
                ..W0
            }),
        ),
        (
            "haproxy_short_format_pri_alone",
            &haproxy,
            "written_haproxy_pri_only.log",
            1,
            Some(W {
                client: "203.0.113.5",
                time: "2026-11-10T10:00:00Z",
                target: "/2026/11/a-story",
                referrer: Some("https://www.google.com/"),
                user_agent: chrome,
                vhost: Some("www.example.com"),
                ..W0
            }),
        ),
        (
            "combined_after_pri_alone",
            &combined_behind_syslog,
            "written_combined_pri_only.log",
            1,
            Some(W {
                client: "203.0.113.5",
                time: "2026-11-10T09:00:00Z",
                target: "/2026/11/a-story",
                user_agent: chrome,
                ..W0
            }),
        ),
        (
            "nul_bytes_a_truncation_left_before_the_first_line",
            &Format::COMBINED,
            "written_nul_start.log",
            1,
            Some(W {
                client: "203.0.113.5",
                time: "2026-11-10T09:00:00Z",
                target: "/2026/11/long-story-about-things",
                user_agent: Some(
                    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                ),
                ..W0
            }),
        ),
    ];
    for (name, format, file, n, want) in cases {
        check(name, format, file, n, want);
    }
    // A JSON line whose path is under a key no role names is no hit: an empty path would
    // make every line a request that is never a page, and the report silently empty.
    let mut cx = LineCx::default();
    let line = br#"{"time":"2026-11-10T10:00:00+01:00","remote_addr":"203.0.113.5","method":"GET","u":"/a","status":200}"#;
    assert!(matches!(json.parse(line, &mut cx), Parsed::Malformed));
    // Under a path key, an empty value is a request with no path (a hit that is no page).
    let line = br#"{"time":"2026-11-10T10:00:00+01:00","remote_addr":"203.0.113.5","request_method":"GET","uri":"","status":400}"#;
    assert!(matches!(json.parse(line, &mut cx), Parsed::Hit(h) if h.target.is_empty()));
    // A full URL with a user in it names the host after the `@`.
    assert_eq!(
        found::split_absolute(b"http://user:pw@blog.example.net:8080/a"),
        Some((&b"blog.example.net"[..], &b"/a"[..]))
    );
    // A report's visits list (a time, then words) is no balancer's line: AWS quotes the request.
    let line = b"2026-11-02T10:00:00Z  v8283cba50a49ebcc  dark-social  whatsapp              preview                   2  /news/2026/11/02/budget-vote";
    assert!(matches!(preset(Preset::Elb).parse(line, &mut cx), Parsed::Malformed));
}

#[test]
fn auto_names_the_preset_of_each_sample() {
    let opts = FormatOptions::default();
    for (file, want) in [
        ("alb.log", "alb"),
        ("apache_combined.log", "combined"),
        ("apache_common.log", "common"),
        ("caddy_v2.jsonl", "caddy"),
        ("caddy_v2_pre2.5.jsonl", "caddy"),
        ("cloudfront_legacy.log", "cloudfront"),
        ("haproxy_httplog.log", "haproxy (after a syslog prefix)"),
        ("iis_w3c.log", "w3c"),
        ("iis_w3c_7.5.log", "w3c"),
        ("nginx_combined.log", "combined"),
        ("syslog_prefixed.log", "combined (after a syslog prefix)"),
        ("traefik_clf.log", "traefik"),
        ("traefik_json.jsonl", "json"),
    ] {
        let data = fixture(file);
        let lines = data.split(|&b| b == b'\n').filter(|l| !l.is_empty());
        let got = detect(lines, &opts).map(|d| d.format.name());
        assert_eq!(got.as_deref(), Some(want), "{file}");
    }
    // Keys named with --json-field make a JSON log the generic layout's, which Caddy's
    // preset (given the same keys) reads as well; Caddy's own log stays Caddy's.
    let line = br#"{"req": {"ip": "203.0.113.5", "line": "GET /a HTTP/1.1"}, "when": "10/Nov/2026:10:00:00 +0100", "code": 200}"#;
    let keys = [
        (JsonRole::Client, "req.ip"),
        (JsonRole::Request, "req.line"),
        (JsonRole::Time, "when"),
        (JsonRole::Status, "code"),
    ];
    let opts = FormatOptions {
        json_fields: keys.map(|(r, k)| (r, k.to_string())).to_vec(),
        ..FormatOptions::default()
    };
    assert_eq!(detect([&line[..]].into_iter(), &opts).map(|d| d.format.name()).as_deref(), Some("json"));
    let caddy = fixture("caddy_v2.jsonl");
    let lines = caddy.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    assert_eq!(detect(lines, &opts).map(|d| d.format.name()).as_deref(), Some("caddy"));
}

#[test]
fn nginx_conf_log_format_across_lines() {
    let conf = r#"
http {
    # The stock main format (conf/nginx.conf), and a JSON one.
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';
    log_format json escape=json '{"ip":"$remote_addr","t":"$time_iso8601",'
                                '"r":"$request","s":$status,"ua":"$http_user_agent"}';
    access_log  /var/log/nginx/access.log  main;
}
"#;
    let main = FormatSpec::from_nginx_conf(conf, None).unwrap();
    assert_eq!(main, FormatSpec::Nginx(Preset::Main.nginx_body().unwrap().into()));
    let json = FormatSpec::from_nginx_conf(conf, Some("json"))
        .unwrap()
        .build(&FormatOptions::default())
        .unwrap()
        .unwrap();
    let line = br#"{"ip":"192.0.2.1","t":"2026-11-10T10:00:00+01:00","r":"GET /a HTTP/1.1","s":200,"ua":"curl/8.4.0"}"#;
    let mut cx = LineCx::default();
    let hit = json.parse(line, &mut cx).hit().expect("the JSON log_format");
    assert_eq!(
        (hit.client, hit.target, hit.user_agent),
        (&b"192.0.2.1"[..], &b"/a"[..], Some(&b"curl/8.4.0"[..]))
    );
    assert!(FormatSpec::from_nginx_conf(conf, Some("nope")).unwrap_err().0.contains("main, json"));
}

/// nginx refuses a log_format with no `;` after it: read on, it would be lost and the file
/// read as one that names none (nginx's combined). Where the directive starts is said.
#[test]
fn nginx_conf_log_format_that_never_ends_is_an_error() {
    let err = |conf: &str| FormatSpec::from_nginx_conf(conf, None).unwrap_err().0;
    let at_end = "http {\n log_format main escape=json '{\"ip\":\"$remote_addr\"'\n";
    assert_eq!(err(at_end), "the log_format directive on line 2 has no ';' to end it");
    let before_brace = "http {\n  log_format main '$remote_addr [$time_local]'\n     ' \"$request\"'\n}\n";
    assert_eq!(
        err(before_brace),
        "the log_format directive on line 2 has no ';' to end it before the '}' on line 4"
    );
    assert_eq!(
        err("# a comment\nlog_format main '$remote_addr;\n"),
        "the quote (') on line 2 is never closed"
    );
    // A quote escaped inside a quoted string does not close it.
    let escaped = "log_format main \"$remote_addr \\\"$request\\\" $status\";\naccess_log a.log main;\n";
    assert_eq!(
        FormatSpec::from_nginx_conf(escaped, None).unwrap(),
        FormatSpec::Nginx("$remote_addr \"$request\" $status".into())
    );
}

#[test]
fn a_json_line_cut_short_ends_at_its_own_newline() {
    // b_nginx_json.log's first line cut inside the agent (as a full disk cuts it), then
    // the line whole: the walk must not run on into the next line.
    let whole = br#"{"time_local": "10/Nov/2026:10:00:00 +0100", "remote_addr": "203.0.113.5", "request": "GET /2026/11/long-story-about-things HTTP/1.1", "status": "200", "body_bytes_sent": "1234", "http_referer": "", "http_user_agent": "Mozilla/5.0 (iPhone)", "request_time": "0.012"}"#;
    let cut = &whole[..whole.len() - 40];
    let data = [cut, b"\n", whole, b"\n", cut].concat();
    let mut got = Vec::new();
    preset(Preset::Json).parse_chunk(&BlockState::default(), 0, &data, |start, end, parsed| {
        got.push((start, end, parsed.hit().is_some()));
    });
    let (a, b) = (cut.len(), cut.len() + 1 + whole.len());
    assert_eq!(got, [(0, a, false), (a + 1, b, true), (b + 1, data.len(), false)]);
}

/// Never a panic on input: every fixture line, cut at every byte and with a byte of
/// trouble put in, through every preset and a format string of each style.
#[test]
fn no_line_cut_or_damaged_anywhere_panics() {
    let opts = FormatOptions::default();
    let mut formats: Vec<Format> = Preset::ALL.iter().map(|p| p.build(&opts)).collect();
    formats
        .push(apache("%{X-Forwarded-For}i %h %l %u [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] \"%r\" %>s %b %D"));
    formats.push(nginx(
        "$remote_addr [$time_iso8601] \"$request\" $status \"$http_x_forwarded_for\" $upstream_response_time",
    ));
    formats.extend(formats.clone().into_iter().map(|f| Format::Syslog(Arc::new(f))));
    let mut lines = Vec::new();
    for file in [
        "alb.log",
        "caddy_v2.jsonl",
        "cloudfront_legacy.log",
        "haproxy_httplog.log",
        "iis_w3c.log",
        "nginx_xff.log",
        "traefik_clf.log",
        "syslog_prefixed.log",
    ] {
        lines.extend(fixture(file).split(|&b| b == b'\n').map(<[u8]>::to_vec));
    }
    for format in &formats {
        // Through a chunk, every line found whole, whatever the damage before it.
        let mut data = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            data.extend_from_slice(&line[..line.len() * (i % 5) / 4 % (line.len() + 1)]);
            data.push(b'\n');
        }
        let mut ends = Vec::new();
        format.parse_chunk(&BlockState::default(), 0, &data, |_, end, _| ends.push(end));
        let want: Vec<usize> = data.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i).collect();
        assert_eq!(ends, want, "{format}: line ends");
        let mut cx = LineCx::default();
        for line in &lines {
            for cut in (0..=line.len()).step_by(7) {
                let _ = format.parse(&line[..cut], &mut cx);
                for trouble in [b'"', b'\\', b'{', b'#', b' ', b'\t'] {
                    let mut damaged = line[..cut].to_vec();
                    damaged.push(trouble);
                    damaged.extend_from_slice(&line[cut..]);
                    let _ = format.parse(&damaged, &mut cx);
                }
            }
        }
    }
}
