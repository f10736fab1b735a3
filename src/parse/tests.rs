//! Parser tests: one named case per edge, on real lines (or real lines with one field
//! changed to reach the edge), in the manner of vectordotdev/vrl's nginx parser tests.

use super::*;
use crate::time::format_rfc3339;

/// The careful, field-by-field parser alone: what every fast path must agree with.
fn careful<'a>(format: &Format, line: &'a [u8], clock: &mut ClfCache) -> Option<Hit<'a>> {
    match format {
        Format::Clf(Clf(kind)) => clf::parse(*kind, line, clock),
        _ => unreachable!("only the NCSA family has a careful parser"),
    }
}

/// A hit with its fields copied, to compare hits parsed with different contexts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    vhost: Option<Vec<u8>>,
    client: Vec<u8>,
    time: i64,
    method: Vec<u8>,
    target: Vec<u8>,
    status: u16,
    referrer: Option<Vec<u8>>,
    user_agent: Option<Vec<u8>>,
}

fn own(h: Option<Hit<'_>>) -> Option<Owned> {
    h.map(|h| Owned {
        vhost: h.vhost.map(<[u8]>::to_vec),
        client: h.client.to_vec(),
        time: h.time,
        method: h.method.to_vec(),
        target: h.target.to_vec(),
        status: h.status,
        referrer: h.referrer.map(<[u8]>::to_vec),
        user_agent: h.user_agent.map(<[u8]>::to_vec),
    })
}

/// The fast way, from `start` in `data`.
fn fast(format: &Format, data: &[u8], start: usize) -> (usize, Option<Owned>) {
    let mut cx = LineCx::default();
    let (end, parsed) = format.parse_next(data, start, &mut cx);
    (end, own(parsed.hit()))
}

struct Want {
    vhost: Option<&'static str>,
    client: &'static str,
    time: &'static str,
    method: &'static str,
    target: &'static [u8],
    status: u16,
    referrer: Option<&'static str>,
    user_agent: Option<&'static str>,
}

fn check(name: &str, format: Format, line: &[u8], want: Option<Want>) {
    let mut clock = ClfCache::default();
    let got = careful(&format, line, &mut clock);
    // The fast way through a block must agree, wherever the line sits in it.
    // (before, after, bytes of `after` still in the line)
    for (before, after, kept) in [(&b""[..], &b""[..], 0), (b"x\n", b"\n\"y\"", 0), (b"\n", b"\r\n", 1)] {
        let data = [before, line, after].concat();
        let (end, fast) = fast(&format, &data, before.len());
        assert_eq!(end, before.len() + line.len() + kept, "{name}: end of line");
        assert_eq!(fast, own(got), "{name}: parse_next");
    }
    match (got, want) {
        (None, None) => {}
        (Some(h), None) => panic!("{name}: expected malformed, parsed {h:?}"),
        (None, Some(_)) => panic!("{name}: expected a hit, got malformed"),
        (Some(h), Some(w)) => {
            assert_eq!(h.vhost, w.vhost.map(str::as_bytes), "{name}: vhost");
            assert_eq!(h.client, w.client.as_bytes(), "{name}: client");
            assert_eq!(format_rfc3339(h.time), w.time, "{name}: time");
            assert_eq!(h.method, w.method.as_bytes(), "{name}: method");
            assert_eq!(h.target, w.target, "{name}: target");
            assert_eq!(h.status, w.status, "{name}: status");
            assert_eq!(h.referrer, w.referrer.map(str::as_bytes), "{name}: referrer");
            assert_eq!(h.user_agent, w.user_agent.map(str::as_bytes), "{name}: user_agent");
            let spans = FieldSpans::of(line, &h).expect("short line");
            assert_eq!(spans.fields(line), h.fields(), "{name}: fields through spans");
        }
    }
}

const ELASTIC_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36";

#[test]
fn combined_lines() {
    let cases: Vec<(&str, &[u8], Option<Want>)> = vec![
        (
            "apache_combined_with_referrer",
            b"83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1\" 200 203023 \"http://semicomplete.com/presentations/logstash-monitorama-2013/\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36\"",
            Some(Want {
                vhost: None,
                client: "83.149.9.216",
                time: "2015-05-17T10:05:03Z",
                method: "GET",
                target: b"/presentations/logstash-monitorama-2013/images/kibana-search.png",
                status: 200,
                referrer: Some("http://semicomplete.com/presentations/logstash-monitorama-2013/"),
                user_agent: Some(ELASTIC_UA),
            }),
        ),
        (
            "nginx_extra_forwarded_for_field_and_positive_half_hour_offset",
            b"54.36.149.41 - - [22/Jan/2019:03:56:14 +0330] \"GET /filter/27|13%20%D9%85 HTTP/1.1\" 200 30577 \"-\" \"Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)\" \"-\"",
            Some(Want {
                vhost: None,
                client: "54.36.149.41",
                time: "2019-01-22T00:26:14Z",
                method: "GET",
                target: b"/filter/27|13%20%D9%85",
                status: 200,
                referrer: None,
                user_agent: Some("Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)"),
            }),
        ),
        (
            "ipv6_client_and_dash_bytes_on_304",
            b"2001:db8::1 - - [05/Nov/2026:10:00:00 -0500] \"GET / HTTP/2.0\" 304 - \"-\" \"-\"",
            Some(Want {
                vhost: None,
                client: "2001:db8::1",
                time: "2026-11-05T15:00:00Z",
                method: "GET",
                target: b"/",
                status: 304,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "varnishncsa_absolute_url_is_read_as_its_path_and_host",
            b"203.0.113.5 - - [10/Nov/2026:09:00:00 +0000] \"GET http://www.example.com:80/2026/11/long-story?utm_source=x HTTP/1.1\" 200 1234 \"-\" \"curl/8.4.0\"",
            Some(Want {
                vhost: Some("www.example.com"),
                client: "203.0.113.5",
                time: "2026-11-10T09:00:00Z",
                method: "GET",
                target: b"/2026/11/long-story?utm_source=x",
                status: 200,
                referrer: None,
                user_agent: Some("curl/8.4.0"),
            }),
        ),
        (
            "proxy_connect_target_is_kept_as_written",
            b"198.51.100.3 - - [05/Nov/2026:10:00:00 +0000] \"CONNECT example.org:443 HTTP/1.1\" 400 0 \"-\" \"-\"",
            Some(Want {
                vhost: None,
                client: "198.51.100.3",
                time: "2026-11-05T10:00:00Z",
                method: "CONNECT",
                target: b"example.org:443",
                status: 400,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "apache_escaped_quote_inside_user_agent",
            b"192.0.2.7 - - [05/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 10 \"https://example.org/\" \"Mozilla/5.0 \\\"quoted\\\" thing\"",
            Some(Want {
                vhost: None,
                client: "192.0.2.7",
                time: "2026-11-05T10:00:00Z",
                method: "GET",
                target: b"/a",
                status: 200,
                referrer: Some("https://example.org/"),
                user_agent: Some("Mozilla/5.0 \\\"quoted\\\" thing"),
            }),
        ),
        (
            "escaped_backslash_before_closing_quote",
            b"192.0.2.7 - - [05/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 10 \"-\" \"ends with backslash \\\\\"",
            Some(Want {
                vhost: None,
                client: "192.0.2.7",
                time: "2026-11-05T10:00:00Z",
                method: "GET",
                target: b"/a",
                status: 200,
                referrer: None,
                user_agent: Some("ends with backslash \\\\"),
            }),
        ),
        (
            "invalid_utf8_in_path_is_kept_as_bytes",
            b"192.0.2.8 - - [05/Nov/2026:10:00:00 +0000] \"GET /caf\xe9/\xff HTTP/1.1\" 404 0 \"-\" \"curl/8.4.0\"",
            Some(Want {
                vhost: None,
                client: "192.0.2.8",
                time: "2026-11-05T10:00:00Z",
                method: "GET",
                target: b"/caf\xe9/\xff",
                status: 404,
                referrer: None,
                user_agent: Some("curl/8.4.0"),
            }),
        ),
        (
            "nginx_dash_request_from_scanner_is_a_hit_not_malformed",
            b"198.51.100.3 - - [05/Nov/2026:10:00:00 +0000] \"-\" 400 0 \"-\" \"-\"",
            Some(Want {
                vhost: None,
                client: "198.51.100.3",
                time: "2026-11-05T10:00:00Z",
                method: "",
                target: b"",
                status: 400,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "tls_handshake_bytes_as_request_line",
            b"198.51.100.3 - - [05/Nov/2026:10:00:00 +0000] \"\\x16\\x03\\x01\\x00\\xA5\\x01\" 400 157 \"-\" \"-\"",
            Some(Want {
                vhost: None,
                client: "198.51.100.3",
                time: "2026-11-05T10:00:00Z",
                method: "",
                target: b"",
                status: 400,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "authenticated_user_and_crlf_line_end",
            b"10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\r",
            Some(Want {
                vhost: None,
                client: "10.0.0.1",
                time: "2000-10-10T20:55:36Z",
                method: "GET",
                target: b"/apache_pb.gif",
                status: 200,
                referrer: Some("http://www.example.com/start.html"),
                user_agent: Some("Mozilla/4.08 [en] (Win98; I ;Nav)"),
            }),
        ),
        (
            "truncated_inside_user_agent",
            b"66.249.73.135 - - [20/May/2015:15:05:40 +0000] \"GET /blog/tags/ipv6 HTTP/1.1\" 200 12251 \"-\" \"Mozilla/5.0 (iPhone; CPU iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26 (KHTML, like",
            None,
        ),
        (
            "truncated_after_status",
            b"66.249.73.135 - - [20/May/2015:15:05:40 +0000] \"GET /blog/tags/ipv6 HTTP/1.1\" 200",
            None,
        ),
        (
            "common_line_lacks_referrer_and_agent",
            b"uplherc.upl.com - - [01/Aug/1995:00:00:07 -0400] \"GET / HTTP/1.0\" 304 0",
            None,
        ),
        (
            "broken_timestamp",
            b"192.0.2.9 - - [32/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
            None,
        ),
        (
            "garbage_after_user_agent_without_space",
            b"192.0.2.9 - - [05/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"x",
            None,
        ),
        ("binary_noise", b"\x00\x9f\x12 [ \xff\xfe\"", None),
        ("empty", b"", None),
        (
            "no_client_before_the_timestamp",
            b"[05/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
            None,
        ),
        (
            "bracket_in_the_user_field",
            b"192.0.2.9 - [bob] [05/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
            None,
        ),
    ];
    for (name, line, want) in cases {
        check(name, Format::COMBINED, line, want);
    }
}

#[test]
fn common_lines() {
    let cases: Vec<(&str, &[u8], Option<Want>)> = vec![
        (
            "nasa_hostname_client",
            b"in24.inetnebr.com - - [01/Aug/1995:00:00:01 -0400] \"GET /shuttle/missions/sts-68/news/sts-68-mcc-05.txt HTTP/1.0\" 200 1839",
            Some(Want {
                vhost: None,
                client: "in24.inetnebr.com",
                time: "1995-08-01T04:00:01Z",
                method: "GET",
                target: b"/shuttle/missions/sts-68/news/sts-68-mcc-05.txt",
                status: 200,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "nasa_request_without_http_version",
            b"pipe1.nyc.pipeline.com - - [01/Aug/1995:00:12:37 -0400] \"GET /cgi-bin/imagemap/countdown70?285,291\" 200 -",
            Some(Want {
                vhost: None,
                client: "pipe1.nyc.pipeline.com",
                time: "1995-08-01T04:12:37Z",
                method: "GET",
                target: b"/cgi-bin/imagemap/countdown70?285,291",
                status: 200,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "combined_line_is_not_common",
            b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326 \"-\" \"-\"",
            None,
        ),
    ];
    for (name, line, want) in cases {
        check(name, Format::COMMON, line, want);
    }
}

#[test]
fn vhost_combined_lines() {
    let cases: Vec<(&str, &[u8], Option<Want>)> = vec![
        (
            "apache_vhost_port_prefix",
            b"www.example.com:443 203.0.113.5 - - [05/Nov/2026:10:00:00 +0100] \"GET /news/a-story HTTP/1.1\" 200 5120 \"https://www.google.com/\" \"Mozilla/5.0\"",
            Some(Want {
                vhost: Some("www.example.com"),
                client: "203.0.113.5",
                time: "2026-11-05T09:00:00Z",
                method: "GET",
                target: b"/news/a-story",
                status: 200,
                referrer: Some("https://www.google.com/"),
                user_agent: Some("Mozilla/5.0"),
            }),
        ),
        (
            "vhost_with_ipv6_client",
            b"blog.example.com:80 2001:db8::7 - - [05/Nov/2026:10:00:00 +0000] \"HEAD / HTTP/1.1\" 200 - \"-\" \"-\"",
            Some(Want {
                vhost: Some("blog.example.com"),
                client: "2001:db8::7",
                time: "2026-11-05T10:00:00Z",
                method: "HEAD",
                target: b"/",
                status: 200,
                referrer: None,
                user_agent: None,
            }),
        ),
        (
            "plain_combined_is_not_vhost",
            b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326 \"-\" \"-\"",
            None,
        ),
        (
            "ipv6_combined_is_not_vhost",
            b"2001:db8::1 - - [05/Nov/2026:10:00:00 -0500] \"GET / HTTP/2.0\" 304 - \"-\" \"-\"",
            None,
        ),
    ];
    for (name, line, want) in cases {
        check(name, Format::VHOST_COMBINED, line, want);
    }
}

#[test]
fn detection_prefers_the_format_that_fits() {
    let combined: &[&[u8]] =
        &[b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326 \"-\" \"-\"", b"garbage"];
    let common: &[&[u8]] = &[b"uplherc.upl.com - - [01/Aug/1995:00:00:07 -0400] \"GET / HTTP/1.0\" 304 0"];
    let vhost: &[&[u8]] =
        &[b"www.example.com:443 203.0.113.5 - - [05/Nov/2026:10:00:00 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\""];
    let none: &[&[u8]] = &[b"#Fields: date time", b"2015-01-13 00:32:17 1.2.3.4 GET /"];
    let opts = FormatOptions::default();
    assert_eq!(detect(combined.iter().copied(), &opts).map(|d| d.format), Some(Format::COMBINED));
    assert_eq!(detect(common.iter().copied(), &opts).map(|d| d.format), Some(Format::COMMON));
    assert_eq!(detect(vhost.iter().copied(), &opts).map(|d| d.format), Some(Format::VHOST_COMBINED));
    assert_eq!(detect(none.iter().copied(), &opts), None);
}

#[test]
fn path_and_query_split() {
    let mut cx = LineCx::default();
    let line =
        b"1.2.3.4 - - [05/Nov/2026:10:00:00 +0000] \"GET /a/b?utm_source=x&y=1 HTTP/1.1\" 200 1 \"-\" \"-\"";
    let hit = Format::COMBINED.parse(line, &mut cx).hit().unwrap();
    assert_eq!(hit.path(), b"/a/b");
    assert_eq!(hit.query(), Some(&b"utm_source=x&y=1"[..]));
    // (target, path, query): a fragment a client sends ends the path, and a `?` after it
    // is the fragment's; `?q` alone is the front page's (a full URL with no path).
    for (target, path, query) in [
        (&b"/a/b#top"[..], &b"/a/b"[..], None),
        (b"/a#x?utm_medium=email", b"/a", None),
        (b"/a?utm_medium=email#top", b"/a", Some(&b"utm_medium=email#top"[..])),
        (b"?utm_medium=email", b"/", Some(&b"utm_medium=email"[..])),
        (b"", b"", None),
    ] {
        assert_eq!(split_target(target), (path, query), "{}", String::from_utf8_lossy(target));
    }
}

#[test]
fn spans_give_up_on_lines_past_64_kib() {
    let long = format!(
        "1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 1 \"-\" \"{}\"",
        "x".repeat(70_000)
    );
    let mut cx = LineCx::default();
    let hit = Format::COMBINED.parse(long.as_bytes(), &mut cx).hit().unwrap();
    assert_eq!(FieldSpans::of(long.as_bytes(), &hit), None);
}

/// Every way a line can be damaged near the bytes the fast path relies on: it must give
/// what the careful parser gives, line for line, or fall back to it.
#[test]
fn parse_next_agrees_with_parse_on_damaged_lines() {
    let mut generator =
        darklog_gen::Generator::new(&darklog_gen::GenConfig { seed: 3, lines: 3000, ..Default::default() });
    let mut lines = Vec::new();
    while let Some(l) = generator.next_line() {
        lines.push(l.to_vec());
    }
    let mut rng = darklog_gen::rng::Rng::new(5);
    let nasty = b"\"\\ []-\r\t:0\n";
    for format in [Format::VHOST_COMBINED, Format::COMBINED, Format::COMMON] {
        let mut data = Vec::new();
        for line in &lines {
            let mut line = line.clone();
            match format {
                Format::Clf(Clf(ClfKind::VhostCombined)) => {
                    drop(line.splice(0..0, b"www.example.com:443 ".iter().copied()))
                }
                // Up to the byte count: the space before the referrer's quote.
                Format::Clf(Clf(ClfKind::Common)) => {
                    if let Some((referrer, _)) = line.iter().enumerate().filter(|(_, &b)| b == b'"').nth(2) {
                        line.truncate(referrer - 1);
                    }
                }
                _ => {}
            }
            match rng.below(4) {
                0 => {}
                1 => {
                    let at = rng.below(line.len() as u64) as usize;
                    line[at] = *rng.pick(nasty);
                }
                2 => {
                    let at = rng.below(line.len() as u64 + 1) as usize;
                    line.insert(at, *rng.pick(nasty));
                }
                _ => {
                    let at = rng.below(line.len() as u64) as usize;
                    line.remove(at);
                }
            }
            data.extend_from_slice(&line);
            data.push(b'\n');
        }
        data.pop();
        let mut careful_clock = ClfCache::default();
        let want: Vec<_> =
            data.split(|&b| b == b'\n').map(|l| own(careful(&format, l, &mut careful_clock))).collect();
        let mut cx = LineCx::default();
        let mut got = Vec::new();
        let mut pos = 0;
        while pos <= data.len() {
            let (end, parsed) = format.parse_next(&data, pos, &mut cx);
            let hit = own(parsed.hit());
            got.push(hit);
            pos = end + 1;
        }
        assert_eq!(got.len(), want.len(), "{format}: lines");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{format}: line {i}");
        }
        let parsed = want.iter().filter(|h| h.is_some()).count();
        assert!(parsed * 2 > want.len(), "{format}: most lines still parse ({parsed})");
    }
}
