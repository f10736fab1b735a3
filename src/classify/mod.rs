//! The rule engine: a closed visit in, a classified visit out — a channel, a source and
//! the typed [`Reason`] of the rule that decided, or the [`Exclusion`] that says why it
//! is no visit of any channel.
//!
//! Rules are tables (see `data/`), evaluated in a fixed, documented order
//! ([`Reason::ORDER`]); the first rule that has something to say decides. Before any of
//! them, bots and link-preview fetchers are set apart (not visits), and browsers that
//! behave like machines are judged by [`Classifier::behaviour`]. What the run learned of
//! the site from its logs ([`SiteFacts`]) is not part of the rules: a [`Classifier`] is
//! the rules read with those facts.

pub mod agent;
pub mod facts;
pub mod host;
pub mod overrides;
pub mod params;
pub mod path;
pub mod reason;
pub mod returns;
pub mod shares;
pub mod tables;

pub use tables::{TableSource, ALL_TABLES};

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use agent::{Agent, AgentCache, AgentRules, Name};
pub use facts::SiteFacts;
pub use host::{
    referrer_host, referrer_host_raw, strip_www, vhost_is, CachedHost, HostCache, HostRules, HostVerdict,
};
pub use params::ParamRules;
pub use path::{page_view, PathRules};
pub use reason::{Exclusion, Reason, ScraperRule};
pub use returns::ReturnLog;
pub use shares::ShareLog;
pub use tables::TableError;

use crate::session::{ClosedVisit, LandingData};

/// Where a visit came from. The order here is the order of every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    DarkSocial,
    Direct,
    Search,
    Social,
    Email,
    Paid,
    Referral,
    /// AI assistants that cite and link (ChatGPT, Perplexity, Gemini, Copilot…).
    Ai,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Channel::DarkSocial,
        Channel::Direct,
        Channel::Search,
        Channel::Social,
        Channel::Email,
        Channel::Paid,
        Channel::Referral,
        Channel::Ai,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Channel::DarkSocial => "dark-social",
            Channel::Direct => "direct",
            Channel::Search => "search",
            Channel::Social => "social",
            Channel::Email => "email",
            Channel::Paid => "paid",
            Channel::Referral => "referral",
            Channel::Ai => "ai",
        }
    }

    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        Channel::ALL.iter().map(|c| c.name()).collect()
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The landing page view of a visit, copied out of its line, with the run's signals about
/// it at the time it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedLanding {
    pub target: Vec<u8>,
    pub referrer: Option<Vec<u8>>,
    pub vhost: Option<Vec<u8>>,
    /// The app whose link preview fetched the page shortly before (see [`ShareLog`]).
    pub shared_by: Option<Name>,
    /// The visitor read this page in an earlier visit (see [`ReturnLog`]).
    pub returning: bool,
}

impl LandingData for OwnedLanding {
    /// Whether a late landing is a return cannot be asked when it comes (this visit's own
    /// views are recorded by then): it stays what the first landing said, for the same
    /// page, else no.
    fn take_over(mut self, replaced: &Self) -> Self {
        self.returning = self.target == replaced.target && replaced.returning;
        self
    }
}

/// A visit as the sessionizer closes it.
pub type Visit = ClosedVisit<Agent, OwnedLanding>;

/// What the engine decided for one visit that counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict<'a> {
    pub channel: Channel,
    /// Table sources and referral hosts are borrowed (from the tables, from the decided
    /// host); sources read from the query (a tag) are owned.
    pub source: Cow<'a, str>,
    pub reason: Reason,
}

/// A closed visit and what the rules made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifiedVisit<'a> {
    pub visit: Visit,
    pub outcome: Outcome<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// No visit of any channel: its lines are excluded.
    Excluded(Exclusion),
    Counted(Verdict<'a>),
}

impl ClassifiedVisit<'_> {
    /// The landing's path, without its query.
    pub fn landing_path(&self) -> &[u8] {
        crate::parse::split_target(&self.visit.landing.target).0
    }

    /// The landing's referrer host as logged, lowercased (empty for none).
    pub fn referrer_host(&self) -> String {
        self.visit.landing.referrer.as_deref().map(referrer_host).unwrap_or_default()
    }
}

/// The landing page view of a visit, as the rules read it.
#[derive(Debug, Clone, Copy)]
pub struct Landing<'a> {
    pub target: &'a [u8],
    pub referrer: Option<&'a [u8]>,
    pub vhost: Option<&'a [u8]>,
    pub agent: Agent,
    /// The app whose link preview fetched this page shortly before the visit.
    pub shared_by: Option<Name>,
    /// The visitor read this page in an earlier visit.
    pub returning: bool,
}

impl<'a> Landing<'a> {
    pub fn of(visit: &'a Visit) -> Landing<'a> {
        let l = &visit.landing;
        Landing {
            target: &l.target,
            referrer: l.referrer.as_deref(),
            vhost: l.vhost.as_deref(),
            agent: visit.agent,
            shared_by: l.shared_by,
            returning: l.returning,
        }
    }
}

/// Every table, compiled, and the settings of the behaviour rules.
pub struct Rules {
    pub agents: AgentRules,
    pub hosts: HostRules,
    pub params: ParamRules,
    pub paths: PathRules,
    /// Page views at which a visit is judged by its pace.
    pub fast_pages: u32,
    /// Seconds per page at or under which nobody is reading.
    pub fast_seconds_per_page: i64,
}

/// What a visit in a browser's name did, for the behaviour rules.
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    pub pageviews: u32,
    pub assets: u32,
    pub robots: bool,
    pub start: i64,
    pub end: i64,
}

impl Behaviour {
    pub fn of(v: &Visit) -> Behaviour {
        Behaviour { pageviews: v.pageviews, assets: v.assets, robots: v.robots, start: v.start, end: v.end }
    }
}

/// Page views at which a visit is judged by its pace, by default.
pub const FAST_PAGES: u32 = 3;
/// Seconds per page at or under which nobody is reading, by default.
pub const FAST_SECONDS_PER_PAGE: i64 = 2;

impl Rules {
    pub fn builtin() -> Result<Rules, TableError> {
        Ok(Rules {
            agents: AgentRules::builtin()?,
            hosts: HostRules::builtin()?,
            params: ParamRules::builtin()?,
            paths: PathRules::builtin()?,
            fast_pages: FAST_PAGES,
            fast_seconds_per_page: FAST_SECONDS_PER_PAGE,
        })
    }

    /// Adds a rules file's rows before the built-in ones.
    pub fn apply(self, o: &overrides::Overrides) -> Result<Rules, TableError> {
        let mut r = Rules { agents: self.agents.with_first(&o.user_agents)?, ..self };
        for (host, channel, source) in &o.referrers {
            r.hosts.insert(
                host.clone(),
                host::HostRule { channel: *channel, source: Cow::Owned(source.clone()) },
            );
        }
        let rows = o.parameters.iter().map(|p| params::ParamRule {
            from_file: true,
            line: p.line,
            param: Cow::Owned(p.param.clone()),
            value: p.value.clone().map(Cow::Owned),
            channel: p.channel,
            source: p.source.clone().map(Cow::Owned),
            reason: Reason::RulesFileParameter,
        });
        r.params.rows.splice(0..0, rows);
        for f in &o.fronts {
            r.paths.add_front(f);
        }
        for e in &o.asset_extensions {
            r.paths.add_asset_extension(e);
        }
        for p in &o.asset_prefixes {
            r.paths.add_asset_prefix(p);
        }
        if let Some(n) = o.fast_pages {
            r.fast_pages = n;
        }
        if let Some(s) = o.fast_seconds_per_page {
            r.fast_seconds_per_page = s;
        }
        Ok(r)
    }
}

/// The rules read with what the run learned of the site.
#[derive(Clone, Copy)]
pub struct Classifier<'a> {
    pub rules: &'a Rules,
    pub facts: &'a SiteFacts,
}

impl<'a> Classifier<'a> {
    pub fn new(rules: &'a Rules, facts: &'a SiteFacts) -> Classifier<'a> {
        Classifier { rules, facts }
    }

    /// What a referrer host (lowercase) says, whatever the line's vhost.
    pub fn host_verdict(&self, host: &str) -> HostVerdict {
        if self.facts.is_site(strip_www(host)) {
            HostVerdict::Internal
        } else if let Some(rule) = self.rules.hosts.lookup(host) {
            HostVerdict::Known(rule.clone())
        } else {
            HostVerdict::Other
        }
    }

    /// Undeclared bots, by what they did: asked for `robots.txt`, turned pages faster than
    /// anyone reads without loading a single asset, or fetched several pages and none of
    /// the assets every browser here loads. `None`: a reader.
    pub fn behaviour(&self, b: &Behaviour) -> Option<ScraperRule> {
        if b.robots {
            return Some(ScraperRule::RobotsTxt);
        }
        // A browser that loads assets can show many "page views" a second when a site
        // serves images without extensions: pace alone judges only asset-less visits.
        let r = self.rules;
        if b.pageviews >= r.fast_pages.max(2)
            && b.assets == 0
            && b.end - b.start <= r.fast_seconds_per_page * i64::from(b.pageviews - 1)
        {
            return Some(ScraperRule::TooFast);
        }
        if self.facts.browsers_load_assets && b.pageviews >= 2 && b.assets == 0 {
            return Some(ScraperRule::PagesOnly);
        }
        None
    }

    /// A closed visit, classified: excluded (bot, preview fetcher, scraper) or counted
    /// with its channel. Referrer hosts are decided once per host in `hosts` (which must
    /// not outlive a change of these rules or facts).
    pub fn visit<'c>(&self, visit: Visit, hosts: &'c mut HostCache) -> ClassifiedVisit<'c>
    where
        'a: 'c,
    {
        let outcome = match visit.agent {
            Agent::Bot { .. } => Outcome::Excluded(Exclusion::Bot),
            Agent::Preview { .. } => Outcome::Excluded(Exclusion::LinkPreview),
            Agent::Browser | Agent::InApp { .. } => match self.behaviour(&Behaviour::of(&visit)) {
                Some(rule) => Outcome::Excluded(Exclusion::Scraper(rule)),
                None => Outcome::Counted(self.landing_cached(&Landing::of(&visit), hosts)),
            },
        };
        ClassifiedVisit { visit, outcome }
    }

    /// Decides a visit's channel from its landing page view. Excluded agents never get
    /// here: they are not visits.
    pub fn landing(&self, landing: &Landing<'_>) -> Verdict<'static> {
        let host = landing.referrer.map(|r| CachedHost::new(referrer_host_raw(r), |h| self.host_verdict(h)));
        let v = self.decide(landing, || host.as_ref());
        Verdict { source: Cow::Owned(v.source.into_owned()), ..v }
    }

    /// [`Classifier::landing`], with referrer hosts decided once per host in `hosts`.
    pub fn landing_cached<'c>(&self, landing: &Landing<'_>, hosts: &'c mut HostCache) -> Verdict<'c>
    where
        'a: 'c,
    {
        self.decide(landing, || {
            landing.referrer.map(|r| hosts.get(referrer_host_raw(r), |h| self.host_verdict(h)))
        })
    }

    /// The rules in their order; `host` decides the referrer's host, asked only when the
    /// query has not decided already.
    fn decide<'h>(&self, landing: &Landing<'_>, host: impl FnOnce() -> Option<&'h CachedHost>) -> Verdict<'h>
    where
        'a: 'h,
    {
        let verdict =
            |channel, source: &'h str, reason| Verdict { channel, source: Cow::Borrowed(source), reason };
        let (path, query) = crate::parse::split_target(landing.target);
        let rules = self.rules;

        if let Some((rule, source)) = query.and_then(|q| rules.params.decide(q)) {
            return Verdict { channel: rule.channel, source: source.into(), reason: rule.reason };
        }
        if let Some(host) = host() {
            // The line's own vhost makes any host internal, the table's rows included.
            let own_vhost = landing.vhost.is_some_and(|v| host::vhost_is(v, &host.site));
            return match &host.verdict {
                HostVerdict::Known(rule) if !own_vhost => {
                    verdict(rule.channel, &rule.source, Reason::ReferrerKnown)
                }
                HostVerdict::Other if !own_vhost => {
                    verdict(Channel::Referral, &host.site, Reason::ReferrerOther)
                }
                _ => verdict(Channel::Direct, "internal", Reason::ReferrerInternal),
            };
        }
        if let Agent::InApp { app, channel } = landing.agent {
            return verdict(channel, rules.agents.name(app), Reason::InApp);
        }
        if rules.paths.is_front(path, query) {
            return verdict(Channel::Direct, "none", Reason::FrontDirect);
        }
        // A reader back on a page they read before came by bookmark or history, even if
        // somebody shared that page meanwhile: their own past is the nearer signal.
        if landing.returning {
            return verdict(Channel::Direct, "return", Reason::Return);
        }
        match landing.shared_by {
            Some(app) => verdict(Channel::DarkSocial, rules.agents.name(app), Reason::Preview),
            None => verdict(Channel::DarkSocial, "unknown", Reason::DeepDirect),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::builtin().expect("built-in tables load")
    }

    fn site() -> SiteFacts {
        let mut facts = SiteFacts::default();
        facts.add_site("www.example.com");
        facts
    }

    #[test]
    fn rule_order_on_named_landings() {
        let (rules, facts) = (rules(), site());
        let r = Classifier::new(&rules, &facts);
        let browser = Agent::Browser;
        let telegram =
            Agent::InApp { app: rules.agents.find_name("telegram").unwrap(), channel: Channel::DarkSocial };
        type Case<'a> = (&'a str, &'a [u8], Option<&'a [u8]>, Agent, Channel, &'a str, &'a str);
        let cases: &[Case] = &[
            (
                "deep_no_referrer",
                b"/news/2026/11/a-story",
                None,
                browser,
                Channel::DarkSocial,
                "unknown",
                "deep-direct",
            ),
            ("home_no_referrer", b"/", None, browser, Channel::Direct, "none", "front-direct"),
            ("section_no_referrer", b"/news/", None, browser, Channel::Direct, "none", "front-direct"),
            (
                "internal",
                b"/a/b",
                Some(b"https://example.com/x"),
                browser,
                Channel::Direct,
                "internal",
                "referrer-internal",
            ),
            (
                "google_fr",
                b"/a/b",
                Some(b"https://www.google.fr/"),
                browser,
                Channel::Search,
                "google",
                "referrer-known",
            ),
            (
                "other_site",
                b"/a/b",
                Some(b"https://www.blog.example.org/p"),
                browser,
                Channel::Referral,
                "blog.example.org",
                "referrer-other",
            ),
            (
                "gclid_beats_referrer",
                b"/a?gclid=1",
                Some(b"https://www.google.com/"),
                browser,
                Channel::Paid,
                "google",
                "click-id",
            ),
            (
                "utm_whatsapp",
                b"/a?utm_source=whatsapp",
                None,
                browser,
                Channel::DarkSocial,
                "whatsapp",
                "utm-source",
            ),
            (
                "newsletter",
                b"/a?utm_medium=email&utm_source=weekly",
                None,
                browser,
                Channel::Email,
                "weekly",
                "utm-medium",
            ),
            ("in_app_telegram", b"/a/b", None, telegram, Channel::DarkSocial, "telegram", "in-app"),
            (
                "in_app_with_referrer",
                b"/a/b",
                Some(b"https://t.co/x"),
                telegram,
                Channel::Social,
                "twitter",
                "referrer-known",
            ),
            (
                "messenger_shim",
                b"/a/b",
                Some(b"https://l.messenger.com/"),
                browser,
                Channel::DarkSocial,
                "messenger",
                "referrer-known",
            ),
            (
                "webmail",
                b"/a/b",
                Some(b"https://mail.google.com/"),
                browser,
                Channel::Email,
                "gmail",
                "referrer-known",
            ),
            (
                "chatgpt",
                b"/a/b",
                Some(b"https://chatgpt.com/"),
                browser,
                Channel::Ai,
                "chatgpt",
                "referrer-known",
            ),
            (
                "chatgpt_tag",
                b"/a/b?utm_source=chatgpt.com",
                None,
                browser,
                Channel::Ai,
                "chatgpt",
                "utm-source",
            ),
        ];
        for (name, target, referrer, agent, channel, source, reason) in cases {
            let v = r.landing(&Landing {
                target,
                referrer: *referrer,
                vhost: None,
                agent: *agent,
                shared_by: None,
                returning: false,
            });
            assert_eq!((v.channel, &*v.source, v.reason.id()), (*channel, *source, *reason), "{name}");
        }
    }

    #[test]
    fn behaviour_rules() {
        let rules = rules();
        let mut facts = SiteFacts::default();
        let b =
            |pageviews, assets, robots, secs| Behaviour { pageviews, assets, robots, start: 0, end: secs };
        let r = Classifier::new(&rules, &facts);
        assert_eq!(r.behaviour(&b(1, 0, true, 0)), Some(ScraperRule::RobotsTxt));
        assert_eq!(r.behaviour(&b(5, 0, false, 8)), Some(ScraperRule::TooFast));
        assert_eq!(r.behaviour(&b(5, 9, false, 8)), None, "fast, but rendering pages");
        assert_eq!(
            r.behaviour(&b(3, 0, false, 600)),
            None,
            "pages only: not judged until assets are the norm"
        );
        facts.browsers_load_assets = true;
        let r = Classifier::new(&rules, &facts);
        assert_eq!(r.behaviour(&b(3, 0, false, 600)), Some(ScraperRule::PagesOnly));
        assert_eq!(r.behaviour(&b(1, 0, false, 0)), None, "one page with cached assets is a reader");
        assert_eq!(r.behaviour(&b(3, 4, false, 600)), None);
    }

    #[test]
    fn vhost_makes_its_own_referrers_internal() {
        let (rules, facts) = (rules(), SiteFacts::default());
        let r = Classifier::new(&rules, &facts);
        let l = Landing {
            target: b"/a/b",
            referrer: Some(b"https://blog.example.net/"),
            vhost: Some(b"blog.example.net"),
            agent: Agent::Browser,
            shared_by: None,
            returning: false,
        };
        assert_eq!(r.landing(&l).reason, Reason::ReferrerInternal);
        // In any case, with or without www., on either side; and only for that line.
        let mut hosts = HostCache::default();
        let on = |referrer: &'static [u8], vhost: Option<&'static [u8]>| Landing {
            referrer: Some(referrer),
            vhost,
            ..l
        };
        for (referrer, vhost, reason) in [
            (&b"https://WWW.Blog.Example.NET/x"[..], Some(&b"blog.example.net"[..]), "referrer-internal"),
            (b"https://blog.example.net/", Some(b"www.BLOG.example.net"), "referrer-internal"),
            (b"https://blog.example.net/", Some(b"example.net"), "referrer-other"),
            (b"https://blog.example.net/", None, "referrer-other"),
            (b"https://www.google.com/", Some(b"www.google.com"), "referrer-internal"),
            (b"https://www.google.com/", Some(b"blog.example.net"), "referrer-known"),
        ] {
            let want = r.landing(&on(referrer, vhost));
            assert_eq!(want.reason.id(), reason, "{}", String::from_utf8_lossy(referrer));
            assert_eq!(r.landing_cached(&on(referrer, vhost), &mut hosts), want);
        }
    }

    /// The referrer rules read plainly, as they were before verdicts were cached per
    /// host: the site or the line's vhost, then the host rows, else a referral.
    fn referrer_rule_plainly(
        r: &Classifier<'_>,
        referrer: &[u8],
        vhost: Option<&[u8]>,
    ) -> (Channel, String, Reason) {
        let host = referrer_host(referrer);
        let site = strip_www(&host);
        let vhost = vhost.map(|v| strip_www(&String::from_utf8_lossy(v).to_ascii_lowercase()).to_string());
        if vhost.as_deref() == Some(site) || r.facts.site_hosts.iter().any(|s| s == site) {
            (Channel::Direct, "internal".into(), Reason::ReferrerInternal)
        } else if let Some(rule) = r.rules.hosts.lookup(&host) {
            (rule.channel, rule.source.to_string(), Reason::ReferrerKnown)
        } else {
            (Channel::Referral, site.into(), Reason::ReferrerOther)
        }
    }

    #[test]
    fn cached_host_verdicts_match_the_rules_read_plainly() {
        let (rules, facts) = (rules(), site());
        let r = Classifier::new(&rules, &facts);
        let mut referrers: Vec<Vec<u8>> = [
            &b"https://www.google.com/search?q=x"[..],
            b"https://WWW.Example.COM:8080/a",
            b"https://example.com./",
            b"http://\xffx.com/",
            b"http://user@lm.facebook.com/l.php?u=x",
            b"android-app://org.telegram.messenger/",
            b"https://www.google.com/",
            b"not a url at all",
            b"http://[2001:db8::1]:8080/x",
        ]
        .iter()
        .map(|r| r.to_vec())
        .collect();
        referrers.push([b"http://".as_slice(), &[b'x'; 300]].concat());
        let mut generator = darklog_gen::Generator::new(&darklog_gen::GenConfig {
            seed: 3,
            lines: 20_000,
            ..Default::default()
        });
        let mut cx = crate::parse::LineCx::default();
        while let Some(line) = generator.next_line() {
            if let Some(referrer) =
                crate::parse::Format::COMBINED.parse(line, &mut cx).hit().and_then(|h| h.referrer)
            {
                referrers.push(referrer.to_vec());
            }
        }
        assert!(referrers.len() > 3000, "{}", referrers.len());
        let vhosts: [Option<&[u8]>; 5] = [
            None,
            Some(b"www.example.com"),
            Some(b"\xffx.com"),
            Some(b"WWW.GOOGLE.COM"),
            Some(b"blog.example.org"),
        ];
        let mut hosts = HostCache::default();
        for referrer in &referrers {
            for vhost in vhosts {
                let landing = Landing {
                    target: b"/a/b",
                    referrer: Some(referrer),
                    vhost,
                    agent: Agent::Browser,
                    shared_by: None,
                    returning: false,
                };
                let v = r.landing_cached(&landing, &mut hosts);
                let got = (v.channel, v.source.into_owned(), v.reason);
                assert_eq!(
                    got,
                    referrer_rule_plainly(&r, referrer, vhost),
                    "{}",
                    String::from_utf8_lossy(referrer)
                );
                assert_eq!(r.landing(&landing), r.landing_cached(&landing, &mut hosts));
            }
        }
    }

    #[test]
    fn shipped_user_agent_samples_get_their_class() {
        let rules = AgentRules::builtin().unwrap();
        let cases: &[(&str, &str)] = &[
            ("WhatsApp/2.23.20.0 A", "preview:whatsapp"),
            ("WhatsApp", "preview:signal"),
            ("WhatsApp/2", "preview:signal"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0", "preview:imessage"),
            ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview:facebook"),
            ("facebookexternalhit/1.1;line-poker/1.0", "preview:line"),
            ("TelegramBot (like TwitterBot)", "preview:telegram"),
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot:googlebot"),
            ("curl/8.4.0", "bot:curl"),
            ("Mozilla/5.0 (compatible; SomeNewCrawler/1.0; +https://example.net/bot)", "bot:other"),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0 Safari/537.36 Telegram-Android/12.3.1 (Xiaomi; Android 9; SDK 28; AVERAGE)", "app:telegram"),
            ("Mozilla/5.0 (Linux; Android 7.1.2; Nexus 5X Build/N2G47F; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/57.0 Mobile Safari/537.36 [FB_IAB/MESSENGER;FBAV/114.0.0.21.71;]", "app:messenger"),
            ("Mozilla/5.0 (Linux; Android 9; SM-G950U Build/PPR1.180610.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/263.0.0.46.121;]", "app:facebook"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36", "browser"),
        ];
        for (ua, want) in cases {
            let got = match rules.classify(Some(ua.as_bytes())) {
                Agent::Browser => "browser".to_string(),
                Agent::InApp { app, .. } => format!("app:{}", rules.name(app)),
                Agent::Preview { app } => format!("preview:{}", rules.name(app)),
                Agent::Bot { name } => format!("bot:{}", rules.name(name)),
            };
            assert_eq!(&got, want, "{ua}");
        }
    }

    #[test]
    fn tables_have_no_duplicates_or_contradictions() {
        let r = rules();
        let mut seen = std::collections::HashMap::new();
        for (line, token, agent) in r.agents.tokens() {
            if let Some((prev, prev_agent)) = seen.insert(token.to_ascii_lowercase(), (line, agent)) {
                panic!("user_agents.tsv:{line}: token '{token}' repeats line {prev} ({prev_agent:?} vs {agent:?})");
            }
        }
        let mut params = std::collections::HashMap::new();
        for row in &r.params.rows {
            if let Some(prev) = params.insert((row.param.clone(), row.value.clone()), row.line) {
                panic!("parameters.tsv:{}: repeats line {prev}", row.line);
            }
        }
        // Every host row is reachable: looking it up returns itself.
        for (line, host, rule) in &r.hosts.rows {
            let probe = host.replace(".*", ".com");
            assert_eq!(r.hosts.lookup(&probe), Some(rule), "referrers.tsv:{line}: '{host}' is shadowed");
        }
    }
}
