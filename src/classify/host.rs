//! Referrer hosts: extraction from a logged referrer, and the host table.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::tables::{self, TableError, EMAIL_PAID, FEDIVERSE, MATOMO, REFERRERS};
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
    let host = crate::parse::authority_host(&rest[..end]);
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

/// How a host row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostMatch {
    /// The host itself, or with `www.` (`www2.`…) or `m.` before it: a search engine's
    /// host, whose other subdomains (mail, maps, news, ads) are other services.
    Host,
    /// The host and its subdomains, down to its registrable domain.
    Domain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRow {
    pub table: &'static str,
    pub line: usize,
    /// As the table writes it: `google.*` (any public suffix), `*.search.yahoo.com` (any
    /// one label first).
    pub host: Cow<'static, str>,
    pub matching: HostMatch,
    pub rule: HostRule,
}

/// One table's rows by host.
#[derive(Default)]
struct HostMap {
    rows: FxHashMap<Cow<'static, str>, HostRow>,
}

impl HostMap {
    /// The row for `name` (one of a host's [`levels`]) under any of its keys.
    fn find(&self, name: &str, itself: bool, keys: &mut Vec<String>) -> Option<&HostRow> {
        lookup_keys(name, keys);
        keys.iter()
            .filter_map(|k| self.rows.get(k.as_str()))
            .find(|row| itself || row.matching == HostMatch::Domain)
    }
}

/// The tables of referrer hosts, in the order they are tried: a rules file's rows, then
/// darklog's (`referrers.tsv`, `email_paid.tsv`), then the lists (`matomo.tsv`), then the
/// fediverse's naming conventions (`fediverse.tsv`). For each table in turn, the most
/// specific name of the host that has a row decides.
pub struct HostRules {
    /// A rules file's rows: the host and its subdomains, tried before every table.
    user: HostMap,
    tables: Vec<HostMap>,
    /// Every row of the built-in tables, for checks and `darklog rules`.
    pub rows: Vec<HostRow>,
}

impl HostRules {
    pub fn builtin() -> Result<HostRules, TableError> {
        let mut rules = HostRules { user: HostMap::default(), tables: Vec::new(), rows: Vec::new() };
        for (src, columns) in [(REFERRERS, 4), (EMAIL_PAID, 5), (MATOMO, 4), (FEDIVERSE, 4)] {
            let mut map = HostMap::default();
            for row in tables::rows(src, columns) {
                let (line, f) = row?;
                let bad = |message: String| TableError { table: src.name, line, message };
                let matching = match f[1] {
                    "host" => HostMatch::Host,
                    "domain" => HostMatch::Domain,
                    other => return Err(bad(format!("unknown match '{other}' (host, domain)"))),
                };
                if f[0] != f[0].to_ascii_lowercase() {
                    return Err(bad(format!("host '{}' is not lowercase", f[0])));
                }
                let rule =
                    HostRule { channel: tables::channel(src, line, f[2])?, source: Cow::Borrowed(f[3]) };
                let row = HostRow { table: src.name, line, host: Cow::Borrowed(f[0]), matching, rule };
                if let Some(prev) = map.rows.insert(Cow::Borrowed(f[0]), row.clone()) {
                    return Err(bad(format!("host '{}' repeats line {}", f[0], prev.line)));
                }
                rules.rows.push(row);
            }
            rules.tables.push(map);
        }
        Ok(rules)
    }

    /// Adds (or replaces) a host row from a rules file; `name.*` for any country domain.
    pub fn insert(&mut self, host: String, rule: HostRule) {
        let row = HostRow {
            table: "rules file",
            line: 0,
            host: Cow::Owned(host.clone()),
            matching: HostMatch::Domain,
            rule,
        };
        self.user.rows.insert(Cow::Owned(host), row);
    }

    /// The row that decides `host` (lowercase): a rules file's, else the tables'.
    pub fn lookup(&self, host: &str) -> Option<&HostRule> {
        self.lookup_row(host).map(|r| &r.rule)
    }

    /// [`HostRules::lookup`], with the row.
    pub fn lookup_row(&self, host: &str) -> Option<&HostRow> {
        if is_ip(host) {
            return None;
        }
        let levels = levels(host);
        let mut keys = Vec::new();
        std::iter::once(&self.user)
            .chain(&self.tables)
            .find_map(|map| levels.iter().find_map(|&(name, itself)| map.find(name, itself, &mut keys)))
    }

    /// Whether a rules file's row (not a built-in table) decides `host`.
    pub fn from_rules_file(&self, host: &str) -> bool {
        self.lookup_row(host).is_some_and(|r| r.table == "rules file")
    }
}

/// An IPv4 address or a bracketed IPv6 one: no table names those, and the public suffix
/// list would read `192.168.0.1` as the domain `0.1`.
fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The names `host` is looked up under, most specific first, each with whether it is
/// the host itself: the host, the host without a leading `www.` (`www2.`…) or `m.`, then
/// each parent domain down to its registrable domain (the public suffix list's: a
/// blog on `blogspot.com` is not `blogspot.com`). Android app ids (`org.telegram.messenger`)
/// are hosts of their own.
fn levels(host: &str) -> Vec<(&str, bool)> {
    let mut out = vec![(host, true)];
    if let Some((first, rest)) = host.split_once('.') {
        let service = first == "m"
            || (first.starts_with('w') && first.trim_start_matches('w').bytes().all(|b| b.is_ascii_digit()));
        if service && rest.contains('.') {
            out.push((rest, true));
        }
    }
    let floor = psl::domain(host.as_bytes()).map_or(host.len(), |d| d.as_bytes().len());
    let mut rest = host;
    while let Some(i) = rest.find('.') {
        rest = &rest[i + 1..];
        if rest.len() < floor {
            break;
        }
        out.push((rest, false));
    }
    out
}

/// The keys a name has rows under: itself; with its public suffix written `*` (`google.*`
/// for `google.co.uk`, ICANN suffixes only); with its first label written `*`
/// (`*.search.yahoo.com`, `*.social`); both.
fn lookup_keys(name: &str, keys: &mut Vec<String>) {
    keys.clear();
    keys.push(name.to_string());
    let suffix = psl::suffix(name.as_bytes())
        .filter(|s| s.typ() == Some(psl::Type::Icann) && s.as_bytes().len() < name.len())
        .map(|s| name.len() - s.as_bytes().len());
    // The first label, whatever follows it: `*.social` is every server under `.social`.
    let first = name.find('.');
    if let Some(cut) = suffix {
        keys.push(format!("{}*", &name[..cut]));
    }
    if let Some(i) = first {
        keys.push(format!("*{}", &name[i..]));
        if let Some(cut) = suffix.filter(|&cut| cut > i + 1) {
            keys.push(format!("*{}*", &name[i..cut]));
        }
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
        // Issue #10: a search company's mail, maps, news and ads are not its search.
        assert_eq!(src("mail.yandex.ru"), Some((Channel::Email, "yandex-mail")));
        assert_eq!(src("mail.yahoo.co.jp"), Some((Channel::Email, "yahoo-japan-mail")));
        assert_eq!(src("inbox.google.com"), Some((Channel::Email, "gmail")));
        assert_eq!(src("maps.google.com"), None);
        assert_eq!(src("maps.google.de"), None);
        assert_eq!(src("news.google.com"), None);
        assert_eq!(src("news.yahoo.com"), None);
        assert_eq!(src("yabs.yandex.ru"), Some((Channel::Paid, "yandex-direct")));
        assert_eq!(src("uk.search.yahoo.com"), Some((Channel::Search, "yahoo")));
        assert_eq!(src("images.search.yahoo.com"), Some((Channel::Search, "yahoo")));
        assert_eq!(src("www.google.com.br"), Some((Channel::Search, "google")));
        assert_eq!(src("cn.bing.com"), Some((Channel::Search, "bing")));
        assert_eq!(src("www.yandex.com.tr"), Some((Channel::Search, "yandex")));
        // Email providers' link dereferrers, ad networks.
        assert_eq!(src("deref-gmx.net"), Some((Channel::Email, "gmx")));
        assert_eq!(src("co106w.col106.mail.live.com"), Some((Channel::Email, "outlook")));
        assert_eq!(src("abc.safeframe.googlesyndication.com"), Some((Channel::Paid, "google-ads")));
        assert_eq!(src("trc.taboola.com"), Some((Channel::Paid, "taboola")));
        // Registrable domains: a blog on blogspot.com is its own site; an address is none.
        assert_eq!(src("foo.blogspot.com"), None);
        assert_eq!(src("192.168.0.1"), None);
        assert_eq!(src("[2001:db8::1]"), None);
        // darklog's rows beat the lists': Matomo calls Discord and Telegram's web client social.
        assert_eq!(src("discord.com"), Some((Channel::DarkSocial, "discord")));
        assert_eq!(src("web.telegram.org"), Some((Channel::DarkSocial, "telegram")));
        assert_eq!(src("psychicbazaar.tumblr.com"), Some((Channel::Social, "tumblr")));
        assert_eq!(src("mastodon.social"), Some((Channel::Social, "mastodon")));
        // The fediverse beyond Matomo's few servers: by name, by `.social`, by size.
        for host in ["mastodon.nl", "mstdn.ca", "infosec.exchange", "social.coop"] {
            assert_eq!(src(host), Some((Channel::Social, "mastodon")), "{host}");
        }
        for host in ["det.social", "toot.cafe"] {
            assert_eq!(src(host), Some((Channel::Social, "fediverse")), "{host}");
        }
        // Tried after Matomo's rows, which name a server's software.
        assert_eq!(src("pixelfed.social"), Some((Channel::Social, "pixelfed")));
        assert_eq!(src("pix.toot.wales"), Some((Channel::Social, "pixelfed")));
        assert_eq!(src("chaos.social"), Some((Channel::Social, "mastodon")));
        assert_eq!(src("bsky.social"), Some((Channel::Social, "bluesky")));
        assert_eq!(src("social.example.com"), None);
        assert_eq!(src("tootsie.com"), None);
        // Webmail clients, where a mail's links are clicked.
        assert_eq!(src("3c.web.de"), Some((Channel::Email, "web.de")));
        assert_eq!(src("poczta.wp.pl"), Some((Channel::Email, "wp-poczta")));
        assert_eq!(src("mail.libero.it"), Some((Channel::Email, "libero-mail")));
        assert_eq!(src("suche.web.de"), Some((Channel::Search, "web.de")));
    }
}
