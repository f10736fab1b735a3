//! The keys the JSON presets know, and the roles `--json-field` names.

use std::str::FromStr;

/// What a JSON value is to darklog (`--json-field ROLE=KEY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonRole {
    Client,
    Time,
    Request,
    Method,
    Path,
    /// Path and query together (nginx's `$request_uri`): read as a path that may hold one.
    Target,
    Query,
    Status,
    Bytes,
    Referrer,
    UserAgent,
    Host,
    ForwardedFor,
}

impl JsonRole {
    const USER: [JsonRole; 12] = [
        JsonRole::Client,
        JsonRole::Time,
        JsonRole::Request,
        JsonRole::Method,
        JsonRole::Path,
        JsonRole::Query,
        JsonRole::Status,
        JsonRole::Bytes,
        JsonRole::Referrer,
        JsonRole::UserAgent,
        JsonRole::Host,
        JsonRole::ForwardedFor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JsonRole::Client => "client",
            JsonRole::Time => "time",
            JsonRole::Request => "request",
            JsonRole::Method => "method",
            JsonRole::Path | JsonRole::Target => "path",
            JsonRole::Query => "query",
            JsonRole::Status => "status",
            JsonRole::Bytes => "bytes",
            JsonRole::Referrer => "referrer",
            JsonRole::UserAgent => "user_agent",
            JsonRole::Host => "host",
            JsonRole::ForwardedFor => "forwarded_for",
        }
    }
}

impl FromStr for JsonRole {
    type Err = String;

    fn from_str(s: &str) -> Result<JsonRole, String> {
        JsonRole::USER
            .into_iter()
            .find(|r| r.name() == s.replace('-', "_"))
            .ok_or_else(|| format!("unknown role '{s}' ({})", JsonRole::USER.map(JsonRole::name).join(", ")))
    }
}

/// Keys named as nginx variables and Traefik's JSON access-log keys.
pub(super) const NGINX_AND_TRAEFIK: &[(JsonRole, &str)] = &[
    (JsonRole::Client, "remote_addr"),
    (JsonRole::Client, "ClientHost"),
    (JsonRole::Client, "client_ip"),
    (JsonRole::Client, "ClientAddr"),
    (JsonRole::Time, "time_iso8601"),
    (JsonRole::Time, "time_local"),
    (JsonRole::Time, "msec"),
    (JsonRole::Time, "StartUTC"),
    (JsonRole::Time, "time"),
    (JsonRole::Time, "timestamp"),
    (JsonRole::Time, "@timestamp"),
    (JsonRole::Request, "request"),
    (JsonRole::Method, "request_method"),
    (JsonRole::Method, "RequestMethod"),
    (JsonRole::Method, "method"),
    (JsonRole::Target, "request_uri"),
    (JsonRole::Target, "RequestPath"),
    (JsonRole::Target, "uri"),
    // Formats made by hand (morgan's `:url` token under a JSON key, many others).
    (JsonRole::Target, "url"),
    (JsonRole::Path, "path"),
    (JsonRole::Query, "args"),
    (JsonRole::Query, "query_string"),
    (JsonRole::Status, "status"),
    (JsonRole::Status, "DownstreamStatus"),
    (JsonRole::Status, "OriginStatus"),
    (JsonRole::Referrer, "http_referer"),
    (JsonRole::Referrer, "request_Referer"),
    (JsonRole::Referrer, "referer"),
    (JsonRole::Referrer, "referrer"),
    // The widely copied nginx "json_combined" log_format spells its key so.
    (JsonRole::Referrer, "http_referrer"),
    (JsonRole::Referrer, "httpReferer"),
    (JsonRole::UserAgent, "http_user_agent"),
    (JsonRole::UserAgent, "request_User-Agent"),
    (JsonRole::UserAgent, "user_agent"),
    (JsonRole::UserAgent, "userAgent"),
    (JsonRole::UserAgent, "user-agent"),
    (JsonRole::UserAgent, "ua"),
    // An object in Elastic's schema (the shipper's name): only a string is read.
    (JsonRole::UserAgent, "agent"),
    (JsonRole::Host, "host"),
    (JsonRole::Host, "http_host"),
    (JsonRole::Host, "RequestHost"),
    (JsonRole::Host, "server_name"),
    // Logstash's grok pattern for combined lines (COMBINEDAPACHELOG): its `request` is the
    // path alone, and its `referrer` and `agent` may keep their quotes.
    (JsonRole::Client, "clientip"),
    (JsonRole::Method, "verb"),
    (JsonRole::Status, "response"),
    // Elastic Common Schema (Filebeat's nginx and apache modules, Elastic's log shippers,
    // Logstash's grok in ECS mode).
    (JsonRole::Client, "source.ip"),
    (JsonRole::Client, "source.address"),
    (JsonRole::Client, "client.ip"),
    (JsonRole::Method, "http.request.method"),
    (JsonRole::Target, "url.original"),
    (JsonRole::Status, "http.response.status_code"),
    (JsonRole::Referrer, "http.request.referrer"),
    (JsonRole::UserAgent, "user_agent.original"),
    (JsonRole::Host, "url.domain"),
];

/// Caddy's access log (v2): `request.client_ip` (2.7+), `remote_ip` (2.5+),
/// `remote_addr` (`ip:port`, before 2.5).
pub(super) const CADDY: &[(JsonRole, &str)] = &[
    (JsonRole::Time, "ts"),
    (JsonRole::Client, "request.client_ip"),
    (JsonRole::Client, "request.remote_ip"),
    (JsonRole::Client, "request.remote_addr"),
    (JsonRole::Method, "request.method"),
    (JsonRole::Target, "request.uri"),
    (JsonRole::Host, "request.host"),
    (JsonRole::Referrer, "request.headers.Referer"),
    (JsonRole::UserAgent, "request.headers.User-Agent"),
    (JsonRole::Status, "status"),
];

/// The first eight bytes of a key as one number, with the bit that tells ASCII letters'
/// cases apart set: most keys of a line are told from the wanted ones of their length by
/// one comparison (keys equal but for case have equal prints; the rest is checked after).
#[inline]
pub(super) fn fingerprint(key: &[u8]) -> u64 {
    let word = match key.get(..8) {
        Some(head) => u64::from_le_bytes(head.try_into().unwrap_or_default()),
        None => {
            let mut word = [0u8; 8];
            word[..key.len()].copy_from_slice(key);
            u64::from_le_bytes(word)
        }
    };
    word | 0x2020_2020_2020_2020
}

/// Keys equal but for the case of their letters, in one loop (no call to `memcmp` or
/// lower-casing of both).
#[inline]
pub(super) fn same_key(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| x == y || (x | 0x20 == y | 0x20 && x.is_ascii_alphabetic()))
}
