//! Why a visit got its channel, or why it is not counted as one: typed, so that reports
//! count by them and `darklog rules` lists them from one place (the README's table is
//! checked against that list by `tests/e2e/house.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The rule that decided a visit's channel. [`Reason::ORDER`] is the order the rules are
/// tried in; the first that has something to say decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A `--rules` file's parameter row.
    RulesFileParameter,
    ClickId,
    ShareButton,
    UtmSource,
    UtmMedium,
    ReferrerInternal,
    ReferrerKnown,
    ReferrerOther,
    InApp,
    FrontDirect,
    Return,
    Preview,
    DeepDirect,
}

impl Reason {
    /// Every rule, in the order they are tried. The parameter rules are rows of one
    /// table, tried in the table's order (a rules file's rows first); the order given
    /// here for them is the order in which each first appears there.
    pub const ORDER: [Reason; 13] = [
        Reason::RulesFileParameter,
        Reason::ClickId,
        Reason::ShareButton,
        Reason::UtmSource,
        Reason::UtmMedium,
        Reason::ReferrerInternal,
        Reason::ReferrerKnown,
        Reason::ReferrerOther,
        Reason::InApp,
        Reason::FrontDirect,
        Reason::Return,
        Reason::Preview,
        Reason::DeepDirect,
    ];

    /// The id reports print and `parameters.tsv` names.
    pub fn id(self) -> &'static str {
        match self {
            Reason::RulesFileParameter => "rules-file-parameter",
            Reason::ClickId => "click-id",
            Reason::ShareButton => "share-button",
            Reason::UtmSource => "utm-source",
            Reason::UtmMedium => "utm-medium",
            Reason::ReferrerInternal => "referrer-internal",
            Reason::ReferrerKnown => "referrer-known",
            Reason::ReferrerOther => "referrer-other",
            Reason::InApp => "in-app",
            Reason::FrontDirect => "front-direct",
            Reason::Return => "return",
            Reason::Preview => "preview",
            Reason::DeepDirect => "deep-direct",
        }
    }

    /// What the rule looks at, in a line: `darklog rules` prints it.
    pub fn description(self) -> &'static str {
        match self {
            Reason::RulesFileParameter => "a parameter row of the --rules file on the landing URL (tried first)",
            Reason::ClickId => "an ad or social click id on the landing URL (gclid, msclkid, fbclid, mc_cid...)",
            Reason::ShareButton => "a share-button tag on the landing URL (share=jetpack-whatsapp)",
            Reason::UtmSource => {
                "utm_source naming a private channel or an AI assistant (whatsapp, sms, chatgpt.com...); \
                 after utm_medium, any other utm_source: a known source gets its channel, any other tag is referral"
            }
            Reason::UtmMedium => "utm_medium (email, newsletter, cpc, social, sms...)",
            Reason::ReferrerInternal => "a referrer from the site itself: the visit began before the log shows",
            Reason::ReferrerKnown => {
                "a referrer host in referrers.tsv, email_paid.tsv, matomo.tsv or fediverse.tsv (messaging, webmail, ads, search, social, AI)"
            }
            Reason::ReferrerOther => "any other referrer: referral from that host",
            Reason::InApp => "no referrer, in an app's browser (user_agents.tsv, class app)",
            Reason::FrontDirect => "no referrer on the homepage, an index file or a section front: direct",
            Reason::Return => "no referrer on a deep page the visitor read in an earlier visit: direct",
            Reason::Preview => "no referrer on a deep page an app's link preview fetched within the share window",
            Reason::DeepDirect => "no referrer on a deep page: dark-social, source unknown (the classic rule)",
        }
    }

    /// Its place in [`Reason::ORDER`]: reports count visits by rule in an array.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_id(id: &str) -> Option<Reason> {
        Reason::ORDER.into_iter().find(|r| r.id() == id)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Browsers that behaved like machines, by the rule that said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScraperRule {
    /// Asked for `/robots.txt`: only crawlers do.
    RobotsTxt,
    /// Turned pages faster than anyone reads, loading no asset.
    TooFast,
}

impl ScraperRule {
    pub const ALL: [ScraperRule; 2] = [ScraperRule::RobotsTxt, ScraperRule::TooFast];

    pub fn id(self) -> &'static str {
        match self {
            ScraperRule::RobotsTxt => "robots-txt",
            ScraperRule::TooFast => "too-fast",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why a closed visit is not a visit of any channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exclusion {
    /// A declared bot's user agent.
    Bot,
    /// A link-preview fetcher's user agent.
    LinkPreview,
    /// A browser's user agent and a machine's behaviour.
    Scraper(ScraperRule),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_read_back() {
        for (i, r) in Reason::ORDER.into_iter().enumerate() {
            assert_eq!(r.index(), i, "ORDER is the enum's order");
            assert_eq!(Reason::from_id(r.id()), Some(r));
        }
        let mut ids: Vec<_> = Reason::ORDER.iter().map(|r| r.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Reason::ORDER.len());
    }
}
