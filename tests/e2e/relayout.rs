//! A combined log rewritten into the other layouts servers write, line for line: what
//! proves each layout reads to the same visits (`formats.rs`), and what the benchmark
//! times (`examples/relayout.rs` includes this file).
//!
//! Each layout is written the way its server writes it, from the sources in
//! `/work/scratch/issue11` (FORMATS.md, SEMANTICS.md): nginx's `$time_iso8601` and
//! `escape=json` (missing values empty), Apache's unquoted `%{X-Forwarded-For}i` list,
//! Caddy's nested request with header arrays, IIS's `+` for spaces and repeated
//! `#Fields:` blocks, CloudFront's tabs and percent-encoding. A line that is not combined
//! (the generator writes some garbage) is copied as it is: malformed in every layout.

use darklog::parse::{Format, Hit, LineCx};
use darklog::time::{civil_from_days, format_rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Combined,
    /// nginx with `$time_iso8601` and timing fields after the agent.
    NginxIso,
    /// nginx `escape=json`, keys named as its variables.
    NginxJson,
    /// Apache behind a balancer: the client in `%{X-Forwarded-For}i`, the balancer in `%h`.
    ApacheXff,
    Caddy,
    W3c,
    CloudFront,
    /// varnishncsa's default: combined with the full URL in the request line.
    Varnish,
}

pub const NGINX_ISO: &str = "$remote_addr - $remote_user [$time_iso8601] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time urt=\"$upstream_response_time\"";
pub const APACHE_XFF: &str =
    "%{X-Forwarded-For}i %h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\" %D";

impl Layout {
    pub const ALL: [Layout; 8] = [
        Layout::Combined,
        Layout::NginxIso,
        Layout::NginxJson,
        Layout::ApacheXff,
        Layout::Caddy,
        Layout::W3c,
        Layout::CloudFront,
        Layout::Varnish,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layout::Combined => "combined",
            Layout::NginxIso => "nginx-iso",
            Layout::NginxJson => "json",
            Layout::ApacheXff => "apache-xff",
            Layout::Caddy => "caddy",
            Layout::W3c => "w3c",
            Layout::CloudFront => "cloudfront",
            Layout::Varnish => "varnishncsa",
        }
    }

    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The preset `auto` must pick for it (format strings it cannot pick).
    pub fn preset(self) -> Option<&'static str> {
        match self {
            Layout::NginxIso | Layout::ApacheXff => None,
            Layout::Varnish => Some("combined"),
            l => Some(l.name()),
        }
    }

    /// The flags that read it.
    pub fn args(self) -> Vec<&'static str> {
        match self {
            Layout::NginxIso => vec!["--log-format", NGINX_ISO],
            Layout::ApacheXff => vec!["--log-format", APACHE_XFF, "--client-ip", "x-forwarded-for"],
            _ => Vec::new(),
        }
    }
}

/// `log` (combined) in `layout`.
pub fn relayout(log: &[u8], layout: Layout) -> Vec<u8> {
    let mut out = Vec::with_capacity(log.len() * 2);
    let mut cx = LineCx::default();
    let mut n = 0usize;
    for line in log.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        if layout == Layout::W3c && n.is_multiple_of(5000) {
            // A restart writes the header again, and the second half of the log is
            // written with another field list.
            out.extend_from_slice(w3c_header((10_000..20_000).contains(&n)).as_bytes());
        }
        if layout == Layout::CloudFront && n == 0 {
            out.extend_from_slice(CLOUDFRONT_HEADER.as_bytes());
        }
        n += 1;
        match Format::COMBINED.parse(line, &mut cx).hit() {
            Some(hit) => write_hit(&mut out, &hit, layout, n),
            None => {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
        }
    }
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn or_dash(b: Option<&[u8]>) -> String {
    b.map_or_else(|| "-".to_string(), text)
}

/// `2026-11-02T10:00:00+00:00`, as nginx writes `$time_iso8601` (always UTC here).
fn iso(ts: i64) -> String {
    format_rfc3339(ts).replace('Z', "+00:00")
}

/// (`2026-11-02`, `10:00:00`) in UTC.
fn date_time(ts: i64) -> (String, String) {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    (format!("{y:04}-{m:02}-{d:02}"), format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60))
}

fn json_str(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for c in String::from_utf8_lossy(b).chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// CloudFront's encoding: bytes 0-32, 127 and up, and `<>"#%{}|\^~[]`'`.
fn cf_encode(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        if c <= 32 || c >= 127 || b"<>\"#%{}|\\^~[]`'".contains(&c) {
            s.push_str(&format!("%{c:02X}"));
        } else {
            s.push(c as char);
        }
    }
    s
}

/// A client of the generator behind the balancer, sometimes with a private hop after it.
fn forwarded(client: &[u8], n: usize) -> String {
    if n.is_multiple_of(3) {
        format!("{}, 10.1.{}.{}", text(client), n % 7, n % 11)
    } else {
        text(client)
    }
}

fn w3c_header(reordered: bool) -> String {
    let fields = if reordered {
        "date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken"
    } else {
        "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
    };
    format!("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-11-01 00:00:00\n#Fields: {fields}\n")
}

const CLOUDFRONT_HEADER: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";

fn write_hit(out: &mut Vec<u8>, h: &Hit<'_>, layout: Layout, n: usize) {
    let request = if h.method.is_empty() {
        String::new()
    } else {
        format!("{} {} HTTP/1.1", text(h.method), text(h.target))
    };
    let (path, query) = (h.path(), h.query());
    let line = match layout {
        Layout::Varnish if h.target.starts_with(b"/") => format!(
            "{} - - [{}] \"{} http://www.example.com{} HTTP/1.1\" {} 1234 \"{}\" \"{}\"",
            text(h.client),
            darklog::time::format_clf(h.time, 0),
            text(h.method),
            text(h.target),
            h.status,
            or_dash(h.referrer),
            or_dash(h.user_agent)
        ),
        Layout::Combined | Layout::Varnish => format!(
            "{} - - [{}] \"{}\" {} 1234 \"{}\" \"{}\"",
            text(h.client),
            darklog::time::format_clf(h.time, 0),
            if request.is_empty() { "-".into() } else { request },
            h.status,
            or_dash(h.referrer),
            or_dash(h.user_agent)
        ),
        Layout::NginxIso => format!(
            "{} - - [{}] \"{}\" {} 1234 \"{}\" \"{}\" rt=0.012 urt=\"0.011, 0.004\"",
            text(h.client),
            iso(h.time),
            if request.is_empty() { "-".into() } else { request },
            h.status,
            or_dash(h.referrer),
            or_dash(h.user_agent)
        ),
        Layout::NginxJson => format!(
            "{{\"time_iso8601\": \"{}\", \"remote_addr\": {}, \"request\": {}, \"status\": \"{}\", \"body_bytes_sent\": \"1234\", \"http_referer\": {}, \"http_user_agent\": {}, \"request_time\": \"0.012\"}}",
            iso(h.time),
            json_str(h.client),
            json_str(request.as_bytes()),
            h.status,
            json_str(h.referrer.unwrap_or_default()),
            json_str(h.user_agent.unwrap_or_default())
        ),
        Layout::ApacheXff => format!(
            "{} 10.0.0.2 - - [{}] \"{}\" {} 1234 \"{}\" \"{}\" 11873",
            forwarded(h.client, n),
            darklog::time::format_clf(h.time, 60),
            if request.is_empty() { "-".into() } else { request },
            h.status,
            or_dash(h.referrer),
            or_dash(h.user_agent)
        ),
        Layout::Caddy => {
            let mut headers = Vec::new();
            if let Some(r) = h.referrer {
                headers.push(format!("\"Referer\":[{}]", json_str(r)));
            }
            if let Some(ua) = h.user_agent {
                headers.push(format!("\"User-Agent\":[{}]", json_str(ua)));
            }
            format!(
                "{{\"level\":\"info\",\"ts\":{}.25,\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"10.0.0.9\",\"remote_port\":\"51234\",\"client_ip\":{},\"proto\":\"HTTP/2.0\",\"method\":{},\"host\":\"www.example.com\",\"uri\":{},\"headers\":{{{}}}}},\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.0012,\"size\":1234,\"status\":{},\"resp_headers\":{{}}}}",
                h.time,
                json_str(h.client),
                json_str(if h.method.is_empty() { b"-" } else { h.method }),
                json_str(if h.target.is_empty() { b"-" } else { h.target }),
                headers.join(","),
                h.status
            )
        }
        Layout::W3c => {
            let (date, time) = date_time(h.time);
            let plus = |b: Option<&[u8]>| or_dash(b).replace(' ', "+");
            let (method, stem) =
                if h.method.is_empty() { ("-".into(), "-".into()) } else { (text(h.method), text(path)) };
            let query = or_dash(query.filter(|q| !q.is_empty()));
            if (10_000..20_000).contains(&(n - 1)) {
                format!(
                    "{date} {time} W3SVC1 10.0.0.4 {method} {stem} {query} 443 - {} HTTP/1.1 {} - {} www.example.com {} 0 0 1234 200 15",
                    text(h.client),
                    plus(h.user_agent),
                    plus(h.referrer),
                    h.status
                )
            } else {
                format!(
                    "{date} {time} 10.0.0.4 {method} {stem} {query} 443 - {} {} {} {} 0 0 15",
                    text(h.client),
                    plus(h.user_agent),
                    plus(h.referrer),
                    h.status
                )
            }
        }
        Layout::CloudFront => {
            let (date, time) = date_time(h.time);
            let enc = |b: Option<&[u8]>| b.map_or_else(|| "-".to_string(), cf_encode);
            let (method, stem) =
                if h.method.is_empty() { ("-".into(), "-".into()) } else { (text(h.method), cf_encode(path)) };
            format!(
                "{date}\t{time}\tFRA56-P1\t1234\t{}\t{method}\td111111abcdef8.cloudfront.net\t{stem}\t{}\t{}\t{}\t{}\t-\tHit\tabc==\twww.example.com\thttps\t100\t0.002\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t51234\t0.001\tHit\ttext/html\t1234\t-\t-",
                text(h.client),
                h.status,
                enc(h.referrer),
                enc(h.user_agent),
                enc(query.filter(|q| !q.is_empty())),
            )
        }
    };
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
}
