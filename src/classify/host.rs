//! Referrer hosts: extraction from a logged referrer, and the host table.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::tables::{self, TableError, REFERRERS};
use super::Channel;

/// The host of a referrer, lowercased, without port, trailing dot or userinfo.
/// `android-app://org.telegram.messenger/` yields the package name. A referrer that is
/// not a URL (some clients send garbage) yields its first path-free segment.
pub fn referrer_host(referrer: &[u8]) -> String {
    lowercase_host(referrer_host_raw(referrer))
}

/// A host as text: lowercased, invalid UTF-8 replaced.
fn lowercase_host(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).to_ascii_lowercase()
}

/// [`referrer_host`] as the line writes it (case kept), without copying.
pub fn referrer_host_raw(referrer: &[u8]) -> &[u8] {
    let rest = match memchr::memmem::find(referrer, b"://") {
        Some(i) => &referrer[i + 3..],
        None => referrer,
    };
    let end = rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let mut authority = &rest[..end];
    if let Some(at) = memchr::memrchr(b'@', authority) {
        authority = &authority[at + 1..];
    }
    // Strip a port, but not from a bracketed IPv6 literal's inside.
    let host = if authority.first() == Some(&b'[') {
        match memchr::memchr(b']', authority) {
            Some(i) => &authority[..=i],
            None => authority,
        }
    } else {
        match memchr::memchr(b':', authority) {
            Some(i) => &authority[..i],
            None => authority,
        }
    };
    host.strip_suffix(b".").unwrap_or(host)
}

/// Whether a line's vhost names `site` (a host as [`lowercase_host`] writes it, without
/// `www.`), in any case, with or without `www.`. Compared in place for the usual, UTF-8
/// vhost; one that is not is read as the referrer's host was, invalid bytes replaced.
pub fn vhost_is(vhost: &[u8], site: &str) -> bool {
    if std::str::from_utf8(vhost).is_err() {
        return strip_www(&lowercase_host(vhost)) == site;
    }
    let v = match vhost.get(..4) {
        Some(www) if www.eq_ignore_ascii_case(b"www.") => &vhost[4..],
        _ => vhost,
    };
    v.eq_ignore_ascii_case(site.as_bytes())
}

/// `www.example.com` and `example.com` are one site.
pub fn strip_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRule {
    pub channel: Channel,
    pub source: Cow<'static, str>,
}

/// One set of host rows: exact hosts and `name.*` rows.
#[derive(Default)]
struct HostMap {
    exact: FxHashMap<Cow<'static, str>, HostRule>,
    /// `google.*` rows, keyed by `google`.
    any_tld: FxHashMap<Cow<'static, str>, HostRule>,
}

impl HostMap {
    fn insert(&mut self, host: Cow<'static, str>, rule: HostRule) -> Option<HostRule> {
        let any_tld = match &host {
            Cow::Borrowed(h) => h.strip_suffix(".*").map(Cow::Borrowed),
            Cow::Owned(h) => h.strip_suffix(".*").map(|n| Cow::Owned(n.to_string())),
        };
        match any_tld {
            Some(name) => self.any_tld.insert(name, rule),
            None => self.exact.insert(host, rule),
        }
    }

    /// The most specific row for `host`: itself, then each parent domain.
    fn lookup(&self, host: &str) -> Option<&HostRule> {
        let labels: Vec<&str> = host.split('.').collect();
        for i in 0..labels.len() {
            let candidate = &host[labels[..i].iter().map(|l| l.len() + 1).sum::<usize>()..];
            if let Some(r) = self.exact.get(candidate) {
                return Some(r);
            }
            // `name.*`: the name followed by one or two short labels (fr, co.uk, com.br).
            let tail = &labels[i + 1..];
            if !tail.is_empty() && tail.len() <= 2 && tail.iter().all(|l| (2..=3).contains(&l.len())) {
                if let Some(r) = self.any_tld.get(labels[i]) {
                    return Some(r);
                }
            }
        }
        None
    }
}

/// What a referrer host says about a visit, the line's own vhost aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostVerdict {
    /// The site itself (`--site`).
    Internal,
    /// A row of the host rules.
    Known(HostRule),
    /// Any other host: a referral.
    Other,
}

/// A referrer host's verdict with the host it was decided for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedHost {
    /// The host lowercased, without `www.`: a referral's source.
    pub site: Box<str>,
    pub verdict: HostVerdict,
}

impl CachedHost {
    /// Decides `raw` (see [`referrer_host_raw`]); `decide` gets the host lowercased.
    pub fn new(raw: &[u8], decide: impl FnOnce(&str) -> HostVerdict) -> CachedHost {
        let host = lowercase_host(raw);
        let verdict = decide(&host);
        CachedHost { site: strip_www(&host).into(), verdict }
    }
}

/// Referrer hosts' verdicts, decided once per distinct host as the lines write it: the
/// host rules try every parent domain of a host, and a few hosts refer most visits.
/// A cache serves one set of rules: verdicts are not asked again when rules change.
#[derive(Default)]
pub struct HostCache {
    index: FxHashMap<Box<[u8]>, u32>,
    hosts: Vec<CachedHost>,
    /// The last host too long to keep (see [`LONGEST_CACHED_HOST`]).
    spare: Option<CachedHost>,
}

/// Distinct hosts held at most; past that the cache starts afresh (referrer spam can
/// bring any number of hosts, and memory must not grow with the log).
const HOST_CACHE_MAX: usize = 1 << 16;

/// Longer hosts are decided each time, not kept: a DNS name has at most 253 bytes, and a
/// referrer of garbage with no `/` is all "host", up to a line's length.
const LONGEST_CACHED_HOST: usize = 253;

impl HostCache {
    /// The verdict for `raw` (see [`referrer_host_raw`]); `decide` is asked on a miss,
    /// with the host lowercased.
    pub fn get(&mut self, raw: &[u8], decide: impl FnOnce(&str) -> HostVerdict) -> &CachedHost {
        if let Some(&i) = self.index.get(raw) {
            return &self.hosts[i as usize];
        }
        let host = CachedHost::new(raw, decide);
        if raw.len() > LONGEST_CACHED_HOST {
            return self.spare.insert(host);
        }
        if self.hosts.len() >= HOST_CACHE_MAX {
            self.index.clear();
            self.hosts.clear();
        }
        self.index.insert(raw.into(), self.hosts.len() as u32);
        self.hosts.push(host);
        self.hosts.last().expect("just pushed")
    }
}

pub struct HostRules {
    /// A rules file's rows: tried, over every parent domain, before the table's.
    user: HostMap,
    table: HostMap,
    /// (line, host) of every row of the table, for checks.
    pub rows: Vec<(usize, &'static str, HostRule)>,
}

impl HostRules {
    pub fn builtin() -> Result<HostRules, TableError> {
        let mut rules = HostRules { user: HostMap::default(), table: HostMap::default(), rows: Vec::new() };
        for row in tables::rows(REFERRERS, 3) {
            let (line, f) = row?;
            let rule =
                HostRule { channel: tables::channel(REFERRERS, line, f[1])?, source: Cow::Borrowed(f[2]) };
            if rules.table.insert(Cow::Borrowed(f[0]), rule.clone()).is_some() {
                return Err(TableError {
                    table: REFERRERS.name,
                    line,
                    message: format!("duplicate host '{}'", f[0]),
                });
            }
            rules.rows.push((line, f[0], rule));
        }
        Ok(rules)
    }

    /// Adds (or replaces) a host row from a rules file; `name.*` for any country domain.
    pub fn insert(&mut self, host: String, rule: HostRule) {
        self.user.insert(Cow::Owned(host), rule);
    }

    /// The rules file's most specific row for `host`, else the table's.
    pub fn lookup(&self, host: &str) -> Option<&HostRule> {
        self.user.lookup(host).or_else(|| self.table.lookup(host))
    }

    /// Whether a rules file's row (not the built-in table) decides `host`.
    pub fn from_rules_file(&self, host: &str) -> bool {
        self.user.lookup(host).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_from_referrers() {
        let cases: &[(&[u8], &str)] = &[
            (b"https://www.Google.com/search?q=x", "www.google.com"),
            (b"http://example.org:8080/a", "example.org"),
            (b"https://user:pw@example.org/", "example.org"),
            (b"https://example.org./", "example.org"),
            (b"android-app://org.telegram.messenger/", "org.telegram.messenger"),
            (b"http://[2001:db8::1]:8080/x", "[2001:db8::1]"),
            (b"example.net/path", "example.net"),
            (b"https://example.org?x", "example.org"),
        ];
        for (raw, want) in cases {
            assert_eq!(referrer_host(raw), *want, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn the_host_cache_decides_each_host_once_and_stays_bounded() {
        let mut cache = HostCache::default();
        let mut asked = Vec::new();
        let mut get = |cache: &mut HostCache, raw: &[u8]| {
            let got = cache.get(raw, |h| {
                asked.push(h.to_string());
                if h.ends_with("google.com") {
                    HostVerdict::Known(HostRule { channel: Channel::Search, source: "google".into() })
                } else {
                    HostVerdict::Other
                }
            });
            (got.site.to_string(), got.verdict.clone())
        };
        let google = HostVerdict::Known(HostRule { channel: Channel::Search, source: "google".into() });
        assert_eq!(get(&mut cache, b"www.Google.com"), ("google.com".into(), google.clone()));
        assert_eq!(get(&mut cache, b"www.Google.com"), ("google.com".into(), google));
        assert_eq!(get(&mut cache, b"blog.example.org"), ("blog.example.org".into(), HostVerdict::Other));
        for i in 0..HOST_CACHE_MAX + 10 {
            get(&mut cache, format!("h{i}.example").as_bytes());
        }
        assert!(cache.hosts.len() <= HOST_CACHE_MAX && cache.index.len() == cache.hosts.len());
        assert_eq!(get(&mut cache, b"h3.example"), ("h3.example".into(), HostVerdict::Other));
        let long = vec![b'x'; LONGEST_CACHED_HOST + 1];
        let kept = cache.hosts.len();
        assert_eq!(get(&mut cache, &long).1, HostVerdict::Other);
        assert_eq!(get(&mut cache, &long).1, HostVerdict::Other);
        assert_eq!(cache.hosts.len(), kept, "a host longer than any DNS name is not kept");
        assert_eq!(asked[..3], ["www.google.com", "blog.example.org", "h0.example"]);
        // Once per host, again after the reset, and each time for the long one.
        assert_eq!(asked.len(), 2 + HOST_CACHE_MAX + 10 + 1 + 2);
    }

    #[test]
    fn lookup_prefers_the_most_specific_row() {
        let rules = HostRules::builtin().unwrap();
        let src = |h: &str| rules.lookup(h).map(|r| (r.channel, r.source.as_ref()));
        assert_eq!(src("lm.facebook.com"), Some((Channel::DarkSocial, "messenger")));
        assert_eq!(src("m.facebook.com"), Some((Channel::Social, "facebook")));
        assert_eq!(src("web.facebook.com"), Some((Channel::Social, "facebook")));
        assert_eq!(src("www.google.co.uk"), Some((Channel::Search, "google")));
        assert_eq!(src("google.fr"), Some((Channel::Search, "google")));
        assert_eq!(src("mail.google.com"), Some((Channel::Email, "gmail")));
        assert_eq!(src("google.example.com"), None);
        assert_eq!(src("semicomplete.com"), None);
    }
}
