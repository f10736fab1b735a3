//! The rule engine: a closed visit in, a classified visit out — a channel, a source and
//! the typed [`Reason`] of the rule that decided, or the [`Exclusion`] that says why it
//! is no visit of any channel.
//!
//! Rules are tables (see `data/`), evaluated in a fixed, documented order
//! ([`Reason::ORDER`]); the first rule that has something to say decides. Before any of
//! them, bots and link-preview fetchers are set apart (not visits), browsers that behave
//! like machines are judged by [`Classifier::behaviour`], and, where this site's browsers
//! visibly load assets, a visit that loaded none is unconfirmed ([`Outcome::Unconfirmed`]):
//! classified, but not counted as a reader. What the run learned of the site from its logs
//! ([`SiteFacts`]) is not part of the rules: a [`Classifier`] is the rules read with those
//! facts.

pub mod agent;
pub mod facts;
pub mod host;
mod landing;
pub mod overrides;
mod pairs;
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
pub use facts::{AssetSample, Evidence, SiteFacts, MIN_ASSET_SAMPLE};
pub use host::{
    referrer_host, referrer_host_raw, strip_www, vhost_is, CachedHost, HostCache, HostRules, HostVerdict,
};
pub use landing::{OwnedLanding, MAX_VISIT_PAGES};
pub use params::ParamRules;
pub use path::{fetched, page_view, PathKind, PathRules};
pub use reason::{Exclusion, Reason, ScraperRule};
pub use returns::{remembered, ReturnLog, EXACT_PAIRS, RETURN_WINDOW};
pub use shares::{ShareLog, SHARE_WINDOW};
pub use tables::TableError;

use crate::session::ClosedVisit;

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
    /// A visit that loaded no asset on a site whose browsers load them: no evidence that a
    /// browser rendered its pages (a scraper, or a reader with every asset cached). What
    /// its landing would have said, not counted as a reader.
    Unconfirmed(Verdict<'a>),
    Counted(Verdict<'a>),
}

impl ClassifiedVisit<'_> {
    /// The landing's path, without its query.
    pub fn landing_path(&self) -> &[u8] {
        crate::parse::split_target(self.visit.landing.target()).0
    }

    /// The landing's referrer host as logged, lowercased (empty for none).
    pub fn referrer_host(&self) -> String {
        self.visit.landing.referrer().map(referrer_host).unwrap_or_default()
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
            target: l.target(),
            referrer: l.referrer(),
            vhost: l.vhost(),
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
    /// Whether a visit needs browser evidence (an asset loaded) to count as a reader,
    /// where this site's browsers load assets. A rules file can count them all.
    pub require_browser_evidence: bool,
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
            require_browser_evidence: true,
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
        r.params.prepend(rows);
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
        if let Some(b) = o.require_browser_evidence {
            r.require_browser_evidence = b;
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

    /// Undeclared bots, by what they did: asked for `robots.txt`, or turned pages faster
    /// than anyone reads without loading a single asset. `None`: not a scraper by its pace.
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
        None
    }

    /// Whether visits here need browser evidence (an asset) to count as readers: where
    /// this site's browsers visibly load assets, unless a rules file says otherwise. On a
    /// site whose assets come from elsewhere (a CDN), none does, and no reader is lost.
    pub fn requires_evidence(&self) -> bool {
        self.evidence().required()
    }

    /// [`Classifier::requires_evidence`], with the reason when not.
    pub fn evidence(&self) -> Evidence {
        match (self.facts.browsers_load_assets, self.rules.require_browser_evidence, self.facts.asset_sample)
        {
            (true, true, _) => Evidence::Required,
            (true, false, _) => Evidence::OffByRules,
            (false, _, None) => Evidence::NotSeen,
            (false, _, Some(s)) if s.referred < MIN_ASSET_SAMPLE => Evidence::TooFewToTell(s),
            (false, _, Some(s)) => Evidence::NoAssetsHere(s),
        }
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
                None if visit.assets == 0 && self.requires_evidence() => {
                    Outcome::Unconfirmed(self.landing_cached(&Landing::of(&visit), hosts))
                }
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
        // A fragment is the browser's and never sent, but a client that sends one ends the
        // query there (`utm_medium=email#top` is email).
        let query = query.map(|q| q.split(|&b| b == b'#').next().unwrap_or(q));
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
mod tests;
